#ifndef KOMMUNE_SERVICES_FOLLOWUP_MEASUREMENT_POINT_H_
#define KOMMUNE_SERVICES_FOLLOWUP_MEASUREMENT_POINT_H_

#include "kommune/followup/v1/indicator.pb.h"
#include "services/followup/periods.h"

namespace kommune::followup {

// The current value of one period and series, as the status rules see it.
struct MeasurementPoint {
  Period period;
  v1::Series series = v1::SERIES_TARGET_GROUP;
  double value = 0;
  // For qualitative indicators: the person's assessment.
  v1::Status assessed_status = v1::STATUS_UNSPECIFIED;
  std::string note;
};

}  // namespace kommune::followup

#endif  // KOMMUNE_SERVICES_FOLLOWUP_MEASUREMENT_POINT_H_
