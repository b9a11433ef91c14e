// End to end through the gateway: the Høje-Taastrup policy of domain/001
// imported, indicators made from its success criteria, measurements over
// several years, and the follow-up report read and published, as the
// municipality's staff and the public meet it.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kommune/followup/v1/followup_service.grpc.pb.h"
#include "kommune/policy/v1/policy_service.grpc.pb.h"
#include "tests/gateway_stack.h"

namespace kommune::testing {
namespace {

namespace fv1 = ::kommune::followup::v1;
namespace pv1 = ::kommune::policy::v1;
using json = nlohmann::json;

constexpr char kParent[] = "municipalities/169";
constexpr char kPolicy[] = "municipalities/169/policies/integration-2007";

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

common::v1::Date Day(int y, int m, int d) {
  common::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

class FollowUpGatewayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new GatewayStack();
    absl::Status started = stack_->Start();
    ASSERT_TRUE(started.ok()) << started;
    // The policy of domain/001, imported as a draft by an editor.
    auto policies = pv1::PolicyService::NewStub(stack_->Channel());
    pv1::ImportPolicyRequest import;
    import.set_parent(kParent);
    import.set_policy_id("integration-2007");
    import.set_format(pv1::DOCUMENT_FORMAT_PLAIN_TEXT);
    import.set_document(ReadText(std::string(KOMMUNE_FIXTURES_DIR) +
                                 "/domain/001_e954513d7125136f.txt"));
    pv1::ImportPolicyResponse imported;
    grpc::ClientContext context;
    context.AddMetadata("authorization",
                        "Bearer " + stack_->Token({"169"}, {"editor"}));
    grpc::Status s = policies->ImportPolicy(&context, import, &imported);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!token.empty())
      context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }
  std::string Analyst() {
    return stack_->Token({"169"}, {"analyst"}, "analytiker@htk.dk");
  }
  std::unique_ptr<fv1::FollowUpService::Stub> Stub() {
    return fv1::FollowUpService::NewStub(stack_->Channel());
  }

  static GatewayStack* stack_;
};

GatewayStack* FollowUpGatewayTest::stack_ = nullptr;

// The proposal for the criterion whose text contains `phrase`.
const fv1::IndicatorProposal* Find(const fv1::ProposeIndicatorsResponse& all,
                                   absl::string_view phrase) {
  for (const fv1::IndicatorProposal& p : all.proposals()) {
    if (absl::StrContains(p.indicator().criteria(0).criterion_text(), phrase)) {
      return &p;
    }
  }
  return nullptr;
}

