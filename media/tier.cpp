#include "media/tier.h"

#include <algorithm>
#include <utility>

namespace mcu::media {

std::vector<Tier> DefaultTiers() { return {{1280, 720, 1500}, {640, 360, 600}}; }

std::vector<Tier> CompositeTiers() {
  std::vector<Tier> tiers = DefaultTiers();
  tiers.push_back({1280, 720, 1500, VideoCodec::kH264});
  tiers.push_back({640, 360, 600, VideoCodec::kH264});
  tiers.push_back({640, 360, 600, VideoCodec::kH264, 0});
  return tiers;
}

std::vector<int> TiersOf(const std::vector<Tier>& tiers, VideoCodec codec, int packetization_mode) {
  std::vector<int> ids;
  for (size_t i = 0; i < tiers.size(); ++i)
    if (tiers[i].codec == codec &&
        (codec != VideoCodec::kH264 || tiers[i].packetization_mode == packetization_mode))
      ids.push_back(static_cast<int>(i));
  return ids;
}

TierSelector::TierSelector(std::vector<Tier> tiers) : tiers_(std::move(tiers)) {}

int TierSelector::Choose(int declared_kbps) { return Choose(declared_kbps, 0, 0); }

int TierSelector::Choose(int declared_kbps, uint32_t max_frame_mbs, uint32_t max_mbs_per_s) {
  const int lowest = static_cast<int>(tiers_.size()) - 1;
  auto fits = [&](const Tier& t) {
    const uint32_t mbs = static_cast<uint32_t>(((t.width + 15) / 16) * ((t.height + 15) / 16));
    return (declared_kbps <= 0 || t.bitrate_kbps <= declared_kbps) &&
           (max_frame_mbs == 0 || mbs <= max_frame_mbs) &&
           (max_mbs_per_s == 0 || mbs * 30 <= max_mbs_per_s);
  };
  int index = 0;
  while (index < lowest && !fits(tiers_[index])) ++index;
  ceiling_ = current_ = index;
  lossy_reports_ = 0;
  clean_started_ = false;
  return current_;
}

int TierSelector::OnReceiverReport(double fraction_lost, int64_t now_us) {
  const int lowest = static_cast<int>(tiers_.size()) - 1;
  lossy_reports_ = fraction_lost > kDownLoss ? lossy_reports_ + 1 : 0;
  if (lossy_reports_ >= kDownReports && current_ < lowest) {
    ++current_;
    lossy_reports_ = 0;
  }
  // A report that is not clean (any step down is one) starts the clean run over.
  if (fraction_lost >= kUpLoss || !clean_started_) {
    clean_started_ = true;
    clean_since_us_ = now_us;
  } else if (now_us - clean_since_us_ >= kUpAfterUs && current_ > ceiling_) {
    --current_;
    clean_since_us_ = now_us;
  }
  return current_;
}

RtpRewriter::Out RtpRewriter::Rewrite(uint32_t source_id, uint16_t seq, uint32_t ts, int64_t now_us,
                                      uint32_t clock_rate) {
  if (!started_) {
    started_ = true;
    source_id_ = source_id;
    highest_seq_ = seq;
    highest_ts_ = ts;
  } else if (source_id != source_id_) {
    source_id_ = source_id;
    const int64_t ticks =
        std::max<int64_t>(1, (now_us - last_packet_us_) * int64_t{clock_rate} / 1'000'000);
    seq_offset_ = static_cast<uint16_t>(highest_seq_ + 1 - seq);
    ts_offset_ = static_cast<uint32_t>(highest_ts_ + static_cast<uint32_t>(ticks) - ts);
  }
  last_packet_us_ = now_us;
  const Out out{static_cast<uint16_t>(seq + seq_offset_), ts + ts_offset_};
  // Newer in serial-number arithmetic (RFC 1982): a reordered packet does not move them back.
  if (static_cast<int16_t>(out.sequence - highest_seq_) > 0) highest_seq_ = out.sequence;
  if (static_cast<int32_t>(out.timestamp - highest_ts_) > 0) highest_ts_ = out.timestamp;
  return out;
}

}  // namespace mcu::media
