// The room endpoint's media: one GStreamer pipeline with one webrtcbin (a single peer, so
// webrtcbin suits it), live sources (camera and microphone, or a test tone and a solid colour
// with the site's name), the room's display and loudspeakers for what arrives, and sinks that
// keep it for inspection (the last video frame as PNG, N seconds of audio as WAV) and count it.
//
// Playout: webrtcbin's jitter buffer holds 100 ms (`latency`), the display and loudspeaker sinks
// play by the RTP clock (sync=true) so sound and picture stay together, and the loudspeaker
// sink buffers 40 ms. With a microphone, the send path runs webrtcdsp (echo cancellation, noise
// suppression, gain control) and the playout path webrtcechoprobe, which shows webrtcdsp what the
// loudspeakers play: the playout path exists from the start, fed silence until the mix arrives.
//
// Threading: construct, call and destroy on the thread running the default GMainContext.
// Callbacks are invoked on that thread too; webrtcbin's own signals arrive on streaming threads
// and are posted there (copy, post, re-check).
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "media/gobject_ptr.h"

namespace mcu::room {

struct MediaOptions {
  std::string site_name;
  // Video: a camera device, or a synthetic source.
  std::string camera;             // e.g. /dev/video0; empty: synthetic.
  std::string pattern = "solid";  // solid | smpte | ball (synthetic)
  std::string slate;              // Synthetic: a line drawn over it (e.g. "no camera").
  uint32_t color = 0x2060C0;      // RGB for "solid".
  int width = 640, height = 360, fps = 30;
  int video_bitrate_kbps = 600;
  std::string codec = "vp8";  // vp8 | h264 (constrained baseline, packetization-mode 1)
  // Audio: a microphone, or a sine tone.
  bool microphone = false;  // pulsesrc/alsasrc via autoaudiosrc, or `mic_device`.
  std::string mic_device;   // A PulseAudio source name (--list-devices); empty: the default.
  // The received composite on the room's display: none | auto | kms | x | gl. auto: the X or GL
  // sink in a desktop session ($DISPLAY or $WAYLAND_DISPLAY), kmssink on a console with a DRM
  // device, none otherwise.
  std::string display = "none";
  // The screen's size: the composite is scaled to it (borders keep its shape) and so is the
  // standby screen. 0: the composite's own size (a KMS sink scales by itself).
  int screen_width = 0, screen_height = 0;
  // The received mix on the loudspeakers: none | auto | pulse | alsa; `speaker_device` names the
  // PulseAudio sink or ALSA device (empty: the default).
  std::string speaker = "none";
  std::string speaker_device;
  // WebRTC audio processing of the microphone (on by default with a real microphone).
  bool echo_cancel = true, noise_suppression = true, gain_control = true;
  bool silent = false;  // Without a microphone: send silence, not the tone (a missing mic).
  double tone_hz = 440;
  double tone_volume = 0.3;
  // Local addresses ICE may use; empty: every interface (webrtcbin's default, which leaves out
  // loopback).
  std::vector<std::string> ice_addresses;
};

struct ReceivedCounters {
  uint64_t video_frames = 0;
  int video_width = 0, video_height = 0;
  uint64_t audio_samples = 0;  // Mono samples at 48 kHz.
};

// Milliseconds from a received frame's (audio packet's) arrival, as webrtcbin hands its RTP to
// the decoder, to: the decoded frame entering the display path, the frame handed to the display
// sink (which first waits for the previous one to be shown), the decoded audio handed to the
// playout mixer. The sinks then hold each until its time: the pipeline latency.
struct PlayoutDelays {
  std::vector<double> decoded_ms, display_ms, speaker_ms;
  double pipeline_latency_ms = -1;  // -1: not known yet.
};

// What "auto" means on this machine for MediaOptions::display and ::speaker (other values are
// returned as they are).
std::string ResolveDisplay(const std::string& wanted);
// The X screen's size under $DISPLAY; false without an X server.
bool XScreenSize(int* width, int* height);
std::string ResolveSpeaker(const std::string& wanted);

class RoomMedia {
 public:
  struct Callbacks {
    std::function<void(const std::string& sdp)> on_answer;
    std::function<void(int mline, const std::string& candidate)> on_candidate;
    std::function<void(const std::string& state)> on_connection_state;
    std::function<void(const std::string& error)> on_error;
    // A key pressed in the display's window (X or GL; GStreamer's navigation key name: "m",
    // "space", "Next", ...).
    std::function<void(const std::string& key)> on_key;
  };

