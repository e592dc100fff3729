// Conferences that run themselves, with real processes: a host schedules a conference over the
// REST API and idle mcu-room sites join it with nobody touching them, come back after being
// killed, follow the MCU through a restart; mutes are enforced in the mix; roles, sessions and
// CSRF are enforced on the server; everything stored survives a crash of the MCU.
#include <gtest/gtest.h>

#include <csignal>
#include <ctime>
#include <thread>

#include "media/certificate.h"
#include "media/dtls.h"
#include "media/io_loop.h"
#include "media/layout.h"
#include "media/srtp_session.h"
#include "tests/support/analysis.h"
#include "tests/support/audio_site.h"
#include "tests/support/mcu_fixture.h"
#include "tests/support/rest_client.h"
#include "tests/support/ws_client.h"

namespace mcu::test {
namespace {

using namespace std::chrono;
using nlohmann::json;

// The roll-call state of each site of `conference`.
std::map<std::string, std::string> RollCall(RestClient& api, const std::string& conference) {
  std::map<std::string, std::string> out;
  auto r = api.Call("GET", "/api/v1/conferences/" + conference + "/roll-call");
  if (r.status != 200) return out;
  for (const auto& s : r.body["sites"]) out[s["site"]] = s["state"];
  return out;
}

bool AllIn(RestClient& api, const std::string& conference, const std::vector<std::string>& sites,
           const std::string& state, seconds timeout) {
  return WaitUntil(
      [&] {
        auto rc = RollCall(api, conference);
        for (const auto& s : sites)
          if (rc[s] != state) return false;
        return true;
      },
      timeout, milliseconds(250));
}

std::string RollCallText(RestClient& api, const std::string& conference) {
  std::string out;
  for (const auto& [site, state] : RollCall(api, conference)) out += site + "=" + state + " ";
  return out;
}

// Whether the audit log's last 50 rows hold `actor` doing `action` to `target`.
bool HasAudit(RestClient& api, const std::string& actor, const std::string& action,
              const std::string& target) {
  for (const auto& e : api.Call("GET", "/api/v1/audit?limit=50").body)
    if (e["actor"] == actor && e["action"] == action && e["target"] == target) return true;
  return false;
}

std::vector<std::string> IdleRoom(const std::string& token, int tone, const std::string& color) {
  return {"--token", token,     "--tone", std::to_string(tone), "--color",
          color,     "--width", "320",    "--height",           "180"};
}

// A conference of `sites` (the first is the host) that opens now.
json Meeting(const std::string& id, const std::vector<std::string>& sites,
             seconds starts_in = seconds(0)) {
  return {{"id", id},
          {"title", "Họp giao ban " + id},
          {"start", Iso(starts_in)},
          {"end", Iso(starts_in + hours(1))},
          {"leadTimeMinutes", 0},
          {"invited", sites},
          {"host", sites.front()}};
}

// A conference scheduled a few seconds ahead opens by itself; its idle rooms are called in and
// their media flows, with no human action; a room killed mid-meeting and started again (as its
// service manager does) is back in the conference by itself; stopping the conference sends the
// rooms back to idle, and the call records say who was there, when, and why they left.
TEST(Control, ScheduledConferenceStartsAndItsRoomsJoinByThemselves) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  auto tinh = mcu.StartRoom("tinh-1", IdleRoom("demo-tinh-1", 440, "e01010"));
  auto h1 = mcu.StartRoom("huyen-1", IdleRoom("demo-huyen-1", 660, "10e010"));
  auto h2_args = IdleRoom("demo-huyen-2", 880, "1010e0");
  auto h2 = mcu.StartRoom("huyen-2", h2_args);
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  const std::vector<std::string> sites = {"tinh-1", "huyen-1", "huyen-2"};
  auto created =
      host.Call("POST", "/api/v1/conferences", Meeting("giao-ban-thu-hai", sites, seconds(6)));
  ASSERT_EQ(created.status, 201) << created.body.dump();
  EXPECT_EQ(created.body["state"], "scheduled");
  // The idle rooms are online (connected, waiting) and not called in before the time.
  ASSERT_TRUE(AllIn(host, "giao-ban-thu-hai", sites, "online", seconds(5)))
      << RollCallText(host, "giao-ban-thu-hai") << mcu.Log();
  EXPECT_EQ(host.Call("GET", "/api/v1/conferences/giao-ban-thu-hai").body["state"], "scheduled")
      << "opened before its time";

  ASSERT_TRUE(AllIn(host, "giao-ban-thu-hai", sites, "video", seconds(30)))
      << RollCallText(host, "giao-ban-thu-hai") << mcu.Log();
  EXPECT_EQ(host.Call("GET", "/api/v1/conferences/giao-ban-thu-hai").body["state"], "open");
  // The site list says who is connected and where.
  std::map<std::string, std::pair<bool, json>> presence;
  for (const auto& s : host.Call("GET", "/api/v1/sites").body)
    presence[s["id"]] = {s["online"], s["conference"]};
  EXPECT_EQ(presence["huyen-1"], std::make_pair(true, json("giao-ban-thu-hai")));
  EXPECT_EQ(presence["huyen-3"], std::make_pair(false, json(nullptr)))
      << "no room runs for huyen-3";
  for (auto* room : {tinh.get(), h1.get(), h2.get()}) {
    EXPECT_NE(room->Log().find("called into conference"), std::string::npos) << room->Log();
    EXPECT_EQ(room->Log().find("MCU error"), std::string::npos) << room->Log();
  }
  // Each called once: another site joining does not repeat a call whose join is in flight.
  for (const auto& site : sites) {
    const std::string line = "calling site " + site + " into conference giao-ban-thu-hai";
    std::string log = mcu.Log();
    size_t count = 0;
    for (size_t at = log.find(line); at != std::string::npos; at = log.find(line, at + 1)) ++count;
    EXPECT_EQ(count, 1u) << site;
  }

