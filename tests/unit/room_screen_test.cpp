// Specs of apps/mcu-room/screen_text.h: what an unattended room's screen says.
#include "apps/mcu-room/devices.h"
#include "apps/mcu-room/key_names.h"

#include <linux/input-event-codes.h>
#include "apps/mcu-room/screen_text.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace mcu::room {
namespace {

// The zone the texts are read in (restored after each test).
class RoomScreen : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* tz = std::getenv("TZ")) saved_ = tz;
    setenv("TZ", "Asia/Ho_Chi_Minh", 1);
    tzset();
  }
  void TearDown() override {
    if (saved_)
      setenv("TZ", saved_->c_str(), 1);
    else
      unsetenv("TZ");
    tzset();
  }
  std::optional<std::string> saved_;
  // 2026-12-07 08:00 and 09:30 in Hanoi (UTC+7).
  static constexpr int64_t kStart = 1796605200, kEnd = kStart + 5400;
  static RoomStatus Online() {
    RoomStatus s;
    s.link = RoomStatus::Link::kOnline;
    s.site_name = "Huyện Mèo Vạc";
    return s;
  }
};

TEST_F(RoomScreen, StandbyNamesTheSiteTheLinkAndTheNextConferenceWithItsTimes) {
  RoomStatus s = Online();
  s.next = event::Standby::Next{"giao-ban", "Giao ban tuần", kStart, kEnd, false};
  StandbyText vi = MakeStandbyText(s, Language::kVi, kStart - 7 * 86400);
  EXPECT_EQ(vi.title, "Huyện Mèo Vạc");
  EXPECT_EQ(vi.lines,
            (std::vector<std::string>{"Đã kết nối với MCU", "Hội nghị tiếp theo: Giao ban tuần",
                                      "08:00 – 09:30, 07/12/2026"}));
  StandbyText en = MakeStandbyText(s, Language::kEn, kStart - 3600);
  EXPECT_EQ(en.lines,
            (std::vector<std::string>{"Connected to the MCU", "Next conference: Giao ban tuần",
                                      "08:00 – 09:30, today"}));
}

TEST_F(RoomScreen, StandbySaysWhenNothingIsScheduledWhenItIsBeingCalledAndWhatIsMissing) {
  RoomStatus s = Online();
  EXPECT_EQ(MakeStandbyText(s, Language::kEn, kStart).lines,
            (std::vector<std::string>{"Connected to the MCU", "No conference scheduled"}));
  s.next = event::Standby::Next{"hop", "Họp khẩn", kStart, kEnd, true};
  s.devices.camera = DeviceState::kMissing;
  s.devices.speaker = DeviceState::kMissing;
  s.link = RoomStatus::Link::kReconnecting;
  EXPECT_EQ(MakeStandbyText(s, Language::kVi, kStart).lines,
            (std::vector<std::string>{"Mất kết nối với MCU, đang kết nối lại…",
                                      "Đang vào hội nghị: Họp khẩn", "Không tìm thấy camera",
                                      "Không tìm thấy loa"}));
}

TEST_F(RoomScreen, TheStatusLineIsEmptyWhileAllIsWellAndSaysWhatIsNot) {
  RoomStatus s = Online();
  s.conference_id = "hop";
  s.media_connected = true;
  s.loss_pct = 1.9;
  EXPECT_EQ(MakeStatusLine(s, Language::kVi), "");
  s.loss_pct = 4.6;
  EXPECT_EQ(MakeStatusLine(s, Language::kVi), "Mạng kém: mất 5 % gói tin");
  s.mic_muted = true;
  EXPECT_EQ(MakeStatusLine(s, Language::kEn),
            "Poor network: 5 % packet loss  ·  Microphone off (key M)");
  s.host_muted_audio = true;
  EXPECT_EQ(MakeStatusLine(s, Language::kEn),
            "Poor network: 5 % packet loss  ·  Microphone muted by the host")
      << "the host's mute is the one that counts";
  s.sharing = true;
  EXPECT_EQ(MakeStatusLine(s, Language::kVi),
            "Mạng kém: mất 5 % gói tin  ·  Micro đã bị chủ trì tắt  ·  Đang trình chiếu (phím C)");
  s.sharing = false;
  s.media_connected = false;
  EXPECT_EQ(MakeStatusLine(s, Language::kVi), "Đang kết nối lại…  ·  Micro đã bị chủ trì tắt")
      << "while reconnecting the loss of the old connection says nothing";
}

