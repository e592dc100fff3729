// Fuzz target: the REST API (signaling/rest_api.h) as a console user, a script with an API token
// or anyone on the network could call it: RestApi::HandleNow over the domain itself (the real
// ControlService, Bridge and Auth, a Store in memory), with fakes only at the media and endpoint
// ports (tests/fakes), as tests/unit/rest_api_test.cpp builds it.
//
// An input is [who-and-method byte][target]\n[body]: the byte's low two bits pick GET, POST, PUT
// or DELETE, the next three who asks (an admin's session most often, a host's, a technician's,
// the admin's API token, the admin's session without its CSRF token, nobody), and the next one
// sends the body as text/plain instead of application/json. A target that does not start with
// '/' is taken under /api/v1/.
//
// Beyond memory safety and undefined behaviour it checks each answer: a status in 200..599, a
// body that parses when it says it is JSON, 401 for whoever did not log in, nothing done for a
// session's change without its CSRF token, nothing done with a body that is not sent as JSON,
// and the roles of rest_api.h (technicians change no site, user or conference; hosts no site or
// user, nor read users or settings).
//
// Speed: nothing here hashes a password (Argon2id would cost ~100 ms an input under ASan): users
// and sessions are written to the store directly, the login route is left out and so is any body
// with a password. The world (store, bridge, sessions, one room in a conference) is built again
// every kResetEvery inputs, which bounds what inputs add to the store; a finding that needs the
// rows earlier inputs made shows as a crash of an input that passes alone, and then reproduces
// with the corpus run in order. MCU_FUZZ_VERBOSE=1 prints each request and its answer.
//
// Each input's text after the first byte is also a Range header (signaling/byte_range.h, which
// the HTTPS session applies to a recording's download) for a file of a size taken from the first
// byte: a partial answer must lie within the file.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "mcu/auth.h"
#include "mcu/bridge.h"
#include "mcu/control_service.h"
#include "mcu/secrets.h"
#include "mcu/store.h"
#include "signaling/byte_range.h"
#include "signaling/json_limits.h"
#include "signaling/rest_api.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_endpoint.h"
#include "tests/fakes/fake_media.h"

namespace {

using mcu::signaling::RestRequest;
using mcu::signaling::RestResponse;

constexpr int kResetEvery = 512;
// Never checked (no login runs): the users only need a row.
constexpr const char* kNoPassword =
    "$argon2id$v=19$m=65536,t=2,p=1$ZnV6emZ1eno$bm90IGEgcmVhbCBoYXNo";
constexpr const char* kApiToken = "fuzz-api-token-of-quantri";

enum class Who { kAdmin, kAdminToken, kHost, kTechnician, kAdminWithoutCsrf, kNobody };

struct Login {
  const char* login;
  const char* role;
  std::string session() const { return std::string("fuzz-session-") + login; }
  std::string csrf() const { return std::string("fuzz-csrf-") + login; }
  std::string cookie() const { return "mcu_session=" + session(); }
};
constexpr Login kAdmin{"quantri", "admin"}, kHost{"chutri", "host"},
    kTechnician{"kythuat", "technician"};

// Everything a request reaches; members in the order of their lifetimes (the API goes first).
struct World {
  mcu::test::FakeClock clock;
  mcu::test::FakeMediaEngine media;
  mcu::test::FakeDialer dialer;
  mcu::Config config;
  std::unique_ptr<mcu::Store> store;
  std::unique_ptr<mcu::Bridge> bridge;
  std::unique_ptr<mcu::Auth> auth;
  std::unique_ptr<mcu::ControlService> control;
  std::unique_ptr<mcu::signaling::RestApi> api;
  std::shared_ptr<mcu::test::FakeConnection> room = std::make_shared<mcu::test::FakeConnection>();

