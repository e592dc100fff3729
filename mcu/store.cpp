#include "mcu/store.h"

#include "mcu/clock.h"
#include "mcu/secrets.h"
#include "mcu/store_sql.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace mcu {

using namespace store_sql;  // NOLINT(google-build-using-namespace): the store's own helpers.

namespace {

// The schema, one migration per version. Never edit a released step: add the next one.
const char* const kMigrations[] = {
    // 1: the first schema.
    R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sites(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL, kind TEXT NOT NULL,
  token_hash TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE conferences(
  id TEXT PRIMARY KEY, title TEXT NOT NULL, mode TEXT NOT NULL,
  start_at INTEGER NOT NULL, end_at INTEGER NOT NULL, recurrence TEXT NOT NULL,
  lead_time_s INTEGER NOT NULL, host_site TEXT NOT NULL, layout TEXT NOT NULL,
  state TEXT NOT NULL, locked INTEGER NOT NULL, spotlight TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE members(
  conference_id TEXT NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
  site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  invited INTEGER NOT NULL, muted_audio INTEGER NOT NULL, muted_video INTEGER NOT NULL,
  kicked INTEGER NOT NULL,
  PRIMARY KEY(conference_id, site_id));
CREATE TABLE users(
  id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
  display_name TEXT NOT NULL, password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE sessions(
  token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
CREATE TABLE api_tokens(
  id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
CREATE TABLE audit(
  id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  target TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE call_records(
  id INTEGER PRIMARY KEY, conference_id TEXT NOT NULL, site_id TEXT NOT NULL,
  joined_at_ms INTEGER NOT NULL, left_at_ms INTEGER NOT NULL, reason TEXT NOT NULL);
CREATE INDEX call_records_conference ON call_records(conference_id, joined_at_ms);
)sql",
    // 2: a member joined since the conference opened (a lock lets it back in, across restarts).
    R"sql(
ALTER TABLE members ADD COLUMN admitted INTEGER NOT NULL DEFAULT 0;
)sql",
    // 3: alarms, and each call's quality summary.
    R"sql(
CREATE TABLE alarms(
  id INTEGER PRIMARY KEY, conference_id TEXT NOT NULL, site_id TEXT NOT NULL, kind TEXT NOT NULL,
  severity TEXT NOT NULL, detail TEXT NOT NULL, raised_at_ms INTEGER NOT NULL,
  cleared_at_ms INTEGER NOT NULL);
CREATE INDEX alarms_conference ON alarms(conference_id, raised_at_ms);
ALTER TABLE call_records ADD COLUMN seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE call_records ADD COLUMN loss_pct_mean REAL NOT NULL DEFAULT 0;
ALTER TABLE call_records ADD COLUMN loss_pct_max REAL NOT NULL DEFAULT 0;
ALTER TABLE call_records ADD COLUMN jitter_ms_mean REAL NOT NULL DEFAULT 0;
ALTER TABLE call_records ADD COLUMN jitter_ms_max REAL NOT NULL DEFAULT 0;
ALTER TABLE call_records ADD COLUMN rtt_ms_mean REAL NOT NULL DEFAULT -1;
ALTER TABLE call_records ADD COLUMN rtt_ms_max REAL NOT NULL DEFAULT -1;
ALTER TABLE call_records ADD COLUMN kbps_in_mean REAL NOT NULL DEFAULT 0;
ALTER TABLE call_records ADD COLUMN kbps_out_mean REAL NOT NULL DEFAULT 0;
)sql",
    // 4: a site's expected network (what technicians compare the measured link with).
    R"sql(
ALTER TABLE sites ADD COLUMN network TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN bandwidth_kbps INTEGER NOT NULL DEFAULT 0;
)sql",
    // 5: cascade links this MCU dials (another MCU's conference, its credential and certificate).
    R"sql(
ALTER TABLE sites ADD COLUMN link_url TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN link_conference TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN link_credential TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN link_fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN link_max_kbps INTEGER NOT NULL DEFAULT 1500;
)sql",
    // 6: SIP sites (room systems known by their SIP address).
    R"sql(
ALTER TABLE sites ADD COLUMN sip_uri TEXT NOT NULL DEFAULT '';
)sql",
    // 7: whether the MCU calls a SIP site (else it only calls in).
    R"sql(
ALTER TABLE sites ADD COLUMN sip_dial INTEGER NOT NULL DEFAULT 1;
)sql",
    // 8: a SIP site whose SDES keys may travel over plain SIP (a closed, encrypted line).
    R"sql(
ALTER TABLE sites ADD COLUMN sip_plain INTEGER NOT NULL DEFAULT 0;
)sql",
    // 9: classified conferences; API tokens that expire; sessions that idle out.
    R"sql(
