// What the real `mcu` exposes beyond its own process. Its HTTPS/WSS server takes TLS 1.2 with
// ECDHE and AEAD suites only, or TLS 1.3, whatever its certificate's key (the generated ECDSA
// one, or the RSA one a province brings): TLS 1.1, CBC and static-RSA suites are refused, the
// server's order of preference wins, renegotiation is refused. The WSS client (mcu-room, cascade
// links) holds the same policy. The data directory is the owner's alone (0700), and so are the
// database and its WAL and shared-memory files (0600), whatever the umask; a configuration or a
// TLS key others can read is reported at start. The demo (no --config), whose passwords and
// tokens README publishes, serves this machine only, and `mcu` refuses to serve those
// credentials on any other address unless --demo-on-network says so.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <set>
#include <sstream>

#include "media/certificate.h"
#include "signaling/wss_client.h"
#include "tests/support/mcu_fixture.h"

namespace mcu::test {
namespace {

using namespace std::chrono;
namespace fs = std::filesystem;

constexpr const char* kOpenssl = "/usr/bin/openssl";

// ---- TLS from the client's side ---------------------------------------------------------------

// A TCP connection to host:port with 5 s timeouts; -1 if it fails.
int Connect(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1 ||
      connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// What a client offers: protocol versions and suites (OpenSSL names; empty: OpenSSL's default).
struct Offer {
  int min_version = TLS1_2_VERSION, max_version = TLS1_2_VERSION;
  std::string ciphers;  // TLS 1.2 and below.
};

struct Outcome {
  bool ok = false;
  std::string version, cipher;  // What was negotiated.
  std::string error;            // Else OpenSSL's reason ("sslv3 alert handshake failure").
  bool renegotiated = false;
  std::string renegotiation_error;
};

std::string LastSslError() {
  unsigned long e = ERR_peek_last_error();
  const char* reason = e ? ERR_reason_error_string(e) : nullptr;
  ERR_clear_error();
  return reason ? reason : "no OpenSSL error (connection closed?)";
}

// A handshake with the server on 127.0.0.1:port, offering only `offer`. The client runs at
// security level 0, so that what is refused is refused by the server. With `renegotiate`, the
// client then asks for a renegotiation (TLS 1.2).
Outcome Handshake(int port, const Offer& offer, bool renegotiate = false) {
  Outcome out;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        SSL_CTX_free);
  SSL_CTX_set_security_level(ctx.get(), 0);
  SSL_CTX_set_min_proto_version(ctx.get(), offer.min_version);
  SSL_CTX_set_max_proto_version(ctx.get(), offer.max_version);
  if (!offer.ciphers.empty() && SSL_CTX_set_cipher_list(ctx.get(), offer.ciphers.c_str()) != 1) {
    out.error = "the client knows no suite " + offer.ciphers;
    return out;
  }
  int fd = Connect("127.0.0.1", port);
  if (fd < 0) {
    out.error = "no TCP connection";
    return out;
  }
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd);
  ERR_clear_error();
  if (SSL_connect(ssl.get()) == 1) {
    out.ok = true;
    out.version = SSL_get_version(ssl.get());
    out.cipher = SSL_get_cipher_name(ssl.get());
    if (renegotiate) {
      if (SSL_renegotiate(ssl.get()) == 1 && SSL_do_handshake(ssl.get()) == 1)
        out.renegotiated = true;
      else
        out.renegotiation_error = LastSslError();
    }
  } else {
    out.error = LastSslError();
  }
  close(fd);
  return out;
}

Offer Tls12(const std::string& ciphers) { return {TLS1_2_VERSION, TLS1_2_VERSION, ciphers}; }

constexpr const char* kRefusedSuite = "sslv3 alert handshake failure";  // The server's alert.
constexpr const char* kRefusedVersion = "tlsv1 alert protocol version";

// TLS 1.1 (with every suite it could use) and TLS 1.3, whatever the key.
void ExpectVersions(int port) {
  auto tls11 = Handshake(port, {TLS1_1_VERSION, TLS1_1_VERSION, "ALL:@SECLEVEL=0"});
  EXPECT_FALSE(tls11.ok) << tls11.version << " " << tls11.cipher;
  EXPECT_EQ(tls11.error, kRefusedVersion);
  auto tls13 = Handshake(port, {TLS1_3_VERSION, TLS1_3_VERSION, ""});
  EXPECT_TRUE(tls13.ok) << tls13.error;
  EXPECT_EQ(tls13.version, "TLSv1.3");
}

void ExpectAccepted(int port, const std::string& suite) {
  auto r = Handshake(port, Tls12(suite));
  EXPECT_TRUE(r.ok) << suite << ": " << r.error;
  EXPECT_EQ(r.version, "TLSv1.2") << suite;
  EXPECT_EQ(r.cipher, suite);
}

void ExpectRefused(int port, const std::string& suite) {
  auto r = Handshake(port, Tls12(suite));
  EXPECT_FALSE(r.ok) << suite << " was accepted";
  EXPECT_EQ(r.error, kRefusedSuite) << suite;
}

// ---- mcu processes with a configuration of the test's own -------------------------------------

// Runs `argv` to its end (openssl req and the like); its exit status.
int RunToEnd(const std::vector<std::string>& argv, const TempDir& dir, const std::string& name) {
  Process p(argv, dir / (name + ".log"));
  return p.Wait(seconds(60));
}

// An `mcu` started with `args` (plus --port 0 and a ready file in `dir`): ready, or exited.
struct Started {
  std::unique_ptr<Process> process;
  nlohmann::json ready;  // The ready file; null if the process ended first.
  int port() const { return ready.is_object() ? ready.value("port", 0) : 0; }
};

Started StartMcu(const TempDir& dir, std::vector<std::string> args, const std::string& name) {
  std::string ready = dir / (name + "-ready.json");
  std::vector<std::string> argv = {McuBin(), "--port", "0", "--ready-file", ready};
  argv.insert(argv.end(), args.begin(), args.end());
  Started s;
  s.process = std::make_unique<Process>(argv, dir / (name + ".log"));
  WaitUntil([&] { return fs::exists(ready) || !s.process->Running(); }, seconds(15));
  if (fs::exists(ready)) s.ready = nlohmann::json::parse(ReadFile(ready), nullptr, false);
  return s;
}

// A configuration of no sites and no users; SIP off (several MCUs share the host).
std::string Toml(const std::string& listen, const std::string& more_server = "") {
  return "[server]\nlisten = \"" + listen + "\"\n" + more_server +
         "[media]\nice_addresses = [\"127.0.0.1\"]\n[sip]\ntls_port = 0\n";
}

int ModeOf(const fs::path& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 07777) : -1;
}