  // huyen-2's room dies; its service manager starts it again, and nobody else does anything.
  h2->Signal(SIGKILL);
  h2->Wait(seconds(5));
  ASSERT_TRUE(AllIn(host, "giao-ban-thu-hai", {"huyen-2"}, "offline", seconds(75)))
      << RollCallText(host, "giao-ban-thu-hai");
  h2 = mcu.StartRoom("huyen-2-again", h2_args);
  ASSERT_TRUE(AllIn(host, "giao-ban-thu-hai", sites, "video", seconds(30)))
      << RollCallText(host, "giao-ban-thu-hai") << h2->Log();

  auto stop = host.Call("POST", "/api/v1/conferences/giao-ban-thu-hai/stop");
  ASSERT_EQ(stop.status, 200) << stop.body.dump();
  EXPECT_EQ(host.Call("GET", "/api/v1/conferences/giao-ban-thu-hai").body["state"], "ended");
  ASSERT_TRUE(AllIn(host, "giao-ban-thu-hai", sites, "online", seconds(10)))
      << RollCallText(host, "giao-ban-thu-hai");
  EXPECT_NE(tinh->Log().find("waiting for the MCU to call"), std::string::npos);

  auto records = host.Call("GET", "/api/v1/call-records?conference=giao-ban-thu-hai");
  ASSERT_EQ(records.status, 200);
  std::map<std::string, std::vector<std::string>> reasons;
  for (const auto& r : records.body) {
    EXPECT_GT(r["leftMs"].get<int64_t>(), r["joinedMs"].get<int64_t>()) << r.dump();
    reasons[r["site"]].push_back(r["reason"]);
  }
  EXPECT_EQ(reasons["tinh-1"], std::vector<std::string>{"the host ended the conference"});
  ASSERT_EQ(reasons["huyen-2"].size(), 2u) << records.body.dump();
  EXPECT_EQ(reasons["huyen-2"][0], "the host ended the conference");  // Newest first.
  auto audit = host.Call("GET", "/api/v1/audit");
  std::vector<std::string> actions;
  for (const auto& a : audit.body)
    actions.push_back(a["actor"].get<std::string>() + ":" + a["action"].get<std::string>());
  EXPECT_EQ(actions[0], "chutri:close");
  EXPECT_NE(std::find(actions.begin(), actions.end(), "scheduler:open"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "chutri:create-conference"), actions.end());
}

Wav Tail(const Wav& w, double seconds) {
  Wav out{w.rate, {}};
  size_t n = static_cast<size_t>(seconds * w.rate);
  out.samples.assign(w.samples.end() - std::min(n, w.samples.size()), w.samples.end());
  return out;
}

// Muting a site's audio is enforced in the mix: within a second nobody hears its tone, whatever
// its endpoint keeps sending; unmuting brings it back. A technician may not mute. "Mute all but
// the host" leaves only the host site audible.
TEST(Control, MutingASiteRemovesItsToneFromEveryoneElseWithinASecond) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  auto created =
      host.Call("POST", "/api/v1/conferences", Meeting("hop", {"huyen-3", "huyen-1", "huyen-2"}));
  ASSERT_EQ(created.status, 201) << created.body.dump();
  ASSERT_TRUE(
      WaitUntil([&] { return host.Call("GET", "/api/v1/conferences/hop").body["state"] == "open"; },
                seconds(5)));

  SiteMedia local;  // The in-process sites' loop and DTLS identity.
  ASSERT_TRUE(local.ok());
  AudioSite a(&local.loop, local.dtls, mcu, "demo-huyen-1", 440);
  AudioSite b(&local.loop, local.dtls, mcu, "demo-huyen-2", 660);
  AudioSite c(&local.loop, local.dtls, mcu, "demo-huyen-3", 1000);  // The host site.
  for (AudioSite* s : {&a, &b, &c}) ASSERT_TRUE(s->Join("hop")) << s->error() << mcu.Log();
  for (AudioSite* s : {&a, &b, &c}) ASSERT_TRUE(s->WaitConnected()) << mcu.Log();
  ASSERT_TRUE(c.WaitHearing([](const Wav& w) {
    return ToneShare(w, 440) > 0.05 && ToneShare(w, 660) > 0.05;
  })) << "C does not hear A and B";
  Wav before = c.Record(1);
  ASSERT_GT(ToneShare(before, 440), 0.05) << "C does not hear A before the mute";
  ASSERT_GT(ToneShare(before, 660), 0.05) << "C does not hear B";

  RestClient tech(mcu.port(), mcu.ca());
  ASSERT_TRUE(tech.Login("kythuat", kTechnicianPassword));
  auto refused = tech.Call("POST", "/api/v1/conferences/hop/sites/huyen-1/mute", {{"audio", true}});
  EXPECT_EQ(refused.status, 403) << refused.body.dump();
  EXPECT_GT(ToneShare(c.Record(0.5), 440), 0.05) << "a technician's mute took effect";

  // The console's event feed: only with a session, and it tells of the mute.
  std::string feed_url = "wss://127.0.0.1:" + std::to_string(mcu.port()) + "/api/v1/events";
  TestWs stranger(feed_url, mcu.ca());
  EXPECT_FALSE(stranger.Open(seconds(5))) << "the event feed opened without a session";
  TestWs feed(feed_url, mcu.ca(), "mcu_session=" + host.cookie());
  ASSERT_TRUE(feed.Open());
  auto hello = feed.WaitFor("hello");
  ASSERT_TRUE(hello);
  EXPECT_EQ((*hello)["role"], "host");

