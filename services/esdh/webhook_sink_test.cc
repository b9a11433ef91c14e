#include "services/esdh/webhook_sink.h"

#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/esdh/sink_http.h"
#include "services/esdh/sink_url.h"
#include "services/esdh/testing/recording_receiver.h"

namespace kommune::esdh {
namespace {

using ::kommune::esdh::testing::Fault;
using ::kommune::esdh::testing::RecordingReceiver;
using ::kommune::esdh::testing::RecordingReceiverOptions;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kSecret[] = "s3cret-for-the-webhook";

v1::JournalRecord MakeRecord(const std::string& key = "hearing-169-h1-memo") {
  v1::JournalRecord record;
  record.set_name("municipalities/169/deliveries/1");
  record.set_idempotency_key(key);
  auto* esdh_case = record.mutable_esdh_case();
  esdh_case->set_case_number("18/12386");
  esdh_case->set_title("Høring om klimapolitik");
  esdh_case->mutable_kle_class()->set_subject("00.01.00");
  esdh_case->mutable_kle_class()->set_action_facet("G01");
  auto* document = record.mutable_document();
  document->set_title("Høringsnotat");
  document->set_direction(v1::DIRECTION_INTERNAL);
  document->set_document_type("Høringsnotat");
  document->mutable_letter_date()->set_year(2024);
  document->mutable_letter_date()->set_month(3);
  document->mutable_letter_date()->set_day(1);
  auto* file = document->add_files();
  file->set_file_name("hoeringsnotat.md");
  file->set_media_type("text/markdown; charset=utf-8");
  static constexpr char kContent[] = "# Høringsnotat\n\0\xff binary too";
  file->set_content(std::string(kContent, sizeof(kContent) - 1));
  record.mutable_origin()->set_service("hearing");
  record.mutable_origin()->set_event_sequence(42);
  record.mutable_origin()->set_event_type("hearing.processed");
  record.mutable_origin()->set_resource("municipalities/169/hearings/h1");
  return record;
}

std::string HexHmac(absl::string_view key, absl::string_view text) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac,
       &len);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(mac), len));
}

// A port nothing listens on.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  bind(fd, reinterpret_cast<sockaddr*>(&address), size);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

class WebhookSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RecordingReceiverOptions options;
    options.secret = kSecret;
    auto receiver = RecordingReceiver::Start(options);
    ASSERT_TRUE(receiver.ok()) << receiver.status();
    receiver_ = *std::move(receiver);
  }

  WebhookOptions Options() const {
    WebhookOptions options;
    options.url = receiver_->Url("/journal/169");
    options.secret = kSecret;
    options.allowed_urls = {receiver_->Url("/journal/")};
    options.timeout = absl::Seconds(5);
    return options;
  }

  std::unique_ptr<Sink> MakeSink(WebhookOptions options) {
    auto sink = MakeWebhookSink(std::move(options));
    EXPECT_TRUE(sink.ok()) << sink.status();
    return sink.ok() ? *std::move(sink) : nullptr;
  }

  // Delivers MakeRecord() once with `fault` and returns the error.
  absl::Status FailWith(Fault fault) {
    receiver_->FailNext(1, std::move(fault));
    auto sink = MakeSink(Options());
    if (sink == nullptr) return absl::InternalError("no sink");
    return sink->Deliver(MakeRecord()).status();
  }

  std::unique_ptr<RecordingReceiver> receiver_;
};

