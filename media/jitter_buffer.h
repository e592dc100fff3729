// Receive-side buffers that turn one stream's RTP packets into what media processing takes, so
// that frames, not packets, cross from the I/O thread to the media threads.
//
// FrameAssembler (video): orders packets by sequence number, groups them into frames (one RTP
// timestamp, from the codec's frame-start packet to the marker), and releases complete frames in
// decode order. A missing packet holds later frames back for at most `max_wait_us` (time for NACK
// retransmissions on a LAN); after that the incomplete frames are dropped and, unless the next
// complete frame is a keyframe, everything is discarded until one arrives (a keyframe is then
// asked for). The stream starts on a keyframe.
//
// AudioJitterBuffer: a short playout buffer for 20 ms Opus packets: it starts once `target`
// packets are buffered (40 ms by default, set for conversation), gives one packet per 20 ms tick
// or "lost" (for the decoder's concealment), skips ahead when it holds more than `max` packets,
// and becomes inactive after 100 ms with nothing (a site that stopped sending, or is muted).
// It also gives back latency a burst left behind: when a whole second passed with a packet more
// than the target always waiting, the oldest is dropped (at most one per second, so at most one
// 20 ms cut per second, as a bridge's playout buffer does between talk spurts).
//
// Pure code. Threading: each instance is owned by one thread.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "media/codec_payload.h"

namespace mcu::media {

// Unwraps 16-bit RTP sequence numbers into a monotonic 64-bit count.
class SequenceUnwrapper {
 public:
  int64_t Unwrap(uint16_t seq);

 private:
  bool started_ = false;
  int64_t last_ = 0;
};

struct AssembledFrame {
  uint32_t timestamp = 0;
  bool keyframe = false;
  std::vector<uint8_t> data;  // VP8 frame, or H.264 access unit in Annex B.
  int64_t complete_us = 0;    // When its last packet arrived.
};

class FrameAssembler {
 public:
  explicit FrameAssembler(VideoCodec codec, int64_t max_wait_us = 150'000,
                          size_t max_packets = 2048);

  // Returns false for a malformed payload or a packet older than what was already released.
  bool Insert(uint16_t seq, uint32_t timestamp, bool marker, std::span<const uint8_t> payload,
              int64_t now_us);
  // Frames ready for the decoder, in order. Call after Insert and on a timer (it also applies
  // the loss deadline).
  std::vector<AssembledFrame> Pop(int64_t now_us);
  // True once each time a keyframe is needed (at start, after an unrecoverable loss, and after
  // RestartAtKeyframe).
  bool TakeKeyframeRequest();
  // The consumer skipped frames (a site not shown is not decoded): release nothing until the
  // next keyframe, and ask for one.
  void RestartAtKeyframe() { waiting_for_keyframe_ = keyframe_request_ = true; }

  uint64_t frames_released() const { return frames_released_; }
  uint64_t frames_dropped() const { return frames_dropped_; }
  VideoCodec codec() const { return codec_; }

 private:
  struct Packet {
    uint32_t timestamp;
    bool marker;
    VideoPacketInfo info;
    std::vector<uint8_t> payload;
    int64_t arrival_us;
  };
  struct Group {  // The packets of one timestamp, from the first present one.
    int64_t first, last;
    bool complete;
    bool keyframe;
  };
  Group GroupAt(std::map<int64_t, Packet>::iterator it);
  void Release(const Group& g, std::vector<AssembledFrame>& out);
  void DropBefore(int64_t seq);

  VideoCodec codec_;
  int64_t max_wait_us_;
  size_t max_packets_;
  SequenceUnwrapper unwrap_;
  std::map<int64_t, Packet> packets_;
  int64_t next_ = -1;  // First sequence number after the last released frame; -1: none yet.
  bool waiting_for_keyframe_ = true;
  bool keyframe_request_ = true;
  int64_t blocked_since_us_ = -1;
  uint64_t frames_released_ = 0, frames_dropped_ = 0;
};

class AudioJitterBuffer {
 public:
  enum class Result { kPacket, kLost, kInactive };
  explicit AudioJitterBuffer(size_t target = 2, size_t max = 8);

  void Insert(uint16_t seq, std::span<const uint8_t> payload);
  // One call per 20 ms tick. kPacket fills `payload`; kLost asks for concealment.
  Result Pop(std::vector<uint8_t>& payload);
  bool active() const { return playing_; }
  uint64_t lost() const { return lost_; }
  uint64_t trimmed() const { return trimmed_; }
  size_t depth() const { return packets_.size(); }

 private:
  size_t target_, max_;
  SequenceUnwrapper unwrap_;
  std::map<int64_t, std::vector<uint8_t>> packets_;
  bool playing_ = false;
  int64_t next_ = 0;
  int misses_ = 0;
  uint64_t lost_ = 0;
  // Fewest packets left after a Pop in the current window of kTrimWindow ticks.
  static constexpr int kTrimWindow = 50;
  size_t window_min_ = SIZE_MAX;
  int window_ticks_ = 0;
  uint64_t trimmed_ = 0;
  void TrimExcess();
};

}  // namespace mcu::media
