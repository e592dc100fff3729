// Fakes of the media port (mcu/media_api.h): an engine, its rooms and their endpoints that record
// what the domain asks (participants, mutes, layouts, speakers) and let a test fire what the
// media core reports (connected, failed, hung up, speaker, send size) and what its counters say.
//
// Threading: the domain calls these on its control executor; the test reads them after the
// domain's Flush() (which orders both) and fires the listener callbacks from the test thread,
// as the media I/O thread would.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "mcu/media_api.h"

namespace mcu::test {

// Everything the fakes (and a test's console sink) saw, in order: "room:<verb> ...", "feed:...".
using Journal = std::vector<std::string>;

class FakeMediaRoom;

class FakeMediaEngine final : public MediaEngine {
 public:
  explicit FakeMediaEngine(Journal* journal = nullptr) : journal_(journal) {}
  Expected<std::unique_ptr<MediaRoom>> CreateRoom(const std::string& name, RoomMode mode,
                                                  MediaRoom::Listener* listener) override;

  // The room of that name now, or null.
  FakeMediaRoom* room(const std::string& name) const;
  int rooms_created = 0;
  bool fail_rooms = false;         // CreateRoom fails.
  bool fail_participants = false;  // AddParticipant fails in every room.
  bool refuse_offers = false;      // A participant's offer is refused (kInvalid), as without SRTP.

 private:
  friend class FakeMediaRoom;
  Journal* journal_;
  std::map<std::string, FakeMediaRoom*> rooms_;
};

class FakeMediaRoom final : public MediaRoom {
 public:
  struct Member {
    ParticipantId id = 0;
    ParticipantMediaInfo info;
    MediaEndpoint::Listener* listener = nullptr;
    std::string answer;                             // What SetRemoteAnswer applied.
    std::vector<std::string> candidates;            // What AddRemoteCandidate added.
    int keyframe_requests = 0;                      // RequestKeyframe calls.
    bool audio_flows = false, video_flows = false;  // Stats() counts packets for these.
    ParticipantStats stats;
  };

  FakeMediaRoom(FakeMediaEngine* engine, std::string name, RoomMode mode,
                MediaRoom::Listener* listener);
  ~FakeMediaRoom() override;

  Expected<std::unique_ptr<MediaEndpoint>> AddParticipant(
      ParticipantId id, const ParticipantMediaInfo& info,
      MediaEndpoint::Listener* listener) override;
  void SetMuted(ParticipantId id, bool audio, bool video) override;
  void SetLayout(LayoutKind kind, ParticipantId spotlight) override;
  void SetActiveSpeaker(ParticipantId id) override;
  void SetLinkViewSize(ParticipantId link, int width, int height) override {
    link_view_sizes[link] = {width, height};
  }
  RoomStats Stats() override;
  // Records nothing: remembers the path while its recording lives (`recording`), its format,
  // and how many were started; `fail_recording` refuses.
  Expected<std::unique_ptr<MediaRecording>> StartRecording(
      const std::string& path, int width, RecordingFormat format,
      const std::optional<SealKey>& seal) override;
  std::string recording;
  RecordingFormat recording_format = RecordingFormat::kWebm;
  bool recording_sealed = false;
  Expected<std::unique_ptr<MediaStream>> StartStream(int width, StreamFormat format) override;
  bool streaming = false;
  StreamFormat stream_format = StreamFormat::kWebm;
  // Pushes nothing: `push_url` while its push lives, `pushes_started`; `push_failure` is what
  // every live push then says (Failure()).
  Expected<std::unique_ptr<MediaPush>> StartPush(int width, const std::string& url) override;
  std::string push_url, push_failure;
  int pushes_started = 0;
  int recordings_started = 0;
  bool fail_recording = false;

  // What the media core reports, as from its I/O thread.
  // Its media connected, protected by `srtp_profile` (as the transports name it).
  void Connect(ParticipantId id, const std::string& srtp_profile = "AEAD_AES_128_GCM");
  void Fail(ParticipantId id, const std::string& reason);
  void HangUp(ParticipantId id);
  void Speak(ParticipantId id);  // To the room's listener, as the mixing room does.
  void ReportSendSize(ParticipantId id, int width, int height, int tiles);
  // From now on the participant's audio (and video) packets arrive, second by second.
  void Flow(ParticipantId id, bool audio, bool video);

  // What the domain asked.
  const std::string& name() const { return name_; }
  RoomMode mode() const { return mode_; }
  // Present participants by id, and every id ever added (in order).
  const std::map<ParticipantId, Member>& members() const { return members_; }
  const std::vector<ParticipantId>& added() const { return added_; }
  Member* member(ParticipantId id);
  // The present participant named `display_name`'s id, or 0.
  ParticipantId IdOf(const std::string& display_name) const;
  std::map<ParticipantId, std::pair<bool, bool>> mutes;  // {audio, video} as last set.
  LayoutKind layout = LayoutKind::kGrid;
  ParticipantId spotlight = 0, speaker = 0;
  std::map<ParticipantId, std::pair<int, int>> link_view_sizes;  // SetLinkViewSize, last by link.
  int layout_calls = 0;

 private:
  friend class FakeMediaEndpoint;
  void Log(const std::string& line);
  void Removed(ParticipantId id);

  FakeMediaEngine* engine_;
  MediaRoom::Listener* listener_;
  std::string name_;
  RoomMode mode_;
  std::map<ParticipantId, Member> members_;
  std::vector<ParticipantId> added_;
  // Endpoints outlive nothing: each holds this flag to learn that the room went first.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace mcu::test
