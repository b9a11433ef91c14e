#ifndef KOMMUNE_SERVICES_ESDH_ESDH_ADMIN_SERVICE_H_
#define KOMMUNE_SERVICES_ESDH_ESDH_ADMIN_SERVICE_H_

#include <functional>

#include "absl/time/time.h"
#include "kommune/esdh/v1/esdh_service.grpc.pb.h"
#include "services/common/identity.h"
#include "services/esdh/esdh_store.h"

namespace kommune::esdh {

// The connector's API: deliveries (list, read, retry, skip, the ESDH
// system's document number) for the municipality's integration or admin
// role, and the case lookup for any role of the municipality.
class EsdhAdminServiceImpl final : public v1::EsdhConnectorService::Service {
 public:
  using Clock = std::function<absl::Time()>;
  EsdhAdminServiceImpl(EsdhStore* store, const IdentityVerifier* verifier,
                       Clock now);

  grpc::Status ListDeliveries(grpc::ServerContext* context,
                              const v1::ListDeliveriesRequest* request,
                              v1::ListDeliveriesResponse* response) override;
  grpc::Status GetDelivery(grpc::ServerContext* context,
                           const v1::GetDeliveryRequest* request,
                           v1::Delivery* response) override;
  grpc::Status RetryDelivery(grpc::ServerContext* context,
                             const v1::RetryDeliveryRequest* request,
                             v1::Delivery* response) override;
  grpc::Status SkipDelivery(grpc::ServerContext* context,
                            const v1::SkipDeliveryRequest* request,
                            v1::Delivery* response) override;
  grpc::Status ReportDocumentNumber(
      grpc::ServerContext* context,
      const v1::ReportDocumentNumberRequest* request,
      v1::Delivery* response) override;
  grpc::Status LookupEsdhCase(grpc::ServerContext* context,
                              const v1::LookupEsdhCaseRequest* request,
                              v1::LookupEsdhCaseResponse* response) override;

  // The operations themselves, free of gRPC (tests call these).
  absl::StatusOr<v1::ListDeliveriesResponse> List(
      const Identity& caller, const v1::ListDeliveriesRequest& request);
  absl::StatusOr<v1::Delivery> Get(const Identity& caller,
                                   const v1::GetDeliveryRequest& request);
  absl::StatusOr<v1::Delivery> Retry(const Identity& caller,
                                     const v1::RetryDeliveryRequest& request);
  absl::StatusOr<v1::Delivery> Skip(const Identity& caller,
                                    const v1::SkipDeliveryRequest& request);
  absl::StatusOr<v1::Delivery> ReportNumber(
      const Identity& caller, const v1::ReportDocumentNumberRequest& request);
  absl::StatusOr<v1::LookupEsdhCaseResponse> Lookup(
      const Identity& caller, const v1::LookupEsdhCaseRequest& request);

 private:
  // Changes a delivery under `check`, in one transaction.
  absl::StatusOr<v1::Delivery> Change(
      const Identity& caller, const std::string& name,
      const std::function<absl::Status(v1::Delivery&)>& change);

  EsdhStore* store_;
  const IdentityVerifier* verifier_;
  Clock now_;
};

// A case number as ESDH systems write them: 1 to 64 characters of letters,
// digits and . - / _ (e.g. "18/12386", "2010-2752", "27.00.00-G01-1-24").
// INVALID_ARGUMENT naming `field` otherwise.
absl::Status ValidateCaseNumber(absl::string_view case_number,
                                absl::string_view field);

}  // namespace kommune::esdh

#endif  // KOMMUNE_SERVICES_ESDH_ESDH_ADMIN_SERVICE_H_
