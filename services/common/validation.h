#ifndef KOMMUNE_SERVICES_COMMON_VALIDATION_H_
#define KOMMUNE_SERVICES_COMMON_VALIDATION_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "kommune/common/v1/types.pb.h"

namespace kommune {

// Largest text any single field may hold; a whole policy is far smaller.
inline constexpr size_t kMaxFieldBytes = 1 << 20;

// Each check returns INVALID_ARGUMENT whose message starts with `field:`.

// Valid UTF-8 without NUL characters, of at most max_bytes; `required`
// refuses empty text.
absl::Status ValidateText(absl::string_view text, absl::string_view field,
                          bool required = false,
                          size_t max_bytes = kMaxFieldBytes);

// A date that exists in the calendar (no 30 February). An all-zero date is
// "not set" and passes unless required.
absl::Status ValidateDate(const common::v1::Date& date, absl::string_view field,
                          bool required = false);
absl::Status ValidateDateRange(const common::v1::DateRange& range,
                               absl::string_view field);

// KLE subject NN.NN.NN and action facet letter+two digits (G01), when set.
absl::Status ValidateKleClass(const common::v1::KleClass& kle,
                              absl::string_view field);
absl::Status ValidateEsdhReference(const common::v1::EsdhReference& ref,
                                   absl::string_view field);

absl::CivilDay ToCivilDay(const common::v1::Date& date);
common::v1::Date FromCivilDay(absl::CivilDay day);
bool IsSet(const common::v1::Date& date);

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_VALIDATION_H_
