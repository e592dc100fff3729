// The mixing room (media/mix_room.h), shared by its sources: media/mix_room.cpp (the room as
// the domain's MediaRoom: participants, answers, mutes, layout, speaker, statistics),
// media/composite_pipeline.cpp (its GStreamer composite: the pipeline, each site's decode branch
// and name card, the tier encoders and their samples, the speaker's border) and
// media/mix_sip.cpp (SIP legs: their offer/answer and transport). Not for other users.
//
// Threading: the control thread (the domain's executor) calls the MediaRoom methods and owns
// `sites_` and the layout state; mcu-io owns MixIoState (the peers); GStreamer streaming threads
// only run OnTierSample and the bus handler, which copy and post.
#pragma once

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "mcu/media_api.h"
#include "media/audio_mix_thread.h"
#include "media/bus_log.h"
#include "media/gobject_ptr.h"
#include "media/layout.h"
#include "media/layout_plan.h"
#include "media/media_engine.h"
#include "media/mix_peer.h"
#include "media/sdp.h"
#include "media/sip_sdp.h"
#include "media/thread_checker.h"
#include "media/tier.h"

namespace mcu::media {

inline constexpr int kCanvasWidth = 1280, kCanvasHeight = 720;
// At most two forced keyframes per tier per second: a site joining waits at most half a second
// for its first composite frame, and a storm of PLIs costs at most two extra keyframes a second.
inline constexpr int64_t kKeyframeIntervalUs = 500'000;

// The pipeline text of tier `tier`'s branch off the tee named `tee`: its valve, a scale to its
// size (if `scale`), its encoder and payloader, into appsink "out<tier>"
// (composite_pipeline.cpp; tests/integration/h264_tier_test.cpp runs it alone).
std::string EncoderBranch(int tier, const Tier& t, bool scale, const std::string& tee = "t");

class MixRoom : public MediaRoom {
 public:
  // `listener` (may be null) hears the room's active speaker; it outlives the room.
  MixRoom(TransportMediaEngine* engine, std::string name, MediaRoom::Listener* listener)
      : engine_(engine), name_(std::move(name)) {
    io_->listener = listener;
    io_->room = name_;
  }
  ~MixRoom() override;
  Status Start();

  Expected<std::unique_ptr<MediaEndpoint>> AddParticipant(
      ParticipantId id, const ParticipantMediaInfo& info,
      MediaEndpoint::Listener* listener) override;
  // Control thread (the domain's executor), as everything that changes the layout.
  void SetMuted(ParticipantId id, bool audio, bool video) override;
  void SetLayout(LayoutKind kind, ParticipantId spotlight) override;
  void SetActiveSpeaker(ParticipantId id) override;
  void SetLinkViewSize(ParticipantId link, int width, int height) override;
  RoomStats Stats() override;

  // Control thread.
  void OnAnswer(ParticipantId id, const sdp::RemoteDescription& remote);
  // A SIP leg's agreed media (its offer and our answer, or our offer and its answer) applied to
  // its transport, its audio codec to the mix (media/mix_sip.cpp). `local`: our side (ICE-lite
  // credentials).
  Status StartSipLegs(ParticipantId id, const std::vector<sip_sdp::Leg>& legs,
                      const sip_sdp::LocalMedia& local);
  // A keyframe of the tier `id` receives (a SIP INFO picture_fast_update), coalesced.
  void RequestKeyframeFor(ParticipantId id);
  void RemoveParticipant(ParticipantId id);
  // Control thread.
  Expected<std::unique_ptr<MediaRecording>> StartRecording(
      const std::string& path, int width, RecordingFormat format,
      const std::optional<SealKey>& seal) override;
  void StopRecording(ParticipantId id);  // From its MediaRecording's destructor.
  Expected<std::unique_ptr<MediaStream>> StartStream(int width, StreamFormat format) override;
  Expected<std::unique_ptr<MediaPush>> StartPush(int width, const std::string& url) override;
  void StopStream(ParticipantId id);  // From its MediaStream's (or MediaPush's) destructor.

