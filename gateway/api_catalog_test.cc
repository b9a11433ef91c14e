#include "gateway/api_catalog.h"

#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/text_format.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/embedded_file.h"

namespace kommune::gateway {
std::vector<kommune::EmbeddedFile> ApiDescriptorSet();
}  // namespace kommune::gateway

namespace kommune::gateway {
namespace {

using google::protobuf::Message;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kPolicyService[] = "kommune.policy.v1.PolicyService";
constexpr char kFeedService[] = "kommune.common.v1.ChangeFeedService";

const std::vector<std::string>& PolicyMethods() {
  static const auto* methods = new std::vector<std::string>{
      "CreatePolicy",        "GetPolicy",           "ListPolicies",
      "UpdatePolicy",        "DeletePolicy",        "ListPolicyRevisions",
      "DiffPolicyRevisions", "SendPolicyToHearing", "AdoptPolicy",
      "WithdrawPolicy",      "RevisePolicy",        "SearchPolicies",
      "ImportPolicy",        "ExportPolicy"};
  return *methods;
}

class ApiCatalogTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto catalog =
        ApiCatalog::FromDescriptorSet(ApiDescriptorSet().at(0).content);
    ASSERT_TRUE(catalog.ok()) << catalog.status();
    catalog_ = new std::shared_ptr<const ApiCatalog>(*std::move(catalog));
  }
  static void TearDownTestSuite() {
    delete catalog_;
    catalog_ = nullptr;
  }

  void SetUp() override { ASSERT_NE(catalog_, nullptr); }

  const ApiCatalog& catalog() const { return **catalog_; }

  const MethodInfo& Method(const std::string& service,
                           const std::string& method) {
    const MethodInfo* info = catalog().FindMethod("/" + service + "/" + method);
    EXPECT_NE(info, nullptr) << service << "/" << method;
    static const MethodInfo kNone;
    return info != nullptr ? *info : kNone;
  }

  // A message of `type` from the catalog's pool, filled from text format,
  // serialized: what a client sends.
  std::string Serialized(const std::string& type, const std::string& text) {
    const google::protobuf::Descriptor* descriptor =
        catalog().pool().FindMessageTypeByName(type);
    EXPECT_NE(descriptor, nullptr) << type;
    if (descriptor == nullptr) return "";
    std::unique_ptr<Message> message(factory_.GetPrototype(descriptor)->New());
    EXPECT_TRUE(
        google::protobuf::TextFormat::ParseFromString(text, message.get()))
        << text;
    return message->SerializeAsString();
  }

  absl::StatusOr<std::vector<std::string>> Names(const std::string& method,
                                                 const std::string& type,
                                                 const std::string& text) {
    return catalog().ResourceNames(Method(kPolicyService, method),
                                   Serialized(type, text));
  }

  static std::shared_ptr<const ApiCatalog>* catalog_;
  google::protobuf::DynamicMessageFactory factory_;
};

std::shared_ptr<const ApiCatalog>* ApiCatalogTest::catalog_ = nullptr;

TEST_F(ApiCatalogTest, FindsEveryPolicyServiceMethod) {
  for (const std::string& name : PolicyMethods()) {
    const MethodInfo* info =
        catalog().FindMethod(std::string("/") + kPolicyService + "/" + name);
    ASSERT_NE(info, nullptr) << name;
    EXPECT_EQ(info->full_name, std::string("/") + kPolicyService + "/" + name);
    EXPECT_EQ(info->service, kPolicyService);
    ASSERT_NE(info->descriptor, nullptr);
    EXPECT_EQ(info->descriptor->name(), name);
    ASSERT_NE(info->request_prototype, nullptr);
    EXPECT_EQ(info->request_prototype->GetDescriptor(),
              info->descriptor->input_type());
    ASSERT_NE(info->response_prototype, nullptr);
    EXPECT_EQ(info->response_prototype->GetDescriptor(),
              info->descriptor->output_type());
    EXPECT_FALSE(info->streaming) << name;
  }
  // And nothing else.
  EXPECT_EQ(catalog().FindService(kPolicyService)->method_count(),
            static_cast<int>(PolicyMethods().size()));
}

TEST_F(ApiCatalogTest, MethodsOfListsInDeclarationOrder) {
  std::vector<std::string> names;
  for (const MethodInfo* info : catalog().MethodsOf(kPolicyService)) {
    ASSERT_NE(info, nullptr);
    names.push_back(info->descriptor->name());
  }
  EXPECT_EQ(names, PolicyMethods());
  EXPECT_THAT(catalog().MethodsOf("kommune.nothing.v1.NoService"), IsEmpty());
}

