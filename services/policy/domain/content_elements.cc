#include "services/policy/domain/content_elements.h"

#include <initializer_list>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "services/policy/domain/markdown_format.h"

namespace kommune::policy {
namespace {

using ::google::protobuf::RepeatedPtrField;

// Joins the non-empty parts with newlines.
class TextBuilder {
 public:
  TextBuilder& Add(absl::string_view part) {
    if (!part.empty()) parts_.emplace_back(part);
    return *this;
  }
  TextBuilder& AddAll(const RepeatedPtrField<std::string>& parts) {
    for (const std::string& p : parts) Add(p);
    return *this;
  }
  std::string Build() const { return absl::StrJoin(parts_, "\n"); }

 private:
  std::vector<std::string> parts_;
};

std::string Labelled(absl::string_view label, absl::string_view text) {
  return label.empty() ? std::string(text) : absl::StrCat(label, ") ", text);
}

std::string DateText(const common::v1::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

class Lister {
 public:
  std::vector<ContentElement> out;

  void Add(absl::string_view id, absl::string_view type, std::string path,
           absl::string_view parent_id, absl::string_view container,
           std::string text) {
    out.push_back(ContentElement{std::string(id), std::string(type),
                                 std::move(path), std::string(parent_id),
                                 std::string(container), std::move(text)});
  }

  void Criteria(const RepeatedPtrField<v1::SuccessCriterion>& criteria,
                const std::string& base, absl::string_view parent_id) {
    for (int i = 0; i < criteria.size(); ++i) {
      const auto& c = criteria[i];
      Add(c.id(), "success_criterion",
          absl::StrCat(base, "success_criteria[", i, "]"), parent_id,
          "success_criteria", Labelled(c.label(), c.text()));
    }
  }

  void Actions(const RepeatedPtrField<v1::ActionItem>& items,
               const std::string& base, absl::string_view parent_id) {
    for (int i = 0; i < items.size(); ++i) {
      const auto& a = items[i];
      std::string path = absl::StrCat(base, "action_items[", i, "]");
      Add(a.id(), "action_item", path, parent_id, "action_items",
          TextBuilder()
              .Add(Labelled(a.label(), a.text()))
              .AddAll(a.paragraphs())
              .Build());
      Criteria(a.success_criteria(), path + ".", a.id());
    }
  }

  void FocusArea(const v1::FocusArea& fa, const std::string& path) {
    TextBuilder t;
    t.Add(fa.title()).Add(fa.focus_text()).AddAll(fa.paragraphs());
    for (const auto& body : fa.responsible_committees()) {
      t.Add(body.display_name());
    }
    t.Add(fa.strategy_heading())
        .AddAll(fa.strategy_paragraphs())
        .AddAll(fa.closing_paragraphs());
    Add(fa.id(), "focus_area", path, "", "focus_areas", t.Build());
    for (int s = 0; s < fa.strategies_size(); ++s) {
      const auto& st = fa.strategies(s);
      std::string spath = absl::StrCat(path, ".strategies[", s, "]");
      Add(st.id(), "strategy", spath, fa.id(), "strategies",
          TextBuilder()
              .Add(st.number() > 0 ? absl::StrCat(st.number(), ". ", st.text())
                                   : st.text())
              .Add(st.heading_text())
              .AddAll(st.paragraphs())
              .Build());
      Actions(st.action_items(), spath + ".", st.id());
      Criteria(st.success_criteria(), spath + ".", st.id());
    }
    Actions(fa.action_items(), path + ".", fa.id());
    Criteria(fa.success_criteria(), path + ".", fa.id());
  }
};

}  // namespace

std::vector<ContentElement> ListElements(const v1::PolicyContent& content) {
  Lister l;
  if (content.intro_paragraphs_size() > 0) {
    l.Add("", "intro", "intro_paragraphs", "", "intro_paragraphs",
          TextBuilder().AddAll(content.intro_paragraphs()).Build());
  }
  for (int i = 0; i < content.vision_statements_size(); ++i) {
    const auto& v = content.vision_statements(i);
    l.Add(v.id(), "vision_statement",
          absl::StrCat("vision_statements[", i, "]"), "", "vision_statements",
          v.text());
  }
  for (int t = 0; t < content.objective_themes_size(); ++t) {
    const auto& theme = content.objective_themes(t);
    std::string path = absl::StrCat("objective_themes[", t, "]");
    l.Add(theme.id(), "objective_theme", path, "", "objective_themes",
          TextBuilder().Add(theme.title()).AddAll(theme.paragraphs()).Build());
    for (int o = 0; o < theme.objectives_size(); ++o) {
      l.Add(theme.objectives(o).id(), "objective",
            absl::StrCat(path, ".objectives[", o, "]"), theme.id(),
            "objectives", theme.objectives(o).text());
    }
  }
  for (int f = 0; f < content.focus_areas_size(); ++f) {
    l.FocusArea(content.focus_areas(f), absl::StrCat("focus_areas[", f, "]"));
  }
  for (int i = 0; i < content.budget_lines_size(); ++i) {
    const auto& b = content.budget_lines(i);
    l.Add(b.id(), "budget_line", absl::StrCat("budget_lines[", i, "]"), "",
          "budget_lines",
          TextBuilder()
              .Add(b.initiative())
              .Add(absl::StrCat(b.year(), ": ",
                                markdown::FormatMoney(b.amount().amount_ore()),
                                ", ", markdown::FundingWord(b.funding())))
              .Add(b.element_id())
              .Build());
  }
  for (int i = 0; i < content.attachments_size(); ++i) {
    const auto& a = content.attachments(i);
    l.Add(a.id(), "attachment", absl::StrCat("attachments[", i, "]"), "",
          "attachments",
          TextBuilder()
              .Add(a.title())
              .Add(a.document().case_number())
              .Add(a.document().document_number())
              .Build());
  }
  for (int m = 0; m < content.citizen_meetings_size(); ++m) {
    const auto& meeting = content.citizen_meetings(m);
    std::string path = absl::StrCat("citizen_meetings[", m, "]");
    l.Add(meeting.id(), "citizen_meeting", path, "", "citizen_meetings",
          TextBuilder()
              .Add(meeting.has_date() ? DateText(meeting.date()) : "")
              .Add(meeting.place())
              .Add(meeting.participant_count() > 0
                       ? absl::StrCat(meeting.participant_count(),
                                      " participants")
                       : "")
              .AddAll(meeting.paragraphs())
              .Build());
    for (int p = 0; p < meeting.proposals_size(); ++p) {
      const auto& proposal = meeting.proposals(p);
      l.Add(proposal.id(), "citizen_proposal",
            absl::StrCat(path, ".proposals[", p, "]"), meeting.id(),
            "proposals",
            TextBuilder()
                .Add(proposal.text())
                .Add(proposal.landing_note())
                .Add(absl::StrJoin(proposal.landed_in_element_ids(), " "))
                .Build());
    }
  }
  for (int i = 0; i < content.extra_sections_size(); ++i) {
    const auto& s = content.extra_sections(i);
    l.Add(s.id(), "section", absl::StrCat("extra_sections[", i, "]"), "",
          "extra_sections",
          TextBuilder().Add(s.heading()).AddAll(s.paragraphs()).Build());
  }
  return std::move(l.out);
}

}  // namespace kommune::policy
