// Starts each service binary as a real process and checks what every
// service owes an operator: --help, flags from the environment, health,
// reflection, a JSON log line per call and a clean stop on SIGTERM.
#include "tests/server_process.h"

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"
#include "kommune/common/v1/change_feed.grpc.pb.h"

namespace kommune::testing {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

std::string Binary(const std::string& name) {
  return std::string(KOMMUNE_BIN_DIR) + "/" + name;
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  return context;
}

// The call log lines (message "call") parsed from the captured log.
std::vector<google::protobuf::Struct> CallLines(const std::string& log) {
  std::vector<google::protobuf::Struct> lines;
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    google::protobuf::Struct parsed;
    if (!google::protobuf::util::JsonStringToMessage(std::string(line), &parsed)
             .ok()) {
      continue;
    }
    if (parsed.fields().at("message").string_value() == "call") {
      lines.push_back(parsed);
    }
  }
  return lines;
}

class ServerProcessTest : public ::testing::TestWithParam<std::string> {
 protected:
  void StartServer(const std::vector<std::string>& extra_env = {}) {
    port_ = PickFreePort();
    std::vector<std::string> env = {
        "KOMMUNE_DATABASE=sqlite://" + ::testing::TempDir() + GetParam() +
            std::to_string(port_) + ".db",
        "KOMMUNE_LISTEN=127.0.0.1:" + std::to_string(port_)};
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    ASSERT_TRUE(server_.Start(Binary(GetParam()), {}, env).ok());
    ASSERT_TRUE(server_.WaitForLog("\"serving\"", absl::Seconds(30)))
        << server_.Log();
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                   grpc::InsecureChannelCredentials());
  }

  ServerProcess server_;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_P(ServerProcessTest, HelpNamesTheFlagsAndTheirEnvironment) {
  ServerProcess help;
  ASSERT_TRUE(help.Start(Binary(GetParam()), {"--help"}).ok());
  help.Wait(absl::Seconds(30));
  std::string out = help.Log();
  EXPECT_NE(out.find("--database"), std::string::npos) << out;
  EXPECT_NE(out.find("--listen"), std::string::npos);
  EXPECT_NE(out.find("--identity_secret_file"), std::string::npos);
  EXPECT_NE(out.find("KOMMUNE_"), std::string::npos);
}

TEST_P(ServerProcessTest, RefusesToStartWithoutADatabase) {
  ServerProcess server;
  ASSERT_TRUE(
      server
          .Start(Binary(GetParam()),
                 {"--listen=127.0.0.1:" + std::to_string(PickFreePort())},
                 {"KOMMUNE_DATABASE="})
          .ok());
  EXPECT_EQ(server.Wait(absl::Seconds(30)), 2);
  EXPECT_NE(server.Log().find("database:"), std::string::npos);
}

TEST_P(ServerProcessTest, AnswersHealthAndLogsTheCall) {
  StartServer();
  EXPECT_NE(server_.Log().find("NO IDENTITY SECRET"), std::string::npos)
      << "a service without a secret must say so loudly";
  HealthCheckResponse response;
  grpc::Status status = Health::NewStub(channel_)->Check(
      Context().get(), HealthCheckRequest(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  ASSERT_TRUE(server_.WaitForLog("Health/Check", absl::Seconds(10)));
  auto lines = CallLines(server_.Log());
  ASSERT_FALSE(lines.empty());
  const auto& f = lines.back().fields();
  EXPECT_EQ(f.at("method").string_value(), "/grpc.health.v1.Health/Check");
  EXPECT_EQ(f.at("code").string_value(), "OK");
  EXPECT_GE(f.at("latency_ms").number_value(), 0);
  EXPECT_EQ(f.count("municipality"), 1u);
  EXPECT_EQ(f.count("subject"), 1u);
}

TEST_P(ServerProcessTest, ListsItsServicesThroughReflection) {
  StartServer();
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(channel_);
  auto context = Context();
  auto stream = stub->ServerReflectionInfo(context.get());
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("");
  ASSERT_TRUE(stream->Write(request));
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  std::vector<std::string> names;
  for (const auto& s : response.list_services_response().service()) {
    names.push_back(s.name());
  }
  EXPECT_NE(std::find(names.begin(), names.end(),
                      "kommune.common.v1.ChangeFeedService"),
            names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "grpc.health.v1.Health"),
            names.end());
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_P(ServerProcessTest, RefusesUnsignedIdentityWhenGivenASecret) {
  StartServer({"KOMMUNE_IDENTITY_SECRET=shared-with-the-gateway"});
  EXPECT_EQ(server_.Log().find("NO IDENTITY SECRET"), std::string::npos);
  auto context = Context();
  context->AddMetadata("x-kommune-municipalities", "169");
  context->AddMetadata("x-kommune-roles", "admin");
  context->AddMetadata("x-kommune-subject-bin", "intruder");
  common::v1::ListEventsRequest request;
  request.set_parent("municipalities/169");
  common::v1::ListEventsResponse response;
  grpc::Status status =
      common::v1::ChangeFeedService::NewStub(channel_)->ListEvents(
          context.get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(server_.WaitForLog("UNAUTHENTICATED", absl::Seconds(10)));
}

TEST_P(ServerProcessTest, StopsCleanlyOnSigtermEndingOpenStreams) {
  StartServer();
  auto context = Context();
  context->AddMetadata("x-kommune-municipalities", "169");
  context->AddMetadata("x-kommune-roles", "viewer");
  context->AddMetadata("x-kommune-subject-bin", "watcher");
  common::v1::WatchEventsRequest request;
  request.set_parent("municipalities/169");
  auto stub = common::v1::ChangeFeedService::NewStub(channel_);
  auto reader = stub->WatchEvents(context.get(), request);
  // Give the stream time to reach the server before the signal.
  absl::SleepFor(absl::Milliseconds(300));
  server_.Signal(SIGTERM);
  common::v1::WatchEventsResponse message;
  EXPECT_FALSE(reader->Read(&message));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(server_.Wait(absl::Seconds(30)), 0) << server_.Log();
  EXPECT_NE(server_.Log().find("\"stopped\""), std::string::npos);
}

TEST_P(ServerProcessTest, StopsCleanlyOnSigint) {
  StartServer();
  server_.Signal(SIGINT);
  EXPECT_EQ(server_.Wait(absl::Seconds(30)), 0) << server_.Log();
}

INSTANTIATE_TEST_SUITE_P(
    Binaries, ServerProcessTest,
    ::testing::ValuesIn(std::vector<std::string>(KOMMUNE_SERVER_BINARIES)),
    [](const auto& info) { return info.param; });

}  // namespace
}  // namespace kommune::testing
