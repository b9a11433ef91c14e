#include "services/common/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/common.h"

namespace kommune {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

bool DigitsAt(absl::string_view s, size_t pos, size_t n) {
  for (size_t i = pos; i < pos + n; ++i) {
    if (i >= s.size() || !absl::ascii_isdigit(s[i])) return false;
  }
  return true;
}

}  // namespace

absl::Status ValidateText(absl::string_view text, absl::string_view field,
                          bool required, size_t max_bytes) {
  if (required && absl::StripAsciiWhitespace(text).empty()) {
    return Invalid(field, "is required");
  }
  if (text.size() > max_bytes) {
    return Invalid(field, absl::StrCat("is ", text.size(), " bytes; at most ",
                                       max_bytes, " are allowed"));
  }
  // Protobuf's own validator, the one its parser uses for string fields.
  if (!google::protobuf::internal::IsStructurallyValidUTF8(text.data(),
                                                           text.size())) {
    return Invalid(field, "is not valid UTF-8");
  }
  if (text.find('\0') != absl::string_view::npos) {
    return Invalid(field, "contains a NUL character");
  }
  return absl::OkStatus();
}

bool IsSet(const common::v1::Date& date) {
  return date.year() != 0 || date.month() != 0 || date.day() != 0;
}

absl::CivilDay ToCivilDay(const common::v1::Date& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

common::v1::Date FromCivilDay(absl::CivilDay day) {
  common::v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

absl::Status ValidateDate(const common::v1::Date& date, absl::string_view field,
                          bool required) {
  if (!IsSet(date)) {
    return required ? Invalid(field, "is required") : absl::OkStatus();
  }
  absl::CivilDay day = ToCivilDay(date);
  // CivilDay normalizes 2010-02-30 to 2010-03-02; a real date survives.
  if (date.year() < 1900 || date.year() > 2200 || day.year() != date.year() ||
      day.month() != date.month() || day.day() != date.day()) {
    return Invalid(field, absl::StrCat(date.year(), "-", date.month(), "-",
                                       date.day(), " is not a date"));
  }
  return absl::OkStatus();
}

absl::Status ValidateDateRange(const common::v1::DateRange& range,
                               absl::string_view field) {
  if (auto s =
          ValidateDate(range.start_date(), absl::StrCat(field, ".start_date"));
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateDate(range.end_date(), absl::StrCat(field, ".end_date"));
      !s.ok()) {
    return s;
  }
  if (IsSet(range.start_date()) && IsSet(range.end_date()) &&
      ToCivilDay(range.end_date()) < ToCivilDay(range.start_date())) {
    return Invalid(absl::StrCat(field, ".end_date"), "is before start_date");
  }
  return absl::OkStatus();
}

absl::Status ValidateKleClass(const common::v1::KleClass& kle,
                              absl::string_view field) {
  absl::string_view s = kle.subject();
  if (!s.empty() && !(s.size() == 8 && DigitsAt(s, 0, 2) && s[2] == '.' &&
                      DigitsAt(s, 3, 2) && s[5] == '.' && DigitsAt(s, 6, 2))) {
    return Invalid(absl::StrCat(field, ".subject"),
                   absl::StrCat("'", s, "' is not a KLE number NN.NN.NN"));
  }
  absl::string_view f = kle.action_facet();
  if (!f.empty() &&
      !(f.size() == 3 && absl::ascii_isupper(f[0]) && DigitsAt(f, 1, 2))) {
    return Invalid(absl::StrCat(field, ".action_facet"),
                   absl::StrCat("'", f, "' is not an action facet like G01"));
  }
  if (s.empty() && !f.empty()) {
    return Invalid(absl::StrCat(field, ".subject"),
                   "is required with an action facet");
  }
  return absl::OkStatus();
}

absl::Status ValidateEsdhReference(const common::v1::EsdhReference& ref,
                                   absl::string_view field) {
  for (const auto& [value, name] : {std::pair<const std::string&, const char*>{
                                        ref.case_number(), "case_number"},
                                    {ref.document_number(), "document_number"},
                                    {ref.title(), "title"}}) {
    if (auto s = ValidateText(value, absl::StrCat(field, ".", name)); !s.ok()) {
      return s;
    }
  }
  if (ref.case_number().size() > 200 || ref.document_number().size() > 200) {
    return Invalid(field, "case and document numbers are at most 200 bytes");
  }
  if (ref.case_number().empty() && !ref.document_number().empty()) {
    return Invalid(absl::StrCat(field, ".case_number"),
                   "is required with a document number");
  }
  return ValidateKleClass(ref.kle_class(), absl::StrCat(field, ".kle_class"));
}

}  // namespace kommune
