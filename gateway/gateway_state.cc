#include "gateway/gateway_state.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/embedded_file.h"
#include "services/common/municipalities.h"

namespace kommune::gateway {

// The descriptor set of every contract, built by proto/CMakeLists.txt.
std::vector<kommune::EmbeddedFile> ApiDescriptorSet();

namespace {

absl::Duration ToDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

absl::StatusOr<std::shared_ptr<const ApiCatalog>> LoadCatalog(
    const GatewayConfig& config) {
  if (config.descriptor_set_file().empty()) {
    return ApiCatalog::FromDescriptorSet(ApiDescriptorSet().at(0).content);
  }
  absl::StatusOr<std::string> content = ReadFile(config.descriptor_set_file());
  if (!content.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("descriptor_set_file: ", content.status().message()));
  }
  return ApiCatalog::FromDescriptorSet(*content);
}

}  // namespace

absl::StatusOr<std::shared_ptr<const GatewayState>> BuildGatewayState(
    GatewayConfig config, const BackendCache& previous,
    std::shared_ptr<JwksFile> previous_jwks) {
  auto state = std::make_shared<GatewayState>();
  absl::StatusOr<std::shared_ptr<const ApiCatalog>> catalog =
      LoadCatalog(config);
  if (!catalog.ok()) return catalog.status();
  state->catalog = *std::move(catalog);

  Backend::Options backend_options;
  backend_options.max_request_bytes = config.limits().max_request_bytes();
  backend_options.max_response_bytes = config.limits().max_response_bytes();
  for (int i = 0; i < config.backends_size(); ++i) {
    const auto& spec = config.backends(i);
    std::vector<std::string> addresses(spec.addresses().begin(),
                                       spec.addresses().end());
    std::string key =
        absl::StrCat(spec.name(), "=", absl::StrJoin(addresses, ","), ";",
                     backend_options.max_request_bytes, ";",
                     backend_options.max_response_bytes);
    auto cached = previous.find(key);
    std::shared_ptr<Backend> backend =
        cached != previous.end()
            ? cached->second
            : std::make_shared<Backend>(spec.name(), std::move(addresses),
                                        backend_options);
    state->backends_by_key[key] = backend;
    for (int j = 0; j < spec.services_size(); ++j) {
      if (state->catalog->FindService(spec.services(j)) == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("backends[", i, "].services[", j,
                         "]: no contract declares \"", spec.services(j), "\""));
      }
      state->routes[spec.services(j)] = backend;
    }
    state->backends.push_back(std::move(backend));
  }

  const auto& jwt = config.authentication().jwt();
  std::shared_ptr<JwksFile> jwks;
  if (!jwt.jwks_file().empty()) {
    if (previous_jwks != nullptr && previous_jwks->path() == jwt.jwks_file()) {
      jwks = previous_jwks;
      if (auto s = jwks->Reload(); !s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("authentication.jwt.jwks_file: ", s.message()));
      }
    } else {
      jwks = std::make_shared<JwksFile>(jwt.jwks_file());
      if (auto s = jwks->Load(); !s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("authentication.jwt.jwks_file: ", s.message()));
      }
    }
  }
  JwtRules rules;
  rules.issuer = jwt.issuer();
  rules.audience = jwt.audience();
  rules.clock_skew = ToDuration(jwt.clock_skew());
  rules.municipalities_claim = jwt.municipalities_claim();
  rules.roles_claim = jwt.roles_claim();

  std::vector<ApiKeyEntry> entries;
  for (const auto& key : config.authentication().api_keys()) {
    ApiKeyEntry entry;
    entry.id = key.id();
    entry.salt_hex = key.salt();
    entry.sha256_hex = key.sha256();
    entry.municipalities.assign(key.municipalities().begin(),
                                key.municipalities().end());
    entry.roles.assign(key.roles().begin(), key.roles().end());
    entry.revoked = key.revoked();
    entries.push_back(std::move(entry));
  }
  absl::StatusOr<ApiKeyTable> keys = ApiKeyTable::Build(std::move(entries));
  if (!keys.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("authentication.", keys.status().message()));
  }
  state->authenticator = std::make_unique<Authenticator>(
      std::move(jwks), std::move(rules), *std::move(keys));
  state->access = std::make_unique<AccessPolicy>(config);

  if (!config.identity_secret_file().empty()) {
    absl::StatusOr<std::string> secret =
        ReadFile(config.identity_secret_file());
    if (!secret.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("identity_secret_file: ", secret.status().message()));
    }
    state->identity_secret =
        std::string(absl::StripTrailingAsciiWhitespace(*secret));
    if (state->identity_secret.empty()) {
      return absl::InvalidArgumentError("identity_secret_file: is empty");
    }
  }
  state->default_deadline = ToDuration(config.limits().default_deadline());
  state->config = std::move(config);
  return std::shared_ptr<const GatewayState>(std::move(state));
}

