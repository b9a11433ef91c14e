#ifndef KOMMUNE_SERVICES_COMMON_CALL_LOG_H_
#define KOMMUNE_SERVICES_COMMON_CALL_LOG_H_

#include <grpcpp/support/server_interceptor.h>

#include <string>

namespace kommune {

// Writes one JSON log line per finished call: service, method, status code,
// latency, municipality and subject (as the identity headers claim them;
// a forged claim shows up with code UNAUTHENTICATED).
class CallLogInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallLogInterceptorFactory(std::string service)
      : service_(std::move(service)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  std::string service_;
};

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_CALL_LOG_H_
