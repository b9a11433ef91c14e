#include "services/followup/measurement_csv.h"

#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kommune::followup {
namespace {

using ::testing::DoubleEq;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

const v1::StatBankMapping& NoMapping() {
  static const auto* mapping = new v1::StatBankMapping();
  return *mapping;
}

absl::StatusOr<CsvParseResult> ParseOwn(absl::string_view csv) {
  return ParseMeasurementCsv(csv, v1::CSV_LAYOUT_MEASUREMENTS, NoMapping());
}

std::string ReadFixture(absl::string_view name) {
  std::ifstream in(absl::StrCat(KOMMUNE_FIXTURES_DIR, "/followup/", name),
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The error of a parse expected to fail as a whole.
absl::Status FileStatus(absl::string_view csv,
                        v1::CsvLayout layout = v1::CSV_LAYOUT_MEASUREMENTS,
                        const v1::StatBankMapping& mapping = NoMapping()) {
  absl::StatusOr<CsvParseResult> result =
      ParseMeasurementCsv(csv, layout, mapping);
  EXPECT_FALSE(result.ok()) << csv.substr(0, 200);
  return result.status();
}

std::string FileMessage(absl::string_view csv,
                        v1::CsvLayout layout = v1::CSV_LAYOUT_MEASUREMENTS,
                        const v1::StatBankMapping& mapping = NoMapping()) {
  return std::string(FileStatus(csv, layout, mapping).message());
}

std::vector<std::string> Reasons(const CsvParseResult& result) {
  std::vector<std::string> reasons;
  for (const auto& e : result.errors) {
    reasons.push_back(absl::StrCat(e.row(), " ", e.reason()));
  }
  return reasons;
}

// --- Values --------------------------------------------------------------

TEST(ParseMeasurementValueTest, AcceptsDecimalCommasAndPoints) {
  struct Case {
    const char* text;
    double value;
  } cases[] = {
      {"12,5", 12.5},
      {"12.5", 12.5},
      {"-3", -3},
      {"+4", 4},
      {" 7 ", 7},
      {"0", 0},
      {"0,125", 0.125},
      {"0.125", 0.125},
      {"1234.567", 1234.567},
      {"1.234,5", 1234.5},
      {"1,234.5", 1234.5},
      {"1.234.567", 1234567},
      {"1,234,567", 1234567},
      {"-1.234,56", -1234.56},
      {"1,5e3", 1500},
      {"2E-2", 0.02},
      {",5", 0.5},
      {"5,", 5},
      {"12,50", 12.5},
      {"1,2345", 1.2345},
  };
  for (const Case& c : cases) {
    absl::StatusOr<double> value = ParseMeasurementValue(c.text, "value", true);
    ASSERT_TRUE(value.ok()) << c.text << ": " << value.status();
    EXPECT_THAT(*value, DoubleEq(c.value)) << c.text;
  }
}

TEST(ParseMeasurementValueTest, RefusesNonNumbersNamingTheField) {
  struct Case {
    const char* text;
    const char* reason;
  } cases[] = {
      {"", "value: empty"},
      {"  ", "value: empty"},
      {"abc", "value: \"abc\" is not a number"},
      {"NaN", "value: \"NaN\" is not a finite number"},
      {"nan", "value: \"nan\" is not a finite number"},
      {"inf", "value: \"inf\" is not a finite number"},
      {"-Infinity", "value: \"-Infinity\" is not a finite number"},
      {"1e999", "value: \"1e999\" is too large"},
      {"-1e400", "value: \"-1e400\" is too large"},
      {"12,5%", "value: \"12,5%\" is not a number; write it without %"},
      {"1 234", "value: \"1 234\" is not a number"},
      {"0x10", "value: \"0x10\" is not a number"},
      {"1e", "value: \"1e\" is not a number"},
      {"--1", "value: \"--1\" is not a number"},
      {"+-1", "value: \"+-1\" is not a number"},
      {".", "value: \".\" is not a number"},
      {"..", "value: \"..\" is not a number"},
      {"1.2.3", "value: \"1.2.3\" is not a number (misplaced thousands"},
      {"1,23.4", "value: \"1,23.4\" is not a number (misplaced thousands"},
      {"1.234,5,6", "value: \"1.234,5,6\" is not a number"},
      {"1,234.5,6", "value: \"1,234.5,6\" is not a number"},
      {"12 kr", "value: \"12 kr\" is not a number"},
      {"1.234", "value: \"1.234\" is ambiguous: 1234 with a thousands"},
      {"12,500", "value: \"12,500\" is ambiguous: 12500"},
      {"-999.000", "write -999000 or -999.0000"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<double> value = ParseMeasurementValue(c.text, "value", true);
    EXPECT_EQ(value.status().code(), absl::StatusCode::kInvalidArgument)
        << c.text;
    EXPECT_THAT(std::string(value.status().message()), HasSubstr(c.reason))
        << c.text;
  }
  absl::StatusOr<double> long_value =
      ParseMeasurementValue(std::string(100, '1'), "INDHOLD", false);
  EXPECT_THAT(std::string(long_value.status().message()),
              HasSubstr("is not a number (too long)"));
  EXPECT_THAT(std::string(long_value.status().message()),
              StartsWith("INDHOLD: \"111"));
}

TEST(ParseMeasurementValueTest, AmbiguousFormsAreDecimalsWhenAllowed) {
  // StatBank exports never group thousands.
  EXPECT_THAT(*ParseMeasurementValue("1,734", "INDHOLD", false),
              DoubleEq(1.734));
  EXPECT_THAT(*ParseMeasurementValue("1.234", "INDHOLD", false),
              DoubleEq(1.234));
}

// --- Periods -------------------------------------------------------------

TEST(CanonicalMeasurementPeriodTest, AcceptsStatBankAndSuiteForms) {
  std::pair<const char*, const char*> cases[] = {
      {"2009", "2009"},       {" 2009 ", "2009"},     {"2009K2", "2009-Q2"},
      {"2009k4", "2009-Q4"},  {"2009Q2", "2009-Q2"},  {"2009-Q1", "2009-Q1"},
      {"2009q3", "2009-Q3"},  {"2009M05", "2009-05"}, {"2009m12", "2009-12"},
      {"2009-05", "2009-05"}, {"2009-10", "2009-10"},
  };
  for (const auto& [text, canonical] : cases) {
    absl::StatusOr<std::string> period =
        CanonicalMeasurementPeriod(text, "period");
    ASSERT_TRUE(period.ok()) << text << ": " << period.status();
    EXPECT_EQ(*period, canonical) << text;
  }
}

TEST(CanonicalMeasurementPeriodTest, RefusesOtherFormsNamingTheField) {
  EXPECT_EQ(CanonicalMeasurementPeriod("", "TID").status().message(),
            "TID: empty");
  for (const char* bad : {"2009H1", "2009-13", "2009M00", "2009M13", "2009-00",
                          "2009-Q5", "2009K0", "2009M5", "2009-5", "09",
                          "200905", "2009-", "år 2009", "2009 Q2", "20O9"}) {
    absl::StatusOr<std::string> period =
        CanonicalMeasurementPeriod(bad, "period");
    EXPECT_EQ(period.status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
    EXPECT_THAT(std::string(period.status().message()),
                StartsWith(absl::StrCat("period: \"", bad,
                                        "\" is not a year, quarter or month")))
        << bad;
  }
}

// --- Own layout ----------------------------------------------------------

TEST(ParseMeasurementCsvTest, ReadsTheOwnLayoutWithSemicolonsAndCommas) {
  absl::StatusOr<CsvParseResult> result =
      ParseOwn("indicator_id;period;value\nx;2009;12,5\ny;2010-Q2;-3\n");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 2u);
  EXPECT_THAT(Reasons(*result), IsEmpty());
  EXPECT_EQ(result->ignored_count, 0);
  const CsvMeasurementRow& first = result->rows[0];
  EXPECT_EQ(first.row, 2);
  EXPECT_EQ(first.indicator_id, "x");
  EXPECT_EQ(first.period, "2009");
  EXPECT_EQ(first.series, v1::SERIES_TARGET_GROUP);
  EXPECT_THAT(first.value, DoubleEq(12.5));
  EXPECT_EQ(first.source, "");
  EXPECT_EQ(first.note, "");
  EXPECT_EQ(result->rows[1].row, 3);
  EXPECT_EQ(result->rows[1].period, "2010-Q2");
  EXPECT_THAT(result->rows[1].value, DoubleEq(-3));
}

TEST(ParseMeasurementCsvTest, UnspecifiedLayoutIsTheOwnLayout) {
  absl::StatusOr<CsvParseResult> result =
      ParseMeasurementCsv("indicator_id;period;value\nx;2009;1\n",
                          v1::CSV_LAYOUT_UNSPECIFIED, NoMapping());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->rows.size(), 1u);
}

TEST(ParseMeasurementCsvTest, CommaSeparatedFilesNeedQuotedDecimalCommas) {
  absl::StatusOr<CsvParseResult> result = ParseOwn(
      "indicator_id,period,value\r\n"
      "x,2009,\"12,5\"\r\n"
      "x,2010,12.75\r\n"
      "x,2011,12,5\r\n");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 2u);
  EXPECT_THAT(result->rows[0].value, DoubleEq(12.5));
  EXPECT_THAT(result->rows[1].value, DoubleEq(12.75));
  EXPECT_THAT(Reasons(*result),
              ElementsAre("4 the row has 4 fields and the header 3; field 4 "
                          "has no column (with ',' between fields, a decimal "
                          "comma must be quoted: \"12,5\")"));
}

TEST(ParseMeasurementCsvTest, HeaderNamesAreCaseInsensitiveTrimmedAnyOrder) {
  absl::StatusOr<CsvParseResult> result = ParseOwn(
      " Note ; VALUE;Series ;Source; Period ;INDICATOR_ID\n"
      "en note;4,5;reference_group;StatBank RAS200;2009M05;x\n"
      ";1;;;2009;y\n"
      ";2;TARGET_GROUP;;2010;y\n");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 3u);
  const CsvMeasurementRow& row = result->rows[0];
  EXPECT_EQ(row.indicator_id, "x");
  EXPECT_EQ(row.period, "2009-05");
  EXPECT_EQ(row.series, v1::SERIES_REFERENCE_GROUP);
  EXPECT_THAT(row.value, DoubleEq(4.5));
  EXPECT_EQ(row.source, "StatBank RAS200");
  EXPECT_EQ(row.note, "en note");
  EXPECT_EQ(result->rows[1].series, v1::SERIES_TARGET_GROUP);  // empty
  EXPECT_EQ(result->rows[2].series, v1::SERIES_TARGET_GROUP);
}

TEST(ParseMeasurementCsvTest, RefusesAnUnknownColumnNamingIt) {
  absl::Status status = FileStatus("indicator_id;period;værdi\nx;2009;1\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("csv: row 1: unknown column \"værdi\"; the columns "
                         "are indicator_id, period, value"));
}

