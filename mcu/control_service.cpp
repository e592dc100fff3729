#include "mcu/control_service.h"

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "mcu/secrets.h"

namespace mcu {

LoginAdmission ControlService::AdmitLogin(const std::string& address) {
  return auth_->AdmitLogin(address);
}
Expected<LoginResult> ControlService::Login(const std::string& login, const std::string& password,
                                            const std::string& address) {
  return auth_->Login(login, password, address);
}
void ControlService::Logout(const std::string& session) {
  auth_->Logout(session);
  if (sessions_ && !session.empty()) sessions_->OnSessionEnded(HashToken(session));
}
std::optional<Principal> ControlService::FromSession(const std::string& session) {
  return auth_->FromSession(session);
}
std::optional<Principal> ControlService::FromApiToken(const std::string& token) {
  return auth_->FromApiToken(token);
}
Expected<std::pair<ApiTokenRow, std::string>> ControlService::CreateApiToken(
    const Principal& who, const std::string& name, std::optional<int> days) {
  return auth_->CreateApiToken(who, name, days);
}
std::vector<ApiTokenRow> ControlService::ApiTokens(std::optional<int64_t> user_id) {
  return auth_->ApiTokens(user_id);
}
std::optional<ApiTokenRow> ControlService::ApiToken(int64_t id) { return auth_->ApiToken(id); }
Status ControlService::DeleteApiToken(int64_t id, int64_t user_id) {
  return store_->DeleteApiToken(id, user_id);
}
void ControlService::PurgeExpired() { (void)auth_->Purge(); }

std::vector<UserRow> ControlService::Users() { return store_->Users(); }
std::optional<UserRow> ControlService::UserByLogin(const std::string& login) {
  return store_->UserByLogin(login);
}
Expected<int64_t> ControlService::InsertUser(const UserRow& user) {
  return store_->InsertUser(user);
}
Expected<int64_t> ControlService::UpdateUser(const UserRow& user) {
  auto before = store_->User(user.id);
  if (!before) return MakeError(ErrorKind::kNotFound, "no user '" + user.login + "'");
  if (auto st = store_->UpdateUser(user); !st) return st.failure();
  auto revoked = auth_->RevokeOnChange(*before, user);
  // The console's live sockets, opened with the old password or role, end too.
  if (sessions_ && (before->role != user.role || before->password_hash != user.password_hash))
    sessions_->OnUserRevoked(user.id);
  return revoked;
}
Status ControlService::DeleteUser(int64_t id) {
  auto st = store_->DeleteUser(id);
  if (st && sessions_) sessions_->OnUserRevoked(id);
  return st;
}
Status ControlService::DeleteSessionsOf(int64_t user_id) {
  auto st = store_->DeleteSessionsOf(user_id);
  if (st && sessions_) sessions_->OnUserRevoked(user_id);
  return st;
}

std::vector<SiteRow> ControlService::Sites() { return store_->Sites(); }
std::optional<SiteRow> ControlService::Site(const std::string& id) { return store_->Site(id); }
Status ControlService::CreateSite(const std::string& actor, const SiteRow& site) {
  return bridge_->CreateSite(actor, site);
}
Status ControlService::UpdateSite(const std::string& actor, const SiteRow& site) {
  return bridge_->UpdateSite(actor, site);
}
Status ControlService::DeleteSite(const std::string& actor, const std::string& id) {
  return bridge_->DeleteSite(actor, id);
}
std::optional<ConferenceRow> ControlService::Conference(const std::string& id) {
  return store_->Conference(id);
}
Status ControlService::CreateConference(const std::string& actor, const ConferenceRow& c) {
  return bridge_->CreateConference(actor, c);
}
Status ControlService::UpdateConference(const std::string& actor, const ConferenceRow& c) {
  return bridge_->UpdateConference(actor, c);
}
Status ControlService::DeleteConference(const std::string& actor, const std::string& id) {
  return bridge_->DeleteConference(actor, id);
}

Status ControlService::StartConference(const std::string& actor, const std::string& id) {
  return bridge_->StartConference(actor, id);
}
Status ControlService::StopConference(const std::string& actor, const std::string& id) {
  return bridge_->StopConference(actor, id);
}
Status ControlService::Mute(const std::string& actor, const std::string& conference,
                            const std::string& site, std::optional<bool> audio,
                            std::optional<bool> video) {
  return bridge_->Mute(actor, conference, site, audio, video);
}
Status ControlService::MuteAllButHost(const std::string& actor, const std::string& conference,
                                      bool muted) {
  return bridge_->MuteAllButHost(actor, conference, muted);
}
Status ControlService::Kick(const std::string& actor, const std::string& conference,
                            const std::string& site) {
  return bridge_->Kick(actor, conference, site);
}
Status ControlService::StartRecording(const std::string& actor, const std::string& conference) {
  return bridge_->StartRecording(actor, conference);
}
Status ControlService::StopRecording(const std::string& actor, const std::string& conference) {
  return bridge_->StopRecording(actor, conference);
}
std::vector<RecordingRow> ControlService::Recordings(const std::string& conference, int limit) {
  return store_->Recordings(conference, "", limit);
}
Expected<RecordingDownload> ControlService::RecordingFile(const std::string& actor, int64_t id,
                                                          bool play) {
  return bridge_->RecordingFile(actor, id, play);
}
Status ControlService::DeleteRecording(const std::string& actor, int64_t id) {
  return bridge_->DeleteRecording(actor, id);
}
Status ControlService::StartStream(const std::string& actor, const std::string& conference) {
  return bridge_->StartStream(actor, conference);
}
Status ControlService::StopStream(const std::string& actor, const std::string& conference) {
  return bridge_->StopStream(actor, conference);
}
Expected<std::string> ControlService::StreamPlaylist(const std::string& conference,
                                                     const std::string& query) {
  return bridge_->StreamPlaylist(conference, query);
}
Expected<std::shared_ptr<const std::string>> ControlService::StreamPart(
    const std::string& conference, const std::string& name) {
  return bridge_->StreamPart(conference, name);
}
Expected<StreamLinkCreated> ControlService::CreateStreamLink(const std::string& actor,
                                                             const std::string& conference,
                                                             const std::string& label, int minutes,
                                                             int max_viewers) {
  return bridge_->CreateStreamLink(actor, conference, label, minutes, max_viewers);
}
Expected<std::vector<StreamLinkRow>> ControlService::StreamLinks(const std::string& conference) {
  return bridge_->StreamLinks(conference);
}
Status ControlService::RevokeStreamLink(const std::string& actor, const std::string& conference,
                                        int64_t id) {
  return bridge_->RevokeStreamLink(actor, conference, id);
}
Status ControlService::StreamViewer(const std::string& conference, const std::string& token,
                                    const std::string& remote) {
  return bridge_->StreamViewer(conference, token, remote);
}
Status ControlService::StopContent(const std::string& actor, const std::string& conference,
                                   const std::string& site) {
  return bridge_->StopContent(actor, conference, site);
}
Status ControlService::Call(const std::string& actor, const std::string& conference,
                            const std::string& site) {
  return bridge_->Call(actor, conference, site);
}
Status ControlService::Spotlight(const std::string& actor, const std::string& conference,
                                 const std::string& site) {
  return bridge_->Spotlight(actor, conference, site);
}
Status ControlService::SetLayout(const std::string& actor, const std::string& conference,
                                 const std::string& layout) {
  return bridge_->SetLayout(actor, conference, layout);
}
Status ControlService::Lock(const std::string& actor, const std::string& conference, bool locked) {
  return bridge_->Lock(actor, conference, locked);
}

std::vector<LiveConference> ControlService::LiveConferences() { return bridge_->LiveConferences(); }
Expected<LiveConference> ControlService::LiveConferenceOf(const std::string& id) {
  return bridge_->LiveConferenceOf(id);
}
std::map<std::string, std::string> ControlService::Presence() { return bridge_->Presence(); }
Expected<std::string> ControlService::ConferenceStats(const std::string& id) {
  return bridge_->ConferenceStats(id);
}
Expected<std::string> ControlService::SiteHistory(const std::string& conference,
                                                  const std::string& site, int seconds) {
  return bridge_->SiteHistory(conference, site, seconds);
}
std::vector<AuditRow> ControlService::AuditLog(int limit, int64_t before_id) {
  return store_->AuditLog(limit, before_id);
}
std::vector<CallRecordRow> ControlService::CallRecords(const std::string& conference, int limit) {
  return store_->CallRecords(conference, limit);
}
std::vector<AlarmRow> ControlService::Alarms(const std::string& conference, bool active_only,
                                             int limit) {
  return store_->Alarms(conference, active_only, limit);
}
void ControlService::Audit(const std::string& actor, const std::string& action,
                           const std::string& target, const std::string& detail_json) {
  bridge_->Record(actor, action, target, detail_json);
}

bool ControlService::Ready() {
  return store_->schema_version() == Store::latest_schema_version() && bridge_->Ready();
}
std::string ControlService::MetricsText() {
  return prometheus::TextSerializer().Serialize(bridge_->metrics().Collect());
}

}  // namespace mcu
