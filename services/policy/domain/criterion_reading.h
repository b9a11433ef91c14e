#ifndef KOMMUNE_SERVICES_POLICY_DOMAIN_CRITERION_READING_H_
#define KOMMUNE_SERVICES_POLICY_DOMAIN_CRITERION_READING_H_

#include "absl/strings/string_view.h"
#include "kommune/policy/v1/policy.pb.h"

namespace kommune::policy {

// Proposes a measurable reading of a success criterion's Danish text. Never
// fails: a text with neither a number nor a deadline is KIND_QUALITATIVE.
// In order of precedence:
//   "En årlig opfølgning ... viser"        -> qualitative, per_period "year"
//   "halveret" / "fordoblet" / "reduceret med 20 %"   -> relative change
//   "ikke højere end" / "ned på niveau med" + baseline -> parity upper bound
//   "svarer til" / "på niveau med" + baseline         -> parity
//   "mindst 50 %"                                      -> share at least
//   a number (digits, or "mindst et/to/..."): "om året" / "pr. år" makes it
//     a rate per period, otherwise a count by the deadline
//   only a deadline                                    -> milestone
// Deadlines and start years are read as documented on MeasurableReading;
// the first deadline phrase in the text wins.
v1::MeasurableReading ProposeReading(absl::string_view criterion_text);

// Sets proposed_reading on every success criterion in the content.
void ProposeReadings(v1::PolicyContent* content);

}  // namespace kommune::policy

#endif  // KOMMUNE_SERVICES_POLICY_DOMAIN_CRITERION_READING_H_
