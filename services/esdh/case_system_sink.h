#ifndef KOMMUNE_SERVICES_ESDH_CASE_SYSTEM_SINK_H_
#define KOMMUNE_SERVICES_ESDH_CASE_SYSTEM_SINK_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/esdh/sink.h"

namespace kommune::esdh {

struct CaseSystemOptions {
  // The REST API's root, e.g. "https://sag.example.dk/api/v1"; must be on
  // allowed_urls and have no query.
  std::string base_url;
  // Sent as "Authorization: Bearer <api_token>".
  std::string api_token;
  // The template cases the suite creates are made from (sagsskabelon).
  std::string case_template;
  // URL prefixes the API may be reached at, as for the webhook.
  std::vector<std::string> allowed_urls;
  // For each of a delivery's requests.
  absl::Duration timeout = absl::Seconds(10);
  // Larger document bodies are refused with OUT_OF_RANGE before sending.
  size_t max_document_bytes = 20 << 20;
};

// A sink shaped after a REST case system, to show how further ESDH systems
// plug in. A delivery
//   1. finds the case: GET {base}/cases?number=<case number> answers 200
//      {"id": ...}, or 404 and then POST {base}/cases {"number", "title",
//      "kle", "template"} creates it and answers {"id": ...} (a 409 there
//      means someone else just created it: it is looked up again);
//   2. adds the document: POST {base}/cases/{id}/documents with the
//      JournalDocument as proto JSON (files base64) and the record's
//      Idempotency-Key, answered by {"document_id", "document_number"};
//   3. journalises it: POST {base}/documents/{document_id}/journalize, 2xx.
// Each step is safe to repeat, so a delivery that failed half-way is simply
// delivered again. Errors are mapped as for the webhook (sink_http.h).
// Thread-safe; a delivery's requests share one connection.
absl::StatusOr<std::unique_ptr<Sink>> MakeCaseSystemSink(
    CaseSystemOptions options);

}  // namespace kommune::esdh

#endif  // KOMMUNE_SERVICES_ESDH_CASE_SYSTEM_SINK_H_
