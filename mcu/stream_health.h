// Per-second health of one participant's four streams (audio/video, in/out), from the
// transport's cumulative counters (mcu/media_stats.h), with a bounded history and the summary a
// call record keeps. Domain code, not media: the domain keeps the history, summarises it into
// the call record and serves it.
//
// Fed once a second (any interval works: rates are per elapsed second) with a snapshot of the
// counters. For each direction it derives the bitrate, packet rate and frame rate over the last
// interval, and the loss over a sliding window (default 10 s, as operator MCUs alarm on):
//   - receiving: packets lost on the link / (received + lost) in the window, where lost on the
//     link is what the transport counted lost plus what NACKs brought back (retransmissions);
//   - sending:   the remote's receiver reports: cumulative lost / packets we sent, in the window.
// Jitter is the transport's (receiving: ours; sending: the remote's report); RTT the last one
// measured from the remote's receiver reports (-1 until there is one).
// Counters that go backwards (a new transport for the same participant) restart the deltas.
//
// Pure code; an instance belongs to one thread. Memory: capacity samples of ~200 bytes (600 s
// at 1 s: ~120 KB per participant).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "mcu/media_stats.h"

namespace mcu {

struct DirectionHealth {
  double kbps = 0;  // Payload bitrate over the last interval.
  double packets_per_s = 0;
  double fps = 0;       // Video frames completed per second (0 for audio).
  double loss_pct = 0;  // Over the loss window, 0..100.
  double jitter_ms = 0;
  uint64_t nacks = 0, plis = 0, firs = 0, keyframes = 0;  // Cumulative.
  bool flowing = false;  // Packets arrived (or left) in the last interval.
};

struct HealthSample {
  int64_t at_ms = 0;
  DirectionHealth audio_in, audio_out, video_in, video_out;
  double rtt_ms = -1;
};

// Over the whole history kept: what a call record stores when the site leaves.
struct HealthSummary {
  int seconds = 0;                               // Samples summarized.
  double loss_pct_mean = 0, loss_pct_max = 0;    // Worst of the directions, per sample.
  double jitter_ms_mean = 0, jitter_ms_max = 0;  // Worst of audio/video received.
  double rtt_ms_mean = -1, rtt_ms_max = -1;      // -1: never measured.
  double kbps_in_mean = 0, kbps_out_mean = 0;    // Audio + video.
};

class HealthHistory {
 public:
  explicit HealthHistory(size_t capacity = 600, int loss_window_s = 10);

  // A snapshot of the transport's counters at now_ms (strictly increasing); the first one only
  // sets the baseline and returns nullptr. Otherwise the new sample, valid until the next Add.
  const HealthSample* Add(int64_t now_ms, const TransportStats& stats);

  const std::deque<HealthSample>& samples() const { return samples_; }
  const HealthSample* last() const { return samples_.empty() ? nullptr : &samples_.back(); }
  HealthSummary Summarize() const;

 private:
  struct Snapshot {
    int64_t at_ms = 0;
    TransportStats stats;
  };
  size_t capacity_;
  int loss_window_s_;
  std::deque<Snapshot> snapshots_;  // The loss window's worth, oldest first.
  std::deque<HealthSample> samples_;
};

// A site's health over a whole conference at a coarse step (10 s by default): each figure's mean
// over the step (RTT: over the seconds it was measured; -1 if none). Fed with the per-second
// samples of whichever participant the site is, so it spans the site's drops and rejoins.
// ~80 bytes a step: a 24-hour conference at 10 s is ~700 KB. Pure code, one thread.
class CoarseHistory {
 public:
  explicit CoarseHistory(int step_s = 10, size_t capacity = 8640);

  void Add(const HealthSample& s);
  // Oldest first, each stamped with its step's start: the closed steps, then the step in progress.
  std::vector<HealthSample> Points() const;
  int step_s() const { return step_s_; }

 private:
  // kbps, loss %, jitter ms, fps of audio in, audio out, video in, video out; then RTT.
  static constexpr size_t kFigures = 17;
  struct Point {
    int64_t at_ms = 0;
    std::array<float, kFigures> v{};
  };
  Point Close() const;  // The step in progress as a point.

  int step_s_;
  size_t capacity_;
  std::deque<Point> points_;
  int64_t step_start_ms_ = -1;  // Of the step in progress (-1: none).
  std::array<double, kFigures> sum_{};
  int seconds_ = 0, rtt_seconds_ = 0;
};

}  // namespace mcu
