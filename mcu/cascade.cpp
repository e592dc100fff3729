#include "mcu/cascade.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace mcu {

Status ValidateLinkUrl(const std::string& url) {
  static const std::regex url_re(R"(^wss://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/\-]*)?$)");
  if (!std::regex_match(url, url_re))
    return MakeError(ErrorKind::kInvalid, "the link's URL must be wss://host[:port]/path");
  return OkStatus();
}

Expected<std::string> ValidateLinkTarget(const LinkTarget& t) {
  static const std::regex id_re("^[a-z0-9][a-z0-9_-]{0,63}$");
  if (auto st = ValidateLinkUrl(t.url); !st) return st.failure();
  if (t.credential.empty() || t.credential.size() > 256)
    return MakeError(ErrorKind::kInvalid,
                     "the link needs the credential (1-256 characters) the other MCU gave it");
  if (!t.conference.empty() && !std::regex_match(t.conference, id_re))
    return MakeError(ErrorKind::kInvalid,
                     "the link's conference must be a conference id of the other MCU");
  if (auto st = ValidateLinkRole(t.role); !st) return st.failure();
  if (t.max_kbps < 100 || t.max_kbps > 100000)
    return MakeError(ErrorKind::kInvalid, "the link's bitrate must be 100-100000 kb/s");
  std::string hex;
  for (char c : t.fingerprint)
    if (c != ':') hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (hex.size() != 64 ||
      !std::all_of(hex.begin(), hex.end(), [](char c) { return std::isxdigit(c); }))
    return MakeError(
        ErrorKind::kInvalid,
        "the link's fingerprint must be the other MCU's SHA-256 certificate fingerprint");
  std::string pin;
  for (size_t i = 0; i < hex.size(); i += 2) pin += (i ? ":" : "") + hex.substr(i, 2);
  return pin;
}

Status ValidateLinkRole(const std::string& role) {
  if (role.empty() || role == "parent" || role == "child") return OkStatus();
  return MakeError(ErrorKind::kInvalid, "the link's role must be parent or child");
}

std::string LinkRole(const LinkTarget& t) {
  if (!t.role.empty()) return t.role;
  return t.dials() ? "child" : "parent";
}

int Backoff::Next(uint32_t random) {
  int delay = next_ms_ + static_cast<int>(random % static_cast<uint32_t>(next_ms_ / 4 + 1));
  next_ms_ = std::min(next_ms_ * 2, max_ms_);
  return delay;
}

}  // namespace mcu
