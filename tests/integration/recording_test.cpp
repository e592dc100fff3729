// Recording a mixing conference (media/recorder.h) with real mcu-room sites: the WebM file the
// MCU writes is decoded here with GStreamer and holds what the conference held: the sites'
// colours in the composite, their tones in the mix, frames with no gap, a duration that matches
// the time recorded; the REST API and the audit log say who recorded what.
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>

#include "media/gobject_ptr.h"
#include "tests/support/analysis.h"
#include "tests/support/mcu_fixture.h"
#include "tests/support/rest_client.h"

namespace mcu::test {
namespace {

using media::GRef;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

struct Decoded {
  int width = 0, height = 0;
  std::vector<int64_t> video_pts_us;
  std::vector<uint8_t> last_frame;  // RGB, of the last frame.
  Wav audio{48000, {}};
};

// Every frame and sample of a WebM file (matroskademux, vp8dec) or, named .mp4, an MP4 file
// (qtdemux, avdec_h264), and its Opus (opusdec); or, named .ts, an MPEG-TS file (tsdemux,
// avdec_h264, and AAC: avdec_aac); or, named .flv, FLV (flvdemux, the same decoders).
Decoded Decode(const std::string& path) {
  static bool inited = (gst_init(nullptr, nullptr), true);
  (void)inited;
  Decoded out;
  const bool mp4 = path.ends_with(".mp4");
  const bool ts = path.ends_with(".ts");
  const bool flv = path.ends_with(".flv");
  const char* to_pcm =
      "audioconvert ! audioresample ! audio/x-raw,format=S16LE,channels=1,rate=48000 ! "
      "appsink name=a sync=false";
  const std::string desc =
      flv ? std::string(
                "filesrc name=f ! flvdemux name=d d.video ! queue ! h264parse ! "
                "avdec_h264 ! videoconvert ! video/x-raw,format=RGB ! appsink name=v "
                "sync=false d.audio ! queue ! aacparse ! avdec_aac ! ") +
                to_pcm
      : ts ? std::string(
                 "filesrc name=f ! tsdemux name=d d. ! h264parse ! queue ! avdec_h264 ! "
                 "videoconvert ! video/x-raw,format=RGB ! appsink name=v sync=false d. ! "
                 "aacparse ! queue ! avdec_aac ! ") +
                 to_pcm
           : std::string("filesrc name=f ! ") +
                 (mp4 ? "qtdemux name=d d.video_0 ! queue ! h264parse ! avdec_h264 ! "
                      : "matroskademux name=d d.video_0 ! queue ! vp8dec ! ") +
                 "videoconvert ! video/x-raw,format=RGB ! appsink name=v sync=false d.audio_0 ! "
                 "queue ! opusdec ! " +
                 to_pcm;
  GError* raw = nullptr;
  auto p = GRef<GstElement>::AdoptSink(gst_parse_launch(desc.c_str(), &raw));
  media::GErrorPtr err(raw);
  EXPECT_FALSE(err) << (err ? err->message : "");
  if (!p) return out;
  auto f = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(p.get()), "f"));
  g_object_set(f.get(), "location", path.c_str(), nullptr);
  auto v = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(p.get()), "v"));
  auto a = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(p.get()), "a"));
  gst_element_set_state(p.get(), GST_STATE_PLAYING);
  bool video_done = false, audio_done = false;
  while (!video_done || !audio_done) {
    if (!video_done) {
      auto s = GRef<GstSample>::Adopt(
          gst_app_sink_try_pull_sample(GST_APP_SINK(v.get()), 100 * GST_MSECOND));
      if (s) {
        GstBuffer* b = gst_sample_get_buffer(s.get());
        out.video_pts_us.push_back(static_cast<int64_t>(GST_BUFFER_PTS(b) / GST_USECOND));
        GstStructure* st = gst_caps_get_structure(gst_sample_get_caps(s.get()), 0);
        gst_structure_get_int(st, "width", &out.width);
        gst_structure_get_int(st, "height", &out.height);
        GstMapInfo map;
        if (gst_buffer_map(b, &map, GST_MAP_READ)) {
          out.last_frame.assign(map.data, map.data + map.size);
          gst_buffer_unmap(b, &map);
        }
      } else {
        video_done = gst_app_sink_is_eos(GST_APP_SINK(v.get()));
      }
    }
    if (!audio_done) {
      auto s = GRef<GstSample>::Adopt(
          gst_app_sink_try_pull_sample(GST_APP_SINK(a.get()), 100 * GST_MSECOND));
      if (s) {
        GstMapInfo map;
        GstBuffer* b = gst_sample_get_buffer(s.get());
        if (gst_buffer_map(b, &map, GST_MAP_READ)) {
          auto* pcm = reinterpret_cast<const int16_t*>(map.data);
          out.audio.samples.insert(out.audio.samples.end(), pcm, pcm + map.size / 2);
          gst_buffer_unmap(b, &map);
        }
      } else {
        audio_done = gst_app_sink_is_eos(GST_APP_SINK(a.get()));
      }
    }
  }
  gst_element_set_state(p.get(), GST_STATE_NULL);
  return out;
}

// The share of the RGB frame's pixels near `want`.
double ColourShare(const Decoded& d, Rgb want) {
  size_t n = 0, hits = 0;
  for (size_t i = 0; i + 2 < d.last_frame.size(); i += 3 * 7, ++n) {
    Rgb c{d.last_frame[i], d.last_frame[i + 1], d.last_frame[i + 2]};
    hits += Near(c, want, 60);
  }
  return n ? double(hits) / double(n) : 0;
}

struct SiteSpec {
  std::string token;
  double tone;
  std::string color;
  Rgb rgb;
};

const SiteSpec kSites[] = {
    {"demo-huyen-1", 440, "e01010", {224, 16, 16}},
    {"demo-huyen-2", 660, "10e010", {16, 224, 16}},
    {"demo-huyen-3", 880, "1010e0", {16, 16, 224}},
};

