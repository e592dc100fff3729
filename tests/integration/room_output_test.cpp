// The room endpoint as a room: mcu-room shows the composite on the room's display and plays the
// mix on its loudspeakers, and its microphone does not send the others their own voice back.
// The display is an X server of the test's own (Xvfb), read back with ximagesrc; the loudspeakers
// are a PulseAudio null sink of the test's own, read back from its monitor, which is also the
// room's microphone in the echo test (the acoustic path of a real room, without its noise).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iostream>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/mcu-room/standby_screen.h"
#include "media/layout.h"
#include "tests/support/analysis.h"
#include "tests/support/audio_site.h"
#include "tests/support/files.h"
#include "tests/support/mcu_fixture.h"
#include "tests/support/rest_client.h"

namespace mcu::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

bool Connected(Process& p) { return p.Log().find("media connected") != std::string::npos; }

// mcu-room's command line to reach `mcu` as the site of `token` (media on loopback), then `more`.
std::vector<std::string> RoomArgs(const McuProcess& mcu, const std::string& token,
                                  const std::vector<std::string>& more) {
  std::vector<std::string> args = {RoomBin(),       "--url",     mcu.url(), "--ca", mcu.ca(),
                                   "--ice-address", "127.0.0.1", "--token", token};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// A display and a sound server of the test's own, and the environment that points at them.
class RoomDevices {
 public:
  explicit RoomDevices(const TempDir& dir, const std::string& screen = "1280x720x24")
      : runtime_(dir / "runtime") {
    std::filesystem::create_directories(runtime_);
    std::filesystem::permissions(runtime_, std::filesystem::perms::owner_all);
    // -displayfd: Xvfb picks a free display and writes its number.
    x_ = std::make_unique<Process>(
        std::vector<std::string>{"/usr/bin/Xvfb", "-displayfd", "1", "-screen", "0", screen,
                                 "-nolisten", "tcp"},
        dir / "xvfb.log");
    WaitUntil([&] { return !Trim(x_->Log()).empty(); }, seconds(10));
    const std::string number = Trim(x_->Log());
    display_ = ":" + number.substr(0, number.find('\n'));
    pulse_ = std::make_unique<Process>(
        std::vector<std::string>{
            "/usr/bin/env", "XDG_RUNTIME_DIR=" + runtime_, "HOME=" + runtime_, "pulseaudio", "-n",
            "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit", "--use-pid-file=no",
            "--load=module-native-protocol-unix", "--load=module-null-sink sink_name=room_speaker"},
        dir / "pulse.log");
    WaitUntil([&] { return std::filesystem::exists(runtime_ + "/pulse/native"); }, seconds(10));
  }
  bool ok() const {
    return display_.size() > 1 && std::filesystem::exists(runtime_ + "/pulse/native");
  }
  std::string Log() const { return x_->Log() + pulse_->Log(); }
  // `argv` run with the display and the sound server.
  std::vector<std::string> With(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {"/usr/bin/env", "DISPLAY=" + display_, "XDG_RUNTIME_DIR=" + runtime_,
                               "HOME=" + runtime_});
    return argv;
  }

 private:
  static std::string Trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }
  std::string runtime_, display_;
  std::unique_ptr<Process> x_, pulse_;
};

