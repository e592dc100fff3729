#include "media/sip_sdp.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <utility>

#include "media/sdp_detail.h"
#include "media/sip_h264.h"

namespace mcu::media::sip_sdp {
namespace {

using sdp::Codec;
using sdp::Direction;
using sdp::Kind;
using sdp::Media;
using sdp::Session;
using sdp::detail::Lower;
using sdp::detail::ToNumber;
using namespace h264;  // NOLINT(google-build-using-namespace): this file's own helpers.

constexpr int kPtime = 20;
const std::vector<std::string> kVideoFeedback = {"nack", "nack pli", "ccm fir"};

bool IsCrypto(const std::string& attribute) { return attribute.rfind("crypto:", 0) == 0; }
bool IsTelephoneEvent(const Codec& c) { return Lower(c.name) == "telephone-event"; }
bool IsH264(const Codec& c) { return Lower(c.name) == "h264"; }

// ----- Sections ----------------------------------------------------------------------------

// The codecs of a section: its a=rtpmap ones, plus the static payload types written without one.
std::vector<Codec> CodecsOf(const Media& m) {
  std::vector<Codec> out;
  for (const auto& f : m.formats) {
    int pt = -1;
    if (!ToNumber(std::string_view(f), pt)) continue;
    if (const Codec* c = m.FindCodec(pt)) {
      out.push_back(*c);
    } else if (pt == 0) {
      out.push_back(Codec{0, "PCMU", 8000, 0, "", {}});
    } else if (pt == 8) {
      out.push_back(Codec{8, "PCMA", 8000, 0, "", {}});
    } else if (pt == 9) {
      out.push_back(Codec{9, "G722", 8000, 0, "", {}});
    }
  }
  return out;
}

bool SameName(const Codec& a, const Codec& b) {
  return Lower(a.name) == Lower(b.name) && a.clock_rate == b.clock_rate;
}

Feedback FeedbackOf(const Codec& c) {
  Feedback f;
  for (const auto& line : c.feedback) {
    std::string words;  // Lower case, single spaces.
    for (char ch : line) {
      if (std::isspace(static_cast<unsigned char>(ch))) {
        if (!words.empty() && words.back() != ' ') words += ' ';
      } else {
        words += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
    }
    if (!words.empty() && words.back() == ' ') words.pop_back();
    f.nack |= words == "nack";
    f.pli |= words == "nack pli";
    f.fir |= words == "ccm fir";
    f.tmmbr |= words == "ccm tmmbr";
  }
  return f;
}

std::vector<std::string> FeedbackLines(const Feedback& f) {
  std::vector<std::string> out;
  if (f.nack) out.emplace_back("nack");
  if (f.pli) out.emplace_back("nack pli");
  if (f.fir) out.emplace_back("ccm fir");
  if (f.tmmbr) out.emplace_back("ccm tmmbr");
  return out;
}

Direction Mirror(Direction d) {
  switch (d) {
    case Direction::kSendOnly:
      return Direction::kRecvOnly;
    case Direction::kRecvOnly:
      return Direction::kSendOnly;
    case Direction::kInactive:
    case Direction::kSendRecv:
      break;
  }
  return d;
}

bool IsRtpProfile(const std::string& proto) {
  const std::string p = Lower(proto);
  return p == "rtp/avp" || p == "rtp/avpf" || p == "rtp/savp" || p == "rtp/savpf";
}
bool IsDtlsProfile(const std::string& proto) {
  const std::string p = Lower(proto);
  return p == "udp/tls/rtp/savp" || p == "udp/tls/rtp/savpf";
}

const sdes::Crypto* KeyOf(const std::vector<sdes::Crypto>& keys, sdes::Suite suite) {
  for (const auto& k : keys)
    if (k.suite == suite && k.key_salt.size() == sdes::KeySaltLength(suite)) return &k;
  return nullptr;
}

// The remote's transport of a section: addresses, ports, rtcp-mux, bandwidth.
Status ReadTransport(const Session& s, const Media& m, bool mux_agreed, Leg& leg) {
  leg.remote_address = m.connection_address.empty() ? s.connection_address : m.connection_address;
  if (leg.remote_address.empty()) return MakeError(ErrorKind::kInvalid, "no c= address");
  if (leg.remote_address.find(':') != std::string::npos)
    return MakeError(ErrorKind::kInvalid, "an IPv6 media address (our media is IPv4)");
  leg.remote_rtp_port = m.port;
  leg.rtcp_mux = mux_agreed;
  leg.remote_rtcp_address = m.rtcp_address.empty() ? leg.remote_address : m.rtcp_address;
  if (mux_agreed)
    leg.remote_rtcp_port = m.port;
  else if (m.rtcp_port != 0)
    leg.remote_rtcp_port = m.rtcp_port;
  else
    leg.remote_rtcp_port = m.port == 65535 ? 0 : static_cast<uint16_t>(m.port + 1);
  leg.profile = m.protocol;
  leg.content = m.content;
  const uint32_t tias = m.bandwidth_tias_bps ? m.bandwidth_tias_bps : s.bandwidth_tias_bps;
  const uint32_t as = m.bandwidth_as_kbps ? m.bandwidth_as_kbps : s.bandwidth_as_kbps;
  leg.max_kbps = tias ? tias / 1000 : as;
  return OkStatus();
}

// Our pick among the offered codecs of one kind: ours in preference order; for H.264 the same
// packetization mode, an accepted profile, the closest to constrained baseline first.
std::optional<Codec> PickCodec(const std::vector<Codec>& ours, const std::vector<Codec>& offered) {
  for (const Codec& mine : ours) {
    if (IsTelephoneEvent(mine)) continue;
    const Codec* best = nullptr;
    int best_rank = 0;
    for (const Codec& c : offered) {
      if (!SameName(mine, c)) continue;
      int rank = 0;
      if (IsH264(c)) {
        auto theirs = ParseH264(c.fmtp);
        auto wanted = ParseH264(mine.fmtp);
        if (!theirs || theirs->packetization_mode != wanted->packetization_mode) continue;
        rank = ProfileRank(ParseProfileLevelId(theirs->profile_level_id)->profile_idc);
        if (rank < 0) continue;
      }
      if (!best || rank < best_rank) {
        best = &c;
        best_rank = rank;
      }
    }
    if (best) return *best;
  }
  return std::nullopt;
}

// The telephone-event to keep: the one at the codec's clock rate, else the first offered.
const Codec* PickTelephoneEvent(const std::vector<Codec>& offered, const Codec& chosen) {
  const Codec* first = nullptr;
  for (const Codec& c : offered) {
    if (!IsTelephoneEvent(c)) continue;
    if (c.clock_rate == chosen.clock_rate) return &c;
    if (!first) first = &c;
  }
  return first;
}

// Our m-line for a leg (offer or answer).
Media LocalSection(Kind kind, uint16_t port, const std::string& protocol, std::vector<Codec> codecs,
                   bool rtcp_mux, uint32_t ssrc, const LocalMedia& local) {
  Media m;
  m.kind = kind;
  m.kind_name = std::string(sdp::ToString(kind));
  m.port = port;
  m.protocol = protocol;
  for (const auto& c : codecs) m.formats.push_back(std::to_string(c.payload_type));
  m.codecs = std::move(codecs);
  m.rtcp_mux = rtcp_mux;
  if (!rtcp_mux) m.rtcp_port = static_cast<uint16_t>(port + 1);
  if (ssrc) m.ssrcs.push_back(ssrc);
  m.cname = local.cname;
  if (kind == Kind::kVideo) {
    m.bandwidth_as_kbps = local.video_kbps;
    m.bandwidth_tias_bps = local.video_kbps * 1000;
  }
  return m;
}

Media Declined(const Media& offered) {
  Media m;
  m.kind = offered.kind;
  m.kind_name = offered.kind_name;
  m.port = 0;
  m.protocol = offered.protocol;
  m.formats = offered.formats.empty() ? std::vector<std::string>{"0"} : offered.formats;
  m.direction = Direction::kInactive;
  return m;
}

// An offered section we can take: the leg, and our answer's m-line for it.
struct Accepted {
  Leg leg;
  Media answer;
};

Expected<Accepted> AcceptSection(const Session& offer, size_t index, const LocalMedia& local) {
  const Media& m = offer.media[index];
  auto refuse = [](std::string why) { return MakeError(ErrorKind::kInvalid, std::move(why)); };
  if (m.kind != Kind::kAudio && m.kind != Kind::kVideo) return refuse("not audio or video");
  if (m.port == 0) return refuse("declined by the offerer");
  const bool dtls = IsDtlsProfile(m.protocol);
  if (!dtls && !IsRtpProfile(m.protocol)) return refuse("unsupported profile " + m.protocol);
  const bool audio = m.kind == Kind::kAudio;
  if (!audio && local.video_port == 0) return refuse("no video on this leg");

  Accepted r;
  Leg& leg = r.leg;
  const auto& keys = audio ? local.audio_keys : local.video_keys;
  if (dtls) {
    // DTLS-SRTP: the remote's certificate fingerprint, and who starts the handshake.
    const auto& fp = m.fingerprint ? m.fingerprint : offer.fingerprint;
    if (local.dtls_fingerprint.empty()) return refuse("DTLS-SRTP is not available here");
    if (!fp) return refuse("DTLS-SRTP (" + m.protocol + ") without a=fingerprint");
    if (fp->algorithm != "sha-256")
      return refuse("DTLS fingerprint " + fp->algorithm + ": only sha-256 is accepted");
    const auto setup = m.setup ? m.setup : offer.setup;
    leg.dtls = Leg::Dtls{fp->value, setup != sdp::Setup::kActive};
  } else {
    // SDES: only lines of a suite we hold a key for go to sdes::Choose.
    std::vector<std::string> lines;
    bool any_crypto = false;
    for (const auto& a : m.other) {
      if (!IsCrypto(a)) continue;
      any_crypto = true;
      auto c = sdes::ParseCrypto(a);
      if (!c || KeyOf(keys, c->suite)) lines.push_back(a);
    }
    if (!any_crypto) return refuse("no SRTP offered (" + m.protocol + " without a=crypto)");
    if (lines.empty()) return refuse("no crypto line of a suite we hold a key for");
    // Our keys' order is our preference (a classified conference's legs put AES-GCM first).
    std::vector<sdes::Suite> order;
    order.reserve(keys.size());
    for (const auto& k : keys) order.push_back(k.suite);
    auto remote_key = sdes::Choose(lines, order);
    if (!remote_key) return refuse(remote_key.error());
    leg.remote_key = *remote_key;
    leg.local_key = *KeyOf(keys, remote_key->suite);
    leg.local_key.tag = remote_key->tag;  // RFC 4568 5.1.2: the answer echoes the chosen tag.
  }
  leg.kind = m.kind;
  leg.mline = index;
  if (auto st = ReadTransport(offer, m, m.rtcp_mux, leg); !st) return st.failure();
  leg.direction = Mirror(m.direction);
  const std::string& ufrag = m.ice_ufrag.empty() ? offer.ice_ufrag : m.ice_ufrag;
  const std::string& pwd = m.ice_pwd.empty() ? offer.ice_pwd : m.ice_pwd;
  if (!ufrag.empty() && !pwd.empty() && !local.ice_ufrag.empty()) leg.ice = Leg::Ice{ufrag, pwd};

  const auto ours = DefaultCodecs();
  const auto offered = CodecsOf(m);
  auto chosen = PickCodec(audio ? ours.audio : ours.video, offered);
  if (!chosen) return refuse(std::string("no ") + (audio ? "audio" : "video") + " codec in common");
  leg.codec = *chosen;
  leg.feedback = FeedbackOf(*chosen);

  // Our side of the chosen codec: our parameters, the offer's payload type, and the feedback
  // we handle among what was offered (TMMBR too: the remote may cap our rate).
  const auto& our_list = audio ? ours.audio : ours.video;
  Codec c = *std::find_if(our_list.begin(), our_list.end(),
                          [&](const Codec& mine) { return SameName(mine, *chosen); });
  c.payload_type = chosen->payload_type;
  if (IsH264(c)) {
    leg.h264 = *ParseH264(chosen->fmtp);
    auto theirs = ParseProfileLevelId(leg.h264.profile_level_id);
    const int level =
        LevelRank(theirs->level_idc) < LevelRank(kOurH264Level) ? theirs->level_idc : kOurH264Level;
    c.fmtp = H264Fmtp(level, leg.h264.packetization_mode, local.video_kbps);
  }
  if (!audio) c.feedback = FeedbackLines(leg.feedback);
  std::vector<Codec> answer_codecs = {std::move(c)};
  if (audio) {
    if (const Codec* offered_te = PickTelephoneEvent(offered, *chosen)) {
      Codec te = *std::find_if(ours.audio.begin(), ours.audio.end(), IsTelephoneEvent);
      te.payload_type = offered_te->payload_type;
      te.clock_rate = offered_te->clock_rate;
      leg.telephone_event_pt = te.payload_type;
      answer_codecs.push_back(std::move(te));
    }
  }

  r.answer = LocalSection(m.kind, audio ? local.audio_port : local.video_port, m.protocol,
                          std::move(answer_codecs), m.rtcp_mux,
                          audio ? local.audio_ssrc : local.video_ssrc, local);
  r.answer.direction = leg.direction;
  r.answer.content = m.content;
  if (leg.ice) {
    // ICE-lite: our one host candidate per component (RFC 8445 5.1.2: type preference 126).
    r.answer.ice_ufrag = local.ice_ufrag;
    r.answer.ice_pwd = local.ice_pwd;
    const uint16_t port = r.answer.port;
    for (int component = 1; component <= (m.rtcp_mux ? 1 : 2); ++component)
      r.answer.candidates.push_back(
          "candidate:1 " + std::to_string(component) + " UDP " +
          std::to_string((126u << 24) | (65535u << 8) | (256u - component)) + " " + local.address +
          " " + std::to_string(port + component - 1) + " typ host");
    r.answer.end_of_candidates = true;
  }
  if (leg.dtls) {
    r.answer.fingerprint = sdp::Fingerprint{"sha-256", local.dtls_fingerprint};
    r.answer.setup = leg.dtls->client ? sdp::Setup::kActive : sdp::Setup::kPassive;
  } else {
    r.answer.other.push_back(sdes::Write(leg.local_key));
  }
  if (audio) r.answer.other.push_back("ptime:" + std::to_string(kPtime));
  return r;
}

}  // namespace

sdp::CodecSet DefaultCodecs() {
  sdp::CodecSet set;
  set.audio = {Codec{111, "opus", 48000, 2, "useinbandfec=1", {}},
               Codec{9, "G722", 8000, 0, "", {}}, Codec{0, "PCMU", 8000, 0, "", {}},
               Codec{8, "PCMA", 8000, 0, "", {}},
               Codec{101, "telephone-event", 8000, 0, "0-15", {}}};
  set.video = {Codec{109, "H264", 90000, 0, "profile-level-id=42e01f;packetization-mode=1", {}},
               Codec{110, "H264", 90000, 0, "profile-level-id=42e01f;packetization-mode=0", {}},
               Codec{96, "VP8", 90000, 0, "", {}}};
  return set;
}

Expected<Answer> AnswerOffer(const Session& offer, const LocalMedia& local, uint64_t session_id) {
  std::vector<std::optional<Accepted>> accepted(offer.media.size());
  std::string why_no_audio;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    auto r = AcceptSection(offer, i, local);
    if (r) {
      accepted[i] = std::move(*r);
    } else if (offer.media[i].kind == Kind::kAudio) {
      why_no_audio += (why_no_audio.empty() ? "" : "; ") + std::string("m-line ") +
                      std::to_string(i) + " (" + offer.media[i].protocol + "): " + r.error();
    }
  }
  // One audio leg: the first acceptable section. One video leg: a=content:main, else the first
  // acceptable one not marked as slides.
  std::optional<size_t> audio, video;
  for (size_t i = 0; i < accepted.size(); ++i) {
    if (!accepted[i]) continue;
    const Leg& leg = accepted[i]->leg;
    if (leg.kind == Kind::kAudio && !audio) audio = i;
    if (leg.kind == Kind::kVideo && leg.content == "main") video = i;
  }
  for (size_t i = 0; i < accepted.size() && !video; ++i) {
    if (accepted[i] && accepted[i]->leg.kind == Kind::kVideo &&
        accepted[i]->leg.content != "slides")
      video = i;
  }
  if (!audio) {
    if (why_no_audio.empty()) why_no_audio = "the offer has no audio m-line";
    return MakeError(ErrorKind::kInvalid, "no acceptable audio section: " + why_no_audio);
  }

