#include "services/policy/domain/content_ids.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "services/common/resource_name.h"
#include "services/policy/domain/content_elements.h"
#include "services/policy/domain/text_checks.h"

namespace kommune::policy {
namespace {

using ::google::protobuf::RepeatedPtrField;

class IdAssigner {
 public:
  explicit IdAssigner(const v1::PolicyContent& content) {
    for (const ContentElement& e : ListElements(content)) {
      if (!e.id.empty()) taken_.insert(e.id);
    }
  }

  // Sets *id to "<prefix><n>" for the first free n >= natural, when empty.
  void Fill(std::string* id, absl::string_view prefix, int natural) {
    if (!id->empty()) return;
    for (int n = natural;; ++n) {
      std::string candidate = absl::StrCat(prefix, n);
      if (taken_.insert(candidate).second) {
        *id = std::move(candidate);
        return;
      }
    }
  }

  // Items and their criteria; the criteria counter runs on into the
  // strategy's own criteria.
  void Actions(RepeatedPtrField<v1::ActionItem>* items,
               const std::string& suffix, int* criterion) {
    for (int k = 0; k < items->size(); ++k) {
      v1::ActionItem* item = items->Mutable(k);
      Fill(item->mutable_id(), absl::StrCat("action-", suffix, "-"), k + 1);
      Criteria(item->mutable_success_criteria(), suffix, criterion);
    }
  }

  void Criteria(RepeatedPtrField<v1::SuccessCriterion>* criteria,
                const std::string& suffix, int* criterion) {
    for (v1::SuccessCriterion& c : *criteria) {
      Fill(c.mutable_id(), absl::StrCat("criterion-", suffix, "-"),
           ++*criterion);
    }
  }

 private:
  absl::flat_hash_set<std::string> taken_;
};

// Field path of every element id, for messages and reference checks.
struct IdIndex {
  absl::flat_hash_map<std::string, std::string> path_by_id;
  absl::flat_hash_set<std::string> focus_area_ids;
};

absl::Status CheckReference(const IdIndex& index, absl::string_view id,
                            const std::string& path) {
  if (index.path_by_id.contains(std::string(id))) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": no element has the id '", id.substr(0, 63), "'"));
}

