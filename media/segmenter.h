// A live stream's segments, the last `keep` of about `target_us` each kept in memory, with the
// HLS playlist (RFC 8216) that names them. A segment is published once the next one begins, so
// that every segment listed is whole and starts on a keyframe: a player may start with any.
// Two containers:
// - WebM: a streamable WebM byte stream (webmmux streamable=true) cut at its keyframe clusters
//   into an init segment (EBML header, Segment, Info, Tracks) and media segments; playlist
//   version 7, EXT-X-MAP naming the init segment. The muxer marks its buffers: header ones
//   (GST_BUFFER_FLAG_HEADER), the start of each cluster that begins with a keyframe (no
//   GST_BUFFER_FLAG_DELTA_UNIT, with the cluster's time), and the rest (delta units).
// - MPEG-TS: packets cut where a video keyframe begins (media/ts_cutter.h finds it and repeats
//   the PAT and PMT there); no init segment; playlist version 3, which every HLS player takes.
// Pure: no GStreamer here.
//
// Threads: Add from one thread (the stream pipeline's streaming thread); the readers from any
// (they copy what they return under a mutex; segment bytes are shared, never copied).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

namespace mcu::media {

class Segmenter {
 public:
  enum class Container { kWebm, kTs };
  struct Options {
    int64_t target_us = 2'000'000;  // A segment ends at the first keyframe past this.
    size_t keep = 6;                // Segments listed and served.
    Container container = Container::kWebm;
  };
  enum class Part { kHeader, kKeyframeCluster, kOther };

  explicit Segmenter(Options options) : options_(options) {}

  void Add(const uint8_t* data, size_t n, Part part, int64_t pts_us);

  // The init segment; null until the header is complete (the first cluster began), and always
  // for MPEG-TS.
  std::shared_ptr<const std::string> Init() const;
  // Media segment `sequence`; null if it is not (or no longer) kept.
  std::shared_ptr<const std::string> Segment(uint64_t sequence) const;
  // The live playlist: its segments named `<sequence>.<extension()>` and, for WebM, the init
  // segment `init.webm`, relative to the playlist's own URL; each URL followed by `query` (e.g.
  // "?v=token") if given. Until the first segment is whole it lists none (and no init segment).
  std::string Playlist(const std::string& query = "") const;
  Container container() const { return options_.container; }
  // "webm" or "ts": the segments' names end with it.
  const char* extension() const { return options_.container == Container::kTs ? "ts" : "webm"; }
  uint64_t segments_made() const;

 private:
  struct Done {
    uint64_t sequence;
    int64_t duration_us;
    std::shared_ptr<const std::string> bytes;
  };
  const Options options_;
  // The streaming thread's.
  std::string header_, current_;
  bool in_segment_ = false;
  int64_t current_start_us_ = 0;
  // Shared with the readers.
  mutable std::mutex mu_;
  std::shared_ptr<const std::string> init_;
  std::deque<Done> done_;
  uint64_t next_sequence_ = 0;
};

}  // namespace mcu::media
