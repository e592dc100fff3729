// The console's live feed: a WebSocket at /api/v1/events (the console's session cookie
// authenticates the upgrade) on which the MCU pushes every event the bridge emits — rosters,
// site online/offline, conference states, the active speaker, layouts and control actions — as
// JSON text messages. The feed only sends; what a client sends is read and ignored. It closes when
// its session ends or stops vouching for it (console_sockets.h).
//
// Threading: EventHub::Publish may be called from any thread (the bridge's control thread);
// each EventSession writes on its own strand, and a client that does not read (over
// kQueueLimit messages queued) is disconnected rather than buffered without end.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "signaling/console_sockets.h"
#include "signaling/server_context.h"

namespace mcu::signaling {

class EventSession;

class EventHub {
 public:
  void Publish(const std::string& json_text);
  void Add(const std::shared_ptr<EventSession>& session);
  size_t size();

 private:
  std::mutex mu_;
  std::vector<std::weak_ptr<EventSession>> sessions_;
};

class EventSession : public ConsoleSocket, public std::enable_shared_from_this<EventSession> {
 public:
  static constexpr size_t kQueueLimit = 1024;
  using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  // `slot`: the connection's place, from the HTTPS session that took the upgrade.
  EventSession(Stream&& stream, std::shared_ptr<ServerContext> ctx, ConnectionSlot slot,
               std::string hello);
  void Run(const boost::beast::http::request<boost::beast::http::string_body>& upgrade);
  void Send(std::string text);  // Any thread.
  // ConsoleSocket: closes the feed (policy, with `reason`); any thread.
  void EndSession(const std::string& reason) override;

 private:
  void OnAccept(boost::beast::error_code ec);
  void DoRead();
  void Enqueue(std::string text);
  void DoWrite();

  std::shared_ptr<ServerContext> ctx_;
  ConnectionSlot slot_;
  boost::beast::websocket::stream<Stream> ws_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::string hello_;
  bool open_ = false, closed_ = false;
};

}  // namespace mcu::signaling
