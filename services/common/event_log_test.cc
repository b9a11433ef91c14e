#include "services/common/event_log.h"

#include <atomic>
#include <set>
#include <thread>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "kommune/common/v1/types.pb.h"
#include "services/common/change_feed_migrations.h"
#include "services/common/test_support.h"

namespace kommune {
namespace {

using ::kommune::testing::EngineTest;

class EventLogTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (db_ == nullptr) return;
    ASSERT_TRUE(ApplyChangeFeedMigrations(*db_).ok());
  }

  absl::StatusOr<int64_t> AppendOne(Database& db, const std::string& code,
                                    const std::string& type) {
    int64_t sequence = 0;
    absl::Status status = db.Write([&](Transaction& tx) -> absl::Status {
      auto s =
          log_.Append(tx, {code, type, "municipalities/" + code + "/policies/p",
                           "tester", nullptr});
      if (!s.ok()) return s.status();
      sequence = *s;
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return sequence;
  }

  EventLog log_;
};

TEST_P(EventLogTest, NumbersEventsInCommitOrder) {
  EXPECT_EQ(*AppendOne(*db_, "169", "policy.created"), 1);
  EXPECT_EQ(*AppendOne(*db_, "101", "policy.created"), 2);
  EXPECT_EQ(*AppendOne(*db_, "169", "policy.updated"), 3);
  auto events = log_.List(*db_, {}, 0, 100);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[2].name(), "municipalities/169/events/3");
  EXPECT_EQ((*events)[2].type(), "policy.updated");
  EXPECT_EQ((*events)[2].actor(), "tester");
  EXPECT_GT((*events)[2].create_time().seconds(), 0);
}

TEST_P(EventLogTest, FiltersByMunicipalityAndCursor) {
  for (const char* code : {"169", "101", "169", "190", "169"}) {
    ASSERT_TRUE(AppendOne(*db_, code, "x").ok());
  }
  auto events = log_.List(*db_, {"169"}, 1, 100);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].sequence(), 3);
  EXPECT_EQ((*events)[1].sequence(), 5);
  auto two = log_.List(*db_, {"101", "190"}, 0, 1);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 1u);
  EXPECT_EQ((*two)[0].sequence(), 2);
}

TEST_P(EventLogTest, KeepsThePayload) {
  common::v1::EsdhReference ref;
  ref.set_case_number("18/12386");
  ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                   return log_
                       .Append(tx, {"190", "case.linked", "x", "t", &ref})
                       .status();
                 })
                  .ok());
  auto events = log_.List(*db_, {}, 0, 10);
  ASSERT_TRUE(events.ok());
  common::v1::EsdhReference back;
  ASSERT_TRUE((*events)[0].payload().UnpackTo(&back));
  EXPECT_EQ(back.case_number(), "18/12386");
}

TEST_P(EventLogTest, ARolledBackChangeAnnouncesNothing) {
  absl::Status status = db_->Write([&](Transaction& tx) -> absl::Status {
    if (auto s = log_.Append(tx, {"169", "x", "r", "t", nullptr}); !s.ok()) {
      return s.status();
    }
    return absl::FailedPreconditionError("policy.state: not a draft");
  });
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(log_.List(*db_, {}, 0, 10)->empty());
  EXPECT_EQ(log_.LastCommitted(), 0);
  EXPECT_EQ(*AppendOne(*db_, "169", "x"), 1);
}

TEST_P(EventLogTest, ConcurrentWritersGetDistinctGaplessSequences) {
  constexpr int kThreads = 4;
  constexpr int kEach = 20;
  std::unique_ptr<Database> replica = OpenReplica();
  ASSERT_NE(replica, nullptr);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    Database* db = t % 2 ? replica.get() : db_;
    threads.emplace_back([&, db] {
      for (int i = 0; i < kEach; ++i) {
        if (!AppendOne(*db, "169", "x").ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto events = log_.List(*db_, {}, 0, 1000);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), static_cast<size_t>(kThreads * kEach));
  for (size_t i = 0; i < events->size(); ++i) {
    EXPECT_EQ((*events)[i].sequence(), static_cast<int64_t>(i + 1));
  }
}

TEST_P(EventLogTest, WakesWaitersOnCommitAndOnShutdown) {
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(50));
    ASSERT_TRUE(AppendOne(*db_, "169", "x").ok());
  });
  absl::Time start = absl::Now();
  EXPECT_TRUE(log_.WaitForNewer(0, absl::Seconds(20)));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  writer.join();
  log_.Shutdown();
  EXPECT_FALSE(log_.WaitForNewer(1, absl::Seconds(20)));
}

KOMMUNE_INSTANTIATE_ENGINE_TEST(EventLogTest);

}  // namespace
}  // namespace kommune