// Waits until `conference`'s running recording has written at least `ms` (its progress on the
// roll-call: no fixed sleep); `written_ms`, if given, gets what it had then.
bool RecordedFor(RestClient& host, const std::string& conference, int64_t ms,
                 int64_t* written_ms = nullptr) {
  return WaitUntil(
      [&] {
        auto r = host.Call("GET", "/api/v1/conferences/" + conference + "/roll-call");
        if (!r.body["recording"].is_object()) return false;
        const int64_t written = r.body["recording"]["durationMs"];
        if (written_ms) *written_ms = written;
        return written >= ms;
      },
      seconds(20), milliseconds(200));
}

// `spec`'s mcu-room (its tone and colour) in `conference`, once its media connected (null and a
// failure if it did not within 20 s).
std::unique_ptr<Process> ConnectedSite(McuProcess& mcu, const SiteSpec& spec,
                                       const std::string& name, const std::string& conference) {
  auto room = mcu.StartRoom(name, {"--token", spec.token, "--conference", conference, "--tone",
                                   std::to_string(spec.tone), "--color", spec.color});
  if (!WaitUntil([&] { return room->Log().find("media connected") != std::string::npos; },
                 seconds(20), milliseconds(20))) {
    ADD_FAILURE() << name << " did not connect: " << room->Log() << mcu.Log();
    return nullptr;
  }
  return room;
}

TEST(Recording, ThreeSitesRecordedAsTheyAreSeenAndHeard) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  std::vector<std::unique_ptr<Process>> rooms;
  for (size_t i = 0; i < 3; ++i) {
    const SiteSpec& s = kSites[i];
    rooms.push_back(mcu.StartRoom("site" + std::to_string(i + 1),
                                  {"--token", s.token, "--conference", "mix", "--tone",
                                   std::to_string(s.tone), "--color", s.color}));
  }
  for (auto& r : rooms)
    ASSERT_TRUE(WaitUntil([&] { return r->Log().find("media connected") != std::string::npos; },
                          seconds(20), milliseconds(20)))
        << r->Log();

  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  auto start = host.Call("POST", "/api/v1/conferences/mix/recording/start");
  ASSERT_EQ(start.status, 200) << start.text;
  EXPECT_EQ(host.Call("POST", "/api/v1/conferences/mix/recording/start").status, 409)
      << "one recording at a time";
  const auto started = std::chrono::steady_clock::now();
  auto live = host.Call("GET", "/api/v1/conferences/mix/roll-call");
  ASSERT_TRUE(live.body["recording"].is_object()) << live.text;
  EXPECT_EQ(live.body["recording"]["startedBy"], "chutri");
  EXPECT_EQ(live.body["recording"]["width"], 1280);
  const std::string file = live.body["recording"]["file"];
  const std::filesystem::path path = mcu.dir().path() / "data" / "recordings" / file;

  // About 6 s recorded: the recording's progress shows it growing (no fixed sleep).
  ASSERT_TRUE(RecordedFor(host, "mix", 6000)) << mcu.Log();
  auto stop = host.Call("POST", "/api/v1/conferences/mix/recording/stop");
  ASSERT_EQ(stop.status, 200) << stop.text;
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_TRUE(host.Call("GET", "/api/v1/conferences/mix/roll-call").body["recording"].is_null());
  EXPECT_EQ(host.Call("POST", "/api/v1/conferences/mix/recording/stop").status, 409);

  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0) << path;
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the file is the MCU's alone";
  struct stat dir {};
  ASSERT_EQ(stat(path.parent_path().c_str(), &dir), 0);
  EXPECT_EQ(dir.st_mode & 0777, 0700u);

  Decoded d = Decode(path);
  ASSERT_FALSE(d.video_pts_us.empty()) << "no video decoded from " << path;
  EXPECT_EQ(d.width, 1280);
  EXPECT_EQ(d.height, 720);
  const double video_s = (d.video_pts_us.back() - d.video_pts_us.front()) / 1e6;
  const double audio_s = double(d.audio.samples.size()) / 48000;
  std::cout << "recorded " << video_s << " s of video (" << d.video_pts_us.size() << " frames), "
            << audio_s << " s of audio, in " << wall_s << " s; " << st.st_size << " bytes\n";
  EXPECT_GE(video_s, 5.5);
  // The first frame may be composed before the start's answer reaches the test: a few frames
  // of slack.
  EXPECT_LE(video_s, wall_s + 0.1) << "more video than the time recorded";
  EXPECT_GE(d.video_pts_us.size(), video_s * 20) << "the composite's 30 fps, some lost at most";
  EXPECT_NEAR(audio_s, video_s, 0.5);
  int64_t worst_gap_us = 0;
  for (size_t i = 1; i < d.video_pts_us.size(); ++i)
    worst_gap_us = std::max(worst_gap_us, d.video_pts_us[i] - d.video_pts_us[i - 1]);
  EXPECT_GT(worst_gap_us, 0);
  EXPECT_LE(worst_gap_us, 100'000) << "a gap in the video's timestamps";

  for (const auto& s : kSites) {
    EXPECT_GT(ColourShare(d, s.rgb), 0.1) << s.color << " is missing from the composite";
    EXPECT_GT(ToneShare(d.audio, s.tone), 0.05) << s.tone << " Hz is missing from the mix";
  }

  auto audit = host.Call("GET", "/api/v1/audit?limit=20");
  bool started_audited = false, stopped_audited = false;
  for (const auto& a : audit.body) {
    started_audited |=
        a["action"] == "record-start" && a["actor"] == "chutri" && a["detail"]["file"] == file;
    stopped_audited |= a["action"] == "record-stop" && a["detail"]["file"] == file &&
                       a["detail"]["durationMs"].get<int64_t>() > 5000;
  }
  EXPECT_TRUE(started_audited) << audit.text;
  EXPECT_TRUE(stopped_audited) << audit.text;

  // Listed with what it is, sent whole or in part as it is on disk, then deleted.
  auto list = host.Call("GET", "/api/v1/recordings?conference=mix");
  ASSERT_EQ(list.status, 200) << list.text;
  ASSERT_EQ(list.body.size(), 1u) << list.text;
  const auto& row = list.body[0];
  EXPECT_EQ(row["file"], file);
  EXPECT_EQ(row["startedBy"], "chutri");
  EXPECT_EQ(row["state"], "finished");
  EXPECT_EQ(row["reason"], "stopped");
  EXPECT_EQ(row["bytes"], st.st_size);
  EXPECT_EQ(row["width"], 1280);
  EXPECT_NEAR(row["durationMs"].get<double>() / 1000, video_s, 0.5);
  const std::string url = "/api/v1/recordings/" + std::to_string(row["id"].get<int64_t>());
  const std::string bytes = ReadFile(path);
  auto whole = host.Call("GET", url + "/file");
  ASSERT_EQ(whole.status, 200);
  EXPECT_TRUE(whole.text == bytes) << "the download differs from the file";
  EXPECT_NE(whole.content_disposition.find("attachment"), std::string::npos);
  host.set_range("bytes=100-1123");
  auto part = host.Call("GET", url + "/file?play=1");
  ASSERT_EQ(part.status, 206);
  EXPECT_EQ(part.content_range, "bytes 100-1123/" + std::to_string(bytes.size()));
  EXPECT_TRUE(part.text == bytes.substr(100, 1024)) << "the range differs from the file";
  EXPECT_NE(part.content_disposition.find("inline"), std::string::npos);
  host.set_range("bytes=" + std::to_string(bytes.size()) + "-");
  EXPECT_EQ(host.Call("GET", url + "/file").status, 416);
  host.set_range("");
  RestClient technician(mcu.port(), mcu.ca());
  ASSERT_TRUE(technician.Login("kythuat", kTechnicianPassword));
  EXPECT_EQ(technician.Call("GET", url + "/file").status, 403) << "a host's or an admin's";
  EXPECT_EQ(technician.Call("DELETE", url).status, 403);
  EXPECT_EQ(technician.Call("GET", "/api/v1/recordings").body.size(), 1u);

  ASSERT_EQ(host.Call("DELETE", url).status, 200);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(host.Call("GET", url + "/file").status, 404);
  EXPECT_TRUE(host.Call("GET", "/api/v1/recordings?conference=mix").body.empty());
  audit = host.Call("GET", "/api/v1/audit?limit=10");
  std::set<std::string> actions;
  for (const auto& a : audit.body)
    if (a["detail"].is_object() && a["detail"].value("file", "") == file)
      actions.insert(a["action"].get<std::string>());
  for (const char* action : {"record-download", "record-play", "record-delete"})
    EXPECT_TRUE(actions.count(action)) << action << " not audited: " << audit.text;
}

