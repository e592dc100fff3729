#include "apps/mcu-room/key_input.h"

#include <fcntl.h>
#include <glib-unix.h>
#include <linux/input.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mcu::room {

KeyInput::KeyInput(std::string device, std::function<void(const std::string& key)> on_key)
    : device_(std::move(device)), on_key_(std::move(on_key)) {
  Open();
}

KeyInput::~KeyInput() {
  Close();
  if (retry_) g_source_remove(retry_);
}

void KeyInput::Open() {
  retry_ = 0;
  fd_ = open(device_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) {
    if (!warned_)
      spdlog::warn("keys: cannot open {}: {} (trying again every 5 s)", device_,
                   std::strerror(errno));
    warned_ = true;
    retry_ = g_timeout_add_seconds_full(
        G_PRIORITY_DEFAULT, 5,
        +[](gpointer self) noexcept -> gboolean {
          static_cast<KeyInput*>(self)->Open();
          return G_SOURCE_REMOVE;
        },
        this, nullptr);
    return;
  }
  warned_ = false;
  spdlog::info("keys: reading {}", device_);
  watch_ = g_unix_fd_add(fd_, static_cast<GIOCondition>(G_IO_IN | G_IO_ERR | G_IO_HUP), OnReadable,
                         this);
}

void KeyInput::Close() {
  if (watch_) g_source_remove(watch_);
  watch_ = 0;
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

gboolean KeyInput::OnReadable(gint fd, GIOCondition, gpointer self) noexcept {
  auto* k = static_cast<KeyInput*>(self);
  input_event events[16];
  while (true) {
    ssize_t n = read(fd, events, sizeof events);
    if (n < 0 && errno == EAGAIN) return G_SOURCE_CONTINUE;
    if (n <= 0) {  // Unplugged (ENODEV) or closed: open it again when it is back.
      spdlog::warn("keys: {} is gone", k->device_);
      k->watch_ = 0;  // Removed by returning G_SOURCE_REMOVE.
      close(k->fd_);
      k->fd_ = -1;
      k->warned_ = false;
      k->Open();
      return G_SOURCE_REMOVE;
    }
    for (size_t i = 0; i < static_cast<size_t>(n) / sizeof(input_event); ++i) {
      const input_event& e = events[i];
      if (e.type != EV_KEY || e.value != 1) continue;  // Presses only, not releases or repeats.
      std::string name = KeyName(e.code);
      if (!name.empty() && k->on_key_) k->on_key_(name);
    }
  }
}

}  // namespace mcu::room
