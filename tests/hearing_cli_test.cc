// The hearing workflow and political treatment through kommunectl, against
// the real policy_server and hearing_server: import a policy, hear it in
// public, take two responses (one anonymous), handle them, print the memo,
// and start its treatment from Furesø's template. Also the CLI's own
// refusals of bad input.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server_process.h"

namespace kommune::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kSecret[] = "hearing-cli-secret";
constexpr char kPolicy[] = "integration-2007";
constexpr char kTitle[] = "Offentlig høring af integrationspolitikken";

class HearingCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int policy_port = PickFreePort();
    policy_address_ = absl::StrCat("127.0.0.1:", policy_port);
    dir_ = absl::StrCat(::testing::TempDir(), "hearing_cli_", policy_port, "_");
    ASSERT_TRUE(policy_server_
                    .Start(Bin("policy_server"),
                           {"--listen=" + policy_address_,
                            "--database=sqlite://" + dir_ + "policy.db",
                            std::string("--identity_secret=") + kSecret})
                    .ok());
    ASSERT_TRUE(policy_server_.WaitForLog("\"serving\"", absl::Seconds(30)))
        << policy_server_.Log();
    hearing_address_ = absl::StrCat("127.0.0.1:", PickFreePort());
    ASSERT_TRUE(hearing_server_
                    .Start(Bin("hearing_server"),
                           {"--listen=" + hearing_address_,
                            "--database=sqlite://" + dir_ + "hearing.db",
                            "--policy_address=" + policy_address_,
                            std::string("--identity_secret=") + kSecret})
                    .ok());
    ASSERT_TRUE(hearing_server_.WaitForLog("\"serving\"", absl::Seconds(30)))
        << hearing_server_.Log();
  }

  void TearDown() override {
    hearing_server_.Signal(SIGTERM);
    EXPECT_EQ(hearing_server_.Wait(absl::Seconds(30)), 0);
    policy_server_.Signal(SIGTERM);
    EXPECT_EQ(policy_server_.Wait(absl::Seconds(30)), 0);
    for (const char* db : {"policy.db", "hearing.db"}) {
      for (const char* suffix : {"", "-wal", "-shm"}) {
        std::remove(absl::StrCat(dir_, db, suffix).c_str());
      }
    }
    for (const std::string& file : files_) std::remove(file.c_str());
  }

  static std::string Bin(const std::string& name) {
    return std::string(KOMMUNE_BIN_DIR) + "/" + name;
  }

  // kommunectl as a signed-in secretary and editor of municipality 169.
  CommandResult Ctl(std::vector<std::string> args,
                    const std::string& municipality = "169") {
    std::vector<std::string> all = {
        "--policy_address=" + policy_address_,
        "--hearing_address=" + hearing_address_,
        "--municipality=" + municipality,
        "--subject=sekretaer@169",
        "--roles=editor,secretary",
        std::string("--identity_secret=") + kSecret};
    all.insert(all.end(), args.begin(), args.end());
    return RunCommand(Bin("kommunectl"), all);
  }

  std::string WriteFile(const std::string& name, const std::string& content) {
    std::string path = dir_ + name;
    std::ofstream(path) << content;
    files_.push_back(path);
    return path;
  }

  // One year from today, YYYY-MM-DD: the hearing is open all through the
  // test whatever day it runs.
  static std::string NextYear() {
    absl::CivilDay day =
        absl::ToCivilDay(absl::Now(), absl::LocalTimeZone()) + 365;
    return absl::FormatCivilTime(day);
  }

  void ImportPolicy() {
    CommandResult imported =
        Ctl({"import", std::string("--id=") + kPolicy, "--format=text",
             std::string(KOMMUNE_FIXTURES_DIR) +
                 "/domain/001_e954513d7125136f.txt"});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    ASSERT_THAT(imported.out, HasSubstr("\"POLICY_STATE_DRAFT\""));
  }

  ServerProcess policy_server_;
  ServerProcess hearing_server_;
  std::string policy_address_;
  std::string hearing_address_;
  std::string dir_;
  std::vector<std::string> files_;
};

