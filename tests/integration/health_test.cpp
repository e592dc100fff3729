// Stream health under real impairment: one mcu-room in its own network namespace, joined to the
// MCU's by a veth pair, behind 5% loss and 100 ms delay on its way to the MCU (tc netem where the
// kernel has it, else mcu-impair through NFQUEUE); two more rooms on loopback. What the MCU
// measures, the alarms it raises and clears, /metrics and the call record are checked against
// what was applied.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/files.h"
#include "tests/support/mcu_fixture.h"
#include "tests/support/rest_client.h"
#include "tests/support/ws_client.h"

namespace mcu::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

int Sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

// iproute2's `ip`, by path (Process does not search PATH).
std::string IpBin() {
  for (const char* p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
    if (access(p, X_OK) == 0) return p;
  return "ip";
}

// A namespace "room side" with one veth to the host: host 10.77.N.1, room 10.77.N.2.
class Netns {
 public:
  Netns() {
    int n = static_cast<int>(getpid() % 200) + 20;
    name_ = "mcu-it-" + std::to_string(getpid());
    host_if_ = "mh" + std::to_string(getpid());
    room_if_ = "mr" + std::to_string(getpid());
    host_ip_ = "10.77." + std::to_string(n) + ".1";
    room_ip_ = "10.77." + std::to_string(n) + ".2";
    if (Sh("ip netns add " + name_) != 0) return;
    created_ = true;
    ok_ = Sh("ip link add " + host_if_ + " type veth peer name " + room_if_) == 0 &&
          Sh("ip link set " + room_if_ + " netns " + name_) == 0 &&
          Sh("ip addr add " + host_ip_ + "/24 dev " + host_if_) == 0 &&
          Sh("ip link set " + host_if_ + " up") == 0 &&
          Sh(Exec("ip addr add " + room_ip_ + "/24 dev " + room_if_)) == 0 &&
          Sh(Exec("ip link set " + room_if_ + " up")) == 0 && Sh(Exec("ip link set lo up")) == 0;
  }
  ~Netns() {
    Clear();
    if (created_) Sh("ip netns del " + name_);
    Sh("ip link del " + host_if_);
  }
  bool ok() const { return ok_; }
  std::string Exec(const std::string& cmd) const { return "ip netns exec " + name_ + " " + cmd; }
  const std::string& name() const { return name_; }
  const std::string& host_ip() const { return host_ip_; }
  const std::string& room_ip() const { return room_ip_; }

  // Loss and delay on everything the room sends. Returns how it was applied, or "" if it could
  // not be.
  std::string Impair(double loss_pct, int delay_ms) {
    if (Sh(Exec("tc qdisc add dev " + room_if_ + " root netem loss " + std::to_string(loss_pct) +
                "% delay " + std::to_string(delay_ms) + "ms")) == 0) {
      netem_ = true;
      return "tc netem";
    }
#ifdef MCU_IMPAIR_BIN
    // --queue-bypass: once mcu-impair is gone, packets pass again.
    if (Sh(Exec("iptables -A OUTPUT -p udp -j NFQUEUE --queue-num 7 --queue-bypass")) != 0)
      return "";
    impair_ = std::make_unique<Process>(
        std::vector<std::string>{IpBin(), "netns", "exec", name_, MCU_IMPAIR_BIN, "--queue", "7",
                                 "--delay-ms", std::to_string(delay_ms), "--loss",
                                 std::to_string(loss_pct / 100), "--seed", "6"},
        "/tmp/" + name_ + "-impair.log");
    return "mcu-impair (NFQUEUE; this kernel has no netem)";
#else
    return "";
#endif
  }
  void Clear() {
    if (netem_) Sh(Exec("tc qdisc del dev " + room_if_ + " root"));
    netem_ = false;
    if (impair_) {
      Sh(Exec("iptables -D OUTPUT -p udp -j NFQUEUE --queue-num 7 --queue-bypass"));
      impair_.reset();
    }
  }

 private:
  std::string name_, host_if_, room_if_, host_ip_, room_ip_;
  bool created_ = false, ok_ = false, netem_ = false;
  std::unique_ptr<Process> impair_;
};

const json* SiteIn(const json& stats, const std::string& site) {
  for (const auto& s : stats["sites"])
    if (s.value("site", "") == site && !s.value("content", false)) return &s;
  return nullptr;
}

// Prometheus text format (0.0.4): every sample line is `name{labels} value`; returns the samples
// as (name, labels) -> value, or fails the test on a malformed line.
std::map<std::pair<std::string, std::map<std::string, std::string>>, double> ParseMetrics(
    const std::string& text) {
  std::map<std::pair<std::string, std::map<std::string, std::string>>, double> out;
  static const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$)");
  static const std::regex label(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)")re");
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      EXPECT_TRUE(line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) << line;
      continue;
    }
    std::smatch m;
    if (!std::regex_match(line, m, sample)) {
      ADD_FAILURE() << "not a Prometheus sample: " << line;
      continue;
    }
    std::map<std::string, std::string> labels;
    std::string l = m[3];
    for (auto it = std::sregex_iterator(l.begin(), l.end(), label); it != std::sregex_iterator();
         ++it)
      labels[(*it)[1]] = (*it)[2];
    out[{m[1], labels}] = std::stod(m[4]);
  }
  return out;
}

