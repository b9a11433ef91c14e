#include "services/common/change_feed_service.h"

#include <grpcpp/grpcpp.h>

#include <thread>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/common/change_feed_migrations.h"
#include "services/common/grpc_util.h"
#include "services/common/service_host.h"
#include "services/common/test_support.h"

namespace kommune {
namespace {

using common::v1::ChangeFeedService;
using common::v1::ListEventsRequest;
using common::v1::ListEventsResponse;
using common::v1::WatchEventsRequest;
using common::v1::WatchEventsResponse;
using ::kommune::testing::Caller;
using ::kommune::testing::EngineTest;

constexpr char kSecret[] = "test-secret";

class ChangeFeedServiceTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (db_ == nullptr) return;
    ASSERT_TRUE(ApplyChangeFeedMigrations(*db_).ok());
    service_ = std::make_unique<ChangeFeedServiceImpl>(db_, &log_, &verifier_);
    service_->set_poll_interval(absl::Milliseconds(100));
    host_ = std::make_unique<ServiceHost>("change_feed_test");
    host_->AddService(service_.get());
    host_->OnShutdown([this] { log_.Shutdown(); });
    ASSERT_TRUE(host_->Start("127.0.0.1:0").ok());
    stub_ = ChangeFeedService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(host_->port()),
                            grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (host_) host_->Shutdown(absl::Seconds(1));
  }

  void Append(const std::string& code, int n = 1) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                       return log_
                           .Append(tx,
                                   {code, "policy.updated",
                                    "municipalities/" + code + "/policies/p",
                                    "tester", nullptr})
                           .status();
                     })
                      .ok());
    }
  }

  std::unique_ptr<grpc::ClientContext> As(const Identity& who,
                                          const std::string& secret = kSecret) {
    auto context = std::make_unique<grpc::ClientContext>();
    AttachIdentity(*context, who, secret);
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    return context;
  }

  grpc::Status List(const Identity& who, const ListEventsRequest& request,
                    ListEventsResponse* response) {
    return stub_->ListEvents(As(who).get(), request, response);
  }

  EventLog log_;
  IdentityVerifier verifier_{kSecret};
  std::unique_ptr<ChangeFeedServiceImpl> service_;
  std::unique_ptr<ServiceHost> host_;
  std::unique_ptr<ChangeFeedService::Stub> stub_;
};

Identity Viewer169() { return Caller("169", {Role::kViewer}); }

TEST_P(ChangeFeedServiceTest, PagesThroughTheLogInOrder) {
  Append("169", 250);
  ListEventsRequest request;
  request.set_parent("municipalities/169");
  request.set_page_size(100);
  std::vector<int64_t> seen;
  for (int page = 0; page < 10; ++page) {
    ListEventsResponse response;
    grpc::Status status = List(Viewer169(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const auto& e : response.events()) seen.push_back(e.sequence());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  ASSERT_EQ(seen.size(), 250u);
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i], static_cast<int64_t>(i + 1));
  }
}

TEST_P(ChangeFeedServiceTest, ShowsOnlyTheCallersMunicipalities) {
  Append("169");
  Append("101");
  Append("169");
  ListEventsRequest request;
  request.set_parent("municipalities/-");
  ListEventsResponse response;
  ASSERT_TRUE(List(Viewer169(), request, &response).ok());
  ASSERT_EQ(response.events_size(), 2);
  EXPECT_EQ(response.events(1).name(), "municipalities/169/events/3");
}

TEST_P(ChangeFeedServiceTest, RefusesBadRequestsNamingTheField) {
  struct Case {
    std::string parent;
    int page_size;
    std::string token;
    int64_t after;
    grpc::StatusCode code;
    std::string field;
  };
  std::vector<Case> cases = {
      {"", 0, "", 0, grpc::StatusCode::INVALID_ARGUMENT, "parent"},
      {"municipalities/999", 0, "", 0, grpc::StatusCode::INVALID_ARGUMENT,
       "parent"},
      {"kommuner/169", 0, "", 0, grpc::StatusCode::INVALID_ARGUMENT, "parent"},
      {"municipalities/101", 0, "", 0, grpc::StatusCode::PERMISSION_DENIED,
       "parent"},
      {"municipalities/169", -1, "", 0, grpc::StatusCode::INVALID_ARGUMENT,
       "page_size"},
      {"municipalities/169", 0, "garbage!", 0,
       grpc::StatusCode::INVALID_ARGUMENT, "page_token"},
      {"municipalities/169", 0, "", -5, grpc::StatusCode::INVALID_ARGUMENT,
       "after_sequence"},
  };
  for (const Case& c : cases) {
    ListEventsRequest request;
    request.set_parent(c.parent);
    request.set_page_size(c.page_size);
    request.set_page_token(c.token);
    request.set_after_sequence(c.after);
    ListEventsResponse response;
    grpc::Status status = List(Viewer169(), request, &response);
    EXPECT_EQ(status.error_code(), c.code) << c.parent << " " << c.field;
    EXPECT_EQ(status.error_message().substr(0, c.field.size() + 1),
              c.field + ":")
        << status.error_message();
  }
}

