// FollowUpManager: indicators and their proposals from success criteria.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/common/fingerprint.h"
#include "services/common/page_token.h"
#include "services/common/resource_name.h"
#include "services/common/time_zone.h"
#include "services/common/validation.h"
#include "services/followup/followup_manager.h"
#include "services/followup/followup_requests.h"
#include "services/followup/indicator_validation.h"
#include "services/followup/policy_criteria.h"

namespace kommune::followup {
namespace {

google::protobuf::Timestamp Timestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  int64_t micros = absl::ToUnixMicros(t);
  ts.set_seconds(micros / 1000000);
  ts.set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  return ts;
}

v1::IndicatorKind KindOf(policy::v1::MeasurableReading::Kind kind) {
  using R = policy::v1::MeasurableReading;
  switch (kind) {
    case R::KIND_COUNT_BY_DEADLINE:
      return v1::INDICATOR_KIND_COUNT_BY_DEADLINE;
    case R::KIND_RATE_PER_PERIOD:
      return v1::INDICATOR_KIND_RATE_PER_PERIOD;
    case R::KIND_SHARE_AT_LEAST:
      return v1::INDICATOR_KIND_SHARE_AT_LEAST;
    case R::KIND_RELATIVE_CHANGE:
      return v1::INDICATOR_KIND_RELATIVE_CHANGE;
    case R::KIND_PARITY:
    case R::KIND_PARITY_UPPER_BOUND:
      return v1::INDICATOR_KIND_PARITY;
    case R::KIND_MILESTONE:
      return v1::INDICATOR_KIND_MILESTONE;
    default:
      return v1::INDICATOR_KIND_QUALITATIVE;
  }
}

// The criterion's text as a title: whole when short, otherwise cut at a
// word (never inside a UTF-8 character) with an ellipsis.
std::string ShortTitle(absl::string_view text) {
  constexpr size_t kMaxTitleBytes = 120;
  if (text.size() <= kMaxTitleBytes) return std::string(text);
  size_t cut = text.rfind(' ', kMaxTitleBytes - 3);
  if (cut == absl::string_view::npos || cut < kMaxTitleBytes / 2) {
    cut = kMaxTitleBytes - 3;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
      --cut;
    }
  }
  return absl::StrCat(absl::StripTrailingAsciiWhitespace(text.substr(0, cut)),
                      "…");
}

