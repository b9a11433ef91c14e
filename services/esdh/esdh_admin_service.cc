#include "services/esdh/esdh_admin_service.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/grpc_util.h"
#include "services/common/page_token.h"
#include "services/common/resource_name.h"
#include "services/common/validation.h"

namespace kommune::esdh {
namespace {

google::protobuf::Timestamp Timestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

absl::Status CheckOperator(const Identity& caller,
                           absl::string_view municipality,
                           absl::string_view field) {
  if (caller.anonymous()) {
    return absl::UnauthenticatedError(
        absl::StrCat(field, ": sign in to manage ESDH deliveries"));
  }
  if (!caller.ActsFor(municipality)) {
    return absl::PermissionDeniedError(absl::StrCat(
        field, ": the caller does not act for municipality ", municipality));
  }
  if (caller.HasRole(Role::kIntegration) || caller.HasRole(Role::kAdmin)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      field, ": ESDH deliveries need the role integration or admin"));
}

absl::StatusOr<std::string> MunicipalityOfDelivery(absl::string_view name,
                                                   absl::string_view field) {
  auto segments = ParseResourceName(
      name, "municipalities/{municipality}/deliveries/{delivery}", field);
  if (!segments.ok()) return segments.status();
  return (*segments)[0];
}

}  // namespace

absl::Status ValidateCaseNumber(absl::string_view case_number,
                                absl::string_view field) {
  constexpr size_t kMaxBytes = 64;
  if (case_number.empty() || case_number.size() > kMaxBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": a case number has 1 to ", kMaxBytes, " characters"));
  }
  for (char c : case_number) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '-' && c != '/' && c != '_') {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": \"", case_number,
          "\" is not a case number; use letters, digits and . - / _ as the "
          "ESDH system writes it, e.g. \"18/12386\""));
    }
  }
  if (!absl::ascii_isalnum(static_cast<unsigned char>(case_number.front()))) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": a case number starts with a letter or a digit"));
  }
  return absl::OkStatus();
}

EsdhAdminServiceImpl::EsdhAdminServiceImpl(EsdhStore* store,
                                           const IdentityVerifier* verifier,
                                           Clock now)
    : store_(store), verifier_(verifier), now_(std::move(now)) {}

absl::StatusOr<v1::ListDeliveriesResponse> EsdhAdminServiceImpl::List(
    const Identity& caller, const v1::ListDeliveriesRequest& request) {
  auto segments = ParseResourceName(request.parent(),
                                    "municipalities/{municipality}", "parent");
  if (!segments.ok()) return segments.status();
  const std::string& municipality = (*segments)[0];
  if (auto s = CheckOperator(caller, municipality, "parent"); !s.ok()) return s;
  if (!v1::DeliveryState_IsValid(request.state())) {
    return absl::InvalidArgumentError("state: not a known state");
  }
  absl::StatusOr<int> size = PageSize(request.page_size(), 50, 500);
  if (!size.ok()) return size.status();
  std::string scope =
      absl::StrCat("deliveries:", request.parent(), ":", request.state());
  int64_t before = 0;
  if (!request.page_token().empty()) {
    auto position = ReadPageToken(request.page_token(), scope);
    if (!position.ok()) return position.status();
    if (!absl::SimpleAtoi(*position, &before)) {
      return absl::InvalidArgumentError("page_token: not from this list");
    }
  }
  v1::ListDeliveriesResponse out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto page =
        store_->List(tx, municipality, request.state(), before, *size + 1);
    if (!page.ok()) return page.status();
    int n = std::min<int>(*size, static_cast<int>(page->size()));
    for (int i = 0; i < n; ++i) *out.add_deliveries() = (*page)[i].second;
    if (static_cast<int>(page->size()) > *size) {
      out.set_next_page_token(
          MakePageToken(scope, absl::StrCat((*page)[n - 1].first)));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::Delivery> EsdhAdminServiceImpl::Get(
    const Identity& caller, const v1::GetDeliveryRequest& request) {
  auto municipality = MunicipalityOfDelivery(request.name(), "name");
  if (!municipality.ok()) return municipality.status();
  if (auto s = CheckOperator(caller, *municipality, "name"); !s.ok()) return s;
  std::optional<v1::Delivery> found;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto got = store_->Get(tx, request.name());
    if (!got.ok()) return got.status();
    found = *std::move(got);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!found.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("name: ", request.name(), " does not exist"));
  }
  return *std::move(found);
}

