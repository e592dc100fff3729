// SIP legs in a mixing room (media/mix_room_impl.h): a room system or another vendor's MCU as a
// site, over media/sip_transport.h, negotiated by media/sip_sdp.h. Its audio (G.722, G.711 or
// Opus) goes into the mix-minus and it hears its own mix-minus in the same codec. Video is
// declined in the SIP answer for now: the composite has no H.264 tier for SIP legs yet.
//
// Threading: as the rest of the room, the control thread; the transport is reached on mcu-io.
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include "media/audio_codec.h"
#include "media/mix_room_impl.h"

namespace mcu::media {
namespace {

// Fresh master keys for every suite we accept, SHA1_80 first (what our offer lists and what an
// answer may pick from): a new leg never reuses a key.
Expected<std::vector<sdes::Crypto>> NewKeys() {
  std::vector<sdes::Crypto> keys;
  for (auto suite : sdes::kPreference) {
    std::string key(sdes::KeySaltLength(suite), '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1)
      return MakeError(ErrorKind::kInternal, "no random bytes for an SRTP key");
    keys.push_back({0, suite, std::move(key)});
  }
  return keys;
}

std::vector<SipTransport::Medium> MediaOf(const std::vector<sip_sdp::Leg>& legs) {
  std::vector<SipTransport::Medium> media;
  for (const auto& leg : legs) {
    SipTransport::Medium m;
    m.kind = leg.kind;
    m.remote_address = leg.remote_address;
    m.remote_rtp_port = leg.remote_rtp_port;
    m.remote_rtcp_port = leg.remote_rtcp_port;
    m.rtcp_mux = leg.rtcp_mux;
    m.local = leg.local_key;
    m.remote = leg.remote_key;
    m.payload_types = {leg.codec.payload_type};
    if (leg.telephone_event_pt >= 0) m.payload_types.push_back(leg.telephone_event_pt);
    if (leg.kind == sdp::Kind::kAudio) m.clock_rate = static_cast<uint32_t>(leg.codec.clock_rate);
    m.keyframe = leg.feedback.pli || !leg.feedback.fir ? SipTransport::KeyframeMethod::kPli
                                                       : SipTransport::KeyframeMethod::kFir;
    media.push_back(std::move(m));
  }
  return media;
}

// A SIP leg as the domain's MediaEndpoint.
class SipEndpoint : public MediaEndpoint {
 public:
  SipEndpoint(MixRoom* room, ParticipantId id, MixPeer* peer, std::string local,
              std::optional<sdp::Session> offer, sip_sdp::LocalMedia media)
      : room_(room),
        id_(id),
        peer_(peer),
        local_(std::move(local)),
        offer_(std::move(offer)),
        media_(std::move(media)) {}
  ~SipEndpoint() override { room_->RemoveParticipant(id_); }

  const std::string& LocalDescription() const override { return local_; }

  // The answer to our offer (an INVITE without SDP: the answer is in its ACK).
  Status SetRemoteAnswer(const std::string& text) override {
    if (!offer_)
      return MakeError(ErrorKind::kConflict, "no offer to answer: this leg made the offer");
    auto answer = sdp::Parse(text);
    if (!answer) return MakeError(ErrorKind::kInvalid, "invalid SDP: " + answer.error());
    auto legs = sip_sdp::AcceptAnswer(*offer_, *answer, media_);
    if (!legs) return legs.failure();
    offer_.reset();  // Answered once.
    return room_->StartSipLegs(id_, *legs);
  }
  Status AddRemoteCandidate(const std::string&) override {
    return MakeError(ErrorKind::kInvalid, "a SIP leg has no ICE candidates");
  }
  EndpointStats Stats() const override {
    EndpointStats stats;
    MixPeer* peer = peer_;
    room_->loop()->Invoke([&] {
      stats.transport = peer->transport().Stats();
      stats.mix = peer->MixStats();
    });
    return stats;
  }

 private:
  MixRoom* room_;
  ParticipantId id_;
  MixPeer* peer_;  // Owned by the room's I/O state; deleted there on mcu-io.
  std::string local_;
  std::optional<sdp::Session> offer_;  // Ours, until its answer came.
  sip_sdp::LocalMedia media_;
};

}  // namespace

Expected<std::unique_ptr<MediaEndpoint>> MixRoom::AddSipParticipant(
    ParticipantId id, const ParticipantMediaInfo& info, MediaEndpoint::Listener* listener) {
  MCU_DCHECK_THREAD(control_);
  std::optional<sdp::Session> offer;
  if (!info.remote_offer.empty()) {
    auto parsed = sdp::Parse(info.remote_offer);
    if (!parsed) return MakeError(ErrorKind::kInvalid, "invalid SDP offer: " + parsed.error());
    offer = std::move(*parsed);
  }
  auto keys = NewKeys();
  if (!keys) return keys.failure();
  sip_sdp::LocalMedia local;
  local.audio_keys = *keys;
  MixPeer* peer = nullptr;
  Status started = OkStatus();
  auto io = io_;
  loop()->Invoke([&] {
    auto owned =
        std::make_unique<MixPeer>(engine_, io.get(), audio_.get(), id, listener,
                                  info.max_receive_kbps, info.content, false, PeerKind::kSip);
    started = owned->sip()->Start(false);
    if (!started) return;  // `owned` goes with its sockets, here on mcu-io.
    local.address = owned->sip()->address();
    local.audio_port = owned->sip()->port(sdp::Kind::kAudio);
    local.audio_ssrc = owned->transport().local_ssrc(sdp::Kind::kAudio);
    peer = owned.get();
    io->peers[id] = std::move(owned);
  });
  if (!started) return started.failure();
  Site& s = sites_[id];
  s.id = id;
  s.name = info.display_name;
  s.content = info.content;
  if (offer) {
    auto answer = sip_sdp::AnswerOffer(*offer, local, RandomSessionId());
    Status st = answer ? StartSipLegs(id, answer->legs) : Status(answer.failure());
    if (!st) {
      RemoveParticipant(id);
      return st.failure();
    }
    return std::unique_ptr<MediaEndpoint>(new SipEndpoint(
        this, id, peer, sdp::Write(answer->answer), std::nullopt, std::move(local)));
  }
  sdp::Session ours = sip_sdp::BuildOffer(local, RandomSessionId());
  std::string text = sdp::Write(ours);
  return std::unique_ptr<MediaEndpoint>(
      new SipEndpoint(this, id, peer, std::move(text), std::move(ours), std::move(local)));
}

Status MixRoom::StartSipLegs(ParticipantId id, const std::vector<sip_sdp::Leg>& legs) {
  MCU_DCHECK_THREAD(control_);
  const sip_sdp::Leg* audio = nullptr;
  for (const auto& leg : legs)
    if (leg.kind == sdp::Kind::kAudio) audio = &leg;
  auto codec = audio ? ParseAudioCodec(audio->codec.name) : std::nullopt;
  if (!codec) return MakeError(ErrorKind::kInvalid, "no audio codec the mix speaks");
  auto media = MediaOf(legs);
  // Video sections were declined (LocalMedia::video_port 0): only audio is applied.
  std::erase_if(media, [](const auto& m) { return m.kind != sdp::Kind::kAudio; });
  Status st = OkStatus();
  auto io = io_;
  const auto pt = static_cast<uint8_t>(audio->codec.payload_type);
  loop()->Invoke([&] {
    auto p = io->peers.find(id);
    if (p == io->peers.end()) {
      st = MakeError(ErrorKind::kInternal, "the leg has left");
      return;
    }
    p->second->SetAudioFormat(pt, RtpTimestampStep(*codec));
    st = p->second->sip()->Apply(media);
  });
  if (!st) return st;
  auto it = sites_.find(id);
  if (it == sites_.end()) return MakeError(ErrorKind::kInternal, "the leg has left");
  if (!it->second.content) audio_->AddSite(id, *codec);
  spdlog::info("mixing room {}: {} is a SIP leg: {} (payload type {}), {} to {}:{}, {}", name_,
               it->second.name, EncodingName(*codec), pt, audio->profile, audio->remote_address,
               audio->remote_rtp_port, sdes::ToString(audio->local_key.suite));
  // As an answer would: audio only, no tile and no composite.
  sdp::RemoteDescription remote;
  remote.media.push_back({sdp::Kind::kAudio, "0", sdp::Direction::kSendRecv, {audio->codec}, {}});
  OnAnswer(id, remote);
  return OkStatus();
}

}  // namespace mcu::media
