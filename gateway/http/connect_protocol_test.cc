#include "gateway/http/connect_protocol.h"

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace kommune::gateway {
namespace {

using ::testing::Pair;
using ::testing::UnorderedElementsAre;

struct Row {
  absl::StatusCode code;
  const char* name;
  int http_status;
};

constexpr Row kTable[] = {
    {absl::StatusCode::kCancelled, "canceled", 499},
    {absl::StatusCode::kUnknown, "unknown", 500},
    {absl::StatusCode::kInvalidArgument, "invalid_argument", 400},
    {absl::StatusCode::kDeadlineExceeded, "deadline_exceeded", 504},
    {absl::StatusCode::kNotFound, "not_found", 404},
    {absl::StatusCode::kAlreadyExists, "already_exists", 409},
    {absl::StatusCode::kPermissionDenied, "permission_denied", 403},
    {absl::StatusCode::kUnauthenticated, "unauthenticated", 401},
    {absl::StatusCode::kResourceExhausted, "resource_exhausted", 429},
    {absl::StatusCode::kFailedPrecondition, "failed_precondition", 400},
    {absl::StatusCode::kAborted, "aborted", 409},
    {absl::StatusCode::kOutOfRange, "out_of_range", 400},
    {absl::StatusCode::kUnimplemented, "unimplemented", 501},
    {absl::StatusCode::kInternal, "internal", 500},
    {absl::StatusCode::kUnavailable, "unavailable", 503},
    {absl::StatusCode::kDataLoss, "data_loss", 500},
};

std::optional<std::string> HeaderOf(const HttpResponse& response,
                                    absl::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

TEST(ConnectCodesTest, FullTable) {
  for (const Row& row : kTable) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(HttpStatusFromCode(row.code), row.http_status);
    EXPECT_EQ(ConnectCodeName(row.code), row.name);
    EXPECT_EQ(CodeFromConnectName(row.name), row.code);

    HttpResponse response = ConnectErrorResponse(absl::Status(row.code, "m"));
    EXPECT_EQ(response.status, row.http_status);
    EXPECT_EQ(HeaderOf(response, "content-type"), "application/json");
    nlohmann::json body = nlohmann::json::parse(response.body);
    EXPECT_EQ(body["code"], row.name);
    EXPECT_EQ(body["message"], "m");
    EXPECT_EQ(StatusFromConnectResponse(response.status, response.body),
              absl::Status(row.code, "m"));
  }
}

TEST(ConnectCodesTest, EdgeCases) {
  EXPECT_EQ(HttpStatusFromCode(absl::StatusCode::kOk), 200);
  EXPECT_EQ(ConnectCodeName(absl::StatusCode::kOk), "ok");
  EXPECT_EQ(HttpStatusFromCode(static_cast<absl::StatusCode>(99)), 500);
  EXPECT_EQ(ConnectCodeName(static_cast<absl::StatusCode>(99)), "unknown");
  EXPECT_EQ(CodeFromConnectName("cancelled"), absl::StatusCode::kCancelled);
  EXPECT_EQ(CodeFromConnectName("ok"), absl::StatusCode::kOk);
  EXPECT_EQ(CodeFromConnectName("NOT_FOUND"), absl::StatusCode::kUnknown);
  EXPECT_EQ(CodeFromConnectName(""), absl::StatusCode::kUnknown);
}

TEST(ConnectErrorTest, OkStatusIsNotAnError) {
  HttpResponse response = ConnectErrorResponse(absl::OkStatus());
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, R"({"code":"unknown"})");
}

TEST(ConnectErrorTest, EmptyMessageIsLeftOut) {
  HttpResponse response =
      ConnectErrorResponse(absl::Status(absl::StatusCode::kNotFound, ""));
  EXPECT_EQ(response.body, R"({"code":"not_found"})");
}

TEST(ConnectErrorTest, EscapesTheMessage) {
  const std::string message =
      "policy \"p/1\" not found\nline two\ttab \\ back\x01 "
      "\xC3\xA6\xC3\xB8\xC3\xA5 \xE2\x82\xAC \xF0\x9F\x8F\x9B";
  HttpResponse response = ConnectErrorResponse(absl::NotFoundError(message));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body,
            "{\"code\":\"not_found\",\"message\":\"policy \\\"p/1\\\" not "
            "found\\nline two\\ttab \\\\ back\\u0001 "
            "\xC3\xA6\xC3\xB8\xC3\xA5 \xE2\x82\xAC \xF0\x9F\x8F\x9B\"}");
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["message"], message);
}

