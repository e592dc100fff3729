// The mixing room as the domain's MediaRoom (media/mix_room_impl.h): participants and their
// answers, mutes, layout and speaker, statistics; the GStreamer composite is in
// media/composite_pipeline.cpp, each site's media path in media/mix_peer.cpp.
#include "media/mix_room.h"

#include <spdlog/spdlog.h>
#include <strings.h>

#include <algorithm>
#include <set>

#include "media/clock.h"
#include "media/mix_room_impl.h"
#include "media/recorder.h"

namespace mcu::media {

namespace {

// The mixing room's packet path knows the payload types it offers. Another MCU offers the same
// ones; an offer that numbers them otherwise is refused rather than half understood.
Status CheckPayloadTypes(const sdp::RemoteDescription& remote) {
  for (const auto& m : remote.media)
    for (const auto& c : m.codecs) {
      uint8_t want = m.kind == sdp::Kind::kAudio ? kOpusPt : c.name == "VP8" ? kVp8Pt : kH264Pt;
      if (c.payload_type != want)
        return MakeError(ErrorKind::kInvalid, "the offer numbers " + c.name + " " +
                                                  std::to_string(c.payload_type) + ", not " +
                                                  std::to_string(want));
    }
  return OkStatus();
}

class MixEndpoint : public TransportEndpoint {
 public:
  MixEndpoint(MixRoom* room, ParticipantId id, std::string local,
              std::optional<sdp::Session> offer_session, MixPeer* peer)
      : TransportEndpoint(room->loop(), std::move(local), std::move(offer_session)),
        room_(room),
        id_(id),
        peer_(peer) {}
  ~MixEndpoint() override { room_->RemoveParticipant(id_); }

  EndpointStats Stats() const override { return room_->PeerStats(peer_); }

 protected:
  PeerTransport* transport() const override { return peer_->webrtc(); }
  void OnAnswerAccepted(const sdp::RemoteDescription& remote) override {
    room_->OnAnswer(id_, remote);
  }

 private:
  MixRoom* room_;
  ParticipantId id_;
  MixPeer* peer_;  // Owned by the room's I/O state (MixIoState::peers); deleted there on mcu-io.
};

class MixRecording : public MediaRecording {
 public:
  MixRecording(MixRoom* room, ParticipantId id, std::shared_ptr<Recorder> recorder)
      : room_(room), id_(id), recorder_(std::move(recorder)) {}
  ~MixRecording() override { room_->StopRecording(id_); }
  Stats Progress() const override { return recorder_->Progress(); }

 private:
  MixRoom* room_;
  ParticipantId id_;
  std::shared_ptr<Recorder> recorder_;  // The last reference: the file ends with this.
};

class MixStream : public MediaStream {
 public:
  MixStream(MixRoom* room, ParticipantId id, std::shared_ptr<Recorder> recorder,
            std::shared_ptr<Segmenter> segments)
      : room_(room), id_(id), recorder_(std::move(recorder)), segments_(std::move(segments)) {}
  ~MixStream() override { room_->StopStream(id_); }
  std::string Playlist(const std::string& query) const override {
    return segments_->Playlist(query);
  }
  std::shared_ptr<const std::string> Part(const std::string& name) const override {
    const std::string ext = std::string(".") + segments_->extension();
    if (name == "init" + ext) return segments_->Init();
    const size_t dot = name.find(ext);
    if (dot == std::string::npos || dot == 0 || dot + ext.size() != name.size() || dot > 18)
      return nullptr;
    uint64_t sequence = 0;
    for (size_t i = 0; i < dot; ++i) {
      if (name[i] < '0' || name[i] > '9') return nullptr;
      sequence = sequence * 10 + static_cast<uint64_t>(name[i] - '0');
    }
    return segments_->Segment(sequence);
  }
  MediaRecording::Stats Progress() const override { return recorder_->Progress(); }

