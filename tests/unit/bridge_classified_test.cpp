// Specs of classified conferences in the bridge (mcu/admission.h): no preview; SIP legs only over
// TLS; media only with AES-GCM or AES-CM with an 80-bit tag; every join, leave and media
// protection in the audit log; a conference made classified while open removes what it no
// longer admits.
#include "tests/unit/bridge_fixture.h"
#include "tests/unit/test_util.h"

namespace mcu::test {
namespace {

using T = EndpointRequest::Type;

class BridgeClassified : public BridgeTest {
 protected:
  BridgeClassified() {
    SiteRow s;
    s.id = "phong-sip", s.name = "Phòng SIP", s.kind = "sip";
    s.sip_uri = "sip:phong1@10.0.0.5";
    s.sip_plain = true;  // Its administrator let it key SRTP over plain SIP.
    EXPECT_TRUE(store->InsertSite(s));
    ConferenceRow c = Permanent("mat", {"huyen-1", "huyen-2", "phong-sip"});
    c.classified = true;
    Preload(c);
    Preload(Permanent("thuong", {"huyen-1", "huyen-2", "phong-sip"}));
    EXPECT_TRUE(store->InsertUser({0, "chutri", "host", "Chủ trì", "$argon2id$x"}));
    Start();
  }
  // A SIP call from the room, its INVITE over `signalling`, and its join with an offer.
  Room SipJoin(const std::string& conference, const std::string& signalling) {
    Room r{next_connection++, std::make_shared<FakeConnection>()};
    bridge->OnEndpointOpen(r.id, r.conn, "10.0.0.5");
    EndpointRequest auth{T::kAuth};
    auth.sip = true, auth.sip_caller = "sip:phong1@10.0.0.5";
    auth.sip_plain = signalling != "tls", auth.sip_signalling = signalling;
    Ask(r, auth);
    EndpointRequest join{T::kJoin};
    join.sip = true, join.conference = conference, join.sdp = "v=0 the room's offer";
    Ask(r, join);
    return r;
  }
  Room Watch(const std::string& conference) {
    Room r = Connect();
    EndpointRequest join{T::kJoin};
    join.conference = conference;
    join.watcher = "chutri";
    Ask(r, join);
    return r;
  }
  void Connected(const Room& r, const std::string& profile) {
    media.room("mat")->Connect(Pid(r), profile);
    bridge->Flush();
  }
  bool InRoom(const Room& r) {
    return media.room("mat") && media.room("mat")->member(Pid(r)) != nullptr;
  }
};

TEST_F(BridgeClassified, EveryJoinMediaProtectionAndLeaveIsAudited) {
  Room site = Joined("huyen-1", "mat");
  ASSERT_TRUE(site->Last<event::Joined>()) << LastError(site).message;
  EXPECT_TRUE(media.room("mat")->member(Pid(site))->info.classified);
  EXPECT_EQ(Live("mat", "huyen-1").protection, "") << "not connected yet";
  Connected(site, "AEAD_AES_128_GCM");
  EXPECT_EQ(Live("mat", "huyen-1").protection, "AEAD_AES_128_GCM") << "shown on the roll-call";
  Ask(site, EndpointRequest{T::kLeave});
  auto actions = AuditActions();
  ASSERT_GE(actions.size(), 3u);
  EXPECT_EQ(std::vector<std::string>(actions.end() - 3, actions.end()),
            (std::vector<std::string>{"join mat", "media mat", "leave mat"}));
  auto rows = store->AuditLog(3);
  EXPECT_EQ(rows[2].actor, "huyen-1");
  EXPECT_NE(rows[2].detail.find("192.0.2.1"), std::string::npos) << rows[2].detail;
  EXPECT_NE(rows[1].detail.find("AEAD_AES_128_GCM"), std::string::npos) << rows[1].detail;

  // An ordinary conference audits no joins.
  const size_t before = AuditActions().size();
  Room other = Joined("huyen-1", "thuong");
  ASSERT_TRUE(other->Last<event::Joined>());
  EXPECT_FALSE(media.room("thuong")->member(Pid(other))->info.classified);
  EXPECT_EQ(AuditActions().size(), before);
}

TEST_F(BridgeClassified, MediaProtectedByLessThanGcmOrAnEightyBitTagIsRemoved) {
  Room strong = Joined("huyen-1", "mat");
  Connected(strong, "AES_CM_128_HMAC_SHA1_80 (DTLS)");
  EXPECT_TRUE(InRoom(strong));
  Room weak = Joined("huyen-2", "mat");
  Connected(weak, "AES_CM_128_HMAC_SHA1_32");
  EXPECT_FALSE(InRoom(weak));
  auto left = weak->Last<event::Left>();
  ASSERT_TRUE(left);
  EXPECT_NE(left->reason.find("AES_CM_128_HMAC_SHA1_32"), std::string::npos) << left->reason;
  auto actions = AuditActions();
  EXPECT_NE(std::find(actions.begin(), actions.end(), "media-refused mat"), actions.end());
  EXPECT_TRUE(InRoom(strong)) << "the others stay";
}

TEST_F(BridgeClassified, ASipRoomJoinsOverTlsOnlyEvenWhenItsSiteMayUsePlainSip) {
  Room plain = SipJoin("mat", "udp");
  EXPECT_FALSE(plain->Last<event::Joined>());
  EXPECT_EQ(LastError(plain).code, ErrorCode::kForbidden);
  EXPECT_NE(LastError(plain).message.find("TLS"), std::string::npos) << LastError(plain).message;
  EXPECT_EQ(AuditActions().back(), "join-refused mat");
  Drop(plain);
  Room ordinary = SipJoin("thuong", "udp");
  EXPECT_TRUE(ordinary->Last<event::Joined>()) << "plain SIP still reaches an ordinary conference";
  Drop(ordinary);
  Room tls = SipJoin("mat", "tls");
  EXPECT_TRUE(tls->Last<event::Joined>()) << LastError(tls).message;
  EXPECT_TRUE(media.room("mat")->member(Pid(tls))->info.classified)
      << "its SDES answer puts AES-GCM first";
}

TEST_F(BridgeClassified, NobodyPreviewsIt) {
  Joined("huyen-1", "mat");
  Room p = Watch("mat");
  EXPECT_FALSE(p->Last<event::Joined>());
  EXPECT_EQ(LastError(p).code, ErrorCode::kForbidden);
  EXPECT_NE(LastError(p).message.find("classified"), std::string::npos);
}

TEST_F(BridgeClassified, MadeClassifiedWhileOpenItRemovesWhatItNoLongerAdmits) {
  Room good = Joined("huyen-1", "thuong");
  media.room("thuong")->Connect(Pid(good), "AEAD_AES_128_GCM");
  Room weak = Joined("huyen-2", "thuong");
  media.room("thuong")->Connect(Pid(weak), "AES_CM_128_HMAC_SHA1_32");
  Room sip = SipJoin("thuong", "tcp");
  Room preview = Watch("thuong");
  ASSERT_TRUE(sip->Last<event::Joined>() && preview->Last<event::Joined>() &&
              weak->Last<event::Joined>());
  bridge->Flush();

  ConferenceRow row = Row("thuong");
  row.classified = true;
  ASSERT_TRUE(bridge->UpdateConference("chutri", row));
  EXPECT_TRUE(Row("thuong").classified);
  auto* room = media.room("thuong");
  ASSERT_NE(room, nullptr);
  EXPECT_NE(room->member(Pid(good)), nullptr);
  for (const Room* gone : {&weak, &sip, &preview}) {
    EXPECT_EQ(room->member(Pid(*gone)), nullptr);
    EXPECT_TRUE((*gone)->Last<event::Left>());
  }
}

// A recording begun in the clear does not go on once the conference is classified (even where
// the administrator allows sealed recordings: that one was not sealed).
TEST_F(BridgeClassified, MadeClassifiedWhileRecordedItsRecordingInTheClearStops) {
  TempDir data;
  config.server.data_dir = data.path().string();
  config.recording.classified = true;
  Restart();
  Joined("huyen-1", "thuong");
  ASSERT_TRUE(bridge->StartRecording("chutri", "thuong"));
  EXPECT_FALSE(media.room("thuong")->recording_sealed);
  ConferenceRow row = Row("thuong");
  row.classified = true;
  ASSERT_TRUE(bridge->UpdateConference("chutri", row));
  EXPECT_FALSE(bridge->LiveConferenceOf("thuong")->recording);
  auto rows = store->Recordings("thuong", "", 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, "finished");
  EXPECT_EQ(rows[0].reason, "the conference became classified");
  EXPECT_FALSE(rows[0].sealed);
}

}  // namespace
}  // namespace mcu::test
