#include "mcu/secrets.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace mcu {

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::string HashToken(std::string_view token) { return "sha256:" + Sha256Hex(token); }

bool TokenMatches(std::string_view token, std::string_view stored_hash) {
  std::string computed = HashToken(token);
  if (computed.size() != stored_hash.size()) return false;
  return CRYPTO_memcmp(computed.data(), stored_hash.data(), computed.size()) == 0;
}

void FillRandom(unsigned char* out, size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) == 1) return;
  // Nothing safe can be made without it, and going on with predictable bytes would hand out
  // guessable sessions and tokens. OpenSSL's RNG fails only when the kernel's cannot be read.
  const unsigned long err = ERR_get_error();
  spdlog::critical("the system's random number generator failed: {}",
                   err ? ERR_error_string(err, nullptr) : "no reason given");
  std::abort();
}

std::string NewToken() {
  unsigned char raw[24];
  FillRandom(raw, sizeof raw);
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  for (size_t i = 0; i < sizeof raw; i += 3) {
    uint32_t v = (uint32_t(raw[i]) << 16) | (uint32_t(raw[i + 1]) << 8) | raw[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += alphabet[(v >> s) & 63];
  }
  return out;
}

std::string HashPassword(std::string_view password) {
  constexpr uint32_t kTime = 2, kMemoryKiB = 19 * 1024, kLanes = 1, kSalt = 16, kHash = 32;
  unsigned char salt[kSalt];
  FillRandom(salt, sizeof salt);
  std::string out(argon2_encodedlen(kTime, kMemoryKiB, kLanes, kSalt, kHash, Argon2_id), '\0');
  int rc = argon2id_hash_encoded(kTime, kMemoryKiB, kLanes, password.data(), password.size(), salt,
                                 sizeof salt, kHash, out.data(), out.size());
  if (rc != ARGON2_OK) return {};
  out.resize(out.find('\0'));
  return out;
}

bool VerifyPassword(std::string_view password, const std::string& encoded) {
  if (encoded.rfind("$argon2id$", 0) != 0) return false;
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace mcu