TEST(RoomOutput, ShowsTheCompositeOnItsDisplayAndPlaysEveryoneElseOnItsLoudspeakers) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RoomDevices devices(mcu.dir());
  ASSERT_TRUE(devices.ok()) << devices.Log();

  struct Site {
    std::string token;
    double tone;
    std::string color;
    Rgb rgb;
  };
  const Site sites[] = {{"demo-huyen-1", 440, "e01010", {224, 16, 16}},
                        {"demo-huyen-2", 660, "10e010", {16, 224, 16}},
                        {"demo-huyen-3", 1000, "1010e0", {16, 16, 224}}};
  std::vector<std::unique_ptr<Process>> rooms;
  for (size_t i = 0; i < 3; ++i) {
    const Site& s = sites[i];
    std::vector<std::string> args =
        RoomArgs(mcu, s.token,
                 {"--conference", "mix", "--tone", std::to_string(s.tone), "--color", s.color});
    // The last one joins as the room under test: its display and loudspeakers are the test's.
    if (i == 2) {
      args.insert(args.end(),
                  {"--display", "x", "--speaker", "pulse", "--speaker-device", "room_speaker"});
      args = devices.With(args);
    } else {
      args.insert(args.end(), {"--display", "none", "--speaker", "none"});
    }
    rooms.push_back(
        std::make_unique<Process>(args, mcu.dir() / ("room" + std::to_string(i) + ".log")));
    ASSERT_TRUE(WaitUntil([&] { return Connected(*rooms.back()); }, seconds(15), milliseconds(10)))
        << rooms.back()->Log();
  }
  Process& room = *rooms.back();
  EXPECT_NE(
      room.Log().find("composite on the display: x (1280x720); mix on the loudspeakers: pulse"),
      std::string::npos)
      << room.Log();

  // What the loudspeakers play: everyone else's tone, never the room's own.
  const std::string wav = mcu.dir() / "speaker.wav";
  auto listen = [&] {
    Process rec(
        devices.With({"gst-launch-1.0", "-q", "pulsesrc", "device=room_speaker.monitor",
                      "num-buffers=150", "!", "audio/x-raw,format=S16LE,rate=48000,channels=1", "!",
                      "wavenc", "!", "filesink", "location=" + wav}),
        mcu.dir() / "listen.log");
    return rec.Wait(seconds(20)) == 0;
  };
  Wav heard;
  ASSERT_TRUE(WaitUntil(
      [&] {
        return listen() && ReadWav(wav, &heard) && ToneShare(heard, 440) > 0.05 &&
               ToneShare(heard, 660) > 0.05;
      },
      seconds(20), milliseconds(10)))
      << "the loudspeakers do not play the others: 440 Hz " << ToneShare(heard, 440) << ", 660 Hz "
      << ToneShare(heard, 660) << "\n"
      << room.Log();
  EXPECT_LT(ToneShare(heard, 1000), 0.01) << "the room hears itself";

  // What the display shows: the composite at its 1280x720 tier, the three sites in the tiles the
  // layout predicts (the window at the screen's corner: no window manager).
  media::Layout layout = media::ComputeLayout(3, 1280, 720);
  const std::string png = mcu.dir() / "display.png";
  Image img;
  auto tiles_shown = [&] {
    Process shot(devices.With({"gst-launch-1.0", "-q", "ximagesrc", "num-buffers=1", "!",
                               "videoconvert", "!", "pngenc", "!", "filesink", "location=" + png}),
                 mcu.dir() / "shot.log");
    std::string error;
    if (shot.Wait(seconds(20)) != 0 || !ReadPng(png, &img, &error)) return false;
    for (size_t j = 0; j < 3; ++j) {
      const media::Tile& t = layout.tiles[j];
      if (!Near(img.Mean(t.x + t.width / 4, t.y + t.height / 6, t.width / 2, t.height / 2),
                sites[j].rgb, 40))
        return false;
    }
    return true;
  };
  ASSERT_EQ(layout.tiles.size(), 3u);
  EXPECT_TRUE(WaitUntil(tiles_shown, seconds(20), milliseconds(10)))
      << "the display does not show the three sites' colours in their tiles\n"
      << room.Log();
  EXPECT_EQ(img.width, 1280);
  EXPECT_TRUE(room.Running()) << room.Log();
  EXPECT_TRUE(mcu.process().Running());
}

// What mcu-room says it shows (--status-file), or null while it has written nothing.
nlohmann::json Status(const std::filesystem::path& file) {
  return nlohmann::json::parse(ReadFile(file), nullptr, false);
}

std::string UtcTime(time_t t, const char* format) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  return std::string(buf, strftime(buf, sizeof buf, format, &tm));
}

// Takes a screenshot of the test's display into `img`.
bool Screenshot(const RoomDevices& devices, const TempDir& dir, Image* img) {
  const std::string png = dir / "screen.png";
  Process shot(devices.With({"gst-launch-1.0", "-q", "ximagesrc", "num-buffers=1", "!",
                             "videoconvert", "!", "pngenc", "!", "filesink", "location=" + png}),
               dir / "shot.log");
  std::string error;
  return shot.Wait(seconds(20)) == 0 && ReadPng(png, img, &error);
}

