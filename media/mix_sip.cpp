// SIP legs in a mixing room (media/mix_room_impl.h): a room system or another vendor's MCU as a
// site, over media/sip_transport.h, negotiated by media/sip_sdp.h. Its audio (G.722, G.711 or
// Opus) goes into the mix-minus and it hears its own mix-minus in the same codec. Its video
// (H.264 of any common profile, or VP8) is decoded into its tile; it receives the composite's
// H.264 tier in its packetization mode (1, or 0 for old gear) with its own payload type.
//
// Keys: SDES, or DTLS-SRTP when the room offered it (UDP/TLS/RTP/SAVP, with our certificate).
//
// Threading: as the rest of the room, the control thread; the transport is reached on mcu-io.
#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <strings.h>

#include <span>

#include "media/audio_codec.h"
#include "media/clock.h"
#include "media/mix_room_impl.h"

namespace mcu::media {
namespace {

// Fresh master keys for every suite we accept, in our order of preference (what our offer lists,
// what an answer may pick from, and the order an offer's lines are chosen by): a new leg never
// reuses a key.
Expected<std::vector<sdes::Crypto>> NewKeys(std::span<const sdes::Suite> suites) {
  std::vector<sdes::Crypto> keys;
  for (auto suite : suites) {
    std::string key(sdes::KeySaltLength(suite), '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1)
      return MakeError(ErrorKind::kInternal, "no random bytes for an SRTP key");
    keys.push_back({0, suite, std::move(key)});
  }
  return keys;
}

// `bytes` random bytes as hex: ICE credentials (hex digits are ice-chars).
Expected<std::string> RandomHex(size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
    return MakeError(ErrorKind::kInternal, "no random bytes for ICE credentials");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : raw) out += {kHex[b >> 4], kHex[b & 15]};
  return out;
}

std::vector<SipTransport::Medium> MediaOf(const std::vector<sip_sdp::Leg>& legs,
                                          const sip_sdp::LocalMedia& local) {
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
    m.dtls = leg.dtls;
    if (leg.ice)
      m.ice = SipTransport::Medium::IceLite{local.ice_ufrag, local.ice_pwd, leg.ice->remote_ufrag};
    m.payload_types = {leg.codec.payload_type};
    if (leg.telephone_event_pt >= 0) m.payload_types.push_back(leg.telephone_event_pt);
    if (leg.kind == sdp::Kind::kAudio) m.clock_rate = static_cast<uint32_t>(leg.codec.clock_rate);
    // PLI if it takes one, else FIR, else a SIP INFO through the signalling.
    m.keyframe = leg.feedback.pli   ? SipTransport::KeyframeMethod::kPli
                 : leg.feedback.fir ? SipTransport::KeyframeMethod::kFir
                                    : SipTransport::KeyframeMethod::kSignalling;
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
    return room_->StartSipLegs(id_, *legs, media_);
  }
  Status AddRemoteCandidate(const std::string&) override {
    return MakeError(ErrorKind::kInvalid, "a SIP leg has no ICE candidates");
  }
  void RequestKeyframe() override { room_->RequestKeyframeFor(id_); }
  EndpointStats Stats() const override { return room_->PeerStats(peer_); }

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
  using Suites = std::span<const sdes::Suite>;
  const Suites suites = info.classified ? Suites(sdes::kStrongestFirst) : Suites(sdes::kPreference);
  auto audio_keys = NewKeys(suites);
  auto video_keys = NewKeys(suites);
  if (!audio_keys) return audio_keys.failure();
  if (!video_keys) return video_keys.failure();
  sip_sdp::LocalMedia local;
  local.audio_keys = *audio_keys;
  local.video_keys = *video_keys;
  if (engine_->dtls_context()) local.dtls_fingerprint = engine_->dtls_context()->fingerprint();
  auto ufrag = RandomHex(4), pwd = RandomHex(12);
  if (!ufrag || !pwd) return MakeError(ErrorKind::kInternal, "no random bytes for ICE credentials");
  local.ice_ufrag = *ufrag;
  local.ice_pwd = *pwd;
  MixPeer* peer = nullptr;
  Status started = OkStatus();
  auto io = io_;
  loop()->Invoke([&] {
    auto owned =
        std::make_unique<MixPeer>(engine_, io.get(), audio_.get(), id, listener,
                                  info.max_receive_kbps, info.content, false, PeerKind::kSip);
    // Content is a WebRTC notion (a second connection); a SIP leg is always a whole site.
    started = owned->sip()->Start(true);
    if (!started) return;  // `owned` goes with its sockets, here on mcu-io.
    local.address = owned->sip()->address();
    local.audio_port = owned->sip()->port(sdp::Kind::kAudio);
    local.video_port = owned->sip()->port(sdp::Kind::kVideo);
    local.audio_ssrc = owned->transport().local_ssrc(sdp::Kind::kAudio);
    local.video_ssrc = owned->transport().local_ssrc(sdp::Kind::kVideo);
    peer = owned.get();
    io->peers[id] = std::move(owned);
  });
  if (!started) return started.failure();
  Site& s = sites_[id];
  s.id = id;
  s.name = info.display_name;
  s.content = info.content;
  s.sip = true;
  if (offer) {
    auto answer = sip_sdp::AnswerOffer(*offer, local, RandomSessionId());
    Status st = answer ? StartSipLegs(id, answer->legs, local) : Status(answer.failure());
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

Status MixRoom::StartSipLegs(ParticipantId id, const std::vector<sip_sdp::Leg>& legs,
                             const sip_sdp::LocalMedia& local) {
  MCU_DCHECK_THREAD(control_);
  const sip_sdp::Leg* audio = nullptr;
  const sip_sdp::Leg* video = nullptr;
  for (const auto& leg : legs) (leg.kind == sdp::Kind::kAudio ? audio : video) = &leg;
  auto codec = audio ? ParseAudioCodec(audio->codec.name) : std::nullopt;
  if (!codec) return MakeError(ErrorKind::kInvalid, "no audio codec the mix speaks");
  // Its video: what it sends, and whether it can take the composite's H.264 tier.
  int video_in_pt = -1, video_out_pt = -1;
  VideoCodec video_in = VideoCodec::kH264;
  MixPeer::ReceiveLimits limits;
  sdp::RemoteMedia remote_video{sdp::Kind::kVideo, "1", sdp::Direction::kInactive, {}, {}};
  if (video) {
    const bool h264 = strcasecmp(video->codec.name.c_str(), "H264") == 0;
    video_in = h264 ? VideoCodec::kH264 : VideoCodec::kVp8;
    const bool we_send = video->direction == sdp::Direction::kSendRecv ||
                         video->direction == sdp::Direction::kSendOnly;
    const bool we_receive = video->direction == sdp::Direction::kSendRecv ||
                            video->direction == sdp::Direction::kRecvOnly;
    const bool takes_tier = we_send && h264;
    if (we_receive) video_in_pt = video->codec.payload_type;
    if (takes_tier) {
      video_out_pt = video->codec.payload_type;
      // The composite's size and rate within what it declared and what its level decodes.
      uint32_t kbps = video->max_kbps;
      if (video->h264.limit_kbps && (!kbps || video->h264.limit_kbps < kbps))
        kbps = video->h264.limit_kbps;
      limits = {static_cast<int>(kbps), video->h264.limit_fs, video->h264.limit_mbps,
                video->h264.packetization_mode};
    }
    if (we_send && !takes_tier)
      spdlog::info("mixing room {}: {} takes no composite ({} is not H.264)", name_,
                   sites_[id].name, video->codec.name);
    // As the remote would have written it: it sends what we receive, receives what we send.
    remote_video.direction = we_receive && takes_tier ? sdp::Direction::kSendRecv
                             : we_receive             ? sdp::Direction::kSendOnly
                             : takes_tier             ? sdp::Direction::kRecvOnly
                                                      : sdp::Direction::kInactive;
    remote_video.codecs = {video->codec};
  }
  auto media = MediaOf(legs, local);
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
    p->second->SetSipVideo(video_in_pt, video_in, video_out_pt, limits);
    st = p->second->sip()->Apply(media);
  });
  if (!st) return st;
  auto it = sites_.find(id);
  if (it == sites_.end()) return MakeError(ErrorKind::kInternal, "the leg has left");
  if (!it->second.content) audio_->AddSite(id, *codec);
  spdlog::info("mixing room {}: {} is a SIP leg: {} (payload type {}){}, {} to {}:{}, {}{}", name_,
               it->second.name, EncodingName(*codec), pt,
               video ? ", video " + video->codec.name + " " +
                           std::string(sdp::ToString(remote_video.direction))
                     : std::string(", no video"),
               audio->profile, audio->remote_address, audio->remote_rtp_port,
               audio->dtls ? "keys by DTLS-SRTP"
                           : std::string(sdes::ToString(audio->local_key.suite)) + " by SDES",
               audio->ice ? ", ICE-lite" : "");
  // As an answer would say: what it sends and receives.
  sdp::RemoteDescription remote;
  remote.media.push_back({sdp::Kind::kAudio, "0", sdp::Direction::kSendRecv, {audio->codec}, {}});
  if (video && remote_video.direction != sdp::Direction::kInactive)
    remote.media.push_back(remote_video);
  OnAnswer(id, remote);
  return OkStatus();
}

void MixRoom::RequestKeyframeFor(ParticipantId id) {
  loop()->Post([io = io_, id] {
    if (auto p = io->peers.find(id); p != io->peers.end() && p->second->tier() >= 0)
      io->RequestKeyframe(p->second->tier(), NowUs());
  });
}

}  // namespace mcu::media
