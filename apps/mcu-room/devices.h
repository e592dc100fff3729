// The room's cameras, microphones and loudspeakers as GStreamer's device monitor sees them (V4L2
// cameras; PulseAudio/PipeWire or ALSA sources and sinks), with the name each takes on the
// command line (--camera, --mic-device, --speaker-device). Main thread; blocks while it probes.
#pragma once

#include <string>
#include <vector>

#include "mcu/states.h"

namespace mcu::room {

struct Device {
  std::string kind;  // camera | microphone | speaker
  std::string name;  // What --camera, --mic-device or --speaker-device take.
  std::string description;
  std::string api;  // v4l2 | pulse | alsa | ...
};

std::vector<Device> ListDevices();

// The devices a room is configured with: a camera path (empty: none, synthetic video), a
// microphone (a PulseAudio source name, or the default one), loudspeakers (none | pulse | alsa as
// resolved, with a device name or the default).
struct WantedDevices {
  std::string camera;
  bool microphone = false;
  std::string mic_device;
  bool speaker = false;        // Loudspeakers were asked for (--speaker is not none).
  std::string speaker_output;  // What "auto" resolved to: pulse | alsa | none.
  std::string speaker_device;
};
// Which of them are there: a camera whose device node opens, a microphone or loudspeaker the
// device monitor lists (by name, or any for the default). Pure; `found` from ListDevices().
DeviceStates AssessDevices(const WantedDevices& wanted, const std::vector<Device>& found,
                           bool camera_opens);
// AssessDevices on this machine now (lists the devices and opens the camera's node).
DeviceStates ProbeDevices(const WantedDevices& wanted);
// One line a device, grouped by kind, for --list-devices.
std::string FormatDevices(const std::vector<Device>& devices);

}  // namespace mcu::room
