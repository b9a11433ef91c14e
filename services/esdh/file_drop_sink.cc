#include "services/esdh/file_drop_sink.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/municipalities.h"

namespace kommune::esdh {
namespace {

// Leaves room below NAME_MAX (255) for "NNNN-" and the temporary suffix.
constexpr size_t kMaxNameBytes = 180;

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

absl::Status IoError(absl::string_view action, absl::string_view path,
                     int error) {
  // Full disks, lost mounts and permissions are fixed by someone, later:
  // temporary, so the delivery is retried and parked if it stays broken.
  return absl::UnavailableError(absl::StrCat("file drop: cannot ", action, " ",
                                             path, ": ", std::strerror(error)));
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), len));
}

absl::StatusOr<std::string> MunicipalityCode(const v1::JournalRecord& record) {
  for (const auto& [field, name] :
       {std::pair<const char*, const std::string&>{"record.name",
                                                   record.name()},
        {"record.origin.resource", record.origin().resource()}}) {
    std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
    if (parts.size() >= 2 && parts[0] == "municipalities") {
      if (absl::Status s = ValidateMunicipalityCode(parts[1], field); !s.ok()) {
        return s;
      }
      return std::string(parts[1]);
    }
  }
  return absl::InvalidArgumentError(
      "record.name: names no municipality (\"municipalities/{code}/...\"), "
      "nor does record.origin.resource");
}

absl::Status CheckFileName(absl::string_view name, absl::string_view field) {
  if (name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": is empty"));
  }
  if (absl::StrContains(name, "/") || absl::StrContains(name, "\\") ||
      absl::StrContains(name, "..")) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": \"", name,
                     "\" must be a plain file name, without '/', '\\' or "
                     "\"..\""));
  }
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": \"", absl::CHexEscape(name),
                       "\" holds a control character"));
    }
  }
  if (name.size() > kMaxNameBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": is ", name.size(), " bytes; at most ", kMaxNameBytes));
  }
  return absl::OkStatus();
}

