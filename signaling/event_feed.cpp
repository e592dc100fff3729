#include "signaling/event_feed.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

namespace mcu::signaling {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

void EventHub::Publish(const std::string& text) {
  std::vector<std::shared_ptr<EventSession>> live;
  {
    std::lock_guard lock(mu_);
    std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
    for (auto& w : sessions_)
      if (auto s = w.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->Send(text);
}

void EventHub::Add(const std::shared_ptr<EventSession>& session) {
  std::lock_guard lock(mu_);
  sessions_.push_back(session);
}

size_t EventHub::size() {
  std::lock_guard lock(mu_);
  std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
  return sessions_.size();
}

EventSession::EventSession(Stream&& stream, std::shared_ptr<ServerContext> ctx, ConnectionSlot slot,
                           std::string hello)
    : ctx_(std::move(ctx)),
      slot_(std::move(slot)),
      ws_(std::move(stream)),
      hello_(std::move(hello)) {}

void EventSession::Run(const beast::http::request<beast::http::string_body>& upgrade) {
  const auto& o = ctx_->options;
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout t;
  t.handshake_timeout = std::chrono::seconds(o.handshake_timeout_s);
  t.idle_timeout = std::chrono::seconds(o.idle_timeout_s);
  t.keep_alive_pings = true;
  ws_.set_option(t);
  ws_.read_message_max(4096);
  ws_.async_accept(upgrade, beast::bind_front_handler(&EventSession::OnAccept, shared_from_this()));
}

void EventSession::OnAccept(beast::error_code ec) {
  if (ec) return;
  open_ = true;
  Enqueue(std::move(hello_));
  DoRead();
}

void EventSession::DoRead() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) {
      self->closed_ = true;
      return;
    }
    self->buffer_.consume(self->buffer_.size());
    self->DoRead();
  });
}

void EventSession::Send(std::string text) {
  net::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
    self->Enqueue(std::move(text));
  });
}

void EventSession::EndSession(const std::string& reason) {
  net::post(ws_.get_executor(), [self = shared_from_this(), reason] {
    if (!self->open_ || self->closed_) return;
    self->closed_ = true;  // Nothing more is sent; the read ends when the close does.
    websocket::close_reason why(websocket::close_code::policy_error);
    why.reason = reason.substr(0, 120);
    self->ws_.async_close(why, [self](beast::error_code) {});
  });
}

void EventSession::Enqueue(std::string text) {
  if (!open_ || closed_) return;
  if (queue_.size() >= kQueueLimit) {
    spdlog::warn("event feed client not reading: disconnected");
    closed_ = true;
    beast::get_lowest_layer(ws_).socket().close();
    return;
  }
  queue_.push_back(std::move(text));
  if (queue_.size() == 1) DoWrite();
}

void EventSession::DoWrite() {
  ws_.text(true);
  ws_.async_write(net::buffer(queue_.front()),
                  [self = shared_from_this()](beast::error_code ec, size_t) {
                    if (ec) {
                      self->queue_.clear();
                      self->closed_ = true;
                      return;
                    }
                    self->queue_.pop_front();
                    if (!self->queue_.empty() && !self->closed_) self->DoWrite();
                  });
}

}  // namespace mcu::signaling
