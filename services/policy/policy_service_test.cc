// The policy service through a real in-process gRPC server, on both engines.
#include "services/policy/policy_service.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kommune/common/v1/change_feed.grpc.pb.h"
#include "services/common/change_feed_migrations.h"
#include "services/common/change_feed_service.h"
#include "services/common/grpc_util.h"
#include "services/common/migrations.h"
#include "services/common/service_host.h"
#include "services/common/test_support.h"

namespace kommune::policy {
namespace {

using ::kommune::testing::Caller;
using ::kommune::testing::EngineTest;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "policy-test-secret";
constexpr char kName[] = "municipalities/169/policies/integration-2007";

std::string Fixture(const std::string& file) {
  std::ifstream in(std::string(KOMMUNE_FIXTURES_DIR) + "/" + file);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

const Identity kEditor = Caller("169", {Role::kEditor}, "editor@169");
const Identity kViewer = Caller("169", {Role::kViewer}, "viewer@169");
const Identity kSecretary = Caller("169", {Role::kSecretary}, "sekretær@169");
const Identity kOtherEditor = Caller("101", {Role::kEditor}, "editor@101");
const Identity kAnonymous;

class PolicyServiceTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (db_ == nullptr) return;
    ASSERT_TRUE(ApplyChangeFeedMigrations(*db_).ok());
    ASSERT_TRUE(ApplyMigrations(*db_, "policy", PolicyMigrationFiles()).ok());
    store_ = std::make_unique<PolicyStore>(db_, &events_);
    manager_ = std::make_unique<PolicyManager>(store_.get());
    service_ = std::make_unique<PolicyServiceImpl>(manager_.get(), &verifier_);
    feed_ = std::make_unique<ChangeFeedServiceImpl>(db_, &events_, &verifier_);
    host_ = std::make_unique<ServiceHost>("policy_test");
    host_->AddService(service_.get());
    host_->AddService(feed_.get());
    host_->OnShutdown([this] { events_.Shutdown(); });
    ASSERT_TRUE(host_->Start("127.0.0.1:0").ok());
    auto channel =
        grpc::CreateChannel("127.0.0.1:" + std::to_string(host_->port()),
                            grpc::InsecureChannelCredentials());
    stub_ = v1::PolicyService::NewStub(channel);
    feed_stub_ = common::v1::ChangeFeedService::NewStub(channel);
  }

  void TearDown() override {
    if (host_) host_->Shutdown(absl::Seconds(1));
  }

  std::unique_ptr<grpc::ClientContext> As(const Identity& who) {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!who.anonymous()) AttachIdentity(*context, who, kSecret);
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    return context;
  }

  v1::Policy MinimalPolicy() {
    v1::Policy p;
    p.set_display_name("Høje-Taastrup Kommunes integrationspolitik");
    p.mutable_period()->mutable_start_date()->set_year(2007);
    p.mutable_period()->mutable_start_date()->set_month(1);
    p.mutable_period()->mutable_start_date()->set_day(1);
    p.mutable_period()->mutable_end_date()->set_year(2011);
    p.mutable_period()->mutable_end_date()->set_month(12);
    p.mutable_period()->mutable_end_date()->set_day(31);
    p.mutable_esdh_case()->set_case_number("1166997");
    auto* vision = p.mutable_content()->add_vision_statements();
    vision->set_text(
        "At alle flygtninge og indvandrere taler og forstår dansk");
    return p;
  }

  grpc::Status Create(const Identity& who, const v1::Policy& policy,
                      v1::Policy* out,
                      const std::string& id = "integration-2007",
                      const std::string& request_id = "") {
    v1::CreatePolicyRequest request;
    request.set_parent("municipalities/169");
    request.set_policy_id(id);
    *request.mutable_policy() = policy;
    request.set_request_id(request_id);
    return stub_->CreatePolicy(As(who).get(), request, out);
  }

