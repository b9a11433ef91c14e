#include "services/followup/indicator_validation.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "services/common/validation.h"
#include "services/followup/followup_requests.h"

namespace kommune::followup {
namespace {

constexpr int kMaxCriteria = 50;
constexpr size_t kMaxShortText = 500;

absl::Status Invalid(absl::string_view field, absl::string_view sub,
                     absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, ".", sub, ": ", message));
}

absl::Status Finite(double value, absl::string_view field,
                    absl::string_view sub) {
  if (!std::isfinite(value)) {
    return Invalid(field, sub, "must be a finite number");
  }
  return absl::OkStatus();
}

bool DeadlineRequired(v1::IndicatorKind kind) {
  return kind == v1::INDICATOR_KIND_COUNT_BY_DEADLINE ||
         kind == v1::INDICATOR_KIND_SHARE_AT_LEAST ||
         kind == v1::INDICATOR_KIND_RELATIVE_CHANGE ||
         kind == v1::INDICATOR_KIND_MILESTONE;
}

absl::Status ValidateNumbers(const v1::Indicator& in, absl::string_view field) {
  const v1::Target& t = in.target();
  for (auto [value, sub] :
       {std::pair{in.baseline().value(), "baseline.value"},
        std::pair{t.value(), "target.value"},
        std::pair{t.relative_change(), "target.relative_change"},
        std::pair{t.tolerance(), "target.tolerance"}}) {
    if (auto s = Finite(value, field, sub); !s.ok()) return s;
  }
  if (t.tolerance() < 0) {
    return Invalid(field, "target.tolerance", "must not be negative");
  }
  switch (in.kind()) {
    case v1::INDICATOR_KIND_SHARE_AT_LEAST:
      if (t.value() < 0 || t.value() > 100) {
        return Invalid(field, "target.value",
                       absl::StrCat("a share is 0 to 100 %, not ", t.value()));
      }
      if (in.has_baseline() &&
          (in.baseline().value() < 0 || in.baseline().value() > 100)) {
        return Invalid(
            field, "baseline.value",
            absl::StrCat("a share is 0 to 100 %, not ", in.baseline().value()));
      }
      break;
    case v1::INDICATOR_KIND_RELATIVE_CHANGE:
      if (!in.has_baseline() || !in.baseline().has_date()) {
        return Invalid(field, "baseline",
                       "a relative change needs the baseline's value and date");
      }
      if (in.baseline().value() == 0) {
        return Invalid(field, "baseline.value",
                       "a relative change cannot start from 0");
      }
      if (t.relative_change() == 0 || t.relative_change() < -1) {
        return Invalid(field, "target.relative_change",
                       "must be a change such as -0.5 (halve) or 1.0 "
                       "(double), never below -1");
      }
      break;
    case v1::INDICATOR_KIND_COUNT_BY_DEADLINE:
    case v1::INDICATOR_KIND_RATE_PER_PERIOD:
      if (t.value() < 0) {
        return Invalid(field, "target.value", "a count is never negative");
      }
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

absl::Status ValidateDates(const v1::Indicator& in, absl::string_view field) {
  const std::string f(field);
  if (!in.has_follow_up_period()) {
    return Invalid(field, "follow_up_period",
                   "is required: the days measurements may cover");
  }
  if (auto s = ValidateDateRange(in.follow_up_period(),
                                 absl::StrCat(f, ".follow_up_period"));
      !s.ok()) {
    return s;
  }
  if (!in.follow_up_period().has_start_date() ||
      !in.follow_up_period().has_end_date()) {
    return Invalid(field, "follow_up_period",
                   "needs both start_date and end_date");
  }
  if (auto s = ValidateDate(in.target().deadline(),
                            absl::StrCat(f, ".target.deadline"),
                            DeadlineRequired(in.kind()));
      !s.ok()) {
    return s;
  }
  if (in.has_baseline()) {
    if (auto s = ValidateDate(in.baseline().date(),
                              absl::StrCat(f, ".baseline.date"));
        !s.ok()) {
      return s;
    }
  }
  if (IsSet(in.target().deadline()) && IsSet(in.baseline().date()) &&
      ToCivilDay(in.target().deadline()) < ToCivilDay(in.baseline().date())) {
    return Invalid(field, "target.deadline",
                   "is before the baseline's date; a target cannot be due "
                   "before the starting point was measured");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateIndicator(const v1::Indicator& in,
                               absl::string_view municipality,
                               absl::string_view field) {
  const std::string f(field);
  if (auto s = ValidateText(in.display_name(), f + ".display_name", true,
                            kMaxShortText);
      !s.ok()) {
    return s;
  }
  for (auto [text, sub] : {std::pair{&in.unit(), ".unit"},
                           std::pair{&in.data_source(), ".data_source"},
                           std::pair{&in.owner_committee().display_name(),
                                     ".owner_committee.display_name"}}) {
    if (auto s = ValidateText(*text, f + sub, false, kMaxShortText); !s.ok()) {
      return s;
    }
  }
  if (in.kind() == v1::INDICATOR_KIND_UNSPECIFIED ||
      !v1::IndicatorKind_IsValid(in.kind())) {
    return Invalid(field, "kind", "is required");
  }
  if (in.reporting_period() == v1::REPORTING_PERIOD_UNSPECIFIED ||
      !v1::ReportingPeriod_IsValid(in.reporting_period())) {
    return Invalid(field, "reporting_period",
                   "is required: month, quarter or year");
  }
  if (in.criteria_size() == 0) {
    return Invalid(field, "criteria",
                   "name at least one success criterion it measures");
  }
  if (in.criteria_size() > kMaxCriteria) {
    return Invalid(field, "criteria",
                   absl::StrCat("at most ", kMaxCriteria, " criteria"));
  }
  for (int i = 0; i < in.criteria_size(); ++i) {
    const v1::CriterionReference& c = in.criteria(i);
    std::string cf = absl::StrCat(f, ".criteria[", i, "]");
    absl::StatusOr<std::string> code =
        ParsePolicyName(c.policy_name(), cf + ".policy_name");
    if (!code.ok()) return code.status();
    if (*code != municipality) {
      return absl::InvalidArgumentError(
          absl::StrCat(cf, ".policy_name: belongs to municipality ", *code,
                       ", not to the indicator's municipality ", municipality));
    }
    if (auto s = ValidateText(c.criterion_id(), cf + ".criterion_id", true,
                              kMaxShortText);
        !s.ok()) {
      return s;
    }
  }
  if (auto s = ValidateNumbers(in, field); !s.ok()) return s;
  if (auto s = ValidateDates(in, field); !s.ok()) return s;
  if (!in.catalogue_indicator_name().empty()) {
    if (auto id = ParseCatalogueName(in.catalogue_indicator_name(),
                                     f + ".catalogue_indicator_name");
        !id.ok()) {
      return id.status();
    }
  }
  return absl::OkStatus();
}

absl::Status CheckMatchesCatalogue(const v1::Indicator& in,
                                   const v1::CatalogueIndicator& definition,
                                   absl::string_view field) {
  auto differ = [&](absl::string_view what) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, ".catalogue_indicator_name: ", definition.name(),
                     " needs the same ", what, " as the definition"));
  };
  if (in.kind() != definition.kind()) return differ("kind");
  if (in.unit() != definition.unit()) return differ("unit");
  if (in.reporting_period() != definition.reporting_period()) {
    return differ("reporting period");
  }
  return absl::OkStatus();
}

v1::Indicator WritableFields(const v1::Indicator& indicator) {
  v1::Indicator out = indicator;
  out.clear_name();
  out.clear_create_time();
  out.clear_update_time();
  out.clear_etag();
  for (v1::CriterionReference& c : *out.mutable_criteria()) {
    c.clear_criterion_text();
    c.clear_focus_area_id();
    c.clear_focus_area_title();
  }
  return out;
}

}  // namespace kommune::followup
