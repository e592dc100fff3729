#include "apps/mcu-room/room_media.h"

#include <gst/app/gstappsink.h>
#include <gst/sdp/sdp.h>
#include <gst/video/navigation.h>
#include <gst/video/video.h>
#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mcu::room {

using media::GCharPtr;
using media::GErrorPtr;
using media::GRef;
using media::TakeGString;

namespace {

struct Task {
  std::function<void()> fn;
  std::shared_ptr<std::atomic<bool>> alive;
};

gboolean RunTask(gpointer data) noexcept {
  auto* t = static_cast<Task*>(data);
  if (*t->alive) t->fn();
  return G_SOURCE_REMOVE;
}

// A value for gst_parse_launch: quoted, without the characters that would end the quote.
std::string Quoted(std::string v) {
  for (auto& c : v)
    if (c == '"' || c == '\\') c = ' ';
  return "\"" + v + "\"";
}

std::string VideoSource(const MediaOptions& o) {
  std::ostringstream s;
  if (!o.camera.empty()) {
    s << "v4l2src name=cam device=" << o.camera << " ! videoconvert ! videoscale ! videorate";
  } else {
    s << "videotestsrc name=cam is-live=true ";
    if (o.pattern == "smpte")
      s << "pattern=smpte";
    else if (o.pattern == "ball")
      s << "pattern=ball";
    else
      s << "pattern=solid-color foreground-color=" << (0xFF000000u | o.color);
  }
  s << " ! video/x-raw,width=" << o.width << ",height=" << o.height << ",framerate=" << o.fps
    << "/1";
  if (o.camera.empty() && !o.slate.empty())
    s << " ! textoverlay text=" << Quoted(o.slate)
      << " valignment=center halignment=center font-desc=\"Sans 16\"";
  if (!o.site_name.empty()) {
    s << " ! textoverlay text=" << Quoted(o.site_name)
      << " valignment=bottom halignment=center font-desc=\"Sans Bold 20\" shaded-background=true";
  }
  s << " ! videoscale ! capsfilter name=sendsize caps=video/x-raw,width=" << o.width
    << ",height=" << o.height << " ! videoconvert ! queue max-size-buffers=2 leaky=downstream";
  if (o.codec == "h264") {
    s << " ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=300 bitrate="
      << o.video_bitrate_kbps << " ! video/x-h264,profile=constrained-baseline"
      << " ! rtph264pay pt=102 mtu=1200 config-interval=-1 aggregate-mode=zero-latency"
      << " ! application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000 ! "
         "webrtc.";
  } else {
    s << " ! vp8enc deadline=1 cpu-used=-6 threads=2 keyframe-max-dist=300 end-usage=cbr"
      << " target-bitrate=" << o.video_bitrate_kbps * 1000 << " error-resilient=partitions"
      << " ! rtpvp8pay pt=96 mtu=1200 picture-id-mode=15-bit"
      << " ! application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000 ! webrtc.";
  }
  return s.str();
}

// Echo cancellation needs the loudspeakers' signal: only with a playout path.
bool EchoCancels(const MediaOptions& o) {
  return o.microphone && o.echo_cancel && o.speaker != "none";
}

std::string AudioSource(const MediaOptions& o) {
  std::ostringstream s;
  if (o.microphone) {
    if (!o.mic_device.empty())
      s << "pulsesrc name=mic device=" << Quoted(o.mic_device);
    else
      s << "autoaudiosrc name=mic";
  } else if (o.silent) {
    s << "audiotestsrc name=mic is-live=true wave=silence";
  } else {
    s << "audiotestsrc name=mic is-live=true wave=sine freq=" << o.tone_hz
      << " volume=" << o.tone_volume;
  }
  s << " ! audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=48000,channels=1";
  if (o.microphone && (EchoCancels(o) || o.noise_suppression || o.gain_control)) {
    // delay-agnostic: the loudspeakers' and the microphone's buffers (the sound server's, the
    // device's) add a delay webrtcdsp cannot know; it estimates it from the signals. High
    // suppression of the residual echo: a room's loudspeakers are loud and near its microphone
    // (measured by the RoomOutput echo test: 15 dB less echo at the default level, 33 at high).
    s << " ! webrtcdsp probe=probe delay-agnostic=true extended-filter=true "
         "echo-suppression-level=high echo-cancel="
      << EchoCancels(o) << " noise-suppression=" << o.noise_suppression
      << " gain-control=" << o.gain_control << " ! audioconvert";
  }
  // The room's own mute (its key): after the processing, so echo cancellation keeps adapting.
  s << " ! volume name=micvol";
  s << " ! queue max-size-time=100000000 leaky=downstream ! opusenc bitrate=32000 frame-size=20"
    << " ! rtpopuspay pt=111 mtu=1200"
    << " ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000 ! webrtc.";
  return s.str();
}

// The loudspeakers' path, there from the start (webrtcdsp looks for its probe when it starts):
// silence until the mix arrives and is linked into `playmix`.
std::string PlayoutPath(const MediaOptions& o) {
  if (o.speaker == "none") return "";
  std::ostringstream s;
  const char* raw = "audio/x-raw,format=S16LE,rate=48000,channels=1";
  s << " audiotestsrc is-live=true wave=silence samplesperbuffer=480 ! " << raw
    << " ! audiomixer name=playmix latency=20000000 ! " << raw;
  if (EchoCancels(o)) s << " ! webrtcechoprobe name=probe";
  s << " ! audioconvert ! audioresample ! ";
  s << (o.speaker == "alsa" ? "alsasink" : "pulsesink")
    << " name=speaker buffer-time=40000 latency-time=10000";
  if (!o.speaker_device.empty()) s << " device=" << Quoted(o.speaker_device);
  return s.str();
}

// Full screen: the composite scaled to the screen (a window of the screen's size, at its corner,
// covers it: a room PC runs no window manager, or one that leaves it there).
std::string ScreenCaps(const MediaOptions& o) {
  if (o.screen_width <= 0 || o.screen_height <= 0) return "";
  return "video/x-raw,width=" + std::to_string(o.screen_width) +
         ",height=" + std::to_string(o.screen_height) + ",pixel-aspect-ratio=1/1 ! ";
}

std::string DisplaySink(const std::string& display) {
  if (display == "kms") return "kmssink";
  if (display == "gl") return "glimagesink force-aspect-ratio=true";
  return "ximagesink force-aspect-ratio=true";
}

}  // namespace

