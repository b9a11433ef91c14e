#ifndef KOMMUNE_GATEWAY_AUTH_JWKS_FILE_H_
#define KOMMUNE_GATEWAY_AUTH_JWKS_FILE_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "gateway/auth/jwks.h"

namespace kommune::gateway {

// A JWKS file that identity providers' key rotation rewrites. Requests take
// the current key set with Current(); a reload swaps in a new one, and a bad
// rewrite never takes the gateway's keys away: the old set stays in use and
// the reload reports the error.
class JwksFile {
 public:
  explicit JwksFile(std::string path) : path_(std::move(path)) {}

  JwksFile(const JwksFile&) = delete;
  JwksFile& operator=(const JwksFile&) = delete;

  // The first read, at startup; the gateway should not start without keys.
  absl::Status Load();

  // The key set last read successfully; nullptr before Load() succeeded.
  // Thread-safe.
  std::shared_ptr<const JwksKeys> Current() const ABSL_LOCKS_EXCLUDED(mu_);

  // Re-reads the file when its modification time, size or inode differ from
  // the last successful read; cheap otherwise (open and fstat), so call it
  // periodically. A failed read is retried on the next call.
  absl::Status ReloadIfChanged() ABSL_LOCKS_EXCLUDED(reload_mu_, mu_);

  // Re-reads the file whatever its stamp (SIGHUP).
  absl::Status Reload() ABSL_LOCKS_EXCLUDED(reload_mu_, mu_);

  const std::string& path() const { return path_; }

 private:
  // What identifies one version of the file.
  struct Stamp {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = -1;
    int64_t mtime_ns = 0;
    bool operator==(const Stamp& other) const;
  };

  absl::Status Read(bool only_if_changed) ABSL_LOCKS_EXCLUDED(reload_mu_, mu_);

  const std::string path_;
  // Serialises reloads, so that parsing happens outside `mu_`.
  absl::Mutex reload_mu_;
  Stamp stamp_ ABSL_GUARDED_BY(reload_mu_);
  mutable absl::Mutex mu_;
  std::shared_ptr<const JwksKeys> keys_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_AUTH_JWKS_FILE_H_
