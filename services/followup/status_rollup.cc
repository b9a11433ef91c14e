#include "services/followup/status_rollup.h"

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace kommune::followup {

void CountStatus(v1::Status status, v1::StatusCounts* counts) {
  counts->set_total(counts->total() + 1);
  switch (status) {
    case v1::STATUS_ACHIEVED:
      counts->set_achieved(counts->achieved() + 1);
      break;
    case v1::STATUS_ON_TRACK:
      counts->set_on_track(counts->on_track() + 1);
      break;
    case v1::STATUS_AT_RISK:
      counts->set_at_risk(counts->at_risk() + 1);
      break;
    case v1::STATUS_OFF_TRACK:
      counts->set_off_track(counts->off_track() + 1);
      break;
    case v1::STATUS_MISSED:
      counts->set_missed(counts->missed() + 1);
      break;
    default:
      // No data, not set or a value this build does not know: nothing to
      // judge by, and the counters must still add up to total.
      counts->set_no_data(counts->no_data() + 1);
      break;
  }
}

std::vector<v1::StatusCounts> RollUp(const std::vector<RollupItem>& items) {
  std::vector<v1::StatusCounts> groups;
  std::unordered_map<std::string, size_t> position;
  for (const RollupItem& item : items) {
    auto [it, added] = position.try_emplace(item.key, groups.size());
    if (added) {
      groups.emplace_back();
      groups.back().set_key(item.key);
    }
    v1::StatusCounts& group = groups[it->second];
    if (group.title().empty()) group.set_title(item.title);
    CountStatus(item.status, &group);
  }
  return groups;
}

}  // namespace kommune::followup
