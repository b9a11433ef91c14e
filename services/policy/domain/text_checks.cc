#include "services/policy/domain/text_checks.h"

#include <climits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/stubs/common.h"
#include "services/common/validation.h"

namespace kommune::policy {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status CheckFields(const Message& message, const std::string& path);

absl::Status CheckValue(const Message& message, const FieldDescriptor* f,
                        int index, const std::string& path) {
  const Reflection* r = message.GetReflection();
  if (f->type() == FieldDescriptor::TYPE_STRING ||
      f->type() == FieldDescriptor::TYPE_BYTES) {
    std::string scratch;
    const std::string& value =
        index < 0 ? r->GetStringReference(message, f, &scratch)
                  : r->GetRepeatedStringReference(message, f, index, &scratch);
    if (f->type() == FieldDescriptor::TYPE_BYTES) {
      if (value.size() > kMaxFieldBytes) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": longer than ", kMaxFieldBytes, " bytes (1 MiB)"));
      }
      return absl::OkStatus();
    }
    return CheckText(value, path);
  }
  if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    return absl::OkStatus();
  }
  const Message& child = index < 0 ? r->GetMessage(message, f)
                                   : r->GetRepeatedMessage(message, f, index);
  if (child.GetDescriptor() == kommune::common::v1::Date::descriptor()) {
    return CheckDate(static_cast<const kommune::common::v1::Date&>(child),
                     path);
  }
  return CheckFields(child, path);
}

absl::Status CheckFields(const Message& message, const std::string& path) {
  const Reflection* r = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(message, &fields);  // Only fields that are set.
  for (const FieldDescriptor* f : fields) {
    std::string base =
        path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
    if (f->is_repeated()) {
      int n = r->FieldSize(message, f);
      for (int i = 0; i < n; ++i) {
        absl::Status s =
            CheckValue(message, f, i, absl::StrCat(base, "[", i, "]"));
        if (!s.ok()) return s;
      }
    } else {
      absl::Status s = CheckValue(message, f, -1, base);
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  if (text.size() > static_cast<size_t>(INT_MAX)) return false;
  return google::protobuf::internal::IsStructurallyValidUTF8(
      text.data(), static_cast<int>(text.size()));
}

absl::Status CheckText(absl::string_view text, absl::string_view field,
                       size_t max_bytes) {
  return ValidateText(text, field, /*required=*/false, max_bytes);
}

absl::Status CheckDate(const kommune::common::v1::Date& date,
                       absl::string_view field) {
  return ValidateDate(date, field, /*required=*/true);
}

absl::Status CheckMessageText(const google::protobuf::Message& message,
                              absl::string_view field) {
  return CheckFields(message, std::string(field));
}

}  // namespace kommune::policy
