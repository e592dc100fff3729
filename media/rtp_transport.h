// The RTP/RTCP half of one participant's transport, shared by the two ways media travels:
//   media/peer_transport.h  WebRTC: ICE, DTLS-SRTP, audio and video bundled on one flow;
//   media/sip_transport.h   SIP legs: UDP sockets per medium (RTCP muxed or on its own port),
//                           SRTP keyed by SDES, one key per medium.
// Here: payload type -> medium, SRTP unprotect and protect through the subclass's contexts,
// receive statistics, sender and receiver reports (one compound for a bundled flow, one per
// medium otherwise), RTT, NACK both ways with a retransmission history of SRTP bytes, PLI/FIR
// both ways. A subclass moves datagrams, owns the SRTP contexts, and says when keys are ready.
//
// Threading: every method, and every Listener callback, runs on the IoLoop's thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mcu/media_stats.h"
#include "media/io_loop.h"
#include "media/nack.h"
#include "media/rtp.h"
#include "media/sdp.h"
#include "media/srtp_session.h"

namespace mcu::media {

class RtpTransport {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnTransportConnected(RtpTransport& t) = 0;
    virtual void OnTransportFailed(RtpTransport& t, const std::string& reason) = 0;
    // The remote hung up the media (DTLS close_notify): an orderly hang-up, not a failure.
    virtual void OnTransportClosedByPeer(RtpTransport& t) {
      OnTransportFailed(t, "closed by peer");
    }
    // A decrypted, well-formed RTP packet. `packet` may be modified in place by the callee.
    virtual void OnTransportRtp(RtpTransport& t, sdp::Kind kind, const rtp::RtpHeader& header,
                                std::span<uint8_t> packet) = 0;
    // The remote asked for a keyframe of the video we send (PLI or FIR).
    virtual void OnTransportKeyframeRequest(RtpTransport& t) = 0;
    // We need a keyframe of the remote's video and it takes no RTCP request for one
    // (KeyframeMethod::kSignalling): the owner asks through the signalling.
    virtual void OnTransportKeyframeWanted(RtpTransport& t) { (void)t; }
    // The remote capped the video we send (TMMBR) at `kbps` (already acknowledged by TMMBN).
    virtual void OnTransportBitrateCap(RtpTransport& t, int kbps) {
      (void)t;
      (void)kbps;
    }
  };
  // How the remote wants to be asked for a keyframe (what its SDP's a=rtcp-fb allows): PLI,
  // FIR (RFC 5104), or neither (kSignalling: SIP INFO, at most every 500 ms).
  enum class KeyframeMethod { kPli, kFir, kSignalling };

  // Retransmissions a NACK may cause (a peer's NACKs are not trusted): each packet at most once
  // per max(kMinResendIntervalUs, 0.8 RTT), at most kMaxResendsPerNack numbers served from one
  // NACK, and in all no more bytes than a budget that half of the video we send refills (up to
  // kMaxResendBudget): NACKs can add at most half again to the stream.
  static constexpr int64_t kMinResendIntervalUs = 10'000;
  static constexpr size_t kMaxResendsPerNack = 64;
  static constexpr int64_t kMaxResendBudget = 256 * 1024;

  virtual ~RtpTransport();
  RtpTransport(const RtpTransport&) = delete;
  RtpTransport& operator=(const RtpTransport&) = delete;

  uint32_t local_ssrc(sdp::Kind kind) const {
    return kind == sdp::Kind::kAudio ? audio_out_.ssrc : video_out_.ssrc;
  }
  // Sends an RTP packet of `kind` (the SSRC is rewritten to ours). Dropped until connected.
  void SendRtp(sdp::Kind kind, std::span<const uint8_t> packet);
  // The same with this sequence number and timestamp (a packet shared by many receivers, each
  // numbering it in its own stream), and this payload type if not -1 (a SIP leg numbers its
  // codec as its offer did), written into the one copy that gets encrypted.
  void SendRtp(sdp::Kind kind, std::span<const uint8_t> packet, uint16_t sequence,
               uint32_t timestamp, int payload_type = -1);
  // Asks the remote for a video keyframe, at most once per `min_interval_ms`.
  void RequestKeyframe(int64_t min_interval_ms = 300);
  virtual void Close() = 0;

