// Secrets at rest: room tokens are stored only as "sha256:<hex>" of the token (tokens are long
// random strings, so a fast hash suffices; user passwords, which are not, use a slow KDF).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mcu {

std::string Sha256Hex(std::string_view data);
// "sha256:<hex>" for a token.
std::string HashToken(std::string_view token);
// Compares a presented token with a stored hash in constant time.
bool TokenMatches(std::string_view token, std::string_view stored_hash);
// `size` bytes from OpenSSL's CSPRNG. If it fails the process ends (logged as critical): a secret
// made without it would be guessable, and the failure means the kernel's RNG cannot be read.
void FillRandom(unsigned char* out, size_t size);
// A new random token (URL-safe base64 of 24 random bytes).
std::string NewToken();

// Passwords: Argon2id (RFC 9106) with a random 16-byte salt, m = 19 MiB, t = 2, p = 1 (the
// OWASP minimum; ~30 ms here), in the PHC string format "$argon2id$v=19$m=...,t=...,p=...$...".
// Slow on purpose: call it off the control and I/O threads.
std::string HashPassword(std::string_view password);
bool VerifyPassword(std::string_view password, const std::string& encoded);

}  // namespace mcu
