#include "media/peer_transport.h"

#include <nice/interfaces.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>
#include <random>

#include "media/clock.h"
#include "media/gobject_ptr.h"

namespace mcu::media {
namespace {

int64_t UnixUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint32_t RandomSsrc() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  uint32_t v;
  do v = rng();
  while (v == 0);
  return v;
}

const char* IceStateName(NiceComponentState s) {
  switch (s) {
    case NICE_COMPONENT_STATE_DISCONNECTED:
      return "disconnected";
    case NICE_COMPONENT_STATE_GATHERING:
      return "gathering";
    case NICE_COMPONENT_STATE_CONNECTING:
      return "checking";
    case NICE_COMPONENT_STATE_CONNECTED:
      return "connected";
    case NICE_COMPONENT_STATE_READY:
      return "completed";
    case NICE_COMPONENT_STATE_FAILED:
      return "failed";
    default:
      return "unknown";
  }
}

std::string CandidateText(NiceCandidate* c) {
  char addr[NICE_ADDRESS_STRING_LEN];
  nice_address_to_string(&c->addr, addr);
  static const char* types[] = {"host", "srflx", "prflx", "relay"};
  return std::string(addr) + ":" + std::to_string(nice_address_get_port(&c->addr)) + " " +
         (c->type <= NICE_CANDIDATE_TYPE_RELAYED ? types[c->type] : "?");
}

constexpr size_t kMaxDatagram = 1500;

}  // namespace

class PeerTransport::DtlsListener : public DtlsTransport::Listener {
 public:
  explicit DtlsListener(PeerTransport* t) : t_(t) {}
  void OnDtlsSend(std::span<const uint8_t> datagram) override { t_->SendRaw(datagram); }
  void OnDtlsConnected(const SrtpKeys& keys) override {
    auto st = t_->srtp_.Init(keys);
    if (!st) {
      t_->Fail("SRTP: " + st.error());
      return;
    }
    t_->connected_ = true;
    t_->listener_->OnTransportConnected(*t_);
  }
  void OnDtlsFailed(const std::string& reason) override { t_->Fail("DTLS " + reason); }
  void OnDtlsClosed() override { t_->ClosedByPeer(); }

 private:
  PeerTransport* t_;
};

PeerTransport::PeerTransport(IoLoop* loop, const TransportConfig& config,
                             std::shared_ptr<DtlsContext> dtls_context, Listener* listener,
                             Role role)
    : loop_(loop),
      config_(config),
      dtls_context_(std::move(dtls_context)),
      listener_(listener),
      role_(role),
      audio_ssrc_(RandomSsrc()),
      video_ssrc_(RandomSsrc()) {
  kind_by_pt_.fill(sdp::Kind::kOther);
  audio_in_.clock_rate = audio_out_.clock_rate = 48000;
  video_in_.clock_rate = video_out_.clock_rate = 90000;
  audio_out_.ssrc = audio_ssrc_;
  video_out_.ssrc = video_ssrc_;
  audio_out_.history = RetransmissionHistory(1);  // Audio is not retransmitted.
  scratch_.reserve(kMaxDatagram + SrtpSession::kMaxTrailer);
}

PeerTransport::~PeerTransport() { Close(); }

