// Bad input against a running conference: malformed and unauthorized signalling, an invalid SDP,
// oversized and too many messages, a peer that vanishes mid-negotiation, garbage and truncated
// RTP/RTCP on the media ports (including datagrams forged with the room's own address). Each gets
// an error or is dropped; the room already in the conference keeps its media, and the MCU keeps
// running and admitting sites.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "tests/support/analysis.h"
#include "tests/support/mcu_fixture.h"
#include "tests/support/udp.h"
#include "tests/support/ws_client.h"

namespace mcu::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Datagrams a hostile or broken peer could send to a media port.
std::vector<std::vector<uint8_t>> Garbage(std::mt19937& rng) {
  auto random_bytes = [&](size_t n, uint8_t first) {
    std::vector<uint8_t> v(n);
    for (auto& b : v) b = static_cast<uint8_t>(rng());
    if (n) v[0] = first;
    return v;
  };
  std::vector<std::vector<uint8_t>> out;
  out.push_back({});                      // Empty datagram.
  out.push_back({0x80});                  // One byte.
  out.push_back({0x80, 0x6f, 0x00});      // Truncated RTP header.
  out.push_back(random_bytes(12, 0x80));  // RTP header, no payload.
  auto csrc = random_bytes(20, 0x8f);     // CSRC count 15 in 20 bytes.
  csrc[1] = 96;
  out.push_back(csrc);
  auto ext = random_bytes(16, 0x90);  // Extension header past the end.
  ext[1] = 111;
  ext[12] = 0xbe, ext[13] = 0xde, ext[14] = 0xff, ext[15] = 0xff;
  out.push_back(ext);
  out.push_back({0x80, 200, 0xff, 0xff});              // RTCP SR claiming 256 KiB.
  out.push_back({0x81, 205, 0x00, 0x02, 0, 0, 0, 1});  // Truncated NACK.
  out.push_back({0x81, 206, 0x00, 0x01, 0, 0});        // Truncated PLI.
  out.push_back(random_bytes(1200, 0x80));             // Full-size RTP of noise (fails SRTP auth).
  out.push_back(random_bytes(300, 0x81));              // RTCP-looking noise.
  out.push_back(random_bytes(100, 0x17));              // DTLS application-data noise.
  out.push_back(random_bytes(60, 0x16));               // DTLS handshake noise.
  out.push_back(random_bytes(40, 0x00));               // STUN-looking noise.
  out.push_back(random_bytes(2000, 0x80));             // Larger than any MTU.
  return out;
}

// How many datagrams of `Garbage` fall in the RTP/RTCP range and reach SRTP on the selected pair.
size_t RtpLike(const std::vector<std::vector<uint8_t>>& g) {
  size_t n = 0;
  for (const auto& d : g) n += !d.empty() && d[0] >= 0x80 && d[0] <= 0xbf;
  return n;
}

void ExpectError(TestWs& ws, const std::string& code, const std::string& what) {
  auto e = ws.WaitFor("error");
  ASSERT_TRUE(e.has_value()) << what << ": no error reply";
  EXPECT_EQ((*e)["code"], code) << what << ": " << e->dump();
  EXPECT_FALSE((*e).value("message", "").empty()) << what;
}

