#ifndef KOMMUNE_SERVICES_POLICY_REVISION_CACHE_H_
#define KOMMUNE_SERVICES_POLICY_REVISION_CACHE_H_

#include <list>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "kommune/policy/v1/policy.pb.h"

namespace kommune::policy {

// A revision as stored: parsed, and as the serialized Policy the database
// holds, which GetPolicy can send without serializing it again.
struct CachedRevision {
  v1::Policy policy;
  std::string bytes;
};

// Least-recently-used cache of revision snapshots, keyed by the policy's
// uid and revision number. Revisions never change once written and uids are
// never reused (not even when a deleted draft's name is used again), so an
// entry can never go stale, on any replica.
class RevisionCache {
 public:
  explicit RevisionCache(size_t capacity) : capacity_(capacity) {}

  std::shared_ptr<const CachedRevision> Find(const std::string& key);
  void Insert(const std::string& key,
              std::shared_ptr<const CachedRevision> value);

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const CachedRevision>>;
  const size_t capacity_;
  absl::Mutex mu_;
  std::list<Entry> order_ ABSL_GUARDED_BY(mu_);  // most recent first
  absl::flat_hash_map<std::string, std::list<Entry>::iterator> index_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace kommune::policy

#endif  // KOMMUNE_SERVICES_POLICY_REVISION_CACHE_H_
