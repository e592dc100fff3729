#include "signaling/tls_policy.h"

#include <openssl/err.h>

#include <string>

namespace mcu::signaling {

namespace {

Status OpenSslFailure(const std::string& what) {
  std::string reason;
  if (unsigned long e = ERR_get_error()) {  // The earliest: the first cause.
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    reason = buf;
  }
  ERR_clear_error();
  return MakeError(ErrorKind::kInternal,
                   "TLS policy: " + what + (reason.empty() ? "" : " (" + reason + ")"));
}

}  // namespace

Status ApplyTlsPolicy(SSL_CTX* ctx, TlsRole role) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
    return OpenSslFailure("cannot require TLS 1.2");
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1)
    return OpenSslFailure("none of the TLS 1.2 suites is available");
  if (SSL_CTX_set_ciphersuites(ctx, kTls13Ciphersuites) != 1)
    return OpenSslFailure("the TLS 1.3 suites are not available");
  uint64_t options = SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION;
  if (role == TlsRole::kServer) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  SSL_CTX_set_options(ctx, options);
  return OkStatus();
}

}  // namespace mcu::signaling
