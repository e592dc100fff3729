#include "mcu/schedule.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace mcu {
namespace {

class Schedule : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    saved_ = tz ? tz : "";
    had_ = tz != nullptr;
    setenv("TZ", "Asia/Ho_Chi_Minh", 1);
    tzset();
  }
  void TearDown() override {
    if (had_)
      setenv("TZ", saved_.c_str(), 1);
    else
      unsetenv("TZ");
    tzset();
  }
  static ConferenceRow Monday() {
    ConferenceRow c;
    c.id = "giao-ban";
    c.title = "Giao ban";
    c.start_at = *ParseTime("2026-11-30T08:00");
    c.end_at = *ParseTime("2026-11-30T10:00");
    c.lead_time_s = 1800;
    return c;
  }
  std::string saved_;
  bool had_ = false;
};

TEST_F(Schedule, LocalTimesAreHoChiMinhTime) {
  EXPECT_EQ(*ParseTime("2026-11-30T08:00"), *ParseTime("2026-11-30T01:00:00Z"));
  EXPECT_EQ(*ParseTime("2026-11-30T08:00:00+07:00"), *ParseTime("2026-11-30T01:00Z"));
  EXPECT_EQ(*ParseTime("2026-11-30T08:00-0500"), *ParseTime("2026-11-30T13:00Z"));
  EXPECT_EQ(FormatTime(*ParseTime("2026-11-30T01:00Z")), "2026-11-30T08:00:00+07:00");
}

TEST_F(Schedule, MalformedTimesAreRefused) {
  for (const char* bad :
       {"", "tomorrow", "2026-13-01T08:00", "2026-11-30", "2026-11-30T25:00", "2026-11-30T08:00+7"})
    EXPECT_FALSE(ParseTime(bad).ok()) << bad;
}

TEST_F(Schedule, OpensAtStartMinusLeadTimeAndClosesAfterGrace) {
  ConferenceRow c = Monday();
  EXPECT_EQ(Due(c, *ParseTime("2026-11-30T07:29:59"), 300), ScheduleAction::kNone);
  EXPECT_EQ(Due(c, *ParseTime("2026-11-30T07:30"), 300), ScheduleAction::kOpen);
  c.state = ConferenceState::kOpen;
  EXPECT_EQ(Due(c, *ParseTime("2026-11-30T10:04:59"), 300), ScheduleAction::kNone);
  EXPECT_EQ(Due(c, *ParseTime("2026-11-30T10:05"), 300), ScheduleAction::kClose);
}

TEST_F(Schedule, AWindowMissedWhileDownClosesWithoutOpening) {
  ConferenceRow c = Monday();
  EXPECT_EQ(Due(c, *ParseTime("2026-11-30T11:00"), 300), ScheduleAction::kClose);
}

TEST_F(Schedule, PermanentAndEndedConferencesNeverActByTime) {
  ConferenceRow c;
  c.id = "echo";
  EXPECT_EQ(Due(c, 2'000'000'000, 0), ScheduleAction::kNone);
  c = Monday();
  c.state = ConferenceState::kEnded;
  EXPECT_EQ(Due(c, *ParseTime("2026-12-30T08:00"), 0), ScheduleAction::kNone);
}

TEST_F(Schedule, WeeklyMovesToTheNextMondayAtTheSameLocalTime) {
  ConferenceRow c = Monday();
  c.recurrence = "weekly";
  auto next = NextOccurrence(c, *ParseTime("2026-11-30T10:06"), 300);
  ASSERT_TRUE(next);
  EXPECT_EQ(FormatTime(next->first), "2026-12-07T08:00:00+07:00");
  EXPECT_EQ(FormatTime(next->second), "2026-12-07T10:00:00+07:00");
}

TEST_F(Schedule, DailySkipsOccurrencesMissedWhileDown) {
  ConferenceRow c = Monday();
  c.recurrence = "daily";
  auto next = NextOccurrence(c, *ParseTime("2026-12-03T12:00"), 0);
  ASSERT_TRUE(next);
  EXPECT_EQ(FormatTime(next->first), "2026-12-04T08:00:00+07:00");
  c.recurrence = "none";
  EXPECT_FALSE(NextOccurrence(c, *ParseTime("2026-12-03T12:00"), 0));
}

TEST_F(Schedule, AConferenceRecordedWheneverItOpensIsNeitherClassifiedNorAnEchoTest) {
  ConferenceRow c = Monday();
  c.auto_record = true;
  EXPECT_TRUE(ValidateConference(c).ok());
  c.classified = true;
  EXPECT_NE(ValidateConference(c).error().find("classified"), std::string::npos);
  c.classified = false;
  c.mode = "echo";
  EXPECT_NE(ValidateConference(c).error().find("echo"), std::string::npos);
}

TEST_F(Schedule, ValidationNamesTheBadField) {
  ConferenceRow c = Monday();
  EXPECT_TRUE(ValidateConference(c).ok());
  c.end_at = c.start_at;
  EXPECT_EQ(ValidateConference(c).error(), "start must be before end");
  c = Monday();
  c.layout = "mosaic";
  EXPECT_NE(ValidateConference(c).error().find("layout"), std::string::npos);
  c = Monday();
  c.id = "Bad Id";
  EXPECT_FALSE(ValidateConference(c).ok());
  c = Monday();
  c.start_at = c.end_at = 0;
  c.recurrence = "daily";
  EXPECT_FALSE(ValidateConference(c).ok());
  c = Monday();
  c.end_at = 0;
  EXPECT_NE(ValidateConference(c).error().find("start and end go together"), std::string::npos);
}

}  // namespace
}  // namespace mcu