ALTER TABLE conferences ADD COLUMN classified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
)sql",
    // 10: recordings of conferences, and conferences recorded whenever they open.
    R"sql(
ALTER TABLE conferences ADD COLUMN auto_record INTEGER NOT NULL DEFAULT 0;
CREATE TABLE recordings(
  id INTEGER PRIMARY KEY, conference_id TEXT NOT NULL, file TEXT NOT NULL UNIQUE,
  started_by TEXT NOT NULL, started_at_ms INTEGER NOT NULL, ended_at_ms INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL, bytes INTEGER NOT NULL, width INTEGER NOT NULL,
  height INTEGER NOT NULL, state TEXT NOT NULL, reason TEXT NOT NULL);
CREATE INDEX recordings_conference ON recordings(conference_id, started_at_ms);
)sql",
    // 11: recordings sealed at rest (classified conferences').
    R"sql(
ALTER TABLE recordings ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
)sql",
    // 12: links to watch a conference's live stream without a console login.
    R"sql(
CREATE TABLE stream_links(
  id INTEGER PRIMARY KEY, conference_id TEXT NOT NULL, label TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE, created_by TEXT NOT NULL, created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL, revoked_at_ms INTEGER NOT NULL DEFAULT 0,
  max_viewers INTEGER NOT NULL);
CREATE INDEX stream_links_conference ON stream_links(conference_id, id);
)sql",
    // 13: a cascade link's role (parent or child) where it is not the usual one.
    R"sql(
ALTER TABLE sites ADD COLUMN link_role TEXT NOT NULL DEFAULT '';
)sql",
};
constexpr int kLatest = sizeof(kMigrations) / sizeof(kMigrations[0]);

}  // namespace

int64_t NowMs() { return SystemClock().NowMs(); }

namespace {

// The database holds a cascade link's credential in clear and the password hashes: owner only,
// with its -wal, -shm and -journal files. SQLite gives those the database file's permission bits
// when it creates them, whatever the umask (os_unix.c: findCreateFileMode, and
// unixOpenSharedMemory for -shm), so a database file made 0600 before SQLite opens it is enough;
// files left by an older build, made with the default umask, are narrowed here. The process's
// umask is left alone: it also governs the certificate rooms are given and the ready file.
Status MakeOwnerOnly(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) return OkStatus();
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || fchmod(fd, 0600) != 0) {
    int err = errno;
    if (fd >= 0) close(fd);
    return MakeError(ErrorKind::kInternal,
                     "cannot make database " + path + " private: " + std::strerror(err));
  }
  close(fd);
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    std::string side = path + suffix;
    if (chmod(side.c_str(), 0600) != 0 && errno != ENOENT) {
      int err = errno;
      return MakeError(ErrorKind::kInternal,
                       "cannot make " + side + " private: " + std::strerror(err));
    }
  }
  return OkStatus();
}

}  // namespace

Expected<std::unique_ptr<Store>> Store::Open(const std::string& path) {
  if (auto st = MakeOwnerOnly(path); !st) return st.failure();
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string m = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return MakeError(ErrorKind::kInternal, "cannot open database " + path + ": " + m);
  }
  std::unique_ptr<Store> store(new Store(db));
  sqlite3_busy_timeout(db, 5000);
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    if (auto st = Exec(db, pragma); !st)
      return MakeError(st.error_kind(), path + ": " + st.error());
  }
  if (auto st = store->Migrate(); !st) return MakeError(st.error_kind(), path + ": " + st.error());
  return store;
}

Store::~Store() { sqlite3_close(db_); }

int Store::latest_schema_version() { return kLatest; }

int Store::schema_version() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "PRAGMA user_version");
  return s.Row() ? static_cast<int>(s.Int(0)) : -1;
}

