// SDP for WebRTC (RFC 8866, JSEP RFC 8829): a plain data model, a parser, a writer, and the
// negotiation rules the MCU uses. Pure code: no GStreamer, no sockets; safe on any thread.
//
// Scope: what browsers and webrtcbin put in an offer or answer for one audio and one video
// m-line bundled on one transport (BUNDLE, rtcp-mux), plus what SIP room systems add (c= addresses,
// b=AS/b=TIAS, a=rtcp, a=content; their offer/answer is media/sip_sdp.h). Unknown attributes are
// kept verbatim in Media::other so nothing is lost, but ignored by negotiation.
//
// The MCU is the offerer (BuildOffer); the answerer side (AnswerOffer) serves the cascade links
// this MCU dials and the load generator. A trickled candidate is parsed (ParseCandidate) on the
// control thread, so a malformed one is refused with bad_request at once; an mDNS candidate
// parses but the transport ignores it: the remote's checks reach our host candidate and libnice
// learns a peer-reflexive one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcu/expected.h"

namespace mcu::media::sdp {

enum class Kind { kAudio, kVideo, kApplication, kOther };
enum class Direction { kSendRecv, kSendOnly, kRecvOnly, kInactive };
enum class Setup { kActPass, kActive, kPassive };

std::string_view ToString(Kind k);
std::string_view ToString(Direction d);
std::string_view ToString(Setup s);

struct Codec {
  int payload_type = -1;
  std::string name;  // As written, e.g. "opus", "VP8", "H264".
  int clock_rate = 0;
  int channels = 0;                   // 0: absent.
  std::string fmtp;                   // Parameters after "a=fmtp:<pt> ".
  std::vector<std::string> feedback;  // "nack", "nack pli", "ccm fir", ...
};

struct Fingerprint {
  std::string algorithm;  // Lower case, e.g. "sha-256".
  std::string value;      // Upper-case hex pairs separated by ':'.
};

struct Media {
  Kind kind = Kind::kOther;
  std::string kind_name;  // As written on the m= line.
  uint16_t port = 9;
  std::string protocol;              // "UDP/TLS/RTP/SAVPF"
  std::vector<std::string> formats;  // Formats on the m= line, in preference order.
  std::string mid;
  Direction direction = Direction::kSendRecv;
  bool rtcp_mux = false;
  std::vector<Codec> codecs;    // Known rtpmaps, in m= line order.
  std::vector<uint32_t> ssrcs;  // Distinct, in order of appearance.
  std::string cname;
  std::string msid;
  // c=IN IP4 <address> (or IP6) at media level; empty: the session's applies. Written as
  // "c=IN IP4 0.0.0.0" when neither is set, as WebRTC does.
  std::string connection_address;
  uint32_t bandwidth_as_kbps = 0;   // b=AS; 0: absent.
  uint32_t bandwidth_tias_bps = 0;  // b=TIAS (RFC 3890); 0: absent.
  uint16_t rtcp_port = 0;           // a=rtcp (RFC 3605); 0: absent.
  std::string rtcp_address;         // Its optional address; empty: the connection address.
  std::string content;              // a=content (RFC 4796): "main", "slides", ...; empty: absent.
  // Transport attributes written at media level (they may also be at session level).
  std::string ice_ufrag, ice_pwd;
  std::optional<Fingerprint> fingerprint;
  std::optional<Setup> setup;
  std::vector<std::string> candidates;  // "candidate:..." (without "a=").
  bool end_of_candidates = false;
  std::vector<std::string> other;  // Unhandled attribute lines, without "a=".

