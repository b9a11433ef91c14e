// The memo builder and renderers, and deadline arithmetic, without a server.
#include "services/hearing/hearing_memo.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/hearing/hearing_access.h"
#include "services/hearing/hearing_calendar.h"

namespace kommune::hearing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

common::v1::Date Day(int y, int m, int d) {
  common::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

absl::Time At(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), *CopenhagenZone());
}

TEST(EscapeHtmlTest, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(EscapeHtml(""), "");
  EXPECT_EQ(EscapeHtml("Børn & unge"), "Børn &amp; unge");
  EXPECT_EQ(EscapeHtml("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  EXPECT_EQ(EscapeHtml("a \"b\""), "a &quot;b&quot;");
  EXPECT_EQ(EscapeHtml("&amp;"), "&amp;amp;");  // never half-escaped
  EXPECT_EQ(EscapeHtml("æøå ÆØÅ"), "æøå ÆØÅ");  // UTF-8 passes through
}

TEST(EscapeMarkdownTest, EscapesInlineMarkupAndLineBreaks) {
  EXPECT_EQ(EscapeMarkdown("*fed* _kursiv_"), "\\*fed\\* \\_kursiv\\_");
  EXPECT_EQ(EscapeMarkdown("[link](x)"), "\\[link\\](x)");
  EXPECT_EQ(EscapeMarkdown("<b>"), "\\<b\\>");
  EXPECT_EQ(EscapeMarkdown("a\nb"), "a b");
  EXPECT_EQ(EscapeMarkdown("a\\b"), "a\\\\b");
  EXPECT_EQ(EscapeMarkdown("Kultur- og Fritidsudvalget 7.5.2010"),
            "Kultur- og Fritidsudvalget 7.5.2010");
}

TEST(DanishLessTest, SortsAeOeAaAfterZ) {
  std::vector<std::string> names = {"Økonomiudvalget",        "Ældrerådet",
                                    "Åbenhedsudvalget",       "Zoneudvalget",
                                    "arbejdsmarkedsudvalget", "Børneudvalget"};
  std::sort(names.begin(), names.end(), DanishLess);
  EXPECT_THAT(names, ElementsAre("arbejdsmarkedsudvalget", "Børneudvalget",
                                 "Zoneudvalget", "Ældrerådet",
                                 "Økonomiudvalget", "Åbenhedsudvalget"));
  EXPECT_TRUE(DanishLess("Bo", "Bø"));
  EXPECT_TRUE(DanishLess("Bø", "Bå"));
  EXPECT_TRUE(DanishLess("Råd", "Rådet"));
  EXPECT_FALSE(DanishLess("abc", "abc"));
  EXPECT_TRUE(DanishLess("Abc", "abc"));  // ties break on bytes
}

TEST(CalendarTest, DeadlineEndsAtMidnightInCopenhagen) {
  // Summer time: midnight in Copenhagen is 22:00 UTC.
  auto end = DeadlineEnd(Day(2018, 8, 28));
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, absl::FromCivil(absl::CivilSecond(2018, 8, 28, 22, 0, 0),
                                  absl::UTCTimeZone()));
  // Winter time: 23:00 UTC.
  end = DeadlineEnd(Day(2010, 12, 1));
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, absl::FromCivil(absl::CivilSecond(2010, 12, 1, 23, 0, 0),
                                  absl::UTCTimeZone()));
  EXPECT_FALSE(*IsAfterDeadline(Day(2010, 5, 7), At(2010, 5, 7, 23, 59)));
  EXPECT_TRUE(*IsAfterDeadline(Day(2010, 5, 7), At(2010, 5, 8, 0, 0)));
}

TEST(CalendarTest, CountsDays) {
  EXPECT_EQ(PeriodDays(Day(2018, 8, 7), Day(2018, 8, 28)), 22);
  EXPECT_EQ(PeriodDays(Day(2010, 5, 7), Day(2010, 5, 7)), 1);
  EXPECT_EQ(*DaysLeft(Day(2010, 5, 7), At(2010, 5, 7, 23, 0)), 0);
  EXPECT_EQ(*DaysLeft(Day(2010, 5, 7), At(2010, 5, 4, 1, 0)), 3);
  // 00:30 in Copenhagen is still the previous day in UTC.
  EXPECT_EQ(*DaysLeft(Day(2010, 5, 7), At(2010, 5, 8, 0, 30)), -1);
}

v1::Hearing SmallHearing() {
  v1::Hearing h;
  h.set_name("municipalities/101/hearings/h");
  h.set_display_name("Høring <om> integration & \"unge\"");
  h.set_policy_revision("municipalities/101/policies/p@2");
  *h.mutable_open_date() = Day(2010, 3, 15);
  *h.mutable_deadline() = Day(2010, 5, 7);
  auto* a = h.add_parties();
  a->set_party_id("oeu");
  a->set_display_name("Økonomiudvalget");
  auto* b = h.add_parties();
  b->set_party_id("biu");
  b->set_display_name("Beskæftigelses- og Integrationsudvalget");
  b->set_waived(true);
  b->set_waiver_reason("Behandler selv sagen");
  auto* c = h.add_parties();
  c->set_party_id("aeu");
  c->set_display_name("Ældreudvalget");
  return h;
}

