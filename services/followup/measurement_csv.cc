#include "services/followup/measurement_csv.h"

#include <csv.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/types/optional.h"
#include "google/protobuf/stubs/common.h"

namespace kommune::followup {
namespace {

constexpr absl::string_view kBom = "\xEF\xBB\xBF";
// Values echoed in messages are cut to this many bytes, so a huge field
// cannot make a huge error.
constexpr size_t kMaxEcho = 40;
constexpr size_t kMaxHeaderEcho = 200;
// Fields kept per record. More in the header is refused; a line of a
// million separators must not become a million strings.
constexpr size_t kMaxFields = 1000;
// Longest value text worth reading as a number; a double has 17 digits.
constexpr size_t kMaxNumberChars = 64;
// libcsv grows its field buffer by this much at a time; the 128-byte
// default would make a long field cost many reallocations.
constexpr size_t kCsvBlockSize = 64 << 10;

constexpr const char* kOwnColumns[] = {"indicator_id", "period", "value",
                                       "series",       "source", "note"};
enum OwnColumn { kIndicatorId, kPeriod, kValue, kSeries, kSource, kNote };

absl::Status FileError(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("csv: ", what));
}

absl::Status RowFileError(int row, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("csv: row ", row, ": ", what));
}

absl::Status FieldError(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

absl::string_view Trim(absl::string_view s) {
  return absl::StripAsciiWhitespace(s);
}

// `text` in quotes for a message, cut at a character boundary when long.
std::string Echo(absl::string_view text, size_t max = kMaxEcho) {
  if (text.size() <= max) return absl::StrCat("\"", text, "\"");
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return absl::StrCat("\"", text.substr(0, cut), "…\"");
}

// Case folding for column names and StatBank values: ASCII plus the Latin-1
// letters (Æ Ø Å and friends), which is what Danish headers use and needs
// no Unicode tables. The text is valid UTF-8 by now.
void FoldInto(absl::string_view text, std::string* out) {
  out->clear();
  text = Trim(text);
  out->reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0xC3 && i + 1 < text.size()) {
      unsigned char next = static_cast<unsigned char>(text[i + 1]);
      // U+00C0..U+00DE are capitals except U+00D7 (×).
      if (next >= 0x80 && next <= 0x9E && next != 0x97) next += 0x20;
      out->push_back(static_cast<char>(c));
      out->push_back(static_cast<char>(next));
      ++i;
      continue;
    }
    out->push_back(absl::ascii_tolower(c));
  }
}

std::string Fold(absl::string_view text) {
  std::string out;
  FoldInto(text, &out);
  return out;
}

// Lines with something other than spaces on them: an upper bound of the
// rows, to reserve for.
size_t CountNonBlankLines(absl::string_view text) {
  size_t lines = 0;
  bool blank = true;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      lines += blank ? 0 : 1;
      blank = true;
    } else if (c != ' ' && c != '\t') {
      blank = false;
    }
  }
  return lines + (blank ? 0 : 1);
}

// Where the line starting at `pos` ends, past its LF, CRLF or lone CR (old
// Mac Excel), which libcsv also takes as the end of a record.
size_t LineEnd(absl::string_view text, size_t pos) {
  size_t end = text.find_first_of("\r\n", pos);
  if (end == absl::string_view::npos) return text.size();
  if (text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') {
    ++end;
  }
  return end + 1;
}

bool IsBlank(absl::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

// The 1-based line of `offset`, and where that line starts.
std::pair<int, size_t> LineOf(absl::string_view text, size_t offset) {
  int line = 1;
  size_t start = 0;
  for (size_t end = LineEnd(text, 0); end <= offset && end < text.size();
       end = LineEnd(text, end)) {
    ++line;
    start = end;
  }
  return {line, start};
}

// Offset of the first byte that is not part of valid UTF-8 (RFC 3629: no
// overlong forms, surrogates or code points past U+10FFFF), or npos. Only
// called once the fast protobuf check has said the text is invalid.
size_t FirstInvalidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    uint32_t cp = c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      unsigned char b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return i;
    if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return i;
    i += len;
  }
  return absl::string_view::npos;
}

// Control characters other than tab and line ends mean a binary file (or
// UTF-16, whose ASCII comes with NUL bytes).
size_t FirstControl(absl::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return i;
  }
  return absl::string_view::npos;
}

