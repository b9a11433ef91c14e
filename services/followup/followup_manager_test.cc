// FollowUpManager over a real store, on both engines, with a fake policy
// service holding Høje-Taastrup's integration policy.
#include "services/followup/followup_manager.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kommune/common/v1/change_feed.pb.h"
#include "services/common/change_feed_migrations.h"
#include "services/common/embedded_file.h"
#include "services/common/event_log.h"
#include "services/common/migrations.h"
#include "services/common/test_support.h"
#include "services/common/time_zone.h"

namespace kommune::followup {

// Defined by the build from migrations/.
std::vector<EmbeddedFile> FollowUpMigrationFiles();

namespace {

using ::kommune::testing::Caller;
using ::kommune::testing::EngineTest;
using ::testing::DoubleEq;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr char kParent[] = "municipalities/169";
constexpr char kPolicy[] = "municipalities/169/policies/integration";
// The same policy text in two more municipalities, for the catalogue.
constexpr char kKbhPolicy[] = "municipalities/101/policies/integration";
constexpr char kFuresoPolicy[] = "municipalities/190/policies/integration";

// The policy's success criteria, in the policy's order.
constexpr char kParityCriterion[] = "kriterie-beskaeftigelse";
constexpr char kCountCriterion[] = "kriterie-ivaerksaettere";
constexpr char kQualitativeCriterion[] = "kriterie-samarbejde";
constexpr char kShareCriterion[] = "kriterie-uddannelse";
constexpr char kAbsenceCriterion[] = "kriterie-fravaer";

constexpr char kCountText[] =
    "Der skal etableres 40 nye virksomheder af etniske iværksættere inden "
    "udgangen af 2011.";
constexpr char kJobTitle[] = "Beskæftigelse og uddannelse";
constexpr char kChildrenTitle[] = "Børn og unge";

constexpr char kBusinessCommittee[] = "Erhvervs- og Beskæftigelsesudvalget";
constexpr char kChildrenCommittee[] = "Børne- og Ungdomsudvalget";
constexpr char kFinanceCommittee[] = "Økonomiudvalget";

constexpr char kCountName[] =
    "municipalities/169/indicators/etniske-ivaerksaettere";
constexpr char kParityName[] =
    "municipalities/169/indicators/beskaeftigelse-indvandrere";
constexpr char kShareName[] =
    "municipalities/169/indicators/uddannelse-tosprogede";
constexpr char kQualitativeName[] =
    "municipalities/169/indicators/samarbejde-virksomheder";
constexpr char kCountDisplayName[] = "Etniske iværksættere etableret";

constexpr char kCatalogue[] = "catalogueIndicators/beskaeftigelse-indvandrere";

const Identity kAnalyst = Caller("169", {Role::kAnalyst}, "analytiker@169");
const Identity kViewer = Caller("169", {Role::kViewer}, "viewer@169");
const Identity kAdmin = Caller("169", {Role::kAdmin}, "admin@169");
const Identity kKbhAnalyst = Caller("101", {Role::kAnalyst}, "analytiker@101");
const Identity kFuresoAnalyst =
    Caller("190", {Role::kAnalyst}, "analytiker@190");
const Identity kAnonymous;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInfinity = std::numeric_limits<double>::infinity();

common::v1::Date Day(int y, int m, int d) {
  common::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

// A Copenhagen wall-clock time.
absl::Time At(int y, int m, int d, int hh = 12) {
  return absl::FromCivil(absl::CivilHour(y, m, d, hh), *CopenhagenZone());
}

// The code and a message that starts with the field it is about.
void ExpectError(const absl::Status& status, absl::StatusCode code,
                 const std::string& field) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_THAT(std::string(status.message()), StartsWith(field + ":")) << status;
}
template <typename T>
void ExpectError(const absl::StatusOr<T>& result, absl::StatusCode code,
                 const std::string& field) {
  ExpectError(result.status(), code, field);
}

// ---------------------------------------------------------------------------
// The policy service.

policy::v1::SuccessCriterion* AddCriterion(
    google::protobuf::RepeatedPtrField<policy::v1::SuccessCriterion>* list,
    const std::string& id, const std::string& label, const std::string& text) {
  policy::v1::SuccessCriterion* c = list->Add();
  c->set_id(id);
  c->set_label(label);
  c->set_text(text);
  return c;
}

// Høje-Taastrup's integration policy 2008-2011: two focus areas, their
// success criteria nested in the area, a strategy and action items; four of
// the five with a measurable reading.
policy::v1::Policy IntegrationPolicy(const std::string& name) {
  using Reading = policy::v1::MeasurableReading;
  policy::v1::Policy p;
  p.set_name(name);
  p.set_display_name("Integrationspolitik 2008-2011");
  p.set_revision_id("3");
  p.set_state(policy::v1::POLICY_STATE_ADOPTED);
  *p.mutable_period()->mutable_start_date() = Day(2008, 1, 1);
  *p.mutable_period()->mutable_end_date() = Day(2011, 12, 31);

  policy::v1::FocusArea* job = p.mutable_content()->add_focus_areas();
  job->set_id("beskaeftigelse");
  job->set_title(kJobTitle);
  Reading* parity =
      AddCriterion(job->mutable_success_criteria(), kParityCriterion, "1.1",
                   "Beskæftigelsesfrekvensen for indvandrere og efterkommere "
                   "skal svare til resten af kommunens.")
          ->mutable_proposed_reading();
  parity->set_kind(Reading::KIND_PARITY);
  parity->set_unit("%");
  parity->set_baseline("resten af kommunen");
  policy::v1::Strategy* strategy = job->add_strategies();
  strategy->set_id("strategi-1-1");
  strategy->set_number(1);
  Reading* count = AddCriterion(strategy->mutable_success_criteria(),
                                kCountCriterion, "1.2", kCountText)
                       ->mutable_proposed_reading();
  count->set_kind(Reading::KIND_COUNT_BY_DEADLINE);
  count->set_target_value(40);
  count->set_unit("iværksættere");
  *count->mutable_deadline() = Day(2011, 12, 31);
  count->set_start_year(2008);
  policy::v1::ActionItem* item = strategy->add_action_items();
  item->set_id("handling-1-1-1");
  AddCriterion(item->mutable_success_criteria(), kQualitativeCriterion, "1.3",
               "Samarbejdet med de lokale virksomheder skal styrkes.");

  policy::v1::FocusArea* children = p.mutable_content()->add_focus_areas();
  children->set_id("boern");
  children->set_title(kChildrenTitle);
  Reading* share =
      AddCriterion(children->mutable_success_criteria(), kShareCriterion, "2.1",
                   "Mindst 80 % af de tosprogede unge skal gennemføre en "
                   "ungdomsuddannelse inden udgangen af 2012.")
          ->mutable_proposed_reading();
  share->set_kind(Reading::KIND_SHARE_AT_LEAST);
  share->set_target_value(80);
  share->set_unit("%");
  *share->mutable_deadline() = Day(2012, 12, 31);
  policy::v1::ActionItem* absence = children->add_action_items();
  absence->set_id("handling-2-1");
  Reading* halve =
      AddCriterion(absence->mutable_success_criteria(), kAbsenceCriterion,
                   "2.2",
                   "Fraværet blandt tosprogede elever skal halveres inden "
                   "udgangen af 2011.")
          ->mutable_proposed_reading();
  halve->set_kind(Reading::KIND_RELATIVE_CHANGE);
  halve->set_relative_change(-0.5);
  halve->set_unit("%");
  halve->set_per_period("month");
  *halve->mutable_deadline() = Day(2011, 12, 31);
  return p;
}

// The policy service as the follow-up service sees it: Høje-Taastrup's
// policy (and the same text in København and Furesø, for comparisons);
// NOT_FOUND for any other name.
class FakePolicyClient : public PolicyClient {
 public:
  FakePolicyClient() {
    for (const char* name : {kPolicy, kKbhPolicy, kFuresoPolicy}) {
      policies_[name] = IntegrationPolicy(name);
    }
  }

  absl::StatusOr<policy::v1::Policy> GetPolicy(
      const Identity&, const std::string& name) override {
    auto it = policies_.find(name);
    if (it == policies_.end()) {
      return absl::NotFoundError(absl::StrCat("no policy '", name, "'"));
    }
    return it->second;
  }
  absl::StatusOr<policy::v1::Policy> SendToHearing(
      const Identity&, const std::string&) override {
    return absl::UnimplementedError("not used");
  }
  absl::StatusOr<policy::v1::Policy> Adopt(const Identity&, const std::string&,
                                           const common::v1::Date&) override {
    return absl::UnimplementedError("not used");
  }

