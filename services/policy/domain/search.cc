#include "services/policy/domain/search.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/policy/domain/content_elements.h"
#include "services/policy/domain/text_checks.h"
#include "services/policy/domain/text_fold.h"

namespace kommune::policy {
namespace {

constexpr size_t kMaxQueryBytes = 1024;

bool IsContinuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Moves back (or forward) from pos by up to n characters, never into the
// middle of a UTF-8 sequence.
size_t BackChars(absl::string_view s, size_t pos, size_t n) {
  while (pos > 0 && n > 0) {
    --pos;
    while (pos > 0 && IsContinuation(s[pos])) --pos;
    --n;
  }
  return pos;
}

size_t ForwardChars(absl::string_view s, size_t pos, size_t n) {
  while (pos < s.size() && n > 0) {
    ++pos;
    while (pos < s.size() && IsContinuation(s[pos])) ++pos;
    --n;
  }
  return pos;
}

size_t CountChars(absl::string_view s) {
  size_t n = 0;
  for (char c : s) n += IsContinuation(c) ? 0 : 1;
  return n;
}

// Byte ranges [begin, end) of the source that matched.
using Ranges = std::vector<std::pair<size_t, size_t>>;

std::string Snippet(absl::string_view text, const Ranges& matches,
                    size_t chars) {
  size_t first_begin = matches.front().first;
  size_t first_end = matches.front().second;
  size_t match_chars =
      CountChars(text.substr(first_begin, first_end - first_begin));
  size_t room = chars > match_chars ? chars - match_chars : 0;
  size_t begin = BackChars(text, first_begin, room / 2);
  size_t end = ForwardChars(text, first_end, room - room / 2);
  // Give unused room on one side to the other.
  size_t used = CountChars(text.substr(begin, end - begin));
  if (used < chars) {
    begin = BackChars(text, begin, chars - used);
    used = CountChars(text.substr(begin, end - begin));
    end = ForwardChars(text, end, chars > used ? chars - used : 0);
  }
  // Start and end on word boundaries when one is near.
  if (begin > 0) {
    size_t space = text.find(' ', begin);
    if (space != absl::string_view::npos && space < first_begin &&
        space - begin < 20) {
      begin = space + 1;
    }
  }
  if (end < text.size()) {
    size_t space = text.rfind(' ', end);
    if (space != absl::string_view::npos && space >= first_end &&
        end - space < 20) {
      end = space;
    }
  }
  std::string out = begin > 0 ? "…" : "";
  size_t at = begin;
  for (const auto& [b, e] : matches) {
    if (b < at || e > end) continue;
    absl::StrAppend(&out, text.substr(at, b - at), "«", text.substr(b, e - b),
                    "»");
    at = e;
  }
  absl::StrAppend(&out, text.substr(at, end - at),
                  end < text.size() ? "…" : "");
  for (char& c : out) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<SearchHit>> SearchContent(
    const v1::PolicyContent& content, absl::string_view query,
    const SearchOptions& options) {
  absl::Status ok = CheckText(query, "query", kMaxQueryBytes);
  if (!ok.ok()) return ok;
  FoldedText folded_query = FoldForSearch(query, options.fold_aa);
  std::vector<std::string> terms = absl::StrSplit(
      folded_query.text, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  if (terms.empty()) {
    return absl::InvalidArgumentError("query: must contain a word");
  }
  std::vector<SearchHit> hits;
  for (const ContentElement& e : ListElements(content)) {
    FoldedText folded = FoldForSearch(e.text, options.fold_aa);
    Ranges matches;
    bool all = true;
    for (const std::string& term : terms) {
      size_t from = 0;
      bool found = false;
      for (size_t at; (at = folded.text.find(term, from)) != std::string::npos;
           from = at + term.size()) {
        matches.emplace_back(folded.source_offset[at],
                             folded.source_offset[at + term.size()]);
        found = true;
      }
      all = all && found;
    }
    if (!all) continue;
    std::sort(matches.begin(), matches.end());
    // Overlapping matches of different words would nest the marks.
    Ranges merged;
    for (const auto& m : matches) {
      if (!merged.empty() && m.first < merged.back().second) {
        merged.back().second = std::max(merged.back().second, m.second);
      } else {
        merged.push_back(m);
      }
    }
    hits.push_back(SearchHit{e.id, e.type, e.path,
                             Snippet(e.text, merged, options.snippet_chars)});
    if (options.max_hits > 0 && hits.size() >= options.max_hits) break;
  }
  return hits;
}

}  // namespace kommune::policy
