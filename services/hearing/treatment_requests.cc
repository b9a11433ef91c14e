#include "services/hearing/treatment_requests.h"

#include "absl/strings/str_cat.h"
#include "services/common/resource_name.h"
#include "services/common/validation.h"

namespace kommune::hearing {
namespace {

absl::StatusOr<TreatmentKey> ParseKey(absl::string_view name,
                                      absl::string_view pattern,
                                      absl::string_view field) {
  auto segments = ParseResourceName(name, pattern, field);
  if (!segments.ok()) return segments.status();
  return TreatmentKey{(*segments)[0], (*segments)[1]};
}

}  // namespace

absl::StatusOr<std::string> ParseTreatmentParent(absl::string_view parent,
                                                 absl::string_view field) {
  auto segments =
      ParseResourceName(parent, "municipalities/{municipality}", field);
  if (!segments.ok()) return segments.status();
  return (*segments)[0];
}

absl::StatusOr<TreatmentKey> ParseTemplateName(absl::string_view name,
                                               absl::string_view field) {
  return ParseKey(
      name, "municipalities/{municipality}/processTemplates/{template}", field);
}

absl::StatusOr<TreatmentKey> ParseCaseName(absl::string_view name,
                                           absl::string_view field) {
  return ParseKey(name, "municipalities/{municipality}/treatmentCases/{case}",
                  field);
}

absl::StatusOr<std::string> ParsePolicyMunicipality(absl::string_view name,
                                                    absl::string_view field) {
  auto key =
      ParseKey(name, "municipalities/{municipality}/policies/{policy}", field);
  if (!key.ok()) return key.status();
  return key->municipality_code;
}

absl::Status CheckTreatmentRequestId(absl::string_view request_id) {
  if (request_id.size() > 128) {
    return absl::InvalidArgumentError("request_id: at most 128 characters");
  }
  return ValidateText(request_id, "request_id");
}

}  // namespace kommune::hearing
