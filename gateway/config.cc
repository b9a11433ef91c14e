#include "gateway/config.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/identity.h"
#include "services/common/municipalities.h"

namespace kommune::gateway {
namespace {

using kommune::gateway::v1::TokenBucket;

// Collects the text format parser's first error with its position.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (error_.empty()) {
      error_ = absl::StrCat("line ", line + 1, ", column ", column + 1, ": ",
                            message);
    }
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

absl::Status ValidateAddress(absl::string_view field, absl::string_view address,
                             bool required) {
  if (address.empty()) {
    return required ? Invalid(field, "must be set, as host:port")
                    : absl::OkStatus();
  }
  size_t colon = address.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return Invalid(field, absl::StrCat("\"", address, "\" is not host:port"));
  }
  return absl::OkStatus();
}

absl::Status ValidateTls(absl::string_view field,
                         const kommune::gateway::v1::Tls& tls) {
  if (tls.certificate_file().empty() != tls.private_key_file().empty()) {
    return Invalid(field, "certificate_file and private_key_file go together");
  }
  return absl::OkStatus();
}

absl::Status ValidateRoles(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<std::string>& roles) {
  for (int i = 0; i < roles.size(); ++i) {
    if (!ParseRole(roles[i]).has_value()) {
      return Invalid(absl::StrCat(field, "[", i, "]"),
                     absl::StrCat("unknown role \"", roles[i],
                                  "\" (viewer, editor, secretary, analyst, "
                                  "integration, admin)"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateBucket(absl::string_view field, const TokenBucket& b) {
  if (b.rate_per_second() < 0) return Invalid(field, "rate_per_second < 0");
  if (b.burst() < 0) return Invalid(field, "burst < 0");
  return absl::OkStatus();
}

bool ValidMethodPattern(absl::string_view pattern) {
  if (pattern == "*") return true;
  std::vector<absl::string_view> parts = absl::StrSplit(pattern, '/');
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) return false;
  if (absl::StrContains(parts[0], '*')) return false;
  return parts[1] == "*" || !absl::StrContains(parts[1], '*');
}

void DefaultDuration(google::protobuf::Duration* d, int64_t seconds) {
  if (d->seconds() == 0 && d->nanos() == 0) d->set_seconds(seconds);
}

void DefaultBucketBurst(TokenBucket* bucket) {
  if (bucket->rate_per_second() > 0 && bucket->burst() == 0) {
    double rate = std::min(bucket->rate_per_second(), 1e9);
    bucket->set_burst(std::max(1, static_cast<int>(rate)));
  }
}

}  // namespace

absl::StatusOr<GatewayConfig> ParseConfig(absl::string_view file_name,
                                          absl::string_view content) {
  GatewayConfig config;
  if (absl::EndsWith(file_name, ".json")) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto status = google::protobuf::util::JsonStringToMessage(
        std::string(content), &config, options);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file_name, ": ", status.message().ToString()));
    }
    return config;
  }
  google::protobuf::TextFormat::Parser parser;
  FirstError errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(content), &config)) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": ", errors.error()));
  }
  return config;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

void ApplyDefaults(GatewayConfig& config) {
  auto* http = config.mutable_http();
  DefaultDuration(http->mutable_read_timeout(), 10);
  if (http->max_connections() == 0) http->set_max_connections(1000);
  if (http->threads() == 0) http->set_threads(2);
  if (http->max_connections_per_address() == 0) {
    http->set_max_connections_per_address(64);
  }
  auto* jwt = config.mutable_authentication()->mutable_jwt();
  DefaultDuration(jwt->mutable_clock_skew(), 60);
  if (jwt->municipalities_claim().empty()) {
    jwt->set_municipalities_claim("municipalities");
  }
  if (jwt->roles_claim().empty()) jwt->set_roles_claim("roles");
  auto* limits = config.mutable_limits();
  if (limits->max_request_bytes() == 0) limits->set_max_request_bytes(4 << 20);
  if (limits->max_response_bytes() == 0) {
    limits->set_max_response_bytes(16 << 20);
  }
  if (limits->max_header_bytes() == 0) limits->set_max_header_bytes(16 << 10);
  DefaultDuration(limits->mutable_default_deadline(), 30);
  auto* rates = config.mutable_rate_limits();
  DefaultBucketBurst(rates->mutable_per_municipality());
  DefaultBucketBurst(rates->mutable_per_caller());
  for (auto& [code, bucket] : *rates->mutable_municipality_overrides()) {
    DefaultBucketBurst(&bucket);
  }
}