TEST_F(WebhookSinkTest, PostsSignedJsonAndReturnsTheReceipt) {
  auto sink = MakeSink(Options());
  ASSERT_NE(sink, nullptr);
  v1::JournalRecord record = MakeRecord();
  int64_t before = absl::ToUnixSeconds(absl::Now());
  auto receipt = sink->Deliver(record);
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->document_number, "D-1");

  auto requests = receiver_->Requests();
  ASSERT_THAT(requests, SizeIs(1));
  const auto& request = requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/journal/169");
  EXPECT_EQ(request.Header("Content-Type"), "application/json");
  EXPECT_EQ(request.Header("Idempotency-Key"), "hearing-169-h1-memo");
  EXPECT_EQ(request.signature_valid, true);

  // The signature checked here too, against the documented format.
  auto timestamp = request.Header("X-Kommune-Timestamp");
  ASSERT_TRUE(timestamp.has_value());
  int64_t seconds = 0;
  ASSERT_TRUE(absl::SimpleAtoi(*timestamp, &seconds));
  EXPECT_GE(seconds, before);
  EXPECT_LE(seconds, absl::ToUnixSeconds(absl::Now()));
  EXPECT_EQ(request.Header("X-Kommune-Signature"),
            absl::StrCat(
                "sha256=",
                HexHmac(kSecret, absl::StrCat(*timestamp, ".", request.body))));

  // The body is the record's proto JSON, file contents base64.
  v1::JournalRecord parsed;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(request.body, &parsed).ok());
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(parsed, record))
      << parsed.DebugString();
  EXPECT_THAT(
      request.body,
      HasSubstr(absl::Base64Escape(record.document().files(0).content())));
}

TEST_F(WebhookSinkTest, RepeatedDeliveryKeepsItsKey) {
  auto sink = MakeSink(Options());
  ASSERT_NE(sink, nullptr);
  auto first = sink->Deliver(MakeRecord());
  auto second = sink->Deliver(MakeRecord());
  auto other = sink->Deliver(MakeRecord("hearing-169-h1-letter"));
  ASSERT_TRUE(first.ok() && second.ok() && other.ok());
  EXPECT_EQ(first->document_number, "D-1");
  EXPECT_EQ(second->document_number, "D-1");
  EXPECT_EQ(other->document_number, "D-2");
  auto documents = receiver_->Documents();
  ASSERT_THAT(documents, SizeIs(2));
  EXPECT_EQ(documents[0].idempotency_key, "hearing-169-h1-memo");
  EXPECT_EQ(documents[0].deliveries, 2);
  EXPECT_EQ(documents[1].deliveries, 1);
}

TEST_F(WebhookSinkTest, ReceiverSeesAWrongSecret) {
  WebhookOptions options = Options();
  options.secret = "not-the-receivers-secret";
  auto sink = MakeSink(options);
  ASSERT_NE(sink, nullptr);
  ASSERT_TRUE(sink->Deliver(MakeRecord()).ok());
  EXPECT_EQ(receiver_->Requests().at(0).signature_valid, false);
}

TEST_F(WebhookSinkTest, ReceiptsWithoutDocumentNumber) {
  auto sink = MakeSink(Options());
  ASSERT_NE(sink, nullptr);
  for (const char* body :
       {"", "{}", " {\"document_number\": null} ", "{\"other\": 1}"}) {
    receiver_->FailNext(1, Fault::Status(200, body));
    auto receipt = sink->Deliver(MakeRecord());
    ASSERT_TRUE(receipt.ok()) << body << ": " << receipt.status();
    EXPECT_EQ(receipt->document_number, "") << body;
  }
  receiver_->FailNext(1, Fault::Status(204));
  EXPECT_TRUE(sink->Deliver(MakeRecord()).ok());
}

TEST_F(WebhookSinkTest, TwoHundredWithGarbageIsTemporary) {
  absl::Status status = FailWith(Fault::Garbage("<html>Please log in</html>"));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_TRUE(IsTemporary(status));
  EXPECT_THAT(status.message(),
              HasSubstr("the receiver answered 200 but not with a receipt"));
  EXPECT_THAT(status.message(), HasSubstr("<html>Please log in</html>"));

  for (const char* body : {"[1, 2]", "\"D-1\"", "{\"document_number\": 7}",
                           "{\"document_number\": {}}", "{truncated"}) {
    absl::Status s = FailWith(Fault::Status(200, body));
    EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << body << ": " << s;
    EXPECT_THAT(s.message(), HasSubstr("not with a receipt")) << body;
  }
}

