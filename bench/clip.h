// Media encoded once, before a benchmark starts, and replayed on every connection: the RTP
// packets of a short clip with their send offsets. Shared by the load generators.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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
