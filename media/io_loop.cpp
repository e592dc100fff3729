#include "media/io_loop.h"

#include <pthread.h>

#include <cassert>
#include <future>

namespace mcu::media {
namespace {

gboolean RunOnce(gpointer data) noexcept {
  (*static_cast<std::function<void()>*>(data))();
  return G_SOURCE_REMOVE;
}
gboolean RunTick(gpointer data) noexcept {
  return (*static_cast<std::function<bool()>*>(data))() ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}
template <typename F>
void DeleteFn(gpointer data) noexcept {
  delete static_cast<F*>(data);
}

}  // namespace

IoLoop::IoLoop()
    : context_(GRef<GMainContext>::Adopt(g_main_context_new())),
      loop_(GRef<GMainLoop>::Adopt(g_main_loop_new(context_.get(), FALSE))),
      thread_([this] {
        g_main_context_push_thread_default(context_.get());
        g_main_loop_run(loop_.get());
        g_main_context_pop_thread_default(context_.get());
      }) {
  pthread_setname_np(thread_.native_handle(), "mcu-io");
}

IoLoop::~IoLoop() {
  Post([this] { g_main_loop_quit(loop_.get()); });
  thread_.join();
}

void IoLoop::Post(std::function<void()> task) {
  auto source = GRef<GSource>::Adopt(g_idle_source_new());
  g_source_set_priority(source.get(), G_PRIORITY_DEFAULT);
  g_source_set_callback(source.get(), RunOnce, new std::function<void()>(std::move(task)),
                        DeleteFn<std::function<void()>>);
  g_source_attach(source.get(), context_.get());
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
  auto source = GRef<GSource>::Adopt(g_timeout_source_new(interval_ms));
  g_source_set_callback(source.get(), RunTick, new std::function<bool()>(std::move(tick)),
                        DeleteFn<std::function<bool()>>);
  return g_source_attach(source.get(), context_.get());
}

void IoLoop::CancelTimer(guint id) {
  if (GSource* s = g_main_context_find_source_by_id(context_.get(), id)) g_source_destroy(s);
}

}  // namespace mcu::media
