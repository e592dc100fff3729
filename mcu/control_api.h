// The control port: everything the REST adapter (signaling/rest_api.h) asks of the domain, and
// the only way it reaches it. Implemented by ControlService (mcu/control_service.h) over the
// bridge, the store and the console users' authentication.
//
// Every change is audited by the domain, once, with its console event: an adapter writes no
// audit row of its own (Audit() below is for what only the adapter sees: logins, logouts, API
// tokens and users).
//
// Threading: any thread but the bridge's control executor (the conference methods wait for it).
// Login() spends ~30 ms in Argon2id: call it off the I/O threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mcu/auth.h"
#include "mcu/config.h"
#include "mcu/endpoint_api.h"
#include "mcu/expected.h"
#include "mcu/media_api.h"
#include "mcu/principal.h"
#include "mcu/records.h"
#include "mcu/sealed_file.h"

namespace mcu {

// A site as the roll-call shows it.
struct LiveSite {
  std::string site_id, name;
  SiteStatus state = SiteStatus::kOffline;
  bool invited = false, muted_audio = false, muted_video = false, kicked = false, speaking = false;
  bool content = false;        // It shares content now.
  std::string elsewhere;       // The other conference it is in, if any.
  std::string participant_id;  // "p<n>" while joined.
  // Its camera, microphone and loudspeaker as the room reported them while online (rooms that
  // do not report, such as older room pages and cascade links, have none).
  std::optional<DeviceStates> devices;
  // While it is online through a SIP call (in or out): the call's signalling transport, "tls",
  // "tcp" or "udp" (plain SIP, which carries the SRTP keys in clear: a closed line only). Empty
  // for any other site, and for a call the MCU placed that is not answered yet.
  std::string signalling;
  // While joined and its media connected: the SRTP profile or SDES suite protecting it
  // ("AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80 (DTLS)"); empty before.
  std::string protection;
  // A cascade link (this MCU dials it, or accepts it: joined while in the conference, online
  // while connected, none before): where the link is, why, the other conference's title and
  // speaker, and whether the other MCU's host muted it; this MCU's role on it and what the other
  // side last said of itself (its roll-call summary; a parent's control). A SIP site this MCU
  // calls: its call (connecting: ringing, joined: answered, waiting or refused: why the last call
  // ended).
  struct Link {
    LinkState state = LinkState::kIdle;
    std::string detail, remote_title, remote_speaker;
    bool muted_audio = false, muted_video = false;
    int attempts = 0;
    // A cascade link's last failure, until the other MCU accepts it again: "credential" (the
    // other MCU refused it), "certificate" (not the pinned one), "conference" (no such
    // conference there), "refused" (not admitted: not invited, removed, locked, full),
    // "network" (unreachable or the connection lost), "media" (ICE/DTLS failed), "loop" (it
    // would close a loop of MCUs; also on the accepting side); empty: none.
    std::string failure;
    std::string role;                // A cascade link's: "parent" or "child" (this MCU's).
    std::optional<LinkSide> remote;  // Once the other side said it.
  };
  std::optional<Link> link;
};

struct LiveConference {
  ConferenceRow row;
  std::vector<LiveSite> sites;  // Invited sites first (in invitation order), then others present.
  std::string speaker;          // Site id of the active speaker, or empty.
  // The console users previewing it now, one login per preview in the order they began: every
  // preview is shown to the conference.
  std::vector<std::string> viewers;
  // The recording running now, if any: its file's name (in the recordings directory), who
  // started it and when, and how much is written.
  struct Recording {
    int64_t id = 0;
    std::string file, started_by;
    int64_t started_at_ms = 0;
    MediaRecording::Stats progress;
  };
  std::optional<Recording> recording;
  // The live stream running now, if any: who started it, when, and how long it has run.
  struct Stream {
    std::string started_by;
    int64_t started_at_ms = 0;
    MediaRecording::Stats progress;
    // Its push to [stream] rtmp_url: "" (none configured), "pushing" or "retrying" (after
    // `rtmp_error`).
    std::string rtmp, rtmp_error;
  };
  std::optional<Stream> stream;
  // Whether a host may record it (not an echo conference; if classified, only where the
  // administrator allows: [recording] classified).
  bool recordable = false;
};

// Told when console sessions end before they expire, or stop vouching for what they opened, so
// that the console's live sockets (the event feed, previews) end with them. Called on the
// thread that ended them (the API's); it must return at once.
// A viewer link just made: its row and its token, shown once (only the hash is kept).
struct StreamLinkCreated {
  StreamLinkRow row;
  std::string token;
};

// A recording's file as it is sent: the name a browser saves it under, and its (plaintext) bytes.
struct RecordingDownload {
  std::string name;
  std::shared_ptr<ByteSource> bytes;
};

class SessionListener {
 public:
  virtual ~SessionListener() = default;
  // The session whose cookie value hashes to `session_hash` (mcu/secrets.h HashToken) ended.
  virtual void OnSessionEnded(const std::string& session_hash) = 0;
  // What every session of the user opened is revoked: their sessions ended (a new password),
  // the user has another role now, or the user is gone.
  virtual void OnUserRevoked(int64_t user_id) = 0;
};

class ConferenceControl {
 public:
  virtual ~ConferenceControl() = default;