absl::Status ValidateConfig(const GatewayConfig& config) {
  if (auto s = ValidateAddress("grpc.address", config.grpc().address(), true);
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateTls("grpc.tls", config.grpc().tls()); !s.ok()) return s;
  if (auto s = ValidateAddress("http.address", config.http().address(), false);
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateTls("http.tls", config.http().tls()); !s.ok()) return s;
  if (config.http().threads() < 1 || config.http().threads() > 64) {
    return Invalid("http.threads", "must be between 1 and 64");
  }
  if (config.http().max_connections() < 1) {
    return Invalid("http.max_connections", "must be positive");
  }
  if (config.http().max_connections_per_address() < 0) {
    return Invalid("http.max_connections_per_address", "must be positive");
  }
  if (auto s =
          ValidateAddress("admin.address", config.admin().address(), false);
      !s.ok()) {
    return s;
  }

  if (config.backends().empty()) {
    return Invalid("backends", "at least one backend is needed");
  }
  std::set<std::string> backend_names;
  std::set<std::string> services;
  for (int i = 0; i < config.backends_size(); ++i) {
    const auto& backend = config.backends(i);
    std::string field = absl::StrCat("backends[", i, "]");
    if (backend.name().empty()) return Invalid(field + ".name", "must be set");
    if (!backend_names.insert(backend.name()).second) {
      return Invalid(field + ".name",
                     absl::StrCat("\"", backend.name(), "\" is used twice"));
    }
    if (backend.services().empty()) {
      return Invalid(field + ".services", "must not be empty");
    }
    for (int j = 0; j < backend.services_size(); ++j) {
      if (!services.insert(backend.services(j)).second) {
        return Invalid(absl::StrCat(field, ".services[", j, "]"),
                       absl::StrCat("\"", backend.services(j),
                                    "\" is served by another backend too"));
      }
    }
    if (backend.addresses().empty()) {
      return Invalid(field + ".addresses", "must not be empty");
    }
    for (int j = 0; j < backend.addresses_size(); ++j) {
      if (backend.addresses(j).empty()) {
        return Invalid(absl::StrCat(field, ".addresses[", j, "]"),
                       "must not be empty");
      }
    }
  }

  const auto& jwt = config.authentication().jwt();
  if (!jwt.jwks_file().empty()) {
    if (jwt.issuer().empty()) {
      return Invalid("authentication.jwt.issuer", "must be set with jwks_file");
    }
    if (jwt.audience().empty()) {
      return Invalid("authentication.jwt.audience",
                     "must be set with jwks_file");
    }
  }
  for (int i = 0; i < config.authentication().api_keys_size(); ++i) {
    const auto& key = config.authentication().api_keys(i);
    std::string field = absl::StrCat("authentication.api_keys[", i, "]");
    for (int j = 0; j < key.municipalities_size(); ++j) {
      if (auto s = ValidateMunicipalityCode(
              key.municipalities(j),
              absl::StrCat(field, ".municipalities[", j, "]"));
          !s.ok()) {
        return s;
      }
    }
    if (auto s = ValidateRoles(field + ".roles", key.roles()); !s.ok()) {
      return s;
    }
  }

  std::set<std::string> patterns;
  for (int i = 0; i < config.access_rules_size(); ++i) {
    const auto& rule = config.access_rules(i);
    std::string field = absl::StrCat("access_rules[", i, "]");
    if (!ValidMethodPattern(rule.method())) {
      return Invalid(field + ".method",
                     absl::StrCat("\"", rule.method(),
                                  "\" is not \"*\", \"package.Service/*\" or "
                                  "\"package.Service/Method\""));
    }
    if (!patterns.insert(rule.method()).second) {
      return Invalid(field + ".method",
                     absl::StrCat("\"", rule.method(), "\" has two rules"));
    }
    if (auto s = ValidateRoles(field + ".roles", rule.roles()); !s.ok()) {
      return s;
    }
    if (rule.roles().empty() && !rule.allow_anonymous()) {
      return Invalid(field, "names no roles and does not allow anonymous");
    }
  }

  const auto& rates = config.rate_limits();
  if (auto s = ValidateBucket("rate_limits.per_municipality",
                              rates.per_municipality());
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateBucket("rate_limits.per_caller", rates.per_caller());
      !s.ok()) {
    return s;
  }
  for (const auto& [code, bucket] : rates.municipality_overrides()) {
    std::string field =
        absl::StrCat("rate_limits.municipality_overrides[\"", code, "\"]");
    if (auto s = ValidateMunicipalityCode(code, field); !s.ok()) return s;
    if (auto s = ValidateBucket(field, bucket); !s.ok()) return s;
  }

  const auto& limits = config.limits();
  if (limits.max_request_bytes() < 0) {
    return Invalid("limits.max_request_bytes", "must be positive");
  }
  if (limits.max_response_bytes() < 0) {
    return Invalid("limits.max_response_bytes", "must be positive");
  }
  if (limits.max_header_bytes() < 1024) {
    return Invalid("limits.max_header_bytes", "must be at least 1024");
  }
  if (limits.default_deadline().seconds() < 0 ||
      limits.default_deadline().nanos() < 0) {
    return Invalid("limits.default_deadline", "must be positive");
  }
  return absl::OkStatus();
}

void ResolvePaths(GatewayConfig& config, absl::string_view directory) {
  auto resolve = [directory](std::string* path) {
    if (path->empty() || *path == "-" || (*path)[0] == '/') return;
    *path = absl::StrCat(directory, "/", *path);
  };
  resolve(config.mutable_grpc()->mutable_tls()->mutable_certificate_file());
  resolve(config.mutable_grpc()->mutable_tls()->mutable_private_key_file());
  resolve(config.mutable_http()->mutable_tls()->mutable_certificate_file());
  resolve(config.mutable_http()->mutable_tls()->mutable_private_key_file());
  resolve(config.mutable_authentication()->mutable_jwt()->mutable_jwks_file());
  resolve(config.mutable_logs()->mutable_access_log_file());
  resolve(config.mutable_logs()->mutable_audit_log_file());
  resolve(config.mutable_identity_secret_file());
  resolve(config.mutable_descriptor_set_file());
}

absl::StatusOr<GatewayConfig> LoadConfig(const std::string& path) {
  absl::StatusOr<std::string> content = ReadFile(path);
  if (!content.ok()) return content.status();
  absl::StatusOr<GatewayConfig> config = ParseConfig(path, *content);
  if (!config.ok()) return config.status();
  size_t slash = path.rfind('/');
  ResolvePaths(*config, slash == std::string::npos
                            ? absl::string_view(".")
                            : absl::string_view(path).substr(0, slash));
  ApplyDefaults(*config);
  if (auto s = ValidateConfig(*config); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", s.message()));
  }
  return config;
}

}  // namespace kommune::gateway