class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(umask(mask)) {}
  ~ScopedUmask() { umask(old_); }

 private:
  mode_t old_;
};

// ---- The TLS policy ---------------------------------------------------------------------------

// The generated certificate is ECDSA P-256 (media/certificate.h): ECDHE-ECDSA with AES-GCM or
// ChaCha20 and TLS 1.3 are taken; the CBC suites, with SHA-1 or SHA-256, and TLS 1.1 are not.
TEST(TlsPolicy, WithTheGeneratedEcdsaCertificateOnlyEcdheAeadAndTls13AreTaken) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  {
    media::X509Ptr cert;
    std::string pem = ReadFile(mcu.ca());
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), -1), BIO_free);
    cert.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    ASSERT_TRUE(cert);
    EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(cert.get())), EVP_PKEY_EC);
  }
  for (const char* suite : {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                            "ECDHE-ECDSA-CHACHA20-POLY1305"})
    ExpectAccepted(mcu.port(), suite);
  for (const char* suite : {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA",
                            "ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384"})
    ExpectRefused(mcu.port(), suite);
  ExpectVersions(mcu.port());
}

// A province's own RSA certificate: ECDHE-RSA with AEAD is taken; static RSA (no forward
// secrecy, GCM or not) and CBC are refused.
TEST(TlsPolicy, WithAnRsaCertificateStaticRsaAndCbcAreRefused) {
  TempDir dir("mcu-tls");
  ASSERT_EQ(RunToEnd({kOpenssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                      dir / "key.pem", "-out", dir / "cert.pem", "-days", "2", "-subj",
                      "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"},
                     dir, "openssl-req"),
            0)
      << ReadFile(dir / "openssl-req.log");
  WriteFile(dir / "mcu.toml", Toml("127.0.0.1", "tls_cert = \"" + dir / "cert.pem" +
                                                    "\"\ntls_key = \"" + dir / "key.pem" + "\"\n"));
  auto mcu = StartMcu(dir, {"--config", dir / "mcu.toml", "--data-dir", dir / "data"}, "mcu");
  ASSERT_NE(mcu.port(), 0) << mcu.process->Log();
  for (const char* suite : {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                            "ECDHE-RSA-CHACHA20-POLY1305"})
    ExpectAccepted(mcu.port(), suite);
  for (const char* suite :
       {"AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-SHA", "AES256-SHA256",
        "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384", "DHE-RSA-AES128-GCM-SHA256"})
    ExpectRefused(mcu.port(), suite);
  ExpectVersions(mcu.port());
}

