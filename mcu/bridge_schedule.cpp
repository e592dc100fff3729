// The schedule's second (mcu/bridge.h, mcu/schedule.h): conferences open at start - lead and close
// after end + grace, idle invited rooms are called, links redial, every room's media is sampled
// for the monitor. Control executor only.
#include "mcu/bridge.h"

#include <tuple>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "mcu/bridge_detail.h"
#include "mcu/log.h"
#include "mcu/metrics.h"
#include "mcu/schedule.h"

namespace mcu {

using nlohmann::json;

// ----- Schedule -----------------------------------------------------------------------------

void Bridge::Tick() {
  if (control_.IsCurrent()) return RunSchedule();
  control_.Invoke([this] { RunSchedule(); });
}

void Bridge::RunSchedule() {
  MCU_DCHECK_RUN_ON(&control_);
  if (shut_down_) return;
  int64_t now = now_ms() / 1000;
  for (auto& [id, conf] : conferences_) {
    switch (Due(conf.row, now, options_.grace_s)) {
      case ScheduleAction::kOpen:
        Open(conf, "scheduler");
        break;
      case ScheduleAction::kClose:
        Close(conf, "scheduler", "the conference ended");
        break;
      case ScheduleAction::kNone:
        break;
    }
  }
  CallIdleSites(false);
  UpdateStandby();
  UpdateLinks(now_ms());
  UpdateSipCalls(now_ms());
  SampleMedia(now_ms());
  for (auto& [id, conf] : conferences_) TellLinks(conf);  // Roll-call summaries, once a second.
  CheckRecordings(now_ms());
  CheckPushes(now_ms());
}

void Bridge::Open(Conference& conf, const std::string& actor) {
  MCU_DCHECK_RUN_ON(&control_);
  LogScope scope(conf.row.id);
  conf.row.state = ConferenceState::kOpen;
  if (!conf.admitted.empty()) {  // Left from a run that never closed (the store says so at start).
    for (auto& [site, m] : conf.members_cfg)
      if (m.admitted) m.admitted = false, (void)store_->PutMember(m);
    conf.admitted.clear();
  }
  (void)Save(conf);
  spdlog::info("conference {} opens ({})", conf.row.id, actor);
  Audit(actor, "open", conf.row.id);
  Emit(console::ConferenceState{conf.row.id, ConferenceState::kOpen});
  for (auto& [id, c] : connections_) c.last_call_ms = 0;
  CallIdleSites(true);
  UpdateLinks(now_ms());     // Its links dial now,
  UpdateSipCalls(now_ms());  // and its SIP sites are called.
  if (conf.row.auto_record && !conf.recording)
    if (auto st = BeginRecording(conf, actor); !st)
      spdlog::error("conference {}: not recorded at its opening: {}", conf.row.id, st.error());
}

void Bridge::Close(Conference& conf, const std::string& actor, const std::string& reason) {
  MCU_DCHECK_RUN_ON(&control_);
  LogScope scope(conf.row.id);
  for (ParticipantId pid : Everyone(conf)) RemoveParticipant(pid, reason, true);
  EndRecording(conf, actor, "the conference closed");
  EndStream(conf, actor, "the conference closed");
  int64_t now = now_ms() / 1000;
  if (auto next = NextOccurrence(conf.row, now, options_.grace_s)) {
    conf.row.start_at = next->first;
    conf.row.end_at = next->second;
    conf.row.state = ConferenceState::kScheduled;
  } else {
    conf.row.state = ConferenceState::kEnded;
  }
  conf.row.locked = false;
  conf.row.spotlight.clear();
  conf.admitted.clear();
  (void)store_->ResetMembers(conf.row.id);
  for (auto it = conf.members_cfg.begin(); it != conf.members_cfg.end();) {
    if (!it->second.invited) {
      it = conf.members_cfg.erase(it);
      continue;
    }
    it->second.muted_audio = it->second.muted_video = it->second.kicked = it->second.admitted =
        false;
    ++it;
  }
  (void)Save(conf);
  spdlog::info("conference {} closes ({}): next {}", conf.row.id, actor,
               conf.row.state == ConferenceState::kEnded ? std::string("none")
                                                         : FormatTime(conf.row.start_at));
  Audit(actor, "close", conf.row.id, json{{"state", ToString(conf.row.state)}}.dump());
  UpdateLinks(now_ms());  // Its links hang up.
  monitor_->Closed(now_ms(), conf.row.id);
  Emit(console::ConferenceState{conf.row.id, conf.row.state});
}

void Bridge::CallIdleSites(bool now_all, const std::string& site) {
  MCU_DCHECK_RUN_ON(&control_);
  const int64_t now = now_ms();
  for (auto& [id, c] : connections_) {
    if (c.site_id.empty() || c.participant || (!site.empty() && c.site_id != site)) continue;
    if (!now_all && now - c.last_call_ms < options_.call_retry_s * 1000) continue;
    if (c.content_role) {
      // A site's content connection is called into the conference the site is in (unless a host
      // stopped it: sharing again opens a new connection).
      if (c.content_stopped) continue;
      Connection* main = ConnectionOf(c.site_id);
      if (!main || !main->participant) continue;
      const Conference& conf = conferences_[participants_[main->participant]->conference_id];
      c.last_call_ms = now;
      Send(c, "", event::Call{conf.row.id, conf.row.title});
      continue;
    }
    for (auto& [cid, conf] : conferences_) {
      // Only scheduled conferences call their rooms; permanent ones wait to be asked.
      if (conf.row.permanent() || !conf.open()) continue;
      auto m = conf.members_cfg.find(c.site_id);
      if (m == conf.members_cfg.end() || !m->second.invited) continue;
      if (RefusalOf(conf, c.site_id, c.sip_plain)) continue;
      c.last_call_ms = now;
      spdlog::info("calling site {} into conference {}", c.site_id, cid);
      Send(c, "", event::Call{cid, conf.row.title});
      break;
    }
  }
}

event::Standby Bridge::StandbyOf(const std::string& site) const {
  MCU_DCHECK_RUN_ON(&control_);
  event::Standby out;
  for (const auto& [cid, conf] : conferences_) {
    if (conf.row.permanent() || conf.row.state == ConferenceState::kEnded) continue;
    auto m = conf.members_cfg.find(site);
    if (m == conf.members_cfg.end() || !m->second.invited) continue;
    if (conf.open() && RefusalOf(conf, site)) continue;  // Removed by the host, or locked out.
    event::Standby::Next next{cid, conf.row.title, conf.row.start_at, conf.row.end_at, conf.open()};
    // An open conference first (the room is being called into it), then the earliest start.
    auto rank = [](const event::Standby::Next& n) {
      return std::tuple(!n.open, n.start_at, n.conference_id);
    };
    if (!out.next || rank(next) < rank(*out.next)) out.next = std::move(next);
  }
  return out;
}

void Bridge::UpdateStandby() {
  MCU_DCHECK_RUN_ON(&control_);
  for (auto& [id, c] : connections_) {
    if (c.site_id.empty() || c.content_role) continue;
    event::Standby standby = StandbyOf(c.site_id);
    if (c.standby == standby) continue;
    c.standby = standby;
    Send(c, "", std::move(standby));
  }
}

void Bridge::SampleMedia(int64_t now) {
  MCU_DCHECK_RUN_ON(&control_);
  int open = 0;
  size_t in = 0;  // Sites' participants (previews are not counted).
  for (auto& [id, conf] : conferences_) {
    if (conf.open()) ++open;
    in += conf.members.size();
    if (conf.room && !conf.members.empty()) {
      std::vector<Monitor::Member> members;
      for (const auto& [pid, p] : conf.members)
        members.push_back(
            {pid, p->site_id, p->content, p->media_status == MediaStatus::kConnected});
      monitor_->Sample(now, id, members, conf.room->Stats());
      for (auto& [pid, p] : conf.members) {
        if (monitor_->Flowing(pid, false)) p->audio_seen_ms = now;
        if (monitor_->Flowing(pid, true)) p->video_seen_ms = now;
      }
      if (event_sink_) Emit(console::Stats{id, monitor_->ConferenceJson(id).dump()});
    }
    if (conf.open()) {
      const SiteCounts n = CountSites(conf);
      monitor_->metrics().SetConferenceSites(id, n.expected, n.connected, n.video);
    }
    // Invited sites not connected to the MCU, once a scheduled conference has opened (its start
    // minus its lead time): a warning until its start, critical after.
    if (conf.row.permanent() || !conf.open()) continue;
    for (const auto& [site, m] : conf.members_cfg) {
      if (!m.invited) continue;
      std::optional<Severity> offline;  // A kicked site is not expected: its alarm clears.
      if (!m.kicked && !Online(site))
        offline = now / 1000 >= conf.row.start_at ? Severity::kCritical : Severity::kWarning;
      monitor_->Offline(now, id, site, offline);
      // What its room reported missing (camera, microphone, loudspeaker).
      std::optional<std::string> missing;
      if (const Connection* main = m.kicked ? nullptr : ConnectionOf(site); main && main->devices) {
        std::string what;
        for (auto [name, state] : {std::pair{"camera", main->devices->camera},
                                   std::pair{"microphone", main->devices->microphone},
                                   std::pair{"loudspeaker", main->devices->speaker}})
          if (state == DeviceState::kMissing)
            what += (what.empty() ? "" : ", ") + std::string(name);
        if (!what.empty()) missing = what;
      }
      monitor_->Devices(now, id, site, missing);
    }
  }
  monitor_->SampleProcess(now, open, static_cast<int>(in), config_.server.data_dir);
}

}  // namespace mcu
