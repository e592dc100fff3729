// The dialing side of cascade links (mcu/cascade.h): the bridge as a client of another MCU.
//
// A link whose site is invited to an open conference here (and not removed by its host) dials
// the other MCU, authenticates with its credential, joins the target conference (or waits to be
// called into one), and answers the other MCU's offer with a participant of the local
// conference. Everything below runs on the control executor, like the rest of the bridge; the
// dialer's callbacks only post here, and are matched to their link by connection id, so a late
// event of a connection already hung up is dropped.
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>
#include <set>

#include "mcu/bridge.h"
#include "mcu/bridge_detail.h"
#include "mcu/log.h"
#include "mcu/schedule.h"

namespace mcu {

using detail::kFlowWindowMs;
using nlohmann::json;

namespace {
uint32_t Random() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  return rng();
}
}  // namespace

Bridge::Link* Bridge::LinkOf(ConnectionId outbound) {
  for (auto& [site, link] : links_)
    if (link.id == outbound && link.out) return &link;
  return nullptr;
}

Bridge::Link* Bridge::LinkOfParticipant(ParticipantId id) {
  for (auto& [site, link] : links_)
    if (link.participant == id) return &link;
  return nullptr;
}

bool Bridge::IsLinkSite(const std::string& site) const {
  auto it = sites_.find(site);
  return it != sites_.end() && it->second.kind == "cascade";
}

std::vector<std::string> Bridge::McusBehind(const Conference& conf, ParticipantId except) const {
  std::set<std::string> ids{mcu_id_};
  for (const auto& [pid, p] : conf.members)
    if (pid != except && !p->content && IsLinkSite(p->site_id))
      ids.insert(p->far_mcus.begin(), p->far_mcus.end());
  return {ids.begin(), ids.end()};
}

std::string Bridge::RefuseLoop(Conference& conf, const std::string& site, ParticipantId except,
                               const std::vector<std::string>& far) {
  const std::vector<std::string> here = McusBehind(conf, except);
  for (const std::string& id : far) {
    if (!std::binary_search(here.begin(), here.end(), id)) continue;
    std::string why = "loop: MCU " + id + " is reached both through this link and another way";
    NoteLoop(conf, site, why);
    return why;
  }
  return "";
}

void Bridge::TellLinks(Conference& conf) {
  MCU_DCHECK_RUN_ON(&control_);
  for (auto& [pid, p] : conf.members) {
    if (p->content || !IsLinkSite(p->site_id)) continue;
    Link* link = LinkOfParticipant(pid);
    auto c = link ? connections_.end() : connections_.find(p->connection);
    if (!link && c == connections_.end()) continue;
    // The same message, as a request on a link this MCU dials or an event on one it accepts.
    auto tell = [&](EndpointRequest request, decltype(EndpointEvent::body) event) {
      if (link)
        SendToLink(*link, std::move(request));
      else
        Send(c->second, "", std::move(event));
    };
    if (std::vector<std::string> now = McusBehind(conf, pid); now != p->sent_mcus) {
      p->sent_mcus = now;
      EndpointRequest r{EndpointRequest::Type::kMcus};
      r.mcus = now;
      tell(std::move(r), event::Mcus{std::move(now)});
    }
    const int64_t now = now_ms();
    if (now - p->side_sent_ms < kLinkSideGapMs) continue;
    if (LinkSide side = SideFor(conf, pid); side != p->sent_side) {
      p->sent_side = side;
      p->side_sent_ms = now;
      EndpointRequest r{EndpointRequest::Type::kLink};
      r.link = side;
      tell(std::move(r), event::Link{std::move(side)});
    }
  }
}

Bridge::SiteCounts Bridge::CountSites(const Conference& conf, const std::string& except) {
  MCU_DCHECK_RUN_ON(&control_);
  std::set<std::string> expected(conf.row.invited.begin(), conf.row.invited.end());
  std::set<std::string> connected, video;
  const int64_t now = now_ms();
  for (const auto& [pid, p] : conf.members) {
    if (p->content) continue;
    expected.insert(p->site_id);
    connected.insert(p->site_id);
    if (p->video_seen_ms && now - p->video_seen_ms < kFlowWindowMs) video.insert(p->site_id);
  }
  auto count = [&](const std::set<std::string>& sites) {
    return static_cast<int>(sites.size() - sites.count(except));
  };
  return {count(expected), count(connected), count(video)};
}

