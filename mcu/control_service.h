// The control port (mcu/control_api.h) implemented by the domain: conferences and sites through
// the bridge (on its control executor, which audits every change and tells the console), console
// users and tokens through Auth and the store, records read from the store.
//
// Threading: as ConferenceControl. The members it points to outlive it.
#pragma once

#include "mcu/auth.h"
#include "mcu/bridge.h"
#include "mcu/clock.h"
#include "mcu/control_api.h"
#include "mcu/store.h"

namespace mcu {

class ControlService final : public ConferenceControl {
 public:
  ControlService(Bridge* bridge, Store* store, Auth* auth, Clock* clock = &SystemClock())
      : bridge_(bridge), store_(store), auth_(auth), clock_(clock) {}

  LoginAdmission AdmitLogin(const std::string& address) override;
  Expected<LoginResult> Login(const std::string& login, const std::string& password,
                              const std::string& address) override;
  void Logout(const std::string& session) override;
  std::optional<Principal> FromSession(const std::string& session) override;
  std::optional<Principal> FromApiToken(const std::string& token) override;
  Expected<std::pair<ApiTokenRow, std::string>> CreateApiToken(const Principal& who,
                                                               const std::string& name,
                                                               std::optional<int> days) override;
  std::vector<ApiTokenRow> ApiTokens(std::optional<int64_t> user_id) override;
  std::optional<ApiTokenRow> ApiToken(int64_t id) override;
  Status DeleteApiToken(int64_t id, int64_t user_id) override;
  void PurgeExpired() override;
  const AuthPolicy& auth_policy() const override { return auth_->policy(); }

  std::vector<UserRow> Users() override;
  std::optional<UserRow> UserByLogin(const std::string& login) override;
  Expected<int64_t> InsertUser(const UserRow& user) override;
  Expected<int64_t> UpdateUser(const UserRow& user) override;
  Status DeleteUser(int64_t id) override;
  Status DeleteSessionsOf(int64_t user_id) override;

  std::vector<SiteRow> Sites() override;
  std::optional<SiteRow> Site(const std::string& id) override;
  Status CreateSite(const std::string& actor, const SiteRow& site) override;
  Status UpdateSite(const std::string& actor, const SiteRow& site) override;
  Status DeleteSite(const std::string& actor, const std::string& id) override;
  std::optional<ConferenceRow> Conference(const std::string& id) override;
  Status CreateConference(const std::string& actor, const ConferenceRow& c) override;
  Status UpdateConference(const std::string& actor, const ConferenceRow& c) override;
  Status DeleteConference(const std::string& actor, const std::string& id) override;

  Status StartConference(const std::string& actor, const std::string& id) override;
  Status StopConference(const std::string& actor, const std::string& id) override;
  Status Mute(const std::string& actor, const std::string& conference, const std::string& site,
              std::optional<bool> audio, std::optional<bool> video) override;
  Status MuteAllButHost(const std::string& actor, const std::string& conference,
                        bool muted) override;
  Status StopContent(const std::string& actor, const std::string& conference,
                     const std::string& site) override;
  Status StartRecording(const std::string& actor, const std::string& conference) override;
  Status StopRecording(const std::string& actor, const std::string& conference) override;
  std::vector<RecordingRow> Recordings(const std::string& conference, int limit) override;
  Expected<RecordingDownload> RecordingFile(const std::string& actor, int64_t id,
                                            bool play) override;
  Status DeleteRecording(const std::string& actor, int64_t id) override;
  Status StartStream(const std::string& actor, const std::string& conference) override;
  Status StopStream(const std::string& actor, const std::string& conference) override;
  Expected<std::string> StreamPlaylist(const std::string& conference,
                                       const std::string& query) override;
  Expected<std::shared_ptr<const std::string>> StreamPart(const std::string& conference,
                                                          const std::string& name) override;
  Expected<StreamLinkCreated> CreateStreamLink(const std::string& actor,
                                               const std::string& conference,
                                               const std::string& label, int minutes,
                                               int max_viewers) override;
  Expected<std::vector<StreamLinkRow>> StreamLinks(const std::string& conference) override;
  Status RevokeStreamLink(const std::string& actor, const std::string& conference,
                          int64_t id) override;
  Status StreamViewer(const std::string& conference, const std::string& token,
                      const std::string& remote) override;
  Status Kick(const std::string& actor, const std::string& conference,
              const std::string& site) override;
  Status Call(const std::string& actor, const std::string& conference,
              const std::string& site) override;
  Status Spotlight(const std::string& actor, const std::string& conference,
                   const std::string& site) override;
  Status SetLayout(const std::string& actor, const std::string& conference,
                   const std::string& layout) override;
  Status Lock(const std::string& actor, const std::string& conference, bool locked) override;

  std::vector<LiveConference> LiveConferences() override;
  Expected<LiveConference> LiveConferenceOf(const std::string& id) override;
  std::map<std::string, std::string> Presence() override;
  Expected<std::string> ConferenceStats(const std::string& id) override;
  Expected<std::string> SiteHistory(const std::string& conference, const std::string& site,
                                    int seconds) override;
  std::vector<AuditRow> AuditLog(int limit, int64_t before_id) override;
  std::vector<CallRecordRow> CallRecords(const std::string& conference, int limit) override;
  std::vector<AlarmRow> Alarms(const std::string& conference, bool active_only, int limit) override;
  void Audit(const std::string& actor, const std::string& action, const std::string& target,
             const std::string& detail_json) override;

  bool Ready() override;
  const Config& config() const override { return bridge_->config(); }
  std::string MetricsText() override;

  // Told when sessions end early (logout, a new password, a user deleted) or a user's role
  // changes, to end what those sessions opened (the console's live sockets). Set before the API
  // serves; it outlives this.
  void SetSessionListener(SessionListener* listener) { sessions_ = listener; }

 private:
  Bridge* bridge_;
  Store* store_;
  Auth* auth_;
  Clock* clock_;
  SessionListener* sessions_ = nullptr;
};

}  // namespace mcu
