// Media encoded once, before a benchmark starts, and replayed on every connection: the RTP
// packets of a short clip with their send offsets. Shared by the load generators.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "media/sdp.h"

namespace mcu::bench {

struct Packet {
  std::vector<uint8_t> data;  // One RTP packet; timestamps start at 0 for every clip.
  int64_t offset_us;          // Send time relative to the start of the clip.
  media::sdp::Kind kind;
};

// Runs a gst-launch description ending in `appsink name=s` (non-live, as fast as it encodes)
// and keeps the RTP packets. Exits the process if the description does not parse.
std::vector<Packet> EncodeClip(const std::string& desc, media::sdp::Kind kind, uint32_t clock_rate);

// 5 s of a 440 Hz tone, Opus 32 kb/s in 20 ms packets (payload type 111).
std::vector<Packet> ToneClip();

}  // namespace mcu::bench
