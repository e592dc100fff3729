// One site of a mixing room on the media I/O thread (media/mix_room.h): its transport (WebRTC,
// media/peer_transport.h, or a SIP leg's, media/sip_transport.h), the video it sends (whole
// frames handed to its decoder branch), the composite tier and the mix-minus it receives.
// MixIoState is the room's state on mcu-io that owns the peers.
//
// Threading: a MixPeer lives on mcu-io from creation to deletion; every method runs there. It
// pushes audio to the room's AudioMixThread (a short lock) and frames to its appsrc (non-blocking).
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mcu/media_api.h"
#include "media/audio_mix_thread.h"
#include "media/codec_payload.h"
#include "media/gobject_ptr.h"
#include "media/jitter_buffer.h"
#include "media/keyframe_coalescer.h"
#include "media/media_engine.h"
#include "media/peer_transport.h"
#include "media/sip_transport.h"
#include "media/tier.h"

namespace mcu::media {

class TransportMediaEngine;
class MixPeer;
class Recorder;

// The payload types the mixing room offers (and accepts in another MCU's offer).
inline constexpr uint8_t kOpusPt = 111;
inline constexpr uint8_t kVp8Pt = 96;
inline constexpr uint8_t kH264Pt = 102;
// A site that sends no frame for this long shows its name card over its last one.
inline constexpr int64_t kStallUs = 2'000'000;

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

// Asks a tier's encoder for a keyframe now. Without "all headers": the H.264 payloader sends SPS
// and PPS before every IDR anyway (config-interval=-1), while asked for them by the event it
// also sends them at once as an access unit of their own, marker bit set, at the IDR's timestamp;
// a room system that takes the marker as the end of a picture then fails to decode every forced
// keyframe and asks for another (tests/integration/h264_tier_test.cpp).
inline void ForceKeyUnit(GstElement* encoder) {
  gst_element_send_event(
      encoder, gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, FALSE, 0));
}

// A mixing room's state on mcu-io, shared with the threads that post to it: its peers, and per
// composite tier its keyframe coalescer, encoder, valve and number of receivers.
struct MixIoState {
  std::vector<KeyframeCoalescer> coalescers;
  std::vector<GRef<GstElement>> encoders;
  std::vector<GRef<GstElement>> valves;
  std::vector<int> receivers;  // Per tier.
  int64_t idle_close_us = 0;   // When tiers nobody receives are first closed.
  guint timer = 0;
  // Told the room's active speaker; cleared on mcu-io when the room goes.
  MediaRoom::Listener* listener = nullptr;
  std::string room;  // The room's name, for the listener.
  // The room's recordings and live streams (media/recorder.h), by the id the audio mix knows them
  // by: each takes its tier's frames and the full mix. Added and taken out by the control thread
  // (one Invoke), which also destroys them (finishing a file waits for its last write). A live
  // stream asks its tier for a keyframe every `keyframe_every_us` (its segments end on one).
  struct Recording {
    int tier = 0;
    std::shared_ptr<Recorder> recorder;
    int64_t keyframe_every_us = 0;  // 0: only those the tier makes anyway.
    int64_t last_keyframe_us = 0;
  };
  std::map<ParticipantId, Recording> recordings;
  // Last, so that they go first: a peer leaving updates the receivers above.
  std::map<ParticipantId, std::unique_ptr<MixPeer>> peers;

  ~MixIoState();
  // A receiver moves between tiers (-1: none): opens or closes valves, asks for a keyframe.
  void SetTier(int from, int to);
  // A keyframe for `tier`, through its coalescer (forced now, or when Poll says so).
  void RequestKeyframe(int tier, int64_t now);
  void ForceKeyframe(int tier) {
    if (encoders[tier]) ForceKeyUnit(encoders[tier].get());  // None: a link's view that went.
  }
};

// How a site's media travel: WebRTC (the MCU offers, or answers another MCU's offer) or a SIP leg.
enum class PeerKind { kWebRtcOfferer, kWebRtcAnswerer, kSip };

