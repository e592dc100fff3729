// SDES (RFC 4568): the `a=crypto` lines with which SIP room systems and vendor MCUs key SRTP
// over TLS signalling. Parsing one line, choosing the line to accept from an offer, and writing
// ours. Pure: no sockets, no GStreamer; any thread.
//
// Only what libsrtp2 is given and can honour is accepted: a line with a key lifetime under 2^31
// packets (the MCU does not re-key), an MKI, several keys or any session parameter
// (UNENCRYPTED_SRTP, KDR, ...) is refused, so that a key is never accepted and then fails to
// decrypt. Among acceptable lines the choice follows kPreference, not the offer's order.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mcu/expected.h"

namespace mcu::media::sdes {

enum class Suite { kAesCm128HmacSha1_80, kAesCm128HmacSha1_32, kAeadAes128Gcm, kAeadAes256Gcm };
inline constexpr Suite kPreference[] = {Suite::kAesCm128HmacSha1_80, Suite::kAeadAes128Gcm,
                                        Suite::kAeadAes256Gcm, Suite::kAesCm128HmacSha1_32};
// A classified conference's legs: AES-GCM whenever the room offers it, never the 32-bit tag.
inline constexpr Suite kStrongestFirst[] = {Suite::kAeadAes256Gcm, Suite::kAeadAes128Gcm,
                                            Suite::kAesCm128HmacSha1_80};

std::string_view ToString(Suite suite);  // "AES_CM_128_HMAC_SHA1_80", ...
// Master key and salt, in bytes: 30 for AES-CM-128, 28 for AEAD-AES-128-GCM, 44 for 256.
size_t KeySaltLength(Suite suite);

struct Crypto {
  int tag = 0;  // 1..999999999, echoed in the answer.
  Suite suite = Suite::kAesCm128HmacSha1_80;
  std::string key_salt;  // Raw bytes, KeySaltLength(suite) of them.
};

// One attribute, with or without "a=": "crypto:1 AES_CM_128_HMAC_SHA1_80 inline:<base64>[|2^31]".
Expected<Crypto> ParseCrypto(std::string_view attribute);
// The line to accept among a media section's attributes (others are skipped): the suite first in
// `preference` (suites not in it are refused), the lowest tag among equals. The error says why
// each crypto line was refused, or that there was none.
Expected<Crypto> Choose(const std::vector<std::string>& attributes,
                        std::span<const Suite> preference = kPreference);
// "crypto:<tag> <suite> inline:<base64 key||salt>" (without "a=").
std::string Write(const Crypto& crypto);

}  // namespace mcu::media::sdes
