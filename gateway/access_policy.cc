#include "gateway/access_policy.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace kommune::gateway {

AccessPolicy::AccessPolicy(const GatewayConfig& config) {
  for (const auto& rule : config.access_rules()) {
    Rule r;
    r.allow_anonymous = rule.allow_anonymous();
    for (const std::string& name : rule.roles()) {
      if (std::optional<Role> role = ParseRole(name)) r.roles.push_back(*role);
    }
    rules_[rule.method()] = std::move(r);
  }
}

const AccessPolicy::Rule* AccessPolicy::RuleFor(
    absl::string_view service, absl::string_view method) const {
  for (const std::string& key :
       {absl::StrCat(service, "/", method), absl::StrCat(service, "/*"),
        std::string("*")}) {
    auto it = rules_.find(key);
    if (it != rules_.end()) return &it->second;
  }
  return nullptr;
}

absl::Status AccessPolicy::Check(absl::string_view service,
                                 absl::string_view method,
                                 const Caller& caller) const {
  const Rule* rule = RuleFor(service, method);
  if (caller.anonymous()) {
    if (rule != nullptr && rule->allow_anonymous) return absl::OkStatus();
    return absl::UnauthenticatedError(absl::StrCat(
        method, " needs credentials: a bearer token or an x-api-key"));
  }
  if (rule != nullptr) {
    if (rule->allow_anonymous) return absl::OkStatus();
    for (Role role : rule->roles) {
      if (caller.identity.HasRole(role)) return absl::OkStatus();
    }
  }
  std::string roles;
  if (rule != nullptr) {
    for (Role role : rule->roles) {
      absl::StrAppend(&roles, roles.empty() ? "" : ", ", RoleName(role));
    }
  }
  return absl::PermissionDeniedError(
      rule == nullptr
          ? absl::StrCat(method, " is not open to any caller")
          : absl::StrCat(method, " needs one of the roles: ", roles));
}

absl::string_view MunicipalityOf(absl::string_view resource_name) {
  if (!absl::ConsumePrefix(&resource_name, "municipalities/")) return {};
  return resource_name.substr(0, resource_name.find('/'));
}

absl::Status CheckTenant(const Caller& caller,
                         const std::vector<std::string>& resource_names) {
  if (caller.anonymous()) return absl::OkStatus();
  for (const std::string& name : resource_names) {
    absl::string_view code = MunicipalityOf(name);
    if (code.empty() || code == "-") continue;
    if (!caller.identity.ActsFor(code)) {
      return absl::PermissionDeniedError(
          absl::StrCat("\"", name, "\" belongs to municipality ", code,
                       ", which this caller does not act for"));
    }
  }
  return absl::OkStatus();
}

}  // namespace kommune::gateway