TEST_F(FollowUpGatewayTest, IndicatorsMeasurementsAndThePublishedReport) {
  auto stub = Stub();
  fv1::ProposeIndicatorsRequest propose;
  propose.set_policy_name(kPolicy);
  fv1::ProposeIndicatorsResponse proposals;
  grpc::Status s =
      stub->ProposeIndicators(As(Analyst()).get(), propose, &proposals);
  ASSERT_TRUE(s.ok()) << s.error_message();
  // domain/001 has success criteria of every kind; the entrepreneurs'
  // count ("40 etniske iværksættere ... inden 2010") must be among them.
  ASSERT_GE(proposals.proposals_size(), 8);
  const fv1::IndicatorProposal* entrepreneurs = Find(proposals, "iværksættere");
  ASSERT_NE(entrepreneurs, nullptr);
  EXPECT_EQ(entrepreneurs->indicator().kind(),
            fv1::INDICATOR_KIND_COUNT_BY_DEADLINE);
  EXPECT_EQ(entrepreneurs->indicator().target().value(), 40);
  EXPECT_EQ(entrepreneurs->indicator().target().deadline().year(), 2009);

  // A person confirms the proposal, adding what the text does not say.
  fv1::CreateIndicatorRequest create;
  create.set_parent(kParent);
  create.set_indicator_id("etniske-ivaerksaettere");
  *create.mutable_indicator() = entrepreneurs->indicator();
  create.mutable_indicator()->set_display_name(
      "Etniske iværksættere etableret");
  create.mutable_indicator()->set_aggregation(fv1::AGGREGATION_SUM);
  create.mutable_indicator()->mutable_owner_committee()->set_display_name(
      "Erhvervsudvalget");
  create.mutable_indicator()->set_data_source("Erhvervsservice");
  *create.mutable_indicator()
       ->mutable_follow_up_period()
       ->mutable_start_date() = Day(2007, 1, 1);
  *create.mutable_indicator()->mutable_follow_up_period()->mutable_end_date() =
      Day(2011, 12, 31);
  create.set_request_id("create-entrepreneurs");
  fv1::Indicator indicator;
  s = stub->CreateIndicator(As(Analyst()).get(), create, &indicator);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(indicator.name(),
            "municipalities/169/indicators/etniske-ivaerksaettere");
  EXPECT_FALSE(indicator.criteria(0).focus_area_title().empty());

  // A criterion that is not in the policy is refused by name.
  fv1::CreateIndicatorRequest wrong = create;
  wrong.set_indicator_id("findes-ikke");
  wrong.clear_request_id();
  wrong.mutable_indicator()->mutable_criteria(0)->set_criterion_id(
      "criterion-99-99");
  fv1::Indicator refused;
  s = stub->CreateIndicator(As(Analyst()).get(), wrong, &refused);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "criterion_id"))
      << s.error_message();

  // Three years of new entrepreneurs: 12, 11 and 9 add up to 32 by 2009.
  fv1::BatchRecordMeasurementsRequest batch;
  batch.set_parent(kParent);
  batch.set_request_id("values-2007-2009");
  for (auto [year, value] : {std::pair{2007, 12}, {2008, 11}, {2009, 9}}) {
    fv1::RecordMeasurementRequest* r = batch.add_requests();
    r->set_indicator_name(indicator.name());
    r->mutable_measurement()->set_period(absl::StrCat(year));
    r->mutable_measurement()->set_value(value);
    r->mutable_measurement()->set_source("Erhvervsservice");
  }
  fv1::BatchRecordMeasurementsResponse recorded;
  s = stub->BatchRecordMeasurements(As(Analyst()).get(), batch, &recorded);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(recorded.measurements_size(), 3);
  EXPECT_EQ(recorded.measurements(0).entered_by(), "analytiker@htk.dk");

  // A value outside the follow-up period, and a non-number, are refused.
  fv1::BatchRecordMeasurementsRequest outside;
  outside.set_parent(kParent);
  fv1::RecordMeasurementRequest* r = outside.add_requests();
  r->set_indicator_name(indicator.name());
  r->mutable_measurement()->set_period("2015");
  r->mutable_measurement()->set_value(3);
  s = stub->BatchRecordMeasurements(As(Analyst()).get(), outside, &recorded);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "requests[0].measurement"))
      << s.error_message();
  r->mutable_measurement()->set_period("2010");
  r->mutable_measurement()->set_value(std::nan(""));
  s = stub->BatchRecordMeasurements(As(Analyst()).get(), outside, &recorded);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // On 31 December 2009 the deadline has come with 32 of 40: missed.
  fv1::GetIndicatorStatusRequest status_request;
  status_request.set_name(indicator.name());
  *status_request.mutable_as_of() = Day(2009, 12, 31);
  fv1::IndicatorStatus status;
  s = stub->GetIndicatorStatus(As(Analyst()).get(), status_request, &status);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(status.latest_value(), 32);
  EXPECT_EQ(status.target_value(), 40);

  // The report of 2010, made, published and read by anyone.
  fv1::CreateFollowUpReportRequest report_request;
  report_request.set_parent(kParent);
  report_request.set_follow_up_report_id("redegoerelse-2010");
  report_request.mutable_follow_up_report()->set_policy_name(kPolicy);
  report_request.mutable_follow_up_report()->set_display_name(
      "Årlig redegørelse 2010");
  *report_request.mutable_follow_up_report()->mutable_as_of() = Day(2010, 3, 1);
  fv1::FollowUpReport report;
  s = stub->CreateFollowUpReport(As(Analyst()).get(), report_request, &report);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(report.state(), fv1::REPORT_STATE_DRAFT);
  ASSERT_GE(report.focus_areas_size(), 1);
  EXPECT_EQ(report.totals().total(), 1);

  fv1::GetFollowUpReportRequest get;
  get.set_name(report.name());
  fv1::FollowUpReport read;
  s = stub->GetFollowUpReport(As("").get(), get, &read);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "a draft is not public";

  fv1::PublishFollowUpReportRequest publish;
  publish.set_name(report.name());
  s = stub->PublishFollowUpReport(As(Analyst()).get(), publish, &read);
  ASSERT_TRUE(s.ok()) << s.error_message();
  s = stub->GetFollowUpReport(As("").get(), get, &read);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(read.state(), fv1::REPORT_STATE_PUBLISHED);

  // The published page over the gateway's JSON side, without a token.
  GatewayStack::HttpAnswer page = stack_->PostJson(
      "/kommune.followup.v1.FollowUpService/ExportFollowUpReport",
      json{{"name", report.name()}, {"format", "REPORT_FORMAT_HTML"}}.dump());
  ASSERT_EQ(page.status, 200) << page.body;
  json exported = json::parse(page.body);
  std::string html = exported.value("document", "");
  EXPECT_TRUE(absl::StrContains(html, "<svg")) << html.substr(0, 400);
  EXPECT_TRUE(absl::StrContains(html, "Etniske iværksættere etableret"));
}

