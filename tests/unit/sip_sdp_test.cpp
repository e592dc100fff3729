// Specs of media/sip_sdp.h with SDP shaped like what room systems, vendor MCUs and baresip send.
#include "media/sip_sdp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace mcu::media::sip_sdp {
namespace {

using sdes::Suite;
using sdp::Direction;
using sdp::Kind;

// Remote keys as written in the offers below, and the bytes they stand for.
constexpr const char* kRemote80 = "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xd";   // 30 from 0x40
constexpr const char* kRemote80b = "YGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9";  // 30 from 0x60
constexpr const char* kRemote32 = "gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5yd";   // 30 from 0x80
constexpr const char* kRemote128 = "oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6uw==";  // 28 from 0xa0
constexpr const char* kRemote256 =                                              // 44 from 0x10
    "EBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs=";
constexpr const char* kRemoteVideo80 = "wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd";  // 30 from 0xc0

std::string Bytes(size_t n, int from) {
  std::string s;
  for (size_t i = 0; i < n; ++i)
    s.push_back(static_cast<char>((from + static_cast<int>(i)) & 0xff));
  return s;
}

// SDP text as written below (LF) turned into what arrives on the wire (CRLF), with the keys
// substituted for their names.
std::string Sdp(std::string text) {
  const std::pair<const char*, const char*> keys[] = {
      {"KEY80B", kRemote80b}, {"KEY80V", kRemoteVideo80}, {"KEY80", kRemote80},
      {"KEY32", kRemote32},   {"KEY128", kRemote128},     {"KEY256", kRemote256}};
  for (const auto& [name, value] : keys) {
    for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at))
      text.replace(at, std::string(name).size(), value);
  }
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

sdp::Session MustParse(const std::string& text) {
  auto s = sdp::Parse(text);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error());
  return s.ok() ? *s : sdp::Session{};
}

LocalMedia Local() {
  LocalMedia l;
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
  return l;
}

Expected<Answer> AnswerText(const std::string& offer_text, const LocalMedia& local = Local()) {
  auto offer = sdp::Parse(offer_text);
  if (!offer) return MakeError(ErrorKind::kInvalid, "parse: " + offer.error());
  return AnswerOffer(*offer, local, 77);
}

Answer MustAnswer(const std::string& offer_text, const LocalMedia& local = Local()) {
  auto a = AnswerText(offer_text, local);
  EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error());
  return a.ok() ? *a : Answer{};
}

// Our answer as the remote reads it: written, then parsed back.
sdp::Session Wire(const Answer& a) { return MustParse(sdp::Write(a.answer)); }

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::vector<std::string> CryptoLines(const sdp::Media& m) {
  std::vector<std::string> out;
  for (const auto& a : m.other)
    if (a.rfind("crypto:", 0) == 0) out.push_back(a);
  return out;
}

// baresip 1.0.0 with mediaenc=srtp-mand and avcodec: four crypto lines, H.264 in both
// packetization modes, no rtcp-mux.
const std::string kBaresipOffer = Sdp(R"(v=0
o=- 2082376405 1528613063 IN IP4 192.168.1.20
s=-
c=IN IP4 192.168.1.20
t=0 0
m=audio 10008 RTP/SAVP 96 9 0 8 101
b=AS:64
a=rtpmap:96 opus/48000/2
a=fmtp:96 stereo=1;sprop-stereo=1
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
a=label:1
a=rtcp-rsize
a=ssrc:3187438476 cname:sip:room@192.168.1.20
a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:KEY32
a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:KEY80
a=crypto:3 AEAD_AES_256_GCM inline:KEY256
a=crypto:4 AEAD_AES_128_GCM inline:KEY128
a=ptime:20
m=video 10010 RTP/SAVP 100 102
b=AS:2000
a=rtpmap:100 H264/90000
a=fmtp:100 packetization-mode=0;profile-level-id=42e01f
a=rtpmap:102 H264/90000
a=fmtp:102 packetization-mode=1;profile-level-id=42e01f
a=rtcp-fb:* nack pli
a=rtcp-fb:* ccm fir
a=sendrecv
a=label:2
a=rtcp-rsize
a=ssrc:918273645 cname:sip:room@192.168.1.20
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80V
)");

// ----- Encryption ----------------------------------------------------------------------------

TEST(SipSdpAnswer, AcceptsBaresipSavpOfferWithOurAddressPortsAndKeys) {
  Answer a = MustAnswer(kBaresipOffer);
  ASSERT_EQ(a.legs.size(), 2u);
  const Leg& audio = a.legs[0];
  EXPECT_EQ(audio.kind, Kind::kAudio);
  EXPECT_EQ(audio.mline, 0u);
  EXPECT_EQ(audio.remote_address, "192.168.1.20");
  EXPECT_EQ(audio.remote_rtp_port, 10008);
  EXPECT_EQ(audio.remote_rtcp_address, "192.168.1.20");
  EXPECT_EQ(audio.remote_rtcp_port, 10009);
  EXPECT_FALSE(audio.rtcp_mux);
  EXPECT_EQ(audio.profile, "RTP/SAVP");
  EXPECT_EQ(audio.direction, Direction::kSendRecv);
  EXPECT_EQ(audio.codec.name, "opus");
  EXPECT_EQ(audio.codec.payload_type, 96);
  EXPECT_EQ(audio.telephone_event_pt, 101);
  EXPECT_EQ(audio.max_kbps, 64u);
  // SHA1_80 is preferred over the other three; its tag is echoed with our own key.
  EXPECT_EQ(audio.remote_key.tag, 2);
  EXPECT_EQ(audio.remote_key.suite, Suite::kAesCm128HmacSha1_80);
  EXPECT_EQ(audio.remote_key.key_salt, Bytes(30, 0x40));
  EXPECT_EQ(audio.local_key.tag, 2);
  EXPECT_EQ(audio.local_key.suite, Suite::kAesCm128HmacSha1_80);
  EXPECT_EQ(audio.local_key.key_salt, Bytes(30, 0x01));

  const Leg& video = a.legs[1];
  EXPECT_EQ(video.kind, Kind::kVideo);
  EXPECT_EQ(video.mline, 1u);
  EXPECT_EQ(video.remote_rtp_port, 10010);
  EXPECT_EQ(video.remote_rtcp_port, 10011);
  EXPECT_EQ(video.codec.payload_type, 102);  // packetization-mode 1 preferred.
  EXPECT_EQ(video.h264.packetization_mode, 1);
  EXPECT_EQ(video.h264.profile_level_id, "42e01f");
  EXPECT_TRUE(video.feedback.pli);
  EXPECT_TRUE(video.feedback.fir);
  EXPECT_FALSE(video.feedback.nack);
  EXPECT_EQ(video.max_kbps, 2000u);
  EXPECT_EQ(video.remote_key.key_salt, Bytes(30, 0xc0));
  EXPECT_EQ(video.local_key.tag, 1);
  EXPECT_EQ(video.local_key.key_salt, Bytes(30, 0x91));

  const std::string text = sdp::Write(a.answer);
  EXPECT_EQ(Count(text, "c=IN IP4 10.0.0.1\r\n"), 1u);
  EXPECT_EQ(Count(text, "m=audio 40000 RTP/SAVP 96 101\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=rtcp:40001\r\n"), 1u);
  EXPECT_EQ(Count(text, "m=video 40002 RTP/SAVP 102\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=rtcp:40003\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=rtcp-mux"), 0u);
  EXPECT_EQ(Count(text, "a=ptime:20\r\n"), 1u);
  EXPECT_EQ(Count(text, "b=AS:2048\r\nb=TIAS:2048000\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=rtcp-fb:102 nack pli\r\na=rtcp-fb:102 ccm fir\r\n"), 1u);
  EXPECT_EQ(Count(text,
                  "a=fmtp:102 profile-level-id=42e01f;packetization-mode=1;max-fs=8160;"
                  "max-mbps=245760;max-br=14000\r\n"),
            1u);
  sdp::Session wire = Wire(a);
  EXPECT_EQ(wire.session_id, 77u);
  EXPECT_EQ(wire.connection_address, "10.0.0.1");
  ASSERT_EQ(wire.media.size(), 2u);
  ASSERT_EQ(CryptoLines(wire.media[0]).size(), 1u);
  auto ours = sdes::ParseCrypto(CryptoLines(wire.media[0])[0]);
  ASSERT_TRUE(ours) << ours.error();
  EXPECT_EQ(ours->tag, 2);
  EXPECT_EQ(ours->suite, Suite::kAesCm128HmacSha1_80);
  EXPECT_EQ(ours->key_salt, Bytes(30, 0x01));
  EXPECT_EQ(wire.media[0].ssrcs, (std::vector<uint32_t>{1111u}));
  EXPECT_EQ(wire.media[0].cname, "mcu@10.0.0.1");
  EXPECT_EQ(wire.media[1].ssrcs, (std::vector<uint32_t>{2222u}));
}

