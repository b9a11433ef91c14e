#ifndef KOMMUNE_SERVICES_POLICY_POLICY_MANAGER_H_
#define KOMMUNE_SERVICES_POLICY_POLICY_MANAGER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kommune/policy/v1/policy_service.pb.h"
#include "services/common/identity.h"
#include "services/policy/policy_store.h"

namespace kommune::policy {

// The policy service's operations, free of gRPC: validate, authorise, apply
// the lifecycle and write through the store in one transaction each. Every
// error names the request field it is about.
class PolicyManager {
 public:
  explicit PolicyManager(PolicyStore* store) : store_(store) {}

  absl::StatusOr<v1::Policy> Create(const Identity& caller,
                                    const v1::CreatePolicyRequest& request);
  absl::StatusOr<v1::Policy> Get(const Identity& caller,
                                 const v1::GetPolicyRequest& request);
  // GetPolicy as the serialized Policy, straight from the revision cache
  // for the FULL view: the hot read path.
  absl::StatusOr<std::shared_ptr<const std::string>> GetSerialized(
      const Identity& caller, const v1::GetPolicyRequest& request);
  absl::StatusOr<v1::ListPoliciesResponse> List(
      const Identity& caller, const v1::ListPoliciesRequest& request);
  absl::StatusOr<v1::Policy> Update(const Identity& caller,
                                    const v1::UpdatePolicyRequest& request);
  absl::Status Delete(const Identity& caller,
                      const v1::DeletePolicyRequest& request);
  absl::StatusOr<v1::ListPolicyRevisionsResponse> ListRevisions(
      const Identity& caller, const v1::ListPolicyRevisionsRequest& request);
  absl::StatusOr<v1::DiffPolicyRevisionsResponse> Diff(
      const Identity& caller, const v1::DiffPolicyRevisionsRequest& request);
  absl::StatusOr<v1::Policy> SendToHearing(
      const Identity& caller, const v1::SendPolicyToHearingRequest& request);
  absl::StatusOr<v1::Policy> Adopt(const Identity& caller,
                                   const v1::AdoptPolicyRequest& request);
  absl::StatusOr<v1::Policy> Withdraw(const Identity& caller,
                                      const v1::WithdrawPolicyRequest& request);
  absl::StatusOr<v1::Policy> Revise(const Identity& caller,
                                    const v1::RevisePolicyRequest& request);
  absl::StatusOr<v1::SearchPoliciesResponse> Search(
      const Identity& caller, const v1::SearchPoliciesRequest& request);
  absl::StatusOr<v1::ImportPolicyResponse> Import(
      const Identity& caller, const v1::ImportPolicyRequest& request);
  absl::StatusOr<v1::ExportPolicyResponse> Export(
      const Identity& caller, const v1::ExportPolicyRequest& request);

 private:
  // A revision the caller may read (access checked on that revision's own
  // state), for GetPolicy, ExportPolicy and their raw twin.
  absl::StatusOr<std::shared_ptr<const CachedRevision>> LoadReadable(
      const Identity& caller, const v1::GetPolicyRequest& request);

  // Locks the policy for this transaction, loads its current revision and
  // checks the caller's etag (ABORTED naming etag_field when stale).
  absl::StatusOr<std::shared_ptr<const v1::Policy>> LoadForWrite(
      Transaction& tx, const PolicyKey& key, const std::string& etag,
      absl::string_view etag_field);

  // The checks every new draft passes (parent, editor role, policy_id,
  // request_id); returns the new policy's key.
  absl::StatusOr<PolicyKey> CheckNewDraft(const Identity& caller,
                                          absl::string_view parent,
                                          absl::string_view policy_id,
                                          absl::string_view request_id);

  // Creates a draft from validated content inside one transaction, with
  // idempotency on request_id: `fill` sets *out from the new draft, and a
  // retry gets the stored *out back.
  absl::Status CreateDraft(const Identity& caller, const PolicyKey& key,
                           v1::Policy policy, const std::string& request_id,
                           const std::string& fingerprint,
                           google::protobuf::Message* out,
                           const std::function<void(const v1::Policy&)>& fill);

  // Moves a policy to `to` (with `edit` applied to the new revision).
  absl::StatusOr<v1::Policy> Transition(
      const Identity& caller, const std::string& name, const std::string& etag,
      v1::PolicyState to,
      const std::function<absl::Status(Transaction&, v1::Policy&)>& edit);

  PolicyStore* store_;
};

}  // namespace kommune::policy

#endif  // KOMMUNE_SERVICES_POLICY_POLICY_MANAGER_H_
