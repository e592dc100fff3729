#include "bench/clip.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>

#include "media/gobject_ptr.h"
#include "media/rtp.h"

namespace mcu::bench {

namespace {

// Runs `desc` (non-live, as fast as it encodes; it ends in "appsink name=s") after `feed`, if
// set, has pushed the input into its "appsrc name=src", and keeps the RTP packets, timestamps
// from 0 (clips of every size share one timeline). The first packet of every frame (a new RTP
// timestamp) whose index satisfies `is_event`, if set, is marked. Exits if `desc` does not parse.
std::vector<Packet> RunEncoder(const std::string& desc, media::sdp::Kind kind, uint32_t clock_rate,
                               const std::function<void(GstAppSrc*)>& feed,
                               const std::function<bool(int)>& is_event) {
  GError* raw_err = nullptr;
  auto pipeline = media::GRef<GstElement>::AdoptSink(gst_parse_launch(desc.c_str(), &raw_err));
  if (media::GErrorPtr err(raw_err); err) {
    std::cerr << "encode pipeline: " << err->message << "\n";
    std::exit(2);
  }
  GstElement* p = pipeline.get();
  auto sink = media::GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(p), "s"));
  gst_element_set_state(p, GST_STATE_PLAYING);
  if (feed) {
    auto src = media::GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(p), "src"));
    feed(GST_APP_SRC(src.get()));
    gst_app_src_end_of_stream(GST_APP_SRC(src.get()));
  }
  std::vector<Packet> out;
  uint32_t first_ts = 0, last_ts = 0;
  int frame = -1;
  while (auto s =
             media::GRef<GstSample>::Adopt(gst_app_sink_pull_sample(GST_APP_SINK(sink.get())))) {
    GstBuffer* b = gst_sample_get_buffer(s.get());
    GstMapInfo map;
    gst_buffer_map(b, &map, GST_MAP_READ);
    Packet pk{{map.data, map.data + map.size}, 0, kind};
    gst_buffer_unmap(b, &map);
    auto h = media::rtp::ParseRtp(pk.data);
    if (!h) continue;
    uint32_t ts = h->timestamp;
    if (out.empty()) first_ts = ts;
    if (out.empty() || ts != last_ts) {
      ++frame;
      pk.event = is_event && is_event(frame);
    }
    last_ts = ts;
    pk.offset_us = int64_t(uint32_t(ts - first_ts)) * 1000000 / clock_rate;
    media::rtp::SetTimestamp(pk.data, ts - first_ts);
    out.push_back(std::move(pk));
  }
  gst_element_set_state(p, GST_STATE_NULL);
  return out;
}

// `frames` raw buffers of `frame_bytes`, each filled by `fill(index, data)`, encoded by `desc`.
std::vector<Packet> EncodeFrames(const std::string& desc, media::sdp::Kind kind,
                                 uint32_t clock_rate, int frames, size_t frame_bytes,
                                 int64_t frame_ns, const std::function<void(int, uint8_t*)>& fill,
                                 const std::function<bool(int)>& is_event) {
  auto feed = [&](GstAppSrc* src) {
    for (int i = 0; i < frames; ++i) {
      GstBuffer* b = gst_buffer_new_allocate(nullptr, frame_bytes, nullptr);
      GstMapInfo map;
      gst_buffer_map(b, &map, GST_MAP_WRITE);
      fill(i, map.data);
      gst_buffer_unmap(b, &map);
      GST_BUFFER_PTS(b) = i * frame_ns;
      GST_BUFFER_DURATION(b) = frame_ns;
      gst_app_src_push_buffer(src, b);
    }
  };
  return RunEncoder(desc, kind, clock_rate, feed, is_event);
}

}  // namespace

std::vector<Packet> EncodeClip(const std::string& desc, media::sdp::Kind kind,
                               uint32_t clock_rate) {
  return RunEncoder(desc, kind, clock_rate, {}, {});
}

