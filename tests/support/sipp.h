// SIPp (Debian's sip-tester) as a room system in tests: a relay that carries its TCP over TLS to
// a SIP agent, and its message trace (-trace_msg) read back as messages.
//
// Debian's SIPp is built without TLS, so TLS scenarios go through TlsRelay: SIPp speaks TCP to
// it, it speaks TLS to the agent, trusting only the agent's certificate. Requests the agent starts
// (INFO, BYE) go to SIPp's Contact, which the relay does not serve.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace mcu::test {

class Process;

// TCP in, TLS out to the agent: SIPp's stand-in for a TLS transport. Verifies the agent's
// certificate (for 127.0.0.1) against the one the test gave it. One TLS connection per TCP
// connection accepted.
class TlsRelay {
 public:
  TlsRelay(uint16_t target_port, X509* trusted);
  ~TlsRelay();
  TlsRelay(const TlsRelay&) = delete;
  TlsRelay& operator=(const TlsRelay&) = delete;
  uint16_t port() const { return port_; }
  int handshakes() const { return handshakes_; }

 private:
  void AcceptLoop();
  void Pump(int client);
  void Relay(int client, int up, SSL* ssl);

  uint16_t target_port_, port_ = 0;
  SSL_CTX* ctx_;
  int listen_fd_;
  std::atomic<bool> stop_{false};
  std::atomic<int> handshakes_{0};
  std::thread accept_thread_;
  std::vector<std::thread> pumps_;  // Only the accept thread adds; joined after it ends.
};

// One SIP message from SIPp's trace (-trace_msg).
struct TracedMessage {
  bool sent = false;       // By SIPp (else received from the agent).
  std::string first_line;  // "INVITE sip:...", "SIP/2.0 200 OK"
  std::string headers;     // The header lines, CRLF-separated.
  std::string body;        // Content-Length bytes after the blank line.
  std::string Header(const std::string& name) const;
};

std::vector<TracedMessage> ParseTrace(const std::string& trace);

struct SippRun {
  int exit_code = -1;
  std::vector<TracedMessage> messages;
  std::string log;
  // Responses SIPp received, by status line prefix ("SIP/2.0 200").
  int Received(const std::string& status) const;
  const TracedMessage* First(bool sent, const std::string& prefix) const;
  // The bodies of the 200s SIPp received to its INVITEs (and re-INVITEs), in order.
  std::vector<std::string> InviteOkBodies() const;
};

// One SIPp process of a test: /usr/bin/sipp with `args` (scenario, transport, target...), no
// stdin, a 30 s timeout that fails it, one call unless `args` say -m, its message trace and
// errors kept in `dir` under `name`. Started at once; Finish() waits (45 s at most) and reads them.
class Sipp {
 public:
  Sipp(std::vector<std::string> args, const std::filesystem::path& dir, std::string name);
  ~Sipp();
  Process& process() { return *process_; }
  const std::string& name() const { return name_; }
  SippRun Finish();

 private:
  std::filesystem::path dir_;
  std::string name_;
  std::unique_ptr<Process> process_;
};

}  // namespace mcu::test
