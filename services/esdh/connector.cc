#include "services/esdh/connector.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "kommune/common/v1/change_feed.grpc.pb.h"
#include "services/common/grpc_util.h"
#include "services/common/log.h"
#include "services/esdh/esdh_admin_service.h"
#include "services/esdh/record_builder.h"

namespace kommune::esdh {
namespace {

google::protobuf::Timestamp Timestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  int64_t micros = absl::ToUnixMicros(t);
  ts.set_seconds(micros / 1000000);
  ts.set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  return ts;
}

std::string MunicipalityOf(const std::string& name) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  return parts.size() > 1 ? parts[1] : "";
}

class GrpcFeedReader : public FeedReader {
 public:
  GrpcFeedReader(const std::string& address,
                 std::vector<std::string> municipalities, std::string secret)
      : stub_(common::v1::ChangeFeedService::NewStub(
            grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))),
        municipalities_(std::move(municipalities)),
        secret_(std::move(secret)) {}

  absl::StatusOr<std::vector<common::v1::Event>> Read(int64_t after,
                                                      int limit) override {
    common::v1::ListEventsRequest request;
    request.set_parent("municipalities/-");
    request.set_after_sequence(after);
    request.set_page_size(limit);
    common::v1::ListEventsResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    Identity connector;
    connector.municipality_codes = municipalities_;
    connector.roles = {Role::kIntegration};
    connector.subject = "esdh_connector";
    AttachIdentity(context, connector, secret_);
    grpc::Status s = stub_->ListEvents(&context, request, &response);
    if (!s.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                          absl::StrCat("ListEvents: ", s.error_message()));
    }
    return std::vector<common::v1::Event>(response.events().begin(),
                                          response.events().end());
  }

 private:
  std::unique_ptr<common::v1::ChangeFeedService::Stub> stub_;
  std::vector<std::string> municipalities_;
  std::string secret_;
};

}  // namespace

std::unique_ptr<FeedReader> MakeGrpcFeedReader(
    const std::string& address, std::vector<std::string> municipalities,
    std::string identity_secret) {
  return std::make_unique<GrpcFeedReader>(address, std::move(municipalities),
                                          std::move(identity_secret));
}

Connector::Connector(
    EsdhStore* store, DocumentSource* documents,
    std::map<std::string, std::unique_ptr<Sink>> sinks_by_municipality,
    std::map<std::string, std::unique_ptr<FeedReader>> feeds_by_service,
    ConnectorOptions options, Clock now)
    : store_(store),
      documents_(documents),
      sinks_(std::move(sinks_by_municipality)),
      feeds_(std::move(feeds_by_service)),
      options_(options),
      now_(std::move(now)) {}

