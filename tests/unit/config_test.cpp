// Specs of mcu/config.h: the embedded default, strict validation, and every field of a full file.
#include "mcu/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "mcu/secrets.h"
#include "test_util.h"

namespace mcu {
namespace {

const std::string kHash = "sha256:" + std::string(64, 'a');

std::string Site(const std::string& id, const std::string& level = "district",
                 const std::string& hash = kHash) {
  return "[[sites]]\nid = \"" + id + "\"\nname = \"Site " + id + "\"\nlevel = \"" + level +
         "\"\ntoken_hash = \"" + hash + "\"\n";
}

void ExpectError(const std::string& toml, const std::string& part) {
  auto c = ParseConfig(toml, "test.toml");
  ASSERT_FALSE(c.ok()) << "accepted:\n" << toml;
  EXPECT_NE(c.error().find(part), std::string::npos) << c.error();
  EXPECT_EQ(c.error().rfind("test.toml", 0), 0u) << c.error();  // Names the source.
}

TEST(Config, EmbeddedDefaultParses) {
  auto c = ParseConfig(DefaultConfigToml(), "default");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->server.port, 8443);
  EXPECT_EQ(c->server.listen, "127.0.0.1");  // The demo serves this machine only.
  EXPECT_EQ(c->limits.max_message_bytes, 65536u);
  EXPECT_DOUBLE_EQ(c->limits.messages_per_second, 20);  // Written as an integer in TOML.
  EXPECT_EQ(c->log.level, "info");
  EXPECT_GE(c->sites.size(), 1u);
  ASSERT_GE(c->conferences.size(), 1u);
  EXPECT_EQ(c->conferences[0].id, "echo");
  EXPECT_EQ(c->conferences[0].mode, "echo");
  for (const auto& s : c->sites) EXPECT_EQ(s.token_hash.size(), 7u + 64) << s.id;
}

// The example a province starts from: valid as it stands, 3 rooms at the province and 22
// districts, media on one address and a port range a firewall can open.
TEST(Config, ExampleProvinceDeploymentLoads) {
  auto c = LoadConfigFile(std::string(MCU_CONFIGS_DIR) + "/province-example.toml");
  ASSERT_TRUE(c.ok()) << c.error();
  int province = 0, district = 0, sip = 0, sip_dialled = 0;
  size_t with_token = 0;
  std::set<std::string> ids, hashes;
  for (const auto& s : c->sites) {
    province += s.level == "province";
    district += s.level == "district";
    sip += s.kind == "sip";
    sip_dialled += s.kind == "sip" && s.sip_dial;
    ids.insert(s.id);
    if (!s.token_hash.empty()) hashes.insert(s.token_hash), ++with_token;
  }
  EXPECT_EQ(province, 3);
  EXPECT_EQ(district, 22);
  EXPECT_EQ(sip, 2) << "a room system over SIP, and a SIP trunk to the central MCU";
  EXPECT_EQ(sip_dialled, 1) << "the trunk is called; the room calls in";
  EXPECT_EQ(c->sip.tls_port, 5061);
  // The link this MCU dials and the SIP sites have none: they are known otherwise.
  EXPECT_EQ(with_token, c->sites.size() - 3);
  EXPECT_EQ(hashes.size(), with_token) << "every site its own token";
  EXPECT_EQ(c->media.ice_addresses.size(), 1u);
  EXPECT_GT(c->media.port_max, c->media.port_min);
  EXPECT_TRUE(c->log.json);
  ASSERT_EQ(c->users.size(), 1u);
  EXPECT_EQ(c->users[0].role, "admin");
  ASSERT_FALSE(c->conferences.empty());
  EXPECT_EQ(c->conferences[0].invited.size(), 25u);
  for (const auto& s : c->conferences[0].invited) EXPECT_TRUE(ids.count(s)) << s;
  EXPECT_TRUE(ids.count(c->conferences[0].host));
  EXPECT_FALSE(c->conferences[0].classified);
  auto secret = std::find_if(c->conferences.begin(), c->conferences.end(),
                             [](const ConferenceConfig& cc) { return cc.classified; });
  ASSERT_NE(secret, c->conferences.end()) << "the example shows a classified meeting";
  EXPECT_EQ(secret->id, "thuong-vu");
}

TEST(Config, EmptyTextGivesTheDefaultsInCode) {
  auto c = ParseConfig("", "empty");
  ASSERT_TRUE(c.ok()) << c.error();
  Config d;
  EXPECT_EQ(c->server.port, d.server.port);
  EXPECT_EQ(c->limits.max_participants, d.limits.max_participants);
  EXPECT_TRUE(c->sites.empty());
}

TEST(Config, FullFileSetsEveryField) {
  const std::string toml = R"(
[server]
listen = "10.1.2.3"
port = 9443
data_dir = "/var/lib/mcu"
tls_cert = "/etc/mcu/cert.pem"
tls_key = "/etc/mcu/key.pem"
web_root = "/usr/share/mcu/web"
public_name = "mcu.example.vn"

[media]
ice_addresses = ["10.1.2.3", "192.168.5.6"]
port_min = 40000
port_max = 40999

[limits]
max_message_bytes = 131072
messages_per_second = 12.5
message_burst = 30
max_connections = 77
max_participants = 40
handshake_timeout_s = 7
idle_timeout_s = 45

[log]
level = "debug"
json = true

[[sites]]
id = "tinh-1"
name = "Tỉnh 1"
level = "province"
token_hash = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

[[sites]]
id = "huyen_2"
name = "Huyện 2"
level = "central"
token_hash = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

[[conferences]]
id = "hop-tuan"
title = "Họp giao ban"
mode = "mix"
)";
  auto c = ParseConfig(toml, "full.toml");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->server.listen, "10.1.2.3");
  EXPECT_EQ(c->server.port, 9443);
  EXPECT_EQ(c->server.data_dir, "/var/lib/mcu");
  EXPECT_EQ(c->server.tls_cert, "/etc/mcu/cert.pem");
  EXPECT_EQ(c->server.tls_key, "/etc/mcu/key.pem");
  EXPECT_EQ(c->server.web_root, "/usr/share/mcu/web");
  EXPECT_EQ(c->server.public_name, "mcu.example.vn");
  EXPECT_EQ(c->media.ice_addresses, (std::vector<std::string>{"10.1.2.3", "192.168.5.6"}));
  EXPECT_EQ(c->media.port_min, 40000);
  EXPECT_EQ(c->media.port_max, 40999);
  EXPECT_EQ(c->limits.max_message_bytes, 131072u);
  EXPECT_DOUBLE_EQ(c->limits.messages_per_second, 12.5);
  EXPECT_DOUBLE_EQ(c->limits.message_burst, 30);
  EXPECT_EQ(c->limits.max_connections, 77u);
  EXPECT_EQ(c->limits.max_participants, 40u);
  EXPECT_EQ(c->limits.handshake_timeout_s, 7);
  EXPECT_EQ(c->limits.idle_timeout_s, 45);
  EXPECT_EQ(c->log.level, "debug");
  EXPECT_TRUE(c->log.json);
  ASSERT_EQ(c->sites.size(), 2u);
  EXPECT_EQ(c->sites[0].id, "tinh-1");
  EXPECT_EQ(c->sites[0].name, "Tỉnh 1");
  EXPECT_EQ(c->sites[0].level, "province");
  EXPECT_EQ(c->sites[0].token_hash,
            "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  EXPECT_EQ(c->sites[1].id, "huyen_2");
  EXPECT_EQ(c->sites[1].level, "central");
  ASSERT_EQ(c->conferences.size(), 1u);
  EXPECT_EQ(c->conferences[0].id, "hop-tuan");
  EXPECT_EQ(c->conferences[0].title, "Họp giao ban");
  EXPECT_EQ(c->conferences[0].mode, "mix");
}