TEST_F(WebhookSinkTest, ServerErrorsAreTemporary) {
  absl::Status status = FailWith(Fault::ServerError());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_TRUE(IsTemporary(status));
  EXPECT_THAT(status.message(), HasSubstr("HTTP 503"));
  EXPECT_THAT(status.message(), HasSubstr("overloaded, try later"));

  for (int code : {500, 502, 504, 408}) {
    absl::Status s = FailWith(Fault::Status(code, "oops"));
    EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << code << ": " << s;
    EXPECT_THAT(s.message(), HasSubstr(absl::StrCat("HTTP ", code)));
  }

  status = FailWith(Fault::TooManyRequests());
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
  EXPECT_TRUE(IsTemporary(status));
  EXPECT_THAT(status.message(), HasSubstr("HTTP 429"));
  EXPECT_THAT(status.message(), HasSubstr("Retry-After: 7"));
  EXPECT_THAT(receiver_->Documents(), SizeIs(0));
}

TEST_F(WebhookSinkTest, ClientErrorsArePermanentAndQuoteTheBody) {
  std::string body = std::string(200, 'x') + "TAIL-NOT-QUOTED";
  absl::Status status = FailWith(Fault::Status(422, body));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_FALSE(IsTemporary(status));
  EXPECT_THAT(status.message(), HasSubstr("HTTP 422"));
  EXPECT_THAT(status.message(), HasSubstr(std::string(200, 'x')));
  EXPECT_THAT(status.message(), Not(HasSubstr("TAIL")));

  for (int code : {400, 404, 409, 410}) {
    absl::Status s = FailWith(Fault::Status(code, "no"));
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << code;
    EXPECT_FALSE(IsTemporary(s));
  }
  EXPECT_EQ(FailWith(Fault::Status(401, "who?")).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(FailWith(Fault::Status(403, "no")).code(),
            absl::StatusCode::kPermissionDenied);
  absl::Status too_large = FailWith(Fault::Status(413, "max 1 MB"));
  EXPECT_EQ(too_large.code(), absl::StatusCode::kOutOfRange);
  EXPECT_FALSE(IsTemporary(too_large));
  EXPECT_THAT(too_large.message(), HasSubstr("too large"));
}

TEST_F(WebhookSinkTest, RedirectsAreNotFollowed) {
  std::string elsewhere = receiver_->Url("/journal/elsewhere");
  absl::Status status =
      FailWith(Fault::Status(307, "", {{"Location", elsewhere}}));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), HasSubstr("redirects are not followed"));
  EXPECT_THAT(status.message(), HasSubstr(elsewhere));
  EXPECT_THAT(receiver_->Requests(), SizeIs(1));
}

TEST_F(WebhookSinkTest, TimeoutIsTemporaryAndTheRetryIsDeduplicated) {
  WebhookOptions options = Options();
  options.timeout = absl::Milliseconds(300);
  auto sink = MakeSink(options);
  ASSERT_NE(sink, nullptr);
  receiver_->FailNext(1, Fault::Delay(absl::Seconds(3)));
  absl::Time start = absl::Now();
  auto late = sink->Deliver(MakeRecord());
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded)
      << late.status();
  EXPECT_TRUE(IsTemporary(late.status()));
  EXPECT_THAT(late.status().message(), HasSubstr("no complete answer within"));

  // The receiver took it before answering late: the retry finds it.
  auto retry = sink->Deliver(MakeRecord());
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->document_number, "D-1");
  EXPECT_THAT(receiver_->Documents(), SizeIs(1));
}

TEST_F(WebhookSinkTest, ConnectionResetIsTemporary) {
  auto sink = MakeSink(Options());
  ASSERT_NE(sink, nullptr);
  receiver_->FailNext(1, Fault::Reset());
  auto reset = sink->Deliver(MakeRecord());
  EXPECT_EQ(reset.status().code(), absl::StatusCode::kUnavailable)
      << reset.status();
  EXPECT_TRUE(IsTemporary(reset.status()));
  EXPECT_THAT(reset.status().message(), HasSubstr("connection failed"));

  auto requests = receiver_->Requests();
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_EQ(requests[0].fault, Fault::Kind::kReset);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/journal/169");
  EXPECT_EQ(requests[0].Header("Idempotency-Key"), "hearing-169-h1-memo");
  EXPECT_THAT(receiver_->Documents(), SizeIs(0));

  auto retry = sink->Deliver(MakeRecord());
  EXPECT_TRUE(retry.ok()) << retry.status();
}

