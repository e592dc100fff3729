#include "mcu/bridge.h"

#include <spdlog/spdlog.h>

#include "mcu/secrets.h"

namespace mcu {

const char* ToString(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest: return "bad_request";
    case ErrorCode::kUnauthorized: return "unauthorized";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kFull: return "full";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kMediaFailed: return "media_failed";
    case ErrorCode::kInternal: break;
  }
  return "internal";
}

Bridge::Bridge(const Config& config, MediaEngine* media) : config_(config), media_(media) {
  for (const auto& s : config_.sites) sites_[s.id] = s;
  for (const auto& c : config_.conferences) conferences_[c.id].config = c;
}

Bridge::~Bridge() { Shutdown(); }

void Bridge::Shutdown() {
  if (control_.IsCurrent()) return;
  control_.Invoke([this] {
    if (shut_down_) return;
    shut_down_ = true;
    for (auto& [id, c] : connections_) c.link->Close("server shutting down");
    connections_.clear();
    participants_.clear();  // Media endpoints close their transports.
    for (auto& [id, conf] : conferences_) {
      conf.members.clear();
      conf.room.reset();
    }
  });
}

void Bridge::Flush() { control_.Invoke([] {}); }

Bridge::Counts Bridge::counts() {
  Counts n;
  control_.Invoke([&] {
    n.connections = connections_.size();
    for (auto& [id, c] : connections_) n.authenticated += !c.site_id.empty();
    n.participants = participants_.size();
  });
  return n;
}

void Bridge::OnEndpointOpen(ConnectionId id, std::shared_ptr<EndpointConnection> link,
                            const std::string& remote_address) {
  control_.Post([this, id, link = std::move(link), remote_address]() mutable {
    if (shut_down_) {
      link->Close("server shutting down");
      return;
    }
    connections_[id] = Connection{std::move(link), remote_address, {}, 0};
  });
}

