#include "services/esdh/case_system_sink.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/esdh/testing/recording_receiver.h"

namespace kommune::esdh {
namespace {

using ::kommune::esdh::testing::Fault;
using ::kommune::esdh::testing::RecordedRequest;
using ::kommune::esdh::testing::RecordingReceiver;
using ::kommune::esdh::testing::RecordingReceiverOptions;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kToken[] = "case-api-token";

v1::JournalRecord MakeRecord(const std::string& key,
                             const std::string& case_number = "18/12386") {
  v1::JournalRecord record;
  record.set_name("municipalities/169/deliveries/1");
  record.set_idempotency_key(key);
  auto* esdh_case = record.mutable_esdh_case();
  esdh_case->set_case_number(case_number);
  esdh_case->set_title("Klimapolitik 2030");
  esdh_case->mutable_kle_class()->set_subject("00.01.00");
  esdh_case->mutable_kle_class()->set_action_facet("G01");
  auto* document = record.mutable_document();
  document->set_title(absl::StrCat("Dokument ", key));
  document->set_direction(v1::DIRECTION_OUTGOING);
  document->set_document_type("Høringsbrev");
  auto* party = document->add_parties();
  party->set_display_name("Anonym borger");
  party->set_role("modtager");
  auto* file = document->add_files();
  file->set_file_name("brev.md");
  file->set_media_type("text/markdown; charset=utf-8");
  file->set_content("Kære borger\n");
  return record;
}

// "GET /case-api/cases", for comparing request sequences.
std::vector<std::string> Calls(const std::vector<RecordedRequest>& requests) {
  std::vector<std::string> out;
  for (const auto& r : requests) out.push_back(r.method + " " + r.path);
  return out;
}

class CaseSystemSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RecordingReceiverOptions options;
    options.case_api_token = kToken;
    auto receiver = RecordingReceiver::Start(options);
    ASSERT_TRUE(receiver.ok()) << receiver.status();
    receiver_ = *std::move(receiver);
  }

  CaseSystemOptions Options() const {
    CaseSystemOptions options;
    options.base_url = receiver_->CaseSystemUrl();
    options.api_token = kToken;
    options.case_template = "Politik og høring";
    options.allowed_urls = {receiver_->CaseSystemUrl()};
    options.timeout = absl::Seconds(5);
    return options;
  }

  std::unique_ptr<Sink> MakeSink(CaseSystemOptions options) {
    auto sink = MakeCaseSystemSink(std::move(options));
    EXPECT_TRUE(sink.ok()) << sink.status();
    return sink.ok() ? *std::move(sink) : nullptr;
  }

  std::unique_ptr<RecordingReceiver> receiver_;
};

TEST_F(CaseSystemSinkTest, CreatesTheCaseOnceFromTheTemplateAndReusesIt) {
  auto sink = MakeSink(Options());
  ASSERT_NE(sink, nullptr);
  v1::JournalRecord letter = MakeRecord("letter");
  auto first = sink->Deliver(letter);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = sink->Deliver(MakeRecord("memo"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(first->document_number, "D-1");
  EXPECT_EQ(second->document_number, "D-2");

  auto cases = receiver_->Cases();
  ASSERT_THAT(cases, SizeIs(1));
  EXPECT_EQ(cases[0].id, "C-1");
  EXPECT_EQ(cases[0].number, "18/12386");
  EXPECT_EQ(cases[0].title, "Klimapolitik 2030");
  EXPECT_EQ(cases[0].kle, "00.01.00-G01");
  EXPECT_EQ(cases[0].template_name, "Politik og høring");

  auto requests = receiver_->Requests();
  EXPECT_THAT(
      Calls(requests),
      ElementsAre("GET /case-api/cases", "POST /case-api/cases",
                  "POST /case-api/cases/C-1/documents",
                  "POST /case-api/documents/doc-1/journalize",
                  "GET /case-api/cases", "POST /case-api/cases/C-1/documents",
                  "POST /case-api/documents/doc-2/journalize"));
  EXPECT_EQ(requests[0].query, "number=18%2F12386");
  for (const auto& request : requests) {
    EXPECT_EQ(request.Header("Authorization"), absl::StrCat("Bearer ", kToken));
  }
  EXPECT_EQ(requests[2].Header("Idempotency-Key"), "letter");
  EXPECT_EQ(requests[2].Header("Content-Type"), "application/json");

  auto documents = receiver_->Documents();
  ASSERT_THAT(documents, SizeIs(2));
  EXPECT_EQ(documents[0].case_id, "C-1");
  EXPECT_TRUE(documents[0].journalized);
  EXPECT_TRUE(documents[1].journalized);
  // The document as proto JSON, files base64.
  v1::JournalDocument sent;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(documents[0].body, &sent)
          .ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      sent, letter.document()));
}

