// Specs of the bridge's admission rules (mcu/bridge.h): who may join which conference, when, and
// what a joined site gets. A Bridge on fakes at every port (tests/unit/bridge_fixture.h).
#include "tests/unit/bridge_fixture.h"

namespace mcu::test {
namespace {

using T = EndpointRequest::Type;

class BridgeAdmission : public BridgeTest {};

TEST_F(BridgeAdmission, AWrongTokenIsRefusedAndTheConnectionStaysUnauthenticated) {
  Preload(Permanent("giao-ban"));
  Start();
  Room r = Connect();
  EndpointRequest auth{T::kAuth};
  auth.token = "token-nobody";
  Ask(r, auth);
  EXPECT_EQ(LastError(r).code, ErrorCode::kUnauthorized);
  Join(r, "giao-ban");
  EXPECT_EQ(LastError(r).code, ErrorCode::kUnauthorized);
  EXPECT_EQ(LastError(r).message, "authenticate first (type \"auth\")");
  EXPECT_EQ(bridge->counts().authenticated, 0u);
  EXPECT_EQ(media.rooms_created, 0);
}

TEST_F(BridgeAdmission, ARightTokenIsWelcomedWithItsSiteAndShownOnline) {
  Start();
  Room r = Online("huyen-1");
  auto welcome = r->Last<event::Welcome>();
  ASSERT_TRUE(welcome);
  EXPECT_EQ(welcome->site_id, "huyen-1");
  EXPECT_EQ(welcome->site_name, "Huyện 1");
  ASSERT_EQ(Feed("site").size(), 1u);
  EXPECT_EQ(Feed("site")[0]["state"], "online");
  EXPECT_EQ(bridge->Presence().at("huyen-1"), "");
}

TEST_F(BridgeAdmission, AScheduledConferenceRefusesASiteItDidNotInvite) {
  Preload(Scheduled("hop", {"huyen-1"}));
  Start();
  bridge->Tick();
  Room r = Joined("huyen-2", "hop");
  EXPECT_EQ(LastError(r).code, ErrorCode::kForbidden);
  EXPECT_EQ(LastError(r).message, "not invited to conference 'hop'");
  EXPECT_EQ(media.rooms_created, 0);
}

TEST_F(BridgeAdmission, APermanentConferenceWithoutInvitationsAdmitsAnySite) {
  Preload(Permanent("giao-ban"));
  Start();
  Room a = Joined("huyen-1", "giao-ban");
  Room b = Joined("tinh-1", "giao-ban");
  EXPECT_FALSE(a->Last<event::Error>());
  EXPECT_FALSE(b->Last<event::Error>());
  ASSERT_NE(media.room("giao-ban"), nullptr);
  EXPECT_EQ(media.room("giao-ban")->members().size(), 2u);
  EXPECT_EQ(media.room("giao-ban")->mode(), RoomMode::kMix);
}

TEST_F(BridgeAdmission, AConferenceThatIsNotOpenRefusesWithConflict) {
  Preload(Scheduled("hop", {"huyen-1"}, /*in_s=*/3600));
  Start();
  bridge->Tick();
  Room r = Joined("huyen-1", "hop");
  EXPECT_EQ(LastError(r).code, ErrorCode::kConflict);
  EXPECT_EQ(LastError(r).message, "conference 'hop' is not open");
}

TEST_F(BridgeAdmission, AnUnknownConferenceIsNotFound) {
  Start();
  Room r = Joined("huyen-1", "khong-co");
  EXPECT_EQ(LastError(r).code, ErrorCode::kNotFound);
}

TEST_F(BridgeAdmission, AKickedSiteIsRefusedUntilTheHostCallsItAgain) {
  Preload(Scheduled("hop", {"huyen-1", "huyen-2"}));
  Start();
  bridge->Tick();
  Room r = Joined("huyen-1", "hop");
  ASSERT_TRUE(bridge->Kick("chutri", "hop", "huyen-1"));
  bridge->Flush();
  auto left = r->Last<event::Left>();
  ASSERT_TRUE(left);
  EXPECT_EQ(left->reason, "removed by the host");
  EXPECT_EQ(media.room("hop"), nullptr) << "its last site gone, the media room goes";

  size_t calls = r->Count<event::Call>();
  Seconds(12);
  EXPECT_EQ(r->Count<event::Call>(), calls) << "a kicked site is not called back by the schedule";
  Join(r, "hop");
  EXPECT_EQ(LastError(r).code, ErrorCode::kForbidden);
  EXPECT_EQ(LastError(r).message, "removed from this conference by its host");
  EXPECT_TRUE(Live("hop", "huyen-1").kicked);

  ASSERT_TRUE(bridge->Call("chutri", "hop", "huyen-1"));
  bridge->Flush();
  EXPECT_EQ(r->Count<event::Call>(), calls + 1);
  r->Clear();
  Join(r, "hop");
  EXPECT_FALSE(r->Last<event::Error>());
  EXPECT_TRUE(r->Last<event::Joined>());
}

TEST_F(BridgeAdmission, ALockedConferenceAdmitsOnlySitesThatWereAlreadyIn) {
  Preload(Scheduled("hop", {"huyen-1", "huyen-2"}));
  Start();
  bridge->Tick();
  Room a = Joined("huyen-1", "hop");
  ASSERT_TRUE(bridge->Lock("chutri", "hop", true));
  Room b = Joined("huyen-2", "hop");
  EXPECT_EQ(LastError(b).code, ErrorCode::kForbidden);
  EXPECT_EQ(LastError(b).message, "conference 'hop' is locked");

  Ask(a, EndpointRequest{T::kLeave});
  a->Clear();
  Join(a, "hop");
  EXPECT_FALSE(a->Last<event::Error>()) << "a site admitted since it opened comes back in";
  EXPECT_TRUE(Row("hop").locked);
  ASSERT_TRUE(bridge->Lock("chutri", "hop", false));
  b->Clear();
  Join(b, "hop");
  EXPECT_FALSE(b->Last<event::Error>());
}

TEST_F(BridgeAdmission, TheParticipantLimitRefusesTheNextSiteAsFull) {
  config.limits.max_participants = 2;
  Preload(Permanent("giao-ban"));
  Start();
  Joined("huyen-1", "giao-ban");
  Joined("huyen-2", "giao-ban");
  Room third = Joined("huyen-3", "giao-ban");
  EXPECT_EQ(LastError(third).code, ErrorCode::kFull);
  EXPECT_EQ(media.room("giao-ban")->members().size(), 2u);
}

TEST_F(BridgeAdmission, JoiningTwiceIsAConflict) {
  Preload(Permanent("giao-ban"));
  Start();
  Room r = Joined("huyen-1", "giao-ban");
  Join(r, "giao-ban");
  EXPECT_EQ(LastError(r).code, ErrorCode::kConflict);
  EXPECT_EQ(media.room("giao-ban")->members().size(), 1u);
}

TEST_F(BridgeAdmission, AJoinedSiteGetsItsOfferAndTheRosterAndItsAnswerAndCandidatesReachItsMedia) {
  Preload(Permanent("giao-ban"));
  Start();
  Room r = Joined("huyen-1", "giao-ban");
  auto joined = r->Last<event::Joined>();
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->conference_title, "Phòng giao-ban");
  ParticipantId pid = Pid(r);
  auto offer = r->Last<event::Offer>();
  ASSERT_TRUE(offer);
  EXPECT_EQ(offer->sdp, "v=0 offer p" + std::to_string(pid));
  auto roster = r->Last<event::Roster>();
  ASSERT_TRUE(roster);
  ASSERT_EQ(roster->participants.size(), 1u);
  EXPECT_EQ(roster->participants[0].name, "Huyện 1");
  EXPECT_EQ(roster->participants[0].media, MediaStatus::kConnecting);

