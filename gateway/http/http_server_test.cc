#include "gateway/http/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kommune::gateway {
namespace {

using ::testing::HasSubstr;

// A response as the test client read it; header names lower-cased.
struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// A blocking HTTP/1.1 client on a plain socket, just enough for the tests.
class Client {
 public:
  explicit Client(int port, const char* host = "127.0.0.1") {
    sockaddr_storage storage{};
    socklen_t size = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons(port);
      size = sizeof(*v4);
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(port);
      size = sizeof(*v6);
    } else {
      return;
    }
    fd_ = socket(storage.ss_family, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd_, reinterpret_cast<sockaddr*>(&storage), size) != 0) {
      Close();
    }
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client() { Close(); }

  bool connected() const { return fd_ >= 0; }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  // False if the server closed or reset the connection.
  bool Send(absl::string_view data) {
    while (!data.empty()) {
      ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // One response, or nullopt if the connection ended or nothing came in
  // time.
  std::optional<Response> Read(absl::Duration timeout = absl::Seconds(5)) {
    absl::Time deadline = absl::Now() + timeout;
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    std::vector<std::string> lines =
        absl::StrSplit(buffer_.substr(0, head_end), "\r\n");
    Response response;
    std::vector<std::string> status_line =
        absl::StrSplit(lines[0], absl::MaxSplits(' ', 2));
    if (status_line.size() < 2 ||
        !absl::SimpleAtoi(status_line[1], &response.status)) {
      return std::nullopt;
    }
    for (size_t i = 1; i < lines.size(); ++i) {
      size_t colon = lines[i].find(':');
      if (colon == std::string::npos) continue;
      std::string name = absl::AsciiStrToLower(lines[i].substr(0, colon));
      response.headers[name] =
          std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
    }
    size_t length = 0;
    if (!absl::SimpleAtoi(response.Header("content-length"), &length)) {
      return std::nullopt;
    }
    size_t body_start = head_end + 4;
    while (buffer_.size() < body_start + length) {
      if (!Fill(deadline)) return std::nullopt;
    }
    response.body = buffer_.substr(body_start, length);
    buffer_.erase(0, body_start + length);
    return response;
  }

  // Whether the server closes the connection within `timeout`.
  bool WaitForClose(absl::Duration timeout) {
    absl::Time deadline = absl::Now() + timeout;
    while (Fill(deadline)) {
    }
    return closed_;
  }

  // Whether anything arrived (or the connection ended) within `timeout`.
  bool Readable(absl::Duration timeout) {
    if (!buffer_.empty()) return true;
    pollfd p = {fd_, POLLIN, 0};
    return poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) >
           0;
  }

 private:
  bool Fill(absl::Time deadline) {
    if (fd_ < 0 || closed_) return false;
    int64_t wait = absl::ToInt64Milliseconds(deadline - absl::Now());
    pollfd p = {fd_, POLLIN, 0};
    if (wait <= 0 || poll(&p, 1, static_cast<int>(wait)) <= 0) return false;
    char chunk[16384];
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool closed_ = false;
  std::string buffer_;
};

std::string Post(absl::string_view path, absl::string_view body,
                 absl::string_view extra_headers = "") {
  return absl::StrCat("POST ", path,
                      " HTTP/1.1\r\nHost: test\r\nContent-Type: "
                      "application/json\r\nContent-Length: ",
                      body.size(), "\r\n", extra_headers, "\r\n", body);
}

std::string Get(absl::string_view path) {
  return absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: test\r\n\r\n");
}

// Threads that answer later, joined before the test ends.
class Background {
 public:
  ~Background() { JoinAll(); }
  void After(absl::Duration delay, std::function<void()> work) {
    absl::MutexLock lock(&mu_);
    threads_.emplace_back([delay, work = std::move(work)] {
      absl::SleepFor(delay);
      work();
    });
  }
  void JoinAll() {
    std::vector<std::thread> threads;
    {
      absl::MutexLock lock(&mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

 private:
  absl::Mutex mu_;
  std::vector<std::thread> threads_;
};

// Responders the test answers itself.
class Held {
 public:
  void Add(HttpResponder responder) {
    absl::MutexLock lock(&mu_);
    responders_.push_back(std::move(responder));
  }
  bool WaitFor(size_t count, absl::Duration timeout = absl::Seconds(5)) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return responders_.size() >= count;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }
  HttpResponder Get(size_t i) {
    absl::MutexLock lock(&mu_);
    return responders_.at(i);
  }
  void Clear() {
    absl::MutexLock lock(&mu_);
    responders_.clear();
  }

 private:
  absl::Mutex mu_;
  std::vector<HttpResponder> responders_;
};

HttpResponse Text(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "text/plain");
  response.body = std::move(body);
  return response;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    server_.reset();
    background_.JoinAll();
    held_.Clear();
  }

  static HttpServerOptions Options() {
    HttpServerOptions options;
    options.shutdown_grace = absl::Milliseconds(500);
    options.make_error = [](int status, std::string message) {
      HttpResponse response;
      response.status = status;
      response.headers.emplace_back("X-Made-By", "make_error");
      response.body = absl::StrCat("error ", status, ": ", message);
      return response;
    };
    return options;
  }

  // The test handler: /echo echoes, /slow answers after 300 ms from
  // another thread, /hold leaves the answer to the test, /drop never
  // answers, /twice answers twice, anything else answers "ok".
  void Start(HttpServerOptions options = Options()) {
    auto server = HttpServer::Start(
        std::move(options), [this](HttpRequest request, HttpResponder respond) {
          ++calls_;
          if (request.path == "/echo") {
            HttpResponse response = Text(200, request.body);
            response.headers.insert(
                response.headers.end(),
                {{"X-Method", request.method},
                 {"X-Path", request.path},
                 {"X-Query", request.query},
                 {"X-Peer", request.peer},
                 {"X-Test", request.Header("X-TEST").value_or("(none)")},
                 {"X-Header-Count", absl::StrCat(request.headers.size())}});
            for (const auto& [name, value] : request.headers) {
              if (name != absl::AsciiStrToLower(name)) {
                response.headers.emplace_back("X-Not-Lower-Case", name);
              }
            }
            respond(std::move(response));
          } else if (request.path == "/slow") {
            background_.After(absl::Milliseconds(300),
                              [respond] { respond(Text(200, "slow")); });
          } else if (request.path == "/hold") {
            held_.Add(std::move(respond));
          } else if (request.path == "/drop") {
          } else if (request.path == "/drop-later") {
            background_.After(absl::Milliseconds(100),
                              [keep = std::move(respond)] {});
          } else if (request.path == "/twice") {
            respond(Text(200, "first"));
            respond(Text(200, "second"));
          } else {
            respond(Text(200, absl::StrCat("ok ", request.path)));
          }
        });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    port_ = server_->port();
    ASSERT_GT(port_, 0);
  }

  // Whether a fresh connection is served.
  bool Serves() {
    Client client(port_);
    if (!client.Send(Get("/check"))) return false;
    auto response = client.Read();
    return response.has_value() && response->status == 200 &&
           response->body == "ok /check";
  }

  Background background_;
  Held held_;
  std::atomic<int> calls_{0};
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

TEST_F(HttpServerTest, Echoes) {
  Start();
  Client client(port_);
  ASSERT_TRUE(client.connected());
  const std::string body = R"({"name":"policies/1"})";
  ASSERT_TRUE(client.Send(
      Post("/echo?a=1&b=%20x", body, "X-Test: Hello\r\nX-Other: two\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, body);
  EXPECT_EQ(response->Header("x-method"), "POST");
  EXPECT_EQ(response->Header("x-path"), "/echo");
  EXPECT_EQ(response->Header("x-query"), "a=1&b=%20x");
  EXPECT_EQ(response->Header("x-peer"), "127.0.0.1");
  EXPECT_EQ(response->Header("x-test"), "Hello");
  EXPECT_EQ(response->Header("x-header-count"), "5");
  EXPECT_EQ(response->Header("x-not-lower-case"), "");
  EXPECT_EQ(response->Header("content-type"), "text/plain");
  EXPECT_EQ(response->Header("content-length"), absl::StrCat(body.size()));
}

TEST_F(HttpServerTest, EchoesBinaryBodiesAndGets) {
  Start();
  Client client(port_);
  std::string body("\0\x01\xff\r\n\r\nproto", 12);
  ASSERT_TRUE(client.Send(Post("/echo", body)));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, body);

  ASSERT_TRUE(client.Send(Get("/echo")));
  response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->Header("x-method"), "GET");
  EXPECT_EQ(response->Header("x-query"), "");
  EXPECT_EQ(response->body, "");
}

TEST_F(HttpServerTest, KeepsConnectionsAlive) {
  Start();
  Client client(port_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.Send(Post("/echo", absl::StrCat("request ", i))));
    auto response = client.Read();
    ASSERT_TRUE(response.has_value()) << i;
    EXPECT_EQ(response->body, absl::StrCat("request ", i));
    EXPECT_NE(absl::AsciiStrToLower(response->Header("connection")), "close");
  }
  // Pipelined, with an asynchronous answer in the middle.
  ASSERT_TRUE(client.Send(Get("/a") + Get("/slow") + Get("/b")));
  for (const char* want : {"ok /a", "slow", "ok /b"}) {
    auto response = client.Read();
    ASSERT_TRUE(response.has_value()) << want;
    EXPECT_EQ(response->body, want);
  }
  EXPECT_EQ(calls_, 6);
}

TEST_F(HttpServerTest, AnswersLaterWithoutBlockingOthers) {
  HttpServerOptions options = Options();
  options.threads = 1;  // One event loop for both connections.
  Start(options);
  Client waiting(port_);
  ASSERT_TRUE(waiting.Send(Get("/hold")));
  ASSERT_TRUE(held_.WaitFor(1));
  Client other(port_);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(other.Send(Get("/fast")));
    auto response = other.Read();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body, "ok /fast");
  }
  EXPECT_FALSE(waiting.Readable(absl::ZeroDuration()));

  background_.After(absl::Milliseconds(10),
                    [this] { held_.Get(0)(Text(200, "later")); });
  auto response = waiting.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "later");
  // The resumed connection goes on serving.
  ASSERT_TRUE(waiting.Send(Get("/after")));
  response = waiting.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "ok /after");
}

