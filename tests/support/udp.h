// UDP on loopback for tests of bad input: which ports a process has open, plain datagrams, and
// datagrams with a forged source port (a raw socket, as an attacker on the path could send).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mcu::test {

struct UdpSocketInfo {
  std::string address;  // Dotted IPv4 ("127.0.0.1", "0.0.0.0").
  uint16_t port = 0;
};

// The IPv4 UDP sockets `pid` holds (from /proc/<pid>/fd and /proc/net/udp).
std::vector<UdpSocketInfo> UdpSocketsOf(pid_t pid);

// A port free for both TCP and UDP on 127.0.0.1 (the kernel's choice, then released); 0 if none.
uint16_t FreePort();

// Sends `payload` to 127.0.0.1:`port` from an ephemeral port. Returns false on a socket error.
bool SendUdp(uint16_t port, const std::vector<uint8_t>& payload);

// Sends `payload` to 127.0.0.1:`dst_port` with source `src_address`:`src_port`, through a raw
// socket (needs CAP_NET_RAW, as the loopback capture does). Returns false if it cannot be sent.
bool SendForgedUdp(const std::string& src_address, uint16_t src_port, uint16_t dst_port,
                   const std::vector<uint8_t>& payload);

}  // namespace mcu::test
