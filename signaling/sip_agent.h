// The SIP user agent for room systems and other vendors' MCUs (sofia-sip's nua, its SDP engine
// off): it accepts calls, answers them as the handler says, and hands SDP bodies through as text.
// It knows nothing of conferences or media; the glue above it (the Handler) does.
//
// What it does by itself:
// - listens on TLS (sips:, port 5061 by default) and optionally on TCP and UDP; one nua per
//   transport, so the transport a request came by is a fact, not what its Via claims;
// - OPTIONS: 200 with Allow, Accept, Supported; BYE or CANCEL outside a dialog: 481 (sofia);
// - RFC 4028 session timers: a Session-Expires below Min-SE gets 422 with Min-SE (sofia); the
//   peer is asked to refresh; a refresh (re-INVITE or UPDATE) and any re-INVITE get 200 with the
//   last SDP body this agent sent, unchanged (same keys, same o= version), and the handler is
//   told (OnInDialogRequest; a re-INVITE before the call is up gets 491 and is not);
// - INFO: media_control picture_fast_update -> OnKeyframeRequest, dtmf-relay and dtmf ->
//   OnDtmf, both answered 200; another body type: 415;
// - limits: INVITE and OPTIONS per source address (over it: 503 with Retry-After, logged once
//   per interval per source), concurrent calls (503), message size (sofia drops larger ones).
//
// - dial-out: Dial() sends an INVITE with our offer (TLS unless the URI asks for TCP or UDP),
//   From and Contact sip:<from_user>@<this host>, and reports the answer (OnAnswered; nua
//   sends the ACK) or the failure (OnCallEnded with the status: "486 Busy Here").
//
// Call life: every call the handler sees in OnIncomingCall, and every call Dial() returned,
// ends with exactly one OnCallEnded, whoever ends it (the peer, the handler's Respond/Hangup, a
// timeout, Stop).
//
// Threading: sofia runs on one thread of the agent's own, "mcu-sip" (an su_root). Every public
// method may be called from any thread and only posts to mcu-sip. Handler callbacks run on
// mcu-sip and must only copy and post (calling the agent's methods from them is fine: they
// post too). After Stop() returns no callback runs. State below the pimpl is owned by mcu-sip.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "mcu/expected.h"

namespace mcu::signaling {

// One call through this agent, unique for the agent's life.
using CallId = uint64_t;

enum class SipTransport { kTls, kTcp, kUdp };
const char* SipTransportName(SipTransport transport);  // "tls", "tcp", "udp"

struct SipAgentConfig {
  std::string bind_address = "0.0.0.0";
  uint16_t tls_port = 5061;  // 0: no TLS (a closed line only).
  uint16_t tcp_port = 0;     // 0: off.
  uint16_t udp_port = 0;     // 0: off.
  // The MCU's certificate (chain) and private key, PEM; required when TLS is on. ca_pem is what
  // sofia is told to trust (the certificate itself when empty); peers are not verified yet.
  std::string certificate_pem;
  std::string private_key_pem;
  std::string ca_pem;
  // The agent creates <state_dir>/sip-tls (0700) and writes the certificate files there (0600).
  std::string state_dir;
  std::string user_agent = "mcu";
  // How peers reach this MCU: the host of From and Contact in the calls it places. Empty: the
  // bind address, or (bound to every address) the local address toward the peer called.
  std::string public_address;

