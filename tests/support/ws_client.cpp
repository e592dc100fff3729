#include "tests/support/ws_client.h"

namespace mcu::test {

TestWs::TestWs(const std::string& url, const std::string& ca_file, const std::string& cookie,
               const std::string& origin) {
  signaling::WssClientOptions o;
  o.url = url;
  o.ca_file = ca_file;
  o.cookie = cookie;
  o.origin = origin;
  if (origin == kOwnOrigin) {
    // The client's Host header is the URL's host alone.
    auto parsed = signaling::ParseWssUrl(url);
    o.origin = parsed ? "https://" + parsed->host : "";
  }
  signaling::WssClient::Callbacks cb;
  cb.on_open = [this] {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  };
  cb.on_message = [this](const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    std::lock_guard lock(mu_);
    inbox_.push_back(j.is_discarded() ? nlohmann::json{{"type", "<unparsable>"}} : std::move(j));
    cv_.notify_all();
  };
  cb.on_close = [this](const std::string& reason) {
    std::lock_guard lock(mu_);
    closed_ = reason;
    cv_.notify_all();
  };
  client_ = signaling::WssClient::Create(io_.context(), o, std::move(cb));
}

// The inbox and its lock are declared after io_, so they die first: the loop must be stopped
// before, or a message arriving during destruction is pushed into a freed deque.
TestWs::~TestWs() {
  client_->Abort();
  io_.Stop();
}

bool TestWs::Open(std::chrono::milliseconds timeout) {
  client_->Start();
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return open_ || closed_.has_value(); });
  return open_;
}

std::optional<nlohmann::json> TestWs::WaitFor(const std::string& type,
                                              std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mu_);
  while (true) {
    while (!inbox_.empty()) {
      auto m = std::move(inbox_.front());
      inbox_.pop_front();
      if (m.value("type", "") == type) return m;
    }
    if (closed_ ||
        !cv_.wait_until(lock, end, [&] { return !inbox_.empty() || closed_.has_value(); }))
      if (inbox_.empty()) return std::nullopt;
  }
}

std::vector<nlohmann::json> TestWs::Collect(std::chrono::milliseconds window) {
  auto end = std::chrono::steady_clock::now() + window;
  std::unique_lock lock(mu_);
  cv_.wait_until(lock, end, [] { return false; });
  std::vector<nlohmann::json> out(inbox_.begin(), inbox_.end());
  inbox_.clear();
  return out;
}

std::optional<std::string> TestWs::WaitClosed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return closed_.has_value(); });
  return closed_;
}

}  // namespace mcu::test
