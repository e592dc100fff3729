// The media core's implementation of the domain's MediaEngine: every participant's transport on
// one shared IoLoop. Rooms in echo mode send each participant its own media back through the
// full decrypt -> RTP -> encrypt path; mixing rooms come with the composite (see ARCHITECTURE.md).
#pragma once

#include <memory>
#include <optional>

#include "mcu/media_api.h"
#include "media/certificate.h"
#include "media/dtls.h"
#include "media/io_loop.h"
#include "media/peer_transport.h"

namespace mcu::media {

class TransportMediaEngine : public MediaEngine {
 public:
  static Expected<std::unique_ptr<TransportMediaEngine>> Create(const Certificate& dtls_cert,
                                                                const TransportConfig& config);
  ~TransportMediaEngine() override;

  Expected<std::unique_ptr<MediaRoom>> CreateRoom(const std::string& name, RoomMode mode,
                                                  MediaRoom::Listener* listener) override;

  IoLoop* loop() { return loop_.get(); }
  const std::shared_ptr<DtlsContext>& dtls_context() const { return dtls_; }
  const TransportConfig& transport_config() const { return config_; }

 private:
  TransportMediaEngine() = default;
  TransportConfig config_;
  std::shared_ptr<DtlsContext> dtls_;
  std::unique_ptr<IoLoop> loop_;  // Last: its thread stops first.
};

// What the echo and mixing endpoints share: the offer; the answer and trickled candidates are
// checked on the calling (control) thread, which is pure code, then applied to the transport on
// the I/O thread.
class TransportEndpoint : public MediaEndpoint {
 public:
  // `offer_session` is our offer; none when we answered the participant's offer (`local` is then
  // our answer, already applied).
  TransportEndpoint(IoLoop* loop, std::string local, std::optional<sdp::Session> offer_session)
      : loop_(loop), local_(std::move(local)), offer_session_(std::move(offer_session)) {}
  const std::string& LocalDescription() const override { return local_; }
  Status SetRemoteAnswer(const std::string& text) override;
  Status AddRemoteCandidate(const std::string& candidate) override;

 protected:
  // The participant's transport (used on the I/O thread only; the pointer is stable).
  virtual PeerTransport* transport() const = 0;
  // Called on the control thread once an answer is accepted, before it is applied.
  virtual void OnAnswerAccepted(const sdp::RemoteDescription&) {}
  IoLoop* loop_;

 private:
  std::string local_;
  std::optional<sdp::Session> offer_session_;
  bool answered_ = false;  // One answer per offer: a second would re-run DTLS.
};

// A random 62-bit number (SDP session ids, initial RTP sequence numbers and timestamps).
uint64_t RandomSessionId();

}  // namespace mcu::media
