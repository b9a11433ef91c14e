#ifndef KOMMUNE_SERVICES_POLICY_DOMAIN_TEXT_FOLD_H_
#define KOMMUNE_SERVICES_POLICY_DOMAIN_TEXT_FOLD_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kommune::policy {

// Lower-cases UTF-8 text for Danish without ICU: ASCII A-Z and the Latin-1
// letters U+00C0-U+00DE (Æ Ø Å É Ü ..., not ×) become lower case. Every
// other byte is kept, so the result has the same length and byte offsets
// as the input.
std::string FoldCase(absl::string_view text);

// Text folded for matching, with a map back to the source.
struct FoldedText {
  std::string text;
  // source_offset[i] is the byte offset in the source that folded byte i
  // came from; one extra entry maps text.size() to the source's size.
  std::vector<size_t> source_offset;
};

// FoldCase, and when fold_aa also "å" -> "aa", so that the old spelling
// "Taastrup" and the new "Tåstrup" match each other.
FoldedText FoldForSearch(absl::string_view text, bool fold_aa);

}  // namespace kommune::policy

#endif  // KOMMUNE_SERVICES_POLICY_DOMAIN_TEXT_FOLD_H_
