// Three MCU processes on loopback joined by cascade links, as a central office, a province and a
// district meet: central <- province (the province dials the central MCU) and province <-
// district (the district dials the province). Each MCU has one room sending its own tone and
// colour. What each room hears and sees is measured: every other tone and none of its own, at a
// level that does not grow (no loop through the links), every other colour in its picture. The
// province MCU is killed and started again: the central and district conferences go on, the
// links come back by themselves, and sound crosses both hops again. A link whose credential is
// wrong is refused and says so on its roll-call.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <tuple>

#include "mcu/secrets.h"
#include "tests/support/analysis.h"
#include "tests/support/mcu_fixture.h"
#include "tests/support/rest_client.h"

namespace mcu::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Tier {
  const char* name;
  double tone;
  const char* color;
  Rgb rgb;
};
const Tier kCentral{"central", 440, "e01010", {224, 16, 16}};
const Tier kProvince{"province", 660, "10e010", {16, 224, 16}};
const Tier kDistrict{"district", 880, "1010e0", {16, 16, 224}};

std::string SiteToml(const std::string& id, const std::string& name, const std::string& level,
                     const std::string& extra) {
  return "[[sites]]\nid = \"" + id + "\"\nname = \"" + name + "\"\nlevel = \"" + level +
         "\"\nkind = \"cascade\"\n" + extra;
}
std::string AcceptToml(const std::string& id, const std::string& name, const std::string& level,
                       const std::string& credential) {
  return SiteToml(id, name, level, "token_hash = \"" + HashToken(credential) + "\"\n");
}
std::string DialToml(const std::string& id, const std::string& name, const std::string& level,
                     McuProcess& to, const std::string& conference, const std::string& credential) {
  return SiteToml(id, name, level,
                  "link_url = \"" + to.url() + "\"\nlink_conference = \"" + conference +
                      "\"\nlink_credential = \"" + credential + "\"\nlink_fingerprint = \"" +
                      to.tls_fingerprint() + "\"\n");
}
std::string ConferenceToml(const std::string& id, const std::string& title,
                           const std::vector<std::string>& invited) {
  std::string list;
  for (const auto& s : invited) list += (list.empty() ? "\"" : ", \"") + s + "\"";
  return "[[conferences]]\nid = \"" + id + "\"\ntitle = \"" + title +
         "\"\nmode = \"mix\"\ninvited = [" + list + "]\n";
}

// `path` of the REST API read by a technician, logged in once per MCU (logins from one address
// are limited to 10 a minute: a test that polls keeps its session).
RestClient::Response Get(McuProcess& mcu, const std::string& path) {
  static std::map<int, std::unique_ptr<RestClient>> sessions;
  auto& api = sessions[mcu.port()];
  if (api) {
    auto r = api->Call("GET", path);
    if (r.status != 401) return r;  // 401: a session of an MCU that had this port before.
  }
  api = std::make_unique<RestClient>(mcu.port(), mcu.ca());
  if (!api->Login("kythuat", kTechnicianPassword)) return {};
  return api->Call("GET", path);
}
// The roll-call of `conference`.
RestClient::Response RollCall(McuProcess& mcu, const std::string& conference) {
  return Get(mcu, "/api/v1/conferences/" + conference + "/roll-call");
}

// The roll-call entry of `site` in `conference` (null if the MCU does not answer).
json RollCallSite(McuProcess& mcu, const std::string& conference, const std::string& site) {
  auto r = RollCall(mcu, conference);
  if (r.status != 200) return nullptr;
  for (const auto& s : r.body["sites"])
    if (s["site"] == site) return s;
  return nullptr;
}
bool SiteState(McuProcess& mcu, const std::string& conference, const std::string& site,
               const std::string& state) {
  json s = RollCallSite(mcu, conference, site);
  return s.is_object() && s["state"] == state;
}
// Whether `site`'s roll-call entry `entry` has a link whose `key` is `value`.
bool LinkHas(const json& entry, const char* key, const std::string& value) {
  return entry.is_object() && entry["link"].is_object() && entry["link"][key] == value;
}
// Waits (20 s at most) until `site`'s link in `conference` has `key` = `value`; its roll-call
// entry, as last read, in `entry`.
bool WaitForLink(McuProcess& mcu, const std::string& conference, const std::string& site,
                 const char* key, const std::string& value, json& entry) {
  return WaitUntil(
      [&] {
        entry = RollCallSite(mcu, conference, site);
        return LinkHas(entry, key, value);
      },
      std::chrono::seconds(20));
}

