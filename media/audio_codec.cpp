#include "media/audio_codec.h"

#include <opus/opus.h>
#include <spandsp.h>
#include <speex/speex_resampler.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cctype>
#include <vector>

namespace mcu::media {
namespace {

// speexdsp's VoIP quality (3 of 0..10). It runs twice per SIP site every 20 ms (decode up,
// encode down): measured about 13 µs for both at 8 kHz, where no lower quality is cheaper (1 and
// 2 cost more at 1:6), and 12 µs at 16 kHz, where 0 halves that with filters a quarter as long
// (a wider transition band and weaker stopband, so more of the 48 kHz mix folds back). Higher
// qualities' steeper filters buy nothing audible on 3.4 and 7 kHz speech, at up to twice the cost.
constexpr int kResamplerQuality = SPEEX_RESAMPLER_QUALITY_VOIP;

// The longest Opus packet: 120 ms at 48 kHz (RFC 6716 3.2.5).
constexpr int kOpusMaxSamples = 5760;

// One channel, a fixed integer ratio: every call turns in.size() samples into exactly
// in.size() * out_rate / in_rate; the filter delays the audio by 3 ms (8 kHz) or 1.5 ms (16 kHz).
class Resampler {
 public:
  Resampler(int in_rate, int out_rate) {
    int err = 0;
    st_ = speex_resampler_init(1, in_rate, out_rate, kResamplerQuality, &err);
  }
  ~Resampler() {
    if (st_) speex_resampler_destroy(st_);
  }
  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;

  void Process(std::span<const int16_t> in, std::span<int16_t> out) {
    spx_uint32_t in_len = in.size(), out_len = out.size();
    if (!st_ || speex_resampler_process_int(st_, 0, in.data(), &in_len, out.data(), &out_len) != 0)
      out_len = 0;
    // Never short with whole ratios; a frame must still be whole whatever happens.
    std::fill(out.begin() + out_len, out.end(), int16_t{0});
  }

 private:
  SpeexResamplerState* st_ = nullptr;
};

class OpusAudioDecoder final : public AudioDecoder {
 public:
  OpusAudioDecoder() : AudioDecoder(AudioCodec::kOpus) {
    int err = 0;
    dec_ = opus_decoder_create(kMixRate, 1, &err);
  }
  ~OpusAudioDecoder() override {
    if (dec_) opus_decoder_destroy(dec_);
  }
  OpusAudioDecoder(const OpusAudioDecoder&) = delete;
  OpusAudioDecoder& operator=(const OpusAudioDecoder&) = delete;

  Result Decode(std::span<const uint8_t> payload, std::span<int16_t> out) override {
    assert(out.size() >= static_cast<size_t>(kMixFrameSamples));
    const auto len = static_cast<opus_int32>(payload.size());
    const int samples =
        payload.empty() ? -1 : opus_packet_get_nb_samples(payload.data(), len, kMixRate);
    if (samples == kMixFrameSamples &&  // The usual case: straight into the mix's frame.
        opus_decode(dec_, payload.data(), len, out.data(), kMixFrameSamples, 0) == kMixFrameSamples)
      return Result::kDecoded;
    if (samples <= 0 || samples > kOpusMaxSamples) {
      Conceal(out);
      return Result::kConcealed;
    }
    if (scratch_.empty()) scratch_.resize(kOpusMaxSamples);  // Once, for a misbehaving sender.
    const int n = opus_decode(dec_, payload.data(), len, scratch_.data(), kOpusMaxSamples, 0);
    if (n <= 0) {
      Conceal(out);
      return Result::kConcealed;
    }
    const int kept = std::min(n, kMixFrameSamples);
    std::copy_n(scratch_.begin(), kept, out.begin());
    // Opus frames are multiples of 2.5 ms, so the remainder is a size its concealment takes.
    if (kept < kMixFrameSamples &&
        opus_decode(dec_, nullptr, 0, out.data() + kept, kMixFrameSamples - kept, 0) !=
            kMixFrameSamples - kept)
      std::fill(out.begin() + kept, out.begin() + kMixFrameSamples, int16_t{0});
    return Result::kResized;
  }

