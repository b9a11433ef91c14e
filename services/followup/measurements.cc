// FollowUpManager: recording, listing and importing measurements.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "services/common/fingerprint.h"
#include "services/common/page_token.h"
#include "services/common/time_zone.h"
#include "services/common/validation.h"
#include "services/followup/followup_manager.h"
#include "services/followup/followup_requests.h"
#include "services/followup/measurement_csv.h"

namespace kommune::followup {
namespace {

constexpr int kMaxBatch = 10000;
constexpr size_t kMaxNoteBytes = 4000;
// Errors quoted in an import's refusal; the rest are counted.
constexpr size_t kQuotedRowErrors = 5;
// Errors listed in an import's answer with skip_bad_rows.
constexpr size_t kListedRowErrors = 1000;

google::protobuf::Timestamp Timestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  int64_t micros = absl::ToUnixMicros(t);
  ts.set_seconds(micros / 1000000);
  ts.set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  return ts;
}

absl::Status Invalid(const std::string& field, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", message));
}

std::string SeriesName(v1::Series series) {
  return series == v1::SERIES_REFERENCE_GROUP ? "reference-group"
                                              : "target-group";
}

// Loads the named indicators; missing ones are simply absent.
absl::StatusOr<std::map<std::string, v1::Indicator>> LoadIndicators(
    FollowUpStore& store, Transaction& tx, const std::set<std::string>& names) {
  std::map<std::string, v1::Indicator> out;
  for (const std::string& name : names) {
    auto got = store.GetIndicator(tx, name);
    if (!got.ok()) return got.status();
    if (got->has_value()) out.emplace(name, **got);
  }
  return out;
}

}  // namespace

std::vector<MeasurementPoint> ToPoints(
    const v1::Indicator& indicator, const std::vector<CurrentValue>& values) {
  std::vector<MeasurementPoint> points;
  points.reserve(values.size());
  // Values come a period at a time (a parity indicator's two series share
  // one), so the period is computed once per change of index.
  Period period;
  bool have_period = false;
  for (const CurrentValue& v : values) {
    if (!have_period || period.index != v.period_index) {
      period = PeriodAt(v.period_index, indicator.reporting_period());
      have_period = true;
    }
    MeasurementPoint p;
    p.period = period;
    p.series = v.series == v1::SERIES_REFERENCE_GROUP
                   ? v1::SERIES_REFERENCE_GROUP
                   : v1::SERIES_TARGET_GROUP;
    p.value = v.value;
    p.assessed_status = v.assessed_status;
    p.note = v.note;
    points.push_back(std::move(p));
  }
  return points;
}

absl::StatusOr<FollowUpManager::PendingMeasurement> FollowUpManager::Resolve(
    const v1::Indicator& indicator, const v1::Measurement& m,
    const std::string& field) const {
  absl::StatusOr<Period> period =
      ParsePeriod(m.period(), indicator.reporting_period(), field + ".period");
  if (!period.ok()) return period.status();
  absl::CivilDay start =
      kommune::ToCivilDay(indicator.follow_up_period().start_date());
  absl::CivilDay end =
      kommune::ToCivilDay(indicator.follow_up_period().end_date());
  if (period->last_day < start || period->first_day > end) {
    return Invalid(field + ".period",
                   absl::StrCat("\"", m.period(),
                                "\" is outside the indicator's follow-up "
                                "period ",
                                absl::FormatCivilTime(start), " to ",
                                absl::FormatCivilTime(end)));
  }
  v1::Series series = m.series() == v1::SERIES_UNSPECIFIED
                          ? v1::SERIES_TARGET_GROUP
                          : m.series();
  if (!v1::Series_IsValid(series)) {
    return Invalid(field + ".series", "is not a known series");
  }
  if (series == v1::SERIES_REFERENCE_GROUP &&
      indicator.kind() != v1::INDICATOR_KIND_PARITY) {
    return Invalid(field + ".series",
                   "only parity indicators have a reference group");
  }
  if (auto s = ValidateText(m.source(), field + ".source", false, 1000);
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateText(m.note(), field + ".note", false, kMaxNoteBytes);
      !s.ok()) {
    return s;
  }
  double value = m.value();
  v1::Status assessed = v1::STATUS_UNSPECIFIED;
  if (indicator.kind() == v1::INDICATOR_KIND_QUALITATIVE) {
    assessed = m.assessment().status();
    if (assessed == v1::STATUS_UNSPECIFIED || assessed == v1::STATUS_NO_DATA ||
        !v1::Status_IsValid(assessed)) {
      return Invalid(field + ".assessment.status",
                     "a qualitative indicator needs a person's status "
                     "(achieved, on track, at risk, off track or missed)");
    }
    if (auto s = ValidateText(m.assessment().note(), field + ".assessment.note",
                              true, kMaxNoteBytes);
        !s.ok()) {
      return s;
    }
    value = 0;
  } else {
    if (!std::isfinite(value)) {
      return Invalid(field + ".value", "must be a finite number");
    }
    switch (indicator.kind()) {
      case v1::INDICATOR_KIND_SHARE_AT_LEAST:
        if (value < 0 || value > 100) {
          return Invalid(field + ".value",
                         absl::StrCat("a share is 0 to 100 %, not ", value));
        }
        break;
      case v1::INDICATOR_KIND_MILESTONE:
        if (value != 0 && value != 1) {
          return Invalid(field + ".value",
                         "a milestone is 1 (done) or 0 (not done)");
        }
        break;
      case v1::INDICATOR_KIND_COUNT_BY_DEADLINE:
      case v1::INDICATOR_KIND_RATE_PER_PERIOD:
        if (value < 0) {
          return Invalid(field + ".value", "a count is never negative");
        }
        break;
      default:
        break;
    }
  }
  PendingMeasurement out{&indicator, *period, {}, field};
  v1::Measurement& stored = out.measurement;
  stored.set_period(period->key);
  stored.set_series(series);
  stored.set_value(value);
  stored.set_source(m.source());
  stored.set_note(m.note());
  if (assessed != v1::STATUS_UNSPECIFIED) {
    stored.mutable_assessment()->set_status(assessed);
    stored.mutable_assessment()->set_note(m.assessment().note());
    stored.set_note(m.assessment().note());
  }
  return out;
}