// A client that prefers other suites gets the server's first choice among those it offers; a
// renegotiation the client asks for is refused.
TEST(TlsPolicy, TheServersPreferenceWinsAndRenegotiationIsRefused) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  auto r = Handshake(mcu.port(),
                     Tls12("ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384:"
                           "ECDHE-ECDSA-AES128-GCM-SHA256"),
                     true);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.cipher, "ECDHE-ECDSA-AES128-GCM-SHA256");
  EXPECT_FALSE(r.renegotiated);
  EXPECT_EQ(r.renegotiation_error, "no renegotiation");
}

// The WSS client (mcu-room, cascade links, the load generator) refuses a server that offers only
// a CBC suite: it fails in TLS, where a server with an AEAD suite gets as far as the WebSocket
// upgrade (which openssl s_server, not a WebSocket server, declines).
TEST(TlsPolicy, TheWssClientRefusesAServerThatOffersOnlyCbc) {
  TempDir dir("mcu-tls");
  ASSERT_EQ(RunToEnd({kOpenssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                      "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir / "key.pem", "-out",
                      dir / "cert.pem", "-days", "2", "-subj", "/CN=localhost"},
                     dir, "openssl-req"),
            0)
      << ReadFile(dir / "openssl-req.log");
  auto cert = media::Certificate::FromPem(ReadFile(dir / "cert.pem"), ReadFile(dir / "key.pem"));
  ASSERT_TRUE(cert.ok()) << cert.error();

  // The reason the client gives up against an s_server that offers only `suite`.
  auto reason_against = [&](const std::string& suite) -> std::string {
    Process server({kOpenssl, "s_server", "-accept", "127.0.0.1:0", "-cert", dir / "cert.pem",
                    "-key", dir / "key.pem", "-tls1_2", "-cipher", suite, "-www"},
                   dir / ("s_server-" + suite + ".log"));
    std::string accept;
    if (!WaitUntil(
            [&] {
              accept = FindLine(server.Log(), "ACCEPT 127.0.0.1:");
              return !accept.empty();
            },
            seconds(10)))
      return "s_server did not start: " + server.Log();
    signaling::IoThread io;
    std::atomic<bool> done{false};
    std::string reason;
    auto client = signaling::WssClient::Create(
        io.context(), {"wss://127.0.0.1:" + accept + "/ws", "", cert->Fingerprint(), false, 5, ""},
        {nullptr, nullptr, [&](const std::string& why) {
           reason = why;
           done = true;
         }});
    client->Start();
    WaitUntil([&] { return done.load(); }, seconds(15));
    io.Stop();
    return done ? reason : "no outcome";
  };
  std::string cbc = reason_against("ECDHE-ECDSA-AES128-SHA");
  EXPECT_EQ(cbc.rfind("TLS: ", 0), 0u) << cbc;
  std::string gcm = reason_against("ECDHE-ECDSA-AES128-GCM-SHA256");
  EXPECT_EQ(gcm.rfind("websocket: ", 0), 0u) << gcm;
}

// ---- Files at rest ----------------------------------------------------------------------------

