// A Bridge on fakes at every port (tests/fakes): the media engine, the rooms' connections, the
// link dialer and the clock; a real store in memory. Each spec drives it as the signaling and
// media threads would (requests and media reports, then Flush) and moves time by hand.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "mcu/bridge.h"
#include "mcu/secrets.h"
#include "signaling/console_json.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_endpoint.h"
#include "tests/fakes/fake_media.h"

namespace mcu {
// States print by name in test failures.
inline void PrintTo(ConferenceState s, std::ostream* os) { *os << ToString(s); }
inline void PrintTo(SiteStatus s, std::ostream* os) { *os << ToString(s); }
inline void PrintTo(LinkState s, std::ostream* os) { *os << ToString(s); }
inline void PrintTo(MediaStatus s, std::ostream* os) { *os << ToString(s); }
}  // namespace mcu

namespace mcu::test {

class BridgeTest : public ::testing::Test {
 protected:
  // A room's side of the protocol: its connection id and what the bridge sent it.
  struct Room {
    ConnectionId id = 0;
    std::shared_ptr<FakeConnection> conn;
    FakeConnection* operator->() const { return conn.get(); }
  };

  BridgeTest() {
    auto opened = Store::Open(":memory:");
    EXPECT_TRUE(opened) << opened.error();
    store = std::move(*opened);
    for (auto [id, name, level] : {std::tuple{"tinh-1", "Tỉnh 1", "province"},
                                   {"huyen-1", "Huyện 1", "district"},
                                   {"huyen-2", "Huyện 2", "district"},
                                   {"huyen-3", "Huyện 3", "district"}})
      AddSite(id, name, level);
  }
  ~BridgeTest() override { bridge.reset(); }

  void AddSite(const std::string& id, const std::string& name,
               const std::string& level = "district", LinkTarget link = {}) {
    SiteRow s;
    s.id = id, s.name = name, s.level = level;
    s.kind = link.dials() ? "cascade" : "room";
    s.token_hash = HashToken(Token(id));
    s.link = link;
    ASSERT_TRUE(store->InsertSite(s));
  }
  static std::string Token(const std::string& site) { return "token-" + site; }

  // A conference opening `in_s` from now (lead time 0 unless given) and lasting `length_s`.
  ConferenceRow Scheduled(const std::string& id, std::vector<std::string> invited, int64_t in_s = 0,
                          int64_t length_s = 3600, int lead_s = 0) {
    ConferenceRow c;
    c.id = id, c.title = "Giao ban " + id;
    c.start_at = clock.NowS() + in_s;
    c.end_at = c.start_at + length_s;
    c.lead_time_s = lead_s;
    c.invited = std::move(invited);
    return c;
  }
  ConferenceRow Permanent(const std::string& id, std::vector<std::string> invited = {},
                          std::string mode = "mix") {
    ConferenceRow c;
    c.id = id, c.title = "Phòng " + id, c.mode = std::move(mode);
    c.invited = std::move(invited);
    return c;
  }
  // Stored before the bridge starts, as a previous run or the configuration left it.
  void Preload(const ConferenceRow& c) { ASSERT_TRUE(store->InsertConference(c)); }

  void Start(Bridge::Options options = {}) {
    options.run_clock = false;
    options.clock = &clock;
    if (!options.dialer) options.dialer = &dialer;
    bridge = std::make_unique<Bridge>(config, store.get(), &media, options);
    bridge->SetEventSink([this](const ConsoleEvent& event) {
      std::lock_guard lock(feed_mu);
      nlohmann::json e = nlohmann::json::parse(signaling::ToJson(event));
      journal.push_back("feed:" + e.value("type", std::string()) + " " +
                        e.value("action", std::string()));
      feed.push_back(std::move(e));
    });
  }
  // The bridge ends; its store stays (a restart).
  void Restart(Bridge::Options options = {}) {
    bridge.reset();
    Start(options);
  }

  Room Connect() {
    Room r{next_connection++, std::make_shared<FakeConnection>()};
    bridge->OnEndpointOpen(r.id, r.conn, "192.0.2.1:40000");
    return r;
  }
  void Ask(const Room& r, EndpointRequest request) {
    bridge->OnEndpointRequest(r.id, std::move(request));
    bridge->Flush();
  }
  void Drop(const Room& r) {
    bridge->OnEndpointClosed(r.id);
    bridge->Flush();
  }
  // A room connected and authenticated as `site` (its content connection if `content`).
  Room Online(const std::string& site, bool content = false) {
    Room r = Connect();
    EndpointRequest auth{EndpointRequest::Type::kAuth};
    auth.token = Token(site);
    auth.content = content;
    Ask(r, auth);
    return r;
  }
  void Join(const Room& r, const std::string& conference) {
    EndpointRequest join{EndpointRequest::Type::kJoin};
    join.conference = conference;
    Ask(r, join);
  }
  Room Joined(const std::string& site, const std::string& conference) {
    Room r = Online(site);
    Join(r, conference);
    return r;
  }
  // The error the room got last, or kInternal with "no error" if none.
  static event::Error LastError(const Room& r) {
    return r->Last<event::Error>().value_or(event::Error{ErrorCode::kInternal, "no error"});
  }
  // The participant number the room was given ("p<n>"), or 0.
  static ParticipantId Pid(const Room& r) {
    auto j = r->Last<event::Joined>();
    return j ? std::stoull(j->participant_id.substr(1)) : 0;
  }
  // Moves time by `ms` and runs one schedule second.
  void Later(int64_t ms) {
    clock.Advance(ms);
    bridge->Tick();
  }
  std::optional<LiveSite> FindLive(const std::string& conference, const std::string& site) {
    auto live = bridge->LiveConferenceOf(conference);
    EXPECT_TRUE(live) << live.error();
    if (live)
      for (const auto& s : live->sites)
        if (s.site_id == site) return s;
    return std::nullopt;
  }
  // The site's row on the roll-call (a failure if it has none).
  LiveSite Live(const std::string& conference, const std::string& site) {
    auto s = FindLive(conference, site);
    if (!s) ADD_FAILURE() << site << " is not on the roll-call of " << conference;
    return s.value_or(LiveSite{});
  }
  ConferenceRow Row(const std::string& conference) { return *store->Conference(conference); }
  // Feed events of one type, in order.
  std::vector<nlohmann::json> Feed(const std::string& type) {
    std::lock_guard lock(feed_mu);
    std::vector<nlohmann::json> out;
    for (const auto& e : feed)
      if (e["type"] == type) out.push_back(e);
    return out;
  }
  // Audit actions, oldest first.
  std::vector<std::string> AuditActions() {
    std::vector<std::string> out;
    for (const auto& a : store->AuditLog(1000)) out.insert(out.begin(), a.action + " " + a.target);
    return out;
  }
  // Moves time and runs the schedule's second(s) that passed.
  void Seconds(int n) {
    for (int i = 0; i < n; ++i) {
      clock.Advance(1000);
      bridge->Tick();
    }
  }

  Journal journal;
  std::mutex feed_mu;
  std::vector<nlohmann::json> feed;
  FakeClock clock;
  FakeMediaEngine media{&journal};
  FakeDialer dialer;
  std::unique_ptr<mcu::Store> store;
  Config config;
  std::unique_ptr<Bridge> bridge;  // Last: it goes first.
  ConnectionId next_connection = 1;
};

}  // namespace mcu::test