 private:
  std::map<std::string, policy::v1::Policy> policies_;
};

// ---------------------------------------------------------------------------
// Indicators.

v1::CriterionReference Criterion(const std::string& id,
                                 const std::string& policy = kPolicy) {
  v1::CriterionReference c;
  c.set_policy_name(policy);
  c.set_criterion_id(id);
  return c;
}

// Fields every test indicator shares: yearly, followed up 2008-2012.
v1::Indicator BaseIndicator(const std::string& display_name,
                            const std::string& criterion,
                            v1::IndicatorKind kind, const std::string& unit,
                            const std::string& committee) {
  v1::Indicator in;
  in.set_display_name(display_name);
  *in.add_criteria() = Criterion(criterion);
  in.set_kind(kind);
  in.set_unit(unit);
  in.set_reporting_period(v1::REPORTING_PERIOD_YEAR);
  in.mutable_owner_committee()->set_kind(common::v1::BODY_KIND_COMMITTEE);
  in.mutable_owner_committee()->set_display_name(committee);
  *in.mutable_follow_up_period()->mutable_start_date() = Day(2008, 1, 1);
  *in.mutable_follow_up_period()->mutable_end_date() = Day(2012, 12, 31);
  return in;
}

// 40 new businesses by 31.12.2011, from 10 in 2008.
v1::Indicator CountIndicator() {
  v1::Indicator in = BaseIndicator(kCountDisplayName, kCountCriterion,
                                   v1::INDICATOR_KIND_COUNT_BY_DEADLINE,
                                   "iværksættere", kBusinessCommittee);
  in.mutable_baseline()->set_value(10);
  *in.mutable_baseline()->mutable_date() = Day(2008, 1, 1);
  in.mutable_target()->set_value(40);
  *in.mutable_target()->mutable_deadline() = Day(2011, 12, 31);
  in.set_measure_type(v1::MEASURE_TYPE_ACTIVITY);
  in.set_data_source("Erhvervsservice");
  return in;
}

// The employment rate of immigrants against the rest of the municipality.
v1::Indicator ParityIndicator() {
  v1::Indicator in =
      BaseIndicator("Beskæftigelsesfrekvens for indvandrere", kParityCriterion,
                    v1::INDICATOR_KIND_PARITY, "%", kBusinessCommittee);
  in.mutable_target()->set_parity_bound(v1::PARITY_BOUND_WITHIN_TOLERANCE);
  in.mutable_target()->set_tolerance(2);
  in.set_measure_type(v1::MEASURE_TYPE_OUTCOME);
  in.set_data_source("Danmarks Statistik, RAS200");
  return in;
}

// At least 80 % with an upper secondary education by 31.12.2012.
v1::Indicator ShareIndicator() {
  v1::Indicator in =
      BaseIndicator("Tosprogede unge med ungdomsuddannelse", kShareCriterion,
                    v1::INDICATOR_KIND_SHARE_AT_LEAST, "%", kChildrenCommittee);
  in.mutable_baseline()->set_value(60);
  *in.mutable_baseline()->mutable_date() = Day(2008, 1, 1);
  in.mutable_target()->set_value(80);
  *in.mutable_target()->mutable_deadline() = Day(2012, 12, 31);
  in.set_measure_type(v1::MEASURE_TYPE_OUTCOME);
  return in;
}

v1::Indicator QualitativeIndicator() {
  return BaseIndicator("Samarbejde med virksomhederne", kQualitativeCriterion,
                       v1::INDICATOR_KIND_QUALITATIVE, "", kBusinessCommittee);
}

// ---------------------------------------------------------------------------
// Requests.

v1::RecordMeasurementRequest Value(const std::string& indicator,
                                   const std::string& period, double value,
                                   v1::Series series = v1::SERIES_UNSPECIFIED) {
  v1::RecordMeasurementRequest r;
  r.set_indicator_name(indicator);
  r.mutable_measurement()->set_period(period);
  r.mutable_measurement()->set_value(value);
  r.mutable_measurement()->set_series(series);
  return r;
}

v1::RecordMeasurementRequest Assessed(const std::string& indicator,
                                      const std::string& period,
                                      v1::Status status,
                                      const std::string& note) {
  v1::RecordMeasurementRequest r;
  r.set_indicator_name(indicator);
  r.mutable_measurement()->set_period(period);
  r.mutable_measurement()->mutable_assessment()->set_status(status);
  r.mutable_measurement()->mutable_assessment()->set_note(note);
  return r;
}

std::string ReadFixture(const std::string& relative) {
  std::ifstream in(absl::StrCat(KOMMUNE_FIXTURES_DIR, "/", relative),
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

v1::StatBankMapping Ras200Mapping() {
  v1::StatBankMapping m;
  m.set_indicator_name(kParityName);
  m.set_series_column("HERKOMST");
  m.set_target_group_value("Indvandrere fra ikke-vestlige lande");
  m.set_reference_group_value("Personer med dansk oprindelse");
  (*m.mutable_filters())["OMRÅDE"] = "Høje-Taastrup";
  (*m.mutable_filters())["ALDER"] = "16-64 år";
  return m;
}

// ---------------------------------------------------------------------------
// The fixture.

class FollowUpManagerTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (db_ == nullptr) return;
    ASSERT_TRUE(ApplyChangeFeedMigrations(*db_).ok());
    ASSERT_TRUE(
        ApplyMigrations(*db_, "followup", FollowUpMigrationFiles()).ok());
    store_ = std::make_unique<FollowUpStore>(db_, &events_);
    manager_ = std::make_unique<FollowUpManager>(store_.get(), &policies_,
                                                 [this] { return now_; });
  }

  absl::StatusOr<v1::Indicator> Create(const v1::Indicator& indicator,
                                       const std::string& id,
                                       const Identity& who = kAnalyst,
                                       const std::string& parent = kParent,
                                       const std::string& request_id = "") {
    v1::CreateIndicatorRequest r;
    r.set_parent(parent);
    r.set_indicator_id(id);
    *r.mutable_indicator() = indicator;
    r.set_request_id(request_id);
    return manager_->CreateIndicator(who, r);
  }

  // Creates an indicator that must be valid; returns it.
  v1::Indicator MustCreate(const v1::Indicator& indicator,
                           const std::string& id,
                           const Identity& who = kAnalyst,
                           const std::string& parent = kParent) {
    absl::StatusOr<v1::Indicator> created = Create(indicator, id, who, parent);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.value_or(v1::Indicator());
  }

  absl::StatusOr<v1::BatchRecordMeasurementsResponse> Record(
      const std::vector<v1::RecordMeasurementRequest>& values,
      const std::string& request_id = "", const Identity& who = kAnalyst,
      const std::string& parent = kParent) {
    v1::BatchRecordMeasurementsRequest r;
    r.set_parent(parent);
    for (const auto& v : values) *r.add_requests() = v;
    r.set_request_id(request_id);
    return manager_->Record(who, r);
  }

  void MustRecord(const std::vector<v1::RecordMeasurementRequest>& values,
                  const Identity& who = kAnalyst,
                  const std::string& parent = kParent) {
    auto recorded = Record(values, "", who, parent);
    EXPECT_TRUE(recorded.ok()) << recorded.status();
  }

  std::vector<v1::Measurement> Measurements(const std::string& indicator,
                                            bool show_superseded = false) {
    v1::ListMeasurementsRequest r;
    r.set_parent(indicator);
    r.set_show_superseded(show_superseded);
    auto listed = manager_->ListMeasurements(kViewer, r);
    EXPECT_TRUE(listed.ok()) << listed.status();
    if (!listed.ok()) return {};
    return {listed->measurements().begin(), listed->measurements().end()};
  }

  // (period, series, value) of the current values, for compact checks.
  std::vector<std::tuple<std::string, v1::Series, double>> Values(
      const std::string& indicator) {
    std::vector<std::tuple<std::string, v1::Series, double>> out;
    for (const v1::Measurement& m : Measurements(indicator)) {
      out.emplace_back(m.period(), m.series(), m.value());
    }
    return out;
  }

  std::vector<std::string> IndicatorNames(const std::string& parent = kParent,
                                          const Identity& who = kViewer) {
    v1::ListIndicatorsRequest r;
    r.set_parent(parent);
    auto listed = manager_->ListIndicators(who, r);
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::vector<std::string> names;
    if (listed.ok()) {
      for (const auto& in : listed->indicators()) names.push_back(in.name());
    }
    return names;
  }

  absl::StatusOr<v1::ImportMeasurementsResponse> Import(
      const std::string& csv, bool skip_bad_rows = false,
      const std::string& request_id = "") {
    v1::ImportMeasurementsRequest r;
    r.set_parent(kParent);
    r.set_csv(csv);
    r.set_layout(v1::CSV_LAYOUT_MEASUREMENTS);
    r.set_skip_bad_rows(skip_bad_rows);
    r.set_request_id(request_id);
    r.set_source("Jobcentrets fagsystem");
    return manager_->Import(kAnalyst, r);
  }

  absl::StatusOr<v1::IndicatorStatus> Status(
      const std::string& indicator,
      const common::v1::Date& as_of = common::v1::Date()) {
    v1::GetIndicatorStatusRequest r;
    r.set_name(indicator);
    *r.mutable_as_of() = as_of;
    return manager_->GetStatus(kViewer, r);
  }

  absl::StatusOr<v1::RecomputeStatusesResponse> Recompute(
      const common::v1::Date& as_of) {
    v1::RecomputeStatusesRequest r;
    r.set_parent(kParent);
    *r.mutable_as_of() = as_of;
    return manager_->Recompute(kAnalyst, r);
  }

  std::vector<common::v1::Event> Events(const std::string& code = "169") {
    auto events = events_.List(*db_, {code}, 0, 1000);
    EXPECT_TRUE(events.ok()) << events.status();
    return events.value_or(std::vector<common::v1::Event>());
  }

  std::vector<std::string> EventTypes(const std::string& code = "169") {
    std::vector<std::string> types;
    for (const auto& e : Events(code)) types.push_back(e.type());
    return types;
  }

  // The payloads of "indicator.status_changed" events, oldest first.
  std::vector<v1::IndicatorStatus> AnnouncedStatuses() {
    std::vector<v1::IndicatorStatus> out;
    for (const common::v1::Event& e : Events()) {
      if (e.type() != "indicator.status_changed") continue;
      v1::IndicatorStatus status;
      EXPECT_TRUE(e.payload().UnpackTo(&status)) << e.payload().type_url();
      EXPECT_EQ(e.resource(), status.indicator_name());
      out.push_back(status);
    }
    return out;
  }

  absl::StatusOr<v1::FollowUpReport> CreateReport(const std::string& id) {
    v1::CreateFollowUpReportRequest r;
    r.set_parent(kParent);
    r.set_follow_up_report_id(id);
    r.mutable_follow_up_report()->set_policy_name(kPolicy);
    r.mutable_follow_up_report()->set_display_name("Årlig redegørelse 2009");
    *r.mutable_follow_up_report()->mutable_as_of() = Day(2010, 6, 1);
    return manager_->CreateReport(kAnalyst, r);
  }

  absl::StatusOr<v1::FollowUpReport> GetReport(const Identity& who,
                                               const std::string& name) {
    v1::GetFollowUpReportRequest r;
    r.set_name(name);
    return manager_->GetReport(who, r);
  }

  std::vector<std::string> ReportNames(const Identity& who) {
    v1::ListFollowUpReportsRequest r;
    r.set_parent(kParent);
    auto listed = manager_->ListReports(who, r);
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::vector<std::string> names;
    if (listed.ok()) {
      for (const auto& report : listed->follow_up_reports()) {
        EXPECT_EQ(report.focus_areas_size(), 0);
        names.push_back(report.name());
      }
    }
    return names;
  }

  absl::StatusOr<v1::CatalogueIndicator> CreateCatalogue(const Identity& who) {
    v1::CreateCatalogueIndicatorRequest r;
    r.set_catalogue_indicator_id("beskaeftigelse-indvandrere");
    v1::CatalogueIndicator& c = *r.mutable_catalogue_indicator();
    c.set_display_name(
        "Beskæftigelsesfrekvens for 16-64-årige indvandrere og efterkommere");
    c.set_description("Andel i beskæftigelse, RAS200.");
    c.set_kind(v1::INDICATOR_KIND_PARITY);
    c.set_unit("%");
    c.set_reporting_period(v1::REPORTING_PERIOD_YEAR);
    c.set_data_source("Danmarks Statistik, RAS200");
    c.set_measure_type(v1::MEASURE_TYPE_OUTCOME);
    return manager_->CreateCatalogueIndicator(who, r);
  }

  absl::Time now_ = At(2010, 6, 15);
  EventLog events_;
  FakePolicyClient policies_;
  std::unique_ptr<FollowUpStore> store_;
  std::unique_ptr<FollowUpManager> manager_;
};

// ---------------------------------------------------------------------------
// ProposeIndicators.

TEST_P(FollowUpManagerTest, ProposesOneIndicatorPerCriterionInPolicyOrder) {
  v1::ProposeIndicatorsRequest r;
  r.set_policy_name(kPolicy);
  auto proposed = manager_->Propose(kAnalyst, r);
  ASSERT_TRUE(proposed.ok()) << proposed.status();
  std::vector<std::string> ids;
  std::vector<v1::IndicatorKind> kinds;
  for (const auto& p : proposed->proposals()) {
    ids.push_back(p.indicator_id());
    kinds.push_back(p.indicator().kind());
    ASSERT_EQ(p.indicator().criteria_size(), 1);
    EXPECT_EQ(p.indicator().criteria(0).policy_name(), kPolicy);
    EXPECT_EQ(p.indicator().criteria(0).criterion_id(), p.indicator_id());
    EXPECT_FALSE(p.open_questions().empty());
  }
  EXPECT_THAT(
      ids, ElementsAre(kParityCriterion, kCountCriterion, kQualitativeCriterion,
                       kShareCriterion, kAbsenceCriterion));
  EXPECT_THAT(kinds, ElementsAre(v1::INDICATOR_KIND_PARITY,
                                 v1::INDICATOR_KIND_COUNT_BY_DEADLINE,
                                 v1::INDICATOR_KIND_QUALITATIVE,
                                 v1::INDICATOR_KIND_SHARE_AT_LEAST,
                                 v1::INDICATOR_KIND_RELATIVE_CHANGE));

  const v1::Indicator& count = proposed->proposals(1).indicator();
  EXPECT_EQ(count.criteria(0).criterion_text(), kCountText);
  EXPECT_EQ(count.criteria(0).focus_area_id(), "beskaeftigelse");
  EXPECT_EQ(count.criteria(0).focus_area_title(), kJobTitle);
  EXPECT_EQ(count.unit(), "iværksættere");
  EXPECT_EQ(count.target().value(), 40);
  EXPECT_EQ(count.target().deadline().SerializeAsString(),
            Day(2011, 12, 31).SerializeAsString());
  EXPECT_EQ(count.reporting_period(), v1::REPORTING_PERIOD_YEAR);
  EXPECT_EQ(count.follow_up_period().start_date().year(), 2008);
  EXPECT_EQ(count.measure_type(), v1::MEASURE_TYPE_ACTIVITY);

  const v1::Indicator& parity = proposed->proposals(0).indicator();
  EXPECT_EQ(parity.target().parity_bound(), v1::PARITY_BOUND_WITHIN_TOLERANCE);
  EXPECT_EQ(parity.measure_type(), v1::MEASURE_TYPE_OUTCOME);

  const v1::Indicator& share = proposed->proposals(3).indicator();
  EXPECT_EQ(share.criteria(0).focus_area_id(), "boern");
  EXPECT_EQ(share.target().value(), 80);

  const v1::Indicator& absence = proposed->proposals(4).indicator();
  EXPECT_EQ(absence.target().relative_change(), -0.5);
  EXPECT_EQ(absence.direction(), v1::DIRECTION_LOWER_IS_BETTER);
  EXPECT_EQ(absence.reporting_period(), v1::REPORTING_PERIOD_MONTH);
  EXPECT_EQ(absence.criteria(0).focus_area_title(), kChildrenTitle);

  // Proposing writes nothing.
  EXPECT_THAT(IndicatorNames(), IsEmpty());
  EXPECT_THAT(EventTypes(), IsEmpty());
}

TEST_P(FollowUpManagerTest, ProposalsLeaveOutCriteriaWithAnIndicator) {
  v1::ProposeIndicatorsRequest r;
  r.set_policy_name(kPolicy);
  auto first = manager_->Propose(kAnalyst, r);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->proposals_size(), 5);
  // The count proposal is complete enough to create as it is.
  const v1::IndicatorProposal& count = first->proposals(1);
  ASSERT_EQ(count.indicator_id(), kCountCriterion);
  auto created = Create(count.indicator(), count.indicator_id());
  ASSERT_TRUE(created.ok()) << created.status();

