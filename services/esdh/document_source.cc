#include "services/esdh/document_source.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "kommune/followup/v1/followup_service.grpc.pb.h"
#include "kommune/hearing/v1/hearing_service.grpc.pb.h"
#include "kommune/policy/v1/policy_service.grpc.pb.h"
#include "services/common/grpc_util.h"

namespace kommune::esdh {
namespace {

constexpr absl::Duration kTimeout = absl::Seconds(30);

absl::Status FromGrpc(const grpc::Status& status, absl::string_view what) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

// The municipality code of "municipalities/{code}/...".
std::string MunicipalityOf(const std::string& name) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  return parts.size() > 1 ? parts[1] : "";
}

v1::JournalFile File(std::string file_name, std::string media_type,
                     std::string content) {
  v1::JournalFile f;
  f.set_file_name(std::move(file_name));
  f.set_media_type(std::move(media_type));
  f.set_content(std::move(content));
  return f;
}

class GrpcDocumentSource : public DocumentSource {
 public:
  GrpcDocumentSource(const ServiceAddresses& a, std::string secret)
      : secret_(std::move(secret)) {
    auto channel = [](const std::string& address) {
      grpc::ChannelArguments args;
      args.SetMaxReceiveMessageSize(64 << 20);
      return grpc::CreateCustomChannel(
          address, grpc::InsecureChannelCredentials(), args);
    };
    if (!a.policy.empty()) {
      policies_ = policy::v1::PolicyService::NewStub(channel(a.policy));
    }
    if (!a.hearing.empty()) {
      hearings_ = hearing::v1::HearingService::NewStub(channel(a.hearing));
    }
    if (!a.followup.empty()) {
      followup_ = followup::v1::FollowUpService::NewStub(channel(a.followup));
    }
  }

  absl::StatusOr<std::vector<v1::JournalFile>> PolicyFiles(
      const std::string& name) override {
    if (policies_ == nullptr) return Unfollowed("policy");
    policy::v1::ExportPolicyRequest request;
    request.set_name(name);
    request.set_format(policy::v1::DOCUMENT_FORMAT_MARKDOWN);
    policy::v1::ExportPolicyResponse response;
    auto context = Context(name);
    grpc::Status s = policies_->ExportPolicy(context.get(), request, &response);
    if (!s.ok()) return FromGrpc(s, "ExportPolicy");
    return std::vector<v1::JournalFile>{
        File("politik.md", response.media_type(), response.document())};
  }

  absl::StatusOr<std::vector<v1::JournalFile>> HearingMemoFiles(
      const std::string& name) override {
    if (hearings_ == nullptr) return Unfollowed("hearing");
    std::vector<v1::JournalFile> files;
    for (auto [format, file_name] :
         {std::pair{hearing::v1::MEMO_FORMAT_MARKDOWN, "hoeringsnotat.md"},
          std::pair{hearing::v1::MEMO_FORMAT_HTML, "hoeringsnotat.html"}}) {
      hearing::v1::ExportHearingMemoRequest request;
      request.set_name(name);
      request.set_format(format);
      hearing::v1::ExportHearingMemoResponse response;
      auto context = Context(name);
      grpc::Status s =
          hearings_->ExportHearingMemo(context.get(), request, &response);
      if (!s.ok()) return FromGrpc(s, "ExportHearingMemo");
      files.push_back(
          File(file_name, response.media_type(), response.document()));
    }
    return files;
  }

  absl::StatusOr<std::vector<v1::JournalFile>> ReportFiles(
      const std::string& name) override {
    if (followup_ == nullptr) return Unfollowed("followup");
    std::vector<v1::JournalFile> files;
    for (auto [format, file_name] :
         {std::pair{followup::v1::REPORT_FORMAT_MARKDOWN, "redegoerelse.md"},
          std::pair{followup::v1::REPORT_FORMAT_HTML, "redegoerelse.html"}}) {
      followup::v1::ExportFollowUpReportRequest request;
      request.set_name(name);
      request.set_format(format);
      followup::v1::ExportFollowUpReportResponse response;
      auto context = Context(name);
      grpc::Status s =
          followup_->ExportFollowUpReport(context.get(), request, &response);
      if (!s.ok()) return FromGrpc(s, "ExportFollowUpReport");
      files.push_back(
          File(file_name, response.media_type(), response.document()));
    }
    return files;
  }

  absl::StatusOr<hearing::v1::Hearing> GetHearing(
      const std::string& name) override {
    if (hearings_ == nullptr) return Unfollowed("hearing");
    hearing::v1::GetHearingRequest request;
    request.set_name(name);
    hearing::v1::Hearing response;
    auto context = Context(name);
    grpc::Status s = hearings_->GetHearing(context.get(), request, &response);
    if (!s.ok()) return FromGrpc(s, "GetHearing");
    return response;
  }

 private:
  static absl::Status Unfollowed(absl::string_view service) {
    return absl::FailedPreconditionError(
        absl::StrCat("the ", service, " service's address is not configured"));
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& resource) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(absl::ToChronoTime(absl::Now() + kTimeout));
    Identity connector;
    connector.municipality_codes = {MunicipalityOf(resource)};
    connector.roles = {Role::kIntegration};
    connector.subject = "esdh_connector";
    AttachIdentity(*context, connector, secret_);
    return context;
  }

  std::string secret_;
  std::unique_ptr<policy::v1::PolicyService::Stub> policies_;
  std::unique_ptr<hearing::v1::HearingService::Stub> hearings_;
  std::unique_ptr<followup::v1::FollowUpService::Stub> followup_;
};

}  // namespace

std::unique_ptr<DocumentSource> MakeGrpcDocumentSource(
    const ServiceAddresses& addresses, std::string identity_secret) {
  return std::make_unique<GrpcDocumentSource>(addresses,
                                              std::move(identity_secret));
}

}  // namespace kommune::esdh
