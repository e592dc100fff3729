// media/bus_log.h on real pipelines: errors reach the log, and every message is released as it
// is dropped, so a pipeline taken down is freed with its elements (a message holds its source:
// one kept alive keeps its element, and with it a departed site's whole decode branch).
#include "media/bus_log.h"

#include <gst/gst.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>

#include "media/gobject_ptr.h"

namespace mcu::media {
namespace {

GstElement* Launch(const char* desc) {
  static bool inited = (gst_init(nullptr, nullptr), true);
  (void)inited;
  GError* raw_error = nullptr;
  GstElement* p = gst_parse_launch(desc, &raw_error);
  GErrorPtr error(raw_error);
  EXPECT_EQ(error, nullptr) << (error ? error->message : "");
  return p;
}

TEST(BusLog, APipelineThatRanIsFreedWithItsElements) {
  BusLog log("test pipeline");
  // Weak pointers, cleared when their object is finalized: declared before the pipeline's one
  // reference (this test's), so that they outlive it even when an assertion returns early.
  gpointer pipeline = nullptr, sink = nullptr;
  auto owner = GRef<GstElement>::AdoptSink(
      Launch("videotestsrc ! videoconvert ! fakesink name=sink sync=false"));
  ASSERT_TRUE(owner);
  GstElement* p = owner.get();
  log.Attach(p);
  pipeline = p;
  g_object_add_weak_pointer(G_OBJECT(p), &pipeline);
  {
    auto s = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(p), "sink"));
    sink = s.get();
    g_object_add_weak_pointer(G_OBJECT(sink), &sink);
  }
  // Each state change posts state-changed messages from every element and the pipeline.
  ASSERT_NE(gst_element_set_state(p, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  ASSERT_EQ(gst_element_get_state(p, nullptr, nullptr, 10 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
  ASSERT_EQ(gst_element_set_state(p, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  EXPECT_NE(sink, nullptr);  // The pipeline still holds it.
  owner.reset();
  EXPECT_EQ(sink, nullptr);
  EXPECT_EQ(pipeline, nullptr);
  // Failed: the leaked objects must not write to this frame once it is gone.
  if (pipeline) g_object_remove_weak_pointer(G_OBJECT(pipeline), &pipeline);
  if (sink) g_object_remove_weak_pointer(G_OBJECT(sink), &sink);
}

TEST(BusLog, AnErrorIsLoggedWithItsSourceAndOnlyOnceASecond) {
  std::ostringstream out;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out)));
  BusLog log("mixing room r1");
  auto p = GRef<GstElement>::AdoptSink(Launch("fakesrc name=feed ! fakesink"));
  ASSERT_TRUE(p);
  log.Attach(p.get());
  auto feed = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(p.get()), "feed"));
  for (const char* text : {"first failure", "second failure"}) {
    GErrorPtr e(g_error_new_literal(GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE, text));
    gst_element_post_message(feed.get(),
                             gst_message_new_error(GST_OBJECT(feed.get()), e.get(), "details"));
  }
  spdlog::set_default_logger(previous);
  const std::string logged = out.str();
  EXPECT_NE(logged.find("mixing room r1: feed error: first failure"), std::string::npos) << logged;
  EXPECT_EQ(logged.find("second failure"), std::string::npos) << logged;
}

}  // namespace
}  // namespace mcu::media
