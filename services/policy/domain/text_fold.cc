#include "services/policy/domain/text_fold.h"

namespace kommune::policy {
namespace {

// UTF-8 of U+00C0-U+00DE is 0xC3 0x80-0x9E; lower case is +0x20 on the
// second byte. U+00D7 (×) has no case.
bool IsLatin1UpperTail(unsigned char lead, unsigned char tail) {
  return lead == 0xC3 && tail >= 0x80 && tail <= 0x9E && tail != 0x97;
}

}  // namespace

std::string FoldCase(absl::string_view text) {
  std::string out(text);
  for (size_t i = 0; i < out.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(out[i]);
    if (c >= 'A' && c <= 'Z') {
      out[i] = static_cast<char>(c + 0x20);
    } else if (i + 1 < out.size() &&
               IsLatin1UpperTail(c, static_cast<unsigned char>(out[i + 1]))) {
      out[i + 1] = static_cast<char>(out[i + 1] + 0x20);
      ++i;
    }
  }
  return out;
}

FoldedText FoldForSearch(absl::string_view text, bool fold_aa) {
  std::string lower = FoldCase(text);
  FoldedText out;
  out.text.reserve(lower.size());
  out.source_offset.reserve(lower.size() + 1);
  for (size_t i = 0; i < lower.size(); ++i) {
    // "å" is 0xC3 0xA5 once folded.
    if (fold_aa && i + 1 < lower.size() &&
        static_cast<unsigned char>(lower[i]) == 0xC3 &&
        static_cast<unsigned char>(lower[i + 1]) == 0xA5) {
      out.text += "aa";
      out.source_offset.push_back(i);
      out.source_offset.push_back(i);
      ++i;
      continue;
    }
    out.text += lower[i];
    out.source_offset.push_back(i);
  }
  out.source_offset.push_back(lower.size());
  return out;
}

}  // namespace kommune::policy
