// The ESDH connector as a municipality meets it: the real services and the
// connector as processes, a local receiver standing in for the ESDH
// system's webhook. A hearing's letter and responses arrive once each, in
// order, signed; failures are retried or parked and retried by an
// operator; everything of case 18/12386 is found by its number.
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kommune/esdh/v1/esdh_service.grpc.pb.h"
#include "kommune/hearing/v1/hearing_service.grpc.pb.h"
#include "kommune/policy/v1/policy_service.grpc.pb.h"
#include "services/common/grpc_util.h"
#include "services/common/time_zone.h"
#include "services/common/validation.h"
#include "services/esdh/testing/recording_receiver.h"
#include "tests/server_process.h"

namespace kommune::testing {
namespace {

using ::testing::HasSubstr;
namespace ev1 = ::kommune::esdh::v1;
namespace hv1 = ::kommune::hearing::v1;
namespace pv1 = ::kommune::policy::v1;
using esdh::testing::Fault;
using esdh::testing::RecordingReceiver;

constexpr char kSecret[] = "esdh-connector-test-secret";
constexpr char kWebhookSecret[] = "webhook-hmac-secret";
constexpr char kCase[] = "18/12386";

std::string Bin(const std::string& name) {
  return std::string(KOMMUNE_BIN_DIR) + "/" + name;
}

class EsdhConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "esdh_", PickFreePort());
    std::string mkdir = "mkdir -p " + dir_;
    ASSERT_EQ(std::system(mkdir.c_str()), 0);
    esdh::testing::RecordingReceiverOptions options;
    options.secret = kWebhookSecret;
    auto receiver = RecordingReceiver::Start(options);
    ASSERT_TRUE(receiver.ok()) << receiver.status();
    receiver_ = *std::move(receiver);
    std::ofstream(dir_ + "/webhook-secret") << kWebhookSecret;
    policy_address_ = Start(policy_, "policy_server", {});
    hearing_address_ = Start(hearing_, "hearing_server",
                             {"--policy_address=" + policy_address_});
    WriteConfig(0);
    StartConnector();
    ASSERT_NO_FATAL_FAILURE(CreateHearing());
  }

  void TearDown() override {
    for (auto* p : {&connector_, &hearing_, &policy_}) {
      if (*p == nullptr) continue;
      (*p)->Signal(SIGTERM);
      (*p)->Wait(absl::Seconds(30));
    }
  }

  std::string Start(std::unique_ptr<ServerProcess>& process,
                    const std::string& binary, std::vector<std::string> extra) {
    std::string address = absl::StrCat("127.0.0.1:", PickFreePort());
    std::vector<std::string> args = {
        "--listen=" + address,
        "--database=sqlite://" + dir_ + "/" + binary + ".db",
        std::string("--identity_secret=") + kSecret};
    args.insert(args.end(), extra.begin(), extra.end());
    process = std::make_unique<ServerProcess>();
    EXPECT_TRUE(process->Start(Bin(binary), args).ok());
    EXPECT_TRUE(process->WaitForLog("\"serving\"", absl::Seconds(30)))
        << process->Log();
    return address;
  }

  // The connector's configuration; max_document_bytes 0 is the default.
  void WriteConfig(int64_t max_document_bytes) {
    std::ofstream(dir_ + "/connector.textproto")
        << "feeds { service: \"policy\" address: \"" << policy_address_
        << "\" }\n"
        << "feeds { service: \"hearing\" address: \"" << hearing_address_
        << "\" }\n"
        << "sinks { municipality_code: \"190\" webhook { url: \""
        << receiver_->Url() << "\" secret_file: \"webhook-secret\" "
        << "allowed_urls: \"http://127.0.0.1:" << receiver_->port() << "/\" "
        << "max_document_bytes: " << max_document_bytes << " } }\n"
        << "max_attempts: 4\n"
        << "initial_backoff { nanos: 20000000 }\n"
        << "max_backoff { nanos: 100000000 }\n"
        << "poll_interval { nanos: 50000000 }\n";
  }

  void RestartConnector() {
    connector_->Signal(SIGTERM);
    ASSERT_EQ(connector_->Wait(absl::Seconds(30)), 0);
    StartConnector();
  }

  // Waits until `n` deliveries are parked and returns them.
  ev1::ListDeliveriesResponse WaitForParked(int n) {
    absl::Time end = absl::Now() + absl::Seconds(30);
    ev1::ListDeliveriesResponse parked;
    while (absl::Now() < end) {
      parked = Deliveries(ev1::DELIVERY_STATE_PARKED);
      if (parked.deliveries_size() >= n) break;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return parked;
  }

  void StartConnector() {
    connector_address_ = Start(connector_, "esdh_connector",
                               {"--config=" + dir_ + "/connector.textproto"});
  }

  std::unique_ptr<grpc::ClientContext> As(std::vector<Role> roles,
                                          const std::string& subject) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    if (!subject.empty()) {
      Identity who;
      who.municipality_codes = {"190"};
      who.roles = std::move(roles);
      who.subject = subject;
      AttachIdentity(*context, who, kSecret);
    }
    return context;
  }

  // Furesø's policy and its public hearing, both in case 18/12386, opened.
  void CreateHearing(const std::string& id = "offentlig-hoering",
                     const std::string& case_number = kCase) {
    auto policies = pv1::PolicyService::NewStub(grpc::CreateChannel(
        policy_address_, grpc::InsecureChannelCredentials()));
    pv1::CreatePolicyRequest create;
    create.set_parent("municipalities/190");
    create.set_policy_id("integration-2018");
    create.mutable_policy()->set_display_name("Integrationspolitik 2018-2021");
    create.mutable_policy()->mutable_esdh_case()->set_case_number(kCase);
    pv1::Policy policy;
    grpc::Status s = policies->CreatePolicy(
        As({Role::kEditor}, "editor@190").get(), create, &policy);
    if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      pv1::GetPolicyRequest get;
      get.set_name("municipalities/190/policies/integration-2018");
      s = policies->GetPolicy(As({Role::kEditor}, "editor@190").get(), get,
                              &policy);
    }
    ASSERT_TRUE(s.ok()) << s.error_message();

    hearings_ = hv1::HearingService::NewStub(grpc::CreateChannel(
        hearing_address_, grpc::InsecureChannelCredentials()));
    absl::CivilDay today = *CopenhagenDay(absl::Now());
    hv1::CreateHearingRequest request;
    request.set_parent("municipalities/190");
    request.set_hearing_id(id);
    hv1::Hearing* h = request.mutable_hearing();
    h->set_display_name("Offentlig høring: Integrationspolitik 2018-2021");
    h->set_policy_revision(
        absl::StrCat(policy.name(), "@", policy.revision_id()));
    h->set_kind(hv1::HEARING_KIND_PUBLIC);
    h->mutable_letter()->set_text("Forslaget er i offentlig høring.");
    h->mutable_esdh_case()->set_case_number(case_number);
    *h->mutable_open_date() = FromCivilDay(today);
    *h->mutable_deadline() = FromCivilDay(today + 21);
    hv1::Hearing created;
    s = hearings_->CreateHearing(As({Role::kSecretary}, "sekretær@190").get(),
                                 request, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
    hv1::OpenHearingRequest open;
    open.set_name(created.name());
    s = hearings_->OpenHearing(As({Role::kSecretary}, "sekretær@190").get(),
                               open, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
    if (hearing_name_.empty()) hearing_name_ = created.name();
  }

  void Respond(const std::string& text) {
    hv1::SubmitResponseRequest r;
    r.set_parent(hearing_name_);
    r.mutable_response()->set_text(text);
    r.mutable_response()->mutable_responder()->set_display_name("Borger");
    r.mutable_response()->mutable_responder()->set_anonymous(true);
    r.mutable_response()->mutable_responder()->set_consent(true);
    hv1::Response out;
    grpc::Status s = hearings_->SubmitResponse(As({}, "").get(), r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Waits until the receiver holds `n` distinct documents.
  bool WaitForDocuments(size_t n, absl::Duration timeout = absl::Seconds(30)) {
    absl::Time end = absl::Now() + timeout;
    while (absl::Now() < end) {
      if (receiver_->Documents().size() >= n) return true;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  std::unique_ptr<ev1::EsdhConnectorService::Stub> Admin() {
    return ev1::EsdhConnectorService::NewStub(grpc::CreateChannel(
        connector_address_, grpc::InsecureChannelCredentials()));
  }

  ev1::ListDeliveriesResponse Deliveries(ev1::DeliveryState state) {
    ev1::ListDeliveriesRequest r;
    r.set_parent("municipalities/190");
    r.set_state(state);
    ev1::ListDeliveriesResponse out;
    grpc::Status s = Admin()->ListDeliveries(
        As({Role::kIntegration}, "esdh@190").get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::string dir_;
  std::unique_ptr<RecordingReceiver> receiver_;
  std::unique_ptr<ServerProcess> policy_, hearing_, connector_;
  std::string policy_address_, hearing_address_, connector_address_;
  std::unique_ptr<hv1::HearingService::Stub> hearings_;
  std::string hearing_name_;
};

TEST_F(EsdhConnectorTest, TheLetterAndEachResponseArriveOnceInOrderSigned) {
  Respond("Første svar");
  Respond("Andet svar");
  Respond("Tredje svar");
  ASSERT_TRUE(WaitForDocuments(4)) << receiver_->Documents().size();
  std::vector<esdh::testing::ReceivedDocument> docs = receiver_->Documents();
  ASSERT_EQ(docs.size(), 4u);
  EXPECT_THAT(docs[0].body, HasSubstr("Høringsbrev"));
  EXPECT_THAT(docs[1].body, HasSubstr("Høringssvar"));
  // The responses in the order they came: their keys follow the feed.
  EXPECT_LT(docs[1].idempotency_key, docs[2].idempotency_key);
  EXPECT_LT(docs[2].idempotency_key, docs[3].idempotency_key);
  for (const auto& d : docs) {
    EXPECT_EQ(d.deliveries, 1) << d.idempotency_key;
    EXPECT_THAT(d.body, HasSubstr(kCase));
  }
  // A citizen's response holds personal data.
  EXPECT_THAT(docs[1].body, HasSubstr("\"exemptFromDisclosure\":true"));
  for (const auto& r : receiver_->Requests()) {
    ASSERT_TRUE(r.signature_valid.has_value());
    EXPECT_TRUE(*r.signature_valid);
    EXPECT_TRUE(r.Header("idempotency-key").has_value());
  }
  // The document numbers the receiver gave are stored on the records.
  ev1::ListDeliveriesResponse delivered =
      Deliveries(ev1::DELIVERY_STATE_DELIVERED);
  ASSERT_EQ(delivered.deliveries_size(), 4);
  EXPECT_THAT(delivered.deliveries(0).record().document().document_number(),
              ::testing::StartsWith("D-"));
}

TEST_F(EsdhConnectorTest, FailuresAreRetriedThenParkedAndAnOperatorRetries) {
  ASSERT_TRUE(WaitForDocuments(1));  // the letter
  // Three 503s: retried with backoff, delivered once.
  receiver_->FailNext(3, Fault::ServerError());
  Respond("Svar gennem fejl");
  ASSERT_TRUE(WaitForDocuments(2));
  EXPECT_EQ(receiver_->Documents()[1].deliveries, 1);

  // A receiver that answers 200 with garbage: after max_attempts (4) the
  // delivery is parked, and the case's later documents wait behind it.
  receiver_->FailNext(4, Fault::Garbage());
  Respond("Svar der parkeres");
  absl::Time end = absl::Now() + absl::Seconds(30);
  ev1::ListDeliveriesResponse parked;
  while (absl::Now() < end) {
    parked = Deliveries(ev1::DELIVERY_STATE_PARKED);
    if (parked.deliveries_size() == 1) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_EQ(parked.deliveries_size(), 1);
  EXPECT_THAT(parked.deliveries(0).last_error(), HasSubstr("receipt"));
  EXPECT_EQ(parked.deliveries(0).attempts(), 4);
  Respond("Svar der venter");
  absl::SleepFor(absl::Seconds(1));
  EXPECT_EQ(Deliveries(ev1::DELIVERY_STATE_PENDING).deliveries_size(), 1)
      << "the later response waits for the parked one";

  ev1::RetryDeliveryRequest retry;
  retry.set_name(parked.deliveries(0).name());
  ev1::Delivery retried;
  grpc::Status s = Admin()->RetryDelivery(
      As({Role::kIntegration}, "esdh@190").get(), retry, &retried);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(WaitForDocuments(4));
  std::vector<esdh::testing::ReceivedDocument> docs = receiver_->Documents();
  // The parked response, then the one that waited (file contents are
  // base64 in the JSON, so the responses are told apart by name).
  EXPECT_THAT(docs[2].body, HasSubstr("offentlig-hoering/responses/2\""));
  EXPECT_THAT(docs[3].body, HasSubstr("offentlig-hoering/responses/3\""));
  EXPECT_EQ(Deliveries(ev1::DELIVERY_STATE_PARKED).deliveries_size(), 0);

  // Retrying what is not parked is refused by name.
  s = Admin()->RetryDelivery(As({Role::kIntegration}, "esdh@190").get(), retry,
                             &retried);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("name"));
}

TEST_F(EsdhConnectorTest, ARestartReadsOnFromTheCursorWithoutDuplicates) {
  ASSERT_TRUE(WaitForDocuments(1));
  connector_->Signal(SIGKILL);
  connector_->Wait(absl::Seconds(10));
  Respond("Svar mens forbinderen er nede");
  StartConnector();
  ASSERT_TRUE(WaitForDocuments(2));
  absl::SleepFor(absl::Milliseconds(500));
  for (const auto& d : receiver_->Documents()) {
    EXPECT_EQ(d.deliveries, 1) << d.idempotency_key;
  }
  EXPECT_EQ(receiver_->Documents().size(), 2u);
}

TEST_F(EsdhConnectorTest, EverythingOfACaseIsFoundByItsNumber) {
  Respond("Et svar");
  ASSERT_TRUE(WaitForDocuments(2));
  ev1::LookupEsdhCaseRequest r;
  r.set_parent("municipalities/190");
  r.set_case_number(kCase);
  ev1::LookupEsdhCaseResponse found;
  grpc::Status s = Admin()->LookupEsdhCase(
      As({Role::kViewer}, "viewer@190").get(), r, &found);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::vector<std::string> kinds;
  for (const auto& m : found.members()) kinds.push_back(m.kind());
  EXPECT_THAT(kinds,
              ::testing::IsSupersetOf({"policy", "hearing", "response"}));

  r.set_case_number("18/12386'; DROP TABLE deliveries");
  s = Admin()->LookupEsdhCase(As({Role::kViewer}, "viewer@190").get(), r,
                              &found);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("case_number"));
}

TEST_F(EsdhConnectorTest, AMalformedCaseNumberIsParkedNotSent) {
  ASSERT_TRUE(WaitForDocuments(1));
  // The hearing service takes free text; the ESDH system would not.
  ASSERT_NO_FATAL_FAILURE(
      CreateHearing("anden-hoering", "sag 18/12386 (se note)"));
  ev1::ListDeliveriesResponse parked = WaitForParked(1);
  ASSERT_EQ(parked.deliveries_size(), 1);
  EXPECT_THAT(parked.deliveries(0).last_error(),
              HasSubstr("esdh_case.case_number"));
  EXPECT_EQ(parked.deliveries(0).attempts(), 0);
  EXPECT_EQ(receiver_->Documents().size(), 1u) << "nothing more was sent";
}

TEST_F(EsdhConnectorTest, ADocumentTooLargeForTheSinkIsParkedAtOnce) {
  ASSERT_TRUE(WaitForDocuments(1));
  WriteConfig(600);  // bytes: the letter fitted, a response will not
  ASSERT_NO_FATAL_FAILURE(RestartConnector());
  Respond(std::string(2000, 'x'));
  ev1::ListDeliveriesResponse parked = WaitForParked(1);
  ASSERT_EQ(parked.deliveries_size(), 1);
  EXPECT_THAT(parked.deliveries(0).last_error(), HasSubstr("too large"));
  EXPECT_EQ(parked.deliveries(0).attempts(), 1) << "not retried";
  EXPECT_EQ(receiver_->Documents().size(), 1u);
}

}  // namespace
}  // namespace kommune::testing
