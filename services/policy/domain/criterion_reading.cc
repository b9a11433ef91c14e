#include "services/policy/domain/criterion_reading.h"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "services/policy/domain/text_fold.h"

namespace kommune::policy {
namespace {

using Kind = v1::MeasurableReading::Kind;

// Lower-cased words with punctuation stripped from their ends; "50%" is
// split into "50" and "%".
std::vector<std::string> Tokenize(absl::string_view text) {
  static constexpr absl::string_view kPunct = ",.;:!?()[]\"'";
  std::string lower = FoldCase(text);
  std::vector<std::string> out;
  for (absl::string_view w :
       absl::StrSplit(lower, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty())) {
    while (!w.empty() && kPunct.find(w.front()) != absl::string_view::npos) {
      w.remove_prefix(1);
    }
    while (!w.empty() && kPunct.find(w.back()) != absl::string_view::npos) {
      w.remove_suffix(1);
    }
    if (w.empty()) continue;
    if (w.size() > 1 && w.back() == '%') {
      out.emplace_back(w.substr(0, w.size() - 1));
      out.emplace_back("%");
    } else {
      out.emplace_back(w);
    }
  }
  return out;
}

// "2010" -> 2010; "2007/2008" -> 2008 (the later year of a span).
std::optional<int> ParseYear(absl::string_view word) {
  size_t slash = word.rfind('/');
  if (slash != absl::string_view::npos) word = word.substr(slash + 1);
  int year;
  if (word.size() != 4 || !absl::SimpleAtoi(word, &year) || year < 1900 ||
      year > 2100) {
    return std::nullopt;
  }
  return year;
}

std::optional<double> ParseNumber(absl::string_view word) {
  if (word.empty() || !absl::ascii_isdigit(word.front())) return std::nullopt;
  std::string s = absl::StrReplaceAll(word, {{",", "."}});
  double value;
  if (!absl::SimpleAtod(s, &value)) return std::nullopt;
  return value;
}

// Danish number words, counted only after "mindst" and the like: "en
// arbejdsgruppe" is not a count of one.
std::optional<double> ParseNumberWord(absl::string_view word) {
  static constexpr std::pair<absl::string_view, int> kWords[] = {
      {"en", 1},   {"et", 1},      {"én", 1},    {"ét", 1},
      {"to", 2},   {"tre", 3},     {"fire", 4},  {"fem", 5},
      {"seks", 6}, {"syv", 7},     {"otte", 8},  {"ni", 9},
      {"ti", 10},  {"elleve", 11}, {"tolv", 12}, {"tyve", 20}};
  for (const auto& [w, n] : kWords) {
    if (word == w) return n;
  }
  return std::nullopt;
}

enum class End { kYear, kBeforeYear, kMidYear, kQuarter, kJanuary };

struct DeadlinePattern {
  absl::string_view words;  // "Y" is a year, "Q" a quarter 1-4.
  End end;
};

// Longer phrases first, so "inden udgangen af 2009" wins over "inden".
constexpr DeadlinePattern kDeadlines[] = {
    {"inden udgangen af Q kvartal Y", End::kQuarter},
    {"udgangen af Q kvartal Y", End::kQuarter},
    {"inden udgangen af Y", End::kYear},
    {"udgangen af Y", End::kYear},
    {"i løbet af Y", End::kYear},
    {"i første halvdel af Y", End::kMidYear},
    {"første halvdel af Y", End::kMidYear},
    {"i anden halvdel af Y", End::kYear},
    {"senest medio Y", End::kMidYear},
    {"medio Y", End::kMidYear},
    {"senest ultimo Y", End::kYear},
    {"ultimo Y", End::kYear},
    {"primo Y", End::kJanuary},
    {"inden Y", End::kBeforeYear},
    {"senest i Y", End::kYear},
    {"senest Y", End::kYear},
    {"i Y", End::kYear},
};

constexpr absl::string_view kStarts[] = {"fra og med Y", "fra Y"};

class Reader {
 public:
  explicit Reader(absl::string_view text)
      : tokens_(Tokenize(text)),
        used_(tokens_.size(), false),
        deadline_token_(tokens_.size(), false) {}

