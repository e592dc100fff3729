// The mixing room's GStreamer composite (media/mix_room_impl.h): the pipeline and its bus, the
// tier encoders and their encoded frames, each site's decode/scale/name branch and name card,
// and the border around the speaker's tile.
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <spdlog/spdlog.h>

#include <cstring>

#include "media/clock.h"
#include "media/codec_payload.h"
#include "media/mix_room_impl.h"
#include "media/recorder.h"
#include "media/rtp.h"

namespace mcu::media {

namespace {

// A still I420 frame with `name` in the middle of a dark tile, made once per site (the compositor
// scales it to the tile, only while it is shown).
GRef<GstSample> RenderNameCard(const std::string& name) {
  auto p = GRef<GstElement>::AdoptSink(gst_parse_launch(
      "videotestsrc num-buffers=1 pattern=solid-color foreground-color=0xff1e2630 ! "
      "video/x-raw,format=I420,width=640,height=360,framerate=30/1 ! "
      "textoverlay name=t valignment=center halignment=center font-desc=\"Sans Bold 28\" ! appsink "
      "name=s sync=false",
      nullptr));
  if (!p) return {};
  auto t = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(p.get()), "t"));
  g_object_set(t.get(), "text", name.c_str(), nullptr);
  auto s = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(p.get()), "s"));
  gst_element_set_state(p.get(), GST_STATE_PLAYING);
  auto sample =
      GRef<GstSample>::Adopt(gst_app_sink_try_pull_sample(GST_APP_SINK(s.get()), 2 * GST_SECOND));
  gst_element_set_state(p.get(), GST_STATE_NULL);
  return sample;
}

}  // namespace

std::string EncoderBranch(int tier, const Tier& t, bool scale, const std::string& tee) {
  // A valve per tier: a tier nobody receives is not scaled or encoded. Open at first, so that
  // each encoder is initialised before anyone waits for it (that takes ~150 ms at 720p).
  std::string s =
      tee +
      ". ! queue max-size-buffers=2 max-size-time=0 max-size-bytes=0 leaky=downstream ! valve "
      "name=valve" +
      std::to_string(tier) + " drop=false ! ";
  if (scale)  // Named: a link's view changes its size (MixRoom::SetLinkViewSize).
    s += "videoscale ! capsfilter name=scale" + std::to_string(tier) +
         " caps=video/x-raw,width=" + std::to_string(t.width) +
         ",height=" + std::to_string(t.height) + " ! ";
  if (t.codec == VideoCodec::kH264) {
    // SIP room systems: constrained baseline, packetization-mode 1, SPS and PPS before every
    // IDR (config-interval=-1: a room that joins or lost one needs no sprop-parameter-sets).
    // x264 at its cheapest preset: measured in docs/PERFORMANCE.md against VP8 and openh264.
    // Packetization-mode 0 (single NAL units): slices of at most 1100 bytes, so that none needs
    // fragmenting in a 1200-byte packet, and no aggregation.
    const bool single_nal = t.packetization_mode == 0;
    s += "x264enc name=enc" + std::to_string(tier) +
         " tune=zerolatency speed-preset=ultrafast threads=1 bframes=0 key-int-max=600 bitrate=" +
         std::to_string(t.bitrate_kbps) + (single_nal ? " option-string=slice-max-size=1100" : "") +
         " ! video/x-h264,profile=constrained-baseline,stream-format=avc,alignment=au"
         " ! rtph264pay pt=109 mtu=1200 config-interval=-1 aggregate-mode=" +
         (single_nal ? "none" : "zero-latency");
  } else {
    s += "vp8enc name=enc" + std::to_string(tier) +
         " deadline=1 cpu-used=16 end-usage=cbr threads=1 static-threshold=100 lag-in-frames=0 "
         "keyframe-max-dist=600 "
         "error-resilient=default target-bitrate=" +
         std::to_string(t.bitrate_kbps * 1000) +
         " ! rtpvp8pay pt=96 mtu=1200 picture-id-mode=15-bit";
  }
  s += " ! appsink name=out" + std::to_string(tier) +
       " sync=false async=false buffer-list=true max-buffers=4 drop=true ";
  return s;
}