  void Conceal(std::span<int16_t> out) override {
    assert(out.size() >= static_cast<size_t>(kMixFrameSamples));
    if (opus_decode(dec_, nullptr, 0, out.data(), kMixFrameSamples, 0) != kMixFrameSamples)
      std::fill_n(out.begin(), kMixFrameSamples, int16_t{0});
  }

 private:
  OpusDecoder* dec_ = nullptr;
  std::vector<int16_t> scratch_;  // For payloads longer than 20 ms only.
};

// G.711 and G.722: decoded at the codec's rate, concealed by repeating the last frame as it
// fades, then resampled. (spandsp's own concealment copies its history with overlapping memcpy
// and writes past the length it is given: not used.)
class SpandspDecoder final : public AudioDecoder {
 public:
  explicit SpandspDecoder(AudioCodec codec)
      : AudioDecoder(codec),
        frame_(AudioSampleRate(codec) / 50),
        up_(AudioSampleRate(codec), kMixRate) {
    if (codec == AudioCodec::kG722) g722_ = g722_decode_init(nullptr, 64000, 0);
  }
  ~SpandspDecoder() override {
    if (g722_) g722_decode_free(g722_);
  }
  SpandspDecoder(const SpandspDecoder&) = delete;
  SpandspDecoder& operator=(const SpandspDecoder&) = delete;

  Result Decode(std::span<const uint8_t> payload, std::span<int16_t> out) override {
    assert(out.size() >= static_cast<size_t>(kMixFrameSamples));
    if (payload.empty()) {
      Conceal(out);
      return Result::kConcealed;
    }
    const size_t n = DecodeNative(payload);
    // A short payload: its own samples again, fading, to the end of the frame.
    for (size_t k = n; k < frame_; ++k)
      pcm_[k] = n ? static_cast<int16_t>(pcm_[k % n] * static_cast<int>(frame_ - k) /
                                         static_cast<int>(frame_))
                  : int16_t{0};
    std::copy_n(pcm_.begin(), frame_, last_.begin());
    lost_ = 0;
    up_.Process(std::span(pcm_).first(frame_), out.first(kMixFrameSamples));
    return n == frame_ && payload.size() == PayloadBytes() ? Result::kDecoded : Result::kResized;
  }

  void Conceal(std::span<int16_t> out) override {
    assert(out.size() >= static_cast<size_t>(kMixFrameSamples));
    // The last frame again, fading over kFadeFrames lost frames to silence.
    const int total = kFadeFrames * static_cast<int>(frame_);
    for (size_t k = 0; k < frame_; ++k) {
      const int left =
          std::max(0, total - (lost_ * static_cast<int>(frame_) + static_cast<int>(k)));
      pcm_[k] = static_cast<int16_t>(last_[k] * left / total);
    }
    ++lost_;
    up_.Process(std::span(pcm_).first(frame_), out.first(kMixFrameSamples));
  }

 private:
  // 20 ms: 160 bytes for both (G.722: one byte per two 16 kHz samples).
  size_t PayloadBytes() const { return 160; }

  // Decodes up to one frame into pcm_; returns the samples written.
  size_t DecodeNative(std::span<const uint8_t> payload) {
    const size_t first = std::min(payload.size(), PayloadBytes());
    switch (codec()) {
      case AudioCodec::kPcmu:
        for (size_t k = 0; k < first; ++k) pcm_[k] = ulaw_to_linear(payload[k]);
        return first;
      case AudioCodec::kPcma:
        for (size_t k = 0; k < first; ++k) pcm_[k] = alaw_to_linear(payload[k]);
        return first;
      default:
        break;
    }
    const int n = g722_decode(g722_, pcm_.data(), payload.data(), static_cast<int>(first));
    // What is beyond 20 ms is cut, but still decoded: ADPCM state must follow the sender's.
    std::array<int16_t, 320> rest{};
    for (size_t at = first; at < payload.size(); at += PayloadBytes()) {
      const size_t bytes = std::min(payload.size() - at, PayloadBytes());
      g722_decode(g722_, rest.data(), payload.data() + at, static_cast<int>(bytes));
    }
    return static_cast<size_t>(std::clamp(n, 0, static_cast<int>(frame_)));
  }

  static constexpr int kFadeFrames = 3;  // 60 ms of loss fade to silence.

