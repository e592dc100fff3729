// A real MCU process for a test: its own data directory and config (demo sites, `load-N` sites
// with token `load-token-N`, an echo and a mixing conference, one console user per role), ICE
// on 127.0.0.1 only, any free port.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace mcu::test {

std::string McuBin();
std::string RoomBin();
std::string LoadgenBin();

inline constexpr const char* kAdminPassword = "quantri-test";
inline constexpr const char* kHostPassword = "chutri-test";
inline constexpr const char* kTechnicianPassword = "kythuat-test";

struct McuOptions {
  int load_sites = 40;
  std::string extra_toml;  // Appended to the generated config.
  // The keys of [limits]. Every client of a test comes from 127.0.0.1: no limit per address
  // unless a test asks for one.
  std::string limits_toml = "max_connections_per_address = 0\n";
  std::string log_level = "info";
  std::string listen = "127.0.0.1";                        // Signaling address.
  std::vector<std::string> ice_addresses = {"127.0.0.1"};  // Media addresses.
  int sip_tls_port = 0;  // SIP over TLS on this port; 0: no SIP (several MCUs share the host).
  std::string sip_toml;  // More keys of [sip] ("media_timeout_s = 5\n").
};

class McuProcess {
 public:
  explicit McuProcess(const McuOptions& options = {});
  ~McuProcess();
  bool ready() const { return port_ != 0; }
  int port() const { return port_; }
  std::string url() const { return "wss://127.0.0.1:" + std::to_string(port_) + "/ws"; }
  std::string ca() const { return dir_ / "data/tls-cert.pem"; }
  std::string tls_fingerprint() const { return tls_fingerprint_; }
  Process& process() { return *process_; }
  const TempDir& dir() const { return dir_; }
  std::string Log() const { return process_->Log(); }
  // Stops the MCU (SIGTERM, or SIGKILL when `crash`) and starts it again on the same port and
  // data directory; false if it did not come back.
  bool Restart(bool crash);

  // Starts mcu-room in this MCU with the given extra arguments (token, tone, captures...).
  std::unique_ptr<Process> StartRoom(const std::string& name, std::vector<std::string> args);

 private:
  bool Start(int port);

  TempDir dir_{"mcu-it"};
  int starts_ = 0;
  std::unique_ptr<Process> process_;
  int port_ = 0;
  std::string tls_fingerprint_;
};

// The JSON object on the line starting with `prefix` in a log ("SUMMARY {...}").
std::string FindLine(const std::string& log, const std::string& prefix);

}  // namespace mcu::test
