// Who is asking: console users log in with a password (a session: an opaque cookie value and a
// CSRF token) or present an API token (scripts, monitoring). Sessions and tokens are stored
// only as sha-256 hashes; passwords as Argon2id. Failed logins are counted per login: after
// kMaxFailures within kFailureWindowS the login is refused for that long, right password or not.
//
// Threading: any thread (Store is thread-safe; the failure counter has its own mutex). Login
// spends ~30 ms in Argon2id: call it off the I/O and control threads.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "mcu/expected.h"
#include "mcu/principal.h"
#include "mcu/store.h"

namespace mcu {

class Auth {
 public:
  static constexpr int kSessionTtlS = mcu::kSessionTtlS;
  static constexpr int kMaxFailures = 5;
  static constexpr int kFailureWindowS = 300;

  explicit Auth(Store* store) : store_(store) {}

  Expected<LoginResult> Login(const std::string& login, const std::string& password, int64_t now_s);
  void Logout(const std::string& session);
  std::optional<Principal> FromSession(const std::string& session, int64_t now_s);
  std::optional<Principal> FromApiToken(const std::string& token);
  // A new API token for `who` (shown once).
  Expected<std::pair<ApiTokenRow, std::string>> CreateApiToken(const Principal& who,
                                                               const std::string& name);

 private:
  std::optional<Principal> FromUser(int64_t user_id);
  Store* store_;
  std::mutex mu_;
  struct Failures {
    int count = 0;
    int64_t first_s = 0;
  };
  std::map<std::string, Failures> failures_;
};

}  // namespace mcu