// A new data directory is 0700; the database and its WAL and shared-memory index, the keys, 0600;
// even when mcu starts with a umask that hides nothing.
TEST(Secrets, ANewDataDirectoryAndItsDatabaseAreTheOwnersAlone) {
  std::unique_ptr<McuProcess> mcu;
  {
    ScopedUmask open(0);  // Inherited by the mcu process.
    mcu = std::make_unique<McuProcess>();
  }
  ASSERT_TRUE(mcu->ready()) << mcu->Log();
  fs::path data = mcu->dir() / "data";
  EXPECT_EQ(ModeOf(data), 0700);
  EXPECT_EQ(ModeOf(data / "mcu.db"), 0600);
  EXPECT_EQ(ModeOf(data / "mcu.db-wal"), 0600);  // Present while the database is open.
  EXPECT_EQ(ModeOf(data / "mcu.db-shm"), 0600);
  EXPECT_EQ(ModeOf(data / "tls-key.pem"), 0600);
  EXPECT_EQ(ModeOf(data / "dtls-key.pem"), 0600);
  // The fixture's configuration was written under that umask: 0666, and said so.
  EXPECT_NE(mcu->Log().find("configuration " + mcu->dir() / "mcu.toml" +
                            " is readable by its group or others (mode 0666)"),
            std::string::npos)
      << mcu->Log();
}

// A configuration (it may hold a cascade link's credential) and a TLS key that the group or
// others can read are reported at start, with the fix; once they are 0600, nothing is said.
TEST(Secrets, AConfigurationOrTlsKeyOthersCanReadIsReported) {
  TempDir dir("mcu-secrets");
  std::string key = dir / "key.pem", cert = dir / "cert.pem", config = dir / "mcu.toml";
  ASSERT_EQ(
      RunToEnd({kOpenssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost"},
               dir, "openssl-req"),
      0);
  WriteFile(config, Toml("127.0.0.1", "tls_cert = \"" + cert + "\"\ntls_key = \"" + key + "\"\n"));
  fs::permissions(config, fs::perms(0644));
  fs::permissions(key, fs::perms(0640));
  std::vector<std::string> args = {"--config", config, "--data-dir", dir / "data"};
  {
    auto mcu = StartMcu(dir, args, "open");
    ASSERT_NE(mcu.port(), 0) << mcu.process->Log();
    std::string log = mcu.process->Log();
    EXPECT_NE(log.find("configuration " + config +
                       " is readable by its group or others (mode 0644): run chmod 600 " + config),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("TLS private key " + key +
                       " is readable by its group or others (mode 0640): run chmod 600 " + key),
              std::string::npos)
        << log;
  }
  fs::permissions(config, fs::perms(0600));
  fs::permissions(key, fs::perms(0600));
  auto mcu = StartMcu(dir, args, "closed");
  ASSERT_NE(mcu.port(), 0) << mcu.process->Log();
  EXPECT_EQ(mcu.process->Log().find("readable by its group or others"), std::string::npos)
      << mcu.process->Log();
}

// ---- The demo ---------------------------------------------------------------------------------

// The local addresses in /proc/net/tcp and tcp6 (hex, as the kernel writes them) of sockets
// listening on `port`.
std::set<std::string> ListeningAddresses(int port) {
  std::set<std::string> out;
  char port_hex[8];
  snprintf(port_hex, sizeof port_hex, "%04X", port);
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::istringstream in(ReadFile(table));
    std::string line;
    std::getline(in, line);  // Header.
    while (std::getline(in, line)) {
      std::istringstream f(line);
      std::string slot, local, remote, state;
      f >> slot >> local >> remote >> state;
      auto colon = local.find(':');
      if (state == "0A" && colon != std::string::npos && local.substr(colon + 1) == port_hex)
        out.insert(local.substr(0, colon));
    }
  }
  return out;
}

