// The hearing service through a real in-process gRPC server, on both
// engines, with a fake policy service.
#include "services/hearing/hearing_service.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/change_feed_migrations.h"
#include "services/common/grpc_util.h"
#include "services/common/migrations.h"
#include "services/common/service_host.h"
#include "services/common/test_support.h"
#include "services/hearing/hearing_calendar.h"

namespace kommune::hearing {
namespace {

using ::kommune::testing::Caller;
using ::kommune::testing::EngineTest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "hearing-test-secret";
constexpr char kKbhPolicy[] = "municipalities/101/policies/integration-2011";
constexpr char kFuresoPolicy[] = "municipalities/190/policies/integration-2018";

const Identity kSecretary = Caller("101", {Role::kSecretary}, "sekretær@101");
const Identity kEditor = Caller("101", {Role::kEditor}, "editor@101");
const Identity kViewer = Caller("101", {Role::kViewer}, "viewer@101");
const Identity kOutsider = Caller("169", {Role::kAdmin}, "admin@169");
const Identity kFuresoSecretary =
    Caller("190", {Role::kSecretary}, "sekretær@190");
const Identity kAnonymous;

// The policy service as the hearing service sees it: two policies with a
// few elements, and a switch that makes it fail.
class FakePolicyClient : public PolicyClient {
 public:
  FakePolicyClient() {
    for (const char* name : {kKbhPolicy, kFuresoPolicy}) {
      policy::v1::Policy p;
      p.set_name(name);
      p.set_revision_id("2");
      p.set_state(policy::v1::POLICY_STATE_DRAFT);
      p.mutable_content()->add_vision_statements()->set_id("vision-1");
      auto* area = p.mutable_content()->add_focus_areas();
      area->set_id("beskaeftigelse");
      area->add_strategies()->set_id("strategi-1");
      policies_[absl::StrCat(name, "@2")] = p;
    }
  }

  absl::StatusOr<policy::v1::Policy> GetPolicy(
      const Identity&, const std::string& name) override {
    auto it = policies_.find(name);
    if (it == policies_.end()) {
      return absl::NotFoundError(absl::StrCat("name: no policy '", name, "'"));
    }
    return it->second;
  }
  absl::StatusOr<policy::v1::Policy> SendToHearing(
      const Identity& caller, const std::string& name) override {
    absl::MutexLock lock(&mu_);
    if (down_) return absl::UnavailableError("policy service is down");
    sent_.push_back(name);
    callers_.push_back(caller.subject);
    policy::v1::Policy p;
    p.set_name(name);
    p.set_state(policy::v1::POLICY_STATE_IN_HEARING);
    return p;
  }
  absl::StatusOr<policy::v1::Policy> Adopt(const Identity&, const std::string&,
                                           const common::v1::Date&) override {
    return absl::UnimplementedError("not used");
  }

  void set_down(bool down) {
    absl::MutexLock lock(&mu_);
    down_ = down;
  }
  std::vector<std::string> sent() {
    absl::MutexLock lock(&mu_);
    return sent_;
  }
  std::vector<std::string> callers() {
    absl::MutexLock lock(&mu_);
    return callers_;
  }

 private:
  std::map<std::string, policy::v1::Policy> policies_;
  absl::Mutex mu_;
  bool down_ = false;
  std::vector<std::string> sent_;
  std::vector<std::string> callers_;
};

common::v1::Date Day(int y, int m, int d) {
  common::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

// A Copenhagen wall-clock time.
absl::Time At(int y, int m, int d, int hh = 12, int mm = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), *CopenhagenZone());
}

void ExpectStatus(const grpc::Status& status, grpc::StatusCode code,
                  const std::string& field) {
  EXPECT_EQ(status.error_code(), code) << status.error_message();
  EXPECT_EQ(status.error_message().substr(0, field.size() + 1), field + ":")
      << status.error_message();
}

v1::Party MakeParty(const std::string& id, const std::string& name,
                    bool must_answer = false) {
  v1::Party p;
  p.set_party_id(id);
  p.set_display_name(name);
  p.set_kind(v1::PARTY_KIND_COMMITTEE);
  p.set_must_answer(must_answer);
  return p;
}

// København 2010: the coordinating committee's letter to the committees,
// deadline 7.5.2010 (domain/003).
v1::Hearing KobenhavnHearing() {
  v1::Hearing h;
  h.set_display_name("Høring af fagudvalgene om integrationspolitikken");
  h.set_policy_revision(absl::StrCat(kKbhPolicy, "@2"));
  h.set_kind(v1::HEARING_KIND_INTERNAL);
  h.mutable_letter()->set_text(
      "Høringsbrev om policyoplæg til den nye integrationspolitik. "
      "Fagudvalgenes oplæg skal sendes til Beskæftigelses- og "
      "Integrationsudvalget senest den 7. maj 2010.");
  auto* skabelon = h.mutable_letter()->add_attachments();
  skabelon->set_case_number("2010-12345");
  skabelon->set_title("Bilag 1: Skabelon til handleplan");
  auto* udfordring = h.mutable_letter()->add_attachments();
  udfordring->set_case_number("2010-12345");
  udfordring->set_title("Bilag 2: Udfordringspapir til udvalgets område");
  h.mutable_esdh_case()->set_case_number("2010-12345");
  *h.mutable_open_date() = Day(2010, 3, 15);
  *h.mutable_deadline() = Day(2010, 5, 7);
  h.set_late_responses(v1::LATE_RESPONSE_POLICY_ACCEPT_MARKED_LATE);
  *h.add_parties() = MakeParty("biu", "Beskæftigelses- og Integrationsudvalget",
                               /*must_answer=*/true);
  *h.add_parties() = MakeParty("buu", "Børne- og Ungdomsudvalget");
  *h.add_parties() = MakeParty("ku", "Kultur- og Fritidsudvalget");
  *h.add_parties() = MakeParty("oeu", "Økonomiudvalget");
  *h.add_parties() = MakeParty("aeu", "Ældre- og Handicapudvalget");
  return h;
}

// Furesø 2018: a public hearing 7.8.2018 to 28.8.2018 (domain/002).
v1::Hearing FuresoHearing() {
  v1::Hearing h;
  h.set_display_name("Offentlig høring: Integrationspolitik 2018-2021");
  h.set_policy_revision(absl::StrCat(kFuresoPolicy, "@2"));
  h.set_kind(v1::HEARING_KIND_PUBLIC);
  h.mutable_letter()->set_text("Forslaget er i høring til og med 28.8.2018.");
  h.mutable_esdh_case()->set_case_number("18/12386");
  *h.mutable_open_date() = Day(2018, 8, 7);
  *h.mutable_deadline() = Day(2018, 8, 28);
  h.set_late_responses(v1::LATE_RESPONSE_POLICY_REFUSE);
  return h;
}

class HearingServiceTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (db_ == nullptr) return;
    ASSERT_TRUE(ApplyChangeFeedMigrations(*db_).ok());
    ASSERT_TRUE(ApplyMigrations(*db_, "hearing", HearingMigrationFiles()).ok());
    service_ = std::make_unique<HearingServiceImpl>(db_, &events_, &policies_,
                                                    &verifier_);
    SetNow(At(2010, 3, 15));
    service_->SetClockForTesting(
        [this] { return absl::FromUnixMicros(now_micros_.load()); });
    host_ = std::make_unique<ServiceHost>("hearing_test");
    host_->AddService(service_.get());
    host_->OnShutdown([this] { events_.Shutdown(); });
    ASSERT_TRUE(host_->Start("127.0.0.1:0").ok());
    auto channel =
        grpc::CreateChannel("127.0.0.1:" + std::to_string(host_->port()),
                            grpc::InsecureChannelCredentials());
    stub_ = v1::HearingService::NewStub(channel);
  }

  void TearDown() override {
    if (host_) host_->Shutdown(absl::Seconds(1));
  }

  void SetNow(absl::Time t) { now_micros_ = absl::ToUnixMicros(t); }

  std::unique_ptr<grpc::ClientContext> As(const Identity& who) {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!who.anonymous()) AttachIdentity(*context, who, kSecret);
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    return context;
  }

  grpc::Status Create(const Identity& who, const v1::Hearing& hearing,
                      v1::Hearing* out, const std::string& id = "udvalg-2010",
                      const std::string& parent = "municipalities/101",
                      const std::string& request_id = "") {
    v1::CreateHearingRequest r;
    r.set_parent(parent);
    r.set_hearing_id(id);
    *r.mutable_hearing() = hearing;
    r.set_request_id(request_id);
    return stub_->CreateHearing(As(who).get(), r, out);
  }

  // Creates and opens a hearing; returns its name.
  std::string CreateOpen(const v1::Hearing& hearing, const Identity& who,
                         const std::string& parent, const std::string& id) {
    v1::Hearing created, opened;
    grpc::Status s = Create(who, hearing, &created, id, parent);
    EXPECT_TRUE(s.ok()) << s.error_message();
    s = Open(who, created.name(), &opened);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return created.name();
  }

  grpc::Status Open(const Identity& who, const std::string& name,
                    v1::Hearing* out) {
    v1::OpenHearingRequest r;
    r.set_name(name);
    return stub_->OpenHearing(As(who).get(), r, out);
  }
  grpc::Status Close(const Identity& who, const std::string& name,
                     v1::Hearing* out) {
    v1::CloseHearingRequest r;
    r.set_name(name);
    return stub_->CloseHearing(As(who).get(), r, out);
  }
  grpc::Status Cancel(const Identity& who, const std::string& name,
                      const std::string& reason, v1::Hearing* out) {
    v1::CancelHearingRequest r;
    r.set_name(name);
    r.set_reason(reason);
    return stub_->CancelHearing(As(who).get(), r, out);
  }
  grpc::Status Process(const Identity& who, const std::string& name,
                       v1::Hearing* out) {
    v1::MarkHearingProcessedRequest r;
    r.set_name(name);
    return stub_->MarkHearingProcessed(As(who).get(), r, out);
  }
  grpc::Status GetHearing(const Identity& who, const std::string& name,
                          v1::Hearing* out) {
    v1::GetHearingRequest r;
    r.set_name(name);
    return stub_->GetHearing(As(who).get(), r, out);
  }

  v1::Response PartyResponse(const std::string& party,
                             const std::string& text) {
    v1::Response r;
    r.set_party_id(party);
    r.set_text(text);
    return r;
  }

  v1::Response CitizenResponse(bool anonymous) {
    v1::Response r;
    r.set_text("Der bør være flere sprogcaféer på biblioteket i Farum.");
    r.mutable_responder()->set_display_name("Karen Sørensen");
    r.mutable_responder()->set_email("karen.soerensen@example.dk");
    r.mutable_responder()->set_address("Paltholmterrasserne 12, 3520 Farum");
    r.mutable_responder()->set_organisation("Farum Sprogvenner");
    r.mutable_responder()->set_anonymous(anonymous);
    r.mutable_responder()->set_consent(true);
    r.add_element_ids("vision-1");
    return r;
  }

  grpc::Status Submit(const Identity& who, const std::string& hearing,
                      const v1::Response& response, v1::Response* out,
                      const std::string& request_id = "") {
    v1::SubmitResponseRequest r;
    r.set_parent(hearing);
    *r.mutable_response() = response;
    r.set_request_id(request_id);
    return stub_->SubmitResponse(As(who).get(), r, out);
  }

  grpc::Status SetPoints(const Identity& who, const std::string& response,
                         const std::vector<v1::ResponsePoint>& points,
                         v1::Response* out) {
    v1::UpdateResponsePointsRequest r;
    r.set_name(response);
    for (const auto& p : points) *r.add_points() = p;
    return stub_->UpdateResponsePoints(As(who).get(), r, out);
  }

  static v1::ResponsePoint Point(const std::string& id,
                                 const std::string& summary, v1::Disposition d,
                                 const std::string& reason) {
    v1::ResponsePoint p;
    p.set_point_id(id);
    p.set_summary(summary);
    p.set_disposition(d);
    p.set_reason(reason);
    return p;
  }

  std::vector<std::string> EventTypes(const std::string& code) {
    auto events = events_.List(*db_, {code}, 0, 1000);
    EXPECT_TRUE(events.ok()) << events.status();
    std::vector<std::string> types;
    if (events.ok()) {
      for (const auto& e : *events) types.push_back(e.type());
    }
    return types;
  }

  EventLog events_;
  IdentityVerifier verifier_{kSecret};
  FakePolicyClient policies_;
  std::atomic<int64_t> now_micros_{0};
  std::unique_ptr<HearingServiceImpl> service_;
  std::unique_ptr<ServiceHost> host_;
  std::unique_ptr<v1::HearingService::Stub> stub_;
};

