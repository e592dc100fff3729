#include "media/keyframe_coalescer.h"

namespace mcu::media {

bool KeyframeCoalescer::Request(int64_t now_us) {
  if (!Due(now_us)) {
    pending_ = true;
    return false;
  }
  OnKeyframeProduced(now_us);
  return true;
}

bool KeyframeCoalescer::Poll(int64_t now_us) {
  if (!pending_ || !Due(now_us)) return false;
  OnKeyframeProduced(now_us);
  return true;
}

void KeyframeCoalescer::OnKeyframeProduced(int64_t now_us) {
  has_keyframe_ = true;
  last_keyframe_us_ = now_us;
  pending_ = false;
}

}  // namespace mcu::media