  auto muted = host.Call("POST", "/api/v1/conferences/hop/sites/huyen-1/mute", {{"audio", true}});
  ASSERT_EQ(muted.status, 200) << muted.body.dump();
  Wav c_after = c.Record(1.0);  // Starts when the call returns: its second half is within 1 s.
  Wav b_after = b.Record(0.5);
  EXPECT_LT(ToneShare(Tail(c_after, 0.5), 440), 0.01) << "C still hears the muted site";
  EXPECT_GT(ToneShare(Tail(c_after, 0.5), 660), 0.05) << "C no longer hears B";
  EXPECT_LT(ToneShare(b_after, 440), 0.01) << "B still hears the muted site";
  EXPECT_GT(ToneShare(b_after, 1000), 0.05) << "B no longer hears C";
  auto control = feed.WaitFor("control");
  ASSERT_TRUE(control);
  EXPECT_EQ((*control)["action"], "mute");
  EXPECT_EQ((*control)["actor"], "chutri");
  EXPECT_EQ((*control)["target"], "hop/huyen-1");
  EXPECT_EQ((*control)["detail"]["audio"], true);
  bool found = false;
  json hop = host.Call("GET", "/api/v1/conferences/hop").body;
  for (const auto& s : hop["sites"])
    if (s["site"] == "huyen-1") {
      found = true;
      EXPECT_TRUE(s["mutedAudio"].get<bool>()) << s.dump();
    }
  EXPECT_TRUE(found);

  ASSERT_EQ(
      host.Call("POST", "/api/v1/conferences/hop/sites/huyen-1/mute", {{"audio", false}}).status,
      200);
  Wav restored = c.Record(1.0);
  EXPECT_GT(ToneShare(Tail(restored, 0.5), 440), 0.05) << "unmuting did not bring A back";

  ASSERT_EQ(host.Call("POST", "/api/v1/conferences/hop/mute-all", {{"muted", true}}).status, 200);
  EXPECT_TRUE(c.WaitHearing([](const Wav& w) { return ToneShare(w, 440) < 0.01; }, seconds(3)))
      << "A is still heard 3 s after mute-all";
  Wav a_hears = a.Record(1.0), c_hears = c.Record(1.0);
  EXPECT_GT(ToneShare(a_hears, 1000), 0.05) << "the host site was muted too";
  EXPECT_LT(ToneShare(a_hears, 660), 0.01) << "B is still heard";
  EXPECT_LT(ToneShare(c_hears, 440), 0.01) << "A is still heard";
  EXPECT_LT(ToneShare(c_hears, 660), 0.01) << "B is still heard";

  std::vector<std::string> actions;
  for (const auto& e : host.Call("GET", "/api/v1/audit").body) actions.push_back(e["action"]);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "mute"), 2)
      << "the technician's refused mute is not an action";
  EXPECT_EQ(actions.front(), "mute-all");
}

// The console's live preview: a host joins /api/v1/preview without a site token and receives the
// full mix (every site's tone); whatever it sends is heard by nobody; it is no site (not on the
// roll-call) but every preview is shown to the conference: a viewer on the live view and the
// roll-call, announced on the feed, its start audited; without a session it is refused; it leaves
// when the conference ends, and that end is audited too.
TEST(Control, APreviewHearsEveryoneIsHeardByNobodyAndIsShownAsAViewer) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  RestClient tech(mcu.port(), mcu.ca());
  ASSERT_TRUE(tech.Login("kythuat", kTechnicianPassword));
  auto created = host.Call("POST", "/api/v1/conferences", Meeting("xem", {"huyen-1", "huyen-2"}));
  ASSERT_EQ(created.status, 201) << created.body.dump();
  ASSERT_TRUE(
      WaitUntil([&] { return host.Call("GET", "/api/v1/conferences/xem").body["state"] == "open"; },
                seconds(5)));

  const std::string url = "wss://127.0.0.1:" + std::to_string(mcu.port()) + "/api/v1/preview";
  TestWs stranger(url, mcu.ca());
  EXPECT_FALSE(stranger.Open(seconds(5))) << "a preview opened without a session";
  TestWs token_only(url, mcu.ca(), "mcu_session=not-a-session");
  EXPECT_FALSE(token_only.Open(seconds(5))) << "a preview opened with a forged session";
  {
    TestWs probe(url, mcu.ca(), "mcu_session=" + host.cookie());
    ASSERT_TRUE(probe.Open());
    probe.Send({{"type", "auth"}, {"token", "demo-huyen-3"}});
    auto refused = probe.WaitFor("error");
    ASSERT_TRUE(refused);
    EXPECT_EQ((*refused)["code"], "conflict") << refused->dump();
    probe.Send({{"type", "join"}, {"conference", "echo"}});
    auto echo = probe.WaitFor("error");
    ASSERT_TRUE(echo);
    EXPECT_EQ((*echo)["code"], "conflict") << "an echo conference was previewed: " << echo->dump();
    probe.Send({{"type", "join"}, {"conference", "khong-co"}});
    auto missing = probe.WaitFor("error");
    ASSERT_TRUE(missing);
    EXPECT_EQ((*missing)["code"], "not_found");
  }

  TestWs feed("wss://127.0.0.1:" + std::to_string(mcu.port()) + "/api/v1/events", mcu.ca(),
              "mcu_session=" + tech.cookie());
  ASSERT_TRUE(feed.Open());
  ASSERT_TRUE(feed.WaitFor("hello"));
  SiteMedia local;  // The in-process sites' loop and DTLS identity.
  ASSERT_TRUE(local.ok());
  AudioSite a(&local.loop, local.dtls, mcu, "demo-huyen-1", 440);
  AudioSite b(&local.loop, local.dtls, mcu, "demo-huyen-2", 660);
  auto preview = AudioSite::Preview(&local.loop, local.dtls, mcu, host.cookie(),
                                    1500);  // Sends a tone: must be dropped.
  for (AudioSite* s : {&a, &b, preview.get()})
    ASSERT_TRUE(s->Join("xem")) << s->error() << mcu.Log();
  for (AudioSite* s : {&a, &b, preview.get()}) ASSERT_TRUE(s->WaitConnected()) << mcu.Log();
  ASSERT_TRUE(preview->WaitHearing([](const Wav& w) {
    return ToneShare(w, 440) > 0.05 && ToneShare(w, 660) > 0.05;
  })) << "the preview does not hear A and B";

  Wav watched = preview->Record(1);
  EXPECT_GT(ToneShare(watched, 440), 0.05) << "the preview does not hear A";
  EXPECT_GT(ToneShare(watched, 660), 0.05) << "the preview does not hear B";
  Wav heard_by_a = a.Record(1);
  EXPECT_GT(ToneShare(heard_by_a, 660), 0.05) << "A does not hear B";
  EXPECT_LT(ToneShare(heard_by_a, 1500), 0.01) << "A hears what the preview sends";
  EXPECT_LT(ToneShare(b.Record(1), 1500), 0.01) << "B hears what the preview sends";

  json roll = host.Call("GET", "/api/v1/conferences/xem/roll-call").body;
  ASSERT_EQ(roll["sites"].size(), 2u) << "the preview is on the roll-call: " << roll.dump();
  for (const auto& site : roll["sites"]) EXPECT_NE(site["site"], "") << roll.dump();
  // Shown to the conference: a viewer on the roll-call and the live view (a technician sees who
  // watches), and on the sites' roster.
  EXPECT_EQ(roll["viewers"], json{"chutri"}) << roll.dump();
  EXPECT_EQ(tech.Call("GET", "/api/v1/conferences/xem").body["viewers"], json{"chutri"});
  bool counted = false;
  for (int i = 0; i < 20 && !counted; ++i) {
    auto r = a.WaitEvent("roster", seconds(5));
    if (!r) break;
    counted = (*r)["viewers"] == 1;
  }
  EXPECT_TRUE(counted) << "the sites' roster does not count the viewer";
  bool announced = false;
  for (int i = 0; i < 20 && !announced; ++i) {
    auto r = feed.WaitFor("roster", seconds(5));
    if (!r) break;
    announced = (*r)["conference"] == "xem" && (*r)["viewers"] == json{"chutri"};
  }
  EXPECT_TRUE(announced) << "the feed did not announce the viewer";
  json audit = host.Call("GET", "/api/v1/audit?limit=20").body;
  bool audited = false;
  for (const auto& e : audit)
    audited |= e["actor"] == "chutri" && e["action"] == "preview" && e["target"] == "xem";
  EXPECT_TRUE(audited) << audit.dump();

  // A site's history over the whole conference: 10 s steps (the last minutes: a point a second).
  json whole = tech.Call("GET", "/api/v1/conferences/xem/sites/huyen-1/history?seconds=86400").body;
  EXPECT_EQ(whole["stepS"], 10) << whole.dump();
  ASSERT_FALSE(whole["atMs"].empty()) << whole.dump();
  EXPECT_EQ(whole["atMs"][0].get<int64_t>() % 10000, 0) << whole.dump();
  EXPECT_EQ(
      tech.Call("GET", "/api/v1/conferences/xem/sites/huyen-1/history?seconds=5").body["stepS"], 1);

  // Ending the conference ends the preview too.
  ASSERT_EQ(host.Call("POST", "/api/v1/conferences/xem/stop").status, 200);
  auto left = preview->WaitEvent("left");
  ASSERT_TRUE(left) << "the preview was not told it left";
  EXPECT_EQ((*left)["conference"], "xem");
  EXPECT_EQ((*left)["reason"], "the host ended the conference");
  EXPECT_TRUE(HasAudit(host, "chutri", "preview-end", "xem"));
}

