// SIP calls as endpoint connections: the glue between the SIP user agent (signaling/sip_agent.h)
// and the domain's EndpointHandler port. A room system that dials sip:<conference>@<mcu> is, for
// the bridge, a connection that authenticates as its SIP site (by its From URI and address) and
// joins that conference with its INVITE's offer; what the bridge answers becomes SIP:
//   welcome -> join;  answer / offer -> 200 with our SDP;  ACK's SDP -> answer (delayed offer);
//   error -> 403 (unknown caller, not admitted), 404 (no such conference), 486 (full),
//            488 (an offer without SRTP or a common codec), 500;  left, close -> BYE.
// An unknown caller learns nothing of the conferences: it is refused before any is looked up.
// A call over plain TCP or UDP is refused (488): its SDP would carry the SRTP keys in clear.
//
// Threading: SipAgent callbacks arrive on mcu-sip; EndpointConnection::Send and Close on the
// bridge's thread. Both only take the calls' mutex and post (to the handler or to the agent).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "mcu/endpoint_api.h"
#include "signaling/sip_agent.h"

namespace mcu::signaling {

class SipCalls : public SipAgent::Handler {
 public:
  // Connection ids of SIP calls start here, clear of the WebSocket sessions' (counted from 1).
  static constexpr ConnectionId kFirstConnectionId = ConnectionId{1} << 62;

  // `handler` outlives this object; Attach() is called once, before the agent starts.
  explicit SipCalls(EndpointHandler* handler) : handler_(handler) {}
  void Attach(SipAgent* agent) { agent_ = agent; }

  void OnIncomingCall(CallId id, const IncomingCall& call) override;
  void OnAck(CallId id, const std::string& sdp) override;
  void OnCallEnded(CallId id, const std::string& reason) override;
  void OnKeyframeRequest(CallId id) override;
  void OnDtmf(CallId id, char digit) override;

 private:
  class Connection;
  struct Call {
    std::string conference;  // The Request-URI's user part.
    std::string offer;       // Its INVITE's SDP (empty: a delayed offer).
    std::string caller;      // For logs.
    bool answered = false;   // A 200 went out.
    bool ended = false;      // A final answer, a BYE, or the peer's end.
  };

  // From the connection (the bridge's thread).
  void OnEvent(CallId id, const EndpointEvent& event);
  void OnClose(CallId id, const std::string& reason);
  // Ends the call the right way for its state (a final error before 200, BYE after). Locked.
  void EndLocked(CallId id, Call& call, int status, const std::string& reason);

  EndpointHandler* handler_;
  SipAgent* agent_ = nullptr;
  std::mutex mu_;
  std::map<CallId, Call> calls_;  // Guarded by mu_.
};

}  // namespace mcu::signaling
