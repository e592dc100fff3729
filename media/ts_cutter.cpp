#include "media/ts_cutter.h"

#include <algorithm>

namespace mcu::media {

namespace {

constexpr uint8_t kSync = 0x47;
constexpr int64_t kPtsWrap = int64_t{1} << 33;

uint16_t Pid(const uint8_t* p) { return static_cast<uint16_t>(((p[1] & 0x1f) << 8) | p[2]); }
bool UnitStart(const uint8_t* p) { return (p[1] & 0x40) != 0; }

// The payload of a packet: its offset (kPacket if it has none).
size_t PayloadOffset(const uint8_t* p) {
  const int control = (p[3] >> 4) & 3;
  if ((control & 1) == 0) return TsCutter::kPacket;
  if ((control & 2) == 0) return 4;
  return std::min<size_t>(5 + size_t{p[4]}, TsCutter::kPacket);
}

bool RandomAccess(const uint8_t* p) {
  const int control = (p[3] >> 4) & 3;
  return (control & 2) != 0 && p[4] > 0 && (p[5] & 0x40) != 0;
}

// A section's body (after table_id and section_length, before the CRC) in a payload that starts
// one (pointer field first); false if it is not all in this packet or is not `table_id`.
bool Section(const uint8_t* payload, size_t n, uint8_t table_id, const uint8_t** body,
             size_t* body_n) {
  if (n < 1) return false;
  const size_t start = 1 + size_t{payload[0]};
  if (start + 3 > n || payload[start] != table_id) return false;
  const size_t length = ((payload[start + 1] & 0x0f) << 8) | payload[start + 2];
  if (length < 9 || start + 3 + length > n) return false;
  *body = payload + start + 3;
  *body_n = length - 4;  // Less the CRC.
  return true;
}

}  // namespace

void TsCutter::Add(const uint8_t* data, size_t n) {
  size_t i = 0;
  if (!partial_.empty()) {
    const size_t take = std::min(kPacket - partial_.size(), n);
    partial_.append(reinterpret_cast<const char*>(data), take);
    i = take;
    if (partial_.size() < kPacket) return;
    OnPacket(reinterpret_cast<const uint8_t*>(partial_.data()));
    partial_.clear();
  }
  while (i < n) {
    if (data[i] != kSync) {
      ++skipped_;
      ++i;
      continue;
    }
    if (n - i < kPacket) {
      partial_.assign(reinterpret_cast<const char*>(data + i), n - i);
      break;
    }
    OnPacket(data + i);
    i += kPacket;
  }
  Flush();
}

void TsCutter::Flush() {
  if (run_.empty()) return;
  out_.Add(reinterpret_cast<const uint8_t*>(run_.data()), run_.size(), Segmenter::Part::kOther, 0);
  run_.clear();
}

void TsCutter::OnPacket(const uint8_t* p) {
  const uint16_t pid = Pid(p);
  const size_t offset = PayloadOffset(p);
  const uint8_t* payload = p + offset;
  const size_t payload_n = kPacket - offset;
  if (UnitStart(p) && pid == 0) {
    pat_.assign(reinterpret_cast<const char*>(p), kPacket);
    ReadPat(payload, payload_n);
  } else if (UnitStart(p) && pmt_pid_ != 0 && pid == pmt_pid_) {
    pmt_.assign(reinterpret_cast<const char*>(p), kPacket);
    ReadPmt(payload, payload_n);
  }
  // A video PES that starts a keyframe, with a PTS: 00 00 01, stream id, length, two flag
  // bytes (PTS_DTS_flags the top two of the second), header length, the PTS in five bytes.
  const bool keyframe = video_pid_ != 0 && pid == video_pid_ && UnitStart(p) && RandomAccess(p) &&
                        payload_n >= 14 && payload[0] == 0 && payload[1] == 0 && payload[2] == 1 &&
                        (payload[7] & 0x80) != 0;
  if (!keyframe || pat_.empty() || pmt_.empty()) {
    run_.append(reinterpret_cast<const char*>(p), kPacket);
    return;
  }
  const uint8_t* t = payload + 9;
  const int64_t raw = (int64_t{(t[0] >> 1) & 7} << 30) | (int64_t{t[1]} << 22) |
                      (int64_t{t[2] >> 1} << 15) | (int64_t{t[3]} << 7) | (t[4] >> 1);
  if (last_pts_ >= 0 && raw < last_pts_ && last_pts_ - raw > kPtsWrap / 2) pts_offset_ += kPtsWrap;
  last_pts_ = raw;
  Flush();
  std::string part = pat_ + pmt_;
  part.append(reinterpret_cast<const char*>(p), kPacket);
  out_.Add(reinterpret_cast<const uint8_t*>(part.data()), part.size(),
           Segmenter::Part::kKeyframeCluster, (raw + pts_offset_) * 100 / 9);
}

void TsCutter::ReadPat(const uint8_t* payload, size_t n) {
  const uint8_t* body = nullptr;
  size_t body_n = 0;
  if (!Section(payload, n, 0x00, &body, &body_n)) return;
  // Transport stream id, version, section numbers (5 bytes), then 4 bytes a program.
  for (size_t i = 5; i + 4 <= body_n; i += 4) {
    const int program = (body[i] << 8) | body[i + 1];
    if (program == 0) continue;  // The network PID.
    pmt_pid_ = static_cast<uint16_t>(((body[i + 2] & 0x1f) << 8) | body[i + 3]);
    return;
  }
}

void TsCutter::ReadPmt(const uint8_t* payload, size_t n) {
  const uint8_t* body = nullptr;
  size_t body_n = 0;
  if (!Section(payload, n, 0x02, &body, &body_n) || body_n < 9) return;
  // Program number, version, section numbers (5 bytes), PCR PID (2), program info (2 + its).
  size_t i = 9 + (((body[7] & 0x0f) << 8) | body[8]);
  while (i + 5 <= body_n) {
    const uint8_t type = body[i];
    const auto pid = static_cast<uint16_t>(((body[i + 1] & 0x1f) << 8) | body[i + 2]);
    // MPEG-2, H.264, H.265 video.
    if (type == 0x02 || type == 0x1b || type == 0x24) {
      video_pid_ = pid;
      return;
    }
    i += 5 + (((body[i + 3] & 0x0f) << 8) | body[i + 4]);
  }
}

}  // namespace mcu::media
