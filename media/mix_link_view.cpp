// A cascade link's own composite (media/mix_room_impl.h LinkView; why in mcu/cascade.h): a
// compositor of every site but the link, in the speaker layout, encoded at the link's tier for
// the link alone. Control thread, as every change to the room's pipeline.
#include <gst/app/gstappsink.h>
#include <spdlog/spdlog.h>
#include <algorithm>

#include "media/mix_room_impl.h"
#include "media/monotonic_pts.h"

namespace mcu::media {

namespace {

// A link view's output: `width`x`height` at the rooms' frame rate.
std::string ViewCaps(int width, int height) {
  return "video/x-raw,format=I420,width=" + std::to_string(width) +
         ",height=" + std::to_string(height) +
         ",framerate=30/1,pixel-aspect-ratio=1/1,colorimetry=bt601";
}

// The frames a link's encoder takes never go back in time (MonotonicPts): vp8enc would drop each
// one as "decreasing pts" until they caught up, seconds of the link's picture lost at the far
// side. On the view's streaming thread, which alone touches the state.
void KeepTimestampsIncreasing(GstElement* encoder) {
  auto sink = GRef<GstPad>::Adopt(gst_element_get_static_pad(encoder, "sink"));
  gst_pad_add_probe(
      sink.get(), GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) {
        GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
        if (!GST_BUFFER_PTS_IS_VALID(buf)) return GST_PAD_PROBE_OK;
        const GstClockTime pts = static_cast<MonotonicPts*>(data)->Next(
            GST_BUFFER_PTS(buf), GST_BUFFER_DURATION_IS_VALID(buf)
                                     ? static_cast<int64_t>(GST_BUFFER_DURATION(buf))
                                     : -1);
        if (pts != GST_BUFFER_PTS(buf)) {
          buf = gst_buffer_make_writable(buf);
          GST_BUFFER_PTS(buf) = pts;
          GST_PAD_PROBE_INFO_DATA(info) = buf;
        }
        return GST_PAD_PROBE_OK;
      },
      new MonotonicPts, [](gpointer p) { delete static_cast<MonotonicPts*>(p); });
}

GRef<GstCaps> SizeCaps(const Tile& t) {
  return GRef<GstCaps>::Adopt(gst_caps_new_simple(
      "video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, t.width, "height",
      G_TYPE_INT, t.height, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, nullptr));
}

}  // namespace

int MixRoom::AddLinkView(Site& s, VideoCodec codec) {
  MCU_DCHECK_THREAD(control_);
  // The link's tier: the one it would have chosen among the room's tiers of its codec.
  std::vector<int> ids = TiersOf(tiers_, codec);
  if (ids.empty()) return -1;
  std::vector<Tier> choices;
  choices.reserve(ids.size());
  for (int i : ids) choices.push_back(tiers_[static_cast<size_t>(i)]);
  const Tier tier = choices[static_cast<size_t>(TierSelector(choices).Choose(s.max_receive_kbps))];
  // Its slot: the first one a view left, or a new one after every other.
  int slot = static_cast<int>(tiers_.size());
  for (bool taken = true; taken; slot += taken ? 1 : 0) {
    taken = false;
    for (const auto& [link, v] : views_) taken |= v.slot == slot;
  }
  const std::string n = std::to_string(slot);
  // Composed at the tier's size, then scaled to what the far side shows (SetLinkViewSize: only
  // the scaler and the encoder change size; the compositor keeps its tiles' geometry).
  // As the rooms' compositor: its own clock, no waiting for a site that stopped sending.
  const std::string desc = "compositor name=vcomp" + n +
                           " background=black force-live=true ignore-inactive-pads=true "
                           "latency=10000000 ! " +
                           ViewCaps(tier.width, tier.height) + " ! tee name=vt" + n + " " +
                           EncoderBranch(slot, tier, true, "vt" + n);
  GError* raw_err = nullptr;
  GstElement* bin = gst_parse_bin_from_description(desc.c_str(), FALSE, &raw_err);
  if (GErrorPtr err(raw_err); err || !bin) {
    spdlog::error("mixing room {}: no composite of its own for link {}: {}", name_, s.name,
                  err ? err->message : "no bin");
    if (bin) GRef<GstElement>::AdoptSink(bin);
    return -1;
  }
  gst_object_set_name(GST_OBJECT(bin), ("link-view" + n).c_str());
  gst_bin_add(GST_BIN(pipeline_.get()), bin);
  LinkView view;
  view.slot = slot;
  view.tier = tier;
  view.bin = bin;
  view.speaker = speaker_ == s.id ? 0 : speaker_;
  view.compositor =
      GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(bin), ("vcomp" + n).c_str()));
  view.size = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(bin), ("scale" + n).c_str()));
  view.width = tier.width, view.height = tier.height;
  view.sink = std::make_unique<TierSink>();
  view.sink->room = this;
  view.sink->tier = slot;
  view.sink->codec = tier.codec;
  auto appsink = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(bin), ("out" + n).c_str()));
  GstAppSinkCallbacks cb{};
  cb.new_sample = &MixRoom::OnTierSample;
  gst_app_sink_set_callbacks(GST_APP_SINK(appsink.get()), &cb, view.sink.get(), nullptr);
  auto encoder = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(bin), ("enc" + n).c_str()));
  KeepTimestampsIncreasing(encoder.get());
  auto valve = GRef<GstElement>::Adopt(gst_bin_get_by_name(GST_BIN(bin), ("valve" + n).c_str()));
  // Shut until the link is counted as its receiver (MixIoState::SetTier opens it).
  g_object_set(valve.get(), "drop", TRUE, nullptr);
  // Its slot on mcu-io before any frame of it can arrive there.
  loop()->Invoke([io = io_, slot, encoder, valve] {
    const size_t i = static_cast<size_t>(slot);
    while (io->encoders.size() <= i) {  // A slot used before keeps its coalescer.
      io->coalescers.emplace_back(kKeyframeIntervalUs);
      io->encoders.emplace_back(), io->valves.emplace_back(), io->receivers.push_back(0);
    }
    io->encoders[i] = encoder, io->valves[i] = valve, io->receivers[i] = 0;
  });
  auto& placed = views_[s.id] = std::move(view);
  for (auto& [id, site] : sites_)
    if (id != s.id && site.tee) AddViewBranch(site, s.id, placed);
  gst_element_sync_state_with_parent(bin);
  spdlog::info(
      "mixing room {}: link {} receives a composite of its own ({} {}x{}, every site "
      "but itself)",
      name_, s.name, tier.codec == VideoCodec::kH264 ? "H264" : "VP8", tier.width, tier.height);
  Relayout();
  return slot;
}

