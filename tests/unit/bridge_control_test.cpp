// Specs of the hosts' live control through the bridge (mcu/bridge.h): each command reaches the
// media room, then the audit log and the console feed; what the media core reports (connected,
// failed, speaker, packets) reaches the sites, the roll-call and the store. Console previews.
#include "mcu/sealed_file.h"
#include "tests/unit/bridge_fixture.h"
#include "tests/unit/test_util.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

namespace mcu::test {
namespace {

using T = EndpointRequest::Type;

class BridgeControl : public BridgeTest {
 protected:
  // tinh-1 (the host site), huyen-1 and huyen-2 in the open scheduled conference "hop".
  void ThreeIn() {
    ConferenceRow c = Scheduled("hop", {"tinh-1", "huyen-1", "huyen-2"});
    c.host_site = "tinh-1";
    Preload(c);
    Start();
    bridge->Tick();
    host = Joined("tinh-1", "hop");
    a = Joined("huyen-1", "hop");
    b = Joined("huyen-2", "hop");
    room = media.room("hop");
    ASSERT_NE(room, nullptr);
  }
  Room host, a, b;
  FakeMediaRoom* room = nullptr;
};

TEST_F(BridgeControl, MuteReachesTheMediaRoomThenTheAuditLogAndTheFeedInThatOrder) {
  ThreeIn();
  journal.clear();
  ASSERT_TRUE(bridge->Mute("chutri", "hop", "huyen-1", true, std::nullopt));
  bridge->Flush();
  ParticipantId pid = Pid(a);
  EXPECT_EQ(journal,
            (Journal{"room:mute p" + std::to_string(pid) + " audio", "feed:control mute"}));
  EXPECT_EQ(AuditActions().back(), "mute hop/huyen-1");
  auto muted = a->Last<event::Muted>();
  ASSERT_TRUE(muted);
  EXPECT_TRUE(muted->audio);
  EXPECT_FALSE(muted->video);
  EXPECT_TRUE(store->Members("hop")[1].muted_audio || store->Members("hop")[0].muted_audio);
  EXPECT_TRUE(Live("hop", "huyen-1").muted_audio);
  EXPECT_FALSE(Live("hop", "huyen-2").muted_audio);
}

TEST_F(BridgeControl, AMuteSetBeforeASiteJoinsIsAppliedWhenItJoins) {
  Preload(Scheduled("hop", {"huyen-1"}));
  Start();
  bridge->Tick();
  ASSERT_TRUE(bridge->Mute("chutri", "hop", "huyen-1", std::nullopt, true));
  Room r = Joined("huyen-1", "hop");
  auto mutes = media.room("hop")->mutes;
  ASSERT_TRUE(mutes.count(Pid(r)));
  EXPECT_EQ(mutes[Pid(r)], std::make_pair(false, true));
  EXPECT_TRUE(r->Last<event::Muted>()->video);
}

TEST_F(BridgeControl, MuteSaysWhatToMuteAndOfAnUnknownSiteOrConferenceIsNotFound) {
  ThreeIn();
  EXPECT_EQ(bridge->Mute("chutri", "hop", "huyen-1", std::nullopt, std::nullopt).error_kind(),
            ErrorKind::kInvalid);
  EXPECT_EQ(bridge->Mute("chutri", "hop", "nobody", true, std::nullopt).error_kind(),
            ErrorKind::kNotFound);
  EXPECT_EQ(bridge->Mute("chutri", "none", "huyen-1", true, std::nullopt).error_kind(),
            ErrorKind::kNotFound);
  EXPECT_EQ(bridge->Kick("chutri", "none", "huyen-1").error_kind(), ErrorKind::kNotFound);
  EXPECT_EQ(bridge->Lock("chutri", "none", true).error_kind(), ErrorKind::kNotFound);
  EXPECT_EQ(bridge->SetLayout("chutri", "none", "grid").error_kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(room->mutes.empty() || std::none_of(room->mutes.begin(), room->mutes.end(),
                                                  [](auto& m) { return m.second.first; }));
}

TEST_F(BridgeControl, MuteAllButTheHostSparesTheHostSiteAndReachesInvitedSitesNotYetIn) {
  ConferenceRow c = Scheduled("hop", {"tinh-1", "huyen-1", "huyen-2", "huyen-3"});
  c.host_site = "tinh-1";
  Preload(c);
  Start();
  bridge->Tick();
  Room h = Joined("tinh-1", "hop"), r1 = Joined("huyen-1", "hop"), r2 = Joined("huyen-2", "hop");
  ASSERT_TRUE(bridge->MuteAllButHost("chutri", "hop", true));
  bridge->Flush();
  auto& mutes = media.room("hop")->mutes;
  EXPECT_TRUE(mutes[Pid(r1)].first);
  EXPECT_TRUE(mutes[Pid(r2)].first);
  EXPECT_FALSE(mutes[Pid(h)].first);
  EXPECT_TRUE(Live("hop", "huyen-3").muted_audio)
      << "an invited site not yet in is muted when it comes";
  EXPECT_FALSE(Live("hop", "tinh-1").muted_audio);
  EXPECT_EQ(AuditActions().back(), "mute-all hop");
  Room r3 = Joined("huyen-3", "hop");
  EXPECT_TRUE(mutes[Pid(r3)].first);
}

TEST_F(BridgeControl, KickRemovesTheSiteTellsItAndTheRosterAndIsAudited) {
  ThreeIn();
  ParticipantId kicked = Pid(a);
  ASSERT_TRUE(bridge->Kick("chutri", "hop", "huyen-1"));
  bridge->Flush();
  EXPECT_EQ(room->member(kicked), nullptr);
  EXPECT_EQ(a->Last<event::Left>()->reason, "removed by the host");
  auto roster = b->Last<event::Roster>();
  ASSERT_TRUE(roster);
  EXPECT_EQ(roster->participants.size(), 2u);
  EXPECT_EQ(AuditActions().back(), "kick hop/huyen-1");
  bool closed = false;
  for (const auto& rec : store->CallRecords("hop", 10))
    closed |= rec.site_id == "huyen-1" && rec.reason == "removed by the host" && rec.left_at_ms;
  EXPECT_TRUE(closed);
}

// A host ends a site's shared content: the content leaves ("stopped by the host"), the site
// stays, the content connection is not called back in (a new share is a new connection), and it
// is audited. With no content shared, a conflict.
TEST_F(BridgeControl, StopContentEndsTheSharingNotTheSiteAndItIsNotCalledBack) {
  ThreeIn();
  EXPECT_EQ(bridge->StopContent("chutri", "hop", "huyen-1").error_kind(), ErrorKind::kConflict);
  Room content = Online("huyen-1", /*content=*/true);
  ASSERT_TRUE(content->Last<event::Call>());
  Join(content, "hop");
  ParticipantId cid = Pid(content);
  ASSERT_NE(room->member(cid), nullptr);
  EXPECT_TRUE(Live("hop", "huyen-1").content);

  ASSERT_TRUE(bridge->StopContent("chutri", "hop", "huyen-1"));
  bridge->Flush();
  EXPECT_EQ(room->member(cid), nullptr);
  EXPECT_NE(room->member(Pid(a)), nullptr) << "the site itself stays";
  ASSERT_TRUE(content->Last<event::Left>());
  EXPECT_EQ(content->Last<event::Left>()->reason, "stopped by the host");
  EXPECT_FALSE(Live("hop", "huyen-1").content);
  EXPECT_EQ(AuditActions().back(), "stop-content hop/huyen-1");
  content->Clear();
  Seconds(30);
  EXPECT_FALSE(content->Last<event::Call>()) << "a stopped share is not called back in";

  Room again = Online("huyen-1", /*content=*/true);
  EXPECT_TRUE(again->Last<event::Call>()) << "sharing again: a new connection, called at once";
}

// A host records a conference: the media room records into <data_dir>/recordings (0700), the
// live view says who and since when, the audit log has the start and the stop with the file; one
// at a time; the room stays while it records with nobody in it; the close ends it. A classified
// conference is not recorded.
TEST_F(BridgeControl, RecordingStartsStopsIsShownAuditedAndEndsWithTheConference) {
  TempDir data;
  config.server.data_dir = data.path().string();
  ThreeIn();
  ASSERT_TRUE(bridge->StartRecording("chutri", "hop"));
  EXPECT_EQ(bridge->StartRecording("chutri", "hop").error_kind(), ErrorKind::kConflict);
  const std::filesystem::path dir = data.path() / "recordings";
  EXPECT_EQ(std::filesystem::status(dir).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);
  ASSERT_FALSE(room->recording.empty());
  EXPECT_EQ(std::filesystem::path(room->recording).parent_path(), dir);
  const std::string file = std::filesystem::path(room->recording).filename().string();
  EXPECT_EQ(file.rfind("hop-", 0), 0u) << file;
  EXPECT_TRUE(file.ends_with("Z.webm")) << file;
  auto live = bridge->LiveConferenceOf("hop");
  ASSERT_TRUE(live && live->recording);
  EXPECT_EQ(live->recording->file, file);
  EXPECT_EQ(live->recording->started_by, "chutri");
  EXPECT_EQ(AuditActions().back(), "record-start hop");

  // Everyone leaves: the room stays, recording.
  for (Room* r : {&host, &a, &b}) Ask(*r, EndpointRequest{EndpointRequest::Type::kLeave});
  ASSERT_EQ(media.room("hop"), room) << "the room stays while it records";
  EXPECT_FALSE(room->recording.empty());
  ASSERT_TRUE(bridge->StopRecording("chutri", "hop"));
  EXPECT_EQ(media.room("hop"), nullptr) << "stopped, the empty room goes";
  EXPECT_EQ(AuditActions().back(), "record-stop hop");
  EXPECT_FALSE(bridge->LiveConferenceOf("hop")->recording);
  EXPECT_EQ(bridge->StopRecording("chutri", "hop").error_kind(), ErrorKind::kConflict);

  // Recording again, then the conference closes: the file ends first.
  a = Joined("huyen-1", "hop");
  room = media.room("hop");
  ASSERT_TRUE(bridge->StartRecording("chutri", "hop"));
  ASSERT_TRUE(bridge->StopConference("chutri", "hop"));
  EXPECT_EQ(media.room("hop"), nullptr);
  const auto actions = AuditActions();
  EXPECT_NE(std::find(actions.begin(), actions.end(), "record-stop hop"), actions.end());
  auto audit = store->AuditLog(20);
  bool closed = false;
  for (const auto& row : audit)
    closed |= row.action == "record-stop" &&
              row.detail.find("the conference closed") != std::string::npos;
  EXPECT_TRUE(closed);
}

// The file the fake room "records" into, given `bytes`.
void WriteBytes(const std::string& path, size_t bytes) {
  std::ofstream(path, std::ios::binary) << std::string(bytes, 'x');
}

// [recording] format = "mp4": the room records its H.264 tier into an .mp4, which is sent as
// such (the REST adapter names its type from the name).
TEST_F(BridgeControl, TheRecordingFormatChoosesTheTierAndTheFilesName) {
  TempDir data;
  config.server.data_dir = data.path().string();
  config.recording.format = "mp4";
  ThreeIn();
  ASSERT_TRUE(bridge->StartRecording("chutri", "hop"));
  EXPECT_EQ(room->recording_format, RecordingFormat::kMp4);
  EXPECT_TRUE(room->recording.ends_with("Z.mp4")) << room->recording;
  WriteBytes(room->recording, 100);
  ASSERT_TRUE(bridge->StopRecording("chutri", "hop"));
  auto rows = store->Recordings("hop", "", 10);
  ASSERT_EQ(rows.size(), 1u);
  auto file = bridge->RecordingFile("chutri", rows[0].id, false);
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->name.ends_with(".mp4")) << file->name;
}

TEST_F(BridgeControl, TheStreamFormatIsTheConfiguredOne) {
  config.stream.format = "ts";
  ThreeIn();
  ASSERT_TRUE(bridge->StartStream("chutri", "hop"));
  EXPECT_EQ(room->stream_format, StreamFormat::kTs);
}

// With [stream] rtmp_url the stream is also pushed there (the conference's id in place of
// {conference}) while it runs; a push that fails is said on the live view and tried again 10 s
// later; the stream's stop ends it.
TEST_F(BridgeControl, TheStreamIsPushedToTheRtmpServerAndAFailedPushIsTriedAgain) {
  config.stream.rtmp_url = "rtmp://portal.tinh/live/{conference}-key";
  ThreeIn();
  ASSERT_TRUE(bridge->StartStream("chutri", "hop"));
  EXPECT_EQ(room->push_url, "rtmp://portal.tinh/live/hop-key");
  EXPECT_EQ(bridge->LiveConferenceOf("hop")->stream->rtmp, "pushing");
  room->push_failure = "rtmp: Connection refused";
  Later(1000);
  EXPECT_EQ(room->push_url, "") << "the failed push is let go";
  auto live = bridge->LiveConferenceOf("hop");
  EXPECT_EQ(live->stream->rtmp, "retrying");
  EXPECT_EQ(live->stream->rtmp_error, "rtmp: Connection refused");
  room->push_failure.clear();
  Later(5000);
  EXPECT_EQ(room->pushes_started, 1) << "not before 10 s";
  Later(5000);
  EXPECT_EQ(room->pushes_started, 2);
  EXPECT_EQ(room->push_url, "rtmp://portal.tinh/live/hop-key");
  ASSERT_TRUE(bridge->StopStream("chutri", "hop"));
  EXPECT_EQ(room->push_url, "") << "no stream, no push";
}

TEST_F(BridgeControl, ARecordingIsStoredListedSentAndDeletedWithAnAuditRowEach) {
  TempDir data;
  config.server.data_dir = data.path().string();
  ThreeIn();
  ASSERT_TRUE(bridge->StartRecording("chutri", "hop"));
  auto rows = store->Recordings("hop", "", 10);
  ASSERT_EQ(rows.size(), 1u);
  const int64_t id = rows[0].id;
  EXPECT_EQ(rows[0].state, "recording");
  EXPECT_EQ(rows[0].started_by, "chutri");
  EXPECT_EQ(data.path() / "recordings" / rows[0].file, std::filesystem::path(room->recording));
  EXPECT_EQ(bridge->LiveConferenceOf("hop")->recording->id, id);
  EXPECT_EQ(bridge->DeleteRecording("chutri", id).error_kind(), ErrorKind::kConflict)
      << "not while it records";

  WriteBytes(room->recording, 1234);
  ASSERT_TRUE(bridge->StopRecording("chutri", "hop"));
  auto row = store->Recording(id);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->state, "finished");
  EXPECT_EQ(row->reason, "stopped");
  EXPECT_EQ(row->bytes, 1234);
  EXPECT_GE(row->ended_at_ms, row->started_at_ms);

