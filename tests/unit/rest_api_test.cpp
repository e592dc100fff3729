// Specs of the REST adapter (signaling/rest_api.h) through HandleNow: probes, sessions, CSRF,
// roles, API tokens, validation and the error -> status table. The control port is the domain's
// own ControlService over a bridge on fakes at its media and endpoint ports and a store in
// memory (tests/unit/bridge_fixture.h), so each request runs in microseconds to milliseconds.
#include "signaling/rest_api.h"

#include <chrono>
#include <future>
#include <thread>

#include "mcu/auth.h"
#include "mcu/control_service.h"
#include "mcu/schedule.h"
#include "mcu/secrets.h"
#include "tests/unit/bridge_fixture.h"

namespace mcu::test {
namespace {

using nlohmann::json;
using signaling::RestRequest;
using signaling::RestResponse;

class RestApiTest : public BridgeTest {
 protected:
  RestApiTest() {
    // Argon2id takes ~30 ms a hash: one per role for the whole suite.
    static const std::string hashes[3] = {HashPassword("quantri-pw"), HashPassword("chutri-pw"),
                                          HashPassword("kythuat-pw")};
    for (auto [login, role, i] :
         {std::tuple{"quantri", "admin", 0}, {"chutri", "host", 1}, {"kythuat", "technician", 2}}) {
      UserRow u;
      u.login = login, u.role = role, u.display_name = login, u.password_hash = hashes[i];
      EXPECT_TRUE(store->InsertUser(u));
    }
    Preload(Scheduled("hop", {"huyen-1", "huyen-2"}));
    Start();
    auth = std::make_unique<Auth>(store.get(), AuthPolicy{}, &clock);
    control = std::make_unique<ControlService>(bridge.get(), store.get(), auth.get(), &clock);
    api = std::make_unique<signaling::RestApi>(control.get());
  }
  ~RestApiTest() override {
    api.reset();
    control.reset();
  }