TEST(ConnectErrorTest, InvalidUtf8IsReplacedNotThrown) {
  HttpResponse response =
      ConnectErrorResponse(absl::InvalidArgumentError("bad \xFF\xC3 end"));
  EXPECT_EQ(response.status, 400);
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["message"], "bad \xEF\xBF\xBD\xEF\xBF\xBD end");
}

TEST(ConnectErrorTest, StatusFromNonConnectBodies) {
  EXPECT_TRUE(StatusFromConnectResponse(200, "{}").ok());
  EXPECT_EQ(StatusFromConnectResponse(404, "<html>").code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(StatusFromConnectResponse(503, "").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(StatusFromConnectResponse(400, "").code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(StatusFromConnectResponse(418, R"({"code":7})").code(),
            absl::StatusCode::kUnknown);
  EXPECT_EQ(StatusFromConnectResponse(500, R"({"code":"ok"})").code(),
            absl::StatusCode::kUnknown);
}

TEST(ConnectPathTest, ParsesProcedures) {
  auto route = ParseConnectPath("/kommune.policy.v1.PolicyService/GetPolicy");
  ASSERT_TRUE(route.ok()) << route.status();
  EXPECT_EQ(route->service, "kommune.policy.v1.PolicyService");
  EXPECT_EQ(route->method, "GetPolicy");
  EXPECT_EQ(route->full_method(), "/kommune.policy.v1.PolicyService/GetPolicy");

  route = ParseConnectPath("/Svc/_method_2");
  ASSERT_TRUE(route.ok()) << route.status();
  EXPECT_EQ(route->service, "Svc");
  EXPECT_EQ(route->method, "_method_2");
}

TEST(ConnectPathTest, RefusesOtherPaths) {
  for (const char* path :
       {"", "/", "//", "/a.b.Svc", "/a.b.Svc/", "/a.b.Svc/Method/",
        "a.b.Svc/Method", "/a.b.Svc/Method/x", "/a..Svc/Method",
        "/.a.Svc/Method", "/a.Svc./Method", "/a.b.Svc/1Method",
        "/a.2b.Svc/Method", "/a-b.Svc/Method", "/a.b.Svc/Me%74hod",
        "/a.b.Svc/Method?x=1", "/a b.Svc/Method", "/metrics"}) {
    SCOPED_TRACE(path);
    auto route = ParseConnectPath(path);
    EXPECT_EQ(route.status().code(), absl::StatusCode::kNotFound);
  }
}

TEST(ContentTypeTest, AcceptsJsonAndProto) {
  EXPECT_EQ(CodecFromContentType("application/json").value(), Codec::kJson);
  EXPECT_EQ(CodecFromContentType("application/json; charset=utf-8").value(),
            Codec::kJson);
  EXPECT_EQ(CodecFromContentType("Application/JSON;charset=UTF-8").value(),
            Codec::kJson);
  EXPECT_EQ(CodecFromContentType("application/json; charset=\"utf-8\"").value(),
            Codec::kJson);
  EXPECT_EQ(CodecFromContentType("application/proto").value(), Codec::kProto);
  EXPECT_EQ(CodecFromContentType(" application/proto ").value(), Codec::kProto);
  EXPECT_EQ(ContentTypeFor(Codec::kJson), "application/json");
  EXPECT_EQ(ContentTypeFor(Codec::kProto), "application/proto");
}

TEST(ContentTypeTest, RefusesOthers) {
  for (std::optional<std::string> type :
       {std::optional<std::string>(), std::optional<std::string>(""),
        std::optional<std::string>("text/plain"),
        std::optional<std::string>("application/grpc"),
        std::optional<std::string>("application/connect+json"),
        std::optional<std::string>("application/json; charset=latin1"),
        std::optional<std::string>("application/proto; charset=utf-8"),
        std::optional<std::string>("application/jsonx"),
        std::optional<std::string>("application/x-protobuf")}) {
    SCOPED_TRACE(type.value_or("(none)"));
    auto codec = CodecFromContentType(type);
    ASSERT_EQ(codec.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(codec.status().message()),
                ::testing::HasSubstr("content-type"));
  }
}

TEST(ContentTypeTest, UnsupportedMediaTypeResponse) {
  auto codec = CodecFromContentType("text/plain");
  HttpResponse response = UnsupportedMediaTypeResponse(codec.status());
  EXPECT_EQ(response.status, kUnsupportedMediaType);
  EXPECT_EQ(HeaderOf(response, "accept-post"),
            "application/json, application/proto");
  EXPECT_EQ(HeaderOf(response, "content-type"), "application/json");
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["code"], "invalid_argument");
  EXPECT_EQ(body["message"], std::string(codec.status().message()));
}

TEST(ConnectTimeoutTest, Parses) {
  EXPECT_EQ(ParseConnectTimeout(std::nullopt).value(), std::nullopt);
  EXPECT_EQ(ParseConnectTimeout("0").value(), absl::ZeroDuration());
  EXPECT_EQ(ParseConnectTimeout("1500").value(), absl::Milliseconds(1500));
  EXPECT_EQ(ParseConnectTimeout("0000000007").value(), absl::Milliseconds(7));
  EXPECT_EQ(ParseConnectTimeout("9999999999").value(),
            absl::Milliseconds(9999999999));
}

TEST(ConnectTimeoutTest, Refuses) {
  for (const char* header :
       {"", "12345678901", "-1", "+1", "1.5", "1s", " 1", "0x10", "1 2"}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(ParseConnectTimeout(header).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(ConnectProtocolVersionTest, Checks) {
  EXPECT_TRUE(CheckConnectProtocolVersion(std::nullopt).ok());
  EXPECT_TRUE(CheckConnectProtocolVersion("1").ok());
  for (const char* header : {"", "2", "1.0", " 1"}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(CheckConnectProtocolVersion(header).code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(RetryAfterTest, WholeSecondsRoundedUpAtLeastOne) {
  auto retry_after = [](absl::Duration delay) {
    HttpResponse response;
    AddRetryAfter(response, delay);
    return response.headers;
  };
  EXPECT_THAT(retry_after(absl::Milliseconds(1)),
              UnorderedElementsAre(Pair("Retry-After", "1")));
  EXPECT_THAT(retry_after(absl::ZeroDuration()),
              UnorderedElementsAre(Pair("Retry-After", "1")));
  EXPECT_THAT(retry_after(-absl::Seconds(3)),
              UnorderedElementsAre(Pair("Retry-After", "1")));
  EXPECT_THAT(retry_after(absl::Seconds(2)),
              UnorderedElementsAre(Pair("Retry-After", "2")));
  EXPECT_THAT(retry_after(absl::Milliseconds(2001)),
              UnorderedElementsAre(Pair("Retry-After", "3")));

  HttpResponse response;
  response.headers = {{"retry-after", "99"}, {"Content-Type", "x"}};
  AddRetryAfter(response, absl::Seconds(5));
  EXPECT_THAT(response.headers, UnorderedElementsAre(Pair("Content-Type", "x"),
                                                     Pair("Retry-After", "5")));
}

}  // namespace
}  // namespace kommune::gateway
