// Specs of mcu/auth.h over a real store in memory and a clock the test moves: API token
// lifetimes and revocation, session idle timeouts, the purge of expired rows, and login
// throttling (per address before any hashing; lock-outs keyed on the login and the address).
#include "mcu/auth.h"

#include <gtest/gtest.h>

#include "mcu/secrets.h"
#include "tests/fakes/fake_clock.h"

namespace mcu {
namespace {

constexpr int64_t kDay = 86400;
constexpr const char* kHere = "192.0.2.10";
constexpr const char* kThere = "192.0.2.20";

class AuthTest : public ::testing::Test {
 protected:
  AuthTest() {
    auto opened = Store::Open(":memory:");
    EXPECT_TRUE(opened.ok());
    store = std::move(*opened);
    // Argon2id takes ~30 ms a hash: one for the whole suite.
    static const std::string hash = HashPassword("chutri-pw");
    UserRow u{0, "chutri", "host", "Chủ trì", hash};
    user_id = *store->InsertUser(u);
    auth = std::make_unique<Auth>(store.get(), AuthPolicy{}, &clock);
  }

  UserRow User() { return *store->User(user_id); }
  Principal Who() const {
    Principal p;
    p.user_id = user_id, p.login = "chutri", p.role = Role::kHost;
    return p;
  }
  std::string NewSession() {
    auto r = auth->Login("chutri", "chutri-pw", kHere);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
    return r.ok() ? r->session : "";
  }
  std::string NewToken(std::optional<int> days = std::nullopt) {
    auto t = auth->CreateApiToken(Who(), "monitoring", days);
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error());
    return t.ok() ? t->second : "";
  }
  ErrorKind LoginFails(const std::string& password, const std::string& address,
                       const std::string& login = "chutri") {
    auto r = auth->Login(login, password, address);
    EXPECT_FALSE(r.ok());
    return r.ok() ? ErrorKind::kInternal : r.error_kind();
  }

  test::FakeClock clock;
  std::unique_ptr<Store> store;
  int64_t user_id = 0;
  std::unique_ptr<Auth> auth;
};

// ----- API tokens ------------------------------------------------------------------------------

TEST_F(AuthTest, ATokenLastsTheDefaultNinetyDaysOrTheFewerDaysItsCreatorAskedFor) {
  const int64_t t0 = clock.NowS();
  std::string standard = NewToken(), weekly = NewToken(7);
  auto rows = auth->ApiTokens(user_id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].expires_at, t0 + 90 * kDay);
  EXPECT_EQ(rows[1].expires_at, t0 + 7 * kDay);
  EXPECT_EQ(store->ApiTokens(user_id)[0].expires_at, t0 + 90 * kDay) << "stored, not computed";

  clock.Set((t0 + 7 * kDay - 1) * 1000);
  EXPECT_TRUE(auth->FromApiToken(weekly));
  clock.Set((t0 + 7 * kDay) * 1000);
  EXPECT_FALSE(auth->FromApiToken(weekly));
  EXPECT_TRUE(auth->FromApiToken(standard));
  clock.Set((t0 + 90 * kDay) * 1000);
  EXPECT_FALSE(auth->FromApiToken(standard));
}

TEST_F(AuthTest, NoTokenLastsLongerThanTheMaximumNorLessThanADay) {
  for (int days : {0, -1, 366, 10000}) {
    auto t = auth->CreateApiToken(Who(), "x", days);
    ASSERT_FALSE(t.ok()) << days;
    EXPECT_EQ(t.error_kind(), ErrorKind::kInvalid);
    EXPECT_EQ(t.error(), "days must be between 1 and 365");
  }
  EXPECT_TRUE(auth->CreateApiToken(Who(), "x", 365).ok());
  EXPECT_EQ(store->ApiTokens(user_id).size(), 1u);

  AuthPolicy shorter;
  shorter.token_days = 30, shorter.token_max_days = 60;
  Auth strict(store.get(), shorter, &clock);
  EXPECT_FALSE(strict.CreateApiToken(Who(), "x", 61).ok());
  auto t = strict.CreateApiToken(Who(), "x", std::nullopt);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->first.expires_at, clock.NowS() + 30 * kDay);
}