TEST_P(HearingServiceTest, PlansAHearingAndReadsItBack) {
  v1::Hearing created, got;
  ASSERT_TRUE(Create(kSecretary, KobenhavnHearing(), &created).ok());
  EXPECT_EQ(created.name(), "municipalities/101/hearings/udvalg-2010");
  EXPECT_EQ(created.state(), v1::HEARING_STATE_PLANNED);
  EXPECT_FALSE(created.etag().empty());
  EXPECT_EQ(created.letter().attachments_size(), 2);
  ASSERT_TRUE(GetHearing(kViewer, created.name(), &got).ok());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());
  EXPECT_THAT(EventTypes("101"), ElementsAre("hearing.created"));
  // The treatment half reads the row with plain SQL.
  ASSERT_TRUE(db_->Read([&](Transaction& tx) -> absl::Status {
                   auto rows = tx.Query(
                       "SELECT municipality, policy, state FROM hearings "
                       "WHERE name = ?",
                       {created.name()});
                   if (!rows.ok()) return rows.status();
                   EXPECT_EQ(rows->size(), 1u);
                   EXPECT_EQ((*rows)[0].Text(0), "101");
                   EXPECT_EQ((*rows)[0].Text(1), kKbhPolicy);
                   EXPECT_EQ((*rows)[0].Int(2), v1::HEARING_STATE_PLANNED);
                   return absl::OkStatus();
                 })
                  .ok());
}