  const std::filesystem::path path = data.path() / "recordings" / row->file;
  auto file = bridge->RecordingFile("quantri", id, false);
  ASSERT_TRUE(file);
  EXPECT_EQ(file->name, row->file);
  ASSERT_EQ(file->bytes->size(), 1234u);
  std::array<uint8_t, 4> head{};
  ASSERT_TRUE(file->bytes->Read(1230, head.data(), head.size()));
  EXPECT_EQ(head[0], 'x');
  file = MakeError(ErrorKind::kNotFound, "closed");  // The file is let go before it is deleted.
  EXPECT_EQ(AuditActions().back(), "record-download hop");
  ASSERT_TRUE(bridge->RecordingFile("quantri", id, true));
  EXPECT_EQ(AuditActions().back(), "record-play hop");

  ASSERT_TRUE(bridge->DeleteRecording("quantri", id));
  EXPECT_EQ(AuditActions().back(), "record-delete hop");
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(store->Recording(id));
  EXPECT_EQ(bridge->RecordingFile("quantri", id, false).error_kind(), ErrorKind::kNotFound);
  EXPECT_EQ(bridge->DeleteRecording("quantri", id).error_kind(), ErrorKind::kNotFound);
}

TEST_F(BridgeControl, ARecordingTheProcessDidNotEndIsInterruptedAtTheNextStart) {
  TempDir data;
  config.server.data_dir = data.path().string();
  std::filesystem::create_directories(data.path() / "recordings");
  // What a killed MCU leaves: a row still recording and its file as far as it was written.
  RecordingRow left;
  left.conference_id = "hop";
  left.file = "hop-20261207-010000Z.webm";
  left.started_by = "chutri";
  left.started_at_ms = clock.NowMs() - 60'000;
  auto id = store->InsertRecording(left);
  ASSERT_TRUE(id);
  WriteBytes((data.path() / "recordings" / left.file).string(), 4321);
  ThreeIn();  // The bridge starts.
  auto row = store->Recording(*id);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->state, "interrupted");
  EXPECT_EQ(row->bytes, 4321);
  EXPECT_GT(row->ended_at_ms, 0);
  EXPECT_FALSE(bridge->LiveConferenceOf("hop")->recording);
  // An orderly stop finishes a running recording instead.
  ASSERT_TRUE(bridge->StartRecording("chutri", "hop"));
  const int64_t running = store->Recordings("hop", "recording", 10).at(0).id;
  bridge->Shutdown();
  EXPECT_EQ(store->Recording(running)->state, "finished");
  EXPECT_EQ(store->Recording(running)->reason, "mcu stopped");
}

