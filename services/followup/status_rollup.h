#ifndef KOMMUNE_SERVICES_FOLLOWUP_STATUS_ROLLUP_H_
#define KOMMUNE_SERVICES_FOLLOWUP_STATUS_ROLLUP_H_

#include <string>
#include <vector>

#include "kommune/followup/v1/indicator.pb.h"
#include "kommune/followup/v1/report.pb.h"

namespace kommune::followup {

// One indicator's status in a group: a focus area, a committee or a policy.
struct RollupItem {
  std::string key;
  std::string title;
  v1::Status status = v1::STATUS_UNSPECIFIED;
};

// Adds one indicator to `counts`: total and the status's counter. A status
// that is not set (or unknown) counts as no data, so that total is always
// the sum of the six counters.
void CountStatus(v1::Status status, v1::StatusCounts* counts);

// One StatusCounts per distinct key, sorted by first appearance of the key
// in items. The title is the first non-empty title given for the key.
std::vector<v1::StatusCounts> RollUp(const std::vector<RollupItem>& items);

}  // namespace kommune::followup

#endif  // KOMMUNE_SERVICES_FOLLOWUP_STATUS_ROLLUP_H_
