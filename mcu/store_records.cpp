// The store's records (mcu/store.h): users, sessions and API tokens; the audit log, call records
// and alarms. The schema and the conference state are in mcu/store.cpp.
#include <sqlite3.h>

#include "mcu/store.h"
#include "mcu/store_sql.h"

namespace mcu {

using namespace store_sql;  // NOLINT(google-build-using-namespace): the store's own helpers.

// ----- Users, sessions, API tokens --------------------------------------------------------------

namespace {
UserRow ReadUser(Stmt& s) { return {s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)}; }
constexpr const char* kUserSelect =
    "SELECT id, login, role, display_name, password_hash FROM users ";
}  // namespace

std::vector<UserRow> Store::Users() {
  std::lock_guard lock(mu_);
  Stmt s(db_, (std::string(kUserSelect) + "ORDER BY login").c_str());
  std::vector<UserRow> out;
  while (s.Row()) out.push_back(ReadUser(s));
  return out;
}

std::optional<UserRow> Store::User(int64_t id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, (std::string(kUserSelect) + "WHERE id=?").c_str());
  s.Bind(id);
  if (!s.Row()) return std::nullopt;
  return ReadUser(s);
}

std::optional<UserRow> Store::UserByLogin(const std::string& login) {
  std::lock_guard lock(mu_);
  Stmt s(db_, (std::string(kUserSelect) + "WHERE login=?").c_str());
  s.Bind(login);
  if (!s.Row()) return std::nullopt;
  return ReadUser(s);
}

Expected<int64_t> Store::InsertUser(const UserRow& u) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "INSERT INTO users(login, role, display_name, password_hash, created_at, updated_at) "
         "VALUES(?,?,?,?,?,?)");
  s.Bind(u.login).Bind(u.role).Bind(u.display_name).Bind(u.password_hash).Bind(NowS()).Bind(NowS());
  auto st = s.Run();
  if (!st && s.Constraint())
    return MakeError(ErrorKind::kConflict, "user '" + u.login + "' exists");
  if (!st) return st.failure();
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Status Store::UpdateUser(const UserRow& u) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "UPDATE users SET role=?, display_name=?, password_hash=?, updated_at=? WHERE id=?");
  s.Bind(u.role).Bind(u.display_name).Bind(u.password_hash).Bind(NowS()).Bind(u.id);
  return Changed(db_, s.Run(), "user");
}

Status Store::DeleteUser(int64_t id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM users WHERE id=?");
  s.Bind(id);
  return Changed(db_, s.Run(), "user");
}

Status Store::InsertSession(const SessionRow& r) {
  std::lock_guard lock(mu_);
  Stmt s(
      db_,
      "INSERT INTO sessions(token_hash, user_id, csrf, created_at, expires_at) VALUES(?,?,?,?,?)");
  s.Bind(r.token_hash).Bind(r.user_id).Bind(r.csrf).Bind(NowS()).Bind(r.expires_at);
  return s.Run();
}

std::optional<SessionRow> Store::Session(const std::string& token_hash, int64_t now) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "SELECT token_hash, csrf, user_id, expires_at FROM sessions WHERE token_hash=? AND "
         "expires_at>?");
  s.Bind(token_hash).Bind(now);
  if (!s.Row()) return std::nullopt;
  return SessionRow{s.Text(0), s.Text(1), s.Int(2), s.Int(3)};
}

Status Store::DeleteSession(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM sessions WHERE token_hash=? OR expires_at<?");
  s.Bind(token_hash).Bind(NowS());
  return s.Run();
}

Status Store::DeleteSessionsOf(int64_t user_id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM sessions WHERE user_id=?");
  s.Bind(user_id);
  return s.Run();
}

Expected<int64_t> Store::InsertApiToken(const ApiTokenRow& t) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "INSERT INTO api_tokens(user_id, name, token_hash, created_at) VALUES(?,?,?,?)");
  s.Bind(t.user_id).Bind(t.name).Bind(t.token_hash).Bind(NowS());
  if (auto st = s.Run(); !st) return st.failure();
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

namespace {
ApiTokenRow ReadApiToken(Stmt& s) { return {s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Int(4)}; }
}  // namespace

std::vector<ApiTokenRow> Store::ApiTokens(int64_t user_id) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "SELECT id, user_id, name, token_hash, created_at FROM api_tokens WHERE user_id=? ORDER "
         "BY id");
  s.Bind(user_id);
  std::vector<ApiTokenRow> out;
  while (s.Row()) out.push_back(ReadApiToken(s));
  return out;
}

std::optional<ApiTokenRow> Store::ApiTokenByHash(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "SELECT id, user_id, name, token_hash, created_at FROM api_tokens WHERE token_hash=?");
  s.Bind(token_hash);
  if (!s.Row()) return std::nullopt;
  return ReadApiToken(s);
}

Status Store::DeleteApiToken(int64_t id, int64_t user_id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM api_tokens WHERE id=? AND user_id=?");
  s.Bind(id).Bind(user_id);
  return Changed(db_, s.Run(), "token");
}

// ----- Audit and call records -------------------------------------------------------------------

Status Store::Audit(const std::string& actor, const std::string& action, const std::string& target,
                    const std::string& detail_json) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "INSERT INTO audit(at_ms, actor, action, target, detail) VALUES(?,?,?,?,?)");
  s.Bind(NowMs()).Bind(actor).Bind(action).Bind(target).Bind(detail_json.empty() ? "{}"
                                                                                 : detail_json);
  return s.Run();
}