Status MixRoom::Start() {
  std::string caps = "video/x-raw,format=I420,width=" + std::to_string(kCanvasWidth) +
                     ",height=" + std::to_string(kCanvasHeight) +
                     ",framerate=30/1,pixel-aspect-ratio=1/1,colorimetry=bt601";
  // colorimetry: that of the decoded tiles; left open, a 720-line canvas is taken as BT.709 and
  // the compositor converted every tile or background of another colorimetry every frame (11% of
  // the MCU at 25 sites, bench/profile.sh).
  // No background source: the pipeline runs only while a site has video, so there is always a
  // pad (its tile or its name card), and force-live makes the compositor produce on its own clock
  // regardless of its inputs (a site that stops sending never holds the composite: its pad keeps
  // its last frame). A live black source had cost a full-frame blend and one frame of latency.
  // latency: time for a frame pushed at arrival to be decoded and scaled before its deadline.
  std::string desc =
      "compositor name=comp background=black force-live=true ignore-inactive-pads=true "
      "latency=10000000 ! " +
      caps + " ! tee name=t ";
  for (size_t i = 0; i < tiers_.size(); ++i)
    desc += EncoderBranch(int(i), tiers_[i],
                          tiers_[i].width != kCanvasWidth || tiers_[i].height != kCanvasHeight);
  GError* raw_err = nullptr;
  auto pipeline = GRef<GstElement>::AdoptSink(gst_parse_launch(desc.c_str(), &raw_err));
  if (GErrorPtr err(raw_err); err)
    return MakeError(ErrorKind::kInternal, std::string("composite pipeline: ") + err->message);
  pipeline_ = std::move(pipeline);
  GstElement* p = pipeline_.get();
  // Nothing polls this pipeline's bus: it only logs (media/bus_log.h).
  bus_log_.Attach(p);
  std::string pname = "mix-" + name_;
  gst_object_set_name(GST_OBJECT(p), pname.c_str());
  compositor_ = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(p), "comp"));
  AddBorder();
  AddRecordingMark();
  for (size_t i = 0; i < tiers_.size(); ++i) {
    io_->coalescers.emplace_back(kKeyframeIntervalUs);
    io_->encoders.push_back(GRef<GstElement>::Adopt(
        gst_bin_get_by_name(GST_BIN(p), ("enc" + std::to_string(i)).c_str())));
    io_->valves.push_back(GRef<GstElement>::Adopt(
        gst_bin_get_by_name(GST_BIN(p), ("valve" + std::to_string(i)).c_str())));
    io_->receivers.push_back(0);
    auto sink = GRef<GstElement>::Adopt(
        gst_bin_get_by_name(GST_BIN(p), ("out" + std::to_string(i)).c_str()));
    tier_sinks_.push_back(std::make_unique<TierSink>());
    tier_sinks_.back()->room = this;
    tier_sinks_.back()->tier = int(i);
    tier_sinks_.back()->codec = tiers_[i].codec;
    GstAppSinkCallbacks cb{};
    cb.new_sample = &MixRoom::OnTierSample;
    gst_app_sink_set_callbacks(GST_APP_SINK(sink.get()), &cb, tier_sinks_.back().get(), nullptr);
  }
  auto io = io_;
  audio_ = std::make_unique<AudioMixThread>(
      "mcu-audio",
      [loop = engine_->loop(), io](auto out) {
        loop->Post([io, out = std::move(out)] {
          const int64_t now = io->recordings.empty() ? 0 : NowUs();
          for (const auto& [id, payload] : out) {
            if (auto it = io->peers.find(id); it != io->peers.end())
              it->second->SendAudio(*payload);
            else if (auto r = io->recordings.find(id); r != io->recordings.end())
              r->second.recorder->OnAudio(*payload, now);
          }
        });
      },
      // The room's listener hears of it once, on mcu-io as every listener callback; the domain
      // hands it back on its executor (SetActiveSpeaker) for the layout.
      [loop = engine_->loop(), io, name = name_](ParticipantId speaker) {
        spdlog::info("mixing room {}: active speaker {}", name, speaker);
        loop->Post([io, speaker] {
          if (io->listener) io->listener->OnRoomActiveSpeaker(io->room, speaker);
        });
      });
  // The pipeline stays in NULL (built, so a missing plugin fails the room now, but no thread and
  // no codec state) until the first site with video: see AddVideoSite().
  // Frame deadlines (loss) and coalesced keyframe requests, every 20 ms.
  loop()->Invoke([this, io] {
    io->timer = loop()->AddTimer(20, [io] {
      int64_t now = NowUs();
      for (auto& [id, peer] : io->peers) peer->Tick(now);
      if (io->idle_close_us && now >= io->idle_close_us) {
        io->idle_close_us = 0;
        for (size_t i = 0; i < io->valves.size(); ++i)
          if (io->receivers[i] == 0 && io->valves[i])
            g_object_set(io->valves[i].get(), "drop", TRUE, nullptr);
      }
      for (size_t i = 0; i < io->coalescers.size(); ++i)
        if (io->coalescers[i].Poll(now)) io->ForceKeyframe(static_cast<int>(i));
      return true;
    });
  });
  return OkStatus();
}

