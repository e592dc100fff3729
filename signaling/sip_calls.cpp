#include "signaling/sip_calls.h"

#include <spdlog/spdlog.h>

namespace mcu::signaling {
namespace {

ConnectionId ConnectionOf(CallId id) { return SipCalls::kFirstConnectionId + id; }

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
  Connection(SipCalls* calls, CallId id) : calls_(calls), id_(id) {}
  void Send(EndpointEvent event) override { calls_->OnEvent(id_, event); }
  void Close(const std::string& reason) override { calls_->OnClose(id_, reason); }

 private:
  SipCalls* calls_;
  CallId id_;
};

void SipCalls::OnIncomingCall(CallId id, const IncomingCall& call) {
  if (call.transport != SipTransport::kTls) {
    // The SRTP keys (SDES) are in the SDP: over plain TCP or UDP anyone on the path reads them.
    spdlog::warn("SIP call {} from {} ({}) refused: SDES keys need SIP over TLS, not {}", id,
                 call.from_uri, call.source_address, SipTransportName(call.transport));
    agent_->Respond(id, 488, "Not Acceptable Here (SIP over TLS required)");
    return;
  }
  {
    std::lock_guard lock(mu_);
    calls_[id] = {call.user, call.sdp, call.from_uri};
  }
  spdlog::info("SIP call {} from {} ({}:{} over {}) to '{}'{}", id, call.from_uri,
               call.source_address, call.source_port, SipTransportName(call.transport), call.user,
               call.sdp.empty() ? " without an offer" : "");
  handler_->OnEndpointOpen(ConnectionOf(id), std::make_shared<Connection>(this, id),
                           call.source_address);
  EndpointRequest auth{EndpointRequest::Type::kAuth};
  auth.sip = true;
  auth.sip_caller = call.from_uri;
  handler_->OnEndpointRequest(ConnectionOf(id), std::move(auth));
}

void SipCalls::OnAck(CallId id, const std::string& sdp) {
  if (sdp.empty()) return;  // The answer was in the INVITE; the ACK only confirms.
  EndpointRequest answer{EndpointRequest::Type::kAnswer};
  answer.sip = true;
  answer.sdp = sdp;
  handler_->OnEndpointRequest(ConnectionOf(id), std::move(answer));
}

void SipCalls::OnCallEnded(CallId id, const std::string& reason) {
  {
    std::lock_guard lock(mu_);
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    spdlog::info("SIP call {} from {} ended: {}", id, it->second.caller, reason);
    calls_.erase(it);
  }
  handler_->OnEndpointClosed(ConnectionOf(id));
}

void SipCalls::OnKeyframeRequest(CallId id) {
  EndpointRequest keyframe{EndpointRequest::Type::kKeyframe};
  keyframe.sip = true;
  handler_->OnEndpointRequest(ConnectionOf(id), std::move(keyframe));
}

void SipCalls::OnDtmf(CallId id, char digit) {
  spdlog::debug("SIP call {}: DTMF '{}' (no menu uses it yet)", id, digit);
}

void SipCalls::OnEvent(CallId id, const EndpointEvent& event) {
  std::lock_guard lock(mu_);
  auto it = calls_.find(id);
  if (it == calls_.end() || it->second.ended) return;
  Call& call = it->second;
  if (std::holds_alternative<event::Welcome>(event.body)) {
    EndpointRequest join{EndpointRequest::Type::kJoin};
    join.sip = true;
    join.conference = call.conference;
    join.sdp = call.offer;
    handler_->OnEndpointRequest(ConnectionOf(id), std::move(join));
  } else if (const auto* a = std::get_if<event::Answer>(&event.body)) {
    call.answered = true;
    agent_->Respond(id, 200, "OK", a->sdp);
  } else if (const auto* o = std::get_if<event::Offer>(&event.body)) {
    call.answered = true;  // Our offer in the 200; its answer comes in the ACK.
    agent_->Respond(id, 200, "OK", o->sdp);
  } else if (const auto* e = std::get_if<event::Error>(&event.body)) {
    spdlog::info("SIP call {} from {}: {} ({})", id, call.caller, ToString(e->code), e->message);
    EndLocked(id, call, StatusOf(e->code), e->message);
  } else if (const auto* l = std::get_if<event::Left>(&event.body)) {
    EndLocked(id, call, 480, l->reason);
  } else if (const auto* m = std::get_if<event::MediaState>(&event.body);
             m && m->state == MediaStatus::kFailed) {
    EndLocked(id, call, 500, "media failed: " + m->detail);
  }
  // Roster, speaker, layout, standby, calls and statistics have no SIP counterpart.
}

void SipCalls::OnClose(CallId id, const std::string& reason) {
  std::lock_guard lock(mu_);
  auto it = calls_.find(id);
  if (it == calls_.end() || it->second.ended) return;
  EndLocked(id, it->second, 503, reason);
}

void SipCalls::EndLocked(CallId id, Call& call, int status, const std::string& reason) {
  call.ended = true;
  if (call.answered)
    agent_->Hangup(id, reason);
  else
    agent_->Respond(id, status, PhraseOf(status));
}

}  // namespace mcu::signaling
