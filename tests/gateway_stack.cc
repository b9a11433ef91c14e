#include "tests/gateway_stack.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gateway/auth/api_keys.h"
#include "services/common/test_support.h"

namespace kommune::testing {
namespace {

absl::Status WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

size_t CountOf(const std::string& haystack, const std::string& needle) {
  size_t count = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

void AddKey(gateway::GatewayConfig& config, const gateway::ApiKeyEntry& entry,
            bool revoked) {
  auto* key = config.mutable_authentication()->add_api_keys();
  key->set_id(entry.id);
  key->set_salt(entry.salt_hex);
  key->set_sha256(entry.sha256_hex);
  for (const auto& m : entry.municipalities) key->add_municipalities(m);
  for (const auto& r : entry.roles) key->add_roles(r);
  key->set_revoked(revoked);
}

}  // namespace

std::string GatewayStack::Bin(const std::string& name) {
  return std::string(KOMMUNE_BIN_DIR) + "/" + name;
}

std::string GatewayStack::Source(const std::string& path) {
  return std::string(KOMMUNE_SOURCE_DIR) + "/" + path;
}

GatewayStack::~GatewayStack() { Stop(); }

absl::StatusOr<std::string> GatewayStack::DatabaseUrl(const std::string& name) {
  if (!postgres_) return absl::StrCat("sqlite://", dir_, "/", name, ".db");
  const char* admin = std::getenv(kPostgresUrlEnv);
  if (admin == nullptr || *admin == '\0') {
    return absl::FailedPreconditionError(
        absl::StrCat(kPostgresUrlEnv, " is not set"));
  }
  // One database per service and stack, named after the stack's folder.
  std::string id = dir_.substr(dir_.rfind('_') + 1);
  for (char& c : id) c = absl::ascii_tolower(static_cast<unsigned char>(c));
  return CreatePostgresDatabase(admin, absl::StrCat("stack_", id, "_", name));
}

absl::Status GatewayStack::Start(const Options& options) {
  std::string tmpl = absl::StrCat(::testing::TempDir(), "gateway_XXXXXX");
  if (mkdtemp(tmpl.data()) == nullptr) {
    return absl::InternalError("mkdtemp failed");
  }
  dir_ = tmpl;
  stopped_ = false;
  secret_ = absl::StrCat("stack-secret-", getpid(), "-",
                         absl::ToUnixNanos(absl::Now()));
  if (auto s = WriteFile(dir_ + "/identity-secret", secret_ + "\n"); !s.ok()) {
    return s;
  }
  auto minter =
      gateway::TokenMinter::Create(gateway::JwsAlgorithm::kEs256, "stack-1");
  if (!minter.ok()) return minter.status();
  minter_ = *std::move(minter);
  if (auto s = WriteFile(dir_ + "/jwks.json", minter_->JwksJson()); !s.ok()) {
    return s;
  }

  postgres_ = options.postgres;
  absl::StatusOr<std::string> policy_db = DatabaseUrl("policy");
  if (!policy_db.ok()) return policy_db.status();
  // Replicas share one database, as they would in production, and start at
  // once, so they also race to apply the migrations.
  for (int i = 0; i < options.policy_servers; ++i) {
    std::string address = absl::StrCat("127.0.0.1:", PickFreePort());
    auto server = std::make_unique<ServerProcess>();
    if (auto s = server->Start(
            Bin("policy_server"),
            {"--listen=" + address, "--database=" + *policy_db,
             "--identity_secret_file=" + dir_ + "/identity-secret"});
        !s.ok()) {
      return s;
    }
    policies_.push_back(std::move(server));
    policy_addresses_.push_back(address);
  }
  for (const auto& server : policies_) {
    if (!server->WaitForLog("\"serving\"", absl::Seconds(30))) {
      return absl::DeadlineExceededError("policy_server did not start: " +
                                         server->Log());
    }
  }

  auto dev = gateway::ReadFile(Source("gateway/dev/gateway.textproto"));
  if (!dev.ok()) return dev.status();
  auto parsed = gateway::ParseConfig("gateway.textproto", *dev);
  if (!parsed.ok()) return parsed.status();
  config_ = *std::move(parsed);
  grpc_port_ = PickFreePort();
  http_port_ = PickFreePort();
  admin_port_ = PickFreePort();
  config_.mutable_grpc()->set_address(absl::StrCat("127.0.0.1:", grpc_port_));
  config_.mutable_http()->set_address(absl::StrCat("127.0.0.1:", http_port_));
  config_.mutable_admin()->set_address(absl::StrCat("127.0.0.1:", admin_port_));
  config_.mutable_backends(0)->clear_addresses();
  for (const std::string& address : policy_addresses_) {
    config_.mutable_backends(0)->add_addresses(address);
  }
  // Every other backend of the development configuration runs as its
  // <name>_server, talking to the first policy server; the ESDH connector
  // follows the backends before it and drops files into esdh-journal/.
  std::string feeds = absl::StrCat("feeds { service: \"policy\" address: \"",
                                   policy_addresses_[0], "\" }\n");
  for (int i = 1; i < config_.backends_size(); ++i) {
    auto* backend = config_.mutable_backends(i);
    std::string address = absl::StrCat("127.0.0.1:", PickFreePort());
    std::string binary = backend->name() + "_server";
    absl::StatusOr<std::string> database = DatabaseUrl(backend->name());
    if (!database.ok()) return database.status();
    std::vector<std::string> args = {
        "--listen=" + address, "--database=" + *database,
        "--identity_secret_file=" + dir_ + "/identity-secret"};
    if (backend->name() == "esdh") {
      binary = "esdh_connector";
      std::string config =
          absl::StrCat(feeds, "poll_interval { nanos: ", 100000000, " }\n");
      for (const char* code : {"101", "169", "190"}) {
        absl::StrAppend(&config, "sinks { municipality_code: \"", code,
                        "\" file_drop { directory: \"esdh-journal\" } }\n");
      }
      std::ofstream(dir_ + "/esdh.textproto") << config;
      mkdir((dir_ + "/esdh-journal").c_str(), 0755);
      args.push_back("--config=" + dir_ + "/esdh.textproto");
    } else {
      args.push_back("--policy_address=" + policy_addresses_[0]);
      absl::StrAppend(&feeds, "feeds { service: \"", backend->name(),
                      "\" address: \"", address, "\" }\n");
    }
    auto server = std::make_unique<ServerProcess>();
    if (auto s = server->Start(Bin(binary), args); !s.ok()) return s;
    if (!server->WaitForLog("\"serving\"", absl::Seconds(30))) {
      return absl::DeadlineExceededError(binary +
                                         " did not start: " + server->Log());
    }
    others_.push_back(std::move(server));
    backend->clear_addresses();
    backend->add_addresses(address);
  }
  gateway::NewApiKey key = gateway::MakeApiKey("loader-101");
  key.entry.municipalities = {"101"};
  key.entry.roles = {"integration", "editor"};
  AddKey(config_, key.entry, false);
  api_key_ = key.presented;
  gateway::NewApiKey revoked = gateway::MakeApiKey("old-101");
  revoked.entry.municipalities = {"101"};
  revoked.entry.roles = {"editor"};
  AddKey(config_, revoked.entry, true);
  revoked_api_key_ = revoked.presented;
  if (options.edit_config) options.edit_config(config_);
  if (auto s = WriteConfig(); !s.ok()) return s;

  if (auto s = gateway_.Start(Bin("gateway"),
                              {"--config=" + dir_ + "/gateway.textproto"});
      !s.ok()) {
    return s;
  }
  if (!gateway_.WaitForLog("gateway listening", absl::Seconds(30))) {
    return absl::DeadlineExceededError("gateway did not start: " +
                                       gateway_.Log());
  }
  return absl::OkStatus();
}

absl::Status GatewayStack::WriteConfig() {
  std::string text;
  google::protobuf::TextFormat::PrintToString(config_, &text);
  return WriteFile(dir_ + "/gateway.textproto", text);
}

void GatewayStack::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (gateway_.pid() > 0) {
    gateway_.Signal(SIGTERM);
    gateway_.Wait(absl::Seconds(30));
  }
  for (auto* servers : {&others_, &policies_}) {
    for (auto& server : *servers) {
      server->Signal(SIGTERM);
      server->Wait(absl::Seconds(30));
    }
  }
}

std::shared_ptr<grpc::Channel> GatewayStack::Channel() const {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", grpc_port_),
                             grpc::InsecureChannelCredentials());
}

