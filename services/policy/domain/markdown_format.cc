#include "services/policy/domain/markdown_format.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/policy/domain/text_fold.h"

namespace kommune::policy::markdown {
namespace {

std::string KeywordForm(absl::string_view line) {
  absl::string_view s = absl::StripAsciiWhitespace(line);
  while (!s.empty() && (s.front() == '*' || s.front() == '_'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == '*' || s.back() == '_')) s.remove_suffix(1);
  s = absl::StripAsciiWhitespace(s);
  if (absl::ConsumeSuffix(&s, ":")) s = absl::StripAsciiWhitespace(s);
  return FoldCase(s);
}

// A digit run then '.' or ')' at the start: "1." or "12)" (not "1a)").
size_t NumberMarker(absl::string_view s) {
  size_t i = 0;
  while (i < s.size() && absl::ascii_isdigit(s[i])) ++i;
  if (i == 0 || i > 3 || i >= s.size()) return 0;
  return (s[i] == '.' || s[i] == ')') ? i : 0;
}

// Digits and an optional letter then ')': "1a)"; returns the ')' index.
size_t LabelMarker(absl::string_view s) {
  size_t i = 0;
  while (i < s.size() && absl::ascii_isdigit(s[i])) ++i;
  if (i == 0 || i > 3) return 0;
  if (i < s.size() && absl::ascii_islower(s[i])) ++i;
  return (i < s.size() && s[i] == ')') ? i : 0;
}

std::string EscapeValue(absl::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    bool dash_pair = c == '-' && i + 1 < v.size() && v[i + 1] == '-';
    if (c == '%' || c == ';' || c == '<' || c == '>' || c == '\n' ||
        c == '\r' || dash_pair) {
      absl::StrAppendFormat(&out, "%%%02X", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out;
}

std::string UnescapeValue(absl::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    auto hex = [](char c) {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int hi = v[i] == '%' && i + 2 < v.size() ? hex(v[i + 1]) : -1;
    int lo = hi >= 0 ? hex(v[i + 2]) : -1;
    if (lo >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += v[i];
    }
  }
  return out;
}

constexpr absl::string_view kMonths[] = {
    "januar", "februar", "marts",     "april",   "maj",      "juni",
    "juli",   "august",  "september", "oktober", "november", "december"};

}  // namespace

Keyword ClassifyKeyword(absl::string_view line) {
  if (line.size() > 100) return Keyword::kNone;
  std::string k = KeywordForm(line);
  if (k == "vision") return Keyword::kVision;
  if (k == "målsætninger") return Keyword::kObjectives;
  if (k == "indsatsområder") return Keyword::kFocusAreas;
  if (absl::StartsWith(k, "strategi, handleplaner og succeskriterier")) {
    return Keyword::kStrategyPart;
  }
  if (k == "strategi" || k == "strategier") return Keyword::kStrategy;
  if (k == "handleplan og succeskriterier" ||
      k == "handleplaner og succeskriterier") {
    return Keyword::kPlanAndCriteria;
  }
  if (k == "handleplan" || k == "handleplaner") return Keyword::kActionPlan;
  if (k == "succeskriterier" || k == "succeskriterie" ||
      k == "succeskriterium") {
    return Keyword::kCriteria;
  }
  if (k == "borgermøder") return Keyword::kMeetings;
  if (k == "bevillinger og budgetønsker") return Keyword::kBudget;
  if (k == "bilag") return Keyword::kAttachments;
  if (k == "øvrige afsnit") return Keyword::kExtra;
  return Keyword::kNone;
}

bool IsPartKeyword(Keyword keyword) {
  switch (keyword) {
    case Keyword::kVision:
    case Keyword::kObjectives:
    case Keyword::kFocusAreas:
    case Keyword::kStrategyPart:
    case Keyword::kMeetings:
    case Keyword::kBudget:
    case Keyword::kAttachments:
    case Keyword::kExtra:
      return true;
    default:
      return false;
  }
}

std::optional<AdHeading> ParseAdHeading(absl::string_view line) {
  absl::string_view s = absl::StripAsciiWhitespace(line);
  if (s.size() < 3 || absl::ascii_tolower(s[0]) != 'a' ||
      absl::ascii_tolower(s[1]) != 'd') {
    return std::nullopt;
  }
  size_t i = 2;
  AdHeading ad;
  if (s[i] == ':') {
    ad.text = std::string(absl::StripAsciiWhitespace(s.substr(i + 1)));
    return ad;
  }
  if (s[i] == '.') ++i;
  while (i < s.size() && s[i] == ' ') ++i;
  size_t digits = i;
  while (i < s.size() && absl::ascii_isdigit(s[i])) ++i;
  if (i == digits || i - digits > 3) return std::nullopt;
  if (!absl::SimpleAtoi(s.substr(digits, i - digits), &ad.number)) {
    return std::nullopt;
  }
  if (i < s.size() && (s[i] == '.' || s[i] == ')')) {
    ++i;
  } else if (i < s.size() && s[i] != ' ') {
    return std::nullopt;  // "Ad 1a" or "Ad 2007-..." is prose, not a heading.
  }
  ad.text = std::string(absl::StripAsciiWhitespace(s.substr(i)));
  return ad;
}

bool SplitLabel(absl::string_view line, std::string* label, std::string* rest) {
  size_t close = LabelMarker(line);
  if (close == 0) return false;
  if (close + 1 < line.size() && line[close + 1] != ' ') return false;
  *label = std::string(line.substr(0, close));
  *rest = std::string(absl::StripAsciiWhitespace(line.substr(close + 1)));
  return true;
}

std::string FormatAttributes(const Attributes& attrs) {
  std::string body;
  for (const auto& [key, value] : attrs) {
    if (value.empty()) continue;
    absl::StrAppend(&body, body.empty() ? "" : "; ", key, ": ",
                    EscapeValue(value));
  }
  return body.empty() ? "" : absl::StrCat(" <!-- ", body, " -->");
}

bool SplitTrailingAttributes(absl::string_view line, std::string* text,
                             Attributes* attrs) {
  absl::string_view s = absl::StripTrailingAsciiWhitespace(line);
  if (!absl::EndsWith(s, "-->")) return false;
  size_t open = s.rfind("<!--");
  if (open == absl::string_view::npos) return false;
  absl::string_view body = s.substr(open + 4, s.size() - open - 7);
  Attributes parsed;
  for (absl::string_view part :
       absl::StrSplit(body, ';', absl::SkipWhitespace())) {
    size_t colon = part.find(':');
    if (colon == absl::string_view::npos) return false;
    absl::string_view key = absl::StripAsciiWhitespace(part.substr(0, colon));
    if (key.empty()) return false;
    for (char c : key) {
      if (!absl::ascii_islower(c) && c != '-') return false;
    }
    parsed.emplace_back(
        std::string(key),
        UnescapeValue(absl::StripAsciiWhitespace(part.substr(colon + 1))));
  }
  if (parsed.empty()) return false;
  *text = std::string(absl::StripTrailingAsciiWhitespace(s.substr(0, open)));
  *attrs = std::move(parsed);
  return true;
}

std::string Attribute(const Attributes& attrs, absl::string_view key) {
  for (const auto& [k, v] : attrs) {
    if (k == key) return v;
  }
  return "";
}

std::string EscapeLeading(absl::string_view text) {
  if (text.empty()) return "";
  {
    // Text that already reads as an escaped "1\." gets a leading backslash.
    std::string probe(text);
    if (UnescapeLeading(&probe)) return absl::StrCat("\\", text);
  }
  if (size_t i = LabelMarker(text); i > 0) {
    return absl::StrCat(text.substr(0, i), "\\", text.substr(i));
  }
  if (size_t i = NumberMarker(text); i > 0) {
    return absl::StrCat(text.substr(0, i), "\\", text.substr(i));
  }
  static constexpr absl::string_view kStarts[] = {"#", "-",  "*",    "+", "•",
                                                  ">", "\\", "<!--", "|"};
  bool escape = false;
  for (absl::string_view s : kStarts)
    escape = escape || absl::StartsWith(text, s);
  std::string folded = FoldCase(text.substr(0, 20));
  escape = escape || ClassifyKeyword(text) != Keyword::kNone ||
           ParseAdHeading(text).has_value() ||
           absl::StartsWith(folded, FoldCase(kResponsiblePrefix)) ||
           absl::StartsWith(folded, FoldCase(kLandingPrefix)) ||
           absl::ascii_isspace(text.front());
  return escape ? absl::StrCat("\\", text) : std::string(text);
}

bool UnescapeLeading(std::string* text) {
  if (absl::StartsWith(*text, "\\")) {
    text->erase(0, 1);
    return true;
  }
  size_t i = 0;
  while (i < text->size() && absl::ascii_isdigit((*text)[i])) ++i;
  if (i == 0 || i > 3) return false;
  if (i < text->size() && absl::ascii_islower((*text)[i])) ++i;
  if (i + 1 < text->size() && (*text)[i] == '\\' &&
      ((*text)[i + 1] == '.' || (*text)[i + 1] == ')')) {
    text->erase(i, 1);
    return true;
  }
  return false;
}

namespace {

// The backslashes between a final "--" and '>': npos when the text does not
// end that way.
size_t TrailingEscapes(absl::string_view text) {
  if (!absl::EndsWith(text, ">")) return absl::string_view::npos;
  size_t end = text.size() - 1;
  size_t slashes = 0;
  while (slashes < end && text[end - 1 - slashes] == '\\') ++slashes;
  absl::string_view before = text.substr(0, end - slashes);
  return absl::EndsWith(before, "--") ? slashes : absl::string_view::npos;
}

}  // namespace

std::string EscapeTrailing(absl::string_view text) {
  if (TrailingEscapes(text) == absl::string_view::npos) {
    return std::string(text);
  }
  return absl::StrCat(text.substr(0, text.size() - 1), "\\>");
}

void UnescapeTrailing(std::string* text) {
  size_t slashes = TrailingEscapes(*text);
  if (slashes != absl::string_view::npos && slashes > 0) {
    text->erase(text->size() - 2, 1);
  }
}

std::string FormatIsoDate(const common::v1::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

bool ParseIsoDate(absl::string_view text, common::v1::Date* date) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  int y, m, d;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &y) ||
      !absl::SimpleAtoi(parts[1], &m) || !absl::SimpleAtoi(parts[2], &d)) {
    return false;
  }
  date->set_year(y);
  date->set_month(m);
  date->set_day(d);
  return true;
}

std::string FormatDanishDate(const common::v1::Date& date) {
  if (date.month() < 1 || date.month() > 12) return FormatIsoDate(date);
  return absl::StrCat(date.day(), ". ", kMonths[date.month() - 1], " ",
                      date.year());
}

std::string FormatMoney(int64_t amount_ore) {
  bool negative = amount_ore < 0;
  uint64_t abs = negative ? 0 - static_cast<uint64_t>(amount_ore)
                          : static_cast<uint64_t>(amount_ore);
  std::string kroner = absl::StrCat(abs / 100);
  std::string grouped;
  for (size_t i = 0; i < kroner.size(); ++i) {
    if (i > 0 && (kroner.size() - i) % 3 == 0) grouped += '.';
    grouped += kroner[i];
  }
  return absl::StrFormat("%s%s,%02d kr.", negative ? "-" : "", grouped,
                         static_cast<int>(abs % 100));
}

bool ParseMoney(absl::string_view text, int64_t* amount_ore) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  if (!absl::ConsumeSuffix(&s, "kr.")) absl::ConsumeSuffix(&s, "kr");
  s = absl::StripAsciiWhitespace(s);
  bool negative = absl::ConsumePrefix(&s, "-");
  std::string digits;
  int decimals = -1;
  for (char c : s) {
    if (c == '.') continue;  // Thousands separator.
    if (c == ',') {
      if (decimals >= 0) return false;
      decimals = 0;
      continue;
    }
    if (!absl::ascii_isdigit(c)) return false;
    if (decimals >= 0 && ++decimals > 2) return false;
    digits += c;
  }
  if (digits.empty() || digits.size() > 17) return false;
  int64_t value;
  if (!absl::SimpleAtoi(digits, &value)) return false;
  for (int d = decimals < 0 ? 0 : decimals; d < 2; ++d) value *= 10;
  *amount_ore = negative ? -value : value;
  return true;
}

