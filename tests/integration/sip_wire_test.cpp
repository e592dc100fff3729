// The MCU's SIP side as it is on the wire, against a whole mcu process: a Debian baresip room
// system (SIP/TLS, SDES-SRTP) and a WebRTC site are in the permanent conference "mix" while SIPp
// (Debian's sip-tester, through the TLS relay of tests/support/sipp.h, as the configured SIP site
// "sipp-room": From sip:room-a@127.0.0.1) and raw TLS connections of the test play what other
// room systems and attackers do.
//
// SipWire.ScenariosLeaveTheMcuAnsweringAndTheConferenceHearingItself, one step after another:
// - a delayed offer (SIPp): INVITE without SDP, the MCU's SRTP offer in the 200, the answer in
//   the ACK (accepted), BYE 200;
// - an SDP-less re-INVITE (SIPp): 200 with the same SDP, byte for byte, and the console's feed
//   tells of it (`{"type":"sip",...,"detail":"re-INVITE without SDP"}`);
// - Session-Expires 30, below Min-SE (SIPp): 422 with Min-SE: 90;
// - a CANCEL right after its INVITE, in the same TLS write (SIPp reads its socket between two
//   sends and would take the answer for an unexpected message): 487 and 200 to the CANCEL, then
//   the ACK; or 200 to the INVITE, then ACK and BYE 200; and no call left in the bridge;
// - malformed messages, each on a TLS connection of its own (garbage, an INVITE without Call-ID,
//   a message over the agent's 64 KiB, which SIPp cannot send): only 4xx/5xx or nothing back,
//   nothing reaches the bridge;
// - an INVITE flood from one source (SIPp, 60 at 200/s, a caller that is no site): 503 with
//   Retry-After: 5 over the per-source limit, 403 for the rest.
// After each step the MCU answers OPTIONS (200), the WebRTC site hears the room's tone and not its
// own, and the room hears the WebRTC site's tone and not its own over two seconds of what baresip
// recorded after that step. Once the room is in, the roll-call says its call is SIP over TLS.
//
// SipWire.TheSipLegIsTlsAndSrtpOnTheWire: everything on loopback is captured while the room (G.711
// µ-law) is in the call, from before it dials (AF_PACKET, as tests/support/capture.h: root or
// CAP_NET_RAW, else the test fails). The TCP to the MCU's SIP port is TLS records both ways from
// the first byte; "INVITE sip:", "SIP/2.0", "a=crypto" and "inline:" are nowhere in the capture.
// Between the room's and the MCU's audio ports (from the call's SDP the MCU logs at debug, keys
// redacted) every RTP packet is header + 160 bytes (20 ms of µ-law) + the 10-byte tag of
// AES_CM_128_HMAC_SHA1_80, and the payloads, read as µ-law, carry neither tone (which they would
// in clear); RTCP is SRTCP (E flag), but for baresip's own clear NAT-pinhole APP packet.
//
// SipWire.AMalformedMessageLeavesNoDeafConnection: after each malformed message the MCU either
// still reads the connection (an OPTIONS on it is answered) or closes it; it does not keep the
// socket once the client has closed. Garbage makes sofia stop reading the connection; the idle
// timeout ([sip] connection_idle_s, 3 s here) then closes it.
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "media/certificate.h"
#include "tests/support/analysis.h"
#include "tests/support/audio_site.h"
#include "tests/support/capture.h"
#include "tests/support/mcu_fixture.h"
#include "tests/support/process.h"
#include "tests/support/rest_client.h"
#include "tests/support/sip_room.h"
#include "tests/support/sipp.h"
#include "tests/support/udp.h"
#include "tests/support/ws_client.h"

namespace mcu::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr double kWebRtcTone = 1000, kRoomTone = 440;
const std::string kScenarioDir = std::string(MCU_CONFIGS_DIR) + "/../tests/sip/";

// The MCU with SIP over TLS and two SIP sites that only call in: the baresip room (phong1) and
// SIPp (room-a, the From user of the scenarios in tests/sip), both from 127.0.0.1.
McuOptions WithSipSites(int sip_port, const std::string& log_level = "info") {
  McuOptions o;
  o.load_sites = 0;
  o.sip_tls_port = sip_port;
  o.log_level = log_level;
  o.extra_toml =
      "[[sites]]\nid = \"phong-sip\"\nname = \"Phòng SIP\"\nlevel = \"district\"\n"
      "kind = \"sip\"\nsip_uri = \"sip:phong1@127.0.0.1\"\nsip_dial = false\n"
      "[[sites]]\nid = \"sipp-room\"\nname = \"SIPp room\"\nlevel = \"district\"\n"
      "kind = \"sip\"\nsip_uri = \"sip:room-a@127.0.0.1\"\nsip_dial = false\n";
  return o;
}

// The MCU's TLS certificate (also its SIP certificate), which the relay and clients trust.
std::unique_ptr<media::Certificate> McuCertificate(const McuProcess& mcu) {
  auto cert = media::Certificate::FromPem(ReadFile(mcu.dir() / "data/tls-cert.pem"),
                                          ReadFile(mcu.dir() / "data/tls-key.pem"));
  return cert.ok() ? std::make_unique<media::Certificate>(std::move(*cert)) : nullptr;
}

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// What the room has recorded of what it hears so far (baresip's sndfile writes as it decodes;
// ReadWav reads a file whose header sizes are not written yet). Empty before the call's audio.
Wav RoomHeardSoFar(SipRoom& room) {
  namespace fs = std::filesystem;
  fs::path heard = fs::path(room.process()->log_path()).parent_path() / "heard";
  fs::path newest;
  fs::file_time_type newest_time;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(heard, ec))
    if (e.path().string().ends_with("-dec.wav") &&
        (newest.empty() || e.last_write_time() > newest_time))
      newest = e.path(), newest_time = e.last_write_time();
  Wav w;
  if (newest.empty() || !ReadWav(newest, &w)) return {};
  return w;
}

double Seconds(const Wav& w) { return w.rate ? static_cast<double>(w.samples.size()) / w.rate : 0; }

