#include "mcu/bridge.h"

#include <nlohmann/json.hpp>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <future>

#include "mcu/log.h"
#include "mcu/schedule.h"
#include "mcu/secrets.h"

namespace mcu {

using nlohmann::json;

const char* ToString(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest: return "bad_request";
    case ErrorCode::kUnauthorized: return "unauthorized";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kFull: return "full";
    case ErrorCode::kForbidden: return "forbidden";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kMediaFailed: return "media_failed";
    case ErrorCode::kInternal: break;
  }
  return "internal";
}

ErrorCode ErrorCodeFromString(const std::string& name) {
  for (auto code : {ErrorCode::kBadRequest, ErrorCode::kUnauthorized, ErrorCode::kNotFound, ErrorCode::kConflict,
                    ErrorCode::kFull, ErrorCode::kForbidden, ErrorCode::kTooLarge, ErrorCode::kRateLimited,
                    ErrorCode::kMediaFailed})
    if (name == ToString(code)) return code;
  return ErrorCode::kInternal;
}

namespace {

std::string Pid(ParticipantId id) { return "p" + std::to_string(id); }

LayoutKind ToLayoutKind(const std::string& s) {
  if (s == "speaker") return LayoutKind::kSpeaker;
  if (s == "single") return LayoutKind::kSingle;
  if (s == "presenter") return LayoutKind::kPresenter;
  return LayoutKind::kGrid;
}

constexpr int64_t kFlowWindowMs = 3000;  // Media "flows" if packets arrived this recently.

}  // namespace

Bridge::Bridge(const Config& config, Store* store, MediaEngine* media, Options options)
    : config_(config),
      store_(store),
      media_(media),
      options_(options),
      clock_source_(options.clock ? options.clock : &SystemClock()) {
  const Config::Alarms& a = config_.alarms;
  monitor_ = std::make_unique<Monitor>(
      AlarmThresholds{a.loss_warning_pct, a.loss_critical_pct, a.no_media_s, a.rtt_ms, a.clear_after_s}, store_,
      [this](const std::string& event) { Emit(event); });
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
      conf.room.reset();
    }
  });
}

void Bridge::Flush() { control_.Invoke([] {}); }

template <typename Fn>
auto Bridge::OnControl(Fn&& fn) -> decltype(fn()) {
  std::optional<decltype(fn())> result;
  control_.Invoke([&] {
    if (shut_down_) return;
    result.emplace(fn());
  });
  if (!result) return MakeError(ErrorKind::kInternal, "the MCU is shutting down");
  return std::move(*result);
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
      Emit(json{{"type", "site"}, {"site", it->second.site_id}, {"state", "offline"}}.dump());
    }
    connections_.erase(it);
  });
}

void Bridge::OnEndpointRequest(ConnectionId id, EndpointRequest request) {
  control_.Post([this, id, request = std::move(request)]() mutable { Handle(id, request); });
}

void Bridge::Handle(ConnectionId id, EndpointRequest& r) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = it->second;
  using T = EndpointRequest::Type;
  if (r.type == T::kPing) return Send(c, r.id, event::Pong{});
  if (r.type == T::kAuth) {
    if (!r.watcher.empty())
      return SendError(c, r.id, ErrorCode::kConflict, "a console preview is authenticated by its session");
    return HandleAuth(c, id, r);
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
        return SendError(c, r.id, ErrorCode::kBadRequest, st.error());
      }
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
    case T::kGetStats: {
      if (!p) return SendError(c, r.id, ErrorCode::kConflict, "not in a conference");
      return Send(c, r.id, event::Stats{p->media->StatsJson()});
    }
    default:
      return SendError(c, r.id, ErrorCode::kBadRequest, "unsupported request");
  }
}

