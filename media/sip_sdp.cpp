#include "media/sip_sdp.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <utility>

#include "media/sdp_detail.h"

namespace mcu::media::sip_sdp {
namespace {

using sdp::Codec;
using sdp::Direction;
using sdp::Kind;
using sdp::Media;
using sdp::Session;
using sdp::detail::Lower;

// What our H.264 offers and answers state: level 3.1 in profile-level-id, which every room
// system takes, raised by max-fs and max-mbps to what we decode: 1080p30.
constexpr int kOurH264Level = 0x1f;
constexpr uint32_t kOurMaxFs = 8160;      // 1920x1088 in macroblocks.
constexpr uint32_t kOurMaxMbps = 245760;  // 8160 x 30, rounded to level 4's figure.
constexpr int kPtime = 20;
const std::vector<std::string> kVideoFeedback = {"nack", "nack pli", "ccm fir"};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

template <typename T>
bool ToNumber(std::string_view s, T& out, int base = 10) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && p == s.data() + s.size();
}

bool IsCrypto(const std::string& attribute) { return attribute.rfind("crypto:", 0) == 0; }
bool IsTelephoneEvent(const Codec& c) { return Lower(c.name) == "telephone-event"; }
bool IsH264(const Codec& c) { return Lower(c.name) == "h264"; }

// ----- H.264 -------------------------------------------------------------------------------

struct Level {
  int idc;  // level_idc; 9 stands for level 1b.
  uint32_t max_mbps, max_fs, max_br_kbps;
};
// H.264 table A-1, in ascending order (max_br for baseline and main: cpbBrVclFactor 1000).
constexpr Level kLevels[] = {
    {10, 1485, 99, 64},          {9, 1485, 99, 128},          {11, 3000, 396, 192},
    {12, 6000, 396, 384},        {13, 11880, 396, 768},       {20, 11880, 396, 2000},
    {21, 19800, 792, 4000},      {22, 20250, 1620, 4000},     {30, 40500, 1620, 10000},
    {31, 108000, 3600, 14000},   {32, 216000, 5120, 20000},   {40, 245760, 8192, 20000},
    {41, 245760, 8192, 50000},   {42, 522240, 8704, 50000},   {50, 589824, 22080, 135000},
    {51, 983040, 36864, 240000}, {52, 2073600, 36864, 240000}};

// Position in kLevels (the order of levels), or -1.
int LevelRank(int idc) {
  for (size_t i = 0; i < std::size(kLevels); ++i)
    if (kLevels[i].idc == idc) return static_cast<int>(i);
  return -1;
}

struct ProfileLevel {
  int profile_idc = 0, profile_iop = 0, level_idc = 0;  // level_idc 9: level 1b.
};

std::optional<ProfileLevel> ParseProfileLevelId(std::string_view hex) {
  uint32_t v = 0;
  if (hex.size() != 6 || !ToNumber(hex, v, 16)) return std::nullopt;
  ProfileLevel p{static_cast<int>(v >> 16), static_cast<int>((v >> 8) & 0xff),
                 static_cast<int>(v & 0xff)};
  // Level 1b of the baseline, main and extended profiles: level_idc 11 with constraint_set3.
  const bool cs3_means_1b = p.profile_idc == 0x42 || p.profile_idc == 0x4d || p.profile_idc == 0x58;
  if (p.level_idc == 11 && cs3_means_1b && (p.profile_iop & 0x10)) p.level_idc = 9;
  if (LevelRank(p.level_idc) < 0) return std::nullopt;
  return p;
}

// Profiles whose decoders take the constrained baseline we send, best first (RFC 6184 table 5:
// 42 is (constrained) baseline, 4D main, 64 high); -1: not accepted.
int ProfileRank(int profile_idc) {
  switch (profile_idc) {
    case 0x42:
      return 0;
    case 0x4d:
      return 1;
    case 0x64:
      return 2;
    default:
      return -1;
  }
}

// "profile-level-id=42e0xx": constrained baseline at level_idc (9: 1b, written 42f00b).
std::string ConstrainedBaseline(int level_idc) {
  if (level_idc == 9) return "42f00b";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "42e0";
  s += kHex[(level_idc >> 4) & 0xf];
  s += kHex[level_idc & 0xf];
  return s;
}

std::string H264Fmtp(int level_idc, int packetization_mode, uint32_t video_kbps) {
  // RFC 6184 8.1: max-br may not be below the level's MaxBR; b=AS/b=TIAS carry the real cap.
  const uint32_t max_br = std::max(video_kbps, kLevels[LevelRank(level_idc)].max_br_kbps);
  return "profile-level-id=" + ConstrainedBaseline(level_idc) +
         ";packetization-mode=" + std::to_string(packetization_mode) +
         ";max-fs=" + std::to_string(kOurMaxFs) + ";max-mbps=" + std::to_string(kOurMaxMbps) +
         ";max-br=" + std::to_string(max_br);
}

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
  if (Lower(m.protocol).rfind("udp/tls/", 0) == 0)
    return refuse("DTLS-SRTP (" + m.protocol + ") is not accepted on SIP legs yet");
  if (!IsRtpProfile(m.protocol)) return refuse("unsupported profile " + m.protocol);
  const bool audio = m.kind == Kind::kAudio;
  if (!audio && local.video_port == 0) return refuse("no video on this leg");

