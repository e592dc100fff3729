// Fakes of the endpoint ports (mcu/endpoint_api.h): a room's connection that records every event
// the domain sends it, and a dialer whose outbound connections record every request. Thread-safe
// like the real ones: the domain sends from its control executor, the test reads.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mcu/endpoint_api.h"

namespace mcu::test {

class FakeConnection final : public EndpointConnection {
 public:
  void Send(EndpointEvent event) override {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(event));
  }
  void Close(const std::string& reason) override {
    std::lock_guard lock(mu_);
    closed_ = reason.empty() ? "closed" : reason;
  }

  std::vector<EndpointEvent> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  // Every event of type T so far, in order.
  template <typename T>
  std::vector<T> All() const {
    std::vector<T> out;
    for (const auto& e : events())
      if (auto* v = std::get_if<T>(&e.body)) out.push_back(*v);
    return out;
  }
  template <typename T>
  std::optional<T> Last() const {
    auto all = All<T>();
    if (all.empty()) return std::nullopt;
    return all.back();
  }
  template <typename T>
  size_t Count() const {
    return All<T>().size();
  }
  // The reason given when the domain closed it; empty while open.
  std::string closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }
  void Clear() {
    std::lock_guard lock(mu_);
    events_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::vector<EndpointEvent> events_;
  std::string closed_;
};

class FakeOutbound final : public OutboundConnection {
 public:
  void Send(EndpointRequest request) override {
    std::lock_guard lock(mu_);
    requests_.push_back(std::move(request));
  }
  void Close() override {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  std::vector<EndpointRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<EndpointRequest> requests_;
  bool closed_ = false;
};

class FakeDialer final : public Dialer {
 public:
  struct Call {
    ConnectionId id = 0;
    DialTarget target;
    OutboundHandler* handler = nullptr;
    std::shared_ptr<FakeOutbound> out;
  };
  std::shared_ptr<OutboundConnection> Dial(ConnectionId id, const DialTarget& target,
                                           OutboundHandler* handler) override {
    std::lock_guard lock(mu_);
    calls_.push_back({id, target, handler, std::make_shared<FakeOutbound>()});
    return calls_.back().out;
  }
  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // The latest dial; the test must know there is one.
  Call last() const {
    std::lock_guard lock(mu_);
    return calls_.back();
  }

 private:
  mutable std::mutex mu_;
  std::vector<Call> calls_;
};

// The SIP adapter's dialing side: each call is a FakeConnection the test answers or ends by
// sending the bridge what the adapter would (kAnswer, kCallEnded, then closed).
class FakeSipDialer final : public SipDialer {
 public:
  struct Placed {
    ConnectionId id = 0;
    SipCallTarget target;
    std::shared_ptr<FakeConnection> conn;
  };
  std::shared_ptr<EndpointConnection> Call(ConnectionId id, const SipCallTarget& target) override {
    std::lock_guard lock(mu_);
    calls_.push_back({id, target, std::make_shared<FakeConnection>()});
    return calls_.back().conn;
  }
  std::vector<Placed> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Placed> calls_;
};

}  // namespace mcu::test
