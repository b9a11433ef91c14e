// The whole suite on PostgreSQL, the production engine: every service on
// its own database of the test server, two policy replicas on one database
// behind the gateway (started at once, so they race to migrate), and the
// main flows through the gateway: a policy written through one replica and
// read through the other, a hearing with a response, indicators with
// measurements and the published report, and the ESDH case lookup.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "kommune/esdh/v1/esdh_service.grpc.pb.h"
#include "kommune/followup/v1/followup_service.grpc.pb.h"
#include "kommune/hearing/v1/hearing_service.grpc.pb.h"
#include "kommune/policy/v1/policy_service.grpc.pb.h"
#include "services/common/test_support.h"
#include "services/common/time_zone.h"
#include "services/common/validation.h"
#include "tests/gateway_stack.h"

namespace kommune::testing {
namespace {

namespace ev1 = ::kommune::esdh::v1;
namespace fv1 = ::kommune::followup::v1;
namespace hv1 = ::kommune::hearing::v1;
namespace pv1 = ::kommune::policy::v1;

std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  return context;
}

class PostgresSuiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv(kPostgresUrlEnv);
    if (url == nullptr || *url == '\0') {
      if (std::getenv(kRequirePostgresEnv) != nullptr) {
        FAIL() << kPostgresUrlEnv << " is not set";
      }
      GTEST_SKIP() << "no test PostgreSQL (the README's test command starts "
                      "one)";
    }
    GatewayStack::Options options;
    options.policy_servers = 2;
    options.postgres = true;
    absl::Status started = stack_.Start(options);
    ASSERT_TRUE(started.ok()) << started;
  }

  GatewayStack stack_;
};

