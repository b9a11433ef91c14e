#include "services/followup/policy_criteria.h"

#include "google/protobuf/repeated_ptr_field.h"

namespace kommune::followup {
namespace {

void Add(const google::protobuf::RepeatedPtrField<policy::v1::SuccessCriterion>&
             criteria,
         const policy::v1::FocusArea& area, std::vector<CriterionInfo>& out) {
  for (const policy::v1::SuccessCriterion& c : criteria) {
    out.push_back(CriterionInfo{c.id(), c.label(), c.text(), area.id(),
                                area.title(), c.proposed_reading()});
  }
}

void AddActionItems(
    const google::protobuf::RepeatedPtrField<policy::v1::ActionItem>& items,
    const policy::v1::FocusArea& area, std::vector<CriterionInfo>& out) {
  for (const policy::v1::ActionItem& item : items) {
    Add(item.success_criteria(), area, out);
  }
}

}  // namespace

std::vector<CriterionInfo> ListCriteria(const policy::v1::Policy& policy) {
  std::vector<CriterionInfo> out;
  for (const policy::v1::FocusArea& area : policy.content().focus_areas()) {
    Add(area.success_criteria(), area, out);
    for (const policy::v1::Strategy& strategy : area.strategies()) {
      Add(strategy.success_criteria(), area, out);
      AddActionItems(strategy.action_items(), area, out);
    }
    AddActionItems(area.action_items(), area, out);
  }
  return out;
}

}  // namespace kommune::followup
