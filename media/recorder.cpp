#include "media/recorder.h"

#include <fcntl.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mcu::media {

namespace {

// 20 ms: the audio mix's frame.
constexpr int64_t kAudioFrameUs = 20'000;

}  // namespace

Expected<std::unique_ptr<Recorder>> Recorder::Start(const std::string& path, int width, int height,
                                                    RecordingFormat format,
                                                    const std::optional<SealKey>& seal) {
  std::unique_ptr<SealedWriter> sealed;
  if (seal) {
    auto w = SealedWriter::Create(path, *seal);
    if (!w) return MakeError(ErrorKind::kInternal, "recording: " + w.error());
    sealed = std::move(*w);
  } else {
    // Created here, owner-only, so that filesink (which opens it again) never makes it readable.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
      return MakeError(ErrorKind::kInternal,
                       "recording: cannot create " + path + ": " + std::string(strerror(errno)));
    ::close(fd);
  }
  auto r = Launch(format == RecordingFormat::kMp4 ? Mux::kMp4 : Mux::kWebm,
                  sealed ? "streamable=true ! appsink name=out sync=false emit-signals=true"
                         : "! filesink name=file buffer-mode=unbuffered",
                  width, height);
  if (!r) return r;
  GstBin* bin = GST_BIN((*r)->pipeline_.get());
  if (sealed) {
    (*r)->sealed_ = std::move(sealed);
    auto sink = GRef<GstElement>::Adopt(gst_bin_get_by_name(bin, "out"));
    g_signal_connect(sink.get(), "new-sample", G_CALLBACK(&Recorder::OnSealedSample), r->get());
  } else {
    auto file = GRef<GstElement>::Adopt(gst_bin_get_by_name(bin, "file"));
    g_object_set(file.get(), "location", path.c_str(), nullptr);
  }
  if (Status st = (*r)->Play(); !st) return st.failure();
  spdlog::info("recording {} ({}x{} {}{})", path, width, height,
               format == RecordingFormat::kMp4 ? "MP4" : "WebM", (*r)->sealed_ ? ", sealed" : "");
  return r;
}

Expected<std::unique_ptr<Recorder>> Recorder::StartStream(int width, int height,
                                                          std::shared_ptr<Segmenter> segmenter) {
  const bool ts = segmenter->container() == Segmenter::Container::kTs;
  // Buffers of 7 packets (1316 bytes, as for UDP); the cutter takes any.
  auto r = Launch(ts ? Mux::kTs : Mux::kWebm,
                  std::string(ts ? "alignment=7" : "streamable=true") +
                      " ! appsink name=out sync=false emit-signals=true",
                  width, height);
  if (!r) return r;
  if (ts) (*r)->ts_cutter_ = std::make_unique<TsCutter>(*segmenter);
  (*r)->segmenter_ = std::move(segmenter);
  auto sink = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN((*r)->pipeline_.get()), "out"));
  g_signal_connect(sink.get(), "new-sample", G_CALLBACK(&Recorder::OnStreamSample), r->get());
  if (Status st = (*r)->Play(); !st) return st.failure();
  spdlog::info("live stream ({}x{} {})", width, height, ts ? "MPEG-TS" : "WebM");
  return r;
}

Expected<std::unique_ptr<Recorder>> Recorder::StartPush(const std::string& url, int width,
                                                        int height) {
  // async=false: the pipeline plays without waiting for the server; rtmp2sink connects by itself.
  auto r = Launch(Mux::kFlv, "streamable=true ! rtmp2sink name=rtmp sync=false async=false", width,
                  height);
  if (!r) return r;
  auto sink = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN((*r)->pipeline_.get()), "rtmp"));
  g_object_set(sink.get(), "location", url.c_str(), nullptr);
  if (Status st = (*r)->Play(); !st) return st.failure();
  spdlog::info("RTMP push ({}x{})", width, height);
  return r;
}

