#include "services/policy/policy_manager.h"

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/common/fingerprint.h"
#include "services/common/page_token.h"
#include "services/common/resource_name.h"
#include "services/policy/policy_access.h"
#include "services/policy/policy_requests.h"

namespace kommune::policy {
namespace {

using google::protobuf::util::FieldMaskUtil;

}  // namespace

absl::Status PolicyManager::CreateDraft(
    const Identity& caller, const PolicyKey& key, v1::Policy policy,
    const std::string& request_id, const std::string& fingerprint,
    google::protobuf::Message* out,
    const std::function<void(const v1::Policy&)>& fill) {
  policy.set_state(v1::POLICY_STATE_DRAFT);
  return store_->db().Write([&](Transaction& tx) -> absl::Status {
    auto replayed =
        store_->Replay(tx, key.municipality_code, request_id, fingerprint, out);
    if (!replayed.ok() || *replayed) return replayed.status();
    auto written = store_->WriteRevision(tx, key, policy, caller.subject,
                                         "policy.created", true);
    if (!written.ok()) return written.status();
    fill(*written);
    return store_->SaveResponse(tx, key.municipality_code, request_id,
                                fingerprint, *out);
  });
}

absl::StatusOr<PolicyKey> PolicyManager::CheckNewDraft(
    const Identity& caller, absl::string_view parent,
    absl::string_view policy_id, absl::string_view request_id) {
  auto code = ParseParent(parent, false);
  if (!code.ok()) return code.status();
  if (auto s = CheckEdit(caller, *code, "parent"); !s.ok()) return s;
  if (auto s = ValidateResourceId(policy_id, "policy_id"); !s.ok()) return s;
  if (auto s = CheckRequestId(request_id); !s.ok()) return s;
  return PolicyKey{*code, std::string(policy_id)};
}

absl::StatusOr<v1::Policy> PolicyManager::Create(
    const Identity& caller, const v1::CreatePolicyRequest& request) {
  auto key = CheckNewDraft(caller, request.parent(), request.policy_id(),
                           request.request_id());
  if (!key.ok()) return key.status();
  v1::Policy policy = WritableFields(request.policy());
  Prepare(policy.mutable_content());
  if (auto s = ValidatePolicy(policy, "policy"); !s.ok()) return s;
  v1::Policy out;
  absl::Status status = CreateDraft(
      caller, *key, std::move(policy), request.request_id(),
      Fingerprint(request), &out, [&out](const v1::Policy& p) { out = p; });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<std::shared_ptr<const CachedRevision>>
PolicyManager::LoadReadable(const Identity& caller,
                            const v1::GetPolicyRequest& request) {
  auto ref = ParsePolicyName(request.name(), "name", true);
  if (!ref.ok()) return ref.status();
  const std::string& code = ref->key.municipality_code;
  std::shared_ptr<const CachedRevision> revision;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto loaded = store_->LoadRevision(tx, ref->key, ref->revision, "name");
    if (!loaded.ok()) return loaded.status();
    revision = *std::move(loaded);
    return absl::OkStatus();
  });
  if (!status.ok()) return HideFromOutsiders(status, caller, code, "name");
  if (auto s = CheckRead(caller, code, revision->policy.state(), "name");
      !s.ok()) {
    return s;
  }
  return revision;
}

absl::StatusOr<std::shared_ptr<const v1::Policy>> PolicyManager::LoadForWrite(
    Transaction& tx, const PolicyKey& key, const std::string& etag,
    absl::string_view etag_field) {
  if (auto s = store_->LockPolicy(tx, key); !s.ok()) return s;
  auto current = store_->Load(tx, key, 0, "name");
  if (!current.ok()) return current.status();
  if (!etag.empty() && etag != (*current)->etag()) {
    return absl::AbortedError(
        absl::StrCat(etag_field, ": the policy changed since ", etag, " (now ",
                     (*current)->etag(), "); read it again and retry"));
  }
  return current;
}

absl::StatusOr<v1::Policy> PolicyManager::Get(
    const Identity& caller, const v1::GetPolicyRequest& request) {
  auto revision = LoadReadable(caller, request);
  if (!revision.ok()) return revision.status();
  v1::Policy out = (*revision)->policy;
  ApplyView(request.view(), v1::POLICY_VIEW_FULL, &out);
  return out;
}

absl::StatusOr<std::shared_ptr<const std::string>> PolicyManager::GetSerialized(
    const Identity& caller, const v1::GetPolicyRequest& request) {
  auto revision = LoadReadable(caller, request);
  if (!revision.ok()) return revision.status();
  if (request.view() == v1::POLICY_VIEW_BASIC) {
    v1::Policy basic = (*revision)->policy;
    basic.clear_content();
    return std::make_shared<const std::string>(basic.SerializeAsString());
  }
  return std::shared_ptr<const std::string>(*revision, &(*revision)->bytes);
}

