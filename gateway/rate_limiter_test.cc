#include "gateway/rate_limiter.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kommune::gateway {
namespace {

using kommune::gateway::v1::RateLimits;
using kommune::gateway::v1::TokenBucket;

TokenBucket Bucket(double rate_per_second, int burst) {
  TokenBucket bucket;
  bucket.set_rate_per_second(rate_per_second);
  bucket.set_burst(burst);
  return bucket;
}

class RateLimiterTest : public ::testing::Test {
 protected:
  // True when the call passes.
  bool Pass(absl::string_view municipality, absl::string_view principal,
            absl::Time now) {
    return !limiter_.Acquire(limits_, municipality, principal, now).has_value();
  }

  RateLimiter limiter_;
  RateLimits limits_;
  const absl::Time t0_ = absl::FromUnixSeconds(1700000000);
};

TEST_F(RateLimiterTest, BurstThenRefusalWithWait) {
  *limits_.mutable_per_caller() = Bucket(2, 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(Pass("", "key:ci", t0_)) << "call " << i;
  }
  std::optional<absl::Duration> wait =
      limiter_.Acquire(limits_, "", "key:ci", t0_);
  ASSERT_TRUE(wait.has_value());
  EXPECT_GT(*wait, absl::ZeroDuration());
  // One token at two per second.
  EXPECT_EQ(*wait, absl::Milliseconds(500));
}

TEST_F(RateLimiterTest, RefillsOverTime) {
  *limits_.mutable_per_caller() = Bucket(2, 3);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Pass("", "key:ci", t0_));
  ASSERT_FALSE(Pass("", "key:ci", t0_));

  // The wait it named (500ms) is enough, and refills one token.
  EXPECT_TRUE(Pass("", "key:ci", t0_ + absl::Milliseconds(500)));
  EXPECT_FALSE(Pass("", "key:ci", t0_ + absl::Milliseconds(500)));
  // Two more seconds: four tokens, but at most the burst of three.
  absl::Time later = t0_ + absl::Milliseconds(2500);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Pass("", "key:ci", later));
  EXPECT_FALSE(Pass("", "key:ci", later));
}

TEST_F(RateLimiterTest, WaitShrinksAsTokensRefill) {
  *limits_.mutable_per_caller() = Bucket(2, 1);
  ASSERT_TRUE(Pass("", "key:ci", t0_));
  // After 400ms, 0.8 of a token: 100ms to go.
  std::optional<absl::Duration> wait =
      limiter_.Acquire(limits_, "", "key:ci", t0_ + absl::Milliseconds(400));
  ASSERT_TRUE(wait.has_value());
  EXPECT_GT(*wait, absl::Milliseconds(99));
  EXPECT_LT(*wait, absl::Milliseconds(101));
  EXPECT_TRUE(Pass("", "key:ci", t0_ + absl::Milliseconds(510)));
}

TEST_F(RateLimiterTest, RefillStopsAtBurst) {
  *limits_.mutable_per_caller() = Bucket(10, 3);
  ASSERT_TRUE(Pass("", "key:ci", t0_));
  // An hour of idleness refills only up to the burst.
  absl::Time later = t0_ + absl::Hours(1);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Pass("", "key:ci", later));
  EXPECT_FALSE(Pass("", "key:ci", later));
}

TEST_F(RateLimiterTest, SlowRateWaitsLong) {
  *limits_.mutable_per_caller() = Bucket(0.5, 1);
  ASSERT_TRUE(Pass("", "address:10.0.0.1", t0_));
  std::optional<absl::Duration> wait =
      limiter_.Acquire(limits_, "", "address:10.0.0.1", t0_);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, absl::Seconds(2));
}

TEST_F(RateLimiterTest, ZeroBurstAllowsOneCall) {
  // A rate without a burst still lets a call through now and then.
  *limits_.mutable_per_caller() = Bucket(1, 0);
  EXPECT_TRUE(Pass("", "key:ci", t0_));
  EXPECT_FALSE(Pass("", "key:ci", t0_));
  EXPECT_TRUE(Pass("", "key:ci", t0_ + absl::Seconds(1)));
}

TEST_F(RateLimiterTest, MunicipalitiesHaveTheirOwnBuckets) {
  *limits_.mutable_per_municipality() = Bucket(1, 2);
  EXPECT_TRUE(Pass("101", "key:a", t0_));
  EXPECT_TRUE(Pass("101", "key:b", t0_));
  EXPECT_FALSE(Pass("101", "key:c", t0_));
  EXPECT_TRUE(Pass("169", "key:c", t0_));
}

TEST_F(RateLimiterTest, OverrideReplacesTheDefault) {
  *limits_.mutable_per_municipality() = Bucket(1, 1);
  (*limits_.mutable_municipality_overrides())["101"] = Bucket(10, 5);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(Pass("101", absl::StrCat("key:", i), t0_)) << "call " << i;
  }
  EXPECT_FALSE(Pass("101", "key:x", t0_));
  // Other municipalities keep the default.
  EXPECT_TRUE(Pass("169", "key:y", t0_));
  EXPECT_FALSE(Pass("169", "key:z", t0_));
}

