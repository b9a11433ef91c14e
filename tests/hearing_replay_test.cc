// The domain scenarios replayed through the real processes (policy_server,
// hearing_server, followup_server and kommunectl), all on the scenario's own
// calendar by libfaketime: one shared clock, since identity headers are checked
// against a 5-minute window. Høje-Taastrup 2006-07 (domain/000 and /001): the
// policy imported as a draft, an internal hearing of the children and youth
// committee, its answer and handling, the memo, then the Boligsocialt
// Udvalg's decision of 7 March 2007 (converted to a decision case,
// postponed with its reasons), its later approval, and the adoption through
// the policy service, and in March 2010 the follow-up: indicators for its
// success criteria, values, and the published yearly report. København 2010
// (domain/003): the committees' hearing with one late answer. Furesø 2018
// (domain/002): the public hearing, two committees the same day, the council's
// proposals, the adoption.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "tests/server_process.h"

namespace kommune::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "hearing-replay-secret";
constexpr char kFakeTime[] =
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

class DomainReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::ifstream(kFakeTime).fail()) {
      GTEST_SKIP() << "libfaketime (Debian package faketime) is missing";
    }
    policy_address_ = absl::StrCat("127.0.0.1:", PickFreePort());
    hearing_address_ = absl::StrCat("127.0.0.1:", PickFreePort());
    followup_address_ = absl::StrCat("127.0.0.1:", PickFreePort());
    dir_ = absl::StrCat(::testing::TempDir(), "ht_replay_",
                        policy_address_.substr(10), "_");
  }

  void TearDown() override {
    StopServers();
    for (const char* db : {"policy.db", "hearing.db", "followup.db"}) {
      for (const char* suffix : {"", "-wal", "-shm"}) {
        std::remove(absl::StrCat(dir_, db, suffix).c_str());
      }
    }
  }

  // Starts the servers on the scenario's clock, at `when`
  // ("2007-01-10 10:00:00"); their databases outlive restarts.
  void StartServersAt(const std::string& when) {
    now_ = when;
    std::vector<std::string> env = {std::string("LD_PRELOAD=") + kFakeTime,
                                    "FAKETIME=@" + when,
                                    "FAKETIME_DONT_FAKE_MONOTONIC=1"};
    policy_ = std::make_unique<ServerProcess>();
    ASSERT_TRUE(policy_
                    ->Start(Bin("policy_server"),
                            {"--listen=" + policy_address_,
                             "--database=sqlite://" + dir_ + "policy.db",
                             std::string("--identity_secret=") + kSecret},
                            env)
                    .ok());
    ASSERT_TRUE(policy_->WaitForLog("\"serving\"", absl::Seconds(30)))
        << policy_->Log();
    hearing_ = std::make_unique<ServerProcess>();
    ASSERT_TRUE(hearing_
                    ->Start(Bin("hearing_server"),
                            {"--listen=" + hearing_address_,
                             "--database=sqlite://" + dir_ + "hearing.db",
                             "--policy_address=" + policy_address_,
                             std::string("--identity_secret=") + kSecret},
                            env)
                    .ok());
    ASSERT_TRUE(hearing_->WaitForLog("\"serving\"", absl::Seconds(30)))
        << hearing_->Log();
    followup_ = std::make_unique<ServerProcess>();
    ASSERT_TRUE(followup_
                    ->Start(Bin("followup_server"),
                            {"--listen=" + followup_address_,
                             "--database=sqlite://" + dir_ + "followup.db",
                             "--policy_address=" + policy_address_,
                             std::string("--identity_secret=") + kSecret},
                            env)
                    .ok());
    ASSERT_TRUE(followup_->WaitForLog("\"serving\"", absl::Seconds(30)))
        << followup_->Log();
  }

  void StopServers() {
    for (auto* server : {&followup_, &hearing_, &policy_}) {
      if (*server == nullptr) continue;
      (*server)->Signal(SIGTERM);
      EXPECT_EQ((*server)->Wait(absl::Seconds(30)), 0);
      server->reset();
    }
  }

  static std::string Bin(const std::string& name) {
    return std::string(KOMMUNE_BIN_DIR) + "/" + name;
  }

  // kommunectl on the same clock, by default as a secretary and editor of
  // Høje-Taastrup (169).
  CommandResult Ctl(std::vector<std::string> args,
                    const std::string& municipality = "169",
                    const std::string& roles = "editor,secretary") {
    std::vector<std::string> all = {
        std::string("LD_PRELOAD=") + kFakeTime,
        "FAKETIME=@" + now_,
        "FAKETIME_DONT_FAKE_MONOTONIC=1",
        Bin("kommunectl"),
        "--policy_address=" + policy_address_,
        "--hearing_address=" + hearing_address_,
        "--followup_address=" + followup_address_,
        "--municipality=" + municipality,
        "--subject=sekretariatet@" + municipality,
        "--roles=" + roles,
        std::string("--identity_secret=") + kSecret};
    all.insert(all.end(), args.begin(), args.end());
    return RunCommand("/usr/bin/env", all);
  }

  std::string WriteFile(const std::string& name, const std::string& content) {
    std::string path = dir_ + name;
    std::ofstream(path) << content;
    return path;
  }

  std::unique_ptr<ServerProcess> policy_;
  std::unique_ptr<ServerProcess> hearing_;
  std::unique_ptr<ServerProcess> followup_;
  std::string policy_address_;
  std::string hearing_address_;
  std::string followup_address_;
  std::string dir_;
  std::string now_;
};