  v1::MeasurableReading Read() {
    ReadDates();
    if (ReadQualitativeFollowUp() || ReadRelativeChange() || ReadParity() ||
        ReadShare() || ReadCount()) {
      return Finish();
    }
    reading_.set_kind(reading_.has_deadline()
                          ? v1::MeasurableReading::KIND_MILESTONE
                          : v1::MeasurableReading::KIND_QUALITATIVE);
    return Finish();
  }

 private:
  absl::string_view At(size_t i) const {
    return i < tokens_.size() ? absl::string_view(tokens_[i])
                              : absl::string_view();
  }

  // Matches the space-separated pattern at i; on success returns its length
  // and the year and quarter it named.
  size_t Match(absl::string_view pattern, size_t i, int* year,
               int* quarter) const {
    size_t k = i;
    for (absl::string_view want : absl::StrSplit(pattern, ' ')) {
      absl::string_view got = At(k);
      if (want == "Y") {
        std::optional<int> y = ParseYear(got);
        if (!y) return 0;
        *year = *y;
      } else if (want == "Q") {
        if (got.size() != 1 || got[0] < '1' || got[0] > '4') return 0;
        *quarter = got[0] - '0';
      } else if (got != want) {
        return 0;
      }
      ++k;
    }
    return k - i;
  }

  void Note(size_t from, size_t length) {
    for (size_t k = from; k < from + length && k < tokens_.size(); ++k) {
      used_[k] = true;
    }
    std::vector<absl::string_view> words(tokens_.begin() + from,
                                         tokens_.begin() + from + length);
    phrases_.emplace_back(from, absl::StrJoin(words, " "));
  }

  void ReadDates() {
    for (size_t i = 0; i < tokens_.size(); ++i) {
      int year = 0, quarter = 0;
      bool matched = false;
      for (const DeadlinePattern& p : kDeadlines) {
        size_t n = Match(p.words, i, &year, &quarter);
        if (n == 0) continue;
        if (!reading_.has_deadline()) SetDeadline(p.end, year, quarter);
        Note(i, n);
        for (size_t k = i; k < i + n; ++k) deadline_token_[k] = true;
        i += n - 1;
        matched = true;
        break;
      }
      if (matched) continue;
      for (absl::string_view p : kStarts) {
        size_t n = Match(p, i, &year, &quarter);
        if (n == 0) continue;
        if (reading_.start_year() == 0) reading_.set_start_year(year);
        Note(i, n);
        i += n - 1;
        break;
      }
    }
    // A year is never a count, wherever it stands.
    for (size_t i = 0; i < tokens_.size(); ++i) {
      if (ParseYear(tokens_[i])) used_[i] = true;
    }
  }

  void SetDeadline(End end, int year, int quarter) {
    common::v1::Date* d = reading_.mutable_deadline();
    d->set_year(year);
    d->set_month(12);
    d->set_day(31);
    switch (end) {
      case End::kYear:
        break;
      case End::kBeforeYear:
        d->set_year(year - 1);
        break;
      case End::kMidYear:
        d->set_month(6);
        d->set_day(30);
        break;
      case End::kQuarter:
        d->set_month(quarter * 3);
        d->set_day(quarter == 1 || quarter == 4 ? 31 : 30);
        break;
      case End::kJanuary:
        d->set_month(1);
        break;
    }
  }

  bool Has(absl::string_view word) const {
    return std::find(tokens_.begin(), tokens_.end(), word) != tokens_.end();
  }

  // The first position where any of the phrases matches; 0 length if none.
  std::pair<size_t, size_t> FindPhrase(
      std::initializer_list<absl::string_view> phrases) const {
    int year, quarter;
    for (size_t i = 0; i < tokens_.size(); ++i) {
      for (absl::string_view p : phrases) {
        if (size_t n = Match(p, i, &year, &quarter); n > 0) return {i, n};
      }
    }
    return {0, 0};
  }

