// Specs of media/layout.h: grid size, exact tile geometry and its invariants.
#include "media/layout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <utility>
#include <vector>

namespace mcu::media {

// Readable failure messages (found by argument-dependent lookup, hence outside the anonymous
// namespace).
static void PrintTo(const Tile& t, std::ostream* os) {
  *os << "{" << t.x << ", " << t.y << ", " << t.width << "x" << t.height << "}";
}

namespace {

bool Apart(const Tile& t, const Tile& u) {
  return t.x + t.width <= u.x || u.x + u.width <= t.x || t.y + t.height <= u.y ||
         u.y + u.height <= t.y;
}

// The invariants every layout keeps on a width x height canvas: even coordinates and sizes,
// non-empty, inside, pairwise apart; and (for computed layouts, not scaled ones) 16:9 pictures.
void ExpectTilesSound(const std::vector<Tile>& tiles, int width, int height, bool sixteen_by_nine) {
  for (size_t i = 0; i < tiles.size(); ++i) {
    const Tile& t = tiles[i];
    EXPECT_EQ((t.x | t.y | t.width | t.height) % 2, 0) << i;
    EXPECT_GT(t.width, 0) << i;
    EXPECT_GT(t.height, 0) << i;
    EXPECT_GE(t.x, 0) << i;
    EXPECT_GE(t.y, 0) << i;
    EXPECT_LE(t.x + t.width, width) << i;
    EXPECT_LE(t.y + t.height, height) << i;
    if (sixteen_by_nine)
      EXPECT_NEAR(t.width * 9.0 / 16.0, t.height, 2.0) << i;  // Within rounding to even.
    for (size_t j = i + 1; j < tiles.size(); ++j)
      EXPECT_TRUE(Apart(t, tiles[j])) << i << " and " << j;
  }
}

// Every tile of `from` scaled to width x height.
void ExpectScaledTilesSound(const Layout& from, int width, int height) {
  std::vector<Tile> scaled;
  for (const Tile& t : from.tiles) scaled.push_back(ScaleTile(t, from, width, height));
  ExpectTilesSound(scaled, width, height, false);
}

using Tiles = std::vector<Tile>;

TEST(LayoutGridColumns, GrowsAsASquareGridAndCapsAtFive) {
  EXPECT_EQ(GridColumns(0), 0);
  EXPECT_EQ(GridColumns(1), 1);
  for (int n : {2, 3, 4}) EXPECT_EQ(GridColumns(n), 2) << n;
  for (int n : {5, 9}) EXPECT_EQ(GridColumns(n), 3) << n;
  for (int n : {10, 16}) EXPECT_EQ(GridColumns(n), 4) << n;
  for (int n : {17, 25, 26, 100}) EXPECT_EQ(GridColumns(n), 5) << n;
}

TEST(Layout, NoSitesNoTiles) {
  Layout l = ComputeLayout(0, 1280, 720);
  EXPECT_EQ(l.columns, 0);
  EXPECT_TRUE(l.tiles.empty());
}

TEST(Layout, OneSiteFillsTheCanvas) {
  EXPECT_EQ(ComputeLayout(1, 1280, 720).tiles, (Tiles{{0, 0, 1280, 720}}));
  EXPECT_EQ(ComputeLayout(1, 640, 360).tiles, (Tiles{{0, 0, 640, 360}}));
}

TEST(Layout, TwoAndFourSitesShareATwoByTwoGrid) {
  Layout two = ComputeLayout(2, 1280, 720);
  EXPECT_EQ(two.columns, 2);
  EXPECT_EQ(two.tiles, (Tiles{{0, 0, 640, 360}, {640, 0, 640, 360}}));
  EXPECT_EQ(
      ComputeLayout(4, 1280, 720).tiles,
      (Tiles{{0, 0, 640, 360}, {640, 0, 640, 360}, {0, 360, 640, 360}, {640, 360, 640, 360}}));
  EXPECT_EQ(ComputeLayout(2, 640, 360).tiles, (Tiles{{0, 0, 320, 180}, {320, 0, 320, 180}}));
  EXPECT_EQ(
      ComputeLayout(4, 640, 360).tiles,
      (Tiles{{0, 0, 320, 180}, {320, 0, 320, 180}, {0, 180, 320, 180}, {320, 180, 320, 180}}));
}

TEST(Layout, ThirdsAreRoundedDownToEvenAndKeep16By9) {
  // 1280/3 = 426.67 -> 426; 426 * 9/16 = 239.6 -> 238 in a 240-high cell.
  EXPECT_EQ(ComputeLayout(5, 1280, 720).tiles, (Tiles{{0, 0, 426, 238},
                                                      {426, 0, 426, 238},
                                                      {852, 0, 426, 238},
                                                      {0, 240, 426, 238},
                                                      {426, 240, 426, 238}}));
  Layout nine = ComputeLayout(9, 1280, 720);
  EXPECT_EQ(nine.columns, 3);
  ASSERT_EQ(nine.tiles.size(), 9u);
  EXPECT_EQ(nine.tiles[8], (Tile{852, 480, 426, 238}));
  // 640/3 = 213.3 -> 212; 212 * 9/16 = 119.25 -> 118 in a 120-high cell.
  EXPECT_EQ(ComputeLayout(5, 640, 360).tiles, (Tiles{{0, 0, 212, 118},
                                                     {212, 0, 212, 118},
                                                     {424, 0, 212, 118},
                                                     {0, 120, 212, 118},
                                                     {212, 120, 212, 118}}));
  EXPECT_EQ(ComputeLayout(9, 640, 360).tiles.back(), (Tile{424, 240, 212, 118}));
}

TEST(Layout, SixteenAndTwentyFiveSitesTileExactly) {
  Layout sixteen = ComputeLayout(16, 1280, 720);
  ASSERT_EQ(sixteen.tiles.size(), 16u);
  for (int i = 0; i < 16; ++i)
    EXPECT_EQ(sixteen.tiles[i], (Tile{(i % 4) * 320, (i / 4) * 180, 320, 180})) << i;
  Layout small = ComputeLayout(16, 640, 360);
  for (int i = 0; i < 16; ++i)
    EXPECT_EQ(small.tiles[i], (Tile{(i % 4) * 160, (i / 4) * 90, 160, 90})) << i;

  Layout big = ComputeLayout(25, 1280, 720);
  ASSERT_EQ(big.tiles.size(), 25u);
  for (int i = 0; i < 25; ++i)
    EXPECT_EQ(big.tiles[i], (Tile{(i % 5) * 256, (i / 5) * 144, 256, 144})) << i;
  Layout small25 = ComputeLayout(25, 640, 360);
  for (int i = 0; i < 25; ++i)
    EXPECT_EQ(small25.tiles[i], (Tile{(i % 5) * 128, (i / 5) * 72, 128, 72})) << i;
}

TEST(Layout, SitesBeyondTwentyFiveAreNotShown) {
  Layout l = ComputeLayout(30, 1280, 720);
  EXPECT_EQ(l.columns, 5);
  EXPECT_EQ(l.tiles.size(), 25u);
}

TEST(Layout, CellsOfAnotherShapeAreLetterboxedOrPillarboxedAndCentred) {
  // 640x512 cells: 640x360 pictures, 76 pixels above and below.
  EXPECT_EQ(ComputeLayout(2, 1280, 1024).tiles, (Tiles{{0, 76, 640, 360}, {640, 76, 640, 360}}));
  // A wide canvas: 640x360 picture with 320 pixels either side.
  EXPECT_EQ(ComputeLayout(1, 1280, 360).tiles, (Tiles{{320, 0, 640, 360}}));
}

TEST(Layout, EveryCountGivesEvenDisjointTilesInsideTheCanvas) {
  const int canvases[][2] = {{1280, 720}, {640, 360}, {1920, 1080}, {1279, 719}, {1024, 768}};
  for (const auto& canvas : canvases) {
    const int w = canvas[0], h = canvas[1];
    for (int n = 1; n <= 30; ++n) {
      SCOPED_TRACE(testing::Message() << n << " sites on " << w << "x" << h);
      Layout l = ComputeLayout(n, w, h);
      ASSERT_EQ(static_cast<int>(l.tiles.size()), n < 25 ? n : 25);
      ExpectTilesSound(l.tiles, w, h, true);
    }
  }
}

TEST(LayoutScaleTile, ScalesPositionAndSizeToAnotherCanvas) {
  Layout small = ComputeLayout(5, 640, 360);
  EXPECT_EQ(ScaleTile(small.tiles[4], small, 1280, 720), (Tile{424, 240, 424, 236}));
  Layout four = ComputeLayout(4, 640, 360);
  EXPECT_EQ(ScaleTile(four.tiles[3], four, 1280, 720), (Tile{640, 360, 640, 360}));
  Layout big = ComputeLayout(5, 1280, 720);
  EXPECT_EQ(ScaleTile(big.tiles[4], big, 640, 360), (Tile{212, 120, 212, 118}));
}

TEST(LayoutScaleTile, ScaledTilesStayEvenDisjointAndInside) {
  for (int n = 1; n <= 25; ++n) {
    SCOPED_TRACE(n);
    ExpectScaledTilesSound(ComputeLayout(n, 640, 360), 1279, 719);
  }
}

TEST(LayoutScaleTile, AnEmptySourceCanvasGivesAnEmptyTile) {
  EXPECT_EQ(ScaleTile({0, 0, 10, 10}, Layout{}, 1280, 720), (Tile{}));
}

// ----- Layout kinds -----------------------------------------------------------------------------

TEST(LayoutKinds, GridIsTheSquareGrid) {
  for (int n = 0; n <= 30; ++n)
    EXPECT_EQ(ComputeLayout(LayoutKind::kGrid, n, 1280, 720).tiles,
              ComputeLayout(n, 1280, 720).tiles)
        << n;
}

TEST(LayoutKinds, SingleIsOneFullCanvasTileWhateverTheCount) {
  EXPECT_TRUE(ComputeLayout(LayoutKind::kSingle, 0, 1280, 720).tiles.empty());
  for (int n : {1, 2, 9, 30}) {
    EXPECT_EQ(ComputeLayout(LayoutKind::kSingle, n, 1280, 720).tiles, (Tiles{{0, 0, 1280, 720}}))
        << n;
    EXPECT_EQ(ComputeLayout(LayoutKind::kSingle, n, 640, 360).tiles, (Tiles{{0, 0, 640, 360}}))
        << n;
  }
  EXPECT_EQ(ComputeLayout(LayoutKind::kSingle, 3, 1280, 1024).tiles, (Tiles{{0, 152, 1280, 720}}));
}

TEST(LayoutKinds, SpeakerWithOneSiteFillsTheCanvas) {
  EXPECT_TRUE(ComputeLayout(LayoutKind::kSpeaker, 0, 1280, 720).tiles.empty());
  EXPECT_EQ(ComputeLayout(LayoutKind::kSpeaker, 1, 1280, 720).tiles, (Tiles{{0, 0, 1280, 720}}));
}

TEST(LayoutKinds, SpeakerUpToSevenSmallTilesIsMainThreeQuartersWithAnLShapedStrip) {
  Layout l = ComputeLayout(LayoutKind::kSpeaker, 8, 1280, 720);
  EXPECT_EQ(l.tiles, (Tiles{{0, 0, 960, 540},
                            {960, 0, 320, 180},
                            {960, 180, 320, 180},
                            {960, 360, 320, 180},
                            {0, 540, 320, 180},
                            {320, 540, 320, 180},
                            {640, 540, 320, 180},
                            {960, 540, 320, 180}}));
  EXPECT_EQ(ComputeLayout(LayoutKind::kSpeaker, 3, 1280, 720).tiles,
            (Tiles{{0, 0, 960, 540}, {960, 0, 320, 180}, {960, 180, 320, 180}}));
  EXPECT_EQ(ComputeLayout(LayoutKind::kSpeaker, 2, 640, 360).tiles,
            (Tiles{{0, 0, 480, 270}, {480, 0, 160, 90}}));
}

TEST(LayoutKinds, SpeakerStripTilesShrinkAsSitesAreAdded) {
  auto sizes = [](int n) {
    Layout l = ComputeLayout(LayoutKind::kSpeaker, n, 1280, 720);
    return std::pair{l.tiles.front(), l.tiles.back()};
  };
  EXPECT_EQ(sizes(10).first, (Tile{0, 0, 1024, 576}));
  EXPECT_EQ(sizes(10).second, (Tile{1024, 576, 256, 144}));
  EXPECT_EQ(sizes(21).first, (Tile{0, 2, 848, 476}));
  EXPECT_EQ(sizes(21).second, (Tile{1060, 600, 212, 118}));
  EXPECT_EQ(sizes(25).first, (Tile{0, 0, 910, 510}));
  EXPECT_EQ(sizes(25).second, (Tile{1092, 612, 182, 102}));
  for (int n = 2; n <= 25; ++n) {
    Layout l = ComputeLayout(LayoutKind::kSpeaker, n, 1280, 720);
    for (size_t i = 1; i < l.tiles.size(); ++i)
      EXPECT_GE(l.tiles[0].width, 3 * l.tiles[i].width) << n << " sites: the main tile dominates";
  }
}

TEST(LayoutKinds, SpeakerShowsAtMostTwentyFiveTiles) {
  EXPECT_EQ(ComputeLayout(LayoutKind::kSpeaker, 25, 1280, 720).tiles.size(), 25u);
  EXPECT_EQ(ComputeLayout(LayoutKind::kSpeaker, 40, 1280, 720).tiles.size(), 25u);
  EXPECT_EQ(ComputeLayout(LayoutKind::kSpeaker, 40, 1280, 720).tiles,
            ComputeLayout(LayoutKind::kSpeaker, 25, 1280, 720).tiles);
}

TEST(LayoutKinds, PresenterHasTheSpeakerGeometry) {
  for (int n = 0; n <= 30; ++n)
    EXPECT_EQ(ComputeLayout(LayoutKind::kPresenter, n, 1280, 720).tiles,
              ComputeLayout(LayoutKind::kSpeaker, n, 1280, 720).tiles)
        << n;
}

TEST(LayoutKinds, EveryKindAndCountGivesEvenDisjointTilesInsideTheCanvas) {
  const int canvases[][2] = {{1280, 720}, {640, 360}, {1920, 1080}, {1279, 719}, {1024, 768}};
  for (LayoutKind kind :
       {LayoutKind::kGrid, LayoutKind::kSpeaker, LayoutKind::kSingle, LayoutKind::kPresenter}) {
    for (const auto& canvas : canvases) {
      const int w = canvas[0], h = canvas[1];
      for (int n = 1; n <= 30; ++n) {
        SCOPED_TRACE(testing::Message() << "kind " << static_cast<int>(kind) << ", " << n
                                        << " sites on " << w << "x" << h);
        Layout l = ComputeLayout(kind, n, w, h);
        const int expected = kind == LayoutKind::kSingle ? 1 : std::min(n, kMaxTiles);
        ASSERT_EQ(static_cast<int>(l.tiles.size()), expected);
        ExpectTilesSound(l.tiles, w, h, true);
        for (size_t i = 1; i < l.tiles.size(); ++i) {
          const Tile& t = l.tiles[i];
          if (kind != LayoutKind::kGrid) {
            EXPECT_GE(l.tiles[0].width, t.width) << "tile 0 is the main tile";
          }
        }
      }
    }
  }
}

TEST(LayoutKinds, ScaledSpeakerTilesStayEvenDisjointAndInside) {
  for (int n = 2; n <= 25; ++n) {
    SCOPED_TRACE(n);
    ExpectScaledTilesSound(ComputeLayout(LayoutKind::kSpeaker, n, 640, 360), 1280, 720);
  }
}

}  // namespace
}  // namespace mcu::media
