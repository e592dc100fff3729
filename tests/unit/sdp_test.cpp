// Specs of media/sdp.h: parsing, writing, the MCU's offer, and both sides of negotiation.
#include "media/sdp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>

#include "test_util.h"

namespace mcu::media::sdp {
namespace {

using test::InsertAfter;
using test::ReadFixture;
using test::ReplaceLine;
using test::WithoutLines;

constexpr const char* kOurFingerprint =
    "E0:A6:4F:C4:C1:35:69:B8:12:BD:21:02:57:B6:D9:2F:95:E9:03:43:6A:09:5B:79:A5:C3:CE:2C:64:2B:B6:"
    "BF";

LocalTransport Local() {
  LocalTransport t;
  t.ice_ufrag = "mcuU";
  t.ice_pwd = "mcuPasswordOf24Chars0123";
  t.fingerprint = {"sha-256", kOurFingerprint};
  t.candidates = {"candidate:1 1 udp 2130706431 10.0.0.1 50000 typ host",
                  "candidate:2 1 udp 2130706175 10.0.0.2 50000 typ host"};
  return t;
}

OfferOptions Options() {
  OfferOptions o;
  o.audio_ssrc = 11111111;
  o.video_ssrc = 22222222;
  return o;
}

Session Offer() { return BuildOffer(Local(), DefaultCodecs(), Options(), 4242); }

Session MustParse(const std::string& text) {
  auto s = Parse(text);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error());
  return s.ok() ? *s : Session{};
}

const Media* FindMedia(const Session& s, Kind kind) {
  for (const auto& m : s.media)
    if (m.kind == kind) return &m;
  return nullptr;
}

// "profile-level-id=42e01f" -> "42e0" (profile_idc and profile-iop: what must match).
std::string H264Profile(const std::string& fmtp) {
  auto pos = fmtp.find("profile-level-id=");
  if (pos == std::string::npos) return "";
  return fmtp.substr(pos + 17, 4);
}

// ----- Parse ---------------------------------------------------------------------------------

TEST(SdpParse, ReadsChromeStyleAnswer) {
  Session s = MustParse(ReadFixture("handwritten-chrome-style-answer.sdp"));
  EXPECT_EQ(s.session_id, 5408201283523834766ULL);
  EXPECT_EQ(s.session_version, 2u);
  EXPECT_EQ(s.bundle_mids, (std::vector<std::string>{"0", "1"}));
  ASSERT_EQ(s.media.size(), 2u);

  const Media& a = s.media[0];
  EXPECT_EQ(a.kind, Kind::kAudio);
  EXPECT_EQ(a.mid, "0");
  EXPECT_EQ(a.port, 9);
  EXPECT_EQ(a.protocol, "UDP/TLS/RTP/SAVPF");
  EXPECT_TRUE(a.rtcp_mux);
  EXPECT_EQ(a.direction, Direction::kSendRecv);
  EXPECT_EQ(a.setup, Setup::kActive);
  EXPECT_EQ(a.ice_ufrag, "Lx9e");
  EXPECT_EQ(a.ice_pwd, "XOLWAsmND8hrsOuKvWTMCMdF");
  ASSERT_TRUE(a.fingerprint.has_value());
  EXPECT_EQ(a.fingerprint->algorithm, "sha-256");
  EXPECT_EQ(a.fingerprint->value.substr(0, 8), "95:E9:03");
  ASSERT_EQ(a.codecs.size(), 1u);
  EXPECT_EQ(a.codecs[0].payload_type, 111);
  EXPECT_EQ(a.codecs[0].name, "opus");
  EXPECT_EQ(a.codecs[0].clock_rate, 48000);
  EXPECT_EQ(a.codecs[0].channels, 2);
  EXPECT_EQ(a.codecs[0].fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(a.ssrcs, (std::vector<uint32_t>{2739172645u}));
  EXPECT_EQ(a.cname, "Xk4nK5GzV2l0PqB7");
  ASSERT_EQ(a.candidates.size(), 2u);
  EXPECT_EQ(a.candidates[1].rfind("candidate:1467250027 1 udp", 0), 0u);

  const Media& v = s.media[1];
  EXPECT_EQ(v.kind, Kind::kVideo);
  EXPECT_EQ(v.mid, "1");
  ASSERT_EQ(v.codecs.size(), 2u);
  EXPECT_EQ(v.codecs[0].name, "VP8");
  EXPECT_EQ(v.codecs[0].feedback, (std::vector<std::string>{"ccm fir", "nack", "nack pli"}));
  EXPECT_EQ(v.codecs[1].payload_type, 102);
  EXPECT_EQ(v.codecs[1].fmtp,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  // Attributes the model does not know are kept verbatim.
  EXPECT_NE(std::find(v.other.begin(), v.other.end(), "rtcp-rsize"), v.other.end());
}

TEST(SdpParse, LfAndCrlfLineEndingsGiveTheSameSession) {
  std::string lf = ReadFixture("handwritten-chrome-style-answer.sdp");
  std::string crlf = test::JoinLines(test::Lines(lf), "\r\n");
  ASSERT_NE(lf, crlf);
  EXPECT_EQ(Write(MustParse(lf)), Write(MustParse(crlf)));
}

TEST(SdpParse, OrdersCodecsAsTheMLinePrefersThem) {
  std::string text =
      ReplaceLine(ReadFixture("handwritten-chrome-style-answer.sdp"),
                  "m=video 9 UDP/TLS/RTP/SAVPF 96 102", "m=video 9 UDP/TLS/RTP/SAVPF 102 96");
  Session s = MustParse(text);
  const Media* v = FindMedia(s, Kind::kVideo);
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->codecs.size(), 2u);
  EXPECT_EQ(v->codecs[0].payload_type, 102);
  EXPECT_EQ(v->codecs[1].payload_type, 96);
}

TEST(SdpParse, NormalizesLowerCaseFingerprintOfWebrtcbin) {
  Session s = MustParse(ReadFixture("handwritten-webrtcbin-style-answer.sdp"));
  ASSERT_EQ(s.media.size(), 2u);
  ASSERT_TRUE(s.media[0].fingerprint.has_value());
  EXPECT_EQ(s.media[0].fingerprint->value,
            "A9:29:D9:BE:D8:25:0F:62:C7:D9:47:E2:82:A2:9A:B2:20:B2:AA:11:38:45:EB:AA:FA:A0:ED:BD:"
            "04:CC:5F:30");
  EXPECT_TRUE(s.media[0].end_of_candidates);
  EXPECT_EQ(s.media[0].codecs[0].name, "OPUS");  // As written.
}

// Firefox writes attributes in alphabetical order, so a=fmtp and a=rtcp-fb come before a=rtpmap.
// The parser's own comment calls that allowed; the parameters must still reach the codec.
TEST(SdpParse, FmtpAndRtcpFbBeforeRtpmapStillApplyToTheCodec) {
  Session s = MustParse(ReadFixture("handwritten-firefox-style-answer.sdp"));
  const Media* v = FindMedia(s, Kind::kVideo);
  ASSERT_NE(v, nullptr);
  const Codec* h264 = v->FindCodec(102);
  ASSERT_NE(h264, nullptr);
  EXPECT_EQ(h264->fmtp, "profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1");
  EXPECT_EQ(h264->feedback, (std::vector<std::string>{"nack", "nack pli", "ccm fir"}));
}

TEST(SdpParse, RejectsTextNotStartingWithVersionZero) {
  EXPECT_FALSE(Parse("").ok());
  EXPECT_FALSE(Parse("\r\n\r\n").ok());
  EXPECT_FALSE(Parse("hello world").ok());
  EXPECT_FALSE(Parse("v=1\r\no=- 1 1 IN IP4 0.0.0.0\r\n").ok());
  EXPECT_FALSE(Parse("o=- 1 1 IN IP4 0.0.0.0\r\nv=0\r\n").ok());
  EXPECT_FALSE(Parse("{\"type\":\"answer\"}").ok());
  auto r = Parse("s=-\r\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("v=0"), std::string::npos) << r.error();
}

TEST(SdpParse, RejectsMLineWithBadPort) {
  const std::string head = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
  EXPECT_FALSE(Parse(head + "m=audio abc UDP/TLS/RTP/SAVPF 111\r\n").ok());
  EXPECT_FALSE(Parse(head + "m=audio 65536 UDP/TLS/RTP/SAVPF 111\r\n").ok());
  EXPECT_FALSE(Parse(head + "m=audio -9 UDP/TLS/RTP/SAVPF 111\r\n").ok());
  EXPECT_FALSE(Parse(head + "m=audio 99999999999999999999 UDP/TLS/RTP/SAVPF 111\r\n").ok());
  EXPECT_FALSE(Parse(head + "m=audio  UDP/TLS/RTP/SAVPF\r\n").ok());
  EXPECT_FALSE(Parse(head + "m=audio 9 UDP/TLS/RTP/SAVPF\r\n").ok());  // No format.
  // The good forms, for contrast.
  auto ok = Parse(head + "m=audio 65535/2 UDP/TLS/RTP/SAVPF 111\r\n");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->media[0].port, 65535);
}

TEST(SdpParse, RejectsMalformedAttributes) {
  const std::string head = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 P 111\r\n";
  EXPECT_FALSE(Parse(head + "a=rtpmap:128 opus/48000/2\r\n").ok());
  EXPECT_FALSE(Parse(head + "a=rtpmap:111 opus\r\n").ok());
  EXPECT_FALSE(Parse(head + "a=rtpmap:111 opus/0\r\n").ok());
  EXPECT_FALSE(Parse(head + "a=rtpmap:111 opus/48000/99\r\n").ok());
  EXPECT_FALSE(Parse(head + "a=rtpmap:111 opus/48000\r\na=rtpmap:111 opus/48000\r\n").ok());
  EXPECT_FALSE(Parse(head + "a=fingerprint:sha-256 not-hex\r\n").ok());
  EXPECT_FALSE(Parse(head + "a=fingerprint:sha-256 AB:CD\r\n").ok());  // Too short.
  EXPECT_FALSE(Parse(head + "a=setup:sometimes\r\n").ok());
  EXPECT_FALSE(Parse(head + "a=ssrc:notanumber cname:x\r\n").ok());
  EXPECT_FALSE(Parse(head + "a=fmtp:111\r\n").ok());
  EXPECT_FALSE(Parse(head + "x\r\n").ok());  // Not <type>=<value>.
}

TEST(SdpParse, RejectsTooManyLines) {
  std::string text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 P 111\r\n";
  for (size_t i = 0; i < kMaxLines; ++i) text += "a=x-filler:" + std::to_string(i) + "\r\n";
  auto r = Parse(text);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("too many lines"), std::string::npos) << r.error();
}

TEST(SdpParse, RejectsTooManyMediaSections) {
  std::string text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
  for (size_t i = 0; i < kMaxMediaSections; ++i) text += "m=audio 9 P 0\r\n";
  ASSERT_TRUE(Parse(text).ok());
  text += "m=audio 9 P 0\r\n";
  auto r = Parse(text);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("m-lines"), std::string::npos) << r.error();
}

