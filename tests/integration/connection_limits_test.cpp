// The signaling server against connection exhaustion from the network (no credentials needed):
// one address holds at most limits.max_connections_per_address connections, however many it
// opens, so that a room and the console from another address still get in; the last
// limits.reserved_site_connections are kept for addresses sites authenticated from, whatever
// number of other addresses flood; a room's /ws connection that has not authenticated by
// limits.auth_timeout_s is closed; a request without a login is read up to 16 KiB of body only;
// and every WebSocket message, binary and oversize ones too, takes from the connection's rate
// limit.
//
// The flooding clients bind 127.0.0.2 (and .3, .4: all of 127/8 is this machine's) before they
// connect to the MCU on 127.0.0.1; the MCU sees them as other hosts.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/audio_site.h"
#include "tests/support/mcu_fixture.h"
#include "tests/support/rest_client.h"
#include "tests/support/ws_client.h"

namespace mcu::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// ---- A raw TLS client, from any loopback address ----------------------------------------------

// One blocking TLS connection to 127.0.0.1:port from `source`, 5 s timeouts. The MCU's
// certificate is not checked: what is tested is the server's admission, not its identity.
class RawTls {
 public:
  RawTls(const std::string& source, int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
        connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
      error_ = std::string("TCP: ") + strerror(errno);
      return;
    }
    ctx_.reset(SSL_CTX_new(TLS_client_method()));
    ssl_.reset(SSL_new(ctx_.get()));
    SSL_set_fd(ssl_.get(), fd_);
    ERR_clear_error();
    if (SSL_connect(ssl_.get()) != 1) {
      error_ = "TLS handshake failed";
      ssl_.reset();
    }
  }
  ~RawTls() {
    ssl_.reset();
    if (fd_ >= 0) close(fd_);
  }
  RawTls(const RawTls&) = delete;
  RawTls& operator=(const RawTls&) = delete;

  bool ok() const { return ssl_ != nullptr; }
  const std::string& error() const { return error_; }

  // False once the connection fails (the MCU closed or reset it).
  bool Write(const std::string& bytes) {
    if (!ssl_) return false;
    size_t done = 0;
    while (done < bytes.size()) {
      int n = SSL_write(ssl_.get(), bytes.data() + done, static_cast<int>(bytes.size() - done));
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  // What arrives until `end` is seen, the connection ends, or 5 s pass with nothing.
  std::string ReadUntil(const std::string& end) {
    std::string in;
    char buf[4096];
    while (ssl_ && in.find(end) == std::string::npos) {
      int n = SSL_read(ssl_.get(), buf, sizeof buf);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
    }
    return in;
  }

  // Whether the MCU has closed the connection (true), or it is still open and silent for 5 s.
  bool Closed() {
    if (!ssl_) return true;
    char c = 0;
    errno = 0;
    int n = SSL_read(ssl_.get(), &c, 1);
    if (n > 0) return false;
    const int e = SSL_get_error(ssl_.get(), n);
    return !(e == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) &&
           e != SSL_ERROR_WANT_READ;
  }

  // The HTTP response's status line, or "" if none came.
  std::string StatusLine() {
    std::string head = ReadUntil("\r\n");
    return head.substr(0, head.find("\r\n"));
  }

  // Upgrades to the endpoint WebSocket (/ws); whether the MCU answered 101.
  bool UpgradeToWs() {
    if (!Write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n"))
      return false;
    return ReadUntil("\r\n\r\n").rfind("HTTP/1.1 101", 0) == 0;
  }

 private:
  int fd_ = -1;
  std::string error_;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx_{nullptr, SSL_CTX_free};
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl_{nullptr, SSL_free};
};

// Opens `n` WebSockets to /ws from `source`; those the MCU took (the rest it closed at once).
std::vector<std::unique_ptr<RawTls>> Flood(const std::string& source, int port, int n) {
  std::vector<std::unique_ptr<RawTls>> held;
  for (int i = 0; i < n; ++i) {
    auto c = std::make_unique<RawTls>(source, port);
    if (c->ok() && c->UpgradeToWs()) held.push_back(std::move(c));
  }
  return held;
}

// Open files a process may have (its soft limit), from /proc/<pid>/limits; -1 if unknown.
long OpenFilesLimit(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max open files", 0) != 0) continue;
    std::istringstream f(line.substr(14));
    std::string soft;
    f >> soft;
    return soft == "unlimited" ? 1L << 30 : std::stol(soft);
  }
  return -1;
}

// The test process holds one descriptor per flooding connection: raise its soft limit to what
// the flood needs (the hard limit permitting).
void EnsureOpenFiles(rlim_t want) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < want) {
    rl.rlim_cur = std::min(want, rl.rlim_max);
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

class ConnectionLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    std::signal(SIGPIPE, SIG_IGN);  // A write to a connection the MCU reset.
    EnsureOpenFiles(2048);
  }
};

