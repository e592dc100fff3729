#include "media/sip_transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <nice/interfaces.h>
#include <spdlog/spdlog.h>
#include <stun/usages/ice.h>
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

// The attributes an ICE check carries (RFC 8445 7.1); a check with another mandatory one is
// refused by the agent.
constexpr uint16_t kStunAttributes[] = {
    STUN_ATTRIBUTE_USERNAME,        STUN_ATTRIBUTE_MESSAGE_INTEGRITY,
    STUN_ATTRIBUTE_FINGERPRINT,     STUN_ATTRIBUTE_PRIORITY,
    STUN_ATTRIBUTE_USE_CANDIDATE,   STUN_ATTRIBUTE_ICE_CONTROLLED,
    STUN_ATTRIBUTE_ICE_CONTROLLING, 0};

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

// One DTLS-SRTP handshake of a channel, on its RTP port (rtcp false) or its own RTCP port.
class SipTransport::DtlsComponent : public DtlsTransport::Listener {
 public:
  DtlsComponent(SipTransport* t, Channel* c, bool rtcp, const sip_sdp::Leg::Dtls& setup)
      : t_(t),
        c_(c),
        rtcp_(rtcp),
        client_(setup.client),
        dtls_(t->dtls_context_, this, setup.remote_fingerprint) {}
  ~DtlsComponent() override {
    if (timer_) t_->loop_->CancelTimer(timer_);
  }
  void Start() {
    dtls_.Start(client_);
    ScheduleTimer();
  }
  void OnDatagram(std::span<const uint8_t> d) {
    dtls_.OnDatagram(d);
    ScheduleTimer();
  }
  void Close() { dtls_.Close(); }
  bool connected() const { return dtls_.state() == DtlsTransport::State::kConnected; }
  std::string_view state() const {
    switch (dtls_.state()) {
      case DtlsTransport::State::kConnected:
        return "connected";
      case DtlsTransport::State::kFailed:
        return "failed";
      case DtlsTransport::State::kClosed:
        return "closed";
      default:
        return "connecting";
    }
  }

  void OnDtlsSend(std::span<const uint8_t> datagram) override { t_->SendTo(*c_, rtcp_, datagram); }
  void OnDtlsConnected(const SrtpKeys& keys) override {
    if (auto st = (rtcp_ ? c_->rtcp_srtp : c_->srtp).Init(keys); !st) {
      t_->Fail("SRTP: " + st.error());
      return;
    }
    if (!rtcp_) c_->suite = std::string(ToString(keys.profile));
    t_->MaybeConnected();
  }
  void OnDtlsFailed(const std::string& reason) override { t_->Fail("DTLS " + reason); }
  void OnDtlsClosed() override { t_->ClosedByPeer(); }

 private:
  void ScheduleTimer() {
    if (timer_) return;
    auto ms = dtls_.NextTimeoutMs();
    if (!ms) return;
    timer_ = t_->loop_->AddTimer(static_cast<unsigned>(std::max<int64_t>(*ms, 1)), [this] {
      timer_ = 0;
      dtls_.OnTimeout();
      ScheduleTimer();
      return false;
    });
  }

  SipTransport* t_;
  Channel* c_;
  bool rtcp_;
  bool client_;
  DtlsTransport dtls_;
  guint timer_ = 0;
};

SipTransport::SipTransport(IoLoop* loop, const TransportConfig& config,
                           std::shared_ptr<DtlsContext> dtls_context, Listener* listener)
    : RtpTransport(loop, listener), config_(config), dtls_context_(std::move(dtls_context)) {
  audio_.kind = sdp::Kind::kAudio;
  video_.kind = sdp::Kind::kVideo;
  stun_agent_init(&stun_, kStunAttributes, STUN_COMPATIBILITY_RFC5389,
                  static_cast<StunAgentUsageFlags>(STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS |
                                                   STUN_AGENT_USAGE_USE_FINGERPRINT));
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
    c.rtcp_mux = m.rtcp_mux;
    c.ice = m.ice;
    if (m.ice) c.ice_username = m.ice->local_ufrag + ":" + m.ice->remote_ufrag;
    if (m.dtls) {
      if (auto st = StartDtls(c, *m.dtls); !st) return st;
    } else {
      SrtpKeys keys{ProfileOf(m.local.suite), Bytes(m.local.key_salt), Bytes(m.remote.key_salt)};
      if (m.local.suite != m.remote.suite)
        return MakeError(ErrorKind::kInvalid, "the two directions use different SRTP suites");
      if (auto st = c.srtp.Init(keys); !st) return st;
      c.suite = std::string(sdes::ToString(m.local.suite)) + " (SDES)";
      c.active = true;
    }
    for (int pt : m.payload_types) MapPayloadType(pt, m.kind);
    if (m.kind == sdp::Kind::kAudio && m.clock_rate) SetAudioClockRate(m.clock_rate);
    if (m.kind == sdp::Kind::kVideo) set_keyframe_method(m.keyframe);
  }
  for (Channel* c : {&audio_, &video_})
    for (auto& d : c->dtls)
      if (d && !c->active) d->Start();
  for (Channel* c : {&audio_, &video_}) c->active = c->active || c->dtls[0];
  applied_us_ = NowUs();
  if (!media_timer_ && config_.sip_media_timeout_s > 0)
    media_timer_ = loop_->AddTimer(1000, [this] {
      CheckMediaTimeout();
      if (!closed() && !failed()) return true;
      media_timer_ = 0;  // Ends with this run.
      return false;
    });
  MaybeConnected();
  return OkStatus();
}

