// Stock clients against the gateway: whatever a client library made by
// others sends and expects, the gateway must answer. The Connect client
// (clients/connect-node: @connectrpc/connect-node over HTTP/1.1 with code
// generated from proto/) runs a create, get, list, delete and NotFound flow
// with the JSON and the binary codec and prints one JSON line about it.
// The clients in other languages (clients/python over gRPC with Debian's
// grpcio; clients/connect-node/kommune.mjs over Connect JSON and over gRPC)
// each run a policy's whole way through the suite: import, a public
// hearing with an anonymous response, indicators, measurements and the
// published follow-up report, and the change feed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/gateway_stack.h"
#include "tests/server_process.h"

namespace kommune::testing {
namespace {

using ::nlohmann::json;

constexpr char kEnv[] = "/usr/bin/env";
constexpr char kRequireNodeClient[] = "KOMMUNE_REQUIRE_NODE_CLIENT";
constexpr char kRequirePythonClient[] = "KOMMUNE_REQUIRE_PYTHON_CLIENT";
// Debian's interpreter, whose dist-packages hold python3-grpcio and
// python3-protobuf (a python3 earlier on PATH may lack them).
constexpr char kPython[] = "/usr/bin/python3";

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

// --- The whole flow in other languages --------------------------------------

// Today in Denmark, the calendar of the suite's dates.
absl::CivilDay CopenhagenToday() {
  absl::TimeZone copenhagen;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Copenhagen", &copenhagen))
      << "no time zone data (Debian's tzdata)";
  return absl::ToCivilDay(absl::Now(), copenhagen);
}

// The people of the flow, each with a token of their own role in 169.
struct FlowPeople {
  explicit FlowPeople(const GatewayStack& stack)
      : editor(stack.Token({"169"}, {"editor"}, "redaktoer@htk.dk")),
        secretary(stack.Token({"169"}, {"secretary"}, "sekretaer@htk.dk")),
        analyst(stack.Token({"169"}, {"analyst"}, "analytiker@htk.dk")),
        integration(stack.Token({"169"}, {"integration"}, "esdh@htk.dk")) {}
  std::vector<std::string> Environment() const {
    return {"EDITOR_TOKEN=" + editor, "SECRETARY_TOKEN=" + secretary,
            "ANALYST_TOKEN=" + analyst, "INTEGRATION_TOKEN=" + integration,
            "MUNICIPALITY=169"};
  }
  std::string editor, secretary, analyst, integration;
};

// A field of a client's JSON line: Python writes snake_case, Node
// camelCase ("open_date", "openDate").
std::string Key(const std::string& snake, bool camel) {
  if (!camel) return snake;
  std::string out;
  bool upper = false;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
    } else {
      out += upper ? static_cast<char>(std::toupper(c)) : c;
      upper = false;
    }
  }
  return out;
}

// Checks what a client saw on the whole flow: `seen` is its JSON line (or
// one protocol's part of it), `prefix` the start of its policy ids.
// `before` and `after` bracket the run, for the hearing's dates.
void ExpectWholeFlow(const json& seen, const std::string& prefix, bool camel,
                     bool watched, absl::CivilDay before,
                     absl::CivilDay after) {
  auto str = [&](const std::string& key) {
    return seen.value(Key(key, camel), std::string());
  };
  auto num = [&](const std::string& key) {
    return seen.value(Key(key, camel), -1.0);
  };
  EXPECT_TRUE(absl::StartsWith(
      str("policy"), absl::StrCat("municipalities/169/policies/", prefix)))
      << seen.dump();
  EXPECT_FALSE(str("revision").empty());
  EXPECT_EQ(str("title"), "Høje-Taastrup Kommunes integrationspolitik");
  EXPECT_GE(num("listed"), 1);

  // A public hearing of that revision, open from today for three weeks.
  const std::string hearing = str("hearing");
  EXPECT_TRUE(
      absl::StartsWith(hearing, "municipalities/169/hearings/offentlig-"))
      << hearing;
  EXPECT_EQ(str("hearing_state"), "HEARING_STATE_OPEN");
  EXPECT_EQ(str("policy_state"), "POLICY_STATE_IN_HEARING");
  absl::CivilDay open;
  ASSERT_TRUE(absl::ParseCivilTime(str("open_date"), &open))
      << str("open_date");
  EXPECT_TRUE(open == before || open == after)
      << open << " is not today (" << before << ") in Copenhagen";
  EXPECT_EQ(str("deadline"), absl::FormatCivilTime(open + 21));
  if (watched) {
    ASSERT_TRUE(seen.contains("watched")) << seen.dump();
    std::vector<std::string> types = seen["watched"];
    EXPECT_NE(std::find(types.begin(), types.end(), "policy.sent_to_hearing"),
              types.end())
        << seen["watched"].dump();
  }

  // The citizen's anonymous response.
  EXPECT_TRUE(absl::StartsWith(str("response"), hearing + "/responses/"))
      << str("response");
  EXPECT_EQ(seen.value(Key("response_anonymous", camel), false), true);

  // The follow-up: 12 + 11 + 9 entrepreneurs of the 40 by 2009, and the
  // report published and exported without a token.
  EXPECT_TRUE(absl::StartsWith(str("indicator"),
                               "municipalities/169/indicators/ivaerksaettere-"))
      << str("indicator");
  EXPECT_EQ(str("indicator_kind"), "INDICATOR_KIND_COUNT_BY_DEADLINE");
  EXPECT_EQ(num("measurements"), 3);
  EXPECT_EQ(num("latest_value"), 32);
  EXPECT_EQ(num("target_value"), 40);
  EXPECT_TRUE(absl::StartsWith(
      str("report"), "municipalities/169/followUpReports/redegoerelse-"))
      << str("report");
  EXPECT_EQ(str("report_state"), "REPORT_STATE_PUBLISHED");
  EXPECT_EQ(num("report_total"), 1);
  EXPECT_TRUE(absl::EqualsIgnoreCase(str("draft_refused"), "unauthenticated"))
      << str("draft_refused");
  EXPECT_TRUE(absl::StartsWith(str("export_media_type"), "text/html"))
      << str("export_media_type");
  EXPECT_GT(num("export_bytes"), 1000);

  // The policy's events in the policy service's feed, oldest first.
  EXPECT_EQ(seen.value("events", json::array()),
            json::array({"policy.created", "policy.sent_to_hearing"}))
      << seen.dump();
}