// A TLS connection to the MCU's SIP port, as a room system would open: raw bytes both ways.
class TlsClient {
 public:
  TlsClient(uint16_t port, X509* trusted) {
    // Writing to a connection the MCU has closed must fail, not kill the test (SIGPIPE).
    std::signal(SIGPIPE, SIG_IGN);
    ctx_ = SSL_CTX_new(TLS_client_method());
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx_), trusted);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_clear_mode(ctx_, SSL_MODE_AUTO_RETRY);
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    ssl_ = SSL_new(ctx_);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    local_port_ = ntohs(a.sin_port);
    SSL_set_fd(ssl_, fd_);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), "127.0.0.1");
    ok_ = SSL_connect(ssl_) == 1;
  }
  ~TlsClient() {
    SSL_free(ssl_);
    close(fd_);
    SSL_CTX_free(ctx_);
  }
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  bool ok() const { return ok_; }
  uint16_t local_port() const { return local_port_; }
  bool closed() const { return closed_; }
  // False once the MCU has closed the connection (a write may still pass before it notices).
  bool Send(const std::string& bytes) {
    for (size_t off = 0; off < bytes.size();) {
      int n = SSL_write(ssl_, bytes.data() + off,
                        static_cast<int>(std::min<size_t>(bytes.size() - off, 16384)));
      if (n <= 0) return !(closed_ = true);
      off += static_cast<size_t>(n);
    }
    return true;
  }
  // Reads until `done(everything read so far)` holds, the MCU closes the connection, or the
  // timeout passes (0: what has arrived already); returns everything read.
  template <typename Done>
  std::string ReadUntil(Done done, milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[16384];
    while (!closed_ && !done(read_)) {
      if (SSL_pending(ssl_) == 0) {
        const auto left =
            std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(std::clamp<int64_t>(left.count(), 0, 50))) <= 0) {
          if (left.count() <= 0) break;
          continue;
        }
      }
      int n = SSL_read(ssl_, buf, sizeof buf);
      if (n > 0) {
        read_.append(buf, static_cast<size_t>(n));
      } else {
        int e = SSL_get_error(ssl_, n);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) closed_ = true;
      }
    }
    return read_;
  }
  // What has arrived by now, without waiting.
  std::string ReadAvailable() {
    return ReadUntil([](const std::string&) { return false; }, milliseconds(0));
  }

 private:
  SSL_CTX* ctx_;
  SSL* ssl_;
  int fd_;
  bool ok_ = false, closed_ = false;
  uint16_t local_port_ = 0;
  std::string read_;
};

// The SIP messages in a byte stream, each its head and its Content-Length of body, in order.
std::vector<TracedMessage> ParseStream(const std::string& stream) {
  std::vector<TracedMessage> out;
  for (size_t at = 0; at < stream.size();) {
    size_t end = stream.find("\r\n\r\n", at);
    if (end == std::string::npos) break;
    TracedMessage m;
    std::string head = stream.substr(at, end - at);
    size_t eol = head.find("\r\n");
    m.first_line = head.substr(0, eol);
    m.headers = eol == std::string::npos ? "" : head.substr(eol + 2);
    std::string cl = m.Header("Content-Length");
    m.body = stream.substr(end + 4, cl.empty() ? 0 : std::stoul(cl));
    at = end + 4 + m.body.size();
    out.push_back(std::move(m));
  }
  return out;
}

std::string Status(const TracedMessage& m) {
  return m.first_line.rfind("SIP/2.0 ", 0) == 0 ? m.first_line.substr(8, 3) : "";
}

// The final response (not 1xx) to the request with this CSeq ("1 INVITE"), or null.
const TracedMessage* FinalTo(const std::vector<TracedMessage>& messages, const std::string& cseq) {
  for (const auto& m : messages)
    if (!Status(m).empty() && Status(m)[0] != '1' && m.Header("CSeq") == cseq) return &m;
  return nullptr;
}

// A request of SIPp's room (From sip:room-a@127.0.0.1: the site sipp-room) on a TLS connection
// of our own whose local port is `local_port`.
struct Request {
  std::string method, uri, branch, call_id, to_tag, body;
  int cseq = 1;
  uint16_t local_port = 0;
  bool with_call_id = true;
  size_t padding = 0;  // A header of this many bytes.
  std::string Text() const {
    const std::string lp = std::to_string(local_port);
    std::string t =
        method + " " + uri + " SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:" + lp + ";branch=" + branch +
        "\r\nFrom: \"Room A\" <sip:room-a@127.0.0.1:" + lp + ">;tag=from-" + call_id +
        "\r\nTo: <sip:mix@127.0.0.1>" + (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\n" +
        (with_call_id ? "Call-ID: " + call_id + "\r\n" : "") + "CSeq: " + std::to_string(cseq) +
        " " + method + "\r\nContact: <sip:room-a@127.0.0.1:" + lp +
        ";transport=tls>\r\nMax-Forwards: 70\r\n";
    if (padding) t += "X-Padding: " + std::string(padding, 'x') + "\r\n";
    if (!body.empty()) t += "Content-Type: application/sdp\r\n";
    return t + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
};

// A new request (its branch from its Call-ID), CSeq 1.
Request MakeRequest(const std::string& method, const std::string& uri, const std::string& call_id,
                    uint16_t local_port, const std::string& body = "") {
  Request r;
  r.method = method;
  r.uri = uri;
  r.branch = "z9hG4bK-" + call_id;
  r.call_id = call_id;
  r.body = body;
  r.local_port = local_port;
  return r;
}

// An SRTP offer the MCU accepts: G.722 with AES_CM_128_HMAC_SHA1_80 (no MKI, lifetime 2^31).
const std::string kRoomOffer =
    "v=0\r\no=room 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 49170 RTP/SAVP 9\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31\r\n"
    "a=rtpmap:9 G722/8000\r\n";

// The URI in a Contact header value ("<sip:mix@127.0.0.1:5061;transport=tls>;expires=..").
std::string ContactUri(const std::string& contact) {
  size_t lt = contact.find('<'), gt = contact.find('>');
  return lt != std::string::npos && gt != std::string::npos ? contact.substr(lt + 1, gt - lt - 1)
                                                            : contact;
}

// The tag parameter of a To header value.
std::string TagOf(const std::string& to) {
  size_t at = to.find(";tag=");
  if (at == std::string::npos) return "";
  std::string tag = to.substr(at + 5);
  return tag.substr(0, tag.find_first_of(";> "));
}

// TCP sockets on loopback whose local port is `port` (the MCU's SIP port) in CLOSE-WAIT: the
// peer has closed, the owner has not (/proc/net/tcp).
size_t ClosingSocketsOn(uint16_t port) {
  std::istringstream in(ReadFile("/proc/net/tcp"));
  std::string line;
  std::getline(in, line);  // The header.
  size_t n = 0;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string slot, local, remote, state;
    f >> slot >> local >> remote >> state;
    const size_t colon = local.find(':');
    if (colon != std::string::npos && std::stoul(local.substr(colon + 1), nullptr, 16) == port &&
        state == "08")
      ++n;
  }
  return n;
}

// Malformed messages a room system (or an attacker) may send on its TLS connection.
struct Malformed {
  std::string id, name;
  std::optional<Request> request;  // None: garbage.
  std::string Text(uint16_t local_port) const {
    if (!request)
      return std::string("\x01\x02\xff\xfe binary noise\r\n\r\n", 20) + "NOT SIP AT ALL\r\n\r\n";
    Request r = *request;
    r.local_port = local_port;
    return r.Text();
  }
};

std::vector<Malformed> MalformedMessages(const std::string& mix_uri) {
  Request no_call_id = MakeRequest("INVITE", mix_uri, "no-call-id", 0, kRoomOffer);
  no_call_id.with_call_id = false;
  Request oversized = MakeRequest("INVITE", mix_uri, "oversized", 0, kRoomOffer);
  oversized.padding = 70 * 1024;  // The agent's limit is 64 KiB.
  return {{"garbage", "garbage", std::nullopt},
          {"no_call_id", "an INVITE without Call-ID", no_call_id},
          {"oversized", "a message over 64 KiB", oversized}};
}

// Every IPv4 TCP and UDP packet on loopback with its ports and payload, each once (the kernel
// shows a loopback packet as sent and as received: the sent copy is skipped). AF_PACKET, as
// tests/support/capture.h (which counts UDP only): root or CAP_NET_RAW.
class WireCapture {
 public:
  struct Packet {
    bool tcp = false;
    uint16_t src = 0, dst = 0;
    uint32_t seq = 0;  // TCP: the sequence number of the payload's first byte.
    std::string payload;
  };

