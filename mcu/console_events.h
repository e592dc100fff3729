// What the console's live feed shows, as domain values: the bridge and the monitor emit these
// on the control executor; the signaling layer serialises them (signaling/console_json.h) for
// the feed's WebSocket (signaling/event_feed.h), the way signaling/protocol.h serialises the
// endpoint protocol. No JSON and no UI wording in the domain.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "mcu/states.h"

namespace mcu {
namespace console {

// A site went online (authenticated, or its link accepted), offline, or is being dialled
// (kConnecting, a link).
struct SiteState {
  std::string site;
  SiteStatus state;
};
// A room reported its devices (camera, microphone, loudspeaker): one missing is shown on the
// roll-call.
struct SiteDevices {
  std::string site;
  DeviceStates devices;
};
// A conference opened or closed (scheduled again for its next occurrence, or ended).
struct ConferenceState {
  std::string conference;
  mcu::ConferenceState state;
};
struct RosterEntry {
  std::string participant, site, name;
  MediaStatus media = MediaStatus::kConnecting;
  bool content = false;
};
struct Roster {
  std::string conference;
  std::vector<RosterEntry> participants;
  std::vector<std::string> viewers;  // Console users previewing it: a login per preview.
};
struct Speaker {
  std::string conference, site;  // site empty: nobody.
};
struct Layout {
  std::string conference, layout, spotlight;
};
// An audit row, as stored: who did what to what (detail: a JSON object's text).
struct Control {
  std::string actor, action, target, detail_json;
};
// What the other MCU says of a cascade link changed (its host muted or unmuted this conference,
// its speaker, its roll-call): the live page reads the roll-call again.
struct LinkChanged {
  std::string conference, site;
  bool audio = false, video = false;
};
struct Alarm {
  std::string state;  // raised | changed | cleared
  std::string conference, site, kind, severity, detail;
  int64_t since_ms = 0, cleared_ms = 0;
};
// A request within a site's SIP call that the SIP adapter answered by itself (a re-INVITE, a
// session refresh: mcu/endpoint_api.h, SipInDialogRequest), in the conference the call is in. At
// most one per call every Bridge::kSipRequestGapMs: a peer's flood does not flood the feed. Not
// audited (a refresh recurs every few minutes of every call); the SIP agent logs each.
struct SipRequest {
  std::string conference, site;
  std::string method;  // "INVITE" or "UPDATE".
  bool offer = false, refresh = false;
  std::string detail;  // Describe(SipInDialogRequest): "session refresh (UPDATE)".
};
// A conference's second of statistics: the monitor's view (Monitor::ConferenceJson) as JSON
// object text, the same the REST API returns.
struct Stats {
  std::string conference, json;
};

}  // namespace console

using ConsoleEvent =
    std::variant<console::SiteState, console::SiteDevices, console::ConferenceState,
                 console::Roster, console::Speaker, console::Layout, console::Control,
                 console::LinkChanged, console::Alarm, console::Stats, console::SipRequest>;
using ConsoleSink = std::function<void(const ConsoleEvent&)>;

}  // namespace mcu