TEST_F(BridgeControl, ARecordingStopsWithAnAlarmWhenItsDiskFillsAndNoneStartsBelowTheFloor) {
  TempDir data;
  config.server.data_dir = data.path().string();
  config.recording.min_free_mb = 100;
  std::atomic<int64_t> free{int64_t{200} << 20};
  Bridge::Options options;
  options.free_bytes = [&](const std::filesystem::path& dir) {
    EXPECT_EQ(dir, data.path() / "recordings");
    return free.load();
  };
  ConferenceRow c = Scheduled("hop", {"tinh-1", "huyen-1"});
  Preload(c);
  Start(options);
  bridge->Tick();
  host = Joined("tinh-1", "hop");
  a = Joined("huyen-1", "hop");
  ASSERT_TRUE(bridge->StartRecording("chutri", "hop"));
  const int64_t id = store->Recordings("hop", "recording", 10).at(0).id;

  free = int64_t{50} << 20;
  clock.Advance(5'000);
  bridge->Tick();
  EXPECT_FALSE(bridge->LiveConferenceOf("hop")->recording) << "it stops at the floor";
  EXPECT_EQ(store->Recording(id)->state, "finished");
  EXPECT_NE(store->Recording(id)->reason.find("the disk is full"), std::string::npos)
      << store->Recording(id)->reason;
  auto alarms = store->Alarms("hop", true, 10);
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].kind, "disk");
  EXPECT_EQ(alarms[0].severity, "critical");
  EXPECT_NE(media.room("hop"), nullptr) << "the conference goes on";
  EXPECT_FALSE(Live("hop", "huyen-1").participant_id.empty()) << "its sites stay in it";

  auto refused = bridge->StartRecording("chutri", "hop");
  EXPECT_EQ(refused.error_kind(), ErrorKind::kConflict);
  EXPECT_NE(refused.error().find("only 50 MB free"), std::string::npos) << refused.error();
  free = int64_t{200} << 20;
  EXPECT_TRUE(bridge->StartRecording("chutri", "hop")) << "room again: it records again";
}