// A cheap deterministic fuzz pass over a realistic input, run with every unit test (there is no
// coverage-guided fuzz target yet).
// Whatever happens, Parse must return (an error or a session) and never crash or hang.
TEST(SdpParse, SurvivesMutatedInputWithoutCrashing) {
  const std::string base = ReadFixture("handwritten-chrome-style-answer.sdp");
  std::mt19937 rng(20240601);
  int parsed = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string s = base;
    int edits = 1 + int(rng() % 8);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      size_t at = rng() % s.size();
      switch (rng() % 4) {
        case 0:
          s[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          s.erase(at, 1 + rng() % 16);
          break;
        case 2:
          s.insert(at, 1, static_cast<char>("=:/ \r\n0a9m-"[rng() % 11]));
          break;
        case 3:
          s.resize(at);
          break;
      }
    }
    auto r = Parse(s);
    if (r.ok()) {
      ++parsed;
      EXPECT_FALSE(Write(*r).empty());
    } else {
      EXPECT_FALSE(r.error().empty());
    }
  }
  EXPECT_GT(parsed, 0);  // The mutations are not all fatal: the happy path was exercised too.
  std::string binary(4096, '\0');
  for (auto& c : binary) c = static_cast<char>(rng());
  EXPECT_FALSE(Parse(binary).ok());
  EXPECT_FALSE(Parse("v=0\r\n" + binary).ok());
}

// ----- NormalizeFingerprint ------------------------------------------------------------------

TEST(SdpNormalizeFingerprint, UpperCasesHexPairs) {
  std::string lower =
      "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:"
      "67:89";
  std::string upper = lower;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  EXPECT_EQ(NormalizeFingerprint(lower), upper);
  EXPECT_EQ(NormalizeFingerprint(upper), upper);
}

TEST(SdpNormalizeFingerprint, RejectsWhatIsNotHexPairs) {
  EXPECT_EQ(NormalizeFingerprint(""), "");
  EXPECT_EQ(NormalizeFingerprint("AB:CD:EF"), "");  // Fewer than 16 bytes.
  EXPECT_EQ(NormalizeFingerprint(std::string(kOurFingerprint) + ":"), "");
  std::string bad = kOurFingerprint;
  bad[0] = 'G';
  EXPECT_EQ(NormalizeFingerprint(bad), "");
  bad = kOurFingerprint;
  bad[2] = '-';
  EXPECT_EQ(NormalizeFingerprint(bad), "");
  std::string three = kOurFingerprint;
  three.insert(0, "A");
  EXPECT_EQ(NormalizeFingerprint(three), "");
}

