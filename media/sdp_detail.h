// Text helpers shared by the SDP sources (media/sdp.cpp, media/sdp_negotiation.cpp,
// media/sip_sdp.cpp, media/sip_h264.cpp). Not for other users.
#pragma once

#include <cctype>
#include <charconv>
#include <string>
#include <string_view>

namespace mcu::media::sdp::detail {

// ASCII lower case (SDP tokens are case-insensitive ASCII).
inline std::string Lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The whole of s as a number in base; false if anything else is in it.
template <typename T>
bool ToNumber(std::string_view s, T& out, int base = 10) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace mcu::media::sdp::detail