absl::Status CheckText(absl::string_view text) {
  if (google::protobuf::internal::IsStructurallyValidUTF8(
          text.data(), static_cast<int>(text.size()))) {
    size_t bad = FirstControl(text);
    if (bad == absl::string_view::npos) return absl::OkStatus();
    return RowFileError(
        LineOf(text, bad).first,
        absl::StrFormat("binary data (byte 0x%02X); a measurement file is text",
                        static_cast<unsigned char>(text[bad])));
  }
  size_t bad = FirstInvalidUtf8(text);
  if (bad == absl::string_view::npos) {
    return FileError("not UTF-8; save the file as \"CSV UTF-8\"");
  }
  auto [line, line_start] = LineOf(text, bad);
  return RowFileError(
      line, absl::StrFormat(
                "not UTF-8 (byte 0x%02X at byte %d of the line); save "
                "the file as \"CSV UTF-8\", not in a Windows code page",
                static_cast<unsigned char>(text[bad]), bad - line_start + 1));
}

// The separator, from the header line: ';' or ',' outside quotes. A header
// with both is refused, since one of them must then be part of a name.
absl::StatusOr<char> DetectSeparator(absl::string_view text, int row) {
  int semicolons = 0, commas = 0, tabs = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') {
      quoted = !quoted;
    } else if (quoted) {
      continue;
    } else if (c == '\n' || c == '\r') {
      break;
    } else if (c == ';') {
      ++semicolons;
    } else if (c == ',') {
      ++commas;
    } else if (c == '\t') {
      ++tabs;
    }
  }
  if (semicolons > 0 && commas > 0) {
    return RowFileError(row,
                        "the header mixes ';' and ','; separate the columns "
                        "with one of them");
  }
  if (semicolons == 0 && commas == 0 && tabs > 0) {
    return RowFileError(
        row, "the header is separated by tabs; separate it with ';' or ','");
  }
  return semicolons > 0 ? ';' : ',';
}

bool IsMissingStatBankValue(absl::string_view value) {
  // Danmarks Statistik writes ".." for "not available"; "-" and an empty
  // cell also mean no value.
  return value.empty() || value == ".." || value == "..." || value == "." ||
         value == "-";
}

// Reads one file. libcsv tokenises; this class tracks line numbers, reads
// the header and turns each record into a row or a row error.
class Parser {
 public:
  // `text` starts at the header, on line `first_line` of the file.
  Parser(absl::string_view text, int first_line, char separator,
         v1::CsvLayout layout, const v1::StatBankMapping& mapping,
         CsvParseResult* result)
      : text_(text),
        line_(first_line),
        separator_(separator),
        other_separator_(separator == ';' ? ',' : ';'),
        statbank_(layout == v1::CSV_LAYOUT_STATBANK),
        mapping_(mapping),
        result_(result) {
    fields_.reserve(16);
  }

  absl::Status Run();

 private:
  static void OnField(void* data, size_t len, void* self);
  static void OnRecord(int c, void* self);

  void EndRecord();
  absl::Status ReadHeader();
  absl::Status ReadOwnHeader();
  absl::Status ReadStatBankHeader();
  // The header column whose folded name is `folded`, -1 if none, or an
  // error when it appears twice.
  absl::StatusOr<int> FindColumn(absl::string_view folded,
                                 absl::string_view shown) const;
  std::string HeaderList() const;
  // False when the row is to be skipped (blank) or was reported.
  bool CheckFieldCount();
  void ReadOwnRow();
  void ReadStatBankRow();
  void AddProblem(const absl::Status& status);
  void AddRowError(std::string reason);
  absl::string_view Field(int column) const {
    return column < 0 ? absl::string_view() : Trim(fields_[column]);
  }

  absl::string_view text_;
  // Line being fed and line where the current record began.
  int line_;
  int record_line_ = 1;
  char separator_;
  char other_separator_;
  bool statbank_;
  const v1::StatBankMapping& mapping_;
  CsvParseResult* result_;

  // The fields of the record being read; strings are reused across records
  // so that steady-state parsing does not allocate per field.
  std::vector<std::string> fields_;
  size_t field_count_ = 0;
  bool need_record_start_ = true;
  // The first whole-file error seen in a callback; later records are skipped.
  absl::Status status_;

  bool have_header_ = false;
  size_t header_count_ = 0;
  std::vector<std::string> header_names_;   // as written, trimmed
  std::vector<std::string> folded_header_;  // folded, for lookups
  int period_column_ = -1;
  int value_column_ = -1;
  int series_column_ = -1;
  int indicator_column_ = -1;
  int source_column_ = -1;
  int note_column_ = -1;
  std::string period_name_ = "period";
  std::string value_name_ = "value";
  // StatBank: required values, folded.
  std::vector<std::pair<int, std::string>> filters_;
  std::string target_value_;
  std::string reference_value_;

