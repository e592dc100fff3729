#include "media/mix_room.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <opus/opus.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "media/active_speaker.h"
#include "media/audio_mix.h"
#include "media/clock.h"
#include "media/gobject_ptr.h"
#include "media/jitter_buffer.h"
#include "media/keyframe_coalescer.h"
#include "media/layout.h"
#include "media/media_engine.h"
#include "media/tier.h"

namespace mcu::media {
namespace {

constexpr uint8_t kOpusPt = 111;
constexpr uint8_t kVp8Pt = 96;
constexpr uint8_t kH264Pt = 102;

// The mixing room's packet path knows the payload types it offers. Another MCU offers the same
// ones; an offer that numbers them otherwise is refused rather than half understood.
Status CheckPayloadTypes(const sdp::RemoteDescription& remote) {
  for (const auto& m : remote.media)
    for (const auto& c : m.codecs) {
      uint8_t want = m.kind == sdp::Kind::kAudio ? kOpusPt : c.name == "VP8" ? kVp8Pt : kH264Pt;
      if (c.payload_type != want)
        return MakeError("the offer numbers " + c.name + " " + std::to_string(c.payload_type) +
                         ", not " + std::to_string(want));
    }
  return OkStatus();
}
constexpr int kCanvasWidth = 1280, kCanvasHeight = 720;
constexpr int64_t kStallUs = 2'000'000;
// At most two forced keyframes per tier per second: a site joining waits at most half a second
// for its first composite frame, and a storm of PLIs costs at most two extra keyframes a second.
constexpr int64_t kKeyframeIntervalUs = 500'000;

// A still I420 frame with `name` in the middle of a dark tile, made once per site (the compositor
// scales it to the tile, only while it is shown).
GRef<GstSample> RenderNameCard(const std::string& name) {
  auto p = GRef<GstElement>::AdoptSink(gst_parse_launch(
      "videotestsrc num-buffers=1 pattern=solid-color foreground-color=0xff1e2630 ! "
      "video/x-raw,format=I420,width=640,height=360,framerate=30/1 ! "
      "textoverlay name=t valignment=center halignment=center font-desc=\"Sans Bold 28\" ! appsink "
      "name=s sync=false",
      nullptr));
  if (!p) return {};
  auto t = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(p.get()), "t"));
  g_object_set(t.get(), "text", name.c_str(), nullptr);
  auto s = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(p.get()), "s"));
  gst_element_set_state(p.get(), GST_STATE_PLAYING);
  auto sample =
      GRef<GstSample>::Adopt(gst_app_sink_try_pull_sample(GST_APP_SINK(s.get()), 2 * GST_SECOND));
  gst_element_set_state(p.get(), GST_STATE_NULL);
  return sample;
}

// One encoded composite frame of a tier, as RTP packets from the payloader, with their
// sequence numbers and timestamps read once here rather than once per receiver.
struct TierFrame {
  struct Packet {
    std::vector<uint8_t> data;
    uint16_t sequence;
    uint32_t timestamp;
  };
  int tier = 0;
  bool keyframe = false;
  std::vector<Packet> packets;
};

// ----- Audio: one thread per room, a 20 ms tick ------------------------------------------------

class AudioMixThread {
 public:
  // Receives, every 20 ms, the payload for each site (silent sites share one pointer).
  using Output = std::function<void(
      std::vector<std::pair<ParticipantId, std::shared_ptr<const std::vector<uint8_t>>>>)>;
  // The active speaker changed (0: none), on the audio thread.
  using SpeakerOutput = std::function<void(ParticipantId)>;

  AudioMixThread(std::string name, Output output, SpeakerOutput speaker)
      : output_(std::move(output)), speaker_output_(std::move(speaker)) {
    shared_encoder_ = NewEncoder();
    thread_ = std::thread([this, name] {
      pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
      Run();
    });
  }
  ~AudioMixThread() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    for (auto& [id, s] : sites_) FreeSite(*s);
    opus_encoder_destroy(shared_encoder_);
  }

  void AddSite(ParticipantId id) {
    auto s = std::make_shared<Site>();
    int err = 0;
    s->decoder = opus_decoder_create(kMixRate, 1, &err);
    std::lock_guard lock(mu_);
    sites_[id] = std::move(s);
    sites_changed_ = true;
  }
  // A muted site is heard by nobody: its packets are taken from its jitter buffer and dropped
  // undecoded, and it is neither a talker nor a candidate active speaker.
  void SetMuted(ParticipantId id, bool muted) {
    std::lock_guard lock(mu_);
    if (auto it = sites_.find(id); it != sites_.end()) it->second->muted = muted;
  }
  void RemoveSite(ParticipantId id) {
    std::shared_ptr<Site> s;
    {
      std::lock_guard lock(mu_);
      auto it = sites_.find(id);
      if (it == sites_.end()) return;
      s = it->second;
      sites_.erase(it);
      sites_changed_ = true;
    }
    std::lock_guard lock(tick_mu_);  // Not while the tick uses its codec state.
    FreeSite(*s);
  }
  // From mcu-io: one Opus packet (20 ms).
  void Push(ParticipantId id, uint16_t seq, std::span<const uint8_t> payload) {
    std::lock_guard lock(mu_);
    auto it = sites_.find(id);
    if (it == sites_.end()) return;
    it->second->pending.push_back({seq, {payload.begin(), payload.end()}});
    if (it->second->pending.size() > 50) it->second->pending.erase(it->second->pending.begin());
  }

  uint64_t ticks() const { return ticks_; }

 private:
  struct Site {
    std::vector<std::pair<uint16_t, std::vector<uint8_t>>> pending;  // Guarded by mu_.
    AudioJitterBuffer jitter;
    OpusDecoder* decoder = nullptr;
    OpusEncoder* encoder = nullptr;  // Its own mix-minus, while it talks.
    std::vector<int16_t> pcm = std::vector<int16_t>(kMixFrameSamples);
    bool has_pcm = false;
    std::atomic<bool> muted{false};
  };

  static OpusEncoder* NewEncoder() {
    int err = 0;
    OpusEncoder* e = opus_encoder_create(kMixRate, 1, OPUS_APPLICATION_VOIP, &err);
    opus_encoder_ctl(e, OPUS_SET_BITRATE(32000));
    opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(5));
    opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(1));
    return e;
  }
  static void FreeSite(Site& s) {
    if (s.decoder) opus_decoder_destroy(s.decoder);
    if (s.encoder) opus_encoder_destroy(s.encoder);
    s.decoder = nullptr;
    s.encoder = nullptr;
  }

  static std::shared_ptr<const std::vector<uint8_t>> Encode(OpusEncoder* e,
                                                            std::span<const int16_t> pcm) {
    auto out = std::make_shared<std::vector<uint8_t>>(1275);
    int n = opus_encode(e, pcm.data(), kMixFrameSamples, out->data(),
                        static_cast<opus_int32>(out->size()));
    if (n < 0) return nullptr;
    out->resize(n);
    return out;
  }

  void Run() {
    auto next = std::chrono::steady_clock::now();
    std::unique_lock lock(mu_);
    while (!stop_) {
      next += std::chrono::milliseconds(20);
      if (cv_.wait_until(lock, next, [&] { return stop_; })) break;
      if (std::chrono::steady_clock::now() - next > std::chrono::milliseconds(200))
        next = std::chrono::steady_clock::now();  // Fell far behind (suspended): do not burst.
      std::vector<std::pair<ParticipantId, std::shared_ptr<Site>>> sites(sites_.begin(),
                                                                         sites_.end());
      std::vector<std::vector<std::pair<uint16_t, std::vector<uint8_t>>>> pending;
      for (auto& [id, s] : sites) pending.push_back(std::move(s->pending)), s->pending.clear();
      // Mix-minus matches its talker history to sites by index: a new site list starts afresh.
      if (sites_changed_) mix_.ForgetHistory();
      sites_changed_ = false;
      lock.unlock();
      Tick(sites, pending);
      lock.lock();
    }
  }

  void Tick(std::vector<std::pair<ParticipantId, std::shared_ptr<Site>>>& sites,
            std::vector<std::vector<std::pair<uint16_t, std::vector<uint8_t>>>>& pending) {
    std::lock_guard tick(tick_mu_);
    ++ticks_;
    std::vector<std::span<const int16_t>> inputs;
    std::vector<uint8_t> packet;
    for (size_t i = 0; i < sites.size(); ++i) {
      Site& s = *sites[i].second;
      for (auto& [seq, payload] : pending[i]) s.jitter.Insert(seq, payload);
      s.has_pcm = false;
      if (!s.decoder) {
        inputs.emplace_back();
        continue;
      }
      auto r = s.jitter.Pop(packet);
      if (s.muted) {  // Kept flowing (so unmuting starts from fresh packets), not decoded.
        inputs.emplace_back();
        continue;
      }
      int n = 0;
      if (r == AudioJitterBuffer::Result::kPacket)
        n = opus_decode(s.decoder, packet.data(), static_cast<opus_int32>(packet.size()),
                        s.pcm.data(), kMixFrameSamples, 0);
      else if (r == AudioJitterBuffer::Result::kLost)
        n = opus_decode(s.decoder, nullptr, 0, s.pcm.data(), kMixFrameSamples, 0);  // Concealment.
      s.has_pcm = n == kMixFrameSamples;
      inputs.push_back(s.has_pcm ? std::span<const int16_t>(s.pcm) : std::span<const int16_t>());
    }
    mix_.Mix(inputs);
    levels_.clear();
    for (size_t i = 0; i < sites.size(); ++i)
      levels_.push_back({sites[i].first,
                         inputs[i].empty() ? std::nullopt : std::optional<double>(mix_.level(i))});
    if (speaker_.Tick(levels_)) speaker_output_(speaker_.speaker());
    auto shared = Encode(shared_encoder_, mix_.full_mix());
    std::vector<std::pair<ParticipantId, std::shared_ptr<const std::vector<uint8_t>>>> out;
    for (size_t i = 0; i < sites.size(); ++i) {
      Site& s = *sites[i].second;
      std::shared_ptr<const std::vector<uint8_t>> payload = shared;
      if (mix_.talking(i)) {
        if (!s.encoder) s.encoder = NewEncoder();
        payload = Encode(s.encoder, mix_.For(i));
      }
      if (payload) out.emplace_back(sites[i].first, std::move(payload));
    }
    if (!out.empty()) output_(std::move(out));
  }

  Output output_;
  SpeakerOutput speaker_output_;
  OpusEncoder* shared_encoder_ = nullptr;
  MixMinus mix_;                   // Audio thread.
  ActiveSpeakerDetector speaker_;  // Audio thread.
  std::vector<SpeakerLevel> levels_;
  std::mutex mu_;  // sites_, pending queues, stop_, sites_changed_.
  bool sites_changed_ = false;
  std::mutex tick_mu_;  // Codec state during a tick.
  std::condition_variable cv_;
  bool stop_ = false;
  std::map<ParticipantId, std::shared_ptr<Site>> sites_;
  std::atomic<uint64_t> ticks_{0};
  std::thread thread_;
};

