// SIP room systems against a real mcu: Debian's baresip dials sip:mix@ over SIP/TLS with
// SDES-keyed SRTP and is mixed with a WebRTC site. Each hears the other's tone and never its own,
// whatever the room's codec (G.722, G.711 µ-law and A-law, Opus). With video, the room's H.264
// is decoded into its tile, which the WebRTC room sees, and the room receives the composite as
// H.264 and sees the WebRTC room's tile. A room that offers DTLS-SRTP instead of SDES is keyed by
// the handshake. A room that offers plain RTP gets 488 and an unknown
// caller 403, and neither disturbs the conference. The MCU calls a room when its conference
// opens, and again when the room comes back after losing power. Two MCUs joined by a SIP trunk
// (one calls the other's conference as a SIP site) carry each side's sound to the other, and
// nothing comes back the way it came.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "media/layout.h"
#include "tests/support/analysis.h"
#include "tests/support/audio_site.h"
#include "tests/support/mcu_fixture.h"
#include "tests/support/rest_client.h"
#include "tests/support/sip_room.h"
#include "tests/support/udp.h"

namespace mcu::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr double kWebRtcTone = 1000, kRoomTone = 440;

// The MCU with SIP over TLS on a free port and one SIP site, phong1 calling from 127.0.0.1.
McuOptions WithSipSite(int sip_port) {
  McuOptions o;
  o.load_sites = 0;
  o.sip_tls_port = sip_port;
  o.extra_toml =
      "[[sites]]\nid = \"phong-sip\"\nname = \"Phòng SIP\"\nlevel = \"district\"\n"
      "kind = \"sip\"\nsip_uri = \"sip:phong1@127.0.0.1\"\n";
  return o;
}

// What the room heard over its last two seconds in the call.
Wav LastSeconds(const Wav& w) {
  const double end = static_cast<double>(w.samples.size()) / w.rate;
  return Slice(w, end - 2.2, end - 0.2);
}

// A room dials in beside a WebRTC site: each hears the other and never itself, and the room's
// hang-up reaches the MCU. Returns the MCU's log.
std::string ExpectRoomAndWebRtcSiteHearEachOther(const SipRoomOptions& options) {
  const int sip_port = FreePort();
  McuProcess mcu(WithSipSite(sip_port));
  EXPECT_TRUE(mcu.ready()) << mcu.Log();
  if (!mcu.ready()) return "";
  SiteMedia local;
  EXPECT_TRUE(local.ok());
  AudioSite web(&local.loop, local.dtls, mcu, "demo-tinh-1", kWebRtcTone);
  EXPECT_TRUE(web.Join("mix")) << web.error();
  EXPECT_TRUE(web.WaitConnected());

  SipRoom room(options);
  room.Dial("mix", sip_port);
  const bool heard =
      web.WaitHearing([](const Wav& w) { return ToneShare(w, kRoomTone) > 0.08; }, seconds(15));
  EXPECT_TRUE(heard) << "the WebRTC site does not hear the SIP room\n" << room.Log() << mcu.Log();
  if (!heard) return mcu.Log();
  Wav heard_web = web.Record(2.5);
  EXPECT_GT(ToneShare(heard_web, kRoomTone), 0.08) << "the WebRTC site does not hear the room";
  EXPECT_LT(ToneShare(heard_web, kWebRtcTone), 0.01) << "the WebRTC site hears itself";

  Wav heard_room;
  EXPECT_TRUE(room.StopAndReadHeard(&heard_room)) << room.Log();
  // It was in the call at least while the WebRTC site recorded.
  EXPECT_GT(heard_room.samples.size(), static_cast<size_t>(heard_room.rate * 2.4))
      << "the room recorded less than its time in the call";
  if (heard_room.samples.size() > static_cast<size_t>(heard_room.rate * 2.4)) {
    Wav tail = LastSeconds(heard_room);
    EXPECT_GT(ToneShare(tail, kWebRtcTone), 0.08) << "the SIP room does not hear the WebRTC site";
    EXPECT_LT(ToneShare(tail, kRoomTone), 0.01) << "the SIP room hears itself";
  }
  // Its hang-up reached the MCU: the site left the conference.
  EXPECT_TRUE(WaitUntil([&] { return mcu.Log().find("site phong-sip left") != std::string::npos; },
                        seconds(5)))
      << mcu.Log();
  return mcu.Log();
}

