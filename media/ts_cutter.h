// Cuts an MPEG-TS byte stream (mpegtsmux's: 188-byte packets) for a live stream's Segmenter:
// it reads the PAT and the PMT to learn which PID carries the video, and marks each packet that
// starts a video keyframe (a PES start whose adaptation field sets random_access_indicator, as
// mpegtsmux does for a buffer that is no delta unit) as the start of a keyframe part, with the
// PES's PTS. The latest PAT and PMT are written again just before it, so that a segment cut
// there decodes alone (mpegtsmux repeats them only every 100 ms, not at keyframes).
//
// A stray byte where a packet should begin is skipped up to the next sync byte; a packet cut
// between two calls is kept for the next. Pure: no GStreamer here.
//
// Threads: one (the stream pipeline's streaming thread), as the Segmenter's Add.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "media/segmenter.h"

namespace mcu::media {

class TsCutter {
 public:
  static constexpr size_t kPacket = 188;

  explicit TsCutter(Segmenter& out) : out_(out) {}
  void Add(const uint8_t* data, size_t n);

  uint16_t video_pid() const { return video_pid_; }  // 0 until a PMT named one.
  uint64_t skipped_bytes() const { return skipped_; }

 private:
  void OnPacket(const uint8_t* p);
  void Flush();  // The run of ordinary packets so far, as one part.
  void ReadPat(const uint8_t* payload, size_t n);
  void ReadPmt(const uint8_t* payload, size_t n);

  Segmenter& out_;
  std::string partial_;  // A packet's first bytes, cut by the caller's buffer.
  std::string run_;      // Packets not yet given to the Segmenter.
  std::string pat_, pmt_;
  uint16_t pmt_pid_ = 0, video_pid_ = 0;
  int64_t last_pts_ = -1, pts_offset_ = 0;  // 90 kHz; the offset unwraps the 33-bit clock.
  uint64_t skipped_ = 0;
};

}  // namespace mcu::media
