// Fuzz target: the endpoint protocol's JSON (signaling/protocol.h) as a room, a browser or a far
// MCU could send it: ParseRequest (what a site sends the MCU) and ParseEvent (what this MCU's
// cascade link and mcu-room read from another MCU), both with the nesting limit of
// signaling/json_limits.h. Checks only that nothing crashes, leaks, recurses off the stack or
// runs into undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "signaling/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string id;
  if (auto r = mcu::signaling::ParseRequest(text, &id)) (void)mcu::signaling::WriteRequest(*r);
  if (auto e = mcu::signaling::ParseEvent(text)) (void)mcu::signaling::WriteEvent(*e);
  return 0;
}
