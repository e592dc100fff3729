// SIP sites this MCU calls (mcu/bridge.h): a room system, or another vendor's MCU reached by a
// SIP trunk, is called when a scheduled conference that invites it opens, the way idle rooms
// are ordered in. The call is an endpoint connection the bridge opens itself (SipDialer): it
// joins the conference at once, its offer goes out in the INVITE, the callee's answer comes back
// as `answer`. A call that is refused or not answered (sip_ring_timeout_s) is tried again after
// a backoff from the call retry interval up to a minute; one that drops is redialled the same
// way, sooner once it has worked. Kicked sites, closed conferences and sites that are in a call
// already (they dialled in) are not called. What happens to the calls is in the audit log and
// the console's feed (actor "sip"): answered, dropped, and each new reason a call failed for (a
// room that stays busy is one row, not one a retry). The requests within any SIP call (in or out)
// that its adapter answered itself, re-INVITEs and session refreshes, are console events only (a
// refresh recurs every few minutes of every call), at most one per call every 5 s.
// Control executor only.
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <random>

#include "mcu/bridge.h"
#include "mcu/log.h"
#include "mcu/sip_site.h"

namespace mcu {

namespace {
uint32_t Random() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  return rng();
}

// A refusal by the callee: calling again soon will not change its mind.
bool Refused(const std::string& reason) {
  for (const char* status : {"403", "404", "488", "606", "603"})
    if (reason.rfind(status, 0) == 0) return true;
  return false;
}
}  // namespace

Bridge::SipCall* Bridge::SipCallOf(ConnectionId id) {
  for (auto& [site, call] : sip_calls_)
    if (call.id == id && id) return &call;
  return nullptr;
}

void Bridge::UpdateSipCalls(int64_t now) {
  MCU_DCHECK_RUN_ON(&control_);
  if (!options_.sip_dialer || shut_down_) return;
  for (auto it = sip_calls_.begin(); it != sip_calls_.end();) {
    auto site = sites_.find(it->first);
    if (it->second.id == 0 && (site == sites_.end() || !site->second.dials_sip()))
      it = sip_calls_.erase(it);
    else
      ++it;
  }
  for (const auto& [site_id, site] : sites_) {
    if (!site.dials_sip()) continue;
    SipCall& call = sip_calls_[site_id];
    if (call.site_id.empty())
      call.site_id = site_id, call.backoff = Backoff(options_.call_retry_s * 1000, 60000);
    if (call.id) {
      // Ringing too long: hung up (CANCEL); its kCallEnded sets the retry.
      if (call.state == LinkState::kConnecting &&
          now - call.dialled_ms >= options_.sip_ring_timeout_s * 1000LL) {
        call.hangup_reason = "no answer";
        if (auto c = connections_.find(call.id); c != connections_.end())
          c->second.link->Close("no answer");
      }
      continue;
    }
    // The open scheduled conference that invites it and would let it in; none: it rests.
    std::string wanted;
    for (const auto& [cid, conf] : conferences_) {
      if (conf.row.permanent() || !conf.open()) continue;
      auto m = conf.members_cfg.find(site_id);
      if (m == conf.members_cfg.end() || !m->second.invited || RefusalOf(conf, site_id)) continue;
      wanted = cid;
      break;
    }
    if (wanted.empty()) {
      call.state = LinkState::kIdle, call.detail.clear(), call.attempts = 0;
      call.retry_at_ms = 0, call.backoff.Reset();
      continue;
    }
    if (ConnectionOf(site_id)) continue;  // It called in by itself.
    if (SipUriIsPlain(site.sip_uri) && !site.sip_plain) {
      // Our offer carries the SRTP keys: not over plain SIP unless the site's line allows it.
      if (call.state != LinkState::kRefused)
        spdlog::warn("SIP site {}: not called: {} is plain SIP, and the site is not allowed it",
                     site_id, site.sip_uri);
      call.state = LinkState::kRefused;
      call.detail = "plain SIP not allowed for this site";
      continue;
    }
    if (now >= call.retry_at_ms) DialSip(site_id, call, wanted);
  }
}

