#include "services/hearing/treatment_service.h"

#include "services/common/grpc_util.h"

namespace kommune::hearing {

grpc::Status TreatmentServiceImpl::CreateProcessTemplate(
    grpc::ServerContext* context,
    const v1::CreateProcessTemplateRequest* request,
    v1::ProcessTemplate* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller,
                      const v1::CreateProcessTemplateRequest& r) {
                 return manager_.CreateTemplate(caller, r);
               });
}

grpc::Status TreatmentServiceImpl::GetProcessTemplate(
    grpc::ServerContext* context, const v1::GetProcessTemplateRequest* request,
    v1::ProcessTemplate* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::GetProcessTemplateRequest& r) {
        return manager_.GetTemplate(caller, r);
      });
}

grpc::Status TreatmentServiceImpl::ListProcessTemplates(
    grpc::ServerContext* context,
    const v1::ListProcessTemplatesRequest* request,
    v1::ListProcessTemplatesResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::ListProcessTemplatesRequest& r) {
        return manager_.ListTemplates(caller, r);
      });
}

grpc::Status TreatmentServiceImpl::UpdateProcessTemplate(
    grpc::ServerContext* context,
    const v1::UpdateProcessTemplateRequest* request,
    v1::ProcessTemplate* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller,
                      const v1::UpdateProcessTemplateRequest& r) {
                 return manager_.UpdateTemplate(caller, r);
               });
}

grpc::Status TreatmentServiceImpl::DeleteProcessTemplate(
    grpc::ServerContext* context,
    const v1::DeleteProcessTemplateRequest* request,
    google::protobuf::Empty* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller,
                      const v1::DeleteProcessTemplateRequest& r) {
                 return manager_.DeleteTemplate(caller, r);
               });
}

grpc::Status TreatmentServiceImpl::CreateTreatmentCase(
    grpc::ServerContext* context, const v1::CreateTreatmentCaseRequest* request,
    v1::TreatmentCase* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::CreateTreatmentCaseRequest& r) {
        return manager_.CreateCase(caller, r);
      });
}

grpc::Status TreatmentServiceImpl::GetTreatmentCase(
    grpc::ServerContext* context, const v1::GetTreatmentCaseRequest* request,
    v1::TreatmentCase* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::GetTreatmentCaseRequest& r) {
        return manager_.GetCase(caller, r);
      });
}

grpc::Status TreatmentServiceImpl::ListTreatmentCases(
    grpc::ServerContext* context, const v1::ListTreatmentCasesRequest* request,
    v1::ListTreatmentCasesResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::ListTreatmentCasesRequest& r) {
        return manager_.ListCases(caller, r);
      });
}

grpc::Status TreatmentServiceImpl::UpdateCaseStep(
    grpc::ServerContext* context, const v1::UpdateCaseStepRequest* request,
    v1::TreatmentCase* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::UpdateCaseStepRequest& r) {
        return manager_.UpdateCaseStep(caller, r);
      });
}

grpc::Status TreatmentServiceImpl::RecordDecision(
    grpc::ServerContext* context, const v1::RecordDecisionRequest* request,
    v1::TreatmentCase* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::RecordDecisionRequest& r) {
        return manager_.RecordDecision(caller, r);
      });
}

}  // namespace kommune::hearing
