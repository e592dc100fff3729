// A recording of a mixing room (MediaRoom::StartRecording), or its live stream (StartStream: the
// same muxing, cut into segments by media/segmenter.h): the encoded frames of one composite
// tier (as its receivers get them) and the shared Opus encoding of the full mix, muxed without
// decoding or encoding any video, by a small pipeline of its own:
//   appsrc (VP8 RTP)  ! rtpvp8depay ! queue ! webmmux ! filesink        (WebM)
//   appsrc (H.264 RTP) ! rtph264depay ! h264parse ! queue ! mp4mux ...  (MP4, recordings only)
//   appsrc (H.264 RTP) ! rtph264depay ! h264parse ! queue ! mpegtsmux   (MPEG-TS, streams only)
//   appsrc (H.264 RTP) ! rtph264depay ! h264parse ! queue ! flvmux ! rtmp2sink  (RTMP pushes)
//   appsrc (Opus)     ! opusparse   ! queue ! mux.
// MPEG-TS and FLV carry the mix in AAC, which their players expect: its audio is the one thing
// encoded here (opusdec ! avenc_aac, 48 kHz mono, 96 kb/s).
// The file starts on a keyframe of the tier (video and audio from then on, at time 0). Video
// advances by the tier's RTP clock from frame to frame (by the arrival times where the composite
// restarted), audio by 20 ms a frame from its first arrival: the composite's restarts, keyframe
// waits and layout changes leave neither gap nor jump.
// Clusters are written as they close, unbuffered: after a crash the file plays up to its last
// complete cluster (no cues, no duration: matroskademux reads it as it goes). MP4 is fragmented
// (a moof and its mdat about every second per track, after a moov without samples), so that it
// too plays up to its last complete fragment after a crash; at the end mp4mux adds an mfra
// index and the duration.
// Sealed (a classified conference's recording, mcu/sealed_file.h): the muxer writes a streamable
// WebM (no cues, no duration; nothing is rewritten at the end) into an appsink whose callback
// seals it chunk by chunk into the file; no plaintext reaches the disk. After a crash it reads up
// to its last complete chunk.
//
// Threading: Start, Failure and the destructor on the control thread (the destructor sends EOS
// and waits for the muxer's last write, at most 5 s, unless the pipeline failed); OnTierFrame
// and OnAudio on mcu-io (they only push into the appsrcs, which drop the oldest data rather
// than block); Progress on any thread. The sealed writer is the recorder pipeline's streaming
// thread's until the pipeline is NULL, then the destructor's.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mcu/expected.h"
#include "mcu/media_api.h"
#include "mcu/sealed_file.h"
#include "media/gobject_ptr.h"
#include "media/mix_peer.h"
#include "media/segmenter.h"
#include "media/ts_cutter.h"

namespace mcu::media {

class Recorder {
 public:
  // Creates `path` (0600) and starts writing once the first keyframe of the tier arrives, in
  // `format` (the tier's codec: VP8 for WebM, H.264 for MP4), sealed with `seal` if there is
  // one. `width`x`height`: the tier's, for Progress.
  static Expected<std::unique_ptr<Recorder>> Start(const std::string& path, int width, int height,
                                                   RecordingFormat format,
                                                   const std::optional<SealKey>& seal);
  // The same muxing for a live stream, cut into `segmenter`'s segments: a streamable WebM of the
  // VP8 tier, or MPEG-TS of the H.264 tier (as the segmenter's container says).
  static Expected<std::unique_ptr<Recorder>> StartStream(int width, int height,
                                                         std::shared_ptr<Segmenter> segmenter);
  // The same muxing into FLV, pushed to the RTMP server at `url` (connecting in the background;
  // Failure() says if it could not, or was cut off).
  static Expected<std::unique_ptr<Recorder>> StartPush(const std::string& url, int width,
                                                       int height);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // mcu-io: a frame of the recorded tier; the full mix's 20 ms Opus payload.
  void OnTierFrame(const TierFrame& f, int64_t now_us);
  void OnAudio(const std::vector<uint8_t>& opus, int64_t now_us);

  MediaRecording::Stats Progress() const;
  // The first error the pipeline posted (an RTMP push's connection), empty if none; the URL is
  // not in it. Control thread.
  std::string Failure();

 private:
  Recorder() = default;
  void Push(GstElement* src, GstBuffer* buffer);
  enum class Mux { kWebm, kMp4, kTs, kFlv };
  // The pipeline, the muxer's output going through `mux_tail`; not yet playing.
  static Expected<std::unique_ptr<Recorder>> Launch(Mux mux, const std::string& mux_tail, int width,
                                                    int height);
  Status Play();
  static GstFlowReturn OnSealedSample(GstElement* sink, gpointer self);
  static GstFlowReturn OnStreamSample(GstElement* sink, gpointer self);

  GRef<GstElement> pipeline_, video_src_, audio_src_;
  int width_ = 0, height_ = 0;
  // mcu-io.
  int64_t start_us_ = -1;        // The first keyframe's arrival: time 0 of the file.
  int64_t audio_start_us_ = -1;  // The first audio frame's time in the file.
  int64_t video_us_ = 0;         // The last frame's time in the file.
  uint32_t last_ts_ = 0;         // Its RTP timestamp, and when it arrived.
  int64_t last_arrival_us_ = 0;
  // Any thread.
  std::atomic<uint64_t> video_frames_{0}, audio_frames_{0};
  std::atomic<int64_t> last_us_{0};  // The latest timestamp written.
  // Sealed recordings only (see Threading).
  std::unique_ptr<SealedWriter> sealed_;
  bool seal_failed_ = false;
  std::shared_ptr<Segmenter> segmenter_;  // Live streams only: fed by the streaming thread,
  std::unique_ptr<TsCutter> ts_cutter_;   // through this one for MPEG-TS.
  std::string failure_;                   // Control thread (Failure).
};

}  // namespace mcu::media
