#ifndef KOMMUNE_SERVICES_HEARING_HEARING_MEMO_H_
#define KOMMUNE_SERVICES_HEARING_HEARING_MEMO_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "kommune/hearing/v1/hearing.pb.h"
#include "services/common/text_escape.h"

namespace kommune::hearing {

// Danish alphabetical order: letters compare case-insensitively, and æ, ø,
// å come after z in that order (ä and ö sort as æ and ø, é as e, ü as y).
// Other characters compare by code point. Ties break on the bytes.
bool DanishLess(absl::string_view a, absl::string_view b);

// The responder as published: never e-mail or address; no name when the
// responder asked to be anonymous or the personal data was purged. A
// party's response is published under the party's name (a party cannot
// answer anonymously; one stored as anonymous is published as such).
std::string PublishedFrom(const v1::Response& response,
                          const v1::Hearing& hearing);

// The hearing memo (høringsnotat) from the hearing and its responses (in
// the order received; withdrawn ones are left out).
v1::HearingMemo BuildMemo(const v1::Hearing& hearing,
                          const std::vector<v1::Response>& responses);

// Danish names of dispositions, for the rendered memo.
absl::string_view DispositionName(v1::Disposition disposition);

// The memo as a Markdown or a complete HTML document (UTF-8).
std::string RenderMemoMarkdown(const v1::HearingMemo& memo);
std::string RenderMemoHtml(const v1::HearingMemo& memo);

}  // namespace kommune::hearing

#endif  // KOMMUNE_SERVICES_HEARING_HEARING_MEMO_H_
