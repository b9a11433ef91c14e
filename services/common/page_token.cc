#include "services/common/page_token.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace kommune {

std::string MakePageToken(absl::string_view scope, absl::string_view position) {
  return absl::WebSafeBase64Escape(absl::StrCat(scope, "\n", position));
}

absl::StatusOr<std::string> ReadPageToken(absl::string_view token,
                                          absl::string_view scope) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) ||
      raw.find('\n') == std::string::npos) {
    return absl::InvalidArgumentError("page_token: not a token this API made");
  }
  std::pair<std::string, std::string> parts =
      absl::StrSplit(raw, absl::MaxSplits('\n', 1));
  if (parts.first != scope) {
    return absl::InvalidArgumentError(
        "page_token: was made for another request");
  }
  return parts.second;
}

absl::StatusOr<int> PageSize(int requested, int default_size, int max_size) {
  if (requested < 0) {
    return absl::InvalidArgumentError("page_size: must not be negative");
  }
  if (requested == 0) return default_size;
  return std::min(requested, max_size);
}

}  // namespace kommune