absl::Status FollowUpManager::StoreMeasurements(
    Transaction& tx, const Identity& caller, const std::string& municipality,
    std::vector<PendingMeasurement>& pending,
    v1::BatchRecordMeasurementsResponse* out) {
  std::set<std::string> names;
  for (const PendingMeasurement& p : pending) names.insert(p.indicator->name());
  auto versions = store_->CurrentVersions(
      tx, std::vector<std::string>(names.begin(), names.end()));
  if (!versions.ok()) return versions.status();
  absl::Time now = Now();
  google::protobuf::Timestamp created = Timestamp(now);
  std::map<std::string, v1::ListMeasurementsResponse> per_indicator;
  std::map<std::string, const v1::Indicator*> touched;
  for (PendingMeasurement& p : pending) {
    const std::string& indicator = p.indicator->name();
    SeriesKey key{p.measurement.period(), p.measurement.series()};
    int& version = (*versions)[{indicator, key}];
    if (version > 0) {
      if (auto s = store_->Supersede(tx, indicator, key, version, now);
          !s.ok()) {
        return s;
      }
    }
    ++version;
    StoredMeasurement m{indicator, p.period.index, p.measurement};
    m.measurement.set_version(version);
    m.measurement.set_entered_by(caller.subject);
    *m.measurement.mutable_create_time() = created;
    m.measurement.set_name(absl::StrCat(indicator, "/measurements/",
                                        p.period.key, "-",
                                        SeriesName(p.measurement.series())));
    if (auto s = store_->InsertMeasurement(tx, m); !s.ok()) return s;
    *per_indicator[indicator].add_measurements() = m.measurement;
    touched[indicator] = p.indicator;
    if (out != nullptr) *out->add_measurements() = std::move(m.measurement);
  }
  // One event per indicator and batch, with the values recorded.
  for (const auto& [indicator, recorded] : per_indicator) {
    auto appended = store_->events().Append(
        tx, NewEvent{municipality, "measurements.recorded", indicator,
                     caller.subject, &recorded});
    if (!appended.ok()) return appended.status();
  }
  std::vector<v1::Indicator> indicators;
  indicators.reserve(touched.size());
  for (const auto& [name, indicator] : touched)
    indicators.push_back(*indicator);
  absl::StatusOr<absl::CivilDay> today = CopenhagenDay(now);
  if (!today.ok()) return today.status();
  return RefreshStatuses(tx, municipality, indicators, *today, caller.subject)
      .status();
}

