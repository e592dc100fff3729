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

// Reads an H.264 RBSP (emulation prevention bytes removed as it goes): bits, ue(v), se(v). Past
// the end, or on a code longer than 31 bits, it fails and stays failed.
class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> nal) : nal_(nal) {}
  bool failed() const { return failed_; }
  uint32_t Bits(int n) {
    uint32_t v = 0;
    while (n-- > 0) v = (v << 1) | Bit();
    return v;
  }
  uint32_t Ue() {
    int zeros = 0;
    while (!failed_ && Bit() == 0)
      if (++zeros > 31) failed_ = true;
    if (failed_) return 0;
    return ((1u << zeros) - 1) + Bits(zeros);
  }
  void Se() { (void)Ue(); }

 private:
  uint32_t Bit() {
    if (bit_ == 0 && !NextByte()) {
      failed_ = true;
      return 0;
    }
    --bit_;
    return (byte_ >> bit_) & 1;
  }
  bool NextByte() {
    if (at_ >= nal_.size()) return false;
    // 00 00 03: the 03 is not data.
    if (zeros_ >= 2 && nal_[at_] == 3) {
      zeros_ = 0;
      if (++at_ >= nal_.size()) return false;
    }
    byte_ = nal_[at_++];
    zeros_ = byte_ == 0 ? zeros_ + 1 : 0;
    bit_ = 8;
    return true;
  }
  std::span<const uint8_t> nal_;
  size_t at_ = 0;
  int zeros_ = 0;
  uint8_t byte_ = 0;
  int bit_ = 0;
  bool failed_ = false;
};

// The coded picture size an SPS (its RBSP after the NAL header) declares, before cropping:
// what a decoder allocates for. H.264 7.3.2.1.1.
std::optional<std::pair<int, int>> SpsSize(std::span<const uint8_t> rbsp) {
  BitReader r(rbsp);
  const uint32_t profile_idc = r.Bits(8);
  r.Bits(16);  // Constraint flags, level_idc.
  r.Ue();      // seq_parameter_set_id.
  switch (profile_idc) {
    case 100:
    case 110:
    case 122:
    case 244:
    case 44:
    case 83:  // NOLINT(bugprone-branch-clone)
    case 86:
    case 118:
    case 128:
    case 138:
    case 139:
    case 134:
    case 135: {
      const uint32_t chroma_format_idc = r.Ue();
      if (chroma_format_idc == 3) r.Bits(1);  // separate_colour_plane_flag.
      r.Ue();                                 // bit_depth_luma_minus8.
      r.Ue();                                 // bit_depth_chroma_minus8.
      r.Bits(1);                              // qpprime_y_zero_transform_bypass_flag.
      if (r.Bits(1)) {                        // seq_scaling_matrix_present_flag.
        for (int i = 0; i < (chroma_format_idc != 3 ? 8 : 12) && !r.failed(); ++i) {
          if (!r.Bits(1)) continue;  // seq_scaling_list_present_flag[i].
          int last = 8, next = 8;
          for (int j = 0; j < (i < 6 ? 16 : 64) && next != 0 && !r.failed(); ++j) {
            // delta_scale se(v), read by value here; H.264 bounds it to -128..127.
            const uint32_t code = r.Ue();
            const int64_t delta = code & 1 ? (int64_t{code} + 1) / 2 : -(int64_t{code} / 2);
            if (delta < -128 || delta > 127) return std::nullopt;
            next = static_cast<int>((last + delta + 256) % 256);
            if (next != 0) last = next;
          }
        }
      }
      break;
    }
    default:
      break;
  }
  r.Ue();  // log2_max_frame_num_minus4.
  const uint32_t poc_type = r.Ue();
  if (poc_type == 0) {
    r.Ue();  // log2_max_pic_order_cnt_lsb_minus4.
  } else if (poc_type == 1) {
    r.Bits(1);  // delta_pic_order_always_zero_flag.
    r.Se();     // offset_for_non_ref_pic.
    r.Se();     // offset_for_top_to_bottom_field.
    const uint32_t cycle = r.Ue();
    if (cycle > 255) return std::nullopt;
    for (uint32_t i = 0; i < cycle && !r.failed(); ++i) r.Se();
  }
  r.Ue();     // max_num_ref_frames.
  r.Bits(1);  // gaps_in_frame_num_value_allowed_flag.
  const uint32_t width_mbs = r.Ue() + 1;
  const uint32_t height_units = r.Ue() + 1;
  const uint32_t frame_mbs_only = r.Bits(1);
  if (r.failed() || width_mbs > 4096 || height_units > 4096) {
    // Not readable, or beyond anything H.264 defines: as large as can be said.
    if (r.failed()) return std::nullopt;
    return std::pair<int, int>{65535, 65535};
  }
  return std::pair<int, int>{static_cast<int>(width_mbs * 16),
                             static_cast<int>((2 - frame_mbs_only) * height_units * 16)};
}

}  // namespace

std::optional<std::pair<int, int>> KeyframeSize(VideoCodec codec, std::span<const uint8_t> f) {
  if (codec == VideoCodec::kH264) {
    // The largest SPS of the access unit (Annex B: NAL units after 00 00 01 start codes).
    std::optional<std::pair<int, int>> largest;
    for (size_t i = 0; i + 3 < f.size(); ++i) {
      if (f[i] != 0 || f[i + 1] != 0 || f[i + 2] != 1) continue;
      const size_t nal = i + 3;
      if ((f[nal] & 0x1f) != 7) continue;
      size_t end = nal + 1;
      while (end + 2 < f.size() && !(f[end] == 0 && f[end + 1] == 0 && f[end + 2] == 1)) ++end;
      if (end + 2 >= f.size()) end = f.size();
      auto size = SpsSize(f.subspan(nal + 1, end - nal - 1));
      auto area = [](const std::pair<int, int>& s) { return int64_t{s.first} * s.second; };
      if (size && (!largest || area(*size) > area(*largest))) largest = size;
      i = end - 1;
    }
    return largest;
  }
  // VP8: 3-byte frame tag (bit 0 clear: a keyframe), start code 9d 01 2a, 14-bit width and
  // height.
  if (f.size() < 10 || (f[0] & 0x01) || f[3] != 0x9d || f[4] != 0x01 || f[5] != 0x2a)
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
