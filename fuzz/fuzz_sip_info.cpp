// Fuzz target: SIP INFO requests and SDP bodies bound for the debug log
// (signaling/sip_messages.h). The input's first line (up to LF) is the Content-Type, the rest
// the body: ParseInfo(content_type, body), then RedactSdpKeys(body). Checks only that nothing
// crashes, leaks or runs into undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "signaling/sip_messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view content_type = input.substr(0, newline);
  const std::string_view body =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  (void)mcu::signaling::ParseInfo(content_type, body);
  (void)mcu::signaling::RedactSdpKeys(body);
  return 0;
}
