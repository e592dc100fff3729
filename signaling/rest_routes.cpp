#include "signaling/rest_routes.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "mcu/schedule.h"
#include "mcu/secrets.h"
#include "mcu/sip_site.h"
#include "signaling/rest_views.h"

namespace mcu::signaling::rest {

namespace {

// A site's fields from the body into `s`; the error, or empty.
std::string ReadSite(const json& body, SiteRow& s) {
  std::string error;
  if (!ReadString(body, "name", s.name, error) || !ReadString(body, "level", s.level, error, 16) ||
      !ReadString(body, "kind", s.kind, error, 16) ||
      !ReadString(body, "network", s.network, error, 200) ||
      !ReadString(body, "sipUri", s.sip_uri, error, 300))
    return error;
  if (auto it = body.find("sipDial"); it != body.end()) {
    if (!it->is_boolean()) return "sipDial must be true or false";
    s.sip_dial = it->get<bool>();
  }
  if (auto it = body.find("sipPlainSignalling"); it != body.end()) {
    if (!it->is_boolean()) return "sipPlainSignalling must be true or false";
    s.sip_plain = it->get<bool>();
  }
  if (auto it = body.find("bandwidthKbps"); it != body.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 100000)
      return "bandwidthKbps must be an integer from 0 to 100000";
    s.bandwidth_kbps = it->get<int>();
  }
  if (s.name.empty()) return "a site needs a name";
  if (s.level != "central" && s.level != "province" && s.level != "district" && s.level != "other")
    return "level must be central, province, district or other";
  if (s.kind != "room" && s.kind != "cascade" && s.kind != "sip")
    return "kind must be room, cascade or sip";
  // A SIP room system is known by its address (mcu/sip_site.h).
  if (s.kind == "sip") {
    auto uri = ParseSipUri(s.sip_uri);
    if (!uri || uri->user.empty())
      return "sipUri must be sip:user@host (" + (uri ? "no user part" : uri.error()) + ")";
  } else if (!s.sip_uri.empty()) {
    return "only a site of kind sip has a sipUri";
  }
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
          !ReadString(l, "fingerprint", t.fingerprint, error, 200) ||
          !ReadString(l, "role", t.role, error, 16))
        return "link." + error;
      if (auto k = l.find("maxKbps"); k != l.end()) {
        if (!k->is_number_integer()) return "link.maxKbps must be an integer";
        t.max_kbps = k->get<int>();
      }
      if (t.dials()) {
        auto pin = ValidateLinkTarget(t);
        if (!pin) return pin.error();
        t.fingerprint = *pin;
      } else {  // A link this MCU only accepts: its role is all there is to say.
        if (auto st = ValidateLinkRole(t.role); !st) return st.error();
        t = LinkTarget{.role = t.role};
      }
      s.link = t;
    }
  }
  if ((s.link.dials() || !s.link.role.empty()) && s.kind != "cascade")
    return "only a site of kind cascade has a link";
  return {};
}

// A user's fields from the body into `u` (a password is required when `creating`); the error, or
// empty.
std::string ReadUser(const json& body, UserRow& u, bool creating) {
  std::string error;
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
}

// ----- Session -------------------------------------------------------------------------------

RestResponse Login(RouteContext& c) {
  std::string login, password, error;
  if (!ReadString(c.body, "login", login, error, 64) ||
      !ReadString(c.body, "password", password, error, 256))
    return Fail(400, error);
  if (!c.body.contains("login") || !c.body.contains("password"))
    return Fail(400, "login and password are required");
  auto r = c.control.Login(login, password, ClientAddress(c.req.remote));
  if (!r) {
    std::string shown = login.substr(0, 64);
    for (char& ch : shown)
      if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';  // No forged log lines.
    spdlog::warn("console login '{}' from {} refused: {}", shown, c.req.remote, r.error());
    return Fail(HttpStatus(r.error_kind()), r.error());
  }
  spdlog::info("console login '{}' ({}) from {}", r->who.login, ToString(r->who.role),
               c.req.remote);
  c.control.Audit(r->who.login, "login", "", json{{"from", c.req.remote}}.dump());
  RestResponse res = Reply(
      200,
      {{"user", {{"login", r->who.login}, {"name", r->who.name}, {"role", ToString(r->who.role)}}},
       {"csrfToken", r->who.csrf}});
  res.headers.emplace_back(
      "Set-Cookie",
      std::string(kCookie) + "=" + r->session +
          "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=" + std::to_string(kSessionTtlS));
  return res;
}

