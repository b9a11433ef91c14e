#ifndef KOMMUNE_GATEWAY_ACCESS_POLICY_H_
#define KOMMUNE_GATEWAY_ACCESS_POLICY_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gateway/caller.h"
#include "gateway/config.h"

namespace kommune::gateway {

// Which roles may call which methods (the configuration's access_rules).
class AccessPolicy {
 public:
  struct Rule {
    std::vector<Role> roles;
    bool allow_anonymous = false;
  };

  // The configuration is validated already.
  explicit AccessPolicy(const GatewayConfig& config);

  // The rule for "/package.Service/Method": the exact rule, else the
  // service's "*", else "*"; nullptr when none applies.
  const Rule* RuleFor(absl::string_view service,
                      absl::string_view method) const;

  // UNAUTHENTICATED when an anonymous caller needs credentials for the
  // method; PERMISSION_DENIED when the caller holds none of its roles.
  absl::Status Check(absl::string_view service, absl::string_view method,
                     const Caller& caller) const;

 private:
  absl::flat_hash_map<std::string, Rule> rules_;
};

// PERMISSION_DENIED unless every "municipalities/{code}/..." name is of a
// municipality the caller acts for. Anonymous callers reach only public
// methods, where the service decides what is public, so they are not bound
// to a municipality; "municipalities/-" (every municipality) is left to the
// service, which shows each caller only what it may see.
absl::Status CheckTenant(const Caller& caller,
                         const std::vector<std::string>& resource_names);

// The municipality code a resource name belongs to, or empty.
absl::string_view MunicipalityOf(absl::string_view resource_name);

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_ACCESS_POLICY_H_
