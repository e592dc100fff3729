#include "media/layout.h"

#include <algorithm>
#include <cstdint>

namespace mcu::media {
namespace {

int FloorEven(int64_t v) { return static_cast<int>(v < 0 ? 0 : v & ~int64_t{1}); }

}  // namespace

int GridColumns(int count) {
  if (count <= 0) return 0;
  int columns = 1;
  while (columns < 5 && columns * columns < count) ++columns;
  return columns;
}

Layout ComputeLayout(int count, int canvas_width, int canvas_height) {
  Layout layout{canvas_width, canvas_height, GridColumns(count), {}};
  if (layout.columns == 0) return layout;
  const int cell_w = FloorEven(std::max(canvas_width, 0) / layout.columns);
  const int cell_h = FloorEven(std::max(canvas_height, 0) / layout.columns);
  // Largest 16:9 rectangle inside the cell: limited by the width or by the height.
  int w = cell_w, h = FloorEven(int64_t{cell_w} * 9 / 16);
  if (h > cell_h) {
    h = cell_h;
    w = FloorEven(int64_t{cell_h} * 16 / 9);
  }
  const int shown = std::min(count, kMaxTiles);
  for (int i = 0; i < shown; ++i) {
    const int col = i % layout.columns, row = i / layout.columns;
    layout.tiles.push_back({col * cell_w + FloorEven((cell_w - w) / 2),
                            row * cell_h + FloorEven((cell_h - h) / 2), w, h});
  }
  return layout;
}

Tile ScaleTile(const Tile& tile, const Layout& from, int canvas_width, int canvas_height) {
  if (from.canvas_width <= 0 || from.canvas_height <= 0) return {};
  auto sx = [&](int v) { return FloorEven(int64_t{v} * canvas_width / from.canvas_width); };
  auto sy = [&](int v) { return FloorEven(int64_t{v} * canvas_height / from.canvas_height); };
  return {sx(tile.x), sy(tile.y), sx(tile.width), sy(tile.height)};
}

}  // namespace mcu::media
