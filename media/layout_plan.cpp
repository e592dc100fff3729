#include "media/layout_plan.h"

#include <algorithm>

namespace mcu::media {

namespace {

LayoutKind KindInForce(LayoutKind kind, const std::vector<PlanSite>& sites) {
  if (kind != LayoutKind::kPresenter) return kind;
  bool sharing =
      std::any_of(sites.begin(), sites.end(), [](const PlanSite& s) { return s.content; });
  return sharing ? kind : LayoutKind::kGrid;
}

bool Has(const std::vector<PlanSite>& sites, ParticipantId id) {
  return id &&
         std::any_of(sites.begin(), sites.end(), [&](const PlanSite& s) { return s.id == id; });
}

ParticipantId MainOf(LayoutKind in_force, ParticipantId spotlight, ParticipantId speaker,
                     const std::vector<PlanSite>& sites) {
  if (sites.empty()) return 0;
  if (in_force == LayoutKind::kPresenter)
    for (const PlanSite& s : sites)
      if (s.content) return s.id;
  if (Has(sites, spotlight)) return spotlight;
  if (in_force == LayoutKind::kGrid) return 0;
  if (Has(sites, speaker)) return speaker;
  return sites.front().id;
}

}  // namespace

ParticipantId MainSiteOf(LayoutKind kind, ParticipantId spotlight, ParticipantId speaker,
                         const std::vector<PlanSite>& sites) {
  return MainOf(KindInForce(kind, sites), spotlight, speaker, sites);
}

LayoutPlan PlanLayout(LayoutKind kind, ParticipantId spotlight, ParticipantId speaker,
                      const std::vector<PlanSite>& sites, int canvas_width, int canvas_height) {
  LayoutPlan plan;
  plan.kind = KindInForce(kind, sites);
  plan.main = MainOf(plan.kind, spotlight, speaker, sites);
  std::vector<ParticipantId> order;
  if (plan.main) order.push_back(plan.main);
  if (spotlight != plan.main && Has(sites, spotlight)) order.push_back(spotlight);
  for (const PlanSite& s : sites)
    if (s.id != plan.main && s.id != spotlight) order.push_back(s.id);

  Layout layout =
      ComputeLayout(plan.kind, static_cast<int>(order.size()), canvas_width, canvas_height);
  plan.tiles = static_cast<int>(layout.tiles.size());
  const Tile hidden_ask = plan.kind == LayoutKind::kSingle || layout.tiles.empty()
                              ? Tile{0, 0, canvas_width / 2, canvas_height / 2}
                              : layout.tiles.back();
  for (size_t i = 0; i < order.size(); ++i) {
    PlannedSite p;
    p.id = order[i];
    p.visible = i < layout.tiles.size();
    p.tile = p.visible ? layout.tiles[i] : Tile{0, 0, 2, 2};
    p.ask = p.visible ? p.tile : hidden_ask;
    plan.sites.push_back(p);
  }
  return plan;
}

LayoutPlan PlanLinkView(LayoutKind kind, ParticipantId spotlight, ParticipantId speaker,
                        ParticipantId link, const std::vector<PlanSite>& sites, int canvas_width,
                        int canvas_height) {
  std::vector<PlanSite> others;
  for (const PlanSite& s : sites)
    if (s.id != link) others.push_back(s);
  // A single layout stays single (the host shows one site: so does the link); any other is the
  // speaker layout, presenter while content is shared.
  const LayoutKind view =
      kind == LayoutKind::kPresenter || kind == LayoutKind::kSingle ? kind : LayoutKind::kSpeaker;
  return PlanLayout(view, spotlight == link ? 0 : spotlight, speaker == link ? 0 : speaker, others,
                    canvas_width, canvas_height);
}

}  // namespace mcu::media