TEST_F(WebhookSinkTest, ConnectionRefusedIsTemporary) {
  WebhookOptions options = Options();
  int port = ClosedPort();
  options.url = absl::StrCat("http://127.0.0.1:", port, "/journal/169");
  options.allowed_urls = {absl::StrCat("http://127.0.0.1:", port, "/journal/")};
  auto sink = MakeSink(options);
  ASSERT_NE(sink, nullptr);
  absl::Status status = sink->Deliver(MakeRecord()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_THAT(status.message(), HasSubstr("could not connect"));
}

TEST_F(WebhookSinkTest, FailuresOnDemandThenSuccess) {
  auto sink = MakeSink(Options());
  ASSERT_NE(sink, nullptr);
  receiver_->FailNext(1, Fault::ServerError());
  receiver_->FailNext(1, Fault::Reset());
  receiver_->FailNext(1, Fault::TooManyRequests());
  EXPECT_EQ(sink->Deliver(MakeRecord()).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(sink->Deliver(MakeRecord()).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(sink->Deliver(MakeRecord()).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(sink->Deliver(MakeRecord()).ok());
  EXPECT_THAT(receiver_->Requests(), SizeIs(4));
}

TEST_F(WebhookSinkTest, FailuresWithAProbability) {
  auto sink = MakeSink(Options());
  ASSERT_NE(sink, nullptr);
  receiver_->FailWithProbability(0.5, Fault::Reset(), /*seed=*/7);
  int failed = 0;
  for (int i = 0; i < 20; ++i) {
    auto receipt = sink->Deliver(MakeRecord(absl::StrCat("key-", i)));
    if (!receipt.ok()) {
      ++failed;
      EXPECT_EQ(receipt.status().code(), absl::StatusCode::kUnavailable);
    }
  }
  EXPECT_GT(failed, 0);
  EXPECT_LT(failed, 20);
  EXPECT_THAT(receiver_->Documents(), SizeIs(20 - failed));
}

TEST_F(WebhookSinkTest, RefusesADocumentTooLargeForTheSink) {
  WebhookOptions options = Options();
  options.max_document_bytes = 4096;
  auto sink = MakeSink(options);
  ASSERT_NE(sink, nullptr);
  v1::JournalRecord record = MakeRecord();
  record.mutable_document()->mutable_files(0)->set_content(
      std::string(4096, 'a'));
  absl::Status status = sink->Deliver(record).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange) << status;
  EXPECT_FALSE(IsTemporary(status));
  EXPECT_THAT(status.message(), HasSubstr("document too large for the sink"));
  EXPECT_THAT(receiver_->Requests(), SizeIs(0));
}

TEST_F(WebhookSinkTest, RefusesRecordsItCannotSendSafely) {
  auto sink = MakeSink(Options());
  ASSERT_NE(sink, nullptr);
  v1::JournalRecord record = MakeRecord();
  record.clear_idempotency_key();
  EXPECT_EQ(sink->Deliver(record).status().code(),
            absl::StatusCode::kInvalidArgument);
  record.set_idempotency_key("a\r\nX-Injected: 1");
  EXPECT_EQ(sink->Deliver(record).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(receiver_->Requests(), SizeIs(0));
}

// Construction checks, without a receiver.
absl::Status Make(
    const std::string& url,
    std::vector<std::string> allowed = {"https://esdh.example.dk/journal/"},
    std::string secret = kSecret) {
  WebhookOptions options;
  options.url = url;
  options.allowed_urls = std::move(allowed);
  options.secret = std::move(secret);
  return MakeWebhookSink(std::move(options)).status();
}

TEST(WebhookSinkOptionsTest, AcceptsUrlsUnderAnAllowedPrefix) {
  EXPECT_TRUE(Make("https://esdh.example.dk/journal/169").ok());
  EXPECT_TRUE(Make("https://ESDH.example.dk:443/journal/169?tenant=x").ok());
  EXPECT_TRUE(Make("https://esdh.example.dk/journal/").ok());
  EXPECT_TRUE(Make("https://esdh.example.dk/journal",
                   {"https://esdh.example.dk/journal"})
                  .ok());
  EXPECT_TRUE(
      Make("http://127.0.0.1:8080/hook", {"http://127.0.0.1:8080/"}).ok());
  EXPECT_TRUE(Make("http://127.9.9.9/hook", {"http://127.9.9.9/"}).ok());
  EXPECT_TRUE(Make("http://localhost:9/hook", {"http://localhost:9/"}).ok());
  EXPECT_TRUE(Make("http://[::1]:9/hook", {"http://[::1]:9/"}).ok());
}

TEST(WebhookSinkOptionsTest, RefusesUrlsOutsideTheAllowList) {
  for (const char* url : {
           "https://evil.example.dk/journal/169",
           "https://esdh.example.dk.evil.dk/journal/169",
           "https://esdh.example.dk:8443/journal/169",
           "https://esdh.example.dk/admin",
           "https://esdh.example.dk/journal/../admin",
           "https://esdh.example.dk/journalist",
           "https://esdh.example.dk/",
       }) {
    absl::Status status = Make(url);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << url;
    EXPECT_THAT(status.message(), HasSubstr("webhook.url")) << url;
    EXPECT_THAT(status.message(), HasSubstr("allow-list")) << url;
  }
  EXPECT_THAT(Make("https://esdh.example.dk/journalx",
                   {"https://esdh.example.dk/journal"})
                  .message(),
              HasSubstr("allow-list"));
  EXPECT_THAT(Make("https://esdh.example.dk/journal/1", {}).message(),
              HasSubstr("webhook.allowed_urls is empty"));
  EXPECT_THAT(Make("https://esdh.example.dk/journal/%2e%2e/admin").message(),
              HasSubstr("encoded"));
  EXPECT_THAT(Make("https://esdh.example.dk/journal/..%2Fadmin").message(),
              HasSubstr("encoded"));
}

TEST(WebhookSinkOptionsTest, RefusesPlainHttpToOtherHosts) {
  for (const char* url :
       {"http://esdh.example.dk/journal/169", "http://10.0.0.5/journal/169",
        "http://128.0.0.1/journal/169"}) {
    absl::Status status =
        Make(url, {"http://esdh.example.dk/journal/",
                   "http://10.0.0.5/journal/", "http://128.0.0.1/journal/"});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << url;
    EXPECT_THAT(status.message(), HasSubstr("must use https")) << url;
  }
}

TEST(WebhookSinkOptionsTest, RefusesMalformedUrlsAndOptions) {
  for (const char* url : {"", "esdh.example.dk/journal", "https://",
                          "https://esdh example.dk/journal/",
                          "ftp://esdh.example.dk/journal/", "journal/169"}) {
    absl::Status status = Make(url);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << url;
    EXPECT_THAT(status.message(), HasSubstr("webhook.url")) << url;
  }
  EXPECT_THAT(Make("https://user:pw@esdh.example.dk/journal/1").message(),
              HasSubstr("credentials"));
  EXPECT_THAT(
      Make("https://esdh.example.dk/journal/1", {"not a url"}).message(),
      HasSubstr("webhook.allowed_urls[0]"));
  absl::Status no_secret = Make("https://esdh.example.dk/journal/1",
                                {"https://esdh.example.dk/journal/"}, "");
  EXPECT_EQ(no_secret.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(no_secret.message(), HasSubstr("webhook.secret"));
}

TEST(SinkUrlTest, LoopbackHosts) {
  for (const char* host : {"127.0.0.1", "127.255.0.9", "::1", "localhost",
                           "LocalHost", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"10.0.0.1", "128.0.0.1", "::2", "localhost.evil.dk",
                           "esdh.example.dk", ""}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(SinkHttpTest, BodySnippetKeepsWholeCharacters) {
  EXPECT_EQ(BodySnippet("a\r\nb"), "a  b");
  std::string danish;
  for (int i = 0; i < 150; ++i) danish += "æ";  // two bytes each
  std::string snippet = BodySnippet(danish);
  EXPECT_EQ(snippet, std::string(danish, 0, 200) + "...");
  std::string odd = "x" + danish;  // the cut falls inside a character
  EXPECT_EQ(BodySnippet(odd), std::string(odd, 0, 199) + "...");
}

}  // namespace
}  // namespace kommune::esdh
