// Who is asking: console users log in with a password (a session: an opaque cookie value and a
// CSRF token) or present an API token (scripts, monitoring). Sessions and tokens are stored
// only as sha-256 hashes; passwords as Argon2id.
//
// Lifetimes (AuthPolicy, from the configuration's [auth]):
// - A session ends kSessionTtlS (12 h) after login, or once nothing was asked with it for
//   `session_idle_s`. Its last use is written at most once every kTouchEveryS, not per request.
// - An API token ends `token_days` after its creation, or sooner if its creator asked for fewer
//   days (never more than `token_max_days`). A token made before schema 9 has no stored expiry
//   (0): it is given its creation + `token_days` whenever it is read, here, and purged by that.
// - A new password ends the user's sessions and revokes their API tokens; a new role revokes
//   their API tokens (sessions read the role afresh on every request). Deleting a user deletes
//   both (the store's foreign keys).
// - Purge() deletes expired sessions and tokens (the REST adapter calls it at start and hourly).
//
// Login floods, before any password is hashed:
// - AdmitLogin(address): a token bucket per client address, `login_attempts_per_minute` a
//   minute with as many at once. Over it, the attempt is refused with the seconds to wait; the
//   caller answers 429 and hashes nothing.
// - Failures are counted per (login, address): after kMaxFailures wrong passwords within
//   kFailureWindowS, that login is refused from that address (kForbidden, before hashing) for
//   kLockoutS, doubled at each further lock-out of the pair up to kMaxLockoutS; a pair is
//   forgotten a day after its last failure. Another address is not affected, so that wrong
//   passwords from one machine cannot lock a user out everywhere.
// Both tables are bounded (kMaxTracked entries each; the oldest is dropped first).
//
// Threading: any thread (the Store is thread-safe; the throttle's tables have their own mutex).
// Login() and password changes spend ~30 ms in Argon2id: call them off the I/O, control and API
// threads (signaling/rest_api.h runs them on its hashing pool).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mcu/clock.h"
#include "mcu/expected.h"
#include "mcu/principal.h"
#include "mcu/store.h"

namespace mcu {

struct AuthPolicy {
  int token_days = 90;       // An API token's lifetime unless its creator asks for less.
  int token_max_days = 365;  // The most a creator may ask for.
  int session_idle_s = 1800;
  int login_attempts_per_minute = 10;  // Per client address.
};

// Whether a login attempt from an address may go on to the password check.
struct LoginAdmission {
  int wait_s = 0;              // 0: admitted; else refused, try again in this many seconds.
  bool first_refusal = false;  // The address was admitted before this refusal (log it once).
};

class Auth {
 public:
  static constexpr int kSessionTtlS = mcu::kSessionTtlS;
  static constexpr int kTouchEveryS = 60;
  static constexpr int kMaxFailures = 5;
  static constexpr int kFailureWindowS = 300;
  static constexpr int kLockoutS = 300;
  static constexpr int kMaxLockoutS = 3600;
  static constexpr int kForgetFailuresS = 86400;
  static constexpr size_t kMaxTracked = 10000;

  explicit Auth(Store* store, AuthPolicy policy = {}, const Clock* clock = &SystemClock())
      : store_(store), policy_(policy), clock_(clock) {}

  LoginAdmission AdmitLogin(const std::string& address);
  // `address`: the client's, without its port (the lock-out's key with the login).
  Expected<LoginResult> Login(const std::string& login, const std::string& password,
                              const std::string& address);
  void Logout(const std::string& session);
  std::optional<Principal> FromSession(const std::string& session);
  std::optional<Principal> FromApiToken(const std::string& token);

  // A new API token for `who` (shown once), valid `days` (nullopt: the policy's default).
  Expected<std::pair<ApiTokenRow, std::string>> CreateApiToken(const Principal& who,
                                                               const std::string& name,
                                                               std::optional<int> days);
  // Tokens of one user (nullopt: everyone's, by user), each with its effective expiry.
  std::vector<ApiTokenRow> ApiTokens(std::optional<int64_t> user_id);
  std::optional<ApiTokenRow> ApiToken(int64_t id);
  // After a user's row changed from `before` to `after`: ends sessions and revokes tokens as
  // the header says. The number of API tokens revoked.
  Expected<int64_t> RevokeOnChange(const UserRow& before, const UserRow& after);
  // Deletes expired sessions and tokens; how many of each.
  std::pair<int64_t, int64_t> Purge();

  const AuthPolicy& policy() const { return policy_; }
  // A token's expiry: stored, or (made before schema 9) its creation + the default lifetime.
  int64_t ExpiresAt(const ApiTokenRow& t) const;

 private:
  std::optional<Principal> FromUser(int64_t user_id);
  // Drops entries that say nothing any more; with the table still full, the oldest. Under mu_.
  void Sweep(int64_t now_s);

  Store* store_;
  const AuthPolicy policy_;
  const Clock* clock_;

  std::mutex mu_;  // Guards what follows.
  struct Bucket {
    int64_t tat_ms = 0;  // When the attempts so far are paid back (see AdmitLogin).
    bool refusing = false;
  };
  std::map<std::string, Bucket> buckets_;  // By client address.
  struct Failures {
    int count = 0;  // Since first_s, within the window.
    int64_t first_s = 0, last_s = 0, locked_until_s = 0;
    int lockouts = 0;  // Lock-outs so far: each doubles the next.
  };
  std::map<std::pair<std::string, std::string>, Failures> failures_;  // By (login, address).
  int64_t last_sweep_s_ = 0;
};

}  // namespace mcu