  WireCapture() {
    fd_ = OpenLoopbackPacketSocket(&error_);
    if (fd_ < 0) return;
    int buffer = 8 << 20;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    thread_ = std::thread([this] { Run(); });
  }
  ~WireCapture() { Stop(); }
  WireCapture(const WireCapture&) = delete;
  WireCapture& operator=(const WireCapture&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // UDP datagrams from port `src` to port `dst` so far.
  size_t UdpCount(uint16_t src, uint16_t dst) {
    std::lock_guard lock(mu_);
    auto it = udp_counts_.find({src, dst});
    return it == udp_counts_.end() ? 0 : it->second;
  }
  std::vector<Packet> Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    std::lock_guard lock(mu_);
    return packets_;
  }

 private:
  void Run() {
    std::vector<uint8_t> buf(65536);
    while (!stop_) {
      sockaddr_ll from{};
      socklen_t from_len = sizeof from;
      ssize_t n =
          recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n < 20 || from.sll_pkttype == PACKET_OUTGOING) continue;
      const auto* ip = reinterpret_cast<const iphdr*>(buf.data());
      const size_t ip_len = std::min<size_t>(ntohs(ip->tot_len), static_cast<size_t>(n));
      const size_t ihl = ip->ihl * 4u;
      Packet p;
      size_t header = 0;
      if (ip->protocol == IPPROTO_UDP && ip_len >= ihl + sizeof(udphdr)) {
        const auto* udp = reinterpret_cast<const udphdr*>(buf.data() + ihl);
        p.src = ntohs(udp->source), p.dst = ntohs(udp->dest);
        header = ihl + sizeof(udphdr);
      } else if (ip->protocol == IPPROTO_TCP && ip_len >= ihl + sizeof(tcphdr)) {
        const auto* tcp = reinterpret_cast<const tcphdr*>(buf.data() + ihl);
        p.tcp = true;
        p.src = ntohs(tcp->source), p.dst = ntohs(tcp->dest);
        p.seq = ntohl(tcp->seq);
        header = ihl + tcp->doff * 4u;
      } else {
        continue;
      }
      if (header >= ip_len) continue;  // No payload (a bare TCP ACK).
      p.payload.assign(reinterpret_cast<const char*>(buf.data()) + header, ip_len - header);
      std::lock_guard lock(mu_);
      if (!p.tcp) ++udp_counts_[{p.src, p.dst}];
      if (packets_.size() < 500000) packets_.push_back(std::move(p));
    }
  }

  int fd_ = -1;
  std::string error_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Packet> packets_;                                 // Guarded by mu_.
  std::map<std::pair<uint16_t, uint16_t>, size_t> udp_counts_;  // Guarded by mu_.
  std::thread thread_;
};

// What `src` sent to `dst` over TCP, its segments in sequence order; `gap` set if one is missing.
std::string TcpStream(const std::vector<WireCapture::Packet>& packets, uint16_t src, uint16_t dst,
                      bool* gap) {
  std::vector<const WireCapture::Packet*> segments;
  for (const auto& p : packets)
    if (p.tcp && p.src == src && p.dst == dst) segments.push_back(&p);
  if (segments.empty()) return "";
  const uint32_t first = segments.front()->seq;  // The capture began before the connection.
  std::stable_sort(segments.begin(), segments.end(), [&](auto* a, auto* b) {
    return a->seq - first < b->seq - first;  // Modulo 2^32.
  });
  std::string out;
  for (const auto* p : segments) {
    const uint32_t at = p->seq - first;
    if (at > out.size()) *gap = true;
    if (at + p->payload.size() > out.size() && at <= out.size())
      out += p->payload.substr(out.size() - at);
  }
  return out;
}

