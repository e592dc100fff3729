// The composite's H.264 tiers as the mixing room builds them (media/mix_room_impl.h,
// EncoderBranch), run alone on a detailed moving picture: what goes on the wire. In
// packetization-mode 0 (old room systems) every packet is one whole NAL unit (RFC 6184 single NAL
// unit mode: no FU-A, no STAP-A) within the 1200-byte MTU, with SPS and PPS before the IDR; in
// mode 1 the same picture needs FU-A fragments, so the check can tell the two apart. In both,
// the marker bit ends each access unit and nothing else, keyframes forced mid-stream included.
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "media/gobject_ptr.h"
#include "media/mix_peer.h"
#include "media/mix_room_impl.h"
#include "media/tier.h"

namespace mcu::media {
namespace {

struct Packet {
  uint32_t timestamp = 0;
  bool marker = false;
  bool idr = false;  // Carries (part of) an IDR slice.
  bool vcl = false;  // Carries (part of) a coded slice.
};

struct Packets {
  std::map<int, int> nal_types;  // NAL unit type (of the RTP payload's first byte) -> packets.
  size_t largest = 0;            // Bytes, RTP header included.
  int count = 0;
  std::vector<Packet> in_order;
};

// The NAL unit types a payload carries: itself, a FU-A's fragment, a STAP-A's units.
std::vector<int> NalTypesIn(const uint8_t* p, size_t size) {
  if (size == 0) return {};
  const int type = p[0] & 0x1f;
  if (type == 28 && size > 1) return {p[1] & 0x1f};
  if (type != 24) return {type};
  std::vector<int> out;
  for (size_t i = 1; i + 2 < size;) {
    const size_t n = (size_t(p[i]) << 8) | p[i + 1];
    if (n == 0 || i + 2 + n > size) break;
    out.push_back(p[i + 2] & 0x1f);
    i += 2 + n;
  }
  return out;
}

// 60 frames of 1280x720 through tier `t`'s branch: snow (every frame as large as can be, and a
// scene cut, so each is an IDR) unless `force_after` > 0; then a moving ball, live, and a keyframe
// is asked of the encoder, as the room asks, once that many access units came out.
Packets Encode(const Tier& t, int force_after = 0) {
  static bool inited = (gst_init(nullptr, nullptr), true);
  (void)inited;
  const std::string desc = std::string("videotestsrc num-buffers=60 ") +
                           (force_after > 0 ? "pattern=ball is-live=true" : "pattern=snow") +
                           " ! video/x-raw,format=I420,width=1280,height=720,"
                           "framerate=30/1 ! tee name=t " +
                           EncoderBranch(0, t, t.width != 1280);
  GError* raw_error = nullptr;
  auto pipeline = GRef<GstElement>::Adopt(gst_parse_launch(desc.c_str(), &raw_error));
  GErrorPtr error(raw_error);
  EXPECT_EQ(error, nullptr) << (error ? error->message : "");
  Packets out;
  if (!pipeline) return out;
  auto sink = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(pipeline.get()), "out0"));
  g_object_set(sink.get(), "max-buffers", 0u, "drop", FALSE, nullptr);  // Every packet.
  gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
  auto encoder = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(pipeline.get()), "enc0"));
  int units = 0;  // Access units (timestamps) seen.
  bool forced = false;
  auto count = [&](GstBuffer* b) {
    GstMapInfo m;
    if (!gst_buffer_map(b, &m, GST_MAP_READ)) return;
    const size_t header = 12 + 4 * (m.data[0] & 0x0f);
    if (m.size > header) {
      ++out.nal_types[m.data[header] & 0x1f];
      Packet p;
      p.timestamp = uint32_t(m.data[4]) << 24 | uint32_t(m.data[5]) << 16 |
                    uint32_t(m.data[6]) << 8 | m.data[7];
      p.marker = (m.data[1] & 0x80) != 0;
      for (int type : NalTypesIn(m.data + header, m.size - header)) {
        p.idr |= type == 5;
        p.vcl |= type >= 1 && type <= 5;
      }
      if (out.in_order.empty() || out.in_order.back().timestamp != p.timestamp) ++units;
      out.in_order.push_back(p);
    }
    out.largest = std::max(out.largest, m.size);
    ++out.count;
    gst_buffer_unmap(b, &m);
  };
  while (auto s = GRef<GstSample>::Adopt(gst_app_sink_pull_sample(GST_APP_SINK(sink.get())))) {
    if (force_after > 0 && !forced && units >= force_after) {
      ForceKeyUnit(encoder.get());
      forced = true;
    }
    if (GstBufferList* list = gst_sample_get_buffer_list(s.get())) {
      for (guint i = 0; i < gst_buffer_list_length(list); ++i) count(gst_buffer_list_get(list, i));
    } else if (GstBuffer* b = gst_sample_get_buffer(s.get())) {
      count(b);
    }
  }
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  return out;
}