std::string ResolveDisplay(const std::string& wanted) {
  if (wanted != "auto") return wanted;
  if (std::getenv("WAYLAND_DISPLAY")) return "gl";
  if (std::getenv("DISPLAY")) return "x";
  if (std::filesystem::exists("/dev/dri/card0")) return "kms";
  return "none";
}

std::string ResolveSpeaker(const std::string& wanted) {
  if (wanted != "auto") return wanted;
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (std::getenv("PULSE_SERVER") ||
      (runtime && std::filesystem::exists(std::string(runtime) + "/pulse/native")))
    return "pulse";
  std::ifstream cards("/proc/asound/cards");
  std::string first;
  if (cards && std::getline(cards, first) && first.find("no soundcards") == std::string::npos &&
      !first.empty())
    return "alsa";
  return "none";
}

RoomMedia::RoomMedia(MediaOptions options, Callbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)) {}

RoomMedia::~RoomMedia() {
  *alive_ = false;
  if (pipeline_) {
    // Tear down in order: disconnect handlers, stop the pipeline, then drop references.
    if (webrtc_) g_signal_handlers_disconnect_by_data(webrtc_.get(), this);
    if (bus_watch_) g_source_remove(bus_watch_);
    gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    webrtc_.reset();
    pipeline_.reset();
  }
  std::lock_guard lock(mutex_);
  last_video_.reset();
}

void RoomMedia::Post(std::function<void()> fn) {
  g_idle_add_full(G_PRIORITY_DEFAULT, RunTask, new Task{std::move(fn), alive_},
                  [](gpointer p) noexcept { delete static_cast<Task*>(p); });
}

