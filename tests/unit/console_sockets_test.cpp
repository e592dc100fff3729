// Specs of the console's live sockets ending with their sessions (signaling/console_sockets.h):
// the registry ends the sockets of a session that ended or of a user revoked; the domain
// (ControlService) tells it on logout, a new password, a new role and a deleted user; each
// socket's periodic check ends it once its session is gone or changed hands or role. Sockets are
// fakes; the check runs on a real io_context with a short period, and each spec waits for the fact
// it expects.
#include "signaling/console_sockets.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "mcu/auth.h"
#include "mcu/control_service.h"
#include "tests/unit/bridge_fixture.h"

namespace mcu::test {
namespace {

using signaling::ConsoleOwner;
using signaling::ConsoleSockets;
using signaling::OwnerOf;
using signaling::StillVouches;
using namespace std::chrono_literals;

class FakeSocket final : public signaling::ConsoleSocket {
 public:
  void EndSession(const std::string& reason) override {
    std::lock_guard lock(mu_);
    reasons_.push_back(reason);
    cv_.notify_all();
  }
  std::vector<std::string> reasons() {
    std::lock_guard lock(mu_);
    return reasons_;
  }
  // Waits (up to 10 s) until it was ended; false if it was not.
  bool WaitEnded() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return !reasons_.empty(); });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> reasons_;
};

Principal User(int64_t id, Role role) {
  Principal p;
  p.user_id = id, p.login = "user-" + std::to_string(id), p.role = role;
  return p;
}

ConsoleOwner Owner(const std::string& session, int64_t user, Role role = Role::kHost) {
  return OwnerOf("lang=vi; mcu_session=" + session, User(user, role));
}

TEST(ConsoleSockets, TheOwnersSessionIsNamedByTheHashOfItsCookieValue) {
  EXPECT_EQ(Owner("abc", 1).session_hash, HashToken("abc"));
  EXPECT_EQ(Owner("abc", 1).cookie, "lang=vi; mcu_session=abc");
}

TEST(ConsoleSockets, ALogoutEndsTheSocketsOfThatSessionOnly) {
  ConsoleSockets sockets;
  auto feed = std::make_shared<FakeSocket>(), preview = std::make_shared<FakeSocket>();
  auto other_session = std::make_shared<FakeSocket>();
  sockets.Add(feed, Owner("s1", 1));
  sockets.Add(preview, Owner("s1", 1));
  sockets.Add(other_session, Owner("s2", 1));
  sockets.OnSessionEnded(HashToken("s1"));
  EXPECT_EQ(feed->reasons(), std::vector<std::string>{"the session ended"});
  EXPECT_EQ(preview->reasons(), std::vector<std::string>{"the session ended"});
  EXPECT_TRUE(other_session->reasons().empty()) << "another tab's session was ended";
  EXPECT_EQ(sockets.size(), 1u);
  sockets.OnSessionEnded(HashToken("s1"));
  EXPECT_EQ(feed->reasons().size(), 1u) << "ended twice";
}

TEST(ConsoleSockets, ARevokedUserLosesTheSocketsOfEveryOneOfTheirSessions) {
  ConsoleSockets sockets;
  auto a = std::make_shared<FakeSocket>(), b = std::make_shared<FakeSocket>();
  auto someone_else = std::make_shared<FakeSocket>();
  sockets.Add(a, Owner("s1", 7));
  sockets.Add(b, Owner("s2", 7));
  sockets.Add(someone_else, Owner("s3", 8));
  sockets.OnUserRevoked(7);
  EXPECT_EQ(a->reasons().size(), 1u);
  EXPECT_EQ(b->reasons().size(), 1u);
  EXPECT_TRUE(someone_else->reasons().empty());
}

TEST(ConsoleSockets, ASocketThatIsGoneIsForgotten) {
  ConsoleSockets sockets;
  auto a = std::make_shared<FakeSocket>();
  sockets.Add(a, Owner("s1", 1));
  EXPECT_EQ(sockets.size(), 1u);
  a.reset();
  EXPECT_EQ(sockets.size(), 0u);
  sockets.OnUserRevoked(1);  // Nothing to end, nothing to crash.
}

TEST(ConsoleSockets, ASessionVouchesOnlyForItsOwnUserWithTheSameRole) {
  const Principal then = User(3, Role::kHost);
  EXPECT_TRUE(StillVouches(then, User(3, Role::kHost)));
  EXPECT_FALSE(StillVouches(then, std::nullopt)) << "the session is gone";
  EXPECT_FALSE(StillVouches(then, User(3, Role::kTechnician))) << "another role";
  EXPECT_FALSE(StillVouches(then, User(3, Role::kAdmin))) << "another role, even a higher one";
  EXPECT_FALSE(StillVouches(then, User(4, Role::kHost))) << "another user";
}

// ----- The periodic check ------------------------------------------------------------------------

class SessionRecheckTest : public ::testing::Test {
 protected:
  SessionRecheckTest() : strand_(boost::asio::make_strand(ioc_)) {
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~SessionRecheckTest() override {
    work_.reset();
    ioc_.stop();
    thread_.join();
  }

  // The check, as the API thread would answer it: whom the session belongs to now.
  signaling::SessionCheck Check() {
    return [this](const std::string& cookie,
                  const std::function<void(const std::optional<Principal>&)>& done) {
      std::optional<Principal> now;
      {
        std::lock_guard lock(mu_);
        cookies_.push_back(cookie);
        now = now_;
        cv_.notify_all();
      }
      done(now);  // The verdict is posted back to the socket's strand all the same.
    };
  }
  void SetNow(std::optional<Principal> now) {
    std::lock_guard lock(mu_);
    now_ = std::move(now);
  }
  // Waits until the session was checked at least `n` times.
  bool WaitChecks(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return cookies_.size() >= n; });
  }

  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(ioc_);
  boost::asio::any_io_executor strand_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> cookies_;
  std::optional<Principal> now_;
};