  auto second = manager_->Propose(kAnalyst, r);
  ASSERT_TRUE(second.ok()) << second.status();
  std::vector<std::string> ids;
  for (const auto& p : second->proposals()) ids.push_back(p.indicator_id());
  EXPECT_THAT(ids, ElementsAre(kParityCriterion, kQualitativeCriterion,
                               kShareCriterion, kAbsenceCriterion));
}

TEST_P(FollowUpManagerTest, ProposeChecksCallerAndPolicy) {
  v1::ProposeIndicatorsRequest r;
  r.set_policy_name(kPolicy);
  ExpectError(manager_->Propose(kViewer, r),
              absl::StatusCode::kPermissionDenied, "policy_name");
  ExpectError(manager_->Propose(kAnonymous, r),
              absl::StatusCode::kUnauthenticated, "policy_name");
  ExpectError(manager_->Propose(kKbhAnalyst, r),
              absl::StatusCode::kPermissionDenied, "policy_name");
  r.set_policy_name("municipalities/169/policies/ukendt");
  ExpectError(manager_->Propose(kAnalyst, r), absl::StatusCode::kNotFound,
              "policy_name");
  r.set_policy_name("municipalities/169/policies/integration@3");
  ExpectError(manager_->Propose(kAnalyst, r),
              absl::StatusCode::kInvalidArgument, "policy_name");
}

// ---------------------------------------------------------------------------
// CreateIndicator.

TEST_P(FollowUpManagerTest, CreatesAnIndicatorWithCriteriaFromThePolicy) {
  v1::Indicator asked = CountIndicator();
  // Output-only fields sent in are ignored.
  asked.mutable_criteria(0)->set_criterion_text("forfalsket");
  asked.mutable_criteria(0)->set_focus_area_id("forkert");
  asked.set_etag("gammel");
  auto created = Create(asked, "etniske-ivaerksaettere");
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->name(), kCountName);
  EXPECT_EQ(created->display_name(), kCountDisplayName);
  ASSERT_EQ(created->criteria_size(), 1);
  EXPECT_EQ(created->criteria(0).criterion_text(), kCountText);
  EXPECT_EQ(created->criteria(0).focus_area_id(), "beskaeftigelse");
  EXPECT_EQ(created->criteria(0).focus_area_title(), kJobTitle);
  EXPECT_FALSE(created->etag().empty());
  EXPECT_NE(created->etag(), "gammel");
  EXPECT_EQ(created->create_time().seconds(), absl::ToUnixSeconds(now_));
  EXPECT_EQ(created->update_time().seconds(), absl::ToUnixSeconds(now_));

  v1::GetIndicatorRequest get;
  get.set_name(kCountName);
  auto got = manager_->GetIndicator(kViewer, get);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->SerializeAsString(), created->SerializeAsString());
  ExpectError(manager_->GetIndicator(kAnonymous, get),
              absl::StatusCode::kUnauthenticated, "name");
  ExpectError(manager_->GetIndicator(kKbhAnalyst, get),
              absl::StatusCode::kPermissionDenied, "name");

  std::vector<common::v1::Event> events = Events();
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].type(), "indicator.created");
  EXPECT_EQ(events[0].resource(), kCountName);
  EXPECT_EQ(events[0].actor(), kAnalyst.subject);
  v1::Indicator payload;
  ASSERT_TRUE(events[0].payload().UnpackTo(&payload));
  EXPECT_EQ(payload.etag(), created->etag());
  EXPECT_THAT(IndicatorNames(), ElementsAre(kCountName));
}

TEST_P(FollowUpManagerTest, RefusesCriteriaThePolicyDoesNotHave) {
  v1::Indicator in = CountIndicator();
  in.mutable_criteria(0)->set_criterion_id("kriterie-findes-ikke");
  auto s = Create(in, "etniske-ivaerksaettere");
  ExpectError(s, absl::StatusCode::kNotFound,
              "indicator.criteria[0].criterion_id");
  EXPECT_THAT(std::string(s.status().message()),
              HasSubstr("kriterie-findes-ikke"));

  in = CountIndicator();
  *in.add_criteria() = Criterion("kriterie-findes-ikke");
  ExpectError(Create(in, "etniske-ivaerksaettere"), absl::StatusCode::kNotFound,
              "indicator.criteria[1].criterion_id");

  in = CountIndicator();
  *in.mutable_criteria(0) = Criterion(kCountCriterion, kKbhPolicy);
  ExpectError(Create(in, "etniske-ivaerksaettere"),
              absl::StatusCode::kInvalidArgument,
              "indicator.criteria[0].policy_name");

  in = CountIndicator();
  *in.mutable_criteria(0) =
      Criterion(kCountCriterion, "municipalities/169/policies/ukendt");
  ExpectError(Create(in, "etniske-ivaerksaettere"), absl::StatusCode::kNotFound,
              "indicator.criteria[0].policy_name");

  in = CountIndicator();
  in.clear_criteria();
  ExpectError(Create(in, "etniske-ivaerksaettere"),
              absl::StatusCode::kInvalidArgument, "indicator.criteria");

  EXPECT_THAT(IndicatorNames(), IsEmpty());
  EXPECT_THAT(EventTypes(), IsEmpty());
}

TEST_P(FollowUpManagerTest, RefusesIndicatorsWithBadDatesOrNumbers) {
  struct Case {
    std::string what;
    v1::Indicator indicator;
    std::string field;
  };
  std::vector<Case> cases;
  {
    v1::Indicator in = CountIndicator();
    in.clear_follow_up_period();
    cases.push_back({"no follow-up period", in, "indicator.follow_up_period"});
  }
  {
    v1::Indicator in = CountIndicator();
    in.mutable_follow_up_period()->clear_end_date();
    cases.push_back(
        {"open follow-up period", in, "indicator.follow_up_period"});
  }
  {
    v1::Indicator in = CountIndicator();
    *in.mutable_target()->mutable_deadline() = Day(2007, 12, 31);
    cases.push_back(
        {"deadline before baseline", in, "indicator.target.deadline"});
  }
  {
    v1::Indicator in = CountIndicator();
    in.mutable_target()->clear_deadline();
    cases.push_back(
        {"count without deadline", in, "indicator.target.deadline"});
  }
  {
    v1::Indicator in = CountIndicator();
    *in.mutable_target()->mutable_deadline() = Day(2011, 2, 30);
    cases.push_back({"no such day", in, "indicator.target.deadline"});
  }
  {
    v1::Indicator in = CountIndicator();
    in.mutable_target()->set_value(kNaN);
    cases.push_back({"NaN target", in, "indicator.target.value"});
  }
  {
    v1::Indicator in = CountIndicator();
    in.mutable_target()->set_value(kInfinity);
    cases.push_back({"infinite target", in, "indicator.target.value"});
  }
  {
    v1::Indicator in = CountIndicator();
    in.mutable_baseline()->set_value(-kInfinity);
    cases.push_back({"infinite baseline", in, "indicator.baseline.value"});
  }
  {
    v1::Indicator in = CountIndicator();
    in.mutable_target()->set_value(-1);
    cases.push_back({"negative count", in, "indicator.target.value"});
  }
  {
    v1::Indicator in = ShareIndicator();
    in.mutable_target()->set_value(100.5);
    cases.push_back({"share over 100", in, "indicator.target.value"});
  }
  {
    v1::Indicator in = ShareIndicator();
    in.mutable_baseline()->set_value(120);
    cases.push_back(
        {"share baseline over 100", in, "indicator.baseline.value"});
  }
  {
    v1::Indicator in = CountIndicator();
    in.clear_kind();
    cases.push_back({"no kind", in, "indicator.kind"});
  }
  {
    v1::Indicator in = CountIndicator();
    in.clear_reporting_period();
    cases.push_back({"no reporting period", in, "indicator.reporting_period"});
  }
  {
    v1::Indicator in = CountIndicator();
    in.clear_display_name();
    cases.push_back({"no title", in, "indicator.display_name"});
  }
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ExpectError(Create(c.indicator, "etniske-ivaerksaettere"),
                absl::StatusCode::kInvalidArgument, c.field);
  }
  ExpectError(Create(CountIndicator(), "Etniske Iværksættere"),
              absl::StatusCode::kInvalidArgument, "indicator_id");
  ExpectError(Create(CountIndicator(), "etniske-ivaerksaettere", kAnalyst,
                     "kommuner/169"),
              absl::StatusCode::kInvalidArgument, "parent");
  EXPECT_THAT(IndicatorNames(), IsEmpty());
  EXPECT_THAT(EventTypes(), IsEmpty());
}

TEST_P(FollowUpManagerTest, RefusesADuplicateId) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  ExpectError(Create(ShareIndicator(), "etniske-ivaerksaettere"),
              absl::StatusCode::kAlreadyExists, "indicator_id");
  EXPECT_THAT(IndicatorNames(), ElementsAre(kCountName));
  EXPECT_THAT(EventTypes(), ElementsAre("indicator.created"));
  // The stored indicator is the first one.
  v1::GetIndicatorRequest get;
  get.set_name(kCountName);
  auto got = manager_->GetIndicator(kViewer, get);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->kind(), v1::INDICATOR_KIND_COUNT_BY_DEADLINE);
}

TEST_P(FollowUpManagerTest, CreateWithTheSameRequestIdCreatesOnce) {
  auto first = Create(CountIndicator(), "etniske-ivaerksaettere", kAnalyst,
                      kParent, "opret-1");
  ASSERT_TRUE(first.ok()) << first.status();
  now_ += absl::Minutes(5);
  auto second = Create(CountIndicator(), "etniske-ivaerksaettere", kAnalyst,
                       kParent, "opret-1");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->SerializeAsString(), first->SerializeAsString());
  EXPECT_THAT(IndicatorNames(), ElementsAre(kCountName));
  EXPECT_THAT(EventTypes(), ElementsAre("indicator.created"));
  // The id used for another request is refused.
  ExpectError(Create(ShareIndicator(), "uddannelse-tosprogede", kAnalyst,
                     kParent, "opret-1"),
              absl::StatusCode::kInvalidArgument, "request_id");
  EXPECT_THAT(IndicatorNames(), ElementsAre(kCountName));
}

TEST_P(FollowUpManagerTest, CreateNeedsAnAnalystOfTheMunicipality) {
  ExpectError(Create(CountIndicator(), "etniske-ivaerksaettere", kViewer),
              absl::StatusCode::kPermissionDenied, "parent");
  ExpectError(Create(CountIndicator(), "etniske-ivaerksaettere", kAnonymous),
              absl::StatusCode::kUnauthenticated, "parent");
  ExpectError(Create(CountIndicator(), "etniske-ivaerksaettere", kKbhAnalyst),
              absl::StatusCode::kPermissionDenied, "parent");
  EXPECT_THAT(IndicatorNames(), IsEmpty());
  // Admins may.
  EXPECT_TRUE(Create(CountIndicator(), "etniske-ivaerksaettere", kAdmin).ok());
}

// ---------------------------------------------------------------------------
// UpdateIndicator and DeleteIndicator.

TEST_P(FollowUpManagerTest, UpdatesOnlyTheMaskedFields) {
  v1::Indicator created =
      MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  now_ += absl::Hours(1);
  v1::UpdateIndicatorRequest r;
  *r.mutable_indicator() = created;
  r.mutable_indicator()->set_display_name(
      "Nye virksomheder ejet af indvandrere");
  r.mutable_indicator()->set_unit("virksomheder");  // not in the mask
  r.mutable_update_mask()->add_paths("display_name");
  auto updated = manager_->UpdateIndicator(kAnalyst, r);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->display_name(), "Nye virksomheder ejet af indvandrere");
  EXPECT_EQ(updated->unit(), "iværksættere");
  EXPECT_EQ(updated->criteria(0).criterion_text(), kCountText);
  EXPECT_NE(updated->etag(), created.etag());
  EXPECT_EQ(updated->create_time().seconds(), created.create_time().seconds());
  EXPECT_EQ(updated->update_time().seconds(), absl::ToUnixSeconds(now_));
  EXPECT_THAT(EventTypes(),
              ElementsAre("indicator.created", "indicator.updated"));

  // The etag read before the update is stale now.
  r.mutable_indicator()->set_display_name("Forældet ændring");
  ExpectError(manager_->UpdateIndicator(kAnalyst, r),
              absl::StatusCode::kAborted, "indicator.etag");
  v1::GetIndicatorRequest get;
  get.set_name(kCountName);
  auto got = manager_->GetIndicator(kViewer, get);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->display_name(), "Nye virksomheder ejet af indvandrere");
  EXPECT_EQ(got->etag(), updated->etag());

  // With the current etag it goes through.
  r.mutable_indicator()->set_etag(updated->etag());
  EXPECT_TRUE(manager_->UpdateIndicator(kAnalyst, r).ok());

  r.clear_update_mask();
  ExpectError(manager_->UpdateIndicator(kAnalyst, r),
              absl::StatusCode::kInvalidArgument, "update_mask");
  r.mutable_update_mask()->add_paths("name");
  ExpectError(manager_->UpdateIndicator(kAnalyst, r),
              absl::StatusCode::kInvalidArgument, "update_mask");
  r.mutable_update_mask()->clear_paths();
  r.mutable_update_mask()->add_paths("display_name");
  r.mutable_indicator()->clear_etag();
  ExpectError(manager_->UpdateIndicator(kViewer, r),
              absl::StatusCode::kPermissionDenied, "indicator.name");
  r.mutable_indicator()->set_name("municipalities/169/indicators/findes-ikke");
  ExpectError(manager_->UpdateIndicator(kAnalyst, r),
              absl::StatusCode::kNotFound, "indicator.name");
  // A masked field is validated like on create.
  r.mutable_indicator()->set_name(kCountName);
  r.mutable_update_mask()->add_paths("target");
  *r.mutable_indicator()->mutable_target()->mutable_deadline() =
      Day(2007, 1, 1);
  ExpectError(manager_->UpdateIndicator(kAnalyst, r),
              absl::StatusCode::kInvalidArgument, "indicator.target.deadline");
}