// A token made before tokens expired has no stored expiry: it is given its creation plus the
// default lifetime when read (and listed with that expiry).
TEST_F(AuthTest, ATokenFromBeforeExpiriesLastsTheDefaultFromItsCreation) {
  const int64_t now = clock.NowS();
  ASSERT_TRUE(store->InsertApiToken({0, user_id, "old", HashToken("old"), now - 91 * kDay, 0}));
  ASSERT_TRUE(store->InsertApiToken({0, user_id, "recent", HashToken("recent"), now - kDay, 0}));
  EXPECT_FALSE(auth->FromApiToken("old"));
  EXPECT_TRUE(auth->FromApiToken("recent"));
  auto rows = auth->ApiTokens(user_id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].expires_at, now - 91 * kDay + 90 * kDay);
  EXPECT_EQ(rows[1].expires_at, now - kDay + 90 * kDay);
  clock.Advance(89 * kDay * 1000);
  EXPECT_FALSE(auth->FromApiToken("recent"));
}

TEST_F(AuthTest, ANewPasswordEndsSessionsAndRevokesTokensANewRoleRevokesTokens) {
  std::string session = NewSession(), token = NewToken();
  UserRow before = User(), renamed = before;
  renamed.display_name = "Chủ trì mới";
  ASSERT_TRUE(store->UpdateUser(renamed));
  EXPECT_EQ(*auth->RevokeOnChange(before, renamed), 0);
  EXPECT_TRUE(auth->FromSession(session));
  EXPECT_TRUE(auth->FromApiToken(token));

  UserRow demoted = renamed;
  demoted.role = "technician";
  ASSERT_TRUE(store->UpdateUser(demoted));
  EXPECT_EQ(*auth->RevokeOnChange(renamed, demoted), 1);
  EXPECT_FALSE(auth->FromApiToken(token)) << "a token outlived a role change";
  auto still = auth->FromSession(session);
  ASSERT_TRUE(still) << "the session reads the new role";
  EXPECT_EQ(still->role, Role::kTechnician);

  token = NewToken();
  UserRow repassworded = demoted;
  repassworded.password_hash = "$argon2id$another";
  ASSERT_TRUE(store->UpdateUser(repassworded));
  EXPECT_EQ(*auth->RevokeOnChange(demoted, repassworded), 1);
  EXPECT_FALSE(auth->FromApiToken(token)) << "a token outlived a password change";
  EXPECT_FALSE(auth->FromSession(session)) << "a session outlived a password change";
  EXPECT_TRUE(store->ApiTokens(user_id).empty());
}

TEST_F(AuthTest, DeletingAUserDeletesItsSessionsAndTokens) {
  std::string session = NewSession(), token = NewToken();
  ASSERT_TRUE(store->DeleteUser(user_id));
  EXPECT_FALSE(auth->FromSession(session));
  EXPECT_FALSE(auth->FromApiToken(token));
  EXPECT_TRUE(store->ApiTokens(std::nullopt).empty());
  EXPECT_FALSE(store->Session(HashToken(session), 0));
}

// ----- Sessions --------------------------------------------------------------------------------

TEST_F(AuthTest, ASessionUnusedForThirtyMinutesEndsAndIsDeleted) {
  std::string session = NewSession();
  clock.Advance(29 * 60 * 1000);
  EXPECT_TRUE(auth->FromSession(session));
  clock.Advance(29 * 60 * 1000);
  EXPECT_TRUE(auth->FromSession(session)) << "each use restarts the idle time";
  clock.Advance(30 * 60 * 1000);
  EXPECT_FALSE(auth->FromSession(session));
  EXPECT_FALSE(store->Session(HashToken(session), 0)) << "the idle session's row is gone";
}

