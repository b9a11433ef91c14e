#ifndef KOMMUNE_SERVICES_POLICY_DOMAIN_TEXT_CHECKS_H_
#define KOMMUNE_SERVICES_POLICY_DOMAIN_TEXT_CHECKS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "kommune/common/v1/types.pb.h"
#include "services/common/validation.h"

namespace kommune::policy {

// The largest string field the policy service accepts (1 MiB).
inline constexpr size_t kMaxFieldBytes = kommune::kMaxFieldBytes;

// True when `text` is well-formed UTF-8 (protobuf's own validator, the one
// its parser applies to string fields).
bool IsValidUtf8(absl::string_view text);

// INVALID_ARGUMENT naming `field` when text is not UTF-8, holds a NUL byte
// or is longer than max_bytes.
absl::Status CheckText(absl::string_view text, absl::string_view field,
                       size_t max_bytes = kMaxFieldBytes);

// INVALID_ARGUMENT naming `field` unless the date is a real day of the
// Gregorian calendar in years 1-9999 (2010-02-30 is not).
absl::Status CheckDate(const kommune::common::v1::Date& date,
                       absl::string_view field);

// Runs CheckText on every string field and CheckDate on every Date set
// anywhere inside `message`; errors name the field path below `field`, for
// example "policy.content.focus_areas[1].title".
absl::Status CheckMessageText(const google::protobuf::Message& message,
                              absl::string_view field);

}  // namespace kommune::policy

#endif  // KOMMUNE_SERVICES_POLICY_DOMAIN_TEXT_CHECKS_H_
