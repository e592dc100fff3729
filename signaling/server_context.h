// What every connection of the signaling server shares: options, the TLS context, the domain's
// endpoint handler, and the connection count. Immutable after start but for the atomics.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <cstdint>
#include <string>

#include "mcu/endpoint_api.h"

namespace mcu::signaling {

class RestApi;
class EventHub;

struct ServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 8443;  // 0: any free port (tests).
  std::string cert_pem, key_pem;
  std::string web_root;
  size_t max_message_bytes = 65536;  // Larger messages get a too_large error ...
  size_t hard_message_bytes = 0;     // ... up to this (0: 4x the above); beyond, close 1009.
  double messages_per_second = 20;
  double message_burst = 50;
  size_t max_connections = 500;
  size_t send_queue_limit = 256;  // Messages queued to a slow reader before it is dropped.
  int handshake_timeout_s = 10;
  int idle_timeout_s = 60;
};

struct ServerContext {
  ServerOptions options;
  boost::asio::ssl::context tls{boost::asio::ssl::context::tls_server};
  EndpointHandler* handler = nullptr;
  RestApi* api = nullptr;      // The REST API under /api/ (may be null).
  EventHub* events = nullptr;  // The console's event feed (may be null).
  std::atomic<size_t> connections{0};
  std::atomic<uint64_t> next_connection_id{1};
};

// Counts a live connection for as long as it exists (moves along when a session hands over).
class ConnectionSlot {
 public:
  explicit ConnectionSlot(ServerContext& ctx) : ctx_(&ctx) { ++ctx.connections; }
  ~ConnectionSlot() { --ctx_->connections; }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  ServerContext* ctx_;
};

}  // namespace mcu::signaling