// ----- The room -------------------------------------------------------------------------------

class MixRoom;

// One site of a mixing room, on mcu-io from creation to deletion.
class MixPeer : public PeerTransport::Listener {
 public:
  MixPeer(MixRoom* room, ParticipantId id, MediaEndpoint::Listener* listener, int max_receive_kbps,
          bool content, bool receive_only, PeerTransport::Role role);
  ~MixPeer() override;
  PeerTransport& transport() { return transport_; }
  ParticipantId id() const { return id_; }

  void OnTransportConnected(PeerTransport& t) override;
  void OnTransportFailed(PeerTransport&, const std::string& reason) override {
    listener_->OnMediaFailed(id_, reason);
  }
  void OnTransportClosedByPeer(PeerTransport&) override { listener_->OnMediaClosed(id_); }
  void OnTransportRtp(PeerTransport& t, sdp::Kind kind, const rtp::RtpHeader& h,
                      std::span<uint8_t> packet) override;
  void OnTransportKeyframeRequest(PeerTransport&) override;

  // mcu-io, once, from the site's answer (before its transport can connect): the site's video
  // branch if it sends video (a new reference), its name card, and whether it receives the
  // composite. An audio-only site gets none of them and costs nothing on the video path.
  void SetAppSrc(GRef<GstElement> appsrc) { appsrc_ = std::move(appsrc); }
  void SetNameCard(GRef<GstPad> pad) {
    card_pad_ = std::move(pad);
    UpdateCard();
  }
  void SetReceivesVideo(bool v);
  void AskSendSize(int w, int h, int tiles) { listener_->OnSendSize(id_, w, h, tiles); }
  void NotifyActiveSpeaker(ParticipantId speaker) { listener_->OnActiveSpeaker(speaker); }
  // Decoded only while it has a tile (`visible`: not beyond the layout's tiles, not hidden by a
  // voice-activated layout) and its video is not muted; decoded again, it starts on a keyframe.
  // A muted site's tile shows its name card.
  void SetShown(bool visible, bool video_muted);
  void Tick(int64_t now);
  void SendVideo(const TierFrame& f, int64_t now);
  void SendAudio(const std::vector<uint8_t>& payload);
  int tier() const { return tier_; }
  nlohmann::json MixStats() const;
  // Its transport's counters, with the keyframes and sizes only the mix knows.
  ParticipantStats Stats(const std::vector<Tier>& tiers) const;

 private:
  void Drain(int64_t now);
  bool decoding() const { return visible_ && !video_muted_; }
  // The name card covers the tile while the site has one and its video is muted, has stalled, or
  // (decoded again) waits for its keyframe. Only here, on mcu-io, is the card's alpha set.
  void UpdateCard();

  MixRoom* room_;
  ParticipantId id_;
  MediaEndpoint::Listener* listener_;
  PeerTransport transport_;
  GRef<GstElement> appsrc_;
  GRef<GstPad> card_pad_;  // The compositor pad of the site's name card.
  int64_t last_frame_us_ = 0;
  bool stalled_ = false;            // No frame for kStallUs: the name card covers the held frame.
  bool visible_ = true;             // It has a tile.
  bool video_muted_ = false;        // Its tile shows its name card; its frames are not decoded.
  bool awaiting_keyframe_ = false;  // Decoded again: the card stays until its keyframe goes in.
  bool card_shown_ = false;
  bool content_ = false;       // A site's shared content: video in only; no audio, no composite.
  bool receive_only_ = false;  // A console preview: nothing it sends is used.
  std::optional<FrameAssembler> assembler_;
  uint8_t video_pt_ = 0;
  bool receives_video_ = false;  // Until its answer says so.
  TierSelector selector_;
  int tier_ = 0;
  bool counted_ = false;       // Counted as a receiver of tier_.
  bool tier_started_ = false;  // A keyframe of its tier reached it.
  int64_t next_tier_check_us_ = 0;
  RtpRewriter rewriter_;
  uint16_t audio_seq_ = static_cast<uint16_t>(RandomSessionId());
  uint32_t audio_ts_ = static_cast<uint32_t>(RandomSessionId());
  bool audio_started_ = false;
  std::vector<uint8_t> audio_packet_;  // Reused: one per 20 ms.
  uint64_t frames_in_ = 0, frames_out_ = 0, audio_out_ = 0;
  uint64_t keyframes_in_ = 0, keyframes_out_ = 0;
  int width_in_ = 0, height_in_ = 0;  // Of its last VP8 keyframe.
};

