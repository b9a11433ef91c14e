#include "services/policy/revision_cache.h"

namespace kommune::policy {

std::shared_ptr<const CachedRevision> RevisionCache::Find(
    const std::string& key) {
  absl::MutexLock lock(&mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

void RevisionCache::Insert(const std::string& key,
                           std::shared_ptr<const CachedRevision> value) {
  if (capacity_ == 0) return;
  absl::MutexLock lock(&mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  order_.emplace_front(key, std::move(value));
  index_[key] = order_.begin();
  if (order_.size() > capacity_) {
    index_.erase(order_.back().first);
    order_.pop_back();
  }
}

}  // namespace kommune::policy