TEST_P(HearingServiceTest, RefusesBadHearings) {
  v1::Hearing out;
  v1::Hearing h = KobenhavnHearing();
  *h.mutable_deadline() = Day(2010, 3, 14);
  ExpectStatus(Create(kSecretary, h, &out), grpc::StatusCode::INVALID_ARGUMENT,
               "hearing.deadline");
  h = KobenhavnHearing();
  h.clear_display_name();
  ExpectStatus(Create(kSecretary, h, &out), grpc::StatusCode::INVALID_ARGUMENT,
               "hearing.display_name");
  h = KobenhavnHearing();
  h.clear_open_date();
  ExpectStatus(Create(kSecretary, h, &out), grpc::StatusCode::INVALID_ARGUMENT,
               "hearing.open_date");
  h = KobenhavnHearing();
  h.set_policy_revision(kKbhPolicy);  // no revision
  ExpectStatus(Create(kSecretary, h, &out), grpc::StatusCode::INVALID_ARGUMENT,
               "hearing.policy_revision");
  h.set_policy_revision(absl::StrCat(kFuresoPolicy, "@2"));
  ExpectStatus(Create(kSecretary, h, &out), grpc::StatusCode::INVALID_ARGUMENT,
               "hearing.policy_revision");
  h.set_policy_revision(absl::StrCat(kKbhPolicy, "@7"));
  ExpectStatus(Create(kSecretary, h, &out), grpc::StatusCode::NOT_FOUND,
               "hearing.policy_revision");
  h = KobenhavnHearing();
  *h.add_parties() = MakeParty("biu", "Dublet");
  ExpectStatus(Create(kSecretary, h, &out), grpc::StatusCode::INVALID_ARGUMENT,
               "hearing.parties[5].party_id");
  h = KobenhavnHearing();
  for (int i = 0; i < 51; ++i)
    *h.mutable_letter()->add_attachments() = h.letter().attachments(0);
  ExpectStatus(Create(kSecretary, h, &out), grpc::StatusCode::INVALID_ARGUMENT,
               "hearing.letter.attachments");
  ExpectStatus(Create(kSecretary, KobenhavnHearing(), &out, "Bad Id"),
               grpc::StatusCode::INVALID_ARGUMENT, "hearing_id");
  ExpectStatus(
      Create(kSecretary, KobenhavnHearing(), &out, "h", "kommuner/101"),
      grpc::StatusCode::INVALID_ARGUMENT, "parent");
  ExpectStatus(Create(kOutsider, KobenhavnHearing(), &out),
               grpc::StatusCode::PERMISSION_DENIED, "parent");
  ExpectStatus(Create(kViewer, KobenhavnHearing(), &out),
               grpc::StatusCode::PERMISSION_DENIED, "parent");
  ExpectStatus(Create(kAnonymous, KobenhavnHearing(), &out),
               grpc::StatusCode::UNAUTHENTICATED, "parent");
  EXPECT_TRUE(EventTypes("101").empty());
  ASSERT_TRUE(Create(kEditor, KobenhavnHearing(), &out).ok());
  ExpectStatus(Create(kEditor, KobenhavnHearing(), &out),
               grpc::StatusCode::ALREADY_EXISTS, "hearing_id");
  v1::Hearing got;
  ExpectStatus(GetHearing(kViewer, "municipalities/101/hearings/nope", &got),
               grpc::StatusCode::NOT_FOUND, "name");
  ExpectStatus(GetHearing(kViewer, "municipalities/101/hoeringer/x", &got),
               grpc::StatusCode::INVALID_ARGUMENT, "name");
}

TEST_P(HearingServiceTest, OpeningMovesThePolicyOrNothing) {
  v1::Hearing created, out;
  ASSERT_TRUE(Create(kSecretary, KobenhavnHearing(), &created).ok());
  policies_.set_down(true);
  grpc::Status s = Open(kSecretary, created.name(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  ASSERT_TRUE(GetHearing(kViewer, created.name(), &out).ok());
  EXPECT_EQ(out.state(), v1::HEARING_STATE_PLANNED);
  EXPECT_THAT(EventTypes("101"), ElementsAre("hearing.created"));
  policies_.set_down(false);
  ExpectStatus(Open(kViewer, created.name(), &out),
               grpc::StatusCode::PERMISSION_DENIED, "name");
  ASSERT_TRUE(Open(kSecretary, created.name(), &out).ok());
  EXPECT_EQ(out.state(), v1::HEARING_STATE_OPEN);
  EXPECT_THAT(policies_.sent(), ElementsAre(kKbhPolicy));
  EXPECT_THAT(policies_.callers(), ElementsAre("sekretær@101"));
  EXPECT_THAT(EventTypes("101"),
              ElementsAre("hearing.created", "hearing.opened"));
}

TEST_P(HearingServiceTest, RefusesIllegalMoves) {
  v1::Hearing created, out;
  ASSERT_TRUE(Create(kSecretary, KobenhavnHearing(), &created).ok());
  grpc::Status s = Close(kSecretary, created.name(), &out);
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "state");
  EXPECT_THAT(s.error_message(), HasSubstr("planned"));
  ExpectStatus(Process(kSecretary, created.name(), &out),
               grpc::StatusCode::FAILED_PRECONDITION, "state");
  ASSERT_TRUE(Open(kSecretary, created.name(), &out).ok());
  // Before the deadline the hearing stays open.
  ExpectStatus(Close(kSecretary, created.name(), &out),
               grpc::StatusCode::FAILED_PRECONDITION, "name");
  ExpectStatus(Cancel(kSecretary, created.name(), "", &out),
               grpc::StatusCode::INVALID_ARGUMENT, "reason");
  ASSERT_TRUE(
      Cancel(kSecretary, created.name(), "Politikken trækkes", &out).ok());
  EXPECT_EQ(out.state(), v1::HEARING_STATE_CANCELLED);
  EXPECT_EQ(out.cancel_reason(), "Politikken trækkes");
  s = Open(kSecretary, created.name(), &out);
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "state");
  EXPECT_THAT(s.error_message(), HasSubstr("cancelled"));
  v1::Response response;
  s = Submit(kSecretary, created.name(), PartyResponse("buu", "Svar"),
             &response);
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "parent");
  EXPECT_THAT(s.error_message(), HasSubstr("cancelled"));
}

TEST_P(HearingServiceTest, UpdatesOnlyAPlannedHearing) {
  v1::Hearing created, out;
  ASSERT_TRUE(Create(kSecretary, KobenhavnHearing(), &created).ok());
  v1::UpdateHearingRequest r;
  r.mutable_hearing()->set_name(created.name());
  r.mutable_hearing()->set_etag(created.etag());
  *r.mutable_hearing()->mutable_deadline() = Day(2010, 5, 14);
  r.mutable_update_mask()->add_paths("deadline");
  ASSERT_TRUE(stub_->UpdateHearing(As(kSecretary).get(), r, &out).ok());
  EXPECT_EQ(out.deadline().day(), 14);
  EXPECT_EQ(out.parties_size(), 5);
  // Stale etag.
  ExpectStatus(stub_->UpdateHearing(As(kSecretary).get(), r, &out),
               grpc::StatusCode::ABORTED, "hearing.etag");
  r.mutable_hearing()->clear_etag();
  *r.mutable_hearing()->mutable_deadline() = Day(2010, 1, 1);
  ExpectStatus(stub_->UpdateHearing(As(kSecretary).get(), r, &out),
               grpc::StatusCode::INVALID_ARGUMENT, "hearing.deadline");
  r.mutable_update_mask()->set_paths(0, "policy_revision");
  ExpectStatus(stub_->UpdateHearing(As(kSecretary).get(), r, &out),
               grpc::StatusCode::INVALID_ARGUMENT, "update_mask");
}