// A person confirms or edits this; it only carries what the text says.
v1::IndicatorProposal ProposalFor(const std::string& policy_name,
                                  const CriterionInfo& c, int policy_year) {
  using R = policy::v1::MeasurableReading;
  const R& r = c.reading;
  v1::IndicatorProposal p;
  p.set_indicator_id(c.criterion_id);
  v1::Indicator& in = *p.mutable_indicator();
  in.set_display_name(ShortTitle(c.text));
  v1::CriterionReference* ref = in.add_criteria();
  ref->set_policy_name(policy_name);
  ref->set_criterion_id(c.criterion_id);
  ref->set_criterion_text(c.text);
  ref->set_focus_area_id(c.focus_area_id);
  ref->set_focus_area_title(c.focus_area_title);
  in.set_kind(KindOf(r.kind()));
  in.set_unit(r.unit());
  in.set_reporting_period(r.per_period() == "month"
                              ? v1::REPORTING_PERIOD_MONTH
                              : v1::REPORTING_PERIOD_YEAR);
  in.mutable_target()->set_value(r.target_value());
  in.mutable_target()->set_relative_change(r.relative_change());
  if (r.has_deadline()) *in.mutable_target()->mutable_deadline() = r.deadline();
  if (r.kind() == R::KIND_PARITY_UPPER_BOUND) {
    in.mutable_target()->set_parity_bound(v1::PARITY_BOUND_UPPER);
    in.set_direction(v1::DIRECTION_LOWER_IS_BETTER);
  } else if (r.kind() == R::KIND_PARITY) {
    in.mutable_target()->set_parity_bound(v1::PARITY_BOUND_WITHIN_TOLERANCE);
  }
  if (r.kind() == R::KIND_RELATIVE_CHANGE && r.relative_change() < 0) {
    in.set_direction(v1::DIRECTION_LOWER_IS_BETTER);
  }
  // Effects for citizens (shares, parity, change) are outcomes; counts of
  // what the municipality sets up are activities.
  in.set_measure_type(r.kind() == R::KIND_SHARE_AT_LEAST ||
                              r.kind() == R::KIND_PARITY ||
                              r.kind() == R::KIND_PARITY_UPPER_BOUND ||
                              r.kind() == R::KIND_RELATIVE_CHANGE
                          ? v1::MEASURE_TYPE_OUTCOME
                          : v1::MEASURE_TYPE_ACTIVITY);
  int start = r.start_year() != 0 ? r.start_year() : policy_year;
  int end = r.has_deadline() ? r.deadline().year() : start + 4;
  if (start != 0) {
    *in.mutable_follow_up_period()->mutable_start_date() =
        FromCivilDay(absl::CivilDay(start, 1, 1));
    *in.mutable_follow_up_period()->mutable_end_date() =
        FromCivilDay(absl::CivilDay(std::max(start, end) + 2, 12, 31));
  } else {
    p.add_open_questions(
        "Hvilken periode skal følges op (opfølgningsperiode)?");
  }
  p.add_open_questions("Hvilket udvalg ejer opfølgningen?");
  p.add_open_questions("Hvor kommer tallene fra (datakilde)?");
  if (r.kind() == R::KIND_RELATIVE_CHANGE) {
    p.add_open_questions("Hvad er udgangspunktet (værdi og dato)?");
  }
  if (r.kind() == R::KIND_PARITY || r.kind() == R::KIND_PARITY_UPPER_BOUND) {
    p.add_open_questions(absl::StrCat("Hvilken sammenligningsgruppe (",
                                      r.baseline(),
                                      ") og hvilken tolerance gælder?"));
  }
  if (r.kind() == R::KIND_QUALITATIVE || r.kind() == R::KIND_UNSPECIFIED) {
    p.add_open_questions(
        "Kriteriet er ikke målbart som tal; en person vurderer status.");
  }
  return p;
}

