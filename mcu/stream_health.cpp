#include "mcu/stream_health.h"

#include <algorithm>

namespace mcu {

namespace {

// a - b for cumulative counters; 0 if the counter restarted.
template <typename T>
double Delta(T a, T b) {
  return a >= b ? static_cast<double>(a - b) : 0.0;
}

DirectionHealth Direction(const DirectionStats& now, const DirectionStats& prev,
                          const DirectionStats& window_start, double seconds, bool receiving) {
  DirectionHealth h;
  double packets = Delta(now.packets, prev.packets);
  h.kbps = Delta(now.bytes, prev.bytes) * 8 / 1000 / seconds;
  h.packets_per_s = packets / seconds;
  h.fps = Delta(now.frames, prev.frames) / seconds;
  h.flowing = packets > 0;
  double window_packets = Delta(now.packets, window_start.packets);
  double window_lost = std::max(0.0, static_cast<double>(now.lost - window_start.lost));
  // Receiving: lost on the link among expected (received + lost). A packet a NACK brought back
  // was lost once on the link: it counts as lost, and as received (it is in `packets`), so that
  // the figure is the link's loss, not what is left after repair. Sending: the remote's lost
  // among what we sent.
  double expected = receiving ? window_packets + window_lost : window_packets;
  if (receiving) window_lost += Delta(now.retransmits, window_start.retransmits);
  h.loss_pct = expected > 0 ? std::min(100.0, 100.0 * window_lost / expected) : 0;
  h.jitter_ms = now.jitter_ms;
  h.nacks = now.nacks, h.plis = now.plis, h.firs = now.firs, h.keyframes = now.keyframes;
  return h;
}

bool Restarted(const TransportStats& now, const TransportStats& before) {
  auto back = [](const DirectionStats& a, const DirectionStats& b) {
    return a.packets < b.packets || a.bytes < b.bytes;
  };
  return back(now.audio_in, before.audio_in) || back(now.audio_out, before.audio_out) ||
         back(now.video_in, before.video_in) || back(now.video_out, before.video_out);
}

}  // namespace

HealthHistory::HealthHistory(size_t capacity, int loss_window_s)
    : capacity_(std::max<size_t>(1, capacity)), loss_window_s_(std::max(1, loss_window_s)) {}

const HealthSample* HealthHistory::Add(int64_t now_ms, const TransportStats& stats) {
  if (!snapshots_.empty() &&
      (now_ms <= snapshots_.back().at_ms || Restarted(stats, snapshots_.back().stats)))
    snapshots_.clear();  // Out of order, or a new transport: start again from this baseline.
  if (snapshots_.empty()) {
    snapshots_.push_back({now_ms, stats});
    return nullptr;
  }
  const Snapshot& prev = snapshots_.back();
  // The window starts at the oldest snapshot not older than the window (or the oldest kept).
  while (snapshots_.size() > 1 && now_ms - snapshots_[1].at_ms >= loss_window_s_ * 1000)
    snapshots_.pop_front();
  const Snapshot& start = snapshots_.front();
  double seconds = (now_ms - prev.at_ms) / 1000.0;
  HealthSample s;
  s.at_ms = now_ms;
  s.audio_in = Direction(stats.audio_in, prev.stats.audio_in, start.stats.audio_in, seconds, true);
  s.video_in = Direction(stats.video_in, prev.stats.video_in, start.stats.video_in, seconds, true);
  s.audio_out =
      Direction(stats.audio_out, prev.stats.audio_out, start.stats.audio_out, seconds, false);
  s.video_out =
      Direction(stats.video_out, prev.stats.video_out, start.stats.video_out, seconds, false);
  s.rtt_ms = stats.rtt_ms;
  snapshots_.push_back({now_ms, stats});
  samples_.push_back(s);
  if (samples_.size() > capacity_) samples_.pop_front();
  return &samples_.back();
}

HealthSummary HealthHistory::Summarize() const {
  HealthSummary out;
  if (samples_.empty()) return out;
  double loss = 0, jitter = 0, rtt = 0, in = 0, outk = 0;
  int rtts = 0;
  for (const auto& s : samples_) {
    double l = std::max(
        {s.audio_in.loss_pct, s.video_in.loss_pct, s.audio_out.loss_pct, s.video_out.loss_pct});
    double j = std::max(s.audio_in.jitter_ms, s.video_in.jitter_ms);
    loss += l, jitter += j;
    out.loss_pct_max = std::max(out.loss_pct_max, l);
    out.jitter_ms_max = std::max(out.jitter_ms_max, j);
    if (s.rtt_ms >= 0) {
      rtt += s.rtt_ms, ++rtts;
      out.rtt_ms_max = std::max(out.rtt_ms_max, s.rtt_ms);
    }
    in += s.audio_in.kbps + s.video_in.kbps;
    outk += s.audio_out.kbps + s.video_out.kbps;
  }
  double n = static_cast<double>(samples_.size());
  out.seconds = static_cast<int>(samples_.size());
  out.loss_pct_mean = loss / n;
  out.jitter_ms_mean = jitter / n;
  out.rtt_ms_mean = rtts ? rtt / rtts : -1;
  out.kbps_in_mean = in / n;
  out.kbps_out_mean = outk / n;
  return out;
}

// ----- CoarseHistory
// ------------------------------------------------------------------------------

namespace {
std::array<const DirectionHealth*, 4> Directions(const HealthSample& s) {
  return {&s.audio_in, &s.audio_out, &s.video_in, &s.video_out};
}
std::array<DirectionHealth*, 4> Directions(HealthSample& s) {
  return {&s.audio_in, &s.audio_out, &s.video_in, &s.video_out};
}
}  // namespace

CoarseHistory::CoarseHistory(int step_s, size_t capacity)
    : step_s_(std::max(1, step_s)), capacity_(capacity) {}

void CoarseHistory::Add(const HealthSample& s) {
  const int64_t step_ms = int64_t{step_s_} * 1000;
  const int64_t start = s.at_ms - s.at_ms % step_ms;
  if (start != step_start_ms_) {
    if (seconds_ > 0) {
      points_.push_back(Close());
      if (points_.size() > capacity_) points_.pop_front();
    }
    step_start_ms_ = start;
    sum_.fill(0);
    seconds_ = rtt_seconds_ = 0;
  }
  size_t i = 0;
  for (const DirectionHealth* d : Directions(s)) {
    sum_[i++] += d->kbps;
    sum_[i++] += d->loss_pct;
    sum_[i++] += d->jitter_ms;
    sum_[i++] += d->fps;
  }
  if (s.rtt_ms >= 0) sum_[i] += s.rtt_ms, ++rtt_seconds_;
  ++seconds_;
}

CoarseHistory::Point CoarseHistory::Close() const {
  Point p;
  p.at_ms = step_start_ms_;
  for (size_t i = 0; i + 1 < kFigures; ++i) p.v[i] = static_cast<float>(sum_[i] / seconds_);
  p.v[kFigures - 1] = rtt_seconds_ ? static_cast<float>(sum_[kFigures - 1] / rtt_seconds_) : -1.0f;
  return p;
}

std::vector<HealthSample> CoarseHistory::Points() const {
  std::vector<HealthSample> out;
  out.reserve(points_.size() + 1);
  auto add = [&](const Point& p) {
    HealthSample& s = out.emplace_back();
    s.at_ms = p.at_ms;
    size_t i = 0;
    for (DirectionHealth* d : Directions(s)) {
      d->kbps = p.v[i++];
      d->loss_pct = p.v[i++];
      d->jitter_ms = p.v[i++];
      d->fps = p.v[i++];
    }
    s.rtt_ms = p.v[kFigures - 1];
  };
  for (const Point& p : points_) add(p);
  if (seconds_ > 0) add(Close());
  return out;
}

}  // namespace mcu
