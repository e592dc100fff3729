// What the MCU keeps: sites, conferences (with their invited sites and live settings), users,
// console sessions, API tokens, the audit log and call records, in one SQLite file in the data
// directory (WAL, synchronous=FULL: a committed change survives a crash of the process and of
// the machine). The schema is versioned: Open() applies the migrations the file has not seen,
// each in its own transaction, and refuses a file newer than this build.
//
// Secrets are stored only as hashes: room and API tokens and session ids as sha-256 (they are
// long random strings), passwords as Argon2id (see secrets.h). The one exception is the
// credential of a cascade link this MCU dials: it must present it to the other MCU.
//
// Threading: every method may be called from any thread; one mutex serialises them (SQLite's
// own work is short: no query here scans more than a conference's call records or a page of
// the audit log).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mcu/cascade.h"
#include "mcu/expected.h"

struct sqlite3;

namespace mcu {

struct SiteRow {
  std::string id, name;
  std::string level = "district";  // central | province | district | other
  std::string kind = "room";       // room | cascade
  std::string token_hash;          // "sha256:<hex>"; a link this MCU dials may have none.
  std::string network;             // Its expected network, as the deployment describes it.
  int bandwidth_kbps = 0;          // Its link's expected capacity (0: not said).
  LinkTarget link;                 // A cascade link this MCU dials (kind cascade only).
};

// A conference: permanent (no start: open whenever a site asks to join) or scheduled.
struct ConferenceRow {
  std::string id, title;
  std::string mode = "mix";          // mix | echo
  int64_t start_at = 0, end_at = 0;  // Unix seconds; 0 and 0: permanent.
  std::string recurrence = "none";   // none | daily | weekly
  int lead_time_s = 1800;            // Opens this long before start: the technical check.
  std::string host_site;             // May be empty.
  std::string layout = "grid";       // grid | speaker | single | presenter
  std::string state = "scheduled";   // scheduled | open | ended
  bool locked = false;
  std::string spotlight;  // Site pinned to the main tile, or empty.
  std::vector<std::string> invited;
  bool permanent() const { return start_at == 0 && end_at == 0; }
};

// A site's settings in one conference. A row exists for every invited site and for any other
// site that was muted or kicked there.
struct MemberRow {
  std::string conference_id, site_id;
  bool invited = true, muted_audio = false, muted_video = false, kicked = false;
  bool admitted = false;  // Joined since the conference opened: a lock lets it back in.
};

struct UserRow {
  int64_t id = 0;
  std::string login, role, display_name;  // role: admin | host | technician
  std::string password_hash;              // Argon2id encoded.
};

struct SessionRow {
  std::string token_hash, csrf;
  int64_t user_id = 0, expires_at = 0;
};

struct ApiTokenRow {
  int64_t id = 0, user_id = 0;
  std::string name, token_hash;
  int64_t created_at = 0;
};

struct AuditRow {
  int64_t id = 0, at_ms = 0;
  std::string actor, action, target, detail;  // detail: JSON text.
};

// A site's media quality over its call (mcu/stream_health.h HealthSummary, as stored).
struct CallQuality {
  int seconds = 0;  // Seconds measured; 0: nothing measured (the record says nothing below).
  double loss_pct_mean = 0, loss_pct_max = 0, jitter_ms_mean = 0, jitter_ms_max = 0;
  double rtt_ms_mean = -1, rtt_ms_max = -1;  // -1: never measured.
  double kbps_in_mean = 0, kbps_out_mean = 0;
};

struct CallRecordRow {
  int64_t id = 0;
  std::string conference_id, site_id;
  int64_t joined_at_ms = 0, left_at_ms = 0;  // left 0: still in.
  std::string reason;
  CallQuality quality;
  int alarms = 0;  // Alarms raised for the site in the conference while it was in.
};

// An alarm as stored with its conference (mcu/alarms.h).
struct AlarmRow {
  int64_t id = 0;
  std::string conference_id, site_id;  // site_id empty: the conference's own (encoder).
  std::string kind, severity, detail;
  int64_t raised_at_ms = 0, cleared_at_ms = 0;  // cleared 0: still active.
};

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

  Status InsertSession(const SessionRow& s);
  std::optional<SessionRow> Session(const std::string& token_hash, int64_t now);
  Status DeleteSession(const std::string& token_hash);
  Status DeleteSessionsOf(int64_t user_id);

  Expected<int64_t> InsertApiToken(const ApiTokenRow& t);
  std::vector<ApiTokenRow> ApiTokens(int64_t user_id);
  std::optional<ApiTokenRow> ApiTokenByHash(const std::string& token_hash);
  Status DeleteApiToken(int64_t id, int64_t user_id);

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

 private:
  explicit Store(sqlite3* db) : db_(db) {}
  Status Migrate();

  std::mutex mu_;
  sqlite3* db_;
};

// Unix time in milliseconds (wall clock).
int64_t NowMs();

}  // namespace mcu
