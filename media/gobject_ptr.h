// RAII for GLib/GObject/GStreamer references: the only place in the project that calls
// g_object_unref, gst_object_unref, gst_*_unref, g_main_*_unref, g_source_unref, g_error_free or
// g_free directly (scripts/check-gobject.sh checks it in CI).
//
// Floating references: Adopt() refuses a floating object (it would silently take a reference
// nobody owns); use AdoptSink() for a freshly created floating object (gst_element_factory_make,
// gst_pad_new, ...) to sink it and own it.
#pragma once

#include <glib-object.h>
#include <gst/gst.h>

#include <cassert>
#include <memory>
#include <string>
#include <utility>

namespace mcu::media {

template <typename T>
struct GRefTraits {
  static void Ref(T* p) { g_object_ref(p); }
  static void Unref(T* p) { g_object_unref(p); }
  static bool IsFloating(T* p) { return g_object_is_floating(p); }
  static void Sink(T* p) { g_object_ref_sink(p); }
};
template <>
struct GRefTraits<GstCaps> {
  static void Ref(GstCaps* p) { gst_caps_ref(p); }
  static void Unref(GstCaps* p) { gst_caps_unref(p); }
  static bool IsFloating(GstCaps*) { return false; }
  static void Sink(GstCaps*) {}
};
template <>
struct GRefTraits<GstBuffer> {
  static void Ref(GstBuffer* p) { gst_buffer_ref(p); }
  static void Unref(GstBuffer* p) { gst_buffer_unref(p); }
  static bool IsFloating(GstBuffer*) { return false; }
  static void Sink(GstBuffer*) {}
};
template <>
struct GRefTraits<GstSample> {
  static void Ref(GstSample* p) { gst_sample_ref(p); }
  static void Unref(GstSample* p) { gst_sample_unref(p); }
  static bool IsFloating(GstSample*) { return false; }
  static void Sink(GstSample*) {}
};
template <>
struct GRefTraits<GstMessage> {
  static void Ref(GstMessage* p) { gst_message_ref(p); }
  static void Unref(GstMessage* p) { gst_message_unref(p); }
  static bool IsFloating(GstMessage*) { return false; }
  static void Sink(GstMessage*) {}
};

template <>
struct GRefTraits<GstEvent> {
  static void Ref(GstEvent* p) { gst_event_ref(p); }
  static void Unref(GstEvent* p) { gst_event_unref(p); }
  static bool IsFloating(GstEvent*) { return false; }
  static void Sink(GstEvent*) {}
};
template <>
struct GRefTraits<GstQuery> {
  static void Ref(GstQuery* p) { gst_query_ref(p); }
  static void Unref(GstQuery* p) { gst_query_unref(p); }
  static bool IsFloating(GstQuery*) { return false; }
  static void Sink(GstQuery*) {}
};
template <>
struct GRefTraits<GstPromise> {
  static void Ref(GstPromise* p) { gst_promise_ref(p); }
  static void Unref(GstPromise* p) { gst_promise_unref(p); }
  static bool IsFloating(GstPromise*) { return false; }
  static void Sink(GstPromise*) {}
};
template <>
struct GRefTraits<GMainLoop> {
  static void Ref(GMainLoop* p) { g_main_loop_ref(p); }
  static void Unref(GMainLoop* p) { g_main_loop_unref(p); }
  static bool IsFloating(GMainLoop*) { return false; }
  static void Sink(GMainLoop*) {}
};
template <>
struct GRefTraits<GMainContext> {
  static void Ref(GMainContext* p) { g_main_context_ref(p); }
  static void Unref(GMainContext* p) { g_main_context_unref(p); }
  static bool IsFloating(GMainContext*) { return false; }
  static void Sink(GMainContext*) {}
};
template <>
struct GRefTraits<GSource> {
  static void Ref(GSource* p) { g_source_ref(p); }
  static void Unref(GSource* p) { g_source_unref(p); }
  static bool IsFloating(GSource*) { return false; }
  static void Sink(GSource*) {}
};

template <typename T>
class GRef {
 public:
  GRef() = default;
  ~GRef() { reset(); }
  GRef(const GRef& o) : p_(o.p_) {
    if (p_) GRefTraits<T>::Ref(p_);
  }
  GRef(GRef&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  GRef& operator=(GRef o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }

  // Takes ownership of a full (non-floating) reference.
  static GRef Adopt(T* p) {
    assert(!p || !GRefTraits<T>::IsFloating(p));
    GRef r;
    r.p_ = p;
    return r;
  }
  // Takes ownership of a newly created object, sinking its floating reference.
  static GRef AdoptSink(T* p) {
    if (p && GRefTraits<T>::IsFloating(p)) GRefTraits<T>::Sink(p);
    GRef r;
    r.p_ = p;
    return r;
  }
  // Adds a reference of our own to an object owned elsewhere.
  static GRef Share(T* p) {
    if (p) GRefTraits<T>::Ref(p);
    GRef r;
    r.p_ = p;
    return r;
  }

  T* get() const { return p_; }
  T* operator->() const { return p_; }
  explicit operator bool() const { return p_ != nullptr; }
  T* release() { return std::exchange(p_, nullptr); }
  void reset() {
    if (p_) GRefTraits<T>::Unref(std::exchange(p_, nullptr));
  }

 private:
  T* p_ = nullptr;
};

struct GFreeDeleter {
  void operator()(void* p) const { g_free(p); }
};
using GCharPtr = std::unique_ptr<gchar, GFreeDeleter>;

struct GErrorDeleter {
  void operator()(GError* e) const { g_error_free(e); }
};
// A GError an out-parameter filled: `GError* raw = nullptr; f(&raw); GErrorPtr err(raw);`.
using GErrorPtr = std::unique_ptr<GError, GErrorDeleter>;

struct GstStructureDeleter {
  void operator()(GstStructure* s) const { gst_structure_free(s); }
};
using GstStructurePtr = std::unique_ptr<GstStructure, GstStructureDeleter>;

// A GList whose elements the caller took over (each moved into its own GRef): frees the links.
struct GListDeleter {
  void operator()(GList* l) const { g_list_free(l); }
};
using GListPtr = std::unique_ptr<GList, GListDeleter>;

inline std::string TakeGString(gchar* s) {
  GCharPtr owned(s);
  return s ? std::string(s) : std::string();
}

}  // namespace mcu::media