// A technician sees stream health, not content: the preview socket opens (its session is good)
// but joining a conference is refused, with the reason, and the refusal is audited. A preview of
// a locked conference is refused even to its host, until the host unlocks it.
TEST(Control, ATechnicianMayNotPreviewNorAnyoneALockedConference) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  RestClient tech(mcu.port(), mcu.ca());
  ASSERT_TRUE(tech.Login("kythuat", kTechnicianPassword));
  ASSERT_EQ(host.Call("POST", "/api/v1/conferences", Meeting("kin", {"huyen-1"})).status, 201);
  ASSERT_TRUE(
      WaitUntil([&] { return host.Call("GET", "/api/v1/conferences/kin").body["state"] == "open"; },
                seconds(5)));
  const std::string url = "wss://127.0.0.1:" + std::to_string(mcu.port()) + "/api/v1/preview";

  TestWs technician(url, mcu.ca(), "mcu_session=" + tech.cookie());
  ASSERT_TRUE(technician.Open());
  technician.Send({{"type", "join"}, {"conference", "kin"}});
  auto refused = technician.WaitFor("error");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["code"], "forbidden") << refused->dump();
  EXPECT_NE((*refused)["message"].get<std::string>().find("a technician sees stream health"),
            std::string::npos)
      << refused->dump();
  EXPECT_TRUE(host.Call("GET", "/api/v1/conferences/kin").body["viewers"].empty());
  EXPECT_TRUE(HasAudit(host, "kythuat", "preview-refused", "kin"));

  ASSERT_EQ(host.Call("PUT", "/api/v1/conferences/kin/lock", {{"locked", true}}).status, 200);
  TestWs locked(url, mcu.ca(), "mcu_session=" + host.cookie());
  ASSERT_TRUE(locked.Open());
  locked.Send({{"type", "join"}, {"conference", "kin"}});
  auto lock_refusal = locked.WaitFor("error");
  ASSERT_TRUE(lock_refusal);
  EXPECT_EQ((*lock_refusal)["code"], "forbidden") << lock_refusal->dump();
  EXPECT_NE((*lock_refusal)["message"].get<std::string>().find("is locked"), std::string::npos)
      << lock_refusal->dump();
  EXPECT_TRUE(HasAudit(host, "chutri", "preview-refused", "kin"));

  ASSERT_EQ(host.Call("PUT", "/api/v1/conferences/kin/lock", {{"locked", false}}).status, 200);
  locked.Send({{"type", "join"}, {"conference", "kin"}});
  ASSERT_TRUE(locked.WaitFor("joined")) << "the host could not preview once it unlocked";
  EXPECT_EQ(host.Call("GET", "/api/v1/conferences/kin").body["viewers"], json{"chutri"});
}