// An idle room with a display shows what a hardware room system shows: its site's name, that it
// is connected, and the next conference it is invited to with its times (in the room's zone,
// UTC here). When that conference opens the room joins by itself and the display shows the
// composite; a key at the room mutes its microphone and the host's mute is said on screen.
TEST(RoomOutput, TheStandbyScreenShowsTheNextConferenceAndTheRoomJoinsItWhenItOpens) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  // A TV larger than the composite: the screens fill it.
  constexpr int kWidth = 1920, kHeight = 1080;
  RoomDevices devices(mcu.dir(), "1920x1080x24");
  ASSERT_TRUE(devices.ok()) << devices.Log();
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  const time_t start = time(nullptr) + 15, end = start + 3600;
  auto created = host.Call("POST", "/api/v1/conferences",
                           {{"id", "giao-ban-sang"},
                            {"title", "Giao ban sáng"},
                            {"start", UtcTime(start, "%Y-%m-%dT%H:%M:%SZ")},
                            {"end", UtcTime(end, "%Y-%m-%dT%H:%M:%SZ")},
                            {"leadTimeMinutes", 0},
                            {"invited", {"huyen-1", "huyen-2"}},
                            {"host", "huyen-1"}});
  ASSERT_EQ(created.status, 201) << created.body.dump();

  const std::filesystem::path status = mcu.dir() / "room-status.json";
  std::vector<std::string> args =
      RoomArgs(mcu, "demo-huyen-1",
               {"--display", "x", "--speaker", "none", "--language", "en", "--status-file",
                status.string(), "--content-camera", "test"});
  args.insert(args.begin(), "TZ=UTC");  // The room's zone: the times it shows are UTC.
  Process room(devices.With(args), mcu.dir() / "room.log");
  const std::string when =
      UtcTime(start, "%H:%M") + " – " + UtcTime(end, "%H:%M") + ", " +
      (UtcTime(start, "%F") == UtcTime(time(nullptr), "%F") ? std::string("today")
                                                            : UtcTime(start, "%d/%m/%Y"));
  const std::vector<std::string> lines = {"Connected to the MCU", "Next conference: Giao ban sáng",
                                          when};
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto s = Status(status);
        return s.is_object() && s["standbyShown"] == true && s["standbyLines"] == lines;
      },
      seconds(10), milliseconds(50)))
      << Status(status).dump(2) << room.Log();
  EXPECT_EQ(Status(status)["standbyTitle"], "Huyện 1");
  EXPECT_EQ(Status(status)["next"]["startsAt"], start);

  // On the screen: the standby background, with the name written in its upper part.
  const Rgb background{(room::StandbyScreen::kBackground >> 16) & 0xFF,
                       (room::StandbyScreen::kBackground >> 8) & 0xFF,
                       room::StandbyScreen::kBackground & 0xFF};
  auto title_pixels = [](const Image& img) {  // Text pixels in the title's band.
    int bright = 0;
    for (int y = kHeight / 12; y < kHeight / 3; ++y)
      for (int x = kWidth / 4; x < kWidth * 3 / 4; ++x) {
        Rgb p = img.At(x, y);
        bright += p.r > 200 && p.g > 200 && p.b > 200;
      }
    return bright;
  };
  Image img;
  // The screen is drawn twice a second: the text shows at most that much after the status says.
  EXPECT_TRUE(WaitUntil(
      [&] {
        return Screenshot(devices, mcu.dir(), &img) && img.width == kWidth &&
               Near(img.Mean(20, 300, 200, 120), background, 12) &&
               Near(img.Mean(kWidth - 220, kHeight / 2, 200, 120), background, 12) &&
               title_pixels(img) > 300;
      },
      seconds(10), milliseconds(50)))
      << "the display does not show the standby screen with its title: " << title_pixels(img)
      << " text pixels\n"
      << room.Log();

  // The conference opens: the room joins by itself, with the other invited site.
  auto other = mcu.StartRoom("huyen-2", {"--token", "demo-huyen-2", "--color", "10e010", "--width",
                                         "320", "--height", "180"});
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto s = Status(status);
        return s["screen"] == "conference" && s["mediaConnected"] == true &&
               s["standbyShown"] == false;
      },
      seconds(40), milliseconds(50)))
      << Status(status).dump(2) << room.Log();
  EXPECT_EQ(Status(status)["conference"], "giao-ban-sang");
  // The 1280x720 composite scaled to the screen: the tiles the layout predicts, 1.5 times larger.
  media::Layout layout = media::ComputeLayout(2, 1280, 720);
  auto green_shown = [&] {
    if (!Screenshot(devices, mcu.dir(), &img)) return false;
    for (const auto& t : layout.tiles)
      if (Near(img.Mean((t.x + t.width / 4) * 3 / 2, (t.y + t.height / 4) * 3 / 2, t.width * 3 / 4,
                        t.height * 3 / 8),
               {16, 224, 16}, 40))
        return true;
    return false;
  };
  EXPECT_TRUE(WaitUntil(green_shown, seconds(20), milliseconds(50)))
      << "the display does not show the other site in the composite\n"
      << room.Log();

  // A key at the room mutes its microphone; the host's mute is said too, and wins.
  Process key(devices.With({"xdotool", "mousemove", "640", "360", "key", "m"}),
              mcu.dir() / "key.log");
  EXPECT_EQ(key.Wait(seconds(10)), 0) << key.Log();
  EXPECT_TRUE(WaitUntil(
      [&] {
        auto s = Status(status);
        return s["micMuted"] == true && s["statusLine"] == "Microphone off (key M)";
      },
      seconds(10), milliseconds(50)))
      << Status(status).dump(2) << room.Log();
  // The C key shares the room's content input (a test pattern here) and stops sharing it.
  auto content_shown = [&](bool shared) {
    auto r = host.Call("GET", "/api/v1/conferences/giao-ban-sang/roll-call");
    for (const auto& site : r.body["sites"])
      if (site["site"] == "huyen-1") return site["content"] == shared;
    return false;
  };
  auto press = [&](const std::string& k) {
    Process p(devices.With({"xdotool", "key", k}), mcu.dir() / "key.log");
    return p.Wait(seconds(10)) == 0;
  };
  ASSERT_TRUE(press("c"));
  EXPECT_TRUE(WaitUntil([&] { return content_shown(true); }, seconds(15), milliseconds(100)))
      << room.Log();
  EXPECT_EQ(Status(status)["sharing"], true);
  ASSERT_TRUE(press("c"));
  EXPECT_TRUE(WaitUntil([&] { return content_shown(false); }, seconds(15), milliseconds(100)))
      << room.Log();

  auto muted =
      host.Call("POST", "/api/v1/conferences/giao-ban-sang/sites/huyen-1/mute", {{"audio", true}});
  ASSERT_EQ(muted.status, 200) << muted.text;
  EXPECT_TRUE(
      WaitUntil([&] { return Status(status)["statusLine"] == "Microphone muted by the host"; },
                seconds(10), milliseconds(50)))
      << Status(status).dump(2) << room.Log();

  // The conference stops: back to the standby screen, nothing next.
  ASSERT_EQ(host.Call("POST", "/api/v1/conferences/giao-ban-sang/stop").status, 200);
  EXPECT_TRUE(WaitUntil(
      [&] {
        auto s = Status(status);
        return s["screen"] == "standby" && s["standbyShown"] == true &&
               s["standbyLines"] ==
                   std::vector<std::string>{"Connected to the MCU", "No conference scheduled"};
      },
      seconds(10), milliseconds(50)))
      << Status(status).dump(2) << room.Log();
  EXPECT_TRUE(room.Running()) << room.Log();
}

