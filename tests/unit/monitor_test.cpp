// Specs of mcu/monitor.h: a second of counters becomes health, alarms (stored, on the feed) and,
// when the site leaves, its call record's quality; offline, DTLS and encoder alarms.
#include "mcu/monitor.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "signaling/console_json.h"
#include "tests/unit/test_util.h"

namespace mcu {
namespace {

using nlohmann::json;

struct Fixture {
  test::TempDir dir;
  std::unique_ptr<Store> store = [this] {
    auto s = Store::Open((dir.path() / "mcu.db").string());
    return s ? std::move(*s) : nullptr;
  }();
  std::vector<json> events;
  Monitor monitor{AlarmThresholds{}, store.get(), [this](const ConsoleEvent& e) {
                    events.push_back(json::parse(signaling::ToJson(e)));
                  }};

  std::vector<json> Alarms(const std::string& state) {
    std::vector<json> out;
    for (const auto& e : events)
      if (e["type"] == "alarm" && e["state"] == state) out.push_back(e);
    return out;
  }
};

// One second more of a site sending 50 audio and 100 video packets, `lost` of the video lost.
void Second(ParticipantStats& p, int lost = 0) {
  auto& t = p.transport;
  t.audio_in.packets += 50, t.audio_in.bytes += 4000;
  t.video_in.packets += 100 - lost, t.video_in.bytes += 100000, t.video_in.frames += 30,
      t.video_in.lost += lost;
  t.video_out.packets += 100, t.video_out.bytes += 100000, t.video_out.frames += 30;
  t.rtt_ms = 20;
}

TEST(Monitor, LossRaisesAStoredAlarmThatClearsAndTheCallRecordKeepsTheQuality) {
  Fixture f;
  ASSERT_TRUE(f.store);
  auto rec = f.store->OpenCallRecord("m", "huyen-1", 0);
  std::vector<Monitor::Member> members = {{7, "huyen-1", false, true}};
  RoomStats rs;
  rs.participants.push_back({});
  rs.participants[0].id = 7;
  int64_t t = 1000;
  for (int s = 0; s < 30; ++s, t += 1000) {
    Second(rs.participants[0], s >= 5 && s < 15 ? 10 : 0);  // 10 s of 10 % video loss.
    f.monitor.Sample(t, "m", members, rs);
  }
  ASSERT_EQ(f.Alarms("raised").size(), 1u);
  EXPECT_EQ(f.Alarms("raised")[0]["kind"], "loss");
  EXPECT_EQ(f.Alarms("raised")[0]["site"], "huyen-1");
  EXPECT_FALSE(f.Alarms("changed").empty()) << "warning, then critical as the window filled";
  ASSERT_EQ(f.Alarms("cleared").size(), 1u) << "the window emptied, then 5 s without loss";
  auto stored = f.store->Alarms("m", false, 10);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].severity, "critical");
  EXPECT_GT(stored[0].cleared_at_ms, stored[0].raised_at_ms);

  json live = f.monitor.ConferenceJson("m");
  ASSERT_EQ(live["sites"].size(), 1u);
  EXPECT_NEAR(live["sites"][0]["videoIn"]["fps"].get<double>(), 30, 1e-9);
  EXPECT_NEAR(live["sites"][0]["rttMs"].get<double>(), 20, 1e-9);
  json history = f.monitor.HistoryJson(7, 10);
  EXPECT_EQ(history["atMs"].size(), 10u);

  CallQuality q = f.monitor.Left(t, 7, "m", "huyen-1");
  EXPECT_EQ(q.seconds, 29);
  EXPECT_NEAR(q.loss_pct_max, 10.0, 1e-9);
  EXPECT_DOUBLE_EQ(q.rtt_ms_mean, 20);
  ASSERT_TRUE(f.store->CloseCallRecord(*rec, t, "left", q).ok());
  auto r = f.store->CallRecords("m", 1);
  EXPECT_EQ(r[0].alarms, 1);
  EXPECT_TRUE(f.monitor.HistoryJson(7, 10).is_null()) << "gone with the site";
}

