#include "services/esdh/sink_url.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace kommune::esdh {
namespace {

struct CurluDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using Curlu = std::unique_ptr<CURLU, CurluDeleter>;

// One part of a parsed URL; empty when the URL has none.
std::string Part(CURLU* u, CURLUPart part, unsigned int flags = 0) {
  char* value = nullptr;
  if (curl_url_get(u, part, &value, flags) != CURLUE_OK || value == nullptr) {
    return "";
  }
  std::string out(value);
  curl_free(value);
  return out;
}

absl::Status Invalid(absl::string_view field, absl::string_view text,
                     absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": \"", text, "\" ", why));
}

absl::StatusOr<SinkUrl> Parse(absl::string_view text, absl::string_view field) {
  if (text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": is empty"));
  }
  // libcurl takes C strings: an embedded NUL would cut the URL short.
  if (text.find('\0') != absl::string_view::npos) {
    return Invalid(field, absl::CHexEscape(text), "holds a NUL byte");
  }
  Curlu u(curl_url());
  if (u == nullptr) return absl::ResourceExhaustedError("out of memory");
  std::string copy(text);
  CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, copy.c_str(), 0);
  if (rc != CURLUE_OK) {
    return Invalid(field, text,
                   absl::StrCat("is not a valid absolute URL (",
                                curl_url_strerror(rc), ")"));
  }
  if (!Part(u.get(), CURLUPART_USER).empty() ||
      !Part(u.get(), CURLUPART_PASSWORD).empty()) {
    // Credentials in a URL end up in logs and error messages.
    return Invalid(field, "(redacted)",
                   "holds a user name or password; credentials do not "
                   "belong in the URL");
  }
  SinkUrl out;
  out.scheme = absl::AsciiStrToLower(Part(u.get(), CURLUPART_SCHEME));
  if (out.scheme != "https" && out.scheme != "http") {
    return Invalid(field, text, "must be an https URL");
  }
  out.host = absl::AsciiStrToLower(Part(u.get(), CURLUPART_HOST));
  if (absl::StartsWith(out.host, "[") && absl::EndsWith(out.host, "]")) {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (out.host.empty()) return Invalid(field, text, "has no host");
  if (!absl::SimpleAtoi(Part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT),
                        &out.port)) {
    return Invalid(field, text, "has no usable port");
  }
  out.path = Part(u.get(), CURLUPART_PATH);
  if (out.path.empty()) out.path = "/";
  std::string lower_path = absl::AsciiStrToLower(out.path);
  for (const char* encoded : {"%2e", "%2f", "%5c", "\\"}) {
    if (absl::StrContains(lower_path, encoded)) {
      return Invalid(field, text,
                     "has an encoded '.', '/' or a '\\' in its path, which "
                     "could lead outside the allowed prefix");
    }
  }
  out.query = Part(u.get(), CURLUPART_QUERY);
  out.url = Part(u.get(), CURLUPART_URL);
  std::string shown_host = absl::StrContains(out.host, ':')
                               ? absl::StrCat("[", out.host, "]")
                               : out.host;
  out.display =
      absl::StrCat(out.scheme, "://", shown_host, ":", out.port, out.path);
  return out;
}

// Whole segments: "/journal" admits "/journal" and "/journal/169" but not
// "/journalx".
bool UnderPrefix(absl::string_view path, absl::string_view prefix) {
  if (!absl::StartsWith(path, prefix)) return false;
  if (path.size() == prefix.size() || absl::EndsWith(prefix, "/")) return true;
  return path[prefix.size()] == '/';
}

}  // namespace

bool IsLoopbackHost(absl::string_view host) {
  if (absl::EqualsIgnoreCase(host, "localhost")) return true;
  std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

absl::StatusOr<SinkUrl> CheckSinkUrl(absl::string_view url,
                                     const std::vector<std::string>& allowed,
                                     absl::string_view field,
                                     absl::string_view allowed_field) {
  std::vector<SinkUrl> prefixes;
  for (size_t i = 0; i < allowed.size(); ++i) {
    auto prefix = Parse(allowed[i], absl::StrCat(allowed_field, "[", i, "]"));
    if (!prefix.ok()) return prefix.status();
    prefixes.push_back(*std::move(prefix));
  }
  auto parsed = Parse(url, field);
  if (!parsed.ok()) return parsed.status();
  if (parsed->scheme != "https" && !IsLoopbackHost(parsed->host)) {
    return Invalid(field, url,
                   "must use https: plain http is allowed only to a loopback "
                   "host (127.0.0.0/8, ::1, localhost)");
  }
  for (const SinkUrl& prefix : prefixes) {
    if (prefix.scheme == parsed->scheme && prefix.host == parsed->host &&
        prefix.port == parsed->port && UnderPrefix(parsed->path, prefix.path)) {
      return parsed;
    }
  }
  if (allowed.empty()) {
    return Invalid(field, url,
                   absl::StrCat("is not allowed: ", allowed_field,
                                " is empty; list the URL prefixes documents "
                                "may be sent to"));
  }
  return Invalid(field, url,
                 absl::StrCat("is not on the allow-list (", allowed_field, ": ",
                              absl::StrJoin(allowed, ", "), ")"));
}

}  // namespace kommune::esdh