absl::string_view FundingWord(v1::BudgetLine::Funding funding) {
  switch (funding) {
    case v1::BudgetLine::FUNDING_STATE_FUNDED:
      return "statsfinansieret";
    case v1::BudgetLine::FUNDING_UNFUNDED:
      return "ufinansieret";
    case v1::BudgetLine::FUNDING_REQUESTED:
      return "budgetønske";
    case v1::BudgetLine::FUNDING_FUNDED:
      return "finansieret";
    default:
      return "";
  }
}

bool ParseFundingWord(absl::string_view word,
                      v1::BudgetLine::Funding* funding) {
  std::string w = FoldCase(absl::StripAsciiWhitespace(word));
  for (auto f :
       {v1::BudgetLine::FUNDING_STATE_FUNDED, v1::BudgetLine::FUNDING_UNFUNDED,
        v1::BudgetLine::FUNDING_REQUESTED, v1::BudgetLine::FUNDING_FUNDED}) {
    if (w == FundingWord(f)) {
      *funding = f;
      return true;
    }
  }
  return false;
}

absl::string_view BodyKindWord(common::v1::BodyKind kind) {
  switch (kind) {
    case common::v1::BODY_KIND_COMMITTEE:
      return "udvalg";
    case common::v1::BODY_KIND_FINANCE_COMMITTEE:
      return "økonomiudvalg";
    case common::v1::BODY_KIND_CITY_COUNCIL:
      return "byråd";
    case common::v1::BODY_KIND_COUNCIL:
      return "råd";
    default:
      return "";
  }
}

