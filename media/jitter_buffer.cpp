#include "media/jitter_buffer.h"

#include <algorithm>
#include <optional>

namespace mcu::media {

int64_t SequenceUnwrapper::Unwrap(uint16_t seq) {
  if (!started_) {
    started_ = true;
    last_ = seq + (int64_t(1) << 16);  // Room below for slightly older packets.
    return last_;
  }
  int16_t delta = static_cast<int16_t>(seq - static_cast<uint16_t>(last_));
  int64_t v = last_ + delta;
  if (v > last_) last_ = v;
  return v;
}

// ----- FrameAssembler -------------------------------------------------------------------------

FrameAssembler::FrameAssembler(VideoCodec codec, int64_t max_wait_us, size_t max_packets)
    : codec_(codec), max_wait_us_(max_wait_us), max_packets_(max_packets) {}

bool FrameAssembler::Insert(uint16_t seq, uint32_t timestamp, bool marker,
                            std::span<const uint8_t> payload, int64_t now_us) {
  auto info = InspectVideoPayload(codec_, payload);
  if (!info) return false;
  int64_t s = unwrap_.Unwrap(seq);
  if (next_ >= 0 && s < next_) return false;  // Late: its frame was released or dropped.
  if (packets_.count(s)) return false;        // Duplicate (a retransmission that crossed).
  packets_.emplace(s, Packet{timestamp, marker, *info, {payload.begin(), payload.end()}, now_us});
  while (packets_.size() > max_packets_) {  // A stream that never completes a frame.
    DropBefore(packets_.begin()->first + 1);
    waiting_for_keyframe_ = keyframe_request_ = true;
  }
  return true;
}

FrameAssembler::Group FrameAssembler::GroupAt(std::map<int64_t, Packet>::iterator it) {
  Group g{it->first, it->first, false, false};
  uint32_t ts = it->second.timestamp;
  bool starts = it->second.info.frame_start;
  bool contiguous = true;
  int64_t expect = it->first;
  for (; it != packets_.end() && it->second.timestamp == ts; ++it) {
    contiguous &= it->first == expect;
    expect = it->first + 1;
    g.last = it->first;
    g.keyframe |= it->second.info.keyframe;
    if (it->second.marker) break;
  }
  g.complete = starts && contiguous && it != packets_.end() && it->second.timestamp == ts &&
               it->second.marker;
  return g;
}

void FrameAssembler::Release(const Group& g, std::vector<AssembledFrame>& out) {
  AssembledFrame f;
  auto it = packets_.find(g.first);
  f.timestamp = it->second.timestamp;
  f.keyframe = g.keyframe;
  for (; it != packets_.end() && it->first <= g.last; it = packets_.erase(it)) {
    f.complete_us = std::max(f.complete_us, it->second.arrival_us);
    AppendDepacketized(codec_, it->second.payload, f.data);
  }
  next_ = g.last + 1;
  ++frames_released_;
  out.push_back(std::move(f));
}

void FrameAssembler::DropBefore(int64_t seq) {
  uint32_t last_ts = 0;
  bool any = false;
  for (auto it = packets_.begin(); it != packets_.end() && it->first < seq;
       it = packets_.erase(it)) {
    if (!any || it->second.timestamp != last_ts) ++frames_dropped_;
    last_ts = it->second.timestamp;
    any = true;
  }
  next_ = std::max(next_, seq);
}

std::vector<AssembledFrame> FrameAssembler::Pop(int64_t now_us) {
  std::vector<AssembledFrame> out;
  while (!packets_.empty()) {
    auto first = packets_.begin();
    Group g = GroupAt(first);
    bool in_order = next_ < 0 || g.first == next_;
    if (g.complete && in_order) {
      blocked_since_us_ = -1;
      if (waiting_for_keyframe_ && !g.keyframe) {
        DropBefore(g.last + 1);  // Undecodable without its reference.
        continue;
      }
      waiting_for_keyframe_ = false;
      Release(g, out);
      continue;
    }
    // Blocked by a gap. Is there a complete frame further on (this one, if only its
    // predecessors are missing)?
    std::optional<Group> later;
    if (g.complete) later = g;
    auto it = packets_.upper_bound(g.last);
    while (!later && it != packets_.end()) {
      Group h = GroupAt(it);
      if (h.complete) {
        later = h;
        break;
      }
      it = packets_.upper_bound(h.last);
    }
    if (!later) break;  // Nothing to release yet; wait for retransmissions.
    if (blocked_since_us_ < 0) blocked_since_us_ = now_us;
    if (now_us - blocked_since_us_ < max_wait_us_) break;
    // Give up on what is missing: release from the next complete frame on.
    blocked_since_us_ = -1;
    DropBefore(later->first);
    next_ = later->first;
    if (!later->keyframe) waiting_for_keyframe_ = keyframe_request_ = true;
  }
  return out;
}

bool FrameAssembler::TakeKeyframeRequest() {
  bool r = keyframe_request_;
  keyframe_request_ = false;
  return r;
}

// ----- AudioJitterBuffer ----------------------------------------------------------------------

AudioJitterBuffer::AudioJitterBuffer(size_t target, size_t max) : target_(target), max_(max) {}

void AudioJitterBuffer::Insert(uint16_t seq, std::span<const uint8_t> payload) {
  int64_t s = unwrap_.Unwrap(seq);
  if (playing_ && s < next_) return;  // Too late to be played.
  packets_.emplace(s, std::vector<uint8_t>(payload.begin(), payload.end()));
  if (packets_.size() > max_) {  // A burst, or a sender's clock running fast: cut the latency.
    while (packets_.size() > target_) packets_.erase(packets_.begin());
    next_ = packets_.begin()->first;
  }
}

AudioJitterBuffer::Result AudioJitterBuffer::Pop(std::vector<uint8_t>& payload) {
  if (!playing_) {
    if (packets_.size() < target_) return Result::kInactive;
    playing_ = true;
    next_ = packets_.begin()->first;
  }
  auto it = packets_.find(next_);
  if (it != packets_.end()) {
    payload = std::move(it->second);
    packets_.erase(it);
    ++next_;
    misses_ = 0;
    TrimExcess();
    return Result::kPacket;
  }
  if (packets_.empty() && ++misses_ > 5) {  // 100 ms of nothing: the site stopped sending.
    playing_ = false;
    misses_ = 0;
    return Result::kInactive;
  }
  // Skip the missing packet (and anything older that arrived out of order meanwhile).
  ++next_;
  while (!packets_.empty() && packets_.begin()->first < next_) packets_.erase(packets_.begin());
  ++lost_;
  TrimExcess();
  return Result::kLost;
}

void AudioJitterBuffer::TrimExcess() {
  // In steady flow `target - 1` packets wait after each Pop; more than that for a whole window
  // is latency to give back.
  window_min_ = std::min(window_min_, packets_.size());
  if (++window_ticks_ < kTrimWindow) return;
  if (window_min_ >= target_ && !packets_.empty()) {
    packets_.erase(packets_.begin());
    next_ = packets_.begin()->first;
    ++trimmed_;
  }
  window_min_ = SIZE_MAX;
  window_ticks_ = 0;
}

}  // namespace mcu::media