  v1::Policy ImportFixture() {
    v1::ImportPolicyRequest request;
    request.set_parent("municipalities/169");
    request.set_policy_id("integration-2007");
    request.set_format(v1::DOCUMENT_FORMAT_PLAIN_TEXT);
    request.set_document(Fixture("domain/001_e954513d7125136f.txt"));
    v1::ImportPolicyResponse response;
    grpc::Status status =
        stub_->ImportPolicy(As(kEditor).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.policy();
  }

  grpc::Status Get(const Identity& who, const std::string& name,
                   v1::Policy* out) {
    v1::GetPolicyRequest request;
    request.set_name(name);
    return stub_->GetPolicy(As(who).get(), request, out);
  }

  grpc::Status Transition(const Identity& who, v1::PolicyState to,
                          v1::Policy* out, const std::string& name = kName) {
    if (to == v1::POLICY_STATE_IN_HEARING) {
      v1::SendPolicyToHearingRequest r;
      r.set_name(name);
      return stub_->SendPolicyToHearing(As(who).get(), r, out);
    }
    if (to == v1::POLICY_STATE_ADOPTED) {
      v1::AdoptPolicyRequest r;
      r.set_name(name);
      r.mutable_adopt_date()->set_year(2007);
      r.mutable_adopt_date()->set_month(3);
      r.mutable_adopt_date()->set_day(28);
      return stub_->AdoptPolicy(As(who).get(), r, out);
    }
    v1::WithdrawPolicyRequest r;
    r.set_name(name);
    return stub_->WithdrawPolicy(As(who).get(), r, out);
  }

  int EventCount() {
    common::v1::ListEventsRequest request;
    request.set_parent("municipalities/169");
    request.set_page_size(1000);
    common::v1::ListEventsResponse response;
    EXPECT_TRUE(
        feed_stub_->ListEvents(As(kViewer).get(), request, &response).ok());
    return response.events_size();
  }

  EventLog events_;
  IdentityVerifier verifier_{kSecret};
  std::unique_ptr<PolicyStore> store_;
  std::unique_ptr<PolicyManager> manager_;
  std::unique_ptr<PolicyServiceImpl> service_;
  std::unique_ptr<ChangeFeedServiceImpl> feed_;
  std::unique_ptr<ServiceHost> host_;
  std::unique_ptr<v1::PolicyService::Stub> stub_;
  std::unique_ptr<common::v1::ChangeFeedService::Stub> feed_stub_;
};

void ExpectStatus(const grpc::Status& status, grpc::StatusCode code,
                  const std::string& field) {
  EXPECT_EQ(status.error_code(), code) << status.error_message();
  EXPECT_EQ(status.error_message().substr(0, field.size() + 1), field + ":")
      << status.error_message();
}

TEST_P(PolicyServiceTest, CreatesADraftAndReadsItBack) {
  v1::Policy created;
  ASSERT_TRUE(Create(kEditor, MinimalPolicy(), &created).ok());
  EXPECT_EQ(created.name(), kName);
  EXPECT_EQ(created.state(), v1::POLICY_STATE_DRAFT);
  EXPECT_EQ(created.revision_id(), "1");
  EXPECT_FALSE(created.etag().empty());
  ASSERT_EQ(created.content().vision_statements_size(), 1);
  EXPECT_FALSE(created.content().vision_statements(0).id().empty())
      << "every element gets a stable id";
  v1::Policy got;
  ASSERT_TRUE(Get(kViewer, kName, &got).ok());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());
  EXPECT_EQ(EventCount(), 1);
}

TEST_P(PolicyServiceTest, KeepsDraftsInsideTheirMunicipality) {
  v1::Policy created, got;
  ASSERT_TRUE(Create(kEditor, MinimalPolicy(), &created).ok());
  ExpectStatus(Get(kOtherEditor, kName, &got),
               grpc::StatusCode::PERMISSION_DENIED, "name");
  ExpectStatus(Get(kAnonymous, kName, &got), grpc::StatusCode::UNAUTHENTICATED,
               "name");
}

TEST_P(PolicyServiceTest, RefusesCreatesFromTheWrongCaller) {
  v1::Policy out;
  ExpectStatus(Create(kViewer, MinimalPolicy(), &out),
               grpc::StatusCode::PERMISSION_DENIED, "parent");
  ExpectStatus(Create(kOtherEditor, MinimalPolicy(), &out),
               grpc::StatusCode::PERMISSION_DENIED, "parent");
  ExpectStatus(Create(kAnonymous, MinimalPolicy(), &out),
               grpc::StatusCode::UNAUTHENTICATED, "parent");
  EXPECT_EQ(EventCount(), 0);
}

