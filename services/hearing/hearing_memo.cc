#include "services/hearing/hearing_memo.h"

#include <algorithm>
#include <cstdint>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "services/hearing/hearing_calendar.h"

namespace kommune::hearing {
namespace {

using google::protobuf::util::TimeUtil;

// Decodes one UTF-8 code point at s[*i] and advances *i. Invalid bytes come
// back as themselves (input is validated UTF-8, so this is only a guard).
uint32_t NextCodePoint(absl::string_view s, size_t* i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t b0 = byte(*i);
  int len = b0 < 0x80           ? 1
            : (b0 >> 5) == 0x6  ? 2
            : (b0 >> 4) == 0xE  ? 3
            : (b0 >> 3) == 0x1E ? 4
                                : 1;
  if (*i + len > s.size()) len = 1;
  uint32_t cp = len == 1   ? b0
                : len == 2 ? (b0 & 0x1F)
                : len == 3 ? (b0 & 0x0F)
                           : (b0 & 0x07);
  if (len == 1 && b0 >= 0x80) {
    ++*i;
    return b0;
  }
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (byte(*i + k) & 0x3F);
  *i += len;
  return cp;
}

// Sort weight of one code point in Danish order.
uint32_t DanishWeight(uint32_t cp) {
  if (cp >= 'A' && cp <= 'Z') cp = cp - 'A' + 'a';
  switch (cp) {
    case 0xC6:
    case 0xE6:
    case 0xC4:
    case 0xE4:  // Æ æ Ä ä
      return 'z' + 1;
    case 0xD8:
    case 0xF8:
    case 0xD6:
    case 0xF6:  // Ø ø Ö ö
      return 'z' + 2;
    case 0xC5:
    case 0xE5:  // Å å
      return 'z' + 3;
    case 0xC9:
    case 0xE9:
    case 0xC8:
    case 0xE8:  // É é È è
      return 'e';
    case 0xDC:
    case 0xFC:  // Ü ü
      return 'y';
    default:
      break;
  }
  if (cp >= 'a' && cp <= 'z') return cp;
  // Digits, punctuation and space before letters; other scripts after.
  return cp < 'a' ? cp : cp + 0x100;
}

std::string FormatDate(const common::v1::Date& d) {
  return absl::StrFormat("%d.%d.%d", d.day(), d.month(), d.year());
}

std::string FormatTime(const google::protobuf::Timestamp& t) {
  auto tz = CopenhagenZone();
  absl::Time time = absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t));
  return absl::FormatTime("%d.%m.%Y %H:%M", time,
                          tz.ok() ? *tz : absl::UTCTimeZone());
}

std::string PartyStatus(const v1::MemoParty& p) {
  if (p.answered()) {
    return absl::StrCat("svaret ", FormatTime(p.receive_time()),
                        p.late() ? " (for sent)" : "");
  }
  if (!p.waiver_reason().empty()) {
    return absl::StrCat("fritaget: ", p.waiver_reason());
  }
  return "ikke svaret";
}

}  // namespace

bool DanishLess(absl::string_view a, absl::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    uint32_t wa = DanishWeight(NextCodePoint(a, &i));
    uint32_t wb = DanishWeight(NextCodePoint(b, &j));
    if (wa != wb) return wa < wb;
  }
  if ((i < a.size()) != (j < b.size())) return j < b.size();
  return a < b;
}

std::string PublishedFrom(const v1::Response& response,
                          const v1::Hearing& hearing) {
  const v1::Responder& r = response.responder();
  // Submit refuses `anonymous` on a party's response; one stored before
  // that is published without the party's name too.
  if (!response.party_id().empty() && !r.anonymous()) {
    for (const v1::Party& p : hearing.parties()) {
      if (p.party_id() == response.party_id()) return p.display_name();
    }
  }
  if (response.purged()) return "(personoplysninger slettet)";
  if (r.anonymous()) return "Anonym";
  std::string from = r.display_name();
  if (!r.organisation().empty()) absl::StrAppend(&from, ", ", r.organisation());
  if (!r.represents().empty()) {
    absl::StrAppend(&from, " (for ", r.represents(), ")");
  }
  return from;
}

v1::HearingMemo BuildMemo(const v1::Hearing& hearing,
                          const std::vector<v1::Response>& responses) {
  v1::HearingMemo memo;
  memo.set_hearing(hearing.name());
  memo.set_display_name(hearing.display_name());
  memo.set_policy_revision(hearing.policy_revision());
  *memo.mutable_open_date() = hearing.open_date();
  *memo.mutable_deadline() = hearing.deadline();
  memo.set_period_days(static_cast<int32_t>(
      PeriodDays(hearing.open_date(), hearing.deadline())));
  // A party's first response that was not withdrawn is its answer.
  std::map<std::string, const v1::Response*> answer;
  for (const v1::Response& r : responses) {
    if (r.state() == v1::RESPONSE_STATE_WITHDRAWN || r.party_id().empty()) {
      continue;
    }
    answer.emplace(r.party_id(), &r);
  }
  std::vector<const v1::Party*> parties;
  for (const v1::Party& p : hearing.parties()) parties.push_back(&p);
  std::stable_sort(parties.begin(), parties.end(),
                   [](const v1::Party* a, const v1::Party* b) {
                     return DanishLess(a->display_name(), b->display_name());
                   });
  for (const v1::Party* p : parties) {
    v1::MemoParty* out = memo.add_parties();
    out->set_display_name(p->display_name());
    auto it = answer.find(p->party_id());
    if (it != answer.end()) {
      out->set_answered(true);
      *out->mutable_receive_time() = it->second->receive_time();
      out->set_late(it->second->late());
    }
    if (p->waived()) out->set_waiver_reason(p->waiver_reason());
  }
  for (const v1::Response& r : responses) {
    if (r.state() == v1::RESPONSE_STATE_WITHDRAWN) continue;
    v1::MemoResponse* out = memo.add_responses();
    out->set_response(r.name());
    out->set_from(PublishedFrom(r, hearing));
    *out->mutable_receive_time() = r.receive_time();
    out->set_late(r.late());
    *out->mutable_points() = r.points();
  }
  return memo;
}