// What GStreamer's type finding makes of a file's first bytes: its caps ("video/webm", ...), or
// "" if it finds no media type.
std::string Probe(const std::string& path) {
  static bool inited = (gst_init(nullptr, nullptr), true);
  (void)inited;
  GError* raw = nullptr;
  auto p = GRef<GstElement>::AdoptSink(
      gst_parse_launch("filesrc name=f ! typefind name=t ! fakesink", &raw));
  media::GErrorPtr err(raw);
  if (!p) return "";
  auto f = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(p.get()), "f"));
  g_object_set(f.get(), "location", path.c_str(), nullptr);
  gst_element_set_state(p.get(), GST_STATE_PAUSED);
  auto bus = GRef<GstBus>::Adopt(gst_element_get_bus(p.get()));
  auto msg = GRef<GstMessage>::Adopt(gst_bus_timed_pop_filtered(
      bus.get(), 10 * GST_SECOND,
      static_cast<GstMessageType>(GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_ERROR)));
  std::string caps;
  if (msg && GST_MESSAGE_TYPE(msg.get()) == GST_MESSAGE_ASYNC_DONE) {
    auto t = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(p.get()), "t"));
    GstCaps* raw_caps = nullptr;
    g_object_get(t.get(), "caps", &raw_caps, nullptr);
    if (auto found = GRef<GstCaps>::Adopt(raw_caps))
      caps = media::GCharPtr(gst_caps_to_string(found.get())).get();
  }
  gst_element_set_state(p.get(), GST_STATE_NULL);
  return caps;
}

// A classified conference, recorded because the administrator allows it: the file on disk is
// sealed (no media type is found in it, no plaintext is in it), listed as sealed, and the
// console's download and its ranges are the WebM (or the MP4), which decodes to the site's
// colour and tone.
struct SealedFormat {
  const char* format;  // [recording] format
  const char* ext;     // the file's, before ".sealed"
  const char* caps;    // what type finding makes of the download
  std::string magic;   // the container's first box or element, never on disk
};
class SealedRecording : public ::testing::TestWithParam<SealedFormat> {};

