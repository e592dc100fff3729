// One endpoint's WebSocket-over-TLS connection. It only moves bytes: each text message is checked
// against the size and rate limits, parsed (protocol.h) and handed to the domain's
// EndpointHandler; events from the domain are queued and written one at a time.
//
// Threading: everything runs on the connection's strand. Send() and Close() may be called from
// any thread: they post to the strand.
#pragma once

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <memory>
#include <string>

#include "signaling/rate_limiter.h"
#include "signaling/server_context.h"

namespace mcu::signaling {

class WsSession : public EndpointConnection, public std::enable_shared_from_this<WsSession> {
 public:
  using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  // `watcher`: the console user of a preview connection (/api/v1/preview, authenticated by its
  // session cookie before the upgrade); every request of the connection carries it. Empty for
  // room endpoints (/ws), which authenticate with a site token.
  WsSession(Stream&& stream, std::shared_ptr<ServerContext> ctx, std::string remote_address,
            std::string watcher = {});
  ~WsSession() override;

  void Run(const boost::beast::http::request<boost::beast::http::string_body>& upgrade);
  void Send(EndpointEvent event) override;
  void Close(const std::string& reason) override;

 private:
  void OnAccept(boost::beast::error_code ec);
  void DoRead();
  void OnRead(boost::beast::error_code ec, size_t bytes);
  void HandleMessage(const std::string& text);
  void Enqueue(std::string text);
  void DoWrite();
  void OnWrite(boost::beast::error_code ec, size_t bytes);
  void Finish();

  std::shared_ptr<ServerContext> ctx_;
  ConnectionSlot slot_;
  boost::beast::websocket::stream<Stream> ws_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  ConnectionId id_;
  std::string remote_;
  std::string watcher_;
  TokenBucket bucket_;
  int strikes_ = 0;  // Rate-limit violations in a row; the connection is closed at kMaxStrikes.
  bool open_ = false, closing_ = false, finished_ = false;
};

}  // namespace mcu::signaling
