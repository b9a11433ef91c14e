// FollowUpManager: reporting rounds and what is still missing in them.
#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/page_token.h"
#include "services/common/resource_name.h"
#include "services/common/validation.h"
#include "services/followup/followup_manager.h"
#include "services/followup/followup_requests.h"

namespace kommune::followup {
namespace {

// A round's period may be a year, a quarter or a month.
absl::StatusOr<Period> ParseRoundPeriod(absl::string_view text) {
  for (v1::ReportingPeriod kind :
       {v1::REPORTING_PERIOD_YEAR, v1::REPORTING_PERIOD_QUARTER,
        v1::REPORTING_PERIOD_MONTH}) {
    absl::StatusOr<Period> p =
        ParsePeriod(text, kind, "reporting_round.period");
    if (p.ok()) return p;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "reporting_round.period: \"", text,
      "\" is not a period; expected \"2009\", \"2009-Q4\" or \"2009-12\""));
}

google::protobuf::Timestamp Timestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

}  // namespace

absl::StatusOr<v1::ReportingRound> FollowUpManager::CreateRound(
    const Identity& caller, const v1::CreateReportingRoundRequest& request) {
  absl::StatusOr<std::string> municipality =
      ParseParent(request.parent(), "parent");
  if (!municipality.ok()) return municipality.status();
  if (auto s = CheckAnalyst(caller, *municipality, "parent"); !s.ok()) return s;
  if (auto s = ValidateResourceId(request.reporting_round_id(),
                                  "reporting_round_id");
      !s.ok()) {
    return s;
  }
  v1::ReportingRound round = request.reporting_round();
  if (auto s = ValidateText(round.display_name(),
                            "reporting_round.display_name", true, 500);
      !s.ok()) {
    return s;
  }
  if (auto p = ParseRoundPeriod(round.period()); !p.ok()) return p.status();
  if (round.deadlines_size() == 0 || round.deadlines_size() > 100) {
    return absl::InvalidArgumentError(
        "reporting_round.deadlines: give 1 to 100 committees with their "
        "deadlines");
  }
  std::set<std::string> committees;
  for (int i = 0; i < round.deadlines_size(); ++i) {
    std::string f = absl::StrCat("reporting_round.deadlines[", i, "]");
    const v1::CommitteeDeadline& d = round.deadlines(i);
    if (auto s = ValidateText(d.committee().display_name(),
                              f + ".committee.display_name", true, 500);
        !s.ok()) {
      return s;
    }
    if (!committees.insert(d.committee().display_name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(f, ".committee.display_name: \"",
                       d.committee().display_name(), "\" is named twice"));
    }
    if (auto s = ValidateDate(d.deadline(), f + ".deadline", true); !s.ok()) {
      return s;
    }
  }
  round.set_name(absl::StrCat(request.parent(), "/reportingRounds/",
                              request.reporting_round_id()));
  *round.mutable_create_time() = Timestamp(Now());
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        if (auto s = store_->InsertRound(tx, *municipality,
                                         request.reporting_round_id(), round);
            !s.ok()) {
          return s;
        }
        return store_->events()
            .Append(tx, NewEvent{*municipality, "reporting_round.created",
                                 round.name(), caller.subject, &round})
            .status();
      });
  if (!status.ok()) return status;
  return round;
}

absl::StatusOr<v1::ReportingRound> FollowUpManager::GetRound(
    const Identity& caller, const v1::GetReportingRoundRequest& request) {
  absl::StatusOr<LocalName> ref = ParseRoundName(request.name(), "name");
  if (!ref.ok()) return ref.status();
  if (auto s = CheckInsider(caller, ref->municipality, "name"); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::optional<v1::ReportingRound>> found = ReadInTransaction(
      store_->db(),
      [&](Transaction& tx) { return store_->GetRound(tx, request.name()); });
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("name: ", request.name(), " does not exist"));
  }
  return **std::move(found);
}

absl::StatusOr<v1::ListReportingRoundsResponse> FollowUpManager::ListRounds(
    const Identity& caller, const v1::ListReportingRoundsRequest& request) {
  absl::StatusOr<std::string> municipality =
      ParseParent(request.parent(), "parent");
  if (!municipality.ok()) return municipality.status();
  if (auto s = CheckInsider(caller, *municipality, "parent"); !s.ok()) return s;
  absl::StatusOr<int> size = PageSize(request.page_size(), 50, 500);
  if (!size.ok()) return size.status();
  std::string scope = absl::StrCat("rounds:", request.parent());
  std::string after;
  if (!request.page_token().empty()) {
    auto position = ReadPageToken(request.page_token(), scope);
    if (!position.ok()) return position.status();
    after = *position;
  }
  v1::ListReportingRoundsResponse out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto page = store_->ListRounds(tx, *municipality, after, *size + 1);
    if (!page.ok()) return page.status();
    int n = std::min<int>(*size, static_cast<int>(page->size()));
    for (int i = 0; i < n; ++i) *out.add_reporting_rounds() = (*page)[i];
    if (static_cast<int>(page->size()) > *size) {
      auto last = ParseRoundName((*page)[n - 1].name(), "name");
      if (!last.ok()) return last.status();
      out.set_next_page_token(MakePageToken(scope, last->id));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::ListMissingMeasurementsResponse>
FollowUpManager::ListMissing(
    const Identity& caller, const v1::ListMissingMeasurementsRequest& request) {
  absl::StatusOr<v1::ReportingRound> round = GetRound(caller, [&] {
    v1::GetReportingRoundRequest get;
    get.set_name(request.name());
    return get;
  }());
  if (!round.ok()) return round.status();
  absl::StatusOr<LocalName> ref = ParseRoundName(request.name(), "name");
  if (!ref.ok()) return ref.status();
  absl::StatusOr<absl::CivilDay> as_of = AsOf(request.as_of(), "as_of");
  if (!as_of.ok()) return as_of.status();
  absl::StatusOr<Period> period = ParseRoundPeriod(round->period());
  if (!period.ok()) return period.status();
  v1::ListMissingMeasurementsResponse out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto indicators = store_->AllIndicators(tx, ref->municipality);
    if (!indicators.ok()) return indicators.status();
    auto values = store_->CurrentMeasurements(tx, ref->municipality);
    if (!values.ok()) return values.status();
    for (const v1::CommitteeDeadline& d : round->deadlines()) {
      for (const v1::Indicator& in : *indicators) {
        if (in.owner_committee().display_name() !=
            d.committee().display_name()) {
          continue;
        }
        // The indicator's own period holding the round's last day.
        Period due = PeriodContaining(period->last_day, in.reporting_period());
        // A period outside the follow-up period can never be recorded
        // (Resolve refuses it), so it is not owed either.
        if (due.last_day <
                kommune::ToCivilDay(in.follow_up_period().start_date()) ||
            due.first_day >
                kommune::ToCivilDay(in.follow_up_period().end_date())) {
          continue;
        }
        const auto& own = (*values)[in.name()];
        bool has = std::any_of(
            own.begin(), own.end(), [&](const StoredMeasurement& m) {
              return m.measurement.period() == due.key &&
                     m.measurement.series() != v1::SERIES_REFERENCE_GROUP;
            });
        if (has) continue;
        v1::MissingMeasurement* m = out.add_missing();
        m->set_indicator_name(in.name());
        m->set_display_name(in.display_name());
        m->set_period(due.key);
        *m->mutable_committee() = d.committee();
        *m->mutable_deadline() = d.deadline();
        m->set_overdue(*as_of > kommune::ToCivilDay(d.deadline()));
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace kommune::followup