LinkSide Bridge::SideFor(const Conference& conf, ParticipantId link) {
  MCU_DCHECK_RUN_ON(&control_);
  const std::string& link_site = participants_[link]->site_id;
  LinkSide side;
  side.role = LinkRole(sites_[link_site].link);
  side.title = conf.row.title;
  if (conf.speaker != link) side.speaker = SpeakerName(conf);
  const SiteCounts n = CountSites(conf, link_site);
  side.expected = n.expected, side.connected = n.connected, side.video = n.video;
  side.shown_width = participants_[link]->shown_width;
  side.shown_height = participants_[link]->shown_height;
  if (side.role == "parent") {
    LinkSide::Control control;
    if (auto m = conf.members_cfg.find(link_site); m != conf.members_cfg.end())
      control.muted_audio = m->second.muted_audio, control.muted_video = m->second.muted_video;
    control.spotlight = conf.row.spotlight == link_site;
    control.layout = conf.row.layout;
    control.locked = conf.row.locked;
    side.control = control;
  }
  return side;
}

void Bridge::FarSpeaker(Conference& conf, ParticipantId pid, std::string& known,
                        const std::string& name) {
  MCU_DCHECK_RUN_ON(&control_);
  if (name == known) return;  // Told again (each second's `link`): the speaker here stays.
  known = name;
  if (!pid) return;
  if (name.empty()) {
    // The other side hears this one now (or nobody): this room's own choice speaks here again.
    if (conf.speaker == pid && conf.heard && conf.heard != pid && participants_.count(conf.heard) &&
        participants_[conf.heard]->conference_id == conf.row.id)
      SetSpeaker(conf, conf.heard);
    return;
  }
  if (conf.speaker == pid)
    NotifySpeaker(conf);  // Already the speaker here: the name travels on.
  else
    SetSpeaker(conf, pid);
}

void Bridge::TakeFarSide(Conference& conf, const std::string& site, ParticipantId pid,
                         LinkSide& known, const LinkSide& got) {
  MCU_DCHECK_RUN_ON(&control_);
  const std::string mine = LinkRole(sites_[site].link);
  if (got.role != OtherRole(mine)) {
    if (known.role != got.role)
      spdlog::warn(
          "link {}: the other MCU says it is the {} on this link, as this MCU is; what it "
          "says of its side is ignored",
          site, got.role);
    known.role = got.role;
    return;
  }
  const LinkSide before = known;
  known = got;
  known.speaker = before.speaker;
  FarSpeaker(conf, pid, known.speaker, got.speaker);
  const bool resized =
      got.shown_width != before.shown_width || got.shown_height != before.shown_height;
  if (pid && resized && conf.room)
    conf.room->SetLinkViewSize(pid, got.shown_width, got.shown_height);
  if (mine == "child" && got.control) {
    // The parent's host set the layout or the lock of the whole meeting: this conference follows
    // whenever they change there (its own host may change them again afterwards).
    const LinkSide::Control& c = *got.control;
    const std::string actor = "link:" + site;
    const bool layout_changed = !before.control || before.control->layout != c.layout;
    if (layout_changed && !c.layout.empty() && c.layout != conf.row.layout) {
      ConferenceRow row = conf.row;
      row.layout = c.layout;
      if (auto st = ValidateConference(row); !st) {
        spdlog::warn("link {}: the parent's layout {} is not one this MCU has: {}", site, c.layout,
                     st.error());
      } else {
        conf.row.layout = c.layout;
        if (Save(conf)) {
          ApplyLayout(conf);
          Audit(actor, "layout", conf.row.id,
                json{{"layout", c.layout}, {"from", "parent"}}.dump());
          Emit(console::Layout{conf.row.id, conf.row.layout, conf.row.spotlight});
        }
      }
    }
    const bool lock_changed = !before.control || before.control->locked != c.locked;
    if (lock_changed && c.locked != conf.row.locked) {
      conf.row.locked = c.locked;
      if (Save(conf))
        Audit(actor, c.locked ? "lock" : "unlock", conf.row.id, R"({"from":"parent"})");
    }
  }
  if (before != known)
    Emit(console::LinkChanged{conf.row.id, site, known.control && known.control->muted_audio,
                              known.control && known.control->muted_video});
}

void Bridge::NoteLoop(Conference& conf, const std::string& site, const std::string& why) {
  MCU_DCHECK_RUN_ON(&control_);
  spdlog::warn("link {}: refused: {}", site, why);
  conf.loops[site] = why;
  monitor_->Loop(now_ms(), conf.row.id, site, why);
}