Expected<std::unique_ptr<Recorder>> Recorder::Launch(Mux mux, const std::string& mux_tail,
                                                     int width, int height) {
  const bool h264 = mux != Mux::kWebm;
  const bool aac = mux == Mux::kTs || mux == Mux::kFlv;
  const std::string video_caps =
      std::string("application/x-rtp,media=video,clock-rate=90000,encoding-name=") +
      (h264 ? "H264,payload=" + std::to_string(kH264Pt) : "VP8,payload=" + std::to_string(kVp8Pt));
  const std::string queue = "queue max-size-time=0 max-size-bytes=0 max-size-buffers=0 ! ";
  // The tier's SPS and PPS come before each IDR: h264parse puts them in the moov's avcC (MP4:
  // one fragment about every second per track), or writes them before each keyframe (MPEG-TS:
  // every segment decodes alone), with a PES per picture.
  const std::string video_mux =
      mux == Mux::kMp4
          ? "rtph264depay ! h264parse ! " + queue + "mp4mux name=mux fragment-duration=1000 "
      : mux == Mux::kTs ? "rtph264depay ! h264parse config-interval=-1 ! "
                          "video/x-h264,stream-format=byte-stream,alignment=au ! " +
                              queue + "mpegtsmux name=mux "
      : mux == Mux::kFlv
          ? "rtph264depay ! h264parse ! video/x-h264,stream-format=avc,alignment=au ! " + queue +
                "flvmux name=mux "
          : "rtpvp8depay ! " + queue + "webmmux name=mux ";
  const std::string audio_mux =
      aac ? "opusparse ! opusdec ! audioconvert ! avenc_aac bitrate=96000 ! aacparse ! " + queue
          : "opusparse ! " + queue;
  // Bounded, dropping the oldest: a stalled disk costs frames of the file, never mcu-io's time.
  // Live, except into mpegtsmux and flvmux: aggregators, which live would cut by the clock (with
  // no latency: one buffer at a time per pad, the video held back behind the audio); not live,
  // they wait for both inputs and interleave them by their timestamps, as the other muxers do.
  const std::string src =
      std::string("appsrc format=time leaky-type=downstream is-live=") + (aac ? "false" : "true");
  const std::string desc = src + " name=v max-bytes=8000000 caps=\"" + video_caps + "\" ! " +
                           video_mux + mux_tail + " " + src +
                           " name=a max-bytes=1000000 caps=\"audio/x-opus,rate=48000,channels=1,"
                           "channel-mapping-family=0\" ! " +
                           audio_mux + "mux.";
  GError* raw_err = nullptr;
  auto pipeline = GRef<GstElement>::AdoptSink(gst_parse_launch(desc.c_str(), &raw_err));
  if (GErrorPtr err(raw_err); err || !pipeline)
    return MakeError(ErrorKind::kInternal,
                     std::string("recording pipeline: ") + (err ? err->message : "not built"));
  std::unique_ptr<Recorder> r(new Recorder());
  r->width_ = width;
  r->height_ = height;
  GstBin* bin = GST_BIN(pipeline.get());
  r->video_src_ = GRef<GstElement>::Adopt(gst_bin_get_by_name(bin, "v"));
  r->audio_src_ = GRef<GstElement>::Adopt(gst_bin_get_by_name(bin, "a"));
  r->pipeline_ = std::move(pipeline);
  return r;
}

Status Recorder::Play() {
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    return MakeError(ErrorKind::kInternal, "recording: the pipeline did not start");
  return OkStatus();
}

GstFlowReturn Recorder::OnStreamSample(GstElement* sink, gpointer self) {
  auto* r = static_cast<Recorder*>(self);
  auto sample = GRef<GstSample>::Adopt(gst_app_sink_pull_sample(GST_APP_SINK(sink)));
  GstBuffer* b = sample ? gst_sample_get_buffer(sample.get()) : nullptr;
  GstMapInfo m;
  if (!b || !gst_buffer_map(b, &m, GST_MAP_READ)) return GST_FLOW_OK;
  // webmmux (streamable) marks its header, and the start of each cluster that begins with a
  // keyframe as the only buffers that are no delta unit.
  const Segmenter::Part part =
      GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_HEADER)        ? Segmenter::Part::kHeader
      : !GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DELTA_UNIT) ? Segmenter::Part::kKeyframeCluster
                                                               : Segmenter::Part::kOther;
  const int64_t pts_us =
      GST_BUFFER_PTS_IS_VALID(b) ? static_cast<int64_t>(GST_BUFFER_PTS(b) / GST_USECOND) : 0;
  if (r->ts_cutter_)
    r->ts_cutter_->Add(m.data, m.size);  // mpegtsmux marks no keyframe: the cutter finds them.
  else
    r->segmenter_->Add(m.data, m.size, part, pts_us);
  gst_buffer_unmap(b, &m);
  return GST_FLOW_OK;
}

GstFlowReturn Recorder::OnSealedSample(GstElement* sink, gpointer self) {
  auto* r = static_cast<Recorder*>(self);
  auto sample = GRef<GstSample>::Adopt(gst_app_sink_pull_sample(GST_APP_SINK(sink)));
  GstBuffer* b = sample ? gst_sample_get_buffer(sample.get()) : nullptr;
  GstMapInfo m;
  if (!b || r->seal_failed_ || !gst_buffer_map(b, &m, GST_MAP_READ)) return GST_FLOW_OK;
  if (Status st = r->sealed_->Write(m.data, m.size); !st) {
    r->seal_failed_ = true;  // Said once; the file keeps what was sealed before.
    spdlog::error("recording: {}", st.error());
  }
  gst_buffer_unmap(b, &m);
  return GST_FLOW_OK;
}

