// Specs of the bridge's schedule (mcu/bridge.h, mcu/schedule.h): when a conference opens and
// closes, which rooms it calls and when again, what a restart keeps, and what the store records.
#include "tests/unit/bridge_fixture.h"

namespace mcu::test {
namespace {

using T = EndpointRequest::Type;

class BridgeSchedule : public BridgeTest {};

TEST_F(BridgeSchedule, AConferenceOpensAtStartMinusLeadAndCallsEachIdleInvitedRoomOnce) {
  Preload(Scheduled("hop", {"huyen-1", "huyen-2"}, /*in_s=*/600, 3600, /*lead_s=*/300));
  Start();
  Room a = Online("huyen-1"), b = Online("huyen-2"), other = Online("huyen-3");
  Seconds(299);
  EXPECT_EQ(Row("hop").state, ConferenceState::kScheduled);
  EXPECT_EQ(a->Count<event::Call>(), 0u);
  Seconds(1);
  EXPECT_EQ(Row("hop").state, ConferenceState::kOpen);
  ASSERT_EQ(a->Count<event::Call>(), 1u);
  EXPECT_EQ(a->Last<event::Call>()->conference_id, "hop");
  EXPECT_EQ(a->Last<event::Call>()->conference_title, "Giao ban hop");
  EXPECT_EQ(b->Count<event::Call>(), 1u);
  EXPECT_EQ(other->Count<event::Call>(), 0u) << "only invited rooms are called";
  EXPECT_EQ(AuditActions(), std::vector<std::string>{"open hop"});
  ASSERT_EQ(Feed("conference").size(), 1u);
  EXPECT_EQ(Feed("conference")[0]["state"], "open");
}

TEST_F(BridgeSchedule, AnIdleInvitedRoomIsCalledAgainAfterTheRetryIntervalAndAJoinedOneIsNot) {
  Preload(Scheduled("hop", {"huyen-1", "huyen-2"}));
  Start({.call_retry_s = 5});
  Room a = Online("huyen-1"), b = Online("huyen-2");
  bridge->Tick();
  ASSERT_EQ(a->Count<event::Call>(), 1u);
  Join(b, "hop");
  Seconds(4);
  EXPECT_EQ(a->Count<event::Call>(), 1u);
  Seconds(1);
  EXPECT_EQ(a->Count<event::Call>(), 2u);
  EXPECT_EQ(b->Count<event::Call>(), 1u);
  Seconds(5);
  EXPECT_EQ(a->Count<event::Call>(), 3u);
}

TEST_F(BridgeSchedule, APermanentConferenceCallsNobodyAndNeverCloses) {
  Preload(Permanent("giao-ban", {"huyen-1"}));
  Start();
  Room a = Online("huyen-1");
  Later(400LL * 24 * 3600 * 1000);
  EXPECT_EQ(a->Count<event::Call>(), 0u);
  EXPECT_EQ(Row("giao-ban").state, ConferenceState::kScheduled)
      << "a permanent conference has no state of its own";
  Join(a, "giao-ban");
  EXPECT_TRUE(a->Last<event::Joined>());
}

TEST_F(BridgeSchedule, ItClosesAfterItsEndPlusTheGraceAndEveryoneLeavesWithTheReason) {
  Preload(Scheduled("hop", {"huyen-1"}, 0, /*length_s=*/60));
  Start({.grace_s = 300});
  bridge->Tick();
  Room a = Joined("huyen-1", "hop");
  Later((60 + 299) * 1000);
  EXPECT_EQ(Row("hop").state, ConferenceState::kOpen);
  Later(1000);
  EXPECT_EQ(Row("hop").state, ConferenceState::kEnded);
  ASSERT_TRUE(a->Last<event::Left>());
  EXPECT_EQ(a->Last<event::Left>()->reason, "the conference ended");
  EXPECT_EQ(media.room("hop"), nullptr);
  auto records = store->CallRecords("hop", 10);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].reason, "the conference ended");
  EXPECT_EQ(records[0].left_at_ms, clock.NowMs());
  EXPECT_EQ(AuditActions(), (std::vector<std::string>{"open hop", "close hop"}));
}

TEST_F(BridgeSchedule, AWindowMissedWhileTheMcuWasDownClosesWithoutOpening) {
  Preload(Scheduled("hop", {"huyen-1"}, /*in_s=*/-7200, /*length_s=*/3600));
  Start();
  Room a = Online("huyen-1");
  bridge->Tick();
  EXPECT_EQ(Row("hop").state, ConferenceState::kEnded);
  EXPECT_EQ(a->Count<event::Call>(), 0u);
  EXPECT_EQ(media.rooms_created, 0);
  EXPECT_EQ(AuditActions(), std::vector<std::string>{"close hop"});
}

