#include "services/policy/domain/text_blocks.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace kommune::policy {
namespace {

// "- ", "* ", "+ ", "• " -> length of the marker with its space.
size_t BulletMarker(absl::string_view s, bool markdown) {
  if (absl::StartsWith(s, "• ")) return std::string("• ").size();
  if (s.size() >= 2 && s[1] == ' ' &&
      (s[0] == '-' || (markdown && (s[0] == '*' || s[0] == '+')))) {
    return 2;
  }
  return 0;
}

// "12. text" -> number 12 and the text's offset.
std::optional<std::pair<int, size_t>> NumberedMarker(absl::string_view s) {
  size_t i = 0;
  while (i < s.size() && absl::ascii_isdigit(s[i])) ++i;
  if (i == 0 || i > 3 || i + 1 >= s.size() || s[i] != '.' || s[i + 1] != ' ') {
    return std::nullopt;
  }
  int number;
  if (!absl::SimpleAtoi(s.substr(0, i), &number)) return std::nullopt;
  size_t start = i + 1;
  while (start < s.size() && s[start] == ' ') ++start;
  if (start >= s.size()) return std::nullopt;
  return std::make_pair(number, start);
}

void TakeAttributes(TextBlock* b) {
  std::string text;
  if (markdown::SplitTrailingAttributes(b->text, &text, &b->attrs)) {
    b->text = std::move(text);
  }
}

bool EndsInBrokenWord(absl::string_view s) {
  if (s.size() < 2 || s.back() != '-') return false;
  unsigned char before = static_cast<unsigned char>(s[s.size() - 2]);
  return absl::ascii_isalpha(before) || before >= 0x80;
}

bool StartsLowerCase(absl::string_view s) {
  if (s.empty()) return false;
  unsigned char c = static_cast<unsigned char>(s[0]);
  if (absl::ascii_islower(c)) return true;
  // Latin-1 lower-case letters æ ø å é ... are 0xC3 0xA0-0xBE.
  return c == 0xC3 && s.size() > 1 &&
         static_cast<unsigned char>(s[1]) >= 0xA0 &&
         static_cast<unsigned char>(s[1]) <= 0xBE;
}

}  // namespace

std::vector<std::string> SplitLines(absl::string_view text) {
  absl::ConsumePrefix(&text, "\xEF\xBB\xBF");
  std::string normal;
  normal.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      normal += '\n';
    } else if (c == '\f') {
      normal += '\n';
    } else {
      normal += c;
    }
  }
  return absl::StrSplit(normal, '\n');
}

bool LooksLikeMarkdown(const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    size_t hashes = 0;
    while (hashes < line.size() && line[hashes] == '#') ++hashes;
    if (hashes >= 1 && hashes <= 6 && hashes < line.size() &&
        line[hashes] == ' ') {
      return true;
    }
  }
  return false;
}

std::vector<TextBlock> LexPlainText(const std::vector<std::string>& lines) {
  std::vector<TextBlock> blocks;
  bool blank = false;
  for (const std::string& raw : lines) {
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty()) {
      blank = true;
      continue;
    }
    TextBlock b;
    b.blank_before = blank;
    blank = false;
    if (line.find('\t') != absl::string_view::npos) {
      b.type = BlockType::kTableRow;
      b.text = std::string(line);
    } else if (size_t m = BulletMarker(line, false); m > 0) {
      b.type = BlockType::kBullet;
      b.text = std::string(absl::StripAsciiWhitespace(line.substr(m)));
    } else if (auto n = NumberedMarker(line)) {
      b.type = BlockType::kNumbered;
      b.number = n->first;
      b.text = std::string(line.substr(n->second));
    } else {
      b.text = std::string(line);
    }
    TakeAttributes(&b);
    // A page break can split a word: "sagsbehand-" + "lere, personale ...".
    if (b.type == BlockType::kParagraph && !blocks.empty() &&
        blocks.back().type == BlockType::kParagraph &&
        EndsInBrokenWord(blocks.back().text) && StartsLowerCase(b.text)) {
      blocks.back().text.pop_back();
      blocks.back().text += b.text;
      continue;
    }
    blocks.push_back(std::move(b));
  }
  return blocks;
}

std::vector<TextBlock> LexMarkdown(const std::vector<std::string>& lines) {
  std::vector<TextBlock> blocks;
  bool blank = false;
  bool paragraph_open = false;
  bool hard_break = false;
  auto close = [&] {
    if (paragraph_open) {
      TextBlock& p = blocks.back();
      p.text = std::string(absl::StripTrailingAsciiWhitespace(p.text));
      TakeAttributes(&p);
      markdown::UnescapeTrailing(&p.text);
    }
    paragraph_open = false;
  };
  for (const std::string& raw : lines) {
    bool breaks = absl::EndsWith(raw, "  ");
    absl::string_view line = absl::StripTrailingAsciiWhitespace(raw);
    if (line.empty()) {
      close();
      blank = true;
      continue;
    }
    int indent = 0;
    size_t start = 0;
    while (start < line.size() && (line[start] == ' ' || line[start] == '\t')) {
      indent += line[start] == '\t' ? 4 : 1;
      ++start;
    }
    absl::string_view s = line.substr(start);
    size_t hashes = 0;
    while (hashes < s.size() && s[hashes] == '#') ++hashes;
    TextBlock b;
    b.blank_before = blank;
    b.indent = indent;
    if (indent < 4 && hashes >= 1 && hashes <= 6 &&
        (hashes == s.size() || s[hashes] == ' ')) {
      b.type = BlockType::kHeading;
      b.level = static_cast<int>(hashes);
      absl::string_view text = absl::StripAsciiWhitespace(s.substr(hashes));
      b.text = std::string(text);
    } else if (size_t m = BulletMarker(s, true); m > 0) {
      b.type = BlockType::kBullet;
      b.text = std::string(absl::StripAsciiWhitespace(s.substr(m)));
    } else if (auto n = NumberedMarker(s)) {
      b.type = BlockType::kNumbered;
      b.number = n->first;
      b.text = std::string(s.substr(n->second));
    } else {
      std::string text(s);
      bool escaped = markdown::UnescapeLeading(&text);
      if (paragraph_open && !blank) {
        if (!text.empty()) {
          absl::StrAppend(&blocks.back().text, hard_break ? "\n" : " ", text);
        }
      } else {
        close();
        b.escaped = escaped;
        b.text = std::move(text);
        blocks.push_back(std::move(b));
        paragraph_open = true;
      }
      hard_break = breaks;
      blank = false;
      continue;
    }
    close();
    TakeAttributes(&b);
    b.escaped = markdown::UnescapeLeading(&b.text);
    markdown::UnescapeTrailing(&b.text);
    blocks.push_back(std::move(b));
    blank = false;
  }
  close();
  return blocks;
}

}  // namespace kommune::policy