bool RoomMedia::Start(std::string* error) {
  std::string desc = "webrtcbin name=webrtc bundle-policy=max-bundle latency=100 " +
                     VideoSource(options_) + " " + AudioSource(options_) + PlayoutPath(options_);
  GError* raw_err = nullptr;
  auto pipeline = GRef<GstElement>::AdoptSink(gst_parse_launch(desc.c_str(), &raw_err));
  if (GErrorPtr err(raw_err); err) {
    *error = std::string("pipeline: ") + err->message;
    return false;
  }
  pipeline_ = std::move(pipeline);
  webrtc_ = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "webrtc"));
  if (!options_.ice_addresses.empty()) {
    GstObject* raw_ice = nullptr;
    g_object_get(webrtc_.get(), "ice-agent", &raw_ice, nullptr);
    // webrtcbin leaves its ICE object floating: the reference g_object_get gave is ours, and
    // sinking it turns webrtcbin's floating one into the plain reference it drops at dispose.
    auto ice = GRef<GstObject>::AdoptSink(raw_ice);
    for (const auto& address : options_.ice_addresses) {
      gboolean added = FALSE;
      if (ice) g_signal_emit_by_name(ice.get(), "add-local-ip-address", address.c_str(), &added);
      if (!added) {
        *error = "ICE cannot use local address " + address;
        return false;
      }
    }
  }
  // Count what the camera and the microphone give: one that stops (unplugged) is noticed.
  for (auto [name, counter] : {std::pair{"cam", &sent_video_}, std::pair{"mic", &sent_audio_}}) {
    auto source = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(pipeline_.get()), name));
    auto pad =
        GRef<GstPad>::Adopt(source ? gst_element_get_static_pad(source.get(), "src") : nullptr);
    if (pad)
      gst_pad_add_probe(
          pad.get(), GST_PAD_PROBE_TYPE_BUFFER,
          +[](GstPad*, GstPadProbeInfo*, gpointer c) noexcept {
            static_cast<std::atomic<uint64_t>*>(c)->fetch_add(1, std::memory_order_relaxed);
            return GST_PAD_PROBE_OK;
          },
          counter, nullptr);
  }
  g_signal_connect(webrtc_.get(), "on-ice-candidate", G_CALLBACK(OnIceCandidate), this);
  g_signal_connect(webrtc_.get(), "pad-added", G_CALLBACK(OnPadAdded), this);
  g_signal_connect(webrtc_.get(), "notify::connection-state", G_CALLBACK(OnConnectionState), this);
  auto bus = GRef<GstBus>::Adopt(gst_element_get_bus(pipeline_.get()));
  bus_watch_ = gst_bus_add_watch(bus.get(), OnBusMessage, this);
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    *error = "pipeline cannot start (camera or microphone unavailable?)";
    return false;
  }
  return true;
}

void RoomMedia::OnConnectionState(GstElement* webrtc, GParamSpec*, gpointer self) noexcept {
  GstWebRTCPeerConnectionState st;
  g_object_get(webrtc, "connection-state", &st, nullptr);
  static const char* names[] = {"new",          "connecting", "connected",
                                "disconnected", "failed",     "closed"};
  std::string name = st <= 5 ? names[st] : "unknown";
  auto* m = static_cast<RoomMedia*>(self);
  m->Post([m, name] {
    if (m->callbacks_.on_connection_state) m->callbacks_.on_connection_state(name);
  });
}

void RoomMedia::SetSendSize(int width, int height) {
  // Keep the source's aspect ratio and never upscale; even sizes for the encoder.
  double scale = std::min({1.0, double(width) / options_.width, double(height) / options_.height});
  int w = std::max(2, int(options_.width * scale) & ~1),
      h = std::max(2, int(options_.height * scale) & ~1);
  if (w == send_width_ && h == send_height_) return;
  send_width_ = w, send_height_ = h;
  auto f = GRef<GstElement>::Adopt(
      pipeline_ ? gst_bin_get_by_name(GST_BIN(pipeline_.get()), "sendsize") : nullptr);
  if (!f) return;
  auto caps = GRef<GstCaps>::Adopt(
      gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, w, "height", G_TYPE_INT, h, nullptr));
  g_object_set(f.get(), "caps", caps.get(), nullptr);
  spdlog::info("sending {}x{} (the MCU asked for {}x{})", w, h, width, height);
}