TEST_F(AuthTest, ASessionsLastUseIsWrittenAtMostOnceAMinute) {
  std::string session = NewSession();
  const std::string hash = HashToken(session);
  const int64_t t0 = clock.NowS();
  EXPECT_EQ(store->Session(hash, 0)->last_seen_at, t0);
  for (int i = 0; i < 59; ++i) {
    clock.Advance(1000);
    ASSERT_TRUE(auth->FromSession(session));
  }
  EXPECT_EQ(store->Session(hash, 0)->last_seen_at, t0) << "written within the minute";
  clock.Advance(1000);
  ASSERT_TRUE(auth->FromSession(session));
  EXPECT_EQ(store->Session(hash, 0)->last_seen_at, t0 + 60);
}

TEST_F(AuthTest, ASessionInUseStillEndsTwelveHoursAfterLogin) {
  std::string session = NewSession();
  for (int i = 0; i < 12 * 3 - 1; ++i) {  // Every 20 minutes, to 11 h 40.
    clock.Advance(20 * 60 * 1000);
    ASSERT_TRUE(auth->FromSession(session)) << i;
  }
  clock.Advance(20 * 60 * 1000);
  EXPECT_FALSE(auth->FromSession(session));
}

TEST_F(AuthTest, TheIdleTimeoutIsTheConfiguredOne) {
  AuthPolicy p;
  p.session_idle_s = 5 * 60;
  Auth quick(store.get(), p, &clock);
  auto r = quick.Login("chutri", "chutri-pw", kHere);
  ASSERT_TRUE(r.ok());
  clock.Advance(4 * 60 * 1000);
  EXPECT_TRUE(quick.FromSession(r->session));
  clock.Advance(5 * 60 * 1000);
  EXPECT_FALSE(quick.FromSession(r->session));
}

TEST_F(AuthTest, PurgeDeletesExpiredAndIdleSessionsAndExpiredTokensOnly) {
  const int64_t now = clock.NowS();
  auto session = [&](const char* name, int64_t expires, int64_t created, int64_t seen) {
    ASSERT_TRUE(store->InsertSession({HashToken(name), "c", user_id, expires, created, seen}));
  };
  session("fresh", now + 3600, now - 600, now - 60);
  session("idle", now + 3600, now - 7200, now - 1800);
  session("over", now, now - 12 * 3600, now - 60);
  // From before schema 9: last_seen_at 0 counts from creation.
  ASSERT_TRUE(store->InsertSession({HashToken("legacy"), "c", user_id, now + 3600, now - 3600}));
  ASSERT_TRUE(store->TouchSession(HashToken("legacy"), 0));
  auto token = [&](const char* name, int64_t created, int64_t expires) {
    ASSERT_TRUE(store->InsertApiToken({0, user_id, name, HashToken(name), created, expires}));
  };
  token("valid", now - kDay, now + kDay);
  token("expired", now - kDay, now);
  token("legacy-old", now - 90 * kDay, 0);
  token("legacy-recent", now - 89 * kDay, 0);

  EXPECT_EQ(auth->Purge(), std::make_pair(int64_t{3}, int64_t{2}));
  for (const char* gone : {"idle", "over", "legacy"})
    EXPECT_FALSE(store->Session(HashToken(gone), 0)) << gone;
  EXPECT_TRUE(store->Session(HashToken("fresh"), 0));
  std::vector<std::string> left;
  for (const auto& t : store->ApiTokens(std::nullopt)) left.push_back(t.name);
  EXPECT_EQ(left, (std::vector<std::string>{"valid", "legacy-recent"}));
  EXPECT_EQ(auth->Purge(), std::make_pair(int64_t{0}, int64_t{0}));
}

// ----- Login throttling ------------------------------------------------------------------------

