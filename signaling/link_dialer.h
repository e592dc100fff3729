// The dialing side of cascade links (mcu/cascade.h) on the wire: each link this MCU dials is a
// WssClient to the other MCU's endpoint protocol, with the other MCU's certificate pinned.
//
// Threading: one thread of its own ("mcu-links", an io_context) for every outbound connection:
// links are few (a province has one to the central MCU, perhaps one to the People's Committee)
// and this keeps them off the server's I/O thread. Callbacks go to the OutboundHandler from
// that thread. Stop() before the handler goes: after it no callback runs.
#pragma once

#include <memory>

#include "mcu/endpoint_api.h"
#include "signaling/wss_client.h"

namespace mcu::signaling {

class LinkDialer : public Dialer {
 public:
  LinkDialer();
  ~LinkDialer() override;
  std::shared_ptr<OutboundConnection> Dial(ConnectionId id, const DialTarget& target,
                                           OutboundHandler* handler) override;
  void Stop();

 private:
  std::unique_ptr<IoThread> io_;
};

}  // namespace mcu::signaling
