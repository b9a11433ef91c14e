#ifndef KOMMUNE_SERVICES_ESDH_CONNECTOR_H_
#define KOMMUNE_SERVICES_ESDH_CONNECTOR_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "kommune/common/v1/change_feed.pb.h"
#include "services/esdh/document_source.h"
#include "services/esdh/esdh_store.h"
#include "services/esdh/sink.h"

namespace kommune::esdh {

// One service's change feed, read page by page after a sequence.
class FeedReader {
 public:
  virtual ~FeedReader() = default;
  virtual absl::StatusOr<std::vector<common::v1::Event>> Read(
      int64_t after_sequence, int limit) = 0;
};

// A FeedReader over gRPC (ChangeFeedService.ListEvents on
// "municipalities/-"), acting as the connector for `municipalities`.
std::unique_ptr<FeedReader> MakeGrpcFeedReader(
    const std::string& address, std::vector<std::string> municipalities,
    std::string identity_secret);

struct ConnectorOptions {
  int max_attempts = 8;
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Minutes(5);
  absl::Duration poll_interval = absl::Seconds(1);
  // Events read per page.
  int page_size = 200;
};

// Follows the feeds and delivers what they make. Restart-safe: a feed's
// cursor moves in the transaction that queues the deliveries its events
// made, and a delivery is done only when its sink acknowledged it; after a
// crash, events are read again from the cursor and their records, already
// queued under the same idempotency keys, are not queued twice.
class Connector {
 public:
  using Clock = std::function<absl::Time()>;

  Connector(EsdhStore* store, DocumentSource* documents,
            std::map<std::string, std::unique_ptr<Sink>> sinks_by_municipality,
            std::map<std::string, std::unique_ptr<FeedReader>> feeds_by_service,
            ConnectorOptions options, Clock now);

  // Reads one page of a feed after its cursor and queues what it makes.
  // Returns the events read (0 when the feed had nothing new). Stops at an
  // event whose documents cannot be rendered now, leaving the cursor
  // before it.
  absl::StatusOr<int> PollFeed(const std::string& service);
  // Attempts every delivery that is due and first in its case, oldest
  // first. Returns the attempts made.
  absl::StatusOr<int> DeliverDue();
  // Runs both until `stop` is notified: one thread per feed, one for
  // deliveries.
  void Run(absl::Notification& stop);

 private:
  absl::Duration Backoff(int attempts);
  absl::Status Attempt(v1::Delivery delivery);

  EsdhStore* store_;
  DocumentSource* documents_;
  std::map<std::string, std::unique_ptr<Sink>> sinks_;
  std::map<std::string, std::unique_ptr<FeedReader>> feeds_;
  ConnectorOptions options_;
  Clock now_;
  absl::Mutex random_mu_;
  absl::BitGen random_ ABSL_GUARDED_BY(random_mu_);
};

}  // namespace kommune::esdh

#endif  // KOMMUNE_SERVICES_ESDH_CONNECTOR_H_
