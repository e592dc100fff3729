#include "signaling/console_sockets.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "mcu/secrets.h"
#include "signaling/rest_views.h"

namespace mcu::signaling {

namespace net = boost::asio;

ConsoleOwner OwnerOf(const std::string& cookie_header, const Principal& who) {
  return {cookie_header, HashToken(rest::CookieValue(cookie_header, rest::kCookie)), who};
}

bool StillVouches(const Principal& then, const std::optional<Principal>& now) {
  return now && now->user_id == then.user_id && now->role == then.role;
}

// ----- ConsoleSockets --------------------------------------------------------------------------

void ConsoleSockets::Watch(const std::shared_ptr<ConsoleSocket>& socket, const ConsoleOwner& owner,
                           const net::any_io_executor& strand, std::chrono::milliseconds period,
                           SessionCheck check) {
  Add(socket, owner);
  SessionRecheck::Start(strand, period, std::move(check), owner, socket);
}

void ConsoleSockets::Add(const std::shared_ptr<ConsoleSocket>& socket, const ConsoleOwner& owner) {
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [](const Entry& e) { return e.socket.expired(); });
  entries_.push_back({socket, owner.session_hash, owner.who.user_id});
}

void ConsoleSockets::OnSessionEnded(const std::string& session_hash) {
  End([&](const Entry& e) { return e.session_hash == session_hash; }, "the session ended");
}

void ConsoleSockets::OnUserRevoked(int64_t user_id) {
  End([&](const Entry& e) { return e.user_id == user_id; },
      "the user's sessions ended or the user changed");
}

size_t ConsoleSockets::size() {
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [](const Entry& e) { return e.socket.expired(); });
  return entries_.size();
}

void ConsoleSockets::End(const std::function<bool(const Entry&)>& which,
                         const std::string& reason) {
  std::vector<std::shared_ptr<ConsoleSocket>> ended;
  {
    std::lock_guard lock(mu_);
    std::erase_if(entries_, [&](const Entry& e) {
      if (!which(e)) return e.socket.expired();
      if (auto s = e.socket.lock()) ended.push_back(std::move(s));
      return true;
    });
  }
  if (!ended.empty()) spdlog::info("console: {} live socket(s) closed: {}", ended.size(), reason);
  for (auto& s : ended) s->EndSession(reason);
}

// ----- SessionRecheck --------------------------------------------------------------------------

void SessionRecheck::Start(const net::any_io_executor& strand, std::chrono::milliseconds period,
                           SessionCheck check, ConsoleOwner owner,
                           std::weak_ptr<ConsoleSocket> socket) {
  auto self = std::make_shared<SessionRecheck>(strand, period, std::move(check), std::move(owner),
                                               std::move(socket));
  net::post(strand, [self] { self->Arm(); });
}

SessionRecheck::SessionRecheck(const net::any_io_executor& strand, std::chrono::milliseconds period,
                               SessionCheck check, ConsoleOwner owner,
                               std::weak_ptr<ConsoleSocket> socket)
    : strand_(strand),
      timer_(strand),
      period_(period),
      check_(std::move(check)),
      owner_(std::move(owner)),
      socket_(std::move(socket)) {}

void SessionRecheck::Arm() {
  timer_.expires_after(period_);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->OnTimer();
  });
}

void SessionRecheck::OnTimer() {
  if (socket_.expired()) return;  // The socket is gone: so is this.
  // The check reads the store: never on this I/O thread. One at a time: the next timer is armed
  // when the verdict is back.
  check_(owner_.cookie, [self = shared_from_this()](const std::optional<Principal>& now) {
    net::post(self->strand_, [self, now] { self->OnVerdict(now); });
  });
}

void SessionRecheck::OnVerdict(const std::optional<Principal>& now) {
  auto socket = socket_.lock();
  if (!socket) return;
  if (StillVouches(owner_.who, now)) return Arm();
  spdlog::info("console: a live socket of '{}' closed: {}", owner_.who.login,
               now ? "the user's role changed" : "the session ended or expired");
  socket->EndSession(now ? "the user's role changed" : "the session ended");
}

}  // namespace mcu::signaling
