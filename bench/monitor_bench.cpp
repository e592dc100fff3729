// What the monitor costs the control thread each second, and what its history costs in memory:
// N participants of one mixing conference fed 600 seconds of counters (a 10-minute history, as
// the MCU keeps), with loss on one in four so that alarms are raised and cleared; per tick the
// work the bridge does: Sample, the stats event's JSON, the process reading.
//   build/bench/mcu-monitor-bench [--sites 22] [--seconds 600]
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "mcu/monitor.h"
#include "signaling/console_json.h"

namespace {

long RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int sites = 22, seconds = 600;
  CLI::App app{"Monitor cost per tick and per participant"};
  app.add_option("--sites", sites);
  app.add_option("--seconds", seconds);
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(
      spdlog::level::off);  // The alarm lines go to a terminal in the MCU; not measured here.

  auto dir =
      std::filesystem::temp_directory_path() / ("mcu-monitor-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto store = mcu::Store::Open((dir / "mcu.db").string());
  if (!store) return std::cerr << store.error() << "\n", 1;
  size_t event_bytes = 0, events = 0;
  mcu::Monitor monitor(mcu::AlarmThresholds{}, store->get(), [&](const mcu::ConsoleEvent& e) {
    event_bytes += mcu::signaling::ToJson(e).size(), ++events;
  });

  std::vector<mcu::Monitor::Member> members;
  mcu::RoomStats stats;
  for (int i = 0; i < sites; ++i) {
    members.push_back({mcu::ParticipantId(i + 1), "site-" + std::to_string(i + 1), false, true});
    mcu::ParticipantStats p;
    p.id = mcu::ParticipantId(i + 1);
    p.transport.ice_state = "connected", p.transport.dtls_state = "connected";
    p.transport.srtp_profile = "AES_CM_128_HMAC_SHA1_80";
    p.transport.local_candidate = "10.0.0.1:40000 host",
    p.transport.remote_candidate = "10.0.1.2:50000 host";
    p.video_codec_in = "VP8", p.video_codec_out = "VP8", p.width_in = 640, p.height_in = 360;
    p.width_out = 1280, p.height_out = 720, p.tier = 0;
    stats.participants.push_back(p);
  }
  stats.tiers = {{1280, 720, 1500, sites, 0, 0}, {640, 360, 600, 0, 0, 0}};

  long rss0 = RssKb();
  std::vector<double> tick_us;
  int64_t t0 = 1'700'000'000'000;
  for (int s = 0; s <= seconds; ++s) {
    for (int i = 0; i < sites; ++i) {
      auto& t = stats.participants[i].transport;
      bool lossy = i % 4 == 0 && (s / 30) % 2 == 1;  // 30 s lossy, 30 s clean.
      t.audio_in.packets += 50, t.audio_in.bytes += 4000;
      t.video_in.packets += lossy ? 95 : 100, t.video_in.bytes += 100000, t.video_in.frames += 30;
      t.video_in.lost += lossy ? 5 : 0, t.video_in.nacks += lossy ? 5 : 0;
      t.audio_out.packets += 50, t.audio_out.bytes += 4000;
      t.video_out.packets += 150, t.video_out.bytes += 187000, t.video_out.frames += 30;
      t.rtt_ms = 2 + (i % 3);
    }
    stats.tiers[0].frames += 30;
    auto a = std::chrono::steady_clock::now();
    monitor.Sample(t0 + s * 1000, "bench", members, stats);
    std::string event = monitor.ConferenceJson("bench").dump();
    monitor.SampleProcess(t0 + s * 1000, 1, sites);
    tick_us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count());
    event_bytes += event.size(), ++events;
  }
  long rss1 = RssKb();
  std::sort(tick_us.begin(), tick_us.end());
  auto pct = [&](double p) { return tick_us[static_cast<size_t>(p * (tick_us.size() - 1))]; };
  auto alarms = (*store)->Alarms("bench", false, 1000).size();
  nlohmann::json out = {{"sites", sites},
                        {"seconds", seconds},
                        {"tickUsP50", pct(0.5)},
                        {"tickUsP99", pct(0.99)},
                        {"tickUsMax", tick_us.back()},
                        {"cpuShareOfOneCorePct", pct(0.5) / 1e6 * 100},
                        {"historyKbPerSite", double(rss1 - rss0) / sites},
                        {"statsEventBytes", event_bytes / std::max<size_t>(1, events)},
                        {"alarmsStored", alarms}};
  std::cout << out.dump() << "\n";
  std::filesystem::remove_all(dir);
  return 0;
}
