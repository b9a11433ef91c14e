#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/fingerprint.h"
#include "services/common/page_token.h"
#include "services/common/resource_name.h"
#include "services/common/validation.h"
#include "services/policy/domain/markdown_export.h"
#include "services/policy/domain/search.h"
#include "services/policy/domain/text_import.h"
#include "services/policy/policy_access.h"
#include "services/policy/policy_manager.h"
#include "services/policy/policy_requests.h"

namespace kommune::policy {
namespace {

// As SearchContent allows; checked here first so that nothing is read.
constexpr size_t kMaxQueryBytes = 1024;

}  // namespace

absl::StatusOr<v1::SearchPoliciesResponse> PolicyManager::Search(
    const Identity& caller, const v1::SearchPoliciesRequest& request) {
  auto code = ParseParent(request.parent(), true);
  if (!code.ok()) return code.status();
  if (auto s = ValidateText(request.query(), "query", true, kMaxQueryBytes);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<int> page_size_or = PageSize(request.page_size(), 20, 200);
  if (!page_size_or.ok()) return page_size_or.status();
  int page_size = *page_size_or;
  std::string scope =
      absl::StrCat("search|", request.parent(), "|", request.query());
  int64_t offset = 0;
  if (!request.page_token().empty()) {
    auto position = ReadPageToken(request.page_token(), scope);
    if (!position.ok()) return position.status();
    if (!absl::SimpleAtoi(*position, &offset) || offset < 0) {
      return absl::InvalidArgumentError(
          "page_token: not a token this API made");
    }
  }
  ListQuery query;
  if (*code == kAnyMunicipality) {
    // Across municipalities: the policies in force, public to all.
    query.states = {v1::POLICY_STATE_ADOPTED};
  } else {
    query.municipality_codes = {*code};
  }
  query.limit = 500;
  v1::SearchPoliciesResponse response;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    response.Clear();
    int64_t seen = 0;
    while (true) {
      auto rows = store_->List(tx, query);
      if (!rows.ok()) return rows.status();
      for (const PolicyRow& row : *rows) {
        query.after = row.key;
        if (!CheckRead(caller, row.key.municipality_code, row.state, "parent")
                 .ok()) {
          continue;
        }
        auto policy = store_->Load(tx, row.key, row.current_revision, "parent");
        if (!policy.ok()) return policy.status();
        auto hits = SearchContent((*policy)->content(), request.query());
        if (!hits.ok()) return hits.status();
        for (const SearchHit& hit : *hits) {
          if (seen++ < offset) continue;
          if (response.results_size() == page_size) {
            response.set_next_page_token(
                MakePageToken(scope, absl::StrCat(offset + page_size)));
            return absl::OkStatus();
          }
          v1::SearchResult* result = response.add_results();
          result->set_policy((*policy)->name());
          result->set_policy_display_name((*policy)->display_name());
          result->set_state((*policy)->state());
          result->set_element_id(hit.element_id);
          result->set_element_type(hit.element_type);
          result->set_snippet(hit.snippet);
        }
      }
      if (static_cast<int>(rows->size()) < query.limit) return absl::OkStatus();
    }
  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::ImportPolicyResponse> PolicyManager::Import(
    const Identity& caller, const v1::ImportPolicyRequest& request) {
  auto key = CheckNewDraft(caller, request.parent(), request.policy_id(),
                           request.request_id());
  if (!key.ok()) return key.status();
  if (auto s = ValidateText(request.document(), "document", true); !s.ok()) {
    return s;
  }
  v1::Policy policy;
  std::vector<std::string> warnings;
  switch (request.format()) {
    case v1::DOCUMENT_FORMAT_PLAIN_TEXT:
    case v1::DOCUMENT_FORMAT_MARKDOWN: {
      ImportOptions options;
      options.field = "document";
      options.max_bytes = kommune::kMaxFieldBytes;
      options.format = request.format() == v1::DOCUMENT_FORMAT_PLAIN_TEXT
                           ? TextFormat::kPlainText
                           : TextFormat::kMarkdown;
      auto imported = ImportPolicyText(request.document(), options);
      if (!imported.ok()) return imported.status();
      policy = WritableFields(imported->policy);
      warnings = std::move(imported->notes);
      break;
    }
    case v1::DOCUMENT_FORMAT_JSON: {
      v1::Policy parsed;
      auto s = google::protobuf::util::JsonStringToMessage(request.document(),
                                                           &parsed);
      if (!s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "document: not a Policy in proto JSON: ", s.message().as_string()));
      }
      policy = WritableFields(parsed);
      break;
    }
    default:
      return absl::InvalidArgumentError(
          "format: choose PLAIN_TEXT, MARKDOWN or JSON");
  }
  Prepare(policy.mutable_content());
  if (auto s = ValidatePolicy(policy, "document"); !s.ok()) return s;
  v1::ImportPolicyResponse response;
  absl::Status status =
      CreateDraft(caller, *key, std::move(policy), request.request_id(),
                  Fingerprint(request), &response, [&](const v1::Policy& p) {
                    *response.mutable_policy() = p;
                    for (const std::string& w : warnings)
                      response.add_warnings(w);
                  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::ExportPolicyResponse> PolicyManager::Export(
    const Identity& caller, const v1::ExportPolicyRequest& request) {
  v1::GetPolicyRequest get;
  get.set_name(request.name());
  auto policy = Get(caller, get);
  if (!policy.ok()) return policy.status();
  v1::ExportPolicyResponse response;
  switch (request.format()) {
    case v1::DOCUMENT_FORMAT_MARKDOWN:
      response.set_document(ExportMarkdown(*policy));
      response.set_media_type("text/markdown; charset=utf-8");
      break;
    case v1::DOCUMENT_FORMAT_JSON: {
      google::protobuf::util::JsonPrintOptions options;
      options.add_whitespace = true;
      options.preserve_proto_field_names = true;
      std::string json;
      auto s =
          google::protobuf::util::MessageToJsonString(*policy, &json, options);
      if (!s.ok()) return absl::InternalError(s.message().as_string());
      response.set_document(std::move(json));
      response.set_media_type("application/json");
      break;
    }
    default:
      return absl::InvalidArgumentError("format: choose MARKDOWN or JSON");
  }
  return response;
}

}  // namespace kommune::policy