// Reads `stream` as TLS records (type, version 3.x, length), counting them by content type; the
// last one may be cut by the end of the capture. False, with `why`, at the first byte that does
// not start a record.
bool TlsRecords(const std::string& stream, std::map<int, int>* types, std::string* why) {
  size_t at = 0;
  while (at + 5 <= stream.size()) {
    const auto type = static_cast<uint8_t>(stream[at]);
    const auto major = static_cast<uint8_t>(stream[at + 1]);
    const size_t len = (static_cast<size_t>(static_cast<uint8_t>(stream[at + 3])) << 8) |
                       static_cast<uint8_t>(stream[at + 4]);
    if (type < 20 || type > 23 || major != 3 || len > 16384 + 2048) {
      *why = "byte " + std::to_string(at) + " of " + std::to_string(stream.size()) +
             " starts no TLS record: " + stream.substr(at, 40);
      return false;
    }
    if (at + 5 + len > stream.size()) break;
    ++(*types)[type];
    at += 5 + len;
  }
  return true;
}

// The audio RTP and RTCP ports of the SDP logged (at debug, keys redacted) after `label`:
// "SIP call 1: offer:" (the room's), "SIP call 1: our SDP:" (the MCU's). {0, 0} if not there.
std::pair<uint16_t, uint16_t> AudioPorts(const std::string& log, const std::string& label) {
  size_t at = log.find(label);
  if (at == std::string::npos) return {0, 0};
  std::string sdp = log.substr(at + label.size());
  sdp = sdp.substr(0, sdp.find("\n20"));  // The next log line ("2026-...").
  std::smatch m;
  if (!std::regex_search(sdp, m, std::regex("m=audio ([0-9]+) "))) return {0, 0};
  const auto rtp = static_cast<uint16_t>(std::stoi(m[1].str()));
  if (sdp.find("a=rtcp-mux") != std::string::npos) return {rtp, rtp};
  if (std::regex_search(sdp, m, std::regex("a=rtcp:([0-9]+)")))
    return {rtp, static_cast<uint16_t>(std::stoi(m[1].str()))};
  return {rtp, static_cast<uint16_t>(rtp + 1)};
}

// RTP: the header's length (fixed part, CSRCs, extension); 0 if it is no RTP header.
size_t RtpHeaderLength(const std::string& p) {
  if (p.size() < 12 || (static_cast<uint8_t>(p[0]) >> 6) != 2) return 0;
  size_t n = 12 + 4 * (static_cast<uint8_t>(p[0]) & 0x0f);
  if (p[0] & 0x10) {
    if (p.size() < n + 4) return 0;
    n += 4 + 4 * ((static_cast<size_t>(static_cast<uint8_t>(p[n + 2])) << 8) |
                  static_cast<uint8_t>(p[n + 3]));
  }
  return n <= p.size() ? n : 0;
}

// G.711 µ-law, both ways: what a plaintext PCMU payload would sound like, and the control that
// proves the tone would be found in one.
int16_t FromUlaw(uint8_t u) {
  u = static_cast<uint8_t>(~u);
  int t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return static_cast<int16_t>((u & 0x80) ? 0x84 - t : t - 0x84);
}
uint8_t ToUlaw(int16_t pcm) {
  const int sign = pcm < 0 ? 0x80 : 0;
  int v = std::min(std::abs(static_cast<int>(pcm)), 32635) + 0x84;
  int exponent = 7;
  for (int mask = 0x4000; (v & mask) == 0 && exponent > 0; mask >>= 1) --exponent;
  return static_cast<uint8_t>(~(sign | (exponent << 4) | ((v >> (exponent + 3)) & 0x0f)));
}
Wav DecodeUlaw(const std::string& bytes) {
  Wav w;
  w.rate = 8000;
  for (char c : bytes) w.samples.push_back(FromUlaw(static_cast<uint8_t>(c)));
  return w;
}

class SipWire : public ::testing::Test {
 protected:
  // Runs one SIPp scenario as the room system "sipp-room" (or whoever the scenario's From says)
  // over TLS, through the relay, calling `service` on the MCU.
  SippRun Sipp(const std::string& scenario, const std::string& service,
               std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"127.0.0.1:" + std::to_string(relay_->port()),
                                     "-sf",
                                     kScenarioDir + scenario + ".xml",
                                     "-t",
                                     "t1",
                                     "-i",
                                     "127.0.0.1",
                                     "-s",
                                     service,
                                     "-key",
                                     "via_transport",
                                     "TLS"};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::Sipp(args, dir_.path(), scenario + "-" + std::to_string(++runs_)).Finish();
  }

  TempDir dir_{"mcu-sip-wire"};
  std::unique_ptr<TlsRelay> relay_;
  int runs_ = 0;
};

// The final responses SIPp received to requests of `method` (by CSeq), in order: "200", "487".
std::vector<std::string> FinalStatuses(const SippRun& run, const std::string& method) {
  std::vector<std::string> out;
  for (const auto& m : run.messages) {
    if (m.sent || m.first_line.rfind("SIP/2.0 ", 0) != 0) continue;
    std::string code = m.first_line.substr(8, 3);
    std::string cseq = m.Header("CSeq");
    if (code[0] != '1' && cseq.substr(cseq.find(' ') + 1) == method) out.push_back(code);
  }
  return out;
}

