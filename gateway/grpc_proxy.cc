#include "gateway/grpc_proxy.h"

#include <grpc/grpc.h>

#include <atomic>
#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gateway/byte_buffers.h"
#include "services/common/grpc_util.h"

namespace kommune::gateway {

bool IsGatewayOnlyHeader(absl::string_view name) {
  return name == kAuthorizationHeader || name == kApiKeyHeader ||
         name == "proxy-authorization" || name == "cookie" ||
         name == "forwarded" || name == "x-forwarded-for" ||
         absl::StartsWith(name, "x-kommune-") ||
         absl::StartsWith(name, "grpc-") || absl::StartsWith(name, ":") ||
         name == "te" || name == "content-type" || name == "user-agent" ||
         name == "host";
}

bool IsLegalMetadata(absl::string_view key, absl::string_view value) {
  grpc_slice k = grpc_slice_from_static_buffer(key.data(), key.size());
  grpc_slice v = grpc_slice_from_static_buffer(value.data(), value.size());
  return grpc_header_key_is_legal(k) &&
         (grpc_is_binary_header(k) || grpc_header_nonbin_value_is_legal(v));
}

namespace {

bool DeadlineSet(std::chrono::system_clock::time_point deadline) {
  return deadline != std::chrono::system_clock::time_point::max();
}

}  // namespace

class ProxyCall : public grpc::ServerGenericBidiReactor {
 public:
  ProxyCall(GrpcProxy* proxy, grpc::GenericCallbackServerContext* context)
      : proxy_(proxy),
        context_(context),
        state_(proxy->state_()),
        client_(this) {
    record_.start = absl::Now();
    record_.protocol = "grpc";
    record_.method = std::string(MethodLabel(*state_, context->method()));
    record_.peer = PeerAddress(context->peer());
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!client_started_) {
      if (!ok) {
        FinishEarly(absl::InvalidArgumentError("request: no message sent"));
        return;
      }
      StartBackendCall();
      return;
    }
    // Later messages of a client-streaming call.
    if (!ok) {
      client_.StartWritesDone();
      client_.RemoveHold();
      return;
    }
    record_.bytes_in += request_.Length();
    absl::StatusOr<std::vector<std::string>> names =
        state_->catalog->ResourceNames(*admission_.method, Flatten(request_));
    absl::Status check =
        names.ok() ? CheckTenant(admission_.caller, *names) : names.status();
    if (!check.ok()) {
      {
        absl::MutexLock lock(&mu_);
        forced_status_ = check;
      }
      client_context_.TryCancel();
      client_.RemoveHold();
      return;
    }
    client_.StartWrite(&request_);
  }

  void OnWriteDone(bool ok) override {
    // A response reached the caller; fetch the next one from the backend.
    // The response direction's hold keeps the backend call alive until
    // here, so the read never touches a finished call.
    if (ok) {
      client_.StartRead(&response_);
    } else {
      client_context_.TryCancel();
      client_.RemoveHold();
    }
  }

  void OnCancel() override { client_context_.TryCancel(); }

  void OnDone() override {
    record_.latency = absl::Now() - record_.start;
    proxy_->observer_->Record(record_);
    Unref();
  }

 private:
  // The backend side of a streaming call.
  class Client
      : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
   public:
    explicit Client(ProxyCall* call) : call_(call) {}
    void OnWriteDone(bool ok) override {
      if (ok) {
        call_->StartRead(&call_->request_);
      } else {
        RemoveHold();
      }
    }
    void OnReadDone(bool ok) override {
      if (!ok) {  // the status follows in OnDone
        RemoveHold();
        return;
      }
      call_->record_.bytes_out += call_->response_.Length();
      call_->StartWrite(&call_->response_);
    }
    void OnDone(const grpc::Status& status) override {
      call_->FinishFromBackend(status);
      call_->Unref();
    }

