// Specs of media/dtls.h: two DtlsTransports wired back to back in memory (no sockets), the
// DTLS-SRTP keys they export, and SRTP sessions keyed from them.
#include "media/dtls.h"

#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "media/rtp.h"
#include "media/srtp_session.h"

namespace mcu::media {
namespace {

// One side's view: what it sent (waiting for delivery) and what it was told.
struct Side : DtlsTransport::Listener {
  std::deque<std::vector<uint8_t>> outbox;
  std::optional<SrtpKeys> keys;
  std::string failure;
  int connected_calls = 0;
  bool closed = false;

  void OnDtlsSend(std::span<const uint8_t> d) override { outbox.emplace_back(d.begin(), d.end()); }
  void OnDtlsConnected(const SrtpKeys& k) override {
    keys = k;
    ++connected_calls;
  }
  void OnDtlsFailed(const std::string& reason) override { failure = reason; }
  void OnDtlsClosed() override { closed = true; }
};

struct Identity {
  Certificate cert;
  std::shared_ptr<DtlsContext> context;
};

Identity MakeIdentity(const std::string& name) {
  auto cert = Certificate::Generate(name, {}, 1);
  EXPECT_TRUE(cert.ok());
  auto ctx = DtlsContext::Create(*cert);
  EXPECT_TRUE(ctx.ok()) << (ctx.ok() ? "" : ctx.error());
  return {std::move(*cert), *ctx};
}

// Delivers queued datagrams both ways until both queues are empty; returns the datagram count.
int Pump(Side& a, DtlsTransport& ta, Side& b, DtlsTransport& tb) {
  int delivered = 0;
  for (int rounds = 0; rounds < 100 && (!a.outbox.empty() || !b.outbox.empty()); ++rounds) {
    while (!a.outbox.empty()) {
      auto d = std::move(a.outbox.front());
      a.outbox.pop_front();
      EXPECT_LE(d.size(), 1200u);  // Flights respect the MTU.
      tb.OnDatagram(d);
      ++delivered;
    }
    while (!b.outbox.empty()) {
      auto d = std::move(b.outbox.front());
      b.outbox.pop_front();
      EXPECT_LE(d.size(), 1200u);
      ta.OnDatagram(d);
      ++delivered;
    }
  }
  return delivered;
}

class DtlsPair : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    client_id_ = new Identity(MakeIdentity("client"));
    server_id_ = new Identity(MakeIdentity("server"));
  }
  static void TearDownTestSuite() {
    delete client_id_;
    delete server_id_;
  }
  static Identity* client_id_;
  static Identity* server_id_;
};
Identity* DtlsPair::client_id_ = nullptr;
Identity* DtlsPair::server_id_ = nullptr;

