// A transport's own accounting, as cumulative counters read at any instant (PeerTransport::Stats).
// Plain values: what stream_health.h turns into per-second health, and what an endpoint's "stats"
// event shows (serialised by signaling/stats_json.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace mcu {

struct DirectionStats {
  uint64_t packets = 0;
  uint64_t bytes = 0;  // Payload bytes.
  uint64_t nacks = 0;  // NACKed sequence numbers (sent when receiving, received when sending).
  uint64_t plis = 0;
  uint64_t firs = 0;
  uint64_t retransmits = 0;
  uint64_t frames = 0;     // Video: frames completed (RTP marker bit; retransmissions not counted).
  uint64_t keyframes = 0;  // Video: of which keyframes (not counted by the transport yet).
  int64_t lost = 0;        // Receiving: our count. Sending: the remote's report.
  double fraction_lost = 0;  // Last report, 0..1.
  double jitter_ms = 0;
  uint32_t ssrc = 0;
};

struct TransportStats {
  std::string ice_state;
  std::string dtls_state;
  std::string srtp_profile;
  std::string local_candidate, remote_candidate;  // The selected pair.
  double rtt_ms = -1;
  DirectionStats audio_in, audio_out, video_in, video_out;
  uint64_t dropped_datagrams = 0;  // Undecryptable, malformed or unexpected.
};

// What a mixing room does with one participant's media.
struct MixParticipantStats {
  bool tile = false;     // It has a tile (a decoder branch); an audio-only site has none.
  bool decoded = false;  // Its video is decoded now (not while hidden or muted).
  bool video_muted = false;
  bool content = false;  // It is a site's shared content.
  int tier = -1;         // The composite tier it receives; -1: none.
  uint64_t video_frames_in = 0, video_frames_dropped = 0;
  uint64_t composite_frames_out = 0, audio_frames_out = 0;
};

// One endpoint's statistics (MediaEndpoint::Stats): its transport, and in a mixing room what the
// room does with it.
struct EndpointStats {
  TransportStats transport;
  std::optional<MixParticipantStats> mix;
};

}  // namespace mcu