   private:
    ProxyCall* call_;
  };

  void StartBackendCall() {
    std::string request = Flatten(request_);
    record_.bytes_in = request.size();
    const auto& metadata = context_->client_metadata();
    HeaderLookup header =
        [&metadata](absl::string_view name) -> std::optional<std::string> {
      auto it = metadata.find(grpc::string_ref(name.data(), name.size()));
      if (it == metadata.end()) return std::nullopt;
      return std::string(it->second.data(), it->second.size());
    };
    absl::StatusOr<Admission> admission =
        Admit(*state_, *proxy_->limiter_, context_->method(), header,
              record_.peer, request, absl::Now());
    if (admission.ok()) {
      admission_ = *std::move(admission);
    } else {
      if (const MethodInfo* method =
              state_->catalog->FindMethod(context_->method())) {
        record_.write = !method->read_only;
      }
      FinishEarly(admission.status());
      return;
    }
    record_.write = !admission_.method->read_only;
    record_.backend = admission_.backend->name();
    record_.municipality = admission_.municipality;
    record_.principal = admission_.caller.principal;
    record_.resource_names = admission_.resource_names;

    for (const auto& [key, value] : metadata) {
      absl::string_view name(key.data(), key.size());
      absl::string_view text(value.data(), value.size());
      if (IsGatewayOnlyHeader(name) || !IsLegalMetadata(name, text)) continue;
      client_context_.AddMetadata(std::string(name), std::string(text));
    }
    for (const auto& [key, value] : admission_.identity_headers) {
      client_context_.AddMetadata(key, value);
    }
    auto deadline = context_->deadline();
    if (!admission_.method->streaming) {
      auto fallback = std::chrono::system_clock::now() +
                      absl::ToChronoMilliseconds(state_->default_deadline);
      if (!DeadlineSet(deadline) || fallback < deadline) deadline = fallback;
    }
    if (DeadlineSet(deadline)) client_context_.set_deadline(deadline);

    grpc::GenericStub& stub = admission_.backend->Pick();
    client_started_ = true;
    refs_.fetch_add(1);
    if (!admission_.method->streaming) {
      stub.UnaryCall(&client_context_, context_->method(), grpc::StubOptions(),
                     &request_, &response_,
                     [this](grpc::Status status) { OnUnaryDone(status); });
      return;
    }
    stub.PrepareBidiStreamingCall(&client_context_, context_->method(),
                                  grpc::StubOptions(), &client_);
    // One hold per direction: requests (released when the caller is done
    // sending) and responses (released when the backend is done sending or
    // the caller is gone), since both are started from the server side.
    client_.AddMultipleHolds(2);
    client_.StartCall();
    client_.StartRead(&response_);
    client_.StartWrite(&request_);
  }

  void OnUnaryDone(const grpc::Status& status) {
    CopyTrailers();
    record_.code = static_cast<absl::StatusCode>(status.error_code());
    if (status.ok()) {
      for (const auto& [key, value] :
           client_context_.GetServerInitialMetadata()) {
        absl::string_view name(key.data(), key.size());
        if (absl::StartsWith(name, "grpc-")) continue;
        context_->AddInitialMetadata(std::string(name),
                                     std::string(value.data(), value.size()));
      }
      record_.bytes_out = response_.Length();
      if (record_.write) {
        record_.result_name = state_->catalog->ResponseName(*admission_.method,
                                                            Flatten(response_));
      }
      StartWriteAndFinish(&response_, grpc::WriteOptions(), status);
    } else {
      record_.message = status.error_message();
      Finish(status);
    }
    Unref();
  }

  void FinishFromBackend(const grpc::Status& backend_status) {
    grpc::Status status = backend_status;
    {
      absl::MutexLock lock(&mu_);
      if (forced_status_.has_value()) status = ToGrpcStatus(*forced_status_);
    }
    CopyTrailers();
    record_.code = static_cast<absl::StatusCode>(status.error_code());
    if (!status.ok()) record_.message = status.error_message();
    Finish(status);
  }

  void CopyTrailers() {
    for (const auto& [key, value] :
         client_context_.GetServerTrailingMetadata()) {
      absl::string_view name(key.data(), key.size());
      if (absl::StartsWith(name, "grpc-")) continue;
      context_->AddTrailingMetadata(std::string(name),
                                    std::string(value.data(), value.size()));
    }
  }

  void FinishEarly(const absl::Status& status) {
    record_.code = status.code();
    record_.message = std::string(status.message());
    if (auto retry = status.GetPayload(kRetryAfterPayload)) {
      context_->AddTrailingMetadata("retry-after", std::string(*retry));
    }
    Finish(ToGrpcStatus(status));
  }

  void Unref() {
    if (refs_.fetch_sub(1) == 1) delete this;
  }

  GrpcProxy* proxy_;
  grpc::GenericCallbackServerContext* context_;
  std::shared_ptr<const GatewayState> state_;
  Admission admission_;
  CallRecord record_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  grpc::ClientContext client_context_;
  Client client_;
  bool client_started_ = false;
  // One for the server side, one more once the backend call starts.
  std::atomic<int> refs_{1};
  absl::Mutex mu_;
  std::optional<absl::Status> forced_status_ ABSL_GUARDED_BY(mu_);
};

grpc::ServerGenericBidiReactor* GrpcProxy::CreateReactor(
    grpc::GenericCallbackServerContext* context) {
  return new ProxyCall(this, context);
}

}  // namespace kommune::gateway