// Opens (creating if need be) the folder `name` in `parent`, without
// following a symlink planted there.
absl::StatusOr<Fd> OpenFolder(int parent, const std::string& name,
                              const std::string& path) {
  if (mkdirat(parent, name.c_str(), 0755) == 0) {
    // Make the new entry durable before anything is written below it.
    if (fsync(parent) != 0) return IoError("sync the folder of", path, errno);
  } else if (errno != EEXIST) {
    return IoError("create the folder", path, errno);
  }
  Fd fd(openat(parent, name.c_str(),
               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return IoError("open the folder", path, errno);
  return fd;
}

// Writes `content` as `name` in `folder`: temporary name, write, fsync,
// rename. The caller fsyncs the folder.
absl::Status WriteAtomically(int folder, const std::string& folder_path,
                             const std::string& name,
                             absl::string_view content) {
  static std::atomic<int> counter{0};
  std::string path = absl::StrCat(folder_path, "/", name);
  std::string temp =
      absl::StrCat(".", name, ".", getpid(), "-", counter++, ".tmp");
  Fd fd(openat(folder, temp.c_str(),
               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (fd.get() < 0) return IoError("create a temporary file for", path, errno);
  auto fail = [&](absl::string_view action, int error) {
    unlinkat(folder, temp.c_str(), 0);
    return IoError(action, path, error);
  };
  while (!content.empty()) {
    ssize_t n = write(fd.get(), content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write", errno);
    content.remove_prefix(static_cast<size_t>(n));
  }
  if (fsync(fd.get()) != 0) return fail("sync", errno);
  if (renameat(folder, temp.c_str(), folder, name.c_str()) != 0) {
    return fail("rename into place", errno);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSmallFile(int folder, const std::string& name) {
  Fd fd(openat(folder, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return IoError("open", name, errno);
  std::string out;
  char buffer[8192];
  for (;;) {
    ssize_t n = read(fd.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("read", name, errno);
    if (n == 0) break;
    out.append(buffer, static_cast<size_t>(n));
    if (out.size() > (64 << 20)) break;  // no metadata file is this big
  }
  return out;
}

// What a case folder already holds.
struct FolderState {
  int last_number = 0;   // the highest NNNN of any entry
  bool has_key = false;  // a metadata file of this key exists
};

absl::StatusOr<FolderState> ScanFolder(int folder, const std::string& path,
                                       absl::string_view metadata_suffix,
                                       absl::string_view key) {
  int dup_fd = dup(folder);
  if (dup_fd < 0) return IoError("list", path, errno);
  DIR* dir = fdopendir(dup_fd);
  if (dir == nullptr) {
    close(dup_fd);
    return IoError("list", path, errno);
  }
  std::vector<std::string> candidates;
  FolderState state;
  errno = 0;
  while (dirent* entry = readdir(dir)) {
    absl::string_view name = entry->d_name;
    if (absl::StartsWith(name, ".")) continue;  // temporaries, "." and ".."
    size_t dash = name.find('-');
    int number = 0;
    if (dash == absl::string_view::npos ||
        !absl::SimpleAtoi(name.substr(0, dash), &number)) {
      continue;
    }
    // Numbers of files without metadata (a crash mid-document) count too,
    // so a new document never mixes with their leftovers.
    state.last_number = std::max(state.last_number, number);
    if (name.substr(dash + 1) == metadata_suffix) {
      candidates.emplace_back(name);
    }
  }
  int error = errno;
  closedir(dir);
  if (error != 0) return IoError("list", path, error);
  // A data file could be named like a metadata file: believe the content.
  for (const std::string& name : candidates) {
    auto content = ReadSmallFile(folder, name);
    if (!content.ok()) return content.status();
    google::protobuf::Struct metadata;
    if (!google::protobuf::util::JsonStringToMessage(*content, &metadata)
             .ok()) {
      continue;
    }
    auto it = metadata.fields().find("idempotencyKey");
    if (it != metadata.fields().end() && it->second.string_value() == key) {
      state.has_key = true;
    }
  }
  return state;
}

absl::StatusOr<std::string> MetadataJson(
    const v1::JournalRecord& record,
    const std::vector<google::protobuf::Struct>& stored_files) {
  v1::JournalRecord without_contents = record;
  for (auto& file : *without_contents.mutable_document()->mutable_files()) {
    file.clear_content();
  }
  std::string record_json;
  google::protobuf::Struct metadata;
  if (!google::protobuf::util::MessageToJsonString(without_contents,
                                                   &record_json)
           .ok() ||
      !google::protobuf::util::JsonStringToMessage(record_json, &metadata)
           .ok()) {
    return absl::InvalidArgumentError("the record cannot be written as JSON");
  }
  auto* list = (*metadata.mutable_fields())["storedFiles"].mutable_list_value();
  for (const auto& file : stored_files) {
    *list->add_values()->mutable_struct_value() = file;
  }
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;  // read by people, too
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(metadata, &out, options)
           .ok()) {
    return absl::InvalidArgumentError("the metadata cannot be written as JSON");
  }
  return out;
}

class FileDropSink : public Sink {
 public:
  explicit FileDropSink(std::string root) : root_(std::move(root)) {}

  absl::StatusOr<Receipt> Deliver(const v1::JournalRecord& record) override {
    const std::string& key = record.idempotency_key();
    if (key.empty()) {
      return absl::InvalidArgumentError(
          "record.idempotency_key: is empty; a repeated delivery could not be "
          "recognised");
    }
    std::string key_name = SafeFileName(key);
    if (key_name.size() > kMaxNameBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("record.idempotency_key: is too long for a file name (",
                       key.size(), " bytes)"));
    }
    const std::string& case_number = record.esdh_case().case_number();
    std::string case_name = SafeFileName(case_number);
    if (case_number.empty() || case_name.size() > 255) {
      return absl::InvalidArgumentError(absl::StrCat(
          "record.esdh_case.case_number: ",
          case_number.empty() ? "is empty" : "is too long for a folder name"));
    }
    auto code = MunicipalityCode(record);
    if (!code.ok()) return code.status();
    const auto& files = record.document().files();
    std::string metadata_suffix = absl::StrCat(key_name, ".json");
    for (int i = 0; i < files.size(); ++i) {
      std::string field = absl::StrCat("record.document.files[", i, "]");
      if (absl::Status s = CheckFileName(files[i].file_name(),
                                         absl::StrCat(field, ".file_name"));
          !s.ok()) {
        return s;
      }
      if (files[i].file_name() == metadata_suffix) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".file_name: \"", files[i].file_name(),
                         "\" is the name of the document's metadata file"));
      }
      for (int j = 0; j < i; ++j) {
        if (files[j].file_name() == files[i].file_name()) {
          return absl::InvalidArgumentError(
              absl::StrCat(field, ".file_name: \"", files[i].file_name(),
                           "\" is used twice in the document"));
        }
      }
    }

    absl::MutexLock lock(&mu_);
    Fd root(open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (root.get() < 0) return IoError("open the folder", root_, errno);
    std::string town_path = absl::StrCat(root_, "/", *code);
    auto town = OpenFolder(root.get(), *code, town_path);
    if (!town.ok()) return town.status();
    std::string case_path = absl::StrCat(town_path, "/", case_name);
    auto folder = OpenFolder(town->get(), case_name, case_path);
    if (!folder.ok()) return folder.status();

    auto state = ScanFolder(folder->get(), case_path, metadata_suffix, key);
    if (!state.ok()) return state.status();
    if (state->has_key) return Receipt{};  // delivered before

    std::string prefix = absl::StrFormat("%04d-", state->last_number + 1);
    std::vector<google::protobuf::Struct> stored;
    for (const auto& file : files) {
      std::string name = absl::StrCat(prefix, file.file_name());
      if (absl::Status s =
              WriteAtomically(folder->get(), case_path, name, file.content());
          !s.ok()) {
        return s;
      }
      google::protobuf::Struct entry;
      auto& fields = *entry.mutable_fields();
      fields["fileName"].set_string_value(name);
      fields["mediaType"].set_string_value(file.media_type());
      fields["sizeBytes"].set_number_value(
          static_cast<double>(file.content().size()));
      fields["sha256"].set_string_value(Sha256Hex(file.content()));
      stored.push_back(std::move(entry));
    }
    // The files are durable before the metadata that announces them.
    if (fsync(folder->get()) != 0) {
      return IoError("sync the folder", case_path, errno);
    }
    auto metadata = MetadataJson(record, stored);
    if (!metadata.ok()) return metadata.status();
    if (absl::Status s =
            WriteAtomically(folder->get(), case_path,
                            absl::StrCat(prefix, metadata_suffix), *metadata);
        !s.ok()) {
      return s;
    }
    if (fsync(folder->get()) != 0) {
      return IoError("sync the folder", case_path, errno);
    }
    return Receipt{};
  }

 private:
  const std::string root_;
  absl::Mutex mu_;  // one delivery at a time: numbering scans the folder
};

}  // namespace

std::string SafeFileName(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool keep = absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                c == '-' || (c == '.' && i > 0);
    if (keep) {
      out.push_back(c);
    } else {
      absl::StrAppend(&out,
                      absl::StrFormat("%%%02X", static_cast<unsigned char>(c)));
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Sink>> MakeFileDropSink(std::string root_dir) {
  if (root_dir.empty()) {
    return absl::InvalidArgumentError("file_drop.root_dir: is empty");
  }
  while (root_dir.size() > 1 && absl::EndsWith(root_dir, "/")) {
    root_dir.pop_back();
  }
  struct stat info {};
  // A missing root is a typo or an unmounted share: refuse rather than
  // create a tree nobody imports from.
  if (stat(root_dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "file_drop.root_dir: \"", root_dir, "\" is not an existing folder"));
  }
  return std::make_unique<FileDropSink>(std::move(root_dir));
}

}  // namespace kommune::esdh
