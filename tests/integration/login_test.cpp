// Console logins and API tokens against a real `mcu` over HTTPS: a new password revokes the
// user's API tokens and sessions; an administrator lists and revokes another user's token; an
// expired token, or one from before tokens expired that is older than the default lifetime, is
// refused; a login from another site's page or not sent as JSON is refused (no login CSRF); a
// flood of logins from one address (127.0.0.2) is refused with 429 before any password is
// hashed while a user at another address (127.0.0.1) logs in and the console's reads answer;
// five wrong passwords lock a login out from that address only (the lock-out of docs/API.md).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <map>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "tests/support/mcu_fixture.h"
#include "tests/support/rest_client.h"

namespace mcu::test {
namespace {

using nlohmann::json;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

// ---- HTTPS from a chosen loopback address, with the headers a test wants ----------------------

struct Answer {
  int status = 0;  // 0: no answer.
  std::string text, retry_after, set_cookie;
  // The body's "error", or empty.
  std::string error() const {
    json j = json::parse(text, nullptr, false);
    return j.is_object() ? j.value("error", "") : "";
  }
};

struct Call {
  std::string method = "POST", target = "/api/v1/session";
  std::string body;
  std::map<std::string, std::string> headers;  // Besides Host.
};

// One request on a new TLS connection from `source` (an address of 127/8) to the MCU on
// 127.0.0.1, the MCU's certificate verified.
Answer Https(const McuProcess& mcu, const std::string& source, const Call& c) {
  Answer out;
  try {
    net::io_context io;
    net::ssl::context tls(net::ssl::context::tls_client);
    tls.load_verify_file(mcu.ca());
    tls.set_verify_mode(net::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io, tls);
    SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
    auto& socket = beast::get_lowest_layer(stream).socket();
    socket.open(net::ip::tcp::v4());
    socket.bind({net::ip::make_address(source), 0});
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(stream).connect(
        {net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(mcu.port())});
    stream.handshake(net::ssl::stream_base::client);
    http::request<http::string_body> req{http::string_to_verb(c.method), c.target, 11};
    req.set(http::field::host, "localhost:" + std::to_string(mcu.port()));
    for (const auto& [name, value] : c.headers) req.set(name, value);
    req.body() = c.body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    out.status = res.result_int();
    out.text = res.body();
    out.retry_after = std::string(res[http::field::retry_after]);
    out.set_cookie = std::string(res[http::field::set_cookie]);
    beast::error_code ec;
    stream.shutdown(ec);
  } catch (const std::exception&) {
    out.status = 0;
  }
  return out;
}

Call LoginCall(const std::string& login, const std::string& password) {
  Call c;
  c.body = json{{"login", login}, {"password", password}}.dump();
  c.headers["Content-Type"] = "application/json";
  return c;
}

Answer LoginFrom(const McuProcess& mcu, const std::string& source, const std::string& login,
                 const std::string& password) {
  return Https(mcu, source, LoginCall(login, password));
}

// Whether this machine lets a socket use 127.0.0.2 (Linux routes all of 127/8 to loopback).
bool CanBind(const std::string& address) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, address.c_str(), &a.sin_addr);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

RestClient LoggedIn(const McuProcess& mcu, const std::string& login, const std::string& password) {
  RestClient c(mcu.port(), mcu.ca());
  EXPECT_TRUE(c.Login(login, password)) << login;
  return c;
}

// A new API token of the client's user: {id, token}.
std::pair<int64_t, std::string> NewToken(RestClient& as, const std::string& name) {
  auto r = as.Call("POST", "/api/v1/tokens", {{"name", name}});
  EXPECT_EQ(r.status, 201) << r.text;
  if (r.status != 201) return {0, ""};
  return {r.body["id"].get<int64_t>(), r.body["token"].get<std::string>()};
}

int WithToken(const McuProcess& mcu, const std::string& token) {
  RestClient c(mcu.port(), mcu.ca());
  c.set_bearer(token);
  return c.Call("GET", "/api/v1/conferences").status;
}

// Runs SQL on the MCU's database while it runs (WAL: another process may write), as an operator
// or a migration could have left it.
void Sql(const McuProcess& mcu, const std::string& sql) {
  sqlite3* db = nullptr;
  const std::string path = mcu.dir() / "data/mcu.db";
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

// ---- API tokens -------------------------------------------------------------------------------

TEST(Login, ANewPasswordRevokesTheUsersApiTokensAndEndsItsSessions) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RestClient admin = LoggedIn(mcu, "quantri", kAdminPassword);
  RestClient host = LoggedIn(mcu, "chutri", kHostPassword);
  auto [id, token] = NewToken(host, "script");
  ASSERT_EQ(WithToken(mcu, token), 200);

  auto changed = admin.Call("PUT", "/api/v1/users/chutri", {{"password", "mat-khau-moi"}});
  ASSERT_EQ(changed.status, 200) << changed.text;
  EXPECT_EQ(WithToken(mcu, token), 401) << "the token outlived the password";
  EXPECT_EQ(host.Call("GET", "/api/v1/session").status, 401) << "the session too";
  EXPECT_TRUE(LoggedIn(mcu, "chutri", "mat-khau-moi").cookie().size());
  auto audit = admin.Call("GET", "/api/v1/audit?limit=50");
  bool seen = false;
  for (const auto& e : audit.body)
    if (e["action"] == "update-user" && e["target"] == "chutri")
      seen = e["detail"]["tokensRevoked"] == 1;
  EXPECT_TRUE(seen) << audit.text;
}

TEST(Login, AnAdminListsAndRevokesAnotherUsersToken) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RestClient admin = LoggedIn(mcu, "quantri", kAdminPassword);
  RestClient tech = LoggedIn(mcu, "kythuat", kTechnicianPassword);
  auto [id, token] = NewToken(tech, "nagios");
  ASSERT_EQ(WithToken(mcu, token), 200);

