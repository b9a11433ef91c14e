#include "gateway/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace kommune::gateway {
namespace {

using kommune::gateway::v1::TokenBucket;

// Per-address buckets come and go with anonymous clients; past this many,
// buckets idle for ten minutes are dropped (at most one sweep every ten
// seconds), and past kRefuseAbove new callers are refused until a sweep
// makes room, so a flood of addresses cannot exhaust memory.
constexpr size_t kForgetAbove = 100000;
constexpr size_t kRefuseAbove = 400000;

bool Limited(const TokenBucket& rate) { return rate.rate_per_second() > 0; }

}  // namespace

absl::Duration RateLimiter::Refill(Bucket& bucket, const TokenBucket& rate,
                                   absl::Time now) {
  double burst = std::max(1, rate.burst());
  if (bucket.updated == absl::Time()) {
    bucket.tokens = burst;
  } else if (now > bucket.updated) {
    bucket.tokens = std::min(
        burst, bucket.tokens + absl::ToDoubleSeconds(now - bucket.updated) *
                                   rate.rate_per_second());
  }
  bucket.updated = std::max(bucket.updated, now);
  if (bucket.tokens >= 1) return absl::ZeroDuration();
  return absl::Seconds((1 - bucket.tokens) / rate.rate_per_second());
}

std::optional<absl::Duration> RateLimiter::Acquire(
    const kommune::gateway::v1::RateLimits& limits,
    absl::string_view municipality, absl::string_view principal,
    absl::Time now) {
  const TokenBucket* municipality_rate = nullptr;
  if (!municipality.empty()) {
    auto it = limits.municipality_overrides().find(std::string(municipality));
    municipality_rate = it != limits.municipality_overrides().end()
                            ? &it->second
                            : &limits.per_municipality();
    if (!Limited(*municipality_rate)) municipality_rate = nullptr;
  }
  const TokenBucket* caller_rate =
      Limited(limits.per_caller()) ? &limits.per_caller() : nullptr;
  if (municipality_rate == nullptr && caller_rate == nullptr) {
    return std::nullopt;
  }

  absl::MutexLock lock(&mu_);
  if (buckets_.size() > kForgetAbove && now - last_sweep_ > absl::Seconds(10)) {
    last_sweep_ = now;
    ForgetIdle(now);
  }
  if (buckets_.size() > kRefuseAbove &&
      (caller_rate == nullptr ||
       !buckets_.contains(absl::StrCat("c/", principal)))) {
    return absl::Seconds(10);
  }
  Bucket* m = nullptr;
  Bucket* c = nullptr;
  absl::Duration wait = absl::ZeroDuration();
  if (municipality_rate != nullptr) {
    m = &buckets_[absl::StrCat("m/", municipality)];
    wait = std::max(wait, Refill(*m, *municipality_rate, now));
  }
  if (caller_rate != nullptr) {
    c = &buckets_[absl::StrCat("c/", principal)];
    wait = std::max(wait, Refill(*c, *caller_rate, now));
  }
  if (wait > absl::ZeroDuration()) return wait;
  if (m != nullptr) m->tokens -= 1;
  if (c != nullptr) c->tokens -= 1;
  return std::nullopt;
}

void RateLimiter::ForgetIdle(absl::Time now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    if (now - it->second.updated > absl::Minutes(10)) {
      buckets_.erase(it++);
    } else {
      ++it;
    }
  }
}

}  // namespace kommune::gateway
