#include "services/esdh/webhook_sink.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "services/esdh/sink_http.h"
#include "services/esdh/sink_url.h"

namespace kommune::esdh {
namespace {

std::string HexHmacSha256(absl::string_view key, absl::string_view text) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac,
       &len);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(mac), len));
}

class WebhookSink : public Sink {
 public:
  WebhookSink(WebhookOptions options, SinkUrl url)
      : options_(std::move(options)),
        url_(std::move(url)),
        what_(absl::StrCat("webhook POST ", url_.display)) {}

  absl::StatusOr<Receipt> Deliver(const v1::JournalRecord& record) override {
    if (record.idempotency_key().empty()) {
      return absl::InvalidArgumentError(
          "record.idempotency_key: is empty; the receiver could not tell a "
          "repeated delivery from a new document");
    }
    if (absl::Status s = CheckHeaderValue(record.idempotency_key(),
                                          "record.idempotency_key");
        !s.ok()) {
      return s;
    }
    std::string body;
    auto json = google::protobuf::util::MessageToJsonString(record, &body);
    if (!json.ok()) {
      // Not transient: the same record fails the same way every time.
      return absl::InvalidArgumentError(absl::StrCat(
          "the record cannot be written as JSON: ", json.message().ToString()));
    }
    if (body.size() > options_.max_document_bytes) {
      return absl::OutOfRangeError(absl::StrCat(
          "document too large for the sink: its JSON body is ", body.size(),
          " bytes, webhook.max_document_bytes allows ",
          options_.max_document_bytes));
    }
    std::string timestamp = absl::StrCat(absl::ToUnixSeconds(absl::Now()));
    std::string signature =
        HexHmacSha256(options_.secret, absl::StrCat(timestamp, ".", body));

    HttpCall call;
    call.url = url_.url;
    call.what = what_;
    call.timeout = options_.timeout;
    call.headers = {
        "Content-Type: application/json",
        absl::StrCat("Idempotency-Key: ", record.idempotency_key()),
        absl::StrCat("X-Kommune-Timestamp: ", timestamp),
        absl::StrCat("X-Kommune-Signature: sha256=", signature),
    };
    call.body = std::move(body);
    HttpClient client;
    auto answer = client.Send(call);
    if (!answer.ok()) return answer.status();
    if (absl::Status s = StatusFromAnswer(*answer, what_); !s.ok()) return s;
    auto object = ParseJsonAnswer(*answer, what_, "a receipt");
    if (!object.ok()) return object.status();
    auto number = StringField(*answer, *object, "document_number",
                              /*required=*/false, what_, "a receipt");
    if (!number.ok()) return number.status();
    return Receipt{*std::move(number)};
  }

 private:
  const WebhookOptions options_;
  const SinkUrl url_;
  const std::string what_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Sink>> MakeWebhookSink(WebhookOptions options) {
  auto url = CheckSinkUrl(options.url, options.allowed_urls, "webhook.url",
                          "webhook.allowed_urls");
  if (!url.ok()) return url.status();
  if (options.secret.empty()) {
    return absl::InvalidArgumentError(
        "webhook.secret: is empty; the receiver needs it to verify "
        "X-Kommune-Signature");
  }
  if (options.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("webhook.timeout: must be positive");
  }
  return std::make_unique<WebhookSink>(std::move(options), *std::move(url));
}

}  // namespace kommune::esdh
