// SDP offer/answer for SIP legs (RFC 3264): room systems (Poly, Cisco, Huawei, Yealink), other
// vendors' MCUs and baresip dialling in or dialled out, with plain RTP transport, SDES-keyed SRTP
// (media/sdes.h), G.722/G.711/Opus audio and H.264 video. Pure: no sockets, no GStreamer, no SIP
// stack; any thread. The text itself is parsed and written by media/sdp.h.
//
// The rules:
// - Encryption always. A section is accepted only with an acceptable a=crypto line, whatever its
//   profile says: RTP/SAVP, RTP/SAVPF, and RTP/AVP or RTP/AVPF carrying a=crypto (Cisco's
//   best-effort SRTP); the answer keeps the offer's profile per m-line. A section with no crypto
//   line, or none we can honour (sdes::Choose: MKI, short lifetimes and session parameters are
//   refused), is declined with port 0. A UDP/TLS/RTP/SAVP(F) section (DTLS-SRTP, RFC 5763/5764)
//   is accepted when LocalMedia has our certificate's fingerprint and the offer a sha-256
//   a=fingerprint: the answer carries ours and a=setup:active (we start the handshake) unless
//   the offer says setup:active (then passive), and no a=crypto; its keys come from the
//   handshake on the leg's own ports (RTCP's too, without rtcp-mux). Our own offers use SDES.
//   An offer with no acceptable audio section fails, and the error says why ("no SRTP offered",
//   "no acceptable crypto line: ...", "no audio codec in common", ...): every AnswerOffer failure
//   is a 488 Not Acceptable Here for the SIP layer.
// - One audio and at most one video leg. The audio leg is the first acceptable audio section;
//   the main video is the acceptable video section with a=content:main, else the first one not
//   marked a=content:slides. Every other section is declined with port 0, its profile and formats
//   echoed: Poly's "best-effort SRTP" twin (RTP/AVP on the same port after RTP/SAVP), a slides
//   video, BFCP (m=application ... TCP/BFCP *), video when LocalMedia::video_port is 0.
// - Codecs by our preference among those offered (DefaultCodecs order), with the remote's payload
//   type, which both directions use; static payload types without a=rtpmap (0, 8, 9) are
//   understood. telephone-event is kept when offered (the one at the audio codec's clock rate
//   first). H.264 is matched by profile (RFC 6184): constrained baseline, baseline, main and
//   high are all accepted, since what we send is constrained baseline, which their decoders
//   take; packetization-mode 1 is preferred, 0 taken when it is all there is, 2 never. The
//   answer states profile-level-id 42e0xx at the lower of their level and ours (3.1), their
//   packetization-mode, and our max-fs/max-mbps/max-br. VP8 is taken only without H.264.
// - rtcp-mux only when offered (the answer then has a=rtcp-mux); otherwise RTCP goes to a=rtcp or
//   port+1, and ours to port+1, written as a=rtcp. Our offer proposes rtcp-mux with a=rtcp:port+1
//   as the fallback (RFC 5761 5.1.3).
// - a=rtcp-fb is honoured whatever the profile (Cisco writes it under RTP/AVP), for the chosen
//   payload type or "*" (Poly writes "*" before its rtpmaps).
// - ICE (RFC 8445, 8839): an offer with a=ice-ufrag and a=ice-pwd (a room that runs full ICE)
//   is answered as ICE-lite when LocalMedia has our credentials: a=ice-lite, our ufrag and pwd,
//   and one host candidate per component (RTP, and RTCP without rtcp-mux); the transport answers
//   the room's checks and sends to the pair it nominates. Media go to the c= address and m= port
//   until then, and without ICE.
// - Keys: our offer carries one a=crypto line per suite in LocalMedia's keys (each its own key),
//   tags 1, 2, ... in that order; an answer echoes the tag of the line sdes::Choose picked and
//   carries our key of that suite. AcceptAnswer refuses an answer without crypto, with a tag we
//   did not offer, with a suite other than that tag's, or naming codecs we did not offer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcu/expected.h"
#include "media/sdes.h"
#include "media/sdp.h"

