// mcu: the bridge daemon. Wires the libraries: configuration -> certificates -> media engine ->
// bridge (domain) -> signaling server; then waits for SIGINT/SIGTERM and shuts down in reverse.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <malloc.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "mcu/auth.h"
#include "mcu/bridge.h"
#include "mcu/config.h"
#include "mcu/control_service.h"
#include "mcu/log.h"
#include "mcu/schedule.h"
#include "mcu/secrets.h"
#include "mcu/store.h"
#include "media/certificate.h"
#include "media/media_engine.h"
#include "signaling/console_json.h"
#include "signaling/event_feed.h"
#include "signaling/link_dialer.h"
#include "signaling/rest_api.h"
#include "signaling/server.h"
#include "signaling/sip_agent.h"
#include "signaling/sip_calls.h"

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

int Run(int argc, char** argv) {
  // Block the stop signals in every thread; the main thread takes them with sigwait.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  CLI::App app{"mcu: the video-conferencing bridge"};
  std::string config_path, data_dir, ready_file;
  int port = -1;
  app.add_option("-c,--config", config_path, "TOML configuration (default: the embedded demo)");
  app.add_option("--data-dir", data_dir, "Overrides server.data_dir");
  app.add_option("--port", port, "Overrides server.port (0: any free port)");
  app.add_option(
      "--ready-file", ready_file,
      "Write {port, tlsFingerprint, dtlsFingerprint, tlsCert} as JSON here once serving");
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

  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(config->server.data_dir, ec);
  if (ec) {
    spdlog::critical("cannot create data directory {}: {}", config->server.data_dir, ec.message());
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

  mcu::media::TransportConfig transport;
  transport.ice_addresses = config->media.ice_addresses;
  transport.port_min = config->media.port_min;
  transport.port_max = config->media.port_max;
  transport.sip_media_timeout_s = config->sip.media_timeout_s;
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

  mcu::signaling::EventHub events;  // Before the bridge, which publishes to it until it is gone.
  mcu::signaling::LinkDialer
      dialer;  // Cascade links this MCU dials; stopped after the bridge's shutdown.
  mcu::Bridge::Options bridge_options{config->schedule.grace_s, config->schedule.call_retry_s, true,
                                      &dialer};
  bridge_options.sip_ring_timeout_s = config->sip.ring_timeout_s;
  mcu::Bridge bridge(*config, store->get(), engine->get(), bridge_options);
  mcu::Auth auth(store->get());
  mcu::ControlService control(&bridge, store->get(), &auth);
  mcu::signaling::RestApi api(&control);
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
  so.handshake_timeout_s = config->limits.handshake_timeout_s;
  so.idle_timeout_s = config->limits.idle_timeout_s;
  mcu::signaling::SignalingServer server(so, &bridge, &api, &events);
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
    out << "{\"port\":" << server.port() << ",\"tlsFingerprint\":\"" << tls->Fingerprint()
        << "\",\"dtlsFingerprint\":\"" << dtls->Fingerprint() << "\",\"tlsCert\":\"" << tls_cert
        << "\"}\n";
    out.close();
    fs::rename(ready_file + ".tmp", ready_file, ec);
  }

  int sig = WaitForSignal();
  spdlog::info("signal {}: shutting down", sig);
  if (sip) sip->Stop();  // Every call gets its BYE; no callback into the bridge after this.
  server.Stop();
  bridge.Shutdown();
  dialer.Stop();  // No callback into the bridge after this.
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  // glibc gives threads that allocate arenas of their own (up to 8 per core): with GStreamer's,
  // the encoders' and the decoders' threads that kept ~275 MB more resident at 25 WebRTC sites
  // and 4 SIP legs, at no CPU saving (docs/PERFORMANCE.md, "SIP legs").
  mallopt(M_ARENA_MAX, 2);
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    // Nothing below should throw; if something does, say what before the process ends.
    spdlog::critical("mcu stops on an unexpected exception: {}", e.what());
  } catch (...) {
    spdlog::critical("mcu stops on an unexpected exception");
  }
  return 70;  // EX_SOFTWARE
}