  bool connected() const { return connected_; }
  TransportStats Stats() const;

 protected:
  static constexpr size_t kMaxDatagram = 1500;

  RtpTransport(IoLoop* loop, Listener* listener);

  // The SRTP context of `kind`'s flow (the same one for both kinds of a bundled flow).
  virtual SrtpSession& SrtpFor(sdp::Kind kind) = 0;
  // The SRTCP context of `kind`'s flow: the same, but for RTCP on a port of its own that was
  // keyed by a handshake of its own (DTLS-SRTP without rtcp-mux).
  virtual SrtpSession& SrtcpFor(sdp::Kind kind) { return SrtpFor(kind); }
  // Puts protected bytes on the wire, on `kind`'s RTP or RTCP path.
  virtual void SendDatagram(sdp::Kind kind, bool rtcp, std::span<const uint8_t> bytes) = 0;
  // What only the subclass knows: ICE and DTLS states, the SRTP suite, the addresses.
  virtual void AddTransportStats(TransportStats& s) const = 0;

  // From the remote's description: which medium a payload type belongs to, its SSRC if it
  // declared one, the clock rate of its audio (48000 for Opus, 8000 for G.711 and G.722).
  void MapPayloadType(int pt, sdp::Kind kind);
  void SetRemoteSsrc(sdp::Kind kind, uint32_t ssrc);
  void SetAudioClockRate(uint32_t rate) { audio_in_.clock_rate = audio_out_.clock_rate = rate; }
  void set_keyframe_method(KeyframeMethod m) { keyframe_method_ = m; }
  // A received SRTP or SRTCP datagram, copied into a writable buffer of kMaxDatagram bytes;
  // `channel` is the medium whose socket it came on (nullopt on a bundled flow).
  void HandleRtp(std::optional<sdp::Kind> channel, uint8_t* data, size_t len);
  void HandleRtcp(std::optional<sdp::Kind> channel, uint8_t* data, size_t len);
  // Sender and receiver reports every second, in one compound (bundled) or one per medium.
  void StartReports(bool bundled);
  void StopRtp();  // Cancels the timers; nothing is sent or received after it.
  void Connected();
  void Fail(const std::string& reason);
  void ClosedByPeer();
  void CountDropped() { ++dropped_; }
  bool closed() const { return closed_; }
  bool failed() const { return failed_; }
  // When an SRTP or SRTCP packet last passed its authentication (0: never).
  int64_t last_authentic_us() const { return last_authentic_us_; }

  IoLoop* loop_;
  Listener* listener_;

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
  // Bits of payload_kinds_.
  static constexpr uint8_t kAudioBit = 1, kVideoBit = 2;

  void SendRtcpReports();
  void AppendReports(std::span<Outbound* const> outs, std::span<Inbound* const> ins,
                     std::vector<uint8_t>& rtcp);
  void SendNacks();
  void SendRtcp(sdp::Kind kind, std::vector<uint8_t>& compound);
  void UpdateRtt(const rtp::ReportBlock& block);
  void SendParsed(sdp::Kind kind, std::span<const uint8_t> packet, const rtp::RtpHeader& h,
                  uint16_t sequence, uint32_t timestamp, int payload_type = -1);
  Inbound* InboundFor(sdp::Kind kind) {
    return kind == sdp::Kind::kAudio ? &audio_in_ : &video_in_;
  }

  std::array<uint8_t, 128> payload_kinds_{};  // Per payload type: kAudioBit | kVideoBit.
  bool bundled_ = true;
  bool connected_ = false;
  int64_t last_authentic_us_ = 0;
  bool failed_ = false;
  bool closed_ = false;
  KeyframeMethod keyframe_method_ = KeyframeMethod::kPli;
  uint8_t fir_sequence_ = 0;
  int64_t resend_budget_ = 0;  // Bytes of retransmission still allowed.
  Inbound audio_in_, video_in_;
  Outbound audio_out_, video_out_;
  double rtt_ms_ = -1;
  int64_t last_pli_us_ = 0;
  uint64_t dropped_ = 0;
  std::vector<uint8_t> scratch_;  // Reused send buffer: no allocation per packet.
  guint rtcp_timer_ = 0, nack_timer_ = 0;
};

}  // namespace mcu::media
