// MCU-added latency, measured on one clock inside mcu-loadgen. One source site sends
// bench::BurstClip audio and bench::FlashClip video; one sampled site decodes everything it
// receives (Opus with libopus, the composite with vp8dec) and finds each burst's onset and each
// flash in the source's tile. Latency = when the sampled site could first play it (arrival of
// its packet, plus the onset's place in the decoded frame) - when the source sent it (plus the
// onset's place in its own decoded clip), so codec delays at the source and decoding at the
// sampled site are not counted, and the MCU's jitter buffer, mixing tick, compositor and
// encoders are.
//
// Threads: SourceSent and Receiver::OnAudio/OnVideo/RequestsKeyframe from the I/O thread,
// SetTiles from signalling, the video analysis from the decoder's streaming thread, Summary
// from main. Shared state is behind one mutex.
#pragma once

#include <gst/gst.h>
#include <opus/opus.h>

#include "media/gobject_ptr.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "bench/clip.h"
#include "media/jitter_buffer.h"

namespace mcu::bench {

class LatencyProbe {
 public:
  // `burst_clip`: the source's audio, decoded once here to find where its onsets play.
  explicit LatencyProbe(const std::vector<Packet>& burst_clip);

  // The source sent an event packet (Packet::event) of `kind` at `now_us`.
  void SourceSent(media::sdp::Kind kind, int64_t now_us);
  // Counted only from here on (after every site joined and the layout settled).
  void StartMeasuring(int64_t now_us) { measure_from_us_ = now_us; }

  class Receiver {
   public:
    explicit Receiver(LatencyProbe* probe);
    ~Receiver();
    void OnAudio(std::span<const uint8_t> payload, int64_t arrival_us);
    void OnVideo(uint16_t seq, uint32_t timestamp, bool marker, std::span<const uint8_t> payload,
                 int64_t arrival_us);
    bool TakeKeyframeRequest() { return assembler_.TakeKeyframeRequest(); }
    void SetTiles(int tiles) { tiles_ = tiles; }

   private:
    static GstFlowReturn OnSample(GstElement* sink, gpointer self);
    void Analyze(const uint8_t* luma, int width, int height, int stride, int64_t complete_us);

    LatencyProbe* probe_;
    OpusDecoder* opus_ = nullptr;
    std::vector<int16_t> pcm_ = std::vector<int16_t>(5760);
    BurstDetector bursts_;
    media::FrameAssembler assembler_{media::VideoCodec::kVp8};
    media::GRef<GstElement> pipeline_;
    media::GRef<GstElement> src_;
    std::atomic<int> tiles_{1};
    int source_tile_ = -1;  // Streaming thread.
    bool in_flash_ = false;
  };

  nlohmann::json Summary();

 private:
  // One kind of event (audio bursts, video flashes). Guarded by mu_.
  struct Events {
    int64_t play_offset_us = 0;  // From an event's first packet to when it plays at the source.
    std::vector<int64_t> sent;   // Send times, in order.
    std::vector<double> ms;      // One latency per event found.
    uint64_t unmatched = 0;      // Found with no event sent in the half period before.
    uint64_t found_again = 0;    // Found again for an event already measured.
    int64_t last_matched = INT64_MIN;
    nlohmann::json Summary(int64_t from_us) const;
  };
  Events& Of(media::sdp::Kind kind) { return kind == media::sdp::Kind::kAudio ? audio_ : video_; }
  void Arrived(media::sdp::Kind kind, int64_t play_us);

  std::atomic<int64_t> measure_from_us_{INT64_MAX};
  std::atomic<uint64_t> frames_decoded_{0};
  std::mutex mu_;
  Events audio_, video_;
};

}  // namespace mcu::bench
