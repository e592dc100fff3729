// The composite's layout policy as a pure function: which site leads, which are shown, where,
// and what size each site is asked to send. The mixing room (media/mix_room.h) applies the plan to
// its compositor pads and tells each site its size; this file decides, without a pipeline, and is
// specified by tests/unit/layout_plan_test.cpp.
//
// The policy:
//   - The layout in force is the one set, except presenter without shared content: grid.
//   - The main site (tile 0): in presenter, the first content shared; else the spotlighted
//     site; else, in speaker and single, the active speaker, or the first site that joined.
//     A grid has no main site unless one is spotlighted.
//   - Tile order: the main site, then the spotlighted site (when it is not the main one: in
//     presenter it follows the content), then every other site in join order.
//   - Sites beyond the layout's tiles are hidden; a hidden site is asked for the smallest tile's
//     size (ready to be shown), in single for a quarter of the canvas.
// Pure; any thread.
#pragma once

#include <vector>

#include "media/layout.h"

namespace mcu::media {

// A site that has a picture to show (video arriving or its name card), in join order.
struct PlanSite {
  ParticipantId id = 0;
  bool content = false;  // A site's shared content.
};

struct PlannedSite {
  ParticipantId id = 0;
  bool visible = false;
  Tile tile;  // On the canvas; a 2x2 tile at 0,0 when hidden.
  Tile ask;   // The size the site should send (its tile, or the hidden size).
};

struct LayoutPlan {
  LayoutKind kind = LayoutKind::kGrid;  // The layout in force.
  ParticipantId main = 0;               // 0: none.
  int tiles = 0;                        // Tiles shown.
  std::vector<PlannedSite> sites;       // In tile order; hidden ones last.
};

// The main site alone (what changes when the active speaker does).
ParticipantId MainSiteOf(LayoutKind kind, ParticipantId spotlight, ParticipantId speaker,
                         const std::vector<PlanSite>& sites);

LayoutPlan PlanLayout(LayoutKind kind, ParticipantId spotlight, ParticipantId speaker,
                      const std::vector<PlanSite>& sites, int canvas_width, int canvas_height);

// What a cascade link receives (media/mix_room_impl.h LinkView): every site but `link`, in the
// speaker layout (the presenter layout while content is shared there; the single layout when the
// conference's is single) whose main tile is the spotlighted site, or else `speaker`, or else
// the first site; never the link itself, even spotlighted. `speaker` is the last active speaker
// that was not the link.
LayoutPlan PlanLinkView(LayoutKind kind, ParticipantId spotlight, ParticipantId speaker,
                        ParticipantId link, const std::vector<PlanSite>& sites, int canvas_width,
                        int canvas_height);

}  // namespace mcu::media