std::vector<Packet> ToneClip() {
  return EncodeClip(
      "audiotestsrc wave=sine freq=440 volume=0.2 samplesperbuffer=960 num-buffers=250 ! "
      "audio/x-raw,rate=48000,channels=1 ! opusenc bitrate=32000 frame-size=20 ! "
      "rtpopuspay pt=111 mtu=1200 ! appsink name=s sync=false",
      media::sdp::Kind::kAudio, 48000);
}

std::vector<Packet> BurstClip() {
  constexpr int kSamples = 960;  // 20 ms packets; a burst is 5 of them, from packet 25 of each 50.
  auto in_burst = [](int packet) { return packet % 50 >= 25 && packet % 50 < 30; };
  return EncodeFrames(
      "appsrc name=src format=time "
      "caps=audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=1 ! "
      "opusenc bitrate=32000 frame-size=20 ! rtpopuspay pt=111 mtu=1200 ! appsink name=s "
      "sync=false",
      media::sdp::Kind::kAudio, 48000, 250, kSamples * 2, 20'000'000,
      [&](int i, uint8_t* data) {
        auto* pcm = reinterpret_cast<int16_t*>(data);
        for (int n = 0; n < kSamples; ++n) {
          double t = double(i * kSamples + n) / 48000;
          // A faint hiss keeps the encoder out of digital silence between bursts.
          double v = in_burst(i) ? 0.5 * std::sin(2 * M_PI * kBurstHz * t)
                                 : 0.001 * ((n * 7919) % 17 - 8) / 8.0;
          pcm[n] = int16_t(std::lround(v * 32767));
        }
      },
      [&](int i) { return i % 50 == 25; });
}

std::vector<Packet> FlashClip(int width, int height, int kbps) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, width, height);  // Rows padded to 4.
  return EncodeFrames(
      "appsrc name=src format=time caps=video/x-raw,format=I420,width=" + std::to_string(width) +
          ",height=" + std::to_string(height) +
          ",framerate=30/1 ! "
          "vp8enc deadline=1 cpu-used=-6 keyframe-max-dist=60 end-usage=cbr target-bitrate=" +
          std::to_string(kbps * 1000) + " ! rtpvp8pay pt=96 mtu=1200 ! appsink name=s sync=false",
      media::sdp::Kind::kVideo, 90000, 150, GST_VIDEO_INFO_SIZE(&info), 1'000'000'000 / 30,
      [&](int i, uint8_t* data) {
        size_t luma = GST_VIDEO_INFO_PLANE_OFFSET(&info, 1);
        std::memset(data, i % 30 == 15 ? 235 : 60, luma);
        std::memset(data + luma, 128, GST_VIDEO_INFO_SIZE(&info) - luma);
      },
      [&](int i) { return i % 30 == 15; });
}

int64_t BurstDetector::Feed(const int16_t* pcm, int samples, int64_t t0_us) {
  // The newest samples set the clock (what is left of earlier ones lies just before them).
  history_t0_us_ = t0_us - int64_t(history_.size()) * 1000000 / 48000;
  history_.insert(history_.end(), pcm, pcm + samples);
  const double coeff = 2 * std::cos(2 * M_PI * kBurstHz / 48000);
  int64_t found = -1;
  int start = 0;
  for (; start + kWindow <= int(history_.size()); start += kHop) {
    double s1 = 0, s2 = 0;
    for (int n = 0; n < kWindow; ++n) {
      double w = 0.5 - 0.5 * std::cos(2 * M_PI * n / (kWindow - 1));  // Hann: 440 Hz leaks little.
      double s0 = w * history_[start + n] / 32768.0 + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    double amplitude =
        2 * std::sqrt(std::max(0.0, power)) / (kWindow * 0.5);  // Hann's gain is 0.5.
    int64_t window_us = history_t0_us_ + int64_t(start) * 1000000 / 48000;
    if (amplitude <= threshold_) {
      run_ = 0;
      continue;
    }
    if (run_++ == 0) run_start_us_ = window_us;
    if (run_ == kRun && found < 0) found = run_start_us_;
  }
  history_.erase(history_.begin(), history_.begin() + start);
  return found;
}

}  // namespace mcu::bench
