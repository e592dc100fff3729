// SRTP/SRTCP protection for one participant's transport, both directions, over libsrtp2.
// Owned and used by the transport's I/O thread only. Buffers passed to Protect*() must have
// kMaxTrailer bytes of spare capacity beyond their size: protection grows them in place.
#pragma once

#include <cstdint>
#include <vector>

#include "mcu/expected.h"
#include "media/dtls.h"

struct srtp_ctx_t_;

namespace mcu::media {

class SrtpSession {
 public:
  static constexpr size_t kMaxTrailer = 148;  // SRTP_MAX_TRAILER_LEN + SRTCP index.

  // libsrtp2 must be initialised once per process before any session is created.
  static void GlobalInit();

  SrtpSession() = default;
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  Status Init(const SrtpKeys& keys);
  bool ready() const { return inbound_ && outbound_; }
  SrtpProfile profile() const { return profile_; }

  // Each fails (false) before Init: nothing passes unprotected.
  bool ProtectRtp(std::vector<uint8_t>& packet);
  bool ProtectRtcp(std::vector<uint8_t>& packet);
  // Decrypt in place; on success `len` is the plaintext length.
  bool UnprotectRtp(uint8_t* data, size_t& len);
  bool UnprotectRtcp(uint8_t* data, size_t& len);

 private:
  srtp_ctx_t_* inbound_ = nullptr;
  srtp_ctx_t_* outbound_ = nullptr;
  SrtpProfile profile_ = SrtpProfile::kNone;
};

}  // namespace mcu::media
