#include "signaling/link_dialer.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "signaling/protocol.h"

namespace mcu::signaling {

namespace {

class Outbound : public OutboundConnection {
 public:
  explicit Outbound(std::shared_ptr<WssClient> ws) : ws_(std::move(ws)) {}
  void Send(EndpointRequest request) override { ws_->Send(WriteRequest(request)); }
  void Close() override { ws_->Close(); }

 private:
  std::shared_ptr<WssClient> ws_;
};

}  // namespace

LinkDialer::LinkDialer() : io_(std::make_unique<IoThread>()) {
  boost::asio::post(io_->context(), [] { pthread_setname_np(pthread_self(), "mcu-links"); });
}

LinkDialer::~LinkDialer() { Stop(); }

void LinkDialer::Stop() { io_.reset(); }

std::shared_ptr<OutboundConnection> LinkDialer::Dial(ConnectionId id, const DialTarget& target,
                                                     OutboundHandler* handler) {
  WssClientOptions options;
  options.url = target.url;
  options.pin_sha256 = target.pin_sha256;  // Never insecure: without a pin there is no link.
  WssClient::Callbacks cb;
  cb.on_open = [handler, id] { handler->OnOutboundOpen(id); };
  cb.on_message = [handler, id](const std::string& text) {
    auto event = ParseEvent(text);
    if (!event) {
      spdlog::warn("link connection {}: ignored a message from the other MCU: {}", id,
                   event.error());
      return;
    }
    handler->OnOutboundEvent(id, std::move(*event));
  };
  cb.on_close = [handler, id](const std::string& reason) { handler->OnOutboundClosed(id, reason); };
  auto ws = WssClient::Create(io_->context(), std::move(options), std::move(cb));
  ws->Start();
  return std::make_shared<Outbound>(std::move(ws));
}

}  // namespace mcu::signaling