  // One participant's statistics, for its MediaEndpoint (one hop to mcu-io; the peer lives
  // there until its endpoint is gone).
  EndpointStats PeerStats(MixPeer* peer);

  // mcu-io.
  IoLoop* loop() { return engine_->loop(); }

 private:
  // A site's picture in a link's own composite (see LinkView): off the site's tee, valve (shut
  // while the site has no tile there) ! videoscale ! capsfilter ! textoverlay, into a pad of the
  // view's compositor.
  struct ViewBranch {
    GRef<GstPad> tee_pad;
    std::vector<GstElement*> elements;  // Owned by the pipeline.
    GRef<GstPad> pad;                   // On the view's compositor.
    GstPad* ghost = nullptr;            // The view's bin's pad to it (owned by the bin).
    bool placed = false, visible = false;
    Tile tile;
  };
  struct Site {
    ParticipantId id = 0;
    std::string name;
    // appsrc ! decoder ! videoconvert ! tee ! videoscale ! capsfilter ! textoverlay, in the
    // pipeline; the tee also feeds the site's picture to each link's composite.
    std::vector<GstElement*> branch;  // Owned by the pipeline.
    GstElement* tee = nullptr;
    GstElement* capsfilter = nullptr;
    std::map<ParticipantId, ViewBranch> views;  // By the link; never the site's own.
    GRef<GstPad> compositor_pad;
    GstElement* card = nullptr;  // appsrc holding the name card (owned by the pipeline).
    GRef<GstPad> card_pad;
    int sent_width = 0, sent_height = 0, sent_tiles = 0;  // Last size asked of the site.
    bool answered = false;
    bool video = false;  // Sends or receives video: keeps the composite running.
    bool content = false;
    bool receive_only = false;  // Never sends to the room: never a tile.
    bool sip = false;           // A SIP leg: it takes the composite's H.264 tier.
    bool link = false;          // A cascade link: receives its own composite (LinkView).
    int max_receive_kbps = 0;
    bool audio_muted = false, video_muted = false;
    bool placed = false;   // `tile` and `visible` are what the pads were last set to.
    bool visible = false;  // Has a tile in the current layout.
    Tile tile;
    bool shown() const { return !branch.empty(); }
  };