// Share of the picture's pixels near `c`; of its top-left `part` (of its width and height).
double ColourShare(const Image& img, const Rgb& c, double part = 1.0) {
  size_t near = 0, n = 0;
  const int w = static_cast<int>(img.width * part), h = static_cast<int>(img.height * part);
  for (int y = 0; y < h; y += 2)
    for (int x = 0; x < w; x += 2, ++n) near += Near(img.At(x, y), c, 48);
  return n ? static_cast<double>(near) / static_cast<double>(n) : 0;
}

class Cascade : public ::testing::Test {
 protected:
  void SetUp() override {
    McuOptions o;
    o.load_sites = 0;
    o.extra_toml =
        AcceptToml("tinh-lien-ket", "Tỉnh (liên kết)", "province", "cred-tinh") +
        AcceptToml("huyen-truc-tiep", "Huyện (trực tiếp)", "district", "cred-truc-tiep") +
        ConferenceToml("toan-quoc", "Hội nghị toàn quốc",
                       {"tinh-1", "huyen-2", "tinh-lien-ket", "huyen-truc-tiep"});
    central = std::make_unique<McuProcess>(o);
    ASSERT_TRUE(central->ready()) << central->Log();
    o.extra_toml =
        DialToml("trung-uong", "Trung ương", "central", *central, "toan-quoc", "cred-tinh") +
        AcceptToml("huyen-lien-ket", "Huyện (liên kết)", "district", "cred-huyen") +
        ConferenceToml("cap-tinh", "Giao ban tỉnh",
                       {"tinh-1", "huyen-2", "trung-uong", "huyen-lien-ket"});
    province = std::make_unique<McuProcess>(o);
    ASSERT_TRUE(province->ready()) << province->Log();
    o.extra_toml =
        DialToml("tinh", "Tỉnh", "province", *province, "cap-tinh", "cred-huyen") +
        DialToml("tinh-sai", "Tỉnh (sai mật khẩu)", "province", *province, "cap-tinh",
                 "not-the-credential") +
        DialToml("trung-uong-truc-tiep", "Trung ương (trực tiếp)", "central", *central, "toan-quoc",
                 "cred-truc-tiep") +
        SiteToml("tinh-gia", "Tỉnh (chứng chỉ khác)", "province",
                 "link_url = \"" + province->url() +
                     "\"\nlink_conference = \"cap-tinh\"\nlink_credential = \"cred-huyen\"\n"
                     "link_fingerprint = \"" +
                     std::string(64, '0') + "\"\n") +
        ConferenceToml("cap-huyen", "Giao ban huyện",
                       {"huyen-1", "huyen-2", "tinh", "tinh-sai", "tinh-gia"});
    district = std::make_unique<McuProcess>(o);
    ASSERT_TRUE(district->ready()) << district->Log();
  }

  std::unique_ptr<Process> StartRoom(McuProcess& mcu, const Tier& t, const std::string& token,
                                     const std::string& conference, std::vector<std::string> more) {
    std::vector<std::string> args = {
        "--token", token,   "--conference", conference, "--tone", std::to_string(t.tone),
        "--color", t.color, "--max-kbps",   "800"};
    args.insert(args.end(), more.begin(), more.end());
    return mcu.StartRoom(t.name, args);
  }

  std::string Logs() { return central->Log() + province->Log() + district->Log(); }

