// The MCU's configuration: defaults in code (DefaultConfigToml() is the embedded
// configs/default.toml), loaded from TOML and validated strictly: an unknown key or a value out
// of range is an error with its path, never silently ignored.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mcu/cascade.h"
#include "mcu/expected.h"

namespace mcu {

struct SiteConfig {
  std::string id;
  std::string name;
  std::string level;          // central | province | district | other
  std::string token_hash;     // "sha256:<64 hex>"; optional for a cascade link this MCU dials.
  std::string network;        // Its expected network (shown to technicians), optional.
  int bandwidth_kbps = 0;     // Its link's expected capacity, optional.
  std::string kind = "room";  // room | cascade | sip
  LinkTarget link;            // kind cascade: the other MCU this one dials (link_* keys).
  std::string sip_uri;        // kind sip: the room system's SIP address (mcu/sip_site.h).
  bool sip_dial = true;       // kind sip: the MCU calls it when its conference opens.
  bool sip_plain = false;     // kind sip: SDES keys may travel over plain SIP (TCP, UDP).
};

// A permanent conference (open whenever a site asks to join). Scheduled ones are made with the
// REST API.
struct ConferenceConfig {
  std::string id;
  std::string title;
  std::string mode;                  // echo | mix
  std::vector<std::string> invited;  // Empty: any site may join.
  std::string host;
  std::string layout = "grid";
  bool classified = false;
};

struct UserConfig {
  std::string login, name;
  std::string role;           // admin | host | technician
  std::string password_hash;  // Argon2id (see `mcu hash-password`).
};

struct Config {
  struct Server {
    std::string listen = "0.0.0.0";
    uint16_t port = 8443;
    std::string data_dir = "mcu-data";
    std::string tls_cert, tls_key;
    std::string web_root;
    std::string public_name = "localhost";
    std::string time_zone = "Asia/Ho_Chi_Minh";  // Schedules are in this zone's local time.
  } server;
  struct Schedule {
    int grace_s = 300;     // A conference closes this long after its end.
    int call_retry_s = 5;  // An invited idle room that did not join is called again.
  } schedule;
  // When a technician is told a site is in trouble (mcu/alarms.h).
  struct Alarms {
    double loss_warning_pct = 1.0;  // Packet loss over 10 s, either direction.
    double loss_critical_pct = 5.0;
    int no_media_s = 5;  // A joined site from which nothing arrives.
    double rtt_ms = 300;
    int clear_after_s = 5;  // An alarm clears once its condition has been gone this long.
  } alarms;
  // Where recordings go and how long they stay (mcu/bridge.h StartRecording).
  struct Recording {
    std::string directory;   // Empty: <data_dir>/recordings.
    int retention_days = 0;  // Ended recordings older than this are deleted; 0: kept.
    // Free space the recordings' disk keeps: below it a recording stops (with an alarm) and
    // none starts.
    int min_free_mb = 2048;
    // Whether classified conferences may be recorded (by an administrator's choice: off unless
    // set). Their files are sealed at rest (AES-256-GCM, mcu/sealed_file.h) with the key in
    // `key_file` (empty: <data_dir>/recording.key), created owner-only on first use.
    bool classified = false;
    std::string key_file;
    // The file's format: "webm" (the VP8 tier as the WebRTC sites receive it: no encoder of its
    // own) or "mp4" (fragmented MP4 of the H.264 tier, which plays wherever MP4 does; the tier
    // is encoded for it while no SIP room receives it).
    std::string format = "webm";
  } recording;
  // A conference's live stream (mcu/bridge.h StartStream).
  struct Stream {
    // The segments' format: "webm" (the VP8 tier and the Opus mix, as the sites receive them:
    // nothing encoded for it; HLS version 7 that the MCU's watch page plays) or "ts" (MPEG-TS of
    // the H.264 tier and the mix in AAC: HLS version 3 that every HLS player takes, for a
    // portal's player; the tier is encoded for it while no SIP room receives it).
    std::string format = "webm";
    // Where the stream is also pushed, while it runs (empty: nowhere): an RTMP server of a
    // portal, "rtmp://host[:port]/app/key" or rtmps://; "{conference}" is replaced by the
    // conference's id. FLV of the H.264 tier and the mix in AAC (with format "ts" that tier and
    // AAC are made anyway: the push costs a mux). A push that fails is tried again every 10 s;
    // the key never reaches a log line.
    std::string rtmp_url;
  } stream;
  struct Media {
    std::vector<std::string> ice_addresses;
    uint16_t port_min = 0, port_max = 0;
    // The largest picture a site's video may declare (keyframe header, H.264 SPS): a larger one
    // is not decoded (its tile shows the site's name) and raises an alarm.
    int max_decode_width = 1920, max_decode_height = 1080;
  } media;
  struct Limits {
    size_t max_message_bytes = 65536;
    double messages_per_second = 20;
    double message_burst = 50;
    size_t max_connections = 500;
    // Connections from one address (0: no limit). Rooms and console users behind one NAT share
    // it: raise it for such a network (about 2 per room and 10 per console user).
    size_t max_connections_per_address = 32;
    // The last of max_connections, kept for addresses sites authenticated from since the start
    // (signaling/connection_limits.h).
    size_t reserved_site_connections = 50;
    int auth_timeout_s = 10;  // A room's /ws connection that has not authenticated is closed.
    size_t max_participants = 32;
    int handshake_timeout_s = 10;
    int idle_timeout_s = 60;
  } limits;
  // Console logins and API tokens (mcu/auth.h).
  struct Auth {
    int token_days = 90;            // An API token's lifetime unless its creator asks for less.
    int token_max_days = 365;       // The most a creator may ask for.
    int session_idle_minutes = 30;  // A console session unused this long ends (12 h at most).
    int login_attempts_per_minute = 10;  // Per client address, before any password is checked.
  } auth;
  // SIP room systems and other vendors' MCUs (signaling/sip_agent.h). Off unless configured
  // (configs/default.toml and the province example listen on 5061, over TLS).
  struct Sip {
    std::string listen;     // Empty: server.listen.
    uint16_t tls_port = 0;  // 0: no SIP over TLS.
    uint16_t tcp_port = 0;  // 0: off. Plain TCP and UDP only for closed lines.
    uint16_t udp_port = 0;  // 0: off.
    unsigned max_calls = 100;
    double requests_per_second = 10;  // INVITE and OPTIONS per source address...
    double request_burst = 20;        // ...with this burst; over it: 503.
    // The host in From and Contact of the calls this MCU places: how rooms reach it. Empty:
    // `listen`, or (listening on every address) the local address toward the one called.
    std::string address;
    int ring_timeout_s = 45;     // A call this MCU places that is not answered in this time ends.
    int media_timeout_s = 30;    // A call whose media stopped this long ago is over (no BYE came).
    int connection_idle_s = 30;  // A SIP TCP/TLS connection idle this long is closed.
    bool enabled() const { return tls_port || tcp_port || udp_port; }
  } sip;
  struct Log {
    std::string level = "info";
    bool json = false;
  } log;
  std::vector<SiteConfig> sites;
  std::vector<ConferenceConfig> conferences;
  std::vector<UserConfig> users;
  // sites, conferences and users are seeds: imported into the database on its first start;
  // afterwards the database (and the REST API) holds the truth.
};

const std::string& DefaultConfigToml();
Expected<Config> ParseConfig(const std::string& toml_text, const std::string& source_name);
Expected<Config> LoadConfigFile(const std::string& path);

}  // namespace mcu
