#include "tests/support/analysis.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include "media/gobject_ptr.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

namespace mcu::test {

bool ReadWav(const std::string& path, Wav* out) {
  std::ifstream in(path, std::ios::binary);
  char hdr[44];
  if (!in.read(hdr, 44) || std::memcmp(hdr, "RIFF", 4) != 0 || std::memcmp(hdr + 8, "WAVE", 4) != 0)
    return false;
  uint16_t channels, bits;
  uint32_t rate, bytes;
  std::memcpy(&channels, hdr + 22, 2);
  std::memcpy(&rate, hdr + 24, 4);
  std::memcpy(&bits, hdr + 34, 2);
  std::memcpy(&bytes, hdr + 40, 4);
  if ((channels != 1 && channels != 2) || bits != 16) return false;
  out->rate = static_cast<int>(rate);
  // A writer that died left its header's sizes unwritten (0) or stale: read what the file has.
  const auto at = in.tellg();
  in.seekg(0, std::ios::end);
  const auto file_bytes = static_cast<uint64_t>(in.tellg() - at);
  in.seekg(at);
  if (bytes == 0 || bytes > file_bytes) bytes = static_cast<uint32_t>(file_bytes);
  std::vector<int16_t> all(bytes / 2);
  in.read(reinterpret_cast<char*>(all.data()), bytes);
  all.resize(static_cast<size_t>(in.gcount()) / 2);  // A file cut short keeps what it has.
  out->samples.clear();
  for (size_t i = 0; i < all.size(); i += channels) out->samples.push_back(all[i]);  // Left.
  return true;
}

Wav Slice(const Wav& w, double from_s, double to_s) {
  Wav out;
  out.rate = w.rate;
  size_t a = std::min(w.samples.size(), static_cast<size_t>(from_s * w.rate));
  size_t b = std::min(w.samples.size(), static_cast<size_t>(to_s * w.rate));
  out.samples.assign(w.samples.begin() + a, w.samples.begin() + b);
  return out;
}

double TonePower(std::span<const int16_t> s, int rate, double freq) {
  double k = 2 * std::cos(2 * M_PI * freq / rate);
  double s1 = 0, s2 = 0;
  for (int16_t x : s) {
    double s0 = x / 32768.0 + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  double power = s1 * s1 + s2 * s2 - k * s1 * s2;
  return s.empty() ? 0 : power / (double(s.size()) * s.size());
}

double ToneShare(const Wav& wav, double freq) {
  // A recording shorter than a block (a 100 ms slice) is one block.
  const size_t block = std::max<size_t>(1, std::min<size_t>(wav.rate / 5, wav.samples.size()));
  double tone = 0, total = 0;
  for (size_t i = 0; i + block <= wav.samples.size(); i += block) {
    std::span<const int16_t> b(wav.samples.data() + i, block);
    tone += TonePower(b, wav.rate, freq);
    for (int16_t x : b) total += (x / 32768.0) * (x / 32768.0) / block;
  }
  return total == 0 ? 0 : tone / total;
}

Rgb Image::At(int x, int y) const {
  size_t i = (size_t(y) * width + x) * 3;
  return {rgb[i], rgb[i + 1], rgb[i + 2]};
}

Rgb Image::Mean(int x0, int y0, int w, int h) const {
  long r = 0, g = 0, b = 0, n = 0;
  for (int y = y0; y < y0 + h; ++y)
    for (int x = x0; x < x0 + w; ++x) {
      Rgb p = At(x, y);
      r += p.r;
      g += p.g;
      b += p.b;
      ++n;
    }
  if (!n) return {};
  return {int(r / n), int(g / n), int(b / n)};
}

bool ReadPng(const std::string& path, Image* out, std::string* error) {
  static bool inited = (gst_init(nullptr, nullptr), true);
  (void)inited;
  std::string desc =
      "filesrc location=\"" + path +
      "\" ! pngdec ! videoconvert ! video/x-raw,format=RGB ! appsink name=s sync=false";
  GError* raw_err = nullptr;
  auto pipeline = media::GRef<GstElement>::AdoptSink(gst_parse_launch(desc.c_str(), &raw_err));
  if (media::GErrorPtr err(raw_err); err) {
    *error = err->message;
    return false;
  }
  GstElement* p = pipeline.get();
  auto sink = media::GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(p), "s"));
  gst_element_set_state(p, GST_STATE_PLAYING);
  auto sample = media::GRef<GstSample>::Adopt(
      gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), 5 * GST_SECOND));
  bool ok = false;
  if (sample) {
    GstStructure* s = gst_caps_get_structure(gst_sample_get_caps(sample.get()), 0);
    gst_structure_get_int(s, "width", &out->width);
    gst_structure_get_int(s, "height", &out->height);
    GstBuffer* buf = gst_sample_get_buffer(sample.get());
    GstMapInfo map;
    if (gst_buffer_map(buf, &map, GST_MAP_READ)) {
      // RGB rows are padded to 4 bytes in GStreamer's default strides.
      int stride = (out->width * 3 + 3) & ~3;
      out->rgb.resize(size_t(out->width) * out->height * 3);
      for (int y = 0; y < out->height; ++y)
        std::memcpy(&out->rgb[size_t(y) * out->width * 3], map.data + size_t(y) * stride,
                    out->width * 3);
      gst_buffer_unmap(buf, &map);
      ok = true;
    }
  } else {
    *error = "no frame decoded from " + path;
  }
  gst_element_set_state(p, GST_STATE_NULL);
  return ok;
}

bool Near(const Rgb& a, const Rgb& b, int t) {
  return std::abs(a.r - b.r) <= t && std::abs(a.g - b.g) <= t && std::abs(a.b - b.b) <= t;
}

}  // namespace mcu::test
