#ifndef KOMMUNE_SERVICES_HEARING_HEARING_REQUESTS_H_
#define KOMMUNE_SERVICES_HEARING_HEARING_REQUESTS_H_

#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "kommune/hearing/v1/hearing.pb.h"

namespace kommune::hearing {

// Limits of a response.
inline constexpr size_t kMaxResponseTextBytes = 100000;
inline constexpr int kMaxAttachments = 50;
inline constexpr int kMaxParties = 500;
inline constexpr int kMaxPoints = 200;

// "municipalities/{code}/hearings/{hearing}".
struct HearingRef {
  std::string municipality_code;
  std::string hearing_id;
  std::string Name() const;
};

// ".../hearings/{hearing}/responses/{response}".
struct ResponseRef {
  HearingRef hearing;
  std::string response_id;
  std::string Name() const;
};

// "municipalities/{code}/policies/{id}@{rev}".
struct PolicyRevisionRef {
  std::string municipality_code;
  std::string policy;  // without "@rev"
  std::string revision_id;
};

// Each returns INVALID_ARGUMENT naming `field` for a malformed name.
absl::StatusOr<std::string> ParseParent(absl::string_view parent,
                                        absl::string_view field = "parent");
absl::StatusOr<HearingRef> ParseHearingName(absl::string_view name,
                                            absl::string_view field);
absl::StatusOr<ResponseRef> ParseResponseName(absl::string_view name,
                                              absl::string_view field);
absl::StatusOr<PolicyRevisionRef> ParsePolicyRevision(absl::string_view name,
                                                      absl::string_view field);

absl::Status CheckRequestId(absl::string_view request_id);

// The writable fields of a hearing (the rest is output only).
v1::Hearing HearingWritableFields(const v1::Hearing& in);

// Every check of a hearing's writable fields except the policy revision's
// existence, errors under `field` ("hearing.deadline: ...").
absl::Status ValidateHearing(const v1::Hearing& hearing,
                             absl::string_view field);

// The writable fields of a new response, checked: text, attachments,
// element ids (against the heard revision's), quoted passages, responder
// (in a public hearing: name and consent required; a party's response
// is never anonymous), deletion date.
absl::Status ValidateResponse(const v1::Response& response, bool public_hearing,
                              const std::set<std::string>& element_ids,
                              absl::string_view field);

// Points of a response: unique ids, summaries, valid dispositions, and
// changes in a revision of the heard policy.
absl::Status ValidatePoints(
    const google::protobuf::RepeatedPtrField<v1::ResponsePoint>& points,
    const std::string& policy, absl::string_view field);

// Every non-empty string field named "id" anywhere in `message`: the
// stable element ids of a policy's content.
std::set<std::string> CollectElementIds(
    const google::protobuf::Message& message);

}  // namespace kommune::hearing

#endif  // KOMMUNE_SERVICES_HEARING_HEARING_REQUESTS_H_