class MixEndpoint;

class MixRoom : public MediaRoom {
 public:
  MixRoom(TransportMediaEngine* engine, std::string name)
      : engine_(engine), name_(std::move(name)) {}
  ~MixRoom() override;
  Status Start();

  Expected<std::unique_ptr<MediaEndpoint>> AddParticipant(
      ParticipantId id, const ParticipantMediaInfo& info,
      MediaEndpoint::Listener* listener) override;
  // Control thread (the domain's executor), as everything that changes the layout.
  void SetMuted(ParticipantId id, bool audio, bool video) override;
  void SetLayout(LayoutKind kind, ParticipantId spotlight) override;
  void SetActiveSpeaker(ParticipantId id) override;
  RoomStats Stats() override;

  // Control thread.
  void OnAnswer(ParticipantId id, const sdp::RemoteDescription& remote);
  void RemoveParticipant(ParticipantId id, MixPeer* peer);

  // mcu-io.
  IoLoop* loop() { return engine_->loop(); }
  TransportMediaEngine* engine() { return engine_; }
  AudioMixThread* audio() { return audio_.get(); }

 private:
  struct Site {
    ParticipantId id = 0;
    std::string name;
    // appsrc ! decoder ! videoconvert ! videoscale ! capsfilter ! textoverlay, in the pipeline.
    std::vector<GstElement*> branch;  // Owned by the pipeline.
    GstElement* capsfilter = nullptr;
    GRef<GstPad> compositor_pad;
    GstElement* card = nullptr;  // appsrc holding the name card (owned by the pipeline).
    GRef<GstPad> card_pad;
    int sent_width = 0, sent_height = 0, sent_tiles = 0;  // Last size asked of the site.
    bool answered = false;
    bool video = false;  // Sends or receives video: keeps the composite running.
    bool content = false;
    bool receive_only = false;  // Never sends to the room: never a tile.
    bool audio_muted = false, video_muted = false;
    bool placed = false;   // `tile` and `visible` are what the pads were last set to.
    bool visible = false;  // Has a tile in the current layout.
    Tile tile;
    bool shown() const { return !branch.empty(); }
  };
  // State on mcu-io, shared with the threads that post to it.
  struct IoState {
    std::map<ParticipantId, MixPeer*> peers;
    std::vector<KeyframeCoalescer> coalescers;
    std::vector<GRef<GstElement>> encoders;
    std::vector<GRef<GstElement>> valves;
    std::vector<int> receivers;  // Per tier.
    int64_t idle_close_us = 0;   // When tiers nobody receives are first closed.
    guint timer = 0;
    // A receiver moves between tiers (-1: none): opens or closes valves, asks for a keyframe.
    void SetTier(int from, int to);
    // A keyframe for `tier`, through its coalescer (forced now, or when Poll says so).
    void RequestKeyframe(int tier, int64_t now);
    void ForceKeyframe(int tier) {
      gst_element_send_event(encoders[tier].get(), gst_video_event_new_upstream_force_key_unit(
                                                       GST_CLOCK_TIME_NONE, TRUE, 0));
    }
  };

  static GstFlowReturn OnTierSample(GstAppSink* sink, gpointer data);
  // The pipeline's bus, on the thread that posts: logs warnings and errors, drops everything.
  static GstBusSyncReply OnBusMessage(GstBus* bus, GstMessage* msg, gpointer self);
  // The composite runs only while a site sends or receives video: an audio-only conference
  // composes, scales and encodes nothing. Control thread.
  void AddVideoSite();
  void RemoveVideoSite();
  // Places every site with a branch: main site first, then the spotlight, then join order;
  // sites without a tile are not decoded. Only what changed is set on the pads.
  void Relayout();
  // The site in the main tile (kSpeaker, kSingle, kPresenter with content), or first in the
  // grid (the spotlight); nullptr for a plain grid. `shown` in join order.
  Site* MainSite(const std::vector<Site*>& shown, LayoutKind kind);
  LayoutKind EffectiveKind(const std::vector<Site*>& shown) const;
  std::vector<Site*> ShownSites();
  // The highlight around the active speaker's tile (hidden when it has none or alone on the
  // canvas).
  void UpdateBorder();
  void AddBorder();
  void StartBorder();  // Pushes the border's still frame: after each start of the pipeline.
  bool AddBranch(Site& s, bool h264);  // The site's decode/scale/name branch, linked and playing.
  void AddNameCard(Site& s);
  void DeliverTierFrame(std::shared_ptr<TierFrame> f);

  TransportMediaEngine* engine_;
  std::string name_;
  std::atomic<int64_t> last_bus_log_us_{0};  // Declared before the pipeline: outlives it.
  GRef<GstElement> pipeline_;
  GRef<GstElement> compositor_;
  std::vector<Tier> tiers_ = DefaultTiers();
  std::map<ParticipantId, Site> sites_;  // Control thread; in join order by id.
  int video_sites_ = 0;                  // Control thread: sites with Site::video.
  LayoutKind kind_ = LayoutKind::kGrid;  // Control thread, as the four below.
  ParticipantId spotlight_ = 0;
  ParticipantId speaker_ = 0;  // As the domain last handed it back.
  ParticipantId main_ = 0;     // In the main tile (0: none, a plain grid).
  int layout_tiles_ = 0;
  // Four thin bars (top, bottom, left, right) at zorder 3 around the speaker's tile: each a
  // 16x16 still frame of the highlight colour that the compositor stretches to a 4-pixel bar.
  struct BorderBar {
    GstElement* src = nullptr;  // appsrc, owned by the pipeline.
    GRef<GstPad> pad;
  };
  std::vector<BorderBar> border_;
  Tile border_tile_;
  bool border_shown_ = false;
  std::shared_ptr<IoState> io_ = std::make_shared<IoState>();
  std::unique_ptr<AudioMixThread> audio_;
  struct TierSink {
    MixRoom* room = nullptr;
    int tier = 0;
    // Written by the tier's streaming thread, read by Stats().
    std::atomic<uint64_t> frames{0}, late_frames{0};
  };
  std::vector<std::unique_ptr<TierSink>> tier_sinks_;
  friend class MixPeer;
};

// ----- MixPeer --------------------------------------------------------------------------------

MixPeer::MixPeer(MixRoom* room, ParticipantId id, MediaEndpoint::Listener* listener,
                 int max_receive_kbps, bool content, bool receive_only, PeerTransport::Role role)
    : room_(room),
      id_(id),
      listener_(listener),
      transport_(room->engine()->loop(), room->engine()->transport_config(),
                 room->engine()->dtls_context(), this, role),
      content_(content),
      receive_only_(receive_only),
      selector_(DefaultTiers()) {
  tier_ = selector_.Choose(max_receive_kbps);
}

MixPeer::~MixPeer() {
  if (counted_) room_->io_->SetTier(tier_, -1);
  transport_.Close();
}

void MixPeer::OnTransportConnected(PeerTransport& t) {
  listener_->OnMediaConnected(id_, t.Stats().srtp_profile);
  if (appsrc_) t.RequestKeyframe(0);  // Its decoder starts on a keyframe.
  SetReceivesVideo(receives_video_);
}

void MixPeer::SetReceivesVideo(bool v) {
  receives_video_ = v;
  // Counted as a receiver of its tier while it receives video and is connected.
  bool count = v && transport_.connected();
  if (count == counted_) return;
  counted_ = count;
  if (count)
    room_->io_->SetTier(-1, tier_);  // Opens the tier if needed, asks it for a keyframe.
  else
    room_->io_->SetTier(tier_, -1);
}

