#include "gateway/gateway_server.h"

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gateway/http/connect_protocol.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/log.h"

namespace kommune::gateway {
namespace {

// How often backend health and the JWKS file are looked at.
constexpr absl::Duration kCheckInterval = absl::Seconds(2);

absl::Duration ToDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

// The Connect error for errors the HTTP server answers itself.
HttpResponse HttpError(int http_status, std::string message) {
  absl::StatusCode code = absl::StatusCode::kUnknown;
  switch (http_status) {
    case 400:
      code = absl::StatusCode::kInvalidArgument;
      break;
    case 408:
      code = absl::StatusCode::kDeadlineExceeded;
      break;
    case 413:
    case 431:
      code = absl::StatusCode::kResourceExhausted;
      break;
    case 415:
      code = absl::StatusCode::kInvalidArgument;
      break;
    case 503:
      code = absl::StatusCode::kUnavailable;
      break;
  }
  HttpResponse response = ConnectErrorResponse(absl::Status(code, message));
  response.status = http_status;
  return response;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> GrpcCredentials(
    const kommune::gateway::v1::Tls& tls) {
  if (tls.certificate_file().empty()) {
    return grpc::InsecureServerCredentials();
  }
  absl::StatusOr<std::string> cert = ReadFile(tls.certificate_file());
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile(tls.private_key_file());
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(options);
}

}  // namespace

GatewayServer::GatewayServer(std::string config_path)
    : config_path_(std::move(config_path)) {}

std::shared_ptr<const GatewayState> GatewayServer::state() const {
  absl::MutexLock lock(&mu_);
  return state_;
}

absl::StatusOr<std::unique_ptr<GatewayServer>> GatewayServer::Start(
    std::string config_path) {
  std::unique_ptr<GatewayServer> server(
      new GatewayServer(std::move(config_path)));
  absl::StatusOr<GatewayConfig> config = LoadConfig(server->config_path_);
  if (!config.ok()) return config.status();
  absl::StatusOr<std::shared_ptr<const GatewayState>> state =
      BuildGatewayState(*config, {}, nullptr);
  if (!state.ok()) return state.status();

  const GatewayConfig& c = (*state)->config;
  auto access = JsonLineWriter::Open(c.logs().access_log_file());
  if (!access.ok()) return access.status();
  std::unique_ptr<JsonLineWriter> audit;
  if (!c.logs().audit_log_file().empty()) {
    auto opened = JsonLineWriter::Open(c.logs().audit_log_file());
    if (!opened.ok()) return opened.status();
    audit = *std::move(opened);
  }
  server->observer_ =
      std::make_unique<CallObserver>(*std::move(access), std::move(audit));
  if (auto s = server->Install(*state); !s.ok()) return s;

  GatewayServer* self = server.get();
  StateSource source = [self] { return self->state(); };
  server->proxy_ = std::make_unique<GrpcProxy>(source, &server->limiter_,
                                               server->observer_.get());
  server->json_ = std::make_unique<JsonBridge>(source, &server->limiter_,
                                               server->observer_.get());
  server->reflection_ = std::make_unique<ReflectionService>(source);

  auto credentials = GrpcCredentials(c.grpc().tls());
  if (!credentials.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("grpc.tls: ", credentials.status().message()));
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(c.grpc().address(), *credentials,
                           &server->grpc_port_);
  builder.SetMaxReceiveMessageSize(c.limits().max_request_bytes());
  builder.SetMaxSendMessageSize(c.limits().max_response_bytes());
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE,
                             c.limits().max_header_bytes());
  builder.RegisterCallbackGenericService(server->proxy_.get());
  builder.RegisterService(server->reflection_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->grpc_port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("grpc.address: cannot listen on ", c.grpc().address()));
  }