TEST_P(SealedRecording, AClassifiedConferenceIsSealedOnDiskAndPlaysThroughTheConsole) {
  const SealedFormat& f = GetParam();
  McuOptions options;
  options.extra_toml =
      std::string("[recording]\nclassified = true\nformat = \"") + f.format + "\"\n" +
      "[[conferences]]\nid = \"mat\"\ntitle = \"Họp mật\"\nmode = \"mix\"\nclassified = true\n";
  McuProcess mcu(options);
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  const SiteSpec& s = kSites[0];
  auto room = ConnectedSite(mcu, s, "site1", "mat");
  ASSERT_TRUE(room);
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  auto start = host.Call("POST", "/api/v1/conferences/mat/recording/start");
  ASSERT_EQ(start.status, 200) << start.text;
  // 4 s at least, and a first whole chunk sealed on disk (a solid colour in H.264 takes a few
  // seconds more to fill 64 KiB), so that a range can cross a chunk's end below.
  const std::filesystem::path dir = mcu.dir().path() / "data" / "recordings";
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = host.Call("GET", "/api/v1/conferences/mat/roll-call");
        if (!r.body["recording"].is_object() || r.body["recording"]["durationMs"] < 4000)
          return false;
        std::error_code ec;
        auto size = std::filesystem::file_size(dir / r.body["recording"].value("file", ""), ec);
        return !ec && size > 65536;
      },
      seconds(30), milliseconds(200)))
      << mcu.Log();
  ASSERT_EQ(host.Call("POST", "/api/v1/conferences/mat/recording/stop").status, 200);

  auto list = host.Call("GET", "/api/v1/recordings?conference=mat");
  ASSERT_EQ(list.body.size(), 1u) << list.text;
  const auto row = list.body[0];
  EXPECT_EQ(row["sealed"], true);
  const std::string file = row["file"];
  EXPECT_TRUE(file.ends_with(std::string(f.ext) + ".sealed")) << file;
  const std::filesystem::path data = mcu.dir().path() / "data";
  const std::filesystem::path path = data / "recordings" / file;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((data / "recording.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the key is the MCU's alone";
  EXPECT_EQ(st.st_size, 32);

  // On disk: nothing a player or a demuxer could read.
  const std::string disk = ReadFile(path);
  EXPECT_EQ(disk.rfind("MCUSEAL1", 0), 0u);
  EXPECT_EQ(disk.find(f.magic), std::string::npos) << "the container's header on disk";
  EXPECT_EQ(Probe(path.string()), "") << "the sealed file probes as a media type";

  // Through the console: the WebM, whole and in ranges.
  const std::string url = "/api/v1/recordings/" + std::to_string(row["id"].get<int64_t>());
  auto whole = host.Call("GET", url + "/file");
  ASSERT_EQ(whole.status, 200);
  EXPECT_GT(whole.text.size(), 10000u);
  EXPECT_LT(whole.text.size(), disk.size()) << "the download is the plaintext";
  EXPECT_NE(whole.content_disposition.find(std::string(f.ext) + "\""), std::string::npos)
      << whole.content_disposition;
  EXPECT_EQ(whole.content_disposition.find(".sealed"), std::string::npos);
  const std::filesystem::path plain = mcu.dir().path() / (std::string("downloaded") + f.ext);
  std::ofstream(plain, std::ios::binary) << whole.text;
  EXPECT_NE(whole.text.find(f.magic), std::string::npos) << "the download is the container";
  EXPECT_NE(Probe(plain.string()).find(f.caps), std::string::npos) << Probe(plain.string());
  Decoded d = Decode(plain.string());
  ASSERT_FALSE(d.video_pts_us.empty());
  const double video_s = (d.video_pts_us.back() - d.video_pts_us.front()) / 1e6;
  EXPECT_GE(video_s, 3.5);
  EXPECT_EQ(d.width, 1280);
  EXPECT_GT(ColourShare(d, s.rgb), 0.5) << s.color << " is missing";
  EXPECT_GT(ToneShare(d.audio, s.tone), 0.05) << "the full mix holds the site's tone";
  // A range across a chunk boundary (chunks hold 64 KiB), as a player seeking asks.
  ASSERT_GT(whole.text.size(), 65537u);
  const size_t last = std::min<size_t>(70999, whole.text.size() - 1);
  host.set_range("bytes=65000-" + std::to_string(last));
  auto part = host.Call("GET", url + "/file?play=1");
  ASSERT_EQ(part.status, 206);
  EXPECT_EQ(part.content_range,
            "bytes 65000-" + std::to_string(last) + "/" + std::to_string(whole.text.size()));
  EXPECT_TRUE(part.text == whole.text.substr(65000, last - 65000 + 1)) << "the range differs";
  host.set_range("");

  auto audit = host.Call("GET", "/api/v1/audit?limit=10");
  bool sealed_play = false;
  for (const auto& a : audit.body)
    sealed_play |= a["action"] == "record-play" && a["detail"].is_object() &&
                   a["detail"].value("sealed", false);
  EXPECT_TRUE(sealed_play) << audit.text;
}
INSTANTIATE_TEST_SUITE_P(Formats, SealedRecording,
                         ::testing::Values(SealedFormat{"webm", ".webm", "video/webm", "webm"},
                                           SealedFormat{"mp4", ".mp4", "video/quicktime", "ftyp"}),
                         [](const ::testing::TestParamInfo<SealedFormat>& info) {
                           return std::string(info.param.format);
                         });

// The conference changes while it is recorded: a site joins, the layout changes, a site leaves.
// The file plays through with no gap in its timestamps (the composite's frames go on whatever
// its inputs do), and its last picture is the conference as it ended.
TEST(Recording, PlaysThroughAJoinALayoutChangeAndALeave) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  std::vector<std::unique_ptr<Process>> rooms(3);
  auto join = [&](size_t i) {
    const SiteSpec& s = kSites[i];
    rooms[i] = mcu.StartRoom("site" + std::to_string(i + 1),
                             {"--token", s.token, "--conference", "mix", "--tone",
                              std::to_string(s.tone), "--color", s.color});
    return WaitUntil([&] { return rooms[i]->Log().find("media connected") != std::string::npos; },
                     seconds(20), milliseconds(20));
  };
  ASSERT_TRUE(join(0));
  ASSERT_TRUE(join(1));
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  ASSERT_EQ(host.Call("POST", "/api/v1/conferences/mix/recording/start").status, 200);
  auto recorded_ms = [&](int64_t at_least) { return RecordedFor(host, "mix", at_least); };
  ASSERT_TRUE(recorded_ms(2000));
  ASSERT_TRUE(join(2)) << "site 3 joins while it records";
  ASSERT_TRUE(recorded_ms(4000));
  ASSERT_EQ(
      host.Call("PUT", "/api/v1/conferences/mix/layout", nlohmann::json{{"layout", "speaker"}})
          .status,
      200);
  ASSERT_TRUE(recorded_ms(6000));
  rooms[1].reset();  // Site 2 leaves.
  ASSERT_TRUE(recorded_ms(8500));
  const std::string file = host.Call("GET", "/api/v1/recordings").body[0]["file"];
  ASSERT_EQ(host.Call("POST", "/api/v1/conferences/mix/recording/stop").status, 200);

  Decoded d = Decode(mcu.dir().path() / "data" / "recordings" / file);
  ASSERT_FALSE(d.video_pts_us.empty());
  const double video_s = (d.video_pts_us.back() - d.video_pts_us.front()) / 1e6;
  int64_t worst_gap_us = 0;
  for (size_t i = 1; i < d.video_pts_us.size(); ++i)
    worst_gap_us = std::max(worst_gap_us, d.video_pts_us[i] - d.video_pts_us[i - 1]);
  std::cout << "recorded " << video_s << " s through a join, a layout change and a leave; "
            << d.video_pts_us.size() << " frames, worst gap " << worst_gap_us / 1000 << " ms\n";
  EXPECT_GE(video_s, 8.0);
  EXPECT_LE(worst_gap_us, 100'000) << "a gap in the video's timestamps";
  EXPECT_GE(d.video_pts_us.size(), video_s * 20);
  EXPECT_NEAR(double(d.audio.samples.size()) / 48000, video_s, 0.5);
  EXPECT_GT(ColourShare(d, kSites[0].rgb), 0.03) << "site 1 is in the last picture";
  EXPECT_GT(ColourShare(d, kSites[2].rgb), 0.03) << "site 3 is in the last picture";
  EXPECT_LT(ColourShare(d, kSites[1].rgb), 0.01) << "site 2 left";
}

// WebM as the recorder writes it (webmmux to an unbuffered filesink) survives the MCU's death:
// each cluster is on disk once it is complete, and a demuxer reads the file up to the last one
// (the segment's size, written at the end, stays unknown). The next start marks the recording
// interrupted with the size it reached.
TEST(Recording, AKilledMcuLeavesAFileThatPlaysAndARowThatSaysInterrupted) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  const SiteSpec& s = kSites[0];
  auto room = ConnectedSite(mcu, s, "site1", "mix");
  ASSERT_TRUE(room);
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  ASSERT_EQ(host.Call("POST", "/api/v1/conferences/mix/recording/start").status, 200);
  int64_t written_ms = 0;
  ASSERT_TRUE(RecordedFor(host, "mix", 4000, &written_ms)) << mcu.Log();
  const std::string file = host.Call("GET", "/api/v1/recordings").body[0]["file"];
  const std::filesystem::path path = mcu.dir().path() / "data" / "recordings" / file;

  ASSERT_TRUE(mcu.Restart(true)) << mcu.Log();
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  auto list = host.Call("GET", "/api/v1/recordings?conference=mix");
  ASSERT_EQ(list.body.size(), 1u) << list.text;
  EXPECT_EQ(list.body[0]["state"], "interrupted");
  EXPECT_EQ(list.body[0]["bytes"], std::filesystem::file_size(path));
  EXPECT_GT(list.body[0]["durationMs"].get<int64_t>(), 0);

  Decoded d = Decode(path);
  ASSERT_FALSE(d.video_pts_us.empty()) << "nothing plays in " << path;
  const double video_s = (d.video_pts_us.back() - d.video_pts_us.front()) / 1e6;
  std::cout << "after the kill, " << video_s << " s of the " << written_ms / 1000.0
            << " s written play\n";
  // Up to the last complete cluster: webmmux starts one at each keyframe or every ~5 s at most
  // (a keyframe is forced when recording starts).
  EXPECT_GE(video_s, 2.0);
  EXPECT_GT(ColourShare(d, s.rgb), 0.5) << s.color << " is missing";
  EXPECT_GT(ToneShare(d.audio, s.tone), 0.05) << "the full mix holds the site's tone";
}

