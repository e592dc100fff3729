// Text helpers shared by the SDP sources (media/sdp.cpp, media/sdp_negotiation.cpp). Not for
// other users.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace mcu::media::sdp::detail {

// ASCII lower case (SDP tokens are case-insensitive ASCII).
inline std::string Lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

}  // namespace mcu::media::sdp::detail
