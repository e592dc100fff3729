// The SIP agent (signaling/sip_agent.h) in-process on loopback, with SIPp (Debian's sip-tester)
// as the room system. What SIPp saw (its exit status: scenarios expect exact responses, and its
// message trace) and what the handler saw are both checked: OPTIONS over TLS and UDP; a call
// with an offer and one with a delayed offer, each to its BYE; an unknown number (404); an
// SDP-less re-INVITE (the same SDP again, and the handler told of it); a Session-Expires too
// small (422, Min-SE 90); INFO keyframe requests and DTMF both ways; a BYE outside any dialog
// (481); malformed datagrams; a flood over the per-source limit (503, then OPTIONS is answered
// again); Stop() ending a call with a BYE; Start() refusing a taken port and a key that does not
// match its certificate; the transport a call out goes by (DialTransport).
//
// Debian's SIPp is built without TLS, so TLS scenarios go through the relay of
// tests/support/sipp.h: SIPp speaks TCP to it, it speaks TLS to the agent, trusting only the
// agent's certificate. Requests the agent starts (INFO, BYE) go to SIPp's Contact, which the relay
// does not serve: those scenarios run over UDP.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "media/certificate.h"
#include "signaling/sip_agent.h"
#include "signaling/sip_messages.h"
#include "tests/support/files.h"
#include "tests/support/process.h"
#include "tests/support/sipp.h"
#include "tests/support/udp.h"

namespace mcu::test {
namespace {

using signaling::CallId;
using signaling::IncomingCall;
using signaling::InDialogRequest;
using signaling::SipAgent;
using signaling::SipAgentConfig;
using signaling::SipTransport;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kScenarioDir = std::string(MCU_CONFIGS_DIR) + "/../tests/sip/";

// The SDP the MCU answers with: an SDES key to see that logs never carry it.
const std::string kOurSdp =
    "v=0\r\no=mcu 42 1 IN IP4 127.0.0.1\r\ns=mcu\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 40000 RTP/SAVP 9\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:c2VjcmV0LWtleS1vZi10aGUtbWN1LWZvci10ZXN0cw|2^31\r\n"
    "a=rtpmap:9 G722/8000\r\n";

// What the handler was told, in order.
struct Event {
  std::string kind;  // "call", "ack", "answered", "ended", "keyframe", "dtmf", "in-dialog"
  CallId id = 0;
  IncomingCall call;
  std::string text;  // ack: the SDP; ended: the reason; in-dialog: "INVITE [offer] [refresh]"
  char digit = 0;
};

Event MakeEvent(std::string kind, CallId id, std::string text = {}, char digit = 0) {
  Event e;
  e.kind = std::move(kind);
  e.id = id;
  e.text = std::move(text);
  e.digit = digit;
  return e;
}

class TestHandler : public SipAgent::Handler {
 public:
  // How calls to each user are answered (others: 404); OnIncomingCall responds at once.
  std::map<std::string, std::pair<int, std::string>> answers;
  SipAgent* agent = nullptr;

  void OnIncomingCall(CallId id, const IncomingCall& call) override {
    Event e = MakeEvent("call", id);
    e.call = call;
    Add(e);
    auto it = answers.find(call.user);
    if (it == answers.end())
      agent->Respond(id, 404, "Not Found");
    else
      agent->Respond(id, it->second.first, "", it->second.second);
  }
  void OnAck(CallId id, const std::string& sdp) override { Add(MakeEvent("ack", id, sdp)); }
  void OnAnswered(CallId id, const std::string& sdp) override {
    Add(MakeEvent("answered", id, sdp));
  }
  void OnCallEnded(CallId id, const std::string& reason) override {
    Add(MakeEvent("ended", id, reason));
  }
  void OnKeyframeRequest(CallId id) override { Add(MakeEvent("keyframe", id)); }
  void OnDtmf(CallId id, char digit) override { Add(MakeEvent("dtmf", id, {}, digit)); }
  void OnInDialogRequest(CallId id, const InDialogRequest& r) override {
    Add(MakeEvent("in-dialog", id,
                  r.method + (r.offer ? " offer" : "") + (r.refresh ? " refresh" : "")));
  }

