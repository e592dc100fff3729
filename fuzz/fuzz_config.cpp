// Fuzz target: the configuration file (mcu/config.h) as anyone who can write it might: ParseConfig
// over arbitrary text (what LoadConfigFile reads). The answer is either a Config that holds what
// the validation promises, or an error that names the source; never a crash, an exception that
// escapes, a recursion off the stack or undefined behaviour.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "mcu/config.h"

namespace {

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '-' && c != '_'))) return false;
  }
  return true;
}

// What ParseConfig promises of a Config it accepts (a subset of its checks, written again here
// so that a check lost in a rewrite shows).
bool Holds(const mcu::Config& c) {
  if (c.server.port == 0) return false;
  if ((c.media.port_min == 0) != (c.media.port_max == 0) || c.media.port_min > c.media.port_max)
    return false;
  if (c.limits.max_participants < 1 || c.limits.max_participants > 256) return false;
  // Rates and bursts (token buckets against floods): positive and finite, or the bucket never
  // empties. No other number may be NaN or infinite either.
  for (double rate : {c.limits.messages_per_second, c.sip.requests_per_second})
    if (!(rate > 0) || !std::isfinite(rate)) return false;
  for (double burst : {c.limits.message_burst, c.sip.request_burst})
    if (!(burst >= 1) || !std::isfinite(burst)) return false;
  for (double v : {c.alarms.loss_warning_pct, c.alarms.loss_critical_pct, c.alarms.rtt_ms})
    if (!std::isfinite(v)) return false;
  if (c.schedule.call_retry_s < 1 || c.schedule.call_retry_s > 3600) return false;
  if (!(c.alarms.loss_warning_pct > 0 && c.alarms.loss_critical_pct <= 100)) return false;
  std::set<std::string> sites, conferences, logins;
  for (const auto& s : c.sites)
    if (!ValidId(s.id) || !sites.insert(s.id).second || s.name.empty()) return false;
  for (const auto& cc : c.conferences) {
    if (!ValidId(cc.id) || !conferences.insert(cc.id).second) return false;
    if (cc.mode != "echo" && cc.mode != "mix") return false;
    for (const auto& site : cc.invited)
      if (!sites.count(site)) return false;
    if (!cc.host.empty() && !sites.count(cc.host)) return false;
  }
  for (const auto& u : c.users) {
    if (!ValidId(u.login) || !logins.insert(u.login).second) return false;
    if (u.role != "admin" && u.role != "host" && u.role != "technician") return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const mcu::Expected<mcu::Config> config = mcu::ParseConfig(text, "fuzz.toml");
  if (!config) {
    // An error says which file it is about (the operator may have several).
    if (config.error().rfind("fuzz.toml", 0) != 0) abort();
    return 0;
  }
  if (!Holds(*config)) abort();
  return 0;
}
