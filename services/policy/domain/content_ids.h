#ifndef KOMMUNE_SERVICES_POLICY_DOMAIN_CONTENT_IDS_H_
#define KOMMUNE_SERVICES_POLICY_DOMAIN_CONTENT_IDS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "kommune/policy/v1/policy.pb.h"

namespace kommune::policy {

// Gives every element without an id a readable one from its position,
// "vision-1", "objective-2-1", "focus-area-2", "strategy-2-3",
// "action-2-3-1", "criterion-2-3-1" (numbered across the strategy's
// criteria, those under action items first), "action-8-1" and
// "criterion-8-1" for a focus area's own items, "budget-1",
// "attachment-1", "meeting-1", "proposal-1-2", "section-1". Existing ids
// are never changed; where the positional id is taken, the last number
// counts up until it is free.
void AssignMissingIds(v1::PolicyContent* content);

// Checks content the service is asked to store; `field` prefixes the
// paths in errors ("policy.content"). INVALID_ARGUMENT, naming the field,
// for: a string over 1 MiB, invalid UTF-8 or NUL, a date that does not
// exist, a missing or malformed id (AIP-122: 1-63 of a-z, 0-9, '-'), an id
// used twice (e.g. "policy.content.focus_areas[1].strategies[0].id:
// duplicate id 'strategy-2-1' ..."), a reference to an element id that does
// not exist (joined_focus_area_ids, landed_in_element_ids, element_id), a
// negative strategy number or participant count, and a budget line without
// funding or with a year outside 1900-2200.
absl::Status ValidateContent(const v1::PolicyContent& content,
                             absl::string_view field = "policy.content");

}  // namespace kommune::policy

#endif  // KOMMUNE_SERVICES_POLICY_DOMAIN_CONTENT_IDS_H_