  // The first event of `kind` (for call `id` unless 0), waiting for it up to `timeout`.
  std::optional<Event> WaitFor(const std::string& kind, CallId id = 0,
                               milliseconds timeout = seconds(10)) {
    std::unique_lock lock(mu_);
    std::optional<Event> found;
    cv_.wait_for(lock, timeout, [&] {
      for (const auto& e : events_)
        if (e.kind == kind && (id == 0 || e.id == id)) return found = e, true;
      return false;
    });
    return found;
  }
  std::vector<Event> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  size_t Count(const std::string& kind) {
    std::lock_guard lock(mu_);
    return std::count_if(events_.begin(), events_.end(),
                         [&](const Event& e) { return e.kind == kind; });
  }

 private:
  void Add(Event e) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Event> events_;
};

class SipAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cert = media::Certificate::Generate("mcu-test", {"IP:127.0.0.1"}, 30);
    ASSERT_TRUE(cert.ok()) << cert.error();
    cert_ = std::make_unique<media::Certificate>(std::move(*cert));
    config_.bind_address = "127.0.0.1";
    config_.tls_port = FreePort();
    config_.udp_port = FreePort();
    config_.certificate_pem = cert_->CertPem();
    config_.private_key_pem = cert_->KeyPem();
    config_.state_dir = dir_ / "state";
    config_.user_agent = "mcu-test";
    handler_.answers["1001"] = {200, kOurSdp};
  }
  void TearDown() override {
    if (agent_) agent_->Stop();
  }

  void StartAgent() {
    agent_ = std::make_unique<SipAgent>(config_, &handler_);
    handler_.agent = agent_.get();
    auto st = agent_->Start();
    ASSERT_TRUE(st.ok()) << st.error();
  }
  TlsRelay& Relay() {
    if (!relay_) relay_ = std::make_unique<TlsRelay>(config_.tls_port, cert_->x509());
    return *relay_;
  }

  // Runs one SIPp scenario against the agent (`transport` "t1" goes through the TLS relay).
  SippRun Sipp(const std::string& scenario, const std::string& transport,
               std::vector<std::string> extra = {}, const std::string& user = "1001") {
    uint16_t port = transport == "t1" ? Relay().port() : config_.udp_port;
    std::vector<std::string> args = {"127.0.0.1:" + std::to_string(port),
                                     "-sf",
                                     kScenarioDir + scenario + ".xml",
                                     "-t",
                                     transport,
                                     "-i",
                                     "127.0.0.1",
                                     "-s",
                                     user,
                                     "-key",
                                     "via_transport",
                                     transport == "t1" ? "TLS" : "UDP"};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::Sipp(args, dir_.path(), scenario + "-" + std::to_string(++runs_)).Finish();
  }

  // SIPp as a room the agent calls: waits on a UDP port of its own for one call (`scenario`).
  struct Uas {
    std::unique_ptr<test::Sipp> sipp;
    uint16_t port = 0;
    std::string uri;  // Where to call it.
    std::string name() const { return sipp->name(); }
  };
  Uas StartUas(const std::string& scenario) {
    Uas u;
    u.port = FreePort();
    u.uri = "sip:room-b@127.0.0.1:" + std::to_string(u.port) + ";transport=udp";
    u.sipp = std::make_unique<test::Sipp>(
        std::vector<std::string>{"-sf", kScenarioDir + scenario + ".xml", "-t", "u1", "-i",
                                 "127.0.0.1", "-p", std::to_string(u.port)},
        dir_.path(), scenario + "-" + std::to_string(++runs_));
    const pid_t pid = u.sipp->process().pid();
    WaitUntil(
        [&] {
          for (const auto& s : UdpSocketsOf(pid))
            if (s.port == u.port) return true;
          return false;
        },
        seconds(5));
    return u;
  }
  static SippRun Finish(Uas& u) { return u.sipp->Finish(); }