std::string Recorder::Failure() {
  if (!failure_.empty() || !pipeline_) return failure_;
  auto bus = GRef<GstBus>::Adopt(gst_element_get_bus(pipeline_.get()));
  auto msg = GRef<GstMessage>::Adopt(gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR));
  if (!msg) return failure_;
  GError* raw = nullptr;
  gst_message_parse_error(msg.get(), &raw, nullptr);  // Not the debug text: it may hold the URL.
  GErrorPtr err(raw);
  failure_ = std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(msg.get()))) + ": " +
             (err && err->message ? err->message : "failed");
  return failure_;
}

Recorder::~Recorder() {
  if (!pipeline_) return;
  if (!Failure().empty()) {
    // It stopped at the error (an RTMP server gone, a write that failed): no EOS will come out.
    spdlog::error("recording: {}", failure_);
  } else {
    // The muxer writes its cues and sizes on EOS; both inputs must end for it to finish.
    gst_app_src_end_of_stream(GST_APP_SRC(video_src_.get()));
    gst_app_src_end_of_stream(GST_APP_SRC(audio_src_.get()));
    auto bus = GRef<GstBus>::Adopt(gst_element_get_bus(pipeline_.get()));
    auto msg = GRef<GstMessage>::Adopt(gst_bus_timed_pop_filtered(
        bus.get(), 5 * GST_SECOND,
        static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR)));
    if (!msg)
      spdlog::warn("recording: the file was not finished within 5 s");
    else if (GST_MESSAGE_TYPE(msg.get()) == GST_MESSAGE_ERROR)
      spdlog::error("recording: {} failed", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg.get())));
  }
  gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  if (sealed_ && !seal_failed_)
    if (Status st = sealed_->Close(); !st) spdlog::error("recording: {}", st.error());
  spdlog::info("recording closed: {} video and {} audio frames, {} ms", video_frames_.load(),
               audio_frames_.load(), last_us_.load() / 1000);
}

void Recorder::Push(GstElement* src, GstBuffer* buffer) {
  // Non-blocking: appsrc queues it (dropping its oldest when full) and returns.
  gst_app_src_push_buffer(GST_APP_SRC(src), buffer);
}

void Recorder::OnTierFrame(const TierFrame& f, int64_t now_us) {
  if (f.packets.empty()) return;
  const uint32_t ts = f.packets.front().timestamp;
  if (start_us_ < 0) {
    if (!f.keyframe) return;  // The file starts on a keyframe.
    start_us_ = now_us;
  } else {
    // From frame to frame, the tier's own 90 kHz clock (exact, whatever mcu-io's delays); where
    // it jumps (the composite restarted and its timestamps begin anew), the time between the
    // frames' arrivals.
    const auto ticks = static_cast<int32_t>(ts - last_ts_);
    video_us_ += ticks > 0 && ticks <= 90'000 ? int64_t{ticks} * 1000 / 90
                                              : std::max<int64_t>(now_us - last_arrival_us_, 1000);
  }
  last_ts_ = ts;
  last_arrival_us_ = now_us;
  const int64_t pts_us = video_us_;
  for (const auto& p : f.packets) {
    GstBuffer* b = gst_buffer_new_memdup(p.data.data(), p.data.size());
    // No frame is reordered (the tiers encode no B-frames): decoded when presented.
    GST_BUFFER_PTS(b) = GST_BUFFER_DTS(b) = static_cast<GstClockTime>(pts_us) * GST_USECOND;
    Push(video_src_.get(), b);
  }
  video_frames_.fetch_add(1, std::memory_order_relaxed);
  last_us_.store(pts_us, std::memory_order_relaxed);
}

void Recorder::OnAudio(const std::vector<uint8_t>& opus, int64_t now_us) {
  if (start_us_ < 0 || opus.empty()) return;  // Audio from the first keyframe on.
  if (audio_start_us_ < 0) audio_start_us_ = now_us - start_us_;
  const uint64_t n = audio_frames_.fetch_add(1, std::memory_order_relaxed);
  GstBuffer* b = gst_buffer_new_memdup(opus.data(), opus.size());
  GST_BUFFER_PTS(b) =
      static_cast<GstClockTime>(audio_start_us_ + static_cast<int64_t>(n) * kAudioFrameUs) *
      GST_USECOND;
  GST_BUFFER_DURATION(b) = kAudioFrameUs * GST_USECOND;
  Push(audio_src_.get(), b);
}

MediaRecording::Stats Recorder::Progress() const {
  MediaRecording::Stats s;
  s.video_frames = video_frames_.load();
  s.audio_frames = audio_frames_.load();
  s.duration_ms = last_us_.load() / 1000;
  s.width = width_;
  s.height = height_;
  return s;
}

}  // namespace mcu::media