Status PeerTransport::Start() {
  MCU_DCHECK_ON_IO(loop_);
  agent_ = GRef<NiceAgent>::Adopt(
      nice_agent_new_full(loop_->context(), NICE_COMPATIBILITY_RFC5245,
                          static_cast<NiceAgentOption>(NICE_AGENT_OPTION_ICE_TRICKLE |
                                                       NICE_AGENT_OPTION_CONSENT_FRESHNESS)));
  if (!agent_) return MakeError(ErrorKind::kInternal, "cannot create ICE agent");
  // UDP only: media on the closed network is UDP, and ICE-TCP (on by default in libnice) would
  // let a TCP pair win where UDP is merely slow to check, with head-of-line blocking for media.
  g_object_set(agent_.get(), "controlling-mode", role_ == Role::kOfferer, "upnp", FALSE, "ice-tcp",
               FALSE, nullptr);

  std::vector<std::string> addresses = config_.ice_addresses;
  if (addresses.empty()) {
    GList* ips = nice_interfaces_get_local_ips(TRUE);
    for (GList* i = ips; i; i = i->next) {
      std::string ip = static_cast<char*>(i->data);
      if (ip.find(':') == std::string::npos) addresses.push_back(ip);  // IPv4 only by default.
    }
    g_list_free_full(ips, g_free);
  }
  for (const auto& ip : addresses) {
    NiceAddress addr;
    nice_address_init(&addr);
    if (!nice_address_set_from_string(&addr, ip.c_str()))
      return MakeError(ErrorKind::kInternal, "invalid ICE address " + ip);
    nice_agent_add_local_address(agent_.get(), &addr);
  }

  stream_id_ = nice_agent_add_stream(agent_.get(), 1);
  if (stream_id_ == 0) return MakeError(ErrorKind::kInternal, "cannot add ICE stream");
  if (config_.port_min && config_.port_max)
    nice_agent_set_port_range(agent_.get(), stream_id_, 1, config_.port_min, config_.port_max);
  g_signal_connect(agent_.get(), "component-state-changed", G_CALLBACK(OnNiceState), this);
  g_signal_connect(agent_.get(), "new-selected-pair-full", G_CALLBACK(OnNiceSelectedPair), this);
  nice_agent_attach_recv(agent_.get(), stream_id_, 1, loop_->context(), OnNiceRecv, this);
  if (!nice_agent_gather_candidates(agent_.get(), stream_id_))
    return MakeError(ErrorKind::kInternal,
                     "ICE gathering failed (no usable local address or port)");

  gchar *ufrag = nullptr, *pwd = nullptr;
  nice_agent_get_local_credentials(agent_.get(), stream_id_, &ufrag, &pwd);
  local_.ice_ufrag = TakeGString(ufrag);
  local_.ice_pwd = TakeGString(pwd);
  local_.fingerprint = {"sha-256", dtls_context_->fingerprint()};
  GSList* cands = nice_agent_get_local_candidates(agent_.get(), stream_id_, 1);
  for (GSList* c = cands; c; c = c->next) {
    auto* cand = static_cast<NiceCandidate*>(c->data);
    std::string line = TakeGString(nice_agent_generate_local_candidate_sdp(agent_.get(), cand));
    if (line.rfind("a=", 0) == 0) line.erase(0, 2);
    local_.candidates.push_back(line);
  }
  g_slist_free_full(cands, reinterpret_cast<GDestroyNotify>(nice_candidate_free));
  if (local_.candidates.empty()) return MakeError(ErrorKind::kInternal, "no local ICE candidate");

  rtcp_timer_ = loop_->AddTimer(1000, [this] {
    SendRtcpReports();
    return true;
  });
  return OkStatus();
}

Status PeerTransport::ApplyRemote(const sdp::RemoteDescription& remote) {
  MCU_DCHECK_ON_IO(loop_);
  if (closed_) return MakeError(ErrorKind::kInternal, "transport closed");
  remote_ = remote;
  for (const auto& m : remote.media) {
    for (const auto& c : m.codecs)
      if (c.payload_type >= 0 && c.payload_type < 128) kind_by_pt_[c.payload_type] = m.kind;
    Inbound* in = InboundFor(m.kind);
    if (in && !m.ssrcs.empty()) in->ssrc = m.ssrcs.front();
  }
  if (!nice_agent_set_remote_credentials(agent_.get(), stream_id_, remote.ice_ufrag.c_str(),
                                         remote.ice_pwd.c_str()))
    return MakeError(ErrorKind::kInvalid, "invalid remote ICE credentials");
  for (const auto& c : remote.candidates) AddRemoteCandidate(c);
  // The DTLS server must be ready before the client's hello can arrive.
  bool client = (role_ == Role::kOfferer) ? remote.setup == sdp::Setup::kPassive
                                          : remote.setup != sdp::Setup::kActive;
  dtls_listener_ = std::make_unique<DtlsListener>(this);
  dtls_ = std::make_unique<DtlsTransport>(dtls_context_, dtls_listener_.get(),
                                          remote.fingerprint.value);
  if (!client) {
    dtls_->Start(false);
  }
  MaybeStartDtls();
  return OkStatus();
}

