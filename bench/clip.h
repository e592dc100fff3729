// Media encoded once, before a benchmark starts, and replayed on every connection: the RTP
// packets of a short clip with their send offsets. Shared by the load generators.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "media/rtp.h"
#include "media/sdp.h"

namespace mcu::bench {

struct Packet {
  std::vector<uint8_t> data;  // One RTP packet; timestamps start at 0 for every clip.
  int64_t offset_us;          // Send time relative to the start of the clip.
  media::sdp::Kind kind;
  bool event = false;  // The first packet of a latency event (a tone burst, a flash frame).
};

// Runs a gst-launch description ending in `appsink name=s` (non-live, as fast as it encodes)
// and keeps the RTP packets. Exits the process if the description does not parse.
std::vector<Packet> EncodeClip(const std::string& desc, media::sdp::Kind kind, uint32_t clock_rate);

// 5 s of a 440 Hz tone at -17 dBFS (a talker's level), Opus 32 kb/s in 20 ms packets (payload
// type 111).
std::vector<Packet> ToneClip();

// Replays a clip in real time, looping, with sequence numbers and timestamps that continue per
// kind across loops and clip switches (the receiver sees one stream). Owned by one thread.
class ClipPlayer {
 public:
  explicit ClipPlayer(const std::vector<Packet>* clip) : clip_(clip) {}

  // Calls send(packet, sequence, timestamp) for every packet due at `now_us`; the first call
  // starts the clock.
  template <typename Send>
  void SendDue(int64_t now_us, Send&& send) {
    if (clip_->empty()) return;
    if (start_us_ == 0) start_us_ = now_us;
    const int64_t duration = clip_->back().offset_us + 20'000;
    for (;;) {
      const Packet& p = (*clip_)[next_ % clip_->size()];
      int64_t loop = int64_t(next_ / clip_->size());
      if (start_us_ + loop * duration + p.offset_us > now_us) break;
      bool audio = p.kind == media::sdp::Kind::kAudio;
      uint32_t clock = audio ? 48000 : 90000;
      uint32_t ts = media::rtp::ParseRtp(p.data)->timestamp +
                    uint32_t((timeline_us_ + loop * duration) * clock / 1'000'000);
      send(p, (audio ? audio_seq_ : video_seq_)++, ts);
      ++next_;
    }
  }
  // Continues with `clip` from its start (a keyframe), one frame interval after what was sent.
  void Switch(const std::vector<Packet>* clip, int64_t now_us) {
    if (clip == clip_) return;
    if (start_us_ != 0) timeline_us_ += now_us - start_us_ + 33'333;
    start_us_ = now_us;
    next_ = 0;
    clip_ = clip;
  }
  const std::vector<Packet>* clip() const { return clip_; }

 private:
  const std::vector<Packet>* clip_;
  uint64_t next_ = 0;
  int64_t start_us_ = 0;     // When the current clip started.
  int64_t timeline_us_ = 0;  // Media time sent before the current clip started.
  uint16_t audio_seq_ = 1000, video_seq_ = 5000;
};

// Latency probes, 5 s each, one event per second at 0.5 s, 1.5 s, ...: near-silence broken by
// 100 ms bursts of kBurstHz at -9 dBFS (Opus as ToneClip); a dark grey picture (luma 60) that is
// white (luma 235) for one frame (VP8 as the load clips, 30 fps). `event` marks each burst's first
// packet and each flash frame's first packet.
constexpr double kBurstHz = 1000;
std::vector<Packet> BurstClip();
std::vector<Packet> FlashClip(int width, int height, int kbps);

// Finds the starts of kBurstHz bursts in a stream of 48 kHz mono PCM: Goertzel over 5 ms
// windows, 1 ms apart, against the amplitude `threshold` (full scale 1); a burst is 10 ms of
// windows above it (a click, or a mix switching talkers, is broadband and short).
class BurstDetector {
 public:
  explicit BurstDetector(double threshold = 0.1) : threshold_(threshold) {}
  // `pcm` continues the stream; it starts `t0_us` on the caller's clock. Returns the time a burst
  // started, or -1.
  int64_t Feed(const int16_t* pcm, int samples, int64_t t0_us);

 private:
  static constexpr int kWindow = 240, kHop = 48, kRun = 6;
  double threshold_;
  std::vector<int16_t> history_;  // Samples not yet covered by a full window.
  int64_t history_t0_us_ = 0;
  int run_ = 0;
  int64_t run_start_us_ = 0;
};

}  // namespace mcu::bench
