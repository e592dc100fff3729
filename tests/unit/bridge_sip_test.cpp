// Specs of SIP calls in the bridge (mcu/bridge_sessions.cpp, mcu/sip_site.h): the SIP adapter
// authenticates a call by its caller's URI and address, never by a token; the call joins with
// its INVITE's offer and gets the media's answer; an offer the media refuses is the caller's
// fault (bad_request: 488 for SIP), and an unknown caller learns no conference. The roll-call
// shows the call's signalling transport; its re-INVITEs and session refreshes reach the
// console's feed (not the audit log), at most one per call every 5 s.
#include "signaling/rest_views.h"
#include "tests/unit/bridge_fixture.h"

namespace mcu::test {
namespace {

class BridgeSipTest : public BridgeTest {
 protected:
  BridgeSipTest() {
    SiteRow s;
    s.id = "phong-sip", s.name = "Phòng SIP", s.kind = "sip";
    s.sip_uri = "sip:phong1@10.0.0.5";
    EXPECT_TRUE(store->InsertSite(s));
    Preload(Permanent("hop", {"phong-sip", "huyen-1"}));
    Start();
  }
  // A SIP call from `caller` at `address` whose INVITE came over `signalling`, authenticated as
  // the SIP adapter does.
  Room Call(const std::string& caller, const std::string& address,
            const std::string& signalling = "tls") {
    Room r{next_connection++, std::make_shared<FakeConnection>()};
    bridge->OnEndpointOpen(r.id, r.conn, address);
    EndpointRequest auth{EndpointRequest::Type::kAuth};
    auth.sip = true;
    auth.sip_caller = caller;
    auth.sip_plain = signalling != "tls";
    auth.sip_signalling = signalling;
    Ask(r, auth);
    return r;
  }
  // What the SIP adapter tells of a re-INVITE or an UPDATE it answered in the call.
  void InDialog(const Room& r, const std::string& method, bool offer, bool refresh) {
    EndpointRequest seen{EndpointRequest::Type::kSipRequest};
    seen.sip = true;
    seen.sip_request = {method, offer, refresh};
    Ask(r, seen);
  }
  // The feed's SIP events as "<conference> <site> <detail>".
  std::vector<std::string> SipFeed() {
    std::vector<std::string> out;
    for (const auto& e : Feed("sip"))
      out.push_back(e["conference"].get<std::string>() + " " + e["site"].get<std::string>() + " " +
                    e["detail"].get<std::string>());
    return out;
  }
  void JoinWithOffer(const Room& r, const std::string& conference, const std::string& offer) {
    EndpointRequest join{EndpointRequest::Type::kJoin};
    join.sip = true;
    join.conference = conference;
    join.sdp = offer;
    Ask(r, join);
  }
};

TEST_F(BridgeSipTest, ACallFromTheSitesUriAndAddressJoinsWithItsOfferAndGetsTheAnswer) {
  Room r = Call("\"Phòng họp\" <sip:phong1@10.0.0.5:5061;transport=tls>", "10.0.0.5");
  auto welcome = r->Last<event::Welcome>();
  ASSERT_TRUE(welcome) << LastError(r).message;
  EXPECT_EQ(welcome->site_id, "phong-sip");
  JoinWithOffer(r, "hop", "v=0 the room's offer");
  ASSERT_TRUE(r->Last<event::Joined>()) << LastError(r).message;
  auto answer = r->Last<event::Answer>();
  ASSERT_TRUE(answer);
  EXPECT_FALSE(r->Last<event::Offer>()) << "a SIP leg that offered gets an answer, not an offer";
  auto* m = media.room("hop")->member(Pid(r));
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->info.sip);
  EXPECT_EQ(m->info.remote_offer, "v=0 the room's offer");
  EXPECT_EQ(answer->sdp, "v=0 answer " + std::string("p") + std::to_string(Pid(r)));
}

TEST_F(BridgeSipTest, AKeyframeRequestBySipInfoReachesTheCallsMedia) {
  Room r = Call("sip:phong1@10.0.0.5", "10.0.0.5");
  EndpointRequest keyframe{EndpointRequest::Type::kKeyframe};
  keyframe.sip = true;
  Ask(r, keyframe);  // Before it joined: nothing to refresh, no error.
  EXPECT_FALSE(r->Last<event::Error>());
  JoinWithOffer(r, "hop", "v=0 the room's offer");
  Ask(r, keyframe);
  Ask(r, keyframe);
  EXPECT_EQ(media.room("hop")->member(Pid(r))->keyframe_requests, 2);
}

TEST_F(BridgeSipTest, ACallOverPlainSipIsRefusedUnlessItsSiteIsAllowedIt) {
  Room r{next_connection++, std::make_shared<FakeConnection>()};
  bridge->OnEndpointOpen(r.id, r.conn, "10.0.0.5");
  EndpointRequest auth{EndpointRequest::Type::kAuth};
  auth.sip = true;
  auth.sip_caller = "sip:phong1@10.0.0.5";
  auth.sip_plain = true;
  Ask(r, auth);
  EXPECT_FALSE(r->Last<event::Welcome>());
  EXPECT_EQ(LastError(r).code, ErrorCode::kBadRequest) << "488 for the SIP adapter";
  EXPECT_EQ(LastError(r).message, "SIP over TLS required");

  SiteRow s = *store->Site("phong-sip");
  s.sip_plain = true;
  ASSERT_TRUE(bridge->UpdateSite("quantri", s));
  Room allowed{next_connection++, std::make_shared<FakeConnection>()};
  bridge->OnEndpointOpen(allowed.id, allowed.conn, "10.0.0.5");
  Ask(allowed, auth);
  EXPECT_TRUE(allowed->Last<event::Welcome>()) << LastError(allowed).message;
}

TEST_F(BridgeSipTest, AKeyframeTheMediaCannotAskForIsAskedOfTheCall) {
  Room r = Call("sip:phong1@10.0.0.5", "10.0.0.5");
  JoinWithOffer(r, "hop", "v=0 an offer without rtcp-fb");
  auto* m = media.room("hop")->member(Pid(r));
  ASSERT_NE(m, nullptr);
  m->listener->OnKeyframeWanted(Pid(r));  // As the media core does, from its thread.
  bridge->Flush();
  EXPECT_EQ(r->Count<event::KeyframeWanted>(), 1u) << "the SIP adapter sends INFO for it";
  m->listener->OnKeyframeWanted(Pid(r) + 100);  // A participant gone: nothing.
  bridge->Flush();
  EXPECT_EQ(r->Count<event::KeyframeWanted>(), 1u);
}

TEST_F(BridgeSipTest, ADelayedOfferGetsTheMcusOfferAndItsAnswerComesLater) {
  Room r = Call("sip:phong1@10.0.0.5", "10.0.0.5");
  JoinWithOffer(r, "hop", "");
  auto offer = r->Last<event::Offer>();
  ASSERT_TRUE(offer) << LastError(r).message;
  EndpointRequest answer{EndpointRequest::Type::kAnswer};
  answer.sip = true;
  answer.sdp = "v=0 the room's answer";
  Ask(r, answer);
  EXPECT_EQ(media.room("hop")->member(Pid(r))->answer, "v=0 the room's answer");
}

TEST_F(BridgeSipTest, TheSameUserFromAnotherAddressOrAnotherUserIsRefusedBeforeAnyConference) {
  for (auto [caller, address] : {std::pair{"sip:phong1@10.0.0.5", "10.0.0.6"},
                                 {"sip:phong2@10.0.0.5", "10.0.0.5"},
                                 {"not a uri", "10.0.0.5"}}) {
    Room r = Call(caller, address);
    EXPECT_FALSE(r->Last<event::Welcome>()) << caller << " from " << address;
    EXPECT_EQ(LastError(r).code, ErrorCode::kUnauthorized);
    EXPECT_EQ(LastError(r).message, "unknown caller");
    JoinWithOffer(r, "hop", "v=0");
    EXPECT_EQ(LastError(r).code, ErrorCode::kUnauthorized) << "it learns nothing of 'hop'";
  }
  EXPECT_EQ(media.room("hop"), nullptr);
}

TEST_F(BridgeSipTest, ATokenNeverAuthenticatesASipCallNorAUriAWebSocket) {
  Room by_token = Connect();
  EndpointRequest auth{EndpointRequest::Type::kAuth};
  auth.sip = true;
  auth.token = Token("huyen-1");
  Ask(by_token, auth);
  EXPECT_EQ(LastError(by_token).code, ErrorCode::kUnauthorized);
  Room by_uri = Connect();  // A WebSocket: its caller field is not a credential.
  EndpointRequest ws{EndpointRequest::Type::kAuth};
  ws.sip_caller = "sip:phong1@10.0.0.5";
  Ask(by_uri, ws);
  EXPECT_EQ(LastError(by_uri).code, ErrorCode::kUnauthorized);
}

TEST_F(BridgeSipTest, AnOfferTheMediaRefusesIsTheCallersFaultAndTheConferenceGoesOn) {
  Room web = Joined("huyen-1", "hop");
  media.refuse_offers = true;
  Room r = Call("sip:phong1@10.0.0.5", "10.0.0.5");
  JoinWithOffer(r, "hop", "v=0 plain RTP");
  EXPECT_EQ(LastError(r).code, ErrorCode::kBadRequest);
  EXPECT_EQ(LastError(r).message, "no SRTP offered");
  EXPECT_FALSE(r->Last<event::Joined>());
  EXPECT_EQ(media.room("hop")->members().size(), 1u);
  EXPECT_TRUE(web->Last<event::Joined>());
}

TEST_F(BridgeSipTest, AReInviteReachesTheFeedOfTheCallsConferenceAndNotTheAuditLog) {
  Room r = Call("sip:phong1@10.0.0.5", "10.0.0.5");
  InDialog(r, "INVITE", false, false);  // Before it joined: no conference to show it in.
  EXPECT_TRUE(Feed("sip").empty());
  JoinWithOffer(r, "hop", "v=0 the room's offer");
  const size_t audited = store->AuditLog(1000).size();
  InDialog(r, "INVITE", true, false);
  auto sip = Feed("sip");
  ASSERT_EQ(sip.size(), 1u);
  EXPECT_EQ(sip[0], (nlohmann::json{{"type", "sip"},
                                    {"conference", "hop"},
                                    {"site", "phong-sip"},
                                    {"method", "INVITE"},
                                    {"offer", true},
                                    {"refresh", false},
                                    {"detail", "re-INVITE with an offer"}}));
  EXPECT_EQ(store->AuditLog(1000).size(), audited) << "a feed event, not an audit row";
  EXPECT_FALSE(r->Last<event::Error>()) << "nothing is answered to the call";
}

TEST_F(BridgeSipTest, AFloodOfReInvitesAndRefreshesShowsOneEventPerCallEveryFiveSeconds) {
  SiteRow other;
  other.id = "phong-sip-2", other.name = "Phòng SIP 2", other.kind = "sip";
  other.sip_uri = "sip:phong2@10.0.0.6";
  ASSERT_TRUE(bridge->CreateSite("quantri", other));
  ASSERT_TRUE(bridge->CreateConference("chutri", Permanent("hop-2")));
  Room r = Call("sip:phong1@10.0.0.5", "10.0.0.5");
  JoinWithOffer(r, "hop", "v=0 the room's offer");
  Room r2 = Call("sip:phong2@10.0.0.6", "10.0.0.6");
  JoinWithOffer(r2, "hop-2", "v=0 the other room's offer");
  ASSERT_TRUE(r2->Last<event::Joined>()) << LastError(r2).message;

  InDialog(r, "INVITE", false, false);
  for (int i = 0; i < 50; ++i) InDialog(r, "INVITE", true, false);  // A hostile peer.
  Later(4999);
  InDialog(r, "UPDATE", false, true);
  InDialog(r2, "UPDATE", false, true);  // Another call is not held back by the first.
  EXPECT_EQ(SipFeed(), (std::vector<std::string>{"hop phong-sip re-INVITE without SDP",
                                                 "hop-2 phong-sip-2 session refresh (UPDATE)"}));
  Later(1);  // 5 s since the first one shown.
  InDialog(r, "UPDATE", false, true);
  InDialog(r, "INVITE", false, true);
  EXPECT_EQ(SipFeed(), (std::vector<std::string>{"hop phong-sip re-INVITE without SDP",
                                                 "hop-2 phong-sip-2 session refresh (UPDATE)",
                                                 "hop phong-sip session refresh (UPDATE)"}));
  Later(5000);
  InDialog(r, "INVITE", false, true);
  ASSERT_EQ(SipFeed().size(), 4u);
  EXPECT_EQ(SipFeed()[3], "hop phong-sip session refresh (re-INVITE)");
}

TEST_F(BridgeSipTest, OnlyTheSipAdapterTellsOfInDialogRequests) {
  Room web = Joined("huyen-1", "hop");
  EndpointRequest forged{EndpointRequest::Type::kSipRequest};  // No WebSocket message maps to it.
  forged.sip_request = {"INVITE", true, false};
  Ask(web, forged);
  EXPECT_TRUE(Feed("sip").empty());
}

TEST_F(BridgeSipTest, TheRollCallShowsTheSignallingTransportOfACallWhileItIsOnline) {
  Room web = Joined("huyen-1", "hop");
  Room r = Call("sip:phong1@10.0.0.5", "10.0.0.5");
  JoinWithOffer(r, "hop", "v=0 the room's offer");
  EXPECT_EQ(Live("hop", "phong-sip").signalling, "tls");
  EXPECT_EQ(signaling::rest::LiveSiteJson(Live("hop", "phong-sip"))["signalling"], "tls");
  EXPECT_EQ(Live("hop", "huyen-1").signalling, "") << "a WebRTC site has no SIP signalling";
  EXPECT_TRUE(signaling::rest::LiveSiteJson(Live("hop", "huyen-1"))["signalling"].is_null());
  Drop(r);
  EXPECT_EQ(Live("hop", "phong-sip").signalling, "") << "offline: no call";

  SiteRow s = *store->Site("phong-sip");
  s.sip_plain = true;  // A closed line behind encryptors.
  ASSERT_TRUE(bridge->UpdateSite("quantri", s));
  Room plain = Call("sip:phong1@10.0.0.5", "10.0.0.5", "udp");
  JoinWithOffer(plain, "hop", "v=0 the room's offer");
  EXPECT_EQ(Live("hop", "phong-sip").signalling, "udp");
}

}  // namespace
}  // namespace mcu::test
