// KeyName (key_input.h): pure, unit-tested.
#include <linux/input-event-codes.h>

#include "apps/mcu-room/key_names.h"

namespace mcu::room {

std::string KeyName(uint16_t code) {
  switch (code) {
    case KEY_M:
      return "m";
    case KEY_B:
      return "b";
    case KEY_DOT:
      return "period";
    case KEY_C:
      return "c";
    case KEY_F5:
      return "F5";
    case KEY_PAGEDOWN:
      return "Next";
    case KEY_PAGEUP:
      return "Prior";
    case KEY_ESC:
      return "Escape";
    default:
      return "";
  }
}

}  // namespace mcu::room