// ----- BuildOffer and Write ------------------------------------------------------------------

TEST(SdpBuildOffer, RoundTripsThroughWriteAndParse) {
  Session offer = Offer();
  std::string text = Write(offer);
  Session s = MustParse(text);

  EXPECT_EQ(s.session_id, 4242u);
  EXPECT_EQ(s.bundle_mids, (std::vector<std::string>{"0", "1"}));
  ASSERT_EQ(s.media.size(), 2u);
  for (const Media& m : s.media) {
    SCOPED_TRACE(m.mid);
    EXPECT_EQ(m.protocol, "UDP/TLS/RTP/SAVPF");
    EXPECT_TRUE(m.rtcp_mux);
    EXPECT_EQ(m.direction, Direction::kSendRecv);
    EXPECT_EQ(m.setup, Setup::kActPass);
    EXPECT_EQ(m.ice_ufrag, "mcuU");
    EXPECT_EQ(m.ice_pwd, "mcuPasswordOf24Chars0123");
    ASSERT_TRUE(m.fingerprint.has_value());
    EXPECT_EQ(m.fingerprint->algorithm, "sha-256");
    EXPECT_EQ(m.fingerprint->value, kOurFingerprint);
    EXPECT_EQ(m.cname, "mcu");
  }
  const Media& a = s.media[0];
  EXPECT_EQ(a.kind, Kind::kAudio);
  EXPECT_EQ(a.mid, "0");
  ASSERT_EQ(a.codecs.size(), 1u);
  EXPECT_EQ(a.codecs[0].payload_type, 111);
  EXPECT_EQ(a.codecs[0].name, "opus");
  EXPECT_EQ(a.codecs[0].clock_rate, 48000);
  EXPECT_EQ(a.codecs[0].channels, 2);
  EXPECT_EQ(a.ssrcs, (std::vector<uint32_t>{11111111u}));
  EXPECT_EQ(a.msid, "mcu mcu-audio");
  // BUNDLE: all candidates on the first m-line, then end-of-candidates.
  EXPECT_EQ(a.candidates, Local().candidates);
  EXPECT_TRUE(a.end_of_candidates);

  const Media& v = s.media[1];
  EXPECT_EQ(v.kind, Kind::kVideo);
  EXPECT_EQ(v.mid, "1");
  ASSERT_EQ(v.codecs.size(), 2u);
  EXPECT_EQ(v.codecs[0].payload_type, 96);
  EXPECT_EQ(v.codecs[0].name, "VP8");
  EXPECT_EQ(v.codecs[0].feedback, (std::vector<std::string>{"nack", "nack pli", "ccm fir"}));
  EXPECT_EQ(v.codecs[1].payload_type, 102);
  EXPECT_EQ(v.codecs[1].name, "H264");
  EXPECT_NE(v.codecs[1].fmtp.find("packetization-mode=1"), std::string::npos);
  EXPECT_EQ(H264Profile(v.codecs[1].fmtp), "42e0");
  EXPECT_EQ(v.ssrcs, (std::vector<uint32_t>{22222222u}));
  EXPECT_TRUE(v.candidates.empty());
}