TEST_F(HttpServerTest, OnlyTheFirstAnswerCounts) {
  Start();
  Client client(port_);
  ASSERT_TRUE(client.Send(Get("/twice") + Get("/next")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "first");
  response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "ok /next");
}

TEST_F(HttpServerTest, DroppedResponderAnswers500) {
  Start();
  Client client(port_);
  for (const char* path : {"/drop", "/drop-later"}) {
    ASSERT_TRUE(client.Send(Get(path)));
    auto response = client.Read();
    ASSERT_TRUE(response.has_value()) << path;
    EXPECT_EQ(response->status, 500);
    EXPECT_EQ(response->Header("x-made-by"), "make_error");
  }
}

TEST_F(HttpServerTest, RefusesLargeBodiesBeforeTheHandler) {
  HttpServerOptions options = Options();
  options.max_body_bytes = 1000;
  Start(options);

  {  // Content-Length says so: answered before the body is sent.
    Client client(port_);
    ASSERT_TRUE(client.Send(
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n"));
    auto response = client.Read();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 413);
    EXPECT_EQ(response->Header("x-made-by"), "make_error");
    EXPECT_THAT(response->body, HasSubstr("1000"));
    EXPECT_TRUE(client.WaitForClose(absl::Seconds(5)));
  }
  {  // Expect: 100-continue gets the 413 instead of the 100.
    Client client(port_);
    ASSERT_TRUE(client.Send(
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000\r\n"
        "Expect: 100-continue\r\n\r\n"));
    auto response = client.Read();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 413);
  }
  {  // Chunked: read to its end, then refused.
    Client client(port_);
    std::string chunk(500, 'x');
    std::string request =
        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i)
      absl::StrAppend(&request, "1f4\r\n", chunk, "\r\n");
    request += "0\r\n\r\n";
    ASSERT_TRUE(client.Send(request));
    auto response = client.Read();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 413);
    EXPECT_EQ(response->Header("x-made-by"), "make_error");
  }
  {  // Chunked and endless: cut off.
    Client client(port_);
    std::string request =
        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    std::string chunk(500, 'x');
    for (int i = 0; i < 20; ++i)
      absl::StrAppend(&request, "1f4\r\n", chunk, "\r\n");
    client.Send(request);
    EXPECT_TRUE(client.WaitForClose(absl::Seconds(5)));
  }
  EXPECT_EQ(calls_, 0);

  // Exactly the limit is fine, chunked or not.
  Client client(port_);
  ASSERT_TRUE(client.Send(Post("/echo", std::string(1000, 'y'))));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.size(), 1000u);
  ASSERT_TRUE(client.Send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "1f4\r\n" +
      std::string(500, 'a') + "\r\n1f4\r\n" + std::string(500, 'b') +
      "\r\n0\r\n\r\n"));
  response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, std::string(500, 'a') + std::string(500, 'b'));
}