class SipDialIn : public ::testing::TestWithParam<const char*> {};

TEST_P(SipDialIn, ARoomSystemAndAWebRtcSiteHearEachOtherAndNeverThemselves) {
  ExpectRoomAndWebRtcSiteHearEachOther({.codec = GetParam(), .tone_hz = kRoomTone});
}

// A room that offers DTLS-SRTP (UDP/TLS/RTP/SAVP, no a=crypto) is keyed by the handshake on its
// own ports, RTCP's too without rtcp-mux.
class SipDtls : public ::testing::TestWithParam<bool> {};

TEST_P(SipDtls, ARoomThatOffersDtlsSrtpIsKeyedByTheHandshakeAndMixed) {
  const std::string log = ExpectRoomAndWebRtcSiteHearEachOther(
      {.tone_hz = kRoomTone, .mediaenc = "dtls_srtp", .rtcp_mux = GetParam()});
  EXPECT_NE(log.find("UDP/TLS/RTP/SAVP"), std::string::npos) << log;
  EXPECT_NE(log.find("keys by DTLS-SRTP"), std::string::npos) << log;
}

// A room that offers ICE (a full agent: host candidates, checks, nomination) is answered as
// ICE-lite: its checks are answered, its nominated pair carries the media.
TEST(SipIce, ARoomThatOffersIceIsAnsweredAsIceLite) {
  const std::string log = ExpectRoomAndWebRtcSiteHearEachOther({.tone_hz = kRoomTone, .ice = true});
  EXPECT_NE(log.find("ICE-lite"), std::string::npos) << log;
}

