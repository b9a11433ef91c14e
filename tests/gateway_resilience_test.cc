// The gateway in front of backends that misbehave: slow, down, resetting
// connections; deadlines and cancellation carried through; calls spread
// over replicas; configuration reloaded without dropping connections; a
// graceful stop.
#include <arpa/inet.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gateway/auth/api_keys.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "kommune/common/v1/change_feed.grpc.pb.h"
#include "kommune/policy/v1/policy_service.grpc.pb.h"
#include "tests/gateway_stack.h"

namespace kommune::testing {
namespace {

namespace v1 = ::kommune::policy::v1;
namespace common = ::kommune::common::v1;

constexpr char kFeed[] = "kommune.common.v1.ChangeFeedService";

// A backend that answers every call after `delay`, unless the call is
// cancelled first; it counts both.
class SlowBackend : public grpc::CallbackGenericService {
 public:
  explicit SlowBackend(absl::Duration delay) : delay_(delay) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterCallbackGenericService(this);
    server_ = builder.BuildAndStart();
  }
  ~SlowBackend() override { server_->Shutdown(); }

  int port() const { return port_; }
  int cancelled() const { return cancelled_.load(); }
  int answered() const { return answered_.load(); }

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    return new Reactor(this,
                       context->method() == "/grpc.health.v1.Health/Check");
  }

 private:
  class Reactor : public grpc::ServerGenericBidiReactor {
   public:
    Reactor(SlowBackend* backend, bool health)
        : backend_(backend), health_(health) {
      StartRead(&request_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) return;
      if (health_) {  // the gateway's health checks get a quick SERVING
        grpc::health::v1::HealthCheckResponse serving;
        serving.set_status(grpc::health::v1::HealthCheckResponse::SERVING);
        grpc::Slice bytes(serving.SerializeAsString());
        response_ = grpc::ByteBuffer(&bytes, 1);
        StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
        return;
      }
      // Detached: it touches nothing after finishing the call.
      std::thread([this] {
        if (!cancelled_.WaitForNotificationWithTimeout(backend_->delay_)) {
          backend_->answered_.fetch_add(1);
          grpc::Slice empty("", 0);
          response_ = grpc::ByteBuffer(&empty, 1);
          StartWriteAndFinish(&response_, grpc::WriteOptions(),
                              grpc::Status::OK);
        } else {
          backend_->cancelled_.fetch_add(1);
          Finish(grpc::Status::CANCELLED);
        }
      }).detach();
    }
    void OnCancel() override {
      if (!cancelled_.HasBeenNotified()) cancelled_.Notify();
    }
    void OnDone() override { delete this; }

   private:
    SlowBackend* backend_;
    bool health_;
    grpc::ByteBuffer request_, response_;
    absl::Notification cancelled_;
  };

  absl::Duration delay_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::atomic<int> cancelled_{0};
  std::atomic<int> answered_{0};
};