TEST_F(SessionRecheckTest, ASocketLivesWhileItsSessionVouchesAndEndsOnceItIsGone) {
  ConsoleSockets sockets;
  auto socket = std::make_shared<FakeSocket>();
  SetNow(User(1, Role::kHost));
  sockets.Watch(socket, Owner("s1", 1), strand_, 1ms, Check());
  ASSERT_TRUE(WaitChecks(3));
  EXPECT_TRUE(socket->reasons().empty()) << "ended while its session vouched for it";
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(cookies_.front(), "lang=vi; mcu_session=s1") << "the check asks about its cookie";
  }
  SetNow(std::nullopt);  // Expired, idle, or deleted behind the registry's back.
  ASSERT_TRUE(socket->WaitEnded());
  EXPECT_EQ(socket->reasons(), std::vector<std::string>{"the session ended"});
}

TEST_F(SessionRecheckTest, ASocketEndsWhenItsUsersRoleChanged) {
  ConsoleSockets sockets;
  auto socket = std::make_shared<FakeSocket>();
  SetNow(User(1, Role::kTechnician));
  sockets.Watch(socket, Owner("s1", 1, Role::kHost), strand_, 1ms, Check());
  ASSERT_TRUE(socket->WaitEnded());
  EXPECT_EQ(socket->reasons(), std::vector<std::string>{"the user's role changed"});
}

// ----- The domain tells the registry
// ---------------------------------------------------------------

class SessionsEndTest : public BridgeTest {
 protected:
  SessionsEndTest() {
    static const std::string hash = HashPassword("chutri-pw");
    for (const char* login : {"chutri", "quantri"}) {
      UserRow u;
      u.login = login, u.role = login == std::string("chutri") ? "host" : "admin";
      u.display_name = login, u.password_hash = hash;
      auto id = store->InsertUser(u);
      EXPECT_TRUE(id);
    }
    Start();
    auth = std::make_unique<Auth>(store.get());
    control = std::make_unique<ControlService>(bridge.get(), store.get(), auth.get(), &clock);
    control->SetSessionListener(&sockets);
  }
  ~SessionsEndTest() override { control.reset(); }

  // A logged-in session of `login` and a socket opened with it.
  std::shared_ptr<FakeSocket> OpenSocket(const std::string& login, std::string* session = nullptr) {
    auto r = control->Login(login, "chutri-pw", "192.0.2.9");
    EXPECT_TRUE(r) << r.error();
    if (!r) return nullptr;
    if (session) *session = r->session;
    auto socket = std::make_shared<FakeSocket>();
    sockets.Add(socket, OwnerOf("mcu_session=" + r->session, r->who));
    return socket;
  }

  ConsoleSockets sockets;
  std::unique_ptr<Auth> auth;
  std::unique_ptr<ControlService> control;
};

TEST_F(SessionsEndTest, ALogoutEndsTheSocketsOfThatSession) {
  std::string session;
  auto feed = OpenSocket("chutri", &session);
  auto other_tab = OpenSocket("chutri");
  control->Logout(session);
  EXPECT_EQ(feed->reasons(), std::vector<std::string>{"the session ended"});
  EXPECT_TRUE(other_tab->reasons().empty());
}

TEST_F(SessionsEndTest, ANewPasswordANewRoleOrDeletingTheUserEndsEverySocketOfTheUser) {
  auto admins = OpenSocket("quantri");
  auto first = OpenSocket("chutri");
  auto u = *store->UserByLogin("chutri");
  u.display_name = "Chủ trì";  // Neither password nor role: nothing ends.
  ASSERT_TRUE(control->UpdateUser(u));
  EXPECT_TRUE(first->reasons().empty());

  u.password_hash = HashPassword("new-password");
  ASSERT_TRUE(control->UpdateUser(u));
  EXPECT_EQ(first->reasons().size(), 1u) << "a new password";

  // Sockets of the user's later sessions (signed in by hand: the password is new).
  Principal who;
  who.user_id = u.id, who.login = u.login, who.role = Role::kHost;
  auto second = std::make_shared<FakeSocket>();
  sockets.Add(second, OwnerOf("mcu_session=x", who));
  u.role = "technician";
  ASSERT_TRUE(control->UpdateUser(u));
  EXPECT_EQ(second->reasons().size(), 1u) << "a new role";

  auto third = std::make_shared<FakeSocket>();
  who.role = Role::kTechnician;
  sockets.Add(third, OwnerOf("mcu_session=y", who));
  ASSERT_TRUE(control->DeleteUser(u.id));
  EXPECT_EQ(third->reasons().size(), 1u) << "the user deleted";
  EXPECT_TRUE(admins->reasons().empty()) << "another user's socket ended";
}

TEST_F(SessionsEndTest, EndingAUsersSessionsEndsTheirSockets) {
  auto socket = OpenSocket("chutri");
  ASSERT_TRUE(control->DeleteSessionsOf(store->UserByLogin("chutri")->id));
  EXPECT_EQ(socket->reasons().size(), 1u);
}

}  // namespace
}  // namespace mcu::test
