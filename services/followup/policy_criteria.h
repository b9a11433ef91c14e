#ifndef KOMMUNE_SERVICES_FOLLOWUP_POLICY_CRITERIA_H_
#define KOMMUNE_SERVICES_FOLLOWUP_POLICY_CRITERIA_H_

#include <string>
#include <vector>

#include "kommune/policy/v1/policy.pb.h"

namespace kommune::followup {

// A success criterion of a policy with where it sits, for indicators and
// reports (which group by focus area in the policy's order).
struct CriterionInfo {
  std::string criterion_id;
  std::string label;
  std::string text;
  std::string focus_area_id;
  std::string focus_area_title;
  policy::v1::MeasurableReading reading;
};

// Every success criterion of the policy's content in reading order: per
// focus area its own criteria, then its strategies', then its action
// items' (the strategies' action items after each strategy's own).
std::vector<CriterionInfo> ListCriteria(const policy::v1::Policy& policy);

}  // namespace kommune::followup

#endif  // KOMMUNE_SERVICES_FOLLOWUP_POLICY_CRITERIA_H_