TEST_P(PolicyServiceTest, RefusesBadInputNamingTheFieldAndWritesNothing) {
  v1::Policy out;
  {
    v1::CreatePolicyRequest request;
    request.set_parent("municipalities/999");
    request.set_policy_id("x");
    *request.mutable_policy() = MinimalPolicy();
    ExpectStatus(stub_->CreatePolicy(As(kEditor).get(), request, &out),
                 grpc::StatusCode::INVALID_ARGUMENT, "parent");
    request.set_parent("kommuner/169");
    ExpectStatus(stub_->CreatePolicy(As(kEditor).get(), request, &out),
                 grpc::StatusCode::INVALID_ARGUMENT, "parent");
  }
  ExpectStatus(Create(kEditor, MinimalPolicy(), &out, "Integration 2007"),
               grpc::StatusCode::INVALID_ARGUMENT, "policy_id");
  v1::Policy p = MinimalPolicy();
  p.set_display_name("");
  ExpectStatus(Create(kEditor, p, &out), grpc::StatusCode::INVALID_ARGUMENT,
               "policy.display_name");
  p = MinimalPolicy();
  p.mutable_content()->mutable_vision_statements(0)->set_text(
      std::string((1 << 20) + 1, 'a'));
  ExpectStatus(Create(kEditor, p, &out), grpc::StatusCode::INVALID_ARGUMENT,
               "policy.content.vision_statements[0].text");
  p = MinimalPolicy();
  p.mutable_period()->mutable_end_date()->set_month(2);
  p.mutable_period()->mutable_end_date()->set_day(30);
  ExpectStatus(Create(kEditor, p, &out), grpc::StatusCode::INVALID_ARGUMENT,
               "policy.period.end_date");
  p = MinimalPolicy();
  p.mutable_content()->mutable_vision_statements(0)->set_id("vision-1");
  *p.mutable_content()->add_vision_statements() =
      p.content().vision_statements(0);
  grpc::Status dup = Create(kEditor, p, &out);
  EXPECT_EQ(dup.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(dup.error_message(), HasSubstr("vision-1"));
  EXPECT_THAT(dup.error_message(), HasSubstr("policy.content"));
  p = MinimalPolicy();
  p.mutable_kle_class()->set_subject("27.00");
  ExpectStatus(Create(kEditor, p, &out), grpc::StatusCode::INVALID_ARGUMENT,
               "policy.kle_class.subject");
  EXPECT_EQ(EventCount(), 0);
  ExpectStatus(Get(kEditor, kName, &out), grpc::StatusCode::NOT_FOUND, "name");
}

TEST_P(PolicyServiceTest, RefusesInvalidUtf8InAStringFieldAndWritesNothing) {
  v1::Policy p = MinimalPolicy();
  p.set_display_name("H\xf8je-Taastrup");
  v1::Policy out;
  grpc::Status status = Create(kEditor, p, &out);
  // Protobuf refuses the request before any handler runs, so the status
  // cannot name the field (docs/decisions.md); what matters is that
  // nothing is written.
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(EventCount(), 0);
  ExpectStatus(Get(kEditor, kName, &out), grpc::StatusCode::NOT_FOUND, "name");
}

TEST_P(PolicyServiceTest, RefusesADuplicateId) {
  v1::Policy out;
  ASSERT_TRUE(Create(kEditor, MinimalPolicy(), &out).ok());
  ExpectStatus(Create(kEditor, MinimalPolicy(), &out),
               grpc::StatusCode::ALREADY_EXISTS, "policy_id");
  EXPECT_EQ(EventCount(), 1);
}

TEST_P(PolicyServiceTest, AnswersARepeatedRequestIdLikeTheFirstCall) {
  v1::Policy first, second;
  ASSERT_TRUE(Create(kEditor, MinimalPolicy(), &first, "p", "req-1").ok());
  ASSERT_TRUE(Create(kEditor, MinimalPolicy(), &second, "p", "req-1").ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(EventCount(), 1);
  v1::Policy other = MinimalPolicy();
  other.set_display_name("Something else");
  ExpectStatus(Create(kEditor, other, &second, "p", "req-1"),
               grpc::StatusCode::INVALID_ARGUMENT, "request_id");
}

TEST_P(PolicyServiceTest, UpdatesWithAFieldMaskAndRefusesAStaleEtag) {
  v1::Policy created, updated;
  ASSERT_TRUE(Create(kEditor, MinimalPolicy(), &created).ok());
  v1::UpdatePolicyRequest request;
  request.mutable_policy()->set_name(kName);
  request.mutable_policy()->set_display_name("Integrationspolitik 2007");
  request.mutable_policy()->set_etag(created.etag());
  request.mutable_update_mask()->add_paths("display_name");
  ASSERT_TRUE(stub_->UpdatePolicy(As(kEditor).get(), request, &updated).ok());
  EXPECT_EQ(updated.display_name(), "Integrationspolitik 2007");
  EXPECT_EQ(updated.revision_id(), "2");
  EXPECT_EQ(updated.content().SerializeAsString(),
            created.content().SerializeAsString())
      << "fields outside the mask stay";
  ExpectStatus(stub_->UpdatePolicy(As(kEditor).get(), request, &updated),
               grpc::StatusCode::ABORTED, "policy.etag");
  request.mutable_policy()->clear_etag();
  request.mutable_update_mask()->set_paths(0, "state");
  ExpectStatus(stub_->UpdatePolicy(As(kEditor).get(), request, &updated),
               grpc::StatusCode::INVALID_ARGUMENT, "update_mask");
  request.mutable_update_mask()->set_paths(0, "display_name");
  ExpectStatus(stub_->UpdatePolicy(As(kOtherEditor).get(), request, &updated),
               grpc::StatusCode::PERMISSION_DENIED, "policy.name");
}

TEST_P(PolicyServiceTest, KeepsEveryRevisionAndDiffsThem) {
  v1::Policy created, updated;
  ASSERT_TRUE(Create(kEditor, MinimalPolicy(), &created).ok());
  v1::UpdatePolicyRequest request;
  *request.mutable_policy() = created;
  auto* v =
      request.mutable_policy()->mutable_content()->add_vision_statements();
  v->set_text("At medvirke til gensidig indsigt");
  request.mutable_policy()
      ->mutable_content()
      ->mutable_vision_statements(0)
      ->set_text("At alle taler dansk");
  request.mutable_update_mask()->add_paths("content");
  ASSERT_TRUE(stub_->UpdatePolicy(As(kEditor).get(), request, &updated).ok());
  EXPECT_EQ(updated.content().vision_statements(0).id(),
            created.content().vision_statements(0).id())
      << "ids survive revisions";

  v1::ListPolicyRevisionsRequest list;
  list.set_name(kName);
  v1::ListPolicyRevisionsResponse revisions;
  ASSERT_TRUE(
      stub_->ListPolicyRevisions(As(kViewer).get(), list, &revisions).ok());
  ASSERT_EQ(revisions.policies_size(), 2);
  EXPECT_EQ(revisions.policies(0).revision_id(), "2");
  EXPECT_EQ(revisions.policies(1).revision_id(), "1");

  v1::Policy old;
  ASSERT_TRUE(Get(kViewer, std::string(kName) + "@1", &old).ok());
  EXPECT_EQ(old.content().vision_statements_size(), 1);

  v1::DiffPolicyRevisionsRequest diff;
  diff.set_name(kName);
  diff.set_base_revision_id("1");
  v1::DiffPolicyRevisionsResponse changes;
  ASSERT_TRUE(
      stub_->DiffPolicyRevisions(As(kViewer).get(), diff, &changes).ok());
  EXPECT_EQ(changes.target_revision_id(), "2");
  int added = 0, changed = 0;
  for (const auto& c : changes.changes()) {
    if (c.kind() == v1::ContentChange::KIND_ADDED) ++added;
    if (c.kind() == v1::ContentChange::KIND_CHANGED &&
        c.element_id() == created.content().vision_statements(0).id()) {
      ++changed;
      EXPECT_EQ(c.after_text(), "At alle taler dansk");
    }
  }
  EXPECT_EQ(added, 1);
  EXPECT_EQ(changed, 1);

  ExpectStatus(Get(kViewer, std::string(kName) + "@9", &old),
               grpc::StatusCode::NOT_FOUND, "name");
  ExpectStatus(Get(kViewer, std::string(kName) + "@x", &old),
               grpc::StatusCode::INVALID_ARGUMENT, "name");
  diff.set_base_revision_id("0");
  ExpectStatus(stub_->DiffPolicyRevisions(As(kViewer).get(), diff, &changes),
               grpc::StatusCode::INVALID_ARGUMENT, "base_revision_id");
}

TEST_P(PolicyServiceTest, FollowsTheLifecycleAndRefusesIllegalSteps) {
  v1::Policy p;
  ASSERT_TRUE(Create(kEditor, MinimalPolicy(), &p).ok());
  ExpectStatus(Transition(kSecretary, v1::POLICY_STATE_ADOPTED, &p),
               grpc::StatusCode::FAILED_PRECONDITION, "state");
  ASSERT_TRUE(Transition(kSecretary, v1::POLICY_STATE_IN_HEARING, &p).ok());
  EXPECT_EQ(p.state(), v1::POLICY_STATE_IN_HEARING);
  ExpectStatus(Transition(kViewer, v1::POLICY_STATE_ADOPTED, &p),
               grpc::StatusCode::PERMISSION_DENIED, "name");
  ASSERT_TRUE(Transition(kSecretary, v1::POLICY_STATE_ADOPTED, &p).ok());
  EXPECT_EQ(p.state(), v1::POLICY_STATE_ADOPTED);
  EXPECT_EQ(p.adopt_date().year(), 2007);
  ExpectStatus(Transition(kSecretary, v1::POLICY_STATE_WITHDRAWN, &p),
               grpc::StatusCode::FAILED_PRECONDITION, "state");

  // Adopted content never changes.
  v1::UpdatePolicyRequest update;
  update.mutable_policy()->set_name(kName);
  update.mutable_policy()->set_display_name("Changed");
  update.mutable_update_mask()->add_paths("display_name");
  ExpectStatus(stub_->UpdatePolicy(As(kEditor).get(), update, &p),
               grpc::StatusCode::FAILED_PRECONDITION, "state");
  v1::DeletePolicyRequest del;
  del.set_name(kName);
  google::protobuf::Empty empty;
  ExpectStatus(stub_->DeletePolicy(As(kEditor).get(), del, &empty),
               grpc::StatusCode::FAILED_PRECONDITION, "state");

  // Public now: anyone may read it.
  v1::Policy read;
  ASSERT_TRUE(Get(kAnonymous, kName, &read).ok());
  ASSERT_TRUE(Get(kOtherEditor, kName, &read).ok());
}

TEST_P(PolicyServiceTest, ARevisionSupersedesTheAdoptedPolicyWhenAdopted) {
  v1::Policy p;
  ASSERT_TRUE(Create(kEditor, MinimalPolicy(), &p).ok());
  ASSERT_TRUE(Transition(kEditor, v1::POLICY_STATE_IN_HEARING, &p).ok());
  ASSERT_TRUE(Transition(kEditor, v1::POLICY_STATE_ADOPTED, &p).ok());

  v1::RevisePolicyRequest revise;
  revise.set_name(kName);
  revise.set_policy_id("integration-2011");
  v1::Policy draft;
  ASSERT_TRUE(stub_->RevisePolicy(As(kEditor).get(), revise, &draft).ok());
  EXPECT_EQ(draft.state(), v1::POLICY_STATE_DRAFT);
  EXPECT_EQ(draft.supersedes(), kName);
  EXPECT_EQ(draft.content().SerializeAsString(),
            p.content().SerializeAsString());
  revise.set_policy_id("integration-2012");
  ExpectStatus(stub_->RevisePolicy(As(kEditor).get(), revise, &draft),
               grpc::StatusCode::FAILED_PRECONDITION, "name");

  const std::string next = "municipalities/169/policies/integration-2011";
  ASSERT_TRUE(Transition(kEditor, v1::POLICY_STATE_IN_HEARING, &p, next).ok());
  ASSERT_TRUE(Transition(kEditor, v1::POLICY_STATE_ADOPTED, &p, next).ok());
  v1::Policy old;
  ASSERT_TRUE(Get(kAnonymous, kName, &old).ok());
  EXPECT_EQ(old.state(), v1::POLICY_STATE_SUPERSEDED);
  EXPECT_EQ(old.superseded_by(), next);
}

TEST_P(PolicyServiceTest, DeletesOnlyDrafts) {
  v1::Policy p;
  ASSERT_TRUE(Create(kEditor, MinimalPolicy(), &p).ok());
  v1::DeletePolicyRequest del;
  del.set_name(kName);
  del.set_etag("W/\"99\"");
  google::protobuf::Empty empty;
  ExpectStatus(stub_->DeletePolicy(As(kEditor).get(), del, &empty),
               grpc::StatusCode::ABORTED, "etag");
  del.set_etag(p.etag());
  ASSERT_TRUE(stub_->DeletePolicy(As(kEditor).get(), del, &empty).ok());
  ExpectStatus(Get(kEditor, kName, &p), grpc::StatusCode::NOT_FOUND, "name");
  ExpectStatus(stub_->DeletePolicy(As(kEditor).get(), del, &empty),
               grpc::StatusCode::NOT_FOUND, "name");
}

TEST_P(PolicyServiceTest, ListsWithFiltersPagingAndVisibility) {
  v1::Policy p;
  for (const char* id : {"a", "b", "c", "d", "e"}) {
    ASSERT_TRUE(Create(kEditor, MinimalPolicy(), &p, id).ok());
  }
  ASSERT_TRUE(Transition(kEditor, v1::POLICY_STATE_IN_HEARING, &p,
                         "municipalities/169/policies/c")
                  .ok());
  ASSERT_TRUE(Transition(kEditor, v1::POLICY_STATE_ADOPTED, &p,
                         "municipalities/169/policies/c")
                  .ok());
  v1::ListPoliciesRequest request;
  request.set_parent("municipalities/169");
  request.set_page_size(2);
  std::vector<std::string> names;
  for (int i = 0; i < 10; ++i) {
    v1::ListPoliciesResponse response;
    ASSERT_TRUE(
        stub_->ListPolicies(As(kViewer).get(), request, &response).ok());
    for (const auto& policy : response.policies()) {
      names.push_back(policy.name());
      EXPECT_FALSE(policy.has_content()) << "lists default to BASIC";
    }
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(names.size(), 5u);

  v1::ListPoliciesRequest public_list;
  public_list.set_parent("municipalities/-");
  v1::ListPoliciesResponse response;
  ASSERT_TRUE(
      stub_->ListPolicies(As(kAnonymous).get(), public_list, &response).ok());
  ASSERT_EQ(response.policies_size(), 1);
  EXPECT_EQ(response.policies(0).name(), "municipalities/169/policies/c");

  v1::ListPoliciesRequest filtered;
  filtered.set_parent("municipalities/169");
  filtered.add_states(v1::POLICY_STATE_DRAFT);
  filtered.set_period_year(2009);
  ASSERT_TRUE(stub_->ListPolicies(As(kViewer).get(), filtered, &response).ok());
  EXPECT_EQ(response.policies_size(), 4);
  filtered.set_period_year(2015);
  ASSERT_TRUE(stub_->ListPolicies(As(kViewer).get(), filtered, &response).ok());
  EXPECT_EQ(response.policies_size(), 0);

  request.set_page_token("bogus");
  ExpectStatus(stub_->ListPolicies(As(kViewer).get(), request, &response),
               grpc::StatusCode::INVALID_ARGUMENT, "page_token");
  filtered.set_period_year(0);
  filtered.add_states(static_cast<v1::PolicyState>(42));
  ExpectStatus(stub_->ListPolicies(As(kViewer).get(), filtered, &response),
               grpc::StatusCode::INVALID_ARGUMENT, "states");
}

TEST_P(PolicyServiceTest, ImportsTheHoejeTaastrupPolicyAndSearchesIt) {
  v1::Policy imported = ImportFixture();
  EXPECT_EQ(imported.display_name(),
            "Høje-Taastrup Kommunes integrationspolitik");
  EXPECT_EQ(imported.esdh_case().case_number(), "1166997");
  EXPECT_EQ(imported.content().vision_statements_size(), 5);

  v1::SearchPoliciesRequest search;
  search.set_parent("municipalities/169");
  search.set_query("IVÆRKSÆTTERE");
  v1::SearchPoliciesResponse hits;
  ASSERT_TRUE(stub_->SearchPolicies(As(kViewer).get(), search, &hits).ok());
  ASSERT_GT(hits.results_size(), 0);
  EXPECT_THAT(hits.results(0).snippet(), HasSubstr("«"));
  EXPECT_EQ(hits.results(0).policy(), kName);

  // A draft is not found by the public search, an adopted policy is.
  search.set_parent("municipalities/-");
  ASSERT_TRUE(stub_->SearchPolicies(As(kAnonymous).get(), search, &hits).ok());
  EXPECT_EQ(hits.results_size(), 0);
  v1::Policy p;
  ASSERT_TRUE(Transition(kEditor, v1::POLICY_STATE_IN_HEARING, &p).ok());
  ASSERT_TRUE(Transition(kEditor, v1::POLICY_STATE_ADOPTED, &p).ok());
  ASSERT_TRUE(stub_->SearchPolicies(As(kAnonymous).get(), search, &hits).ok());
  EXPECT_GT(hits.results_size(), 0);

  search.set_query("");
  ExpectStatus(stub_->SearchPolicies(As(kAnonymous).get(), search, &hits),
               grpc::StatusCode::INVALID_ARGUMENT, "query");
}

TEST_P(PolicyServiceTest, ExportsAndReimportsWithoutLoss) {
  v1::Policy imported = ImportFixture();
  for (auto format : {v1::DOCUMENT_FORMAT_MARKDOWN, v1::DOCUMENT_FORMAT_JSON}) {
    v1::ExportPolicyRequest export_request;
    export_request.set_name(kName);
    export_request.set_format(format);
    v1::ExportPolicyResponse exported;
    ASSERT_TRUE(
        stub_->ExportPolicy(As(kViewer).get(), export_request, &exported).ok());
    if (format == v1::DOCUMENT_FORMAT_MARKDOWN) {
      // domain/001 states no period, so the export shows none.
      EXPECT_THAT(exported.document(), Not(HasSubstr("Periode")));
    }
    v1::ImportPolicyRequest again;
    again.set_parent("municipalities/169");
    again.set_policy_id(format == v1::DOCUMENT_FORMAT_JSON ? "from-json"
                                                           : "from-markdown");
    again.set_format(format);
    again.set_document(exported.document());
    v1::ImportPolicyResponse reimported;
    grpc::Status status =
        stub_->ImportPolicy(As(kEditor).get(), again, &reimported);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(reimported.policy().content().SerializeAsString(),
              imported.content().SerializeAsString())
        << "format " << format;
    EXPECT_EQ(reimported.policy().display_name(), imported.display_name());
  }
}

TEST_P(PolicyServiceTest, RefusesBadImports) {
  v1::ImportPolicyRequest request;
  request.set_parent("municipalities/169");
  request.set_policy_id("x");
  request.set_format(v1::DOCUMENT_FORMAT_PLAIN_TEXT);
  request.set_document("Vision\n\n- H\xf8je\n");
  v1::ImportPolicyResponse response;
  ExpectStatus(stub_->ImportPolicy(As(kEditor).get(), request, &response),
               grpc::StatusCode::INVALID_ARGUMENT, "document");
  request.set_document("");
  ExpectStatus(stub_->ImportPolicy(As(kEditor).get(), request, &response),
               grpc::StatusCode::INVALID_ARGUMENT, "document");
  request.set_document(std::string((1 << 20) + 1, 'a'));
  ExpectStatus(stub_->ImportPolicy(As(kEditor).get(), request, &response),
               grpc::StatusCode::INVALID_ARGUMENT, "document");
  request.set_format(v1::DOCUMENT_FORMAT_JSON);
  request.set_document("{\"displayName\": ");
  ExpectStatus(stub_->ImportPolicy(As(kEditor).get(), request, &response),
               grpc::StatusCode::INVALID_ARGUMENT, "document");
  request.set_format(v1::DOCUMENT_FORMAT_UNSPECIFIED);
  request.set_document("Vision");
  ExpectStatus(stub_->ImportPolicy(As(kEditor).get(), request, &response),
               grpc::StatusCode::INVALID_ARGUMENT, "format");
  EXPECT_EQ(EventCount(), 0);
}

TEST_P(PolicyServiceTest, ARecreatedDraftIsANewPolicy) {
  v1::Policy first, second, got;
  ASSERT_TRUE(Create(kEditor, MinimalPolicy(), &first).ok());
  v1::DeletePolicyRequest del;
  del.set_name(kName);
  google::protobuf::Empty empty;
  ASSERT_TRUE(stub_->DeletePolicy(As(kEditor).get(), del, &empty).ok());
  v1::Policy other = MinimalPolicy();
  other.set_display_name("Ny integrationspolitik");
  other.clear_content();
  ASSERT_TRUE(Create(kEditor, other, &second).ok());
  EXPECT_NE(second.uid(), first.uid());
  EXPECT_NE(second.etag(), first.etag());
  ASSERT_TRUE(Get(kViewer, kName, &got).ok());
  EXPECT_EQ(got.display_name(), "Ny integrationspolitik");
  EXPECT_EQ(got.content().vision_statements_size(), 0);
  ASSERT_TRUE(Get(kViewer, std::string(kName) + "@1", &got).ok());
  EXPECT_EQ(got.uid(), second.uid());
  // The deleted draft's etag does not fit the new one.
  v1::UpdatePolicyRequest update;
  update.mutable_policy()->set_name(kName);
  update.mutable_policy()->set_display_name("x");
  update.mutable_policy()->set_etag(first.etag());
  ExpectStatus(stub_->UpdatePolicy(As(kEditor).get(), update, &got),
               grpc::StatusCode::ABORTED, "policy.etag");
}

TEST_P(PolicyServiceTest, AnUpdateWithoutAMaskChangesOnlyWhatItFillsIn) {
  v1::Policy created, updated;
  ASSERT_TRUE(Create(kEditor, MinimalPolicy(), &created).ok());
  v1::UpdatePolicyRequest request;
  request.mutable_policy()->set_name(kName);
  request.mutable_policy()->set_display_name("Integrationspolitik 2007");
  ASSERT_TRUE(stub_->UpdatePolicy(As(kEditor).get(), request, &updated).ok());
  EXPECT_EQ(updated.display_name(), "Integrationspolitik 2007");
  EXPECT_EQ(updated.content().SerializeAsString(),
            created.content().SerializeAsString());
  EXPECT_EQ(updated.esdh_case().case_number(), "1166997");
  EXPECT_TRUE(updated.has_period());
}

TEST_P(PolicyServiceTest, ConcurrentWritersAllLand) {
  v1::Policy created;
  ASSERT_TRUE(Create(kEditor, MinimalPolicy(), &created).ok());
  constexpr int kEach = 8;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        v1::UpdatePolicyRequest request;
        request.mutable_policy()->set_name(kName);
        request.mutable_policy()->set_display_name(
            absl::StrCat("Titel ", t, "-", i));
        v1::Policy out;
        grpc::Status status =
            stub_->UpdatePolicy(As(kEditor).get(), request, &out);
        if (!status.ok()) {
          ADD_FAILURE() << status.error_message();
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  v1::Policy got;
  ASSERT_TRUE(Get(kViewer, kName, &got).ok());
  EXPECT_EQ(got.revision_id(), absl::StrCat(1 + 3 * kEach));
  EXPECT_EQ(EventCount(), 1 + 3 * kEach);
}

TEST_P(PolicyServiceTest, RacingRetriesOfOneRequestGetOneAnswer) {
  std::vector<v1::Policy> answers(4);
  std::vector<grpc::Status> statuses(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      statuses[t] = Create(kEditor, MinimalPolicy(), &answers[t],
                           "integration-2007", "same-request");
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) {
    ASSERT_TRUE(statuses[t].ok()) << statuses[t].error_message();
    EXPECT_EQ(answers[t].uid(), answers[0].uid());
  }
  EXPECT_EQ(EventCount(), 1);
}

TEST_P(PolicyServiceTest, KeepsDraftsFromOutsidersOnEveryReadPath) {
  v1::Policy p;
  ASSERT_TRUE(Create(kEditor, MinimalPolicy(), &p).ok());
  for (const Identity* who : {&kOtherEditor, &kAnonymous}) {
    grpc::StatusCode denied = who->anonymous()
                                  ? grpc::StatusCode::UNAUTHENTICATED
                                  : grpc::StatusCode::PERMISSION_DENIED;
    v1::Policy got;
    ExpectStatus(Get(*who, std::string(kName) + "@1", &got), denied, "name");
    // A name that does not exist answers the same: outsiders cannot probe.
    ExpectStatus(Get(*who, "municipalities/169/policies/no-such", &got), denied,
                 "name");
    v1::ListPolicyRevisionsRequest revisions;
    revisions.set_name(kName);
    v1::ListPolicyRevisionsResponse listed;
    ExpectStatus(stub_->ListPolicyRevisions(As(*who).get(), revisions, &listed),
                 denied, "name");
    v1::DiffPolicyRevisionsRequest diff;
    diff.set_name(kName);
    diff.set_base_revision_id("1");
    v1::DiffPolicyRevisionsResponse changes;
    ExpectStatus(stub_->DiffPolicyRevisions(As(*who).get(), diff, &changes),
                 denied, "name");
    v1::ExportPolicyRequest export_request;
    export_request.set_name(kName);
    export_request.set_format(v1::DOCUMENT_FORMAT_JSON);
    v1::ExportPolicyResponse exported;
    ExpectStatus(stub_->ExportPolicy(As(*who).get(), export_request, &exported),
                 denied, "name");
    v1::SearchPoliciesRequest search;
    search.set_parent("municipalities/169");
    search.set_query("dansk");
    v1::SearchPoliciesResponse hits;
    ASSERT_TRUE(stub_->SearchPolicies(As(*who).get(), search, &hits).ok());
    EXPECT_EQ(hits.results_size(), 0);
    v1::ListPoliciesRequest list;
    list.set_parent("municipalities/169");
    v1::ListPoliciesResponse policies;
    ASSERT_TRUE(stub_->ListPolicies(As(*who).get(), list, &policies).ok());
    EXPECT_EQ(policies.policies_size(), 0);
  }
}

TEST_P(PolicyServiceTest, ThePublicSeesOnlyTheAdoptedRevisions) {
  v1::Policy p;
  ASSERT_TRUE(Create(kEditor, MinimalPolicy(), &p).ok());
  ASSERT_TRUE(Transition(kEditor, v1::POLICY_STATE_IN_HEARING, &p).ok());
  ASSERT_TRUE(Transition(kEditor, v1::POLICY_STATE_ADOPTED, &p).ok());
  v1::ListPolicyRevisionsRequest revisions;
  revisions.set_name(kName);
  v1::ListPolicyRevisionsResponse listed;
  ASSERT_TRUE(
      stub_->ListPolicyRevisions(As(kAnonymous).get(), revisions, &listed)
          .ok());
  ASSERT_EQ(listed.policies_size(), 1);
  EXPECT_EQ(listed.policies(0).state(), v1::POLICY_STATE_ADOPTED);
  ASSERT_TRUE(
      stub_->ListPolicyRevisions(As(kViewer).get(), revisions, &listed).ok());
  EXPECT_EQ(listed.policies_size(), 3);

  v1::DiffPolicyRevisionsRequest diff;
  diff.set_name(kName);
  diff.set_base_revision_id("1");
  v1::DiffPolicyRevisionsResponse changes;
  ExpectStatus(stub_->DiffPolicyRevisions(As(kAnonymous).get(), diff, &changes),
               grpc::StatusCode::UNAUTHENTICATED, "base_revision_id");
  ASSERT_TRUE(
      stub_->DiffPolicyRevisions(As(kViewer).get(), diff, &changes).ok());
}

TEST_P(PolicyServiceTest, APeriodWithoutAnEndIsInForceUntilFurtherNotice) {
  v1::Policy p = MinimalPolicy();
  p.mutable_period()->clear_end_date();
  v1::Policy out;
  ASSERT_TRUE(Create(kEditor, p, &out, "open-ended").ok());
  v1::Policy undated = MinimalPolicy();
  undated.clear_period();
  ASSERT_TRUE(Create(kEditor, undated, &out, "undated").ok());
  v1::ListPoliciesRequest list;
  list.set_parent("municipalities/169");
  list.set_period_year(2030);
  v1::ListPoliciesResponse policies;
  ASSERT_TRUE(stub_->ListPolicies(As(kViewer).get(), list, &policies).ok());
  ASSERT_EQ(policies.policies_size(), 1);
  EXPECT_EQ(policies.policies(0).name(),
            "municipalities/169/policies/open-ended");
}

KOMMUNE_INSTANTIATE_ENGINE_TEST(PolicyServiceTest);

}  // namespace
}  // namespace kommune::policy