RestResponse GetSession(RouteContext& c) {
  return Reply(
      200,
      {{"user", {{"login", c.who->login}, {"name", c.who->name}, {"role", ToString(c.who->role)}}},
       {"csrfToken", c.who->csrf}});
}

RestResponse Logout(RouteContext& c) {
  if (c.who->api_token) return Fail(409, "an API token has no session to end");
  c.control.Logout(c.session);
  c.control.Audit(c.actor(), "logout", "", "{}");
  RestResponse res = Done();
  res.headers.emplace_back(
      "Set-Cookie",
      std::string(kCookie) + "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
  return res;
}

// ----- API tokens (each user their own; an admin anyone's) -------------------------------------

// Login by user id, for listing tokens of several users.
std::map<int64_t, std::string> Logins(ConferenceControl& control) {
  std::map<int64_t, std::string> out;
  for (const auto& u : control.Users()) out[u.id] = u.login;
  return out;
}

json TokenJson(const ApiTokenRow& t, const std::string& user) {
  return {{"id", t.id},
          {"name", t.name},
          {"user", user},
          {"created", FormatTime(t.created_at)},
          {"expires", FormatTime(t.expires_at)}};
}

// GET /tokens: the caller's own. An admin may ask for one user's (?user=<login>) or everyone's
// (?all=true).
RestResponse ListTokens(RouteContext& c) {
  const std::string user = QueryValue(c.query, "user");
  const bool all = QueryValue(c.query, "all") == "true";
  if ((all || (!user.empty() && user != c.who->login)) && c.who->role != Role::kAdmin)
    return Fail(403,
                std::string("a ") + ToString(c.who->role) + " may list only their own API tokens");
  std::optional<int64_t> of = c.who->user_id;
  if (all) {
    of.reset();
  } else if (!user.empty()) {
    auto u = c.control.UserByLogin(user);
    if (!u) return Fail(404, "no user '" + user.substr(0, 64) + "'");
    of = u->id;
  }
  const auto logins = Logins(c.control);
  json list = json::array();
  for (const auto& t : c.control.ApiTokens(of)) {
    auto login = logins.find(t.user_id);
    list.push_back(TokenJson(t, login != logins.end() ? login->second : ""));
  }
  return Reply(200, list);
}

RestResponse CreateToken(RouteContext& c) {
  std::string name, error;
  if (!ReadString(c.body, "name", name, error, 100) || name.empty())
    return Fail(400, error.empty() ? "a token needs a name" : error);
  std::optional<int> days;
  if (auto d = c.body.find("days"); d != c.body.end()) {
    if (!d->is_number_integer() || d->get<int64_t>() < 1 ||
        d->get<int64_t>() > c.control.auth_policy().token_max_days)
      return Fail(400, "days must be a whole number from 1 to " +
                           std::to_string(c.control.auth_policy().token_max_days));
    days = d->get<int>();
  }
  auto t = c.control.CreateApiToken(*c.who, name, days);
  if (!t) return Fail(HttpStatus(t.error_kind()), t.error());
  c.control.Audit(c.actor(), "create-token", name,
                  json{{"id", t->first.id}, {"expires", FormatTime(t->first.expires_at)}}.dump());
  json body = TokenJson(t->first, c.who->login);
  body["token"] = t->second;
  return Reply(201, body);
}

// DELETE /tokens/{id}: the caller's own; an admin's, anyone's. Another user's token is, to
// anyone else, not there.
RestResponse DeleteToken(RouteContext& c) {
  auto t = c.control.ApiToken(std::stoll(c.params[0]));
  if (!t || (t->user_id != c.who->user_id && c.who->role != Role::kAdmin))
    return Fail(404, "no token " + c.params[0]);
  if (auto st = c.control.DeleteApiToken(t->id, t->user_id); !st) return FromStatus(st);
  const auto logins = Logins(c.control);
  auto owner = logins.find(t->user_id);
  c.control.Audit(
      c.actor(), "delete-token", c.params[0],
      json{{"user", owner != logins.end() ? owner->second : ""}, {"name", t->name}}.dump());
  return Done();
}

// ----- Sites ---------------------------------------------------------------------------------

RestResponse ListSites(RouteContext& c) {
  json list = json::array();
  auto presence = c.control.Presence();
  for (const auto& s : c.control.Sites()) list.push_back(WithPresence(SiteJson(s), presence));
  return Reply(200, list);
}

RestResponse GetSite(RouteContext& c) {
  auto s = c.control.Site(c.params[0]);
  return s ? Reply(200, WithPresence(SiteJson(*s), c.control.Presence()))
           : Fail(404, "no site '" + c.params[0] + "'");
}

RestResponse CreateSite(RouteContext& c) {
  SiteRow s;
  std::string error;
  if (!ReadString(c.body, "id", s.id, error, 64)) return Fail(400, error);
  if (!ValidId(s.id)) return Fail(400, "id must be 1-64 of a-z, 0-9, '-', '_'");
  if (auto e = ReadSite(c.body, s); !e.empty()) return Fail(400, e);
  std::string token = NewToken();
  s.token_hash = HashToken(token);
  auto st = c.control.CreateSite(c.actor(), s);
  if (!st) return FromStatus(st);
  return Reply(201, {{"site", SiteJson(s)}, {"token", token}});
}

// The certificate fingerprint of the MCU at a link's URL, read with no pin, for the administrator
// to compare with the one its administrators read out before pinning it (the site form's "fetch
// and confirm"). Nothing but a TLS handshake: no credential goes there. Waits up to 5 s on this
// API thread.
RestResponse ProbeLink(RouteContext& c) {
  std::string url, error;
  if (!ReadString(c.body, "url", url, error, 300)) return Fail(400, error);
  if (auto st = ValidateLinkUrl(url); !st) return Fail(400, st.error());
  if (!c.probe) return Fail(503, "this MCU cannot reach other MCUs' certificates");
  auto fingerprint = c.probe(url);
  if (!fingerprint) {
    spdlog::info("link probe of {} by {}: {}", url, c.actor(), fingerprint.error());
    return Fail(502, "no certificate from " + url + ": " + fingerprint.error());
  }
  spdlog::info("link probe of {} by {}: certificate {}", url, c.actor(), *fingerprint);
  return Reply(200, {{"url", url}, {"fingerprint", *fingerprint}});
}

RestResponse UpdateSite(RouteContext& c) {
  auto s = c.control.Site(c.params[0]);
  if (!s) return Fail(404, "no site '" + c.params[0] + "'");
  if (auto e = ReadSite(c.body, *s); !e.empty()) return Fail(400, e);
  auto st = c.control.UpdateSite(c.actor(), *s);
  return st ? Reply(200, SiteJson(*s)) : FromStatus(st);
}

RestResponse RenewSiteToken(RouteContext& c) {
  auto s = c.control.Site(c.params[0]);
  if (!s) return Fail(404, "no site '" + c.params[0] + "'");
  std::string token = NewToken();
  s->token_hash = HashToken(token);
  auto st = c.control.UpdateSite(c.actor(), *s);
  return st ? Reply(200, {{"site", SiteJson(*s)}, {"token", token}}) : FromStatus(st);
}

RestResponse DeleteSite(RouteContext& c) {
  return FromStatus(c.control.DeleteSite(c.actor(), c.params[0]));
}

// ----- Users ---------------------------------------------------------------------------------

RestResponse ListUsers(RouteContext& c) {
  json list = json::array();
  for (const auto& u : c.control.Users()) list.push_back(UserJson(u));
  return Reply(200, list);
}

RestResponse CreateUser(RouteContext& c) {
  UserRow u;
  std::string error;
  if (!ReadString(c.body, "login", u.login, error, 64)) return Fail(400, error);
  if (!ValidId(u.login)) return Fail(400, "login must be 1-64 of a-z, 0-9, '-', '_'");
  if (auto e = ReadUser(c.body, u, true); !e.empty()) return Fail(400, e);
  auto uid = c.control.InsertUser(u);
  if (!uid) return Fail(409, uid.error());
  c.control.Audit(c.actor(), "create-user", u.login, json{{"role", u.role}}.dump());
  return Reply(201, UserJson(u));
}

RestResponse UpdateUser(RouteContext& c) {
  auto u = c.control.UserByLogin(c.params[0]);
  if (!u) return Fail(404, "no user '" + c.params[0] + "'");
  if (auto e = ReadUser(c.body, *u, false); !e.empty()) return Fail(400, e);
  if (u->id == c.who->user_id && u->role != "admin")
    return Fail(409, "an admin cannot take away their own admin role");
  // A new password ends the user's sessions; a new password or role revokes their API tokens.
  auto revoked = c.control.UpdateUser(*u);
  if (!revoked) return FromStatus(revoked);
  c.control.Audit(c.actor(), "update-user", u->login,
                  json{{"role", u->role}, {"tokensRevoked", *revoked}}.dump());
  return Reply(200, UserJson(*u));
}

RestResponse DeleteUser(RouteContext& c) {
  auto u = c.control.UserByLogin(c.params[0]);
  if (!u) return Fail(404, "no user '" + c.params[0] + "'");
  if (u->id == c.who->user_id) return Fail(409, "an admin cannot delete themselves");
  if (auto st = c.control.DeleteUser(u->id); !st) return Fail(500, st.error());
  c.control.Audit(c.actor(), "delete-user", u->login, "{}");
  return Done();
}

}  // namespace