// København 2010 (domain/003): the coordinating committee's hearing letter
// to every committee, input by 7.5.2010; Beskæftigelses- og
// Integrationsudvalget must be consulted; one committee answers late.
TEST_P(HearingServiceTest, ReplaysKobenhavn2010CommitteeHearing) {
  std::string name = CreateOpen(KobenhavnHearing(), kSecretary,
                                "municipalities/101", "udvalg-2010");
  SetNow(At(2010, 4, 20, 10, 30));
  v1::Response buu, biu, ku;
  v1::Response r = PartyResponse(
      "buu", "Børne- og Ungdomsudvalgets handleplan for integration.");
  r.add_element_ids("beskaeftigelse");
  r.add_quoted_passages("lige muligheder for alle borgere");
  auto* bilag = r.add_attachments();
  bilag->set_case_number("2010-12345");
  bilag->set_document_number("778");
  ASSERT_TRUE(Submit(kSecretary, name, r, &buu).ok());
  EXPECT_FALSE(buu.late());
  EXPECT_EQ(buu.responder().display_name(), "Børne- og Ungdomsudvalget");
  SetNow(At(2010, 5, 7, 23, 59));  // the last minute of the deadline day
  ASSERT_TRUE(Submit(kEditor, name,
                     PartyResponse("biu", "BIU tilslutter sig processen."),
                     &biu)
                  .ok());
  EXPECT_FALSE(biu.late());

  // Reminders: two committees are outstanding, nothing before 3 days out.
  v1::ListOutstandingPartiesRequest lr;
  lr.set_name(name);
  lr.set_days_before_deadline(3);
  v1::ListOutstandingPartiesResponse outstanding;
  SetNow(At(2010, 5, 1));
  ASSERT_TRUE(
      stub_->ListOutstandingParties(As(kViewer).get(), lr, &outstanding).ok());
  EXPECT_EQ(outstanding.days_left(), 6);
  EXPECT_FALSE(outstanding.overdue());
  EXPECT_EQ(outstanding.parties_size(), 0);
  SetNow(At(2010, 5, 5));
  ASSERT_TRUE(
      stub_->ListOutstandingParties(As(kViewer).get(), lr, &outstanding).ok());
  EXPECT_EQ(outstanding.days_left(), 2);
  EXPECT_EQ(outstanding.parties_size(), 3);  // ku, oeu, aeu

  // Kultur- og Fritidsudvalget answers after midnight: accepted, late.
  SetNow(At(2010, 5, 8, 0, 1));
  ASSERT_TRUE(
      stub_->ListOutstandingParties(As(kViewer).get(), lr, &outstanding).ok());
  EXPECT_TRUE(outstanding.overdue());
  EXPECT_EQ(outstanding.days_left(), -1);
  EXPECT_EQ(outstanding.parties_size(), 3);
  ASSERT_TRUE(Submit(kSecretary, name,
                     PartyResponse("ku", "Kultur- og Fritidsudvalgets oplæg."),
                     &ku)
                  .ok());
  EXPECT_TRUE(ku.late());

  v1::Hearing out;
  ASSERT_TRUE(Close(kSecretary, name, &out).ok());
  EXPECT_EQ(out.state(), v1::HEARING_STATE_CLOSED);
  // Unhandled responses block processing.
  grpc::Status s = Process(kSecretary, name, &out);
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "name");
  EXPECT_THAT(s.error_message(), HasSubstr("no points"));
  v1::Response handled;
  for (const v1::Response* resp : {&buu, &biu, &ku}) {
    ASSERT_TRUE(SetPoints(kSecretary, resp->name(),
                          {Point("p1", "Oplæg til handleplan",
                                 v1::DISPOSITION_INCORPORATED,
                                 "Skrevet ind i politikudkastet")},
                          &handled)
                    .ok());
  }
  ASSERT_TRUE(SetPoints(kSecretary, ku.name(),
                        {Point("p1", "Flere kulturtilbud",
                               v1::DISPOSITION_PARTLY_INCORPORATED,
                               "Indarbejdet under kultur og fritid"),
                         Point("p2", "Ny bydelspulje",
                               v1::DISPOSITION_UNSPECIFIED, "")},
                        &handled)
                  .ok());
  s = Process(kSecretary, name, &out);
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "name");
  EXPECT_THAT(s.error_message(), HasSubstr("'p2'"));
  auto p2 = Point("p2", "Ny bydelspulje", v1::DISPOSITION_FORWARDED,
                  "Videresendt til budgetforhandlingerne");
  p2.set_changed_revision(absl::StrCat(kKbhPolicy, "@3"));
  p2.add_changed_element_ids("beskaeftigelse");
  ASSERT_TRUE(SetPoints(kSecretary, ku.name(),
                        {Point("p1", "Flere kulturtilbud",
                               v1::DISPOSITION_PARTLY_INCORPORATED,
                               "Indarbejdet under kultur og fritid"),
                         p2},
                        &handled)
                  .ok());
  ASSERT_TRUE(Process(kSecretary, name, &out).ok());
  EXPECT_EQ(out.state(), v1::HEARING_STATE_PROCESSED);

  v1::GetHearingMemoRequest mr;
  mr.set_name(name);
  v1::HearingMemo memo;
  ASSERT_TRUE(stub_->GetHearingMemo(As(kViewer).get(), mr, &memo).ok());
  EXPECT_EQ(memo.period_days(), 54);  // 15.3 to 7.5.2010, both counted
  std::vector<std::string> parties;
  for (const auto& p : memo.parties()) parties.push_back(p.display_name());
  EXPECT_THAT(
      parties,
      ElementsAre("Beskæftigelses- og Integrationsudvalget",
                  "Børne- og Ungdomsudvalget", "Kultur- og Fritidsudvalget",
                  "Ældre- og Handicapudvalget", "Økonomiudvalget"));
  EXPECT_TRUE(memo.parties(0).answered());
  EXPECT_FALSE(memo.parties(0).late());
  EXPECT_TRUE(memo.parties(2).answered());
  EXPECT_TRUE(memo.parties(2).late());
  EXPECT_FALSE(memo.parties(3).answered());
  ASSERT_EQ(memo.responses_size(), 3);
  EXPECT_EQ(memo.responses(0).from(), "Børne- og Ungdomsudvalget");
  EXPECT_EQ(memo.responses(2).from(), "Kultur- og Fritidsudvalget");
  EXPECT_TRUE(memo.responses(2).late());
  ASSERT_EQ(memo.responses(2).points_size(), 2);
  EXPECT_EQ(memo.responses(2).points(1).disposition(),
            v1::DISPOSITION_FORWARDED);

  v1::ExportHearingMemoRequest er;
  er.set_name(name);
  er.set_format(v1::MEMO_FORMAT_MARKDOWN);
  v1::ExportHearingMemoResponse md, html;
  ASSERT_TRUE(stub_->ExportHearingMemo(As(kViewer).get(), er, &md).ok());
  EXPECT_EQ(md.media_type(), "text/markdown; charset=utf-8");
  EXPECT_THAT(md.document(),
              HasSubstr("15.3.2010 til og med 7.5.2010 (54 dage)"));
  EXPECT_THAT(
      md.document(),
      HasSubstr(
          "Kultur- og Fritidsudvalget: svaret 08.05.2010 00:01 (for sent)"));
  EXPECT_THAT(md.document(), HasSubstr("Økonomiudvalget: ikke svaret"));
  EXPECT_THAT(
      md.document(),
      HasSubstr("**videresendt**: Videresendt til budgetforhandlingerne"));
  er.set_format(v1::MEMO_FORMAT_HTML);
  ASSERT_TRUE(stub_->ExportHearingMemo(As(kViewer).get(), er, &html).ok());
  EXPECT_EQ(html.media_type(), "text/html; charset=utf-8");
  EXPECT_THAT(html.document(),
              HasSubstr("<h3>Kultur- og Fritidsudvalget</h3>"));
  EXPECT_THAT(html.document(), HasSubstr("(for sent)"));

  std::vector<std::string> types = EventTypes("101");
  EXPECT_EQ(std::count(types.begin(), types.end(), "response.submitted"), 3);
  EXPECT_EQ(std::count(types.begin(), types.end(), "response.handled"), 5);
  EXPECT_EQ(types.back(), "hearing.processed");
}

TEST_P(HearingServiceTest, ObligatoryPartyMustAnswerOrBeWaived) {
  std::string name = CreateOpen(KobenhavnHearing(), kSecretary,
                                "municipalities/101", "udvalg-2010");
  SetNow(At(2010, 5, 10));
  v1::Hearing out;
  ASSERT_TRUE(Close(kSecretary, name, &out).ok());
  grpc::Status s = Process(kSecretary, name, &out);
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "name");
  EXPECT_THAT(s.error_message(), HasSubstr("'biu'"));
  v1::WaivePartyRequest w;
  w.set_name(name);
  w.set_party_id("biu");
  ExpectStatus(stub_->WaiveParty(As(kSecretary).get(), w, &out),
               grpc::StatusCode::INVALID_ARGUMENT, "reason");
  w.set_reason("Udvalget behandler sagen selv");
  w.set_party_id("nobody");
  ExpectStatus(stub_->WaiveParty(As(kSecretary).get(), w, &out),
               grpc::StatusCode::INVALID_ARGUMENT, "party_id");
  w.set_party_id("biu");
  ExpectStatus(stub_->WaiveParty(As(kViewer).get(), w, &out),
               grpc::StatusCode::PERMISSION_DENIED, "name");
  ASSERT_TRUE(stub_->WaiveParty(As(kSecretary).get(), w, &out).ok());
  EXPECT_TRUE(out.parties(0).waived());
  ASSERT_TRUE(Process(kSecretary, name, &out).ok());
  v1::GetHearingMemoRequest mr;
  mr.set_name(name);
  v1::HearingMemo memo;
  ASSERT_TRUE(stub_->GetHearingMemo(As(kViewer).get(), mr, &memo).ok());
  EXPECT_EQ(memo.parties(0).waiver_reason(), "Udvalget behandler sagen selv");
  EXPECT_THAT(EventTypes("101"), ::testing::Contains("hearing.party_waived"));
}