void RoomMedia::HandleOffer(const std::string& sdp_text) {
  GstSDPMessage* sdp = nullptr;
  gst_sdp_message_new(&sdp);
  if (gst_sdp_message_parse_buffer(reinterpret_cast<const guint8*>(sdp_text.data()),
                                   static_cast<guint>(sdp_text.size()), sdp) != GST_SDP_OK) {
    gst_sdp_message_free(sdp);
    if (callbacks_.on_error) callbacks_.on_error("cannot parse the MCU's offer");
    return;
  }
  GstWebRTCSessionDescription* offer =
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, sdp);
  auto alive = alive_;
  // set-remote-description -> create-answer -> set-local-description, chained by promises whose
  // callbacks run on webrtcbin's thread: they only emit signals and post results.
  GstPromise* on_remote = gst_promise_new_with_change_func(
      +[](GstPromise* p, gpointer self) noexcept {
        GRef<GstPromise>::Adopt(p);  // Ours: dropped at once, nothing is read from it.
        auto* m = static_cast<RoomMedia*>(self);
        GstPromise* on_answer = gst_promise_new_with_change_func(
            +[](GstPromise* raw, gpointer self) noexcept {
              auto* m = static_cast<RoomMedia*>(self);
              auto p = GRef<GstPromise>::Adopt(raw);
              const GstStructure* reply = gst_promise_get_reply(p.get());
              GstWebRTCSessionDescription* answer = nullptr;
              if (reply)
                gst_structure_get(reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer,
                                  nullptr);
              if (!answer) {
                m->Post([m] {
                  if (m->callbacks_.on_error)
                    m->callbacks_.on_error("webrtcbin could not answer the offer");
                });
                return;
              }
              g_signal_emit_by_name(m->webrtc_.get(), "set-local-description", answer, nullptr);
              std::string sdp = TakeGString(gst_sdp_message_as_text(answer->sdp));
              gst_webrtc_session_description_free(answer);
              m->Post([m, sdp] {
                if (m->callbacks_.on_answer) m->callbacks_.on_answer(sdp);
              });
            },
            m, nullptr);
        g_signal_emit_by_name(m->webrtc_.get(), "create-answer", nullptr, on_answer);
      },
      this, nullptr);
  g_signal_emit_by_name(webrtc_.get(), "set-remote-description", offer, on_remote);
  gst_webrtc_session_description_free(offer);
}

void RoomMedia::AddRemoteCandidate(int mline, const std::string& candidate) {
  if (webrtc_) g_signal_emit_by_name(webrtc_.get(), "add-ice-candidate", mline, candidate.c_str());
}

void RoomMedia::OnIceCandidate(GstElement*, guint mline, gchar* candidate, gpointer self) noexcept {
  auto* m = static_cast<RoomMedia*>(self);
  std::string c = candidate;
  m->Post([m, mline, c] {
    if (m->callbacks_.on_candidate) m->callbacks_.on_candidate(static_cast<int>(mline), c);
  });
}

void RoomMedia::OnPadAdded(GstElement*, GstPad* pad, gpointer self) noexcept {
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
  auto* m = static_cast<RoomMedia*>(self);
  GstElement* decode = gst_element_factory_make("decodebin", nullptr);
  g_signal_connect(decode, "pad-added", G_CALLBACK(OnDecodedPad), m);
  gst_bin_add(GST_BIN(m->pipeline_.get()), decode);
  gst_element_sync_state_with_parent(decode);
  gst_pad_link(pad, GRef<GstPad>::Adopt(gst_element_get_static_pad(decode, "sink")).get());
  // When each frame's (audio packet's) RTP leaves webrtcbin: where the playout delays start.
  auto caps = GRef<GstCaps>::Adopt(gst_pad_get_current_caps(pad));
  if (!caps) caps = GRef<GstCaps>::Adopt(gst_pad_query_caps(pad, nullptr));
  const char* media = caps && gst_caps_get_size(caps.get()) > 0
                          ? gst_structure_get_string(gst_caps_get_structure(caps.get(), 0), "media")
                          : nullptr;
  if (media && std::string(media) == "video")
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, OnArrival<kVideo>, m, nullptr);
  else if (media && std::string(media) == "audio")
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, OnArrival<kAudio>, m, nullptr);
}

