#include "signaling/https_session.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/beast/websocket.hpp>

#include "signaling/event_feed.h"
#include "signaling/http_handler.h"
#include "signaling/rest_api.h"
#include "signaling/ws_session.h"

namespace mcu::signaling {

namespace beast = boost::beast;
namespace net = boost::asio;

HttpsSession::HttpsSession(net::ip::tcp::socket&& socket, std::shared_ptr<ServerContext> ctx)
    : ctx_(std::move(ctx)), slot_(*ctx_), stream_(std::move(socket), ctx_->tls) {
  beast::error_code ec;
  auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
  remote_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
}

void HttpsSession::Run() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    beast::get_lowest_layer(self->stream_)
        .expires_after(std::chrono::seconds(self->ctx_->options.handshake_timeout_s));
    self->stream_.async_handshake(net::ssl::stream_base::server,
                                  beast::bind_front_handler(&HttpsSession::OnHandshake, self));
  });
}

void HttpsSession::OnHandshake(beast::error_code ec) {
  if (ec) {
    spdlog::debug("TLS handshake from {} failed: {}", remote_, ec.message());
    return;
  }
  DoRead();
}

namespace {
constexpr size_t kBodyLimit = 64 * 1024;    // What a request may carry.
constexpr size_t kReadLimit = 1024 * 1024;  // What is read to answer a bigger one cleanly.
constexpr size_t kLoggedTargetLimit = 512;  // Longer targets are cut in the access log.

// Whether a query parameter's name looks like it carries a secret (case-insensitive).
bool SecretName(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kWords{
      "token", "password", "passwd", "secret", "credential", "session", "auth", "key"};
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(kWords.begin(), kWords.end(),
                     [&](std::string_view w) { return lower.find(w) != std::string::npos; });
}

// The target as the access log shows it: as received, but the values of secret-looking query
// parameters replaced by `[redacted]`, control characters by `?`, cut at kLoggedTargetLimit.
std::string LoggedTarget(std::string_view target) {
  std::string out;
  const size_t q = target.find('?');
  out.append(target.substr(0, q));
  if (q != std::string_view::npos) {
    out += '?';
    std::string_view query = target.substr(q + 1);
    for (;;) {
      const size_t amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      const size_t eq = pair.find('=');
      if (eq != std::string_view::npos && SecretName(pair.substr(0, eq))) {
        out.append(pair.substr(0, eq + 1));
        out += "[redacted]";
      } else {
        out.append(pair);
      }
      if (amp == std::string_view::npos) break;
      out += '&';
      query = query.substr(amp + 1);
    }
  }
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  if (out.size() > kLoggedTargetLimit) {
    out.resize(kLoggedTargetLimit);
    out += "...";
  }
  return out;
}
}  // namespace

void HttpsSession::LogAccess(unsigned status) const {
  if (!spdlog::should_log(spdlog::level::debug)) return;
  std::string method = "-", target = "-";
  if (parser_) {
    const auto& req = parser_->get();
    if (!req.method_string().empty()) method = std::string(req.method_string());
    if (!req.target().empty()) target = std::string(req.target());
  }
  spdlog::debug("http {} \"{} {}\" {}", remote_, method, LoggedTarget(target), status);
}

void HttpsSession::DoRead() {
  parser_.emplace();
  parser_->header_limit(16 * 1024);
  // Bodies up to 1 MiB are read whole, so that one over the API's 64 KiB is answered 413 after
  // the client has sent it (answering mid-upload and closing makes the client see a reset, not
  // the answer). Beyond 1 MiB the answer is sent and the connection closed without reading on.
  parser_->body_limit(kReadLimit);
  beast::get_lowest_layer(stream_).expires_after(
      std::chrono::seconds(ctx_->options.idle_timeout_s));
  beast::http::async_read(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&HttpsSession::OnRead, shared_from_this()));
}

