#include "signaling/sip_calls.h"

#include <spdlog/spdlog.h>

namespace mcu::signaling {
namespace {

// The SIP answer to a protocol error, before the call is up.
int StatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnauthorized:
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kFull:
    case ErrorCode::kConflict:
      return 486;
    case ErrorCode::kBadRequest:
      return 488;
    case ErrorCode::kRateLimited:
      return 503;
    default:
      return 500;
  }
}

const char* PhraseOf(int status) {
  switch (status) {
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 480:
      return "Temporarily Unavailable";
    case 486:
      return "Busy Here";
    case 488:
      return "Not Acceptable Here";
    case 503:
      return "Service Unavailable";
    default:
      return "Server Internal Error";
  }
}

}  // namespace

// What the bridge sees of a call.
class SipCalls::Connection : public EndpointConnection {
 public:
  Connection(SipCalls* calls, ConnectionId id) : calls_(calls), id_(id) {}
  void Send(EndpointEvent event) override { calls_->OnEvent(id_, event); }
  void Close(const std::string& reason) override { calls_->OnClose(id_, reason); }

 private:
  SipCalls* calls_;
  ConnectionId id_;
};

ConnectionId SipCalls::ConnectionOfLocked(CallId call) const {
  auto it = by_call_.find(call);
  return it == by_call_.end() ? 0 : it->second;
}

void SipCalls::OnIncomingCall(CallId id, const IncomingCall& call) {
  const ConnectionId conn = kFirstConnectionId + id;
  {
    std::lock_guard lock(mu_);
    Leg c;
    c.call = id;
    c.conference = call.user;
    c.offer = call.sdp;
    c.peer = call.from_uri;
    c.signalling = SipTransportName(call.transport);
    calls_[conn] = std::move(c);
    by_call_[id] = conn;
  }
  spdlog::info("SIP call {} from {} ({}:{} over {}) to '{}'{}", id, call.from_uri,
               call.source_address, call.source_port, SipTransportName(call.transport), call.user,
               call.sdp.empty() ? " without an offer" : "");
  handler_->OnEndpointOpen(conn, std::make_shared<Connection>(this, conn), call.source_address);
  EndpointRequest auth{EndpointRequest::Type::kAuth};
  auth.sip = true;
  auth.sip_caller = call.from_uri;
  // Its SDP carries the SRTP keys: over plain TCP or UDP the bridge refuses it (488) unless its
  // site is allowed that (a closed line behind encryptors).
  auth.sip_plain = call.transport != SipTransport::kTls;
  auth.sip_signalling = SipTransportName(call.transport);
  handler_->OnEndpointRequest(conn, std::move(auth));
}

std::shared_ptr<EndpointConnection> SipCalls::Call(ConnectionId id, const SipCallTarget& target) {
  std::lock_guard lock(mu_);
  Leg c;
  c.outgoing = true;
  c.peer = target.uri;
  c.display = target.from_display;
  calls_[id] = std::move(c);
  return std::make_shared<Connection>(this, id);
}

void SipCalls::OnAck(CallId id, const std::string& sdp) {
  if (sdp.empty()) return;  // The answer was in the INVITE; the ACK only confirms.
  ConnectionId conn;
  {
    std::lock_guard lock(mu_);
    conn = ConnectionOfLocked(id);
  }
  if (!conn) return;
  EndpointRequest answer{EndpointRequest::Type::kAnswer};
  answer.sip = true;
  answer.sdp = sdp;
  handler_->OnEndpointRequest(conn, std::move(answer));
}

void SipCalls::OnAnswered(CallId id, const std::string& sdp) {
  std::lock_guard lock(mu_);
  ConnectionId conn = ConnectionOfLocked(id);
  auto it = calls_.find(conn);
  if (it == calls_.end() || it->second.ended) return;
  it->second.answered = true;
  spdlog::info("SIP call {} to {} answered", id, it->second.peer);
  EndpointRequest answer{EndpointRequest::Type::kAnswer};
  answer.sip = true;
  answer.sdp = sdp;
  answer.sip_signalling = it->second.signalling;
  handler_->OnEndpointRequest(conn, std::move(answer));
}

void SipCalls::OnCallEnded(CallId id, const std::string& reason) {
  std::lock_guard lock(mu_);
  ConnectionId conn = ConnectionOfLocked(id);
  auto it = calls_.find(conn);
  if (it == calls_.end()) return;
  spdlog::info("SIP call {} {} {} ended: {}", id, it->second.outgoing ? "to" : "from",
               it->second.peer, reason);
  ReportEndedLocked(conn, reason);
}

