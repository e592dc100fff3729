#include "tests/fakes/fake_media.h"

#include <cstdio>
#include <cstdlib>

namespace mcu::test {

namespace {
std::string Id(ParticipantId id) { return "p" + std::to_string(id); }
}  // namespace

class FakeMediaEndpoint final : public MediaEndpoint {
 public:
  FakeMediaEndpoint(FakeMediaRoom* room, ParticipantId id, std::string local,
                    std::shared_ptr<bool> room_alive)
      : room_(room), id_(id), local_(std::move(local)), room_alive_(std::move(room_alive)) {}
  ~FakeMediaEndpoint() override {
    if (*room_alive_) room_->Removed(id_);
  }
  const std::string& LocalDescription() const override { return local_; }
  Status SetRemoteAnswer(const std::string& sdp) override {
    if (sdp.rfind("v=0", 0) != 0) return MakeError(ErrorKind::kInvalid, "not an SDP answer");
    if (auto* m = room_->member(id_)) m->answer = sdp;
    return OkStatus();
  }
  Status AddRemoteCandidate(const std::string& candidate) override {
    if (candidate.rfind("candidate:", 0) != 0)
      return MakeError(ErrorKind::kInvalid, "not a candidate");
    if (auto* m = room_->member(id_)) m->candidates.push_back(candidate);
    return OkStatus();
  }
  void RequestKeyframe() override {
    if (auto* m = room_->member(id_)) ++m->keyframe_requests;
  }
  EndpointStats Stats() const override {
    EndpointStats s;
    s.transport.ice_state = "fake " + Id(id_);
    return s;
  }

 private:
  FakeMediaRoom* room_;
  ParticipantId id_;
  std::string local_;
  std::shared_ptr<bool> room_alive_;
};

Expected<std::unique_ptr<MediaRoom>> FakeMediaEngine::CreateRoom(const std::string& name,
                                                                 RoomMode mode,
                                                                 MediaRoom::Listener* listener) {
  if (fail_rooms) return MakeError(ErrorKind::kInternal, "no encoder available");
  ++rooms_created;
  if (journal_) journal_->push_back("room:create " + name);
  return std::unique_ptr<MediaRoom>(new FakeMediaRoom(this, name, mode, listener));
}

FakeMediaRoom* FakeMediaEngine::room(const std::string& name) const {
  auto it = rooms_.find(name);
  return it == rooms_.end() ? nullptr : it->second;
}

FakeMediaRoom::FakeMediaRoom(FakeMediaEngine* engine, std::string name, RoomMode mode,
                             MediaRoom::Listener* listener)
    : engine_(engine), listener_(listener), name_(std::move(name)), mode_(mode) {
  engine_->rooms_[name_] = this;
}

FakeMediaRoom::~FakeMediaRoom() {
  *alive_ = false;
  if (engine_->rooms_[name_] == this) engine_->rooms_.erase(name_);
  Log("close");
}

void FakeMediaRoom::Log(const std::string& line) {
  if (engine_->journal_) engine_->journal_->push_back("room:" + line);
}

Expected<std::unique_ptr<MediaEndpoint>> FakeMediaRoom::AddParticipant(
    ParticipantId id, const ParticipantMediaInfo& info, MediaEndpoint::Listener* listener) {
  if (engine_->fail_participants) return MakeError(ErrorKind::kInternal, "no port left");
  if (engine_->refuse_offers && !info.remote_offer.empty())
    return MakeError(ErrorKind::kInvalid, "no SRTP offered");
  Member m;
  m.id = id;
  m.info = info;
  m.listener = listener;
  m.stats.id = id;
  members_[id] = m;
  added_.push_back(id);
  Log("add " + Id(id) + " " + info.display_name);
  std::string local = info.remote_offer.empty() ? "v=0 offer " + Id(id) : "v=0 answer " + Id(id);
  return std::unique_ptr<MediaEndpoint>(new FakeMediaEndpoint(this, id, local, alive_));
}

void FakeMediaRoom::Removed(ParticipantId id) {
  members_.erase(id);
  Log("remove " + Id(id));
}

FakeMediaRoom::Member* FakeMediaRoom::member(ParticipantId id) {
  auto it = members_.find(id);
  return it == members_.end() ? nullptr : &it->second;
}

ParticipantId FakeMediaRoom::IdOf(const std::string& display_name) const {
  for (const auto& [id, m] : members_)
    if (m.info.display_name == display_name) return id;
  return 0;
}

void FakeMediaRoom::SetMuted(ParticipantId id, bool audio, bool video) {
  mutes[id] = {audio, video};
  Log("mute " + Id(id) + (audio ? " audio" : "") + (video ? " video" : ""));
}

void FakeMediaRoom::SetLayout(LayoutKind kind, ParticipantId spot) {
  layout = kind;
  spotlight = spot;
  ++layout_calls;
  Log("layout " + std::to_string(static_cast<int>(kind)) + " " + Id(spot));
}

void FakeMediaRoom::SetActiveSpeaker(ParticipantId id) {
  speaker = id;
  Log("speaker " + Id(id));
}

namespace {
class FakeRecording final : public MediaRecording {
 public:
  FakeRecording(std::string* path, std::shared_ptr<bool> room_alive)
      : path_(path), room_alive_(std::move(room_alive)) {}
  ~FakeRecording() override {
    if (!*room_alive_) {  // The port's rule (mcu/media_api.h), which a real room relies on.
      std::fputs("FakeRecording: a recording must end before its room\n", stderr);
      std::abort();
    }
    path_->clear();
  }
  Stats Progress() const override { return Stats{30, 50, 1000, 1280, 720}; }