// One site of a mixing room, on mcu-io from creation to deletion.
class MixPeer : public RtpTransport::Listener {
 public:
  // `io` and `audio` are the room's and outlive the peer (the room destroys its peers first).
  MixPeer(TransportMediaEngine* engine, MixIoState* io, AudioMixThread* audio, ParticipantId id,
          MediaEndpoint::Listener* listener, int max_receive_kbps, bool content, bool receive_only,
          PeerKind kind);
  ~MixPeer() override;
  RtpTransport& transport() { return *transport_; }
  PeerTransport* webrtc() { return webrtc_; }  // Null for a SIP leg.
  SipTransport* sip() { return sip_; }         // Null for a WebRTC site.
  ParticipantId id() const { return id_; }
  // The audio it sends and receives: Opus on payload type 111 unless its SIP answer chose
  // another codec or number (`step`: the RTP timestamp of 20 ms).
  void SetAudioFormat(uint8_t payload_type, uint32_t step) {
    audio_pt_ = payload_type;
    audio_step_ = step;
  }
  // What a SIP leg decodes, from its SDP: kbit/s (b=TIAS, b=AS, max-br), macroblocks per frame
  // and per second (max-fs, max-mbps, or its level's); 0: not stated.
  struct ReceiveLimits {
    int kbps = 0;
    uint32_t frame_mbs = 0, mbs_per_s = 0;
    int packetization_mode = 1;  // Of its H.264: the tiers it chooses among.
  };
  // A SIP leg's video: the payload type it sends H.264 or VP8 with (-1: none), and the one it
  // receives the composite's H.264 tier with (-1: it takes no composite), the tier chosen within
  // `limits` (before SetReceivesVideo).
  void SetSipVideo(int in_pt, VideoCodec in_codec, int out_pt, const ReceiveLimits& limits);
  // A WebRTC site whose answer put H.264 first (a browser that prefers it): it takes the
  // composite's H.264 tiers, the ones SIP rooms take, on payload type `out_pt`. mcu-io, from its
  // answer, before SetReceivesVideo.
  void TakeH264Composite(int out_pt);
  // A cascade link: it takes its own composite (encoded output `slot`, of `tier`) and no other.
  // mcu-io, from its answer, after TakeH264Composite and before SetReceivesVideo.
  void TakeOwnComposite(int slot, const Tier& tier);

  void OnTransportConnected(RtpTransport& t) override;
  void OnTransportFailed(RtpTransport&, const std::string& reason) override {
    listener_->OnMediaFailed(id_, reason);
  }
  void OnTransportClosedByPeer(RtpTransport&) override { listener_->OnMediaClosed(id_); }
  void OnTransportRtp(RtpTransport& t, sdp::Kind kind, const rtp::RtpHeader& h,
                      std::span<uint8_t> packet) override;
  void OnTransportKeyframeRequest(RtpTransport&) override;
  void OnTransportKeyframeWanted(RtpTransport&) override { listener_->OnKeyframeWanted(id_); }
  // A cap on the composite it receives (TMMBR): applied at the next once-a-second tier check,
  // so that a flood of them moves it at most once a second.
  void OnTransportBitrateCap(RtpTransport&, int kbps) override;

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
  // Decoded only while it has a tile (`visible`: not beyond the layout's tiles, not hidden by a
  // voice-activated layout) and its video is not muted; decoded again, it starts on a keyframe.
  // A muted site's tile shows its name card.
  void SetShown(bool visible, bool video_muted);
  void Tick(int64_t now);
  void SendVideo(const TierFrame& f, int64_t now);
  void SendAudio(const std::vector<uint8_t>& payload);
  int tier() const { return tier_; }
  MixParticipantStats MixStats() const;
  // Its transport's counters, with the keyframes and sizes only the mix knows.
  ParticipantStats Stats(const std::vector<Tier>& tiers) const;

 private:
  void Drain(int64_t now);
  bool decoding() const { return visible_ && !video_muted_; }
  // The name card covers the tile while the site has one and its video is muted, has stalled, or
  // (decoded again) waits for its keyframe. Only here, on mcu-io, is the card's alpha set.
  void UpdateCard();
  // After a keyframe's size is read: refuses (or accepts again) its video by the size limit.
  void RefuseIfTooLarge();

  IoLoop* loop_;  // mcu-io: every method but the constructor runs there.
  MixIoState* io_;
  AudioMixThread* audio_;
  ParticipantId id_;
  MediaEndpoint::Listener* listener_;
  std::unique_ptr<RtpTransport> transport_;
  PeerTransport* webrtc_ = nullptr;  // transport_, when it is one.
  SipTransport* sip_ = nullptr;      // transport_, when it is one.
  uint8_t audio_pt_ = kOpusPt;
  uint32_t audio_step_ = kMixFrameSamples;
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
  int in_vp8_pt_ = kVp8Pt, in_h264_pt_ = kH264Pt;  // What its video arrives with.
  int out_pt_ = -1;  // The payload type its composite leaves with (-1: the payloader's).
  int max_receive_kbps_ = 0;
  ReceiveLimits limits_;  // What it declared it takes (kbps also within max_receive_kbps_).
  int cap_kbps_ = 0, applied_cap_kbps_ = 0;  // Its last TMMBR (0: none), and the one in force.
  bool receives_video_ = false;              // Until its answer says so.
  std::vector<int> tier_ids_;  // The room's tiers in the codec it receives, highest first.
  TierSelector selector_;      // Over tier_ids_.
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
  int width_in_ = 0, height_in_ = 0;          // Of its last keyframe (VP8 header, H.264 SPS).
  int max_decode_width_, max_decode_height_;  // TransportConfig's.
  std::string video_refused_;                 // Why its video is not decoded; empty: it is.
};

}  // namespace mcu::media
