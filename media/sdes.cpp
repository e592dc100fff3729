#include "media/sdes.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>

namespace mcu::media::sdes {
namespace {

constexpr std::pair<Suite, std::string_view> kNames[] = {
    {Suite::kAesCm128HmacSha1_80, "AES_CM_128_HMAC_SHA1_80"},
    {Suite::kAesCm128HmacSha1_32, "AES_CM_128_HMAC_SHA1_32"},
    {Suite::kAeadAes128Gcm, "AEAD_AES_128_GCM"},
    {Suite::kAeadAes256Gcm, "AEAD_AES_256_GCM"},
};

Error Refused(std::string why) { return MakeError(ErrorKind::kInvalid, std::move(why)); }

// Strict base64 (RFC 4648, padded): the decoded bytes, or an error.
Expected<std::string> DecodeBase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > 128)
    return Refused("the key is not base64 of a plausible length");
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return Refused("the key is not base64");
  const size_t pad = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string EncodeBase64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// "2^31", "2^48" or a decimal count of packets: at least 2^31, or refused.
bool LongEnough(std::string_view lifetime) {
  if (lifetime.starts_with("2^")) {
    int exponent = 0;
    auto [p, ec] =
        std::from_chars(lifetime.data() + 2, lifetime.data() + lifetime.size(), exponent);
    return ec == std::errc() && p == lifetime.data() + lifetime.size() && exponent >= 31 &&
           exponent <= 64;
  }
  uint64_t packets = 0;
  auto [p, ec] = std::from_chars(lifetime.data(), lifetime.data() + lifetime.size(), packets);
  return ec == std::errc() && p == lifetime.data() + lifetime.size() && packets >= (1ULL << 31);
}

}  // namespace

std::string_view ToString(Suite suite) {
  for (const auto& [s, name] : kNames)
    if (s == suite) return name;
  return "?";
}

size_t KeySaltLength(Suite suite) {
  switch (suite) {
    case Suite::kAesCm128HmacSha1_80:
    case Suite::kAesCm128HmacSha1_32:
      return 30;
    case Suite::kAeadAes128Gcm:
      return 28;
    case Suite::kAeadAes256Gcm:
      return 44;
  }
  return 0;
}

Expected<Crypto> ParseCrypto(std::string_view a) {
  if (a.starts_with("a=")) a.remove_prefix(2);
  if (!a.starts_with("crypto:")) return Refused("not a crypto attribute");
  a.remove_prefix(7);
  // <tag> SP <suite> SP <key-params> [SP <session-params>...]
  std::vector<std::string_view> fields;
  while (!a.empty()) {
    size_t sp = a.find(' ');
    if (sp != 0) fields.push_back(a.substr(0, sp));
    if (sp == std::string_view::npos) break;
    a.remove_prefix(sp + 1);
  }
  if (fields.size() < 3) return Refused("a crypto line needs a tag, a suite and a key");
  if (fields.size() > 3) return Refused("session parameters are not supported");
  Crypto c;
  auto [p, ec] = std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), c.tag);
  if (ec != std::errc() || p != fields[0].data() + fields[0].size() || c.tag < 0 ||
      c.tag > 999999999)
    return Refused("the crypto tag is not a number of at most 9 digits");
  auto suite = std::find_if(std::begin(kNames), std::end(kNames),
                            [&](const auto& n) { return n.second == fields[1]; });
  if (suite == std::end(kNames)) return Refused("unsupported suite " + std::string(fields[1]));
  c.suite = suite->first;
  std::string_view key = fields[2];
  if (key.find(';') != std::string_view::npos) return Refused("several keys are not supported");
  if (!key.starts_with("inline:")) return Refused("the key method is not inline");
  key.remove_prefix(7);
  std::string_view b64 = key.substr(0, key.find('|'));
  if (b64.size() < key.size()) {
    std::string_view rest = key.substr(b64.size() + 1);
    std::string_view lifetime = rest.substr(0, rest.find('|'));
    const bool has_mki =
        lifetime.size() < rest.size() || lifetime.find(':') != std::string_view::npos;
    if (has_mki) return Refused("an MKI is not supported");
    if (!LongEnough(lifetime)) return Refused("a key lifetime under 2^31 packets is not supported");
  }
  auto bytes = DecodeBase64(b64);
  if (!bytes) return bytes.failure();
  if (bytes->size() != KeySaltLength(c.suite))
    return Refused("the key of " + std::string(fields[1]) + " must be " +
                   std::to_string(KeySaltLength(c.suite)) + " bytes");
  c.key_salt = std::move(*bytes);
  return c;
}

Expected<Crypto> Choose(const std::vector<std::string>& attributes,
                        std::span<const Suite> preference) {
  std::optional<Crypto> best;
  std::string why;
  auto rank = [&](Suite s) {
    return std::find(preference.begin(), preference.end(), s) - preference.begin();
  };
  for (const auto& a : attributes) {
    if (!std::string_view(a).starts_with("crypto:") &&
        !std::string_view(a).starts_with("a=crypto:"))
      continue;
    auto c = ParseCrypto(a);
    if (c && rank(c->suite) == std::ssize(preference))
      c = Refused(std::string(ToString(c->suite)) + " is not accepted here");
    if (!c) {
      why += (why.empty() ? "" : "; ") + c.error();
      continue;
    }
    if (!best || rank(c->suite) < rank(best->suite) ||
        (rank(c->suite) == rank(best->suite) && c->tag < best->tag))
      best = std::move(*c);
  }
  if (best) return *best;
  return Refused(why.empty() ? "no crypto line" : "no acceptable crypto line: " + why);
}

std::string Write(const Crypto& c) {
  return "crypto:" + std::to_string(c.tag) + " " + std::string(ToString(c.suite)) +
         " inline:" + EncodeBase64(c.key_salt);
}

}  // namespace mcu::media::sdes