std::string GatewayStack::Token(const std::vector<std::string>& municipalities,
                                const std::vector<std::string>& roles,
                                const std::string& subject,
                                absl::Duration ttl) const {
  const auto& jwt = config_.authentication().jwt();
  int64_t now = absl::ToUnixSeconds(absl::Now());
  nlohmann::json claims = {{"iss", jwt.issuer()},
                           {"aud", jwt.audience()},
                           {"sub", subject},
                           {"iat", now},
                           {"exp", now + absl::ToInt64Seconds(ttl)},
                           {"municipalities", municipalities},
                           {"roles", roles}};
  auto token = minter_->Mint(claims);
  return token.ok() ? *token : std::string();
}

absl::Status GatewayStack::Reconfigure(
    const std::function<void(gateway::GatewayConfig&)>& edit,
    bool expect_success) {
  edit(config_);
  if (auto s = WriteConfig(); !s.ok()) return s;
  ++reloads_;
  gateway_.Signal(SIGHUP);
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    std::string log = gateway_.Log();
    size_t ok = CountOf(log, "configuration reloaded");
    size_t failed = CountOf(log, "configuration reload failed");
    if (static_cast<int>(ok + failed) >= reloads_) {
      size_t last_ok = log.rfind("configuration reloaded");
      size_t last_failed = log.rfind("configuration reload failed");
      bool succeeded =
          last_ok != std::string::npos &&
          (last_failed == std::string::npos || last_ok > last_failed);
      if (succeeded != expect_success) {
        return absl::FailedPreconditionError("reload outcome: " + log);
      }
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError("the gateway did not reload");
}

namespace {

GatewayStack::HttpAnswer ParseCurl(const CommandResult& result) {
  GatewayStack::HttpAnswer answer;
  // curl -w appends "\n<status>" after the body; -D - puts headers first.
  std::string out = result.out;
  size_t last = out.rfind('\n');
  if (last == std::string::npos) return answer;
  if (!absl::SimpleAtoi(out.substr(last + 1), &answer.status)) {
    answer.status = 0;
  }
  out.resize(last);
  size_t blank = out.find("\r\n\r\n");
  if (blank != std::string::npos) {
    answer.headers = out.substr(0, blank);
    answer.body = out.substr(blank + 4);
  } else {
    answer.body = out;
  }
  return answer;
}

}  // namespace

GatewayStack::HttpAnswer GatewayStack::PostJson(
    const std::string& path, const std::string& body,
    const std::vector<std::string>& headers) const {
  std::vector<std::string> args = {"-sS", "-D",   "-",
                                   "-X",  "POST", "--max-time",
                                   "30",  "-w",   "\n%{http_code}"};
  bool content_type = false;
  for (const std::string& header : headers) {
    args.push_back("-H");
    args.push_back(header);
    if (absl::StartsWithIgnoreCase(header, "content-type:")) {
      content_type = true;
    }
  }
  if (!content_type) {
    args.push_back("-H");
    args.push_back("Content-Type: application/json");
  }
  args.push_back("--data-binary");
  if (body.size() > (64 << 10)) {
    // Too long for a command line: curl reads it from a file.
    std::string file = dir_ + "/large-body";
    if (!WriteFile(file, body).ok()) return HttpAnswer();
    args.push_back("@" + file);
  } else {
    args.push_back(body);
  }
  args.push_back(absl::StrCat("http://127.0.0.1:", http_port_, path));
  return ParseCurl(RunCommand("/usr/bin/curl", args));
}

GatewayStack::HttpAnswer GatewayStack::AdminGet(const std::string& path) const {
  return ParseCurl(
      RunCommand("/usr/bin/curl",
                 {"-sS", "-D", "-", "--max-time", "10", "-w", "\n%{http_code}",
                  absl::StrCat("http://127.0.0.1:", admin_port_, path)}));
}

}  // namespace kommune::testing