TEST(ParseMeasurementCsvTest, RefusesAMissingValueColumn) {
  absl::Status status = FileStatus("indicator_id;period;note\nx;2009;a\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("csv: row 1: missing column value in the header "
                         "\"indicator_id;period;note\""));
  EXPECT_THAT(FileMessage("period;value\n2009;1\n"),
              StartsWith("csv: row 1: missing column indicator_id"));
  EXPECT_THAT(FileMessage("indicator_id;value\nx;1\n"),
              StartsWith("csv: row 1: missing column period"));
}

TEST(ParseMeasurementCsvTest, RefusesADuplicateColumn) {
  absl::Status status =
      FileStatus("indicator_id;period;value;Value\nx;2009;1;2\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "csv: row 1: column value appears twice");
}

TEST(ParseMeasurementCsvTest, IgnoresUnnamedColumns) {
  // Excel writes trailing columns that once held formatting.
  absl::StatusOr<CsvParseResult> result =
      ParseOwn("indicator_id;period;value;;\nx;2009;1;;\ny;2009;2;;\n");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->rows.size(), 2u);
  EXPECT_THAT(Reasons(*result), IsEmpty());
}

TEST(ParseMeasurementCsvTest, HintsAtTheStatBankLayout) {
  absl::Status status =
      FileStatus("OMRÅDE;TID;INDHOLD\nHøje-Taastrup;2009;1\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("csv: row 1: unknown column \"OMRÅDE\""));
  EXPECT_THAT(std::string(status.message()), HasSubstr("CSV_LAYOUT_STATBANK"));
}