void MixRoom::AddVideoSite() {
  if (video_sites_++ > 0) return;
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    spdlog::error("mixing room {}: composite pipeline cannot start", name_);
  StartBorder();
  // Every tier's encoder runs for its first 2 s, so that its initialisation (~150 ms at 720p) is
  // not on anyone's first frame; then the tiers nobody receives are closed again.
  loop()->Post([io = io_] {
    for (size_t i = 0; i < io->valves.size(); ++i)
      if (io->receivers[i] == 0 && io->valves[i])
        g_object_set(io->valves[i].get(), "drop", FALSE, nullptr);
    io->idle_close_us = NowUs() + 2'000'000;
  });
  spdlog::info("mixing room {}: composite {}x{}, {} tiers: started (a site with video)", name_,
               kCanvasWidth, kCanvasHeight, tiers_.size());
}

void MixRoom::RemoveVideoSite() {
  if (--video_sites_ > 0) return;
  // Every site's branch is gone (each is removed before its site), so the compositor has no
  // input: stop it and the encoders; their threads end here.
  gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  spdlog::info("mixing room {}: composite stopped (no site with video)", name_);
}

GstFlowReturn MixRoom::OnTierSample(GstAppSink* sink, gpointer data) noexcept {
  auto* ts = static_cast<TierSink*>(data);
  auto owned = GRef<GstSample>::Adopt(gst_app_sink_pull_sample(sink));
  GstSample* sample = owned.get();
  if (!sample) return GST_FLOW_OK;
  auto f = std::make_shared<TierFrame>();
  f->tier = ts->tier;
  auto add = [&](GstBuffer* b) {
    GstMapInfo map;
    if (!gst_buffer_map(b, &map, GST_MAP_READ)) return;
    std::span<const uint8_t> bytes(map.data, map.size);
    if (auto h = rtp::ParseRtp(bytes)) {
      if (f->packets.empty()) {
        auto info = InspectVideoPayload(ts->codec, bytes.subspan(h->header_size, h->payload_size));
        f->keyframe = info && info->keyframe;
      }
      f->packets.push_back({{bytes.begin(), bytes.end()}, h->sequence, h->timestamp});
    }
    gst_buffer_unmap(b, &map);
  };
  if (GstBufferList* list = gst_sample_get_buffer_list(sample)) {
    for (guint i = 0; i < gst_buffer_list_length(list); ++i) add(gst_buffer_list_get(list, i));
  } else if (GstBuffer* b = gst_sample_get_buffer(sample)) {
    add(b);
  }
  // How late the encoded frame is against its place on the pipeline clock: the compositor's
  // latency plus the scaling and encoding time; far more means the encoder cannot keep up.
  GstBuffer* first = gst_sample_get_buffer(sample);
  if (GstBufferList* list = gst_sample_get_buffer_list(sample);
      list && gst_buffer_list_length(list) > 0)
    first = gst_buffer_list_get(list, 0);
  auto owned_clock = GRef<GstClock>::Adopt(gst_element_get_clock(GST_ELEMENT(sink)));
  GstClock* clock = owned_clock.get();
  if (clock && first && GST_BUFFER_PTS_IS_VALID(first)) {
    GstClockTime due = gst_segment_to_running_time(gst_sample_get_segment(sample), GST_FORMAT_TIME,
                                                   GST_BUFFER_PTS(first));
    GstClockTime now = gst_clock_get_time(clock) - gst_element_get_base_time(GST_ELEMENT(sink));
    if (GST_CLOCK_TIME_IS_VALID(due) && now > due + TierStats::kLateFrameMs * GST_MSECOND)
      ts->late_frames.fetch_add(1, std::memory_order_relaxed);
  }
  ts->frames.fetch_add(1, std::memory_order_relaxed);
  if (f->packets.empty()) return GST_FLOW_OK;
  ts->room->DeliverTierFrame(std::move(f));
  return GST_FLOW_OK;
}

