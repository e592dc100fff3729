// Specs of the REST adapter (signaling/rest_api.h) through HandleNow: probes, sessions, CSRF,
// roles, API tokens, validation and the error -> status table. The control port is the domain's
// own ControlService over a bridge on fakes at its media and endpoint ports and a store in
// memory (tests/unit/bridge_fixture.h), so each request runs in microseconds to milliseconds.
#include "signaling/rest_api.h"

#include "mcu/auth.h"
#include "mcu/control_service.h"
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
    auth = std::make_unique<Auth>(store.get());
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

}  // namespace
}  // namespace mcu::test
