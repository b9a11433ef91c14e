#ifndef KOMMUNE_GATEWAY_HTTP_CONNECT_PROTOCOL_H_
#define KOMMUNE_GATEWAY_HTTP_CONNECT_PROTOCOL_H_

// The rules of the Connect protocol (https://connectrpc.com/docs/protocol)
// for unary calls over HTTP/1.1: routes, codecs, headers and errors. Pure
// functions; the gateway wires them to its HTTP server and to gRPC.

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gateway/http/http_server.h"

namespace kommune::gateway {

// Connect's HTTP status for a code (google.rpc's mapping): NOT_FOUND 404,
// UNAVAILABLE 503, CANCELLED 499... OK is 200; unknown values 500.
int HttpStatusFromCode(absl::StatusCode code);

// Connect's name for a code: "not_found", "canceled" (one 'l', as Connect
// spells it)... OK is "ok"; values outside the enum are "unknown".
absl::string_view ConnectCodeName(absl::StatusCode code);

// The inverse, for clients and tests. Also accepts "cancelled" and "ok";
// anything else is UNKNOWN.
absl::StatusCode CodeFromConnectName(absl::string_view name);

// A Connect error: the code's HTTP status and
// {"code":"not_found","message":"..."} as application/json. The message is
// left out when empty; invalid UTF-8 in it becomes U+FFFD. An OK status is
// not an error and gives {"code":"unknown"} with 500.
HttpResponse ConnectErrorResponse(const absl::Status& status);

// Reads a Connect error back (clients, tests): the code and message of a
// Connect error body, or, when the body is not one, a status from the HTTP
// status as Connect clients derive it (404 UNIMPLEMENTED, 503 UNAVAILABLE,
// ...). OK for 200.
absl::Status StatusFromConnectResponse(int http_status, absl::string_view body);

struct ConnectRoute {
  std::string service;  // "kommune.policy.v1.PolicyService"
  std::string method;   // "GetPolicy"
  std::string full_method()
      const;  // "/kommune.policy.v1.PolicyService/GetPolicy"
};

// Splits "/pkg.Service/Method". The service is dot-separated proto
// identifiers, the method one identifier. Anything else is NOT_FOUND (HTTP
// 404): the path names no procedure at all, as for any other unknown URL.
// A well-formed path of a procedure the gateway does not serve is the
// router's UNIMPLEMENTED (501), as gRPC answers.
absl::StatusOr<ConnectRoute> ParseConnectPath(absl::string_view path);

enum class Codec { kJson, kProto };

// "application/json" or "application/proto".
absl::string_view ContentTypeFor(Codec codec);

// application/json (optionally "; charset=utf-8") or application/proto, any
// case. Anything else, or none, is INVALID_ARGUMENT naming the content
// type; answer it with UnsupportedMediaTypeResponse.
absl::StatusOr<Codec> CodecFromContentType(
    std::optional<std::string> content_type);

// HTTP 415 for a content type CodecFromContentType refused, as Connect
// servers answer it: with Accept-Post listing the supported types. The
// body is still a Connect JSON error (invalid_argument with `status`'s
// message) so that JSON clients see why.
inline constexpr int kUnsupportedMediaType = 415;
HttpResponse UnsupportedMediaTypeResponse(const absl::Status& status);

// Connect-Timeout-Ms: absent is no timeout; otherwise 1 to 10 ASCII digits
// of milliseconds (0 is allowed and means already expired), else
// INVALID_ARGUMENT.
absl::StatusOr<std::optional<absl::Duration>> ParseConnectTimeout(
    std::optional<std::string> header);

// Connect-Protocol-Version: absent or "1"; else INVALID_ARGUMENT.
absl::Status CheckConnectProtocolVersion(std::optional<std::string> header);

// Sets Retry-After (replacing one already there) to `delay` in whole
// seconds, rounded up, at least 1.
void AddRetryAfter(HttpResponse& response, absl::Duration delay);

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_HTTP_CONNECT_PROTOCOL_H_
