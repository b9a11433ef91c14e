#ifndef KOMMUNE_SERVICES_POLICY_DOMAIN_CONTENT_DIFF_H_
#define KOMMUNE_SERVICES_POLICY_DOMAIN_CONTENT_DIFF_H_

#include <vector>

#include "kommune/policy/v1/policy.pb.h"

namespace kommune::policy {

// Compares two revisions of a policy's content element by element id
// (ListElements). One ContentChange per element that was added, removed, or
// changed; changed means its own text differs (children are reported on
// their own) or it moved: to another parent or list, or out of order
// among the siblings both revisions share (an insertion before it is not a
// move). A moved element carries before_path. Intro paragraphs compare as
// one element with an empty id. Added and changed elements come in the
// order of `after`, then removed ones in the order of `before`. Elements
// without an id are matched by path; call AssignMissingIds first.
std::vector<v1::ContentChange> DiffContent(const v1::PolicyContent& before,
                                           const v1::PolicyContent& after);

}  // namespace kommune::policy

#endif  // KOMMUNE_SERVICES_POLICY_DOMAIN_CONTENT_DIFF_H_
