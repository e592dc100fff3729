// A real mcu-room in the echo conference of a real MCU: what it receives back has been through
// ICE, DTLS-SRTP decryption, RTP handling and re-encryption, and must be its own tone and colour.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>

#include "tests/support/analysis.h"
#include "tests/support/mcu_fixture.h"

namespace mcu::test {
namespace {

TEST(Echo, RoomHearsItsOwnToneAndSeesItsOwnColour) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  auto room = mcu.StartRoom("room", {"--token",          "demo-huyen-1",
                                     "--conference",     "echo",
                                     "--name",           "Huyen 1",
                                     "--tone",           "660",
                                     "--color",          "e01010",
                                     "--snapshot",       mcu.dir() / "echo.png",
                                     "--snapshot-at",    "2",
                                     "--record",         mcu.dir() / "echo.wav",
                                     "--record-after",   "1",
                                     "--record-seconds", "2",
                                     "--exit-after",     "7"});
  ASSERT_EQ(room->Wait(std::chrono::seconds(20)), 0) << room->Log();
  auto summary = nlohmann::json::parse(FindLine(room->Log(), "SUMMARY "), nullptr, false);
  ASSERT_TRUE(summary.is_object()) << room->Log();
  EXPECT_TRUE(summary["mediaConnected"].get<bool>()) << room->Log();
  EXPECT_GT(summary["videoFrames"].get<int>(), 60);
  EXPECT_EQ(summary["videoWidth"].get<int>(), 640);
  EXPECT_EQ(summary["videoHeight"].get<int>(), 360);

  Wav wav;
  ASSERT_TRUE(ReadWav(mcu.dir() / "echo.wav", &wav)) << room->Log();
  ASSERT_EQ(wav.samples.size(), 2u * 48000);
  double own = ToneShare(wav, 660), other = ToneShare(wav, 440);
  EXPECT_GT(own, 0.3) << "the 660 Hz tone should dominate what comes back";
  EXPECT_LT(other, 0.01);

  Image img;
  std::string error;
  ASSERT_TRUE(ReadPng(mcu.dir() / "echo.png", &img, &error)) << error;
  ASSERT_EQ(img.width, 640);
  Rgb centre = img.Mean(280, 140, 80, 60);
  EXPECT_TRUE(Near(centre, {224, 16, 16}, 30))
      << "centre colour " << centre.r << "," << centre.g << "," << centre.b;
  // The site name is drawn at the bottom centre: that area is not the plain colour.
  Rgb label = img.Mean(280, 300, 80, 24);
  EXPECT_FALSE(Near(label, {224, 16, 16}, 30));
  // The MCU logged the negotiated SRTP profile.
  EXPECT_NE(mcu.Log().find("media connected (AES"), std::string::npos) << mcu.Log();

  // Asked to stop once its pipelines have run, the MCU ends cleanly and its last lines are in the
  // log (it ends by _Exit, after flushing: signaling/sip_process_exit.h).
  mcu.process().Signal(SIGTERM);
  EXPECT_EQ(mcu.process().Wait(std::chrono::seconds(10)), 0) << mcu.Log();
  EXPECT_NE(mcu.Log().find(" info  stopped"), std::string::npos) << mcu.Log();
}

}  // namespace
}  // namespace mcu::test
