#ifndef KOMMUNE_SERVICES_POLICY_DOMAIN_TEXT_IMPORT_H_
#define KOMMUNE_SERVICES_POLICY_DOMAIN_TEXT_IMPORT_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kommune/policy/v1/policy.pb.h"

namespace kommune::policy {

enum class TextFormat {
  kAuto,       // Markdown when some line is a "# heading", else plain text.
  kPlainText,  // The layout of domain/001 as extracted from the document.
  kMarkdown,   // The same layout in Markdown, as ExportMarkdown writes it.
};

struct ImportOptions {
  TextFormat format = TextFormat::kAuto;
  // Fill SuccessCriterion.proposed_reading (criterion_reading).
  bool propose_readings = true;
  // Largest text accepted.
  size_t max_bytes = size_t{8} << 20;
  // The name errors give the text, e.g. the request field "document".
  std::string field = "text";
};

struct ImportResult {
  // display_name (the title), esdh_case from the header table
  // (SagsID / Dok.nr.) and content. From Markdown written by
  // ExportMarkdown also state, period and kle_class. The name, revision and
  // times are left for the service to set.
  v1::Policy policy;
  // The header table's cells as written, e.g. {"Dato", "15. november 2006"},
  // {"SagsID", "1166997"}.
  std::vector<std::pair<std::string, std::string>> header;
  // Choices the importer made that an editor may want to check, e.g. which
  // focus area a merged strategy heading was attached to.
  std::vector<std::string> notes;
};

// Reads a policy written in the layout of domain/001 (or its Markdown
// form) into content, losing no paragraph: what fits no element goes into
// free paragraphs, or into extra_sections named after the part it was in.
//
// Structure: "Vision" (statements), "Målsætninger" (a theme line followed
// by bullets), "Indsatsområder" (a title followed by "Med fokus på ..."),
// "Strategi, handleplaner og succeskriterier for de enkelte
// indsatsområder" (per focus area: its heading, "Strategi" with "1.",
// "- 1)" or plain-bullet strategies, "Handleplan og succeskriterier",
// "Ad 1." / "Ad 1)" / "Ad. 4." sections with "Handleplan" and
// "Succeskriterier"). Under a strategy's action plan every bullet, labelled
// item ("1a)") or paragraph is one action item; bullets after a paragraph
// ending in ':' and paragraphs after a label stay with that item. Success
// criteria labelled like an action item ("1a)") are placed under it.
// A strategy heading that names several focus areas ("Børn i
// daginstitutioner og skole samt unge, herunder ...") attaches to the one
// whose title it starts with and lists the others in
// joined_focus_area_ids; a heading that matches none makes a new focus
// area. Ids come from Markdown comments where present, else
// AssignMissingIds.
//
// INVALID_ARGUMENT for text that is empty, too large, not UTF-8 or holds
// NUL bytes, and for content that ValidateContent refuses (e.g. the same
// id on two elements of a Markdown file).
absl::StatusOr<ImportResult> ImportPolicyText(
    absl::string_view text, const ImportOptions& options = {});

}  // namespace kommune::policy

#endif  // KOMMUNE_SERVICES_POLICY_DOMAIN_TEXT_IMPORT_H_
