// mcu-impair: a network impairment in the kernel's path where the kernel has no netem.
// Packets that iptables sends to NFQUEUE queue N (in the network namespace this runs in) are
// held for --delay-ms and dropped with probability --loss, by verdict; everything else about
// them is the kernel's. Runs until SIGTERM/SIGINT; prints "SUMMARY {json}" with what it did.
//   ip netns exec room iptables -A OUTPUT -p udp -j NFQUEUE --queue-num 7
//   ip netns exec room iptables -A INPUT  -p udp -j NFQUEUE --queue-num 7
//   ip netns exec room mcu-impair --queue 7 --delay-ms 100 --loss 0.05
// The delay is constant (verdicts are given in arrival order, so nothing is reordered).
#include <arpa/inet.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <random>
#include <string>

namespace {

std::atomic<bool> g_stop{false};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct State {
  nfq_q_handle* queue = nullptr;
  int delay_ms = 0;
  double loss = 0;
  std::mt19937_64 rng{12345};
  std::uniform_real_distribution<double> uniform{0.0, 1.0};
  std::deque<std::pair<int64_t, uint32_t>> held;  // (due, packet id), in arrival order.
  uint64_t passed = 0, dropped = 0;
};

int OnPacket(nfq_q_handle* queue, nfgenmsg*, nfq_data* data, void* arg) {
  auto* st = static_cast<State*>(arg);
  nfqnl_msg_packet_hdr* hdr = nfq_get_msg_packet_hdr(data);
  if (!hdr) return 0;
  uint32_t id = ntohl(hdr->packet_id);
  if (st->uniform(st->rng) < st->loss) {
    ++st->dropped;
    return nfq_set_verdict(queue, id, NF_DROP, 0, nullptr);
  }
  if (st->delay_ms <= 0) {
    ++st->passed;
    return nfq_set_verdict(queue, id, NF_ACCEPT, 0, nullptr);
  }
  st->held.emplace_back(NowMs() + st->delay_ms, id);
  return 0;
}

void Release(State& st, int64_t now) {
  while (!st.held.empty() && st.held.front().first <= now) {
    nfq_set_verdict(st.queue, st.held.front().second, NF_ACCEPT, 0, nullptr);
    st.held.pop_front();
    ++st.passed;
  }
}

}  // namespace

int main(int argc, char** argv) {
  State st;
  int queue_num = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--queue")
      queue_num = std::atoi(argv[i + 1]);
    else if (k == "--delay-ms")
      st.delay_ms = std::atoi(argv[i + 1]);
    else if (k == "--loss")
      st.loss = std::atof(argv[i + 1]);
    else if (k == "--seed")
      st.rng.seed(std::strtoull(argv[i + 1], nullptr, 10));
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (queue_num < 0 || queue_num > 65535 || st.loss < 0 || st.loss > 1 || st.delay_ms < 0) {
    std::fprintf(stderr, "usage: mcu-impair --queue N [--delay-ms D] [--loss 0..1] [--seed S]\n");
    return 2;
  }
  std::signal(SIGTERM, [](int) { g_stop = true; });
  std::signal(SIGINT, [](int) { g_stop = true; });
  nfq_handle* h = nfq_open();
  if (!h) {
    std::perror("nfq_open");
    return 1;
  }
  st.queue = nfq_create_queue(h, static_cast<uint16_t>(queue_num), &OnPacket, &st);
  if (!st.queue) {
    std::perror("nfq_create_queue");
    return 1;
  }
  nfq_set_mode(st.queue, NFQNL_COPY_META, 0);  // Verdicts only: the payload is not needed.
  nfq_set_queue_maxlen(st.queue, 20000);
  int fd = nfq_fd(h);
  std::fprintf(stderr, "mcu-impair: queue %d, delay %d ms, loss %.3f\n", queue_num, st.delay_ms,
               st.loss);
  std::fflush(stderr);
  char buf[65536] __attribute__((aligned));
  while (!g_stop) {
    int64_t now = NowMs();
    Release(st, now);
    int timeout =
        st.held.empty() ? 100 : static_cast<int>(std::max<int64_t>(0, st.held.front().first - now));
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout) > 0) {
      int n = static_cast<int>(recv(fd, buf, sizeof buf, MSG_DONTWAIT));
      if (n > 0) nfq_handle_packet(h, buf, n);
    }
  }
  for (auto& [due, id] : st.held) nfq_set_verdict(st.queue, id, NF_ACCEPT, 0, nullptr), ++st.passed;
  nfq_destroy_queue(st.queue);
  nfq_close(h);
  std::printf("SUMMARY {\"passed\":%llu,\"dropped\":%llu}\n",
              static_cast<unsigned long long>(st.passed),
              static_cast<unsigned long long>(st.dropped));
  return 0;
}