std::vector<AuditRow> Store::AuditLog(int limit, int64_t before_id) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "SELECT id, at_ms, actor, action, target, detail FROM audit WHERE id<? ORDER BY id DESC "
         "LIMIT ?");
  s.Bind(before_id > 0 ? before_id : INT64_MAX).Bind(limit);
  std::vector<AuditRow> out;
  while (s.Row()) out.push_back({s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5)});
  return out;
}

Expected<int64_t> Store::OpenCallRecord(const std::string& conference_id,
                                        const std::string& site_id, int64_t joined_at_ms) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "INSERT INTO call_records(conference_id, site_id, joined_at_ms, left_at_ms, reason) "
         "VALUES(?,?,?,0,'')");
  s.Bind(conference_id).Bind(site_id).Bind(joined_at_ms);
  if (auto st = s.Run(); !st) return st.failure();
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Status Store::CloseCallRecord(int64_t id, int64_t left_at_ms, const std::string& reason,
                              const CallQuality& q) {
  std::lock_guard lock(mu_);
  Stmt s(
      db_,
      "UPDATE call_records SET left_at_ms=?, reason=?, seconds=?, loss_pct_mean=?, loss_pct_max=?, "
      "jitter_ms_mean=?, jitter_ms_max=?, rtt_ms_mean=?, rtt_ms_max=?, kbps_in_mean=?, "
      "kbps_out_mean=? "
      "WHERE id=? AND left_at_ms=0");
  s.Bind(left_at_ms)
      .Bind(reason)
      .Bind(q.seconds)
      .Bind(q.loss_pct_mean)
      .Bind(q.loss_pct_max)
      .Bind(q.jitter_ms_mean);
  s.Bind(q.jitter_ms_max)
      .Bind(q.rtt_ms_mean)
      .Bind(q.rtt_ms_max)
      .Bind(q.kbps_in_mean)
      .Bind(q.kbps_out_mean)
      .Bind(id);
  return s.Run();
}

Status Store::CloseOpenCallRecords(int64_t left_at_ms, const std::string& reason) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "UPDATE call_records SET left_at_ms=?, reason=? WHERE left_at_ms=0");
  s.Bind(left_at_ms).Bind(reason);
  return s.Run();
}

std::vector<CallRecordRow> Store::CallRecords(const std::string& conference_id, int limit) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "SELECT id, conference_id, site_id, joined_at_ms, left_at_ms, reason, seconds, "
         "loss_pct_mean, loss_pct_max, "
         "jitter_ms_mean, jitter_ms_max, rtt_ms_mean, rtt_ms_max, kbps_in_mean, kbps_out_mean, "
         "(SELECT COUNT(*) FROM alarms a WHERE a.conference_id=c.conference_id AND "
         "a.site_id=c.site_id "
         "AND a.raised_at_ms >= c.joined_at_ms AND (c.left_at_ms=0 OR a.raised_at_ms <= "
         "c.left_at_ms)) "
         "FROM call_records c WHERE conference_id=? OR ?='' ORDER BY id DESC LIMIT ?");
  s.Bind(conference_id).Bind(conference_id).Bind(limit);
  std::vector<CallRecordRow> out;
  while (s.Row()) {
    CallRecordRow r{s.Int(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4), s.Text(5)};
    r.quality = {static_cast<int>(s.Int(6)),
                 s.Real(7),
                 s.Real(8),
                 s.Real(9),
                 s.Real(10),
                 s.Real(11),
                 s.Real(12),
                 s.Real(13),
                 s.Real(14)};
    r.alarms = static_cast<int>(s.Int(15));
    out.push_back(std::move(r));
  }
  return out;
}

Expected<int64_t> Store::InsertAlarm(const AlarmRow& a) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "INSERT INTO alarms(conference_id, site_id, kind, severity, detail, raised_at_ms, "
         "cleared_at_ms) "
         "VALUES(?,?,?,?,?,?,?)");
  s.Bind(a.conference_id)
      .Bind(a.site_id)
      .Bind(a.kind)
      .Bind(a.severity)
      .Bind(a.detail)
      .Bind(a.raised_at_ms);
  s.Bind(a.cleared_at_ms);
  if (auto st = s.Run(); !st) return st.failure();
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Status Store::UpdateAlarm(int64_t id, const std::string& severity, const std::string& detail,
                          int64_t cleared_at_ms) {
  std::lock_guard lock(mu_);
  // The row keeps the worst severity reached, with what was measured then.
  Stmt s(db_,
         "UPDATE alarms SET detail=CASE WHEN ?='critical' OR severity='warning' THEN ? ELSE detail "
         "END, "
         "severity=CASE WHEN severity='critical' THEN 'critical' ELSE ? END, cleared_at_ms=? "
         "WHERE id=? AND cleared_at_ms=0");
  s.Bind(severity).Bind(detail).Bind(severity).Bind(cleared_at_ms).Bind(id);
  return s.Run();
}

Status Store::ClearOpenAlarms(int64_t at_ms) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "UPDATE alarms SET cleared_at_ms=? WHERE cleared_at_ms=0");
  s.Bind(at_ms);
  return s.Run();
}

std::vector<AlarmRow> Store::Alarms(const std::string& conference_id, bool active_only, int limit) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "SELECT id, conference_id, site_id, kind, severity, detail, raised_at_ms, cleared_at_ms "
         "FROM alarms "
         "WHERE (conference_id=? OR ?='') AND (cleared_at_ms=0 OR ?=0) ORDER BY id DESC LIMIT ?");
  s.Bind(conference_id).Bind(conference_id).Bind(active_only).Bind(limit);
  std::vector<AlarmRow> out;
  while (s.Row())
    out.push_back(
        {s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Int(6), s.Int(7)});
  return out;
}

}  // namespace mcu