TEST_F(BridgeControl, RecordingsPastTheirRetentionAreDeletedWithTheirFiles) {
  TempDir data;
  config.server.data_dir = data.path().string();
  config.recording.retention_days = 30;
  const std::filesystem::path dir = data.path() / "recordings";
  std::filesystem::create_directories(dir);
  auto ended = [&](const std::string& file, int64_t days_ago) {
    RecordingRow r;
    r.conference_id = "hop";
    r.file = file;
    r.started_by = "chutri";
    r.started_at_ms = clock.NowMs() - days_ago * 86'400'000 - 60'000;
    auto id = store->InsertRecording(r);
    EXPECT_TRUE(id);
    r.id = *id;
    r.ended_at_ms = clock.NowMs() - days_ago * 86'400'000;
    r.state = "finished";
    EXPECT_TRUE(store->UpdateRecording(r));
    WriteBytes((dir / file).string(), 10);
    return r.id;
  };
  const int64_t old = ended("hop-old.webm", 31), recent = ended("hop-recent.webm", 29);
  ThreeIn();  // The bridge starts; its first second purges.
  EXPECT_FALSE(store->Recording(old));
  EXPECT_FALSE(std::filesystem::exists(dir / "hop-old.webm"));
  EXPECT_TRUE(store->Recording(recent));
  EXPECT_TRUE(std::filesystem::exists(dir / "hop-recent.webm"));
  const auto actions = AuditActions();
  EXPECT_NE(std::find(actions.begin(), actions.end(), "record-expire hop"), actions.end());
}

TEST_F(BridgeControl, AConferenceRecordedWheneverItOpensRecordsFromItsOpeningToItsClose) {
  TempDir data;
  config.server.data_dir = data.path().string();
  ConferenceRow c = Scheduled("hop", {"huyen-1"});
  c.auto_record = true;
  Preload(c);
  Start();
  bridge->Tick();  // It opens, and records with nobody in yet.
  auto live = bridge->LiveConferenceOf("hop");
  ASSERT_TRUE(live && live->recording);
  EXPECT_EQ(live->recording->started_by, "scheduler");
  ASSERT_NE(media.room("hop"), nullptr);
  EXPECT_FALSE(media.room("hop")->recording.empty());
  const int64_t id = live->recording->id;
  ASSERT_TRUE(bridge->StopConference("chutri", "hop"));
  EXPECT_EQ(store->Recording(id)->state, "finished");
  EXPECT_EQ(store->Recording(id)->reason, "the conference closed");
}

TEST_F(BridgeControl, AConferenceRecordedWheneverItOpensIsRecordedAgainAfterARestart) {
  TempDir data;
  config.server.data_dir = data.path().string();
  ConferenceRow c = Scheduled("hop", {"huyen-1"});
  c.auto_record = true;
  c.state = ConferenceState::kOpen;  // As a process that ended left it.
  Preload(c);
  Start();
  auto live = bridge->LiveConferenceOf("hop");
  ASSERT_TRUE(live && live->recording);
  EXPECT_EQ(store->Recordings("hop", "recording", 10).size(), 1u);
}

TEST_F(BridgeControl, AClassifiedConferenceIsNotRecorded) {
  ConferenceRow c = Scheduled("hop", {"huyen-1"});
  c.classified = true;
  Preload(c);
  Start();
  bridge->Tick();
  EXPECT_EQ(bridge->StartRecording("chutri", "hop").error_kind(), ErrorKind::kForbidden);
}