TEST(ParseMeasurementCsvTest, RefusesAHeaderMixingSeparators) {
  absl::Status status = FileStatus("indicator_id;period,value\nx;2009;1\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("csv: row 1: the header mixes ';' and ','"));
}

TEST(ParseMeasurementCsvTest, RefusesATabSeparatedHeader) {
  absl::Status status = FileStatus("indicator_id\tperiod\tvalue\nx\t2009\t1\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("csv: row 1: the header is separated by tabs"));
}

TEST(ParseMeasurementCsvTest, RefusesRowsWithTheOtherSeparator) {
  // Header ';', a row ','.
  absl::Status status =
      FileStatus("indicator_id;period;value\nx;2009;1\nx,2010,2\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "csv: row 3: mixed separators: this row is separated by ',' but "
            "the header by ';'; use one separator throughout");
  // Also when the row's decimal comma adds a field.
  EXPECT_THAT(
      FileMessage("indicator_id;period;value\nx,2010,2,5\n"),
      StartsWith("csv: row 2: mixed separators: this row is separated by ','"));
  // Header ',', a row ';' with a decimal comma that ',' splits.
  status = FileStatus("indicator_id,period,value\n\nx;2009;12,5\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "csv: row 3: mixed separators: this row is separated by ';' but "
            "the header by ','; use one separator throughout");
}

TEST(ParseMeasurementCsvTest, AShortRowIsARowErrorNotMixedSeparators) {
  // One comma in a ';' file is not enough to call it the separator.
  absl::StatusOr<CsvParseResult> result = ParseOwn(
      "indicator_id;period;value\nKilde: Danmarks Statistik, 2013\nx;2009\n"
      "y;2009;1\n");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Reasons(*result),
              ElementsAre("2 period: missing; the row has 1 fields and the "
                          "header 3",
                          "3 value: missing; the row has 2 fields and the "
                          "header 3"));
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(result->rows[0].row, 4);
}

TEST(ParseMeasurementCsvTest, ExtraFieldsAreRowErrorsUnlessEmpty) {
  absl::StatusOr<CsvParseResult> result =
      ParseOwn("indicator_id;period;value\nx;2009;1;;\nx;2010;2;surplus\n");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(result->rows[0].period, "2009");
  EXPECT_THAT(Reasons(*result),
              ElementsAre("3 the row has 4 fields and the header 3; field 4 "
                          "has no column"));
}

TEST(ParseMeasurementCsvTest, RefusesAnUnclosedQuoteNamingItsRow) {
  absl::Status status = FileStatus(
      "indicator_id;period;value;note\nx;2009;1;ok\nx;2010;2;\"never "
      "closed\nx;2011;3;more\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("csv: row 3: unclosed quote: a quoted field that "
                         "starts here has no closing '\"'"));
  // Also in the header, and at the end without a line end.
  EXPECT_THAT(FileMessage("\"indicator_id;period;value\n"),
              StartsWith("csv: row 1: unclosed quote"));
  EXPECT_THAT(FileMessage("indicator_id;period;value\nx;2009;\"1"),
              StartsWith("csv: row 2: unclosed quote"));
}