void PeerTransport::AddRemoteCandidate(const std::string& candidate) {
  if (closed_ || !agent_) return;
  // libnice parses the attribute form, "a=candidate:...".
  std::string line = candidate.rfind("a=", 0) == 0 ? candidate : "a=" + candidate;
  NiceCandidate* c = nice_agent_parse_remote_candidate_sdp(agent_.get(), stream_id_, line.c_str());
  if (!c) return;  // mDNS (.local) and malformed candidates: peer-reflexive discovery covers them.
  if (c->component_id == 1 && c->transport == NICE_CANDIDATE_TRANSPORT_UDP) {
    GSList* list = g_slist_append(nullptr, c);
    nice_agent_set_remote_candidates(agent_.get(), stream_id_, 1, list);
    g_slist_free(list);
  }
  nice_candidate_free(c);
}

void PeerTransport::OnNiceRecv(NiceAgent*, guint, guint, guint len, gchar* buf,
                               gpointer self) noexcept {
  static_cast<PeerTransport*>(self)->HandleDatagram(
      {reinterpret_cast<const uint8_t*>(buf), static_cast<size_t>(len)});
}

void PeerTransport::OnNiceState(NiceAgent*, guint, guint, guint state, gpointer self) noexcept {
  static_cast<PeerTransport*>(self)->OnIceState(static_cast<NiceComponentState>(state));
}

void PeerTransport::OnNiceSelectedPair(NiceAgent*, guint, guint, NiceCandidate* local,
                                       NiceCandidate* remote, gpointer self) noexcept {
  auto* t = static_cast<PeerTransport*>(self);
  t->selected_local_ = CandidateText(local);
  t->selected_remote_ = CandidateText(remote);
  // DTLS flights that left before libnice had a pair to send on go now, rather than after
  // OpenSSL's first retransmission timeout (1 s).
  auto pending = std::move(t->pending_dtls_);
  t->pending_dtls_.clear();
  for (const auto& d : pending) t->SendRaw(d);
}

void PeerTransport::OnIceState(NiceComponentState state) {
  spdlog::debug("ICE {} -> {}", IceStateName(ice_state_), IceStateName(state));
  ice_state_ = state;
  if (state == NICE_COMPONENT_STATE_FAILED) {
    Fail(connected_ ? "ICE consent lost" : "ICE failed");
    return;
  }
  MaybeStartDtls();
}

void PeerTransport::MaybeStartDtls() {
  if (!dtls_ || dtls_->state() != DtlsTransport::State::kNew) return;
  if (ice_state_ != NICE_COMPONENT_STATE_CONNECTED && ice_state_ != NICE_COMPONENT_STATE_READY)
    return;
  dtls_->Start(true);
  ScheduleDtlsTimer();
}

void PeerTransport::ScheduleDtlsTimer() {
  if (dtls_timer_ || !dtls_) return;
  auto ms = dtls_->NextTimeoutMs();
  if (!ms) return;
  dtls_timer_ = loop_->AddTimer(static_cast<unsigned>(std::max<int64_t>(*ms, 1)), [this] {
    dtls_timer_ = 0;
    if (dtls_) dtls_->OnTimeout();
    ScheduleDtlsTimer();
    return false;
  });
}

void PeerTransport::HandleDatagram(std::span<const uint8_t> d) {
  if (closed_) return;
  const rtp::PacketClass cls = rtp::Classify(d);
  switch (cls) {
    case rtp::PacketClass::kDtls:
      if (dtls_) {
        dtls_->OnDatagram(d);
        ScheduleDtlsTimer();
      } else {
        ++dropped_;
      }
      return;
    case rtp::PacketClass::kRtp:
    case rtp::PacketClass::kRtcp: {
      if (!srtp_.ready() || d.size() > kMaxDatagram) {
        ++dropped_;
        return;
      }
      uint8_t buf[kMaxDatagram];
      std::memcpy(buf, d.data(), d.size());
      if (cls == rtp::PacketClass::kRtp)
        HandleRtp(buf, d.size());
      else
        HandleRtcp(buf, d.size());
      return;
    }
    default:
      ++dropped_;  // STUN never reaches us (libnice consumes it); anything else is garbage.
      return;
  }
}