void MixRoom::DeliverTierFrame(std::shared_ptr<TierFrame> f) {
  // One hand-off per encoded frame; each receiver of the tier gets the same packets.
  auto io = io_;
  loop()->Post([io, f = std::move(f)] {
    int64_t now = NowUs();
    if (f->keyframe) io->coalescers[f->tier].OnKeyframeProduced(now);
    for (auto& [id, peer] : io->peers) peer->SendVideo(*f, now);
    for (auto& [id, r] : io->recordings) {
      if (r.tier != f->tier) continue;
      r.recorder->OnTierFrame(*f, now);
      if (r.keyframe_every_us <= 0) continue;
      if (f->keyframe || now - r.last_keyframe_us >= r.keyframe_every_us) {
        if (!f->keyframe) io->RequestKeyframe(f->tier, now);
        r.last_keyframe_us = now;
      }
    }
  });
}

bool MixRoom::AddBranch(Site& s, bool h264) {
  auto make = [&](const char* factory) {
    GstElement* e = gst_element_factory_make(factory, nullptr);
    if (e) s.branch.push_back(e);
    return e;
  };
  GstElement* src = make("appsrc");
  GstElement* dec = make(h264 ? "avdec_h264" : "vp8dec");
  GstElement* convert = make("videoconvert");
  s.tee = make("tee");
  GstElement* scale = make("videoscale");
  s.capsfilter = make("capsfilter");
  GstElement* overlay = make("textoverlay");
  if (s.branch.size() != 7) {
    spdlog::error("mixing room {}: missing GStreamer element for a site's branch", name_);
    for (GstElement* e : s.branch)
      GRef<GstElement>::AdoptSink(e);  // Never added to a bin: ours to drop.
    s.branch.clear();
    s.tee = nullptr;
    return false;
  }
  auto caps = GRef<GstCaps>::Adopt(
      h264 ? gst_caps_from_string("video/x-h264,stream-format=byte-stream,alignment=au")
           : gst_caps_from_string("video/x-vp8"));
  // Non-blocking and leaky: a slow decoder loses old frames rather than stalling mcu-io.
  g_object_set(src, "is-live", TRUE, "format", GST_FORMAT_TIME, "do-timestamp", TRUE, "block",
               FALSE, "max-bytes", guint64(4'000'000), "leaky-type", 2 /* downstream: drop old */,
               "caps", caps.get(),
               // No latency of its own, any buffering: answered "min 0, max 0", the compositor
               // re-queried latency and posted a warning at every aggregation.
               "min-latency", gint64(0), "max-latency", gint64(-1), nullptr);
  g_object_set(scale, "add-borders", TRUE, nullptr);
  g_object_set(overlay, "text", s.name.c_str(), "valignment", 1 /* bottom */, "halignment",
               1 /* center */, "shaded-background", TRUE, "font-desc", "Sans Bold 12", nullptr);
  for (GstElement* e : s.branch) gst_bin_add(GST_BIN(pipeline_.get()), e);
  gst_element_link_many(src, dec, convert, s.tee, scale, s.capsfilter, overlay, nullptr);
  GstPad* sinkpad = gst_element_request_pad_simple(compositor_.get(), "sink_%u");
  g_object_set(sinkpad, "zorder", 1u, nullptr);
  gst_pad_link(GRef<GstPad>::Adopt(gst_element_get_static_pad(overlay, "src")).get(), sinkpad);
  s.compositor_pad = GRef<GstPad>::Adopt(sinkpad);
  AddNameCard(s);
  for (auto& [link, view] : views_)
    if (link != s.id) AddViewBranch(s, link, view);
  Relayout();
  // Downstream first, so that the source's first frame meets running elements.
  for (auto e = s.branch.rbegin(); e != s.branch.rend(); ++e)
    gst_element_sync_state_with_parent(*e);
  return true;
}