TEST(ParseMeasurementCsvTest, RefusesStrayQuotes) {
  absl::Status status = FileStatus(
      "indicator_id;period;value;note\nx;2009;1;ok\n\nx;2010;2;12\" skærm\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("csv: row 4: a '\"' inside an unquoted field"));
  status = FileStatus("indicator_id;period;value;note\nx;2009;1;\"a\"b\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("csv: row 2: text after the closing quote"));
}

TEST(ParseMeasurementCsvTest, ReadsQuotedFieldsWithSeparatorsAndQuotes) {
  absl::StatusOr<CsvParseResult> result = ParseOwn(
      "indicator_id;period;value;source;note\n"
      "\"x\";\"2009\";\"12,5\";\"A; B\";\"Han sagde \"\"hej\"\"; ok\"\n"
      "x;2010;\" 7 \";;\"\"\n");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 2u)
      << ::testing::PrintToString(Reasons(*result));
  EXPECT_EQ(result->rows[0].source, "A; B");
  EXPECT_EQ(result->rows[0].note, "Han sagde \"hej\"; ok");
  EXPECT_THAT(result->rows[0].value, DoubleEq(12.5));
  EXPECT_THAT(result->rows[1].value, DoubleEq(7));
  EXPECT_EQ(result->rows[1].note, "");
}

TEST(ParseMeasurementCsvTest, RowNumbersAreLinesAcrossMultiLineNotes) {
  absl::StatusOr<CsvParseResult> result = ParseOwn(
      "indicator_id;period;value;note\r\n"
      "x;2009;1;\"første linje\r\nanden linje\r\ntredje\"\r\n"
      "\r\n"
      "x;2010;abc;\r\n"
      "x;2011;3;\r\n");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 2u);
  EXPECT_EQ(result->rows[0].row, 2);
  EXPECT_EQ(result->rows[0].note, "første linje\r\nanden linje\r\ntredje");
  EXPECT_EQ(result->rows[1].row, 7);
  EXPECT_THAT(Reasons(*result),
              ElementsAre("6 value: \"abc\" is not a number"));
}

TEST(ParseMeasurementCsvTest, SkipsBlankRowsKeepingLineNumbers) {
  absl::StatusOr<CsvParseResult> result = ParseOwn(
      "\n  \nindicator_id;period;value\n\n;;\n  ;  ; \nx;2009;1\n\n\n");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Reasons(*result), IsEmpty());
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(result->rows[0].row, 7);
  // The header's own row number is its line.
  EXPECT_THAT(FileMessage("\n\nindicator_id;period\n"),
              StartsWith("csv: row 3: missing column value"));
}

TEST(ParseMeasurementCsvTest, ReadsCrlfAndLf) {
  for (absl::string_view end : {"\n", "\r\n"}) {
    absl::StatusOr<CsvParseResult> result = ParseOwn(absl::StrCat(
        "indicator_id;period;value", end, "x;2009;1", end, "x;2010;2", end));
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_EQ(result->rows.size(), 2u);
    EXPECT_EQ(result->rows[1].row, 3);
    EXPECT_EQ(result->rows[1].period, "2010");
    EXPECT_THAT(result->rows[1].value, DoubleEq(2));
  }
  // No line end after the last row.
  absl::StatusOr<CsvParseResult> result =
      ParseOwn("indicator_id;period;value\r\nx;2009;1");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->rows.size(), 1u);
}

TEST(ParseMeasurementCsvTest, ReadsOldMacLineEnds) {
  absl::StatusOr<CsvParseResult> result =
      ParseOwn("indicator_id;period;value\rx;2009;1\r\rx;2010;abc\rx;2011;3");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 2u);
  EXPECT_EQ(result->rows[1].row, 5);
  EXPECT_THAT(Reasons(*result),
              ElementsAre("4 value: \"abc\" is not a number"));
}

TEST(ParseMeasurementCsvTest, HonoursExcelsSepLine) {
  absl::StatusOr<CsvParseResult> result = ParseOwn(
      "\xEF\xBB\xBFsep=;\r\nindicator_id;period;value\r\nx;2009;1,5\r\n");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(result->rows[0].row, 3);
  EXPECT_THAT(result->rows[0].value, DoubleEq(1.5));
  // The named separator wins over what the header looks like.
  EXPECT_EQ(FileMessage("SEP=,\nindicator_id;period;value\n"),
            "csv: row 2: unknown column \"indicator_id;period;value\"; the "
            "columns are indicator_id, period, value and optionally series, "
            "source, note");
  EXPECT_EQ(FileMessage("sep=;\n\n"),
            "csv: the file is empty; expected a header row");
}

