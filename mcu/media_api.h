// What the domain needs from the media core, as interfaces the media library implements.
// The domain never includes GStreamer or libnice; the media core never sees sessions or tokens.
//
// Threading: the methods below are called on the domain's control executor. Listener callbacks
// arrive on the media I/O thread: an implementation of Listener must copy what it needs and post
// to its own executor, then re-check that the participant still exists.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mcu/expected.h"
#include "mcu/media_stats.h"
#include "mcu/sealed_file.h"

namespace mcu {

using ParticipantId = uint64_t;

struct ParticipantMediaInfo {
  std::string display_name;  // Shown on the participant's tile.
  int max_receive_kbps = 0;  // What the site declared it can receive; 0: no limit.
  // A site's shared content (slides, a screen) as a participant of its own: video only, shown
  // large by the presenter layout, receives nothing. Adding or removing it changes only the
  // composite: no other participant is renegotiated.
  bool content = false;
  // A console preview: receives the composite and the full mix; whatever it sends is dropped
  // (no tile, no voice, never the speaker). It takes the lowest tier the sites already receive
  // (max_receive_kbps only while none is encoded): watching adds no encoder.
  bool receive_only = false;
  // Not empty: the remote side made the offer (another MCU, reached by a cascade link this MCU
  // dialled) and this participant answers it: its local description is the answer, and it is
  // connected from the offer alone (no SetRemoteAnswer).
  std::string remote_offer;
  // A SIP leg (a room system, another vendor's MCU): RTP with SDES-keyed SRTP, no ICE or DTLS.
  // With `remote_offer` (its INVITE's SDP) the local description is our answer; without (an
  // INVITE with no SDP) it is our offer, and the answer comes by SetRemoteAnswer (its ACK's).
  // An offer the leg cannot take (no SRTP, no common codec) fails with ErrorKind::kInvalid.
  bool sip = false;
  // The conference is classified: a SIP leg keyed by SDES takes AES-GCM whenever the room
  // offers it, and never a 32-bit tag (mcu/admission.h RefuseProtection checks what connected).
  bool classified = false;
  // A cascade link (mcu/cascade.h), either side: it receives a composite of its own, every site
  // but itself with the speaker large, so that the other MCU never sees its own conference
  // inside this one. Rooms keep the shared composite.
  bool link = false;
};

// One participant's media connection to a room.
class MediaEndpoint {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnMediaConnected(ParticipantId id, const std::string& srtp_profile) = 0;
    virtual void OnMediaFailed(ParticipantId id, const std::string& reason) = 0;
    // The participant hung up its media (DTLS close_notify): it leaves, nothing failed.
    virtual void OnMediaClosed(ParticipantId id) = 0;
    // A mixing room's layout changed: the participant should send video of this size (its
    // tile), so that the MCU does not decode pixels it would scale away.
    virtual void OnSendSize(ParticipantId id, int width, int height, int tiles) = 0;
    // The MCU needs a keyframe of the participant's video and its media cannot ask (a SIP room
    // that offered neither "nack pli" nor "ccm fir"): ask through the signalling (SIP INFO).
    // At most every 500 ms.
    virtual void OnKeyframeWanted(ParticipantId id) { (void)id; }
  };
  // Destroying the endpoint closes its transport (asynchronously on the I/O thread); no callback
  // for it is delivered to the listener after the I/O thread has processed the close.
  virtual ~MediaEndpoint() = default;

  // The MCU's SDP for this participant (candidates included): its offer, or its answer to the
  // participant's offer (ParticipantMediaInfo::remote_offer).
  virtual const std::string& LocalDescription() const = 0;
  // Checks the participant's answer (syntax, fingerprint, ICE credentials, codecs) and applies it.
  // Refused for a participant that made the offer.
  virtual Status SetRemoteAnswer(const std::string& sdp) = 0;
  virtual Status AddRemoteCandidate(const std::string& candidate) = 0;
  // The participant asked for a keyframe of the video it receives outside RTCP (a SIP INFO
  // picture_fast_update). A mixing room forces one of its tier, coalesced with the others'.
  virtual void RequestKeyframe() {}
  // The live statistics (one hop to the media I/O thread: call it on the control executor).
  virtual EndpointStats Stats() const = 0;
};

