#include "signaling/https_session.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/beast/websocket.hpp>

#include "signaling/byte_range.h"
#include "signaling/event_feed.h"
#include "signaling/http_handler.h"
#include "signaling/rest_api.h"
#include "signaling/ws_session.h"

namespace mcu::signaling {

namespace beast = boost::beast;
namespace net = boost::asio;

namespace {

// A body that is part of a file: `remain` bytes from `offset` of its bytes (Beast's file_body
// sends a whole plain file only; a sealed recording is decrypted as it is read). Read in 16 KiB
// steps as the connection takes them.
struct FileRangeBody {
  struct value_type {
    std::shared_ptr<mcu::ByteSource> file;
    uint64_t offset = 0, remain = 0;
  };
  static uint64_t size(const value_type& body) { return body.remain; }

  class writer {
   public:
    using const_buffers_type = net::const_buffer;
    template <bool isRequest, class Fields>
    writer(beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}
    void init(beast::error_code& ec) { ec = {}; }
    boost::optional<std::pair<const_buffers_type, bool>> get(beast::error_code& ec) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(buf_.size(), body_.remain));
      ec = {};
      if (want == 0) return boost::none;
      auto n = body_.file->Read(body_.offset, buf_.data(), want);
      if (!n || *n == 0) {  // Unreadable, or the file shrank under us.
        if (!n) spdlog::error("HTTP: a file's body stops: {}", n.error());
        ec = beast::http::error::short_read;
        return boost::none;
      }
      body_.offset += *n;
      body_.remain -= *n;
      return std::make_pair(net::const_buffer(buf_.data(), *n), body_.remain > 0);
    }

   private:
    value_type& body_;
    std::array<uint8_t, 16 * 1024> buf_{};
  };
};

}  // namespace

HttpsSession::HttpsSession(net::ip::tcp::socket&& socket, std::shared_ptr<ServerContext> ctx,
                           ConnectionSlot slot)
    : ctx_(std::move(ctx)), slot_(std::move(slot)), stream_(std::move(socket), ctx_->tls) {
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
  // A declared length over 1 MiB fails with the headers; OnHeader decides on the rest.
  parser_->body_limit(kReadLimit);
  beast::get_lowest_layer(stream_).expires_after(
      std::chrono::seconds(ctx_->options.idle_timeout_s));
  beast::http::async_read_header(
      stream_, buffer_, *parser_,
      beast::bind_front_handler(&HttpsSession::OnHeader, shared_from_this()));
}

void HttpsSession::OnHeader(beast::error_code ec, size_t bytes) {
  if (ec || parser_->is_done()) return OnRead(ec, bytes);
  const auto length = parser_->content_length();
  if (length && *length <= kPreAuthBodyLimit) return ReadBody();
  // A larger body (or a chunked one, of a size not known yet) is read for a caller the API
  // knows only: memory for bodies is not handed out before authentication.
  const auto& req = parser_->get();
  std::string cookie(req[beast::http::field::cookie]);
  std::string authorization(req[beast::http::field::authorization]);
  if (!ctx_->api || (cookie.empty() && authorization.empty()))
    return RefuseBody(413, "a request without a login may carry at most 16 KiB");
  ctx_->api->AuthorizeRequest(std::move(cookie), std::move(authorization),
                              [self = shared_from_this()](const std::optional<Principal>& who) {
                                const bool known = who.has_value();
                                net::post(self->stream_.get_executor(), [self, known] {
                                  if (!known)
                                    return self->RefuseBody(
                                        401, "log in first (session cookie or API token)");
                                  self->ReadBody();
                                });
                              });
}

void HttpsSession::ReadBody() {
  // Bodies up to 1 MiB are read whole, so that one over the API's 64 KiB is answered 413 after
  // the client has sent it (answering mid-upload and closing makes the client see a reset, not
  // the answer). Beyond 1 MiB the answer is sent and the connection closed without reading on.
  // A chunked body of a caller without credentials never gets here.
  beast::http::async_read(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&HttpsSession::OnRead, shared_from_this()));
}

void HttpsSession::RefuseBody(int status, const std::string& message) {
  const auto length = parser_->content_length();
  spdlog::warn("HTTP request from {} refused before its body ({}) was read: {}", remote_,
               length ? std::to_string(*length) + " bytes" : std::string("chunked"),
               status == 401 ? "unknown credentials" : "no credentials");
  LogAccess(static_cast<unsigned>(status));
  auto res = std::make_shared<HttpResponse>(static_cast<beast::http::status>(status),
                                            parser_->get().version());
  res->set(beast::http::field::server, "mcu");
  res->set(beast::http::field::content_type, "application/json");
  res->set(beast::http::field::cache_control, "no-store");
  res->keep_alive(false);
  res->body() = "{\"error\":\"" + message + "\"}\n";
  res->prepare_payload();
  response_ = res;
  beast::http::async_write(
      stream_, *res,
      beast::bind_front_handler(&HttpsSession::OnRefusalWritten, shared_from_this()));
}