TEST(ParseMeasurementCsvTest, StripsAByteOrderMark) {
  absl::StatusOr<CsvParseResult> result =
      ParseOwn("\xEF\xBB\xBFindicator_id;period;value\r\nx;2009;1,5\r\n");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(result->rows[0].indicator_id, "x");
  EXPECT_THAT(result->rows[0].value, DoubleEq(1.5));
}

TEST(ParseMeasurementCsvTest, HeaderOnlyIsNoRows) {
  for (absl::string_view csv :
       {"indicator_id;period;value", "indicator_id;period;value\r\n",
        "\xEF\xBB\xBFindicator_id,period,value\n\n\n"}) {
    absl::StatusOr<CsvParseResult> result = ParseOwn(csv);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_THAT(result->rows, IsEmpty());
    EXPECT_THAT(result->errors, IsEmpty());
    EXPECT_EQ(result->ignored_count, 0);
  }
}

TEST(ParseMeasurementCsvTest, RefusesAnEmptyFile) {
  for (absl::string_view csv : {"", "\xEF\xBB\xBF", "\n\r\n  \t\n"}) {
    absl::Status status = FileStatus(csv);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(),
              "csv: the file is empty; expected a header row");
  }
}

TEST(ParseMeasurementCsvTest, RefusesTooLargeFilesBeforeReadingThem) {
  std::string garbage(100 << 20, '\xFF');
  absl::Status status = FileStatus(garbage);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(),
            "csv: the file has 104857600 bytes; at most 33554432 (32 MiB)");

  std::string just_over = "indicator_id;period;value\n";
  just_over.resize(kMaxCsvBytes + 1, '\n');
  EXPECT_EQ(FileStatus(just_over).code(), absl::StatusCode::kResourceExhausted);
  std::string at_limit = "indicator_id;period;value\n";
  at_limit.resize(kMaxCsvBytes, '\n');
  EXPECT_TRUE(ParseOwn(at_limit).ok());
}

TEST(ParseMeasurementCsvTest, RefusesRandomBytesAsNotUtf8) {
  std::mt19937 random(20090501);
  std::string bytes(1 << 20, '\0');
  for (char& c : bytes) c = static_cast<char>(random() & 0xFF);
  absl::Status status = FileStatus(bytes);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith("csv: row "));
  EXPECT_THAT(std::string(status.message()), HasSubstr("not UTF-8"));
}

TEST(ParseMeasurementCsvTest, RefusesWindows1252NamingTheRow) {
  // "Bemærkning" saved as Windows-1252: 0xE6 for "æ".
  absl::Status status =
      FileStatus("indicator_id;period;value;note\nx;2009;1;Bem\xE6rkning\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("csv: row 2: not UTF-8 (byte 0xE6 at byte 13 of the "
                         "line); save the file as \"CSV UTF-8\""));
  // Overlong and surrogate forms are not UTF-8 either.
  EXPECT_THAT(FileMessage("indicator_id;period;value\n\xC0\xAF;2009;1\n"),
              StartsWith("csv: row 2: not UTF-8 (byte 0xC0"));
  EXPECT_THAT(FileMessage("indicator_id;period;value\n\xED\xA0\x80;2009;1\n"),
              StartsWith("csv: row 2: not UTF-8 (byte 0xED"));
}

TEST(ParseMeasurementCsvTest, RefusesBinaryData) {
  std::string csv = "indicator_id;period;value\nx;2009;1\n";
  csv += std::string("x;2010;\0\x01\x02", 10);
  absl::Status status = FileStatus(csv);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "csv: row 3: binary data (byte 0x00); a measurement file is text");
  // UTF-16, as Excel's "Unicode text" writes.
  status = FileStatus(std::string("\xFF\xFEi\0d\0", 6));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "csv: the file is UTF-16; save it as \"CSV UTF-8\"");
}

TEST(ParseMeasurementCsvTest, BadValuesAreRowErrorsAndParsingGoesOn) {
  absl::StatusOr<CsvParseResult> result = ParseOwn(
      "indicator_id;period;value\n"
      "x;2009;NaN\n"
      "x;2010;inf\n"
      "x;2011;-Infinity\n"
      "x;2012;tolv\n"
      "x;2013;\n"
      "x;2014;1.234\n"
      "x;2015;1.234,5\n");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(
      Reasons(*result),
      ElementsAre("2 value: \"NaN\" is not a finite number",
                  "3 value: \"inf\" is not a finite number",
                  "4 value: \"-Infinity\" is not a finite number",
                  "5 value: \"tolv\" is not a number", "6 value: empty",
                  "7 value: \"1.234\" is ambiguous: 1234 with a thousands "
                  "separator, or a number with three decimals; write 1234 or "
                  "1.2340"));
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(result->rows[0].row, 8);
  EXPECT_THAT(result->rows[0].value, DoubleEq(1234.5));
}