TEST(SdpWrite, UsesCrlfLineEndingsOnly) {
  std::string text = Write(Offer());
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.rfind("v=0\r\n", 0), 0u);
  EXPECT_EQ(text.substr(text.size() - 2), "\r\n");
  EXPECT_EQ(test::Count(text, "\n"), test::Count(text, "\r\n"));
  EXPECT_EQ(test::Count(text, "\r"), test::Count(text, "\r\n"));
  EXPECT_EQ(test::Count(text, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"), 1u);
  EXPECT_EQ(test::Count(text, "m=video 9 UDP/TLS/RTP/SAVPF 96 102\r\n"), 1u);
  EXPECT_EQ(test::Count(text, "a=group:BUNDLE 0 1\r\n"), 1u);
  EXPECT_EQ(test::Count(text, "a=end-of-candidates\r\n"), 1u);
}

// The fields SIP descriptions add are written only when set: a WebRTC offer keeps exactly the
// lines it always had (JSEP's placeholders, no session c=, no b=, no a=content).
TEST(SdpWrite, WebrtcOfferKeepsItsPlaceholdersAndNoSipFields) {
  std::string text = Write(Offer());
  EXPECT_EQ(test::Count(text, "c=IN IP4 0.0.0.0\r\n"), 2u);
  EXPECT_EQ(test::Count(text, "a=rtcp:9 IN IP4 0.0.0.0\r\n"), 2u);
  EXPECT_EQ(test::Count(text, "\nc="), 2u);
  EXPECT_EQ(test::Count(text, "a=rtcp:"), 2u);
  EXPECT_EQ(test::Count(text, "\nb="), 0u);
  EXPECT_EQ(test::Count(text, "a=content"), 0u);
  EXPECT_EQ(text.find("s=-\r\nt=0 0\r\n"), text.find("s=-"));
}

// A parsed a=rtcp is the model's, written once (not also kept among the unknown attributes).
TEST(SdpWrite, ParsedRtcpAttributeIsWrittenOnce) {
  std::string text = Write(MustParse(ReadFixture("handwritten-chrome-style-answer.sdp")));
  EXPECT_EQ(test::Count(text, "a=rtcp:9 IN IP4 0.0.0.0\r\n"), 2u);
}

// SIP room systems (a Poly Group here) put c= and b= at session level, RTCP on its own port.
constexpr const char* kSipOffer =
    "v=0\r\n"
    "o=- 1674740882 1674740882 IN IP4 192.168.1.76\r\n"
    "s=-\r\n"
    "c=IN IP4 192.168.1.76\r\n"
    "b=AS:1024\r\n"
    "t=0 0\r\n"
    "m=audio 3230 RTP/SAVP 9 0\r\n"
    "a=rtcp:3231\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "m=video 3232 RTP/SAVP 109\r\n"
    "c=IN IP4 192.168.1.77/127\r\n"
    "b=AS:768\r\n"
    "b=TIAS:768000\r\n"
    "b=RS:0\r\n"
    "a=rtcp:3233 IN IP4 192.168.1.78\r\n"
    "a=rtcp-fb:* nack pli\r\n"
    "a=rtcp-fb:* ccm fir\r\n"
    "a=rtpmap:109 H264/90000\r\n"
    "a=rtcp-fb:109 nack\r\n"
    "a=fmtp:109 profile-level-id=42801f; packetization-mode=1\r\n"
    "a=content:main\r\n";

TEST(SdpParse, ReadsConnectionBandwidthRtcpPortAndContent) {
  Session s = MustParse(kSipOffer);
  EXPECT_EQ(s.connection_address, "192.168.1.76");
  EXPECT_EQ(s.bandwidth_as_kbps, 1024u);
  EXPECT_EQ(s.bandwidth_tias_bps, 0u);
  ASSERT_EQ(s.media.size(), 2u);
  const Media& a = s.media[0];
  EXPECT_EQ(a.connection_address, "");  // The session's applies.
  EXPECT_EQ(a.rtcp_port, 3231);
  EXPECT_EQ(a.rtcp_address, "");
  EXPECT_EQ(a.bandwidth_as_kbps, 0u);
  EXPECT_EQ(a.content, "");
  const Media& v = s.media[1];
  EXPECT_EQ(v.connection_address, "192.168.1.77");  // TTL dropped.
  EXPECT_EQ(v.bandwidth_as_kbps, 768u);
  EXPECT_EQ(v.bandwidth_tias_bps, 768000u);
  EXPECT_EQ(v.rtcp_port, 3233);
  EXPECT_EQ(v.rtcp_address, "192.168.1.78");
  EXPECT_EQ(v.content, "main");
  EXPECT_TRUE(std::none_of(v.other.begin(), v.other.end(), [](const std::string& x) {
    return x.rfind("rtcp:", 0) == 0 || x.rfind("content:", 0) == 0 || x.rfind("rtcp-fb", 0) == 0;
  }));
  // "*" feedback written before the rtpmap (as Poly does) still reaches the codec.
  ASSERT_EQ(v.codecs.size(), 1u);
  EXPECT_EQ(v.codecs[0].feedback, (std::vector<std::string>{"nack", "nack pli", "ccm fir"}));
}

TEST(SdpWrite, WritesSipFieldsWhenSetAndTheyRoundTrip) {
  std::string text = Write(MustParse(kSipOffer));
  EXPECT_EQ(test::Count(text, "s=-\r\nc=IN IP4 192.168.1.76\r\nb=AS:1024\r\nt=0 0\r\n"), 1u);
  // The session's c= covers the audio section: no media c= written for it.
  EXPECT_EQ(test::Count(text, "c=IN IP4"), 2u);
  EXPECT_EQ(test::Count(text, "m=audio 3230 RTP/SAVP 9 0\r\na=rtcp:3231\r\n"), 1u);
  EXPECT_EQ(test::Count(text,
                        "m=video 3232 RTP/SAVP 109\r\nc=IN IP4 192.168.1.77\r\nb=AS:768\r\n"
                        "b=TIAS:768000\r\na=rtcp:3233 IN IP4 192.168.1.78\r\n"),
            1u);
  EXPECT_EQ(test::Count(text, "a=content:main\r\n"), 1u);
  Session back = MustParse(text);
  EXPECT_EQ(back.connection_address, "192.168.1.76");
  EXPECT_EQ(back.bandwidth_as_kbps, 1024u);
  EXPECT_EQ(back.media[0].rtcp_port, 3231);
  EXPECT_EQ(back.media[1].connection_address, "192.168.1.77");
  EXPECT_EQ(back.media[1].bandwidth_tias_bps, 768000u);
  EXPECT_EQ(back.media[1].rtcp_address, "192.168.1.78");
  EXPECT_EQ(back.media[1].content, "main");
  EXPECT_EQ(back.media[1].codecs[0].feedback,
            (std::vector<std::string>{"nack", "nack pli", "ccm fir"}));
}

TEST(SdpParse, RejectsMalformedConnectionBandwidthAndRtcp) {
  const std::string good = kSipOffer;
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"c=IN IP4 192.168.1.76", "c=IN IP4"},
           {"c=IN IP4 192.168.1.76", "c=XX IP4 192.168.1.76"},
           {"b=AS:1024", "b=AS:lots"},
           {"b=TIAS:768000", "b=TIAS:-1"},
           {"a=rtcp:3231", "a=rtcp:port"},
           {"a=rtcp:3231", "a=rtcp:70000"},
           {"a=rtcp:3231", "a=rtcp:3231 IN IP4"}}) {
    SCOPED_TRACE(to);
    EXPECT_FALSE(Parse(ReplaceLine(good, from, to)).ok());
  }
}

TEST(SdpBuildOffer, AudioOnlyOfferUsesMidZeroForItsOnlySection) {
  OfferOptions o = Options();
  o.video = false;
  Session s = BuildOffer(Local(), DefaultCodecs(), o, 1);
  ASSERT_EQ(s.media.size(), 1u);
  EXPECT_EQ(s.media[0].kind, Kind::kAudio);
  EXPECT_EQ(s.bundle_mids, (std::vector<std::string>{"0"}));
  o.video = true;
  o.audio = false;
  s = BuildOffer(Local(), DefaultCodecs(), o, 1);
  ASSERT_EQ(s.media.size(), 1u);
  EXPECT_EQ(s.media[0].kind, Kind::kVideo);
  EXPECT_EQ(s.media[0].mid, "0");
  EXPECT_EQ(s.media[0].candidates, Local().candidates);
}

// ----- AcceptAnswer --------------------------------------------------------------------------

Expected<RemoteDescription> Accept(const std::string& answer_text) {
  auto answer = Parse(answer_text);
  if (!answer) return MakeError(ErrorKind::kInvalid, "parse: " + answer.error());
  return AcceptAnswer(Offer(), *answer);
}

void ExpectRefused(const std::string& answer_text, const std::string& reason_part) {
  auto r = Accept(answer_text);
  ASSERT_FALSE(r.ok()) << "answer was accepted";
  EXPECT_NE(r.error().find(reason_part), std::string::npos) << r.error();
}

TEST(SdpAcceptAnswer, AcceptsChromeStyleAnswer) {
  auto r = Accept(ReadFixture("handwritten-chrome-style-answer.sdp"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->ice_ufrag, "Lx9e");
  EXPECT_EQ(r->ice_pwd, "XOLWAsmND8hrsOuKvWTMCMdF");
  EXPECT_EQ(r->fingerprint.algorithm, "sha-256");
  EXPECT_EQ(r->fingerprint.value.size(), 32u * 3 - 1);
  EXPECT_EQ(r->setup, Setup::kActive);
  EXPECT_EQ(r->candidates.size(), 2u);
  ASSERT_EQ(r->media.size(), 2u);
  const RemoteMedia* a = r->Find(Kind::kAudio);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->mid, "0");
  EXPECT_EQ(a->direction, Direction::kSendRecv);
  ASSERT_EQ(a->codecs.size(), 1u);
  EXPECT_EQ(a->codecs[0].payload_type, 111);
  EXPECT_EQ(a->ssrcs, (std::vector<uint32_t>{2739172645u}));
  const RemoteMedia* v = r->Find(Kind::kVideo);
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->codecs.size(), 2u);
  EXPECT_EQ(v->codecs[0].payload_type, 96);
  EXPECT_EQ(v->codecs[1].payload_type, 102);
  EXPECT_EQ(v->ssrcs, (std::vector<uint32_t>{1849272113u}));
}

