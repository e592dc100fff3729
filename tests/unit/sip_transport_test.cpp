// Specs of media/sip_transport.h: two SIP legs' transports back to back on loopback, keyed by
// SDES: RTP and RTCP arrive decrypted on the right medium, with and without rtcp-mux; what is on
// the wire is not the plaintext; a keyframe request crosses as PLI or FIR; datagrams from another
// host, garbage and packets under a wrong key are dropped and counted.
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

#include "media/io_loop.h"
#include "media/rtp.h"

namespace mcu::media {
namespace {

struct Recorder : RtpTransport::Listener {
  std::mutex mu;
  std::vector<std::pair<sdp::Kind, std::vector<uint8_t>>> rtp;  // Payloads.
  std::atomic<int> connected{0}, keyframe_requests{0}, keyframes_wanted{0};
  void OnTransportConnected(RtpTransport&) override { ++connected; }
  void OnTransportFailed(RtpTransport&, const std::string&) override {}
  void OnTransportRtp(RtpTransport&, sdp::Kind kind, const rtp::RtpHeader& h,
                      std::span<uint8_t> packet) override {
    std::lock_guard lock(mu);
    rtp.emplace_back(kind, std::vector<uint8_t>(packet.end() - h.payload_size, packet.end()));
  }
  void OnTransportKeyframeRequest(RtpTransport&) override { ++keyframe_requests; }
  void OnTransportKeyframeWanted(RtpTransport&) override { ++keyframes_wanted; }
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
    loop_.Invoke([&] {
      a_ = std::make_unique<SipTransport>(&loop_, tc, &ra_);
      b_ = std::make_unique<SipTransport>(&loop_, tc, &rb_);
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

}  // namespace
}  // namespace mcu::media
