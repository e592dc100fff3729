#include "media/media_engine.h"

#include <gst/gst.h>
#include <spdlog/spdlog.h>

#include <map>
#include <random>

#include "media/mix_room.h"
#include "media/sdp.h"

namespace mcu::media {
namespace {

// One participant of an echo room. Lives on the I/O thread from creation to deletion.
class EchoPeer : public PeerTransport::Listener {
 public:
  EchoPeer(TransportMediaEngine* engine, ParticipantId id, MediaEndpoint::Listener* listener)
      : id_(id),
        listener_(listener),
        transport_(engine->loop(), engine->transport_config(), engine->dtls_context(), this,
                   PeerTransport::Role::kOfferer) {}

  PeerTransport& transport() { return transport_; }
  ParticipantId id() const { return id_; }

  void OnTransportConnected(RtpTransport& t) override {
    listener_->OnMediaConnected(id_, t.Stats().srtp_profile);
    t.RequestKeyframe(0);  // The echo starts clean on a keyframe.
  }
  void OnTransportFailed(RtpTransport&, const std::string& reason) override {
    listener_->OnMediaFailed(id_, reason);
  }
  void OnTransportClosedByPeer(RtpTransport&) override { listener_->OnMediaClosed(id_); }
  void OnTransportRtp(RtpTransport& t, sdp::Kind kind, const rtp::RtpHeader&,
                      std::span<uint8_t> packet) override {
    t.SendRtp(kind, packet);
  }
  void OnTransportKeyframeRequest(RtpTransport& t) override { t.RequestKeyframe(); }

 private:
  ParticipantId id_;
  MediaEndpoint::Listener* listener_;
  PeerTransport transport_;
};

// The echo room's participants, on the I/O thread.
using EchoPeers = std::map<ParticipantId, EchoPeer*>;

class EchoEndpoint : public TransportEndpoint {
 public:
  EchoEndpoint(TransportMediaEngine* engine, std::string offer, sdp::Session offer_session,
               EchoPeer* peer, std::shared_ptr<EchoPeers> peers)
      : TransportEndpoint(engine->loop(), std::move(offer), std::move(offer_session)),
        peer_(peer),
        peers_(std::move(peers)) {}

  ~EchoEndpoint() override {
    loop_->Post([peer = peer_, peers = peers_] {
      peers->erase(peer->id());
      delete peer;
    });
  }

  EndpointStats Stats() const override {
    EndpointStats stats;
    EchoPeer* peer = peer_;
    loop_->Invoke([&] { stats.transport = peer->transport().Stats(); });
    return stats;
  }

 protected:
  PeerTransport* transport() const override { return &peer_->transport(); }

 private:
  EchoPeer* peer_;  // Owned; deleted on the I/O thread.
  std::shared_ptr<EchoPeers> peers_;
};

class EchoRoom : public MediaRoom {
 public:
  EchoRoom(TransportMediaEngine* engine, std::string name)
      : engine_(engine), name_(std::move(name)) {}

  Expected<std::unique_ptr<MediaEndpoint>> AddParticipant(
      ParticipantId id, const ParticipantMediaInfo& info,
      MediaEndpoint::Listener* listener) override {
    if (!info.remote_offer.empty())
      return MakeError(ErrorKind::kInvalid, "an echo conference takes no cascade link");
    auto peer = std::make_unique<EchoPeer>(engine_, id, listener);
    Status started = OkStatus();
    sdp::Session offer;
    // Creating the agent binds sockets and gathers host candidates: quick, and on the I/O thread.
    engine_->loop()->Invoke([&] {
      started = peer->transport().Start();
      if (!started) return;
      sdp::OfferOptions opt;
      opt.audio_ssrc = peer->transport().local_ssrc(sdp::Kind::kAudio);
      opt.video_ssrc = peer->transport().local_ssrc(sdp::Kind::kVideo);
      offer =
          sdp::BuildOffer(peer->transport().local(), sdp::DefaultCodecs(), opt, RandomSessionId());
      (*peers_)[id] = peer.get();
    });
    if (!started) {
      EchoPeer* p = peer.release();
      engine_->loop()->Post([p] { delete p; });
      return started.failure();
    }
    std::string text = sdp::Write(offer);
    return std::unique_ptr<MediaEndpoint>(
        new EchoEndpoint(engine_, std::move(text), std::move(offer), peer.release(), peers_));
  }

  RoomStats Stats() override {
    RoomStats out;
    engine_->loop()->Invoke([&] {
      for (const auto& [id, peer] : *peers_) {
        ParticipantStats p;
        p.id = id;
        p.transport = peer->transport().Stats();
        out.participants.push_back(std::move(p));
      }
    });
    return out;
  }

 private:
  TransportMediaEngine* engine_;
  std::string name_;
  std::shared_ptr<EchoPeers> peers_ = std::make_shared<EchoPeers>();
};

}  // namespace

Status TransportEndpoint::SetRemoteAnswer(const std::string& text) {
  if (!offer_session_)
    return MakeError(ErrorKind::kConflict, "no offer to answer: this participant made the offer");
  if (answered_) return MakeError(ErrorKind::kConflict, "the offer was answered already");
  auto answer = sdp::Parse(text);
  if (!answer) return MakeError(ErrorKind::kInvalid, "invalid SDP: " + answer.error());
  auto remote = sdp::AcceptAnswer(*offer_session_, *answer);
  if (!remote) return remote.failure();
  answered_ = true;
  OnAnswerAccepted(*remote);
  PeerTransport* t = transport();
  loop_->Post([t, r = std::move(*remote)] {
    auto st = t->ApplyRemote(r);
    if (!st) spdlog::warn("apply remote description: {}", st.error());
  });
  return OkStatus();
}

Status TransportEndpoint::AddRemoteCandidate(const std::string& candidate) {
  auto parsed = sdp::ParseCandidate(candidate);
  if (!parsed) return parsed.failure();
  PeerTransport* t = transport();
  loop_->Post([t, candidate] { t->AddRemoteCandidate(candidate); });
  return OkStatus();
}

uint64_t RandomSessionId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng() >> 2;
}

Expected<std::unique_ptr<TransportMediaEngine>> TransportMediaEngine::Create(
    const Certificate& dtls_cert, const TransportConfig& config) {
  SrtpSession::GlobalInit();
  gst_init(nullptr, nullptr);  // Mixing rooms run GStreamer pipelines (idempotent).
  auto dtls = DtlsContext::Create(dtls_cert);
  if (!dtls) return dtls.failure();
  std::unique_ptr<TransportMediaEngine> e(new TransportMediaEngine());
  e->config_ = config;
  e->dtls_ = *dtls;
  e->loop_ = std::make_unique<IoLoop>();
  return e;
}

TransportMediaEngine::~TransportMediaEngine() = default;

Expected<std::unique_ptr<MediaRoom>> TransportMediaEngine::CreateRoom(
    const std::string& name, RoomMode mode, MediaRoom::Listener* listener) {
  if (mode == RoomMode::kMix) return CreateMixRoom(this, name, listener);
  return std::unique_ptr<MediaRoom>(new EchoRoom(this, name));
}

}  // namespace mcu::media
