#include "services/policy/client/policy_client.h"

#include "kommune/policy/v1/policy_service.grpc.pb.h"
#include "services/common/grpc_util.h"

namespace kommune {
namespace {

namespace pv1 = ::kommune::policy::v1;

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

class GrpcPolicyClient : public PolicyClient {
 public:
  GrpcPolicyClient(std::shared_ptr<grpc::Channel> channel, std::string secret,
                   absl::Duration timeout)
      : stub_(pv1::PolicyService::NewStub(channel)),
        secret_(std::move(secret)),
        timeout_(timeout) {}

  absl::StatusOr<pv1::Policy> GetPolicy(const Identity& caller,
                                        const std::string& name) override {
    pv1::GetPolicyRequest request;
    request.set_name(name);
    request.set_view(pv1::POLICY_VIEW_FULL);
    pv1::Policy policy;
    auto context = Context(caller);
    grpc::Status status = stub_->GetPolicy(context.get(), request, &policy);
    if (!status.ok()) return FromGrpc(status);
    return policy;
  }

  absl::StatusOr<pv1::Policy> SendToHearing(const Identity& caller,
                                            const std::string& name) override {
    absl::StatusOr<pv1::Policy> current = GetPolicy(caller, name);
    if (!current.ok()) return current.status();
    if (current->state() == pv1::POLICY_STATE_IN_HEARING) return current;
    pv1::SendPolicyToHearingRequest request;
    request.set_name(name);
    pv1::Policy policy;
    auto context = Context(caller);
    grpc::Status status =
        stub_->SendPolicyToHearing(context.get(), request, &policy);
    if (!status.ok()) return FromGrpc(status);
    return policy;
  }

  absl::StatusOr<pv1::Policy> Adopt(
      const Identity& caller, const std::string& name,
      const common::v1::Date& adopt_date) override {
    absl::StatusOr<pv1::Policy> current = GetPolicy(caller, name);
    if (!current.ok()) return current.status();
    if (current->state() == pv1::POLICY_STATE_ADOPTED) return current;
    pv1::AdoptPolicyRequest request;
    request.set_name(name);
    *request.mutable_adopt_date() = adopt_date;
    pv1::Policy policy;
    auto context = Context(caller);
    grpc::Status status = stub_->AdoptPolicy(context.get(), request, &policy);
    if (!status.ok()) return FromGrpc(status);
    return policy;
  }

 private:
  std::unique_ptr<grpc::ClientContext> Context(const Identity& caller) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() +
                          absl::ToChronoMilliseconds(timeout_));
    AttachIdentity(*context, caller, secret_);
    return context;
  }

  std::unique_ptr<pv1::PolicyService::Stub> stub_;
  std::string secret_;
  absl::Duration timeout_;
};

}  // namespace

std::unique_ptr<PolicyClient> MakeGrpcPolicyClient(
    std::shared_ptr<grpc::Channel> channel, std::string identity_secret,
    absl::Duration timeout) {
  return std::make_unique<GrpcPolicyClient>(
      std::move(channel), std::move(identity_secret), timeout);
}

}  // namespace kommune
