#include "mcu/auth.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "mcu/secrets.h"

namespace mcu {

namespace {
constexpr int64_t kDayS = 86400;
}  // namespace

std::optional<Principal> Auth::FromUser(int64_t user_id) {
  auto u = store_->User(user_id);
  if (!u) return std::nullopt;
  auto role = ParseRole(u->role);
  if (!role) return std::nullopt;
  Principal p;
  p.user_id = u->id;
  p.login = u->login;
  p.name = u->display_name;
  p.role = *role;
  return p;
}

void Auth::Sweep(int64_t now_s) {
  std::erase_if(failures_, [&](const auto& e) {
    const Failures& f = e.second;
    if (f.locked_until_s > now_s) return false;
    // A pair that was locked out is remembered for a day (its next lock-out is longer); one
    // that never was, for the failure window.
    return f.lockouts > 0 ? now_s - f.last_s > kForgetFailuresS
                          : now_s - f.first_s > kFailureWindowS;
  });
  // A bucket whose attempts are all paid back is full: it says nothing a new one would not.
  const int64_t now_ms = now_s * 1000;
  std::erase_if(buckets_, [&](const auto& e) { return e.second.tat_ms <= now_ms; });
  // Still too many (a flood from very many addresses): the oldest go first.
  while (failures_.size() > kMaxTracked) {
    auto oldest = std::min_element(
        failures_.begin(), failures_.end(),
        [](const auto& a, const auto& b) { return a.second.last_s < b.second.last_s; });
    failures_.erase(oldest);
  }
  while (buckets_.size() > kMaxTracked) {
    auto oldest = std::min_element(
        buckets_.begin(), buckets_.end(),
        [](const auto& a, const auto& b) { return a.second.tat_ms < b.second.tat_ms; });
    buckets_.erase(oldest);
  }
}

// The bucket as a theoretical arrival time (GCRA): each attempt moves `tat_ms` on by one
// interval; an attempt is admitted while `tat_ms` is at most a burst's worth of intervals ahead.
// Integer milliseconds, so that the wait told is exact.
LoginAdmission Auth::AdmitLogin(const std::string& address) {
  const int64_t now_ms = clock_->NowMs();
  const int64_t interval_ms = 60'000 / policy_.login_attempts_per_minute;
  const int64_t tolerance_ms = interval_ms * (policy_.login_attempts_per_minute - 1);
  std::lock_guard lock(mu_);
  if (now_ms / 1000 - last_sweep_s_ >= 60 || buckets_.size() >= kMaxTracked) {
    Sweep(now_ms / 1000);
    last_sweep_s_ = now_ms / 1000;
  }
  Bucket& b = buckets_[address];
  const int64_t tat = std::max(b.tat_ms, now_ms);
  if (tat - tolerance_ms <= now_ms) {
    b.tat_ms = tat + interval_ms;
    b.refusing = false;
    return {};
  }
  LoginAdmission refused;
  refused.wait_s = static_cast<int>((tat - tolerance_ms - now_ms + 999) / 1000);
  refused.first_refusal = !b.refusing;
  b.refusing = true;
  return refused;
}

Expected<LoginResult> Auth::Login(const std::string& login, const std::string& password,
                                  const std::string& address) {
  const int64_t now = clock_->NowS();
  const auto key = std::make_pair(login, address);
  {
    std::lock_guard lock(mu_);
    if (auto it = failures_.find(key); it != failures_.end()) {
      Failures& f = it->second;
      if (f.locked_until_s > now) {
        const int64_t minutes = (f.locked_until_s - now + 59) / 60;
        return MakeError(ErrorKind::kForbidden,
                         "too many failed logins from this address; try again in " +
                             std::to_string(minutes) + (minutes == 1 ? " minute" : " minutes"));
      }
      if (f.count > 0 && now - f.first_s > kFailureWindowS) f.count = 0;
    }
  }
  auto user = store_->UserByLogin(login);
  // Hash anyway when the login is unknown, so that timing does not tell which logins exist.
  static const std::string kDummy = HashPassword("not a password");
  const bool ok = VerifyPassword(password, user ? user->password_hash : kDummy) && user;
  if (!ok) {
    std::lock_guard lock(mu_);
    Failures& f = failures_[key];
    if (f.count++ == 0) f.first_s = now;
    f.last_s = now;
    if (f.count >= kMaxFailures) {
      // Locked for the lock-out from now: 5, 10, 20, 40 minutes, then an hour each time.
      const int shift = std::min(f.lockouts, 4);
      f.locked_until_s = now + std::min<int64_t>(kMaxLockoutS, int64_t{kLockoutS} << shift);
      ++f.lockouts;
      f.count = 0;
    }
    if (failures_.size() > kMaxTracked) Sweep(now);
    return MakeError(ErrorKind::kUnauthorized, "wrong login or password");
  }
  {
    std::lock_guard lock(mu_);
    failures_.erase(key);
  }
  auto who = FromUser(user->id);
  if (!who) return MakeError(ErrorKind::kInternal, "the user has no valid role");
  LoginResult r;
  r.session = NewToken();
  who->csrf = NewToken();
  SessionRow row{HashToken(r.session), who->csrf, who->user_id, now + kSessionTtlS, now, now};
  if (auto st = store_->InsertSession(row); !st) return MakeError(ErrorKind::kInternal, st.error());
  r.who = *who;
  return r;
}

void Auth::Logout(const std::string& session) { (void)store_->DeleteSession(HashToken(session)); }

std::optional<Principal> Auth::FromSession(const std::string& session) {
  if (session.empty()) return std::nullopt;
  const int64_t now = clock_->NowS();
  const std::string hash = HashToken(session);
  auto s = store_->Session(hash, now);
  if (!s) return std::nullopt;
  const int64_t seen = std::max(s->last_seen_at, s->created_at);
  if (now - seen >= policy_.session_idle_s) {
    (void)store_->DeleteSession(hash);
    return std::nullopt;
  }
  // One write a minute at most, whatever the rate of requests.
  if (now - seen >= kTouchEveryS) (void)store_->TouchSession(hash, now);
  auto who = FromUser(s->user_id);
  if (who) who->csrf = s->csrf;
  return who;
}

int64_t Auth::ExpiresAt(const ApiTokenRow& t) const {
  return t.expires_at != 0 ? t.expires_at : t.created_at + policy_.token_days * kDayS;
}

std::optional<Principal> Auth::FromApiToken(const std::string& token) {
  if (token.empty()) return std::nullopt;
  auto t = store_->ApiTokenByHash(HashToken(token));
  if (!t || ExpiresAt(*t) <= clock_->NowS()) return std::nullopt;
  auto who = FromUser(t->user_id);
  if (who) who->api_token = true;
  return who;
}

Expected<std::pair<ApiTokenRow, std::string>> Auth::CreateApiToken(const Principal& who,
                                                                   const std::string& name,
                                                                   std::optional<int> days) {
  const int d = days.value_or(policy_.token_days);
  if (d < 1 || d > policy_.token_max_days)
    return MakeError(ErrorKind::kInvalid,
                     "days must be between 1 and " + std::to_string(policy_.token_max_days));
  std::string token = NewToken();
  const int64_t now = clock_->NowS();
  ApiTokenRow row{0, who.user_id, name, HashToken(token), now, now + d * kDayS};
  auto id = store_->InsertApiToken(row);
  if (!id) return MakeError(ErrorKind::kInternal, id.error());
  row.id = *id;
  return std::make_pair(row, token);
}

std::vector<ApiTokenRow> Auth::ApiTokens(std::optional<int64_t> user_id) {
  auto rows = store_->ApiTokens(user_id);
  for (auto& t : rows) t.expires_at = ExpiresAt(t);
  return rows;
}

std::optional<ApiTokenRow> Auth::ApiToken(int64_t id) {
  auto t = store_->ApiToken(id);
  if (t) t->expires_at = ExpiresAt(*t);
  return t;
}

Expected<int64_t> Auth::RevokeOnChange(const UserRow& before, const UserRow& after) {
  const bool password = before.password_hash != after.password_hash;
  if (!password && before.role == after.role) return int64_t{0};
  if (password) {
    if (auto st = store_->DeleteSessionsOf(after.id); !st) return st.failure();
  }
  return store_->DeleteApiTokensOf(after.id);
}

std::pair<int64_t, int64_t> Auth::Purge() {
  const int64_t now = clock_->NowS();
  auto sessions = store_->PurgeSessions(now, now - policy_.session_idle_s);
  auto tokens = store_->PurgeApiTokens(now, now - policy_.token_days * kDayS);
  if (!sessions || !tokens) {
    spdlog::error("purging expired sessions and API tokens: {}",
                  !sessions ? sessions.error() : tokens.error());
  }
  std::pair<int64_t, int64_t> out{sessions.ok() ? *sessions : 0, tokens.ok() ? *tokens : 0};
  if (out.first || out.second)
    spdlog::info("purged {} expired console sessions and {} expired API tokens", out.first,
                 out.second);
  return out;
}

}  // namespace mcu