TEST(Config, UnknownKeyIsAnErrorNamingIt) {
  ExpectError("[server]\nprot = 8443\n", "server.prot");
  ExpectError("[limits]\nmax_participant = 3\n", "limits.max_participant");
  ExpectError("[log]\nlevel = \"info\"\ncolour = true\n", "log.colour");
  ExpectError(Site("a") + "colour = \"red\"\n", "sites[0].colour");
  ExpectError(Site("a") + Site("b") + "password = \"x\"\n", "sites[1].password");
  ExpectError("[[conferences]]\nid = \"c\"\nmode = \"echo\"\nowner = \"me\"\n",
              "conferences[0].owner");
}

TEST(Config, UnknownSectionIsAnErrorNamingIt) {
  ExpectError("[srever]\nport = 1\n", "srever");
  ExpectError("port = 8443\n", "port");  // A key at top level, outside any section.
  ExpectError("[[site]]\nid = \"x\"\n", "site");
}

TEST(Config, WrongShapesAreErrors) {
  ExpectError("server = 5\n", "server must be a table");
  ExpectError("sites = 5\n", "sites must be an array of tables");
  ExpectError("sites = [1, 2]\n", "sites must be an array of tables");
  ExpectError("[server]\nport = \"8443\"\n", "server.port must be an integer");
  ExpectError("[server]\nport = 8443.0\n", "server.port must be an integer");
  ExpectError("[server]\nport = 1e308\n", "server.port must be an integer");
  ExpectError("[server]\nport = 8443.5\n", "server.port");
  ExpectError("[server]\nlisten = 1\n", "server.listen must be a string");
  ExpectError("[log]\njson = \"yes\"\n", "log.json must be true or false");
  ExpectError("[media]\nice_addresses = \"10.0.0.1\"\n", "media.ice_addresses");
  ExpectError("[media]\nice_addresses = [1]\n", "media.ice_addresses");
  ExpectError("[limits]\nmessages_per_second = \"fast\"\n", "limits.messages_per_second");
}

