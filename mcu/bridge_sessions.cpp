// Endpoint sessions (mcu/bridge.h): a room's connection authenticates, joins (admission:
// mcu/admission.h), answers, leaves; previews watch; what the media core reports about a
// participant comes back here. Control executor only.
#include "mcu/bridge.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "mcu/admission.h"
#include "mcu/bridge_detail.h"
#include "mcu/log.h"
#include "mcu/secrets.h"
#include "mcu/sip_site.h"

namespace mcu {

using detail::Pid;
using nlohmann::json;

// ----- Endpoint connections ---------------------------------------------------------------------

void Bridge::OnEndpointOpen(ConnectionId id, std::shared_ptr<EndpointConnection> link,
                            const std::string& remote_address) {
  control_.Post([this, id, link = std::move(link), remote_address]() mutable {
    if (shut_down_) {
      link->Close("server shutting down");
      return;
    }
    Connection c;
    c.link = std::move(link);
    c.remote_address = remote_address;
    connections_[id] = std::move(c);
  });
}

void Bridge::OnEndpointClosed(ConnectionId id) {
  control_.Post([this, id] {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    if (it->second.participant) RemoveParticipant(it->second.participant, "disconnected", false);
    if (!it->second.site_id.empty()) {
      spdlog::info("site {} disconnected ({})", it->second.site_id, it->second.remote_address);
      Emit(console::SiteState{it->second.site_id, SiteStatus::kOffline});
    }
    connections_.erase(it);
  });
}

void Bridge::OnEndpointRequest(ConnectionId id, EndpointRequest request) {
  control_.Post([this, id, request = std::move(request)]() mutable { Handle(id, request); });
}

void Bridge::Handle(ConnectionId id, EndpointRequest& r) {
  MCU_DCHECK_RUN_ON(&control_);
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = it->second;
  using T = EndpointRequest::Type;
  if (r.type == T::kPing) return Send(c, r.id, event::Pong{});
  if (r.type == T::kAuth) {
    if (!r.watcher.empty())
      return SendError(c, r.id, ErrorCode::kConflict,
                       "a console preview is authenticated by its session");
    return HandleAuth(c, id, r);
  }
  if (r.type == T::kSipRequest) {
    // Only shown, never answered: an error would end the SIP call.
    if (r.sip && !c.site_id.empty()) SipRequestSeen(c, r.sip_request);
    return;
  }
  if (c.site_id.empty() && r.watcher.empty())
    return SendError(c, r.id, ErrorCode::kUnauthorized, "authenticate first (type \"auth\")");
  Participant* p = c.participant ? participants_[c.participant].get() : nullptr;
  switch (r.type) {
    case T::kJoin:
      return r.watcher.empty() ? HandleJoin(c, id, r) : HandleWatch(c, id, r);
    case T::kAnswer: {
      if (!p) return SendError(c, r.id, ErrorCode::kConflict, "no offer to answer: join first");
      auto st = p->media->SetRemoteAnswer(r.sdp);
      if (!st) {
        spdlog::warn("site {}: rejected answer: {}", c.site_id, st.error());
        return SendError(
            c, r.id,
            st.error_kind() == ErrorKind::kConflict ? ErrorCode::kConflict : ErrorCode::kBadRequest,
            st.error());
      }
      if (r.sip && !r.sip_signalling.empty()) c.sip_signalling = r.sip_signalling;
      if (SipCall* call = SipCallOf(id)) SipCallAnswered(*call);
      return;
    }
    case T::kCandidate: {
      if (!p) return SendError(c, r.id, ErrorCode::kConflict, "not in a conference");
      if (r.candidate.empty()) return;  // End of candidates.
      auto st = p->media->AddRemoteCandidate(r.candidate);
      if (!st) return SendError(c, r.id, ErrorCode::kBadRequest, st.error());
      return;
    }
    case T::kLeave: {
      if (!p) return SendError(c, r.id, ErrorCode::kConflict, "not in a conference");
      std::string conf = p->conference_id;
      RemoveParticipant(p->id, "left", false);
      return Send(c, r.id, event::Left{conf, "left"});
    }
    case T::kDevices:
      return HandleDevices(c, r);
    case T::kMcus: {
      // Another MCU's link says what its side reaches now: a loop closed meanwhile ends it.
      if (!p || !IsLinkSite(c.site_id))
        return SendError(c, r.id, ErrorCode::kConflict, "not a cascade link in a conference");
      Conference& conf = conferences_[p->conference_id];
      if (std::string why = RefuseLoop(conf, c.site_id, p->id, r.mcus); !why.empty()) {
        SendError(c, r.id, ErrorCode::kLoop, why);
        return RemoveParticipant(p->id, why, true);
      }
      p->far_mcus = r.mcus;
      return TellLinks(conf);
    }
    case T::kLink: {
      // Another MCU's link says what its side is (mcu/cascade.h, control both ways).
      if (!p || p->content || !IsLinkSite(c.site_id))
        return SendError(c, r.id, ErrorCode::kConflict, "not a cascade link in a conference");
      return TakeFarSide(conferences_[p->conference_id], c.site_id, p->id, p->far_side, r.link);
    }
    case T::kKeyframe:
      if (p) p->media->RequestKeyframe();
      return;
    case T::kCallEnded:
      // The connection closes next; the call record keeps the SIP reason.
      if (p) RemoveParticipant(p->id, "call ended: " + r.reason, false);
      if (SipCall* call = SipCallOf(id)) SipCallEnded(*call, r.reason);
      return;
    case T::kGetStats: {
      if (!p) return SendError(c, r.id, ErrorCode::kConflict, "not in a conference");
      return Send(c, r.id, event::Stats{p->media->Stats()});
    }
    default:
      return SendError(c, r.id, ErrorCode::kBadRequest, "unsupported request");
  }
}

void Bridge::HandleAuth(Connection& c, ConnectionId id, const EndpointRequest& r) {
  MCU_DCHECK_RUN_ON(&control_);
  if (!c.site_id.empty()) return SendError(c, r.id, ErrorCode::kConflict, "already authenticated");
  const SiteRow* site = nullptr;
  if (r.sip) {
    site = SipSiteOf(r.sip_caller, c.remote_address);
  } else {
    for (const auto& [sid, s] : sites_)
      if (TokenMatches(r.token, s.token_hash)) site = &s;
  }
  if (!site) {
    spdlog::warn("authentication failed from {}{}", c.remote_address,
                 r.sip ? " (SIP caller " + r.sip_caller + " is no site)" : "");
    return SendError(c, r.id, ErrorCode::kUnauthorized, r.sip ? "unknown caller" : "invalid token");
  }
  if (r.sip && r.sip_plain && !site->sip_plain) {
    // Its SDP carries the SRTP keys (SDES): over plain SIP anyone on the path reads them.
    spdlog::warn("site {}: SIP call over plain TCP/UDP from {} refused: SIP over TLS required",
                 site->id, c.remote_address);
    return SendError(c, r.id, ErrorCode::kBadRequest, "SIP over TLS required");
  }
  // A site has one connection: a room that reconnects after a drop replaces its old one.
  // (Its content connection is separate and replaces only an older content connection.)
  for (auto& [other_id, other] : connections_) {
    if (other_id != id && other.site_id == site->id && other.content_role == r.content) {
      if (other.participant)
        RemoveParticipant(other.participant, "replaced by a new connection", false);
      other.link->Close("replaced by a new connection from the same site");
      other.site_id.clear();
    }
  }
  c.site_id = site->id;
  c.content_role = r.content;
  if (r.sip) c.sip_signalling = r.sip_signalling, c.sip_plain = r.sip_plain;
  spdlog::info("site {} authenticated from {}{}", site->id, c.remote_address,
               r.content ? " (content)" : "");
  Send(c, r.id, event::Welcome{site->id, site->name});
  if (!r.content) {
    c.standby = StandbyOf(site->id);
    Send(c, "", *c.standby);
  }
  Emit(console::SiteState{site->id, SiteStatus::kOnline});
  CallIdleSites(true,
                site->id);  // A room coming back is ordered straight into its open conference.
}

const SiteRow* Bridge::SipSiteOf(const std::string& caller, const std::string& address) const {
  MCU_DCHECK_RUN_ON(&control_);
  auto from = ParseSipUri(caller);
  if (!from) return nullptr;
  for (const auto& [id, s] : sites_) {
    if (s.kind != "sip") continue;
    if (auto uri = ParseSipUri(s.sip_uri); uri && SipCallerMatches(*uri, *from, address)) return &s;
  }
  return nullptr;
}

void Bridge::HandleDevices(Connection& c, const EndpointRequest& r) {
  MCU_DCHECK_RUN_ON(&control_);
  if (c.content_role)
    return SendError(c, r.id, ErrorCode::kConflict, "devices are reported by the main connection");
  if (c.devices == r.devices) return;
  c.devices = r.devices;
  const DeviceStates& d = r.devices;
  const bool missing = d.camera == DeviceState::kMissing || d.microphone == DeviceState::kMissing ||
                       d.speaker == DeviceState::kMissing;
  auto log = missing ? spdlog::level::warn : spdlog::level::info;
  spdlog::log(log, "site {}: camera {}, microphone {}, loudspeaker {}", c.site_id,
              ToString(d.camera), ToString(d.microphone), ToString(d.speaker));
  Emit(console::SiteDevices{c.site_id, d});
}

std::optional<Refusal> Bridge::RefusalOf(const Conference& conf, const std::string& site,
                                         bool plain_signalling) const {
  MCU_DCHECK_RUN_ON(&control_);
  auto m = conf.members_cfg.find(site);
  return RefuseSite({conf.row, m == conf.members_cfg.end() ? nullptr : &m->second,
                     conf.admitted.count(site) > 0, conf.members.size(),
                     config_.limits.max_participants, plain_signalling});
}

void Bridge::HandleJoin(Connection& c, ConnectionId id, const EndpointRequest& r) {
  MCU_DCHECK_RUN_ON(&control_);
  if (c.participant) return SendError(c, r.id, ErrorCode::kConflict, "already in a conference");
  std::string conf_id = r.conference;
  if (c.content_role) {
    // Content goes to the conference the site is in.
    Connection* main = ConnectionOf(c.site_id);
    if (!main || !main->participant)
      return SendError(c, r.id, ErrorCode::kConflict,
                       "the site shares content only while it is in a conference");
    conf_id = participants_[main->participant]->conference_id;
    if (r.conference != conf_id)
      return SendError(c, r.id, ErrorCode::kConflict,
                       "the site is in conference '" + conf_id + "'");
  }
  auto it = conferences_.find(conf_id);
  if (it == conferences_.end())
    return SendError(c, r.id, ErrorCode::kNotFound, "no conference '" + conf_id + "'");
  Conference& conf = it->second;
  LogScope scope(conf.row.id, c.site_id);
  if (auto refusal = RefusalOf(conf, c.site_id, c.sip_plain)) {
    spdlog::info("site {} not admitted to {}: {}", c.site_id, conf_id, refusal->reason);
    if (conf.row.classified)
      Audit(c.site_id, "join-refused", conf.row.id,
            json{{"from", c.remote_address}, {"reason", refusal->reason}}.dump());
    return SendError(c, r.id, refusal->code, refusal->reason);
  }
  // Another MCU's link that would close a loop of MCUs (mcu/cascade.h) is refused.
  const bool link = IsLinkSite(c.site_id) && !c.content_role;
  if (std::string why = link ? RefuseLoop(conf, c.site_id, 0, r.mcus) : ""; !why.empty())
    return SendError(c, r.id, ErrorCode::kLoop, why);
  // Both ends of a link agree which is the parent (a dialler that says nothing is the child).
  if (link) {
    const std::string mine = LinkRole(sites_[c.site_id].link);
    const std::string says = r.link_role.empty() ? "child" : r.link_role;
    if (says != OtherRole(mine)) {
      std::string why = "this MCU is the " + mine + " on this link, and so is the dialling MCU";
      spdlog::warn("link {}: refused: {}", c.site_id, why);
      return SendError(c, r.id, ErrorCode::kRole, why);
    }
  }
  if (!EnsureRoom(conf, c, r.id)) return;
  auto p = std::make_unique<Participant>();
  p->id = next_participant_++;
  p->connection = id;
  p->site_id = c.site_id;
  p->conference_id = conf.row.id;
  p->content = c.content_role;
  ParticipantMediaInfo info{sites_[c.site_id].name, r.max_bitrate_kbps, c.content_role};
  // A SIP room declares what it takes in its SDP, if at all; its link's capacity, when the
  // administrator gave it, bounds that too.
  if (r.sip && !info.max_receive_kbps) info.max_receive_kbps = sites_[c.site_id].bandwidth_kbps;
  info.sip = r.sip;
  info.classified = conf.row.classified;
  info.link = link;
  if (r.sip) info.remote_offer = r.sdp;
  auto media = conf.room->AddParticipant(p->id, info, this);
  if (!media) {
    if (conf.empty()) conf.room.reset();
    // A SIP offer the MCU cannot take (no SRTP, no common codec) is the caller's, not ours.
    if (r.sip && media.error_kind() == ErrorKind::kInvalid) {
      spdlog::warn("site {}: refused its SIP offer: {}", c.site_id, media.error());
      return SendError(c, r.id, ErrorCode::kBadRequest, media.error());
    }
    spdlog::error("conference {}: cannot add site {}: {}", conf.row.id, c.site_id, media.error());
    return SendError(c, r.id, ErrorCode::kInternal, "media unavailable: " + media.error());
  }
  p->media = std::move(*media);
  c.participant = p->id;
  conf.members[p->id] = p.get();
  Admit(conf, c.site_id);
  if (auto rec = store_->OpenCallRecord(conf.row.id, c.site_id + (c.content_role ? "#content" : ""),
                                        now_ms());
      rec)
    p->call_record = *rec;
  std::string offer = p->media->LocalDescription();
  ParticipantId pid = p->id;
  participants_[pid] = std::move(p);
  spdlog::info("site {} joined conference {}{}", c.site_id, conf.row.id,
               c.content_role ? " with content" : "");
  if (conf.row.classified)
    Audit(c.site_id, c.content_role ? "join-content" : "join", conf.row.id,
          json{{"from", c.remote_address},
               {"via", r.sip ? "sip/" + c.sip_signalling : std::string("webrtc")}}
              .dump());
  event::Joined joined{conf.row.id, conf.row.title, Pid(pid)};
  if (link) {
    // What each side reaches without the link: the other MCU checks it too.
    participants_[pid]->far_mcus = r.mcus;
    joined.mcus = participants_[pid]->sent_mcus = McusBehind(conf, pid);
    if (conf.loops.erase(c.site_id)) monitor_->Loop(now_ms(), conf.row.id, c.site_id, {});
  }
  Send(c, r.id, std::move(joined));
  if (r.sip && !r.sdp.empty())
    Send(c, "", event::Answer{std::move(offer)});
  else
    Send(c, "", event::Offer{std::move(offer)});
  ApplyMutes(conf, c.site_id);
  ApplyLayout(conf);
  BroadcastRoster(conf.row.id);
  if (!c.content_role)
    CallIdleSites(true, c.site_id);  // Its content connection, if any, follows it.
  if (link) TellLinks(conf);
}

Status Bridge::MakeRoom(Conference& conf) {
  MCU_DCHECK_RUN_ON(&control_);
  if (conf.room) return OkStatus();
  RoomMode mode = conf.row.mode == "echo" ? RoomMode::kEcho : RoomMode::kMix;
  auto room = media_->CreateRoom(conf.row.id, mode, this);
  if (!room) {
    spdlog::error("conference {}: cannot create media room: {}", conf.row.id, room.error());
    return MakeError(ErrorKind::kInternal, "media room unavailable: " + room.error());
  }
  conf.room = std::move(*room);
  return OkStatus();
}

bool Bridge::EnsureRoom(Conference& conf, Connection& c, const std::string& reply_to) {
  auto st = MakeRoom(conf);
  if (!st) SendError(c, reply_to, ErrorCode::kInternal, st.error());
  return st.ok();
}

void Bridge::Admit(Conference& conf, const std::string& site) {
  MCU_DCHECK_RUN_ON(&control_);
  if (!conf.admitted.insert(site).second) return;
  MemberRow& m = MemberOf(conf, site);  // Kept in the store: a lock outlives a restart.
  m.admitted = true;
  (void)store_->PutMember(m);
}

void Bridge::HandleWatch(Connection& c, ConnectionId id, const EndpointRequest& r) {
  MCU_DCHECK_RUN_ON(&control_);
  if (c.participant)
    return SendError(c, r.id, ErrorCode::kConflict, "already watching a conference");
  auto it = conferences_.find(r.conference);
  if (it == conferences_.end())
    return SendError(c, r.id, ErrorCode::kNotFound, "no conference '" + r.conference + "'");
  Conference& conf = it->second;
  LogScope scope(conf.row.id);
  // The role as it is now, not as it was when the session began.
  std::optional<Role> role;
  if (auto user = store_->UserByLogin(r.watcher)) role = ParseRole(user->role);
  if (auto refusal = RefusePreview({conf.row, role, conf.watchers.size()})) {
    spdlog::warn("console user {} may not preview conference {} (from {}): {}", r.watcher,
                 conf.row.id, c.remote_address, refusal->reason);
    Audit(r.watcher, "preview-refused", conf.row.id, json{{"reason", refusal->reason}}.dump());
    return SendError(c, r.id, refusal->code, refusal->reason);
  }
  if (!EnsureRoom(conf, c, r.id)) return;
  auto p = std::make_unique<Participant>();
  p->id = next_participant_++;
  p->connection = id;
  p->conference_id = conf.row.id;
  p->watcher = r.watcher;
  ParticipantMediaInfo info{"preview " + r.watcher, r.max_bitrate_kbps};
  info.receive_only = true;
  auto media = conf.room->AddParticipant(p->id, info, this);
  if (!media) {
    spdlog::error("conference {}: cannot add a preview: {}", conf.row.id, media.error());
    if (conf.empty()) conf.room.reset();
    return SendError(c, r.id, ErrorCode::kInternal, "media unavailable: " + media.error());
  }
  p->media = std::move(*media);
  ParticipantId pid = p->id;
  c.participant = pid;
  conf.watchers[pid] = p.get();
  std::string offer = p->media->LocalDescription();
  participants_[pid] = std::move(p);
  spdlog::info("console user {} previews conference {} from {}", r.watcher, conf.row.id,
               c.remote_address);
  Audit(r.watcher, "preview", conf.row.id);
  Send(c, r.id, event::Joined{conf.row.id, conf.row.title, Pid(pid)});
  Send(c, "", event::Offer{std::move(offer)});
  BroadcastRoster(conf.row.id);  // The conference sees one viewer more.
}

std::vector<ParticipantId> Bridge::Everyone(const Conference& conf) {
  std::vector<ParticipantId> ids;
  for (const auto& [pid, p] : conf.members)
    if (!p->content) ids.push_back(pid);
  for (const auto& [pid, p] : conf.watchers) ids.push_back(pid);
  return ids;
}

void Bridge::RemoveParticipant(ParticipantId id, const std::string& reason, bool notify) {
  MCU_DCHECK_RUN_ON(&control_);
  auto it = participants_.find(id);
  if (it == participants_.end()) return;
  Participant& p = *it->second;
  std::string conf_id = p.conference_id;
  if (!p.watcher.empty()) {
    LogScope scope(conf_id);
    spdlog::info("console user {} stops previewing conference {} ({})", p.watcher, conf_id, reason);
    Audit(p.watcher, "preview-end", conf_id, json{{"reason", reason}}.dump());
    if (auto cit = connections_.find(p.connection); cit != connections_.end()) {
      cit->second.participant = 0;
      if (notify) Send(cit->second, "", event::Left{conf_id, reason});
    }
    Conference& conf = conferences_[conf_id];
    conf.watchers.erase(id);
    participants_.erase(id);  // Closes the media endpoint.
    if (conf.empty()) conf.room.reset();
    BroadcastRoster(conf_id);  // The conference sees one viewer fewer.
    return;
  }
  LogScope scope(conf_id, p.site_id);
  spdlog::info("site {} left conference {}{} ({})", p.site_id, conf_id,
               p.content ? " (content)" : "", reason);
  CallQuality quality = monitor_->Left(now_ms(), id, conf_id, p.site_id);
  if (auto cf = conferences_.find(conf_id); cf != conferences_.end() && cf->second.row.classified)
    Audit(p.site_id, p.content ? "leave-content" : "leave", conf_id,
          json{{"reason", reason}}.dump());
  if (p.call_record) (void)store_->CloseCallRecord(p.call_record, now_ms(), reason, quality);
  auto cit = connections_.find(p.connection);
  if (cit != connections_.end()) {
    cit->second.participant = 0;
    if (notify) Send(cit->second, "", event::Left{conf_id, reason});
  }
  if (!p.content) {
    // The site's content goes with it.
    for (auto& [cid, c] : connections_)
      if (c.content_role && c.site_id == p.site_id && c.participant &&
          participants_[c.participant]->conference_id == conf_id) {
        RemoveParticipant(c.participant, reason, true);
        break;
      }
  }
  Conference& conf = conferences_[conf_id];
  conf.members.erase(id);
  if (conf.speaker == id) conf.speaker = 0;
  participants_.erase(id);  // Closes the media endpoint.
  // A link's participant and its connection to the other MCU go together.
  if (Link* link = LinkOfParticipant(id)) {
    link->participant = 0;
    HangUp(*link, reason, true);
  }
  // An empty conference keeps no media room: a mixing room composes and encodes continuously.
  if (conf.empty())
    conf.room.reset();
  else
    ApplyLayout(conf);
  BroadcastRoster(conf_id);
  TellLinks(conf);  // A link gone: the others reach less.
}

void Bridge::BroadcastRoster(const std::string& conference_id) {
  MCU_DCHECK_RUN_ON(&control_);
  auto it = conferences_.find(conference_id);
  if (it == conferences_.end()) return;
  std::vector<std::string> viewers = Viewers(it->second);
  event::Roster roster{conference_id, {}, viewers.size()};
  console::Roster shown{conference_id, {}, viewers};
  for (auto& [pid, p] : it->second.members) {
    const std::string& name = sites_[p->site_id].name;
    roster.participants.push_back({Pid(pid), p->site_id, name, p->media_status, p->content});
    shown.participants.push_back({Pid(pid), p->site_id, name, p->media_status, p->content});
  }
  for (auto& [pid, p] : it->second.members) {
    if (p->content) continue;
    auto c = connections_.find(p->connection);
    if (c != connections_.end()) Send(c->second, "", roster);
  }
  Emit(shown);
}

// ----- Media callbacks --------------------------------------------------------------------------

void Bridge::OnMediaConnected(ParticipantId id, const std::string& srtp_profile) {
  control_.Post([this, id, srtp_profile] {
    auto it = participants_.find(id);
    if (it == participants_.end()) return;
    Participant& p = *it->second;
    LogScope scope(p.conference_id, p.site_id);
    p.media_status = MediaStatus::kConnected;
    p.protection = srtp_profile;
    spdlog::info("site {}: media connected ({})", p.site_id, srtp_profile);
    if (auto cf = conferences_.find(p.conference_id);
        cf != conferences_.end() && cf->second.row.classified && p.watcher.empty()) {
      auto refusal = RefuseProtection(cf->second.row, srtp_profile);
      Audit(p.site_id, refusal ? "media-refused" : "media", p.conference_id,
            json{{"protection", srtp_profile}}.dump());
      if (refusal) {
        spdlog::warn("site {}: {}", p.site_id, refusal->reason);
        return RemoveParticipant(id, refusal->reason, true);
      }
    }
    if (Link* link = LinkOfParticipant(id)) link->backoff.Reset(), link->attempts = 0;  // It works.
    if (SipCall* call = SipCallOf(p.connection)) call->attempts = 0;
    auto c = connections_.find(p.connection);
    if (c != connections_.end())
      Send(c->second, "", event::MediaState{MediaStatus::kConnected, srtp_profile});
    if (p.watcher.empty()) BroadcastRoster(p.conference_id);
  });
}

void Bridge::OnSendSize(ParticipantId id, int width, int height, int tiles) {
  control_.Post([this, id, width, height, tiles] {
    auto it = participants_.find(id);
    if (it == participants_.end() || it->second->content || !it->second->watcher.empty()) return;
    Participant& p = *it->second;
    if (IsLinkSite(p.site_id)) {  // The other MCU makes what it sends this link that size.
      p.shown_width = width, p.shown_height = height;
      if (auto conf = conferences_.find(p.conference_id); conf != conferences_.end())
        TellLinks(conf->second);
    }
    auto c = connections_.find(p.connection);
    if (c != connections_.end()) Send(c->second, "", event::Layout{tiles, width, height});
  });
}

void Bridge::OnKeyframeWanted(ParticipantId id) {
  control_.Post([this, id] {
    auto it = participants_.find(id);
    if (it == participants_.end()) return;
    auto c = connections_.find(it->second->connection);
    if (c != connections_.end()) Send(c->second, "", event::KeyframeWanted{});
  });
}

void Bridge::OnRoomActiveSpeaker(const std::string& room, ParticipantId id) {
  control_.Post([this, room, id] {
    auto conf = conferences_.find(room);
    auto it = participants_.find(id);
    if (conf == conferences_.end() || it == participants_.end()) return;
    if (it->second->conference_id != room) return;  // Gone elsewhere since.
    conf->second.heard = id;
    SetSpeaker(conf->second, id);
  });
}

void Bridge::SetSpeaker(Conference& conf, ParticipantId id) {
  MCU_DCHECK_RUN_ON(&control_);
  if (conf.speaker == id || !participants_.count(id)) return;
  conf.speaker = id;
  if (conf.room) conf.room->SetActiveSpeaker(id);
  NotifySpeaker(conf);
}

void Bridge::NotifySpeaker(Conference& conf) {
  MCU_DCHECK_RUN_ON(&control_);
  const ParticipantId id = conf.speaker;
  if (!participants_.count(id)) return;
  const std::string& site = participants_[id]->site_id;
  event::Speaker e{conf.row.id, Pid(id), site, SpeakerName(conf)};
  for (auto& [pid, p] : conf.members) {
    if (p->content) continue;
    auto c = connections_.find(p->connection);
    if (c != connections_.end()) Send(c->second, "", e);
  }
  Emit(console::Speaker{conf.row.id, site});
  TellLinks(conf);  // The links this MCU dials hear it in their `link`.
}

std::string Bridge::SpeakerName(const Conference& conf) {
  MCU_DCHECK_RUN_ON(&control_);
  auto it = participants_.find(conf.speaker);
  if (it == participants_.end()) return "";
  const Participant& p = *it->second;
  // A link speaks for the other conference: the name is of who speaks there.
  const Link* link = LinkOfParticipant(p.id);
  const std::string& far = link ? link->far.speaker : p.far_side.speaker;
  if (!far.empty()) return far;
  return sites_.count(p.site_id) ? sites_[p.site_id].name : p.site_id;
}

void Bridge::OnMediaClosed(ParticipantId id) {
  control_.Post([this, id] {
    auto it = participants_.find(id);
    if (it == participants_.end()) return;
    RemoveParticipant(id, "hung up", true);
  });
}

void Bridge::OnMediaFailed(ParticipantId id, const std::string& reason) {
  control_.Post([this, id, reason] {
    auto it = participants_.find(id);
    if (it == participants_.end()) return;
    Participant& p = *it->second;
    LogScope scope(p.conference_id, p.site_id);
    spdlog::warn("site {}: media failed: {}", p.site_id, reason);
    if (!p.content && p.watcher.empty())
      monitor_->MediaFailed(now_ms(), p.conference_id, p.site_id, reason);
    auto c = connections_.find(p.connection);
    if (c != connections_.end()) {
      Send(c->second, "", event::MediaState{MediaStatus::kFailed, reason});
      SendError(c->second, "", ErrorCode::kMediaFailed, reason);
    }
    RemoveParticipant(id, "media failed: " + reason, true);
  });
}

void Bridge::SendError(Connection& c, const std::string& reply_to, ErrorCode code,
                       std::string message) {
  Send(c, reply_to, event::Error{code, std::move(message)});
}

void Bridge::Send(Connection& c, const std::string& reply_to, decltype(EndpointEvent::body) body) {
  c.link->Send(EndpointEvent{reply_to, std::move(body)});
}

}  // namespace mcu