Status Store::Migrate() {
  int version = 0;
  {
    Stmt s(db_, "PRAGMA user_version");
    if (!s.Row())
      return MakeError(ErrorKind::kInternal,
                       std::string("cannot read the schema version: ") + sqlite3_errmsg(db_));
    version = static_cast<int>(s.Int(0));
  }
  if (version > kLatest)
    return MakeError(ErrorKind::kInternal, "schema version " + std::to_string(version) +
                                               " is newer than this build's (" +
                                               std::to_string(kLatest) + ")");
  for (int v = version; v < kLatest; ++v) {
    Transaction tx(db_);
    if (auto st = Exec(db_, kMigrations[v]); !st)
      return MakeError(ErrorKind::kInternal,
                       "migration " + std::to_string(v + 1) + ": " + st.error());
    std::string set = "PRAGMA user_version=" + std::to_string(v + 1);
    if (auto st = Exec(db_, set.c_str()); !st) return st;
    if (auto st = tx.Commit(); !st) return st;
  }
  return OkStatus();
}

bool Store::seeded() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT value FROM meta WHERE key='seeded'");
  return s.Row();
}

Status Store::MarkSeeded() {
  std::lock_guard lock(mu_);
  return Stmt(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES('seeded', '1')").Run();
}

Expected<std::string> Store::McuId() {
  std::lock_guard lock(mu_);
  {
    Stmt s(db_, "SELECT value FROM meta WHERE key='mcu_id'");
    if (s.Row()) return s.Text(0);
  }
  unsigned char bytes[16];
  FillRandom(bytes, sizeof bytes);
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) id += hex[b >> 4], id += hex[b & 15];
  Stmt insert(db_, "INSERT INTO meta(key, value) VALUES('mcu_id', ?)");
  insert.Bind(id);
  if (auto st = insert.Run(); !st) return st.failure();
  return id;
}

// ----- Sites ------------------------------------------------------------------------------------

namespace {
SiteRow ReadSite(Stmt& s) {
  SiteRow r{s.Text(0),
            s.Text(1),
            s.Text(2),
            s.Text(3),
            s.Text(4),
            s.Text(5),
            static_cast<int>(s.Int(6)),
            {s.Text(7), s.Text(8), s.Text(9), s.Text(10), static_cast<int>(s.Int(11))},
            s.Text(12),
            s.Int(13) != 0,
            s.Int(14) != 0};
  r.link.role = s.Text(15);
  return r;
}
constexpr const char* kSiteColumns =
    "id, name, level, kind, token_hash, network, bandwidth_kbps, link_url, link_conference, "
    "link_credential, "
    "link_fingerprint, link_max_kbps, sip_uri, sip_dial, sip_plain, link_role";
}  // namespace

std::vector<SiteRow> Store::Sites() {
  std::lock_guard lock(mu_);
  Stmt s(db_, std::string("SELECT ") + kSiteColumns + " FROM sites ORDER BY id");
  std::vector<SiteRow> out;
  while (s.Row()) out.push_back(ReadSite(s));
  return out;
}

std::optional<SiteRow> Store::Site(const std::string& id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, std::string("SELECT ") + kSiteColumns + " FROM sites WHERE id=?");
  s.Bind(id);
  if (!s.Row()) return std::nullopt;
  return ReadSite(s);
}

Status Store::InsertSite(const SiteRow& r) {
  std::lock_guard lock(mu_);
  Stmt s(db_, std::string("INSERT INTO sites(") + kSiteColumns +
                  ", created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  s.Bind(r.id)
      .Bind(r.name)
      .Bind(r.level)
      .Bind(r.kind)
      .Bind(r.token_hash)
      .Bind(r.network)
      .Bind(r.bandwidth_kbps);
  s.Bind(r.link.url)
      .Bind(r.link.conference)
      .Bind(r.link.credential)
      .Bind(r.link.fingerprint)
      .Bind(r.link.max_kbps)
      .Bind(r.sip_uri)
      .Bind(r.sip_dial)
      .Bind(r.sip_plain)
      .Bind(r.link.role);
  s.Bind(NowS()).Bind(NowS());
  auto st = s.Run();
  if (!st && s.Constraint()) return MakeError(ErrorKind::kConflict, "site '" + r.id + "' exists");
  return st;
}

Status Store::UpdateSite(const SiteRow& r) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "UPDATE sites SET name=?, level=?, kind=?, token_hash=?, network=?, bandwidth_kbps=?, "
         "link_url=?, "
         "link_conference=?, link_credential=?, link_fingerprint=?, link_max_kbps=?, sip_uri=?, "
         "sip_dial=?, sip_plain=?, link_role=?, updated_at=? "
         "WHERE id=?");
  s.Bind(r.name)
      .Bind(r.level)
      .Bind(r.kind)
      .Bind(r.token_hash)
      .Bind(r.network)
      .Bind(r.bandwidth_kbps);
  s.Bind(r.link.url)
      .Bind(r.link.conference)
      .Bind(r.link.credential)
      .Bind(r.link.fingerprint)
      .Bind(r.link.max_kbps)
      .Bind(r.sip_uri)
      .Bind(r.sip_dial)
      .Bind(r.sip_plain)
      .Bind(r.link.role);
  s.Bind(NowS()).Bind(r.id);
  return Changed(db_, s.Run(), "site '" + r.id + "'");
}

