// Who is asking the control port: a console user by session or API token, with a role.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace mcu {

// A console session lasts this long.
constexpr int kSessionTtlS = 12 * 3600;

enum class Role { kTechnician = 0, kHost = 1, kAdmin = 2 };
inline std::optional<Role> ParseRole(const std::string& s) {
  if (s == "admin") return Role::kAdmin;
  if (s == "host") return Role::kHost;
  if (s == "technician") return Role::kTechnician;
  return std::nullopt;
}

inline const char* ToString(Role r) {
  switch (r) {
    case Role::kAdmin:
      return "admin";
    case Role::kHost:
      return "host";
    case Role::kTechnician:
      break;
  }
  return "technician";
}

struct Principal {
  int64_t user_id = 0;
  std::string login, name;
  Role role = Role::kTechnician;
  std::string csrf;  // The session's CSRF token; empty for an API token.
  bool api_token = false;
};

struct LoginResult {
  std::string session;  // The cookie value: shown once, stored only hashed.
  Principal who;
};

}  // namespace mcu
