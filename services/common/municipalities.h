#ifndef KOMMUNE_SERVICES_COMMON_MUNICIPALITIES_H_
#define KOMMUNE_SERVICES_COMMON_MUNICIPALITIES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kommune {

// One of Denmark's 98 municipalities (kommuner).
struct Municipality {
  std::string code;  // "169"
  std::string name;  // "Høje-Taastrup"
  std::string region;
};

// All 98, in code order, from the table compiled into the binary.
const std::vector<Municipality>& AllMunicipalities();

// nullptr for a code that is not a Danish municipality.
const Municipality* FindMunicipality(absl::string_view code);

// INVALID_ARGUMENT naming `field` when code is not a municipality code.
absl::Status ValidateMunicipalityCode(absl::string_view code,
                                      absl::string_view field);

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_MUNICIPALITIES_H_