TEST_P(HearingServiceTest, RefusesBadResponses) {
  std::string name = CreateOpen(KobenhavnHearing(), kSecretary,
                                "municipalities/101", "udvalg-2010");
  v1::Response out;
  ExpectStatus(Submit(kSecretary, name, PartyResponse("fu", "Svar"), &out),
               grpc::StatusCode::INVALID_ARGUMENT, "response.party_id");
  ExpectStatus(Submit(kSecretary, name, PartyResponse("", "Svar"), &out),
               grpc::StatusCode::INVALID_ARGUMENT, "response.party_id");
  ExpectStatus(Submit(kViewer, name, PartyResponse("buu", "Svar"), &out),
               grpc::StatusCode::PERMISSION_DENIED, "response.party_id");
  ExpectStatus(Submit(kAnonymous, name, PartyResponse("buu", "Svar"), &out),
               grpc::StatusCode::UNAUTHENTICATED, "parent");
  v1::Response r = PartyResponse("buu", "Svar");
  r.add_element_ids("vision-1");
  r.add_element_ids("findes-ikke");
  ExpectStatus(Submit(kSecretary, name, r, &out),
               grpc::StatusCode::INVALID_ARGUMENT, "response.element_ids[1]");
  r = PartyResponse("buu", std::string(100001, 'x'));
  ExpectStatus(Submit(kSecretary, name, r, &out),
               grpc::StatusCode::INVALID_ARGUMENT, "response.text");
  ExpectStatus(Submit(kSecretary, name, PartyResponse("buu", " "), &out),
               grpc::StatusCode::INVALID_ARGUMENT, "response.text");
  r = PartyResponse("buu", "Svar med for mange bilag");
  for (int i = 0; i < 51; ++i) {
    auto* a = r.add_attachments();
    a->set_case_number("2010-1");
    a->set_document_number(absl::StrCat(i));
  }
  ExpectStatus(Submit(kSecretary, name, r, &out),
               grpc::StatusCode::INVALID_ARGUMENT, "response.attachments");
  ExpectStatus(Submit(kSecretary, "municipalities/101/hearings/nope",
                      PartyResponse("buu", "Svar"), &out),
               grpc::StatusCode::NOT_FOUND, "parent");
  ExpectStatus(Submit(kOutsider, name, PartyResponse("buu", "Svar"), &out),
               grpc::StatusCode::PERMISSION_DENIED, "parent");
  ExpectStatus(Submit(kSecretary, "municipalities/101/hearing/x",
                      PartyResponse("buu", "Svar"), &out),
               grpc::StatusCode::INVALID_ARGUMENT, "parent");
  // One answer per party.
  ASSERT_TRUE(
      Submit(kSecretary, name, PartyResponse("buu", "Svar"), &out).ok());
  ExpectStatus(Submit(kSecretary, name, PartyResponse("buu", "Igen"), &out),
               grpc::StatusCode::ALREADY_EXISTS, "response.party_id");
  // A closed hearing takes no responses.
  SetNow(At(2010, 6, 1));
  v1::Hearing closed;
  ASSERT_TRUE(Close(kSecretary, name, &closed).ok());
  grpc::Status s = Submit(kSecretary, name, PartyResponse("ku", "Svar"), &out);
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "parent");
  EXPECT_THAT(s.error_message(), HasSubstr("closed"));
  // A planned one neither.
  v1::Hearing planned;
  ASSERT_TRUE(
      Create(kSecretary, KobenhavnHearing(), &planned, "planlagt").ok());
  ExpectStatus(
      Submit(kSecretary, planned.name(), PartyResponse("ku", "Svar"), &out),
      grpc::StatusCode::FAILED_PRECONDITION, "parent");
}

TEST_P(HearingServiceTest, SameRequestIdIsTheSameResponse) {
  std::string name = CreateOpen(KobenhavnHearing(), kSecretary,
                                "municipalities/101", "udvalg-2010");
  v1::Response first, again, other;
  ASSERT_TRUE(
      Submit(kSecretary, name, PartyResponse("buu", "Svar"), &first, "req-1")
          .ok());
  SetNow(At(2010, 3, 16));
  ASSERT_TRUE(
      Submit(kSecretary, name, PartyResponse("buu", "Svar"), &again, "req-1")
          .ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  ExpectStatus(
      Submit(kSecretary, name, PartyResponse("ku", "Andet"), &other, "req-1"),
      grpc::StatusCode::INVALID_ARGUMENT, "request_id");
  v1::ListResponsesRequest lr;
  lr.set_parent(name);
  v1::ListResponsesResponse list;
  ASSERT_TRUE(stub_->ListResponses(As(kViewer).get(), lr, &list).ok());
  EXPECT_EQ(list.responses_size(), 1);
  // Creating a hearing is idempotent too.
  v1::Hearing h1, h2;
  ASSERT_TRUE(Create(kSecretary, KobenhavnHearing(), &h1, "h2",
                     "municipalities/101", "create-1")
                  .ok());
  ASSERT_TRUE(Create(kSecretary, KobenhavnHearing(), &h2, "h2",
                     "municipalities/101", "create-1")
                  .ok());
  EXPECT_EQ(h1.SerializeAsString(), h2.SerializeAsString());
}

TEST_P(HearingServiceTest, LateResponsesRefusedWhenTheHearingSaysSo) {
  v1::Hearing h = KobenhavnHearing();
  h.set_late_responses(v1::LATE_RESPONSE_POLICY_REFUSE);
  std::string name =
      CreateOpen(h, kSecretary, "municipalities/101", "udvalg-2010");
  SetNow(At(2010, 5, 8, 0, 0));
  v1::Response out;
  grpc::Status s = Submit(kSecretary, name, PartyResponse("ku", "Svar"), &out);
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "parent");
  EXPECT_THAT(s.error_message(), HasSubstr("7.5.2010"));
}

