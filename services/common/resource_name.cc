#include "services/common/resource_name.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/municipalities.h"

namespace kommune {

absl::Status ValidateResourceId(absl::string_view id, absl::string_view field) {
  auto ok_char = [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-';
  };
  bool ok =
      !id.empty() && id.size() <= 63 && id.front() != '-' && id.back() != '-';
  for (char c : id) ok = ok && ok_char(c);
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": '", id,
      "' is not a valid id (1-63 of a-z, 0-9 and '-', not starting or ending "
      "with '-')"));
}

absl::StatusOr<std::vector<std::string>> ParseResourceName(
    absl::string_view name, absl::string_view pattern, absl::string_view field,
    bool allow_wildcard) {
  std::vector<absl::string_view> want = absl::StrSplit(pattern, '/');
  std::vector<absl::string_view> got = absl::StrSplit(name, '/');
  auto mismatch = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", name, "' does not have the form ", pattern));
  };
  if (name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": is required (", pattern, ")"));
  }
  if (want.size() != got.size()) return mismatch();
  std::vector<std::string> values;
  for (size_t i = 0; i < want.size(); ++i) {
    absl::string_view w = want[i];
    if (w.empty() || w.front() != '{') {
      if (w != got[i]) return mismatch();
      continue;
    }
    if (w == "{municipality}") {
      if (!(allow_wildcard && got[i] == kAnyMunicipality)) {
        if (auto s = ValidateMunicipalityCode(got[i], field); !s.ok()) {
          return s;
        }
      }
    } else if (auto s = ValidateResourceId(got[i], field); !s.ok()) {
      return s;
    }
    values.emplace_back(got[i]);
  }
  return values;
}

}  // namespace kommune
