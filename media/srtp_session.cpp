#include "media/srtp_session.h"

#include <srtp2/srtp.h>

#include <cstring>
#include <mutex>
#include <stdexcept>

namespace mcu::media {

void SrtpSession::GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (srtp_init() != srtp_err_status_ok) throw std::runtime_error("srtp_init failed");
  });
}

SrtpSession::~SrtpSession() {
  if (inbound_) srtp_dealloc(inbound_);
  if (outbound_) srtp_dealloc(outbound_);
}

Status SrtpSession::Init(const SrtpKeys& keys) {
  GlobalInit();
  auto make = [&](const std::vector<uint8_t>& key, srtp_ssrc_type_t type,
                  srtp_t* out) -> srtp_err_status_t {
    srtp_policy_t policy;
    std::memset(&policy, 0, sizeof policy);
    switch (keys.profile) {
      case SrtpProfile::kAeadAes128Gcm:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
        break;
      case SrtpProfile::kAeadAes256Gcm:
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);
        break;
      case SrtpProfile::kAes128CmSha1_32:
        // RFC 4568: the 32-bit tag is for SRTP only; SRTCP keeps the 80-bit one.
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        break;
      default:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    }
    policy.ssrc.type = type;
    policy.key = const_cast<uint8_t*>(key.data());
    // A window large enough for packets recovered by NACK a few hundred sequence numbers late.
    policy.window_size = 1024;
    // Never the same sequence number protected twice (a retransmission resends the bytes
    // already protected, media/nack.h): a repeat would reuse the keystream.
    policy.allow_repeat_tx = 0;
    policy.next = nullptr;
    return srtp_create(out, &policy);
  };
  if (keys.profile == SrtpProfile::kNone) return MakeError(ErrorKind::kInternal, "no SRTP profile");
  size_t expected = SrtpKeyLength(keys.profile);
  if (keys.local.size() != expected || keys.remote.size() != expected)
    return MakeError(ErrorKind::kInternal, "SRTP key material has the wrong length");
  if (make(keys.remote, ssrc_any_inbound, &inbound_) != srtp_err_status_ok)
    return MakeError(ErrorKind::kInternal, "srtp_create (inbound) failed");
  if (make(keys.local, ssrc_any_outbound, &outbound_) != srtp_err_status_ok)
    return MakeError(ErrorKind::kInternal, "srtp_create (outbound) failed");
  profile_ = keys.profile;
  return OkStatus();
}

bool SrtpSession::ProtectRtp(std::vector<uint8_t>& packet) {
  if (!outbound_) return false;  // Not keyed yet: nothing passes.
  int len = static_cast<int>(packet.size());
  packet.resize(packet.size() + kMaxTrailer);
  if (srtp_protect(outbound_, packet.data(), &len) != srtp_err_status_ok) {
    packet.resize(packet.size() - kMaxTrailer);
    return false;
  }
  packet.resize(static_cast<size_t>(len));
  return true;
}

bool SrtpSession::ProtectRtcp(std::vector<uint8_t>& packet) {
  if (!outbound_) return false;  // Not keyed yet: nothing passes.
  int len = static_cast<int>(packet.size());
  packet.resize(packet.size() + kMaxTrailer);
  if (srtp_protect_rtcp(outbound_, packet.data(), &len) != srtp_err_status_ok) {
    packet.resize(packet.size() - kMaxTrailer);
    return false;
  }
  packet.resize(static_cast<size_t>(len));
  return true;
}

bool SrtpSession::UnprotectRtp(uint8_t* data, size_t& len) {
  if (!inbound_) return false;  // Not keyed yet: nothing passes.
  int n = static_cast<int>(len);
  if (srtp_unprotect(inbound_, data, &n) != srtp_err_status_ok) return false;
  len = static_cast<size_t>(n);
  return true;
}

bool SrtpSession::UnprotectRtcp(uint8_t* data, size_t& len) {
  if (!inbound_) return false;  // Not keyed yet: nothing passes.
  int n = static_cast<int>(len);
  if (srtp_unprotect_rtcp(inbound_, data, &n) != srtp_err_status_ok) return false;
  len = static_cast<size_t>(n);
  return true;
}

}  // namespace mcu::media
