#ifndef KOMMUNE_SERVICES_POLICY_DOMAIN_CONTENT_ELEMENTS_H_
#define KOMMUNE_SERVICES_POLICY_DOMAIN_CONTENT_ELEMENTS_H_

#include <string>
#include <vector>

#include "kommune/policy/v1/policy.pb.h"

namespace kommune::policy {

// One element of a policy's content seen flat: what diff, search and id
// validation work on.
struct ContentElement {
  std::string id;    // Empty for the intro pseudo-element.
  std::string type;  // "vision_statement", "strategy", "success_criterion" ..
  std::string path;  // "focus_areas[0].strategies[1]"
  // Id of the element that contains this one ("" at top level) and the
  // field it sits in; together they name its sibling list.
  std::string parent_id;
  std::string container;
  // The element's own text (not its children's), parts joined by newlines.
  std::string text;
};

// Every element in document order: intro (as one pseudo-element with an
// empty id, only when there are intro paragraphs), vision statements,
// themes and their objectives, focus areas with strategies, action items
// and criteria, budget lines, attachments, meetings and their proposals,
// extra sections.
std::vector<ContentElement> ListElements(const v1::PolicyContent& content);

}  // namespace kommune::policy

#endif  // KOMMUNE_SERVICES_POLICY_DOMAIN_CONTENT_ELEMENTS_H_
