#include "signaling/rest_api.h"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <regex>

#include "mcu/schedule.h"
#include "mcu/secrets.h"

namespace mcu::signaling {

using nlohmann::json;

namespace {

constexpr const char* kCookie = "mcu_session";

RestResponse Reply(int status, const json& body) {
  return {status, body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", {}};
}
// A raw JSON text made elsewhere (the bridge's statistics).
RestResponse ReplyText(int status, std::string body,
                       std::string content_type = "application/json") {
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

template <typename T>
RestResponse FromStatus(const Expected<T>& st) {
  if (st) return Done();
  return Fail(HttpStatus(st.error_kind()), st.error());
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
  std::regex re("(?:^|&)" + name + "=([^&]*)");
  std::smatch m;
  return std::regex_search(query, m, re) ? m[1].str() : std::string();
}

bool SafeEquals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

json SiteJson(const SiteRow& s) {
  json j = {{"id", s.id},     {"name", s.name},       {"level", s.level},
            {"kind", s.kind}, {"network", s.network}, {"bandwidthKbps", s.bandwidth_kbps}};
  // A link this MCU dials; its credential is never shown, only whether it is set.
  if (s.link.dials())
    j["link"] = {{"url", s.link.url},
                 {"conference", s.link.conference},
                 {"fingerprint", s.link.fingerprint},
                 {"maxKbps", s.link.max_kbps},
                 {"credentialSet", !s.link.credential.empty()}};
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
            {"state", c.permanent() ? "open" : c.state},
            {"locked", c.locked},
            {"spotlight", c.spotlight}};
  j["start"] = c.permanent() ? json(nullptr) : json(FormatTime(c.start_at));
  j["end"] = c.permanent() ? json(nullptr) : json(FormatTime(c.end_at));
  return j;
}

json LiveSiteJson(const LiveSite& s) {
  return {{"site", s.site_id},
          {"name", s.name},
          {"state", s.state},
          {"invited", s.invited},
          {"mutedAudio", s.muted_audio},
          {"mutedVideo", s.muted_video},
          {"kicked", s.kicked},
          {"speaking", s.speaking},
          {"content", s.content},
          {"elsewhere", s.elsewhere},
          {"participant", s.participant_id},
          {"link", s.link ? json{{"state", s.link->state},
                                 {"detail", s.link->detail},
                                 {"remoteTitle", s.link->remote_title},
                                 {"remoteSpeaker", s.link->remote_speaker},
                                 {"mutedAudio", s.link->muted_audio},
                                 {"mutedVideo", s.link->muted_video},
                                 {"attempts", s.link->attempts}}
                          : json(nullptr)}};
}

json LiveJson(const LiveConference& c) {
  json j = ConferenceJson(c.row);
  json sites = json::array();
  for (const auto& s : c.sites) sites.push_back(LiveSiteJson(s));
  j["sites"] = std::move(sites);
  j["speaker"] = c.speaker;
  return j;
}

// Reads the optional string field `key` of `body` into `out`; false (and `error`) if mistyped.
bool ReadString(const json& body, const char* key, std::string& out, std::string& error,
                size_t max = 200) {
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
    return MakeError(error);
  if (body.contains("start")) {
    if (body["start"].is_null())
      base.start_at = 0;
    else if (auto t = ParseTime(start))
      base.start_at = *t;
    else
      return MakeError("start: " + t.error());
  }
  if (body.contains("end")) {
    if (body["end"].is_null())
      base.end_at = 0;
    else if (auto t = ParseTime(end))
      base.end_at = *t;
    else
      return MakeError("end: " + t.error());
  }
  if (auto it = body.find("leadTimeMinutes"); it != body.end()) {
    if (!it->is_number_integer()) return MakeError("field \"leadTimeMinutes\" must be an integer");
    base.lead_time_s = static_cast<int>(std::clamp<int64_t>(it->get<int64_t>(), -1, 100000) * 60);
  }
  if (auto it = body.find("invited"); it != body.end()) {
    if (!it->is_array() || it->size() > 256)
      return MakeError("field \"invited\" must be an array of site ids");
    base.invited.clear();
    for (const auto& s : *it) {
      if (!s.is_string()) return MakeError("field \"invited\" must be an array of site ids");
      if (std::find(base.invited.begin(), base.invited.end(), s.get<std::string>()) ==
          base.invited.end())
        base.invited.push_back(s.get<std::string>());
    }
  }
  if (!base.host_site.empty() &&
      std::find(base.invited.begin(), base.invited.end(), base.host_site) == base.invited.end())
    return MakeError("the host site must be invited");
  return base;
}

}  // namespace

void RestApi::Handle(RestRequest request, std::function<void(RestResponse)> done) {
  bool posted = queue_.Post(
      [this, request = std::move(request), done]() mutable { done(HandleNow(request)); });
  if (!posted) done(Fail(503, "the MCU is shutting down"));
}

void RestApi::AuthorizeFeed(std::string cookie,
                            std::function<void(std::optional<Principal>)> done) {
  bool posted = queue_.Post([this, cookie = std::move(cookie), done] {
    done(control_->FromSession(CookieValue(cookie, kCookie)));
  });
  if (!posted) done(std::nullopt);
}

RestResponse RestApi::HandleNow(const RestRequest& req) {
  std::string path = req.target, query;
  if (auto q = path.find('?'); q != std::string::npos) {
    query = path.substr(q + 1);
    path.resize(q);
  }
  json body = json::object();
  if (!req.body.empty()) body = json::parse(req.body, nullptr, false);
  const bool body_ok = !body.is_discarded() && body.is_object();

  // ----- Probes: no login, nothing told
  // -----------------------------------------------------------
  if (path == "/healthz" && req.method == "GET") return Reply(200, {{"status", "ok"}});
  if (path == "/readyz" && req.method == "GET") {
    if (!control_->Ready()) return Reply(503, {{"status", "not ready"}});
    return Reply(200, {{"status", "ready"}});
  }

  // ----- Session: login needs no principal ------------------------------------------------------
  if (path == "/api/v1/session" && req.method == "POST") {
    if (!body_ok) return Fail(400, "the body must be a JSON object");
    std::string login, password, error;
    if (!ReadString(body, "login", login, error, 64) ||
        !ReadString(body, "password", password, error, 256))
      return Fail(400, error);
    if (!body.contains("login") || !body.contains("password"))
      return Fail(400, "login and password are required");
    auto r = control_->Login(login, password);
    if (!r) {
      std::string shown = login.substr(0, 64);
      for (char& ch : shown)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';  // No forged log lines.
      spdlog::warn("console login '{}' from {} refused: {}", shown, req.remote, r.error());
      return Fail(HttpStatus(r.error_kind()), r.error());
    }
    spdlog::info("console login '{}' ({}) from {}", r->who.login, ToString(r->who.role),
                 req.remote);
    (void)control_->Audit(r->who.login, "login", "", json{{"from", req.remote}}.dump());
    RestResponse res = Reply(
        200, {{"user",
               {{"login", r->who.login}, {"name", r->who.name}, {"role", ToString(r->who.role)}}},
              {"csrfToken", r->who.csrf}});
    res.headers.emplace_back(
        "Set-Cookie",
        std::string(kCookie) + "=" + r->session +
            "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=" + std::to_string(kSessionTtlS));
    return res;
  }

  // ----- Everything else: who is asking ---------------------------------------------------------
  std::optional<Principal> who;
  std::string session = CookieValue(req.cookie, kCookie);
  if (req.authorization.rfind("Bearer ", 0) == 0)
    who = control_->FromApiToken(req.authorization.substr(7));
  else if (!session.empty())
    who = control_->FromSession(session);
  if (!who) return Fail(401, "log in first (session cookie or API token)");
  if (req.method != "GET" && !who->api_token && !SafeEquals(req.csrf, who->csrf)) {
    spdlog::warn("{} {} by '{}' from {}: missing or wrong CSRF token", req.method, path, who->login,
                 req.remote);
    return Fail(403, "missing or wrong X-CSRF-Token");
  }
  // Only now: a caller that is not logged in learns nothing but 401, whatever it sends.
  if (!body_ok) return Fail(400, "the body must be a JSON object");
  const std::string& actor = who->login;

  if (path == "/metrics" && req.method == "GET") {
    return {200, control_->MetricsText(), {}, "text/plain; version=0.0.4; charset=utf-8"};
  }

  if (path == "/api/v1/session") {
    if (req.method == "GET")
      return Reply(
          200,
          {{"user", {{"login", who->login}, {"name", who->name}, {"role", ToString(who->role)}}},
           {"csrfToken", who->csrf}});
    if (req.method == "DELETE") {
      if (who->api_token) return Fail(409, "an API token has no session to end");
      control_->Logout(session);
      (void)control_->Audit(actor, "logout", "", "{}");
      RestResponse res = Done();
      res.headers.emplace_back(
          "Set-Cookie",
          std::string(kCookie) + "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
      return res;
    }
  }

  static const std::string id = "([a-z0-9][a-z0-9_-]{0,63})";
  auto need = [&](Role role) { return static_cast<int>(who->role) >= static_cast<int>(role); };
  auto forbidden = [&] {
    spdlog::warn("{} {} by '{}' ({}): not allowed", req.method, path, who->login,
                 ToString(who->role));
    return Fail(403, std::string("a ") + ToString(who->role) + " may not do this");
  };
  std::smatch m;
  auto match = [&](const char* method, const std::string& pattern) {
    static thread_local std::map<std::string, std::regex> cache;
    auto it = cache.find(pattern);
    if (it == cache.end())
      it = cache.emplace(pattern, std::regex("^/api/v1" + pattern + "$")).first;
    return req.method == method && std::regex_match(path, m, it->second);
  };
  std::string error;

  // ----- API tokens (each user their own) ------------------------------------------------------
  if (match("GET", "/tokens")) {
    json list = json::array();
    for (const auto& t : control_->ApiTokens(who->user_id))
      list.push_back({{"id", t.id}, {"name", t.name}, {"created", FormatTime(t.created_at)}});
    return Reply(200, list);
  }
  if (match("POST", "/tokens")) {
    std::string name;
    if (!ReadString(body, "name", name, error, 100) || name.empty())
      return Fail(400, error.empty() ? "a token needs a name" : error);
    auto t = control_->CreateApiToken(*who, name);
    if (!t) return Fail(500, t.error());
    (void)control_->Audit(actor, "create-token", name, "{}");
    return Reply(201, {{"id", t->first.id},
                       {"name", name},
                       {"created", FormatTime(t->first.created_at)},
                       {"token", t->second}});
  }
  if (match("DELETE", "/tokens/([0-9]{1,18})")) {
    auto st = control_->DeleteApiToken(std::stoll(m[1]), who->user_id);
    if (!st) return Fail(404, st.error());
    (void)control_->Audit(actor, "delete-token", m[1], "{}");
    return Done();
  }

  // ----- Sites -----------------------------------------------------------------------------------
  auto read_site = [&](SiteRow& s) -> std::string {
    if (!ReadString(body, "name", s.name, error) ||
        !ReadString(body, "level", s.level, error, 16) ||
        !ReadString(body, "kind", s.kind, error, 16) ||
        !ReadString(body, "network", s.network, error, 200))
      return error;
    if (auto it = body.find("bandwidthKbps"); it != body.end()) {
      if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 100000)
        return "bandwidthKbps must be an integer from 0 to 100000";
      s.bandwidth_kbps = it->get<int>();
    }
    if (s.name.empty()) return "a site needs a name";
    if (s.level != "central" && s.level != "province" && s.level != "district" &&
        s.level != "other")
      return "level must be central, province, district or other";
    if (s.kind != "room" && s.kind != "cascade") return "kind must be room or cascade";
    // `link`: where this MCU dials (a cascade site only); null removes it. The credential may be
    // left out of an update to keep the one stored.
    if (auto it = body.find("link"); it != body.end()) {
      if (it->is_null()) {
        s.link = {};
      } else {
        if (!it->is_object()) return "link must be an object or null";
        LinkTarget t = s.link;
        const json& l = *it;
        if (!ReadString(l, "url", t.url, error, 300) ||
            !ReadString(l, "conference", t.conference, error, 64) ||
            !ReadString(l, "credential", t.credential, error, 256) ||
            !ReadString(l, "fingerprint", t.fingerprint, error, 200))
          return "link." + error;
        if (auto k = l.find("maxKbps"); k != l.end()) {
          if (!k->is_number_integer()) return "link.maxKbps must be an integer";
          t.max_kbps = k->get<int>();
        }
        auto pin = ValidateLinkTarget(t);
        if (!pin) return pin.error();
        t.fingerprint = *pin;
        s.link = t;
      }
    }
    if (s.link.dials() && s.kind != "cascade") return "only a site of kind cascade dials a link";
    return {};
  };
  if (match("GET", "/sites")) {
    json list = json::array();
    auto presence = control_->Presence();
    for (const auto& s : control_->Sites()) list.push_back(WithPresence(SiteJson(s), presence));
    return Reply(200, list);
  }
  if (match("GET", "/sites/" + id)) {
    auto s = control_->Site(m[1]);
    return s ? Reply(200, WithPresence(SiteJson(*s), control_->Presence()))
             : Fail(404, "no site '" + m[1].str() + "'");
  }
  if (match("POST", "/sites")) {
    if (!need(Role::kAdmin)) return forbidden();
    SiteRow s;
    if (!ReadString(body, "id", s.id, error, 64)) return Fail(400, error);
    if (!ValidId(s.id)) return Fail(400, "id must be 1-64 of a-z, 0-9, '-', '_'");
    if (auto e = read_site(s); !e.empty()) return Fail(400, e);
    std::string token = NewToken();
    s.token_hash = HashToken(token);
    auto st = control_->CreateSite(actor, s);
    if (!st) return FromStatus(st);
    return Reply(201, {{"site", SiteJson(s)}, {"token", token}});
  }
  if (match("PUT", "/sites/" + id)) {
    if (!need(Role::kAdmin)) return forbidden();
    auto s = control_->Site(m[1]);
    if (!s) return Fail(404, "no site '" + m[1].str() + "'");
    if (auto e = read_site(*s); !e.empty()) return Fail(400, e);
    auto st = control_->UpdateSite(actor, *s);
    return st ? Reply(200, SiteJson(*s)) : FromStatus(st);
  }
  if (match("POST", "/sites/" + id + "/token")) {
    if (!need(Role::kAdmin)) return forbidden();
    auto s = control_->Site(m[1]);
    if (!s) return Fail(404, "no site '" + m[1].str() + "'");
    std::string token = NewToken();
    s->token_hash = HashToken(token);
    auto st = control_->UpdateSite(actor, *s);
    return st ? Reply(200, {{"site", SiteJson(*s)}, {"token", token}}) : FromStatus(st);
  }
  if (match("DELETE", "/sites/" + id)) {
    if (!need(Role::kAdmin)) return forbidden();
    return FromStatus(control_->DeleteSite(actor, m[1]));
  }

  // ----- Users -----------------------------------------------------------------------------------
  auto read_user = [&](UserRow& u, bool creating) -> std::string {
    std::string password;
    if (!ReadString(body, "name", u.display_name, error) ||
        !ReadString(body, "role", u.role, error, 16) ||
        !ReadString(body, "password", password, error, 256))
      return error;
    if (!ParseRole(u.role)) return "role must be admin, host or technician";
    if (creating || !password.empty()) {
      if (password.size() < 8) return "a password has at least 8 characters";
      u.password_hash = HashPassword(password);
    }
    return {};
  };
  if (match("GET", "/users")) {
    if (!need(Role::kAdmin)) return forbidden();
    json list = json::array();
    for (const auto& u : control_->Users()) list.push_back(UserJson(u));
    return Reply(200, list);
  }
  if (match("POST", "/users")) {
    if (!need(Role::kAdmin)) return forbidden();
    UserRow u;
    if (!ReadString(body, "login", u.login, error, 64)) return Fail(400, error);
    if (!ValidId(u.login)) return Fail(400, "login must be 1-64 of a-z, 0-9, '-', '_'");
    if (auto e = read_user(u, true); !e.empty()) return Fail(400, e);
    auto uid = control_->InsertUser(u);
    if (!uid) return Fail(409, uid.error());
    (void)control_->Audit(actor, "create-user", u.login, json{{"role", u.role}}.dump());
    return Reply(201, UserJson(u));
  }
  if (match("PUT", "/users/" + id)) {
    if (!need(Role::kAdmin)) return forbidden();
    auto u = control_->UserByLogin(m[1]);
    if (!u) return Fail(404, "no user '" + m[1].str() + "'");
    if (auto e = read_user(*u, false); !e.empty()) return Fail(400, e);
    if (u->id == who->user_id && u->role != "admin")
      return Fail(409, "an admin cannot take away their own admin role");
    if (auto st = control_->UpdateUser(*u); !st) return Fail(500, st.error());
    // A new password ends the user's console sessions (API tokens are revoked separately).
    if (auto pw = body.find("password");
        pw != body.end() && pw->is_string() && !pw->get<std::string>().empty())
      (void)control_->DeleteSessionsOf(u->id);
    (void)control_->Audit(actor, "update-user", u->login, json{{"role", u->role}}.dump());
    return Reply(200, UserJson(*u));
  }
  if (match("DELETE", "/users/" + id)) {
    if (!need(Role::kAdmin)) return forbidden();
    auto u = control_->UserByLogin(m[1]);
    if (!u) return Fail(404, "no user '" + m[1].str() + "'");
    if (u->id == who->user_id) return Fail(409, "an admin cannot delete themselves");
    if (auto st = control_->DeleteUser(u->id); !st) return Fail(500, st.error());
    (void)control_->Audit(actor, "delete-user", u->login, "{}");
    return Done();
  }

  // ----- Conferences -----------------------------------------------------------------------------
  if (match("GET", "/conferences")) {
    json list = json::array();
    for (const auto& c : control_->LiveConferences()) list.push_back(LiveJson(c));
    return Reply(200, list);
  }
  if (match("GET", "/conferences/" + id) || match("GET", "/conferences/" + id + "/roll-call")) {
    auto c = control_->LiveConferenceOf(m[1]);
    if (!c) return Fail(HttpStatus(c.error_kind()), c.error());
    if (path.ends_with("/roll-call")) {
      json list = json::array();
      for (const auto& s : c->sites) list.push_back(LiveSiteJson(s));
      return Reply(200,
                   {{"conference", c->row.id}, {"state", LiveJson(*c)["state"]}, {"sites", list}});
    }
    return Reply(200, LiveJson(*c));
  }
  if (match("POST", "/conferences")) {
    if (!need(Role::kHost)) return forbidden();
    auto c = ParseConference(body, ConferenceRow{});
    if (!c) return Fail(400, c.error());
    if (auto st = control_->CreateConference(actor, *c); !st) return FromStatus(st);
    auto live = control_->LiveConferenceOf(c->id);
    return live ? Reply(201, LiveJson(*live)) : Fail(500, "created but not found");
  }
  if (match("PUT", "/conferences/" + id)) {
    if (!need(Role::kHost)) return forbidden();
    auto stored = control_->Conference(m[1]);
    if (!stored) return Fail(404, "no conference '" + m[1].str() + "'");
    json b = body;
    b.erase("id");
    auto c = ParseConference(b, *stored);
    if (!c) return Fail(400, c.error());
    if (auto st = control_->UpdateConference(actor, *c); !st) return FromStatus(st);
    auto live = control_->LiveConferenceOf(c->id);
    return live ? Reply(200, LiveJson(*live)) : Fail(404, live.error());
  }
  if (match("DELETE", "/conferences/" + id)) {
    if (!need(Role::kHost)) return forbidden();
    return FromStatus(control_->DeleteConference(actor, m[1]));
  }
  if (match("POST", "/conferences/" + id + "/(start|stop)")) {
    if (!need(Role::kHost)) return forbidden();
    return FromStatus(m[2] == "start" ? control_->StartConference(actor, m[1])
                                      : control_->StopConference(actor, m[1]));
  }
  if (match("POST", "/conferences/" + id + "/sites/" + id + "/(mute|kick|call)")) {
    if (!need(Role::kHost)) return forbidden();
    if (m[3] == "kick") return FromStatus(control_->Kick(actor, m[1], m[2]));
    if (m[3] == "call") return FromStatus(control_->Call(actor, m[1], m[2]));
    std::optional<bool> audio, video;
    for (auto [key, out] : {std::pair{"audio", &audio}, std::pair{"video", &video}}) {
      if (!body.contains(key)) continue;
      if (!body[key].is_boolean())
        return Fail(400, std::string("field \"") + key + "\" must be true or false");
      *out = body[key].get<bool>();
    }
    return FromStatus(control_->Mute(actor, m[1], m[2], audio, video));
  }
  if (match("POST", "/conferences/" + id + "/mute-all")) {
    if (!need(Role::kHost)) return forbidden();
    bool muted = true;
    if (body.contains("muted")) {
      if (!body["muted"].is_boolean()) return Fail(400, "field \"muted\" must be true or false");
      muted = body["muted"].get<bool>();
    }
    return FromStatus(control_->MuteAllButHost(actor, m[1], muted));
  }
  if (match("PUT", "/conferences/" + id + "/(spotlight|layout|lock)")) {
    if (!need(Role::kHost)) return forbidden();
    if (m[2] == "lock") {
      if (!body.contains("locked") || !body["locked"].is_boolean())
        return Fail(400, "field \"locked\" must be true or false");
      return FromStatus(control_->Lock(actor, m[1], body["locked"].get<bool>()));
    }
    std::string value;
    const char* key = m[2] == "layout" ? "layout" : "site";
    if (!ReadString(body, key, value, error, 64)) return Fail(400, error);
    if (m[2] == "layout") return FromStatus(control_->SetLayout(actor, m[1], value));
    return FromStatus(control_->Spotlight(actor, m[1], value));
  }

  // ----- Logs ------------------------------------------------------------------------------------
  // A whole-number query value in [lo, hi]: `fallback` if absent or not a number, hi if huge.
  auto query_int = [&](const char* name, int fallback, int lo, int hi) {
    std::string v = QueryValue(query, name);
    int n = v.empty() || v.find_first_not_of("0123456789") != std::string::npos ? fallback
            : v.size() > 4                                                      ? hi
                                                                                : std::stoi(v);
    return std::clamp(n, lo, hi);
  };
  auto limit = [&] { return query_int("limit", 100, 1, 1000); };
  if (match("GET", "/settings")) {
    if (!need(Role::kAdmin)) return forbidden();
    return Reply(200, SettingsJson(control_->config()));
  }
  if (match("GET", "/audit")) {
    std::string before = QueryValue(query, "before");
    int64_t before_id = before.empty() || before.size() > 18 ||
                                before.find_first_not_of("0123456789") != std::string::npos
                            ? 0
                            : std::stoll(before);
    json list = json::array();
    for (const auto& a : control_->AuditLog(limit(), before_id))
      list.push_back({{"id", a.id},
                      {"at", FormatTime(a.at_ms / 1000)},
                      {"atMs", a.at_ms},
                      {"actor", a.actor},
                      {"action", a.action},
                      {"target", a.target},
                      {"detail", json::parse(a.detail, nullptr, false)}});
    return Reply(200, list);
  }
  if (match("GET", "/call-records")) {
    std::string conference = QueryValue(query, "conference");
    if (!conference.empty() && !ValidId(conference)) return Fail(400, "bad conference id");
    std::string format = QueryValue(query, "format");
    if (!format.empty() && format != "json" && format != "csv")
      return Fail(400, "format must be json or csv");
    auto records = control_->CallRecords(conference, limit());
    if (format == "csv") {
      RestResponse res{200, CallRecordsCsv(records), {}, "text/csv; charset=utf-8"};
      res.headers.emplace_back("Content-Disposition", "attachment; filename=\"call-records.csv\"");
      return res;
    }
    json list = json::array();
    for (const auto& r : records) list.push_back(CallRecordJson(r));
    return Reply(200, list);
  }

  // ----- Health: live statistics, history, alarms ----------------------------------------------
  if (match("GET", "/conferences/" + id + "/stats")) {
    auto stats = control_->ConferenceStats(m[1]);
    if (!stats) return FromStatus(stats);
    return ReplyText(200, std::move(*stats));
  }
  if (match("GET", "/conferences/" + id + "/sites/" + id + "/history")) {
    auto history = control_->SiteHistory(m[1], m[2], query_int("seconds", 600, 1, 86400));
    if (!history) return FromStatus(history);
    return ReplyText(200, std::move(*history));
  }
  if (match("GET", "/alarms")) {
    std::string conference = QueryValue(query, "conference");
    if (!conference.empty() && !ValidId(conference)) return Fail(400, "bad conference id");
    std::string active = QueryValue(query, "active");
    if (!active.empty() && active != "true" && active != "false")
      return Fail(400, "active must be true or false");
    json list = json::array();
    for (const auto& a : control_->Alarms(conference, active == "true", limit()))
      list.push_back(
          {{"id", a.id},
           {"conference", a.conference_id},
           {"site", a.site_id},
           {"kind", a.kind},
           {"severity", a.severity},
           {"detail", a.detail},
           {"raised", FormatTime(a.raised_at_ms / 1000)},
           {"raisedMs", a.raised_at_ms},
           {"cleared", a.cleared_at_ms ? json(FormatTime(a.cleared_at_ms / 1000)) : json(nullptr)},
           {"clearedMs", a.cleared_at_ms}});
    return Reply(200, list);
  }
  return Fail(404, "no such API: " + req.method + " " + path.substr(0, 100));
}

}  // namespace mcu::signaling
