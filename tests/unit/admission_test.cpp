// Specs of mcu/admission.h: each admission rule alone, and which one speaks when several apply.
#include "mcu/admission.h"

#include <gtest/gtest.h>

namespace mcu {
namespace {

ConferenceRow Open(std::vector<std::string> invited = {"huyen-1"}) {
  ConferenceRow row;
  row.id = "hop";
  row.start_at = 1000, row.end_at = 2000;
  row.state = ConferenceState::kOpen;
  row.invited = std::move(invited);
  return row;
}

MemberRow Invited(bool kicked = false) {
  MemberRow m{"hop", "huyen-1"};
  m.kicked = kicked;
  return m;
}

TEST(Admission, AnInvitedSiteOfAnOpenConferenceWithRoomIsAdmitted) {
  ConferenceRow row = Open();
  MemberRow m = Invited();
  EXPECT_FALSE(RefuseSite({row, &m, false, 3, 32}));
}

TEST(Admission, AKickedSiteIsRefusedFirstEvenWhenTheConferenceIsClosed) {
  ConferenceRow row = Open();
  row.state = ConferenceState::kScheduled;
  MemberRow m = Invited(/*kicked=*/true);
  auto r = RefuseSite({row, &m, false, 0, 32});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, ErrorCode::kForbidden);
  EXPECT_EQ(r->reason, "removed from this conference by its host");
}

TEST(Admission, AScheduledConferenceOutsideItsWindowIsAConflict) {
  ConferenceRow row = Open();
  for (ConferenceState state : {ConferenceState::kScheduled, ConferenceState::kEnded}) {
    row.state = state;
    MemberRow m = Invited();
    auto r = RefuseSite({row, &m, false, 0, 32});
    ASSERT_TRUE(r) << ToString(state);
    EXPECT_EQ(r->code, ErrorCode::kConflict) << ToString(state);
  }
}

TEST(Admission, APermanentConferenceIsAlwaysOpenAndWithoutInvitationsAdmitsAnySite) {
  ConferenceRow row;
  row.id = "giao-ban";
  EXPECT_TRUE(IsOpen(row));
  EXPECT_FALSE(RefuseSite({row, nullptr, false, 0, 32}));
  row.invited = {"tinh-1"};
  EXPECT_EQ(RefuseSite({row, nullptr, false, 0, 32})->reason,
            "not invited to conference 'giao-ban'");
}

TEST(Admission, AMemberRowThatIsNotAnInvitationDoesNotAdmit) {
  ConferenceRow row = Open({"tinh-1"});
  MemberRow muted{"hop", "huyen-9", /*invited=*/false, /*muted_audio=*/true};
  auto r = RefuseSite({row, &muted, false, 0, 32});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, ErrorCode::kForbidden);
}

TEST(Admission, ALockLetsBackOnlyTheSitesAdmittedSinceItOpened) {
  ConferenceRow row = Open();
  row.locked = true;
  MemberRow m = Invited();
  EXPECT_EQ(RefuseSite({row, &m, false, 0, 32})->reason, "conference 'hop' is locked");
  EXPECT_FALSE(RefuseSite({row, &m, true, 0, 32}));
}

TEST(Admission, TheLimitCountsEveryParticipantAndRefusesAsFull) {
  ConferenceRow row = Open();
  MemberRow m = Invited();
  EXPECT_FALSE(RefuseSite({row, &m, false, 31, 32}));
  auto r = RefuseSite({row, &m, false, 32, 32});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, ErrorCode::kFull);
}

TEST(Admission, APreviewNeedsAnOpenMixingConferenceWithFewerThanEightWatching) {
  ConferenceRow row = Open();
  EXPECT_FALSE(RefusePreview(row, kMaxPreviews - 1));
  EXPECT_EQ(RefusePreview(row, kMaxPreviews)->code, ErrorCode::kFull);
  row.mode = "echo";
  EXPECT_EQ(RefusePreview(row, 0)->reason, "an echo conference has no composite to preview");
  row.mode = "mix", row.state = ConferenceState::kEnded;
  EXPECT_EQ(RefusePreview(row, 0)->code, ErrorCode::kConflict);
}

}  // namespace
}  // namespace mcu
