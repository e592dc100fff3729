#include "media/io_loop.h"

#include <pthread.h>

#include <cassert>
#include <future>

namespace mcu::media {
namespace {

gboolean RunOnce(gpointer data) {
  (*static_cast<std::function<void()>*>(data))();
  return G_SOURCE_REMOVE;
}
gboolean RunTick(gpointer data) {
  return (*static_cast<std::function<bool()>*>(data))() ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}
template <typename F>
void DeleteFn(gpointer data) {
  delete static_cast<F*>(data);
}

}  // namespace

IoLoop::IoLoop()
    : context_(g_main_context_new()), loop_(g_main_loop_new(context_, FALSE)), thread_([this] {
        g_main_context_push_thread_default(context_);
        g_main_loop_run(loop_);
        g_main_context_pop_thread_default(context_);
      }) {
  pthread_setname_np(thread_.native_handle(), "mcu-io");
}

IoLoop::~IoLoop() {
  Post([this] { g_main_loop_quit(loop_); });
  thread_.join();
  g_main_loop_unref(loop_);
  g_main_context_unref(context_);
}

void IoLoop::Post(std::function<void()> task) {
  GSource* source = g_idle_source_new();
  g_source_set_priority(source, G_PRIORITY_DEFAULT);
  g_source_set_callback(source, RunOnce, new std::function<void()>(std::move(task)),
                        DeleteFn<std::function<void()>>);
  g_source_attach(source, context_);
  g_source_unref(source);
}

void IoLoop::Invoke(const std::function<void()>& task) {
  assert(!IsCurrent());
  std::promise<void> done;
  Post([&] {
    task();
    done.set_value();
  });
  done.get_future().wait();
}

guint IoLoop::AddTimer(unsigned interval_ms, std::function<bool()> tick) {
  GSource* source = g_timeout_source_new(interval_ms);
  g_source_set_callback(source, RunTick, new std::function<bool()>(std::move(tick)),
                        DeleteFn<std::function<bool()>>);
  guint id = g_source_attach(source, context_);
  g_source_unref(source);
  return id;
}

void IoLoop::CancelTimer(guint id) {
  if (GSource* s = g_main_context_find_source_by_id(context_, id)) g_source_destroy(s);
}

}  // namespace mcu::media