TEST_F(HttpServerTest, RefusesLargeHeads) {
  HttpServerOptions options = Options();
  options.max_header_bytes = 1024;
  Start(options);
  {  // Over the limit: make_error's 431.
    Client client(port_);
    ASSERT_TRUE(client.Send(absl::StrCat(
        "GET /echo HTTP/1.1\r\nHost: t\r\nX-Big: ", std::string(2000, 'a'),
        "\r\n\r\n")));
    auto response = client.Read();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 431);
    EXPECT_EQ(response->Header("x-made-by"), "make_error");
  }
  {  // Far over it: MHD's own 431, or a closed connection.
    Client client(port_);
    client.Send(absl::StrCat("GET /echo HTTP/1.1\r\nHost: t\r\nX-Big: ",
                             std::string(200000, 'a'), "\r\n\r\n"));
    auto response = client.Read();
    if (response.has_value()) {
      EXPECT_EQ(response->status, 431);
    }
    EXPECT_TRUE(client.WaitForClose(absl::Seconds(5)));
  }
  {  // Many small headers.
    Client client(port_);
    std::string request = "GET /echo HTTP/1.1\r\nHost: t\r\n";
    for (int i = 0; i < 2000; ++i)
      absl::StrAppend(&request, "X-H", i, ": v\r\n");
    client.Send(request + "\r\n");
    auto response = client.Read();
    if (response.has_value()) {
      EXPECT_EQ(response->status, 431);
    }
  }
  EXPECT_EQ(calls_, 0);
  {  // Just under the limit is fine.
    Client client(port_);
    ASSERT_TRUE(client.Send(absl::StrCat(
        "GET /echo HTTP/1.1\r\nHost: t\r\nX-Big: ", std::string(900, 'a'),
        "\r\n\r\n")));
    auto response = client.Read();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
  }
  EXPECT_TRUE(Serves());
}