TEST(SipSdpAnswer, PlainRtpOnlyOfferFailsWithNoSrtpOffered) {
  auto a = AnswerText(Sdp(R"(v=0
o=- 1 1 IN IP4 10.1.1.5
s=-
c=IN IP4 10.1.1.5
t=0 0
m=audio 2326 RTP/AVP 9 0 8 101
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
m=video 2328 RTP/AVP 97
a=rtpmap:97 H264/90000
a=fmtp:97 profile-level-id=42e01f;packetization-mode=1
)"));
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().find("no SRTP offered"), std::string::npos) << a.error();
  EXPECT_NE(a.error().find("RTP/AVP"), std::string::npos) << a.error();
}

TEST(SipSdpAnswer, PlainVideoBesideSecureAudioIsDeclinedAndTheCallKept) {
  Answer a = MustAnswer(Sdp(R"(v=0
o=- 1 1 IN IP4 10.1.1.5
s=-
c=IN IP4 10.1.1.5
t=0 0
m=audio 2326 RTP/SAVP 0
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
m=video 2328 RTP/AVP 97
a=rtpmap:97 H264/90000
a=fmtp:97 profile-level-id=42e01f;packetization-mode=1
)"));
  ASSERT_EQ(a.legs.size(), 1u);
  EXPECT_EQ(a.legs[0].codec.name, "PCMU");
  EXPECT_EQ(a.legs[0].codec.payload_type, 0);
  ASSERT_EQ(a.answer.media.size(), 2u);
  EXPECT_EQ(a.answer.media[1].port, 0);
  EXPECT_EQ(a.answer.media[1].protocol, "RTP/AVP");
  EXPECT_EQ(a.answer.media[1].formats, (std::vector<std::string>{"97"}));
}

// Poly "best-effort SRTP" (janus#214): each medium twice on the same port, secure first.
TEST(SipSdpAnswer, PolyBestEffortTwinsTakeTheSecureLineAndDeclineThePlainOne) {
  const std::string offer = Sdp(R"(v=0
o=- 1674740882 1674740882 IN IP4 192.168.1.76
s=-
c=IN IP4 192.168.1.76
t=0 0
m=audio 3230 RTP/SAVP 9 0 8 119
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:119 telephone-event/8000
a=fmtp:119 0-15
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80|2^48
a=sendrecv
m=audio 3230 RTP/AVP 9 0 8 119
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:119 telephone-event/8000
a=sendrecv
m=video 3232 RTP/SAVP 109
a=rtpmap:109 H264/90000
a=fmtp:109 profile-level-id=42801f; packetization-mode=1
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80V|2^48
m=video 3232 RTP/AVP 109
a=rtpmap:109 H264/90000
a=fmtp:109 profile-level-id=42801f; packetization-mode=1
)");
  Answer a = MustAnswer(offer);
  ASSERT_EQ(a.answer.media.size(), 4u);
  EXPECT_EQ(a.answer.media[0].port, 40000);
  EXPECT_EQ(a.answer.media[0].protocol, "RTP/SAVP");
  EXPECT_EQ(a.answer.media[1].port, 0);
  EXPECT_EQ(a.answer.media[1].protocol, "RTP/AVP");
  EXPECT_EQ(a.answer.media[2].port, 40002);
  EXPECT_EQ(a.answer.media[3].port, 0);
  ASSERT_EQ(a.legs.size(), 2u);
  EXPECT_EQ(a.legs[0].mline, 0u);
  EXPECT_EQ(a.legs[0].codec.name, "G722");
  EXPECT_EQ(a.legs[0].telephone_event_pt, 119);
  EXPECT_EQ(a.legs[1].mline, 2u);
  EXPECT_EQ(a.legs[1].remote_rtp_port, 3232);

  // The plain twin first: still the secure one is taken.
  std::string swapped = offer;
  const size_t plain = swapped.find("m=audio 3230 RTP/AVP");
  const size_t video = swapped.find("m=video");
  const std::string plain_audio = swapped.substr(plain, video - plain);
  swapped.erase(plain, video - plain);
  swapped.insert(swapped.find("m=audio 3230 RTP/SAVP"), plain_audio);
  a = MustAnswer(swapped);
  ASSERT_EQ(a.answer.media.size(), 4u);
  EXPECT_EQ(a.answer.media[0].port, 0);
  EXPECT_EQ(a.answer.media[1].port, 40000);
  EXPECT_EQ(a.answer.media[1].protocol, "RTP/SAVP");
  EXPECT_EQ(a.legs[0].mline, 1u);
}

TEST(SipSdpAnswer, SkipsCryptoLinesWithMkiOrShortLifetimeAndEchoesTheChosenTag) {
  Answer a = MustAnswer(Sdp(R"(v=0
o=- 5 5 IN IP4 10.2.0.9
s=-
c=IN IP4 10.2.0.9
t=0 0
m=audio 16384 RTP/SAVP 8
a=rtpmap:8 PCMA/8000
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80|2^20|1:4
a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:KEY80B|2^20
a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:KEY32
)"));
  ASSERT_EQ(a.legs.size(), 1u);
  EXPECT_EQ(a.legs[0].remote_key.tag, 3);
  EXPECT_EQ(a.legs[0].remote_key.suite, Suite::kAesCm128HmacSha1_32);
  EXPECT_EQ(a.legs[0].remote_key.key_salt, Bytes(30, 0x80));
  EXPECT_EQ(a.legs[0].local_key.tag, 3);
  EXPECT_EQ(a.legs[0].local_key.suite, Suite::kAesCm128HmacSha1_32);
  EXPECT_EQ(a.legs[0].local_key.key_salt, Bytes(30, 0x71));
  EXPECT_EQ(CryptoLines(Wire(a).media[0]).size(), 1u);
  EXPECT_EQ(CryptoLines(Wire(a).media[0])[0].rfind("crypto:3 AES_CM_128_HMAC_SHA1_32 inline:", 0),
            0u);

  // Only lines it could not honour: refused, and the error says why (asterisk#825).
  auto refused = AnswerText(Sdp(R"(v=0
o=- 5 5 IN IP4 10.2.0.9
s=-
c=IN IP4 10.2.0.9
t=0 0
m=audio 16384 RTP/SAVP 8
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80|2^31|1:1
)"));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("MKI"), std::string::npos) << refused.error();
}

TEST(SipSdpAnswer, ChoosesAeadWhenThatIsAllOfferedWithOurKeyOfThatSuite) {
  Answer a = MustAnswer(Sdp(R"(v=0
o=- 5 5 IN IP4 10.2.0.9
s=-
c=IN IP4 10.2.0.9
t=0 0
m=audio 16384 RTP/SAVP 0
a=crypto:7 AEAD_AES_256_GCM inline:KEY256
a=crypto:8 AEAD_AES_128_GCM inline:KEY128
)"));
  ASSERT_EQ(a.legs.size(), 1u);
  EXPECT_EQ(a.legs[0].remote_key.tag, 8);
  EXPECT_EQ(a.legs[0].remote_key.key_salt, Bytes(28, 0xa0));
  EXPECT_EQ(a.legs[0].local_key.tag, 8);
  EXPECT_EQ(a.legs[0].local_key.suite, Suite::kAeadAes128Gcm);
  EXPECT_EQ(a.legs[0].local_key.key_salt, Bytes(28, 0x21));

  // A suite we hold no key for is not chosen.
  LocalMedia only80 = Local();
  only80.audio_keys.resize(1);
  a = MustAnswer(Sdp(R"(v=0
o=- 5 5 IN IP4 10.2.0.9
s=-
c=IN IP4 10.2.0.9
t=0 0
m=audio 16384 RTP/SAVP 0
a=crypto:1 AEAD_AES_128_GCM inline:KEY128
a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:KEY80
)"),
                 only80);
  EXPECT_EQ(a.legs[0].remote_key.tag, 2);
}

// A classified conference's leg holds its keys strongest first and no 32-bit tag: a room that
// offers AES-GCM beside AES-CM gets AES-GCM, and one that offers only the 32-bit tag is refused.
TEST(SipSdpAnswer, AClassifiedLegTakesTheStrongestSuiteOfferedAndNeverTheShortTag) {
  LocalMedia strongest = Local();
  strongest.audio_keys = {{0, Suite::kAeadAes256Gcm, Bytes(44, 0x41)},
                          {0, Suite::kAeadAes128Gcm, Bytes(28, 0x21)},
                          {0, Suite::kAesCm128HmacSha1_80, Bytes(30, 0x01)}};
  const std::string offer = R"(v=0
o=- 5 5 IN IP4 10.2.0.9
s=-
c=IN IP4 10.2.0.9
t=0 0
m=audio 16384 RTP/SAVP 0
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
a=crypto:2 AEAD_AES_128_GCM inline:KEY128
)";
  EXPECT_EQ(MustAnswer(Sdp(offer)).legs[0].local_key.suite, Suite::kAesCm128HmacSha1_80)
      << "an ordinary leg keeps the suite rooms handle best";
  Answer a = MustAnswer(Sdp(offer), strongest);
  EXPECT_EQ(a.legs[0].remote_key.tag, 2);
  EXPECT_EQ(a.legs[0].local_key.suite, Suite::kAeadAes128Gcm);
  auto short_tag = AnswerText(Sdp(R"(v=0
o=- 5 5 IN IP4 10.2.0.9
s=-
c=IN IP4 10.2.0.9
t=0 0
m=audio 16384 RTP/SAVP 0
a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:KEY80
)"),
                              strongest);
  EXPECT_FALSE(short_tag);
}

TEST(SipSdpAnswer, AcceptsEveryRtpProfileWithCryptoAndKeepsItInTheAnswer) {
  for (const std::string& profile :
       std::vector<std::string>{"RTP/AVP", "RTP/AVPF", "RTP/SAVP", "RTP/SAVPF"}) {
    SCOPED_TRACE(profile);
    Answer a = MustAnswer(Sdp(R"(v=0
o=- 5 5 IN IP4 10.2.0.9
s=-
c=IN IP4 10.2.0.9
t=0 0
m=audio 16384 )" + profile + R"( 9
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
)"));
    ASSERT_EQ(a.legs.size(), 1u);
    EXPECT_EQ(a.legs[0].profile, profile);
    EXPECT_EQ(a.answer.media[0].protocol, profile);
    EXPECT_EQ(CryptoLines(Wire(a).media[0]).size(), 1u);
  }
}

constexpr const char* kDtlsHead = R"(v=0
o=- 5 5 IN IP4 10.2.0.9
s=-
c=IN IP4 10.2.0.9
t=0 0
)";
constexpr const char* kTheirFingerprint =
    "E0:A6:4F:C4:C1:35:69:B8:12:BD:21:02:57:B6:D9:2F:95:E9:03:43:6A:09:5B:79:A5:C3:CE:2C:64:2B:B6:"
    "BF";
constexpr const char* kOurFingerprint =
    "5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:"
    "5A";
std::string DtlsAudio(const std::string& setup, const std::string& fingerprint_line) {
  return "m=audio 16390 UDP/TLS/RTP/SAVPF 111\na=rtpmap:111 opus/48000/2\n" + fingerprint_line +
         (setup.empty() ? "" : "a=setup:" + setup + "\n");
}
std::string Sha256Line() {
  return std::string("a=fingerprint:sha-256 ") + kTheirFingerprint + "\n";
}
LocalMedia WithCertificate() {
  LocalMedia l = Local();
  l.dtls_fingerprint = kOurFingerprint;
  return l;
}

TEST(SipSdpAnswer, DtlsSrtpIsAnsweredWithOurFingerprintAndNoKeysInTheSdp) {
  Answer a = MustAnswer(Sdp(kDtlsHead + DtlsAudio("actpass", Sha256Line())), WithCertificate());
  ASSERT_EQ(a.legs.size(), 1u);
  ASSERT_TRUE(a.legs[0].dtls.has_value());
  EXPECT_EQ(a.legs[0].dtls->remote_fingerprint, kTheirFingerprint);
  EXPECT_TRUE(a.legs[0].dtls->client);  // Their actpass: we start the handshake.
  EXPECT_EQ(a.legs[0].remote_rtp_port, 16390);
  const sdp::Session wire = Wire(a);
  const sdp::Media& m = wire.media[0];
  EXPECT_EQ(m.protocol, "UDP/TLS/RTP/SAVPF");
  ASSERT_TRUE(m.fingerprint.has_value());
  EXPECT_EQ(m.fingerprint->algorithm, "sha-256");
  EXPECT_EQ(m.fingerprint->value, kOurFingerprint);
  EXPECT_EQ(m.setup, sdp::Setup::kActive);
  EXPECT_TRUE(CryptoLines(m).empty());

  // Their setup:active (and the fingerprint at session level): we wait for their hello.
  Answer p = MustAnswer(Sdp(kDtlsHead + Sha256Line() + DtlsAudio("active", "")), WithCertificate());
  ASSERT_TRUE(p.legs[0].dtls.has_value());
  EXPECT_FALSE(p.legs[0].dtls->client);
  EXPECT_EQ(Wire(p).media[0].setup, sdp::Setup::kPassive);
}

TEST(SipSdpAnswer, AnOfferWithIceIsAnsweredAsIceLiteWithAHostCandidatePerComponent) {
  const std::string offer = std::string(kDtlsHead) + R"(a=ice-ufrag:Rm7x
a=ice-pwd:abcdefghijklmnopqrstuvwx
m=audio 16384 RTP/SAVP 111
a=rtpmap:111 opus/48000/2
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
a=candidate:1 1 UDP 2130706431 10.2.0.9 16384 typ host
a=candidate:1 2 UDP 2130706430 10.2.0.9 16385 typ host
)";
  LocalMedia local = Local();
  local.ice_ufrag = "ab12";
  local.ice_pwd = "0123456789abcdef012345";
  Answer a = MustAnswer(Sdp(offer), local);
  ASSERT_TRUE(a.legs[0].ice.has_value());
  EXPECT_EQ(a.legs[0].ice->remote_ufrag, "Rm7x");
  EXPECT_EQ(a.legs[0].ice->remote_pwd, "abcdefghijklmnopqrstuvwx");
  const sdp::Session wire = Wire(a);
  EXPECT_TRUE(wire.ice_lite);
  const sdp::Media& m = wire.media[0];
  EXPECT_EQ(m.ice_ufrag, "ab12");
  EXPECT_EQ(m.ice_pwd, "0123456789abcdef012345");
  // No rtcp-mux offered: RTP on our port, RTCP on the next.
  ASSERT_EQ(m.candidates.size(), 2u);
  EXPECT_EQ(m.candidates[0], "candidate:1 1 UDP 2130706431 10.0.0.1 40000 typ host");
  EXPECT_EQ(m.candidates[1], "candidate:1 2 UDP 2130706430 10.0.0.1 40001 typ host");

  // Without ICE in the offer, none in the answer.
  Answer plain = MustAnswer(Sdp(std::string(kDtlsHead) + R"(m=audio 16384 RTP/SAVP 111
a=rtpmap:111 opus/48000/2
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
)"),
                            local);
  EXPECT_FALSE(plain.legs[0].ice.has_value());
  EXPECT_FALSE(Wire(plain).ice_lite);
  EXPECT_TRUE(Wire(plain).media[0].candidates.empty());
}

TEST(SipSdpAnswer, DtlsSrtpWithoutAUsableFingerprintOrCertificateIsDeclined) {
  auto refused = [](const std::string& offer, const LocalMedia& local, const char* why) {
    auto a = AnswerText(Sdp(kDtlsHead + offer), local);
    ASSERT_FALSE(a.ok()) << why;
    EXPECT_NE(a.error().find(why), std::string::npos) << a.error();
  };
  refused(DtlsAudio("actpass", ""), WithCertificate(), "without a=fingerprint");
  refused(DtlsAudio(
              "actpass",
              "a=fingerprint:sha-1 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01\n"),
          WithCertificate(), "only sha-256");
  refused(DtlsAudio("actpass", Sha256Line()), Local(), "DTLS-SRTP is not available");

  // Beside an SDES twin, the secure twin we can take is the leg; the other is declined.
  Answer a = MustAnswer(Sdp(kDtlsHead + DtlsAudio("actpass", "") + R"(m=audio 16384 RTP/SAVP 111
a=rtpmap:111 opus/48000/2
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
)"),
                        WithCertificate());
  ASSERT_EQ(a.answer.media.size(), 2u);
  EXPECT_EQ(a.answer.media[0].port, 0);
  EXPECT_EQ(a.answer.media[0].protocol, "UDP/TLS/RTP/SAVPF");
  ASSERT_EQ(a.legs.size(), 1u);
  EXPECT_EQ(a.legs[0].mline, 1u);
  EXPECT_FALSE(a.legs[0].dtls.has_value());
}

// ----- Transport -----------------------------------------------------------------------------

TEST(SipSdpAnswer, RtcpMuxOnlyWhenOfferedElseRtcpOnItsOwnPort) {
  const std::string head = R"(v=0
o=- 5 5 IN IP4 10.2.0.9
s=-
c=IN IP4 10.2.0.9
t=0 0
m=audio 16384 RTP/SAVP 0
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
)";
  Answer mux = MustAnswer(Sdp(head + "a=rtcp-mux\n"));
  ASSERT_EQ(mux.legs.size(), 1u);
  EXPECT_TRUE(mux.legs[0].rtcp_mux);
  EXPECT_EQ(mux.legs[0].remote_rtcp_port, 16384);
  std::string text = sdp::Write(mux.answer);
  EXPECT_EQ(Count(text, "a=rtcp-mux\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=rtcp:"), 0u);

  Answer plain = MustAnswer(Sdp(head));
  EXPECT_FALSE(plain.legs[0].rtcp_mux);
  EXPECT_EQ(plain.legs[0].remote_rtcp_port, 16385);
  text = sdp::Write(plain.answer);
  EXPECT_EQ(Count(text, "a=rtcp-mux"), 0u);
  EXPECT_EQ(Count(text, "a=rtcp:40001\r\n"), 1u);

  // RFC 3605: RTCP elsewhere.
  Answer elsewhere = MustAnswer(Sdp(head + "a=rtcp:17000 IN IP4 10.2.0.10\n"));
  EXPECT_EQ(elsewhere.legs[0].remote_rtcp_port, 17000);
  EXPECT_EQ(elsewhere.legs[0].remote_rtcp_address, "10.2.0.10");
  EXPECT_EQ(elsewhere.legs[0].remote_address, "10.2.0.9");
}

TEST(SipSdpAnswer, MediaLevelConnectionAddressWinsOverTheSessionOne) {
  Answer a = MustAnswer(Sdp(R"(v=0
o=- 5 5 IN IP4 10.2.0.9
s=-
c=IN IP4 10.2.0.9
t=0 0
m=audio 16384 RTP/SAVP 0
c=IN IP4 10.2.0.20
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
)"));
  EXPECT_EQ(a.legs[0].remote_address, "10.2.0.20");
  EXPECT_EQ(a.legs[0].remote_rtcp_address, "10.2.0.20");
}

TEST(SipSdpAnswer, IgnoresIceAttributesNoIceTowardsSipLegsYet) {
  Answer a = MustAnswer(Sdp(R"(v=0
o=- 5 5 IN IP4 10.2.0.9
s=-
c=IN IP4 10.2.0.9
t=0 0
a=ice-lite
m=audio 16384 RTP/SAVP 0
a=ice-ufrag:abcd
a=ice-pwd:0123456789012345678901
a=candidate:1 1 UDP 2130706431 172.16.0.4 20000 typ host
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
)"));
  EXPECT_EQ(a.legs[0].remote_address, "10.2.0.9");
  EXPECT_EQ(a.legs[0].remote_rtp_port, 16384);
  const std::string text = sdp::Write(a.answer);
  EXPECT_EQ(Count(text, "a=ice"), 0u);
  EXPECT_EQ(Count(text, "a=candidate"), 0u);
  EXPECT_EQ(Count(text, "a=fingerprint"), 0u);
}

TEST(SipSdpAnswer, MirrorsTheDirectionOfAHold) {
  Answer a = MustAnswer(Sdp(R"(v=0
o=- 5 6 IN IP4 10.2.0.9
s=-
c=IN IP4 10.2.0.9
t=0 0
m=audio 16384 RTP/SAVP 0
a=sendonly
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
)"));
  EXPECT_EQ(a.legs[0].direction, Direction::kRecvOnly);
  EXPECT_EQ(Wire(a).media[0].direction, Direction::kRecvOnly);
}

// ----- Codecs --------------------------------------------------------------------------------

// Poly Group (pion/sdp#150): session b=AS, vendor codecs first, rtcp-fb:* before the rtpmaps,
// H.264 high and baseline in both packetization modes, fmtp with spaces, RTCP on a=rtcp.
const std::string kPolyOffer = Sdp(R"(v=0
o=- 1674740882 1674740882 IN IP4 192.168.1.76
s=MRD=MRE MRC-V=1.0.1
c=IN IP4 192.168.1.76
b=AS:1024
t=0 0
a=sendrecv
a=vnd.polycom.MBA.p2p:v=1.0.1
m=audio 3230 RTP/SAVP 118 115 9 102 0 8 18 119
a=rtcp:3231 IN IP4 192.168.1.76
a=sendrecv
a=rtpmap:118 SIRENLPR/48000/1
a=fmtp:118 bitrate=64000
a=rtpmap:115 G7221/32000
a=fmtp:115 bitrate=48000
a=rtpmap:9 G722/8000
a=fmtp:9 bitrate=64000
a=rtpmap:102 G7221/16000
a=fmtp:102 bitrate=32000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:18 G729/8000
a=fmtp:18 annexb=no
a=rtpmap:119 telephone-event/8000
a=fmtp:119 0-15
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80|2^48
a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:KEY32|2^48
m=video 3232 RTP/SAVP 111 109 110 96 34
a=rtcp:3233 IN IP4 192.168.1.76
a=sendrecv
a=rtcp-fb:* nack pli
a=rtcp-fb:* ccm fir
a=rtcp-fb:* ccm tmmbr
a=vnd.polycom.forceVideoMode:9
a=rtpmap:111 H264/90000
a=fmtp:111 profile-level-id=64001f; packetization-mode=1; max-br=20010; sar=13
a=rtpmap:109 H264/90000
a=fmtp:109 profile-level-id=42801f; max-br=20010; sar=13
a=rtpmap:110 H264/90000
a=fmtp:110 profile-level-id=42801f; packetization-mode=1; max-br=20010; sar=13
a=rtpmap:96 H263-1998/90000
a=fmtp:96 CIF4=2;CIF=1;QCIF=1;SQCIF=1
a=rtpmap:34 H263/90000
a=fmtp:34 CIF4=2;CIF=1;QCIF=1;SQCIF=1
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80V|2^48
)");

TEST(SipSdpAnswer, PolyGroupGetsG722AndBaselineH264WithItsFeedbackAndBandwidth) {
  Answer a = MustAnswer(kPolyOffer);
  ASSERT_EQ(a.legs.size(), 2u);
  const Leg& audio = a.legs[0];
  EXPECT_EQ(audio.codec.name, "G722");  // Ours first among those offered: no Opus here.
  EXPECT_EQ(audio.codec.payload_type, 9);
  EXPECT_EQ(audio.telephone_event_pt, 119);
  EXPECT_EQ(audio.remote_rtcp_port, 3231);
  EXPECT_EQ(audio.max_kbps, 1024u);  // Session-level b=AS.

  const Leg& video = a.legs[1];
  // Baseline (42801f) before high (64001f) in the same packetization mode.
  EXPECT_EQ(video.codec.payload_type, 110);
  EXPECT_EQ(video.h264.profile_level_id, "42801f");
  EXPECT_EQ(video.h264.packetization_mode, 1);
  EXPECT_EQ(video.h264.max_br, 20010u);
  EXPECT_EQ(video.h264.limit_fs, 3600u);  // Level 3.1.
  EXPECT_EQ(video.h264.limit_kbps, 20010u);
  EXPECT_TRUE(video.feedback.pli);
  EXPECT_TRUE(video.feedback.fir);
  EXPECT_TRUE(video.feedback.tmmbr);
  EXPECT_FALSE(video.feedback.nack);
  EXPECT_EQ(video.remote_rtcp_port, 3233);

  const std::string text = sdp::Write(a.answer);
  EXPECT_EQ(Count(text, "m=audio 40000 RTP/SAVP 9 119\r\n"), 1u);
  EXPECT_EQ(Count(text, "m=video 40002 RTP/SAVP 110\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=fmtp:110 profile-level-id=42e01f;packetization-mode=1;"), 1u);
  EXPECT_EQ(Count(text, "a=rtcp-fb:110 nack pli\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=rtcp-fb:110 ccm fir\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=rtcp-fb:110 ccm tmmbr\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=rtcp-fb:110 nack\r\n"), 0u);
}

TEST(SipSdpAnswer, HighProfileIsAcceptedWhenItIsTheOnlyH264) {
  Answer a = MustAnswer(Sdp(R"(v=0
o=- 1 1 IN IP4 192.168.1.76
s=-
c=IN IP4 192.168.1.76
t=0 0
m=audio 3230 RTP/SAVP 0
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
m=video 3232 RTP/SAVP 111 96
a=rtpmap:111 H264/90000
a=fmtp:111 profile-level-id=64001f; packetization-mode=1; max-br=20010
a=rtpmap:96 VP8/90000
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80V
)"));
  ASSERT_EQ(a.legs.size(), 2u);
  EXPECT_EQ(a.legs[1].codec.payload_type, 111);
  EXPECT_EQ(a.legs[1].h264.limit_kbps, 25012u);  // max-br in 1250 bit/s units for high.
  EXPECT_EQ(Count(sdp::Write(a.answer), "a=fmtp:111 profile-level-id=42e01f;"), 1u);
}

TEST(SipSdpAnswer, AudioCodecByOurPreferenceKeepingTheOfferedPayloadType) {
  const std::string head = R"(v=0
o=- 1 1 IN IP4 10.3.0.2
s=-
c=IN IP4 10.3.0.2
t=0 0
)";
  // Static payload types without rtpmap (older gear).
  Answer a = MustAnswer(Sdp(head + R"(m=audio 5004 RTP/SAVP 8 0 101
a=rtpmap:101 telephone-event/8000
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
)"));
  EXPECT_EQ(a.legs[0].codec.name, "PCMU");
  EXPECT_EQ(a.legs[0].codec.payload_type, 0);
  EXPECT_EQ(a.legs[0].telephone_event_pt, 101);
  EXPECT_EQ(Count(sdp::Write(a.answer), "m=audio 40000 RTP/SAVP 0 101\r\n"), 1u);

  // Opus at another payload type, telephone-event at its clock rate preferred.
  a = MustAnswer(Sdp(head + R"(m=audio 5004 RTP/SAVP 9 107 100 101
a=rtpmap:107 OPUS/48000/2
a=rtpmap:100 telephone-event/8000
a=rtpmap:101 telephone-event/48000
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
)"));
  EXPECT_EQ(a.legs[0].codec.payload_type, 107);
  EXPECT_EQ(a.legs[0].telephone_event_pt, 101);
  const std::string text = sdp::Write(a.answer);
  EXPECT_EQ(Count(text, "m=audio 40000 RTP/SAVP 107 101\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=rtpmap:101 telephone-event/48000\r\n"), 1u);

  // No telephone-event offered: none answered.
  a = MustAnswer(Sdp(head + R"(m=audio 5004 RTP/SAVP 8
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
)"));
  EXPECT_EQ(a.legs[0].codec.name, "PCMA");
  EXPECT_EQ(a.legs[0].telephone_event_pt, -1);

  // Nothing we speak (G.729 only): 488, and the error says so.
  auto none = AnswerText(Sdp(head + R"(m=audio 5004 RTP/SAVP 18
a=rtpmap:18 G729/8000
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
)"));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().find("no audio codec in common"), std::string::npos) << none.error();
}

// Cisco SX10 shape (rtpengine#466): RTP/AVP with a=rtcp-fb and best-effort a=crypto, H.264
// level 3.2 with max-mbps and max-fs raised to 1080p.
TEST(SipSdpAnswer, CiscoAvpWithCryptoAndRtcpFbIsAcceptedAsSrtpWithFeedback) {
  Answer a = MustAnswer(Sdp(R"(v=0
o=tandberg 0 1 IN IP4 10.47.1.20
s=-
c=IN IP4 10.47.1.20
b=AS:6000
t=0 0
m=audio 2326 RTP/AVP 108 9 8 0 101
b=TIAS:64000
a=rtpmap:108 MP4A-LATM/90000
a=fmtp:108 profile-level-id=24;object=23;bitrate=64000
a=rtpmap:9 G722/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80|2^48
a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:KEY32|2^48
a=sendrecv
m=video 2328 RTP/AVP 97 126 34
b=TIAS:6000000
a=rtpmap:97 H264/90000
a=fmtp:97 profile-level-id=428020;max-mbps=245000;max-fs=8160;packetization-mode=1
a=rtpmap:126 H264/90000
a=fmtp:126 profile-level-id=428020;max-mbps=245000;max-fs=8160
a=rtpmap:34 H263/90000
a=rtcp-fb:* nack pli
a=rtcp-fb:* ccm fir
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80V|2^48
a=sendrecv
a=content:main
a=label:11
)"));
  ASSERT_EQ(a.legs.size(), 2u);
  EXPECT_EQ(a.legs[0].profile, "RTP/AVP");
  EXPECT_EQ(a.legs[0].codec.name, "G722");
  EXPECT_EQ(a.legs[0].max_kbps, 64u);  // TIAS wins over the session's AS.
  const Leg& video = a.legs[1];
  EXPECT_EQ(video.profile, "RTP/AVP");
  EXPECT_EQ(video.codec.payload_type, 97);
  EXPECT_EQ(video.h264.max_mbps, 245000u);
  EXPECT_EQ(video.h264.max_fs, 8160u);
  EXPECT_EQ(video.h264.limit_fs, 8160u);
  EXPECT_EQ(video.h264.limit_mbps, 245000u);
  EXPECT_EQ(video.h264.limit_kbps, 20000u);  // Level 3.2's MaxBR.
  EXPECT_TRUE(video.feedback.pli);
  EXPECT_TRUE(video.feedback.fir);
  EXPECT_EQ(video.max_kbps, 6000u);
  EXPECT_EQ(video.content, "main");
  const std::string text = sdp::Write(a.answer);
  EXPECT_EQ(Count(text, "m=audio 40000 RTP/AVP 9 101\r\n"), 1u);
  EXPECT_EQ(Count(text, "m=video 40002 RTP/AVP 97\r\n"), 1u);
  // Level 3.2 offered: we answer our 3.1, with max-fs/max-mbps for 1080p.
  EXPECT_EQ(Count(text,
                  "a=fmtp:97 profile-level-id=42e01f;packetization-mode=1;max-fs=8160;"
                  "max-mbps=245760;max-br=14000\r\n"),
            1u);
  EXPECT_EQ(Count(text, "a=rtcp-fb:97 nack pli\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=content:main\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"), 2u);
}

TEST(SipSdpAnswer, H264PacketizationModeZeroWhenItIsAllThereIsAtTheirLowerLevel) {
  Answer a = MustAnswer(Sdp(R"(v=0
o=- 1 1 IN IP4 10.3.0.2
s=-
c=IN IP4 10.3.0.2
t=0 0
m=audio 5004 RTP/SAVP 0
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
m=video 5006 RTP/SAVP 98 96
a=rtpmap:98 H264/90000
a=fmtp:98 PROFILE-LEVEL-ID=42E00D
a=rtpmap:96 VP8/90000
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80V
)"));
  ASSERT_EQ(a.legs.size(), 2u);
  EXPECT_EQ(a.legs[1].codec.payload_type, 98);
  EXPECT_EQ(a.legs[1].h264.packetization_mode, 0);
  EXPECT_EQ(a.legs[1].h264.profile_level_id, "42e00d");
  EXPECT_EQ(a.legs[1].h264.limit_fs, 396u);  // Level 1.3 (CIF).
  EXPECT_EQ(Count(sdp::Write(a.answer),
                  "a=fmtp:98 profile-level-id=42e00d;packetization-mode=0;max-fs=8160;"
                  "max-mbps=245760;max-br=2048\r\n"),
            1u);
}

TEST(SipSdpAnswer, Vp8OnlyWithoutH264AndUnknownH264ProfilesAreNotTaken) {
  const std::string head = R"(v=0
o=- 1 1 IN IP4 10.3.0.2
s=-
c=IN IP4 10.3.0.2
t=0 0
m=audio 5004 RTP/SAVP 0
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
)";
  Answer a = MustAnswer(Sdp(head + R"(m=video 5006 RTP/SAVP 96 97
a=rtpmap:96 VP8/90000
a=rtpmap:97 H264/90000
a=fmtp:97 profile-level-id=42e01f;packetization-mode=1
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80V
)"));
  EXPECT_EQ(a.legs[1].codec.name, "H264");

  // High 4:4:4 (f4) and packetization-mode 2 are not for us; VP8 is.
  a = MustAnswer(Sdp(head + R"(m=video 5006 RTP/SAVP 97 98 96
a=rtpmap:97 H264/90000
a=fmtp:97 profile-level-id=f4001f;packetization-mode=1
a=rtpmap:98 H264/90000
a=fmtp:98 profile-level-id=42e01f;packetization-mode=2
a=rtpmap:96 VP8/90000
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80V
)"));
  ASSERT_EQ(a.legs.size(), 2u);
  EXPECT_EQ(a.legs[1].codec.name, "VP8");
  EXPECT_EQ(a.legs[1].codec.payload_type, 96);
  EXPECT_EQ(Count(sdp::Write(a.answer), "m=video 40002 RTP/SAVP 96\r\n"), 1u);

  // No video codec in common: video declined, audio kept.
  a = MustAnswer(Sdp(head + R"(m=video 5006 RTP/SAVP 34
a=rtpmap:34 H263/90000
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80V
)"));
  ASSERT_EQ(a.legs.size(), 1u);
  EXPECT_EQ(a.answer.media[1].port, 0);
}

TEST(SipSdpH264, ParsesFmtpTolerantly) {
  auto p = ParseH264(" Profile-Level-Id = 42E01F ; PACKETIZATION-MODE=1;max-fs=3600;junk;sar=13");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->profile_level_id, "42e01f");
  EXPECT_EQ(p->packetization_mode, 1);
  EXPECT_EQ(p->max_fs, 3600u);
  EXPECT_EQ(p->max_mbps, 0u);
  EXPECT_EQ(p->max_br, 0u);
  EXPECT_EQ(p->limit_fs, 3600u);
  EXPECT_EQ(p->limit_mbps, 108000u);
  EXPECT_EQ(p->limit_kbps, 14000u);

  // Nothing at all: baseline level 1 (RFC 6184), packetization-mode 0.
  p = ParseH264("");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->profile_level_id, "42000a");
  EXPECT_EQ(p->packetization_mode, 0);
  EXPECT_EQ(p->limit_fs, 99u);

  // Level 1b of the baseline profile: level_idc 11 with constraint_set3.
  p = ParseH264("profile-level-id=42f00b");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->limit_kbps, 128u);
  p = ParseH264("profile-level-id=42e00b");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->limit_kbps, 192u);  // Level 1.1.

  EXPECT_FALSE(ParseH264("profile-level-id=42e0"));
  EXPECT_FALSE(ParseH264("profile-level-id=zze01f"));
  EXPECT_FALSE(ParseH264("profile-level-id=42e0ff"));  // No such level.
}

// ----- Sections ------------------------------------------------------------------------------

TEST(SipSdpAnswer, MainVideoByContentSlidesAndBfcpDeclinedCallKept) {
  Answer a = MustAnswer(Sdp(R"(v=0
o=- 1 1 IN IP4 10.4.0.2
s=-
c=IN IP4 10.4.0.2
t=0 0
m=audio 2326 RTP/SAVP 9
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
m=video 2330 RTP/SAVP 97
a=rtpmap:97 H264/90000
a=fmtp:97 profile-level-id=428016;packetization-mode=1
a=content:slides
a=label:12
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80V
m=video 2328 RTP/SAVP 97
a=rtpmap:97 H264/90000
a=fmtp:97 profile-level-id=428020;packetization-mode=1
a=content:main
a=label:11
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80V
m=application 5070 TCP/BFCP *
a=floorctrl:c-s
a=confid:1
a=userid:2
a=floorid:2 mstrm:12
a=setup:actpass
a=connection:new
)"));
  ASSERT_EQ(a.legs.size(), 2u);
  EXPECT_EQ(a.legs[1].mline, 2u);
  EXPECT_EQ(a.legs[1].remote_rtp_port, 2328);
  EXPECT_EQ(a.legs[1].content, "main");
  ASSERT_EQ(a.answer.media.size(), 4u);
  EXPECT_EQ(a.answer.media[1].port, 0);
  EXPECT_EQ(a.answer.media[2].port, 40002);
  const std::string text = sdp::Write(a.answer);
  EXPECT_EQ(Count(text, "m=video 0 RTP/SAVP 97\r\n"), 1u);
  EXPECT_EQ(Count(text, "m=application 0 TCP/BFCP *\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=content:main\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=content:slides"), 0u);
  EXPECT_EQ(Count(text, "a=floorctrl"), 0u);
}

TEST(SipSdpAnswer, WithoutContentTheFirstVideoIsMainAndASecondOneDeclined) {
  Answer a = MustAnswer(Sdp(R"(v=0
o=- 1 1 IN IP4 10.4.0.2
s=-
c=IN IP4 10.4.0.2
t=0 0
m=audio 2326 RTP/SAVP 9
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
m=video 2328 RTP/SAVP 97
a=rtpmap:97 H264/90000
a=fmtp:97 profile-level-id=42e01f;packetization-mode=1
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80V
m=video 2330 RTP/SAVP 97
a=rtpmap:97 H264/90000
a=fmtp:97 profile-level-id=42e01f;packetization-mode=1
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80V
)"));
  ASSERT_EQ(a.legs.size(), 2u);
  EXPECT_EQ(a.legs[1].mline, 1u);
  EXPECT_EQ(a.answer.media[1].port, 40002);
  EXPECT_EQ(a.answer.media[2].port, 0);
}

TEST(SipSdpAnswer, VideoWrittenBeforeAudioKeepsTheOrderButListsTheAudioLegFirst) {
  Answer a = MustAnswer(Sdp(R"(v=0
o=- 1 1 IN IP4 10.4.0.2
s=-
c=IN IP4 10.4.0.2
t=0 0
m=video 2328 RTP/SAVP 97
a=rtpmap:97 H264/90000
a=fmtp:97 profile-level-id=42e01f;packetization-mode=1
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80V
m=audio 2326 RTP/SAVP 9
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
)"));
  ASSERT_EQ(a.legs.size(), 2u);
  EXPECT_EQ(a.legs[0].kind, Kind::kAudio);
  EXPECT_EQ(a.legs[0].mline, 1u);
  EXPECT_EQ(a.legs[1].mline, 0u);
  EXPECT_EQ(a.answer.media[0].kind, Kind::kVideo);
  EXPECT_EQ(a.answer.media[0].port, 40002);
  EXPECT_EQ(a.answer.media[1].port, 40000);
}

TEST(SipSdpAnswer, NoLocalVideoPortDeclinesVideoAndKeepsAudio) {
  LocalMedia audio_only = Local();
  audio_only.video_port = 0;
  Answer a = MustAnswer(kBaresipOffer, audio_only);
  ASSERT_EQ(a.legs.size(), 1u);
  EXPECT_EQ(a.legs[0].kind, Kind::kAudio);
  ASSERT_EQ(a.answer.media.size(), 2u);
  EXPECT_EQ(a.answer.media[1].port, 0);
  EXPECT_EQ(Count(sdp::Write(a.answer), "m=video 0 RTP/SAVP 100 102\r\n"), 1u);
}

TEST(SipSdpAnswer, OfferWithoutAudioFails) {
  auto a = AnswerText(Sdp(R"(v=0
o=- 1 1 IN IP4 10.4.0.2
s=-
c=IN IP4 10.4.0.2
t=0 0
m=video 2328 RTP/SAVP 97
a=rtpmap:97 H264/90000
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80V
)"));
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().find("no audio m-line"), std::string::npos) << a.error();
}

// ----- Our offer and the answer to it (delayed offer, dial-out) -----------------------------

TEST(SipSdpOffer, OffersSavpWithOneKeyPerSuiteRtcpFallbackAndH264Limits) {
  sdp::Session offer = BuildOffer(Local(), 99);
  const std::string text = sdp::Write(offer);
  EXPECT_EQ(Count(text, "o=- 99 1 IN IP4 10.0.0.1\r\n"), 1u);
  EXPECT_EQ(Count(text, "c=IN IP4 10.0.0.1\r\n"), 1u);
  EXPECT_EQ(Count(text, "m=audio 40000 RTP/SAVP 111 9 0 8 101\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=rtcp:40001\r\n"), 1u);
  EXPECT_EQ(Count(text, "m=video 40002 RTP/SAVP 109 110 96\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=rtcp:40003\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=rtcp-mux\r\n"), 2u);
  EXPECT_EQ(Count(text, "a=ptime:20\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=rtpmap:111 opus/48000/2\r\n"), 1u);
  EXPECT_EQ(Count(text, "a=rtpmap:101 telephone-event/8000\r\n"), 1u);
  EXPECT_EQ(Count(text,
                  "a=fmtp:109 profile-level-id=42e01f;packetization-mode=1;max-fs=8160;"
                  "max-mbps=245760;max-br=14000\r\n"),
            1u);
  EXPECT_EQ(Count(text, "a=fmtp:110 profile-level-id=42e01f;packetization-mode=0;"), 1u);
  EXPECT_EQ(Count(text, "a=rtcp-fb:* nack\r\na=rtcp-fb:* nack pli\r\na=rtcp-fb:* ccm fir\r\n"), 1u);
  EXPECT_EQ(Count(text, "b=AS:2048\r\n"), 1u);

  sdp::Session wire = MustParse(text);
  ASSERT_EQ(wire.media.size(), 2u);
  auto lines = CryptoLines(wire.media[0]);
  ASSERT_EQ(lines.size(), 4u);
  const Suite order[] = {Suite::kAesCm128HmacSha1_80, Suite::kAeadAes128Gcm, Suite::kAeadAes256Gcm,
                         Suite::kAesCm128HmacSha1_32};
  for (size_t i = 0; i < lines.size(); ++i) {
    auto c = sdes::ParseCrypto(lines[i]);
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->tag, static_cast<int>(i + 1));
    EXPECT_EQ(c->suite, order[i]);
    EXPECT_EQ(c->key_salt, Local().audio_keys[i].key_salt);
  }
  EXPECT_EQ(CryptoLines(wire.media[1]).size(), 4u);
  // The video codecs carry the "*" feedback once parsed.
  EXPECT_EQ(wire.media[1].codecs[0].feedback,
            (std::vector<std::string>{"nack", "nack pli", "ccm fir"}));

  LocalMedia audio_only = Local();
  audio_only.video_port = 0;
  EXPECT_EQ(BuildOffer(audio_only, 1).media.size(), 1u);
}

// What baresip 1.0.0 answers to that offer: one codec per medium plus telephone-event, the
// SHA1_80 line (our tag 1) with its own key, no rtcp-mux.
const std::string kBaresipAnswer = Sdp(R"(v=0
o=- 3141592653 1 IN IP4 192.168.1.20
s=-
c=IN IP4 192.168.1.20
t=0 0
m=audio 10008 RTP/SAVP 9 101
b=AS:64
a=rtpmap:9 G722/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
a=label:1
a=rtcp-rsize
a=ssrc:3187438476 cname:sip:room@192.168.1.20
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80
a=ptime:20
m=video 10010 RTP/SAVP 109
b=AS:2000
a=rtpmap:109 H264/90000
a=fmtp:109 packetization-mode=1;profile-level-id=42e01f
a=rtcp-fb:* nack pli
a=sendrecv
a=label:2
a=rtcp-rsize
a=ssrc:918273645 cname:sip:room@192.168.1.20
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY80V
)");

TEST(SipSdpAcceptAnswer, DelayedOfferRoundTripGivesTheLegs) {
  const LocalMedia local = Local();
  sdp::Session offer = MustParse(sdp::Write(BuildOffer(local, 5)));
  auto legs = AcceptAnswer(offer, MustParse(kBaresipAnswer), local);
  ASSERT_TRUE(legs) << legs.error();
  ASSERT_EQ(legs->size(), 2u);
  const Leg& audio = (*legs)[0];
  EXPECT_EQ(audio.kind, Kind::kAudio);
  EXPECT_EQ(audio.remote_address, "192.168.1.20");
  EXPECT_EQ(audio.remote_rtp_port, 10008);
  EXPECT_EQ(audio.remote_rtcp_port, 10009);
  EXPECT_FALSE(audio.rtcp_mux);
  EXPECT_EQ(audio.codec.name, "G722");
  EXPECT_EQ(audio.codec.payload_type, 9);
  EXPECT_EQ(audio.telephone_event_pt, 101);
  EXPECT_EQ(audio.remote_key.key_salt, Bytes(30, 0x40));
  EXPECT_EQ(audio.local_key.tag, 1);
  EXPECT_EQ(audio.local_key.suite, Suite::kAesCm128HmacSha1_80);
  EXPECT_EQ(audio.local_key.key_salt, Bytes(30, 0x01));
  const Leg& video = (*legs)[1];
  EXPECT_EQ(video.codec.payload_type, 109);
  EXPECT_EQ(video.h264.packetization_mode, 1);
  EXPECT_TRUE(video.feedback.pli);
  EXPECT_FALSE(video.feedback.fir);
  EXPECT_EQ(video.max_kbps, 2000u);
  EXPECT_EQ(video.remote_key.key_salt, Bytes(30, 0xc0));
  EXPECT_EQ(video.local_key.key_salt, Bytes(30, 0x91));

  // The same answer agreeing to rtcp-mux.
  std::string muxed = kBaresipAnswer;
  muxed.replace(muxed.find("a=rtcp-rsize"), 12, "a=rtcp-mux");
  legs = AcceptAnswer(offer, MustParse(muxed), local);
  ASSERT_TRUE(legs) << legs.error();
  EXPECT_TRUE((*legs)[0].rtcp_mux);
  EXPECT_EQ((*legs)[0].remote_rtcp_port, 10008);
}

TEST(SipSdpAcceptAnswer, RefusesUnofferedCodecsMissingCryptoAndForeignTags) {
  const LocalMedia local = Local();
  const sdp::Session offer = BuildOffer(local, 5);
  auto refused = [&](const std::string& answer, const std::string& why) {
    auto legs = AcceptAnswer(offer, MustParse(answer), local);
    ASSERT_FALSE(legs.ok()) << "accepted: " << why;
    EXPECT_NE(legs.error().find(why), std::string::npos) << legs.error();
  };
  auto edit = [](std::string text, const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  refused(edit(kBaresipAnswer, "m=audio 10008 RTP/SAVP 9 101", "m=audio 10008 RTP/SAVP 18 101"),
          "payload type 18 was not offered");
  refused(edit(kBaresipAnswer, "a=rtpmap:9 G722/8000", "a=rtpmap:9 G729/8000"), "offered as G722");
  refused(edit(kBaresipAnswer,
               "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + std::string(kRemote80), "a=label:x"),
          "no a=crypto line");
  refused(
      edit(kBaresipAnswer, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + std::string(kRemote80),
           "a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:" + std::string(kRemote80)),
      "crypto tag 7 was not offered");
  refused(
      edit(kBaresipAnswer, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + std::string(kRemote80),
           "a=crypto:1 AEAD_AES_128_GCM inline:" + std::string(kRemote128)),
      "offered as AES_CM_128_HMAC_SHA1_80");
  refused(edit(kBaresipAnswer, "m=audio 10008 RTP/SAVP", "m=audio 0 RTP/SAVP"), "audio declined");
  refused(
      edit(kBaresipAnswer, "a=fmtp:109 packetization-mode=1", "a=fmtp:109 packetization-mode=0"),
      "packetization-mode");

  // Keys changed between the offer and its answer (a re-INVITE must keep them): never used.
  LocalMedia rekeyed = local;
  rekeyed.audio_keys[0].key_salt = Bytes(30, 0x55);
  auto legs = AcceptAnswer(offer, MustParse(kBaresipAnswer), rekeyed);
  ASSERT_FALSE(legs.ok());
  EXPECT_EQ(legs.error_kind(), ErrorKind::kInternal);
}

TEST(SipSdpAcceptAnswer, DeclinedVideoLeavesAnAudioLeg) {
  const LocalMedia local = Local();
  std::string answer = kBaresipAnswer;
  answer.replace(answer.find("m=video 10010"), 13, "m=video 0");
  auto legs = AcceptAnswer(BuildOffer(local, 5), MustParse(answer), local);
  ASSERT_TRUE(legs) << legs.error();
  ASSERT_EQ(legs->size(), 1u);
  EXPECT_EQ((*legs)[0].kind, Kind::kAudio);
}

}  // namespace
}  // namespace mcu::media::sip_sdp