// A room whose configured camera is not there (its configuration in a file, its token in
// another) joins with the rest of its media and says what is missing, on its screen and on the
// conference's roll-call.
// A room's microphone unplugged during a meeting (its PulseAudio source goes away): the room
// comes back into the conference by itself, without it, and the roll-call says it is missing.
TEST(RoomOutput, AMicrophoneUnpluggedDuringAMeetingLeavesTheRoomInItWithoutTheMicrophone) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RoomDevices devices(mcu.dir());
  ASSERT_TRUE(devices.ok()) << devices.Log();
  // The microphone: a sound card of its own (a null sink's monitor), unplugged by unloading it.
  Process load(devices.With({"pactl", "load-module", "module-null-sink", "sink_name=room_mic"}),
               mcu.dir() / "load.log");
  ASSERT_EQ(load.Wait(seconds(10)), 0) << load.Log();
  const std::string module = load.Log().substr(0, load.Log().find('\n'));
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  auto devices_of = [&](nlohmann::json* site) {
    auto r = host.Call("GET", "/api/v1/conferences/mix/roll-call");
    for (const auto& s : r.body["sites"])
      if (s["site"] == "huyen-1") *site = s;
    return site->is_object() ? (*site)["devices"] : nlohmann::json();
  };
  Process room(devices.With(RoomArgs(
                   mcu, "demo-huyen-1",
                   {"--conference", "mix", "--display", "none", "--speaker", "pulse",
                    "--speaker-device", "room_speaker", "--mic-device", "room_mic.monitor"})),
               mcu.dir() / "room.log");
  nlohmann::json site;
  ASSERT_TRUE(WaitUntil(
      [&] {
        return devices_of(&site) ==
                   nlohmann::json{{"camera", "none"}, {"microphone", "ok"}, {"speaker", "ok"}} &&
               site["state"] == "video";
      },
      seconds(20), milliseconds(100)))
      << site.dump() << room.Log();

  Process unplug(devices.With({"pactl", "unload-module", module}), mcu.dir() / "unplug.log");
  ASSERT_EQ(unplug.Wait(seconds(10)), 0) << unplug.Log();
  EXPECT_TRUE(WaitUntil(
      [&] {
        return devices_of(&site) == nlohmann::json{{"camera", "none"},
                                                   {"microphone", "missing"},
                                                   {"speaker", "ok"}} &&
               site["state"] == "video";
      },
      seconds(30), milliseconds(100)))
      << site.dump() << room.Log();
  EXPECT_TRUE(room.Running()) << room.Log();
}