void MixPeer::OnTransportRtp(PeerTransport& t, sdp::Kind kind, const rtp::RtpHeader& h,
                             std::span<uint8_t> packet) {
  if (receive_only_) return;
  auto payload = packet.subspan(h.header_size, h.payload_size);
  if (kind == sdp::Kind::kAudio) {
    // Content has no voice: its audio, if it sends any, is not mixed.
    if (h.payload_type == kOpusPt && !content_) room_->audio()->Push(id_, h.sequence, payload);
    return;
  }
  if (h.payload_type != video_pt_ || !assembler_) {
    if (h.payload_type != kVp8Pt && h.payload_type != kH264Pt) return;
    video_pt_ = h.payload_type;
    assembler_.emplace(h.payload_type == kVp8Pt ? VideoCodec::kVp8 : VideoCodec::kH264);
  }
  int64_t now = NowUs();
  assembler_->Insert(h.sequence, h.timestamp, h.marker, payload, now);
  Drain(now);
  (void)t;
}

void MixPeer::Drain(int64_t now) {
  if (!assembler_) return;
  for (auto& f : assembler_->Pop(now)) {
    ++frames_in_;
    last_frame_us_ = now;
    if (f.keyframe) {
      ++keyframes_in_;
      if (auto size = KeyframeSize(assembler_->codec(), f.data))
        std::tie(width_in_, height_in_) = *size;
    }
    if (!appsrc_ || !decoding()) continue;
    if (awaiting_keyframe_ && f.keyframe) {
      awaiting_keyframe_ = false;
      UpdateCard();
    }
    // The frame's bytes move into the buffer (no copy); the buffer frees them.
    auto* bytes = new std::vector<uint8_t>(std::move(f.data));
    GstBuffer* buf = gst_buffer_new_wrapped_full(
        GST_MEMORY_FLAG_READONLY, bytes->data(), bytes->size(), 0, bytes->size(), bytes,
        [](gpointer p) { delete static_cast<std::vector<uint8_t>*>(p); });
    if (!f.keyframe) GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
    // Non-blocking: appsrc queues the frame for the site's decoder thread (it is "leaky" so a
    // stuck decoder loses old frames rather than stalling the I/O thread).
    gst_app_src_push_buffer(GST_APP_SRC(appsrc_.get()), buf);
  }
  if (assembler_->TakeKeyframeRequest()) transport_.RequestKeyframe();
}

void MixPeer::SetShown(bool visible, bool video_muted) {
  const bool was_decoding = decoding();
  visible_ = visible;
  video_muted_ = video_muted;
  if (!was_decoding && decoding() && assembler_) {
    assembler_->RestartAtKeyframe();  // Drain asks for it.
    awaiting_keyframe_ = true;
  }
  if (!decoding()) awaiting_keyframe_ = false;
  UpdateCard();
}

void MixPeer::UpdateCard() {
  const bool show = visible_ && (video_muted_ || stalled_ || awaiting_keyframe_);
  if (!card_pad_ || show == card_shown_) return;
  card_shown_ = show;
  g_object_set(card_pad_.get(), "alpha", show ? 1.0 : 0.0, nullptr);
}

void MixPeer::Tick(int64_t now) {
  Drain(now);
  // A site that stops sending keeps its last frame on its tile; after kStallUs its name card
  // covers it, until frames come again.
  bool stalled = last_frame_us_ && now - last_frame_us_ > kStallUs;
  if (stalled != stalled_ && card_pad_) {
    stalled_ = stalled;
    UpdateCard();  // A muted site's card stays whatever its frames do.
    spdlog::info("participant {}: video {}", id_,
                 stalled ? "stopped: showing its name" : "resumed");
  }
  if (!counted_ || now < next_tier_check_us_) return;
  // Once a second: the receiver's loss (its last RTCP report) moves it between tiers.
  next_tier_check_us_ = now + 1'000'000;
  int tier = selector_.OnReceiverReport(transport_.Stats().video_out.fraction_lost, now);
  if (tier == tier_) return;
  spdlog::info("participant {}: composite tier {} -> {}", id_, tier_, tier);
  room_->io_->SetTier(tier_, tier);
  tier_ = tier;
  tier_started_ = false;  // Switch on the new tier's next keyframe; the rewriter keeps it seamless.
}

void MixPeer::OnTransportKeyframeRequest(PeerTransport&) {
  room_->io_->RequestKeyframe(tier_, NowUs());
}

void MixPeer::SendVideo(const TierFrame& f, int64_t now) {
  if (!receives_video_ || !transport_.connected() || f.tier != tier_) return;
  if (!tier_started_) {
    if (!f.keyframe) return;  // Start (or switch) on a keyframe.
    tier_started_ = true;
  }
  for (const auto& p : f.packets) {
    auto out =
        rewriter_.Rewrite(static_cast<uint32_t>(f.tier), p.sequence, p.timestamp, now, 90000);
    transport_.SendRtp(sdp::Kind::kVideo, p.data, out.sequence, out.timestamp);
  }
  ++frames_out_;
  if (f.keyframe) ++keyframes_out_;
}

void MixPeer::SendAudio(const std::vector<uint8_t>& payload) {
  if (!transport_.connected()) return;
  uint8_t header[12] = {0x80, kOpusPt};    // Sequence, timestamp and SSRC: set by SendRtp.
  if (!audio_started_) header[1] |= 0x80;  // Marker: the start of a talkspurt.
  audio_started_ = true;
  audio_packet_.assign(header, header + 12);
  audio_packet_.insert(audio_packet_.end(), payload.begin(), payload.end());
  transport_.SendRtp(sdp::Kind::kAudio, audio_packet_, audio_seq_++, audio_ts_);
  audio_ts_ += kMixFrameSamples;
  ++audio_out_;
}

nlohmann::json MixPeer::MixStats() const {
  // An audio-only site: no tile (no decoder branch) and no tier.
  return {{"tile", static_cast<bool>(appsrc_)},
          {"decoded", static_cast<bool>(appsrc_) && decoding()},
          {"videoMuted", video_muted_},
          {"content", content_},
          {"tier", receives_video_ ? nlohmann::json(tier_) : nlohmann::json(nullptr)},
          {"videoFramesIn", frames_in_},
          {"videoFramesDropped", assembler_ ? assembler_->frames_dropped() : 0},
          {"compositeFramesOut", frames_out_},
          {"audioFramesOut", audio_out_}};
}

ParticipantStats MixPeer::Stats(const std::vector<Tier>& tiers) const {
  ParticipantStats s;
  s.id = id_;
  s.transport = transport_.Stats();
  s.transport.video_in.keyframes = keyframes_in_;
  s.transport.video_out.keyframes = keyframes_out_;
  if (video_pt_) s.video_codec_in = video_pt_ == kVp8Pt ? "VP8" : "H264";
  s.width_in = width_in_, s.height_in = height_in_;
  if (receives_video_ && tier_ >= 0 && tier_ < static_cast<int>(tiers.size())) {
    s.video_codec_out = "VP8";
    s.tier = tier_;
    s.width_out = tiers[tier_].width, s.height_out = tiers[tier_].height;
  }
  return s;
}

// ----- MixEndpoint ----------------------------------------------------------------------------

class MixEndpoint : public TransportEndpoint {
 public:
  MixEndpoint(MixRoom* room, ParticipantId id, std::string local,
              std::optional<sdp::Session> offer_session, MixPeer* peer)
      : TransportEndpoint(room->loop(), std::move(local), std::move(offer_session)),
        room_(room),
        id_(id),
        peer_(peer) {}
  ~MixEndpoint() override { room_->RemoveParticipant(id_, peer_); }