// With [recording] format = "mp4" the recording is the H.264 tier (encoded for it: no SIP room
// takes it here) and the Opus mix in fragmented MP4: it probes as MP4, plays 1280x720 with the
// site's colour and tone, is served as video/mp4; and, the MCU killed while it records, it plays
// up to its last complete fragment (about a second per track).
TEST(Recording, AnMp4RecordingIsTheH264TierAndPlaysUpToItsLastFragmentAfterAKill) {
  McuOptions options;
  options.extra_toml = "[recording]\nformat = \"mp4\"\n";
  McuProcess mcu(options);
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  const SiteSpec& s = kSites[1];
  auto room = ConnectedSite(mcu, s, "site2", "mix");
  ASSERT_TRUE(room);
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  auto recorded_for = [&](int64_t ms) { return RecordedFor(host, "mix", ms); };
  const std::filesystem::path dir = mcu.dir().path() / "data" / "recordings";

  ASSERT_EQ(host.Call("POST", "/api/v1/conferences/mix/recording/start").status, 200);
  ASSERT_TRUE(recorded_for(4000)) << mcu.Log();
  ASSERT_EQ(host.Call("POST", "/api/v1/conferences/mix/recording/stop").status, 200);
  auto list = host.Call("GET", "/api/v1/recordings?conference=mix");
  ASSERT_EQ(list.body.size(), 1u) << list.text;
  const std::string file = list.body[0]["file"];
  EXPECT_TRUE(file.ends_with("Z.mp4")) << file;
  EXPECT_EQ(list.body[0]["width"], 1280);
  const std::filesystem::path path = dir / file;
  EXPECT_NE(Probe(path.string()).find("video/quicktime"), std::string::npos)
      << Probe(path.string());
  Decoded d = Decode(path.string());
  ASSERT_FALSE(d.video_pts_us.empty()) << "no video decoded from " << path;
  EXPECT_EQ(d.width, 1280);
  EXPECT_EQ(d.height, 720);
  const double video_s = (d.video_pts_us.back() - d.video_pts_us.front()) / 1e6;
  const double audio_s = double(d.audio.samples.size()) / 48000;
  std::cout << "MP4: " << video_s << " s of video (" << d.video_pts_us.size() << " frames), "
            << audio_s << " s of audio, " << std::filesystem::file_size(path) << " bytes\n";
  EXPECT_GE(video_s, 3.5);
  EXPECT_NEAR(audio_s, video_s, 0.5);
  EXPECT_GT(ColourShare(d, s.rgb), 0.5) << s.color << " is missing";
  EXPECT_GT(ToneShare(d.audio, s.tone), 0.05) << "the full mix holds the site's tone";
  auto whole = host.Call(
      "GET", "/api/v1/recordings/" + std::to_string(list.body[0]["id"].get<int64_t>()) + "/file");
  ASSERT_EQ(whole.status, 200);
  EXPECT_EQ(whole.content_type, "video/mp4");
  EXPECT_NE(whole.content_disposition.find(".mp4\""), std::string::npos);

  // Recording again, the MCU is killed: what was written plays.
  ASSERT_EQ(host.Call("POST", "/api/v1/conferences/mix/recording/start").status, 200);
  ASSERT_TRUE(recorded_for(4000)) << mcu.Log();
  const std::string second = host.Call("GET", "/api/v1/recordings?conference=mix").body[0]["file"];
  ASSERT_NE(second, file);
  ASSERT_TRUE(mcu.Restart(true)) << mcu.Log();
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  EXPECT_EQ(host.Call("GET", "/api/v1/recordings?conference=mix").body[0]["state"], "interrupted");
  Decoded cut = Decode((dir / second).string());
  ASSERT_FALSE(cut.video_pts_us.empty()) << "nothing plays in " << second;
  const double cut_s = (cut.video_pts_us.back() - cut.video_pts_us.front()) / 1e6;
  std::cout << "MP4 after the kill: " << cut_s << " s of video play\n";
  EXPECT_GE(cut_s, 2.0);
  EXPECT_GT(ColourShare(cut, s.rgb), 0.5) << s.color << " is missing";
  EXPECT_GT(ToneShare(cut.audio, s.tone), 0.05);
}

