// Specs of media/audio_codec.h: what an RTP leg needs of each codec, and each codec's 48 kHz
// frames through encode and decode keep their tone and level, whatever the payloads' length.
#include "media/audio_codec.h"

#include <gtest/gtest.h>
#include <opus/opus.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace mcu::media {
namespace {

constexpr AudioCodec kAll[] = {AudioCodec::kOpus, AudioCodec::kG722, AudioCodec::kPcmu,
                               AudioCodec::kPcma};

std::vector<int16_t> Tone(double hz, double amplitude, int samples, int rate = kMixRate) {
  std::vector<int16_t> s(samples);
  for (int i = 0; i < samples; ++i)
    s[i] = static_cast<int16_t>(std::lround(amplitude * std::sin(2 * M_PI * hz * i / rate)));
  return s;
}

std::vector<double> Hann(size_t n) {
  std::vector<double> w(n);
  for (size_t i = 0; i < n; ++i) w[i] = 0.5 - 0.5 * std::cos(2 * M_PI * i / n);
  return w;
}

// Power of `hz` in the samples (Goertzel, window `w` of their size) as a share of their total
// power: 1 for a pure tone of that frequency.
double ToneShare(std::span<const int16_t> x, const std::vector<double>& w, double hz) {
  const double k = 2 * std::cos(2 * M_PI * hz / kMixRate);
  double s1 = 0, s2 = 0, wsum = 0, power = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double s0 = w[i] * x[i] + k * s1 - s2;
    s2 = s1, s1 = s0;
    wsum += w[i];
    power += double(x[i]) * x[i];
  }
  const double amplitude = 2 * std::sqrt(s1 * s1 + s2 * s2 - k * s1 * s2) / wsum;
  return power > 0 ? amplitude * amplitude / 2 / (power / x.size()) : 0;
}

// With a Hann window: a tone 200 Hz away leaks under 1e-6 into it over 100 ms.
double ToneShare(std::span<const int16_t> x, double hz) { return ToneShare(x, Hann(x.size()), hz); }

// The frequency (to 10 Hz, 50 Hz to 7 kHz) that carries the most power.
double DominantHz(std::span<const int16_t> x) {
  const auto w = Hann(x.size());
  double best_hz = 0, best = -1;
  for (double hz = 50; hz <= 7000; hz += 10) {
    double share = ToneShare(x, w, hz);
    if (share > best) best = share, best_hz = hz;
  }
  return best_hz;
}

struct RoundTrip {
  std::vector<std::vector<uint8_t>> payloads;
  std::vector<int16_t> decoded;  // 48 kHz, frame after frame.
};

RoundTrip EncodeDecode(AudioCodec codec, const std::vector<int16_t>& pcm) {
  auto enc = AudioEncoder::Create(codec);
  auto dec = AudioDecoder::Create(codec);
  RoundTrip r;
  std::vector<int16_t> frame(kMixFrameSamples);
  for (size_t at = 0; at + kMixFrameSamples <= pcm.size(); at += kMixFrameSamples) {
    std::vector<uint8_t> payload(enc->max_payload());
    size_t n = enc->Encode(std::span(pcm).subspan(at, kMixFrameSamples), payload);
    EXPECT_GT(n, 0u);
    payload.resize(n);
    EXPECT_EQ(dec->Decode(payload, frame), AudioDecoder::Result::kDecoded);
    r.decoded.insert(r.decoded.end(), frame.begin(), frame.end());
    r.payloads.push_back(std::move(payload));
  }
  return r;
}

TEST(AudioCodec, RtpParametersOfEachCodec) {
  EXPECT_EQ(RtpClockRate(AudioCodec::kOpus), 48000);
  EXPECT_EQ(RtpClockRate(AudioCodec::kG722), 8000) << "RFC 3551's 8000 for a 16 kHz codec";
  EXPECT_EQ(RtpClockRate(AudioCodec::kPcmu), 8000);
  EXPECT_EQ(RtpClockRate(AudioCodec::kPcma), 8000);
  EXPECT_EQ(RtpTimestampStep(AudioCodec::kOpus), 960u);
  EXPECT_EQ(RtpTimestampStep(AudioCodec::kG722), 160u);
  EXPECT_EQ(RtpTimestampStep(AudioCodec::kPcmu), 160u);
  EXPECT_EQ(RtpTimestampStep(AudioCodec::kPcma), 160u);
  EXPECT_EQ(StaticPayloadType(AudioCodec::kOpus), std::nullopt);
  EXPECT_EQ(StaticPayloadType(AudioCodec::kG722), 9);
  EXPECT_EQ(StaticPayloadType(AudioCodec::kPcmu), 0);
  EXPECT_EQ(StaticPayloadType(AudioCodec::kPcma), 8);
  EXPECT_EQ(EncodingName(AudioCodec::kOpus), "opus");
  EXPECT_EQ(EncodingName(AudioCodec::kG722), "G722");
  EXPECT_EQ(EncodingName(AudioCodec::kPcmu), "PCMU");
  EXPECT_EQ(EncodingName(AudioCodec::kPcma), "PCMA");
  EXPECT_EQ(AudioSampleRate(AudioCodec::kG722), 16000);
}