TEST(BadInput, NothingDisturbsARoomInTheConference) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  auto room = mcu.StartRoom("room", {"--token",          "demo-huyen-1",
                                     "--conference",     "echo",
                                     "--tone",           "660",
                                     "--color",          "1010e0",
                                     "--record",         mcu.dir() / "room.wav",
                                     "--record-after",   "3",
                                     "--record-seconds", "4",
                                     "--snapshot",       mcu.dir() / "room.png",
                                     "--snapshot-at",    "6",
                                     "--stats-interval", "1",
                                     "--exit-after",     "14"});
  ASSERT_TRUE(WaitUntil([&] { return room->Log().find("media connected") != std::string::npos; },
                        seconds(15)))
      << room->Log();

  // Garbage on every media port for the next five seconds, plain and forged as coming from the
  // room's own sockets (so that it passes ICE's source check and reaches SRTP).
  std::atomic<bool> stop{false};
  std::atomic<size_t> sent{0};
  std::map<std::string, size_t> forged;  // "room-address:port>mcu-port" -> RTP/RTCP-like datagrams.
  std::thread flood([&] {
    std::mt19937 rng(1234);
    auto end = std::chrono::steady_clock::now() + seconds(5);
    while (!stop && std::chrono::steady_clock::now() < end) {
      auto mcu_ports = UdpSocketsOf(mcu.process().pid());  // Sites come and go meanwhile.
      auto room_ports = UdpSocketsOf(room->pid());
      auto g = Garbage(rng);
      for (const auto& m : mcu_ports) {
        for (const auto& d : g) sent += SendUdp(m.port, d);
        for (const auto& r : room_ports) {
          std::string src = r.address == "0.0.0.0" ? "127.0.0.1" : r.address;
          size_t ok = 0;
          for (const auto& d : g) ok += SendForgedUdp(src, r.port, m.port, d);
          if (ok == g.size())
            forged[src + ":" + std::to_string(r.port) + ">" + std::to_string(m.port)] += RtpLike(g);
        }
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
  });

  {  // Malformed and unauthorized signalling on one connection.
    TestWs ws(mcu.url(), mcu.ca());
    ASSERT_TRUE(ws.Open());
    ws.SendRaw("{not json");
    ExpectError(ws, "bad_request", "malformed JSON");
    ws.SendRaw(std::string("\x01\x02\x03", 3), true);
    ExpectError(ws, "bad_request", "binary message");
    ws.Send(json{{"type", "join"}, {"conference", "echo"}});
    ExpectError(ws, "unauthorized", "join before auth");
    ws.Send(json{{"type", "auth"}, {"token", "demo-huyen-9"}});
    ExpectError(ws, "unauthorized", "wrong token");
    ws.Send(json{{"type", "auth"}, {"token", std::string(300, 'x')}});
    ExpectError(ws, "bad_request", "over-long token");
    ws.Send(json{{"type", "auth"}, {"token", 42}});
    ExpectError(ws, "bad_request", "token of the wrong type");
    ws.SendRaw(json{{"type", "ping"}, {"pad", std::string(100 * 1024, 'a')}}.dump());
    ExpectError(ws, "too_large", "100 KiB message");
    ws.Send(json{{"type", "auth"}, {"token", "demo-huyen-2"}});
    ASSERT_TRUE(ws.WaitFor("welcome").has_value());
    ws.Send(json{{"type", "fly"}});
    ExpectError(ws, "bad_request", "unknown type");
    ws.Send(json{{"type", "answer"}, {"sdp", "v=0"}});
    ExpectError(ws, "conflict", "answer with no conference");
    ws.Send(json{{"type", "join"}, {"conference", "no-such"}});
    ExpectError(ws, "not_found", "unknown conference");
    ws.Send(json{{"type", "join"}, {"conference", "echo"}});
    ASSERT_TRUE(ws.WaitFor("joined").has_value());
    auto offer = ws.WaitFor("offer");
    ASSERT_TRUE(offer.has_value());
    ws.Send(json{{"type", "answer"}, {"sdp", "v=0\r\no=garbage\r\nm=audio x\r\n"}});
    ExpectError(ws, "bad_request", "unparsable SDP");
    ws.Send(json{{"type", "answer"}, {"sdp", (*offer)["sdp"]}});  // An offer is not an answer.
    ExpectError(ws, "bad_request", "the offer sent back as an answer");
    ws.Send(json{
        {"type", "candidate"}, {"candidate", "candidate:1 1 udp nonsense"}, {"sdpMLineIndex", 0}});
    ExpectError(ws, "bad_request", "invalid candidate");
    ws.Send(json{{"type", "ping"}});
    EXPECT_TRUE(ws.WaitFor("pong").has_value()) << "the connection survives its errors";
    // Over four times the message limit: the MCU closes the connection.
    ws.SendRaw(std::string(300 * 1024, ' '));
    EXPECT_TRUE(ws.WaitClosed().has_value());
  }
  {  // Too many messages: the excess is refused, the connection stays.
    TestWs ws(mcu.url(), mcu.ca());
    ASSERT_TRUE(ws.Open());
    for (int i = 0; i < 60; ++i) ws.Send(json{{"type", "ping"}});
    int pongs = 0, limited = 0;
    for (const auto& m : ws.Collect(milliseconds(1500))) {
      pongs += m["type"] == "pong";
      limited += m["type"] == "error" && m["code"] == "rate_limited";
    }
    EXPECT_EQ(pongs + limited, 60);
    EXPECT_GE(limited, 1) << "the burst is 50 messages";
    EXPECT_LT(limited, 20) << "fewer than twenty in a row: the connection stays";
    ws.Send(json{{"type", "ping"}});
    EXPECT_TRUE(ws.WaitFor("pong", seconds(3)).has_value());
  }
  {  // A peer that vanishes after the MCU's offer, before ICE and DTLS complete.
    TestWs ws(mcu.url(), mcu.ca());
    ASSERT_TRUE(ws.Open());
    ws.Send(json{{"type", "auth"}, {"token", "demo-huyen-3"}});
    ASSERT_TRUE(ws.WaitFor("welcome").has_value());
    ws.Send(json{{"type", "join"}, {"conference", "echo"}});
    ASSERT_TRUE(ws.WaitFor("offer").has_value());
    ws.Abort();
  }
  {  // A new site is still admitted, and the vanished one is gone from the roster.
    TestWs ws(mcu.url(), mcu.ca());
    ASSERT_TRUE(ws.Open());
    ws.Send(json{{"type", "auth"}, {"token", "demo-huyen-2"}});
    ASSERT_TRUE(ws.WaitFor("welcome").has_value());
    ws.Send(json{{"type", "join"}, {"conference", "echo"}});
    ASSERT_TRUE(ws.WaitFor("joined").has_value());
    bool without_vanished = false;
    for (int i = 0; i < 20 && !without_vanished; ++i) {
      auto r = ws.WaitFor("roster", seconds(2));
      if (!r) continue;
      std::string sites;
      for (const auto& p : (*r)["participants"]) sites += p.value("site", "") + " ";
      without_vanished =
          sites.find("huyen-3") == std::string::npos && sites.find("huyen-1") != std::string::npos;
    }
    EXPECT_TRUE(without_vanished) << "the vanished peer should leave the roster";
    ws.Send(json{{"type", "leave"}});
    EXPECT_TRUE(ws.WaitFor("left").has_value());
  }

  flood.join();
  EXPECT_GT(sent.load(), 100u);

  ASSERT_EQ(room->Wait(seconds(30)), 0) << room->Log();
  auto summary = json::parse(FindLine(room->Log(), "SUMMARY "), nullptr, false);
  ASSERT_TRUE(summary.is_object()) << room->Log();
  EXPECT_TRUE(summary["mediaConnected"].get<bool>());
  EXPECT_EQ(summary["joins"], 1) << "the room never had to reconnect";
  EXPECT_GT(summary["videoFrames"].get<int>(), 200);
  ASSERT_TRUE(summary["mcuStats"].is_object()) << room->Log();
  // The MCU's transport counted the video frames both ways (the echo sends back what arrives).
  EXPECT_GT(summary["mcuStats"]["videoIn"]["frames"].get<uint64_t>(), 200u) << summary.dump();
  EXPECT_GT(summary["mcuStats"]["videoOut"]["frames"].get<uint64_t>(), 200u) << summary.dump();
  // The datagrams forged with the selected pair's addresses reached the room's transport in the
  // MCU and were dropped there (SRTP authentication or parsing); the room's media was not.
  auto address_of = [](const std::string& candidate) {  // "127.0.0.1:40000 host"
    return candidate.substr(0, candidate.find(' '));
  };
  std::string remote = address_of(summary["mcuStats"].value("remoteCandidate", ""));
  std::string local = address_of(summary["mcuStats"].value("localCandidate", ""));
  std::string pair = remote + ">" + local.substr(local.rfind(':') + 1);
  std::string tried;
  for (const auto& [k, n] : forged) tried += k + " ";
  ASSERT_TRUE(forged.count(pair)) << "no datagram forged for the selected pair " << pair
                                  << " (raw sockets need CAP_NET_RAW); forged: " << tried;
  EXPECT_GT(forged[pair], 100u);
  RecordProperty("forged_on_selected_pair", static_cast<int>(forged[pair]));
  RecordProperty("dropped_by_mcu",
                 static_cast<int>(summary["mcuStats"]["droppedDatagrams"].get<uint64_t>()));
  EXPECT_GE(summary["mcuStats"]["droppedDatagrams"].get<uint64_t>(), forged[pair])
      << summary.dump();
  Wav wav;
  ASSERT_TRUE(ReadWav(mcu.dir() / "room.wav", &wav)) << room->Log();
  EXPECT_GT(ToneShare(wav, 660), 0.3) << "the room still hears its own tone during the garbage";
  Image img;
  std::string error;
  ASSERT_TRUE(ReadPng(mcu.dir() / "room.png", &img, &error)) << error;
  Rgb centre = img.Mean(280, 140, 80, 60);
  EXPECT_TRUE(Near(centre, {16, 16, 224}, 30)) << centre.r << "," << centre.g << "," << centre.b;

  EXPECT_TRUE(mcu.process().Running());
  EXPECT_EQ(mcu.Log().find("terminate called"), std::string::npos);
}

}  // namespace
}  // namespace mcu::test
