// What every connection of the signaling server shares: options, the TLS context, the domain's
// endpoint handler, the connection limits (connection_limits.h) and the console's live sockets
// (console_sockets.h). Immutable after start but for the atomics, `limits` and `consoles`
// (thread-safe).
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <cstdint>
#include <string>

#include "mcu/endpoint_api.h"
#include "signaling/connection_limits.h"

namespace mcu::signaling {

class RestApi;
class EventHub;
class ConsoleSockets;

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
  size_t max_connections_per_address = 32;  // 0: no limit per address.
  size_t reserved_site_connections = 50;    // Of max_connections (connection_limits.h).
  int auth_timeout_s = 10;        // A /ws connection that has not authenticated by then is closed.
  size_t send_queue_limit = 256;  // Messages queued to a slow reader before it is dropped.
  int handshake_timeout_s = 10;
  int idle_timeout_s = 60;
  // Each console socket's session is checked again this often (console_sockets.h); at most 60.
  int console_recheck_s = 30;
};

struct ServerContext {
  ServerOptions options;
  boost::asio::ssl::context tls{boost::asio::ssl::context::tls_server};
  EndpointHandler* handler = nullptr;
  RestApi* api = nullptr;      // The REST API under /api/ (may be null).
  EventHub* events = nullptr;  // The console's event feed (may be null).
  // The console's live sockets by session (may be null: then they end only by themselves).
  ConsoleSockets* consoles = nullptr;
  ConnectionLimits limits;
  std::atomic<uint64_t> next_connection_id{1};
};

}  // namespace mcu::signaling
