// Fuzz target: the SDP body of a SIP INVITE, re-INVITE or ACK (media/sip_sdp.h), parsed by
// media/sdp.cpp. The input is the SDP text. When it parses, it is fed (1) as a remote offer to
// sip_sdp::AnswerOffer, with video and without, and the answer is written out as the SIP layer
// does; (2) as the remote's answer to our sip_sdp::BuildOffer, to sip_sdp::AcceptAnswer. Our side
// is built as tests/unit/sip_sdp_test.cpp builds it: keys of all four SDES suites (fixed bytes,
// where media/mix_sip.cpp draws them at random), SSRCs, video on. Checks only that nothing
// crashes, leaks or runs into undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "media/sdes.h"
#include "media/sdp.h"
#include "media/sip_sdp.h"

namespace {

using mcu::media::sdes::Suite;
namespace sdp = mcu::media::sdp;
namespace sip_sdp = mcu::media::sip_sdp;

std::string Bytes(size_t n, int from) {
  std::string s;
  for (size_t i = 0; i < n; ++i)
    s.push_back(static_cast<char>((from + static_cast<int>(i)) & 0xff));
  return s;
}

sip_sdp::LocalMedia Local() {
  sip_sdp::LocalMedia l;
  l.address = "10.0.0.1";
  l.audio_port = 40000;
  l.video_port = 40002;
  l.audio_keys = {{0, Suite::kAesCm128HmacSha1_80, Bytes(30, 0x01)},
                  {0, Suite::kAeadAes128Gcm, Bytes(28, 0x21)},
                  {0, Suite::kAeadAes256Gcm, Bytes(44, 0x41)},
                  {0, Suite::kAesCm128HmacSha1_32, Bytes(30, 0x71)}};
  l.video_keys = {{0, Suite::kAesCm128HmacSha1_80, Bytes(30, 0x91)},
                  {0, Suite::kAeadAes128Gcm, Bytes(28, 0xa1)},
                  {0, Suite::kAeadAes256Gcm, Bytes(44, 0xb1)},
                  {0, Suite::kAesCm128HmacSha1_32, Bytes(30, 0xd1)}};
  l.audio_ssrc = 1111;
  l.video_ssrc = 2222;
  l.cname = "mcu@10.0.0.1";
  l.video_kbps = 2048;
  // DTLS-SRTP sections are answered too.
  l.dtls_fingerprint =
      "5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:"
      "5A:5A";
  return l;
}

// Audio only, and no certificate: DTLS-SRTP sections are declined.
sip_sdp::LocalMedia AudioOnly() {
  sip_sdp::LocalMedia l = Local();
  l.video_port = 0;
  l.dtls_fingerprint.clear();
  return l;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sip_sdp::LocalMedia local = Local();
  static const sip_sdp::LocalMedia audio_only = AudioOnly();
  static const sdp::Session our_offer = sip_sdp::BuildOffer(local, 5);

  auto session = sdp::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!session) return 0;

  // A remote offer, answered with video and without.
  if (auto answer = sip_sdp::AnswerOffer(*session, local, 77)) {
    std::string text = sdp::Write(answer->answer);
    (void)text;
  }
  (void)sip_sdp::AnswerOffer(*session, audio_only, 78);

  // The remote's answer to our offer (an INVITE without SDP, answered in the ACK; dial-out).
  (void)sip_sdp::AcceptAnswer(our_offer, *session, local);
  return 0;
}