  TempDir dir_{"mcu-sip"};
  std::unique_ptr<media::Certificate> cert_;
  SipAgentConfig config_;
  TestHandler handler_;
  std::unique_ptr<TlsRelay> relay_;
  std::unique_ptr<SipAgent> agent_;
  int runs_ = 0;
};

TEST_F(SipAgentTest, OptionsAreAnsweredOverTlsAndUdp) {
  StartAgent();
  auto tls = Sipp("options", "t1");
  ASSERT_EQ(tls.exit_code, 0) << tls.log;
  EXPECT_GE(Relay().handshakes(), 1);
  auto udp = Sipp("options", "u1");
  ASSERT_EQ(udp.exit_code, 0) << udp.log;
  for (const auto* run : {&tls, &udp}) {
    const TracedMessage* ok = run->First(false, "SIP/2.0 200");
    ASSERT_NE(ok, nullptr);
    EXPECT_NE(ok->Header("Allow").find("INVITE"), std::string::npos) << ok->headers;
    EXPECT_NE(ok->Header("Allow").find("INFO"), std::string::npos) << ok->headers;
    EXPECT_NE(ok->headers.find("application/sdp"), std::string::npos) << ok->headers;
    EXPECT_NE(ok->Header("Supported").find("timer"), std::string::npos) << ok->headers;
  }
  EXPECT_EQ(handler_.events().size(), 0u);
}

TEST_F(SipAgentTest, ACallOverTlsCarriesBothSdpBodiesUnchangedAndEndsWithBye) {
  StartAgent();
  auto run = Sipp("invite_bye", "t1");
  ASSERT_EQ(run.exit_code, 0) << run.log;

  auto call = handler_.WaitFor("call");
  ASSERT_TRUE(call);
  EXPECT_EQ(call->call.user, "1001");
  EXPECT_EQ(call->call.transport, SipTransport::kTls);
  EXPECT_EQ(call->call.source_address, "127.0.0.1");
  EXPECT_NE(call->call.source_port, 0);
  EXPECT_EQ(call->call.from_display, "Room A");
  EXPECT_EQ(call->call.from_uri.rfind("sip:room-a@127.0.0.1", 0), 0u) << call->call.from_uri;
  EXPECT_EQ(call->call.to_uri.rfind("sip:1001@127.0.0.1", 0), 0u) << call->call.to_uri;
  EXPECT_EQ(call->call.user_agent, "SIPp room");
  const TracedMessage* invite = run.First(true, "INVITE");
  ASSERT_NE(invite, nullptr);
  ASSERT_FALSE(invite->body.empty());
  EXPECT_EQ(call->call.sdp, invite->body);  // Byte for byte what went on the wire.

  const TracedMessage* ok = run.First(false, "SIP/2.0 200");
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->body, kOurSdp);
  EXPECT_EQ(ok->Header("Content-Type"), "application/sdp");

  auto ack = handler_.WaitFor("ack", call->id);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->text, "");
  auto ended = handler_.WaitFor("ended", call->id);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->text, "BYE");
  EXPECT_EQ(handler_.Count("call"), 1u);
}

TEST_F(SipAgentTest, AnUnknownNumberIsRefusedWithTheHandlersStatus) {
  StartAgent();
  auto run = Sipp("invite_rejected", "t1", {}, "9999");
  ASSERT_EQ(run.exit_code, 0) << run.log;
  EXPECT_EQ(run.Received("SIP/2.0 404"), 1);
  auto call = handler_.WaitFor("call");
  ASSERT_TRUE(call);
  EXPECT_EQ(call->call.user, "9999");
  auto ended = handler_.WaitFor("ended", call->id);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->text, "rejected 404");
}