TEST_F(DomainReplayTest, HearingDecisionPostponementAndAdoption) {
  // January 2007: the revised policy is a draft and goes to the children
  // and youth committee for its views.
  ASSERT_NO_FATAL_FAILURE(StartServersAt("2007-01-10 10:00:00"));
  CommandResult imported = Ctl(
      {"import", "--id=integration-2007", "--format=text",
       std::string(KOMMUNE_FIXTURES_DIR) + "/domain/001_e954513d7125136f.txt"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  ASSERT_THAT(imported.out, HasSubstr("\"POLICY_STATE_DRAFT\""));

  // The citizen meeting of 25 October 2006 (domain/000): about 75 came, and
  // their proposals were written into the policy, or said why not.
  CommandResult read = Ctl({"get", "integration-2007"});
  ASSERT_EQ(read.exit_code, 0) << read.err;
  nlohmann::json policy_json = nlohmann::json::parse(read.out, nullptr, false);
  ASSERT_TRUE(policy_json.contains("content")) << read.out;
  nlohmann::json& content = policy_json["content"];
  const std::string vision = content["vision_statements"][0].value("id", "");
  ASSERT_FALSE(vision.empty());
  content["citizen_meetings"] = nlohmann::json::array(
      {{{"id", "borgermoede-2006"},
        {"date", {{"year", 2006}, {"month", 10}, {"day", 25}}},
        {"place", "Taastrup"},
        {"participant_count", 75},
        {"proposals",
         {{{"id", "sprog"},
           {"text", "Mere sprogundervisning for forældre"},
           {"landed_in_element_ids", {vision}}},
          {{"id", "cafe"},
           {"text", "En fast integrationscafé"},
           {"landing_note", "Ikke med: ingen bevilling i 2007"}}}}}});
  std::string content_file =
      WriteFile("content.json", nlohmann::json{{"content", content}}.dump());
  CommandResult met =
      Ctl({"update", "--content_file=" + content_file, "integration-2007"});
  ASSERT_EQ(met.exit_code, 0) << met.err;
  EXPECT_THAT(met.out, AllOf(HasSubstr("\"participant_count\": 75"),
                             HasSubstr("\"landed_in_element_ids\""),
                             HasSubstr("ingen bevilling i 2007")));

  CommandResult created =
      Ctl({"hearings", "create", "buu-hoering",
           "--display_name=Høring af Børne- og Ungdomsudvalget",
           "--policy_revision=integration-2007@2", "--kind=internal",
           "--open_date=2007-01-10", "--deadline=2007-02-20",
           "--letter=Udkast til revideret integrationspolitik sendes i høring.",
           "--parties=buu:committee:Børne- og Ungdomsudvalget:must",
           "--request_id=buu-hoering"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  CommandResult opened = Ctl({"hearings", "open", "buu-hoering"});
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  CommandResult policy = Ctl({"get", "integration-2007"});
  ASSERT_EQ(policy.exit_code, 0) << policy.err;
  EXPECT_THAT(policy.out, HasSubstr("\"POLICY_STATE_IN_HEARING\""));

  CommandResult answered =
      Ctl({"responses", "submit", "buu-hoering", "--party=buu",
           "--text=Udvalget ønsker en tydeligere indsats for børn i dagtilbud.",
           "--request_id=buu-svar"});
  ASSERT_EQ(answered.exit_code, 0) << answered.err;
  // On time: received on the scenario's day, not marked late.
  EXPECT_THAT(answered.out, AllOf(HasSubstr("\"receive_time\": \"2007-01-10T"),
                                  Not(HasSubstr("\"late\""))));
  // The same answer sent twice is one answer.
  CommandResult again =
      Ctl({"responses", "submit", "buu-hoering", "--party=buu",
           "--text=Udvalget ønsker en tydeligere indsats for børn i dagtilbud.",
           "--request_id=buu-svar"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, answered.out);
  ASSERT_NO_FATAL_FAILURE(StopServers());

  // 7 March 2007: the hearing is over; the answer is handled and the
  // Boligsocialt Udvalg treats the case.
  ASSERT_NO_FATAL_FAILURE(StartServersAt("2007-03-07 16:00:00"));
  ASSERT_EQ(Ctl({"hearings", "close", "buu-hoering"}).exit_code, 0);
  std::string points = WriteFile(
      "points.textproto",
      "points { point_id: \"dagtilbud\" summary: \"Tydeligere indsats for "
      "børn i dagtilbud\" disposition: DISPOSITION_INCORPORATED reason: "
      "\"Indsatsområdet er udbygget\" }\n");
  CommandResult handled = Ctl({"responses", "points", "buu-hoering/1", points});
  ASSERT_EQ(handled.exit_code, 0) << handled.err;
  CommandResult processed = Ctl({"hearings", "process", "buu-hoering"});
  ASSERT_EQ(processed.exit_code, 0) << processed.err;
  CommandResult memo =
      Ctl({"hearings", "memo", "--format=markdown", "buu-hoering"});
  ASSERT_EQ(memo.exit_code, 0) << memo.err;
  EXPECT_THAT(memo.out, AllOf(HasSubstr("Børne- og Ungdomsudvalget"),
                              HasSubstr("Tydeligere indsats for børn"),
                              HasSubstr("Indsatsområdet er udbygget")));

  CommandResult tmpl =
      Ctl({"treatment", "template", "create", "hoeje-taastrup-2007",
           std::string(KOMMUNE_FIXTURES_DIR) +
               "/../services/hearing/testdata/hoeje_taastrup_2007.textproto"});
  ASSERT_EQ(tmpl.exit_code, 0) << tmpl.err;
  CommandResult started = Ctl(
      {"treatment", "case", "create", "--policy=integration-2007",
       "--template=hoeje-taastrup-2007", "--request_id=sag", "integration"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  ASSERT_EQ(Ctl({"treatment", "step", "--step=hoering-boerne-ungdomsudvalget",
                 "--hearing=buu-hoering", "integration"})
                .exit_code,
            0);
  CommandResult heard =
      Ctl({"treatment", "decide", "--step=hoering-boerne-ungdomsudvalget",
           "--date=2007-03-07", "--outcome=approved", "integration"});
  ASSERT_EQ(heard.exit_code, 0) << heard.err;
  EXPECT_THAT(heard.out,
              HasSubstr("\"current_step_id\": \"boligsocialt-udvalg\""));

  const std::vector<std::string> committee = {
      "--step=boligsocialt-udvalg", "--body_kind=committee",
      "--body_name=Boligsocialt Udvalg", "--date=2007-03-07"};
  auto decide = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"treatment", "decide"};
    args.insert(args.end(), committee.begin(), committee.end());
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("integration");
    return Ctl(args);
  };
  CommandResult converted = decide({"--outcome=converted_to_decision_case",
                                    "--text=Sagen blev omdannet til en "
                                    "beslutningssag."});
  ASSERT_EQ(converted.exit_code, 0) << converted.err;
  CommandResult unexplained = decide({"--outcome=postponed"});
  EXPECT_EQ(unexplained.exit_code, 1);
  EXPECT_THAT(unexplained.err, HasSubstr("reason"));
  CommandResult postponed = decide(
      {"--outcome=postponed",
       "--reason=Afventer høringssvar fra Børne- og Ungdomsudvalget og en "
       "drøftelse af økonomien."});
  ASSERT_EQ(postponed.exit_code, 0) << postponed.err;
  EXPECT_THAT(postponed.out,
              AllOf(HasSubstr("\"DECISION_OUTCOME_POSTPONED\""),
                    HasSubstr("\"current_step_id\": \"boligsocialt-udvalg\"")));
  policy = Ctl({"get", "integration-2007"});
  EXPECT_THAT(policy.out, Not(HasSubstr("\"POLICY_STATE_ADOPTED\"")));
  ASSERT_NO_FATAL_FAILURE(StopServers());

  // April 2007: after the changes the committee approves, which adopts the
  // policy in the policy service.
  ASSERT_NO_FATAL_FAILURE(StartServersAt("2007-04-11 17:00:00"));
  CommandResult approved =
      Ctl({"treatment", "decide", "--step=boligsocialt-udvalg",
           "--body_kind=committee", "--body_name=Boligsocialt Udvalg",
           "--date=2007-04-11", "--outcome=approved_with_changes",
           "--request_id=godkendt", "integration"});
  ASSERT_EQ(approved.exit_code, 0) << approved.err;
  EXPECT_THAT(approved.out, HasSubstr("\"CASE_STATE_ADOPTED\""));
  policy = Ctl({"get", "integration-2007"});
  ASSERT_EQ(policy.exit_code, 0) << policy.err;
  EXPECT_THAT(policy.out,
              AllOf(HasSubstr("\"POLICY_STATE_ADOPTED\""),
                    HasSubstr("\"year\": 2007"), HasSubstr("\"month\": 4")));
  ASSERT_NO_FATAL_FAILURE(StopServers());

  // March 2010: the follow-up. Indicators for the adopted policy's success
  // criteria (fixtures/followup/demo), three years of values, a person's
  // assessment, and the yearly report, published.
  ASSERT_NO_FATAL_FAILURE(StartServersAt("2010-03-31 12:00:00"));
  const std::string demo =
      std::string(KOMMUNE_FIXTURES_DIR) + "/followup/demo/";
  for (const char* id :
       {"etniske-ivaerksaettere", "mentorordninger", "nyankomne-tilbud",
        "skolefravaer", "vold-og-haervaerk", "arbejdsgruppe-jobexpres",
        "veluddannede-flygtninge"}) {
    CommandResult created =
        Ctl({"followup", "indicator", "create", id, demo + id + ".textproto"},
            "169", "analyst");
    ASSERT_EQ(created.exit_code, 0) << id << ": " << created.err;
  }
  CommandResult values =
      Ctl({"followup", "import", "--request_id=tal-2007-2010",
           demo + "measurements.csv"},
          "169", "analyst");
  ASSERT_EQ(values.exit_code, 0) << values.err;
  EXPECT_THAT(values.out, HasSubstr("\"imported_count\": 22"));
  CommandResult assessed = Ctl({"followup", "record", "--assessment=on_track",
                                "--note=Fast kontaktperson i Jobcentret",
                                "veluddannede-flygtninge", "2009", "-"},
                               "169", "analyst");
  ASSERT_EQ(assessed.exit_code, 0) << assessed.err;

  // 32 of the 40 entrepreneurs by the end of 2009: the deadline has passed.
  CommandResult status =
      Ctl({"followup", "status", "etniske-ivaerksaettere"}, "169", "viewer");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, AllOf(HasSubstr("\"STATUS_MISSED\""),
                                HasSubstr("\"latest_value\": 32")));

  CommandResult report =
      Ctl({"followup", "report", "create", "--policy=integration-2007",
           "--display_name=Årlig redegørelse 2010", "redegoerelse-2010"},
          "169", "analyst");
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_THAT(report.out, AllOf(HasSubstr("\"REPORT_STATE_DRAFT\""),
                                HasSubstr("\"year\": 2010")));
  ASSERT_EQ(Ctl({"followup", "report", "publish", "redegoerelse-2010"}, "169",
                "analyst")
                .exit_code,
            0);
  // Published, the report is anyone's to read.
  CommandResult page =
      Ctl({"--subject=", "followup", "report", "export", "--format=markdown",
           "municipalities/169/followUpReports/redegoerelse-2010"},
          "-", "viewer");
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_THAT(page.out, AllOf(HasSubstr("# Årlig redegørelse 2010"),
                              HasSubstr("Den boligsociale indsats"),
                              HasSubstr("Etniske iværksættere etableret"),
                              HasSubstr("ikke opfyldt")));
}

// København 2010 (domain/003): the coordinating committee's hearing of every
// committee with the deadline 7 May 2010 and a statutory duty to answer;
// one committee answers late; the memo lists every party and response.
TEST_F(DomainReplayTest, KoebenhavnCommitteeHearingWithALateAnswer) {
  ASSERT_NO_FATAL_FAILURE(StartServersAt("2010-03-10 09:00:00"));
  ASSERT_EQ(Ctl({"import", "--id=integration-2011", "--format=text",
                 std::string(KOMMUNE_FIXTURES_DIR) +
                     "/domain/001_e954513d7125136f.txt"})
                .exit_code,
            0);
  CommandResult created = Ctl(
      {"hearings", "create", "udvalgshoering-2010",
       "--display_name=Høring af udvalgene om integrationspolitikken",
       "--policy_revision=integration-2011@1", "--kind=internal",
       "--open_date=2010-03-10", "--deadline=2010-05-07",
       "--late_responses=accept",
       "--letter=Udvalgene bedes besvare de tre spørgsmål i skabelonen.",
       "--parties=bif:committee:Beskæftigelses- og Integrationsudvalget:must;"
       "buu:committee:Børne- og Ungdomsudvalget;"
       "kfu:committee:Kultur- og Fritidsudvalget"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_EQ(Ctl({"hearings", "open", "udvalgshoering-2010"}).exit_code, 0);
  for (const char* party : {"bif", "buu"}) {
    CommandResult on_time =
        Ctl({"responses", "submit", "udvalgshoering-2010",
             std::string("--party=") + party,
             std::string("--text=Svar fra ") + party + " om handleplanen."});
    ASSERT_EQ(on_time.exit_code, 0) << on_time.err;
    EXPECT_THAT(on_time.out, Not(HasSubstr("\"late\"")));
  }
  ASSERT_NO_FATAL_FAILURE(StopServers());

  // Five days after the deadline the culture committee answers.
  ASSERT_NO_FATAL_FAILURE(StartServersAt("2010-05-12 11:00:00"));
  CommandResult late =
      Ctl({"responses", "submit", "udvalgshoering-2010", "--party=kfu",
           "--text=Svar fra kfu om foreningslivet."});
  ASSERT_EQ(late.exit_code, 0) << late.err;
  EXPECT_THAT(late.out, HasSubstr("\"late\": true"));
  ASSERT_EQ(Ctl({"hearings", "close", "udvalgshoering-2010"}).exit_code, 0);
  for (int i = 1; i <= 3; ++i) {
    std::string points = WriteFile(
        absl::StrCat("points", i, ".textproto"),
        absl::StrCat("points { point_id: \"p\" summary: \"Punkt ", i,
                     "\" disposition: DISPOSITION_NOTED reason: \"Taget til "
                     "efterretning\" }\n"));
    ASSERT_EQ(Ctl({"responses", "points",
                   absl::StrCat("udvalgshoering-2010/", i), points})
                  .exit_code,
              0);
  }
  ASSERT_EQ(Ctl({"hearings", "process", "udvalgshoering-2010"}).exit_code, 0);
  CommandResult memo =
      Ctl({"hearings", "memo", "--format=json", "udvalgshoering-2010"});
  ASSERT_EQ(memo.exit_code, 0) << memo.err;
  EXPECT_THAT(memo.out,
              AllOf(HasSubstr("Beskæftigelses- og Integrationsudvalget"),
                    HasSubstr("Børne- og Ungdomsudvalget"),
                    HasSubstr("Kultur- og Fritidsudvalget"),
                    HasSubstr("\"period_days\": 59"), HasSubstr("Punkt 3"),
                    HasSubstr("\"late\": true")));
  ASSERT_NO_FATAL_FAILURE(StopServers());

  // September-October: the public hearing; then the treatment from the
  // process decided in January to the city council's adoption in December.
  ASSERT_NO_FATAL_FAILURE(StartServersAt("2010-09-10 10:00:00"));
  ASSERT_EQ(Ctl({"hearings", "create", "offentlig-hoering-2010",
                 "--display_name=Offentlig høring af integrationspolitikken",
                 "--policy_revision=integration-2011@1", "--kind=public",
                 "--open_date=2010-09-10", "--deadline=2010-10-15",
                 "--letter=Københavns Kommune sender politikken i høring."})
                .exit_code,
            0);
  ASSERT_EQ(Ctl({"hearings", "open", "offentlig-hoering-2010"}).exit_code, 0);
  ASSERT_EQ(Ctl({"responses", "submit", "offentlig-hoering-2010",
                 "--text=Husk de frivillige foreninger.", "--name=Borger",
                 "--consent"})
                .exit_code,
            0);
  ASSERT_NO_FATAL_FAILURE(StopServers());

  ASSERT_NO_FATAL_FAILURE(StartServersAt("2010-12-16 18:00:00"));
  ASSERT_EQ(Ctl({"hearings", "close", "offentlig-hoering-2010"}).exit_code, 0);
  std::string points =
      WriteFile("public.textproto",
                "points { point_id: \"frivillige\" summary: \"Frivillige "
                "foreninger\" disposition: DISPOSITION_INCORPORATED reason: "
                "\"Nævnt under medborgerskab\" }\n");
  ASSERT_EQ(Ctl({"responses", "points", "offentlig-hoering-2010/1", points})
                .exit_code,
            0);
  ASSERT_EQ(Ctl({"hearings", "process", "offentlig-hoering-2010"}).exit_code,
            0);
  ASSERT_EQ(Ctl({"treatment", "template", "create", "koebenhavn-2010",
                 std::string(KOMMUNE_FIXTURES_DIR) +
                     "/../services/hearing/testdata/koebenhavn_2010.textproto"})
                .exit_code,
            0);
  ASSERT_EQ(Ctl({"treatment", "case", "create", "--policy=integration-2011",
                 "--template=koebenhavn-2010", "integration-2011"})
                .exit_code,
            0);
  ASSERT_EQ(Ctl({"treatment", "step", "--step=offentlig-hoering",
                 "--hearing=offentlig-hoering-2010", "integration-2011"})
                .exit_code,
            0);
  struct Step {
    const char* step;
    const char* kind;  // empty: a step without bodies
    std::vector<const char*> bodies;
    const char* date;
  };
  const std::vector<Step> path = {
      {"proces",
       "committee",
       {"Beskæftigelses- og Integrationsudvalget"},
       "2010-01-11"},
      {"fagudvalgenes-oplaeg",
       "committee",
       {"Børne- og Ungdomsudvalget", "Sundheds- og Omsorgsudvalget",
        "Kultur- og Fritidsudvalget"},
       "2010-05-07"},
      {"sammenskrivning", "", {}, "2010-06-30"},
      {"1-behandling",
       "committee",
       {"Beskæftigelses- og Integrationsudvalget"},
       "2010-08-23"},
      {"offentlig-hoering", "", {}, "2010-10-15"},
      {"2-behandling",
       "committee",
       {"Beskæftigelses- og Integrationsudvalget"},
       "2010-11-22"},
      {"oekonomiudvalget",
       "finance_committee",
       {"Økonomiudvalget"},
       "2010-12-07"},
      {"borgerrepraesentationen",
       "city_council",
       {"Borgerrepræsentationen"},
       "2010-12-16"}};
  CommandResult last;
  for (const Step& step : path) {
    std::vector<const char*> bodies = step.bodies;
    if (bodies.empty()) bodies.push_back("");
    for (const char* body : bodies) {
      std::vector<std::string> args = {
          "treatment", "decide", std::string("--step=") + step.step,
          std::string("--date=") + step.date, "--outcome=approved"};
      if (*body != '\0') {
        args.push_back(std::string("--body_kind=") + step.kind);
        args.push_back(std::string("--body_name=") + body);
      }
      args.push_back("integration-2011");
      last = Ctl(args);
      ASSERT_EQ(last.exit_code, 0)
          << step.step << " " << body << ": " << last.err;
    }
  }
  EXPECT_THAT(last.out, HasSubstr("\"CASE_STATE_ADOPTED\""));
  CommandResult policy = Ctl({"get", "integration-2011"});
  EXPECT_THAT(policy.out, AllOf(HasSubstr("\"POLICY_STATE_ADOPTED\""),
                                HasSubstr("\"month\": 12")));
}

// Furesø 2018 (domain/002): a public hearing 7.8-28.8.2018 on case
// 18/12386, two committees deciding on the same day, the integration
// council's proposals incorporated or forwarded, then the city council's
// adoption.
TEST_F(DomainReplayTest, FuresoePublicHearingAndTwoCommittees) {
  auto furesoe = [this](std::vector<std::string> args) {
    return Ctl(std::move(args), "190");
  };
  ASSERT_NO_FATAL_FAILURE(StartServersAt("2018-08-07 09:00:00"));
  CommandResult imported =
      furesoe({"import", "--id=integration-2018", "--format=json",
               std::string(KOMMUNE_FIXTURES_DIR) +
                   "/demo/furesoe_integration_2018.json"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  CommandResult created = furesoe(
      {"hearings", "create", "offentlig-hoering-2018",
       "--display_name=Offentlig høring af integrationspolitik 2018-2021",
       "--policy_revision=integration-2018@1", "--kind=public",
       "--open_date=2018-08-07", "--deadline=2018-08-28",
       "--letter=Furesø Kommune sender integrationspolitikken i høring.",
       "--parties=integrationsraadet:council:Integrationsrådet"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_EQ(furesoe({"hearings", "open", "offentlig-hoering-2018"}).exit_code,
            0);
  ASSERT_EQ(
      furesoe({"treatment", "template", "create", "furesoe-2018",
               std::string(KOMMUNE_FIXTURES_DIR) +
                   "/../services/hearing/testdata/furesoe_2018.textproto"})
          .exit_code,
      0);
  ASSERT_EQ(furesoe({"treatment", "case", "create", "--policy=integration-2018",
                     "--template=furesoe-2018", "integration-2018"})
                .exit_code,
            0);
  CommandResult council = furesoe(
      {"responses", "submit", "offentlig-hoering-2018",
       "--party=integrationsraadet",
       "--text=Rådet foreslår lektiecaféer og mentorer til nyankomne."});
  ASSERT_EQ(council.exit_code, 0) << council.err;
  CommandResult citizen =
      furesoe({"responses", "submit", "offentlig-hoering-2018",
               "--text=Flere danskkurser om aftenen, tak.",
               "--name=Mette Borger", "--email=mette@example.dk",
               "--address=Farum Hovedgade 1", "--anonymous", "--consent"});
  ASSERT_EQ(citizen.exit_code, 0) << citizen.err;
  ASSERT_NO_FATAL_FAILURE(StopServers());

  // 14 August: both committees discuss the item the same day.
  ASSERT_NO_FATAL_FAILURE(StartServersAt("2018-08-14 19:00:00"));
  for (const char* body : {"Udvalg for beskæftigelse og erhverv",
                           "Udvalg for skole og ungdomsuddannelse"}) {
    CommandResult decided =
        furesoe({"treatment", "decide", "--step=fagudvalg",
                 "--body_kind=committee", std::string("--body_name=") + body,
                 "--date=2018-08-14", "--outcome=discussed",
                 "--text=Udvalget drøftede udkastet.", "integration-2018"});
    ASSERT_EQ(decided.exit_code, 0) << decided.err;
  }
  CommandResult after_committees =
      furesoe({"treatment", "case", "get", "integration-2018"});
  EXPECT_THAT(after_committees.out,
              HasSubstr("\"current_step_id\": \"offentlig-hoering\""));
  ASSERT_NO_FATAL_FAILURE(StopServers());

  // After the deadline: the responses are handled, published without
  // personal data, and the city council adopts the policy.
  ASSERT_NO_FATAL_FAILURE(StartServersAt("2018-10-03 20:00:00"));
  ASSERT_EQ(furesoe({"hearings", "close", "offentlig-hoering-2018"}).exit_code,
            0);
  std::string council_points = WriteFile(
      "council.textproto",
      "points { point_id: \"lektiecafe\" summary: \"Lektiecaféer\" "
      "disposition: DISPOSITION_INCORPORATED reason: \"Indarbejdet i "
      "indsatsområdet Børn og unge\" }\n"
      "points { point_id: \"mentorer\" summary: \"Mentorer til "
      "nyankomne\" disposition: DISPOSITION_FORWARDED reason: \"Videresendt "
      "til handleplanen\" }\n");
  ASSERT_EQ(furesoe({"responses", "points", "offentlig-hoering-2018/1",
                     council_points})
                .exit_code,
            0);
  std::string citizen_points = WriteFile(
      "citizen.textproto",
      "points { point_id: \"aften\" summary: \"Danskkurser om aftenen\" "
      "disposition: DISPOSITION_FORWARDED reason: \"Sendt til "
      "Sprogcentret\" }\n");
  ASSERT_EQ(furesoe({"responses", "points", "offentlig-hoering-2018/2",
                     citizen_points})
                .exit_code,
            0);
  ASSERT_EQ(
      furesoe({"hearings", "process", "offentlig-hoering-2018"}).exit_code, 0);
  // Someone of another municipality reads what the public reads.
  CommandResult outside = Ctl({"responses", "list",
                               "municipalities/190/hearings/"
                               "offentlig-hoering-2018",
                               "--output=json"},
                              "101", "viewer");
  ASSERT_EQ(outside.exit_code, 0) << outside.err;
  EXPECT_THAT(outside.out,
              AllOf(HasSubstr("Flere danskkurser"), Not(HasSubstr("Mette")),
                    Not(HasSubstr("mette@example.dk")),
                    Not(HasSubstr("Farum Hovedgade"))));
  CommandResult memo = furesoe(
      {"hearings", "memo", "--format=markdown", "offentlig-hoering-2018"});
  EXPECT_THAT(memo.out, AllOf(HasSubstr("Indarbejdet i indsatsområdet"),
                              HasSubstr("Videresendt til handleplanen"),
                              Not(HasSubstr("Mette"))));

  ASSERT_EQ(furesoe({"treatment", "step", "--step=offentlig-hoering",
                     "--hearing=offentlig-hoering-2018", "integration-2018"})
                .exit_code,
            0);
  ASSERT_EQ(
      furesoe({"treatment", "decide", "--step=offentlig-hoering",
               "--date=2018-10-03", "--outcome=approved", "integration-2018"})
          .exit_code,
      0);
  CommandResult adopted =
      furesoe({"treatment", "decide", "--step=byraadet",
               "--body_kind=city_council", "--body_name=Byrådet",
               "--date=2018-10-03", "--outcome=approved", "integration-2018"});
  ASSERT_EQ(adopted.exit_code, 0) << adopted.err;
  EXPECT_THAT(adopted.out, HasSubstr("\"CASE_STATE_ADOPTED\""));
  CommandResult policy = furesoe({"get", "integration-2018"});
  EXPECT_THAT(policy.out, HasSubstr("\"POLICY_STATE_ADOPTED\""));
}

}  // namespace
}  // namespace kommune::testing
