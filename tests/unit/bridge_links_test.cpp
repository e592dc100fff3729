// Specs of cascade links this MCU dials (mcu/cascade.h, the bridge's link state machine): when a
// link dials, what it says to the other MCU, how it answers the other MCU's offer, how it redials
// after a failure, and what the roll-call shows.
#include "tests/unit/bridge_fixture.h"

namespace mcu::test {
namespace {

using T = EndpointRequest::Type;

class BridgeLink : public BridgeTest {
 protected:
  BridgeLink() {
    LinkTarget target;
    target.url = "wss://trung-uong.test:8443/ws";
    target.conference = "tw-hop";
    target.credential = "credential-of-the-province";
    target.fingerprint =
        "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:"
        "67:89";
    target.max_kbps = 1500;
    AddSite("trung-uong", "Trung ương", "central", target);
  }
  // The province's conference inviting the link and a district, open.
  void Open() {
    Preload(Scheduled("hop", {"trung-uong", "huyen-1"}));
    Start();
    bridge->Tick();
  }
  void FromOther(decltype(EndpointEvent::body) body) {
    bridge->OnOutboundEvent(dialer.last().id, EndpointEvent{"", std::move(body)});
    bridge->Flush();
  }
  // Dialled, accepted, joined, and answered the other MCU's offer.
  ParticipantId Connected() {
    bridge->OnOutboundOpen(dialer.last().id);
    FromOther(event::Welcome{"tinh", "Tỉnh"});
    FromOther(event::Joined{"tw-hop", "Giao ban trung ương", "p7"});
    FromOther(event::Offer{"v=0 offer of the central MCU"});
    FakeMediaRoom* room = media.room("hop");
    return room ? room->IdOf("Giao ban trung ương") : 0;
  }
  std::vector<EndpointRequest> Sent() { return dialer.last().out->requests(); }
};

TEST_F(BridgeLink, ALinkDialsWhenItsConferenceOpensAndAuthenticatesWithItsCredential) {
  Preload(Scheduled("hop", {"trung-uong"}, /*in_s=*/60));
  Start();
  bridge->Tick();
  EXPECT_TRUE(dialer.calls().empty()) << "nothing to dial while its conference is closed";
  EXPECT_EQ(Live("hop", "trung-uong").link->state, LinkState::kIdle);
  Later(60 * 1000);
  ASSERT_EQ(dialer.calls().size(), 1u);
  EXPECT_EQ(dialer.last().target.url, "wss://trung-uong.test:8443/ws");
  EXPECT_EQ(Live("hop", "trung-uong").link->state, LinkState::kConnecting);
  bridge->OnOutboundOpen(dialer.last().id);
  bridge->Flush();
  ASSERT_EQ(Sent().size(), 1u);
  EXPECT_EQ(Sent()[0].type, T::kAuth);
  EXPECT_EQ(Sent()[0].token, "credential-of-the-province");
  EXPECT_EQ(Live("hop", "trung-uong").link->state, LinkState::kAuthenticating);
}

TEST_F(BridgeLink, AnAcceptedLinkJoinsItsTargetAndAnswersTheOtherMcusOfferWithAParticipant) {
  Open();
  ParticipantId pid = Connected();
  ASSERT_NE(pid, 0u);
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[1].type, T::kJoin);
  EXPECT_EQ(sent[1].conference, "tw-hop");
  EXPECT_EQ(sent[1].max_bitrate_kbps, 1500);
  EXPECT_EQ(sent[1].link_role, "child") << "the usual set-up: the dialling side is the child";
  EXPECT_EQ(sent[2].type, T::kAnswer);
  EXPECT_EQ(sent[2].sdp, "v=0 answer p" + std::to_string(pid));
  // Then its side of the link: its conference, its roll-call without the link, no control.
  EXPECT_EQ(sent[3].type, T::kLink);
  EXPECT_EQ(sent[3].link.role, "child");
  EXPECT_EQ(sent[3].link.title, "Giao ban hop");
  EXPECT_EQ(sent[3].link.expected, 1) << "huyen-1, invited";
  EXPECT_EQ(sent[3].link.connected, 0);
  EXPECT_FALSE(sent[3].link.control) << "a child does not control its parent";
  auto* member = media.room("hop")->member(pid);
  EXPECT_EQ(member->info.remote_offer, "v=0 offer of the central MCU");
  LiveSite live = Live("hop", "trung-uong");
  EXPECT_EQ(live.link->state, LinkState::kJoined);
  EXPECT_EQ(live.link->remote_title, "Giao ban trung ương");
  EXPECT_EQ(live.state, SiteStatus::kJoined);
  EXPECT_EQ(bridge->Presence().at("trung-uong"), "hop");
}

TEST_F(BridgeLink, ALinkThatIsCalledInsteadOfJoiningJoinsWhereItIsCalled) {
  SiteRow s = *store->Site("trung-uong");
  s.link.conference.clear();
  ASSERT_TRUE(store->UpdateSite(s));
  Open();
  bridge->OnOutboundOpen(dialer.last().id);
  FromOther(event::Welcome{"tinh", "Tỉnh"});
  EXPECT_EQ(Sent().size(), 1u) << "it waits to be called";
  EXPECT_EQ(Live("hop", "trung-uong").link->state, LinkState::kOnline);
  FromOther(event::Call{"tw-chieu", "Họp chiều"});
  ASSERT_EQ(Sent().size(), 2u);
  EXPECT_EQ(Sent()[1].conference, "tw-chieu");
}

// The other MCU cannot pull a link pinned to one of its conferences into another one, even by
// calling before it has welcomed the link.
TEST_F(BridgeLink, APinnedLinkIgnoresACallIntoAnotherConference) {
  Open();
  bridge->OnOutboundOpen(dialer.last().id);
  FromOther(event::Call{"tw-khac", "Họp khác"});
  EXPECT_EQ(Sent().size(), 1u) << "only the authentication was sent";
  FromOther(event::Welcome{"tinh", "Tỉnh"});
  FromOther(event::Call{"tw-khac", "Họp khác"});
  ASSERT_EQ(Sent().size(), 2u);
  EXPECT_EQ(Sent()[1].type, T::kJoin);
  EXPECT_EQ(Sent()[1].conference, "tw-hop");
}

TEST_F(BridgeLink, ALinkRedialsWithBackoffAfterAMediaFailure) {
  Open();
  ParticipantId pid = Connected();
  ASSERT_NE(pid, 0u);
  auto first = dialer.last();
  media.room("hop")->Fail(pid, "ICE failed");
  bridge->Flush();
  EXPECT_TRUE(first.out->closed()) << "the link's connection goes with its participant";
  LiveSite live = Live("hop", "trung-uong");
  EXPECT_EQ(live.link->state, LinkState::kWaiting);
  EXPECT_EQ(live.link->detail, "media failed: ICE failed");
  Later(499);
  EXPECT_EQ(dialer.calls().size(), 1u) << "not before the first backoff (500 ms)";
  Later(127);
  ASSERT_EQ(dialer.calls().size(), 2u) << "within 500 ms plus a quarter of it";
  EXPECT_EQ(Live("hop", "trung-uong").link->attempts, 2);
}

TEST_F(BridgeLink, ADroppedConnectionRedialsLaterAndLaterUntilMediaWorksAgain) {
  Open();
  std::vector<int64_t> dialled_at{clock.NowMs()};
  for (int i = 0; i < 4; ++i) {
    bridge->OnOutboundClosed(dialer.last().id, "connection refused");
    bridge->Flush();
    size_t before = dialer.calls().size();
    while (dialer.calls().size() == before) Later(50);
    dialled_at.push_back(clock.NowMs());
  }
  for (size_t i = 1; i < dialled_at.size(); ++i) {
    int64_t wait = dialled_at[i] - dialled_at[i - 1],
            base = 500LL << (i - 1);  // 500, 1000, 2000, 4000
    EXPECT_GE(wait, base) << "attempt " << i + 1;
    EXPECT_LT(wait, base + base / 4 + 50) << "attempt " << i + 1 << ": at most a quarter more";
  }
  EXPECT_EQ(Live("hop", "trung-uong").link->attempts, 5);
  ParticipantId pid = Connected();
  media.room("hop")->Connect(pid);
  bridge->Flush();
  EXPECT_EQ(Live("hop", "trung-uong").link->attempts, 0)
      << "media connected: the backoff starts over";
}

TEST_F(BridgeLink, ARefusedCredentialIsShownOnTheRollCall) {
  Open();
  bridge->OnOutboundOpen(dialer.last().id);
  FromOther(event::Error{ErrorCode::kUnauthorized, "invalid token"});
  LiveSite live = Live("hop", "trung-uong");
  EXPECT_EQ(live.link->state, LinkState::kRefused);
  EXPECT_EQ(live.link->detail, "unauthorized: invalid token");
  EXPECT_EQ(live.link->failure, "credential");
  EXPECT_EQ(live.state, SiteStatus::kOffline);
  EXPECT_TRUE(dialer.last().out->closed());
}

TEST_F(BridgeLink, TheRollCallSaysWhyALinkFailedUntilItIsAcceptedAgain) {
  Open();
  auto failure = [&] { return Live("hop", "trung-uong").link->failure; };
  EXPECT_EQ(failure(), "");
  bridge->OnOutboundClosed(dialer.last().id,
                           "certificate mismatch: the server's certificate has the fingerprint "
                           "01:02, not the pinned one");
  bridge->Flush();
  EXPECT_EQ(failure(), "certificate");
  EXPECT_NE(Live("hop", "trung-uong").link->detail.find("01:02"), std::string::npos)
      << "the fingerprint seen, for the administrator to compare";
  Seconds(1);
  bridge->OnOutboundClosed(dialer.last().id, "connect: Connection refused");
  bridge->Flush();
  EXPECT_EQ(failure(), "network");
  Seconds(2);
  bridge->OnOutboundOpen(dialer.last().id);
  FromOther(event::Welcome{"tinh", "Tỉnh"});
  EXPECT_EQ(failure(), "") << "accepted again";
  FromOther(event::Error{ErrorCode::kNotFound, "no conference 'tw-hop'"});
  EXPECT_EQ(failure(), "conference");
  Seconds(4);
  bridge->OnOutboundOpen(dialer.last().id);
  FromOther(event::Welcome{"tinh", "Tỉnh"});
  FromOther(event::Error{ErrorCode::kForbidden, "the conference is locked"});
  EXPECT_EQ(failure(), "refused");
}

TEST_F(BridgeLink, ALinkAnnouncesThisMcuAndHangsUpWhereItWouldCloseALoop) {
  Open();
  auto self = store->McuId();
  ASSERT_TRUE(self);
  EXPECT_EQ(self->size(), 32u);
  EXPECT_EQ(*store->McuId(), *self) << "the identity is kept";
  bridge->OnOutboundOpen(dialer.last().id);
  FromOther(event::Welcome{"tinh", "Tỉnh"});
  auto sent = Sent();
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.back().type, T::kJoin);
  EXPECT_EQ(sent.back().mcus, std::vector<std::string>{*self}) << "its side: this MCU alone";
  // The other conference already reaches this MCU another way: joining would close a loop.
  FromOther(event::Joined{"tw-hop", "Giao ban trung ương", "p7", {"c0ffee", *self}});
  LiveSite live = Live("hop", "trung-uong");
  EXPECT_EQ(live.link->failure, "loop");
  EXPECT_EQ(live.link->state, LinkState::kRefused);
  EXPECT_NE(live.link->detail.find(*self), std::string::npos) << live.link->detail;
  EXPECT_TRUE(dialer.last().out->closed());
  EXPECT_EQ(media.room("hop"), nullptr) << "no participant was made";
  // Dialled again, the other MCU refuses it itself this time: the same state.
  Seconds(2);
  bridge->OnOutboundOpen(dialer.last().id);
  FromOther(event::Welcome{"tinh", "Tỉnh"});
  FromOther(event::Error{ErrorCode::kLoop, "loop: this conference already reaches MCU x"});
  EXPECT_EQ(Live("hop", "trung-uong").link->failure, "loop");
  EXPECT_EQ(Live("hop", "trung-uong").link->state, LinkState::kRefused);
  // A tree: it joins, and is told of it.
  Seconds(4);
  ASSERT_NE(Connected(), 0u);
  EXPECT_EQ(Live("hop", "trung-uong").link->failure, "");
}