TEST(SdpAcceptAnswer, AcceptsWebrtcbinStyleAnswer) {
  auto r = Accept(ReadFixture("handwritten-webrtcbin-style-answer.sdp"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->ice_ufrag, "i4QmNb1dt3vHgzvdMhMKvwPN4mqqXIv");
  EXPECT_EQ(r->setup, Setup::kActive);
  EXPECT_EQ(r->fingerprint.value.substr(0, 5), "A9:29");  // Normalized from lower case.
  EXPECT_EQ(r->candidates.size(), 2u);
  const RemoteMedia* a = r->Find(Kind::kAudio);
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->codecs.size(), 1u);
  EXPECT_EQ(a->codecs[0].payload_type, 111);  // "OPUS" matches our "opus".
  const RemoteMedia* v = r->Find(Kind::kVideo);
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->codecs.size(), 1u);
  EXPECT_EQ(v->codecs[0].name, "VP8");
  EXPECT_EQ(v->ssrcs, (std::vector<uint32_t>{3405775212u}));
}

// Captured from mcu-room (GStreamer 1.22 webrtcbin) answering the MCU's offer on loopback: no
// candidates in the answer (webrtcbin trickles them all), "OPUS" upper case, nack pli only.
TEST(SdpAcceptAnswer, AcceptsCapturedWebrtcbinAnswer) {
  auto r = Accept(ReadFixture("webrtcbin-answer.sdp"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->ice_ufrag, "WiqWo5mxMl1aBBvp5laFkPAvL7LNCRm6");
  EXPECT_EQ(r->setup, Setup::kActive);
  EXPECT_EQ(r->fingerprint.value.substr(0, 5), "11:E5");
  EXPECT_TRUE(r->candidates.empty());
  const RemoteMedia* a = r->Find(Kind::kAudio);
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->codecs.size(), 1u);
  EXPECT_EQ(a->codecs[0].payload_type, 111);
  EXPECT_EQ(a->ssrcs, (std::vector<uint32_t>{3956450786u}));
  const RemoteMedia* v = r->Find(Kind::kVideo);
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->codecs.size(), 1u);
  EXPECT_EQ(v->codecs[0].name, "VP8");
  EXPECT_EQ(v->ssrcs, (std::vector<uint32_t>{2000782802u}));
}

