#include "services/hearing/hearing_requests.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/resource_name.h"
#include "services/common/validation.h"

namespace kommune::hearing {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

absl::Status ValidateAttachments(
    const google::protobuf::RepeatedPtrField<common::v1::EsdhReference>& list,
    absl::string_view field) {
  if (list.size() > kMaxAttachments) {
    return Invalid(field, absl::StrCat(list.size(), " attachments; at most ",
                                       kMaxAttachments, " are allowed"));
  }
  for (int i = 0; i < list.size(); ++i) {
    std::string f = absl::StrCat(field, "[", i, "]");
    if (list[i].case_number().empty() && list[i].title().empty()) {
      return Invalid(f, "needs a case number or a title");
    }
    if (auto s = ValidateEsdhReference(list[i], f); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ValidateShort(absl::string_view text, absl::string_view field,
                           bool required, size_t max = 500) {
  return ValidateText(text, field, required, max);
}

void Collect(const google::protobuf::Message& message,
             std::set<std::string>* out) {
  const auto* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const auto* f : fields) {
    if (f->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, f); ++i) {
          Collect(reflection->GetRepeatedMessage(message, f, i), out);
        }
      } else {
        Collect(reflection->GetMessage(message, f), out);
      }
    } else if (f->name() == "id" && !f->is_repeated() &&
               f->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      std::string id = reflection->GetString(message, f);
      if (!id.empty()) out->insert(std::move(id));
    }
  }
}

}  // namespace

std::string HearingRef::Name() const {
  return absl::StrCat("municipalities/", municipality_code, "/hearings/",
                      hearing_id);
}

std::string ResponseRef::Name() const {
  return absl::StrCat(hearing.Name(), "/responses/", response_id);
}

absl::StatusOr<std::string> ParseParent(absl::string_view parent,
                                        absl::string_view field) {
  auto segments =
      ParseResourceName(parent, "municipalities/{municipality}", field);
  if (!segments.ok()) return segments.status();
  return (*segments)[0];
}

absl::StatusOr<HearingRef> ParseHearingName(absl::string_view name,
                                            absl::string_view field) {
  auto segments = ParseResourceName(
      name, "municipalities/{municipality}/hearings/{hearing}", field);
  if (!segments.ok()) return segments.status();
  return HearingRef{(*segments)[0], (*segments)[1]};
}

absl::StatusOr<ResponseRef> ParseResponseName(absl::string_view name,
                                              absl::string_view field) {
  auto segments = ParseResourceName(
      name,
      "municipalities/{municipality}/hearings/{hearing}/responses/{response}",
      field);
  if (!segments.ok()) return segments.status();
  return ResponseRef{{(*segments)[0], (*segments)[1]}, (*segments)[2]};
}

absl::StatusOr<PolicyRevisionRef> ParsePolicyRevision(absl::string_view name,
                                                      absl::string_view field) {
  if (name.empty()) return Invalid(field, "is required");
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(name, absl::MaxSplits('@', 1));
  auto segments = ParseResourceName(
      parts.first, "municipalities/{municipality}/policies/{policy}", field);
  if (!segments.ok()) return segments.status();
  if (name.find('@') == absl::string_view::npos || parts.second.empty() ||
      !std::all_of(parts.second.begin(), parts.second.end(),
                   [](char c) { return absl::ascii_isdigit(c); }) ||
      parts.second[0] == '0' || parts.second.size() > 18) {
    return Invalid(field,
                   "name one revision of a policy, "
                   "\"municipalities/{code}/policies/{id}@{revision}\"");
  }
  return PolicyRevisionRef{(*segments)[0], std::string(parts.first),
                           std::string(parts.second)};
}

absl::Status CheckRequestId(absl::string_view request_id) {
  if (request_id.size() > 128) {
    return Invalid("request_id", "at most 128 characters");
  }
  return ValidateText(request_id, "request_id");
}