TEST(Config, TomlSyntaxErrorsNameTheLine) {
  auto c = ParseConfig("[server]\nport = 8443\nlisten = \n", "broken.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().find("broken.toml:3"), std::string::npos) << c.error();
}

TEST(Config, OutOfRangePortsAreErrors) {
  ExpectError("[server]\nport = 65536\n", "server.port is out of range");
  ExpectError("[server]\nport = -1\n", "server.port is out of range");
  ExpectError("[server]\nport = 0\n", "server.port");
  ExpectError("[media]\nport_min = 70000\nport_max = 70001\n", "media.port_min is out of range");
  ExpectError("[media]\nport_min = 5000\n", "media.port_min");
  ExpectError("[media]\nport_min = 6000\nport_max = 5000\n", "media.port_min");
  EXPECT_TRUE(ParseConfig("[media]\nport_min = 5000\nport_max = 5000\n", "t").ok());
  ExpectError("[media]\nmax_decode_width = 100000\n", "media.max_decode_width");
  ExpectError("[media]\nmax_decode_height = 10\n", "media.max_decode_width");
  auto big = ParseConfig("[media]\nmax_decode_width = 3840\nmax_decode_height = 2160\n", "t");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->media.max_decode_width, 3840);
  EXPECT_EQ(big->media.max_decode_height, 2160);
}

TEST(Config, OutOfRangeLimitsAreErrors) {
  ExpectError("[limits]\nmax_message_bytes = 1023\n", "limits.max_message_bytes");
  ExpectError("[limits]\nmax_message_bytes = 16777217\n", "limits.max_message_bytes");
  ExpectError("[limits]\nmessages_per_second = 0\n", "limits.messages_per_second");
  ExpectError("[limits]\nmessages_per_second = -3\n", "limits.messages_per_second");
  ExpectError("[limits]\nmessage_burst = 0.5\n", "limits.message_burst");
  ExpectError("[limits]\nmax_participants = 0\n", "limits.max_participants");
  ExpectError("[limits]\nmax_participants = 257\n", "limits.max_participants");
  ExpectError("[limits]\nhandshake_timeout_s = -1\n", "limits.handshake_timeout_s");
}