TEST(BuildMemoTest, ListsPartiesAndResponses) {
  v1::Hearing h = SmallHearing();
  std::vector<v1::Response> responses(3);
  responses[0].set_name("r/1");
  responses[0].set_party_id("aeu");
  responses[0].set_state(v1::RESPONSE_STATE_WITHDRAWN);
  responses[1].set_name("r/2");
  responses[1].set_party_id("aeu");
  responses[1].set_state(v1::RESPONSE_STATE_SUBMITTED);
  responses[1].set_late(true);
  responses[1].mutable_receive_time()->set_seconds(1273269600);
  auto* point = responses[1].add_points();
  point->set_point_id("p1");
  point->set_summary("Flere <seniorklubber>");
  point->set_disposition(v1::DISPOSITION_NOT_INCORPORATED);
  point->set_reason("Uden for politikkens område");
  responses[2].set_name("r/3");
  responses[2].set_state(v1::RESPONSE_STATE_SUBMITTED);
  responses[2].mutable_responder()->set_display_name("Karen");
  responses[2].mutable_responder()->set_email("karen@example.dk");
  responses[2].mutable_responder()->set_address("Vej 1");
  responses[2].mutable_responder()->set_anonymous(true);

  v1::HearingMemo memo = BuildMemo(h, responses);
  EXPECT_EQ(memo.period_days(), 54);
  ASSERT_EQ(memo.parties_size(), 3);
  EXPECT_EQ(memo.parties(0).display_name(),
            "Beskæftigelses- og Integrationsudvalget");
  EXPECT_EQ(memo.parties(0).waiver_reason(), "Behandler selv sagen");
  EXPECT_EQ(memo.parties(1).display_name(), "Ældreudvalget");
  EXPECT_TRUE(memo.parties(1).answered());
  EXPECT_TRUE(memo.parties(1).late());
  EXPECT_EQ(memo.parties(2).display_name(), "Økonomiudvalget");
  EXPECT_FALSE(memo.parties(2).answered());
  ASSERT_EQ(memo.responses_size(), 2);  // the withdrawn one is left out
  EXPECT_EQ(memo.responses(0).from(), "Ældreudvalget");
  EXPECT_EQ(memo.responses(1).from(), "Anonym");

  std::string html = RenderMemoHtml(memo);
  EXPECT_THAT(html, HasSubstr("Høring &lt;om&gt; integration &amp; "
                              "&quot;unge&quot;"));
  EXPECT_THAT(html, HasSubstr("Flere &lt;seniorklubber&gt; — <strong>ikke "
                              "indarbejdet</strong>: Uden for"));
  EXPECT_THAT(html, Not(HasSubstr("<seniorklubber>")));
  EXPECT_THAT(html, HasSubstr("fritaget: Behandler selv sagen"));
  EXPECT_THAT(html, Not(HasSubstr("Karen")));
  EXPECT_THAT(html, Not(HasSubstr("karen@example.dk")));

  std::string md = RenderMemoMarkdown(memo);
  EXPECT_THAT(md, HasSubstr("# Høringsnotat: Høring \\<om\\> integration "
                            "\\& \"unge\""));
  EXPECT_THAT(md, HasSubstr("15.3.2010 til og med 7.5.2010 (54 dage)"));
  EXPECT_THAT(md, HasSubstr("- Ældreudvalget: svaret 08.05.2010 00:00 (for "
                            "sent)"));
  EXPECT_THAT(md, HasSubstr("- Økonomiudvalget: ikke svaret"));
  EXPECT_THAT(md, HasSubstr("### 2. Anonym"));
  EXPECT_THAT(md, Not(HasSubstr("Karen")));
}

TEST(PublishedFromTest, NeverShowsContactDataOrPurgedNames) {
  v1::Hearing h;
  v1::Response r;
  r.mutable_responder()->set_display_name("Ole");
  r.mutable_responder()->set_organisation("Foreningen");
  r.mutable_responder()->set_email("ole@example.dk");
  EXPECT_EQ(PublishedFrom(r, h), "Ole, Foreningen");
  r.set_purged(true);
  EXPECT_EQ(PublishedFrom(r, h), "(personoplysninger slettet)");
}

// Submit refuses `anonymous` on a party's response; one stored before that
// is still published without the name.
TEST(PublishedFromTest, AnonymousPartyResponseHasNoName) {
  v1::Hearing h;
  auto* party = h.add_parties();
  party->set_party_id("borger-1");
  party->set_display_name("Karen Sørensen");
  party->set_kind(v1::PARTY_KIND_CITIZEN);
  v1::Response r;
  r.set_party_id("borger-1");
  EXPECT_EQ(PublishedFrom(r, h), "Karen Sørensen");
  r.mutable_responder()->set_display_name("Karen Sørensen");
  r.mutable_responder()->set_anonymous(true);
  EXPECT_EQ(PublishedFrom(r, h), "Anonym");
  r.set_state(v1::RESPONSE_STATE_SUBMITTED);
  v1::HearingMemo memo = BuildMemo(h, {r});
  ASSERT_EQ(memo.responses_size(), 1);
  EXPECT_EQ(memo.responses(0).from(), "Anonym");
  v1::Response published = RedactForPublic(r);
  EXPECT_TRUE(published.party_id().empty());
  EXPECT_THAT(published.SerializeAsString(), Not(HasSubstr("Karen")));
}

}  // namespace
}  // namespace kommune::hearing