void MixRoom::SetLinkViewSize(ParticipantId link, int width, int height) {
  MCU_DCHECK_THREAD(control_);
  auto it = views_.find(link);
  if (it == views_.end()) return;
  LinkView& view = it->second;
  const Tier& tier = view.tier;
  // The tier's shape, as wide as the far tile (a multiple of 16, at least a quarter of the
  // tier's width): a tile of another shape there is filled by scaling, as any site's.
  int w = width > 0 && height > 0 ? std::min(tier.width, width) : tier.width;
  w = std::max(w, tier.width / 4) / 16 * 16;
  const int h = (w * tier.height / tier.width) / 2 * 2;
  if (w == view.width && h == view.height) return;
  spdlog::info("mixing room {}: a link's own composite is now {}x{} (shown at {}x{} there)", name_,
               w, h, width, height);
  view.width = w, view.height = h;
  const std::string size =
      "video/x-raw,width=" + std::to_string(w) + ",height=" + std::to_string(h);
  auto caps = GRef<GstCaps>::Adopt(gst_caps_from_string(size.c_str()));
  g_object_set(view.size.get(), "caps", caps.get(), nullptr);
  Relayout();  // What the sites in it are asked for follows the new size.
}

void MixRoom::AddViewBranch(Site& s, ParticipantId link, LinkView& view) {
  ViewBranch b;
  // Named: an element named by GStreamer ("valve3") could take the name of a tier's, and a bin
  // refuses a second element of one name.
  const std::string prefix = "view" + std::to_string(link) + "-" + std::to_string(s.id) + "-";
  for (const char* factory : {"valve", "videoscale", "capsfilter", "textoverlay"})
    if (GstElement* e = gst_element_factory_make(factory, (prefix + factory).c_str()))
      b.elements.push_back(e);
  if (b.elements.size() != 4) {
    for (GstElement* e : b.elements) GRef<GstElement>::AdoptSink(e);
    return;
  }
  GstElement* valve = b.elements[0];
  g_object_set(valve, "drop", TRUE, nullptr);  // Until it has a tile there (RelayoutViews).
  g_object_set(b.elements[1], "add-borders", TRUE, nullptr);
  g_object_set(b.elements[3], "text", s.name.c_str(), "valignment", 1 /* bottom */, "halignment",
               1 /* center */, "shaded-background", TRUE, "font-desc", "Sans Bold 12", nullptr);
  for (GstElement* e : b.elements) gst_bin_add(GST_BIN(pipeline_.get()), e);
  gst_element_link_many(b.elements[0], b.elements[1], b.elements[2], b.elements[3], nullptr);
  GstPad* sinkpad = gst_element_request_pad_simple(view.compositor.get(), "sink_%u");
  g_object_set(sinkpad, "alpha", 0.0, nullptr);
  b.pad = GRef<GstPad>::Adopt(sinkpad);
  // The compositor is inside the view's bin: reached through a ghost pad of the bin.
  b.ghost = gst_ghost_pad_new(("site" + std::to_string(s.id)).c_str(), sinkpad);
  gst_pad_set_active(b.ghost, TRUE);
  gst_element_add_pad(view.bin, b.ghost);
  if (gst_pad_link(GRef<GstPad>::Adopt(gst_element_get_static_pad(b.elements[3], "src")).get(),
                   b.ghost) != GST_PAD_LINK_OK)
    spdlog::error("mixing room {}: {} cannot be shown to a link", name_, s.name);
  for (auto e = b.elements.rbegin(); e != b.elements.rend(); ++e)
    gst_element_sync_state_with_parent(*e);
  b.tee_pad = GRef<GstPad>::Adopt(gst_element_request_pad_simple(s.tee, "src_%u"));
  gst_pad_link(b.tee_pad.get(),
               GRef<GstPad>::Adopt(gst_element_get_static_pad(valve, "sink")).get());
  s.views[link] = std::move(b);
}