TEST(Health, ImpairedSiteIsMeasuredAlarmedAndRecordedWhileOthersFlow) {
  if (geteuid() != 0 || Sh("ip netns list") != 0)
    GTEST_SKIP() << "needs root and `ip netns` (iproute2)";
  Netns ns;
  if (!ns.ok())
    GTEST_SKIP() << "`ip netns add` / veth unavailable here: cannot put a room behind its own link";

  McuOptions o;
  o.listen = "0.0.0.0";
  o.ice_addresses = {"127.0.0.1", ns.host_ip()};
  McuProcess mcu(o);
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RestClient tech(mcu.port(), mcu.ca());
  ASSERT_TRUE(tech.Login("kythuat", kTechnicianPassword));
  TestWs feed("wss://127.0.0.1:" + std::to_string(mcu.port()) + "/api/v1/events", mcu.ca(),
              "mcu_session=" + tech.cookie());
  ASSERT_TRUE(feed.Open());

  auto a = mcu.StartRoom("tinh-1", {"--token", "demo-tinh-1", "--conference", "mix", "--color",
                                    "ff0000", "--width", "320", "--height", "180"});
  auto b = mcu.StartRoom("huyen-2", {"--token", "demo-huyen-2", "--conference", "mix", "--color",
                                     "00ff00", "--width", "320", "--height", "180"});
  Process impaired({IpBin(),
                    "netns",
                    "exec",
                    ns.name(),
                    RoomBin(),
                    "--display",
                    "none",
                    "--speaker",
                    "none",
                    "--url",
                    "wss://" + ns.host_ip() + ":" + std::to_string(mcu.port()) + "/ws",
                    "--pin",
                    mcu.tls_fingerprint(),
                    "--ice-address",
                    ns.room_ip(),
                    "--token",
                    "demo-huyen-1",
                    "--conference",
                    "mix",
                    "--color",
                    "0000ff",
                    "--width",
                    "320",
                    "--height",
                    "180"},
                   mcu.dir() / "huyen-1.log");
  // On failure, what the MCU and the impaired room said.
  struct Dump {
    McuProcess& mcu;
    Process& room;
    ~Dump() {
      if (::testing::Test::HasFailure())
        std::cout << "---- mcu\n" << mcu.Log() << "---- huyen-1\n" << room.Log();
    }
  } dump{mcu, impaired};
  for (Process* p : {a.get(), b.get(), &impaired})
    ASSERT_TRUE(
        WaitUntil([&] { return p->Log().find("media connected") != std::string::npos; }, 20s))
        << p->Log();

  auto stats = [&] {
    auto r = tech.Call("GET", "/api/v1/conferences/mix/stats");
    EXPECT_EQ(r.status, 200) << r.text;
    return r.body;
  };
  // Clean link first: the site's media flows over its own link, with no loss.
  ASSERT_TRUE(WaitUntil(
      [&] {
        json s = stats();
        const json* h = SiteIn(s, "huyen-1");
        return h && (*h)["videoIn"].value("fps", 0.0) > 10;
      },
      10s, 500ms));
  {
    json s = stats();
    const json* h = SiteIn(s, "huyen-1");
    EXPECT_NE((*h)["ice"].value("remote", "").find(ns.room_ip()), std::string::npos) << h->dump();
    EXPECT_EQ((*h).value("dtls", ""), "connected");
    EXPECT_FALSE((*h).value("srtp", "").empty());
    EXPECT_EQ((*h)["videoIn"].value("codec", ""), "VP8");
    EXPECT_GT((*h)["videoIn"].value("keyframes", 0), 0);
    EXPECT_LT((*h)["audioIn"].value("lossPct", 100.0), 1.0);
  }

  const int64_t impaired_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
  std::string how = ns.Impair(5, 100);
  ASSERT_FALSE(how.empty()) << "neither tc netem nor mcu-impair could impair the link";
  std::cout << "impairment by " << how << "\n";
  // Loss is measured over a 10 s window of one-second samples: wait until the site's history
  // holds 10 samples taken wholly under the impairment, then read it.
  ASSERT_TRUE(WaitUntil(
      [&] {
        json h = tech.Call("GET", "/api/v1/conferences/mix/sites/huyen-1/history?seconds=12").body;
        int impaired = 0;
        for (const auto& at : h.value("atMs", json::array()))
          impaired += at.get<int64_t>() >= impaired_at_ms + 1000;
        return impaired >= 10;
      },
      30s, 500ms));
  json during = stats();
  const json* h = SiteIn(during, "huyen-1");
  ASSERT_TRUE(h) << during.dump();
  double audio_loss = (*h)["audioIn"].value("lossPct", 0.0),
         video_loss = (*h)["videoIn"].value("lossPct", 0.0);
  double rtt = (*h).value("rttMs", -1.0);
  std::cout << "applied 5% / 100 ms; measured audio in " << audio_loss << "%, video in "
            << video_loss << "%, RTT " << rtt << " ms\n";
  // Random 5% loss over the 10 s window: the measured share spreads as a binomial over the
  // window's packets (a solid colour in VP8 is only ~25 packets a second); allow 3 sigma.
  auto spread = [&](const char* dir) {
    double n = std::max(1.0, 10 * (*h)[dir].value("packetsPerS", 0.0));
    return 3 * 100 * std::sqrt(0.05 * 0.95 / n) + 0.5;
  };
  EXPECT_NEAR(audio_loss, 5.0, spread("audioIn"))
      << "audio is not repaired: its loss is the link's";
  EXPECT_NEAR(video_loss, 5.0, spread("videoIn"))
      << "video loss counts packets a NACK brought back";
  EXPECT_NEAR(rtt, 100, 40);
  EXPECT_GT((*h)["videoIn"].value("nacks", 0), 0) << "the MCU asked for the lost video packets";
  // Since it joined (~14 s): the clean seconds first, then the loss.
  auto history = tech.Call("GET", "/api/v1/conferences/mix/sites/huyen-1/history");
  ASSERT_EQ(history.status, 200) << history.text;
  const json& hist_loss = history.body["audioIn"]["lossPct"];
  ASSERT_GE(hist_loss.size(), 12u);
  EXPECT_EQ(hist_loss.size(), history.body["atMs"].size());
  EXPECT_NEAR(hist_loss.back().get<double>(), audio_loss, 3);
  EXPECT_LT(hist_loss.front().get<double>(), 1.0) << "the clean seconds before";
  auto short_history = tech.Call("GET", "/api/v1/conferences/mix/sites/huyen-1/history?seconds=5");
  EXPECT_EQ(short_history.body["atMs"].size(), 5u);

  // The other sites: nothing lost, their frames keep advancing both ways.
  for (const char* other : {"tinh-1", "huyen-2"}) {
    const json* o1 = SiteIn(during, other);
    ASSERT_TRUE(o1);
    EXPECT_LT((*o1)["audioIn"].value("lossPct", 100.0), 0.5) << other;
    // Frame rates here are what a loaded 2-core machine lets the rooms encode: flowing is the
    // point.
    EXPECT_GT((*o1)["videoIn"].value("fps", 0.0), 5) << other;
    EXPECT_GT((*o1)["videoOut"].value("fps", 0.0), 5) << other;
  }
  json later;
  auto kept_coming = [&] {
    later = stats();
    for (const char* other : {"tinh-1", "huyen-2"})
      for (const char* dir : {"videoIn", "videoOut"})
        if (!SiteIn(later, other) ||
            (*SiteIn(later, other))[dir].value("frames", uint64_t{0}) <=
                (*SiteIn(during, other))[dir].value("frames", uint64_t{0}) + 10)
          return false;
    return true;
  };
  EXPECT_TRUE(WaitUntil(kept_coming, 10s, 500ms));
  for (const char* other : {"tinh-1", "huyen-2"}) {
    for (const char* dir : {"videoIn", "videoOut"}) {
      uint64_t before = (*SiteIn(during, other))[dir].value("frames", uint64_t{0});
      uint64_t after = (*SiteIn(later, other))[dir].value("frames", uint64_t{0});
      EXPECT_GT(after, before + 10) << other << " " << dir << ": its frames kept coming";
    }
  }

  // The loss alarm: on the feed, and stored with the conference.
  auto loss_alarm = [&](const std::string& state, int seconds) {
    for (int i = 0; i < seconds; ++i) {
      auto e = feed.WaitFor("alarm", 1s);
      if (e && e->value("kind", "") == "loss" && e->value("site", "") == "huyen-1" &&
          e->value("state", "") == state)
        return e;
    }
    return std::optional<json>();
  };
  ASSERT_TRUE(loss_alarm("raised", 40)) << "no loss alarm on the feed";
  auto active = tech.Call("GET", "/api/v1/alarms?conference=mix&active=true");
  ASSERT_EQ(active.status, 200);
  bool stored = false;
  for (const auto& al : active.body)
    stored |= al.value("kind", "") == "loss" && al.value("site", "") == "huyen-1" &&
              al.value("clearedMs", 1) == 0;
  EXPECT_TRUE(stored) << active.text;
  for (const auto& al : active.body)
    EXPECT_EQ(al.value("site", ""), "huyen-1") << "only the impaired site: " << al;

  // /metrics parses and shows the same figures as the statistics of the same second.
  RestClient scrape(mcu.port(), mcu.ca());
  scrape.set_cookie(tech.cookie());
  auto unauth = RestClient(mcu.port(), mcu.ca()).Call("GET", "/metrics");
  EXPECT_EQ(unauth.status, 401) << "metrics need a login or an API token";
  bool compared = false;
  for (int i = 0; i < 10 && !compared; ++i) {
    auto m1 = ParseMetrics(scrape.Call("GET", "/metrics").text);
    json s = stats();
    auto m2 = ParseMetrics(scrape.Call("GET", "/metrics").text);
    std::map<std::string, std::string> key{
        {"conference", "mix"}, {"site", "huyen-1"}, {"media", "audio"}, {"direction", "in"}};
    auto x1 = m1.find({"mcu_site_loss_percent", key}), x2 = m2.find({"mcu_site_loss_percent", key});
    ASSERT_NE(x1, m1.end()) << "no audio-in loss series for huyen-1";
    if (x2 == m2.end() || x1->second != x2->second)
      continue;  // A second passed between the scrapes.
    EXPECT_NEAR(x1->second, (*SiteIn(s, "huyen-1"))["audioIn"].value("lossPct", -1.0), 1e-6);
    auto r1 = m1.find({"mcu_site_rtt_ms", {{"conference", "mix"}, {"site", "huyen-1"}}});
    ASSERT_NE(r1, m1.end());
    EXPECT_NEAR(r1->second, 100, 40);
    EXPECT_GE((m1[{"mcu_alarms_active", {{"severity", "warning"}}}] +
               m1[{"mcu_alarms_active", {{"severity", "critical"}}}]),
              1);
    EXPECT_EQ((m1[{"mcu_participants", {}}]), 3);
    EXPECT_GT((m1[{"process_resident_memory_bytes", {}}]), 1e6);
    // What the shipped alert rules read: the roll-call in three figures, the alarms by kind, the
    // machine's cores, the data disk, the certificate's end, the process's start.
    auto conference_sites = [&](const char* state) {
      return m1[{"mcu_conference_sites", {{"conference", "mix"}, {"state", state}}}];
    };
    EXPECT_EQ(conference_sites("connected"), 3);
    EXPECT_GE(conference_sites("expected"), 3);
    EXPECT_EQ(conference_sites("video"), 3);
    EXPECT_GE((m1[{"mcu_alarms_active_by_kind", {{"kind", "loss"}}}]), 1);
    EXPECT_EQ((m1[{"mcu_alarms_active_by_kind", {{"kind", "disk"}}}]), 0);
    EXPECT_GE((m1[{"mcu_cpu_cores", {}}]), 1);
    EXPECT_GT((m1[{"mcu_data_free_bytes", {}}]), 0);
    EXPECT_GE((m1[{"mcu_data_size_bytes", {}}]), (m1[{"mcu_data_free_bytes", {}}]));
    const double now_s = static_cast<double>(std::time(nullptr));
    EXPECT_GT((m1[{"mcu_certificate_expiry_timestamp_seconds", {{"use", "tls"}}}]),
              now_s + 30 * 86400)
        << "the generated certificate is good for longer than the alert's 30 days";
    EXPECT_GT((m1[{"mcu_certificate_expiry_timestamp_seconds", {{"use", "dtls"}}}]), now_s);
    EXPECT_NEAR((m1[{"process_start_time_seconds", {}}]), now_s, 600);
    // The alert rules and the dashboard shipped in monitoring/ name only metrics served here.
    std::set<std::string> served;
    for (const auto& [series, value] : m1) served.insert(series.first);
    static const std::regex metric(R"(\b((?:mcu|process)_[a-z_]+)\b)");
    for (const char* file : {"prometheus/mcu-rules.yml", "grafana/mcu-dashboard.json"}) {
      const std::string text = ReadFile(std::string(MCU_MONITORING_DIR) + "/" + file);
      ASSERT_FALSE(text.empty()) << file;
      int named = 0;
      for (auto it = std::sregex_iterator(text.begin(), text.end(), metric);
           it != std::sregex_iterator(); ++it, ++named)
        EXPECT_TRUE(served.count((*it)[1])) << file << " names " << (*it)[1] << ", not served";
      EXPECT_GT(named, 10) << file;
    }
    compared = true;
  }
  EXPECT_TRUE(compared) << "metrics never held still between two scrapes";

  // Lift the impairment: the loss leaves the 10 s window, and the alarm clears 5 s later.
  ns.Clear();
  ASSERT_TRUE(loss_alarm("cleared", 45)) << "the loss alarm did not clear";
  auto after = tech.Call("GET", "/api/v1/alarms?conference=mix");
  ASSERT_FALSE(after.body.empty());
  EXPECT_EQ(after.body[0].value("kind", ""), "loss");
  EXPECT_GT(after.body[0].value("clearedMs", int64_t{0}),
            after.body[0].value("raisedMs", int64_t{0}));

  // The site leaves: its call record keeps the quality of its call and its alarm.
  impaired.Signal(SIGTERM);
  EXPECT_EQ(impaired.Wait(10s), 0) << impaired.Log();
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = tech.Call("GET", "/api/v1/call-records?conference=mix");
        for (const auto& rec : r.body)
          if (rec.value("site", "") == "huyen-1" && rec.value("leftMs", int64_t{0}) > 0)
            return true;
        return false;
      },
      10s, 200ms));
  auto records = tech.Call("GET", "/api/v1/call-records?conference=mix");
  for (const auto& rec : records.body) {
    if (rec.value("site", "") != "huyen-1") continue;
    const json& q = rec["quality"];
    ASSERT_TRUE(q.is_object()) << rec;
    EXPECT_NEAR(q.value("lossPctMax", 0.0), 6, 4) << rec;
    EXPECT_NEAR(q.value("rttMsMax", 0.0), 110, 60) << rec;
    EXPECT_GT(q.value("kbpsInMean", 0.0), 30) << rec;  // Opus and a solid colour in VP8.
    EXPECT_GE(rec.value("alarms", 0), 1) << rec;
  }
  auto csv = tech.Call("GET", "/api/v1/call-records?conference=mix&format=csv");
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.text.rfind("conference,site,joined,left,reason,seconds,loss_pct_mean", 0), 0u)
      << csv.text;
  EXPECT_NE(csv.text.find("\r\nmix,huyen-1,"), std::string::npos) << csv.text;
}