TEST_F(AuthTest, AnAddressGetsTenLoginAttemptsAMinuteAndIsToldHowLongToWait) {
  for (int i = 0; i < 10; ++i) EXPECT_EQ(auth->AdmitLogin(kHere).wait_s, 0) << i;
  LoginAdmission refused = auth->AdmitLogin(kHere);
  EXPECT_EQ(refused.wait_s, 6) << "one attempt every 6 s";
  EXPECT_TRUE(refused.first_refusal);
  refused = auth->AdmitLogin(kHere);
  EXPECT_GT(refused.wait_s, 0);
  EXPECT_FALSE(refused.first_refusal) << "logged once, not for every attempt of a flood";
  EXPECT_EQ(auth->AdmitLogin(kThere).wait_s, 0) << "another address is not limited";

  clock.Advance(3000);
  EXPECT_EQ(auth->AdmitLogin(kHere).wait_s, 3);
  clock.Advance(3000);
  EXPECT_EQ(auth->AdmitLogin(kHere).wait_s, 0);
  EXPECT_GT(auth->AdmitLogin(kHere).wait_s, 0);
  clock.Advance(60'000);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(auth->AdmitLogin(kHere).wait_s, 0) << "full again";
}

TEST_F(AuthTest, TheAttemptsAMinuteAreTheConfiguredOnes) {
  AuthPolicy p;
  p.login_attempts_per_minute = 2;
  Auth strict(store.get(), p, &clock);
  EXPECT_EQ(strict.AdmitLogin(kHere).wait_s, 0);
  EXPECT_EQ(strict.AdmitLogin(kHere).wait_s, 0);
  EXPECT_EQ(strict.AdmitLogin(kHere).wait_s, 30);
}

// The lock-out of docs/API.md: five wrong passwords within five minutes lock that login out
// from that address for five minutes, right password or not; from elsewhere it still works.
TEST_F(AuthTest, FiveWrongPasswordsLockThatLoginOutFromThatAddressOnly) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(LoginFails("wrong", kHere), ErrorKind::kUnauthorized) << i;
  auto locked = auth->Login("chutri", "chutri-pw", kHere);
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error_kind(), ErrorKind::kForbidden);
  EXPECT_EQ(locked.error(), "too many failed logins from this address; try again in 5 minutes");
  EXPECT_TRUE(auth->Login("chutri", "chutri-pw", kThere).ok()) << "locked out everywhere";
  EXPECT_EQ(LoginFails("wrong", kHere, "quantri"), ErrorKind::kUnauthorized)
      << "another login from the same address is not locked";

  clock.Advance((5 * 60 - 1) * 1000);
  EXPECT_EQ(LoginFails("chutri-pw", kHere), ErrorKind::kForbidden);
  clock.Advance(1000);
  EXPECT_TRUE(auth->Login("chutri", "chutri-pw", kHere).ok());
}

TEST_F(AuthTest, EachFurtherLockOutOfTheSamePairLastsTwiceAsLong) {
  for (int lockout_minutes : {5, 10, 20}) {
    for (int i = 0; i < 5; ++i) EXPECT_EQ(LoginFails("wrong", kHere), ErrorKind::kUnauthorized);
    clock.Advance((lockout_minutes * 60 - 1) * 1000);
    EXPECT_EQ(LoginFails("chutri-pw", kHere), ErrorKind::kForbidden) << lockout_minutes;
    clock.Advance(1000);
  }
  EXPECT_TRUE(auth->Login("chutri", "chutri-pw", kHere).ok());
  // A success forgets the pair: the next lock-out is five minutes again.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(LoginFails("wrong", kHere), ErrorKind::kUnauthorized);
  clock.Advance(5 * 60 * 1000);
  EXPECT_TRUE(auth->Login("chutri", "chutri-pw", kHere).ok());
}

TEST_F(AuthTest, WrongPasswordsFurtherApartThanFiveMinutesDoNotAddUp) {
  for (int i = 0; i < 4; ++i) EXPECT_EQ(LoginFails("wrong", kHere), ErrorKind::kUnauthorized);
  clock.Advance(301 * 1000);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(LoginFails("wrong", kHere), ErrorKind::kUnauthorized);
  EXPECT_TRUE(auth->Login("chutri", "chutri-pw", kHere).ok());
}

TEST_F(AuthTest, AnUnknownLoginIsCountedLikeAWrongPassword) {
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(LoginFails("x", kHere, "nobody"), ErrorKind::kUnauthorized) << i;
  EXPECT_EQ(LoginFails("x", kHere, "nobody"), ErrorKind::kForbidden);
}

}  // namespace
}  // namespace mcu