void SipCalls::ReportEndedLocked(ConnectionId conn, const std::string& reason) {
  auto it = calls_.find(conn);
  if (it == calls_.end()) return;
  if (it->second.call) by_call_.erase(it->second.call);
  calls_.erase(it);
  EndpointRequest ended{EndpointRequest::Type::kCallEnded};
  ended.sip = true;
  ended.reason = reason;
  handler_->OnEndpointRequest(conn, std::move(ended));
  handler_->OnEndpointClosed(conn);
}

void SipCalls::OnKeyframeRequest(CallId id) {
  ConnectionId conn;
  {
    std::lock_guard lock(mu_);
    conn = ConnectionOfLocked(id);
  }
  if (!conn) return;
  EndpointRequest keyframe{EndpointRequest::Type::kKeyframe};
  keyframe.sip = true;
  handler_->OnEndpointRequest(conn, std::move(keyframe));
}

void SipCalls::OnDtmf(CallId id, char digit) {
  spdlog::debug("SIP call {}: DTMF '{}' (no menu uses it yet)", id, digit);
}

void SipCalls::OnInDialogRequest(CallId id, const InDialogRequest& request) {
  ConnectionId conn;
  {
    std::lock_guard lock(mu_);
    conn = ConnectionOfLocked(id);
  }
  if (!conn) return;
  EndpointRequest seen{EndpointRequest::Type::kSipRequest};
  seen.sip = true;
  seen.sip_request = {request.method, request.offer, request.refresh};
  handler_->OnEndpointRequest(conn, std::move(seen));
}

void SipCalls::OnEvent(ConnectionId id, const EndpointEvent& event) {
  std::lock_guard lock(mu_);
  auto it = calls_.find(id);
  if (it == calls_.end() || it->second.ended) return;
  Leg& call = it->second;
  if (std::holds_alternative<event::Welcome>(event.body) && !call.outgoing) {
    EndpointRequest join{EndpointRequest::Type::kJoin};
    join.sip = true;
    join.conference = call.conference;
    join.sdp = call.offer;
    handler_->OnEndpointRequest(id, std::move(join));
  } else if (const auto* a = std::get_if<event::Answer>(&event.body); a && !call.outgoing) {
    call.answered = true;
    agent_->Respond(call.call, 200, "OK", a->sdp);
  } else if (const auto* o = std::get_if<event::Offer>(&event.body)) {
    if (call.outgoing) {
      if (call.call) return;  // Placed already.
      if (!agent_) return EndLocked(id, call, 503, "SIP is not running");
      if (auto transport = DialTransport(call.peer)) call.signalling = SipTransportName(*transport);
      call.call = agent_->Dial({call.peer, "mcu", call.display, o->sdp});
      by_call_[call.call] = id;
      spdlog::info("SIP call {}: calling {}", call.call, call.peer);
    } else {
      call.answered = true;  // Our offer in the 200; its answer comes in the ACK.
      agent_->Respond(call.call, 200, "OK", o->sdp);
    }
  } else if (const auto* e = std::get_if<event::Error>(&event.body)) {
    spdlog::info("SIP call {} {} {}: {} ({})", call.call, call.outgoing ? "to" : "from", call.peer,
                 ToString(e->code), e->message);
    EndLocked(id, call, StatusOf(e->code), e->message);
  } else if (const auto* l = std::get_if<event::Left>(&event.body)) {
    EndLocked(id, call, 480, l->reason);
  } else if (std::holds_alternative<event::KeyframeWanted>(event.body)) {
    if (call.call && (call.answered || call.outgoing)) agent_->SendKeyframeRequest(call.call);
  } else if (const auto* m = std::get_if<event::MediaState>(&event.body);
             m && m->state == MediaStatus::kFailed) {
    EndLocked(id, call, 500, "media failed: " + m->detail);
  }
  // Roster, speaker, layout, standby, calls and statistics have no SIP counterpart.
}

void SipCalls::OnClose(ConnectionId id, const std::string& reason) {
  std::lock_guard lock(mu_);
  auto it = calls_.find(id);
  if (it == calls_.end() || it->second.ended) return;
  EndLocked(id, it->second, 503, reason);
}

void SipCalls::EndLocked(ConnectionId id, Leg& call, int status, const std::string& reason) {
  call.ended = true;
  if (call.outgoing && !call.call)
    ReportEndedLocked(id, "not placed: " + reason);  // No INVITE went out: nothing to end.
  else if (call.answered || call.outgoing)
    agent_->Hangup(call.call, reason);  // BYE, or CANCEL before their answer.
  else
    agent_->Respond(call.call, status, PhraseOf(status));
}

}  // namespace mcu::signaling