  std::string StatsJson() const override {
    TransportStats stats;
    nlohmann::json mix;
    MixPeer* peer = peer_;
    room_->loop()->Invoke([&] {
      stats = peer->transport().Stats();
      mix = peer->MixStats();
    });
    auto j = nlohmann::json::parse(StatsToJson(stats));
    j["mix"] = mix;
    return j.dump();
  }

 protected:
  PeerTransport* transport() const override { return &peer_->transport(); }
  void OnAnswerAccepted(const sdp::RemoteDescription& remote) override {
    room_->OnAnswer(id_, remote);
  }

 private:
  MixRoom* room_;
  ParticipantId id_;
  MixPeer* peer_;  // Owned by the room's I/O state; deleted on mcu-io.
};

// ----- MixRoom --------------------------------------------------------------------------------

GstBusSyncReply MixRoom::OnBusMessage(GstBus*, GstMessage* msg, gpointer self) {
  auto* room = static_cast<MixRoom*>(self);
  GstMessageType type = GST_MESSAGE_TYPE(msg);
  if (type == GST_MESSAGE_ERROR || type == GST_MESSAGE_WARNING) {
    int64_t now = NowUs();
    int64_t last = room->last_bus_log_us_.load(std::memory_order_relaxed);
    if (now - last >= 1'000'000 && room->last_bus_log_us_.compare_exchange_strong(last, now)) {
      GError* raw_err = nullptr;
      gchar* raw_debug = nullptr;
      bool error = type == GST_MESSAGE_ERROR;
      if (error)
        gst_message_parse_error(msg, &raw_err, &raw_debug);
      else
        gst_message_parse_warning(msg, &raw_err, &raw_debug);
      GErrorPtr err(raw_err);
      GCharPtr debug(raw_debug);
      spdlog::log(error ? spdlog::level::err : spdlog::level::warn, "mixing room {}: {} {}: {}",
                  room->name_, GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), error ? "error" : "warning",
                  err ? err->message : "");
    }
  }
  return GST_BUS_DROP;
}

std::string EncoderBranch(int tier, const Tier& t, bool scale) {
  // A valve per tier: a tier nobody receives is not scaled or encoded. Open at first, so that
  // each encoder is initialised before anyone waits for it (that takes ~150 ms at 720p).
  std::string s =
      "t. ! queue max-size-buffers=2 max-size-time=0 max-size-bytes=0 leaky=downstream ! valve "
      "name=valve" +
      std::to_string(tier) + " drop=false ! ";
  if (scale)
    s += "videoscale ! video/x-raw,width=" + std::to_string(t.width) +
         ",height=" + std::to_string(t.height) + " ! ";
  s += "vp8enc name=enc" + std::to_string(tier) +
       " deadline=1 cpu-used=16 end-usage=cbr threads=1 static-threshold=100 lag-in-frames=0 "
       "keyframe-max-dist=600 "
       "error-resilient=default target-bitrate=" +
       std::to_string(t.bitrate_kbps * 1000) +
       " ! rtpvp8pay pt=96 mtu=1200 picture-id-mode=15-bit ! appsink name=out" +
       std::to_string(tier) + " sync=false async=false buffer-list=true max-buffers=4 drop=true ";
  return s;
}

Status MixRoom::Start() {
  std::string caps = "video/x-raw,format=I420,width=" + std::to_string(kCanvasWidth) +
                     ",height=" + std::to_string(kCanvasHeight) +
                     ",framerate=30/1,pixel-aspect-ratio=1/1,colorimetry=bt601";
  // colorimetry: that of the decoded tiles; left open, a 720-line canvas is taken as BT.709 and
  // the compositor converted every tile or background of another colorimetry every frame (11% of
  // the MCU at 25 sites, bench/profile.sh).
  // No background source: the pipeline runs only while a site has video, so there is always a
  // pad (its tile or its name card), and force-live makes the compositor produce on its own clock
  // regardless of its inputs (a site that stops sending never holds the composite: its pad keeps
  // its last frame). A live black source had cost a full-frame blend and one frame of latency.
  // latency: time for a frame pushed at arrival to be decoded and scaled before its deadline.
  std::string desc =
      "compositor name=comp background=black force-live=true ignore-inactive-pads=true "
      "latency=10000000 ! " +
      caps + " ! tee name=t ";
  for (size_t i = 0; i < tiers_.size(); ++i) desc += EncoderBranch(int(i), tiers_[i], i > 0);
  GError* raw_err = nullptr;
  auto pipeline = GRef<GstElement>::AdoptSink(gst_parse_launch(desc.c_str(), &raw_err));
  if (GErrorPtr err(raw_err); err)
    return MakeError(std::string("composite pipeline: ") + err->message);
  pipeline_ = std::move(pipeline);
  GstElement* p = pipeline_.get();
  // Nothing polls this pipeline's bus: warnings and errors are logged as they are posted (at most
  // one line a second per room) and every message is dropped, so none piles up in a long meeting.
  auto bus = GRef<GstBus>::Adopt(gst_pipeline_get_bus(GST_PIPELINE(p)));
  gst_bus_set_sync_handler(bus.get(), &MixRoom::OnBusMessage, this, nullptr);
  std::string pname = "mix-" + name_;
  gst_object_set_name(GST_OBJECT(p), pname.c_str());
  compositor_ = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(p), "comp"));
  AddBorder();
  for (size_t i = 0; i < tiers_.size(); ++i) {
    io_->coalescers.emplace_back(kKeyframeIntervalUs);
    io_->encoders.push_back(GRef<GstElement>::Adopt(
        gst_bin_get_by_name(GST_BIN(p), ("enc" + std::to_string(i)).c_str())));
    io_->valves.push_back(GRef<GstElement>::Adopt(
        gst_bin_get_by_name(GST_BIN(p), ("valve" + std::to_string(i)).c_str())));
    io_->receivers.push_back(0);
    auto sink = GRef<GstElement>::Adopt(
        gst_bin_get_by_name(GST_BIN(p), ("out" + std::to_string(i)).c_str()));
    tier_sinks_.push_back(std::make_unique<TierSink>());
    tier_sinks_.back()->room = this;
    tier_sinks_.back()->tier = int(i);
    GstAppSinkCallbacks cb{};
    cb.new_sample = &MixRoom::OnTierSample;
    gst_app_sink_set_callbacks(GST_APP_SINK(sink.get()), &cb, tier_sinks_.back().get(), nullptr);
  }
  auto io = io_;
  audio_ = std::make_unique<AudioMixThread>(
      "mcu-audio",
      [loop = engine_->loop(), io](auto out) {
        loop->Post([io, out = std::move(out)] {
          for (const auto& [id, payload] : out) {
            auto it = io->peers.find(id);
            if (it != io->peers.end()) it->second->SendAudio(*payload);
          }
        });
      },
      // Every participant's listener hears of it, on mcu-io as every listener callback; the
      // domain hands it back on its executor (SetActiveSpeaker) for the layout.
      [loop = engine_->loop(), io, name = name_](ParticipantId speaker) {
        spdlog::info("mixing room {}: active speaker {}", name, speaker);
        loop->Post([io, speaker] {
          for (auto& [id, peer] : io->peers) peer->NotifyActiveSpeaker(speaker);
        });
      });
  // The pipeline stays in NULL (built, so a missing plugin fails the room now, but no thread and
  // no codec state) until the first site with video: see AddVideoSite().
  // Frame deadlines (loss) and coalesced keyframe requests, every 20 ms.
  loop()->Invoke([this, io] {
    io->timer = loop()->AddTimer(20, [io] {
      int64_t now = NowUs();
      for (auto& [id, peer] : io->peers) peer->Tick(now);
      if (io->idle_close_us && now >= io->idle_close_us) {
        io->idle_close_us = 0;
        for (size_t i = 0; i < io->valves.size(); ++i)
          if (io->receivers[i] == 0) g_object_set(io->valves[i].get(), "drop", TRUE, nullptr);
      }
      for (size_t i = 0; i < io->coalescers.size(); ++i)
        if (io->coalescers[i].Poll(now)) io->ForceKeyframe(static_cast<int>(i));
      return true;
    });
  });
  return OkStatus();
}

