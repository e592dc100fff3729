// Specs of what the bridge tells an unattended room about itself and hears from it
// (mcu/bridge.h): the standby screen's next conference (`standby`) and the room's devices
// (`devices`) on the roll-call.
#include "tests/unit/bridge_fixture.h"

namespace mcu::test {
namespace {

using T = EndpointRequest::Type;

class BridgeRoom : public BridgeTest {
 protected:
  static std::optional<event::Standby::Next> Next(const Room& r) {
    auto s = r->Last<event::Standby>();
    EXPECT_TRUE(s) << "no standby event";
    return s ? s->next : std::nullopt;
  }
  void Report(const Room& r, DeviceStates d) {
    EndpointRequest req{T::kDevices};
    req.devices = d;
    Ask(r, req);
  }
};

TEST_F(BridgeRoom, TheStandbyScreenNamesTheFirstInvitedConferenceFromWelcomeAndFollowsIt) {
  Preload(Scheduled("later", {"huyen-1"}, /*in_s=*/7200, 3600));
  Preload(Scheduled("sooner", {"huyen-1", "huyen-2"}, /*in_s=*/3600, /*length_s=*/1800));
  Preload(Scheduled("others", {"huyen-2"}, /*in_s=*/600));
  Start({.grace_s = 60});
  const int64_t t0 = clock.NowS();
  Room a = Online("huyen-1"), nobody = Online("huyen-3");
  ASSERT_EQ(a->Count<event::Standby>(), 1u) << "sent with the welcome";
  ASSERT_TRUE(Next(a));
  EXPECT_EQ(Next(a)->conference_id, "sooner");
  EXPECT_EQ(Next(a)->title, "Giao ban sooner");
  EXPECT_EQ(Next(a)->start_at, t0 + 3600);
  EXPECT_EQ(Next(a)->end_at, t0 + 5400);
  EXPECT_FALSE(Next(a)->open);
  EXPECT_EQ(nobody->Count<event::Standby>(), 1u);
  EXPECT_FALSE(Next(nobody)) << "a site invited nowhere is told so";

  Seconds(5);
  EXPECT_EQ(a->Count<event::Standby>(), 1u) << "sent again only when it changes";

  Later(3600 * 1000);  // "sooner" opens: the room is called into it, and its screen says so.
  ASSERT_EQ(Row("sooner").state, ConferenceState::kOpen);
  ASSERT_EQ(a->Count<event::Standby>(), 2u);
  EXPECT_EQ(Next(a)->conference_id, "sooner");
  EXPECT_TRUE(Next(a)->open);

  Later((1800 + 60) * 1000);  // It ends: the next one is "later".
  ASSERT_EQ(Row("sooner").state, ConferenceState::kEnded);
  EXPECT_EQ(Next(a)->conference_id, "later");
  EXPECT_EQ(Next(a)->start_at, t0 + 7200);
  EXPECT_EQ(nobody->Count<event::Standby>(), 1u);
}

TEST_F(BridgeRoom, AConferenceScheduledThroughTheConsoleReachesTheRoomWithinASecond) {
  Start();
  Room a = Online("huyen-1");
  EXPECT_FALSE(Next(a));
  ASSERT_TRUE(bridge->CreateConference("chutri", Scheduled("moi", {"huyen-1"}, 86400)));
  Seconds(1);
  ASSERT_TRUE(Next(a));
  EXPECT_EQ(Next(a)->conference_id, "moi");
  EXPECT_EQ(Next(a)->start_at, clock.NowS() - 1 + 86400);
}

TEST_F(BridgeRoom, AnOpenConferenceTheHostRemovedTheRoomFromIsNotItsNext) {
  Preload(Scheduled("hop", {"huyen-1"}));
  Preload(Scheduled("chieu", {"huyen-1"}, /*in_s=*/4 * 3600));
  Start();
  bridge->Tick();
  Room a = Joined("huyen-1", "hop");
  EXPECT_EQ(Next(a)->conference_id, "hop");
  ASSERT_TRUE(bridge->Kick("chutri", "hop", "huyen-1"));
  Seconds(1);
  EXPECT_EQ(Next(a)->conference_id, "chieu");
}

TEST_F(BridgeRoom, ARoomsDevicesAreOnTheRollCallAndTheFeedUntilItGoesOffline) {
  Preload(Scheduled("hop", {"huyen-1", "huyen-2"}));
  Start();
  bridge->Tick();
  Room a = Joined("huyen-1", "hop"), b = Online("huyen-2");
  EXPECT_FALSE(Live("hop", "huyen-1").devices) << "nothing reported yet";
  Report(a, {DeviceState::kMissing, DeviceState::kOk, DeviceState::kOk});
  auto d = Live("hop", "huyen-1").devices;
  ASSERT_TRUE(d);
  EXPECT_EQ(d->camera, DeviceState::kMissing);
  EXPECT_EQ(d->microphone, DeviceState::kOk);
  EXPECT_EQ(d->speaker, DeviceState::kOk);
  ASSERT_EQ(Feed("devices").size(), 1u);
  EXPECT_EQ(Feed("devices")[0]["site"], "huyen-1");
  EXPECT_EQ(Feed("devices")[0]["devices"]["camera"], "missing");
  Report(a, {DeviceState::kMissing, DeviceState::kOk, DeviceState::kOk});
  EXPECT_EQ(Feed("devices").size(), 1u) << "an unchanged report is not news";
  Report(b, {DeviceState::kOk, DeviceState::kOk, DeviceState::kNone});
  EXPECT_EQ(Live("hop", "huyen-2").devices->speaker, DeviceState::kNone)
      << "an idle room's devices are shown too";

  Room content = Online("huyen-1", /*content=*/true);
  Report(content, {});
  EXPECT_EQ(LastError(content).code, ErrorCode::kConflict);
  EXPECT_EQ(Live("hop", "huyen-1").devices->camera, DeviceState::kMissing);

  Drop(a);
  EXPECT_FALSE(Live("hop", "huyen-1").devices) << "an offline room has no devices to show";
}

TEST_F(BridgeRoom, AnInvitedRoomMissingADeviceRaisesAWarningThatClearsWhenItIsBack) {
  Preload(Scheduled("hop", {"huyen-1"}));
  Start();
  bridge->Tick();
  Room a = Online("huyen-1");
  auto device_alarms = [&] {
    std::vector<AlarmRow> out;
    for (auto& a : store->Alarms("hop", true, 10))
      if (a.kind == "device") out.push_back(a);
    return out;
  };
  Report(a, {DeviceState::kMissing, DeviceState::kMissing, DeviceState::kOk});
  Seconds(1);
  auto alarms = device_alarms();
  ASSERT_EQ(alarms.size(), 1u) << "a warning before the room has even joined";
  EXPECT_EQ(alarms[0].site_id, "huyen-1");
  EXPECT_EQ(alarms[0].severity, "warning");
  EXPECT_EQ(alarms[0].detail, "missing at the room: camera, microphone");
  Report(a, {DeviceState::kOk, DeviceState::kOk, DeviceState::kOk});
  Seconds(config.alarms.clear_after_s + 1);
  EXPECT_TRUE(device_alarms().empty()) << "cleared once all is back";
}

TEST_F(BridgeRoom, DevicesBeforeAuthenticationAreRefused) {
  Start();
  Room r = Connect();
  Report(r, {DeviceState::kOk, DeviceState::kOk, DeviceState::kOk});
  EXPECT_EQ(LastError(r).code, ErrorCode::kUnauthorized);
}

}  // namespace
}  // namespace mcu::test