Status Store::DeleteSite(const std::string& id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM sites WHERE id=?");
  s.Bind(id);
  return Changed(db_, s.Run(), "site '" + id + "'");
}

// ----- Conferences ------------------------------------------------------------------------------

namespace {
constexpr const char* kConferenceColumns =
    "id, title, mode, start_at, end_at, recurrence, lead_time_s, host_site, layout, state, locked, "
    "spotlight, classified, auto_record";

ConferenceRow ReadConference(Stmt& s) {
  ConferenceRow c;
  c.id = s.Text(0), c.title = s.Text(1), c.mode = s.Text(2);
  c.start_at = s.Int(3), c.end_at = s.Int(4);
  c.recurrence = s.Text(5);
  c.lead_time_s = static_cast<int>(s.Int(6));
  c.host_site = s.Text(7), c.layout = s.Text(8);
  c.state = ParseConferenceState(s.Text(9)).value_or(ConferenceState::kScheduled);
  c.locked = s.Int(10) != 0;
  c.spotlight = s.Text(11);
  c.classified = s.Int(12) != 0;
  c.auto_record = s.Int(13) != 0;
  return c;
}

std::vector<std::string> Invited(sqlite3* db, const std::string& id) {
  Stmt s(db, "SELECT site_id FROM members WHERE conference_id=? AND invited=1 ORDER BY rowid");
  s.Bind(id);
  std::vector<std::string> out;
  while (s.Row()) out.push_back(s.Text(0));
  return out;
}

Status WriteInvited(sqlite3* db, const ConferenceRow& c) {
  {
    Stmt s(db, "UPDATE members SET invited=0 WHERE conference_id=?");
    s.Bind(c.id);
    if (auto st = s.Run(); !st) return st;
  }
  for (const auto& site : c.invited) {
    Stmt s(db,
           "INSERT INTO members(conference_id, site_id, invited, muted_audio, muted_video, kicked) "
           "VALUES(?,?,1,0,0,0) ON CONFLICT(conference_id, site_id) DO UPDATE SET invited=1");
    s.Bind(c.id).Bind(site);
    auto st = s.Run();
    if (!st && s.Constraint()) return MakeError(ErrorKind::kInvalid, "no site '" + site + "'");
    if (!st) return st;
  }
  // Uninvited sites keep a row only while it still says something (a mute or a kick).
  Stmt s(db,
         "DELETE FROM members WHERE conference_id=? AND invited=0 AND muted_audio=0 AND "
         "muted_video=0 AND kicked=0 "
         "AND admitted=0");
  s.Bind(c.id);
  return s.Run();
}
}  // namespace

std::vector<ConferenceRow> Store::Conferences() {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         (std::string("SELECT ") + kConferenceColumns + " FROM conferences ORDER BY start_at, id")
             .c_str());
  std::vector<ConferenceRow> out;
  while (s.Row()) out.push_back(ReadConference(s));
  for (auto& c : out) c.invited = Invited(db_, c.id);
  return out;
}

std::optional<ConferenceRow> Store::Conference(const std::string& id) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         (std::string("SELECT ") + kConferenceColumns + " FROM conferences WHERE id=?").c_str());
  s.Bind(id);
  if (!s.Row()) return std::nullopt;
  ConferenceRow c = ReadConference(s);
  c.invited = Invited(db_, c.id);
  return c;
}