INSTANTIATE_TEST_SUITE_P(RtcpMux, SipDtls, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Mux" : "OwnRtcpPort"; });

INSTANTIATE_TEST_SUITE_P(Codecs, SipDialIn,
                         ::testing::Values("G722/16000/1", "PCMU/8000/1", "PCMA/8000/1",
                                           "opus/48000/2"),
                         [](const auto& info) {
                           std::string name = info.param;
                           return name.substr(0, name.find('/'));
                         });

// Where the SIP room's three bars (red, green, blue) fall in its tile.
void ExpectBars(const Image& img, const media::Tile& t, const std::string& who) {
  const Rgb bars[] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
  for (int i = 0; i < 3; ++i) {
    Rgb c = img.Mean(t.x + t.width * (2 * i + 1) / 6 - 10, t.y + t.height / 3, 20, t.height / 4);
    EXPECT_TRUE(Near(c, bars[i], 60))
        << who << ": bar " << i << " is " << c.r << "," << c.g << "," << c.b;
  }
}

// The middle of a tile, clear of its name card.
Rgb TileMean(const Image& img, const media::Tile& t) {
  return img.Mean(t.x + t.width / 4, t.y + t.height / 6, t.width / 2, t.height / 2);
}

// Takes pictures of what `room` decodes (into `dir`/<prefix>-N.png) until one is `width` wide
// with `colour` in `tile`, for 15 s at most; the last picture in `seen`, and what went wrong in
// `why` when none was.
bool SeesColourInTile(SipRoom& room, const std::filesystem::path& dir, const std::string& prefix,
                      int width, const media::Tile& tile, const Rgb& colour, Image* seen,
                      std::string* why) {
  int shots = 0;
  std::string error;
  const bool ok = WaitUntil(
      [&] {
        const std::string path = dir / (prefix + "-" + std::to_string(++shots) + ".png");
        if (!room.SnapshotReceived(path, seconds(3)) || !ReadPng(path, seen, &error)) return false;
        return seen->width == width && Near(TileMean(*seen, tile), colour, 40);
      },
      seconds(15), milliseconds(200));
  *why = std::to_string(shots) + " pictures, last " + std::to_string(seen->width) + "x" +
         std::to_string(seen->height) + (error.empty() ? "" : "; " + error);
  return ok;
}

TEST(SipVideo, TheRoomsH264IsItsTileAndItSeesTheCompositeInH264) {
  const int sip_port = FreePort();
  McuProcess mcu(WithSipSite(sip_port));
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  // The SIP room first: the first tile.
  SipRoom room({.codec = "G722/16000/1", .video = true});
  room.Dial("mix", sip_port);
  ASSERT_TRUE(
      WaitUntil([&] { return mcu.Log().find("Phòng SIP sends H264 video") != std::string::npos; },
                seconds(15)))
      << room.Log() << mcu.Log();
  // A WebRTC room (magenta) second; it takes a picture of the composite 4 s in.
  const Rgb magenta{224, 16, 224};
  auto web = mcu.StartRoom(
      "web", {"--token", "demo-tinh-1", "--conference", "mix", "--color", "e010e0", "--snapshot",
              mcu.dir() / "web.png", "--snapshot-at", "4", "--exit-after", "6"});
  const media::Layout layout = media::ComputeLayout(2, 1280, 720);
  // The SIP room sees the WebRTC room's tile in the H.264 composite, and its own bars.
  Image seen;
  std::string why;
  ASSERT_TRUE(
      SeesColourInTile(room, mcu.dir().path(), "room", 1280, layout.tiles[1], magenta, &seen, &why))
      << "the SIP room never saw the WebRTC room's tile (" << why << ")\n"
      << room.Log();
  EXPECT_EQ(seen.height, 720);
  ExpectBars(seen, layout.tiles[0], "the SIP room's own tile, as it sees it");
  // The WebRTC room sees the SIP room's bars in the first tile.
  ASSERT_EQ(web->Wait(seconds(20)), 0) << web->Log();
  Image img;
  std::string error;
  ASSERT_TRUE(ReadPng(mcu.dir() / "web.png", &img, &error)) << error;
  ExpectBars(img, layout.tiles[0], "the SIP room's tile, as the WebRTC room sees it");
  EXPECT_TRUE(Near(TileMean(img, layout.tiles[1]), magenta, 40));
  EXPECT_NE(mcu.Log().find("video H264 sendrecv"), std::string::npos) << mcu.Log();
}

// Every site is told that the conference is recorded the way every MCU does it, in the picture:
// a red dot at the composite's top right while a recording runs, on every tier, so that a SIP
// room system (which speaks none of our protocol) shows it too.
TEST(SipVideo, ARoomSeesTheRecordingDotOnlyWhileTheConferenceIsRecorded) {
  const int sip_port = FreePort();
  McuProcess mcu(WithSipSite(sip_port));
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  SipRoom room({.codec = "G722/16000/1", .video = true});
  room.Dial("mix", sip_port);
  // The dot's middle (media/composite_pipeline.cpp: 28 px, 16 px in from the top right), over
  // the room's own blue bar.
  const Rgb red{224, 32, 32}, blue{0, 0, 255};
  int shots = 0;
  auto dot = [&](Rgb* seen) {
    const std::string path = mcu.dir() / ("dot-" + std::to_string(++shots) + ".png");
    Image img;
    std::string error;
    if (!room.SnapshotReceived(path, seconds(3)) || !ReadPng(path, &img, &error) ||
        img.width != 1280)
      return false;
    *seen = img.Mean(1280 - 16 - 14 - 4, 16 + 14 - 4, 8, 8);
    return true;
  };
  Rgb seen;
  ASSERT_TRUE(WaitUntil([&] { return dot(&seen) && Near(seen, blue, 60); }, seconds(15)))
      << "the room's own picture never came\n"
      << room.Log();

  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  ASSERT_EQ(host.Call("POST", "/api/v1/conferences/mix/recording/start").status, 200);
  EXPECT_TRUE(WaitUntil([&] { return dot(&seen) && Near(seen, red, 60); }, seconds(10)))
      << "no red dot while recording: " << seen.r << "," << seen.g << "," << seen.b;
  ASSERT_EQ(host.Call("POST", "/api/v1/conferences/mix/recording/stop").status, 200);
  EXPECT_TRUE(WaitUntil([&] { return dot(&seen) && Near(seen, blue, 60); }, seconds(10)))
      << "the dot stayed after the recording stopped: " << seen.r << "," << seen.g << "," << seen.b;
}

TEST(SipRefusal, PlainRtpGets488AndAnUnknownCaller403WhileTheConferenceGoesOn) {
  const int sip_port = FreePort();
  McuProcess mcu(WithSipSite(sip_port));
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  SiteMedia local;
  AudioSite web(&local.loop, local.dtls, mcu, "demo-tinh-1", kWebRtcTone);
  AudioSite other(&local.loop, local.dtls, mcu, "demo-huyen-1", kRoomTone);
  ASSERT_TRUE(web.Join("mix") && other.Join("mix"));
  ASSERT_TRUE(web.WaitConnected() && other.WaitConnected());

  // The known room, but no SRTP in its offer: nothing to mix, the call refused.
  SipRoom plain({.mediaenc = ""});
  plain.Dial("mix", sip_port);
  EXPECT_TRUE(WaitUntil([&] { return plain.Log().find("488") != std::string::npos; }, seconds(10)))
      << plain.Log();
  // A caller that is no SIP site is refused before any conference is looked up.
  SipRoom stranger({.user = "stranger"});
  stranger.Dial("mix", sip_port);
  EXPECT_TRUE(
      WaitUntil([&] { return stranger.Log().find("403") != std::string::npos; }, seconds(10)))
      << stranger.Log();
  EXPECT_NE(mcu.Log().find("SIP caller sip:stranger@127.0.0.1 is no site"), std::string::npos);
  // The conference never noticed.
  EXPECT_TRUE(
      web.WaitHearing([](const Wav& w) { return ToneShare(w, kRoomTone) > 0.08; }, seconds(5)));
}

// SIP over UDP carries the SRTP keys in clear: a room calling that way is refused (488) unless
// its site is allowed plain SIP (a closed line behind hardware encryptors), and then it is mixed
// as any room.
TEST(SipRefusal, PlainSipIsRefusedUnlessTheSiteIsAllowedIt) {
  const int sip_port = FreePort();
  const int udp_port = FreePort();
  McuOptions o = WithSipSite(sip_port);
  o.sip_toml = "udp_port = " + std::to_string(udp_port) + "\n";
  o.extra_toml +=
      "[[sites]]\nid = \"phong-kin\"\nname = \"Phòng đường truyền riêng\"\nlevel = \"district\"\n"
      "kind = \"sip\"\nsip_uri = \"sip:phong2@127.0.0.1\"\nsip_plain_signalling = true\n";
  McuProcess mcu(o);
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  SiteMedia local;
  AudioSite web(&local.loop, local.dtls, mcu, "demo-tinh-1", kWebRtcTone);
  ASSERT_TRUE(web.Join("mix") && web.WaitConnected());

  SipRoom refused({.user = "phong1", .transport = "udp"});
  refused.Dial("mix", udp_port);
  EXPECT_TRUE(
      WaitUntil([&] { return refused.Log().find("488") != std::string::npos; }, seconds(10)))
      << refused.Log();
  EXPECT_NE(mcu.Log().find("site phong-sip: SIP call over plain TCP/UDP"), std::string::npos)
      << mcu.Log();

  SipRoom allowed({.user = "phong2", .tone_hz = kRoomTone, .transport = "udp"});
  allowed.Dial("mix", udp_port);
  EXPECT_TRUE(
      web.WaitHearing([](const Wav& w) { return ToneShare(w, kRoomTone) > 0.08; }, seconds(15)))
      << "the room on the allowed plain line is not heard\n"
      << allowed.Log() << mcu.Log();
}

// A classified conference: a room on a plain SIP line is refused even though its site may use
// one elsewhere; a room over TLS is mixed, its SDES suite the strongest it offered; a WebRTC
// site's DTLS-SRTP is AES-GCM; the roll-call shows each site's protection and the audit log
// every join, refusal and media protection.
TEST(SipClassified, OnlyRoomsOverTlsJoinAndEveryStreamsProtectionIsShownAndAudited) {
  const int sip_port = FreePort();
  const int udp_port = FreePort();
  McuOptions o = WithSipSite(sip_port);
  o.sip_toml = "udp_port = " + std::to_string(udp_port) + "\n";
  o.extra_toml +=
      "[[sites]]\nid = \"phong-kin\"\nname = \"Phòng đường truyền riêng\"\nlevel = \"district\"\n"
      "kind = \"sip\"\nsip_uri = \"sip:phong2@127.0.0.1\"\nsip_plain_signalling = true\n"
      "[[conferences]]\nid = \"mat\"\ntitle = \"Họp mật\"\nmode = \"mix\"\nclassified = true\n";
  McuProcess mcu(o);
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  SiteMedia local;
  AudioSite web(&local.loop, local.dtls, mcu, "demo-tinh-1", kWebRtcTone);
  ASSERT_TRUE(web.Join("mat") && web.WaitConnected()) << web.error();

  SipRoom plain({.user = "phong2", .transport = "udp"});
  plain.Dial("mat", udp_port);
  EXPECT_TRUE(WaitUntil(
      [&] {
        return mcu.Log().find("is classified: SIP rooms join it over TLS only") !=
               std::string::npos;
      },
      seconds(10)))
      << plain.Log() << mcu.Log();

  SipRoom room({.tone_hz = kRoomTone});
  room.Dial("mat", sip_port);
  EXPECT_TRUE(
      web.WaitHearing([](const Wav& w) { return ToneShare(w, kRoomTone) > 0.08; }, seconds(15)))
      << room.Log() << mcu.Log();

  RestClient api(mcu.port(), mcu.ca());
  ASSERT_TRUE(api.Login("chutri", kHostPassword));
  auto roll = api.Call("GET", "/api/v1/conferences/mat/roll-call");
  ASSERT_EQ(roll.status, 200) << roll.text;
  std::map<std::string, std::string> protection;
  for (const auto& s : roll.body["sites"])
    if (s["protection"].is_string()) protection[s["site"]] = s["protection"];
  EXPECT_EQ(protection["tinh-1"], "AEAD_AES_128_GCM") << roll.text;
  // Debian's baresip offers one SDES line, AES-CM with the 80-bit tag (a room offering AES-GCM
  // too gets AES-GCM: tests/unit/sip_sdp_test.cpp).
  EXPECT_EQ(protection["phong-sip"], "AES_CM_128_HMAC_SHA1_80 (SDES)") << roll.text << room.Log();
  EXPECT_EQ(protection.count("phong-kin"), 0u) << roll.text;
  EXPECT_EQ(api.Call("GET", "/api/v1/conferences/mat").body["classified"], true);

  auto audit = api.Call("GET", "/api/v1/audit?limit=200");
  ASSERT_EQ(audit.status, 200) << audit.text;
  std::set<std::string> seen;
  for (const auto& a : audit.body)
    if (a["target"] == "mat")
      seen.insert(a["actor"].get<std::string>() + " " + a["action"].get<std::string>());
  for (const char* want : {"tinh-1 join", "tinh-1 media", "phong-kin join-refused",
                           "phong-sip join", "phong-sip media"})
    EXPECT_TRUE(seen.count(want)) << want << "\n" << audit.text;
}

// A room whose link is smaller than the 720p tier's rate (the site's bandwidth_kbps; b=AS, b=TIAS
// and its H.264 level count too) takes the 640x360 H.264 composite, and sees in it the WebRTC
// room's tile.
TEST(SipVideo, ARoomOnASmallLinkSeesThe360pComposite) {
  const int sip_port = FreePort();
  McuOptions o = WithSipSite(sip_port);
  o.extra_toml += "bandwidth_kbps = 800\n";  // The site's link, as the administrator gave it.
  McuProcess mcu(o);
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  SipRoom room({.codec = "G722/16000/1", .video = true});
  room.Dial("mix", sip_port);
  ASSERT_TRUE(
      WaitUntil([&] { return mcu.Log().find("takes the H.264 composite at") != std::string::npos; },
                seconds(15)))
      << room.Log() << mcu.Log();
  EXPECT_NE(mcu.Log().find(
                "takes the H.264 composite at 640x360, packetization-mode 1 (limits: 800 kb/s"),
            std::string::npos)
      << mcu.Log();
  const Rgb magenta{224, 16, 224};
  auto web = mcu.StartRoom("web", {"--token", "demo-tinh-1", "--conference", "mix", "--color",
                                   "e010e0", "--exit-after", "20"});
  const media::Layout layout = media::ComputeLayout(2, 640, 360);
  Image seen;
  std::string why;
  ASSERT_TRUE(
      SeesColourInTile(room, mcu.dir().path(), "small", 640, layout.tiles[1], magenta, &seen, &why))
      << "the room never saw the WebRTC room's tile in a 640x360 composite (" << why << ")\n"
      << room.Log();
  EXPECT_EQ(seen.height, 360);
}

// A room system that takes H.264 only in packetization-mode 0 (single NAL units: baresip's first
// H.264) receives the composite's tier of that mode and decodes it.
TEST(SipVideo, ARoomThatTakesOnlySingleNalUnitsSeesItsOwnTier) {
  const int sip_port = FreePort();
  McuProcess mcu(WithSipSite(sip_port));
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  SipRoom room({.codec = "G722/16000/1", .video = true, .video_codecs = "H264"});
  room.Dial("mix", sip_port);
  ASSERT_TRUE(
      WaitUntil([&] { return mcu.Log().find("takes the H.264 composite at") != std::string::npos; },
                seconds(15)))
      << room.Log() << mcu.Log();
  EXPECT_NE(mcu.Log().find("takes the H.264 composite at 640x360, packetization-mode 0"),
            std::string::npos)
      << mcu.Log();
  const Rgb magenta{224, 16, 224};
  auto web = mcu.StartRoom("web", {"--token", "demo-tinh-1", "--conference", "mix", "--color",
                                   "e010e0", "--exit-after", "20"});
  const media::Layout layout = media::ComputeLayout(2, 640, 360);
  Image seen;
  std::string why;
  ASSERT_TRUE(
      SeesColourInTile(room, mcu.dir().path(), "pm0", 640, layout.tiles[1], magenta, &seen, &why))
      << "the room never saw the WebRTC room's tile in the packetization-mode 0 tier (" << why
      << ")\n"
      << room.Log();
  ExpectBars(seen, layout.tiles[0], "the room's own tile, in packetization-mode 0");
}

// The roll-call row of `site` in `conference`, or null.
json RollCallOf(RestClient& api, const std::string& conference, const std::string& site) {
  auto r = api.Call("GET", "/api/v1/conferences/" + conference + "/roll-call");
  if (r.status == 200)
    for (const auto& s : r.body["sites"])
      if (s["site"] == site) return s;
  return nullptr;
}

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The room system waits for calls (auto-answer, SIP/TLS, SRTP). When the scheduled conference
// that invites it opens, the MCU calls it: it and a WebRTC site hear each other. It then loses
// power (no BYE): the MCU sees its media stop, ends the call, and calls it again until it is back.
TEST(SipDialOut, TheMcuCallsTheRoomWhenItsConferenceOpensAndAgainWhenItComesBack) {
  SipRoom room({.user = "phong1", .tone_hz = kRoomTone});
  room.Listen();
  McuOptions o;
  o.load_sites = 0;
  o.sip_tls_port = FreePort();
  o.sip_toml = "media_timeout_s = 4\n";
  o.extra_toml =
      "[[sites]]\nid = \"phong-sip\"\nname = \"Phòng SIP\"\nlevel = \"district\"\n"
      "kind = \"sip\"\nsip_uri = \"" +
      room.uri() + "\"\n";
  McuProcess mcu(o);
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  auto created = host.Call("POST", "/api/v1/conferences",
                           {{"id", "giao-ban"},
                            {"title", "Giao ban SIP"},
                            {"start", Iso(seconds(0))},
                            {"end", Iso(seconds(3600))},
                            {"leadTimeMinutes", 0},
                            {"invited", {"tinh-1", "phong-sip"}}});
  ASSERT_EQ(created.status, 201) << created.body.dump();

  SiteMedia local;
  ASSERT_TRUE(local.ok());
  AudioSite web(&local.loop, local.dtls, mcu, "demo-tinh-1", kWebRtcTone);
  ASSERT_TRUE(web.Join("giao-ban")) << web.error();
  ASSERT_TRUE(web.WaitConnected());
  auto hears_room = [](const Wav& w) { return ToneShare(w, kRoomTone) > 0.08; };
  ASSERT_TRUE(web.WaitHearing(hears_room, seconds(20)))
      << "the WebRTC site does not hear the room the MCU called\n"
      << room.Log() << mcu.Log();
  json row = RollCallOf(host, "giao-ban", "phong-sip");
  ASSERT_TRUE(row.is_object());
  EXPECT_EQ(row["link"]["state"], "joined") << row.dump();
  EXPECT_NE(row["state"], "offline") << row.dump();
  EXPECT_NE(room.Log().find("from sip:mcu@127.0.0.1"), std::string::npos)
      << "the call comes from the MCU's address\n"
      << room.Log();

  room.Kill();
  ASSERT_TRUE(WaitUntil(
      [&] {
        json r = RollCallOf(host, "giao-ban", "phong-sip");
        return r.is_object() && r["link"].is_object() && r["link"]["state"] != "joined";
      },
      seconds(15), milliseconds(250)))
      << mcu.Log();
  EXPECT_NE(mcu.Log().find("no media from the peer for 4 s"), std::string::npos) << mcu.Log();
  EXPECT_FALSE(web.WaitHearing(hears_room, seconds(2))) << "the dead room is still heard";

  room.Listen();  // Power is back.
  ASSERT_TRUE(web.WaitHearing(hears_room, seconds(30))) << "the MCU did not call the room again\n"
                                                        << room.Log() << mcu.Log();
  EXPECT_GE(Occurrences(mcu.Log(), "calling SIP site phong-sip"), 2u) << mcu.Log();
  EXPECT_EQ(RollCallOf(host, "giao-ban", "phong-sip")["link"]["state"], "joined");
  Wav heard_web = web.Record(2.5);
  EXPECT_GT(ToneShare(heard_web, kRoomTone), 0.08) << "the WebRTC site does not hear the room";
  EXPECT_LT(ToneShare(heard_web, kWebRtcTone), 0.01) << "the WebRTC site hears itself";
  Wav heard_room;
  ASSERT_TRUE(room.StopAndReadHeard(&heard_room)) << room.Log();
  ASSERT_GT(heard_room.samples.size(), static_cast<size_t>(heard_room.rate * 2.4))
      << "the room recorded less than its time in the second call";
  Wav tail = LastSeconds(heard_room);
  EXPECT_GT(ToneShare(tail, kWebRtcTone), 0.08) << "the room does not hear the WebRTC site";
  EXPECT_LT(ToneShare(tail, kRoomTone), 0.01) << "the room hears itself";
}

// A district MCU calls the province MCU's conference over a SIP trunk when its own scheduled
// conference opens, as it would call another vendor's MCU (sip:<conference>@<mcu>): the province
// knows the trunk as a SIP site that calls in (from sip:mcu@ the district's address). A room on
// each side hears the other side and never itself; the trunk's state is on the district's
// roll-call. The province stops its side: the district redials once the trunk is wanted again.
TEST(SipTrunk, TwoMcusJoinedBySipHearEachOtherWithoutEcho) {
  constexpr double kProvinceTone = 660, kDistrictTone = 1000;
  McuOptions po;
  po.load_sites = 0;
  po.sip_tls_port = FreePort();
  po.extra_toml =
      "[[sites]]\nid = \"huyen-trunk\"\nname = \"Huyện (SIP)\"\nlevel = \"district\"\n"
      "kind = \"sip\"\nsip_uri = \"sip:mcu@127.0.0.1\"\nsip_dial = false\n";
  McuProcess province(po);
  ASSERT_TRUE(province.ready()) << province.Log();
  McuOptions dO;
  dO.load_sites = 0;
  dO.sip_tls_port = FreePort();
  dO.extra_toml =
      "[[sites]]\nid = \"tinh-trunk\"\nname = \"Tỉnh (SIP)\"\nlevel = \"province\"\n"
      "kind = \"sip\"\nsip_uri = \"sip:mix@127.0.0.1:" +
      std::to_string(po.sip_tls_port) + ";transport=tls\"\n";
  McuProcess district(dO);
  ASSERT_TRUE(district.ready()) << district.Log();

  SiteMedia local;
  ASSERT_TRUE(local.ok());
  AudioSite at_province(&local.loop, local.dtls, province, "demo-tinh-1", kProvinceTone);
  ASSERT_TRUE(at_province.Join("mix")) << at_province.error();
  RestClient host(district.port(), district.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  auto created = host.Call("POST", "/api/v1/conferences",
                           {{"id", "giao-ban"},
                            {"title", "Giao ban huyện"},
                            {"start", Iso(seconds(0))},
                            {"end", Iso(seconds(3600))},
                            {"leadTimeMinutes", 0},
                            {"invited", {"huyen-1", "tinh-trunk"}}});
  ASSERT_EQ(created.status, 201) << created.body.dump();
  AudioSite at_district(&local.loop, local.dtls, district, "demo-huyen-1", kDistrictTone);
  ASSERT_TRUE(at_district.Join("giao-ban")) << at_district.error();

  auto hears = [](double tone) {
    return [tone](const Wav& w) { return ToneShare(w, tone) > 0.08; };
  };
  ASSERT_TRUE(at_district.WaitHearing(hears(kProvinceTone), seconds(20)))
      << "the district does not hear the province over the trunk\n"
      << district.Log() << province.Log();
  ASSERT_TRUE(at_province.WaitHearing(hears(kDistrictTone), seconds(10)))
      << "the province does not hear the district over the trunk\n"
      << province.Log();
  Wav d = at_district.Record(2.5), p = at_province.Record(2.5);
  EXPECT_GT(ToneShare(d, kProvinceTone), 0.08);
  EXPECT_LT(ToneShare(d, kDistrictTone), 0.01) << "the district hears itself back over the trunk";
  EXPECT_GT(ToneShare(p, kDistrictTone), 0.08);
  EXPECT_LT(ToneShare(p, kProvinceTone), 0.01) << "the province hears itself back over the trunk";
  json trunk = RollCallOf(host, "giao-ban", "tinh-trunk");
  EXPECT_EQ(trunk["link"]["state"], "joined") << trunk.dump();
  EXPECT_NE(province.Log().find("site huyen-trunk joined conference mix"), std::string::npos)
      << province.Log();

  // The province's side ends (its conference loses the trunk, as a far MCU that hangs up): the
  // district calls again and the sound crosses once more.
  ASSERT_TRUE(province.Restart(false)) << province.Log();
  AudioSite again(&local.loop, local.dtls, province, "demo-tinh-1", kProvinceTone);
  ASSERT_TRUE(again.Join("mix")) << again.error();
  ASSERT_TRUE(at_district.WaitHearing(hears(kProvinceTone), seconds(40)))
      << "the trunk did not come back\n"
      << district.Log();
  EXPECT_GE(Occurrences(district.Log(), "calling SIP site tinh-trunk"), 2u);
}

}  // namespace
}  // namespace mcu::test
