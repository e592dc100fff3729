#include "apps/mcu-room/standby_screen.h"

#include <spdlog/spdlog.h>

#include <sstream>

namespace mcu::room {

using media::GErrorPtr;
using media::GRef;

namespace {
// textoverlay reads its text as Pango markup: names and titles come from the MCU.
std::string Escaped(const std::string& text) {
  return media::TakeGString(g_markup_escape_text(text.c_str(), static_cast<gssize>(text.size())));
}
}  // namespace

StandbyScreen::StandbyScreen(std::string display, int width, int height)
    : display_(std::move(display)), width_(width), height_(height) {}

StandbyScreen::~StandbyScreen() {
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
}

bool StandbyScreen::Build() {
  std::ostringstream d;
  d << "videotestsrc is-live=true pattern=solid-color foreground-color="
    << (0xFF000000u | kBackground) << " ! video/x-raw,width=" << width_ << ",height=" << height_
    << ",framerate=2/1"
    << " ! textoverlay name=title valignment=top halignment=center ypad=" << height_ / 8
    << " font-desc=\"Sans Bold " << height_ / 24 << "\""
    << " ! textoverlay name=body valignment=center halignment=center line-alignment=center"
    << " font-desc=\"Sans " << height_ / 36 << "\""
    << " ! clockoverlay time-format=\"%H:%M\" valignment=bottom halignment=right xpad="
    << width_ / 30 << " ypad=" << height_ / 20 << " font-desc=\"Sans Bold " << height_ / 20
    << "\" shaded-background=false ! videoconvert ! ";
  if (display_ == "kms")
    d << "kmssink";
  else if (display_ == "gl")
    d << "glimagesink";
  else
    d << "ximagesink";
  d << " name=display sync=false";
  GError* raw = nullptr;
  auto pipeline = GRef<GstElement>::AdoptSink(gst_parse_launch(d.str().c_str(), &raw));
  if (GErrorPtr err(raw); err || !pipeline) {
    spdlog::error("standby screen: {}", err ? err->message : "cannot build");
    return false;
  }
  pipeline_ = std::move(pipeline);
  title_overlay_ = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "title"));
  body_overlay_ = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "body"));
  g_object_set(title_overlay_.get(), "text", Escaped(title_).c_str(), nullptr);
  g_object_set(body_overlay_.get(), "text", Escaped(body_).c_str(), nullptr);
  return true;
}

void StandbyScreen::SetText(const std::string& title, const std::vector<std::string>& lines) {
  std::string body;
  for (const auto& l : lines) body += (body.empty() ? "" : "\n") + l;
  if (title == title_ && body == body_) return;
  title_ = title, body_ = body;
  if (title_overlay_) g_object_set(title_overlay_.get(), "text", Escaped(title_).c_str(), nullptr);
  if (body_overlay_) g_object_set(body_overlay_.get(), "text", Escaped(body_).c_str(), nullptr);
}

void StandbyScreen::Show() {
  if (shown_) return;
  if (!pipeline_ && !Build()) return;
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    spdlog::error("standby screen: the display ({}) cannot be opened", display_);
    gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    return;
  }
  shown_ = true;
}

void StandbyScreen::Hide() {
  if (!shown_) return;
  // NULL, not PAUSED: the display is given back (kmssink holds the screen while it runs).
  gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  shown_ = false;
}

}  // namespace mcu::room