void MixRoom::AddVideoSite() {
  if (video_sites_++ > 0) return;
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    spdlog::error("mixing room {}: composite pipeline cannot start", name_);
  StartBorder();
  // Every tier's encoder runs for its first 2 s, so that its initialisation (~150 ms at 720p) is
  // not on anyone's first frame; then the tiers nobody receives are closed again.
  loop()->Post([io = io_] {
    for (size_t i = 0; i < io->valves.size(); ++i)
      if (io->receivers[i] == 0) g_object_set(io->valves[i].get(), "drop", FALSE, nullptr);
    io->idle_close_us = NowUs() + 2'000'000;
  });
  spdlog::info("mixing room {}: composite {}x{}, {} tiers: started (a site with video)", name_,
               kCanvasWidth, kCanvasHeight, tiers_.size());
}

void MixRoom::RemoveVideoSite() {
  if (--video_sites_ > 0) return;
  // Every site's branch is gone (each is removed before its site), so the compositor has no
  // input: stop it and the encoders; their threads end here.
  gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  spdlog::info("mixing room {}: composite stopped (no site with video)", name_);
}

MixRoom::~MixRoom() {
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  audio_.reset();
  auto io = io_;
  loop()->Invoke([this, io] {
    if (io->timer) loop()->CancelTimer(io->timer);
    for (auto& [id, peer] : io->peers) delete peer;
    io->peers.clear();
  });
}

GstFlowReturn MixRoom::OnTierSample(GstAppSink* sink, gpointer data) {
  auto* ts = static_cast<TierSink*>(data);
  auto owned = GRef<GstSample>::Adopt(gst_app_sink_pull_sample(sink));
  GstSample* sample = owned.get();
  if (!sample) return GST_FLOW_OK;
  auto f = std::make_shared<TierFrame>();
  f->tier = ts->tier;
  auto add = [&](GstBuffer* b) {
    GstMapInfo map;
    if (!gst_buffer_map(b, &map, GST_MAP_READ)) return;
    std::span<const uint8_t> bytes(map.data, map.size);
    if (auto h = rtp::ParseRtp(bytes)) {
      if (f->packets.empty()) {
        auto info =
            InspectVideoPayload(VideoCodec::kVp8, bytes.subspan(h->header_size, h->payload_size));
        f->keyframe = info && info->keyframe;
      }
      f->packets.push_back({{bytes.begin(), bytes.end()}, h->sequence, h->timestamp});
    }
    gst_buffer_unmap(b, &map);
  };
  if (GstBufferList* list = gst_sample_get_buffer_list(sample)) {
    for (guint i = 0; i < gst_buffer_list_length(list); ++i) add(gst_buffer_list_get(list, i));
  } else if (GstBuffer* b = gst_sample_get_buffer(sample)) {
    add(b);
  }
  // How late the encoded frame is against its place on the pipeline clock: the compositor's
  // latency plus the scaling and encoding time; far more means the encoder cannot keep up.
  GstBuffer* first = gst_sample_get_buffer(sample);
  if (GstBufferList* list = gst_sample_get_buffer_list(sample);
      list && gst_buffer_list_length(list) > 0)
    first = gst_buffer_list_get(list, 0);
  auto owned_clock = GRef<GstClock>::Adopt(gst_element_get_clock(GST_ELEMENT(sink)));
  GstClock* clock = owned_clock.get();
  if (clock && first && GST_BUFFER_PTS_IS_VALID(first)) {
    GstClockTime due = gst_segment_to_running_time(gst_sample_get_segment(sample), GST_FORMAT_TIME,
                                                   GST_BUFFER_PTS(first));
    GstClockTime now = gst_clock_get_time(clock) - gst_element_get_base_time(GST_ELEMENT(sink));
    if (GST_CLOCK_TIME_IS_VALID(due) && now > due + TierStats::kLateFrameMs * GST_MSECOND)
      ts->late_frames.fetch_add(1, std::memory_order_relaxed);
  }
  ts->frames.fetch_add(1, std::memory_order_relaxed);
  if (f->packets.empty()) return GST_FLOW_OK;
  ts->room->DeliverTierFrame(std::move(f));
  return GST_FLOW_OK;
}

void MixRoom::DeliverTierFrame(std::shared_ptr<TierFrame> f) {
  // One hand-off per encoded frame; each receiver of the tier gets the same packets.
  auto io = io_;
  loop()->Post([io, f = std::move(f)] {
    int64_t now = NowUs();
    if (f->keyframe) io->coalescers[f->tier].OnKeyframeProduced(now);
    for (auto& [id, peer] : io->peers) peer->SendVideo(*f, now);
  });
}