// With the administrator's setting, a classified conference is recorded sealed: the media room is
// given the key (created owner-only in the data directory), the file says so, the row too, and
// the download is the plaintext WebM, under the name of one.
TEST_F(BridgeControl, AClassifiedConferenceIsRecordedSealedWhenTheSettingAllowsIt) {
  TempDir data;
  config.server.data_dir = data.path().string();
  config.recording.classified = true;
  ConferenceRow c = Scheduled("hop", {"huyen-1"});
  c.classified = true;
  Preload(c);
  Start();
  bridge->Tick();
  a = Joined("huyen-1", "hop");
  room = media.room("hop");
  ASSERT_TRUE(room);
  ASSERT_TRUE(bridge->StartRecording("chutri", "hop"));
  EXPECT_TRUE(room->recording_sealed);
  EXPECT_TRUE(room->recording.ends_with(".webm.sealed")) << room->recording;
  const std::filesystem::path key_path = data.path() / "recording.key";
  ASSERT_TRUE(std::filesystem::exists(key_path));
  EXPECT_EQ(std::filesystem::status(key_path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto key = LoadOrCreateSealKey(key_path.string());
  ASSERT_TRUE(key);
  {  // What the room would write.
    auto w = SealedWriter::Create(room->recording, *key);
    ASSERT_TRUE(w);
    const std::string webm = "\x1a\x45\xdf\xa3 a WebM";
    ASSERT_TRUE((*w)->Write(reinterpret_cast<const uint8_t*>(webm.data()), webm.size()));
  }
  ASSERT_TRUE(bridge->StopRecording("chutri", "hop"));
  auto rows = store->Recordings("hop", "", 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].sealed);
  auto file = bridge->RecordingFile("quantri", rows[0].id, true);
  ASSERT_TRUE(file) << file.error();
  EXPECT_TRUE(file->name.ends_with("Z.webm")) << file->name;
  std::string plain(file->bytes->size(), '\0');
  ASSERT_TRUE(file->bytes->Read(0, reinterpret_cast<uint8_t*>(plain.data()), plain.size()));
  EXPECT_EQ(plain, "\x1a\x45\xdf\xa3 a WebM");
}

// A host publishes the conference live: the media room streams, the live view says who and since
// when, the playlist and its parts are served while it runs (404 after), one at a time; the room
// stays while it streams with nobody in it; the close ends it; each start and stop is audited.
TEST_F(BridgeControl, ALiveStreamStartsIsServedStopsAndEndsWithTheConference) {
  ThreeIn();
  EXPECT_EQ(bridge->StreamPlaylist("hop", "").error_kind(), ErrorKind::kNotFound);
  ASSERT_TRUE(bridge->StartStream("chutri", "hop"));
  EXPECT_TRUE(room->streaming);
  EXPECT_EQ(bridge->StartStream("chutri", "hop").error_kind(), ErrorKind::kConflict);
  EXPECT_EQ(AuditActions().back(), "stream-start hop");
  auto live = bridge->LiveConferenceOf("hop");
  ASSERT_TRUE(live && live->stream);
  EXPECT_EQ(live->stream->started_by, "chutri");
  auto list = bridge->StreamPlaylist("hop", "");
  ASSERT_TRUE(list);
  EXPECT_NE(list->find("0.webm"), std::string::npos);
  auto part = bridge->StreamPart("hop", "init.webm");
  ASSERT_TRUE(part);
  EXPECT_EQ(**part, "init.webm");
  EXPECT_EQ(bridge->StreamPart("hop", "7.webm").error_kind(), ErrorKind::kNotFound);

  for (Room* r : {&host, &a, &b}) Ask(*r, EndpointRequest{EndpointRequest::Type::kLeave});
  ASSERT_EQ(media.room("hop"), room) << "the room stays while it streams";
  ASSERT_TRUE(bridge->StopStream("chutri", "hop"));
  EXPECT_EQ(media.room("hop"), nullptr) << "stopped, the empty room goes";
  EXPECT_EQ(AuditActions().back(), "stream-stop hop");
  EXPECT_EQ(bridge->StopStream("chutri", "hop").error_kind(), ErrorKind::kConflict);
  EXPECT_EQ(bridge->StreamPart("hop", "init.webm").error_kind(), ErrorKind::kNotFound);

  a = Joined("huyen-1", "hop");
  room = media.room("hop");
  ASSERT_TRUE(bridge->StartStream("chutri", "hop"));
  ASSERT_TRUE(bridge->StopConference("chutri", "hop"));
  EXPECT_EQ(media.room("hop"), nullptr);
  EXPECT_FALSE(bridge->LiveConferenceOf("hop")->stream);
}

// A viewer link lets people without a login watch one conference: until it expires or is
// revoked, and no more viewers (addresses seen in the last 15 s) at once than it allows. Its
// token is kept only as a hash; making it, revoking it and each new viewer are audited.
TEST_F(BridgeControl, AViewerLinkLetsInUpToItsViewersUntilItExpiresOrIsRevoked) {
  ThreeIn();
  EXPECT_EQ(bridge->CreateStreamLink("chutri", "hop", "portal", 0, 2).error_kind(),
            ErrorKind::kInvalid);
  auto link = bridge->CreateStreamLink("chutri", "hop", "portal", 60, 2);
  ASSERT_TRUE(link) << link.error();
  EXPECT_GE(link->token.size(), 32u);
  EXPECT_EQ(AuditActions().back(), "stream-link-create hop");
  auto rows = bridge->StreamLinks("hop");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].label, "portal");
  EXPECT_EQ((*rows)[0].token_hash.find(link->token), std::string::npos) << "only its hash is kept";

  const std::string& token = link->token;
  ASSERT_TRUE(bridge->StreamViewer("hop", token, "10.0.0.1:50000"));
  EXPECT_EQ(AuditActions().back(), "stream-link-view hop");
  ASSERT_TRUE(bridge->StreamViewer("hop", token, "10.0.0.1:50001")) << "the same viewer";
  ASSERT_TRUE(bridge->StreamViewer("hop", token, "10.0.0.2:40000"));
  EXPECT_EQ(bridge->StreamViewer("hop", token, "10.0.0.3:40000").error_kind(), ErrorKind::kConflict)
      << "a third viewer of a link for two";
  Seconds(16);  // The first two stopped asking: their places are free.
  EXPECT_TRUE(bridge->StreamViewer("hop", token, "10.0.0.3:40000"));
  EXPECT_EQ(bridge->StreamViewer("hop", "not-a-token", "10.0.0.4:1").error_kind(),
            ErrorKind::kUnauthorized);

  // Another link, for another conference, opens nothing here; an expired one nothing at all.
  Preload(Permanent("khac", {"huyen-3"}));
  Restart();
  auto other = bridge->CreateStreamLink("chutri", "khac", "", 1, 5);
  ASSERT_TRUE(other);
  EXPECT_EQ(bridge->StreamViewer("hop", other->token, "10.0.0.5:1").error_kind(),
            ErrorKind::kUnauthorized);
  EXPECT_TRUE(bridge->StreamViewer("khac", other->token, "10.0.0.5:1"));
  Seconds(61);
  EXPECT_EQ(bridge->StreamViewer("khac", other->token, "10.0.0.5:1").error_kind(),
            ErrorKind::kForbidden);

  ASSERT_TRUE(bridge->RevokeStreamLink("chutri", "hop", (*rows)[0].id));
  EXPECT_EQ(AuditActions().back(), "stream-link-revoke hop");
  auto revoked = bridge->StreamViewer("hop", token, "10.0.0.3:40000");
  EXPECT_EQ(revoked.error_kind(), ErrorKind::kForbidden);
  EXPECT_NE(revoked.error().find("revoked"), std::string::npos);
  EXPECT_EQ(bridge->RevokeStreamLink("chutri", "hop", (*rows)[0].id).error_kind(),
            ErrorKind::kNotFound);
}