Status Store::InsertConference(const ConferenceRow& c) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  Stmt s(db_,
         "INSERT INTO conferences(id, title, mode, start_at, end_at, recurrence, lead_time_s, "
         "host_site, layout, "
         "state, locked, spotlight, classified, auto_record, created_at, updated_at) "
         "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  s.Bind(c.id)
      .Bind(c.title)
      .Bind(c.mode)
      .Bind(c.start_at)
      .Bind(c.end_at)
      .Bind(c.recurrence)
      .Bind(c.lead_time_s);
  s.Bind(c.host_site)
      .Bind(c.layout)
      .Bind(ToString(c.state))
      .Bind(c.locked)
      .Bind(c.spotlight)
      .Bind(c.classified)
      .Bind(c.auto_record)
      .Bind(NowS())
      .Bind(NowS());
  auto st = s.Run();
  if (!st && s.Constraint())
    return MakeError(ErrorKind::kConflict, "conference '" + c.id + "' exists");
  if (!st) return st;
  if (auto w = WriteInvited(db_, c); !w) return w;
  return tx.Commit();
}

Status Store::UpdateConference(const ConferenceRow& c) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  Stmt s(db_,
         "UPDATE conferences SET title=?, mode=?, start_at=?, end_at=?, recurrence=?, "
         "lead_time_s=?, host_site=?, "
         "layout=?, state=?, locked=?, spotlight=?, classified=?, auto_record=?, updated_at=? "
         "WHERE id=?");
  s.Bind(c.title)
      .Bind(c.mode)
      .Bind(c.start_at)
      .Bind(c.end_at)
      .Bind(c.recurrence)
      .Bind(c.lead_time_s);
  s.Bind(c.host_site)
      .Bind(c.layout)
      .Bind(ToString(c.state))
      .Bind(c.locked)
      .Bind(c.spotlight)
      .Bind(c.classified)
      .Bind(c.auto_record)
      .Bind(NowS())
      .Bind(c.id);
  if (auto st = Changed(db_, s.Run(), "conference '" + c.id + "'"); !st) return st;
  if (auto w = WriteInvited(db_, c); !w) return w;
  return tx.Commit();
}

Status Store::DeleteConference(const std::string& id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM conferences WHERE id=?");
  s.Bind(id);
  return Changed(db_, s.Run(), "conference '" + id + "'");
}

std::vector<MemberRow> Store::Members(const std::string& conference_id) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "SELECT conference_id, site_id, invited, muted_audio, muted_video, kicked, admitted FROM "
         "members "
         "WHERE conference_id=? ORDER BY rowid");
  s.Bind(conference_id);
  std::vector<MemberRow> out;
  while (s.Row())
    out.push_back({s.Text(0), s.Text(1), s.Int(2) != 0, s.Int(3) != 0, s.Int(4) != 0, s.Int(5) != 0,
                   s.Int(6) != 0});
  return out;
}

Status Store::PutMember(const MemberRow& m) {
  std::lock_guard lock(mu_);
  Stmt s(
      db_,
      "INSERT INTO members(conference_id, site_id, invited, muted_audio, muted_video, kicked, "
      "admitted) "
      "VALUES(?,?,?,?,?,?,?) ON CONFLICT(conference_id, site_id) DO UPDATE SET "
      "invited=excluded.invited, "
      "muted_audio=excluded.muted_audio, muted_video=excluded.muted_video, kicked=excluded.kicked, "
      "admitted=excluded.admitted");
  s.Bind(m.conference_id)
      .Bind(m.site_id)
      .Bind(m.invited)
      .Bind(m.muted_audio)
      .Bind(m.muted_video)
      .Bind(m.kicked)
      .Bind(m.admitted);
  return s.Run();
}

Status Store::ResetMembers(const std::string& conference_id) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  Stmt a(db_,
         "UPDATE members SET muted_audio=0, muted_video=0, kicked=0, admitted=0 WHERE "
         "conference_id=?");
  a.Bind(conference_id);
  if (auto st = a.Run(); !st) return st;
  Stmt b(db_, "DELETE FROM members WHERE conference_id=? AND invited=0");
  b.Bind(conference_id);
  if (auto st = b.Run(); !st) return st;
  return tx.Commit();
}

}  // namespace mcu
