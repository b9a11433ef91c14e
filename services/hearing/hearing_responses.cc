// Responses (høringssvar): submission, publication, withdrawal, handling
// and purging of personal data.
#include <cstdint>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/time_util.h"
#include "services/common/fingerprint.h"
#include "services/common/page_token.h"
#include "services/common/validation.h"
#include "services/hearing/hearing_access.h"
#include "services/hearing/hearing_calendar.h"
#include "services/hearing/hearing_manager.h"

namespace kommune::hearing {
namespace {

using google::protobuf::util::TimeUtil;

std::string FormatDate(const common::v1::Date& d) {
  return absl::StrFormat("%d.%d.%d", d.day(), d.month(), d.year());
}

const v1::Party* FindParty(const v1::Hearing& h, const std::string& id) {
  for (const v1::Party& p : h.parties()) {
    if (p.party_id() == id) return &p;
  }
  return nullptr;
}

// The writable fields of a submitted response.
v1::Response ResponseWritableFields(const v1::Response& in) {
  v1::Response out;
  out.set_party_id(in.party_id());
  *out.mutable_responder() = in.responder();
  out.set_text(in.text());
  *out.mutable_attachments() = in.attachments();
  *out.mutable_element_ids() = in.element_ids();
  *out.mutable_quoted_passages() = in.quoted_passages();
  if (in.has_personal_data_delete_date()) {
    *out.mutable_personal_data_delete_date() = in.personal_data_delete_date();
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::Response> HearingManager::Submit(
    const Identity& caller, const v1::SubmitResponseRequest& request) {
  auto ref = ParseHearingName(request.parent(), "parent");
  if (!ref.ok()) return ref.status();
  if (auto s = CheckRequestId(request.request_id()); !s.ok()) return s;
  const std::string& code = ref->municipality_code;
  std::string fingerprint = Fingerprint(request);
  // The same id sent to another hearing or method is another request.
  const std::string scope = absl::StrCat("SubmitResponse|", ref->Name());
  absl::Time now = Now();
  auto today = TodayInCopenhagen(now);
  if (!today.ok()) return today.status();
  v1::Response out;
  absl::Status status = store_->db().Write([&](Transaction& tx)
                                               -> absl::Status {
    if (auto s = store_->Lock(tx, ref->Name()); !s.ok()) return s;
    auto stored = LoadReadable(tx, caller, *ref, "parent");
    if (!stored.ok()) return stored.status();
    const v1::Hearing& h = stored->hearing;
    bool is_public = h.kind() == v1::HEARING_KIND_PUBLIC;
    v1::Response response = ResponseWritableFields(request.response());
    bool for_party = !is_public || !response.party_id().empty();
    // Only the administration records a party's answer.
    if (for_party) {
      if (auto s = CheckManage(caller, code, "response.party_id"); !s.ok()) {
        return s;
      }
    }
    // A retry is answered as the first time, but only to a caller who may
    // make the request (the answer holds the responder's contact data).
    auto replayed = store_->Replay(tx, code, scope, request.request_id(),
                                   fingerprint, &out);
    if (!replayed.ok() || *replayed) return replayed.status();
    const v1::Party* party = nullptr;
    if (for_party) {
      if (response.party_id().empty()) {
        return absl::InvalidArgumentError(
            "response.party_id: is required in an internal hearing");
      }
      party = FindParty(h, response.party_id());
      if (party == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("response.party_id: '", response.party_id(),
                         "' is not invited to this hearing"));
      }
    }
    if (h.state() != v1::HEARING_STATE_OPEN) {
      return absl::FailedPreconditionError(
          absl::StrCat("parent: the hearing is ", HearingStateName(h.state()),
                       "; responses are taken while it is open"));
    }
    if (*today < ToCivilDay(h.open_date())) {
      return absl::FailedPreconditionError(
          absl::StrCat("parent: the hearing takes responses from ",
                       FormatDate(h.open_date()), " (Copenhagen time)"));
    }
    if (auto s = ValidateResponse(response, is_public, stored->element_ids,
                                  "response");
        !s.ok()) {
      return s;
    }
    auto late = IsAfterDeadline(h.deadline(), now);
    if (!late.ok()) return late.status();
    if (*late &&
        h.late_responses() != v1::LATE_RESPONSE_POLICY_ACCEPT_MARKED_LATE) {
      return absl::FailedPreconditionError(
          absl::StrCat("parent: the deadline ", FormatDate(h.deadline()),
                       " has passed and this hearing refuses late responses"));
    }
    // Indexed lookups: a submission costs the same however many responses
    // the hearing already holds.
    if (party != nullptr) {
      auto standing =
          store_->FindPartyResponse(tx, h.name(), party->party_id());
      if (!standing.ok()) return standing.status();
      if (standing->has_value()) {
        return absl::AlreadyExistsError(
            absl::StrCat("response.party_id: '", party->party_id(),
                         "' has already answered (", **standing,
                         "); withdraw that response to answer again"));
      }
      if (response.responder().display_name().empty()) {
        response.mutable_responder()->set_display_name(party->display_name());
      }
    }
    auto seq = store_->NextResponseSeq(tx, h.name());
    if (!seq.ok()) return seq.status();
    response.set_name(ResponseRef{*ref, absl::StrCat(*seq)}.Name());
    *response.mutable_receive_time() =
        TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
    response.set_late(*late);
    response.set_state(v1::RESPONSE_STATE_SUBMITTED);
    auto written =
        store_->WriteResponse(tx, code, h.name(), *seq, response,
                              caller.subject, "response.submitted", true);
    if (!written.ok()) return written.status();
    out = *written;
    return store_->SaveAnswer(tx, code, scope, request.request_id(),
                              fingerprint, out.name(), out);
  });
  if (!status.ok()) return status;
  return out;
}

absl::Status HearingManager::LoadWithResponses(
    const Identity& caller, const HearingRef& ref, absl::string_view field,
    v1::Hearing* hearing, std::vector<v1::Response>* responses) {
  absl::Time now = Now();
  return store_->db().Read([&](Transaction& tx) -> absl::Status {
    responses->clear();
    auto stored = LoadReadable(tx, caller, ref, field);
    if (!stored.ok()) return stored.status();
    *hearing = stored->hearing;
    auto after = IsAfterDeadline(hearing->deadline(), now);
    if (!after.ok()) return after.status();
    if (auto s = CheckReadResponses(caller, ref.municipality_code, *hearing,
                                    *after, field);
        !s.ok()) {
      return s;
    }
    bool insider = IsInsider(caller, ref.municipality_code);
    auto rows = store_->ListResponses(tx, hearing->name(), 0, INT32_MAX);
    if (!rows.ok()) return rows.status();
    for (StoredResponse& r : *rows) {
      if (insider) {
        responses->push_back(std::move(r.response));
      } else if (r.response.state() == v1::RESPONSE_STATE_SUBMITTED) {
        responses->push_back(RedactForPublic(std::move(r.response)));
      }
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Response> HearingManager::GetResponse(
    const Identity& caller, const v1::GetResponseRequest& request) {
  auto ref = ParseResponseName(request.name(), "name");
  if (!ref.ok()) return ref.status();
  absl::Time now = Now();
  v1::Response out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto stored = LoadReadable(tx, caller, ref->hearing, "name");
    if (!stored.ok()) return stored.status();
    auto after = IsAfterDeadline(stored->hearing.deadline(), now);
    if (!after.ok()) return after.status();
    const std::string& code = ref->hearing.municipality_code;
    if (auto s =
            CheckReadResponses(caller, code, stored->hearing, *after, "name");
        !s.ok()) {
      return s;
    }
    auto response = store_->LoadResponse(tx, ref->Name(), "name");
    if (!response.ok()) return response.status();
    if (IsInsider(caller, code)) {
      out = response->response;
      return absl::OkStatus();
    }
    if (response->response.state() != v1::RESPONSE_STATE_SUBMITTED) {
      return absl::NotFoundError(
          absl::StrCat("name: no response named '", ref->Name(), "'"));
    }
    out = RedactForPublic(response->response);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::ListResponsesResponse> HearingManager::ListResponses(
    const Identity& caller, const v1::ListResponsesRequest& request) {
  auto ref = ParseHearingName(request.parent(), "parent");
  if (!ref.ok()) return ref.status();
  auto page_size = PageSize(request.page_size(), 50, 500);
  if (!page_size.ok()) return page_size.status();
  std::string scope = absl::StrCat("responses|", request.parent());
  int64_t after = 0;
  if (!request.page_token().empty()) {
    auto position = ReadPageToken(request.page_token(), scope);
    if (!position.ok()) return position.status();
    if (!absl::SimpleAtoi(*position, &after)) {
      return absl::InvalidArgumentError("page_token: is not one of ours");
    }
  }
  // Hearings hold hundreds of responses at most, so the page is cut from
  // the whole (redacted) list.
  v1::Hearing hearing;
  std::vector<v1::Response> responses;
  if (auto s = LoadWithResponses(caller, *ref, "parent", &hearing, &responses);
      !s.ok()) {
    return s;
  }
  v1::ListResponsesResponse out;
  for (v1::Response& r : responses) {
    int64_t seq = 0;
    absl::SimpleAtoi(r.name().substr(r.name().rfind('/') + 1), &seq);
    if (seq <= after) continue;
    if (out.responses_size() == *page_size) {
      const std::string& last = out.responses(out.responses_size() - 1).name();
      out.set_next_page_token(
          MakePageToken(scope, last.substr(last.rfind('/') + 1)));
      break;
    }
    *out.add_responses() = std::move(r);
  }
  return out;
}

absl::StatusOr<v1::Response> HearingManager::Withdraw(
    const Identity& caller, const v1::WithdrawResponseRequest& request) {
  auto ref = ParseResponseName(request.name(), "name");
  if (!ref.ok()) return ref.status();
  absl::Time now = Now();
  v1::Response out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        auto stored = LoadForWrite(tx, caller, ref->hearing, "");
        if (!stored.ok()) return stored.status();
        auto response = store_->LoadResponse(tx, ref->Name(), "name");
        if (!response.ok()) return response.status();
        if (response->response.state() == v1::RESPONSE_STATE_WITHDRAWN) {
          out = response->response;  // a retried withdrawal
          return absl::OkStatus();
        }
        const v1::Hearing& h = stored->hearing;
        if (h.state() != v1::HEARING_STATE_OPEN) {
          return absl::FailedPreconditionError(
              absl::StrCat("name: the hearing is ", HearingStateName(h.state()),
                           "; responses are withdrawn while it is open"));
        }
        auto after = IsAfterDeadline(h.deadline(), now);
        if (!after.ok()) return after.status();
        if (*after) {
          return absl::FailedPreconditionError(
              absl::StrCat("name: the deadline ", FormatDate(h.deadline()),
                           " has passed; the response can no longer be "
                           "withdrawn"));
        }
        v1::Response r = response->response;
        r.set_state(v1::RESPONSE_STATE_WITHDRAWN);
        auto written = store_->WriteResponse(
            tx, ref->hearing.municipality_code, h.name(), response->seq, r,
            caller.subject, "response.withdrawn", false);
        if (!written.ok()) return written.status();
        out = *written;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::Response> HearingManager::UpdatePoints(
    const Identity& caller, const v1::UpdateResponsePointsRequest& request) {
  auto ref = ParseResponseName(request.name(), "name");
  if (!ref.ok()) return ref.status();
  v1::Response out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        auto stored = LoadForWrite(tx, caller, ref->hearing, "");
        if (!stored.ok()) return stored.status();
        const v1::Hearing& h = stored->hearing;
        // Handling may start while the hearing is still open (responses
        // that came early), and goes on while it is closed; a processed
        // hearing's memo is final.
        if (h.state() != v1::HEARING_STATE_OPEN &&
            h.state() != v1::HEARING_STATE_CLOSED) {
          return absl::FailedPreconditionError(absl::StrCat(
              "name: the hearing is ", HearingStateName(h.state()),
              "; responses are handled while it is open or closed"));
        }
        if (auto s = ValidatePoints(
                request.points(),
                h.policy_revision().substr(0, h.policy_revision().find('@')),
                "points");
            !s.ok()) {
          return s;
        }
        auto response = store_->LoadResponse(tx, ref->Name(), "name");
        if (!response.ok()) return response.status();
        if (!request.etag().empty() &&
            request.etag() != response->response.etag()) {
          return absl::AbortedError(absl::StrCat(
              "etag: the response changed since ", request.etag(), " (now ",
              response->response.etag(), "); read it again and retry"));
        }
        if (response->response.state() != v1::RESPONSE_STATE_SUBMITTED) {
          return absl::FailedPreconditionError(
              "name: the response was withdrawn; there is nothing to handle");
        }
        v1::Response r = response->response;
        *r.mutable_points() = request.points();
        auto written = store_->WriteResponse(
            tx, ref->hearing.municipality_code, h.name(), response->seq, r,
            caller.subject, "response.handled", false);
        if (!written.ok()) return written.status();
        out = *written;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::PurgePersonalDataResponse> HearingManager::Purge(
    const Identity& caller, const v1::PurgePersonalDataRequest& request) {
  auto ref = ParseHearingName(request.parent(), "parent");
  if (!ref.ok()) return ref.status();
  if (auto s = CheckManage(caller, ref->municipality_code, "parent"); !s.ok()) {
    return s;
  }
  auto today = TodayInCopenhagen(Now());
  if (!today.ok()) return today.status();
  v1::PurgePersonalDataResponse out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        out.Clear();
        auto stored = LoadForWrite(tx, caller, *ref, "", "parent");
        if (!stored.ok()) return stored.status();
        auto responses =
            store_->ListResponses(tx, stored->hearing.name(), 0, INT32_MAX);
        if (!responses.ok()) return responses.status();
        for (const StoredResponse& r : *responses) {
          const v1::Response& old = r.response;
          if (old.purged() || !IsSet(old.personal_data_delete_date()) ||
              ToCivilDay(old.personal_data_delete_date()) > *today) {
            continue;
          }
          v1::Response purged = old;
          v1::Responder* who = purged.mutable_responder();
          who->clear_display_name();
          who->clear_email();
          who->clear_address();
          who->clear_organisation();
          purged.set_purged(true);
          auto written = store_->WriteResponse(
              tx, ref->municipality_code, stored->hearing.name(), r.seq, purged,
              caller.subject, "response.purged", false);
          if (!written.ok()) return written.status();
          // The stored answer to the submission held the same data.
          if (auto s = store_->ReplaceAnswers(tx, written->name(), *written);
              !s.ok()) {
            return s;
          }
          out.set_purged_count(out.purged_count() + 1);
        }
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return out;
}

}  // namespace kommune::hearing