TEST_F(SipWire, ScenariosLeaveTheMcuAnsweringAndTheConferenceHearingItself) {
  const int sip_port = FreePort();
  McuProcess mcu(WithSipSites(sip_port));
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  auto cert = McuCertificate(mcu);
  ASSERT_TRUE(cert);
  relay_ = std::make_unique<TlsRelay>(sip_port, cert->x509());

  SiteMedia local;
  ASSERT_TRUE(local.ok());
  AudioSite web(&local.loop, local.dtls, mcu, "demo-tinh-1", kWebRtcTone);
  ASSERT_TRUE(web.Join("mix")) << web.error();
  ASSERT_TRUE(web.WaitConnected());
  SipRoom room({.codec = "G722/16000/1", .tone_hz = kRoomTone});
  room.Dial("mix", sip_port);
  auto web_hears_room = [](const Wav& w) { return ToneShare(w, kRoomTone) > 0.08; };
  ASSERT_TRUE(web.WaitHearing(web_hears_room, seconds(15)))
      << "the WebRTC site does not hear the SIP room\n"
      << room.Log() << mcu.Log();

  // After each step: OPTIONS answered, and the room and the WebRTC site hear each other (the
  // room over two seconds it recorded after the step) and never themselves.
  auto conference_goes_on = [&](const std::string& step) {
    SCOPED_TRACE("after " + step);
    // The per-source limit may still hold the flood's source: OPTIONS again until it is lifted.
    SippRun options;
    EXPECT_TRUE(WaitUntil(
        [&] {
          options = Sipp("options", "mix");
          return options.exit_code == 0;
        },
        seconds(15), milliseconds(200)))
        << options.log;
    EXPECT_EQ(options.Received("SIP/2.0 200"), 1);
    EXPECT_TRUE(web.WaitHearing(web_hears_room, seconds(10)))
        << "the WebRTC site no longer hears the room\n"
        << mcu.Log();
    const double from = Seconds(RoomHeardSoFar(room));
    Wav last;
    EXPECT_TRUE(WaitUntil(
        [&] {
          Wav w = RoomHeardSoFar(room);
          if (Seconds(w) < from + 2) return false;
          last = Slice(w, Seconds(w) - 2, Seconds(w));
          return ToneShare(last, kWebRtcTone) > 0.08;
        },
        seconds(15), milliseconds(200)))
        << "the room no longer hears the WebRTC site (share " << ToneShare(last, kWebRtcTone)
        << ")\n"
        << room.Log();
    EXPECT_LT(ToneShare(last, kRoomTone), 0.01) << "the room hears itself";
    Wav heard_web = web.Record(1);
    EXPECT_LT(ToneShare(heard_web, kWebRtcTone), 0.01) << "the WebRTC site hears itself";
    EXPECT_TRUE(mcu.process().Running());
  };
  conference_goes_on("the room joined");

  // The roll-call shows how the room's call is signalled; the console's feed, from now on, what
  // happens in the SIP calls.
  RestClient tech(mcu.port(), mcu.ca());
  ASSERT_TRUE(tech.Login("kythuat", kTechnicianPassword));
  const auto roll = tech.Call("GET", "/api/v1/conferences/mix/roll-call");
  ASSERT_EQ(roll.status, 200) << roll.text;
  std::string signalling;
  for (const auto& s : roll.body["sites"])
    if (s["site"] == "phong-sip" && s["signalling"].is_string())
      signalling = s["signalling"].get<std::string>();
  EXPECT_EQ(signalling, "tls") << roll.text;
  TestWs feed("wss://127.0.0.1:" + std::to_string(mcu.port()) + "/api/v1/events", mcu.ca(),
              "mcu_session=" + tech.cookie());
  ASSERT_TRUE(feed.Open());
  ASSERT_TRUE(feed.WaitFor("hello"));

  {  // A delayed offer: our offer in the 200, the answer in the ACK, then the room's BYE.
    SippRun run = Sipp("mix_delayed_offer", "mix");
    ASSERT_EQ(run.exit_code, 0) << run.log << mcu.Log();
    const TracedMessage* invite = run.First(true, "INVITE");
    ASSERT_NE(invite, nullptr);
    EXPECT_EQ(invite->body, "");
    const TracedMessage* ok = run.First(false, "SIP/2.0 200");
    ASSERT_NE(ok, nullptr);
    EXPECT_EQ(ok->Header("Content-Type"), "application/sdp");
    EXPECT_NE(ok->body.find("m=audio "), std::string::npos) << ok->body;
    const TracedMessage* ack = run.First(true, "ACK");
    ASSERT_NE(ack, nullptr);
    EXPECT_NE(ack->body.find("m=audio 49180"), std::string::npos);
    EXPECT_EQ(FinalStatuses(run, "BYE"), std::vector<std::string>{"200"});
    // The bridge took the ACK's answer: SRTP G.722 to its port.
    EXPECT_NE(mcu.Log().find("SIPp room is a SIP leg: G722 (payload type 9), no video, RTP/SAVP "
                             "to 127.0.0.1:49180, AES_CM_128_HMAC_SHA1_80"),
              std::string::npos)
        << mcu.Log();
    EXPECT_EQ(mcu.Log().find("answer refused"), std::string::npos) << mcu.Log();
    conference_goes_on("a delayed offer");
  }
  {  // An SDP-less re-INVITE in a call: the same SDP as the first 200, byte for byte.
    SippRun run = Sipp("mix_reinvite", "mix");
    ASSERT_EQ(run.exit_code, 0) << run.log << mcu.Log();
    std::vector<std::string> bodies = run.InviteOkBodies();
    ASSERT_EQ(bodies.size(), 2u);
    EXPECT_NE(bodies[0].find("m=audio "), std::string::npos) << bodies[0];
    EXPECT_NE(bodies[0].find("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"), std::string::npos);
    EXPECT_EQ(bodies[1], bodies[0]) << "same keys, same o= version: nothing changed";
    EXPECT_EQ(FinalStatuses(run, "BYE"), std::vector<std::string>{"200"});
    // The feed tells of it (the room's own re-INVITEs, if any, apart).
    std::optional<nlohmann::json> shown;
    while ((shown = feed.WaitFor("sip")) && (*shown)["site"] != "sipp-room") {
    }
    ASSERT_TRUE(shown) << "no re-INVITE on the console's feed\n" << mcu.Log();
    EXPECT_EQ((*shown)["conference"], "mix");
    EXPECT_EQ((*shown)["method"], "INVITE");
    EXPECT_EQ((*shown)["offer"], false);
    EXPECT_EQ((*shown)["detail"], "re-INVITE without SDP");
    conference_goes_on("an SDP-less re-INVITE");
  }
  {  // Session-Expires: 30, below Min-SE: 422 with Min-SE: 90 (the scenario checks it).
    SippRun run = Sipp("session_too_small", "mix");
    ASSERT_EQ(run.exit_code, 0) << run.log;
    const TracedMessage* r = run.First(false, "SIP/2.0 422");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->Header("Min-SE"), "90");
    EXPECT_EQ(FinalStatuses(run, "INVITE"), std::vector<std::string>{"422"});
    conference_goes_on("a Session-Expires below Min-SE");
  }
  // A CANCEL right after its INVITE, in the same TLS write, so that it crosses the MCU's answer.
  // SIPp cannot send it so (it reads its socket between two sends, and a response that comes
  // then is unexpected), hence a TLS connection of our own. Whatever the MCU answers, the dialog
  // ends cleanly: 487 to the INVITE and 200 to the CANCEL, then our ACK; or 200 to the INVITE
  // (and 200 or 481 to the CANCEL), then our ACK and our BYE, answered 200. A few times, for
  // either order.
  const std::string mix_uri = "sip:mix@127.0.0.1:" + std::to_string(sip_port);
  std::map<std::string, int> crossings;  // The INVITE's final status -> times.
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE("CANCEL crossing " + std::to_string(i));
    TlsClient c(sip_port, cert->x509());
    ASSERT_TRUE(c.ok());
    Request invite =
        MakeRequest("INVITE", mix_uri, "cross-" + std::to_string(i), c.local_port(), kRoomOffer);
    Request cancel = invite;
    cancel.method = "CANCEL";
    cancel.body.clear();
    ASSERT_TRUE(c.Send(invite.Text() + cancel.Text()));
    auto answered = [](const std::string& s) {
      auto m = ParseStream(s);
      return FinalTo(m, "1 INVITE") && FinalTo(m, "1 CANCEL");
    };
    std::vector<TracedMessage> got = ParseStream(c.ReadUntil(answered, seconds(10)));
    const TracedMessage* to_invite = FinalTo(got, "1 INVITE");
    const TracedMessage* to_cancel = FinalTo(got, "1 CANCEL");
    ASSERT_TRUE(to_invite && to_cancel) << "no final answer to the INVITE or the CANCEL\n"
                                        << mcu.Log();
    ++crossings[Status(*to_invite)];
    Request ack = invite;
    ack.method = "ACK";
    ack.body.clear();
    ack.to_tag = TagOf(to_invite->Header("To"));
    if (Status(*to_invite) == "200") {
      EXPECT_TRUE(Status(*to_cancel) == "200" || Status(*to_cancel) == "481")
          << to_cancel->first_line;
      ack.uri = ContactUri(to_invite->Header("Contact"));
      ack.branch += "-ack";
      Request bye = ack;
      bye.method = "BYE";
      bye.branch = invite.branch + "-bye";
      bye.cseq = 2;
      ASSERT_TRUE(c.Send(ack.Text() + bye.Text()));
      auto bye_answered = [](const std::string& s) { return FinalTo(ParseStream(s), "2 BYE"); };
      got = ParseStream(c.ReadUntil(bye_answered, seconds(10)));
      const TracedMessage* to_bye = FinalTo(got, "2 BYE");
      ASSERT_NE(to_bye, nullptr) << "no answer to the BYE\n" << mcu.Log();
      EXPECT_EQ(Status(*to_bye), "200") << to_bye->first_line;
    } else {
      EXPECT_EQ(Status(*to_invite), "487") << to_invite->first_line;
      EXPECT_EQ(Status(*to_cancel), "200") << to_cancel->first_line;
      ASSERT_TRUE(c.Send(ack.Text()));  // The ACK of a non-2xx: the INVITE's branch.
    }
    EXPECT_FALSE(c.closed());
  }
  for (const auto& [status, n] : crossings) RecordProperty("cancel_crossing_" + status, n);
  // Every connection of SIPp's room to the bridge is gone: no call was left behind.
  EXPECT_TRUE(WaitUntil(
      [&] {
        const std::string log = mcu.Log();
        return Occurrences(log, "site sipp-room authenticated") ==
               Occurrences(log, "site sipp-room disconnected");
      },
      seconds(10)))
      << mcu.Log();
  conference_goes_on("CANCELs crossing the answer");

  // Malformed messages (garbage, an INVITE without Call-ID, a message over the agent's 64 KiB),
  // each on a TLS connection of its own: what comes back is an error (4xx, 5xx) or nothing, never
  // a call; none reaches the bridge. (Whether the connection is then closed or still answers is
  // SipWire.AMalformedMessageLeavesNoDeafConnection.)
  const size_t invites_before = Occurrences(mcu.Log(), ": INVITE mix from");
  for (const Malformed& m : MalformedMessages(mix_uri)) {
    SCOPED_TRACE(m.name);
    TlsClient c(sip_port, cert->x509());
    ASSERT_TRUE(c.ok());
    c.Send(m.Text(c.local_port()));
    conference_goes_on(m.name);
    std::string seen;
    for (const auto& r : ParseStream(c.ReadAvailable())) {
      seen += r.first_line + " (" + r.Header("CSeq") + "); ";
      EXPECT_TRUE(Status(r)[0] == '4' || Status(r)[0] == '5' || Status(r) == "100")
          << "what came back to " << m.name << ": " << r.first_line;
    }
    RecordProperty("malformed_" + m.id,
                   seen + (c.closed() ? "connection closed" : "connection open"));
  }
  EXPECT_EQ(Occurrences(mcu.Log(), ": INVITE mix from"), invites_before)
      << "a malformed INVITE reached the bridge\n"
      << mcu.Log();

  {  // An INVITE flood from one source, a caller that is no site: 503 over the limit, else 403.
    SippRun run = Sipp("invite_flood", "mix", {"-m", "60", "-r", "200", "-l", "60"});
    ASSERT_EQ(run.exit_code, 0) << run.log;
    const int refused = run.Received("SIP/2.0 503");
    const int forbidden = run.Received("SIP/2.0 403");
    EXPECT_EQ(refused + forbidden, 60);
    EXPECT_GE(refused, 20);
    EXPECT_GE(forbidden, 1);
    const TracedMessage* busy = run.First(false, "SIP/2.0 503");
    ASSERT_NE(busy, nullptr);
    EXPECT_EQ(busy->Header("Retry-After"), "5");
    conference_goes_on("an INVITE flood");
  }

  // The room's whole call: it heard the WebRTC site to the end.
  Wav heard_room;
  ASSERT_TRUE(room.StopAndReadHeard(&heard_room)) << room.Log();
  Wav tail = Slice(heard_room, Seconds(heard_room) - 2.2, Seconds(heard_room) - 0.2);
  EXPECT_GT(ToneShare(tail, kWebRtcTone), 0.08) << "the SIP room does not hear the WebRTC site";
  EXPECT_LT(ToneShare(tail, kRoomTone), 0.01) << "the SIP room hears itself";
  EXPECT_TRUE(mcu.process().Running());
}

