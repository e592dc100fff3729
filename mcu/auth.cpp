#include "mcu/auth.h"

#include "mcu/secrets.h"

namespace mcu {

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

Expected<LoginResult> Auth::Login(const std::string& login, const std::string& password,
                                  int64_t now_s) {
  {
    std::lock_guard lock(mu_);
    std::erase_if(failures_,
                  [&](const auto& e) { return now_s - e.second.first_s > kFailureWindowS; });
    auto& f = failures_[login];
    if (f.count >= kMaxFailures)
      return MakeError(ErrorKind::kForbidden, "too many failed logins; try again in a few minutes");
  }
  auto user = store_->UserByLogin(login);
  // Hash anyway when the login is unknown, so that timing does not tell which logins exist.
  static const std::string kDummy = HashPassword("not a password");
  bool ok = VerifyPassword(password, user ? user->password_hash : kDummy) && user;
  if (!ok) {
    std::lock_guard lock(mu_);
    auto& f = failures_[login];
    if (f.count++ == 0) f.first_s = now_s;
    if (f.count == kMaxFailures) f.first_s = now_s;  // Locked for the window from now.
    return MakeError(ErrorKind::kUnauthorized, "wrong login or password");
  }
  {
    std::lock_guard lock(mu_);
    failures_.erase(login);
  }
  auto who = FromUser(user->id);
  if (!who) return MakeError(ErrorKind::kInternal, "the user has no valid role");
  LoginResult r;
  r.session = NewToken();
  who->csrf = NewToken();
  if (auto st = store_->InsertSession(
          {HashToken(r.session), who->csrf, who->user_id, now_s + kSessionTtlS});
      !st)
    return MakeError(ErrorKind::kInternal, st.error());
  r.who = *who;
  return r;
}

void Auth::Logout(const std::string& session) { (void)store_->DeleteSession(HashToken(session)); }

std::optional<Principal> Auth::FromSession(const std::string& session, int64_t now_s) {
  if (session.empty()) return std::nullopt;
  auto s = store_->Session(HashToken(session), now_s);
  if (!s) return std::nullopt;
  auto who = FromUser(s->user_id);
  if (who) who->csrf = s->csrf;
  return who;
}

std::optional<Principal> Auth::FromApiToken(const std::string& token) {
  if (token.empty()) return std::nullopt;
  auto t = store_->ApiTokenByHash(HashToken(token));
  if (!t) return std::nullopt;
  auto who = FromUser(t->user_id);
  if (who) who->api_token = true;
  return who;
}

Expected<std::pair<ApiTokenRow, std::string>> Auth::CreateApiToken(const Principal& who,
                                                                   const std::string& name) {
  std::string token = NewToken();
  ApiTokenRow row{0, who.user_id, name, HashToken(token), NowMs() / 1000};
  auto id = store_->InsertApiToken(row);
  if (!id) return MakeError(ErrorKind::kInternal, id.error());
  row.id = *id;
  return std::make_pair(row, token);
}

}  // namespace mcu