void MixRoom::RemoveViewBranch(GstElement* tee, ViewBranch& b, LinkView& view) {
  // The tee pad first: the tee then pushes to it no more (and a push in flight ends).
  if (b.tee_pad) gst_element_release_request_pad(tee, b.tee_pad.get());
  for (GstElement* e : b.elements) gst_element_set_state(e, GST_STATE_NULL);
  if (b.ghost) gst_element_remove_pad(view.bin, b.ghost);
  if (b.pad) gst_element_release_request_pad(view.compositor.get(), b.pad.get());
  for (GstElement* e : b.elements) gst_bin_remove(GST_BIN(pipeline_.get()), e);
  b.elements.clear();
}

void MixRoom::RemoveLinkView(ParticipantId link) {
  MCU_DCHECK_THREAD(control_);
  auto it = views_.find(link);
  if (it == views_.end()) return;
  LinkView& view = it->second;
  // Stopped first, so that no site's push waits in its compositor while its branch goes.
  gst_element_set_state(view.bin, GST_STATE_NULL);
  for (auto& [id, site] : sites_)
    if (auto b = site.views.find(link); b != site.views.end()) {
      RemoveViewBranch(site.tee, b->second, view);
      site.views.erase(b);
    }
  gst_bin_remove(GST_BIN(pipeline_.get()), view.bin);
  // After the link's peer went (posted before): the slot is free on mcu-io.
  loop()->Invoke([io = io_, slot = static_cast<size_t>(view.slot)] {
    io->encoders[slot] = {}, io->valves[slot] = {}, io->receivers[slot] = 0;
  });
  spdlog::info("mixing room {}: the link's own composite stopped", name_);
  views_.erase(it);
}

void MixRoom::RelayoutViews(std::map<ParticipantId, Tile>& asks,
                            std::set<ParticipantId>& shown_in_views) {
  MCU_DCHECK_THREAD(control_);
  if (views_.empty()) return;
  std::vector<PlanSite> shown;
  for (const auto& [id, s] : sites_)
    if (s.shown() && !s.video_muted) shown.push_back({id, s.content});
  for (auto& [link, view] : views_) {
    const LayoutPlan plan = PlanLinkView(kind_, spotlight_, view.speaker, link, shown,
                                         view.tier.width, view.tier.height);
    std::map<ParticipantId, const PlannedSite*> placed;
    for (const PlannedSite& p : plan.sites) placed[p.id] = &p;
    for (auto& [id, s] : sites_) {
      auto b = s.views.find(link);
      if (b == s.views.end() || b->second.elements.empty()) continue;
      ViewBranch& vb = b->second;
      auto p = placed.find(id);
      const bool visible = p != placed.end() && p->second->visible;
      const Tile t = visible ? p->second->tile : Tile{0, 0, 2, 2};
      if (visible && (!vb.placed || t.width != vb.tile.width || t.height != vb.tile.height))
        g_object_set(vb.elements[2], "caps", SizeCaps(t).get(), nullptr);
      if (!vb.placed || visible != vb.visible || (visible && t != vb.tile)) {
        g_object_set(vb.elements[0], "drop", visible ? FALSE : TRUE, nullptr);
        g_object_set(vb.pad.get(), "xpos", t.x, "ypos", t.y, "width", t.width, "height", t.height,
                     "alpha", visible ? 1.0 : 0.0, nullptr);
      }
      vb.placed = true, vb.visible = visible, vb.tile = t;
      if (visible) shown_in_views.insert(id);
      // A site large in a link's view is asked for the size it has in what is encoded (the view
      // scaled to what the far side shows), if larger than its tile here.
      Tile ask = t;
      ask.width = std::max(2, t.width * view.width / view.tier.width / 2 * 2);
      ask.height = std::max(2, t.height * view.height / view.tier.height / 2 * 2);
      if (visible && ask.width * ask.height > asks[id].width * asks[id].height) asks[id] = ask;
    }
  }
}

std::vector<Tier> MixRoom::OutputTiers() const {
  std::vector<Tier> out = tiers_;
  for (const auto& [link, view] : views_) {
    if (out.size() <= static_cast<size_t>(view.slot))
      out.resize(static_cast<size_t>(view.slot) + 1, tiers_.front());
    out[static_cast<size_t>(view.slot)] = view.tier;
  }
  return out;
}

}  // namespace mcu::media