TEST_F(PostgresSuiteTest, TheSuiteRunsOnPostgresWithTwoPolicyReplicas) {
  auto channel = stack_.Channel();
  auto policies = pv1::PolicyService::NewStub(channel);
  const std::string editor = stack_.Token({"190"}, {"editor"});

  std::ifstream fixture(std::string(KOMMUNE_FIXTURES_DIR) +
                        "/demo/furesoe_integration_2018.json");
  std::stringstream json;
  json << fixture.rdbuf();
  pv1::ImportPolicyRequest import;
  import.set_parent("municipalities/190");
  import.set_policy_id("integration-2018");
  import.set_format(pv1::DOCUMENT_FORMAT_JSON);
  import.set_document(json.str());
  import.set_request_id("import-2018");
  pv1::ImportPolicyResponse imported;
  grpc::Status s = policies->ImportPolicy(As(editor).get(), import, &imported);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const pv1::Policy& policy = imported.policy();

  // The gateway spreads calls over both replicas; every read sees the
  // write, whichever replica answers, and concurrent updates with the
  // same etag: one wins, the other is told to read again.
  for (int i = 0; i < 6; ++i) {
    pv1::GetPolicyRequest get;
    get.set_name(policy.name());
    pv1::Policy read;
    s = policies->GetPolicy(As(editor).get(), get, &read);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(read.etag(), policy.etag());
  }
  int ok = 0, aborted = 0;
  for (int i = 0; i < 2; ++i) {
    pv1::UpdatePolicyRequest update;
    *update.mutable_policy() = policy;
    update.mutable_policy()->set_display_name(
        absl::StrCat("Integrationspolitik 2018-2021 (rettelse ", i, ")"));
    update.mutable_update_mask()->add_paths("display_name");
    pv1::Policy updated;
    s = policies->UpdatePolicy(As(editor).get(), update, &updated);
    if (s.ok()) ++ok;
    if (s.error_code() == grpc::StatusCode::ABORTED) ++aborted;
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(aborted, 1);
  pv1::GetPolicyRequest get;
  get.set_name(policy.name());
  pv1::Policy current;
  ASSERT_TRUE(policies->GetPolicy(As(editor).get(), get, &current).ok());

  // A public hearing of the policy and an anonymous response.
  auto hearings = hv1::HearingService::NewStub(channel);
  const std::string secretary = stack_.Token({"190"}, {"secretary"});
  absl::CivilDay today = *CopenhagenDay(absl::Now());
  hv1::CreateHearingRequest create;
  create.set_parent("municipalities/190");
  create.set_hearing_id("offentlig-hoering");
  hv1::Hearing* h = create.mutable_hearing();
  h->set_display_name("Offentlig høring");
  h->set_policy_revision(
      absl::StrCat(current.name(), "@", current.revision_id()));
  h->set_kind(hv1::HEARING_KIND_PUBLIC);
  h->mutable_esdh_case()->set_case_number("18/12386");
  *h->mutable_open_date() = FromCivilDay(today);
  *h->mutable_deadline() = FromCivilDay(today + 21);
  hv1::Hearing hearing;
  s = hearings->CreateHearing(As(secretary).get(), create, &hearing);
  ASSERT_TRUE(s.ok()) << s.error_message();
  hv1::OpenHearingRequest open;
  open.set_name(hearing.name());
  s = hearings->OpenHearing(As(secretary).get(), open, &hearing);
  ASSERT_TRUE(s.ok()) << s.error_message();
  hv1::SubmitResponseRequest respond;
  respond.set_parent(hearing.name());
  respond.mutable_response()->set_text("Flere sprogcaféer, tak.");
  respond.mutable_response()->mutable_responder()->set_display_name("Borger");
  respond.mutable_response()->mutable_responder()->set_anonymous(true);
  respond.mutable_response()->mutable_responder()->set_consent(true);
  hv1::Response response;
  s = hearings->SubmitResponse(As("").get(), respond, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();

  // Indicators, measurements and the report.
  auto followup = fv1::FollowUpService::NewStub(channel);
  const std::string analyst = stack_.Token({"190"}, {"analyst"});
  // Høje-Taastrup's text (domain/001) has success criteria of every kind.
  std::ifstream text(std::string(KOMMUNE_FIXTURES_DIR) +
                     "/domain/001_e954513d7125136f.txt");
  std::stringstream document;
  document << text.rdbuf();
  pv1::ImportPolicyRequest import_text;
  import_text.set_parent("municipalities/190");
  import_text.set_policy_id("criteria");
  import_text.set_format(pv1::DOCUMENT_FORMAT_PLAIN_TEXT);
  import_text.set_document(document.str());
  pv1::ImportPolicyResponse with_criteria;
  s = policies->ImportPolicy(As(editor).get(), import_text, &with_criteria);
  ASSERT_TRUE(s.ok()) << s.error_message();
  fv1::ProposeIndicatorsRequest propose;
  propose.set_policy_name(with_criteria.policy().name());
  fv1::ProposeIndicatorsResponse proposals;
  s = followup->ProposeIndicators(As(analyst).get(), propose, &proposals);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_GT(proposals.proposals_size(), 0);
  fv1::CreateIndicatorRequest indicator_request;
  indicator_request.set_parent("municipalities/190");
  indicator_request.set_indicator_id("foerste-kriterium");
  fv1::Indicator* in = indicator_request.mutable_indicator();
  *in = proposals.proposals(0).indicator();
  in->set_kind(fv1::INDICATOR_KIND_SHARE_AT_LEAST);
  in->set_unit("%");
  in->mutable_target()->set_value(60);
  *in->mutable_target()->mutable_deadline() =
      FromCivilDay(absl::CivilDay(2021, 12, 31));
  *in->mutable_follow_up_period()->mutable_start_date() =
      FromCivilDay(absl::CivilDay(2018, 1, 1));
  *in->mutable_follow_up_period()->mutable_end_date() =
      FromCivilDay(absl::CivilDay(2022, 12, 31));
  fv1::Indicator indicator;
  s = followup->CreateIndicator(As(analyst).get(), indicator_request,
                                &indicator);
  ASSERT_TRUE(s.ok()) << s.error_message();
  fv1::BatchRecordMeasurementsRequest batch;
  batch.set_parent("municipalities/190");
  for (auto [year, value] :
       {std::pair{2018, 41.5}, {2019, 48.0}, {2020, 55.5}}) {
    fv1::RecordMeasurementRequest* r = batch.add_requests();
    r->set_indicator_name(indicator.name());
    r->mutable_measurement()->set_period(absl::StrCat(year));
    r->mutable_measurement()->set_value(value);
  }
  fv1::BatchRecordMeasurementsResponse recorded;
  s = followup->BatchRecordMeasurements(As(analyst).get(), batch, &recorded);
  ASSERT_TRUE(s.ok()) << s.error_message();
  fv1::CreateFollowUpReportRequest report_request;
  report_request.set_parent("municipalities/190");
  report_request.set_follow_up_report_id("redegoerelse-2020");
  report_request.mutable_follow_up_report()->set_policy_name(
      with_criteria.policy().name());
  report_request.mutable_follow_up_report()->set_display_name(
      "Årlig redegørelse 2020");
  *report_request.mutable_follow_up_report()->mutable_as_of() =
      FromCivilDay(absl::CivilDay(2020, 12, 31));
  fv1::FollowUpReport report;
  s = followup->CreateFollowUpReport(As(analyst).get(), report_request,
                                     &report);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(report.totals().total(), 1);
  EXPECT_EQ(report.totals().on_track(), 1) << report.DebugString();

  // The ESDH connector, on PostgreSQL too, indexed the case.
  auto esdh = ev1::EsdhConnectorService::NewStub(channel);
  ev1::LookupEsdhCaseRequest lookup;
  lookup.set_parent("municipalities/190");
  lookup.set_case_number("18/12386");
  ev1::LookupEsdhCaseResponse found;
  absl::Time end = absl::Now() + absl::Seconds(20);
  do {
    s = esdh->LookupEsdhCase(As(editor).get(), lookup, &found);
    ASSERT_TRUE(s.ok()) << s.error_message();
    if (found.members_size() >= 3) break;
    absl::SleepFor(absl::Milliseconds(100));
  } while (absl::Now() < end);
  EXPECT_GE(found.members_size(), 3) << found.DebugString();
}

}  // namespace
}  // namespace kommune::testing
