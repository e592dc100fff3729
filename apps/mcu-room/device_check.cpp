// AssessDevices (devices.h): pure, unit-tested without devices.
#include "apps/mcu-room/devices.h"

#include <algorithm>

namespace mcu::room {

DeviceStates AssessDevices(const WantedDevices& wanted, const std::vector<Device>& found,
                           bool camera_opens) {
  auto listed = [&](const char* kind, const std::string& name) {
    return std::any_of(found.begin(), found.end(), [&](const Device& d) {
      return d.kind == kind && (name.empty() || d.name == name);
    });
  };
  DeviceStates s;
  if (!wanted.camera.empty()) s.camera = camera_opens ? DeviceState::kOk : DeviceState::kMissing;
  if (wanted.microphone)
    s.microphone =
        listed("microphone", wanted.mic_device) ? DeviceState::kOk : DeviceState::kMissing;
  if (wanted.speaker) {
    // ALSA's default device is not in the monitor's list by that name: an ALSA output counts
    // when any loudspeaker is listed.
    const bool any = wanted.speaker_output == "alsa" && wanted.speaker_device.empty();
    s.speaker =
        wanted.speaker_output != "none" && listed("speaker", any ? "" : wanted.speaker_device)
            ? DeviceState::kOk
            : DeviceState::kMissing;
  }
  return s;
}

}  // namespace mcu::room
