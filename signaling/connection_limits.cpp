#include "signaling/connection_limits.h"

namespace mcu::signaling {

ConnectionLimits::Admission ConnectionLimits::Admit(const std::string& address,
                                                    const Limits& limits) {
  std::lock_guard lock(mu_);
  Admission a;
  if (total_ >= limits.max_total) {
    a.refusal = Refusal::kTotal;
    return a;
  }
  auto it = per_address_.find(address);
  const size_t mine = it == per_address_.end() ? 0 : it->second;
  if (limits.per_address != 0 && mine >= limits.per_address) {
    a.refusal = Refusal::kPerAddress;
    return a;
  }
  const bool unreserved = site_addresses_.count(address) == 0;
  const size_t pool = limits.max_total > limits.reserved_for_sites
                          ? limits.max_total - limits.reserved_for_sites
                          : 0;
  if (unreserved && unreserved_ >= pool) {
    a.refusal = Refusal::kReserved;
    return a;
  }
  ++total_;
  if (unreserved) ++unreserved_;
  ++per_address_[address];
  a.slot = ConnectionSlot(this, address, unreserved);
  return a;
}

size_t ConnectionLimits::total() const {
  std::lock_guard lock(mu_);
  return total_;
}

size_t ConnectionLimits::from(const std::string& address) const {
  std::lock_guard lock(mu_);
  auto it = per_address_.find(address);
  return it == per_address_.end() ? 0 : it->second;
}

size_t ConnectionLimits::unreserved() const {
  std::lock_guard lock(mu_);
  return unreserved_;
}

bool ConnectionLimits::IsSiteAddress(const std::string& address) const {
  std::lock_guard lock(mu_);
  return site_addresses_.count(address) > 0;
}

void ConnectionLimits::Release(const std::string& address, bool unreserved) {
  std::lock_guard lock(mu_);
  --total_;
  if (unreserved) --unreserved_;
  auto it = per_address_.find(address);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

void ConnectionLimits::MarkSite(const std::string& address, bool unreserved) {
  std::lock_guard lock(mu_);
  if (unreserved) --unreserved_;
  // Bounded all the same: only a valid site token adds an address.
  if (site_addresses_.size() < kMaxSiteAddresses) site_addresses_.insert(address);
}

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& other) noexcept {
  if (this != &other) {
    Reset();
    limits_ = other.limits_;
    address_ = std::move(other.address_);
    unreserved_ = other.unreserved_;
    other.limits_ = nullptr;
  }
  return *this;
}

void ConnectionSlot::MarkSite() {
  if (!limits_) return;
  limits_->MarkSite(address_, unreserved_);
  unreserved_ = false;
}

void ConnectionSlot::Reset() {
  if (!limits_) return;
  limits_->Release(address_, unreserved_);
  limits_ = nullptr;
}

const char* Describe(ConnectionLimits::Refusal refusal) {
  switch (refusal) {
    case ConnectionLimits::Refusal::kTotal:
      return "the server holds limits.max_connections connections";
    case ConnectionLimits::Refusal::kPerAddress:
      return "the address holds limits.max_connections_per_address connections";
    case ConnectionLimits::Refusal::kReserved:
      return "the rest (limits.reserved_site_connections) is kept for addresses sites "
             "authenticated from";
  }
  return "?";
}

}  // namespace mcu::signaling
