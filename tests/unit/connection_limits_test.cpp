// Specs of signaling/connection_limits.h: who may take the signaling server's connections.
#include "signaling/connection_limits.h"

#include <gtest/gtest.h>

#include <vector>

namespace mcu::signaling {
namespace {

using Limits = ConnectionLimits::Limits;
using Refusal = ConnectionLimits::Refusal;

// Admits `n` connections from `address`; the slots admitted.
std::vector<ConnectionSlot> Take(ConnectionLimits& l, const std::string& address, size_t n,
                                 const Limits& limits) {
  std::vector<ConnectionSlot> out;
  for (size_t i = 0; i < n; ++i) {
    auto a = l.Admit(address, limits);
    if (!a.slot) break;
    out.push_back(std::move(*a.slot));
  }
  return out;
}

TEST(ConnectionLimits, OneAddressGetsItsShareAndNoMore) {
  ConnectionLimits l;
  const Limits limits{500, 16, 50};
  auto flood = Take(l, "10.0.0.66", 500, limits);
  EXPECT_EQ(flood.size(), 16u);
  auto refused = l.Admit("10.0.0.66", limits);
  EXPECT_FALSE(refused.slot);
  EXPECT_EQ(refused.refusal, Refusal::kPerAddress);
  EXPECT_TRUE(l.Admit("10.0.0.7", limits).slot) << "another address is not held up";
  EXPECT_EQ(l.from("10.0.0.66"), 16u);
}

TEST(ConnectionLimits, AClosedConnectionGivesItsPlaceBack) {
  ConnectionLimits l;
  const Limits limits{500, 2, 50};
  auto two = Take(l, "10.0.0.66", 2, limits);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_FALSE(l.Admit("10.0.0.66", limits).slot);
  two.pop_back();
  EXPECT_EQ(l.total(), 1u);
  EXPECT_TRUE(l.Admit("10.0.0.66", limits).slot);
  two.clear();
  EXPECT_EQ(l.total(), 0u);
  EXPECT_EQ(l.from("10.0.0.66"), 0u);
  EXPECT_EQ(l.unreserved(), 0u);
}

TEST(ConnectionLimits, AMovedSlotIsCountedOnce) {
  ConnectionLimits l;
  const Limits limits{500, 16, 50};
  auto a = l.Admit("10.0.0.1", limits);
  ASSERT_TRUE(a.slot);
  ConnectionSlot moved = std::move(*a.slot);  // The HTTPS session hands over to a WebSocket.
  a.slot.reset();
  EXPECT_EQ(l.total(), 1u);
  EXPECT_TRUE(moved.held());
  {
    ConnectionSlot again(std::move(moved));
    EXPECT_FALSE(moved.held());  // NOLINT(bugprone-use-after-move): the moved-from state.
    EXPECT_EQ(l.total(), 1u);
  }
  EXPECT_EQ(l.total(), 0u);
}

TEST(ConnectionLimits, ManyAddressesCannotTakeTheSlotsKeptForSites) {
  ConnectionLimits l;
  const Limits limits{40, 16, 10};
  // A site authenticates from 10.0.0.1 before the flood.
  auto site = l.Admit("10.0.0.1", limits);
  ASSERT_TRUE(site.slot);
  site.slot->MarkSite();
  EXPECT_TRUE(l.IsSiteAddress("10.0.0.1"));
  EXPECT_EQ(l.unreserved(), 0u) << "an authenticated site leaves the unreserved pool";
  // Two flooding addresses fill the 30 places that are not kept.
  auto a = Take(l, "10.0.0.66", 16, limits);
  auto b = Take(l, "10.0.0.67", 16, limits);
  EXPECT_EQ(a.size() + b.size(), 30u);
  auto third = l.Admit("10.0.0.68", limits);
  EXPECT_FALSE(third.slot);
  EXPECT_EQ(third.refusal, Refusal::kReserved);
  // The site's address still gets in, up to the total.
  auto back = Take(l, "10.0.0.1", 16, limits);
  EXPECT_EQ(back.size(), 9u);
  auto full = l.Admit("10.0.0.1", limits);
  EXPECT_FALSE(full.slot);
  EXPECT_EQ(full.refusal, Refusal::kTotal);
}

TEST(ConnectionLimits, ASiteThatAuthenticatesFreesItsUnreservedPlace) {
  ConnectionLimits l;
  const Limits limits{4, 0, 2};  // Two places for unknown addresses.
  auto one = l.Admit("10.0.0.1", limits);
  auto two = l.Admit("10.0.0.2", limits);
  ASSERT_TRUE(one.slot && two.slot);
  EXPECT_FALSE(l.Admit("10.0.0.3", limits).slot);
  one.slot->MarkSite();
  one.slot->MarkSite();  // Once is enough.
  EXPECT_EQ(l.unreserved(), 1u);
  EXPECT_TRUE(l.Admit("10.0.0.3", limits).slot);
}

TEST(ConnectionLimits, NoPerAddressLimitWhenZero) {
  ConnectionLimits l;
  auto all = Take(l, "127.0.0.1", 100, {100, 0, 0});
  EXPECT_EQ(all.size(), 100u);
  EXPECT_EQ(l.Admit("127.0.0.1", {100, 0, 0}).refusal, Refusal::kTotal);
}

}  // namespace
}  // namespace mcu::signaling
