#include "gateway/http/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <unordered_set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/log.h"

namespace kommune::gateway {
namespace {

// What Start binds to.
struct ListenAddress {
  sockaddr_storage storage{};
  bool ipv6 = false;
  bool dual_stack = false;  // "[::]": IPv4 too
  uint16_t port = 0;
};

absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view address) {
  auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP address \"", address, "\": ", why));
  };
  absl::string_view host;
  absl::string_view port_text;
  if (absl::StartsWith(address, "[")) {
    size_t close = address.find(']');
    if (close == absl::string_view::npos) return invalid("missing ']'");
    host = address.substr(1, close - 1);
    absl::string_view rest = address.substr(close + 1);
    if (!absl::ConsumePrefix(&rest, ":")) return invalid("missing :port");
    port_text = rest;
  } else {
    size_t colon = address.rfind(':');
    if (colon == absl::string_view::npos) return invalid("missing :port");
    host = address.substr(0, colon);
    port_text = address.substr(colon + 1);
    if (absl::StrContains(host, ':')) {
      return invalid("IPv6 addresses go in brackets: [::1]:8080");
    }
  }
  int port = 0;
  if (port_text.empty() ||
      !std::all_of(port_text.begin(), port_text.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(port_text, &port) || port > 65535) {
    return invalid("bad port");
  }
  ListenAddress out;
  out.port = static_cast<uint16_t>(port);
  std::string host_text(host == "localhost" ? "127.0.0.1" : host);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (inet_pton(AF_INET, host_text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(out.port);
  } else if (inet_pton(AF_INET6, host_text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(out.port);
    out.ipv6 = true;
    out.dual_stack = IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr);
  } else {
    return invalid("host must be an IP address or localhost");
  }
  return out;
}

std::string PeerAddress(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == nullptr || info->client_addr == nullptr) return "";
  char text[INET6_ADDRSTRLEN] = {};
  const sockaddr* addr = info->client_addr;
  if (addr->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr,
              text, sizeof(text));
  } else if (addr->sa_family == AF_INET6) {
    const in6_addr& a6 = reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr;
    // IPv4 clients of a dual-stack socket look like ::ffff:1.2.3.4; report
    // them as IPv4 so that logs and rate limits see one form.
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
      inet_ntop(AF_INET, &a6.s6_addr[12], text, sizeof(text));
    } else {
      inet_ntop(AF_INET6, &a6, text, sizeof(text));
    }
  }
  return text;
}

// Shared by a request that went to the handler and that request's
// responder, which may outlive the connection, the request and the server.
// `mu` orders the responder's MHD_resume_connection against the server
// thread's MHD_suspend_connection and against the connection's end.
struct Exchange {
  enum class Phase {
    kHandling,   // the handler runs on the connection's thread
    kSuspended,  // the handler returned; the connection waits
    kResuming,   // answered; MHD_resume_connection was called
    kDone,       // the answer was queued with MHD
    kClosed,     // MHD is done with the connection: never touch it
  };
  explicit Exchange(MHD_Connection* c) : connection(c) {}

  absl::Mutex mu;
  Phase phase ABSL_GUARDED_BY(mu) = Phase::kHandling;
  bool answered ABSL_GUARDED_BY(mu) = false;
  MHD_Connection* connection ABSL_GUARDED_BY(mu);
  std::optional<HttpResponse> response ABSL_GUARDED_BY(mu);
};

// Per request, owned by MHD's request context pointer: created when the
// request line arrives, deleted in the completion callback.
struct RequestState {
  HttpRequest request;
  bool headers_seen = false;
  bool body_too_large = false;
  size_t body_dropped = 0;
  std::shared_ptr<Exchange> exchange;  // set once the handler was called
};

HttpResponse PlainTextError(int status, std::string message) {
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  response.body = std::move(message);
  response.body += '\n';
  return response;
}

HttpResponse WithConnectionClose(HttpResponse response) {
  response.headers.emplace_back("Connection", "close");
  return response;
}

void FreeString(void* cls) { delete static_cast<std::string*>(cls); }