  std::string problems_;  // reasons found in the current row
  std::string scratch_;   // a folded field
};

void Parser::OnField(void* data, size_t len, void* self) {
  auto* p = static_cast<Parser*>(self);
  if (p->field_count_ < kMaxFields) {
    if (p->field_count_ == p->fields_.size()) p->fields_.emplace_back();
    p->fields_[p->field_count_].assign(static_cast<const char*>(data), len);
  }
  ++p->field_count_;
}

void Parser::OnRecord(int /*c*/, void* self) {
  auto* p = static_cast<Parser*>(self);
  if (p->status_.ok() && p->field_count_ > 0) p->EndRecord();
  p->field_count_ = 0;
  p->need_record_start_ = true;
}

absl::Status Parser::Run() {
  csv_parser csv;
  if (csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    return absl::InternalError("csv: cannot start the CSV parser");
  }
  csv_set_delim(&csv, static_cast<unsigned char>(separator_));
  csv_set_blk_size(&csv, kCsvBlockSize);

  // Fed one line at a time so that each record knows the line it starts
  // on, even when a quoted field holds line breaks.
  size_t pos = 0;
  while (pos < text_.size() && status_.ok()) {
    size_t end = LineEnd(text_, pos);
    absl::string_view chunk = text_.substr(pos, end - pos);
    // libcsv skips blank lines between records, so a record starts on the
    // first line with something on it.
    if (need_record_start_ && !IsBlank(chunk)) {
      record_line_ = line_;
      need_record_start_ = false;
    }
    size_t done = csv_parse(&csv, chunk.data(), chunk.size(), &Parser::OnField,
                            &Parser::OnRecord, this);
    if (done != chunk.size() && status_.ok()) {
      if (csv_error(&csv) == CSV_EPARSE) {
        status_ = RowFileError(
            line_, chunk[done] == '"'
                       ? "a '\"' inside an unquoted field; quote the whole "
                         "field and double the quote, as in \"12\"\" skærm\""
                       : "text after the closing quote of a quoted field; a "
                         "quoted field ends at the separator");
      } else {
        status_ = absl::ResourceExhaustedError(absl::StrCat(
            "csv: row ", line_, ": ", csv_strerror(csv_error(&csv))));
      }
    }
    ++line_;
    pos = end;
  }
  if (status_.ok() &&
      csv_fini(&csv, &Parser::OnField, &Parser::OnRecord, this) != 0) {
    status_ = RowFileError(record_line_,
                           "unclosed quote: a quoted field that starts here "
                           "has no closing '\"'");
  }
  csv_free(&csv);
  if (status_.ok() && !have_header_) {
    status_ = FileError("the file is empty; expected a header row");
  }
  return status_;
}

void Parser::EndRecord() {
  if (!have_header_) {
    status_ = ReadHeader();
    have_header_ = true;
    return;
  }
  if (!CheckFieldCount()) return;
  if (statbank_) {
    ReadStatBankRow();
  } else {
    ReadOwnRow();
  }
}

absl::StatusOr<int> Parser::FindColumn(absl::string_view folded,
                                       absl::string_view shown) const {
  int found = -1;
  for (size_t i = 0; i < folded_header_.size(); ++i) {
    if (folded_header_[i] != folded) continue;
    if (found >= 0) {
      return RowFileError(record_line_,
                          absl::StrCat("column ", shown, " appears twice"));
    }
    found = static_cast<int>(i);
  }
  return found;
}

std::string Parser::HeaderList() const {
  return absl::StrJoin(header_names_, std::string(1, separator_));
}

absl::Status Parser::ReadHeader() {
  if (field_count_ > kMaxFields) {
    return RowFileError(record_line_,
                        absl::StrCat("the header has ", field_count_,
                                     " columns; at most ", kMaxFields));
  }
  header_count_ = field_count_;
  header_names_.resize(header_count_);
  folded_header_.resize(header_count_);
  for (size_t i = 0; i < header_count_; ++i) {
    header_names_[i] = std::string(Trim(fields_[i]));
    FoldInto(fields_[i], &folded_header_[i]);
  }
  return statbank_ ? ReadStatBankHeader() : ReadOwnHeader();
}

