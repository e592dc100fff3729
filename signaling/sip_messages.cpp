#include "signaling/sip_messages.h"

#include <algorithm>
#include <cctype>

namespace mcu::signaling {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// "5", "*", "#", "A".."D"; also 10 and 11 for * and # (RFC 4733 event codes some phones send).
char DtmfDigit(std::string_view value) {
  value = Trim(value);
  if (value == "10") return '*';
  if (value == "11") return '#';
  if (value.size() != 1) return 0;
  char c = static_cast<char>(std::toupper(static_cast<unsigned char>(value[0])));
  if ((c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D')) return c;
  return 0;
}

}  // namespace

std::string RedactSdpKeys(std::string_view sdp) {
  std::string out;
  out.reserve(sdp.size());
  size_t pos = 0;
  while (pos < sdp.size()) {
    size_t end = sdp.find('\n', pos);
    end = end == std::string_view::npos ? sdp.size() : end + 1;
    std::string_view line = sdp.substr(pos, end - pos);
    pos = end;
    if (line.substr(0, 9) != "a=crypto:") {
      out += line;
      continue;
    }
    // Each key-param is "inline:KEY[|lifetime][|MKI:len]"; several may follow, ';'-separated.
    size_t at = 0;
    while (true) {
      size_t key = line.find("inline:", at);
      if (key == std::string_view::npos) break;
      key += 7;
      size_t key_end = line.find_first_of("|; \t\r\n", key);
      if (key_end == std::string_view::npos) key_end = line.size();
      out += line.substr(at, key - at);
      out += "<redacted>";
      at = key_end;
    }
    out += line.substr(at);
  }
  return out;
}

InfoRequest ParseInfo(std::string_view content_type, std::string_view body) {
  InfoRequest info;
  std::string_view type = Trim(content_type.substr(0, content_type.find(';')));
  if (type.empty() && Trim(body).empty()) return info;
  if (EqualsNoCase(type, "application/media_control+xml")) {
    info.kind = body.find("picture_fast_update") != std::string_view::npos
                    ? InfoRequest::Kind::kKeyframe
                    : InfoRequest::Kind::kIgnored;
    return info;
  }
  char digit = 0;
  if (EqualsNoCase(type, "application/dtmf-relay")) {
    // "Signal=5\r\nDuration=160\r\n": find the Signal line, case-insensitively.
    size_t pos = 0;
    while (pos < body.size() && !digit) {
      size_t end = body.find('\n', pos);
      if (end == std::string_view::npos) end = body.size();
      std::string_view line = Trim(body.substr(pos, end - pos));
      pos = end + 1;
      size_t eq = line.find('=');
      if (eq != std::string_view::npos && EqualsNoCase(Trim(line.substr(0, eq)), "signal"))
        digit = DtmfDigit(line.substr(eq + 1));
    }
  } else if (EqualsNoCase(type, "application/dtmf")) {
    digit = DtmfDigit(body);
  }
  if (digit) {
    info.kind = InfoRequest::Kind::kDtmf;
    info.digit = digit;
  } else {
    info.kind = InfoRequest::Kind::kUnsupported;
  }
  return info;
}

SourceLimiter::Verdict SourceLimiter::Check(const std::string& source, double now_s) {
  if (now_s - last_prune_s_ >= 60) {
    last_prune_s_ = now_s;
    std::erase_if(sources_, [&](const auto& kv) { return now_s - kv.second.last_seen_s >= 60; });
  }
  auto it = sources_.find(source);
  if (it == sources_.end())
    it = sources_.emplace(source, Source{TokenBucket(rate_, burst_), now_s}).first;
  Source& s = it->second;
  s.last_seen_s = now_s;
  Verdict v;
  if (s.bucket.Take(now_s)) return v;
  v.allowed = false;
  ++s.refused;
  if (now_s - s.last_log_s >= log_interval_s_) {
    v.log = true;
    v.refused_since_log = s.refused;
    s.refused = 0;
    s.last_log_s = now_s;
  }
  return v;
}

}  // namespace mcu::signaling
