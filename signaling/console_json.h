// The console feed's wire format: each ConsoleEvent (mcu/console_events.h) as one JSON object
// text with its "type" (site, conference, roster, speaker, layout, control, link, alarm, stats).
// docs/API.md shows the stats and alarm events. Pure; any thread.
#pragma once

#include <string>

#include "mcu/console_events.h"

namespace mcu::signaling {

std::string ToJson(const ConsoleEvent& event);

}  // namespace mcu::signaling