void Bridge::HandleAuth(Connection& c, ConnectionId id, const EndpointRequest& r) {
  if (!c.site_id.empty())
    return SendError(c, r.id, ErrorCode::kConflict, "already authenticated");
  const SiteRow* site = nullptr;
  for (const auto& [sid, s] : sites_) {
    if (TokenMatches(r.token, s.token_hash)) site = &s;
  }
  if (!site) {
    spdlog::warn("authentication failed from {}", c.remote_address);
    return SendError(c, r.id, ErrorCode::kUnauthorized, "invalid token");
  }
  // A site has one connection: a room that reconnects after a drop replaces its old one.
  // (Its content connection is separate and replaces only an older content connection.)
  for (auto& [other_id, other] : connections_) {
    if (other_id != id && other.site_id == site->id && other.content_role == r.content) {
      if (other.participant) RemoveParticipant(other.participant, "replaced by a new connection", false);
      other.link->Close("replaced by a new connection from the same site");
      other.site_id.clear();
    }
  }
  c.site_id = site->id;
  c.content_role = r.content;
  spdlog::info("site {} authenticated from {}{}", site->id, c.remote_address, r.content ? " (content)" : "");
  Send(c, r.id, event::Welcome{site->id, site->name});
  Emit(json{{"type", "site"}, {"site", site->id}, {"state", "online"}}.dump());
  CallIdleSites(true, site->id);  // A room coming back is ordered straight into its open conference.
}

std::string Bridge::Refusal(const Conference& conf, const std::string& site, ErrorCode* code) const {
  *code = ErrorCode::kForbidden;
  auto m = conf.members_cfg.find(site);
  bool invited = m != conf.members_cfg.end() && m->second.invited;
  if (m != conf.members_cfg.end() && m->second.kicked) return "removed from this conference by its host";
  if (!conf.open()) {
    *code = ErrorCode::kConflict;
    return "conference '" + conf.row.id + "' is not open";
  }
  // A conference with invitations admits only its invited sites; one without (a permanent
  // conference like the echo test) admits any site.
  if (!invited && !conf.row.invited.empty()) return "not invited to conference '" + conf.row.id + "'";
  if (conf.row.locked && !conf.admitted.count(site)) return "conference '" + conf.row.id + "' is locked";
  if (conf.members.size() >= config_.limits.max_participants) {
    *code = ErrorCode::kFull;
    return "conference is full";
  }
  return {};
}

void Bridge::HandleJoin(Connection& c, ConnectionId id, const EndpointRequest& r) {
  if (c.participant) return SendError(c, r.id, ErrorCode::kConflict, "already in a conference");
  std::string conf_id = r.conference;
  if (c.content_role) {
    // Content goes to the conference the site is in.
    Connection* main = ConnectionOf(c.site_id);
    if (!main || !main->participant)
      return SendError(c, r.id, ErrorCode::kConflict, "the site shares content only while it is in a conference");
    conf_id = participants_[main->participant]->conference_id;
    if (r.conference != conf_id)
      return SendError(c, r.id, ErrorCode::kConflict, "the site is in conference '" + conf_id + "'");
  }
  auto it = conferences_.find(conf_id);
  if (it == conferences_.end())
    return SendError(c, r.id, ErrorCode::kNotFound, "no conference '" + conf_id + "'");
  Conference& conf = it->second;
  LogScope scope(conf.row.id, c.site_id);
  ErrorCode code;
  if (std::string why = Refusal(conf, c.site_id, &code); !why.empty()) {
    spdlog::info("site {} not admitted to {}: {}", c.site_id, conf_id, why);
    return SendError(c, r.id, code, why);
  }
  if (!EnsureRoom(conf, c, r.id)) return;
  auto p = std::make_unique<Participant>();
  p->id = next_participant_++;
  p->connection = id;
  p->site_id = c.site_id;
  p->conference_id = conf.row.id;
  p->content = c.content_role;
  ParticipantMediaInfo info{sites_[c.site_id].name, r.max_bitrate_kbps, c.content_role};
  if (c.content_role) info.display_name += " (nội dung)";
  auto media = conf.room->AddParticipant(p->id, info, this);
  if (!media) {
    spdlog::error("conference {}: cannot add site {}: {}", conf.row.id, c.site_id, media.error());
    if (conf.empty()) conf.room.reset();
    return SendError(c, r.id, ErrorCode::kInternal, "media unavailable: " + media.error());
  }
  p->media = std::move(*media);
  c.participant = p->id;
  conf.members[p->id] = p.get();
  Admit(conf, c.site_id);
  if (auto rec = store_->OpenCallRecord(conf.row.id, c.site_id + (c.content_role ? "#content" : ""), now_ms()); rec)
    p->call_record = *rec;
  std::string offer = p->media->LocalDescription();
  ParticipantId pid = p->id;
  participants_[pid] = std::move(p);
  spdlog::info("site {} joined conference {}{}", c.site_id, conf.row.id, c.content_role ? " with content" : "");
  Send(c, r.id, event::Joined{conf.row.id, conf.row.title, Pid(pid)});
  Send(c, "", event::Offer{std::move(offer)});
  ApplyMutes(conf, c.site_id);
  ApplyLayout(conf);
  BroadcastRoster(conf.row.id);
  if (!c.content_role) CallIdleSites(true, c.site_id);  // Its content connection, if any, follows it.
}