TEST(Config, ConnectionLimitsAreReadAndChecked) {
  auto d = ParseConfig("", "t");
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d->limits.max_connections_per_address, 32u);
  EXPECT_EQ(d->limits.reserved_site_connections, 50u);
  EXPECT_EQ(d->limits.auth_timeout_s, 10);
  auto c = ParseConfig(
      "[limits]\nmax_connections = 100\nmax_connections_per_address = 0\n"
      "reserved_site_connections = 20\nauth_timeout_s = 3\n",
      "t");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->limits.max_connections_per_address, 0u);
  EXPECT_EQ(c->limits.reserved_site_connections, 20u);
  EXPECT_EQ(c->limits.auth_timeout_s, 3);
  ExpectError("[limits]\nmax_connections = 0\n", "limits.max_connections");
  ExpectError("[limits]\nmax_connections = 40\n", "limits.reserved_site_connections");
  ExpectError("[limits]\nmax_connections = 100\nmax_connections_per_address = 101\n",
              "limits.max_connections_per_address");
  ExpectError("[limits]\nauth_timeout_s = 0\n", "limits.auth_timeout_s");
  ExpectError("[limits]\nauth_timeout_s = 301\n", "limits.auth_timeout_s");
  ExpectError("[limits]\nmax_connections_per_address = -1\n", "limits.max_connections_per_address");
}

TEST(Config, AlarmThresholdsAreReadAndChecked) {
  auto c = ParseConfig(
      "[alarms]\nloss_warning_pct = 2\nloss_critical_pct = 8.5\nno_media_s = 3\nrtt_ms = 150\n"
      "clear_after_s = 10\n",
      "alarms");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_DOUBLE_EQ(c->alarms.loss_warning_pct, 2);
  EXPECT_DOUBLE_EQ(c->alarms.loss_critical_pct, 8.5);
  EXPECT_EQ(c->alarms.no_media_s, 3);
  EXPECT_DOUBLE_EQ(c->alarms.rtt_ms, 150);
  EXPECT_EQ(c->alarms.clear_after_s, 10);
  auto d = ParseConfig(DefaultConfigToml(), "default");
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_DOUBLE_EQ(d->alarms.loss_critical_pct, 5.0);
  EXPECT_EQ(d->alarms.no_media_s, 5);
  ExpectError("[alarms]\nloss_warning_pct = 0\n", "alarms.loss_warning_pct");
  ExpectError("[alarms]\nloss_warning_pct = nan\n", "alarms.loss_warning_pct");
  ExpectError("[alarms]\nloss_warning_pct = 6\nloss_critical_pct = 5\n",
              "alarms.loss_critical_pct");
  ExpectError("[alarms]\nno_media_s = 0\n", "alarms.no_media_s");
  ExpectError("[alarms]\nrtt_ms = -1\n", "alarms.rtt_ms");
  ExpectError("[alarms]\nclear_after_s = 99999\n", "alarms.clear_after_s");
  ExpectError("[alarms]\nloss_pct = 1\n", "alarms.loss_pct");
}

TEST(Config, RecordingStorageIsReadAndChecked) {
  auto c = ParseConfig(
      "[recording]\ndirectory = \"/srv/recordings\"\nretention_days = 365\nmin_free_mb = 500\n"
      "format = \"mp4\"\n",
      "recording");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->recording.format, "mp4");
  EXPECT_EQ(c->recording.directory, "/srv/recordings");
  EXPECT_EQ(c->recording.retention_days, 365);
  EXPECT_EQ(c->recording.min_free_mb, 500);
  auto d = ParseConfig(DefaultConfigToml(), "default");
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d->recording.directory, "") << "<data_dir>/recordings";
  EXPECT_EQ(d->recording.retention_days, 0) << "kept until deleted";
  EXPECT_EQ(d->recording.min_free_mb, 2048);
  EXPECT_EQ(d->recording.format, "webm") << "no encoder of its own";
  ExpectError("[recording]\nformat = \"mkv\"\n", "recording.format");
  ExpectError("[recording]\ndirectory = \"recordings\"\n", "recording.directory");
  ExpectError("[recording]\nretention_days = -1\n", "recording.retention_days");
  ExpectError("[recording]\nmin_free_mb = -5\n", "recording.min_free_mb");
  ExpectError("[recording]\nkeep_days = 5\n", "recording.keep_days");
}

TEST(Config, TheStreamFormatIsReadAndChecked) {
  auto c = ParseConfig("[stream]\nformat = \"ts\"\n", "stream");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->stream.format, "ts");
  auto d = ParseConfig(DefaultConfigToml(), "default");
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d->stream.format, "webm") << "nothing encoded for it";
  ExpectError("[stream]\nformat = \"flv\"\n", "stream.format");
  auto r = ParseConfig("[stream]\nrtmp_url = \"rtmp://portal.tinh/live/{conference}\"\n", "r");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->stream.rtmp_url, "rtmp://portal.tinh/live/{conference}");
  EXPECT_EQ(d->stream.rtmp_url, "") << "pushed nowhere by default";
  ExpectError("[stream]\nrtmp_url = \"http://portal/live\"\n", "stream.rtmp_url");
  ExpectError("[stream]\nrtmp_url = \"rtmp://portal/live key\"\n", "stream.rtmp_url");
  ExpectError("[stream]\nbitrate = 5\n", "stream.bitrate");
}

