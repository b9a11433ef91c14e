#include "gateway/auth/jwt_verifier.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace kommune::gateway {
namespace {

using json = nlohmann::json;

// Token text in messages: escaped and cut short, since it comes from the
// caller and may end up in logs.
std::string Quote(absl::string_view s) {
  constexpr size_t kMax = 64;
  std::string quoted =
      absl::StrCat("\"", absl::CHexEscape(s.substr(0, kMax)), "\"");
  if (s.size() > kMax) quoted.insert(quoted.size() - 1, "...");
  return quoted;
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// Decodes one base64url part holding a JSON object.
absl::StatusOr<json> DecodeJsonPart(absl::string_view part,
                                    absl::string_view what) {
  std::string bytes;
  if (!Base64UrlDecode(part, &bytes)) {
    return absl::UnauthenticatedError(
        absl::StrCat("token ", what, " is not valid base64url"));
  }
  json value = json::parse(bytes, nullptr, false);
  if (value.is_discarded() || !value.is_object()) {
    return absl::UnauthenticatedError(
        absl::StrCat("token ", what, " is not a JSON object"));
  }
  return value;
}

// A NumericDate (RFC 7519 section 2): seconds since the epoch, possibly
// fractional. nullopt when it is not a number.
std::optional<absl::Time> NumericDate(const json& value) {
  if (value.is_number_unsigned()) {
    uint64_t seconds = value.get<uint64_t>();
    if (seconds > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return absl::InfiniteFuture();
    }
    return absl::FromUnixSeconds(static_cast<int64_t>(seconds));
  }
  if (value.is_number_integer()) {
    return absl::FromUnixSeconds(value.get<int64_t>());
  }
  if (value.is_number_float()) {
    double seconds = value.get<double>();
    if (std::isnan(seconds)) return std::nullopt;
    return absl::UnixEpoch() + absl::Seconds(seconds);
  }
  return std::nullopt;
}

absl::Status StringList(const json& payload, const std::string& claim,
                        std::vector<std::string>& out) {
  auto it = payload.find(claim);
  if (it == payload.end()) return absl::OkStatus();
  absl::Status wrong = absl::UnauthenticatedError(absl::StrCat(
      "token claim ", Quote(claim), " must be an array of strings"));
  if (!it->is_array()) return wrong;
  for (const json& item : *it) {
    if (!item.is_string()) return wrong;
    out.push_back(item.get<std::string>());
  }
  return absl::OkStatus();
}

absl::StatusOr<VerifiedToken> Verify(absl::string_view token,
                                     const JwksKeys& keys,
                                     const JwtRules& rules, absl::Time now) {
  if (token.size() > kMaxJwtBytes) {
    return absl::UnauthenticatedError(
        absl::StrCat("token is larger than ", kMaxJwtBytes / 1024, " KiB"));
  }
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) {
    return absl::UnauthenticatedError(
        "token is not a compact JWS (three base64url parts joined by '.')");
  }

  // The header: which key and algorithm.
  absl::StatusOr<json> header = DecodeJsonPart(parts[0], "header");
  if (!header.ok()) return header.status();
  auto alg_it = header->find("alg");
  if (alg_it == header->end() || !alg_it->is_string()) {
    return absl::UnauthenticatedError("token header has no \"alg\"");
  }
  const std::string alg_name = alg_it->get<std::string>();
  std::optional<JwsAlgorithm> alg = ParseJwsAlgorithm(alg_name);
  if (!alg.has_value()) {
    return absl::UnauthenticatedError(
        absl::StrCat("algorithm ", Quote(alg_name),
                     " is not accepted (only RS256 and ES256)"));
  }
  // RFC 7515 section 4.1.11: extensions marked critical must be understood,
  // and we understand none.
  if (header->contains("crit")) {
    return absl::UnauthenticatedError(
        "token header has \"crit\" extensions, which are not supported");
  }
  auto kid_it = header->find("kid");
  if (kid_it == header->end() || !kid_it->is_string()) {
    return absl::UnauthenticatedError("token header has no \"kid\"");
  }
  const std::string kid = kid_it->get<std::string>();
  const JwksKey* key = keys.Find(kid);
  if (key == nullptr) {
    return absl::UnauthenticatedError(
        absl::StrCat("unknown key id ", Quote(kid)));
  }
  if (key->algorithm() != *alg) {
    return absl::UnauthenticatedError(absl::StrCat(
        "algorithm ", Quote(alg_name), " does not match key ", Quote(kid),
        ", which is for ", JwsAlgorithmName(key->algorithm())));
  }

  // The signature, before anything in the payload is believed.
  std::string signature;
  if (!Base64UrlDecode(parts[2], &signature)) {
    return absl::UnauthenticatedError("token signature is not valid base64url");
  }
  const absl::string_view signing_input =
      token.substr(0, parts[0].size() + 1 + parts[1].size());
  if (absl::Status s = key->Verify(signing_input, signature); !s.ok()) {
    return s;
  }

  // The claims.
  absl::StatusOr<json> payload = DecodeJsonPart(parts[1], "payload");
  if (!payload.ok()) return payload.status();
  VerifiedToken verified;

  auto iss_it = payload->find("iss");
  if (iss_it == payload->end() || !iss_it->is_string()) {
    return absl::UnauthenticatedError("token has no \"iss\"");
  }
  verified.issuer = iss_it->get<std::string>();
  if (verified.issuer != rules.issuer) {
    return absl::UnauthenticatedError(
        absl::StrCat("token issuer ", Quote(verified.issuer),
                     " is not accepted; expected ", Quote(rules.issuer)));
  }

  auto aud_it = payload->find("aud");
  if (aud_it == payload->end()) {
    return absl::UnauthenticatedError("token has no \"aud\"");
  }
  bool audience_found = false;
  if (aud_it->is_string()) {
    audience_found = aud_it->get<std::string>() == rules.audience;
  } else if (aud_it->is_array()) {
    for (const json& aud : *aud_it) {
      if (!aud.is_string()) {
        return absl::UnauthenticatedError(
            "token \"aud\" must be a string or an array of strings");
      }
      if (aud.get<std::string>() == rules.audience) audience_found = true;
    }
  } else {
    return absl::UnauthenticatedError(
        "token \"aud\" must be a string or an array of strings");
  }
  if (!audience_found) {
    return absl::UnauthenticatedError(absl::StrCat(
        "token audience does not include ", Quote(rules.audience)));
  }

  auto exp_it = payload->find("exp");
  if (exp_it == payload->end()) {
    return absl::UnauthenticatedError("token has no \"exp\"");
  }
  std::optional<absl::Time> exp = NumericDate(*exp_it);
  if (!exp.has_value()) {
    return absl::UnauthenticatedError("token \"exp\" is not a number");
  }
  if (!(now < *exp + rules.clock_skew)) {
    return absl::UnauthenticatedError(
        absl::StrCat("token expired at ", Rfc3339(*exp)));
  }
  verified.expiry = *exp;

  if (auto nbf_it = payload->find("nbf"); nbf_it != payload->end()) {
    std::optional<absl::Time> nbf = NumericDate(*nbf_it);
    if (!nbf.has_value()) {
      return absl::UnauthenticatedError("token \"nbf\" is not a number");
    }
    verified.not_before = *nbf;
    if (now < *nbf - rules.clock_skew) {
      return absl::UnauthenticatedError(
          absl::StrCat("token is not valid before ", Rfc3339(*nbf)));
    }
  }

  auto sub_it = payload->find("sub");
  if (sub_it == payload->end() || !sub_it->is_string() ||
      sub_it->get_ref<const std::string&>().empty()) {
    return absl::UnauthenticatedError("token has no \"sub\"");
  }
  verified.subject = sub_it->get<std::string>();

  if (absl::Status s = StringList(*payload, rules.municipalities_claim,
                                  verified.municipalities);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = StringList(*payload, rules.roles_claim, verified.roles);
      !s.ok()) {
    return s;
  }
  return verified;
}

}  // namespace

absl::StatusOr<VerifiedToken> VerifyJwt(absl::string_view token,
                                        const JwksKeys& keys,
                                        const JwtRules& rules, absl::Time now) {
  // An empty rule would match a token that lacks the claim's value.
  if (rules.issuer.empty()) {
    return absl::InvalidArgumentError("jwt.issuer: must not be empty");
  }
  if (rules.audience.empty()) {
    return absl::InvalidArgumentError("jwt.audience: must not be empty");
  }
  try {
    return Verify(token, keys, rules, now);
  } catch (const json::exception&) {
    // Not expected (every access checks the type first); never let one out.
    return absl::UnauthenticatedError("token is malformed");
  }
}

}  // namespace kommune::gateway
