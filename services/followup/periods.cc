#include "services/followup/periods.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/validation.h"

namespace kommune::followup {
namespace {

constexpr int kFirstYear = 1900;
constexpr int kLastYear = 2200;

absl::Status Invalid(absl::string_view field, absl::string_view text,
                     absl::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": \"", text, "\" is not a period; expected ", expected));
}

absl::string_view Expected(v1::ReportingPeriod kind) {
  switch (kind) {
    case v1::REPORTING_PERIOD_MONTH:
      return "a month such as \"2009-05\"";
    case v1::REPORTING_PERIOD_QUARTER:
      return "a quarter such as \"2009-Q2\"";
    default:
      return "a year such as \"2009\"";
  }
}

bool ParseNumber(absl::string_view text, size_t digits, int* out) {
  if (text.size() != digits) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(text, out);
}

}  // namespace

Period PeriodAt(int64_t index, v1::ReportingPeriod kind) {
  Period p;
  p.index = index;
  switch (kind) {
    case v1::REPORTING_PERIOD_MONTH: {
      int64_t year = index / 12;
      int month = static_cast<int>(index % 12) + 1;
      p.first_day = absl::CivilDay(year, month, 1);
      p.last_day = absl::CivilDay(absl::CivilMonth(p.first_day) + 1) - 1;
      p.key = absl::StrFormat("%04d-%02d", year, month);
      break;
    }
    case v1::REPORTING_PERIOD_QUARTER: {
      int64_t year = index / 4;
      int quarter = static_cast<int>(index % 4) + 1;
      p.first_day = absl::CivilDay(year, (quarter - 1) * 3 + 1, 1);
      p.last_day = absl::CivilDay(absl::CivilMonth(p.first_day) + 3) - 1;
      p.key = absl::StrFormat("%04d-Q%d", year, quarter);
      break;
    }
    default:
      p.first_day = absl::CivilDay(index, 1, 1);
      p.last_day = absl::CivilDay(index, 12, 31);
      p.key = absl::StrFormat("%04d", index);
      break;
  }
  return p;
}

Period PeriodContaining(absl::CivilDay day, v1::ReportingPeriod kind) {
  switch (kind) {
    case v1::REPORTING_PERIOD_MONTH:
      return PeriodAt(day.year() * 12 + day.month() - 1, kind);
    case v1::REPORTING_PERIOD_QUARTER:
      return PeriodAt(day.year() * 4 + (day.month() - 1) / 3, kind);
    default:
      return PeriodAt(day.year(), kind);
  }
}

absl::StatusOr<Period> ParsePeriod(absl::string_view text,
                                   v1::ReportingPeriod kind,
                                   absl::string_view field) {
  int year = 0;
  if (text.size() < 4 || !ParseNumber(text.substr(0, 4), 4, &year) ||
      year < kFirstYear || year > kLastYear) {
    return Invalid(field, text, Expected(kind));
  }
  absl::string_view rest = text.substr(4);
  switch (kind) {
    case v1::REPORTING_PERIOD_MONTH: {
      int month = 0;
      if (rest.size() != 3 || rest[0] != '-' ||
          !ParseNumber(rest.substr(1), 2, &month) || month < 1 || month > 12) {
        return Invalid(field, text, Expected(kind));
      }
      return PeriodAt(int64_t{year} * 12 + month - 1, kind);
    }
    case v1::REPORTING_PERIOD_QUARTER: {
      int quarter = 0;
      if (rest.size() != 3 || rest[0] != '-' || rest[1] != 'Q' ||
          !ParseNumber(rest.substr(2), 1, &quarter) || quarter < 1 ||
          quarter > 4) {
        return Invalid(field, text, Expected(kind));
      }
      return PeriodAt(int64_t{year} * 4 + quarter - 1, kind);
    }
    case v1::REPORTING_PERIOD_YEAR:
      if (!rest.empty()) return Invalid(field, text, Expected(kind));
      return PeriodAt(year, kind);
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": the indicator has no reporting period"));
  }
}

absl::StatusOr<absl::CivilDay> ToCivilDay(const common::v1::Date& date,
                                          absl::string_view field) {
  if (auto s = ValidateDate(date, field, /*required=*/true); !s.ok()) return s;
  return kommune::ToCivilDay(date);
}

common::v1::Date ToDate(absl::CivilDay day) { return FromCivilDay(day); }

}  // namespace kommune::followup
