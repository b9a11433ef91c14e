#include "services/esdh/record_builder.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "kommune/followup/v1/report.pb.h"
#include "kommune/hearing/v1/hearing.pb.h"
#include "kommune/hearing/v1/treatment.pb.h"
#include "kommune/policy/v1/policy.pb.h"
#include "services/common/time_zone.h"
#include "services/common/validation.h"

namespace kommune::esdh {
namespace {

std::string MunicipalityOf(const std::string& name) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  return parts.size() > 1 ? parts[1] : "";
}

// The letter date: the day the event happened in Copenhagen.
common::v1::Date DateOf(const google::protobuf::Timestamp& ts) {
  absl::StatusOr<absl::CivilDay> day =
      CopenhagenDay(absl::FromUnixSeconds(ts.seconds()));
  return FromCivilDay(
      day.ok() ? *day
               : absl::ToCivilDay(absl::FromUnixSeconds(ts.seconds()),
                                  absl::UTCTimeZone()));
}

v1::JournalFile Markdown(std::string file_name, std::string text) {
  v1::JournalFile f;
  f.set_file_name(std::move(file_name));
  f.set_media_type("text/markdown; charset=utf-8");
  f.set_content(std::move(text));
  return f;
}

// A record for `event` about `resource` in the case `ref`.
v1::JournalRecord Record(const std::string& service,
                         const common::v1::Event& event,
                         const common::v1::EsdhReference& ref,
                         const std::string& case_title) {
  v1::JournalRecord r;
  v1::JournalCase& c = *r.mutable_esdh_case();
  c.set_case_number(ref.case_number());
  c.set_title(ref.title().empty() ? case_title : ref.title());
  *c.mutable_kle_class() = ref.kle_class();
  *r.mutable_document()->mutable_letter_date() = DateOf(event.create_time());
  v1::Origin& o = *r.mutable_origin();
  o.set_service(service);
  o.set_event_sequence(event.sequence());
  o.set_event_type(event.type());
  o.set_resource(event.resource());
  // The same event always makes the same document: its key is its origin.
  r.set_idempotency_key(
      absl::StrCat(service, "-", event.sequence(), "-", event.type()));
  return r;
}

CaseMemberRow Member(const std::string& service, const std::string& resource,
                     const common::v1::EsdhReference& ref,
                     absl::string_view kind, const std::string& title) {
  return {MunicipalityOf(resource),
          ref.case_number(),
          resource,
          service,
          std::string(kind),
          title};
}

absl::StatusOr<EventOutcome> PolicyEvent(const common::v1::Event& event,
                                         DocumentSource& source) {
  EventOutcome out;
  policy::v1::Policy p;
  if (!event.payload().UnpackTo(&p)) return out;
  if (p.esdh_case().case_number().empty()) {
    if (event.type() == "policy.adopted") {
      out.skipped_reason = "the policy has no ESDH case number";
    }
    return out;
  }
  out.members.push_back(Member("policy", event.resource(), p.esdh_case(),
                               "policy", p.display_name()));
  if (event.type() != "policy.adopted") return out;
  absl::StatusOr<std::vector<v1::JournalFile>> files =
      source.PolicyFiles(event.resource());
  if (!files.ok()) return files.status();
  v1::JournalRecord r =
      Record("policy", event, p.esdh_case(), p.display_name());
  v1::JournalDocument& d = *r.mutable_document();
  d.set_title(absl::StrCat(p.display_name(), " (vedtaget)"));
  d.set_direction(v1::DIRECTION_INTERNAL);
  d.set_document_type("Politik");
  for (v1::JournalFile& f : *files) *d.add_files() = std::move(f);
  out.records.push_back(std::move(r));
  return out;
}

absl::StatusOr<EventOutcome> HearingEvent(const common::v1::Event& event,
                                          DocumentSource& source) {
  EventOutcome out;
  if (absl::StartsWith(event.type(), "response.")) {
    if (event.type() != "response.submitted") return out;
    hearing::v1::Response response;
    if (!event.payload().UnpackTo(&response)) return out;
    // The response's hearing holds the case.
    std::string hearing_name =
        event.resource().substr(0, event.resource().find("/responses/"));
    absl::StatusOr<hearing::v1::Hearing> h = source.GetHearing(hearing_name);
    if (!h.ok()) return h.status();
    if (h->esdh_case().case_number().empty()) {
      out.skipped_reason = "the response's hearing has no ESDH case number";
      return out;
    }
    out.members.push_back(Member("hearing", event.resource(), h->esdh_case(),
                                 "response", h->display_name()));
    v1::JournalRecord r =
        Record("hearing", event, h->esdh_case(), h->display_name());
    v1::JournalDocument& d = *r.mutable_document();
    bool citizen = response.party_id().empty();
    std::string from = citizen ? "Borger" : response.party_id();
    for (const hearing::v1::Party& party : h->parties()) {
      if (party.party_id() == response.party_id()) from = party.display_name();
    }
    d.set_title(absl::StrCat("Høringssvar fra ", from));
    d.set_direction(v1::DIRECTION_INCOMING);
    d.set_document_type("Høringssvar");
    v1::JournalParty* sender = d.add_parties();
    sender->set_display_name(from);
    sender->set_role("afsender");
    // A citizen's response holds personal data.
    d.set_exempt_from_disclosure(citizen);
    *d.add_files() = Markdown(
        "hoeringssvar.md", absl::StrCat("# Høringssvar til ", h->display_name(),
                                        "\n\n", response.text(), "\n"));
    out.records.push_back(std::move(r));
    return out;
  }
  hearing::v1::Hearing h;
  if (!event.payload().UnpackTo(&h)) return out;
  if (h.esdh_case().case_number().empty()) {
    if (event.type() == "hearing.opened" ||
        event.type() == "hearing.processed") {
      out.skipped_reason = "the hearing has no ESDH case number";
    }
    return out;
  }
  out.members.push_back(Member("hearing", event.resource(), h.esdh_case(),
                               "hearing", h.display_name()));
  if (event.type() == "hearing.opened") {
    v1::JournalRecord r =
        Record("hearing", event, h.esdh_case(), h.display_name());
    v1::JournalDocument& d = *r.mutable_document();
    d.set_title(absl::StrCat("Høringsbrev: ", h.display_name()));
    d.set_direction(v1::DIRECTION_OUTGOING);
    d.set_document_type("Høringsbrev");
    for (const hearing::v1::Party& party : h.parties()) {
      v1::JournalParty* to = d.add_parties();
      to->set_display_name(party.display_name());
      to->set_role("modtager");
    }
    *d.add_files() = Markdown(
        "hoeringsbrev.md",
        absl::StrCat("# ", h.display_name(), "\n\n", h.letter().text(), "\n"));
    out.records.push_back(std::move(r));
  } else if (event.type() == "hearing.processed") {
    absl::StatusOr<std::vector<v1::JournalFile>> files =
        source.HearingMemoFiles(event.resource());
    if (!files.ok()) return files.status();
    v1::JournalRecord r =
        Record("hearing", event, h.esdh_case(), h.display_name());
    v1::JournalDocument& d = *r.mutable_document();
    d.set_title(absl::StrCat("Høringsnotat: ", h.display_name()));
    d.set_direction(v1::DIRECTION_INTERNAL);
    d.set_document_type("Høringsnotat");
    for (v1::JournalFile& f : *files) *d.add_files() = std::move(f);
    out.records.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<EventOutcome> TreatmentEvent(const common::v1::Event& event) {
  EventOutcome out;
  hearing::v1::TreatmentCase c;
  if (!event.payload().UnpackTo(&c)) return out;
  if (c.esdh_case().case_number().empty()) {
    if (event.type() == "treatment_case.decision_recorded") {
      out.skipped_reason = "the treatment case has no ESDH case number";
    }
    return out;
  }
  out.members.push_back(Member("hearing", event.resource(), c.esdh_case(),
                               "treatment_case", c.policy()));
  if (event.type() != "treatment_case.decision_recorded") return out;
  // The decision just recorded: the newest one of any step.
  const hearing::v1::Decision* latest = nullptr;
  const hearing::v1::CaseStep* at = nullptr;
  for (const hearing::v1::CaseStep& step : c.steps()) {
    for (const hearing::v1::Decision& d : step.decisions()) {
      if (latest == nullptr ||
          d.record_time().seconds() > latest->record_time().seconds() ||
          (d.record_time().seconds() == latest->record_time().seconds() &&
           d.record_time().nanos() >= latest->record_time().nanos())) {
        latest = &d;
        at = &step;
      }
    }
  }
  if (latest == nullptr) return out;
  v1::JournalRecord r = Record("hearing", event, c.esdh_case(), c.policy());
  v1::JournalDocument& d = *r.mutable_document();
  d.set_title(absl::StrCat("Beslutning i ", latest->body().display_name(), " (",
                           at->display_name(), ")"));
  d.set_direction(v1::DIRECTION_INTERNAL);
  d.set_document_type("Beslutning");
  *d.mutable_letter_date() = latest->date();
  v1::JournalParty* body = d.add_parties();
  body->set_display_name(latest->body().display_name());
  body->set_role("afsender");
  *d.add_files() = Markdown(
      "beslutning.md",
      absl::StrCat("# Beslutning\n\n", latest->body().display_name(), ", ",
                   latest->date().day(), ".", latest->date().month(), ".",
                   latest->date().year(), "\n\n", latest->text(),
                   latest->reason().empty() ? "" : "\n\nBegrundelse: ",
                   latest->reason(), "\n"));
  out.records.push_back(std::move(r));
  return out;
}

absl::StatusOr<EventOutcome> FollowUpEvent(const common::v1::Event& event,
                                           DocumentSource& source) {
  EventOutcome out;
  if (!absl::StartsWith(event.type(), "followup_report.")) return out;
  followup::v1::FollowUpReport report;
  if (!event.payload().UnpackTo(&report)) return out;
  const common::v1::EsdhReference& ref = report.esdh_document();
  if (ref.case_number().empty()) {
    if (event.type() == "followup_report.published") {
      out.skipped_reason = "the report has no ESDH case number";
    }
    return out;
  }
  out.members.push_back(Member("followup", event.resource(), ref,
                               "followup_report", report.display_name()));
  if (event.type() != "followup_report.published") return out;
  absl::StatusOr<std::vector<v1::JournalFile>> files =
      source.ReportFiles(event.resource());
  if (!files.ok()) return files.status();
  v1::JournalRecord r = Record("followup", event, ref, report.display_name());
  v1::JournalDocument& d = *r.mutable_document();
  d.set_title(report.display_name());
  d.set_direction(v1::DIRECTION_OUTGOING);
  d.set_document_type("Opfølgningsrapport");
  for (v1::JournalFile& f : *files) *d.add_files() = std::move(f);
  out.records.push_back(std::move(r));
  return out;
}

}  // namespace

absl::StatusOr<EventOutcome> ReadEvent(const std::string& service,
                                       const common::v1::Event& event,
                                       DocumentSource& source) {
  if (absl::StartsWith(event.type(), "policy.")) {
    return PolicyEvent(event, source);
  }
  if (absl::StartsWith(event.type(), "hearing.") ||
      absl::StartsWith(event.type(), "response.")) {
    return HearingEvent(event, source);
  }
  if (absl::StartsWith(event.type(), "treatment_case.")) {
    return TreatmentEvent(event);
  }
  if (service == "followup") return FollowUpEvent(event, source);
  return EventOutcome();
}

}  // namespace kommune::esdh