absl::string_view MethodLabel(const GatewayState& state,
                              absl::string_view full_method) {
  return state.catalog->FindMethod(full_method) != nullptr ? full_method
                                                           : "unknown";
}

absl::StatusOr<Admission> Admit(const GatewayState& state, RateLimiter& limiter,
                                absl::string_view full_method,
                                const HeaderLookup& header,
                                absl::string_view peer_address,
                                absl::string_view request, absl::Time now) {
  Admission admission;
  admission.method = state.catalog->FindMethod(full_method);
  if (admission.method == nullptr) {
    return absl::UnimplementedError(
        absl::StrCat("method ", full_method, " is not served here"));
  }
  auto route = state.routes.find(admission.method->service);
  if (route == state.routes.end()) {
    return absl::UnimplementedError(absl::StrCat(
        "service ", admission.method->service, " is not served here"));
  }
  admission.backend = route->second;

  absl::StatusOr<Caller> caller =
      state.authenticator->Authenticate(header, peer_address, now);
  if (!caller.ok()) return caller.status();
  admission.caller = *std::move(caller);
  if (auto s = state.access->Check(admission.method->service,
                                   admission.method->descriptor->name(),
                                   admission.caller);
      !s.ok()) {
    return s;
  }

  absl::StatusOr<std::vector<std::string>> names =
      state.catalog->ResourceNames(*admission.method, request);
  if (!names.ok()) return names.status();
  admission.resource_names = *std::move(names);
  if (auto s = CheckTenant(admission.caller, admission.resource_names);
      !s.ok()) {
    return s;
  }
  // Only real municipality codes become labels and bucket keys, so made-up
  // names cannot grow either.
  for (const std::string& name : admission.resource_names) {
    absl::string_view code = MunicipalityOf(name);
    if (FindMunicipality(code) != nullptr) {
      admission.municipality = std::string(code);
      break;
    }
  }
  if (admission.municipality.empty() &&
      admission.caller.identity.municipality_codes.size() == 1) {
    admission.municipality = admission.caller.identity.municipality_codes[0];
  }

  // Anonymous callers are limited per address only: they cannot spend a
  // municipality's budget and lock its staff out.
  if (std::optional<absl::Duration> wait =
          limiter.Acquire(state.config.rate_limits(),
                          admission.caller.anonymous()
                              ? absl::string_view()
                              : absl::string_view(admission.municipality),
                          admission.caller.principal, now)) {
    absl::Status status = absl::ResourceExhaustedError(
        absl::StrCat("rate limit reached for ",
                     admission.municipality.empty()
                         ? admission.caller.principal
                         : absl::StrCat("municipality ", admission.municipality,
                                        " or ", admission.caller.principal),
                     "; retry later"));
    int64_t seconds = absl::ToInt64Seconds(absl::Ceil(*wait, absl::Seconds(1)));
    status.SetPayload(kRetryAfterPayload,
                      absl::Cord(absl::StrCat(std::max<int64_t>(1, seconds))));
    return status;
  }

  if (!admission.caller.anonymous()) {
    admission.identity_headers =
        IdentityHeaders(admission.caller.identity, state.identity_secret, now);
  }
  return admission;
}

}  // namespace kommune::gateway