void MixRoom::AddNameCard(Site& s) {
  GRef<GstSample> sample = RenderNameCard(s.name);
  if (!sample) {
    spdlog::warn("mixing room {}: no name card for {}", name_, s.name);
    return;
  }
  // No frame rate and no duration: the compositor then keeps the one frame for good (with a
  // duration it would expire after 33 ms).
  auto caps = GRef<GstCaps>::Adopt(gst_caps_copy(gst_sample_get_caps(sample.get())));
  gst_caps_set_simple(caps.get(), "framerate", GST_TYPE_FRACTION, 0, 1, nullptr);
  GstElement* src = gst_element_factory_make("appsrc", nullptr);
  g_object_set(src, "is-live", TRUE, "format", GST_FORMAT_TIME, "do-timestamp", TRUE, "caps",
               caps.get(), "min-latency", gint64(0), "max-latency", gint64(-1), nullptr);
  gst_bin_add(GST_BIN(pipeline_.get()), src);
  GstPad* sinkpad = gst_element_request_pad_simple(compositor_.get(), "sink_%u");
  g_object_set(sinkpad, "zorder", 2u, "alpha", 0.0, nullptr);
  gst_pad_link(GRef<GstPad>::Adopt(gst_element_get_static_pad(src, "src")).get(), sinkpad);
  gst_element_sync_state_with_parent(src);
  // One frame, never followed: the compositor keeps showing it (when its alpha is 1).
  GstBuffer* card = gst_buffer_copy(gst_sample_get_buffer(sample.get()));
  GST_BUFFER_DURATION(card) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_PTS(card) = GST_CLOCK_TIME_NONE;       // Stamped when pushed (do-timestamp).
  gst_app_src_push_buffer(GST_APP_SRC(src), card);  // Takes the buffer.
  s.card = src;
  s.card_pad = GRef<GstPad>::Adopt(sinkpad);
}

GstBuffer* SolidI420Frame(int width, int height, uint8_t y, uint8_t u, uint8_t v) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, width, height);
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, info.size, nullptr);
  GstMapInfo map;
  if (gst_buffer_map(buffer, &map, GST_MAP_WRITE)) {
    const uint8_t values[3] = {y, u, v};
    for (int plane = 0; plane < 3; ++plane) {
      const int rows = plane == 0 ? height : (height + 1) / 2;
      std::memset(map.data + GST_VIDEO_INFO_PLANE_OFFSET(&info, plane), values[plane],
                  size_t(GST_VIDEO_INFO_PLANE_STRIDE(&info, plane)) * rows);
    }
    gst_buffer_unmap(buffer, &map);
  }
  return buffer;
}

MixRoom::BorderBar MixRoom::AddStillPad(const std::string& caps_text, guint zorder) {
  auto caps = GRef<GstCaps>::Adopt(gst_caps_from_string(caps_text.c_str()));
  GstElement* src = gst_element_factory_make("appsrc", nullptr);
  if (!src) return {};
  g_object_set(src, "is-live", TRUE, "format", GST_FORMAT_TIME, "do-timestamp", TRUE, "caps",
               caps.get(), "min-latency", gint64(0), "max-latency", gint64(-1), nullptr);
  gst_bin_add(GST_BIN(pipeline_.get()), src);
  GstPad* sinkpad = gst_element_request_pad_simple(compositor_.get(), "sink_%u");
  g_object_set(sinkpad, "zorder", zorder, "alpha", 0.0, nullptr);
  gst_pad_link(GRef<GstPad>::Adopt(gst_element_get_static_pad(src, "src")).get(), sinkpad);
  return {src, GRef<GstPad>::Adopt(sinkpad)};
}

void MixRoom::AddBorder() {
  for (int i = 0; i < 4; ++i) {
    BorderBar bar = AddStillPad(
        "video/x-raw,format=I420,width=16,height=16,framerate=0/1,pixel-aspect-ratio=1/1,"
        "colorimetry=bt601",
        3);
    if (!bar.src) break;
    g_object_set(bar.pad.get(), "width", 2, "height", 2, nullptr);
    border_.push_back(std::move(bar));
  }
}