// Accepts connections and resets them at once.
class ResettingListener {
 public:
  ResettingListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    listen(fd_, 16);
    thread_ = std::thread([this] {
      while (true) {
        int client = accept(fd_, nullptr, nullptr);
        if (client < 0) return;
        linger hard{1, 0};
        setsockopt(client, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
        close(client);
      }
    });
  }
  ~ResettingListener() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

// Routes the change feed to `address` as its own backend.
void RouteFeedTo(gateway::GatewayConfig& config, const std::string& address) {
  auto* policy = config.mutable_backends(0);
  auto* services = policy->mutable_services();
  for (int i = services->size() - 1; i >= 0; --i) {
    if ((*services)[i] == kFeed) services->erase(services->begin() + i);
  }
  for (int i = config.backends_size() - 1; i >= 1; --i) {
    config.mutable_backends()->erase(config.mutable_backends()->begin() + i);
  }
  auto* feed = config.add_backends();
  feed->set_name("feed");
  feed->add_services(kFeed);
  feed->add_addresses(address);
}

grpc::Status ListEvents(GatewayStack& stack,
                        std::optional<absl::Duration> deadline,
                        grpc::ClientContext* context = nullptr) {
  auto stub = common::ChangeFeedService::NewStub(stack.Channel());
  grpc::ClientContext own;
  if (context == nullptr) context = &own;
  context->AddMetadata("authorization",
                       "Bearer " + stack.Token({"101"}, {"integration"}));
  if (deadline) {
    context->set_deadline(std::chrono::system_clock::now() +
                          absl::ToChronoMilliseconds(*deadline));
  }
  common::ListEventsRequest request;
  request.set_parent("municipalities/101");
  common::ListEventsResponse response;
  return stub->ListEvents(context, request, &response);
}

TEST(GatewayResilienceTest, DeadlinesAndCancellationReachTheBackend) {
  SlowBackend slow(absl::Seconds(20));
  GatewayStack stack;
  GatewayStack::Options options;
  options.edit_config = [&](gateway::GatewayConfig& config) {
    RouteFeedTo(config, absl::StrCat("127.0.0.1:", slow.port()));
    config.mutable_limits()->mutable_default_deadline()->set_seconds(1);
  };
  ASSERT_TRUE(stack.Start(options).ok());

  // The client's deadline is carried to the backend, which sees the call
  // end.
  EXPECT_EQ(ListEvents(stack, absl::Milliseconds(300)).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  // No deadline from the client: the gateway's default (1 s here) applies.
  EXPECT_EQ(ListEvents(stack, std::nullopt).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  // A client that gives up cancels the backend's work.
  grpc::ClientContext context;
  std::thread canceller([&] {
    absl::SleepFor(absl::Milliseconds(300));
    context.TryCancel();
  });
  EXPECT_EQ(ListEvents(stack, absl::Seconds(10), &context).error_code(),
            grpc::StatusCode::CANCELLED);
  canceller.join();
  absl::Time until = absl::Now() + absl::Seconds(10);
  while (slow.cancelled() < 3 && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(slow.cancelled(), 3);
  EXPECT_EQ(slow.answered(), 0);
}

TEST(GatewayResilienceTest, DownAndResettingBackendsAreUnavailable) {
  ResettingListener resetting;
  int closed_port = PickFreePort();
  GatewayStack stack;
  GatewayStack::Options options;
  options.edit_config = [&](gateway::GatewayConfig& config) {
    RouteFeedTo(config, absl::StrCat("127.0.0.1:", closed_port));
  };
  ASSERT_TRUE(stack.Start(options).ok());
  // Down: UNAVAILABLE well before the 20 s deadline.
  absl::Time start = absl::Now();
  EXPECT_EQ(ListEvents(stack, absl::Seconds(20)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));

  ASSERT_TRUE(stack
                  .Reconfigure([&](gateway::GatewayConfig& config) {
                    RouteFeedTo(config,
                                absl::StrCat("127.0.0.1:", resetting.port()));
                  })
                  .ok());
  start = absl::Now();
  EXPECT_EQ(ListEvents(stack, absl::Seconds(20)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  // The gateway itself stays up for the healthy backend.
  auto stub = v1::PolicyService::NewStub(stack.Channel());
  grpc::ClientContext context;
  context.AddMetadata("authorization",
                      "Bearer " + stack.Token({"101"}, {"viewer"}));
  v1::GetPolicyRequest get;
  get.set_name("municipalities/101/policies/none");
  v1::Policy policy;
  EXPECT_EQ(stub->GetPolicy(&context, get, &policy).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // And says which backend is down.
  absl::Time until = absl::Now() + absl::Seconds(10);
  GatewayStack::HttpAnswer ready;
  do {
    ready = stack.AdminGet("/readyz");
    if (absl::StrContains(ready.body, "\"feed\":\"down\"")) break;
    absl::SleepFor(absl::Milliseconds(200));
  } while (absl::Now() < until);
  EXPECT_TRUE(absl::StrContains(ready.body, "\"feed\":\"down\"")) << ready.body;
  EXPECT_TRUE(absl::StrContains(ready.body, "\"policy\":\"up\"")) << ready.body;
  auto health = grpc::health::v1::Health::NewStub(stack.Channel());
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(kFeed);
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext health_context;
  ASSERT_TRUE(health->Check(&health_context, request, &response).ok());
  EXPECT_EQ(response.status(),
            grpc::health::v1::HealthCheckResponse::NOT_SERVING);
}

TEST(GatewayResilienceTest, ABackendDyingMidStreamEndsTheStreamOnly) {
  GatewayStack stack;
  ASSERT_TRUE(stack.Start().ok());
  auto feed = common::ChangeFeedService::NewStub(stack.Channel());
  auto policies = v1::PolicyService::NewStub(stack.Channel());
  grpc::ClientContext context;
  context.AddMetadata("authorization",
                      "Bearer " + stack.Token({"101"}, {"integration"}));
  common::WatchEventsRequest watch;
  watch.set_parent("municipalities/101");
  auto reader = feed->WatchEvents(&context, watch);
  // Events keep coming while the backend is killed.
  const std::string editor = stack.Token({"101"}, {"editor"});
  for (int i = 0; i < 20; ++i) {
    grpc::ClientContext create_context;
    create_context.AddMetadata("authorization", "Bearer " + editor);
    v1::CreatePolicyRequest create;
    create.set_parent("municipalities/101");
    create.set_policy_id(absl::StrCat("streamed-", i));
    create.mutable_policy()->set_display_name("Streamed");
    v1::Policy created;
    ASSERT_TRUE(policies->CreatePolicy(&create_context, create, &created).ok());
  }
  common::WatchEventsResponse event;
  ASSERT_TRUE(reader->Read(&event));
  stack.policy(0).Signal(SIGKILL);
  while (reader->Read(&event)) {
  }
  grpc::Status ended = reader->Finish();
  EXPECT_FALSE(ended.ok());
  // The gateway is still there.
  GatewayStack::HttpAnswer alive = stack.AdminGet("/healthz");
  EXPECT_EQ(alive.status, 200);
  stack.gateway().Wait(absl::Milliseconds(10));
  EXPECT_GT(stack.gateway().pid(), 0) << "the gateway exited";
}

TEST(GatewayResilienceTest, CallsSpreadOverReplicas) {
  GatewayStack stack;
  GatewayStack::Options options;
  options.policy_servers = 2;
  ASSERT_TRUE(stack.Start(options).ok());
  auto stub = v1::PolicyService::NewStub(stack.Channel());
  const std::string token = stack.Token({"101"}, {"viewer"});
  for (int i = 0; i < 20; ++i) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    v1::GetPolicyRequest get;
    get.set_name(absl::StrCat("municipalities/101/policies/spread-", i));
    v1::Policy policy;
    EXPECT_EQ(stub->GetPolicy(&context, get, &policy).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(absl::StrContains(stack.policy(i).Log(), "GetPolicy"))
        << "replica " << i << " got no calls";
  }
}

TEST(GatewayResilienceTest, ReloadKeepsConnectionsAndRefusesBadConfig) {
  GatewayStack stack;
  ASSERT_TRUE(stack.Start().ok());
  auto channel = stack.Channel();
  auto stub = v1::PolicyService::NewStub(channel);
  auto get_with_key = [&](const std::string& key) {
    grpc::ClientContext context;
    context.AddMetadata("x-api-key", key);
    v1::GetPolicyRequest get;
    get.set_name("municipalities/185/policies/none");
    v1::Policy policy;
    return stub->GetPolicy(&context, get, &policy).error_code();
  };
  gateway::NewApiKey key = gateway::MakeApiKey("loader-185");
  EXPECT_EQ(get_with_key(key.presented), grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);

  ASSERT_TRUE(stack
                  .Reconfigure([&](gateway::GatewayConfig& config) {
                    auto* entry =
                        config.mutable_authentication()->add_api_keys();
                    entry->set_id(key.entry.id);
                    entry->set_salt(key.entry.salt_hex);
                    entry->set_sha256(key.entry.sha256_hex);
                    entry->add_municipalities("185");
                    entry->add_roles("viewer");
                  })
                  .ok());
  EXPECT_EQ(get_with_key(key.presented), grpc::StatusCode::NOT_FOUND);
  // The same connection served both.
  EXPECT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);

  // A bad configuration is refused, named, and the running one stays.
  ASSERT_TRUE(stack
                  .Reconfigure(
                      [](gateway::GatewayConfig& config) {
                        config.mutable_access_rules(0)->add_roles("mayor");
                      },
                      /*expect_success=*/false)
                  .ok());
  EXPECT_TRUE(absl::StrContains(stack.gateway().Log(), "access_rules[0].roles"))
      << stack.gateway().Log();
  EXPECT_EQ(get_with_key(key.presented), grpc::StatusCode::NOT_FOUND);
}

TEST(GatewayResilienceTest, ShutdownLetsCallsInFlightFinish) {
  SlowBackend slow(absl::Seconds(1));
  GatewayStack stack;
  GatewayStack::Options options;
  options.edit_config = [&](gateway::GatewayConfig& config) {
    RouteFeedTo(config, absl::StrCat("127.0.0.1:", slow.port()));
  };
  ASSERT_TRUE(stack.Start(options).ok());
  grpc::Status in_flight;
  std::thread call([&] { in_flight = ListEvents(stack, absl::Seconds(20)); });
  absl::Time until = absl::Now() + absl::Seconds(10);
  while (!absl::StrContains(stack.gateway().Log(), "gateway listening") &&
         absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  absl::SleepFor(absl::Milliseconds(300));
  stack.gateway().Signal(SIGTERM);
  call.join();
  EXPECT_TRUE(in_flight.ok()) << in_flight.error_message();
  EXPECT_EQ(stack.gateway().Wait(absl::Seconds(30)), 0);
  EXPECT_EQ(slow.answered(), 1);
}

TEST(GatewayResilienceTest, NewSigningKeysAreTakenUpWithoutARestart) {
  GatewayStack stack;
  ASSERT_TRUE(stack.Start().ok());
  auto rotated =
      gateway::TokenMinter::Create(gateway::JwsAlgorithm::kRs256, "stack-2");
  ASSERT_TRUE(rotated.ok());
  const auto& jwt = stack.config().authentication().jwt();
  int64_t now = absl::ToUnixSeconds(absl::Now());
  std::string token = *rotated->Mint({{"iss", jwt.issuer()},
                                      {"aud", jwt.audience()},
                                      {"sub", "rotated@kommune.dk"},
                                      {"exp", now + 600},
                                      {"municipalities", {"101"}},
                                      {"roles", {"viewer"}}});
  auto get = [&] {
    auto stub = v1::PolicyService::NewStub(stack.Channel());
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    v1::GetPolicyRequest request;
    request.set_name("municipalities/101/policies/none");
    v1::Policy policy;
    return stub->GetPolicy(&context, request, &policy).error_code();
  };
  EXPECT_EQ(get(), grpc::StatusCode::UNAUTHENTICATED);
  // The identity provider publishes its new key beside the old one.
  nlohmann::json keys = {{"keys", {stack.minter().Jwk(), rotated->Jwk()}}};
  {
    std::string path = stack.dir() + "/jwks.json";
    std::string temporary = path + ".new";
    std::ofstream(temporary) << keys.dump();
    ASSERT_EQ(std::rename(temporary.c_str(), path.c_str()), 0);
  }
  absl::Time until = absl::Now() + absl::Seconds(15);
  grpc::StatusCode code = get();
  while (code == grpc::StatusCode::UNAUTHENTICATED && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(200));
    code = get();
  }
  EXPECT_EQ(code, grpc::StatusCode::NOT_FOUND);
  // Tokens of the old key still pass.
  auto stub = v1::PolicyService::NewStub(stack.Channel());
  grpc::ClientContext context;
  context.AddMetadata("authorization",
                      "Bearer " + stack.Token({"101"}, {"viewer"}));
  v1::GetPolicyRequest request;
  request.set_name("municipalities/101/policies/none");
  v1::Policy policy;
  EXPECT_EQ(stub->GetPolicy(&context, request, &policy).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST(GatewayResilienceTest, ServesTlsWhenGivenACertificate) {
  std::string dir =
      absl::StrCat(::testing::TempDir(), "gateway_tls_", getpid());
  mkdir(dir.c_str(), 0700);
  CommandResult made = RunCommand(
      "/usr/bin/openssl",
      {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
       "-nodes", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem",
       "-days", "1", "-subj", "/CN=localhost", "-addext",
       "subjectAltName=DNS:localhost,IP:127.0.0.1"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  GatewayStack stack;
  GatewayStack::Options options;
  options.edit_config = [&](gateway::GatewayConfig& config) {
    for (auto* tls : {config.mutable_grpc()->mutable_tls(),
                      config.mutable_http()->mutable_tls()}) {
      tls->set_certificate_file(dir + "/cert.pem");
      tls->set_private_key_file(dir + "/key.pem");
    }
  };
  ASSERT_TRUE(stack.Start(options).ok());

  std::ifstream in(dir + "/cert.pem");
  std::stringstream cert;
  cert << in.rdbuf();
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = cert.str();
  auto channel = grpc::CreateChannel(
      absl::StrCat("localhost:", stack.grpc_port()), grpc::SslCredentials(tls));
  auto stub = v1::PolicyService::NewStub(channel);
  grpc::ClientContext context;
  context.AddMetadata("authorization",
                      "Bearer " + stack.Token({"101"}, {"viewer"}));
  v1::GetPolicyRequest request;
  request.set_name("municipalities/101/policies/none");
  v1::Policy policy;
  EXPECT_EQ(stub->GetPolicy(&context, request, &policy).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Plain h2c is not served on the TLS port.
  auto plain = v1::PolicyService::NewStub(stack.Channel());
  grpc::ClientContext plain_context;
  plain_context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(5));
  EXPECT_EQ(plain->GetPolicy(&plain_context, request, &policy).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  CommandResult https =
      RunCommand("/usr/bin/curl",
                 {"-sS", "--cacert", dir + "/cert.pem", "-w", "\n%{http_code}",
                  "-H", "Content-Type: application/json", "-H",
                  "Authorization: Bearer " + stack.Token({"101"}, {"viewer"}),
                  "-d", R"({"name": "municipalities/101/policies/none"})",
                  absl::StrCat("https://localhost:", stack.http_port(),
                               "/kommune.policy.v1.PolicyService/GetPolicy")});
  EXPECT_TRUE(absl::EndsWith(https.out, "\n404")) << https.out << https.err;
}

}  // namespace
}  // namespace kommune::testing