TEST_P(FollowUpManagerTest, KeepsKindOfAnIndicatorWithMeasurements) {
  v1::Indicator created =
      MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  MustRecord({Value(kCountName, "2009", 18)});
  v1::UpdateIndicatorRequest r;
  *r.mutable_indicator() = created;
  r.mutable_indicator()->set_reporting_period(v1::REPORTING_PERIOD_QUARTER);
  r.mutable_update_mask()->add_paths("reporting_period");
  ExpectError(manager_->UpdateIndicator(kAnalyst, r),
              absl::StatusCode::kFailedPrecondition,
              "indicator.reporting_period");
}

TEST_P(FollowUpManagerTest, DeletesOnlyIndicatorsWithoutMeasurements) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  v1::Indicator share = MustCreate(ShareIndicator(), "uddannelse-tosprogede");
  MustRecord({Value(kCountName, "2009", 18)});

  v1::DeleteIndicatorRequest r;
  r.set_name(kCountName);
  ExpectError(manager_->DeleteIndicator(kAnalyst, r),
              absl::StatusCode::kFailedPrecondition, "name");
  EXPECT_THAT(Values(kCountName),
              ElementsAre(std::tuple("2009", v1::SERIES_TARGET_GROUP, 18.0)));

  r.set_name(kShareName);
  ExpectError(manager_->DeleteIndicator(kViewer, r),
              absl::StatusCode::kPermissionDenied, "name");
  r.set_etag("forældet");
  ExpectError(manager_->DeleteIndicator(kAnalyst, r),
              absl::StatusCode::kAborted, "etag");
  r.set_etag(share.etag());
  EXPECT_TRUE(manager_->DeleteIndicator(kAnalyst, r).ok());
  EXPECT_THAT(IndicatorNames(), ElementsAre(kCountName));
  v1::GetIndicatorRequest get;
  get.set_name(kShareName);
  ExpectError(manager_->GetIndicator(kViewer, get), absl::StatusCode::kNotFound,
              "name");
  ExpectError(manager_->DeleteIndicator(kAnalyst, r),
              absl::StatusCode::kNotFound, "name");
  EXPECT_EQ(EventTypes().back(), "indicator.deleted");
}

// ---------------------------------------------------------------------------
// BatchRecordMeasurements and ListMeasurements.

TEST_P(FollowUpManagerTest, RecordsValuesOverSeveralYears) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  now_ += absl::Microseconds(123456);  // the time survives to the microsecond
  auto recorded =
      Record({Value(kCountName, "2010", 25), Value(kCountName, "2008", 10),
              Value(kCountName, "2009", 18)});
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  ASSERT_EQ(recorded->measurements_size(), 3);
  // In the order asked.
  const v1::Measurement& first = recorded->measurements(0);
  EXPECT_EQ(first.name(),
            absl::StrCat(kCountName, "/measurements/2010-target-group"));
  EXPECT_EQ(first.period(), "2010");
  EXPECT_EQ(first.series(), v1::SERIES_TARGET_GROUP);
  EXPECT_EQ(first.value(), 25);
  EXPECT_EQ(first.version(), 1);
  EXPECT_EQ(first.entered_by(), kAnalyst.subject);
  EXPECT_EQ(first.create_time().seconds(), absl::ToUnixSeconds(now_));
  EXPECT_FALSE(first.has_supersede_time());

  // Read back exactly as recorded, oldest period first.
  std::vector<v1::Measurement> listed = Measurements(kCountName);
  ASSERT_THAT(listed, SizeIs(3));
  EXPECT_EQ(listed[2].SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(listed[2].create_time().nanos(), 123456000);
  EXPECT_THAT(Values(kCountName),
              ElementsAre(std::tuple("2008", v1::SERIES_TARGET_GROUP, 10.0),
                          std::tuple("2009", v1::SERIES_TARGET_GROUP, 18.0),
                          std::tuple("2010", v1::SERIES_TARGET_GROUP, 25.0)));
  // One event per indicator and batch.
  std::vector<common::v1::Event> events = Events();
  int recorded_events = 0;
  for (const auto& e : events) {
    if (e.type() != "measurements.recorded") continue;
    ++recorded_events;
    EXPECT_EQ(e.resource(), kCountName);
  }
  EXPECT_EQ(recorded_events, 1);

  // Paging goes through every value once.
  v1::ListMeasurementsRequest page;
  page.set_parent(kCountName);
  page.set_page_size(2);
  auto one = manager_->ListMeasurements(kViewer, page);
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_EQ(one->measurements_size(), 2);
  ASSERT_FALSE(one->next_page_token().empty());
  page.set_page_token(one->next_page_token());
  auto two = manager_->ListMeasurements(kViewer, page);
  ASSERT_TRUE(two.ok()) << two.status();
  ASSERT_EQ(two->measurements_size(), 1);
  EXPECT_EQ(two->measurements(0).period(), "2010");
  EXPECT_TRUE(two->next_page_token().empty());
}

TEST_P(FollowUpManagerTest, ACorrectionSupersedesTheValueBefore) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  MustRecord({Value(kCountName, "2008", 10), Value(kCountName, "2009", 18)});
  absl::Time corrected_at = now_ + absl::Hours(2);
  now_ = corrected_at;
  auto corrected = Record({Value(kCountName, "2009", 21)});
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  ASSERT_EQ(corrected->measurements_size(), 1);
  EXPECT_EQ(corrected->measurements(0).version(), 2);

  std::vector<v1::Measurement> current = Measurements(kCountName);
  ASSERT_THAT(current, SizeIs(2));
  EXPECT_EQ(current[1].period(), "2009");
  EXPECT_EQ(current[1].value(), 21);
  EXPECT_EQ(current[1].version(), 2);
  EXPECT_FALSE(current[1].has_supersede_time());

  std::vector<v1::Measurement> all = Measurements(kCountName, true);
  ASSERT_THAT(all, SizeIs(3));
  EXPECT_EQ(all[0].period(), "2008");
  EXPECT_EQ(all[1].period(), "2009");
  EXPECT_EQ(all[1].version(), 1);
  EXPECT_EQ(all[1].value(), 18);
  ASSERT_TRUE(all[1].has_supersede_time());
  EXPECT_EQ(all[1].supersede_time().seconds(),
            absl::ToUnixSeconds(corrected_at));
  EXPECT_EQ(all[2].period(), "2009");
  EXPECT_EQ(all[2].version(), 2);
  EXPECT_EQ(all[2].value(), 21);
  EXPECT_FALSE(all[2].has_supersede_time());
  EXPECT_NE(all[1].name(), all[2].name());
  // The status reads the corrected value.
  auto status = Status(kCountName);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->latest_period(), "2009");
  EXPECT_EQ(status->latest_value(), 21);
}

TEST_P(FollowUpManagerTest, RefusesBadValuesNamingTheField) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  MustCreate(ShareIndicator(), "uddannelse-tosprogede");
  MustCreate(QualitativeIndicator(), "samarbejde-virksomheder");
  struct Case {
    std::string what;
    v1::RecordMeasurementRequest request;
    absl::StatusCode code;
    std::string field;
  };
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  v1::RecordMeasurementRequest no_assessment =
      Value(kQualitativeName, "2009", 1);
  v1::RecordMeasurementRequest no_note =
      Assessed(kQualitativeName, "2009", v1::STATUS_ON_TRACK, "");
  v1::RecordMeasurementRequest no_data =
      Assessed(kQualitativeName, "2009", v1::STATUS_NO_DATA, "Ingen tal");
  std::vector<Case> cases = {
      {"before the follow-up period", Value(kCountName, "2007", 5), kInvalid,
       "requests[0].measurement.period"},
      {"after the follow-up period", Value(kCountName, "2013", 5), kInvalid,
       "requests[0].measurement.period"},
      {"a month for a yearly indicator", Value(kCountName, "2009-05", 5),
       kInvalid, "requests[0].measurement.period"},
      {"a quarter for a yearly indicator", Value(kCountName, "2009-Q2", 5),
       kInvalid, "requests[0].measurement.period"},
      {"no period", Value(kCountName, "", 5), kInvalid,
       "requests[0].measurement.period"},
      {"NaN", Value(kCountName, "2009", kNaN), kInvalid,
       "requests[0].measurement.value"},
      {"infinity", Value(kCountName, "2009", kInfinity), kInvalid,
       "requests[0].measurement.value"},
      {"minus infinity", Value(kShareName, "2009", -kInfinity), kInvalid,
       "requests[0].measurement.value"},
      {"a negative count", Value(kCountName, "2009", -1), kInvalid,
       "requests[0].measurement.value"},
      {"a share over 100 %", Value(kShareName, "2009", 100.5), kInvalid,
       "requests[0].measurement.value"},
      {"a reference group on a count",
       Value(kCountName, "2009", 5, v1::SERIES_REFERENCE_GROUP), kInvalid,
       "requests[0].measurement.series"},
      {"qualitative without an assessment", no_assessment, kInvalid,
       "requests[0].measurement.assessment.status"},
      {"qualitative without a note", no_note, kInvalid,
       "requests[0].measurement.assessment.note"},
      {"qualitative with no data", no_data, kInvalid,
       "requests[0].measurement.assessment.status"},
      {"an unknown indicator",
       Value("municipalities/169/indicators/findes-ikke", "2009", 5),
       absl::StatusCode::kNotFound, "requests[0].indicator_name"},
      {"another municipality's indicator",
       Value("municipalities/101/indicators/etniske-ivaerksaettere", "2009", 5),
       kInvalid, "requests[0].indicator_name"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ExpectError(Record({c.request}), c.code, c.field);
  }
  ExpectError(Record({}), kInvalid, "requests");
  ExpectError(Record({Value(kCountName, "2009", 5)}, "", kViewer),
              absl::StatusCode::kPermissionDenied, "parent");
  ExpectError(Record({Value(kCountName, "2009", 5)}, "", kAnonymous),
              absl::StatusCode::kUnauthenticated, "parent");
  for (const char* name : {kCountName, kShareName, kQualitativeName}) {
    EXPECT_THAT(Measurements(name, true), IsEmpty()) << name;
  }
  EXPECT_THAT(EventTypes(), Not(::testing::Contains("measurements.recorded")));
}

TEST_P(FollowUpManagerTest, RecordsAssessmentsOfQualitativeIndicators) {
  MustCreate(QualitativeIndicator(), "samarbejde-virksomheder");
  MustRecord({Assessed(kQualitativeName, "2009", v1::STATUS_ON_TRACK,
                       "Tre nye partnerskaber med virksomheder")});
  std::vector<v1::Measurement> stored = Measurements(kQualitativeName);
  ASSERT_THAT(stored, SizeIs(1));
  EXPECT_EQ(stored[0].assessment().status(), v1::STATUS_ON_TRACK);
  EXPECT_EQ(stored[0].assessment().note(),
            "Tre nye partnerskaber med virksomheder");
  auto status = Status(kQualitativeName);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->status(), v1::STATUS_ON_TRACK);
}

TEST_P(FollowUpManagerTest, ABatchWithOneBadValueStoresNothing) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  MustCreate(ShareIndicator(), "uddannelse-tosprogede");
  auto s =
      Record({Value(kCountName, "2008", 10), Value(kShareName, "2009", 62),
              Value(kCountName, "2009", 18), Value(kShareName, "2010", 101)});
  ExpectError(s, absl::StatusCode::kInvalidArgument,
              "requests[3].measurement.value");
  EXPECT_THAT(Measurements(kCountName, true), IsEmpty());
  EXPECT_THAT(Measurements(kShareName, true), IsEmpty());
  EXPECT_THAT(EventTypes(),
              ElementsAre("indicator.created", "indicator.created"));
  auto status = Status(kCountName);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->status(), v1::STATUS_NO_DATA);
}

TEST_P(FollowUpManagerTest, RecordWithTheSameRequestIdRecordsOnce) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  std::vector<v1::RecordMeasurementRequest> values = {
      Value(kCountName, "2008", 10), Value(kCountName, "2009", 18)};
  auto first = Record(values, "maaling-2009");
  ASSERT_TRUE(first.ok()) << first.status();
  now_ += absl::Minutes(1);
  auto second = Record(values, "maaling-2009");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->SerializeAsString(), first->SerializeAsString());
  std::vector<v1::Measurement> all = Measurements(kCountName, true);
  ASSERT_THAT(all, SizeIs(2));
  for (const auto& m : all) EXPECT_EQ(m.version(), 1);
  int recorded_events = 0;
  for (const auto& type : EventTypes()) {
    recorded_events += type == "measurements.recorded";
  }
  EXPECT_EQ(recorded_events, 1);
  // Another request under the same id is refused, and stores nothing.
  ExpectError(Record({Value(kCountName, "2010", 30)}, "maaling-2009"),
              absl::StatusCode::kInvalidArgument, "request_id");
  EXPECT_THAT(Measurements(kCountName, true), SizeIs(2));
}