namespace mcu::media::sip_sdp {

// What our side of one SIP leg brings.
struct LocalMedia {
  std::string address;      // IPv4 address of our RTP sockets.
  uint16_t audio_port = 0;  // RTP; RTCP on port+1 unless rtcp-mux is agreed.
  uint16_t video_port = 0;  // 0: no video (video sections are declined).
  // Our SRTP master keys, one per suite we accept (suite and raw key_salt of
  // sdes::KeySaltLength(suite) bytes; tags are ignored), in our order of preference, which is
  // the order our offer lists them and the order an offer's lines are chosen by:
  // sdes::kPreference (AES_CM_128_HMAC_SHA1_80 first), or sdes::kStrongestFirst for a classified
  // conference. A key of the wrong length is never used.
  std::vector<sdes::Crypto> audio_keys, video_keys;
  uint32_t audio_ssrc = 0, video_ssrc = 0;  // 0: no a=ssrc line.
  std::string cname = "mcu";
  uint32_t video_kbps = 2048;  // The video rate we accept: b=AS, b=TIAS and max-br.
  // Our DTLS certificate's sha-256 fingerprint ("AB:CD:..."); empty: DTLS-SRTP is declined.
  std::string dtls_fingerprint;
  // Our ICE-lite credentials for this leg; empty: ICE in an offer is ignored.
  std::string ice_ufrag, ice_pwd;
};

// Our codecs in preference order, with the payload types of our offer: audio Opus/48000/2 (111),
// G722/8000 (9), PCMU (0), PCMA (8), telephone-event/8000 (101); video H264 constrained
// baseline packetization-mode=1 (109) and =0 (110), VP8 (96). The H.264 fmtp here is the
// profile and mode; offers and answers add max-fs, max-mbps and max-br.
sdp::CodecSet DefaultCodecs();

// What an H.264 a=fmtp says, read tolerantly (spaces, case, missing fields, hex in either case).
struct H264Params {
  std::string profile_level_id = "42000a";  // Lower-case hex; RFC 6184's default when absent.
  int packetization_mode = 0;
  uint32_t max_fs = 0, max_mbps = 0, max_br = 0;  // As written; 0: absent.
  // What the remote decodes: its level's limits (H.264 table A-1) raised by max-fs, max-mbps and
  // max-br (RFC 6184 8.1). Macroblocks per frame, macroblocks per second, kbit/s.
  uint32_t limit_fs = 0, limit_mbps = 0, limit_kbps = 0;
};
// Fails when profile-level-id is not 6 hex digits, or names a level H.264 does not define.
Expected<H264Params> ParseH264(std::string_view fmtp);

// Keyframe and loss feedback the remote understands (a=rtcp-fb for the chosen type or "*"):
// the requests we may send it.
struct Feedback {
  bool nack = false;   // "nack"
  bool pli = false;    // "nack pli"
  bool fir = false;    // "ccm fir" (RFC 5104)
  bool tmmbr = false;  // "ccm tmmbr"
};

// One negotiated medium of a SIP leg.
struct Leg {
  sdp::Kind kind = sdp::Kind::kAudio;
  size_t mline = 0;            // Index of its m-line in the offer (and the answer).
  std::string remote_address;  // Where we send RTP (media c=, else session c=).
  uint16_t remote_rtp_port = 0;
  std::string remote_rtcp_address;  // a=rtcp's address, else remote_address.
  uint16_t remote_rtcp_port = 0;    // a=rtcp, else RTP port + 1; the RTP port with rtcp-mux.
  bool rtcp_mux = false;
  std::string profile;  // The m-line's, e.g. "RTP/SAVP", "RTP/AVP".
  sdp::Direction direction = sdp::Direction::kSendRecv;  // Ours: what we do on this leg.
  sdp::Codec codec;  // The chosen codec, with the remote's payload type (both directions).
  int telephone_event_pt = -1;  // -1: none.
  Feedback feedback;
  H264Params h264;        // The remote's, when codec is H264.
  uint32_t max_kbps = 0;  // b=TIAS, else b=AS (media, else session); 0: not stated.
  // SDES: the keys. DTLS-SRTP (dtls set): none here, the handshake makes them.
  sdes::Crypto remote_key;  // Its key: we decrypt with it.
  sdes::Crypto local_key;   // Ours, with the tag the answer carries: we encrypt with it.
  struct Dtls {
    std::string remote_fingerprint;  // sha-256, canonical ("AB:CD:...").
    bool client = true;              // We start the handshake (our a=setup:active).
  };
  std::optional<Dtls> dtls;
  struct Ice {
    std::string remote_ufrag, remote_pwd;  // The room's; ours are LocalMedia's.
  };
  std::optional<Ice> ice;  // The offer runs ICE: we answered as ICE-lite.
  std::string content;     // a=content ("main"), as the remote wrote it.
};

struct Answer {
  sdp::Session answer;    // One m-line per offered m-line, in the offer's order.
  std::vector<Leg> legs;  // Audio first, then video if accepted.
};

// Answers a remote offer (an INVITE or re-INVITE with SDP). session_version is 1; a re-answer
// raises it.
Expected<Answer> AnswerOffer(const sdp::Session& offer, const LocalMedia& local,
                             uint64_t session_id);

// Our offer (an INVITE without SDP, whose answer comes in the ACK; dial-out; an SDP-less
// re-INVITE): RTP/SAVP audio, and video when local.video_port is set.
sdp::Session BuildOffer(const LocalMedia& local, uint64_t session_id);

// Checks the remote's answer to BuildOffer's offer and returns the accepted legs (audio first).
// Fails when the answer does not match the offer's m-lines, declines audio, or breaks the key
// rules above.
Expected<std::vector<Leg>> AcceptAnswer(const sdp::Session& our_offer, const sdp::Session& answer,
                                        const LocalMedia& local);

}  // namespace mcu::media::sip_sdp
