// What the MCU keeps, as plain values: sites, conferences and each site's settings in them,
// users, sessions, API tokens, the audit log, call records and alarms. The store (mcu/store.h)
// reads and writes them; the control port (mcu/control_api.h) hands them to the REST adapter.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mcu/cascade.h"

#include "mcu/states.h"

namespace mcu {

struct SiteRow {
  std::string id, name;
  std::string level = "district";  // central | province | district | other
  std::string kind = "room";       // room | cascade | sip
  std::string token_hash;          // "sha256:<hex>"; a link this MCU dials may have none.
  std::string network;             // Its expected network, as the deployment describes it.
  int bandwidth_kbps = 0;          // Its link's expected capacity (0: not said).
  LinkTarget link;                 // A cascade link this MCU dials (kind cascade only).
  std::string sip_uri;             // Kind sip: the room system's address (mcu/sip_site.h).
  // Kind sip: the MCU calls it when a scheduled conference that invites it opens (false: it
  // only calls in).
  bool sip_dial = true;
  // Kind sip: its SRTP keys (SDES) may travel over plain SIP (TCP or UDP), for a closed line
  // behind hardware encryptors. Off: only SIP over TLS, in and out.
  bool sip_plain = false;
  bool dials_sip() const { return kind == "sip" && sip_dial && !sip_uri.empty(); }
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
  ConferenceState state = ConferenceState::kScheduled;
  bool locked = false;
  std::string spotlight;  // Site pinned to the main tile, or empty.
  // Classified ("Mật"): no preview or recording, media only with the strongest SRTP the site
  // negotiates, SIP only over TLS, every join and leave audited (mcu/admission.h).
  bool classified = false;
  // Recorded from each opening to its close (mcu/bridge.h StartRecording); never classified.
  bool auto_record = false;
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

// A console session. Unix seconds: it ends at expires_at (absolute), or once nothing was done
// with it for the idle timeout after last_seen_at (mcu/auth.h). last_seen_at 0: never touched
// since it began (a row made before schema 9 counts from created_at).
struct SessionRow {
  std::string token_hash, csrf;
  int64_t user_id = 0, expires_at = 0;
  int64_t created_at = 0, last_seen_at = 0;
};

// An API token. Unix seconds; expires_at 0: made before tokens expired (schema 9), which
// mcu/auth.h gives created_at + the default lifetime when it reads it.
struct ApiTokenRow {
  int64_t id = 0, user_id = 0;
  std::string name, token_hash;
  int64_t created_at = 0, expires_at = 0;
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

// A link a host gives people without a console login to watch a conference's live stream
// (mcu/bridge.h CreateStreamLink): only its token's hash is kept. Revoked or past its expiry it
// lets nobody in; at most `max_viewers` watch through it at once.
struct StreamLinkRow {
  int64_t id = 0;
  std::string conference_id, label, token_hash, created_by;
  int64_t created_at_ms = 0, expires_at_ms = 0, revoked_at_ms = 0;  // revoked 0: valid.
  int max_viewers = 0;
};

// A recording of a conference (mcu/bridge.h StartRecording), kept until deleted.
struct RecordingRow {
  int64_t id = 0;
  std::string conference_id;
  std::string file;  // Its name in the recordings directory.
  std::string started_by;
  int64_t started_at_ms = 0, ended_at_ms = 0;  // ended 0: still recording.
  int64_t duration_ms = 0, bytes = 0;          // Of what was written (set when it ended).
  int width = 0, height = 0;
  // "recording", then "finished" (stopped, or its conference closed) or "interrupted" (the MCU
  // ended without closing it: the file plays up to its last complete cluster).
  std::string state = "recording";
  std::string reason;   // Why it ended.
  bool sealed = false;  // Encrypted at rest (a classified conference's: mcu/sealed_file.h).
};

}  // namespace mcu