TEST_F(HttpServerTest, DisconnectsSlowClients) {
  HttpServerOptions options = Options();
  options.read_timeout = absl::Seconds(1);
  options.threads = 1;
  Start(options);
  absl::Time start = absl::Now();
  Client stalled(port_);
  ASSERT_TRUE(stalled.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Le"));
  Client idle(port_);  // keep-alive, idle after one request
  ASSERT_TRUE(idle.Send(Get("/idle")));
  ASSERT_TRUE(idle.Read().has_value());
  EXPECT_TRUE(Serves());  // while the stalled client waits

  EXPECT_TRUE(stalled.WaitForClose(absl::Seconds(5)));
  absl::Duration took = absl::Now() - start;
  EXPECT_GE(took, absl::Milliseconds(900));
  EXPECT_LT(took, absl::Seconds(4));
  EXPECT_TRUE(idle.WaitForClose(absl::Seconds(5)));
  EXPECT_TRUE(Serves());
}

// One address cannot take every connection (slow or greedy clients); the
// connections it holds keep working.
TEST_F(HttpServerTest, LimitsConnectionsPerAddress) {
  HttpServerOptions options = Options();
  options.max_connections_per_address = 2;
  options.threads = 1;
  Start(options);
  Client first(port_);
  Client second(port_);
  ASSERT_TRUE(first.Send("GET /first HTTP/1.1\r\nHost: t\r\n"));
  ASSERT_TRUE(second.Send("GET /second HTTP/1.1\r\nHost: t\r\n"));
  Client third(port_);
  third.Send(Get("/third"));
  EXPECT_TRUE(third.WaitForClose(absl::Seconds(5)));
  ASSERT_TRUE(first.Send("\r\n"));
  auto answer = first.Read();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 200);
}

