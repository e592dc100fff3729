#include "media/dtls.h"

#include <openssl/err.h>
#include <openssl/srtp.h>

namespace mcu::media {
namespace {

constexpr int kMtu = 1200;
constexpr const char* kSrtpProfiles = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80";

std::string LastSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (!e) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// The peer's certificate is self-signed (as in all of WebRTC): identity is the SDP fingerprint,
// checked once the handshake completes, before any key is derived.
int AcceptAnyCertificate(int, X509_STORE_CTX*) noexcept { return 1; }

}  // namespace

std::string_view ToString(SrtpProfile p) {
  switch (p) {
    case SrtpProfile::kAes128CmSha1_80:
      return "AES_CM_128_HMAC_SHA1_80";
    case SrtpProfile::kAes128CmSha1_32:
      return "AES_CM_128_HMAC_SHA1_32";
    case SrtpProfile::kAeadAes128Gcm:
      return "AEAD_AES_128_GCM";
    case SrtpProfile::kAeadAes256Gcm:
      return "AEAD_AES_256_GCM";
    case SrtpProfile::kNone:
      break;
  }
  return "none";
}

size_t SrtpKeyLength(SrtpProfile p) {
  switch (p) {
    case SrtpProfile::kAes128CmSha1_80:
    case SrtpProfile::kAes128CmSha1_32:
      return 30;
    case SrtpProfile::kAeadAes128Gcm:
      return 28;
    case SrtpProfile::kAeadAes256Gcm:
      return 44;
    case SrtpProfile::kNone:
      break;
  }
  return 0;
}

Expected<std::shared_ptr<DtlsContext>> DtlsContext::Create(const Certificate& cert) {
  auto c = std::shared_ptr<DtlsContext>(new DtlsContext());
  c->ctx_ = SSL_CTX_new(DTLS_method());
  if (!c->ctx_) return MakeError(ErrorKind::kInternal, "SSL_CTX_new: " + LastSslError());
  SSL_CTX_set_min_proto_version(c->ctx_, DTLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(c->ctx_, DTLS1_2_VERSION);
  if (SSL_CTX_use_certificate(c->ctx_, cert.x509()) != 1 ||
      SSL_CTX_use_PrivateKey(c->ctx_, cert.key()) != 1 || SSL_CTX_check_private_key(c->ctx_) != 1)
    return MakeError(ErrorKind::kInternal, "DTLS certificate: " + LastSslError());
  SSL_CTX_set_cipher_list(c->ctx_,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256");
  SSL_CTX_set1_groups_list(c->ctx_, "P-256:X25519");
  SSL_CTX_set_verify(c->ctx_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                     AcceptAnyCertificate);
  // No renegotiation: the keys are exported once, from the first handshake.
  SSL_CTX_set_options(c->ctx_, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_read_ahead(c->ctx_, 1);
  // Note: SSL_CTX_set_tlsext_use_srtp returns 0 on success.
  if (SSL_CTX_set_tlsext_use_srtp(c->ctx_, kSrtpProfiles) != 0)
    return MakeError(ErrorKind::kInternal, "DTLS-SRTP profiles: " + LastSslError());
  c->fingerprint_ = cert.Fingerprint();
  return c;
}

DtlsContext::~DtlsContext() {
  if (ctx_) SSL_CTX_free(ctx_);
}

DtlsTransport::DtlsTransport(std::shared_ptr<DtlsContext> context, Listener* listener,
                             std::string remote_fingerprint)
    : context_(std::move(context)),
      listener_(listener),
      remote_fingerprint_(std::move(remote_fingerprint)) {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "mcu-dtls-out");
    BIO_meth_set_write(m, &DtlsTransport::BioWrite);
    BIO_meth_set_ctrl(m, &DtlsTransport::BioCtrl);
    BIO_meth_set_create(m, [](BIO* b) noexcept {
      BIO_set_init(b, 1);
      return 1;
    });
    return m;
  }();
  ssl_ = SSL_new(context_->ctx());
  rbio_ = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(rbio_, -1);
  BIO* wbio = BIO_new(method);
  BIO_set_data(wbio, this);
  SSL_set_bio(ssl_, rbio_, wbio);
  SSL_set_mtu(ssl_, kMtu);
  DTLS_set_link_mtu(ssl_, kMtu);
}

DtlsTransport::~DtlsTransport() {
  if (ssl_) SSL_free(ssl_);  // Frees both BIOs.
}

int DtlsTransport::BioWrite(BIO* bio, const char* data, int len) noexcept {
  auto* self = static_cast<DtlsTransport*>(BIO_get_data(bio));
  if (self && len > 0)
    self->listener_->OnDtlsSend({reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(len)});
  return len;
}

long DtlsTransport::BioCtrl(BIO* bio, int cmd, long num, void* ptr) noexcept {
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
      return kMtu;
    default:  // Nothing pending (BIO_CTRL_PENDING, BIO_CTRL_WPENDING), nothing else supported.
      return 0;
  }
}

void DtlsTransport::Start(bool client) {
  if (state_ != State::kNew) return;
  client_ = client;
  state_ = State::kConnecting;
  if (client) {
    SSL_set_connect_state(ssl_);
  } else {
    SSL_set_accept_state(ssl_);
  }
  Advance();
}

void DtlsTransport::OnDatagram(std::span<const uint8_t> datagram) {
  if (state_ != State::kConnecting && state_ != State::kConnected) return;
  BIO_write(rbio_, datagram.data(), static_cast<int>(datagram.size()));
  Advance();
}

std::optional<int64_t> DtlsTransport::NextTimeoutMs() const {
  if (state_ != State::kConnecting) return std::nullopt;
  timeval tv{};
  if (DTLSv1_get_timeout(ssl_, &tv) != 1) return std::nullopt;
  return int64_t(tv.tv_sec) * 1000 + tv.tv_usec / 1000;
}

void DtlsTransport::OnTimeout() {
  if (state_ != State::kConnecting) return;
  if (DTLSv1_handle_timeout(ssl_) < 0) Fail("handshake timed out");
}

void DtlsTransport::Close() {
  if (state_ == State::kConnected) SSL_shutdown(ssl_);
  state_ = State::kClosed;
}

void DtlsTransport::Fail(const std::string& reason) {
  if (state_ == State::kFailed || state_ == State::kClosed) return;
  state_ = State::kFailed;
  listener_->OnDtlsFailed(reason);
}

void DtlsTransport::Advance() {
  if (state_ == State::kConnecting) {
    int r = SSL_do_handshake(ssl_);
    if (r != 1) {
      int err = SSL_get_error(ssl_, r);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return;
      Fail("handshake failed: " + LastSslError());
      return;
    }
    // Handshake done: authenticate the peer by the fingerprint it announced in SDP.
    X509* peer = SSL_get1_peer_certificate(ssl_);
    std::string fp = Certificate::FingerprintOf(peer);
    X509_free(peer);
    if (fp.empty() || fp != remote_fingerprint_) {
      Fail("peer certificate does not match the SDP fingerprint");
      return;
    }
    SRTP_PROTECTION_PROFILE* p = SSL_get_selected_srtp_profile(ssl_);
    SrtpKeys keys;
    size_t key_len = 16, salt_len = 0;
    if (p && p->id == SRTP_AES128_CM_SHA1_80) {
      keys.profile = SrtpProfile::kAes128CmSha1_80;
      salt_len = 14;
    } else if (p && p->id == SRTP_AEAD_AES_128_GCM) {
      keys.profile = SrtpProfile::kAeadAes128Gcm;
      salt_len = 12;
    } else {
      Fail("no SRTP profile negotiated");
      return;
    }
    std::vector<uint8_t> material(2 * (key_len + salt_len));
    static const char kLabel[] = "EXTRACTOR-dtls_srtp";
    if (SSL_export_keying_material(ssl_, material.data(), material.size(), kLabel,
                                   sizeof kLabel - 1, nullptr, 0, 0) != 1) {
      Fail("keying material export failed");
      return;
    }
    // RFC 5764 4.2: client key | server key | client salt | server salt.
    auto part = [&](size_t off, size_t n) {
      return std::vector<uint8_t>(material.begin() + off, material.begin() + off + n);
    };
    auto client_key = part(0, key_len), server_key = part(key_len, key_len);
    auto client_salt = part(2 * key_len, salt_len),
         server_salt = part(2 * key_len + salt_len, salt_len);
    auto concat = [](std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
      a.insert(a.end(), b.begin(), b.end());
      return a;
    };
    keys.local = client_ ? concat(client_key, client_salt) : concat(server_key, server_salt);
    keys.remote = client_ ? concat(server_key, server_salt) : concat(client_key, client_salt);
    cipher_ = SSL_get_cipher_name(ssl_);
    state_ = State::kConnected;
    listener_->OnDtlsConnected(keys);
    return;
  }
  if (state_ == State::kConnected) {
    // Only alerts arrive after the handshake (WebRTC media never uses DTLS application data).
    uint8_t buf[2048];
    int r = SSL_read(ssl_, buf, sizeof buf);
    if (r <= 0) {
      int err = SSL_get_error(ssl_, r);
      if (err == SSL_ERROR_ZERO_RETURN) {
        state_ = State::kClosed;
        listener_->OnDtlsClosed();
      } else if (err != SSL_ERROR_WANT_READ) {
        ERR_clear_error();  // A stray or corrupt record: ignore it, keep the session.
      }
    }
  }
}

}  // namespace mcu::media