TEST(RoomOutput, ARoomWithoutItsCameraJoinsWithWhatItHasAndTheRollCallSaysTheCameraIsMissing) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  const std::filesystem::path token = mcu.dir() / "room-token", config = mcu.dir() / "room.toml",
                              status = mcu.dir() / "room-status.json";
  ASSERT_TRUE(WriteFile(token, "demo-huyen-1\n"));
  std::filesystem::permissions(
      token, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  ASSERT_TRUE(WriteFile(config, "url = \"" + mcu.url() + "\"\nca = \"" + mcu.ca() +
                                    "\"\ntoken-file = \"" + token.string() +
                                    "\"\nconference = \"mix\"\ncamera = \"/dev/video-absent\"\n"
                                    "display = \"none\"\nspeaker = \"none\"\n"
                                    "ice-address = [\"127.0.0.1\"]\nstatus-file = \"" +
                                    status.string() + "\"\n"));
  Process room({RoomBin(), "--config", config.string()}, mcu.dir() / "room.log");
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  nlohmann::json site;
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = host.Call("GET", "/api/v1/conferences/mix/roll-call");
        for (const auto& s : r.body["sites"])
          if (s["site"] == "huyen-1") site = s;
        return site.is_object() && site["state"] == "video" && site["devices"].is_object();
      },
      seconds(20), milliseconds(100)))
      << site.dump() << room.Log();
  EXPECT_EQ(site["devices"],
            (nlohmann::json{{"camera", "missing"}, {"microphone", "none"}, {"speaker", "none"}}));
  EXPECT_EQ(Status(status)["devices"]["camera"], "missing");
  EXPECT_EQ(Status(status)["statusLine"], "Không tìm thấy camera");
  EXPECT_NE(room.Log().find("joining without what is missing"), std::string::npos) << room.Log();
}

// --list-devices names the sound server's sources and sinks as --mic-device and --speaker-device
// take them (the display's camera list is empty here: no V4L2 device).
TEST(RoomOutput, ListsTheMicrophonesAndLoudspeakersByTheNamesItsOptionsTake) {
  TempDir dir("mcu-devices");
  RoomDevices devices(dir);
  ASSERT_TRUE(devices.ok()) << devices.Log();
  Process list(devices.With({RoomBin(), "--list-devices"}), dir / "list.log");
  ASSERT_EQ(list.Wait(seconds(20)), 0) << list.Log();
  const std::string out = list.Log();
  const size_t mics = out.find("microphones (--mic-device):"),
               speakers = out.find("loudspeakers (--speaker-device):");
  ASSERT_NE(mics, std::string::npos) << out;
  ASSERT_NE(speakers, std::string::npos) << out;
  EXPECT_NE(out.find("cameras (--camera):"), std::string::npos) << out;
  const std::string mic_part = out.substr(mics, speakers - mics),
                    speaker_part = out.substr(speakers);
  EXPECT_NE(mic_part.find("  room_speaker.monitor "), std::string::npos) << out;
  EXPECT_NE(speaker_part.find("  room_speaker "), std::string::npos) << out;
  // The example configuration's keys are all options mcu-room knows.
  Process example(
      devices.With({RoomBin(), "--config", std::string(MCU_CONFIGS_DIR) + "/mcu-room.example.toml",
                    "--list-devices"}),
      dir / "example.log");
  EXPECT_EQ(example.Wait(seconds(20)), 0) << example.Log();
  ASSERT_TRUE(WriteFile(dir / "typo.toml", "camra = \"/dev/video0\"\n"));
  Process typo({RoomBin(), "--config", dir / "typo.toml", "--list-devices"}, dir / "typo.log");
  EXPECT_NE(typo.Wait(seconds(20)), 0) << "a misspelt key is not ignored";
  EXPECT_NE(typo.Log().find("camra"), std::string::npos) << typo.Log();
}