  // What a new room `t` of `mcu` hears: `record_s` seconds recorded `after_s` seconds after its
  // media connected, into `wav` (empty if it did not record).
  Wav Hear(McuProcess& mcu, const Tier& t, const std::string& token, const std::string& conference,
           const std::string& wav, int after_s, int record_s) {
    auto room = StartRoom(
        mcu, t, token, conference,
        {"--record", wav, "--record-after", std::to_string(after_s), "--record-seconds",
         std::to_string(record_s), "--exit-after", std::to_string(after_s + record_s + 2)});
    EXPECT_EQ(room->Wait(seconds(30)), 0) << room->Log();
    Wav w;
    EXPECT_TRUE(ReadWav(wav, &w)) << wav;
    return w;
  }

  std::unique_ptr<McuProcess> central, province, district;
};

TEST_F(Cascade, ThreeLevelsHearAndSeeEachOtherWithoutEchoAndComeBackAfterTheProvinceRestarts) {
  // The province's link to the central MCU is up; the district's wrong credential is refused.
  ASSERT_TRUE(WaitUntil(
      [&] {
        json s = RollCallSite(*province, "cap-tinh", "trung-uong");
        return s.is_object() && s["state"] != "offline";
      },
      seconds(20)))
      << province->Log();
  json wrong;
  ASSERT_TRUE(WaitForLink(*district, "cap-huyen", "tinh-sai", "state", "refused", wrong))
      << wrong.dump() << district->Log();
  EXPECT_EQ(wrong["state"], "offline");
  EXPECT_EQ(wrong["link"]["failure"], "credential") << wrong.dump();
  // A link pinned to another certificate never sends its credential; the roll-call says why, with
  // the fingerprint the other MCU presented, for the administrator to compare.
  json pinned;
  ASSERT_TRUE(WaitForLink(*district, "cap-huyen", "tinh-gia", "failure", "certificate", pinned))
      << pinned.dump() << district->Log();
  EXPECT_NE(pinned["link"]["detail"].get<std::string>().find(province->tls_fingerprint()),
            std::string::npos)
      << pinned.dump();
  EXPECT_NE(wrong["link"]["detail"].get<std::string>().find("unauthorized"), std::string::npos)
      << wrong.dump();
  EXPECT_NE(province->Log().find("authentication failed"), std::string::npos);
  EXPECT_EQ(Logs().find("not-the-credential"), std::string::npos) << "a credential was logged";

  const TempDir& dir = central->dir();
  auto wav = [&](const Tier& t) { return dir / (std::string(t.name) + ".wav"); };
  auto png = [&](const Tier& t) { return dir / (std::string(t.name) + ".png"); };
  auto record = [&](const Tier& t) {
    return std::vector<std::string>{"--record",         wav(t), "--record-after", "8",
                                    "--record-seconds", "30",   "--snapshot",     png(t),
                                    "--snapshot-at",    "12"};
  };
  auto c_room = StartRoom(*central, kCentral, "demo-tinh-1", "toan-quoc", record(kCentral));
  auto p_room = StartRoom(*province, kProvince, "demo-tinh-1", "cap-tinh", record(kProvince));
  auto d_room = StartRoom(*district, kDistrict, "demo-huyen-1", "cap-huyen", record(kDistrict));
  ASSERT_TRUE(WaitUntil(
      [&] {
        return SiteState(*central, "toan-quoc", "tinh-lien-ket", "video") &&
               SiteState(*province, "cap-tinh", "trung-uong", "video") &&
               SiteState(*province, "cap-tinh", "huyen-lien-ket", "video") &&
               SiteState(*district, "cap-huyen", "tinh", "video");
      },
      seconds(30)))
      << Logs();
  json link = RollCallSite(*district, "cap-huyen", "tinh");
  EXPECT_EQ(link["link"]["state"], "joined") << link.dump();
  EXPECT_EQ(link["link"]["remoteTitle"], "Giao ban tỉnh") << link.dump();

  // 8 s + 30 s of recording after each room's media connected.
  const Tier* tiers[] = {&kCentral, &kProvince, &kDistrict};
  ASSERT_TRUE(WaitUntil(
      [&] {
        return std::all_of(std::begin(tiers), std::end(tiers), [&](const Tier* t) {
          for (auto* r : {&c_room, &p_room, &d_room})
            if ((*r)->Log().find("saved " + wav(*t)) != std::string::npos) return true;
          return false;
        });
      },
      seconds(60)))
      << c_room->Log() << p_room->Log() << d_room->Log();
  for (const Tier* me : tiers) {
    SCOPED_TRACE(me->name);
    Wav w;
    ASSERT_TRUE(ReadWav(wav(*me), &w));
    ASSERT_GE(w.samples.size(), static_cast<size_t>(29 * w.rate));
    for (const Tier* other : tiers) {
      // Per second: present (or absent, for its own) in every second of the 30.
      std::vector<double> power;
      for (int s = 0; s < 30; ++s) {
        Wav sec = Slice(w, s, s + 1);
        double share = ToneShare(sec, other->tone);
        power.push_back(TonePower(sec.samples, sec.rate, other->tone));
        if (other == me)
          ASSERT_LT(share, 0.01) << "hears its own " << me->tone << " Hz in second " << s;
        else
          ASSERT_GT(share, 0.03) << other->name << "'s " << other->tone << " Hz missing in second "
                                 << s;
      }
      if (other == me) continue;
      // Bounded: no second louder than twice (3 dB over) the median, and the last ten seconds no
      // louder than the first ten. Sound that came back through a loop would grow each round.
      std::vector<double> sorted = power;
      std::sort(sorted.begin(), sorted.end());
      double median = sorted[sorted.size() / 2];
      for (size_t s = 0; s < power.size(); ++s)
        EXPECT_LT(power[s], 2 * median) << other->name << " at second " << s;
      double first = 0, last = 0;
      for (int s = 0; s < 10; ++s) first += power[s], last += power[20 + s];
      std::ostringstream seconds_db;
      for (double p : power) seconds_db << static_cast<int>(10 * std::log10(p + 1e-12)) << " ";
      EXPECT_LT(last, first * 2) << other->name << " grows: " << seconds_db.str();
      RecordProperty(std::string(me->name) + "_hears_" + other->name + "_db",
                     static_cast<int>(10 * std::log10(median + 1e-12)));
    }
    // The picture: the colour of each MCU one link away is in it (that MCU's composite, in the
    // link's tile). Two levels away a colour is only a small tile of the link's own composite
    // (the speaker layout) inside the link's tile, about 0.9% of the picture, and one snapshot
    // taken while that stream repairs a lost packet may miss it: the two-level pictures are
    // checked by ALinkCarriesItsConferenceWithoutTheFarSidesOwnPicture, over several rounds.
    Image img;
    std::string error;
    ASSERT_TRUE(ReadPng(png(*me), &img, &error)) << error;
    for (const Tier* other : tiers) {
      const bool two_levels =
          (me == &kCentral && other == &kDistrict) || (me == &kDistrict && other == &kCentral);
      if (other != me && !two_levels)
        EXPECT_GT(ColourShare(img, other->rgb), 0.01) << other->name << "'s colour is not shown";
    }
  }

  // Control crosses the link: the central host mutes the province's link (the whole province
  // conference, districts included, is no longer heard centrally); the province's roll-call says
  // so. The central room is then the central speaker, and the layouts below follow it: the
  // province's speaker is its link to the central MCU, and so is the district's speaker its link
  // while the district's own room is quiet (muted by its host here: the room's tone never stops,
  // and a speaker is only taken over by a site 6 dB louder, which the link's mix of two tones of
  // the same level as the room's is not).
  {
    RestClient host(central->port(), central->ca());
    ASSERT_TRUE(host.Login("chutri", kHostPassword));
    auto r = host.Call("POST", "/api/v1/conferences/toan-quoc/sites/tinh-lien-ket/mute",
                       {{"audio", true}});
    ASSERT_EQ(r.status, 200) << r.text;
  }
  ASSERT_TRUE(WaitUntil(
      [&] {
        json l = RollCallSite(*province, "cap-tinh", "trung-uong");
        return l.is_object() && l["link"]["mutedAudio"] == true;
      },
      seconds(5)))
      << RollCallSite(*province, "cap-tinh", "trung-uong").dump();
  RestClient district_host(district->port(), district->ca());
  ASSERT_TRUE(district_host.Login("chutri", kHostPassword));
  ASSERT_EQ(district_host
                .Call("POST", "/api/v1/conferences/cap-huyen/sites/huyen-1/mute", {{"audio", true}})
                .status,
            200);
  auto speaker = [&](McuProcess& mcu, const std::string& conference) {
    auto r = RollCall(mcu, conference);
    for (const auto& site : r.body["sites"])
      if (site["speaking"] == true) return site["site"].get<std::string>();
    return std::to_string(r.status) + r.text;
  };
  EXPECT_TRUE(WaitUntil(
      [&] {
        return speaker(*central, "toan-quoc") == "tinh-1" &&
               speaker(*province, "cap-tinh") == "trung-uong" &&
               speaker(*district, "cap-huyen") == "tinh";
      },
      seconds(10)))
      << speaker(*central, "toan-quoc") << " / " << speaker(*province, "cap-tinh") << " / "
      << speaker(*district, "cap-huyen");
  // The name travels down the tree, a hop at a time: the province, then the district, hears who
  // speaks at the central MCU.
  auto remote_speaker = [&](McuProcess& mcu, const std::string& conference,
                            const std::string& link) -> std::string {
    json l = RollCallSite(mcu, conference, link);
    return l.is_object() && l["link"].is_object() ? l["link"].value("remoteSpeaker", "") : "";
  };
  EXPECT_TRUE(WaitUntil(
      [&] {
        return remote_speaker(*province, "cap-tinh", "trung-uong") == "Tỉnh 1" &&
               remote_speaker(*district, "cap-huyen", "tinh") == "Tỉnh 1";
      },
      seconds(10)))
      << remote_speaker(*province, "cap-tinh", "trung-uong") << " / "
      << remote_speaker(*district, "cap-huyen", "tinh");

  // Control by role, down the tree: the central host (the parent: the province dials it)
  // spotlights the province's link, sets the speaker layout and locks the conference. The
  // province's roll-call shows the spotlight; its conference, and through it the district's,
  // takes on the layout and the lock; all follow the central unlock too.
  RestClient central_host(central->port(), central->ca());
  ASSERT_TRUE(central_host.Login("chutri", kHostPassword));
  auto put = [&](const std::string& what, const json& body) {
    auto r = central_host.Call("PUT", "/api/v1/conferences/toan-quoc/" + what, body);
    EXPECT_EQ(r.status, 200) << what << ": " << r.text;
  };
  put("spotlight", {{"site", "tinh-lien-ket"}});
  put("layout", {{"layout", "speaker"}});
  put("lock", {{"locked", true}});
  auto conference = [&](McuProcess& mcu, const std::string& id) {
    auto r = Get(mcu, "/api/v1/conferences/" + id);
    return r.status == 200 ? r.body : json(nullptr);
  };
  auto follows = [&](const std::string& layout, bool locked) {
    for (auto [mcu, id] : {std::pair{province.get(), "cap-tinh"}, {district.get(), "cap-huyen"}}) {
      json c = conference(*mcu, id);
      if (!c.is_object() || c["layout"] != layout || c["locked"] != locked) return false;
    }
    return true;
  };
  json up;
  EXPECT_TRUE(WaitUntil(
      [&] {
        up = RollCallSite(*province, "cap-tinh", "trung-uong");
        return LinkHas(up, "role", "child") && up["link"]["remote"].is_object() &&
               up["link"]["remote"]["control"]["spotlight"] == true && follows("speaker", true);
      },
      seconds(10)))
      << up.dump() << conference(*province, "cap-tinh").dump();
  // Up the tree: the province's roll-call summary and title show on the central roll-call (its
  // room and its district's link connected, both with video, of three sites besides the link).
  json down;
  EXPECT_TRUE(WaitUntil(
      [&] {
        down = RollCallSite(*central, "toan-quoc", "tinh-lien-ket");
        return LinkHas(down, "role", "parent") && down["link"]["remote"].is_object() &&
               down["link"]["remote"]["connected"] == 2 && down["link"]["remote"]["video"] == 2;
      },
      seconds(10)))
      << down.dump();
  EXPECT_EQ(down["link"]["remote"]["expected"], 3) << down.dump();
  EXPECT_EQ(down["link"]["remote"]["title"], "Giao ban tỉnh") << down.dump();
  EXPECT_EQ(down["link"]["state"], "joined") << down.dump();
  // The province's speaker, named, becomes the central's: the central room is muted and the
  // link heard again, while the district's room is still muted at its MCU.
  auto mute = [&](const std::string& site, bool muted) {
    auto r = central_host.Call("POST", "/api/v1/conferences/toan-quoc/sites/" + site + "/mute",
                               {{"audio", muted}});
    EXPECT_EQ(r.status, 200) << site << ": " << r.text;
  };
  mute("tinh-1", true);
  mute("tinh-lien-ket", false);
  EXPECT_TRUE(WaitUntil(
      [&] {
        return speaker(*central, "toan-quoc") == "tinh-lien-ket" &&
               remote_speaker(*central, "toan-quoc", "tinh-lien-ket") == "Tỉnh 1";
      },
      seconds(10)))
      << speaker(*central, "toan-quoc") << " / "
      << RollCallSite(*central, "toan-quoc", "tinh-lien-ket").dump();
  mute("tinh-1", false);
  put("lock", {{"locked", false}});
  EXPECT_TRUE(WaitUntil([&] { return follows("speaker", false); }, seconds(10)))
      << conference(*province, "cap-tinh").dump();
  ASSERT_EQ(
      district_host
          .Call("POST", "/api/v1/conferences/cap-huyen/sites/huyen-1/mute", {{"audio", false}})
          .status,
      200);

  // The province MCU dies. The central and district conferences go on with their own rooms.
  province->process().Signal(SIGKILL);
  province->process().Stop();
  ASSERT_TRUE(WaitUntil(
      [&] {
        json l = RollCallSite(*district, "cap-huyen", "tinh");
        return l.is_object() && l["state"] == "offline" && l["link"]["state"] == "waiting";
      },
      seconds(15)))
      << district->Log();
  ASSERT_TRUE(WaitUntil(
      [&] { return SiteState(*central, "toan-quoc", "tinh-lien-ket", "offline"); }, seconds(15)))
      << central->Log();
  EXPECT_TRUE(SiteState(*central, "toan-quoc", "tinh-1", "video"));
  EXPECT_TRUE(SiteState(*district, "cap-huyen", "huyen-1", "video"));
  EXPECT_TRUE(central->process().Running());
  EXPECT_TRUE(district->process().Running());

  // It comes back on the same port and data: both links come back by themselves.
  ASSERT_TRUE(province->Restart(false)) << province->Log();
  ASSERT_TRUE(WaitUntil(
      [&] {
        return SiteState(*central, "toan-quoc", "tinh-lien-ket", "video") &&
               SiteState(*district, "cap-huyen", "tinh", "video");
      },
      seconds(40)))
      << Logs();

  // Sound crosses both hops again: a second district room hears the central and province tones.
  const Tier listener{"listener", 1320, "808080", {128, 128, 128}};
  Wav lw = Hear(*district, listener, "demo-huyen-2", "cap-huyen", dir / "listener.wav", 4, 4);
  ASSERT_FALSE(lw.samples.empty());
  EXPECT_GT(ToneShare(lw, kCentral.tone), 0.03) << "central not heard after the province came back";
  EXPECT_GT(ToneShare(lw, kProvince.tone), 0.03) << "province not heard after it came back";
  EXPECT_GT(ToneShare(lw, kDistrict.tone), 0.03);
  EXPECT_LT(ToneShare(lw, listener.tone), 0.01);
}

