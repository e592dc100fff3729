// The bus of a pipeline nobody polls (the mixing room's composite): warnings and errors are
// logged as they are posted, at most one line a second, and every message is dropped at once, so
// none piles up in a long meeting.
//
// Threading: OnMessage runs on whichever thread posts (GStreamer streaming threads, or the thread
// that changes a state); it only reads `what_` (fixed at construction) and the atomic.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace mcu::media {

class BusLog {
 public:
  // `what` names the pipeline in the log ("mixing room r1").
  explicit BusLog(std::string what) : what_(std::move(what)) {}
  BusLog(const BusLog&) = delete;
  BusLog& operator=(const BusLog&) = delete;

  // Becomes `pipeline`'s bus sync handler; this must outlive the pipeline.
  void Attach(GstElement* pipeline);

 private:
  static GstBusSyncReply OnMessage(GstBus* bus, GstMessage* msg, gpointer self) noexcept;

  const std::string what_;
  std::atomic<int64_t> last_log_us_{0};
};

}  // namespace mcu::media