TEST(H264Tier, PacketizationMode0SendsEachNalUnitWholeWithinTheMtu) {
  const auto tiers = CompositeTiers();
  const auto ids = TiersOf(tiers, VideoCodec::kH264, 0);
  ASSERT_EQ(ids.size(), 1u);
  Packets p = Encode(tiers[static_cast<size_t>(ids[0])]);
  ASSERT_GT(p.count, 60) << "fewer packets than frames";
  for (const auto& [type, n] : p.nal_types)
    EXPECT_TRUE(type >= 1 && type <= 23) << n << " packets of NAL type " << type;
  EXPECT_GT(p.nal_types[5], 1) << "the IDR is not cut into slices";
  EXPECT_GE(p.nal_types[7], 1) << "no SPS";
  EXPECT_GE(p.nal_types[8], 1) << "no PPS";
  EXPECT_LE(p.largest, 1200u);
}

TEST(H264Tier, PacketizationMode1FragmentsTheSamePicture) {
  const auto tiers = CompositeTiers();
  const auto ids = TiersOf(tiers, VideoCodec::kH264, 1);
  ASSERT_FALSE(ids.empty());
  Packets p = Encode(tiers[static_cast<size_t>(ids.back())]);  // 640x360, as mode 0's.
  EXPECT_GT(p.nal_types[28], 0) << "no FU-A: the picture would not tell the modes apart";
  EXPECT_LE(p.largest, 1200u);
}

// RFC 6184 5.1: the marker bit is set on the last packet of an access unit, and only there. A
// receiver that decodes at the marker (baresip, and hardware room systems) otherwise gets a
// picture cut in two.
void ExpectMarkersEndAccessUnits(const Packets& p) {
  for (size_t i = 0; i < p.in_order.size(); ++i) {
    const bool last_of_unit =
        i + 1 == p.in_order.size() || p.in_order[i + 1].timestamp != p.in_order[i].timestamp;
    EXPECT_EQ(p.in_order[i].marker, last_of_unit)
        << "packet " << i << " (timestamp " << p.in_order[i].timestamp << ")";
  }
  // Every access unit carries a coded slice: SPS and PPS are never a unit of their own.
  for (size_t i = 0; i < p.in_order.size(); ++i) {
    bool vcl = false;
    const size_t first = i;
    for (; i < p.in_order.size() && p.in_order[i].timestamp == p.in_order[first].timestamp; ++i)
      vcl |= p.in_order[i].vcl;
    --i;
    EXPECT_TRUE(vcl) << "no coded slice in the access unit at timestamp "
                     << p.in_order[first].timestamp;
  }
}

// The access units (counted from 0) that carry an IDR.
std::vector<int> IdrUnits(const Packets& p) {
  std::vector<int> out;
  int unit = -1;
  for (size_t i = 0; i < p.in_order.size(); ++i) {
    const bool starts = i == 0 || p.in_order[i - 1].timestamp != p.in_order[i].timestamp;
    if (starts) ++unit;
    if (p.in_order[i].idr && (out.empty() || out.back() != unit)) out.push_back(unit);
  }
  return out;
}

TEST(H264Tier, AForcedKeyframeIsOneAccessUnitEndedByTheMarkerInBothModes) {
  const auto tiers = CompositeTiers();
  for (int mode : {0, 1}) {
    SCOPED_TRACE("packetization-mode " + std::to_string(mode));
    const auto ids = TiersOf(tiers, VideoCodec::kH264, mode);
    ASSERT_FALSE(ids.empty());
    Packets p = Encode(tiers[static_cast<size_t>(ids.front())], 20);
    ASSERT_GT(p.count, 60) << "fewer packets than frames";
    const std::vector<int> idrs = IdrUnits(p);
    ASSERT_FALSE(idrs.empty());
    EXPECT_GE(idrs.back(), 15) << "no keyframe came when asked for, after the 20th picture";
    ExpectMarkersEndAccessUnits(p);
  }
}

}  // namespace
}  // namespace mcu::media
