#include "tests/support/rest_client.h"

#include <ctime>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace mcu::test {

std::string Iso(std::chrono::seconds from_now) {
  time_t t = time(nullptr) + from_now.count();
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

RestClient::Response RestClient::Call(const std::string& method, const std::string& path,
                                      const nlohmann::json& body, bool csrf) {
  Response out;
  try {
    net::io_context io;
    net::ssl::context tls(net::ssl::context::tls_client);
    tls.load_verify_file(ca_);
    tls.set_verify_mode(net::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io, tls);
    SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
    net::ip::tcp::resolver resolver(io);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(15));
    beast::get_lowest_layer(stream).connect(resolver.resolve("127.0.0.1", std::to_string(port_)));
    stream.handshake(net::ssl::stream_base::client);
    http::request<http::string_body> req{http::string_to_verb(method), path, 11};
    req.set(http::field::host, "localhost");
    if (!body.is_null()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body.dump();
    }
    if (!cookie_.empty()) req.set(http::field::cookie, "mcu_session=" + cookie_);
    if (csrf && !csrf_.empty()) req.set("X-CSRF-Token", csrf_);
    if (!bearer_.empty()) req.set(http::field::authorization, "Bearer " + bearer_);
    if (!range_.empty()) req.set(http::field::range, range_);
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    out.status = res.result_int();
    out.body = nlohmann::json::parse(res.body(), nullptr, false);
    out.text = res.body();
    out.set_cookie = std::string(res[http::field::set_cookie]);
    out.content_range = std::string(res[http::field::content_range]);
    out.content_disposition = std::string(res[http::field::content_disposition]);
    out.content_type = std::string(res[http::field::content_type]);
    beast::error_code ec;
    stream.shutdown(ec);
  } catch (const std::exception&) {
    out.status = 0;
  }
  return out;
}

bool RestClient::Login(const std::string& login, const std::string& password) {
  cookie_.clear();
  csrf_.clear();
  auto r = Call("POST", "/api/v1/session", {{"login", login}, {"password", password}});
  if (r.status != 200) return false;
  auto start = r.set_cookie.find("mcu_session=");
  if (start == std::string::npos) return false;
  start += 12;
  cookie_ = r.set_cookie.substr(start, r.set_cookie.find(';', start) - start);
  csrf_ = r.body.value("csrfToken", "");
  return !cookie_.empty() && !csrf_.empty();
}

}  // namespace mcu::test