bool Bridge::Online(const std::string& site) {
  if (auto call = sip_calls_.find(site); call != sip_calls_.end() && call->second.id)
    return call->second.state == LinkState::kJoined;  // Called: online once it answered.
  if (ConnectionOf(site)) return true;
  auto l = links_.find(site);
  return l != links_.end() && !l->second.remote_site.empty();
}

Bridge::Participant* Bridge::SiteParticipant(const std::string& site) {
  ParticipantId id = 0;
  if (Connection* c = ConnectionOf(site)) id = c->participant;
  if (auto l = links_.find(site); !id && l != links_.end()) id = l->second.participant;
  auto it = participants_.find(id);
  return it == participants_.end() ? nullptr : it->second.get();
}

void Bridge::UpdateLinks(int64_t now) {
  MCU_DCHECK_RUN_ON(&control_);
  if (!options_.dialer || shut_down_) return;
  // Links whose site went away, or no longer dials, hang up.
  for (auto it = links_.begin(); it != links_.end();) {
    auto site = sites_.find(it->first);
    if (site == sites_.end() || !site->second.link.dials() ||
        site->second.link != it->second.target) {
      HangUp(it->second, "the link's settings changed", false);
      it = links_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [site_id, site] : sites_) {
    if (!site.link.dials()) continue;
    Link& link = links_[site_id];
    if (link.site_id.empty()) link.site_id = site_id, link.target = site.link;
    // The open conference that invites it (and has not removed it) is where it goes.
    std::string wanted;
    for (const auto& [cid, conf] : conferences_) {
      auto m = conf.members_cfg.find(site_id);
      if (conf.open() && m != conf.members_cfg.end() && m->second.invited && !m->second.kicked) {
        wanted = cid;
        break;
      }
    }
    if (link.out && link.conference != wanted) {
      HangUp(link, wanted.empty() ? "its conference closed" : "moved to conference " + wanted,
             false);
      link.retry_at_ms = 0;
    }
    if (wanted.empty()) {
      link.state = LinkState::kIdle, link.detail.clear();
      continue;
    }
    if (!link.out && now >= link.retry_at_ms) Dial(link, wanted);
  }
}

void Bridge::Dial(Link& link, const std::string& conference) {
  MCU_DCHECK_RUN_ON(&control_);
  LogScope scope(conference, link.site_id);
  link.conference = conference;
  link.id = next_outbound_++;
  link.state = LinkState::kConnecting;
  link.detail = link.target.url;
  ++link.attempts;
  spdlog::info("link {}: dialling {} (attempt {})", link.site_id, link.target.url, link.attempts);
  link.out = options_.dialer->Dial(link.id, {link.target.url, link.target.fingerprint}, this);
  Emit(console::SiteState{link.site_id, SiteStatus::kConnecting});
}

void Bridge::HangUp(Link& link, const std::string& reason, bool retry) {
  MCU_DCHECK_RUN_ON(&control_);
  if (!link.out) return;
  LogScope scope(link.conference, link.site_id);
  auto out = std::move(link.out);  // First: removing the participant below comes back here.
  link.id = 0;
  if (link.participant) {
    ParticipantId pid = link.participant;
    link.participant = 0;
    RemoveParticipant(pid, reason, false);
  }
  out->Close();  // The other MCU removes the link's participant when its connection goes.
  link.remote_site.clear(), link.remote_conference.clear(), link.far = {};
  link.remote_muted_audio = link.remote_muted_video = false;
  if (retry) {
    int delay = link.backoff.Next(Random());
    link.retry_at_ms = now_ms() + delay;
    if (link.state != LinkState::kRefused) link.state = LinkState::kWaiting;
    link.detail = reason;
    spdlog::warn("link {}: {}; dialling again in {} ms", link.site_id, reason, delay);
  } else {
    link.state = LinkState::kIdle, link.detail = reason;
    spdlog::info("link {}: hung up ({})", link.site_id, reason);
  }
  Emit(console::SiteState{link.site_id, SiteStatus::kOffline});
}

void Bridge::SendToLink(Link& link, EndpointRequest request) {
  if (link.out) link.out->Send(std::move(request));
}

void Bridge::OnOutboundOpen(ConnectionId id) {
  control_.Post([this, id] {
    Link* link = LinkOf(id);
    if (!link) return;
    link->state = LinkState::kAuthenticating;
    EndpointRequest auth{EndpointRequest::Type::kAuth};
    auth.token = link->target.credential;
    SendToLink(*link, std::move(auth));
  });
}

void Bridge::OnOutboundClosed(ConnectionId id, const std::string& reason) {
  control_.Post([this, id, reason] {
    Link* link = LinkOf(id);
    if (!link) return;
    link->failure = reason.starts_with("certificate mismatch") ? "certificate" : "network";
    HangUp(*link, "connection to the other MCU lost: " + reason, true);
  });
}

void Bridge::OnOutboundEvent(ConnectionId id, EndpointEvent event) {
  control_.Post([this, id, event = std::move(event)]() mutable {
    if (Link* link = LinkOf(id)) {
      LogScope scope(link->conference, link->site_id);
      HandleLinkEvent(*link, event);
    }
  });
}

void Bridge::HandleLinkEvent(Link& link, EndpointEvent& e) {
  MCU_DCHECK_RUN_ON(&control_);
  auto conf = conferences_.find(link.conference);
  if (conf == conferences_.end()) return HangUp(link, "its conference is gone", false);
  // Refused as a loop (HangUp keeps the state refused while it waits to dial again).
  auto hang_up_as_loop = [&](const std::string& why) {
    link.failure = "loop";
    link.state = LinkState::kRefused;
    HangUp(link, why, true);
  };
  auto loop = [&](const std::vector<std::string>& far) {
    std::string why = RefuseLoop(conf->second, link.site_id, link.participant, far);
    if (!why.empty()) hang_up_as_loop(why);
    return !why.empty();
  };
  auto join = [&](const std::string& remote_conference) {
    EndpointRequest r{EndpointRequest::Type::kJoin};
    r.conference = remote_conference;
    r.max_bitrate_kbps = link.target.max_kbps;
    r.mcus = link.sent_mcus = McusBehind(conf->second, 0);
    r.link_role = LinkRole(link.target);
    link.state = LinkState::kJoining;
    SendToLink(link, std::move(r));
  };
  if (auto* w = std::get_if<event::Welcome>(&e.body)) {
    link.remote_site = w->site_id;
    link.state = LinkState::kOnline;
    link.failure.clear();
    link.detail = link.target.url;
    spdlog::info("link {}: accepted by the other MCU as its site {}", link.site_id, w->site_id);
    Emit(console::SiteState{link.site_id, SiteStatus::kOnline});
    if (!link.target.conference.empty()) join(link.target.conference);
  } else if (auto* c = std::get_if<event::Call>(&e.body)) {
    if (link.participant || link.state == LinkState::kJoining) return;
    if (!link.target.conference.empty() && c->conference_id != link.target.conference) {
      // A link pinned to one conference goes nowhere else, whatever the other MCU asks.
      spdlog::warn("link {}: the other MCU called it into {}; it joins only {}", link.site_id,
                   c->conference_id, link.target.conference);
      return;
    }
    spdlog::info("link {}: called into the other MCU's conference {}", link.site_id,
                 c->conference_id);
    join(c->conference_id);
  } else if (auto* j = std::get_if<event::Joined>(&e.body)) {
    if (loop(j->mcus)) return;
    link.remote_conference = j->conference_id;
    link.remote_title = j->conference_title;
    link.remote_mcus = j->mcus;
  } else if (auto* m = std::get_if<event::Mcus>(&e.body)) {
    if (loop(m->mcus)) return;
    link.remote_mcus = m->mcus;
    if (auto p = participants_.find(link.participant); p != participants_.end()) {
      p->second->far_mcus = m->mcus;
      TellLinks(conf->second);
    }
  } else if (auto* o = std::get_if<event::Offer>(&e.body)) {
    LinkOffer(link, o->sdp);
  } else if (auto* m = std::get_if<event::MediaState>(&e.body)) {
    if (m->state == MediaStatus::kFailed) {
      link.failure = "media";
      HangUp(link, "media failed: " + m->detail, true);
    }
  } else if (auto* l = std::get_if<event::Left>(&e.body)) {
    HangUp(link, "the other MCU's conference: " + l->reason, true);
  } else if (auto* err = std::get_if<event::Error>(&e.body)) {
    spdlog::warn("link {}: the other MCU answered {}: {}", link.site_id, ToString(err->code),
                 err->message);
    if (err->code == ErrorCode::kLoop) {
      NoteLoop(conf->second, link.site_id, "the other MCU: " + err->message);
      return hang_up_as_loop(std::string(ToString(err->code)) + ": " + err->message);
    }
    if (err->code == ErrorCode::kUnauthorized || err->code == ErrorCode::kRole)
      link.state = LinkState::kRefused;
    link.failure = err->code == ErrorCode::kUnauthorized ? "credential"
                   : err->code == ErrorCode::kRole       ? "role"
                   : err->code == ErrorCode::kNotFound   ? "conference"
                   : err->code == ErrorCode::kForbidden || err->code == ErrorCode::kFull
                       ? "refused"
                       : "network";
    HangUp(link, std::string(ToString(err->code)) + ": " + err->message, true);
  } else if (auto* sp = std::get_if<event::Speaker>(&e.body)) {
    // The other conference's speaker, unless it is this conference speaking through the link.
    bool remote = !sp->site_id.empty() && sp->site_id != link.remote_site;
    FarSpeaker(conf->second, link.participant, link.far.speaker, remote ? sp->name : "");
  } else if (auto* side = std::get_if<event::Link>(&e.body)) {
    TakeFarSide(conf->second, link.site_id, link.participant, link.far, side->side);
  } else if (auto* mu = std::get_if<event::Muted>(&e.body)) {
    link.remote_muted_audio = mu->audio;
    link.remote_muted_video = mu->video;
    spdlog::info("link {}: the other MCU's host {} this conference's audio{}", link.site_id,
                 mu->audio ? "muted" : "unmuted", mu->video ? " and video" : "");
    Emit(console::LinkChanged{link.conference, link.site_id, mu->audio, mu->video});
  }
  // Roster, layout, stats and pongs tell the link nothing it acts on.
}

void Bridge::LinkOffer(Link& link, const std::string& sdp) {
  MCU_DCHECK_RUN_ON(&control_);
  if (link.participant) return HangUp(link, "a second offer on one link", true);
  auto it = conferences_.find(link.conference);
  if (it == conferences_.end()) return HangUp(link, "its conference is gone", false);
  Conference& conf = it->second;
  if (auto refusal = RefusalOf(conf, link.site_id)) return HangUp(link, refusal->reason, true);
  if (auto st = MakeRoom(conf); !st) return HangUp(link, st.error(), true);
  auto p = std::make_unique<Participant>();
  p->id = next_participant_++;
  p->site_id = link.site_id;
  p->conference_id = conf.row.id;
  // Its tile is labelled with the other conference's name.
  ParticipantMediaInfo info{
      link.remote_title.empty() ? sites_[link.site_id].name : link.remote_title,
      link.target.max_kbps};
  info.remote_offer = sdp;
  info.link = true;
  auto media = conf.room->AddParticipant(p->id, info, this);
  if (!media) {
    spdlog::error("link {}: cannot answer the other MCU: {}", link.site_id, media.error());
    if (conf.empty()) conf.room.reset();
    return HangUp(link, "cannot answer: " + media.error(), true);
  }
  p->media = std::move(*media);
  p->far_mcus = link.remote_mcus;
  p->sent_mcus = link.sent_mcus;
  // The other side said how it shows this link before it was in the conference here.
  if (link.far.shown_width)
    conf.room->SetLinkViewSize(p->id, link.far.shown_width, link.far.shown_height);
  ParticipantId pid = p->id;
  link.participant = pid;
  conf.members[pid] = p.get();
  Admit(conf, link.site_id);
  if (auto rec = store_->OpenCallRecord(conf.row.id, link.site_id, now_ms()); rec)
    p->call_record = *rec;
  EndpointRequest answer{EndpointRequest::Type::kAnswer};
  answer.sdp = p->media->LocalDescription();
  participants_[pid] = std::move(p);
  link.state = LinkState::kJoined;
  link.detail = link.remote_title;
  spdlog::info("link {}: in the other MCU's conference {} ({}) for conference {}", link.site_id,
               link.remote_conference, link.remote_title, conf.row.id);
  SendToLink(link, std::move(answer));
  ApplyMutes(conf, link.site_id);
  ApplyLayout(conf);
  BroadcastRoster(conf.row.id);
  if (conf.loops.erase(link.site_id)) monitor_->Loop(now_ms(), conf.row.id, link.site_id, {});
  TellLinks(conf);
}

}  // namespace mcu
