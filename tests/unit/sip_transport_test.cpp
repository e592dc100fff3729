// Specs of media/sip_transport.h: two SIP legs' transports back to back on loopback, keyed by
// SDES: RTP and RTCP arrive decrypted on the right medium, with and without rtcp-mux; what is on
// the wire is not the plaintext; a keyframe request crosses as PLI or FIR; datagrams from another
// host, garbage and packets under a wrong key are dropped and counted. Keyed by DTLS-SRTP: the
// handshakes (RTCP's own without rtcp-mux) key both directions; a wrong certificate fails the leg.
#include "media/sip_transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include <stun/usages/ice.h>
#include "media/certificate.h"
#include "media/dtls.h"
#include "media/io_loop.h"
#include "media/rtp.h"

namespace mcu::media {
namespace {

struct Recorder : RtpTransport::Listener {
  std::mutex mu;
  std::vector<std::pair<sdp::Kind, std::vector<uint8_t>>> rtp;  // Payloads.
  std::atomic<int> connected{0}, failed{0}, keyframe_requests{0}, keyframes_wanted{0};
  void OnTransportConnected(RtpTransport&) override { ++connected; }
  void OnTransportFailed(RtpTransport&, const std::string&) override { ++failed; }
  void OnTransportRtp(RtpTransport&, sdp::Kind kind, const rtp::RtpHeader& h,
                      std::span<uint8_t> packet) override {
    std::lock_guard lock(mu);
    rtp.emplace_back(kind, std::vector<uint8_t>(packet.end() - h.payload_size, packet.end()));
  }
  void OnTransportKeyframeRequest(RtpTransport&) override { ++keyframe_requests; }
  void OnTransportKeyframeWanted(RtpTransport&) override { ++keyframes_wanted; }
  void OnTransportBitrateCap(RtpTransport&, int kbps) override { cap_kbps = kbps; }
  std::atomic<int> cap_kbps{-1};
  size_t Count() {
    std::lock_guard lock(mu);
    return rtp.size();
  }
};

sdes::Crypto Key(char fill) {
  return {1, sdes::Suite::kAesCm128HmacSha1_80, std::string(30, fill)};
}

std::vector<uint8_t> Packet(uint8_t pt, uint16_t seq, std::vector<uint8_t> payload) {
  std::vector<uint8_t> p = {
      0x80, pt, static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq), 0, 0, 0, 1, 0, 0, 0, 0};
  p.insert(p.end(), payload.begin(), payload.end());
  return p;
}

// A non-blocking UDP socket of the test's own, bound to `address` on a free port (in `bound`):
// a remote the test plays itself.
int BoundUdpSocket(const char* address, sockaddr_in* bound) {
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  *bound = {};
  bound->sin_family = AF_INET;
  inet_pton(AF_INET, address, &bound->sin_addr);
  if (bind(sock, reinterpret_cast<sockaddr*>(bound), sizeof *bound) != 0) return -1;
  socklen_t len = sizeof *bound;
  getsockname(sock, reinterpret_cast<sockaddr*>(bound), &len);
  return sock;
}

template <typename F>
bool WaitFor(F done) {
  for (int i = 0; i < 400 && !done(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return done();
}

class SipTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SrtpSession::GlobalInit();
    TransportConfig tc;
    tc.ice_addresses = {"127.0.0.1"};
    for (auto* ctx : {&dtls_a_, &dtls_b_}) {
      auto cert = Certificate::Generate("sip-leg", {}, 1);
      ASSERT_TRUE(cert.ok()) << cert.error();
      auto c = DtlsContext::Create(*cert);
      ASSERT_TRUE(c.ok()) << c.error();
      *ctx = *c;
    }
    loop_.Invoke([&] {
      a_ = std::make_unique<SipTransport>(&loop_, tc, dtls_a_, &ra_);
      b_ = std::make_unique<SipTransport>(&loop_, tc, dtls_b_, &rb_);
      ASSERT_TRUE(a_->Start(true).ok());
      ASSERT_TRUE(b_->Start(true).ok());
    });
  }
  void TearDown() override {
    loop_.Invoke([&] {
      a_.reset();
      b_.reset();
    });
  }
  // Each side's media as the other's SDP would have said.
  std::vector<SipTransport::Medium> MediaOf(SipTransport& remote, char local_key, char remote_key,
                                            bool mux, SipTransport::KeyframeMethod kf) {
    std::vector<SipTransport::Medium> m(2);
    for (int i = 0; i < 2; ++i) {
      m[i].kind = i ? sdp::Kind::kVideo : sdp::Kind::kAudio;
      m[i].remote_address = "127.0.0.1";
      m[i].remote_rtp_port = remote.port(m[i].kind);
      m[i].remote_rtcp_port = remote.port(m[i].kind) + 1;
      m[i].rtcp_mux = mux;
      m[i].local = Key(local_key);
      m[i].remote = Key(remote_key);
      m[i].keyframe = kf;
    }
    m[0].payload_types = {9, 101};
    m[0].clock_rate = 8000;
    m[1].payload_types = {109};
    return m;
  }
  void Connect(bool mux, SipTransport::KeyframeMethod kf = SipTransport::KeyframeMethod::kPli) {
    loop_.Invoke([&] {
      ASSERT_TRUE(a_->Apply(MediaOf(*b_, 'a', 'b', mux, kf)).ok());
      ASSERT_TRUE(b_->Apply(MediaOf(*a_, 'b', 'a', mux, kf)).ok());
    });
  }
  // The same keyed by DTLS-SRTP: a starts the handshakes (setup:active), b answers them; each
  // knows the other's fingerprint (b's as `b_fingerprint` says).
  void ConnectDtls(bool mux, std::string b_fingerprint = "") {
    if (b_fingerprint.empty()) b_fingerprint = dtls_b_->fingerprint();
    auto dtls = [&](std::vector<SipTransport::Medium> media, std::string fingerprint, bool client) {
      for (auto& m : media) m.dtls = sip_sdp::Leg::Dtls{fingerprint, client};
      return media;
    };
    loop_.Invoke([&] {
      ASSERT_TRUE(a_->Apply(dtls(MediaOf(*b_, 'a', 'b', mux, SipTransport::KeyframeMethod::kPli),
                                 b_fingerprint, true))
                      .ok());
      ASSERT_TRUE(b_->Apply(dtls(MediaOf(*a_, 'b', 'a', mux, SipTransport::KeyframeMethod::kPli),
                                 dtls_a_->fingerprint(), false))
                      .ok());
    });
  }

  // b's statistics, read on the I/O thread.
  TransportStats StatsOfB() {
    TransportStats s;
    loop_.Invoke([&] { s = b_->Stats(); });
    return s;
  }
  // a asks b for a keyframe (the request names b's video SSRC, learnt from its first packet);
  // b's statistics once it arrived.
  TransportStats RequestKeyframe() {
    loop_.Invoke([&] { b_->SendRtp(sdp::Kind::kVideo, Packet(109, 1, {9})); });
    EXPECT_TRUE(WaitFor([&] { return ra_.Count() == 1; }));
    loop_.Invoke([&] { a_->RequestKeyframe(0); });
    EXPECT_TRUE(WaitFor([&] { return rb_.keyframe_requests == 1; }));
    return StatsOfB();
  }

  IoLoop loop_;
  std::shared_ptr<DtlsContext> dtls_a_, dtls_b_;
  Recorder ra_, rb_;
  std::unique_ptr<SipTransport> a_, b_;
};

TEST_F(SipTransportTest, CarriesAudioAndVideoOnTheirOwnPortsDecrypted) {
  Connect(false);
  EXPECT_EQ(ra_.connected, 1);
  EXPECT_NE(a_->port(sdp::Kind::kAudio), a_->port(sdp::Kind::kVideo));
  EXPECT_EQ(a_->port(sdp::Kind::kAudio) % 2, 0);
  loop_.Invoke([&] {
    a_->SendRtp(sdp::Kind::kAudio, Packet(9, 1, {1, 2, 3}));
    // The video m-line reuses payload type 9 in its own RTP session: not audio there.
    a_->SendRtp(sdp::Kind::kVideo, Packet(109, 1, {4, 5, 6, 7}));
  });
  ASSERT_TRUE(WaitFor([&] { return rb_.Count() == 2; }));
  std::lock_guard lock(rb_.mu);
  std::sort(rb_.rtp.begin(), rb_.rtp.end());
  EXPECT_EQ(rb_.rtp[0].first, sdp::Kind::kAudio);
  EXPECT_EQ(rb_.rtp[0].second, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(rb_.rtp[1].first, sdp::Kind::kVideo);
  EXPECT_EQ(rb_.rtp[1].second, (std::vector<uint8_t>{4, 5, 6, 7}));
}

TEST_F(SipTransportTest, AKeyframeRequestCrossesOnTheVideoRtcpPortAsPli) {
  Connect(false, SipTransport::KeyframeMethod::kPli);
  EXPECT_EQ(RequestKeyframe().video_out.plis, 1u);
}

TEST_F(SipTransportTest, AKeyframeRequestIsAFirWhenTheRemoteOnlyUnderstandsFir) {
  Connect(false, SipTransport::KeyframeMethod::kFir);
  auto stats = RequestKeyframe();
  EXPECT_EQ(stats.video_out.firs, 1u);
  EXPECT_EQ(stats.video_out.plis, 0u);
}

TEST_F(SipTransportTest, ARemoteThatTakesNeitherPliNorFirIsAskedThroughTheSignalling) {
  Connect(false, SipTransport::KeyframeMethod::kSignalling);
  loop_.Invoke([&] { b_->SendRtp(sdp::Kind::kVideo, Packet(109, 1, {9})); });
  ASSERT_TRUE(WaitFor([&] { return ra_.Count() == 1; }));
  loop_.Invoke([&] {
    a_->RequestKeyframe(0);
    a_->RequestKeyframe(0);  // Within 500 ms: one SIP INFO is enough.
    a_->RequestKeyframe(300);
  });
  EXPECT_EQ(ra_.keyframes_wanted, 1);
  // Nothing went on the wire: b was asked for nothing, its report counts none.
  loop_.Invoke([&] { b_->SendRtp(sdp::Kind::kVideo, Packet(109, 2, {9})); });
  ASSERT_TRUE(WaitFor([&] { return ra_.Count() == 2; }));
  EXPECT_EQ(rb_.keyframe_requests, 0);
  EXPECT_EQ(StatsOfB().video_out.plis + StatsOfB().video_out.firs, 0u);
}

TEST_F(SipTransportTest, WithRtcpMuxEverythingUsesTheRtpPort) {
  Connect(true);
  EXPECT_EQ(RequestKeyframe().video_out.plis, 1u);
}

TEST_F(SipTransportTest, DropsPlaintextWrongKeysAndStrangersBeforeAndAfterKeys) {
  // Before Apply: no keys, nothing accepted (and nothing to answer).
  int sock = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(b_->port(sdp::Kind::kAudio));
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  auto plain = Packet(9, 1, {1, 2, 3, 4});
  sendto(sock, plain.data(), plain.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  ASSERT_TRUE(WaitFor([&] { return StatsOfB().dropped_datagrams == 1; }));

  Connect(false);
  // A plaintext packet from the right host fails SRTP authentication; garbage is garbage.
  sendto(sock, plain.data(), plain.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  std::vector<uint8_t> garbage(200, 0xff);
  sendto(sock, garbage.data(), garbage.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  ASSERT_TRUE(WaitFor([&] { return StatsOfB().dropped_datagrams == 3; }));
  close(sock);
  EXPECT_EQ(rb_.Count(), 0u);
  // The real leg still gets through.
  loop_.Invoke([&] { a_->SendRtp(sdp::Kind::kAudio, Packet(9, 2, {5})); });
  ASSERT_TRUE(WaitFor([&] { return rb_.Count() == 1; }));
}

TEST_F(SipTransportTest, AnotherHostIsDroppedUnread) {
  Connect(false);
  // The remote's SDP said 127.0.0.1; this one sends from 127.0.0.2.
  int sock = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.2", &from.sin_addr);
  ASSERT_EQ(bind(sock, reinterpret_cast<sockaddr*>(&from), sizeof from), 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(b_->port(sdp::Kind::kAudio));
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  auto p = Packet(9, 1, {1});
  sendto(sock, p.data(), p.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  ASSERT_TRUE(WaitFor([&] { return StatsOfB().dropped_datagrams == 1; }));
  close(sock);
}

TEST_F(SipTransportTest, StatsNameTheSdesSuite) {
  Connect(false);
  loop_.Invoke([&] {
    auto s = a_->Stats();
    EXPECT_EQ(s.srtp_profile, "AES_CM_128_HMAC_SHA1_80 (SDES)");
    EXPECT_EQ(s.remote_candidate, "127.0.0.1:" + std::to_string(b_->port(sdp::Kind::kAudio)));
  });
}

TEST_F(SipTransportTest, ATmmbrCapsOurVideoAndIsAcknowledgedWithATmmbn) {
  // The remote is this test's socket (rtcp-mux), keyed as b would be: it asks a to send its
  // video at 800 kbit/s at most.
  sockaddr_in self{};
  int sock = BoundUdpSocket("127.0.0.1", &self);
  ASSERT_GE(sock, 0);
  auto media = MediaOf(*b_, 'a', 'b', true, SipTransport::KeyframeMethod::kPli);
  for (auto& m : media) m.remote_rtp_port = m.remote_rtcp_port = ntohs(self.sin_port);
  uint32_t video_ssrc = 0;
  loop_.Invoke([&] {
    ASSERT_TRUE(a_->Apply(media).ok());
    video_ssrc = a_->local_ssrc(sdp::Kind::kVideo);
  });
  SrtpSession remote;
  ASSERT_TRUE(remote
                  .Init({SrtpProfile::kAes128CmSha1_80, std::vector<uint8_t>(30, 'b'),
                         std::vector<uint8_t>(30, 'a')})
                  .ok());
  std::vector<uint8_t> tmmbr = {0x80, 201, 0, 1, 0x12, 0x34, 0x56, 0x78,  // RR, then TMMBR:
                                0x83, 205, 0, 4, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0};
  const uint32_t word = (3u << 26) | (100000u << 9) | 40u;  // 800000 bit/s.
  for (uint32_t v : {video_ssrc, word})
    for (int shift = 24; shift >= 0; shift -= 8) tmmbr.push_back(static_cast<uint8_t>(v >> shift));
  ASSERT_TRUE(remote.ProtectRtcp(tmmbr));
  sockaddr_in to = self;
  to.sin_port = htons(a_->port(sdp::Kind::kVideo));
  sendto(sock, tmmbr.data(), tmmbr.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  ASSERT_TRUE(WaitFor([&] { return ra_.cap_kbps == 800; }));

  // Its TMMBN came back: FMT 4, naming the tuple's owner and the same bound.
  bool acknowledged = false;
  ASSERT_TRUE(WaitFor([&] {
    uint8_t buf[1500];
    ssize_t n;
    while (!acknowledged && (n = recv(sock, buf, sizeof buf, 0)) > 0) {
      size_t len = static_cast<size_t>(n);
      if (rtp::Classify({buf, len}) != rtp::PacketClass::kRtcp || !remote.UnprotectRtcp(buf, len))
        continue;
      for (size_t at = 0; at + 20 <= len; at += (size_t(buf[at + 2] << 8 | buf[at + 3]) + 1) * 4) {
        if (buf[at] == 0x84 && buf[at + 1] == 205) {
          const uint8_t* fci = buf + at + 12;
          acknowledged = fci[0] == 0x12 && fci[3] == 0x78 &&
                         ((uint32_t(fci[4]) << 24 | fci[5] << 16 | fci[6] << 8 | fci[7]) == word);
        }
      }
    }
    return acknowledged;
  }));
  close(sock);
}

TEST_F(SipTransportTest, IceLiteAnswersTheRoomsChecksAndFollowsItsNomination) {
  // The room's ICE agent checks from another host than its SDP's default address (127.0.0.2).
  sockaddr_in room{};
  int sock = BoundUdpSocket("127.0.0.2", &room);
  ASSERT_GE(sock, 0);
  const std::string pwd = "0123456789abcdef012345";
  auto media = MediaOf(*b_, 'a', 'b', true, SipTransport::KeyframeMethod::kPli);
  for (auto& m : media) m.ice = SipTransport::Medium::IceLite{"ours", pwd, "theirs"};
  loop_.Invoke([&] { ASSERT_TRUE(a_->Apply(media).ok()); });
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(a_->port(sdp::Kind::kAudio));
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);

  static const uint16_t attributes[] = {STUN_ATTRIBUTE_USERNAME, STUN_ATTRIBUTE_MESSAGE_INTEGRITY,
                                        STUN_ATTRIBUTE_FINGERPRINT,
                                        STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, 0};
  StunAgent agent;
  stun_agent_init(&agent, attributes, STUN_COMPATIBILITY_RFC5389,
                  static_cast<StunAgentUsageFlags>(STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS |
                                                   STUN_AGENT_USAGE_USE_FINGERPRINT));
  auto check = [&](const std::string& password) {
    StunMessage msg;
    uint8_t buf[512];
    const std::string user = "ours:theirs";
    size_t n = stun_usage_ice_conncheck_create(
        &agent, &msg, buf, sizeof buf, reinterpret_cast<const uint8_t*>(user.data()), user.size(),
        reinterpret_cast<const uint8_t*>(password.data()), password.size(), true, true, 1000, 42,
        nullptr, STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
    ASSERT_GT(n, 0u);
    sendto(sock, buf, n, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  };
  auto dropped = [&] {
    TransportStats s;
    loop_.Invoke([&] { s = a_->Stats(); });
    return s.dropped_datagrams;
  };

  // A check under the wrong password: no answer, counted as dropped.
  check("not-the-password-at-all");
  ASSERT_TRUE(WaitFor([&] { return dropped() == 1; }));
  // The right one: a success response with the room's own address, and (USE-CANDIDATE) a's
  // audio goes to that pair from then on.
  check(pwd);
  uint8_t buf[1500];
  ssize_t n = -1;
  // (WaitFor asks once more at the end: each lambda keeps what it found.)
  ASSERT_TRUE(WaitFor([&] { return n > 0 || (n = recv(sock, buf, sizeof buf, 0)) > 0; }));
  StunMessage response;
  StunDefaultValidaterData none[] = {{nullptr, 0, nullptr, 0}};
  ASSERT_EQ(stun_agent_validate(&agent, &response, buf, static_cast<size_t>(n),
                                stun_agent_default_validater, none),
            STUN_VALIDATION_SUCCESS);
  EXPECT_EQ(stun_message_get_class(&response), STUN_RESPONSE);
  sockaddr_storage mapped{};
  socklen_t mapped_len = sizeof mapped;
  ASSERT_EQ(stun_message_find_xor_addr(&response, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, &mapped,
                                       &mapped_len),
            STUN_MESSAGE_RETURN_SUCCESS);
  const auto* m = reinterpret_cast<const sockaddr_in*>(&mapped);
  EXPECT_EQ(m->sin_addr.s_addr, room.sin_addr.s_addr);
  EXPECT_EQ(m->sin_port, room.sin_port);
  loop_.Invoke([&] { a_->SendRtp(sdp::Kind::kAudio, Packet(9, 1, {1, 2, 3})); });
  bool rtp = false;
  ASSERT_TRUE(WaitFor([&] {
    while (!rtp && (n = recv(sock, buf, sizeof buf, 0)) > 0)
      rtp = rtp::Classify({buf, static_cast<size_t>(n)}) == rtp::PacketClass::kRtp;
    return rtp;
  }));
  close(sock);
}

TEST_F(SipTransportTest, NacksCannotMakeItResendMoreThanHalfAgainOfItsVideo) {
  // The remote is this test's socket (rtcp-mux), keyed as b would be. a sends it 300 video
  // packets of 1000 bytes; the remote then NACKs all of them, again and again.
  sockaddr_in self{};
  int sock = BoundUdpSocket("127.0.0.1", &self);
  ASSERT_GE(sock, 0);
  auto media = MediaOf(*b_, 'a', 'b', true, SipTransport::KeyframeMethod::kPli);
  for (auto& m : media) m.remote_rtp_port = m.remote_rtcp_port = ntohs(self.sin_port);
  uint32_t video_ssrc = 0;
  loop_.Invoke([&] {
    ASSERT_TRUE(a_->Apply(media).ok());
    video_ssrc = a_->local_ssrc(sdp::Kind::kVideo);
    for (uint16_t seq = 0; seq < 300; ++seq)
      a_->SendRtp(sdp::Kind::kVideo, Packet(109, seq, std::vector<uint8_t>(1000, 7)));
  });
  SrtpSession remote;
  ASSERT_TRUE(remote
                  .Init({SrtpProfile::kAes128CmSha1_80, std::vector<uint8_t>(30, 'b'),
                         std::vector<uint8_t>(30, 'a')})
                  .ok());
  // One NACK naming all 300 (PID + a full bitmask: 17 numbers per entry).
  std::vector<uint8_t> nack = {0x80, 201, 0, 1, 0x12, 0x34, 0x56, 0x78};
  std::vector<uint16_t> sequences;
  for (uint16_t seq = 0; seq < 300; ++seq) sequences.push_back(seq);
  rtp::WriteNack({0x12345678, video_ssrc, sequences}, nack);
  sockaddr_in to = self;
  to.sin_port = htons(a_->port(sdp::Kind::kVideo));
  auto retransmits = [&] {
    TransportStats s;
    loop_.Invoke([&] { s = a_->Stats(); });
    return s.video_out.retransmits;
  };
  auto send_nack = [&] {
    std::vector<uint8_t> p = nack;
    ASSERT_TRUE(remote.ProtectRtcp(p));
    sendto(sock, p.data(), p.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  };
  // (A packet is not resent within the resend interval of its sending either.)
  std::this_thread::sleep_for(std::chrono::microseconds(RtpTransport::kMinResendIntervalUs * 2));
  send_nack();
  // One NACK is served at most kMaxResendsPerNack numbers.
  ASSERT_TRUE(WaitFor([&] { return retransmits() == RtpTransport::kMaxResendsPerNack; }));
  // Twenty more, each after the resend interval (so the per-packet throttle lets them through):
  // the budget, half of the ~310 KB sent, stops them near 150 packets.
  for (int i = 0; i < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(RtpTransport::kMinResendIntervalUs * 2));
    send_nack();
  }
  ASSERT_TRUE(WaitFor([&] {
    TransportStats s;
    loop_.Invoke([&] { s = a_->Stats(); });
    return s.video_out.nacks == 21u * 300;  // Every NACK arrived and was read.
  }));
  const uint64_t resent = retransmits();
  EXPECT_GT(resent, RtpTransport::kMaxResendsPerNack);
  EXPECT_LE(resent, 151u) << "more than half again of the 300 packets sent";
  close(sock);
}

class SipTransportDtlsTest : public SipTransportTest, public ::testing::WithParamInterface<bool> {};

TEST_P(SipTransportDtlsTest, TheHandshakesKeyRtpAndRtcpBothWays) {
  const bool mux = GetParam();
  ConnectDtls(mux);
  // Connected only once every handshake is done: audio and video, and RTCP's own without mux.
  ASSERT_TRUE(WaitFor([&] { return ra_.connected == 1 && rb_.connected == 1; }));
  loop_.Invoke([&] {
    a_->SendRtp(sdp::Kind::kAudio, Packet(9, 1, {1, 2, 3}));
    b_->SendRtp(sdp::Kind::kAudio, Packet(9, 1, {4, 5}));
  });
  ASSERT_TRUE(WaitFor([&] { return rb_.Count() == 1 && ra_.Count() == 1; }));
  {
    std::scoped_lock lock(ra_.mu, rb_.mu);
    EXPECT_EQ(rb_.rtp[0].second, (std::vector<uint8_t>{1, 2, 3}));
    EXPECT_EQ(ra_.rtp[0].second, (std::vector<uint8_t>{4, 5}));
  }
  // SRTCP, on the RTCP port's own keys without rtcp-mux: a PLI crosses.
  loop_.Invoke([&] { b_->SendRtp(sdp::Kind::kVideo, Packet(109, 1, {9})); });
  ASSERT_TRUE(WaitFor([&] { return ra_.Count() == 2; }));
  loop_.Invoke([&] { a_->RequestKeyframe(0); });
  ASSERT_TRUE(WaitFor([&] { return rb_.keyframe_requests == 1; }));
  auto s = StatsOfB();
  EXPECT_EQ(s.srtp_profile, "AEAD_AES_128_GCM (DTLS)");
  EXPECT_EQ(s.dtls_state, "connected");
  EXPECT_EQ(ra_.failed + rb_.failed, 0);
}

TEST_P(SipTransportDtlsTest, ACertificateThatIsNotTheOneInTheSdpFailsTheLeg) {
  // a expects another certificate than b's: it refuses b's, nothing is keyed, nothing passes.
  ConnectDtls(GetParam(), dtls_a_->fingerprint());
  ASSERT_TRUE(WaitFor([&] { return ra_.failed >= 1; }));
  EXPECT_EQ(ra_.connected, 0);
  // b finished its side of the handshake before a checked the certificate; what it sends now
  // reaches a, which holds no keys: dropped, never delivered.
  ASSERT_TRUE(WaitFor([&] { return rb_.connected == 1; }));
  loop_.Invoke([&] { b_->SendRtp(sdp::Kind::kAudio, Packet(9, 1, {1})); });
  ASSERT_TRUE(WaitFor([&] {
    TransportStats s;
    loop_.Invoke([&] { s = a_->Stats(); });
    return s.dropped_datagrams >= 1;
  }));
  EXPECT_EQ(ra_.Count(), 0u);
}

INSTANTIATE_TEST_SUITE_P(RtcpMux, SipTransportDtlsTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Mux" : "OwnRtcpPort"; });

}  // namespace
}  // namespace mcu::media
