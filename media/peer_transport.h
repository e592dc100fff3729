// One participant's WebRTC transport, run entirely on the shared media I/O thread:
//   libnice ICE (full ICE, one component: BUNDLE + rtcp-mux)
//   -> DTLS 1.2 handshake, peer checked against its SDP fingerprint
//   -> SRTP/SRTCP keyed from DTLS (AEAD AES-128-GCM or AES_CM_128_HMAC_SHA1_80)
//   -> RTP/RTCP (media/rtp_transport.h): receive statistics, reports, RTT, NACK, PLI/FIR.
// Never a plaintext path: RTP/RTCP are dropped until DTLS has produced SRTP keys, and DTLS is
// only processed from the address libnice validated by connectivity checks (libnice drops
// non-STUN datagrams from unverified sources).
//
// Threading: every method, and every Listener callback, runs on the IoLoop's thread.
#pragma once

#include <nice/agent.h>

#include "media/gobject_ptr.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mcu/expected.h"
#include "mcu/media_stats.h"
#include "media/dtls.h"
#include "media/io_loop.h"
#include "media/rtp_transport.h"
#include "media/sdp.h"
#include "media/srtp_session.h"

namespace mcu::media {

struct TransportConfig {
  std::vector<std::string> ice_addresses;  // Local IPs to gather on; empty: every IPv4 interface.
  uint16_t port_min = 0;                   // 0: any port.
  uint16_t port_max = 0;
  // A SIP leg from which nothing authentic (SRTP or SRTCP) came for this long has failed: a room
  // that lost power or its network sends no BYE. WebRTC sites have ICE consent for that.
  int sip_media_timeout_s = 30;
  // Mixing rooms: the largest picture a site's keyframe may declare and still be decoded.
  int max_decode_width = 1920, max_decode_height = 1080;
};

class PeerTransport : public RtpTransport {
 public:
  enum class Role { kOfferer, kAnswerer };
  using Listener = RtpTransport::Listener;

  PeerTransport(IoLoop* loop, const TransportConfig& config,
                std::shared_ptr<DtlsContext> dtls_context, Listener* listener, Role role);
  ~PeerTransport() override;

  // Creates the ICE agent and gathers host candidates (synchronous for host candidates).
  Status Start();
  const sdp::LocalTransport& local() const { return local_; }

  // Applies the remote description (from its answer or offer): ICE credentials and candidates,
  // the DTLS role and fingerprint, payload types and SSRCs.
  Status ApplyRemote(const sdp::RemoteDescription& remote);
  void AddRemoteCandidate(const std::string& candidate);
  void Close() override;

 protected:
  SrtpSession& SrtpFor(sdp::Kind) override { return srtp_; }
  void SendDatagram(sdp::Kind, bool, std::span<const uint8_t> bytes) override { SendRaw(bytes); }
  void AddTransportStats(TransportStats& s) const override;

 private:
  static void OnNiceRecv(NiceAgent*, guint, guint, guint len, gchar* buf, gpointer self) noexcept;
  static void OnNiceState(NiceAgent*, guint, guint, guint state, gpointer self) noexcept;
  static void OnNiceSelectedPair(NiceAgent*, guint, guint, NiceCandidate*, NiceCandidate*,
                                 gpointer self) noexcept;

  void HandleDatagram(std::span<const uint8_t> datagram);
  void OnIceState(NiceComponentState state);
  void MaybeStartDtls();
  void ScheduleDtlsTimer();
  void SendRaw(std::span<const uint8_t> bytes);

  class DtlsListener;

  TransportConfig config_;
  std::shared_ptr<DtlsContext> dtls_context_;
  Role role_;
  GRef<NiceAgent> agent_;
  guint stream_id_ = 0;
  sdp::LocalTransport local_;
  std::optional<sdp::RemoteDescription> remote_;
  NiceComponentState ice_state_ = NICE_COMPONENT_STATE_DISCONNECTED;
  std::string selected_local_, selected_remote_;
  std::unique_ptr<DtlsListener> dtls_listener_;
  std::unique_ptr<DtlsTransport> dtls_;
  SrtpSession srtp_;
  std::vector<std::vector<uint8_t>> pending_dtls_;  // DTLS sent before ICE selected a pair.
  guint dtls_timer_ = 0;
};

}  // namespace mcu::media