// The console's feed and a preview live only as long as the session that opened them: a logout,
// a new password, a new role and deleting the user each close both sockets, and the preview
// leaves its conference (its viewer is gone, its end audited).
TEST(Control, TheFeedAndAPreviewCloseWhenTheirSessionEndsOrTheUserChanges) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RestClient admin(mcu.port(), mcu.ca());
  ASSERT_TRUE(admin.Login("quantri", kAdminPassword));
  ASSERT_EQ(admin
                .Call("POST", "/api/v1/users",
                      {{"login", "chutri-2"},
                       {"name", "Chủ trì 2"},
                       {"role", "host"},
                       {"password", "mat-khau-1"}})
                .status,
            201);
  ASSERT_EQ(admin.Call("POST", "/api/v1/conferences", Meeting("phien", {"huyen-1"})).status, 201);
  ASSERT_TRUE(WaitUntil(
      [&] { return admin.Call("GET", "/api/v1/conferences/phien").body["state"] == "open"; },
      seconds(5)));
  const std::string base = "wss://127.0.0.1:" + std::to_string(mcu.port());
  auto viewers = [&] { return admin.Call("GET", "/api/v1/conferences/phien").body["viewers"]; };

  struct Sockets {
    std::unique_ptr<TestWs> feed, preview;
  };
  // Logs in as chutri-2 with `password`, opens the feed and a preview of "phien" (joined if
  // `join`), and returns them with the client.
  auto open = [&](RestClient& user, const std::string& password, bool join) {
    Sockets s;
    EXPECT_TRUE(user.Login("chutri-2", password));
    s.feed =
        std::make_unique<TestWs>(base + "/api/v1/events", mcu.ca(), "mcu_session=" + user.cookie());
    s.preview = std::make_unique<TestWs>(base + "/api/v1/preview", mcu.ca(),
                                         "mcu_session=" + user.cookie());
    EXPECT_TRUE(s.feed->Open());
    EXPECT_TRUE(s.feed->WaitFor("hello"));
    EXPECT_TRUE(s.preview->Open());
    if (join) {
      s.preview->Send({{"type", "join"}, {"conference", "phien"}});
      EXPECT_TRUE(s.preview->WaitFor("joined"));
      EXPECT_EQ(viewers(), json{"chutri-2"});
    }
    return s;
  };
  auto closed = [&](Sockets& s, const std::string& why) {
    EXPECT_TRUE(s.feed->WaitClosed()) << "the feed stayed open after " << why;
    EXPECT_TRUE(s.preview->WaitClosed()) << "the preview stayed open after " << why;
    EXPECT_TRUE(WaitUntil([&] { return viewers().empty(); }, seconds(5)))
        << "the preview still watches after " << why << ": " << viewers();
  };

  {  // Logout.
    RestClient user(mcu.port(), mcu.ca());
    Sockets s = open(user, "mat-khau-1", true);
    ASSERT_EQ(user.Call("DELETE", "/api/v1/session").status, 200);
    closed(s, "a logout");
    EXPECT_TRUE(HasAudit(admin, "chutri-2", "preview-end", "phien"));
  }
  {  // A new password, set by an administrator.
    RestClient user(mcu.port(), mcu.ca());
    Sockets s = open(user, "mat-khau-1", true);
    ASSERT_EQ(admin.Call("PUT", "/api/v1/users/chutri-2", {{"password", "mat-khau-2"}}).status,
              200);
    closed(s, "a new password");
  }
  {  // Another role.
    RestClient user(mcu.port(), mcu.ca());
    Sockets s = open(user, "mat-khau-2", true);
    ASSERT_EQ(admin.Call("PUT", "/api/v1/users/chutri-2", {{"role", "technician"}}).status, 200);
    closed(s, "a new role");
  }
  {  // The user deleted (a technician now: the preview socket is open, not joined).
    RestClient user(mcu.port(), mcu.ca());
    Sockets s = open(user, "mat-khau-2", false);
    ASSERT_EQ(admin.Call("DELETE", "/api/v1/users/chutri-2").status, 200);
    closed(s, "the user's deletion");
  }
}

// Only a page of the MCU's own origin may open the console's sockets: an upgrade with another
// Origin, or with none (no browser sends that), is refused whatever its cookie.
TEST(Control, TheConsoleSocketsAreRefusedWithoutTheMcusOwnOrigin) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  const std::string base = "wss://127.0.0.1:" + std::to_string(mcu.port());
  const std::string cookie = "mcu_session=" + host.cookie();
  for (const char* path : {"/api/v1/events", "/api/v1/preview"}) {
    TestWs none(base + path, mcu.ca(), cookie, TestWs::kNoOrigin);
    EXPECT_FALSE(none.Open(seconds(5))) << path << " opened without an Origin";
    TestWs foreign(base + path, mcu.ca(), cookie, "https://example.org");
    EXPECT_FALSE(foreign.Open(seconds(5))) << path << " opened from another origin";
    TestWs own(base + path, mcu.ca(), cookie);
    EXPECT_TRUE(own.Open()) << path << " refused from the MCU's own origin";
  }
  EXPECT_NE(mcu.Log().find("origin (none) is not https://127.0.0.1"), std::string::npos)
      << mcu.Log();
  EXPECT_NE(mcu.Log().find("origin https://example.org is not"), std::string::npos);
}