void PeerTransport::HandleRtp(uint8_t* data, size_t len) {
  if (!srtp_.UnprotectRtp(data, len)) {
    ++dropped_;
    return;
  }
  std::span<uint8_t> packet(data, len);
  auto h = rtp::ParseRtp(packet);
  if (!h) {
    ++dropped_;
    return;
  }
  sdp::Kind kind = kind_by_pt_[h->payload_type];
  Inbound* in = InboundFor(kind);
  if (kind != sdp::Kind::kAudio && kind != sdp::Kind::kVideo) {
    ++dropped_;
    return;
  }
  if (in->ssrc == 0) in->ssrc = h->ssrc;
  if (h->ssrc != in->ssrc) {
    ++dropped_;  // A second source on the same m-line (simulcast, RTX) is not negotiated.
    return;
  }
  int64_t now = NowUs();
  if (!in->stats) in->stats.emplace(in->clock_rate);
  in->stats->OnPacket(h->sequence, h->timestamp, now, h->payload_size);
  in->counters.packets++;
  in->counters.bytes += h->payload_size;
  if (kind == sdp::Kind::kVideo) {
    bool retransmitted = in->nack.OnPacket(h->sequence);
    if (retransmitted) in->counters.retransmits++;
    if (h->marker && !retransmitted) in->counters.frames++;
    if (in->nack.TakeKeyframeNeeded()) RequestKeyframe();
    if (in->nack.missing() > 0) {
      SendNacks();
      if (!nack_timer_) {
        nack_timer_ = loop_->AddTimer(20, [this] {
          SendNacks();
          if (video_in_.nack.missing() == 0) {
            nack_timer_ = 0;
            return false;
          }
          return true;
        });
      }
    }
  }
  listener_->OnTransportRtp(*this, kind, *h, packet);
}

void PeerTransport::HandleRtcp(uint8_t* data, size_t len) {
  if (!srtp_.UnprotectRtcp(data, len)) {
    ++dropped_;
    return;
  }
  auto rtcp = rtp::ParseRtcp({data, len});
  if (!rtcp) {
    ++dropped_;
    return;
  }
  int64_t now = NowUs();
  for (const auto& sr : rtcp->sender_reports) {
    for (Inbound* in : {&audio_in_, &video_in_}) {
      if (in->ssrc == sr.ssrc) {
        in->last_sr_mid = rtp::NtpMiddle32(sr.ntp);
        in->last_sr_arrival_us = now;
      }
    }
    for (const auto& b : sr.blocks) UpdateRtt(b);
  }
  for (const auto& rr : rtcp->receiver_reports)
    for (const auto& b : rr.blocks) UpdateRtt(b);
  for (const auto& nack : rtcp->nacks) {
    if (nack.media_ssrc != video_ssrc_) continue;
    video_out_.counters.nacks += nack.sequences.size();
    int64_t min_interval = rtt_ms_ > 0 ? static_cast<int64_t>(rtt_ms_ * 1000 * 0.8) : 5000;
    for (uint16_t seq : nack.sequences) {
      if (const auto* p = video_out_.history.Find(seq, now, min_interval)) {
        SendRaw(*p);
        video_out_.counters.retransmits++;
      }
    }
  }
  for (const auto& kf : rtcp->keyframe_requests) {
    if (kf.media_ssrc != video_ssrc_) continue;
    (kf.fir ? video_out_.counters.firs : video_out_.counters.plis)++;
    listener_->OnTransportKeyframeRequest(*this);
  }
}

void PeerTransport::UpdateRtt(const rtp::ReportBlock& b) {
  Outbound* out = b.ssrc == audio_ssrc_   ? &audio_out_
                  : b.ssrc == video_ssrc_ ? &video_out_
                                          : nullptr;
  if (!out) return;
  out->counters.lost = b.cumulative_lost;
  out->counters.fraction_lost = b.fraction_lost / 256.0;
  out->counters.jitter_ms = out->clock_rate ? 1000.0 * b.jitter / out->clock_rate : 0;
  if (b.last_sr == 0) return;
  uint32_t now_mid = rtp::NtpMiddle32(rtp::NtpFromUnixMicros(UnixUs()));
  uint32_t rtt = now_mid - b.last_sr - b.delay_since_last_sr;  // 1/65536 s
  if (rtt < 65536u * 10) rtt_ms_ = rtt * 1000.0 / 65536.0;
}

