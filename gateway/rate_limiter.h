#ifndef KOMMUNE_GATEWAY_RATE_LIMITER_H_
#define KOMMUNE_GATEWAY_RATE_LIMITER_H_

#include <optional>
#include <string>

#include "absl/container/node_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gateway/config.h"

namespace kommune::gateway {

// Token buckets per municipality and per caller. Buckets outlive
// configuration reloads; their rates come from the configuration of each
// call, so a reload changes limits at once without refilling anyone.
class RateLimiter {
 public:
  // Takes a token from the municipality's bucket (when municipality is not
  // empty) and from the caller's. On refusal, takes none and returns how
  // long until a call would pass.
  std::optional<absl::Duration> Acquire(
      const kommune::gateway::v1::RateLimits& limits,
      absl::string_view municipality, absl::string_view principal,
      absl::Time now);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };
  // Refills `bucket` for `now`; the wait until one token is there, or zero.
  static absl::Duration Refill(Bucket& bucket,
                               const kommune::gateway::v1::TokenBucket& rate,
                               absl::Time now);
  void ForgetIdle(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  // Node-based: Acquire holds pointers to two buckets at once.
  absl::node_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_RATE_LIMITER_H_
