// Benchmarks of the policy service over loopback gRPC on SQLite: GetPolicy
// of the whole imported domain/001 policy, and importing that document.
// Results and the machine they ran on go to docs/performance.md.
#include <benchmark/benchmark.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "kommune/policy/v1/policy_service.grpc.pb.h"
#include "services/common/change_feed_migrations.h"
#include "services/common/grpc_util.h"
#include "services/common/migrations.h"
#include "services/common/service_host.h"
#include "services/policy/domain/text_import.h"
#include "services/policy/policy_manager.h"
#include "services/policy/policy_service.h"
#include "services/policy/policy_store.h"

namespace kommune::policy {
namespace {

std::string PolicyText() {
  std::ifstream in(std::string(KOMMUNE_FIXTURES_DIR) +
                   "/domain/001_e954513d7125136f.txt");
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

const Identity& Editor() {
  static const Identity* const kEditor =
      new Identity{{"169"}, {Role::kEditor}, "bench"};
  return *kEditor;
}

// One policy server on a fresh SQLite file, shared by all benchmarks.
class Server {
 public:
  static Server& Get() {
    static Server* const server = new Server();
    return *server;
  }

  v1::PolicyService::Stub& stub() { return *stub_; }
  grpc::GenericStub& generic() { return *generic_; }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    AttachIdentity(*context, Editor(), "");
    return context;
  }

 private:
  Server() {
    std::string path = absl::StrCat("/tmp/kommune_bench_", getpid(), ".db");
    db_ = *OpenDatabase("sqlite://" + path);
    (void)ApplyChangeFeedMigrations(*db_);
    (void)ApplyMigrations(*db_, "policy", PolicyMigrationFiles());
    store_ = std::make_unique<PolicyStore>(db_.get(), &events_);
    manager_ = std::make_unique<PolicyManager>(store_.get());
    service_ = std::make_unique<PolicyServiceImpl>(manager_.get(), &verifier_);
    host_.AddService(service_.get());
    (void)host_.Start("127.0.0.1:0");
    // One connection shared by all benchmark threads, as one client process
    // has; separate connections measured slower here.
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", host_.port()),
                                       grpc::InsecureChannelCredentials());
    stub_ = v1::PolicyService::NewStub(channel);
    generic_ = std::make_unique<grpc::GenericStub>(channel);
    v1::ImportPolicyRequest request;
    request.set_parent("municipalities/169");
    request.set_policy_id("integration-2007");
    request.set_format(v1::DOCUMENT_FORMAT_PLAIN_TEXT);
    request.set_document(PolicyText());
    v1::ImportPolicyResponse response;
    grpc::Status status =
        stub_->ImportPolicy(Context().get(), request, &response);
    if (!status.ok()) std::abort();
  }

  std::unique_ptr<Database> db_;
  EventLog events_;
  IdentityVerifier verifier_{""};
  std::unique_ptr<PolicyStore> store_;
  std::unique_ptr<PolicyManager> manager_;
  std::unique_ptr<PolicyServiceImpl> service_;
  ServiceHost host_{"bench"};
  std::unique_ptr<v1::PolicyService::Stub> stub_;
  std::unique_ptr<grpc::GenericStub> generic_;
};

void BM_GetPolicy(benchmark::State& state) {
  Server& server = Server::Get();
  v1::GetPolicyRequest request;
  request.set_name("municipalities/169/policies/integration-2007");
  size_t bytes = 0;
  for (auto _ : state) {
    v1::Policy policy;
    grpc::Status status =
        server.stub().GetPolicy(server.Context().get(), request, &policy);
    if (!status.ok()) {
      state.SkipWithError(status.error_message().c_str());
      break;
    }
    bytes = policy.ByteSizeLong();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["policy_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_GetPolicy)->Threads(1)->Threads(4)->Threads(8)->UseRealTime();

// The same call from a client that keeps the answer as bytes, as a load
// generator does: what the server sustains when clients parse elsewhere.
void BM_GetPolicyUnparsed(benchmark::State& state) {
  Server& server = Server::Get();
  v1::GetPolicyRequest request;
  request.set_name("municipalities/169/policies/integration-2007");
  std::string bytes = request.SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer body(&slice, 1);
  for (auto _ : state) {
    grpc::ByteBuffer reply;
    auto context = server.Context();
    absl::Notification done;
    grpc::Status status;
    server.generic().UnaryCall(
        context.get(), "/kommune.policy.v1.PolicyService/GetPolicy",
        grpc::StubOptions(), &body, &reply, [&](grpc::Status s) {
          status = std::move(s);
          done.Notify();
        });
    done.WaitForNotification();
    if (!status.ok()) {
      state.SkipWithError(status.error_message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetPolicyUnparsed)
    ->Threads(1)
    ->Threads(4)
    ->Threads(8)
    ->UseRealTime();

void BM_ImportPolicyRpc(benchmark::State& state) {
  Server& server = Server::Get();
  static std::atomic<int> counter{0};
  std::string text = PolicyText();
  for (auto _ : state) {
    v1::ImportPolicyRequest request;
    request.set_parent("municipalities/169");
    request.set_policy_id(absl::StrCat("import-", counter++));
    request.set_format(v1::DOCUMENT_FORMAT_PLAIN_TEXT);
    request.set_document(text);
    v1::ImportPolicyResponse response;
    grpc::Status status =
        server.stub().ImportPolicy(server.Context().get(), request, &response);
    if (!status.ok()) {
      state.SkipWithError(status.error_message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ImportPolicyRpc)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ParsePlainText(benchmark::State& state) {
  std::string text = PolicyText();
  for (auto _ : state) {
    auto imported = ImportPolicyText(text);
    benchmark::DoNotOptimize(imported);
  }
  state.SetBytesProcessed(state.iterations() * text.size());
}
BENCHMARK(BM_ParsePlainText)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kommune::policy

BENCHMARK_MAIN();
