// Stock clients against the gateway: whatever a client library made by
// others sends and expects, the gateway must answer. The Connect client
// (clients/connect-node: @connectrpc/connect-node over HTTP/1.1 with code
// generated from proto/) runs a create, get, list, delete and NotFound flow
// with the JSON and the binary codec and prints one JSON line about it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "tests/gateway_stack.h"
#include "tests/server_process.h"

namespace kommune::testing {
namespace {

using ::nlohmann::json;

constexpr char kEnv[] = "/usr/bin/env";
constexpr char kRequireNodeClient[] = "KOMMUNE_REQUIRE_NODE_CLIENT";

std::string Describe(const CommandResult& result) {
  return absl::StrCat("exit code ", result.exit_code, "\nstdout:\n", result.out,
                      "\nstderr:\n", result.err);
}

// The last line of `out` that parses as a JSON object.
json LastJsonLine(const std::string& out) {
  json found;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    json line = json::parse(out.substr(start, end - start), nullptr, false);
    if (!line.is_discarded() && line.is_object()) found = line;
    start = end + 1;
  }
  return found;
}

TEST(GatewayClientsTest, ConnectNodeClientRunsTheUnaryFlow) {
  const std::string client = GatewayStack::Source("clients/connect-node");
  if (!std::filesystem::exists(client + "/node_modules")) {
    if (std::getenv(kRequireNodeClient) != nullptr) {
      FAIL() << client << "/node_modules is missing and " << kRequireNodeClient
             << " is set; run " << client << "/setup.sh first";
    }
    GTEST_SKIP() << "The Connect client is not set up (no " << client
                 << "/node_modules); run " << client
                 << "/setup.sh (needs npm and the npm registry), or set "
                 << kRequireNodeClient << "=1 to make this a failure";
  }

  // Generates the client's code from proto/ when the contracts changed since
  // the last run; never installs packages.
  CommandResult setup = RunCommand(kEnv, {client + "/setup.sh", "--offline"});
  ASSERT_EQ(setup.exit_code, 0) << "setup.sh --offline: " << Describe(setup);

  GatewayStack stack;
  absl::Status started = stack.Start();
  ASSERT_TRUE(started.ok()) << started;

  const std::string url = absl::StrCat("http://127.0.0.1:", stack.http_port());
  CommandResult run = RunCommand(
      kEnv, {absl::StrCat("GATEWAY_URL=", url),
             absl::StrCat("TOKEN=", stack.Token({"101"}, {"editor"})),
             "MUNICIPALITY=101", "CODECS=json,proto", "timeout", "120", "node",
             client + "/policy_client.mjs"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run) << "\ngateway log:\n"
                              << stack.gateway().Log();

  std::cout << "policy_client.mjs: " << run.out << std::flush;
  json summary = LastJsonLine(run.out);
  ASSERT_TRUE(summary.is_object()) << Describe(run);
  EXPECT_EQ(summary.value("ok", false), true) << summary.dump();
  EXPECT_EQ(summary.value("gateway", ""), url);
  for (const char* codec : {"json", "proto"}) {
    SCOPED_TRACE(codec);
    ASSERT_TRUE(summary["codecs"].contains(codec)) << summary.dump();
    const json& result = summary["codecs"][codec];
    EXPECT_TRUE(absl::StartsWith(
        result.value("created", ""),
        absl::StrCat("municipalities/101/policies/connect-node-", codec, "-")))
        << result.dump();
    EXPECT_EQ(result.value("state", ""), "POLICY_STATE_DRAFT");
    EXPECT_FALSE(result.value("revisionId", "").empty());
    EXPECT_EQ(result.value("vision", ""),
              "Alle borgere taler og forstår dansk");
    EXPECT_GE(result.value("listed", 0), 1);
    EXPECT_EQ(result.value("notFound", ""), "NotFound");
  }

  // The gateway took them as Connect calls from the token's subject.
  std::map<std::string, int> seen;  // "method code" -> calls
  std::ifstream access(stack.dir() + "/access.log");
  for (std::string line; std::getline(access, line);) {
    json entry = json::parse(line, nullptr, false);
    ASSERT_FALSE(entry.is_discarded()) << line;
    if (entry.value("protocol", "") != "connect") continue;
    EXPECT_EQ(entry.value("caller", ""), "token:tester@kommune.dk") << line;
    const std::string method = entry.value("method", "");
    ++seen[absl::StrCat(
        absl::StripPrefix(method, "/kommune.policy.v1.PolicyService/"), " ",
        entry.value("code", ""))];
  }
  EXPECT_EQ(seen["CreatePolicy ok"], 2);
  EXPECT_EQ(seen["GetPolicy ok"], 2);
  EXPECT_GE(seen["ListPolicies ok"], 2);
  EXPECT_EQ(seen["DeletePolicy ok"], 2);
  EXPECT_EQ(seen["GetPolicy not_found"], 2);
}

}  // namespace
}  // namespace kommune::testing
