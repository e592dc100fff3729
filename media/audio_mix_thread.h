// One mixing room's audio: a thread that every 20 ms takes each site's packets (pushed by
// mcu-io), runs them through a jitter buffer, decodes each site once with its codec (Opus, G.722,
// PCMU or PCMA: media/audio_codec.h) into 48 kHz mono, mixes everyone but each talker
// (media/audio_mix.h MixMinus), picks the active speaker (media/active_speaker.h), and hands the
// encoded payloads back: each talker its own mix-minus in its own codec; the silent sites the
// full mix, encoded once per codec that at least one silent site receives and shared by all of
// them (no codec is encoded that no silent site takes). A site that starts or stops talking
// switches between its own encoder's stream and the shared one, as with Opus alone: the site's
// Opus or G.722 (backward-adaptive ADPCM) decoder adapts to the other encoder's state; G.711 has
// none. A payload that is not 20 ms is cut or padded to 20 ms and counted (payloads_resized());
// one that does not decode is concealed and counted (payloads_concealed()).
//
// Threading: the thread is its own (the mixing room names it "mcu-audio"); Push, AddSite,
// SetMuted and RemoveSite may be called from any thread (mcu-io and the control thread) and take
// a short lock; Output and SpeakerOutput run on the audio thread and must only post. No
// GStreamer.
#pragma once

#include <array>
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
#include "media/audio_codec.h"
#include "media/audio_mix.h"
#include "media/jitter_buffer.h"

namespace mcu::media {

class AudioMixThread {
 public:
  // Receives, every 20 ms, the payload for each site in the site's codec (silent sites of one
  // codec share one pointer).
  using Output = std::function<void(
      std::vector<std::pair<ParticipantId, std::shared_ptr<const std::vector<uint8_t>>>>)>;
  // The active speaker changed (0: none), on the audio thread.
  using SpeakerOutput = std::function<void(ParticipantId)>;

  AudioMixThread(std::string name, Output output, SpeakerOutput speaker);
  ~AudioMixThread();

  // The site sends and receives `codec` (RTP payloads of 20 ms).
  void AddSite(ParticipantId id, AudioCodec codec = AudioCodec::kOpus);
  // A muted site is heard by nobody: its packets are taken from its jitter buffer and dropped
  // undecoded, and it is neither a talker nor a candidate active speaker.
  void SetMuted(ParticipantId id, bool muted);
  void RemoveSite(ParticipantId id);
  // From mcu-io: one RTP payload (20 ms) of the site's codec. The jitter buffer orders payloads
  // by sequence number and plays one per tick: it needs no RTP timestamp or clock rate, so it
  // holds for every codec's 20 ms packets alike (another ptime runs it short or long: a
  // concealed or a skipped packet, never a misaligned frame).
  void Push(ParticipantId id, uint16_t seq, std::span<const uint8_t> payload);

  uint64_t ticks() const { return ticks_; }
  // Payloads encoded so far (each talker's own and one per shared codec, per tick).
  uint64_t encodings() const { return encodings_; }
  // Received payloads that were not 20 ms (cut or padded), and that did not decode (concealed).
  uint64_t payloads_resized() const { return payloads_resized_; }
  uint64_t payloads_concealed() const { return payloads_concealed_; }

 private:
  using Payload = std::shared_ptr<const std::vector<uint8_t>>;

  struct Site {
    explicit Site(AudioCodec c) : codec(c), decoder(AudioDecoder::Create(c)) {}
    std::vector<std::pair<uint16_t, std::vector<uint8_t>>> pending;  // Guarded by mu_.
    AudioJitterBuffer jitter;
    const AudioCodec codec;
    std::unique_ptr<AudioDecoder> decoder;  // Null once removed (under tick_mu_).
    std::unique_ptr<AudioEncoder> encoder;  // Its own mix-minus, once it has talked.
    std::array<int16_t, kMixFrameSamples> pcm{};
    bool has_pcm = false;
    std::atomic<bool> muted{false};
  };

  static Payload Encode(AudioEncoder& e, std::span<const int16_t> pcm);

  void Run();

  void Tick(std::vector<std::pair<ParticipantId, std::shared_ptr<Site>>>& sites,
            std::vector<std::vector<std::pair<uint16_t, std::vector<uint8_t>>>>& pending);

  Output output_;
  SpeakerOutput speaker_output_;
  // The full mix's encoder per codec (audio thread), created when a silent site first needs it.
  std::array<std::unique_ptr<AudioEncoder>, kAudioCodecCount> shared_encoders_;
  MixMinus mix_;                                  // Audio thread.
  ActiveSpeakerDetector speaker_;                 // Audio thread.
  std::vector<SpeakerLevel> levels_;              // Audio thread, reused every tick.
  std::vector<std::span<const int16_t>> inputs_;  // Audio thread, reused every tick.
  std::mutex mu_;                                 // sites_, pending queues, stop_, sites_changed_.
  bool sites_changed_ = false;
  std::mutex tick_mu_;  // Codec state during a tick.
  std::condition_variable cv_;
  bool stop_ = false;
  std::map<ParticipantId, std::shared_ptr<Site>> sites_;
  std::atomic<uint64_t> ticks_{0};
  std::atomic<uint64_t> encodings_{0};
  std::atomic<uint64_t> payloads_resized_{0};
  std::atomic<uint64_t> payloads_concealed_{0};
  std::thread thread_;
};

}  // namespace mcu::media
