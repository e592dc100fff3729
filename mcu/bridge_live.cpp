// Live views (mcu/bridge.h): the roll-call of each conference, who is where, live statistics and a
// site's health history. Read on the control executor.
#include "mcu/bridge.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "mcu/bridge_detail.h"
#include "mcu/log.h"

namespace mcu {

using detail::kFlowWindowMs;
using detail::Pid;
using nlohmann::json;

LiveConference Bridge::Live(const Conference& conf) {
  MCU_DCHECK_RUN_ON(&control_);
  LiveConference out;
  out.row = conf.row;
  int64_t now = now_ms();
  std::vector<std::string> order = conf.row.invited;
  for (const auto& [pid, p] : conf.members)
    if (std::find(order.begin(), order.end(), p->site_id) == order.end())
      order.push_back(p->site_id);
  for (const auto& site : order) {
    LiveSite s;
    s.site_id = site;
    s.name = sites_.count(site) ? sites_[site].name : site;
    if (auto m = conf.members_cfg.find(site); m != conf.members_cfg.end()) {
      s.invited = m->second.invited;
      s.muted_audio = m->second.muted_audio;
      s.muted_video = m->second.muted_video;
      s.kicked = m->second.kicked;
    }
    if (auto l = links_.find(site); l != links_.end()) {
      const Link& link = l->second;
      s.link = LiveSite::Link{.state = link.state,
                              .detail = link.detail,
                              .remote_title = link.remote_title,
                              .remote_speaker = link.far.speaker,
                              .muted_audio = link.remote_muted_audio ||
                                             (link.far.control && link.far.control->muted_audio),
                              .muted_video = link.remote_muted_video ||
                                             (link.far.control && link.far.control->muted_video),
                              .attempts = link.attempts,
                              .failure = link.failure,
                              .role = LinkRole(link.target)};
      if (!link.far.role.empty()) s.link->remote = link.far;
    } else if (IsLinkSite(site)) {
      // Another MCU's link that this MCU accepts: in the conference, connected, or refused as a
      // loop.
      LiveSite::Link accepted{.role = LinkRole(sites_[site].link)};
      Participant* in = SiteParticipant(site);
      if (in && in->conference_id == conf.row.id) {
        const LinkSide& far = in->far_side;
        accepted.state = LinkState::kJoined;
        accepted.remote_title = far.title;
        accepted.remote_speaker = far.speaker;
        accepted.muted_audio = far.control && far.control->muted_audio;
        accepted.muted_video = far.control && far.control->muted_video;
        if (!far.role.empty()) accepted.remote = far;
      } else if (ConnectionOf(site)) {
        accepted.state = LinkState::kOnline;
      }
      if (auto loop = conf.loops.find(site); loop != conf.loops.end())
        accepted.state = LinkState::kRefused, accepted.detail = loop->second,
        accepted.failure = "loop";
      // Nothing to say of a link the other MCU has not dialled (this side never calls it).
      if (accepted.state != LinkState::kIdle) s.link = accepted;
    }
    if (auto c = sip_calls_.find(site);
        c != sip_calls_.end() && c->second.state != LinkState::kIdle) {
      const SipCall& call = c->second;
      s.link =
          LiveSite::Link{.state = call.state, .detail = call.detail, .attempts = call.attempts};
    }
    if (Online(site)) {
      s.state = SiteStatus::kOnline;
      if (const Connection* main = ConnectionOf(site)) {
        s.devices = main->devices;
        s.signalling = main->sip_signalling;
      }
      if (Participant* in = SiteParticipant(site)) {
        Participant& p = *in;
        if (p.conference_id != conf.row.id) {
          s.elsewhere = p.conference_id;
        } else {
          s.participant_id = Pid(p.id);
          s.protection = p.protection;
          s.state = SiteStatus::kJoined;
          bool audio = p.audio_seen_ms && now - p.audio_seen_ms < kFlowWindowMs;
          bool video = p.video_seen_ms && now - p.video_seen_ms < kFlowWindowMs;
          if (audio) s.state = video ? SiteStatus::kVideo : SiteStatus::kAudio;
          s.speaking = conf.speaker == p.id;
          for (const auto& [cid, other] : connections_)
            s.content |= other.content_role && other.site_id == site && other.participant &&
                         participants_[other.participant]->conference_id == conf.row.id;
        }
      }
    }
    if (conf.speaker && participants_.count(conf.speaker) &&
        participants_[conf.speaker]->site_id == site)
      out.speaker = site;
    out.sites.push_back(std::move(s));
  }
  out.viewers = Viewers(conf);
  if (conf.recording)
    out.recording = LiveConference::Recording{
        conf.recording_row.id, conf.recording_row.file, conf.recording_row.started_by,
        conf.recording_row.started_at_ms, conf.recording->Progress()};
  out.recordable =
      conf.row.mode != "echo" && (!conf.row.classified || config_.recording.classified);
  if (conf.stream)
    out.stream = LiveConference::Stream{
        conf.stream_by, conf.stream_since_ms, conf.stream->Progress(),
        conf.push ? "pushing" : (conf.push_retry_ms ? "retrying" : ""), conf.push_error};
  return out;
}

std::vector<std::string> Bridge::Viewers(const Conference& conf) {
  std::vector<std::string> out;
  for (const auto& [pid, p] : conf.watchers) out.push_back(p->watcher);
  return out;
}

std::vector<LiveConference> Bridge::LiveConferences() {
  std::vector<LiveConference> out;
  control_.Invoke([&] {
    for (auto& [id, conf] : conferences_) out.push_back(Live(conf));
  });
  return out;
}

std::map<std::string, std::string> Bridge::Presence() {
  std::map<std::string, std::string> out;
  control_.Invoke([&] {
    for (const auto& [id, c] : connections_) {
      if (c.site_id.empty() || c.content_role) continue;
      out[c.site_id] = c.participant ? participants_[c.participant]->conference_id : "";
    }
    for (const auto& [site, link] : links_)
      if (Online(site))
        out[site] = link.participant ? participants_[link.participant]->conference_id : "";
  });
  return out;
}

Expected<LiveConference> Bridge::LiveConferenceOf(const std::string& id) {
  return OnControl([&]() -> Expected<LiveConference> {
    auto found = Find(id);
    if (!found) return found.failure();
    return Live(**found);
  });
}

Expected<std::string> Bridge::ConferenceStats(const std::string& id) {
  return OnControl([&]() -> Expected<std::string> {
    auto found = Find(id);
    if (!found) return found.failure();
    return monitor_->ConferenceJson(id).dump();
  });
}

Expected<std::string> Bridge::SiteHistory(const std::string& conference, const std::string& site,
                                          int seconds) {
  return OnControl([&]() -> Expected<std::string> {
    auto found = Find(conference);
    if (!found) return found.failure();
    if (seconds > ConferenceControl::kSecondHistoryS) {
      json whole = monitor_->ConferenceHistoryJson(conference, site);
      if (!whole.is_null()) return whole.dump();
      return MakeError(ErrorKind::kNotFound,
                       "site '" + site + "' has had no media in conference '" + conference + "'");
    }
    for (const auto& [pid, p] : (*found)->members)
      if (p->site_id == site && !p->content) return monitor_->HistoryJson(pid, seconds).dump();
    return MakeError(ErrorKind::kNotFound,
                     "site '" + site + "' is not in conference '" + conference + "'");
  });
}

}  // namespace mcu
