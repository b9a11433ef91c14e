#include "services/esdh/sink_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"

namespace kommune::esdh {
namespace {

// Receipts are small; a receiver streaming more is broken or hostile.
constexpr size_t kMaxAnswerBytes = 1 << 20;
constexpr size_t kSnippetBytes = 200;

// curl_global_init is not thread-safe: run it once, before any handle.
void InitCurlOnce() {
  static const bool initialized = [] {
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  }();
  (void)initialized;
}

struct Reading {
  HttpAnswer* answer;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* reading = static_cast<Reading*>(user);
  size_t bytes = size * count;
  if (reading->answer->body.size() + bytes > kMaxAnswerBytes) {
    reading->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  reading->answer->body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<HttpAnswer*>(user);
  size_t bytes = size * count;
  absl::string_view line(data, bytes);
  if (absl::StartsWith(line, "HTTP/")) {
    // A new response (after "100 Continue"): forget the previous headers.
    answer->location.clear();
    answer->retry_after.clear();
    return bytes;
  }
  size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return bytes;
  absl::string_view name = line.substr(0, colon);
  absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
  if (absl::EqualsIgnoreCase(name, "Location")) {
    answer->location = std::string(value);
  } else if (absl::EqualsIgnoreCase(name, "Retry-After")) {
    answer->retry_after = std::string(value);
  }
  return bytes;
}

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  bool Add(const std::string& header) {
    curl_slist* next = curl_slist_append(list, header.c_str());
    if (next == nullptr) return false;
    list = next;
    return true;
  }
};

std::string Quoted(const HttpAnswer& answer) {
  if (answer.body.empty()) return "(empty body)";
  return BodySnippet(answer.body);
}

}  // namespace

HttpClient::HttpClient() {
  InitCurlOnce();
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (curl_ != nullptr) curl_easy_cleanup(curl_);
}

absl::StatusOr<HttpAnswer> HttpClient::Send(const HttpCall& call) {
  if (curl_ == nullptr) {
    return absl::UnavailableError(
        absl::StrCat(call.what, ": could not create a libcurl handle"));
  }
  // Reset keeps the connection cache, so a delivery's calls share one.
  curl_easy_reset(curl_);
  HttpAnswer answer;
  Reading reading{&answer};
  char error[CURL_ERROR_SIZE] = {0};
  HeaderList headers;
  bool headers_ok = true;
  for (const std::string& header : call.headers) {
    headers_ok = headers_ok && headers.Add(header);
  }
  // Without this libcurl waits for "100 Continue" before large bodies.
  headers_ok = headers_ok && headers.Add("Expect:");
  if (!headers_ok) {
    return absl::UnavailableError(absl::StrCat(call.what, ": out of memory"));
  }
  long timeout_ms = static_cast<long>(
      std::max<int64_t>(1, absl::ToInt64Milliseconds(call.timeout)));
  curl_easy_setopt(curl_, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);  // threads, no SIGALRM
  curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 0L);  // the URL is checked
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl_, CURLOPT_USERAGENT, "kommune-esdh-connector/1");
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &reading);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &answer);
  if (call.method == "POST") {
    curl_easy_setopt(curl_, CURLOPT_POST, 1L);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(call.body.size()));
  } else {
    curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
  }
  CURLcode rc = curl_easy_perform(curl_);
  // The buffer lives on this stack frame: the handle must not keep it.
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
  std::string detail = error[0] != '\0' ? error : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_OK:
      break;
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(absl::StrCat(
          call.what, ": no complete answer within ",
          absl::FormatDuration(call.timeout), " (", detail,
          "); the receiver may have the document, the retry carries the same "
          "Idempotency-Key"));
    case CURLE_COULDNT_CONNECT:
      return absl::UnavailableError(
          absl::StrCat(call.what, ": could not connect (", detail, ")"));
    case CURLE_COULDNT_RESOLVE_HOST:
      return absl::UnavailableError(absl::StrCat(
          call.what, ": could not resolve the host (", detail, ")"));
    case CURLE_WRITE_ERROR:
      if (reading.too_large) {
        return absl::UnavailableError(
            absl::StrCat(call.what, ": the answer was larger than ",
                         kMaxAnswerBytes, " bytes; a receipt is small"));
      }
      [[fallthrough]];
    default:
      return absl::UnavailableError(
          absl::StrCat(call.what, ": the connection failed (", detail, ")"));
  }
  long status = 0;
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
  answer.status = static_cast<int>(status);
  return answer;
}

