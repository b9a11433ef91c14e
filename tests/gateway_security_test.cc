// Who may do what through the gateway: every method of every service
// refuses another municipality's resources, the role table holds, bad
// credentials are refused (the JWT attack list), identity headers cannot be
// forged, rate limits answer RESOURCE_EXHAUSTED, and bad input gets a clear
// status while the gateway stays up.
#include <arpa/inet.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "kommune/policy/v1/policy_service.grpc.pb.h"
#include "services/common/identity.h"
#include "tests/gateway_stack.h"

namespace kommune::testing {
namespace {

namespace v1 = ::kommune::policy::v1;
using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using ::nlohmann::json;

constexpr char kAllRoles[][12] = {"viewer",  "editor",      "secretary",
                                  "analyst", "integration", "admin"};

std::vector<std::string> AllRoles() {
  return std::vector<std::string>(std::begin(kAllRoles), std::end(kAllRoles));
}

// What the services behind the gateway declare, learned the way any client
// learns it: through the gateway's server reflection.
struct Discovered {
  google::protobuf::SimpleDescriptorDatabase database;
  std::unique_ptr<google::protobuf::DescriptorPool> pool;
  std::vector<const google::protobuf::ServiceDescriptor*> services;
};

std::unique_ptr<Discovered> Discover(std::shared_ptr<grpc::Channel> channel) {
  auto found = std::make_unique<Discovered>();
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
  grpc::ClientContext context;
  auto stream = stub->ServerReflectionInfo(&context);
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  request.set_list_services("");
  stream->Write(request);
  stream->Read(&response);
  std::vector<std::string> names;
  for (const auto& s : response.list_services_response().service()) {
    if (!absl::StartsWith(s.name(), "grpc.")) names.push_back(s.name());
  }
  std::set<std::string> added;
  for (const std::string& name : names) {
    request.set_file_containing_symbol(name);
    stream->Write(request);
    stream->Read(&response);
    for (const std::string& bytes :
         response.file_descriptor_response().file_descriptor_proto()) {
      google::protobuf::FileDescriptorProto file;
      file.ParseFromString(bytes);
      if (added.insert(file.name()).second) found->database.Add(file);
    }
  }
  stream->WritesDone();
  stream->Finish();
  found->pool =
      std::make_unique<google::protobuf::DescriptorPool>(&found->database);
  for (const std::string& name : names) {
    if (auto* service = found->pool->FindServiceByName(name)) {
      found->services.push_back(service);
    }
  }
  return found;
}

// Sets every resource-name field (name, parent, *_name, names) of a
// request, at any depth, to a name in `municipality`. Returns how many.
int FillResourceNames(Message& message, const std::string& municipality,
                      int depth = 0) {
  if (depth > 3) return 0;
  int filled = 0;
  const Descriptor* descriptor = message.GetDescriptor();
  const google::protobuf::Reflection* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const std::string& n = field->name();
    bool resource = field->type() == FieldDescriptor::TYPE_STRING &&
                    n != "display_name" &&
                    (n == "name" || n == "parent" || n == "names" ||
                     absl::EndsWith(n, "_name"));
    std::string value =
        absl::StrCat("municipalities/", municipality, "/policies/theirs");
    if (n == "parent") value = absl::StrCat("municipalities/", municipality);
    if (resource) {
      if (field->is_repeated()) {
        reflection->AddString(&message, field, value);
      } else {
        reflection->SetString(&message, field, value);
      }
      ++filled;
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE &&
               !field->is_repeated() &&
               !absl::StartsWith(field->message_type()->full_name(),
                                 "google.protobuf.")) {
      filled += FillResourceNames(*reflection->MutableMessage(&message, field),
                                  municipality, depth + 1);
    }
  }
  return filled;
}

// A unary call, or the first exchange of a stream, which runs until the
// (short) deadline when the gateway lets it through.
grpc::Status CallGeneric(
    grpc::GenericStub& stub, const std::string& method,
    const std::string& request,
    const std::vector<std::pair<std::string, std::string>>& metadata,
    absl::Duration deadline = absl::Seconds(20)) {
  grpc::ClientContext context;
  for (const auto& [k, v] : metadata) context.AddMetadata(k, v);
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(deadline));
  grpc::Slice slice(request);
  grpc::ByteBuffer in(&slice, 1);
  grpc::ByteBuffer out;
  absl::Notification done;
  grpc::Status result;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &in, &out,
                 [&](grpc::Status status) {
                   result = status;
                   done.Notify();
                 });
  done.WaitForNotification();
  return result;
}

class GatewaySecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new GatewayStack();
    GatewayStack::Options options;
    options.edit_config = [](gateway::GatewayConfig& config) {
      config.mutable_http()->mutable_read_timeout()->set_seconds(2);
      // A small municipality (Ærø) with a small budget, to see limits bite.
      auto& small = (*config.mutable_rate_limits()
                          ->mutable_municipality_overrides())["492"];
      small.set_rate_per_second(0.2);
      small.set_burst(2);
    };
    absl::Status started = stack_->Start(options);
    ASSERT_TRUE(started.ok()) << started;
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  static grpc::Status Get(
      const std::string& name,
      const std::vector<std::pair<std::string, std::string>>& metadata) {
    auto stub = v1::PolicyService::NewStub(stack_->Channel());
    grpc::ClientContext context;
    for (const auto& [k, v] : metadata) context.AddMetadata(k, v);
    v1::GetPolicyRequest request;
    request.set_name(name);
    v1::Policy policy;
    return stub->GetPolicy(&context, request, &policy);
  }

  // A protected call with the given authorization header value.
  static grpc::Status CreateWith(const std::string& authorization) {
    auto stub = v1::PolicyService::NewStub(stack_->Channel());
    grpc::ClientContext context;
    if (!authorization.empty()) {
      context.AddMetadata("authorization", authorization);
    }
    v1::CreatePolicyRequest request;
    request.set_parent("municipalities/101");
    request.set_policy_id("attack");
    request.mutable_policy()->set_display_name("x");
    v1::Policy policy;
    return stub->CreatePolicy(&context, request, &policy);
  }

  // "Authorization: Bearer <token>" of a viewer of 101, for curl.
  static std::string Viewer() {
    return "Authorization: Bearer " + stack_->Token({"101"}, {"viewer"});
  }

  static json Claims() {
    int64_t now = absl::ToUnixSeconds(absl::Now());
    const auto& jwt = stack_->config().authentication().jwt();
    return {{"iss", jwt.issuer()},          {"aud", jwt.audience()},
            {"sub", "attacker@example.dk"}, {"exp", now + 600},
            {"municipalities", {"101"}},    {"roles", {"admin"}}};
  }

  static GatewayStack* stack_;
};

GatewayStack* GatewaySecurityTest::stack_ = nullptr;

TEST_F(GatewaySecurityTest, EveryMethodRefusesAnotherMunicipalitysResources) {
  std::unique_ptr<Discovered> api = Discover(stack_->Channel());
  ASSERT_FALSE(api->services.empty());
  grpc::GenericStub stub(stack_->Channel());
  google::protobuf::DynamicMessageFactory factory(api->pool.get());
  // A caller of København with every role: only the municipality is wrong.
  const std::string token = stack_->Token({"101"}, AllRoles());
  int methods = 0;
  for (const auto* service : api->services) {
    for (int m = 0; m < service->method_count(); ++m) {
      const auto* method = service->method(m);
      std::unique_ptr<Message> request(
          factory.GetPrototype(method->input_type())->New());
      // The shared indicator catalogue belongs to no municipality; listing
      // it is its one method without any resource name, and a public read.
      if (method->full_name() ==
          "kommune.followup.v1.FollowUpService.ListCatalogueIndicators") {
        EXPECT_EQ(method->options().idempotency_level(),
                  google::protobuf::MethodOptions::NO_SIDE_EFFECTS);
        continue;
      }
      int filled = FillResourceNames(*request, "147");
      ASSERT_GT(filled, 0) << method->full_name()
                           << " carries no resource name, so the gateway "
                              "cannot bind it to a municipality";
      std::string full =
          absl::StrCat("/", service->full_name(), "/", method->name());
      grpc::Status status =
          CallGeneric(stub, full, request->SerializeAsString(),
                      {{"authorization", "Bearer " + token}});
      EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << full << ": " << status.error_message();
      EXPECT_TRUE(absl::StrContains(status.error_message(), "147")) << full;
      ++methods;
    }
  }
  EXPECT_GE(methods, 16);  // the policy service's 14 and the change feed's 2
}

