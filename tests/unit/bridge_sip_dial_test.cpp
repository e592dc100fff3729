// Specs of the SIP sites the bridge calls (mcu/bridge_sip.cpp): when a scheduled conference that
// invites them opens, they are called into it (the INVITE carries the media's offer), answered
// calls are on the roll-call, refused or unanswered ones are tried again after a backoff, a drop
// is redialled, and kicked sites, sites that called in themselves and sites that only call in are
// left alone. An answered call shows the transport its INVITE went by, and its re-INVITEs and
// session refreshes reach the console's feed like those of a call in.
#include "tests/unit/bridge_fixture.h"

namespace mcu::test {
namespace {

class BridgeSipDialTest : public BridgeTest {
 protected:
  BridgeSipDialTest() {
    AddSipSite("phong-sip", "sip:phong1@10.0.0.5", true);
    AddSipSite("trung-uong", "sips:1001@10.9.0.1", false);
  }
  void AddSipSite(const std::string& id, const std::string& uri, bool dial) {
    SiteRow s;
    s.id = id, s.name = "SIP " + id, s.kind = "sip", s.sip_uri = uri, s.sip_dial = dial;
    ASSERT_TRUE(store->InsertSite(s));
  }
  void StartWithDialer() {
    Bridge::Options options;
    options.sip_dialer = &sip;
    options.sip_ring_timeout_s = 30;
    Start(options);
  }
  Room Placed(size_t i) {
    auto calls = sip.calls();
    if (i >= calls.size()) {
      ADD_FAILURE() << "only " << calls.size() << " calls placed";
      return {};
    }
    return {calls[i].id, calls[i].conn};
  }
  // The callee's answer, as the SIP adapter passes it on: with the transport the INVITE went by.
  void Answer(const Room& call, const std::string& signalling = "tls") {
    EndpointRequest answer{EndpointRequest::Type::kAnswer};
    answer.sip = true;
    answer.sdp = "v=0 the room's answer";
    answer.sip_signalling = signalling;
    Ask(call, answer);
  }
  void End(const Room& call, const std::string& reason) {
    EndpointRequest ended{EndpointRequest::Type::kCallEnded};
    ended.sip = true;
    ended.reason = reason;
    bridge->OnEndpointRequest(call.id, ended);
    Drop(call);
  }
  LiveSite::Link CallState(const std::string& site) {
    auto live = Live("giao-ban", site);
    EXPECT_TRUE(live.link) << site << " has no call on the roll-call";
    return live.link.value_or(LiveSite::Link{});
  }
  FakeSipDialer sip;
};

TEST_F(BridgeSipDialTest, AnOpeningConferenceCallsItsSipSiteWithTheMediasOfferAndTheAnswerJoinsIt) {
  Preload(Scheduled("giao-ban", {"phong-sip", "huyen-1"}, 60));
  StartWithDialer();
  Later(1000);
  EXPECT_TRUE(sip.calls().empty()) << "not before it opens";
  Later(60'000);
  ASSERT_EQ(sip.calls().size(), 1u);
  EXPECT_EQ(sip.calls()[0].target.uri, "sip:phong1@10.0.0.5");
  EXPECT_EQ(sip.calls()[0].target.from_display, "Giao ban giao-ban");
  Room call = Placed(0);
  ASSERT_TRUE(call->Last<event::Offer>()) << LastError(call).message;
  auto* m = media.room("giao-ban")->member(Pid(call));
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->info.sip);
  EXPECT_EQ(m->info.remote_offer, "") << "the MCU offers";
  EXPECT_EQ(CallState("phong-sip").state, LinkState::kConnecting);
  EXPECT_EQ(Live("giao-ban", "phong-sip").state, SiteStatus::kOffline) << "ringing is not online";

  Answer(call);
  EXPECT_EQ(m->answer, "v=0 the room's answer");
  EXPECT_EQ(CallState("phong-sip").state, LinkState::kJoined);
  EXPECT_EQ(Live("giao-ban", "phong-sip").state, SiteStatus::kJoined);
  Later(60'000);
  EXPECT_EQ(sip.calls().size(), 1u) << "a site in its call is not called again";
}

TEST_F(BridgeSipDialTest, ABusySiteIsCalledAgainAfterTheBackoffWithTheReasonOnTheRollCall) {
  Preload(Scheduled("giao-ban", {"phong-sip"}));
  StartWithDialer();
  Later(1000);
  ASSERT_EQ(sip.calls().size(), 1u);
  End(Placed(0), "486 Busy Here");
  EXPECT_EQ(CallState("phong-sip").state, LinkState::kWaiting);
  EXPECT_EQ(CallState("phong-sip").detail, "486 Busy Here");
  EXPECT_EQ(CallState("phong-sip").attempts, 1);
  EXPECT_EQ(media.room("giao-ban"), nullptr) << "its participant went with the call";
  Later(1000);
  EXPECT_EQ(sip.calls().size(), 1u) << "not at once";
  Later(10'000);  // The first backoff: the call retry interval (5 s) and up to a quarter more.
  ASSERT_EQ(sip.calls().size(), 2u);
  EXPECT_EQ(CallState("phong-sip").attempts, 2);
  EXPECT_EQ(CallState("phong-sip").state, LinkState::kConnecting);
  End(Placed(1), "486 Busy Here");
  Later(20'000);
  ASSERT_EQ(sip.calls().size(), 3u);
  Answer(Placed(2));
  // The audit log: the failure once (not once a retry), then the answer.
  std::vector<std::string> rows;
  for (const auto& a : store->AuditLog(20))
    if (a.actor == "sip") rows.push_back(a.action + " " + a.target + " " + a.detail);
  EXPECT_EQ(rows, (std::vector<std::string>{
                      R"(sip-answered giao-ban/phong-sip {"attempts":3})",
                      R"(sip-failed giao-ban/phong-sip {"attempts":1,"reason":"486 Busy Here"})"}))
      << "newest first";
}

TEST_F(BridgeSipDialTest, ACallNotAnsweredInTheRingTimeIsHungUpAndARefusalIsShownAsSuch) {
  Preload(Scheduled("giao-ban", {"phong-sip"}));
  StartWithDialer();
  Later(1000);
  Room call = Placed(0);
  Later(29'000);
  EXPECT_EQ(call->closed(), "");
  Later(1000);
  EXPECT_EQ(call->closed(), "no answer");
  End(call, "hangup: no answer");
  EXPECT_EQ(CallState("phong-sip").detail, "no answer");
  Later(15'000);
  ASSERT_EQ(sip.calls().size(), 2u);
  End(Placed(1), "488 Not Acceptable Here");
  EXPECT_EQ(CallState("phong-sip").state, LinkState::kRefused);
  EXPECT_EQ(CallState("phong-sip").detail, "488 Not Acceptable Here");
}

TEST_F(BridgeSipDialTest, ADroppedCallIsRedialledAndAKickedSiteIsHungUpAndLeftAlone) {
  Preload(Scheduled("giao-ban", {"phong-sip"}));
  StartWithDialer();
  Later(1000);
  Answer(Placed(0));
  End(Placed(0), "BYE");
  EXPECT_EQ(CallState("phong-sip").state, LinkState::kWaiting);
  ASSERT_FALSE(store->AuditLog(1).empty());
  EXPECT_EQ(store->AuditLog(1)[0].action, "sip-dropped");
  EXPECT_EQ(store->AuditLog(1)[0].detail, R"({"reason":"BYE"})");
  Later(10'000);
  ASSERT_EQ(sip.calls().size(), 2u);
  Room again = Placed(1);
  Answer(again);
  ASSERT_TRUE(bridge->Kick("chutri", "giao-ban", "phong-sip"));
  auto left = again->Last<event::Left>();
  ASSERT_TRUE(left) << "the adapter hangs up on Left";
  End(again, "hangup: " + left->reason);
  Later(120'000);
  EXPECT_EQ(sip.calls().size(), 2u) << "a kicked site is not called back";
  ASSERT_TRUE(bridge->Call("chutri", "giao-ban", "phong-sip"));
  Later(1000);
  EXPECT_EQ(sip.calls().size(), 3u) << "the host's call lets it back";
}

TEST_F(BridgeSipDialTest, SitesThatOnlyCallInOrCalledInThemselvesOrArePermanentAreNotCalled) {
  Preload(Scheduled("giao-ban", {"phong-sip", "trung-uong"}));
  Preload(Permanent("thuong-truc", {"phong-sip"}));
  StartWithDialer();
  // phong-sip called in before the conference opened its calls.
  Room in{next_connection++, std::make_shared<FakeConnection>()};
  bridge->OnEndpointOpen(in.id, in.conn, "10.0.0.5");
  EndpointRequest auth{EndpointRequest::Type::kAuth};
  auth.sip = true;
  auth.sip_caller = "sip:phong1@10.0.0.5";
  Ask(in, auth);
  ASSERT_TRUE(in->Last<event::Welcome>());
  Later(1000);
  Later(60'000);
  EXPECT_TRUE(sip.calls().empty()) << "trung-uong only calls in; phong-sip is connected";
}

TEST_F(BridgeSipDialTest, APlainSipUriIsNotCalledUnlessTheSiteIsAllowedIt) {
  AddSipSite("phong-udp", "sip:phong3@10.0.0.7;transport=udp", true);
  Preload(Scheduled("giao-ban", {"phong-udp"}));
  StartWithDialer();
  Later(1000);
  Later(60'000);
  EXPECT_TRUE(sip.calls().empty()) << "our offer's keys would cross in clear";
  EXPECT_EQ(CallState("phong-udp").state, LinkState::kRefused);
  EXPECT_EQ(CallState("phong-udp").detail, "plain SIP not allowed for this site");
  SiteRow s = *store->Site("phong-udp");
  s.sip_plain = true;
  ASSERT_TRUE(bridge->UpdateSite("quantri", s));
  Later(1000);
  ASSERT_EQ(sip.calls().size(), 1u);
  EXPECT_EQ(sip.calls()[0].target.uri, "sip:phong3@10.0.0.7;transport=udp");
}

TEST_F(BridgeSipDialTest, AClosingConferenceHangsUpItsCallsAndTheyAreNotRedialled) {
  Preload(Scheduled("giao-ban", {"phong-sip"}, 0, 120));
  StartWithDialer();
  Later(1000);
  Room call = Placed(0);
  Answer(call);
  ASSERT_TRUE(bridge->StopConference("chutri", "giao-ban"));
  auto left = call->Last<event::Left>();
  ASSERT_TRUE(left);
  End(call, "hangup: " + left->reason);
  Later(120'000);
  EXPECT_EQ(sip.calls().size(), 1u);
  EXPECT_FALSE(FindLive("giao-ban", "phong-sip")->link) << "at rest: no call state shown";
}

TEST_F(BridgeSipDialTest, AnAnsweredCallShowsItsTransportAndItsRefreshesReachTheFeed) {
  AddSipSite("phong-tcp", "sip:phong4@10.0.0.8;transport=tcp", true);
  SiteRow s = *store->Site("phong-tcp");
  s.sip_plain = true;
  ASSERT_TRUE(store->UpdateSite(s));
  Preload(Scheduled("giao-ban", {"phong-sip", "phong-tcp"}));
  StartWithDialer();
  Later(1000);
  ASSERT_EQ(sip.calls().size(), 2u);
  EXPECT_EQ(Live("giao-ban", "phong-sip").signalling, "") << "ringing: no call yet";
  // The calls by site: the one to the TCP URI, and the other.
  const size_t tcp = sip.calls()[0].target.uri.ends_with(";transport=tcp") ? 0 : 1;
  const Room to_tls = Placed(1 - tcp), to_tcp = Placed(tcp);
  Answer(to_tls, "tls");
  Answer(to_tcp, "tcp");
  EXPECT_EQ(Live("giao-ban", "phong-sip").signalling, "tls");
  EXPECT_EQ(Live("giao-ban", "phong-tcp").signalling, "tcp");

  EndpointRequest refresh{EndpointRequest::Type::kSipRequest};
  refresh.sip = true;
  refresh.sip_request = {"INVITE", false, true};
  Ask(to_tls, refresh);
  Ask(to_tls, refresh);
  auto shown = Feed("sip");
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0]["conference"], "giao-ban");
  EXPECT_EQ(shown[0]["site"], "phong-sip");
  EXPECT_EQ(shown[0]["detail"], "session refresh (re-INVITE)");
  std::vector<std::string> audited;
  for (const auto& a : store->AuditLog(20))
    if (a.actor == "sip") audited.push_back(a.action);
  EXPECT_EQ(audited, (std::vector<std::string>{"sip-answered", "sip-answered"}))
      << "a refresh is no audit row";

  End(to_tls, "BYE");
  EXPECT_EQ(Live("giao-ban", "phong-sip").signalling, "") << "the call is over";
}

}  // namespace
}  // namespace mcu::test
