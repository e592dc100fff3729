// The endpoint protocol's wire format (JSON text over WSS, described in PROTOCOL.md): parsing
// client messages into validated EndpointRequests, and writing EndpointEvents. Pure functions;
// safe on any thread.
#pragma once

#include <string>
#include <string_view>

#include "mcu/endpoint_api.h"
#include "mcu/expected.h"

namespace mcu::signaling {

inline constexpr size_t kMaxTokenLength = 256;
inline constexpr size_t kMaxIdLength = 64;
inline constexpr size_t kMaxSdpLength = 32 * 1024;
inline constexpr size_t kMaxCandidateLength = 512;

// Parses one client message. On failure the error text is fit to send back to the client, and
// `id` (if the message had a usable one) is still filled so the error can be correlated.
Expected<EndpointRequest> ParseRequest(std::string_view text, std::string* id = nullptr);

std::string WriteEvent(const EndpointEvent& event);

// For clients of the protocol (mcu-room, tests, load generators, and the MCU itself on a cascade
// link it dialled).
std::string WriteRequest(const EndpointRequest& request);
// Reads one MCU message. Fields it does not know are ignored (a newer MCU may add some); an
// unknown type or a message that is not an object is an error.
Expected<EndpointEvent> ParseEvent(std::string_view text);

}  // namespace mcu::signaling
