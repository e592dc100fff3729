// The console's live sockets, the event feed (/api/v1/events) and previews (/api/v1/preview), by
// the session that opened them, so that none outlives it:
// - The domain tells (mcu::SessionListener, on the API thread) when a session ends (logout) or
//   when what a user's sessions opened is revoked (a new password, another role, the user
//   deleted): each socket of that session or user is ended at once.
// - Each socket's session is also checked again every ServerOptions::console_recheck_s (at most
//   a minute: SessionRecheck). The check runs where REST requests run (RestApi's thread, which
//   reads the store); its verdict comes back to the socket's strand. A session that is gone
//   (expired, idle, deleted) or now belongs to another user or role ends the socket.
// An ended socket is closed with the reason; an ended preview also leaves its conference at once,
// whether or not its client answers the close.
//
// Threading: ConsoleSockets, any thread (one mutex; sockets are ended outside it).
// SessionRecheck: its socket's strand, but for the check itself (the API thread).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mcu/control_api.h"
#include "mcu/principal.h"

namespace mcu::signaling {

// A console socket as the registry sees it.
class ConsoleSocket {
 public:
  virtual ~ConsoleSocket() = default;
  // Its session ended or no longer vouches for it: close it, telling the client `reason`. Any
  // thread (it posts to the socket's strand); nothing happens to a socket already closed.
  virtual void EndSession(const std::string& reason) = 0;
};

// Who opened a console socket.
struct ConsoleOwner {
  std::string cookie;        // The upgrade's Cookie header, to check the session again. Not logged.
  std::string session_hash;  // HashToken of its session cookie's value: what a logout names.
  Principal who;             // The session's user when the socket opened.
};
ConsoleOwner OwnerOf(const std::string& cookie_header, const Principal& who);

// Whether a session checked again (`now`: whom it belongs to now; none if it is gone) still
// vouches for a socket opened when it belonged to `then`: the same user, with the same role.
bool StillVouches(const Principal& then, const std::optional<Principal>& now);

// Asks whom a Cookie header's session belongs to now; `done` may be called on any thread
// (RestApi::AuthorizeFeed).
using SessionCheck = std::function<void(const std::string& cookie,
                                        std::function<void(const std::optional<Principal>&)> done)>;

class ConsoleSockets final : public SessionListener {
 public:
  // Keeps `socket` under its owner's session and user for as long as it lives (a weak
  // reference), and checks that session again every `period` on `strand` (the socket's).
  void Watch(const std::shared_ptr<ConsoleSocket>& socket, const ConsoleOwner& owner,
             const boost::asio::any_io_executor& strand, std::chrono::milliseconds period,
             SessionCheck check);
  // Only the registry's part of Watch (tests).
  void Add(const std::shared_ptr<ConsoleSocket>& socket, const ConsoleOwner& owner);

  // SessionListener (the API thread)
  void OnSessionEnded(const std::string& session_hash) override;
  void OnUserRevoked(int64_t user_id) override;

  // Sockets alive now.
  size_t size();

 private:
  struct Entry {
    std::weak_ptr<ConsoleSocket> socket;
    std::string session_hash;
    int64_t user_id = 0;
  };
  // Ends each live socket `which` selects. A list, not a map: a province has tens of console
  // sockets, and a scan also drops those gone.
  void End(const std::function<bool(const Entry&)>& which, const std::string& reason);

  std::mutex mu_;
  std::vector<Entry> entries_;
};

// One socket's periodic check of its session: lives as long as its timer or its check is
// pending, and stops once the socket is gone or ended. Start() makes one.
class SessionRecheck : public std::enable_shared_from_this<SessionRecheck> {
 public:
  static void Start(const boost::asio::any_io_executor& strand, std::chrono::milliseconds period,
                    SessionCheck check, ConsoleOwner owner, std::weak_ptr<ConsoleSocket> socket);

  SessionRecheck(const boost::asio::any_io_executor& strand, std::chrono::milliseconds period,
                 SessionCheck check, ConsoleOwner owner, std::weak_ptr<ConsoleSocket> socket);

 private:
  void Arm();
  void OnTimer();
  void OnVerdict(const std::optional<Principal>& now);

  boost::asio::any_io_executor strand_;
  boost::asio::steady_timer timer_;
  std::chrono::milliseconds period_;
  SessionCheck check_;
  ConsoleOwner owner_;
  std::weak_ptr<ConsoleSocket> socket_;
};

}  // namespace mcu::signaling