TEST_F(BridgeSchedule, ARecurringConferenceWaitsForItsNextOccurrenceWhenItCloses) {
  ConferenceRow c = Scheduled("hop", {"huyen-1"}, 0, 3600);
  c.recurrence = "daily";
  Preload(c);
  Start({.grace_s = 300});
  bridge->Tick();
  ASSERT_EQ(Row("hop").state, ConferenceState::kOpen);
  Later((3600 + 300) * 1000);
  ConferenceRow next = Row("hop");
  EXPECT_EQ(next.state, ConferenceState::kScheduled);
  EXPECT_EQ(next.start_at, c.start_at + 24 * 3600);
  EXPECT_EQ(next.end_at, c.end_at + 24 * 3600);
}

TEST_F(BridgeSchedule, OpenConferencesResumeAfterARestartAndTheirLockStillHolds) {
  Preload(Scheduled("hop", {"huyen-1", "huyen-2"}));
  Start();
  bridge->Tick();
  Joined("huyen-1", "hop");
  ASSERT_TRUE(bridge->Lock("chutri", "hop", true));
  Restart();
  EXPECT_EQ(Row("hop").state, ConferenceState::kOpen);
  auto records = store->CallRecords("hop", 10);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].reason, "mcu stopped");

  Room a = Online("huyen-1");
  ASSERT_TRUE(a->Last<event::Call>()) << "the open conference calls its room at once";
  Join(a, "hop");
  EXPECT_TRUE(a->Last<event::Joined>()) << "admitted before the restart: the lock lets it back";
  Room b = Joined("huyen-2", "hop");
  EXPECT_EQ(LastError(b).message, "conference 'hop' is locked");
  bridge->Tick();
  EXPECT_EQ(AuditActions(), (std::vector<std::string>{"open hop", "lock hop"}))
      << "it did not open again";
}

TEST_F(BridgeSchedule, CallRecordsLeftOpenByACrashAreClosedOnStart) {
  auto rec = store->OpenCallRecord("hop", "huyen-1", clock.NowMs() - 60000);
  ASSERT_TRUE(rec);
  Start();
  auto records = store->CallRecords("hop", 10);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].reason, "mcu restarted");
  EXPECT_EQ(records[0].left_at_ms, clock.NowMs());
}

TEST_F(BridgeSchedule, ACallRecordOpensOnJoinAndClosesWithTheReasonAndTime) {
  Preload(Permanent("giao-ban"));
  Start();
  int64_t joined_at = clock.NowMs();
  Room a = Joined("huyen-1", "giao-ban");
  clock.Advance(90000);
  Ask(a, EndpointRequest{T::kLeave});
  auto records = store->CallRecords("giao-ban", 10);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].site_id, "huyen-1");
  EXPECT_EQ(records[0].joined_at_ms, joined_at);
  EXPECT_EQ(records[0].left_at_ms, joined_at + 90000);
  EXPECT_EQ(records[0].reason, "left");
}

TEST_F(BridgeSchedule, AnInvitedSiteOfflineAfterTheOpeningIsAWarningThenCriticalAtTheStart) {
  Preload(Scheduled("hop", {"huyen-1"}, /*in_s=*/600, 3600, /*lead_s=*/300));
  Start();
  Later(300 * 1000);
  auto alarms = store->Alarms("hop", true, 10);
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].site_id, "huyen-1");
  EXPECT_EQ(alarms[0].kind, "offline");
  EXPECT_EQ(alarms[0].severity, "warning");
  Later(300 * 1000);
  alarms = store->Alarms("hop", true, 10);
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].severity, "critical");
}

TEST_F(BridgeSchedule, AHostStartsAConferenceEarlyAndStopsIt) {
  Preload(Scheduled("hop", {"huyen-1"}, /*in_s=*/7200));
  Start();
  Room a = Online("huyen-1");
  ASSERT_TRUE(bridge->StartConference("chutri", "hop"));
  bridge->Flush();
  EXPECT_EQ(Row("hop").state, ConferenceState::kOpen);
  ASSERT_EQ(a->Count<event::Call>(), 1u);
  EXPECT_EQ(bridge->StartConference("chutri", "hop").error_kind(), ErrorKind::kConflict);
  Join(a, "hop");
  ASSERT_TRUE(bridge->StopConference("chutri", "hop"));
  bridge->Flush();
  EXPECT_EQ(a->Last<event::Left>()->reason, "the host ended the conference");
  EXPECT_EQ(Row("hop").state, ConferenceState::kEnded);
  EXPECT_EQ(AuditActions(), (std::vector<std::string>{"open hop", "close hop"}));
  EXPECT_EQ(store->AuditLog(1)[0].actor, "chutri");
}

TEST_F(BridgeSchedule, AOneOffMeetingWhoseWindowIsOverCannotBeCreated) {
  Start();
  auto st = bridge->CreateConference("chutri", Scheduled("cu", {"huyen-1"}, -7200, 3600));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error_kind(), ErrorKind::kInvalid);
  EXPECT_FALSE(store->Conference("cu"));
  ASSERT_TRUE(bridge->CreateConference("chutri", Scheduled("moi", {"huyen-1"}, 0, 3600)));
  EXPECT_EQ(Row("moi").state, ConferenceState::kOpen) << "created when due, it opens at once";
}

}  // namespace
}  // namespace mcu::test
