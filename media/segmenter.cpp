#include "media/segmenter.h"

#include <algorithm>
#include <cmath>

namespace mcu::media {

void Segmenter::Add(const uint8_t* data, size_t n, Part part, int64_t pts_us) {
  const char* p = reinterpret_cast<const char*>(data);
  if (part == Part::kHeader) {
    // The muxer writes its header once, before any cluster; one written again (a new stream
    // after a renegotiation) starts the stream over.
    if (in_segment_) {
      in_segment_ = false;
      current_.clear();
      header_.clear();
    }
    header_.append(p, n);
    return;
  }
  if (part == Part::kKeyframeCluster) {
    if (!in_segment_ && options_.container == Container::kWebm) {
      std::lock_guard lock(mu_);
      init_ = std::make_shared<const std::string>(header_);
    }
    if (in_segment_ && pts_us - current_start_us_ >= options_.target_us) {
      std::lock_guard lock(mu_);
      done_.push_back({next_sequence_++, pts_us - current_start_us_,
                       std::make_shared<const std::string>(std::move(current_))});
      while (done_.size() > options_.keep) done_.pop_front();
      current_.clear();
      in_segment_ = false;
    }
    if (!in_segment_) {
      in_segment_ = true;
      current_start_us_ = pts_us;
    }
  }
  if (in_segment_) current_.append(p, n);  // Before the first keyframe cluster: nothing to cut.
}

std::shared_ptr<const std::string> Segmenter::Init() const {
  std::lock_guard lock(mu_);
  return init_;
}

std::shared_ptr<const std::string> Segmenter::Segment(uint64_t sequence) const {
  std::lock_guard lock(mu_);
  for (const Done& d : done_)
    if (d.sequence == sequence) return d.bytes;
  return nullptr;
}

uint64_t Segmenter::segments_made() const {
  std::lock_guard lock(mu_);
  return next_sequence_;
}

std::string Segmenter::Playlist(const std::string& query) const {
  std::lock_guard lock(mu_);
  int64_t longest_us = options_.target_us;
  for (const Done& d : done_) longest_us = std::max(longest_us, d.duration_us);
  const bool ts = options_.container == Container::kTs;
  std::string out = ts ? "#EXTM3U\n#EXT-X-VERSION:3\n" : "#EXTM3U\n#EXT-X-VERSION:7\n";
  out += "#EXT-X-TARGETDURATION:" +
         std::to_string(static_cast<int64_t>(std::ceil(static_cast<double>(longest_us) / 1e6))) +
         "\n";
  out +=
      "#EXT-X-MEDIA-SEQUENCE:" + std::to_string(done_.empty() ? 0 : done_.front().sequence) + "\n";
  if (done_.empty()) return out;  // Nothing whole yet: a player asks again.
  if (!ts) out += "#EXT-X-MAP:URI=\"init.webm" + query + "\"\n";
  for (const Done& d : done_) {
    char duration[32];
    snprintf(duration, sizeof duration, "%.3f", static_cast<double>(d.duration_us) / 1e6);
    out += std::string("#EXTINF:") + duration + ",\n" + std::to_string(d.sequence) + "." +
           extension() + query + "\n";
  }
  return out;
}

}  // namespace mcu::media
