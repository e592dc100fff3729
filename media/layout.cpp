#include "media/layout.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace mcu::media {
namespace {

int FloorEven(int64_t v) { return static_cast<int>(v < 0 ? 0 : v & ~int64_t{1}); }

// The largest 16:9 tile inside the cell (x, y, w, h), centred; w, h even.
Tile Fit(int x, int y, int cell_w, int cell_h) {
  int w = cell_w, h = FloorEven(int64_t{cell_w} * 9 / 16);
  if (h > cell_h) {
    h = cell_h;
    w = FloorEven(int64_t{cell_h} * 16 / 9);
  }
  return {x + FloorEven((cell_w - w) / 2), y + FloorEven((cell_h - h) / 2), w, h};
}

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
  const int shown = std::min(count, kMaxTiles);
  for (int i = 0; i < shown; ++i) {
    const int col = i % layout.columns, row = i / layout.columns;
    layout.tiles.push_back(Fit(col * cell_w, row * cell_h, cell_w, cell_h));
  }
  return layout;
}

Layout ComputeLayout(LayoutKind kind, int count, int canvas_width, int canvas_height) {
  if (kind == LayoutKind::kGrid) return ComputeLayout(count, canvas_width, canvas_height);
  Layout layout{canvas_width, canvas_height, 0, {}};
  if (count <= 0) return layout;
  const int cw = std::max(canvas_width, 0), ch = std::max(canvas_height, 0);
  if (kind == LayoutKind::kSingle || count == 1) {
    layout.columns = 1;
    layout.tiles.push_back(Fit(0, 0, FloorEven(cw), FloorEven(ch)));
    return layout;
  }
  const int small = std::min(count, kMaxTiles) - 1;
  // (k, m) for up to N small tiles: the k*k - m*m cells around an m x m main tile.
  struct Arrangement {
    int max_small, k, m;
  };
  static constexpr Arrangement kArrangements[] = {{7, 4, 3}, {9, 5, 4}, {20, 6, 4}, {24, 7, 5}};
  Arrangement a = kArrangements[3];
  for (const auto& candidate : kArrangements)
    if (small <= candidate.max_small) {
      a = candidate;
      break;
    }
  layout.columns = a.k;
  const int cell_w = FloorEven(cw / a.k), cell_h = FloorEven(ch / a.k);
  layout.tiles.push_back(Fit(0, 0, cell_w * a.m, cell_h * a.m));
  std::vector<std::pair<int, int>> cells;  // (column, row) of the small tiles, in order.
  for (int row = 0; row < a.m; ++row)
    for (int col = a.m; col < a.k; ++col) cells.emplace_back(col, row);
  for (int row = a.m; row < a.k; ++row)
    for (int col = 0; col < a.k; ++col) cells.emplace_back(col, row);
  for (int i = 0; i < small && i < static_cast<int>(cells.size()); ++i)
    layout.tiles.push_back(Fit(cells[i].first * cell_w, cells[i].second * cell_h, cell_w, cell_h));
  return layout;
}

Tile ScaleTile(const Tile& tile, const Layout& from, int canvas_width, int canvas_height) {
  if (from.canvas_width <= 0 || from.canvas_height <= 0) return {};
  auto sx = [&](int v) { return FloorEven(int64_t{v} * canvas_width / from.canvas_width); };
  auto sy = [&](int v) { return FloorEven(int64_t{v} * canvas_height / from.canvas_height); };
  return {sx(tile.x), sy(tile.y), sx(tile.width), sy(tile.height)};
}

}  // namespace mcu::media