// An opted-in indicator names a definition that exists, matches it, and is
// its municipality's only one for that definition (a comparison shows one
// value per municipality).
absl::Status CheckCatalogue(FollowUpStore& store, Transaction& tx,
                            const std::string& municipality,
                            const v1::Indicator& indicator) {
  const std::string& catalogue = indicator.catalogue_indicator_name();
  if (catalogue.empty()) return absl::OkStatus();
  auto definition = store.GetCatalogueIndicator(tx, catalogue);
  if (!definition.ok()) return definition.status();
  if (!definition->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("indicator.catalogue_indicator_name: ", catalogue,
                     " is not in the catalogue"));
  }
  if (auto s = CheckMatchesCatalogue(indicator, **definition, "indicator");
      !s.ok()) {
    return s;
  }
  auto members = store.CatalogueMembers(tx, catalogue);
  if (!members.ok()) return members.status();
  const std::string prefix = absl::StrCat("municipalities/", municipality, "/");
  for (const v1::Indicator& other : *members) {
    if (other.name() != indicator.name() &&
        absl::StartsWith(other.name(), prefix)) {
      return absl::AlreadyExistsError(absl::StrCat(
          "indicator.catalogue_indicator_name: municipality ", municipality,
          " already opted in to ", catalogue, " with ", other.name()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<absl::CivilDay> FollowUpManager::AsOf(
    const common::v1::Date& date, const std::string& field) const {
  if (IsSet(date)) {
    if (auto s = ValidateDate(date, field, true); !s.ok()) return s;
    return kommune::ToCivilDay(date);
  }
  return CopenhagenDay(Now());
}

absl::StatusOr<policy::v1::Policy> FollowUpManager::ReadPolicy(
    const Identity& caller, const std::string& name, const std::string& field) {
  absl::StatusOr<policy::v1::Policy> policy =
      policies_->GetPolicy(caller, name);
  if (policy.ok()) return policy;
  const absl::Status& s = policy.status();
  if (absl::IsNotFound(s) || absl::IsInvalidArgument(s)) {
    return absl::Status(s.code(), absl::StrCat(field, ": ", s.message()));
  }
  if (absl::IsPermissionDenied(s) || absl::IsUnauthenticated(s)) {
    return absl::Status(
        s.code(),
        absl::StrCat(field, ": the policy service says: ", s.message()));
  }
  return absl::UnavailableError(
      absl::StrCat(field, ": the policy service could not be asked (",
                   s.message(), "); try again"));
}

absl::Status FollowUpManager::ResolveCriteria(const Identity& caller,
                                              v1::Indicator& indicator,
                                              const std::string& field) {
  std::map<std::string, std::vector<CriterionInfo>> by_policy;
  for (int i = 0; i < indicator.criteria_size(); ++i) {
    v1::CriterionReference& c = *indicator.mutable_criteria(i);
    std::string cf = absl::StrCat(field, ".criteria[", i, "]");
    auto it = by_policy.find(c.policy_name());
    if (it == by_policy.end()) {
      absl::StatusOr<policy::v1::Policy> policy =
          ReadPolicy(caller, c.policy_name(), cf + ".policy_name");
      if (!policy.ok()) return policy.status();
      it = by_policy.emplace(c.policy_name(), ListCriteria(*policy)).first;
    }
    auto found = std::find_if(it->second.begin(), it->second.end(),
                              [&](const CriterionInfo& info) {
                                return info.criterion_id == c.criterion_id();
                              });
    if (found == it->second.end()) {
      return absl::NotFoundError(
          absl::StrCat(cf, ".criterion_id: ", c.policy_name(),
                       " has no success criterion \"", c.criterion_id(), "\""));
    }
    c.set_criterion_text(found->text);
    c.set_focus_area_id(found->focus_area_id);
    c.set_focus_area_title(found->focus_area_title);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ProposeIndicatorsResponse> FollowUpManager::Propose(
    const Identity& caller, const v1::ProposeIndicatorsRequest& request) {
  absl::StatusOr<std::string> municipality =
      ParsePolicyName(request.policy_name(), "policy_name");
  if (!municipality.ok()) return municipality.status();
  if (auto s = CheckAnalyst(caller, *municipality, "policy_name"); !s.ok()) {
    return s;
  }
  absl::StatusOr<policy::v1::Policy> policy =
      ReadPolicy(caller, request.policy_name(), "policy_name");
  if (!policy.ok()) return policy.status();
  std::set<std::string> covered;
  absl::Status read = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto existing =
        store_->AllIndicators(tx, *municipality, request.policy_name());
    if (!existing.ok()) return existing.status();
    for (const v1::Indicator& in : *existing) {
      for (const v1::CriterionReference& c : in.criteria()) {
        if (c.policy_name() == request.policy_name()) {
          covered.insert(c.criterion_id());
        }
      }
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  int policy_year = policy->period().start_date().year();
  v1::ProposeIndicatorsResponse out;
  for (const CriterionInfo& c : ListCriteria(*policy)) {
    if (covered.count(c.criterion_id) > 0) continue;
    *out.add_proposals() = ProposalFor(request.policy_name(), c, policy_year);
  }
  return out;
}

absl::StatusOr<v1::Indicator> FollowUpManager::CreateIndicator(
    const Identity& caller, const v1::CreateIndicatorRequest& request) {
  absl::StatusOr<std::string> municipality =
      ParseParent(request.parent(), "parent");
  if (!municipality.ok()) return municipality.status();
  if (auto s = CheckAnalyst(caller, *municipality, "parent"); !s.ok()) return s;
  if (auto s = ValidateResourceId(request.indicator_id(), "indicator_id");
      !s.ok()) {
    return s;
  }
  v1::Indicator indicator = WritableFields(request.indicator());
  if (auto s = ValidateIndicator(indicator, *municipality, "indicator");
      !s.ok()) {
    return s;
  }
  if (auto s = ResolveCriteria(caller, indicator, "indicator"); !s.ok()) {
    return s;
  }
  indicator.set_name(
      absl::StrCat(request.parent(), "/indicators/", request.indicator_id()));
  absl::Time now = Now();
  *indicator.mutable_create_time() = Timestamp(now);
  *indicator.mutable_update_time() = Timestamp(now);
  indicator.set_etag(ComputeEtag(indicator));
  std::string fingerprint = Fingerprint(request);
  v1::Indicator out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        auto replayed = store_->requests().Replay(
            tx, *municipality, request.request_id(), fingerprint, &out);
        if (!replayed.ok()) return replayed.status();
        if (*replayed) return absl::OkStatus();
        if (auto s = CheckCatalogue(*store_, tx, *municipality, indicator);
            !s.ok()) {
          return s;
        }
        if (auto s = store_->InsertIndicator(tx, *municipality,
                                             request.indicator_id(), indicator);
            !s.ok()) {
          return s;
        }
        auto appended = store_->events().Append(
            tx, NewEvent{*municipality, "indicator.created", indicator.name(),
                         caller.subject, &indicator});
        if (!appended.ok()) return appended.status();
        out = indicator;
        return store_->requests().Save(tx, *municipality, request.request_id(),
                                       fingerprint, out);
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::Indicator> FollowUpManager::GetIndicator(
    const Identity& caller, const v1::GetIndicatorRequest& request) {
  absl::StatusOr<LocalName> ref = ParseIndicatorName(request.name(), "name");
  if (!ref.ok()) return ref.status();
  if (auto s = CheckInsider(caller, ref->municipality, "name"); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::optional<v1::Indicator>> found =
      ReadInTransaction(store_->db(), [&](Transaction& tx) {
        return store_->GetIndicator(tx, request.name());
      });
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("name: ", request.name(), " does not exist"));
  }
  return **std::move(found);
}

absl::StatusOr<v1::ListIndicatorsResponse> FollowUpManager::ListIndicators(
    const Identity& caller, const v1::ListIndicatorsRequest& request) {
  absl::StatusOr<std::string> municipality =
      ParseParent(request.parent(), "parent");
  if (!municipality.ok()) return municipality.status();
  if (auto s = CheckInsider(caller, *municipality, "parent"); !s.ok()) return s;
  if (!request.policy_name().empty()) {
    if (auto code = ParsePolicyName(request.policy_name(), "policy_name");
        !code.ok()) {
      return code.status();
    }
  }
  absl::StatusOr<int> size = PageSize(request.page_size(), 50, 1000);
  if (!size.ok()) return size.status();
  std::string scope =
      absl::StrCat("indicators:", request.parent(), ":", request.policy_name());
  std::string after;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> position =
        ReadPageToken(request.page_token(), scope);
    if (!position.ok()) return position.status();
    after = *position;
  }
  v1::ListIndicatorsResponse out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto page = store_->ListIndicators(tx, *municipality, request.policy_name(),
                                       after, *size + 1);
    if (!page.ok()) return page.status();
    for (int i = 0; i < static_cast<int>(page->size()) && i < *size; ++i) {
      *out.add_indicators() = (*page)[i];
    }
    if (static_cast<int>(page->size()) > *size) {
      absl::StatusOr<LocalName> last = ParseIndicatorName(
          out.indicators(out.indicators_size() - 1).name(), "name");
      if (!last.ok()) return last.status();
      out.set_next_page_token(MakePageToken(scope, last->id));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::Indicator> FollowUpManager::UpdateIndicator(
    const Identity& caller, const v1::UpdateIndicatorRequest& request) {
  absl::StatusOr<LocalName> ref =
      ParseIndicatorName(request.indicator().name(), "indicator.name");
  if (!ref.ok()) return ref.status();
  if (auto s = CheckAnalyst(caller, ref->municipality, "indicator.name");
      !s.ok()) {
    return s;
  }
  static const char* const kWritable[] = {"display_name",
                                          "criteria",
                                          "kind",
                                          "unit",
                                          "direction",
                                          "baseline",
                                          "target",
                                          "reporting_period",
                                          "owner_committee",
                                          "measure_type",
                                          "data_source",
                                          "follow_up_period",
                                          "aggregation",
                                          "catalogue_indicator_name"};
  google::protobuf::FieldMask mask = request.update_mask();
  if (mask.paths_size() == 1 && mask.paths(0) == "*") {
    mask.clear_paths();
    for (const char* path : kWritable) mask.add_paths(path);
  }
  if (mask.paths_size() == 0) {
    return absl::InvalidArgumentError(
        "update_mask: name the fields to change, or \"*\" for all");
  }
  for (const std::string& path : mask.paths()) {
    if (std::none_of(std::begin(kWritable), std::end(kWritable),
                     [&](const char* w) { return path == w; })) {
      return absl::InvalidArgumentError(absl::StrCat(
          "update_mask: '", path, "' is not a writable field of an indicator"));
    }
  }
  // Read first, then check the criteria against the policy service outside
  // the write transaction, then write if nothing changed meanwhile (etag).
  absl::StatusOr<v1::Indicator> current = GetIndicator(caller, [&] {
    v1::GetIndicatorRequest get;
    get.set_name(request.indicator().name());
    return get;
  }());
  if (!current.ok()) {
    if (absl::IsNotFound(current.status())) {
      return absl::NotFoundError(absl::StrCat(
          "indicator.name: ", request.indicator().name(), " does not exist"));
    }
    return current.status();
  }
  if (!request.indicator().etag().empty() &&
      request.indicator().etag() != current->etag()) {
    return absl::AbortedError(
        absl::StrCat("indicator.etag: the indicator changed since ",
                     request.indicator().etag(), "; read it again and retry"));
  }
  v1::Indicator merged = *current;
  google::protobuf::util::FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(
      WritableFields(request.indicator()), mask, options, &merged);
  if (auto s = ValidateIndicator(merged, ref->municipality, "indicator");
      !s.ok()) {
    return s;
  }
  if (auto s = ResolveCriteria(caller, merged, "indicator"); !s.ok()) return s;
  *merged.mutable_update_time() = Timestamp(Now());
  merged.set_etag(ComputeEtag(merged));
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        auto stored = store_->GetIndicator(tx, merged.name());
        if (!stored.ok()) return stored.status();
        if (!stored->has_value()) {
          return absl::NotFoundError(absl::StrCat(
              "indicator.name: ", merged.name(), " does not exist"));
        }
        if ((*stored)->etag() != current->etag()) {
          return absl::AbortedError(
              "indicator.etag: the indicator changed meanwhile; read it again "
              "and retry");
        }
        if (merged.reporting_period() != current->reporting_period() ||
            merged.kind() != current->kind()) {
          auto has = store_->HasMeasurements(tx, merged.name());
          if (!has.ok()) return has.status();
          if (*has) {
            return absl::FailedPreconditionError(
                "indicator.reporting_period: the kind and reporting period of "
                "an indicator with measurements stay; create a new indicator");
          }
        }
        if (auto s = CheckCatalogue(*store_, tx, ref->municipality, merged);
            !s.ok()) {
          return s;
        }
        if (auto s = store_->UpdateIndicator(tx, merged); !s.ok()) return s;
        auto appended = store_->events().Append(
            tx, NewEvent{ref->municipality, "indicator.updated", merged.name(),
                         caller.subject, &merged});
        if (!appended.ok()) return appended.status();
        auto changed = RefreshStatuses(tx, ref->municipality, {merged},
                                       *CopenhagenDay(Now()), caller.subject);
        return changed.status();
      });
  if (!status.ok()) return status;
  return merged;
}

absl::Status FollowUpManager::DeleteIndicator(
    const Identity& caller, const v1::DeleteIndicatorRequest& request) {
  absl::StatusOr<LocalName> ref = ParseIndicatorName(request.name(), "name");
  if (!ref.ok()) return ref.status();
  if (auto s = CheckAnalyst(caller, ref->municipality, "name"); !s.ok()) {
    return s;
  }
  return store_->db().Write([&](Transaction& tx) -> absl::Status {
    auto stored = store_->GetIndicator(tx, request.name());
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) {
      return absl::NotFoundError(
          absl::StrCat("name: ", request.name(), " does not exist"));
    }
    if (!request.etag().empty() && request.etag() != (*stored)->etag()) {
      return absl::AbortedError(
          absl::StrCat("etag: the indicator changed since ", request.etag(),
                       "; read it again and retry"));
    }
    auto has = store_->HasMeasurements(tx, request.name());
    if (!has.ok()) return has.status();
    if (*has) {
      return absl::FailedPreconditionError(
          "name: the indicator has measurements, which are kept; it cannot "
          "be deleted");
    }
    if (auto s = store_->DeleteIndicator(tx, request.name()); !s.ok()) {
      return s;
    }
    auto appended = store_->events().Append(
        tx, NewEvent{ref->municipality, "indicator.deleted", request.name(),
                     caller.subject, &**stored});
    return appended.status();
  });
}

}  // namespace kommune::followup
