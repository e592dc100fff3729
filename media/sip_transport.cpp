#include "media/sip_transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <nice/interfaces.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include "media/clock.h"

namespace mcu::media {
namespace {

SrtpProfile ProfileOf(sdes::Suite suite) {
  switch (suite) {
    case sdes::Suite::kAesCm128HmacSha1_80:
      return SrtpProfile::kAes128CmSha1_80;
    case sdes::Suite::kAesCm128HmacSha1_32:
      return SrtpProfile::kAes128CmSha1_32;
    case sdes::Suite::kAeadAes128Gcm:
      return SrtpProfile::kAeadAes128Gcm;
    case sdes::Suite::kAeadAes256Gcm:
      return SrtpProfile::kAeadAes256Gcm;
  }
  return SrtpProfile::kNone;
}

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

// A non-blocking UDP socket bound to address:port, or -1.
int BindUdp(const std::string& address, uint16_t port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1 ||
      bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string FirstLocalIpv4() {
  std::string found;
  GList* ips = nice_interfaces_get_local_ips(FALSE);  // Loopback left out.
  for (GList* i = ips; i && found.empty(); i = i->next) {
    std::string ip = static_cast<char*>(i->data);
    if (ip.find(':') == std::string::npos) found = ip;
  }
  g_list_free_full(ips, g_free);
  return found.empty() ? "127.0.0.1" : found;
}

}  // namespace

SipTransport::SipTransport(IoLoop* loop, const TransportConfig& config, Listener* listener)
    : RtpTransport(loop, listener), config_(config) {
  audio_.kind = sdp::Kind::kAudio;
  video_.kind = sdp::Kind::kVideo;
}

SipTransport::~SipTransport() { Close(); }

Status SipTransport::Start(bool video) {
  MCU_DCHECK_ON_IO(loop_);
  address_ = config_.ice_addresses.empty() ? FirstLocalIpv4() : config_.ice_addresses.front();
  if (auto st = Bind(audio_); !st) return st;
  if (video)
    if (auto st = Bind(video_); !st) return st;
  return OkStatus();
}

Status SipTransport::Bind(Channel& c) {
  // RTP on an even port, RTCP on the next (RFC 3550 section 11): the range's even ports in a
  // random order, or random ones above 20000 when no range is configured.
  static thread_local std::mt19937 rng{std::random_device{}()};
  const int lo = config_.port_min ? config_.port_min : 20000;
  const int hi = config_.port_max ? config_.port_max : 59999;
  const int pairs = (hi - lo) / 2;
  if (pairs <= 0) return MakeError(ErrorKind::kInternal, "the media port range is too small");
  const int start = static_cast<int>(rng() % static_cast<unsigned>(pairs));
  for (int i = 0; i < std::min(pairs, 64); ++i) {
    const auto port = static_cast<uint16_t>(lo + (lo % 2) + 2 * ((start + i) % pairs));
    int rtp = BindUdp(address_, port);
    if (rtp < 0) continue;
    int rtcp = BindUdp(address_, port + 1);
    if (rtcp < 0) {
      close(rtp);
      continue;
    }
    c.rtp_fd = rtp;
    c.rtcp_fd = rtcp;
    c.port = port;
    Watch* w = &watches_[(c.kind == sdp::Kind::kVideo ? 2 : 0)];
    w[0] = {this, &c, false};
    w[1] = {this, &c, true};
    c.rtp_source = GRef<GSource>::Adopt(g_unix_fd_source_new(rtp, G_IO_IN));
    c.rtcp_source = GRef<GSource>::Adopt(g_unix_fd_source_new(rtcp, G_IO_IN));
    g_source_set_callback(c.rtp_source.get(), G_SOURCE_FUNC(OnReadable), &w[0], nullptr);
    g_source_set_callback(c.rtcp_source.get(), G_SOURCE_FUNC(OnReadable), &w[1], nullptr);
    g_source_attach(c.rtp_source.get(), loop_->context());
    g_source_attach(c.rtcp_source.get(), loop_->context());
    return OkStatus();
  }
  return MakeError(ErrorKind::kInternal, "no free RTP port pair on " + address_);
}

void SipTransport::Unbind(Channel& c) {
  for (GRef<GSource>* s : {&c.rtp_source, &c.rtcp_source}) {
    if (s->get()) g_source_destroy(s->get());
    s->reset();
  }
  for (int* fd : {&c.rtp_fd, &c.rtcp_fd}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

Status SipTransport::Apply(const std::vector<Medium>& media) {
  MCU_DCHECK_ON_IO(loop_);
  if (closed()) return MakeError(ErrorKind::kInternal, "transport closed");
  for (const Medium& m : media) {
    Channel& c = m.kind == sdp::Kind::kVideo ? video_ : audio_;
    if (c.rtp_fd < 0) return MakeError(ErrorKind::kInternal, "no socket for that medium");
    if (c.active) continue;  // A re-INVITE keeps the keys (re-keying is not supported).
    auto ip = [&](uint16_t port, sockaddr_in& out) {
      out = {};
      out.sin_family = AF_INET;
      out.sin_port = htons(port);
      return inet_pton(AF_INET, m.remote_address.c_str(), &out.sin_addr) == 1;
    };
    if (!ip(m.remote_rtp_port, c.remote_rtp) ||
        !ip(m.rtcp_mux ? m.remote_rtp_port : m.remote_rtcp_port, c.remote_rtcp))
      return MakeError(ErrorKind::kInvalid, "not an IPv4 address: " + m.remote_address);
    SrtpKeys keys{ProfileOf(m.local.suite), Bytes(m.local.key_salt), Bytes(m.remote.key_salt)};
    if (m.local.suite != m.remote.suite)
      return MakeError(ErrorKind::kInvalid, "the two directions use different SRTP suites");
    if (auto st = c.srtp.Init(keys); !st) return st;
    c.rtcp_mux = m.rtcp_mux;
    c.suite = std::string(sdes::ToString(m.local.suite));
    c.active = true;
    for (int pt : m.payload_types) MapPayloadType(pt, m.kind);
    if (m.kind == sdp::Kind::kAudio && m.clock_rate) SetAudioClockRate(m.clock_rate);
    if (m.kind == sdp::Kind::kVideo) set_keyframe_method(m.keyframe);
  }
  applied_us_ = NowUs();
  if (!media_timer_ && config_.sip_media_timeout_s > 0)
    media_timer_ = loop_->AddTimer(1000, [this] {
      CheckMediaTimeout();
      if (!closed() && !failed()) return true;
      media_timer_ = 0;  // Ends with this run.
      return false;
    });
  if (!connected()) {
    StartReports(false);
    Connected();
  }
  return OkStatus();
}

void SipTransport::CheckMediaTimeout() {
  if (closed() || failed()) return;
  const int64_t last = std::max(applied_us_, last_authentic_us());
  if (NowUs() - last < int64_t{config_.sip_media_timeout_s} * 1'000'000) return;
  Fail("no media from the peer for " + std::to_string(config_.sip_media_timeout_s) + " s");
}

gboolean SipTransport::OnReadable(gint fd, GIOCondition, gpointer data) noexcept {
  auto* w = static_cast<Watch*>(data);
  w->transport->Receive(*w->channel, fd, w->rtcp_socket);
  return G_SOURCE_CONTINUE;
}

void SipTransport::Receive(Channel& c, int fd, bool rtcp_socket) {
  // Drain what is there; every datagram goes through the same checks.
  for (int n = 0; n < 64; ++n) {
    uint8_t buf[kMaxDatagram];
    sockaddr_in from{};
    socklen_t from_len = sizeof from;
    ssize_t len =
        recvfrom(fd, buf, sizeof buf, MSG_TRUNC, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (len < 0) return;  // EAGAIN: drained (or an ICMP error for an earlier send).
    if (closed()) continue;
    // Only the host its SDP named, only once keys are set, nothing larger than a datagram.
    if (!c.active || static_cast<size_t>(len) > sizeof buf ||
        from.sin_addr.s_addr != c.remote_rtp.sin_addr.s_addr) {
      CountDropped();
      continue;
    }
    const auto cls = rtp::Classify({buf, static_cast<size_t>(len)});
    if (cls == rtp::PacketClass::kRtcp || (rtcp_socket && cls == rtp::PacketClass::kRtp))
      HandleRtcp(c.kind, buf, static_cast<size_t>(len));
    else if (cls == rtp::PacketClass::kRtp)
      HandleRtp(c.kind, buf, static_cast<size_t>(len));
    else
      CountDropped();
  }
}

void SipTransport::SendDatagram(sdp::Kind kind, bool rtcp, std::span<const uint8_t> bytes) {
  Channel& c = kind == sdp::Kind::kVideo ? video_ : audio_;
  if (!c.active || closed()) return;
  const bool own_socket = rtcp && !c.rtcp_mux;
  const sockaddr_in& to = own_socket ? c.remote_rtcp : c.remote_rtp;
  if (sendto(own_socket ? c.rtcp_fd : c.rtp_fd, bytes.data(), bytes.size(), 0,
             reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0)
    CountDropped();
}

void SipTransport::Close() {
  if (closed()) return;
  if (media_timer_) loop_->CancelTimer(media_timer_);
  media_timer_ = 0;
  StopRtp();
  Unbind(audio_);
  Unbind(video_);
}

void SipTransport::AddTransportStats(TransportStats& s) const {
  s.ice_state = "none";
  s.dtls_state = "none";
  s.srtp_profile = audio_.suite.empty() ? "none" : audio_.suite + " (SDES)";
  char ip[INET_ADDRSTRLEN] = "";
  inet_ntop(AF_INET, &audio_.remote_rtp.sin_addr, ip, sizeof ip);
  s.local_candidate = address_ + ":" + std::to_string(audio_.port) + " rtp";
  s.remote_candidate = std::string(ip) + ":" + std::to_string(ntohs(audio_.remote_rtp.sin_port));
}

}  // namespace mcu::media