TEST(ParseMeasurementCsvTest, BadPeriodsSeriesAndIdsAreRowErrors) {
  absl::StatusOr<CsvParseResult> result = ParseOwn(
      "indicator_id;period;series;value\n"
      "x;;;1\n"
      "x;2009H1;;1\n"
      "x;2009;kontrolgruppe;1\n"
      ";2009;;1\n"
      ";;both;x\n"
      "x;2009;;1\n");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(
      Reasons(*result),
      ElementsAre(
          "2 period: empty",
          "3 period: \"2009H1\" is not a year, quarter or month such as 2009, "
          "2009K2 or 2009M05",
          "4 series: \"kontrolgruppe\" is not target_group or reference_group",
          "5 indicator_id: empty",
          "6 indicator_id: empty; period: empty; series: \"both\" is not "
          "target_group or reference_group; value: \"x\" is not a number"));
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(result->rows[0].row, 7);
}

TEST(ParseMeasurementCsvTest, RefusesASecondValueForThePeriodAndSeries) {
  absl::StatusOr<CsvParseResult> result = ParseOwn(
      "indicator_id;period;series;value\n"
      "x;2009;;1\n"
      "x;2009;reference_group;2\n"
      "y;2009;;3\n"
      "x;2009K1;;4\n"
      "x;2009;target_group;5\n"
      "x;bad;;6\n");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Reasons(*result),
              ElementsAre("6 period: 2009 (target_group) of indicator x is "
                          "also in row 2",
                          "7 period: \"bad\" is not a year, quarter or month "
                          "such as 2009, 2009K2 or 2009M05"));
  ASSERT_EQ(result->rows.size(), 4u);
  EXPECT_THAT(result->rows[0].value, DoubleEq(1));
  EXPECT_THAT(result->rows[3].value, DoubleEq(4));
}

TEST(ParseMeasurementCsvTest, ReadsTheOwnLayoutFixture) {
  std::string csv = ReadFixture("measurements_own_layout.csv");
  ASSERT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  ASSERT_NE(csv.find("\r\n"), std::string::npos);
  absl::StatusOr<CsvParseResult> result = ParseOwn(csv);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Reasons(*result), IsEmpty());
  ASSERT_EQ(result->rows.size(), 7u);
  const CsvMeasurementRow& note = result->rows[2];
  EXPECT_EQ(note.row, 4);
  EXPECT_EQ(note.indicator_id, "beskaeftigelse-indvandrere");
  EXPECT_EQ(note.period, "2011");
  EXPECT_THAT(note.value, DoubleEq(53.9));
  EXPECT_EQ(note.source, "Jobcentret");
  EXPECT_EQ(note.note, "Foreløbigt tal; revideres i \"Årsrapport 2012\"");
  EXPECT_EQ(result->rows[1].series, v1::SERIES_REFERENCE_GROUP);
  EXPECT_EQ(result->rows[4].period, "2011-Q1");
  EXPECT_EQ(result->rows[4].series, v1::SERIES_TARGET_GROUP);
  EXPECT_EQ(result->rows[6].period, "2011-05");
  EXPECT_THAT(result->rows[6].value, DoubleEq(6.25));
}

TEST(ParseMeasurementCsvTest, RefusesAnUnknownLayout) {
  absl::StatusOr<CsvParseResult> result =
      ParseMeasurementCsv("indicator_id;period;value\n",
                          static_cast<v1::CsvLayout>(7), NoMapping());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "layout: unknown layout 7");
}

// --- StatBank layout -----------------------------------------------------

v1::StatBankMapping Ras200Mapping() {
  v1::StatBankMapping mapping;
  mapping.set_indicator_name(
      "municipalities/169/indicators/beskaeftigelse-indvandrere");
  mapping.set_series_column("HERKOMST");
  mapping.set_target_group_value("Indvandrere fra ikke-vestlige lande");
  mapping.set_reference_group_value("Personer med dansk oprindelse");
  (*mapping.mutable_filters())["OMRÅDE"] = "Høje-Taastrup";
  (*mapping.mutable_filters())["ALDER"] = "16-64 år";
  return mapping;
}

absl::StatusOr<CsvParseResult> ParseStatBank(
    absl::string_view csv, const v1::StatBankMapping& mapping) {
  return ParseMeasurementCsv(csv, v1::CSV_LAYOUT_STATBANK, mapping);
}

TEST(ParseMeasurementCsvTest, ReadsTheStatBankFixtureThroughTheMapping) {
  absl::StatusOr<CsvParseResult> result = ParseStatBank(
      ReadFixture("statbank_ras200_hoeje_taastrup.csv"), Ras200Mapping());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Reasons(*result), IsEmpty());
  // 10 rows of the whole country, 5 of descendants, 1 "..".
  EXPECT_EQ(result->ignored_count, 16);
  ASSERT_EQ(result->rows.size(), 9u);
  std::vector<std::string> got;
  for (const CsvMeasurementRow& row : result->rows) {
    EXPECT_EQ(row.indicator_id, "");
    EXPECT_EQ(row.source, "");
    got.push_back(absl::StrCat(
        row.row, " ", row.period, " ",
        row.series == v1::SERIES_TARGET_GROUP ? "target" : "reference", " ",
        row.value));
  }
  EXPECT_THAT(got, ElementsAre("2 2008 reference 78.4", "3 2009 reference 76.9",
                               "4 2010 reference 75.2", "5 2011 reference 75",
                               "6 2012 reference 74.8", "7 2008 target 49.6",
                               "8 2009 target 47.1", "9 2010 target 45.3",
                               "10 2011 target 45.8"));
}

