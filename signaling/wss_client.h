// A WebSocket-over-TLS client for the endpoint protocol: used by mcu-room, the load generator and
// the tests. The server is authenticated by a CA file (the MCU's self-signed certificate is its
// own CA) or by a pinned SHA-256 certificate fingerprint; --insecure must be explicit.
//
// Threading: runs on the io_context it is given; callbacks are invoked there. Send() and Close()
// may be called from any thread.
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "mcu/expected.h"

namespace mcu::signaling {

struct WssUrl {
  std::string host, port, path;
};
Expected<WssUrl> ParseWssUrl(const std::string& url);

// The SHA-256 fingerprint ("AB:CD:...") of the TLS certificate the server at `url` presents, read
// from a TLS handshake that trusts nothing and sends nothing else (no credential, no WebSocket
// upgrade): what an administrator compares with the one the other MCU's administrators read out
// before pinning it on a cascade link. Blocks the calling thread (an io_context of its own) for
// at most about `timeout_s`; never call it on an I/O thread.
Expected<std::string> ProbeCertificate(const std::string& url, int timeout_s = 5);

struct WssClientOptions {
  std::string url;         // wss://host:port/ws
  std::string ca_file;     // PEM of the CA (or self-signed server certificate) to trust.
  std::string pin_sha256;  // "AB:CD:..." fingerprint of the server certificate.
  bool insecure = false;   // Accept any certificate (tests of the protocol only).
  int timeout_s = 10;
  std::string cookie;  // Sent as the Cookie header of the upgrade (the console's event feed).
  std::string origin;  // Sent as the Origin header of the upgrade if set (the console's sockets).
};

class WssClient {
 public:
  struct Callbacks {
    std::function<void()> on_open;
    std::function<void(const std::string&)> on_message;
    std::function<void(const std::string& reason)> on_close;  // Also when connecting fails.
  };
  static std::shared_ptr<WssClient> Create(boost::asio::io_context& ioc, WssClientOptions options,
                                           Callbacks callbacks);
  virtual ~WssClient() = default;
  virtual void Start() = 0;
  virtual void Send(std::string text) = 0;
  // Sends raw bytes as a binary (true) or text message, bypassing nothing: for tests of bad input.
  virtual void SendRaw(std::string bytes, bool binary) = 0;
  virtual void Close() = 0;
  // Drops the TCP connection with no WebSocket or TLS close, as a peer that dies or loses the
  // network does.
  virtual void Abort() = 0;
};

// An io_context with its own thread, for tools that have no other.
class IoThread {
 public:
  IoThread();
  ~IoThread();  // Stop().
  boost::asio::io_context& context() { return ioc_; }
  // Stops the loop and joins the thread; no handler runs after it returns. Call it before the
  // objects that handlers touch are destroyed when those are declared after this IoThread.
  void Stop();

 private:
  boost::asio::io_context ioc_;
  std::unique_ptr<void, void (*)(void*)> guard_;
  std::thread thread_;
};

}  // namespace mcu::signaling