// Roles are enforced on the server, a session is needed and, with the cookie, a CSRF token;
// API tokens work without one; concurrent control calls leave a state that matches the audit.
TEST(Control, RolesSessionsAndCsrfAreEnforcedAndConcurrentCallsStayConsistent) {
  McuOptions options;
  options.load_sites = 8;
  McuProcess mcu(options);
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RestClient anon(mcu.port(), mcu.ca());
  EXPECT_EQ(anon.Call("GET", "/api/v1/conferences").status, 401);
  EXPECT_EQ(anon.Call("POST", "/api/v1/conferences", json::array()).status, 401)
      << "401 whatever the body";
  anon.set_cookie("forged-session-value");
  EXPECT_EQ(anon.Call("GET", "/api/v1/conferences").status, 401);
  anon.set_cookie("");
  anon.set_bearer("not-a-token");
  EXPECT_EQ(anon.Call("GET", "/api/v1/sites").status, 401);
  RestClient wrong(mcu.port(), mcu.ca());
  EXPECT_FALSE(wrong.Login("chutri", "wrong password"));
  EXPECT_EQ(wrong.Call("POST", "/api/v1/session", {{"login", 1}}).status, 400);

  RestClient tech(mcu.port(), mcu.ca());
  ASSERT_TRUE(tech.Login("kythuat", kTechnicianPassword));
  EXPECT_EQ(tech.Call("GET", "/api/v1/conferences").status, 200);
  EXPECT_EQ(tech.Call("GET", "/api/v1/audit").status, 200);
  EXPECT_EQ(tech.Call("POST", "/api/v1/conferences", Meeting("x", {"huyen-1"})).status, 403);
  EXPECT_EQ(tech.Call("PUT", "/api/v1/conferences/mix/layout", {{"layout", "speaker"}}).status,
            403);
  EXPECT_EQ(tech.Call("GET", "/api/v1/users").status, 403);

  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  EXPECT_EQ(
      host.Call("POST", "/api/v1/conferences", Meeting("x", {"huyen-1"}), /*csrf=*/false).status,
      403);
  EXPECT_EQ(host.Call("POST", "/api/v1/sites", {{"id", "moi"}, {"name", "Mới"}}).status, 403)
      << "hosts do not manage sites";
  EXPECT_EQ(host.Call("GET", "/api/v1/settings").status, 403)
      << "only administrators see the settings";
  auto bad = host.Call("POST", "/api/v1/conferences",
                       {{"id", "y"}, {"title", "Y"}, {"start", "mai"}, {"end", "kia"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body["error"].get<std::string>().find("ISO 8601"), std::string::npos)
      << bad.body.dump();
  EXPECT_EQ(host.Call("GET", "/api/v1/conferences/khong-co").status, 404);
  // A one-off meeting already over, a start without an end, a body over 64 KiB.
  json past = Meeting("da-qua", {"huyen-1"});
  past["start"] = "2020-01-06T08:00+07:00", past["end"] = "2020-01-06T09:00+07:00";
  auto over = host.Call("POST", "/api/v1/conferences", past);
  EXPECT_EQ(over.status, 400);
  EXPECT_NE(over.body.dump().find("in the past"), std::string::npos) << over.body.dump();
  json no_end = Meeting("thieu", {"huyen-1"});
  no_end.erase("end");
  EXPECT_EQ(host.Call("POST", "/api/v1/conferences", no_end).status, 400);
  auto big =
      host.Call("POST", "/api/v1/conferences", {{"id", "lon"}, {"title", std::string(70000, 'x')}});
  EXPECT_EQ(big.status, 413) << big.body.dump();
  EXPECT_EQ(host.Call("GET", "/api/v1/conferences/khong-co").status, 404)
      << "the MCU still answers";
  EXPECT_EQ(wrong.Call("POST", "/api/v1/session", {{"login", "chutri"}}).status, 400)
      << "no password";

  // An API token: no cookie, no CSRF token.
  auto token = host.Call("POST", "/api/v1/tokens", {{"name", "script"}});
  ASSERT_EQ(token.status, 201) << token.body.dump();
  RestClient script(mcu.port(), mcu.ca());
  script.set_bearer(token.body["token"]);
  std::vector<std::string> sites;
  for (int i = 1; i <= 8; ++i) sites.push_back("load-" + std::to_string(i));
  ASSERT_EQ(script.Call("POST", "/api/v1/conferences", Meeting("dong-thoi", sites)).status, 201);
  EXPECT_EQ(
      script.Call("PUT", "/api/v1/conferences/dong-thoi/spotlight", {{"site", "huyen-3"}}).status,
      409)
      << "huyen-3 is neither invited nor in";
  EXPECT_EQ(
      script.Call("PUT", "/api/v1/conferences/dong-thoi/spotlight", {{"site", "load-2"}}).status,
      200);

  // Eight clients at once, each toggling one site's mute and the conference's layout and lock.
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      RestClient c(mcu.port(), mcu.ca());
      c.set_bearer(token.body["token"]);
      const char* layouts[] = {"grid", "speaker", "single", "presenter"};
      for (int i = 0; i < 6; ++i) {
        ok += c.Call("POST", "/api/v1/conferences/dong-thoi/sites/" + sites[t] + "/mute",
                     {{"audio", i % 2 == 0}, {"video", i % 3 == 0}})
                  .status == 200;
        ok += c.Call("PUT", "/api/v1/conferences/dong-thoi/layout",
                     {{"layout", layouts[(t + i) % 4]}})
                  .status == 200;
        ok += c.Call("PUT", "/api/v1/conferences/dong-thoi/lock", {{"locked", (t + i) % 2 == 0}})
                  .status == 200;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8 * 6 * 3);
  auto audit = host.Call("GET", "/api/v1/audit?limit=1000").body;
  std::map<std::string, json> last_mute;
  std::string last_layout, last_lock;
  int mutes = 0;
  for (auto it = audit.rbegin(); it != audit.rend(); ++it) {  // Oldest first.
    const auto& a = *it;
    if (a["action"] == "mute") ++mutes, last_mute[a["target"]] = a["detail"];
    if (a["action"] == "layout") last_layout = a["detail"]["layout"];
    if (a["action"] == "lock" || a["action"] == "unlock") last_lock = a["action"];
  }
  EXPECT_EQ(mutes, 48);
  auto conf = host.Call("GET", "/api/v1/conferences/dong-thoi").body;
  EXPECT_EQ(conf["layout"], last_layout);
  EXPECT_EQ(conf["locked"].get<bool>(), last_lock == "lock");
  for (const auto& s : conf["sites"]) {
    const json& d = last_mute["dong-thoi/" + s["site"].get<std::string>()];
    EXPECT_EQ(s["mutedAudio"], d["audio"]) << s.dump();
    EXPECT_EQ(s["mutedVideo"], d["video"]) << s.dump();
  }

  // An API token has no session to end.
  EXPECT_EQ(script.Call("DELETE", "/api/v1/session").status, 409);
  EXPECT_EQ(script.Call("GET", "/api/v1/conferences").status, 200);

  // Logging out ends the session.
  ASSERT_EQ(host.Call("DELETE", "/api/v1/session").status, 200);
  EXPECT_EQ(host.Call("GET", "/api/v1/conferences").status, 401);

  // A new password ends the user's other sessions and revokes their API tokens (mcu/auth.h).
  RestClient admin(mcu.port(), mcu.ca());
  ASSERT_TRUE(admin.Login("quantri", kAdminPassword));
  // The settings an administrator sees: what the MCU runs on, and no secret.
  auto settings = admin.Call("GET", "/api/v1/settings");
  ASSERT_EQ(settings.status, 200) << settings.body.dump();
  EXPECT_EQ(settings.body["server"]["timeZone"], "Asia/Ho_Chi_Minh");
  EXPECT_EQ(settings.body["alarms"]["lossCriticalPct"], 5.0);
  EXPECT_EQ(settings.text.find("sha256:"), std::string::npos) << settings.text;
  EXPECT_EQ(settings.text.find("argon2"), std::string::npos) << settings.text;
  EXPECT_EQ(settings.text.find("PRIVATE KEY"), std::string::npos) << settings.text;
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  ASSERT_EQ(admin.Call("PUT", "/api/v1/users/chutri", {{"password", "mat-khau-moi-2026"}}).status,
            200);
  EXPECT_EQ(host.Call("GET", "/api/v1/conferences").status, 401);
  EXPECT_FALSE(host.Login("chutri", kHostPassword));
  EXPECT_TRUE(host.Login("chutri", "mat-khau-moi-2026"));
  EXPECT_EQ(script.Call("GET", "/api/v1/conferences").status, 401);
}

// After the MCU dies, everything stored is there when it comes back (sites, users,
// conferences, audit rows), the conference in progress resumes, and its rooms come back into it
// by themselves.
TEST(Control, AfterACrashEverythingIsThereAndTheConferenceResumes) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RestClient admin(mcu.port(), mcu.ca());
  ASSERT_TRUE(admin.Login("quantri", kAdminPassword));
  auto site = admin.Call("POST", "/api/v1/sites",
                         {{"id", "huyen-moi"},
                          {"name", "Huyện Mới"},
                          {"level", "district"},
                          {"network", "WAN huyện 10.20.9.0/24"},
                          {"bandwidthKbps", 4000}});
  ASSERT_EQ(site.status, 201) << site.body.dump();
  EXPECT_EQ(site.body["site"]["network"], "WAN huyện 10.20.9.0/24");
  EXPECT_EQ(site.body["site"]["bandwidthKbps"], 4000);
  EXPECT_EQ(admin.Call("PUT", "/api/v1/sites/huyen-moi", {{"bandwidthKbps", -1}}).status, 400);
  EXPECT_EQ(admin.Call("PUT", "/api/v1/sites/huyen-moi", {{"bandwidthKbps", "nhiều"}}).status, 400);
  std::string token = site.body["token"];
  ASSERT_EQ(admin
                .Call("POST", "/api/v1/users",
                      {{"login", "chutri2"},
                       {"name", "Chủ trì 2"},
                       {"role", "host"},
                       {"password", "mat-khau-2"}})
                .status,
            201);
  ASSERT_EQ(admin.Call("POST", "/api/v1/conferences", Meeting("tiep-tuc", {"tinh-1", "huyen-moi"}))
                .status,
            201);
  auto r1 = mcu.StartRoom("tinh-1", IdleRoom("demo-tinh-1", 440, "e01010"));
  auto r2 = mcu.StartRoom("huyen-moi", IdleRoom(token, 660, "10e010"));
  ASSERT_TRUE(AllIn(admin, "tiep-tuc", {"tinh-1", "huyen-moi"}, "video", seconds(30)))
      << RollCallText(admin, "tiep-tuc") << mcu.Log();
  ASSERT_EQ(admin.Call("POST", "/api/v1/conferences/tiep-tuc/sites/tinh-1/mute", {{"video", true}})
                .status,
            200);
  ASSERT_EQ(
      admin.Call("PUT", "/api/v1/conferences/tiep-tuc/layout", {{"layout", "speaker"}}).status,
      200);
  // Locked: only the sites that were in may come back, and after the crash they still may.
  ASSERT_EQ(admin.Call("PUT", "/api/v1/conferences/tiep-tuc/lock", {{"locked", true}}).status, 200);
  size_t audit_rows = admin.Call("GET", "/api/v1/audit").body.size();

  ASSERT_TRUE(mcu.Restart(/*crash=*/true)) << mcu.Log();
  admin.set_port(mcu.port());
  EXPECT_EQ(admin.Call("GET", "/api/v1/session").status, 200)
      << "the console session survives the restart";
  auto sites = admin.Call("GET", "/api/v1/sites").body;
  EXPECT_NE(sites.dump().find("Huyện Mới"), std::string::npos) << sites.dump();
  EXPECT_NE(admin.Call("GET", "/api/v1/users").body.dump().find("chutri2"), std::string::npos);
  auto audit = admin.Call("GET", "/api/v1/audit").body;
  EXPECT_GE(audit.size(), audit_rows);
  EXPECT_NE(audit.dump().find("create-site"), std::string::npos);
  auto conf = admin.Call("GET", "/api/v1/conferences/tiep-tuc").body;
  EXPECT_EQ(conf["state"], "open");
  EXPECT_EQ(conf["layout"], "speaker");
  EXPECT_TRUE(conf["locked"].get<bool>());
  // The rooms find the MCU again and are called back in.
  ASSERT_TRUE(AllIn(admin, "tiep-tuc", {"tinh-1", "huyen-moi"}, "video", seconds(45)))
      << RollCallText(admin, "tiep-tuc") << mcu.Log();
  json resumed = admin.Call("GET", "/api/v1/conferences/tiep-tuc").body;
  for (const auto& s : resumed["sites"]) {
    if (s["site"] == "tinh-1") {
      EXPECT_TRUE(s["mutedVideo"].get<bool>()) << "the mute was lost";
    }
  }
  auto records = admin.Call("GET", "/api/v1/call-records?conference=tiep-tuc").body;
  int restarted = 0;
  for (const auto& r : records) restarted += r["reason"] == "mcu restarted";
  EXPECT_EQ(restarted, 2) << records.dump();
  RestClient host2(mcu.port(), mcu.ca());
  EXPECT_TRUE(host2.Login("chutri2", "mat-khau-2"));
}

// What a site receives follows the host: a grid of everyone; then 1+N with the spotlighted site
// in the main tile; then voice-activated single with the spotlighted site on the whole canvas;
// then presenter, with a site's shared content (a second connection) in the main tile.
TEST(Control, SpotlightLayoutAndContentChangeTheTilesTheSitesReceive) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  struct Colour {
    const char* token;
    const char* hex;
    Rgb rgb;
  };
  const Colour red{"demo-huyen-1", "e01010", {224, 16, 16}},
      green{"demo-huyen-2", "10e010", {16, 224, 16}}, blue{"demo-huyen-3", "1010e0", {16, 16, 224}},
      yellow{"demo-tinh-1", "e0e010", {224, 224, 16}},
      magenta{"demo-huyen-2", "e010e0", {224, 16, 224}};
  std::vector<std::unique_ptr<Process>> rooms;
  for (const Colour* c : {&red, &green, &blue}) {  // One after the other: the join order is known.
    rooms.push_back(mcu.StartRoom(std::string("room-") + c->hex,
                                  {"--token", c->token, "--conference", "mix", "--color", c->hex,
                                   "--width", "320", "--height", "180"}));
    ASSERT_TRUE(
        WaitUntil([&] { return rooms.back()->Log().find("media connected") != std::string::npos; },
                  seconds(15)))
        << rooms.back()->Log();
  }
  int viewers = 0;
  // The composite a fourth site (yellow) receives a few seconds after it joins.
  auto view = [&]() -> Image {
    std::string png = mcu.dir() / ("view" + std::to_string(++viewers) + ".png");
    auto v = mcu.StartRoom(
        "viewer" + std::to_string(viewers),
        {"--token", yellow.token, "--conference", "mix", "--color", yellow.hex, "--width", "320",
         "--height", "180", "--snapshot", png, "--snapshot-at", "2.5", "--exit-after", "7"});
    EXPECT_EQ(v->Wait(seconds(40)), 0) << v->Log();
    Image img;
    std::string error;
    EXPECT_TRUE(ReadPng(png, &img, &error)) << error << v->Log();
    return img;
  };
  // The middle of a tile (away from the name bar at its bottom).
  auto centre = [](const Image& img, const media::Tile& t) {
    return img.Mean(t.x + t.width * 3 / 10, t.y + t.height / 5, t.width * 2 / 5, t.height * 2 / 5);
  };
  auto expect_tiles = [&](const Image& img, LayoutKind kind, std::vector<const Colour*> colours) {
    ASSERT_EQ(img.width, 1280);
    media::Layout layout = media::ComputeLayout(kind, static_cast<int>(colours.size()), 1280, 720);
    if (kind == LayoutKind::kSingle) colours.resize(1);
    ASSERT_EQ(layout.tiles.size(), colours.size());
    for (size_t i = 0; i < colours.size(); ++i) {
      Rgb got = centre(img, layout.tiles[i]);
      EXPECT_TRUE(Near(got, colours[i]->rgb, 40))
          << "tile " << i << " (" << layout.tiles[i].x << "," << layout.tiles[i].y << " "
          << layout.tiles[i].width << "x" << layout.tiles[i].height << ") is " << got.r << ","
          << got.g << "," << got.b << ", not #" << colours[i]->hex;
    }
  };

  expect_tiles(view(), LayoutKind::kGrid, {&red, &green, &blue, &yellow});

  ASSERT_EQ(host.Call("PUT", "/api/v1/conferences/mix/layout", {{"layout", "speaker"}}).status,
            200);
  ASSERT_EQ(host.Call("PUT", "/api/v1/conferences/mix/spotlight", {{"site", "huyen-3"}}).status,
            200);
  expect_tiles(view(), LayoutKind::kSpeaker, {&blue, &red, &green, &yellow});

  ASSERT_EQ(host.Call("PUT", "/api/v1/conferences/mix/layout", {{"layout", "single"}}).status, 200);
  ASSERT_EQ(host.Call("PUT", "/api/v1/conferences/mix/spotlight", {{"site", "huyen-1"}}).status,
            200);
  expect_tiles(view(), LayoutKind::kSingle, {&red});

  // huyen-2 shares content: a second connection with its token.
  ASSERT_EQ(host.Call("PUT", "/api/v1/conferences/mix/spotlight", {{"site", ""}}).status, 200);
  ASSERT_EQ(host.Call("PUT", "/api/v1/conferences/mix/layout", {{"layout", "presenter"}}).status,
            200);
  auto content = mcu.StartRoom("content", {"--token", magenta.token, "--content", "--color",
                                           magenta.hex, "--width", "640", "--height", "360"});
  ASSERT_TRUE(WaitUntil([&] { return content->Log().find("media connected") != std::string::npos; },
                        seconds(15)))
      << content->Log() << mcu.Log();
  auto live = host.Call("GET", "/api/v1/conferences/mix").body;
  bool sharing = false;
  for (const auto& s : live["sites"]) sharing |= s["site"] == "huyen-2" && s["content"].get<bool>();
  EXPECT_TRUE(sharing) << live.dump();
  EXPECT_EQ(rooms[1]->Log().find("offer"), rooms[1]->Log().rfind("offer"))
      << "the sharing site's own session was renegotiated";
  expect_tiles(view(), LayoutKind::kPresenter, {&magenta, &red, &green, &blue, &yellow});
}

}  // namespace
}  // namespace mcu::test
