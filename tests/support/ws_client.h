// A blocking WSS client for integration tests: send protocol messages (or raw bytes) to a real
// MCU and wait for the replies, in order.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "signaling/wss_client.h"

namespace mcu::test {

class TestWs {
 public:
  // `origin`: the upgrade's Origin header; by default the URL's own, as a console page sends it
  // (kNoOrigin: none).
  static constexpr const char* kOwnOrigin = "own";
  static constexpr const char* kNoOrigin = "";
  TestWs(const std::string& url, const std::string& ca_file, const std::string& cookie = "",
         const std::string& origin = kOwnOrigin);
  ~TestWs();
  bool Open(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void Send(const nlohmann::json& message) { client_->Send(message.dump()); }
  void SendRaw(std::string bytes, bool binary = false) {
    client_->SendRaw(std::move(bytes), binary);
  }
  void Abort() { client_->Abort(); }
  // The next message of `type` (messages of other types before it are skipped), or nullopt.
  std::optional<nlohmann::json> WaitFor(
      const std::string& type, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Every message that arrives within `window`.
  std::vector<nlohmann::json> Collect(std::chrono::milliseconds window);
  // Waits until the MCU closes the connection; returns the reason, or nullopt on timeout.
  std::optional<std::string> WaitClosed(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  signaling::IoThread io_;
  std::shared_ptr<signaling::WssClient> client_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<nlohmann::json> inbox_;
  bool open_ = false;
  std::optional<std::string> closed_;
};

}  // namespace mcu::test
