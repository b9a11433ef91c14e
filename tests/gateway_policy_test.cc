// Every policy method through the gateway, over gRPC and over JSON, with
// the change feed's stream, reflection, health, metrics and logs: what a
// client and an operator of the suite rely on.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "kommune/common/v1/change_feed.grpc.pb.h"
#include "kommune/policy/v1/policy_service.grpc.pb.h"
#include "tests/gateway_stack.h"

namespace kommune::testing {
namespace {

namespace v1 = ::kommune::policy::v1;
namespace common = ::kommune::common::v1;
using ::nlohmann::json;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

v1::Policy MinimalPolicy(const std::string& title) {
  v1::Policy p;
  p.set_display_name(title);
  p.mutable_period()->mutable_start_date()->set_year(2011);
  p.mutable_period()->mutable_start_date()->set_month(1);
  p.mutable_period()->mutable_start_date()->set_day(1);
  p.mutable_period()->mutable_end_date()->set_year(2014);
  p.mutable_period()->mutable_end_date()->set_month(12);
  p.mutable_period()->mutable_end_date()->set_day(31);
  p.mutable_content()->add_vision_statements()->set_text(
      "Alle borgere taler og forstår dansk");
  return p;
}

class GatewayPolicyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new GatewayStack();
    absl::Status started = stack_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) {
      context->AddMetadata("authorization", "Bearer " + token);
    }
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(30));
    return context;
  }

  std::string Editor() { return stack_->Token({"101"}, {"editor"}); }

  static GatewayStack* stack_;
};

GatewayStack* GatewayPolicyTest::stack_ = nullptr;