TEST(AudioCodec, ParsesSdpEncodingNamesWhateverTheirCase) {
  for (AudioCodec c : kAll) EXPECT_EQ(ParseAudioCodec(EncodingName(c)), c);
  EXPECT_EQ(ParseAudioCodec("OPUS"), AudioCodec::kOpus);
  EXPECT_EQ(ParseAudioCodec("g722"), AudioCodec::kG722);
  EXPECT_EQ(ParseAudioCodec("pcmu"), AudioCodec::kPcmu);
  EXPECT_EQ(ParseAudioCodec("Pcma"), AudioCodec::kPcma);
  EXPECT_EQ(ParseAudioCodec("G729"), std::nullopt);
  EXPECT_EQ(ParseAudioCodec("telephone-event"), std::nullopt);
  EXPECT_EQ(ParseAudioCodec("PCM"), std::nullopt);
  EXPECT_EQ(ParseAudioCodec("PCMUX"), std::nullopt);
  EXPECT_EQ(ParseAudioCodec(""), std::nullopt);
}

class CodecTone : public testing::TestWithParam<std::tuple<AudioCodec, double>> {};

TEST_P(CodecTone, KeepsItsFrequencyAndLevelThroughEncodeAndDecode) {
  auto [codec, hz] = GetParam();
  constexpr double kAmplitude = 8000;  // -15.3 dBFS.
  auto pcm = Tone(hz, kAmplitude, 30 * kMixFrameSamples);
  auto r = EncodeDecode(codec, pcm);
  ASSERT_EQ(r.decoded.size(), pcm.size());
  // After 200 ms of start-up (Opus's, and the resamplers' few milliseconds), 200 ms measured:
  // frames joined without a gap or a slip keep the tone pure across their boundaries.
  auto tail = std::span(r.decoded).subspan(10 * kMixFrameSamples, 10 * kMixFrameSamples);
  EXPECT_EQ(DominantHz(tail), hz);
  EXPECT_GT(ToneShare(tail, hz), 0.99);
  EXPECT_NEAR(LevelDbfs(tail), LevelDbfs(std::span(pcm).subspan(0, tail.size())), 0.5);
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecTone,
                         testing::Combine(testing::ValuesIn(kAll), testing::Values(1000.0, 440.0)),
                         [](const auto& info) {
                           return std::string(EncodingName(std::get<0>(info.param))) + "_" +
                                  std::to_string(static_cast<int>(std::get<1>(info.param))) + "Hz";
                         });

TEST(AudioCodec, G711AndG722Take160BytesPer20Ms) {
  auto pcm = Tone(1000, 8000, 5 * kMixFrameSamples);
  for (AudioCodec c : {AudioCodec::kG722, AudioCodec::kPcmu, AudioCodec::kPcma}) {
    auto r = EncodeDecode(c, pcm);
    ASSERT_EQ(r.payloads.size(), 5u);
    for (const auto& p : r.payloads) EXPECT_EQ(p.size(), 160u) << EncodingName(c);
    EXPECT_EQ(AudioEncoder::Create(c)->max_payload(), 160u);
  }
  auto opus = EncodeDecode(AudioCodec::kOpus, pcm);
  for (const auto& p : opus.payloads) EXPECT_LE(p.size(), 1275u);
}

TEST(AudioCodec, G711IsTheLawItsNameSays) {
  // Digital silence: µ-law 0xFF, A-law 0xD5 (G.711's even bits inverted).
  std::vector<int16_t> zero(kMixFrameSamples, 0);
  std::vector<uint8_t> out(160);
  ASSERT_EQ(AudioEncoder::Create(AudioCodec::kPcmu)->Encode(zero, out), 160u);
  EXPECT_EQ(out[80], 0xFF);
  ASSERT_EQ(AudioEncoder::Create(AudioCodec::kPcma)->Encode(zero, out), 160u);
  EXPECT_EQ(out[80], 0xD5);
}

