#include "absl/strings/str_cat.h"
#include "services/common/fingerprint.h"
#include "services/common/resource_name.h"
#include "services/common/validation.h"
#include "services/policy/policy_access.h"
#include "services/policy/policy_manager.h"
#include "services/policy/policy_requests.h"

namespace kommune::policy {
absl::StatusOr<v1::Policy> PolicyManager::Transition(
    const Identity& caller, const std::string& name, const std::string& etag,
    v1::PolicyState to,
    const std::function<absl::Status(Transaction&, v1::Policy&)>& edit) {
  auto ref = ParsePolicyName(name, "name", false);
  if (!ref.ok()) return ref.status();
  if (auto s = CheckTransition(caller, ref->key.municipality_code, "name");
      !s.ok()) {
    return s;
  }
  v1::Policy out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        auto current = LoadForWrite(tx, ref->key, etag, "etag");
        if (!current.ok()) return current.status();
        if (auto s = CheckTransitionAllowed((*current)->state(), to); !s.ok()) {
          return s;
        }
        v1::Policy next = **current;
        next.set_state(to);
        if (auto s = edit(tx, next); !s.ok()) return s;
        std::string event = absl::StrCat(
            "policy.", to == v1::POLICY_STATE_IN_HEARING ? "sent_to_hearing"
                       : to == v1::POLICY_STATE_ADOPTED  ? "adopted"
                                                         : "withdrawn");
        auto written = store_->WriteRevision(tx, ref->key, std::move(next),
                                             caller.subject, event, false);
        if (!written.ok()) return written.status();
        out = *std::move(written);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::Policy> PolicyManager::SendToHearing(
    const Identity& caller, const v1::SendPolicyToHearingRequest& request) {
  return Transition(caller, request.name(), request.etag(),
                    v1::POLICY_STATE_IN_HEARING,
                    [](Transaction&, v1::Policy&) { return absl::OkStatus(); });
}

absl::StatusOr<v1::Policy> PolicyManager::Withdraw(
    const Identity& caller, const v1::WithdrawPolicyRequest& request) {
  return Transition(caller, request.name(), request.etag(),
                    v1::POLICY_STATE_WITHDRAWN,
                    [](Transaction&, v1::Policy&) { return absl::OkStatus(); });
}

absl::StatusOr<v1::Policy> PolicyManager::Adopt(
    const Identity& caller, const v1::AdoptPolicyRequest& request) {
  if (auto s = ValidateDate(request.adopt_date(), "adopt_date", true);
      !s.ok()) {
    return s;
  }
  return Transition(
      caller, request.name(), request.etag(), v1::POLICY_STATE_ADOPTED,
      [&](Transaction& tx, v1::Policy& policy) -> absl::Status {
        *policy.mutable_adopt_date() = request.adopt_date();
        if (policy.supersedes().empty()) return absl::OkStatus();
        // Adopting a revision retires the policy it revises, atomically.
        auto old_ref =
            ParsePolicyName(policy.supersedes(), "supersedes", false);
        if (!old_ref.ok()) return old_ref.status();
        auto old = LoadForWrite(tx, old_ref->key, "", "supersedes");
        if (!old.ok()) return old.status();
        if (auto s = CheckTransitionAllowed((*old)->state(),
                                            v1::POLICY_STATE_SUPERSEDED);
            !s.ok()) {
          return s;
        }
        v1::Policy retired = **old;
        retired.set_state(v1::POLICY_STATE_SUPERSEDED);
        retired.set_superseded_by(policy.name());
        return store_
            ->WriteRevision(tx, old_ref->key, std::move(retired),
                            caller.subject, "policy.superseded", false)
            .status();
      });
}

absl::StatusOr<v1::Policy> PolicyManager::Revise(
    const Identity& caller, const v1::RevisePolicyRequest& request) {
  auto ref = ParsePolicyName(request.name(), "name", false);
  if (!ref.ok()) return ref.status();
  if (auto s = CheckEdit(caller, ref->key.municipality_code, "name"); !s.ok()) {
    return s;
  }
  if (auto s = ValidateResourceId(request.policy_id(), "policy_id"); !s.ok()) {
    return s;
  }
  if (auto s = CheckRequestId(request.request_id()); !s.ok()) return s;
  PolicyKey key{ref->key.municipality_code, request.policy_id()};
  std::string fingerprint = Fingerprint(request);
  v1::Policy out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        auto replayed = store_->Replay(tx, key.municipality_code,
                                       request.request_id(), fingerprint, &out);
        if (!replayed.ok() || *replayed) return replayed.status();
        // The lock makes two racing revisions of one policy queue, so the
        // second sees the first as open.
        auto adopted = LoadForWrite(tx, ref->key, "", "etag");
        if (!adopted.ok()) return adopted.status();
        if ((*adopted)->state() != v1::POLICY_STATE_ADOPTED) {
          return absl::FailedPreconditionError(absl::StrCat(
              "state: only an adopted policy can be revised; this one is ",
              StateName((*adopted)->state())));
        }
        auto open = store_->OpenRevisionsOf(tx, request.name());
        if (!open.ok()) return open.status();
        if (!open->empty()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "name: a revision is already under way: ", open->front()));
        }
        v1::Policy draft = WritableFields(**adopted);
        draft.set_state(v1::POLICY_STATE_DRAFT);
        draft.set_supersedes(request.name());
        auto written = store_->WriteRevision(
            tx, key, std::move(draft), caller.subject, "policy.created", true);
        if (!written.ok()) return written.status();
        out = *std::move(written);
        return store_->SaveResponse(tx, key.municipality_code,
                                    request.request_id(), fingerprint, out);
      });
  if (!status.ok()) return status;
  return out;
}

}  // namespace kommune::policy