absl::string_view DispositionName(v1::Disposition disposition) {
  switch (disposition) {
    case v1::DISPOSITION_INCORPORATED:
      return "indarbejdet";
    case v1::DISPOSITION_PARTLY_INCORPORATED:
      return "delvist indarbejdet";
    case v1::DISPOSITION_NOT_INCORPORATED:
      return "ikke indarbejdet";
    case v1::DISPOSITION_FORWARDED:
      return "videresendt";
    case v1::DISPOSITION_NOTED:
      return "taget til efterretning";
    default:
      return "ikke behandlet";
  }
}

std::string RenderMemoMarkdown(const v1::HearingMemo& memo) {
  auto md = [](absl::string_view s) { return EscapeMarkdown(s); };
  std::string out =
      absl::StrCat("# Høringsnotat: ", md(memo.display_name()), "\n\n");
  absl::StrAppend(&out, "- Høring: ", md(memo.hearing()), "\n",
                  "- Politik: ", md(memo.policy_revision()), "\n",
                  "- Høringsperiode: ", md(FormatDate(memo.open_date())),
                  " til og med ", md(FormatDate(memo.deadline())), " (",
                  memo.period_days(), " dage)\n\n");
  absl::StrAppend(&out, "## Høringsparter\n\n");
  if (memo.parties().empty())
    absl::StrAppend(&out, "Ingen inviterede parter.\n");
  for (const v1::MemoParty& p : memo.parties()) {
    absl::StrAppend(&out, "- ", md(p.display_name()), ": ", md(PartyStatus(p)),
                    "\n");
  }
  absl::StrAppend(&out, "\n## Høringssvar\n");
  if (memo.responses().empty()) absl::StrAppend(&out, "\nIngen høringssvar.\n");
  int n = 0;
  for (const v1::MemoResponse& r : memo.responses()) {
    absl::StrAppend(&out, "\n### ", ++n, ". ", md(r.from()), "\n\n",
                    "Modtaget ", md(FormatTime(r.receive_time())),
                    r.late() ? " (for sent)" : "", "\n\n");
    for (const v1::ResponsePoint& p : r.points()) {
      absl::StrAppend(&out, "- ", md(p.summary()), " — **",
                      md(DispositionName(p.disposition())), "**");
      if (!p.reason().empty()) absl::StrAppend(&out, ": ", md(p.reason()));
      absl::StrAppend(&out, "\n");
    }
  }
  return out;
}

std::string RenderMemoHtml(const v1::HearingMemo& memo) {
  auto h = [](absl::string_view s) { return EscapeHtml(s); };
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>Høringsnotat: ",
      h(memo.display_name()),
      "</title>\n</head>\n<body>\n<h1>Høringsnotat: ", h(memo.display_name()),
      "</h1>\n<ul>\n<li>Høring: ", h(memo.hearing()),
      "</li>\n<li>Politik: ", h(memo.policy_revision()),
      "</li>\n<li>Høringsperiode: ", h(FormatDate(memo.open_date())),
      " til og med ", h(FormatDate(memo.deadline())), " (", memo.period_days(),
      " dage)</li>\n</ul>\n<h2>Høringsparter</h2>\n");
  if (memo.parties().empty()) {
    absl::StrAppend(&out, "<p>Ingen inviterede parter.</p>\n");
  } else {
    absl::StrAppend(&out, "<ul>\n");
    for (const v1::MemoParty& p : memo.parties()) {
      absl::StrAppend(&out, "<li>", h(p.display_name()), ": ",
                      h(PartyStatus(p)), "</li>\n");
    }
    absl::StrAppend(&out, "</ul>\n");
  }
  absl::StrAppend(&out, "<h2>Høringssvar</h2>\n");
  if (memo.responses().empty()) {
    absl::StrAppend(&out, "<p>Ingen høringssvar.</p>\n");
  } else {
    absl::StrAppend(&out, "<ol>\n");
  }
  for (const v1::MemoResponse& r : memo.responses()) {
    absl::StrAppend(&out, "<li>\n<h3>", h(r.from()), "</h3>\n<p>Modtaget ",
                    h(FormatTime(r.receive_time())),
                    r.late() ? " (for sent)" : "", "</p>\n");
    if (!r.points().empty()) {
      absl::StrAppend(&out, "<ul>\n");
      for (const v1::ResponsePoint& p : r.points()) {
        absl::StrAppend(&out, "<li>", h(p.summary()), " — <strong>",
                        h(DispositionName(p.disposition())), "</strong>");
        if (!p.reason().empty()) absl::StrAppend(&out, ": ", h(p.reason()));
        absl::StrAppend(&out, "</li>\n");
      }
      absl::StrAppend(&out, "</ul>\n");
    }
    absl::StrAppend(&out, "</li>\n");
  }
  if (!memo.responses().empty()) absl::StrAppend(&out, "</ol>\n");
  absl::StrAppend(&out, "</body>\n</html>\n");
  return out;
}

}  // namespace kommune::hearing
