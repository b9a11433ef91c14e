#include "services/policy/domain/markdown_export.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "services/policy/domain/markdown_format.h"

namespace kommune::policy {
namespace {

using ::google::protobuf::RepeatedPtrField;
using markdown::Attributes;

// A paragraph made only of "- " lines is a bullet list (see PolicyContent).
bool IsBulletList(absl::string_view paragraph) {
  if (paragraph.empty()) return false;
  for (absl::string_view line : absl::StrSplit(paragraph, '\n')) {
    if (!absl::StartsWith(line, "- ")) return false;
  }
  return true;
}

bool HasDetails(const v1::Strategy& s) {
  return !s.heading_text().empty() || s.paragraphs_size() > 0 ||
         s.action_items_size() > 0 || s.success_criteria_size() > 0;
}

bool HasStrategyPart(const v1::FocusArea& fa) {
  return !fa.strategy_heading().empty() ||
         fa.joined_focus_area_ids_size() > 0 ||
         fa.strategy_paragraphs_size() > 0 || fa.strategies_size() > 0 ||
         fa.closing_paragraphs_size() > 0 || fa.action_items_size() > 0 ||
         fa.success_criteria_size() > 0;
}

class Writer {
 public:
  explicit Writer(const MarkdownOptions& options) : options_(options) {}

  // The document with exactly one newline at the end.
  std::string Take() {
    while (absl::EndsWith(out_, "\n")) out_.pop_back();
    out_ += '\n';
    return std::move(out_);
  }

  void Policy(const v1::Policy& policy) {
    Heading(1, policy.display_name(), {});
    Metadata(policy);
    const v1::PolicyContent& c = policy.content();
    for (const std::string& p : c.intro_paragraphs()) Paragraph(p);
    if (c.vision_statements_size() > 0) {
      Heading(2, markdown::kVision, {}, false);
      for (const auto& v : c.vision_statements()) Item(v.text(), Ids(v.id()));
    }
    if (c.objective_themes_size() > 0) {
      Heading(2, markdown::kObjectives, {}, false);
      for (const auto& theme : c.objective_themes()) {
        Heading(3, theme.title(), Ids(theme.id()));
        for (const auto& o : theme.objectives()) Item(o.text(), Ids(o.id()));
        for (const std::string& p : theme.paragraphs()) Paragraph(p);
      }
    }
    if (c.focus_areas_size() > 0) {
      Heading(2, markdown::kFocusAreas, {}, false);
      for (const auto& fa : c.focus_areas()) FocusAreaListing(fa);
    }
    bool any_strategy_part = false;
    for (const auto& fa : c.focus_areas()) {
      any_strategy_part = any_strategy_part || HasStrategyPart(fa);
    }
    if (any_strategy_part) {
      Heading(2, markdown::kStrategyPart, {}, false);
      for (const auto& fa : c.focus_areas()) {
        if (HasStrategyPart(fa)) StrategyPart(fa);
      }
    }
    if (c.citizen_meetings_size() > 0) {
      Heading(2, markdown::kMeetings, {}, false);
      for (const auto& m : c.citizen_meetings()) Meeting(m);
    }
    if (c.budget_lines_size() > 0) {
      Heading(2, markdown::kBudget, {}, false);
      for (const auto& b : c.budget_lines()) {
        Item(absl::StrCat(b.year(), " · ", b.initiative(), " · ",
                          markdown::FormatMoney(b.amount().amount_ore()), " · ",
                          markdown::FundingWord(b.funding())),
             {{"id", b.id()}, {"element", b.element_id()}});
      }
    }
    if (c.attachments_size() > 0) {
      Heading(2, markdown::kAttachments, {}, false);
      for (const auto& a : c.attachments()) {
        std::string label = markdown::EsdhLabel(a.document());
        Attributes attrs = {{"id", a.id()}};
        markdown::AddEsdhAttributes(a.document(), &attrs);
        Item(label.empty() ? a.title()
                           : absl::StrCat(a.title(), " (", label, ")"),
             attrs);
      }
    }
    if (c.extra_sections_size() > 0) {
      Heading(2, markdown::kExtra, {}, false);
      for (const auto& s : c.extra_sections()) {
        Heading(3, s.heading(), Ids(s.id()));
        for (const std::string& p : s.paragraphs()) Paragraph(p);
      }
    }
  }

 private:
  static Attributes Ids(absl::string_view id) {
    return {{"id", std::string(id)}};
  }

  std::string Comment(const Attributes& attrs) const {
    return options_.include_ids ? markdown::FormatAttributes(attrs) : "";
  }

  void Blank() {
    if (!out_.empty() && !absl::EndsWith(out_, "\n\n")) out_ += '\n';
  }

  void Heading(int level, absl::string_view text, const Attributes& attrs,
               bool escape = true) {
    in_list_ = false;
    Blank();
    absl::StrAppend(
        &out_, std::string(level, '#'), " ",
        markdown::EscapeTrailing(escape ? markdown::EscapeLeading(text)
                                        : std::string(text)),
        Comment(attrs), "\n\n");
  }