void PeerTransport::SendRtp(sdp::Kind kind, std::span<const uint8_t> packet) {
  if (!connected_ || closed_ || packet.size() > kMaxDatagram) return;
  if (auto h = rtp::ParseRtp(packet)) SendParsed(kind, packet, *h, h->sequence, h->timestamp);
}

void PeerTransport::SendRtp(sdp::Kind kind, std::span<const uint8_t> packet, uint16_t sequence,
                            uint32_t timestamp) {
  if (!connected_ || closed_ || packet.size() > kMaxDatagram) return;
  if (auto h = rtp::ParseRtp(packet)) SendParsed(kind, packet, *h, sequence, timestamp);
}

void PeerTransport::SendParsed(sdp::Kind kind, std::span<const uint8_t> packet,
                               const rtp::RtpHeader& h, uint16_t sequence, uint32_t timestamp) {
  Outbound& out = kind == sdp::Kind::kAudio ? audio_out_ : video_out_;
  scratch_.assign(packet.begin(), packet.end());
  rtp::SetSsrc(scratch_, out.ssrc);
  rtp::SetSequence(scratch_, sequence);
  rtp::SetTimestamp(scratch_, timestamp);
  int64_t now = NowUs();
  out.counters.packets++;
  out.counters.bytes += h.payload_size;
  if (kind == sdp::Kind::kVideo && h.marker) out.counters.frames++;
  out.last_rtp_ts = timestamp;
  out.last_send_us = now;
  if (!srtp_.ProtectRtp(scratch_)) {
    ++dropped_;
    return;
  }
  if (kind == sdp::Kind::kVideo) out.history.Store(sequence, scratch_, now);
  SendRaw(scratch_);
}

void PeerTransport::RequestKeyframe(int64_t min_interval_ms) {
  if (!connected_ || closed_ || video_in_.ssrc == 0) return;
  int64_t now = NowUs();
  if (now - last_pli_us_ < min_interval_ms * 1000) return;
  last_pli_us_ = now;
  std::vector<uint8_t> rtcp;
  rtp::ReceiverReport rr{video_ssrc_, {}};
  rtp::WriteReceiverReport(rr, rtcp);  // A compound packet must begin with SR or RR.
  rtp::WritePli(video_ssrc_, video_in_.ssrc, rtcp);
  video_in_.counters.plis++;
  SendRtcp(rtcp);
}