  RoomMedia(MediaOptions options, Callbacks callbacks);
  ~RoomMedia();
  RoomMedia(const RoomMedia&) = delete;
  RoomMedia& operator=(const RoomMedia&) = delete;

  bool Start(std::string* error);  // Builds the pipeline and sets it PLAYING.
  void HandleOffer(const std::string& sdp);
  void AddRemoteCandidate(int mline, const std::string& candidate);

  ReceivedCounters counters() const;
  // Scales what the room sends (the MCU's "layout" asks for the size of the room's tile).
  // Never larger than what the camera or synthetic source gives.
  void SetSendSize(int width, int height);
  int send_width() const { return send_width_; }
  int send_height() const { return send_height_; }
  // Writes the last received video frame as PNG. False if none arrived yet.
  bool SavePng(const std::string& path, std::string* error) const;
  // Starts keeping received audio; the next `seconds` seconds are kept.
  void StartAudioRecording(double seconds);
  bool AudioRecordingDone() const;
  bool SaveWav(const std::string& path, std::string* error) const;
  // A line drawn at the bottom of the composite on the display ("" for none).
  void SetStatusLine(const std::string& text);
  // Mutes the microphone (or tone) locally: silence is sent.
  void SetMicMuted(bool muted);
  PlayoutDelays playout_delays() const;
  // Buffers the camera (or synthetic video) and the microphone (or tone) have given so far.
  uint64_t sent_video_buffers() const { return sent_video_.load(std::memory_order_relaxed); }
  uint64_t sent_audio_buffers() const { return sent_audio_.load(std::memory_order_relaxed); }
  // webrtcbin's stats as a compact summary line (posted back through `done`).
  void RequestStats(std::function<void(const std::string&)> done);

 private:
  static void OnConnectionState(GstElement* webrtc, GParamSpec*, gpointer self) noexcept;
  static void OnIceCandidate(GstElement*, guint mline, gchar* candidate, gpointer self) noexcept;
  static void OnPadAdded(GstElement*, GstPad* pad, gpointer self) noexcept;
  static void OnDecodedPad(GstElement*, GstPad* pad, gpointer self) noexcept;
  static GstFlowReturn OnVideoSample(GstElement* sink, gpointer self) noexcept;
  static GstFlowReturn OnAudioSample(GstElement* sink, gpointer self) noexcept;
  static gboolean OnBusMessage(GstBus*, GstMessage* msg, gpointer self) noexcept;
  // Arrival of RTP (kAudio, kVideo) by its timestamp, and the delay since then at a later pad.
  enum Kind { kAudio = 0, kVideo = 1 };
  template <int kKind>
  static GstPadProbeReturn OnArrival(GstPad*, GstPadProbeInfo* info, gpointer self) noexcept;
  template <int kKind, std::vector<double> PlayoutDelays::*kWhere>
  static GstPadProbeReturn OnPlayout(GstPad*, GstPadProbeInfo* info, gpointer self) noexcept;
  static GstPadProbeReturn OnDisplayEvent(GstPad*, GstPadProbeInfo* info, gpointer self) noexcept;
  GstClockTime Now() const;  // The pipeline's running time, or GST_CLOCK_TIME_NONE.
  void Post(std::function<void()> fn);

  MediaOptions options_;
  Callbacks callbacks_;
  media::GRef<GstElement> pipeline_;
  media::GRef<GstElement> webrtc_;
  int send_width_ = 0, send_height_ = 0;
  guint bus_watch_ = 0;
  // Shared with streaming threads; guarded by mutex_.
  mutable std::mutex mutex_;
  media::GRef<GstSample> last_video_;
  ReceivedCounters counters_;
  std::vector<int16_t> audio_;
  size_t audio_wanted_ = 0;
  bool recording_ = false;
  std::string status_line_;
  PlayoutDelays delays_;
  std::map<GstClockTime, GstClockTime> arrivals_[2];
  std::atomic<uint64_t> sent_video_{0}, sent_audio_{0};  // PTS -> running time, last 5 s.
  // Set on destruction so posted work that arrives late does nothing.
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
};

// Writes mono 16-bit PCM as a WAV file.
bool WriteWav(const std::string& path, const std::vector<int16_t>& samples, int rate);

}  // namespace mcu::room