// The gateway's access log for one protocol: "Method caller code" -> calls,
// with callers "token:<subject>" or "anonymous".
std::map<std::string, int> CallsByProtocol(const GatewayStack& stack,
                                           const std::string& protocol) {
  std::map<std::string, int> calls;
  std::ifstream access(stack.dir() + "/access.log");
  for (std::string line; std::getline(access, line);) {
    json entry = json::parse(line, nullptr, false);
    if (entry.is_discarded() || entry.value("protocol", "") != protocol) {
      continue;
    }
    std::string caller = entry.value("caller", "");
    if (absl::StartsWith(caller, "address:")) caller = "anonymous";
    std::string method = entry.value("method", "");
    method = method.substr(method.rfind('/') + 1);
    ++calls[absl::StrCat(method, " ", caller, " ", entry.value("code", ""))];
  }
  return calls;
}

// Each step went through the gateway as the person who does it.
void ExpectCallsOfTheFlow(const std::map<std::string, int>& calls,
                          bool watched) {
  auto count = [&](const std::string& key) {
    auto it = calls.find(key);
    return it == calls.end() ? 0 : it->second;
  };
  std::string all;
  for (const auto& [key, n] : calls) absl::StrAppend(&all, key, ": ", n, "\n");
  SCOPED_TRACE(all);
  EXPECT_EQ(count("ImportPolicy token:redaktoer@htk.dk ok"), 1);
  EXPECT_GE(count("ListPolicies token:redaktoer@htk.dk ok"), 1);
  EXPECT_EQ(count("CreateHearing token:sekretaer@htk.dk ok"), 1);
  EXPECT_EQ(count("OpenHearing token:sekretaer@htk.dk ok"), 1);
  EXPECT_EQ(count("SubmitResponse anonymous ok"), 1);
  EXPECT_EQ(count("ListResponses token:sekretaer@htk.dk ok"), 1);
  EXPECT_EQ(count("ProposeIndicators token:analytiker@htk.dk ok"), 1);
  EXPECT_EQ(count("CreateIndicator token:analytiker@htk.dk ok"), 1);
  EXPECT_EQ(count("BatchRecordMeasurements token:analytiker@htk.dk ok"), 1);
  EXPECT_EQ(count("ListMeasurements token:analytiker@htk.dk ok"), 2)
      << "three values, two to a page";
  EXPECT_EQ(count("CreateFollowUpReport token:analytiker@htk.dk ok"), 1);
  EXPECT_EQ(count("PublishFollowUpReport token:analytiker@htk.dk ok"), 1);
  EXPECT_EQ(count("ExportFollowUpReport anonymous unauthenticated"), 1);
  EXPECT_EQ(count("ExportFollowUpReport anonymous ok"), 1);
  EXPECT_GE(count("ListEvents token:esdh@htk.dk ok"), 2);
  int watches = 0;
  for (const auto& [key, n] : calls) {
    if (absl::StartsWith(key, "WatchEvents token:esdh@htk.dk ")) watches += n;
  }
  EXPECT_EQ(watches, watched ? 1 : 0);
}

