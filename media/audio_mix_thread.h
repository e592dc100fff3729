// One mixing room's audio: a thread that every 20 ms takes each site's Opus packets (pushed by
// mcu-io), runs them through a jitter buffer, decodes each site once, mixes everyone but each
// talker (media/audio_mix.h MixMinus), picks the active speaker (media/active_speaker.h), and
// hands the encoded payloads back: one shared payload for every silent site, one per talker.
//
// Threading: the thread is its own (the mixing room names it "mcu-audio"); Push, AddSite,
// SetMuted and RemoveSite may be called from any thread (mcu-io and the control thread) and take
// a short lock; Output and SpeakerOutput run on the audio thread and must only post. Needs only
// Opus: no GStreamer.
#pragma once

#include <opus/opus.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mcu/media_api.h"
#include "media/active_speaker.h"
#include "media/audio_mix.h"
#include "media/jitter_buffer.h"

namespace mcu::media {

class AudioMixThread {
 public:
  // Receives, every 20 ms, the payload for each site (silent sites share one pointer).
  using Output = std::function<void(
      std::vector<std::pair<ParticipantId, std::shared_ptr<const std::vector<uint8_t>>>>)>;
  // The active speaker changed (0: none), on the audio thread.
  using SpeakerOutput = std::function<void(ParticipantId)>;

  AudioMixThread(std::string name, Output output, SpeakerOutput speaker);
  ~AudioMixThread();

  void AddSite(ParticipantId id);
  // A muted site is heard by nobody: its packets are taken from its jitter buffer and dropped
  // undecoded, and it is neither a talker nor a candidate active speaker.
  void SetMuted(ParticipantId id, bool muted);
  void RemoveSite(ParticipantId id);
  // From mcu-io: one Opus packet (20 ms).
  void Push(ParticipantId id, uint16_t seq, std::span<const uint8_t> payload);

  uint64_t ticks() const { return ticks_; }

 private:
  struct Site {
    std::vector<std::pair<uint16_t, std::vector<uint8_t>>> pending;  // Guarded by mu_.
    AudioJitterBuffer jitter;
    OpusDecoder* decoder = nullptr;
    OpusEncoder* encoder = nullptr;  // Its own mix-minus, while it talks.
    std::vector<int16_t> pcm = std::vector<int16_t>(kMixFrameSamples);
    bool has_pcm = false;
    std::atomic<bool> muted{false};
  };

  static OpusEncoder* NewEncoder();
  static void FreeSite(Site& s);

  static std::shared_ptr<const std::vector<uint8_t>> Encode(OpusEncoder* e,
                                                            std::span<const int16_t> pcm);

  void Run();

  void Tick(std::vector<std::pair<ParticipantId, std::shared_ptr<Site>>>& sites,
            std::vector<std::vector<std::pair<uint16_t, std::vector<uint8_t>>>>& pending);

  Output output_;
  SpeakerOutput speaker_output_;
  OpusEncoder* shared_encoder_ = nullptr;
  MixMinus mix_;                   // Audio thread.
  ActiveSpeakerDetector speaker_;  // Audio thread.
  std::vector<SpeakerLevel> levels_;
  std::mutex mu_;  // sites_, pending queues, stop_, sites_changed_.
  bool sites_changed_ = false;
  std::mutex tick_mu_;  // Codec state during a tick.
  std::condition_variable cv_;
  bool stop_ = false;
  std::map<ParticipantId, std::shared_ptr<Site>> sites_;
  std::atomic<uint64_t> ticks_{0};
  std::thread thread_;
};

}  // namespace mcu::media