  auto listed = admin.Call("GET", "/api/v1/tokens?user=kythuat");
  ASSERT_EQ(listed.status, 200) << listed.text;
  ASSERT_EQ(listed.body.size(), 1u);
  EXPECT_EQ(listed.body[0]["id"], id);
  EXPECT_EQ(listed.body[0]["user"], "kythuat");
  EXPECT_EQ(listed.body[0]["name"], "nagios");
  EXPECT_FALSE(listed.body[0]["expires"].get<std::string>().empty());
  EXPECT_EQ(tech.Call("GET", "/api/v1/tokens?all=true").status, 403);

  auto revoked = admin.Call("DELETE", "/api/v1/tokens/" + std::to_string(id));
  ASSERT_EQ(revoked.status, 200) << revoked.text;
  EXPECT_EQ(WithToken(mcu, token), 401);
  EXPECT_EQ(admin.Call("GET", "/api/v1/tokens?all=true").body, json::array());
  auto audit = admin.Call("GET", "/api/v1/audit?limit=5");
  ASSERT_TRUE(audit.body.is_array() && !audit.body.empty()) << audit.text;
  EXPECT_EQ(audit.body[0]["action"], "delete-token");
  EXPECT_EQ(audit.body[0]["actor"], "quantri");
  EXPECT_EQ(audit.body[0]["detail"]["user"], "kythuat");
}

// Time is not waited for: the rows are aged in the database, as days passing would leave them.
TEST(Login, AnExpiredTokenIs401AndSoIsAnOldOneFromBeforeTokensExpired) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RestClient host = LoggedIn(mcu, "chutri", kHostPassword);
  auto expiring = NewToken(host, "expiring");
  auto old = NewToken(host, "old");
  auto recent = NewToken(host, "recent");
  for (const auto& t : {expiring, old, recent}) ASSERT_EQ(WithToken(mcu, t.second), 200);

  const int64_t now = time(nullptr);
  Sql(mcu, "UPDATE api_tokens SET expires_at=" + std::to_string(now - 1) +
               " WHERE id=" + std::to_string(expiring.first));
  // expires_at 0: made before schema 9; the default lifetime (90 days) counts from creation.
  Sql(mcu, "UPDATE api_tokens SET expires_at=0, created_at=" + std::to_string(now - 91 * 86400) +
               " WHERE id=" + std::to_string(old.first));
  Sql(mcu, "UPDATE api_tokens SET expires_at=0, created_at=" + std::to_string(now - 86400) +
               " WHERE id=" + std::to_string(recent.first));
  EXPECT_EQ(WithToken(mcu, expiring.second), 401);
  EXPECT_EQ(WithToken(mcu, old.second), 401);
  EXPECT_EQ(WithToken(mcu, recent.second), 200);
}

// ---- Login CSRF ---------------------------------------------------------------------------------

