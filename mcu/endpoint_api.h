// The endpoint protocol as domain types: what a room endpoint asks (EndpointRequest) and what
// the MCU tells it (EndpointEvent). The signaling layer turns JSON over WSS into these and back
// (signaling/protocol.h, signaling/PROTOCOL.md); the domain never sees JSON text or sockets.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mcu/media_stats.h"
#include "mcu/states.h"

namespace mcu {

using ConnectionId = uint64_t;

// A request within a SIP call that its adapter answered by itself, changing nothing the bridge
// keeps (the call's SDP stays as it was): a re-INVITE, with an offer or without SDP, or an
// UPDATE; either may be a session refresh (RFC 4028). Worth showing, not acting on.
struct SipInDialogRequest {
  std::string method;    // "INVITE" (a re-INVITE) or "UPDATE".
  bool offer = false;    // It carried an SDP offer (answered with our SDP unchanged).
  bool refresh = false;  // It refreshed the session timer (it carried Session-Expires).
};

// The request in a few words, for logs and the console's feed: "session refresh (re-INVITE)",
// "session refresh (UPDATE)", "re-INVITE with an offer", "re-INVITE without SDP", "UPDATE with
// an offer", "UPDATE".
inline std::string Describe(const SipInDialogRequest& r) {
  const bool invite = r.method == "INVITE";
  const std::string what = invite ? "re-INVITE" : r.method;
  if (r.refresh) return "session refresh (" + what + ")";
  if (r.offer) return what + " with an offer";
  return invite ? what + " without SDP" : what;
}

// One end of a cascade link as it tells the other (the `link` message: a request of the dialling
// MCU, an event of the accepting one), whenever it changes and at least once a second while the
// link is in the conference (mcu/cascade.h, control both ways).
struct LinkSide {
  std::string role;     // The sender's role on the link: "parent" or "child".
  std::string title;    // Its conference's title.
  std::string speaker;  // Who speaks there, unless it is the link itself (empty: nobody).
  // Its roll-call, the link itself left out: sites invited or present, connected, with video.
  int expected = 0, connected = 0, video = 0;
  // The size of the link's tile in its composite (0x0: not shown yet): the other side makes the
  // link's own composite that size (MediaRoom::SetLinkViewSize), no larger than it is seen.
  int shown_width = 0, shown_height = 0;
  // The parent's only: its host's actions on the child's conference as a whole.
  struct Control {
    bool muted_audio = false, muted_video = false;  // The link is muted there.
    bool spotlight = false;                         // The link is spotlighted there.
    std::string layout;                             // The parent conference's layout.
    bool locked = false;                            // The parent conference is locked.
    bool operator==(const Control&) const = default;
  };
  std::optional<Control> control;
  bool operator==(const LinkSide&) const = default;
};

struct EndpointRequest {
  // kKeyframe: the SIP adapter's only (a SIP INFO picture_fast_update): the participant wants a
  // keyframe of what it receives. kCallEnded: the SIP adapter's only, the last request of a SIP
  // call (`reason`: "BYE", "486 Busy Here", "408 Request Timeout"); the connection closes next.
  // kSipRequest: the SIP adapter's only, a request within the call it answered itself
  // (`sip_request`: a re-INVITE, a session refresh), for the console to show.
  // No WebSocket message maps to any of them.
  enum class Type {
    kAuth,
    kJoin,
    kAnswer,
    kCandidate,
    kLeave,
    kGetStats,
    kPing,
    kDevices,
    kKeyframe,
    kCallEnded,
    kSipRequest,
    kMcus,
    kLink
  };
  EndpointRequest() = default;
  explicit EndpointRequest(Type t) : type(t) {}
  Type type = Type::kPing;
  std::string id;          // Optional correlation id, echoed in the reply.
  std::string token;       // kAuth
  std::string conference;  // kJoin
  // kAuth: this connection carries the site's shared content (slides, a screen): a second,
  // video-only participant that joins the conference the site's main connection is in.
  bool content = false;
  int max_bitrate_kbps = 0;  // kJoin, optional: what the site can receive (0: no limit).
  // kJoin (optional) and kMcus: a cascade link's side of the tree, the ids of the MCUs its
  // conference reaches without this link (mcu/cascade.h, loops); kMcus: they changed.
  std::vector<std::string> mcus;
  std::string link_role;  // kJoin of a cascade link (optional): the dialler's role on it.
  LinkSide link;          // kLink: the dialling MCU's side of a cascade link.
  std::string sdp;        // kAnswer
  std::string candidate;  // kCandidate ("candidate:..."; empty = end of candidates)
  DeviceStates devices;   // kDevices: the room's camera, microphone and loudspeaker now.
  // Set by the signaling layer, never by the client: the console user of a preview connection
  // (its session was checked at the upgrade). Such a connection needs no `auth`; its `join` makes
  // a watcher: it receives the conference's composite and full mix, has no tile and no voice,
  // and is no site (not on the roster or the roll-call).
  std::string watcher;
  // Set by the SIP adapter, never by a client: the connection is a SIP call. kAuth: its caller
  // (the From URI) instead of a token, matched with the SIP sites' URIs and the connection's
  // address (mcu/sip_site.h); kJoin: `sdp` is its INVITE's offer (empty: the MCU offers in
  // `offer`, and the answer comes as kAnswer). A SIP leg's own SDP comes back as `answer`.
  std::string sip_caller;
  bool sip = false;
  bool sip_plain = false;  // kAuth of a SIP call: it came over plain TCP or UDP, not TLS.
  // The SIP call's signalling transport, "tls", "tcp" or "udp": in kAuth of a call in (what its
  // INVITE came by), in kAnswer of a call the MCU placed (what its INVITE went by).
  std::string sip_signalling;
  SipInDialogRequest sip_request;  // kSipRequest
  std::string reason;              // kCallEnded
};

// Error codes of the protocol; signaling/PROTOCOL.md describes each.
enum class ErrorCode {
  kBadRequest,    // Malformed JSON, unknown type, missing or invalid field.
  kUnauthorized,  // No or wrong token, or a request that needs auth before it.
  kNotFound,      // Unknown conference.
  kConflict,      // Not in the state the request needs (join twice, answer with no offer).
  kFull,          // Conference at its participant limit.
  kForbidden,     // Not admitted: not invited, removed by the host, or the conference is locked.
  kTooLarge,      // Message over the size limit.
  kRateLimited,   // Too many messages per second.
  kMediaFailed,   // The media transport failed (ICE, DTLS); the endpoint may join again.
  kLoop,          // A cascade link that would close a loop of MCUs (mcu/cascade.h).
  kRole,          // A cascade link whose ends disagree on which is the parent.
  kInternal,
};
inline const char* ToString(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest:
      return "bad_request";
    case ErrorCode::kUnauthorized:
      return "unauthorized";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kFull:
      return "full";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kTooLarge:
      return "too_large";
    case ErrorCode::kRateLimited:
      return "rate_limited";
    case ErrorCode::kMediaFailed:
      return "media_failed";
    case ErrorCode::kLoop:
      return "loop";
    case ErrorCode::kRole:
      return "role";
    case ErrorCode::kInternal:
      break;
  }
  return "internal";
}