namespace {

constexpr int kMarkSize = 28, kMarkMargin = 16;  // Pixels on the 1280x720 canvas.

// A red dot (BT.601 of 224, 32, 32) on a transparent square, AYUV.
GstBuffer* RedDotFrame(int size) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_AYUV, size, size);
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, info.size, nullptr);
  GstMapInfo map;
  if (gst_buffer_map(buffer, &map, GST_MAP_WRITE)) {
    const int stride = GST_VIDEO_INFO_PLANE_STRIDE(&info, 0);
    const double r = size / 2.0;
    for (int y = 0; y < size; ++y) {
      for (int x = 0; x < size; ++x) {
        const double dx = x + 0.5 - r, dy = y + 0.5 - r;
        uint8_t* px = map.data + size_t(y) * stride + size_t(x) * 4;
        px[0] = dx * dx + dy * dy <= (r - 0.5) * (r - 0.5) ? 255 : 0;
        px[1] = 93, px[2] = 100, px[3] = 212;
      }
    }
    gst_buffer_unmap(buffer, &map);
  }
  return buffer;
}

// As the name cards: one frame, no duration, kept by the compositor. Stopping the pipeline
// flushes it, so it is pushed again at every start.
void PushStill(GstElement* src, GstBuffer* frame, const std::string& room, const char* what) {
  GST_BUFFER_DURATION(frame) = GST_CLOCK_TIME_NONE;
  if (gst_app_src_push_buffer(GST_APP_SRC(src), frame) != GST_FLOW_OK)
    spdlog::warn("mixing room {}: {} not started", room, what);
}

}  // namespace

void MixRoom::StartBorder() {
  for (auto& bar : border_)  // Amber (BT.601 of 255, 176, 0).
    PushStill(bar.src, SolidI420Frame(16, 16, 170, 40, 175), name_, "speaker border");
  if (recording_mark_.src)
    PushStill(recording_mark_.src, RedDotFrame(kMarkSize), name_, "recording mark");
}

void MixRoom::AddRecordingMark() {
  const std::string size = std::to_string(kMarkSize);
  recording_mark_ = AddStillPad("video/x-raw,format=AYUV,width=" + size + ",height=" + size +
                                    ",framerate=0/1,pixel-aspect-ratio=1/1",
                                4);
  if (recording_mark_.pad)
    g_object_set(recording_mark_.pad.get(), "xpos", kCanvasWidth - kMarkMargin - kMarkSize, "ypos",
                 kMarkMargin, "width", kMarkSize, "height", kMarkSize, nullptr);
}

void MixRoom::ShowRecordingMark(bool shown) const {
  if (recording_mark_.pad)
    g_object_set(recording_mark_.pad.get(), "alpha", shown ? 1.0 : 0.0, nullptr);
}

void MixRoom::UpdateBorder() {
  constexpr int kBorder = 4;  // Pixels on the 1280x720 canvas.
  const Site* s = nullptr;
  if (auto it = sites_.find(speaker_); speaker_ && it != sites_.end()) s = &it->second;
  // Hidden when nobody speaks, the speaker has no tile, or it is alone on the canvas.
  const bool show = s && s->shown() && s->visible && layout_tiles_ >= 2 && border_.size() == 4;
  if (show == border_shown_ && (!show || s->tile == border_tile_)) return;
  border_shown_ = show;
  if (!show) {
    for (auto& bar : border_) g_object_set(bar.pad.get(), "alpha", 0.0, nullptr);
    return;
  }
  const Tile& t = s->tile;
  border_tile_ = t;
  const Tile bars[4] = {{t.x, t.y, t.width, kBorder},
                        {t.x, t.y + t.height - kBorder, t.width, kBorder},
                        {t.x, t.y, kBorder, t.height},
                        {t.x + t.width - kBorder, t.y, kBorder, t.height}};
  for (int i = 0; i < 4; ++i)
    g_object_set(border_[i].pad.get(), "xpos", bars[i].x, "ypos", bars[i].y, "width", bars[i].width,
                 "height", bars[i].height, "alpha", 1.0, nullptr);
}

}  // namespace mcu::media
