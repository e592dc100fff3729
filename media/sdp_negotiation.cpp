// Offer/answer (media/sdp.h): the MCU's offer, checking a site's answer against it, and
// answering another MCU's offer; parsing and writing SDP text are in media/sdp.cpp.
#include <algorithm>
#include <sstream>

#include "media/sdp.h"
#include "media/sdp_detail.h"

namespace mcu::media::sdp {
namespace {

using detail::Lower;

// Session-level values fill in what a media section leaves out.
void InheritTransport(const Session& s, Media& m) {
  if (m.ice_ufrag.empty()) m.ice_ufrag = s.ice_ufrag;
  if (m.ice_pwd.empty()) m.ice_pwd = s.ice_pwd;
  if (!m.fingerprint) m.fingerprint = s.fingerprint;
  if (!m.setup) m.setup = s.setup;
}

bool SameCodec(const Codec& a, const Codec& b) {
  if (Lower(a.name) != Lower(b.name) || a.clock_rate != b.clock_rate) return false;
  if (Lower(a.name) == "h264") {
    // Same packetization mode is what decoding needs; profiles are negotiated by level-asymmetry.
    auto mode = [](const std::string& f) {
      return f.find("packetization-mode=1") != std::string::npos ? 1 : 0;
    };
    // The profile (profile_idc, the first byte of profile-level-id) must match; the level may
    // differ (RFC 6184 level-asymmetry).
    auto profile = [](const std::string& f) {
      auto at = f.find("profile-level-id=");
      return at == std::string::npos ? std::string("42") : Lower(f.substr(at + 17, 2));
    };
    return mode(a.fmtp) == mode(b.fmtp) && profile(a.fmtp) == profile(b.fmtp);
  }
  return true;
}

// The transport parameters of a bundled description: those of the first usable media section.
Expected<RemoteDescription> ExtractRemote(const Session& s, std::string_view what) {
  RemoteDescription r;
  bool have_transport = false;
  for (const auto& m0 : s.media) {
    Media m = m0;
    InheritTransport(s, m);
    if (m.port == 0 || (m.kind != Kind::kAudio && m.kind != Kind::kVideo)) continue;
    if (!have_transport) {
      if (m.ice_ufrag.empty() || m.ice_pwd.empty())
        return MakeError(ErrorKind::kInvalid, std::string(what) + " has no ICE credentials");
      if (!m.fingerprint)
        return MakeError(ErrorKind::kInvalid,
                         std::string(what) + " has no DTLS fingerprint; encryption is required");
      if (m.fingerprint->algorithm != "sha-256")
        return MakeError(ErrorKind::kInvalid, std::string(what) + " fingerprint must be sha-256");
      if (!m.rtcp_mux)
        return MakeError(ErrorKind::kInvalid, std::string(what) + " must use rtcp-mux");
      r.ice_ufrag = m.ice_ufrag;
      r.ice_pwd = m.ice_pwd;
      r.fingerprint = *m.fingerprint;
      r.setup = m.setup.value_or(Setup::kActPass);
      have_transport = true;
    }
    r.candidates.insert(r.candidates.end(), m.candidates.begin(), m.candidates.end());
    RemoteMedia rm;
    rm.kind = m.kind;
    rm.mid = m.mid;
    rm.direction = m.direction;
    rm.ssrcs = m.ssrcs;
    rm.codecs = m.codecs;
    r.media.push_back(std::move(rm));
  }
  if (!have_transport)
    return MakeError(ErrorKind::kInvalid, std::string(what) + " has no audio or video section");
  return r;
}

}  // namespace

CodecSet DefaultCodecs() {
  CodecSet set;
  set.audio.push_back(Codec{111, "opus", 48000, 2, "minptime=10;useinbandfec=1", {}});
  const std::vector<std::string> video_fb = {"nack", "nack pli", "ccm fir"};
  set.video.push_back(Codec{96, "VP8", 90000, 0, "", video_fb});
  set.video.push_back(
      Codec{102, "H264", 90000, 0,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", video_fb});
  return set;
}

namespace {

Media MakeLocalMedia(Kind kind, const std::string& mid, const LocalTransport& local,
                     std::vector<Codec> codecs, uint32_t ssrc, const OfferOptions& opt,
                     Setup setup) {
  Media m;
  m.kind = kind;
  m.kind_name = std::string(ToString(kind));
  m.protocol = "UDP/TLS/RTP/SAVPF";
  m.rtcp_port = 9;  // JSEP's placeholder: RTCP is muxed on the ICE-chosen pair.
  m.rtcp_address = "0.0.0.0";
  m.mid = mid;
  m.direction = Direction::kSendRecv;
  m.rtcp_mux = true;
  m.codecs = std::move(codecs);
  m.ice_ufrag = local.ice_ufrag;
  m.ice_pwd = local.ice_pwd;
  m.fingerprint = local.fingerprint;
  m.setup = setup;
  m.cname = opt.cname;
  m.msid = opt.stream_id + " " + opt.stream_id + "-" + std::string(ToString(kind));
  if (ssrc) m.ssrcs.push_back(ssrc);
  m.other.emplace_back("ice-options:trickle");
  if (mid == "0") {  // With BUNDLE, candidates belong to the first m-line's transport.
    m.candidates = local.candidates;
    m.end_of_candidates = true;
  }
  return m;
}

}  // namespace

Session BuildOffer(const LocalTransport& local, const CodecSet& codecs, const OfferOptions& opt,
                   uint64_t session_id) {
  Session s;
  s.session_id = session_id;
  s.session_version = 2;
  if (opt.audio) {
    s.media.push_back(MakeLocalMedia(Kind::kAudio, "0", local, codecs.audio, opt.audio_ssrc, opt,
                                     Setup::kActPass));
  }
  if (opt.video) {
    std::string mid = opt.audio ? "1" : "0";
    s.media.push_back(MakeLocalMedia(Kind::kVideo, mid, local, codecs.video, opt.video_ssrc, opt,
                                     Setup::kActPass));
  }
  for (const auto& m : s.media) s.bundle_mids.push_back(m.mid);
  return s;
}

Expected<RemoteDescription> AcceptAnswer(const Session& offer, const Session& answer) {
  auto remote = ExtractRemote(answer, "answer");
  if (!remote) return remote;
  if (remote->setup == Setup::kActPass)
    return MakeError(ErrorKind::kInvalid, "answer must not use setup:actpass");
  for (auto& rm : remote->media) {
    const Media* offered = nullptr;
    for (const auto& om : offer.media)
      if (om.mid == rm.mid && om.kind == rm.kind) offered = &om;
    if (!offered)
      return MakeError(ErrorKind::kInvalid,
                       "answer has an m-line (mid " + rm.mid + ") we did not offer");
    for (const auto& c : rm.codecs) {
      const Codec* oc = offered->FindCodec(c.payload_type);
      if (!oc || !SameCodec(*oc, c))
        return MakeError(ErrorKind::kInvalid, "answer uses payload type " +
                                                  std::to_string(c.payload_type) +
                                                  " that was not offered as " + c.name);
    }
    if (rm.codecs.empty()) rm.direction = Direction::kInactive;
  }
  return remote;
}

Expected<AnswerResult> AnswerOffer(const Session& offer_in, const LocalTransport& local,
                                   const CodecSet& codecs, const OfferOptions& opt,
                                   uint64_t session_id) {
  if (offer_in.bundle_mids.empty()) return MakeError(ErrorKind::kInvalid, "offer must use BUNDLE");
  // A bundle-only section (port 0 with a=bundle-only) is part of the bundle, not rejected.
  Session offer = offer_in;
  for (auto& m : offer.media) {
    if (m.port == 0 && std::find(m.other.begin(), m.other.end(), "bundle-only") != m.other.end())
      m.port = 9;
  }
  auto remote = ExtractRemote(offer, "offer");
  if (!remote) return remote.failure();
  // An offerer that insists on being the DTLS client gets the server side; otherwise we are client.
  Setup our_setup = remote->setup == Setup::kActive ? Setup::kPassive : Setup::kActive;
  AnswerResult result;
  Session& a = result.answer;
  a.session_id = session_id;
  a.session_version = 2;
  bool first = true;
  // JSEP: the answer has the offer's m-lines, in the same order.
  for (const auto& om : offer.media) {
    RemoteMedia* rm = nullptr;
    for (auto& r : remote->media)
      if (r.mid == om.mid && r.kind == om.kind) rm = &r;
    std::vector<Codec> chosen;
    bool wanted = rm && (rm->kind == Kind::kAudio ? opt.audio : opt.video);
    if (wanted) {
      const auto& ours = rm->kind == Kind::kAudio ? codecs.audio : codecs.video;
      for (const auto& c : rm->codecs) {
        for (const auto& mine : ours) {
          if (SameCodec(mine, c)) {
            Codec pick = mine;
            pick.payload_type = c.payload_type;  // The offerer's payload type rules ...
            if (Lower(c.name) == "h264") pick.fmtp = c.fmtp;  // ... and so does its profile.
            chosen.push_back(pick);
            break;
          }
        }
      }
      rm->codecs = chosen;
    }
    if (chosen.empty()) {  // Rejected: data channels, unknown kinds, kinds not wanted, no common
                           // codec.
      Media m;
      m.kind = om.kind;
      m.kind_name = om.kind_name;
      m.port = 0;
      m.rtcp_port = 9;
      m.rtcp_address = "0.0.0.0";
      m.protocol = om.protocol;
      m.formats = om.formats.empty() ? std::vector<std::string>{"0"} : om.formats;
      m.mid = om.mid;
      m.direction = Direction::kInactive;
      if (rm) rm->direction = Direction::kInactive, rm->codecs.clear();
      a.media.push_back(std::move(m));
      continue;
    }
    uint32_t ssrc = rm->kind == Kind::kAudio ? opt.audio_ssrc : opt.video_ssrc;
    Media m = MakeLocalMedia(rm->kind, rm->mid, local, chosen, ssrc, opt, our_setup);
    // RFC 3264 6.1: mirror one-way directions.
    switch (rm->direction) {
      case Direction::kSendOnly:
        m.direction = Direction::kRecvOnly;
        break;
      case Direction::kRecvOnly:
        m.direction = Direction::kSendOnly;
        break;
      case Direction::kInactive:
        m.direction = Direction::kInactive;
        break;
      case Direction::kSendRecv:
        m.direction = Direction::kSendRecv;
        break;
    }
    if (m.direction == Direction::kRecvOnly || m.direction == Direction::kInactive) m.ssrcs.clear();
    m.candidates.clear();
    m.end_of_candidates = false;
    if (first) {
      m.candidates = local.candidates;
      m.end_of_candidates = true;
      first = false;
    }
    a.media.push_back(std::move(m));
    a.bundle_mids.push_back(rm->mid);
  }
  result.remote = std::move(*remote);
  return result;
}

}  // namespace mcu::media::sdp