v1::Hearing HearingWritableFields(const v1::Hearing& in) {
  v1::Hearing out;
  out.set_display_name(in.display_name());
  out.set_policy_revision(in.policy_revision());
  out.set_kind(in.kind());
  if (in.has_letter()) *out.mutable_letter() = in.letter();
  if (in.has_esdh_case()) *out.mutable_esdh_case() = in.esdh_case();
  if (in.has_open_date()) *out.mutable_open_date() = in.open_date();
  if (in.has_deadline()) *out.mutable_deadline() = in.deadline();
  out.set_late_responses(in.late_responses());
  for (const v1::Party& p : in.parties()) {
    v1::Party* party = out.add_parties();
    *party = p;
    party->clear_waived();
    party->clear_waiver_reason();
  }
  return out;
}

absl::Status ValidateHearing(const v1::Hearing& h, absl::string_view field) {
  auto f = [&](absl::string_view sub) { return absl::StrCat(field, ".", sub); };
  if (auto s = ValidateShort(h.display_name(), f("display_name"), true);
      !s.ok()) {
    return s;
  }
  if (h.kind() != v1::HEARING_KIND_INTERNAL &&
      h.kind() != v1::HEARING_KIND_PUBLIC) {
    return Invalid(f("kind"), "choose internal or public");
  }
  if (!v1::LateResponsePolicy_IsValid(h.late_responses())) {
    return Invalid(f("late_responses"), "is not a late response policy");
  }
  if (auto s = ValidateText(h.letter().text(), f("letter.text")); !s.ok()) {
    return s;
  }
  if (auto s = ValidateAttachments(h.letter().attachments(),
                                   f("letter.attachments"));
      !s.ok()) {
    return s;
  }
  if (auto s =
          ValidateEsdhReference(h.letter().document(), f("letter.document"));
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateEsdhReference(h.esdh_case(), f("esdh_case")); !s.ok()) {
    return s;
  }
  if (auto s = ValidateDate(h.open_date(), f("open_date"), true); !s.ok()) {
    return s;
  }
  if (auto s = ValidateDate(h.deadline(), f("deadline"), true); !s.ok()) {
    return s;
  }
  if (ToCivilDay(h.deadline()) < ToCivilDay(h.open_date())) {
    return Invalid(f("deadline"), "is before the hearing's open_date");
  }
  if (h.parties_size() > kMaxParties) {
    return Invalid(f("parties"),
                   absl::StrCat("at most ", kMaxParties, " parties"));
  }
  std::set<std::string> ids;
  for (int i = 0; i < h.parties_size(); ++i) {
    const v1::Party& p = h.parties(i);
    std::string pf = f(absl::StrCat("parties[", i, "]"));
    if (auto s = ValidateResourceId(p.party_id(), pf + ".party_id"); !s.ok()) {
      return s;
    }
    if (!ids.insert(p.party_id()).second) {
      return Invalid(pf + ".party_id",
                     absl::StrCat("'", p.party_id(), "' is listed twice"));
    }
    if (auto s = ValidateShort(p.display_name(), pf + ".display_name", true);
        !s.ok()) {
      return s;
    }
    if (!v1::PartyKind_IsValid(p.kind()) ||
        p.kind() == v1::PARTY_KIND_UNSPECIFIED) {
      return Invalid(pf + ".kind",
                     "choose committee, council, citizen, association, "
                     "company, authority or med_committee");
    }
    if (auto s = ValidateShort(p.contact(), pf + ".contact", false); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateResponse(const v1::Response& r, bool public_hearing,
                              const std::set<std::string>& element_ids,
                              absl::string_view field) {
  auto f = [&](absl::string_view sub) { return absl::StrCat(field, ".", sub); };
  if (auto s = ValidateText(r.text(), f("text"), true, kMaxResponseTextBytes);
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateAttachments(r.attachments(), f("attachments"));
      !s.ok()) {
    return s;
  }
  for (int i = 0; i < r.element_ids_size(); ++i) {
    if (element_ids.count(r.element_ids(i)) == 0) {
      return Invalid(f(absl::StrCat("element_ids[", i, "]")),
                     absl::StrCat("'", r.element_ids(i),
                                  "' is not an element of the revision heard"));
    }
  }
  if (r.quoted_passages_size() > 100) {
    return Invalid(f("quoted_passages"), "at most 100 passages");
  }
  for (int i = 0; i < r.quoted_passages_size(); ++i) {
    if (auto s = ValidateText(r.quoted_passages(i),
                              f(absl::StrCat("quoted_passages[", i, "]")), true,
                              kMaxResponseTextBytes);
        !s.ok()) {
      return s;
    }
  }
  const v1::Responder& who = r.responder();
  if (auto s = ValidateShort(who.display_name(), f("responder.display_name"),
                             public_hearing && r.party_id().empty());
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateShort(who.email(), f("responder.email"), false, 254);
      !s.ok()) {
    return s;
  }
  if (!who.email().empty() && (!absl::StrContains(who.email(), "@") ||
                               absl::StrContains(who.email(), " "))) {
    return Invalid(f("responder.email"), "is not an e-mail address");
  }
  for (auto [text, name] :
       {std::pair{who.organisation(), "responder.organisation"},
        std::pair{who.represents(), "responder.represents"},
        std::pair{who.address(), "responder.address"}}) {
    if (auto s = ValidateShort(text, f(name), false); !s.ok()) return s;
  }
  // An invited party answers under its own name: the hearing publishes
  // who was invited and who answered, so anonymity is for the public.
  if (!r.party_id().empty() && who.anonymous()) {
    return Invalid(f("responder.anonymous"),
                   "an invited party answers under its own name; only "
                   "responders from the public may be anonymous");
  }
  if (public_hearing && r.party_id().empty() && !who.consent()) {
    return Invalid(f("responder.consent"),
                   "a public response needs the responder's consent to "
                   "process and publish it");
  }
  if (auto s = ValidateDate(r.personal_data_delete_date(),
                            f("personal_data_delete_date"));
      !s.ok()) {
    return s;
  }
  return absl::OkStatus();
}

absl::Status ValidatePoints(
    const google::protobuf::RepeatedPtrField<v1::ResponsePoint>& points,
    const std::string& policy, absl::string_view field) {
  if (points.size() > kMaxPoints) {
    return Invalid(field, absl::StrCat("at most ", kMaxPoints, " points"));
  }
  std::set<std::string> ids;
  for (int i = 0; i < points.size(); ++i) {
    const v1::ResponsePoint& p = points[i];
    std::string pf = absl::StrCat(field, "[", i, "]");
    if (auto s = ValidateResourceId(p.point_id(), pf + ".point_id"); !s.ok()) {
      return s;
    }
    if (!ids.insert(p.point_id()).second) {
      return Invalid(pf + ".point_id",
                     absl::StrCat("'", p.point_id(), "' is listed twice"));
    }
    if (auto s = ValidateText(p.summary(), pf + ".summary", true, 10000);
        !s.ok()) {
      return s;
    }
    if (!v1::Disposition_IsValid(p.disposition())) {
      return Invalid(pf + ".disposition", "is not a disposition");
    }
    if (auto s = ValidateText(p.reason(), pf + ".reason", false, 10000);
        !s.ok()) {
      return s;
    }
    if (!p.changed_revision().empty()) {
      auto rev =
          ParsePolicyRevision(p.changed_revision(), pf + ".changed_revision");
      if (!rev.ok()) return rev.status();
      if (rev->policy != policy) {
        return Invalid(pf + ".changed_revision",
                       absl::StrCat("must be a revision of ", policy));
      }
    }
    for (int j = 0; j < p.changed_element_ids_size(); ++j) {
      if (auto s = ValidateShort(
              p.changed_element_ids(j),
              absl::StrCat(pf, ".changed_element_ids[", j, "]"), true, 200);
          !s.ok()) {
        return s;
      }
    }
    if (p.changed_element_ids_size() > 0 && p.changed_revision().empty()) {
      return Invalid(pf + ".changed_revision",
                     "name the revision the changed elements are in");
    }
  }
  return absl::OkStatus();
}

std::set<std::string> CollectElementIds(
    const google::protobuf::Message& message) {
  std::set<std::string> out;
  Collect(message, &out);
  return out;
}

}  // namespace kommune::hearing
