// Scenario 1 of the domain, through the real binaries: import the
// Høje-Taastrup policy (domain/001) with kommunectl, revise it, diff,
// send it to hearing, adopt it, search it and export it.
#include <signal.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server_process.h"

namespace kommune::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "e2e-gateway-secret";

class PolicyEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int port = PickFreePort();
    address_ = absl::StrCat("127.0.0.1:", port);
    db_path_ = absl::StrCat(::testing::TempDir(), "policy_e2e_", port, ".db");
    ASSERT_TRUE(
        server_
            .Start(Bin("policy_server"),
                   {"--listen=" + address_, "--database=sqlite://" + db_path_,
                    std::string("--identity_secret=") + kSecret})
            .ok());
    ASSERT_TRUE(server_.WaitForLog("\"serving\"", absl::Seconds(30)))
        << server_.Log();
  }

  void TearDown() override {
    server_.Signal(SIGTERM);
    EXPECT_EQ(server_.Wait(absl::Seconds(30)), 0);
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::remove((db_path_ + suffix).c_str());
    }
  }

  static std::string Bin(const std::string& name) {
    return std::string(KOMMUNE_BIN_DIR) + "/" + name;
  }

  CommandResult Ctl(const std::string& roles, std::vector<std::string> args,
                    const std::string& municipality = "169",
                    bool signed_in = true) {
    std::vector<std::string> all = {"--policy_address=" + address_,
                                    "--municipality=" + municipality};
    if (signed_in) {
      all.push_back("--subject=e2e@" + municipality);
      all.push_back("--roles=" + roles);
      all.push_back(std::string("--identity_secret=") + kSecret);
    }
    all.insert(all.end(), args.begin(), args.end());
    return RunCommand(Bin("kommunectl"), all);
  }

  ServerProcess server_;
  std::string address_;
  std::string db_path_;
};

TEST_F(PolicyEndToEndTest, ImportReviseDiffAdoptSearchExport) {
  const std::string fixture =
      std::string(KOMMUNE_FIXTURES_DIR) + "/domain/001_e954513d7125136f.txt";
  CommandResult imported =
      Ctl("editor", {"import", "--id=integration-2007", "--format=text",
                     "--request_id=e2e-import", fixture});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("\"POLICY_STATE_DRAFT\""));
  EXPECT_THAT(imported.out, HasSubstr("At 40 etniske iværksættere"));

  // A retried import with the same request id changes nothing.
  CommandResult retried =
      Ctl("editor", {"import", "--id=integration-2007", "--format=text",
                     "--request_id=e2e-import", fixture});
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_EQ(retried.out, imported.out);

  // Drafts are not for other municipalities, nor for the public.
  CommandResult foreign = Ctl(
      "editor", {"get", "municipalities/169/policies/integration-2007"}, "101");
  EXPECT_EQ(foreign.exit_code, 1);
  EXPECT_THAT(foreign.err, HasSubstr("PERMISSION_DENIED"));

  CommandResult renamed =
      Ctl("editor", {"update", "--display_name=Integrationspolitik 2007-2011",
                     "integration-2007"});
  ASSERT_EQ(renamed.exit_code, 0) << renamed.err;
  EXPECT_THAT(renamed.out, HasSubstr("\"revision_id\": \"2\""));

  CommandResult diff = Ctl("viewer", {"diff", "integration-2007", "1"});
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_THAT(diff.out, HasSubstr("1 -> 2"));
  EXPECT_THAT(diff.out, HasSubstr("Integrationspolitik 2007-2011"));

  ASSERT_EQ(
      Ctl("secretary", {"adopt", "--adopt_date=2007-03-28", "integration-2007"})
          .exit_code,
      1)
      << "a draft goes to hearing before adoption";
  CommandResult hearing = Ctl("secretary", {"hearing", "integration-2007"});
  ASSERT_EQ(hearing.exit_code, 0) << hearing.err;
  CommandResult adopted = Ctl(
      "secretary", {"adopt", "--adopt_date=2007-03-28", "integration-2007"});
  ASSERT_EQ(adopted.exit_code, 0) << adopted.err;
  EXPECT_THAT(adopted.out, HasSubstr("adopted"));

  CommandResult revisions = Ctl("viewer", {"revisions", "integration-2007"});
  ASSERT_EQ(revisions.exit_code, 0);
  EXPECT_THAT(revisions.out, HasSubstr("integration-2007@4"));

  // Adopted policies are public: an anonymous search across municipalities.
  CommandResult search =
      Ctl("", {"search", "mentorordninger"}, "-", /*signed_in=*/false);
  ASSERT_EQ(search.exit_code, 0) << search.err;
  EXPECT_THAT(search.out,
              HasSubstr("municipalities/169/policies/integration-2007"));
  EXPECT_THAT(search.out, HasSubstr("«"));

  CommandResult markdown = Ctl("",
                               {"export", "--format=markdown",
                                "municipalities/169/policies/integration-2007"},
                               "-", false);
  ASSERT_EQ(markdown.exit_code, 0) << markdown.err;
  EXPECT_THAT(markdown.out, HasSubstr("# Integrationspolitik 2007-2011"));
  EXPECT_THAT(markdown.out, HasSubstr("At 40 etniske iværksættere"));

  CommandResult json =
      Ctl("viewer", {"export", "--format=json", "integration-2007"});
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_THAT(json.out, HasSubstr("\"success_criteria\""));

  // Adopted content never changes.
  CommandResult late =
      Ctl("editor", {"update", "--display_name=Changed", "integration-2007"});
  EXPECT_EQ(late.exit_code, 1);
  EXPECT_THAT(late.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(server_.Log(), Not(HasSubstr("NO IDENTITY SECRET")));
}

TEST_F(PolicyEndToEndTest, RefusesAForgedIdentity) {
  CommandResult forged = RunCommand(
      Bin("kommunectl"), {"--policy_address=" + address_, "--municipality=169",
                          "--subject=intruder", "--roles=admin",
                          "--identity_secret=guess", "list"});
  EXPECT_EQ(forged.exit_code, 1);
  EXPECT_THAT(forged.err, HasSubstr("UNAUTHENTICATED"));
}

}  // namespace
}  // namespace kommune::testing