// This machine's IPv4 addresses other than loopback (eth0's, here 192.0.2.2).
std::vector<std::string> OtherAddresses() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    auto* a = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
    if ((ntohl(a->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    out.push_back(text);
  }
  freeifaddrs(list);
  return out;
}

bool Reachable(const std::string& host, int port) {
  int fd = Connect(host, port);
  if (fd >= 0) close(fd);
  return fd >= 0;
}

// `mcu` with no --config (the demo: README's "run" command) listens on 127.0.0.1 alone: no
// other address of the machine reaches it.
TEST(Demo, WithoutAConfigurationItServesThisMachineOnly) {
  auto others = OtherAddresses();
  ASSERT_FALSE(others.empty()) << "this machine has no address but loopback to try";
  TempDir dir("mcu-demo");
  auto mcu = StartMcu(dir, {"--data-dir", dir / "data"}, "demo");
  ASSERT_NE(mcu.port(), 0) << mcu.process->Log();
  EXPECT_EQ(mcu.ready.value("listen", ""), "127.0.0.1");
  EXPECT_EQ(ListeningAddresses(mcu.port()), std::set<std::string>{"0100007F"});
  EXPECT_TRUE(Reachable("127.0.0.1", mcu.port()));
  for (const auto& address : others) EXPECT_FALSE(Reachable(address, mcu.port())) << address;
  EXPECT_NE(mcu.process->Log().find("the demo's published credentials (user chutri, user kythuat, "
                                    "user quantri, site huyen-1"),
            std::string::npos)
      << mcu.process->Log();
}

// Asked to listen beyond loopback, the demo refuses with the reason and the ways out, and serves
// nothing; with --demo-on-network it serves there (and says so). A real configuration over a
// database the demo seeded is refused as well: the demo's users are still in it.
TEST(Demo, ItsCredentialsAreServedBeyondLoopbackOnlyWhenExplicitlyAllowed) {
  auto others = OtherAddresses();
  ASSERT_FALSE(others.empty()) << "this machine has no address but loopback to try";
  TempDir dir("mcu-demo");
  std::string data = dir / "data";
  {
    auto refused = StartMcu(dir, {"--data-dir", data, "--listen", "0.0.0.0"}, "refused");
    EXPECT_EQ(refused.port(), 0);
    EXPECT_EQ(refused.process->Wait(seconds(10)), 2);
    std::string log = refused.process->Log();
    EXPECT_NE(log.find("refusing to serve on 0.0.0.0: the database (" + data +
                       "/mcu.db) holds the demo's published credentials (user chutri, user "
                       "kythuat, user quantri, site huyen-1"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("--demo-on-network"), std::string::npos) << log;
    EXPECT_NE(log.find("--listen 127.0.0.1"), std::string::npos) << log;
  }
  {
    auto allowed =
        StartMcu(dir, {"--data-dir", data, "--listen", "0.0.0.0", "--demo-on-network"}, "allowed");
    ASSERT_NE(allowed.port(), 0) << allowed.process->Log();
    EXPECT_EQ(allowed.ready.value("listen", ""), "0.0.0.0");
    EXPECT_TRUE(Reachable(others.front(), allowed.port())) << others.front();
    EXPECT_NE(allowed.process->Log().find("--demo-on-network: serving the demo's published "
                                          "credentials"),
              std::string::npos)
        << allowed.process->Log();
  }
  // The operator now writes a real configuration but keeps the demo's data directory.
  WriteFile(dir / "mcu.toml", Toml("0.0.0.0"));
  fs::permissions(dir / "mcu.toml", fs::perms(0600));
  auto seeded = StartMcu(dir, {"--config", dir / "mcu.toml", "--data-dir", data}, "seeded");
  EXPECT_EQ(seeded.port(), 0);
  EXPECT_EQ(seeded.process->Wait(seconds(10)), 2);
  EXPECT_NE(seeded.process->Log().find("refusing to serve on 0.0.0.0"), std::string::npos)
      << seeded.process->Log();
  // The same configuration on a new data directory holds no demo credential: it serves.
  auto fresh = StartMcu(dir, {"--config", dir / "mcu.toml", "--data-dir", dir / "fresh"}, "fresh");
  ASSERT_NE(fresh.port(), 0) << fresh.process->Log();
  EXPECT_TRUE(Reachable(others.front(), fresh.port())) << others.front();
}

}  // namespace
}  // namespace mcu::test