  World() {
    // Recordings the fuzzer starts are made in a directory of their own (the fake media room
    // writes nothing), not in the working directory.
    char dir[] = "/tmp/fuzz-rest-XXXXXX";
    if (!mkdtemp(dir)) abort();
    config.server.data_dir = dir;
    auto opened = mcu::Store::Open(":memory:");
    if (!opened) abort();
    store = std::move(*opened);
    for (auto [id, level, kind] : {std::tuple{"tinh-1", "province", "room"},
                                   {"huyen-1", "district", "room"},
                                   {"huyen-2", "district", "room"},
                                   {"huyen-3", "district", "cascade"}}) {
      mcu::SiteRow s;
      s.id = id, s.name = std::string("Điểm ") + id, s.level = level, s.kind = kind;
      s.token_hash = mcu::HashToken(std::string("token-") + id);
      if (!store->InsertSite(s)) abort();
    }
    mcu::SiteRow sip;
    sip.id = "phong-sip", sip.name = "Phòng SIP", sip.kind = "sip";
    sip.sip_uri = "sip:1001@192.0.2.50";
    if (!store->InsertSite(sip)) abort();

    const int64_t now = clock.NowS();
    mcu::ConferenceRow hop;  // Open now, with huyen-1 in it.
    hop.id = "hop", hop.title = "Giao ban", hop.start_at = now, hop.end_at = now + 3600;
    hop.lead_time_s = 0, hop.host_site = "tinh-1", hop.invited = {"tinh-1", "huyen-1", "huyen-2"};
    mcu::ConferenceRow later = hop;  // Tomorrow.
    later.id = "mai", later.host_site = "", later.start_at += 86400, later.end_at += 86400;
    mcu::ConferenceRow room_conf;  // Permanent.
    room_conf.id = "phong", room_conf.title = "Phòng họp", room_conf.start_at = 0;
    room_conf.end_at = 0;
    for (const auto& c : {hop, later, room_conf})
      if (!store->InsertConference(c)) abort();

    for (const Login& l : {kAdmin, kHost, kTechnician}) {
      mcu::UserRow u;
      u.login = l.login, u.role = l.role, u.display_name = l.login, u.password_hash = kNoPassword;
      if (!store->InsertUser(u)) abort();
    }
    Restore();

    mcu::Bridge::Options options;
    options.run_clock = false, options.clock = &clock, options.dialer = &dialer;
    bridge = std::make_unique<mcu::Bridge>(config, store.get(), &media, options);
    bridge->Tick();  // Opens `hop`.
    bridge->OnEndpointOpen(1, room, "192.0.2.1:40000");
    mcu::EndpointRequest auth_request(mcu::EndpointRequest::Type::kAuth);
    auth_request.token = "token-huyen-1";
    bridge->OnEndpointRequest(1, auth_request);
    mcu::EndpointRequest join(mcu::EndpointRequest::Type::kJoin);
    join.conference = "hop";
    bridge->OnEndpointRequest(1, join);
    bridge->Flush();
    bridge->OnMediaConnected(1, "SRTP_AEAD_AES_128_GCM");  // Its participant is p1.
    for (int s = 0; s < 3; ++s) {  // A few seconds of history and statistics.
      clock.Advance(1000);
      bridge->Tick();
    }
    bridge->Flush();

    auth = std::make_unique<mcu::Auth>(store.get(), mcu::AuthPolicy{}, &clock);
    control = std::make_unique<mcu::ControlService>(bridge.get(), store.get(), auth.get(), &clock);
    api = std::make_unique<mcu::signaling::RestApi>(control.get());
  }
  ~World() {
    api.reset();
    control.reset();
    bridge.reset();
  }

