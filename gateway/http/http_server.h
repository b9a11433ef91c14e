#ifndef KOMMUNE_GATEWAY_HTTP_HTTP_SERVER_H_
#define KOMMUNE_GATEWAY_HTTP_HTTP_SERVER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kommune::gateway {

// One HTTP/1.1 request, complete with its body.
struct HttpRequest {
  std::string method;  // "POST"
  // As sent, without the query and not percent-decoded, so that routing
  // sees exactly what the client wrote ("/kommune.policy.v1.PolicyService/
  // GetPolicy").
  std::string path;
  std::string query;  // raw, without '?'; may be empty
  // In arrival order, names lower-cased, values as MHD trimmed them.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Client IP address as text ("127.0.0.1", "::1"); IPv4 clients of a
  // "[::]" server appear as IPv4, not "::ffff:127.0.0.1".
  std::string peer;

  // The first header of that name, case-insensitively.
  std::optional<std::string> Header(absl::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  // Content-Length is computed by the server and ignored here, as are
  // headers with empty values. Headers with CR or LF are dropped (logged).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Answers one request. Must be called exactly once, from any thread,
// possibly long after the handler returned. Cheap to copy: copies share one
// state. Only the first call counts; later calls are ignored. If every copy
// is destroyed without a call, the client gets make_error(500, ...). When
// the client has gone or the server has shut down, a call is a harmless
// no-op.
using HttpResponder = std::function<void(HttpResponse response)>;

// Runs on one of the server's threads, which serve many connections each:
// it must not block. Answer through `respond`, now or later.
using HttpHandler =
    std::function<void(HttpRequest request, HttpResponder respond)>;

struct HttpServerOptions {
  // host:port, host a literal IPv4 address, "[IPv6]" or "localhost".
  // Port 0 picks a free one. "[::]:port" also accepts IPv4.
  std::string address = "127.0.0.1:0";
  // Larger bodies get 413 from make_error before the handler runs: at once
  // when Content-Length says so, after reading (and dropping) the body when
  // it is chunked; the connection is closed then.
  size_t max_body_bytes = 4 << 20;
  // Larger request heads (request line and headers) get 431 from
  // make_error. Heads beyond about twice this size do not fit into the
  // connection's memory at all; libmicrohttpd itself answers those with a
  // bare 431 (414 when the request line alone is too long) and closes.
  size_t max_header_bytes = 16 << 10;
  // A connection idle this long (slow client, idle keep-alive) is closed.
  // Whole seconds, rounded up. Connections whose handler has not answered
  // yet never time out here: the handler owns the deadline.
  absl::Duration read_timeout = absl::Seconds(10);
  int threads = 2;  // event loop threads, each with its own epoll set
  // Open connections, split evenly over the threads (so at least
  // `threads`). Beyond it new connections wait in the listen backlog, or
  // are accepted and closed at once.
  int max_connections = 1000;
  // Open connections from one client address at most; 0 for no limit. Keeps
  // one slow or greedy client from taking every connection.
  int max_connections_per_address = 0;
  // Both set: HTTPS only.
  std::string tls_certificate_pem, tls_private_key_pem;
  // How long Shutdown waits for pending requests to be answered and sent
  // before it answers the rest with make_error(503, ...) itself.
  absl::Duration shutdown_grace = absl::Seconds(10);
  // Builds the responses the server answers itself (413, 431, 503 when
  // shutting down, 500 for a dropped responder), so that JSON clients get
  // their error format. Called on any thread; must be thread-safe. Unset:
  // plain text. Errors that libmicrohttpd answers on its own (malformed
  // requests, missing Host, heads far over the limit) bypass it.
  std::function<HttpResponse(int http_status, std::string message)> make_error;
};

// An HTTP/1.1 server on libmicrohttpd: epoll event loops in a small thread
// pool, keep-alive, and requests that are answered asynchronously by
// suspending their connection until the responder is called.
class HttpServer {
 public:
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      HttpServerOptions options, HttpHandler handler);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();  // Calls Shutdown.

  // The port actually bound.
  int port() const { return port_; }

  // Stops accepting connections; requests that arrive on open connections
  // get 503. Waits up to shutdown_grace for the requests already with the
  // handler to be answered and sent, answers the rest with 503 (allowing
  // them up to a second more to be sent), then stops the threads and closes
  // every connection. Idempotent and thread-safe, but must not be called
  // from a handler (it joins the threads handlers run on).
  void Shutdown();

  struct Core;  // State shared with the server's threads and responders.

 private:
  HttpServer(std::shared_ptr<Core> core, int port)
      : core_(std::move(core)), port_(port) {}

  absl::Mutex shutdown_mu_;  // Serializes Shutdown.
  std::shared_ptr<Core> core_;
  const int port_;
};

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_HTTP_HTTP_SERVER_H_