absl::Status CheckReferences(const v1::PolicyContent& content,
                             const IdIndex& index, const std::string& base) {
  for (int f = 0; f < content.focus_areas_size(); ++f) {
    const auto& fa = content.focus_areas(f);
    for (int j = 0; j < fa.joined_focus_area_ids_size(); ++j) {
      std::string path = absl::StrCat(base, ".focus_areas[", f,
                                      "].joined_focus_area_ids[", j, "]");
      const std::string& id = fa.joined_focus_area_ids(j);
      if (!index.focus_area_ids.contains(id) || id == fa.id()) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": '", id.substr(0, 63), "' is not another focus area"));
      }
    }
    for (int s = 0; s < fa.strategies_size(); ++s) {
      if (fa.strategies(s).number() < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(base, ".focus_areas[", f, "].strategies[", s,
                         "].number: must not be negative"));
      }
    }
  }
  for (int i = 0; i < content.budget_lines_size(); ++i) {
    const auto& b = content.budget_lines(i);
    std::string path = absl::StrCat(base, ".budget_lines[", i, "]");
    if (!b.element_id().empty()) {
      absl::Status s =
          CheckReference(index, b.element_id(), path + ".element_id");
      if (!s.ok()) return s;
    }
    if (b.year() < 1900 || b.year() > 2200) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".year: ", b.year(), " is not a budget year"));
    }
    if (b.funding() == v1::BudgetLine::FUNDING_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".funding: is required"));
    }
  }
  for (int m = 0; m < content.citizen_meetings_size(); ++m) {
    const auto& meeting = content.citizen_meetings(m);
    std::string path = absl::StrCat(base, ".citizen_meetings[", m, "]");
    if (meeting.participant_count() < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".participant_count: must not be negative"));
    }
    for (int p = 0; p < meeting.proposals_size(); ++p) {
      const auto& ids = meeting.proposals(p).landed_in_element_ids();
      for (int j = 0; j < ids.size(); ++j) {
        absl::Status s =
            CheckReference(index, ids[j],
                           absl::StrCat(path, ".proposals[", p,
                                        "].landed_in_element_ids[", j, "]"));
        if (!s.ok()) return s;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

void AssignMissingIds(v1::PolicyContent* content) {
  IdAssigner ids(*content);
  for (int i = 0; i < content->vision_statements_size(); ++i) {
    ids.Fill(content->mutable_vision_statements(i)->mutable_id(), "vision-",
             i + 1);
  }
  for (int t = 0; t < content->objective_themes_size(); ++t) {
    v1::ObjectiveTheme* theme = content->mutable_objective_themes(t);
    ids.Fill(theme->mutable_id(), "theme-", t + 1);
    for (int o = 0; o < theme->objectives_size(); ++o) {
      ids.Fill(theme->mutable_objectives(o)->mutable_id(),
               absl::StrCat("objective-", t + 1, "-"), o + 1);
    }
  }
  for (int f = 0; f < content->focus_areas_size(); ++f) {
    v1::FocusArea* fa = content->mutable_focus_areas(f);
    ids.Fill(fa->mutable_id(), "focus-area-", f + 1);
    for (int s = 0; s < fa->strategies_size(); ++s) {
      v1::Strategy* st = fa->mutable_strategies(s);
      std::string suffix = absl::StrCat(f + 1, "-", s + 1);
      ids.Fill(st->mutable_id(), absl::StrCat("strategy-", f + 1, "-"), s + 1);
      int criterion = 0;
      ids.Actions(st->mutable_action_items(), suffix, &criterion);
      ids.Criteria(st->mutable_success_criteria(), suffix, &criterion);
    }
    int criterion = 0;
    std::string suffix = absl::StrCat(f + 1);
    ids.Actions(fa->mutable_action_items(), suffix, &criterion);
    ids.Criteria(fa->mutable_success_criteria(), suffix, &criterion);
  }
  for (int i = 0; i < content->budget_lines_size(); ++i) {
    ids.Fill(content->mutable_budget_lines(i)->mutable_id(), "budget-", i + 1);
  }
  for (int i = 0; i < content->attachments_size(); ++i) {
    ids.Fill(content->mutable_attachments(i)->mutable_id(), "attachment-",
             i + 1);
  }
  for (int m = 0; m < content->citizen_meetings_size(); ++m) {
    v1::CitizenMeeting* meeting = content->mutable_citizen_meetings(m);
    ids.Fill(meeting->mutable_id(), "meeting-", m + 1);
    for (int p = 0; p < meeting->proposals_size(); ++p) {
      ids.Fill(meeting->mutable_proposals(p)->mutable_id(),
               absl::StrCat("proposal-", m + 1, "-"), p + 1);
    }
  }
  for (int i = 0; i < content->extra_sections_size(); ++i) {
    ids.Fill(content->mutable_extra_sections(i)->mutable_id(), "section-",
             i + 1);
  }
}

absl::Status ValidateContent(const v1::PolicyContent& content,
                             absl::string_view field) {
  std::string base(field);
  absl::Status text = CheckMessageText(content, base);
  if (!text.ok()) return text;

  IdIndex index;
  for (const ContentElement& e : ListElements(content)) {
    if (e.type == "intro") continue;
    std::string path = absl::StrCat(base, ".", e.path, ".id");
    if (e.id.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": is required"));
    }
    if (e.id.size() > 63) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": longer than 63 characters (AIP-122 resource id)"));
    }
    absl::Status s = ValidateResourceId(e.id, path);
    if (!s.ok()) return s;
    auto [it, inserted] = index.path_by_id.emplace(e.id, path);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": duplicate id '", e.id, "' (also ", it->second, ")"));
    }
    if (e.type == "focus_area") index.focus_area_ids.insert(e.id);
  }
  return CheckReferences(content, index, base);
}

}  // namespace kommune::policy
