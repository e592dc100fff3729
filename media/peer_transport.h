// One participant's WebRTC transport, run entirely on the shared media I/O thread:
//   libnice ICE (full ICE, one component: BUNDLE + rtcp-mux)
//   -> DTLS 1.2 handshake, peer checked against its SDP fingerprint
//   -> SRTP/SRTCP keyed from DTLS (AEAD AES-128-GCM or AES_CM_128_HMAC_SHA1_80)
//   -> RTP/RTCP: receive statistics, sender and receiver reports, RTT, NACK both ways with a
//      retransmission history, PLI/FIR both ways.
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
#include "media/nack.h"
#include "media/rtp.h"
#include "media/sdp.h"
#include "media/srtp_session.h"

namespace mcu::media {

struct TransportConfig {
  std::vector<std::string> ice_addresses;  // Local IPs to gather on; empty: every IPv4 interface.
  uint16_t port_min = 0;                   // 0: any port.
  uint16_t port_max = 0;
};

class PeerTransport {
 public:
  enum class Role { kOfferer, kAnswerer };

  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnTransportConnected(PeerTransport& t) = 0;
    virtual void OnTransportFailed(PeerTransport& t, const std::string& reason) = 0;
    // The remote ended DTLS with close_notify: an orderly hang-up, not a failure.
    virtual void OnTransportClosedByPeer(PeerTransport& t) {
      OnTransportFailed(t, "DTLS closed by peer");
    }
    // A decrypted, well-formed RTP packet. `packet` may be modified in place by the callee.
    virtual void OnTransportRtp(PeerTransport& t, sdp::Kind kind, const rtp::RtpHeader& header,
                                std::span<uint8_t> packet) = 0;
    // The remote asked for a keyframe of the video we send (PLI or FIR).
    virtual void OnTransportKeyframeRequest(PeerTransport& t) = 0;
  };

  PeerTransport(IoLoop* loop, const TransportConfig& config,
                std::shared_ptr<DtlsContext> dtls_context, Listener* listener, Role role);
  ~PeerTransport();
  PeerTransport(const PeerTransport&) = delete;
  PeerTransport& operator=(const PeerTransport&) = delete;

  // Creates the ICE agent and gathers host candidates (synchronous for host candidates).
  Status Start();
  const sdp::LocalTransport& local() const { return local_; }
  uint32_t local_ssrc(sdp::Kind kind) const {
    return kind == sdp::Kind::kAudio ? audio_ssrc_ : video_ssrc_;
  }

  // Applies the remote description (from its answer or offer): ICE credentials and candidates,
  // the DTLS role and fingerprint, payload types and SSRCs.
  Status ApplyRemote(const sdp::RemoteDescription& remote);
  void AddRemoteCandidate(const std::string& candidate);

  // Sends an RTP packet of `kind` (the SSRC is rewritten to ours). Dropped until connected.
  void SendRtp(sdp::Kind kind, std::span<const uint8_t> packet);
  // The same with this sequence number and timestamp (a packet shared by many receivers, each
  // numbering it in its own stream), written into the one copy that gets encrypted.
  void SendRtp(sdp::Kind kind, std::span<const uint8_t> packet, uint16_t sequence,
               uint32_t timestamp);
  // Asks the remote for a video keyframe (PLI), at most once per `min_interval_ms`.
  void RequestKeyframe(int64_t min_interval_ms = 300);
  void Close();

  bool connected() const { return connected_; }
  TransportStats Stats() const;

 private:
  struct Inbound {
    uint32_t ssrc = 0;
    uint32_t clock_rate = 0;
    std::optional<rtp::ReceiveStatistics> stats;
    NackGenerator nack;
    uint32_t last_sr_mid = 0;  // From the remote's last SR on this stream.
    int64_t last_sr_arrival_us = 0;
    DirectionStats counters;
  };
  struct Outbound {
    uint32_t ssrc = 0;
    uint32_t clock_rate = 0;
    uint32_t last_rtp_ts = 0;
    int64_t last_send_us = 0;
    DirectionStats counters;
    RetransmissionHistory history{512};
  };

  static void OnNiceRecv(NiceAgent*, guint, guint, guint len, gchar* buf, gpointer self) noexcept;
  static void OnNiceState(NiceAgent*, guint, guint, guint state, gpointer self) noexcept;
  static void OnNiceSelectedPair(NiceAgent*, guint, guint, NiceCandidate*, NiceCandidate*,
                                 gpointer self) noexcept;

  void HandleDatagram(std::span<const uint8_t> datagram);
  void HandleRtp(uint8_t* data, size_t len);
  void HandleRtcp(uint8_t* data, size_t len);
  void OnIceState(NiceComponentState state);
  void MaybeStartDtls();
  void ScheduleDtlsTimer();
  void SendRtcpReports();
  void SendNacks();
  void SendRtcp(std::vector<uint8_t>& compound);
  void SendRaw(std::span<const uint8_t> bytes);
  void UpdateRtt(const rtp::ReportBlock& block);
  void SendParsed(sdp::Kind kind, std::span<const uint8_t> packet, const rtp::RtpHeader& h,
                  uint16_t sequence, uint32_t timestamp);
  void ClosedByPeer();
  void Fail(const std::string& reason);
  Inbound* InboundFor(sdp::Kind kind) {
    return kind == sdp::Kind::kAudio ? &audio_in_ : &video_in_;
  }

  class DtlsListener;

  IoLoop* loop_;
  TransportConfig config_;
  std::shared_ptr<DtlsContext> dtls_context_;
  Listener* listener_;
  Role role_;
  uint32_t audio_ssrc_, video_ssrc_;
  GRef<NiceAgent> agent_;
  guint stream_id_ = 0;
  sdp::LocalTransport local_;
  std::optional<sdp::RemoteDescription> remote_;
  std::array<sdp::Kind, 128> kind_by_pt_{};
  NiceComponentState ice_state_ = NICE_COMPONENT_STATE_DISCONNECTED;
  std::string selected_local_, selected_remote_;
  std::unique_ptr<DtlsListener> dtls_listener_;
  std::unique_ptr<DtlsTransport> dtls_;
  SrtpSession srtp_;
  bool connected_ = false;
  bool failed_ = false;
  bool closed_ = false;
  Inbound audio_in_, video_in_;
  Outbound audio_out_, video_out_;
  double rtt_ms_ = -1;
  int64_t last_pli_us_ = 0;
  uint64_t dropped_ = 0;
  std::vector<uint8_t> scratch_;                    // Reused send buffer: no allocation per packet.
  std::vector<std::vector<uint8_t>> pending_dtls_;  // DTLS sent before ICE selected a pair.
  guint dtls_timer_ = 0, rtcp_timer_ = 0, nack_timer_ = 0;
};

}  // namespace mcu::media