// Hands `response` to MHD without copying the body.
MHD_Result Queue(MHD_Connection* connection, HttpResponse response) {
  auto* body = new std::string(std::move(response.body));
  MHD_Response* r = MHD_create_response_from_buffer_with_free_callback_cls(
      body->size(), body->data(), &FreeString, body);
  if (r == nullptr) {
    delete body;
    return MHD_NO;
  }
  for (const auto& [name, value] : response.headers) {
    // MHD computes the length itself and refuses a second one; it cannot
    // send empty values.
    if (absl::EqualsIgnoreCase(name, "content-length") || value.empty()) {
      continue;
    }
    // Refused too: names with whitespace, CR or LF anywhere (no injection).
    if (MHD_add_response_header(r, name.c_str(), value.c_str()) != MHD_YES) {
      Log("WARNING", "HTTP response header refused", {{"header", name}});
    }
  }
  int status = response.status;
  if (status < 200 || status > 999) {
    Log("ERROR", "handler answered with an invalid HTTP status",
        {{"status", absl::StrCat(status)}});
    status = 500;
  }
  MHD_Result result =
      MHD_queue_response(connection, static_cast<unsigned>(status), r);
  MHD_destroy_response(r);  // MHD holds its own reference.
  return result;
}

MHD_Result CollectHeader(void* cls, MHD_ValueKind, const char* key,
                         size_t key_size, const char* value,
                         size_t value_size) {
  auto& headers = *static_cast<HttpRequest*>(cls);
  std::string name(key, key_size);
  absl::AsciiStrToLower(&name);
  headers.headers.emplace_back(
      std::move(name),
      value == nullptr ? std::string() : std::string(value, value_size));
  return MHD_YES;
}

}  // namespace

std::optional<std::string> HttpRequest::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

struct HttpServer::Core : std::enable_shared_from_this<HttpServer::Core> {
  Core(HttpServerOptions o, HttpHandler h)
      : options(std::move(o)), handler(std::move(h)) {}

  HttpResponse Error(int status, std::string message) const {
    if (options.make_error) return options.make_error(status, message);
    return PlainTextError(status, std::move(message));
  }

  // The one way an exchange gets its answer: from the responder, from its
  // last copy's destructor, or from Shutdown.
  void Respond(const std::shared_ptr<Exchange>& exchange,
               HttpResponse response) {
    {
      absl::MutexLock lock(&exchange->mu);
      if (exchange->answered) return;
      exchange->answered = true;
      if (exchange->phase != Exchange::Phase::kClosed) {
        exchange->response = std::move(response);
        if (exchange->phase == Exchange::Phase::kSuspended) {
          // The next call of the access handler queues the response.
          exchange->phase = Exchange::Phase::kResuming;
          MHD_resume_connection(exchange->connection);
        }
      }
    }
  }

  const HttpServerOptions options;
  const HttpHandler handler;
  MHD_Daemon* daemon = nullptr;  // Written by Start and Shutdown only.

  absl::Mutex mu;
  bool shutting_down ABSL_GUARDED_BY(mu) = false;
  // Requests given to the handler and not yet done with: unanswered, or
  // answered and not yet sent.
  std::unordered_set<std::shared_ptr<Exchange>> pending ABSL_GUARDED_BY(mu);

  absl::Mutex log_mu;
  std::string last_log ABSL_GUARDED_BY(log_mu);  // for Start's error
};

namespace {

using Core = HttpServer::Core;

// Answers with make_error(500) if the handler lost every copy of its
// responder without answering, so that the connection does not hang.
class ResponderState {
 public:
  ResponderState(std::shared_ptr<Core> core, std::shared_ptr<Exchange> ex)
      : core_(std::move(core)), exchange_(std::move(ex)) {}
  ResponderState(const ResponderState&) = delete;
  ResponderState& operator=(const ResponderState&) = delete;
  ~ResponderState() {
    {
      absl::MutexLock lock(&exchange_->mu);
      if (exchange_->answered) return;
    }
    Log("ERROR", "HTTP handler dropped its responder without answering");
    core_->Respond(exchange_,
                   core_->Error(500, "the request was dropped unanswered"));
  }

