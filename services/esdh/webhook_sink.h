#ifndef KOMMUNE_SERVICES_ESDH_WEBHOOK_SINK_H_
#define KOMMUNE_SERVICES_ESDH_WEBHOOK_SINK_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/esdh/sink.h"

namespace kommune::esdh {

struct WebhookOptions {
  // Where records are POSTed; must be on allowed_urls.
  std::string url;
  // Signs every body (X-Kommune-Signature) so the receiver can tell the
  // connector's deliveries from anyone else's.
  std::string secret;
  // URL prefixes documents may go to, e.g. "https://esdh.example.dk/journal/".
  std::vector<std::string> allowed_urls;
  absl::Duration timeout = absl::Seconds(10);
  // Larger JSON bodies are refused with OUT_OF_RANGE before sending.
  size_t max_document_bytes = 20 << 20;
};

// A sink that POSTs each record as proto JSON (file contents base64) to an
// HTTPS endpoint of the municipality, with the headers
//   Content-Type: application/json
//   Idempotency-Key: <record.idempotency_key>
//   X-Kommune-Timestamp: <unix seconds>
//   X-Kommune-Signature: sha256=<hex HMAC-SHA256(secret, timestamp "." body)>
// A 2xx answer with an empty body or a JSON object, optionally holding a
// string "document_number", is the receipt. Anything else is mapped to the
// error classes of sink.h: 2xx with another body, 408, 429, 5xx and
// connection failures are temporary; redirects (never followed) and other
// 4xx are permanent. INVALID_ARGUMENT, naming the field, for a URL that is
// malformed, not on the allow-list, or plain http to a non-loopback host,
// and for an empty secret. Thread-safe; each delivery opens its own
// connection.
absl::StatusOr<std::unique_ptr<Sink>> MakeWebhookSink(WebhookOptions options);

}  // namespace kommune::esdh

#endif  // KOMMUNE_SERVICES_ESDH_WEBHOOK_SINK_H_
