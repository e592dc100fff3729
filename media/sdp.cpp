#include "media/sdp.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>

#include "media/sdp_detail.h"

namespace mcu::media::sdp {
namespace {

using detail::Lower;

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  for (auto w : Split(s, ' ')) {
    if (!w.empty()) out.push_back(w);
  }
  return out;
}

template <typename T>
bool ToNumber(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::optional<Setup> ParseSetup(std::string_view v) {
  if (v == "actpass") return Setup::kActPass;
  if (v == "active") return Setup::kActive;
  if (v == "passive") return Setup::kPassive;
  return std::nullopt;
}

std::optional<Fingerprint> ParseFingerprint(std::string_view v) {
  auto w = Words(v);
  if (w.size() != 2) return std::nullopt;
  Fingerprint fp{Lower(w[0]), NormalizeFingerprint(w[1])};
  if (fp.value.empty()) return std::nullopt;
  return fp;
}

Kind KindOf(std::string_view name) {
  if (name == "audio") return Kind::kAudio;
  if (name == "video") return Kind::kVideo;
  if (name == "application") return Kind::kApplication;
  return Kind::kOther;
}

Codec* FindMutableCodec(Media& m, int pt) {
  for (auto& c : m.codecs)
    if (c.payload_type == pt) return &c;
  return nullptr;
}

// Handles one "a=" line for a media section (or the session when m == nullptr).
Status ParseAttribute(std::string_view attr, Session& s, Media* m) {
  std::string_view name = attr, value;
  if (auto colon = attr.find(':'); colon != std::string_view::npos) {
    name = attr.substr(0, colon);
    value = attr.substr(colon + 1);
  }
  std::string& ufrag = m ? m->ice_ufrag : s.ice_ufrag;
  std::string& pwd = m ? m->ice_pwd : s.ice_pwd;
  std::optional<Fingerprint>& fp = m ? m->fingerprint : s.fingerprint;
  std::optional<Setup>& setup = m ? m->setup : s.setup;

  if (name == "ice-ufrag") {
    ufrag = value;
  } else if (name == "ice-pwd") {
    pwd = value;
  } else if (name == "fingerprint") {
    fp = ParseFingerprint(value);
    if (!fp) return MakeError(ErrorKind::kInvalid, "invalid a=fingerprint");
  } else if (name == "setup") {
    setup = ParseSetup(value);
    if (!setup) return MakeError(ErrorKind::kInvalid, "invalid a=setup");
  } else if (name == "ice-lite" && !m) {
    s.ice_lite = true;
  } else if (name == "group" && !m) {
    auto w = Words(value);
    if (!w.empty() && w[0] == "BUNDLE") {
      s.bundle_mids.assign(w.begin() + 1, w.end());
    }
  } else if (!m) {
    // Other session-level attributes (msid-semantic, extmap-allow-mixed, ...) are not needed.
  } else if (name == "mid") {
    m->mid = value;
  } else if (name == "sendrecv") {
    m->direction = Direction::kSendRecv;
  } else if (name == "sendonly") {
    m->direction = Direction::kSendOnly;
  } else if (name == "recvonly") {
    m->direction = Direction::kRecvOnly;
  } else if (name == "inactive") {
    m->direction = Direction::kInactive;
  } else if (name == "rtcp-mux") {
    m->rtcp_mux = true;
  } else if (name == "rtcp") {
    // a=rtcp:<port> [IN IP4 <address>]
    auto w = Words(value);
    unsigned port;
    if (w.empty() || !ToNumber(w[0], port) || port == 0 || port > 65535 ||
        (w.size() != 1 && (w.size() != 4 || w[1] != "IN")))
      return MakeError(ErrorKind::kInvalid, "invalid a=rtcp");
    m->rtcp_port = static_cast<uint16_t>(port);
    m->rtcp_address = w.size() == 4 ? std::string(w[3]) : std::string();
  } else if (name == "content") {
    m->content = value;
  } else if (name == "candidate") {
    m->candidates.emplace_back(attr);
  } else if (name == "end-of-candidates") {
    m->end_of_candidates = true;
  } else if (name == "msid") {
    m->msid = value;
  } else if (name == "rtpmap") {
    // a=rtpmap:<pt> <name>/<clock>[/<channels>]
    auto w = Words(value);
    int pt;
    if (w.size() != 2 || !ToNumber(w[0], pt) || pt < 0 || pt > 127)
      return MakeError(ErrorKind::kInvalid, "invalid a=rtpmap");
    auto enc = Split(w[1], '/');
    Codec c;
    c.payload_type = pt;
    c.name = enc[0];
    if (enc.size() < 2 || !ToNumber(enc[1], c.clock_rate) || c.clock_rate <= 0)
      return MakeError(ErrorKind::kInvalid, "invalid clock rate in a=rtpmap");
    if (enc.size() > 2 && (!ToNumber(enc[2], c.channels) || c.channels <= 0 || c.channels > 8))
      return MakeError(ErrorKind::kInvalid, "invalid channels in a=rtpmap");
    if (FindMutableCodec(*m, pt)) return MakeError(ErrorKind::kInvalid, "duplicate a=rtpmap");
    m->codecs.push_back(std::move(c));
  } else if (name == "fmtp" || name == "rtcp-fb") {
    auto space = value.find(' ');
    int pt;
    if (space == std::string_view::npos)
      return MakeError(ErrorKind::kInvalid, "invalid a=" + std::string(name));
    auto pt_text = value.substr(0, space);
    auto rest = value.substr(space + 1);
    if (pt_text == "*" && name == "rtcp-fb") {  // Applied to every codec once all are known.
      m->other.emplace_back(attr);
      return OkStatus();
    }
    if (!ToNumber(pt_text, pt))
      return MakeError(ErrorKind::kInvalid, "invalid a=" + std::string(name));
    Codec* c = FindMutableCodec(*m, pt);
    if (!c) {  // Attribute before its rtpmap (allowed), or for a format without rtpmap.
      m->other.emplace_back(attr);
      return OkStatus();
    }
    if (name == "fmtp")
      c->fmtp = rest;
    else
      c->feedback.emplace_back(rest);
  } else if (name == "ssrc") {
    // a=ssrc:<ssrc> <attribute>[:<value>]
    auto space = value.find(' ');
    uint32_t ssrc;
    if (!ToNumber(value.substr(0, space), ssrc))
      return MakeError(ErrorKind::kInvalid, "invalid a=ssrc");
    if (std::find(m->ssrcs.begin(), m->ssrcs.end(), ssrc) == m->ssrcs.end())
      m->ssrcs.push_back(ssrc);
    if (space != std::string_view::npos) {
      auto rest = value.substr(space + 1);
      if (rest.rfind("cname:", 0) == 0 && m->cname.empty()) m->cname = rest.substr(6);
    }
  } else {
    m->other.emplace_back(attr);
  }
  return OkStatus();
}

// "IN IP4 <address>[/ttl]" or "IN IP6 <address>": the address.
Expected<std::string> ParseConnection(std::string_view value) {
  auto w = Words(value);
  if (w.size() != 3 || w[0] != "IN" || (w[1] != "IP4" && w[1] != "IP6") || w[2].empty())
    return MakeError(ErrorKind::kInvalid, "invalid c= line");
  return std::string(w[2].substr(0, w[2].find('/')));
}

// "AS:<kbps>" or "TIAS:<bps>"; other modifiers (CT, RS, RR) are ignored.
Status ParseBandwidth(std::string_view value, uint32_t& as_kbps, uint32_t& tias_bps) {
  auto colon = value.find(':');
  if (colon == std::string_view::npos) return MakeError(ErrorKind::kInvalid, "invalid b= line");
  auto modifier = value.substr(0, colon);
  uint32_t* out = modifier == "AS" ? &as_kbps : modifier == "TIAS" ? &tias_bps : nullptr;
  if (out && !ToNumber(value.substr(colon + 1), *out))
    return MakeError(ErrorKind::kInvalid, "invalid b=" + std::string(modifier));
  return OkStatus();
}

std::string_view AddressType(const std::string& address) {
  return address.find(':') == std::string::npos ? "IP4" : "IP6";
}

void WriteBandwidth(std::ostringstream& o, uint32_t as_kbps, uint32_t tias_bps) {
  if (as_kbps) o << "b=AS:" << as_kbps << "\r\n";
  if (tias_bps) o << "b=TIAS:" << tias_bps << "\r\n";
}

void WriteTransport(std::ostringstream& o, const std::string& ufrag, const std::string& pwd,
                    const std::optional<Fingerprint>& fp, const std::optional<Setup>& setup) {
  if (!ufrag.empty()) o << "a=ice-ufrag:" << ufrag << "\r\n";
  if (!pwd.empty()) o << "a=ice-pwd:" << pwd << "\r\n";
  if (fp) o << "a=fingerprint:" << fp->algorithm << " " << fp->value << "\r\n";
  if (setup) o << "a=setup:" << ToString(*setup) << "\r\n";
}

}  // namespace

std::string_view ToString(Kind k) {
  switch (k) {
    case Kind::kAudio:
      return "audio";
    case Kind::kVideo:
      return "video";
    case Kind::kApplication:
      return "application";
    case Kind::kOther:
      break;
  }
  return "other";
}

std::string_view ToString(Direction d) {
  switch (d) {
    case Direction::kSendRecv:
      return "sendrecv";
    case Direction::kSendOnly:
      return "sendonly";
    case Direction::kRecvOnly:
      return "recvonly";
    case Direction::kInactive:
      break;
  }
  return "inactive";
}

std::string_view ToString(Setup s) {
  switch (s) {
    case Setup::kActPass:
      return "actpass";
    case Setup::kActive:
      return "active";
    case Setup::kPassive:
      break;
  }
  return "passive";
}

const Codec* Media::FindCodec(int pt) const {
  for (const auto& c : codecs)
    if (c.payload_type == pt) return &c;
  return nullptr;
}

const RemoteMedia* RemoteDescription::Find(Kind kind) const {
  for (const auto& m : media)
    if (m.kind == kind) return &m;
  return nullptr;
}

bool Candidate::mdns() const {
  return address.size() > 6 && Lower(address.substr(address.size() - 6)) == ".local";
}

Expected<Candidate> ParseCandidate(std::string_view text) {
  if (text.rfind("a=", 0) == 0) text.remove_prefix(2);
  if (text.rfind("candidate:", 0) != 0)
    return MakeError(ErrorKind::kInvalid, "a candidate starts with \"candidate:\"");
  text.remove_prefix(10);
  auto w = Words(text);
  // foundation component transport priority address port "typ" type [extensions...]
  if (w.size() < 8 || w[6] != "typ")
    return MakeError(
        ErrorKind::kInvalid,
        "candidate: expected \"foundation component transport priority address port typ type\"");
  Candidate c;
  auto ice_char = [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '+' || ch == '/';
  };
  if (w[0].size() > 32 || !std::all_of(w[0].begin(), w[0].end(), ice_char))
    return MakeError(ErrorKind::kInvalid, "candidate: invalid foundation");
  c.foundation = std::string(w[0]);
  if (!ToNumber(w[1], c.component) || c.component < 1 || c.component > 256)
    return MakeError(ErrorKind::kInvalid, "candidate: invalid component");
  c.transport = Lower(w[2]);
  if (c.transport != "udp" && c.transport != "tcp")
    return MakeError(ErrorKind::kInvalid, "candidate: transport must be udp or tcp");
  if (!ToNumber(w[3], c.priority))
    return MakeError(ErrorKind::kInvalid, "candidate: invalid priority");
  auto addr_char = [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == ':' || ch == '-';
  };
  if (w[4].empty() || w[4].size() > 255 || !std::all_of(w[4].begin(), w[4].end(), addr_char))
    return MakeError(ErrorKind::kInvalid, "candidate: invalid address");
  c.address = std::string(w[4]);
  int port = -1;
  if (!ToNumber(w[5], port) || port < 0 || port > 65535)
    return MakeError(ErrorKind::kInvalid, "candidate: invalid port");
  c.port = static_cast<uint16_t>(port);
  c.type = Lower(w[7]);
  if (c.type != "host" && c.type != "srflx" && c.type != "prflx" && c.type != "relay")
    return MakeError(ErrorKind::kInvalid, "candidate: type must be host, srflx, prflx or relay");
  return c;
}

std::string NormalizeFingerprint(std::string_view value) {
  auto parts = Split(value, ':');
  if (parts.size() < 16 || parts.size() > 64) return {};
  std::string out;
  for (auto p : parts) {
    if (p.size() != 2 || !std::isxdigit(static_cast<unsigned char>(p[0])) ||
        !std::isxdigit(static_cast<unsigned char>(p[1])))
      return {};
    if (!out.empty()) out += ':';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(p[0])));
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(p[1])));
  }
  return out;
}

