// The media I/O thread: one GMainContext, run by one thread, on which every participant's
// libnice agent, DTLS session, SRTP context and RTP/RTCP state lives. Nothing on it blocks.
// Other threads hand it work with Post() or Invoke(); timers fire on it. It never waits on
// another thread, so the control thread may Invoke (adding a participant creates its ICE agent
// and gathers host candidates here: a wait of a few hundred microseconds) without deadlock.
#pragma once

#include <glib.h>

#include <functional>
#include <thread>

#include "media/gobject_ptr.h"

namespace mcu::media {

class IoLoop {
 public:
  IoLoop();
  ~IoLoop();  // Quits the loop and joins the thread; posted tasks not yet run are dropped.
  IoLoop(const IoLoop&) = delete;
  IoLoop& operator=(const IoLoop&) = delete;

  GMainContext* context() const { return context_.get(); }
  bool IsCurrent() const { return std::this_thread::get_id() == thread_.get_id(); }

  // Queues `task` to run on the I/O thread (always queued, even from the I/O thread itself).
  void Post(std::function<void()> task);
  // Runs `task` on the I/O thread and waits for it. Never from the I/O thread; never from a
  // thread the I/O thread waits on.
  void Invoke(const std::function<void()>& task);

  // A repeating timer on the I/O thread; `tick` returns false to stop. Returns the source id for
  // CancelTimer(), which must be called on the I/O thread.
  guint AddTimer(unsigned interval_ms, std::function<bool()> tick);
  void CancelTimer(guint id);

 private:
  GRef<GMainContext> context_;
  GRef<GMainLoop> loop_;
  std::thread thread_;
};

}  // namespace mcu::media

#define MCU_DCHECK_ON_IO(loop) assert((loop)->IsCurrent())
