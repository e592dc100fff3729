#include "signaling/ws_session.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <variant>

#include "signaling/protocol.h"

namespace mcu::signaling {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

namespace {
constexpr int kMaxStrikes = 20;
double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

WsSession::WsSession(Stream&& stream, std::shared_ptr<ServerContext> ctx, ConnectionSlot slot,
                     std::string remote, std::string watcher)
    : ctx_(std::move(ctx)),
      slot_(std::move(slot)),
      ws_(std::move(stream)),
      auth_deadline_(ws_.get_executor()),
      authenticated_(!watcher.empty()),
      id_(ctx_->next_connection_id++),
      remote_(std::move(remote)),
      watcher_(std::move(watcher)),
      bucket_(ctx_->options.messages_per_second, ctx_->options.message_burst) {}

WsSession::~WsSession() = default;

void WsSession::Run(const beast::http::request<beast::http::string_body>& upgrade) {
  const auto& o = ctx_->options;
  beast::get_lowest_layer(ws_).expires_never();  // The websocket timeouts take over.
  websocket::stream_base::timeout t;
  t.handshake_timeout = std::chrono::seconds(o.handshake_timeout_s);
  t.idle_timeout = std::chrono::seconds(o.idle_timeout_s);
  t.keep_alive_pings = true;  // A peer that vanishes without a FIN is found within idle_timeout.
  ws_.set_option(t);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "mcu"); }));
  ws_.read_message_max(o.hard_message_bytes ? o.hard_message_bytes : 4 * o.max_message_bytes);
  ws_.async_accept(upgrade, beast::bind_front_handler(&WsSession::OnAccept, shared_from_this()));
}

void WsSession::OnAccept(beast::error_code ec) {
  if (ec) {
    spdlog::debug("websocket handshake from {} failed: {}", remote_, ec.message());
    return;
  }
  open_ = true;
  ctx_->handler->OnEndpointOpen(id_, shared_from_this(), remote_);
  if (!authenticated_) {
    // Pings keep an idle socket alive: without a deadline, anyone who can connect could hold
    // a connection forever without a token.
    auth_deadline_.expires_after(std::chrono::seconds(ctx_->options.auth_timeout_s));
    auth_deadline_.async_wait(
        beast::bind_front_handler(&WsSession::OnAuthDeadline, shared_from_this()));
  }
  DoRead();
}

void WsSession::OnAuthDeadline(beast::error_code ec) {
  if (ec || authenticated_ || !open_ || closing_) return;
  const std::string why =
      "not authenticated within " + std::to_string(ctx_->options.auth_timeout_s) + " s";
  spdlog::warn("connection {} from {}: {}, closed", id_, remote_, why);
  closing_ = true;
  websocket::close_reason cr(websocket::close_code::policy_error);
  cr.reason = why;
  ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {});
}

void WsSession::DoRead() {
  ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::OnRead, shared_from_this()));
}

void WsSession::OnRead(beast::error_code ec, size_t bytes) {
  if (ec) {
    if (ec == websocket::error::message_too_big)
      spdlog::warn("connection {} from {}: message over the hard limit, closed", id_, remote_);
    else if (ec != websocket::error::closed && ec != net::error::operation_aborted)
      spdlog::debug("connection {} from {}: {}", id_, remote_, ec.message());
    Finish();
    return;
  }
  // Every message takes a token, whatever it is: refusing one costs the MCU a reply too.
  if (!bucket_.Take(NowSeconds())) {
    buffer_.consume(buffer_.size());
    if (++strikes_ >= kMaxStrikes) {
      spdlog::warn("connection {} from {}: message flood, closed", id_, remote_);
      Close("message rate limit exceeded");
      return;
    }
    Enqueue(WriteEvent({"", event::Error{ErrorCode::kRateLimited, "too many messages"}}));
    return DoRead();
  }
  strikes_ = 0;
  if (!ws_.got_text()) {
    Enqueue(WriteEvent(
        {"", event::Error{ErrorCode::kBadRequest, "binary messages are not supported"}}));
  } else if (bytes > ctx_->options.max_message_bytes) {
    Enqueue(WriteEvent(
        {"", event::Error{ErrorCode::kTooLarge,
                          "message larger than " + std::to_string(ctx_->options.max_message_bytes) +
                              " bytes"}}));
  } else {
    HandleMessage(beast::buffers_to_string(buffer_.data()));
  }
  buffer_.consume(buffer_.size());
  DoRead();
}

void WsSession::HandleMessage(const std::string& text) {
  std::string id;
  auto request = ParseRequest(text, &id);
  if (!request) {
    spdlog::debug("connection {}: bad request: {}", id_, request.error());
    Enqueue(WriteEvent({id, event::Error{ErrorCode::kBadRequest, request.error()}}));
    return;
  }
  request->watcher = watcher_;
  ctx_->handler->OnEndpointRequest(id_, std::move(*request));
}

void WsSession::Send(EndpointEvent event) {
  // `welcome` answers a successful `auth`: the domain's word that this is a site.
  const bool welcome = std::holds_alternative<event::Welcome>(event.body);
  net::post(ws_.get_executor(),
            [self = shared_from_this(), text = WriteEvent(event), welcome]() mutable {
              if (welcome && !self->authenticated_) {
                self->authenticated_ = true;
                self->auth_deadline_.cancel();
                self->slot_.MarkSite();
              }
              self->Enqueue(std::move(text));
            });
}

void WsSession::Close(const std::string& reason) {
  net::post(ws_.get_executor(), [self = shared_from_this(), reason] {
    if (self->closing_ || !self->open_) return;
    self->closing_ = true;
    websocket::close_reason cr(websocket::close_code::normal);
    cr.reason = reason.substr(0, 120);
    self->ws_.async_close(cr, [self](beast::error_code) {});
  });
}

void WsSession::EndSession(const std::string& reason) {
  Close(reason);
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    if (self->open_) self->Finish();
  });
}

void WsSession::Enqueue(std::string text) {
  if (!open_ || closing_) return;
  if (queue_.size() >= ctx_->options.send_queue_limit) {
    spdlog::warn("connection {} from {}: not reading its messages, closed", id_, remote_);
    closing_ = true;
    beast::get_lowest_layer(ws_).socket().close();
    return;
  }
  queue_.push_back(std::move(text));
  if (queue_.size() == 1) DoWrite();
}

void WsSession::DoWrite() {
  ws_.text(true);
  ws_.async_write(net::buffer(queue_.front()),
                  beast::bind_front_handler(&WsSession::OnWrite, shared_from_this()));
}

void WsSession::OnWrite(beast::error_code ec, size_t) {
  if (ec) {
    queue_.clear();
    return;  // The read side sees the failure too and finishes the session.
  }
  queue_.pop_front();
  if (!queue_.empty() && !closing_) DoWrite();
}

void WsSession::Finish() {
  if (finished_) return;
  finished_ = true;
  open_ = false;
  auth_deadline_.cancel();
  ctx_->handler->OnEndpointClosed(id_);
}

}  // namespace mcu::signaling