  static GstFlowReturn OnTierSample(GstAppSink* sink, gpointer data) noexcept;
  // The composite runs only while a site sends or receives video: an audio-only conference
  // composes, scales and encodes nothing. Control thread.
  void AddVideoSite();
  void RemoveVideoSite();
  // Applies the layout plan (media/layout_plan.h) to the pads and tells the sites their sizes;
  // sites without a tile are not decoded. Only what changed is set on the pads.
  void Relayout();
  // Sites with a picture, in join order: what the layout plan (media/layout_plan.h) places.
  std::vector<PlanSite> ShownSites() const;
  // The highlight around the active speaker's tile (hidden when it has none or alone on the
  // canvas).
  void UpdateBorder();
  void AddBorder();
  // Pushes the still frames of the border and of the recording mark: after each start of the
  // pipeline.
  void StartBorder();
  // The recording mark: a red dot at the canvas's top right, on every tier (so every site, SIP
  // rooms and cascaded MCUs included, sees that the conference is recorded) while a recording
  // runs.
  void AddRecordingMark();
  // An appsrc of still frames (`caps_text`) on a compositor pad at `zorder`, hidden (alpha 0);
  // empty if no appsrc could be made.
  struct BorderBar;
  BorderBar AddStillPad(const std::string& caps_text, guint zorder);
  void ShowRecordingMark(bool shown) const;
  // Control thread: recordings and live streams. The tier in `codec` of `width`, or the widest
  // (H.264: packetization-mode 1; -1: none); an output attached (it takes the tier and the full
  // mix; the composite runs) and detached.
  int TierOf(VideoCodec codec, int width) const;
  ParticipantId AttachOutput(std::shared_ptr<Recorder> recorder, int tier,
                             int64_t keyframe_every_us);
  void DetachOutput(ParticipantId id);
  bool AddBranch(Site& s, bool h264);  // The site's decode/scale/name branch, linked and playing.
  void AddNameCard(Site& s);
  // A cascade link's own composite (mcu/cascade.h): every site with a picture but the link, in
  // the speaker layout (presenter while content is shared) whose main tile is the speaker, or
  // the last one that was not the link, so that the far side's own layout of the link shows who
  // talks. One compositor and one encoder (the link's tier, in the codec it takes) per link, in
  // the room's pipeline; each site's decoded picture reaches it through the site's tee, scaled
  // and named once more only while it has a tile there. Control thread
  // (media/mix_link_view.cpp).
  struct TierSink;
  struct LinkView {
    int slot = 0;  // Its place among the room's encoded outputs (MixIoState), after tiers_.
    Tier tier;
    GstElement* bin =
        nullptr;  // compositor ! caps ! tee ! EncoderBranch (scaled), in the pipeline.
    GRef<GstElement> compositor;
    GRef<GstElement> size;      // The capsfilter after its scaler: what is encoded.
    int width = 0, height = 0;  // What is encoded now: the tier's size, or less (SetLinkViewSize).
    std::unique_ptr<TierSink> sink;
    ParticipantId speaker = 0;  // The last active speaker that was not the link.
  };
  // The view of link `s` (receiving `codec`), its encoder's slot returned (-1: none made).
  int AddLinkView(Site& s, VideoCodec codec);
  void RemoveLinkView(ParticipantId link);
  // Site `s`'s branch into `link`'s view (its tee must exist), and its removal from the site's
  // `tee`.
  void AddViewBranch(Site& s, ParticipantId link, LinkView& view);
  void RemoveViewBranch(GstElement* tee, ViewBranch& b, LinkView& view);
  // Places the sites in every link's view: raises `asks` to a site's largest tile there, adds
  // the sites with a tile there to `shown` (they are decoded even when the rooms' layout
  // hides them).
  void RelayoutViews(std::map<ParticipantId, Tile>& asks, std::set<ParticipantId>& shown);
  // What every encoded output is, by slot: tiers_ then the views' tiers (for statistics).
  std::vector<Tier> OutputTiers() const;
  void DeliverTierFrame(std::shared_ptr<TierFrame> f);
  Expected<std::unique_ptr<MediaEndpoint>> AddSipParticipant(ParticipantId id,
                                                             const ParticipantMediaInfo& info,
                                                             MediaEndpoint::Listener* listener);

  TransportMediaEngine* engine_;
  std::string name_;
  BusLog bus_log_{"mixing room " + name_};  // Declared before the pipeline: outlives it.
  GRef<GstElement> pipeline_;
  GRef<GstElement> compositor_;
  std::vector<Tier> tiers_ = CompositeTiers();
  ThreadChecker control_;                // The control thread: the first to call.
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
  BorderBar recording_mark_;  // At zorder 4; its alpha shows it.
  int recordings_running_ = 0;
  std::shared_ptr<MixIoState> io_ = std::make_shared<MixIoState>();
  std::unique_ptr<AudioMixThread> audio_;
  struct TierSink {
    MixRoom* room = nullptr;
    int tier = 0;
    VideoCodec codec = VideoCodec::kVp8;
    // Written by the tier's streaming thread, read by Stats().
    std::atomic<uint64_t> frames{0}, late_frames{0};
  };
  std::vector<std::unique_ptr<TierSink>> tier_sinks_;
  std::map<ParticipantId, LinkView> views_;  // Control thread; by the link's participant.
  // Recordings are known to the audio mix by ids no participant has.
  ParticipantId next_recording_id_ = ParticipantId{1} << 62;  // Control thread.
};

}  // namespace mcu::media