TEST_F(BridgeLink, ALinkHangsUpWhenItsConferenceClosesOrItsHostKicksIt) {
  Open();
  ASSERT_NE(Connected(), 0u);
  ASSERT_TRUE(bridge->Kick("chutri", "hop", "trung-uong"));
  bridge->Flush();
  EXPECT_TRUE(dialer.last().out->closed());
  EXPECT_EQ(media.room("hop"), nullptr);
  Seconds(30);
  EXPECT_EQ(dialer.calls().size(), 1u) << "a kicked link does not redial";
  ASSERT_TRUE(bridge->Call("chutri", "hop", "trung-uong"));
  bridge->Flush();
  ASSERT_EQ(dialer.calls().size(), 2u) << "called back, it dials at once";
  ASSERT_TRUE(bridge->StopConference("chutri", "hop"));
  bridge->Flush();
  EXPECT_TRUE(dialer.last().out->closed());
  EXPECT_EQ(Live("hop", "trung-uong").link->state, LinkState::kIdle);
}

TEST_F(BridgeLink, TheOtherMcusSpeakerAndMuteReachThisConference) {
  Open();
  ParticipantId pid = Connected();
  Room district = Joined("huyen-1", "hop");
  FromOther(event::Speaker{"tw-hop", "p3", "bo-noi-vu", "Bộ Nội vụ"});
  EXPECT_EQ(media.room("hop")->speaker, pid);
  auto speaker = district->Last<event::Speaker>();
  ASSERT_TRUE(speaker);
  EXPECT_EQ(speaker->site_id, "trung-uong");
  EXPECT_EQ(speaker->name, "Bộ Nội vụ") << "the name is of who speaks there";
  // Another speaker there while the link is still the speaker here: the new name travels on.
  FromOther(event::Speaker{"tw-hop", "p4", "bo-tai-chinh", "Bộ Tài chính"});
  ASSERT_EQ(district->Count<event::Speaker>(), 2u);
  EXPECT_EQ(district->Last<event::Speaker>()->name, "Bộ Tài chính");
  FromOther(event::Muted{true, false});
  EXPECT_TRUE(Live("hop", "trung-uong").link->muted_audio);
  ASSERT_EQ(Feed("link").size(), 1u);
}

