// Specs of the hosts' live control through the bridge (mcu/bridge.h): each command reaches the
// media room, then the audit log and the console feed; what the media core reports (connected,
// failed, speaker, packets) reaches the sites, the roll-call and the store. Console previews.
#include "tests/unit/bridge_fixture.h"

#include <algorithm>

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
  EXPECT_EQ(Live("hop", "huyen-1").state, SiteStatus::kJoined);
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
  Room Watch(const std::string& conference, const std::string& user = "chutri") {
    Room r = Connect();
    EndpointRequest join{T::kJoin};
    join.conference = conference;
    join.watcher = user;
    Ask(r, join);
    return r;
  }
};

TEST_F(BridgePreview, APreviewReceivesOnlyAndIsNeverOnTheRosterOrTheRollCall) {
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