absl::Status Parser::ReadOwnHeader() {
  int* columns[] = {&indicator_column_, &period_column_, &value_column_,
                    &series_column_,    &source_column_, &note_column_};
  for (size_t i = 0; i < header_count_; ++i) {
    // Spreadsheets export trailing columns without a name; they are ignored.
    if (folded_header_[i].empty()) continue;
    int known = -1;
    for (int k = 0; k < 6; ++k) {
      if (folded_header_[i] == kOwnColumns[k]) known = k;
    }
    if (known < 0) {
      bool looks_statbank = FindColumn("tid", "TID").value_or(-1) >= 0 &&
                            FindColumn("indhold", "INDHOLD").value_or(-1) >= 0;
      return RowFileError(
          record_line_,
          absl::StrCat("unknown column ", Echo(header_names_[i]),
                       "; the columns are indicator_id, period, value and "
                       "optionally series, source, note",
                       looks_statbank ? " (for a Danmarks Statistik file use "
                                        "layout CSV_LAYOUT_STATBANK)"
                                      : ""));
    }
    if (*columns[known] >= 0) {
      return RowFileError(
          record_line_,
          absl::StrCat("column ", kOwnColumns[known], " appears twice"));
    }
    *columns[known] = static_cast<int>(i);
  }
  for (int k : {kIndicatorId, kPeriod, kValue}) {
    if (*columns[k] < 0) {
      return RowFileError(
          record_line_,
          absl::StrCat("missing column ", kOwnColumns[k], " in the header ",
                       Echo(HeaderList(), kMaxHeaderEcho),
                       "; the columns are indicator_id, period, value and "
                       "optionally series, source, note"));
    }
  }
  return absl::OkStatus();
}

absl::Status Parser::ReadStatBankHeader() {
  auto find_required = [&](absl::string_view folded, absl::string_view shown,
                           int* column, std::string* name) -> absl::Status {
    absl::StatusOr<int> found = FindColumn(folded, shown);
    if (!found.ok()) return found.status();
    if (*found < 0) {
      return RowFileError(
          record_line_,
          absl::StrCat("missing column ", shown, " in the header ",
                       Echo(HeaderList(), kMaxHeaderEcho),
                       "; a StatBank file has the time in column TID and the "
                       "value in column INDHOLD"));
    }
    *column = *found;
    *name = header_names_[*found];
    return absl::OkStatus();
  };
  absl::Status status =
      find_required("tid", "TID", &period_column_, &period_name_);
  if (!status.ok()) return status;
  status = find_required("indhold", "INDHOLD", &value_column_, &value_name_);
  if (!status.ok()) return status;

  auto find_mapped = [&](absl::string_view what,
                         absl::string_view name) -> absl::StatusOr<int> {
    absl::StatusOr<int> found = FindColumn(Fold(name), name);
    if (found.ok() && *found < 0) {
      return RowFileError(
          record_line_,
          absl::StrCat(what, " names column ", Echo(name),
                       ", which the header ",
                       Echo(HeaderList(), kMaxHeaderEcho), " does not have"));
    }
    return found;
  };
  if (!mapping_.series_column().empty()) {
    absl::StatusOr<int> found =
        find_mapped("statbank.series_column", mapping_.series_column());
    if (!found.ok()) return found.status();
    series_column_ = *found;
    target_value_ = Fold(mapping_.target_group_value());
    reference_value_ = Fold(mapping_.reference_group_value());
  }
  // Sorted so that messages and checks do not depend on map order.
  std::vector<std::pair<std::string, std::string>> filters(
      mapping_.filters().begin(), mapping_.filters().end());
  std::sort(filters.begin(), filters.end());
  for (const auto& [column, value] : filters) {
    absl::StatusOr<int> found = find_mapped("statbank.filters", column);
    if (!found.ok()) return found.status();
    filters_.emplace_back(*found, Fold(value));
  }
  return absl::OkStatus();
}