TEST(AudioDecoder, ConcealmentFillsAWholeFrame) {
  constexpr int16_t kUnwritten = 31411;
  auto pcm = Tone(440, 8000, 10 * kMixFrameSamples);
  for (AudioCodec c : kAll) {
    auto fresh = AudioDecoder::Create(c);
    std::vector<int16_t> out(kMixFrameSamples, kUnwritten);
    fresh->Conceal(out);
    EXPECT_EQ(std::count(out.begin(), out.end(), kUnwritten), 0) << EncodingName(c);

    // After a tone, the first missing packet goes on sounding (it fades after that).
    auto enc = AudioEncoder::Create(c);
    auto dec = AudioDecoder::Create(c);
    std::vector<uint8_t> payload(enc->max_payload());
    for (size_t at = 0; at < pcm.size(); at += kMixFrameSamples) {
      size_t n = enc->Encode(std::span(pcm).subspan(at, kMixFrameSamples), payload);
      dec->Decode(std::span(payload).first(n), out);
    }
    std::fill(out.begin(), out.end(), kUnwritten);
    dec->Conceal(out);
    EXPECT_EQ(std::count(out.begin(), out.end(), kUnwritten), 0) << EncodingName(c);
    EXPECT_GT(LevelDbfs(std::span(out).first(kMixFrameSamples / 4)), -30) << EncodingName(c);
  }
}

TEST(AudioDecoder, PayloadsOfAnotherLengthGiveOneWholeFrame) {
  constexpr int16_t kUnwritten = 31411;
  std::mt19937 random(7);
  for (AudioCodec c : kAll) {
    auto dec = AudioDecoder::Create(c);
    for (size_t len : {0, 1, 2, 3, 17, 80, 159, 161, 321, 1275, 1500, 4000}) {
      std::vector<uint8_t> payload(len);
      for (auto& b : payload) b = static_cast<uint8_t>(random());
      // A larger buffer, to see that nothing beyond the frame is written.
      std::vector<int16_t> out(kMixFrameSamples + 16, kUnwritten);
      auto r = dec->Decode(payload, out);
      EXPECT_EQ(std::count(out.begin(), out.begin() + kMixFrameSamples, kUnwritten), 0)
          << EncodingName(c) << " " << len;
      EXPECT_EQ(std::count(out.begin() + kMixFrameSamples, out.end(), kUnwritten), 16);
      if (len == 0) {
        EXPECT_EQ(r, AudioDecoder::Result::kConcealed);
      } else if (c != AudioCodec::kOpus) {
        EXPECT_EQ(r, AudioDecoder::Result::kResized) << EncodingName(c) << " " << len;
      }
    }
  }
}

TEST(AudioDecoder, A10MsG711PayloadIsDecodedAndPaddedTo20Ms) {
  auto pcm = Tone(1000, 8000, 4 * kMixFrameSamples);
  auto enc = AudioEncoder::Create(AudioCodec::kPcmu);
  auto dec = AudioDecoder::Create(AudioCodec::kPcmu);
  std::vector<uint8_t> payload(160);
  std::vector<int16_t> out(kMixFrameSamples);
  for (int f = 0; f < 3; ++f) {
    enc->Encode(std::span(pcm).subspan(f * kMixFrameSamples, kMixFrameSamples), payload);
    dec->Decode(payload, out);
  }
  enc->Encode(std::span(pcm).subspan(3 * kMixFrameSamples, kMixFrameSamples), payload);
  EXPECT_EQ(dec->Decode(std::span(payload).first(80), out), AudioDecoder::Result::kResized);
  EXPECT_NEAR(DominantHz(std::span(out).first(kMixFrameSamples / 2)), 1000, 20);
  EXPECT_NEAR(LevelDbfs(std::span(out).first(kMixFrameSamples / 2)), LevelDbfs(pcm), 1.0);
}

TEST(AudioDecoder, OpusPacketsOf10And40MsAreDecodedAndFitTo20Ms) {
  int err = 0;
  OpusEncoder* enc = opus_encoder_create(kMixRate, 1, OPUS_APPLICATION_VOIP, &err);
  ASSERT_NE(enc, nullptr);
  auto dec = AudioDecoder::Create(AudioCodec::kOpus);
  auto pcm = Tone(1000, 8000, 20 * kMixFrameSamples);
  std::vector<uint8_t> packet(1275);
  std::vector<int16_t> out(kMixFrameSamples), heard;
  int resized = 0;
  // 10 ms, 40 ms and 10 ms packets in turn: each decoded, padded or cut to one 20 ms frame.
  size_t at = 0;
  for (int frame_samples : {480, 1920, 480, 1920, 480, 1920, 480, 1920}) {
    int n = opus_encode(enc, pcm.data() + at, frame_samples, packet.data(), 1275);
    ASSERT_GT(n, 0);
    at += frame_samples;
    resized += dec->Decode(std::span(packet).first(n), out) == AudioDecoder::Result::kResized;
    heard.insert(heard.end(), out.begin(), out.end());
  }
  opus_encoder_destroy(enc);
  EXPECT_EQ(resized, 8);
  EXPECT_EQ(DominantHz(std::span(heard).subspan(4 * kMixFrameSamples)), 1000);
}

}  // namespace
}  // namespace mcu::media
