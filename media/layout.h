// Continuous-presence layout geometry: where each site's picture goes on the composite canvas.
// Pure code over plain values; no state, so safe on any thread.
#pragma once

#include <vector>

#include "mcu/media_api.h"  // LayoutKind.

namespace mcu::media {

// Sites beyond this many are not shown (a 5x5 grid).
inline constexpr int kMaxTiles = 25;

// Columns (= rows) of the square grid for `count` sites: 1 -> 1, 2..4 -> 2, 5..9 -> 3,
// 10..16 -> 4, 17 and more -> 5. 0 for no sites.
int GridColumns(int count);

struct Tile {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
  bool operator==(const Tile&) const = default;
};

struct Layout {
  int canvas_width = 0;
  int canvas_height = 0;
  int columns = 0;          // Cells per side of the grid the tiles are cut from.
  std::vector<Tile> tiles;  // One per shown site, at most kMaxTiles; see ComputeLayout.
};

// A columns x columns grid of equal cells (canvas / columns, rounded down to even), filled
// row-major. Each tile is the largest 16:9 rectangle that fits its cell, centred in it
// (letterboxed). Every coordinate and size is even (4:2:0 chroma), tiles never overlap and
// never leave the canvas.
Layout ComputeLayout(int count, int canvas_width, int canvas_height);

// The tiles of `count` sites in a layout of `kind`. Tile 0 is the main tile, except in kGrid,
// where the tiles are the grid above (row-major). Every layout keeps the grid's invariants: even
// coordinates and sizes, 16:9 pictures letterboxed and centred in their cells, no overlap,
// inside the canvas, at most kMaxTiles tiles (sites beyond are not shown).
//   kGrid:      ComputeLayout(count, ...).
//   kSingle:    one tile, the whole canvas (letterboxed to 16:9), whatever the count.
//   kSpeaker,   1+N: the canvas is cut into k x k equal cells (as the grid: canvas / k rounded
//   kPresenter: down to even); the main tile fills the top-left m x m cells; the small tiles
//               take the other cells, first the right-hand column(s) top to bottom (row-major
//               when two), then the bottom row(s) left to right. k and m grow with the number
//               of small tiles N = count - 1 (on 1280x720):
//                 N <= 7:  k=4, m=3: main 960x540, small 320x180 (3 right, 4 below)
//                 N <= 9:  k=5, m=4: main 1024x576, small 256x144
//                 N <= 20: k=6, m=4: main 848x476, small 212x118
//                 N <= 24: k=7, m=5: main 910x510, small 182x102 (kMaxTiles - 1 small tiles)
//               A single site (count 1) gets the whole canvas, as in kSingle.
//               kPresenter is kSpeaker's geometry; the room puts the shared content in tile 0.
Layout ComputeLayout(LayoutKind kind, int count, int canvas_width, int canvas_height);

// `tile` of layout `from`, scaled to a canvas of canvas_width x canvas_height: position and size
// scaled separately and rounded down to even, so scaled tiles still neither overlap nor leave
// the canvas. Used to ask a site for its tile size at the largest output tier.
Tile ScaleTile(const Tile& tile, const Layout& from, int canvas_width, int canvas_height);

}  // namespace mcu::media
