// Counting statuses per group, as reports and dashboards show them.
#include "services/followup/status_rollup.h"

#include <vector>

#include "gtest/gtest.h"

namespace kommune::followup {
namespace {

TEST(CountStatusTest, AddsToTotalAndTheStatusCounter) {
  v1::StatusCounts counts;
  CountStatus(v1::STATUS_ACHIEVED, &counts);
  CountStatus(v1::STATUS_ON_TRACK, &counts);
  CountStatus(v1::STATUS_ON_TRACK, &counts);
  CountStatus(v1::STATUS_AT_RISK, &counts);
  CountStatus(v1::STATUS_OFF_TRACK, &counts);
  CountStatus(v1::STATUS_MISSED, &counts);
  CountStatus(v1::STATUS_NO_DATA, &counts);
  EXPECT_EQ(counts.total(), 7);
  EXPECT_EQ(counts.achieved(), 1);
  EXPECT_EQ(counts.on_track(), 2);
  EXPECT_EQ(counts.at_risk(), 1);
  EXPECT_EQ(counts.off_track(), 1);
  EXPECT_EQ(counts.missed(), 1);
  EXPECT_EQ(counts.no_data(), 1);
}

TEST(CountStatusTest, UnsetOrUnknownStatusCountsAsNoData) {
  // So that total is always the sum of the six counters.
  v1::StatusCounts counts;
  CountStatus(v1::STATUS_UNSPECIFIED, &counts);
  CountStatus(static_cast<v1::Status>(99), &counts);
  EXPECT_EQ(counts.total(), 2);
  EXPECT_EQ(counts.no_data(), 2);
  EXPECT_EQ(counts.achieved() + counts.on_track() + counts.at_risk() +
                counts.off_track() + counts.missed(),
            0);
}

TEST(RollUpTest, OneGroupPerKeyInOrderOfFirstAppearance) {
  const std::vector<v1::StatusCounts> groups = RollUp({
      {"fa-2", "Uddannelse", v1::STATUS_ON_TRACK},
      {"fa-1", "Beskæftigelse", v1::STATUS_ACHIEVED},
      {"fa-2", "Uddannelse", v1::STATUS_MISSED},
      {"fa-3", "", v1::STATUS_NO_DATA},
      {"fa-1", "Beskæftigelse", v1::STATUS_ACHIEVED},
      {"fa-3", "Bolig", v1::STATUS_AT_RISK},
  });
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].key(), "fa-2");
  EXPECT_EQ(groups[0].title(), "Uddannelse");
  EXPECT_EQ(groups[0].total(), 2);
  EXPECT_EQ(groups[0].on_track(), 1);
  EXPECT_EQ(groups[0].missed(), 1);
  EXPECT_EQ(groups[1].key(), "fa-1");
  EXPECT_EQ(groups[1].total(), 2);
  EXPECT_EQ(groups[1].achieved(), 2);
  // The first non-empty title is kept.
  EXPECT_EQ(groups[2].key(), "fa-3");
  EXPECT_EQ(groups[2].title(), "Bolig");
  EXPECT_EQ(groups[2].total(), 2);
  EXPECT_EQ(groups[2].no_data(), 1);
  EXPECT_EQ(groups[2].at_risk(), 1);
}

TEST(RollUpTest, FirstTitleWinsAndEmptyInputGivesNoGroups) {
  EXPECT_TRUE(RollUp({}).empty());
  const std::vector<v1::StatusCounts> groups =
      RollUp({{"udvalg", "Socialudvalget", v1::STATUS_OFF_TRACK},
              {"udvalg", "Andet navn", v1::STATUS_OFF_TRACK}});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].title(), "Socialudvalget");
  EXPECT_EQ(groups[0].off_track(), 2);
}

}  // namespace
}  // namespace kommune::followup
