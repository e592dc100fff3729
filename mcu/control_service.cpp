#include "mcu/control_service.h"

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace mcu {

Expected<LoginResult> ControlService::Login(const std::string& login, const std::string& password) {
  return auth_->Login(login, password, clock_->NowS());
}
void ControlService::Logout(const std::string& session) { auth_->Logout(session); }
std::optional<Principal> ControlService::FromSession(const std::string& session) {
  return auth_->FromSession(session, clock_->NowS());
}
std::optional<Principal> ControlService::FromApiToken(const std::string& token) {
  return auth_->FromApiToken(token);
}
Expected<std::pair<ApiTokenRow, std::string>> ControlService::CreateApiToken(
    const Principal& who, const std::string& name) {
  return auth_->CreateApiToken(who, name);
}
std::vector<ApiTokenRow> ControlService::ApiTokens(int64_t user_id) {
  return store_->ApiTokens(user_id);
}
Status ControlService::DeleteApiToken(int64_t id, int64_t user_id) {
  return store_->DeleteApiToken(id, user_id);
}

std::vector<UserRow> ControlService::Users() { return store_->Users(); }
std::optional<UserRow> ControlService::UserByLogin(const std::string& login) {
  return store_->UserByLogin(login);
}
Expected<int64_t> ControlService::InsertUser(const UserRow& user) {
  return store_->InsertUser(user);
}
Status ControlService::UpdateUser(const UserRow& user) { return store_->UpdateUser(user); }
Status ControlService::DeleteUser(int64_t id) { return store_->DeleteUser(id); }
Status ControlService::DeleteSessionsOf(int64_t user_id) {
  return store_->DeleteSessionsOf(user_id);
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
