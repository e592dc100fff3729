// Continuous-presence layout geometry: where each site's picture goes on the composite canvas.
// Pure code over plain values; no state, so safe on any thread.
#pragma once

#include <vector>

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
  int columns = 0;
  std::vector<Tile> tiles;  // Row-major, one per shown site, at most kMaxTiles.
};

// A columns x columns grid of equal cells (canvas / columns, rounded down to even), filled
// row-major. Each tile is the largest 16:9 rectangle that fits its cell, centred in it
// (letterboxed). Every coordinate and size is even (4:2:0 chroma), tiles never overlap and
// never leave the canvas.
Layout ComputeLayout(int count, int canvas_width, int canvas_height);

// `tile` of layout `from`, scaled to a canvas of canvas_width x canvas_height: position and size
// scaled separately and rounded down to even, so scaled tiles still neither overlap nor leave
// the canvas. Used to ask a site for its tile size at the largest output tier.
Tile ScaleTile(const Tile& tile, const Layout& from, int canvas_width, int canvas_height);

}  // namespace mcu::media
