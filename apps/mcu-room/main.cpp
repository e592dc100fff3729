// mcu-room: the room endpoint. Connects to the MCU with its room token and stays connected; joins
// the conference the MCU calls it into (or the one given with --conference), sends
// camera and microphone (or a tone and a colour), and comes back by itself after any drop.
// For tests and checks it can keep what it receives: a PNG of a frame and a WAV of some seconds.
#include <glib-unix.h>
#include <gst/gst.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/mcu-room/devices.h"
#include "apps/mcu-room/key_input.h"
#include "apps/mcu-room/room_client.h"
#include "apps/mcu-room/screen_text.h"
#include "apps/mcu-room/standby_screen.h"
#include "media/gobject_ptr.h"

namespace {

GMainLoop* g_loop = nullptr;

bool CheckPlugins(std::string* missing) {
  const char* needed[] = {"webrtcbin",   "nicesrc",    "dtlssrtpenc",  "srtpenc",
                          "rtpvp8pay",   "vp8enc",     "vp8dec",       "opusenc",
                          "opusdec",     "rtpopuspay", "videotestsrc", "audiotestsrc",
                          "textoverlay", "appsink",    "decodebin",    "pngenc"};
  for (const char* n : needed) {
    if (!mcu::media::GRef<GstElementFactory>::Adopt(gst_element_factory_find(n)))
      *missing += std::string(missing->empty() ? "" : ", ") + n;
  }
  return missing->empty();
}

// The token kept in a file (the config's `token-file`): its first line. A file others may read
// is used but warned about.
bool ReadTokenFile(const std::string& path, std::string* token) {
  std::ifstream in(path);
  if (!in || !std::getline(in, *token)) return false;
  while (!token->empty() && (token->back() == '\r' || token->back() == ' ')) token->pop_back();
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && (st.st_mode & 077))
    spdlog::warn("{} can be read by other users: chmod 600 it", path);
  return !token->empty();
}

nlohmann::json Percentiles(std::vector<double> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))]; };
  return {{"p50", at(0.5)}, {"p95", at(0.95)}, {"n", v.size()}};
}

// What the room shows and knows, for tests and for a technician at the room (--status-file).
nlohmann::json StatusJson(const mcu::room::RoomStatus& s, const mcu::room::StandbyText& text,
                          const std::string& status_line, bool standby_shown) {
  using mcu::room::RoomStatus;
  nlohmann::json next = nullptr;
  if (s.next)
    next = {{"conference", s.next->conference_id},
            {"title", s.next->title},
            {"startsAt", s.next->start_at},
            {"endsAt", s.next->end_at},
            {"open", s.next->open}};
  const char* link = s.link == RoomStatus::Link::kOnline         ? "online"
                     : s.link == RoomStatus::Link::kReconnecting ? "reconnecting"
                                                                 : "connecting";
  return {{"screen", s.in_conference() ? "conference" : "standby"},
          {"standbyShown", standby_shown},
          {"link", link},
          {"site", {{"id", s.site_id}, {"name", s.site_name}}},
          {"next", next},
          {"conference", s.conference_id},
          {"mediaConnected", s.media_connected},
          {"standbyTitle", text.title},
          {"standbyLines", text.lines},
          {"statusLine", status_line},
          {"hostMutedAudio", s.host_muted_audio},
          {"micMuted", s.mic_muted},
          {"sharing", s.sharing},
          {"lossPct", s.loss_pct},
          {"devices",
           {{"camera", ToString(s.devices.camera)},
            {"microphone", ToString(s.devices.microphone)},
            {"speaker", ToString(s.devices.speaker)}}}};
}

// Written whole to a temporary file and renamed: a reader never sees half of it.
void WriteStatusFile(const std::string& path, const nlohmann::json& j) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out) return;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
}