absl::StatusOr<v1::Delivery> EsdhAdminServiceImpl::Change(
    const Identity& caller, const std::string& name,
    const std::function<absl::Status(v1::Delivery&)>& change) {
  auto municipality = MunicipalityOfDelivery(name, "name");
  if (!municipality.ok()) return municipality.status();
  if (auto s = CheckOperator(caller, *municipality, "name"); !s.ok()) return s;
  v1::Delivery out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        auto got = store_->Get(tx, name);
        if (!got.ok()) return got.status();
        if (!got->has_value()) {
          return absl::NotFoundError(
              absl::StrCat("name: ", name, " does not exist"));
        }
        out = **got;
        if (auto s = change(out); !s.ok()) return s;
        return store_->Update(tx, out);
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::Delivery> EsdhAdminServiceImpl::Retry(
    const Identity& caller, const v1::RetryDeliveryRequest& request) {
  return Change(caller, request.name(), [&](v1::Delivery& d) -> absl::Status {
    if (d.state() != v1::DELIVERY_STATE_PARKED) {
      return absl::FailedPreconditionError(
          absl::StrCat("name: only a parked delivery is retried; this one is ",
                       v1::DeliveryState_Name(d.state())));
    }
    d.set_state(v1::DELIVERY_STATE_PENDING);
    d.set_attempts(0);
    *d.mutable_next_attempt_time() = Timestamp(now_());
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Delivery> EsdhAdminServiceImpl::Skip(
    const Identity& caller, const v1::SkipDeliveryRequest& request) {
  if (auto s = ValidateText(request.reason(), "reason", true, 2000); !s.ok()) {
    return s;
  }
  return Change(caller, request.name(), [&](v1::Delivery& d) -> absl::Status {
    if (d.state() != v1::DELIVERY_STATE_PARKED &&
        d.state() != v1::DELIVERY_STATE_PENDING) {
      return absl::FailedPreconditionError(absl::StrCat(
          "name: a delivery that is ", v1::DeliveryState_Name(d.state()),
          " cannot be skipped"));
    }
    d.set_state(v1::DELIVERY_STATE_SKIPPED);
    d.set_last_error(absl::StrCat("skipped: ", request.reason()));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Delivery> EsdhAdminServiceImpl::ReportNumber(
    const Identity& caller, const v1::ReportDocumentNumberRequest& request) {
  if (auto s =
          ValidateText(request.document_number(), "document_number", true, 64);
      !s.ok()) {
    return s;
  }
  return Change(caller, request.name(), [&](v1::Delivery& d) -> absl::Status {
    d.mutable_record()->mutable_document()->set_document_number(
        request.document_number());
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::LookupEsdhCaseResponse> EsdhAdminServiceImpl::Lookup(
    const Identity& caller, const v1::LookupEsdhCaseRequest& request) {
  auto segments = ParseResourceName(request.parent(),
                                    "municipalities/{municipality}", "parent");
  if (!segments.ok()) return segments.status();
  const std::string& municipality = (*segments)[0];
  if (caller.anonymous()) {
    return absl::UnauthenticatedError("parent: sign in to look up ESDH cases");
  }
  if (!caller.ActsFor(municipality) || caller.roles.empty()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "parent: the caller does not act for municipality ", municipality));
  }
  if (auto s = ValidateCaseNumber(request.case_number(), "case_number");
      !s.ok()) {
    return s;
  }
  v1::LookupEsdhCaseResponse out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto members = store_->CaseMembers(tx, municipality, request.case_number());
    if (!members.ok()) return members.status();
    for (const CaseMemberRow& m : *members) {
      v1::CaseMember* member = out.add_members();
      member->set_resource_name(m.resource);
      member->set_service(m.service);
      member->set_kind(m.kind);
      member->set_title(m.title);
      auto numbers = store_->DocumentNumbers(tx, m.resource);
      if (!numbers.ok()) return numbers.status();
      for (std::string& n : *numbers)
        member->add_document_numbers(std::move(n));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

grpc::Status EsdhAdminServiceImpl::ListDeliveries(
    grpc::ServerContext* context, const v1::ListDeliveriesRequest* request,
    v1::ListDeliveriesResponse* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& c, const v1::ListDeliveriesRequest& r) {
                 return List(c, r);
               });
}

grpc::Status EsdhAdminServiceImpl::GetDelivery(
    grpc::ServerContext* context, const v1::GetDeliveryRequest* request,
    v1::Delivery* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& c, const v1::GetDeliveryRequest& r) {
                 return Get(c, r);
               });
}

grpc::Status EsdhAdminServiceImpl::RetryDelivery(
    grpc::ServerContext* context, const v1::RetryDeliveryRequest* request,
    v1::Delivery* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& c, const v1::RetryDeliveryRequest& r) {
                 return Retry(c, r);
               });
}

grpc::Status EsdhAdminServiceImpl::SkipDelivery(
    grpc::ServerContext* context, const v1::SkipDeliveryRequest* request,
    v1::Delivery* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& c, const v1::SkipDeliveryRequest& r) {
                 return Skip(c, r);
               });
}

grpc::Status EsdhAdminServiceImpl::ReportDocumentNumber(
    grpc::ServerContext* context,
    const v1::ReportDocumentNumberRequest* request, v1::Delivery* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& c, const v1::ReportDocumentNumberRequest& r) {
        return ReportNumber(c, r);
      });
}

grpc::Status EsdhAdminServiceImpl::LookupEsdhCase(
    grpc::ServerContext* context, const v1::LookupEsdhCaseRequest* request,
    v1::LookupEsdhCaseResponse* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& c, const v1::LookupEsdhCaseRequest& r) {
                 return Lookup(c, r);
               });
}

}  // namespace kommune::esdh