// A playlist as the MCU writes it: the init segment's URI and the segments' URIs and durations.
struct Playlist {
  std::string init;
  std::vector<std::pair<std::string, double>> segments;
};
Playlist ParsePlaylist(const std::string& text) {
  Playlist out;
  std::istringstream in(text);
  double duration = -1;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#EXT-X-MAP:URI=\"", 0) == 0) {
      out.init = line.substr(16, line.size() - 17);
    } else if (line.rfind("#EXTINF:", 0) == 0) {
      duration = std::stod(line.substr(8));
    } else if (!line.empty() && line[0] != '#' && duration >= 0) {
      out.segments.emplace_back(line, duration);
      duration = -1;
    }
  }
  return out;
}

// A host publishes the conference live: the MCU serves an HLS playlist of WebM segments (to a
// session of any role, to nobody else), each segment about 2 s and starting on a keyframe, so
// that the init segment and any one segment decode alone; all of them in a row are the
// conference: the site's colour and tone. Stopped, the playlist is gone; both are audited.
TEST(LiveStream, SegmentsOfTheCompositeAreServedToSessionsAndDecodeToTheConference) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  const SiteSpec& s = kSites[1];
  auto room = ConnectedSite(mcu, s, "site2", "mix");
  ASSERT_TRUE(room);
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  const std::string base = "/api/v1/conferences/mix/stream/";
  EXPECT_EQ(host.Call("GET", base + "index.m3u8").status, 404) << "no stream yet";
  ASSERT_EQ(host.Call("POST", "/api/v1/conferences/mix/stream/start").status, 200);
  EXPECT_EQ(host.Call("POST", "/api/v1/conferences/mix/stream/start").status, 409);
  Playlist list;
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = host.Call("GET", base + "index.m3u8");
        if (r.status != 200) return false;
        list = ParsePlaylist(r.text);
        return list.segments.size() >= 3;
      },
      seconds(30), milliseconds(250)))
      << mcu.Log();
  EXPECT_EQ(list.init, "init.webm");
  const auto live = host.Call("GET", "/api/v1/conferences/mix");
  ASSERT_TRUE(live.body["stream"].is_object()) << live.text;
  EXPECT_EQ(live.body["stream"]["startedBy"], "chutri");
  EXPECT_EQ(live.body["stream"]["playlist"], base + "index.m3u8");

  RestClient nobody(mcu.port(), mcu.ca());
  EXPECT_EQ(nobody.Call("GET", base + "index.m3u8").status, 401);
  EXPECT_EQ(nobody.Call("GET", base + list.segments[0].first).status, 401);
  RestClient technician(mcu.port(), mcu.ca());
  ASSERT_TRUE(technician.Login("kythuat", kTechnicianPassword));
  EXPECT_EQ(technician.Call("GET", base + "index.m3u8").status, 200);
  EXPECT_EQ(technician.Call("POST", "/api/v1/conferences/mix/stream/stop").status, 403);
  EXPECT_EQ(host.Call("GET", base + "../../recording").status, 404);
  EXPECT_EQ(host.Call("GET", base + "999999.webm").status, 404);

  auto init = host.Call("GET", base + list.init);
  ASSERT_EQ(init.status, 200);
  std::string all = init.text;
  double listed_s = 0;
  std::string last;
  for (const auto& [uri, duration] : list.segments) {
    auto seg = host.Call("GET", base + uri);
    ASSERT_EQ(seg.status, 200) << uri;
    EXPECT_GE(duration, 1.9) << uri;
    EXPECT_LE(duration, 4.0) << uri << ": a keyframe is asked for every 2 s";
    all += seg.text;
    last = seg.text;
    listed_s += duration;
  }
  const std::filesystem::path dir = mcu.dir().path();
  std::ofstream(dir / "stream.webm", std::ios::binary) << all;
  Decoded d = Decode((dir / "stream.webm").string());
  ASSERT_FALSE(d.video_pts_us.empty());
  const double video_s = (d.video_pts_us.back() - d.video_pts_us.front()) / 1e6;
  std::cout << "live stream: " << list.segments.size() << " segments listed, " << listed_s << " s; "
            << video_s << " s of video decoded from them\n";
  EXPECT_NEAR(video_s, listed_s, 0.5);
  EXPECT_EQ(d.width, 1280);
  EXPECT_GT(ColourShare(d, s.rgb), 0.5) << s.color << " is missing";
  EXPECT_GT(ToneShare(d.audio, s.tone), 0.05) << "the full mix holds the site's tone";
  // The last segment alone after the init segment: it starts on a keyframe.
  std::ofstream(dir / "last.webm", std::ios::binary) << init.text << last;
  Decoded one = Decode((dir / "last.webm").string());
  ASSERT_GE(one.video_pts_us.size(), 30u) << "the last segment does not decode alone";
  EXPECT_GT(ColourShare(one, s.rgb), 0.5);

  // Someone without a login, through a viewer link the host made: the playlist's URLs carry the
  // token on; revoked, the link opens nothing.
  auto made = host.Call("POST", base + "links", {{"label", "cổng thông tin"}, {"maxViewers", 3}});
  ASSERT_EQ(made.status, 200) << made.text;
  const std::string token = made.body["token"];
  EXPECT_EQ(made.body["url"], "/watch.html?c=mix#token=" + token);
  auto by_link = nobody.Call("GET", base + "index.m3u8?token=" + token);
  ASSERT_EQ(by_link.status, 200) << by_link.text;
  const Playlist linked = ParsePlaylist(by_link.text);
  ASSERT_FALSE(linked.segments.empty());
  EXPECT_EQ(linked.init, "init.webm?token=" + token);
  EXPECT_EQ(nobody.Call("GET", base + linked.segments.back().first).status, 200);
  auto info = nobody.Call("GET", base + "info.json?token=" + token);
  ASSERT_EQ(info.status, 200) << info.text;
  EXPECT_EQ(info.body["conference"], "mix");
  EXPECT_FALSE(info.body.value("title", "").empty()) << "the watch page's title";
  EXPECT_EQ(nobody.Call("GET", base + "info.json").status, 401);
  EXPECT_EQ(nobody.Call("GET", base + "index.m3u8?token=wrong").status, 401);
  EXPECT_EQ(nobody.Call("POST", base + "links").status, 401);
  EXPECT_EQ(technician.Call("GET", base + "links").status, 403) << "a host's";
  auto links = host.Call("GET", base + "links");
  ASSERT_EQ(links.body.size(), 1u) << links.text;
  EXPECT_FALSE(links.text.find(token) != std::string::npos) << "the token is shown once";
  const std::string link_url = base + "links/" + std::to_string(links.body[0]["id"].get<int64_t>());
  ASSERT_EQ(host.Call("DELETE", link_url).status, 200);
  EXPECT_EQ(nobody.Call("GET", base + "index.m3u8?token=" + token).status, 403);
  EXPECT_EQ(mcu.Log().find(token), std::string::npos) << "the token is in the MCU's log";

  ASSERT_EQ(host.Call("POST", "/api/v1/conferences/mix/stream/stop").status, 200);
  EXPECT_EQ(host.Call("GET", base + "index.m3u8").status, 404);
  auto audit = host.Call("GET", "/api/v1/audit?limit=20");
  std::set<std::string> actions;
  for (const auto& a : audit.body) actions.insert(a["action"].get<std::string>());
  for (const char* a : {"stream-start", "stream-stop", "stream-link-create", "stream-link-view",
                        "stream-link-revoke"})
    EXPECT_TRUE(actions.count(a)) << a << " is not audited: " << audit.text;
}