  // ----- Who is asking (mcu/auth.h: lifetimes, revocation, login throttling)
  // Whether a login attempt from `address` (the client's, no port) may be checked at all: cheap,
  // call it before handing the attempt to a thread that hashes.
  virtual LoginAdmission AdmitLogin(const std::string& address) = 0;
  virtual Expected<LoginResult> Login(const std::string& login, const std::string& password,
                                      const std::string& address) = 0;
  virtual void Logout(const std::string& session) = 0;
  virtual std::optional<Principal> FromSession(const std::string& session) = 0;
  virtual std::optional<Principal> FromApiToken(const std::string& token) = 0;
  // A new API token for `who`: the row and the token (shown once); valid `days` (nullopt: the
  // default of [auth] token_days).
  virtual Expected<std::pair<ApiTokenRow, std::string>> CreateApiToken(const Principal& who,
                                                                       const std::string& name,
                                                                       std::optional<int> days) = 0;
  // One user's tokens (nullopt: everyone's), with their expiry.
  virtual std::vector<ApiTokenRow> ApiTokens(std::optional<int64_t> user_id) = 0;
  virtual std::optional<ApiTokenRow> ApiToken(int64_t id) = 0;
  // Deletes token `id` if `user_id` owns it.
  virtual Status DeleteApiToken(int64_t id, int64_t user_id) = 0;
  // Expired sessions and tokens deleted (at start and hourly).
  virtual void PurgeExpired() = 0;
  virtual const AuthPolicy& auth_policy() const = 0;

  // ----- Users
  virtual std::vector<UserRow> Users() = 0;
  virtual std::optional<UserRow> UserByLogin(const std::string& login) = 0;
  virtual Expected<int64_t> InsertUser(const UserRow& user) = 0;
  // A new password ends the user's sessions and revokes their API tokens; a new role revokes
  // their API tokens. The number of tokens revoked.
  virtual Expected<int64_t> UpdateUser(const UserRow& user) = 0;
  virtual Status DeleteUser(int64_t id) = 0;
  virtual Status DeleteSessionsOf(int64_t user_id) = 0;

  // ----- Sites and conferences (`actor`: who, for the audit log)
  virtual std::vector<SiteRow> Sites() = 0;
  virtual std::optional<SiteRow> Site(const std::string& id) = 0;
  virtual Status CreateSite(const std::string& actor, const SiteRow& site) = 0;
  virtual Status UpdateSite(const std::string& actor, const SiteRow& site) = 0;
  virtual Status DeleteSite(const std::string& actor, const std::string& id) = 0;
  virtual std::optional<ConferenceRow> Conference(const std::string& id) = 0;
  virtual Status CreateConference(const std::string& actor, const ConferenceRow& c) = 0;
  virtual Status UpdateConference(const std::string& actor, const ConferenceRow& c) = 0;
  virtual Status DeleteConference(const std::string& actor, const std::string& id) = 0;

