// The states the domain keeps, as enums. Their names (ToString) are what the store keeps, what
// the endpoint protocol sends and what the console and the REST API show; the domain never
// compares them as text. Pure; any thread.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace mcu {

// Where a scheduled conference is in its life. A permanent conference is always open to joins
// whatever its row says (admission.h, IsOpen).
enum class ConferenceState { kScheduled, kOpen, kEnded };

// A site as the roll-call and the console's presence feed show it.
enum class SiteStatus {
  kOffline,
  kConnecting,  // A cascade link dialling the other MCU.
  kOnline,      // Connected, in no conference (or in another one).
  kJoined,      // In this conference; its media connecting or connected, nothing arriving yet.
  kAudio,       // Its audio arrives.
  kVideo,       // Its audio and video arrive.
};

// A cascade link this MCU dials (bridge_links.cpp).
enum class LinkState {
  kIdle,            // Its conference is not open here (or it hung up).
  kConnecting,      // Dialling the other MCU.
  kAuthenticating,  // Connected, its credential sent.
  kOnline,          // Welcomed, waiting to be called into the other conference.
  kJoining,         // Asked to join the other conference.
  kJoined,          // In both conferences, media flowing.
  kWaiting,         // Dropped: redials after the backoff.
  kRefused,         // The other MCU refused its credential (redials too, slowly).
};

// One of a room's devices (camera, microphone, loudspeaker) as the room reports it (`devices`):
// kNone: the room has none configured (a display-only room, a receive-only test site);
// kOk: it works (the camera or microphone is sending, the loudspeaker playing); kMissing:
// configured but absent, unplugged or failing, so the room joined without it.
enum class DeviceState { kNone, kOk, kMissing };
struct DeviceStates {
  DeviceState camera = DeviceState::kNone, microphone = DeviceState::kNone,
              speaker = DeviceState::kNone;
  bool operator==(const DeviceStates&) const = default;
};

// A participant's media as the endpoint protocol reports it.
enum class MediaStatus { kConnecting, kConnected, kFailed };

namespace states_detail {
// One table a type: its names in enum order.
inline constexpr std::array kConferenceStates{"scheduled", "open", "ended"};
inline constexpr std::array kSiteStatuses{"offline", "connecting", "online",
                                          "joined",  "audio",      "video"};
inline constexpr std::array kLinkStates{"idle",    "connecting", "authenticating", "online",
                                        "joining", "joined",     "waiting",        "refused"};
inline constexpr std::array kMediaStatuses{"connecting", "connected", "failed"};
inline constexpr std::array kDeviceStates{"none", "ok", "missing"};

template <typename E, size_t N>
std::optional<E> Parse(const std::array<const char*, N>& names, std::string_view text) {
  for (size_t i = 0; i < N; ++i)
    if (text == names[i]) return static_cast<E>(i);
  return std::nullopt;
}
}  // namespace states_detail

inline const char* ToString(ConferenceState s) {
  return states_detail::kConferenceStates.at(static_cast<size_t>(s));
}
inline const char* ToString(SiteStatus s) {
  return states_detail::kSiteStatuses.at(static_cast<size_t>(s));
}
inline const char* ToString(LinkState s) {
  return states_detail::kLinkStates.at(static_cast<size_t>(s));
}
inline const char* ToString(MediaStatus s) {
  return states_detail::kMediaStatuses.at(static_cast<size_t>(s));
}
inline const char* ToString(DeviceState s) {
  return states_detail::kDeviceStates.at(static_cast<size_t>(s));
}
inline std::optional<ConferenceState> ParseConferenceState(std::string_view text) {
  return states_detail::Parse<ConferenceState>(states_detail::kConferenceStates, text);
}
inline std::optional<MediaStatus> ParseMediaStatus(std::string_view text) {
  return states_detail::Parse<MediaStatus>(states_detail::kMediaStatuses, text);
}
inline std::optional<DeviceState> ParseDeviceState(std::string_view text) {
  return states_detail::Parse<DeviceState>(states_detail::kDeviceStates, text);
}

}  // namespace mcu
