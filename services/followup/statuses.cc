// FollowUpManager: status, roll-up and the recompute that announces
// changes.
#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/time_zone.h"
#include "services/common/validation.h"
#include "services/followup/followup_manager.h"
#include "services/followup/followup_requests.h"
#include "services/followup/status_rollup.h"
#include "services/followup/status_rules.h"

namespace kommune::followup {
namespace {

// A status is news when it differs from the one last announced; a new
// indicator without data is not.
bool Changed(const v1::IndicatorStatus* last, const v1::IndicatorStatus& now) {
  if (last == nullptr) return now.status() != v1::STATUS_NO_DATA;
  return last->status() != now.status();
}

}  // namespace

absl::StatusOr<std::vector<v1::IndicatorStatus>>
FollowUpManager::RefreshStatuses(Transaction& tx,
                                 const std::string& municipality,
                                 const std::vector<v1::Indicator>& indicators,
                                 absl::CivilDay as_of,
                                 const std::string& actor) {
  std::vector<v1::IndicatorStatus> changed;
  if (indicators.empty()) return changed;
  auto last = store_->LastStatuses(tx, municipality);
  if (!last.ok()) return last.status();
  // One query for the whole municipality when many indicators are judged.
  std::map<std::string, std::vector<CurrentValue>> all;
  bool bulk = indicators.size() > 20;
  if (bulk) {
    auto loaded = store_->CurrentValues(tx, municipality);
    if (!loaded.ok()) return loaded.status();
    all = *std::move(loaded);
  }
  for (const v1::Indicator& indicator : indicators) {
    std::vector<CurrentValue> own;
    const std::vector<CurrentValue>* values = &own;
    if (bulk) {
      auto it = all.find(indicator.name());
      if (it != all.end()) values = &it->second;
    } else {
      auto loaded = store_->CurrentValues(tx, municipality, indicator.name());
      if (!loaded.ok()) return loaded.status();
      own = std::move((*loaded)[indicator.name()]);
    }
    v1::IndicatorStatus status =
        EvaluateStatus(indicator, ToPoints(indicator, *values), as_of);
    auto it = last->find(indicator.name());
    const v1::IndicatorStatus* previous =
        it == last->end() ? nullptr : &it->second;
    if (previous != nullptr && previous->status() == status.status()) continue;
    if (auto s = store_->SaveStatus(tx, municipality, status); !s.ok()) {
      return s;
    }
    if (!Changed(previous, status)) continue;
    auto appended = store_->events().Append(
        tx, NewEvent{municipality, "indicator.status_changed", indicator.name(),
                     actor, &status});
    if (!appended.ok()) return appended.status();
    changed.push_back(std::move(status));
  }
  return changed;
}

absl::StatusOr<std::vector<FollowUpManager::Judged>> FollowUpManager::JudgeAll(
    const std::string& municipality, const std::string& policy,
    absl::CivilDay as_of) {
  std::vector<Judged> out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    out.clear();
    auto indicators = store_->AllIndicators(tx, municipality, policy);
    if (!indicators.ok()) return indicators.status();
    auto values = store_->CurrentValues(tx, municipality);
    if (!values.ok()) return values.status();
    static const std::vector<CurrentValue> kNone;
    out.reserve(indicators->size());
    for (v1::Indicator& indicator : *indicators) {
      auto it = values->find(indicator.name());
      Judged j;
      j.points = ToPoints(indicator, it == values->end() ? kNone : it->second);
      j.status = EvaluateStatus(indicator, j.points, as_of);
      j.indicator = std::move(indicator);
      out.push_back(std::move(j));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::IndicatorStatus> FollowUpManager::GetStatus(
    const Identity& caller, const v1::GetIndicatorStatusRequest& request) {
  absl::StatusOr<LocalName> ref = ParseIndicatorName(request.name(), "name");
  if (!ref.ok()) return ref.status();
  if (auto s = CheckInsider(caller, ref->municipality, "name"); !s.ok()) {
    return s;
  }
  absl::StatusOr<absl::CivilDay> as_of = AsOf(request.as_of(), "as_of");
  if (!as_of.ok()) return as_of.status();
  v1::IndicatorStatus out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto indicator = store_->GetIndicator(tx, request.name());
    if (!indicator.ok()) return indicator.status();
    if (!indicator->has_value()) {
      return absl::NotFoundError(
          absl::StrCat("name: ", request.name(), " does not exist"));
    }
    auto values = store_->CurrentValues(tx, ref->municipality, request.name());
    if (!values.ok()) return values.status();
    out = EvaluateStatus(
        **indicator, ToPoints(**indicator, (*values)[request.name()]), *as_of);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::SummarizeStatusesResponse> FollowUpManager::Summarize(
    const Identity& caller, const v1::SummarizeStatusesRequest& request) {
  absl::StatusOr<std::string> municipality =
      ParseParent(request.parent(), "parent");
  if (!municipality.ok()) return municipality.status();
  if (auto s = CheckInsider(caller, *municipality, "parent"); !s.ok()) return s;
  if (!request.policy_name().empty()) {
    absl::StatusOr<std::string> code =
        ParsePolicyName(request.policy_name(), "policy_name");
    if (!code.ok()) return code.status();
    if (*code != *municipality) {
      return absl::InvalidArgumentError(
          absl::StrCat("policy_name: belongs to municipality ", *code,
                       ", not to ", request.parent()));
    }
  }
  if (!v1::StatusGrouping_IsValid(request.grouping())) {
    return absl::InvalidArgumentError("grouping: not a known grouping");
  }
  absl::StatusOr<absl::CivilDay> as_of = AsOf(request.as_of(), "as_of");
  if (!as_of.ok()) return as_of.status();
  auto judged = JudgeAll(*municipality, request.policy_name(), *as_of);
  if (!judged.ok()) return judged.status();
  std::vector<RollupItem> items;
  v1::SummarizeStatusesResponse out;
  out.mutable_totals()->set_key(
      request.policy_name().empty() ? request.parent() : request.policy_name());
  for (const Judged& j : *judged) {
    v1::Status s = j.status.status();
    CountStatus(s, out.mutable_totals());
    switch (request.grouping()) {
      case v1::STATUS_GROUPING_COMMITTEE: {
        const std::string& committee =
            j.indicator.owner_committee().display_name();
        items.push_back(
            {committee.empty() ? "-" : committee,
             committee.empty() ? "Intet ansvarligt udvalg" : committee, s});
        break;
      }
      case v1::STATUS_GROUPING_FOCUS_AREA: {
        std::set<std::string> seen;
        for (const v1::CriterionReference& c : j.indicator.criteria()) {
          if (!request.policy_name().empty() &&
              c.policy_name() != request.policy_name()) {
            continue;
          }
          std::string key =
              absl::StrCat(c.policy_name(), "#", c.focus_area_id());
          if (!seen.insert(key).second) continue;
          items.push_back({key, c.focus_area_title(), s});
        }
        break;
      }
      default: {
        std::set<std::string> seen;
        for (const v1::CriterionReference& c : j.indicator.criteria()) {
          if (!request.policy_name().empty() &&
              c.policy_name() != request.policy_name()) {
            continue;
          }
          if (!seen.insert(c.policy_name()).second) continue;
          items.push_back({c.policy_name(), c.policy_name(), s});
        }
        break;
      }
    }
  }
  for (v1::StatusCounts& group : RollUp(items)) {
    *out.add_groups() = std::move(group);
  }
  return out;
}

absl::StatusOr<v1::RecomputeStatusesResponse> FollowUpManager::Recompute(
    const Identity& caller, const v1::RecomputeStatusesRequest& request) {
  absl::StatusOr<std::string> municipality =
      ParseParent(request.parent(), "parent");
  if (!municipality.ok()) return municipality.status();
  if (auto s = CheckAnalyst(caller, *municipality, "parent"); !s.ok()) return s;
  absl::StatusOr<absl::CivilDay> as_of = AsOf(request.as_of(), "as_of");
  if (!as_of.ok()) return as_of.status();
  v1::RecomputeStatusesResponse out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        out.Clear();
        auto indicators = store_->AllIndicators(tx, *municipality);
        if (!indicators.ok()) return indicators.status();
        auto changed = RefreshStatuses(tx, *municipality, *indicators, *as_of,
                                       caller.subject);
        if (!changed.ok()) return changed.status();
        out.set_indicator_count(static_cast<int32_t>(indicators->size()));
        for (v1::IndicatorStatus& s : *changed)
          *out.add_changed() = std::move(s);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return out;
}

absl::Status FollowUpManager::RecomputeAll() {
  absl::StatusOr<absl::CivilDay> today = CopenhagenDay(Now());
  if (!today.ok()) return today.status();
  std::vector<std::string> municipalities;
  if (auto s = store_->db().Read([&](Transaction& tx) -> absl::Status {
        auto codes = store_->Municipalities(tx);
        if (!codes.ok()) return codes.status();
        municipalities = *std::move(codes);
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  // One transaction per municipality keeps each short.
  for (const std::string& code : municipalities) {
    if (auto s = store_->db().Write([&](Transaction& tx) -> absl::Status {
          auto indicators = store_->AllIndicators(tx, code);
          if (!indicators.ok()) return indicators.status();
          return RefreshStatuses(tx, code, *indicators, *today,
                                 "followup_server")
              .status();
        });
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace kommune::followup
