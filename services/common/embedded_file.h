#ifndef KOMMUNE_SERVICES_COMMON_EMBEDDED_FILE_H_
#define KOMMUNE_SERVICES_COMMON_EMBEDDED_FILE_H_

#include "absl/strings/string_view.h"

namespace kommune {

// A file compiled into the binary by cmake/KommuneEmbed.cmake.
struct EmbeddedFile {
  absl::string_view name;
  absl::string_view content;
};

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_EMBEDDED_FILE_H_
