#ifndef KOMMUNE_SERVICES_POLICY_DOMAIN_TEXT_BLOCKS_H_
#define KOMMUNE_SERVICES_POLICY_DOMAIN_TEXT_BLOCKS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/policy/domain/markdown_format.h"

namespace kommune::policy {

enum class BlockType {
  kParagraph,
  kBullet,    // "- text"
  kNumbered,  // "1. text"
  kHeading,   // Markdown "## text" only
  kTableRow,  // Plain text line with tabs, e.g. the ESDH header table
};

// One paragraph, list item or heading of a document: what the importer
// reads the policy structure from.
struct TextBlock {
  BlockType type = BlockType::kParagraph;
  int level = 0;   // Heading level 1-6.
  int number = 0;  // kNumbered.
  // Markdown indentation; 2 or more continues the item above.
  int indent = 0;
  bool blank_before = false;  // A blank line separates it from the last.
  bool escaped = false;       // Written with a leading escape: never structure.
  std::string text;
  markdown::Attributes attrs;  // From a trailing <!-- key: value --> comment.
};

// Lines without a byte-order mark, with \r\n, \r and form feeds as \n.
std::vector<std::string> SplitLines(absl::string_view text);

// True when some line is a Markdown heading ("# ...").
bool LooksLikeMarkdown(const std::vector<std::string>& lines);

// Plain text as in domain/001: one block per line; lines with tabs are table
// rows; a word broken over a page ("sagsbehand-" / "lere") is joined again.
std::vector<TextBlock> LexPlainText(const std::vector<std::string>& lines);

// Markdown: headings, "-"/"*"/"+" bullets, "1." items, paragraphs of
// joined lines (a hard break, two trailing spaces, keeps the newline),
// indentation, and the escapes of markdown::EscapeLeading.
std::vector<TextBlock> LexMarkdown(const std::vector<std::string>& lines);

}  // namespace kommune::policy

#endif  // KOMMUNE_SERVICES_POLICY_DOMAIN_TEXT_BLOCKS_H_
