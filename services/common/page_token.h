#ifndef KOMMUNE_SERVICES_COMMON_PAGE_TOKEN_H_
#define KOMMUNE_SERVICES_COMMON_PAGE_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kommune {

// An opaque page token (AIP-158) bound to the request it was made for:
// `scope` names the request (method and filters), `position` where the next
// page starts.
std::string MakePageToken(absl::string_view scope, absl::string_view position);

// The position in a token; INVALID_ARGUMENT naming page_token when the token
// is not one of ours or was made for another request.
absl::StatusOr<std::string> ReadPageToken(absl::string_view token,
                                          absl::string_view scope);

// page_size of a List request: 0 means the default, larger than max means
// max, negative is INVALID_ARGUMENT naming page_size.
absl::StatusOr<int> PageSize(int requested, int default_size, int max_size);

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_PAGE_TOKEN_H_
