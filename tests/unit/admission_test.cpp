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
  EXPECT_FALSE(RefusePreview({row, Role::kHost, kMaxPreviews - 1}));
  EXPECT_EQ(RefusePreview({row, Role::kHost, kMaxPreviews})->code, ErrorCode::kFull);
  row.mode = "echo";
  EXPECT_EQ(RefusePreview({row, Role::kHost, 0})->reason,
            "an echo conference has no composite to preview");
  row.mode = "mix", row.state = ConferenceState::kEnded;
  EXPECT_EQ(RefusePreview({row, Role::kHost, 0})->code, ErrorCode::kConflict);
}

TEST(Admission, OnlyHostsAndAdministratorsPreviewATechnicianFirstOfAll) {
  ConferenceRow row = Open();
  EXPECT_FALSE(RefusePreview({row, Role::kHost, 0}));
  EXPECT_FALSE(RefusePreview({row, Role::kAdmin, 0}));
  auto technician = RefusePreview({row, Role::kTechnician, 0});
  ASSERT_TRUE(technician);
  EXPECT_EQ(technician->code, ErrorCode::kForbidden);
  EXPECT_EQ(technician->reason,
            "only a host or an administrator may preview a conference (a technician sees stream "
            "health, not content)");
  EXPECT_EQ(RefusePreview({row, std::nullopt, 0})->code, ErrorCode::kForbidden)
      << "no such console user";
  // The role speaks before anything that would tell a technician about the conference.
  row.state = ConferenceState::kEnded, row.locked = true;
  EXPECT_EQ(RefusePreview({row, Role::kTechnician, kMaxPreviews})->reason, technician->reason);
}

TEST(Admission, ALockedConferenceAdmitsNoPreviewUntilItsHostUnlocksIt) {
  ConferenceRow row = Open();
  row.locked = true;
  for (Role role : {Role::kHost, Role::kAdmin}) {
    auto r = RefusePreview({row, role, 0});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, ErrorCode::kForbidden);
    EXPECT_EQ(r->reason, "conference 'hop' is locked: its host unlocks it to allow a preview");
  }
  row.locked = false;
  EXPECT_FALSE(RefusePreview({row, Role::kHost, 0}));
}

TEST(Admission, AClassifiedConferenceTakesSipOnlyOverTlsAndIsNeverPreviewed) {
  ConferenceRow row = Open();
  MemberRow m = Invited();
  AdmissionCase plain{row, &m, false, 0, 32, /*plain_signalling=*/true};
  EXPECT_FALSE(RefuseSite(plain)) << "an ordinary conference: the site's own setting decides";
  EXPECT_FALSE(RefusePreview({row, Role::kHost, 0}));
  row.classified = true;
  auto refusal = RefuseSite(plain);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->code, ErrorCode::kForbidden);
  EXPECT_NE(refusal->reason.find("over TLS only"), std::string::npos) << refusal->reason;
  EXPECT_FALSE(RefuseSite({row, &m, false, 0, 32, false}));
  // A kick, a closed conference, an invitation speak first.
  m.kicked = true;
  EXPECT_EQ(RefuseSite(plain)->reason, "removed from this conference by its host");
  for (Role role : {Role::kHost, Role::kAdmin}) {
    auto r = RefusePreview({row, role, 0});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, ErrorCode::kForbidden);
    EXPECT_EQ(r->reason, "conference 'hop' is classified: it cannot be previewed");
  }
}

TEST(Admission, AClassifiedConferenceTakesMediaUnderAesGcmOrAnEightyBitTagOnly) {
  for (const char* strong : {"AEAD_AES_128_GCM", "AEAD_AES_256_GCM", "AES_CM_128_HMAC_SHA1_80",
                             "AES_CM_128_HMAC_SHA1_80 (DTLS)"})
    EXPECT_TRUE(StrongestProtection(strong)) << strong;
  for (const char* weak :
       {"AES_CM_128_HMAC_SHA1_32", "NULL_HMAC_SHA1_80", "none", "", "SRTP_AES128_CM_SHA1_80x"})
    EXPECT_FALSE(StrongestProtection(weak)) << weak;
  ConferenceRow row = Open();
  EXPECT_FALSE(RefuseProtection(row, "AES_CM_128_HMAC_SHA1_32")) << "not classified";
  row.classified = true;
  EXPECT_FALSE(RefuseProtection(row, "AEAD_AES_128_GCM"));
  auto r = RefuseProtection(row, "AES_CM_128_HMAC_SHA1_32");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, ErrorCode::kForbidden);
  EXPECT_NE(r->reason.find("AES_CM_128_HMAC_SHA1_32"), std::string::npos);
}

}  // namespace
}  // namespace mcu
