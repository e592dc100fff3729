#include "signaling/rest_api.h"

#include <spdlog/spdlog.h>

#include <regex>

#include "signaling/rest_routes.h"
#include "signaling/rest_views.h"

namespace mcu::signaling {

using namespace rest;  // NOLINT(google-build-using-namespace): this adapter's own parts.

namespace {

// A route's path as an anchored regex: each {tokenId} a number, each other {name} an id.
std::regex RoutePattern(const std::string& path) {
  static const std::regex param(R"(\{([A-Za-z]+)\})");
  std::string out = "^/api/v1";
  auto begin = std::sregex_iterator(path.begin(), path.end(), param);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out += path.substr(last, it->position() - last);
    out += (*it)[1] == "tokenId" ? "([0-9]{1,18})" : "([a-z0-9][a-z0-9_-]{0,63})";
    last = it->position() + it->length();
  }
  return std::regex(out + path.substr(last) + "$");
}

// The route for the request and its path parameters, or null.
const Route* FindRoute(const std::string& method, const std::string& path,
                       std::vector<std::string>* params) {
  static const std::vector<std::regex> patterns = [] {
    std::vector<std::regex> out;
    for (const Route& r : Routes()) out.push_back(RoutePattern(r.path));
    return out;
  }();
  std::smatch m;
  for (size_t i = 0; i < Routes().size(); ++i) {
    if (method != Routes()[i].method || !std::regex_match(path, m, patterns[i])) continue;
    for (size_t g = 1; g < m.size(); ++g) params->push_back(m[g].str());
    return &Routes()[i];
  }
  return nullptr;
}

}  // namespace

void RestApi::Handle(RestRequest request, const std::function<void(RestResponse)>& done) {
  bool posted = queue_.Post(
      [this, request = std::move(request), done]() mutable { done(HandleNow(request)); });
  if (!posted) done(Fail(503, "the MCU is shutting down"));
}

void RestApi::AuthorizeFeed(std::string cookie,
                            const std::function<void(std::optional<Principal>)>& done) {
  bool posted = queue_.Post([this, cookie = std::move(cookie), done] {
    done(control_->FromSession(CookieValue(cookie, kCookie)));
  });
  if (!posted) done(std::nullopt);
}

// The one preamble: probes need no login; the login route needs none; everything else first
// learns who asks (401 before anything else is looked at), then checks the CSRF token of a
// session's change, the body, and the route's least role.
RestResponse RestApi::HandleNow(const RestRequest& req) {
  std::string path = req.target, query;
  if (auto q = path.find('?'); q != std::string::npos) {
    query = path.substr(q + 1);
    path.resize(q);
  }
  json body = json::object();
  if (!req.body.empty()) body = json::parse(req.body, nullptr, false);
  const bool body_ok = !body.is_discarded() && body.is_object();

  if (path == "/healthz" && req.method == "GET") return Reply(200, {{"status", "ok"}});
  if (path == "/readyz" && req.method == "GET")
    return control_->Ready() ? Reply(200, {{"status", "ready"}})
                             : Reply(503, {{"status", "not ready"}});

  std::vector<std::string> params;
  const Route* route = FindRoute(req.method, path, &params);
  const std::string session = CookieValue(req.cookie, kCookie);
  if (route && !route->min_role) {  // The login.
    if (!body_ok) return Fail(400, "the body must be a JSON object");
    RouteContext c{req, path, query, body, nullptr, session, std::move(params), *control_};
    return route->handle(c);
  }

  std::optional<Principal> who;
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

  if (path == "/metrics" && req.method == "GET")
    return {200, control_->MetricsText(), {}, "text/plain; version=0.0.4; charset=utf-8"};
  if (!route) return Fail(404, "no such API: " + req.method + " " + path.substr(0, 100));
  if (static_cast<int>(who->role) < static_cast<int>(*route->min_role)) {
    spdlog::warn("{} {} by '{}' ({}): not allowed", req.method, path, who->login,
                 ToString(who->role));
    return Fail(403, std::string("a ") + ToString(who->role) + " may not do this");
  }
  RouteContext c{req, path, query, body, &*who, session, std::move(params), *control_};
  return route->handle(c);
}

}  // namespace mcu::signaling