TEST(SdpAcceptAnswer, AcceptsCapturedChromiumAnswer) {
  auto r = Accept(ReadFixture("chromium-answer.sdp"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->setup, Setup::kActive);
  ASSERT_NE(r->Find(Kind::kAudio), nullptr);
  ASSERT_NE(r->Find(Kind::kVideo), nullptr);
  EXPECT_FALSE(r->Find(Kind::kVideo)->codecs.empty());
}

// Firefox puts the fingerprint at session level and writes a=fmtp before a=rtpmap; its answer
// choosing H.264 (packetization-mode=1, as offered) must be accepted.
TEST(SdpAcceptAnswer, AcceptsFirefoxStyleAnswerWithSessionLevelFingerprint) {
  auto r = Accept(ReadFixture("handwritten-firefox-style-answer.sdp"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->fingerprint.value.substr(0, 5), "64:A2");
  EXPECT_EQ(r->setup, Setup::kActive);
  const RemoteMedia* v = r->Find(Kind::kVideo);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->codecs.size(), 2u);
}

TEST(SdpAcceptAnswer, RefusesAnswerWithoutFingerprint) {
  ExpectRefused(WithoutLines(ReadFixture("handwritten-chrome-style-answer.sdp"), "a=fingerprint"),
                "fingerprint");
}

TEST(SdpAcceptAnswer, RefusesAnswerWithNonSha256Fingerprint) {
  std::string text = ReadFixture("handwritten-chrome-style-answer.sdp");
  for (auto& l : test::Lines(text))
    if (l.rfind("a=fingerprint:sha-256 ", 0) == 0)
      text = ReplaceLine(text, l, "a=fingerprint:sha-1 " + l.substr(22, 59));
  ExpectRefused(text, "sha-256");
}

TEST(SdpAcceptAnswer, RefusesAnswerWithoutIceCredentials) {
  const std::string text = ReadFixture("handwritten-chrome-style-answer.sdp");
  ExpectRefused(WithoutLines(text, "a=ice-ufrag"), "ICE");
  ExpectRefused(WithoutLines(text, "a=ice-pwd"), "ICE");
}

TEST(SdpAcceptAnswer, RefusesAnswerWithoutRtcpMux) {
  ExpectRefused(WithoutLines(ReadFixture("handwritten-chrome-style-answer.sdp"), "a=rtcp-mux"),
                "rtcp-mux");
}

TEST(SdpAcceptAnswer, RefusesAnswerWithSetupActpass) {
  std::string text = ReadFixture("handwritten-webrtcbin-style-answer.sdp");
  ExpectRefused(ReplaceLine(text, "a=setup:active", "a=setup:actpass"), "actpass");
  // Absent setup is no better: it cannot be told apart from actpass.
  ExpectRefused(WithoutLines(text, "a=setup"), "actpass");
  // The passive answer (we are the DTLS client) is fine.
  auto r = Accept(ReplaceLine(text, "a=setup:active", "a=setup:passive"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->setup, Setup::kPassive);
}

TEST(SdpAcceptAnswer, RefusesOurOwnOfferEchoedBack) { ExpectRefused(Write(Offer()), "actpass"); }

TEST(SdpAcceptAnswer, RefusesUnofferedPayloadType) {
  std::string text = ReadFixture("handwritten-chrome-style-answer.sdp");
  text = ReplaceLine(text, "m=video 9 UDP/TLS/RTP/SAVPF 96 102",
                     "m=video 9 UDP/TLS/RTP/SAVPF 96 102 98");
  text = InsertAfter(text, "a=fmtp:102", "a=rtpmap:98 VP9/90000");
  ExpectRefused(text, "98");
}

TEST(SdpAcceptAnswer, RefusesOfferedPayloadTypeReusedForAnotherCodec) {
  std::string text = ReplaceLine(ReadFixture("handwritten-chrome-style-answer.sdp"),
                                 "a=rtpmap:96 VP8/90000", "a=rtpmap:96 VP9/90000");
  ExpectRefused(text, "96");
  // Same codec name, other clock rate.
  text = ReplaceLine(ReadFixture("handwritten-chrome-style-answer.sdp"),
                     "a=rtpmap:111 opus/48000/2", "a=rtpmap:111 opus/16000/2");
  ExpectRefused(text, "111");
}

TEST(SdpAcceptAnswer, RefusesH264WithOtherPacketizationMode) {
  std::string text = ReplaceLine(
      ReadFixture("handwritten-chrome-style-answer.sdp"),
      "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
      "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f");
  ExpectRefused(text, "102");
}

TEST(SdpAcceptAnswer, RefusesMLineWeDidNotOffer) {
  std::string text =
      ReplaceLine(ReadFixture("handwritten-chrome-style-answer.sdp"), "a=mid:1", "a=mid:7");
  ExpectRefused(text, "mid 7");
}

TEST(SdpAcceptAnswer, RejectedVideoSectionLeavesAudioOnly) {
  std::string text =
      ReplaceLine(ReadFixture("handwritten-chrome-style-answer.sdp"),
                  "m=video 9 UDP/TLS/RTP/SAVPF 96 102", "m=video 0 UDP/TLS/RTP/SAVPF 96 102");
  auto r = Accept(text);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_NE(r->Find(Kind::kAudio), nullptr);
  EXPECT_EQ(r->Find(Kind::kVideo), nullptr);
}

TEST(SdpAcceptAnswer, KeepsTheDirectionTheAnswerWrote) {
  std::string text =
      ReplaceLine(ReadFixture("handwritten-chrome-style-answer.sdp"), "a=sendrecv", "a=recvonly");
  auto r = Accept(text);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->Find(Kind::kAudio)->direction, Direction::kRecvOnly);
  EXPECT_EQ(r->Find(Kind::kVideo)->direction, Direction::kRecvOnly);
}

// ----- AnswerOffer ---------------------------------------------------------------------------

Expected<AnswerResult> Answer(const std::string& offer_text) {
  auto offer = Parse(offer_text);
  if (!offer) return MakeError(ErrorKind::kInvalid, "parse: " + offer.error());
  return AnswerOffer(*offer, Local(), DefaultCodecs(), Options(), 77);
}

TEST(SdpAnswerOffer, KeepsTheOfferersPayloadTypesAndAnswersSetupActive) {
  auto r = Answer(ReadFixture("handwritten-webrtcbin-style-offer.sdp"));
  ASSERT_TRUE(r.ok()) << r.error();
  const Session& a = r->answer;
  // Same m-lines, same order, same mids.
  EXPECT_EQ(a.bundle_mids, (std::vector<std::string>{"video0", "audio1"}));
  ASSERT_EQ(a.media.size(), 2u);
  EXPECT_EQ(a.media[0].kind, Kind::kVideo);
  EXPECT_EQ(a.media[0].mid, "video0");
  EXPECT_EQ(a.media[1].kind, Kind::kAudio);
  EXPECT_EQ(a.media[1].mid, "audio1");
  // Opus is 111 for us, 97 for the offerer: the offerer's number rules.
  ASSERT_EQ(a.media[1].codecs.size(), 1u);
  EXPECT_EQ(a.media[1].codecs[0].payload_type, 97);
  EXPECT_EQ(a.media[1].codecs[0].clock_rate, 48000);
  ASSERT_EQ(a.media[0].codecs.size(), 1u);
  EXPECT_EQ(a.media[0].codecs[0].payload_type, 96);
  EXPECT_EQ(a.media[0].codecs[0].name, "VP8");
  for (const auto& m : a.media) {
    SCOPED_TRACE(m.mid);
    EXPECT_EQ(m.setup, Setup::kActive);
    EXPECT_TRUE(m.rtcp_mux);
    ASSERT_TRUE(m.fingerprint.has_value());
    EXPECT_EQ(m.fingerprint->value, kOurFingerprint);
    EXPECT_EQ(m.ice_ufrag, "mcuU");
    EXPECT_NE(m.port, 0);
  }
  // Candidates go with the first m-line of the bundle, whatever its mid.
  EXPECT_EQ(a.media[0].candidates, Local().candidates);
  EXPECT_TRUE(a.media[0].end_of_candidates);
  EXPECT_TRUE(a.media[1].candidates.empty());

  // What we learnt of the offerer.
  const RemoteDescription& remote = r->remote;
  EXPECT_EQ(remote.setup, Setup::kActPass);
  EXPECT_EQ(remote.ice_ufrag, "sQ0mWf6eYw8Vn1Kd3Lp5Rt7Hj9Bx2Cz4");
  EXPECT_EQ(remote.fingerprint.value.substr(0, 5), "27:EF");
  ASSERT_NE(remote.Find(Kind::kAudio), nullptr);
  EXPECT_EQ(remote.Find(Kind::kAudio)->codecs.at(0).payload_type, 97);
  EXPECT_EQ(remote.Find(Kind::kAudio)->ssrcs, (std::vector<uint32_t>{2180035812u}));
}

TEST(SdpAnswerOffer, AnswerIsAcceptedByTheOfferersRules) {
  // Our answer, written and parsed back, passes the offerer-side checks against the offer.
  auto offer = Parse(ReadFixture("handwritten-webrtcbin-style-offer.sdp"));
  ASSERT_TRUE(offer.ok());
  auto r = AnswerOffer(*offer, Local(), DefaultCodecs(), Options(), 77);
  ASSERT_TRUE(r.ok()) << r.error();
  auto answer = Parse(Write(r->answer));
  ASSERT_TRUE(answer.ok()) << answer.error();
  auto accepted = AcceptAnswer(*offer, *answer);
  ASSERT_TRUE(accepted.ok()) << accepted.error();
  EXPECT_EQ(accepted->setup, Setup::kActive);
  EXPECT_EQ(accepted->fingerprint.value, kOurFingerprint);
}

// An audio-only site (mcu-loadgen --no-video) answers the MCU's audio+video offer with the video
// section rejected: port 0, out of BUNDLE; the MCU's own rules then see an audio-only peer.
TEST(SdpAnswerOffer, KindLeftOutOfTheOptionsIsRejectedAndTheOffererSeesAudioOnly) {
  Session offer = Offer();
  OfferOptions audio_only = Options();
  audio_only.video = false;
  auto r = AnswerOffer(offer, Local(), DefaultCodecs(), audio_only, 77);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->answer.media.size(), 2u) << "JSEP: every offered m-line is answered";
  const Media* v = FindMedia(r->answer, Kind::kVideo);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->port, 0);
  EXPECT_TRUE(v->codecs.empty());
  EXPECT_EQ(r->answer.bundle_mids, (std::vector<std::string>{"0"}));
  // What our own transport applies: no video payload type, so no video is ever demultiplexed.
  const RemoteMedia* rv = r->remote.Find(Kind::kVideo);
  ASSERT_NE(rv, nullptr);
  EXPECT_TRUE(rv->codecs.empty());
  EXPECT_EQ(rv->direction, Direction::kInactive);

  auto answer = Parse(Write(r->answer));
  ASSERT_TRUE(answer.ok()) << answer.error();
  auto accepted = AcceptAnswer(offer, *answer);
  ASSERT_TRUE(accepted.ok()) << accepted.error();
  ASSERT_NE(accepted->Find(Kind::kAudio), nullptr);
  EXPECT_EQ(accepted->Find(Kind::kAudio)->direction, Direction::kSendRecv);
  EXPECT_EQ(accepted->Find(Kind::kVideo), nullptr);
}
TEST(SdpAnswerOffer, AnswersPassiveWhenTheOffererInsistsOnActive) {
  std::string text = ReplaceLine(ReadFixture("handwritten-webrtcbin-style-offer.sdp"),
                                 "a=setup:actpass", "a=setup:active");
  auto r = Answer(text);
  ASSERT_TRUE(r.ok()) << r.error();
  for (const auto& m : r->answer.media) EXPECT_EQ(m.setup, Setup::kPassive);
}