absl::StatusOr<v1::BatchRecordMeasurementsResponse> FollowUpManager::Record(
    const Identity& caller, const v1::BatchRecordMeasurementsRequest& request) {
  absl::StatusOr<std::string> municipality =
      ParseParent(request.parent(), "parent");
  if (!municipality.ok()) return municipality.status();
  if (auto s = CheckAnalyst(caller, *municipality, "parent"); !s.ok()) return s;
  if (request.requests_size() == 0) {
    return absl::InvalidArgumentError("requests: give at least one value");
  }
  if (request.requests_size() > kMaxBatch) {
    return absl::InvalidArgumentError(
        absl::StrCat("requests: at most ", kMaxBatch, " values per call, not ",
                     request.requests_size(),
                     "; split the batch or use "
                     "ImportMeasurements"));
  }
  std::set<std::string> names;
  for (int i = 0; i < request.requests_size(); ++i) {
    std::string field = absl::StrCat("requests[", i, "].indicator_name");
    absl::StatusOr<LocalName> ref =
        ParseIndicatorName(request.requests(i).indicator_name(), field);
    if (!ref.ok()) return ref.status();
    if (ref->municipality != *municipality) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": belongs to municipality ", ref->municipality,
                       ", not to ", request.parent()));
    }
    names.insert(request.requests(i).indicator_name());
  }
  std::string fingerprint = Fingerprint(request);
  v1::BatchRecordMeasurementsResponse out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        out.Clear();
        auto replayed = store_->requests().Replay(
            tx, *municipality, request.request_id(), fingerprint, &out);
        if (!replayed.ok()) return replayed.status();
        if (*replayed) return absl::OkStatus();
        auto indicators = LoadIndicators(*store_, tx, names);
        if (!indicators.ok()) return indicators.status();
        std::vector<PendingMeasurement> pending;
        pending.reserve(request.requests_size());
        for (int i = 0; i < request.requests_size(); ++i) {
          const v1::RecordMeasurementRequest& r = request.requests(i);
          auto it = indicators->find(r.indicator_name());
          if (it == indicators->end()) {
            return absl::NotFoundError(absl::StrCat(
                "requests[", i, "].indicator_name: ", r.indicator_name(),
                " does not exist"));
          }
          auto resolved =
              Resolve(it->second, r.measurement(),
                      absl::StrCat("requests[", i, "].measurement"));
          if (!resolved.ok()) return resolved.status();
          pending.push_back(*std::move(resolved));
        }
        if (auto s =
                StoreMeasurements(tx, caller, *municipality, pending, &out);
            !s.ok()) {
          return s;
        }
        return store_->requests().Save(tx, *municipality, request.request_id(),
                                       fingerprint, out);
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::ListMeasurementsResponse> FollowUpManager::ListMeasurements(
    const Identity& caller, const v1::ListMeasurementsRequest& request) {
  absl::StatusOr<LocalName> ref =
      ParseIndicatorName(request.parent(), "parent");
  if (!ref.ok()) return ref.status();
  if (auto s = CheckInsider(caller, ref->municipality, "parent"); !s.ok()) {
    return s;
  }
  absl::StatusOr<int> size = PageSize(request.page_size(), 200, 5000);
  if (!size.ok()) return size.status();
  std::string scope = absl::StrCat("measurements:", request.parent(), ":",
                                   request.show_superseded());
  std::string after;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> position =
        ReadPageToken(request.page_token(), scope);
    if (!position.ok()) return position.status();
    after = *position;
  }
  v1::ListMeasurementsResponse out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto indicator = store_->GetIndicator(tx, request.parent());
    if (!indicator.ok()) return indicator.status();
    if (!indicator->has_value()) {
      return absl::NotFoundError(
          absl::StrCat("parent: ", request.parent(), " does not exist"));
    }
    auto page = store_->ListMeasurements(
        tx, request.parent(), request.show_superseded(), after, *size + 1);
    if (!page.ok()) return page.status();
    int n = std::min<int>(*size, static_cast<int>(page->size()));
    for (int i = 0; i < n; ++i)
      *out.add_measurements() = (*page)[i].measurement;
    if (static_cast<int>(page->size()) > *size) {
      const StoredMeasurement& last = (*page)[n - 1];
      out.set_next_page_token(MakePageToken(
          scope, absl::StrCat(last.period_index, "/",
                              static_cast<int>(last.measurement.series()), "/",
                              last.measurement.version())));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::ImportMeasurementsResponse> FollowUpManager::Import(
    const Identity& caller, const v1::ImportMeasurementsRequest& request) {
  absl::StatusOr<std::string> municipality =
      ParseParent(request.parent(), "parent");
  if (!municipality.ok()) return municipality.status();
  if (auto s = CheckAnalyst(caller, *municipality, "parent"); !s.ok()) return s;
  if (auto s = ValidateText(request.source(), "source", false, 1000); !s.ok()) {
    return s;
  }
  bool statbank = request.layout() == v1::CSV_LAYOUT_STATBANK;
  if (statbank) {
    absl::StatusOr<LocalName> ref = ParseIndicatorName(
        request.statbank().indicator_name(), "statbank.indicator_name");
    if (!ref.ok()) return ref.status();
    if (ref->municipality != *municipality) {
      return absl::InvalidArgumentError(
          absl::StrCat("statbank.indicator_name: belongs to municipality ",
                       ref->municipality, ", not to ", request.parent()));
    }
  }
  absl::StatusOr<CsvParseResult> parsed =
      ParseMeasurementCsv(request.csv(), request.layout(), request.statbank());
  if (!parsed.ok()) return parsed.status();
  auto indicator_of = [&](const CsvMeasurementRow& row) {
    return statbank ? request.statbank().indicator_name()
                    : absl::StrCat(request.parent(), "/indicators/",
                                   row.indicator_id);
  };
  std::set<std::string> names;
  for (const CsvMeasurementRow& row : parsed->rows) {
    names.insert(indicator_of(row));
  }
  // The mapping's indicator must exist even when no row is left to import.
  if (statbank) names.insert(request.statbank().indicator_name());
  std::string fingerprint = Fingerprint(request);
  v1::ImportMeasurementsResponse out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        out.Clear();
        auto replayed = store_->requests().Replay(
            tx, *municipality, request.request_id(), fingerprint, &out);
        if (!replayed.ok()) return replayed.status();
        if (*replayed) return absl::OkStatus();
        auto indicators = LoadIndicators(*store_, tx, names);
        if (!indicators.ok()) return indicators.status();
        if (statbank && indicators->empty()) {
          return absl::NotFoundError(absl::StrCat(
              "statbank.indicator_name: ", request.statbank().indicator_name(),
              " does not exist"));
        }
        std::vector<v1::RowError> errors(parsed->errors.begin(),
                                         parsed->errors.end());
        std::vector<PendingMeasurement> pending;
        pending.reserve(parsed->rows.size());
        for (const CsvMeasurementRow& row : parsed->rows) {
          std::string name = indicator_of(row);
          auto it = indicators->find(name);
          v1::RowError error;
          error.set_row(row.row);
          if (it == indicators->end()) {
            error.set_reason(absl::StrCat("indicator_id: no indicator \"",
                                          row.indicator_id, "\" in ",
                                          request.parent()));
            errors.push_back(error);
            continue;
          }
          v1::Measurement m;
          m.set_period(row.period);
          m.set_series(row.series);
          m.set_value(row.value);
          m.set_source(row.source.empty() ? request.source() : row.source);
          m.set_note(row.note);
          auto resolved = Resolve(it->second, m, "row");
          if (!resolved.ok()) {
            absl::string_view reason = resolved.status().message();
            absl::ConsumePrefix(&reason, "row.");
            error.set_reason(std::string(reason));
            errors.push_back(error);
            continue;
          }
          pending.push_back(*std::move(resolved));
        }
        std::sort(errors.begin(), errors.end(),
                  [](const v1::RowError& a, const v1::RowError& b) {
                    return a.row() < b.row();
                  });
        if (!errors.empty() && !request.skip_bad_rows()) {
          std::vector<std::string> quoted;
          for (size_t i = 0; i < errors.size() && i < kQuotedRowErrors; ++i) {
            quoted.push_back(absl::StrCat("row ", errors[i].row(), ": ",
                                          errors[i].reason()));
          }
          return absl::InvalidArgumentError(absl::StrCat(
              "csv: ", errors.size(), " bad row", errors.size() == 1 ? "" : "s",
              ", nothing imported (set skip_bad_rows to import the rest): ",
              absl::StrJoin(quoted, "; "),
              errors.size() > kQuotedRowErrors ? "; ..." : ""));
        }
        if (!pending.empty()) {
          if (auto s = StoreMeasurements(tx, caller, *municipality, pending,
                                         nullptr);
              !s.ok()) {
            return s;
          }
        }
        out.set_imported_count(static_cast<int32_t>(pending.size()));
        out.set_ignored_count(parsed->ignored_count);
        out.set_skipped_count(static_cast<int32_t>(errors.size()));
        // Bounded, so a file of bad rows cannot make an answer too big to send.
        for (size_t i = 0; i < errors.size() && i < kListedRowErrors; ++i) {
          *out.add_skipped_rows() = std::move(errors[i]);
        }
        return store_->requests().Save(tx, *municipality, request.request_id(),
                                       fingerprint, out);
      });
  if (!status.ok()) return status;
  return out;
}

}  // namespace kommune::followup