TEST_F(ApiCatalogTest, ReadOnlyExactlyForMethodsWithoutSideEffects) {
  const std::set<std::string> read_only = {
      "GetPolicy",           "ListPolicies",        "SearchPolicies",
      "ListPolicyRevisions", "DiffPolicyRevisions", "ExportPolicy"};
  for (const std::string& name : PolicyMethods()) {
    EXPECT_EQ(Method(kPolicyService, name).read_only, read_only.count(name) > 0)
        << name;
  }
  EXPECT_TRUE(Method(kFeedService, "ListEvents").read_only);
  EXPECT_TRUE(Method(kFeedService, "WatchEvents").read_only);
}

TEST_F(ApiCatalogTest, WatchEventsIsStreaming) {
  EXPECT_TRUE(Method(kFeedService, "WatchEvents").streaming);
  EXPECT_FALSE(Method(kFeedService, "ListEvents").streaming);
}

TEST_F(ApiCatalogTest, UnknownMethodIsNull) {
  EXPECT_EQ(catalog().FindMethod("/kommune.policy.v1.PolicyService/Nope"),
            nullptr);
  EXPECT_EQ(catalog().FindMethod("/kommune.policy.v1.NoService/GetPolicy"),
            nullptr);
  // The full name starts with a slash.
  EXPECT_EQ(catalog().FindMethod("kommune.policy.v1.PolicyService/GetPolicy"),
            nullptr);
  EXPECT_EQ(catalog().FindMethod(""), nullptr);
}

TEST_F(ApiCatalogTest, ResourceNameFromGetRequest) {
  auto names = Names("GetPolicy", "kommune.policy.v1.GetPolicyRequest",
                     R"pb(name: "municipalities/169/policies/integration-2007"
                          view: POLICY_VIEW_FULL)pb");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names,
              ElementsAre("municipalities/169/policies/integration-2007"));
}

TEST_F(ApiCatalogTest, ResourceNameFromCreateRequestParent) {
  auto names = Names("CreatePolicy", "kommune.policy.v1.CreatePolicyRequest",
                     R"pb(parent: "municipalities/169"
                          policy_id: "integration-2007"
                          request_id: "r-1"
                          policy { display_name: "Integrationspolitik" })pb");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, ElementsAre("municipalities/169"));
}

TEST_F(ApiCatalogTest, CreateRequestWithNestedNameYieldsBoth) {
  // A name smuggled into the new policy is checked too.
  auto names =
      Names("CreatePolicy", "kommune.policy.v1.CreatePolicyRequest",
            R"pb(parent: "municipalities/169"
                 policy { name: "municipalities/101/policies/x" })pb");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, UnorderedElementsAre("municipalities/169",
                                           "municipalities/101/policies/x"));
}

TEST_F(ApiCatalogTest, ResourceNameFromUpdateRequestPolicy) {
  auto names = Names("UpdatePolicy", "kommune.policy.v1.UpdatePolicyRequest",
                     R"pb(policy {
                            name: "municipalities/169/policies/integration-2007"
                            display_name: "municipalities/101/policies/title"
                            etag: "e1"
                          }
                          update_mask { paths: "display_name" }
                          request_id: "r-2")pb");
  ASSERT_TRUE(names.ok()) << names.status();
  // display_name is a title, not a resource name.
  EXPECT_THAT(*names,
              ElementsAre("municipalities/169/policies/integration-2007"));
}

TEST_F(ApiCatalogTest, DisplayNameIsNotAResourceField) {
  const MethodInfo& update = Method(kPolicyService, "UpdatePolicy");
  ASSERT_FALSE(update.resource_fields.empty());
  for (const FieldPath& path : update.resource_fields) {
    ASSERT_FALSE(path.empty());
    EXPECT_NE(path.back()->name(), "display_name");
  }
}

TEST_F(ApiCatalogTest, EmptyRequestHasNoNames) {
  auto names = catalog().ResourceNames(Method(kPolicyService, "GetPolicy"), "");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, IsEmpty());
}

TEST_F(ApiCatalogTest, ResourceNameFromChangeFeedParent) {
  const MethodInfo& list = Method(kFeedService, "ListEvents");
  auto names = catalog().ResourceNames(
      list, Serialized("kommune.common.v1.ListEventsRequest",
                       R"pb(parent: "municipalities/-" page_token: "abc")pb"));
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, ElementsAre("municipalities/-"));
}

