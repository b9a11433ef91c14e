#ifndef KOMMUNE_SERVICES_POLICY_DOMAIN_MARKDOWN_FORMAT_H_
#define KOMMUNE_SERVICES_POLICY_DOMAIN_MARKDOWN_FORMAT_H_

// The small vocabulary that the policy text importer reads and the Markdown
// exporter writes: section keywords, "Ad 1." headings, item labels, the
// trailing `<!-- id: strategy-1-1 -->` comments that carry ids and other
// machine fields, escapes, and Danish renderings of dates and money.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "kommune/common/v1/types.pb.h"
#include "kommune/policy/v1/policy.pb.h"

namespace kommune::policy::markdown {

// Headings as the exporter writes them; the importer also accepts them
// with a trailing ':' and in any case ("Succeskriterie" too).
inline constexpr absl::string_view kVision = "Vision";
inline constexpr absl::string_view kObjectives = "Målsætninger";
inline constexpr absl::string_view kFocusAreas = "Indsatsområder";
inline constexpr absl::string_view kStrategyPart =
    "Strategi, handleplaner og succeskriterier for de enkelte indsatsområder";
inline constexpr absl::string_view kStrategy = "Strategi";
inline constexpr absl::string_view kPlanAndCriteria =
    "Handleplan og succeskriterier";
inline constexpr absl::string_view kActionPlan = "Handleplan";
inline constexpr absl::string_view kCriteria = "Succeskriterier";
inline constexpr absl::string_view kMeetings = "Borgermøder";
inline constexpr absl::string_view kBudget = "Bevillinger og budgetønsker";
inline constexpr absl::string_view kAttachments = "Bilag";
inline constexpr absl::string_view kExtra = "Øvrige afsnit";
// Line prefixes inside a focus area and under a citizen proposal.
inline constexpr absl::string_view kResponsiblePrefix = "Ansvarlige:";
inline constexpr absl::string_view kLandingPrefix = "Indarbejdet:";

enum class Keyword {
  kNone,
  kVision,
  kObjectives,
  kFocusAreas,
  kStrategyPart,
  kStrategy,
  kPlanAndCriteria,
  kActionPlan,
  kCriteria,
  kMeetings,
  kBudget,
  kAttachments,
  kExtra,
};

// Which heading keyword a whole line is, ignoring case, surrounding '*' and
// a trailing ':'.
Keyword ClassifyKeyword(absl::string_view line);

// True for the keywords that open a part of the document (Vision ..
// Øvrige afsnit), false for those inside a focus area.
bool IsPartKeyword(Keyword keyword);

// "Ad 1. text", "Ad 1) text", "Ad. 4. text", "Ad2) text"; "Ad: text" is an
// unnumbered strategy (number 0).
struct AdHeading {
  int number = 0;
  std::string text;
};
std::optional<AdHeading> ParseAdHeading(absl::string_view line);

// "1a) text" -> label "1a", rest "text"; "1b)" -> label "1b", rest "".
bool SplitLabel(absl::string_view line, std::string* label, std::string* rest);

// The key/value pairs of a trailing `<!-- key: value; key: value -->`.
using Attributes = std::vector<std::pair<std::string, std::string>>;

// " <!-- id: x; of: y -->" (with the leading space), "" when attrs is empty
// or holds only empty values. Values are %-escaped where they could end
// the comment or split it.
std::string FormatAttributes(const Attributes& attrs);

// Splits a trailing attribute comment off `line`. Returns false and leaves
// the outputs alone when the line does not end in one.
bool SplitTrailingAttributes(absl::string_view line, std::string* text,
                             Attributes* attrs);

// The value of key in attrs, "" if absent.
std::string Attribute(const Attributes& attrs, absl::string_view key);

// Makes a paragraph or item text read back as plain text: a backslash
// before what would otherwise start a list, a heading, a label, an "Ad"
// heading or a keyword line ("\- x", "1\. x", "1a\) x", "\Handleplan").
std::string EscapeLeading(absl::string_view text);
// Undoes EscapeLeading; true when there was an escape.
bool UnescapeLeading(std::string* text);

// Keeps a text that ends like a comment ("... -->") from being read as the
// attribute comment: one more backslash before the final '>' ("--\>").
std::string EscapeTrailing(absl::string_view text);
// Undoes EscapeTrailing.
void UnescapeTrailing(std::string* text);

// "2006-10-25" both ways.
std::string FormatIsoDate(const common::v1::Date& date);
bool ParseIsoDate(absl::string_view text, common::v1::Date* date);
// "25. oktober 2006".
std::string FormatDanishDate(const common::v1::Date& date);

// "250.000,00 kr." both ways, in øre.
std::string FormatMoney(int64_t amount_ore);
bool ParseMoney(absl::string_view text, int64_t* amount_ore);

// "statsfinansieret", "ufinansieret", "budgetønske", "finansieret".
absl::string_view FundingWord(v1::BudgetLine::Funding funding);
bool ParseFundingWord(absl::string_view word, v1::BudgetLine::Funding* funding);

// "udvalg", "økonomiudvalg", "byråd", "råd"; "" for unspecified.
absl::string_view BodyKindWord(common::v1::BodyKind kind);
common::v1::BodyKind ParseBodyKindWord(absl::string_view word);

// "kladde", "i høring", "vedtaget", "afløst", "trukket tilbage".
absl::string_view StateWord(v1::PolicyState state);
bool ParseStateWord(absl::string_view word, v1::PolicyState* state);

// "sag 1166997, dok.nr. 1410354", "dok.nr. 1410354" or "sag 18/12386".
std::string EsdhLabel(const common::v1::EsdhReference& ref);
// case / document / kle / facet / doc-title attributes of a reference.
void AddEsdhAttributes(const common::v1::EsdhReference& ref, Attributes* attrs);
// Reads them back; false when none is present.
bool ReadEsdhAttributes(const Attributes& attrs,
                        common::v1::EsdhReference* ref);

}  // namespace kommune::policy::markdown

#endif  // KOMMUNE_SERVICES_POLICY_DOMAIN_MARKDOWN_FORMAT_H_