TEST_F(GatewayPolicyTest, EveryPolicyMethodOverGrpc) {
  auto stub = v1::PolicyService::NewStub(stack_->Channel());
  const std::string editor = Editor();

  v1::CreatePolicyRequest create;
  create.set_parent("municipalities/101");
  create.set_policy_id("grpc-flow");
  *create.mutable_policy() = MinimalPolicy("Integrationspolitik (gRPC)");
  v1::Policy created;
  grpc::Status status = stub->CreatePolicy(As(editor).get(), create, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(created.name(), "municipalities/101/policies/grpc-flow");
  EXPECT_EQ(created.state(), v1::POLICY_STATE_DRAFT);

  v1::GetPolicyRequest get;
  get.set_name(created.name());
  get.set_view(v1::POLICY_VIEW_FULL);
  v1::Policy got;
  ASSERT_TRUE(stub->GetPolicy(As(editor).get(), get, &got).ok());
  EXPECT_EQ(got.display_name(), "Integrationspolitik (gRPC)");
  EXPECT_EQ(got.content().vision_statements(0).text(),
            "Alle borgere taler og forstår dansk");

  v1::ListPoliciesRequest list;
  list.set_parent("municipalities/101");
  v1::ListPoliciesResponse listed;
  ASSERT_TRUE(stub->ListPolicies(As(editor).get(), list, &listed).ok());
  bool found = false;
  for (const auto& p : listed.policies()) found |= p.name() == created.name();
  EXPECT_TRUE(found);

  v1::UpdatePolicyRequest update;
  update.mutable_policy()->set_name(created.name());
  update.mutable_policy()->set_display_name("Integrationspolitik 2011-2014");
  update.mutable_update_mask()->add_paths("display_name");
  v1::Policy updated;
  status = stub->UpdatePolicy(As(editor).get(), update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(updated.display_name(), "Integrationspolitik 2011-2014");
  EXPECT_NE(updated.revision_id(), created.revision_id());

  v1::ListPolicyRevisionsRequest revisions;
  revisions.set_name(created.name());
  v1::ListPolicyRevisionsResponse revised;
  ASSERT_TRUE(
      stub->ListPolicyRevisions(As(editor).get(), revisions, &revised).ok());
  EXPECT_EQ(revised.policies_size(), 2);

  v1::DiffPolicyRevisionsRequest diff;
  diff.set_name(created.name());
  diff.set_base_revision_id(created.revision_id());
  diff.set_target_revision_id(updated.revision_id());
  v1::DiffPolicyRevisionsResponse diffed;
  status = stub->DiffPolicyRevisions(As(editor).get(), diff, &diffed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(diffed.target_revision_id(), updated.revision_id());

  v1::SendPolicyToHearingRequest hearing;
  hearing.set_name(created.name());
  v1::Policy in_hearing;
  ASSERT_TRUE(
      stub->SendPolicyToHearing(As(editor).get(), hearing, &in_hearing).ok());
  EXPECT_EQ(in_hearing.state(), v1::POLICY_STATE_IN_HEARING);

  v1::AdoptPolicyRequest adopt;
  adopt.set_name(created.name());
  adopt.mutable_adopt_date()->set_year(2011);
  adopt.mutable_adopt_date()->set_month(3);
  adopt.mutable_adopt_date()->set_day(24);
  v1::Policy adopted;
  status = stub->AdoptPolicy(As(editor).get(), adopt, &adopted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(adopted.state(), v1::POLICY_STATE_ADOPTED);

  // An adopted policy is public: anyone reads it without credentials.
  v1::Policy public_copy;
  ASSERT_TRUE(stub->GetPolicy(As("").get(), get, &public_copy).ok());
  EXPECT_EQ(public_copy.state(), v1::POLICY_STATE_ADOPTED);

  v1::SearchPoliciesRequest search;
  search.set_parent("municipalities/101");
  search.set_query("dansk");
  v1::SearchPoliciesResponse hits;
  ASSERT_TRUE(stub->SearchPolicies(As("").get(), search, &hits).ok());
  ASSERT_GE(hits.results_size(), 1);
  EXPECT_EQ(hits.results(0).policy(), created.name());

  v1::ExportPolicyRequest exported_request;
  exported_request.set_name(created.name());
  exported_request.set_format(v1::DOCUMENT_FORMAT_MARKDOWN);
  v1::ExportPolicyResponse exported;
  ASSERT_TRUE(
      stub->ExportPolicy(As(editor).get(), exported_request, &exported).ok());
  EXPECT_TRUE(
      absl::StrContains(exported.document(), "Integrationspolitik 2011-2014"));

  v1::RevisePolicyRequest revise;
  revise.set_name(created.name());
  revise.set_policy_id("grpc-flow-2");
  v1::Policy revision;
  status = stub->RevisePolicy(As(editor).get(), revise, &revision);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(revision.state(), v1::POLICY_STATE_DRAFT);

  v1::WithdrawPolicyRequest withdraw;
  withdraw.set_name(revision.name());
  v1::Policy withdrawn;
  ASSERT_TRUE(
      stub->WithdrawPolicy(As(editor).get(), withdraw, &withdrawn).ok());
  EXPECT_EQ(withdrawn.state(), v1::POLICY_STATE_WITHDRAWN);

  v1::ImportPolicyRequest import;
  import.set_parent("municipalities/101");
  import.set_policy_id("grpc-imported");
  import.set_format(v1::DOCUMENT_FORMAT_PLAIN_TEXT);
  import.set_document(ReadText(std::string(KOMMUNE_FIXTURES_DIR) +
                               "/domain/000_4c3bf02c7437d1a3.txt"));
  v1::ImportPolicyResponse imported;
  status = stub->ImportPolicy(As(editor).get(), import, &imported);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(imported.policy().name(),
            "municipalities/101/policies/grpc-imported");

  v1::DeletePolicyRequest del;
  del.set_name(imported.policy().name());
  google::protobuf::Empty empty;
  ASSERT_TRUE(stub->DeletePolicy(As(editor).get(), del, &empty).ok());
  v1::Policy gone;
  get.set_name(imported.policy().name());
  EXPECT_EQ(stub->GetPolicy(As(editor).get(), get, &gone).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(GatewayPolicyTest, EveryPolicyMethodOverJson) {
  const std::vector<std::string> auth = {"Authorization: Bearer " + Editor()};
  const std::string base = "/kommune.policy.v1.PolicyService/";
  auto call = [&](const std::string& method, const json& body,
                  const std::vector<std::string>& headers) {
    GatewayStack::HttpAnswer answer =
        stack_->PostJson(base + method, body.dump(), headers);
    EXPECT_EQ(answer.status, 200) << method << ": " << answer.body;
    json parsed = json::parse(answer.body, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << answer.body;
    return parsed;
  };

  json created = call(
      "CreatePolicy",
      {{"parent", "municipalities/101"},
       {"policyId", "json-flow"},
       {"policy",
        {{"displayName", "Integrationspolitik (JSON)"},
         {"period",
          {{"startDate", {{"year", 2015}, {"month", 1}, {"day", 1}}},
           {"endDate", {{"year", 2018}, {"month", 12}, {"day", 31}}}}},
         {"content",
          {{"visionStatements", {{{"text", "Flere i job og uddannelse"}}}}}}}}},
      auth);
  const std::string name = created.value("name", "");
  ASSERT_EQ(name, "municipalities/101/policies/json-flow");
  EXPECT_EQ(created.value("state", ""), "POLICY_STATE_DRAFT");

  json got =
      call("GetPolicy", {{"name", name}, {"view", "POLICY_VIEW_FULL"}}, auth);
  EXPECT_EQ(got["content"]["visionStatements"][0]["text"],
            "Flere i job og uddannelse");
  json listed = call("ListPolicies", {{"parent", "municipalities/101"}}, auth);
  EXPECT_GE(listed["policies"].size(), 1u);
  json updated =
      call("UpdatePolicy",
           {{"policy", {{"name", name}, {"displayName", "Job først"}}},
            {"updateMask", "displayName"}},
           auth);
  EXPECT_EQ(updated.value("displayName", ""), "Job først");
  json revisions = call("ListPolicyRevisions", {{"name", name}}, auth);
  EXPECT_EQ(revisions["policies"].size(), 2u);
  json diff = call("DiffPolicyRevisions",
                   {{"name", name},
                    {"baseRevisionId", created.value("revisionId", "")},
                    {"targetRevisionId", updated.value("revisionId", "")}},
                   auth);
  EXPECT_EQ(diff.value("targetRevisionId", ""),
            updated.value("revisionId", ""));
  EXPECT_EQ(
      call("SendPolicyToHearing", {{"name", name}}, auth).value("state", ""),
      "POLICY_STATE_IN_HEARING");
  EXPECT_EQ(call("AdoptPolicy",
                 {{"name", name},
                  {"adoptDate", {{"year", 2015}, {"month", 2}, {"day", 26}}}},
                 auth)
                .value("state", ""),
            "POLICY_STATE_ADOPTED");
  // Public reads need no credentials over JSON either.
  EXPECT_EQ(call("GetPolicy", {{"name", name}}, {}).value("state", ""),
            "POLICY_STATE_ADOPTED");
  json hits =
      call("SearchPolicies",
           {{"parent", "municipalities/101"}, {"query", "uddannelse"}}, {});
  ASSERT_GE(hits["results"].size(), 1u);
  json exported =
      call("ExportPolicy",
           {{"name", name}, {"format", "DOCUMENT_FORMAT_MARKDOWN"}}, auth);
  EXPECT_TRUE(absl::StrContains(exported.value("document", ""), "Job først"));
  json revision =
      call("RevisePolicy", {{"name", name}, {"policyId", "json-flow-2"}}, auth);
  EXPECT_EQ(revision.value("state", ""), "POLICY_STATE_DRAFT");
  EXPECT_EQ(call("WithdrawPolicy", {{"name", revision.value("name", "")}}, auth)
                .value("state", ""),
            "POLICY_STATE_WITHDRAWN");
  // bytes travel as base64 in proto3 JSON.
  json imported = call(
      "ImportPolicy",
      {{"parent", "municipalities/101"},
       {"policyId", "json-imported"},
       {"format", "DOCUMENT_FORMAT_MARKDOWN"},
       {"document",
        "IyBJbnRlZ3JhdGlvbnNwb2xpdGlrCgojIyBWaXNpb24KCkFsbGUgZXIgbWVkLgo="}},
      auth);
  const std::string imported_name = imported["policy"].value("name", "");
  EXPECT_EQ(imported_name, "municipalities/101/policies/json-imported");
  EXPECT_EQ(call("DeletePolicy", {{"name", imported_name}}, auth),
            json::object());

  GatewayStack::HttpAnswer missing = stack_->PostJson(
      base + "GetPolicy", json{{"name", imported_name}}.dump(), auth);
  EXPECT_EQ(missing.status, 404);
  json error = json::parse(missing.body, nullptr, false);
  EXPECT_EQ(error.value("code", ""), "not_found");
}

TEST_F(GatewayPolicyTest, ChangeFeedStreamsThroughTheGateway) {
  auto feed = common::ChangeFeedService::NewStub(stack_->Channel());
  auto policies = v1::PolicyService::NewStub(stack_->Channel());
  const std::string integration = stack_->Token({"101"}, {"integration"});

  common::ListEventsRequest list;
  list.set_parent("municipalities/101");
  common::ListEventsResponse before;
  ASSERT_TRUE(feed->ListEvents(As(integration).get(), list, &before).ok());
  int64_t after = 0;
  for (const auto& e : before.events()) after = std::max(after, e.sequence());

  auto context = As(integration);
  common::WatchEventsRequest watch;
  watch.set_parent("municipalities/101");
  watch.set_after_sequence(after);
  auto reader = feed->WatchEvents(context.get(), watch);

  v1::CreatePolicyRequest create;
  create.set_parent("municipalities/101");
  create.set_policy_id("watched");
  *create.mutable_policy() = MinimalPolicy("Watched");
  v1::Policy created;
  ASSERT_TRUE(
      policies->CreatePolicy(As(Editor()).get(), create, &created).ok());

  common::WatchEventsResponse event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.event().type(), "policy.created");
  EXPECT_EQ(event.event().resource(), created.name());
  EXPECT_GT(event.event().sequence(), after);
  context->TryCancel();
  while (reader->Read(&event)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(GatewayPolicyTest, ReflectionListsTheServicesBehindTheGateway) {
  auto stub =
      grpc::reflection::v1alpha::ServerReflection::NewStub(stack_->Channel());
  grpc::ClientContext context;
  auto stream = stub->ServerReflectionInfo(&context);
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("");
  ASSERT_TRUE(stream->Write(request));
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  std::vector<std::string> names;
  for (const auto& s : response.list_services_response().service()) {
    names.push_back(s.name());
  }
  EXPECT_NE(
      std::find(names.begin(), names.end(), "kommune.policy.v1.PolicyService"),
      names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "grpc.health.v1.Health"),
            names.end());

  request.set_file_containing_symbol("kommune.policy.v1.PolicyService");
  ASSERT_TRUE(stream->Write(request));
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_GE(response.file_descriptor_response().file_descriptor_proto_size(),
            1);
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(file.ParseFromString(
      response.file_descriptor_response().file_descriptor_proto(0)));
  EXPECT_EQ(file.name(), "kommune/policy/v1/policy_service.proto");
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(GatewayPolicyTest, HealthReflectsTheBackend) {
  auto health = grpc::health::v1::Health::NewStub(stack_->Channel());
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("kommune.policy.v1.PolicyService");
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(health->Check(&context, request, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  GatewayStack::HttpAnswer ready = stack_->AdminGet("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_TRUE(absl::StrContains(ready.body, "\"policy\":\"up\""));
  EXPECT_EQ(stack_->AdminGet("/healthz").status, 200);
}

TEST_F(GatewayPolicyTest, MetricsAccessAndAuditLogsRecordCalls) {
  auto stub = v1::PolicyService::NewStub(stack_->Channel());
  v1::CreatePolicyRequest create;
  create.set_parent("municipalities/101");
  create.set_policy_id("audited");
  *create.mutable_policy() = MinimalPolicy("Audited");
  v1::Policy created;
  ASSERT_TRUE(stub->CreatePolicy(As(Editor()).get(), create, &created).ok());
  v1::GetPolicyRequest get;
  get.set_name(created.name());
  v1::Policy got;
  ASSERT_TRUE(stub->GetPolicy(As(Editor()).get(), get, &got).ok());

  // A made-up municipality code is no metrics label (labels must not grow
  // with whatever callers send).
  get.set_name("municipalities/xyz123/policies/none");
  stub->GetPolicy(As("").get(), get, &got);

  GatewayStack::HttpAnswer metrics = stack_->AdminGet("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_FALSE(absl::StrContains(metrics.body, "xyz123"));
  EXPECT_TRUE(absl::StrContains(
      metrics.body,
      "kommune_gateway_calls_total{code=\"ok\",method=\"/"
      "kommune.policy.v1.PolicyService/CreatePolicy\",municipality=\"101\"}"))
      << metrics.body;
  EXPECT_TRUE(absl::StrContains(
      metrics.body, "kommune_gateway_call_duration_seconds_bucket"));
  EXPECT_TRUE(absl::StrContains(
      metrics.body, "kommune_gateway_backend_up{backend=\"policy\"} 1"));

  std::string access = ReadText(stack_->dir() + "/access.log");
  std::string audit = ReadText(stack_->dir() + "/audit.log");
  bool create_logged = false;
  std::istringstream lines(access);
  for (std::string line; std::getline(lines, line);) {
    json entry = json::parse(line, nullptr, false);
    ASSERT_FALSE(entry.is_discarded()) << line;
    if (entry.value("method", "") ==
            "/kommune.policy.v1.PolicyService/CreatePolicy" &&
        entry.value("caller", "") == "token:tester@kommune.dk") {
      create_logged = true;
      EXPECT_EQ(entry.value("municipality", ""), "101");
      EXPECT_EQ(entry.value("code", ""), "ok");
      EXPECT_GT(entry.value("bytes_in", 0), 0);
      EXPECT_GT(entry.value("bytes_out", 0), 0);
    }
  }
  EXPECT_TRUE(create_logged) << access;
  EXPECT_TRUE(absl::StrContains(audit, "municipalities/101/policies/audited"));
  EXPECT_FALSE(absl::StrContains(audit, "GetPolicy")) << audit;
}

}  // namespace
}  // namespace kommune::testing
