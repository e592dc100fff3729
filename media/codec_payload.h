// RTP payload formats of the video codecs the MCU receives: VP8 (RFC 7741) and H.264 (RFC 6184,
// packetization-mode 1). For each packet: does it start a frame, is that frame a keyframe; and
// depacketization into what a decoder takes (a VP8 frame; an H.264 access unit in Annex B).
// Pure code, no state: safe on any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace mcu::media {

enum class VideoCodec { kVp8, kH264 };

struct VideoPacketInfo {
  bool frame_start = false;  // The first packet of a frame (VP8: S bit, partition 0).
  bool keyframe = false;     // Part of a keyframe (VP8: in the first packet; H.264: IDR/SPS).
};

// nullopt: the payload is malformed (too short, reserved NAL type...).
std::optional<VideoPacketInfo> InspectVideoPayload(VideoCodec codec,
                                                   std::span<const uint8_t> payload);

// The picture size a depacketized keyframe declares, or nullopt if none can be read: VP8, its
// frame header (RFC 6386 9.1); H.264, the coded size (before cropping) of the largest SPS in the
// access unit (H.264 7.3.2.1.1; 65535x65535 for one beyond what H.264 defines). What a decoder
// would allocate for.
std::optional<std::pair<int, int>> KeyframeSize(VideoCodec codec, std::span<const uint8_t> frame);

// Appends the codec data of one packet to `frame` (VP8: the payload without its descriptor;
// H.264: NAL units with Annex B start codes, FU-A fragments reassembled). Returns false if the
// payload is malformed.
bool AppendDepacketized(VideoCodec codec, std::span<const uint8_t> payload,
                        std::vector<uint8_t>& frame);

}  // namespace mcu::media
