#include "media/bus_log.h"

#include <spdlog/spdlog.h>

#include "media/clock.h"
#include "media/gobject_ptr.h"

namespace mcu::media {

void BusLog::Attach(GstElement* pipeline) {
  auto bus = GRef<GstBus>::Adopt(gst_pipeline_get_bus(GST_PIPELINE(pipeline)));
  gst_bus_set_sync_handler(bus.get(), &BusLog::OnMessage, this, nullptr);
}

GstBusSyncReply BusLog::OnMessage(GstBus*, GstMessage* raw, gpointer self) noexcept {
  // A sync handler that drops a message owns it (GstBusSyncHandler): released on return. Each
  // message holds its source: unreleased, every departed site's decode branch and the pipeline
  // itself stayed alive.
  auto message = GRef<GstMessage>::Adopt(raw);
  GstMessage* msg = message.get();
  auto* log = static_cast<BusLog*>(self);
  GstMessageType type = GST_MESSAGE_TYPE(msg);
  if (type == GST_MESSAGE_ERROR || type == GST_MESSAGE_WARNING) {
    int64_t now = NowUs();
    int64_t last = log->last_log_us_.load(std::memory_order_relaxed);
    if (now - last >= 1'000'000 && log->last_log_us_.compare_exchange_strong(last, now)) {
      GError* raw_err = nullptr;
      gchar* raw_debug = nullptr;
      bool error = type == GST_MESSAGE_ERROR;
      if (error)
        gst_message_parse_error(msg, &raw_err, &raw_debug);
      else
        gst_message_parse_warning(msg, &raw_err, &raw_debug);
      GErrorPtr err(raw_err);
      GCharPtr debug(raw_debug);
      spdlog::log(error ? spdlog::level::err : spdlog::level::warn, "{}: {} {}: {}", log->what_,
                  GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), error ? "error" : "warning",
                  err ? err->message : "");
    }
  }
  return GST_BUS_DROP;
}

}  // namespace mcu::media
