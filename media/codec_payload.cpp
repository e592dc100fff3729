#include "media/codec_payload.h"

namespace mcu::media {
namespace {

// Length of the VP8 payload descriptor (RFC 7741 section 4.2), or 0 if malformed.
size_t Vp8DescriptorSize(std::span<const uint8_t> p) {
  if (p.empty()) return 0;
  size_t n = 1;
  if (p[0] & 0x80) {  // X: extension byte.
    if (p.size() < 2) return 0;
    uint8_t x = p[1];
    n = 2;
    if (x & 0x80) {  // I: picture id, 7 or 15 bits.
      if (p.size() < n + 1) return 0;
      n += (p[n] & 0x80) ? 2 : 1;
    }
    if (x & 0x40) n += 1;  // L: TL0PICIDX.
    if (x & 0x30) n += 1;  // T or K: TID/Y/KEYIDX.
  }
  return n < p.size() ? n : 0;  // A descriptor with no payload is malformed too.
}

constexpr uint8_t kStartCode[] = {0, 0, 0, 1};

// Does a NAL unit (from its first two bytes) begin an access unit? Parameter sets, SEI and
// delimiters do; a slice does when first_mb_in_slice is 0 (the ue(v) code "1").
bool NalStartsFrame(uint8_t type, std::span<const uint8_t> rest) {
  if (type == 6 || type == 7 || type == 8 || type == 9) return true;
  if (type == 1 || type == 5) return !rest.empty() && (rest[0] & 0x80);
  return false;
}

bool NalIsKey(uint8_t type) { return type == 5 || type == 7; }

}  // namespace

std::optional<std::pair<int, int>> KeyframeSize(VideoCodec codec, std::span<const uint8_t> f) {
  // 3-byte frame tag (bit 0 clear: a keyframe), start code 9d 01 2a, 14-bit width and height.
  if (codec != VideoCodec::kVp8 || f.size() < 10 || (f[0] & 0x01) || f[3] != 0x9d || f[4] != 0x01 ||
      f[5] != 0x2a)
    return std::nullopt;
  return std::pair<int, int>{(f[6] | f[7] << 8) & 0x3fff, (f[8] | f[9] << 8) & 0x3fff};
}

std::optional<VideoPacketInfo> InspectVideoPayload(VideoCodec codec, std::span<const uint8_t> p) {
  VideoPacketInfo info;
  if (codec == VideoCodec::kVp8) {
    size_t d = Vp8DescriptorSize(p);
    if (d == 0) return std::nullopt;
    bool start = (p[0] & 0x10) && (p[0] & 0x07) == 0;  // S bit, partition index 0.
    info.frame_start = start;
    info.keyframe = start && (p[d] & 0x01) == 0;  // P bit of the VP8 frame header.
    return info;
  }
  if (p.empty()) return std::nullopt;
  uint8_t type = p[0] & 0x1f;
  if (type >= 1 && type <= 23) {
    info.frame_start = NalStartsFrame(type, p.subspan(1));
    info.keyframe = NalIsKey(type);
    return info;
  }
  if (type == 24) {  // STAP-A: [size16][NAL]...
    size_t i = 1;
    bool first = true;
    while (i + 2 <= p.size()) {
      size_t size = (size_t(p[i]) << 8) | p[i + 1];
      i += 2;
      if (size == 0 || i + size > p.size()) return std::nullopt;
      uint8_t t = p[i] & 0x1f;
      if (first) info.frame_start = NalStartsFrame(t, p.subspan(i + 1, size - 1));
      info.keyframe |= NalIsKey(t);
      first = false;
      i += size;
    }
    if (first || i != p.size()) return std::nullopt;
    return info;
  }
  if (type == 28) {  // FU-A: indicator, header (S E R type), fragment.
    if (p.size() < 3) return std::nullopt;
    uint8_t t = p[1] & 0x1f;
    bool s = p[1] & 0x80;
    info.frame_start = s && NalStartsFrame(t, p.subspan(2));
    info.keyframe = NalIsKey(t);
    return info;
  }
  return std::nullopt;  // STAP-B, MTAP, FU-B: not in packetization-mode 1.
}

bool AppendDepacketized(VideoCodec codec, std::span<const uint8_t> p, std::vector<uint8_t>& frame) {
  if (codec == VideoCodec::kVp8) {
    size_t d = Vp8DescriptorSize(p);
    if (d == 0) return false;
    frame.insert(frame.end(), p.begin() + d, p.end());
    return true;
  }
  if (p.empty()) return false;
  uint8_t type = p[0] & 0x1f;
  if (type >= 1 && type <= 23) {
    frame.insert(frame.end(), std::begin(kStartCode), std::end(kStartCode));
    frame.insert(frame.end(), p.begin(), p.end());
    return true;
  }
  if (type == 24) {
    size_t i = 1;
    while (i + 2 <= p.size()) {
      size_t size = (size_t(p[i]) << 8) | p[i + 1];
      i += 2;
      if (size == 0 || i + size > p.size()) return false;
      frame.insert(frame.end(), std::begin(kStartCode), std::end(kStartCode));
      frame.insert(frame.end(), p.begin() + i, p.begin() + i + size);
      i += size;
    }
    return i == p.size();
  }
  if (type == 28) {
    if (p.size() < 3) return false;
    if (p[1] & 0x80) {  // First fragment: rebuild the NAL header.
      frame.insert(frame.end(), std::begin(kStartCode), std::end(kStartCode));
      frame.push_back(static_cast<uint8_t>((p[0] & 0xe0) | (p[1] & 0x1f)));
    }
    frame.insert(frame.end(), p.begin() + 2, p.end());
    return true;
  }
  return false;
}

}  // namespace mcu::media
