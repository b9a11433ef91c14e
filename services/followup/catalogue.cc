// FollowUpManager: the shared catalogue and comparisons across
// municipalities that opted in.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/municipalities.h"
#include "services/common/page_token.h"
#include "services/common/resource_name.h"
#include "services/common/validation.h"
#include "services/followup/followup_manager.h"
#include "services/followup/followup_requests.h"

namespace kommune::followup {

absl::StatusOr<v1::CatalogueIndicator>
FollowUpManager::CreateCatalogueIndicator(
    const Identity& caller,
    const v1::CreateCatalogueIndicatorRequest& request) {
  if (auto s = CheckCatalogueAdmin(caller, "catalogue_indicator"); !s.ok()) {
    return s;
  }
  if (auto s = ValidateResourceId(request.catalogue_indicator_id(),
                                  "catalogue_indicator_id");
      !s.ok()) {
    return s;
  }
  v1::CatalogueIndicator c = request.catalogue_indicator();
  for (auto [text, field, required] :
       {std::tuple{&c.display_name(), "catalogue_indicator.display_name", true},
        std::tuple{&c.description(), "catalogue_indicator.description", false},
        std::tuple{&c.unit(), "catalogue_indicator.unit", false},
        std::tuple{&c.data_source(), "catalogue_indicator.data_source",
                   false}}) {
    if (auto s = ValidateText(*text, field, required, 4000); !s.ok()) return s;
  }
  if (c.kind() == v1::INDICATOR_KIND_UNSPECIFIED ||
      !v1::IndicatorKind_IsValid(c.kind())) {
    return absl::InvalidArgumentError("catalogue_indicator.kind: is required");
  }
  if (c.reporting_period() == v1::REPORTING_PERIOD_UNSPECIFIED ||
      !v1::ReportingPeriod_IsValid(c.reporting_period())) {
    return absl::InvalidArgumentError(
        "catalogue_indicator.reporting_period: is required");
  }
  c.set_name(
      absl::StrCat("catalogueIndicators/", request.catalogue_indicator_id()));
  c.mutable_create_time()->set_seconds(absl::ToUnixSeconds(Now()));
  absl::Status status = store_->db().Write(
      [&](Transaction& tx) { return store_->InsertCatalogueIndicator(tx, c); });
  if (!status.ok()) return status;
  return c;
}

absl::StatusOr<v1::CatalogueIndicator> FollowUpManager::GetCatalogueIndicator(
    const Identity&, const v1::GetCatalogueIndicatorRequest& request) {
  if (auto id = ParseCatalogueName(request.name(), "name"); !id.ok()) {
    return id.status();
  }
  absl::StatusOr<std::optional<v1::CatalogueIndicator>> found =
      ReadInTransaction(store_->db(), [&](Transaction& tx) {
        return store_->GetCatalogueIndicator(tx, request.name());
      });
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("name: ", request.name(), " is not in the catalogue"));
  }
  return **std::move(found);
}

absl::StatusOr<v1::ListCatalogueIndicatorsResponse>
FollowUpManager::ListCatalogueIndicators(
    const Identity&, const v1::ListCatalogueIndicatorsRequest& request) {
  absl::StatusOr<int> size = PageSize(request.page_size(), 50, 500);
  if (!size.ok()) return size.status();
  std::string after;
  if (!request.page_token().empty()) {
    auto position = ReadPageToken(request.page_token(), "catalogue");
    if (!position.ok()) return position.status();
    after = *position;
  }
  v1::ListCatalogueIndicatorsResponse out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto page = store_->ListCatalogueIndicators(tx, after, *size + 1);
    if (!page.ok()) return page.status();
    int n = std::min<int>(*size, static_cast<int>(page->size()));
    for (int i = 0; i < n; ++i) *out.add_catalogue_indicators() = (*page)[i];
    if (static_cast<int>(page->size()) > *size) {
      out.set_next_page_token(
          MakePageToken("catalogue", (*page)[n - 1].name()));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::CompareCatalogueIndicatorResponse> FollowUpManager::Compare(
    const Identity& caller,
    const v1::CompareCatalogueIndicatorRequest& request) {
  if (caller.anonymous()) {
    return absl::UnauthenticatedError(
        "name: sign in to compare municipalities");
  }
  v1::GetCatalogueIndicatorRequest get;
  get.set_name(request.name());
  absl::StatusOr<v1::CatalogueIndicator> definition =
      GetCatalogueIndicator(caller, get);
  if (!definition.ok()) return definition.status();
  if (!request.period().empty()) {
    if (auto p = ParsePeriod(request.period(), definition->reporting_period(),
                             "period");
        !p.ok()) {
      return p.status();
    }
  }
  v1::CompareCatalogueIndicatorResponse out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    out.Clear();
    // Only indicators that name the definition: opting in is the consent.
    auto members = store_->CatalogueMembers(tx, request.name());
    if (!members.ok()) return members.status();
    for (const v1::Indicator& in : *members) {
      absl::StatusOr<LocalName> ref = ParseIndicatorName(in.name(), "name");
      if (!ref.ok()) return ref.status();
      auto values =
          store_->CurrentMeasurements(tx, ref->municipality, in.name());
      if (!values.ok()) return values.status();
      const std::vector<StoredMeasurement>& own = (*values)[in.name()];
      const StoredMeasurement* target = nullptr;
      for (const StoredMeasurement& m : own) {
        if (m.measurement.series() == v1::SERIES_REFERENCE_GROUP) continue;
        if (!request.period().empty() &&
            m.measurement.period() != request.period()) {
          continue;
        }
        target = &m;  // oldest first, so the last one seen is the latest
      }
      if (target == nullptr) continue;
      v1::ComparisonRow* row = out.add_rows();
      row->set_municipality_name(
          absl::StrCat("municipalities/", ref->municipality));
      if (const Municipality* m = FindMunicipality(ref->municipality)) {
        row->set_municipality_title(m->name);
      }
      row->set_indicator_name(in.name());
      row->set_period(target->measurement.period());
      row->set_value(target->measurement.value());
      for (const StoredMeasurement& m : own) {
        if (m.measurement.series() == v1::SERIES_REFERENCE_GROUP &&
            m.measurement.period() == target->measurement.period()) {
          row->set_reference_value(m.measurement.value());
          row->set_has_reference_value(true);
        }
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace kommune::followup
