#include "media/nack.h"

namespace mcu::media {

void RetransmissionHistory::Store(uint16_t seq, rtp::Bytes packet, int64_t now_us) {
  Slot& s = slots_[seq % slots_.size()];
  s.used = true;
  s.seq = seq;
  s.last_sent_us = now_us;
  s.data.assign(packet.begin(), packet.end());
}

const std::vector<uint8_t>* RetransmissionHistory::Find(uint16_t seq, int64_t now_us,
                                                        int64_t min_interval_us) {
  Slot& s = slots_[seq % slots_.size()];
  if (!s.used || s.seq != seq) return nullptr;
  if (now_us - s.last_sent_us < min_interval_us) return nullptr;
  s.last_sent_us = now_us;
  return &s.data;
}

bool NackGenerator::OnPacket(uint16_t seq) {
  if (!started_) {
    started_ = true;
    newest_ = seq;
    unwrapped_newest_ = seq;  // Unwrapped values stay congruent to sequence numbers mod 2^16.
    return false;
  }
  int16_t delta = static_cast<int16_t>(seq - newest_);
  if (delta > 0) {
    const int64_t first_skipped = unwrapped_newest_ + 1;
    unwrapped_newest_ += delta;
    newest_ = seq;
    // Drop what is too old to matter.
    while (!missing_.empty() && missing_.begin()->first < unwrapped_newest_ - kMaxAge)
      missing_.erase(missing_.begin());
    // Every sequence number skipped over is now missing, unless that is more than NACKs can
    // recover: then give up on them all (keyframe) before inserting any.
    const auto skipped = static_cast<size_t>(delta - 1);
    if (missing_.size() + skipped > options_.max_missing) {
      missing_.clear();
      keyframe_needed_ = true;
      return false;
    }
    for (int64_t s = first_skipped; s < unwrapped_newest_; ++s) missing_.emplace(s, Entry{});
    tracked_ += skipped;
    return false;
  }
  if (delta == 0) return false;  // Duplicate.
  return missing_.erase(unwrapped_newest_ + delta) > 0;
}

std::vector<uint16_t> NackGenerator::Collect(int64_t now_us) {
  std::vector<uint16_t> out;
  for (auto it = missing_.begin(); it != missing_.end();) {
    Entry& e = it->second;
    if (e.last_sent_us < 0 || now_us - e.last_sent_us >= options_.retry_interval_us) {
      if (e.retries >= options_.max_retries) {
        it = missing_.erase(it);
        continue;
      }
      ++e.retries;
      e.last_sent_us = now_us;
      out.push_back(static_cast<uint16_t>(it->first));
    }
    ++it;
  }
  return out;
}

bool NackGenerator::TakeKeyframeNeeded() {
  bool v = keyframe_needed_;
  keyframe_needed_ = false;
  return v;
}

}  // namespace mcu::media