common::v1::BodyKind ParseBodyKindWord(absl::string_view word) {
  std::string w = FoldCase(absl::StripAsciiWhitespace(word));
  for (auto k :
       {common::v1::BODY_KIND_COMMITTEE,
        common::v1::BODY_KIND_FINANCE_COMMITTEE,
        common::v1::BODY_KIND_CITY_COUNCIL, common::v1::BODY_KIND_COUNCIL}) {
    if (w == BodyKindWord(k)) return k;
  }
  return common::v1::BODY_KIND_UNSPECIFIED;
}

absl::string_view StateWord(v1::PolicyState state) {
  switch (state) {
    case v1::POLICY_STATE_DRAFT:
      return "kladde";
    case v1::POLICY_STATE_IN_HEARING:
      return "i høring";
    case v1::POLICY_STATE_ADOPTED:
      return "vedtaget";
    case v1::POLICY_STATE_SUPERSEDED:
      return "afløst";
    case v1::POLICY_STATE_WITHDRAWN:
      return "trukket tilbage";
    default:
      return "";
  }
}

bool ParseStateWord(absl::string_view word, v1::PolicyState* state) {
  std::string w = FoldCase(absl::StripAsciiWhitespace(word));
  for (auto s : {v1::POLICY_STATE_DRAFT, v1::POLICY_STATE_IN_HEARING,
                 v1::POLICY_STATE_ADOPTED, v1::POLICY_STATE_SUPERSEDED,
                 v1::POLICY_STATE_WITHDRAWN}) {
    if (w == StateWord(s)) {
      *state = s;
      return true;
    }
  }
  return false;
}

