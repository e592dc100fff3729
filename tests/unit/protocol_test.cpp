// Specs of signaling/protocol.h against signaling/PROTOCOL.md.
#include "signaling/protocol.h"
#include "signaling/json_limits.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace mcu::signaling {
namespace {

using nlohmann::json;
using Type = EndpointRequest::Type;

EndpointRequest MustParse(const std::string& text) {
  auto r = ParseRequest(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error());
  return r.ok() ? *r : EndpointRequest{};
}

void ExpectBadRequest(const std::string& text, const std::string& part) {
  auto r = ParseRequest(text);
  ASSERT_FALSE(r.ok()) << "accepted: " << text;
  EXPECT_NE(r.error().find(part), std::string::npos) << text << " -> " << r.error();
}

// ----- ParseRequest --------------------------------------------------------------------------

TEST(ProtocolParse, RefusesJsonNestedTooDeeplyAndReadsWhatIsShallowEnough) {
  const std::string deep =
      R"({"type":"ping","x":)" + std::string(100'000, '[') + std::string(100'000, ']') + "}";
  auto r = ParseRequest(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "JSON nested too deeply");
  EXPECT_FALSE(ParseEvent(R"({"type":"stats","stats":)" + std::string(100'000, '{') + "}").ok());
  EXPECT_FALSE(ParseEvent(R"({"type":"pong","x":)" + std::string(100'000, '[') +
                          std::string(100'000, ']') + "}")
                   .ok());
  bool too_deep = true;
  auto shallow = signaling::ParseJsonLimited(R"({"a":[[[1]]]})", 4, &too_deep);
  EXPECT_FALSE(too_deep);
  EXPECT_EQ(shallow["a"][0][0][0], 1);
  EXPECT_TRUE(signaling::ParseJsonLimited(R"({"a":[[[1]]]})", 3, &too_deep).is_discarded());
  EXPECT_TRUE(too_deep);
  EXPECT_TRUE(ParseRequest(R"({"type":"ping","x":[[[[1]]]]})").ok());
}

TEST(ProtocolParse, ReadsAuth) {
  auto r = MustParse(R"({"type":"auth","token":"s3cret-token"})");
  EXPECT_EQ(r.type, Type::kAuth);
  EXPECT_EQ(r.token, "s3cret-token");
  EXPECT_TRUE(r.id.empty());
}

TEST(ProtocolParse, ReadsJoin) {
  auto r = MustParse(R"({"type":"join","conference":"echo"})");
  EXPECT_EQ(r.type, Type::kJoin);
  EXPECT_EQ(r.conference, "echo");
}

TEST(ProtocolParse, ReadsJoinWithDeclaredBandwidth) {
  EXPECT_EQ(MustParse(R"({"type":"join","conference":"mix"})").max_bitrate_kbps, 0);
  EXPECT_EQ(
      MustParse(R"({"type":"join","conference":"mix","maxBitrateKbps":800})").max_bitrate_kbps,
      800);
  ExpectBadRequest(R"({"type":"join","conference":"mix","maxBitrateKbps":-1})", "maxBitrateKbps");
  ExpectBadRequest(R"({"type":"join","conference":"mix","maxBitrateKbps":"800"})",
                   "maxBitrateKbps");
  ExpectBadRequest(R"({"type":"join","conference":"mix","maxBitrateKbps":1.5})", "maxBitrateKbps");
  ExpectBadRequest(R"({"type":"join","conference":"mix","maxBitrateKbps":9999999})",
                   "maxBitrateKbps");
}

TEST(ProtocolParse, ReadsACascadeLinksMcusInItsJoinAndTheirUpdates) {
  EXPECT_EQ(MustParse(R"({"type":"join","conference":"mix","mcus":["a1","b2"]})").mcus,
            (std::vector<std::string>{"a1", "b2"}));
  EXPECT_TRUE(MustParse(R"({"type":"join","conference":"mix"})").mcus.empty());
  EndpointRequest update = MustParse(R"({"type":"mcus","mcus":["c3"]})");
  EXPECT_EQ(update.type, Type::kMcus);
  EXPECT_EQ(update.mcus, (std::vector<std::string>{"c3"}));
  ExpectBadRequest(R"({"type":"mcus"})", "mcus");
  ExpectBadRequest(R"({"type":"mcus","mcus":"a1"})", "mcus");
  ExpectBadRequest(R"({"type":"mcus","mcus":[""]})", "mcus");
  ExpectBadRequest(R"({"type":"mcus","mcus":[1]})", "mcus");
  ExpectBadRequest(R"({"type":"join","conference":"m","mcus":[")" + std::string(65, 'a') + R"("]})",
                   "mcus");
  json many = {{"type", "mcus"}, {"mcus", json::array()}};
  for (int i = 0; i < 65; ++i) many["mcus"].push_back("m" + std::to_string(i));
  ExpectBadRequest(many.dump(), "mcus");
  // Both ways through the codec, as the two MCUs of a link exchange them.
  EndpointRequest join{Type::kJoin};
  join.conference = "cap-tinh";
  join.mcus = {"a1", "b2"};
  EXPECT_EQ(MustParse(WriteRequest(join)).mcus, join.mcus);
  auto joined = ParseEvent(WriteEvent({"", event::Joined{"c", "T", "p1", {"x9"}}}));
  ASSERT_TRUE(joined.ok());
  EXPECT_EQ(std::get<event::Joined>(joined->body).mcus, (std::vector<std::string>{"x9"}));
  auto mcus = ParseEvent(WriteEvent({"", event::Mcus{{"x9", "y8"}}}));
  ASSERT_TRUE(mcus.ok());
  EXPECT_EQ(std::get<event::Mcus>(mcus->body).mcus, (std::vector<std::string>{"x9", "y8"}));
  EXPECT_FALSE(ParseEvent(R"({"type":"mcus","mcus":[{}]})").ok());
  auto loop = ParseEvent(WriteEvent({"", event::Error{ErrorCode::kLoop, "loop: ..."}}));
  ASSERT_TRUE(loop.ok());
  EXPECT_EQ(std::get<event::Error>(loop->body).code, ErrorCode::kLoop);
}

TEST(ProtocolParse, ReadsACascadeLinksRoleAndSideBothWays) {
  EXPECT_EQ(MustParse(R"({"type":"join","conference":"m","role":"parent"})").link_role, "parent");
  ExpectBadRequest(R"({"type":"join","conference":"m","role":"boss"})", "role");
  EndpointRequest side = MustParse(
      R"({"type":"link","role":"parent","title":"Giao ban","speaker":"Tỉnh 1",)"
      R"("summary":{"expected":15,"connected":14,"video":13},"shown":{"width":640,"height":360},)"
      R"("control":{"mutedAudio":true,"spotlight":true,"layout":"speaker","locked":true}})");
  EXPECT_EQ(side.type, Type::kLink);
  EXPECT_EQ(side.link.title, "Giao ban");
  EXPECT_EQ(side.link.speaker, "Tỉnh 1");
  EXPECT_EQ(side.link.connected, 14);
  EXPECT_EQ(side.link.shown_width, 640);
  EXPECT_EQ(side.link.shown_height, 360);
  ExpectBadRequest(R"({"type":"link","role":"child","shown":{"width":9000}})", "shown.width");
  ASSERT_TRUE(side.link.control);
  EXPECT_TRUE(side.link.control->muted_audio);
  EXPECT_FALSE(side.link.control->muted_video);
  EXPECT_EQ(side.link.control->layout, "speaker");
  EXPECT_FALSE(MustParse(R"({"type":"link","role":"child"})").link.control);
  ExpectBadRequest(R"({"type":"link"})", "role");
  ExpectBadRequest(R"({"type":"link","role":"child","control":{}})", "parent");
  ExpectBadRequest(R"({"type":"link","role":"parent","control":{"locked":1}})", "locked");
  ExpectBadRequest(R"({"type":"link","role":"child","summary":{"video":-1}})", "summary.video");
  ExpectBadRequest(R"({"type":"link","role":"child","summary":[]})", "summary");
  ExpectBadRequest(R"({"type":"link","role":"child","title":")" + std::string(201, 'a') + R"("})",
                   "title");
  // Both ways through the codec, as the two MCUs of a link exchange them.
  side.id = "";
  EXPECT_EQ(MustParse(WriteRequest(side)).link, side.link);
  auto event = ParseEvent(WriteEvent({"", event::Link{side.link}}));
  ASSERT_TRUE(event.ok()) << event.error();
  EXPECT_EQ(std::get<event::Link>(event->body).side, side.link);
  EXPECT_FALSE(ParseEvent(R"({"type":"link","role":"x"})").ok());
  auto role = ParseEvent(WriteEvent({"", event::Error{ErrorCode::kRole, "role: ..."}}));
  ASSERT_TRUE(role.ok());
  EXPECT_EQ(std::get<event::Error>(role->body).code, ErrorCode::kRole);
}

TEST(ProtocolParse, ReadsAnswer) {
  auto r = MustParse(R"({"type":"answer","sdp":"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"})");
  EXPECT_EQ(r.type, Type::kAnswer);
  EXPECT_EQ(r.sdp, "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n");  // JSON escapes decoded.
}

TEST(ProtocolParse, ReadsCandidateAndEndOfCandidates) {
  auto r = MustParse(
      R"({"type":"candidate","candidate":"candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host","sdpMid":"0","sdpMLineIndex":0})");
  EXPECT_EQ(r.type, Type::kCandidate);
  EXPECT_EQ(r.candidate, "candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host");
  EXPECT_EQ(MustParse(R"({"type":"candidate","candidate":""})").candidate, "");
  EXPECT_EQ(MustParse(R"({"type":"candidate","candidate":null})").candidate, "");
}

TEST(ProtocolParse, ReadsRequestsWithoutFields) {
  EXPECT_EQ(MustParse(R"({"type":"leave"})").type, Type::kLeave);
  EXPECT_EQ(MustParse(R"({"type":"getStats"})").type, Type::kGetStats);
  EXPECT_EQ(MustParse(R"({"type":"ping"})").type, Type::kPing);
}

TEST(ProtocolParse, EchoesStringAndIntegerIds) {
  std::string id;
  auto r = ParseRequest(R"({"type":"ping","id":"req-7"})", &id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->id, "req-7");
  EXPECT_EQ(id, "req-7");
  r = ParseRequest(R"({"id":42,"type":"ping"})", &id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->id, "42");
  EXPECT_EQ(id, "42");
  EXPECT_EQ(MustParse(R"({"id":-5,"type":"ping"})").id, "-5");
  EXPECT_EQ(MustParse(R"({"id":")" + std::string(kMaxIdLength, 'x') + R"(","type":"ping"})").id,
            std::string(kMaxIdLength, 'x'));
}

TEST(ProtocolParse, KeepsTheIdOfAMessageThatFailsLater) {
  std::string id;
  auto r = ParseRequest(R"({"id":"abc","type":"nope"})", &id);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(id, "abc");
  id.clear();
  r = ParseRequest(R"({"id":9,"type":"auth"})", &id);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(id, "9");
}

TEST(ProtocolParse, RejectsBadIds) {
  ExpectBadRequest(R"({"id":1.5,"type":"ping"})", "\"id\"");
  ExpectBadRequest(R"({"id":true,"type":"ping"})", "\"id\"");
  ExpectBadRequest(R"({"id":{"a":1},"type":"ping"})", "\"id\"");
  ExpectBadRequest(R"({"id":")" + std::string(kMaxIdLength + 1, 'x') + R"(","type":"ping"})",
                   "\"id\"");
}

TEST(ProtocolParse, RejectsMalformedJson) {
  ExpectBadRequest("", "malformed JSON");
  ExpectBadRequest("{", "malformed JSON");
  ExpectBadRequest(R"({"type":"ping",})", "malformed JSON");
  ExpectBadRequest(R"({'type':'ping'})", "malformed JSON");
  ExpectBadRequest("\xff\xfe", "malformed JSON");
}

TEST(ProtocolParse, RejectsNonObjects) {
  ExpectBadRequest(R"(["type","ping"])", "object");
  ExpectBadRequest(R"("ping")", "object");
  ExpectBadRequest("42", "object");
  ExpectBadRequest("null", "object");
}

TEST(ProtocolParse, RejectsMissingOrUnknownType) {
  ExpectBadRequest(R"({})", "\"type\"");
  ExpectBadRequest(R"({"token":"x"})", "\"type\"");
  ExpectBadRequest(R"({"type":7})", "\"type\"");
  ExpectBadRequest(R"({"type":"Auth","token":"x"})", "unknown message type");
  ExpectBadRequest(R"({"type":"offer","sdp":"v=0"})", "unknown message type");
  auto r = ParseRequest(R"({"type":")" + std::string(5000, 'z') + R"("})");
  ASSERT_FALSE(r.ok());
  EXPECT_LT(r.error().size(), 100u);  // The echo of an unknown type is truncated.
}

TEST(ProtocolParse, RejectsMissingFields) {
  ExpectBadRequest(R"({"type":"auth"})", "missing field \"token\"");
  ExpectBadRequest(R"({"type":"auth","token":null})", "missing field \"token\"");
  ExpectBadRequest(R"({"type":"join"})", "missing field \"conference\"");
  ExpectBadRequest(R"({"type":"answer"})", "missing field \"sdp\"");
}

TEST(ProtocolParse, RejectsMistypedFields) {
  ExpectBadRequest(R"({"type":"auth","token":123})", "\"token\" must be a string");
  ExpectBadRequest(R"({"type":"join","conference":["echo"]})", "\"conference\" must be a string");
  ExpectBadRequest(R"({"type":"answer","sdp":{"sdp":"v=0"}})", "\"sdp\" must be a string");
  ExpectBadRequest(R"({"type":"candidate","candidate":{"candidate":"x"}})",
                   "\"candidate\" must be a string");
}

TEST(ProtocolParse, RejectsEmptyRequiredFields) {
  ExpectBadRequest(R"({"type":"auth","token":""})", "\"token\" is empty");
  ExpectBadRequest(R"({"type":"join","conference":""})", "\"conference\" is empty");
  ExpectBadRequest(R"({"type":"answer","sdp":""})", "\"sdp\" is empty");
}

TEST(ProtocolParse, EnforcesFieldLengthLimits) {
  auto with = [](const char* type, const char* key, size_t n) {
    return json{{"type", type}, {key, std::string(n, 'a')}}.dump();
  };
  EXPECT_TRUE(ParseRequest(with("auth", "token", kMaxTokenLength)).ok());
  ExpectBadRequest(with("auth", "token", kMaxTokenLength + 1), "\"token\" is too long");
  EXPECT_TRUE(ParseRequest(with("join", "conference", kMaxIdLength)).ok());
  ExpectBadRequest(with("join", "conference", kMaxIdLength + 1), "\"conference\" is too long");
  EXPECT_TRUE(ParseRequest(with("answer", "sdp", kMaxSdpLength)).ok());
  ExpectBadRequest(with("answer", "sdp", kMaxSdpLength + 1), "\"sdp\" is too long");
  EXPECT_TRUE(ParseRequest(with("candidate", "candidate", kMaxCandidateLength)).ok());
  ExpectBadRequest(with("candidate", "candidate", kMaxCandidateLength + 1),
                   "\"candidate\" is too long");
  EXPECT_EQ(kMaxTokenLength, 256u);      // PROTOCOL.md: 1-256 chars.
  EXPECT_EQ(kMaxSdpLength, 32u * 1024);  // PROTOCOL.md: <= 32 KiB.
  EXPECT_EQ(kMaxCandidateLength, 512u);
}

TEST(ProtocolParse, IgnoresFieldsOfOtherTypes) {
  auto r = MustParse(R"({"type":"ping","token":"x","sdp":5,"extra":[1,2]})");
  EXPECT_EQ(r.type, Type::kPing);
  EXPECT_TRUE(r.token.empty());
}

TEST(ProtocolWriteRequest, RoundTripsThroughParseRequest) {
  EndpointRequest req;
  req.type = Type::kAnswer;
  req.id = "x1";
  req.sdp = "v=0\r\n";
  auto back = MustParse(WriteRequest(req));
  EXPECT_EQ(back.type, Type::kAnswer);
  EXPECT_EQ(back.id, "x1");
  EXPECT_EQ(back.sdp, "v=0\r\n");
  req = {};
  req.type = Type::kCandidate;
  req.candidate = "candidate:1 1 udp 1 10.0.0.1 1 typ host";
  back = MustParse(WriteRequest(req));
  EXPECT_EQ(back.type, Type::kCandidate);
  EXPECT_EQ(back.candidate, req.candidate);
  req = {};
  req.type = Type::kDevices;
  req.devices = {DeviceState::kMissing, DeviceState::kOk, DeviceState::kNone};
  EXPECT_EQ(MustParse(WriteRequest(req)).devices, req.devices);
  for (Type t : {Type::kAuth, Type::kJoin, Type::kLeave, Type::kGetStats, Type::kPing}) {
    EndpointRequest q;
    q.type = t;
    q.token = "tok";
    q.conference = "conf";
    EXPECT_EQ(MustParse(WriteRequest(q)).type, t);
  }
}

// ----- WriteEvent ----------------------------------------------------------------------------

json Written(const EndpointEvent& e) {
  std::string text = WriteEvent(e);
  json j = json::parse(text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << text;
  EXPECT_TRUE(j.is_object()) << text;
  return j;
}

TEST(ProtocolWriteEvent, Welcome) {
  json j = Written({"", event::Welcome{"tinh-1", "Tỉnh 1"}});
  EXPECT_EQ(j, json::parse(R"({"type":"welcome","site":{"id":"tinh-1","name":"Tỉnh 1"}})"));
}

TEST(ProtocolWriteEvent, JoinedEchoesTheRequestId) {
  json j = Written({"r1", event::Joined{"echo", "Echo test", "p-17"}});
  EXPECT_EQ(j, json::parse(R"({"type":"joined","conference":{"id":"echo","title":"Echo test"},
                               "participant":"p-17","id":"r1"})"));
}

TEST(ProtocolWriteEvent, Offer) {
  json j = Written({"", event::Offer{"v=0\r\ns=-\r\n"}});
  EXPECT_EQ(j, json::parse(R"({"type":"offer","sdp":"v=0\r\ns=-\r\n"})"));
}

TEST(ProtocolWriteEvent, Roster) {
  event::Roster roster{"echo",
                       {{"p-1", "tinh-1", "Tỉnh 1", MediaStatus::kConnected},
                        {"p-2", "huyen-1", "Huyện 1", MediaStatus::kConnecting},
                        {"p-3", "huyen-1", "Huyện 1", MediaStatus::kConnected, true}}};
  roster.viewers = 2;
  json j = Written({"", roster});
  EXPECT_EQ(j, json::parse(R"({"type":"roster","conference":"echo","participants":[
      {"id":"p-1","site":"tinh-1","name":"Tỉnh 1","media":"connected"},
      {"id":"p-2","site":"huyen-1","name":"Huyện 1","media":"connecting"},
      {"id":"p-3","site":"huyen-1","name":"Huyện 1","media":"connected","content":true}],
      "viewers":2})"));
  EXPECT_EQ(Written({"", event::Roster{"echo", {}}})["participants"], json::array());
  EXPECT_EQ(Written({"", event::Roster{"echo", {}}})["viewers"], 0);
}

TEST(ProtocolWriteEvent, MediaState) {
  json j = Written({"", event::MediaState{MediaStatus::kConnected, "AEAD_AES_128_GCM"}});
  EXPECT_EQ(j, json::parse(R"({"type":"media","state":"connected","detail":"AEAD_AES_128_GCM"})"));
}

TEST(ProtocolWriteEvent, StatsAreAnObjectWithEachDirectionAndTheMixOnlyInAMixingRoom) {
  EndpointStats s;
  s.transport.ice_state = "connected";
  s.transport.rtt_ms = 12.5;
  s.transport.video_in.packets = 900;
  s.transport.video_in.fraction_lost = 0.25;
  json j = Written({"s", event::Stats{s}});
  EXPECT_EQ(j["id"], "s");
  EXPECT_EQ(j["type"], "stats");
  EXPECT_EQ(j["stats"]["iceState"], "connected");
  EXPECT_EQ(j["stats"]["rttMs"], 12.5);
  EXPECT_EQ(j["stats"]["videoIn"]["packets"], 900);
  EXPECT_EQ(j["stats"]["videoIn"]["fractionLost"], 0.25);
  EXPECT_EQ(j["stats"]["audioOut"]["packets"], 0);
  EXPECT_FALSE(j["stats"].contains("mix"));

  s.mix = MixParticipantStats{};
  s.mix->tile = true;
  s.mix->audio_frames_out = 250;
  j = Written({"", event::Stats{s}});
  EXPECT_EQ(j["stats"]["mix"]["tile"], true);
  EXPECT_TRUE(j["stats"]["mix"]["tier"].is_null()) << "no tier received: null, not -1";
  EXPECT_EQ(j["stats"]["mix"]["audioFramesOut"], 250);
  s.mix->tier = 1;
  EXPECT_EQ(Written({"", event::Stats{s}})["stats"]["mix"]["tier"], 1);
}

TEST(ProtocolWriteEvent, Left) {
  json j = Written({"", event::Left{"echo", "requested"}});
  EXPECT_EQ(j, json::parse(R"({"type":"left","conference":"echo","reason":"requested"})"));
}

TEST(ProtocolWriteEvent, Pong) {
  EXPECT_EQ(Written({"7", event::Pong{}}), json::parse(R"({"type":"pong","id":"7"})"));
}

TEST(ProtocolParse, ReadsDevicesAndRefusesAStateItDoesNotKnow) {
  auto r = MustParse(R"({"type":"devices","camera":"missing","microphone":"ok"})");
  EXPECT_EQ(r.type, Type::kDevices);
  EXPECT_EQ(r.devices.camera, DeviceState::kMissing);
  EXPECT_EQ(r.devices.microphone, DeviceState::kOk);
  EXPECT_EQ(r.devices.speaker, DeviceState::kNone) << "an absent device is none";
  ExpectBadRequest(R"({"type":"devices","camera":"broken"})", "\"camera\" must be");
  ExpectBadRequest(R"({"type":"devices","speaker":true})", "\"speaker\" must be a string");
  ExpectBadRequest(R"({"type":"devices","microphone":"okokokokokokokokokok"})", "too long");
}

TEST(ProtocolWriteEvent, StandbyNamesTheNextConferenceOrNull) {
  json j = Written({"", event::Standby{event::Standby::Next{"hop", "Họp", 100, 200, false}}});
  EXPECT_EQ(j["type"], "standby");
  EXPECT_EQ(j["next"]["conference"]["id"], "hop");
  EXPECT_EQ(j["next"]["conference"]["title"], "Họp");
  EXPECT_EQ(j["next"]["startsAt"], 100);
  EXPECT_EQ(j["next"]["endsAt"], 200);
  EXPECT_EQ(j["next"]["open"], false);
  EXPECT_TRUE(Written({"", event::Standby{}})["next"].is_null());
}

TEST(ProtocolWriteEvent, Layout) {
  EXPECT_EQ(Written({"", event::Layout{9, 426, 240}}),
            json::parse(R"({"type":"layout","tiles":9,"sendWidth":426,"sendHeight":240})"));
}

TEST(ProtocolWriteEvent, ErrorUsesTheDocumentedCodes) {
  const std::pair<ErrorCode, const char*> codes[] = {
      {ErrorCode::kBadRequest, "bad_request"},
      {ErrorCode::kUnauthorized, "unauthorized"},
      {ErrorCode::kNotFound, "not_found"},
      {ErrorCode::kConflict, "conflict"},
      {ErrorCode::kFull, "full"},
      {ErrorCode::kTooLarge, "too_large"},
      {ErrorCode::kRateLimited, "rate_limited"},
      {ErrorCode::kMediaFailed, "media_failed"},
      {ErrorCode::kInternal, "internal"},
  };
  for (const auto& [code, name] : codes) {
    json j = Written({"e1", event::Error{code, "why"}});
    EXPECT_EQ(j, (json{{"type", "error"}, {"code", name}, {"message", "why"}, {"id", "e1"}}));
  }
}

TEST(ProtocolWriteEvent, InvalidUtf8IsReplacedNotThrown) {
  std::string text;
  EXPECT_NO_THROW(text = WriteEvent({"", event::Error{ErrorCode::kBadRequest, "bad \xff byte"}}));
  json j = json::parse(text, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << text;
  EXPECT_EQ(j["code"], "bad_request");
}

// ----- ParseEvent (the client's side: mcu-room's peer, and the MCU on a link it dialled) --------

TEST(ProtocolParseEvent, ReadsBackEveryEventTheMcuWrites) {
  const EndpointEvent events[] = {
      {"1", event::Welcome{"tinh", "Tỉnh"}},
      {"", event::Joined{"toan-quoc", "Hội nghị toàn quốc", "p3"}},
      {"", event::Offer{"v=0\r\n"}},
      {"", event::Left{"toan-quoc", "removed by the host"}},
      {"9", event::Error{ErrorCode::kUnauthorized, "invalid token"}},
      {"", event::Roster{"toan-quoc", {{"p1", "tinh", "Tỉnh", MediaStatus::kConnected}}}},
      {"", event::MediaState{MediaStatus::kFailed, "DTLS"}},
      {"", event::Pong{}},
      {"", event::Layout{4, 640, 360}},
      {"", event::Call{"toan-quoc", "Hội nghị toàn quốc"}},
      {"", event::Speaker{"toan-quoc", "p2", "ha-noi", "Hà Nội"}},
      {"", event::Muted{true, false}},
      {"", event::Standby{}},
      {"",
       event::Standby{event::Standby::Next{"giao-ban", "Giao ban", 1796000000, 1796003600, true}}},
      {"",
       event::Stats{EndpointStats{{.ice_state = "connected", .rtt_ms = 4}, MixParticipantStats{}}}},
  };
  for (const auto& e : events) {
    std::string text = WriteEvent(e);
    auto back = ParseEvent(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.error();
    EXPECT_EQ(back->reply_to, e.reply_to);
    EXPECT_EQ(back->body.index(), e.body.index()) << text;
    EXPECT_EQ(WriteEvent(*back), text) << "what was read is what was written";
  }
}

TEST(ProtocolParseEvent, StatsAreReadBackAndWhatIsMissingOrMistypedKeepsItsDefault) {
  auto e = ParseEvent(
      R"({"type":"stats","stats":{"rttMs":3,"iceState":7,"videoOut":{"nacks":4,"bytes":"x"},
          "mix":{"tier":2,"decoded":true}}})");
  ASSERT_TRUE(e.ok());
  const EndpointStats& s = std::get<event::Stats>(e->body).stats;
  EXPECT_EQ(s.transport.rtt_ms, 3);
  EXPECT_EQ(s.transport.ice_state, "");
  EXPECT_EQ(s.transport.video_out.nacks, 4u);
  EXPECT_EQ(s.transport.video_out.bytes, 0u);
  ASSERT_TRUE(s.mix);
  EXPECT_EQ(s.mix->tier, 2);
  EXPECT_TRUE(s.mix->decoded);
  EXPECT_FALSE(s.mix->tile);
  auto none = ParseEvent(R"({"type":"stats","stats":[1,2]})");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(std::get<event::Stats>(none->body).stats.mix);
}

TEST(ProtocolParseEvent, RefusesWhatIsNoEventAndIgnoresUnknownFields) {
  EXPECT_FALSE(ParseEvent("not json").ok());
  EXPECT_FALSE(ParseEvent("[1]").ok());
  EXPECT_FALSE(ParseEvent(R"({"type":"teleport"})").ok());
  EXPECT_FALSE(ParseEvent(R"({"type":"offer"})").ok()) << "an offer without SDP";
  EXPECT_FALSE(
      ParseEvent(R"({"type":"offer","sdp":")" + std::string(kMaxSdpLength + 1, 'x') + "\"}").ok());
  auto e = ParseEvent(R"({"type":"muted","audio":true,"video":"yes","future":1})");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(std::get<event::Muted>(e->body).audio);
  EXPECT_FALSE(std::get<event::Muted>(e->body).video) << "a mistyped flag reads as false";
  auto err = ParseEvent(R"({"type":"error","code":"something_new","message":"m"})");
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(std::get<event::Error>(err->body).code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace mcu::signaling