  void Respond(HttpResponse response) {
    core_->Respond(exchange_, std::move(response));
  }

 private:
  std::shared_ptr<Core> core_;
  std::shared_ptr<Exchange> exchange_;
};

void* OnRequestLine(void*, const char* uri, MHD_Connection*) {
  auto* state = new RequestState();
  absl::string_view target = uri == nullptr ? "" : uri;
  size_t question = target.find('?');
  state->request.path = std::string(target.substr(0, question));
  if (question != absl::string_view::npos) {
    state->request.query = std::string(target.substr(question + 1));
  }
  return state;
}

void OnCompleted(void* cls, MHD_Connection*, void** context,
                 MHD_RequestTerminationCode) {
  auto* state = static_cast<RequestState*>(*context);
  *context = nullptr;
  if (state == nullptr) return;
  if (state->exchange != nullptr) {
    {
      absl::MutexLock lock(&state->exchange->mu);
      state->exchange->phase = Exchange::Phase::kClosed;
      state->exchange->connection = nullptr;
      state->exchange->response.reset();
    }
    auto& core = *static_cast<Core*>(cls);
    absl::MutexLock lock(&core.mu);
    core.pending.erase(state->exchange);
  }
  delete state;
}

void OnLog(void* cls, const char* format, va_list args) {
  char text[1024];
  std::vsnprintf(text, sizeof(text), format, args);
  std::string message(absl::StripTrailingAsciiWhitespace(text));
  auto& core = *static_cast<Core*>(cls);
  {
    absl::MutexLock lock(&core.log_mu);
    core.last_log = message;
  }
  Log("WARNING", "libmicrohttpd: " + message);
}

// First call: the request head is complete. Refuses what must not reach
// the handler; MHD sends "100 Continue" afterwards if the client asked.
MHD_Result OnHeaders(Core& core, MHD_Connection* connection, const char* method,
                     RequestState& state) {
  state.headers_seen = true;
  HttpRequest& request = state.request;
  request.method = method;
  MHD_get_connection_values_n(connection, MHD_HEADER_KIND, &CollectHeader,
                              &request);
  request.peer = PeerAddress(connection);
  {
    absl::MutexLock lock(&core.mu);
    if (core.shutting_down) {
      return Queue(connection, WithConnectionClose(core.Error(
                                   503, "the server is shutting down")));
    }
  }
  const MHD_ConnectionInfo* head = MHD_get_connection_info(
      connection, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
  if (head != nullptr && head->header_size > core.options.max_header_bytes) {
    return Queue(
        connection,
        WithConnectionClose(core.Error(
            431, absl::StrCat("request headers exceed ",
                              core.options.max_header_bytes, " bytes"))));
  }
  uint64_t length = 0;
  std::optional<std::string> content_length = request.Header("content-length");
  if (content_length.has_value() &&
      absl::SimpleAtoi(*content_length, &length) &&
      length > core.options.max_body_bytes) {
    // Answered before the body is read; MHD closes the connection after.
    return Queue(connection, WithConnectionClose(core.Error(
                                 413, absl::StrCat("request body exceeds ",
                                                   core.options.max_body_bytes,
                                                   " bytes"))));
  }
  return MHD_YES;
}

MHD_Result OnBody(Core& core, const char* data, size_t size,
                  RequestState& state) {
  std::string& body = state.request.body;
  if (!state.body_too_large && size <= core.options.max_body_bytes &&
      body.size() <= core.options.max_body_bytes - size) {
    body.append(data, size);
    return MHD_YES;
  }
  // A chunked body too large: MHD cannot answer in the middle of a body,
  // so drop the rest and answer 413 at its end, unless it goes on and on.
  state.body_too_large = true;
  std::string().swap(body);
  state.body_dropped += size;
  return state.body_dropped > core.options.max_body_bytes ? MHD_NO : MHD_YES;
}

// Last call: the request is complete, or its connection was resumed.
MHD_Result OnComplete(Core& core, MHD_Connection* connection,
                      RequestState& state) {
  if (state.exchange != nullptr) {
    std::optional<HttpResponse> response;
    {
      absl::MutexLock lock(&state.exchange->mu);
      response = std::move(state.exchange->response);
      state.exchange->response.reset();
      state.exchange->phase = Exchange::Phase::kDone;
    }
    if (!response.has_value()) {  // Not expected: resumed without answer.
      response = core.Error(500, "internal error: no response");
    }
    return Queue(connection, std::move(*response));
  }
  if (state.body_too_large) {
    return Queue(connection, WithConnectionClose(core.Error(
                                 413, absl::StrCat("request body exceeds ",
                                                   core.options.max_body_bytes,
                                                   " bytes"))));
  }

  auto exchange = std::make_shared<Exchange>(connection);
  {
    absl::MutexLock lock(&core.mu);
    if (core.shutting_down) {
      return Queue(connection, WithConnectionClose(core.Error(
                                   503, "the server is shutting down")));
    }
    core.pending.insert(exchange);
  }
  state.exchange = exchange;
  auto responder =
      std::make_shared<ResponderState>(core.shared_from_this(), exchange);
  core.handler(std::move(state.request), [responder](HttpResponse response) {
    responder->Respond(std::move(response));
  });
  responder.reset();  // Lets a dropped responder answer 500 right here.

  std::optional<HttpResponse> response;
  {
    absl::MutexLock lock(&exchange->mu);
    if (!exchange->response.has_value()) {
      // Suspending under the lock: a responder on another thread sees
      // kSuspended only once MHD knows the connection is suspended.
      MHD_suspend_connection(connection);
      exchange->phase = Exchange::Phase::kSuspended;
      return MHD_YES;
    }
    response = std::move(exchange->response);
    exchange->response.reset();
    exchange->phase = Exchange::Phase::kDone;
  }
  return Queue(connection, std::move(*response));
}

MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url,
                     const char* method, const char*, const char* upload_data,
                     size_t* upload_data_size, void** context) {
  auto& core = *static_cast<Core*>(cls);
  auto* state = static_cast<RequestState*>(*context);
  if (state == nullptr) {  // Not expected: OnRequestLine always runs first.
    state = static_cast<RequestState*>(OnRequestLine(nullptr, url, nullptr));
    *context = state;
  }
  if (!state->headers_seen) return OnHeaders(core, connection, method, *state);
  if (*upload_data_size != 0) {
    MHD_Result result = OnBody(core, upload_data, *upload_data_size, *state);
    *upload_data_size = 0;
    return result;
  }
  return OnComplete(core, connection, *state);
}

template <typename Function>
MHD_OptionItem CallbackOption(MHD_OPTION option, Function* function,
                              void* cls) {
  return {option, reinterpret_cast<intptr_t>(function), cls};
}

MHD_OptionItem ValueOption(MHD_OPTION option, intptr_t value) {
  return {option, value, nullptr};
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    HttpServerOptions options, HttpHandler handler) {
  if (!handler) return absl::InvalidArgumentError("HTTP handler is empty");
  if (options.threads < 1 || options.max_connections < options.threads ||
      options.max_body_bytes == 0 || options.max_header_bytes == 0) {
    return absl::InvalidArgumentError(
        "HTTP threads, max_body_bytes and max_header_bytes must be "
        "positive, and max_connections at least threads");
  }
  const bool tls = !options.tls_certificate_pem.empty() ||
                   !options.tls_private_key_pem.empty();
  if (tls && (options.tls_certificate_pem.empty() ||
              options.tls_private_key_pem.empty())) {
    return absl::InvalidArgumentError(
        "HTTPS needs both a certificate and a private key");
  }
  if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
    return absl::FailedPreconditionError(
        "this libmicrohttpd was built without TLS");
  }
  absl::StatusOr<ListenAddress> address = ParseListenAddress(options.address);
  if (!address.ok()) return address.status();

