#ifndef KOMMUNE_GATEWAY_API_CATALOG_H_
#define KOMMUNE_GATEWAY_API_CATALOG_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kommune::gateway {

// A path of field numbers from a request to a string field that holds a
// resource name (see ApiCatalog).
using FieldPath = std::vector<const google::protobuf::FieldDescriptor*>;

// What the gateway knows of one method from the contracts.
struct MethodInfo {
  std::string full_name;  // "/kommune.policy.v1.PolicyService/GetPolicy"
  std::string service;    // "kommune.policy.v1.PolicyService"
  const google::protobuf::MethodDescriptor* descriptor = nullptr;
  const google::protobuf::Message* request_prototype = nullptr;
  bool streaming = false;  // client or server streaming
  // Marked `option idempotency_level = NO_SIDE_EFFECTS`: not audited.
  bool read_only = false;
  // Where resource names can sit in the request.
  std::vector<FieldPath> resource_fields;
  const google::protobuf::Message* response_prototype = nullptr;
  // The response's own `name` (AIP: a mutation returns its resource), or
  // null when the response has none.
  const google::protobuf::FieldDescriptor* response_name = nullptr;
};

// The contracts behind the gateway, from a FileDescriptorSet: which methods
// exist, where their requests carry resource names, and the type resolver
// for JSON. Resource names are string fields called name, parent, names, or
// ending in _name or _names, at any depth; that is the contracts' convention
// (AIP-122), so a new service needs no gateway code.
class ApiCatalog {
 public:
  static absl::StatusOr<std::shared_ptr<const ApiCatalog>> FromDescriptorSet(
      absl::string_view serialized_set);

  // nullptr for a method the contracts do not have.
  const MethodInfo* FindMethod(absl::string_view full_name) const;
  const google::protobuf::ServiceDescriptor* FindService(
      absl::string_view name) const;
  const google::protobuf::DescriptorPool& pool() const { return pool_; }
  google::protobuf::util::TypeResolver* type_resolver() const {
    return type_resolver_.get();
  }
  // Every method of `service`, in declaration order.
  std::vector<const MethodInfo*> MethodsOf(absl::string_view service) const;

  // The resource names in a serialized request of `method`; INVALID_ARGUMENT
  // when the bytes do not parse.
  absl::StatusOr<std::vector<std::string>> ResourceNames(
      const MethodInfo& method, absl::string_view request) const;

  // The `name` of a serialized response of `method`, or empty: what a write
  // created or changed, for the audit log.
  std::string ResponseName(const MethodInfo& method,
                           absl::string_view response) const;

  // "type.googleapis.com/" + full name, for the type resolver.
  static std::string TypeUrl(const google::protobuf::Descriptor& descriptor);

 private:
  ApiCatalog();

  google::protobuf::DescriptorPool pool_;
  mutable google::protobuf::DynamicMessageFactory factory_;
  std::unique_ptr<google::protobuf::util::TypeResolver> type_resolver_;
  absl::flat_hash_map<std::string, MethodInfo> methods_;
};

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_API_CATALOG_H_