// TOML has nan; "must be positive" has to refuse it too, or the token bucket never refills.
TEST(Config, NotANumberRateIsAnError) {
  ExpectError("[limits]\nmessages_per_second = nan\n", "limits.messages_per_second");
  ExpectError("[limits]\nmessage_burst = nan\n", "limits.message_burst");
}

// fuzz_config's check that rates are finite: [sip]'s rate had no check of its own, and SIP's
// start refuses only a rate <= 0, so nan passed; inf passed everywhere. Either makes a token
// bucket that never empties (no limit on INVITE floods or room messages).
TEST(Config, InfiniteOrNotANumberSettingsAreErrors) {
  for (const char* toml : {"[sip]\nrequests_per_second = nan\n", "[sip]\nrequest_burst = inf\n",
                           "[limits]\nmessages_per_second = inf\n",
                           "[limits]\nmessage_burst = +inf\n", "[alarms]\nrtt_ms = -inf\n"})
    ExpectError(toml, "must be a finite number");
  auto ok = ParseConfig("[sip]\nrequests_per_second = 2.5\nrequest_burst = 4\n", "test.toml");
  ASSERT_TRUE(ok.ok()) << ok.error();
  EXPECT_EQ(ok->sip.requests_per_second, 2.5);
  EXPECT_EQ(ok->sip.request_burst, 4);
}

TEST(Config, BadLogLevelIsAnError) {
  ExpectError("[log]\nlevel = \"verbose\"\n", "log.level");
  ExpectError("[log]\nlevel = \"INFO\"\n", "log.level");
  for (const char* level : {"trace", "debug", "info", "warn", "error"})
    EXPECT_TRUE(ParseConfig(std::string("[log]\nlevel = \"") + level + "\"\n", "t").ok()) << level;
}

TEST(Config, ACascadeLinkThisMcuDialsNeedsNoTokenButAFullTarget) {
  const std::string pin(64, 'a');
  std::string link =
      "[[sites]]\nid = \"trung-uong\"\nname = \"Trung ương\"\nlevel = \"central\"\n"
      "kind = \"cascade\"\nlink_url = \"wss://10.1.0.5:8443/ws\"\nlink_conference = \"toan-quoc\"\n"
      "link_credential = \"cred\"\nlink_fingerprint = \"" +
      pin + "\"\nlink_max_kbps = 800\n";
  auto c = ParseConfig(link, "t");
  ASSERT_TRUE(c.ok()) << c.error();
  const SiteConfig& s = c->sites[0];
  EXPECT_EQ(s.kind, "cascade");
  EXPECT_TRUE(s.token_hash.empty());
  EXPECT_EQ(s.link.url, "wss://10.1.0.5:8443/ws");
  EXPECT_EQ(s.link.conference, "toan-quoc");
  EXPECT_EQ(s.link.credential, "cred");
  EXPECT_EQ(s.link.fingerprint.size(), 95u) << "normalised to AA:AA:...";
  EXPECT_EQ(s.link.max_kbps, 800);
  EXPECT_EQ(s.link.role, "") << "the usual role: this dialling side is the child";
  EXPECT_EQ(LinkRole(s.link), "child");
  // An accepting cascade site is a site with a token, like a room; it may be the child.
  EXPECT_TRUE(ParseConfig(Site("tinh-a") + "kind = \"cascade\"\n", "t").ok());
  auto child = ParseConfig(Site("tinh-a") + "kind = \"cascade\"\nlink_role = \"child\"\n", "t");
  ASSERT_TRUE(child.ok()) << child.error();
  EXPECT_EQ(LinkRole(child->sites[0].link), "child");
  EXPECT_EQ(LinkRole(LinkTarget{}), "parent") << "accepting, by default";
  ExpectError(Site("tinh-a") + "kind = \"cascade\"\nlink_role = \"boss\"\n", "parent or child");
  ExpectError(Site("a") + "link_role = \"child\"\n", "only a site of kind cascade");
  ExpectError(Site("a") + "kind = \"bridge\"\n", "sites[0].kind");
  ExpectError(Site("a") +
                  "link_url = \"wss://x/ws\"\nlink_credential = \"c\"\nlink_fingerprint = \"" +
                  pin + "\"\n",
              "only a site of kind cascade");
  std::string no_pin = link;
  no_pin.replace(no_pin.find("link_fingerprint"),
                 std::string("link_fingerprint = \"" + pin + "\"\n").size(), "");
  ExpectError(no_pin, "fingerprint");
  ExpectError("[[sites]]\nid = \"a\"\nname = \"A\"\nlevel = \"central\"\nkind = \"cascade\"\n",
              "token_hash");
}