  struct Session {
    std::string cookie, csrf;
  };
  RestResponse Ask(const std::string& method, const std::string& target,
                   const std::string& body = "", const Session& s = {},
                   const std::string& authorization = "") {
    RestRequest r;
    r.method = method, r.target = target, r.body = body;
    r.cookie = s.cookie, r.csrf = s.csrf, r.authorization = authorization;
    if (!body.empty()) r.content_type = "application/json";
    r.remote = "192.0.2.9:50000";
    return api->HandleNow(r);
  }
  Session Login(const std::string& login) {
    RestResponse res =
        Ask("POST", "/api/v1/session", json{{"login", login}, {"password", login + "-pw"}}.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    Session s;
    for (const auto& [name, value] : res.headers)
      if (name == "Set-Cookie") s.cookie = value.substr(0, value.find(';'));
    s.csrf = json::parse(res.body).value("csrfToken", "");
    return s;
  }
  static std::string Error(const RestResponse& r) { return json::parse(r.body).value("error", ""); }

  std::unique_ptr<Auth> auth;
  std::unique_ptr<ControlService> control;
  std::unique_ptr<signaling::RestApi> api;
};

TEST_F(RestApiTest, ProbesAnswerWithoutLoginAndTellNothingElse) {
  RestResponse health = Ask("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(json::parse(health.body), (json{{"status", "ok"}}));
  RestResponse ready = Ask("GET", "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(json::parse(ready.body), (json{{"status", "ready"}}));
  bridge->Shutdown();
  EXPECT_EQ(Ask("GET", "/readyz").status, 503);
}

TEST_F(RestApiTest, WithoutALoginEveryRequestIsRefusedWith401WhateverItSends) {
  for (auto [method, target, body] : {std::tuple{"GET", "/api/v1/sites", ""},
                                      {"POST", "/api/v1/conferences/hop/start", "{"},
                                      {"GET", "/metrics", ""},
                                      {"DELETE", "/api/v1/users/quantri", "not json"}}) {
    RestResponse r = Ask(method, target, body);
    EXPECT_EQ(r.status, 401) << method << " " << target;
    EXPECT_EQ(Error(r), "log in first (session cookie or API token)");
  }
  EXPECT_EQ(Ask("GET", "/api/v1/sites", "", {"mcu_session=forged", ""}).status, 401);
  EXPECT_EQ(Ask("GET", "/api/v1/sites", "", {}, "Bearer forged").status, 401);
}

TEST_F(RestApiTest, ALoginSetsASecureCookieAndIsAuditedAndToldToTheConsole) {
  RestResponse bad =
      Ask("POST", "/api/v1/session", json{{"login", "chutri"}, {"password", "x"}}.dump());
  EXPECT_EQ(bad.status, 401);
  RestResponse ok =
      Ask("POST", "/api/v1/session", json{{"login", "chutri"}, {"password", "chutri-pw"}}.dump());
  ASSERT_EQ(ok.status, 200) << ok.body;
  std::string cookie;
  for (const auto& [name, value] : ok.headers)
    if (name == "Set-Cookie") cookie = value;
  EXPECT_EQ(cookie.rfind("mcu_session=", 0), 0u);
  for (const char* attr : {"HttpOnly", "Secure", "SameSite=Strict", "Max-Age=43200"})
    EXPECT_NE(cookie.find(attr), std::string::npos) << attr;
  json body = json::parse(ok.body);
  EXPECT_EQ(body["user"]["role"], "host");
  EXPECT_FALSE(body["csrfToken"].get<std::string>().empty());
  EXPECT_EQ(AuditActions().back(), "login ");
  auto events = Feed("control");
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["action"], "login");
  EXPECT_EQ(events.back()["detail"]["from"], "192.0.2.9:50000");
}

TEST_F(RestApiTest, AChangeBySessionNeedsItsCsrfTokenAndAnApiTokenNeedsNone) {
  Session host = Login("chutri");
  RestResponse no_csrf = Ask("POST", "/api/v1/conferences/hop/mute-all", "{}", {host.cookie, ""});
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_EQ(Error(no_csrf), "missing or wrong X-CSRF-Token");
  EXPECT_EQ(Ask("POST", "/api/v1/conferences/hop/mute-all", "{}", {host.cookie, "wrong"}).status,
            403);
  EXPECT_EQ(Ask("GET", "/api/v1/conferences/hop", "", {host.cookie, ""}).status, 200)
      << "a read needs no CSRF token";
  EXPECT_EQ(Ask("POST", "/api/v1/conferences/hop/mute-all", "{}", host).status, 200);

  RestResponse token = Ask("POST", "/api/v1/tokens", json{{"name", "nagios"}}.dump(), host);
  ASSERT_EQ(token.status, 201) << token.body;
  std::string bearer = "Bearer " + json::parse(token.body)["token"].get<std::string>();
  EXPECT_EQ(Ask("POST", "/api/v1/conferences/hop/mute-all", "{\"muted\":false}", {}, bearer).status,
            200);
  EXPECT_EQ(AuditActions().back(), "unmute-all hop");
}

TEST_F(RestApiTest, RolesAreEnforcedOnTheServer) {
  Session tech = Login("kythuat"), host = Login("chutri"), admin = Login("quantri");
  RestResponse refused =
      Ask("POST", "/api/v1/conferences/hop/sites/huyen-1/mute", "{\"audio\":true}", tech);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(Error(refused), "a technician may not do this");
  EXPECT_EQ(Ask("GET", "/api/v1/conferences/hop/roll-call", "", tech).status, 200);
  EXPECT_EQ(Ask("GET", "/api/v1/settings", "", host).status, 403);
  EXPECT_EQ(Ask("GET", "/api/v1/settings", "", admin).status, 200);
  EXPECT_EQ(Ask("POST", "/api/v1/sites", json{{"id", "huyen-9"}, {"name", "Huyện 9"}}.dump(), host)
                .status,
            403);
  EXPECT_EQ(
      Ask("POST", "/api/v1/conferences/hop/sites/huyen-1/mute", "{\"audio\":true}", host).status,
      200);
  EXPECT_TRUE(Live("hop", "huyen-1").muted_audio);
}

// A host marks a conference classified ("Mật") in its JSON; the field is shown on every read and
// audited with the change.
TEST_F(RestApiTest, AConferenceIsMarkedClassifiedAndShownSo) {
  Session host = Login("chutri");
  RestResponse created =
      Ask("POST", "/api/v1/conferences",
          json{{"id", "mat"}, {"title", "Họp mật"}, {"classified", true}, {"invited", {"huyen-1"}}}
              .dump(),
          host);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json::parse(created.body)["classified"], true);
  EXPECT_EQ(json::parse(Ask("GET", "/api/v1/conferences/mat", "", host).body)["classified"], true);
  EXPECT_EQ(json::parse(Ask("GET", "/api/v1/conferences/hop", "", host).body)["classified"], false);
  RestResponse bad = Ask("PUT", "/api/v1/conferences/mat", R"({"classified":"yes"})", host);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Error(bad), "field \"classified\" must be true or false");
  RestResponse cleared = Ask("PUT", "/api/v1/conferences/mat", R"({"classified":false})", host);
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_FALSE(store->Conference("mat")->classified);
  auto audit = store->AuditLog(1);
  EXPECT_EQ(audit[0].action, "update-conference");
  EXPECT_NE(audit[0].detail.find("\"classified\":false"), std::string::npos) << audit[0].detail;
}

// A conference recorded whenever it opens: the field is stored and shown; a classified one
// cannot be.
TEST_F(RestApiTest, AConferenceIsRecordedWheneverItOpensUnlessItIsClassified) {
  Session host = Login("chutri");
  RestResponse set = Ask("PUT", "/api/v1/conferences/hop", R"({"autoRecord":true})", host);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(json::parse(set.body)["autoRecord"], true);
  EXPECT_TRUE(store->Conference("hop")->auto_record);
  RestResponse classified = Ask("PUT", "/api/v1/conferences/hop", R"({"classified":true})", host);
  EXPECT_EQ(classified.status, 400);
  EXPECT_NE(Error(classified).find("classified conference is not recorded"), std::string::npos)
      << classified.body;
  EXPECT_EQ(Ask("PUT", "/api/v1/conferences/hop", R"({"autoRecord":1})", host).status, 400);
  EXPECT_FALSE(store->Conference("hop")->classified);
}

TEST_F(RestApiTest, AnAdminAddsASipRoomByItsAddressAndBadSipUrisAre400) {
  Session admin = Login("quantri");
  RestResponse created = Ask("POST", "/api/v1/sites",
                             json{{"id", "phong-sip"},
                                  {"name", "Phòng SIP"},
                                  {"kind", "sip"},
                                  {"sipUri", "sip:phong1@10.0.0.5"}}
                                 .dump(),
                             admin);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json::parse(created.body)["site"]["sipUri"], "sip:phong1@10.0.0.5");
  EXPECT_EQ(store->Site("phong-sip")->sip_uri, "sip:phong1@10.0.0.5");
  json got = json::parse(Ask("GET", "/api/v1/sites/phong-sip", "", admin).body);
  EXPECT_EQ(got["kind"], "sip") << got.dump();
  EXPECT_EQ(got["sipUri"], "sip:phong1@10.0.0.5");
  EXPECT_EQ(got["sipDial"], true) << "the MCU calls a SIP site unless told otherwise";
  RestResponse only_in = Ask("POST", "/api/v1/sites",
                             json{{"id", "ubnd"},
                                  {"name", "UBND"},
                                  {"kind", "sip"},
                                  {"sipUri", "sip:ubnd@10.0.0.6"},
                                  {"sipDial", false}}
                                 .dump(),
                             admin);
  ASSERT_EQ(only_in.status, 201) << only_in.body;
  EXPECT_FALSE(store->Site("ubnd")->sip_dial);
  EXPECT_FALSE(store->Site("ubnd")->sip_plain) << "plain SIP only when asked for";
  RestResponse plain = Ask("POST", "/api/v1/sites",
                           json{{"id", "kin"},
                                {"name", "Kín"},
                                {"kind", "sip"},
                                {"sipUri", "sip:kin@10.0.0.7;transport=udp"},
                                {"sipPlainSignalling", true}}
                               .dump(),
                           admin);
  ASSERT_EQ(plain.status, 201) << plain.body;
  EXPECT_TRUE(store->Site("kin")->sip_plain);
  EXPECT_EQ(json::parse(plain.body)["site"]["sipPlainSignalling"], true);
  EXPECT_EQ(json::parse(only_in.body)["site"]["sipDial"], false);
  for (auto [body, error] :
       {std::pair{json{{"id", "a"}, {"name", "A"}, {"kind", "sip"}},
                  "sipUri must be sip:user@host (no sip: scheme)"},
        {json{{"id", "a"}, {"name", "A"}, {"kind", "sip"}, {"sipUri", "sip:10.0.0.5"}},
         "sipUri must be sip:user@host (no user part)"},
        {json{{"id", "a"}, {"name", "A"}, {"sipUri", "sip:a@10.0.0.5"}},
         "only a site of kind sip has a sipUri"},
        {json{{"id", "a"},
              {"name", "A"},
              {"kind", "sip"},
              {"sipUri", "sip:a@10.0.0.5"},
              {"sipDial", "yes"}},
         "sipDial must be true or false"}}) {
    RestResponse r = Ask("POST", "/api/v1/sites", body.dump(), admin);
    EXPECT_EQ(r.status, 400) << body.dump();
    EXPECT_EQ(Error(r), error);
  }
}

TEST_F(RestApiTest, BadInputIsA400AndDomainErrorsGoThroughOneTable) {
  Session host = Login("chutri");
  EXPECT_EQ(Ask("POST", "/api/v1/conferences/hop/mute-all", "{not json", host).status, 400);
  EXPECT_EQ(Ask("POST", "/api/v1/conferences/hop/sites/huyen-1/mute", "{\"audio\":1}", host).status,
            400);
  RestResponse layout =
      Ask("PUT", "/api/v1/conferences/hop/layout", "{\"layout\":\"mosaic\"}", host);
  EXPECT_EQ(layout.status, 400) << layout.body;
  EXPECT_EQ(Ask("POST", "/api/v1/conferences/none/start", "{}", host).status, 404);
  EXPECT_EQ(Ask("POST", "/api/v1/conferences/hop/sites/nobody/kick", "{}", host).status, 404);
  ASSERT_EQ(Ask("POST", "/api/v1/conferences/hop/start", "{}", host).status, 200) << "it was due";
  RestResponse again = Ask("POST", "/api/v1/conferences/hop/start", "{}", host);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(Error(again), "the conference is already open");
}

TEST_F(RestApiTest, DeeplyNestedBodiesAndHugeQueryValuesAre400OrIgnoredNotACrash) {
  Session host = Login("chutri");
  // 40,000 levels in a 80 KB body: refused at the parse, before any copy could recurse.
  const std::string deep =
      R"({"title":"x","a":)" + std::string(40'000, '[') + std::string(40'000, ']') + "}";
  RestResponse r = Ask("PUT", "/api/v1/conferences/hop", deep, host);
  EXPECT_EQ(r.status, 400) << r.body;
  // 32 levels are still a body (the route then judges its fields).
  const std::string fine =
      R"({"title":"x","a":)" + std::string(30, '[') + std::string(30, ']') + "}";
  EXPECT_NE(Ask("PUT", "/api/v1/conferences/hop", fine, host).status, 500);
  // A query value of 15,000 characters is read without a regex: an ordinary answer.
  RestResponse audit = Ask("GET", "/api/v1/audit?before=" + std::string(15'000, '9'), "", host);
  EXPECT_EQ(audit.status, 200) << audit.body;
  RestResponse limited =
      Ask("GET", "/api/v1/audit?x=" + std::string(15'000, 'a') + "&limit=1", "", host);
  ASSERT_EQ(limited.status, 200);
  EXPECT_LE(json::parse(limited.body).size(), 1u);
}

TEST_F(RestApiTest, ALogoutEndsTheSessionAndIsAudited) {
  Session admin = Login("quantri");
  EXPECT_EQ(Ask("DELETE", "/api/v1/session", "", admin).status, 200);
  EXPECT_EQ(Ask("GET", "/api/v1/session", "", admin).status, 401);
  EXPECT_EQ(AuditActions().back(), "logout ");
}

TEST_F(RestApiTest, MetricsAreServedToAnyLoggedInRoleAsPrometheusText) {
  Session tech = Login("kythuat");
  bridge->Tick();
  RestResponse r = Ask("GET", "/metrics", "", tech);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("# TYPE"), std::string::npos);
}

// ----- Login CSRF, API tokens, revocation (issue 20, items 7 and 8) ---------------------------

RestRequest LoginRequest(const std::string& content_type, const std::string& origin) {
  RestRequest r;
  r.method = "POST", r.target = "/api/v1/session";
  r.body = json{{"login", "chutri"}, {"password", "chutri-pw"}}.dump();
  r.content_type = content_type, r.origin = origin, r.host = "mcu.tinh.vn:8443";
  r.remote = "192.0.2.9:50000";
  return r;
}

TEST_F(RestApiTest, ALoginIsJsonFromThisServersOwnPageOrFromNoPage) {
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""}) {
    RestResponse r = api->HandleNow(LoginRequest(type, ""));
    EXPECT_EQ(r.status, 415) << type;
    EXPECT_EQ(Error(r), "a login is sent as Content-Type: application/json");
  }
  for (const char* origin :
       {"https://evil.example", "http://mcu.tinh.vn:8443", "https://mcu.tinh.vn", "null"}) {
    RestResponse r = api->HandleNow(LoginRequest("application/json", origin));
    EXPECT_EQ(r.status, 403) << origin;
    EXPECT_EQ(Error(r), "a login from another site's page is refused");
  }
  EXPECT_EQ(api->HandleNow(LoginRequest("application/json", "https://mcu.tinh.vn:8443")).status,
            200);
  EXPECT_EQ(api->HandleNow(LoginRequest("Application/JSON; charset=utf-8", "")).status, 200)
      << "curl and scripts send no Origin";
}

TEST_F(RestApiTest, AnyBodyThatIsNotJsonIs415OnceTheCallerIsKnown) {
  Session host = Login("chutri");
  RestRequest r;
  r.method = "POST", r.target = "/api/v1/conferences/hop/mute-all", r.body = "{}";
  r.cookie = host.cookie, r.csrf = host.csrf, r.content_type = "text/plain";
  RestResponse refused = api->HandleNow(r);
  EXPECT_EQ(refused.status, 415);
  EXPECT_EQ(Error(refused), "a body is sent as Content-Type: application/json");
  r.cookie.clear();
  EXPECT_EQ(api->HandleNow(r).status, 401) << "a stranger learns nothing but 401";
  r.cookie = host.cookie, r.content_type = "application/json";
  EXPECT_EQ(api->HandleNow(r).status, 200);
  r.body.clear(), r.content_type.clear();
  EXPECT_EQ(api->HandleNow(r).status, 200) << "no body, no type needed";
}

TEST_F(RestApiTest, ATokenLastsTheDaysAskedForAndItsExpiryIsShown) {
  Session tech = Login("kythuat");
  RestResponse made =
      Ask("POST", "/api/v1/tokens", json{{"name", "nagios"}, {"days", 2}}.dump(), tech);
  ASSERT_EQ(made.status, 201) << made.body;
  json t = json::parse(made.body);
  EXPECT_EQ(t["user"], "kythuat");
  EXPECT_EQ(t["expires"], FormatTime(clock.NowS() + 2 * 86400));
  RestResponse list = Ask("GET", "/api/v1/tokens", "", tech);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(json::parse(list.body)[0]["expires"], t["expires"]);
  for (const json& days : {json(0), json(366), json("7"), json(1.5)}) {
    RestResponse bad =
        Ask("POST", "/api/v1/tokens", json{{"name", "x"}, {"days", days}}.dump(), tech);
    EXPECT_EQ(bad.status, 400) << days;
    EXPECT_EQ(Error(bad), "days must be a whole number from 1 to 365");
  }
  const std::string bearer = "Bearer " + t["token"].get<std::string>();
  EXPECT_EQ(Ask("GET", "/api/v1/sites", "", {}, bearer).status, 200);
  clock.Advance(2 * 86400 * 1000);
  EXPECT_EQ(Ask("GET", "/api/v1/sites", "", {}, bearer).status, 401) << "an expired token";
}

TEST_F(RestApiTest, ANewPasswordOrRoleRevokesTheUsersTokensAndIsAudited) {
  Session admin = Login("quantri"), host = Login("chutri");
  auto token = [&] {
    RestResponse r = Ask("POST", "/api/v1/tokens", json{{"name", "script"}}.dump(), host);
    EXPECT_EQ(r.status, 201);
    return "Bearer " + json::parse(r.body)["token"].get<std::string>();
  };
  std::string bearer = token();
  ASSERT_EQ(Ask("PUT", "/api/v1/users/chutri", json{{"name", "Chủ trì"}}.dump(), admin).status,
            200);
  EXPECT_EQ(Ask("GET", "/api/v1/sites", "", {}, bearer).status, 200) << "a new name is harmless";
  ASSERT_EQ(Ask("PUT", "/api/v1/users/chutri", json{{"role", "technician"}}.dump(), admin).status,
            200);
  EXPECT_EQ(Ask("GET", "/api/v1/sites", "", {}, bearer).status, 401) << "survived a new role";
  EXPECT_EQ(Ask("GET", "/api/v1/session", "", host).status, 200) << "the session reads the role";
  auto audit = store->AuditLog(1);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(json::parse(audit[0].detail)["tokensRevoked"], 1);

  bearer = token();
  ASSERT_EQ(
      Ask("PUT", "/api/v1/users/chutri", json{{"password", "new-password"}}.dump(), admin).status,
      200);
  EXPECT_EQ(Ask("GET", "/api/v1/sites", "", {}, bearer).status, 401) << "survived a new password";
  EXPECT_EQ(Ask("GET", "/api/v1/session", "", host).status, 401) << "the session too";
}

TEST_F(RestApiTest, AnAdminListsAndRevokesAnyonesTokensOthersOnlyTheirOwn) {
  Session admin = Login("quantri"), host = Login("chutri"), tech = Login("kythuat");
  RestResponse made = Ask("POST", "/api/v1/tokens", json{{"name", "host-script"}}.dump(), host);
  ASSERT_EQ(made.status, 201);
  const int64_t id = json::parse(made.body)["id"];
  ASSERT_EQ(Ask("POST", "/api/v1/tokens", json{{"name", "tech-script"}}.dump(), tech).status, 201);

  RestResponse own = Ask("GET", "/api/v1/tokens", "", tech);
  ASSERT_EQ(own.status, 200);
  ASSERT_EQ(json::parse(own.body).size(), 1u);
  EXPECT_EQ(json::parse(own.body)[0]["name"], "tech-script");
  EXPECT_EQ(Ask("GET", "/api/v1/tokens?user=chutri", "", tech).status, 403);
  EXPECT_EQ(Ask("GET", "/api/v1/tokens?all=true", "", tech).status, 403);
  EXPECT_EQ(Ask("GET", "/api/v1/tokens?user=kythuat", "", tech).status, 200) << "their own";
  RestResponse theirs = Ask("DELETE", "/api/v1/tokens/" + std::to_string(id), "", tech);
  EXPECT_EQ(theirs.status, 404) << "another user's token is not there for a technician";
  EXPECT_EQ(Ask("GET", "/api/v1/tokens", "", host).body.find("host-script") != std::string::npos,
            true);

  RestResponse hosts = Ask("GET", "/api/v1/tokens?user=chutri", "", admin);
  ASSERT_EQ(hosts.status, 200);
  ASSERT_EQ(json::parse(hosts.body).size(), 1u);
  EXPECT_EQ(json::parse(hosts.body)[0]["user"], "chutri");
  RestResponse all = Ask("GET", "/api/v1/tokens?all=true", "", admin);
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(json::parse(all.body).size(), 2u);
  EXPECT_EQ(Ask("GET", "/api/v1/tokens?user=nobody", "", admin).status, 404);

  ASSERT_EQ(Ask("DELETE", "/api/v1/tokens/" + std::to_string(id), "", admin).status, 200);
  EXPECT_EQ(json::parse(Ask("GET", "/api/v1/tokens?user=chutri", "", admin).body), json::array());
  auto audit = store->AuditLog(1);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor, "quantri");
  EXPECT_EQ(audit[0].action, "delete-token");
  EXPECT_EQ(json::parse(audit[0].detail), (json{{"user", "chutri"}, {"name", "host-script"}}));
  EXPECT_EQ(Ask("DELETE", "/api/v1/tokens/" + std::to_string(id), "", admin).status, 404);
}

TEST_F(RestApiTest, ExpiredSessionsAreDeletedWhenTheApiStarts) {
  const int64_t now = clock.NowS();
  ASSERT_TRUE(store->InsertSession(
      {HashToken("gone"), "c", store->UserByLogin("kythuat")->id, now - 1, now - 3600, now - 60}));
  // (Not read back here: the fixture's own API may purge it first, as it does at its start.)
  signaling::RestApi started(control.get());
  // The purge runs on the API's thread: wait for the row to go (at most 5 s).
  bool gone = false;
  for (int i = 0; i < 1000 && !gone; ++i) {
    gone = !store->Session(HashToken("gone"), 0);
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(gone);
}

// The flood limit is the adapter's, before a request reaches a hashing thread: the eleventh login
// from one address within a minute is 429 with Retry-After, another address still logs in.
TEST_F(RestApiTest, TheEleventhLoginFromOneAddressInAMinuteIs429WithRetryAfter) {
  auto handle = [&](const std::string& remote, const std::string& password) {
    RestRequest r = LoginRequest("application/json", "");
    r.remote = remote;
    r.body = json{{"login", "chutri"}, {"password", password}}.dump();
    std::promise<RestResponse> answer;
    api->Handle(r, [&](RestResponse res) { answer.set_value(std::move(res)); });
    return answer.get_future().get();
  };
  std::vector<int> statuses;
  statuses.reserve(10);
  for (int i = 0; i < 10; ++i)
    statuses.push_back(handle("192.0.2.7:4000" + std::to_string(i), "x").status);
  EXPECT_EQ(statuses, (std::vector<int>{401, 401, 401, 401, 401, 403, 403, 403, 403, 403}));
  RestResponse flood = handle("192.0.2.7:41000", "chutri-pw");
  EXPECT_EQ(flood.status, 429);
  EXPECT_EQ(Error(flood), "too many login attempts from this address; try again in 6 s");
  ASSERT_EQ(flood.headers.size(), 1u);
  EXPECT_EQ(flood.headers[0], (std::pair<std::string, std::string>{"Retry-After", "6"}));
  EXPECT_EQ(handle("192.0.2.8:40000", "chutri-pw").status, 200) << "another address";
}

// An administrator reads another MCU's certificate fingerprint before pinning it on a link; the
// probe itself is the MCU's (a TLS handshake), here one that says what it was asked.
TEST_F(RestApiTest, AnAdministratorProbesAnotherMcusCertificateBeforePinningIt) {
  std::vector<std::string> asked;
  api = std::make_unique<signaling::RestApi>(control.get(), [&](const std::string& url) {
    asked.push_back(url);
    return Expected<std::string>(std::string("AB:CD"));
  });
  Session admin = Login("quantri");
  const std::string body = json{{"url", "wss://mcu-tw.local:8443/ws"}}.dump();
  RestResponse r = Ask("POST", "/api/v1/links/probe", body, admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body),
            (json{{"url", "wss://mcu-tw.local:8443/ws"}, {"fingerprint", "AB:CD"}}));
  EXPECT_EQ(Ask("POST", "/api/v1/links/probe", json{{"url", "https://x/ws"}}.dump(), admin).status,
            400);
  EXPECT_EQ(Ask("POST", "/api/v1/links/probe", body, Login("chutri")).status, 403);
  EXPECT_EQ(asked, std::vector<std::string>{"wss://mcu-tw.local:8443/ws"})
      << "only the admin's, well formed";
  // Without a probe (a build that reaches no network), the route says so.
  api = std::make_unique<signaling::RestApi>(control.get());
  EXPECT_EQ(Ask("POST", "/api/v1/links/probe", body, Login("quantri")).status, 503);
}

}  // namespace
}  // namespace mcu::test
