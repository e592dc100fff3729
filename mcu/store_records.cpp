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
  Stmt s(db_,
         "INSERT INTO sessions(token_hash, user_id, csrf, created_at, expires_at, last_seen_at) "
         "VALUES(?,?,?,?,?,?)");
  const int64_t created = r.created_at ? r.created_at : NowS();
  s.Bind(r.token_hash).Bind(r.user_id).Bind(r.csrf).Bind(created).Bind(r.expires_at);
  s.Bind(r.last_seen_at ? r.last_seen_at : created);
  return s.Run();
}

std::optional<SessionRow> Store::Session(const std::string& token_hash, int64_t now) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "SELECT token_hash, csrf, user_id, expires_at, created_at, last_seen_at FROM sessions "
         "WHERE token_hash=? AND expires_at>?");
  s.Bind(token_hash).Bind(now);
  if (!s.Row()) return std::nullopt;
  return SessionRow{s.Text(0), s.Text(1), s.Int(2), s.Int(3), s.Int(4), s.Int(5)};
}

Status Store::TouchSession(const std::string& token_hash, int64_t now) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "UPDATE sessions SET last_seen_at=? WHERE token_hash=?");
  s.Bind(now).Bind(token_hash);
  return s.Run();
}

Status Store::DeleteSession(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM sessions WHERE token_hash=?");
  s.Bind(token_hash);
  return s.Run();
}

Status Store::DeleteSessionsOf(int64_t user_id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM sessions WHERE user_id=?");
  s.Bind(user_id);
  return s.Run();
}

Expected<int64_t> Store::PurgeSessions(int64_t now, int64_t seen_before) {
  std::lock_guard lock(mu_);
  // A row from before schema 9 has last_seen_at 0: it counts from its creation.
  Stmt s(db_,
         "DELETE FROM sessions WHERE expires_at<=? OR "
         "MAX(last_seen_at, created_at)<=?");
  s.Bind(now).Bind(seen_before);
  if (auto st = s.Run(); !st) return st.failure();
  return static_cast<int64_t>(sqlite3_changes(db_));
}

Expected<int64_t> Store::InsertApiToken(const ApiTokenRow& t) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "INSERT INTO api_tokens(user_id, name, token_hash, created_at, expires_at) "
         "VALUES(?,?,?,?,?)");
  s.Bind(t.user_id).Bind(t.name).Bind(t.token_hash).Bind(t.created_at ? t.created_at : NowS());
  s.Bind(t.expires_at);
  if (auto st = s.Run(); !st) return st.failure();
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

namespace {
constexpr const char* kApiTokenSelect =
    "SELECT id, user_id, name, token_hash, created_at, expires_at FROM api_tokens ";
ApiTokenRow ReadApiToken(Stmt& s) {
  return {s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Int(4), s.Int(5)};
}
}  // namespace

std::vector<ApiTokenRow> Store::ApiTokens(std::optional<int64_t> user_id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, std::string(kApiTokenSelect) + "WHERE user_id=? OR ? ORDER BY user_id, id");
  s.Bind(user_id.value_or(0)).Bind(!user_id.has_value());
  std::vector<ApiTokenRow> out;
  while (s.Row()) out.push_back(ReadApiToken(s));
  return out;
}

std::optional<ApiTokenRow> Store::ApiToken(int64_t id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, std::string(kApiTokenSelect) + "WHERE id=?");
  s.Bind(id);
  if (!s.Row()) return std::nullopt;
  return ReadApiToken(s);
}

std::optional<ApiTokenRow> Store::ApiTokenByHash(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  Stmt s(db_, std::string(kApiTokenSelect) + "WHERE token_hash=?");
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

Expected<int64_t> Store::DeleteApiTokensOf(int64_t user_id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM api_tokens WHERE user_id=?");
  s.Bind(user_id);
  if (auto st = s.Run(); !st) return st.failure();
  return static_cast<int64_t>(sqlite3_changes(db_));
}

Expected<int64_t> Store::PurgeApiTokens(int64_t now, int64_t legacy_created_before) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "DELETE FROM api_tokens WHERE (expires_at<>0 AND expires_at<=?) OR "
         "(expires_at=0 AND created_at<=?)");
  s.Bind(now).Bind(legacy_created_before);
  if (auto st = s.Run(); !st) return st.failure();
  return static_cast<int64_t>(sqlite3_changes(db_));
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