Status Bridge::MakeRoom(Conference& conf) {
  if (conf.room) return OkStatus();
  RoomMode mode = conf.row.mode == "echo" ? RoomMode::kEcho : RoomMode::kMix;
  auto room = media_->CreateRoom(conf.row.id, mode);
  if (!room) {
    spdlog::error("conference {}: cannot create media room: {}", conf.row.id, room.error());
    return MakeError("media room unavailable: " + room.error());
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
  if (!conf.admitted.insert(site).second) return;
  MemberRow& m = MemberOf(conf, site);  // Kept in the store: a lock outlives a restart.
  m.admitted = true;
  (void)store_->PutMember(m);
}

void Bridge::HandleWatch(Connection& c, ConnectionId id, const EndpointRequest& r) {
  if (c.participant) return SendError(c, r.id, ErrorCode::kConflict, "already watching a conference");
  auto it = conferences_.find(r.conference);
  if (it == conferences_.end())
    return SendError(c, r.id, ErrorCode::kNotFound, "no conference '" + r.conference + "'");
  Conference& conf = it->second;
  if (!conf.open()) return SendError(c, r.id, ErrorCode::kConflict, "conference '" + conf.row.id + "' is not open");
  if (conf.row.mode == "echo")
    return SendError(c, r.id, ErrorCode::kConflict, "an echo conference has no composite to preview");
  if (conf.watchers.size() >= kMaxWatchers)
    return SendError(c, r.id, ErrorCode::kFull, "too many previews of this conference");
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
  LogScope scope(conf.row.id);
  spdlog::info("console user {} previews conference {} from {}", r.watcher, conf.row.id, c.remote_address);
  Audit(r.watcher, "preview", conf.row.id);
  Send(c, r.id, event::Joined{conf.row.id, conf.row.title, Pid(pid)});
  Send(c, "", event::Offer{std::move(offer)});
}

std::vector<ParticipantId> Bridge::Everyone(const Conference& conf) {
  std::vector<ParticipantId> ids;
  for (const auto& [pid, p] : conf.members)
    if (!p->content) ids.push_back(pid);
  for (const auto& [pid, p] : conf.watchers) ids.push_back(pid);
  return ids;
}

void Bridge::RemoveParticipant(ParticipantId id, const std::string& reason, bool notify) {
  auto it = participants_.find(id);
  if (it == participants_.end()) return;
  Participant& p = *it->second;
  std::string conf_id = p.conference_id;
  if (!p.watcher.empty()) {
    spdlog::info("console user {} stops previewing conference {} ({})", p.watcher, conf_id, reason);
    if (auto cit = connections_.find(p.connection); cit != connections_.end()) {
      cit->second.participant = 0;
      if (notify) Send(cit->second, "", event::Left{conf_id, reason});
    }
    Conference& conf = conferences_[conf_id];
    conf.watchers.erase(id);
    participants_.erase(id);  // Closes the media endpoint.
    if (conf.empty()) conf.room.reset();
    return;
  }
  LogScope scope(conf_id, p.site_id);
  spdlog::info("site {} left conference {}{} ({})", p.site_id, conf_id, p.content ? " (content)" : "", reason);
  CallQuality quality = monitor_->Left(now_ms(), id, conf_id, p.site_id);
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
  if (conf.empty()) conf.room.reset();
  else ApplyLayout(conf);
  BroadcastRoster(conf_id);
}

void Bridge::BroadcastRoster(const std::string& conference_id) {
  auto it = conferences_.find(conference_id);
  if (it == conferences_.end()) return;
  event::Roster roster{conference_id, {}};
  json list = json::array();
  for (auto& [pid, p] : it->second.members) {
    std::string name = sites_[p->site_id].name + (p->content ? " (nội dung)" : "");
    roster.participants.push_back({Pid(pid), p->site_id, name, p->media_state});
    list.push_back({{"id", Pid(pid)}, {"site", p->site_id}, {"name", name}, {"media", p->media_state},
                    {"content", p->content}});
  }
  for (auto& [pid, p] : it->second.members) {
    if (p->content) continue;
    auto c = connections_.find(p->connection);
    if (c != connections_.end()) Send(c->second, "", roster);
  }
  Emit(json{{"type", "roster"}, {"conference", conference_id}, {"participants", list}}.dump());
}

// ----- Media callbacks --------------------------------------------------------------------------

void Bridge::OnMediaConnected(ParticipantId id, const std::string& srtp_profile) {
  control_.Post([this, id, srtp_profile] {
    auto it = participants_.find(id);
    if (it == participants_.end()) return;
    Participant& p = *it->second;
    LogScope scope(p.conference_id, p.site_id);
    p.media_state = "connected";
    spdlog::info("site {}: media connected ({})", p.site_id, srtp_profile);
    if (Link* link = LinkOfParticipant(id)) link->backoff.Reset(), link->attempts = 0;  // It works.
    auto c = connections_.find(p.connection);
    if (c != connections_.end()) Send(c->second, "", event::MediaState{"connected", srtp_profile});
    if (p.watcher.empty()) BroadcastRoster(p.conference_id);
  });
}

void Bridge::OnSendSize(ParticipantId id, int width, int height, int tiles) {
  control_.Post([this, id, width, height, tiles] {
    auto it = participants_.find(id);
    if (it == participants_.end() || it->second->content || !it->second->watcher.empty()) return;
    auto c = connections_.find(it->second->connection);
    if (c != connections_.end()) Send(c->second, "", event::Layout{tiles, width, height});
  });
}

void Bridge::OnActiveSpeaker(ParticipantId id) {
  control_.Post([this, id] {
    // Every participant's listener hears it: act once per change.
    auto it = participants_.find(id);
    if (it == participants_.end()) return;
    SetSpeaker(conferences_[it->second->conference_id], id);
  });
}

void Bridge::SetSpeaker(Conference& conf, ParticipantId id) {
  if (conf.speaker == id || !participants_.count(id)) return;
  conf.speaker = id;
  if (conf.room) conf.room->SetActiveSpeaker(id);
  const std::string& site = participants_[id]->site_id;
  event::Speaker e{conf.row.id, Pid(id), site, sites_.count(site) ? sites_[site].name : site};
  // A link speaks for the other conference: the name is of who speaks there.
  if (Link* link = LinkOfParticipant(id); link && !link->remote_speaker.empty()) e.name = link->remote_speaker;
  for (auto& [pid, p] : conf.members) {
    if (p->content) continue;
    auto c = connections_.find(p->connection);
    if (c != connections_.end()) Send(c->second, "", e);
  }
  Emit(json{{"type", "speaker"}, {"conference", conf.row.id}, {"site", site}}.dump());
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
    if (!p.content && p.watcher.empty()) monitor_->MediaFailed(now_ms(), p.conference_id, p.site_id, reason);
    auto c = connections_.find(p.connection);
    if (c != connections_.end()) {
      Send(c->second, "", event::MediaState{"failed", reason});
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

// ----- Schedule -----------------------------------------------------------------------------

void Bridge::Tick() {
  if (control_.IsCurrent()) return RunSchedule();
  control_.Invoke([this] { RunSchedule(); });
}

void Bridge::RunSchedule() {
  if (shut_down_) return;
  int64_t now = now_ms() / 1000;
  for (auto& [id, conf] : conferences_) {
    switch (Due(conf.row, now, options_.grace_s)) {
      case ScheduleAction::kOpen: Open(conf, "scheduler"); break;
      case ScheduleAction::kClose: Close(conf, "scheduler", "the conference ended"); break;
      case ScheduleAction::kNone: break;
    }
  }
  CallIdleSites(false);
  UpdateLinks(now_ms());
  SampleMedia(now_ms());
}

void Bridge::Open(Conference& conf, const std::string& actor) {
  LogScope scope(conf.row.id);
  conf.row.state = "open";
  if (!conf.admitted.empty()) {  // Left from a run that never closed (the store says so at start).
    for (auto& [site, m] : conf.members_cfg)
      if (m.admitted) m.admitted = false, (void)store_->PutMember(m);
    conf.admitted.clear();
  }
  (void)Save(conf);
  spdlog::info("conference {} opens ({})", conf.row.id, actor);
  Audit(actor, "open", conf.row.id);
  Emit(json{{"type", "conference"}, {"conference", conf.row.id}, {"state", "open"}}.dump());
  for (auto& [id, c] : connections_) c.last_call_ms = 0;
  CallIdleSites(true);
  UpdateLinks(now_ms());  // Its links dial now.
}

void Bridge::Close(Conference& conf, const std::string& actor, const std::string& reason) {
  LogScope scope(conf.row.id);
  for (ParticipantId pid : Everyone(conf)) RemoveParticipant(pid, reason, true);
  int64_t now = now_ms() / 1000;
  if (auto next = NextOccurrence(conf.row, now, options_.grace_s)) {
    conf.row.start_at = next->first;
    conf.row.end_at = next->second;
    conf.row.state = "scheduled";
  } else {
    conf.row.state = "ended";
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
    it->second.muted_audio = it->second.muted_video = it->second.kicked = it->second.admitted = false;
    ++it;
  }
  (void)Save(conf);
  spdlog::info("conference {} closes ({}): next {}", conf.row.id, actor,
               conf.row.state == "ended" ? std::string("none") : FormatTime(conf.row.start_at));
  Audit(actor, "close", conf.row.id, json{{"state", conf.row.state}}.dump());
  UpdateLinks(now_ms());  // Its links hang up.
  monitor_->Closed(now_ms(), conf.row.id);
  Emit(json{{"type", "conference"}, {"conference", conf.row.id}, {"state", conf.row.state}}.dump());
}

void Bridge::CallIdleSites(bool now_all, const std::string& site) {
  const int64_t now = now_ms();
  for (auto& [id, c] : connections_) {
    if (c.site_id.empty() || c.participant || (!site.empty() && c.site_id != site)) continue;
    if (!now_all && now - c.last_call_ms < options_.call_retry_s * 1000) continue;
    if (c.content_role) {
      // A site's content connection is called into the conference the site is in.
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
      ErrorCode code;
      if (!Refusal(conf, c.site_id, &code).empty()) continue;
      c.last_call_ms = now;
      spdlog::info("calling site {} into conference {}", c.site_id, cid);
      Send(c, "", event::Call{cid, conf.row.title});
      break;
    }
  }
}

void Bridge::SampleMedia(int64_t now) {
  int open = 0;
  size_t in = 0;  // Sites' participants (previews are not counted).
  for (auto& [id, conf] : conferences_) {
    if (conf.open()) ++open;
    in += conf.members.size();
    if (conf.room && !conf.members.empty()) {
      std::vector<Monitor::Member> members;
      for (const auto& [pid, p] : conf.members)
        members.push_back({pid, p->site_id, p->content, p->media_state == "connected"});
      monitor_->Sample(now, id, members, conf.room->Stats());
      for (auto& [pid, p] : conf.members) {
        if (monitor_->Flowing(pid, false)) p->audio_seen_ms = now;
        if (monitor_->Flowing(pid, true)) p->video_seen_ms = now;
      }
      if (event_sink_) {
        json stats = monitor_->ConferenceJson(id);
        stats["type"] = "stats";
        Emit(stats.dump());
      }
    }
    // Invited sites not connected to the MCU, once a scheduled conference has opened (its start
    // minus its lead time): a warning until its start, critical after.
    if (conf.row.permanent() || !conf.open()) continue;
    for (const auto& [site, m] : conf.members_cfg) {
      if (!m.invited) continue;
      std::optional<Severity> offline;  // A kicked site is not expected: its alarm clears.
      if (!m.kicked && !Online(site)) offline = now / 1000 >= conf.row.start_at ? Severity::kCritical : Severity::kWarning;
      monitor_->Offline(now, id, site, offline);
    }
  }
  monitor_->SampleProcess(now, open, static_cast<int>(in));
}

// ----- Live control -----------------------------------------------------------------------------

Expected<Bridge::Conference*> Bridge::Find(const std::string& id) {
  auto it = conferences_.find(id);
  if (it == conferences_.end()) return MakeError(ErrorKind::kNotFound, "no conference '" + id + "'");
  return &it->second;
}

MemberRow& Bridge::MemberOf(Conference& conf, const std::string& site) {
  MemberRow& m = conf.members_cfg[site];
  if (m.site_id.empty()) m = MemberRow{conf.row.id, site, false, false, false, false};  // Not invited.
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
}

void Bridge::ApplyLayout(Conference& conf) {
  if (!conf.room) return;
  conf.room->SetLayout(ToLayoutKind(conf.row.layout), MainParticipant(conf, conf.row.spotlight));
}

Status Bridge::Save(Conference& conf) {
  auto st = store_->UpdateConference(conf.row);
  if (!st) spdlog::error("conference {}: cannot save: {}", conf.row.id, st.error());
  return st;
}

void Bridge::Audit(const std::string& actor, const std::string& action, const std::string& target,
                   const std::string& detail_json) {
  if (auto st = store_->Audit(actor, action, target, detail_json); !st)
    spdlog::error("audit log: {}", st.error());
  Emit(json{{"type", "control"},
            {"actor", actor},
            {"action", action},
            {"target", target},
            {"detail", json::parse(detail_json, nullptr, false)}}
           .dump());
}

void Bridge::Emit(const std::string& text) {
  if (event_sink_) event_sink_(text);
}

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
  return MakeError("the meeting would already be over: its end (" + FormatTime(c.end_at) + ") is in the past");
}

json ConferenceAudit(const ConferenceRow& c) {
  auto time = [](int64_t t) { return t ? json(FormatTime(t)) : json(nullptr); };
  return {{"title", c.title}, {"start", time(c.start_at)}, {"end", time(c.end_at)}, {"invited", c.invited}};
}
}  // namespace

Status Bridge::CreateConference(const std::string& actor, const ConferenceRow& c) {
  return OnControl([&]() -> Status {
    if (auto st = ValidateConference(c); !st) return st;
    if (auto st = CheckNotOver(c, options_.grace_s, now_ms() / 1000); !st) return st;
    for (const auto& s : c.invited)
      if (!sites_.count(s)) return MakeError("no site '" + s + "'");
    ConferenceRow row = c;
    row.state = "scheduled";
    if (auto st = store_->InsertConference(row); !st) return MakeError(ErrorKind::kConflict, st.error());
    Conference& conf = conferences_[row.id];
    conf.row = row;
    for (auto& m : store_->Members(row.id)) conf.members_cfg[m.site_id] = m;
    Audit(actor, "create-conference", row.id,
          ConferenceAudit(row).dump());
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
    if (c.start_at != conf.row.start_at || c.end_at != conf.row.end_at || c.recurrence != conf.row.recurrence)
      if (auto st = CheckNotOver(c, options_.grace_s, now_ms() / 1000); !st) return st;
    for (const auto& s : c.invited)
      if (!sites_.count(s)) return MakeError("no site '" + s + "'");
    ConferenceRow row = c;
    row.state = conf.row.state, row.locked = conf.row.locked, row.spotlight = conf.row.spotlight;
    // An ended conference given a window still ahead is scheduled again.
    if (row.state == "ended" && !row.permanent() && row.end_at + options_.grace_s > now_ms() / 1000)
      row.state = "scheduled";
    if (auto st = store_->UpdateConference(row); !st) return st;
    conf.row = row;
    conf.members_cfg.clear();
    for (auto& m : store_->Members(row.id)) conf.members_cfg[m.site_id] = m;
    ApplyLayout(conf);
    Audit(actor, "update-conference", row.id,
          ConferenceAudit(row).dump());
    RunSchedule();
    return OkStatus();
  });
}

Status Bridge::DeleteConference(const std::string& actor, const std::string& id) {
  return OnControl([&]() -> Status {
    auto found = Find(id);
    if (!found) return found.failure();
    if ((*found)->open() && !(*found)->row.permanent()) Close(**found, actor, "the conference was deleted");
    for (ParticipantId pid : Everyone(**found)) RemoveParticipant(pid, "the conference was deleted", true);
    if (auto st = store_->DeleteConference(id); !st) return st;
    conferences_.erase(id);
    Audit(actor, "delete-conference", id);
    return OkStatus();
  });
}

Status Bridge::StartConference(const std::string& actor, const std::string& id) {
  return OnControl([&]() -> Status {
    auto found = Find(id);
    if (!found) return found.failure();
    Conference& conf = **found;
    if (conf.row.permanent()) return MakeError(ErrorKind::kConflict, "a permanent conference is always open");
    if (conf.row.state == "open") return MakeError(ErrorKind::kConflict, "the conference is already open");
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
  return OnControl([&]() -> Status {
    auto found = Find(id);
    if (!found) return found.failure();
    Conference& conf = **found;
    if (conf.row.permanent()) return MakeError(ErrorKind::kConflict, "a permanent conference cannot be stopped");
    if (conf.row.state != "open") return MakeError(ErrorKind::kConflict, "the conference is not open");
    Close(conf, actor, "the host ended the conference");
    return OkStatus();
  });
}

Status Bridge::Mute(const std::string& actor, const std::string& conference, const std::string& site,
                    std::optional<bool> audio, std::optional<bool> video) {
  return OnControl([&]() -> Status {
    auto found = Find(conference);
    if (!found) return found.failure();
    Conference& conf = **found;
    if (!sites_.count(site)) return MakeError(ErrorKind::kNotFound, "no site '" + site + "'");
    if (!audio && !video) return MakeError("say what to mute: audio and/or video");
    MemberRow& m = MemberOf(conf, site);
    if (audio) m.muted_audio = *audio;
    if (video) m.muted_video = *video;
    if (auto st = store_->PutMember(m); !st) return st;
    ApplyMutes(conf, site);
    json detail = json::object();
    if (audio) detail["audio"] = *audio;
    if (video) detail["video"] = *video;
    Audit(actor, "mute", conference + "/" + site, detail.dump());
    return OkStatus();
  });
}

Status Bridge::MuteAllButHost(const std::string& actor, const std::string& conference, bool muted) {
  return OnControl([&]() -> Status {
    auto found = Find(conference);
    if (!found) return found.failure();
    Conference& conf = **found;
    std::set<std::string> sites(conf.row.invited.begin(), conf.row.invited.end());
    for (auto& [pid, p] : conf.members) sites.insert(p->site_id);
    for (const auto& site : sites) {
      if (site == conf.row.host_site) continue;
      MemberRow& m = MemberOf(conf, site);
      m.muted_audio = muted;
      if (auto st = store_->PutMember(m); !st) return st;
      ApplyMutes(conf, site);
    }
    Audit(actor, muted ? "mute-all" : "unmute-all", conference, json{{"except", conf.row.host_site}}.dump());
    return OkStatus();
  });
}

Status Bridge::Kick(const std::string& actor, const std::string& conference, const std::string& site) {
  return OnControl([&]() -> Status {
    auto found = Find(conference);
    if (!found) return found.failure();
    Conference& conf = **found;
    if (!sites_.count(site)) return MakeError(ErrorKind::kNotFound, "no site '" + site + "'");
    MemberRow& m = MemberOf(conf, site);
    m.kicked = true;
    if (auto st = store_->PutMember(m); !st) return st;
    if (ParticipantId pid = MainParticipant(conf, site)) RemoveParticipant(pid, "removed by the host", true);
    Audit(actor, "kick", conference + "/" + site);
    UpdateLinks(now_ms());
    return OkStatus();
  });
}

Status Bridge::Call(const std::string& actor, const std::string& conference, const std::string& site) {
  return OnControl([&]() -> Status {
    auto found = Find(conference);
    if (!found) return found.failure();
    Conference& conf = **found;
    if (!sites_.count(site)) return MakeError(ErrorKind::kNotFound, "no site '" + site + "'");
    MemberRow& m = MemberOf(conf, site);
    m.kicked = false;
    if (auto st = store_->PutMember(m); !st) return st;
    Audit(actor, "call", conference + "/" + site);
    if (sites_[site].link.dials()) {  // A link this MCU dials: at once, whatever its backoff.
      if (auto l = links_.find(site); l != links_.end() && !l->second.out) l->second.retry_at_ms = 0;
      UpdateLinks(now_ms());
      return OkStatus();
    }
    Connection* c = ConnectionOf(site);
    if (!c) return MakeError(ErrorKind::kConflict, "site '" + site + "' is offline");
    if (c->participant) return MakeError(ErrorKind::kConflict, "site '" + site + "' is in a conference");
    ErrorCode code;
    if (std::string why = Refusal(conf, site, &code); !why.empty()) return MakeError(ErrorKind::kConflict, why);
    c->last_call_ms = now_ms();
    Send(*c, "", event::Call{conference, conf.row.title});
    return OkStatus();
  });
}

Status Bridge::Spotlight(const std::string& actor, const std::string& conference, const std::string& site) {
  return OnControl([&]() -> Status {
    auto found = Find(conference);
    if (!found) return found.failure();
    Conference& conf = **found;
    if (!site.empty() && !sites_.count(site)) return MakeError(ErrorKind::kNotFound, "no site '" + site + "'");
    if (!site.empty()) {
      auto m = conf.members_cfg.find(site);
      bool invited = m != conf.members_cfg.end() && m->second.invited;
      bool in = std::any_of(conf.members.begin(), conf.members.end(),
                            [&](const auto& e) { return e.second->site_id == site; });
      if (!invited && !in)
        return MakeError(ErrorKind::kConflict, "site '" + site + "' is neither invited to nor in '" + conference + "'");
    }
    conf.row.spotlight = site;
    if (auto st = Save(conf); !st) return st;
    ApplyLayout(conf);
    Audit(actor, "spotlight", conference, json{{"site", site}}.dump());
    Emit(json{{"type", "layout"}, {"conference", conference}, {"layout", conf.row.layout}, {"spotlight", site}}.dump());
    return OkStatus();
  });
}

Status Bridge::SetLayout(const std::string& actor, const std::string& conference, const std::string& layout) {
  return OnControl([&]() -> Status {
    auto found = Find(conference);
    if (!found) return found.failure();
    Conference& conf = **found;
    ConferenceRow row = conf.row;
    row.layout = layout;
    if (auto st = ValidateConference(row); !st) return st;
    conf.row.layout = layout;
    if (auto st = Save(conf); !st) return st;
    ApplyLayout(conf);
    Audit(actor, "layout", conference, json{{"layout", layout}}.dump());
    Emit(json{{"type", "layout"}, {"conference", conference}, {"layout", layout}, {"spotlight", conf.row.spotlight}}
             .dump());
    return OkStatus();
  });
}

Status Bridge::Lock(const std::string& actor, const std::string& conference, bool locked) {
  return OnControl([&]() -> Status {
    auto found = Find(conference);
    if (!found) return found.failure();
    Conference& conf = **found;
    conf.row.locked = locked;
    if (auto st = Save(conf); !st) return st;
    Audit(actor, locked ? "lock" : "unlock", conference);
    return OkStatus();
  });
}

LiveConference Bridge::Live(const Conference& conf) {
  LiveConference out;
  out.row = conf.row;
  int64_t now = now_ms();
  std::vector<std::string> order = conf.row.invited;
  for (const auto& [pid, p] : conf.members)
    if (std::find(order.begin(), order.end(), p->site_id) == order.end()) order.push_back(p->site_id);
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
      s.link = LiveSite::Link{link.state, link.detail, link.remote_title, link.remote_speaker,
                              link.remote_muted_audio, link.remote_muted_video, link.attempts};
    }
    if (Online(site)) {
      s.state = "online";
      if (Participant* in = SiteParticipant(site)) {
        Participant& p = *in;
        if (p.conference_id != conf.row.id) {
          s.elsewhere = p.conference_id;
        } else {
          s.participant_id = Pid(p.id);
          s.state = "joined";
          bool audio = p.audio_seen_ms && now - p.audio_seen_ms < kFlowWindowMs;
          bool video = p.video_seen_ms && now - p.video_seen_ms < kFlowWindowMs;
          if (audio) s.state = video ? "video" : "audio";
          s.speaking = conf.speaker == p.id;
          for (const auto& [cid, other] : connections_)
            s.content |= other.content_role && other.site_id == site && other.participant &&
                         participants_[other.participant]->conference_id == conf.row.id;
        }
      }
    }
    if (conf.speaker && participants_.count(conf.speaker) && participants_[conf.speaker]->site_id == site)
      out.speaker = site;
    out.sites.push_back(std::move(s));
  }
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
      if (Online(site)) out[site] = link.participant ? participants_[link.participant]->conference_id : "";
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

Expected<std::string> Bridge::SiteHistory(const std::string& conference, const std::string& site, int seconds) {
  return OnControl([&]() -> Expected<std::string> {
    auto found = Find(conference);
    if (!found) return found.failure();
    if (seconds > kSecondHistoryS) {
      json whole = monitor_->ConferenceHistoryJson(conference, site);
      if (!whole.is_null()) return whole.dump();
      return MakeError(ErrorKind::kNotFound, "site '" + site + "' has had no media in conference '" + conference + "'");
    }
    for (const auto& [pid, p] : (*found)->members)
      if (p->site_id == site && !p->content) return monitor_->HistoryJson(pid, seconds).dump();
    return MakeError(ErrorKind::kNotFound, "site '" + site + "' is not in conference '" + conference + "'");
  });
}

bool Bridge::Ready() {
  bool ready = false;
  control_.Invoke([&] { ready = !shut_down_; });
  return ready;
}



}  // namespace mcu