TEST(ParseMeasurementCsvTest, StatBankWithoutSeriesColumnIsAllTargetGroup) {
  v1::StatBankMapping mapping;
  // Column names and values match regardless of case, Danish letters too.
  (*mapping.mutable_filters())["område"] = "HØJE-TAASTRUP";
  absl::StatusOr<CsvParseResult> result = ParseStatBank(
      "\xEF\xBB\xBF"
      "OMRÅDE;TID;INDHOLD\r\n"
      "Høje-Taastrup;2009K1;10,5\r\n"
      "Høje-Taastrup;2009Q2;-\r\n"
      "Høje-Taastrup;2009K3;..\r\n"
      "Albertslund;2009K1;11\r\n"
      "Høje-Taastrup;2009M05;1234\r\n"
      " Høje-Taastrup ;2010;1,734\r\n",
      mapping);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Reasons(*result), IsEmpty());
  EXPECT_EQ(result->ignored_count, 3);
  ASSERT_EQ(result->rows.size(), 3u);
  EXPECT_EQ(result->rows[0].period, "2009-Q1");
  EXPECT_EQ(result->rows[0].series, v1::SERIES_TARGET_GROUP);
  EXPECT_THAT(result->rows[0].value, DoubleEq(10.5));
  EXPECT_EQ(result->rows[1].period, "2009-05");
  EXPECT_EQ(result->rows[1].row, 6);
  EXPECT_EQ(result->rows[2].period, "2010");
  // No thousands separators in StatBank files: a decimal comma.
  EXPECT_THAT(result->rows[2].value, DoubleEq(1.734));
}

TEST(ParseMeasurementCsvTest, StatBankValueColumnNeedNotBeLast) {
  absl::StatusOr<CsvParseResult> result = ParseStatBank(
      "indhold;tid;HERKOMST\n5;2009;I alt\n", v1::StatBankMapping());
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_THAT(result->rows[0].value, DoubleEq(5));
}

TEST(ParseMeasurementCsvTest, StatBankBadCellsAreRowErrorsNamingTheColumn) {
  absl::StatusOr<CsvParseResult> result = ParseStatBank(
      "OMRÅDE;TID;INDHOLD\n"
      "Høje-Taastrup;2009H1;4\n"
      "Høje-Taastrup;2010;fire\n"
      "Høje-Taastrup;2011\n"
      "Høje-Taastrup;2012;NaN\n"
      "Høje-Taastrup;2013;5\n",
      v1::StatBankMapping());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(
      Reasons(*result),
      ElementsAre("2 TID: \"2009H1\" is not a year, quarter or month such as "
                  "2009, 2009K2 or 2009M05",
                  "3 INDHOLD: \"fire\" is not a number",
                  "4 INDHOLD: missing; the row has 2 fields and the header 3",
                  "5 INDHOLD: \"NaN\" is not a finite number"));
  ASSERT_EQ(result->rows.size(), 1u);
}

TEST(ParseMeasurementCsvTest, StatBankRefusesUnfilteredVariables) {
  // KØN is not filtered: three values land on each period.
  v1::StatBankMapping mapping;
  absl::StatusOr<CsvParseResult> result = ParseStatBank(
      "KØN;TID;INDHOLD\nI alt;2009;10\nMænd;2009;4\nKvinder;2009;6\n", mapping);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Reasons(*result),
              ElementsAre("3 TID: 2009 (target_group) is also in row 2; "
                          "filter the table's other variables with "
                          "statbank.filters",
                          "4 TID: 2009 (target_group) is also in row 2; "
                          "filter the table's other variables with "
                          "statbank.filters"));
  ASSERT_EQ(result->rows.size(), 1u);
  (*mapping.mutable_filters())["KØN"] = "I alt";
  result = ParseStatBank(
      "KØN;TID;INDHOLD\nI alt;2009;10\nMænd;2009;4\nKvinder;2009;6\n", mapping);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Reasons(*result), IsEmpty());
  EXPECT_EQ(result->ignored_count, 2);
}

TEST(ParseMeasurementCsvTest, StatBankRefusesUnknownMappedColumns) {
  std::string csv = ReadFixture("statbank_ras200_hoeje_taastrup.csv");
  v1::StatBankMapping mapping = Ras200Mapping();
  (*mapping.mutable_filters())["KØN"] = "I alt";
  absl::Status status = FileStatus(csv, v1::CSV_LAYOUT_STATBANK, mapping);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "csv: row 1: statbank.filters names column \"KØN\", which the "
            "header \"OMRÅDE;HERKOMST;ALDER;TID;INDHOLD\" does not have");

  mapping = Ras200Mapping();
  mapping.set_series_column("OPRINDELSE");
  status = FileStatus(csv, v1::CSV_LAYOUT_STATBANK, mapping);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("csv: row 1: statbank.series_column names column "
                         "\"OPRINDELSE\""));
}