// A meeting opens at its start minus its lead time: an invited site not connected then is an
// alarm (a warning: the meeting has not started), which clears once the room comes and is in.
TEST(Health, AnInvitedSiteOfflineAtTheLeadTimeIsAnAlarmUntilItComes) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RestClient host(mcu.port(), mcu.ca());
  ASSERT_TRUE(host.Login("chutri", kHostPassword));
  auto iso = [](int from_now_s) {
    time_t t = time(nullptr) + from_now_s;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(buf);
  };
  auto created = host.Call("POST", "/api/v1/conferences",
                           {{"id", "kiem-tra"},
                            {"title", "Kiểm tra kỹ thuật"},
                            {"start", iso(600)},
                            {"end", iso(4200)},
                            {"leadTimeMinutes", 15},
                            {"invited", {"huyen-3"}},
                            {"host", "huyen-3"}});
  ASSERT_EQ(created.status, 201) << created.text;
  auto offline = [&](bool active) {
    auto r = host.Call(
        "GET", std::string("/api/v1/alarms?conference=kiem-tra") + (active ? "&active=true" : ""));
    for (const auto& a : r.body)
      if (a.value("kind", "") == "offline" && a.value("site", "") == "huyen-3")
        return std::optional<json>(a);
    return std::optional<json>();
  };
  ASSERT_TRUE(WaitUntil([&] { return offline(true).has_value(); }, 5s, 200ms)) << mcu.Log();
  EXPECT_EQ((*offline(true))["severity"], "warning") << "before its start";

  auto room = mcu.StartRoom("huyen-3", {"--token", "demo-huyen-3"});  // Idle: the MCU calls it in.
  ASSERT_TRUE(
      WaitUntil([&] { return room->Log().find("media connected") != std::string::npos; }, 20s))
      << room->Log();
  ASSERT_TRUE(WaitUntil([&] { return !offline(true).has_value(); }, 15s, 250ms))
      << "the alarm did not clear";
  auto cleared = offline(false);
  ASSERT_TRUE(cleared);
  EXPECT_GT((*cleared)["clearedMs"].get<int64_t>(), (*cleared)["raisedMs"].get<int64_t>());
}

TEST(Health, ProbesAnswerWithoutLoginAndTellNothing) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  RestClient anon(mcu.port(), mcu.ca());
  auto h = anon.Call("GET", "/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body.value("status", ""), "ok");
  auto r = anon.Call("GET", "/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.value("status", ""), "ready");
  EXPECT_EQ(anon.Call("GET", "/metrics").status, 401);
  EXPECT_EQ(anon.Call("GET", "/api/v1/alarms").status, 401);
  RestClient tech(mcu.port(), mcu.ca());
  ASSERT_TRUE(tech.Login("kythuat", kTechnicianPassword));
  EXPECT_EQ(tech.Call("GET", "/api/v1/alarms?active=maybe").status, 400);
  EXPECT_EQ(tech.Call("GET", "/api/v1/call-records?format=xml").status, 400);
  EXPECT_EQ(tech.Call("GET", "/api/v1/conferences/nope/stats").status, 404);
  EXPECT_EQ(tech.Call("GET", "/api/v1/conferences/mix/sites/huyen-1/history").status, 404)
      << "not in the conference";
  auto m = tech.Call("GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.text.find("# TYPE mcu_alarms_active gauge"), std::string::npos) << m.text;
}

}  // namespace
}  // namespace mcu::test