// A room told not to check the MCU's certificate says loudly what that costs, before anything
// else (here: before it stops for want of a token).
TEST(RoomOutput, InsecureSaysWhatItGivesAway) {
  TempDir dir("mcu-insecure");
  Process room({RoomBin(), "--url", "wss://127.0.0.1:9/ws", "--insecure"}, dir / "room.log");
  EXPECT_EQ(room.Wait(seconds(20)), 2) << room.Log();
  EXPECT_NE(room.Log().find("the MCU's certificate is NOT checked"), std::string::npos)
      << room.Log();
  Process checked({RoomBin(), "--url", "wss://127.0.0.1:9/ws"}, dir / "checked.log");
  EXPECT_EQ(checked.Wait(seconds(20)), 2) << checked.Log();
  EXPECT_EQ(checked.Log().find("NOT checked"), std::string::npos) << checked.Log();
}

// The level of `freq` in dB (TonePower's scale: samples in [-1, 1]), averaged over 200 ms blocks so
// that a phase slip at a jitter buffer costs one block only.
double ToneDb(const Wav& w, double freq) {
  const size_t block = static_cast<size_t>(w.rate / 5);
  double sum = 0;
  size_t n = 0;
  for (size_t at = 0; block && at + block <= w.samples.size(); at += block, ++n)
    sum += TonePower(std::span<const int16_t>(w.samples).subspan(at, block), w.rate, freq);
  return 10 * std::log10(std::max(n ? sum / n : 0.0, 1e-12));
}

// A site (660 Hz) and the room, whose microphone hears its own loudspeakers: without audio
// processing the site hears its own tone come back through the room; with it (the default with
// a microphone), at least 20 dB weaker.
TEST(RoomOutput, TheRoomsMicrophoneDoesNotSendTheOthersTheirOwnVoiceBack) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RoomDevices devices(mcu.dir());
  ASSERT_TRUE(devices.ok()) << devices.Log();
  SiteMedia local;
  ASSERT_TRUE(local.ok());
  AudioSite site(&local.loop, local.dtls, mcu, "demo-huyen-2", 660);
  ASSERT_TRUE(site.Join("mix")) << site.error() << mcu.Log();
  ASSERT_TRUE(site.WaitConnected()) << mcu.Log();

  // The site's own tone as it comes back, over 2 s windows after the room's media connects (the
  // first 6 s skipped): the first window for which `settled` holds, or the last one after 30 s.
  // Echo cancellation adapts over the first seconds, how many depends on the delay it finds.
  auto echo_db = [&](const std::string& name, std::vector<std::string> processing,
                     const std::function<bool(double)>& settled) {
    std::vector<std::string> args =
        RoomArgs(mcu, "demo-huyen-1",
                 {"--conference", "mix", "--display", "none", "--speaker", "pulse",
                  "--speaker-device", "room_speaker", "--mic-device", "room_speaker.monitor"});
    args.insert(args.end(), processing.begin(), processing.end());
    Process room(devices.With(args), mcu.dir() / (name + ".log"));
    EXPECT_TRUE(WaitUntil([&] { return Connected(room); }, seconds(15), milliseconds(10)))
        << room.Log();
    const auto start = std::chrono::steady_clock::now();
    site.Record(6);
    double db = 0;
    do {
      db = ToneDb(site.Record(2), 660);
    } while (!settled(db) && std::chrono::steady_clock::now() - start < seconds(30));
    std::cout
        << name << ": the site's own tone comes back at " << db << " dB, "
        << std::chrono::duration_cast<seconds>(std::chrono::steady_clock::now() - start).count()
        << " s after the room's media connected\n";
    EXPECT_TRUE(room.Running()) << room.Log();
    return db;
  };
  const double off = echo_db("room-unprocessed",
                             {"--no-echo-cancel", "--no-noise-suppression", "--no-gain-control"},
                             [](double) { return true; });
  const double on = echo_db("room-processed", {}, [&](double db) { return off - db >= 20; });
  EXPECT_GT(off, -40) << "without processing the echo path carries the tone (is the room's "
                         "microphone its loudspeakers' monitor?)";
  EXPECT_GE(off - on, 20) << "with processing " << on << " dB, without " << off << " dB";
}

}  // namespace
}  // namespace mcu::test