  size_t frame_;  // Samples per 20 ms at the codec's rate: 160 or 320.
  Resampler up_;
  g722_decode_state_t* g722_ = nullptr;
  std::array<int16_t, 320> pcm_{};
  std::array<int16_t, 320> last_{};  // The last frame decoded, for concealment.
  int lost_ = 0;                     // Frames concealed since then.
};

class OpusAudioEncoder final : public AudioEncoder {
 public:
  OpusAudioEncoder() : AudioEncoder(AudioCodec::kOpus) {
    int err = 0;
    enc_ = opus_encoder_create(kMixRate, 1, OPUS_APPLICATION_VOIP, &err);
    if (!enc_) return;
    opus_encoder_ctl(enc_, OPUS_SET_BITRATE(32000));
    opus_encoder_ctl(enc_, OPUS_SET_COMPLEXITY(5));
    opus_encoder_ctl(enc_, OPUS_SET_INBAND_FEC(1));
  }
  ~OpusAudioEncoder() override {
    if (enc_) opus_encoder_destroy(enc_);
  }
  OpusAudioEncoder(const OpusAudioEncoder&) = delete;
  OpusAudioEncoder& operator=(const OpusAudioEncoder&) = delete;

  size_t Encode(std::span<const int16_t> pcm, std::span<uint8_t> out) override {
    if (!enc_ || pcm.size() != static_cast<size_t>(kMixFrameSamples) || out.size() < max_payload())
      return 0;
    const int n = opus_encode(enc_, pcm.data(), kMixFrameSamples, out.data(),
                              static_cast<opus_int32>(max_payload()));
    return n > 0 ? static_cast<size_t>(n) : 0;
  }

 private:
  OpusEncoder* enc_ = nullptr;
};

class SpandspEncoder final : public AudioEncoder {
 public:
  explicit SpandspEncoder(AudioCodec codec)
      : AudioEncoder(codec),
        frame_(AudioSampleRate(codec) / 50),
        down_(kMixRate, AudioSampleRate(codec)) {
    if (codec == AudioCodec::kG722) g722_ = g722_encode_init(nullptr, 64000, 0);
  }
  ~SpandspEncoder() override {
    if (g722_) g722_encode_free(g722_);
  }
  SpandspEncoder(const SpandspEncoder&) = delete;
  SpandspEncoder& operator=(const SpandspEncoder&) = delete;

  size_t Encode(std::span<const int16_t> pcm, std::span<uint8_t> out) override {
    if (pcm.size() != static_cast<size_t>(kMixFrameSamples) || out.size() < max_payload()) return 0;
    down_.Process(pcm, std::span(pcm_).first(frame_));
    switch (codec()) {
      case AudioCodec::kPcmu:
        for (size_t k = 0; k < frame_; ++k) out[k] = linear_to_ulaw(pcm_[k]);
        return frame_;
      case AudioCodec::kPcma:
        for (size_t k = 0; k < frame_; ++k) out[k] = linear_to_alaw(pcm_[k]);
        return frame_;
      default:
        break;
    }
    if (!g722_) return 0;
    const int n = g722_encode(g722_, out.data(), pcm_.data(), static_cast<int>(frame_));
    return n > 0 ? static_cast<size_t>(n) : 0;
  }

 private:
  size_t frame_;
  Resampler down_;
  g722_encode_state_t* g722_ = nullptr;
  std::array<int16_t, 320> pcm_{};
};

}  // namespace

std::optional<AudioCodec> ParseAudioCodec(std::string_view encoding_name) {
  for (auto c : {AudioCodec::kOpus, AudioCodec::kG722, AudioCodec::kPcmu, AudioCodec::kPcma}) {
    std::string_view name = EncodingName(c);
    if (name.size() == encoding_name.size() &&
        std::equal(name.begin(), name.end(), encoding_name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        }))
      return c;
  }
  return std::nullopt;
}

std::unique_ptr<AudioDecoder> AudioDecoder::Create(AudioCodec codec) {
  if (codec == AudioCodec::kOpus) return std::make_unique<OpusAudioDecoder>();
  return std::make_unique<SpandspDecoder>(codec);
}

std::unique_ptr<AudioEncoder> AudioEncoder::Create(AudioCodec codec) {
  if (codec == AudioCodec::kOpus) return std::make_unique<OpusAudioEncoder>();
  return std::make_unique<SpandspEncoder>(codec);
}

}  // namespace mcu::media
