#include "tests/support/capture.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace mcu::test {

int OpenLoopbackPacketSocket(std::string* error) {
  int fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
  if (fd < 0) {
    *error =
        std::string("AF_PACKET socket: ") + std::strerror(errno) + " (needs root or CAP_NET_RAW)";
    return -1;
  }
  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_IP);
  addr.sll_ifindex = static_cast<int>(if_nametoindex("lo"));
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *error = std::string("bind to lo: ") + std::strerror(errno);
    close(fd);
    return -1;
  }
  timeval tv{0, 100000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

LoopbackCapture::LoopbackCapture(std::string needle) : needle_(std::move(needle)) {
  fd_ = OpenLoopbackPacketSocket(&error_);
  if (fd_ >= 0) thread_ = std::thread([this] { Run(); });
}

LoopbackCapture::~LoopbackCapture() { Stop(); }

CaptureCounts LoopbackCapture::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  return counts_;
}

void LoopbackCapture::Run() {
  uint8_t buf[65536];
  while (!stop_) {
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) continue;
    if (n < 20) continue;
    const auto* ip = reinterpret_cast<const iphdr*>(buf);
    if (ip->protocol != IPPROTO_UDP) continue;
    size_t ihl = ip->ihl * 4u;
    if (size_t(n) < ihl + 8) continue;
    const uint8_t* payload = buf + ihl + 8;
    size_t len = size_t(n) - ihl - 8;
    if (len == 0) continue;
    // Loopback traffic is seen once per direction of the socket pair (outgoing and incoming).
    ++counts_.udp;
    uint8_t b = payload[0];
    if (b <= 3 && len >= 8 && payload[4] == 0x21 && payload[5] == 0x12 && payload[6] == 0xA4 &&
        payload[7] == 0x42)
      ++counts_.stun;
    else if (b >= 20 && b <= 63)
      ++counts_.dtls;
    else if (b >= 128 && b <= 191)
      ++counts_.rtp;
    else
      ++counts_.other;
    std::string_view sv(reinterpret_cast<const char*>(payload), len);
    if (sv.find(needle_) != std::string_view::npos) ++counts_.needle_hits;
  }
}

}  // namespace mcu::test