TEST(ParseMeasurementCsvTest, StatBankNeedsTidAndIndhold) {
  absl::Status status =
      FileStatus("OMRÅDE;TID;VÆRDI\nx;2009;1\n", v1::CSV_LAYOUT_STATBANK);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("csv: row 1: missing column INDHOLD in the header "
                         "\"OMRÅDE;TID;VÆRDI\""));
  EXPECT_THAT(FileMessage("indicator_id;period;value\nx;2009;1\n",
                          v1::CSV_LAYOUT_STATBANK),
              StartsWith("csv: row 1: missing column TID"));
  EXPECT_EQ(
      FileMessage("TID;TID;INDHOLD\n2009;2009;1\n", v1::CSV_LAYOUT_STATBANK),
      "csv: row 1: column TID appears twice");
}

TEST(ParseMeasurementCsvTest, StatBankRefusesMixedSeparators) {
  absl::Status status =
      FileStatus("OMRÅDE;HERKOMST;TID;INDHOLD\nx;y;2009;1\nx,y,2010,2\n",
                 v1::CSV_LAYOUT_STATBANK);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("csv: row 3: mixed separators"));
}

TEST(ParseMeasurementCsvTest, RefusesAnInconsistentMapping) {
  std::string csv = "HERKOMST;TID;INDHOLD\nx;2009;1\n";
  v1::StatBankMapping mapping;
  mapping.set_target_group_value("x");
  absl::Status status = FileStatus(csv, v1::CSV_LAYOUT_STATBANK, mapping);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("statbank.series_column: required"));

  mapping.Clear();
  mapping.set_series_column("HERKOMST");
  EXPECT_THAT((FileMessage(csv, v1::CSV_LAYOUT_STATBANK, mapping)),
              StartsWith("statbank.target_group_value: required"));

  mapping.set_target_group_value("x");
  mapping.set_reference_group_value(" X ");
  EXPECT_EQ(FileMessage(csv, v1::CSV_LAYOUT_STATBANK, mapping),
            "statbank.reference_group_value: the same as target_group_value");

  mapping.Clear();
  (*mapping.mutable_filters())[" "] = "x";
  EXPECT_EQ(FileMessage(csv, v1::CSV_LAYOUT_STATBANK, mapping),
            "statbank.filters: a filter without a column name");

  // The own layout takes no mapping, so it does not look at one.
  EXPECT_TRUE(ParseMeasurementCsv("indicator_id;period;value\n",
                                  v1::CSV_LAYOUT_MEASUREMENTS, mapping)
                  .ok());
}

TEST(ParseMeasurementCsvTest, StatBankReferenceGroupOnly) {
  v1::StatBankMapping mapping;
  mapping.set_series_column("herkomst");
  mapping.set_reference_group_value("Personer med dansk oprindelse");
  absl::StatusOr<CsvParseResult> result = ParseStatBank(
      "HERKOMST;TID;INDHOLD\n"
      "Personer med dansk oprindelse;2009;75,1\n"
      "Indvandrere;2009;45\n",
      mapping);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(result->rows[0].series, v1::SERIES_REFERENCE_GROUP);
  EXPECT_EQ(result->ignored_count, 1);
}

// --- Size ----------------------------------------------------------------

TEST(ParseMeasurementCsvTest, ReadsManyRowsAndLongFields) {
  // Near the size limit: linear time, no surprises with big files.
  std::string csv = "indicator_id;period;value;note\n";
  constexpr int kRows = 400000;
  csv.reserve(kRows * 60);
  for (int i = 0; i < kRows; ++i) {
    absl::StrAppend(&csv, "indikator-", i % 1000, ";", 1900 + i / 1000, ";",
                    i % 97, ",5;", i == 7 ? "\"lang\nnote\"" : "", "\n");
  }
  absl::StatusOr<CsvParseResult> result = ParseOwn(csv);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->errors, IsEmpty());
  ASSERT_EQ(result->rows.size(), static_cast<size_t>(kRows));
  EXPECT_EQ(result->rows.back().row, kRows + 2);  // one note spans two lines
  EXPECT_EQ(result->rows.back().period, "2299");

  // One 20 MiB quoted note.
  std::string big = absl::StrCat("indicator_id;period;value;note\nx;2009;1;\"",
                                 std::string(20 << 20, 'a'), "\"\n");
  result = ParseOwn(big);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(result->rows[0].note.size(), size_t{20} << 20);
}

TEST(ParseMeasurementCsvTest, EchoesOfHugeValuesAreCut) {
  std::string csv = absl::StrCat("indicator_id;period;value\nx;2009;",
                                 std::string(10000, 'z'), "\n");
  absl::StatusOr<CsvParseResult> result = ParseOwn(csv);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->errors.size(), 1u);
  EXPECT_LT(result->errors[0].reason().size(), 100u);
  EXPECT_THAT(result->errors[0].reason(), HasSubstr("…\" is not a number"));
}

}  // namespace
}  // namespace kommune::followup
