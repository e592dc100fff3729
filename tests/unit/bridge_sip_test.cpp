// Specs of SIP calls in the bridge (mcu/bridge_sessions.cpp, mcu/sip_site.h): the SIP adapter
// authenticates a call by its caller's URI and address, never by a token; the call joins with
// its INVITE's offer and gets the media's answer; an offer the media refuses is the caller's
// fault (bad_request: 488 for SIP), and an unknown caller learns no conference.
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
  // A SIP call from `caller` at `address`, authenticated as the SIP adapter does.
  Room Call(const std::string& caller, const std::string& address) {
    Room r{next_connection++, std::make_shared<FakeConnection>()};
    bridge->OnEndpointOpen(r.id, r.conn, address);
    EndpointRequest auth{EndpointRequest::Type::kAuth};
    auth.sip = true;
    auth.sip_caller = caller;
    Ask(r, auth);
    return r;
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

}  // namespace
}  // namespace mcu::test
