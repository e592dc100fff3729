// The room's cameras, microphones and loudspeakers as GStreamer's device monitor sees them (V4L2
// cameras; PulseAudio/PipeWire or ALSA sources and sinks), with the name each takes on the
// command line (--camera, --mic-device, --speaker-device). Main thread; blocks while it probes.
#pragma once

#include <string>
#include <vector>

namespace mcu::room {

struct Device {
  std::string kind;  // camera | microphone | speaker
  std::string name;  // What --camera, --mic-device or --speaker-device take.
  std::string description;
  std::string api;  // v4l2 | pulse | alsa | ...
};

std::vector<Device> ListDevices();
// One line a device, grouped by kind, for --list-devices.
std::string FormatDevices(const std::vector<Device>& devices);

}  // namespace mcu::room