TEST(RoomLoss, TheWorstOfTheFourStreamsOverTheIntervalCounts) {
  TransportStats before, after;
  before.video_in = {.packets = 1000, .lost = 10};
  after.video_in = {.packets = 1950, .lost = 60};  // 50 of 1000 expected: 5 %.
  before.audio_out = {.packets = 500, .lost = 0};
  after.audio_out = {.packets = 600, .lost = 2};  // 2 %.
  EXPECT_DOUBLE_EQ(WorstLossPct(before, after), 5.0);
  after.video_in = {.packets = 1960, .lost = 10};
  EXPECT_DOUBLE_EQ(WorstLossPct(before, after), 2.0);
  after.audio_out = {.packets = 510, .lost = 5};
  EXPECT_DOUBLE_EQ(WorstLossPct(before, after), 0.0) << "10 packets say nothing";
  after.video_in = {.packets = 30, .lost = 30};
  EXPECT_DOUBLE_EQ(WorstLossPct(before, after), 0.0) << "counters of a new connection";
}

TEST(RoomDevices, WhatIsConfiguredIsOkOrMissingAndWhatIsNotIsNone) {
  const std::vector<Device> found = {
      {"microphone", "alsa_input.usb-mic", "USB mic", "pulse"},
      {"speaker", "alsa_output.hdmi", "TV", "pulse"},
  };
  EXPECT_EQ(AssessDevices({}, found, false), DeviceStates{}) << "nothing configured: none";
  WantedDevices w{
      .camera = "/dev/video0", .microphone = true, .speaker = true, .speaker_output = "pulse"};
  EXPECT_EQ(AssessDevices(w, found, true),
            (DeviceStates{DeviceState::kOk, DeviceState::kOk, DeviceState::kOk}))
      << "the default microphone and loudspeaker: any listed one";
  w.mic_device = "alsa_input.usb-mic";
  w.speaker_device = "alsa_output.usb-speaker";
  EXPECT_EQ(AssessDevices(w, found, false),
            (DeviceStates{DeviceState::kMissing, DeviceState::kOk, DeviceState::kMissing}));
  w.speaker_device.clear();
  w.speaker_output = "none";  // Asked for, but "auto" found no sound output at all.
  EXPECT_EQ(AssessDevices(w, {}, true).speaker, DeviceState::kMissing);
  EXPECT_EQ(AssessDevices(w, {}, true).microphone, DeviceState::kMissing);
}

TEST(RoomKeys, APresentersKeysAreNamedLikeTheWindowsAndOthersAreIgnored) {
  EXPECT_EQ(KeyName(KEY_M), "m");
  EXPECT_EQ(KeyName(KEY_B), "b");  // A presenter's "black screen" key, by model.
  EXPECT_EQ(KeyName(KEY_DOT), "period");
  EXPECT_EQ(KeyName(KEY_C), "c");
  EXPECT_EQ(KeyName(KEY_F5), "F5");  // A presenter's "start presentation" key.
  EXPECT_EQ(KeyName(KEY_PAGEDOWN), "Next");
  EXPECT_EQ(KeyName(KEY_A), "");
  EXPECT_EQ(KeyName(KEY_LEFTSHIFT), "");
}

TEST_F(RoomScreen, LanguagesAreViAndEn) {
  EXPECT_EQ(ParseLanguage("vi"), Language::kVi);
  EXPECT_EQ(ParseLanguage("en"), Language::kEn);
  EXPECT_FALSE(ParseLanguage("fr"));
}

}  // namespace
}  // namespace mcu::room
