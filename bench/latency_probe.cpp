#include "bench/latency_probe.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "media/layout.h"
#include "media/rtp.h"

namespace mcu::bench {

namespace {

constexpr int64_t kMatchUs = 500'000;  // Events are 1 s apart.

}  // namespace

nlohmann::json LatencyProbe::Events::Summary(int64_t from_us) const {
  nlohmann::json j = {
      {"count", ms.size()},
      {"unmatched", unmatched},
      {"foundAgain", found_again},
      {"sent", std::count_if(sent.begin(), sent.end(), [&](int64_t t) { return t >= from_us; })}};
  if (ms.empty()) return j;
  std::vector<double> v = ms;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return std::round(v[std::min(v.size() - 1, size_t(q * v.size()))] * 10) / 10;
  };
  j["p50"] = at(0.5);
  j["p95"] = at(0.95);
  j["max"] = std::round(v.back() * 10) / 10;
  return j;
}

LatencyProbe::LatencyProbe(const std::vector<Packet>& burst_clip) {
  int err = 0;
  OpusDecoder* dec = opus_decoder_create(48000, 1, &err);
  std::vector<int16_t> pcm(5760);
  BurstDetector detector;
  int64_t event_offset = -1;
  for (const Packet& p : burst_clip) {
    if (p.event && event_offset < 0) event_offset = p.offset_us;
    auto h = media::rtp::ParseRtp(p.data);
    int n =
        opus_decode(dec, p.data.data() + h->header_size, int(h->payload_size), pcm.data(), 5760, 0);
    if (n <= 0) continue;
    int64_t onset = detector.Feed(pcm.data(), n, p.offset_us);
    if (onset >= 0 && event_offset >= 0) {
      audio_.play_offset_us = onset - event_offset;
      break;
    }
  }
  opus_decoder_destroy(dec);
  spdlog::info("latency probe: a burst plays {:.1f} ms after its first packet is sent",
               audio_.play_offset_us / 1000.0);
}

void LatencyProbe::SourceSent(media::sdp::Kind kind, int64_t now_us) {
  std::lock_guard lock(mu_);
  Of(kind).sent.push_back(now_us);
}

void LatencyProbe::Arrived(media::sdp::Kind kind, int64_t play_us) {
  if (play_us < measure_from_us_) return;
  const char* what = kind == media::sdp::Kind::kAudio ? "audio" : "video";
  std::lock_guard lock(mu_);
  Events& e = Of(kind);
  // The latest event sent before it played, if it was sent less than half the events' period
  // before (anything else is counted, not measured: it would not be this probe's event).
  auto it = std::upper_bound(e.sent.begin(), e.sent.end(), play_us - e.play_offset_us);
  int64_t sent_us = it == e.sent.begin() ? INT64_MIN : *std::prev(it) + e.play_offset_us;
  if (play_us - sent_us > kMatchUs) {
    ++e.unmatched;
    spdlog::debug("latency probe: {} detected with no event in the {} ms before", what,
                  kMatchUs / 1000);
    return;
  }
  // One measurement per event: a burst that dips and is found again is the same burst.
  if (sent_us == e.last_matched) {
    ++e.found_again;
    return;
  }
  e.last_matched = sent_us;
  e.ms.push_back((play_us - sent_us) / 1000.0);
  spdlog::debug("latency probe: {} {:.1f} ms", what, e.ms.back());
}

nlohmann::json LatencyProbe::Summary() {
  std::lock_guard lock(mu_);
  return {{"audioMs", audio_.Summary(measure_from_us_)},
          {"videoMs", video_.Summary(measure_from_us_)},
          {"sampledFramesDecoded", frames_decoded_.load()}};
}

LatencyProbe::Receiver::Receiver(LatencyProbe* probe) : probe_(probe) {
  int err = 0;
  opus_ = opus_decoder_create(48000, 1, &err);
  GError* raw_err = nullptr;
  auto pipeline = media::GRef<GstElement>::AdoptSink(
      gst_parse_launch("appsrc name=src is-live=true format=time caps=video/x-vp8 ! vp8dec ! "
                       "video/x-raw,format=I420 ! "
                       "appsink name=s sync=false emit-signals=true max-buffers=4",
                       &raw_err));
  if (media::GErrorPtr err(raw_err); err) {
    spdlog::error("latency probe decoder: {}", err->message);
    return;
  }
  pipeline_ = std::move(pipeline);
  src_ = media::GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "src"));
  auto sink = media::GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "s"));
  g_signal_connect(sink.get(), "new-sample", G_CALLBACK(&Receiver::OnSample), this);
  gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING);
}