std::string ClientAddress(const std::string& remote) {
  const size_t colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

// Conferences, logs and health: signaling/rest_routes_conferences.cpp.
void AddConferenceRoutes(std::vector<Route>& routes);

const std::vector<Route>& Routes() {
  static const std::vector<Route> routes = [] {
    const Role any = Role::kTechnician, admin = Role::kAdmin;
    std::vector<Route> r = {
        {"POST", "/session", std::nullopt, &Login},
        {"GET", "/session", any, &GetSession},
        {"DELETE", "/session", any, &Logout},
        {"GET", "/tokens", any, &ListTokens},
        {"POST", "/tokens", any, &CreateToken},
        {"DELETE", "/tokens/{tokenId}", any, &DeleteToken},
        {"GET", "/sites", any, &ListSites},
        {"GET", "/sites/{site}", any, &GetSite},
        {"POST", "/sites", admin, &CreateSite},
        {"PUT", "/sites/{site}", admin, &UpdateSite},
        {"POST", "/sites/{site}/token", admin, &RenewSiteToken},
        {"DELETE", "/sites/{site}", admin, &DeleteSite},
        {"POST", "/links/probe", admin, &ProbeLink},
        {"GET", "/users", admin, &ListUsers},
        {"POST", "/users", admin, &CreateUser},
        {"PUT", "/users/{login}", admin, &UpdateUser},
        {"DELETE", "/users/{login}", admin, &DeleteUser},
    };
    AddConferenceRoutes(r);
    return r;
  }();
  return routes;
}

}  // namespace mcu::signaling::rest