TEST_P(ChangeFeedServiceTest, CarriesSubjectsWithDanishLetters) {
  Append("169");
  ListEventsRequest request;
  request.set_parent("municipalities/169");
  ListEventsResponse response;
  grpc::Status status =
      List(Caller("169", {Role::kViewer}, "Søren Ærø"), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.events_size(), 1);
}

TEST_P(ChangeFeedServiceTest, RefusesATokenMadeForAnotherParent) {
  Append("169", 3);
  Identity both{{"169", "101"}, {Role::kViewer}, "x"};
  ListEventsRequest request;
  request.set_parent("municipalities/169");
  request.set_page_size(1);
  ListEventsResponse response;
  ASSERT_TRUE(List(both, request, &response).ok());
  request.set_parent("municipalities/101");
  request.set_page_token(response.next_page_token());
  grpc::Status status = List(both, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_P(ChangeFeedServiceTest, RefusesAnonymousAndForgedCallers) {
  ListEventsRequest request;
  request.set_parent("municipalities/169");
  ListEventsResponse response;
  grpc::ClientContext anonymous;
  EXPECT_EQ(stub_->ListEvents(&anonymous, request, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      stub_->ListEvents(As(Viewer169(), "forged").get(), request, &response)
          .error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(stub_->ListEvents(As(Viewer169(), "").get(), request, &response)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_P(ChangeFeedServiceTest, ALateWatcherGetsTheBacklogThenLiveEvents) {
  Append("169", 3);
  WatchEventsRequest request;
  request.set_parent("municipalities/169");
  request.set_after_sequence(1);
  auto context = As(Viewer169());
  auto reader = stub_->WatchEvents(context.get(), request);
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(100));
    Append("101");  // Not visible to this watcher.
    Append("169", 2);
  });
  std::vector<int64_t> got;
  WatchEventsResponse message;
  while (got.size() < 4 && reader->Read(&message)) {
    got.push_back(message.event().sequence());
  }
  writer.join();
  EXPECT_EQ(got, (std::vector<int64_t>{2, 3, 5, 6}));
  context->TryCancel();
}

TEST_P(ChangeFeedServiceTest, ASlowWatcherStillGetsEverythingInOrder) {
  Append("169", 120);
  WatchEventsRequest request;
  request.set_parent("municipalities/169");
  auto context = As(Viewer169());
  auto reader = stub_->WatchEvents(context.get(), request);
  std::thread writer([&] { Append("169", 30); });
  std::vector<int64_t> got;
  WatchEventsResponse message;
  while (got.size() < 150 && reader->Read(&message)) {
    got.push_back(message.event().sequence());
    if (got.size() % 25 == 0) absl::SleepFor(absl::Milliseconds(20));
  }
  writer.join();
  ASSERT_EQ(got.size(), 150u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i], static_cast<int64_t>(i + 1));
  }
  context->TryCancel();
}

TEST_P(ChangeFeedServiceTest, ShutdownEndsAStreamWithAResumePoint) {
  Append("169", 2);
  WatchEventsRequest request;
  request.set_parent("municipalities/169");
  auto context = As(Viewer169());
  auto reader = stub_->WatchEvents(context.get(), request);
  WatchEventsResponse message;
  ASSERT_TRUE(reader->Read(&message));
  ASSERT_TRUE(reader->Read(&message));
  host_->Shutdown(absl::Seconds(5));
  host_.reset();
  EXPECT_FALSE(reader->Read(&message));
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(status.error_message().find("after_sequence=2"), std::string::npos)
      << status.error_message();
}

KOMMUNE_INSTANTIATE_ENGINE_TEST(ChangeFeedServiceTest);

}  // namespace
}  // namespace kommune