// The room system's call on the wire: its SIP is TLS from the first byte, its RTP is SRTP both
// ways, and nothing of its SIP or SDP, nor its sound, is readable anywhere on loopback.
TEST_F(SipWire, TheSipLegIsTlsAndSrtpOnTheWire) {
  const int sip_port = FreePort();
  // At debug the MCU logs the call's SDP (keys redacted): where the SIP leg's media go.
  McuProcess mcu(WithSipSites(sip_port, "debug"));
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  SiteMedia local;
  ASSERT_TRUE(local.ok());
  AudioSite web(&local.loop, local.dtls, mcu, "demo-tinh-1", kWebRtcTone);
  ASSERT_TRUE(web.Join("mix")) << web.error();
  ASSERT_TRUE(web.WaitConnected());

  WireCapture capture;  // Before the room dials: its TLS handshake is on the wire too.
  ASSERT_TRUE(capture.ok()) << capture.error();
  // G.711 µ-law: a plaintext payload would be the room's samples, byte for byte.
  SipRoom room({.codec = "PCMU/8000/1", .tone_hz = kRoomTone});
  room.Dial("mix", sip_port);
  ASSERT_TRUE(
      web.WaitHearing([](const Wav& w) { return ToneShare(w, kRoomTone) > 0.08; }, seconds(15)))
      << "the WebRTC site does not hear the SIP room\n"
      << room.Log() << mcu.Log();

  const std::string log = mcu.Log();
  const auto room_ports = AudioPorts(log, "SIP call 1: offer:");
  const auto mcu_ports = AudioPorts(log, "SIP call 1: our SDP:");
  const uint16_t room_rtp = room_ports.first, room_rtcp = room_ports.second;
  const uint16_t mcu_rtp = mcu_ports.first, mcu_rtcp = mcu_ports.second;
  ASSERT_TRUE(room_rtp && mcu_rtp) << log;
  auto has_port = [](pid_t pid, uint16_t port) {
    auto sockets = UdpSocketsOf(pid);
    return std::any_of(sockets.begin(), sockets.end(), [&](auto& s) { return s.port == port; });
  };
  EXPECT_TRUE(has_port(room.process()->pid(), room_rtp)) << "the room's RTP port " << room_rtp;
  EXPECT_TRUE(has_port(mcu.process().pid(), mcu_rtp)) << "the MCU's RTP port " << mcu_rtp;
  // Three seconds of the call's media, both ways.
  ASSERT_TRUE(WaitUntil(
      [&] {
        return capture.UdpCount(room_rtp, mcu_rtp) >= 150 &&
               capture.UdpCount(mcu_rtp, room_rtp) >= 150;
      },
      seconds(15)))
      << "room->MCU " << capture.UdpCount(room_rtp, mcu_rtp) << ", MCU->room "
      << capture.UdpCount(mcu_rtp, room_rtp) << " datagrams";
  const std::vector<WireCapture::Packet> packets = capture.Stop();

  // The room heard the WebRTC site through that SRTP: the media seen below are the call's.
  Wav heard_room;
  ASSERT_TRUE(room.StopAndReadHeard(&heard_room)) << room.Log();
  Wav tail = Slice(heard_room, Seconds(heard_room) - 2.2, Seconds(heard_room) - 0.2);
  EXPECT_GT(ToneShare(tail, kWebRtcTone), 0.08) << "the SIP room does not hear the WebRTC site";

  // Nothing of SIP or SDP in clear, anywhere on loopback.
  for (const char* needle : {"INVITE sip:", "SIP/2.0", "a=crypto", "inline:"}) {
    size_t hits = 0;
    std::string where;
    for (const auto& p : packets)
      if (p.payload.find(needle) != std::string::npos)
        ++hits,
            where = (p.tcp ? "TCP " : "UDP ") + std::to_string(p.src) + ">" + std::to_string(p.dst);
    EXPECT_EQ(hits, 0u) << "\"" << needle << "\" in clear on loopback, last " << where;
  }

  // The SIP connection(s) to the MCU's port: TLS records both ways, from the first byte.
  std::set<uint16_t> clients;  // The room's ports connected to the MCU's SIP port.
  for (const auto& p : packets)
    if (p.tcp && p.dst == sip_port) clients.insert(p.src);
  ASSERT_FALSE(clients.empty()) << "no TCP to the MCU's SIP port was captured";
  for (const uint16_t client : clients) {
    SCOPED_TRACE("the SIP connection from port " + std::to_string(client));
    for (const bool up : {true, false}) {
      bool gap = false;
      const std::string stream =
          up ? TcpStream(packets, client, static_cast<uint16_t>(sip_port), &gap)
             : TcpStream(packets, static_cast<uint16_t>(sip_port), client, &gap);
      EXPECT_FALSE(gap) << "a TCP segment was not captured";
      std::map<int, int> types;
      std::string why;
      EXPECT_TRUE(TlsRecords(stream, &types, &why)) << (up ? "to" : "from") << " the MCU: " << why;
      ASSERT_FALSE(stream.empty());
      EXPECT_EQ(static_cast<uint8_t>(stream[0]), 22) << "the first record is no handshake";
      EXPECT_GE(types[23], 1) << "no application data (the SIP messages) went "
                              << (up ? "to" : "from") << " the MCU";
    }
  }

  // The SIP leg's RTP, both ways: each packet the RTP header, 20 ms of µ-law (160 bytes) and the
  // 10-byte tag of AES_CM_128_HMAC_SHA1_80; the payload, read as µ-law, is neither tone.
  {  // The check can tell: µ-law of the room's tone, read back, is the tone.
    std::string plain;
    for (int i = 0; i < 8000 * 3; ++i)
      plain += static_cast<char>(
          ToUlaw(static_cast<int16_t>(8000 * std::sin(2 * M_PI * kRoomTone * i / 8000))));
    ASSERT_GT(ToneShare(DecodeUlaw(plain), kRoomTone), 0.3);
  }
  for (const bool from_room : {true, false}) {
    SCOPED_TRACE(from_room ? "room -> MCU" : "MCU -> room");
    const uint16_t src = from_room ? room_rtp : mcu_rtp, dst = from_room ? mcu_rtp : room_rtp;
    size_t rtp = 0, other_length = 0;
    std::string payloads, example;
    for (const auto& p : packets) {
      if (p.tcp || p.src != src || p.dst != dst) continue;
      const auto pt = static_cast<uint8_t>(p.payload.size() > 1 ? p.payload[1] : 0) & 0x7f;
      if (pt >= 72 && pt <= 76) continue;  // RTCP multiplexed (not negotiated here).
      const size_t header = RtpHeaderLength(p.payload);
      ASSERT_GT(header, 0u) << "a datagram that is no RTP";
      ++rtp;
      if (p.payload.size() != header + 160 + 10)
        ++other_length,
            example = std::to_string(header) + "+" + std::to_string(p.payload.size() - header);
      else
        payloads += p.payload.substr(header, 160);
      EXPECT_EQ(pt, 0) << "not PCMU";
    }
    EXPECT_GE(rtp, 150u);
    EXPECT_EQ(other_length, 0u) << "of " << rtp << " packets; one was header+payload " << example;
    Wav as_ulaw = DecodeUlaw(payloads);
    EXPECT_LT(ToneShare(as_ulaw, kRoomTone), 0.01) << "the room's tone is readable on the wire";
    EXPECT_LT(ToneShare(as_ulaw, kWebRtcTone), 0.01) << "the WebRTC tone is readable on the wire";
    RecordProperty(from_room ? "srtp_from_room" : "srtp_to_room", static_cast<int>(rtp));
  }
  // RTCP, what of it went: SRTCP, its E flag set (encrypted) before the 10-byte tag. Except the
  // one RTCP APP "PING" "PONG" baresip sends in clear as RTCP starts, to open a NAT pinhole
  // (its stream.c): the room's, not the MCU's, and it carries only its SSRC.
  size_t rtcp = 0, pinholes = 0;
  for (const auto& p : packets) {
    const bool from_room = p.src == room_rtcp && p.dst == mcu_rtcp;
    const bool to_room = p.src == mcu_rtcp && p.dst == room_rtcp;
    if (p.tcp || !(from_room || to_room) || room_rtcp == room_rtp || p.payload.size() < 8) continue;
    const auto pt = static_cast<uint8_t>(p.payload[1]);
    if (from_room && pt == 204 && p.payload.size() == 16 && p.payload.substr(8) == "PINGPONG") {
      ++pinholes;
      continue;
    }
    ++rtcp;
    EXPECT_TRUE(pt >= 200 && pt <= 204) << "RTCP packet type " << static_cast<int>(pt);
    EXPECT_GE(p.payload.size(), 8u + 4 + 10) << "too short for SRTCP";
    if (p.payload.size() >= 8u + 4 + 10) {
      EXPECT_TRUE(static_cast<uint8_t>(p.payload[p.payload.size() - 14]) & 0x80)
          << "an SRTCP packet without the E flag: RTCP in clear, "
          << (from_room ? "from the room" : "from the MCU");
    }
  }
  EXPECT_LE(pinholes, 1u);
  RecordProperty("srtcp_packets", static_cast<int>(rtcp));
}

