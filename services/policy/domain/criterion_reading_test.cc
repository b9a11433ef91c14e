#include "services/policy/domain/criterion_reading.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/policy/domain/test_fixtures.h"
#include "services/policy/domain/text_import.h"

namespace kommune::policy {
namespace {

using Kind = v1::MeasurableReading;
using ::testing::HasSubstr;

void ExpectDeadline(const v1::MeasurableReading& r, int y, int m, int d) {
  ASSERT_TRUE(r.has_deadline()) << r.DebugString();
  EXPECT_EQ(r.deadline().year(), y);
  EXPECT_EQ(r.deadline().month(), m);
  EXPECT_EQ(r.deadline().day(), d);
}

TEST(ProposeReadingTest, CountByDeadlineBeforeAYear) {
  auto r = ProposeReading(
      "At 40 etniske iværksættere er blevet etableret inden 2010.");
  EXPECT_EQ(r.kind(), Kind::KIND_COUNT_BY_DEADLINE);
  EXPECT_EQ(r.target_value(), 40);
  EXPECT_EQ(r.unit(), "iværksættere");
  // "inden 2010" is before 2010-01-01.
  ExpectDeadline(r, 2009, 12, 31);
  EXPECT_THAT(r.source_phrase(), HasSubstr("inden 2010"));
  EXPECT_THAT(r.source_phrase(), HasSubstr("40 etniske iværksættere"));
}

TEST(ProposeReadingTest, RatePerYearFromAStartYear) {
  auto r = ProposeReading(
      "At der fra og med 2007 etableres mindst 30 mentorordninger om året for "
      "ledige flygtninge og indvandrere.");
  EXPECT_EQ(r.kind(), Kind::KIND_RATE_PER_PERIOD);
  EXPECT_EQ(r.target_value(), 30);
  EXPECT_EQ(r.unit(), "mentorordninger");
  EXPECT_EQ(r.per_period(), "year");
  EXPECT_EQ(r.start_year(), 2007);
  EXPECT_FALSE(r.has_deadline());
  auto monthly = ProposeReading("mindst 4 møder pr. måned fra 2008");
  EXPECT_EQ(monthly.kind(), Kind::KIND_RATE_PER_PERIOD);
  EXPECT_EQ(monthly.per_period(), "month");
  EXPECT_EQ(monthly.start_year(), 2008);
}

TEST(ProposeReadingTest, ShareAtLeast) {
  auto r = ProposeReading(
      "Alle nyankomne selvforsørgere ... skal indenfor det første år tilbydes "
      "praktik, løntilskud eller job. Heraf skal mindst 50 % tage imod "
      "tilbuddet.");
  EXPECT_EQ(r.kind(), Kind::KIND_SHARE_AT_LEAST);
  EXPECT_EQ(r.target_value(), 50);
  EXPECT_EQ(r.unit(), "%");
  EXPECT_EQ(r.source_phrase(), "mindst 50 %");
  EXPECT_EQ(ProposeReading("mindst 75% deltager").target_value(), 75);
}

TEST(ProposeReadingTest, RelativeChangeByTheEndOfAYear) {
  auto r = ProposeReading(
      "Børn og unge fra udsatte boligområder skal have halveret deres "
      "skolefravær inden udgangen af 2009");
  EXPECT_EQ(r.kind(), Kind::KIND_RELATIVE_CHANGE);
  EXPECT_DOUBLE_EQ(r.relative_change(), -0.5);
  ExpectDeadline(r, 2009, 12, 31);
  auto up = ProposeReading("Antallet skal være øget med 20 % i 2012");
  EXPECT_EQ(up.kind(), Kind::KIND_RELATIVE_CHANGE);
  EXPECT_DOUBLE_EQ(up.relative_change(), 0.2);
  auto down = ProposeReading("Ledigheden skal være reduceret med 10 procent");
  EXPECT_DOUBLE_EQ(down.relative_change(), -0.1);
}

TEST(ProposeReadingTest, ParityWithTheRestOfTheMunicipality) {
  auto r = ProposeReading(
      "Andelen af børn- og unge fra de problemramte boligområder, der "
      "deltager i klub- og fritidstilbud, svarer til andelen i resten af "
      "kommunen i 2011");
  EXPECT_EQ(r.kind(), Kind::KIND_PARITY);
  EXPECT_EQ(r.baseline(), "resten af kommunen");
  ExpectDeadline(r, 2011, 12, 31);
}

TEST(ProposeReadingTest, ParityUpperBound) {
  auto r = ProposeReading(
      "Vold og hærværk i de problemramte områder skal ikke være højere end i "
      "resten af kommunen");
  EXPECT_EQ(r.kind(), Kind::KIND_PARITY_UPPER_BOUND);
  EXPECT_EQ(r.baseline(), "resten af kommunen");
  EXPECT_FALSE(r.has_deadline());
  auto down = ProposeReading(
      "Andelen af kontanthjælpsmodtagere i de problemramte områder skal ned på "
      "niveau med resten af den almene sektor i kommunen inden udgangen af "
      "2009.");
  EXPECT_EQ(down.kind(), Kind::KIND_PARITY_UPPER_BOUND);
  EXPECT_EQ(down.baseline(), "resten af den almene sektor i kommunen");
  ExpectDeadline(down, 2009, 12, 31);
}

TEST(ProposeReadingTest, MilestonesWithoutANumber) {
  auto r = ProposeReading(
      "At der i løbet af 2007 er nedsat en arbejdsgruppe til at opsamle "
      "eksisterende erfaringer");
  EXPECT_EQ(r.kind(), Kind::KIND_MILESTONE);
  EXPECT_EQ(r.target_value(), 0);  // "en arbejdsgruppe" is not a count.
  ExpectDeadline(r, 2007, 12, 31);
  auto end_2008 = ProposeReading(
      "Etablering af et samarbejde på tværs af boligorganisationerne inden "
      "udgangen af 2008.");
  EXPECT_EQ(end_2008.kind(), Kind::KIND_MILESTONE);
  ExpectDeadline(end_2008, 2008, 12, 31);
  ExpectDeadline(ProposeReading("En arbejdsgruppe har senest medio 2007 "
                                "udarbejdet et forslag"),
                 2007, 6, 30);
  ExpectDeadline(ProposeReading("Der er i første halvdel af 2007 nedsat en "
                                "arbejdsgruppe"),
                 2007, 6, 30);
  ExpectDeadline(ProposeReading("at der inden udgangen af 2. kvartal 2007 er "
                                "udarbejdet procedurer"),
                 2007, 6, 30);
  ExpectDeadline(ProposeReading("Projekt FrameWork er gennemført i 2008."),
                 2008, 12, 31);
  ExpectDeadline(ProposeReading("metoden evalueres ultimo 2007"), 2007, 12, 31);
  // The later year of a span.
  ExpectDeadline(ProposeReading("Initiativerne iværksættes i løbet af "
                                "2007/2008."),
                 2008, 12, 31);
}

TEST(ProposeReadingTest, CountsWithQuarterDeadlineAndNumberWords) {
  auto r = ProposeReading(
      "at der inden udgangen af 1. kvartal 2007 er skabt kontakt til mindst 3 "
      "netværk for ældre");
  EXPECT_EQ(r.kind(), Kind::KIND_COUNT_BY_DEADLINE);
  EXPECT_EQ(r.target_value(), 3);  // Not the "1." of the quarter.
  EXPECT_EQ(r.unit(), "netværk");
  ExpectDeadline(r, 2007, 3, 31);
  auto one = ProposeReading(
      "Forsøg med salg af almene boliger i mindst et boligområde inden "
      "udgangen af 2008");
  EXPECT_EQ(one.kind(), Kind::KIND_COUNT_BY_DEADLINE);
  EXPECT_EQ(one.target_value(), 1);
  EXPECT_EQ(one.unit(), "boligområde");
}

TEST(ProposeReadingTest, QualitativeFallbackAndYearlyFollowUp) {
  auto r = ProposeReading(
      "En årlig opfølgning på veluddannede flygtninge/indvandrere viser, at "
      "der "
      "arbejdes målrettet med at afklare og gøre brug af målgruppens "
      "medbragte kompetencer.");
  EXPECT_EQ(r.kind(), Kind::KIND_QUALITATIVE);
  EXPECT_EQ(r.per_period(), "year");
  auto plain = ProposeReading(
      "Samarbejde etableres mellem Seniorrådet og initiativtageren til den "
      "flerkulturelle Ældrecafe.");
  EXPECT_EQ(plain.kind(), Kind::KIND_QUALITATIVE);
  EXPECT_EQ(plain.source_phrase(), "");
  EXPECT_EQ(ProposeReading("").kind(), Kind::KIND_QUALITATIVE);
  EXPECT_EQ(ProposeReading("\xFF\xFE %%% ( ) ..").kind(),
            Kind::KIND_QUALITATIVE);  // Garbage in, still an answer.
}

std::vector<const v1::SuccessCriterion*> AllCriteria(
    const v1::PolicyContent& c) {
  std::vector<const v1::SuccessCriterion*> out;
  for (const auto& fa : c.focus_areas()) {
    for (const auto& s : fa.strategies()) {
      for (const auto& a : s.action_items()) {
        for (const auto& cr : a.success_criteria()) out.push_back(&cr);
      }
      for (const auto& cr : s.success_criteria()) out.push_back(&cr);
    }
    for (const auto& cr : fa.success_criteria()) out.push_back(&cr);
  }
  return out;
}

TEST(ProposeReadingsTest, EveryCriterionOfThePolicyGetsAReading) {
  auto imported = ImportPolicyText(testing::ReadFixture(testing::kPolicy001));
  ASSERT_TRUE(imported.ok()) << imported.status();
  auto criteria = AllCriteria(imported->policy.content());
  ASSERT_EQ(criteria.size(), 37u);
  std::vector<std::string> qualitative;
  for (const v1::SuccessCriterion* c : criteria) {
    EXPECT_NE(c->proposed_reading().kind(), Kind::KIND_UNSPECIFIED)
        << c->text();
    if (c->proposed_reading().kind() == Kind::KIND_QUALITATIVE) {
      qualitative.push_back(c->id());
    }
  }
  // 27 of the 37 name a number, a share, a parity or a deadline; these ten
  // name none ("i højere grad", "ABCD metoden", "en årlig opfølgning viser").
  EXPECT_THAT(qualitative,
              ::testing::ElementsAre("criterion-1-3-3", "criterion-1-4-2",
                                     "criterion-4-1-4", "criterion-4-1-5",
                                     "criterion-4-2-2", "criterion-4-3-1",
                                     "criterion-5-2-2", "criterion-6-2-1",
                                     "criterion-6-2-2", "criterion-7-1-1"));
}

TEST(ProposeReadingsTest, FillsNestedAndFocusAreaCriteria) {
  v1::PolicyContent c;
  v1::FocusArea* fa = c.add_focus_areas();
  fa->add_success_criteria()->set_text("i 2009");
  fa->add_strategies()->add_action_items()->add_success_criteria()->set_text(
      "mindst 2 % ");
  ProposeReadings(&c);
  EXPECT_EQ(fa->success_criteria(0).proposed_reading().kind(),
            Kind::KIND_MILESTONE);
  EXPECT_EQ(fa->strategies(0)
                .action_items(0)
                .success_criteria(0)
                .proposed_reading()
                .kind(),
            Kind::KIND_SHARE_AT_LEAST);
}

}  // namespace
}  // namespace kommune::policy