  Answer result;
  Session& a = result.answer;
  a.session_id = session_id;
  a.session_version = 1;
  a.origin_address = local.address;
  a.connection_address = local.address;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    if (i == audio || i == video) {
      a.media.push_back(accepted[i]->answer);
      result.legs.push_back(accepted[i]->leg);
    } else {
      a.media.push_back(Declined(offer.media[i]));
    }
  }
  std::stable_sort(result.legs.begin(), result.legs.end(), [](const Leg& x, const Leg& y) {
    return x.kind == Kind::kAudio && y.kind != Kind::kAudio;
  });
  a.ice_lite = std::any_of(result.legs.begin(), result.legs.end(),
                           [](const Leg& l) { return l.ice.has_value(); });
  return result;
}

Session BuildOffer(const LocalMedia& local, uint64_t session_id) {
  Session s;
  s.session_id = session_id;
  s.session_version = 1;
  s.origin_address = local.address;
  s.connection_address = local.address;
  const auto codecs = DefaultCodecs();
  auto add = [&](Kind kind, uint16_t port, std::vector<Codec> list,
                 const std::vector<sdes::Crypto>& keys, uint32_t ssrc) {
    Media m = LocalSection(kind, port, "RTP/SAVP", std::move(list), true, ssrc, local);
    m.rtcp_port = static_cast<uint16_t>(port + 1);  // Where RTCP goes if rtcp-mux is refused.
    int tag = 0;
    for (const auto& k : keys) {
      if (KeyOf(keys, k.suite) != &k) continue;  // Wrong length, or a second key of a suite.
      sdes::Crypto line = k;
      line.tag = ++tag;
      m.other.push_back(sdes::Write(line));
    }
    if (kind == Kind::kAudio) m.other.push_back("ptime:" + std::to_string(kPtime));
    if (kind == Kind::kVideo)
      for (const auto& fb : kVideoFeedback) m.other.push_back("rtcp-fb:* " + fb);
    s.media.push_back(std::move(m));
  };
  add(Kind::kAudio, local.audio_port, codecs.audio, local.audio_keys, local.audio_ssrc);
  if (local.video_port != 0) {
    auto video = codecs.video;
    for (auto& c : video) {
      if (IsH264(c))
        c.fmtp = H264Fmtp(kOurH264Level, ParseH264(c.fmtp)->packetization_mode, local.video_kbps);
    }
    add(Kind::kVideo, local.video_port, std::move(video), local.video_keys, local.video_ssrc);
  }
  return s;
}