TEST_F(SipAgentTest, ADelayedOfferGetsOurOfferAndTheAnswerComesWithTheAck) {
  StartAgent();
  auto run = Sipp("delayed_offer", "t1");
  ASSERT_EQ(run.exit_code, 0) << run.log;
  auto call = handler_.WaitFor("call");
  ASSERT_TRUE(call);
  EXPECT_EQ(call->call.sdp, "");
  const TracedMessage* ok = run.First(false, "SIP/2.0 200");
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->body, kOurSdp);
  const TracedMessage* ack = run.First(true, "ACK");
  ASSERT_NE(ack, nullptr);
  ASSERT_NE(ack->body.find("m=audio 49180"), std::string::npos);
  auto got = handler_.WaitFor("ack", call->id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->text, ack->body);
  ASSERT_TRUE(handler_.WaitFor("ended", call->id));
}

TEST_F(SipAgentTest, AnSdpLessReInviteGetsTheSameSdpAgain) {
  StartAgent();
  auto run = Sipp("reinvite", "u1");
  ASSERT_EQ(run.exit_code, 0) << run.log;
  std::vector<std::string> bodies = run.InviteOkBodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[0], kOurSdp);
  EXPECT_EQ(bodies[1], kOurSdp);  // Same keys, same o= version: nothing changed.
  auto call = handler_.WaitFor("call");
  ASSERT_TRUE(call);
  ASSERT_TRUE(handler_.WaitFor("ended", call->id));
  EXPECT_EQ(handler_.Count("call"), 1u);
  EXPECT_EQ(handler_.Count("ack"), 1u);  // The re-INVITE's ACK is the agent's business.
  // The handler is told of it, for the console: a re-INVITE without SDP, no refresh.
  auto reinvite = handler_.WaitFor("in-dialog", call->id);
  ASSERT_TRUE(reinvite);
  EXPECT_EQ(reinvite->text, "INVITE");
  EXPECT_EQ(handler_.Count("in-dialog"), 1u);
}

TEST_F(SipAgentTest, ASessionExpiresBelowMinSeGets422WithMinSe) {
  StartAgent();
  auto run = Sipp("session_too_small", "u1");
  ASSERT_EQ(run.exit_code, 0) << run.log;
  const TracedMessage* r = run.First(false, "SIP/2.0 422");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->Header("Min-SE"), "90");
  EXPECT_EQ(handler_.Count("call"), 0u);
}

TEST_F(SipAgentTest, InfoCarriesKeyframeRequestsAndDtmfBothWays) {
  StartAgent();
  std::thread keyframe([&] {
    auto dtmf = handler_.WaitFor("dtmf", 0, seconds(20));
    if (dtmf) agent_->SendKeyframeRequest(dtmf->id);
  });
  auto run = Sipp("info", "u1");
  keyframe.join();
  ASSERT_EQ(run.exit_code, 0) << run.log;
  auto call = handler_.WaitFor("call");
  ASSERT_TRUE(call);
  auto kf = handler_.WaitFor("keyframe", call->id);
  ASSERT_TRUE(kf);
  auto dtmf = handler_.WaitFor("dtmf", call->id);
  ASSERT_TRUE(dtmf);
  EXPECT_EQ(dtmf->digit, '5');
  EXPECT_EQ(handler_.Count("keyframe"), 1u);
  EXPECT_EQ(handler_.Count("dtmf"), 1u);
  const TracedMessage* info = run.First(false, "INFO");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->Header("Content-Type"), "application/media_control+xml");
  EXPECT_EQ(run.Received("SIP/2.0 415"), 1);
}

TEST_F(SipAgentTest, ByeOutsideADialogGets481) {
  StartAgent();
  auto run = Sipp("bye_unknown", "u1");
  ASSERT_EQ(run.exit_code, 0) << run.log;
  EXPECT_EQ(run.Received("SIP/2.0 481"), 1);
}

