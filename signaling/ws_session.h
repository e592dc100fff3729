// One endpoint's WebSocket-over-TLS connection. It only moves bytes: each message, text or not,
// takes a token of the rate limit; a text message within the size limit is then parsed
// (protocol.h) and handed to the domain's EndpointHandler; events from the domain are queued and
// written one at a time. A room's connection (/ws) that has not authenticated (no `welcome` sent)
// within auth_timeout_s of the upgrade is closed (1008, "not authenticated within N s"); once it
// has, its ConnectionSlot is marked a site's (connection_limits.h).
//
// Threading: everything runs on the connection's strand. Send() and Close() may be called from
// any thread: they post to the strand.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <memory>
#include <string>

#include "signaling/console_sockets.h"
#include "signaling/rate_limiter.h"
#include "signaling/server_context.h"

namespace mcu::signaling {

class WsSession : public EndpointConnection,
                  public ConsoleSocket,
                  public std::enable_shared_from_this<WsSession> {
 public:
  using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  // `watcher`: the console user of a preview connection (/api/v1/preview, authenticated by its
  // session cookie before the upgrade); every request of the connection carries it. Empty for
  // room endpoints (/ws), which authenticate with a site token.
  // `slot`: the connection's place, from the HTTPS session that took the upgrade.
  WsSession(Stream&& stream, std::shared_ptr<ServerContext> ctx, ConnectionSlot slot,
            std::string remote_address, std::string watcher = {});
  ~WsSession() override;

  void Run(const boost::beast::http::request<boost::beast::http::string_body>& upgrade);
  void Send(EndpointEvent event) override;
  void Close(const std::string& reason) override;
  // ConsoleSocket (a preview's): closes it as Close() does, and tells the domain it is closed at
  // once, so that the preview leaves its conference even if the client never answers the close.
  void EndSession(const std::string& reason) override;

 private:
  void OnAccept(boost::beast::error_code ec);
  void DoRead();
  void OnRead(boost::beast::error_code ec, size_t bytes);
  void HandleMessage(const std::string& text);
  void OnAuthDeadline(boost::beast::error_code ec);
  void Enqueue(std::string text);
  void DoWrite();
  void OnWrite(boost::beast::error_code ec, size_t bytes);
  void Finish();

  std::shared_ptr<ServerContext> ctx_;
  ConnectionSlot slot_;
  boost::beast::websocket::stream<Stream> ws_;
  boost::asio::steady_timer auth_deadline_;  // Rooms (/ws) until their `welcome`.
  bool authenticated_ = false;               // A `welcome` was sent, or a preview's session.
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