  unsigned max_calls = 100;              // Concurrent calls; over it an INVITE gets 503.
  double requests_per_second = 10;       // INVITE + OPTIONS per source address...
  double request_burst = 20;             // ...with this burst; over it: 503 with Retry-After.
  unsigned retry_after_s = 5;            // Retry-After of those 503s.
  unsigned limit_log_interval_s = 10;    // A source over the limit is logged once per interval.
  size_t max_message_bytes = 64 * 1024;  // Larger messages are refused by sofia.
  unsigned session_expires_s = 1800;     // Session-Expires we ask for (RFC 4028).
  // A TCP/TLS connection with no transaction on it that carried nothing for this long is closed
  // (peers open a new one for their next request, RFC 3261 18). It also ends a connection sofia
  // stopped reading after garbage on it, which would otherwise hold its socket for ever.
  unsigned connection_idle_s = 30;
  unsigned min_se_s = 90;  // Min-SE: a smaller Session-Expires gets 422.
};

// An INVITE that opens a call, as the handler sees it.
struct IncomingCall {
  std::string user;          // Request-URI user part: the conference or number dialled.
  std::string request_uri;   // The whole Request-URI.
  std::string to_uri;        // To, without its tag.
  std::string from_uri;      // From, without its tag.
  std::string from_display;  // From's display name, unquoted; may be empty.
  std::string source_address;
  uint16_t source_port = 0;
  SipTransport transport = SipTransport::kTls;
  std::string user_agent;  // The User-Agent header; may be empty.
  std::string sdp;         // The offer; empty: a delayed offer (ours goes in the 200).
};

// A request within a call that the agent answered by itself with 200 and the call's SDP
// unchanged.
struct InDialogRequest {
  std::string method;    // "INVITE" (a re-INVITE) or "UPDATE".
  bool offer = false;    // It carried an SDP offer.
  bool refresh = false;  // A session refresh: it carried Session-Expires (RFC 4028).
};

// A call this MCU places.
struct OutgoingCall {
  // Whom to call: sip:user@host[:port][;transport=tls|tcp|udp] or sips:... Without a transport
  // parameter a sip: URI is called over TLS (port 5061 unless given), as sips: is.
  std::string uri;
  std::string from_user = "mcu";  // From's user part.
  std::string from_display;       // From's display name (the conference's title); may be empty.
  std::string sdp;                // Our offer; required.
};

// The transport Dial() calls `uri` over: a sip: URI's transport parameter (tls, tcp or udp,
// any case), else TLS (sips: always). An error for what is no SIP URI or names another
// transport (Dial() ends such a call at once with that error as its reason). Any thread.
Expected<SipTransport> DialTransport(const std::string& uri);

class SipAgent {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    // A new call. Answer it with Respond() (now or later); until then the caller hears nothing
    // but 100 Trying.
    virtual void OnIncomingCall(CallId id, const IncomingCall& call) = 0;
    // The ACK of our 200 to the INVITE: the call is up. `sdp` is the answer of a delayed offer
    // (our offer went in the 200); empty when the ACK had no body.
    virtual void OnAck(CallId id, const std::string& sdp) = 0;
    // A call we placed was answered (2xx; nua sends the ACK): `sdp` is the peer's answer.
    virtual void OnAnswered(CallId id, const std::string& sdp) = 0;
    // The call is over: "BYE", "CANCEL", "rejected 404", "hangup: <reason>", "ACK timeout",
    // "shutdown", or sofia's status and phrase (a session timer that expired, a transport error).
    virtual void OnCallEnded(CallId id, const std::string& reason) = 0;
    virtual void OnKeyframeRequest(CallId id) = 0;   // INFO picture_fast_update.
    virtual void OnDtmf(CallId id, char digit) = 0;  // INFO dtmf-relay / dtmf: 0-9 * # A-D.
    // A re-INVITE or UPDATE the agent answered with 200 (the SDP unchanged), as many as the peer
    // sends: the handler limits what it makes of them.
    virtual void OnInDialogRequest(CallId id, const InDialogRequest& request) = 0;
  };

  // `handler` must outlive the agent (or the last Stop()).
  SipAgent(SipAgentConfig config, Handler* handler);
  ~SipAgent();  // Stop().
  SipAgent(const SipAgent&) = delete;
  SipAgent& operator=(const SipAgent&) = delete;

  // Writes the certificate files, starts mcu-sip and binds every configured transport. An error
  // (bad configuration, bad certificate or key, a port taken) is returned here, and then no
  // thread is left running. Call once.
  Status Start();
  // Ends every call (BYE once up, else a final 503; OnCallEnded "shutdown" for each), shuts
  // sofia down (waits for it, at most about 30 s for peers that never answer), joins mcu-sip.
  void Stop();

  // The answer to an incoming call: 180/183 (sdp optional), 200 with our SDP (the answer, or
  // our offer for a delayed offer; required), or a final 3xx-6xx that ends the call. `reason`
  // is logged; the wire carries the standard phrase of `status`.
  void Respond(CallId id, int status, std::string reason, std::string sdp = {});
  // Ends a call: BYE once answered, else a final 480 (an incoming call) or CANCEL (ours).
  void Hangup(CallId id, std::string reason);
  // Asks the peer for a keyframe with INFO application/media_control+xml picture_fast_update.
  void SendKeyframeRequest(CallId id);

  // Places a call; its id now, its progress through the Handler (OnAnswered, OnCallEnded: a
  // URI that does not parse, or a transport that is off, ends it at once). Hangup() before the
  // answer sends CANCEL. Once Stop() has begun, Dial() places nothing and reports nothing.
  CallId Dial(OutgoingCall call);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mcu::signaling