bool Parser::CheckFieldCount() {
  if (field_count_ > kMaxFields) {
    AddRowError(absl::StrCat("the row has ", field_count_,
                             " fields and the header ", header_count_));
    return false;
  }
  size_t n = field_count_;
  bool blank = true;
  for (size_t i = 0; i < n && blank; ++i) blank = Trim(fields_[i]).empty();
  // Spreadsheets write ";;" for an empty row; it is no measurement.
  if (blank) return false;
  // ...and extra separators at the end of rows; empty extra fields are fine.
  while (n > header_count_ && Trim(fields_[n - 1]).empty()) --n;
  if (n == header_count_) return true;

  // A row that splits into the header's columns at the other separator was
  // written with it: the file mixes separators, and every row is suspect.
  size_t others = 0;
  for (size_t i = 0; i < field_count_; ++i) {
    others +=
        std::count(fields_[i].begin(), fields_[i].end(), other_separator_);
  }
  if (header_count_ >= 2 && others >= header_count_ - 1) {
    status_ = RowFileError(
        record_line_,
        absl::StrFormat("mixed separators: this row is separated by '%c' but "
                        "the header by '%c'; use one separator throughout",
                        other_separator_, separator_));
    return false;
  }
  if (n < header_count_) {
    AddRowError(absl::StrCat(header_names_[n].empty()
                                 ? absl::StrCat("column ", n + 1)
                                 : header_names_[n],
                             ": missing; the row has ", n,
                             " fields and the header ", header_count_));
  } else {
    AddRowError(absl::StrCat(
        "the row has ", n, " fields and the header ", header_count_, "; field ",
        header_count_ + 1, " has no column",
        separator_ == ',' ? " (with ',' between fields, a decimal comma must "
                            "be quoted: \"12,5\")"
                          : ""));
  }
  return false;
}

void Parser::AddProblem(const absl::Status& status) {
  if (!problems_.empty()) problems_.append("; ");
  problems_.append(status.message().data(), status.message().size());
}

void Parser::AddRowError(std::string reason) {
  v1::RowError& error = result_->errors.emplace_back();
  error.set_row(record_line_);
  error.set_reason(std::move(reason));
}

bool ParseSeries(absl::string_view text, v1::Series* series) {
  if (text.empty() || absl::EqualsIgnoreCase(text, "target_group")) {
    *series = v1::SERIES_TARGET_GROUP;
    return true;
  }
  if (absl::EqualsIgnoreCase(text, "reference_group")) {
    *series = v1::SERIES_REFERENCE_GROUP;
    return true;
  }
  return false;
}

void Parser::ReadOwnRow() {
  problems_.clear();
  absl::string_view id = Field(indicator_column_);
  if (id.empty()) AddProblem(FieldError("indicator_id", "empty"));
  absl::StatusOr<std::string> period =
      CanonicalMeasurementPeriod(Field(period_column_), "period");
  if (!period.ok()) AddProblem(period.status());
  v1::Series series = v1::SERIES_TARGET_GROUP;
  absl::string_view series_text = Field(series_column_);
  if (!ParseSeries(series_text, &series)) {
    AddProblem(FieldError(
        "series", absl::StrCat(Echo(series_text),
                               " is not target_group or reference_group")));
  }
  absl::StatusOr<double> value =
      ParseMeasurementValue(Field(value_column_), "value", true);
  if (!value.ok()) AddProblem(value.status());
  if (!problems_.empty()) {
    AddRowError(problems_);
    return;
  }
  CsvMeasurementRow& row = result_->rows.emplace_back();
  row.row = record_line_;
  row.indicator_id.assign(id.data(), id.size());
  row.period = *std::move(period);
  row.series = series;
  row.value = *value;
  absl::string_view source = Field(source_column_);
  row.source.assign(source.data(), source.size());
  absl::string_view note = Field(note_column_);
  row.note.assign(note.data(), note.size());
}

void Parser::ReadStatBankRow() {
  for (const auto& [column, value] : filters_) {
    FoldInto(fields_[column], &scratch_);
    if (scratch_ != value) {
      ++result_->ignored_count;
      return;
    }
  }
  v1::Series series = v1::SERIES_TARGET_GROUP;
  if (series_column_ >= 0) {
    FoldInto(fields_[series_column_], &scratch_);
    if (!target_value_.empty() && scratch_ == target_value_) {
      series = v1::SERIES_TARGET_GROUP;
    } else if (!reference_value_.empty() && scratch_ == reference_value_) {
      series = v1::SERIES_REFERENCE_GROUP;
    } else {
      ++result_->ignored_count;
      return;
    }
  }
  absl::string_view value_text = Field(value_column_);
  if (IsMissingStatBankValue(value_text)) {
    ++result_->ignored_count;
    return;
  }
  problems_.clear();
  absl::StatusOr<std::string> period =
      CanonicalMeasurementPeriod(Field(period_column_), period_name_);
  if (!period.ok()) AddProblem(period.status());
  // Danmarks Statistik writes no thousands separators, so "1,234" is a
  // decimal number there.
  absl::StatusOr<double> value =
      ParseMeasurementValue(value_text, value_name_, false);
  if (!value.ok()) AddProblem(value.status());
  if (!problems_.empty()) {
    AddRowError(problems_);
    return;
  }
  CsvMeasurementRow& row = result_->rows.emplace_back();
  row.row = record_line_;
  row.period = *std::move(period);
  row.series = series;
  row.value = *value;
}