std::string EsdhLabel(const common::v1::EsdhReference& ref) {
  std::string out;
  if (!ref.case_number().empty()) out = absl::StrCat("sag ", ref.case_number());
  if (!ref.document_number().empty()) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", "dok.nr. ",
                    ref.document_number());
  }
  return out;
}

void AddEsdhAttributes(const common::v1::EsdhReference& ref,
                       Attributes* attrs) {
  attrs->emplace_back("case", ref.case_number());
  attrs->emplace_back("document", ref.document_number());
  attrs->emplace_back("kle", ref.kle_class().subject());
  attrs->emplace_back("facet", ref.kle_class().action_facet());
  attrs->emplace_back("doc-title", ref.title());
}

bool ReadEsdhAttributes(const Attributes& attrs,
                        common::v1::EsdhReference* ref) {
  std::string case_number = Attribute(attrs, "case");
  std::string document = Attribute(attrs, "document");
  std::string kle = Attribute(attrs, "kle");
  std::string facet = Attribute(attrs, "facet");
  std::string title = Attribute(attrs, "doc-title");
  if (case_number.empty() && document.empty() && kle.empty() && facet.empty() &&
      title.empty()) {
    return false;
  }
  ref->set_case_number(case_number);
  ref->set_document_number(document);
  if (!kle.empty() || !facet.empty()) {
    ref->mutable_kle_class()->set_subject(kle);
    ref->mutable_kle_class()->set_action_facet(facet);
  }
  ref->set_title(title);
  return true;
}

}  // namespace kommune::policy::markdown