// The parent's side (the accepting MCU here, the usual set-up): its summary shows on this
// roll-call, and its host's layout and lock become this conference's whenever they change there;
// this conference's host may change them back meanwhile.
TEST_F(BridgeLink, TheParentsLayoutAndLockReachTheChildWhenTheyChangeThere) {
  Open();
  ParticipantId pid = Connected();
  ASSERT_NE(pid, 0u);
  LinkSide parent{.role = "parent",
                  .title = "Giao ban trung ương",
                  .expected = 15,
                  .connected = 14,
                  .video = 13,
                  .shown_width = 640,
                  .shown_height = 360};
  parent.control = LinkSide::Control{
      .muted_audio = true, .spotlight = true, .layout = "speaker", .locked = true};
  FromOther(event::Link{parent});
  EXPECT_EQ(Row("hop").layout, "speaker");
  EXPECT_TRUE(Row("hop").locked);
  EXPECT_EQ(media.room("hop")->layout, LayoutKind::kSpeaker);
  EXPECT_EQ(media.room("hop")->link_view_sizes[pid], std::pair(640, 360))
      << "what this side sends the link is made the size it is shown there";
  // And the other way: the link's tile here, told to the other side (a `link` goes at most every
  // quarter second).
  Later(250);
  bridge->OnSendSize(pid, 960, 540, 3);
  bridge->Flush();
  ASSERT_EQ(Sent().back().type, T::kLink);
  EXPECT_EQ(Sent().back().link.shown_width, 960);
  EXPECT_EQ(Sent().back().link.shown_height, 540);
  LiveSite live = Live("hop", "trung-uong");
  EXPECT_EQ(live.link->role, "child");
  ASSERT_TRUE(live.link->remote);
  EXPECT_EQ(live.link->remote->connected, 14);
  EXPECT_EQ(live.link->remote->expected, 15);
  EXPECT_TRUE(live.link->remote->control->spotlight);
  EXPECT_TRUE(live.link->muted_audio) << "the parent muted this conference";
  auto audit = AuditActions();
  EXPECT_NE(std::find(audit.begin(), audit.end(), "layout hop"), audit.end());
  EXPECT_NE(std::find(audit.begin(), audit.end(), "lock hop"), audit.end());
  EXPECT_EQ(store->AuditLog(1)[0].actor, "link:trung-uong");
  EXPECT_FALSE(Feed("link").empty()) << "the live page reads the roll-call again";
  // This host goes back to its grid; the parent's next second says the same layout: it stays.
  ASSERT_TRUE(bridge->SetLayout("chutri", "hop", "grid"));
  parent.connected = 15;
  FromOther(event::Link{parent});
  EXPECT_EQ(Row("hop").layout, "grid");
  EXPECT_EQ(Live("hop", "trung-uong").link->remote->connected, 15);
  // The parent's host changes them: this conference follows.
  parent.control->layout = "presenter";
  parent.control->locked = false;
  FromOther(event::Link{parent});
  EXPECT_EQ(Row("hop").layout, "presenter");
  EXPECT_FALSE(Row("hop").locked);
  // A side that claims this MCU's own role is not obeyed.
  LinkSide wrong = parent;
  wrong.role = "child";
  wrong.control.reset();
  FromOther(event::Link{wrong});
  parent.control->layout = "single";
  EXPECT_EQ(Row("hop").layout, "presenter");
}