TEST_F(CaseSystemSinkTest, KeepsCasesApartByNumber) {
  auto sink = MakeSink(Options());
  ASSERT_NE(sink, nullptr);
  ASSERT_TRUE(sink->Deliver(MakeRecord("a", "18/12386")).ok());
  ASSERT_TRUE(sink->Deliver(MakeRecord("b", "18%2F12386")).ok());
  ASSERT_TRUE(sink->Deliver(MakeRecord("c", "Sag æ&ø=1")).ok());
  ASSERT_TRUE(sink->Deliver(MakeRecord("d", "18/12386")).ok());
  auto cases = receiver_->Cases();
  ASSERT_THAT(cases, SizeIs(3));
  EXPECT_EQ(cases[1].number, "18%2F12386");
  EXPECT_EQ(cases[2].number, "Sag æ&ø=1");
  auto documents = receiver_->Documents();
  ASSERT_THAT(documents, SizeIs(4));
  EXPECT_EQ(documents[3].case_id, "C-1");
}

TEST_F(CaseSystemSinkTest, ARepeatedDeliveryMakesNoSecondDocument) {
  auto sink = MakeSink(Options());
  ASSERT_NE(sink, nullptr);
  auto first = sink->Deliver(MakeRecord("letter"));
  auto again = sink->Deliver(MakeRecord("letter"));
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(again->document_number, first->document_number);
  auto documents = receiver_->Documents();
  ASSERT_THAT(documents, SizeIs(1));
  EXPECT_EQ(documents[0].deliveries, 2);
}

