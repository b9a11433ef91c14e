#ifndef KOMMUNE_SERVICES_FOLLOWUP_MEASUREMENT_CSV_H_
#define KOMMUNE_SERVICES_FOLLOWUP_MEASUREMENT_CSV_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kommune/followup/v1/followup_service.pb.h"
#include "kommune/followup/v1/indicator.pb.h"

namespace kommune::followup {

// Largest measurement file ImportMeasurements reads.
inline constexpr size_t kMaxCsvBytes = 32 << 20;  // 32 MiB

// One measurement read from a file, not yet checked against its indicator.
struct CsvMeasurementRow {
  int row = 0;  // 1-based line number in the file; header is row 1
  // Own layout: the indicator_id column; StatBank: empty (the mapping names
  // the indicator).
  std::string indicator_id;
  // Canonical: "2009", "2009-Q2", "2009-05" (StatBank "2009K2" ->
  // "2009-Q2", "2009M05" -> "2009-05").
  std::string period;
  v1::Series series = v1::SERIES_TARGET_GROUP;
  double value = 0;  // finite
  std::string source;
  std::string note;
};

struct CsvParseResult {
  std::vector<CsvMeasurementRow> rows;
  // Bad rows, each with its row number and a reason naming the column.
  std::vector<v1::RowError> errors;
  // StatBank rows filtered out by the mapping, or without a value ("..").
  int ignored_count = 0;
};

// Reads a measurement file (see docs/followup.md, "Measurement files").
//
// Problems with the file as a whole give INVALID_ARGUMENT whose message
// starts with "csv: " and names the row where one applies: empty, not UTF-8,
// binary, a wrong or missing header column, mixed separators, broken
// quoting. A file over kMaxCsvBytes gives RESOURCE_EXHAUSTED. A mapping that
// names a column the file lacks gives INVALID_ARGUMENT naming it.
//
// Problems with one row (a value that is no finite number, a bad period or
// series, a wrong number of fields) go into errors and never stop the
// parse, so the caller can either refuse the file or skip those rows.
absl::StatusOr<CsvParseResult> ParseMeasurementCsv(
    absl::string_view bytes, v1::CsvLayout layout,
    const v1::StatBankMapping& mapping);

// The helpers below are what ParseMeasurementCsv applies to each field;
// errors are INVALID_ARGUMENT starting with "<field>: ".

// A number with a decimal comma or point: "12,5", "12.5", "-3", "1,5e3".
// Thousands separators are accepted only where they cannot be read as a
// decimal mark ("1.234,5", "1.234.567"); with `refuse_ambiguous`, a single
// mark followed by exactly three digits after a 1-3 digit integer part
// ("1.234", "12,500") is refused, since it may mean either. NaN and infinity
// are refused.
absl::StatusOr<double> ParseMeasurementValue(absl::string_view text,
                                             absl::string_view field,
                                             bool refuse_ambiguous);

// A period in canonical form: "2009", "2009K2"/"2009Q2"/"2009-Q2" ->
// "2009-Q2", "2009M05"/"2009-05" -> "2009-05". Whether the period suits the
// indicator is for ParsePeriod to say.
absl::StatusOr<std::string> CanonicalMeasurementPeriod(absl::string_view text,
                                                       absl::string_view field);

}  // namespace kommune::followup

#endif  // KOMMUNE_SERVICES_FOLLOWUP_MEASUREMENT_CSV_H_