// What a link carries is its conference without the far side's own tile: the central MCU and
// the district each show their link in the main tile (layout speaker, the link spotlighted:
// the top-left three quarters of the canvas with three sites), so that tile is what the province
// sends over that link. There, the central room sees the province and the district, not itself;
// the district room sees the central office and the province, not itself; the province's room,
// in a grid, sees all three.
TEST_F(Cascade, ALinkCarriesItsConferenceWithoutTheFarSidesOwnPicture) {
  for (auto [mcu, conference, link] : {std::tuple{central.get(), "toan-quoc", "tinh-lien-ket"},
                                       std::tuple{district.get(), "cap-huyen", "tinh"}}) {
    RestClient host(mcu->port(), mcu->ca());
    ASSERT_TRUE(host.Login("chutri", kHostPassword));
    const std::string at = std::string("/api/v1/conferences/") + conference;
    ASSERT_EQ(host.Call("PUT", at + "/layout", {{"layout", "speaker"}}).status, 200);
    auto r = host.Call("PUT", at + "/spotlight", {{"site", link}});
    ASSERT_EQ(r.status, 200) << r.text;
  }
  auto c_room = StartRoom(*central, kCentral, "demo-tinh-1", "toan-quoc", {});
  auto p_room = StartRoom(*province, kProvince, "demo-tinh-1", "cap-tinh", {});
  auto d_room = StartRoom(*district, kDistrict, "demo-huyen-1", "cap-huyen", {});
  ASSERT_TRUE(WaitUntil(
      [&] {
        return SiteState(*central, "toan-quoc", "tinh-lien-ket", "video") &&
               SiteState(*province, "cap-tinh", "trung-uong", "video") &&
               SiteState(*province, "cap-tinh", "huyen-lien-ket", "video") &&
               SiteState(*district, "cap-huyen", "tinh", "video");
      },
      seconds(30)))
      << Logs();
  // Each link's composite is said once in its MCU's log (both ends of both links).
  EXPECT_NE(province->Log().find("receives a composite of its own"), std::string::npos);
  EXPECT_NE(central->Log().find("receives a composite of its own"), std::string::npos);
  EXPECT_NE(district->Log().find("receives a composite of its own"), std::string::npos);
  // Once every link carries video, a second room at each MCU takes a picture of its composite.
  // It is silent (a 0 Hz tone), so that it never becomes a speaker and a main tile. A picture
  // taken while a link's stream was repairing a lost packet (three MCUs and six rooms share two
  // cores here) may lack a colour for a moment: up to three rounds are taken until every colour
  // expected is there; a colour that must be absent is absent from every one.
  const TempDir& dir = central->dir();
  const Tier* tiers[] = {&kCentral, &kProvince, &kDistrict};
  const Tier viewer{"viewer", 0, "808080", {128, 128, 128}};
  auto png = [&](const Tier& t) { return dir / (std::string(t.name) + "-sees.png"); };
  auto look = [&](McuProcess& mcu, const Tier& t, const std::string& token,
                  const std::string& conference) {
    return mcu.StartRoom(
        std::string(t.name) + "-viewer",
        {"--token", token, "--conference", conference, "--tone", "0", "--color", viewer.color,
         "--max-kbps", "800", "--snapshot", png(t), "--snapshot-at", "10", "--exit-after", "12"});
  };
  auto shares = [&](const Tier& t, double part) {
    Image img;
    std::string error;
    EXPECT_TRUE(ReadPng(png(t), &img, &error)) << error;
    std::map<std::string, double> out;
    for (const Tier* c : tiers) out[c->name] = ColourShare(img, c->rgb, part);
    return out;
  };
  auto describe = [](const std::map<std::string, double>& m) {
    std::ostringstream s;
    for (const auto& [k, v] : m) s << k << "=" << v << " ";
    return s.str();
  };
  std::string missing = "no picture taken";
  for (int round = 1; round <= 3 && !missing.empty(); ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    auto c_view = look(*central, kCentral, "demo-huyen-2", "toan-quoc");
    auto p_view = look(*province, kProvince, "demo-huyen-2", "cap-tinh");
    auto d_view = look(*district, kDistrict, "demo-huyen-2", "cap-huyen");
    for (auto* v : {&c_view, &p_view, &d_view})
      ASSERT_EQ((*v)->Wait(seconds(30)), 0) << (*v)->Log();
    auto central_sees = shares(kCentral, 0.74);
    auto district_sees = shares(kDistrict, 0.74);
    auto province_sees = shares(kProvince, 1.0);
    EXPECT_LT(central_sees["central"], 0.001)
        << "the central office sees itself through the link: " << describe(central_sees);
    EXPECT_LT(district_sees["district"], 0.001)
        << "the district sees itself through the link: " << describe(district_sees);
    missing.clear();
    if (central_sees["province"] < 0.01 || central_sees["district"] < 0.01)
      missing += "central: " + describe(central_sees);
    if (district_sees["central"] < 0.01 || district_sees["province"] < 0.01)
      missing += " district: " + describe(district_sees);
    for (const Tier* t : tiers)
      if (province_sees[t->name] < 0.01) missing += " province: " + describe(province_sees);
  }
  EXPECT_EQ(missing, "") << "a colour is missing from what a link carries";
}

