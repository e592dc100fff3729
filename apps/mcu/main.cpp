// mcu: the bridge daemon. Wires the libraries: configuration -> certificates -> media engine ->
// bridge (domain) -> signaling server; then waits for SIGINT/SIGTERM and shuts down in reverse.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <arpa/inet.h>
#include <malloc.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "mcu/auth.h"
#include "mcu/bridge.h"
#include "mcu/config.h"
#include "mcu/control_service.h"
#include "mcu/log.h"
#include "mcu/metrics.h"
#include "mcu/schedule.h"
#include "mcu/secrets.h"
#include "mcu/store.h"
#include "media/certificate.h"
#include "media/media_engine.h"
#include "signaling/console_json.h"
#include "signaling/console_sockets.h"
#include "signaling/event_feed.h"
#include "signaling/link_dialer.h"
#include "signaling/rest_api.h"
#include "signaling/server.h"
#include "signaling/sip_agent.h"
#include "signaling/sip_calls.h"
#include "signaling/sip_process_exit.h"
#include "signaling/wss_client.h"

namespace {

int WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

// On the database's first start, the configuration's sites, conferences and users become its
// first rows; afterwards the database is the truth and the configuration's lists are ignored.
mcu::Status SeedStore(mcu::Store& store, const mcu::Config& config) {
  if (store.seeded()) return mcu::OkStatus();
  for (const auto& s : config.sites)
    if (auto st = store.InsertSite({s.id, s.name, s.level, s.kind, s.token_hash, s.network,
                                    s.bandwidth_kbps, s.link, s.sip_uri, s.sip_dial, s.sip_plain});
        !st)
      return st;
  for (const auto& c : config.conferences) {
    mcu::ConferenceRow row;
    row.id = c.id;
    row.title = c.title;
    row.mode = c.mode;
    row.invited = c.invited;
    row.host_site = c.host;
    row.layout = c.layout;
    row.classified = c.classified;
    row.state = mcu::ConferenceState::kOpen;
    if (auto st = store.InsertConference(row); !st) return st;
  }
  for (const auto& u : config.users)
    if (auto id = store.InsertUser({0, u.login, u.role, u.name, u.password_hash}); !id)
      return id.failure();
  spdlog::info(
      "new database: imported {} sites, {} conferences and {} users from the configuration",
      config.sites.size(), config.conferences.size(), config.users.size());
  return store.MarkSeeded();
}

// 127.0.0.0/8 or ::1 (or ::ffff:127.x): reachable from this machine only. 0.0.0.0 and :: are
// every address, not loopback.
bool IsLoopback(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

// Warns when `path` (the configuration, a private key) can be read by the group or others: it
// holds credentials (a cascade link's, password hashes) or a key.
void WarnIfReadableByOthers(const std::string& path, const char* what) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || (st.st_mode & (S_IRGRP | S_IROTH)) == 0) return;
  spdlog::warn("{} {} is readable by its group or others (mode {:04o}): run chmod 600 {}", what,
               path, st.st_mode & 07777, path);
}

// The data directory holds the database (a cascade link's credential in clear, password
// hashes) and the private keys: a new one is made 0700 (its parents as the umask says); an
// existing one open to others is reported, not changed (the operator chose it).
mcu::Status PrepareDataDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  bool created = fs::create_directories(dir, ec);
  if (!ec && created) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return mcu::MakeError(mcu::ErrorKind::kInternal, dir + ": " + ec.message());
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return mcu::MakeError(mcu::ErrorKind::kInternal, dir + ": not a directory");
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    spdlog::warn(
        "data directory {} is open to its group or others (mode {:04o}): it holds the database "
        "and the private keys; run chmod 700 {}",
        dir, st.st_mode & 07777, dir);
  return mcu::OkStatus();
}