void RoomMedia::OnDecodedPad(GstElement*, GstPad* pad, gpointer self) noexcept {
  auto* m = static_cast<RoomMedia*>(self);
  auto caps = GRef<GstCaps>::Adopt(gst_pad_get_current_caps(pad));
  if (!caps) caps = GRef<GstCaps>::Adopt(gst_pad_query_caps(pad, nullptr));
  std::string name = gst_structure_get_name(gst_caps_get_structure(caps.get(), 0));
  std::string chain;
  GCallback on_sample;
  const bool video = name.rfind("video/", 0) == 0;
  if (video) {
    // Kept for --snapshot and counted; and, with a display, shown by the RTP clock.
    chain =
        "queue name=in ! videoconvert ! tee name=vt ! queue ! videoconvert ! "
        "video/x-raw,format=RGB ! "
        "appsink name=vsink emit-signals=true sync=false max-buffers=2 drop=true";
    if (m->options_.display != "none")
      chain +=
          // The display sink holds each frame until its time (the pipeline latency, ~180 ms):
          // the queue before it holds that much, or frames are dropped there.
          " vt. ! queue name=dq max-size-buffers=0 max-size-bytes=0 max-size-time=500000000 "
          "leaky=downstream ! videoconvert ! videoscale add-borders=true ! " +
          ScreenCaps(m->options_) +
          "textoverlay name=status valignment=bottom halignment=center "
          "font-desc=\"Sans 16\" shaded-background=true wait-text=false ! " +
          DisplaySink(m->options_.display) + " name=display sync=true";
    on_sample = G_CALLBACK(OnVideoSample);
  } else if (name.rfind("audio/", 0) == 0) {
    // Kept for --record and counted; and, with loudspeakers, into the playout mixer (the
    // branch's unlinked end becomes the bin's source pad).
    chain =
        "queue ! audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=48000,channels=1 "
        "! tee name=at ! queue ! appsink name=asink emit-signals=true sync=false";
    if (m->options_.speaker != "none") chain += " at. ! queue max-size-time=200000000";
    on_sample = G_CALLBACK(OnAudioSample);
  } else {
    return;
  }
  GError* raw_err = nullptr;
  // The audio branch's pads are ghosted by the parser; the video branch's sink pad by hand: the
  // status line's textoverlay has a text sink pad that stays unlinked and would be taken instead.
  GstElement* bin = gst_parse_bin_from_description(chain.c_str(), !video,
                                                   &raw_err);  // Floating: the pipeline takes it.
  if (bin && video) {
    auto in = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(bin), "in"));
    auto target = GRef<GstPad>::Adopt(gst_element_get_static_pad(in.get(), "sink"));
    gst_element_add_pad(bin, gst_ghost_pad_new("sink", target.get()));
  }
  if (GErrorPtr err(raw_err); err || !bin) {
    spdlog::error("the received {} cannot be played: {}", name, err ? err->message : "no bin");
    GRef<GstElement>::AdoptSink(bin);
    return;
  }
  auto sink = GRef<GstElement>::Adopt(
      gst_bin_get_by_name(GST_BIN(bin), name[0] == 'v' ? "vsink" : "asink"));
  g_signal_connect(sink.get(), "new-sample", on_sample, m);
  if (auto display = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(bin), "display"))) {
    auto pad = GRef<GstPad>::Adopt(gst_element_get_static_pad(display.get(), "sink"));
    gst_pad_add_probe(pad.get(), GST_PAD_PROBE_TYPE_BUFFER,
                      OnPlayout<kVideo, &PlayoutDelays::display_ms>, m, nullptr);
    gst_pad_add_probe(pad.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, OnDisplayEvent, m, nullptr);
    auto queue = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(bin), "dq"));
    auto queue_pad = GRef<GstPad>::Adopt(gst_element_get_static_pad(queue.get(), "sink"));
    gst_pad_add_probe(queue_pad.get(), GST_PAD_PROBE_TYPE_BUFFER,
                      OnPlayout<kVideo, &PlayoutDelays::decoded_ms>, m, nullptr);
    auto status = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(bin), "status"));
    std::lock_guard lock(m->mutex_);
    g_object_set(status.get(), "text", m->status_line_.c_str(), nullptr);
  }
  gst_bin_add(GST_BIN(m->pipeline_.get()), bin);
  if (!video && m->options_.speaker != "none") {
    auto mixer =
        GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(m->pipeline_.get()), "playmix"));
    if (!mixer || !gst_element_link(bin, mixer.get()))
      spdlog::warn("the received audio cannot reach the loudspeakers");
    // The decoded audio as it is handed to the playout mixer.
    auto src = GRef<GstPad>::Adopt(gst_element_get_static_pad(bin, "src"));
    if (src)
      gst_pad_add_probe(src.get(), GST_PAD_PROBE_TYPE_BUFFER,
                        OnPlayout<kAudio, &PlayoutDelays::speaker_ms>, m, nullptr);
  }
  gst_element_sync_state_with_parent(bin);
  gst_pad_link(pad, GRef<GstPad>::Adopt(gst_element_get_static_pad(bin, "sink")).get());
}