Status SipTransport::StartDtls(Channel& c, const sip_sdp::Leg::Dtls& dtls) {
  if (!dtls_context_) return MakeError(ErrorKind::kInternal, "no DTLS certificate for SIP legs");
  // Started in Apply once every medium is set, so that the first flight finds its address.
  c.dtls[0] = std::make_unique<DtlsComponent>(this, &c, false, dtls);
  if (!c.rtcp_mux) c.dtls[1] = std::make_unique<DtlsComponent>(this, &c, true, dtls);
  return OkStatus();
}

void SipTransport::MaybeConnected() {
  if (connected() || closed() || failed()) return;
  for (const Channel* c : {&audio_, &video_})
    for (const auto& d : c->dtls)
      if (d && !d->connected()) return;
  StartReports(false);
  Connected();
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
    if (!c.active || static_cast<size_t>(len) > sizeof buf) {
      CountDropped();
      continue;
    }
    const auto cls = rtp::Classify({buf, static_cast<size_t>(len)});
    if (cls == rtp::PacketClass::kStun && c.ice) {
      HandleStun(c, fd, rtcp_socket, buf, static_cast<size_t>(len), from);
      continue;
    }
    // Only the host its SDP named (or its nominated candidate).
    if (from.sin_addr.s_addr !=
        (rtcp_socket && !c.rtcp_mux ? c.remote_rtcp : c.remote_rtp).sin_addr.s_addr) {
      CountDropped();
      continue;
    }
    if (cls == rtp::PacketClass::kDtls) {
      if (auto& d = c.dtls[rtcp_socket && !c.rtcp_mux ? 1 : 0])
        d->OnDatagram({buf, static_cast<size_t>(len)});
      else
        CountDropped();
    } else if (cls == rtp::PacketClass::kRtcp || (rtcp_socket && cls == rtp::PacketClass::kRtp))
      HandleRtcp(c.kind, buf, static_cast<size_t>(len));
    else if (cls == rtp::PacketClass::kRtp)
      HandleRtp(c.kind, buf, static_cast<size_t>(len));
    else
      CountDropped();
  }
}

void SipTransport::HandleStun(Channel& c, int fd, bool rtcp_socket, uint8_t* data, size_t len,
                              const sockaddr_in& from) {
  StunDefaultValidaterData credentials[] = {
      {reinterpret_cast<uint8_t*>(c.ice_username.data()), c.ice_username.size(),
       reinterpret_cast<uint8_t*>(c.ice->local_pwd.data()), c.ice->local_pwd.size()},
      {nullptr, 0, nullptr, 0}};
  StunMessage request;
  if (stun_agent_validate(&stun_, &request, data, len, stun_agent_default_validater, credentials) !=
          STUN_VALIDATION_SUCCESS ||
      stun_message_get_class(&request) != STUN_REQUEST ||
      stun_message_get_method(&request) != STUN_BINDING) {
    CountDropped();  // Not a check of this leg's room: wrong credentials, or not a request.
    return;
  }
  uint8_t out[512];
  size_t out_len = sizeof out;
  StunMessage response;
  sockaddr_storage source{};
  std::memcpy(&source, &from, sizeof from);
  bool controlling = false;  // A lite agent is always the controlled one.
  const auto r = stun_usage_ice_conncheck_create_reply(&stun_, &request, &response, out, &out_len,
                                                       &source, sizeof from, &controlling, 0,
                                                       STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
  if (r != STUN_USAGE_ICE_RETURN_SUCCESS && r != STUN_USAGE_ICE_RETURN_ROLE_CONFLICT) {
    CountDropped();
    return;
  }
  sendto(fd, out, out_len, 0, reinterpret_cast<const sockaddr*>(&from), sizeof from);
  if (!stun_usage_ice_conncheck_use_candidate(&request)) return;
  sockaddr_in& remote = rtcp_socket && !c.rtcp_mux ? c.remote_rtcp : c.remote_rtp;
  if (remote.sin_addr.s_addr == from.sin_addr.s_addr && remote.sin_port == from.sin_port) return;
  remote = from;
  if (c.rtcp_mux) c.remote_rtcp = from;
  char ip[INET_ADDRSTRLEN] = "";
  inet_ntop(AF_INET, &from.sin_addr, ip, sizeof ip);
  spdlog::info("ICE-lite: a SIP room nominated {}:{} for its {} {}", ip, ntohs(from.sin_port),
               sdp::ToString(c.kind), rtcp_socket && !c.rtcp_mux ? "RTCP" : "RTP");
}

void SipTransport::SendDatagram(sdp::Kind kind, bool rtcp, std::span<const uint8_t> bytes) {
  Channel& c = kind == sdp::Kind::kVideo ? video_ : audio_;
  if (!c.active || closed()) return;
  SendTo(c, rtcp, bytes);
}

void SipTransport::SendTo(Channel& c, bool rtcp, std::span<const uint8_t> bytes) {
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
  for (Channel* c : {&audio_, &video_}) {
    for (auto& d : c->dtls) {
      if (d) d->Close();  // close_notify, while the socket is there.
      d.reset();
    }
  }
  Unbind(audio_);
  Unbind(video_);
}

void SipTransport::AddTransportStats(TransportStats& s) const {
  s.ice_state = "none";
  s.dtls_state = audio_.dtls[0] ? std::string(audio_.dtls[0]->state()) : "none";
  s.srtp_profile = audio_.suite.empty() ? "none"
                   : audio_.dtls[0]     ? audio_.suite + " (DTLS)"
                                        : audio_.suite;
  char ip[INET_ADDRSTRLEN] = "";
  inet_ntop(AF_INET, &audio_.remote_rtp.sin_addr, ip, sizeof ip);
  s.local_candidate = address_ + ":" + std::to_string(audio_.port) + " rtp";
  s.remote_candidate = std::string(ip) + ":" + std::to_string(ntohs(audio_.remote_rtp.sin_port));
}

}  // namespace mcu::media