TEST(SdpAnswerOffer, PicksSharedCodecsFromChromeStyleOffer) {
  auto r = Answer(ReadFixture("handwritten-chrome-style-offer.sdp"));
  ASSERT_TRUE(r.ok()) << r.error();
  const Media* a = FindMedia(r->answer, Kind::kAudio);
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->codecs.size(), 1u);  // Opus only: no G.722, PCMU, red, telephone-event.
  EXPECT_EQ(a->codecs[0].payload_type, 111);
  const Media* v = FindMedia(r->answer, Kind::kVideo);
  ASSERT_NE(v, nullptr);
  ASSERT_FALSE(v->codecs.empty());
  EXPECT_EQ(v->codecs[0].payload_type, 96);  // The offerer's first preference we share.
  for (const auto& c : v->codecs) {
    SCOPED_TRACE(c.payload_type);
    EXPECT_NE(c.name, "rtx");
    EXPECT_NE(c.name, "AV1");
    EXPECT_NE(c.payload_type, 104);  // H.264 packetization-mode=0: not what we decode.
  }
}

// RFC 6184 8.2.2: an answer may lower the level of an H.264 payload type but must keep the
// profile the offer gave it. Chrome offers High profile (64001f) as PT 112; answering PT 112 with
// our constrained-baseline fmtp (42e01f) describes a stream the offerer never agreed to.
TEST(SdpAnswerOffer, NeverChangesTheH264ProfileOfAnOfferedPayloadType) {
  auto offer = Parse(ReadFixture("handwritten-chrome-style-offer.sdp"));
  ASSERT_TRUE(offer.ok());
  auto r = AnswerOffer(*offer, Local(), DefaultCodecs(), Options(), 77);
  ASSERT_TRUE(r.ok()) << r.error();
  const Media* ov = FindMedia(*offer, Kind::kVideo);
  const Media* av = FindMedia(r->answer, Kind::kVideo);
  ASSERT_NE(ov, nullptr);
  ASSERT_NE(av, nullptr);
  for (const auto& c : av->codecs) {
    if (c.name != "H264") continue;
    const Codec* offered = ov->FindCodec(c.payload_type);
    ASSERT_NE(offered, nullptr);
    EXPECT_EQ(H264Profile(c.fmtp), H264Profile(offered->fmtp))
        << "PT " << c.payload_type << " offered as '" << offered->fmtp << "' answered as '"
        << c.fmtp << "'";
  }
}

TEST(SdpAnswerOffer, RefusesOfferWithoutFingerprint) {
  auto r =
      Answer(WithoutLines(ReadFixture("handwritten-webrtcbin-style-offer.sdp"), "a=fingerprint"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("fingerprint"), std::string::npos) << r.error();
}

TEST(SdpAnswerOffer, RefusesOfferWithoutIceCredentialsOrRtcpMux) {
  const std::string text = ReadFixture("handwritten-webrtcbin-style-offer.sdp");
  EXPECT_FALSE(Answer(WithoutLines(text, "a=ice-pwd")).ok());
  EXPECT_FALSE(Answer(WithoutLines(text, "a=rtcp-mux")).ok());
}

// The header promises that AnswerOffer checks BUNDLE; we always answer bundled, and RFC 8843
// forbids an answerer to add a BUNDLE group the offer did not have.
TEST(SdpAnswerOffer, RefusesOfferWithoutBundle) {
  auto r = Answer(WithoutLines(ReadFixture("handwritten-webrtcbin-style-offer.sdp"), "a=group"));
  EXPECT_FALSE(r.ok()) << "answered with BUNDLE "
                       << testing::PrintToString(r.ok() ? r->answer.bundle_mids
                                                        : std::vector<std::string>{});
}

// RFC 3264 6.1: a stream offered sendonly is answered recvonly (or inactive), and vice versa.
TEST(SdpAnswerOffer, MirrorsOneWayDirections) {
  std::string text = ReadFixture("handwritten-webrtcbin-style-offer.sdp");
  auto r = Answer(ReplaceLine(text, "a=sendrecv", "a=sendonly"));
  ASSERT_TRUE(r.ok()) << r.error();
  for (const auto& m : r->answer.media) {
    SCOPED_TRACE(m.mid);
    EXPECT_TRUE(m.direction == Direction::kRecvOnly || m.direction == Direction::kInactive)
        << "answered " << ToString(m.direction) << " to sendonly";
  }
  r = Answer(ReplaceLine(text, "a=sendrecv", "a=recvonly"));
  ASSERT_TRUE(r.ok()) << r.error();
  for (const auto& m : r->answer.media) {
    SCOPED_TRACE(m.mid);
    EXPECT_TRUE(m.direction == Direction::kSendOnly || m.direction == Direction::kInactive)
        << "answered " << ToString(m.direction) << " to recvonly";
  }
}

// JSEP (RFC 8829 5.3.1): the answer has exactly the offer's m-lines, in order; one we do not
// take (here a data channel) is answered with port 0, not left out.
TEST(SdpAnswerOffer, AnswersEveryOfferedMLineInOrder) {
  std::string text = ReadFixture("handwritten-chrome-style-offer.sdp");
  text = ReplaceLine(text, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2");
  text +=
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\n"
      "c=IN IP4 0.0.0.0\n"
      "a=ice-ufrag:R2nT\n"
      "a=ice-pwd:Qv3kZr8Lp0Wn6Ys1Xm4Jb7Hd\n"
      "a=ice-options:trickle\n"
      "a=fingerprint:sha-256 18:A8:E6:02:AD:79:55:5D:E8:32:A3:7F:67:8C:CD:9E:73:8B:83:AC:8C:"
      "73:24:78:24:96:FA:78:19:E1:27:AF\n"
      "a=setup:actpass\n"
      "a=mid:2\n"
      "a=sctp-port:5000\n"
      "a=max-message-size:262144\n";
  auto r = Answer(text);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->answer.media.size(), 3u);
  EXPECT_EQ(r->answer.media[0].mid, "0");
  EXPECT_EQ(r->answer.media[1].mid, "1");
  EXPECT_EQ(r->answer.media[2].mid, "2");
  EXPECT_EQ(r->answer.media[2].port, 0);
}

// RFC 8843 6: with max-bundle, webrtcbin and browsers offer every m-line but the first with
// port 0 and a=bundle-only. Such a section is bundled, not rejected.
TEST(SdpAnswerOffer, AnswersBundleOnlySections) {
  std::string text = ReplaceLine(ReadFixture("handwritten-webrtcbin-style-offer.sdp"),
                                 "m=audio 9 UDP/TLS/RTP/SAVPF 97",
                                 "m=audio 0 UDP/TLS/RTP/SAVPF 97\na=bundle-only");
  auto r = Answer(text);
  ASSERT_TRUE(r.ok()) << r.error();
  const Media* a = FindMedia(r->answer, Kind::kAudio);
  ASSERT_NE(a, nullptr) << "the bundle-only audio section was dropped from the answer";
  EXPECT_NE(a->port, 0);
  ASSERT_EQ(a->codecs.size(), 1u);
  EXPECT_EQ(a->codecs[0].payload_type, 97);
}

TEST(SdpAnswerOffer, SectionWithNoSharedCodecIsAnsweredInactiveWithPortZero) {
  std::string text = ReadFixture("handwritten-webrtcbin-style-offer.sdp");
  text = ReplaceLine(text, "a=rtpmap:96 VP8/90000", "a=rtpmap:96 AV1/90000");
  auto r = Answer(text);
  ASSERT_TRUE(r.ok()) << r.error();
  const Media* v = FindMedia(r->answer, Kind::kVideo);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->port, 0);
  EXPECT_EQ(v->direction, Direction::kInactive);
  EXPECT_TRUE(v->codecs.empty());
  // It still writes a valid m-line (at least one format) that parses.
  auto back = Parse(Write(r->answer));
  ASSERT_TRUE(back.ok()) << back.error();
  const Media* written = FindMedia(*back, Kind::kVideo);
  ASSERT_NE(written, nullptr);
  EXPECT_FALSE(written->formats.empty());
}