TEST_F(RateLimiterTest, OverrideCanBeSmallerOrUnlimited) {
  *limits_.mutable_per_municipality() = Bucket(100, 100);
  (*limits_.mutable_municipality_overrides())["101"] = Bucket(1, 1);
  (*limits_.mutable_municipality_overrides())["169"] = Bucket(0, 0);
  EXPECT_TRUE(Pass("101", "key:a", t0_));
  EXPECT_FALSE(Pass("101", "key:b", t0_));
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(Pass("169", absl::StrCat("key:", i), t0_)) << "call " << i;
  }
}

TEST_F(RateLimiterTest, CallerBucketIsIndependentOfMunicipality) {
  *limits_.mutable_per_caller() = Bucket(1, 2);
  EXPECT_TRUE(Pass("101", "key:ci", t0_));
  EXPECT_TRUE(Pass("169", "key:ci", t0_));
  // The same caller, whatever municipality it acts for.
  EXPECT_FALSE(Pass("751", "key:ci", t0_));
  EXPECT_FALSE(Pass("", "key:ci", t0_));
  // Another caller in the same municipality is not affected.
  EXPECT_TRUE(Pass("101", "key:other", t0_));
}

TEST_F(RateLimiterTest, RefusalByCallerTakesNoMunicipalityToken) {
  *limits_.mutable_per_municipality() = Bucket(1, 2);
  *limits_.mutable_per_caller() = Bucket(1, 1);
  EXPECT_TRUE(Pass("101", "key:a", t0_));
  // key:a is out of tokens; municipality 101 has one left...
  EXPECT_FALSE(Pass("101", "key:a", t0_));
  EXPECT_FALSE(Pass("101", "key:a", t0_));
  // ...which the refusals did not take.
  EXPECT_TRUE(Pass("101", "key:b", t0_));
  EXPECT_FALSE(Pass("101", "key:c", t0_));
}

TEST_F(RateLimiterTest, RefusalByMunicipalityTakesNoCallerToken) {
  *limits_.mutable_per_municipality() = Bucket(1, 1);
  *limits_.mutable_per_caller() = Bucket(1, 1);
  EXPECT_TRUE(Pass("101", "key:a", t0_));
  // Municipality 101 is out of tokens; key:b is refused for it...
  EXPECT_FALSE(Pass("101", "key:b", t0_));
  // ...and keeps its own token for another municipality.
  EXPECT_TRUE(Pass("169", "key:b", t0_));
}

TEST_F(RateLimiterTest, WaitIsTheLongerOfTheTwo) {
  *limits_.mutable_per_municipality() = Bucket(0.25, 1);
  *limits_.mutable_per_caller() = Bucket(1, 1);
  ASSERT_TRUE(Pass("101", "key:a", t0_));
  std::optional<absl::Duration> wait =
      limiter_.Acquire(limits_, "101", "key:a", t0_);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, absl::Seconds(4));
}

TEST_F(RateLimiterTest, ZeroRateMeansUnlimited) {
  // Nothing configured.
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(Pass("101", "key:ci", t0_)) << "call " << i;
  }
  // A burst without a rate limits nothing either.
  *limits_.mutable_per_municipality() = Bucket(0, 1);
  *limits_.mutable_per_caller() = Bucket(0, 1);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(Pass("101", "key:ci", t0_)) << "call " << i;
  }
}

TEST_F(RateLimiterTest, OnlyTheLimitedBucketCounts) {
  // Municipality limited, callers not.
  *limits_.mutable_per_municipality() = Bucket(1, 1);
  EXPECT_TRUE(Pass("101", "key:a", t0_));
  EXPECT_FALSE(Pass("101", "key:b", t0_));
  // No municipality: only the caller's bucket, which is unlimited.
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(Pass("", "key:a", t0_));
}

TEST_F(RateLimiterTest, NewLimitsApplyWithoutRefill) {
  *limits_.mutable_per_caller() = Bucket(1, 2);
  ASSERT_TRUE(Pass("", "key:ci", t0_));
  ASSERT_TRUE(Pass("", "key:ci", t0_));
  ASSERT_FALSE(Pass("", "key:ci", t0_));
  // A reload with a larger burst does not hand out tokens at once...
  *limits_.mutable_per_caller() = Bucket(10, 20);
  EXPECT_FALSE(Pass("", "key:ci", t0_));
  // ...but the faster rate applies from now on.
  EXPECT_TRUE(Pass("", "key:ci", t0_ + absl::Milliseconds(100)));
}

TEST_F(RateLimiterTest, TimeGoingBackwardsGivesNoTokens) {
  *limits_.mutable_per_caller() = Bucket(1, 1);
  ASSERT_TRUE(Pass("", "key:ci", t0_));
  EXPECT_FALSE(Pass("", "key:ci", t0_ - absl::Seconds(5)));
  EXPECT_FALSE(Pass("", "key:ci", t0_ + absl::Milliseconds(500)));
  EXPECT_TRUE(Pass("", "key:ci", t0_ + absl::Seconds(1)));
}

}  // namespace
}  // namespace kommune::gateway
