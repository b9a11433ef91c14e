#include "services/policy/policy_service.h"

#include "services/common/grpc_util.h"

namespace kommune::policy {

grpc::Status PolicyServiceImpl::CreatePolicy(
    grpc::ServerContext* context, const v1::CreatePolicyRequest* request,
    v1::Policy* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::CreatePolicyRequest& r) {
        return manager_->Create(caller, r);
      });
}

grpc::ServerUnaryReactor* PolicyServiceImpl::GetPolicy(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  v1::GetPolicyRequest parsed;
  std::vector<grpc::Slice> slices;
  std::string raw;
  if (request->Dump(&slices).ok()) {
    for (const grpc::Slice& slice : slices) {
      raw.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
  }
  if (!parsed.ParseFromString(raw)) {
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 "request: not a GetPolicyRequest"));
    return reactor;
  }
  absl::StatusOr<Identity> caller = CallerIdentity(*context, *verifier_);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  auto bytes = manager_->GetSerialized(*caller, parsed);
  if (!bytes.ok()) {
    reactor->Finish(ToGrpcStatus(bytes.status()));
    return reactor;
  }
  // The slice borrows the cached bytes and keeps them alive until sent.
  auto* owner = new std::shared_ptr<const std::string>(*std::move(bytes));
  grpc::Slice slice(
      const_cast<char*>((*owner)->data()), (*owner)->size(),
      [](void* p) {
        delete static_cast<std::shared_ptr<const std::string>*>(p);
      },
      owner);
  *response = grpc::ByteBuffer(&slice, 1);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::Status PolicyServiceImpl::ListPolicies(
    grpc::ServerContext* context, const v1::ListPoliciesRequest* request,
    v1::ListPoliciesResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::ListPoliciesRequest& r) {
        return manager_->List(caller, r);
      });
}

grpc::Status PolicyServiceImpl::UpdatePolicy(
    grpc::ServerContext* context, const v1::UpdatePolicyRequest* request,
    v1::Policy* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::UpdatePolicyRequest& r) {
        return manager_->Update(caller, r);
      });
}

grpc::Status PolicyServiceImpl::DeletePolicy(
    grpc::ServerContext* context, const v1::DeletePolicyRequest* request,
    google::protobuf::Empty* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::DeletePolicyRequest& r) {
        return manager_->Delete(caller, r);
      });
}

grpc::Status PolicyServiceImpl::ListPolicyRevisions(
    grpc::ServerContext* context, const v1::ListPolicyRevisionsRequest* request,
    v1::ListPolicyRevisionsResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::ListPolicyRevisionsRequest& r) {
        return manager_->ListRevisions(caller, r);
      });
}

grpc::Status PolicyServiceImpl::DiffPolicyRevisions(
    grpc::ServerContext* context, const v1::DiffPolicyRevisionsRequest* request,
    v1::DiffPolicyRevisionsResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::DiffPolicyRevisionsRequest& r) {
        return manager_->Diff(caller, r);
      });
}

grpc::Status PolicyServiceImpl::SendPolicyToHearing(
    grpc::ServerContext* context, const v1::SendPolicyToHearingRequest* request,
    v1::Policy* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::SendPolicyToHearingRequest& r) {
        return manager_->SendToHearing(caller, r);
      });
}

grpc::Status PolicyServiceImpl::AdoptPolicy(
    grpc::ServerContext* context, const v1::AdoptPolicyRequest* request,
    v1::Policy* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller, const v1::AdoptPolicyRequest& r) {
                 return manager_->Adopt(caller, r);
               });
}

grpc::Status PolicyServiceImpl::WithdrawPolicy(
    grpc::ServerContext* context, const v1::WithdrawPolicyRequest* request,
    v1::Policy* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::WithdrawPolicyRequest& r) {
        return manager_->Withdraw(caller, r);
      });
}

grpc::Status PolicyServiceImpl::RevisePolicy(
    grpc::ServerContext* context, const v1::RevisePolicyRequest* request,
    v1::Policy* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::RevisePolicyRequest& r) {
        return manager_->Revise(caller, r);
      });
}

grpc::Status PolicyServiceImpl::SearchPolicies(
    grpc::ServerContext* context, const v1::SearchPoliciesRequest* request,
    v1::SearchPoliciesResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::SearchPoliciesRequest& r) {
        return manager_->Search(caller, r);
      });
}

grpc::Status PolicyServiceImpl::ImportPolicy(
    grpc::ServerContext* context, const v1::ImportPolicyRequest* request,
    v1::ImportPolicyResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::ImportPolicyRequest& r) {
        return manager_->Import(caller, r);
      });
}

grpc::Status PolicyServiceImpl::ExportPolicy(
    grpc::ServerContext* context, const v1::ExportPolicyRequest* request,
    v1::ExportPolicyResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::ExportPolicyRequest& r) {
        return manager_->Export(caller, r);
      });
}

}  // namespace kommune::policy