// Furesø 2018 (domain/002): a public hearing 7.8.-28.8.2018; a citizen
// answers anonymously and is published without name, e-mail or address.
TEST_P(HearingServiceTest, ReplaysFureso2018PublicHearing) {
  SetNow(At(2018, 8, 1));
  v1::Hearing created, read;
  ASSERT_TRUE(Create(kFuresoSecretary, FuresoHearing(), &created, "offentlig",
                     "municipalities/190")
                  .ok());
  // Not public before it opens.
  ExpectStatus(GetHearing(kAnonymous, created.name(), &read),
               grpc::StatusCode::UNAUTHENTICATED, "name");
  ExpectStatus(GetHearing(kOutsider, created.name(), &read),
               grpc::StatusCode::PERMISSION_DENIED, "name");
  ASSERT_TRUE(Open(kFuresoSecretary, created.name(), &read).ok());
  SetNow(At(2018, 8, 10));
  ASSERT_TRUE(GetHearing(kAnonymous, created.name(), &read).ok());
  EXPECT_EQ(read.state(), v1::HEARING_STATE_OPEN);

  v1::Response anonymous, named, out;
  v1::Response no_consent = CitizenResponse(true);
  no_consent.mutable_responder()->set_consent(false);
  ExpectStatus(Submit(kAnonymous, created.name(), no_consent, &out),
               grpc::StatusCode::INVALID_ARGUMENT,
               "response.responder.consent");
  v1::Response no_name = CitizenResponse(true);
  no_name.mutable_responder()->clear_display_name();
  ExpectStatus(Submit(kAnonymous, created.name(), no_name, &out),
               grpc::StatusCode::INVALID_ARGUMENT,
               "response.responder.display_name");
  v1::Response as_party = CitizenResponse(true);
  as_party.set_party_id("integrationsraadet");
  ExpectStatus(Submit(kAnonymous, created.name(), as_party, &out),
               grpc::StatusCode::UNAUTHENTICATED, "response.party_id");
  ASSERT_TRUE(Submit(kAnonymous, created.name(), CitizenResponse(true),
                     &anonymous, "borger-1")
                  .ok());
  EXPECT_FALSE(anonymous.late());
  v1::Response second = CitizenResponse(false);
  second.mutable_responder()->set_display_name("Ole Hansen");
  second.mutable_responder()->set_email("ole@example.dk");
  second.mutable_responder()->set_address("Stavnsholtvej 1, 3520 Farum");
  second.mutable_responder()->clear_organisation();
  ASSERT_TRUE(Submit(kAnonymous, created.name(), second, &named).ok());
  // Anonymous responders cannot withdraw: nothing proves who they are.
  v1::WithdrawResponseRequest wr;
  wr.set_name(anonymous.name());
  ExpectStatus(stub_->WithdrawResponse(As(kAnonymous).get(), wr, &out),
               grpc::StatusCode::UNAUTHENTICATED, "name");

  // Before the deadline responses are not published.
  v1::GetResponseRequest gr;
  gr.set_name(anonymous.name());
  ExpectStatus(stub_->GetResponse(As(kAnonymous).get(), gr, &out),
               grpc::StatusCode::PERMISSION_DENIED, "name");
  // Inside the municipality everything.
  ASSERT_TRUE(stub_->GetResponse(As(kFuresoSecretary).get(), gr, &out).ok());
  EXPECT_EQ(out.responder().email(), "karen.soerensen@example.dk");

  // A late citizen is refused (this hearing refuses late responses).
  SetNow(At(2018, 8, 29, 9));
  ExpectStatus(Submit(kAnonymous, created.name(), CitizenResponse(false), &out),
               grpc::StatusCode::FAILED_PRECONDITION, "parent");

  // After the deadline: published without personal data.
  ASSERT_TRUE(stub_->GetResponse(As(kAnonymous).get(), gr, &out).ok());
  EXPECT_EQ(out.text(), anonymous.text());
  EXPECT_TRUE(out.responder().display_name().empty());
  EXPECT_TRUE(out.responder().email().empty());
  EXPECT_TRUE(out.responder().address().empty());
  EXPECT_TRUE(out.responder().organisation().empty());
  v1::ListResponsesRequest lr;
  lr.set_parent(created.name());
  v1::ListResponsesResponse list;
  ASSERT_TRUE(stub_->ListResponses(As(kOutsider).get(), lr, &list).ok());
  ASSERT_EQ(list.responses_size(), 2);
  EXPECT_EQ(list.responses(1).responder().display_name(), "Ole Hansen");
  std::string published = list.SerializeAsString();
  for (const char* secret :
       {"Karen", "karen.soerensen@example.dk", "Paltholmterrasserne",
        "Farum Sprogvenner", "ole@example.dk", "Stavnsholtvej"}) {
    EXPECT_THAT(published, Not(HasSubstr(secret))) << secret;
  }
  v1::ExportHearingMemoRequest er;
  er.set_name(created.name());
  er.set_format(v1::MEMO_FORMAT_HTML);
  v1::ExportHearingMemoResponse memo;
  ASSERT_TRUE(stub_->ExportHearingMemo(As(kAnonymous).get(), er, &memo).ok());
  EXPECT_THAT(memo.document(), HasSubstr("<h3>Anonym</h3>"));
  EXPECT_THAT(memo.document(),
              HasSubstr("7.8.2018 til og med 28.8.2018 (22 dage)"));
  for (const char* secret :
       {"Karen", "karen.soerensen", "Paltholmterrasserne", "Farum Sprogvenner",
        "ole@example.dk", "Stavnsholtvej"}) {
    EXPECT_THAT(memo.document(), Not(HasSubstr(secret))) << secret;
  }
  // The change feed is never purged, so it carries no personal data of
  // responders at all: only whether they asked to be anonymous and
  // consented.
  auto events = events_.List(*db_, {"190"}, 0, 100);
  ASSERT_TRUE(events.ok());
  int response_events = 0;
  for (const auto& e : *events) {
    std::string payload = e.SerializeAsString();
    for (const char* secret :
         {"Karen", "karen.soerensen", "Paltholmterrasserne",
          "Farum Sprogvenner", "Ole Hansen", "ole@example.dk",
          "Stavnsholtvej"}) {
      EXPECT_THAT(payload, Not(HasSubstr(secret))) << e.type() << " " << secret;
    }
    if (e.type() != "response.submitted") continue;
    ++response_events;
    v1::Response r;
    ASSERT_TRUE(e.payload().UnpackTo(&r));
    EXPECT_EQ(r.name(), e.resource());
    EXPECT_TRUE(r.responder().consent());
    EXPECT_EQ(r.responder().anonymous(), r.name() == anonymous.name());
  }
  EXPECT_EQ(response_events, 2);
}

TEST_P(HearingServiceTest, InternalHearingsStayInside) {
  std::string name = CreateOpen(KobenhavnHearing(), kSecretary,
                                "municipalities/101", "udvalg-2010");
  v1::Response resp, out;
  ASSERT_TRUE(
      Submit(kSecretary, name, PartyResponse("buu", "Svar"), &resp).ok());
  SetNow(At(2010, 6, 1));
  v1::Hearing h;
  ExpectStatus(GetHearing(kOutsider, name, &h),
               grpc::StatusCode::PERMISSION_DENIED, "name");
  ExpectStatus(GetHearing(kAnonymous, name, &h),
               grpc::StatusCode::UNAUTHENTICATED, "name");
  // Outsiders cannot probe for hearings that do not exist either.
  ExpectStatus(GetHearing(kOutsider, "municipalities/101/hearings/nope", &h),
               grpc::StatusCode::PERMISSION_DENIED, "name");
  v1::GetResponseRequest gr;
  gr.set_name(resp.name());
  ExpectStatus(stub_->GetResponse(As(kOutsider).get(), gr, &out),
               grpc::StatusCode::PERMISSION_DENIED, "name");
  ASSERT_TRUE(stub_->GetResponse(As(kViewer).get(), gr, &out).ok());
  v1::ListHearingsRequest lr;
  lr.set_parent("municipalities/101");
  v1::ListHearingsResponse list;
  ASSERT_TRUE(stub_->ListHearings(As(kOutsider).get(), lr, &list).ok());
  EXPECT_EQ(list.hearings_size(), 0);
  ASSERT_TRUE(stub_->ListHearings(As(kViewer).get(), lr, &list).ok());
  EXPECT_EQ(list.hearings_size(), 1);
  v1::GetHearingMemoRequest mr;
  mr.set_name(name);
  v1::HearingMemo memo;
  ExpectStatus(stub_->GetHearingMemo(As(kOutsider).get(), mr, &memo),
               grpc::StatusCode::PERMISSION_DENIED, "name");
}

TEST_P(HearingServiceTest, WithdrawsBeforeTheDeadlineOnly) {
  std::string name = CreateOpen(KobenhavnHearing(), kSecretary,
                                "municipalities/101", "udvalg-2010");
  v1::Response resp, late_one, out;
  ASSERT_TRUE(
      Submit(kSecretary, name, PartyResponse("buu", "Svar"), &resp).ok());
  v1::WithdrawResponseRequest wr;
  wr.set_name(resp.name());
  ExpectStatus(stub_->WithdrawResponse(As(kViewer).get(), wr, &out),
               grpc::StatusCode::PERMISSION_DENIED, "name");
  ASSERT_TRUE(stub_->WithdrawResponse(As(kSecretary).get(), wr, &out).ok());
  EXPECT_EQ(out.state(), v1::RESPONSE_STATE_WITHDRAWN);
  // The party may answer again.
  ASSERT_TRUE(
      Submit(kSecretary, name, PartyResponse("buu", "Nyt svar"), &resp).ok());
  v1::ListOutstandingPartiesRequest lr;
  lr.set_name(name);
  v1::ListOutstandingPartiesResponse outstanding;
  ASSERT_TRUE(
      stub_->ListOutstandingParties(As(kViewer).get(), lr, &outstanding).ok());
  EXPECT_EQ(outstanding.parties_size(), 4);
  SetNow(At(2010, 5, 8));
  wr.set_name(resp.name());
  ExpectStatus(stub_->WithdrawResponse(As(kSecretary).get(), wr, &out),
               grpc::StatusCode::FAILED_PRECONDITION, "name");
}

