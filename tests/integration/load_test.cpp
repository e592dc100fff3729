// Many endpoints at once, on the project's transport in the answerer role (mcu-loadgen), and the
// proof that media on the wire is encrypted.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <fstream>

#include "tests/support/capture.h"
#include "tests/support/mcu_fixture.h"

namespace mcu::test {
namespace {

nlohmann::json RunLoadgen(McuProcess& mcu, const std::string& name, std::vector<std::string> args) {
  std::vector<std::string> argv = {LoadgenBin(), "--url", mcu.url(), "--ca", mcu.ca()};
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv, mcu.dir() / (name + ".log"));
  int rc = p.Wait(std::chrono::seconds(60));
  EXPECT_EQ(rc, 0) << p.Log();
  auto j = nlohmann::json::parse(FindLine(p.Log(), "SUMMARY "), nullptr, false);
  EXPECT_TRUE(j.is_object()) << p.Log();
  return j.is_object() ? j : nlohmann::json::object();
}

int Threads(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (in >> key)
    if (key == "Threads:") {
      int n;
      in >> n;
      return n;
    }
  return -1;
}

TEST(Load, TwentyFiveSitesInEchoAllGetTheirMediaBack) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  int idle_threads = Threads(mcu.process().pid());
  // The most threads the MCU had while the sites came, ran and went (sampled every 100 ms).
  std::atomic<int> busy_threads{0};
  std::atomic<bool> done{false};
  std::thread sampler([&] {
    while (!done) {
      busy_threads = std::max(busy_threads.load(), Threads(mcu.process().pid()));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  auto s = RunLoadgen(mcu, "load25", {"--sites", "25", "--seconds", "6"});
  done = true;
  sampler.join();
  EXPECT_EQ(s["connected"], 25) << s.dump();
  EXPECT_EQ(s["errors"], 0) << s.dump();
  // Echo returns what was sent, less what was in flight at the end and losses on loopback.
  double a_sent = s["audioSent"], a_recv = s["audioReceived"];
  double v_sent = s["videoSent"], v_recv = s["videoReceived"];
  EXPECT_GT(a_sent, 25 * 50 * 3);
  EXPECT_GT(a_recv, 0.9 * a_sent) << s.dump();
  EXPECT_GT(v_recv, 0.9 * v_sent) << s.dump();
  // One I/O loop for every site: the thread count does not grow with participants.
  EXPECT_GT(idle_threads, 0);
  EXPECT_LE(busy_threads, idle_threads + 1)
      << "idle " << idle_threads << " with 25 sites " << busy_threads;
  EXPECT_TRUE(mcu.process().Running());
}

TEST(Encryption, WireCarriesStunDtlsAndSrtpButNeverThePlaintext) {
  const std::string probe = "MCU-PLAINTEXT-PROBE-7f3a9c";  // As mcu-loadgen --probe writes it.
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  LoopbackCapture capture(probe);
  ASSERT_TRUE(capture.ok()) << capture.error();
  auto s = RunLoadgen(mcu, "probe", {"--sites", "2", "--seconds", "4", "--probe", "--no-video"});
  CaptureCounts c = capture.Stop();
  ASSERT_EQ(s["connected"], 2) << s.dump();
  // The marker went through the MCU and came back, decrypted by the receiving site ...
  EXPECT_GT(s["probeEchoes"].get<int>(), 2 * 50 * 2) << s.dump();
  // ... yet never appeared on the wire.
  EXPECT_GT(c.stun, 0u);
  EXPECT_GT(c.dtls, 0u);
  EXPECT_GT(c.rtp, 400u);
  EXPECT_EQ(c.needle_hits, 0u) << "plaintext payload seen on loopback";
}

TEST(Encryption, AnswerWithoutFingerprintIsRefused) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  auto s =
      RunLoadgen(mcu, "nofp", {"--sites", "1", "--seconds", "3", "--no-fingerprint", "--probe"});
  EXPECT_EQ(s["connected"], 0) << s.dump();
  EXPECT_GE(s["errors"].get<int>(), 1);
  EXPECT_EQ(s["probeEchoes"], 0);
  EXPECT_NE(mcu.Log().find("no DTLS fingerprint"), std::string::npos) << mcu.Log();
}

TEST(Encryption, CertificateNotMatchingItsFingerprintIsRefused) {
  McuProcess mcu;
  ASSERT_TRUE(mcu.ready()) << mcu.Log();
  auto s = RunLoadgen(mcu, "badfp",
                      {"--sites", "1", "--seconds", "3", "--wrong-fingerprint", "--probe"});
  EXPECT_EQ(s["mediaFailed"], 1) << s.dump();
  EXPECT_EQ(s["probeEchoes"], 0) << "media must not flow to a peer that failed authentication";
  EXPECT_NE(mcu.Log().find("does not match the SDP fingerprint"), std::string::npos) << mcu.Log();
  EXPECT_TRUE(mcu.process().Running());
}

}  // namespace
}  // namespace mcu::test