TEST_F(DtlsPair, HandshakeCompletesWithCrossedSrtpKeys) {
  Side a, b;
  DtlsTransport client(client_id_->context, &a, server_id_->cert.Fingerprint());
  DtlsTransport server(server_id_->context, &b, client_id_->cert.Fingerprint());
  EXPECT_EQ(client.state(), DtlsTransport::State::kNew);
  server.Start(false);
  EXPECT_TRUE(b.outbox.empty());  // The server waits for a ClientHello.
  client.Start(true);
  EXPECT_FALSE(a.outbox.empty());  // ClientHello.
  EXPECT_EQ(client.state(), DtlsTransport::State::kConnecting);
  EXPECT_TRUE(client.NextTimeoutMs().has_value());  // Retransmission timer armed.

  int n = Pump(a, client, b, server);
  EXPECT_GE(n, 3);
  ASSERT_EQ(client.state(), DtlsTransport::State::kConnected) << a.failure;
  ASSERT_EQ(server.state(), DtlsTransport::State::kConnected) << b.failure;
  EXPECT_TRUE(client.is_client());
  EXPECT_FALSE(server.is_client());
  EXPECT_EQ(a.connected_calls, 1);
  EXPECT_EQ(b.connected_calls, 1);
  EXPECT_TRUE(a.failure.empty());
  EXPECT_TRUE(b.failure.empty());
  EXPECT_FALSE(client.NextTimeoutMs().has_value());
  EXPECT_EQ(client.cipher(), server.cipher());
  EXPECT_NE(client.cipher().find("GCM"), std::string::npos) << client.cipher();

  ASSERT_TRUE(a.keys && b.keys);
  // Both offer AEAD AES-128-GCM first.
  EXPECT_EQ(a.keys->profile, SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(b.keys->profile, SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(a.keys->local.size(), 16u + 12);
  EXPECT_EQ(a.keys->remote.size(), 16u + 12);
  EXPECT_EQ(a.keys->local, b.keys->remote);
  EXPECT_EQ(a.keys->remote, b.keys->local);
  EXPECT_NE(a.keys->local, a.keys->remote);
}

TEST_F(DtlsPair, SrtpKeyedFromTheHandshakeCarriesRtpAndRtcpBothWays) {
  Side a, b;
  DtlsTransport client(client_id_->context, &a, server_id_->cert.Fingerprint());
  DtlsTransport server(server_id_->context, &b, client_id_->cert.Fingerprint());
  server.Start(false);
  client.Start(true);
  Pump(a, client, b, server);
  ASSERT_TRUE(a.keys && b.keys);

  SrtpSession sa, sb;
  ASSERT_TRUE(sa.Init(*a.keys).ok());
  ASSERT_TRUE(sb.Init(*b.keys).ok());
  EXPECT_TRUE(sa.ready());
  EXPECT_EQ(sa.profile(), SrtpProfile::kAeadAes128Gcm);

  // RTP from the client to the server.
  std::vector<uint8_t> rtp = {0x80, 96, 0x00, 0x01, 0, 0, 0x10, 0, 0x11, 0x22, 0x33, 0x44};
  for (int i = 0; i < 200; ++i) rtp.push_back(static_cast<uint8_t>(i));
  const std::vector<uint8_t> plain = rtp;
  ASSERT_TRUE(sa.ProtectRtp(rtp));
  EXPECT_EQ(rtp.size(), plain.size() + 16);  // GCM tag.
  EXPECT_NE(std::vector<uint8_t>(rtp.begin() + 12, rtp.begin() + 212),
            std::vector<uint8_t>(plain.begin() + 12, plain.end()));  // Encrypted.
  std::vector<uint8_t> tampered = rtp;
  size_t len = rtp.size();
  ASSERT_TRUE(sb.UnprotectRtp(rtp.data(), len));
  ASSERT_EQ(len, plain.size());
  EXPECT_EQ(std::vector<uint8_t>(rtp.begin(), rtp.begin() + len), plain);

  tampered[50] ^= 0x01;
  size_t tlen = tampered.size();
  EXPECT_FALSE(sb.UnprotectRtp(tampered.data(), tlen));

  // RTCP from the server to the client.
  std::vector<uint8_t> rtcp;
  rtp::WritePli(0x55667788, 0x11223344, rtcp);
  ASSERT_TRUE(sb.ProtectRtcp(rtcp));
  size_t rlen = rtcp.size();
  ASSERT_TRUE(sa.UnprotectRtcp(rtcp.data(), rlen));
  auto parsed = rtp::ParseRtcp(std::span<const uint8_t>(rtcp.data(), rlen));
  ASSERT_TRUE(parsed.has_value());
  ASSERT_EQ(parsed->keyframe_requests.size(), 1u);
  EXPECT_EQ(parsed->keyframe_requests[0].media_ssrc, 0x11223344u);
}

TEST_F(DtlsPair, ClientWithWrongExpectedFingerprintFails) {
  Side a, b;
  auto stranger = MakeIdentity("stranger");
  DtlsTransport client(client_id_->context, &a, stranger.cert.Fingerprint());
  DtlsTransport server(server_id_->context, &b, client_id_->cert.Fingerprint());
  server.Start(false);
  client.Start(true);
  Pump(a, client, b, server);
  EXPECT_EQ(client.state(), DtlsTransport::State::kFailed);
  EXPECT_NE(a.failure.find("fingerprint"), std::string::npos) << a.failure;
  EXPECT_FALSE(a.keys.has_value());  // No key is ever handed out for an unauthenticated peer.
  EXPECT_EQ(a.connected_calls, 0);
}

TEST_F(DtlsPair, ServerWithWrongExpectedFingerprintFails) {
  Side a, b;
  DtlsTransport client(client_id_->context, &a, server_id_->cert.Fingerprint());
  DtlsTransport server(server_id_->context, &b,
                       server_id_->cert.Fingerprint());  // Not the client's.
  server.Start(false);
  client.Start(true);
  Pump(a, client, b, server);
  EXPECT_EQ(server.state(), DtlsTransport::State::kFailed);
  EXPECT_NE(b.failure.find("fingerprint"), std::string::npos) << b.failure;
  EXPECT_FALSE(b.keys.has_value());
}

TEST_F(DtlsPair, GarbageDuringTheHandshakeFailsOrIsIgnoredButNeverConnects) {
  Side a, b;
  DtlsTransport server(server_id_->context, &b, client_id_->cert.Fingerprint());
  server.Start(false);
  std::vector<uint8_t> junk(300, 0x16);  // Looks like a handshake record, is not one.
  server.OnDatagram(junk);
  EXPECT_NE(server.state(), DtlsTransport::State::kConnected);
  EXPECT_EQ(b.connected_calls, 0);
}

TEST_F(DtlsPair, CloseNotifyReachesThePeer) {
  Side a, b;
  DtlsTransport client(client_id_->context, &a, server_id_->cert.Fingerprint());
  DtlsTransport server(server_id_->context, &b, client_id_->cert.Fingerprint());
  server.Start(false);
  client.Start(true);
  Pump(a, client, b, server);
  ASSERT_EQ(server.state(), DtlsTransport::State::kConnected);
  client.Close();
  EXPECT_EQ(client.state(), DtlsTransport::State::kClosed);
  ASSERT_FALSE(a.outbox.empty());  // The close_notify alert.
  Pump(a, client, b, server);
  EXPECT_TRUE(b.closed);
  EXPECT_EQ(server.state(), DtlsTransport::State::kClosed);
}

TEST_F(DtlsPair, DatagramsBeforeStartAreIgnored) {
  Side a, b;
  DtlsTransport client(client_id_->context, &a, server_id_->cert.Fingerprint());
  DtlsTransport server(server_id_->context, &b, client_id_->cert.Fingerprint());
  client.Start(true);
  ASSERT_FALSE(a.outbox.empty());
  server.OnDatagram(a.outbox.front());  // Not started: no state change, nothing sent.
  EXPECT_EQ(server.state(), DtlsTransport::State::kNew);
  EXPECT_TRUE(b.outbox.empty());
}

}  // namespace
}  // namespace mcu::media
