#ifndef KOMMUNE_SERVICES_COMMON_CHANGE_FEED_SERVICE_H_
#define KOMMUNE_SERVICES_COMMON_CHANGE_FEED_SERVICE_H_

#include "absl/time/time.h"
#include "kommune/common/v1/change_feed.grpc.pb.h"
#include "services/common/database.h"
#include "services/common/event_log.h"
#include "services/common/identity.h"

namespace kommune {

// The kommune.common.v1.ChangeFeedService of one service's event log. A
// caller sees the events of the municipalities it acts for, and needs a role:
// events carry drafts, which are not public.
class ChangeFeedServiceImpl final
    : public common::v1::ChangeFeedService::Service {
 public:
  ChangeFeedServiceImpl(Database* db, EventLog* log,
                        const IdentityVerifier* verifier)
      : db_(db), log_(log), verifier_(verifier) {}

  // How often a watcher looks for events written by another replica.
  void set_poll_interval(absl::Duration d) { poll_interval_ = d; }

  grpc::Status ListEvents(grpc::ServerContext* context,
                          const common::v1::ListEventsRequest* request,
                          common::v1::ListEventsResponse* response) override;
  grpc::Status WatchEvents(
      grpc::ServerContext* context,
      const common::v1::WatchEventsRequest* request,
      grpc::ServerWriter<common::v1::WatchEventsResponse>* writer) override;

 private:
  Database* db_;
  EventLog* log_;
  const IdentityVerifier* verifier_;
  absl::Duration poll_interval_ = absl::Seconds(1);
};

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_CHANGE_FEED_SERVICE_H_