TEST_F(SipAgentTest, MalformedMessagesGet400OrNothingAndTheAgentGoesOn) {
  StartAgent();
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in me{};
  me.sin_family = AF_INET;
  me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof me;
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&me), sizeof me), 0);
  getsockname(s, reinterpret_cast<sockaddr*>(&me), &len);
  std::string via =
      "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(ntohs(me.sin_port)) + ";branch=z9hG4bK-bad";
  std::vector<std::string> garbage = {
      std::string("\x01\x02\xff\xfe binary noise\r\n\r\n", 20),
      "INVITE sip:1001@127.0.0.1 SIP/2.0\r\n" + via +
          "1\r\nFrom: <sip:x@127.0.0.1>;tag=1\r\n"
          "To: <sip:1001@127.0.0.1>\r\nCall-ID: bad-1\r\nCSeq: notanumber INVITE\r\n"
          "Content-Length: 0\r\n\r\n",
      "INVITE sip:1001@127.0.0.1 SIP/2.0\r\n" + via +
          "2\r\nFrom: <sip:x@127.0.0.1>;tag=2\r\n"
          "To: <sip:1001@127.0.0.1>\r\nCall-ID: bad-2\r\nCSeq: 1 INVITE\r\n"
          "Content-Type: application/sdp\r\nContent-Length: 5000\r\n\r\nv=0\r\n",
      "OPTIONS sip:1001@127.0.0.1 SIP/2.0\r\n" + via + "3\r\nFrom: <<<>>>\r\nTo: \r\n\r\n",
  };
  sockaddr_in agent{};
  agent.sin_family = AF_INET;
  agent.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  agent.sin_port = htons(config_.udp_port);
  for (const auto& g : garbage)
    sendto(s, g.data(), g.size(), 0, reinterpret_cast<sockaddr*>(&agent), sizeof agent);
  // Whatever comes back within a second must be a 400 (or 100 Trying for the INVITEs).
  std::vector<std::string> replies;
  while (true) {
    pollfd p{s, POLLIN, 0};
    if (poll(&p, 1, 1000) <= 0) break;
    char buf[4096];
    ssize_t n = recv(s, buf, sizeof buf, 0);
    if (n > 0) replies.emplace_back(buf, n);
  }
  close(s);
  for (const auto& r : replies)
    EXPECT_TRUE(r.rfind("SIP/2.0 400", 0) == 0 || r.rfind("SIP/2.0 100", 0) == 0) << r;
  EXPECT_EQ(handler_.Count("call"), 0u);
  auto run = Sipp("options", "u1");
  EXPECT_EQ(run.exit_code, 0) << run.log;
}

TEST_F(SipAgentTest, AFloodFromOneSourceGets503AndOptionsAreAnsweredAfterwards) {
  config_.requests_per_second = 5;
  config_.request_burst = 5;
  StartAgent();
  auto run = Sipp("options_flood", "u1", {"-m", "60", "-r", "200", "-l", "60"});
  ASSERT_EQ(run.exit_code, 0) << run.log;
  int refused = run.Received("SIP/2.0 503");
  int answered = run.Received("SIP/2.0 200");
  EXPECT_EQ(refused + answered, 60);
  EXPECT_GE(refused, 30);
  EXPECT_GE(answered, 5);
  const TracedMessage* busy = run.First(false, "SIP/2.0 503");
  ASSERT_NE(busy, nullptr);
  EXPECT_EQ(busy->Header("Retry-After"), "5");
  // The bucket refills at 5/s: a single OPTIONS is answered again within a few tries.
  bool ok = WaitUntil([&] { return Sipp("options", "u1").exit_code == 0; }, seconds(10),
                      milliseconds(200));
  EXPECT_TRUE(ok);
}