TEST(GatewayClientsTest, PythonClientRunsTheWholeFlowOverGrpc) {
  const std::string client = GatewayStack::Source("clients/python");
  if (!std::filesystem::exists(client + "/gen/.kommune-setup")) {
    if (std::getenv(kRequirePythonClient) != nullptr) {
      FAIL() << client << "/gen is missing and " << kRequirePythonClient
             << " is set; run " << client << "/setup.sh first";
    }
    GTEST_SKIP() << "The Python client is not set up (no " << client
                 << "/gen); run " << client
                 << "/setup.sh (needs protobuf-compiler, "
                    "protobuf-compiler-grpc, python3-grpcio and "
                    "python3-protobuf), or set "
                 << kRequirePythonClient << "=1 to make this a failure";
  }
  // Generates the code again when the contracts changed since the last run;
  // never installs anything.
  CommandResult setup = RunCommand(kEnv, {client + "/setup.sh"});
  ASSERT_EQ(setup.exit_code, 0) << "setup.sh: " << Describe(setup);

  GatewayStack stack;
  absl::Status started = stack.Start();
  ASSERT_TRUE(started.ok()) << started;
  FlowPeople people(stack);

  const std::string target = absl::StrCat("127.0.0.1:", stack.grpc_port());
  std::vector<std::string> args = people.Environment();
  args.push_back("GATEWAY=" + target);
  for (const char* arg : {"timeout", "120", kPython}) args.push_back(arg);
  args.push_back(client + "/end_to_end.py");
  const absl::CivilDay before = CopenhagenToday();
  CommandResult run = RunCommand(kEnv, args);
  const absl::CivilDay after = CopenhagenToday();
  ASSERT_EQ(run.exit_code, 0) << Describe(run) << "\ngateway log:\n"
                              << stack.gateway().Log();

  std::cout << "end_to_end.py: " << run.out << std::flush;
  json summary = LastJsonLine(run.out);
  ASSERT_TRUE(summary.is_object()) << Describe(run);
  EXPECT_EQ(summary.value("ok", false), true) << summary.dump();
  EXPECT_EQ(summary.value("client", ""), "python");
  EXPECT_EQ(summary.value("gateway", ""), target);
  ExpectWholeFlow(summary, "python-", /*camel=*/false, /*watched=*/true, before,
                  after);
  ExpectCallsOfTheFlow(CallsByProtocol(stack, "grpc"), /*watched=*/true);
}

TEST(GatewayClientsTest, NodeClientRunsTheWholeFlowOverConnectAndGrpc) {
  const std::string client = GatewayStack::Source("clients/connect-node");
  if (!std::filesystem::exists(client + "/node_modules")) {
    if (std::getenv(kRequireNodeClient) != nullptr) {
      FAIL() << client << "/node_modules is missing and " << kRequireNodeClient
             << " is set; run " << client << "/setup.sh first";
    }
    GTEST_SKIP() << "The Node client is not set up (no " << client
                 << "/node_modules); run " << client
                 << "/setup.sh (needs npm and the npm registry), or set "
                 << kRequireNodeClient << "=1 to make this a failure";
  }
  CommandResult setup = RunCommand(kEnv, {client + "/setup.sh", "--offline"});
  ASSERT_EQ(setup.exit_code, 0) << "setup.sh --offline: " << Describe(setup);

  GatewayStack stack;
  absl::Status started = stack.Start();
  ASSERT_TRUE(started.ok()) << started;
  FlowPeople people(stack);

  const std::string json_url =
      absl::StrCat("http://127.0.0.1:", stack.http_port());
  const std::string grpc_url =
      absl::StrCat("http://127.0.0.1:", stack.grpc_port());
  std::vector<std::string> args = people.Environment();
  args.push_back("GATEWAY_URL=" + json_url);
  args.push_back("GATEWAY_GRPC_URL=" + grpc_url);
  args.push_back("PROTOCOLS=connect,grpc");
  for (const char* arg : {"timeout", "120", "node"}) args.push_back(arg);
  args.push_back(client + "/end_to_end.mjs");
  const absl::CivilDay before = CopenhagenToday();
  CommandResult run = RunCommand(kEnv, args);
  const absl::CivilDay after = CopenhagenToday();
  ASSERT_EQ(run.exit_code, 0) << Describe(run) << "\ngateway log:\n"
                              << stack.gateway().Log();

  std::cout << "end_to_end.mjs: " << run.out << std::flush;
  json summary = LastJsonLine(run.out);
  ASSERT_TRUE(summary.is_object()) << Describe(run);
  EXPECT_EQ(summary.value("ok", false), true) << summary.dump();
  EXPECT_EQ(summary.value("client", ""), "node");
  EXPECT_EQ(summary["gateway"].value("connect", ""), json_url);
  EXPECT_EQ(summary["gateway"].value("grpc", ""), grpc_url);
  for (const char* protocol : {"connect", "grpc"}) {
    SCOPED_TRACE(protocol);
    ASSERT_TRUE(summary["protocols"].contains(protocol)) << summary.dump();
    const bool grpc = std::string(protocol) == "grpc";
    // Streaming is gRPC's: the JSON side has unary calls only.
    ExpectWholeFlow(summary["protocols"][protocol],
                    absl::StrCat("node-", protocol, "-"), /*camel=*/true,
                    /*watched=*/grpc, before, after);
    ExpectCallsOfTheFlow(CallsByProtocol(stack, protocol), /*watched=*/grpc);
  }
}

}  // namespace
}  // namespace kommune::testing