// The code named by `name` ("bad_request", ...); kInternal for a name it does not know.
inline ErrorCode ErrorCodeFromString(const std::string& name) {
  for (auto code :
       {ErrorCode::kBadRequest, ErrorCode::kUnauthorized, ErrorCode::kNotFound,
        ErrorCode::kConflict, ErrorCode::kFull, ErrorCode::kForbidden, ErrorCode::kTooLarge,
        ErrorCode::kRateLimited, ErrorCode::kMediaFailed, ErrorCode::kLoop, ErrorCode::kRole})
    if (name == ToString(code)) return code;
  return ErrorCode::kInternal;
}

namespace event {
struct Welcome {
  std::string site_id, site_name;
};
struct Joined {
  std::string conference_id, conference_title, participant_id;
  // To a cascade link: the MCUs this conference reaches without the link (mcu/cascade.h).
  std::vector<std::string> mcus = {};
};
// To a cascade link: the MCUs this conference reaches without the link changed.
struct Mcus {
  std::vector<std::string> mcus;
};
// To a cascade link: the accepting MCU's side of it.
struct Link {
  LinkSide side;
};
struct Offer {
  std::string sdp;
};
// The MCU's answer to a SIP leg's offer (a SIP call only; never on the WebSocket protocol).
struct Answer {
  std::string sdp;
};
// The MCU needs a keyframe of what the participant sends and its media cannot ask (a SIP call
// only: a SIP INFO picture_fast_update; never on the WebSocket protocol).
struct KeyframeWanted {};
struct Left {
  std::string conference_id, reason;
};
// The MCU orders an idle room to join a conference (it opened, or the room came back).
struct Call {
  std::string conference_id, conference_title;
};
// A mixing conference's active speaker changed.
struct Speaker {
  std::string conference_id, participant_id, site_id;  // Empty: nobody.
  std::string name;                                    // The speaker's name as the roster shows it.
};
// The host muted (or unmuted) this site in the conference: what it sends is not heard (audio) or
// not shown (video). A room may say so on its screen; a cascade link shows it on its own
// conference's roll-call (the parent muted the child conference).
struct Muted {
  bool audio = false, video = false;
};
// What an idle room shows on its standby screen: the next conference the site is invited to (an
// open one first, else the scheduled one that starts first), or none. Sent after `welcome` and
// again whenever it changes (a conference scheduled, moved, opened or closed; an invitation).
struct Standby {
  struct Next {
    std::string conference_id, title;
    int64_t start_at = 0, end_at = 0;  // Unix seconds; the room shows them in its local time.
    bool open = false;                 // Open now: the room is being called into it.
    bool operator==(const Next&) const = default;
  };
  std::optional<Next> next;
  bool operator==(const Standby&) const = default;
};
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};
struct RosterEntry {
  std::string participant_id, site_id, name;  // name: the site's.
  MediaStatus media = MediaStatus::kConnecting;
  bool content = false;  // The site's content connection (slides, a screen), not its camera.
};
struct Roster {
  std::string conference_id;
  std::vector<RosterEntry> participants;
  size_t viewers = 0;  // Console users previewing the conference (never on `participants`).
};
struct MediaState {
  MediaStatus state = MediaStatus::kConnected;  // kConnected or kFailed.
  std::string detail;                           // SRTP profile, or the failure reason.
};
struct Stats {
  EndpointStats stats;
};
struct Pong {};
struct Layout {
  int tiles = 0;                        // Sites shown in the composite.
  int send_width = 0, send_height = 0;  // The size of this site's tile: what it should send.
};
}  // namespace event