absl::StatusOr<v1::ListPoliciesResponse> PolicyManager::List(
    const Identity& caller, const v1::ListPoliciesRequest& request) {
  auto code = ParseParent(request.parent(), true);
  if (!code.ok()) return code.status();
  if (request.period_year() < 0 || request.period_year() > 9999) {
    return absl::InvalidArgumentError("period_year: is not a year");
  }
  for (int s : request.states()) {
    if (s <= v1::POLICY_STATE_UNSPECIFIED || !v1::PolicyState_IsValid(s)) {
      return absl::InvalidArgumentError(
          absl::StrCat("states: ", s, " is not a policy state"));
    }
  }
  ListQuery query;
  if (*code != kAnyMunicipality) query.municipality_codes = {*code};
  for (int s : request.states()) {
    query.states.push_back(static_cast<v1::PolicyState>(s));
  }
  query.period_year = request.period_year();
  absl::StatusOr<int> page_size_or = PageSize(request.page_size(), 50, 500);
  if (!page_size_or.ok()) return page_size_or.status();
  int page_size = *page_size_or;
  std::string scope =
      absl::StrCat("list|", request.parent(), "|", Fingerprint([&] {
                     v1::ListPoliciesRequest filters = request;
                     filters.clear_page_token();
                     filters.clear_page_size();
                     return filters;
                   }()));
  if (!request.page_token().empty()) {
    auto position = ReadPageToken(request.page_token(), scope);
    if (!position.ok()) return position.status();
    std::pair<std::string, std::string> key =
        absl::StrSplit(*position, absl::MaxSplits('/', 1));
    query.after = PolicyKey{key.first, key.second};
  }
  v1::ListPoliciesResponse response;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    response.Clear();
    std::optional<PolicyKey> last_returned;
    // Rows the caller may not see are skipped, so read on until the page is
    // full and one more visible row shows there is a next page.
    query.limit = page_size + 1;
    while (true) {
      auto rows = store_->List(tx, query);
      if (!rows.ok()) return rows.status();
      for (const PolicyRow& row : *rows) {
        query.after = row.key;
        if (!CheckRead(caller, row.key.municipality_code, row.state, "parent")
                 .ok()) {
          continue;
        }
        if (response.policies_size() == page_size) {
          response.set_next_page_token(MakePageToken(
              scope, absl::StrCat(last_returned->municipality_code, "/",
                                  last_returned->policy_id)));
          return absl::OkStatus();
        }
        auto policy = store_->Load(tx, row.key, row.current_revision, "parent");
        if (!policy.ok()) return policy.status();
        v1::Policy* out = response.add_policies();
        *out = **policy;
        ApplyView(request.view(), v1::POLICY_VIEW_BASIC, out);
        last_returned = row.key;
      }
      if (static_cast<int>(rows->size()) < query.limit) return absl::OkStatus();
    }
  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::Policy> PolicyManager::Update(
    const Identity& caller, const v1::UpdatePolicyRequest& request) {
  auto ref = ParsePolicyName(request.policy().name(), "policy.name", false);
  if (!ref.ok()) return ref.status();
  const PolicyKey& key = ref->key;
  if (auto s = CheckEdit(caller, key.municipality_code, "policy.name");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckRequestId(request.request_id()); !s.ok()) return s;
  // Only writable fields may be named. "*" replaces them all; no mask
  // replaces those the request fills in (AIP-134), so a client that sends
  // only a new title never wipes the content.
  static const char* const kWritable[] = {"display_name", "period", "esdh_case",
                                          "kle_class", "content"};
  google::protobuf::FieldMask mask = request.update_mask();
  if (mask.paths_size() == 1 && mask.paths(0) == "*") {
    mask.clear_paths();
    for (const char* path : kWritable) mask.add_paths(path);
  } else if (mask.paths_size() == 0) {
    const v1::Policy& p = request.policy();
    if (!p.display_name().empty()) mask.add_paths("display_name");
    if (p.has_period()) mask.add_paths("period");
    if (p.has_esdh_case()) mask.add_paths("esdh_case");
    if (p.has_kle_class()) mask.add_paths("kle_class");
    if (p.has_content()) mask.add_paths("content");
  }
  for (const std::string& path : mask.paths()) {
    bool writable = false;
    for (const char* w : kWritable) {
      writable =
          writable || path == w || absl::StartsWith(path, absl::StrCat(w, "."));
    }
    if (!writable || !FieldMaskUtil::GetFieldDescriptors(
                         v1::Policy::descriptor(), path, nullptr)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "update_mask: '", path, "' is not a writable field of a policy"));
    }
  }
  std::string fingerprint = Fingerprint(request);
  v1::Policy out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        auto replayed = store_->Replay(tx, key.municipality_code,
                                       request.request_id(), fingerprint, &out);
        if (!replayed.ok() || *replayed) return replayed.status();
        auto current =
            LoadForWrite(tx, key, request.policy().etag(), "policy.etag");
        if (!current.ok()) return current.status();
        if (auto s = CheckEditable((*current)->state()); !s.ok()) return s;
        v1::Policy next = **current;
        FieldMaskUtil::MergeOptions options;
        options.set_replace_message_fields(true);
        options.set_replace_repeated_fields(true);
        FieldMaskUtil::MergeMessageTo(request.policy(), mask, options, &next);
        Prepare(next.mutable_content());
        if (auto s = ValidatePolicy(next, "policy"); !s.ok()) return s;
        auto written = store_->WriteRevision(
            tx, key, std::move(next), caller.subject, "policy.updated", false);
        if (!written.ok()) return written.status();
        out = *std::move(written);
        return store_->SaveResponse(tx, key.municipality_code,
                                    request.request_id(), fingerprint, out);
      });
  if (!status.ok()) return status;
  return out;
}

absl::Status PolicyManager::Delete(const Identity& caller,
                                   const v1::DeletePolicyRequest& request) {
  auto ref = ParsePolicyName(request.name(), "name", false);
  if (!ref.ok()) return ref.status();
  if (auto s = CheckEdit(caller, ref->key.municipality_code, "name"); !s.ok()) {
    return s;
  }
  return store_->db().Write([&](Transaction& tx) -> absl::Status {
    auto current = LoadForWrite(tx, ref->key, request.etag(), "etag");
    if (!current.ok()) return current.status();
    if ((*current)->state() != v1::POLICY_STATE_DRAFT) {
      return absl::FailedPreconditionError(absl::StrCat(
          "state: only drafts can be deleted; this policy is ",
          StateName((*current)->state()), " (withdraw it instead)"));
    }
    return store_->Delete(tx, ref->key, caller.subject);
  });
}

}  // namespace kommune::policy