void HttpsSession::OnRead(beast::error_code ec, size_t) {
  if (ec == beast::http::error::end_of_stream) return DoClose();
  const bool too_big = !ec && parser_->get().body().size() > kBodyLimit;
  if (too_big || ec == beast::http::error::body_limit || ec == beast::http::error::header_limit) {
    bool body = ec != beast::http::error::header_limit;
    spdlog::warn("HTTP request from {} refused: {}", remote_,
                 body ? "body over 64 KiB" : "headers over 16 KiB");
    return WriteApiResponse(
        11, false,
        body ? RestResponse{413, "{\"error\":\"the body is over 64 KiB\"}\n", {}}
             : RestResponse{431, "{\"error\":\"the headers are over 16 KiB\"}\n", {}});
  }
  if (ec) {
    spdlog::debug("HTTP read from {}: {}", remote_, ec.message());
    return;
  }
  if (beast::websocket::is_upgrade(parser_->get())) {
    if (parser_->get().target() == "/api/v1/events" && ctx_->api && ctx_->events)
      return UpgradeForConsole(false);
    if (parser_->get().target() == "/api/v1/preview" && ctx_->api) return UpgradeForConsole(true);
    if (parser_->get().target() != "/ws") {
      LogAccess(404);
      auto res = std::make_shared<HttpResponse>(beast::http::status::not_found, 11);
      res->body() = "no websocket here\n";
      res->prepare_payload();
      response_ = res;
      return beast::http::async_write(
          stream_, *res,
          beast::bind_front_handler(&HttpsSession::OnWrite, shared_from_this(), false));
    }
    LogAccess(101);
    std::make_shared<WsSession>(std::move(stream_), ctx_, remote_)->Run(parser_->release());
    return;
  }
  if (auto t = parser_->get().target();
      t.starts_with("/api/") || t == "/metrics" || t == "/healthz" || t == "/readyz")
    return HandleApi();
  auto res = std::make_shared<HttpResponse>(HandleHttp(parser_->get(), {ctx_->options.web_root}));
  LogAccess(res->result_int());
  bool keep_alive = res->keep_alive();
  response_ = res;
  beast::http::async_write(
      stream_, *res,
      beast::bind_front_handler(&HttpsSession::OnWrite, shared_from_this(), keep_alive));
}

void HttpsSession::UpgradeForConsole(bool preview) {
  auto& req = parser_->get();
  // A page of another origin may not open these with our cookie (the cookie is also
  // SameSite=Strict; this holds for clients that ignore that).
  std::string origin(req[beast::http::field::origin]);
  std::string host(req[beast::http::field::host]);
  if (!origin.empty() && origin != "https://" + host) {
    spdlog::warn("{} from {}: origin {} is not {}", preview ? "preview" : "event feed", remote_,
                 origin, host);
    return WriteApiResponse(req.version(), false, {403, "{\"error\":\"wrong origin\"}\n", {}});
  }
  ctx_->api->AuthorizeFeed(
      std::string(req[beast::http::field::cookie]),
      [self = shared_from_this(), preview](const std::optional<Principal>& who) {
        net::post(self->stream_.get_executor(), [self, who, preview] {
          auto& r = self->parser_->get();
          if (!who)
            return self->WriteApiResponse(r.version(), false,
                                          {401, "{\"error\":\"log in first\"}\n", {}});
          self->LogAccess(101);
          if (preview) {
            std::make_shared<WsSession>(std::move(self->stream_), self->ctx_, self->remote_,
                                        who->login)
                ->Run(self->parser_->release());
            return;
          }
          std::string hello = "{\"type\":\"hello\",\"user\":\"" + who->login + "\",\"role\":\"" +
                              ToString(who->role) + "\"}";
          auto session = std::make_shared<EventSession>(std::move(self->stream_), self->ctx_,
                                                        std::move(hello));
          self->ctx_->events->Add(session);
          session->Run(self->parser_->release());
        });
      });
}

void HttpsSession::HandleApi() {
  auto& req = parser_->get();
  if (!ctx_->api) {
    WriteApiResponse(req.version(), req.keep_alive(), {404, "{\"error\":\"no API here\"}\n", {}});
    return;
  }
  RestRequest r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.body = req.body();
  r.cookie = std::string(req[beast::http::field::cookie]);
  r.csrf = std::string(req["X-CSRF-Token"]);
  r.authorization = std::string(req[beast::http::field::authorization]);
  r.remote = remote_;
  unsigned version = req.version();
  bool keep_alive = req.keep_alive();
  // The API runs on its own thread; the response comes back to this session's strand.
  ctx_->api->Handle(std::move(r),
                    [self = shared_from_this(), version, keep_alive](RestResponse res) {
                      net::post(self->stream_.get_executor(),
                                [self, version, keep_alive, res = std::move(res)]() mutable {
                                  self->WriteApiResponse(version, keep_alive, std::move(res));
                                });
                    });
}

void HttpsSession::WriteApiResponse(unsigned version, bool keep_alive, RestResponse r) {
  LogAccess(static_cast<unsigned>(r.status));
  auto res = std::make_shared<HttpResponse>(static_cast<beast::http::status>(r.status), version);
  res->set(beast::http::field::server, "mcu");
  res->set(beast::http::field::content_type, r.content_type);
  res->set(beast::http::field::cache_control, "no-store");
  res->set("X-Content-Type-Options", "nosniff");
  res->set(beast::http::field::strict_transport_security, "max-age=31536000");
  for (auto& [k, v] : r.headers) res->insert(k, v);
  res->keep_alive(keep_alive);
  res->body() = std::move(r.body);
  res->prepare_payload();
  response_ = res;
  beast::http::async_write(
      stream_, *res,
      beast::bind_front_handler(&HttpsSession::OnWrite, shared_from_this(), keep_alive));
}

void HttpsSession::OnWrite(bool keep_alive, beast::error_code ec, size_t) {
  response_.reset();
  if (ec) return;
  if (!keep_alive) return DoClose();
  DoRead();
}

void HttpsSession::DoClose() {
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
  stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
}

}  // namespace mcu::signaling