GstFlowReturn RoomMedia::OnVideoSample(GstElement* sink, gpointer self) noexcept {
  auto* m = static_cast<RoomMedia*>(self);
  auto sample = GRef<GstSample>::Adopt(gst_app_sink_pull_sample(GST_APP_SINK(sink)));
  if (!sample) return GST_FLOW_OK;
  int w = 0, h = 0;
  if (GstCaps* caps = gst_sample_get_caps(sample.get())) {
    GstStructure* s = gst_caps_get_structure(caps, 0);
    gst_structure_get_int(s, "width", &w);
    gst_structure_get_int(s, "height", &h);
  }
  std::lock_guard lock(m->mutex_);
  m->last_video_ = std::move(sample);  // Kept: the PNG is encoded only when asked for.
  m->counters_.video_frames++;
  m->counters_.video_width = w;
  m->counters_.video_height = h;
  return GST_FLOW_OK;
}

GstFlowReturn RoomMedia::OnAudioSample(GstElement* sink, gpointer self) noexcept {
  auto* m = static_cast<RoomMedia*>(self);
  auto sample = GRef<GstSample>::Adopt(gst_app_sink_pull_sample(GST_APP_SINK(sink)));
  if (!sample) return GST_FLOW_OK;
  GstBuffer* buf = gst_sample_get_buffer(sample.get());
  GstMapInfo map;
  if (buf && gst_buffer_map(buf, &map, GST_MAP_READ)) {
    size_t n = map.size / 2;
    std::lock_guard lock(m->mutex_);
    m->counters_.audio_samples += n;
    if (m->recording_ && m->audio_.size() < m->audio_wanted_) {
      const auto* s = reinterpret_cast<const int16_t*>(map.data);
      size_t take = std::min(n, m->audio_wanted_ - m->audio_.size());
      m->audio_.insert(m->audio_.end(), s, s + take);
    }
    gst_buffer_unmap(buf, &map);
  }
  return GST_FLOW_OK;
}

gboolean RoomMedia::OnBusMessage(GstBus*, GstMessage* msg, gpointer self) noexcept {
  auto* m = static_cast<RoomMedia*>(self);
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    GError* raw_err = nullptr;
    gchar* raw_dbg = nullptr;
    gst_message_parse_error(msg, &raw_err, &raw_dbg);
    GErrorPtr err(raw_err);
    GCharPtr dbg(raw_dbg);
    std::string text =
        std::string(GST_OBJECT_NAME(msg->src)) + ": " + (err ? err->message : "error");
    GST_DEBUG_BIN_TO_DOT_FILE_WITH_TS(GST_BIN(m->pipeline_.get()), GST_DEBUG_GRAPH_SHOW_ALL,
                                      "mcu-room-error");
    if (m->callbacks_.on_error) m->callbacks_.on_error(text);
  }
  return G_SOURCE_CONTINUE;
}

GstClockTime RoomMedia::Now() const {
  auto clock = GRef<GstClock>::Adopt(gst_element_get_clock(pipeline_.get()));
  if (!clock) return GST_CLOCK_TIME_NONE;
  return gst_clock_get_time(clock.get()) - gst_element_get_base_time(pipeline_.get());
}

template <int kKind>
GstPadProbeReturn RoomMedia::OnArrival(GstPad*, GstPadProbeInfo* info, gpointer self) noexcept {
  auto* m = static_cast<RoomMedia*>(self);
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  if (!GST_BUFFER_PTS_IS_VALID(buffer)) return GST_PAD_PROBE_OK;
  const GstClockTime pts = GST_BUFFER_PTS(buffer);
  std::lock_guard lock(m->mutex_);
  auto& arrivals = m->arrivals_[kKind];
  // A frame's first packet counts: the clock is read once a frame, not once a packet.
  if (arrivals.count(pts)) return GST_PAD_PROBE_OK;
  const GstClockTime now = m->Now();
  if (!GST_CLOCK_TIME_IS_VALID(now)) return GST_PAD_PROBE_OK;
  arrivals.emplace(pts, now);
  while (arrivals.begin()->first + 5 * GST_SECOND < pts) arrivals.erase(arrivals.begin());
  return GST_PAD_PROBE_OK;
}

