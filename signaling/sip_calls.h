// SIP calls as endpoint connections: the glue between the SIP user agent (signaling/sip_agent.h)
// and the domain's EndpointHandler port.
//
// Calls in: a room system that dials sip:<conference>@<mcu> is, for the bridge, a connection
// that authenticates as its SIP site (by its From URI and address) and joins that conference
// with its INVITE's offer; what the bridge answers becomes SIP:
//   welcome -> join;  answer / offer -> 200 with our SDP;  ACK's SDP -> answer (delayed offer);
//   error -> 403 (unknown caller, not admitted), 404 (no such conference), 486 (full),
//            488 (an offer without SRTP or a common codec), 500;  left, close -> BYE.
// An unknown caller learns nothing of the conferences: it is refused before any is looked up.
// A call over plain TCP or UDP is refused (488: its SDP carries the SRTP keys in clear) unless
// its site allows plain SIP (SiteRow::sip_plain: the bridge decides).
//
// Calls out (SipDialer): the bridge opens the connection itself and joins it; its offer goes
// out in the INVITE (over TLS unless the site's URI says otherwise), the 2xx's SDP comes back
// as the answer; error, left or close before the answer -> CANCEL, after it -> BYE.
//
// The call's signalling transport goes to the bridge with the call in (kAuth) and with the
// answer of a call out (kAnswer): the roll-call shows it. A re-INVITE or session refresh the agent
// answered goes as kSipRequest (the bridge limits how many it shows).
//
// Every call's last request to the bridge is kCallEnded (why), then OnEndpointClosed.
//
// Threading: SipAgent callbacks arrive on mcu-sip; EndpointConnection::Send and Close, and
// Call(), on the bridge's thread. All only take the calls' mutex and post (to the handler or to
// the agent).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "mcu/endpoint_api.h"
#include "signaling/sip_agent.h"

namespace mcu::signaling {

class SipCalls : public SipAgent::Handler, public SipDialer {
 public:
  // Connection ids of calls in start here, clear of the WebSocket sessions' (counted from 1)
  // and of the calls the bridge places (which it numbers itself).
  static constexpr ConnectionId kFirstConnectionId = ConnectionId{1} << 62;

  // `handler` outlives this object; Attach() is called once, before the agent starts.
  explicit SipCalls(EndpointHandler* handler) : handler_(handler) {}
  void Attach(SipAgent* agent) { agent_ = agent; }

  // SipAgent::Handler
  void OnIncomingCall(CallId id, const IncomingCall& call) override;
  void OnAck(CallId id, const std::string& sdp) override;
  void OnAnswered(CallId id, const std::string& sdp) override;
  void OnCallEnded(CallId id, const std::string& reason) override;
  void OnKeyframeRequest(CallId id) override;
  void OnDtmf(CallId id, char digit) override;
  void OnInDialogRequest(CallId id, const InDialogRequest& request) override;

  // SipDialer
  std::shared_ptr<EndpointConnection> Call(ConnectionId id, const SipCallTarget& target) override;

 private:
  class Connection;
  struct Leg {
    bool outgoing = false;
    CallId call = 0;         // The agent's; 0: an outgoing call not placed yet.
    std::string conference;  // In: the Request-URI's user part.
    std::string offer;       // In: its INVITE's SDP (empty: a delayed offer).
    std::string peer;        // The caller's From URI, or the URI called: for logs.
    std::string display;     // Out: our From's display name.
    std::string signalling;  // "tls", "tcp", "udp": what its INVITE came or went by.
    bool answered = false;   // In: a 200 went out. Out: a 2xx came.
    bool ended = false;      // A final answer, a BYE, a CANCEL, or the peer's end.
  };

  // From the connection (the bridge's thread).
  void OnEvent(ConnectionId id, const EndpointEvent& event);
  void OnClose(ConnectionId id, const std::string& reason);
  // Ends the call the right way for its state (a final error before our 200, CANCEL before
  // their 2xx, BYE after). Locked.
  void EndLocked(ConnectionId id, Leg& call, int status, const std::string& reason);
  // The bridge's side of an ended call: kCallEnded, closed. Locked; erases the call.
  void ReportEndedLocked(ConnectionId id, const std::string& reason);
  ConnectionId ConnectionOfLocked(CallId call) const;

  EndpointHandler* handler_;
  SipAgent* agent_ = nullptr;
  std::mutex mu_;
  std::map<ConnectionId, Leg> calls_;       // Guarded by mu_.
  std::map<CallId, ConnectionId> by_call_;  // Guarded by mu_.
};

}  // namespace mcu::signaling