  if (!c.http().address().empty()) {
    HttpServerOptions options;
    options.address = c.http().address();
    options.max_body_bytes = c.limits().max_request_bytes();
    options.max_header_bytes = c.limits().max_header_bytes();
    options.read_timeout = ToDuration(c.http().read_timeout());
    options.threads = c.http().threads();
    options.max_connections = c.http().max_connections();
    options.max_connections_per_address =
        c.http().max_connections_per_address();
    if (!c.http().tls().certificate_file().empty()) {
      auto cert = ReadFile(c.http().tls().certificate_file());
      auto key = ReadFile(c.http().tls().private_key_file());
      if (!cert.ok() || !key.ok()) {
        return absl::InvalidArgumentError(
            "http.tls: cannot read the certificate or key");
      }
      options.tls_certificate_pem = *cert;
      options.tls_private_key_pem = *key;
    }
    options.make_error = HttpError;
    JsonBridge* json = server->json_.get();
    auto http = HttpServer::Start(
        options, [json](HttpRequest request, HttpResponder respond) {
          json->Handle(std::move(request), std::move(respond));
        });
    if (!http.ok()) {
      return absl::UnavailableError(
          absl::StrCat("http.address: ", http.status().message()));
    }
    server->http_ = *std::move(http);
  }
  if (!c.admin().address().empty()) {
    HttpServerOptions options;
    options.address = c.admin().address();
    options.threads = 1;
    options.max_connections = 64;
    options.make_error = HttpError;
    auto admin = HttpServer::Start(
        options, [self](HttpRequest request, HttpResponder respond) {
          self->HandleAdmin(std::move(request), std::move(respond));
        });
    if (!admin.ok()) {
      return absl::UnavailableError(
          absl::StrCat("admin.address: ", admin.status().message()));
    }
    server->admin_ = *std::move(admin);
  }
  server->CheckBackends();
  server->checker_ = std::thread([self] { self->CheckLoop(); });
  Log("INFO", "gateway listening",
      {{"grpc_port", absl::StrCat(server->grpc_port_)},
       {"http_port", absl::StrCat(server->http_port())},
       {"admin_port", absl::StrCat(server->admin_port())}});
  return server;
}

absl::Status GatewayServer::Install(std::shared_ptr<const GatewayState> state) {
  absl::MutexLock lock(&mu_);
  state_ = std::move(state);
  return absl::OkStatus();
}

absl::Status GatewayServer::Reload() {
  absl::Status result = [&]() -> absl::Status {
    absl::StatusOr<GatewayConfig> config = LoadConfig(config_path_);
    if (!config.ok()) return config.status();
    std::shared_ptr<const GatewayState> current = state();
    absl::StatusOr<std::shared_ptr<const GatewayState>> next =
        BuildGatewayState(*config, current->backends_by_key,
                          current->authenticator->jwks_file());
    if (!next.ok()) return next.status();
    const auto& logs = (*next)->config.logs();
    // Reopened on every reload, also under the same names, so log rotation
    // works with SIGHUP as for any daemon.
    {
      auto access = JsonLineWriter::Open(logs.access_log_file());
      if (!access.ok()) return access.status();
      std::unique_ptr<JsonLineWriter> audit;
      if (!logs.audit_log_file().empty()) {
        auto opened = JsonLineWriter::Open(logs.audit_log_file());
        if (!opened.ok()) return opened.status();
        audit = *std::move(opened);
      }
      observer_->SetLogs(*std::move(access), std::move(audit));
    }
    if ((*next)->config.grpc().address() != current->config.grpc().address() ||
        (*next)->config.http().address() != current->config.http().address() ||
        (*next)->config.admin().address() !=
            current->config.admin().address()) {
      Log("WARNING", "listener addresses change only at restart");
    }
    return Install(*std::move(next));
  }();
  if (result.ok()) {
    Log("INFO", "configuration reloaded", {{"path", config_path_}});
    CheckBackends();
  } else {
    Log("ERROR", "configuration reload failed; the running one stays",
        {{"path", config_path_}, {"error", std::string(result.message())}});
  }
  return result;
}