TEST(Login, ALoginFromAnotherSitesPageOrNotSentAsJsonIsRefused) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  const std::string own = "https://localhost:" + std::to_string(mcu.port());

  Call foreign = LoginCall("chutri", kHostPassword);
  foreign.headers["Origin"] = "https://evil.example";
  Answer a = Https(mcu, "127.0.0.1", foreign);
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.error(), "a login from another site's page is refused");
  EXPECT_TRUE(a.set_cookie.empty());

  for (const char* type : {"text/plain", "application/x-www-form-urlencoded"}) {
    Call form = LoginCall("chutri", kHostPassword);
    form.headers["Content-Type"] = type;
    form.headers["Origin"] = own;
    Answer f = Https(mcu, "127.0.0.1", form);
    EXPECT_EQ(f.status, 415) << type;
    EXPECT_EQ(f.error(), "a login is sent as Content-Type: application/json");
    EXPECT_TRUE(f.set_cookie.empty());
  }

  Call page = LoginCall("chutri", kHostPassword);
  page.headers["Origin"] = own;
  Answer ok = Https(mcu, "127.0.0.1", page);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.set_cookie.rfind("mcu_session=", 0), 0u);
  EXPECT_NE(mcu.Log().find("refused: from the page of https://evil.example"), std::string::npos)
      << mcu.Log();
}

// ---- Login floods and lock-outs ---------------------------------------------------------------

TEST(Login, AFloodFromOneAddressIs429WhileAnotherAddressLogsInAndReadsAnswer) {
  if (!CanBind("127.0.0.2")) GTEST_SKIP() << "127.0.0.2 is not usable here";
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();

  // 100 attempts with made-up logins from 127.0.0.2, four at a time.
  std::atomic<int> next{0};
  std::mutex mu;
  std::map<int, int> statuses;
  std::vector<std::string> retry_after;
  std::vector<std::thread> flood;
  flood.reserve(4);
  for (int t = 0; t < 4; ++t) {
    flood.emplace_back([&] {
      for (int i = next++; i < 100; i = next++) {
        Answer a = LoginFrom(mcu, "127.0.0.2", "k" + std::to_string(i), "doan-mo");
        std::lock_guard lock(mu);
        ++statuses[a.status];
        if (a.status == 429) retry_after.push_back(a.retry_after);
      }
    });
  }
  // Meanwhile, a user at 127.0.0.1 logs in and the console's reads answer.
  RestClient host(mcu.port(), mcu.ca());
  EXPECT_TRUE(host.Login("chutri", kHostPassword));
  int reads_ok = 0;
  for (int i = 0; i < 10; ++i) reads_ok += host.Call("GET", "/api/v1/conferences").status == 200;
  for (auto& t : flood) t.join();
  EXPECT_EQ(reads_ok, 10);
  EXPECT_TRUE(host.Login("chutri", kHostPassword)) << "after the flood too";

  std::string seen;
  for (auto [status, n] : statuses) seen += std::to_string(status) + "x" + std::to_string(n) + " ";
  // Ten at once (the burst), and one more every 6 s: the rest are refused unhashed.
  EXPECT_GE(statuses[429], 85) << seen;
  EXPECT_LE(statuses[401], 15) << seen;
  EXPECT_EQ(statuses[429] + statuses[401], 100) << seen;
  for (const auto& r : retry_after) {
    ASSERT_FALSE(r.empty());
    EXPECT_GE(std::stoi(r), 1);
    EXPECT_LE(std::stoi(r), 6);
  }
  EXPECT_NE(mcu.Log().find("console logins from 127.0.0.2 refused for now"), std::string::npos);
}

TEST(Login, FiveWrongPasswordsLockThatLoginOutFromThatAddressOnly) {
  if (!CanBind("127.0.0.2")) GTEST_SKIP() << "127.0.0.2 is not usable here";
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  for (int i = 0; i < 5; ++i) {
    Answer wrong = LoginFrom(mcu, "127.0.0.2", "quantri", "sai-mat-khau");
    EXPECT_EQ(wrong.status, 401) << i;
    EXPECT_EQ(wrong.error(), "wrong login or password");
  }
  Answer locked = LoginFrom(mcu, "127.0.0.2", "quantri", kAdminPassword);
  EXPECT_EQ(locked.status, 403);
  EXPECT_EQ(locked.error(), "too many failed logins from this address; try again in 5 minutes");
  EXPECT_TRUE(locked.set_cookie.empty());

  EXPECT_EQ(LoginFrom(mcu, "127.0.0.1", "quantri", kAdminPassword).status, 200)
      << "wrong passwords from one address locked the administrator out everywhere";
  EXPECT_EQ(LoginFrom(mcu, "127.0.0.2", "chutri", kHostPassword).status, 200)
      << "another login from that address";
}

}  // namespace
}  // namespace mcu::test