// Links form a tree. With central <- province <- district joined, a link from the district
// straight to the central MCU would close a loop (its sound would come back to it through the
// province): the central MCU refuses it, and both roll-calls and both alarm lists say so. The
// central room never hears its own tone.
TEST_F(Cascade, ALinkThatWouldCloseALoopIsRefusedOnBothSides) {
  auto joined = [&](McuProcess& mcu, const std::string& conference, const std::string& link) {
    return LinkHas(RollCallSite(mcu, conference, link), "state", "joined");
  };
  ASSERT_TRUE(WaitUntil(
      [&] {
        return joined(*province, "cap-tinh", "trung-uong") &&
               joined(*district, "cap-huyen", "tinh");
      },
      seconds(30)))
      << Logs();
  // The district's administrator invites the direct link to its conference: it dials now.
  RestClient admin(district->port(), district->ca());
  ASSERT_TRUE(admin.Login("quantri", kAdminPassword));
  auto r = admin.Call(
      "PUT", "/api/v1/conferences/cap-huyen",
      {{"invited",
        {"huyen-1", "huyen-2", "tinh", "tinh-sai", "tinh-gia", "trung-uong-truc-tiep"}}});
  ASSERT_EQ(r.status, 200) << r.text;
  json dialled, accepted;
  ASSERT_TRUE(
      WaitForLink(*district, "cap-huyen", "trung-uong-truc-tiep", "failure", "loop", dialled))
      << dialled.dump() << Logs();
  ASSERT_TRUE(WaitForLink(*central, "toan-quoc", "huyen-truc-tiep", "failure", "loop", accepted))
      << accepted.dump() << Logs();
  EXPECT_EQ(dialled["link"]["state"], "refused") << dialled.dump();
  EXPECT_EQ(dialled["state"], "offline") << dialled.dump();
  EXPECT_EQ(accepted["link"]["state"], "refused") << accepted.dump();
  EXPECT_NE(accepted["link"]["detail"].get<std::string>().find("loop"), std::string::npos);
  EXPECT_NE(accepted["state"], "video") << "a refused link is not in the conference";
  // The links that make the tree are still up.
  EXPECT_TRUE(joined(*province, "cap-tinh", "trung-uong"));
  EXPECT_TRUE(joined(*district, "cap-huyen", "tinh"));
  for (McuProcess* mcu : {central.get(), district.get()}) {
    RestClient tech(mcu->port(), mcu->ca());
    ASSERT_TRUE(tech.Login("kythuat", kTechnicianPassword));
    auto alarms = tech.Call("GET", "/api/v1/alarms?active=true");
    ASSERT_EQ(alarms.status, 200) << alarms.text;
    bool loop = false;
    for (const auto& a : alarms.body) loop |= a["kind"] == "loop" && a["severity"] == "critical";
    EXPECT_TRUE(loop) << alarms.text;
  }
  // Sound does not come back: the central room hears the district, never itself.
  auto d_room = StartRoom(*district, kDistrict, "demo-huyen-1", "cap-huyen", {});
  Wav w = Hear(*central, kCentral, "demo-tinh-1", "toan-quoc", central->dir() / "loop.wav", 6, 4);
  ASSERT_FALSE(w.samples.empty());
  EXPECT_GT(ToneShare(w, kDistrict.tone), 0.03) << "the district is heard through the province";
  EXPECT_LT(ToneShare(w, kCentral.tone), 0.01) << "the central room hears itself";
}

}  // namespace
}  // namespace mcu::test