void Bridge::OnEndpointClosed(ConnectionId id) {
  control_.Post([this, id] {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    if (it->second.participant) RemoveParticipant(it->second.participant, "disconnected", false);
    if (!it->second.site_id.empty())
      spdlog::info("site {} disconnected ({})", it->second.site_id, it->second.remote_address);
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
  if (r.type == T::kAuth) return HandleAuth(c, id, r);
  if (c.site_id.empty())
    return SendError(c, r.id, ErrorCode::kUnauthorized, "authenticate first (type \"auth\")");
  Participant* p = c.participant ? participants_[c.participant].get() : nullptr;
  switch (r.type) {
    case T::kJoin:
      return HandleJoin(c, id, r);
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
  const SiteConfig* site = nullptr;
  for (const auto& [sid, s] : sites_) {
    if (TokenMatches(r.token, s.token_hash)) site = &s;
  }
  if (!site) {
    spdlog::warn("authentication failed from {}", c.remote_address);
    return SendError(c, r.id, ErrorCode::kUnauthorized, "invalid token");
  }
  // A site has one connection: a room that reconnects after a drop replaces its old one.
  for (auto& [other_id, other] : connections_) {
    if (other_id != id && other.site_id == site->id) {
      if (other.participant) RemoveParticipant(other.participant, "replaced by a new connection", false);
      other.link->Close("replaced by a new connection from the same site");
      other.site_id.clear();
    }
  }
  c.site_id = site->id;
  spdlog::info("site {} authenticated from {}", site->id, c.remote_address);
  Send(c, r.id, event::Welcome{site->id, site->name});
}

void Bridge::HandleJoin(Connection& c, ConnectionId id, const EndpointRequest& r) {
  if (c.participant) return SendError(c, r.id, ErrorCode::kConflict, "already in a conference");
  auto it = conferences_.find(r.conference);
  if (it == conferences_.end())
    return SendError(c, r.id, ErrorCode::kNotFound, "no conference '" + r.conference + "'");
  Conference& conf = it->second;
  if (conf.members.size() >= config_.limits.max_participants)
    return SendError(c, r.id, ErrorCode::kFull, "conference is full");
  if (!conf.room) {
    RoomMode mode = conf.config.mode == "echo" ? RoomMode::kEcho : RoomMode::kMix;
    auto room = media_->CreateRoom(conf.config.id, mode);
    if (!room) {
      spdlog::error("conference {}: cannot create media room: {}", conf.config.id, room.error());
      return SendError(c, r.id, ErrorCode::kInternal, "media room unavailable: " + room.error());
    }
    conf.room = std::move(*room);
  }
  auto p = std::make_unique<Participant>();
  p->id = next_participant_++;
  p->connection = id;
  p->site_id = c.site_id;
  p->conference_id = conf.config.id;
  auto media = conf.room->AddParticipant(p->id, {sites_[c.site_id].name, r.max_bitrate_kbps}, this);
  if (!media) {
    spdlog::error("conference {}: cannot add site {}: {}", conf.config.id, c.site_id, media.error());
    return SendError(c, r.id, ErrorCode::kInternal, "media unavailable: " + media.error());
  }
  p->media = std::move(*media);
  c.participant = p->id;
  conf.members[p->id] = p.get();
  std::string offer = p->media->LocalOffer();
  std::string pid = "p" + std::to_string(p->id);
  participants_[p->id] = std::move(p);
  spdlog::info("site {} joined conference {}", c.site_id, conf.config.id);
  Send(c, r.id, event::Joined{conf.config.id, conf.config.title, pid});
  Send(c, "", event::Offer{std::move(offer)});
  BroadcastRoster(conf.config.id);
}

void Bridge::RemoveParticipant(ParticipantId id, const std::string& reason, bool notify) {
  auto it = participants_.find(id);
  if (it == participants_.end()) return;
  Participant& p = *it->second;
  std::string conf_id = p.conference_id;
  spdlog::info("site {} left conference {} ({})", p.site_id, conf_id, reason);
  auto cit = connections_.find(p.connection);
  if (cit != connections_.end()) {
    cit->second.participant = 0;
    if (notify) Send(cit->second, "", event::Left{conf_id, reason});
  }
  Conference& conf = conferences_[conf_id];
  conf.members.erase(id);
  participants_.erase(it);  // Closes the media endpoint.
  // An empty conference keeps no media room: a mixing room composes and encodes continuously.
  if (conf.members.empty()) conf.room.reset();
  BroadcastRoster(conf_id);
}

void Bridge::BroadcastRoster(const std::string& conference_id) {
  auto it = conferences_.find(conference_id);
  if (it == conferences_.end()) return;
  event::Roster roster{conference_id, {}};
  for (auto& [pid, p] : it->second.members) {
    roster.participants.push_back(
        {"p" + std::to_string(pid), p->site_id, sites_[p->site_id].name, p->media_state});
  }
  for (auto& [pid, p] : it->second.members) {
    auto c = connections_.find(p->connection);
    if (c != connections_.end()) Send(c->second, "", roster);
  }
}

void Bridge::OnMediaConnected(ParticipantId id, const std::string& srtp_profile) {
  control_.Post([this, id, srtp_profile] {
    auto it = participants_.find(id);
    if (it == participants_.end()) return;
    Participant& p = *it->second;
    p.media_state = "connected";
    spdlog::info("site {}: media connected ({})", p.site_id, srtp_profile);
    auto c = connections_.find(p.connection);
    if (c != connections_.end()) Send(c->second, "", event::MediaState{"connected", srtp_profile});
    BroadcastRoster(p.conference_id);
  });
}

void Bridge::OnSendSize(ParticipantId id, int width, int height, int tiles) {
  control_.Post([this, id, width, height, tiles] {
    auto it = participants_.find(id);
    if (it == participants_.end()) return;
    auto c = connections_.find(it->second->connection);
    if (c != connections_.end()) Send(c->second, "", event::Layout{tiles, width, height});
  });
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
    spdlog::warn("site {}: media failed: {}", p.site_id, reason);
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

}  // namespace mcu
