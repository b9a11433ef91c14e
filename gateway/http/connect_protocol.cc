#include "gateway/http/connect_protocol.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"

namespace kommune::gateway {
namespace {

struct CodeInfo {
  absl::StatusCode code;
  absl::string_view name;
  int http_status;
};

// Connect's table (https://connectrpc.com/docs/protocol#error-codes).
constexpr CodeInfo kCodes[] = {
    {absl::StatusCode::kCancelled, "canceled", 499},
    {absl::StatusCode::kUnknown, "unknown", 500},
    {absl::StatusCode::kInvalidArgument, "invalid_argument", 400},
    {absl::StatusCode::kDeadlineExceeded, "deadline_exceeded", 504},
    {absl::StatusCode::kNotFound, "not_found", 404},
    {absl::StatusCode::kAlreadyExists, "already_exists", 409},
    {absl::StatusCode::kPermissionDenied, "permission_denied", 403},
    {absl::StatusCode::kResourceExhausted, "resource_exhausted", 429},
    {absl::StatusCode::kFailedPrecondition, "failed_precondition", 400},
    {absl::StatusCode::kAborted, "aborted", 409},
    {absl::StatusCode::kOutOfRange, "out_of_range", 400},
    {absl::StatusCode::kUnimplemented, "unimplemented", 501},
    {absl::StatusCode::kInternal, "internal", 500},
    {absl::StatusCode::kUnavailable, "unavailable", 503},
    {absl::StatusCode::kDataLoss, "data_loss", 500},
    {absl::StatusCode::kUnauthenticated, "unauthenticated", 401},
};

const CodeInfo* Find(absl::StatusCode code) {
  for (const CodeInfo& info : kCodes) {
    if (info.code == code) return &info;
  }
  return nullptr;
}

bool IsIdentifier(absl::string_view s) {
  if (s.empty() || absl::ascii_isdigit(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return absl::ascii_isalnum(c) || c == '_'; });
}

HttpResponse JsonError(int http_status, absl::string_view code,
                       absl::string_view message) {
  nlohmann::json body = {{"code", std::string(code)}};
  if (!message.empty()) body["message"] = std::string(message);
  HttpResponse response;
  response.status = http_status;
  response.headers.emplace_back("Content-Type", "application/json");
  // Replace, not throw, on invalid UTF-8: messages may quote client input.
  response.body =
      body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace

int HttpStatusFromCode(absl::StatusCode code) {
  if (code == absl::StatusCode::kOk) return 200;
  const CodeInfo* info = Find(code);
  return info == nullptr ? 500 : info->http_status;
}

absl::string_view ConnectCodeName(absl::StatusCode code) {
  if (code == absl::StatusCode::kOk) return "ok";
  const CodeInfo* info = Find(code);
  return info == nullptr ? "unknown" : info->name;
}

absl::StatusCode CodeFromConnectName(absl::string_view name) {
  if (name == "ok") return absl::StatusCode::kOk;
  if (name == "cancelled") return absl::StatusCode::kCancelled;
  for (const CodeInfo& info : kCodes) {
    if (info.name == name) return info.code;
  }
  return absl::StatusCode::kUnknown;
}

HttpResponse ConnectErrorResponse(const absl::Status& status) {
  absl::StatusCode code =
      status.ok() ? absl::StatusCode::kUnknown : status.code();
  return JsonError(HttpStatusFromCode(code), ConnectCodeName(code),
                   status.message());
}

absl::Status StatusFromConnectResponse(int http_status,
                                       absl::string_view body) {
  if (http_status == 200) return absl::OkStatus();
  nlohmann::json json = nlohmann::json::parse(body.begin(), body.end(), nullptr,
                                              /*allow_exceptions=*/false);
  if (json.is_object() && json.contains("code") && json["code"].is_string()) {
    std::string message;
    if (json.contains("message") && json["message"].is_string()) {
      message = json["message"].get<std::string>();
    }
    absl::StatusCode code =
        CodeFromConnectName(json["code"].get<std::string>());
    if (code == absl::StatusCode::kOk) code = absl::StatusCode::kUnknown;
    return absl::Status(code, message);
  }
  // Not a Connect error (a proxy's page, say): Connect's fallback table.
  absl::StatusCode code = absl::StatusCode::kUnknown;
  switch (http_status) {
    case 400:
      code = absl::StatusCode::kInternal;
      break;
    case 401:
      code = absl::StatusCode::kUnauthenticated;
      break;
    case 403:
      code = absl::StatusCode::kPermissionDenied;
      break;
    case 404:
      code = absl::StatusCode::kUnimplemented;
      break;
    case 429:
    case 502:
    case 503:
    case 504:
      code = absl::StatusCode::kUnavailable;
      break;
    default:
      break;
  }
  return absl::Status(code, absl::StrCat("HTTP status ", http_status));
}

std::string ConnectRoute::full_method() const {
  return absl::StrCat("/", service, "/", method);
}

absl::StatusOr<ConnectRoute> ParseConnectPath(absl::string_view path) {
  auto not_found = [&] {
    return absl::NotFoundError(absl::StrCat(
        "no procedure at \"", path, "\"; expected /package.Service/Method"));
  };
  absl::string_view rest = path;
  if (!absl::ConsumePrefix(&rest, "/")) return not_found();
  std::vector<absl::string_view> parts = absl::StrSplit(rest, '/');
  if (parts.size() != 2 || !IsIdentifier(parts[1])) return not_found();
  for (absl::string_view name : absl::StrSplit(parts[0], '.')) {
    if (!IsIdentifier(name)) return not_found();
  }
  return ConnectRoute{std::string(parts[0]), std::string(parts[1])};
}

absl::string_view ContentTypeFor(Codec codec) {
  return codec == Codec::kJson ? "application/json" : "application/proto";
}

absl::StatusOr<Codec> CodecFromContentType(
    std::optional<std::string> content_type) {
  if (!content_type.has_value()) {
    return absl::InvalidArgumentError(
        "content-type missing; use application/json or application/proto");
  }
  auto unsupported = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("content-type \"", *content_type,
                     "\" is not supported; use application/json or "
                     "application/proto"));
  };
  std::vector<absl::string_view> parts = absl::StrSplit(*content_type, ';');
  std::string media(absl::StripAsciiWhitespace(parts[0]));
  absl::AsciiStrToLower(&media);
  Codec codec;
  if (media == "application/json") {
    codec = Codec::kJson;
  } else if (media == "application/proto") {
    codec = Codec::kProto;
  } else {
    return unsupported();
  }
  // JSON is UTF-8 by definition; a charset saying so is fine, any other
  // parameter is not understood.
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string param(absl::StripAsciiWhitespace(parts[i]));
    absl::AsciiStrToLower(&param);
    if (codec == Codec::kJson &&
        (param == "charset=utf-8" || param == "charset=\"utf-8\"")) {
      continue;
    }
    return unsupported();
  }
  return codec;
}