RoomStats MixRoom::Stats() {
  RoomStats out;
  auto io = io_;
  loop()->Invoke([&] {
    for (const auto& [id, peer] : io->peers) out.participants.push_back(peer->Stats(tiers_));
    for (size_t i = 0; i < tiers_.size(); ++i) {
      TierStats t;
      t.width = tiers_[i].width, t.height = tiers_[i].height, t.kbps = tiers_[i].bitrate_kbps;
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

void MixRoom::IoState::RequestKeyframe(int tier, int64_t now) {
  if (tier >= 0 && tier < static_cast<int>(coalescers.size()) && coalescers[tier].Request(now))
    ForceKeyframe(tier);
}

void MixRoom::IoState::SetTier(int from, int to) {
  auto open = [&](int tier, bool on) {
    g_object_set(valves[tier].get(), "drop", on ? FALSE : TRUE, nullptr);
  };
  if (from >= 0 && --receivers[from] == 0) open(from, false);
  if (to >= 0) {
    if (receivers[to]++ == 0) open(to, true);
    RequestKeyframe(to, NowUs());  // A new receiver needs one; coalesced with everyone else's.
  }
}

Expected<std::unique_ptr<MediaEndpoint>> MixRoom::AddParticipant(
    ParticipantId id, const ParticipantMediaInfo& info, MediaEndpoint::Listener* listener) {
  // A participant that made the offer (another MCU, over a cascade link this MCU dialled): its
  // offer is checked here, on the control thread, before any socket is bound.
  std::optional<sdp::Session> remote_offer;
  if (!info.remote_offer.empty()) {
    auto parsed = sdp::Parse(info.remote_offer);
    if (!parsed) return MakeError("invalid SDP offer: " + parsed.error());
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
      for (size_t t = io->receivers.size(); t-- > 0;)
        if (io->receivers[t] > 0) {
          kbps = tiers_[t].bitrate_kbps;
          break;
        }
    auto role = remote_offer ? PeerTransport::Role::kAnswerer : PeerTransport::Role::kOfferer;
    peer = new MixPeer(this, id, listener, kbps, info.content, info.receive_only, role);
    started = peer->transport().Start();
    sdp::OfferOptions opt;
    opt.audio_ssrc = peer->transport().local_ssrc(sdp::Kind::kAudio);
    opt.video_ssrc = peer->transport().local_ssrc(sdp::Kind::kVideo);
    if (started && remote_offer) {
      auto answer = sdp::AnswerOffer(*remote_offer, peer->transport().local(), sdp::DefaultCodecs(),
                                     opt, RandomSessionId());
      if (answer)
        started = CheckPayloadTypes(answer->remote);
      else
        started = MakeError(answer.error());
      if (started) {
        local = std::move(answer->answer);
        remote = std::move(answer->remote);
        started = peer->transport().ApplyRemote(*remote);
      }
    } else if (started) {
      local =
          sdp::BuildOffer(peer->transport().local(), sdp::DefaultCodecs(), opt, RandomSessionId());
    }
    if (!started) {
      delete peer;
      peer = nullptr;
      return;
    }
    io->peers[id] = peer;
  });
  if (!started) return MakeError(started.error());
  sites_[id].id = id;
  sites_[id].name = info.display_name;
  sites_[id].content = info.content;
  sites_[id].receive_only = info.receive_only;
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
  auto it = sites_.find(id);
  if (it == sites_.end() || it->second.answered) return;
  Site& s = it->second;
  s.answered = true;
  const sdp::RemoteMedia* video = remote.Find(sdp::Kind::kVideo);
  auto dir = video ? video->direction : sdp::Direction::kInactive;
  bool sends = !s.receive_only && video && !video->codecs.empty() &&
               (dir == sdp::Direction::kSendRecv || dir == sdp::Direction::kSendOnly);
  bool receives_vp8 = false;
  // Content receives nothing: never a receiver of a tier, whatever its answer says.
  if (!s.content && (dir == sdp::Direction::kSendRecv || dir == sdp::Direction::kRecvOnly))
    for (const auto& c : video->codecs) receives_vp8 |= c.payload_type == kVp8Pt;
  s.video = sends || receives_vp8;
  if (s.video)
    AddVideoSite();
  else
    spdlog::info("mixing room {}: {} is audio only (no tile, no composite)", name_, s.name);
  if (s.content) spdlog::info("mixing room {}: {} is shared content", name_, s.name);
  GRef<GstElement> src;
  if (sends) {
    bool h264 = video->codecs.front().payload_type == kH264Pt;
    spdlog::info("mixing room {}: {} sends {} video{}", name_, s.name, h264 ? "H264" : "VP8",
                 receives_vp8 ? "" : " and cannot receive the VP8 composite");
    if (AddBranch(s, h264)) src = GRef<GstElement>::Share(s.branch.front());
  }
  GRef<GstPad> card = GRef<GstPad>::Share(s.card_pad.get());
  loop()->Post([io = io_, id, src, card, receives_vp8] {
    auto p = io->peers.find(id);
    if (p == io->peers.end()) return;
    if (src) p->second->SetAppSrc(src);
    if (card) p->second->SetNameCard(card);
    p->second->SetReceivesVideo(receives_vp8);
  });
}

bool MixRoom::AddBranch(Site& s, bool h264) {
  auto make = [&](const char* factory) {
    GstElement* e = gst_element_factory_make(factory, nullptr);
    if (e) s.branch.push_back(e);
    return e;
  };
  GstElement* src = make("appsrc");
  GstElement* dec = make(h264 ? "avdec_h264" : "vp8dec");
  GstElement* convert = make("videoconvert");
  GstElement* scale = make("videoscale");
  s.capsfilter = make("capsfilter");
  GstElement* overlay = make("textoverlay");
  if (s.branch.size() != 6) {
    spdlog::error("mixing room {}: missing GStreamer element for a site's branch", name_);
    for (GstElement* e : s.branch)
      GRef<GstElement>::AdoptSink(e);  // Never added to a bin: ours to drop.
    s.branch.clear();
    return false;
  }
  auto caps = GRef<GstCaps>::Adopt(
      h264 ? gst_caps_from_string("video/x-h264,stream-format=byte-stream,alignment=au")
           : gst_caps_from_string("video/x-vp8"));
  // Non-blocking and leaky: a slow decoder loses old frames rather than stalling mcu-io.
  g_object_set(src, "is-live", TRUE, "format", GST_FORMAT_TIME, "do-timestamp", TRUE, "block",
               FALSE, "max-bytes", guint64(4'000'000), "leaky-type", 2 /* downstream: drop old */,
               "caps", caps.get(),
               // No latency of its own, any buffering: answered "min 0, max 0", the compositor
               // re-queried latency and posted a warning at every aggregation.
               "min-latency", gint64(0), "max-latency", gint64(-1), nullptr);
  g_object_set(scale, "add-borders", TRUE, nullptr);
  g_object_set(overlay, "text", s.name.c_str(), "valignment", 1 /* bottom */, "halignment",
               1 /* center */, "shaded-background", TRUE, "font-desc", "Sans Bold 12", nullptr);
  for (GstElement* e : s.branch) gst_bin_add(GST_BIN(pipeline_.get()), e);
  gst_element_link_many(src, dec, convert, scale, s.capsfilter, overlay, nullptr);
  GstPad* sinkpad = gst_element_request_pad_simple(compositor_.get(), "sink_%u");
  g_object_set(sinkpad, "zorder", 1u, nullptr);
  gst_pad_link(GRef<GstPad>::Adopt(gst_element_get_static_pad(overlay, "src")).get(), sinkpad);
  s.compositor_pad = GRef<GstPad>::Adopt(sinkpad);
  AddNameCard(s);
  Relayout();
  // Downstream first, so that the source's first frame meets running elements.
  for (auto e = s.branch.rbegin(); e != s.branch.rend(); ++e)
    gst_element_sync_state_with_parent(*e);
  return true;
}

void MixRoom::AddNameCard(Site& s) {
  GRef<GstSample> sample = RenderNameCard(s.name);
  if (!sample) {
    spdlog::warn("mixing room {}: no name card for {}", name_, s.name);
    return;
  }
  // No frame rate and no duration: the compositor then keeps the one frame for good (with a
  // duration it would expire after 33 ms).
  auto caps = GRef<GstCaps>::Adopt(gst_caps_copy(gst_sample_get_caps(sample.get())));
  gst_caps_set_simple(caps.get(), "framerate", GST_TYPE_FRACTION, 0, 1, nullptr);
  GstElement* src = gst_element_factory_make("appsrc", nullptr);
  g_object_set(src, "is-live", TRUE, "format", GST_FORMAT_TIME, "do-timestamp", TRUE, "caps",
               caps.get(), "min-latency", gint64(0), "max-latency", gint64(-1), nullptr);
  gst_bin_add(GST_BIN(pipeline_.get()), src);
  GstPad* sinkpad = gst_element_request_pad_simple(compositor_.get(), "sink_%u");
  g_object_set(sinkpad, "zorder", 2u, "alpha", 0.0, nullptr);
  gst_pad_link(GRef<GstPad>::Adopt(gst_element_get_static_pad(src, "src")).get(), sinkpad);
  gst_element_sync_state_with_parent(src);
  // One frame, never followed: the compositor keeps showing it (when its alpha is 1).
  GstBuffer* card = gst_buffer_copy(gst_sample_get_buffer(sample.get()));
  GST_BUFFER_DURATION(card) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_PTS(card) = GST_CLOCK_TIME_NONE;       // Stamped when pushed (do-timestamp).
  gst_app_src_push_buffer(GST_APP_SRC(src), card);  // Takes the buffer.
  s.card = src;
  s.card_pad = GRef<GstPad>::Adopt(sinkpad);
}

std::vector<MixRoom::Site*> MixRoom::ShownSites() {
  std::vector<Site*> shown;
  for (auto& [id, s] : sites_)
    if (s.shown()) shown.push_back(&s);
  return shown;
}

LayoutKind MixRoom::EffectiveKind(const std::vector<Site*>& shown) const {
  if (kind_ != LayoutKind::kPresenter) return kind_;
  for (const Site* s : shown)
    if (s->content) return kind_;
  return LayoutKind::kGrid;  // Nobody shares content.
}

MixRoom::Site* MixRoom::MainSite(const std::vector<Site*>& shown, LayoutKind kind) {
  auto find = [&](ParticipantId id) -> Site* {
    for (Site* s : shown)
      if (id && s->id == id) return s;
    return nullptr;
  };
  if (shown.empty()) return nullptr;
  if (kind == LayoutKind::kPresenter)
    for (Site* s : shown)
      if (s->content) return s;  // The first content shared.
  if (Site* s = find(spotlight_)) return s;
  if (kind == LayoutKind::kGrid) return nullptr;
  if (Site* s = find(speaker_)) return s;
  return shown.front();
}

void MixRoom::Relayout() {
  std::vector<Site*> joined = ShownSites();
  const LayoutKind kind = EffectiveKind(joined);
  Site* main = MainSite(joined, kind);
  Site* spotlight = nullptr;
  for (Site* s : joined)
    if (spotlight_ && s->id == spotlight_ && s != main) spotlight = s;
  std::vector<Site*> shown;
  if (main) shown.push_back(main);
  if (spotlight) shown.push_back(spotlight);
  for (Site* s : joined)
    if (s != main && s != spotlight) shown.push_back(s);
  main_ = main ? main->id : 0;

  Layout layout = ComputeLayout(kind, static_cast<int>(shown.size()), kCanvasWidth, kCanvasHeight);
  const int tiles = static_cast<int>(layout.tiles.size());
  layout_tiles_ = tiles;
  // A site without a tile is asked for the smallest tile's size, ready to be shown; in the
  // single layout (one full-canvas tile) for a quarter of the canvas.
  const Tile hidden_ask = kind == LayoutKind::kSingle || layout.tiles.empty()
                              ? Tile{0, 0, kCanvasWidth / 2, kCanvasHeight / 2}
                              : layout.tiles.back();
  std::vector<std::tuple<ParticipantId, int, int>> asks;
  std::vector<std::tuple<ParticipantId, bool, bool>> shown_state;
  for (size_t i = 0; i < shown.size(); ++i) {
    Site& s = *shown[i];
    bool visible = i < layout.tiles.size();
    Tile t = visible ? layout.tiles[i] : Tile{0, 0, 2, 2};
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
    const Tile& ask = visible ? t : hidden_ask;
    if (ask.width != s.sent_width || ask.height != s.sent_height || tiles != s.sent_tiles) {
      s.sent_width = ask.width, s.sent_height = ask.height, s.sent_tiles = tiles;
      asks.emplace_back(s.id, ask.width, ask.height);
    }
    shown_state.emplace_back(s.id, visible, s.video_muted);
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
  if (kind == kind_ && spotlight == spotlight_) return;
  kind_ = kind;
  spotlight_ = spotlight;
  spdlog::info("mixing room {}: layout {}, spotlight {}", name_, static_cast<int>(kind), spotlight);
  Relayout();
}

void MixRoom::SetActiveSpeaker(ParticipantId id) {
  if (id == speaker_) return;
  speaker_ = id;
  std::vector<Site*> shown = ShownSites();
  Site* main = MainSite(shown, EffectiveKind(shown));
  if ((main ? main->id : 0) != main_)
    Relayout();  // Voice-activated: the main tile changes hands (and the border moves).
  else
    UpdateBorder();
}

GstBuffer* SolidI420Frame(int width, int height, uint8_t y, uint8_t u, uint8_t v) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, width, height);
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, info.size, nullptr);
  GstMapInfo map;
  if (gst_buffer_map(buffer, &map, GST_MAP_WRITE)) {
    const uint8_t values[3] = {y, u, v};
    for (int plane = 0; plane < 3; ++plane) {
      const int rows = plane == 0 ? height : (height + 1) / 2;
      std::memset(map.data + GST_VIDEO_INFO_PLANE_OFFSET(&info, plane), values[plane],
                  size_t(GST_VIDEO_INFO_PLANE_STRIDE(&info, plane)) * rows);
    }
    gst_buffer_unmap(buffer, &map);
  }
  return buffer;
}

void MixRoom::AddBorder() {
  auto caps = GRef<GstCaps>::Adopt(
      gst_caps_from_string("video/x-raw,format=I420,width=16,height=16,framerate=0/"
                           "1,pixel-aspect-ratio=1/1,colorimetry=bt601"));
  for (int i = 0; i < 4; ++i) {
    GstElement* src = gst_element_factory_make("appsrc", nullptr);
    if (!src) break;
    g_object_set(src, "is-live", TRUE, "format", GST_FORMAT_TIME, "do-timestamp", TRUE, "caps",
                 caps.get(), "min-latency", gint64(0), "max-latency", gint64(-1), nullptr);
    gst_bin_add(GST_BIN(pipeline_.get()), src);
    GstPad* sinkpad = gst_element_request_pad_simple(compositor_.get(), "sink_%u");
    g_object_set(sinkpad, "zorder", 3u, "alpha", 0.0, "width", 2, "height", 2, nullptr);
    gst_pad_link(GRef<GstPad>::Adopt(gst_element_get_static_pad(src, "src")).get(), sinkpad);
    border_.push_back({src, GRef<GstPad>::Adopt(sinkpad)});
  }
}

void MixRoom::StartBorder() {
  // As the name cards: one frame, no duration, kept by the compositor. Stopping the pipeline
  // flushes it, so it is pushed again at every start.
  for (auto& bar : border_) {
    GstBuffer* frame = SolidI420Frame(16, 16, 170, 40, 175);  // Amber (BT.601 of 255, 176, 0).
    GST_BUFFER_DURATION(frame) = GST_CLOCK_TIME_NONE;
    if (gst_app_src_push_buffer(GST_APP_SRC(bar.src), frame) != GST_FLOW_OK)
      spdlog::warn("mixing room {}: speaker border not started", name_);
  }
}

void MixRoom::UpdateBorder() {
  constexpr int kBorder = 4;  // Pixels on the 1280x720 canvas.
  const Site* s = nullptr;
  if (auto it = sites_.find(speaker_); speaker_ && it != sites_.end()) s = &it->second;
  // Hidden when nobody speaks, the speaker has no tile, or it is alone on the canvas.
  const bool show = s && s->shown() && s->visible && layout_tiles_ >= 2 && border_.size() == 4;
  if (show == border_shown_ && (!show || s->tile == border_tile_)) return;
  border_shown_ = show;
  if (!show) {
    for (auto& bar : border_) g_object_set(bar.pad.get(), "alpha", 0.0, nullptr);
    return;
  }
  const Tile& t = s->tile;
  border_tile_ = t;
  const Tile bars[4] = {{t.x, t.y, t.width, kBorder},
                        {t.x, t.y + t.height - kBorder, t.width, kBorder},
                        {t.x, t.y, kBorder, t.height},
                        {t.x + t.width - kBorder, t.y, kBorder, t.height}};
  for (int i = 0; i < 4; ++i)
    g_object_set(border_[i].pad.get(), "xpos", bars[i].x, "ypos", bars[i].y, "width", bars[i].width,
                 "height", bars[i].height, "alpha", 1.0, nullptr);
}

void MixRoom::RemoveParticipant(ParticipantId id, MixPeer* peer) {
  audio_->RemoveSite(id);
  auto io = io_;
  loop()->Post([io, id, peer] {
    io->peers.erase(id);
    delete peer;
  });
  auto it = sites_.find(id);
  if (it == sites_.end()) return;
  Site s = std::move(it->second);
  sites_.erase(it);
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

}  // namespace

Expected<std::unique_ptr<MediaRoom>> CreateMixRoom(TransportMediaEngine* engine,
                                                   const std::string& name) {
  auto room = std::make_unique<MixRoom>(engine, name);
  auto st = room->Start();
  if (!st) return MakeError(st.error());
  return std::unique_ptr<MediaRoom>(std::move(room));
}

}  // namespace mcu::media
