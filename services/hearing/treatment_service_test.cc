// Political treatment through a real in-process gRPC server, on both
// engines, replaying the domain's three municipalities.
#include "services/hearing/treatment_service.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "kommune/common/v1/change_feed.grpc.pb.h"
#include "services/common/change_feed_migrations.h"
#include "services/common/change_feed_service.h"
#include "services/common/embedded_file.h"
#include "services/common/grpc_util.h"
#include "services/common/migrations.h"
#include "services/common/service_host.h"
#include "services/common/test_support.h"

namespace kommune::hearing {

std::vector<kommune::EmbeddedFile> HearingMigrationFiles();

namespace {

using ::kommune::testing::Caller;
using ::kommune::testing::EngineTest;
using ::testing::HasSubstr;

constexpr char kSecret[] = "treatment-test-secret";

constexpr char kKbhPolicy[] = "municipalities/101/policies/integration-2011";
constexpr char kHtkPolicy[] = "municipalities/169/policies/integration-2007";
constexpr char kFurPolicy[] = "municipalities/190/policies/integration-2018";

const Identity kKbhSecretary =
    Caller("101", {Role::kSecretary}, "sekretariat@101");
const Identity kHtkSecretary =
    Caller("169", {Role::kSecretary}, "sekretariat@169");
const Identity kFurSecretary =
    Caller("190", {Role::kSecretary}, "sekretariat@190");
const Identity kHtkAdmin = Caller("169", {Role::kAdmin}, "admin@169");
const Identity kHtkViewer = Caller("169", {Role::kViewer}, "viewer@169");
const Identity kHtkEditor = Caller("169", {Role::kEditor}, "editor@169");
const Identity kAnonymous;

v1::ProcessTemplate Template(const std::string& file) {
  std::ifstream in(std::string(KOMMUNE_FIXTURES_DIR) +
                   "/../services/hearing/testdata/" + file);
  std::stringstream text;
  text << in.rdbuf();
  v1::ProcessTemplate out;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text.str(), &out))
      << file;
  return out;
}

