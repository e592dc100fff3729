// XScreenSize (room_media.h), alone in its file: Xlib's macros (None, Status, Bool...) would
// clash with the rest of the room's code.
#include <X11/Xlib.h>

#include <cstdlib>

#include "apps/mcu-room/room_media.h"

namespace mcu::room {

bool XScreenSize(int* width, int* height) {
  if (!std::getenv("DISPLAY")) return false;
  Display* x = XOpenDisplay(nullptr);
  if (!x) return false;
  *width = DisplayWidth(x, DefaultScreen(x));
  *height = DisplayHeight(x, DefaultScreen(x));
  XCloseDisplay(x);
  return *width > 0 && *height > 0;
}

}  // namespace mcu::room
