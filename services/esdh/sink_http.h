#ifndef KOMMUNE_SERVICES_ESDH_SINK_HTTP_H_
#define KOMMUNE_SERVICES_ESDH_SINK_HTTP_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"

typedef void CURL;

namespace kommune::esdh {

// One HTTP request of an HTTP sink.
struct HttpCall {
  std::string method = "POST";  // "GET" or "POST"
  std::string url;
  // Names the call in error messages, e.g. "webhook POST https://h:443/j".
  std::string what;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // POST only
  absl::Duration timeout = absl::Seconds(10);
};

// What the receiver answered, whatever the status.
struct HttpAnswer {
  int status = 0;
  std::string body;
  std::string location;     // for redirects, which are never followed
  std::string retry_after;  // for 429 and 503
};

// A libcurl easy handle, reused across the calls of one delivery so that
// they share a connection. Not thread-safe: one per delivery.
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `call`. Errors are transport failures only, in the sink's classes
  // (sink.h): DEADLINE_EXCEEDED when no complete answer came within the
  // timeout, UNAVAILABLE for everything else (refused, reset, TLS, DNS,
  // an answer over 1 MiB). Statuses are left to StatusFromAnswer.
  absl::StatusOr<HttpAnswer> Send(const HttpCall& call);

 private:
  CURL* curl_;
};

// OK for 2xx. Otherwise the sink error class of the status, quoting it and
// the start of the body: 408 and 5xx UNAVAILABLE, 429 RESOURCE_EXHAUSTED
// (temporary); 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 413 OUT_OF_RANGE,
// redirects and other 4xx FAILED_PRECONDITION (permanent).
absl::Status StatusFromAnswer(const HttpAnswer& answer, absl::string_view what);

// The JSON object of a 2xx answer; an empty body is an empty object.
// Anything else is UNAVAILABLE "<what>: the receiver answered <status> but
// not with <expected>: ...": a temporary failure, because a receiver that
// says 2xx meant to take the request, so a retry may well succeed, and a
// lasting fault is parked after the retries.
absl::StatusOr<google::protobuf::Struct> ParseJsonAnswer(
    const HttpAnswer& answer, absl::string_view what,
    absl::string_view expected);

// The string `name` of such an object: "" when absent or null. UNAVAILABLE
// as above when it is not a string, or `required` and empty.
absl::StatusOr<std::string> StringField(const HttpAnswer& answer,
                                        const google::protobuf::Struct& object,
                                        absl::string_view name, bool required,
                                        absl::string_view what,
                                        absl::string_view expected);

// Percent-encodes everything but A-Z a-z 0-9 - . _ ~, for a query value or
// a path segment.
std::string UrlEscape(absl::string_view text);

// INVALID_ARGUMENT naming `field` unless `value` is printable ASCII, so that
// it cannot end a header early and smuggle in another.
absl::Status CheckHeaderValue(absl::string_view value, absl::string_view field);

// The start of a body for a message: at most 200 bytes cut at a UTF-8
// character boundary, control characters as spaces, "..." when cut.
std::string BodySnippet(absl::string_view body);

}  // namespace kommune::esdh

#endif  // KOMMUNE_SERVICES_ESDH_SINK_HTTP_H_