template <int kKind, std::vector<double> PlayoutDelays::*kWhere>
GstPadProbeReturn RoomMedia::OnPlayout(GstPad*, GstPadProbeInfo* info, gpointer self) noexcept {
  auto* m = static_cast<RoomMedia*>(self);
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  const GstClockTime now = m->Now();
  if (!GST_BUFFER_PTS_IS_VALID(buffer) || !GST_CLOCK_TIME_IS_VALID(now)) return GST_PAD_PROBE_OK;
  std::lock_guard lock(m->mutex_);
  const auto& arrivals = m->arrivals_[kKind];
  auto it = arrivals.find(GST_BUFFER_PTS(buffer));
  if (it == arrivals.end() || now < it->second) return GST_PAD_PROBE_OK;
  auto& samples = m->delays_.*kWhere;
  if (samples.size() >= 100000) samples.erase(samples.begin(), samples.begin() + 50000);
  samples.push_back(static_cast<double>(now - it->second) / 1e6);
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn RoomMedia::OnDisplayEvent(GstPad*, GstPadProbeInfo* info,
                                            gpointer self) noexcept {
  auto* m = static_cast<RoomMedia*>(self);
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  const gchar* key = nullptr;
  if (event && GST_EVENT_TYPE(event) == GST_EVENT_NAVIGATION &&
      gst_navigation_event_get_type(event) == GST_NAVIGATION_EVENT_KEY_PRESS &&
      gst_navigation_event_parse_key_event(event, &key) && key) {
    std::string name = key;
    m->Post([m, name] {
      if (m->callbacks_.on_key) m->callbacks_.on_key(name);
    });
  }
  return GST_PAD_PROBE_OK;
}

void RoomMedia::SetStatusLine(const std::string& text) {
  {
    std::lock_guard lock(mutex_);
    if (text == status_line_) return;
    status_line_ = text;
  }
  if (!pipeline_) return;
  if (auto status =
          GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "status")))
    g_object_set(status.get(), "text", text.c_str(), nullptr);
}

void RoomMedia::SetMicMuted(bool muted) {
  if (!pipeline_) return;
  if (auto vol = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "micvol")))
    g_object_set(vol.get(), "mute", muted, nullptr);
}

PlayoutDelays RoomMedia::playout_delays() const {
  PlayoutDelays out;
  {
    std::lock_guard lock(mutex_);
    out = delays_;
  }
  if (pipeline_) {
    auto query = GRef<GstQuery>::Adopt(gst_query_new_latency());
    if (gst_element_query(pipeline_.get(), query.get())) {
      gboolean live = FALSE;
      GstClockTime min = 0, max = 0;
      gst_query_parse_latency(query.get(), &live, &min, &max);
      out.pipeline_latency_ms = static_cast<double>(min) / 1e6;
    }
  }
  return out;
}

ReceivedCounters RoomMedia::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

bool RoomMedia::SavePng(const std::string& path, std::string* error) const {
  GRef<GstSample> sample;
  {
    std::lock_guard lock(mutex_);
    sample = last_video_;
  }
  if (!sample) {
    *error = "no video frame received";
    return false;
  }
  auto png_caps = GRef<GstCaps>::Adopt(gst_caps_new_empty_simple("image/png"));
  GError* raw_err = nullptr;
  auto png = GRef<GstSample>::Adopt(
      gst_video_convert_sample(sample.get(), png_caps.get(), 5 * GST_SECOND, &raw_err));
  GErrorPtr err(raw_err);
  if (!png) {
    *error = err ? err->message : "PNG conversion failed";
    return false;
  }
  GstBuffer* buf = gst_sample_get_buffer(png.get());
  GstMapInfo map;
  bool ok = false;
  if (gst_buffer_map(buf, &map, GST_MAP_READ)) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(map.data), static_cast<std::streamsize>(map.size));
    ok = static_cast<bool>(out);
    gst_buffer_unmap(buf, &map);
  }
  if (!ok) *error = "cannot write " + path;
  return ok;
}