  // ----- Live control
  virtual Status StartConference(const std::string& actor, const std::string& id) = 0;
  virtual Status StopConference(const std::string& actor, const std::string& id) = 0;
  // Unset optionals leave that medium as it is.
  virtual Status Mute(const std::string& actor, const std::string& conference,
                      const std::string& site, std::optional<bool> audio,
                      std::optional<bool> video) = 0;
  virtual Status MuteAllButHost(const std::string& actor, const std::string& conference,
                                bool muted) = 0;
  virtual Status Kick(const std::string& actor, const std::string& conference,
                      const std::string& site) = 0;
  virtual Status Call(const std::string& actor, const std::string& conference,
                      const std::string& site) = 0;
  // Records the conference (its composite and full mix) into a new file of the recordings
  // directory, until StopRecording or its close. 409 if it is not open or records already.
  virtual Status StartRecording(const std::string& actor, const std::string& conference) = 0;
  virtual Status StopRecording(const std::string& actor, const std::string& conference) = 0;
  // Recordings, newest first (conference empty: every conference's). A recording's file to send
  // (audited as a download, or a play when `play`): its bytes, opened (decrypted as they are
  // read if it is sealed). Deleting one that ended removes its file and row (409 while it
  // records).
  virtual std::vector<RecordingRow> Recordings(const std::string& conference, int limit) = 0;
  virtual Expected<RecordingDownload> RecordingFile(const std::string& actor, int64_t id,
                                                    bool play) = 0;
  virtual Status DeleteRecording(const std::string& actor, int64_t id) = 0;
  // Publishes the conference live (HLS, WebM segments served from memory) until StopStream or
  // its close. 409 if it is not open, is an echo conference or streams already; 403 if it is
  // classified. The playlist (no segment listed until one is whole) and its parts (404 when no
  // stream runs, or for a part not kept).
  virtual Status StartStream(const std::string& actor, const std::string& conference) = 0;
  virtual Status StopStream(const std::string& actor, const std::string& conference) = 0;
  virtual Expected<std::string> StreamPlaylist(const std::string& conference,
                                               const std::string& query) = 0;
  virtual Expected<std::shared_ptr<const std::string>> StreamPart(const std::string& conference,
                                                                  const std::string& name) = 0;
  // Viewer links: people without a console login watch the live stream through one. A link is
  // for one conference (never a classified one), expires after `minutes` (1 to 10080), lets at
  // most `max_viewers` (1 to 1000) watch at once (a viewer is an address seen in the last 15 s),
  // and can be revoked; its token is shown once. Creating and revoking are audited, and so is
  // each viewer's first request. StreamViewer says whether `token` lets the viewer at `remote`
  // in now: 401 unknown (or another conference's), 403 revoked or expired, 409 its viewers are
  // all taken.
  virtual Expected<StreamLinkCreated> CreateStreamLink(const std::string& actor,
                                                       const std::string& conference,
                                                       const std::string& label, int minutes,
                                                       int max_viewers) = 0;
  virtual Expected<std::vector<StreamLinkRow>> StreamLinks(const std::string& conference) = 0;
  virtual Status RevokeStreamLink(const std::string& actor, const std::string& conference,
                                  int64_t id) = 0;
  virtual Status StreamViewer(const std::string& conference, const std::string& token,
                              const std::string& remote) = 0;
  // Ends the content `site` shares in the conference (409 if it shares none).
  virtual Status StopContent(const std::string& actor, const std::string& conference,
                             const std::string& site) = 0;
  virtual Status Spotlight(const std::string& actor, const std::string& conference,
                           const std::string& site) = 0;
  virtual Status SetLayout(const std::string& actor, const std::string& conference,
                           const std::string& layout) = 0;
  virtual Status Lock(const std::string& actor, const std::string& conference, bool locked) = 0;

  // ----- Live views and records
  virtual std::vector<LiveConference> LiveConferences() = 0;
  virtual Expected<LiveConference> LiveConferenceOf(const std::string& id) = 0;
  // Per connected site: the conference it is in, "" if idle (a site missing is offline).
  virtual std::map<std::string, std::string> Presence() = 0;
  // JSON text of the conference's live statistics; of a site's health history (up to
  // kSecondHistoryS a point a second, beyond the whole conference at a coarse step).
  static constexpr int kSecondHistoryS = 600;
  virtual Expected<std::string> ConferenceStats(const std::string& id) = 0;
  virtual Expected<std::string> SiteHistory(const std::string& conference, const std::string& site,
                                            int seconds) = 0;
  // Newest first; before_id 0: from the newest.
  virtual std::vector<AuditRow> AuditLog(int limit, int64_t before_id) = 0;
  virtual std::vector<CallRecordRow> CallRecords(const std::string& conference, int limit) = 0;
  virtual std::vector<AlarmRow> Alarms(const std::string& conference, bool active_only,
                                       int limit) = 0;
  // Records what the adapter alone sees (login, logout, tokens, users): stored and told to the
  // console, as every other audit row.
  virtual void Audit(const std::string& actor, const std::string& action, const std::string& target,
                     const std::string& detail_json) = 0;

  // ----- The process
  // Takes connections: the schema is current and the bridge answers.
  virtual bool Ready() = 0;
  virtual const Config& config() const = 0;
  // /metrics: Prometheus text format.
  virtual std::string MetricsText() = 0;
};

}  // namespace mcu