absl::StatusOr<int> Connector::PollFeed(const std::string& service) {
  auto feed = feeds_.find(service);
  if (feed == feeds_.end()) {
    return absl::NotFoundError(absl::StrCat("no feed of ", service));
  }
  int64_t cursor = 0;
  if (auto s = store_->db().Read([&](Transaction& tx) -> absl::Status {
        auto c = store_->Cursor(tx, service);
        if (!c.ok()) return c.status();
        cursor = *c;
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  auto events = feed->second->Read(cursor, options_.page_size);
  if (!events.ok()) return events.status();
  // Render outside the transaction; stop at the first event that cannot be
  // read now, so nothing after it is queued before it.
  std::vector<std::pair<const common::v1::Event*, EventOutcome>> read;
  absl::Status stopped;
  for (const common::v1::Event& event : *events) {
    std::string municipality = MunicipalityOf(event.resource());
    EventOutcome outcome;
    if (sinks_.count(municipality) > 0) {
      auto o = ReadEvent(service, event, *documents_);
      if (!o.ok()) {
        stopped = o.status();
        break;
      }
      outcome = *std::move(o);
      if (!outcome.skipped_reason.empty()) {
        Log("WARNING", "a document cannot be journalised",
            {{"event", event.name()},
             {"type", event.type()},
             {"resource", event.resource()},
             {"reason", outcome.skipped_reason}});
      }
    }
    read.emplace_back(&event, std::move(outcome));
  }
  if (read.empty()) {
    if (!stopped.ok()) return stopped;
    return 0;
  }
  absl::Time now = now_();
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        // A second replica may have moved the cursor meanwhile.
        auto c = store_->Cursor(tx, service);
        if (!c.ok()) return c.status();
        if (*c != cursor) return absl::OkStatus();
        for (const auto& [event, outcome] : read) {
          std::string municipality = MunicipalityOf(event->resource());
          for (const CaseMemberRow& m : outcome.members) {
            if (auto s = store_->IndexMember(tx, m); !s.ok()) return s;
          }
          for (const v1::JournalRecord& r : outcome.records) {
            // A case number the ESDH system cannot take waits for an
            // operator instead of being sent.
            absl::Status malformed = ValidateCaseNumber(
                r.esdh_case().case_number(), "esdh_case.case_number");
            auto queued = store_->Enqueue(
                tx, municipality, r, now,
                malformed.ok() ? "" : std::string(malformed.message()));
            if (!queued.ok()) return queued.status();
          }
        }
        return store_->SetCursor(tx, service, read.back().first->sequence());
      });
  if (!status.ok()) return status;
  if (!stopped.ok()) {
    Log("WARNING", "a feed waits for a service",
        {{"feed", service}, {"error", std::string(stopped.message())}});
  }
  return static_cast<int>(read.size());
}

absl::Duration Connector::Backoff(int attempts) {
  absl::Duration wait = options_.initial_backoff;
  for (int i = 1; i < attempts && wait < options_.max_backoff; ++i) wait *= 2;
  wait = std::min(wait, options_.max_backoff);
  // Full jitter in the upper half, so retries of many cases spread out.
  absl::MutexLock lock(&random_mu_);
  return wait / 2 + absl::Uniform(random_, 0.0, 0.5) * wait;
}

absl::Status Connector::Attempt(v1::Delivery delivery) {
  std::string municipality = MunicipalityOf(delivery.name());
  auto sink = sinks_.find(municipality);
  absl::StatusOr<Receipt> receipt =
      sink == sinks_.end()
          ? absl::FailedPreconditionError(absl::StrCat(
                "municipality ", municipality, " has no ESDH sink configured"))
          : sink->second->Deliver(delivery.record());
  absl::Time now = now_();
  return store_->db().Write([&](Transaction& tx) -> absl::Status {
    auto current = store_->Get(tx, delivery.name());
    if (!current.ok()) return current.status();
    // An operator may have skipped it meanwhile.
    if (!current->has_value() ||
        (*current)->state() != v1::DELIVERY_STATE_PENDING) {
      return absl::OkStatus();
    }
    v1::Delivery d = **current;
    d.set_attempts(d.attempts() + 1);
    if (receipt.ok()) {
      d.set_state(v1::DELIVERY_STATE_DELIVERED);
      d.clear_last_error();
      *d.mutable_deliver_time() = Timestamp(now);
      if (!receipt->document_number.empty()) {
        d.mutable_record()->mutable_document()->set_document_number(
            receipt->document_number);
      }
    } else {
      d.set_last_error(std::string(receipt.status().message()));
      if (!IsTemporary(receipt.status()) ||
          d.attempts() >= options_.max_attempts) {
        d.set_state(v1::DELIVERY_STATE_PARKED);
        Log("WARNING", "a delivery is parked",
            {{"delivery", d.name()}, {"error", d.last_error()}});
      } else {
        *d.mutable_next_attempt_time() = Timestamp(now + Backoff(d.attempts()));
      }
    }
    return store_->Update(tx, d);
  });
}

absl::StatusOr<int> Connector::DeliverDue() {
  std::vector<v1::Delivery> due;
  if (auto s = store_->db().Read([&](Transaction& tx) -> absl::Status {
        auto heads = store_->DueHeads(tx, now_(), 100);
        if (!heads.ok()) return heads.status();
        due = *std::move(heads);
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  for (v1::Delivery& d : due) {
    if (auto s = Attempt(std::move(d)); !s.ok()) return s;
  }
  return static_cast<int>(due.size());
}

void Connector::Run(absl::Notification& stop) {
  std::vector<std::thread> threads;
  for (const auto& [service, feed] : feeds_) {
    threads.emplace_back([this, &stop, service = service] {
      while (!stop.HasBeenNotified()) {
        absl::StatusOr<int> read = PollFeed(service);
        if (!read.ok()) {
          Log("WARNING", "a feed could not be read",
              {{"feed", service},
               {"error", std::string(read.status().message())}});
        }
        // Read on at once while there is more; wait when caught up.
        if (read.ok() && *read >= options_.page_size) continue;
        stop.WaitForNotificationWithTimeout(options_.poll_interval);
      }
    });
  }
  threads.emplace_back([this, &stop] {
    while (!stop.HasBeenNotified()) {
      absl::StatusOr<int> attempted = DeliverDue();
      if (!attempted.ok()) {
        Log("WARNING", "deliveries could not be attempted",
            {{"error", std::string(attempted.status().message())}});
      }
      if (attempted.ok() && *attempted > 0) continue;
      stop.WaitForNotificationWithTimeout(absl::Milliseconds(200));
    }
  });
  for (std::thread& t : threads) t.join();
}

}  // namespace kommune::esdh