void RoomMedia::StartAudioRecording(double seconds) {
  std::lock_guard lock(mutex_);
  audio_.clear();
  audio_wanted_ = static_cast<size_t>(seconds * 48000);
  audio_.reserve(audio_wanted_);
  recording_ = true;
}

bool RoomMedia::AudioRecordingDone() const {
  std::lock_guard lock(mutex_);
  return recording_ && audio_.size() >= audio_wanted_;
}

bool RoomMedia::SaveWav(const std::string& path, std::string* error) const {
  std::vector<int16_t> copy;
  {
    std::lock_guard lock(mutex_);
    copy = audio_;
  }
  if (!WriteWav(path, copy, 48000)) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

void RoomMedia::RequestStats(std::function<void(const std::string&)> done) {
  if (!webrtc_) return;
  auto* ctx =
      new std::pair<RoomMedia*, std::function<void(const std::string&)>>(this, std::move(done));
  GstPromise* p = gst_promise_new_with_change_func(
      +[](GstPromise* p, gpointer data) noexcept {
        auto owned =
            GRef<GstPromise>::Adopt(p);  // The reference made below: dropped when this ends.
        auto* ctx =
            static_cast<std::pair<RoomMedia*, std::function<void(const std::string&)>>*>(data);
        std::string summary;
        if (const GstStructure* s = gst_promise_get_reply(p)) {
          // Summarise the RTP streams: one entry per inbound/outbound report.
          gst_structure_foreach(
              s,
              +[](GQuark, const GValue* v, gpointer out) noexcept -> gboolean {
                if (!GST_VALUE_HOLDS_STRUCTURE(v)) return TRUE;
                const GstStructure* r = gst_value_get_structure(v);
                GstWebRTCStatsType type;
                if (!gst_structure_get(r, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, nullptr))
                  return TRUE;
                auto* summary = static_cast<std::string*>(out);
                guint64 packets = 0, bytes = 0;
                guint ssrc = 0;
                gst_structure_get_uint(r, "ssrc", &ssrc);
                if (type == GST_WEBRTC_STATS_INBOUND_RTP) {
                  gst_structure_get_uint64(r, "packets-received", &packets);
                  gst_structure_get_uint64(r, "bytes-received", &bytes);
                  gint64 lost = 0;
                  gst_structure_get_int64(r, "packets-lost", &lost);
                  *summary +=
                      " in[ssrc=" + std::to_string(ssrc) + " pkts=" + std::to_string(packets) +
                      " bytes=" + std::to_string(bytes) + " lost=" + std::to_string(lost) + "]";
                } else if (type == GST_WEBRTC_STATS_OUTBOUND_RTP) {
                  gst_structure_get_uint64(r, "packets-sent", &packets);
                  gst_structure_get_uint64(r, "bytes-sent", &bytes);
                  *summary += " out[ssrc=" + std::to_string(ssrc) +
                              " pkts=" + std::to_string(packets) +
                              " bytes=" + std::to_string(bytes) + "]";
                }
                return TRUE;
              },
              &summary);
        }
        RoomMedia* m = ctx->first;
        auto done = std::move(ctx->second);
        delete ctx;
        m->Post([done, summary] { done(summary); });
      },
      ctx, nullptr);
  g_signal_emit_by_name(webrtc_.get(), "get-stats", nullptr, p);
}

bool WriteWav(const std::string& path, const std::vector<int16_t>& samples, int rate) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return false;
  auto u32 = [&](uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
  uint32_t data_bytes = static_cast<uint32_t>(samples.size() * 2);
  out.write("RIFF", 4);
  u32(36 + data_bytes);
  out.write("WAVEfmt ", 8);
  u32(16);
  u16(1);  // PCM
  u16(1);  // mono
  u32(static_cast<uint32_t>(rate));
  u32(static_cast<uint32_t>(rate * 2));
  u16(2);
  u16(16);
  out.write("data", 4);
  u32(data_bytes);
  out.write(reinterpret_cast<const char*>(samples.data()), data_bytes);
  return static_cast<bool>(out);
}

}  // namespace mcu::room