Expected<std::vector<Leg>> AcceptAnswer(const Session& our_offer, const Session& answer,
                                        const LocalMedia& local) {
  auto refuse = [](std::string why) {
    return MakeError(ErrorKind::kInvalid, "answer refused: " + std::move(why));
  };
  if (answer.media.size() != our_offer.media.size())
    return refuse("it has " + std::to_string(answer.media.size()) + " m-lines, the offer " +
                  std::to_string(our_offer.media.size()));
  std::vector<Leg> legs;
  for (size_t i = 0; i < answer.media.size(); ++i) {
    const Media& om = our_offer.media[i];
    const Media& am = answer.media[i];
    const std::string where = "m-line " + std::to_string(i) + ": ";
    if (am.kind != om.kind) return refuse(where + "its kind differs from the offer's");
    if (am.port == 0) {
      if (om.kind == Kind::kAudio) return refuse(where + "audio declined");
      continue;
    }
    if (!IsRtpProfile(am.protocol)) return refuse(where + "unsupported profile " + am.protocol);

    // Codecs: each answered payload type must be one we offered, as the same codec.
    const auto offered = CodecsOf(om);
    std::vector<Codec> answered;
    for (const auto& f : am.formats) {
      int pt = -1;
      const Codec* c = nullptr;
      if (ToNumber(std::string_view(f), pt)) {
        for (const auto& oc : offered)
          if (oc.payload_type == pt) c = &oc;
      }
      if (!c) return refuse(where + "payload type " + f + " was not offered");
      Codec got = *c;
      if (const Codec* ac = am.FindCodec(pt)) {
        if (!SameName(*ac, *c))
          return refuse(where + "payload type " + f + " was offered as " + c->name + ", not " +
                        ac->name);
        got.fmtp = ac->fmtp;
        got.feedback = ac->feedback;
      }
      answered.push_back(std::move(got));
    }
    auto chosen = std::find_if_not(answered.begin(), answered.end(), IsTelephoneEvent);
    if (chosen == answered.end()) return refuse(where + "no codec");

    Leg leg;
    leg.kind = am.kind;
    leg.mline = i;
    if (auto st = ReadTransport(answer, am, om.rtcp_mux && am.rtcp_mux, leg); !st)
      return refuse(where + st.error());
    leg.direction = Mirror(am.direction);
    leg.codec = *chosen;
    leg.feedback = FeedbackOf(*chosen);
    for (const auto& c : answered)
      if (IsTelephoneEvent(c)) leg.telephone_event_pt = c.payload_type;
    if (IsH264(*chosen)) {
      auto h264 = ParseH264(chosen->fmtp);
      if (!h264) return refuse(where + h264.error());
      if (h264->packetization_mode !=
          ParseH264(om.FindCodec(chosen->payload_type)->fmtp)->packetization_mode)
        return refuse(where + "payload type " + std::to_string(chosen->payload_type) +
                      " changes its packetization-mode");
      leg.h264 = *h264;
    }

    // Keys: the answer's line must carry a tag we offered, with that tag's suite.
    std::vector<std::string> lines;
    std::copy_if(am.other.begin(), am.other.end(), std::back_inserter(lines), IsCrypto);
    if (lines.empty()) return refuse(where + "no a=crypto line: SRTP is required");
    auto remote_key = sdes::Choose(lines);
    if (!remote_key) return refuse(where + remote_key.error());
    std::optional<sdes::Crypto> ours;
    for (const auto& a : om.other) {
      if (!IsCrypto(a)) continue;
      auto c = sdes::ParseCrypto(a);
      if (c && c->tag == remote_key->tag) ours = *c;
    }
    if (!ours)
      return refuse(where + "crypto tag " + std::to_string(remote_key->tag) + " was not offered");
    if (ours->suite != remote_key->suite)
      return refuse(where + "crypto tag " + std::to_string(remote_key->tag) + " was offered as " +
                    std::string(sdes::ToString(ours->suite)) + ", not " +
                    std::string(sdes::ToString(remote_key->suite)));
    const auto& keys = am.kind == Kind::kAudio ? local.audio_keys : local.video_keys;
    const sdes::Crypto* key = KeyOf(keys, ours->suite);
    if (!key || key->key_salt != ours->key_salt)
      return MakeError(ErrorKind::kInternal, where + "our offer's key is not this leg's key");
    leg.remote_key = *remote_key;
    leg.local_key = *ours;
    legs.push_back(std::move(leg));
  }
  return legs;
}

}  // namespace mcu::media::sip_sdp