// With `[stream] format = "ts"` the stream is HLS that any player takes: version 3, MPEG-TS
// segments (no init segment) of the H.264 tier and the mix in AAC, each about 2 s and starting
// on a keyframe with the PAT and PMT, so that any one decodes alone; all of them in a row are
// the conference: the site's colour and tone.
TEST(LiveStream, AnMpegTsStreamIsHlsOfTheH264TierAndTheMixInAac) {
  McuOptions options;
  options.extra_toml = "[stream]\nformat = \"ts\"\n";
  McuProcess mcu(options);
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  const SiteSpec& s = kSites[0];
  auto room = ConnectedSite(mcu, s, "site1", "mix");
  ASSERT_TRUE(room);
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  const std::string base = "/api/v1/conferences/mix/stream/";
  ASSERT_EQ(host.Call("POST", "/api/v1/conferences/mix/stream/start").status, 200);
  std::string text;
  Playlist list;
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = host.Call("GET", base + "index.m3u8");
        text = r.text;
        list = ParsePlaylist(r.text);
        return r.status == 200 && list.segments.size() >= 3;
      },
      seconds(30), milliseconds(250)))
      << mcu.Log();
  EXPECT_NE(text.find("#EXT-X-VERSION:3\n"), std::string::npos) << text;
  EXPECT_EQ(list.init, "") << "MPEG-TS has no init segment: " << text;
  EXPECT_EQ(host.Call("GET", base + "init.ts").status, 404);
  EXPECT_EQ(host.Call("GET", base + "init.webm").status, 404);

  std::string all, last;
  double listed_s = 0;
  for (const auto& [uri, duration] : list.segments) {
    EXPECT_TRUE(uri.ends_with(".ts")) << uri;
    auto seg = host.Call("GET", base + uri);
    ASSERT_EQ(seg.status, 200) << uri;
    EXPECT_EQ(seg.content_type, "video/mp2t");
    ASSERT_EQ(seg.text.size() % 188, 0u) << uri << ": whole transport packets";
    EXPECT_EQ(seg.text[0], 0x47);
    EXPECT_EQ(seg.text.substr(1, 2), std::string("\x40\x00", 2)) << uri << " begins with the PAT";
    EXPECT_GE(duration, 1.9) << uri;
    EXPECT_LE(duration, 4.0) << uri << ": a keyframe is asked for every 2 s";
    all += seg.text;
    last = seg.text;
    listed_s += duration;
  }
  const std::filesystem::path dir = mcu.dir().path();
  std::ofstream(dir / "stream.ts", std::ios::binary) << all;
  EXPECT_NE(Probe((dir / "stream.ts").string()).find("video/mpegts"), std::string::npos)
      << Probe((dir / "stream.ts").string());
  Decoded d = Decode((dir / "stream.ts").string());
  ASSERT_FALSE(d.video_pts_us.empty()) << "no video decoded from the segments";
  const double video_s = (d.video_pts_us.back() - d.video_pts_us.front()) / 1e6;
  const double audio_s = double(d.audio.samples.size()) / 48000;
  std::cout << "MPEG-TS live stream: " << list.segments.size() << " segments listed, " << listed_s
            << " s; " << video_s << " s of video and " << audio_s << " s of audio decoded\n";
  EXPECT_NEAR(video_s, listed_s, 0.5);
  EXPECT_NEAR(audio_s, listed_s, 0.5);
  EXPECT_EQ(d.width, 1280);
  EXPECT_EQ(d.height, 720);
  EXPECT_GT(ColourShare(d, s.rgb), 0.5) << s.color << " is missing";
  EXPECT_GT(ToneShare(d.audio, s.tone), 0.05) << "the full mix holds the site's tone, in AAC";
  std::ofstream(dir / "last.ts", std::ios::binary) << last;
  Decoded one = Decode((dir / "last.ts").string());
  ASSERT_GE(one.video_pts_us.size(), 30u) << "the last segment does not decode alone";
  EXPECT_GT(ColourShare(one, s.rgb), 0.5);
  ASSERT_EQ(host.Call("POST", "/api/v1/conferences/mix/stream/stop").status, 200);
}

