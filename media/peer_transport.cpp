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
    t_->Connected();
  }
  void OnDtlsFailed(const std::string& reason) override { t_->Fail("DTLS " + reason); }
  void OnDtlsClosed() override { t_->ClosedByPeer(); }

 private:
  PeerTransport* t_;
};

PeerTransport::PeerTransport(IoLoop* loop, const TransportConfig& config,
                             std::shared_ptr<DtlsContext> dtls_context, Listener* listener,
                             Role role)
    : RtpTransport(loop, listener),
      config_(config),
      dtls_context_(std::move(dtls_context)),
      role_(role) {}

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

  StartReports(true);
  return OkStatus();
}

Status PeerTransport::ApplyRemote(const sdp::RemoteDescription& remote) {
  MCU_DCHECK_ON_IO(loop_);
  if (closed()) return MakeError(ErrorKind::kInternal, "transport closed");
  // Once: a second description would start a second DTLS handshake over keys already in use.
  if (dtls_) return MakeError(ErrorKind::kConflict, "the remote description was applied already");
  remote_ = remote;
  for (const auto& m : remote.media) {
    for (const auto& c : m.codecs) MapPayloadType(c.payload_type, m.kind);
    if (!m.ssrcs.empty()) SetRemoteSsrc(m.kind, m.ssrcs.front());
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
  if (closed() || !agent_) return;
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
    Fail(connected() ? "ICE consent lost" : "ICE failed");
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
  if (closed()) return;
  const rtp::PacketClass cls = rtp::Classify(d);
  switch (cls) {
    case rtp::PacketClass::kDtls:
      if (dtls_) {
        dtls_->OnDatagram(d);
        ScheduleDtlsTimer();
      } else {
        CountDropped();
      }
      return;
    case rtp::PacketClass::kRtp:
    case rtp::PacketClass::kRtcp: {
      if (!srtp_.ready() || d.size() > kMaxDatagram) {
        CountDropped();
        return;
      }
      uint8_t buf[kMaxDatagram];
      std::memcpy(buf, d.data(), d.size());
      if (cls == rtp::PacketClass::kRtp)
        HandleRtp(std::nullopt, buf, d.size());
      else
        HandleRtcp(std::nullopt, buf, d.size());
      return;
    }
    default:
      CountDropped();  // STUN never reaches us (libnice consumes it); anything else is garbage.
      return;
  }
}

void PeerTransport::SendRaw(std::span<const uint8_t> bytes) {
  if (!agent_ || closed()) return;
  gint sent = nice_agent_send(agent_.get(), stream_id_, 1, static_cast<guint>(bytes.size()),
                              reinterpret_cast<const gchar*>(bytes.data()));
  if (sent < 0) {
    // No selected pair yet: a DTLS server answering a ClientHello that raced ahead of our own
    // nomination. Keep the flight for OnNiceSelectedPair; anything else is lost.
    if (!connected() && rtp::Classify(bytes) == rtp::PacketClass::kDtls &&
        pending_dtls_.size() < 16)
      pending_dtls_.emplace_back(bytes.begin(), bytes.end());
    else
      CountDropped();
  }
}

void PeerTransport::Close() {
  if (closed()) return;
  if (dtls_) dtls_->Close();
  StopRtp();
  if (dtls_timer_) loop_->CancelTimer(dtls_timer_);
  dtls_timer_ = 0;
  if (agent_.get()) {
    // Disconnect every callback before the agent goes, so none can reach a dead transport.
    nice_agent_attach_recv(agent_.get(), stream_id_, 1, loop_->context(), nullptr, nullptr);
    g_signal_handlers_disconnect_by_data(agent_.get(), this);
    nice_agent_remove_stream(agent_.get(), stream_id_);
    agent_.reset();
  }
}

void PeerTransport::AddTransportStats(TransportStats& s) const {
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
}

}  // namespace mcu::media