// ----- ICE candidates ------------------------------------------------------------------------

TEST(SdpCandidate, ParsesChromiumHostCandidate) {
  auto c = ParseCandidate(
      "candidate:2437072876 1 udp 2122260223 192.168.1.20 50123 typ host generation 0 ufrag Xy9 "
      "network-id 1");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->foundation, "2437072876");
  EXPECT_EQ(c->component, 1);
  EXPECT_EQ(c->transport, "udp");
  EXPECT_EQ(c->priority, 2122260223u);
  EXPECT_EQ(c->address, "192.168.1.20");
  EXPECT_EQ(c->port, 50123);
  EXPECT_EQ(c->type, "host");
  EXPECT_FALSE(c->mdns());
}

TEST(SdpCandidate, AcceptsAttributeFormIpv6AndMdns) {
  auto a = ParseCandidate("a=candidate:1 1 UDP 2015363327 fe80::1 9 typ host");
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(a->transport, "udp");
  EXPECT_EQ(a->address, "fe80::1");
  auto m = ParseCandidate(
      "candidate:3 1 udp 2122260223 4b5d1a6e-5d0b-4c1e-9f3a-2b8c9d0e1f2a.local 61000 typ host");
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_TRUE(m->mdns());
  auto tcp = ParseCandidate("candidate:4 1 tcp 1518280447 10.0.0.1 9 typ host tcptype active");
  ASSERT_TRUE(tcp.ok()) << tcp.error();
  EXPECT_EQ(tcp->transport, "tcp");
}

TEST(SdpCandidate, RefusesMalformedCandidates) {
  for (const char* bad : {
           "", "candidate:",
           "1 1 udp 1 10.0.0.1 9 typ host",                      // No "candidate:".
           "candidate:1 1 udp nonsense",                         // Too few fields.
           "candidate:1 1 udp 1 10.0.0.1 9 type host",           // "typ" misspelt.
           "candidate:1 0 udp 1 10.0.0.1 9 typ host",            // Component 0.
           "candidate:1 1 sctp 1 10.0.0.1 9 typ host",           // Transport.
           "candidate:1 1 udp -5 10.0.0.1 9 typ host",           // Priority.
           "candidate:1 1 udp 99999999999 10.0.0.1 9 typ host",  // Priority over 32 bits.
           "candidate:1 1 udp 1 10.0.0.1 70000 typ host",        // Port.
           "candidate:1 1 udp 1 10.0.0.1 x typ host",            // Port.
           "candidate:1 1 udp 1 10.0.0.1;rm 9 typ host",         // Address characters.
           "candidate:1 1 udp 1 10.0.0.1 9 typ anycast",         // Type.
           "candidate:f\u00f6 1 udp 1 10.0.0.1 9 typ host",      // Foundation characters.
       }) {
    EXPECT_FALSE(ParseCandidate(bad).ok()) << bad;
  }
}

// ----- Captured real-world descriptions ------------------------------------------------------

// Descriptions captured from real Chromium and webrtcbin peers (tests/fixtures/chromium-*.sdp,
// webrtcbin-*.sdp): every one must parse and carry audio, video and a sha-256 fingerprint, and
// there is at least one of each.
TEST(SdpCaptured, EveryCapturedDescriptionParsesWithAudioVideoAndSha256) {
  namespace fs = std::filesystem;
  int checked = 0, chromium = 0, webrtcbin = 0;
  for (const auto& entry : fs::directory_iterator(test::FixtureDir())) {
    std::string name = entry.path().filename().string();
    bool captured = (name.rfind("chromium-", 0) == 0 || name.rfind("webrtcbin-", 0) == 0) &&
                    entry.path().extension() == ".sdp";
    if (!captured) continue;
    SCOPED_TRACE(name);
    ++checked;
    chromium += name.rfind("chromium-", 0) == 0;
    webrtcbin += name.rfind("webrtcbin-", 0) == 0;
    auto s = Parse(test::ReadFile(entry.path()));
    ASSERT_TRUE(s.ok()) << s.error();
    const Media* a = FindMedia(*s, Kind::kAudio);
    const Media* v = FindMedia(*s, Kind::kVideo);
    EXPECT_NE(a, nullptr) << "no audio section";
    EXPECT_NE(v, nullptr) << "no video section";
    for (const Media* m : {a, v}) {
      if (!m) continue;
      const auto& fp = m->fingerprint ? m->fingerprint : s->fingerprint;
      ASSERT_TRUE(fp.has_value()) << "no fingerprint for " << m->mid;
      EXPECT_EQ(fp->algorithm, "sha-256");
      EXPECT_EQ(fp->value.size(), 32u * 3 - 1);
      EXPECT_FALSE(m->codecs.empty());
    }
  }
  EXPECT_GE(chromium, 1);
  EXPECT_GE(webrtcbin, 1);
  RecordProperty("captured_descriptions", checked);
}

}  // namespace
}  // namespace mcu::media::sdp