TEST_F(ApiCatalogTest, GarbageRequestIsInvalidArgument) {
  const MethodInfo& get = Method(kPolicyService, "GetPolicy");
  // Field 1, length 5, but only two bytes follow.
  auto truncated = catalog().ResourceNames(get, absl::string_view("\x0a\x05"
                                                                  "ab",
                                                                  4));
  EXPECT_EQ(truncated.status().code(), absl::StatusCode::kInvalidArgument);
  // A varint that never ends.
  auto endless =
      catalog().ResourceNames(get, std::string(12, static_cast<char>(0xff)));
  EXPECT_EQ(endless.status().code(), absl::StatusCode::kInvalidArgument);
}

// A field the gateway's contracts do not declare might carry a resource
// name it cannot check: refused, at the top and nested.
TEST_F(ApiCatalogTest, UndeclaredFieldsAreInvalidArgument) {
  const MethodInfo& get = Method(kPolicyService, "GetPolicy");
  // name (field 1) = "municipalities/101/policies/x", then field 99 = "y".
  const std::string name = "municipalities/101/policies/x";
  std::string known =
      std::string("\x0a") + static_cast<char>(name.size()) + name;
  std::string unknown = known + std::string("\x9a\x06\x01y", 4);
  ASSERT_TRUE(catalog().ResourceNames(get, known).ok());
  auto top = catalog().ResourceNames(get, unknown);
  EXPECT_EQ(top.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(top.status().message()),
              HasSubstr("does not declare"));

  const MethodInfo& update = Method(kPolicyService, "UpdatePolicy");
  // policy (field 1) holding the same unknown field.
  std::string inner = known + std::string("\x9a\x06\x01y", 4);
  std::string nested =
      std::string("\x0a") + static_cast<char>(inner.size()) + inner;
  EXPECT_EQ(catalog().ResourceNames(update, nested).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ApiCatalogTest, ResponseNameReadsPolicyName) {
  std::string policy =
      Serialized("kommune.policy.v1.Policy",
                 R"pb(name: "municipalities/169/policies/integration-2007"
                      display_name: "Integrationspolitik")pb");
  for (const char* method : {"CreatePolicy", "UpdatePolicy", "AdoptPolicy"}) {
    const MethodInfo& info = Method(kPolicyService, method);
    ASSERT_NE(info.response_name, nullptr) << method;
    EXPECT_EQ(catalog().ResponseName(info, policy),
              "municipalities/169/policies/integration-2007")
        << method;
  }
}

TEST_F(ApiCatalogTest, ResponseNameIsEmptyWhenThereIsNone) {
  const MethodInfo& update = Method(kPolicyService, "UpdatePolicy");
  EXPECT_EQ(catalog().ResponseName(update, ""), "");
  EXPECT_EQ(catalog().ResponseName(update, absl::string_view("\x0a\x05"
                                                             "ab",
                                                             4)),
            "");
  // Responses without a `name` field.
  const MethodInfo& list = Method(kPolicyService, "ListPolicies");
  EXPECT_EQ(list.response_name, nullptr);
  EXPECT_EQ(catalog().ResponseName(
                list, Serialized("kommune.policy.v1.ListPoliciesResponse",
                                 R"pb(policies { name: "municipalities/1/x" }
                                      next_page_token: "t")pb")),
            "");
  EXPECT_EQ(Method(kPolicyService, "DeletePolicy").response_name, nullptr);
}

TEST_F(ApiCatalogTest, TypeUrlAndResolver) {
  const google::protobuf::Descriptor* policy =
      catalog().pool().FindMessageTypeByName("kommune.policy.v1.Policy");
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ(ApiCatalog::TypeUrl(*policy),
            "type.googleapis.com/kommune.policy.v1.Policy");
  EXPECT_NE(catalog().type_resolver(), nullptr);
}

TEST(ApiCatalogFromDescriptorSetTest, RejectsGarbage) {
  auto catalog = ApiCatalog::FromDescriptorSet("not a descriptor set");
  EXPECT_EQ(catalog.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ApiCatalogFromDescriptorSetTest, RejectsFileWithMissingImport) {
  google::protobuf::FileDescriptorSet set;
  google::protobuf::FileDescriptorProto* file = set.add_file();
  file->set_name("kommune/broken.proto");
  file->set_package("kommune.broken");
  file->set_syntax("proto3");
  file->add_dependency("kommune/missing.proto");
  auto catalog = ApiCatalog::FromDescriptorSet(set.SerializeAsString());
  EXPECT_EQ(catalog.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(catalog.status().message()),
              ::testing::HasSubstr("kommune/broken.proto"));
}

}  // namespace
}  // namespace kommune::gateway
