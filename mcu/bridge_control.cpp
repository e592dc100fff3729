// The hosts' and administrators' commands (mcu/bridge.h): sites and conferences, and live control.
// Each runs on the control executor and acts in one order: the store, the media room, then the
// audit log with its console event.
#include "mcu/bridge.h"

#include <spdlog/spdlog.h>
#include <time.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "mcu/admission.h"
#include "mcu/bridge_detail.h"
#include "mcu/log.h"
#include "mcu/schedule.h"
#include "mcu/secrets.h"

namespace mcu {

using nlohmann::json;

Status Bridge::CreateSite(const std::string& actor, const SiteRow& site) {
  return OnControl([&]() -> Status {
    if (auto st = store_->InsertSite(site); !st) return MakeError(ErrorKind::kConflict, st.error());
    sites_[site.id] = site;
    Audit(actor, "create-site", site.id, json{{"name", site.name}, {"level", site.level}}.dump());
    return OkStatus();
  });
}

Status Bridge::UpdateSite(const std::string& actor, const SiteRow& site) {
  return OnControl([&]() -> Status {
    if (auto st = store_->UpdateSite(site); !st) return MakeError(ErrorKind::kNotFound, st.error());
    bool token_changed = sites_[site.id].token_hash != site.token_hash;
    sites_[site.id] = site;
    // A new token ends the old one's connection at once.
    if (token_changed)
      if (Connection* c = ConnectionOf(site.id)) c->link->Close("the site's token was changed");
    Audit(actor, token_changed ? "renew-site-token" : "update-site", site.id);
    return OkStatus();
  });
}

Status Bridge::DeleteSite(const std::string& actor, const std::string& id) {
  return OnControl([&]() -> Status {
    if (auto st = store_->DeleteSite(id); !st) return MakeError(ErrorKind::kNotFound, st.error());
    sites_.erase(id);
    if (Connection* c = ConnectionOf(id)) c->link->Close("the site was deleted");
    for (auto& [cid, conf] : conferences_) {
      conf.members_cfg.erase(id);
      std::erase(conf.row.invited, id);
      bool changed = false;
      if (conf.row.host_site == id) conf.row.host_site.clear(), changed = true;
      if (conf.row.spotlight == id) conf.row.spotlight.clear(), changed = true;
      if (changed) (void)Save(conf);
    }
    Audit(actor, "delete-site", id);
    return OkStatus();
  });
}

namespace {
// A one-off meeting whose window (with the grace) is already over would close without opening.
Status CheckNotOver(const ConferenceRow& c, int grace_s, int64_t now_s) {
  if (c.permanent() || c.recurrence != "none" || c.end_at + grace_s > now_s) return OkStatus();
  return MakeError(ErrorKind::kInvalid, "the meeting would already be over: its end (" +
                                            FormatTime(c.end_at) + ") is in the past");
}

json ConferenceAudit(const ConferenceRow& c) {
  auto time = [](int64_t t) { return t ? json(FormatTime(t)) : json(nullptr); };
  return {{"title", c.title},     {"start", time(c.start_at)},  {"end", time(c.end_at)},
          {"invited", c.invited}, {"classified", c.classified}, {"autoRecord", c.auto_record}};
}
}  // namespace

Status Bridge::CreateConference(const std::string& actor, const ConferenceRow& c) {
  return OnControl([&]() -> Status {
    if (auto st = ValidateConference(c); !st) return st;
    if (auto st = CheckNotOver(c, options_.grace_s, now_ms() / 1000); !st) return st;
    for (const auto& s : c.invited)
      if (!sites_.count(s)) return MakeError(ErrorKind::kInvalid, "no site '" + s + "'");
    ConferenceRow row = c;
    row.state = ConferenceState::kScheduled;
    if (auto st = store_->InsertConference(row); !st)
      return MakeError(ErrorKind::kConflict, st.error());
    Conference& conf = conferences_[row.id];
    conf.row = row;
    for (auto& m : store_->Members(row.id)) conf.members_cfg[m.site_id] = m;
    Audit(actor, "create-conference", row.id, ConferenceAudit(row).dump());
    RunSchedule();  // It may be due already.
    return OkStatus();
  });
}

Status Bridge::UpdateConference(const std::string& actor, const ConferenceRow& c) {
  return OnControl([&]() -> Status {
    auto found = Find(c.id);
    if (!found) return found.failure();
    Conference& conf = **found;
    if (auto st = ValidateConference(c); !st) return st;
    if (c.start_at != conf.row.start_at || c.end_at != conf.row.end_at ||
        c.recurrence != conf.row.recurrence)
      if (auto st = CheckNotOver(c, options_.grace_s, now_ms() / 1000); !st) return st;
    for (const auto& s : c.invited)
      if (!sites_.count(s)) return MakeError(ErrorKind::kInvalid, "no site '" + s + "'");
    ConferenceRow row = c;
    row.state = conf.row.state, row.locked = conf.row.locked, row.spotlight = conf.row.spotlight;
    // An ended conference given a window still ahead is scheduled again.
    if (row.state == ConferenceState::kEnded && !row.permanent() &&
        row.end_at + options_.grace_s > now_ms() / 1000)
      row.state = ConferenceState::kScheduled;
    if (auto st = store_->UpdateConference(row); !st) return st;
    conf.row = row;
    conf.members_cfg.clear();
    for (auto& m : store_->Members(row.id)) conf.members_cfg[m.site_id] = m;
    ApplyLayout(conf);
    Audit(actor, "update-conference", row.id, ConferenceAudit(row).dump());
    if (row.classified) EnforceClassified(conf);
    RunSchedule();
    return OkStatus();
  });
}

void Bridge::EnforceClassified(Conference& conf) {
  MCU_DCHECK_RUN_ON(&control_);
  // A recording begun in the clear ends here: what follows would be a classified meeting's.
  if (conf.recording && !conf.recording_row.sealed) {
    spdlog::warn("conference {} is now classified: its recording in the clear stops", conf.row.id);
    EndRecording(conf, "mcu", "the conference became classified");
  }
  EndStream(conf, "mcu", "the conference became classified");
  std::vector<std::pair<ParticipantId, std::string>> out;
  for (const auto& [pid, p] : conf.watchers)
    out.emplace_back(pid, "the conference is classified: it cannot be previewed");
  for (const auto& [pid, p] : conf.members) {
    auto c = connections_.find(p->connection);
    auto refusal = RefuseSignalling(conf.row, c != connections_.end() && c->second.sip_plain);
    if (!refusal && !p->protection.empty()) refusal = RefuseProtection(conf.row, p->protection);
    if (refusal) out.emplace_back(pid, refusal->reason);
  }
  for (const auto& [pid, reason] : out) {
    spdlog::warn("conference {} is now classified: {}", conf.row.id, reason);
    RemoveParticipant(pid, reason, true);
  }
}

Status Bridge::DeleteConference(const std::string& actor, const std::string& id) {
  return OnConference(id, [&](Conference& conf) -> Status {
    if (conf.open() && !conf.row.permanent()) Close(conf, actor, "the conference was deleted");
    for (ParticipantId pid : Everyone(conf))
      RemoveParticipant(pid, "the conference was deleted", true);
    if (auto st = store_->DeleteConference(id); !st) return st;
    conferences_.erase(id);
    Audit(actor, "delete-conference", id);
    return OkStatus();
  });
}

Status Bridge::StartConference(const std::string& actor, const std::string& id) {
  return OnConference(id, [&](Conference& conf) -> Status {
    if (conf.row.permanent())
      return MakeError(ErrorKind::kConflict, "a permanent conference is always open");
    if (conf.row.state == ConferenceState::kOpen)
      return MakeError(ErrorKind::kConflict, "the conference is already open");
    int64_t now = now_ms() / 1000;
    // Started after its window: it runs for its planned length from now.
    if (conf.row.end_at + options_.grace_s <= now) {
      int64_t length = conf.row.end_at - conf.row.start_at;
      conf.row.start_at = now;
      conf.row.end_at = now + length;
    }
    Open(conf, actor);
    return OkStatus();
  });
}

Status Bridge::StopConference(const std::string& actor, const std::string& id) {
  return OnConference(id, [&](Conference& conf) -> Status {
    if (conf.row.permanent())
      return MakeError(ErrorKind::kConflict, "a permanent conference cannot be stopped");
    if (conf.row.state != ConferenceState::kOpen)
      return MakeError(ErrorKind::kConflict, "the conference is not open");
    Close(conf, actor, "the host ended the conference");
    return OkStatus();
  });
}

Status Bridge::ChangeMember(Conference& conf, const std::string& site,
                            const std::function<void(MemberRow&)>& change) {
  MCU_DCHECK_RUN_ON(&control_);
  if (!sites_.count(site)) return MakeError(ErrorKind::kNotFound, "no site '" + site + "'");
  MemberRow& m = MemberOf(conf, site);
  change(m);
  return store_->PutMember(m);
}

Status Bridge::Mute(const std::string& actor, const std::string& conference,
                    const std::string& site, std::optional<bool> audio, std::optional<bool> video) {
  return OnConference(conference, [&](Conference& conf) -> Status {
    if (!audio && !video)
      return MakeError(ErrorKind::kInvalid, "say what to mute: audio and/or video");
    auto st = ChangeMember(conf, site, [&](MemberRow& m) {
      if (audio) m.muted_audio = *audio;
      if (video) m.muted_video = *video;
    });
    if (!st) return st;
    ApplyMutes(conf, site);
    json detail = json::object();
    if (audio) detail["audio"] = *audio;
    if (video) detail["video"] = *video;
    Audit(actor, "mute", conference + "/" + site, detail.dump());
    return OkStatus();
  });
}

Status Bridge::MuteAllButHost(const std::string& actor, const std::string& conference, bool muted) {
  return OnConference(conference, [&](Conference& conf) -> Status {
    std::set<std::string> sites(conf.row.invited.begin(), conf.row.invited.end());
    for (auto& [pid, p] : conf.members) sites.insert(p->site_id);
    for (const auto& site : sites) {
      if (site == conf.row.host_site) continue;
      if (auto st = ChangeMember(conf, site, [&](MemberRow& m) { m.muted_audio = muted; }); !st)
        return st;
      ApplyMutes(conf, site);
    }
    Audit(actor, muted ? "mute-all" : "unmute-all", conference,
          json{{"except", conf.row.host_site}}.dump());
    return OkStatus();
  });
}

Status Bridge::Kick(const std::string& actor, const std::string& conference,
                    const std::string& site) {
  return OnConference(conference, [&](Conference& conf) -> Status {
    if (auto st = ChangeMember(conf, site, [](MemberRow& m) { m.kicked = true; }); !st) return st;
    if (ParticipantId pid = MainParticipant(conf, site))
      RemoveParticipant(pid, "removed by the host", true);
    Audit(actor, "kick", conference + "/" + site);
    UpdateLinks(now_ms());
    return OkStatus();
  });
}

Status Bridge::StopContent(const std::string& actor, const std::string& conference,
                           const std::string& site) {
  return OnConference(conference, [&](Conference& conf) -> Status {
    for (const auto& [pid, p] : conf.members) {
      if (p->site_id != site || !p->content) continue;
      if (auto c = connections_.find(p->connection); c != connections_.end())
        c->second.content_stopped = true;
      RemoveParticipant(pid, "stopped by the host", true);
      Audit(actor, "stop-content", conference + "/" + site);
      return OkStatus();
    }
    return MakeError(ErrorKind::kConflict, "site '" + site + "' shares no content");
  });
}

Status Bridge::Call(const std::string& actor, const std::string& conference,
                    const std::string& site) {
  return OnConference(conference, [&](Conference& conf) -> Status {
    if (auto st = ChangeMember(conf, site, [](MemberRow& m) { m.kicked = false; }); !st) return st;
    Audit(actor, "call", conference + "/" + site);
    if (sites_[site].link.dials()) {  // A link this MCU dials: at once, whatever its backoff.
      if (auto l = links_.find(site); l != links_.end() && !l->second.out)
        l->second.retry_at_ms = 0;
      UpdateLinks(now_ms());
      return OkStatus();
    }
    if (sites_[site].dials_sip() && !ConnectionOf(site)) {  // A SIP site: called at once.
      if (auto c = sip_calls_.find(site); c != sip_calls_.end()) c->second.retry_at_ms = 0;
      UpdateSipCalls(now_ms());
      return OkStatus();
    }
    Connection* c = ConnectionOf(site);
    if (!c) return MakeError(ErrorKind::kConflict, "site '" + site + "' is offline");
    if (c->participant)
      return MakeError(ErrorKind::kConflict, "site '" + site + "' is in a conference");
    if (auto refusal = RefusalOf(conf, site))
      return MakeError(ErrorKind::kConflict, refusal->reason);
    c->last_call_ms = now_ms();
    Send(*c, "", event::Call{conference, conf.row.title});
    return OkStatus();
  });
}

Status Bridge::Spotlight(const std::string& actor, const std::string& conference,
                         const std::string& site) {
  return OnConference(conference, [&](Conference& conf) -> Status {
    if (!site.empty() && !sites_.count(site))
      return MakeError(ErrorKind::kNotFound, "no site '" + site + "'");
    if (!site.empty()) {
      auto m = conf.members_cfg.find(site);
      bool invited = m != conf.members_cfg.end() && m->second.invited;
      bool in = std::any_of(conf.members.begin(), conf.members.end(),
                            [&](const auto& e) { return e.second->site_id == site; });
      if (!invited && !in)
        return MakeError(ErrorKind::kConflict,
                         "site '" + site + "' is neither invited to nor in '" + conference + "'");
    }
    conf.row.spotlight = site;
    if (auto st = Save(conf); !st) return st;
    ApplyLayout(conf);
    Audit(actor, "spotlight", conference, json{{"site", site}}.dump());
    Emit(console::Layout{conference, conf.row.layout, site});
    return OkStatus();
  });
}

Status Bridge::SetLayout(const std::string& actor, const std::string& conference,
                         const std::string& layout) {
  return OnConference(conference, [&](Conference& conf) -> Status {
    ConferenceRow row = conf.row;
    row.layout = layout;
    if (auto st = ValidateConference(row); !st) return st;
    conf.row.layout = layout;
    if (auto st = Save(conf); !st) return st;
    ApplyLayout(conf);
    Audit(actor, "layout", conference, json{{"layout", layout}}.dump());
    Emit(console::Layout{conference, layout, conf.row.spotlight});
    return OkStatus();
  });
}

Status Bridge::Lock(const std::string& actor, const std::string& conference, bool locked) {
  return OnConference(conference, [&](Conference& conf) -> Status {
    conf.row.locked = locked;
    if (auto st = Save(conf); !st) return st;
    Audit(actor, locked ? "lock" : "unlock", conference);
    TellLinks(conf);  // A parent's lock reaches its children.
    return OkStatus();
  });
}

}  // namespace mcu