TEST_F(BridgeControl, AClassifiedConferenceIsNeverStreamed) {
  config.recording.classified = true;  // Recording it may be allowed; streaming it never is.
  ConferenceRow c = Scheduled("hop", {"huyen-1"});
  c.classified = true;
  Preload(c);
  Start();
  bridge->Tick();
  EXPECT_EQ(bridge->StartStream("chutri", "hop").error_kind(), ErrorKind::kForbidden);
  EXPECT_EQ(bridge->CreateStreamLink("chutri", "hop", "", 60, 5).error_kind(),
            ErrorKind::kForbidden);
  EXPECT_TRUE(bridge->LiveConferenceOf("hop")->recordable);
}

TEST_F(BridgeControl, LayoutAndSpotlightReachTheMediaRoomAndTheFeed) {
  ThreeIn();
  ASSERT_TRUE(bridge->SetLayout("chutri", "hop", "speaker"));
  ASSERT_TRUE(bridge->Spotlight("chutri", "hop", "huyen-2"));
  bridge->Flush();
  EXPECT_EQ(room->layout, LayoutKind::kSpeaker);
  EXPECT_EQ(room->spotlight, Pid(b));
  EXPECT_EQ(Row("hop").layout, "speaker");
  EXPECT_EQ(Row("hop").spotlight, "huyen-2");
  auto layouts = Feed("layout");
  ASSERT_EQ(layouts.size(), 2u);
  EXPECT_EQ(layouts[1]["spotlight"], "huyen-2");
  EXPECT_EQ(layouts[1]["layout"], "speaker");
  ASSERT_TRUE(bridge->Spotlight("chutri", "hop", ""));
  bridge->Flush();
  EXPECT_EQ(room->spotlight, 0u);
}

TEST_F(BridgeControl, AnUnknownLayoutOrASpotlightOnASiteNeitherInvitedNorInIsRefused) {
  ThreeIn();
  EXPECT_EQ(bridge->SetLayout("chutri", "hop", "mosaic").error_kind(), ErrorKind::kInvalid);
  EXPECT_EQ(bridge->Spotlight("chutri", "hop", "huyen-3").error_kind(), ErrorKind::kConflict);
  EXPECT_EQ(Row("hop").layout, "grid");
  EXPECT_EQ(room->layout, LayoutKind::kGrid);
}

TEST_F(BridgeControl, TheRoomsActiveSpeakerReachesTheRoomTheSitesAndTheFeed) {
  ThreeIn();
  journal.clear();
  room->Speak(Pid(b));
  bridge->Flush();
  EXPECT_EQ(std::count(journal.begin(), journal.end(), "room:speaker p" + std::to_string(Pid(b))),
            1);
  EXPECT_EQ(Feed("speaker").size(), 1u);
  for (const Room* r : {&host, &a, &b}) {
    ASSERT_EQ((*r)->Count<event::Speaker>(), 1u);
    EXPECT_EQ((*r)->Last<event::Speaker>()->site_id, "huyen-2");
    EXPECT_EQ((*r)->Last<event::Speaker>()->name, "Huyện 2");
  }
  EXPECT_TRUE(Live("hop", "huyen-2").speaking);
  EXPECT_FALSE(Live("hop", "huyen-1").speaking);
}

TEST_F(BridgeControl, TheRollCallFollowsMediaFromJoinedToAudioToVideoAndBack) {
  ThreeIn();
  ParticipantId pid = Pid(a);
  EXPECT_FALSE(Live("hop", "huyen-1").participant_id.empty()) << "its sites stay in it";
  EXPECT_FALSE(FindLive("hop", "huyen-3")) << "neither invited nor in";
  room->Connect(pid);
  bridge->Flush();
  EXPECT_EQ(a->Last<event::MediaState>()->state, MediaStatus::kConnected);
  EXPECT_EQ(a->Last<event::Roster>()->participants[1].media, MediaStatus::kConnected);
  room->Flow(pid, true, false);
  Seconds(2);
  EXPECT_EQ(Live("hop", "huyen-1").state, SiteStatus::kAudio);
  room->Flow(pid, true, true);
  Seconds(1);
  EXPECT_EQ(Live("hop", "huyen-1").state, SiteStatus::kVideo);
  room->Flow(pid, false, false);
  Seconds(4);
  EXPECT_EQ(Live("hop", "huyen-1").state, SiteStatus::kJoined) << "nothing arrived for 3 s";
  EXPECT_FALSE(Feed("stats").empty());
}

