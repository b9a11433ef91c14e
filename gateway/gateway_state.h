#ifndef KOMMUNE_GATEWAY_GATEWAY_STATE_H_
#define KOMMUNE_GATEWAY_GATEWAY_STATE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gateway/access_policy.h"
#include "gateway/api_catalog.h"
#include "gateway/backend.h"
#include "gateway/caller.h"
#include "gateway/config.h"
#include "gateway/rate_limiter.h"

namespace kommune::gateway {

// Backends kept across reloads, keyed by their name, addresses and limits,
// so a reload that leaves a backend alone keeps its connections.
using BackendCache = std::map<std::string, std::shared_ptr<Backend>>;

// Everything one configuration decides, built once and never changed: a
// reload builds a new state and swaps it in, while calls under way finish
// with the state they started with.
struct GatewayState {
  GatewayConfig config;
  std::shared_ptr<const ApiCatalog> catalog;
  std::unique_ptr<Authenticator> authenticator;
  std::unique_ptr<AccessPolicy> access;
  // Service name to its backend.
  absl::flat_hash_map<std::string, std::shared_ptr<Backend>> routes;
  std::vector<std::shared_ptr<Backend>> backends;
  // The same backends by key, for the next reload to reuse.
  BackendCache backends_by_key;
  std::string identity_secret;
  absl::Duration default_deadline;
};

// Builds a state from a loaded, validated configuration: reads the
// descriptor set, the JWKS file and the identity secret. INVALID_ARGUMENT
// names the field at fault (a service no contract declares, say).
absl::StatusOr<std::shared_ptr<const GatewayState>> BuildGatewayState(
    GatewayConfig config, const BackendCache& previous,
    std::shared_ptr<JwksFile> previous_jwks);

// What the gateway decided about one call it lets through.
struct Admission {
  const MethodInfo* method = nullptr;
  std::shared_ptr<Backend> backend;
  Caller caller;
  std::vector<std::string> resource_names;
  // The municipality the call is for (of its resource names, else the
  // caller's only one), for rate limits, metrics and logs; may be empty.
  std::string municipality;
  // Signed identity headers for the backend.
  std::map<std::string, std::string> identity_headers;
};

// Payload key on a RESOURCE_EXHAUSTED status: seconds until a retry passes.
inline constexpr char kRetryAfterPayload[] = "kommune.gateway/retry-after";

// Checks one call: the method exists and has a backend (UNIMPLEMENTED), the
// credentials (UNAUTHENTICATED), the role table (PERMISSION_DENIED), the
// request's municipality (PERMISSION_DENIED), the rate limits
// (RESOURCE_EXHAUSTED with kRetryAfterPayload).
absl::StatusOr<Admission> Admit(const GatewayState& state, RateLimiter& limiter,
                                absl::string_view full_method,
                                const HeaderLookup& header,
                                absl::string_view peer_address,
                                absl::string_view request, absl::Time now);

// The method is known (for the access log's method label): a caller can
// send any path, and metrics must not grow a label per made-up name.
absl::string_view MethodLabel(const GatewayState& state,
                              absl::string_view full_method);

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_GATEWAY_STATE_H_