void HttpsSession::OnRefusalWritten(beast::error_code, size_t) {
  response_.reset();
  // No TLS close_notify exchange: the client may still be sending the body, which a shutdown
  // would have to read. The socket is closed with the body unread.
  beast::error_code ec;
  auto& socket = beast::get_lowest_layer(stream_).socket();
  socket.shutdown(net::ip::tcp::socket::shutdown_both, ec);
  socket.close(ec);
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
    std::make_shared<WsSession>(std::move(stream_), ctx_, std::move(slot_), remote_)
        ->Run(parser_->release());
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
  // Only a page of this origin may open these with our cookie (the cookie is also
  // SameSite=Strict; this holds for clients that ignore that). A browser always sends Origin on
  // a WebSocket upgrade: a request without one is no console page, and is refused as well.
  std::string origin(req[beast::http::field::origin]);
  std::string host(req[beast::http::field::host]);
  if (origin != "https://" + host) {
    spdlog::warn("{} from {}: origin {} is not https://{}", preview ? "preview" : "event feed",
                 remote_, origin.empty() ? "(none)" : origin, host);
    return WriteApiResponse(req.version(), false,
                            {403, "{\"error\":\"missing or wrong Origin\"}\n", {}});
  }
  std::string cookie(req[beast::http::field::cookie]);
  ctx_->api->AuthorizeFeed(
      cookie, [self = shared_from_this(), preview, cookie](const std::optional<Principal>& who) {
        net::post(self->stream_.get_executor(), [self, who, preview, cookie] {
          auto& r = self->parser_->get();
          if (!who)
            return self->WriteApiResponse(r.version(), false,
                                          {401, "{\"error\":\"log in first\"}\n", {}});
          self->LogAccess(101);
          // Each socket ends with its session (console_sockets.h): registered under it, and its
          // session checked again where REST requests run.
          const auto strand = self->stream_.get_executor();
          auto watch = [&](const std::shared_ptr<ConsoleSocket>& socket) {
            if (!self->ctx_->consoles) return;
            const int every_s = std::clamp(self->ctx_->options.console_recheck_s, 1, 60);
            self->ctx_->consoles->Watch(
                socket, OwnerOf(cookie, *who), strand, std::chrono::seconds(every_s),
                [api = self->ctx_->api](const std::string& c,
                                        std::function<void(const std::optional<Principal>&)> done) {
                  api->AuthorizeFeed(c, std::move(done));
                });
          };
          if (preview) {
            auto session =
                std::make_shared<WsSession>(std::move(self->stream_), self->ctx_,
                                            std::move(self->slot_), self->remote_, who->login);
            watch(session);
            session->Run(self->parser_->release());
            return;
          }
          std::string hello = "{\"type\":\"hello\",\"user\":\"" + who->login + "\",\"role\":\"" +
                              ToString(who->role) + "\"}";
          auto session = std::make_shared<EventSession>(std::move(self->stream_), self->ctx_,
                                                        std::move(self->slot_), std::move(hello));
          self->ctx_->events->Add(session);
          watch(session);
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
  r.content_type = std::string(req[beast::http::field::content_type]);
  r.origin = std::string(req[beast::http::field::origin]);
  r.host = std::string(req[beast::http::field::host]);
  r.remote = remote_;
  range_ = std::string(req[beast::http::field::range]);
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
  if (r.file) return WriteFileResponse(version, keep_alive, std::move(r));
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

void HttpsSession::WriteFileResponse(unsigned version, bool keep_alive, RestResponse r) {
  FileRangeBody::value_type body;
  body.file = std::move(r.file);
  const uint64_t size = body.file->size();
  const ByteRange range = ParseByteRange(range_, size);
  if (range.kind == ByteRange::Kind::kUnsatisfiable)
    return WriteApiResponse(version, keep_alive,
                            {416,
                             "{\"error\":\"the range is past the end of the file\"}\n",
                             {{"Content-Range", "bytes */" + std::to_string(size)}}});
  const bool partial = range.kind == ByteRange::Kind::kPartial;
  body.offset = partial ? range.first : 0;
  body.remain = partial ? range.last - range.first + 1 : size;
  const int status = partial ? 206 : r.status;
  LogAccess(static_cast<unsigned>(status));
  auto res = std::make_shared<beast::http::response<FileRangeBody>>(
      static_cast<beast::http::status>(status), version);
  res->set(beast::http::field::server, "mcu");
  res->set(beast::http::field::content_type, r.content_type);
  res->set(beast::http::field::cache_control, "no-store");
  res->set("X-Content-Type-Options", "nosniff");
  res->set(beast::http::field::strict_transport_security, "max-age=31536000");
  res->set(beast::http::field::accept_ranges, "bytes");
  if (partial)
    res->set(beast::http::field::content_range, "bytes " + std::to_string(range.first) + "-" +
                                                    std::to_string(range.last) + "/" +
                                                    std::to_string(size));
  for (auto& [k, v] : r.headers) res->insert(k, v);
  res->keep_alive(keep_alive);
  const uint64_t bytes = body.remain;
  res->body() = std::move(body);
  res->prepare_payload();
  response_ = res;
  // At least 256 KiB/s beyond the idle timeout: a client that stops reading (a paused video)
  // lets the connection go, and asks again from where it stopped.
  beast::get_lowest_layer(stream_).expires_after(
      std::chrono::seconds(ctx_->options.idle_timeout_s + static_cast<int64_t>(bytes >> 18)));
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
