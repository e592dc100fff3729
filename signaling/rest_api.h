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
// A login (POST /session) must be sent as application/json, and from a page of this server if it
// says where it comes from (Origin); every other body too must be application/json (415).
// Login floods: each address may try `[auth] login_attempts_per_minute` logins a minute (then
// 429 with Retry-After, before any password is hashed), and wrong passwords lock out a login
// from one address only (mcu/auth.h).
//
// Threading: Handle() is called on a signaling I/O thread and returns at once; the request runs
// on the API's own thread (`mcu-api`: database work never blocks the I/O thread), and `done` is
// called there. Requests that hash a password (a login, a user created or changed) run instead
// on a pool of kHashThreads threads (`mcu-hash`) with at most kHashQueue waiting (more: 503 with
// Retry-After), so that `mcu-api`, which also serves every GET and authorises feeds and
// previews, never spends its time in Argon2id. Expired sessions and API tokens are purged on
// `mcu-api` at start and every kPurgeEvery.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mcu/control_api.h"
#include "mcu/task_queue.h"
#include "signaling/bounded_pool.h"

namespace mcu::signaling {

struct RestRequest {
  std::string method;  // GET, POST, PUT, DELETE
  std::string target;  // Path and query.
  std::string body;
  std::string cookie;         // The Cookie header.
  std::string csrf;           // X-CSRF-Token.
  std::string authorization;  // Authorization.
  std::string content_type;   // Content-Type.
  std::string origin, host;   // Origin and Host: a login must come from this server's own page.
  std::string remote;         // The client's address and port ("192.0.2.9:50000").
};

struct RestResponse {
  RestResponse(int status = 200, std::string body = {},
               std::vector<std::pair<std::string, std::string>> headers = {},
               std::string content_type = "application/json")
      : status(status),
        body(std::move(body)),
        headers(std::move(headers)),
        content_type(std::move(content_type)) {}

  int status;
  std::string body;  // JSON unless content_type says otherwise.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type;
  // Set: the body is these bytes instead (a recording's file), the part a Range header asks if
  // one does (signaling/byte_range.h); the HTTPS session reads them as it sends.
  std::shared_ptr<ByteSource> file;
};

// The fingerprint ("AB:CD:...") of the certificate the MCU at a wss:// URL presents, or why not.
using CertificateProbe = std::function<Expected<std::string>(const std::string& url)>;

class RestApi {
 public:
  static constexpr int kHashThreads = 2;
  static constexpr size_t kHashQueue = 32;
  static constexpr std::chrono::minutes kPurgeEvery{60};

  // `control` outlives the API. `probe` reads the TLS certificate fingerprint of another MCU
  // (POST /links/probe; signaling/wss_client.h ProbeCertificate in the MCU); without one that
  // route answers 503 (tests and fuzzing reach no network).
  explicit RestApi(ConferenceControl* control, CertificateProbe probe = {});
  ~RestApi();
  RestApi(const RestApi&) = delete;
  RestApi& operator=(const RestApi&) = delete;
  void Handle(RestRequest request, const std::function<void(RestResponse)>& done);
  // Who the session cookie header belongs to (for the event feed's upgrade), on the API thread.
  void AuthorizeFeed(std::string cookie, const std::function<void(std::optional<Principal>)>& done);
  // Who a request's credentials belong to (`Authorization: Bearer`, else the session cookie), on
  // the API thread: the HTTPS session asks before it reads a body over 16 KiB.
  void AuthorizeRequest(std::string cookie, std::string authorization,
                        const std::function<void(std::optional<Principal>)>& done);
  // The same, on the calling thread (the API thread, and tests).
  RestResponse HandleNow(const RestRequest& request);

 private:
  // Hourly: posts the purge to `queue_` until the API is destroyed.
  void PurgeLoop();

  ConferenceControl* control_;
  CertificateProbe probe_;
  TaskQueue queue_{"mcu-api"};
  BoundedPool hash_pool_{"mcu-hash", kHashThreads, kHashQueue};
  std::mutex purge_mu_;
  std::condition_variable purge_cv_;
  bool stopping_ = false;
  std::thread purge_thread_;  // Last: started once the members above exist.
};

}  // namespace mcu::signaling