  // Keys: only lines of a suite we hold a key for go to sdes::Choose.
  const auto& keys = audio ? local.audio_keys : local.video_keys;
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
  auto remote_key = sdes::Choose(lines);
  if (!remote_key) return refuse(remote_key.error());

  Accepted r;
  Leg& leg = r.leg;
  leg.kind = m.kind;
  leg.mline = index;
  if (auto st = ReadTransport(offer, m, m.rtcp_mux, leg); !st) return st.failure();
  leg.direction = Mirror(m.direction);
  leg.remote_key = *remote_key;
  leg.local_key = *KeyOf(keys, remote_key->suite);
  leg.local_key.tag = remote_key->tag;  // RFC 4568 5.1.2: the answer echoes the chosen tag.

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
  r.answer.other.push_back(sdes::Write(leg.local_key));
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

Expected<H264Params> ParseH264(std::string_view fmtp) {
  H264Params p;
  while (!fmtp.empty()) {
    const size_t semi = fmtp.find(';');
    std::string_view item = Trim(fmtp.substr(0, semi));
    fmtp.remove_prefix(semi == std::string_view::npos ? fmtp.size() : semi + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string key = Lower(Trim(item.substr(0, eq)));
    const std::string_view value = Trim(item.substr(eq + 1));
    uint32_t n = 0;
    if (key == "profile-level-id") {
      p.profile_level_id = Lower(value);
    } else if (key == "packetization-mode" && ToNumber(value, n) && n <= 2) {
      p.packetization_mode = static_cast<int>(n);
    } else if (key == "max-fs" && ToNumber(value, n)) {
      p.max_fs = n;
    } else if (key == "max-mbps" && ToNumber(value, n)) {
      p.max_mbps = n;
    } else if (key == "max-br" && ToNumber(value, n)) {
      p.max_br = n;
    }
  }
  auto pl = ParseProfileLevelId(p.profile_level_id);
  if (!pl)
    return MakeError(ErrorKind::kInvalid, "invalid H.264 profile-level-id " + p.profile_level_id);
  const Level& level = kLevels[LevelRank(pl->level_idc)];
  // max-br counts in cpbBrVclFactor units: 1250 bit/s for the high profile, 1000 otherwise.
  const uint32_t factor = pl->profile_idc == 0x64 ? 1250 : 1000;
  p.limit_fs = std::max(level.max_fs, p.max_fs);
  p.limit_mbps = std::max(level.max_mbps, p.max_mbps);
  p.limit_kbps = std::max(level.max_br_kbps, p.max_br) * factor / 1000;
  return p;
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
