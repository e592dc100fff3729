// The signaling server: HTTPS and WSS on one port (TLS 1.2+), one io_context driven by one
// thread, a strand per connection. Endpoint messages go to the domain's EndpointHandler. A
// connection is admitted by the limits of connection_limits.h (in all, per address, the reserve
// kept for sites) or closed at once, before TLS.
#pragma once

#include <memory>
#include <thread>

#include "mcu/expected.h"
#include "signaling/server_context.h"

namespace mcu::signaling {

class RestApi;
class EventHub;
class ConsoleSockets;

class SignalingServer {
 public:
  // `api` and `events` may be null: then /api/ answers 404. `consoles` (may be null) keeps the
  // console's live sockets by session, to end them with it (console_sockets.h).
  SignalingServer(ServerOptions options, EndpointHandler* handler, RestApi* api = nullptr,
                  EventHub* events = nullptr, ConsoleSockets* consoles = nullptr);
  ~SignalingServer();
  Status Start();  // Binds and listens; then serves on its own thread.
  void Stop();
  uint16_t port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace mcu::signaling
