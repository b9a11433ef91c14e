#include "services/common/request_log.h"

#include "absl/strings/str_cat.h"

namespace kommune {

RequestLog::RequestLog(std::string table, std::string municipality_column,
                       std::string resource_column)
    : table_(std::move(table)),
      select_(absl::StrCat("SELECT fingerprint, response FROM ", table_,
                           " WHERE ", municipality_column,
                           " = ? AND request_id = ?")),
      insert_(
          resource_column.empty()
              ? absl::StrCat("INSERT INTO ", table_, " (", municipality_column,
                             ", request_id, fingerprint, response) VALUES "
                             "(?, ?, ?, ?)")
              : absl::StrCat("INSERT INTO ", table_, " (", municipality_column,
                             ", request_id, fingerprint, ", resource_column,
                             ", response) VALUES (?, ?, ?, ?, ?)")),
      has_resource_(!resource_column.empty()) {}

absl::StatusOr<bool> RequestLog::Replay(Transaction& tx,
                                        const std::string& municipality_code,
                                        const std::string& request_id,
                                        const std::string& fingerprint,
                                        google::protobuf::Message* out,
                                        const std::string& shown_id) const {
  if (request_id.empty()) return false;
  const std::string& id = shown_id.empty() ? request_id : shown_id;
  if (auto s = tx.Lock(
          absl::StrCat(table_, ":", municipality_code, "/", request_id));
      !s.ok()) {
    return s;
  }
  auto rows = tx.Query(select_, {municipality_code, request_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return false;
  if ((*rows)[0].Text(0) != fingerprint) {
    return absl::InvalidArgumentError(absl::StrCat(
        "request_id: '", id, "' was already used for another request"));
  }
  if (!out->ParseFromString((*rows)[0].Text(1))) {
    return absl::DataLossError(
        absl::StrCat("the stored answer to request ", id, " cannot be read"));
  }
  return true;
}

absl::Status RequestLog::Save(Transaction& tx,
                              const std::string& municipality_code,
                              const std::string& request_id,
                              const std::string& fingerprint,
                              const google::protobuf::Message& answer,
                              const std::string& resource) const {
  if (request_id.empty()) return absl::OkStatus();
  if (has_resource_) {
    return tx.Execute(insert_, {municipality_code, request_id, fingerprint,
                                resource, Blob{answer.SerializeAsString()}});
  }
  return tx.Execute(insert_, {municipality_code, request_id, fingerprint,
                              Blob{answer.SerializeAsString()}});
}

}  // namespace kommune