  EndpointRequest answer{T::kAnswer};
  answer.sdp = "v=0 answer from the room";
  Ask(r, answer);
  EndpointRequest candidate{T::kCandidate};
  candidate.candidate = "candidate:1 1 udp 2122260223 192.0.2.1 40000 typ host";
  Ask(r, candidate);
  auto* member = media.room("giao-ban")->member(pid);
  ASSERT_NE(member, nullptr);
  EXPECT_EQ(member->answer, "v=0 answer from the room");
  EXPECT_EQ(member->candidates.size(), 1u);
  EXPECT_EQ(member->info.display_name, "Huyện 1");

  answer.sdp = "not sdp";
  Ask(r, answer);
  EXPECT_EQ(LastError(r).code, ErrorCode::kBadRequest);
}

TEST_F(BridgeAdmission, AnAnswerOrLeaveOutsideAConferenceIsAConflict) {
  Start();
  Room r = Online("huyen-1");
  EndpointRequest answer{T::kAnswer};
  answer.sdp = "v=0";
  Ask(r, answer);
  EXPECT_EQ(LastError(r).code, ErrorCode::kConflict);
  Ask(r, EndpointRequest{T::kLeave});
  EXPECT_EQ(LastError(r).code, ErrorCode::kConflict);
  Ask(r, EndpointRequest{T::kPing});
  EXPECT_EQ(r->Count<event::Pong>(), 1u);
}

TEST_F(BridgeAdmission, StatsAreAskedOfTheSitesOwnMediaAndOnlyInAConference) {
  Preload(Permanent("giao-ban"));
  Start();
  Room idle = Online("huyen-2");
  Ask(idle, EndpointRequest{T::kGetStats});
  EXPECT_EQ(LastError(idle).code, ErrorCode::kConflict);
  Room r = Joined("huyen-1", "giao-ban");
  EndpointRequest ask{T::kGetStats};
  ask.id = "s1";
  Ask(r, ask);
  auto stats = r->Last<event::Stats>();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->stats.transport.ice_state, "fake p" + std::to_string(Pid(r)));
  EXPECT_EQ(r->events().back().reply_to, "s1");
}

