// Keys at the room without a window to type in: a USB presenter or keypad (an evdev device,
// /dev/input/by-id/...-event-kbd) read directly, for a room PC whose screen is driven through
// KMS (no X server, so no window gets the keys). Each key press is named like GStreamer's
// navigation events name the display window's keys ("m", "c", "F5", "Next"), so that one handler
// serves both. A device unplugged is opened again every 5 s until it is back.
//
// Threading: construct, call and destroy on the thread running the default GMainContext; the
// callback runs there too.
#pragma once

#include <glib.h>

#include <cstdint>
#include <functional>
#include <string>

#include "apps/mcu-room/key_names.h"

namespace mcu::room {

class KeyInput {
 public:
  KeyInput(std::string device, std::function<void(const std::string& key)> on_key);
  ~KeyInput();
  KeyInput(const KeyInput&) = delete;
  KeyInput& operator=(const KeyInput&) = delete;

 private:
  void Open();
  void Close();
  static gboolean OnReadable(gint fd, GIOCondition condition, gpointer self) noexcept;

  std::string device_;
  std::function<void(const std::string&)> on_key_;
  int fd_ = -1;
  guint watch_ = 0, retry_ = 0;
  bool warned_ = false;
};

}  // namespace mcu::room
