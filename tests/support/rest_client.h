// A blocking HTTPS client of the MCU's REST API for integration tests: one TLS connection per
// call (verified against the MCU's certificate), the session cookie and CSRF token kept after
// Login().
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

namespace mcu::test {

// An ISO 8601 time `from_now` from now, in UTC, as the API takes conference times.
std::string Iso(std::chrono::seconds from_now);

class RestClient {
 public:
  RestClient(int port, std::string ca_file) : port_(port), ca_(std::move(ca_file)) {}

  struct Response {
    int status = 0;       // 0: no answer (connection failed).
    nlohmann::json body;  // Discarded if the body is not JSON (see `text`).
    std::string text;     // The body as it came.
    std::string set_cookie;
    std::string content_range, content_disposition, content_type;
  };
  // The CSRF header is sent when `csrf` is set and a session exists.
  Response Call(const std::string& method, const std::string& path,
                const nlohmann::json& body = nullptr, bool csrf = true);
  bool Login(const std::string& login, const std::string& password);

  void set_port(int port) { port_ = port; }
  void set_bearer(std::string token) { bearer_ = std::move(token); }
  void set_cookie(std::string cookie) { cookie_ = std::move(cookie); }
  void set_csrf(std::string csrf) { csrf_ = std::move(csrf); }
  // A Range header for the calls that follow ("": none).
  void set_range(std::string range) { range_ = std::move(range); }
  const std::string& cookie() const { return cookie_; }
  const std::string& csrf() const { return csrf_; }

 private:
  int port_;
  std::string ca_;
  std::string cookie_, csrf_, bearer_, range_;
};

}  // namespace mcu::test
