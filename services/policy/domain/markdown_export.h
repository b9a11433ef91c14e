#ifndef KOMMUNE_SERVICES_POLICY_DOMAIN_MARKDOWN_EXPORT_H_
#define KOMMUNE_SERVICES_POLICY_DOMAIN_MARKDOWN_EXPORT_H_

#include <string>

#include "kommune/policy/v1/policy.pb.h"

namespace kommune::policy {

struct MarkdownOptions {
  // Carry ids and the fields a reader does not need to see (dates as
  // numbers, ESDH numbers, references between elements) in trailing HTML
  // comments, `<!-- id: strategy-1-1 -->`, which Markdown viewers hide.
  // With them ImportPolicyText reads the export back to the same content.
  bool include_ids = true;
};

// The policy as a citizen-friendly Markdown document in the layout of the
// source documents: title, a status line (state, period, ESDH case),
// introduction, "Vision", "Målsætninger" with themes, "Indsatsområder"
// with their focus, "Strategi, handleplaner og succeskriterier for de
// enkelte indsatsområder" with numbered strategies and "Ad 1." sections,
// then citizen meetings, budget lines, attachments and other sections.
// Lines that would read as structure are escaped with a backslash.
//
// Round trip: ImportPolicyText(ExportMarkdown(p)) gives p's content
// (ids, labels, numbers, paragraphs, readings recomputed from the same
// text), title, state, period, ESDH case and KLE class, for any content the
// importer can produce. Beyond that it does not keep: trailing spaces, empty
// paragraphs, and a line break inside the first paragraph of a list item,
// a budget line, a landing note or a heading.
std::string ExportMarkdown(const v1::Policy& policy,
                           const MarkdownOptions& options = {});

}  // namespace kommune::policy

#endif  // KOMMUNE_SERVICES_POLICY_DOMAIN_MARKDOWN_EXPORT_H_
