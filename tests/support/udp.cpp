#include "tests/support/udp.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace mcu::test {

std::vector<UdpSocketInfo> UdpSocketsOf(pid_t pid) {
  std::set<std::string> inodes;
  std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
  if (DIR* d = opendir(fd_dir.c_str())) {
    while (dirent* e = readdir(d)) {
      char target[256];
      ssize_t n = readlink((fd_dir + "/" + e->d_name).c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      target[n] = 0;
      if (std::strncmp(target, "socket:[", 8) == 0) inodes.insert(std::string(target + 8, n - 9));
    }
    closedir(d);
  }
  std::vector<UdpSocketInfo> out;
  std::ifstream in("/proc/" + std::to_string(pid) + "/net/udp");
  std::string line;
  std::getline(in, line);  // Header.
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string slot, local, remote, st, queues, tr, retr, uid, timeout, inode;
    f >> slot >> local >> remote >> st >> queues >> tr >> retr >> uid >> timeout >> inode;
    if (!inodes.count(inode)) continue;
    auto colon = local.find(':');
    if (colon == std::string::npos) continue;
    uint32_t addr = static_cast<uint32_t>(std::stoul(local.substr(0, colon), nullptr, 16));
    in_addr a{addr};  // /proc prints the address in host order of the raw network bytes.
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, text, sizeof text);
    out.push_back({text, static_cast<uint16_t>(std::stoul(local.substr(colon + 1), nullptr, 16))});
  }
  return out;
}

bool SendUdp(uint16_t port, const std::vector<uint8_t>& payload) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ssize_t n =
      sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  close(fd);
  return n == static_cast<ssize_t>(payload.size());
}

bool SendForgedUdp(const std::string& src_address, uint16_t src_port, uint16_t dst_port,
                   const std::vector<uint8_t>& payload) {
  in_addr src{};
  if (inet_pton(AF_INET, src_address.c_str(), &src) != 1) return false;
  int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);  // IP_HDRINCL: we write the IP header.
  if (fd < 0) return false;
  std::vector<uint8_t> packet(sizeof(iphdr) + sizeof(udphdr) + payload.size());
  iphdr ip{};
  ip.version = 4;
  ip.ihl = 5;
  ip.ttl = 64;
  ip.protocol = IPPROTO_UDP;
  ip.tot_len = htons(static_cast<uint16_t>(packet.size()));  // The kernel fills id and checksum.
  ip.saddr = src.s_addr;
  ip.daddr = htonl(INADDR_LOOPBACK);
  udphdr h{};
  h.source = htons(src_port);
  h.dest = htons(dst_port);
  h.len = htons(static_cast<uint16_t>(sizeof(udphdr) + payload.size()));
  h.check = 0;  // No checksum: allowed for UDP over IPv4.
  std::memcpy(packet.data(), &ip, sizeof ip);
  std::memcpy(packet.data() + sizeof ip, &h, sizeof h);
  if (!payload.empty())
    std::memcpy(packet.data() + sizeof ip + sizeof h, payload.data(), payload.size());
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ssize_t n =
      sendto(fd, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  close(fd);
  return n == static_cast<ssize_t>(packet.size());
}

uint16_t FreePort() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a);
    getsockname(u, reinterpret_cast<sockaddr*>(&a), &len);
    int t = socket(AF_INET, SOCK_STREAM, 0);
    bool ok = bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(t);
    close(u);
    if (ok) return ntohs(a.sin_port);
  }
  return 0;
}

}  // namespace mcu::test
