#include "media/sip_h264.h"

#include <algorithm>
#include <iterator>

#include "media/sdp_detail.h"
#include "media/sip_sdp.h"

namespace mcu::media::sip_sdp {
namespace h264 {
namespace {

using sdp::detail::ToNumber;

// H.264 table A-1, in ascending order (max_br for baseline and main: cpbBrVclFactor 1000).
constexpr Level kLevels[] = {
    {10, 1485, 99, 64},          {9, 1485, 99, 128},          {11, 3000, 396, 192},
    {12, 6000, 396, 384},        {13, 11880, 396, 768},       {20, 11880, 396, 2000},
    {21, 19800, 792, 4000},      {22, 20250, 1620, 4000},     {30, 40500, 1620, 10000},
    {31, 108000, 3600, 14000},   {32, 216000, 5120, 20000},   {40, 245760, 8192, 20000},
    {41, 245760, 8192, 50000},   {42, 522240, 8704, 50000},   {50, 589824, 22080, 135000},
    {51, 983040, 36864, 240000}, {52, 2073600, 36864, 240000}};

// "profile-level-id=42e0xx": constrained baseline at level_idc (9: 1b, written 42f00b).
std::string ConstrainedBaseline(int level_idc) {
  if (level_idc == 9) return "42f00b";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "42e0";
  s += kHex[(level_idc >> 4) & 0xf];
  s += kHex[level_idc & 0xf];
  return s;
}

}  // namespace

const Level& LevelOf(int idc) { return kLevels[LevelRank(idc)]; }

int LevelRank(int idc) {
  for (size_t i = 0; i < std::size(kLevels); ++i)
    if (kLevels[i].idc == idc) return static_cast<int>(i);
  return -1;
}

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

std::string H264Fmtp(int level_idc, int packetization_mode, uint32_t video_kbps) {
  // RFC 6184 8.1: max-br may not be below the level's MaxBR; b=AS/b=TIAS carry the real cap.
  const uint32_t max_br = std::max(video_kbps, LevelOf(level_idc).max_br_kbps);
  return "profile-level-id=" + ConstrainedBaseline(level_idc) +
         ";packetization-mode=" + std::to_string(packetization_mode) +
         ";max-fs=" + std::to_string(kOurMaxFs) + ";max-mbps=" + std::to_string(kOurMaxMbps) +
         ";max-br=" + std::to_string(max_br);
}

}  // namespace h264

using sdp::detail::Lower;
using sdp::detail::ToNumber;
using sdp::detail::Trim;
using namespace h264;  // NOLINT(google-build-using-namespace): the fmtp's own helpers.

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
  const Level& level = LevelOf(pl->level_idc);
  // max-br counts in cpbBrVclFactor units: 1250 bit/s for the high profile, 1000 otherwise.
  const uint32_t factor = pl->profile_idc == 0x64 ? 1250 : 1000;
  p.limit_fs = std::max(level.max_fs, p.max_fs);
  p.limit_mbps = std::max(level.max_mbps, p.max_mbps);
  p.limit_kbps = std::max(level.max_br_kbps, p.max_br) * factor / 1000;
  return p;
}

}  // namespace mcu::media::sip_sdp
