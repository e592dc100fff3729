// Captures UDP datagrams on the loopback interface (AF_PACKET; the tests run as root) and sorts
// their payloads as RFC 7983 does: STUN, DTLS, RTP/RTCP, other. Also looks for a byte string in
// every payload, to prove that a known plaintext never crosses the wire.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace mcu::test {

// An AF_PACKET socket bound to the loopback interface, reading IPv4 packets (from the IP header
// on) with a 100 ms receive timeout; -1 with `error` set if it cannot be had (it needs root or
// CAP_NET_RAW). The caller closes it.
int OpenLoopbackPacketSocket(std::string* error);

struct CaptureCounts {
  uint64_t udp = 0, stun = 0, dtls = 0, rtp = 0, other = 0, needle_hits = 0;
};

class LoopbackCapture {
 public:
  explicit LoopbackCapture(std::string needle);
  ~LoopbackCapture();
  bool ok() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  CaptureCounts Stop();

 private:
  void Run();
  std::string needle_;
  int fd_ = -1;
  std::string error_;
  std::atomic<bool> stop_{false};
  CaptureCounts counts_;
  std::thread thread_;
};

}  // namespace mcu::test