absl::Status CheckMapping(const v1::StatBankMapping& mapping) {
  bool has_group_value = !mapping.target_group_value().empty() ||
                         !mapping.reference_group_value().empty();
  if (mapping.series_column().empty()) {
    if (has_group_value) {
      return FieldError("statbank.series_column",
                        "required when target_group_value or "
                        "reference_group_value is set");
    }
  } else {
    if (!has_group_value) {
      return FieldError("statbank.target_group_value",
                        absl::StrCat("required with series_column ",
                                     Echo(mapping.series_column())));
    }
    if (Fold(mapping.target_group_value()) ==
        Fold(mapping.reference_group_value())) {
      return FieldError("statbank.reference_group_value",
                        "the same as target_group_value");
    }
  }
  for (const auto& [column, value] : mapping.filters()) {
    if (Trim(column).empty()) {
      return FieldError("statbank.filters", "a filter without a column name");
    }
  }
  return absl::OkStatus();
}

// A second value for the same indicator, period and series in one file is
// refused: in a StatBank table it means a variable was left unfiltered (every
// age group landing on the same period), in an own file a typo. The first
// stays.
void RefuseDuplicates(bool statbank, CsvParseResult* result) {
  using Rows = std::vector<CsvMeasurementRow>;
  if (result->rows.size() < 2) return;
  // A set of row indexes hashed by the rows' keys: a few bytes per row and
  // no allocation per row, which matters for files of a million rows.
  struct KeyHash {
    const Rows* rows;
    size_t operator()(uint32_t i) const {
      const CsvMeasurementRow& r = (*rows)[i];
      return absl::HashOf(r.indicator_id, r.period, static_cast<int>(r.series));
    }
  };
  struct KeyEq {
    const Rows* rows;
    bool operator()(uint32_t a, uint32_t b) const {
      const CsvMeasurementRow& x = (*rows)[a];
      const CsvMeasurementRow& y = (*rows)[b];
      return x.series == y.series && x.period == y.period &&
             x.indicator_id == y.indicator_id;
    }
  };
  const Rows& rows = result->rows;
  absl::flat_hash_set<uint32_t, KeyHash, KeyEq> first(
      rows.size(), KeyHash{&rows}, KeyEq{&rows});
  std::vector<bool> duplicate(rows.size(), false);
  size_t duplicates = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto [it, inserted] = first.insert(static_cast<uint32_t>(i));
    if (inserted) continue;
    duplicate[i] = true;
    ++duplicates;
    const CsvMeasurementRow& row = rows[i];
    const char* group = row.series == v1::SERIES_REFERENCE_GROUP
                            ? "reference_group"
                            : "target_group";
    int first_row = rows[*it].row;
    v1::RowError& error = result->errors.emplace_back();
    error.set_row(row.row);
    error.set_reason(
        statbank ? absl::StrCat("TID: ", row.period, " (", group,
                                ") is also in row ", first_row,
                                "; filter the table's other variables with "
                                "statbank.filters")
                 : absl::StrCat("period: ", row.period, " (", group,
                                ") of indicator ", row.indicator_id,
                                " is also in row ", first_row));
  }
  if (duplicates == 0) return;
  size_t out = 0;
  for (size_t i = 0; i < result->rows.size(); ++i) {
    if (duplicate[i]) continue;
    if (out != i) result->rows[out] = std::move(result->rows[i]);
    ++out;
  }
  result->rows.resize(out);
  std::stable_sort(result->errors.begin(), result->errors.end(),
                   [](const v1::RowError& a, const v1::RowError& b) {
                     return a.row() < b.row();
                   });
}

}  // namespace