TEST_F(HttpServerTest, PendingRequestsDoNotTimeOut) {
  HttpServerOptions options = Options();
  options.read_timeout = absl::Seconds(1);
  Start(options);
  Client client(port_);
  ASSERT_TRUE(client.Send(Get("/hold")));
  ASSERT_TRUE(held_.WaitFor(1));
  EXPECT_FALSE(client.Readable(absl::Milliseconds(2500)));
  held_.Get(0)(Text(200, "late"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "late");
}

TEST_F(HttpServerTest, ClientGoneWhileHandlerPending) {
  Start();
  for (int i = 0; i < 20; ++i) {
    Client client(port_);
    ASSERT_TRUE(client.Send(Post("/hold", std::string(100, 'z'))));
  }
  ASSERT_TRUE(held_.WaitFor(20));
  absl::SleepFor(absl::Milliseconds(50));  // let the server see the FINs
  for (int i = 0; i < 20; ++i) {
    background_.After(absl::Milliseconds(i % 5), [this, i] {
      held_.Get(i)(Text(200, std::string(100000, 'r')));
      held_.Get(i)(Text(200, "again"));
    });
  }
  background_.JoinAll();
  EXPECT_TRUE(Serves());
}

TEST_F(HttpServerTest, ServesManyConnectionsAtOnce) {
  Start();
  constexpr int kConnections = 200;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kConnections; ++i) {
    clients.push_back(std::make_unique<Client>(port_));
    ASSERT_TRUE(clients.back()->connected()) << i;
  }
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < kConnections; ++i) {
      const char* path = i % 10 == 0 ? "/slow" : "/echo";
      ASSERT_TRUE(clients[i]->Send(Post(path, absl::StrCat("c", i))));
    }
    for (int i = 0; i < kConnections; ++i) {
      auto response = clients[i]->Read();
      ASSERT_TRUE(response.has_value()) << i;
      EXPECT_EQ(response->body, i % 10 == 0 ? "slow" : absl::StrCat("c", i));
    }
  }

  // And from several threads at once, with fresh connections.
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        Client client(port_);
        std::string body = absl::StrCat("t", t, "-", i);
        if (!client.Send(Post("/echo", body))) continue;
        auto response = client.Read();
        if (response.has_value() && response->body == body) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 200);
}

TEST_F(HttpServerTest, ShutdownAnswersPendingRequests) {
  Start();
  Client client(port_);
  ASSERT_TRUE(client.Send(Get("/hold")));
  ASSERT_TRUE(held_.WaitFor(1));
  absl::Time start = absl::Now();
  server_->Shutdown();
  absl::Duration took = absl::Now() - start;
  EXPECT_GE(took, absl::Milliseconds(450));  // the grace period
  EXPECT_LT(took, absl::Seconds(3));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->Header("x-made-by"), "make_error");

  held_.Get(0)(Text(200, "too late"));  // a no-op now
  server_->Shutdown();                  // and again
  Client after(port_);
  EXPECT_TRUE(!after.connected() || !after.Send(Get("/x")) ||
              !after.Read(absl::Seconds(1)).has_value());
}

TEST_F(HttpServerTest, ShutdownWaitsForAnswers) {
  HttpServerOptions options = Options();
  options.shutdown_grace = absl::Seconds(10);
  Start(options);
  Client pending(port_);
  ASSERT_TRUE(pending.Send(Get("/hold")));
  ASSERT_TRUE(held_.WaitFor(1));
  Client idle(port_);
  ASSERT_TRUE(idle.Send(Get("/idle")));
  ASSERT_TRUE(idle.Read().has_value());

  std::thread shutdown([this] { server_->Shutdown(); });
  absl::SleepFor(absl::Milliseconds(200));
  // Requests that arrive now are refused.
  ASSERT_TRUE(idle.Send(Get("/late")));
  auto refused = idle.Read();
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(absl::AsciiStrToLower(refused->Header("connection")), "close");

  held_.Get(0)(Text(200, "answered"));
  shutdown.join();
  auto response = pending.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "answered");
}

TEST_F(HttpServerTest, LateAnswersAfterTheServerIsGone) {
  Start();
  Client client(port_);
  ASSERT_TRUE(client.Send(Get("/hold")));
  ASSERT_TRUE(held_.WaitFor(1));
  server_.reset();
  held_.Get(0)(Text(200, "nobody listens"));
}

TEST_F(HttpServerTest, ListensOnIpv6) {
  int probe = socket(AF_INET6, SOCK_STREAM, 0);
  if (probe < 0) GTEST_SKIP() << "no IPv6";
  close(probe);
  HttpServerOptions options = Options();
  options.address = "[::1]:0";
  auto server = HttpServer::Start(
      options,
      [](HttpRequest r, HttpResponder respond) { respond(Text(200, r.peer)); });
  if (!server.ok()) GTEST_SKIP() << server.status();
  Client client((*server)->port(), "::1");
  ASSERT_TRUE(client.Send(Get("/")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "::1");

  options.address = "[::]:0";  // both families
  server = HttpServer::Start(options, [](HttpRequest r, HttpResponder respond) {
    respond(Text(200, r.peer));
  });
  ASSERT_TRUE(server.ok()) << server.status();
  Client v4((*server)->port(), "127.0.0.1");
  ASSERT_TRUE(v4.Send(Get("/")));
  response = v4.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "127.0.0.1");
}