TEST_P(HearingServiceTest, PurgesPersonalDataWhenDue) {
  SetNow(At(2018, 8, 10));
  std::string name = CreateOpen(FuresoHearing(), kFuresoSecretary,
                                "municipalities/190", "offentlig");
  v1::Response keep, purge, out;
  v1::Response r = CitizenResponse(false);
  *r.mutable_personal_data_delete_date() = Day(2019, 1, 1);
  ASSERT_TRUE(Submit(kAnonymous, name, r, &purge, "borger-1").ok());
  v1::Response k = CitizenResponse(false);
  k.mutable_responder()->set_display_name("Ole Hansen");
  ASSERT_TRUE(Submit(kAnonymous, name, k, &keep).ok());
  v1::PurgePersonalDataRequest pr;
  pr.set_parent(name);
  v1::PurgePersonalDataResponse purged;
  ExpectStatus(stub_->PurgePersonalData(As(kAnonymous).get(), pr, &purged),
               grpc::StatusCode::UNAUTHENTICATED, "parent");
  ASSERT_TRUE(
      stub_->PurgePersonalData(As(kFuresoSecretary).get(), pr, &purged).ok());
  EXPECT_EQ(purged.purged_count(), 0);
  SetNow(At(2019, 1, 1, 8));
  ASSERT_TRUE(
      stub_->PurgePersonalData(As(kFuresoSecretary).get(), pr, &purged).ok());
  EXPECT_EQ(purged.purged_count(), 1);
  v1::GetResponseRequest gr;
  gr.set_name(purge.name());
  ASSERT_TRUE(stub_->GetResponse(As(kFuresoSecretary).get(), gr, &out).ok());
  EXPECT_TRUE(out.purged());
  EXPECT_EQ(out.text(), purge.text());
  EXPECT_TRUE(out.responder().display_name().empty());
  EXPECT_TRUE(out.responder().email().empty());
  EXPECT_TRUE(out.responder().address().empty());
  EXPECT_TRUE(out.responder().organisation().empty());
  // A retried submission gets the purged answer back.
  ASSERT_TRUE(Submit(kAnonymous, name, r, &out, "borger-1").ok());
  EXPECT_TRUE(out.purged());
  EXPECT_TRUE(out.responder().email().empty());
  gr.set_name(keep.name());
  ASSERT_TRUE(stub_->GetResponse(As(kFuresoSecretary).get(), gr, &out).ok());
  EXPECT_EQ(out.responder().display_name(), "Ole Hansen");
  ASSERT_TRUE(
      stub_->PurgePersonalData(As(kFuresoSecretary).get(), pr, &purged).ok());
  EXPECT_EQ(purged.purged_count(), 0);
}

// Invited parties' contact data is the administration's: outsiders read a
// public hearing without it, and the change feed never carries it.
TEST_P(HearingServiceTest, PartiesContactStaysInside) {
  SetNow(At(2018, 8, 7));
  v1::Hearing h = FuresoHearing();
  v1::Party citizen = MakeParty("borger-1", "En borger i Farum");
  citizen.set_kind(v1::PARTY_KIND_CITIZEN);
  citizen.set_contact("borger.i.farum@example.dk");
  *h.add_parties() = citizen;
  *h.add_parties() = MakeParty("integrationsraadet", "Integrationsrådet");
  h.mutable_parties(1)->set_contact("raadet@example.dk");
  std::string name =
      CreateOpen(h, kFuresoSecretary, "municipalities/190", "offentlig");
  v1::ListHearingsRequest lr;
  lr.set_parent("municipalities/190");
  for (const Identity* who : {&kAnonymous, &kOutsider}) {
    v1::Hearing got;
    ASSERT_TRUE(GetHearing(*who, name, &got).ok());
    ASSERT_EQ(got.parties_size(), 2);
    EXPECT_EQ(got.parties(0).display_name(), "En borger i Farum");
    EXPECT_THAT(got.SerializeAsString(), Not(HasSubstr("example.dk")));
    v1::ListHearingsResponse list;
    ASSERT_TRUE(stub_->ListHearings(As(*who).get(), lr, &list).ok());
    ASSERT_EQ(list.hearings_size(), 1);
    EXPECT_EQ(list.hearings(0).parties_size(), 2);
    EXPECT_THAT(list.SerializeAsString(), Not(HasSubstr("example.dk")));
  }
  // Inside the municipality the contact is there.
  v1::Hearing got;
  ASSERT_TRUE(GetHearing(kFuresoSecretary, name, &got).ok());
  EXPECT_EQ(got.parties(0).contact(), "borger.i.farum@example.dk");
  v1::ListHearingsResponse list;
  ASSERT_TRUE(stub_->ListHearings(As(kFuresoSecretary).get(), lr, &list).ok());
  ASSERT_EQ(list.hearings_size(), 1);
  EXPECT_EQ(list.hearings(0).parties(1).contact(), "raadet@example.dk");
  // The change feed (never purged) has the parties without contact.
  auto events = events_.List(*db_, {"190"}, 0, 100);
  ASSERT_TRUE(events.ok());
  ASSERT_FALSE(events->empty());
  for (const auto& e : *events) {
    EXPECT_THAT(e.SerializeAsString(), Not(HasSubstr("example.dk")))
        << e.type();
    v1::Hearing payload;
    ASSERT_TRUE(e.payload().UnpackTo(&payload));
    EXPECT_EQ(payload.parties_size(), 2);
  }
}

// Responses are taken from the open date (in Copenhagen), even when the
// hearing was opened earlier.
TEST_P(HearingServiceTest, NoResponsesBeforeTheOpenDate) {
  SetNow(At(2018, 8, 1));
  v1::Hearing h = FuresoHearing();
  *h.add_parties() = MakeParty("integrationsraadet", "Integrationsrådet");
  std::string name =
      CreateOpen(h, kFuresoSecretary, "municipalities/190", "offentlig");
  SetNow(At(2018, 8, 6, 23, 59));
  v1::Response out;
  grpc::Status s = Submit(kAnonymous, name, CitizenResponse(false), &out);
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "parent");
  EXPECT_THAT(s.error_message(), HasSubstr("7.8.2018"));
  ExpectStatus(Submit(kFuresoSecretary, name,
                      PartyResponse("integrationsraadet", "Svar"), &out),
               grpc::StatusCode::FAILED_PRECONDITION, "parent");
  SetNow(At(2018, 8, 7, 0, 0));
  ASSERT_TRUE(Submit(kAnonymous, name, CitizenResponse(false), &out).ok());
  ASSERT_TRUE(Submit(kFuresoSecretary, name,
                     PartyResponse("integrationsraadet", "Svar"), &out)
                  .ok());
}

// A hearing whose deadline has passed cannot open (the policy would go to
// hearing for a period already over).
TEST_P(HearingServiceTest, OpenRefusesAPassedDeadline) {
  v1::Hearing created, out;
  ASSERT_TRUE(Create(kSecretary, KobenhavnHearing(), &created).ok());
  SetNow(At(2010, 5, 8, 0, 0));
  grpc::Status s = Open(kSecretary, created.name(), &out);
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "hearing.deadline");
  EXPECT_THAT(s.error_message(), HasSubstr("7.5.2010"));
  EXPECT_TRUE(policies_.sent().empty());
  ASSERT_TRUE(GetHearing(kViewer, created.name(), &out).ok());
  EXPECT_EQ(out.state(), v1::HEARING_STATE_PLANNED);
  SetNow(At(2010, 5, 7, 23, 59));
  ASSERT_TRUE(Open(kSecretary, created.name(), &out).ok());
  EXPECT_EQ(out.state(), v1::HEARING_STATE_OPEN);
}

