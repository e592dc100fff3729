// Fuzz target: a site's video packets, as a hostile room could send them, through the receive
// path after SRTP: the NACK generator (media/nack.h), the frame assembler and the VP8/H.264
// payload readers (media/jitter_buffer.h, media/codec_payload.h), and the keyframe size check.
// The input is a codec byte, then packets of [seq:2][timestamp-step:1][flags:1][length:1]
// [payload...]. Beyond memory safety it checks a work budget: the NACK generator never tracks
// more sequence numbers than max_missing per packet (a huge jump must cost nothing), and never
// holds more than max_missing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "media/codec_payload.h"
#include "media/jitter_buffer.h"
#include "media/nack.h"

using namespace mcu::media;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const VideoCodec codec = data[0] & 1 ? VideoCodec::kH264 : VideoCodec::kVp8;
  FrameAssembler assembler(codec, 150'000, 256);
  NackGenerator nack;
  constexpr size_t kMaxMissing = NackGenerator::Options{}.max_missing;
  uint32_t timestamp = 0;
  int64_t now = 0;
  uint64_t packets = 0;
  size_t at = 1;
  while (at + 5 <= size) {
    const uint16_t seq = static_cast<uint16_t>(data[at] << 8 | data[at + 1]);
    timestamp += data[at + 2] * 300u;
    const uint8_t flags = data[at + 3];
    const size_t length = data[at + 4];
    at += 5;
    const std::span<const uint8_t> payload(data + at, std::min(length, size - at));
    at += payload.size();
    now += (flags >> 4) * 5'000;
    ++packets;
    (void)InspectVideoPayload(codec, payload);
    nack.OnPacket(seq);
    if (nack.missing() > kMaxMissing || nack.tracked() > packets * kMaxMissing) abort();
    (void)nack.Collect(now);
    (void)nack.TakeKeyframeNeeded();
    (void)assembler.Insert(seq, timestamp, flags & 1, payload, now);
    if (flags & 2) assembler.RestartAtKeyframe();
    for (const auto& frame : assembler.Pop(now)) (void)KeyframeSize(codec, frame.data);
    (void)assembler.TakeKeyframeRequest();
  }
  return 0;
}