// One participant's counters and what it sends and receives, read at one instant.
struct ParticipantStats {
  ParticipantId id = 0;
  TransportStats transport;
  std::string video_codec_in;       // "VP8" | "H264"; empty until its video arrives.
  std::string video_codec_out;      // What it receives ("VP8": the composite), or empty.
  int width_in = 0, height_in = 0;  // Of its last keyframe (0: not known).
  // Why its video is not decoded ("3840x2160 is larger than 1920x1080"); empty: it is.
  std::string video_refused;
  int width_out = 0, height_out = 0;  // Of the composite tier it receives (0: none).
  int tier = -1;                      // The tier it receives, -1: none.
};

// One output tier of a mixing room's composite: encoded once, shared by its receivers.
struct TierStats {
  int width = 0, height = 0, kbps = 0;  // Configured.
  int receivers = 0;
  uint64_t frames = 0;        // Encoded frames since the room started (cumulative).
  uint64_t late_frames = 0;   // Of which left the encoder later than kLateFrameMs after their time.
  std::string codec = "VP8";  // "VP8" (WebRTC sites), "H264" or "H264 (packetization-mode 0)".
  static constexpr int kLateFrameMs = 100;
};

// A room's statistics, taken in one hop to the media I/O thread.
struct RoomStats {
  std::vector<ParticipantStats> participants;
  std::vector<TierStats> tiers;  // Mixing rooms only; highest first.
};

// A recording's file: WebM of a VP8 tier, or fragmented MP4 of an H.264 tier; either with the
// full mix in Opus.
enum class RecordingFormat { kWebm, kMp4 };

// A live stream's segments: WebM of a VP8 tier with the mix in Opus (HLS version 7 with an init
// segment; played by the MCU's own watch page, through Media Source Extensions), or MPEG-TS of
// an H.264 tier with the mix in AAC (HLS version 3, which every HLS player takes: a portal's
// hls.js, Safari, VLC, set-top boxes).
enum class StreamFormat { kWebm, kTs };

// A recording of a mixing room (MediaRoom::StartRecording): one composite tier's encoded
// frames and the full mix, written to a file without decoding or encoding either. Destroying it
// closes the file cleanly (on the control executor; it waits for the file's last write).
class MediaRecording {
 public:
  struct Stats {
    uint64_t video_frames = 0, audio_frames = 0;  // Written so far.
    int64_t duration_ms = 0;                      // Of what was written.
    int width = 0, height = 0;                    // Of the tier recorded.
  };
  virtual ~MediaRecording() = default;
  virtual Stats Progress() const = 0;
};

// A live stream of a mixing room (MediaRoom::StartStream): the same encoded frames as a
// recording, cut into segments kept in memory and listed by an HLS playlist (StreamFormat).
// Destroying it ends the stream (on the control executor). Its parts are read from any thread.
class MediaStream {
 public:
  virtual ~MediaStream() = default;
  // The playlist, its URLs relative to its own and followed by `query`; it lists no segment
  // until the first is whole.
  virtual std::string Playlist(const std::string& query) const = 0;
  // "init.webm" or "<sequence>.webm" (WebM), "<sequence>.ts" (MPEG-TS); null if there is no
  // such part (or it is no longer kept).
  virtual std::shared_ptr<const std::string> Part(const std::string& name) const = 0;
  virtual MediaRecording::Stats Progress() const = 0;
};

// The live stream pushed to an RTMP server (a portal's; MediaRoom::StartPush): FLV of the H.264
// tier and the mix in AAC. Destroying it ends the push (on the control executor). A push that
// failed (the server refused, closed or never answered) stays failed: the owner starts another.
class MediaPush {
 public:
  virtual ~MediaPush() = default;
  virtual MediaRecording::Stats Progress() const = 0;
  // Why it failed (no secret of the URL in it); empty while it pushes. Control executor.
  virtual std::string Failure() = 0;
};

enum class RoomMode { kEcho, kMix };