// ---- One address ------------------------------------------------------------------------------

// 500 WebSockets from 127.0.0.2 (as many as the MCU takes in all): it keeps 16, refuses the rest
// at once, and a room from 127.0.0.1 still joins a conference and gets its media through, and
// the console still logs in and answers. A place given back is taken again.
TEST_F(ConnectionLimits, FiveHundredSocketsFromOneAddressLeaveRoomForARoomAndTheConsole) {
  ASSERT_GE(OpenFilesLimit("self"), 600) << "the test process cannot hold the flood";
  McuOptions o;
  o.limits_toml = "max_connections_per_address = 16\nauth_timeout_s = 120\n";
  McuProcess mcu(o);
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  ASSERT_GE(OpenFilesLimit(std::to_string(mcu.process().pid())), 64);

  auto flood = Flood("127.0.0.2", mcu.port(), 500);
  EXPECT_EQ(flood.size(), 16u);
  EXPECT_FALSE(RawTls("127.0.0.2", mcu.port()).ok()) << "the 501st is refused as well";

  SiteMedia local;
  ASSERT_TRUE(local.ok());
  AudioSite room(&local.loop, local.dtls, mcu, "demo-huyen-1", 440);
  ASSERT_TRUE(room.Join("echo")) << room.error();
  EXPECT_TRUE(room.WaitConnected()) << "the room's media";

  RestClient console(mcu.port(), mcu.ca());
  ASSERT_TRUE(console.Login("quantri", kAdminPassword));
  auto conferences = console.Call("GET", "/api/v1/conferences");
  EXPECT_EQ(conferences.status, 200) << conferences.text;

  // The flood's connections are still there: the refusals were not made room for by closing
  // them. One of them goes; its place is taken again.
  ASSERT_TRUE(flood.front()->Write(std::string("\x89\x80\0\0\0\0", 6)));  // A masked ping.
  EXPECT_NE(flood.front()->ReadUntil(std::string("\x8a\x00", 2)).find(std::string("\x8a\x00", 2)),
            std::string::npos)
      << "no pong";
  flood.pop_back();
  EXPECT_TRUE(WaitUntil([&] { return RawTls("127.0.0.2", mcu.port()).ok(); }, seconds(10)));

  EXPECT_NE(mcu.Log().find("refusing a connection from 127.0.0.2: the address holds "
                           "limits.max_connections_per_address connections"),
            std::string::npos)
      << mcu.Log();
}

// ---- Many addresses ---------------------------------------------------------------------------

// Of 40 connections, 10 are kept for sites. Two flooding addresses fill the other 30, and a third
// gets nothing; the address a room authenticated from still gets in: a second room joins, and the
// console there logs in.
TEST_F(ConnectionLimits, TheLastSlotsAreKeptForAddressesSitesAuthenticatedFrom) {
  McuOptions o;
  o.limits_toml =
      "max_connections = 40\nmax_connections_per_address = 16\nreserved_site_connections = 10\n"
      "auth_timeout_s = 120\n";
  McuProcess mcu(o);
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  SiteMedia local;
  ASSERT_TRUE(local.ok());
  AudioSite first(&local.loop, local.dtls, mcu, "demo-huyen-1", 440);
  ASSERT_TRUE(first.Join("echo")) << first.error();

  auto a = Flood("127.0.0.2", mcu.port(), 16);
  auto b = Flood("127.0.0.3", mcu.port(), 16);
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(b.size(), 14u) << "30 places for addresses no site authenticated from";
  EXPECT_TRUE(Flood("127.0.0.4", mcu.port(), 5).empty());

  AudioSite second(&local.loop, local.dtls, mcu, "demo-huyen-2", 660);
  ASSERT_TRUE(second.Join("echo")) << second.error();
  EXPECT_TRUE(second.WaitConnected());
  RestClient console(mcu.port(), mcu.ca());
  EXPECT_TRUE(console.Login("quantri", kAdminPassword));

  EXPECT_NE(mcu.Log().find("refusing a connection from 127.0.0.3: the rest "
                           "(limits.reserved_site_connections) is kept for addresses sites "
                           "authenticated from"),
            std::string::npos)
      << mcu.Log();
}