HttpResponse UnsupportedMediaTypeResponse(const absl::Status& status) {
  HttpResponse response = JsonError(
      kUnsupportedMediaType,
      ConnectCodeName(absl::StatusCode::kInvalidArgument), status.message());
  response.headers.emplace_back("Accept-Post",
                                "application/json, application/proto");
  return response;
}

absl::StatusOr<std::optional<absl::Duration>> ParseConnectTimeout(
    std::optional<std::string> header) {
  if (!header.has_value()) return std::nullopt;
  int64_t millis = 0;
  if (header->empty() || header->size() > 10 ||
      !std::all_of(header->begin(), header->end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(*header, &millis)) {
    return absl::InvalidArgumentError(
        absl::StrCat("connect-timeout-ms \"", *header,
                     "\" is not 1 to 10 digits of milliseconds"));
  }
  return absl::Milliseconds(millis);
}

absl::Status CheckConnectProtocolVersion(std::optional<std::string> header) {
  if (!header.has_value() || *header == "1") return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "connect-protocol-version \"", *header, "\" is not supported; use 1"));
}

void AddRetryAfter(HttpResponse& response, absl::Duration delay) {
  int64_t seconds = absl::ToInt64Seconds(absl::Ceil(delay, absl::Seconds(1)));
  seconds = std::max<int64_t>(seconds, 1);
  auto& headers = response.headers;
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [](const auto& header) {
                                 return absl::EqualsIgnoreCase(header.first,
                                                               "retry-after");
                               }),
                headers.end());
  headers.emplace_back("Retry-After", absl::StrCat(seconds));
}

}  // namespace kommune::gateway