void PeerTransport::SendNacks() {
  if (!connected_ || video_in_.ssrc == 0) return;
  if (rtt_ms_ > 0) video_in_.nack.set_retry_interval_us(std::max<int64_t>(20'000, rtt_ms_ * 1000));
  auto seqs = video_in_.nack.Collect(NowUs());
  if (seqs.empty()) return;
  std::vector<uint8_t> rtcp;
  rtp::WriteReceiverReport({video_ssrc_, {}}, rtcp);
  rtp::WriteNack({video_ssrc_, video_in_.ssrc, seqs}, rtcp);
  video_in_.counters.nacks += seqs.size();
  SendRtcp(rtcp);
}

void PeerTransport::SendRtcpReports() {
  if (!connected_ || closed_) return;
  int64_t now = NowUs();
  uint64_t ntp = rtp::NtpFromUnixMicros(UnixUs());
  std::vector<rtp::ReportBlock> blocks;
  for (Inbound* in : {&audio_in_, &video_in_}) {
    if (!in->stats) continue;
    uint32_t dlsr = in->last_sr_arrival_us
                        ? static_cast<uint32_t>((now - in->last_sr_arrival_us) * 65536 / 1000000)
                        : 0;
    blocks.push_back(in->stats->MakeReportBlock(in->ssrc, in->last_sr_mid, dlsr));
  }
  std::vector<uint8_t> rtcp;
  bool first = true;
  for (Outbound* out : {&audio_out_, &video_out_}) {
    if (out->counters.packets == 0) continue;
    rtp::SenderReport sr;
    sr.ssrc = out->ssrc;
    sr.ntp = ntp;
    sr.rtp_timestamp = out->last_rtp_ts +
                       static_cast<uint32_t>((now - out->last_send_us) * out->clock_rate / 1000000);
    sr.packet_count = static_cast<uint32_t>(out->counters.packets);
    sr.octet_count = static_cast<uint32_t>(out->counters.bytes);
    if (first) sr.blocks = blocks;
    first = false;
    rtp::WriteSenderReport(sr, rtcp);
  }
  if (first) rtp::WriteReceiverReport({audio_ssrc_, blocks}, rtcp);
  rtp::WriteSdesCname(audio_ssrc_, "mcu", rtcp);
  SendRtcp(rtcp);
}

void PeerTransport::SendRtcp(std::vector<uint8_t>& compound) {
  if (!srtp_.ProtectRtcp(compound)) {
    ++dropped_;
    return;
  }
  SendRaw(compound);
}

void PeerTransport::SendRaw(std::span<const uint8_t> bytes) {
  if (!agent_ || closed_) return;
  gint sent = nice_agent_send(agent_.get(), stream_id_, 1, static_cast<guint>(bytes.size()),
                              reinterpret_cast<const gchar*>(bytes.data()));
  if (sent < 0) {
    // No selected pair yet: a DTLS server answering a ClientHello that raced ahead of our own
    // nomination. Keep the flight for OnNiceSelectedPair; anything else is lost.
    if (!connected_ && rtp::Classify(bytes) == rtp::PacketClass::kDtls && pending_dtls_.size() < 16)
      pending_dtls_.emplace_back(bytes.begin(), bytes.end());
    else
      ++dropped_;
  }
}

void PeerTransport::Fail(const std::string& reason) {
  if (failed_ || closed_) return;
  failed_ = true;
  listener_->OnTransportFailed(*this, reason);
}

void PeerTransport::ClosedByPeer() {
  if (failed_ || closed_) return;
  failed_ = true;  // Nothing more is sent or received; the owner closes us.
  listener_->OnTransportClosedByPeer(*this);
}

void PeerTransport::Close() {
  if (closed_) return;
  if (dtls_) dtls_->Close();
  closed_ = true;
  for (guint* t : {&dtls_timer_, &rtcp_timer_, &nack_timer_}) {
    if (*t) loop_->CancelTimer(*t);
    *t = 0;
  }
  if (agent_.get()) {
    // Disconnect every callback before the agent goes, so none can reach a dead transport.
    nice_agent_attach_recv(agent_.get(), stream_id_, 1, loop_->context(), nullptr, nullptr);
    g_signal_handlers_disconnect_by_data(agent_.get(), this);
    nice_agent_remove_stream(agent_.get(), stream_id_);
    agent_.reset();
  }
}

TransportStats PeerTransport::Stats() const {
  TransportStats s;
  s.ice_state = IceStateName(ice_state_);
  s.dtls_state = !dtls_                                                ? "new"
                 : dtls_->state() == DtlsTransport::State::kConnected  ? "connected"
                 : dtls_->state() == DtlsTransport::State::kConnecting ? "connecting"
                 : dtls_->state() == DtlsTransport::State::kFailed     ? "failed"
                 : dtls_->state() == DtlsTransport::State::kClosed     ? "closed"
                                                                       : "new";
  s.srtp_profile = std::string(ToString(srtp_.profile()));
  s.local_candidate = selected_local_;
  s.remote_candidate = selected_remote_;
  s.rtt_ms = rtt_ms_;
  auto in = [](const Inbound& i) {
    DirectionStats d = i.counters;
    d.ssrc = i.ssrc;
    if (i.stats) {
      d.lost = i.stats->cumulative_lost();
      d.jitter_ms = i.stats->jitter_seconds() * 1000;
    }
    return d;
  };
  s.audio_in = in(audio_in_);
  s.video_in = in(video_in_);
  s.audio_out = audio_out_.counters;
  s.audio_out.ssrc = audio_ssrc_;
  s.video_out = video_out_.counters;
  s.video_out.ssrc = video_ssrc_;
  s.dropped_datagrams = dropped_;
  return s;
}

}  // namespace mcu::media
