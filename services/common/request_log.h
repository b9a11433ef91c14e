#ifndef KOMMUNE_SERVICES_COMMON_REQUEST_LOG_H_
#define KOMMUNE_SERVICES_COMMON_REQUEST_LOG_H_

#include <google/protobuf/message.h>

#include <string>

#include "absl/status/statusor.h"
#include "services/common/database.h"

namespace kommune {

// Idempotent retries (AIP-155): the first answer to each request id, with a
// fingerprint of the request, in a table of the service's own. The table has
// columns (<municipality column>, request_id, fingerprint, response) and,
// when `resource_column` is set, that column naming what the answer holds.
class RequestLog {
 public:
  RequestLog(std::string table, std::string municipality_column,
             std::string resource_column = "");

  // Locks the request id until the transaction ends (two racing retries:
  // the second waits, then finds the first one's answer) and reads the
  // stored answer into `out`. False when there is none (or request_id is
  // empty); INVALID_ARGUMENT naming request_id when the id was used for
  // another request. `request_id` may be a key derived from the client's id
  // (scoped by method); `shown_id`, when set, is the client's id for
  // messages.
  absl::StatusOr<bool> Replay(Transaction& tx,
                              const std::string& municipality_code,
                              const std::string& request_id,
                              const std::string& fingerprint,
                              google::protobuf::Message* out,
                              const std::string& shown_id = "") const;

  // Stores the answer; a no-op for an empty request_id.
  absl::Status Save(Transaction& tx, const std::string& municipality_code,
                    const std::string& request_id,
                    const std::string& fingerprint,
                    const google::protobuf::Message& answer,
                    const std::string& resource = "") const;

 private:
  std::string table_;
  std::string select_;
  std::string insert_;
  bool has_resource_;
};

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_REQUEST_LOG_H_