// A link may make the dialling side the parent: its host's mute, spotlight, layout and lock of
// the link go to the child in `link`, and the child's speaker, named, becomes the speaker here.
TEST_F(BridgeLink, AParentThatDialsSendsItsHostsActionsAndHearsTheChildsSpeaker) {
  SiteRow s = *store->Site("trung-uong");
  s.link.role = "parent";
  ASSERT_TRUE(store->UpdateSite(s));
  Open();
  ParticipantId pid = Connected();
  ASSERT_NE(pid, 0u);
  EXPECT_EQ(Sent()[1].link_role, "parent");
  Room district = Joined("huyen-1", "hop");
  auto control = [&]() -> LinkSide::Control {
    auto sent = Sent();
    for (auto it = sent.rbegin(); it != sent.rend(); ++it)
      if (it->type == T::kLink && it->link.control) return *it->link.control;
    ADD_FAILURE() << "no control sent";
    return {};
  };
  EXPECT_EQ(control().layout, "grid");
  // A `link` goes at most every quarter second (what changed meanwhile goes with the schedule's
  // next second): however many actions in a moment, one message.
  auto links = [&] {
    auto sent = Sent();
    return std::count_if(sent.begin(), sent.end(),
                         [](const auto& r) { return r.type == T::kLink; });
  };
  Seconds(1);
  const auto before = links();
  ASSERT_TRUE(bridge->Mute("chutri", "hop", "trung-uong", true, std::nullopt));
  ASSERT_TRUE(bridge->Spotlight("chutri", "hop", "trung-uong"));
  ASSERT_TRUE(bridge->SetLayout("chutri", "hop", "speaker"));
  ASSERT_TRUE(bridge->Lock("chutri", "hop", true));
  bridge->Flush();
  EXPECT_LE(links(), before + 1);
  Seconds(1);
  EXPECT_TRUE(control().muted_audio);
  EXPECT_TRUE(control().spotlight);
  EXPECT_EQ(control().layout, "speaker");
  EXPECT_TRUE(control().locked);
  // This room hears its district; then the child's side: two speakers in a row, both named here.
  bridge->OnRoomActiveSpeaker("hop", Pid(district));
  bridge->Flush();
  LinkSide child{.role = "child",
                 .title = "Giao ban huyện",
                 .speaker = "Xã A",
                 .expected = 3,
                 .connected = 2,
                 .video = 2};
  FromOther(event::Link{child});
  EXPECT_EQ(media.room("hop")->speaker, pid);
  ASSERT_TRUE(district->Last<event::Speaker>());
  EXPECT_EQ(district->Last<event::Speaker>()->name, "Xã A");
  child.speaker = "Xã B";
  FromOther(event::Link{child});
  EXPECT_EQ(district->Last<event::Speaker>()->name, "Xã B");
  EXPECT_EQ(Live("hop", "trung-uong").link->remote_speaker, "Xã B");
  EXPECT_EQ(Live("hop", "trung-uong").link->remote->connected, 2);
  // The child hears this conference now (its speaker is the link): whom this room heard last
  // speaks here again, and the child's next second (only its summary changed) leaves it so.
  child.speaker = "";
  FromOther(event::Link{child});
  EXPECT_EQ(media.room("hop")->speaker, Pid(district));
  EXPECT_EQ(district->Last<event::Speaker>()->name, "Huyện 1");
  child.video = 1;
  FromOther(event::Link{child});
  EXPECT_EQ(media.room("hop")->speaker, Pid(district));
}

