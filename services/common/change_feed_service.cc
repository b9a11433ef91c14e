#include "services/common/change_feed_service.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/grpc_util.h"
#include "services/common/page_token.h"
#include "services/common/resource_name.h"

namespace kommune {
namespace {

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;

// The municipalities whose events `parent` selects for this caller.
absl::StatusOr<std::vector<std::string>> Scope(absl::string_view parent,
                                               const Identity& caller) {
  absl::StatusOr<std::vector<std::string>> parts = ParseResourceName(
      parent, "municipalities/{municipality}", "parent", true);
  if (!parts.ok()) return parts.status();
  if (caller.anonymous() || caller.roles.empty()) {
    return absl::PermissionDeniedError(
        "parent: the change feed needs a signed-in caller with a role");
  }
  const std::string& code = (*parts)[0];
  if (code == kAnyMunicipality) {
    if (caller.municipality_codes.empty()) {
      return absl::PermissionDeniedError(
          "parent: the caller acts for no municipality");
    }
    return caller.municipality_codes;
  }
  if (!caller.ActsFor(code)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "parent: the caller may not read the events of municipality ", code));
  }
  return std::vector<std::string>{code};
}

}  // namespace

grpc::Status ChangeFeedServiceImpl::ListEvents(
    grpc::ServerContext* context, const common::v1::ListEventsRequest* request,
    common::v1::ListEventsResponse* response) {
  absl::StatusOr<Identity> caller = CallerIdentity(*context, *verifier_);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<std::vector<std::string>> scope =
      Scope(request->parent(), *caller);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  absl::StatusOr<int> page_size =
      PageSize(request->page_size(), kDefaultPageSize, kMaxPageSize);
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  if (request->after_sequence() < 0) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("after_sequence: must not be negative"));
  }
  int64_t after = request->after_sequence();
  if (!request->page_token().empty()) {
    absl::StatusOr<std::string> from =
        ReadPageToken(request->page_token(), request->parent());
    if (!from.ok()) return ToGrpcStatus(from.status());
    if (!absl::SimpleAtoi(*from, &after) || after < 0) {
      return ToGrpcStatus(
          absl::InvalidArgumentError("page_token: not a token this API made"));
    }
  }
  absl::StatusOr<std::vector<common::v1::Event>> events =
      log_->List(*db_, *scope, after, *page_size);
  if (!events.ok()) return ToGrpcStatus(events.status());
  for (auto& event : *events) {
    after = event.sequence();
    *response->add_events() = std::move(event);
  }
  // A full page may have more behind it; a short one means "caught up", and
  // a poller asks again later with the token of its last event.
  if (response->events_size() == *page_size) {
    response->set_next_page_token(
        MakePageToken(request->parent(), absl::StrCat(after)));
  }
  return grpc::Status::OK;
}

grpc::Status ChangeFeedServiceImpl::WatchEvents(
    grpc::ServerContext* context, const common::v1::WatchEventsRequest* request,
    grpc::ServerWriter<common::v1::WatchEventsResponse>* writer) {
  absl::StatusOr<Identity> caller = CallerIdentity(*context, *verifier_);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<std::vector<std::string>> scope =
      Scope(request->parent(), *caller);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  if (request->after_sequence() < 0) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("after_sequence: must not be negative"));
  }
  int64_t cursor = request->after_sequence();
  while (!context->IsCancelled()) {
    // Read the commit mark first: anything committed after it either shows
    // up in this query or wakes the wait below.
    int64_t seen = std::max(cursor, log_->LastCommitted());
    absl::StatusOr<std::vector<common::v1::Event>> events =
        log_->List(*db_, *scope, cursor, kDefaultPageSize);
    if (!events.ok()) return ToGrpcStatus(events.status());
    for (auto& event : *events) {
      cursor = event.sequence();
      common::v1::WatchEventsResponse message;
      *message.mutable_event() = std::move(event);
      // Write blocks while the client is slow (flow control), so a slow
      // watcher costs one page of memory, never an unbounded queue.
      if (!writer->Write(message)) return grpc::Status::CANCELLED;
    }
    if (static_cast<int>(events->size()) == kDefaultPageSize) continue;
    if (!log_->WaitForNewer(std::max(seen, cursor), poll_interval_)) {
      return grpc::Status(
          grpc::StatusCode::UNAVAILABLE,
          absl::StrCat("server is shutting down; resume with after_sequence=",
                       cursor));
    }
  }
  return grpc::Status::CANCELLED;
}

}  // namespace kommune