// How a mixing room lays out its composite.
enum class LayoutKind {
  kGrid,       // Every site an equal tile.
  kSpeaker,    // 1+N: the active speaker (or the spotlighted site) large, the others small.
  kSingle,     // Voice-activated: only the active speaker (or the spotlighted site), full canvas.
  kPresenter,  // Shared content large, the sites small (grid while nobody shares).
};

class MediaRoom {
 public:
  // What a room reports about itself (not about one participant), on the media I/O thread; the
  // same copy-post-re-check rule as MediaEndpoint::Listener.
  class Listener {
   public:
    virtual ~Listener() = default;
    // The mixing room `room` (its name at CreateRoom) has a new active speaker (0: nobody).
    virtual void OnRoomActiveSpeaker(const std::string& room, ParticipantId id) = 0;
  };
  virtual ~MediaRoom() = default;
  virtual Expected<std::unique_ptr<MediaEndpoint>> AddParticipant(
      ParticipantId id, const ParticipantMediaInfo& info, MediaEndpoint::Listener* listener) = 0;
  // Enforced here, not by the endpoint: a participant with muted audio is heard by nobody (and
  // never becomes the active speaker); with muted video its tile shows its name card and its
  // video is not decoded. Rooms that do not mix ignore it.
  virtual void SetMuted(ParticipantId id, bool audio, bool video) {
    (void)id, (void)audio, (void)video;
  }
  // The layout, and the participant pinned to the main tile (0: none, the active speaker leads).
  virtual void SetLayout(LayoutKind kind, ParticipantId spotlight) { (void)kind, (void)spotlight; }
  // The active speaker the room reported (Listener::OnRoomActiveSpeaker), handed back on the
  // control executor: voice-activated layouts change their main tile here, and the highlight
  // moves (the same id twice changes nothing).
  virtual void SetActiveSpeaker(ParticipantId id) { (void)id; }
  // The other end of cascade link `link` shows it at `width`x`height` (its tile there): the
  // link's own composite is scaled to that size before it is encoded, at most its tier's, at
  // least a quarter of its width (a link that is shown small costs less). 0x0: its tier's size.
  virtual void SetLinkViewSize(ParticipantId link, int width, int height) {
    (void)link, (void)width, (void)height;
  }
  // Every participant's counters and the tiers', read together (one hop to the I/O thread; the
  // caller waits for it: call it on the control executor, not on a media thread).
  virtual RoomStats Stats() = 0;
  // Starts recording the room into `path` (created; in `format`: the VP8 or the H.264 tier of
  // `width` pixels, or the widest, and the Opus full mix; sealed with `seal` if there is one:
  // mcu/sealed_file.h). The recording is no participant: never on the roster, heard by nobody.
  // Rooms that do not mix refuse (ErrorKind::kInvalid). It must be destroyed before the room.
  virtual Expected<std::unique_ptr<MediaRecording>> StartRecording(
      const std::string& path, int width, RecordingFormat format,
      const std::optional<SealKey>& seal) {
    (void)path, (void)width, (void)format, (void)seal;
    return MakeError(ErrorKind::kInvalid, "this room does not record");
  }
  // Starts a live stream of the room (in `format`: the VP8 or the H.264 tier of `width` pixels,
  // or the widest, and the full mix); like a recording, no participant. It must be destroyed
  // before the room.
  virtual Expected<std::unique_ptr<MediaStream>> StartStream(int width, StreamFormat format) {
    (void)width, (void)format;
    return MakeError(ErrorKind::kInvalid, "this room does not stream");
  }
  // Pushes the H.264 tier of `width` pixels (or the widest) and the full mix in AAC, as FLV, to
  // the RTMP server at `url` (rtmp:// or rtmps://); like a stream, no participant. It must be
  // destroyed before the room.
  virtual Expected<std::unique_ptr<MediaPush>> StartPush(int width, const std::string& url) {
    (void)width, (void)url;
    return MakeError(ErrorKind::kInvalid, "this room does not push");
  }
};

class MediaEngine {
 public:
  virtual ~MediaEngine() = default;
  // `listener` (may be null) outlives the room.
  virtual Expected<std::unique_ptr<MediaRoom>> CreateRoom(const std::string& name, RoomMode mode,
                                                          MediaRoom::Listener* listener) = 0;
};

}  // namespace mcu
