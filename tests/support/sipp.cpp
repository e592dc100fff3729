#include "tests/support/sipp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/x509_vfy.h>

#include <algorithm>
#include <chrono>
#include <regex>

#include "tests/support/files.h"
#include "tests/support/process.h"

namespace mcu::test {

TlsRelay::TlsRelay(uint16_t target_port, X509* trusted) : target_port_(target_port) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx_), trusted);
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  // A TLS 1.3 session ticket must not keep SSL_read waiting for data while SIPp's waits.
  SSL_CTX_clear_mode(ctx_, SSL_MODE_AUTO_RETRY);
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  // port() stays 0 if this fails: SIPp then has nowhere to connect, and says so.
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      listen(listen_fd_, 16) == 0 &&
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port_ = ntohs(a.sin_port);
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

TlsRelay::~TlsRelay() {
  stop_ = true;
  accept_thread_.join();
  for (auto& t : pumps_) t.join();
  close(listen_fd_);
  SSL_CTX_free(ctx_);
}

void TlsRelay::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    int c = accept(listen_fd_, nullptr, nullptr);
    if (c >= 0) pumps_.emplace_back([this, c] { Pump(c); });
  }
}

void TlsRelay::Pump(int client) {
  int up = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(target_port_);
  SSL* ssl = SSL_new(ctx_);
  if (connect(up, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    SSL_set_fd(ssl, up);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
    if (SSL_connect(ssl) == 1) {
      ++handshakes_;
      Relay(client, up, ssl);
    }
  }
  SSL_free(ssl);
  close(up);
  close(client);
}

void TlsRelay::Relay(int client, int up, SSL* ssl) {
  char buf[16384];
  while (!stop_) {
    pollfd p[2] = {{client, POLLIN, 0}, {up, POLLIN, 0}};
    if (SSL_pending(ssl) == 0 && poll(p, 2, 100) <= 0) continue;
    if (p[0].revents) {
      ssize_t n = read(client, buf, sizeof buf);
      if (n <= 0 || SSL_write(ssl, buf, static_cast<int>(n)) <= 0) return;
    }
    if (SSL_pending(ssl) > 0 || p[1].revents) {
      int n = SSL_read(ssl, buf, sizeof buf);
      if (n <= 0) {
        if (SSL_get_error(ssl, n) == SSL_ERROR_WANT_READ) continue;
        return;
      }
      for (int off = 0; off < n;) {
        ssize_t w = write(client, buf + off, n - off);
        if (w <= 0) return;
        off += static_cast<int>(w);
      }
    }
  }
}

std::string TracedMessage::Header(const std::string& name) const {
  std::smatch m;
  std::regex re("(^|\r\n)" + name + ": *([^\r\n]*)", std::regex::icase);
  return std::regex_search(headers, m, re) ? m[2].str() : "";
}

std::vector<TracedMessage> ParseTrace(const std::string& trace) {
  std::vector<TracedMessage> out;
  std::regex start(R"((UDP|TCP) message (sent|received)[^\n]*:\n\n)");
  for (auto it = std::sregex_iterator(trace.begin(), trace.end(), start);
       it != std::sregex_iterator(); ++it) {
    size_t pos = it->position() + it->length();
    size_t end = trace.find("\r\n\r\n", pos);
    if (end == std::string::npos) continue;
    TracedMessage m;
    m.sent = (*it)[2] == "sent";
    std::string head = trace.substr(pos, end - pos);
    size_t eol = head.find("\r\n");
    m.first_line = head.substr(0, eol);
    m.headers = eol == std::string::npos ? "" : head.substr(eol + 2);
    std::string cl = m.Header("Content-Length");
    size_t len = cl.empty() ? 0 : std::stoul(cl);
    m.body = trace.substr(end + 4, len);
    out.push_back(std::move(m));
  }
  return out;
}

int SippRun::Received(const std::string& status) const {
  return static_cast<int>(std::count_if(messages.begin(), messages.end(), [&](auto& m) {
    return !m.sent && m.first_line.rfind(status, 0) == 0;
  }));
}

const TracedMessage* SippRun::First(bool sent, const std::string& prefix) const {
  for (const auto& m : messages)
    if (m.sent == sent && m.first_line.rfind(prefix, 0) == 0) return &m;
  return nullptr;
}

std::vector<std::string> SippRun::InviteOkBodies() const {
  std::vector<std::string> bodies;
  for (const auto& m : messages)
    if (!m.sent && m.first_line.rfind("SIP/2.0 200", 0) == 0 &&
        m.Header("CSeq").find("INVITE") != std::string::npos)
      bodies.push_back(m.body);
  return bodies;
}

Sipp::Sipp(std::vector<std::string> args, const std::filesystem::path& dir, std::string name)
    : dir_(dir), name_(std::move(name)) {
  std::vector<std::string> argv = {"/usr/bin/sipp"};
  argv.insert(argv.end(), args.begin(), args.end());
  if (std::find(args.begin(), args.end(), "-m") == args.end()) argv.insert(argv.end(), {"-m", "1"});
  for (const char* a : {"-nostdin", "-timeout", "30s", "-timeout_error", "-trace_msg"})
    argv.emplace_back(a);
  argv.insert(argv.end(), {"-message_file", dir_ / (name_ + ".msg"), "-trace_err", "-error_file",
                           dir_ / (name_ + ".err")});
  process_ = std::make_unique<Process>(argv, dir_ / (name_ + ".log"));
}

Sipp::~Sipp() = default;

SippRun Sipp::Finish() {
  SippRun run;
  run.exit_code = process_->Wait(std::chrono::seconds(45));
  run.log = process_->Log() + ReadFile(dir_ / (name_ + ".err"));
  run.messages = ParseTrace(ReadFile(dir_ / (name_ + ".msg")));
  return run;
}

}  // namespace mcu::test
