#include "bench/clip.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <cstdlib>
#include <iostream>

#include "media/rtp.h"

namespace mcu::bench {

std::vector<Packet> EncodeClip(const std::string& desc, media::sdp::Kind kind, uint32_t clock_rate) {
  GError* err = nullptr;
  GstElement* p = gst_parse_launch(desc.c_str(), &err);
  if (err) {
    std::cerr << "encode pipeline: " << err->message << "\n";
    std::exit(2);
  }
  GstElement* sink = gst_bin_get_by_name(GST_BIN(p), "s");
  gst_element_set_state(p, GST_STATE_PLAYING);
  std::vector<Packet> out;
  uint32_t first_ts = 0;
  while (GstSample* s = gst_app_sink_pull_sample(GST_APP_SINK(sink))) {
    GstBuffer* b = gst_sample_get_buffer(s);
    GstMapInfo map;
    gst_buffer_map(b, &map, GST_MAP_READ);
    Packet pk{{map.data, map.data + map.size}, 0, kind};
    gst_buffer_unmap(b, &map);
    gst_sample_unref(s);
    auto h = media::rtp::ParseRtp(pk.data);
    if (!h) continue;
    if (out.empty()) first_ts = h->timestamp;
    pk.offset_us = int64_t(uint32_t(h->timestamp - first_ts)) * 1000000 / clock_rate;
    media::rtp::SetTimestamp(pk.data, h->timestamp - first_ts);  // Clips of every size share one timeline.
    out.push_back(std::move(pk));
  }
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(p);
  return out;
}

std::vector<Packet> ToneClip() {
  return EncodeClip(
      "audiotestsrc wave=sine freq=440 samplesperbuffer=960 num-buffers=250 ! "
      "audio/x-raw,rate=48000,channels=1 ! opusenc bitrate=32000 frame-size=20 ! "
      "rtpopuspay pt=111 mtu=1200 ! appsink name=s sync=false",
      media::sdp::Kind::kAudio, 48000);
}

}  // namespace mcu::bench