void Bridge::DialSip(const std::string& site_id, SipCall& call, const std::string& conference) {
  MCU_DCHECK_RUN_ON(&control_);
  LogScope scope(conference, site_id);
  const SiteRow& site = sites_[site_id];
  Conference& conf = conferences_[conference];
  const ConnectionId id = kFirstSipCallId + next_sip_call_++;
  call.id = id;
  call.conference = conference;
  call.state = LinkState::kConnecting;
  call.dialled_ms = now_ms();
  ++call.attempts;
  spdlog::info("calling SIP site {} at {} into conference {} (attempt {})", site_id, site.sip_uri,
               conference, call.attempts);
  Connection c;
  c.link = options_.sip_dialer->Call(id, {site.sip_uri, conf.row.title});
  auto uri = ParseSipUri(site.sip_uri);
  c.remote_address = uri ? uri->host : site.sip_uri;
  c.site_id = site_id;
  Connection& added = connections_[id] = std::move(c);
  Emit(console::SiteState{site_id, SiteStatus::kConnecting});
  EndpointRequest join{EndpointRequest::Type::kJoin};
  join.sip = true;
  join.conference = conference;
  HandleJoin(added, id, join);  // Its offer goes out in the INVITE.
}

void Bridge::SipCallAnswered(SipCall& call) {
  MCU_DCHECK_RUN_ON(&control_);
  call.state = LinkState::kJoined;
  call.detail.clear();
  call.audited_failure.clear();
  spdlog::info("SIP site {} answered", call.site_id);
  Audit("sip", "sip-answered", call.conference + "/" + call.site_id,
        nlohmann::json{{"attempts", call.attempts}}.dump());
  Emit(console::SiteState{call.site_id, SiteStatus::kOnline});
}

void Bridge::SipCallEnded(SipCall& call, const std::string& reason) {
  MCU_DCHECK_RUN_ON(&control_);
  const bool worked = call.state == LinkState::kJoined;
  call.id = 0;
  // The bridge's own reason for hanging up ("no answer") rather than the adapter's echo of it.
  call.detail = call.hangup_reason.empty() ? reason : call.hangup_reason;
  call.hangup_reason.clear();
  call.state = Refused(reason) ? LinkState::kRefused : LinkState::kWaiting;
  const std::string target = call.conference + "/" + call.site_id;
  if (worked) {
    Audit("sip", "sip-dropped", target, nlohmann::json{{"reason", call.detail}}.dump());
  } else if (call.detail != call.audited_failure) {
    call.audited_failure = call.detail;
    Audit("sip", "sip-failed", target,
          nlohmann::json{{"reason", call.detail}, {"attempts", call.attempts}}.dump());
  }
  if (worked) call.backoff.Reset();
  const int delay = call.backoff.Next(Random());
  call.retry_at_ms = now_ms() + delay;
  spdlog::warn("SIP site {}: call ended ({}); calling again in {} s if still wanted", call.site_id,
               call.detail, delay / 1000);
}

void Bridge::SipRequestSeen(Connection& c, const SipInDialogRequest& request) {
  MCU_DCHECK_RUN_ON(&control_);
  auto p = participants_.find(c.participant);
  if (p == participants_.end()) return;  // Not in a conference: nothing to show it in.
  const int64_t now = now_ms();
  // A clock set back does not silence the call until it catches up.
  if (c.sip_request_shown_ms && now >= c.sip_request_shown_ms &&
      now - c.sip_request_shown_ms < kSipRequestGapMs)
    return;
  c.sip_request_shown_ms = now;
  Emit(console::SipRequest{p->second->conference_id, c.site_id, request.method, request.offer,
                           request.refresh, Describe(request)});
}

}  // namespace mcu
