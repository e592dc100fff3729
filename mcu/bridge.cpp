// The bridge's construction, shutdown and the helpers its parts share (mcu/bridge.h). The parts:
// bridge_sessions.cpp (endpoint connections and media reports), bridge_schedule.cpp (opening,
// closing, calling, sampling), bridge_control.cpp (the hosts' commands), bridge_live.cpp (live
// views), bridge_links.cpp (cascade links this MCU dials).
#include "mcu/bridge.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <pthread.h>
#include "mcu/bridge_detail.h"
#include "mcu/log.h"

namespace mcu {

using detail::ToLayoutKind;
using nlohmann::json;

Bridge::Bridge(const Config& config, Store* store, MediaEngine* media, const Options& options)
    : config_(config),
      store_(store),
      media_(media),
      options_(options),
      clock_source_(options.clock ? options.clock : &SystemClock()) {
  const Config::Alarms& a = config_.alarms;
  monitor_ = std::make_unique<Monitor>(AlarmThresholds{a.loss_warning_pct, a.loss_critical_pct,
                                                       a.no_media_s, a.rtt_ms, a.clear_after_s},
                                       store_, [this](const ConsoleEvent& event) { Emit(event); });
  if (auto id = store_->McuId())
    mcu_id_ = *id;
  else
    spdlog::error("no identity for this MCU ({}): its links cannot detect loops", id.error());
  for (auto& s : store_->Sites()) sites_[s.id] = s;
  for (auto& c : store_->Conferences()) {
    Conference& conf = conferences_[c.id];
    conf.row = c;
    for (auto& m : store_->Members(c.id)) {
      conf.members_cfg[m.site_id] = m;
      if (m.admitted) conf.admitted.insert(m.site_id);
    }
  }
  // Whoever was in a call when the process ended left it then.
  (void)store_->CloseOpenCallRecords(now_ms(), "mcu restarted");
  control_.Invoke([this] {
    InterruptOpenRecordings();
    // A conference recorded whenever it opens, open across the restart, is recorded again.
    for (auto& [id, conf] : conferences_)
      if (conf.open() && conf.row.auto_record)
        if (auto st = BeginRecording(conf, "scheduler"); !st)
          spdlog::error("conference {}: not recorded again: {}", id, st.error());
  });
  if (options_.run_clock) {
    clock_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "mcu-clock");
      std::unique_lock lock(clock_mu_);
      while (!clock_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return clock_stop_; }))
        control_.Post([this] { RunSchedule(); });
    });
  }
}

Bridge::~Bridge() { Shutdown(); }

void Bridge::Shutdown() {
  {
    std::lock_guard lock(clock_mu_);
    clock_stop_ = true;
  }
  clock_cv_.notify_all();
  if (clock_.joinable()) clock_.join();
  if (control_.IsCurrent()) return;
  control_.Invoke([this] {
    if (shut_down_) return;
    shut_down_ = true;
    for (auto& [id, c] : connections_) c.link->Close("server shutting down");
    for (auto& [site, link] : links_)
      if (link.out) link.out->Close();
    links_.clear();
    for (auto& [id, p] : participants_) {
      CallQuality q = monitor_->Left(now_ms(), id, p->conference_id, p->site_id);
      if (p->call_record) (void)store_->CloseCallRecord(p->call_record, now_ms(), "mcu stopped", q);
    }
    connections_.clear();
    participants_.clear();  // Media endpoints close their transports.
    for (auto& [id, conf] : conferences_) {
      conf.members.clear();
      conf.watchers.clear();
      EndRecording(conf, "mcu", "mcu stopped");  // Its file is finished before the room goes.
      EndStream(conf, "mcu", "mcu stopped");
      conf.room.reset();
    }
  });
}

void Bridge::Flush() {
  control_.Invoke([] {});
}

Bridge::Counts Bridge::counts() {
  Counts n;
  control_.Invoke([&] {
    n.connections = connections_.size();
    for (auto& [id, c] : connections_) n.authenticated += !c.site_id.empty();
    n.participants = participants_.size();
  });
  return n;
}

bool Bridge::Ready() {
  bool ready = false;
  control_.Invoke([&] { ready = !shut_down_; });
  return ready;
}

// ----- Live control -----------------------------------------------------------------------------

Expected<Bridge::Conference*> Bridge::Find(const std::string& id) {
  MCU_DCHECK_RUN_ON(&control_);
  auto it = conferences_.find(id);
  if (it == conferences_.end())
    return MakeError(ErrorKind::kNotFound, "no conference '" + id + "'");
  return &it->second;
}

MemberRow& Bridge::MemberOf(Conference& conf, const std::string& site) {
  MemberRow& m = conf.members_cfg[site];
  if (m.site_id.empty())
    m = MemberRow{conf.row.id, site, false, false, false, false};  // Not invited.
  return m;
}

Bridge::Connection* Bridge::ConnectionOf(const std::string& site) {
  for (auto& [id, c] : connections_)
    if (c.site_id == site && !c.content_role) return &c;
  return nullptr;
}

ParticipantId Bridge::MainParticipant(const Conference& conf, const std::string& site) const {
  for (const auto& [pid, p] : conf.members)
    if (p->site_id == site && !p->content) return pid;
  return 0;
}

void Bridge::ApplyMutes(Conference& conf, const std::string& site) {
  MCU_DCHECK_RUN_ON(&control_);
  if (!conf.room) return;
  auto m = conf.members_cfg.find(site);
  bool audio = m != conf.members_cfg.end() && m->second.muted_audio;
  bool video = m != conf.members_cfg.end() && m->second.muted_video;
  ParticipantId pid = MainParticipant(conf, site);
  if (!pid) return;
  conf.room->SetMuted(pid, audio, video);
  // The site is told (a cascade link shows its own conference that the other one muted it).
  auto c = connections_.find(participants_[pid]->connection);
  if (c != connections_.end()) Send(c->second, "", event::Muted{audio, video});
  TellLinks(conf);  // A child's link hears it in its `link`, whichever side dialled.
}

void Bridge::ApplyLayout(Conference& conf) {
  MCU_DCHECK_RUN_ON(&control_);
  if (!conf.room) return;
  conf.room->SetLayout(ToLayoutKind(conf.row.layout), MainParticipant(conf, conf.row.spotlight));
  TellLinks(conf);  // A parent's layout and spotlight reach its children.
}

Status Bridge::Save(Conference& conf) {
  MCU_DCHECK_RUN_ON(&control_);
  auto st = store_->UpdateConference(conf.row);
  if (!st) spdlog::error("conference {}: cannot save: {}", conf.row.id, st.error());
  return st;
}

void Bridge::Audit(const std::string& actor, const std::string& action, const std::string& target,
                   const std::string& detail_json) {
  MCU_DCHECK_RUN_ON(&control_);
  if (auto st = store_->Audit(actor, action, target, detail_json); !st)
    spdlog::error("audit log: {}", st.error());
  Emit(console::Control{actor, action, target, detail_json});
}

void Bridge::Record(const std::string& actor, const std::string& action, const std::string& target,
                    const std::string& detail_json) {
  control_.Invoke([&] { Audit(actor, action, target, detail_json); });
}

void Bridge::Emit(const ConsoleEvent& event) {
  MCU_DCHECK_RUN_ON(&control_);
  if (event_sink_) event_sink_(event);
}

}  // namespace mcu