  auto core = std::make_shared<Core>(std::move(options), std::move(handler));
  const HttpServerOptions& o = core->options;

  unsigned flags = MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES
               ? MHD_USE_EPOLL_INTERNAL_THREAD
               : MHD_USE_AUTO_INTERNAL_THREAD;
  if (address->dual_stack) {
    flags |= MHD_USE_DUAL_STACK;
  } else if (address->ipv6) {
    flags |= MHD_USE_IPv6;
  }
  if (tls) flags |= MHD_USE_TLS;

  // Room for a head of max_header_bytes with its parsed header records,
  // and for the response head. Larger heads MHD refuses on its own.
  const size_t pool_bytes =
      std::max<size_t>(32 << 10, 2 * o.max_header_bytes + (4 << 10));
  const int64_t timeout_seconds = std::max<int64_t>(
      1,
      static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(o.read_timeout))));

  std::vector<MHD_OptionItem> items = {
      CallbackOption(MHD_OPTION_EXTERNAL_LOGGER, &OnLog, core.get()),
      {MHD_OPTION_SOCK_ADDR, 0, &address->storage},
      ValueOption(MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                  static_cast<intptr_t>(pool_bytes)),
      ValueOption(MHD_OPTION_CONNECTION_LIMIT, o.max_connections),
      ValueOption(MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                  o.max_connections_per_address),
      ValueOption(
          MHD_OPTION_CONNECTION_TIMEOUT,
          static_cast<intptr_t>(std::min<int64_t>(timeout_seconds, 1 << 30))),
      CallbackOption(MHD_OPTION_NOTIFY_COMPLETED, &OnCompleted, core.get()),
      CallbackOption(MHD_OPTION_URI_LOG_CALLBACK, &OnRequestLine, core.get()),
  };
  if (o.threads > 1) {
    items.push_back(ValueOption(MHD_OPTION_THREAD_POOL_SIZE, o.threads));
  }
  if (tls) {
    items.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0,
                     const_cast<char*>(o.tls_private_key_pem.c_str())});
    items.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0,
                     const_cast<char*>(o.tls_certificate_pem.c_str())});
  }
  items.push_back({MHD_OPTION_END, 0, nullptr});

  core->daemon = MHD_start_daemon(flags, address->port, nullptr, nullptr,
                                  &OnRequest, core.get(), MHD_OPTION_ARRAY,
                                  items.data(), MHD_OPTION_END);
  if (core->daemon == nullptr) {
    absl::MutexLock lock(&core->log_mu);
    return absl::UnavailableError(absl::StrCat(
        "cannot start the HTTP server on ", o.address, ": ",
        core->last_log.empty() ? "unknown error" : core->last_log));
  }
  const MHD_DaemonInfo* info =
      MHD_get_daemon_info(core->daemon, MHD_DAEMON_INFO_BIND_PORT);
  int port = info != nullptr ? info->port : address->port;
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(core), port));
}