absl::StatusOr<double> ParseMeasurementValue(absl::string_view text,
                                             absl::string_view field,
                                             bool refuse_ambiguous) {
  absl::string_view s = Trim(text);
  if (s.empty()) return FieldError(field, "empty");
  auto not_a_number = [&](absl::string_view why = "") {
    return FieldError(field, absl::StrCat(Echo(s), " is not a number", why));
  };
  absl::string_view body = s;
  bool negative = false;
  if (body[0] == '+' || body[0] == '-') {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (absl::EqualsIgnoreCase(body, "nan") ||
      absl::EqualsIgnoreCase(body, "inf") ||
      absl::EqualsIgnoreCase(body, "infinity")) {
    return FieldError(field, absl::StrCat(Echo(s), " is not a finite number"));
  }
  if (s.size() > kMaxNumberChars) return not_a_number(" (too long)");
  if (absl::EndsWith(body, "%")) {
    return not_a_number("; write it without %");
  }

  absl::string_view exponent;
  size_t e = body.find_first_of("eE");
  if (e != absl::string_view::npos) {
    exponent = body.substr(e + 1);
    body = body.substr(0, e);
    absl::string_view digits = exponent;
    if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
      digits.remove_prefix(1);
    }
    if (digits.empty() ||
        !std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit)) {
      return not_a_number();
    }
  }

  // The mantissa: digits and the marks '.' and ','. Which mark is the
  // decimal one follows from how often each occurs.
  size_t dots = 0, commas = 0, digits = 0;
  size_t last_mark = absl::string_view::npos;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (absl::ascii_isdigit(c)) {
      ++digits;
    } else if (c == '.' || c == ',') {
      (c == '.' ? dots : commas) += 1;
      last_mark = i;
    } else {
      return not_a_number();
    }
  }
  if (digits == 0) return not_a_number();
  char decimal = 0;   // the decimal mark, if any
  char grouping = 0;  // the thousands separator, if any
  if (dots > 0 && commas > 0) {
    // "1.234,5" or "1,234.5": the last mark is the decimal one and may
    // occur once.
    decimal = body[last_mark];
    grouping = decimal == '.' ? ',' : '.';
    if ((decimal == '.' ? dots : commas) > 1) return not_a_number();
  } else if (dots + commas == 1) {
    decimal = body[last_mark];
  } else if (dots + commas > 1) {
    // "1.234.567": a decimal mark occurs once, so these group thousands.
    grouping = dots > 0 ? '.' : ',';
  }
  size_t decimal_at =
      decimal == 0 ? absl::string_view::npos : body.find(decimal);
  absl::string_view integer = body.substr(0, decimal_at);
  absl::string_view fraction = decimal_at == absl::string_view::npos
                                   ? absl::string_view()
                                   : body.substr(decimal_at + 1);
  if (grouping != 0) {
    if (fraction.find(grouping) != absl::string_view::npos) {
      return not_a_number();
    }
    // Groups of three digits after a first group of one to three.
    size_t start = 0;
    bool first = true;
    while (true) {
      size_t end = integer.find(grouping, start);
      size_t len =
          (end == absl::string_view::npos ? integer.size() : end) - start;
      if (first ? (len < 1 || len > 3) : len != 3) {
        return not_a_number(" (misplaced thousands separator)");
      }
      if (end == absl::string_view::npos) break;
      start = end + 1;
      first = false;
    }
  } else if (decimal != 0 && refuse_ambiguous && exponent.empty() &&
             fraction.size() == 3 && !integer.empty() && integer.size() <= 3 &&
             integer[0] != '0') {
    std::string grouped = absl::StrCat(negative ? "-" : "", integer, fraction);
    return FieldError(
        field, absl::StrCat(Echo(s), " is ambiguous: ", grouped,
                            " with a thousands separator, or a number with "
                            "three decimals; write ",
                            grouped, " or ", s, "0"));
  }

  char buffer[kMaxNumberChars + 4];
  size_t n = 0;
  if (negative) buffer[n++] = '-';
  for (char c : integer) {
    if (c != grouping) buffer[n++] = c;
  }
  if (n == (negative ? 1u : 0u)) buffer[n++] = '0';
  if (!fraction.empty()) {
    buffer[n++] = '.';
    std::memcpy(buffer + n, fraction.data(), fraction.size());
    n += fraction.size();
  }
  if (!exponent.empty()) {
    buffer[n++] = 'e';
    std::memcpy(buffer + n, exponent.data(), exponent.size());
    n += exponent.size();
  }
  double value = 0;
  if (!absl::SimpleAtod(absl::string_view(buffer, n), &value)) {
    return not_a_number();
  }
  if (!std::isfinite(value)) {
    return FieldError(field, absl::StrCat(Echo(s), " is too large"));
  }
  return value;
}

