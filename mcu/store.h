// What the MCU keeps: sites, conferences (with their invited sites and live settings), users,
// console sessions, API tokens, the audit log and call records, in one SQLite file in the data
// directory (WAL, synchronous=FULL: a committed change survives a crash of the process and of
// the machine). The schema is versioned: Open() applies the migrations the file has not seen,
// each in its own transaction, and refuses a file newer than this build.
//
// The file is <data_dir>/mcu.db, foreign keys on. Tables: sites (token hash; the link target of a
// cascade link this MCU dials), conferences (times as Unix seconds, recurrence, lead time, host,
// layout, state, lock, spotlight), members (per conference and site: invited, muted audio and
// video, kicked, admitted since the open: live settings survive a restart), users, sessions,
// api_tokens, audit, call_records (with each call's quality summary), alarms, and meta. The
// configuration's sites, conferences and users are seeds: imported into a new file
// (meta.seeded, apps/mcu/main.cpp), never again; afterwards the database is the truth.
//
// Secrets are stored only as hashes: room and API tokens and session ids as sha-256 (they are
// long random strings), passwords as Argon2id (see secrets.h). The one exception is the
// credential of a cascade link this MCU dials: it must present it to the other MCU. So the file
// and its -wal and -shm are the owner's alone (0600, set by Open() whatever the umask).
//
// Threading: every method may be called from any thread (the control executor writes domain
// state, the API thread users, sessions, tokens and reads); one connection, opened FULLMUTEX,
// and one mutex serialise them (SQLite's own work is short: no query here scans more than a
// conference's call records or a page of the audit log).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mcu/expected.h"
#include "mcu/records.h"

struct sqlite3;

namespace mcu {

class Store {
 public:
  static Expected<std::unique_ptr<Store>> Open(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  int schema_version();
  static int latest_schema_version();

  // Set once the configuration's seed rows were imported (the first start on a new file).
  bool seeded();
  Status MarkSeeded();
  // This MCU's identity (meta.mcu_id): 32 random hex digits made at its first call and kept for
  // good, so that it survives restarts and upgrades. Cascade links announce it (mcu/cascade.h).
  Expected<std::string> McuId();

  std::vector<SiteRow> Sites();
  std::optional<SiteRow> Site(const std::string& id);
  Status InsertSite(const SiteRow& s);
  Status UpdateSite(const SiteRow& s);
  Status DeleteSite(const std::string& id);

  std::vector<ConferenceRow> Conferences();
  std::optional<ConferenceRow> Conference(const std::string& id);
  // Inserts or replaces the row and its invited list (members' mute/kick kept for sites that
  // stay invited).
  Status InsertConference(const ConferenceRow& c);
  Status UpdateConference(const ConferenceRow& c);
  Status DeleteConference(const std::string& id);

  std::vector<MemberRow> Members(const std::string& conference_id);
  Status PutMember(const MemberRow& m);
  // Clears mutes and kicks of every member (a conference that closes starts afresh next time).
  Status ResetMembers(const std::string& conference_id);

  std::vector<UserRow> Users();
  std::optional<UserRow> User(int64_t id);
  std::optional<UserRow> UserByLogin(const std::string& login);
  Expected<int64_t> InsertUser(const UserRow& u);
  Status UpdateUser(const UserRow& u);
  Status DeleteUser(int64_t id);

  // Sessions: Session() finds one whose absolute expiry (expires_at) is after `now`; the idle
  // timeout is mcu/auth.h's. PurgeSessions() deletes those past their expiry or not seen since
  // `seen_before`; the number deleted.
  Status InsertSession(const SessionRow& s);
  std::optional<SessionRow> Session(const std::string& token_hash, int64_t now);
  Status TouchSession(const std::string& token_hash, int64_t now);
  Status DeleteSession(const std::string& token_hash);
  Status DeleteSessionsOf(int64_t user_id);
  Expected<int64_t> PurgeSessions(int64_t now, int64_t seen_before);

  // API tokens. ApiTokens(nullopt): everyone's, by user. PurgeApiTokens() deletes those past
  // their expiry, and those of before schema 9 (expires_at 0) created by
  // `legacy_created_before`; the number deleted, as DeleteApiTokensOf().
  Expected<int64_t> InsertApiToken(const ApiTokenRow& t);
  std::vector<ApiTokenRow> ApiTokens(std::optional<int64_t> user_id);
  std::optional<ApiTokenRow> ApiToken(int64_t id);
  std::optional<ApiTokenRow> ApiTokenByHash(const std::string& token_hash);
  Status DeleteApiToken(int64_t id, int64_t user_id);
  Expected<int64_t> DeleteApiTokensOf(int64_t user_id);
  Expected<int64_t> PurgeApiTokens(int64_t now, int64_t legacy_created_before);

  Status Audit(const std::string& actor, const std::string& action, const std::string& target,
               const std::string& detail_json);
  // Newest first; before_id 0: from the newest.
  std::vector<AuditRow> AuditLog(int limit, int64_t before_id = 0);

  Expected<int64_t> OpenCallRecord(const std::string& conference_id, const std::string& site_id,
                                   int64_t joined_at_ms);
  Status CloseCallRecord(int64_t id, int64_t left_at_ms, const std::string& reason,
                         const CallQuality& quality = {});
  // Records still open when the process ended are closed with `reason` (on start).
  Status CloseOpenCallRecords(int64_t left_at_ms, const std::string& reason);
  // Newest first; conference_id empty: every conference.
  std::vector<CallRecordRow> CallRecords(const std::string& conference_id, int limit);

  Expected<int64_t> InsertAlarm(const AlarmRow& a);
  // A raised alarm's severity or detail changed, or (cleared_at_ms != 0) it cleared. The row
  // keeps the worst severity the alarm reached, and the detail measured at it.
  Status UpdateAlarm(int64_t id, const std::string& severity, const std::string& detail,
                     int64_t cleared_at_ms);
  // Alarms still active when the process ended are cleared at `at_ms` (on start).
  Status ClearOpenAlarms(int64_t at_ms);
  // Newest first; conference_id empty: every conference; active_only: not cleared.
  std::vector<AlarmRow> Alarms(const std::string& conference_id, bool active_only, int limit);

  // A recording begins (state "recording"); its id.
  // Stream viewer links: newest first; found by their token's hash; revoked (kept, for the
  // audit's sake) at `at_ms` (not found if there is no such link of that conference).
  Expected<int64_t> InsertStreamLink(const StreamLinkRow& l);
  std::vector<StreamLinkRow> StreamLinks(const std::string& conference_id);
  std::optional<StreamLinkRow> StreamLinkByHash(const std::string& token_hash);
  Status RevokeStreamLink(const std::string& conference_id, int64_t id, int64_t at_ms);
  Expected<int64_t> InsertRecording(const RecordingRow& r);
  // What changes of recording `r.id` is written: its picture size, end, duration, bytes, state
  // and reason.
  Status UpdateRecording(const RecordingRow& r);
  // Newest first; conference_id empty: every conference; state empty: any.
  std::vector<RecordingRow> Recordings(const std::string& conference_id, const std::string& state,
                                       int limit);
  std::optional<RecordingRow> Recording(int64_t id);
  Status DeleteRecording(int64_t id);

 private:
  explicit Store(sqlite3* db) : db_(db) {}
  Status Migrate();

  std::mutex mu_;
  sqlite3* db_;
};

// Unix time in milliseconds (wall clock).
int64_t NowMs();

}  // namespace mcu
