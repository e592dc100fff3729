// Specs of media/layout_plan.h: who leads the composite, in what order the sites are shown, and
// what size each is asked to send.
#include "media/layout_plan.h"

#include <gtest/gtest.h>

namespace mcu::media {
namespace {

constexpr int kW = 1280, kH = 720;

std::vector<PlanSite> Sites(int n, ParticipantId content = 0) {
  std::vector<PlanSite> out;
  for (int i = 1; i <= n; ++i) out.push_back({ParticipantId(i), ParticipantId(i) == content});
  return out;
}

std::vector<ParticipantId> Order(const LayoutPlan& plan) {
  std::vector<ParticipantId> out;
  for (const auto& s : plan.sites) out.push_back(s.id);
  return out;
}

TEST(LayoutPlan, AGridShowsEverySiteInJoinOrderWithNoMainSite) {
  LayoutPlan plan = PlanLayout(LayoutKind::kGrid, 0, /*speaker=*/3, Sites(4), kW, kH);
  EXPECT_EQ(plan.main, 0u);
  EXPECT_EQ(Order(plan), (std::vector<ParticipantId>{1, 2, 3, 4}));
  EXPECT_EQ(plan.tiles, 4);
  for (const auto& s : plan.sites) {
    EXPECT_TRUE(s.visible);
    EXPECT_EQ(s.ask, s.tile) << "a shown site is asked for its tile";
    EXPECT_EQ(s.tile.width, 640);
  }
}

TEST(LayoutPlan, ASpotlightLeadsEvenTheGrid) {
  LayoutPlan plan = PlanLayout(LayoutKind::kGrid, /*spotlight=*/3, 0, Sites(4), kW, kH);
  EXPECT_EQ(plan.main, 3u);
  EXPECT_EQ(Order(plan), (std::vector<ParticipantId>{3, 1, 2, 4}));
}

TEST(LayoutPlan, TheSpeakerLayoutPutsTheActiveSpeakerInTheLargeTile) {
  LayoutPlan plan = PlanLayout(LayoutKind::kSpeaker, 0, /*speaker=*/2, Sites(4), kW, kH);
  EXPECT_EQ(plan.main, 2u);
  EXPECT_EQ(Order(plan), (std::vector<ParticipantId>{2, 1, 3, 4}));
  EXPECT_EQ(plan.sites[0].tile.width, 960);
  EXPECT_EQ(plan.sites[1].tile.width, 320);
}

TEST(LayoutPlan, WithoutASpeakerTheFirstSiteThatJoinedLeadsAndASpotlightOverridesTheSpeaker) {
  EXPECT_EQ(PlanLayout(LayoutKind::kSpeaker, 0, 0, Sites(3), kW, kH).main, 1u);
  EXPECT_EQ(PlanLayout(LayoutKind::kSpeaker, 0, /*speaker gone=*/9, Sites(3), kW, kH).main, 1u);
  EXPECT_EQ(PlanLayout(LayoutKind::kSpeaker, /*spotlight=*/3, /*speaker=*/2, Sites(3), kW, kH).main,
            3u);
  EXPECT_EQ(MainSiteOf(LayoutKind::kSpeaker, 3, 2, Sites(3)), 3u);
  EXPECT_EQ(MainSiteOf(LayoutKind::kGrid, 0, 2, Sites(3)), 0u);
}

TEST(LayoutPlan, PresenterPutsTheContentFirstAndTheSpotlightSecond) {
  LayoutPlan plan = PlanLayout(LayoutKind::kPresenter, /*spotlight=*/4, /*speaker=*/2,
                               Sites(5, /*content=*/3), kW, kH);
  EXPECT_EQ(plan.kind, LayoutKind::kPresenter);
  EXPECT_EQ(plan.main, 3u);
  EXPECT_EQ(Order(plan), (std::vector<ParticipantId>{3, 4, 1, 2, 5}));
}

TEST(LayoutPlan, PresenterWithoutContentIsAGrid) {
  LayoutPlan plan = PlanLayout(LayoutKind::kPresenter, 0, 2, Sites(4), kW, kH);
  EXPECT_EQ(plan.kind, LayoutKind::kGrid);
  EXPECT_EQ(plan.main, 0u);
  EXPECT_EQ(Order(plan), (std::vector<ParticipantId>{1, 2, 3, 4}));
}

TEST(LayoutPlan, SingleShowsOnlyTheMainSiteAndAsksTheOthersForAQuarterCanvas) {
  LayoutPlan plan = PlanLayout(LayoutKind::kSingle, 0, /*speaker=*/3, Sites(3), kW, kH);
  ASSERT_EQ(plan.sites.size(), 3u);
  EXPECT_EQ(plan.tiles, 1);
  EXPECT_EQ(plan.sites[0].id, 3u);
  EXPECT_TRUE(plan.sites[0].visible);
  EXPECT_EQ(plan.sites[0].ask.width, 1280);
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_FALSE(plan.sites[i].visible);
    EXPECT_EQ(plan.sites[i].tile, (Tile{0, 0, 2, 2}));
    EXPECT_EQ(plan.sites[i].ask, (Tile{0, 0, 640, 360}));
  }
}

TEST(LayoutPlan, SitesBeyondTheTilesAreHiddenAndAskedForTheSmallestTile) {
  LayoutPlan plan = PlanLayout(LayoutKind::kGrid, 0, 0, Sites(27), kW, kH);
  EXPECT_EQ(plan.tiles, kMaxTiles);
  ASSERT_EQ(plan.sites.size(), 27u);
  const Tile smallest = plan.sites[kMaxTiles - 1].tile;
  for (size_t i = kMaxTiles; i < 27; ++i) {
    EXPECT_FALSE(plan.sites[i].visible);
    EXPECT_EQ(plan.sites[i].ask, smallest);
  }
}

TEST(LayoutPlan, NoSitesNoTiles) {
  LayoutPlan plan = PlanLayout(LayoutKind::kSpeaker, 1, 1, {}, kW, kH);
  EXPECT_EQ(plan.main, 0u);
  EXPECT_EQ(plan.tiles, 0);
  EXPECT_TRUE(plan.sites.empty());
}

TEST(LayoutPlan, ALinkSeesEverySiteButItselfWithTheSpeakerLarge) {
  // A grid or speaker layout: the speaker layout, the link (2) nowhere in it.
  for (LayoutKind kind : {LayoutKind::kGrid, LayoutKind::kSpeaker}) {
    LayoutPlan plan = PlanLinkView(kind, 0, /*speaker=*/3, /*link=*/2, Sites(4), kW, kH);
    EXPECT_EQ(plan.kind, LayoutKind::kSpeaker);
    EXPECT_EQ(plan.main, 3u);
    EXPECT_EQ(Order(plan), (std::vector<ParticipantId>{3, 1, 4}));
    EXPECT_EQ(plan.tiles, 3);
    EXPECT_GT(plan.sites[0].tile.width, plan.sites[1].tile.width);
  }
}

TEST(LayoutPlan, ALinkNeverLeadsItsOwnViewEvenSpotlightedOrSpeaking) {
  LayoutPlan spotlit = PlanLinkView(LayoutKind::kSpeaker, /*spotlight=*/2, /*speaker=*/2,
                                    /*link=*/2, Sites(3), kW, kH);
  EXPECT_EQ(spotlit.main, 1u);  // No speaker but the link: the first site.
  EXPECT_EQ(Order(spotlit), (std::vector<ParticipantId>{1, 3}));
  LayoutPlan other = PlanLinkView(LayoutKind::kSpeaker, /*spotlight=*/3, /*speaker=*/1,
                                  /*link=*/2, Sites(3), kW, kH);
  EXPECT_EQ(other.main, 3u);  // Another site's spotlight leads, as in the rooms' layout.
  // Alone with the link: the other site fills the canvas.
  LayoutPlan alone = PlanLinkView(LayoutKind::kGrid, 0, 0, /*link=*/1, Sites(2), kW, kH);
  ASSERT_EQ(alone.sites.size(), 1u);
  EXPECT_EQ(alone.sites[0].id, 2u);
  EXPECT_EQ(alone.sites[0].tile.width, kW);
}

TEST(LayoutPlan, ALinkOfASingleLayoutConferenceSeesOnlyItsMainSite) {
  LayoutPlan plan = PlanLinkView(LayoutKind::kSingle, /*spotlight=*/2, /*speaker=*/3, /*link=*/2,
                                 Sites(4), kW, kH);
  EXPECT_EQ(plan.kind, LayoutKind::kSingle);
  EXPECT_EQ(plan.main, 3u);  // The link spotlighted: the speaker instead.
  EXPECT_EQ(plan.tiles, 1);
  EXPECT_EQ(plan.sites[0].tile.width, kW);
}

TEST(LayoutPlan, ALinkSeesSharedContentLargeInThePresenterLayout) {
  LayoutPlan plan = PlanLinkView(LayoutKind::kPresenter, 0, /*speaker=*/1, /*link=*/2,
                                 Sites(4, /*content=*/4), kW, kH);
  EXPECT_EQ(plan.kind, LayoutKind::kPresenter);
  EXPECT_EQ(plan.main, 4u);
  EXPECT_EQ(Order(plan), (std::vector<ParticipantId>{4, 1, 3}));
}

}  // namespace
}  // namespace mcu::media