// ---------------------------------------------------------------------------
// The change feed.

TEST_P(FollowUpManagerTest, AnnouncesStatusChangesOfRecordedValues) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  EXPECT_THAT(AnnouncedStatuses(), IsEmpty());  // no data is not news

  // 45 of 40 by 2009: achieved.
  MustRecord({Value(kCountName, "2008", 10), Value(kCountName, "2009", 45)});
  std::vector<v1::IndicatorStatus> announced = AnnouncedStatuses();
  ASSERT_THAT(announced, SizeIs(1));
  EXPECT_EQ(announced[0].indicator_name(), kCountName);
  EXPECT_EQ(announced[0].status(), v1::STATUS_ACHIEVED);
  EXPECT_EQ(announced[0].as_of().SerializeAsString(),
            Day(2010, 6, 15).SerializeAsString());
  EXPECT_EQ(announced[0].latest_value(), 45);

  // A value that keeps the status announces nothing.
  MustRecord({Value(kCountName, "2010", 50)});
  EXPECT_THAT(AnnouncedStatuses(), SizeIs(1));

  // Corrections that bring it under the target: 10, 22, 34 heads for 46 by
  // 2011, on track.
  MustRecord({Value(kCountName, "2009", 22), Value(kCountName, "2010", 34)});
  announced = AnnouncedStatuses();
  ASSERT_THAT(announced, SizeIs(2));
  EXPECT_EQ(announced[1].status(), v1::STATUS_ON_TRACK);
  auto now = Status(kCountName);
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_EQ(now->status(), v1::STATUS_ON_TRACK);
  EXPECT_EQ(now->latest_value(), 34);

  // The event order: the values, then the status they caused.
  std::vector<std::string> types = EventTypes();
  ASSERT_THAT(types, SizeIs(6));
  EXPECT_THAT(types,
              ElementsAre("indicator.created", "measurements.recorded",
                          "indicator.status_changed", "measurements.recorded",
                          "measurements.recorded", "indicator.status_changed"));
}

TEST_P(FollowUpManagerTest, RecomputeAnnouncesAMissedDeadlineOnce) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  MustRecord({Value(kCountName, "2008", 10), Value(kCountName, "2009", 18)});
  size_t before = AnnouncedStatuses().size();
  auto current = Status(kCountName);
  ASSERT_TRUE(current.ok()) << current.status();
  EXPECT_NE(current->status(), v1::STATUS_MISSED);

  // 18 of 40 when the deadline 31.12.2011 has passed.
  auto recomputed = Recompute(Day(2012, 1, 15));
  ASSERT_TRUE(recomputed.ok()) << recomputed.status();
  EXPECT_EQ(recomputed->indicator_count(), 1);
  ASSERT_EQ(recomputed->changed_size(), 1);
  EXPECT_EQ(recomputed->changed(0).indicator_name(), kCountName);
  EXPECT_EQ(recomputed->changed(0).status(), v1::STATUS_MISSED);
  std::vector<v1::IndicatorStatus> announced = AnnouncedStatuses();
  ASSERT_EQ(announced.size(), before + 1);
  EXPECT_EQ(announced.back().status(), v1::STATUS_MISSED);
  EXPECT_EQ(announced.back().as_of().SerializeAsString(),
            Day(2012, 1, 15).SerializeAsString());
  EXPECT_EQ(Events().back().actor(), kAnalyst.subject);

  // Nothing changed since: nothing to announce.
  size_t events = Events().size();
  auto again = Recompute(Day(2012, 1, 16));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->indicator_count(), 1);
  EXPECT_EQ(again->changed_size(), 0);
  EXPECT_EQ(Events().size(), events);

  ExpectError(manager_->Recompute(kViewer,
                                  [] {
                                    v1::RecomputeStatusesRequest r;
                                    r.set_parent(kParent);
                                    return r;
                                  }()),
              absl::StatusCode::kPermissionDenied, "parent");
  ExpectError(Recompute(Day(2012, 2, 30)), absl::StatusCode::kInvalidArgument,
              "as_of");
}

TEST_P(FollowUpManagerTest, TheHourlySweepJudgesOnTheCopenhagenDay) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  MustRecord({Value(kCountName, "2008", 10), Value(kCountName, "2009", 18)});
  size_t before = AnnouncedStatuses().size();
  // 31.12.2011 23:00 UTC is already 1.1.2012 in Copenhagen: the deadline
  // has passed.
  now_ = At(2011, 12, 31, 23);
  ASSERT_TRUE(manager_->RecomputeAll().ok());
  EXPECT_EQ(AnnouncedStatuses().size(), before);
  now_ = At(2012, 1, 1, 0);
  ASSERT_TRUE(manager_->RecomputeAll().ok());
  std::vector<v1::IndicatorStatus> announced = AnnouncedStatuses();
  ASSERT_EQ(announced.size(), before + 1);
  EXPECT_EQ(announced.back().status(), v1::STATUS_MISSED);
  EXPECT_EQ(announced.back().as_of().SerializeAsString(),
            Day(2012, 1, 1).SerializeAsString());
  EXPECT_EQ(Events().back().actor(), "followup_server");
  ASSERT_TRUE(manager_->RecomputeAll().ok());
  EXPECT_EQ(AnnouncedStatuses().size(), before + 1);
}

TEST_P(FollowUpManagerTest, AnnouncesStatusChangesOfUpdatedTargets) {
  v1::Indicator created =
      MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  MustRecord({Value(kCountName, "2008", 10), Value(kCountName, "2009", 45)});
  ASSERT_THAT(AnnouncedStatuses(), SizeIs(1));
  // 45 no longer reaches a target of 60.
  v1::UpdateIndicatorRequest r;
  *r.mutable_indicator() = created;
  r.mutable_indicator()->clear_etag();
  r.mutable_indicator()->mutable_target()->set_value(60);
  r.mutable_update_mask()->add_paths("target");
  auto updated = manager_->UpdateIndicator(kAdmin, r);
  ASSERT_TRUE(updated.ok()) << updated.status();
  std::vector<v1::IndicatorStatus> announced = AnnouncedStatuses();
  ASSERT_THAT(announced, SizeIs(2));
  EXPECT_NE(announced[1].status(), v1::STATUS_ACHIEVED);
  EXPECT_EQ(announced[1].target_value(), 60);
  EXPECT_EQ(Events().back().actor(), kAdmin.subject);
}

TEST_P(FollowUpManagerTest, RecomputeJudgesManyIndicatorsAtOnce) {
  // More than 20 indicators are judged from one query over the
  // municipality; another municipality's values stay out of it.
  constexpr int kCount = 23;
  std::vector<v1::RecordMeasurementRequest> values;
  for (int i = 1; i <= kCount; ++i) {
    std::string id = absl::StrCat("ivaerksaettere-", i);
    MustCreate(CountIndicator(), id);
    // The even ones reach 40 in 2009, the odd ones have 5.
    values.push_back(Value(absl::StrCat(kParent, "/indicators/", id), "2009",
                           i % 2 == 0 ? 40 + i : 5));
  }
  MustRecord(values);
  v1::Indicator kbh = CountIndicator();
  *kbh.mutable_criteria(0) = Criterion(kCountCriterion, kKbhPolicy);
  MustCreate(kbh, "ivaerksaettere-1", kKbhAnalyst, "municipalities/101");
  MustRecord(
      {Value("municipalities/101/indicators/ivaerksaettere-1", "2009", 99)},
      kKbhAnalyst, "municipalities/101");

  auto recomputed = Recompute(Day(2012, 1, 15));
  ASSERT_TRUE(recomputed.ok()) << recomputed.status();
  EXPECT_EQ(recomputed->indicator_count(), kCount);
  // After the deadline the odd ones missed; the even ones stay achieved,
  // which is no news.
  std::map<std::string, v1::IndicatorStatus> changed;
  for (const auto& s : recomputed->changed()) changed[s.indicator_name()] = s;
  EXPECT_EQ(changed.size(), static_cast<size_t>((kCount + 1) / 2));
  for (int i = 1; i <= kCount; ++i) {
    std::string name = absl::StrCat(kParent, "/indicators/ivaerksaettere-", i);
    SCOPED_TRACE(name);
    if (i % 2 == 0) {
      EXPECT_EQ(changed.count(name), 0u);
      auto status = Status(name, Day(2012, 1, 15));
      ASSERT_TRUE(status.ok()) << status.status();
      EXPECT_EQ(status->status(), v1::STATUS_ACHIEVED);
      EXPECT_EQ(status->latest_value(), 40 + i);
    } else {
      ASSERT_EQ(changed.count(name), 1u);
      EXPECT_EQ(changed[name].status(), v1::STATUS_MISSED);
      EXPECT_EQ(changed[name].latest_value(), 5);
    }
  }
}

// ---------------------------------------------------------------------------
// ImportMeasurements.

TEST_P(FollowUpManagerTest, ImportsASemicolonFileWithDecimalCommas) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  MustCreate(ShareIndicator(), "uddannelse-tosprogede");
  auto imported = Import(
      "indicator_id;period;value;note\r\n"
      "uddannelse-tosprogede;2008;61,5;\r\n"
      "uddannelse-tosprogede;2009;64,25;Foreløbigt\r\n"
      "etniske-ivaerksaettere;2009;18;\r\n");
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->imported_count(), 3);
  EXPECT_THAT(imported->skipped_rows(), IsEmpty());
  std::vector<v1::Measurement> share = Measurements(kShareName);
  ASSERT_THAT(share, SizeIs(2));
  EXPECT_THAT(share[0].value(), DoubleEq(61.5));
  EXPECT_THAT(share[1].value(), DoubleEq(64.25));
  EXPECT_EQ(share[1].note(), "Foreløbigt");
  EXPECT_EQ(share[1].source(), "Jobcentrets fagsystem");
  EXPECT_EQ(share[1].entered_by(), kAnalyst.subject);
  EXPECT_THAT(Values(kCountName),
              ElementsAre(std::tuple("2009", v1::SERIES_TARGET_GROUP, 18.0)));
}

TEST_P(FollowUpManagerTest, ABadRowImportsNothingUnlessSkipped) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  MustCreate(ShareIndicator(), "uddannelse-tosprogede");
  const std::string csv =
      "indicator_id;period;value\n"
      "uddannelse-tosprogede;2008;61,5\n"
      "uddannelse-tosprogede;2009;mange\n"
      "etniske-ivaerksaettere;2009;18\n";
  auto refused = Import(csv);
  ExpectError(refused, absl::StatusCode::kInvalidArgument, "csv");
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("row 3"));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("value"));
  EXPECT_THAT(Measurements(kShareName, true), IsEmpty());
  EXPECT_THAT(Measurements(kCountName, true), IsEmpty());
  EXPECT_THAT(EventTypes(), Not(::testing::Contains("measurements.recorded")));

  auto skipped = Import(csv, /*skip_bad_rows=*/true);
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->imported_count(), 2);
  ASSERT_EQ(skipped->skipped_rows_size(), 1);
  EXPECT_EQ(skipped->skipped_rows(0).row(), 3);
  EXPECT_THAT(skipped->skipped_rows(0).reason(), StartsWith("value"));
  EXPECT_THAT(Values(kShareName),
              ElementsAre(std::tuple("2008", v1::SERIES_TARGET_GROUP, 61.5)));
  EXPECT_THAT(Values(kCountName),
              ElementsAre(std::tuple("2009", v1::SERIES_TARGET_GROUP, 18.0)));
}

TEST_P(FollowUpManagerTest, ImportChecksRowsAgainstTheirIndicators) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  MustCreate(ShareIndicator(), "uddannelse-tosprogede");
  const std::string csv =
      "indicator_id;period;value\n"
      "findes-ikke;2009;1\n"
      "uddannelse-tosprogede;2009;101\n"
      "etniske-ivaerksaettere;2009-05;3\n"
      "etniske-ivaerksaettere;2014;3\n"
      "etniske-ivaerksaettere;2009;18\n";
  auto refused = Import(csv);
  ExpectError(refused, absl::StatusCode::kInvalidArgument, "csv");
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("row 2: indicator_id"));
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("row 3: value"));
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("row 4: period"));
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("row 5: period"));
  EXPECT_THAT(Measurements(kCountName, true), IsEmpty());

  auto skipped = Import(csv, /*skip_bad_rows=*/true);
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->imported_count(), 1);
  std::vector<int> rows;
  for (const auto& e : skipped->skipped_rows()) rows.push_back(e.row());
  EXPECT_THAT(rows, ElementsAre(2, 3, 4, 5));
  EXPECT_THAT(skipped->skipped_rows(0).reason(), StartsWith("indicator_id"));
  EXPECT_THAT(Values(kCountName),
              ElementsAre(std::tuple("2009", v1::SERIES_TARGET_GROUP, 18.0)));
  EXPECT_THAT(Measurements(kShareName, true), IsEmpty());
}

