// Specs of mcu/alarms.h: raise at once, severity changes, clear after a quiet spell, forget,
// and a site's second turned into conditions.
#include "mcu/alarms.h"

#include <gtest/gtest.h>

namespace mcu {
namespace {

using Type = AlarmChange::Type;

std::vector<Condition> Loss(std::optional<Severity> s) { return {{AlarmKind::kLoss, s, "loss"}}; }

TEST(Alarms, RaisedAtOnceChangedInPlaceAndClearedAfterAQuietSpell) {
  AlarmBook book(5);
  EXPECT_TRUE(book.Observe(1000, "huyen-1", Loss(std::nullopt)).empty());
  auto c = book.Observe(2000, "huyen-1", Loss(Severity::kWarning));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].type, Type::kRaised);
  EXPECT_EQ(c[0].alarm.subject, "huyen-1");
  EXPECT_EQ(c[0].alarm.since_ms, 2000);
  EXPECT_TRUE(book.Observe(3000, "huyen-1", Loss(Severity::kWarning)).empty()) << "no repeat";
  c = book.Observe(4000, "huyen-1", Loss(Severity::kCritical));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].type, Type::kChanged);
  EXPECT_EQ(c[0].alarm.severity, Severity::kCritical);
  EXPECT_EQ(c[0].alarm.since_ms, 2000) << "the same alarm, since it was raised";
  // Down to warning: only after 5 s without critical (no critical/warning flapping at the edge).
  for (int t = 5; t <= 8; ++t)
    EXPECT_TRUE(book.Observe(t * 1000, "huyen-1", Loss(Severity::kWarning)).empty()) << t;
  c = book.Observe(9000, "huyen-1", Loss(Severity::kWarning));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].type, Type::kChanged);
  EXPECT_EQ(c[0].alarm.severity, Severity::kWarning);
  EXPECT_TRUE(book.Observe(10000, "huyen-1", Loss(Severity::kCritical)).size() == 1u)
      << "up again at once";
  // Gone for 4 s: still active; a blip back keeps it; 5 s clean clears it.
  for (int t = 11; t <= 14; ++t)
    EXPECT_TRUE(book.Observe(t * 1000, "huyen-1", Loss(std::nullopt)).empty());
  EXPECT_TRUE(book.Observe(15000, "huyen-1", Loss(Severity::kCritical)).empty())
      << "a blip: same alarm, same severity";
  for (int t = 16; t <= 19; ++t)
    EXPECT_TRUE(book.Observe(t * 1000, "huyen-1", Loss(std::nullopt)).empty());
  c = book.Observe(20000, "huyen-1", Loss(std::nullopt));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].type, Type::kCleared);
  EXPECT_EQ(c[0].alarm.cleared_ms, 20000);
  EXPECT_TRUE(book.Active().empty());
}

TEST(Alarms, SubjectsAndKindsAreIndependentAndForgetClearsOneSubject) {
  AlarmBook book(5);
  book.Observe(
      0, "a",
      {{AlarmKind::kLoss, Severity::kWarning, ""}, {AlarmKind::kRtt, Severity::kWarning, ""}});
  book.Observe(0, "ab", Loss(Severity::kCritical));
  book.Observe(0, "b", Loss(Severity::kCritical));
  EXPECT_EQ(book.Active().size(), 4u);
  auto c = book.Forget(1000, "a");
  EXPECT_EQ(c.size(), 2u);
  for (const auto& x : c) EXPECT_EQ(x.type, Type::kCleared);
  ASSERT_EQ(book.Active().size(), 2u);
  EXPECT_EQ(book.Active()[0].subject, "ab") << "a prefix of another subject is not that subject";
  // A kind not observed in a tick keeps its state; an observed one that does not hold clears.
  EXPECT_TRUE(book.Observe(60000, "ab", {{AlarmKind::kRtt, std::nullopt, ""}}).empty())
      << "ab's loss is kept";
  book.Observe(60000, "b", Loss(std::nullopt));
  EXPECT_EQ(book.Active().size(), 1u) << "b had no loss for 60 s: cleared; ab untouched";
  EXPECT_EQ(book.Active()[0].subject, "ab");
}

TEST(Alarms, ASiteSecondBecomesConditionsAtTheThresholds) {
  AlarmThresholds t;  // 1% / 5%, 5 s, 300 ms.
  auto find = [](const std::vector<Condition>& cs, AlarmKind k) {
    for (const auto& c : cs)
      if (c.kind == k) return c;
    return Condition{k, std::nullopt, "missing"};
  };
  SiteSecond s;
  for (const auto& c : SiteConditions(s, t)) EXPECT_FALSE(c.severity) << ToString(c.kind);
  s.loss_in_pct = 1.5, s.loss_in_stream = "video";
  auto loss = find(SiteConditions(s, t), AlarmKind::kLoss);
  EXPECT_EQ(loss.severity, Severity::kWarning);
  EXPECT_EQ(loss.detail, "loss 1.5% received from the site (video)");
  s.loss_out_pct = 6, s.loss_out_stream = "audio";
  loss = find(SiteConditions(s, t), AlarmKind::kLoss);
  EXPECT_EQ(loss.severity, Severity::kCritical);
  EXPECT_EQ(loss.detail, "loss 6.0% sent to the site (audio)");
  s.silent_s = 5, s.rtt_ms = 301, s.dtls_failed = true;
  auto cs = SiteConditions(s, t);
  EXPECT_EQ(find(cs, AlarmKind::kNoMedia).severity, Severity::kCritical);
  EXPECT_EQ(find(cs, AlarmKind::kRtt).severity, Severity::kWarning);
  EXPECT_EQ(find(cs, AlarmKind::kRtt).detail, "RTT 301 ms");
  EXPECT_EQ(find(cs, AlarmKind::kDtlsFailed).severity, Severity::kCritical);
  s.rtt_ms = 300, s.silent_s = 4;
  cs = SiteConditions(s, t);
  EXPECT_FALSE(find(cs, AlarmKind::kRtt).severity) << "above the threshold, not at it";
  EXPECT_FALSE(find(cs, AlarmKind::kNoMedia).severity);
  EXPECT_FALSE(find(cs, AlarmKind::kVideoRefused).severity);
  s.video_refused = "16383x16383 is larger than 1920x1080";
  auto refused = find(SiteConditions(s, t), AlarmKind::kVideoRefused);
  EXPECT_EQ(refused.severity, Severity::kCritical);
  EXPECT_EQ(refused.detail, "video refused: 16383x16383 is larger than 1920x1080");
  EXPECT_STREQ(ToString(AlarmKind::kVideoRefused), "video-refused");
}

}  // namespace
}  // namespace mcu