// An invited party answers under its own name (the hearing lists its
// parties and who answered), so `anonymous` is for public responders only.
TEST_P(HearingServiceTest, PartyResponsesCannotBeAnonymous) {
  SetNow(At(2018, 8, 7));
  v1::Hearing h = FuresoHearing();
  *h.add_parties() = MakeParty("integrationsraadet", "Integrationsrådet");
  std::string name =
      CreateOpen(h, kFuresoSecretary, "municipalities/190", "offentlig");
  v1::Response r = PartyResponse("integrationsraadet", "Rådets svar");
  r.mutable_responder()->set_anonymous(true);
  v1::Response out;
  ExpectStatus(Submit(kFuresoSecretary, name, r, &out),
               grpc::StatusCode::INVALID_ARGUMENT,
               "response.responder.anonymous");
  r.mutable_responder()->set_anonymous(false);
  ASSERT_TRUE(Submit(kFuresoSecretary, name, r, &out).ok());
  EXPECT_EQ(out.responder().display_name(), "Integrationsrådet");
}

// request_id is scoped by method and hearing: an anonymous responder
// cannot take an id the administration uses elsewhere, and a replay is
// only for callers who may make the request.
TEST_P(HearingServiceTest, RequestIdsAreScopedAndAuthorised) {
  SetNow(At(2018, 8, 7));
  std::string name = CreateOpen(FuresoHearing(), kFuresoSecretary,
                                "municipalities/190", "offentlig");
  v1::Response citizen, again;
  ASSERT_TRUE(
      Submit(kAnonymous, name, CitizenResponse(false), &citizen, "x-1").ok());
  v1::Hearing created;
  grpc::Status s = Create(kFuresoSecretary, FuresoHearing(), &created, "anden",
                          "municipalities/190", "x-1");
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(created.name(), "municipalities/190/hearings/anden");
  ASSERT_TRUE(
      Submit(kAnonymous, name, CitizenResponse(false), &again, "x-1").ok());
  EXPECT_EQ(again.name(), citizen.name());
  // Staff's party answer in an internal hearing is not replayed to callers
  // who may not submit it.
  SetNow(At(2010, 3, 15));
  std::string internal = CreateOpen(KobenhavnHearing(), kSecretary,
                                    "municipalities/101", "udvalg-2010");
  v1::Response party, out;
  ASSERT_TRUE(
      Submit(kSecretary, internal, PartyResponse("buu", "Svar"), &party, "p-1")
          .ok());
  ExpectStatus(
      Submit(kAnonymous, internal, PartyResponse("buu", "Svar"), &out, "p-1"),
      grpc::StatusCode::UNAUTHENTICATED, "parent");
  ExpectStatus(
      Submit(kViewer, internal, PartyResponse("buu", "Svar"), &out, "p-1"),
      grpc::StatusCode::PERMISSION_DENIED, "response.party_id");
  ASSERT_TRUE(
      Submit(kSecretary, internal, PartyResponse("buu", "Svar"), &out, "p-1")
          .ok());
  EXPECT_EQ(out.name(), party.name());
}

// A treatment case of the policy with an adoption pending or done: no new
// hearing of the policy opens.
TEST_P(HearingServiceTest, AdoptionBlocksOpening) {
  v1::Hearing created, out;
  ASSERT_TRUE(Create(kSecretary, KobenhavnHearing(), &created).ok());
  auto put_case = [&](int64_t state, int64_t pending) {
    ASSERT_TRUE(db_->Write([&](Transaction& tx) -> absl::Status {
                     if (auto s =
                             tx.Execute("DELETE FROM treatment_cases WHERE "
                                        "municipality_code = '101'");
                         !s.ok()) {
                       return s;
                     }
                     return tx.Execute(
                         "INSERT INTO treatment_cases (municipality_code, "
                         "case_id, policy, state, adoption_pending, snapshot) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         {std::string("101"), std::string("integration"),
                          std::string(kKbhPolicy), state, pending,
                          Blob{std::string()}});
                   })
                    .ok());
  };
  put_case(v1::CASE_STATE_IN_PROGRESS, 1);
  grpc::Status s = Open(kSecretary, created.name(), &out);
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "name");
  EXPECT_THAT(s.error_message(), HasSubstr(kKbhPolicy));
  EXPECT_TRUE(policies_.sent().empty());
  put_case(v1::CASE_STATE_ADOPTED, 0);
  s = Open(kSecretary, created.name(), &out);
  ExpectStatus(s, grpc::StatusCode::FAILED_PRECONDITION, "name");
  EXPECT_THAT(s.error_message(), HasSubstr(kKbhPolicy));
  EXPECT_TRUE(policies_.sent().empty());
  ASSERT_TRUE(GetHearing(kViewer, created.name(), &out).ok());
  EXPECT_EQ(out.state(), v1::HEARING_STATE_PLANNED);
  // A case still under way (or rejected) does not block.
  put_case(v1::CASE_STATE_IN_PROGRESS, 0);
  ASSERT_TRUE(Open(kSecretary, created.name(), &out).ok());
  EXPECT_EQ(out.state(), v1::HEARING_STATE_OPEN);
}

TEST_P(HearingServiceTest, ErrorsNameTheRequestField) {
  v1::Hearing out;
  v1::UpdateHearingRequest ur;
  ur.mutable_hearing()->set_name("municipalities/101/hearings/nope");
  *ur.mutable_hearing()->mutable_deadline() = Day(2010, 5, 14);
  ur.mutable_update_mask()->add_paths("deadline");
  ExpectStatus(stub_->UpdateHearing(As(kSecretary).get(), ur, &out),
               grpc::StatusCode::NOT_FOUND, "hearing.name");
  v1::PurgePersonalDataRequest pr;
  pr.set_parent("municipalities/101/hearings/nope");
  v1::PurgePersonalDataResponse purged;
  ExpectStatus(stub_->PurgePersonalData(As(kSecretary).get(), pr, &purged),
               grpc::StatusCode::NOT_FOUND, "parent");
  v1::Hearing h = KobenhavnHearing();
  h.mutable_parties(2)->set_kind(v1::PARTY_KIND_UNSPECIFIED);
  ExpectStatus(Create(kSecretary, h, &out), grpc::StatusCode::INVALID_ARGUMENT,
               "hearing.parties[2].kind");
  ASSERT_TRUE(Create(kSecretary, KobenhavnHearing(), &out).ok());
  ur.mutable_hearing()->set_name(out.name());
  *ur.mutable_hearing()->mutable_parties() = h.parties();
  ur.mutable_update_mask()->set_paths(0, "parties");
  ExpectStatus(stub_->UpdateHearing(As(kSecretary).get(), ur, &out),
               grpc::StatusCode::INVALID_ARGUMENT, "hearing.parties[2].kind");
  v1::WaivePartyRequest wr;
  wr.set_name("municipalities/101/hearings/udvalg-2010");
  wr.set_reason("Behandler selv sagen");
  for (const char* bad : {"", "Ikke Et Id", "x/../y"}) {
    wr.set_party_id(bad);
    ExpectStatus(stub_->WaiveParty(As(kSecretary).get(), wr, &out),
                 grpc::StatusCode::INVALID_ARGUMENT, "party_id");
    wr.set_name("municipalities/101/hearings/nope");
    ExpectStatus(stub_->WaiveParty(As(kSecretary).get(), wr, &out),
                 grpc::StatusCode::INVALID_ARGUMENT, "party_id");
    wr.set_name("municipalities/101/hearings/udvalg-2010");
  }
  wr.set_party_id("buu");
  ASSERT_TRUE(stub_->WaiveParty(As(kSecretary).get(), wr, &out).ok());
}

KOMMUNE_INSTANTIATE_ENGINE_TEST(HearingServiceTest);

}  // namespace
}  // namespace kommune::hearing