// The demo's published credentials still in the database: console users whose password hash is
// one of the embedded configuration's (README gives their passwords) and sites whose token hash
// is (README lists the tokens). A database seeded by the demo keeps them after a switch to a
// real configuration, and a configuration copied from --print-default-config brings them.
std::vector<std::string> DemoCredentials(mcu::Store& store) {
  auto demo = mcu::ParseConfig(mcu::DefaultConfigToml(), "<embedded default>");
  if (!demo) return {};
  std::set<std::string> passwords, tokens;
  for (const auto& u : demo->users) passwords.insert(u.password_hash);
  for (const auto& s : demo->sites) tokens.insert(s.token_hash);
  std::vector<std::string> found;
  for (const auto& u : store.Users())
    if (passwords.count(u.password_hash)) found.push_back("user " + u.login);
  for (const auto& s : store.Sites())
    if (!s.token_hash.empty() && tokens.count(s.token_hash)) found.push_back("site " + s.id);
  return found;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

int Run(int argc, char** argv) {
  // Block the stop signals in every thread; the main thread takes them with sigwait.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  CLI::App app{"mcu: the video-conferencing bridge"};
  std::string config_path, data_dir, ready_file, listen;
  int port = -1;
  bool demo_on_network = false;
  app.add_option("-c,--config", config_path,
                 "TOML configuration (default: the embedded demo, on 127.0.0.1 only)");
  app.add_option("--data-dir", data_dir, "Overrides server.data_dir");
  app.add_option("--listen", listen, "Overrides server.listen (the address to serve on)");
  app.add_option("--port", port, "Overrides server.port (0: any free port)");
  app.add_flag("--demo-on-network", demo_on_network,
               "Serve even though the database holds the demo's published passwords or tokens, "
               "on an address other machines reach");
  app.add_option(
      "--ready-file", ready_file,
      "Write {port, listen, tlsFingerprint, dtlsFingerprint, tlsCert} as JSON here once serving");
  auto* hash_cmd =
      app.add_subcommand("hash-token", "Print the token_hash of a room token (read from stdin)");
  auto* new_cmd =
      app.add_subcommand("new-token", "Print a new random room token and its token_hash");
  auto* pw_cmd = app.add_subcommand("hash-password",
                                    "Print the Argon2id hash of a password (read from stdin)");
  bool print_config = false;
  app.add_flag("--print-default-config", print_config, "Print the embedded default configuration");
  CLI11_PARSE(app, argc, argv);

  if (print_config) {
    std::cout << mcu::DefaultConfigToml();
    return 0;
  }
  if (*hash_cmd) {
    std::string token;
    std::getline(std::cin, token);
    std::cout << mcu::HashToken(token) << "\n";
    return 0;
  }
  if (*pw_cmd) {
    std::string password;
    std::getline(std::cin, password);
    std::cout << mcu::HashPassword(password) << "\n";
    return 0;
  }
  if (*new_cmd) {
    std::string token = mcu::NewToken();
    std::cout << "token      = " << token << "\ntoken_hash = " << mcu::HashToken(token) << "\n";
    return 0;
  }

  auto config = config_path.empty()
                    ? mcu::ParseConfig(mcu::DefaultConfigToml(), "<embedded default>")
                    : mcu::LoadConfigFile(config_path);
  if (!config) {
    std::cerr << "configuration error: " << config.error() << "\n";
    return 2;
  }
  if (!data_dir.empty()) config->server.data_dir = data_dir;
  if (!listen.empty()) config->server.listen = listen;
  if (port >= 0) config->server.port = static_cast<uint16_t>(port);
  if (config->server.web_root.empty()) config->server.web_root = MCU_WEB_ROOT;
  mcu::SetupLogging("mcu", config->log.level, config->log.json);
  // Schedules are in local time: the zone is set once, before any thread starts.
  setenv("TZ", config->server.time_zone.c_str(), 1);
  tzset();
  if (std::string(tzname[0]) == "UTC" && config->server.time_zone != "UTC" &&
      !std::filesystem::exists("/usr/share/zoneinfo/" + config->server.time_zone))
    spdlog::warn("time zone {} is unknown here (tzdata missing?): using UTC",
                 config->server.time_zone);

  if (!config_path.empty()) WarnIfReadableByOthers(config_path, "configuration");
  namespace fs = std::filesystem;
  std::error_code ec;
  if (auto st = PrepareDataDir(config->server.data_dir); !st) {
    spdlog::critical("data directory: {}", st.error());
    return 1;
  }
  const auto& dir = config->server.data_dir;
  std::string tls_cert =
      config->server.tls_cert.empty() ? dir + "/tls-cert.pem" : config->server.tls_cert;
  std::string tls_key =
      config->server.tls_key.empty() ? dir + "/tls-key.pem" : config->server.tls_key;
  auto tls = mcu::media::Certificate::LoadOrCreate(
      tls_cert, tls_key, config->server.public_name,
      {"DNS:" + config->server.public_name, "DNS:localhost", "IP:127.0.0.1"});
  if (!tls) {
    spdlog::critical("TLS certificate: {}", tls.error());
    return 1;
  }
  auto dtls = mcu::media::Certificate::LoadOrCreate(dir + "/dtls-cert.pem", dir + "/dtls-key.pem",
                                                    "mcu-dtls", {});
  if (!dtls) {
    spdlog::critical("DTLS certificate: {}", dtls.error());
    return 1;
  }
  WarnIfReadableByOthers(tls_key, "TLS private key");
  WarnIfReadableByOthers(dir + "/dtls-key.pem", "DTLS private key");

  mcu::media::TransportConfig transport;
  transport.ice_addresses = config->media.ice_addresses;
  transport.port_min = config->media.port_min;
  transport.port_max = config->media.port_max;
  transport.sip_media_timeout_s = config->sip.media_timeout_s;
  transport.max_decode_width = config->media.max_decode_width;
  transport.max_decode_height = config->media.max_decode_height;
  auto engine = mcu::media::TransportMediaEngine::Create(*dtls, transport);
  if (!engine) {
    spdlog::critical("media engine: {}", engine.error());
    return 1;
  }

  auto store = mcu::Store::Open(dir + "/mcu.db");
  if (!store) {
    spdlog::critical("{}", store.error());
    return 1;
  }
  if (auto st = SeedStore(**store, *config); !st) {
    spdlog::critical("importing the configuration's sites, conferences and users: {}", st.error());
    return 1;
  }
  // The demo's passwords and tokens are in README: served beyond this machine, anyone on the
  // network could log in as its administrator or join as its rooms.
  if (auto demo = DemoCredentials(**store); !demo.empty()) {
    if (IsLoopback(config->server.listen)) {
      spdlog::info("the demo's published credentials ({}) are served on {} only", Join(demo),
                   config->server.listen);
    } else if (!demo_on_network) {
      spdlog::critical(
          "refusing to serve on {}: the database ({}/mcu.db) holds the demo's published "
          "credentials ({}), which anyone who reads README could use. Serve on 127.0.0.1 (the "
          "demo's default; --listen 127.0.0.1), change those passwords and tokens there (console "
          "or REST API) or use a new data directory, or pass --demo-on-network to serve them to "
          "the network anyway",
          config->server.listen, dir, Join(demo));
      return 2;
    } else {
      spdlog::warn("--demo-on-network: serving the demo's published credentials ({}) on {}",
                   Join(demo), config->server.listen);
    }
  }

  mcu::signaling::EventHub events;  // Before the bridge, which publishes to it until it is gone.
  // The console's live sockets by session: before the control port, which tells it until it goes.
  mcu::signaling::ConsoleSockets consoles;
  mcu::signaling::LinkDialer
      dialer;  // Cascade links this MCU dials; stopped after the bridge's shutdown.
  mcu::Bridge::Options bridge_options{config->schedule.grace_s, config->schedule.call_retry_s, true,
                                      &dialer};
  bridge_options.sip_ring_timeout_s = config->sip.ring_timeout_s;
  mcu::Bridge bridge(*config, store->get(), engine->get(), bridge_options);
  // For the alert on a certificate near its end (monitoring/prometheus/mcu-rules.yml).
  bridge.metric_values().SetCertificateExpiry("tls", tls->NotAfter());
  bridge.metric_values().SetCertificateExpiry("dtls", dtls->NotAfter());
  mcu::AuthPolicy auth_policy;
  auth_policy.token_days = config->auth.token_days;
  auth_policy.token_max_days = config->auth.token_max_days;
  auth_policy.session_idle_s = config->auth.session_idle_minutes * 60;
  auth_policy.login_attempts_per_minute = config->auth.login_attempts_per_minute;
  mcu::Auth auth(store->get(), auth_policy);
  mcu::ControlService control(&bridge, store->get(), &auth);
  control.SetSessionListener(&consoles);
  mcu::signaling::RestApi api(
      &control, [](const std::string& url) { return mcu::signaling::ProbeCertificate(url); });
  bridge.SetEventSink(
      [&events](const mcu::ConsoleEvent& e) { events.Publish(mcu::signaling::ToJson(e)); });

  mcu::signaling::ServerOptions so;
  so.address = config->server.listen;
  so.port = config->server.port;
  so.cert_pem = tls->CertPem();
  so.key_pem = tls->KeyPem();
  so.web_root = config->server.web_root;
  so.max_message_bytes = config->limits.max_message_bytes;
  so.messages_per_second = config->limits.messages_per_second;
  so.message_burst = config->limits.message_burst;
  so.max_connections = config->limits.max_connections;
  so.max_connections_per_address = config->limits.max_connections_per_address;
  so.reserved_site_connections = config->limits.reserved_site_connections;
  so.auth_timeout_s = config->limits.auth_timeout_s;
  so.handshake_timeout_s = config->limits.handshake_timeout_s;
  so.idle_timeout_s = config->limits.idle_timeout_s;
  mcu::signaling::SignalingServer server(so, &bridge, &api, &events, &consoles);
  if (auto st = server.Start(); !st) {
    spdlog::critical("{}", st.error());
    bridge.Shutdown();
    dialer.Stop();
    return 1;
  }

  // SIP room systems and other vendors' MCUs: calls become the bridge's endpoint connections.
  mcu::signaling::SipCalls sip_calls(&bridge);
  std::unique_ptr<mcu::signaling::SipAgent> sip;
  if (config->sip.enabled()) {
    mcu::signaling::SipAgentConfig sc;
    sc.bind_address = config->sip.listen.empty() ? config->server.listen : config->sip.listen;
    sc.tls_port = config->sip.tls_port;
    sc.tcp_port = config->sip.tcp_port;
    sc.udp_port = config->sip.udp_port;
    sc.certificate_pem = tls->CertPem();
    sc.private_key_pem = tls->KeyPem();
    sc.state_dir = dir;
    sc.user_agent = std::string("mcu/") + MCU_VERSION;
    sc.max_calls = config->sip.max_calls;
    sc.requests_per_second = config->sip.requests_per_second;
    sc.request_burst = config->sip.request_burst;
    sc.public_address = config->sip.address;
    sc.connection_idle_s = static_cast<unsigned>(config->sip.connection_idle_s);
    sip = std::make_unique<mcu::signaling::SipAgent>(sc, &sip_calls);
    sip_calls.Attach(sip.get());
    if (auto st = sip->Start(); !st) {
      spdlog::critical("SIP: {}", st.error());
      server.Stop();
      bridge.Shutdown();
      dialer.Stop();
      return 1;
    }
    bridge.SetSipDialer(&sip_calls);  // SIP sites are called from now on.
    spdlog::info("SIP: sips:<conference>@{}:{}{}{}", config->server.public_name, sc.tls_port,
                 sc.tcp_port ? " (and TCP " + std::to_string(sc.tcp_port) + ")" : "",
                 sc.udp_port ? " (and UDP " + std::to_string(sc.udp_port) + ")" : "");
  }

  spdlog::info("mcu {} serving https://{}:{} (web root {})", MCU_VERSION,
               config->server.public_name, server.port(), config->server.web_root);
  spdlog::info("TLS certificate sha-256 {}", tls->Fingerprint());
  spdlog::info("DTLS certificate sha-256 {}", dtls->Fingerprint());
  spdlog::info("room page: https://{}:{}/room   endpoint WebSocket: wss://{}:{}/ws",
               config->server.public_name, server.port(), config->server.public_name,
               server.port());
  if (!ready_file.empty()) {
    std::ofstream out(ready_file + ".tmp");
    out << "{\"port\":" << server.port() << ",\"listen\":\"" << config->server.listen
        << "\",\"tlsFingerprint\":\"" << tls->Fingerprint() << "\",\"dtlsFingerprint\":\""
        << dtls->Fingerprint() << "\",\"tlsCert\":\"" << tls_cert << "\"}\n";
    out.close();
    fs::rename(ready_file + ".tmp", ready_file, ec);
  }

  int sig = WaitForSignal();
  spdlog::info("signal {}: shutting down", sig);
  if (sip) sip->Stop();  // Every call gets its BYE; no callback into the bridge after this.
  server.Stop();
  bridge.Shutdown();
  dialer.Stop();  // No callback into the bridge after this.
  spdlog::info("stopped");
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  // glibc gives threads that allocate arenas of their own (up to 8 per core): with GStreamer's,
  // the encoders' and the decoders' threads that kept ~275 MB more resident at 25 WebRTC sites
  // and 4 SIP legs, at no CPU saving (docs/PERFORMANCE.md, "SIP legs").
  mallopt(M_ARENA_MAX, 2);
  int code = 70;  // EX_SOFTWARE
  try {
    code = Run(argc, argv);
  } catch (const std::exception& e) {
    // Nothing below should throw; if something does, say what before the process ends.
    spdlog::critical("mcu stops on an unexpected exception: {}", e.what());
  } catch (...) {
    spdlog::critical("mcu stops on an unexpected exception");
  }
  // Everything Run() made is stopped and destroyed; no library destructor is run (sofia-sip's
  // would pull a thread key from under GLib's idle threads: signaling/sip_process_exit.h).
  mcu::signaling::ExitProcess(code);
}
