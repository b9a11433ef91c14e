#include "services/common/municipalities.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/embedded_file.h"

namespace kommune {

std::vector<EmbeddedFile> MunicipalityTable();  // Generated at build time.

const std::vector<Municipality>& AllMunicipalities() {
  static const std::vector<Municipality>* const kAll = [] {
    auto* all = new std::vector<Municipality>();
    absl::string_view tsv = MunicipalityTable().at(0).content;
    bool header = true;
    for (absl::string_view line :
         absl::StrSplit(tsv, '\n', absl::SkipEmpty())) {
      if (header) {
        header = false;
        continue;
      }
      std::vector<std::string> cols = absl::StrSplit(line, '\t');
      if (cols.size() < 3) continue;
      all->push_back({cols[0], cols[1], cols[2]});
    }
    std::sort(all->begin(), all->end(),
              [](const auto& a, const auto& b) { return a.code < b.code; });
    return all;
  }();
  return *kAll;
}

const Municipality* FindMunicipality(absl::string_view code) {
  const auto& all = AllMunicipalities();
  auto it = std::lower_bound(
      all.begin(), all.end(), code,
      [](const Municipality& m, absl::string_view c) { return m.code < c; });
  if (it == all.end() || it->code != code) return nullptr;
  return &*it;
}

absl::Status ValidateMunicipalityCode(absl::string_view code,
                                      absl::string_view field) {
  if (FindMunicipality(code) != nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": '", code, "' is not a Danish municipality code"));
}

}  // namespace kommune