TEST_P(FollowUpManagerTest, ImportRefusesAWrongHeader) {
  MustCreate(ShareIndicator(), "uddannelse-tosprogede");
  auto refused = Import(
      "indikator;periode;vaerdi\n"
      "uddannelse-tosprogede;2009;61,5\n");
  ExpectError(refused, absl::StatusCode::kInvalidArgument, "csv");
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("indikator"));
  ExpectError(Import("indicator_id;period\nuddannelse-tosprogede;2009\n"),
              absl::StatusCode::kInvalidArgument, "csv");
  ExpectError(Import(""), absl::StatusCode::kInvalidArgument, "csv");
  EXPECT_THAT(Measurements(kShareName, true), IsEmpty());
}

TEST_P(FollowUpManagerTest, ImportWithTheSameRequestIdImportsOnce) {
  MustCreate(ShareIndicator(), "uddannelse-tosprogede");
  const std::string csv =
      "indicator_id;period;value\nuddannelse-tosprogede;2009;61,5\n";
  auto first = Import(csv, false, "import-1");
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = Import(csv, false, "import-1");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->imported_count(), 1);
  EXPECT_THAT(Measurements(kShareName, true), SizeIs(1));
}

TEST_P(FollowUpManagerTest, ImportsTheOwnLayoutFixture) {
  MustCreate(ParityIndicator(), "beskaeftigelse-indvandrere");
  v1::Indicator quarterly = CountIndicator();
  quarterly.set_reporting_period(v1::REPORTING_PERIOD_QUARTER);
  MustCreate(quarterly, "etniske-ivaerksaettere");
  v1::Indicator absence =
      BaseIndicator("Fravær i skolen", kAbsenceCriterion,
                    v1::INDICATOR_KIND_SHARE_AT_LEAST, "%", kChildrenCommittee);
  absence.set_reporting_period(v1::REPORTING_PERIOD_MONTH);
  absence.set_direction(v1::DIRECTION_LOWER_IS_BETTER);
  absence.mutable_target()->set_value(4);
  *absence.mutable_target()->mutable_deadline() = Day(2011, 12, 31);
  MustCreate(absence, "fravaer-skole");

  auto imported = Import(ReadFixture("followup/measurements_own_layout.csv"));
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->imported_count(), 7);
  EXPECT_THAT(imported->skipped_rows(), IsEmpty());

  std::vector<v1::Measurement> parity = Measurements(kParityName);
  ASSERT_THAT(parity, SizeIs(4));
  EXPECT_EQ(parity[0].period(), "2010");
  EXPECT_EQ(parity[0].series(), v1::SERIES_TARGET_GROUP);
  EXPECT_THAT(parity[0].value(), DoubleEq(52.4));
  EXPECT_EQ(parity[0].source(), "Jobcentret");
  EXPECT_EQ(parity[1].series(), v1::SERIES_REFERENCE_GROUP);
  EXPECT_THAT(parity[1].value(), DoubleEq(74.1));
  EXPECT_EQ(parity[2].note(),
            "Foreløbigt tal; revideres i \"Årsrapport 2012\"");
  EXPECT_THAT(Values(kCountName),
              ElementsAre(std::tuple("2011-Q1", v1::SERIES_TARGET_GROUP, 4.0),
                          std::tuple("2011-Q2", v1::SERIES_TARGET_GROUP, 7.0)));
  std::vector<v1::Measurement> school =
      Measurements("municipalities/169/indicators/fravaer-skole");
  ASSERT_THAT(school, SizeIs(1));
  EXPECT_EQ(school[0].period(), "2011-05");
  EXPECT_THAT(school[0].value(), DoubleEq(6.25));
}

TEST_P(FollowUpManagerTest, ImportsTheStatBankFixtureWithAMapping) {
  MustCreate(ParityIndicator(), "beskaeftigelse-indvandrere");
  v1::ImportMeasurementsRequest r;
  r.set_parent(kParent);
  r.set_csv(ReadFixture("followup/statbank_ras200_hoeje_taastrup.csv"));
  r.set_layout(v1::CSV_LAYOUT_STATBANK);
  *r.mutable_statbank() = Ras200Mapping();
  r.set_source("Danmarks Statistik, RAS200");
  auto imported = manager_->Import(kAnalyst, r);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->imported_count(), 9);
  EXPECT_EQ(imported->ignored_count(), 16);
  EXPECT_THAT(imported->skipped_rows(), IsEmpty());

  std::vector<v1::Measurement> stored = Measurements(kParityName);
  ASSERT_THAT(stored, SizeIs(9));
  // 2009: the target group 47,1 and the rest 76,9; 2012 has no value for
  // the target group ("..").
  EXPECT_EQ(stored[2].period(), "2009");
  EXPECT_EQ(stored[2].series(), v1::SERIES_TARGET_GROUP);
  EXPECT_THAT(stored[2].value(), DoubleEq(47.1));
  EXPECT_EQ(stored[3].period(), "2009");
  EXPECT_EQ(stored[3].series(), v1::SERIES_REFERENCE_GROUP);
  EXPECT_THAT(stored[3].value(), DoubleEq(76.9));
  EXPECT_EQ(stored[8].period(), "2012");
  EXPECT_EQ(stored[8].series(), v1::SERIES_REFERENCE_GROUP);
  EXPECT_EQ(stored[0].source(), "Danmarks Statistik, RAS200");

  // A mapping to an indicator that does not exist, or of another
  // municipality, is refused.
  r.mutable_statbank()->set_indicator_name(
      "municipalities/169/indicators/findes-ikke");
  ExpectError(manager_->Import(kAnalyst, r), absl::StatusCode::kNotFound,
              "statbank.indicator_name");
  r.mutable_statbank()->set_indicator_name(
      "municipalities/101/indicators/beskaeftigelse-indvandrere");
  ExpectError(manager_->Import(kAnalyst, r), absl::StatusCode::kInvalidArgument,
              "statbank.indicator_name");
  EXPECT_THAT(Measurements(kParityName, true), SizeIs(9));
}

TEST_P(FollowUpManagerTest, AStatBankFileWithNothingToImportIsNoError) {
  MustCreate(ParityIndicator(), "beskaeftigelse-indvandrere");
  v1::ImportMeasurementsRequest r;
  r.set_parent(kParent);
  r.set_csv(ReadFixture("followup/statbank_ras200_hoeje_taastrup.csv"));
  r.set_layout(v1::CSV_LAYOUT_STATBANK);
  *r.mutable_statbank() = Ras200Mapping();
  // No row is for Albertslund: every row is ignored, and the indicator
  // named by the mapping exists.
  (*r.mutable_statbank()->mutable_filters())["OMRÅDE"] = "Albertslund";
  auto imported = manager_->Import(kAnalyst, r);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->imported_count(), 0);
  EXPECT_EQ(imported->ignored_count(), 25);
  EXPECT_THAT(Measurements(kParityName, true), IsEmpty());
}

TEST_P(FollowUpManagerTest, AStatBankFileOfOnlyBadRowsNamesTheRows) {
  MustCreate(ParityIndicator(), "beskaeftigelse-indvandrere");
  v1::ImportMeasurementsRequest r;
  r.set_parent(kParent);
  r.set_csv(
      "OMRÅDE;HERKOMST;ALDER;TID;INDHOLD\n"
      "Høje-Taastrup;Indvandrere fra ikke-vestlige lande;16-64 år;2009;"
      "mange\n");
  r.set_layout(v1::CSV_LAYOUT_STATBANK);
  *r.mutable_statbank() = Ras200Mapping();
  auto refused = manager_->Import(kAnalyst, r);
  ExpectError(refused, absl::StatusCode::kInvalidArgument, "csv");
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("row 2"));
  r.set_skip_bad_rows(true);
  auto skipped = manager_->Import(kAnalyst, r);
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->imported_count(), 0);
  ASSERT_EQ(skipped->skipped_rows_size(), 1);
  EXPECT_EQ(skipped->skipped_rows(0).row(), 2);
}

// ---------------------------------------------------------------------------
// GetIndicatorStatus and SummarizeStatuses.

TEST_P(FollowUpManagerTest, JudgesAnIndicatorOnADay) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  MustRecord({Value(kCountName, "2008", 10), Value(kCountName, "2009", 45)});
  auto today = Status(kCountName);
  ASSERT_TRUE(today.ok()) << today.status();
  EXPECT_EQ(today->indicator_name(), kCountName);
  EXPECT_EQ(today->as_of().SerializeAsString(),
            Day(2010, 6, 15).SerializeAsString());
  EXPECT_EQ(today->status(), v1::STATUS_ACHIEVED);
  EXPECT_EQ(today->latest_period(), "2009");
  EXPECT_EQ(today->latest_value(), 45);
  EXPECT_EQ(today->target_value(), 40);
  EXPECT_EQ(today->progress_percent(), 100);
  EXPECT_FALSE(today->explanation().empty());

  // Before 2009 began only the 2008 value counts.
  auto earlier = Status(kCountName, Day(2008, 12, 31));
  ASSERT_TRUE(earlier.ok()) << earlier.status();
  EXPECT_EQ(earlier->latest_period(), "2008");
  EXPECT_EQ(earlier->latest_value(), 10);
  EXPECT_NE(earlier->status(), v1::STATUS_ACHIEVED);

  ExpectError(Status(kCountName, Day(2010, 2, 30)),
              absl::StatusCode::kInvalidArgument, "as_of");
  ExpectError(Status("municipalities/169/indicators/findes-ikke"),
              absl::StatusCode::kNotFound, "name");
  v1::GetIndicatorStatusRequest r;
  r.set_name(kCountName);
  ExpectError(manager_->GetStatus(kAnonymous, r),
              absl::StatusCode::kUnauthenticated, "name");
  ExpectError(manager_->GetStatus(kKbhAnalyst, r),
              absl::StatusCode::kPermissionDenied, "name");
}

// Every group's counters add up to its total, and the groups to the totals.
void ExpectCountsAddUp(const v1::SummarizeStatusesResponse& summary) {
  auto add_up = [](const v1::StatusCounts& c) {
    EXPECT_EQ(c.total(), c.achieved() + c.on_track() + c.at_risk() +
                             c.off_track() + c.missed() + c.no_data())
        << c.key();
  };
  int sum = 0;
  for (const v1::StatusCounts& group : summary.groups()) {
    add_up(group);
    sum += group.total();
  }
  add_up(summary.totals());
  EXPECT_EQ(sum, summary.totals().total());
}

TEST_P(FollowUpManagerTest, SummarizesByFocusAreaAndCommittee) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  MustCreate(ParityIndicator(), "beskaeftigelse-indvandrere");
  MustCreate(QualitativeIndicator(), "samarbejde-virksomheder");
  MustCreate(ShareIndicator(), "uddannelse-tosprogede");
  MustRecord({Value(kCountName, "2008", 10), Value(kCountName, "2009", 45),
              Value(kShareName, "2009", 85)});

  v1::SummarizeStatusesRequest r;
  r.set_parent(kParent);
  r.set_policy_name(kPolicy);
  r.set_grouping(v1::STATUS_GROUPING_FOCUS_AREA);
  auto by_area = manager_->Summarize(kViewer, r);
  ASSERT_TRUE(by_area.ok()) << by_area.status();
  ASSERT_EQ(by_area->groups_size(), 2);
  const v1::StatusCounts& job = by_area->groups(0);
  EXPECT_THAT(job.key(), HasSubstr("beskaeftigelse"));
  EXPECT_EQ(job.title(), kJobTitle);
  EXPECT_EQ(job.total(), 3);
  EXPECT_EQ(job.achieved(), 1);
  EXPECT_EQ(job.no_data(), 2);
  const v1::StatusCounts& children = by_area->groups(1);
  EXPECT_THAT(children.key(), HasSubstr("boern"));
  EXPECT_EQ(children.title(), kChildrenTitle);
  EXPECT_EQ(children.total(), 1);
  EXPECT_EQ(children.achieved(), 1);
  EXPECT_EQ(by_area->totals().total(), 4);
  EXPECT_EQ(by_area->totals().achieved(), 2);
  EXPECT_EQ(by_area->totals().no_data(), 2);
  ExpectCountsAddUp(*by_area);

  r.set_grouping(v1::STATUS_GROUPING_COMMITTEE);
  auto by_committee = manager_->Summarize(kViewer, r);
  ASSERT_TRUE(by_committee.ok()) << by_committee.status();
  std::map<std::string, int> totals;
  for (const auto& g : by_committee->groups()) totals[g.key()] = g.total();
  EXPECT_EQ(totals, (std::map<std::string, int>{{kBusinessCommittee, 3},
                                                {kChildrenCommittee, 1}}));
  EXPECT_EQ(by_committee->totals().total(), 4);
  ExpectCountsAddUp(*by_committee);

  ExpectError(manager_->Summarize(kAnonymous, r),
              absl::StatusCode::kUnauthenticated, "parent");
  r.set_policy_name(kKbhPolicy);
  ExpectError(manager_->Summarize(kViewer, r),
              absl::StatusCode::kInvalidArgument, "policy_name");
}

