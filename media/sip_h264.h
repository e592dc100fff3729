// H.264 in SDP (RFC 6184) for the SIP legs' offer/answer (media/sip_sdp.cpp): profile-level-id,
// the levels of table A-1, and the fmtp we state. Pure; not for other users.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mcu::media::sip_sdp::h264 {

// What our H.264 offers and answers state: level 3.1 in profile-level-id, which every room
// system takes, raised by max-fs and max-mbps to what we decode: 1080p30.
constexpr int kOurH264Level = 0x1f;
constexpr uint32_t kOurMaxFs = 8160;      // 1920x1088 in macroblocks.
constexpr uint32_t kOurMaxMbps = 245760;  // 8160 x 30, rounded to level 4's figure.

struct Level {
  int idc;  // level_idc; 9 stands for level 1b.
  uint32_t max_mbps, max_fs, max_br_kbps;
};
// Table A-1's row of a known level_idc (LevelRank(idc) >= 0).
const Level& LevelOf(int idc);
// Position in table A-1 (the order of levels), or -1.
int LevelRank(int idc);

struct ProfileLevel {
  int profile_idc = 0, profile_iop = 0, level_idc = 0;  // level_idc 9: level 1b.
};
std::optional<ProfileLevel> ParseProfileLevelId(std::string_view hex);

// Profiles whose decoders take the constrained baseline we send, best first (RFC 6184 table 5:
// 42 is (constrained) baseline, 4D main, 64 high); -1: not accepted.
int ProfileRank(int profile_idc);

// Our fmtp: constrained baseline at level_idc, the packetization mode, our max-fs and max-mbps,
// and max-br (never below the level's).
std::string H264Fmtp(int level_idc, int packetization_mode, uint32_t video_kbps);

}  // namespace mcu::media::sip_sdp::h264
