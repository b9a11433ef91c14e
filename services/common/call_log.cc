#include "services/common/call_log.h"

#include <string>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/identity.h"
#include "services/common/log.h"

namespace kommune {
namespace {

using grpc::experimental::InterceptionHookPoints;

class CallLogInterceptor : public grpc::experimental::Interceptor {
 public:
  CallLogInterceptor(const std::string& service,
                     grpc::experimental::ServerRpcInfo* info)
      : service_(service), method_(info->method()), start_(absl::Now()) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* metadata = methods->GetRecvInitialMetadata();
      auto get = [metadata](const char* name) {
        auto it = metadata->find(name);
        return it == metadata->end()
                   ? std::string()
                   : std::string(it->second.data(), it->second.size());
      };
      municipality_ = get(kMunicipalitiesHeader);
      subject_ = get(kSubjectHeader);
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      Write(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void Write(const grpc::Status& status) {
    google::protobuf::Struct line;
    auto& f = *line.mutable_fields();
    f["time"].set_string_value(
        absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone()));
    f["severity"].set_string_value("INFO");
    f["message"].set_string_value("call");
    f["service"].set_string_value(service_);
    f["method"].set_string_value(method_);
    f["code"].set_string_value(absl::StatusCodeToString(
        static_cast<absl::StatusCode>(status.error_code())));
    f["latency_ms"].set_number_value(
        absl::ToDoubleMilliseconds(absl::Now() - start_));
    f["municipality"].set_string_value(municipality_);
    f["subject"].set_string_value(subject_);
    if (!status.ok()) f["error"].set_string_value(status.error_message());
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(line, &json);
    WriteLogLine(json);
  }

  const std::string& service_;
  std::string method_;
  absl::Time start_;
  std::string municipality_;
  std::string subject_;
};

}  // namespace

grpc::experimental::Interceptor*
CallLogInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallLogInterceptor(service_, info);
}

}  // namespace kommune