// ---------------------------------------------------------------------------
// Reporting rounds.

v1::CreateReportingRoundRequest Round2009() {
  v1::CreateReportingRoundRequest r;
  r.set_parent(kParent);
  r.set_reporting_round_id("2009");
  v1::ReportingRound& round = *r.mutable_reporting_round();
  round.set_display_name("Opfølgning 2009");
  round.set_period("2009");
  for (auto [committee, deadline] :
       {std::pair{kBusinessCommittee, Day(2010, 3, 1)},
        std::pair{kChildrenCommittee, Day(2010, 4, 1)}}) {
    v1::CommitteeDeadline* d = round.add_deadlines();
    d->mutable_committee()->set_kind(common::v1::BODY_KIND_COMMITTEE);
    d->mutable_committee()->set_display_name(committee);
    *d->mutable_deadline() = deadline;
  }
  return r;
}

TEST_P(FollowUpManagerTest, ListsMissingMeasurementsOfARound) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  MustCreate(ParityIndicator(), "beskaeftigelse-indvandrere");
  MustCreate(ShareIndicator(), "uddannelse-tosprogede");
  v1::Indicator quarterly = CountIndicator();
  quarterly.set_reporting_period(v1::REPORTING_PERIOD_QUARTER);
  quarterly.mutable_owner_committee()->set_display_name(kChildrenCommittee);
  MustCreate(quarterly, "ivaerksaettere-kvartal");
  v1::Indicator other = QualitativeIndicator();
  other.mutable_owner_committee()->set_display_name(kFinanceCommittee);
  MustCreate(other, "samarbejde-virksomheder");
  // The count has its 2009 value; a reference value alone does not count.
  MustRecord({Value(kCountName, "2009", 18),
              Value(kParityName, "2009", 76.9, v1::SERIES_REFERENCE_GROUP)});

  auto round = manager_->CreateRound(kAnalyst, Round2009());
  ASSERT_TRUE(round.ok()) << round.status();
  EXPECT_EQ(round->name(), "municipalities/169/reportingRounds/2009");
  v1::GetReportingRoundRequest get;
  get.set_name(round->name());
  auto got = manager_->GetRound(kViewer, get);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->SerializeAsString(), round->SerializeAsString());

  v1::ListMissingMeasurementsRequest r;
  r.set_name(round->name());
  *r.mutable_as_of() = Day(2010, 2, 15);
  auto missing = manager_->ListMissing(kViewer, r);
  ASSERT_TRUE(missing.ok()) << missing.status();
  std::vector<std::tuple<std::string, std::string, std::string, bool>> rows;
  for (const auto& m : missing->missing()) {
    rows.emplace_back(m.indicator_name(), m.period(),
                      m.committee().display_name(), m.overdue());
  }
  EXPECT_THAT(
      rows,
      ElementsAre(
          std::tuple(kParityName, "2009", kBusinessCommittee, false),
          std::tuple("municipalities/169/indicators/ivaerksaettere-kvartal",
                     "2009-Q4", kChildrenCommittee, false),
          std::tuple(kShareName, "2009", kChildrenCommittee, false)));
  EXPECT_EQ(missing->missing(0).deadline().SerializeAsString(),
            Day(2010, 3, 1).SerializeAsString());
  EXPECT_EQ(missing->missing(0).display_name(),
            "Beskæftigelsesfrekvens for indvandrere");

  // After the business committee's deadline its indicator is overdue, the
  // children's committee's are not yet.
  *r.mutable_as_of() = Day(2010, 3, 15);
  auto later = manager_->ListMissing(kViewer, r);
  ASSERT_TRUE(later.ok()) << later.status();
  std::vector<bool> overdue;
  for (const auto& m : later->missing()) overdue.push_back(m.overdue());
  EXPECT_THAT(overdue, ElementsAre(true, false, false));

  // A value recorded takes the indicator off the list.
  MustRecord({Value(kShareName, "2009", 70)});
  auto fewer = manager_->ListMissing(kViewer, r);
  ASSERT_TRUE(fewer.ok()) << fewer.status();
  EXPECT_EQ(fewer->missing_size(), 2);

  ExpectError(manager_->ListMissing(kKbhAnalyst, r),
              absl::StatusCode::kPermissionDenied, "name");
  r.set_name("municipalities/169/reportingRounds/findes-ikke");
  ExpectError(manager_->ListMissing(kViewer, r), absl::StatusCode::kNotFound,
              "name");
}

TEST_P(FollowUpManagerTest, ARoundAsksOnlyForValuesThatCanBeRecorded) {
  // Followed up 2008-2012, and from 2010 on.
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  v1::Indicator late = ParityIndicator();
  *late.mutable_follow_up_period()->mutable_start_date() = Day(2010, 1, 1);
  MustCreate(late, "beskaeftigelse-indvandrere");
  // Neither can have a value for 2013, nor the parity one for 2009 ...
  ExpectError(Record({Value(kCountName, "2013", 41)}),
              absl::StatusCode::kInvalidArgument,
              "requests[0].measurement.period");
  ExpectError(Record({Value(kParityName, "2009", 50)}),
              absl::StatusCode::kInvalidArgument,
              "requests[0].measurement.period");
  // ... so a round cannot hold it against them (it would stay overdue for
  // good).
  for (const char* period : {"2013", "2009"}) {
    SCOPED_TRACE(period);
    v1::CreateReportingRoundRequest create = Round2009();
    create.set_reporting_round_id(absl::StrCat("runde-", period));
    create.mutable_reporting_round()->set_period(period);
    auto round = manager_->CreateRound(kAnalyst, create);
    ASSERT_TRUE(round.ok()) << round.status();
    v1::ListMissingMeasurementsRequest r;
    r.set_name(round->name());
    *r.mutable_as_of() = Day(2014, 6, 1);
    auto missing = manager_->ListMissing(kViewer, r);
    ASSERT_TRUE(missing.ok()) << missing.status();
    std::vector<std::string> names;
    for (const auto& m : missing->missing())
      names.push_back(m.indicator_name());
    if (std::string(period) == "2013") {
      EXPECT_THAT(names, IsEmpty());
    } else {
      // The count is followed up in 2009 and lacks its value.
      EXPECT_THAT(names, ElementsAre(kCountName));
    }
  }
}

TEST_P(FollowUpManagerTest, RefusesBadReportingRounds) {
  v1::CreateReportingRoundRequest r = Round2009();
  r.mutable_reporting_round()->set_period("2009-13");
  ExpectError(manager_->CreateRound(kAnalyst, r),
              absl::StatusCode::kInvalidArgument, "reporting_round.period");
  r = Round2009();
  r.mutable_reporting_round()->clear_deadlines();
  ExpectError(manager_->CreateRound(kAnalyst, r),
              absl::StatusCode::kInvalidArgument, "reporting_round.deadlines");
  r = Round2009();
  r.mutable_reporting_round()
      ->mutable_deadlines(1)
      ->mutable_committee()
      ->set_display_name(kBusinessCommittee);
  ExpectError(manager_->CreateRound(kAnalyst, r),
              absl::StatusCode::kInvalidArgument,
              "reporting_round.deadlines[1].committee.display_name");
  r = Round2009();
  r.mutable_reporting_round()->mutable_deadlines(0)->clear_deadline();
  ExpectError(manager_->CreateRound(kAnalyst, r),
              absl::StatusCode::kInvalidArgument,
              "reporting_round.deadlines[0].deadline");
  ExpectError(manager_->CreateRound(kViewer, Round2009()),
              absl::StatusCode::kPermissionDenied, "parent");
  ASSERT_TRUE(manager_->CreateRound(kAnalyst, Round2009()).ok());
  ExpectError(manager_->CreateRound(kAnalyst, Round2009()),
              absl::StatusCode::kAlreadyExists, "reporting_round_id");
  v1::ListReportingRoundsRequest list;
  list.set_parent(kParent);
  auto rounds = manager_->ListRounds(kViewer, list);
  ASSERT_TRUE(rounds.ok()) << rounds.status();
  EXPECT_EQ(rounds->reporting_rounds_size(), 1);
}

// ---------------------------------------------------------------------------
// Reports.

TEST_P(FollowUpManagerTest, ADraftReportIsPublicOnlyOncePublished) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  MustRecord({Value(kCountName, "2008", 10), Value(kCountName, "2009", 45)});
  auto created = CreateReport("2009");
  ASSERT_TRUE(created.ok()) << created.status();
  const std::string name = "municipalities/169/followUpReports/2009";
  EXPECT_EQ(created->name(), name);
  EXPECT_EQ(created->state(), v1::REPORT_STATE_DRAFT);
  EXPECT_EQ(created->policy_name(), kPolicy);
  EXPECT_EQ(created->display_name(), "Årlig redegørelse 2009");
  EXPECT_EQ(created->totals().total(), 1);
  EXPECT_EQ(created->totals().achieved(), 1);
  ASSERT_EQ(created->focus_areas_size(), 1);
  EXPECT_EQ(created->focus_areas(0).focus_area_id(), "beskaeftigelse");
  ASSERT_EQ(created->focus_areas(0).criteria_size(), 1);
  EXPECT_EQ(created->focus_areas(0).criteria(0).criterion_id(),
            kCountCriterion);
  ASSERT_EQ(created->focus_areas(0).criteria(0).indicators_size(), 1);
  EXPECT_EQ(created->focus_areas(0)
                .criteria(0)
                .indicators(0)
                .indicator()
                .display_name(),
            kCountDisplayName);

  // The numbers are frozen: later values change the preview, not the
  // report.
  MustRecord({Value(kCountName, "2009", 20)});
  v1::PreviewFollowUpReportRequest preview;
  preview.set_policy_name(kPolicy);
  *preview.mutable_as_of() = Day(2010, 6, 1);
  auto previewed = manager_->PreviewReport(kViewer, preview);
  ASSERT_TRUE(previewed.ok()) << previewed.status();
  EXPECT_TRUE(previewed->name().empty());
  EXPECT_EQ(previewed->state(), v1::REPORT_STATE_UNSPECIFIED);
  EXPECT_EQ(previewed->totals().achieved(), 0);
  ExpectError(manager_->PreviewReport(kAnonymous, preview),
              absl::StatusCode::kUnauthenticated, "policy_name");

  // A draft: insiders only.
  ExpectError(GetReport(kAnonymous, name), absl::StatusCode::kUnauthenticated,
              "name");
  ExpectError(GetReport(kKbhAnalyst, name), absl::StatusCode::kPermissionDenied,
              "name");
  auto insider = GetReport(kViewer, name);
  ASSERT_TRUE(insider.ok()) << insider.status();
  EXPECT_EQ(insider->SerializeAsString(), created->SerializeAsString());
  EXPECT_THAT(ReportNames(kAnonymous), IsEmpty());
  EXPECT_THAT(ReportNames(kKbhAnalyst), IsEmpty());
  EXPECT_THAT(ReportNames(kViewer), ElementsAre(name));
  v1::ExportFollowUpReportRequest export_request;
  export_request.set_name(name);
  ExpectError(manager_->ExportReport(kAnonymous, export_request),
              absl::StatusCode::kUnauthenticated, "name");

  // Published: everyone.
  v1::PublishFollowUpReportRequest publish;
  publish.set_name(name);
  ExpectError(manager_->PublishReport(kViewer, publish),
              absl::StatusCode::kPermissionDenied, "name");
  now_ += absl::Hours(24);
  auto published = manager_->PublishReport(kAnalyst, publish);
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(published->state(), v1::REPORT_STATE_PUBLISHED);
  EXPECT_EQ(published->publish_time().seconds(), absl::ToUnixSeconds(now_));
  auto outside = GetReport(kAnonymous, name);
  ASSERT_TRUE(outside.ok()) << outside.status();
  EXPECT_EQ(outside->state(), v1::REPORT_STATE_PUBLISHED);
  EXPECT_EQ(outside->focus_areas_size(), 1);
  EXPECT_THAT(ReportNames(kAnonymous), ElementsAre(name));

  // A second draft stays hidden from outsiders.
  ASSERT_TRUE(CreateReport("2009-rettet").ok());
  EXPECT_THAT(ReportNames(kAnonymous), ElementsAre(name));
  EXPECT_THAT(ReportNames(kKbhAnalyst), ElementsAre(name));
  EXPECT_THAT(ReportNames(kViewer),
              ElementsAre(name, absl::StrCat(name, "-rettet")));
  std::vector<std::string> types = EventTypes();
  EXPECT_THAT(types, ::testing::Contains("followup_report.created"));
  EXPECT_THAT(types, ::testing::Contains("followup_report.published"));
}