TEST(Config, ASipSiteIsKnownByItsUriAndNeedsNoToken) {
  std::string sip =
      "[[sites]]\nid = \"phong-sip\"\nname = \"Phòng SIP\"\nlevel = \"district\"\n"
      "kind = \"sip\"\nsip_uri = \"sip:phong1@10.20.3.5\"\n";
  auto c = ParseConfig(sip, "t");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->sites[0].kind, "sip");
  EXPECT_EQ(c->sites[0].sip_uri, "sip:phong1@10.20.3.5");
  EXPECT_TRUE(c->sites[0].token_hash.empty());
  ExpectError("[[sites]]\nid = \"a\"\nname = \"A\"\nlevel = \"district\"\nkind = \"sip\"\n",
              "a site of kind sip, and only it, has a sip_uri");
  ExpectError(Site("a") + "sip_uri = \"sip:a@10.0.0.1\"\n", "only it, has a sip_uri");
  ExpectError(
      "[[sites]]\nid = \"a\"\nname = \"A\"\nlevel = \"district\"\nkind = \"sip\"\n"
      "sip_uri = \"sip:10.0.0.1\"\n",
      "sites[0].sip_uri must be sip:user@host (no user part)");
}

TEST(Config, SipIsOffUnlessConfiguredAndTheDefaultListensOnTls5061) {
  auto empty = ParseConfig("", "t");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->sip.enabled());
  auto d = ParseConfig(DefaultConfigToml(), "default");
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d->sip.tls_port, 5061);
  EXPECT_EQ(d->sip.udp_port, 0);
  EXPECT_EQ(d->sip.tcp_port, 0);
  auto c = ParseConfig(
      "[sip]\nlisten = \"10.0.0.2\"\ntls_port = 5071\nmax_calls = 30\n"
      "requests_per_second = 4\nrequest_burst = 8\naddress = \"10.0.0.9\"\n"
      "ring_timeout_s = 20\nmedia_timeout_s = 10\nconnection_idle_s = 5\n",
      "t");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->sip.listen, "10.0.0.2");
  EXPECT_EQ(c->sip.tls_port, 5071);
  EXPECT_EQ(c->sip.max_calls, 30u);
  EXPECT_EQ(c->sip.requests_per_second, 4);
  EXPECT_EQ(c->sip.request_burst, 8);
  EXPECT_EQ(c->sip.address, "10.0.0.9");
  EXPECT_EQ(c->sip.ring_timeout_s, 20);
  EXPECT_EQ(c->sip.media_timeout_s, 10);
  EXPECT_EQ(d->sip.ring_timeout_s, 45);
  EXPECT_EQ(d->sip.media_timeout_s, 30);
  EXPECT_EQ(c->sip.connection_idle_s, 5);
  EXPECT_EQ(d->sip.connection_idle_s, 30);
  ExpectError("[sip]\nports = 5\n", "sip.ports");
  ExpectError("[sip]\nring_timeout_s = 1\n", "sip.ring_timeout_s");
  ExpectError("[sip]\nmedia_timeout_s = 0\n", "sip.media_timeout_s");
  ExpectError("[sip]\nconnection_idle_s = 1\n", "sip.connection_idle_s");
}