void GatewayServer::CheckLoop() {
  while (!stopping_.WaitForNotificationWithTimeout(kCheckInterval)) {
    std::shared_ptr<const GatewayState> current = state();
    if (auto jwks = current->authenticator->jwks_file()) {
      if (auto s = jwks->ReloadIfChanged(); !s.ok()) {
        Log("ERROR", "JWKS file unreadable; the last good keys stay",
            {{"error", std::string(s.message())}});
      }
    }
    CheckBackends();
  }
}

void GatewayServer::CheckBackends() {
  std::shared_ptr<const GatewayState> current = state();
  grpc::HealthCheckServiceInterface* health =
      server_ == nullptr ? nullptr : server_->GetHealthCheckService();
  for (const auto& backend : current->backends) {
    bool up = false;
    for (const auto& channel : backend->channels()) {
      auto stub = grpc::health::v1::Health::NewStub(channel);
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(1));
      grpc::health::v1::HealthCheckRequest request;
      grpc::health::v1::HealthCheckResponse response;
      if (stub->Check(&context, request, &response).ok() &&
          response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
        up = true;
        break;
      }
    }
    if (up != backend->healthy()) {
      Log(up ? "INFO" : "WARNING", up ? "backend is up" : "backend is down",
          {{"backend", backend->name()}});
    }
    backend->set_healthy(up);
    observer_->SetBackendUp(backend->name(), up);
  }
  if (health != nullptr && !stopping_.HasBeenNotified()) {
    absl::MutexLock lock(&health_mu_);
    for (const std::string& service : health_services_) {
      if (!current->routes.contains(service)) {
        health->SetServingStatus(service, false);  // no longer routed
      }
    }
    health_services_.clear();
    for (const auto& [service, backend] : current->routes) {
      health->SetServingStatus(service, backend->healthy());
      health_services_.insert(service);
    }
  }
}

void GatewayServer::HandleAdmin(HttpRequest request, HttpResponder respond) {
  HttpResponse response;
  response.headers.emplace_back("content-type", "text/plain; charset=utf-8");
  if (request.method != "GET") {
    response.status = 405;
    response.body = "GET only\n";
  } else if (request.path == "/metrics") {
    response.headers[0].second = "text/plain; version=0.0.4; charset=utf-8";
    response.body = observer_->MetricsText();
  } else if (request.path == "/healthz") {
    response.body = "ok\n";
  } else if (request.path == "/readyz") {
    std::shared_ptr<const GatewayState> current = state();
    nlohmann::json backends = nlohmann::json::object();
    bool any_up = false;
    for (const auto& backend : current->backends) {
      backends[backend->name()] = backend->healthy() ? "up" : "down";
      any_up = any_up || backend->healthy();
    }
    bool ready = any_up && !stopping_.HasBeenNotified();
    response.status = ready ? 200 : 503;
    response.headers[0].second = "application/json";
    response.body =
        nlohmann::json{{"ready", ready}, {"backends", backends}}.dump() + "\n";
  } else {
    response.status = 404;
    response.body = "not found: /metrics, /healthz, /readyz\n";
  }
  respond(std::move(response));
}

void GatewayServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  stopping_.Notify();
  if (checker_.joinable()) checker_.join();
  if (server_ != nullptr) {
    if (auto* health = server_->GetHealthCheckService()) {
      health->Shutdown();
    }
    server_->Shutdown(std::chrono::system_clock::now() +
                      absl::ToChronoMilliseconds(grace));
  }
  if (http_ != nullptr) http_->Shutdown();
  if (json_ != nullptr) json_->CancelAllAndWait();
  if (admin_ != nullptr) admin_->Shutdown();
  Log("INFO", "gateway stopped");
}

GatewayServer::~GatewayServer() { Shutdown(absl::Seconds(5)); }

}  // namespace kommune::gateway
