// One SIP leg's media transport (a room system or another vendor's MCU), on the media I/O
// thread. Per medium (audio, video) a UDP socket for RTP and, unless rtcp-mux was agreed, one for
// RTCP on the next port; SRTP keyed by SDES (media/sdes.h: our key protects what we send, the
// remote's key unprotects what it sends) or by DTLS-SRTP (RFC 5764, media/dtls.h: a handshake
// on the RTP port, and one on the RTCP port without rtcp-mux, each keying its own flow; the
// leg is connected when every handshake is done). The remote's addresses come from its SDP, and a
// datagram from any other host is dropped before decryption; with ICE-lite (a room that runs
// ICE), its connectivity checks are answered when their MESSAGE-INTEGRITY holds (from any host:
// the credentials came over TLS) and the pair it nominates (USE-CANDIDATE) becomes where that
// component's packets go and come from. Nothing leaves or is accepted before its keys are set:
// there is no plaintext path.
// The RTP/RTCP half (statistics, reports, NACK, PLI/FIR) is RtpTransport's.
//
// Threading: every method, and every Listener callback, runs on the IoLoop's thread.
#pragma once

#include <netinet/in.h>
#include <stun/stunagent.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mcu/expected.h"
#include "media/gobject_ptr.h"
#include "media/io_loop.h"
#include "media/peer_transport.h"
#include "media/rtp_transport.h"
#include "media/sdes.h"
#include "media/sip_sdp.h"

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
    sdes::Crypto local;                      // SDES: our key, what we send.
    sdes::Crypto remote;                     // SDES: the remote's key, what it sends.
    std::optional<sip_sdp::Leg::Dtls> dtls;  // DTLS-SRTP instead of SDES.
    struct IceLite {
      std::string local_ufrag, local_pwd, remote_ufrag;
    };
    std::optional<IceLite> ice;  // The room runs ICE: answer its checks.
    std::vector<int> payload_types;
    uint32_t clock_rate = 0;  // Of the audio codec (0: unchanged, 48000).
    KeyframeMethod keyframe = KeyframeMethod::kPli;
  };

  // `dtls_context` (our certificate) keys the legs that chose DTLS-SRTP; null: none may.
  SipTransport(IoLoop* loop, const TransportConfig& config,
               std::shared_ptr<DtlsContext> dtls_context, Listener* listener);
  ~SipTransport() override;

  // Binds an RTP and RTCP port pair (RTP even, RTCP the next) for audio, and for video if asked,
  // on the first of config.ice_addresses (else the first IPv4 interface that is not loopback).
  Status Start(bool video);
  const std::string& address() const { return address_; }
  uint16_t port(sdp::Kind kind) const {
    return kind == sdp::Kind::kVideo ? video_.port : audio_.port;
  }
  // The agreed media: where to send, the keys, the payload types. With SDES the transport is
  // connected at once; with DTLS-SRTP when the handshakes are done (a failed one fails it).
  // Applying again (a re-INVITE) keeps the media already applied. From then on, a leg that
  // sends nothing authentic for config.sip_media_timeout_s fails.
  Status Apply(const std::vector<Medium>& media);
  void Close() override;

 protected:
  SrtpSession& SrtpFor(sdp::Kind kind) override {
    return kind == sdp::Kind::kVideo ? video_.srtp : audio_.srtp;
  }
  SrtpSession& SrtcpFor(sdp::Kind kind) override {
    Channel& c = kind == sdp::Kind::kVideo ? video_ : audio_;
    return c.dtls[1] ? c.rtcp_srtp : c.srtp;
  }
  void SendDatagram(sdp::Kind kind, bool rtcp, std::span<const uint8_t> bytes) override;
  void AddTransportStats(TransportStats& s) const override;

 private:
  class DtlsComponent;  // One handshake: a channel's RTP or its own RTCP port.
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
    // DTLS-SRTP: [0] on the RTP port (keys `srtp`), [1] on the RTCP port without rtcp-mux
    // (keys `rtcp_srtp`, then SRTCP's).
    std::array<std::unique_ptr<DtlsComponent>, 2> dtls;
    SrtpSession rtcp_srtp;
    std::optional<Medium::IceLite> ice;
    std::string ice_username;  // "ours:theirs", what the room's checks carry.
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
  void SendTo(Channel& c, bool rtcp_socket, std::span<const uint8_t> bytes);
  // A STUN message on one of `c`'s sockets: a check of the room's ICE agent, answered.
  void HandleStun(Channel& c, int fd, bool rtcp_socket, uint8_t* data, size_t len,
                  const sockaddr_in& from);
  Status StartDtls(Channel& c, const sip_sdp::Leg::Dtls& dtls);
  void MaybeConnected();  // Once every handshake is done.

  TransportConfig config_;
  std::shared_ptr<DtlsContext> dtls_context_;
  StunAgent stun_;  // ICE-lite: validates checks, writes their responses.
  guint media_timer_ = 0;
  int64_t applied_us_ = 0;  // When the media were (last) applied: the timeout counts from then.
  std::string address_;
  Channel audio_, video_;
  std::array<Watch, 4> watches_{};
};

}  // namespace mcu::media