 private:
  std::string* path_;
  std::shared_ptr<bool> room_alive_;
};

class FakePush final : public MediaPush {
 public:
  FakePush(FakeMediaRoom* room, std::shared_ptr<bool> room_alive)
      : room_(room), room_alive_(std::move(room_alive)) {}
  ~FakePush() override {
    if (!*room_alive_) {
      std::fputs("FakePush: a push must end before its room\n", stderr);
      std::abort();
    }
    room_->push_url.clear();
  }
  MediaRecording::Stats Progress() const override { return {}; }
  std::string Failure() override { return room_->push_failure; }

 private:
  FakeMediaRoom* room_;
  std::shared_ptr<bool> room_alive_;
};

// A live stream of two segments: what a real one lists once it runs.
class FakeStream final : public MediaStream {
 public:
  FakeStream(bool* streaming, std::shared_ptr<bool> room_alive)
      : streaming_(streaming), room_alive_(std::move(room_alive)) {
    *streaming_ = true;
  }
  ~FakeStream() override {
    if (!*room_alive_) {
      std::fputs("FakeStream: a stream must end before its room\n", stderr);
      std::abort();
    }
    *streaming_ = false;
  }
  std::string Playlist(const std::string& query) const override {
    return "#EXTM3U\n#EXT-X-MAP:URI=\"init.webm" + query + "\"\n#EXTINF:2.000,\n0.webm" + query +
           "\n";
  }
  std::shared_ptr<const std::string> Part(const std::string& name) const override {
    if (name == "init.webm" || name == "0.webm") return std::make_shared<const std::string>(name);
    return nullptr;
  }
  MediaRecording::Stats Progress() const override {
    return MediaRecording::Stats{30, 50, 1000, 1280, 720};
  }

 private:
  bool* streaming_;
  std::shared_ptr<bool> room_alive_;
};
}  // namespace

Expected<std::unique_ptr<MediaRecording>> FakeMediaRoom::StartRecording(
    const std::string& path, int width, RecordingFormat format,
    const std::optional<SealKey>& seal) {
  (void)width;
  if (fail_recording) return MakeError(ErrorKind::kInternal, "recording refused");
  ++recordings_started;
  recording = path;
  recording_format = format;
  recording_sealed = seal.has_value();
  Log("record " + path.substr(path.rfind('/') + 1));
  return std::unique_ptr<MediaRecording>(new FakeRecording(&recording, alive_));
}

Expected<std::unique_ptr<MediaStream>> FakeMediaRoom::StartStream(int width, StreamFormat format) {
  (void)width;
  stream_format = format;
  Log("stream");
  return std::unique_ptr<MediaStream>(new FakeStream(&streaming, alive_));
}

Expected<std::unique_ptr<MediaPush>> FakeMediaRoom::StartPush(int width, const std::string& url) {
  (void)width;
  ++pushes_started;
  push_url = url;
  Log("push");
  return std::unique_ptr<MediaPush>(new FakePush(this, alive_));
}

RoomStats FakeMediaRoom::Stats() {
  RoomStats out;
  for (auto& [id, m] : members_) {
    auto& t = m.stats.transport;
    if (m.audio_flows) t.audio_in.packets += 50, t.audio_in.bytes += 4000;
    if (m.video_flows)
      t.video_in.packets += 100, t.video_in.bytes += 100000, t.video_in.frames += 30;
    out.participants.push_back(m.stats);
  }
  return out;
}

void FakeMediaRoom::Connect(ParticipantId id, const std::string& srtp_profile) {
  if (auto* m = member(id)) m->listener->OnMediaConnected(id, srtp_profile);
}

void FakeMediaRoom::Fail(ParticipantId id, const std::string& reason) {
  if (auto* m = member(id)) m->listener->OnMediaFailed(id, reason);
}

void FakeMediaRoom::HangUp(ParticipantId id) {
  if (auto* m = member(id)) m->listener->OnMediaClosed(id);
}

void FakeMediaRoom::Speak(ParticipantId id) {
  if (listener_) listener_->OnRoomActiveSpeaker(name_, id);
}

void FakeMediaRoom::ReportSendSize(ParticipantId id, int width, int height, int tiles) {
  if (auto* m = member(id)) m->listener->OnSendSize(id, width, height, tiles);
}

void FakeMediaRoom::Flow(ParticipantId id, bool audio, bool video) {
  if (auto* m = member(id)) m->audio_flows = audio, m->video_flows = video;
}

}  // namespace mcu::test