TEST_F(BridgeAdmission, TheMediaRoomIsMadeForTheFirstSiteAndGoesWithTheLast) {
  Preload(Permanent("giao-ban"));
  Start();
  Room a = Joined("huyen-1", "giao-ban");
  Room b = Joined("huyen-2", "giao-ban");
  EXPECT_EQ(media.rooms_created, 1);
  Ask(a, EndpointRequest{T::kLeave});
  ASSERT_NE(media.room("giao-ban"), nullptr);
  EXPECT_EQ(a->Last<event::Left>()->reason, "left");
  Drop(b);
  EXPECT_EQ(media.room("giao-ban"), nullptr) << "an empty conference keeps no media room";
  EXPECT_EQ(bridge->counts().participants, 0u);
}

TEST_F(BridgeAdmission, AMediaRoomThatCannotBeMadeAnswersInternalAndTheNextJoinWorks) {
  Preload(Permanent("giao-ban"));
  Start();
  media.fail_rooms = true;
  Room r = Joined("huyen-1", "giao-ban");
  EXPECT_EQ(LastError(r).code, ErrorCode::kInternal);
  EXPECT_EQ(bridge->counts().participants, 0u);
  media.fail_rooms = false;
  media.fail_participants = true;
  Join(r, "giao-ban");
  EXPECT_EQ(LastError(r).code, ErrorCode::kInternal);
  EXPECT_EQ(media.room("giao-ban"), nullptr) << "a room left empty by a failed join goes";
  media.fail_participants = false;
  r->Clear();
  Join(r, "giao-ban");
  EXPECT_TRUE(r->Last<event::Joined>());
}

TEST_F(BridgeAdmission, ContentJoinsOnlyTheConferenceItsSiteIsInAndLeavesWithIt) {
  Preload(Scheduled("hop", {"huyen-1", "huyen-2"}));
  Start();
  bridge->Tick();
  Room content = Online("huyen-1", /*content=*/true);
  Join(content, "hop");
  EXPECT_EQ(LastError(content).code, ErrorCode::kConflict)
      << "content needs its site in a conference";

  Room main = Joined("huyen-1", "hop");
  auto call = content->Last<event::Call>();
  ASSERT_TRUE(call) << "the content connection is called where its site went";
  EXPECT_EQ(call->conference_id, "hop");
  content->Clear();
  Join(content, "hop");
  ASSERT_TRUE(content->Last<event::Joined>());
  FakeMediaRoom* room = media.room("hop");
  ParticipantId cid = Pid(content);
  ASSERT_NE(room->member(cid), nullptr);
  EXPECT_TRUE(room->member(cid)->info.content);
  EXPECT_EQ(room->member(cid)->info.display_name, "Huyện 1") << "the tile's caption is the media's";
  EXPECT_TRUE(Live("hop", "huyen-1").content);

  Ask(main, EndpointRequest{T::kLeave});
  EXPECT_EQ(media.room("hop"), nullptr) << "content goes with its site, and the room with both";
  ASSERT_TRUE(content->Last<event::Left>());
  EXPECT_EQ(content->Last<event::Left>()->reason, "left");
}

TEST_F(BridgeAdmission, AReconnectingRoomReplacesItsOldConnectionAndIsCalledBackAtOnce) {
  Preload(Scheduled("hop", {"huyen-1"}));
  Start();
  bridge->Tick();
  Room old = Joined("huyen-1", "hop");
  Room fresh = Online("huyen-1");
  EXPECT_EQ(old->closed(), "replaced by a new connection from the same site");
  EXPECT_EQ(media.room("hop"), nullptr);
  auto call = fresh->Last<event::Call>();
  ASSERT_TRUE(call) << "a room coming back is ordered into its open conference without waiting";
  EXPECT_EQ(call->conference_id, "hop");
  auto records = store->CallRecords("hop", 10);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].reason, "replaced by a new connection");
  EXPECT_EQ(bridge->counts().authenticated, 1u);
}

}  // namespace
}  // namespace mcu::test