Expected<Session> Parse(std::string_view text) {
  Session s;
  Media* m = nullptr;
  size_t count = 0;
  bool saw_version = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (++count > kMaxLines) return MakeError(ErrorKind::kInvalid, "SDP has too many lines");
    if (line.size() < 2 || line[1] != '=')
      return MakeError(ErrorKind::kInvalid, "SDP line is not <type>=<value>");
    char type = line[0];
    std::string_view value = line.substr(2);
    if (!saw_version) {
      if (type != 'v' || value != "0")
        return MakeError(ErrorKind::kInvalid, "SDP must start with v=0");
      saw_version = true;
      continue;
    }
    switch (type) {
      case 'o': {
        auto w = Words(value);
        if (w.size() != 6) return MakeError(ErrorKind::kInvalid, "invalid o= line");
        ToNumber(w[1], s.session_id);  // Some stacks write ids beyond 64 bits; keep 0 then.
        ToNumber(w[2], s.session_version);
        s.origin_address = w[5];
        break;
      }
      case 'm': {
        if (s.media.size() >= kMaxMediaSections)
          return MakeError(ErrorKind::kInvalid, "SDP has too many m-lines");
        auto w = Words(value);
        if (w.size() < 4) return MakeError(ErrorKind::kInvalid, "invalid m= line");
        Media media;
        media.kind_name = w[0];
        media.kind = KindOf(w[0]);
        auto port_text = w[1].substr(0, w[1].find('/'));
        unsigned port;
        if (!ToNumber(port_text, port) || port > 65535)
          return MakeError(ErrorKind::kInvalid, "invalid m= port");
        media.port = static_cast<uint16_t>(port);
        media.protocol = w[2];
        media.formats.assign(w.begin() + 3, w.end());
        s.media.push_back(std::move(media));
        m = &s.media.back();
        break;
      }
      case 'a': {
        auto st = ParseAttribute(value, s, m);
        if (!st) return st.failure();
        break;
      }
      case 'c': {
        auto address = ParseConnection(value);
        if (!address) return address.failure();
        (m ? m->connection_address : s.connection_address) = std::move(*address);
        break;
      }
      case 'b': {
        auto st = m ? ParseBandwidth(value, m->bandwidth_as_kbps, m->bandwidth_tias_bps)
                    : ParseBandwidth(value, s.bandwidth_as_kbps, s.bandwidth_tias_bps);
        if (!st) return st.failure();
        break;
      }
      default:
        break;  // s=, t=, i=, ... carry nothing negotiation needs.
    }
  }
  if (!saw_version) return MakeError(ErrorKind::kInvalid, "empty SDP");
  for (auto& media : s.media) {
    // a=fmtp and a=rtcp-fb may come before their a=rtpmap (Firefox sorts attributes): apply them
    // now that every codec is known.
    std::vector<std::string> rest;
    for (auto& a : media.other) {
      if (a.rfind("rtcp-fb:* ", 0) == 0) {  // Poly writes these before its rtpmaps.
        for (auto& c : media.codecs) c.feedback.push_back(a.substr(10));
        continue;
      }
      bool fmtp = a.rfind("fmtp:", 0) == 0, fb = a.rfind("rtcp-fb:", 0) == 0;
      size_t colon = a.find(':'), space = a.find(' ');
      int pt;
      Codec* c = nullptr;
      if ((fmtp || fb) && space != std::string::npos &&
          ToNumber(std::string_view(a).substr(colon + 1, space - colon - 1), pt))
        c = FindMutableCodec(media, pt);
      if (!c) {
        rest.push_back(std::move(a));
        continue;
      }
      if (fmtp)
        c->fmtp = a.substr(space + 1);
      else
        c->feedback.push_back(a.substr(space + 1));
    }
    media.other = std::move(rest);
    // Order codecs as the m= line prefers them.
    std::vector<Codec> ordered;
    for (const auto& f : media.formats) {
      int pt;
      if (!ToNumber(std::string_view(f), pt)) continue;
      if (auto* c = media.FindCodec(pt)) ordered.push_back(*c);
    }
    media.codecs = std::move(ordered);
  }
  return s;
}

