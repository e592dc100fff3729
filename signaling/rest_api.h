// The REST API (JSON over HTTPS, under /api/v1; signaling/openapi.yaml describes it): console
// login and API tokens, sites, users, conferences and their live control, roll-call, the audit
// log, call records (JSON or CSV), live statistics and alarms. Outside /api/v1 it also answers
// GET /metrics (Prometheus text format; any logged-in role or API token), /healthz (the process
// answers) and /readyz (the database answers and the bridge takes connections), which need no
// login and tell nothing else.
//
// Who may do what is decided here, on the server: technicians read; hosts also create and run
// conferences; admins also manage sites and users. A request authenticates with the session
// cookie (`mcu_session`, HttpOnly, Secure, SameSite=Strict) or `Authorization: Bearer <API
// token>`. With the cookie, every request that changes something must carry the session's CSRF
// token in `X-CSRF-Token` (returned at login and by GET /api/v1/session).
//
// Threading: Handle() is called on a signaling I/O thread and returns at once; the request runs
// on the API's own thread (`mcu-api`: password hashing and database work never block the I/O
// thread), and `done` is called there.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mcu/control_api.h"
#include "mcu/task_queue.h"

namespace mcu::signaling {

struct RestRequest {
  std::string method;  // GET, POST, PUT, DELETE
  std::string target;  // Path and query.
  std::string body;
  std::string cookie;         // The Cookie header.
  std::string csrf;           // X-CSRF-Token.
  std::string authorization;  // Authorization.
  std::string remote;
};

struct RestResponse {
  int status = 200;
  std::string body;  // JSON unless content_type says otherwise.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type = "application/json";
};

class RestApi {
 public:
  // `control` outlives the API.
  explicit RestApi(ConferenceControl* control) : control_(control) {}
  void Handle(RestRequest request, const std::function<void(RestResponse)>& done);
  // Who the session cookie header belongs to (for the event feed's upgrade), on the API thread.
  void AuthorizeFeed(std::string cookie, const std::function<void(std::optional<Principal>)>& done);
  // The same, on the calling thread (the API thread, and tests).
  RestResponse HandleNow(const RestRequest& request);

 private:
  ConferenceControl* control_;
  TaskQueue queue_{"mcu-api"};
};

}  // namespace mcu::signaling