TEST_F(BridgeControl, AMediaFailureTellsTheSiteRemovesItAndClosesItsCallRecord) {
  ThreeIn();
  ParticipantId pid = Pid(a);
  room->Fail(pid, "DTLS handshake failed");
  bridge->Flush();
  EXPECT_EQ(a->Last<event::MediaState>()->state, MediaStatus::kFailed);
  EXPECT_EQ(LastError(a).code, ErrorCode::kMediaFailed);
  EXPECT_EQ(a->Last<event::Left>()->reason, "media failed: DTLS handshake failed");
  EXPECT_EQ(room->member(pid), nullptr);
  bool found = false;
  for (const auto& rec : store->CallRecords("hop", 10))
    found |= rec.site_id == "huyen-1" && rec.reason == "media failed: DTLS handshake failed";
  EXPECT_TRUE(found);
  Join(a, "hop");
  EXPECT_TRUE(a->Last<event::Joined>()) << "it may join again";
}

TEST_F(BridgeControl, ASiteThatHangsUpItsMediaLeaves) {
  ThreeIn();
  room->HangUp(Pid(b));
  bridge->Flush();
  EXPECT_EQ(b->Last<event::Left>()->reason, "hung up");
  EXPECT_EQ(room->members().size(), 2u);
}

TEST_F(BridgeControl, ALayoutChangeTellsEachSiteTheSizeToSend) {
  ThreeIn();
  room->ReportSendSize(Pid(a), 640, 360, 3);
  bridge->Flush();
  auto layout = a->Last<event::Layout>();
  ASSERT_TRUE(layout);
  EXPECT_EQ(layout->send_width, 640);
  EXPECT_EQ(layout->tiles, 3);
  EXPECT_FALSE(b->Last<event::Layout>());
}

TEST_F(BridgeControl, ANewTokenOrADeletedSiteEndsItsConnection) {
  ThreeIn();
  SiteRow renewed = *store->Site("huyen-1");
  renewed.token_hash = HashToken("a-new-token");
  ASSERT_TRUE(bridge->UpdateSite("quantri", renewed));
  bridge->Flush();
  EXPECT_EQ(a->closed(), "the site's token was changed");
  ASSERT_TRUE(bridge->DeleteSite("quantri", "huyen-2"));
  bridge->Flush();
  EXPECT_EQ(b->closed(), "the site was deleted");
  EXPECT_EQ(Row("hop").invited, (std::vector<std::string>{"tinh-1", "huyen-1"}));
  auto actions = AuditActions();
  EXPECT_EQ(actions[actions.size() - 2], "renew-site-token huyen-1");
  EXPECT_EQ(actions.back(), "delete-site huyen-2");
}

class BridgePreview : public BridgeTest {
 protected:
  // The console users: the bridge reads a watcher's role from the store.
  BridgePreview() {
    for (auto [login, role] : {std::pair{"quantri", "admin"},
                               {"chutri", "host"},
                               {"chutri-2", "host"},
                               {"kythuat", "technician"}}) {
      UserRow u;
      u.login = login, u.role = role, u.display_name = login, u.password_hash = "-";
      EXPECT_TRUE(store->InsertUser(u));
    }
  }
  Room Watch(const std::string& conference, const std::string& user = "chutri") {
    Room r = Connect();
    EndpointRequest join{T::kJoin};
    join.conference = conference;
    join.watcher = user;
    Ask(r, join);
    return r;
  }
};

TEST_F(BridgePreview, APreviewReceivesOnlyAndIsNoParticipantOnTheRosterOrTheRollCall) {
  Preload(Permanent("giao-ban"));
  Start();
  Room site = Joined("huyen-1", "giao-ban");
  Room p = Watch("giao-ban");
  ASSERT_TRUE(p->Last<event::Joined>());
  auto* member = media.room("giao-ban")->member(Pid(p));
  ASSERT_NE(member, nullptr);
  EXPECT_TRUE(member->info.receive_only);
  EXPECT_EQ(site->Last<event::Roster>()->participants.size(), 1u);
  auto live = bridge->LiveConferenceOf("giao-ban");
  ASSERT_EQ(live->sites.size(), 1u);
  EXPECT_EQ(bridge->counts().participants, 2u);
  EXPECT_EQ(AuditActions().back(), "preview giao-ban");
  Ask(site, EndpointRequest{T::kLeave});
  EXPECT_NE(media.room("giao-ban"), nullptr) << "the preview still watches";
  Drop(p);
  EXPECT_EQ(media.room("giao-ban"), nullptr);
}

// Every preview is shown to the conference: its sites' roster counts the console viewers, the
// live view and the console's feed name them, and each start and end is audited.
TEST_F(BridgePreview, EachPreviewIsCountedAsAViewerByTheSitesTheLiveViewAndTheFeedAndAudited) {
  Preload(Permanent("giao-ban"));
  Start();
  Room site = Joined("huyen-1", "giao-ban");
  EXPECT_EQ(site->Last<event::Roster>()->viewers, 0u);
  Room p1 = Watch("giao-ban", "chutri");
  Room p2 = Watch("giao-ban", "quantri");
  ASSERT_TRUE(p1->Last<event::Joined>());
  ASSERT_TRUE(p2->Last<event::Joined>());
  EXPECT_EQ(site->Last<event::Roster>()->viewers, 2u);
  EXPECT_EQ(site->Last<event::Roster>()->participants.size(), 1u);
  EXPECT_EQ(bridge->LiveConferenceOf("giao-ban")->viewers,
            (std::vector<std::string>{"chutri", "quantri"}));
  auto rosters = Feed("roster");
  ASSERT_FALSE(rosters.empty());
  EXPECT_EQ(rosters.back()["viewers"], (nlohmann::json{"chutri", "quantri"}));

  Drop(p1);
  EXPECT_EQ(site->Last<event::Roster>()->viewers, 1u);
  EXPECT_EQ(bridge->LiveConferenceOf("giao-ban")->viewers, std::vector<std::string>{"quantri"});
  EXPECT_EQ(Feed("roster").back()["viewers"], nlohmann::json{"quantri"});
  auto audit = store->AuditLog(10);
  ASSERT_GE(audit.size(), 3u);
  EXPECT_EQ(audit[0].actor, "chutri");
  EXPECT_EQ(audit[0].action, "preview-end");
  EXPECT_EQ(audit[0].target, "giao-ban");
  EXPECT_EQ(nlohmann::json::parse(audit[0].detail)["reason"], "disconnected");
  EXPECT_EQ(audit[1].actor + " " + audit[1].action, "quantri preview");
  EXPECT_EQ(audit[2].actor + " " + audit[2].action, "chutri preview");
}