std::string Write(const Session& s) {
  std::ostringstream o;
  o << "v=0\r\n";
  o << "o=- " << s.session_id << " " << s.session_version << " IN IP4 " << s.origin_address
    << "\r\n";
  o << "s=-\r\n";
  if (!s.connection_address.empty())
    o << "c=IN " << AddressType(s.connection_address) << " " << s.connection_address << "\r\n";
  WriteBandwidth(o, s.bandwidth_as_kbps, s.bandwidth_tias_bps);
  o << "t=0 0\r\n";
  if (s.ice_lite) o << "a=ice-lite\r\n";
  if (!s.bundle_mids.empty()) {
    o << "a=group:BUNDLE";
    for (const auto& mid : s.bundle_mids) o << " " << mid;
    o << "\r\n";
  }
  WriteTransport(o, s.ice_ufrag, s.ice_pwd, s.fingerprint, s.setup);
  for (const auto& m : s.media) {
    o << "m=" << (m.kind_name.empty() ? std::string(ToString(m.kind)) : m.kind_name) << " "
      << m.port << " " << m.protocol;
    if (!m.formats.empty()) {
      for (const auto& f : m.formats) o << " " << f;
    } else {
      for (const auto& c : m.codecs) o << " " << c.payload_type;
    }
    o << "\r\n";
    if (!m.connection_address.empty())
      o << "c=IN " << AddressType(m.connection_address) << " " << m.connection_address << "\r\n";
    else if (s.connection_address.empty())
      o << "c=IN IP4 0.0.0.0\r\n";
    WriteBandwidth(o, m.bandwidth_as_kbps, m.bandwidth_tias_bps);
    if (m.rtcp_port != 0) {
      o << "a=rtcp:" << m.rtcp_port;
      if (!m.rtcp_address.empty())
        o << " IN " << AddressType(m.rtcp_address) << " " << m.rtcp_address;
      o << "\r\n";
    }
    WriteTransport(o, m.ice_ufrag, m.ice_pwd, m.fingerprint, m.setup);
    if (!m.mid.empty()) o << "a=mid:" << m.mid << "\r\n";
    o << "a=" << ToString(m.direction) << "\r\n";
    if (!m.content.empty()) o << "a=content:" << m.content << "\r\n";
    if (!m.msid.empty()) o << "a=msid:" << m.msid << "\r\n";
    if (m.rtcp_mux) o << "a=rtcp-mux\r\n";
    for (const auto& c : m.codecs) {
      o << "a=rtpmap:" << c.payload_type << " " << c.name << "/" << c.clock_rate;
      if (c.channels > 0) o << "/" << c.channels;
      o << "\r\n";
      for (const auto& fb : c.feedback) o << "a=rtcp-fb:" << c.payload_type << " " << fb << "\r\n";
      if (!c.fmtp.empty()) o << "a=fmtp:" << c.payload_type << " " << c.fmtp << "\r\n";
    }
    for (auto ssrc : m.ssrcs) {
      o << "a=ssrc:" << ssrc << " cname:" << m.cname << "\r\n";
      if (!m.msid.empty()) o << "a=ssrc:" << ssrc << " msid:" << m.msid << "\r\n";
    }
    for (const auto& a : m.other) o << "a=" << a << "\r\n";
    for (const auto& c : m.candidates) o << "a=" << c << "\r\n";
    if (m.end_of_candidates) o << "a=end-of-candidates\r\n";
  }
  return o.str();
}

}  // namespace mcu::media::sdp