// The whole-conference history of a site spans its rejoins (a new participant id) and goes
// when the conference closes.
TEST(Monitor, TheWholeConferenceHistoryOfASiteSpansItsRejoins) {
  Fixture f;
  RoomStats rs;
  rs.participants.push_back({});
  int64_t t = 10'000;
  for (ParticipantId id : {7, 9}) {  // Joins, leaves, joins again.
    rs.participants[0] = {};
    rs.participants[0].id = id;
    std::vector<Monitor::Member> members = {{id, "huyen-1", false, true}};
    for (int s = 0; s < 20; ++s, t += 1000) {
      Second(rs.participants[0]);
      f.monitor.Sample(t, "m", members, rs);
    }
    f.monitor.Left(t, id, "m", "huyen-1");
    t += 30'000;
  }
  json whole = f.monitor.ConferenceHistoryJson("m", "huyen-1");
  ASSERT_FALSE(whole.is_null());
  EXPECT_EQ(whole["stepS"], 10);
  ASSERT_GE(whole["atMs"].size(), 4u) << whole.dump();
  EXPECT_GT(whole["atMs"].back().get<int64_t>() - whole["atMs"].front().get<int64_t>(), 40'000)
      << "both stays";
  for (const auto& kbps : whole["videoIn"]["kbps"]) EXPECT_NEAR(kbps.get<double>(), 800, 1e-2);
  EXPECT_TRUE(f.monitor.ConferenceHistoryJson("m", "huyen-2").is_null());
  f.monitor.Closed(t, "m");
  EXPECT_TRUE(f.monitor.ConferenceHistoryJson("m", "huyen-1").is_null())
      << "kept only while it runs";
}

TEST(Monitor, ASiteThatLeavesTakesItsMediaAlarmsButNotItsDtlsFailure) {
  Fixture f;
  std::vector<Monitor::Member> members = {{1, "a", false, true}};
  RoomStats rs;
  rs.participants.push_back({});
  rs.participants[0].id = 1;
  Second(rs.participants[0]);
  f.monitor.Sample(1000, "m", members, rs);
  for (int s = 2; s <= 8; ++s) f.monitor.Sample(s * 1000, "m", members, rs);  // Nothing arrives.
  ASSERT_EQ(f.Alarms("raised").size(), 1u);
  EXPECT_EQ(f.Alarms("raised")[0]["kind"], "no-media");
  f.monitor.MediaFailed(8500, "m", "a", "DTLS handshake failed: bad certificate");
  f.monitor.MediaFailed(8500, "m", "a", "ICE failed");  // Not a DTLS failure: no alarm of its own.
  f.monitor.Left(8600, 1, "m", "a");
  auto cleared = f.Alarms("cleared");
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_EQ(cleared[0]["kind"], "no-media");
  auto active = f.store->Alarms("m", true, 10);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].kind, "dtls");
  EXPECT_EQ(active[0].severity, "critical");
  f.monitor.Closed(9000, "m");
  EXPECT_TRUE(f.store->Alarms("m", true, 10).empty()) << "the conference closed";
}

TEST(Monitor, OfflineInvitedSitesAndOverloadedEncoders) {
  Fixture f;
  f.monitor.Offline(1000, "m", "huyen-2", Severity::kWarning);
  f.monitor.Offline(2000, "m", "huyen-2", Severity::kCritical);  // The start passed.
  f.monitor.Offline(3000, "m", "huyen-2", std::nullopt);         // It connected.
  EXPECT_EQ(f.Alarms("raised").size(), 1u);
  EXPECT_EQ(f.Alarms("changed").size(), 1u);
  EXPECT_TRUE(f.Alarms("cleared").empty()) << "not before 5 s without the condition";
  f.monitor.Offline(8000, "m", "huyen-2", std::nullopt);
  EXPECT_EQ(f.Alarms("cleared").size(), 1u);

  f.events.clear();
  RoomStats rs;
  rs.tiers = {{1280, 720, 1500, 3, 0, 0}};
  auto tick = [&](int64_t t, int late) {
    rs.tiers[0].frames += 30, rs.tiers[0].late_frames += late;
    f.monitor.Sample(t, "m", {}, rs);
  };
  tick(10000, 0);
  tick(11000, 20);  // An encoder's first second: late, and nothing raised yet.
  tick(12000, 0);
  EXPECT_TRUE(f.Alarms("raised").empty()) << "one late second is not an overload";
  tick(13000, 6);
  tick(14000, 20);
  auto raised = f.Alarms("raised");
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0]["kind"], "encoder");
  EXPECT_EQ(raised[0]["site"], "");
  EXPECT_EQ(raised[0]["severity"], "critical");
  EXPECT_EQ(raised[0]["detail"], "20 of 30 composite frames late (1280x720)");
}

}  // namespace
}  // namespace mcu