  bool ReadQualitativeFollowUp() {
    auto [at, n] =
        FindPhrase({"årlig opfølgning", "årlige opfølgning", "opfølgning"});
    if (n == 0 || !Has("viser")) return false;
    reading_.set_kind(v1::MeasurableReading::KIND_QUALITATIVE);
    if (Has("årlig") || Has("årlige")) reading_.set_per_period("year");
    Note(at, n);
    return true;
  }

  bool ReadRelativeChange() {
    for (size_t i = 0; i < tokens_.size(); ++i) {
      absl::string_view w = tokens_[i];
      double change = 0;
      if (absl::StartsWith(w, "halver")) {
        change = -0.5;
      } else if (absl::StartsWith(w, "fordobl")) {
        change = 1.0;
      } else if (At(i + 1) == "med" && ParseNumber(At(i + 2)) &&
                 (At(i + 3) == "%" || At(i + 3) == "procent")) {
        static constexpr absl::string_view kDown[] = {
            "reduceret", "reduceres", "nedbragt", "nedbringes", "faldet"};
        static constexpr absl::string_view kUp[] = {"øget", "øges", "forøget",
                                                    "steget", "hævet"};
        double pct = *ParseNumber(At(i + 2)) / 100.0;
        if (std::find(std::begin(kDown), std::end(kDown), w) !=
            std::end(kDown)) {
          change = -pct;
        } else if (std::find(std::begin(kUp), std::end(kUp), w) !=
                   std::end(kUp)) {
          change = pct;
        }
        if (change != 0) Note(i, 4);
      }
      if (change == 0) continue;
      if (used_[i] == false) Note(i, 1);
      reading_.set_kind(v1::MeasurableReading::KIND_RELATIVE_CHANGE);
      reading_.set_relative_change(change);
      return true;
    }
    return false;
  }

  // The reference group after a parity phrase that ends before `from`:
  // "resten af kommunen" in "svarer til andelen i resten af kommunen i
  // 2011". Sets *end past its last word.
  std::string Baseline(size_t from, size_t* end) const {
    size_t start = from;
    for (size_t k = from; k < from + 4 && k < tokens_.size(); ++k) {
      if (tokens_[k] == "resten") {
        start = k;
        break;
      }
    }
    std::vector<absl::string_view> words;
    size_t k = start;
    for (; k < tokens_.size() && k < start + 8 && !deadline_token_[k]; ++k) {
      words.push_back(tokens_[k]);
    }
    *end = words.empty() ? from : k;
    return absl::StrJoin(words, " ");
  }

  bool ReadParity() {
    Kind kind = v1::MeasurableReading::KIND_PARITY_UPPER_BOUND;
    auto [at, n] =
        FindPhrase({"ikke være højere end", "ikke højere end",
                    "ikke være større end", "ikke større end", "ikke overstige",
                    "ned på niveau med", "højst på niveau med"});
    if (n == 0) {
      kind = v1::MeasurableReading::KIND_PARITY;
      std::tie(at, n) = FindPhrase({"svarer til", "på niveau med",
                                    "samme niveau som", "samme omfang som",
                                    "på lige fod med", "samme andel som"});
    }
    if (n == 0) return false;
    reading_.set_kind(kind);
    size_t end;
    reading_.set_baseline(Baseline(at + n, &end));
    Note(at, end - at);
    return true;
  }

  bool ReadShare() {
    for (size_t i = 0; i + 1 < tokens_.size(); ++i) {
      std::optional<double> value = ParseNumber(tokens_[i]);
      if (!value || used_[i] ||
          (tokens_[i + 1] != "%" && tokens_[i + 1] != "procent")) {
        continue;
      }
      reading_.set_kind(v1::MeasurableReading::KIND_SHARE_AT_LEAST);
      reading_.set_target_value(*value);
      reading_.set_unit("%");
      bool least =
          i > 0 && (tokens_[i - 1] == "mindst" || tokens_[i - 1] == "minimum" ||
                    tokens_[i - 1] == "over");
      Note(least ? i - 1 : i, least ? 3 : 2);
      return true;
    }
    return false;
  }