  // Puts back what an input may take away from the next: the three users' roles, their sessions
  // (a logout, a role change) and the admin's API token. A user deleted stays deleted.
  void Restore() {
    const int64_t now = clock.NowS();
    for (const Login& l : {kAdmin, kHost, kTechnician}) {
      auto user = store->UserByLogin(l.login);
      if (!user) continue;
      if (user->role != l.role) {
        user->role = l.role;
        (void)store->UpdateUser(*user);
      }
      const std::string hash = mcu::HashToken(l.session());
      if (store->Session(hash, now)) continue;
      mcu::SessionRow s;
      s.token_hash = hash, s.csrf = l.csrf(), s.user_id = user->id;
      s.created_at = now, s.last_seen_at = now, s.expires_at = now + 365 * 86400;
      (void)store->InsertSession(s);
    }
    auto admin = store->UserByLogin(kAdmin.login);
    if (!admin || store->ApiTokenByHash(mcu::HashToken(kApiToken))) return;
    mcu::ApiTokenRow token;
    token.user_id = admin->id, token.name = "fuzz", token.token_hash = mcu::HashToken(kApiToken);
    token.created_at = now, token.expires_at = now + 365 * 86400;
    (void)store->InsertApiToken(token);
  }
};

// A body the REST layer would read as an object with a password in it: setting one hashes it.
bool HasPassword(std::string_view body) {
  const nlohmann::json j = mcu::signaling::ParseJsonLimited(body);
  if (!j.is_object()) return false;
  for (const auto& [key, value] : j.items())
    if (key.find("password") != std::string::npos) return true;
  return false;
}

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// What the answer must be, whatever the request; aborts otherwise.
void Check(const RestRequest& req, const std::string& path, Who who, const RestResponse& res) {
  if (res.status < 200 || res.status > 599) abort();
  if (StartsWith(res.content_type, "application/json") && !nlohmann::json::accept(res.body))
    abort();
  const bool done = res.status < 300;
  const bool probe = req.method == "GET" && (path == "/healthz" || path == "/readyz");
  if (who == Who::kNobody && !probe && res.status != 401) abort();
  if (who == Who::kAdminWithoutCsrf && req.method != "GET" && done) abort();
  if (!req.body.empty() && req.content_type != "application/json" && !probe && done) abort();
  const bool change = req.method != "GET";
  const bool sites_or_users =
      StartsWith(path, "/api/v1/sites") || StartsWith(path, "/api/v1/users");
  if (who == Who::kTechnician && done && change &&
      (sites_or_users || StartsWith(path, "/api/v1/conferences")))
    abort();
  if (who == Who::kHost && done &&
      ((change && sites_or_users) || path == "/api/v1/settings" || path == "/api/v1/users"))
    abort();
}

World* world = nullptr;
int inputs = 0;
bool verbose = false;  // MCU_FUZZ_VERBOSE=1: each request and its answer on stderr.

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // Refusals log a warning each: no use here, and slow.
  verbose = std::getenv("MCU_FUZZ_VERBOSE") != nullptr;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static constexpr const char* kMethods[] = {"GET", "POST", "PUT", "DELETE"};
  static constexpr Who kWho[] = {Who::kAdmin,
                                 Who::kAdmin,
                                 Who::kAdmin,
                                 Who::kHost,
                                 Who::kTechnician,
                                 Who::kAdminToken,
                                 Who::kAdminWithoutCsrf,
                                 Who::kNobody};
  const Who who = kWho[(data[0] >> 2) & 7];
  RestRequest req;
  req.method = kMethods[data[0] & 3];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const uint64_t file_size = uint64_t{data[0]} * 1000;
  const auto range = mcu::signaling::ParseByteRange(rest, file_size);
  if (range.kind == mcu::signaling::ByteRange::Kind::kPartial &&
      (range.first > range.last || range.last >= file_size))
    std::abort();
  const size_t newline = rest.find('\n');
  req.target = std::string(rest.substr(0, newline));
  if (newline != std::string_view::npos) req.body = std::string(rest.substr(newline + 1));
  if (req.target.empty() || req.target[0] != '/') req.target.insert(0, "/api/v1/");
  const std::string path = req.target.substr(0, req.target.find('?'));
  // Out of scope: the login and setting a password (Argon2id), see above.
  if (req.method == "POST" && path == "/api/v1/session") return -1;
  if (HasPassword(req.body)) return -1;

  switch (who) {
    case Who::kAdmin:
      req.cookie = kAdmin.cookie(), req.csrf = kAdmin.csrf();
      break;
    case Who::kHost:
      req.cookie = kHost.cookie(), req.csrf = kHost.csrf();
      break;
    case Who::kTechnician:
      req.cookie = kTechnician.cookie(), req.csrf = kTechnician.csrf();
      break;
    case Who::kAdminToken:
      req.authorization = std::string("Bearer ") + kApiToken;
      break;
    case Who::kAdminWithoutCsrf:
      req.cookie = kAdmin.cookie();
      break;
    case Who::kNobody:
      req.cookie = "mcu_session=forged";
      break;
  }
  req.remote = "192.0.2.9:50000";
  if (!req.body.empty()) req.content_type = data[0] & 0x20 ? "text/plain" : "application/json";

  if (!world || ++inputs % kResetEvery == 0) {
    delete world;
    world = new World();
  }
  const RestResponse res = world->api->HandleNow(req);
  if (verbose)
    std::fprintf(stderr, "%s %s as %d: %d %.2000s\n", req.method.c_str(), req.target.c_str(),
                 static_cast<int>(who), res.status, res.body.c_str());
  Check(req, path, who, res);
  if (req.method != "GET") world->Restore();
  return 0;
}
