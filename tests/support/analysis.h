// What arrived, measured: tone energy in received audio (Goertzel) and colours in received frames.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mcu::test {

struct Wav {
  int rate = 0;
  std::vector<int16_t> samples;  // Mono.
};
// 16-bit PCM, mono or stereo (the left channel is kept).
bool ReadWav(const std::string& path, Wav* out);
// The samples from `from_s` to `to_s` seconds (cut at the end).
Wav Slice(const Wav& w, double from_s, double to_s);

// Power of `freq` in the samples (Goertzel), normalised by the number of samples.
double TonePower(std::span<const int16_t> samples, int rate, double freq);
// Power of `freq` relative to the total signal power (0..~0.5 for a pure sine), measured over
// 200 ms blocks: a phase slip (one concealed or dropped 20 ms frame at a jitter buffer, normal
// on a loaded machine) then costs one block, where over the whole recording it would cancel the
// tone's coherent sum (one slip of half a period mid-way measured 0.05 for a tone that is there).
// Tones 200 Hz apart leak under 1e-4 into each other's share. A shorter recording is one block.
double ToneShare(const Wav& wav, double freq);

struct Rgb {
  int r = 0, g = 0, b = 0;
};
struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
  Rgb At(int x, int y) const;
  // Mean colour of a rectangle.
  Rgb Mean(int x, int y, int w, int h) const;
};
// Decodes a PNG with GStreamer (pngdec).
bool ReadPng(const std::string& path, Image* out, std::string* error);
bool Near(const Rgb& a, const Rgb& b, int tolerance);

}  // namespace mcu::test