  bool ReadCount() {
    static constexpr absl::string_view kStop[] = {
        "er",        "til",       "i",      "om",     "for",      "inden",
        "med",       "af",        "på",     "som",    "der",      "pr",
        "hvert",     "ved",       "fra",    "at",     "og",       "eller",
        "skal",      "bliver",    "blevet", "årligt", "indenfor", "senest",
        "etableres", "etableret", "%"};
    for (size_t i = 0; i < tokens_.size(); ++i) {
      if (used_[i]) continue;
      std::optional<double> value = ParseNumber(tokens_[i]);
      bool after_least =
          i > 0 && (tokens_[i - 1] == "mindst" || tokens_[i - 1] == "minimum" ||
                    tokens_[i - 1] == "yderligere");
      if (!value && after_least) value = ParseNumberWord(tokens_[i]);
      if (!value) continue;
      // The counted thing is the last word of the noun phrase that follows.
      size_t end = i + 1;
      while (end < tokens_.size() && end < i + 5 && !used_[end] &&
             std::find(std::begin(kStop), std::end(kStop), tokens_[end]) ==
                 std::end(kStop)) {
        ++end;
      }
      reading_.set_target_value(*value);
      if (end > i + 1) reading_.set_unit(tokens_[end - 1]);
      Note(after_least ? i - 1 : i, end - i + (after_least ? 1 : 0));
      auto [at, n] =
          FindPhrase({"om året", "pr år", "hvert år", "årligt", "om måneden",
                      "pr måned", "hver måned", "månedligt"});
      if (n > 0) {
        reading_.set_kind(v1::MeasurableReading::KIND_RATE_PER_PERIOD);
        reading_.set_per_period(
            absl::StrContains(tokens_[at + n - 1], "måned") ? "month" : "year");
        Note(at, n);
      } else {
        reading_.set_kind(v1::MeasurableReading::KIND_COUNT_BY_DEADLINE);
      }
      return true;
    }
    return false;
  }

  v1::MeasurableReading Finish() {
    std::sort(phrases_.begin(), phrases_.end());
    std::vector<absl::string_view> parts;
    for (const auto& p : phrases_) parts.push_back(p.second);
    reading_.set_source_phrase(absl::StrJoin(parts, " … "));
    return std::move(reading_);
  }

  std::vector<std::string> tokens_;
  std::vector<bool> used_;
  std::vector<bool> deadline_token_;
  std::vector<std::pair<size_t, std::string>> phrases_;
  v1::MeasurableReading reading_;
};

void ProposeAll(
    google::protobuf::RepeatedPtrField<v1::SuccessCriterion>* criteria) {
  for (v1::SuccessCriterion& c : *criteria) {
    *c.mutable_proposed_reading() = ProposeReading(c.text());
  }
}

void ProposeInItems(google::protobuf::RepeatedPtrField<v1::ActionItem>* items) {
  for (v1::ActionItem& item : *items) {
    ProposeAll(item.mutable_success_criteria());
  }
}

}  // namespace

v1::MeasurableReading ProposeReading(absl::string_view criterion_text) {
  return Reader(criterion_text).Read();
}

void ProposeReadings(v1::PolicyContent* content) {
  for (v1::FocusArea& fa : *content->mutable_focus_areas()) {
    for (v1::Strategy& s : *fa.mutable_strategies()) {
      ProposeInItems(s.mutable_action_items());
      ProposeAll(s.mutable_success_criteria());
    }
    ProposeInItems(fa.mutable_action_items());
    ProposeAll(fa.mutable_success_criteria());
  }
}

}  // namespace kommune::policy