TEST_F(SipAgentTest, StopEndsACallWithBye) {
  StartAgent();
  std::thread stopper([&] {
    if (handler_.WaitFor("ack", 0, seconds(20))) agent_->Stop();
  });
  auto run = Sipp("bye_from_mcu", "u1");
  stopper.join();
  ASSERT_EQ(run.exit_code, 0) << run.log;
  auto ended = handler_.WaitFor("ended");
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->text, "shutdown");
}

TEST_F(SipAgentTest, StartRefusesATakenPortAndABadKey) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(config_.tls_port);
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(s, 1), 0);
  {
    SipAgent agent(config_, &handler_);
    auto st = agent.Start();
    EXPECT_FALSE(st.ok());
  }
  close(s);

  auto other = media::Certificate::Generate("other", {"IP:127.0.0.1"}, 30);
  ASSERT_TRUE(other.ok());
  config_.private_key_pem = other->KeyPem();
  SipAgent agent(config_, &handler_);
  auto st = agent.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("does not match"), std::string::npos) << st.error();
}

TEST_F(SipAgentTest, TheCertificateFilesArePrivate) {
  StartAgent();
  namespace fs = std::filesystem;
  fs::path tls = fs::path(config_.state_dir) / "sip-tls";
  EXPECT_EQ(fs::status(tls).permissions() & fs::perms::all, fs::perms::owner_all);
  for (const char* f : {"agent.pem", "cafile.pem"})
    EXPECT_EQ(fs::status(tls / f).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write)
        << f;
}

TEST_F(SipAgentTest, ACallWePlaceCarriesOurOfferAndReportsTheAnswerThenTheirBye) {
  StartAgent();
  Uas room = StartUas("uas_answer");
  CallId id = agent_->Dial({room.uri, "mcu", "Giao ban \"tuan\"", kOurSdp});
  auto answered = handler_.WaitFor("answered", id);
  ASSERT_TRUE(answered) << Finish(room).log;
  EXPECT_NE(answered->text.find("a=crypto:1 AES_CM_128_HMAC_SHA1_80"), std::string::npos);
  auto ended = handler_.WaitFor("ended", id);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->text, "BYE");
  SippRun run = Finish(room);
  ASSERT_EQ(run.exit_code, 0) << run.log;
  const TracedMessage* invite = run.First(false, "INVITE");
  ASSERT_NE(invite, nullptr);
  EXPECT_EQ(invite->first_line, "INVITE " + room.uri + " SIP/2.0");
  EXPECT_EQ(invite->body, kOurSdp) << "our offer, byte for byte";
  EXPECT_EQ(invite->Header("Content-Type"), "application/sdp");
  // From names the MCU at its address; the display name lost the quote that would break it.
  EXPECT_EQ(invite->Header("From").rfind("\"Giao ban tuan\" <sip:mcu@127.0.0.1>", 0), 0u)
      << invite->Header("From");
  EXPECT_EQ(run.Received("ACK"), 1);
  EXPECT_EQ(handler_.Count("call"), 0u) << "no incoming call was seen";
}

TEST_F(SipAgentTest, ABusyRoomEndsOurCallWithItsStatus) {
  StartAgent();
  Uas room = StartUas("uas_busy");
  CallId id = agent_->Dial({room.uri, "mcu", "", kOurSdp});
  auto ended = handler_.WaitFor("ended", id);
  ASSERT_TRUE(ended) << Finish(room).log;
  EXPECT_EQ(ended->text, "486 Busy Here");
  EXPECT_EQ(handler_.Count("answered"), 0u);
  SippRun run = Finish(room);
  EXPECT_EQ(run.exit_code, 0) << run.log;
}

TEST_F(SipAgentTest, HangingUpARingingCallSendsCancel) {
  StartAgent();
  Uas room = StartUas("uas_ring_cancel");
  CallId id = agent_->Dial({room.uri, "mcu", "", kOurSdp});
  ASSERT_TRUE(WaitUntil(
      [&] {
        return ReadFile(dir_ / (room.name() + ".msg")).find("180 Ringing") != std::string::npos;
      },
      seconds(10)));
  agent_->Hangup(id, "no answer");
  auto ended = handler_.WaitFor("ended", id);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->text, "hangup: no answer");
  SippRun run = Finish(room);
  ASSERT_EQ(run.exit_code, 0) << run.log;
  EXPECT_EQ(run.Received("CANCEL"), 1);
}