  // Lines of a paragraph, each escaped, joined by Markdown hard breaks.
  std::string Lines(absl::string_view text, absl::string_view indent) {
    std::vector<std::string> lines;
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      lines.push_back(markdown::EscapeLeading(line));
    }
    lines.back() = markdown::EscapeTrailing(lines.back());
    return absl::StrCat(indent,
                        absl::StrJoin(lines, absl::StrCat("  \n", indent)));
  }

  void Paragraph(absl::string_view text, const Attributes& attrs = {}) {
    if (text.empty()) return;
    in_list_ = false;
    Blank();
    absl::StrAppend(&out_, Lines(text, ""), Comment(attrs), "\n\n");
  }

  // A list item; consecutive items form one list.
  void Item(absl::string_view text, const Attributes& attrs,
            absl::string_view marker = "- ", absl::string_view label = "") {
    if (!absl::EndsWith(out_, "\n\n") && !in_list_) Blank();
    std::string body = label.empty() ? markdown::EscapeLeading(text)
                                     : absl::StrCat(label, ") ", text);
    absl::StrAppend(&out_, marker, markdown::EscapeTrailing(body),
                    Comment(attrs), "\n");
    in_list_ = true;
  }

  void EndList() {
    if (in_list_) out_ += '\n';
    in_list_ = false;
  }

  // Paragraphs that belong to the list item above, indented under it.
  void ItemParagraphs(const RepeatedPtrField<std::string>& paragraphs) {
    for (const std::string& p : paragraphs) {
      if (p.empty()) continue;
      in_list_ = false;
      Blank();
      if (IsBulletList(p)) {
        for (absl::string_view line : absl::StrSplit(p, '\n')) {
          absl::StrAppend(
              &out_, "  - ",
              markdown::EscapeTrailing(markdown::EscapeLeading(line.substr(2))),
              "\n");
        }
        out_ += '\n';
      } else {
        absl::StrAppend(&out_, Lines(p, "  "), "\n\n");
      }
    }
  }

  void Metadata(const v1::Policy& policy) {
    std::vector<std::string> visible;
    Attributes attrs = {{"meta", "policy"}};
    if (policy.state() != v1::POLICY_STATE_UNSPECIFIED) {
      visible.push_back(
          absl::StrCat("Status: ", markdown::StateWord(policy.state())));
      attrs.emplace_back("state",
                         std::string(markdown::StateWord(policy.state())));
    }
    if (policy.has_period()) {
      const auto& p = policy.period();
      visible.push_back(absl::StrCat(
          "Periode: ",
          p.has_start_date() ? markdown::FormatDanishDate(p.start_date()) : "",
          " – ",
          p.has_end_date() ? markdown::FormatDanishDate(p.end_date()) : ""));
      if (p.has_start_date()) {
        attrs.emplace_back("start", markdown::FormatIsoDate(p.start_date()));
      }
      if (p.has_end_date()) {
        attrs.emplace_back("end", markdown::FormatIsoDate(p.end_date()));
      }
    }
    std::string esdh = markdown::EsdhLabel(policy.esdh_case());
    if (!esdh.empty()) visible.push_back(absl::StrCat("ESDH: ", esdh));
    markdown::AddEsdhAttributes(policy.esdh_case(), &attrs);
    if (!policy.kle_class().subject().empty()) {
      visible.push_back(
          absl::StrCat("KLE: ", policy.kle_class().subject(),
                       policy.kle_class().action_facet().empty() ? "" : " ",
                       policy.kle_class().action_facet()));
    }
    attrs.emplace_back("policy-kle", policy.kle_class().subject());
    attrs.emplace_back("policy-facet", policy.kle_class().action_facet());
    if (visible.empty()) return;
    Blank();
    absl::StrAppend(&out_, "*", absl::StrJoin(visible, " · "), "*",
                    Comment(attrs), "\n\n");
  }

  void FocusAreaListing(const v1::FocusArea& fa) {
    Attributes attrs = Ids(fa.id());
    // Without it the first free paragraph would read back as focus text.
    if (fa.focus_text().empty() && fa.paragraphs_size() > 0) {
      attrs.emplace_back("focus", "none");
    }
    Heading(3, fa.title(), attrs);
    Paragraph(fa.focus_text());
    for (const std::string& p : fa.paragraphs()) Paragraph(p);
    if (fa.responsible_committees_size() > 0) {
      std::vector<std::string> bodies;
      for (const auto& body : fa.responsible_committees()) {
        absl::string_view kind = markdown::BodyKindWord(body.kind());
        bodies.push_back(
            kind.empty() ? body.display_name()
                         : absl::StrCat(body.display_name(), " (", kind, ")"));
      }
      Blank();
      absl::StrAppend(&out_, markdown::kResponsiblePrefix, " ",
                      markdown::EscapeTrailing(absl::StrJoin(bodies, "; ")),
                      "\n\n");
    }
  }

