// The audio codecs of the mixing room's legs: Opus (WebRTC sites, links, and SIP rooms that offer
// it) and, for SIP room systems, G.722 (64 kbit/s), G.711 µ-law (PCMU) and A-law (PCMA).
//
// What an RTP leg needs to know of each (RFC 3551, RFC 7587), in 20 ms packets (a=ptime:20):
//   codec  encoding name  RTP clock  timestamp step  static PT  audio rate  payload per 20 ms
//   Opus   "opus"         48000      960             dynamic    48000       variable, <= 1275
//   G.722  "G722"         8000       160             9          16000       160 bytes
//   PCMU   "PCMU"         8000       160             0          8000        160 bytes
//   PCMA   "PCMA"         8000       160             8          8000        160 bytes
// G.722 samples at 16 kHz but its RTP clock runs at 8 kHz (RFC 3551 4.5.2 keeps an early error
// for compatibility): the timestamp step is 160, not 320.
//
// AudioDecoder (one site's stream) turns each payload into one 20 ms frame of the mix's format,
// 48 kHz mono int16 (media/audio_mix.h kMixFrameSamples), and conceals a missing packet: Opus
// with its own concealment, G.711 and G.722 by repeating the last frame, fading to silence over
// 60 ms (spandsp's concealment is not used: it shifts its history with an overlapping memcpy and
// writes past the length it is given). A payload that is not 20 ms is decoded as far as it goes,
// then cut to 20 ms or padded with its own samples fading: the mix's frames stay aligned, and
// the result says so (kResized) for the caller to count. AudioEncoder turns one such frame into one
// payload. G.722 and G.711 are spandsp's; their 8 or 16 kHz audio is resampled to and from 48 kHz
// with speexdsp, which delays it by 3 ms (G.711) or 1.5 ms (G.722) each way.
//
// Threading: each instance is used by one thread at a time (the room's audio thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "media/audio_mix.h"

namespace mcu::media {

enum class AudioCodec { kOpus, kG722, kPcmu, kPcma };
constexpr size_t kAudioCodecCount = 4;

constexpr size_t CodecIndex(AudioCodec c) { return static_cast<size_t>(c); }

// The encoding name of a=rtpmap, as the RFCs spell it.
constexpr std::string_view EncodingName(AudioCodec c) {
  switch (c) {
    case AudioCodec::kOpus:
      return "opus";
    case AudioCodec::kG722:
      return "G722";
    case AudioCodec::kPcmu:
      return "PCMU";
    case AudioCodec::kPcma:
      return "PCMA";
  }
  return "";
}

// An SDP encoding name, case-insensitive (RFC 4566 6: "opus", "G722", "pcmu" ...).
std::optional<AudioCodec> ParseAudioCodec(std::string_view encoding_name);

// The RTP clock rate of a=rtpmap (G.722: 8000, see above).
constexpr int RtpClockRate(AudioCodec c) { return c == AudioCodec::kOpus ? 48000 : 8000; }

// RTP timestamp increment per 20 ms packet.
constexpr uint32_t RtpTimestampStep(AudioCodec c) {
  return static_cast<uint32_t>(RtpClockRate(c) / 50);
}

// RFC 3551's static payload type; none for Opus (dynamic, from the offer).
constexpr std::optional<uint8_t> StaticPayloadType(AudioCodec c) {
  switch (c) {
    case AudioCodec::kOpus:
      return std::nullopt;
    case AudioCodec::kG722:
      return 9;
    case AudioCodec::kPcmu:
      return 0;
    case AudioCodec::kPcma:
      return 8;
  }
  return std::nullopt;
}

// The rate the codec's audio is sampled at (what is resampled to and from 48 kHz).
constexpr int AudioSampleRate(AudioCodec c) {
  switch (c) {
    case AudioCodec::kOpus:
      return 48000;
    case AudioCodec::kG722:
      return 16000;
    case AudioCodec::kPcmu:
    case AudioCodec::kPcma:
      return 8000;
  }
  return 0;
}

class AudioDecoder {
 public:
  enum class Result {
    kDecoded,    // A 20 ms payload.
    kResized,    // Another length: decoded, then cut to 20 ms or padded with concealment.
    kConcealed,  // Nothing decodable (empty or corrupt): concealment instead.
  };

  static std::unique_ptr<AudioDecoder> Create(AudioCodec codec);
  virtual ~AudioDecoder() = default;
  AudioDecoder(const AudioDecoder&) = delete;
  AudioDecoder& operator=(const AudioDecoder&) = delete;

  AudioCodec codec() const { return codec_; }

  // One received payload: fills out[0, kMixFrameSamples) with 48 kHz mono, whatever the payload.
  // `out` must hold at least kMixFrameSamples.
  virtual Result Decode(std::span<const uint8_t> payload, std::span<int16_t> out) = 0;
  // A packet is missing: fills out[0, kMixFrameSamples) with concealment.
  virtual void Conceal(std::span<int16_t> out) = 0;

 protected:
  explicit AudioDecoder(AudioCodec codec) : codec_(codec) {}

 private:
  AudioCodec codec_;
};

class AudioEncoder {
 public:
  static std::unique_ptr<AudioEncoder> Create(AudioCodec codec);
  virtual ~AudioEncoder() = default;
  AudioEncoder(const AudioEncoder&) = delete;
  AudioEncoder& operator=(const AudioEncoder&) = delete;

  AudioCodec codec() const { return codec_; }
  // The largest payload Encode writes: 1275 for Opus (RFC 6716 3.2.1), 160 for the others.
  size_t max_payload() const { return codec_ == AudioCodec::kOpus ? 1275 : 160; }

  // kMixFrameSamples of 48 kHz mono (exactly) → one payload in `out` (at least max_payload()
  // bytes). Returns its size; 0 on failure (wrong sizes, or the encoder failed).
  virtual size_t Encode(std::span<const int16_t> pcm, std::span<uint8_t> out) = 0;

 protected:
  explicit AudioEncoder(AudioCodec codec) : codec_(codec) {}

 private:
  AudioCodec codec_;
};

}  // namespace mcu::media
