#include "gateway/auth/jwks_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace kommune::gateway {
namespace {

// A JWKS of a few keys is a few KiB; anything this big is a wrong path.
constexpr off_t kMaxJwksBytes = 1 << 20;

absl::Status ErrnoError(absl::string_view what, const std::string& path,
                        int err) {
  std::string message = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(message);
  if (err == EACCES) return absl::PermissionDeniedError(message);
  return absl::UnavailableError(message);
}

}  // namespace

bool JwksFile::Stamp::operator==(const Stamp& other) const {
  return device == other.device && inode == other.inode && size == other.size &&
         mtime_ns == other.mtime_ns;
}

absl::Status JwksFile::Load() { return Read(/*only_if_changed=*/false); }

absl::Status JwksFile::Reload() { return Read(/*only_if_changed=*/false); }

absl::Status JwksFile::ReloadIfChanged() {
  return Read(/*only_if_changed=*/true);
}

std::shared_ptr<const JwksKeys> JwksFile::Current() const {
  absl::MutexLock lock(&mu_);
  return keys_;
}

absl::Status JwksFile::Read(bool only_if_changed) {
  absl::MutexLock reload_lock(&reload_mu_);
  // Stat through the open descriptor, so the stamp and the bytes read belong
  // to the same file even if it is replaced meanwhile. A write that lands
  // after the stat changes the stamp, and the next call reads again.
  int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open JWKS file", path_, errno);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return ErrnoError("cannot stat JWKS file", path_, err);
  }
  Stamp stamp;
  stamp.device = st.st_dev;
  stamp.inode = st.st_ino;
  stamp.size = st.st_size;
  stamp.mtime_ns =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  if (only_if_changed && stamp == stamp_) {
    close(fd);
    return absl::OkStatus();
  }
  if (st.st_size > kMaxJwksBytes) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(
        "JWKS file ", path_, ": larger than ", kMaxJwksBytes, " bytes"));
  }
  std::string content;
  char buffer[8192];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return ErrnoError("cannot read JWKS file", path_, err);
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
    if (content.size() > static_cast<size_t>(kMaxJwksBytes)) {
      close(fd);
      return absl::InvalidArgumentError(absl::StrCat(
          "JWKS file ", path_, ": larger than ", kMaxJwksBytes, " bytes"));
    }
  }
  close(fd);

  absl::StatusOr<std::shared_ptr<const JwksKeys>> keys =
      JwksKeys::Parse(content);
  if (!keys.ok()) {
    return absl::Status(
        keys.status().code(),
        absl::StrCat("JWKS file ", path_, ": ", keys.status().message()));
  }
  stamp_ = stamp;
  absl::MutexLock lock(&mu_);
  keys_ = *std::move(keys);
  return absl::OkStatus();
}

}  // namespace kommune::gateway
