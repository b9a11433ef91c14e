#ifndef KOMMUNE_SERVICES_POLICY_DOMAIN_SEARCH_H_
#define KOMMUNE_SERVICES_POLICY_DOMAIN_SEARCH_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kommune/policy/v1/policy.pb.h"

namespace kommune::policy {

struct SearchOptions {
  // Let "aa" and "å" match each other ("Taastrup" / "Tåstrup").
  bool fold_aa = true;
  // About how many characters of context a snippet shows.
  size_t snippet_chars = 160;
  // Stop after this many hits; 0 for all.
  size_t max_hits = 0;
};

struct SearchHit {
  std::string element_id;    // Empty for the intro paragraphs.
  std::string element_type;  // "strategy", "success_criterion", ...
  std::string path;          // "focus_areas[0].strategies[1]"
  // About snippet_chars characters around the first match, every match in
  // it marked «like this», with "…" where the text was cut.
  std::string snippet;
};

// Finds the elements whose own text contains every word of the query,
// ignoring case the Danish way (Æ/æ, Ø/ø, Å/å, É/é ...; "høring" finds
// "HØRING"), in document order. INVALID_ARGUMENT naming "query" for an
// empty query, one over 1 KiB or one that is not UTF-8.
absl::StatusOr<std::vector<SearchHit>> SearchContent(
    const v1::PolicyContent& content, absl::string_view query,
    const SearchOptions& options = {});

}  // namespace kommune::policy

#endif  // KOMMUNE_SERVICES_POLICY_DOMAIN_SEARCH_H_
