// Small helpers shared by the bridge's source files (mcu/bridge*.cpp); not part of its interface.
#pragma once

#include <cstdint>
#include <string>

#include "mcu/media_api.h"

namespace mcu::detail {

// A participant as the protocol names it: "p<n>".
inline std::string Pid(ParticipantId id) { return "p" + std::to_string(id); }

inline LayoutKind ToLayoutKind(const std::string& s) {
  if (s == "speaker") return LayoutKind::kSpeaker;
  if (s == "single") return LayoutKind::kSingle;
  if (s == "presenter") return LayoutKind::kPresenter;
  return LayoutKind::kGrid;
}

// Media "flows" if its packets arrived this recently.
constexpr int64_t kFlowWindowMs = 3000;

}  // namespace mcu::detail
