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
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mcu/config.h"
#include "mcu/expected.h"
#include "mcu/principal.h"
#include "mcu/records.h"

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
  // A cascade link this MCU dials: where the link is, why, the other conference's title and
  // speaker, and whether the other MCU's host muted it. A SIP site this MCU calls: its call
  // (connecting: ringing, joined: answered, waiting or refused: why the last call ended).
  struct Link {
    LinkState state = LinkState::kIdle;
    std::string detail, remote_title, remote_speaker;
    bool muted_audio = false, muted_video = false;
    int attempts = 0;
  };
  std::optional<Link> link;
};

struct LiveConference {
  ConferenceRow row;
  std::vector<LiveSite> sites;  // Invited sites first (in invitation order), then others present.
  std::string speaker;          // Site id of the active speaker, or empty.
};

class ConferenceControl {
 public:
  virtual ~ConferenceControl() = default;

  // ----- Who is asking
  virtual Expected<LoginResult> Login(const std::string& login, const std::string& password) = 0;
  virtual void Logout(const std::string& session) = 0;
  virtual std::optional<Principal> FromSession(const std::string& session) = 0;
  virtual std::optional<Principal> FromApiToken(const std::string& token) = 0;
  // A new API token for `who`: the row and the token (shown once).
  virtual Expected<std::pair<ApiTokenRow, std::string>> CreateApiToken(const Principal& who,
                                                                       const std::string& name) = 0;
  virtual std::vector<ApiTokenRow> ApiTokens(int64_t user_id) = 0;
  virtual Status DeleteApiToken(int64_t id, int64_t user_id) = 0;

  // ----- Users
  virtual std::vector<UserRow> Users() = 0;
  virtual std::optional<UserRow> UserByLogin(const std::string& login) = 0;
  virtual Expected<int64_t> InsertUser(const UserRow& user) = 0;
  virtual Status UpdateUser(const UserRow& user) = 0;
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
