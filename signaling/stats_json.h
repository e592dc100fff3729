// An endpoint's statistics (mcu/media_stats.h) as the JSON object of the protocol's "stats" event
// (signaling/PROTOCOL.md), and back. Pure functions; any thread.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "mcu/media_stats.h"

namespace mcu::signaling {

nlohmann::json StatsToJson(const EndpointStats& s);
// Fields missing or of the wrong type keep their defaults; an object without "mix" has none.
EndpointStats StatsFromJson(const nlohmann::json& j);

}  // namespace mcu::signaling
