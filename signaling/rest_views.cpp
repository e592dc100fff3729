#include "signaling/rest_views.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdio>

#include "mcu/schedule.h"

namespace mcu::signaling::rest {

RestResponse Reply(int status, const json& body) {
  return {status, body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", {}};
}
// A raw JSON text made elsewhere (the bridge's statistics).
RestResponse ReplyText(int status, std::string body, std::string content_type) {
  return {status, std::move(body) + "\n", {}, std::move(content_type)};
}
RestResponse Fail(int status, const std::string& message) {
  return Reply(status, {{"error", message}});
}
RestResponse Done() { return Reply(200, {{"ok", true}}); }

json CallRecordJson(const CallRecordRow& r) {
  const CallQuality& q = r.quality;
  json quality = nullptr;  // Nothing measured (media never connected).
  if (q.seconds > 0)
    quality = {{"seconds", q.seconds},
               {"lossPctMean", q.loss_pct_mean},
               {"lossPctMax", q.loss_pct_max},
               {"jitterMsMean", q.jitter_ms_mean},
               {"jitterMsMax", q.jitter_ms_max},
               {"rttMsMean", q.rtt_ms_mean >= 0 ? json(q.rtt_ms_mean) : json(nullptr)},
               {"rttMsMax", q.rtt_ms_max >= 0 ? json(q.rtt_ms_max) : json(nullptr)},
               {"kbpsInMean", q.kbps_in_mean},
               {"kbpsOutMean", q.kbps_out_mean}};
  return {{"conference", r.conference_id},
          {"site", r.site_id},
          {"joined", FormatTime(r.joined_at_ms / 1000)},
          {"left", r.left_at_ms ? json(FormatTime(r.left_at_ms / 1000)) : json(nullptr)},
          {"joinedMs", r.joined_at_ms},
          {"leftMs", r.left_at_ms},
          {"reason", r.reason},
          {"quality", quality},
          {"alarms", r.alarms}};
}

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. A field
// that a spreadsheet would take for a formula gets a leading apostrophe.
std::string CsvField(std::string v) {
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@'))
    v.insert(v.begin(), '\'');
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string CallRecordsCsv(const std::vector<CallRecordRow>& records) {
  std::string out =
      "conference,site,joined,left,reason,seconds,loss_pct_mean,loss_pct_max,jitter_ms_mean,jitter_"
      "ms_max,"
      "rtt_ms_mean,rtt_ms_max,kbps_in_mean,kbps_out_mean,alarms\r\n";
  auto num = [](double v, bool known = true) {
    if (!known) return std::string();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return std::string(buf);
  };
  for (const auto& r : records) {
    const CallQuality& q = r.quality;
    bool m = q.seconds > 0;
    out += CsvField(r.conference_id) + "," + CsvField(r.site_id) + "," +
           FormatTime(r.joined_at_ms / 1000) + "," +
           (r.left_at_ms ? FormatTime(r.left_at_ms / 1000) : "") + "," + CsvField(r.reason) + "," +
           std::to_string(q.seconds) + "," + num(q.loss_pct_mean, m) + "," +
           num(q.loss_pct_max, m) + "," + num(q.jitter_ms_mean, m) + "," + num(q.jitter_ms_max, m) +
           "," + num(q.rtt_ms_mean, m && q.rtt_ms_mean >= 0) + "," +
           num(q.rtt_ms_max, m && q.rtt_ms_max >= 0) + "," + num(q.kbps_in_mean, m) + "," +
           num(q.kbps_out_mean, m) + "," + std::to_string(r.alarms) + "\r\n";
  }
  return out;
}

int HttpStatus(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalid:
      return 400;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kConflict:
      return 409;
    case ErrorKind::kForbidden:
      return 403;
    case ErrorKind::kUnauthorized:
      return 401;
    case ErrorKind::kInternal:
      break;
  }
  return 500;
}

std::string CookieValue(const std::string& header, const std::string& name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string part = header.substr(pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.erase(0, 1);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return {};
}

std::string QueryValue(const std::string& query, const std::string& name) {
  // Split by hand: a regex over a long value recurses once per character in libstdc++.
  for (size_t pos = 0; pos <= query.size();) {
    size_t end = query.find('&', pos);
    if (end == std::string::npos) end = query.size();
    const std::string_view part(query.data() + pos, end - pos);
    if (part.size() > name.size() && part.compare(0, name.size(), name) == 0 &&
        part[name.size()] == '=')
      return std::string(part.substr(name.size() + 1));
    pos = end + 1;
  }
  return {};
}

int QueryInt(const std::string& query, const char* name, int fallback, int lo, int hi) {
  std::string v = QueryValue(query, name);
  int n = v.empty() || v.find_first_not_of("0123456789") != std::string::npos ? fallback
          : v.size() > 4                                                      ? hi
                                                                              : std::stoi(v);
  return std::clamp(n, lo, hi);
}

bool SafeEquals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

json SiteJson(const SiteRow& s) {
  json j = {{"id", s.id},     {"name", s.name},       {"level", s.level},
            {"kind", s.kind}, {"network", s.network}, {"bandwidthKbps", s.bandwidth_kbps}};
  if (s.kind == "sip")
    j["sipUri"] = s.sip_uri, j["sipDial"] = s.sip_dial, j["sipPlainSignalling"] = s.sip_plain;
  // A link this MCU dials; its credential is never shown, only whether it is set.
  if (s.link.dials())
    j["link"] = {{"url", s.link.url},
                 {"conference", s.link.conference},
                 {"fingerprint", s.link.fingerprint},
                 {"maxKbps", s.link.max_kbps},
                 {"role", LinkRole(s.link)},
                 {"credentialSet", !s.link.credential.empty()}};
  else if (s.kind == "cascade")  // A link this MCU accepts: its role only.
    j["link"] = {{"role", LinkRole(s.link)}};
  return j;
}

// A site's presence: `online` (its room is connected) and `conference` (the one it is in, or null).
json WithPresence(json site, const std::map<std::string, std::string>& presence) {
  auto p = presence.find(site["id"].get<std::string>());
  site["online"] = p != presence.end();
  site["conference"] = p != presence.end() && !p->second.empty() ? json(p->second) : json(nullptr);
  return site;
}

// The effective configuration an administrator may see: everything but secrets (the TLS key's
// path is shown, never its content; sites, users and their hashes live in the database).
json SettingsJson(const Config& c) {
  return {{"server",
           {{"listen", c.server.listen},
            {"port", c.server.port},
            {"publicName", c.server.public_name},
            {"timeZone", c.server.time_zone},
            {"dataDir", c.server.data_dir},
            {"tlsCert", c.server.tls_cert.empty() ? "(generated, self-signed)" : c.server.tls_cert},
            {"webRoot", c.server.web_root}}},
          {"media",
           {{"iceAddresses", c.media.ice_addresses},
            {"portMin", c.media.port_min},
            {"portMax", c.media.port_max}}},
          {"schedule", {{"graceS", c.schedule.grace_s}, {"callRetryS", c.schedule.call_retry_s}}},
          {"recording",
           {{"directory", c.recording.directory},
            {"retentionDays", c.recording.retention_days},
            {"minFreeMb", c.recording.min_free_mb},
            {"classified", c.recording.classified},
            {"keyFile", c.recording.key_file}}},
          {"alarms",
           {{"lossWarningPct", c.alarms.loss_warning_pct},
            {"lossCriticalPct", c.alarms.loss_critical_pct},
            {"noMediaS", c.alarms.no_media_s},
            {"rttMs", c.alarms.rtt_ms},
            {"clearAfterS", c.alarms.clear_after_s}}},
          {"limits",
           {{"maxMessageBytes", c.limits.max_message_bytes},
            {"messagesPerSecond", c.limits.messages_per_second},
            {"messageBurst", c.limits.message_burst},
            {"maxConnections", c.limits.max_connections},
            {"maxParticipants", c.limits.max_participants},
            {"handshakeTimeoutS", c.limits.handshake_timeout_s},
            {"idleTimeoutS", c.limits.idle_timeout_s}}},
          {"log", {{"level", c.log.level}, {"json", c.log.json}}}};
}

json UserJson(const UserRow& u) {
  return {{"login", u.login}, {"name", u.display_name}, {"role", u.role}};
}

json ConferenceJson(const ConferenceRow& c) {
  json j = {{"id", c.id},
            {"title", c.title},
            {"mode", c.mode},
            {"permanent", c.permanent()},
            {"recurrence", c.recurrence},
            {"leadTimeMinutes", c.lead_time_s / 60},
            {"invited", c.invited},
            {"host", c.host_site},
            {"layout", c.layout},
            {"state", ToString(c.permanent() ? ConferenceState::kOpen : c.state)},
            {"locked", c.locked},
            {"spotlight", c.spotlight},
            {"classified", c.classified},
            {"autoRecord", c.auto_record}};
  j["start"] = c.permanent() ? json(nullptr) : json(FormatTime(c.start_at));
  j["end"] = c.permanent() ? json(nullptr) : json(FormatTime(c.end_at));
  return j;
}

json DevicesJson(const DeviceStates& d) {
  return {{"camera", ToString(d.camera)},
          {"microphone", ToString(d.microphone)},
          {"speaker", ToString(d.speaker)}};
}

json LiveSiteJson(const LiveSite& s) {
  return {{"site", s.site_id},
          {"name", s.name},
          {"state", ToString(s.state)},
          {"invited", s.invited},
          {"mutedAudio", s.muted_audio},
          {"mutedVideo", s.muted_video},
          {"kicked", s.kicked},
          {"speaking", s.speaking},
          {"content", s.content},
          {"elsewhere", s.elsewhere},
          {"participant", s.participant_id},
          {"devices", s.devices ? DevicesJson(*s.devices) : json(nullptr)},
          {"signalling", s.signalling.empty() ? json(nullptr) : json(s.signalling)},
          {"protection", s.protection.empty() ? json(nullptr) : json(s.protection)},
          {"link", s.link ? LiveLinkJson(*s.link) : json(nullptr)}};
}

json LiveLinkJson(const LiveSite::Link& l) {
  json j = {{"state", ToString(l.state)},
            {"detail", l.detail},
            {"remoteTitle", l.remote_title},
            {"remoteSpeaker", l.remote_speaker},
            {"mutedAudio", l.muted_audio},
            {"mutedVideo", l.muted_video},
            {"attempts", l.attempts},
            {"failure", l.failure.empty() ? json(nullptr) : json(l.failure)},
            {"role", l.role.empty() ? json(nullptr) : json(l.role)},
            {"remote", nullptr}};
  if (l.remote) {
    const LinkSide& r = *l.remote;
    j["remote"] = {{"role", r.role},         {"title", r.title},         {"speaker", r.speaker},
                   {"expected", r.expected}, {"connected", r.connected}, {"video", r.video},
                   {"control", nullptr}};
    if (r.control)
      j["remote"]["control"] = {{"mutedAudio", r.control->muted_audio},
                                {"mutedVideo", r.control->muted_video},
                                {"spotlight", r.control->spotlight},
                                {"layout", r.control->layout},
                                {"locked", r.control->locked}};
  }
  return j;
}

json LiveJson(const LiveConference& c) {
  json j = ConferenceJson(c.row);
  json sites = json::array();
  for (const auto& s : c.sites) sites.push_back(LiveSiteJson(s));
  j["sites"] = std::move(sites);
  j["speaker"] = c.speaker;
  j["viewers"] = c.viewers;
  j["recording"] = RecordingJson(c);
  j["stream"] = StreamJson(c);
  j["recordable"] = c.recordable;
  return j;
}

json RecordingJson(const LiveConference& c) {
  if (!c.recording) return nullptr;
  const auto& r = *c.recording;
  return {{"id", r.id},
          {"file", r.file},
          {"startedBy", r.started_by},
          {"since", FormatTime(r.started_at_ms / 1000)},
          {"durationMs", r.progress.duration_ms},
          {"width", r.progress.width},
          {"height", r.progress.height}};
}

json StreamJson(const LiveConference& c) {
  if (!c.stream) return nullptr;
  return {{"startedBy", c.stream->started_by},
          {"since", FormatTime(c.stream->started_at_ms / 1000)},
          {"durationMs", c.stream->progress.duration_ms},
          {"width", c.stream->progress.width},
          {"height", c.stream->progress.height},
          {"playlist", "/api/v1/conferences/" + c.row.id + "/stream/index.m3u8"},
          {"rtmp", c.stream->rtmp.empty() ? json(nullptr) : json(c.stream->rtmp)},
          {"rtmpError", c.stream->rtmp_error}};
}

json RecordingRowJson(const RecordingRow& r) {
  return {{"id", r.id},
          {"conference", r.conference_id},
          {"file", r.file},
          {"startedBy", r.started_by},
          {"started", FormatTime(r.started_at_ms / 1000)},
          {"startedMs", r.started_at_ms},
          {"ended", r.ended_at_ms ? json(FormatTime(r.ended_at_ms / 1000)) : json(nullptr)},
          {"endedMs", r.ended_at_ms},
          {"durationMs", r.duration_ms},
          {"bytes", r.bytes},
          {"width", r.width},
          {"height", r.height},
          {"state", r.state},
          {"reason", r.reason},
          {"sealed", r.sealed}};
}

// Reads the optional string field `key` of `body` into `out`; false (and `error`) if mistyped.
bool ReadString(const json& body, const char* key, std::string& out, std::string& error,
                size_t max) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return true;
  if (!it->is_string() || it->get_ref<const std::string&>().size() > max) {
    error = std::string("field \"") + key + "\" must be a string of at most " +
            std::to_string(max) + " characters";
    return false;
  }
  out = it->get<std::string>();
  return true;
}

// A conference from its JSON, over `base` (the stored row on update).
Expected<ConferenceRow> ParseConference(const json& body, ConferenceRow base) {
  std::string error, start, end;
  if (!ReadString(body, "id", base.id, error, 64) ||
      !ReadString(body, "title", base.title, error) ||
      !ReadString(body, "mode", base.mode, error, 16) ||
      !ReadString(body, "recurrence", base.recurrence, error, 16) ||
      !ReadString(body, "host", base.host_site, error, 64) ||
      !ReadString(body, "layout", base.layout, error, 16) ||
      !ReadString(body, "start", start, error, 40) || !ReadString(body, "end", end, error, 40))
    return MakeError(ErrorKind::kInvalid, error);
  if (body.contains("start")) {
    if (body["start"].is_null())
      base.start_at = 0;
    else if (auto t = ParseTime(start))
      base.start_at = *t;
    else
      return MakeError(ErrorKind::kInvalid, "start: " + t.error());
  }
  if (body.contains("end")) {
    if (body["end"].is_null())
      base.end_at = 0;
    else if (auto t = ParseTime(end))
      base.end_at = *t;
    else
      return MakeError(ErrorKind::kInvalid, "end: " + t.error());
  }
  if (auto it = body.find("classified"); it != body.end()) {
    if (!it->is_boolean())
      return MakeError(ErrorKind::kInvalid, "field \"classified\" must be true or false");
    base.classified = it->get<bool>();
  }
  if (auto it = body.find("autoRecord"); it != body.end()) {
    if (!it->is_boolean())
      return MakeError(ErrorKind::kInvalid, "field \"autoRecord\" must be true or false");
    base.auto_record = it->get<bool>();
  }
  if (auto it = body.find("leadTimeMinutes"); it != body.end()) {
    if (!it->is_number_integer())
      return MakeError(ErrorKind::kInvalid, "field \"leadTimeMinutes\" must be an integer");
    base.lead_time_s = static_cast<int>(std::clamp<int64_t>(it->get<int64_t>(), -1, 100000) * 60);
  }
  if (auto it = body.find("invited"); it != body.end()) {
    if (!it->is_array() || it->size() > 256)
      return MakeError(ErrorKind::kInvalid, "field \"invited\" must be an array of site ids");
    base.invited.clear();
    for (const auto& s : *it) {
      if (!s.is_string())
        return MakeError(ErrorKind::kInvalid, "field \"invited\" must be an array of site ids");
      if (std::find(base.invited.begin(), base.invited.end(), s.get<std::string>()) ==
          base.invited.end())
        base.invited.push_back(s.get<std::string>());
    }
  }
  if (!base.host_site.empty() &&
      std::find(base.invited.begin(), base.invited.end(), base.host_site) == base.invited.end())
    return MakeError(ErrorKind::kInvalid, "the host site must be invited");
  return base;
}

}  // namespace mcu::signaling::rest