TEST_F(CaseSystemSinkTest, AFailureHalfWayIsRetriedAsAWhole) {
  auto sink = MakeSink(Options());
  ASSERT_NE(sink, nullptr);
  // Lookup, creation and the document pass; journalising fails.
  receiver_->FailNext(3, Fault());
  receiver_->FailNext(1, Fault::ServerError());
  auto failed = sink->Deliver(MakeRecord("letter"));
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(failed.status().message(), HasSubstr("journalize"));
  EXPECT_THAT(failed.status().message(), HasSubstr("HTTP 503"));
  EXPECT_FALSE(receiver_->Documents().at(0).journalized);

  auto retry = sink->Deliver(MakeRecord("letter"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->document_number, "D-1");
  EXPECT_THAT(receiver_->Cases(), SizeIs(1));
  auto documents = receiver_->Documents();
  ASSERT_THAT(documents, SizeIs(1));
  EXPECT_TRUE(documents[0].journalized);
}

TEST_F(CaseSystemSinkTest, MapsFailuresLikeTheWebhook) {
  auto sink = MakeSink(Options());
  ASSERT_NE(sink, nullptr);

  receiver_->FailNext(1, Fault::Reset());
  absl::Status reset = sink->Deliver(MakeRecord("a")).status();
  EXPECT_EQ(reset.code(), absl::StatusCode::kUnavailable) << reset;

  receiver_->FailNext(1, Fault::TooManyRequests());
  EXPECT_EQ(sink->Deliver(MakeRecord("a")).status().code(),
            absl::StatusCode::kResourceExhausted);

  receiver_->FailNext(1, Fault::Garbage());
  absl::Status garbage = sink->Deliver(MakeRecord("a")).status();
  EXPECT_EQ(garbage.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(garbage.message(), HasSubstr("not with a case id"));

  receiver_->FailNext(1, Fault::Status(200, R"({"id": ".."})"));
  EXPECT_THAT(sink->Deliver(MakeRecord("a")).status().message(),
              HasSubstr("unusable case id"));

  receiver_->FailNext(2, Fault());  // lookup and creation pass
  receiver_->FailNext(1, Fault::Status(422, R"({"error": "no title"})"));
  absl::Status refused = sink->Deliver(MakeRecord("a")).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(IsTemporary(refused));
  EXPECT_THAT(refused.message(), HasSubstr("HTTP 422"));
  EXPECT_THAT(refused.message(), HasSubstr("no title"));

  receiver_->FailNext(1, Fault::Delay(absl::Seconds(3)));
  CaseSystemOptions quick = Options();
  quick.timeout = absl::Milliseconds(300);
  auto impatient = MakeSink(quick);
  ASSERT_NE(impatient, nullptr);
  EXPECT_EQ(impatient->Deliver(MakeRecord("a")).status().code(),
            absl::StatusCode::kDeadlineExceeded);

  EXPECT_TRUE(sink->Deliver(MakeRecord("a")).ok());
  EXPECT_THAT(receiver_->Documents(), SizeIs(1));
}

TEST_F(CaseSystemSinkTest, AConflictWhileCreatingLooksTheCaseUpAgain) {
  auto sink = MakeSink(Options());
  ASSERT_NE(sink, nullptr);
  receiver_->FailNext(1, Fault());
  receiver_->FailNext(1, Fault::Status(409, "exists"));
  absl::Status status = sink->Deliver(MakeRecord("a")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("exists (409) but cannot find it"));
  EXPECT_THAT(Calls(receiver_->Requests()),
              ElementsAre("GET /case-api/cases", "POST /case-api/cases",
                          "GET /case-api/cases"));
}

TEST_F(CaseSystemSinkTest, AWrongTokenIsPermanent) {
  CaseSystemOptions options = Options();
  options.api_token = "wrong";
  auto sink = MakeSink(options);
  ASSERT_NE(sink, nullptr);
  absl::Status status = sink->Deliver(MakeRecord("a")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_FALSE(IsTemporary(status));
}

TEST_F(CaseSystemSinkTest, RefusesADocumentTooLargeForTheSink) {
  CaseSystemOptions options = Options();
  options.max_document_bytes = 1000;
  auto sink = MakeSink(options);
  ASSERT_NE(sink, nullptr);
  v1::JournalRecord record = MakeRecord("a");
  record.mutable_document()->mutable_files(0)->set_content(
      std::string(1000, 'x'));
  absl::Status status = sink->Deliver(record).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(status.message(), HasSubstr("document too large for the sink"));
  EXPECT_THAT(receiver_->Requests(), SizeIs(0));
}

TEST(CaseSystemSinkOptionsTest, RefusesBadOptions) {
  CaseSystemOptions good;
  good.base_url = "https://sag.example.dk/api/v1";
  good.api_token = kToken;
  good.case_template = "Standard";
  good.allowed_urls = {"https://sag.example.dk/api/"};
  EXPECT_TRUE(MakeCaseSystemSink(good).ok());

  auto refused = [&](auto change, const char* field) {
    CaseSystemOptions options = good;
    change(options);
    absl::Status status = MakeCaseSystemSink(options).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_THAT(status.message(), HasSubstr(field));
  };
  refused([](auto& o) { o.base_url = "https://other.example.dk/api/v1"; },
          "case_system.base_url");
  refused([](auto& o) { o.base_url = "http://sag.example.dk/api/v1"; },
          "case_system.base_url");
  refused([](auto& o) { o.base_url = "https://sag.example.dk/api/v1?x=1"; },
          "case_system.base_url");
  refused([](auto& o) { o.base_url = "::"; }, "case_system.base_url");
  refused([](auto& o) { o.api_token = ""; }, "case_system.api_token");
  refused([](auto& o) { o.api_token = "a\nb"; }, "case_system.api_token");
  refused([](auto& o) { o.case_template = ""; }, "case_system.case_template");
}

}  // namespace
}  // namespace kommune::esdh
