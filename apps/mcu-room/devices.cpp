#include "apps/mcu-room/devices.h"

#include <gst/gst.h>

#include <fcntl.h>
#include <unistd.h>

#include <sstream>

#include "media/gobject_ptr.h"

namespace mcu::room {
namespace {

using media::GCharPtr;
using media::GListPtr;
using media::GRef;
using media::GstStructurePtr;

// The element a device makes names it the way the command line does (v4l2src device=/dev/video0,
// pulsesrc device=alsa_input...): read that property back.
std::string ElementDevice(GstDevice* device) {
  auto element = GRef<GstElement>::AdoptSink(gst_device_create_element(device, nullptr));
  if (!element || !g_object_class_find_property(G_OBJECT_GET_CLASS(element.get()), "device"))
    return "";
  gchar* raw = nullptr;
  g_object_get(element.get(), "device", &raw, nullptr);
  GCharPtr name(raw);
  return name ? name.get() : "";
}

std::string Api(GstDevice* device) {
  GstStructurePtr props(gst_device_get_properties(device));
  if (props)
    for (const char* key : {"device.api", "api.name"})
      if (const char* v = gst_structure_get_string(props.get(), key)) return v;
  return "";
}

}  // namespace

std::vector<Device> ListDevices() {
  auto monitor = GRef<GstDeviceMonitor>::AdoptSink(gst_device_monitor_new());
  gst_device_monitor_add_filter(monitor.get(), "Video/Source", nullptr);
  gst_device_monitor_add_filter(monitor.get(), "Audio/Source", nullptr);
  gst_device_monitor_add_filter(monitor.get(), "Audio/Sink", nullptr);
  std::vector<Device> out;
  if (!gst_device_monitor_start(monitor.get())) return out;
  GListPtr list(gst_device_monitor_get_devices(monitor.get()));
  for (GList* l = list.get(); l; l = l->next) {
    auto device = GRef<GstDevice>::AdoptSink(GST_DEVICE(l->data));  // The list's reference.
    Device d;
    if (gst_device_has_classes(device.get(), "Video/Source"))
      d.kind = "camera";
    else if (gst_device_has_classes(device.get(), "Audio/Source"))
      d.kind = "microphone";
    else
      d.kind = "speaker";
    GCharPtr description(gst_device_get_display_name(device.get()));
    d.description = description ? description.get() : "";
    d.name = ElementDevice(device.get());
    d.api = Api(device.get());
    if (!d.name.empty()) out.push_back(std::move(d));
  }
  gst_device_monitor_stop(monitor.get());
  return out;
}

DeviceStates ProbeDevices(const WantedDevices& wanted) {
  bool camera_opens = false;
  if (!wanted.camera.empty()) {
    // Opening the node is what v4l2src will do; a camera busy in another program opens too.
    int fd = open(wanted.camera.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    camera_opens = fd >= 0;
    if (fd >= 0) close(fd);
  }
  const bool list = wanted.microphone || wanted.speaker;
  return AssessDevices(wanted, list ? ListDevices() : std::vector<Device>{}, camera_opens);
}

std::string FormatDevices(const std::vector<Device>& devices) {
  std::ostringstream s;
  const std::pair<const char*, const char*> kinds[] = {
      {"camera", "cameras (--camera)"},
      {"microphone", "microphones (--mic-device)"},
      {"speaker", "loudspeakers (--speaker-device)"}};
  for (const auto& [kind, title] : kinds) {
    s << title << ":\n";
    bool any = false;
    for (const auto& d : devices)
      if (d.kind == kind) {
        s << "  " << d.name << "  \"" << d.description << "\"";
        if (!d.api.empty()) s << " (" << d.api << ")";
        s << "\n";
        any = true;
      }
    if (!any) s << "  none found\n";
  }
  return s.str();
}

}  // namespace mcu::room