// A technician sees stream health, not a conference's content: its preview is refused (and
// the refusal audited), whatever the conference; so is a login that is no console user.
TEST_F(BridgePreview, ATechniciansPreviewIsRefusedAndTheRefusalAudited) {
  Preload(Permanent("giao-ban"));
  Start();
  Room site = Joined("huyen-1", "giao-ban");
  Room tech = Watch("giao-ban", "kythuat");
  EXPECT_FALSE(tech->Last<event::Joined>());
  EXPECT_EQ(LastError(tech).code, ErrorCode::kForbidden);
  EXPECT_EQ(LastError(tech).message,
            "only a host or an administrator may preview a conference (a technician sees stream "
            "health, not content)");
  EXPECT_EQ(media.room("giao-ban")->member(Pid(tech)), nullptr);
  EXPECT_EQ(bridge->counts().participants, 1u);
  EXPECT_TRUE(bridge->LiveConferenceOf("giao-ban")->viewers.empty());
  auto audit = store->AuditLog(1);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor + " " + audit[0].action + " " + audit[0].target,
            "kythuat preview-refused giao-ban");
  EXPECT_NE(audit[0].detail.find("a technician sees stream health"), std::string::npos)
      << audit[0].detail;
  EXPECT_EQ(LastError(Watch("giao-ban", "nobody")).code, ErrorCode::kForbidden);
}

// The role is read when the preview begins, not when its session did.
TEST_F(BridgePreview, AHostMadeTechnicianIsRefusedFromThenOn) {
  Preload(Permanent("giao-ban"));
  Start();
  ASSERT_TRUE(Watch("giao-ban", "chutri-2")->Last<event::Joined>());
  auto u = store->UserByLogin("chutri-2");
  u->role = "technician";
  ASSERT_TRUE(store->UpdateUser(*u));
  EXPECT_EQ(LastError(Watch("giao-ban", "chutri-2")).code, ErrorCode::kForbidden);
}

// A locked conference admits no new preview until its host unlocks it; those already
// watching stay, counted as viewers.
TEST_F(BridgePreview, ALockedConferenceRefusesANewPreviewUntilItsHostUnlocksIt) {
  Preload(Permanent("giao-ban"));
  Start();
  Room site = Joined("huyen-1", "giao-ban");
  Room before = Watch("giao-ban", "chutri");
  ASSERT_TRUE(before->Last<event::Joined>());
  ASSERT_TRUE(bridge->Lock("chutri", "giao-ban", true));
  Room refused = Watch("giao-ban", "quantri");
  EXPECT_EQ(LastError(refused).code, ErrorCode::kForbidden);
  EXPECT_EQ(LastError(refused).message,
            "conference 'giao-ban' is locked: its host unlocks it to allow a preview");
  EXPECT_EQ(AuditActions().back(), "preview-refused giao-ban");
  EXPECT_EQ(bridge->LiveConferenceOf("giao-ban")->viewers, std::vector<std::string>{"chutri"});
  EXPECT_FALSE(before->Last<event::Left>()) << "a lock does not end a preview already watching";
  ASSERT_TRUE(bridge->Lock("chutri", "giao-ban", false));
  EXPECT_TRUE(Watch("giao-ban", "quantri")->Last<event::Joined>());
}

TEST_F(BridgePreview, TheNinthPreviewOfAConferenceIsRefused) {
  Preload(Permanent("giao-ban"));
  Start();
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(Watch("giao-ban")->Last<event::Joined>()) << i;
  Room ninth = Watch("giao-ban");
  EXPECT_EQ(LastError(ninth).code, ErrorCode::kFull);
  EXPECT_EQ(LastError(ninth).message, "too many previews of this conference");
}

TEST_F(BridgePreview, AnEchoConferenceOrOneNotOpenHasNothingToPreview) {
  Preload(Permanent("echo", {}, "echo"));
  Preload(Scheduled("hop", {"huyen-1"}, 3600));
  Start();
  EXPECT_EQ(LastError(Watch("echo")).code, ErrorCode::kConflict);
  EXPECT_EQ(LastError(Watch("hop")).code, ErrorCode::kConflict);
  EXPECT_EQ(LastError(Watch("none")).code, ErrorCode::kNotFound);
  EXPECT_EQ(media.rooms_created, 0);
}

TEST_F(BridgePreview, APreviewCannotAuthenticateAsASite) {
  Start();
  Room r = Connect();
  EndpointRequest auth{T::kAuth};
  auth.token = Token("huyen-1");
  auth.watcher = "chutri";
  Ask(r, auth);
  EXPECT_EQ(LastError(r).code, ErrorCode::kConflict);
  EXPECT_EQ(bridge->counts().authenticated, 0u);
}

TEST_F(BridgePreview, APreviewLeavesWhenTheConferenceCloses) {
  Preload(Scheduled("hop", {"huyen-1"}));
  Start();
  bridge->Tick();
  Room p = Watch("hop");
  ASSERT_TRUE(p->Last<event::Joined>());
  ASSERT_TRUE(bridge->StopConference("chutri", "hop"));
  bridge->Flush();
  ASSERT_TRUE(p->Last<event::Left>());
  EXPECT_EQ(p->Last<event::Left>()->reason, "the host ended the conference");
  EXPECT_EQ(media.room("hop"), nullptr);
}

}  // namespace
}  // namespace mcu::test
