// Simulcast-style output tiers of the composite: which tier each receiver gets (from its declared
// bandwidth, then from its receiver reports), and the RTP rewriting that hides a tier switch.
// Pure code; not thread-safe: one TierSelector and one RtpRewriter per receiver, owned by the
// thread that forwards that receiver's packets.
#pragma once

#include <cstdint>
#include <vector>

#include "media/codec_payload.h"

namespace mcu::media {

struct Tier {
  int width = 0;
  int height = 0;
  int bitrate_kbps = 0;
  VideoCodec codec = VideoCodec::kVp8;
  // H.264 only: 1, NAL units fragmented (FU-A) as needed; 0 (RFC 6184 single NAL unit mode, for
  // old room systems), each slice cut to fit one packet.
  int packetization_mode = 1;
};

// VP8 1280x720 @ 1500 kbps, 640x360 @ 600 kbps: highest first, as TierSelector expects. What
// WebRTC sites receive.
std::vector<Tier> DefaultTiers();
// Every tier a mixing room encodes: DefaultTiers(), then H.264 constrained baseline 1280x720 @
// 1500 kbps and 640x360 @ 600 kbps for SIP room systems (and browsers that prefer H.264), and
// 640x360 @ 600 kbps in packetization-mode 0 for rooms that take only that. A tier nobody
// receives is not encoded.
std::vector<Tier> CompositeTiers();
// The tiers of `codec` (their indices in `tiers`, in order), for H.264 those of
// `packetization_mode`: what one receiver chooses among.
std::vector<int> TiersOf(const std::vector<Tier>& tiers, VideoCodec codec,
                         int packetization_mode = 1);

// Chooses a tier index (0 = highest) for one receiver. The declared bandwidth sets a ceiling;
// receiver reports move below it with hysteresis: one tier down after 2 consecutive reports with
// more than 10% loss, one tier up after 10 s in which every report had less than 2% loss.
class TierSelector {
 public:
  // `tiers` must be non-empty and ordered from the highest bitrate down.
  explicit TierSelector(std::vector<Tier> tiers);

  // The highest tier whose bitrate fits `declared_kbps` (0 = unknown: the highest tier; below
  // every tier: the lowest). It becomes the ceiling and the current tier, and restarts the
  // hysteresis.
  int Choose(int declared_kbps);
  // The same, also below what the receiver decodes (H.264 max-fs and max-mbps, or its level's:
  // macroblocks per frame and per second at 30 fps; 0: no limit). A receiver that can decode
  // none gets the lowest.
  int Choose(int declared_kbps, uint32_t max_frame_mbs, uint32_t max_mbs_per_s);
  // Feeds one receiver report (fraction_lost in [0, 1]); returns the current index.
  int OnReceiverReport(double fraction_lost, int64_t now_us);
  int current() const { return current_; }

  static constexpr double kDownLoss = 0.10;
  static constexpr int kDownReports = 2;
  static constexpr double kUpLoss = 0.02;
  static constexpr int64_t kUpAfterUs = 10'000'000;

 private:
  std::vector<Tier> tiers_;
  int ceiling_ = 0;
  int current_ = 0;
  int lossy_reports_ = 0;       // Consecutive reports above kDownLoss.
  bool clean_started_ = false;  // Whether clean_since_us_ is set.
  int64_t clean_since_us_ = 0;  // Start of the current run of reports below kUpLoss.
};

// Keeps one receiver's outgoing sequence numbers and timestamps continuous across switches of
// its source (tier encoders each have their own SSRC, sequence and timestamp spaces). The first
// packet of a new source follows the last output: sequence + 1, timestamp + the wall time elapsed
// since the last packet (at least 1 tick). Later packets of that source keep its offsets, so a
// frame's packets share a timestamp and gaps and reordering within a source pass through. The
// very first packet keeps its own values. Feed only the current source: a late packet of the
// previous one would count as another switch.
class RtpRewriter {
 public:
  struct Out {
    uint16_t sequence;
    uint32_t timestamp;
  };
  Out Rewrite(uint32_t source_id, uint16_t seq, uint32_t ts, int64_t now_us, uint32_t clock_rate);

 private:
  bool started_ = false;
  uint32_t source_id_ = 0;
  uint16_t seq_offset_ = 0;
  uint32_t ts_offset_ = 0;
  uint16_t highest_seq_ = 0;  // Highest output so far (reordered packets do not lower it).
  uint32_t highest_ts_ = 0;
  int64_t last_packet_us_ = 0;
};

}  // namespace mcu::media