LatencyProbe::Receiver::~Receiver() {
  if (pipeline_) {
    gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    src_.reset();
    pipeline_.reset();
  }
  opus_decoder_destroy(opus_);
}

void LatencyProbe::Receiver::OnAudio(std::span<const uint8_t> payload, int64_t arrival_us) {
  int n = opus_decode(opus_, payload.data(), int(payload.size()), pcm_.data(), int(pcm_.size()), 0);
  if (n <= 0) return;
  // The decoded frame starts when its packet arrived: the sampled site plays without a buffer.
  if (int64_t onset = bursts_.Feed(pcm_.data(), n, arrival_us); onset >= 0)
    probe_->Arrived(media::sdp::Kind::kAudio, onset);
}

void LatencyProbe::Receiver::OnVideo(uint16_t seq, uint32_t timestamp, bool marker,
                                     std::span<const uint8_t> payload, int64_t arrival_us) {
  if (!src_) return;
  assembler_.Insert(seq, timestamp, marker, payload, arrival_us);
  for (auto& f : assembler_.Pop(arrival_us)) {
    GstBuffer* b = gst_buffer_new_memdup(f.data.data(), f.data.size());
    GST_BUFFER_PTS(b) = GstClockTime(f.complete_us) * 1000;  // Carried through the decoder.
    gst_app_src_push_buffer(GST_APP_SRC(src_.get()), b);
  }
}

GstFlowReturn LatencyProbe::Receiver::OnSample(GstElement* sink, gpointer self) {
  auto* r = static_cast<Receiver*>(self);
  auto s = media::GRef<GstSample>::Adopt(gst_app_sink_pull_sample(GST_APP_SINK(sink)));
  if (!s) return GST_FLOW_OK;
  GstVideoInfo info;
  GstBuffer* b = gst_sample_get_buffer(s.get());
  GstMapInfo map;
  if (gst_video_info_from_caps(&info, gst_sample_get_caps(s.get())) &&
      gst_buffer_map(b, &map, GST_MAP_READ)) {
    r->Analyze(map.data, GST_VIDEO_INFO_WIDTH(&info), GST_VIDEO_INFO_HEIGHT(&info),
               GST_VIDEO_INFO_PLANE_STRIDE(&info, 0), int64_t(GST_BUFFER_PTS(b) / 1000));
    gst_buffer_unmap(b, &map);
  }
  return GST_FLOW_OK;
}

// The source's tile is the flat dark grey one (FlashClip: luma 60; an empty cell is black, a
// site's moving bars are neither flat nor that dark); a flash is that tile turning white.
void LatencyProbe::Receiver::Analyze(const uint8_t* luma, int width, int height, int stride,
                                     int64_t complete_us) {
  probe_->frames_decoded_++;
  media::Layout layout = media::ComputeLayout(tiles_, width, height);
  std::vector<double> means;
  int flat_dark = -1;
  for (size_t i = 0; i < layout.tiles.size(); ++i) {
    const media::Tile& t = layout.tiles[i];
    double sum = 0, sq = 0;
    int n = 0;
    for (int y = t.y + t.height / 4; y < t.y + 3 * t.height / 4; y += 2)
      for (int x = t.x + t.width / 4; x < t.x + 3 * t.width / 4; x += 2) {
        double v = luma[y * stride + x];
        sum += v;
        sq += v * v;
        ++n;
      }
    double mean = n ? sum / n : 0, sd = n ? std::sqrt(std::max(0.0, sq / n - mean * mean)) : 0;
    means.push_back(mean);
    if (mean > 40 && mean < 100 && sd < 10) flat_dark = int(i);
  }
  if (flat_dark >= 0) source_tile_ = flat_dark;
  if (source_tile_ < 0 || source_tile_ >= int(means.size())) return;
  bool flash = means[source_tile_] > 160;
  if (flash && !in_flash_) probe_->Arrived(media::sdp::Kind::kVideo, complete_us);
  in_flash_ = flash;
}

}  // namespace mcu::bench
