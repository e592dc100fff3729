#include "tests/support/mcu_fixture.h"

#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <sstream>

#include "mcu/secrets.h"

namespace mcu::test {

std::string McuBin() { return MCU_BIN; }
std::string RoomBin() { return MCU_ROOM_BIN; }
std::string LoadgenBin() { return MCU_LOADGEN_BIN; }

McuProcess::McuProcess(const McuOptions& o) {
  std::ostringstream cfg;
  cfg << "[server]\nlisten = \"" << o.listen << "\"\n[media]\nice_addresses = [";
  for (size_t i = 0; i < o.ice_addresses.size(); ++i)
    cfg << (i ? ", \"" : "\"") << o.ice_addresses[i] << "\"";
  cfg << "]\n[log]\nlevel = \"" << o.log_level << "\"\n";
  cfg << "[sip]\ntls_port = " << o.sip_tls_port << "\n" << o.sip_toml;
  cfg << "[limits]\n" << o.limits_toml;
  struct Site {
    std::string id, name, level, token;
  };
  std::vector<Site> sites = {{"tinh-1", "Tỉnh 1", "province", "demo-tinh-1"},
                             {"huyen-1", "Huyện 1", "district", "demo-huyen-1"},
                             {"huyen-2", "Huyện 2", "district", "demo-huyen-2"},
                             {"huyen-3", "Huyện 3", "district", "demo-huyen-3"}};
  for (int i = 1; i <= o.load_sites; ++i)
    sites.push_back({"load-" + std::to_string(i), "Load " + std::to_string(i), "other",
                     "load-token-" + std::to_string(i)});
  for (const auto& s : sites)
    cfg << "[[sites]]\nid = \"" << s.id << "\"\nname = \"" << s.name << "\"\nlevel = \"" << s.level
        << "\"\ntoken_hash = \"" << HashToken(s.token) << "\"\n";
  cfg << "[[conferences]]\nid = \"echo\"\ntitle = \"Echo\"\nmode = \"echo\"\n";
  cfg << "[[conferences]]\nid = \"mix\"\ntitle = \"Mix\"\nmode = \"mix\"\n";
  // Console users, one per role (passwords: kAdminPassword and so on).
  struct User {
    const char *login, *role, *password;
  };
  for (const User& u :
       {User{"quantri", "admin", kAdminPassword}, User{"chutri", "host", kHostPassword},
        User{"kythuat", "technician", kTechnicianPassword}})
    cfg << "[[users]]\nlogin = \"" << u.login << "\"\nrole = \"" << u.role
        << "\"\npassword_hash = \"" << HashPassword(u.password) << "\"\n";
  cfg << o.extra_toml;
  WriteFile(dir_ / "mcu.toml", cfg.str());
  Start(0);
}

bool McuProcess::Restart(bool crash) {
  if (crash) process_->Signal(SIGKILL);
  process_->Stop();
  std::filesystem::remove(dir_ / "ready.json");
  int port = port_;
  port_ = 0;
  return Start(port);
}

bool McuProcess::Start(int port) {
  // The sites above carry the demo's published tokens, which mcu serves beyond loopback only
  // when told: McuOptions::listen may be any address (the health test's is 0.0.0.0).
  process_ = std::make_unique<Process>(
      std::vector<std::string>{McuBin(), "--config", dir_ / "mcu.toml", "--data-dir", dir_ / "data",
                               "--port", std::to_string(port), "--ready-file", dir_ / "ready.json",
                               "--demo-on-network"},
      dir_ / ("mcu-" + std::to_string(++starts_) + ".log"));
  std::string ready = dir_ / "ready.json";
  if (WaitUntil([&] { return std::filesystem::exists(ready) || !process_->Running(); },
                std::chrono::seconds(10))) {
    auto j = nlohmann::json::parse(ReadFile(ready), nullptr, false);
    if (j.is_object()) {
      port_ = j.value("port", 0);
      tls_fingerprint_ = j.value("tlsFingerprint", "");
    }
  }
  return port_ != 0;
}

McuProcess::~McuProcess() { process_->Stop(); }

std::unique_ptr<Process> McuProcess::StartRoom(const std::string& name,
                                               std::vector<std::string> args) {
  // No display or loudspeakers: what the room receives is checked through its own files.
  std::vector<std::string> argv = {RoomBin(), "--url",         url(),       "--ca",
                                   ca(),      "--ice-address", "127.0.0.1", "--display",
                                   "none",    "--speaker",     "none"};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<Process>(argv, dir_ / (name + ".log"));
}

std::string FindLine(const std::string& log, const std::string& prefix) {
  std::istringstream in(log);
  std::string line, found;
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0) found = line.substr(prefix.size());
  return found;
}

}  // namespace mcu::test
