#ifndef KOMMUNE_SERVICES_HEARING_HEARING_MANAGER_H_
#define KOMMUNE_SERVICES_HEARING_HEARING_MANAGER_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kommune/hearing/v1/hearing_service.pb.h"
#include "services/common/identity.h"
#include "services/hearing/hearing_requests.h"
#include "services/hearing/hearing_store.h"
#include "services/policy/client/policy_client.h"

namespace kommune::hearing {

// The hearing service's operations, free of gRPC: validate, authorise,
// apply the hearing's lifecycle and write through the store, one
// transaction each. Every error names the request field it is about.
class HearingManager {
 public:
  using Clock = std::function<absl::Time()>;

  HearingManager(HearingStore* store, PolicyClient* policies, Clock now)
      : store_(store), policies_(policies), now_(std::move(now)) {}

  // Tests move time to before or after a deadline.
  void set_clock(Clock now) { now_ = std::move(now); }

  absl::StatusOr<v1::Hearing> Create(const Identity& caller,
                                     const v1::CreateHearingRequest& request);
  absl::StatusOr<v1::Hearing> Get(const Identity& caller,
                                  const v1::GetHearingRequest& request);
  absl::StatusOr<v1::ListHearingsResponse> List(
      const Identity& caller, const v1::ListHearingsRequest& request);
  absl::StatusOr<v1::Hearing> Update(const Identity& caller,
                                     const v1::UpdateHearingRequest& request);
  absl::StatusOr<v1::Hearing> Open(const Identity& caller,
                                   const v1::OpenHearingRequest& request);
  absl::StatusOr<v1::Hearing> Close(const Identity& caller,
                                    const v1::CloseHearingRequest& request);
  absl::StatusOr<v1::Hearing> Cancel(const Identity& caller,
                                     const v1::CancelHearingRequest& request);
  absl::StatusOr<v1::Hearing> MarkProcessed(
      const Identity& caller, const v1::MarkHearingProcessedRequest& request);
  absl::StatusOr<v1::Hearing> WaiveParty(const Identity& caller,
                                         const v1::WaivePartyRequest& request);
  absl::StatusOr<v1::ListOutstandingPartiesResponse> ListOutstanding(
      const Identity& caller, const v1::ListOutstandingPartiesRequest& request);

  absl::StatusOr<v1::Response> Submit(const Identity& caller,
                                      const v1::SubmitResponseRequest& request);
  absl::StatusOr<v1::Response> GetResponse(
      const Identity& caller, const v1::GetResponseRequest& request);
  absl::StatusOr<v1::ListResponsesResponse> ListResponses(
      const Identity& caller, const v1::ListResponsesRequest& request);
  absl::StatusOr<v1::Response> Withdraw(
      const Identity& caller, const v1::WithdrawResponseRequest& request);
  absl::StatusOr<v1::Response> UpdatePoints(
      const Identity& caller, const v1::UpdateResponsePointsRequest& request);
  absl::StatusOr<v1::PurgePersonalDataResponse> Purge(
      const Identity& caller, const v1::PurgePersonalDataRequest& request);

  absl::StatusOr<v1::HearingMemo> GetMemo(
      const Identity& caller, const v1::GetHearingMemoRequest& request);
  absl::StatusOr<v1::ExportHearingMemoResponse> ExportMemo(
      const Identity& caller, const v1::ExportHearingMemoRequest& request);

 private:
  // Locks the hearing for this transaction, loads it, checks the caller may
  // manage it and that `etag` (if any) is current (ABORTED otherwise).
  // Errors about the hearing name `field`, the request field holding it.
  absl::StatusOr<StoredHearing> LoadForWrite(Transaction& tx,
                                             const Identity& caller,
                                             const HearingRef& ref,
                                             const std::string& etag,
                                             absl::string_view field = "name");

  // Whether a planned hearing may open now: its deadline has not passed,
  // and no treatment case of its policy has an adoption pending or done.
  absl::Status CheckMayOpen(Transaction& tx, const v1::Hearing& hearing,
                            absl::Time now);

  // Moves a hearing to `to` after `check` (run inside the transaction).
  absl::StatusOr<v1::Hearing> Transition(
      const Identity& caller, const std::string& name, const std::string& etag,
      v1::HearingState to, const std::string& event_type,
      const std::function<absl::Status(Transaction&, v1::Hearing&)>& check);

  // A hearing the caller may read; NOT_FOUND becomes the outsider's error
  // so that outsiders cannot probe for internal hearings.
  absl::StatusOr<StoredHearing> LoadReadable(Transaction& tx,
                                             const Identity& caller,
                                             const HearingRef& ref,
                                             absl::string_view field);

  // The hearing and every response in the order received, for callers who
  // may read responses (redacted for outsiders, without withdrawn ones).
  absl::Status LoadWithResponses(const Identity& caller, const HearingRef& ref,
                                 absl::string_view field, v1::Hearing* hearing,
                                 std::vector<v1::Response>* responses);

  absl::Time Now() const { return now_(); }

  HearingStore* store_;
  PolicyClient* policies_;
  Clock now_;
};

}  // namespace kommune::hearing

#endif  // KOMMUNE_SERVICES_HEARING_HEARING_MANAGER_H_