// The committed role table (gateway/dev/gateway.textproto), method by
// method and role by role: a role the table names passes the gateway (the
// service then answers, NOT_FOUND for the made-up resource), any other is
// refused by the gateway.
TEST_F(GatewaySecurityTest, RoleTableIsEnforced) {
  std::unique_ptr<Discovered> api = Discover(stack_->Channel());
  grpc::GenericStub stub(stack_->Channel());
  google::protobuf::DynamicMessageFactory factory(api->pool.get());
  const auto& rules = stack_->config().access_rules();
  auto rule_for =
      [&](const std::string& service,
          const std::string& method) -> const gateway::v1::AccessRule* {
    for (const std::string& key :
         {absl::StrCat(service, "/", method), absl::StrCat(service, "/*"),
          std::string("*")}) {
      for (const auto& rule : rules) {
        if (rule.method() == key) return &rule;
      }
    }
    return nullptr;
  };
  for (const auto* service : api->services) {
    for (int m = 0; m < service->method_count(); ++m) {
      const auto* method = service->method(m);
      std::unique_ptr<Message> request(
          factory.GetPrototype(method->input_type())->New());
      FillResourceNames(*request, "101");
      std::string full =
          absl::StrCat("/", service->full_name(), "/", method->name());
      const gateway::v1::AccessRule* rule =
          rule_for(service->full_name(), method->name());
      // A stream the gateway lets through stays open until its deadline.
      absl::Duration deadline = method->server_streaming()
                                    ? absl::Milliseconds(500)
                                    : absl::Seconds(20);
      for (const std::string& role : AllRoles()) {
        bool allowed = rule != nullptr &&
                       (rule->allow_anonymous() ||
                        std::find(rule->roles().begin(), rule->roles().end(),
                                  role) != rule->roles().end());
        grpc::Status status = CallGeneric(
            stub, full, request->SerializeAsString(),
            {{"authorization", "Bearer " + stack_->Token({"101"}, {role})}},
            deadline);
        bool refused_by_gateway =
            status.error_code() == grpc::StatusCode::PERMISSION_DENIED &&
            absl::StrContains(status.error_message(), "needs one of the roles");
        EXPECT_EQ(refused_by_gateway, !allowed)
            << full << " as " << role << ": " << status.error_code() << " "
            << status.error_message();
      }
      grpc::Status anonymous =
          CallGeneric(stub, full, request->SerializeAsString(), {}, deadline);
      bool open = rule != nullptr && rule->allow_anonymous();
      // The service may ask an anonymous caller to sign in too (for a
      // draft); the gateway's own refusal says what credentials it takes.
      bool refused_by_gateway =
          anonymous.error_code() == grpc::StatusCode::UNAUTHENTICATED &&
          absl::StrContains(anonymous.error_message(), "needs credentials");
      EXPECT_EQ(refused_by_gateway, !open)
          << full << " anonymously: " << anonymous.error_message();
    }
  }
}

