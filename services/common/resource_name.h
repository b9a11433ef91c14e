#ifndef KOMMUNE_SERVICES_COMMON_RESOURCE_NAME_H_
#define KOMMUNE_SERVICES_COMMON_RESOURCE_NAME_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kommune {

// The municipality wildcard of AIP-159: "municipalities/-".
inline constexpr char kAnyMunicipality[] = "-";

// Matches `name` against a pattern such as
// "municipalities/{municipality}/policies/{policy}" and returns the
// variable segments in order. {municipality} must be a Danish municipality
// code (or "-" when allow_wildcard); other variables must be resource ids.
// INVALID_ARGUMENT names `field` when it does not match.
absl::StatusOr<std::vector<std::string>> ParseResourceName(
    absl::string_view name, absl::string_view pattern, absl::string_view field,
    bool allow_wildcard = false);

// A resource id (AIP-122): 1 to 63 of a-z, 0-9 and '-', starting and ending
// with a letter or digit.
absl::Status ValidateResourceId(absl::string_view id, absl::string_view field);

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_RESOURCE_NAME_H_