  const Codec* FindCodec(int pt) const;
};

struct Session {
  uint64_t session_id = 0;
  uint64_t session_version = 0;
  std::string origin_address = "127.0.0.1";
  std::string connection_address;        // Session-level c=; empty: absent.
  uint32_t bandwidth_as_kbps = 0;        // Session-level b=AS; 0: absent.
  uint32_t bandwidth_tias_bps = 0;       // Session-level b=TIAS; 0: absent.
  std::vector<std::string> bundle_mids;  // a=group:BUNDLE
  bool ice_lite = false;
  // Session-level transport attributes; media-level ones take precedence.
  std::string ice_ufrag, ice_pwd;
  std::optional<Fingerprint> fingerprint;
  std::optional<Setup> setup;
  std::vector<Media> media;
};

// Parses an SDP. Rejects text that is not SDP (no v=0, an m= line that does not parse, numbers
// out of range, more than kMaxMediaSections m-lines or kMaxLines lines).
inline constexpr size_t kMaxMediaSections = 16;
inline constexpr size_t kMaxLines = 2000;
Expected<Session> Parse(std::string_view text);

// Writes an SDP with CRLF line endings. Optional fields (c=, b=, a=rtcp, a=content) are written
// only when set, except a media c= line, which falls back to 0.0.0.0 without a session one.
std::string Write(const Session& session);

// Canonical form of a fingerprint value ("ab:cd" -> "AB:CD"); empty if it is not hex pairs.
std::string NormalizeFingerprint(std::string_view value);

// An ICE candidate attribute value (RFC 8839 section 5.1), "candidate:..." without "a=".
struct Candidate {
  std::string foundation;
  int component = 0;
  std::string transport;  // "udp" or "tcp", lower case.
  uint32_t priority = 0;
  std::string address;  // IPv4, IPv6 or an mDNS name ("<uuid>.local").
  uint16_t port = 0;
  std::string type;  // host, srflx, prflx, relay.
  bool mdns() const;
};
Expected<Candidate> ParseCandidate(std::string_view text);

// ----- Negotiation -------------------------------------------------------------------------

// What our side of a transport brings to an offer or an answer.
struct LocalTransport {
  std::string ice_ufrag, ice_pwd;
  Fingerprint fingerprint;
  std::vector<std::string> candidates;  // Complete local candidates (host candidates are known
                                        // at once on a closed network), ended by end-of-candidates.
};

// The codecs the MCU speaks, with the payload types it offers.
struct CodecSet {
  std::vector<Codec> audio;
  std::vector<Codec> video;
};
CodecSet DefaultCodecs();  // Opus/48000/2 (111); VP8 (96), H264 constrained baseline (102).

struct OfferOptions {
  uint32_t audio_ssrc = 0;
  uint32_t video_ssrc = 0;
  std::string cname = "mcu";
  std::string stream_id = "mcu";
  bool audio = true;
  bool video = true;
};

// The MCU's offer: BUNDLE of audio (mid "0") and video (mid "1"), rtcp-mux, setup actpass.
Session BuildOffer(const LocalTransport& local, const CodecSet& codecs, const OfferOptions& opt,
                   uint64_t session_id);

// What one side learns from the other side's description (offer or answer), ready to apply to
// the transport.
struct RemoteMedia {
  Kind kind = Kind::kOther;
  std::string mid;
  Direction direction = Direction::kInactive;  // As the remote wrote it.
  std::vector<Codec> codecs;                   // Accepted codecs (an answer: what it chose).
  std::vector<uint32_t> ssrcs;                 // Remote sending SSRCs declared (may be empty).
};
struct RemoteDescription {
  std::string ice_ufrag, ice_pwd;
  Fingerprint fingerprint;
  Setup setup = Setup::kActPass;
  std::vector<std::string> candidates;
  std::vector<RemoteMedia> media;  // Only audio and video sections with a port != 0.
  const RemoteMedia* Find(Kind kind) const;
};

// Checks an answer against our offer and extracts what the transport needs. Fails (with a
// message fit for the peer) when the answer lacks ICE credentials, a DTLS fingerprint
// (no plaintext fallback, ever), rtcp-mux, or names codecs we did not offer, or when it
// answers setup:actpass.
Expected<RemoteDescription> AcceptAnswer(const Session& offer, const Session& answer);

// The answerer's side: checks a remote offer (fingerprint, ICE credentials, rtcp-mux, BUNDLE)
// and builds our answer, keeping the offer's payload types for the codecs we share. We answer
// setup:active (we are the DTLS client), as browsers do. A section of a kind `opt` leaves out
// (OfferOptions::audio or ::video false), like one with no codec we share, is rejected: answered
// with port 0 and left out of BUNDLE; its entry in `remote` is inactive, with no codecs.
struct AnswerResult {
  Session answer;
  RemoteDescription remote;
};
Expected<AnswerResult> AnswerOffer(const Session& offer, const LocalTransport& local,
                                   const CodecSet& codecs, const OfferOptions& opt,
                                   uint64_t session_id);

}  // namespace mcu::media::sdp
