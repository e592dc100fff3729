// What one site's audio costs the room's audio thread per 20 ms frame, for each codec
// (media/audio_codec.h): decode (payload → 48 kHz, resampling included), concealment of a lost
// packet, and encode (48 kHz → payload, resampling included). The input is speech-like: a few
// harmonics of a gliding pitch with noise, about -20 dBFS, so Opus does not see a pure tone.
// Prints microseconds per frame: the mean of the best of `--runs` runs of `--frames` frames each
// (the best run is the one least disturbed by other work on the machine), and the median run's.
//   build/bench/mcu-audio-codec-bench [--frames 2000] [--runs 7]
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "media/audio_codec.h"

namespace {

using mcu::media::AudioCodec;
using mcu::media::AudioDecoder;
using mcu::media::AudioEncoder;
using mcu::media::kMixFrameSamples;
using mcu::media::kMixRate;

std::vector<int16_t> SpeechLike(int frames) {
  std::vector<int16_t> pcm(static_cast<size_t>(frames) * kMixFrameSamples);
  std::mt19937 random(1);
  std::normal_distribution<double> noise(0, 300);
  double phase = 0;
  for (size_t i = 0; i < pcm.size(); ++i) {
    const double t = static_cast<double>(i) / kMixRate;
    const double pitch = 140 + 40 * std::sin(2 * M_PI * 0.7 * t);
    phase += 2 * M_PI * pitch / kMixRate;
    double v = 0;
    for (int h = 1; h <= 8; ++h) v += 1500.0 / h * std::sin(h * phase);
    pcm[i] = static_cast<int16_t>(std::clamp(v + noise(random), -32768.0, 32767.0));
  }
  return pcm;
}

struct Cost {
  double best_us = 0, median_us = 0;
};

template <typename F>
Cost Measure(int runs, int frames, F&& per_frame) {
  std::vector<double> us;
  for (int r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (int f = 0; f < frames; ++f) per_frame(f);
    const auto end = std::chrono::steady_clock::now();
    us.push_back(std::chrono::duration<double, std::micro>(end - start).count() / frames);
  }
  std::sort(us.begin(), us.end());
  return {us.front(), us[us.size() / 2]};
}

int Run(int argc, char** argv) {
  CLI::App app{"Audio codec cost per 20 ms frame"};
  int frames = 2000, runs = 7;
  app.add_option("--frames", frames, "frames per run")->check(CLI::Range(10, 1000000));
  app.add_option("--runs", runs, "runs (the best and the median are printed)")
      ->check(CLI::Range(1, 100));
  CLI11_PARSE(app, argc, argv);

  const auto pcm = SpeechLike(frames);
  auto frame = [&](int f) {
    return std::span(pcm).subspan(static_cast<size_t>(f) * kMixFrameSamples, kMixFrameSamples);
  };
  std::printf("us per 20 ms frame (best run / median run), %d runs of %d frames\n", runs, frames);
  std::printf("%-6s %18s %18s %18s %10s\n", "codec", "decode", "conceal", "encode", "bytes");
  for (AudioCodec codec :
       {AudioCodec::kOpus, AudioCodec::kG722, AudioCodec::kPcmu, AudioCodec::kPcma}) {
    auto enc = AudioEncoder::Create(codec);
    std::vector<std::vector<uint8_t>> payloads(frames, std::vector<uint8_t>(enc->max_payload()));
    std::vector<size_t> sizes(frames);
    Cost encode =
        Measure(runs, frames, [&](int f) { sizes[f] = enc->Encode(frame(f), payloads[f]); });
    auto dec = AudioDecoder::Create(codec);
    std::vector<int16_t> out(kMixFrameSamples);
    Cost decode = Measure(runs, frames,
                          [&](int f) { dec->Decode(std::span(payloads[f]).first(sizes[f]), out); });
    Cost conceal = Measure(runs, frames, [&](int) { dec->Conceal(out); });
    std::printf(
        "%-6s %8.1f / %7.1f %8.1f / %7.1f %8.1f / %7.1f %10.0f\n",
        std::string(mcu::media::EncodingName(codec)).c_str(), decode.best_us, decode.median_us,
        conceal.best_us, conceal.median_us, encode.best_us, encode.median_us,
        static_cast<double>(std::accumulate(sizes.begin(), sizes.end(), size_t{0})) / frames);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mcu-audio-codec-bench: %s\n", e.what());
    return 1;
  }
}