TEST_F(SipAgentTest, ACallToWhatIsNoSipUriOrOverATransportThatIsOffEndsAtOnce) {
  config_.udp_port = 0;
  StartAgent();
  CallId bad = agent_->Dial({"http://example.com/", "mcu", "", kOurSdp});
  CallId udp = agent_->Dial({"sip:room@127.0.0.1:5999;transport=udp", "mcu", "", kOurSdp});
  CallId no_sdp = agent_->Dial({"sip:room@127.0.0.1", "mcu", "", ""});
  EXPECT_EQ(handler_.WaitFor("ended", bad)->text, "not a SIP URI");
  EXPECT_EQ(handler_.WaitFor("ended", udp)->text, "SIP over udp is off");
  EXPECT_EQ(handler_.WaitFor("ended", no_sdp)->text, "no offer");
}

TEST(SipDialTransport, IsWhatTheUriSaysElseTls) {
  auto name = [](const std::string& uri) {
    auto t = signaling::DialTransport(uri);
    return t ? std::string(signaling::SipTransportName(*t)) : "error: " + t.error();
  };
  EXPECT_EQ(name("sip:phong1@10.0.0.5"), "tls");
  EXPECT_EQ(name("sips:1001@mcu.tw.gov.vn;transport=tcp"), "tls") << "sips: is TLS whatever";
  EXPECT_EQ(name("sip:phong1@10.0.0.5:5060;transport=TCP"), "tcp");
  EXPECT_EQ(name("sip:phong1@10.0.0.5;lr;transport=udp"), "udp");
  EXPECT_EQ(name("sip:phong1@10.0.0.5;transport=tls"), "tls");
  EXPECT_EQ(name("sip:phong1@10.0.0.5;transport=sctp"), "error: unknown transport sctp");
  EXPECT_EQ(name("http://example.com/"), "error: not a SIP URI");
}

TEST(SipMessages, SdesKeysAreRedactedForLogs) {
  std::string sdp = kOurSdp + "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:QUJDREVGR0g=\r\n";
  std::string r = signaling::RedactSdpKeys(sdp);
  EXPECT_EQ(r.find("c2VjcmV0"), std::string::npos) << r;
  EXPECT_EQ(r.find("QUJDREVGR0g"), std::string::npos) << r;
  EXPECT_NE(r.find("inline:<redacted>|2^31\r\n"), std::string::npos) << r;
  EXPECT_NE(r.find("a=rtpmap:9 G722/8000\r\n"), std::string::npos) << r;
}

TEST(SipMessages, InfoBodiesAreRecognised) {
  using Kind = signaling::InfoRequest::Kind;
  EXPECT_EQ(
      signaling::ParseInfo("Application/Media_Control+XML; charset=utf-8", "<picture_fast_update/>")
          .kind,
      Kind::kKeyframe);
  auto relay = signaling::ParseInfo("application/dtmf-relay", "Signal= #\r\nDuration=250\r\n");
  EXPECT_EQ(relay.kind, Kind::kDtmf);
  EXPECT_EQ(relay.digit, '#');
  EXPECT_EQ(signaling::ParseInfo("application/dtmf", "10").digit, '*');
  EXPECT_EQ(signaling::ParseInfo("application/dtmf-relay", "Signal=x").kind, Kind::kUnsupported);
  EXPECT_EQ(signaling::ParseInfo("text/plain", "hi").kind, Kind::kUnsupported);
  EXPECT_EQ(signaling::ParseInfo("", "").kind, Kind::kEmpty);
}

}  // namespace
}  // namespace mcu::test