  void StrategyPart(const v1::FocusArea& fa) {
    Attributes attrs = Ids(fa.id());
    attrs.emplace_back("joins", absl::StrJoin(fa.joined_focus_area_ids(), " "));
    // Without strategies between them, lead-in and closing paragraphs
    // would read back as one run of lead-in.
    if (fa.strategies_size() == 0 && fa.closing_paragraphs_size() > 0) {
      attrs.emplace_back("lead", absl::StrCat(fa.strategy_paragraphs_size()));
    }
    Heading(3,
            fa.strategy_heading().empty() ? fa.title() : fa.strategy_heading(),
            attrs);
    if (fa.strategies_size() > 0 || fa.strategy_paragraphs_size() > 0 ||
        fa.closing_paragraphs_size() > 0) {
      Heading(4, markdown::kStrategy, {}, false);
      for (const std::string& p : fa.strategy_paragraphs()) Paragraph(p);
      for (const auto& s : fa.strategies()) {
        Item(s.text(), Ids(s.id()),
             s.number() > 0 ? absl::StrCat(s.number(), ". ") : "- ");
      }
      EndList();
      for (const std::string& p : fa.closing_paragraphs()) Paragraph(p);
    }
    ActionPlan(4, fa.action_items(), fa.success_criteria(), fa.id());
    bool details = false;
    for (const auto& s : fa.strategies()) details = details || HasDetails(s);
    if (!details) return;
    Heading(4, markdown::kPlanAndCriteria, {}, false);
    for (const auto& s : fa.strategies()) {
      if (!HasDetails(s)) continue;
      absl::string_view text =
          s.heading_text().empty() ? s.text() : s.heading_text();
      Heading(5,
              s.number() > 0 ? absl::StrCat("Ad ", s.number(), ". ", text)
                             : absl::StrCat("Ad: ", text),
              Ids(s.id()), false);
      for (const std::string& p : s.paragraphs()) Paragraph(p);
      ActionPlan(6, s.action_items(), s.success_criteria(), s.id());
    }
  }

  void ActionPlan(int level, const RepeatedPtrField<v1::ActionItem>& items,
                  const RepeatedPtrField<v1::SuccessCriterion>& criteria,
                  absl::string_view owner_id) {
    if (items.size() > 0) {
      Heading(level, markdown::kActionPlan, {}, false);
      for (const auto& item : items) {
        Item(item.text(), Ids(item.id()), "- ", item.label());
        ItemParagraphs(item.paragraphs());
      }
      EndList();
    }
    bool nested = false;
    for (const auto& item : items) {
      nested = nested || item.success_criteria_size() > 0;
    }
    if (!nested && criteria.empty()) return;
    Heading(level, markdown::kCriteria, {}, false);
    for (const auto& item : items) {
      for (const auto& c : item.success_criteria()) {
        Criterion(c, {{"id", c.id()}, {"of", item.id()}});
      }
    }
    for (const auto& c : criteria) {
      // A label that names an action item would attach it there on import.
      bool clashes = false;
      for (const auto& item : items) {
        clashes = clashes || (!c.label().empty() && item.label() == c.label());
      }
      Criterion(c,
                {{"id", c.id()}, {"of", clashes ? std::string(owner_id) : ""}});
    }
    EndList();
  }

  void Criterion(const v1::SuccessCriterion& c, const Attributes& attrs) {
    std::vector<std::string> parts = absl::StrSplit(c.text(), "\n\n");
    Item(parts[0], attrs, "- ", c.label());
    if (parts.size() > 1) {
      RepeatedPtrField<std::string> rest(parts.begin() + 1, parts.end());
      ItemParagraphs(rest);
    }
  }

  void Meeting(const v1::CitizenMeeting& m) {
    std::string heading = "Borgermøde";
    if (m.has_date()) {
      absl::StrAppend(&heading, " ", markdown::FormatDanishDate(m.date()));
    }
    if (!m.place().empty()) absl::StrAppend(&heading, ", ", m.place());
    if (m.participant_count() > 0) {
      absl::StrAppend(&heading, " (ca. ", m.participant_count(), " deltagere)");
    }
    Attributes attrs = Ids(m.id());
    if (m.has_date())
      attrs.emplace_back("date", markdown::FormatIsoDate(m.date()));
    attrs.emplace_back("place", m.place());
    if (m.participant_count() > 0) {
      attrs.emplace_back("participants", absl::StrCat(m.participant_count()));
    }
    markdown::AddEsdhAttributes(m.summary_document(), &attrs);
    Heading(3, heading, attrs);
    for (const std::string& p : m.paragraphs()) Paragraph(p);
    for (const auto& proposal : m.proposals()) {
      Item(proposal.text(),
           {{"id", proposal.id()},
            {"landed-in",
             absl::StrJoin(proposal.landed_in_element_ids(), " ")}});
      if (!proposal.landing_note().empty()) {
        Blank();
        absl::StrAppend(&out_, "  ", markdown::kLandingPrefix, " ",
                        markdown::EscapeTrailing(proposal.landing_note()),
                        "\n\n");
        in_list_ = false;
      }
    }
    EndList();
  }

  const MarkdownOptions& options_;
  std::string out_;
  bool in_list_ = false;
};

}  // namespace

std::string ExportMarkdown(const v1::Policy& policy,
                           const MarkdownOptions& options) {
  Writer w(options);
  w.Policy(policy);
  return w.Take();
}

}  // namespace kommune::policy
