#ifndef KOMMUNE_SERVICES_ESDH_SINK_URL_H_
#define KOMMUNE_SERVICES_ESDH_SINK_URL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kommune::esdh {

// A sink endpoint that passed CheckSinkUrl, as libcurl parsed it.
struct SinkUrl {
  std::string url;  // normalised ("/a/../b" is "/b"); what is requested
  // scheme://host:port/path without the query, which may hold a token:
  // what error messages and logs show.
  std::string display;
  std::string scheme;  // "https"
  std::string host;    // lower case, IPv6 without brackets
  int port = 0;        // the scheme's default when the URL has none
  std::string path;    // "/journal/169"
  std::string query;   // without '?'; usually empty
};

// Parses `url` with libcurl's URL API and accepts it only when it is on
// `allowed` (URL prefixes such as "https://esdh.example.dk/journal/"): same
// scheme, host and port, and a path under the prefix's path, compared by
// whole segments. Plain http is accepted for loopback hosts only, so that
// documents with personal data never cross a network unencrypted. User
// names and passwords in the URL are refused, as are encoded '.', '/' and
// '\' in the path, which a server might decode into a path outside the
// prefix. INVALID_ARGUMENT names `field` ("webhook.url") or
// `allowed_field` ("webhook.allowed_urls") and says why.
absl::StatusOr<SinkUrl> CheckSinkUrl(absl::string_view url,
                                     const std::vector<std::string>& allowed,
                                     absl::string_view field,
                                     absl::string_view allowed_field);

// 127.0.0.0/8, ::1 (also IPv4-mapped) and "localhost".
bool IsLoopbackHost(absl::string_view host);

}  // namespace kommune::esdh

#endif  // KOMMUNE_SERVICES_ESDH_SINK_URL_H_
