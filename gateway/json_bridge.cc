#include "gateway/json_bridge.h"

#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gateway/byte_buffers.h"
#include "gateway/http/connect_protocol.h"

namespace kommune::gateway {
namespace {

constexpr char kJsonType[] = "application/json";
constexpr char kProtoType[] = "application/proto";

// Headers of the HTTP or Connect protocol itself, not call metadata.
bool IsProtocolHeader(absl::string_view name) {
  return absl::StartsWith(name, "connect-") || name == "content-length" ||
         name == "accept-encoding" || name == "content-encoding" ||
         name == "accept" || name == "connection" || name == "keep-alive" ||
         name == "transfer-encoding" || name == "expect" || name == "upgrade" ||
         name == "origin" || name == "referer";
}

// One JSON call in flight; deletes itself when answered.
class JsonCall {
 public:
  JsonCall(JsonBridge* bridge, std::shared_ptr<const GatewayState> state,
           CallObserver* observer, HttpResponder respond, CallRecord record,
           Codec codec)
      : bridge_(bridge),
        state_(std::move(state)),
        observer_(observer),
        respond_(std::move(respond)),
        record_(std::move(record)),
        codec_(codec) {}

  // http_status replaces the code's usual one (415 for a wrong content
  // type, as the Connect protocol says).
  void Fail(const absl::Status& status, int http_status = 0) {
    HttpResponse response = ConnectErrorResponse(status);
    if (http_status != 0) response.status = http_status;
    if (auto retry = status.GetPayload(kRetryAfterPayload)) {
      response.headers.emplace_back("retry-after", std::string(*retry));
    }
    record_.code = status.code();
    record_.message = std::string(status.message());
    Answer(std::move(response));
  }

  void Start(const HttpRequest& http, Admission admission, std::string request,
             absl::Duration timeout) {
    admission_ = std::move(admission);
    record_.backend = admission_.backend->name();
    record_.municipality = admission_.municipality;
    record_.principal = admission_.caller.principal;
    record_.resource_names = admission_.resource_names;
    for (const auto& [name, value] : http.headers) {
      if (IsGatewayOnlyHeader(name) || IsProtocolHeader(name) ||
          !IsLegalMetadata(name, value)) {
        continue;
      }
      client_context_.AddMetadata(name, value);
    }
    for (const auto& [key, value] : admission_.identity_headers) {
      client_context_.AddMetadata(key, value);
    }
    client_context_.set_deadline(std::chrono::system_clock::now() +
                                 absl::ToChronoMilliseconds(timeout));
    request_ = ToByteBuffer(std::move(request));
    bridge_->Track(&client_context_);
    tracked_ = true;
    admission_.backend->Pick().UnaryCall(
        &client_context_, admission_.method->full_name, grpc::StubOptions(),
        &request_, &response_, [this](grpc::Status status) { OnDone(status); });
  }

 private:
  void OnDone(const grpc::Status& status) {
    if (!status.ok()) {
      HttpResponse response = ConnectErrorResponse(
          absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                       status.error_message()));
      AddTrailers(response);
      record_.code = static_cast<absl::StatusCode>(status.error_code());
      record_.message = status.error_message();
      Answer(std::move(response));
      return;
    }
    std::string binary = Flatten(response_);
    if (record_.write) {
      record_.result_name =
          state_->catalog->ResponseName(*admission_.method, binary);
    }
    HttpResponse response;
    if (codec_ == Codec::kProto) {
      response.body = std::move(binary);
      response.headers.emplace_back("content-type", kProtoType);
    } else {
      google::protobuf::util::JsonPrintOptions options;
      auto converted = google::protobuf::util::BinaryToJsonString(
          state_->catalog->type_resolver(),
          ApiCatalog::TypeUrl(*admission_.method->descriptor->output_type()),
          binary, &response.body, options);
      if (!converted.ok()) {
        record_.code = absl::StatusCode::kInternal;
        Answer(ConnectErrorResponse(absl::InternalError(
            absl::StrCat("response: ", converted.message().ToString()))));
        return;
      }
      response.headers.emplace_back("content-type", kJsonType);
    }
    for (const auto& [key, value] :
         client_context_.GetServerInitialMetadata()) {
      absl::string_view name(key.data(), key.size());
      if (absl::StartsWith(name, "grpc-") || absl::EndsWith(name, "-bin")) {
        continue;
      }
      response.headers.emplace_back(std::string(name),
                                    std::string(value.data(), value.size()));
    }
    AddTrailers(response);
    Answer(std::move(response));
  }