absl::StatusOr<std::string> CanonicalMeasurementPeriod(
    absl::string_view text, absl::string_view field) {
  absl::string_view s = Trim(text);
  if (s.empty()) return FieldError(field, "empty");
  auto invalid = [&] {
    return FieldError(field, absl::StrCat(Echo(s),
                                          " is not a year, quarter or month "
                                          "such as 2009, 2009K2 or 2009M05"));
  };
  auto digits = [](absl::string_view d) {
    return std::all_of(d.begin(), d.end(), absl::ascii_isdigit);
  };
  if (s.size() < 4 || !digits(s.substr(0, 4))) return invalid();
  absl::string_view year = s.substr(0, 4);
  absl::string_view rest = s.substr(4);
  if (rest.empty()) return std::string(year);
  bool dash = rest[0] == '-';
  if (dash) rest.remove_prefix(1);
  char kind = rest.empty() ? 0 : absl::ascii_toupper(rest[0]);
  if ((kind == 'Q' || kind == 'K') && rest.size() == 2 && rest[1] >= '1' &&
      rest[1] <= '4') {
    return absl::StrCat(year, "-Q", rest.substr(1));
  }
  absl::string_view month;
  if (kind == 'M' && rest.size() == 3) {
    month = rest.substr(1);
  } else if (dash && rest.size() == 2) {
    month = rest;
  }
  if (month.size() == 2 && digits(month) &&
      ((month[0] == '0' && month[1] != '0') ||
       (month[0] == '1' && month[1] <= '2'))) {
    return absl::StrCat(year, "-", month);
  }
  return invalid();
}

absl::StatusOr<CsvParseResult> ParseMeasurementCsv(
    absl::string_view bytes, v1::CsvLayout layout,
    const v1::StatBankMapping& mapping) {
  if (bytes.size() > kMaxCsvBytes) {
    return absl::ResourceExhaustedError(
        absl::StrFormat("csv: the file has %d bytes; at most %d (32 MiB)",
                        bytes.size(), kMaxCsvBytes));
  }
  if (layout != v1::CSV_LAYOUT_UNSPECIFIED &&
      layout != v1::CSV_LAYOUT_MEASUREMENTS &&
      layout != v1::CSV_LAYOUT_STATBANK) {
    return FieldError(
        "layout", absl::StrCat("unknown layout ", static_cast<int>(layout)));
  }
  if (layout == v1::CSV_LAYOUT_STATBANK) {
    absl::Status status = CheckMapping(mapping);
    if (!status.ok()) return status;
  }
  absl::string_view text = bytes;
  if (absl::StartsWith(text, kBom)) text.remove_prefix(kBom.size());
  if (absl::StartsWith(text, "\xFF\xFE") ||
      absl::StartsWith(text, "\xFE\xFF")) {
    return FileError("the file is UTF-16; save it as \"CSV UTF-8\"");
  }
  if (IsBlank(text)) {
    return FileError("the file is empty; expected a header row");
  }
  absl::Status status = CheckText(text);
  if (!status.ok()) return status;

  // The header is the first line with something on it, unless that is
  // Excel's "sep=;" line, which names the separator.
  size_t header_at = 0;
  int header_line = 1;
  absl::optional<char> separator;
  while (true) {
    size_t end = LineEnd(text, header_at);
    absl::string_view line = text.substr(header_at, end - header_at);
    absl::string_view content = Trim(line);
    if (!content.empty() && !separator.has_value() && content.size() == 5 &&
        absl::StartsWithIgnoreCase(content, "sep=") &&
        (content[4] == ';' || content[4] == ',')) {
      separator = content[4];
    } else if (!content.empty()) {
      break;
    }
    header_at = end;
    ++header_line;
    if (header_at == text.size()) {
      return FileError("the file is empty; expected a header row");
    }
  }
  if (!separator.has_value()) {
    absl::StatusOr<char> detected =
        DetectSeparator(text.substr(header_at), header_line);
    if (!detected.ok()) return detected.status();
    separator = *detected;
  }

  CsvParseResult result;
  if (layout != v1::CSV_LAYOUT_STATBANK) {
    // One row per line is the common case; StatBank files are often mostly
    // filtered out, so their rows grow as needed instead.
    result.rows.reserve(CountNonBlankLines(text));
  }
  Parser parser(text.substr(header_at), header_line, *separator, layout,
                mapping, &result);
  status = parser.Run();
  if (!status.ok()) return status;
  RefuseDuplicates(layout == v1::CSV_LAYOUT_STATBANK, &result);
  return result;
}

}  // namespace kommune::followup