common::v1::Date Day(int year, int month, int day) {
  common::v1::Date d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

common::v1::BodyReference Body(common::v1::BodyKind kind,
                               const std::string& name) {
  common::v1::BodyReference b;
  b.set_kind(kind);
  b.set_display_name(name);
  return b;
}

common::v1::BodyReference Committee(const std::string& name) {
  return Body(common::v1::BODY_KIND_COMMITTEE, name);
}

// The policy service as the treatment service sees it: adopts policies
// that are in hearing, returns adopted ones as they are, and can be down.
class FakePolicyClient : public PolicyClient {
 public:
  void Add(const std::string& name, policy::v1::PolicyState state) {
    absl::MutexLock lock(&mu_);
    policy::v1::Policy p;
    p.set_name(name);
    p.set_state(state);
    p.set_revision_id("3");
    policies_[name] = p;
  }
  void SetDown(bool down) {
    absl::MutexLock lock(&mu_);
    down_ = down;
  }
  policy::v1::PolicyState State(const std::string& name) {
    absl::MutexLock lock(&mu_);
    return policies_[name].state();
  }
  int adoptions() {
    absl::MutexLock lock(&mu_);
    return adoptions_;
  }
  int adopt_calls() {
    absl::MutexLock lock(&mu_);
    return adopt_calls_;
  }
  common::v1::Date adopt_date(const std::string& name) {
    absl::MutexLock lock(&mu_);
    return policies_[name].adopt_date();
  }
  // Runs at the start of every Adopt, outside the fake's lock: stands in
  // for whatever else happens while the policy service is being asked.
  void OnAdopt(std::function<void()> fn) {
    absl::MutexLock lock(&mu_);
    on_adopt_ = std::move(fn);
  }
  // The next Adopt adopts, but its answer is lost on the way back.
  void LoseNextAnswer() {
    absl::MutexLock lock(&mu_);
    lose_next_answer_ = true;
  }

  absl::StatusOr<policy::v1::Policy> GetPolicy(
      const Identity&, const std::string& name) override {
    absl::MutexLock lock(&mu_);
    if (down_) return absl::UnavailableError("policy service down");
    auto it = policies_.find(name);
    if (it == policies_.end()) {
      return absl::NotFoundError(
          absl::StrCat("name: no policy named '", name, "'"));
    }
    return it->second;
  }
  absl::StatusOr<policy::v1::Policy> SendToHearing(
      const Identity&, const std::string& name) override {
    absl::MutexLock lock(&mu_);
    return policies_[name];
  }
  absl::StatusOr<policy::v1::Policy> Adopt(
      const Identity& caller, const std::string& name,
      const common::v1::Date& adopt_date) override {
    std::function<void()> hook;
    {
      absl::MutexLock lock(&mu_);
      hook = on_adopt_;
    }
    if (hook) hook();
    absl::MutexLock lock(&mu_);
    ++adopt_calls_;
    if (down_) return absl::UnavailableError("connection refused");
    if (caller.anonymous()) return absl::UnauthenticatedError("no caller");
    auto it = policies_.find(name);
    if (it == policies_.end()) return absl::NotFoundError("name: not found");
    policy::v1::Policy& p = it->second;
    if (p.state() == policy::v1::POLICY_STATE_ADOPTED) return p;
    if (p.state() != policy::v1::POLICY_STATE_IN_HEARING) {
      return absl::FailedPreconditionError(
          "state: a policy that is draft cannot become adopted");
    }
    p.set_state(policy::v1::POLICY_STATE_ADOPTED);
    p.set_revision_id("4");
    *p.mutable_adopt_date() = adopt_date;
    ++adoptions_;
    if (lose_next_answer_) {
      lose_next_answer_ = false;
      return absl::DeadlineExceededError("the answer was lost");
    }
    return p;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, policy::v1::Policy> policies_;
  bool down_ = false;
  bool lose_next_answer_ = false;
  std::function<void()> on_adopt_;
  int adoptions_ = 0;
  int adopt_calls_ = 0;
};

class TreatmentServiceTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (db_ == nullptr) return;
    ASSERT_TRUE(ApplyChangeFeedMigrations(*db_).ok());
    absl::Status migrated =
        ApplyMigrations(*db_, "hearing", HearingMigrationFiles());
    ASSERT_TRUE(migrated.ok()) << migrated;
    policies_.Add(kKbhPolicy, policy::v1::POLICY_STATE_IN_HEARING);
    policies_.Add(kHtkPolicy, policy::v1::POLICY_STATE_IN_HEARING);
    policies_.Add(kFurPolicy, policy::v1::POLICY_STATE_IN_HEARING);
    service_ = std::make_unique<TreatmentServiceImpl>(db_, &events_, &policies_,
                                                      &verifier_);
    feed_ = std::make_unique<ChangeFeedServiceImpl>(db_, &events_, &verifier_);
    host_ = std::make_unique<ServiceHost>("treatment_test");
    host_->AddService(service_.get());
    host_->AddService(feed_.get());
    host_->OnShutdown([this] { events_.Shutdown(); });
    ASSERT_TRUE(host_->Start("127.0.0.1:0").ok());
    auto channel =
        grpc::CreateChannel("127.0.0.1:" + std::to_string(host_->port()),
                            grpc::InsecureChannelCredentials());
    stub_ = v1::TreatmentService::NewStub(channel);
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

  // A hearing as the hearing half of the service stores it (only the
  // columns the treatment half reads matter).
  static absl::Status InsertHearing(Transaction& tx, const std::string& code,
                                    const std::string& id,
                                    const std::string& policy, int64_t state) {
    std::string name = absl::StrCat("municipalities/", code, "/hearings/", id);
    if (auto d = tx.Execute("DELETE FROM hearings WHERE name = ?", {name});
        !d.ok()) {
      return d;
    }
    return tx.Execute(
        "INSERT INTO hearings (name, municipality, hearing_id, policy, "
        "policy_revision, state, kind, element_ids, snapshot) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {name, code, id, policy, absl::StrCat(policy, "@3"), state, int64_t{1},
         std::string(), Blob{""}});
  }
  void PutHearing(const std::string& code, const std::string& id,
                  const std::string& policy, int64_t state) {
    absl::Status s = db_->Write([&](Transaction& tx) {
      return InsertHearing(tx, code, id, policy, state);
    });
    ASSERT_TRUE(s.ok()) << s;
  }

  grpc::Status CreateTemplate(const Identity& who, const std::string& code,
                              const std::string& id,
                              const v1::ProcessTemplate& tmpl,
                              v1::ProcessTemplate* out) {
    v1::CreateProcessTemplateRequest r;
    r.set_parent(absl::StrCat("municipalities/", code));
    r.set_process_template_id(id);
    *r.mutable_process_template() = tmpl;
    return stub_->CreateProcessTemplate(As(who).get(), r, out);
  }

  grpc::Status CreateCase(const Identity& who, const std::string& code,
                          const std::string& id, const std::string& policy,
                          const std::string& tmpl, v1::TreatmentCase* out,
                          const std::string& request_id = "") {
    v1::CreateTreatmentCaseRequest r;
    r.set_parent(absl::StrCat("municipalities/", code));
    r.set_treatment_case_id(id);
    r.mutable_treatment_case()->set_policy(policy);
    r.mutable_treatment_case()->set_template_(tmpl);
    r.set_request_id(request_id);
    return stub_->CreateTreatmentCase(As(who).get(), r, out);
  }

  // Creates the template from its fixture and a case from it.
  v1::TreatmentCase Start(const Identity& who, const std::string& code,
                          const std::string& fixture,
                          const std::string& policy) {
    v1::ProcessTemplate tmpl;
    grpc::Status s =
        CreateTemplate(who, code, "integration", Template(fixture), &tmpl);
    EXPECT_TRUE(s.ok()) << s.error_message();
    v1::TreatmentCase c;
    s = CreateCase(who, code, "integrationspolitik", policy, tmpl.name(), &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c;
  }

  grpc::Status Plan(const Identity& who, const std::string& name,
                    const std::string& step, const std::string& hearing,
                    v1::TreatmentCase* out,
                    const common::v1::Date& date = common::v1::Date()) {
    v1::UpdateCaseStepRequest r;
    r.set_name(name);
    r.set_step_id(step);
    r.set_hearing_name(hearing);
    *r.mutable_planned_date() = date;
    return stub_->UpdateCaseStep(As(who).get(), r, out);
  }

  grpc::Status Decide(const Identity& who, const std::string& name,
                      const std::string& step,
                      const common::v1::BodyReference& body,
                      const common::v1::Date& date, v1::DecisionOutcome outcome,
                      v1::TreatmentCase* out, const std::string& text = "",
                      const std::string& reason = "",
                      const std::string& back_to = "",
                      const std::string& request_id = "") {
    v1::RecordDecisionRequest r;
    r.set_name(name);
    r.set_step_id(step);
    if (!body.display_name().empty())
      *r.mutable_decision()->mutable_body() = body;
    *r.mutable_decision()->mutable_date() = date;
    r.mutable_decision()->set_outcome(outcome);
    r.mutable_decision()->set_text(text);
    r.mutable_decision()->set_reason(reason);
    r.mutable_decision()->set_send_back_to_step_id(back_to);
    r.set_request_id(request_id);
    return stub_->RecordDecision(As(who).get(), r, out);
  }

  // Furesø's case up to its last step, the city council's final approval
  // (its hearing "h" processed).
  v1::TreatmentCase FuresoeAtTheCouncil() {
    v1::TreatmentCase c =
        Start(kFurSecretary, "190", "furesoe_2018.textproto", kFurPolicy);
    PutHearing("190", "h", kFurPolicy, kHearingProcessed);
    v1::TreatmentCase after;
    for (const char* body : {"Udvalg for beskæftigelse og erhverv",
                             "Udvalg for skole og ungdomsuddannelse"}) {
      EXPECT_TRUE(Decide(kFurSecretary, c.name(), "fagudvalg", Committee(body),
                         Day(2018, 8, 14), v1::DECISION_OUTCOME_APPROVED,
                         &after)
                      .ok());
    }
    EXPECT_TRUE(Plan(kFurSecretary, c.name(), "offentlig-hoering",
                     "municipalities/190/hearings/h", &after)
                    .ok());
    EXPECT_TRUE(Decide(kFurSecretary, c.name(), "offentlig-hoering",
                       common::v1::BodyReference(), Day(2018, 9, 3),
                       v1::DECISION_OUTCOME_APPROVED, &after)
                    .ok());
    EXPECT_EQ(after.current_step_id(), "byraadet");
    return after;
  }

  grpc::Status DecideAtTheCouncil(const std::string& name,
                                  v1::TreatmentCase* out,
                                  const std::string& request_id = "") {
    return Decide(kFurSecretary, name, "byraadet",
                  Body(common::v1::BODY_KIND_CITY_COUNCIL, "Byrådet"),
                  Day(2018, 10, 31), v1::DECISION_OUTCOME_APPROVED, out,
                  "Godkendt.", "", "", request_id);
  }

  v1::TreatmentCase Get(const Identity& who, const std::string& name) {
    v1::GetTreatmentCaseRequest r;
    r.set_name(name);
    v1::TreatmentCase out;
    grpc::Status s = stub_->GetTreatmentCase(As(who).get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::vector<std::string> EventTypes(const std::string& code) {
    common::v1::ListEventsRequest request;
    request.set_parent(absl::StrCat("municipalities/", code));
    request.set_page_size(1000);
    common::v1::ListEventsResponse response;
    Identity viewer = Caller(code, {Role::kViewer});
    grpc::Status s =
        feed_stub_->ListEvents(As(viewer).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> types;
    for (const auto& e : response.events()) types.push_back(e.type());
    return types;
  }

  EventLog events_;
  IdentityVerifier verifier_{kSecret};
  FakePolicyClient policies_;
  std::unique_ptr<TreatmentServiceImpl> service_;
  std::unique_ptr<ChangeFeedServiceImpl> feed_;
  std::unique_ptr<ServiceHost> host_;
  std::unique_ptr<v1::TreatmentService::Stub> stub_;
  std::unique_ptr<common::v1::ChangeFeedService::Stub> feed_stub_;
};

void ExpectStatus(const grpc::Status& status, grpc::StatusCode code,
                  const std::string& field) {
  EXPECT_EQ(status.error_code(), code) << status.error_message();
  EXPECT_EQ(status.error_message().substr(0, field.size() + 1), field + ":")
      << status.error_message();
}

const common::v1::BodyReference kNoBody;

// ---- Templates ----

TEST_P(TreatmentServiceTest, ShipsTheThreeDomainTemplates) {
  struct Case {
    const Identity* who;
    std::string code, file;
    int steps;
  };
  for (const Case& c :
       {Case{&kKbhSecretary, "101", "koebenhavn_2010.textproto", 8},
        Case{&kHtkSecretary, "169", "hoeje_taastrup_2007.textproto", 2},
        Case{&kFurSecretary, "190", "furesoe_2018.textproto", 3}}) {
    v1::ProcessTemplate created;
    grpc::Status s = CreateTemplate(*c.who, c.code, "integration",
                                    Template(c.file), &created);
    ASSERT_TRUE(s.ok()) << c.file << ": " << s.error_message();
    EXPECT_EQ(created.name(), absl::StrCat("municipalities/", c.code,
                                           "/processTemplates/integration"));
    EXPECT_EQ(created.steps_size(), c.steps);
    EXPECT_FALSE(created.etag().empty());
    EXPECT_EQ(created.steps().rbegin()->kind(), v1::STEP_KIND_ADOPTION);
  }
  EXPECT_EQ(EventTypes("101"),
            std::vector<std::string>{"process_template.created"});
}

TEST_P(TreatmentServiceTest, EditsListsAndDeletesTemplates) {
  v1::ProcessTemplate tmpl = Template("koebenhavn_2010.textproto");
  for (const char* id : {"a", "b", "c"}) {
    v1::ProcessTemplate out;
    ASSERT_TRUE(CreateTemplate(kKbhSecretary, "101", id, tmpl, &out).ok());
  }
  v1::ProcessTemplate dup;
  ExpectStatus(CreateTemplate(kKbhSecretary, "101", "a", tmpl, &dup),
               grpc::StatusCode::ALREADY_EXISTS, "process_template_id");

  v1::ListProcessTemplatesRequest list;
  list.set_parent("municipalities/101");
  list.set_page_size(2);
  v1::ListProcessTemplatesResponse page;
  Identity viewer = Caller("101", {Role::kViewer});
  ASSERT_TRUE(stub_->ListProcessTemplates(As(viewer).get(), list, &page).ok());
  ASSERT_EQ(page.process_templates_size(), 2);
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(stub_->ListProcessTemplates(As(viewer).get(), list, &page).ok());
  ASSERT_EQ(page.process_templates_size(), 1);
  EXPECT_EQ(page.process_templates(0).name(),
            "municipalities/101/processTemplates/c");
  EXPECT_TRUE(page.next_page_token().empty());

  v1::UpdateProcessTemplateRequest update;
  update.mutable_process_template()->set_name(
      "municipalities/101/processTemplates/a");
  update.mutable_process_template()->set_display_name("Ny titel");
  update.mutable_update_mask()->add_paths("display_name");
  v1::ProcessTemplate updated;
  ASSERT_TRUE(
      stub_->UpdateProcessTemplate(As(kKbhSecretary).get(), update, &updated)
          .ok());
  EXPECT_EQ(updated.display_name(), "Ny titel");
  EXPECT_EQ(updated.steps_size(), 8) << "steps are not in the mask";

  update.mutable_process_template()->set_etag("W/\"stale\"");
  ExpectStatus(
      stub_->UpdateProcessTemplate(As(kKbhSecretary).get(), update, &updated),
      grpc::StatusCode::ABORTED, "process_template.etag");

  v1::DeleteProcessTemplateRequest del;
  del.set_name("municipalities/101/processTemplates/b");
  google::protobuf::Empty empty;
  ASSERT_TRUE(
      stub_->DeleteProcessTemplate(As(kKbhSecretary).get(), del, &empty).ok());
  v1::GetProcessTemplateRequest get;
  get.set_name(del.name());
  v1::ProcessTemplate got;
  ExpectStatus(stub_->GetProcessTemplate(As(viewer).get(), get, &got),
               grpc::StatusCode::NOT_FOUND, "name");
  EXPECT_EQ(EventTypes("101"),
            (std::vector<std::string>{
                "process_template.created", "process_template.created",
                "process_template.created", "process_template.updated",
                "process_template.deleted"}));
}

TEST_P(TreatmentServiceTest, RefusesBadTemplates) {
  v1::ProcessTemplate out;
  v1::ProcessTemplate dup = Template("koebenhavn_2010.textproto");
  dup.mutable_steps(3)->set_step_id("proces");
  ExpectStatus(CreateTemplate(kKbhSecretary, "101", "dup", dup, &out),
               grpc::StatusCode::INVALID_ARGUMENT,
               "process_template.steps[3].step_id");

  v1::ProcessTemplate untitled = Template("koebenhavn_2010.textproto");
  untitled.clear_display_name();
  ExpectStatus(CreateTemplate(kKbhSecretary, "101", "x", untitled, &out),
               grpc::StatusCode::INVALID_ARGUMENT,
               "process_template.display_name");

  v1::ProcessTemplate no_kind = Template("koebenhavn_2010.textproto");
  no_kind.mutable_steps(1)->clear_kind();
  ExpectStatus(CreateTemplate(kKbhSecretary, "101", "x", no_kind, &out),
               grpc::StatusCode::INVALID_ARGUMENT,
               "process_template.steps[1].kind");

  v1::ProcessTemplate no_bodies = Template("koebenhavn_2010.textproto");
  no_bodies.mutable_steps(0)->clear_bodies();
  ExpectStatus(CreateTemplate(kKbhSecretary, "101", "x", no_bodies, &out),
               grpc::StatusCode::INVALID_ARGUMENT,
               "process_template.steps[0].bodies");

  v1::ProcessTemplate no_adoption = Template("koebenhavn_2010.textproto");
  no_adoption.mutable_steps()->RemoveLast();
  ExpectStatus(CreateTemplate(kKbhSecretary, "101", "x", no_adoption, &out),
               grpc::StatusCode::INVALID_ARGUMENT,
               "process_template.steps[6].kind");

  ExpectStatus(CreateTemplate(kKbhSecretary, "101", "Not_An_Id",
                              Template("koebenhavn_2010.textproto"), &out),
               grpc::StatusCode::INVALID_ARGUMENT, "process_template_id");
  EXPECT_TRUE(EventTypes("101").empty());
}

// ---- Access ----

TEST_P(TreatmentServiceTest, KeepsTreatmentInsideItsMunicipality) {
  v1::ProcessTemplate out;
  v1::ProcessTemplate tmpl = Template("hoeje_taastrup_2007.textproto");
  ExpectStatus(CreateTemplate(kHtkEditor, "169", "t", tmpl, &out),
               grpc::StatusCode::PERMISSION_DENIED, "parent");
  ExpectStatus(CreateTemplate(kHtkViewer, "169", "t", tmpl, &out),
               grpc::StatusCode::PERMISSION_DENIED, "parent");
  ExpectStatus(CreateTemplate(kKbhSecretary, "169", "t", tmpl, &out),
               grpc::StatusCode::PERMISSION_DENIED, "parent");
  ExpectStatus(CreateTemplate(kAnonymous, "169", "t", tmpl, &out),
               grpc::StatusCode::UNAUTHENTICATED, "parent");
  ASSERT_TRUE(CreateTemplate(kHtkAdmin, "169", "t", tmpl, &out).ok());

  v1::TreatmentCase c;
  ASSERT_TRUE(
      CreateCase(kHtkSecretary, "169", "sag", kHtkPolicy, out.name(), &c).ok());
  v1::GetTreatmentCaseRequest get;
  get.set_name(c.name());
  v1::TreatmentCase got;
  EXPECT_TRUE(stub_->GetTreatmentCase(As(kHtkViewer).get(), get, &got).ok());
  ExpectStatus(stub_->GetTreatmentCase(As(kKbhSecretary).get(), get, &got),
               grpc::StatusCode::PERMISSION_DENIED, "name");
  ExpectStatus(stub_->GetTreatmentCase(As(kAnonymous).get(), get, &got),
               grpc::StatusCode::UNAUTHENTICATED, "name");
  v1::TreatmentCase after;
  ExpectStatus(
      Decide(kHtkEditor, c.name(), "hoering-boerne-ungdomsudvalget", kNoBody,
             Day(2007, 2, 1), v1::DECISION_OUTCOME_APPROVED, &after),
      grpc::StatusCode::PERMISSION_DENIED, "name");
  ExpectStatus(
      Decide(kHtkViewer, c.name(), "hoering-boerne-ungdomsudvalget", kNoBody,
             Day(2007, 2, 1), v1::DECISION_OUTCOME_APPROVED, &after),
      grpc::StatusCode::PERMISSION_DENIED, "name");
  v1::ListTreatmentCasesRequest list;
  list.set_parent("municipalities/169");
  v1::ListTreatmentCasesResponse listed;
  ASSERT_TRUE(
      stub_->ListTreatmentCases(As(kHtkViewer).get(), list, &listed).ok());
  EXPECT_EQ(listed.treatment_cases_size(), 1);
  ExpectStatus(
      stub_->ListTreatmentCases(As(kKbhSecretary).get(), list, &listed),
      grpc::StatusCode::PERMISSION_DENIED, "parent");
}

// ---- Cases ----

TEST_P(TreatmentServiceTest, StartsACaseFromATemplate) {
  v1::ProcessTemplate tmpl;
  ASSERT_TRUE(CreateTemplate(kKbhSecretary, "101", "integration",
                             Template("koebenhavn_2010.textproto"), &tmpl)
                  .ok());
  v1::TreatmentCase c;
  ExpectStatus(
      CreateCase(kKbhSecretary, "101", "x", kHtkPolicy, tmpl.name(), &c),
      grpc::StatusCode::INVALID_ARGUMENT, "treatment_case.policy");
  ExpectStatus(
      CreateCase(kKbhSecretary, "101", "x",
                 "municipalities/101/policies/unknown", tmpl.name(), &c),
      grpc::StatusCode::NOT_FOUND, "treatment_case.policy");
  ExpectStatus(CreateCase(kKbhSecretary, "101", "x", "", tmpl.name(), &c),
               grpc::StatusCode::INVALID_ARGUMENT, "treatment_case.policy");
  ExpectStatus(CreateCase(kKbhSecretary, "101", "x", kKbhPolicy, "", &c),
               grpc::StatusCode::INVALID_ARGUMENT, "treatment_case.template");
  ExpectStatus(CreateCase(kKbhSecretary, "101", "x", kKbhPolicy,
                          "municipalities/101/processTemplates/nope", &c),
               grpc::StatusCode::NOT_FOUND, "treatment_case.template");
  ExpectStatus(
      CreateCase(kKbhSecretary, "101", "", kKbhPolicy, tmpl.name(), &c),
      grpc::StatusCode::INVALID_ARGUMENT, "treatment_case_id");

  ASSERT_TRUE(CreateCase(kKbhSecretary, "101", "integrationspolitik",
                         kKbhPolicy, tmpl.name(), &c, "req-1")
                  .ok());
  EXPECT_EQ(c.name(), "municipalities/101/treatmentCases/integrationspolitik");
  EXPECT_EQ(c.state(), v1::CASE_STATE_IN_PROGRESS);
  EXPECT_EQ(c.current_step_id(), "proces");
  ASSERT_EQ(c.steps_size(), 8);
  EXPECT_EQ(c.steps(0).state(), v1::STEP_STATE_OPEN);
  EXPECT_EQ(c.steps(1).state(), v1::STEP_STATE_PENDING);
  EXPECT_EQ(c.steps(1).bodies_size(), 3);

  // A retry answers the same; the case exists once.
  v1::TreatmentCase again;
  ASSERT_TRUE(CreateCase(kKbhSecretary, "101", "integrationspolitik",
                         kKbhPolicy, tmpl.name(), &again, "req-1")
                  .ok());
  EXPECT_EQ(again.SerializeAsString(), c.SerializeAsString());

  // Later template edits do not change a case under way.
  v1::DeleteProcessTemplateRequest del;
  del.set_name(tmpl.name());
  google::protobuf::Empty empty;
  ASSERT_TRUE(
      stub_->DeleteProcessTemplate(As(kKbhSecretary).get(), del, &empty).ok());
  EXPECT_EQ(Get(kKbhSecretary, c.name()).steps_size(), 8);
}

// An update that checked the etag must not overwrite a change committed
// while it ran: updates of a template go one at a time.
TEST_P(TreatmentServiceTest, TemplateUpdatesDoNotLoseAConcurrentChange) {
  v1::ProcessTemplate tmpl;
  ASSERT_TRUE(CreateTemplate(kKbhSecretary, "101", "integration",
                             Template("koebenhavn_2010.textproto"), &tmpl)
                  .ok());
  absl::Notification locked;
  std::thread other([&] {
    absl::Status s = db_->Write([&](Transaction& tx) -> absl::Status {
      if (auto l = tx.Lock(absl::StrCat("process_template:", tmpl.name()));
          !l.ok()) {
        return l;
      }
      v1::ProcessTemplate changed = tmpl;
      changed.set_display_name("Ændret imens");
      changed.set_etag("W/\"changed\"");
      if (auto u = tx.Execute("UPDATE process_templates SET snapshot = ? WHERE "
                              "municipality_code = ? AND template_id = ?",
                              {Blob{changed.SerializeAsString()},
                               std::string("101"), std::string("integration")});
          !u.ok()) {
        return u;
      }
      if (!locked.HasBeenNotified()) locked.Notify();
      absl::SleepFor(absl::Milliseconds(300));
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
  });
  locked.WaitForNotification();
  v1::UpdateProcessTemplateRequest update;
  *update.mutable_process_template() = tmpl;
  update.mutable_process_template()->set_display_name("Min ændring");
  update.mutable_update_mask()->add_paths("display_name");
  v1::ProcessTemplate updated;
  grpc::Status s =
      stub_->UpdateProcessTemplate(As(kKbhSecretary).get(), update, &updated);
  other.join();
  ExpectStatus(s, grpc::StatusCode::ABORTED, "process_template.etag");
  v1::GetProcessTemplateRequest get;
  get.set_name(tmpl.name());
  ASSERT_TRUE(
      stub_->GetProcessTemplate(As(kKbhSecretary).get(), get, &updated).ok());
  EXPECT_EQ(updated.display_name(), "Ændret imens");
}

// A policy is treated by one case at a time, and not again once adopted.
TEST_P(TreatmentServiceTest, OneCaseAtATimePerPolicy) {
  v1::TreatmentCase c =
      Start(kHtkSecretary, "169", "hoeje_taastrup_2007.textproto", kHtkPolicy);
  v1::TreatmentCase second;
  grpc::Status s = CreateCase(kHtkSecretary, "169", "igen", kHtkPolicy,
                              c.template_(), &second);
  ExpectStatus(s, grpc::StatusCode::ALREADY_EXISTS, "treatment_case.policy");
  EXPECT_THAT(s.error_message(), HasSubstr(c.name()));
  // The same case id is still reported as such.
  ExpectStatus(CreateCase(kHtkSecretary, "169", "integrationspolitik",
                          kHtkPolicy, c.template_(), &second),
               grpc::StatusCode::ALREADY_EXISTS, "treatment_case_id");

  // Once the case is rejected, the policy can be treated again.
  PutHearing("169", "h", kHtkPolicy, kHearingProcessed);
  v1::TreatmentCase after;
  ASSERT_TRUE(Plan(kHtkSecretary, c.name(), "hoering-boerne-ungdomsudvalget",
                   "municipalities/169/hearings/h", &after)
                  .ok());
  ASSERT_TRUE(Decide(kHtkSecretary, c.name(), "hoering-boerne-ungdomsudvalget",
                     kNoBody, Day(2007, 2, 28), v1::DECISION_OUTCOME_APPROVED,
                     &after)
                  .ok());
  ASSERT_TRUE(Decide(kHtkSecretary, c.name(), "boligsocialt-udvalg",
                     Committee("Boligsocialt Udvalg"), Day(2007, 3, 7),
                     v1::DECISION_OUTCOME_REJECTED, &after)
                  .ok());
  ASSERT_TRUE(CreateCase(kHtkSecretary, "169", "igen", kHtkPolicy,
                         c.template_(), &second)
                  .ok());

  // An adopted policy is not treated again.
  policies_.Add(kFurPolicy, policy::v1::POLICY_STATE_ADOPTED);
  v1::ProcessTemplate tmpl;
  ASSERT_TRUE(CreateTemplate(kFurSecretary, "190", "integration",
                             Template("furesoe_2018.textproto"), &tmpl)
                  .ok());
  ExpectStatus(
      CreateCase(kFurSecretary, "190", "sag", kFurPolicy, tmpl.name(), &second),
      grpc::StatusCode::FAILED_PRECONDITION, "treatment_case.policy");
}

// Høje-Taastrup 2006-07 (domain/000): Boligsocialt Udvalg waited for the
// children and youth committee's hearing response; on 07-03-2007 it
// converted the case to a decision case and postponed it with reasons;
// after the changes it approved, adopting the policy.
TEST_P(TreatmentServiceTest, ReplaysHoejeTaastrup2007) {
  v1::TreatmentCase c =
      Start(kHtkSecretary, "169", "hoeje_taastrup_2007.textproto", kHtkPolicy);
  ASSERT_EQ(c.current_step_id(), "hoering-boerne-ungdomsudvalget");
  const auto bou = Committee("Boligsocialt Udvalg");
  const std::string hearing = "municipalities/169/hearings/boerne-unge-2006";
  PutHearing("169", "boerne-unge-2006", kHtkPolicy, kHearingOpen);

  v1::TreatmentCase after;
  // The committee cannot decide before the hearing step is done.
  ExpectStatus(Decide(kHtkSecretary, c.name(), "boligsocialt-udvalg", bou,
                      Day(2006, 12, 13), v1::DECISION_OUTCOME_APPROVED, &after),
               grpc::StatusCode::FAILED_PRECONDITION, "step_id");
  ASSERT_TRUE(Plan(kHtkSecretary, c.name(), "hoering-boerne-ungdomsudvalget",
                   hearing, &after)
                  .ok());
  EXPECT_EQ(after.steps(0).hearing(), hearing);
  grpc::Status s =
      Decide(kHtkSecretary, c.name(), "hoering-boerne-ungdomsudvalget", kNoBody,
             Day(2007, 2, 28), v1::DECISION_OUTCOME_APPROVED, &after);
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "step_id");
  EXPECT_THAT(s.error_message(), HasSubstr(hearing));
  // February 2007: the children and youth committee answered; processed.
  PutHearing("169", "boerne-unge-2006", kHtkPolicy, kHearingProcessed);
  ASSERT_TRUE(Decide(kHtkSecretary, c.name(), "hoering-boerne-ungdomsudvalget",
                     kNoBody, Day(2007, 2, 28), v1::DECISION_OUTCOME_APPROVED,
                     &after)
                  .ok());
  EXPECT_EQ(after.current_step_id(), "boligsocialt-udvalg");

  v1::UpdateCaseStepRequest plan;
  plan.set_name(c.name());
  plan.set_step_id("boligsocialt-udvalg");
  *plan.mutable_planned_date() = Day(2007, 3, 7);
  plan.mutable_agenda_item()->set_recommendation(
      "Administrationen indstiller, at forslag til Høje-Taastrup Kommunes "
      "Integrationspolitik godkendes");
  auto* bilag = plan.mutable_agenda_item()->add_attachments();
  bilag->set_case_number("1166997");
  bilag->set_document_number("1410354");
  bilag->set_title(
      "Høje-Taastrup Kommunes Integrationspolitik - samlet version");
  ASSERT_TRUE(
      stub_->UpdateCaseStep(As(kHtkSecretary).get(), plan, &after).ok());
  EXPECT_EQ(after.steps(1).agenda_item().attachments(0).document_number(),
            "1410354");

  // 07-03-2007 (sag 3): converted to a decision case, then postponed.
  ASSERT_TRUE(
      Decide(kHtkSecretary, c.name(), "boligsocialt-udvalg", bou,
             Day(2007, 3, 7), v1::DECISION_OUTCOME_CONVERTED_TO_DECISION_CASE,
             &after,
             "Udvalget besluttede, at ændre sagen til en afgørelsessag.")
          .ok());
  EXPECT_EQ(after.current_step_id(), "boligsocialt-udvalg");
  const std::string reason =
      "med henblik på at få uddybet integrationsindsatsen overfor mindre "
      "virksomheder samt en justering af de overordnede målsætninger i "
      "relation til sproglige færdigheder";
  ExpectStatus(Decide(kHtkSecretary, c.name(), "boligsocialt-udvalg", bou,
                      Day(2007, 3, 7), v1::DECISION_OUTCOME_POSTPONED, &after,
                      "Udvalget besluttede, at udsætte sagen."),
               grpc::StatusCode::INVALID_ARGUMENT, "decision.reason");
  ASSERT_TRUE(Decide(kHtkSecretary, c.name(), "boligsocialt-udvalg", bou,
                     Day(2007, 3, 7), v1::DECISION_OUTCOME_POSTPONED, &after,
                     "Udvalget besluttede, at udsætte sagen.", reason)
                  .ok());
  EXPECT_EQ(after.state(), v1::CASE_STATE_IN_PROGRESS);
  EXPECT_EQ(after.steps(1).state(), v1::STEP_STATE_OPEN);
  ASSERT_EQ(after.steps(1).decisions_size(), 2);
  EXPECT_EQ(after.steps(1).decisions(1).reason(), reason);
  EXPECT_EQ(after.steps(1).decisions(1).recorded_by(), "sekretariat@169");
  EXPECT_EQ(policies_.adoptions(), 0);

  // A decision case is not settled by a discussion.
  ASSERT_TRUE(Decide(kHtkSecretary, c.name(), "boligsocialt-udvalg", bou,
                     Day(2007, 3, 21), v1::DECISION_OUTCOME_DISCUSSED, &after)
                  .ok());
  EXPECT_EQ(after.steps(1).state(), v1::STEP_STATE_OPEN);

  // After the changes: approved, which adopts the policy on that day.
  ASSERT_TRUE(Decide(kHtkSecretary, c.name(), "boligsocialt-udvalg", bou,
                     Day(2007, 3, 28),
                     v1::DECISION_OUTCOME_APPROVED_WITH_CHANGES, &after,
                     "Godkendt med de foretagne ændringer.")
                  .ok());
  EXPECT_EQ(after.state(), v1::CASE_STATE_ADOPTED);
  EXPECT_TRUE(after.current_step_id().empty());
  EXPECT_EQ(after.steps(1).state(), v1::STEP_STATE_DONE);
  EXPECT_EQ(after.adoption().policy_revision(), absl::StrCat(kHtkPolicy, "@4"));
  EXPECT_FALSE(after.adoption().pending());
  EXPECT_TRUE(after.adoption().has_adopt_time());
  EXPECT_EQ(policies_.State(kHtkPolicy), policy::v1::POLICY_STATE_ADOPTED);
  EXPECT_EQ(policies_.adopt_date(kHtkPolicy).SerializeAsString(),
            Day(2007, 3, 28).SerializeAsString());
  EXPECT_EQ(Get(kHtkViewer, c.name()).SerializeAsString(),
            after.SerializeAsString());

  // Finished: no more decisions.
  ExpectStatus(Decide(kHtkSecretary, c.name(), "boligsocialt-udvalg", bou,
                      Day(2007, 4, 4), v1::DECISION_OUTCOME_APPROVED, &after),
               grpc::StatusCode::FAILED_PRECONDITION, "name");
  std::vector<std::string> types = EventTypes("169");
  EXPECT_EQ(types.front(), "process_template.created");
  EXPECT_EQ(types.back(), "treatment_case.adopted");
  EXPECT_EQ(std::count(types.begin(), types.end(),
                       "treatment_case.decision_recorded"),
            5);
}

// Furesø 2018 (domain/002): two committees treat the item on 14-08-2018,
// each with its own decision; the hearing 7.8-28.8.2018; the city council.
TEST_P(TreatmentServiceTest, ReplaysFuresoe2018) {
  v1::TreatmentCase c =
      Start(kFurSecretary, "190", "furesoe_2018.textproto", kFurPolicy);
  const auto beskaeftigelse = Committee("Udvalg for beskæftigelse og erhverv");
  const auto skole = Committee("Udvalg for skole og ungdomsuddannelse");
  PutHearing("190", "integrationspolitik-2018", kFurPolicy, kHearingOpen);

  v1::TreatmentCase after;
  ExpectStatus(
      Decide(kFurSecretary, c.name(), "fagudvalg", Committee("Økonomiudvalget"),
             Day(2018, 8, 14), v1::DECISION_OUTCOME_DISCUSSED, &after),
      grpc::StatusCode::INVALID_ARGUMENT, "decision.body");
  ASSERT_TRUE(Decide(kFurSecretary, c.name(), "fagudvalg", beskaeftigelse,
                     Day(2018, 8, 14), v1::DECISION_OUTCOME_DISCUSSED, &after,
                     "Drøftet som indstillet.")
                  .ok());
  EXPECT_EQ(after.current_step_id(), "fagudvalg")
      << "the other committee has not treated it yet";
  ASSERT_TRUE(Decide(kFurSecretary, c.name(), "fagudvalg", skole,
                     Day(2018, 8, 14), v1::DECISION_OUTCOME_DISCUSSED, &after,
                     "Drøftet.")
                  .ok());
  ASSERT_EQ(after.steps(0).decisions_size(), 2);
  EXPECT_EQ(after.steps(0).decisions(0).body().display_name(),
            beskaeftigelse.display_name());
  EXPECT_EQ(after.steps(0).decisions(0).text(), "Drøftet som indstillet.");
  EXPECT_EQ(after.steps(0).decisions(1).body().display_name(),
            skole.display_name());
  EXPECT_EQ(after.steps(0).decisions(1).text(), "Drøftet.");
  EXPECT_EQ(after.steps(0).state(), v1::STEP_STATE_DONE);
  EXPECT_EQ(after.current_step_id(), "offentlig-hoering");

  const std::string hearing =
      "municipalities/190/hearings/integrationspolitik-2018";
  ExpectStatus(Plan(kFurSecretary, c.name(), "fagudvalg", hearing, &after),
               grpc::StatusCode::INVALID_ARGUMENT, "hearing_name");
  ExpectStatus(Plan(kFurSecretary, c.name(), "offentlig-hoering",
                    "municipalities/190/hearings/unknown", &after),
               grpc::StatusCode::NOT_FOUND, "hearing_name");
  ASSERT_TRUE(
      Plan(kFurSecretary, c.name(), "offentlig-hoering", hearing, &after).ok());
  // The hearing closes 28.8.2018 and its responses are processed.
  PutHearing("190", "integrationspolitik-2018", kFurPolicy, kHearingClosed);
  ExpectStatus(Decide(kFurSecretary, c.name(), "offentlig-hoering",
                      common::v1::BodyReference(), Day(2018, 9, 3),
                      v1::DECISION_OUTCOME_APPROVED, &after),
               grpc::StatusCode::FAILED_PRECONDITION, "step_id");
  PutHearing("190", "integrationspolitik-2018", kFurPolicy, kHearingProcessed);
  ASSERT_TRUE(Decide(kFurSecretary, c.name(), "offentlig-hoering",
                     common::v1::BodyReference(), Day(2018, 9, 3),
                     v1::DECISION_OUTCOME_APPROVED, &after)
                  .ok());
  ASSERT_TRUE(Decide(kFurSecretary, c.name(), "byraadet",
                     Body(common::v1::BODY_KIND_CITY_COUNCIL, "Byrådet"),
                     Day(2018, 10, 31), v1::DECISION_OUTCOME_APPROVED, &after)
                  .ok());
  EXPECT_EQ(after.state(), v1::CASE_STATE_ADOPTED);
  EXPECT_EQ(policies_.adoptions(), 1);
}

// København 2010 (domain/003): the full path from the coordinating
// committee's process decision to the city council's adoption.
TEST_P(TreatmentServiceTest, ReplaysKoebenhavn2010) {
  v1::TreatmentCase c =
      Start(kKbhSecretary, "101", "koebenhavn_2010.textproto", kKbhPolicy);
  const auto biu = Committee("Beskæftigelses- og Integrationsudvalget");
  const auto oeu =
      Body(common::v1::BODY_KIND_FINANCE_COMMITTEE, "Økonomiudvalget");
  const auto br =
      Body(common::v1::BODY_KIND_CITY_COUNCIL, "Borgerrepræsentationen");
  v1::TreatmentCase after;
  auto decide =
      [&](const std::string& step, const common::v1::BodyReference& body,
          const common::v1::Date& date,
          v1::DecisionOutcome outcome = v1::DECISION_OUTCOME_APPROVED) {
        grpc::Status s =
            Decide(kKbhSecretary, c.name(), step, body, date, outcome, &after);
        EXPECT_TRUE(s.ok()) << step << ": " << s.error_message();
      };
  decide("proces", biu, Day(2010, 1, 11));
  EXPECT_EQ(after.current_step_id(), "fagudvalgenes-oplaeg");
  decide("fagudvalgenes-oplaeg", Committee("Børne- og Ungdomsudvalget"),
         Day(2010, 5, 5));
  decide("fagudvalgenes-oplaeg", Committee("Sundheds- og Omsorgsudvalget"),
         Day(2010, 5, 6));
  EXPECT_EQ(after.current_step_id(), "fagudvalgenes-oplaeg");
  // The late committee.
  decide("fagudvalgenes-oplaeg", Committee("Kultur- og Fritidsudvalget"),
         Day(2010, 5, 20), v1::DECISION_OUTCOME_APPROVED_WITH_CHANGES);
  EXPECT_EQ(after.current_step_id(), "sammenskrivning");
  ExpectStatus(Decide(kKbhSecretary, c.name(), "sammenskrivning", biu,
                      Day(2010, 6, 30), v1::DECISION_OUTCOME_APPROVED, &after),
               grpc::StatusCode::INVALID_ARGUMENT, "decision.body");
  decide("sammenskrivning", kNoBody, Day(2010, 6, 30));
  decide("1-behandling", biu, Day(2010, 8, 23));
  EXPECT_EQ(after.current_step_id(), "offentlig-hoering");

  // The public hearing, September-October.
  const std::string hearing = "municipalities/101/hearings/integration-2010";
  PutHearing("101", "integration-2010", kKbhPolicy, kHearingOpen);
  ASSERT_TRUE(
      Plan(kKbhSecretary, c.name(), "offentlig-hoering", hearing, &after).ok());
  ExpectStatus(Decide(kKbhSecretary, c.name(), "2-behandling", biu,
                      Day(2010, 11, 1), v1::DECISION_OUTCOME_APPROVED, &after),
               grpc::StatusCode::FAILED_PRECONDITION, "step_id");
  ExpectStatus(Decide(kKbhSecretary, c.name(), "offentlig-hoering",
                      common::v1::BodyReference(), Day(2010, 10, 31),
                      v1::DECISION_OUTCOME_APPROVED, &after),
               grpc::StatusCode::FAILED_PRECONDITION, "step_id");
  PutHearing("101", "integration-2010", kKbhPolicy, kHearingProcessed);
  decide("offentlig-hoering", kNoBody, Day(2010, 11, 1));
  decide("2-behandling", biu, Day(2010, 11, 8));
  ExpectStatus(Decide(kKbhSecretary, c.name(), "2-behandling", biu,
                      Day(2010, 11, 8), v1::DECISION_OUTCOME_APPROVED, &after),
               grpc::StatusCode::FAILED_PRECONDITION, "step_id");
  decide("oekonomiudvalget", oeu, Day(2010, 11, 30));
  EXPECT_EQ(after.current_step_id(), "borgerrepraesentationen");
  ASSERT_TRUE(Plan(kKbhSecretary, c.name(), "borgerrepraesentationen", "",
                   &after, Day(2010, 12, 16))
                  .ok());
  EXPECT_EQ(after.steps(7).planned_date().day(), 16);

  // A second hearing of the policy is open: no adoption yet.
  PutHearing("101", "integration-2010-supplerende", kKbhPolicy, kHearingOpen);
  grpc::Status s =
      Decide(kKbhSecretary, c.name(), "borgerrepraesentationen", br,
             Day(2010, 12, 16), v1::DECISION_OUTCOME_APPROVED, &after);
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "step_id");
  EXPECT_THAT(
      s.error_message(),
      HasSubstr("municipalities/101/hearings/integration-2010-supplerende"));
  EXPECT_EQ(policies_.adopt_calls(), 0);
  EXPECT_EQ(Get(kKbhSecretary, c.name()).steps(7).decisions_size(), 0)
      << "nothing recorded";
  PutHearing("101", "integration-2010-supplerende", kKbhPolicy,
             kHearingProcessed);

  decide("borgerrepraesentationen", br, Day(2010, 12, 16));
  EXPECT_EQ(after.state(), v1::CASE_STATE_ADOPTED);
  EXPECT_EQ(after.adoption().policy_revision(), absl::StrCat(kKbhPolicy, "@4"));
  for (const auto& step : after.steps()) {
    EXPECT_EQ(step.state(), v1::STEP_STATE_DONE) << step.step_id();
  }
  EXPECT_EQ(policies_.adoptions(), 1);
  EXPECT_EQ(policies_.adopt_date(kKbhPolicy).month(), 12);
}

TEST_P(TreatmentServiceTest, RefusesDecisionsOutOfOrderOrMalformed) {
  v1::TreatmentCase c =
      Start(kKbhSecretary, "101", "koebenhavn_2010.textproto", kKbhPolicy);
  const auto biu = Committee("Beskæftigelses- og Integrationsudvalget");
  v1::TreatmentCase after;
  grpc::Status s =
      Decide(kKbhSecretary, c.name(), "oekonomiudvalget",
             Body(common::v1::BODY_KIND_FINANCE_COMMITTEE, "Økonomiudvalget"),
             Day(2010, 1, 11), v1::DECISION_OUTCOME_APPROVED, &after);
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "step_id");
  EXPECT_THAT(s.error_message(), HasSubstr("oekonomiudvalget"));
  ExpectStatus(Decide(kKbhSecretary, c.name(), "no-such-step", biu,
                      Day(2010, 1, 11), v1::DECISION_OUTCOME_APPROVED, &after),
               grpc::StatusCode::INVALID_ARGUMENT, "step_id");
  ExpectStatus(
      Decide(kKbhSecretary, c.name(), "proces", Committee("Socialudvalget"),
             Day(2010, 1, 11), v1::DECISION_OUTCOME_APPROVED, &after),
      grpc::StatusCode::INVALID_ARGUMENT, "decision.body");
  ExpectStatus(Decide(kKbhSecretary, c.name(), "proces", kNoBody,
                      Day(2010, 1, 11), v1::DECISION_OUTCOME_APPROVED, &after),
               grpc::StatusCode::INVALID_ARGUMENT, "decision.body");
  ExpectStatus(
      Decide(kKbhSecretary, c.name(), "proces", biu, common::v1::Date(),
             v1::DECISION_OUTCOME_APPROVED, &after),
      grpc::StatusCode::INVALID_ARGUMENT, "decision.date");
  ExpectStatus(Decide(kKbhSecretary, c.name(), "proces", biu, Day(2010, 2, 30),
                      v1::DECISION_OUTCOME_APPROVED, &after),
               grpc::StatusCode::INVALID_ARGUMENT, "decision.date");
  ExpectStatus(Decide(kKbhSecretary, c.name(), "proces", biu, Day(2010, 1, 11),
                      v1::DECISION_OUTCOME_UNSPECIFIED, &after),
               grpc::StatusCode::INVALID_ARGUMENT, "decision.outcome");
  ExpectStatus(Decide(kKbhSecretary, c.name(), "", biu, Day(2010, 1, 11),
                      v1::DECISION_OUTCOME_APPROVED, &after),
               grpc::StatusCode::INVALID_ARGUMENT, "step_id");
  ExpectStatus(
      Decide(kKbhSecretary, "municipalities/101/treatmentCases/nope", "proces",
             biu, Day(2010, 1, 11), v1::DECISION_OUTCOME_APPROVED, &after),
      grpc::StatusCode::NOT_FOUND, "name");
  v1::RecordDecisionRequest no_decision;
  no_decision.set_name(c.name());
  no_decision.set_step_id("proces");
  ExpectStatus(
      stub_->RecordDecision(As(kKbhSecretary).get(), no_decision, &after),
      grpc::StatusCode::INVALID_ARGUMENT, "decision");

  // Sent back: only to an earlier step, with reasons.
  ExpectStatus(
      Decide(kKbhSecretary, c.name(), "proces", biu, Day(2010, 1, 11),
             v1::DECISION_OUTCOME_SENT_BACK, &after, "", "uklart", "proces"),
      grpc::StatusCode::INVALID_ARGUMENT, "decision.send_back_to_step_id");
  ExpectStatus(Decide(kKbhSecretary, c.name(), "proces", biu, Day(2010, 1, 11),
                      v1::DECISION_OUTCOME_SENT_BACK, &after, "", "uklart",
                      "2-behandling"),
               grpc::StatusCode::INVALID_ARGUMENT,
               "decision.send_back_to_step_id");
  ExpectStatus(
      Decide(kKbhSecretary, c.name(), "proces", biu, Day(2010, 1, 11),
             v1::DECISION_OUTCOME_SENT_BACK, &after, "", "uklart", "ukendt"),
      grpc::StatusCode::INVALID_ARGUMENT, "decision.send_back_to_step_id");
  EXPECT_EQ(Get(kKbhSecretary, c.name()).steps(0).decisions_size(), 0);
  EXPECT_EQ(EventTypes("101").size(), 2u) << "template and case only";
}

TEST_P(TreatmentServiceTest, SendsACaseBackToAnEarlierStep) {
  v1::TreatmentCase c =
      Start(kKbhSecretary, "101", "koebenhavn_2010.textproto", kKbhPolicy);
  const auto biu = Committee("Beskæftigelses- og Integrationsudvalget");
  v1::TreatmentCase after;
  ASSERT_TRUE(Decide(kKbhSecretary, c.name(), "proces", biu, Day(2010, 1, 11),
                     v1::DECISION_OUTCOME_APPROVED, &after)
                  .ok());
  ASSERT_TRUE(Decide(kKbhSecretary, c.name(), "fagudvalgenes-oplaeg",
                     Committee("Børne- og Ungdomsudvalget"), Day(2010, 5, 5),
                     v1::DECISION_OUTCOME_APPROVED, &after)
                  .ok());
  ExpectStatus(
      Decide(kKbhSecretary, c.name(), "fagudvalgenes-oplaeg",
             Committee("Sundheds- og Omsorgsudvalget"), Day(2010, 5, 6),
             v1::DECISION_OUTCOME_SENT_BACK, &after, "", "", "proces"),
      grpc::StatusCode::INVALID_ARGUMENT, "decision.reason");
  ASSERT_TRUE(Decide(kKbhSecretary, c.name(), "fagudvalgenes-oplaeg",
                     Committee("Sundheds- og Omsorgsudvalget"), Day(2010, 5, 6),
                     v1::DECISION_OUTCOME_SENT_BACK, &after, "",
                     "Processen skal omfatte ældreområdet", "proces")
                  .ok());
  EXPECT_EQ(after.current_step_id(), "proces");
  EXPECT_EQ(after.steps(0).state(), v1::STEP_STATE_OPEN);
  EXPECT_EQ(after.steps(1).state(), v1::STEP_STATE_PENDING);
  ASSERT_EQ(after.steps(1).decisions_size(), 2);
  EXPECT_TRUE(after.steps(1).decisions(0).superseded());
  EXPECT_FALSE(after.steps(1).decisions(1).superseded());
  EXPECT_TRUE(after.steps(0).decisions(0).superseded());

  // The earlier approvals no longer count: every committee decides again.
  ASSERT_TRUE(Decide(kKbhSecretary, c.name(), "proces", biu, Day(2010, 5, 17),
                     v1::DECISION_OUTCOME_APPROVED, &after)
                  .ok());
  EXPECT_EQ(after.current_step_id(), "fagudvalgenes-oplaeg");
  ASSERT_TRUE(Decide(kKbhSecretary, c.name(), "fagudvalgenes-oplaeg",
                     Committee("Sundheds- og Omsorgsudvalget"),
                     Day(2010, 5, 20), v1::DECISION_OUTCOME_APPROVED, &after)
                  .ok());
  ASSERT_TRUE(Decide(kKbhSecretary, c.name(), "fagudvalgenes-oplaeg",
                     Committee("Kultur- og Fritidsudvalget"), Day(2010, 5, 20),
                     v1::DECISION_OUTCOME_APPROVED, &after)
                  .ok());
  EXPECT_EQ(after.current_step_id(), "fagudvalgenes-oplaeg")
      << "Børne- og Ungdomsudvalget's approval was superseded";
  ASSERT_TRUE(Decide(kKbhSecretary, c.name(), "fagudvalgenes-oplaeg",
                     Committee("Børne- og Ungdomsudvalget"), Day(2010, 5, 21),
                     v1::DECISION_OUTCOME_APPROVED, &after)
                  .ok());
  EXPECT_EQ(after.current_step_id(), "sammenskrivning");
}

TEST_P(TreatmentServiceTest, RejectionFinishesTheCase) {
  v1::TreatmentCase c =
      Start(kHtkSecretary, "169", "hoeje_taastrup_2007.textproto", kHtkPolicy);
  PutHearing("169", "h", kHtkPolicy, kHearingProcessed);
  v1::TreatmentCase after;
  ASSERT_TRUE(Plan(kHtkSecretary, c.name(), "hoering-boerne-ungdomsudvalget",
                   "municipalities/169/hearings/h", &after)
                  .ok());
  ASSERT_TRUE(Decide(kHtkSecretary, c.name(), "hoering-boerne-ungdomsudvalget",
                     kNoBody, Day(2007, 2, 28), v1::DECISION_OUTCOME_APPROVED,
                     &after)
                  .ok());
  ASSERT_TRUE(Decide(kHtkSecretary, c.name(), "boligsocialt-udvalg",
                     Committee("Boligsocialt Udvalg"), Day(2007, 3, 7),
                     v1::DECISION_OUTCOME_REJECTED, &after)
                  .ok());
  EXPECT_EQ(after.state(), v1::CASE_STATE_REJECTED);
  EXPECT_TRUE(after.current_step_id().empty());
  EXPECT_EQ(policies_.adopt_calls(), 0);
}

// The policy service refuses the adoption for good: the final approval was
// recorded together with the adoption intent, so it is compensated: the
// decision is kept but superseded, the adoption step is open again, and the
// caller gets the policy service's reason.
TEST_P(TreatmentServiceTest, RefusedAdoptionIsCompensated) {
  policies_.Add(kHtkPolicy, policy::v1::POLICY_STATE_DRAFT);
  v1::TreatmentCase c =
      Start(kHtkSecretary, "169", "hoeje_taastrup_2007.textproto", kHtkPolicy);
  PutHearing("169", "h", kHtkPolicy, kHearingProcessed);
  v1::TreatmentCase after;
  ASSERT_TRUE(Plan(kHtkSecretary, c.name(), "hoering-boerne-ungdomsudvalget",
                   "municipalities/169/hearings/h", &after)
                  .ok());
  ASSERT_TRUE(Decide(kHtkSecretary, c.name(), "hoering-boerne-ungdomsudvalget",
                     kNoBody, Day(2007, 2, 28), v1::DECISION_OUTCOME_APPROVED,
                     &after)
                  .ok());
  size_t events_before = EventTypes("169").size();
  const auto bou = Committee("Boligsocialt Udvalg");
  grpc::Status s = Decide(kHtkSecretary, c.name(), "boligsocialt-udvalg", bou,
                          Day(2007, 3, 28), v1::DECISION_OUTCOME_APPROVED,
                          &after, "", "", "", "final-1");
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "step_id");
  EXPECT_THAT(s.error_message(), HasSubstr("draft"));
  EXPECT_THAT(s.error_message(), HasSubstr(kHtkPolicy));
  EXPECT_EQ(policies_.adopt_calls(), 1);
  EXPECT_EQ(policies_.adoptions(), 0);
  EXPECT_EQ(policies_.State(kHtkPolicy), policy::v1::POLICY_STATE_DRAFT);

  v1::TreatmentCase now = Get(kHtkSecretary, c.name());
  EXPECT_EQ(now.state(), v1::CASE_STATE_IN_PROGRESS);
  EXPECT_EQ(now.current_step_id(), "boligsocialt-udvalg");
  EXPECT_EQ(now.steps(1).state(), v1::STEP_STATE_OPEN);
  ASSERT_EQ(now.steps(1).decisions_size(), 1);
  EXPECT_TRUE(now.steps(1).decisions(0).superseded());
  EXPECT_FALSE(now.adoption().pending());
  EXPECT_EQ(now.adoption().attempts(), 1);
  EXPECT_THAT(now.adoption().last_error(), HasSubstr("draft"));
  EXPECT_FALSE(now.adoption().has_adopt_time());
  std::vector<std::string> types = EventTypes("169");
  ASSERT_EQ(types.size(), events_before + 3);
  EXPECT_EQ(types[events_before], "treatment_case.decision_recorded");
  EXPECT_EQ(types[events_before + 1], "treatment_case.adoption_pending");
  EXPECT_EQ(types[events_before + 2], "treatment_case.adoption_refused");

  // A retry of the request gets the same refusal; nothing more is recorded
  // or asked.
  s = Decide(kHtkSecretary, c.name(), "boligsocialt-udvalg", bou,
             Day(2007, 3, 28), v1::DECISION_OUTCOME_APPROVED, &after, "", "",
             "", "final-1");
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "step_id");
  EXPECT_THAT(s.error_message(), HasSubstr("draft"));
  EXPECT_EQ(policies_.adopt_calls(), 1);
  EXPECT_EQ(Get(kHtkSecretary, c.name()).SerializeAsString(),
            now.SerializeAsString());
  EXPECT_EQ(EventTypes("169").size(), events_before + 3);
  // Nothing is left for the retry loop.
  ASSERT_TRUE(service_->RetryPendingAdoptions(absl::Now()).ok());
  EXPECT_EQ(policies_.adopt_calls(), 1);

  // Once the policy is in hearing, a new final approval adopts it.
  policies_.Add(kHtkPolicy, policy::v1::POLICY_STATE_IN_HEARING);
  ASSERT_TRUE(Decide(kHtkSecretary, c.name(), "boligsocialt-udvalg", bou,
                     Day(2007, 4, 4), v1::DECISION_OUTCOME_APPROVED, &after, "",
                     "", "", "final-2")
                  .ok());
  EXPECT_EQ(after.state(), v1::CASE_STATE_ADOPTED);
  ASSERT_EQ(after.steps(1).decisions_size(), 2);
  EXPECT_FALSE(after.steps(1).decisions(1).superseded());
  EXPECT_TRUE(after.adoption().last_error().empty());
  EXPECT_EQ(policies_.adoptions(), 1);
  EXPECT_EQ(policies_.adopt_date(kHtkPolicy).SerializeAsString(),
            Day(2007, 4, 4).SerializeAsString());
  // And the refused request still answers with its refusal.
  ExpectStatus(Decide(kHtkSecretary, c.name(), "boligsocialt-udvalg", bou,
                      Day(2007, 3, 28), v1::DECISION_OUTCOME_APPROVED, &after,
                      "", "", "", "final-1"),
               grpc::StatusCode::FAILED_PRECONDITION, "step_id");
}

// A pending adoption the policy service then refuses for good is
// compensated by the retry loop, which stops asking.
TEST_P(TreatmentServiceTest, RetryCompensatesARefusedPendingAdoption) {
  v1::TreatmentCase c = FuresoeAtTheCouncil();
  policies_.SetDown(true);
  v1::TreatmentCase after;
  ASSERT_TRUE(DecideAtTheCouncil(c.name(), &after, "final").ok());
  ASSERT_TRUE(after.adoption().pending());

  // Meanwhile the policy went back to draft.
  policies_.SetDown(false);
  policies_.Add(kFurPolicy, policy::v1::POLICY_STATE_DRAFT);
  ASSERT_TRUE(service_->RetryPendingAdoptions(absl::Now()).ok());
  int calls = policies_.adopt_calls();
  v1::TreatmentCase now = Get(kFurSecretary, c.name());
  EXPECT_FALSE(now.adoption().pending());
  EXPECT_THAT(now.adoption().last_error(), HasSubstr("draft"));
  EXPECT_EQ(now.state(), v1::CASE_STATE_IN_PROGRESS);
  EXPECT_EQ(now.current_step_id(), "byraadet");
  EXPECT_EQ(now.steps(2).state(), v1::STEP_STATE_OPEN);
  ASSERT_EQ(now.steps(2).decisions_size(), 1);
  EXPECT_TRUE(now.steps(2).decisions(0).superseded());
  EXPECT_EQ(EventTypes("190").back(), "treatment_case.adoption_refused");
  EXPECT_EQ(policies_.adoptions(), 0);

  ASSERT_TRUE(service_->RetryPendingAdoptions(absl::Now()).ok());
  EXPECT_EQ(policies_.adopt_calls(), calls) << "no more retries";
  ExpectStatus(DecideAtTheCouncil(c.name(), &after, "final"),
               grpc::StatusCode::FAILED_PRECONDITION, "step_id");
}

// A hearing of the policy opened while the adoption was pending (written
// behind the service's back here; OpenHearing itself refuses then): the
// retry loop does not adopt, it compensates.
TEST_P(TreatmentServiceTest, RetryDoesNotAdoptWhileAHearingIsOpen) {
  v1::TreatmentCase c = FuresoeAtTheCouncil();
  policies_.SetDown(true);
  v1::TreatmentCase after;
  ASSERT_TRUE(DecideAtTheCouncil(c.name(), &after).ok());
  ASSERT_TRUE(after.adoption().pending());
  PutHearing("190", "supplerende", kFurPolicy, kHearingOpen);
  policies_.SetDown(false);
  int calls = policies_.adopt_calls();

  ASSERT_TRUE(service_->RetryPendingAdoptions(absl::Now()).ok());
  EXPECT_EQ(policies_.adopt_calls(), calls) << "the policy service not asked";
  EXPECT_EQ(policies_.adoptions(), 0);
  EXPECT_EQ(policies_.State(kFurPolicy), policy::v1::POLICY_STATE_IN_HEARING);
  v1::TreatmentCase now = Get(kFurSecretary, c.name());
  EXPECT_FALSE(now.adoption().pending());
  EXPECT_THAT(now.adoption().last_error(),
              HasSubstr("municipalities/190/hearings/supplerende"));
  EXPECT_THAT(now.adoption().last_error(), HasSubstr("FAILED_PRECONDITION"));
  EXPECT_EQ(now.state(), v1::CASE_STATE_IN_PROGRESS);
  EXPECT_EQ(now.steps(2).state(), v1::STEP_STATE_OPEN);
  EXPECT_TRUE(now.steps(2).decisions(0).superseded());
  EXPECT_EQ(EventTypes("190").back(), "treatment_case.adoption_refused");

  // Once the hearing is processed, the council approves again and adopts.
  PutHearing("190", "supplerende", kFurPolicy, kHearingProcessed);
  ASSERT_TRUE(DecideAtTheCouncil(c.name(), &after).ok());
  EXPECT_EQ(after.state(), v1::CASE_STATE_ADOPTED);
  EXPECT_EQ(policies_.adoptions(), 1);
}

// The final approval waits for a hearing of the policy being opened at the
// same moment (the opener holds the policy's lock) and then sees it.
TEST_P(TreatmentServiceTest, AdoptionWaitsForAHearingBeingOpened) {
  v1::TreatmentCase c = FuresoeAtTheCouncil();
  absl::Notification locked;
  std::thread opener([&] {
    absl::Status s = db_->Write([&](Transaction& tx) -> absl::Status {
      if (auto l = tx.Lock(absl::StrCat("policy-hearings:", kFurPolicy));
          !l.ok()) {
        return l;
      }
      if (auto i =
              InsertHearing(tx, "190", "supplerende", kFurPolicy, kHearingOpen);
          !i.ok()) {
        return i;
      }
      if (!locked.HasBeenNotified()) locked.Notify();
      absl::SleepFor(absl::Milliseconds(300));
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
  });
  locked.WaitForNotification();
  v1::TreatmentCase after;
  grpc::Status s = DecideAtTheCouncil(c.name(), &after);
  opener.join();
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "step_id");
  EXPECT_THAT(s.error_message(),
              HasSubstr("municipalities/190/hearings/supplerende"));
  EXPECT_EQ(policies_.adopt_calls(), 0);
  EXPECT_EQ(Get(kFurSecretary, c.name()).steps(2).decisions_size(), 0);
}

// The policy service adopts but its answer is lost (or this process stops
// right after asking). The decision and the adoption intent were committed
// before the policy service was asked, and nothing after Adopt can undo
// them: the only write after it marks the case adopted. So the old failure
// -- policy adopted, case recording nothing -- cannot happen by
// construction; the case stays pending and the retry loop completes it,
// adopting once.
TEST_P(TreatmentServiceTest, CompletesAnAdoptionWhoseAnswerWasLost) {
  v1::TreatmentCase c = FuresoeAtTheCouncil();
  policies_.LoseNextAnswer();
  v1::TreatmentCase after;
  ASSERT_TRUE(DecideAtTheCouncil(c.name(), &after, "final").ok());
  EXPECT_TRUE(after.adoption().pending());
  EXPECT_EQ(after.adoption().policy_revision(), absl::StrCat(kFurPolicy, "@3"))
      << "the revision current at the final approval";
  EXPECT_THAT(after.adoption().last_error(), HasSubstr("answer was lost"));
  EXPECT_EQ(policies_.adoptions(), 1);

  ASSERT_TRUE(service_->RetryPendingAdoptions(absl::Now()).ok());
  v1::TreatmentCase done = Get(kFurSecretary, c.name());
  EXPECT_EQ(done.state(), v1::CASE_STATE_ADOPTED);
  EXPECT_FALSE(done.adoption().pending());
  EXPECT_EQ(done.adoption().policy_revision(), absl::StrCat(kFurPolicy, "@4"));
  EXPECT_EQ(policies_.adoptions(), 1);
  EXPECT_EQ(policies_.adopt_calls(), 2);
  // A retry of the request answers with the case as it is now.
  v1::TreatmentCase retried;
  ASSERT_TRUE(DecideAtTheCouncil(c.name(), &retried, "final").ok());
  EXPECT_EQ(retried.state(), v1::CASE_STATE_ADOPTED);
  EXPECT_EQ(policies_.adopt_calls(), 2);
}

// The retry loop leaves an adoption alone while the request that recorded
// it is still asking the policy service.
TEST_P(TreatmentServiceTest, RetryLeavesAFreshAdoptionToItsRequest) {
  v1::TreatmentCase c = FuresoeAtTheCouncil();
  policies_.OnAdopt([&] {
    policies_.OnAdopt(nullptr);
    EXPECT_TRUE(service_->RetryPendingAdoptions(absl::Now()).ok());
  });
  v1::TreatmentCase after;
  ASSERT_TRUE(DecideAtTheCouncil(c.name(), &after).ok());
  EXPECT_EQ(after.state(), v1::CASE_STATE_ADOPTED);
  EXPECT_EQ(after.adoption().attempts(), 1);
  EXPECT_EQ(policies_.adopt_calls(), 1);
  EXPECT_EQ(policies_.adoptions(), 1);
}

// The policy service is down at the final approval: the decision is
// recorded with the adoption pending, and the retry loop completes it.
TEST_P(TreatmentServiceTest,
       CompletesAPendingAdoptionWhenThePolicyServiceReturns) {
  v1::TreatmentCase c =
      Start(kFurSecretary, "190", "furesoe_2018.textproto", kFurPolicy);
  PutHearing("190", "h", kFurPolicy, kHearingProcessed);
  v1::TreatmentCase after;
  for (const char* body : {"Udvalg for beskæftigelse og erhverv",
                           "Udvalg for skole og ungdomsuddannelse"}) {
    ASSERT_TRUE(Decide(kFurSecretary, c.name(), "fagudvalg", Committee(body),
                       Day(2018, 8, 14), v1::DECISION_OUTCOME_APPROVED, &after)
                    .ok());
  }
  ASSERT_TRUE(Plan(kFurSecretary, c.name(), "offentlig-hoering",
                   "municipalities/190/hearings/h", &after)
                  .ok());
  ASSERT_TRUE(Decide(kFurSecretary, c.name(), "offentlig-hoering",
                     common::v1::BodyReference(), Day(2018, 9, 3),
                     v1::DECISION_OUTCOME_APPROVED, &after)
                  .ok());

  policies_.SetDown(true);
  const auto byraadet = Body(common::v1::BODY_KIND_CITY_COUNCIL, "Byrådet");
  grpc::Status s = Decide(kFurSecretary, c.name(), "byraadet", byraadet,
                          Day(2018, 10, 31), v1::DECISION_OUTCOME_APPROVED,
                          &after, "Godkendt.", "", "", "final-approval");
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(after.adoption().pending());
  EXPECT_EQ(after.adoption().attempts(), 1);
  EXPECT_THAT(after.adoption().last_error(), HasSubstr("connection refused"));
  EXPECT_EQ(after.state(), v1::CASE_STATE_IN_PROGRESS);
  EXPECT_EQ(after.steps(2).state(), v1::STEP_STATE_DONE);
  ASSERT_EQ(after.steps(2).decisions_size(), 1);
  EXPECT_TRUE(after.current_step_id().empty());

  // A retry of the request answers the same and records nothing more.
  v1::TreatmentCase retried;
  ASSERT_TRUE(Decide(kFurSecretary, c.name(), "byraadet", byraadet,
                     Day(2018, 10, 31), v1::DECISION_OUTCOME_APPROVED, &retried,
                     "Godkendt.", "", "", "final-approval")
                  .ok());
  EXPECT_EQ(retried.SerializeAsString(), after.SerializeAsString());
  // A new decision while the adoption is pending is refused.
  ExpectStatus(
      Decide(kFurSecretary, c.name(), "byraadet", byraadet, Day(2018, 11, 1),
             v1::DECISION_OUTCOME_APPROVED, &retried),
      grpc::StatusCode::FAILED_PRECONDITION, "name");

  // Still down: the retry keeps it pending and counts the attempt.
  ASSERT_TRUE(service_->RetryPendingAdoptions(absl::Now()).ok());
  v1::TreatmentCase still = Get(kFurSecretary, c.name());
  EXPECT_TRUE(still.adoption().pending());
  EXPECT_EQ(still.adoption().attempts(), 2);
  EXPECT_EQ(policies_.adoptions(), 0);

  policies_.SetDown(false);
  ASSERT_TRUE(service_->RetryPendingAdoptions(absl::Now()).ok());
  v1::TreatmentCase done = Get(kFurSecretary, c.name());
  EXPECT_FALSE(done.adoption().pending());
  EXPECT_EQ(done.adoption().attempts(), 3);
  EXPECT_TRUE(done.adoption().last_error().empty());
  EXPECT_EQ(done.adoption().policy_revision(), absl::StrCat(kFurPolicy, "@4"));
  EXPECT_EQ(done.state(), v1::CASE_STATE_ADOPTED);
  ASSERT_EQ(done.steps(2).decisions_size(), 1)
      << "nothing lost, nothing doubled";
  EXPECT_EQ(done.steps(2).decisions(0).text(), "Godkendt.");
  EXPECT_EQ(policies_.adoptions(), 1);
  EXPECT_EQ(policies_.adopt_date(kFurPolicy).SerializeAsString(),
            Day(2018, 10, 31).SerializeAsString());

  // Nothing left to retry; the policy is adopted once.
  int calls = policies_.adopt_calls();
  ASSERT_TRUE(service_->RetryPendingAdoptions(absl::Now()).ok());
  EXPECT_EQ(policies_.adopt_calls(), calls);
  EXPECT_EQ(policies_.adoptions(), 1);
  std::vector<std::string> types = EventTypes("190");
  EXPECT_EQ(
      std::count(types.begin(), types.end(), "treatment_case.adoption_pending"),
      1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "treatment_case.adopted"),
            1);
}

KOMMUNE_INSTANTIATE_ENGINE_TEST(TreatmentServiceTest);

}  // namespace
}  // namespace kommune::hearing