// ---- The deadline to authenticate -------------------------------------------------------------

// A /ws connection that does not authenticate is closed at the deadline with the reason, though
// it answers pings and even sends requests; one that authenticated stays.
TEST_F(ConnectionLimits, AnUnauthenticatedWebSocketIsClosedAtTheDeadline) {
  McuOptions o;
  o.limits_toml += "auth_timeout_s = 1\n";
  McuProcess mcu(o);
  ASSERT_TRUE(mcu.ready()) << mcu.Log();

  TestWs site(mcu.url(), mcu.ca());
  ASSERT_TRUE(site.Open());
  site.Send(json{{"type", "auth"}, {"token", "demo-huyen-1"}});
  ASSERT_TRUE(site.WaitFor("welcome").has_value());

  TestWs idle(mcu.url(), mcu.ca());  // Opened after the site's: its deadline comes later.
  ASSERT_TRUE(idle.Open());
  idle.Send(json{{"type", "ping"}});
  EXPECT_TRUE(idle.WaitFor("pong").has_value()) << "served before it authenticates";
  auto closed = idle.WaitClosed(seconds(15));
  ASSERT_TRUE(closed.has_value()) << "still open";
  EXPECT_EQ(*closed, "closed by server: not authenticated within 1 s");

  // The site's deadline has passed as well.
  site.Send(json{{"type", "ping"}});
  EXPECT_TRUE(site.WaitFor("pong").has_value());
  EXPECT_FALSE(site.WaitClosed(milliseconds(0)).has_value());
  EXPECT_NE(mcu.Log().find("not authenticated within 1 s, closed"), std::string::npos) << mcu.Log();
}

// ---- Bodies before a login --------------------------------------------------------------------

std::string Post(const std::string& path, const std::string& extra_headers, size_t length) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
         extra_headers + "Content-Length: " + std::to_string(length) + "\r\n\r\n";
}