TEST_F(FollowUpGatewayTest, CsvImportThroughTheGateway) {
  auto stub = Stub();
  fv1::CreateIndicatorRequest create;
  create.set_parent(kParent);
  create.set_indicator_id("mentorordninger");
  fv1::Indicator* in = create.mutable_indicator();
  in->set_display_name("Mentorordninger om året");
  fv1::CriterionReference* c = in->add_criteria();
  c->set_policy_name(kPolicy);
  // Any criterion of the policy will do for the import's sake.
  fv1::ProposeIndicatorsRequest propose;
  propose.set_policy_name(kPolicy);
  fv1::ProposeIndicatorsResponse proposals;
  ASSERT_TRUE(
      stub->ProposeIndicators(As(Analyst()).get(), propose, &proposals).ok());
  ASSERT_GT(proposals.proposals_size(), 0);
  c->set_criterion_id(proposals.proposals(proposals.proposals_size() - 1)
                          .indicator()
                          .criteria(0)
                          .criterion_id());
  in->set_kind(fv1::INDICATOR_KIND_RATE_PER_PERIOD);
  in->set_unit("mentorordninger");
  in->set_reporting_period(fv1::REPORTING_PERIOD_YEAR);
  in->mutable_target()->set_value(30);
  *in->mutable_follow_up_period()->mutable_start_date() = Day(2007, 1, 1);
  *in->mutable_follow_up_period()->mutable_end_date() = Day(2012, 12, 31);
  fv1::Indicator indicator;
  grpc::Status s =
      stub->CreateIndicator(As(Analyst()).get(), create, &indicator);
  ASSERT_TRUE(s.ok()) << s.error_message();

  fv1::ImportMeasurementsRequest import;
  import.set_parent(kParent);
  import.set_csv(
      "\xEF\xBB\xBFindicator_id;period;value;note\n"
      "mentorordninger;2007;31;\n"
      "mentorordninger;2008;\"28,5\";gennemsnit\n");
  fv1::ImportMeasurementsResponse imported;
  s = stub->ImportMeasurements(As(Analyst()).get(), import, &imported);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(imported.imported_count(), 2);

  // A wrong header names the column; nothing more is imported.
  import.set_csv("indikator;periode;vaerdi\nmentorordninger;2009;40\n");
  s = stub->ImportMeasurements(As(Analyst()).get(), import, &imported);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "csv")) << s.error_message();

  fv1::ListMeasurementsRequest list;
  list.set_parent(indicator.name());
  fv1::ListMeasurementsResponse values;
  ASSERT_TRUE(stub->ListMeasurements(As(Analyst()).get(), list, &values).ok());
  ASSERT_EQ(values.measurements_size(), 2);
  EXPECT_DOUBLE_EQ(values.measurements(1).value(), 28.5);

  // 100 MB of garbage never reaches the service: the gateway refuses it by
  // size, and nothing is imported.
  import.set_csv(std::string(100 << 20, '\x9f'));
  s = stub->ImportMeasurements(As(Analyst()).get(), import, &imported);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();
  ASSERT_TRUE(stub->ListMeasurements(As(Analyst()).get(), list, &values).ok());
  EXPECT_EQ(values.measurements_size(), 2);

  // Another municipality's analyst sees none of it.
  fv1::ListMeasurementsResponse foreign;
  s = stub->ListMeasurements(As(stack_->Token({"101"}, {"analyst"})).get(),
                             list, &foreign);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace kommune::testing
