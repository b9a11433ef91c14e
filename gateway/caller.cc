#include "gateway/caller.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "services/common/municipalities.h"

namespace kommune::gateway {
namespace {

Identity ToIdentity(std::string subject,
                    const std::vector<std::string>& municipalities,
                    const std::vector<std::string>& roles) {
  Identity identity;
  identity.subject = std::move(subject);
  for (const std::string& code : municipalities) {
    if (FindMunicipality(code) != nullptr && !identity.ActsFor(code)) {
      identity.municipality_codes.push_back(code);
    }
  }
  for (const std::string& name : roles) {
    std::optional<Role> role = ParseRole(name);
    if (role.has_value() && !identity.HasRole(*role)) {
      identity.roles.push_back(*role);
    }
  }
  return identity;
}

}  // namespace

absl::StatusOr<Caller> Authenticator::Authenticate(
    const HeaderLookup& header, absl::string_view peer_address,
    absl::Time now) const {
  std::optional<std::string> authorization = header(kAuthorizationHeader);
  std::optional<std::string> api_key = header(kApiKeyHeader);
  Caller caller;
  if (authorization.has_value() && api_key.has_value()) {
    return absl::UnauthenticatedError(
        "send either an authorization bearer token or an x-api-key, not "
        "both");
  }
  if (authorization.has_value()) {
    absl::string_view value = *authorization;
    constexpr absl::string_view kBearer = "bearer ";
    if (value.size() <= kBearer.size() ||
        !absl::EqualsIgnoreCase(value.substr(0, kBearer.size()), kBearer)) {
      return absl::UnauthenticatedError(
          "authorization: expected \"Bearer <token>\"");
    }
    if (jwks_ == nullptr) {
      return absl::UnauthenticatedError(
          "authorization: this gateway accepts no bearer tokens");
    }
    return AuthenticateToken(
        absl::StripAsciiWhitespace(value.substr(kBearer.size())), now);
  }
  if (api_key.has_value()) {
    absl::StatusOr<const ApiKeyEntry*> entry = api_keys_.Check(*api_key);
    if (!entry.ok()) {
      return absl::UnauthenticatedError(
          absl::StrCat("x-api-key: ", entry.status().message()));
    }
    caller.kind = Caller::Kind::kApiKey;
    caller.identity = ToIdentity(absl::StrCat("key:", (*entry)->id),
                                 (*entry)->municipalities, (*entry)->roles);
    caller.principal = caller.identity.subject;
    return caller;
  }
  caller.principal = absl::StrCat("address:", peer_address);
  return caller;
}

absl::StatusOr<Caller> Authenticator::AuthenticateToken(absl::string_view token,
                                                        absl::Time now) const {
  std::shared_ptr<const JwksKeys> keys = jwks_->Current();
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = cache_.find(token);
    if (it != cache_.end() && it->second.keys == keys &&
        now < it->second.expiry && now >= it->second.not_before) {
      return it->second.caller;
    }
  }
  absl::StatusOr<VerifiedToken> verified = VerifyJwt(token, *keys, rules_, now);
  if (!verified.ok()) {
    return absl::UnauthenticatedError(
        absl::StrCat("authorization: ", verified.status().message()));
  }
  VerifiedCaller entry;
  entry.keys = std::move(keys);
  entry.expiry = verified->expiry + rules_.clock_skew;
  entry.not_before = verified->not_before == absl::InfinitePast()
                         ? absl::InfinitePast()
                         : verified->not_before - rules_.clock_skew;
  entry.caller.kind = Caller::Kind::kToken;
  entry.caller.identity =
      ToIdentity(verified->subject, verified->municipalities, verified->roles);
  entry.caller.principal = absl::StrCat("token:", verified->subject);
  Caller caller = entry.caller;
  absl::MutexLock lock(&cache_mu_);
  if (cache_.size() >= kMaxCachedTokens) cache_.clear();
  cache_[std::string(token)] = std::move(entry);
  return caller;
}

std::string PeerAddress(absl::string_view grpc_peer) {
  absl::string_view rest = grpc_peer;
  if (absl::ConsumePrefix(&rest, "ipv4:")) {
    size_t colon = rest.rfind(':');
    return std::string(rest.substr(0, colon));
  }
  if (absl::ConsumePrefix(&rest, "ipv6:")) {
    // gRPC percent-encodes the brackets: "ipv6:%5B::1%5D:5000".
    std::string decoded =
        absl::StrReplaceAll(rest, {{"%5B", "["}, {"%5D", "]"}, {"%25", "%"}});
    size_t bracket = decoded.rfind(']');
    if (absl::StartsWith(decoded, "[") && bracket != std::string::npos) {
      return decoded.substr(1, bracket - 1);
    }
    return decoded;
  }
  return std::string(grpc_peer);
}

}  // namespace kommune::gateway
