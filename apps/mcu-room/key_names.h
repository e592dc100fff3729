// The keys a room reacts to, by name: an evdev key code (a USB presenter's, a keypad's) named
// like GStreamer's navigation events name the display window's keys ("m", "c", "F5", "Next"),
// so that one handler serves both (RoomClient::OnKey). Pure; any thread.
#pragma once

#include <cstdint>
#include <string>

namespace mcu::room {

// The name of an evdev key code (linux/input-event-codes.h), "" for a key the room ignores.
std::string KeyName(uint16_t code);

}  // namespace mcu::room