 private:
  MixRoom* room_;
  ParticipantId id_;
  std::shared_ptr<Recorder> recorder_;
  std::shared_ptr<Segmenter> segments_;
};

class MixPush : public MediaPush {
 public:
  MixPush(MixRoom* room, ParticipantId id, std::shared_ptr<Recorder> recorder)
      : room_(room), id_(id), recorder_(std::move(recorder)) {}
  ~MixPush() override { room_->StopStream(id_); }
  MediaRecording::Stats Progress() const override { return recorder_->Progress(); }
  std::string Failure() override { return recorder_->Failure(); }

 private:
  MixRoom* room_;
  ParticipantId id_;
  std::shared_ptr<Recorder> recorder_;
};

}  // namespace

Expected<std::unique_ptr<MediaRecording>> MixRoom::StartRecording(
    const std::string& path, int width, RecordingFormat format,
    const std::optional<SealKey>& seal) {
  MCU_DCHECK_THREAD(control_);
  const bool mp4 = format == RecordingFormat::kMp4;
  const int tier = TierOf(mp4 ? VideoCodec::kH264 : VideoCodec::kVp8, width);
  if (tier < 0)
    return MakeError(ErrorKind::kInternal, std::string("recording: the room has no ") +
                                               (mp4 ? "H.264" : "VP8") + " tier");
  auto started = Recorder::Start(path, tiers_[tier].width, tiers_[tier].height, format, seal);
  if (!started) return started.failure();
  std::shared_ptr<Recorder> recorder = std::move(*started);
  const ParticipantId id = AttachOutput(recorder, tier, 0);
  if (recordings_running_++ == 0) ShowRecordingMark(true);
  return std::unique_ptr<MediaRecording>(new MixRecording(this, id, std::move(recorder)));
}

Expected<std::unique_ptr<MediaStream>> MixRoom::StartStream(int width, StreamFormat format) {
  MCU_DCHECK_THREAD(control_);
  const bool ts = format == StreamFormat::kTs;
  const int tier = TierOf(ts ? VideoCodec::kH264 : VideoCodec::kVp8, width);
  if (tier < 0)
    return MakeError(ErrorKind::kInternal, std::string("live stream: the room has no ") +
                                               (ts ? "H.264" : "VP8") + " tier");
  auto segments = std::make_shared<Segmenter>(Segmenter::Options{
      .container = ts ? Segmenter::Container::kTs : Segmenter::Container::kWebm});
  auto started = Recorder::StartStream(tiers_[tier].width, tiers_[tier].height, segments);
  if (!started) return started.failure();
  std::shared_ptr<Recorder> recorder = std::move(*started);
  // A segment ends at a keyframe past 2 s: the tier is asked for one that often.
  const ParticipantId id = AttachOutput(recorder, tier, Segmenter::Options{}.target_us);
  return std::unique_ptr<MediaStream>(
      new MixStream(this, id, std::move(recorder), std::move(segments)));
}

Expected<std::unique_ptr<MediaPush>> MixRoom::StartPush(int width, const std::string& url) {
  MCU_DCHECK_THREAD(control_);
  const int tier = TierOf(VideoCodec::kH264, width);
  if (tier < 0) return MakeError(ErrorKind::kInternal, "RTMP push: the room has no H.264 tier");
  auto started = Recorder::StartPush(url, tiers_[tier].width, tiers_[tier].height);
  if (!started) return started.failure();
  std::shared_ptr<Recorder> recorder = std::move(*started);
  // Players of RTMP relays start on a keyframe: one every 2 s, as for the HLS stream.
  const ParticipantId id = AttachOutput(recorder, tier, Segmenter::Options{}.target_us);
  return std::unique_ptr<MediaPush>(new MixPush(this, id, std::move(recorder)));
}

int MixRoom::TierOf(VideoCodec codec, int width) const {
  // The tier of that width, or else the widest (tiers are highest first).
  int tier = -1;
  for (size_t i = 0; i < tiers_.size(); ++i) {
    if (tiers_[i].codec != codec || tiers_[i].packetization_mode != 1) continue;
    if (tier < 0 || (tiers_[i].width == width && tiers_[tier].width != width))
      tier = static_cast<int>(i);
  }
  return tier;
}

ParticipantId MixRoom::AttachOutput(std::shared_ptr<Recorder> recorder, int tier,
                                    int64_t keyframe_every_us) {
  MCU_DCHECK_THREAD(control_);
  const ParticipantId id = next_recording_id_++;
  audio_->AddSite(id);  // Silent: it receives the full mix, shared with every silent site.
  auto io = io_;
  loop()->Invoke([&] {
    io->recordings[id] = {tier, std::move(recorder), keyframe_every_us, NowUs()};
    io->SetTier(-1, tier);  // Its tier is encoded, from a keyframe asked for now.
  });
  AddVideoSite();  // The composite runs while it records.
  return id;
}

void MixRoom::DetachOutput(ParticipantId id) {
  MCU_DCHECK_THREAD(control_);
  audio_->RemoveSite(id);
  auto io = io_;
  loop()->Invoke([&] {
    auto it = io->recordings.find(id);
    if (it == io->recordings.end()) return;
    io->SetTier(it->second.tier, -1);
    io->recordings.erase(it);  // mcu-io pushes nothing more; the file ends on this thread.
  });
  RemoveVideoSite();
}

void MixRoom::StopRecording(ParticipantId id) {
  DetachOutput(id);
  if (--recordings_running_ == 0) ShowRecordingMark(false);
}

void MixRoom::StopStream(ParticipantId id) { DetachOutput(id); }

MixRoom::~MixRoom() {
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  audio_.reset();
  auto io = io_;
  loop()->Invoke([this, io] {
    if (io->timer) loop()->CancelTimer(io->timer);
    io->listener = nullptr;  // A speaker change already posted finds nobody to tell.
    io->peers.clear();
  });
}

EndpointStats MixRoom::PeerStats(MixPeer* peer) {
  EndpointStats stats;
  loop()->Invoke([&] {
    stats.transport = peer->transport().Stats();
    stats.mix = peer->MixStats();
  });
  return stats;
}

RoomStats MixRoom::Stats() {
  MCU_DCHECK_THREAD(control_);
  RoomStats out;
  auto io = io_;
  const std::vector<Tier> outputs = OutputTiers();
  loop()->Invoke([&] {
    for (const auto& [id, peer] : io->peers) out.participants.push_back(peer->Stats(outputs));
    for (size_t i = 0; i < tiers_.size(); ++i) {
      TierStats t;
      t.width = tiers_[i].width, t.height = tiers_[i].height, t.kbps = tiers_[i].bitrate_kbps;
      t.codec = tiers_[i].codec != VideoCodec::kH264 ? "VP8"
                : tiers_[i].packetization_mode == 0  ? "H264 (packetization-mode 0)"
                                                     : "H264";
      t.receivers = i < io->receivers.size() ? io->receivers[i] : 0;
      if (i < tier_sinks_.size()) {
        t.frames = tier_sinks_[i]->frames.load(std::memory_order_relaxed);
        t.late_frames = tier_sinks_[i]->late_frames.load(std::memory_order_relaxed);
      }
      out.tiers.push_back(t);
    }
  });
  return out;
}

Expected<std::unique_ptr<MediaEndpoint>> MixRoom::AddParticipant(
    ParticipantId id, const ParticipantMediaInfo& info, MediaEndpoint::Listener* listener) {
  MCU_DCHECK_THREAD(control_);
  if (info.sip) return AddSipParticipant(id, info, listener);
  // A participant that made the offer (another MCU, over a cascade link this MCU dialled): its
  // offer is checked here, on the control thread, before any socket is bound.
  std::optional<sdp::Session> remote_offer;
  if (!info.remote_offer.empty()) {
    auto parsed = sdp::Parse(info.remote_offer);
    if (!parsed) return MakeError(ErrorKind::kInvalid, "invalid SDP offer: " + parsed.error());
    remote_offer = std::move(*parsed);
  }
  MixPeer* peer = nullptr;
  Status started = OkStatus();
  sdp::Session local;
  std::optional<sdp::RemoteDescription> remote;
  auto io = io_;
  loop()->Invoke([&] {
    int kbps = info.max_receive_kbps;
    // A preview takes the lowest tier already encoded for the sites, so that watching costs no
    // encoder; only while no site receives a tier does it open the one it asked for.
    if (info.receive_only)
      for (size_t t = std::min(io->receivers.size(), tiers_.size()); t-- > 0;)
        if (io->receivers[t] > 0 && tiers_[t].codec == VideoCodec::kVp8) {
          kbps = tiers_[t].bitrate_kbps;
          break;
        }
    auto kind = remote_offer ? PeerKind::kWebRtcAnswerer : PeerKind::kWebRtcOfferer;
    auto owned = std::make_unique<MixPeer>(engine_, io.get(), audio_.get(), id, listener, kbps,
                                           info.content, info.receive_only, kind);
    peer = owned.get();
    started = peer->webrtc()->Start();
    sdp::OfferOptions opt;
    opt.audio_ssrc = peer->transport().local_ssrc(sdp::Kind::kAudio);
    opt.video_ssrc = peer->transport().local_ssrc(sdp::Kind::kVideo);
    if (started && remote_offer) {
      auto answer = sdp::AnswerOffer(*remote_offer, peer->webrtc()->local(), sdp::DefaultCodecs(),
                                     opt, RandomSessionId());
      if (answer)
        started = CheckPayloadTypes(answer->remote);
      else
        started = answer.failure();
      if (started) {
        local = std::move(answer->answer);
        remote = std::move(answer->remote);
        started = peer->webrtc()->ApplyRemote(*remote);
      }
    } else if (started) {
      local =
          sdp::BuildOffer(peer->webrtc()->local(), sdp::DefaultCodecs(), opt, RandomSessionId());
    }
    if (!started) {
      peer = nullptr;  // `owned` goes with its transport, here on mcu-io.
      return;
    }
    io->peers[id] = std::move(owned);
  });
  if (!started) return started.failure();
  sites_[id].id = id;
  // The tile's caption: the site's name, and what a content connection shows.
  sites_[id].name = info.display_name + (info.content ? " (nội dung)" : "");
  sites_[id].content = info.content;
  sites_[id].receive_only = info.receive_only;
  sites_[id].link = info.link;
  sites_[id].max_receive_kbps = info.max_receive_kbps;
  if (!info.content) audio_->AddSite(id);  // Content is never mixed and receives no mix.
  std::string text = sdp::Write(local);
  if (remote) {
    OnAnswer(id, *remote);  // The offer says what it sends and receives, as an answer would.
    return std::unique_ptr<MediaEndpoint>(
        new MixEndpoint(this, id, std::move(text), std::nullopt, peer));
  }
  return std::unique_ptr<MediaEndpoint>(
      new MixEndpoint(this, id, std::move(text), std::move(local), peer));
}

void MixRoom::OnAnswer(ParticipantId id, const sdp::RemoteDescription& remote) {
  MCU_DCHECK_THREAD(control_);
  auto it = sites_.find(id);
  if (it == sites_.end() || it->second.answered) return;
  Site& s = it->second;
  s.answered = true;
  const sdp::RemoteMedia* video = remote.Find(sdp::Kind::kVideo);
  auto dir = video ? video->direction : sdp::Direction::kInactive;
  bool sends = !s.receive_only && video && !video->codecs.empty() &&
               (dir == sdp::Direction::kSendRecv || dir == sdp::Direction::kSendOnly);
  // What it takes of the composite: VP8 (WebRTC sites), or H.264 (SIP room systems, and a
  // WebRTC site whose answer puts H.264 first: a browser that prefers it).
  const bool webrtc_h264 = !s.sip && video && !video->codecs.empty() &&
                           strcasecmp(video->codecs.front().name.c_str(), "H264") == 0;
  const char* takes = s.sip || webrtc_h264 ? "H264" : "VP8";
  const int h264_pt = webrtc_h264 ? video->codecs.front().payload_type : -1;
  bool receives = false;
  // Content receives nothing: never a receiver of a tier, whatever its answer says.
  if (!s.content && (dir == sdp::Direction::kSendRecv || dir == sdp::Direction::kRecvOnly))
    for (const auto& c : video->codecs) receives |= strcasecmp(c.name.c_str(), takes) == 0;
  if (webrtc_h264 && receives)
    spdlog::info("mixing room {}: {} prefers H264: it receives the H.264 composite", name_, s.name);
  s.video = sends || receives;
  if (s.video)
    AddVideoSite();
  else
    spdlog::info("mixing room {}: {} is audio only (no tile, no composite)", name_, s.name);
  if (s.content) spdlog::info("mixing room {}: {} is shared content", name_, s.name);
  GRef<GstElement> src;
  if (sends) {
    bool h264 = strcasecmp(video->codecs.front().name.c_str(), "H264") == 0;
    spdlog::info("mixing room {}: {} sends {} video{}", name_, s.name, h264 ? "H264" : "VP8",
                 receives ? "" : std::string(" and cannot receive the ") + takes + " composite");
    if (AddBranch(s, h264)) src = GRef<GstElement>::Share(s.branch.front());
  }
  GRef<GstPad> card = GRef<GstPad>::Share(s.card_pad.get());
  // A link receives a composite of its own, without its tile (mcu/cascade.h).
  const int own =
      s.link && receives ? AddLinkView(s, webrtc_h264 ? VideoCodec::kH264 : VideoCodec::kVp8) : -1;
  const Tier own_tier = own >= 0 ? views_.at(id).tier : Tier{};
  loop()->Post([io = io_, id, src, card, receives, h264_pt, own, own_tier] {
    auto p = io->peers.find(id);
    if (p == io->peers.end()) return;
    if (h264_pt >= 0 && receives) p->second->TakeH264Composite(h264_pt);
    if (own >= 0) p->second->TakeOwnComposite(own, own_tier);
    if (src) p->second->SetAppSrc(src);
    if (card) p->second->SetNameCard(card);
    p->second->SetReceivesVideo(receives);
  });
}

std::vector<PlanSite> MixRoom::ShownSites() const {
  MCU_DCHECK_THREAD(control_);
  std::vector<PlanSite> shown;
  for (const auto& [id, s] : sites_)
    if (s.shown()) shown.push_back({id, s.content});
  return shown;
}

void MixRoom::Relayout() {
  MCU_DCHECK_THREAD(control_);
  const LayoutPlan plan =
      PlanLayout(kind_, spotlight_, speaker_, ShownSites(), kCanvasWidth, kCanvasHeight);
  main_ = plan.main;
  const int tiles = plan.tiles;
  layout_tiles_ = tiles;
  // Only what changed goes to the pipeline and to the sites.
  std::map<ParticipantId, Tile> wanted;  // The size each site is asked for.
  for (const PlannedSite& planned : plan.sites) wanted[planned.id] = planned.ask;
  std::set<ParticipantId> in_views;  // Sites with a tile in a link's view: decoded too.
  RelayoutViews(wanted, in_views);
  std::vector<std::tuple<ParticipantId, int, int>> asks;
  std::vector<std::tuple<ParticipantId, bool, bool>> shown_state;
  for (const PlannedSite& planned : plan.sites) {
    Site& s = sites_.at(planned.id);
    const Tile& t = planned.tile;
    const bool visible = planned.visible;
    if (!s.placed || t.width != s.tile.width || t.height != s.tile.height) {
      auto caps = GRef<GstCaps>::Adopt(gst_caps_new_simple(
          "video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, t.width, "height",
          G_TYPE_INT, t.height, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, nullptr));
      g_object_set(s.capsfilter, "caps", caps.get(), nullptr);
    }
    if (!s.placed || t != s.tile || visible != s.visible) {
      g_object_set(s.compositor_pad.get(), "xpos", t.x, "ypos", t.y, "width", t.width, "height",
                   t.height, "alpha", visible ? 1.0 : 0.0, nullptr);
      if (s.card_pad)
        g_object_set(s.card_pad.get(), "xpos", t.x, "ypos", t.y, "width", t.width, "height",
                     t.height, nullptr);
    }
    s.placed = true, s.tile = t, s.visible = visible;
    const Tile& ask = wanted[planned.id];
    if (ask.width != s.sent_width || ask.height != s.sent_height || tiles != s.sent_tiles) {
      s.sent_width = ask.width, s.sent_height = ask.height, s.sent_tiles = tiles;
      asks.emplace_back(s.id, ask.width, ask.height);
    }
    shown_state.emplace_back(s.id, visible || in_views.count(s.id), s.video_muted);
  }
  // The listener hears from the media core on the I/O thread.
  loop()->Post([io = io_, asks = std::move(asks), shown_state = std::move(shown_state), tiles] {
    for (const auto& [id, w, h] : asks)
      if (auto p = io->peers.find(id); p != io->peers.end()) p->second->AskSendSize(w, h, tiles);
    for (const auto& [id, visible, muted] : shown_state)
      if (auto p = io->peers.find(id); p != io->peers.end()) p->second->SetShown(visible, muted);
  });
  UpdateBorder();
}

void MixRoom::SetMuted(ParticipantId id, bool audio, bool video) {
  MCU_DCHECK_THREAD(control_);
  auto it = sites_.find(id);
  if (it == sites_.end()) return;
  Site& s = it->second;
  if (audio != s.audio_muted) {
    s.audio_muted = audio;
    if (!s.content) audio_->SetMuted(id, audio);
    spdlog::info("mixing room {}: {} audio {}", name_, s.name, audio ? "muted" : "unmuted");
  }
  if (video != s.video_muted) {
    s.video_muted = video;
    spdlog::info("mixing room {}: {} video {}", name_, s.name, video ? "muted" : "unmuted");
    if (s.shown()) Relayout();  // Posts the site's new state to mcu-io; geometry is unchanged.
  }
}

void MixRoom::SetLayout(LayoutKind kind, ParticipantId spotlight) {
  MCU_DCHECK_THREAD(control_);
  if (kind == kind_ && spotlight == spotlight_) return;
  kind_ = kind;
  spotlight_ = spotlight;
  spdlog::info("mixing room {}: layout {}, spotlight {}", name_, static_cast<int>(kind), spotlight);
  Relayout();
}

void MixRoom::SetActiveSpeaker(ParticipantId id) {
  MCU_DCHECK_THREAD(control_);
  if (id == speaker_) return;
  speaker_ = id;
  // A link's view keeps the last speaker that was not the link.
  bool views_changed = false;
  for (auto& [link, view] : views_)
    if (id && id != link && id != view.speaker) view.speaker = id, views_changed = true;
  if (views_changed || MainSiteOf(kind_, spotlight_, speaker_, ShownSites()) != main_)
    Relayout();  // Voice-activated: the main tile changes hands (and the border moves).
  else
    UpdateBorder();
}

void MixRoom::RemoveParticipant(ParticipantId id) {
  MCU_DCHECK_THREAD(control_);
  audio_->RemoveSite(id);
  auto io = io_;
  loop()->Post([io, id] { io->peers.erase(id); });
  auto it = sites_.find(id);
  if (it == sites_.end()) return;
  Site s = std::move(it->second);
  sites_.erase(it);
  for (auto& [link, b] : s.views) RemoveViewBranch(s.tee, b, views_.at(link));
  RemoveLinkView(id);
  if (s.shown()) {
    // Stop the branch first (its streaming thread ends), then take it out of the compositor.
    for (GstElement* e : s.branch) gst_element_set_state(e, GST_STATE_NULL);
    gst_pad_unlink(GRef<GstPad>::Adopt(gst_element_get_static_pad(s.branch.back(), "src")).get(),
                   s.compositor_pad.get());
    gst_element_release_request_pad(compositor_.get(), s.compositor_pad.get());
    for (GstElement* e : s.branch) gst_bin_remove(GST_BIN(pipeline_.get()), e);
    if (s.card) {
      gst_element_set_state(s.card, GST_STATE_NULL);
      gst_element_release_request_pad(compositor_.get(), s.card_pad.get());
      gst_bin_remove(GST_BIN(pipeline_.get()), s.card);
    }
    Relayout();
  }
  if (s.video) RemoveVideoSite();
}

Expected<std::unique_ptr<MediaRoom>> CreateMixRoom(TransportMediaEngine* engine,
                                                   const std::string& name,
                                                   MediaRoom::Listener* listener) {
  auto room = std::make_unique<MixRoom>(engine, name, listener);
  auto st = room->Start();
  if (!st) return st.failure();
  return std::unique_ptr<MediaRoom>(std::move(room));
}

}  // namespace mcu::media