// A request that declares a 1 MiB body and carries no login is answered 413 as soon as its
// headers are in (the body is never sent here: a server that waited for it would answer nothing),
// and so is one whose body is chunked; a wrong API token gets 401 the same way. A logged-in
// caller's body over 16 KiB is read; a login fits under the limit.
TEST_F(ConnectionLimits, ALargeBodyWithoutALoginIsRefusedBeforeItIsRead) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  {
    RawTls c("127.0.0.1", mcu.port());
    ASSERT_TRUE(c.ok()) << c.error();
    ASSERT_TRUE(c.Write(Post("/api/v1/conferences", "", 1 << 20)));
    EXPECT_EQ(c.StatusLine(), "HTTP/1.1 413 Payload Too Large");
  }
  {  // The whole megabyte sent anyway: refused, the connection closed.
    RawTls c("127.0.0.1", mcu.port());
    ASSERT_TRUE(c.ok()) << c.error();
    // The write may fail midway: the MCU resets the connection with the body unread.
    c.Write(Post("/api/v1/session", "", 1 << 20) + std::string(1 << 20, ' '));
    std::string status = c.StatusLine();
    EXPECT_TRUE(status == "HTTP/1.1 413 Payload Too Large" || status.empty()) << status;
    EXPECT_TRUE(c.Closed());
  }
  {
    RawTls c("127.0.0.1", mcu.port());
    ASSERT_TRUE(c.ok()) << c.error();
    ASSERT_TRUE(c.Write(
        "POST /api/v1/conferences HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
        "\r\n"));
    EXPECT_EQ(c.StatusLine(), "HTTP/1.1 413 Payload Too Large");
  }
  {
    RawTls c("127.0.0.1", mcu.port());
    ASSERT_TRUE(c.ok()) << c.error();
    ASSERT_TRUE(c.Write(Post("/api/v1/conferences", "Authorization: Bearer wrong\r\n", 100000)));
    EXPECT_EQ(c.StatusLine(), "HTTP/1.1 401 Unauthorized");
  }

  RestClient console(mcu.port(), mcu.ca());
  ASSERT_TRUE(console.Login("quantri", kAdminPassword));
  const std::string login =
      "Cookie: mcu_session=" + console.cookie() + "\r\nX-CSRF-Token: " + console.csrf() + "\r\n";
  {  // 20 KiB: read and answered on its merits (a conference with no dates is no conference).
    RawTls c("127.0.0.1", mcu.port());
    ASSERT_TRUE(c.ok()) << c.error();
    std::string body = json{{"title", std::string(20 * 1024, 'a')}}.dump();
    ASSERT_TRUE(c.Write(Post("/api/v1/conferences", login, body.size()) + body));
    std::string status = c.StatusLine();
    EXPECT_EQ(status.rfind("HTTP/1.1 4", 0), 0u) << status;
    EXPECT_EQ(status.find("413"), std::string::npos) << status;
    EXPECT_EQ(status.find("401"), std::string::npos) << status;
  }
  {  // 100 KiB: read, and over the API's 64 KiB.
    RawTls c("127.0.0.1", mcu.port());
    ASSERT_TRUE(c.ok()) << c.error();
    ASSERT_TRUE(c.Write(Post("/api/v1/conferences", login, 100000) + std::string(100000, ' ')));
    EXPECT_EQ(c.StatusLine(), "HTTP/1.1 413 Payload Too Large");
  }
  EXPECT_NE(mcu.Log().find("refused before its body (1048576 bytes) was read: no credentials"),
            std::string::npos)
      << mcu.Log();
  EXPECT_NE(mcu.Log().find("refused before its body (chunked) was read: no credentials"),
            std::string::npos)
      << mcu.Log();
  EXPECT_NE(mcu.Log().find("refused before its body (100000 bytes) was read: unknown credentials"),
            std::string::npos)
      << mcu.Log();
}

// ---- The rate limit ---------------------------------------------------------------------------

// Binary messages, and text messages over max_message_bytes, each take a token like any other:
// sent without pause, the burst is spent, rate_limited errors come, and twenty in a row close
// the connection.
TEST_F(ConnectionLimits, BinaryAndOversizeMessagesTakeFromTheRateLimit) {
  McuOptions o;
  o.limits_toml += "max_message_bytes = 1024\n";
  McuProcess mcu(o);
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  struct Kind {
    const char* name;
    std::string bytes;
    bool binary;
  };
  for (const Kind& k : {Kind{"binary", std::string(16, '\x01'), true},
                        Kind{"oversize", std::string(2048, ' '), false}}) {
    TestWs ws(mcu.url(), mcu.ca());
    ASSERT_TRUE(ws.Open()) << k.name;
    for (int i = 0; i < 300; ++i) ws.SendRaw(k.bytes, k.binary);
    auto closed = ws.WaitClosed(seconds(10));
    ASSERT_TRUE(closed.has_value()) << k.name << ": still open";
    EXPECT_EQ(*closed, "closed by server: message rate limit exceeded") << k.name;
    // What was queued to it when the connection closed is dropped: the replies that came are
    // refusals of the message, then of the rate.
    int refused = 0;
    for (const auto& m : ws.Collect(milliseconds(0))) {
      const std::string code = m.value("code", "");
      refused += code == (k.binary ? "bad_request" : "too_large");
      EXPECT_TRUE(code == (k.binary ? "bad_request" : "too_large") || code == "rate_limited")
          << k.name << ": " << m.dump();
    }
    EXPECT_GE(refused, 1) << k.name;
  }
}

}  // namespace
}  // namespace mcu::test
