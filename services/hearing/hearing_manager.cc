// Hearings: planning, lifecycle, parties, and the memo.
#include "services/hearing/hearing_manager.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/common/fingerprint.h"
#include "services/common/page_token.h"
#include "services/common/resource_name.h"
#include "services/common/validation.h"
#include "services/hearing/hearing_access.h"
#include "services/hearing/hearing_calendar.h"
#include "services/hearing/hearing_memo.h"

namespace kommune::hearing {
namespace {

std::string FormatDate(const common::v1::Date& d) {
  return absl::StrFormat("%d.%d.%d", d.day(), d.month(), d.year());
}

// The policy of a hearing: its revision without "@rev".
std::string PolicyOf(const v1::Hearing& hearing) {
  return hearing.policy_revision().substr(0,
                                          hearing.policy_revision().find('@'));
}

// An error from the policy service, under `field`, keeping its code.
absl::Status FromPolicyService(const absl::Status& s, absl::string_view field,
                               absl::string_view what) {
  return absl::Status(s.code(),
                      absl::StrCat(field, ": ", what, ": ", s.message()));
}

}  // namespace

absl::StatusOr<StoredHearing> HearingManager::LoadForWrite(
    Transaction& tx, const Identity& caller, const HearingRef& ref,
    const std::string& etag, absl::string_view field) {
  if (auto s = CheckManage(caller, ref.municipality_code, field); !s.ok()) {
    return s;
  }
  if (auto s = store_->Lock(tx, ref.Name()); !s.ok()) return s;
  auto stored = store_->LoadHearing(tx, ref.Name(), field);
  if (!stored.ok()) return stored.status();
  if (!etag.empty() && etag != stored->hearing.etag()) {
    return absl::AbortedError(
        absl::StrCat("etag: the hearing changed since ", etag, " (now ",
                     stored->hearing.etag(), "); read it again and retry"));
  }
  return stored;
}

absl::StatusOr<StoredHearing> HearingManager::LoadReadable(
    Transaction& tx, const Identity& caller, const HearingRef& ref,
    absl::string_view field) {
  auto stored = store_->LoadHearing(tx, ref.Name(), field);
  if (!stored.ok()) {
    if (absl::IsNotFound(stored.status()) &&
        !IsInsider(caller, ref.municipality_code)) {
      v1::Hearing unknown;  // internal, planned: readable by insiders only
      return CheckReadHearing(caller, ref.municipality_code, unknown, field);
    }
    return stored.status();
  }
  if (auto s = CheckReadHearing(caller, ref.municipality_code, stored->hearing,
                                field);
      !s.ok()) {
    return s;
  }
  return stored;
}

absl::StatusOr<v1::Hearing> HearingManager::Create(
    const Identity& caller, const v1::CreateHearingRequest& request) {
  auto code = ParseParent(request.parent());
  if (!code.ok()) return code.status();
  if (auto s = CheckManage(caller, *code, "parent"); !s.ok()) return s;
  if (auto s = ValidateResourceId(request.hearing_id(), "hearing_id");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckRequestId(request.request_id()); !s.ok()) return s;
  v1::Hearing hearing = HearingWritableFields(request.hearing());
  if (auto s = ValidateHearing(hearing, "hearing"); !s.ok()) return s;
  auto revision =
      ParsePolicyRevision(hearing.policy_revision(), "hearing.policy_revision");
  if (!revision.ok()) return revision.status();
  if (revision->municipality_code != *code) {
    return absl::InvalidArgumentError(absl::StrCat(
        "hearing.policy_revision: must be a policy of municipality ", *code));
  }
  std::string fingerprint = Fingerprint(request);
  const std::string scope = absl::StrCat("CreateHearing|", request.parent());
  v1::Hearing out;
  // A retry is answered from the store without asking the policy service.
  bool replayed = false;
  if (!request.request_id().empty()) {
    absl::Status s = store_->db().Read([&](Transaction& tx) -> absl::Status {
      auto r = store_->Replay(tx, *code, scope, request.request_id(),
                              fingerprint, &out);
      if (!r.ok()) return r.status();
      replayed = *r;
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    if (replayed) return out;
  }
  auto policy = policies_->GetPolicy(caller, hearing.policy_revision());
  if (!policy.ok()) {
    return FromPolicyService(policy.status(), "hearing.policy_revision",
                             "the policy revision cannot be read");
  }
  std::set<std::string> element_ids = CollectElementIds(policy->content());
  HearingRef ref{*code, request.hearing_id()};
  hearing.set_name(ref.Name());
  hearing.set_state(v1::HEARING_STATE_PLANNED);
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        auto r = store_->Replay(tx, *code, scope, request.request_id(),
                                fingerprint, &out);
        if (!r.ok() || *r) return r.status();
        // Hearings of a policy are planned and opened one at a time with
        // its adoption (the treatment half takes the same lock).
        if (auto s = store_->LockPolicy(tx, revision->policy); !s.ok()) {
          return s;
        }
        auto written =
            store_->WriteHearing(tx, *code, hearing, element_ids,
                                 caller.subject, "hearing.created", true);
        if (!written.ok()) return written.status();
        out = *written;
        return store_->SaveAnswer(tx, *code, scope, request.request_id(),
                                  fingerprint, out.name(), out);
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::Hearing> HearingManager::Get(
    const Identity& caller, const v1::GetHearingRequest& request) {
  auto ref = ParseHearingName(request.name(), "name");
  if (!ref.ok()) return ref.status();
  v1::Hearing out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto stored = LoadReadable(tx, caller, *ref, "name");
    if (!stored.ok()) return stored.status();
    out = IsInsider(caller, ref->municipality_code)
              ? stored->hearing
              : RedactHearingForPublic(stored->hearing);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::ListHearingsResponse> HearingManager::List(
    const Identity& caller, const v1::ListHearingsRequest& request) {
  auto code = ParseParent(request.parent());
  if (!code.ok()) return code.status();
  if (!request.policy_name().empty()) {
    if (auto s =
            ParseResourceName(request.policy_name(),
                              "municipalities/{municipality}/policies/{policy}",
                              "policy_name")
                .status();
        !s.ok()) {
      return s;
    }
  }
  auto page_size = PageSize(request.page_size(), 50, 500);
  if (!page_size.ok()) return page_size.status();
  std::string scope =
      absl::StrCat("hearings|", request.parent(), "|", request.policy_name());
  std::string after;
  if (!request.page_token().empty()) {
    auto position = ReadPageToken(request.page_token(), scope);
    if (!position.ok()) return position.status();
    after = *position;
  }
  bool insider = IsInsider(caller, *code);
  v1::ListHearingsResponse response;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    response.Clear();
    std::string cursor = after;
    std::string last_returned;
    while (true) {
      auto rows = store_->ListHearings(tx, *code, request.policy_name(), cursor,
                                       *page_size + 1);
      if (!rows.ok()) return rows.status();
      for (const v1::Hearing& h : *rows) {
        std::string id = h.name().substr(h.name().rfind('/') + 1);
        cursor = id;
        if (!CheckReadHearing(caller, *code, h, "parent").ok()) continue;
        if (response.hearings_size() == *page_size) {
          response.set_next_page_token(MakePageToken(scope, last_returned));
          return absl::OkStatus();
        }
        *response.add_hearings() = insider ? h : RedactHearingForPublic(h);
        last_returned = id;
      }
      if (static_cast<int>(rows->size()) < *page_size + 1) {
        return absl::OkStatus();
      }
    }
  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::Hearing> HearingManager::Update(
    const Identity& caller, const v1::UpdateHearingRequest& request) {
  auto ref = ParseHearingName(request.hearing().name(), "hearing.name");
  if (!ref.ok()) return ref.status();
  if (auto s = CheckManage(caller, ref->municipality_code, "hearing.name");
      !s.ok()) {
    return s;
  }
  // The policy revision is fixed at creation (its element ids were taken
  // then); plan a new hearing for another revision.
  static const char* const kWritable[] = {
      "display_name", "kind",     "letter",  "esdh_case",
      "open_date",    "deadline", "parties", "late_responses"};
  google::protobuf::FieldMask mask = request.update_mask();
  if (mask.paths_size() == 1 && mask.paths(0) == "*") {
    mask.clear_paths();
    for (const char* path : kWritable) mask.add_paths(path);
  } else if (mask.paths_size() == 0) {
    const v1::Hearing& h = request.hearing();
    if (!h.display_name().empty()) mask.add_paths("display_name");
    if (h.kind() != v1::HEARING_KIND_UNSPECIFIED) mask.add_paths("kind");
    if (h.has_letter()) mask.add_paths("letter");
    if (h.has_esdh_case()) mask.add_paths("esdh_case");
    if (h.has_open_date()) mask.add_paths("open_date");
    if (h.has_deadline()) mask.add_paths("deadline");
    if (h.parties_size() > 0) mask.add_paths("parties");
    if (h.late_responses() != v1::LATE_RESPONSE_POLICY_UNSPECIFIED) {
      mask.add_paths("late_responses");
    }
  }
  for (const std::string& path : mask.paths()) {
    bool writable = false;
    for (const char* w : kWritable) writable = writable || path == w;
    if (!writable) {
      return absl::InvalidArgumentError(absl::StrCat(
          "update_mask: '", path, "' is not a writable field of a hearing"));
    }
  }
  v1::Hearing out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        auto stored = LoadForWrite(tx, caller, *ref, request.hearing().etag(),
                                   "hearing.name");
        if (!stored.ok()) {
          if (absl::IsAborted(stored.status())) {
            return absl::AbortedError(
                absl::StrCat("hearing.", stored.status().message()));
          }
          return stored.status();
        }
        if (stored->hearing.state() != v1::HEARING_STATE_PLANNED) {
          return absl::FailedPreconditionError(
              absl::StrCat("hearing.name: the hearing is ",
                           HearingStateName(stored->hearing.state()),
                           "; only a planned hearing changes"));
        }
        v1::Hearing merged = stored->hearing;
        v1::Hearing incoming = HearingWritableFields(request.hearing());
        google::protobuf::util::FieldMaskUtil::MergeOptions options;
        options.set_replace_message_fields(true);
        options.set_replace_repeated_fields(true);
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(incoming, mask,
                                                              options, &merged);
        // Waivers are output only; a planned hearing has none.
        if (auto s = ValidateHearing(merged, "hearing"); !s.ok()) return s;
        auto written = store_->WriteHearing(tx, ref->municipality_code, merged,
                                            stored->element_ids, caller.subject,
                                            "hearing.updated", false);
        if (!written.ok()) return written.status();
        out = *written;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::Hearing> HearingManager::Transition(
    const Identity& caller, const std::string& name, const std::string& etag,
    v1::HearingState to, const std::string& event_type,
    const std::function<absl::Status(Transaction&, v1::Hearing&)>& check) {
  auto ref = ParseHearingName(name, "name");
  if (!ref.ok()) return ref.status();
  v1::Hearing out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        auto stored = LoadForWrite(tx, caller, *ref, etag);
        if (!stored.ok()) return stored.status();
        v1::Hearing hearing = stored->hearing;
        if (auto s = CheckHearingTransition(hearing.state(), to); !s.ok()) {
          return s;
        }
        if (check) {
          if (auto s = check(tx, hearing); !s.ok()) return s;
        }
        hearing.set_state(to);
        auto written = store_->WriteHearing(tx, ref->municipality_code, hearing,
                                            stored->element_ids, caller.subject,
                                            event_type, false);
        if (!written.ok()) return written.status();
        out = *written;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::Hearing> HearingManager::Open(
    const Identity& caller, const v1::OpenHearingRequest& request) {
  auto ref = ParseHearingName(request.name(), "name");
  if (!ref.ok()) return ref.status();
  absl::Time now = Now();
  // Check first, so that a hearing that cannot open never moves the policy.
  std::string policy;
  absl::Status checked =
      store_->db().Read([&](Transaction& tx) -> absl::Status {
        auto stored = LoadForWrite(tx, caller, *ref, request.etag());
        if (!stored.ok()) return stored.status();
        if (auto s = CheckHearingTransition(stored->hearing.state(),
                                            v1::HEARING_STATE_OPEN);
            !s.ok()) {
          return s;
        }
        if (auto s = CheckMayOpen(tx, stored->hearing, now); !s.ok()) return s;
        policy = PolicyOf(stored->hearing);
        return absl::OkStatus();
      });
  if (!checked.ok()) return checked;
  // The policy moves first: if that fails the hearing stays planned. If the
  // hearing's own write then fails, the policy is in hearing with the
  // hearing still planned; opening again is harmless (SendToHearing returns
  // a policy already in hearing as it is).
  auto sent = policies_->SendToHearing(caller, policy);
  if (!sent.ok()) {
    return FromPolicyService(sent.status(), "name",
                             "the policy could not be sent to hearing");
  }
  // Checked again under the policy's lock, which an adoption takes too:
  // either the adoption sees this hearing open, or this sees the adoption.
  return Transition(
      caller, request.name(), request.etag(), v1::HEARING_STATE_OPEN,
      "hearing.opened", [this, now](Transaction& tx, v1::Hearing& h) {
        if (auto s = store_->LockPolicy(tx, PolicyOf(h)); !s.ok()) {
          return s;
        }
        return CheckMayOpen(tx, h, now);
      });
}

absl::Status HearingManager::CheckMayOpen(Transaction& tx,
                                          const v1::Hearing& hearing,
                                          absl::Time now) {
  auto after = IsAfterDeadline(hearing.deadline(), now);
  if (!after.ok()) return after.status();
  if (*after) {
    return absl::FailedPreconditionError(absl::StrCat(
        "hearing.deadline: the deadline ", FormatDate(hearing.deadline()),
        " has passed; move it with UpdateHearing before opening"));
  }
  std::string policy = PolicyOf(hearing);
  auto adopting = store_->AdoptingCase(tx, policy);
  if (!adopting.ok()) return adopting.status();
  if (!adopting->empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("name: the policy ", policy,
                     " is adopted or being adopted (treatment case ", *adopting,
                     "); it cannot go to hearing"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Hearing> HearingManager::Close(
    const Identity& caller, const v1::CloseHearingRequest& request) {
  absl::Time now = Now();
  return Transition(caller, request.name(), request.etag(),
                    v1::HEARING_STATE_CLOSED, "hearing.closed",
                    [now](Transaction&, v1::Hearing& h) -> absl::Status {
                      auto after = IsAfterDeadline(h.deadline(), now);
                      if (!after.ok()) return after.status();
                      if (!*after) {
                        return absl::FailedPreconditionError(absl::StrCat(
                            "name: the hearing runs until its deadline ",
                            FormatDate(h.deadline()), "; close it after that"));
                      }
                      return absl::OkStatus();
                    });
}

absl::StatusOr<v1::Hearing> HearingManager::Cancel(
    const Identity& caller, const v1::CancelHearingRequest& request) {
  if (auto s = ValidateText(request.reason(), "reason", true, 10000); !s.ok()) {
    return s;
  }
  return Transition(caller, request.name(), "", v1::HEARING_STATE_CANCELLED,
                    "hearing.cancelled",
                    [&request](Transaction&, v1::Hearing& h) {
                      h.set_cancel_reason(request.reason());
                      return absl::OkStatus();
                    });
}

absl::StatusOr<v1::Hearing> HearingManager::MarkProcessed(
    const Identity& caller, const v1::MarkHearingProcessedRequest& request) {
  return Transition(
      caller, request.name(), request.etag(), v1::HEARING_STATE_PROCESSED,
      "hearing.processed",
      [this](Transaction& tx, v1::Hearing& h) -> absl::Status {
        auto responses = store_->ListResponses(tx, h.name(), 0, INT32_MAX);
        if (!responses.ok()) return responses.status();
        std::set<std::string> answered;
        for (const StoredResponse& r : *responses) {
          if (r.response.state() != v1::RESPONSE_STATE_SUBMITTED) continue;
          answered.insert(r.response.party_id());
          if (r.response.points().empty()) {
            return absl::FailedPreconditionError(
                absl::StrCat("name: the response ", r.response.name(),
                             " has no points recorded; split it into points "
                             "with UpdateResponsePoints"));
          }
          for (const v1::ResponsePoint& p : r.response.points()) {
            if (p.disposition() == v1::DISPOSITION_UNSPECIFIED) {
              return absl::FailedPreconditionError(absl::StrCat(
                  "name: point '", p.point_id(), "' of the response ",
                  r.response.name(), " has no disposition"));
            }
          }
        }
        for (const v1::Party& p : h.parties()) {
          if (p.must_answer() && !p.waived() && !answered.count(p.party_id())) {
            return absl::FailedPreconditionError(absl::StrCat(
                "name: the party '", p.party_id(), "' (", p.display_name(),
                ") must answer and has neither answered nor been waived"));
          }
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Hearing> HearingManager::WaiveParty(
    const Identity& caller, const v1::WaivePartyRequest& request) {
  auto ref = ParseHearingName(request.name(), "name");
  if (!ref.ok()) return ref.status();
  if (auto s = ValidateText(request.reason(), "reason", true, 10000); !s.ok()) {
    return s;
  }
  if (auto s = ValidateResourceId(request.party_id(), "party_id"); !s.ok()) {
    return s;
  }
  v1::Hearing out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        auto stored = LoadForWrite(tx, caller, *ref, "");
        if (!stored.ok()) return stored.status();
        v1::Hearing hearing = stored->hearing;
        v1::HearingState state = hearing.state();
        if (state == v1::HEARING_STATE_PROCESSED ||
            state == v1::HEARING_STATE_CANCELLED) {
          return absl::FailedPreconditionError(
              absl::StrCat("name: the hearing is ", HearingStateName(state),
                           "; parties can no longer be waived"));
        }
        v1::Party* party = nullptr;
        for (v1::Party& p : *hearing.mutable_parties()) {
          if (p.party_id() == request.party_id()) party = &p;
        }
        if (party == nullptr) {
          return absl::InvalidArgumentError(
              absl::StrCat("party_id: '", request.party_id(),
                           "' is not a party of this hearing"));
        }
        party->set_waived(true);
        party->set_waiver_reason(request.reason());
        auto written = store_->WriteHearing(tx, ref->municipality_code, hearing,
                                            stored->element_ids, caller.subject,
                                            "hearing.party_waived", false);
        if (!written.ok()) return written.status();
        out = *written;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::ListOutstandingPartiesResponse>
HearingManager::ListOutstanding(
    const Identity& caller, const v1::ListOutstandingPartiesRequest& request) {
  auto ref = ParseHearingName(request.name(), "name");
  if (!ref.ok()) return ref.status();
  if (request.days_before_deadline() < 0) {
    return absl::InvalidArgumentError(
        "days_before_deadline: must not be negative");
  }
  if (!IsInsider(caller, ref->municipality_code)) {
    return CheckReadHearing(caller, ref->municipality_code, v1::Hearing(),
                            "name");
  }
  absl::Time now = Now();
  v1::ListOutstandingPartiesResponse response;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    response.Clear();
    auto stored = store_->LoadHearing(tx, ref->Name(), "name");
    if (!stored.ok()) return stored.status();
    const v1::Hearing& h = stored->hearing;
    auto responses = store_->ListResponses(tx, h.name(), 0, INT32_MAX);
    if (!responses.ok()) return responses.status();
    std::set<std::string> answered;
    for (const StoredResponse& r : *responses) {
      if (r.response.state() == v1::RESPONSE_STATE_SUBMITTED) {
        answered.insert(r.response.party_id());
      }
    }
    auto days_left = DaysLeft(h.deadline(), now);
    if (!days_left.ok()) return days_left.status();
    auto overdue = IsAfterDeadline(h.deadline(), now);
    if (!overdue.ok()) return overdue.status();
    response.set_days_left(static_cast<int32_t>(*days_left));
    response.set_overdue(*overdue);
    // Before the deadline, 0 means "whenever"; N only once N days are left.
    if (!*overdue && request.days_before_deadline() > 0 &&
        *days_left > request.days_before_deadline()) {
      return absl::OkStatus();
    }
    for (const v1::Party& p : h.parties()) {
      // A waived party is excused and needs no reminder.
      if (p.waived() || answered.count(p.party_id())) continue;
      *response.add_parties() = p;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::HearingMemo> HearingManager::GetMemo(
    const Identity& caller, const v1::GetHearingMemoRequest& request) {
  auto ref = ParseHearingName(request.name(), "name");
  if (!ref.ok()) return ref.status();
  v1::Hearing hearing;
  std::vector<v1::Response> responses;
  if (auto s = LoadWithResponses(caller, *ref, "name", &hearing, &responses);
      !s.ok()) {
    return s;
  }
  return BuildMemo(hearing, responses);
}

absl::StatusOr<v1::ExportHearingMemoResponse> HearingManager::ExportMemo(
    const Identity& caller, const v1::ExportHearingMemoRequest& request) {
  if (!v1::MemoFormat_IsValid(request.format())) {
    return absl::InvalidArgumentError("format: is not a memo format");
  }
  v1::GetHearingMemoRequest get;
  get.set_name(request.name());
  auto memo = GetMemo(caller, get);
  if (!memo.ok()) return memo.status();
  v1::ExportHearingMemoResponse out;
  if (request.format() == v1::MEMO_FORMAT_HTML) {
    out.set_document(RenderMemoHtml(*memo));
    out.set_media_type("text/html; charset=utf-8");
  } else {
    out.set_document(RenderMemoMarkdown(*memo));
    out.set_media_type("text/markdown; charset=utf-8");
  }
  return out;
}

}  // namespace kommune::hearing