TEST_F(HearingCliTest, PublicHearingMemoAndTreatment) {
  ASSERT_NO_FATAL_FAILURE(ImportPolicy());

  // Plan a public hearing of revision 1 that accepts late responses.
  CommandResult created = Ctl(
      {"hearings", "create", "integration-hoering",
       std::string("--display_name=") + kTitle,
       std::string("--policy_revision=") + kPolicy + "@1", "--kind=public",
       "--deadline=" + NextYear(), "--late_responses=accept",
       "--letter=Kommunen sender integrationspolitikken i offentlig høring.",
       "--parties=integrationsraadet:council:Integrationsrådet:must;"
       "buu:committee:Børne- og Ungdomsudvalget",
       "--request_id=create-hearing"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_THAT(created.out,
              AllOf(HasSubstr("\"name\": "
                              "\"municipalities/169/hearings/"
                              "integration-hoering\""),
                    HasSubstr("\"HEARING_STATE_PLANNED\""),
                    HasSubstr("\"HEARING_KIND_PUBLIC\""),
                    HasSubstr("\"LATE_RESPONSE_POLICY_ACCEPT_MARKED_LATE\""),
                    HasSubstr("\"policy_revision\": "
                              "\"municipalities/169/policies/"
                              "integration-2007@1\""),
                    HasSubstr("\"must_answer\": true")));

  // Opening it sends the policy to hearing.
  CommandResult opened = Ctl({"hearings", "open", "integration-hoering"});
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  EXPECT_THAT(opened.out, HasSubstr("\"HEARING_STATE_OPEN\""));
  CommandResult policy = Ctl({"get", kPolicy});
  ASSERT_EQ(policy.exit_code, 0) << policy.err;
  EXPECT_THAT(policy.out, HasSubstr("\"POLICY_STATE_IN_HEARING\""));

  CommandResult listed_hearings = Ctl({"hearings", "list"});
  ASSERT_EQ(listed_hearings.exit_code, 0) << listed_hearings.err;
  EXPECT_THAT(listed_hearings.out,
              HasSubstr("municipalities/169/hearings/integration-hoering\topen"
                        "\tpublic"));

  // Two responses: the council's, and an anonymous citizen's from a file.
  CommandResult council =
      Ctl({"responses", "submit", "integration-hoering",
           "--party=integrationsraadet",
           "--text=Rådet støtter politikken, men savner mål for beskæftigelse.",
           "--element_ids=vision-1", "--request_id=council-response"});
  ASSERT_EQ(council.exit_code, 0) << council.err;
  EXPECT_THAT(council.out,
              AllOf(HasSubstr("\"name\": \"municipalities/169/hearings/"
                              "integration-hoering/responses/1\""),
                    HasSubstr("\"RESPONSE_STATE_SUBMITTED\""),
                    HasSubstr("\"vision-1\"")));
  std::string text_file =
      WriteFile("citizen.txt", "Sprogundervisningen skal styrkes.\n");
  CommandResult citizen =
      Ctl({"responses", "submit", "integration-hoering",
           "--text_file=" + text_file, "--name=Karen Borger",
           "--email=karen.borger@example.dk", "--anonymous", "--consent"});
  ASSERT_EQ(citizen.exit_code, 0) << citizen.err;
  EXPECT_THAT(citizen.out, AllOf(HasSubstr("/responses/2\""),
                                 HasSubstr("\"anonymous\": true")));

  CommandResult responses = Ctl({"responses", "list", "integration-hoering"});
  ASSERT_EQ(responses.exit_code, 0) << responses.err;
  EXPECT_THAT(
      responses.out,
      AllOf(
          HasSubstr("integration-hoering/responses/1\tsubmitted\t"
                    "integrationsraadet\t0 points\tRådet støtter"),
          HasSubstr("integration-hoering/responses/2\tsubmitted\t"
                    "Karen Borger (anonymous)\t0 points\tSprogundervisningen"),
          Not(HasSubstr("karen.borger@example.dk"))));

  // The handling: points with dispositions on both.
  std::string council_points =
      WriteFile("council_points.textproto",
                "points { point_id: \"maal\" summary: \"Rådet savner mål for "
                "beskæftigelse\" disposition: DISPOSITION_INCORPORATED "
                "reason: \"Et mål for beskæftigelse er tilføjet\" }\n");
  CommandResult handled =
      Ctl({"responses", "points", "integration-hoering/1", council_points});
  ASSERT_EQ(handled.exit_code, 0) << handled.err;
  EXPECT_THAT(handled.out, HasSubstr("\"DISPOSITION_INCORPORATED\""));
  std::string citizen_points = WriteFile(
      "citizen_points.json",
      R"({"points": [{"point_id": "sprog", "summary": "Sprogundervisningen bør styrkes",
          "disposition": "DISPOSITION_FORWARDED", "reason": "Sendt videre til Sprogcentret"}]})");
  CommandResult handled_citizen =
      Ctl({"--output=text", "responses", "points",
           "municipalities/169/hearings/integration-hoering/responses/2",
           citizen_points});
  ASSERT_EQ(handled_citizen.exit_code, 0) << handled_citizen.err;
  EXPECT_THAT(handled_citizen.out,
              AllOf(HasSubstr("disposition: DISPOSITION_FORWARDED"),
                    HasSubstr("point_id: \"sprog\"")));
  CommandResult read_back = Ctl({"responses", "get", "integration-hoering/2"});
  ASSERT_EQ(read_back.exit_code, 0) << read_back.err;
  EXPECT_THAT(read_back.out, HasSubstr("Sendt videre til Sprogcentret"));

  // The committee has not answered; the council has. A year is left, so
  // nobody needs a reminder ten days before the deadline yet.
  CommandResult outstanding =
      Ctl({"hearings", "outstanding", "integration-hoering"});
  ASSERT_EQ(outstanding.exit_code, 0) << outstanding.err;
  EXPECT_THAT(outstanding.out,
              AllOf(HasSubstr("days left until the deadline"),
                    HasSubstr("buu\tcommittee\tBørne- og Ungdomsudvalget"),
                    Not(HasSubstr("integrationsraadet"))));
  CommandResult reminders =
      Ctl({"hearings", "outstanding", "--days=10", "integration-hoering"});
  ASSERT_EQ(reminders.exit_code, 0) << reminders.err;
  EXPECT_THAT(reminders.out, Not(HasSubstr("buu")));

  CommandResult waived = Ctl({"hearings", "waive", "--party=buu",
                              "--reason=Udvalget har drøftet sagen på sit møde",
                              "integration-hoering"});
  ASSERT_EQ(waived.exit_code, 0) << waived.err;
  EXPECT_THAT(waived.out, HasSubstr("\"waived\": true"));

  CommandResult memo =
      Ctl({"hearings", "memo", "--format=markdown", "integration-hoering"});
  ASSERT_EQ(memo.exit_code, 0) << memo.err;
  EXPECT_THAT(
      memo.out,
      AllOf(HasSubstr(absl::StrCat("# Høringsnotat: ", kTitle)),
            HasSubstr("- Rådet savner mål for beskæftigelse — "
                      "**indarbejdet**: Et mål for beskæftigelse er tilføjet"),
            HasSubstr("### 2. Anonym"),
            HasSubstr("- Sprogundervisningen bør styrkes — **videresendt**: "
                      "Sendt videre til Sprogcentret"),
            HasSubstr("fritaget: Udvalget har drøftet sagen på sit møde"),
            Not(HasSubstr("karen.borger@example.dk")),
            Not(HasSubstr("Karen Borger"))));
  CommandResult html =
      Ctl({"hearings", "memo", "--format=html", "integration-hoering"});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_THAT(html.out, HasSubstr(absl::StrCat("<h1>Høringsnotat: ", kTitle)));

  // Still open: it cannot be closed before its deadline.
  CommandResult early = Ctl({"hearings", "close", "integration-hoering"});
  EXPECT_EQ(early.exit_code, 1);
  EXPECT_THAT(early.err, HasSubstr("FAILED_PRECONDITION"));

  // Political treatment from Furesø's template.
  CommandResult tmpl =
      Ctl({"treatment", "template", "create", "furesoe",
           std::string(KOMMUNE_FIXTURES_DIR) +
               "/../services/hearing/testdata/furesoe_2018.textproto"});
  ASSERT_EQ(tmpl.exit_code, 0) << tmpl.err;
  EXPECT_THAT(tmpl.out,
              HasSubstr("\"name\": \"municipalities/169/processTemplates/"
                        "furesoe\""));
  CommandResult templates = Ctl({"treatment", "template", "list"});
  ASSERT_EQ(templates.exit_code, 0) << templates.err;
  EXPECT_THAT(templates.out,
              HasSubstr("fagudvalg -> offentlig-hoering -> byraadet"));

  CommandResult started = Ctl(
      {"treatment", "case", "create", std::string("--policy=") + kPolicy,
       "--template=furesoe", "--request_id=start-case", "integrationspolitik"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  EXPECT_THAT(started.out,
              AllOf(HasSubstr("\"current_step_id\": \"fagudvalg\""),
                    HasSubstr("\"CASE_STATE_IN_PROGRESS\"")));

  CommandResult planned =
      Ctl({"treatment", "step", "--step=offentlig-hoering",
           "--hearing=integration-hoering", "--date=" + NextYear(),
           "--recommendation=At høringssvarene tages til efterretning",
           "integrationspolitik"});
  ASSERT_EQ(planned.exit_code, 0) << planned.err;
  EXPECT_THAT(planned.out,
              AllOf(HasSubstr("\"hearing\": \"municipalities/169/hearings/"
                              "integration-hoering\""),
                    HasSubstr("At høringssvarene tages til efterretning")));

  // A body that does not treat the step is refused by the service.
  CommandResult wrong_body =
      Ctl({"treatment", "decide", "--step=fagudvalg",
           "--body_kind=city_council", "--body_name=Byrådet",
           "--date=2026-08-14", "--outcome=approved", "integrationspolitik"});
  EXPECT_EQ(wrong_body.exit_code, 1);
  EXPECT_THAT(wrong_body.err, HasSubstr("INVALID_ARGUMENT: decision.body"));

  // Both committees of the first step decide; the case moves on.
  CommandResult first = Ctl(
      {"treatment", "decide", "--step=fagudvalg", "--body_kind=committee",
       "--body_name=Udvalg for beskæftigelse og erhverv", "--date=2026-08-14",
       "--outcome=discussed", "--text=Udvalget drøftede udkastet",
       "--request_id=decision-1", "integrationspolitik"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out,
              AllOf(HasSubstr("\"DECISION_OUTCOME_DISCUSSED\""),
                    HasSubstr("\"recorded_by\": \"sekretaer@169\""),
                    HasSubstr("\"current_step_id\": \"fagudvalg\"")));
  CommandResult second =
      Ctl({"treatment", "decide", "--step=fagudvalg", "--body_kind=committee",
           "--body_name=Udvalg for skole og ungdomsuddannelse",
           "--date=2026-08-14", "--outcome=discussed",
           "--request_id=decision-2", "integrationspolitik"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out,
              HasSubstr("\"current_step_id\": \"offentlig-hoering\""));

  CommandResult cases = Ctl({"treatment", "case", "list"});
  ASSERT_EQ(cases.exit_code, 0) << cases.err;
  EXPECT_THAT(cases.out,
              HasSubstr("municipalities/169/treatmentCases/integrationspolitik"
                        "\tin_progress\tstep offentlig-hoering\t"
                        "municipalities/169/policies/integration-2007"));
}

TEST_F(HearingCliTest, RefusesBadInputWithUsageMessages) {
  CommandResult unknown = Ctl({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown command 'frobnicate'"));

  CommandResult unknown_sub = Ctl({"hearings", "frobnicate"});
  EXPECT_EQ(unknown_sub.exit_code, 2);
  EXPECT_THAT(unknown_sub.err,
              AllOf(HasSubstr("unknown command 'hearings frobnicate'"),
                    HasSubstr("hearings create ID")));
  CommandResult unknown_treatment = Ctl({"treatment", "case", "frobnicate"});
  EXPECT_EQ(unknown_treatment.exit_code, 2);
  EXPECT_THAT(unknown_treatment.err,
              HasSubstr("unknown command 'treatment case frobnicate'"));

  CommandResult no_reason = Ctl({"hearings", "cancel", "h"});
  EXPECT_EQ(no_reason.exit_code, 2);
  EXPECT_THAT(no_reason.err,
              HasSubstr("hearings cancel: --reason is required"));

  CommandResult no_party = Ctl({"hearings", "waive", "--reason=Fritaget", "h"});
  EXPECT_EQ(no_party.exit_code, 2);
  EXPECT_THAT(no_party.err, HasSubstr("hearings waive: --party is required"));

  CommandResult incomplete =
      Ctl({"hearings", "create", "h", "--deadline=2030-01-01"});
  EXPECT_EQ(incomplete.exit_code, 2);
  EXPECT_THAT(incomplete.err,
              HasSubstr("--display_name, --policy_revision, --kind are "
                        "required"));

  CommandResult bad_kind = Ctl({"hearings", "create", "h", "--kind=secret"});
  EXPECT_EQ(bad_kind.exit_code, 2);
  EXPECT_THAT(bad_kind.err,
              HasSubstr("--kind: 'secret' is not one of internal, public"));

  CommandResult bad_date = Ctl({"treatment", "decide", "--step=fagudvalg",
                                "--date=14.8.2018", "--outcome=approved", "c"});
  EXPECT_EQ(bad_date.exit_code, 2);
  EXPECT_THAT(bad_date.err, HasSubstr("--date: '14.8.2018' is not a day"));

  CommandResult no_outcome =
      Ctl({"treatment", "decide", "--step=fagudvalg", "c"});
  EXPECT_EQ(no_outcome.exit_code, 2);
  EXPECT_THAT(no_outcome.err,
              HasSubstr("treatment decide: --date, --outcome are required"));

  CommandResult no_text = Ctl({"responses", "submit", "h"});
  EXPECT_EQ(no_text.exit_code, 2);
  EXPECT_THAT(no_text.err, HasSubstr("give --text or --text_file"));

  CommandResult no_template =
      Ctl({"treatment", "case", "create", "--policy=p", "c"});
  EXPECT_EQ(no_template.exit_code, 2);
  EXPECT_THAT(no_template.err, HasSubstr("--template is required"));

  CommandResult no_municipality = Ctl({"hearings", "list"}, "");
  EXPECT_EQ(no_municipality.exit_code, 2);
  EXPECT_THAT(no_municipality.err, HasSubstr("--municipality is required"));

  std::string bad_points = WriteFile("bad.textproto", "points { nonsense: 1 }");
  CommandResult unparsable = Ctl({"responses", "points", "h/1", bad_points});
  EXPECT_EQ(unparsable.exit_code, 2);
  EXPECT_THAT(unparsable.err, HasSubstr("has no field named \"nonsense\""));

  // What the service refuses comes back as the gRPC status, exit code 1.
  CommandResult missing = Ctl({"hearings", "get", "no-such-hearing"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("NOT_FOUND"));
  EXPECT_THAT(missing.out, IsEmpty());
}

}  // namespace
}  // namespace kommune::testing
