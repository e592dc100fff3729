// The room's standby screen: what the display shows while the room is in no conference, like a
// hardware room system's idle screen. A small pipeline of its own (a still background at two
// frames a second, the site's name, the lines of screen_text.h, a clock) into the same kind of
// display sink RoomMedia uses. Hidden (the pipeline stopped, the display released: a KMS screen
// has one owner) while the room's media shows the conference.
//
// Threading: construct, call and destroy on the thread running the default GMainContext.
#pragma once

#include <gst/gst.h>

#include <string>
#include <vector>

#include "media/gobject_ptr.h"

namespace mcu::room {

class StandbyScreen {
 public:
  // `display`: kms | x | gl (not none). The screen is `width`x`height`.
  StandbyScreen(std::string display, int width, int height);
  ~StandbyScreen();
  StandbyScreen(const StandbyScreen&) = delete;
  StandbyScreen& operator=(const StandbyScreen&) = delete;

  void SetText(const std::string& title, const std::vector<std::string>& lines);
  void Show();  // Idempotent. A failure is logged; the room goes on without its screen.
  void Hide();
  bool shown() const { return shown_; }
  // The background colour (0xRRGGBB), for tests that read the screen back.
  static constexpr uint32_t kBackground = 0x0B2447;

 private:
  bool Build();

  std::string display_;
  int width_, height_;
  std::string title_, body_;
  media::GRef<GstElement> pipeline_, title_overlay_, body_overlay_;
  bool shown_ = false;
};

}  // namespace mcu::room
