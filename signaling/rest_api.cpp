#include "signaling/rest_api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <string_view>

#include "signaling/json_limits.h"
#include "signaling/rest_routes.h"
#include "signaling/rest_views.h"

namespace mcu::signaling {

using namespace rest;  // NOLINT(google-build-using-namespace): this adapter's own parts.

namespace {

// A route's path as an anchored regex: each {...Id} a number, each {...File} a file name (an id,
// a dot, an extension), each other {name} an id.
std::regex RoutePattern(const std::string& path) {
  static const std::regex param(R"(\{([A-Za-z]+)\})");
  std::string out = "^/api/v1";
  auto begin = std::sregex_iterator(path.begin(), path.end(), param);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out += path.substr(last, it->position() - last);
    const std::string name = (*it)[1].str();
    out += name.ends_with("Id")     ? "([0-9]{1,18})"
           : name.ends_with("File") ? R"(([a-z0-9][a-z0-9_-]{0,63}\.[a-z0-9]{1,8}))"
                                    : "([a-z0-9][a-z0-9_-]{0,63})";
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

RestApi::RestApi(ConferenceControl* control, CertificateProbe probe)
    : control_(control), probe_(std::move(probe)), purge_thread_([this] { PurgeLoop(); }) {}

RestApi::~RestApi() {
  {
    std::lock_guard lock(purge_mu_);
    stopping_ = true;
  }
  purge_cv_.notify_all();
  purge_thread_.join();
}

void RestApi::PurgeLoop() {
  std::unique_lock lock(purge_mu_);
  while (!stopping_) {
    (void)queue_.Post([this] { control_->PurgeExpired(); });
    purge_cv_.wait_for(lock, kPurgeEvery, [this] { return stopping_; });
  }
}

namespace {

// The path of a target, without its query.
std::string_view PathOf(const std::string& target) {
  return std::string_view(target).substr(0, target.find('?'));
}

bool IsLogin(const RestRequest& r) {
  return r.method == "POST" && PathOf(r.target) == "/api/v1/session";
}

// A request that may hash a password: a login, a user created or changed.
bool MayHash(const RestRequest& r) {
  const std::string_view path = PathOf(r.target);
  constexpr std::string_view kUser = "/api/v1/users/";
  return IsLogin(r) || (r.method == "POST" && path == "/api/v1/users") ||
         (r.method == "PUT" && path.starts_with(kUser) &&
          path.find('/', kUser.size()) == std::string_view::npos);
}

RestResponse TryLater(int status, int seconds, const std::string& message) {
  RestResponse r = Fail(status, message);
  r.headers.emplace_back("Retry-After", std::to_string(seconds));
  return r;
}

// Whether a Content-Type names JSON ("application/json", any parameters, any case).
bool IsJson(std::string_view type) {
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  constexpr std::string_view kJson = "application/json";
  return type.size() == kJson.size() &&
         std::equal(type.begin(), type.end(), kJson.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

// A request that says where it comes from must come from this server's own pages (as the
// console's WebSockets check): a browser always sends Origin with a POST.
bool SameOrigin(const RestRequest& r) {
  if (r.origin.empty()) return true;  // Not a browser (curl, scripts).
  const std::string own = "https://" + r.host;
  return r.origin.size() == own.size() &&
         std::equal(r.origin.begin(), r.origin.end(), own.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

// Printable, for a log line: a peer's text never forges another line.
std::string Shown(const std::string& text, size_t max = 100) {
  std::string out = text.substr(0, max);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

}  // namespace

void RestApi::Handle(RestRequest request, const std::function<void(RestResponse)>& done) {
  if (!MayHash(request)) {
    bool posted = queue_.Post(
        [this, request = std::move(request), done]() mutable { done(HandleNow(request)); });
    if (!posted) done(Fail(503, "the MCU is shutting down"));
    return;
  }
  // Before any hashing, and before the attempt waits for a hashing thread: an address that
  // floods the login is refused here, at the cost of a map look-up.
  if (IsLogin(request)) {
    const std::string address = ClientAddress(request.remote);
    if (auto admit = control_->AdmitLogin(address); admit.wait_s > 0) {
      if (admit.first_refusal)
        spdlog::warn("console logins from {} refused for now: over {} attempts a minute", address,
                     control_->auth_policy().login_attempts_per_minute);
      const std::string wait = std::to_string(admit.wait_s);
      return done(
          TryLater(429, admit.wait_s,
                   "too many login attempts from this address; try again in " + wait + " s"));
    }
  }
  const std::string what = request.method + " " + std::string(PathOf(request.target));
  const std::string remote = request.remote;
  bool posted = hash_pool_.Post(
      [this, request = std::move(request), done]() mutable { done(HandleNow(request)); });
  if (!posted) {
    spdlog::warn("{} from {} refused: {} requests already wait to check or set a password",
                 Shown(what), remote, kHashQueue);
    done(TryLater(503, 1, "the MCU is busy checking passwords; try again in a moment"));
  }
}

void RestApi::AuthorizeFeed(std::string cookie,
                            const std::function<void(std::optional<Principal>)>& done) {
  bool posted = queue_.Post([this, cookie = std::move(cookie), done] {
    done(control_->FromSession(CookieValue(cookie, kCookie)));
  });
  if (!posted) done(std::nullopt);
}

void RestApi::AuthorizeRequest(std::string cookie, std::string authorization,
                               const std::function<void(std::optional<Principal>)>& done) {
  bool posted = queue_.Post(
      [this, cookie = std::move(cookie), authorization = std::move(authorization), done] {
        if (authorization.rfind("Bearer ", 0) == 0)
          return done(control_->FromApiToken(authorization.substr(7)));
        const std::string session = CookieValue(cookie, kCookie);
        done(session.empty() ? std::nullopt : control_->FromSession(session));
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
  if (!req.body.empty()) body = ParseJsonLimited(req.body);
  const bool body_ok = !body.is_discarded() && body.is_object();

  if (path == "/healthz" && req.method == "GET") return Reply(200, {{"status", "ok"}});
  if (path == "/readyz" && req.method == "GET")
    return control_->Ready() ? Reply(200, {{"status", "ready"}})
                             : Reply(503, {{"status", "not ready"}});

  std::vector<std::string> params;
  const Route* route = FindRoute(req.method, path, &params);
  const std::string session = CookieValue(req.cookie, kCookie);
  if (route && !route->min_role) {  // The login.
    // No login from another site's page (login CSRF): a form or a simple cross-origin request
    // cannot send application/json, and a browser says where a POST comes from.
    if (!IsJson(req.content_type)) {
      spdlog::warn("console login from {} refused: sent as '{}', not application/json", req.remote,
                   Shown(req.content_type));
      return Fail(415, "a login is sent as Content-Type: application/json");
    }
    if (!SameOrigin(req)) {
      spdlog::warn("console login from {} refused: from the page of {}, not https://{}", req.remote,
                   Shown(req.origin), Shown(req.host));
      return Fail(403, "a login from another site's page is refused");
    }
    if (!body_ok) return Fail(400, "the body must be a JSON object");
    RouteContext c{req, path, query, body, nullptr, session, std::move(params), *control_, probe_};
    return route->handle(c);
  }

  std::optional<Principal> who;
  if (req.authorization.rfind("Bearer ", 0) == 0)
    who = control_->FromApiToken(req.authorization.substr(7));
  else if (!session.empty())
    who = control_->FromSession(session);
  if (!who && route && route->viewer_link && req.method == "GET") {
    RouteContext c{req, path, query, body, nullptr, session, std::move(params), *control_, probe_};
    return route->handle(c);
  }
  if (!who) return Fail(401, "log in first (session cookie or API token)");
  if (req.method != "GET" && !who->api_token && !SafeEquals(req.csrf, who->csrf)) {
    spdlog::warn("{} {} by '{}' from {}: missing or wrong CSRF token", req.method, path, who->login,
                 req.remote);
    return Fail(403, "missing or wrong X-CSRF-Token");
  }
  // Only now: a caller that is not logged in learns nothing but 401, whatever it sends.
  if (!req.body.empty() && !IsJson(req.content_type))
    return Fail(415, "a body is sent as Content-Type: application/json");
  if (!body_ok) return Fail(400, "the body must be a JSON object");

  if (path == "/metrics" && req.method == "GET")
    return {200, control_->MetricsText(), {}, "text/plain; version=0.0.4; charset=utf-8"};
  if (!route) return Fail(404, "no such API: " + req.method + " " + path.substr(0, 100));
  if (static_cast<int>(who->role) < static_cast<int>(*route->min_role)) {
    spdlog::warn("{} {} by '{}' ({}): not allowed", req.method, path, who->login,
                 ToString(who->role));
    return Fail(403, std::string("a ") + ToString(who->role) + " may not do this");
  }
  RouteContext c{req, path, query, body, &*who, session, std::move(params), *control_, probe_};
  return route->handle(c);
}

}  // namespace mcu::signaling
