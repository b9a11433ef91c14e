#include "gateway/reflection_service.h"

#include <google/protobuf/descriptor.pb.h>

#include <set>

#include "absl/strings/str_cat.h"

namespace kommune::gateway {
namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptor;
using grpc::reflection::v1alpha::ServerReflectionRequest;
using grpc::reflection::v1alpha::ServerReflectionResponse;

constexpr const char* kOwnServices[] = {
    "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"};

// Adds `file` and everything it imports, each once.
void AddFileWithImports(const FileDescriptor* file, std::set<std::string>& seen,
                        ServerReflectionResponse& response) {
  if (!seen.insert(file->name()).second) return;
  google::protobuf::FileDescriptorProto proto;
  file->CopyTo(&proto);
  proto.SerializeToString(
      response.mutable_file_descriptor_response()->add_file_descriptor_proto());
  for (int i = 0; i < file->dependency_count(); ++i) {
    AddFileWithImports(file->dependency(i), seen, response);
  }
}

class ReflectionReactor
    : public grpc::ServerBidiReactor<ServerReflectionRequest,
                                     ServerReflectionResponse> {
 public:
  explicit ReflectionReactor(std::shared_ptr<const GatewayState> state)
      : state_(std::move(state)) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::OK);
      return;
    }
    Answer();
    StartWrite(&response_);
  }
  void OnWriteDone(bool ok) override {
    if (ok) {
      StartRead(&request_);
    } else {
      Finish(grpc::Status::CANCELLED);
    }
  }
  void OnDone() override { delete this; }

 private:
  // The catalog's pool first, then the binary's own (health, reflection).
  const FileDescriptor* FindFile(const std::string& name) const {
    if (auto* f = state_->catalog->pool().FindFileByName(name)) return f;
    return DescriptorPool::generated_pool()->FindFileByName(name);
  }
  const FileDescriptor* FindSymbol(const std::string& symbol) const {
    if (auto* f = state_->catalog->pool().FindFileContainingSymbol(symbol)) {
      return f;
    }
    return DescriptorPool::generated_pool()->FindFileContainingSymbol(symbol);
  }

  void Answer() {
    response_.Clear();
    response_.set_valid_host(request_.host());
    *response_.mutable_original_request() = request_;
    std::set<std::string> seen;
    const FileDescriptor* file = nullptr;
    switch (request_.message_request_case()) {
      case ServerReflectionRequest::kListServices: {
        auto* list = response_.mutable_list_services_response();
        std::set<std::string> names(std::begin(kOwnServices),
                                    std::end(kOwnServices));
        for (const auto& [service, backend] : state_->routes) {
          names.insert(service);
        }
        for (const std::string& name : names) {
          list->add_service()->set_name(name);
        }
        return;
      }
      case ServerReflectionRequest::kFileByFilename:
        file = FindFile(request_.file_by_filename());
        break;
      case ServerReflectionRequest::kFileContainingSymbol:
        file = FindSymbol(request_.file_containing_symbol());
        break;
      default:
        Error(grpc::StatusCode::UNIMPLEMENTED,
              "only list_services, file_by_filename and "
              "file_containing_symbol are answered");
        return;
    }
    if (file == nullptr) {
      Error(grpc::StatusCode::NOT_FOUND, "no such file or symbol");
      return;
    }
    AddFileWithImports(file, seen, response_);
  }

  void Error(grpc::StatusCode code, const std::string& message) {
    auto* error = response_.mutable_error_response();
    error->set_error_code(code);
    error->set_error_message(message);
  }

  std::shared_ptr<const GatewayState> state_;
  ServerReflectionRequest request_;
  ServerReflectionResponse response_;
};

}  // namespace

grpc::ServerBidiReactor<ServerReflectionRequest, ServerReflectionResponse>*
ReflectionService::ServerReflectionInfo(grpc::CallbackServerContext*) {
  return new ReflectionReactor(state_());
}

}  // namespace kommune::gateway
