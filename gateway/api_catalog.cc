#include "gateway/api_catalog.h"

#include <google/protobuf/descriptor.pb.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace kommune::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Deeper than any contract nests a resource reference (two levels today).
constexpr int kMaxResourceDepth = 8;

// Fields the gateway's contracts do not know (a backend newer than the
// gateway's descriptors) could hold resource names it cannot see.
bool HasUnknownFields(const Message& message) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  if (!reflection->GetUnknownFields(message).empty()) return true;
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        if (HasUnknownFields(
                reflection->GetRepeatedMessage(message, field, i))) {
          return true;
        }
      }
    } else if (HasUnknownFields(reflection->GetMessage(message, field))) {
      return true;
    }
  }
  return false;
}

bool IsResourceNameField(const FieldDescriptor& field) {
  if (field.type() != FieldDescriptor::TYPE_STRING) return false;
  absl::string_view name = field.name();
  if (name == "display_name") return false;  // a title, not a reference
  return name == "name" || name == "parent" || name == "names" ||
         absl::EndsWith(name, "_name") || absl::EndsWith(name, "_names");
}

void FindResourceFields(const Descriptor& message, FieldPath& path,
                        std::vector<FieldPath>& out) {
  if (static_cast<int>(path.size()) >= kMaxResourceDepth) return;
  if (absl::StartsWith(message.full_name(), "google.protobuf.")) return;
  for (int i = 0; i < message.field_count(); ++i) {
    const FieldDescriptor* field = message.field(i);
    if (IsResourceNameField(*field)) {
      path.push_back(field);
      out.push_back(path);
      path.pop_back();
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE &&
               !field->is_map()) {
      bool cycle = false;
      for (const FieldDescriptor* seen : path) {
        if (seen->message_type() == field->message_type()) cycle = true;
      }
      if (cycle || field->message_type() == &message) continue;
      path.push_back(field);
      FindResourceFields(*field->message_type(), path, out);
      path.pop_back();
    }
  }
}

void CollectNames(const Message& message, const FieldPath& path, size_t depth,
                  std::vector<std::string>& out) {
  const FieldDescriptor* field = path[depth];
  const google::protobuf::Reflection* reflection = message.GetReflection();
  bool last = depth + 1 == path.size();
  if (field->is_repeated()) {
    int size = reflection->FieldSize(message, field);
    for (int i = 0; i < size; ++i) {
      if (last) {
        out.push_back(reflection->GetRepeatedString(message, field, i));
      } else {
        CollectNames(reflection->GetRepeatedMessage(message, field, i), path,
                     depth + 1, out);
      }
    }
    return;
  }
  if (last) {
    std::string value = reflection->GetString(message, field);
    if (!value.empty()) out.push_back(std::move(value));
  } else if (reflection->HasField(message, field)) {
    CollectNames(reflection->GetMessage(message, field), path, depth + 1, out);
  }
}

}  // namespace

ApiCatalog::ApiCatalog() : factory_(&pool_) {}

absl::StatusOr<std::shared_ptr<const ApiCatalog>> ApiCatalog::FromDescriptorSet(
    absl::string_view serialized_set) {
  google::protobuf::FileDescriptorSet set;
  if (!set.ParseFromArray(serialized_set.data(),
                          static_cast<int>(serialized_set.size()))) {
    return absl::InvalidArgumentError(
        "descriptor_set_file: not a serialized FileDescriptorSet");
  }
  std::shared_ptr<ApiCatalog> catalog(new ApiCatalog());
  for (const auto& file : set.file()) {
    if (catalog->pool_.BuildFile(file) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "descriptor_set_file: ", file.name(),
          " does not build (are its imports included before it?)"));
    }
  }
  catalog->type_resolver_.reset(
      google::protobuf::util::NewTypeResolverForDescriptorPool(
          "type.googleapis.com", &catalog->pool_));
  for (const auto& file : set.file()) {
    const google::protobuf::FileDescriptor* fd =
        catalog->pool_.FindFileByName(file.name());
    for (int s = 0; s < fd->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = fd->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const google::protobuf::MethodDescriptor* method = service->method(m);
        MethodInfo info;
        info.full_name =
            absl::StrCat("/", service->full_name(), "/", method->name());
        info.service = service->full_name();
        info.descriptor = method;
        info.request_prototype =
            catalog->factory_.GetPrototype(method->input_type());
        info.streaming =
            method->client_streaming() || method->server_streaming();
        info.read_only = method->options().idempotency_level() ==
                         google::protobuf::MethodOptions::NO_SIDE_EFFECTS;
        FieldPath path;
        FindResourceFields(*method->input_type(), path, info.resource_fields);
        info.response_prototype =
            catalog->factory_.GetPrototype(method->output_type());
        const FieldDescriptor* name =
            method->output_type()->FindFieldByName("name");
        if (name != nullptr && !name->is_repeated() &&
            name->type() == FieldDescriptor::TYPE_STRING) {
          info.response_name = name;
        }
        catalog->methods_.emplace(info.full_name, std::move(info));
      }
    }
  }
  return std::shared_ptr<const ApiCatalog>(std::move(catalog));
}

const MethodInfo* ApiCatalog::FindMethod(absl::string_view full_name) const {
  auto it = methods_.find(full_name);
  return it == methods_.end() ? nullptr : &it->second;
}

const google::protobuf::ServiceDescriptor* ApiCatalog::FindService(
    absl::string_view name) const {
  return pool_.FindServiceByName(std::string(name));
}

std::vector<const MethodInfo*> ApiCatalog::MethodsOf(
    absl::string_view service) const {
  std::vector<const MethodInfo*> out;
  const google::protobuf::ServiceDescriptor* descriptor = FindService(service);
  if (descriptor == nullptr) return out;
  for (int m = 0; m < descriptor->method_count(); ++m) {
    out.push_back(FindMethod(absl::StrCat("/", descriptor->full_name(), "/",
                                          descriptor->method(m)->name())));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> ApiCatalog::ResourceNames(
    const MethodInfo& method, absl::string_view request) const {
  std::vector<std::string> names;
  if (method.resource_fields.empty()) return names;
  std::unique_ptr<Message> message(method.request_prototype->New());
  if (!message->ParseFromArray(request.data(),
                               static_cast<int>(request.size()))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "request: not a valid ", method.descriptor->input_type()->full_name()));
  }
  if (HasUnknownFields(*message)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "request: has fields that ",
        method.descriptor->input_type()->full_name(),
        " does not declare (is the client's contract newer than the "
        "gateway's?)"));
  }
  for (const FieldPath& path : method.resource_fields) {
    CollectNames(*message, path, 0, names);
  }
  return names;
}

std::string ApiCatalog::ResponseName(const MethodInfo& method,
                                     absl::string_view response) const {
  if (method.response_name == nullptr) return "";
  std::unique_ptr<Message> message(method.response_prototype->New());
  if (!message->ParseFromArray(response.data(),
                               static_cast<int>(response.size()))) {
    return "";
  }
  return message->GetReflection()->GetString(*message, method.response_name);
}

std::string ApiCatalog::TypeUrl(const Descriptor& descriptor) {
  return absl::StrCat("type.googleapis.com/", descriptor.full_name());
}

}  // namespace kommune::gateway