HttpServer::~HttpServer() { Shutdown(); }

void HttpServer::Shutdown() {
  absl::MutexLock serial(&shutdown_mu_);
  Core& core = *core_;
  if (core.daemon == nullptr) return;
  {
    absl::MutexLock lock(&core.mu);
    core.shutting_down = true;
  }
  MHD_socket listener = MHD_quiesce_daemon(core.daemon);

  auto drained = [&core]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(core.mu) {
    return core.pending.empty();
  };
  std::vector<std::shared_ptr<Exchange>> unfinished;
  {
    absl::MutexLock lock(&core.mu);
    core.mu.AwaitWithTimeout(absl::Condition(&drained),
                             core.options.shutdown_grace);
    unfinished.assign(core.pending.begin(), core.pending.end());
  }
  // MHD must not be stopped with suspended connections (it aborts), so
  // answer (and so resume) every one still waiting; answered ones ignore
  // this. Respond returns only after any resume it or another thread did.
  for (const auto& exchange : unfinished) {
    core.Respond(exchange, WithConnectionClose(
                               core.Error(503, "the server is shutting down")));
  }
  if (!unfinished.empty()) {  // A moment to send those answers.
    absl::MutexLock lock(&core.mu);
    core.mu.AwaitWithTimeout(absl::Condition(&drained), absl::Seconds(1));
  }
  MHD_stop_daemon(core.daemon);
  core.daemon = nullptr;
  // After quiescing the listening socket is ours to close.
  if (listener != MHD_INVALID_SOCKET) close(listener);
}

}  // namespace kommune::gateway