TEST_F(GatewaySecurityTest, RefusesTheJwtAttackList) {
  const json claims = Claims();
  auto mint = [&](const json& c, const json& header = json()) {
    auto token = stack_->minter().Mint(c, header);
    EXPECT_TRUE(token.ok());
    return token.ok() ? *token : std::string();
  };
  auto b64 = [](const std::string& s) { return absl::WebSafeBase64Escape(s); };
  const std::string payload = b64(claims.dump());

  std::vector<std::pair<std::string, std::string>> attacks;
  attacks.emplace_back("no token", "");
  attacks.emplace_back("not a bearer", "Basic dXNlcjpwYXNz");
  attacks.emplace_back("malformed", "Bearer abc.def");
  attacks.emplace_back("garbage base64", "Bearer !!!.@@@.###");
  attacks.emplace_back(
      "alg none",
      "Bearer " + b64(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".");
  {
    // HS256 keyed with the public key, hoping the verifier uses it as a
    // shared secret.
    std::string header =
        b64(json{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", "stack-1"}}.dump());
    std::string input = header + "." + payload;
    std::string key = stack_->minter().JwksJson();
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(),
         mac, &mac_length);
    attacks.emplace_back(
        "HS256 with the public key",
        "Bearer " + input + "." +
            b64(std::string(reinterpret_cast<char*>(mac), mac_length)));
  }
  attacks.emplace_back("unknown kid",
                       "Bearer " + mint(claims, {{"kid", "stolen-9"}}));
  {
    json expired = claims;
    expired["exp"] = absl::ToUnixSeconds(absl::Now()) - 3600;
    attacks.emplace_back("expired", "Bearer " + mint(expired));
  }
  {
    json early = claims;
    early["nbf"] = absl::ToUnixSeconds(absl::Now()) + 3600;
    attacks.emplace_back("not yet valid", "Bearer " + mint(early));
  }
  {
    json issuer = claims;
    issuer["iss"] = "https://evil.example";
    attacks.emplace_back("wrong issuer", "Bearer " + mint(issuer));
  }
  {
    json audience = claims;
    audience["aud"] = "another-service";
    attacks.emplace_back("wrong audience", "Bearer " + mint(audience));
  }
  {
    // Same kid, another key: a forged signature.
    auto impostor =
        gateway::TokenMinter::Create(gateway::JwsAlgorithm::kEs256, "stack-1");
    ASSERT_TRUE(impostor.ok());
    attacks.emplace_back("signed by another key",
                         "Bearer " + *impostor->Mint(claims));
  }
  {
    std::string token = mint(claims);
    size_t dot = token.find('.');
    json tampered = claims;
    tampered["municipalities"] = {"101", "147"};
    std::string forged = token.substr(0, dot + 1) + b64(tampered.dump()) +
                         token.substr(token.rfind('.'));
    attacks.emplace_back("tampered payload", "Bearer " + forged);
  }
  for (const auto& [what, authorization] : attacks) {
    grpc::Status status = CreateWith(authorization);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << what << ": " << status.error_message();
  }
  // The gateway is still up and a good token still works.
  grpc::Status good = CreateWith("Bearer " + mint(claims));
  EXPECT_NE(good.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << good.error_message();
  EXPECT_NE(good.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(GatewaySecurityTest, ApiKeys) {
  const std::string missing = "municipalities/101/policies/no-such-policy";
  EXPECT_EQ(Get(missing, {{"x-api-key", stack_->api_key()}}).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(
      Get(missing, {{"x-api-key", stack_->revoked_api_key()}}).error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Get(missing, {{"x-api-key", "nobody.secret"}}).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  std::string wrong = stack_->api_key();
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(Get(missing, {{"x-api-key", wrong}}).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // The key acts for 101 only.
  EXPECT_EQ(
      Get("municipalities/147/policies/x", {{"x-api-key", stack_->api_key()}})
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get(missing, {{"x-api-key", stack_->api_key()},
                          {"authorization", "Bearer x.y.z"}})
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(GatewaySecurityTest, ClientIdentityHeadersAreDropped) {
  auto stub = v1::PolicyService::NewStub(stack_->Channel());
  grpc::ClientContext context;
  context.AddMetadata("authorization",
                      "Bearer " + stack_->Token({"101"}, {"editor"}));
  v1::CreatePolicyRequest create;
  create.set_parent("municipalities/101");
  create.set_policy_id("secret-draft");
  create.mutable_policy()->set_display_name("Kladde");
  v1::Policy draft;
  grpc::Status created = stub->CreatePolicy(&context, create, &draft);
  ASSERT_TRUE(created.ok()) << created.error_message();

  // An anonymous caller claims to be an editor of 101, with headers signed
  // by a guessed secret. The gateway drops them: the caller stays an
  // outsider, whom the service asks to sign in to see a draft (had the
  // headers arrived, the service would have refused their signature).
  Identity forged;
  forged.municipality_codes = {"101"};
  forged.roles = {Role::kAdmin};
  forged.subject = "mallory";
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [k, v] :
       IdentityHeaders(forged, "guessed-secret", absl::Now())) {
    headers.emplace_back(k, v);
  }
  grpc::Status guessed = Get(draft.name(), headers);
  EXPECT_EQ(guessed.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(absl::StrContains(guessed.error_message(), "sign in"))
      << guessed.error_message();
  // Even with the real secret: only the gateway speaks for callers.
  headers.clear();
  for (const auto& [k, v] :
       IdentityHeaders(forged, stack_->identity_secret(), absl::Now())) {
    headers.emplace_back(k, v);
  }
  grpc::Status real = Get(draft.name(), headers);
  EXPECT_EQ(real.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(absl::StrContains(real.error_message(), "sign in"))
      << real.error_message();
  // A viewer of 101 with a token sees it.
  EXPECT_TRUE(
      Get(draft.name(),
          {{"authorization", "Bearer " + stack_->Token({"101"}, {"viewer"})}})
          .ok());
}

TEST_F(GatewaySecurityTest, RateLimitsAnswerResourceExhausted) {
  const std::string token = stack_->Token({"492"}, {"viewer"});
  const std::string name = "municipalities/492/policies/none";
  // Anonymous readers are limited per address, and cannot spend Ærø's
  // budget: its staff's calls below still get their burst.
  for (int i = 0; i < 5; ++i) {
    EXPECT_NE(Get(name, {}).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  grpc::StatusCode last = grpc::StatusCode::OK;
  std::string retry_after;
  int calls = 0;
  for (int i = 0; i < 4 && last != grpc::StatusCode::RESOURCE_EXHAUSTED; ++i) {
    ++calls;
    auto stub = v1::PolicyService::NewStub(stack_->Channel());
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    v1::GetPolicyRequest request;
    request.set_name(name);
    v1::Policy policy;
    last = stub->GetPolicy(&context, request, &policy).error_code();
    auto it = context.GetServerTrailingMetadata().find("retry-after");
    if (it != context.GetServerTrailingMetadata().end()) {
      retry_after.assign(it->second.data(), it->second.size());
    }
  }
  EXPECT_EQ(last, grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_FALSE(retry_after.empty());
  EXPECT_GE(calls, 3);  // the burst of two passed first
  // The JSON side says 429 with Retry-After.
  GatewayStack::HttpAnswer answer = stack_->PostJson(
      "/kommune.policy.v1.PolicyService/GetPolicy", json{{"name", name}}.dump(),
      {"Authorization: Bearer " + token});
  EXPECT_EQ(answer.status, 429) << answer.body;
  EXPECT_TRUE(
      absl::StrContains(absl::AsciiStrToLower(answer.headers), "retry-after:"))
      << answer.headers;
  EXPECT_EQ(json::parse(answer.body, nullptr, false).value("code", ""),
            "resource_exhausted");
  // Other municipalities are not affected.
  EXPECT_EQ(
      Get("municipalities/101/policies/none",
          {{"authorization", "Bearer " + stack_->Token({"101"}, {"viewer"})}})
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
}

TEST_F(GatewaySecurityTest, UnknownServicesAndMethodsAreUnimplemented) {
  grpc::GenericStub stub(stack_->Channel());
  EXPECT_EQ(CallGeneric(stub, "/kommune.nothing.v1.NoService/Get", "", {})
                .error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(
      CallGeneric(stub, "/kommune.policy.v1.PolicyService/DropTables", "", {})
          .error_code(),
      grpc::StatusCode::UNIMPLEMENTED);
  GatewayStack::HttpAnswer answer =
      stack_->PostJson("/kommune.policy.v1.PolicyService/DropTables", "{}");
  EXPECT_EQ(answer.status, 501);
  EXPECT_EQ(json::parse(answer.body, nullptr, false).value("code", ""),
            "unimplemented");
}

TEST_F(GatewaySecurityTest, BadJsonRequestsGetClearErrors) {
  const std::string path = "/kommune.policy.v1.PolicyService/GetPolicy";
  GatewayStack::HttpAnswer malformed = stack_->PostJson(path, "{\"name\": ");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(json::parse(malformed.body, nullptr, false).value("code", ""),
            "invalid_argument");
  GatewayStack::HttpAnswer unknown_field =
      stack_->PostJson(path, R"({"nmae": "municipalities/101/policies/x"})");
  EXPECT_EQ(unknown_field.status, 400) << unknown_field.body;
  GatewayStack::HttpAnswer wrong_type =
      stack_->PostJson(path, "name=x", {"Content-Type: text/plain"});
  EXPECT_EQ(wrong_type.status, 415) << wrong_type.body;
  GatewayStack::HttpAnswer too_big =
      stack_->PostJson(path, std::string(5 << 20, ' '));
  EXPECT_EQ(too_big.status, 413);
  GatewayStack::HttpAnswer big_header =
      stack_->PostJson(path, "{}", {"X-Filler: " + std::string(20000, 'a')});
  EXPECT_EQ(big_header.status, 431);
  // Headers gRPC would not carry (UTF-8 values, odd names) are left behind,
  // not allowed to abort the gateway.
  GatewayStack::HttpAnswer odd_headers = stack_->PostJson(
      path, R"({"name": "municipalities/101/policies/none"})",
      {Viewer(), "X-Sagsbehandler: Jørgen Ærø", "X~Odd: 1", "X-Tab: a\tb"});
  EXPECT_EQ(odd_headers.status, 404) << odd_headers.body;
  // And the gateway still answers.
  GatewayStack::HttpAnswer fine = stack_->PostJson(
      path, R"({"name": "municipalities/101/policies/none"})", {Viewer()});
  EXPECT_EQ(fine.status, 404) << fine.body;
}

TEST_F(GatewaySecurityTest, ACallerMayActForSeveralMunicipalities) {
  // A shared service centre for København and Frederiksberg.
  const std::string token = stack_->Token({"101", "147"}, {"viewer"});
  for (const char* code : {"101", "147"}) {
    EXPECT_EQ(Get(absl::StrCat("municipalities/", code, "/policies/none"),
                  {{"authorization", "Bearer " + token}})
                  .error_code(),
              grpc::StatusCode::NOT_FOUND)
        << code;
  }
  EXPECT_EQ(Get("municipalities/185/policies/none",
                {{"authorization", "Bearer " + token}})
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(GatewaySecurityTest, OversizedMessagesAreRefused) {
  auto stub = v1::PolicyService::NewStub(stack_->Channel());
  grpc::ClientContext context;
  context.AddMetadata("authorization",
                      "Bearer " + stack_->Token({"101"}, {"editor"}));
  v1::ImportPolicyRequest request;
  request.set_parent("municipalities/101");
  request.set_policy_id("huge");
  request.set_format(v1::DOCUMENT_FORMAT_PLAIN_TEXT);
  request.set_document(std::string(5 << 20, 'x'));  // over the 4 MiB limit
  v1::ImportPolicyResponse response;
  EXPECT_EQ(stub->ImportPolicy(&context, request, &response).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(GatewaySecurityTest, OversizedGrpcMetadataIsRefused) {
  std::string filler(64 << 10, 'a');
  grpc::Status status =
      Get("municipalities/101/policies/none", {{"x-filler", filler}});
  EXPECT_NE(status.error_code(), grpc::StatusCode::OK);
  EXPECT_NE(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get("municipalities/101/policies/none",
                {{"authorization", Viewer().substr(15)}})
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(GatewaySecurityTest, SlowHttpClientsAreDisconnected) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(stack_->http_port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
            0);
  std::string partial =
      "POST /kommune.policy.v1.PolicyService/GetPolicy HTTP/1.1\r\nHost: x\r\n";
  ASSERT_EQ(send(fd, partial.data(), partial.size(), 0),
            static_cast<ssize_t>(partial.size()));
  timeval wait{10, 0};  // well past the 2 s read timeout
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
  char buffer[512];
  ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
  // Closed by the gateway (0), possibly after a 408 answer, not left hanging.
  if (got > 0) {
    EXPECT_TRUE(absl::StartsWith(absl::string_view(buffer, got), "HTTP/1.1 4"));
    got = recv(fd, buffer, sizeof(buffer), 0);
  }
  EXPECT_EQ(got, 0);
  close(fd);
  EXPECT_EQ(stack_
                ->PostJson("/kommune.policy.v1.PolicyService/GetPolicy",
                           R"({"name": "municipalities/101/policies/none"})",
                           {Viewer()})
                .status,
            404);
}

}  // namespace
}  // namespace kommune::testing