int Run(int argc, char** argv) {
  gst_init(&argc, &argv);
  CLI::App app{"mcu-room: the room endpoint of the MCU"};
  // Every long option may be written in the file as `name = value` (TOML); the command line
  // wins. configs/mcu-room.example.toml is a commented example.
  app.set_config("--config", "/etc/mcu-room.toml",
                 "Read options from this TOML file (each key is a long option's name)")
      ->capture_default_str();
  app.allow_config_extras(CLI::config_extras_mode::error);  // A misspelt key is an error.
  mcu::room::ClientOptions client;
  mcu::room::MediaOptions media;
  std::string color = "2060c0";
  std::string snapshot, wav;
  double snapshot_at = 3, record_after = 1, record_seconds = 3, exit_after = 0, stats_interval = 0;
  bool verbose = false;
  // Required to connect; --list-devices alone needs no MCU.
  auto* url = app.add_option("--url", client.wss.url,
                             "MCU endpoint URL, e.g. wss://mcu.local:8443/ws (required)");
  app.add_option("--token", client.token, "Room token (or env MCU_ROOM_TOKEN)")
      ->envname("MCU_ROOM_TOKEN");
  std::string token_file;
  app.add_option("--token-file", token_file,
                 "Read the room token from this file's first line (mode 600: it is a secret)");
  std::string language = "vi";
  app.add_option("--language", language, "Language of the screen: vi | en")
      ->check(CLI::IsMember({"vi", "en"}))
      ->capture_default_str();
  std::string status_file;
  app.add_option("--status-file", status_file,
                 "Keep what the room shows and knows here (JSON, rewritten on each change)");
  app.add_option("--conference", client.conference,
                 "Join this conference at once (default: wait until the MCU calls the room in)");
  app.add_flag("--content", client.content,
               "Share content: send this video as the site's slides/screen (the site's room must "
               "be in a conference)");
  app.add_option("--max-kbps", client.max_kbps,
                 "Receive bandwidth to declare (picks the composite tier)");
  app.add_option("--ca", client.wss.ca_file,
                 "Trust this CA/certificate PEM (e.g. the MCU's tls-cert.pem)");
  app.add_option("--pin", client.wss.pin_sha256,
                 "Pin the MCU's TLS certificate SHA-256 fingerprint");
  app.add_flag("--insecure", client.wss.insecure, "Accept any MCU certificate (testing only)");
  app.add_option("--name", media.site_name, "Name drawn on the outgoing video");
  app.add_option("--ice-address", media.ice_addresses,
                 "Local address for media (repeatable; default: every interface but loopback)");
  app.add_option("--codec", media.codec, "Video codec to send: vp8 | h264")
      ->check(CLI::IsMember({"vp8", "h264"}))
      ->capture_default_str();
  app.add_option("--camera", media.camera, "V4L2 camera device (default: synthetic video)");
  std::string keys_device;
  app.add_option("--keys-device", keys_device,
                 "Read the room's keys (M: microphone, C: content) from this evdev device, e.g. "
                 "a USB presenter's /dev/input/by-id/...-event-kbd (with KMS there is no window)");
  app.add_option("--content-camera", client.content_camera,
                 "Content input shared with the C key (an HDMI capture's V4L2 device; test: a test "
                 "pattern)");
  app.add_flag("--mic", media.microphone, "Send the microphone (default: a sine tone)");
  app.add_option("--mic-device", media.mic_device,
                 "PulseAudio source to use as the microphone (implies --mic)");
  media.display = "auto";
  media.speaker = "auto";
  app.add_option("--display", media.display,
                 "Where the composite is shown: auto | kms | x | gl | none (auto: the desktop "
                 "session's window, or the screen through KMS without one)")
      ->check(CLI::IsMember({"auto", "kms", "x", "gl", "none"}))
      ->capture_default_str();
  app.add_option("--speaker", media.speaker,
                 "Where the mix is played: auto | pulse | alsa | none (auto: PulseAudio or "
                 "PipeWire if running, else the first ALSA card)")
      ->check(CLI::IsMember({"auto", "pulse", "alsa", "none"}))
      ->capture_default_str();
  app.add_option("--speaker-device", media.speaker_device,
                 "PulseAudio sink or ALSA device for the mix (default: the system's)");
  app.add_flag("--echo-cancel,!--no-echo-cancel", media.echo_cancel,
               "Cancel the loudspeakers' echo in the microphone (on by default)");
  app.add_flag("--noise-suppression,!--no-noise-suppression", media.noise_suppression,
               "Suppress the room's noise in the microphone (on by default)");
  app.add_flag("--gain-control,!--no-gain-control", media.gain_control,
               "Keep the microphone's level steady (on by default)");
  bool no_device_check = false;
  app.add_flag("--no-device-check", no_device_check,
               "Do not check the camera, microphone and loudspeakers before joining");
  app.add_option("--tone", media.tone_hz, "Tone frequency in Hz")->capture_default_str();
  app.add_option("--color", color, "Solid video colour, RRGGBB hex")->capture_default_str();
  app.add_option("--pattern", media.pattern, "solid | smpte | ball")->capture_default_str();
  app.add_option("--width", media.width)->capture_default_str();
  app.add_option("--height", media.height)->capture_default_str();
  app.add_option("--fps", media.fps)->capture_default_str();
  app.add_option("--snapshot", snapshot, "Save a received frame as PNG here");
  app.add_option("--snapshot-at", snapshot_at, "... this many seconds after media connects")
      ->capture_default_str();
  app.add_option("--record", wav, "Save received audio as WAV here");
  app.add_option("--record-after", record_after,
                 "... starting this many seconds after media connects")
      ->capture_default_str();
  app.add_option("--record-seconds", record_seconds, "... for this many seconds")
      ->capture_default_str();
  int captures_after_sites = 0;
  app.add_option("--captures-after-sites", captures_after_sites,
                 "Count --snapshot-at and --record-after from when the conference first has this "
                 "many sites with media connected (this one included), not from this room's "
                 "media alone");
  app.add_option("--exit-after", exit_after,
                 "Exit after this many seconds (0: run until stopped), once the --snapshot and "
                 "--record asked for are saved (at the latest 30 s later)");
  app.add_option("--stats-interval", stats_interval,
                 "Print webrtcbin statistics and ask the MCU for its own every N seconds");
  app.add_flag("-v,--verbose", verbose);
  bool list_devices = false;
  app.add_flag("--list-devices", list_devices,
               "Print the cameras, microphones and loudspeakers, with the names the options take");
  CLI11_PARSE(app, argc, argv);
  if (list_devices) {
    std::cout << mcu::room::FormatDevices(mcu::room::ListDevices());
    return 0;
  }
  if (url->count() == 0) {
    std::cerr << "--url is required\n";
    return 2;
  }
  media.color = static_cast<uint32_t>(std::stoul(color, nullptr, 16));
  media.microphone |= !media.mic_device.empty();
  media.display = mcu::room::ResolveDisplay(media.display);
  // Full screen under X: the composite and the standby screen take the screen's size.
  if (media.display == "x" || media.display == "gl")
    mcu::room::XScreenSize(&media.screen_width, &media.screen_height);
  client.speaker_requested = media.speaker != "none";
  media.speaker = mcu::room::ResolveSpeaker(media.speaker);
  client.verbose = verbose;
  client.language = *mcu::room::ParseLanguage(language);
  client.check_devices = !no_device_check;
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  spdlog::set_pattern("%H:%M:%S.%e %^%-5l%$ [room] %v");
  if (client.wss.insecure)
    spdlog::warn(
        "--insecure: the MCU's certificate is NOT checked. Anyone on the network path can pose as "
        "the MCU and take this room's token, its picture and its sound. For tests only: give "
        "--ca or --pin instead.");
  if (!token_file.empty() && client.token.empty() && !ReadTokenFile(token_file, &client.token)) {
    std::cerr << "cannot read a token from " << token_file << "\n";
    return 2;
  }
  if (client.token.empty()) {
    std::cerr << "a room token is required (--token, --token-file or MCU_ROOM_TOKEN)\n";
    return 2;
  }
  std::string missing;
  if (!CheckPlugins(&missing)) {
    std::cerr
        << "missing GStreamer plugins: " << missing
        << " (install gstreamer1.0-plugins-{base,good,bad}, gstreamer1.0-nice, gstreamer1.0-x)\n";
    return 2;
  }
  spdlog::info("composite on the display: {}{}; mix on the loudspeakers: {}{}; microphone: {}",
               media.display,
               media.screen_width > 0
                   ? fmt::format(" ({}x{})", media.screen_width, media.screen_height)
                   : std::string(),
               media.speaker, media.speaker_device.empty() ? "" : " (" + media.speaker_device + ")",
               !media.microphone
                   ? std::string("a test tone")
                   : std::string(media.mic_device.empty() ? "default" : media.mic_device) +
                         (media.echo_cancel && media.speaker != "none" ? ", echo cancelled"
                                                                       : ", no echo cancellation"));

  auto loop = mcu::media::GRef<GMainLoop>::Adopt(g_main_loop_new(nullptr, FALSE));
  g_loop = loop.get();
  for (int sig : {SIGINT, SIGTERM}) {
    g_unix_signal_add(
        sig,
        +[](gpointer) noexcept -> gboolean {
          g_main_loop_quit(g_loop);
          return G_SOURCE_REMOVE;
        },
        nullptr);
  }

  mcu::room::RoomClient room(client, media);
  // The standby screen while the room is in no conference (a content sender has none).
  std::unique_ptr<mcu::room::StandbyScreen> standby;
  if (media.display != "none" && !client.content)
    standby = std::make_unique<mcu::room::StandbyScreen>(
        media.display, media.screen_width > 0 ? media.screen_width : 1280,
        media.screen_height > 0 ? media.screen_height : 720);
  nlohmann::json last_status;
  auto show = [&](const mcu::room::RoomStatus& s) {
    auto text = mcu::room::MakeStandbyText(s, client.language, std::time(nullptr));
    if (text.title.empty()) text.title = media.site_name;
    if (standby) {
      standby->SetText(text.title, text.lines);
      if (s.in_conference())
        standby->Hide();
      else
        standby->Show();
    }
    if (!status_file.empty()) {
      auto j = StatusJson(s, text, mcu::room::MakeStatusLine(s, client.language),
                          standby && standby->shown());
      if (j != last_status) WriteStatusFile(status_file, last_status = j);
    }
  };
  room.SetStatusListener(show);
  room.Start();
  std::unique_ptr<mcu::room::KeyInput> keys;
  if (!keys_device.empty())
    keys = std::make_unique<mcu::room::KeyInput>(
        keys_device, [&room](const std::string& key) { room.OnKey(key); });

  // Checks and captures, relative to when media first connects (with --captures-after-sites,
  // and the conference first has that many sites with media).
  constexpr double kCaptureGraceS = 30;
  struct State {
    mcu::room::RoomClient* room = nullptr;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::time_point> connected;
    bool snapshot_done = false, record_started = false, record_done = false;
    double last_stats = 0, last_screen = 0;
    int exit_code = 0;
  } st;
  st.room = &room;
  auto tick = [&]() -> bool {
    using namespace std::chrono;
    auto now = steady_clock::now();
    double since_start = duration<double>(now - st.start).count();
    if (room.media_connected() && !st.connected && room.sites_with_media() >= captures_after_sites)
      st.connected = now;
    if (st.connected && room.media()) {
      double since = duration<double>(now - *st.connected).count();
      std::string error;
      if (!snapshot.empty() && !st.snapshot_done && since >= snapshot_at) {
        if (room.media()->SavePng(snapshot, &error)) {
          st.snapshot_done = true;
          spdlog::info("saved {}", snapshot);
        }
      }
      if (!wav.empty() && !st.record_started && since >= record_after) {
        room.media()->StartAudioRecording(record_seconds);
        st.record_started = true;
      }
      if (st.record_started && !st.record_done && room.media()->AudioRecordingDone()) {
        if (room.media()->SaveWav(wav, &error))
          spdlog::info("saved {}", wav);
        else
          spdlog::error("{}", error);
        st.record_done = true;
      }
      if (stats_interval > 0 && since_start - st.last_stats >= stats_interval) {
        st.last_stats = since_start;
        room.RequestServerStats();
        auto c = room.media()->counters();
        room.media()->RequestStats([c](const std::string& s) {
          spdlog::info("stats: received video {} frames {}x{}, audio {:.1f} s;{}", c.video_frames,
                       c.video_width, c.video_height, c.audio_samples / 48000.0, s);
        });
      }
    }
    if (since_start - st.last_screen >= 30) {  // "today" on the standby screen turns over.
      st.last_screen = since_start;
      show(room.status());
    }
    // A slow start (a loaded machine, a sanitizer build) delays the captures, not cuts them.
    bool captured = (snapshot.empty() || st.snapshot_done) && (wav.empty() || st.record_done);
    if (exit_after > 0 && since_start >= exit_after &&
        (captured || since_start >= exit_after + kCaptureGraceS)) {
      g_main_loop_quit(g_loop);
      return false;
    }
    return true;
  };
  auto* tick_fn = new std::function<bool()>(tick);
  g_timeout_add_full(
      G_PRIORITY_DEFAULT, 100,
      +[](gpointer p) noexcept -> gboolean {
        return (*static_cast<std::function<bool()>*>(p))() ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
      },
      tick_fn, +[](gpointer p) noexcept { delete static_cast<std::function<bool()>*>(p); });

  g_main_loop_run(g_loop);

  // A summary line for scripts and tests.
  mcu::room::ReceivedCounters c;
  mcu::room::PlayoutDelays delays;
  if (room.media()) c = room.media()->counters(), delays = room.media()->playout_delays();
  nlohmann::json summary = {
      {"mediaConnected", room.media_connected()},
      {"joins", room.connections()},
      {"videoFrames", c.video_frames},
      {"videoWidth", c.video_width},
      {"videoHeight", c.video_height},
      {"audioSeconds", c.audio_samples / 48000.0},
      {"snapshot", st.snapshot_done},
      {"recording", st.record_done},
      {"sendWidth", room.media() ? room.media()->send_width() : 0},
      {"sendHeight", room.media() ? room.media()->send_height() : 0},
      {"decodedDelayMs", Percentiles(delays.decoded_ms)},
      {"displayDelayMs", Percentiles(delays.display_ms)},
      {"speakerDelayMs", Percentiles(delays.speaker_ms)},
      {"pipelineLatencyMs", delays.pipeline_latency_ms},
      {"mcuStats", room.server_stats().empty() ? nlohmann::json(nullptr)
                                               : nlohmann::json::parse(room.server_stats())}};
  std::cout << "SUMMARY " << summary.dump() << std::endl;
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    // Nothing below should throw; if something does, say what before the process ends.
    spdlog::critical("mcu-room stops on an unexpected exception: {}", e.what());
  } catch (...) {
    spdlog::critical("mcu-room stops on an unexpected exception");
  }
  return 70;  // EX_SOFTWARE
}
