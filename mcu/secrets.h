// Secrets at rest: room tokens are stored only as "sha256:<hex>" of the token (tokens are long
// random strings, so a fast hash suffices; user passwords, which are not, use a slow KDF).
#pragma once

#include <string>
#include <string_view>

namespace mcu {

std::string Sha256Hex(std::string_view data);
// "sha256:<hex>" for a token.
std::string HashToken(std::string_view token);
// Compares a presented token with a stored hash in constant time.
bool TokenMatches(std::string_view token, std::string_view stored_hash);
// A new random token (URL-safe base64 of 24 random bytes).
std::string NewToken();

}  // namespace mcu
