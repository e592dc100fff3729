// What the room's screen says, in Vietnamese or English: the standby screen shown while the room
// is in no conference (the site's name, its connection to the MCU, the next conference it is
// invited to, a missing device) and the status line over the composite during a conference (the
// host muted the room, the microphone is off locally, the network loses packets, the media is
// reconnecting). Pure: no GStreamer, no I/O; any thread. The clock itself is drawn by the screen.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mcu/endpoint_api.h"
#include "mcu/media_stats.h"
#include "mcu/states.h"

namespace mcu::room {

enum class Language { kVi, kEn };
std::optional<Language> ParseLanguage(const std::string& text);  // "vi" | "en"

// Everything the screen shows, kept by RoomClient (room_client.h) as events arrive.
struct RoomStatus {
  enum class Link { kConnecting, kOnline, kReconnecting };
  Link link = Link::kConnecting;  // The connection to the MCU.
  std::string site_id, site_name;
  std::optional<event::Standby::Next> next;     // The next conference it is invited to.
  std::string conference_id, conference_title;  // The one it is in or joining; empty: standby.
  bool media_connected = false;
  bool host_muted_audio = false, host_muted_video = false;
  bool mic_muted = false;  // Muted at the room (its key).
  bool sharing = false;    // The room shares its content input (its key).
  double loss_pct = 0;     // The worst direction's packet loss over the MCU's last 10 s.
  DeviceStates devices;
  bool in_conference() const { return !conference_id.empty(); }
  bool operator==(const RoomStatus&) const = default;
};

struct StandbyText {
  std::string title;               // The site's name.
  std::vector<std::string> lines;  // Connection, next conference, missing devices.
};

// `now_s`: Unix seconds, for "today" (times are shown in the process's local time zone).
StandbyText MakeStandbyText(const RoomStatus& s, Language lang, int64_t now_s);
// Empty while all is well.
std::string MakeStatusLine(const RoomStatus& s, Language lang);
// The worst packet loss, in percent, of the room's four streams between two of the MCU's
// statistics of its transport (`getStats`): received by the MCU (lost / expected) and sent to
// the room (lost as the room's receiver reports say / sent). A stream with fewer than 20 packets
// in the interval says nothing.
double WorstLossPct(const TransportStats& before, const TransportStats& after);
// Loss at or above this is said on screen (the console's warning grade too).
inline constexpr double kPoorNetworkLossPct = 2.0;

}  // namespace mcu::room