TEST(HttpServerStartTest, RefusesBadOptions) {
  auto handler = [](HttpRequest, HttpResponder respond) {
    respond(HttpResponse());
  };
  for (const char* address :
       {"", "nonsense", "127.0.0.1", "127.0.0.1:", "127.0.0.1:99999",
        "127.0.0.1:-1", "127.0.0.1:8a", "::1:80", "[::1", "[::1]80",
        "example.com:80", "1.2.3:80"}) {
    SCOPED_TRACE(address);
    HttpServerOptions options;
    options.address = address;
    EXPECT_EQ(HttpServer::Start(options, handler).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  HttpServerOptions options;
  options.tls_certificate_pem = "-----BEGIN CERTIFICATE-----";
  EXPECT_EQ(HttpServer::Start(options, handler).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = HttpServerOptions();
  options.threads = 0;
  EXPECT_EQ(HttpServer::Start(options, handler).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpServer::Start(HttpServerOptions(), nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(HttpServerStartTest, ReportsWhyItCannotListen) {
  auto handler = [](HttpRequest, HttpResponder respond) {
    respond(HttpResponse());
  };
  auto first = HttpServer::Start(HttpServerOptions(), handler);
  ASSERT_TRUE(first.ok()) << first.status();
  HttpServerOptions options;
  options.address = absl::StrCat("127.0.0.1:", (*first)->port());
  auto second = HttpServer::Start(options, handler);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("in use"));

  options = HttpServerOptions();
  options.tls_certificate_pem = "not a certificate";
  options.tls_private_key_pem = "not a key";
  EXPECT_FALSE(HttpServer::Start(options, handler).ok());
}

// A self-signed test certificate for localhost (EC P-256, valid to 2126).
constexpr char kTestCertificate[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBfzCCASWgAwIBAgIUUfXbadeZtjqyYyCKTlIdVDvsYoswCgYIKoZIzj0EAwIw\n"
    "FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMzEyMTYzMFoYDzIxMjYxMDMw\n"
    "MTIxNjMwWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAARuXI/EjQuUnsZbqRBaU8bra3wUcE3vpzXjh74d/LYoprX8p5JqlGJr\n"
    "VPwd0ZajZW3kkkrK2gNEte3UOkLcDCyao1MwUTAdBgNVHQ4EFgQU7hX/72MkkcvB\n"
    "J82hmAENo0wLNOUwHwYDVR0jBBgwFoAU7hX/72MkkcvBJ82hmAENo0wLNOUwDwYD\n"
    "VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEAqCKvVFAdGwwYgaTgxr9L\n"
    "1obnZGNFlX+KDP2CgoWqzXECIGMCpGejTxHq01RVj7gYFhvku74BbY39ml6U6dvF\n"
    "Itmk\n"
    "-----END CERTIFICATE-----\n";
constexpr char kTestPrivateKey[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgQvQ4KwcrQh/08HFq\n"
    "z6sDd6AwDDYjXpNbBUGzNaAk0VShRANCAARuXI/EjQuUnsZbqRBaU8bra3wUcE3v\n"
    "pzXjh74d/LYoprX8p5JqlGJrVPwd0ZajZW3kkkrK2gNEte3UOkLcDCya\n"
    "-----END PRIVATE KEY-----\n";

TEST(HttpServerStartTest, ServesHttps) {
  HttpServerOptions options;
  options.tls_certificate_pem = kTestCertificate;
  options.tls_private_key_pem = kTestPrivateKey;
  auto server = HttpServer::Start(
      options, [](HttpRequest, HttpResponder r) { r(Text(200, "secret")); });
  ASSERT_TRUE(server.ok()) << server.status();
  // Plain HTTP gets no HTTP answer from a TLS port. (The TLS handshake
  // itself is left to libmicrohttpd and GnuTLS.)
  Client client((*server)->port());
  ASSERT_TRUE(client.connected());
  client.Send(Get("/"));
  auto response = client.Read(absl::Seconds(2));
  EXPECT_TRUE(!response.has_value() || response->body != "secret");
}

}  // namespace
}  // namespace kommune::gateway
