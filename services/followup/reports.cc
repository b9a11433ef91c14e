// FollowUpManager: the follow-up report, previewed or stored and published.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/fingerprint.h"
#include "services/common/page_token.h"
#include "services/common/resource_name.h"
#include "services/common/validation.h"
#include "services/followup/followup_manager.h"
#include "services/followup/followup_requests.h"
#include "services/followup/report_builder.h"
#include "services/followup/report_html.h"
#include "services/followup/report_markdown.h"

namespace kommune::followup {
namespace {

google::protobuf::Timestamp Timestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

}  // namespace

absl::StatusOr<v1::FollowUpReport> FollowUpManager::BuildReport(
    const Identity& caller, const std::string& policy_name,
    absl::CivilDay as_of, const std::string& field) {
  absl::StatusOr<std::string> municipality =
      ParsePolicyName(policy_name, field);
  if (!municipality.ok()) return municipality.status();
  absl::StatusOr<policy::v1::Policy> policy =
      ReadPolicy(caller, policy_name, field);
  if (!policy.ok()) return policy.status();
  auto judged = JudgeAll(*municipality, policy_name, as_of);
  if (!judged.ok()) return judged.status();
  std::vector<IndicatorData> data;
  data.reserve(judged->size());
  for (Judged& j : *judged) {
    data.push_back(IndicatorData{std::move(j.indicator), std::move(j.status),
                                 std::move(j.points)});
  }
  return BuildFollowUpReport(*policy, data, as_of);
}

absl::StatusOr<v1::FollowUpReport> FollowUpManager::PreviewReport(
    const Identity& caller, const v1::PreviewFollowUpReportRequest& request) {
  absl::StatusOr<std::string> municipality =
      ParsePolicyName(request.policy_name(), "policy_name");
  if (!municipality.ok()) return municipality.status();
  if (auto s = CheckInsider(caller, *municipality, "policy_name"); !s.ok()) {
    return s;
  }
  absl::StatusOr<absl::CivilDay> as_of = AsOf(request.as_of(), "as_of");
  if (!as_of.ok()) return as_of.status();
  return BuildReport(caller, request.policy_name(), *as_of, "policy_name");
}

absl::StatusOr<v1::FollowUpReport> FollowUpManager::CreateReport(
    const Identity& caller, const v1::CreateFollowUpReportRequest& request) {
  absl::StatusOr<std::string> municipality =
      ParseParent(request.parent(), "parent");
  if (!municipality.ok()) return municipality.status();
  if (auto s = CheckAnalyst(caller, *municipality, "parent"); !s.ok()) return s;
  if (auto s = ValidateResourceId(request.follow_up_report_id(),
                                  "follow_up_report_id");
      !s.ok()) {
    return s;
  }
  const v1::FollowUpReport& asked = request.follow_up_report();
  if (auto s = ValidateText(asked.display_name(),
                            "follow_up_report.display_name", true, 500);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::string> code =
      ParsePolicyName(asked.policy_name(), "follow_up_report.policy_name");
  if (!code.ok()) return code.status();
  if (*code != *municipality) {
    return absl::InvalidArgumentError(
        absl::StrCat("follow_up_report.policy_name: belongs to municipality ",
                     *code, ", not to ", request.parent()));
  }
  absl::StatusOr<absl::CivilDay> as_of =
      AsOf(asked.as_of(), "follow_up_report.as_of");
  if (!as_of.ok()) return as_of.status();
  std::string fingerprint = Fingerprint(request);
  // A retry is answered from the log without asking the policy service.
  v1::FollowUpReport out;
  bool replayed = false;
  if (auto s = store_->db().Write([&](Transaction& tx) -> absl::Status {
        auto r = store_->requests().Replay(
            tx, *municipality, request.request_id(), fingerprint, &out);
        if (!r.ok()) return r.status();
        replayed = *r;
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  if (replayed) return out;
  absl::StatusOr<v1::FollowUpReport> report = BuildReport(
      caller, asked.policy_name(), *as_of, "follow_up_report.policy_name");
  if (!report.ok()) return report.status();
  report->set_name(absl::StrCat(request.parent(), "/followUpReports/",
                                request.follow_up_report_id()));
  report->set_display_name(asked.display_name());
  report->set_state(v1::REPORT_STATE_DRAFT);
  *report->mutable_create_time() = Timestamp(Now());
  if (asked.has_esdh_document()) {
    if (auto s = ValidateEsdhReference(asked.esdh_document(),
                                       "follow_up_report.esdh_document");
        !s.ok()) {
      return s;
    }
    *report->mutable_esdh_document() = asked.esdh_document();
  }
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        auto r = store_->requests().Replay(
            tx, *municipality, request.request_id(), fingerprint, &out);
        if (!r.ok()) return r.status();
        if (*r) return absl::OkStatus();
        if (auto s = store_->InsertReport(
                tx, *municipality, request.follow_up_report_id(), *report);
            !s.ok()) {
          return s;
        }
        auto appended = store_->events().Append(
            tx, NewEvent{*municipality, "followup_report.created",
                         report->name(), caller.subject, &*report});
        if (!appended.ok()) return appended.status();
        out = *report;
        return store_->requests().Save(tx, *municipality, request.request_id(),
                                       fingerprint, out);
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::FollowUpReport> FollowUpManager::GetReport(
    const Identity& caller, const v1::GetFollowUpReportRequest& request) {
  absl::StatusOr<LocalName> ref = ParseReportName(request.name(), "name");
  if (!ref.ok()) return ref.status();
  absl::StatusOr<std::optional<v1::FollowUpReport>> found = ReadInTransaction(
      store_->db(),
      [&](Transaction& tx) { return store_->GetReport(tx, request.name()); });
  if (!found.ok()) return found.status();
  // Outsiders learn nothing about drafts, not even whether one exists.
  if (!found->has_value() || (*found)->state() != v1::REPORT_STATE_PUBLISHED) {
    if (auto s = CheckInsider(caller, ref->municipality, "name"); !s.ok()) {
      return s;
    }
  }
  if (!found->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("name: ", request.name(), " does not exist"));
  }
  return **std::move(found);
}

absl::StatusOr<v1::ListFollowUpReportsResponse> FollowUpManager::ListReports(
    const Identity& caller, const v1::ListFollowUpReportsRequest& request) {
  absl::StatusOr<std::string> municipality =
      ParseParent(request.parent(), "parent");
  if (!municipality.ok()) return municipality.status();
  bool insider = CheckInsider(caller, *municipality, "parent").ok();
  absl::StatusOr<int> size = PageSize(request.page_size(), 50, 500);
  if (!size.ok()) return size.status();
  std::string scope = absl::StrCat("reports:", request.parent());
  std::string after;
  if (!request.page_token().empty()) {
    auto position = ReadPageToken(request.page_token(), scope);
    if (!position.ok()) return position.status();
    after = *position;
  }
  v1::ListFollowUpReportsResponse out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto page =
        store_->ListReports(tx, *municipality, !insider, after, *size + 1);
    if (!page.ok()) return page.status();
    int n = std::min<int>(*size, static_cast<int>(page->size()));
    for (int i = 0; i < n; ++i) {
      v1::FollowUpReport* r = out.add_follow_up_reports();
      *r = (*page)[i];
      r->clear_focus_areas();
    }
    if (static_cast<int>(page->size()) > *size) {
      auto last = ParseReportName((*page)[n - 1].name(), "name");
      if (!last.ok()) return last.status();
      out.set_next_page_token(MakePageToken(scope, last->id));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::FollowUpReport> FollowUpManager::PublishReport(
    const Identity& caller, const v1::PublishFollowUpReportRequest& request) {
  absl::StatusOr<LocalName> ref = ParseReportName(request.name(), "name");
  if (!ref.ok()) return ref.status();
  if (auto s = CheckAnalyst(caller, ref->municipality, "name"); !s.ok()) {
    return s;
  }
  v1::FollowUpReport out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        auto got = store_->GetReport(tx, request.name());
        if (!got.ok()) return got.status();
        if (!got->has_value()) {
          return absl::NotFoundError(
              absl::StrCat("name: ", request.name(), " does not exist"));
        }
        out = **got;
        // Publishing twice is harmless: the report stays as first published.
        if (out.state() == v1::REPORT_STATE_PUBLISHED) return absl::OkStatus();
        out.set_state(v1::REPORT_STATE_PUBLISHED);
        *out.mutable_publish_time() = Timestamp(Now());
        if (auto s = store_->UpdateReport(tx, out); !s.ok()) return s;
        return store_->events()
            .Append(tx, NewEvent{ref->municipality, "followup_report.published",
                                 out.name(), caller.subject, &out})
            .status();
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::ExportFollowUpReportResponse> FollowUpManager::ExportReport(
    const Identity& caller, const v1::ExportFollowUpReportRequest& request) {
  if (!v1::ReportFormat_IsValid(request.format())) {
    return absl::InvalidArgumentError("format: not a known format");
  }
  v1::GetFollowUpReportRequest get;
  get.set_name(request.name());
  absl::StatusOr<v1::FollowUpReport> report = GetReport(caller, get);
  if (!report.ok()) return report.status();
  v1::ExportFollowUpReportResponse out;
  if (request.format() == v1::REPORT_FORMAT_HTML) {
    out.set_document(RenderReportHtml(*report));
    out.set_media_type("text/html; charset=utf-8");
  } else {
    out.set_document(RenderReportMarkdown(*report));
    out.set_media_type("text/markdown; charset=utf-8");
  }
  return out;
}

}  // namespace kommune::followup