absl::Status StatusFromAnswer(const HttpAnswer& answer,
                              absl::string_view what) {
  int s = answer.status;
  if (s >= 200 && s <= 299) return absl::OkStatus();
  std::string said =
      absl::StrCat(what, ": the receiver answered HTTP ", s, ": ");
  if (s >= 300 && s <= 399) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, ": the receiver answered HTTP ", s, " redirecting to \"",
        answer.location,
        "\"; redirects are not followed, configure the final URL"));
  }
  std::string retry_after =
      answer.retry_after.empty()
          ? ""
          : absl::StrCat(" (Retry-After: ", answer.retry_after, ")");
  if (s == 429) {
    return absl::ResourceExhaustedError(
        absl::StrCat(said, Quoted(answer), retry_after));
  }
  if (s == 408 || s >= 500) {
    return absl::UnavailableError(
        absl::StrCat(said, Quoted(answer), retry_after));
  }
  if (s == 401) {
    return absl::UnauthenticatedError(
        absl::StrCat(said, Quoted(answer), "; check the credentials"));
  }
  if (s == 403) {
    return absl::PermissionDeniedError(absl::StrCat(said, Quoted(answer)));
  }
  if (s == 413) {
    return absl::OutOfRangeError(absl::StrCat(
        what,
        ": document too large for the receiver (HTTP 413): ", Quoted(answer)));
  }
  return absl::FailedPreconditionError(absl::StrCat(said, Quoted(answer)));
}

namespace {

absl::Status NotExpected(const HttpAnswer& answer, absl::string_view what,
                         absl::string_view expected, absl::string_view why) {
  return absl::UnavailableError(absl::StrCat(
      what, ": the receiver answered ", answer.status, " but not with ",
      expected, ": ", why, ": ", Quoted(answer)));
}

}  // namespace

absl::StatusOr<google::protobuf::Struct> ParseJsonAnswer(
    const HttpAnswer& answer, absl::string_view what,
    absl::string_view expected) {
  google::protobuf::Struct object;
  if (absl::StripAsciiWhitespace(answer.body).empty()) return object;
  auto status =
      google::protobuf::util::JsonStringToMessage(answer.body, &object);
  if (!status.ok()) {
    return NotExpected(answer, what, expected, "not a JSON object");
  }
  return object;
}

absl::StatusOr<std::string> StringField(const HttpAnswer& answer,
                                        const google::protobuf::Struct& object,
                                        absl::string_view name, bool required,
                                        absl::string_view what,
                                        absl::string_view expected) {
  auto it = object.fields().find(std::string(name));
  std::string value;
  if (it != object.fields().end()) {
    switch (it->second.kind_case()) {
      case google::protobuf::Value::kStringValue:
        value = it->second.string_value();
        break;
      case google::protobuf::Value::kNullValue:
        break;
      default:
        return NotExpected(answer, what, expected,
                           absl::StrCat("\"", name, "\" is not a string"));
    }
  }
  if (required && value.empty()) {
    return NotExpected(answer, what, expected,
                       absl::StrCat("no \"", name, "\""));
  }
  return value;
}

std::string UrlEscape(absl::string_view text) {
  InitCurlOnce();
  // The handle argument is ignored since libcurl 7.82.
  char* escaped =
      curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  if (escaped == nullptr) return "";
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

absl::Status CheckHeaderValue(absl::string_view value,
                              absl::string_view field) {
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F) {
      return absl::InvalidArgumentError(
          absl::StrCat(field,
                       ": holds a character that cannot go into an HTTP header "
                       "(only printable ASCII can)"));
    }
  }
  return absl::OkStatus();
}

std::string BodySnippet(absl::string_view body) {
  size_t end = std::min(body.size(), kSnippetBytes);
  // Back off over UTF-8 continuation bytes so no character is split.
  if (end < body.size()) {
    while (end > 0 && (static_cast<unsigned char>(body[end]) & 0xC0) == 0x80) {
      --end;
    }
  }
  std::string out(body.substr(0, end));
  for (char& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = ' ';
  }
  if (end < body.size()) out += "...";
  return out;
}

}  // namespace kommune::esdh
