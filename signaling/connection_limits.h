// Who may hold the signaling server's connections. Three limits, checked when a connection is
// accepted (before TLS):
//   - max_total: every connection of the server (HTTPS, /ws, the console's feed and previews).
//   - per_address: the connections of one remote address. One host cannot take them all.
//   - reserved_for_sites: the last ones of max_total. A connection from an address no site has
//     authenticated from (since the server started) is refused once such connections hold
//     max_total - reserved_for_sites. A room that drops comes back from the address it had, so
//     a flood of unauthenticated or console connections, from any number of addresses, cannot
//     keep the sites out. A /ws connection that authenticates as a site leaves that pool (it
//     counts only against max_total) and makes its address a site's.
// Each admitted connection holds a ConnectionSlot, which moves from the HTTPS session to the
// WebSocket session that takes the stream over and gives the place back when destroyed.
//
// Threading: every method may be called from any thread (the acceptor's strand admits, a
// session marks its slot, and a session may be destroyed on the bridge's thread that held the
// last reference); one mutex guards the counts. Cheap: a map lookup per call.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace mcu::signaling {

class ConnectionSlot;

class ConnectionLimits {
 public:
  struct Limits {
    size_t max_total = 500;
    size_t per_address = 32;         // 0: no limit per address.
    size_t reserved_for_sites = 50;  // Below max_total.
  };
  // Why a connection was refused.
  enum class Refusal { kTotal, kPerAddress, kReserved };

  // Site addresses remembered at most (a site must authenticate to add one).
  static constexpr size_t kMaxSiteAddresses = 4096;

  // A slot for a connection from `address` (no port), or why not.
  struct Admission;
  Admission Admit(const std::string& address, const Limits& limits);

  size_t total() const;
  size_t from(const std::string& address) const;
  size_t unreserved() const;  // Connections in the pool sites do not need.
  bool IsSiteAddress(const std::string& address) const;

 private:
  friend class ConnectionSlot;
  void Release(const std::string& address, bool unreserved);
  // The slot's connection authenticated as a site: out of the unreserved pool; its address is a
  // site's from now on.
  void MarkSite(const std::string& address, bool unreserved);

  mutable std::mutex mu_;
  size_t total_ = 0;
  size_t unreserved_ = 0;
  std::map<std::string, size_t> per_address_;
  std::set<std::string> site_addresses_;
};

// One admitted connection's place. Movable (the moved-from slot holds nothing); its destructor
// gives the place back.
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(ConnectionSlot&& other) noexcept { *this = std::move(other); }
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot() { Reset(); }

  // The connection authenticated as a site (a /ws `welcome`). Idempotent.
  void MarkSite();
  bool held() const { return limits_ != nullptr; }
  const std::string& address() const { return address_; }

 private:
  friend class ConnectionLimits;
  ConnectionSlot(ConnectionLimits* limits, std::string address, bool unreserved)
      : limits_(limits), address_(std::move(address)), unreserved_(unreserved) {}
  void Reset();

  ConnectionLimits* limits_ = nullptr;
  std::string address_;
  bool unreserved_ = false;  // Counted in the pool that leaves the reserve to sites.
};

struct ConnectionLimits::Admission {
  std::optional<ConnectionSlot> slot;
  Refusal refusal = Refusal::kTotal;  // When there is no slot.
};

// The refusal in words, with the setting that decides it, for the log.
const char* Describe(ConnectionLimits::Refusal refusal);

}  // namespace mcu::signaling