TEST_P(FollowUpManagerTest, CreateReportWithTheSameRequestIdCreatesOnce) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  v1::CreateFollowUpReportRequest r;
  r.set_parent(kParent);
  r.set_follow_up_report_id("2009");
  r.mutable_follow_up_report()->set_policy_name(kPolicy);
  r.mutable_follow_up_report()->set_display_name("Årlig redegørelse 2009");
  *r.mutable_follow_up_report()->mutable_as_of() = Day(2010, 6, 1);
  r.set_request_id("rapport-2009");
  auto first = manager_->CreateReport(kAnalyst, r);
  ASSERT_TRUE(first.ok()) << first.status();
  // Values recorded meanwhile do not change the answer to the retry.
  MustRecord({Value(kCountName, "2009", 45)});
  now_ += absl::Hours(1);
  auto second = manager_->CreateReport(kAnalyst, r);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->SerializeAsString(), first->SerializeAsString());
  EXPECT_THAT(ReportNames(kViewer),
              ElementsAre("municipalities/169/followUpReports/2009"));
  r.set_follow_up_report_id("2009-b");
  ExpectError(manager_->CreateReport(kAnalyst, r),
              absl::StatusCode::kInvalidArgument, "request_id");
  r.clear_request_id();
  r.set_follow_up_report_id("2009");
  ExpectError(manager_->CreateReport(kAnalyst, r),
              absl::StatusCode::kAlreadyExists, "follow_up_report_id");

  // Publishing twice keeps the first publication.
  v1::PublishFollowUpReportRequest publish;
  publish.set_name(first->name());
  auto published = manager_->PublishReport(kAnalyst, publish);
  ASSERT_TRUE(published.ok()) << published.status();
  now_ += absl::Hours(1);
  auto again = manager_->PublishReport(kAnalyst, publish);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->publish_time().seconds(),
            published->publish_time().seconds());
  int publications = 0;
  for (const auto& type : EventTypes()) {
    publications += type == "followup_report.published";
  }
  EXPECT_EQ(publications, 1);
}

TEST_P(FollowUpManagerTest, ExportsAReportAsMarkdownAndHtml) {
  MustCreate(CountIndicator(), "etniske-ivaerksaettere");
  MustRecord({Value(kCountName, "2008", 10), Value(kCountName, "2009", 45)});
  ASSERT_TRUE(CreateReport("2009").ok());
  v1::PublishFollowUpReportRequest publish;
  publish.set_name("municipalities/169/followUpReports/2009");
  ASSERT_TRUE(manager_->PublishReport(kAnalyst, publish).ok());

  v1::ExportFollowUpReportRequest r;
  r.set_name(publish.name());
  r.set_format(v1::REPORT_FORMAT_MARKDOWN);
  auto markdown = manager_->ExportReport(kAnonymous, r);
  ASSERT_TRUE(markdown.ok()) << markdown.status();
  EXPECT_EQ(markdown->media_type(), "text/markdown; charset=utf-8");
  EXPECT_THAT(markdown->document(), HasSubstr(kCountDisplayName));

  r.set_format(v1::REPORT_FORMAT_HTML);
  auto html = manager_->ExportReport(kAnonymous, r);
  ASSERT_TRUE(html.ok()) << html.status();
  EXPECT_EQ(html->media_type(), "text/html; charset=utf-8");
  EXPECT_THAT(html->document(), HasSubstr(kCountDisplayName));
  EXPECT_THAT(html->document(), HasSubstr("<svg"));

  r.set_format(static_cast<v1::ReportFormat>(7));
  ExpectError(manager_->ExportReport(kAnonymous, r),
              absl::StatusCode::kInvalidArgument, "format");
}

TEST_P(FollowUpManagerTest, RefusesBadReports) {
  v1::CreateFollowUpReportRequest r;
  r.set_parent(kParent);
  r.set_follow_up_report_id("2009");
  r.mutable_follow_up_report()->set_display_name("Årlig redegørelse 2009");
  r.mutable_follow_up_report()->set_policy_name(kKbhPolicy);
  ExpectError(manager_->CreateReport(kAnalyst, r),
              absl::StatusCode::kInvalidArgument,
              "follow_up_report.policy_name");
  r.mutable_follow_up_report()->set_policy_name(
      "municipalities/169/policies/ukendt");
  ExpectError(manager_->CreateReport(kAnalyst, r), absl::StatusCode::kNotFound,
              "follow_up_report.policy_name");
  r.mutable_follow_up_report()->set_policy_name(kPolicy);
  ExpectError(manager_->CreateReport(kViewer, r),
              absl::StatusCode::kPermissionDenied, "parent");
  r.mutable_follow_up_report()->clear_display_name();
  ExpectError(manager_->CreateReport(kAnalyst, r),
              absl::StatusCode::kInvalidArgument,
              "follow_up_report.display_name");
  EXPECT_THAT(ReportNames(kViewer), IsEmpty());
}

// ---------------------------------------------------------------------------
// The catalogue.

TEST_P(FollowUpManagerTest, OnlyAdminsAddToTheCatalogue) {
  ExpectError(CreateCatalogue(kAnalyst), absl::StatusCode::kPermissionDenied,
              "catalogue_indicator");
  ExpectError(CreateCatalogue(kAnonymous), absl::StatusCode::kUnauthenticated,
              "catalogue_indicator");
  auto created = CreateCatalogue(kAdmin);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->name(), kCatalogue);
  ExpectError(CreateCatalogue(kAdmin), absl::StatusCode::kAlreadyExists,
              "catalogue_indicator_id");
  v1::GetCatalogueIndicatorRequest get;
  get.set_name(kCatalogue);
  auto got = manager_->GetCatalogueIndicator(kAnonymous, get);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->SerializeAsString(), created->SerializeAsString());
  auto listed = manager_->ListCatalogueIndicators(kAnonymous, {});
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->catalogue_indicators_size(), 1);
}

TEST_P(FollowUpManagerTest, OptingInNeedsTheDefinitionsUnitAndKind) {
  ASSERT_TRUE(CreateCatalogue(kAdmin).ok());
  v1::Indicator in = ParityIndicator();
  in.set_catalogue_indicator_name(kCatalogue);
  in.set_unit("procent");
  ExpectError(Create(in, "beskaeftigelse-indvandrere"),
              absl::StatusCode::kFailedPrecondition,
              "indicator.catalogue_indicator_name");
  in.set_unit("%");
  in.set_reporting_period(v1::REPORTING_PERIOD_QUARTER);
  ExpectError(Create(in, "beskaeftigelse-indvandrere"),
              absl::StatusCode::kFailedPrecondition,
              "indicator.catalogue_indicator_name");
  in.set_reporting_period(v1::REPORTING_PERIOD_YEAR);
  in.set_catalogue_indicator_name("catalogueIndicators/findes-ikke");
  ExpectError(Create(in, "beskaeftigelse-indvandrere"),
              absl::StatusCode::kNotFound,
              "indicator.catalogue_indicator_name");
  EXPECT_THAT(IndicatorNames(), IsEmpty());

  // An indicator that opts in later with the wrong unit is refused too.
  in.clear_catalogue_indicator_name();
  in.set_unit("procent");
  v1::Indicator created = MustCreate(in, "beskaeftigelse-indvandrere");
  v1::UpdateIndicatorRequest r;
  *r.mutable_indicator() = created;
  r.mutable_indicator()->set_catalogue_indicator_name(kCatalogue);
  r.mutable_update_mask()->add_paths("catalogue_indicator_name");
  ExpectError(manager_->UpdateIndicator(kAnalyst, r),
              absl::StatusCode::kFailedPrecondition,
              "indicator.catalogue_indicator_name");
}

// A comparison shows one value per municipality, so a municipality opts in
// to a definition with one indicator only.
TEST_P(FollowUpManagerTest, AMunicipalityOptsInOnce) {
  ASSERT_TRUE(CreateCatalogue(kAdmin).ok());
  v1::Indicator in = ParityIndicator();
  in.set_catalogue_indicator_name(kCatalogue);
  MustCreate(in, "beskaeftigelse-indvandrere");
  ExpectError(Create(in, "beskaeftigelse-igen"),
              absl::StatusCode::kAlreadyExists,
              "indicator.catalogue_indicator_name");
  EXPECT_THAT(IndicatorNames(), ElementsAre("municipalities/169/indicators/"
                                            "beskaeftigelse-indvandrere"));
}

TEST_P(FollowUpManagerTest, ComparesOnlyMunicipalitiesThatOptedIn) {
  ASSERT_TRUE(CreateCatalogue(kAdmin).ok());
  // Høje-Taastrup and København opt in; Furesø measures the same but does
  // not.
  v1::Indicator opted = ParityIndicator();
  opted.set_catalogue_indicator_name(kCatalogue);
  MustCreate(opted, "beskaeftigelse-indvandrere");
  v1::Indicator kbh = opted;
  *kbh.mutable_criteria(0) = Criterion(kParityCriterion, kKbhPolicy);
  MustCreate(kbh, "beskaeftigelse", kKbhAnalyst, "municipalities/101");
  v1::Indicator furesoe = ParityIndicator();
  *furesoe.mutable_criteria(0) = Criterion(kParityCriterion, kFuresoPolicy);
  MustCreate(furesoe, "beskaeftigelse-indvandrere", kFuresoAnalyst,
             "municipalities/190");

  MustRecord({Value(kParityName, "2009", 47.1),
              Value(kParityName, "2009", 76.9, v1::SERIES_REFERENCE_GROUP),
              Value(kParityName, "2010", 45.3),
              Value(kParityName, "2010", 75.2, v1::SERIES_REFERENCE_GROUP)});
  MustRecord(
      {Value("municipalities/101/indicators/beskaeftigelse", "2009", 50)},
      kKbhAnalyst, "municipalities/101");
  MustRecord({Value("municipalities/190/indicators/beskaeftigelse-indvandrere",
                    "2010", 99)},
             kFuresoAnalyst, "municipalities/190");

  v1::CompareCatalogueIndicatorRequest r;
  r.set_name(kCatalogue);
  auto compared = manager_->Compare(kViewer, r);
  ASSERT_TRUE(compared.ok()) << compared.status();
  ASSERT_EQ(compared->rows_size(), 2);
  const v1::ComparisonRow& kbh_row = compared->rows(0);
  EXPECT_EQ(kbh_row.municipality_name(), "municipalities/101");
  EXPECT_EQ(kbh_row.indicator_name(),
            "municipalities/101/indicators/beskaeftigelse");
  EXPECT_EQ(kbh_row.period(), "2009");
  EXPECT_EQ(kbh_row.value(), 50);
  EXPECT_FALSE(kbh_row.has_reference_value());
  EXPECT_FALSE(kbh_row.municipality_title().empty());
  const v1::ComparisonRow& own = compared->rows(1);
  EXPECT_EQ(own.municipality_name(), kParent);
  EXPECT_EQ(own.indicator_name(), kParityName);
  EXPECT_EQ(own.period(), "2010");
  EXPECT_THAT(own.value(), DoubleEq(45.3));
  EXPECT_TRUE(own.has_reference_value());
  EXPECT_THAT(own.reference_value(), DoubleEq(75.2));
  for (const auto& row : compared->rows()) {
    EXPECT_NE(row.municipality_name(), "municipalities/190");
    EXPECT_THAT(row.indicator_name(), Not(HasSubstr("municipalities/190")));
    EXPECT_NE(row.value(), 99);
  }

  // One period: the values of that period.
  r.set_period("2009");
  auto in_2009 = manager_->Compare(kViewer, r);
  ASSERT_TRUE(in_2009.ok()) << in_2009.status();
  ASSERT_EQ(in_2009->rows_size(), 2);
  EXPECT_THAT(in_2009->rows(1).value(), DoubleEq(47.1));
  EXPECT_THAT(in_2009->rows(1).reference_value(), DoubleEq(76.9));
  r.set_period("2010");
  auto in_2010 = manager_->Compare(kViewer, r);
  ASSERT_TRUE(in_2010.ok()) << in_2010.status();
  ASSERT_EQ(in_2010->rows_size(), 1);
  EXPECT_EQ(in_2010->rows(0).municipality_name(), kParent);
  r.set_period("2010-Q1");
  ExpectError(manager_->Compare(kViewer, r), absl::StatusCode::kInvalidArgument,
              "period");
  r.clear_period();
  ExpectError(manager_->Compare(kAnonymous, r),
              absl::StatusCode::kUnauthenticated, "name");

  // Opting out takes a municipality out of the comparison.
  v1::GetIndicatorRequest get;
  get.set_name("municipalities/101/indicators/beskaeftigelse");
  auto current = manager_->GetIndicator(kKbhAnalyst, get);
  ASSERT_TRUE(current.ok()) << current.status();
  v1::UpdateIndicatorRequest out;
  *out.mutable_indicator() = *current;
  out.mutable_indicator()->clear_catalogue_indicator_name();
  out.mutable_update_mask()->add_paths("catalogue_indicator_name");
  ASSERT_TRUE(manager_->UpdateIndicator(kKbhAnalyst, out).ok());
  auto after = manager_->Compare(kViewer, r);
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->rows_size(), 1);
  EXPECT_EQ(after->rows(0).municipality_name(), kParent);
}

KOMMUNE_INSTANTIATE_ENGINE_TEST(FollowUpManagerTest);

}  // namespace
}  // namespace kommune::followup
