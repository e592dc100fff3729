// DTLS 1.2 for DTLS-SRTP (RFC 5764) over OpenSSL, one instance per participant. Driven by its
// owner on the transport's I/O thread: datagrams in through OnDatagram(), datagrams out through
// Listener::OnDtlsSend(), retransmission timing through NextTimeoutMs()/OnTimeout().
// Each outgoing DTLS datagram is written by OpenSSL to a BIO of ours that hands it straight to
// the listener, so flights keep their datagram boundaries and the 1200-byte MTU.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mcu/expected.h"
#include "media/certificate.h"

namespace mcu::media {

// DTLS-SRTP negotiates the first and the third; SDES (SIP legs) may key any of them.
enum class SrtpProfile {
  kNone,
  kAes128CmSha1_80,
  kAes128CmSha1_32,
  kAeadAes128Gcm,
  kAeadAes256Gcm
};
// Master key || master salt, in bytes (0 for kNone).
size_t SrtpKeyLength(SrtpProfile p);
std::string_view ToString(SrtpProfile p);

struct SrtpKeys {
  SrtpProfile profile = SrtpProfile::kNone;
  std::vector<uint8_t> local;   // Master key || master salt for what we send.
  std::vector<uint8_t> remote;  // Master key || master salt for what we receive.
};

// The SSL_CTX shared by every DTLS session of the process: our certificate, DTLS 1.2 only,
// ECDHE with AES-GCM, both SRTP profiles offered (AEAD AES-128-GCM first).
class DtlsContext {
 public:
  static Expected<std::shared_ptr<DtlsContext>> Create(const Certificate& cert);
  ~DtlsContext();
  SSL_CTX* ctx() const { return ctx_; }
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  SSL_CTX* ctx_ = nullptr;
  std::string fingerprint_;
};

class DtlsTransport {
 public:
  enum class State { kNew, kConnecting, kConnected, kFailed, kClosed };
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnDtlsSend(std::span<const uint8_t> datagram) = 0;
    virtual void OnDtlsConnected(const SrtpKeys& keys) = 0;
    virtual void OnDtlsFailed(const std::string& reason) = 0;
    virtual void OnDtlsClosed() = 0;  // The peer sent close_notify.
  };

  // `remote_fingerprint` is the peer's certificate fingerprint from its SDP (sha-256); a peer
  // whose certificate does not match is refused.
  DtlsTransport(std::shared_ptr<DtlsContext> context, Listener* listener,
                std::string remote_fingerprint);
  ~DtlsTransport();
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // Starts the handshake as client (sends ClientHello) or waits for one as server.
  void Start(bool client);
  void OnDatagram(std::span<const uint8_t> datagram);
  // Milliseconds until OnTimeout() must be called, if a retransmission timer is running.
  std::optional<int64_t> NextTimeoutMs() const;
  void OnTimeout();
  void Close();  // Sends close_notify if connected.

  State state() const { return state_; }
  bool is_client() const { return client_; }
  const std::string& cipher() const { return cipher_; }

 private:
  static int BioWrite(BIO* bio, const char* data, int len) noexcept;
  static long BioCtrl(BIO* bio, int cmd, long num, void* ptr) noexcept;
  void Advance();  // Drives the handshake, or reads application data, after input.
  void Fail(const std::string& reason);

  std::shared_ptr<DtlsContext> context_;
  Listener* listener_;
  std::string remote_fingerprint_;
  SSL* ssl_ = nullptr;
  BIO* rbio_ = nullptr;  // Memory BIO fed by OnDatagram(); owned by ssl_.
  State state_ = State::kNew;
  bool client_ = false;
  std::string cipher_;
};

}  // namespace mcu::media
