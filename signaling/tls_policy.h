// The TLS policy of the MCU's HTTPS/WSS server and of its WSS client (mcu-room, cascade links,
// the load generator): one definition, applied to each OpenSSL context before its first
// connection.
//
// - TLS 1.2 at least; TLS 1.3 allowed (its suites are all AEAD with ephemeral keys).
// - TLS 1.2 suites: ECDHE key exchange with AEAD only (AES-GCM, ChaCha20-Poly1305), for ECDSA
//   certificates (the generated one, media/certificate.h) and RSA ones (a province's own): no
//   static-RSA key exchange (no forward secrecy), no CBC (MAC-then-encrypt), no SHA-1 MACs.
//   Chromium, Firefox and OpenSSL 1.0.2+ offer all of them.
// - No compression (CRIME), no renegotiation (either side), the server's order of preference.
//
// The SIP agent's TLS (signaling/sip_agent.cpp) cannot take this policy: Debian's sofia-sip
// (1.12.11) hard-codes its cipher list ("ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH"), and its
// TPTAG_TLS_VERSION chooses only between TLS 1.0 alone and any version; it gives no access to
// its SSL_CTX. DTLS for media has its own, stricter policy (media/dtls.cpp).
#pragma once

#include <openssl/ssl.h>

#include "mcu/expected.h"

namespace mcu::signaling {

// TLS 1.2 suites, most preferred first: AES-128-GCM (cheapest with AES-NI) before AES-256-GCM,
// ChaCha20 for clients without AES hardware; ECDSA before RSA (only one matches the key).
inline constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
inline constexpr const char* kTls13Ciphersuites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

enum class TlsRole { kServer, kClient };

// Applies the policy to `ctx`. Call it before any SSL object is made from the context: SSL_new
// copies the protocol versions and options. Fails (with OpenSSL's reason) only if this OpenSSL
// knows none of the suites.
Status ApplyTlsPolicy(SSL_CTX* ctx, TlsRole role);

}  // namespace mcu::signaling