TEST(Config, BadTokenHashIsAnError) {
  ExpectError(Site("a", "district", "plaintext-token"), "sites[0].token_hash");
  ExpectError(Site("a", "district", "sha256:" + std::string(63, 'a')), "sites[0].token_hash");
  ExpectError(Site("a", "district", "sha256:" + std::string(65, 'a')), "sites[0].token_hash");
  ExpectError(Site("a", "district", "sha256:" + std::string(64, 'A')), "sites[0].token_hash");
  ExpectError(Site("a", "district", "sha256:" + std::string(64, 'g')), "sites[0].token_hash");
  ExpectError(Site("a", "district", "md5:" + std::string(64, 'a')), "sites[0].token_hash");
  // What `HashToken` writes is what the config accepts.
  EXPECT_TRUE(ParseConfig(Site("a", "district", HashToken("secret")), "t").ok());
}

TEST(Config, BadSiteFieldsAreErrors) {
  ExpectError(Site("a") + Site("a"), "sites[1].id 'a' is used twice");
  ExpectError(Site("Upper"), "sites[0].id");
  ExpectError(Site(""), "sites[0].id");
  ExpectError(Site("-leading-dash"), "sites[0].id");
  ExpectError(Site(std::string(65, 'a')), "sites[0].id");
  ExpectError(Site("a", "village"), "sites[0].level");
  ExpectError("[[sites]]\nid = \"a\"\nlevel = \"other\"\ntoken_hash = \"" + kHash + "\"\n",
              "sites[0].name");
}

TEST(Config, BadConferencesAreErrors) {
  ExpectError("[[conferences]]\nid = \"c\"\nmode = \"sfu\"\n", "conferences[0].mode");
  ExpectError("[[conferences]]\nid = \"c\"\n", "conferences[0].mode");
  ExpectError(
      "[[conferences]]\nid = \"c\"\nmode = \"echo\"\n[[conferences]]\nid = \"c\"\nmode = "
      "\"mix\"\n",
      "conferences[1].id 'c' is used twice");
  ExpectError("[[conferences]]\nid = \"C D\"\nmode = \"echo\"\n", "conferences[0].id");
}

TEST(Config, LoadConfigFileReadsAFileAndNamesIt) {
  test::TempDir dir;
  auto path = dir.path() / "mcu.toml";
  ASSERT_TRUE(test::WriteFile(path, "[server]\nport = 9000\n"));
  auto c = LoadConfigFile(path.string());
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->server.port, 9000);
  ASSERT_TRUE(test::WriteFile(path, "[server]\nport = 0\n"));
  c = LoadConfigFile(path.string());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().find(path.string()), std::string::npos) << c.error();
  EXPECT_FALSE(LoadConfigFile((dir.path() / "missing.toml").string()).ok());
}

TEST(Config, AuthSettingsAreReadWithDefaultsAndChecked) {
  auto d = ParseConfig("", "test.toml");
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d->auth.token_days, 90);
  EXPECT_EQ(d->auth.token_max_days, 365);
  EXPECT_EQ(d->auth.session_idle_minutes, 30);
  EXPECT_EQ(d->auth.login_attempts_per_minute, 10);
  auto c = ParseConfig(
      "[auth]\ntoken_days = 30\ntoken_max_days = 60\nsession_idle_minutes = 15\n"
      "login_attempts_per_minute = 5\n",
      "test.toml");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->auth.token_days, 30);
  EXPECT_EQ(c->auth.token_max_days, 60);
  EXPECT_EQ(c->auth.session_idle_minutes, 15);
  EXPECT_EQ(c->auth.login_attempts_per_minute, 5);
  ExpectError("[auth]\ntoken_days = 400\n",
              "auth.token_days must be between 1 and auth.token_max_days");
  ExpectError("[auth]\ntoken_days = 0\n", "auth.token_days");
  ExpectError("[auth]\ntoken_max_days = 4000\n", "auth.token_max_days must be between 1 and 3650");
  ExpectError("[auth]\nsession_idle_minutes = 0\n", "auth.session_idle_minutes");
  ExpectError("[auth]\nsession_idle_minutes = 721\n", "auth.session_idle_minutes");
  ExpectError("[auth]\nlogin_attempts_per_minute = 0\n", "auth.login_attempts_per_minute");
  ExpectError("[auth]\ntoken_hours = 1\n", "auth.token_hours is not a known setting");
}

}  // namespace
}  // namespace mcu
