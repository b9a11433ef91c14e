#ifndef KOMMUNE_SERVICES_POLICY_POLICY_SERVICE_H_
#define KOMMUNE_SERVICES_POLICY_POLICY_SERVICE_H_

#include "kommune/policy/v1/policy_service.grpc.pb.h"
#include "services/common/identity.h"
#include "services/policy/policy_manager.h"

namespace kommune::policy {

// gRPC edge of the policy service: verifies the caller and maps statuses;
// the work happens in PolicyManager. GetPolicy, the hot read, is a raw
// callback method that sends the stored revision bytes as they are.
class PolicyServiceImpl final
    : public v1::PolicyService::WithRawCallbackMethod_GetPolicy<
          v1::PolicyService::Service> {
 public:
  PolicyServiceImpl(PolicyManager* manager, const IdentityVerifier* verifier)
      : manager_(manager), verifier_(verifier) {}

  grpc::Status CreatePolicy(grpc::ServerContext* context,
                            const v1::CreatePolicyRequest* request,
                            v1::Policy* response) override;
  grpc::ServerUnaryReactor* GetPolicy(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  grpc::Status ListPolicies(grpc::ServerContext* context,
                            const v1::ListPoliciesRequest* request,
                            v1::ListPoliciesResponse* response) override;
  grpc::Status UpdatePolicy(grpc::ServerContext* context,
                            const v1::UpdatePolicyRequest* request,
                            v1::Policy* response) override;
  grpc::Status DeletePolicy(grpc::ServerContext* context,
                            const v1::DeletePolicyRequest* request,
                            google::protobuf::Empty* response) override;
  grpc::Status ListPolicyRevisions(
      grpc::ServerContext* context,
      const v1::ListPolicyRevisionsRequest* request,
      v1::ListPolicyRevisionsResponse* response) override;
  grpc::Status DiffPolicyRevisions(
      grpc::ServerContext* context,
      const v1::DiffPolicyRevisionsRequest* request,
      v1::DiffPolicyRevisionsResponse* response) override;
  grpc::Status SendPolicyToHearing(
      grpc::ServerContext* context,
      const v1::SendPolicyToHearingRequest* request,
      v1::Policy* response) override;
  grpc::Status AdoptPolicy(grpc::ServerContext* context,
                           const v1::AdoptPolicyRequest* request,
                           v1::Policy* response) override;
  grpc::Status WithdrawPolicy(grpc::ServerContext* context,
                              const v1::WithdrawPolicyRequest* request,
                              v1::Policy* response) override;
  grpc::Status RevisePolicy(grpc::ServerContext* context,
                            const v1::RevisePolicyRequest* request,
                            v1::Policy* response) override;
  grpc::Status SearchPolicies(grpc::ServerContext* context,
                              const v1::SearchPoliciesRequest* request,
                              v1::SearchPoliciesResponse* response) override;
  grpc::Status ImportPolicy(grpc::ServerContext* context,
                            const v1::ImportPolicyRequest* request,
                            v1::ImportPolicyResponse* response) override;
  grpc::Status ExportPolicy(grpc::ServerContext* context,
                            const v1::ExportPolicyRequest* request,
                            v1::ExportPolicyResponse* response) override;

 private:
  PolicyManager* manager_;
  const IdentityVerifier* verifier_;
};

}  // namespace kommune::policy

#endif  // KOMMUNE_SERVICES_POLICY_POLICY_SERVICE_H_
