#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/page_token.h"
#include "services/policy/domain/content_diff.h"
#include "services/policy/policy_access.h"
#include "services/policy/policy_manager.h"
#include "services/policy/policy_requests.h"

namespace kommune::policy {
namespace {

// Changes to the policy's own fields, ahead of its content's.
std::vector<v1::ContentChange> DiffPolicyFields(const v1::Policy& before,
                                                const v1::Policy& after) {
  std::vector<v1::ContentChange> changes;
  auto compare = [&](const std::string& path, const std::string& a,
                     const std::string& b) {
    if (a == b) return;
    v1::ContentChange& c = changes.emplace_back();
    c.set_kind(v1::ContentChange::KIND_CHANGED);
    c.set_element_type("policy");
    c.set_path(path);
    c.set_before_text(a);
    c.set_after_text(b);
  };
  compare("display_name", before.display_name(), after.display_name());
  compare("state", std::string(StateName(before.state())),
          std::string(StateName(after.state())));
  compare("period", before.period().ShortDebugString(),
          after.period().ShortDebugString());
  compare("esdh_case", before.esdh_case().ShortDebugString(),
          after.esdh_case().ShortDebugString());
  compare("kle_class", before.kle_class().ShortDebugString(),
          after.kle_class().ShortDebugString());
  compare("adopt_date", before.adopt_date().ShortDebugString(),
          after.adopt_date().ShortDebugString());
  return changes;
}

}  // namespace

absl::StatusOr<v1::ListPolicyRevisionsResponse> PolicyManager::ListRevisions(
    const Identity& caller, const v1::ListPolicyRevisionsRequest& request) {
  auto ref = ParsePolicyName(request.name(), "name", false);
  if (!ref.ok()) return ref.status();
  const std::string& code = ref->key.municipality_code;
  absl::StatusOr<int> page_size = PageSize(request.page_size(), 50, 500);
  if (!page_size.ok()) return page_size.status();
  int64_t before = 0;
  std::string scope = absl::StrCat("revisions|", request.name());
  if (!request.page_token().empty()) {
    auto position = ReadPageToken(request.page_token(), scope);
    if (!position.ok()) return position.status();
    if (!absl::SimpleAtoi(*position, &before) || before <= 0) {
      return absl::InvalidArgumentError(
          "page_token: not a token this API made");
    }
  }
  v1::ListPolicyRevisionsResponse response;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    response.Clear();
    auto current = store_->Load(tx, ref->key, 0, "name");
    if (!current.ok()) return current.status();
    if (auto s = CheckRead(caller, code, (*current)->state(), "name");
        !s.ok()) {
      return s;
    }
    // Each revision is shown by its own state: once a policy is adopted the
    // public sees its adopted revisions, never the drafts before them.
    int64_t last_returned = 0;
    while (true) {
      auto revisions =
          store_->ListRevisions(tx, ref->key, before, *page_size + 1);
      if (!revisions.ok()) return revisions.status();
      for (int64_t revision : *revisions) {
        before = revision;
        auto policy = store_->Load(tx, ref->key, revision, "name");
        if (!policy.ok()) return policy.status();
        if (!CheckRead(caller, code, (*policy)->state(), "name").ok()) {
          continue;
        }
        if (response.policies_size() == *page_size) {
          response.set_next_page_token(
              MakePageToken(scope, absl::StrCat(last_returned)));
          return absl::OkStatus();
        }
        v1::Policy* out = response.add_policies();
        *out = **policy;
        ApplyView(request.view(), v1::POLICY_VIEW_BASIC, out);
        last_returned = revision;
      }
      if (static_cast<int>(revisions->size()) < *page_size + 1) {
        return absl::OkStatus();
      }
    }
  });
  if (!status.ok()) return HideFromOutsiders(status, caller, code, "name");
  return response;
}

absl::StatusOr<v1::DiffPolicyRevisionsResponse> PolicyManager::Diff(
    const Identity& caller, const v1::DiffPolicyRevisionsRequest& request) {
  auto ref = ParsePolicyName(request.name(), "name", false);
  if (!ref.ok()) return ref.status();
  int64_t base = ParseRevisionId(request.base_revision_id());
  if (base == 0) {
    return absl::InvalidArgumentError(absl::StrCat("base_revision_id: '",
                                                   request.base_revision_id(),
                                                   "' is not a revision id"));
  }
  int64_t target = 0;
  if (!request.target_revision_id().empty()) {
    target = ParseRevisionId(request.target_revision_id());
    if (target == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("target_revision_id: '", request.target_revision_id(),
                       "' is not a revision id"));
    }
  }
  std::shared_ptr<const v1::Policy> before, after, current;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto c = store_->Load(tx, ref->key, 0, "name");
    if (!c.ok()) return c.status();
    auto b = store_->Load(tx, ref->key, base, "base_revision_id");
    if (!b.ok()) return b.status();
    auto a = store_->Load(tx, ref->key, target, "target_revision_id");
    if (!a.ok()) return a.status();
    current = *c;
    before = *b;
    after = *a;
    return absl::OkStatus();
  });
  const std::string& code = ref->key.municipality_code;
  if (!status.ok()) return HideFromOutsiders(status, caller, code, "name");
  for (const auto& [policy, field] :
       {std::pair{current.get(), "name"},
        std::pair{before.get(), "base_revision_id"},
        std::pair{after.get(), "target_revision_id"}}) {
    if (auto s = CheckRead(caller, code, policy->state(), field); !s.ok()) {
      return s;
    }
  }
  v1::DiffPolicyRevisionsResponse response;
  response.set_base_revision_id(before->revision_id());
  response.set_target_revision_id(after->revision_id());
  for (v1::ContentChange& change : DiffPolicyFields(*before, *after)) {
    *response.add_changes() = std::move(change);
  }
  for (v1::ContentChange& change :
       DiffContent(before->content(), after->content())) {
    *response.add_changes() = std::move(change);
  }
  return response;
}

}  // namespace kommune::policy
