#ifndef KOMMUNE_SERVICES_ESDH_DOCUMENT_SOURCE_H_
#define KOMMUNE_SERVICES_ESDH_DOCUMENT_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kommune/esdh/v1/journal.pb.h"
#include "kommune/hearing/v1/hearing.pb.h"

namespace kommune::esdh {

// The services as the connector reads them: the files each renders for
// its documents, and what an event's payload does not carry. Calls act as
// the connector (role integration in the resource's municipality).
class DocumentSource {
 public:
  virtual ~DocumentSource() = default;
  // The policy revision as Markdown (policy service's ExportPolicy).
  virtual absl::StatusOr<std::vector<v1::JournalFile>> PolicyFiles(
      const std::string& policy_name) = 0;
  // The hearing memo as Markdown and HTML.
  virtual absl::StatusOr<std::vector<v1::JournalFile>> HearingMemoFiles(
      const std::string& hearing_name) = 0;
  // The follow-up report as Markdown and HTML.
  virtual absl::StatusOr<std::vector<v1::JournalFile>> ReportFiles(
      const std::string& report_name) = 0;
  // A hearing (for a response's case).
  virtual absl::StatusOr<hearing::v1::Hearing> GetHearing(
      const std::string& hearing_name) = 0;
};

// Addresses of the services (host:port); empty when not followed.
struct ServiceAddresses {
  std::string policy;
  std::string hearing;
  std::string followup;
};

// A DocumentSource over gRPC, signing the connector's identity with the
// suite's shared secret as the gateway does.
std::unique_ptr<DocumentSource> MakeGrpcDocumentSource(
    const ServiceAddresses& addresses, std::string identity_secret);

}  // namespace kommune::esdh

#endif  // KOMMUNE_SERVICES_ESDH_DOCUMENT_SOURCE_H_
