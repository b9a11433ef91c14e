#ifndef KOMMUNE_SERVICES_COMMON_TEXT_ESCAPE_H_
#define KOMMUNE_SERVICES_COMMON_TEXT_ESCAPE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace kommune {

// Text escaped for HTML element content and attribute values: & < > " '.
std::string EscapeHtml(absl::string_view text);

// Text escaped so Markdown shows it literally inside a line: a backslash
// before the characters that make inline markup, HTML, tables or a heading;
// line breaks become spaces. For text mid-line, as documents render
// titles, names and values.
std::string EscapeMarkdown(absl::string_view text);

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_TEXT_ESCAPE_H_