  // Connect sends a unary call's trailers as "trailer-" headers.
  void AddTrailers(HttpResponse& response) {
    for (const auto& [key, value] :
         client_context_.GetServerTrailingMetadata()) {
      absl::string_view name(key.data(), key.size());
      if (absl::StartsWith(name, "grpc-") || absl::EndsWith(name, "-bin")) {
        continue;
      }
      response.headers.emplace_back(absl::StrCat("trailer-", name),
                                    std::string(value.data(), value.size()));
    }
  }

  void Answer(HttpResponse response) {
    record_.bytes_out = response.body.size();
    record_.latency = absl::Now() - record_.start;
    observer_->Record(record_);
    respond_(std::move(response));
    // Untracked before the context goes, so CancelAllAndWait never cancels
    // a deleted context; nothing below touches the gateway.
    if (tracked_) bridge_->Untrack(&client_context_);
    delete this;
  }

  JsonBridge* bridge_;
  bool tracked_ = false;
  std::shared_ptr<const GatewayState> state_;
  CallObserver* observer_;
  HttpResponder respond_;
  CallRecord record_;
  Codec codec_;
  Admission admission_;
  grpc::ClientContext client_context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
};

}  // namespace

void JsonBridge::Handle(HttpRequest http, HttpResponder respond) {
  std::shared_ptr<const GatewayState> state = state_();
  CallRecord record;
  record.start = absl::Now();
  record.protocol = "connect";
  record.peer = http.peer;
  record.method = std::string(MethodLabel(*state, http.path));
  record.bytes_in = http.body.size();
  const MethodInfo* method = state->catalog->FindMethod(http.path);
  record.write = method != nullptr && !method->read_only;

  absl::StatusOr<Codec> codec =
      CodecFromContentType(http.Header("content-type"));
  auto* call =
      new JsonCall(this, state, observer_, std::move(respond),
                   std::move(record), codec.ok() ? *codec : Codec::kJson);
  if (http.method != "POST") {
    call->Fail(absl::UnimplementedError(
        absl::StrCat("HTTP ", http.method, ": calls are POST requests")));
    return;
  }
  absl::StatusOr<ConnectRoute> route = ParseConnectPath(http.path);
  if (!route.ok()) {
    call->Fail(route.status());
    return;
  }
  if (!codec.ok()) {
    call->Fail(codec.status(), /*http_status=*/415);
    return;
  }
  if (auto s =
          CheckConnectProtocolVersion(http.Header("connect-protocol-version"));
      !s.ok()) {
    call->Fail(s);
    return;
  }
  absl::StatusOr<std::optional<absl::Duration>> timeout =
      ParseConnectTimeout(http.Header("connect-timeout-ms"));
  if (!timeout.ok()) {
    call->Fail(timeout.status());
    return;
  }
  if (method == nullptr) {
    call->Fail(absl::UnimplementedError(
        absl::StrCat("method ", http.path, " is not served here")));
    return;
  }
  if (method->streaming) {
    call->Fail(absl::UnimplementedError(
        absl::StrCat(http.path, " streams: call it over gRPC")));
    return;
  }

  std::string binary;
  if (*codec == Codec::kProto) {
    binary = std::move(http.body);
  } else {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto converted = google::protobuf::util::JsonToBinaryString(
        state->catalog->type_resolver(),
        ApiCatalog::TypeUrl(*method->descriptor->input_type()),
        http.body.empty() ? "{}" : http.body, &binary, options);
    if (!converted.ok()) {
      call->Fail(absl::InvalidArgumentError(
          absl::StrCat("request: ", converted.message().ToString())));
      return;
    }
  }

  HeaderLookup header = [&http](absl::string_view name) {
    return http.Header(name);
  };
  absl::StatusOr<Admission> admission = Admit(
      *state, *limiter_, http.path, header, http.peer, binary, absl::Now());
  if (!admission.ok()) {
    call->Fail(admission.status());
    return;
  }
  absl::Duration deadline = state->default_deadline;
  if (timeout->has_value() && **timeout < deadline) deadline = **timeout;
  call->Start(http, *std::move(admission), std::move(binary), deadline);
}

void JsonBridge::Track(grpc::ClientContext* context) {
  absl::MutexLock lock(&mu_);
  calls_.insert(context);
}

void JsonBridge::Untrack(grpc::ClientContext* context) {
  absl::MutexLock lock(&mu_);
  calls_.erase(context);
}

void JsonBridge::CancelAllAndWait() {
  absl::MutexLock lock(&mu_);
  for (grpc::ClientContext* context : calls_) context->TryCancel();
  mu_.Await(absl::Condition(
      +[](absl::flat_hash_set<grpc::ClientContext*>* calls) {
        return calls->empty();
      },
      &calls_));
}

}  // namespace kommune::gateway
