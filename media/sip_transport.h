// One SIP leg's media transport (a room system or another vendor's MCU), on the media I/O
// thread. Per medium (audio, video) a UDP socket for RTP and, unless rtcp-mux was agreed, one for
// RTCP on the next port; SRTP keyed by SDES (media/sdes.h): our key protects what we send, the
// remote's key unprotects what it sends. No ICE and no DTLS: the remote's addresses come from its
// SDP, and a datagram from any other host is dropped before decryption. Nothing leaves or is
// accepted before Apply has set the keys: there is no plaintext path.
// The RTP/RTCP half (statistics, reports, NACK, PLI/FIR) is RtpTransport's.
//
// Threading: every method, and every Listener callback, runs on the IoLoop's thread.
#pragma once

#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "mcu/expected.h"
#include "media/gobject_ptr.h"
#include "media/io_loop.h"
#include "media/peer_transport.h"
#include "media/rtp_transport.h"
#include "media/sdes.h"

namespace mcu::media {

class SipTransport : public RtpTransport {
 public:
  // What the SIP offer/answer agreed for one medium.
  struct Medium {
    sdp::Kind kind = sdp::Kind::kAudio;
    std::string remote_address;  // IPv4.
    uint16_t remote_rtp_port = 0;
    uint16_t remote_rtcp_port = 0;  // Ignored with rtcp_mux.
    bool rtcp_mux = false;
    sdes::Crypto local;   // Our key: what we send.
    sdes::Crypto remote;  // The remote's key: what it sends.
    std::vector<int> payload_types;
    uint32_t clock_rate = 0;  // Of the audio codec (0: unchanged, 48000).
    KeyframeMethod keyframe = KeyframeMethod::kPli;
  };

  SipTransport(IoLoop* loop, const TransportConfig& config, Listener* listener);
  ~SipTransport() override;

  // Binds an RTP and RTCP port pair (RTP even, RTCP the next) for audio, and for video if asked,
  // on the first of config.ice_addresses (else the first IPv4 interface that is not loopback).
  Status Start(bool video);
  const std::string& address() const { return address_; }
  uint16_t port(sdp::Kind kind) const {
    return kind == sdp::Kind::kVideo ? video_.port : audio_.port;
  }
  // The agreed media: where to send, the keys, the payload types. The transport is connected at
  // once (nothing to handshake). Applying again (a re-INVITE) replaces them. From then on, a
  // leg that sends nothing authentic for config.sip_media_timeout_s fails.
  Status Apply(const std::vector<Medium>& media);
  void Close() override;

 protected:
  SrtpSession& SrtpFor(sdp::Kind kind) override {
    return kind == sdp::Kind::kVideo ? video_.srtp : audio_.srtp;
  }
  void SendDatagram(sdp::Kind kind, bool rtcp, std::span<const uint8_t> bytes) override;
  void AddTransportStats(TransportStats& s) const override;

 private:
  struct Channel {
    sdp::Kind kind = sdp::Kind::kAudio;
    int rtp_fd = -1, rtcp_fd = -1;
    GRef<GSource> rtp_source, rtcp_source;
    uint16_t port = 0;
    bool active = false;  // Agreed by the offer/answer.
    bool rtcp_mux = false;
    sockaddr_in remote_rtp{}, remote_rtcp{};
    SrtpSession srtp;
    std::string suite;
  };
  struct Watch {
    SipTransport* transport;
    Channel* channel;
    bool rtcp_socket;
  };

  Status Bind(Channel& c);
  void Unbind(Channel& c);
  static gboolean OnReadable(gint fd, GIOCondition, gpointer data) noexcept;
  void Receive(Channel& c, int fd, bool rtcp_socket);
  void CheckMediaTimeout();

  TransportConfig config_;
  guint media_timer_ = 0;
  int64_t applied_us_ = 0;  // When the media were (last) applied: the timeout counts from then.
  std::string address_;
  Channel audio_, video_;
  std::array<Watch, 4> watches_{};
};

}  // namespace mcu::media