// Another MCU's link that this MCU accepts: both ends must agree which is the parent, and a child
// here takes its parent's layout from the `link` request.
TEST_F(BridgeLink, AnAcceptedLinkAgreesOnItsRoleAndTakesItsParentsControl) {
  SiteRow up;
  up.id = "bo", up.name = "Bộ", up.level = "central", up.kind = "cascade";
  up.token_hash = HashToken(Token("bo"));
  ASSERT_TRUE(store->InsertSite(up));
  Preload(Permanent("hop", {"bo", "huyen-1"}));
  Start();
  bridge->Tick();
  auto join = [&](const std::string& role) {
    Room r = Online("bo");
    EndpointRequest j{T::kJoin};
    j.conference = "hop";
    j.link_role = role;
    Ask(r, j);
    return r;
  };
  Room parent = join("parent");
  EXPECT_EQ(LastError(parent).code, ErrorCode::kRole) << "this MCU is the parent by default";
  EXPECT_EQ(Live("hop", "bo").link->role, "parent");
  Drop(parent);
  up.link.role = "child";
  ASSERT_TRUE(store->UpdateSite(up));
  Restart();
  bridge->Tick();
  parent = join("parent");
  ASSERT_NE(Pid(parent), 0u) << LastError(parent).message;
  auto told = parent->Last<event::Link>();
  ASSERT_TRUE(told) << "the child tells its side";
  EXPECT_EQ(told->side.role, "child");
  EXPECT_EQ(told->side.expected, 1);
  EndpointRequest side{T::kLink};
  side.link = LinkSide{.role = "parent", .title = "Hội nghị Bộ", .speaker = "Bộ trưởng"};
  side.link.control = LinkSide::Control{.muted_video = true, .layout = "speaker"};
  Ask(parent, side);
  EXPECT_EQ(Row("hop").layout, "speaker");
  LiveSite live = Live("hop", "bo");
  EXPECT_EQ(live.link->state, LinkState::kJoined);
  EXPECT_EQ(live.link->remote_title, "Hội nghị Bộ");
  EXPECT_EQ(live.link->remote_speaker, "Bộ trưởng");
  EXPECT_TRUE(live.link->muted_video);
  EXPECT_EQ(media.room("hop")->speaker, Pid(parent));
  // A room may not send a link's side.
  Room room = Joined("huyen-1", "hop");
  Ask(room, side);
  EXPECT_EQ(LastError(room).code, ErrorCode::kConflict);
}

}  // namespace
}  // namespace mcu::test