// A TCP port nobody listens on now.
uint16_t FreeTcpPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t n = sizeof a;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n) == 0;
  ::close(fd);
  return ok ? ntohs(a.sin_port) : 0;
}

// With [stream] rtmp_url the live stream is also pushed to a portal's RTMP server (ffmpeg
// listening, as a relay would, and writing what it receives): while the server is not there the
// push fails, the live view says so, the HLS stream goes on, and the push is tried again; once
// the server listens it receives FLV of the H.264 tier and the mix in AAC: the site's colour and
// tone. The URL's key never reaches the MCU's log.
TEST(LiveStream, IsPushedToAnRtmpServerOnceItListensWithoutDisturbingTheHlsStream) {
  const uint16_t port = FreeTcpPort();
  ASSERT_NE(port, 0);
  McuOptions options;
  options.extra_toml = "[stream]\nrtmp_url = \"rtmp://127.0.0.1:" + std::to_string(port) +
                       "/live/{conference}-s3cret\"\n";
  McuProcess mcu(options);
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  const SiteSpec& s = kSites[2];
  auto room = ConnectedSite(mcu, s, "site3", "mix");
  ASSERT_TRUE(room);
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  const std::string base = "/api/v1/conferences/mix/stream/";
  ASSERT_EQ(host.Call("POST", base + "start").status, 200);
  nlohmann::json stream;
  auto stream_is = [&](const char* rtmp) {
    return WaitUntil(
        [&] {
          stream = host.Call("GET", "/api/v1/conferences/mix").body["stream"];
          return stream.is_object() && stream["rtmp"] == rtmp;
        },
        seconds(30), milliseconds(200));
  };
  ASSERT_TRUE(stream_is("retrying")) << stream.dump() << mcu.Log();
  EXPECT_FALSE(stream["rtmpError"].get<std::string>().empty());
  ASSERT_TRUE(WaitUntil(
      [&] {
        return ParsePlaylist(host.Call("GET", base + "index.m3u8").text).segments.size() >= 2;
      },
      seconds(30), milliseconds(250)))
      << "the HLS stream goes on without the RTMP server";

  const std::filesystem::path flv = mcu.dir().path() / "pushed.flv";
  Process server({"/usr/bin/ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning", "-listen",
                  "1", "-i", "rtmp://127.0.0.1:" + std::to_string(port) + "/live/mix-s3cret", "-t",
                  "4", "-c", "copy", "-f", "flv", flv.string()},
                 (mcu.dir().path() / "ffmpeg.log").string());
  ASSERT_TRUE(stream_is("pushing")) << stream.dump() << mcu.Log();
  ASSERT_GE(server.Wait(seconds(40)), 0) << "ffmpeg did not take 4 s of it: " << server.Log();
  ASSERT_EQ(host.Call("POST", base + "stop").status, 200);
  Decoded d = Decode(flv.string());
  ASSERT_FALSE(d.video_pts_us.empty()) << "no video in what the RTMP server received";
  const double video_s = (d.video_pts_us.back() - d.video_pts_us.front()) / 1e6;
  const double audio_s = double(d.audio.samples.size()) / 48000;
  std::cout << "RTMP: the server received " << video_s << " s of video and " << audio_s
            << " s of audio\n";
  EXPECT_GE(video_s, 3.5);
  EXPECT_GE(audio_s, 3.5);
  EXPECT_EQ(d.width, 1280);
  EXPECT_GT(ColourShare(d, s.rgb), 0.5) << s.color << " is missing";
  EXPECT_GT(ToneShare(d.audio, s.tone), 0.05) << "the full mix holds the site's tone, in AAC";
  EXPECT_EQ(mcu.Log().find("s3cret"), std::string::npos) << "the RTMP key is in the MCU's log";
}

// The disk floor as the process reads it: a floor above what the disk has free refuses a
// recording with the reason, and the conference goes on (stopping one that runs is a unit test:
// BridgeControl.ARecordingStopsWithAnAlarmWhenItsDiskFillsAndNoneStartsBelowTheFloor).
TEST(Recording, NoneStartsWhenItsDiskIsBelowTheFloor) {
  McuOptions options;
  options.extra_toml = "[recording]\nmin_free_mb = 100000000\n";  // 100 TB.
  McuProcess mcu(options);
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  const SiteSpec& s = kSites[0];
  auto room = mcu.StartRoom("site1", {"--token", s.token, "--conference", "mix"});
  ASSERT_TRUE(WaitUntil([&] { return room->Log().find("media connected") != std::string::npos; },
                        seconds(20), milliseconds(20)))
      << room->Log();
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  auto start = host.Call("POST", "/api/v1/conferences/mix/recording/start");
  EXPECT_EQ(start.status, 409);
  EXPECT_NE(start.text.find("MB free for recordings"), std::string::npos) << start.text;
  EXPECT_NE(start.text.find("min_free_mb"), std::string::npos) << start.text;
  EXPECT_TRUE(host.Call("GET", "/api/v1/recordings").body.empty());
  EXPECT_TRUE(WaitUntil(
      [&] {
        const auto roll_call = host.Call("GET", "/api/v1/conferences/mix/roll-call");
        for (const auto& site : roll_call.body["sites"])
          if (site["state"] == "video") return true;
        return false;
      },
      seconds(10), milliseconds(200)))
      << "the conference goes on";
}

}  // namespace
}  // namespace mcu::test