// Each malformed message on a TLS connection of its own, followed there by an OPTIONS: the MCU
// either goes on reading the connection (the OPTIONS is answered 200) or closes it, so that the
// room system notices and connects again. A connection the MCU keeps open but no longer reads
// would swallow the room's later requests (its BYE, its session refresh) without a word.
TEST_F(SipWire, AMalformedMessageLeavesNoDeafConnection) {
  const int sip_port = FreePort();
  McuOptions o = WithSipSites(sip_port);
  o.sip_toml = "connection_idle_s = 3\n";  // A connection it stopped reading goes this soon.
  McuProcess mcu(o);
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  auto cert = McuCertificate(mcu);
  ASSERT_TRUE(cert);
  const std::string mix_uri = "sip:mix@127.0.0.1:" + std::to_string(sip_port);
  auto options_answered = [](const std::string& s) {
    return FinalTo(ParseStream(s), "1 OPTIONS") != nullptr;
  };
  for (const Malformed& m : MalformedMessages(mix_uri)) {
    SCOPED_TRACE(m.name);
    TlsClient c(sip_port, cert->x509());
    ASSERT_TRUE(c.ok());
    Request options = MakeRequest("OPTIONS", mix_uri, "after-" + m.id, c.local_port());
    c.Send(m.Text(c.local_port()));
    c.Send(options.Text());
    std::vector<TracedMessage> got = ParseStream(c.ReadUntil(options_answered, seconds(10)));
    std::string seen;
    for (const auto& r : got) {
      seen += r.first_line + " (" + r.Header("CSeq") + "); ";
      if (r.Header("Call-ID") != options.call_id) {
        EXPECT_TRUE(Status(r)[0] == '4' || Status(r)[0] == '5' || Status(r) == "100")
            << "what came back to " << m.name << ": " << r.first_line;
      }
    }
    const TracedMessage* answer = FinalTo(got, "1 OPTIONS");
    EXPECT_TRUE(c.closed() || (answer && Status(*answer) == "200"))
        << "10 s after " << m.name
        << ", the MCU has neither closed the connection nor answered the OPTIONS sent on it after; "
           "what came back: "
        << (seen.empty() ? "nothing" : seen);
    RecordProperty("malformed_" + m.id,
                   seen + (c.closed() ? "connection closed" : "connection still open"));
  }
  // Our side of each of those connections is closed now: the MCU lets go of its side too (no
  // socket left in CLOSE-WAIT on its SIP port, as one it no longer reads would be).
  EXPECT_TRUE(WaitUntil([&] { return ClosingSocketsOn(static_cast<uint16_t>(sip_port)) == 0; },
                        seconds(10)))
      << ClosingSocketsOn(static_cast<uint16_t>(sip_port))
      << " connection(s) to the MCU's SIP port closed by the client are still open in the MCU";
  // A new connection is served.
  TlsClient c(sip_port, cert->x509());
  ASSERT_TRUE(c.ok());
  c.Send(MakeRequest("OPTIONS", mix_uri, "afterwards", c.local_port()).Text());
  std::vector<TracedMessage> got = ParseStream(c.ReadUntil(options_answered, seconds(10)));
  const TracedMessage* answer = FinalTo(got, "1 OPTIONS");
  ASSERT_NE(answer, nullptr);
  EXPECT_EQ(Status(*answer), "200");
}

}  // namespace
}  // namespace mcu::test
