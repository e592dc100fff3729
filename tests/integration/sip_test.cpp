// SIP room systems against a real mcu: Debian's baresip dials sip:mix@ over SIP/TLS with
// SDES-keyed SRTP and is mixed with a WebRTC site. Each hears the other's tone and never its own,
// whatever the room's codec (G.722, G.711 µ-law and A-law, Opus). A room that offers plain RTP
// gets 488 and an unknown caller 403, and neither disturbs the conference.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/support/analysis.h"
#include "tests/support/audio_site.h"
#include "tests/support/mcu_fixture.h"
#include "tests/support/sip_room.h"
#include "tests/support/udp.h"

namespace mcu::test {
namespace {

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

class SipDialIn : public ::testing::TestWithParam<const char*> {};

TEST_P(SipDialIn, ARoomSystemAndAWebRtcSiteHearEachOtherAndNeverThemselves) {
  const int sip_port = FreePort();
  McuProcess mcu(WithSipSite(sip_port));
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  SiteMedia local;
  ASSERT_TRUE(local.ok());
  AudioSite web(&local.loop, local.dtls, mcu, "demo-tinh-1", kWebRtcTone);
  ASSERT_TRUE(web.Join("mix")) << web.error();
  ASSERT_TRUE(web.WaitConnected());

  SipRoom room({.codec = GetParam(), .tone_hz = kRoomTone});
  room.Dial("mix", sip_port);
  ASSERT_TRUE(
      web.WaitHearing([](const Wav& w) { return ToneShare(w, kRoomTone) > 0.08; }, seconds(15)))
      << "the WebRTC site does not hear the SIP room\n"
      << room.Log() << mcu.Log();
  Wav heard_web = web.Record(2.5);
  EXPECT_GT(ToneShare(heard_web, kRoomTone), 0.08) << "the WebRTC site does not hear the room";
  EXPECT_LT(ToneShare(heard_web, kWebRtcTone), 0.01) << "the WebRTC site hears itself";

  Wav heard_room;
  ASSERT_TRUE(room.StopAndReadHeard(&heard_room)) << room.Log();
  // It was in the call at least while the WebRTC site recorded.
  ASSERT_GT(heard_room.samples.size(), static_cast<size_t>(heard_room.rate * 2.4))
      << "the room recorded less than its time in the call";
  Wav tail = LastSeconds(heard_room);
  EXPECT_GT(ToneShare(tail, kWebRtcTone), 0.08) << "the SIP room does not hear the WebRTC site";
  EXPECT_LT(ToneShare(tail, kRoomTone), 0.01) << "the SIP room hears itself";
  // Its hang-up reached the MCU: the site left the conference.
  EXPECT_TRUE(WaitUntil([&] { return mcu.Log().find("site phong-sip left") != std::string::npos; },
                        seconds(5)))
      << mcu.Log();
}

INSTANTIATE_TEST_SUITE_P(Codecs, SipDialIn,
                         ::testing::Values("G722/16000/1", "PCMU/8000/1", "PCMA/8000/1",
                                           "opus/48000/2"),
                         [](const auto& info) {
                           std::string name = info.param;
                           return name.substr(0, name.find('/'));
                         });

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

}  // namespace
}  // namespace mcu::test
