// Specs of signaling/console_json.h: each console event as the feed's JSON object (and the words
// of a SIP call's in-dialog request, mcu/endpoint_api.h, that its event carries).
#include "signaling/console_json.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mcu/endpoint_api.h"

namespace mcu::signaling {
namespace {

using nlohmann::json;

json Of(const ConsoleEvent& e) { return json::parse(ToJson(e)); }

TEST(ConsoleJson, EveryEventCarriesItsTypeAndFields) {
  EXPECT_EQ(Of(console::SiteState{"huyen-1", SiteStatus::kOnline}),
            (json{{"type", "site"}, {"site", "huyen-1"}, {"state", "online"}}));
  EXPECT_EQ(
      Of(console::SiteDevices{"huyen-1",
                              {DeviceState::kMissing, DeviceState::kOk, DeviceState::kNone}}),
      (json{{"type", "devices"},
            {"site", "huyen-1"},
            {"devices", {{"camera", "missing"}, {"microphone", "ok"}, {"speaker", "none"}}}}));
  EXPECT_EQ(Of(console::ConferenceState{"hop", ConferenceState::kEnded}),
            (json{{"type", "conference"}, {"conference", "hop"}, {"state", "ended"}}));
  EXPECT_EQ(Of(console::Speaker{"hop", "tinh-1"}),
            (json{{"type", "speaker"}, {"conference", "hop"}, {"site", "tinh-1"}}));
  EXPECT_EQ(Of(console::Layout{"hop", "speaker", "huyen-2"}), (json{{"type", "layout"},
                                                                    {"conference", "hop"},
                                                                    {"layout", "speaker"},
                                                                    {"spotlight", "huyen-2"}}));
  EXPECT_EQ(Of(console::LinkChanged{"hop", "trung-uong", true, false}),
            (json{{"type", "link"},
                  {"conference", "hop"},
                  {"site", "trung-uong"},
                  {"mutedAudio", true},
                  {"mutedVideo", false}}));
}

TEST(ConsoleJson, ASipCallsInDialogRequestSaysWhatItWas) {
  EXPECT_EQ(Of(console::SipRequest{"hop", "phong-sip", "UPDATE", false, true,
                                   "session refresh (UPDATE)"}),
            (json{{"type", "sip"},
                  {"conference", "hop"},
                  {"site", "phong-sip"},
                  {"method", "UPDATE"},
                  {"offer", false},
                  {"refresh", true},
                  {"detail", "session refresh (UPDATE)"}}));
  // The detail the bridge gives it (mcu/endpoint_api.h).
  EXPECT_EQ(Describe(SipInDialogRequest{"INVITE", true, false}), "re-INVITE with an offer");
  EXPECT_EQ(Describe(SipInDialogRequest{"INVITE", false, false}), "re-INVITE without SDP");
  EXPECT_EQ(Describe(SipInDialogRequest{"INVITE", false, true}), "session refresh (re-INVITE)");
  EXPECT_EQ(Describe(SipInDialogRequest{"UPDATE", true, true}), "session refresh (UPDATE)");
  EXPECT_EQ(Describe(SipInDialogRequest{"UPDATE", true, false}), "UPDATE with an offer");
  EXPECT_EQ(Describe(SipInDialogRequest{"UPDATE", false, false}), "UPDATE");
}

TEST(ConsoleJson, ARosterListsEachParticipantWithItsMediaAndContentAndTheConsoleViewers) {
  json j = Of(console::Roster{"hop",
                              {{"p1", "huyen-1", "Huyện 1", MediaStatus::kConnected, false},
                               {"p2", "huyen-1", "Huyện 1", MediaStatus::kConnecting, true}},
                              {"chutri", "quantri"}});
  EXPECT_EQ(j["viewers"], (json{"chutri", "quantri"}));
  EXPECT_EQ(j["type"], "roster");
  ASSERT_EQ(j["participants"].size(), 2u);
  EXPECT_EQ(j["participants"][1], (json{{"id", "p2"},
                                        {"site", "huyen-1"},
                                        {"name", "Huyện 1"},
                                        {"media", "connecting"},
                                        {"content", true}}));
}

TEST(ConsoleJson, AControlEventCarriesItsDetailAsAnObject) {
  json j = Of(console::Control{"chutri", "mute", "hop/huyen-1", R"({"audio":true})"});
  EXPECT_EQ(j["detail"], (json{{"audio", true}}));
  EXPECT_EQ(j["actor"], "chutri");
  EXPECT_TRUE(Of(console::Control{"x", "y", "z", "not json"})["detail"].is_null())
      << "the feed's text stays JSON whatever the detail";
}

TEST(ConsoleJson, AnAlarmAndTheStatsOfASecond) {
  json a =
      Of(console::Alarm{"raised", "hop", "huyen-1", "loss", "warning", "6% video loss", 1000, 0});
  EXPECT_EQ(a["type"], "alarm");
  EXPECT_EQ(a["sinceMs"], 1000);
  EXPECT_EQ(a["clearedMs"], 0);
  json s = Of(console::Stats{"hop", R"({"conference":"hop","sites":[]})"});
  EXPECT_EQ(s, (json{{"type", "stats"}, {"conference", "hop"}, {"sites", json::array()}}));
  EXPECT_EQ(Of(console::Stats{"hop", "{}"}), (json{{"type", "stats"}}));
}

}  // namespace
}  // namespace mcu::signaling