namespace {

constexpr const char* kRecordingColumns =
    "SELECT id, conference_id, file, started_by, started_at_ms, ended_at_ms, duration_ms, bytes, "
    "width, height, state, reason, sealed FROM recordings ";

RecordingRow RecordingOf(Stmt& s) {
  RecordingRow r;
  r.id = s.Int(0);
  r.conference_id = s.Text(1);
  r.file = s.Text(2);
  r.started_by = s.Text(3);
  r.started_at_ms = s.Int(4);
  r.ended_at_ms = s.Int(5);
  r.duration_ms = s.Int(6);
  r.bytes = s.Int(7);
  r.width = static_cast<int>(s.Int(8));
  r.height = static_cast<int>(s.Int(9));
  r.state = s.Text(10);
  r.reason = s.Text(11);
  r.sealed = s.Int(12) != 0;
  return r;
}

}  // namespace

Expected<int64_t> Store::InsertRecording(const RecordingRow& r) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "INSERT INTO recordings(conference_id, file, started_by, started_at_ms, ended_at_ms, "
         "duration_ms, bytes, width, height, state, reason, sealed) "
         "VALUES(?,?,?,?,0,0,0,?,?,'recording','',?)");
  s.Bind(r.conference_id).Bind(r.file).Bind(r.started_by).Bind(r.started_at_ms);
  s.Bind(r.width).Bind(r.height).Bind(r.sealed ? 1 : 0);
  if (auto st = s.Run(); !st) return st.failure();
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Status Store::UpdateRecording(const RecordingRow& r) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "UPDATE recordings SET width=?, height=?, ended_at_ms=?, duration_ms=?, bytes=?, state=?, "
         "reason=? WHERE id=?");
  s.Bind(r.width).Bind(r.height).Bind(r.ended_at_ms).Bind(r.duration_ms).Bind(r.bytes);
  s.Bind(r.state).Bind(r.reason).Bind(r.id);
  return s.Run();
}

std::vector<RecordingRow> Store::Recordings(const std::string& conference_id,
                                            const std::string& state, int limit) {
  std::lock_guard lock(mu_);
  Stmt s(db_, std::string(kRecordingColumns) +
                  "WHERE (conference_id=? OR ?='') AND (state=? OR ?='') ORDER BY id DESC LIMIT ?");
  s.Bind(conference_id).Bind(conference_id).Bind(state).Bind(state).Bind(limit);
  std::vector<RecordingRow> out;
  while (s.Row()) out.push_back(RecordingOf(s));
  return out;
}

std::optional<RecordingRow> Store::Recording(int64_t id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, std::string(kRecordingColumns) + "WHERE id=?");
  s.Bind(id);
  if (!s.Row()) return std::nullopt;
  return RecordingOf(s);
}

Status Store::DeleteRecording(int64_t id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM recordings WHERE id=?");
  s.Bind(id);
  return s.Run();
}

namespace {

constexpr const char* kStreamLinkColumns =
    "SELECT id, conference_id, label, token_hash, created_by, created_at_ms, expires_at_ms, "
    "revoked_at_ms, max_viewers FROM stream_links ";

StreamLinkRow StreamLinkOf(Stmt& s) {
  StreamLinkRow l;
  l.id = s.Int(0);
  l.conference_id = s.Text(1);
  l.label = s.Text(2);
  l.token_hash = s.Text(3);
  l.created_by = s.Text(4);
  l.created_at_ms = s.Int(5);
  l.expires_at_ms = s.Int(6);
  l.revoked_at_ms = s.Int(7);
  l.max_viewers = static_cast<int>(s.Int(8));
  return l;
}

}  // namespace

Expected<int64_t> Store::InsertStreamLink(const StreamLinkRow& l) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "INSERT INTO stream_links(conference_id, label, token_hash, created_by, created_at_ms, "
         "expires_at_ms, max_viewers) VALUES(?,?,?,?,?,?,?)");
  s.Bind(l.conference_id).Bind(l.label).Bind(l.token_hash).Bind(l.created_by);
  s.Bind(l.created_at_ms).Bind(l.expires_at_ms).Bind(l.max_viewers);
  if (auto st = s.Run(); !st) return st.failure();
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

std::vector<StreamLinkRow> Store::StreamLinks(const std::string& conference_id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, std::string(kStreamLinkColumns) + "WHERE conference_id=? ORDER BY id DESC");
  s.Bind(conference_id);
  std::vector<StreamLinkRow> out;
  while (s.Row()) out.push_back(StreamLinkOf(s));
  return out;
}

std::optional<StreamLinkRow> Store::StreamLinkByHash(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  Stmt s(db_, std::string(kStreamLinkColumns) + "WHERE token_hash=?");
  s.Bind(token_hash);
  if (!s.Row()) return std::nullopt;
  return StreamLinkOf(s);
}

Status Store::RevokeStreamLink(const std::string& conference_id, int64_t id, int64_t at_ms) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "UPDATE stream_links SET revoked_at_ms=? WHERE id=? AND conference_id=? AND "
         "revoked_at_ms=0");
  s.Bind(at_ms).Bind(id).Bind(conference_id);
  return Changed(db_, s.Run(), "stream link");
}

}  // namespace mcu
