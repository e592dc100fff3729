#include "signaling/sip_process_exit.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>

namespace mcu::signaling {

void ExitProcess(int code) {
  spdlog::shutdown();  // Flushes every logger.
  std::fflush(nullptr);
  std::_Exit(code);
}

}  // namespace mcu::signaling