struct EndpointEvent {
  std::string reply_to;  // The request id this answers, if any.
  std::variant<event::Welcome, event::Joined, event::Offer, event::Left, event::Error,
               event::Roster, event::MediaState, event::Stats, event::Pong, event::Layout,
               event::Call, event::Speaker, event::Muted, event::Standby, event::Answer,
               event::KeyframeWanted, event::Mcus, event::Link>
      body;
};

// One endpoint's connection, implemented by the signaling layer. Thread-safe: Send and Close
// may be called from any thread; they queue work on the connection's own strand.
class EndpointConnection {
 public:
  virtual ~EndpointConnection() = default;
  virtual void Send(EndpointEvent event) = 0;
  virtual void Close(const std::string& reason) = 0;
};

// Implemented by the domain (Bridge). Called by the signaling layer from its I/O threads; the
// implementation hands everything to its own executor and returns at once.
class EndpointHandler {
 public:
  virtual ~EndpointHandler() = default;
  virtual void OnEndpointOpen(ConnectionId id, std::shared_ptr<EndpointConnection> connection,
                              const std::string& remote_address) = 0;
  virtual void OnEndpointRequest(ConnectionId id, EndpointRequest request) = 0;
  virtual void OnEndpointClosed(ConnectionId id) = 0;
};

// ----- This MCU as a client of another (the dialing side of a cascade link) --------------------

// Where to dial: the other MCU's endpoint WebSocket and its TLS certificate's fingerprint (the
// only certificate accepted: a closed network has no public CA).
struct DialTarget {
  std::string url;         // wss://host:port/ws
  std::string pin_sha256;  // "AB:CD:..."
};

// An outgoing connection, implemented by the signaling layer. Thread-safe: Send and Close queue
// work on the connection's own thread.
class OutboundConnection {
 public:
  virtual ~OutboundConnection() = default;
  virtual void Send(EndpointRequest request) = 0;
  virtual void Close() = 0;
};

// Implemented by the domain (Bridge). Called from the dialer's thread; the implementation
// hands everything to its own executor and returns at once.
class OutboundHandler {
 public:
  virtual ~OutboundHandler() = default;
  virtual void OnOutboundOpen(ConnectionId id) = 0;
  virtual void OnOutboundEvent(ConnectionId id, EndpointEvent event) = 0;
  // Also when connecting failed (TLS, a certificate that is not the pinned one, refused).
  virtual void OnOutboundClosed(ConnectionId id, const std::string& reason) = 0;
};

class Dialer {
 public:
  virtual ~Dialer() = default;
  // Starts connecting; every callback for it names `id`.
  virtual std::shared_ptr<OutboundConnection> Dial(ConnectionId id, const DialTarget& target,
                                                   OutboundHandler* handler) = 0;
};

// ----- SIP calls this MCU places (room systems it calls, trunks to other vendors' MCUs) ---------

struct SipCallTarget {
  std::string uri;           // The SIP site's URI (mcu/sip_site.h).
  std::string from_display;  // What the callee shows as the caller: the conference's title.
};

// Implemented by the SIP adapter (signaling/sip_calls.h). Thread-safe; returns at once.
class SipDialer {
 public:
  virtual ~SipDialer() = default;
  // Calls `target` for the bridge. The call is the connection returned, under the id the bridge
  // chose, which the bridge opened itself (no OnEndpointOpen, no auth) and makes join a
  // conference: the INVITE goes out with the `offer` the bridge sends it, and the callee's
  // answer comes back to the adapter's EndpointHandler as a kAnswer request. However it ends
  // (refused, not answered, hung up by either side), a kCallEnded request with the reason, then
  // OnEndpointClosed.
  virtual std::shared_ptr<EndpointConnection> Call(ConnectionId id,
                                                   const SipCallTarget& target) = 0;
};

}  // namespace mcu
