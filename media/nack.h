// Loss recovery for one RTP stream: the sender's retransmission history and the receiver's
// NACK generator (RFC 4585). Pure code, single-threaded (the transport's I/O thread owns both).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "media/rtp.h"

namespace mcu::media {

// Keeps the last `capacity` sent packets of a stream, already protected (SRTP), so that a NACK is
// answered by resending the very bytes that were lost: no second encryption, and the receiver's
// replay window accepts them because it never saw them.
class RetransmissionHistory {
 public:
  explicit RetransmissionHistory(size_t capacity = 512) : slots_(capacity) {}
  void Store(uint16_t seq, rtp::Bytes protected_packet, int64_t now_us);
  // The packet for `seq` if still held and not resent within `min_interval_us` (RTT-based
  // throttle, so a burst of duplicate NACKs does not multiply traffic).
  const std::vector<uint8_t>* Find(uint16_t seq, int64_t now_us, int64_t min_interval_us);

 private:
  struct Slot {
    bool used = false;
    uint16_t seq = 0;
    int64_t last_sent_us = 0;
    std::vector<uint8_t> data;
  };
  std::vector<Slot> slots_;
};

// Tracks gaps in received sequence numbers and says which to request, when. A missing packet is
// requested at once, then again every `retry_interval_us` (about one RTT), at most `max_retries`
// times; it is forgotten when recovered, when too old (more than kMaxAge sequence numbers behind),
// or after the last retry. A gap that would leave more than `max_missing` missing is not tracked
// at all: the list is cleared and a keyframe asked for instead, so a packet costs at most
// max_missing insertions whatever sequence number a hostile sender writes.
class NackGenerator {
 public:
  struct Options {
    int max_retries = 3;
    int64_t retry_interval_us = 40'000;
    size_t max_missing = 250;  // Beyond this the stream needs a keyframe, not NACKs.
  };
  NackGenerator() : NackGenerator(Options{}) {}
  explicit NackGenerator(Options options) : options_(options) {}

  // Returns true if this packet was a retransmission or reordered arrival of a missing one.
  bool OnPacket(uint16_t seq);
  // The sequence numbers to NACK now.
  std::vector<uint16_t> Collect(int64_t now_us);
  // True once, after too many packets went missing to recover: ask for a keyframe instead.
  bool TakeKeyframeNeeded();
  size_t missing() const { return missing_.size(); }
  // Sequence numbers ever put on the missing list: the work packets have caused.
  uint64_t tracked() const { return tracked_; }
  void set_retry_interval_us(int64_t v) { options_.retry_interval_us = v; }

 private:
  static constexpr uint16_t kMaxAge = 1000;
  struct Entry {
    int retries = 0;
    int64_t last_sent_us = -1;
  };
  Options options_;
  bool started_ = false;
  uint16_t newest_ = 0;
  bool keyframe_needed_ = false;
  // Keyed by the sequence number unwrapped relative to newest_, so iteration is in order.
  std::map<int64_t, Entry> missing_;
  int64_t unwrapped_newest_ = 0;
  uint64_t tracked_ = 0;
};

}  // namespace mcu::media
