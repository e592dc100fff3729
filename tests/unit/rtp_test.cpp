// Specs of media/rtp.h: demultiplexing, RTP header parsing, RTCP round trips, receive statistics.
#include "media/rtp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace mcu::media::rtp {
namespace {

std::vector<uint8_t> Packet(std::initializer_list<int> bytes) {
  std::vector<uint8_t> p;
  for (int b : bytes) p.push_back(static_cast<uint8_t>(b));
  return p;
}

// An RTP packet: V=2, the given flags, PT 96, seq 0x1234, ts 0xAABBCCDD, SSRC 0x01020304.
std::vector<uint8_t> Rtp(int csrc_count, bool extension, size_t ext_words, size_t payload,
                         uint8_t padding, bool marker = false) {
  std::vector<uint8_t> p;
  p.push_back(static_cast<uint8_t>(0x80 | (padding ? 0x20 : 0) | (extension ? 0x10 : 0) |
                                   (csrc_count & 0x0f)));
  p.push_back(static_cast<uint8_t>((marker ? 0x80 : 0) | 96));
  for (int b : {0x12, 0x34, 0xAA, 0xBB, 0xCC, 0xDD, 0x01, 0x02, 0x03, 0x04}) p.push_back(b);
  for (int i = 0; i < csrc_count * 4; ++i) p.push_back(static_cast<uint8_t>(i));
  if (extension) {
    for (int b : {0xBE, 0xDE}) p.push_back(b);
    p.push_back(static_cast<uint8_t>(ext_words >> 8));
    p.push_back(static_cast<uint8_t>(ext_words));
    for (size_t i = 0; i < ext_words * 4; ++i) p.push_back(0);
  }
  for (size_t i = 0; i < payload; ++i) p.push_back(static_cast<uint8_t>(0x55));
  if (padding) {
    for (int i = 0; i + 1 < padding; ++i) p.push_back(0);
    p.push_back(padding);
  }
  return p;
}

// ----- Classify ------------------------------------------------------------------------------

TEST(RtcpParse, TheOldRfc2032FullIntraRequestIsAKeyframeRequest) {
  // Older room systems ask for an intra frame with RTCP packet type 192 and the video's SSRC.
  const std::vector<uint8_t> rr = {0x80, 201, 0, 1, 0x11, 0x22, 0x33, 0x44};
  std::vector<uint8_t> packet = rr;
  for (uint8_t b : {0x80, 192, 0, 1, 0xDD, 0xDD, 0x00, 0x09}) packet.push_back(b);
  auto p = ParseRtcp(packet);
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->keyframe_requests.size(), 1u);
  EXPECT_EQ(p->keyframe_requests[0].media_ssrc, 0xDDDD0009u);
  EXPECT_TRUE(p->keyframe_requests[0].fir);
  EXPECT_EQ(Classify(packet), PacketClass::kRtcp);
  const std::vector<uint8_t> truncated = {0x80, 192, 0, 0};
  EXPECT_FALSE(ParseRtcp(truncated).has_value());
}

TEST(RtpClassify, FollowsRfc7983FirstByteRanges) {
  auto first = [](int b) { return Classify(Packet({b, 96, 0, 0})); };
  EXPECT_EQ(first(0), PacketClass::kStun);
  EXPECT_EQ(first(1), PacketClass::kStun);
  EXPECT_EQ(first(3), PacketClass::kStun);
  EXPECT_EQ(first(4), PacketClass::kUnknown);
  EXPECT_EQ(first(16), PacketClass::kUnknown);  // ZRTP.
  EXPECT_EQ(first(19), PacketClass::kUnknown);
  EXPECT_EQ(first(20), PacketClass::kDtls);
  EXPECT_EQ(first(22), PacketClass::kDtls);  // Handshake.
  EXPECT_EQ(first(23), PacketClass::kDtls);  // Application data.
  EXPECT_EQ(first(63), PacketClass::kDtls);
  EXPECT_EQ(first(64), PacketClass::kUnknown);  // TURN channel.
  EXPECT_EQ(first(79), PacketClass::kUnknown);
  EXPECT_EQ(first(127), PacketClass::kUnknown);
  EXPECT_EQ(first(128), PacketClass::kRtp);
  EXPECT_EQ(first(191), PacketClass::kRtp);
  EXPECT_EQ(first(192), PacketClass::kUnknown);
  EXPECT_EQ(first(255), PacketClass::kUnknown);
  EXPECT_EQ(Classify({}), PacketClass::kUnknown);
  EXPECT_EQ(Classify(Packet({0x80})), PacketClass::kUnknown);  // No second byte to tell.
}

TEST(RtpClassify, TellsRtcpPacketTypesFromRtpPayloadTypes) {
  for (int pt = 200; pt <= 206; ++pt)
    EXPECT_EQ(Classify(Packet({0x81, pt, 0, 7})), PacketClass::kRtcp) << pt;
  EXPECT_EQ(Classify(Packet({0x80, 96})), PacketClass::kRtp);          // VP8, no marker.
  EXPECT_EQ(Classify(Packet({0x80, 0x80 | 96})), PacketClass::kRtp);   // VP8 with marker.
  EXPECT_EQ(Classify(Packet({0x80, 0x80 | 111})), PacketClass::kRtp);  // Opus with marker.
  EXPECT_EQ(Classify(Packet({0x80, 0x80 | 127})), PacketClass::kRtp);
  EXPECT_EQ(Classify(Packet({0x80, 0})), PacketClass::kRtp);   // PCMU.
  EXPECT_EQ(Classify(Packet({0x80, 72})), PacketClass::kRtp);  // 72 w/o marker is RTP.
}

TEST(RtpClassify, ClassifiesWhatTheWritersProduce) {
  std::vector<uint8_t> out;
  WritePli(1, 2, out);
  EXPECT_EQ(Classify(out), PacketClass::kRtcp);
  EXPECT_EQ(Classify(Rtp(0, false, 0, 10, 0, true)), PacketClass::kRtp);
}

// ----- ParseRtp ------------------------------------------------------------------------------

TEST(RtpParse, ReadsTheFixedHeader) {
  auto p = Rtp(0, false, 0, 20, 0, true);
  auto h = ParseRtp(p);
  ASSERT_TRUE(h.has_value());
  EXPECT_TRUE(h->marker);
  EXPECT_EQ(h->payload_type, 96);
  EXPECT_EQ(h->sequence, 0x1234);
  EXPECT_EQ(h->timestamp, 0xAABBCCDDu);
  EXPECT_EQ(h->ssrc, 0x01020304u);
  EXPECT_EQ(h->header_size, 12u);
  EXPECT_EQ(h->payload_size, 20u);
}

TEST(RtpParse, SkipsCsrcsAndHeaderExtension) {
  auto h = ParseRtp(Rtp(3, true, 2, 100, 0));
  ASSERT_TRUE(h.has_value());
  EXPECT_FALSE(h->marker);
  EXPECT_EQ(h->header_size, 12u + 3 * 4 + 4 + 2 * 4);
  EXPECT_EQ(h->payload_size, 100u);
  h = ParseRtp(Rtp(15, false, 0, 1, 0));
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->header_size, 12u + 60);
}

TEST(RtpParse, RemovesPaddingFromThePayloadSize) {
  auto h = ParseRtp(Rtp(0, false, 0, 30, 4));
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->payload_size, 30u);
  // Padding may fill the whole payload (a padding-only probe packet).
  h = ParseRtp(Rtp(1, true, 1, 0, 8));
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->payload_size, 0u);
}

TEST(RtpParse, RejectsTruncatedOrMalformedPackets) {
  EXPECT_FALSE(ParseRtp({}).has_value());
  auto ok = Rtp(2, true, 3, 10, 0);
  ASSERT_TRUE(ParseRtp(ok).has_value());
  EXPECT_FALSE(ParseRtp(std::span(ok).first(11)).has_value());  // Shorter than 12.
  // Cut inside the CSRC list, the extension header, and the extension body.
  EXPECT_FALSE(ParseRtp(std::span(ok).first(12 + 7)).has_value());
  EXPECT_FALSE(ParseRtp(std::span(ok).first(12 + 8 + 3)).has_value());
  EXPECT_FALSE(ParseRtp(std::span(ok).first(12 + 8 + 4 + 11)).has_value());
  EXPECT_TRUE(ParseRtp(std::span(ok).first(12 + 8 + 4 + 12)).has_value());  // Empty payload.

  auto v1 = Rtp(0, false, 0, 10, 0);
  v1[0] = (v1[0] & 0x3f) | 0x40;  // Version 1.
  EXPECT_FALSE(ParseRtp(v1).has_value());

  auto zero_pad = Rtp(0, false, 0, 10, 4);
  zero_pad.back() = 0;  // A padding count of zero is invalid.
  EXPECT_FALSE(ParseRtp(zero_pad).has_value());
  auto over_pad = Rtp(0, false, 0, 10, 4);
  over_pad.back() = 15;  // More padding than payload.
  EXPECT_FALSE(ParseRtp(over_pad).has_value());

  auto huge_ext = Rtp(0, true, 1, 10, 0);
  huge_ext[14] = 0xff;  // Extension length 0xff01 words.
  EXPECT_FALSE(ParseRtp(huge_ext).has_value());
}

TEST(RtpParse, SettersRewriteSsrcSequenceAndTimestamp) {
  auto p = Rtp(0, false, 0, 10, 0);
  SetSsrc(p, 0xDEADBEEF);
  SetSequence(p, 65535);
  SetTimestamp(p, 12345678);
  auto h = ParseRtp(p);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->ssrc, 0xDEADBEEFu);
  EXPECT_EQ(h->sequence, 65535);
  EXPECT_EQ(h->timestamp, 12345678u);
  EXPECT_EQ(h->payload_type, 96);
}

// ----- RTCP ----------------------------------------------------------------------------------

ReportBlock Block(uint32_t ssrc, int32_t lost) {
  ReportBlock b;
  b.ssrc = ssrc;
  b.fraction_lost = 64;
  b.cumulative_lost = lost;
  b.highest_sequence = 0x00011234;
  b.jitter = 321;
  b.last_sr = 0x12345678;
  b.delay_since_last_sr = 65536 / 2;
  return b;
}

void ExpectSameBlock(const ReportBlock& a, const ReportBlock& b) {
  EXPECT_EQ(a.ssrc, b.ssrc);
  EXPECT_EQ(a.fraction_lost, b.fraction_lost);
  EXPECT_EQ(a.cumulative_lost, b.cumulative_lost);
  EXPECT_EQ(a.highest_sequence, b.highest_sequence);
  EXPECT_EQ(a.jitter, b.jitter);
  EXPECT_EQ(a.last_sr, b.last_sr);
  EXPECT_EQ(a.delay_since_last_sr, b.delay_since_last_sr);
}

TEST(RtcpParse, RoundTripsACompoundPacketOfEveryKind) {
  SenderReport sr;
  sr.ssrc = 0xAAAA0001;
  sr.ntp = NtpFromUnixMicros(1'700'000'000'123'456);
  sr.rtp_timestamp = 90000;
  sr.packet_count = 1000;
  sr.octet_count = 1'000'000;
  sr.blocks = {Block(0xBBBB0001, 17), Block(0xBBBB0002, -3)};
  ReceiverReport rr;
  rr.ssrc = 0xAAAA0002;
  rr.blocks = {Block(0xCCCC0001, 0x7fffff)};
  Nack nack{0xAAAA0003, 0xDDDD0001, {100, 101, 103, 116, 117, 140}};

  std::vector<uint8_t> out;
  WriteSenderReport(sr, out);
  WriteReceiverReport(rr, out);
  WriteSdesCname(sr.ssrc, "mcu-cname", out);
  WriteNack(nack, out);
  WritePli(0xAAAA0004, 0xDDDD0002, out);
  WriteFir(0xAAAA0005, 0xDDDD0003, 7, out);
  ASSERT_EQ(out.size() % 4, 0u);

  auto p = ParseRtcp(out);
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->sender_reports.size(), 1u);
  const SenderReport& s = p->sender_reports[0];
  EXPECT_EQ(s.ssrc, sr.ssrc);
  EXPECT_EQ(s.ntp, sr.ntp);
  EXPECT_EQ(s.rtp_timestamp, 90000u);
  EXPECT_EQ(s.packet_count, 1000u);
  EXPECT_EQ(s.octet_count, 1'000'000u);
  ASSERT_EQ(s.blocks.size(), 2u);
  ExpectSameBlock(s.blocks[0], sr.blocks[0]);
  ExpectSameBlock(s.blocks[1], sr.blocks[1]);  // Negative cumulative loss survives (24-bit).

  ASSERT_EQ(p->receiver_reports.size(), 1u);
  EXPECT_EQ(p->receiver_reports[0].ssrc, rr.ssrc);
  ASSERT_EQ(p->receiver_reports[0].blocks.size(), 1u);
  ExpectSameBlock(p->receiver_reports[0].blocks[0], rr.blocks[0]);

  ASSERT_EQ(p->nacks.size(), 1u);
  EXPECT_EQ(p->nacks[0].sender_ssrc, nack.sender_ssrc);
  EXPECT_EQ(p->nacks[0].media_ssrc, nack.media_ssrc);
  EXPECT_EQ(p->nacks[0].sequences, nack.sequences);

  ASSERT_EQ(p->keyframe_requests.size(), 2u);
  EXPECT_EQ(p->keyframe_requests[0].sender_ssrc, 0xAAAA0004u);
  EXPECT_EQ(p->keyframe_requests[0].media_ssrc, 0xDDDD0002u);
  EXPECT_FALSE(p->keyframe_requests[0].fir);
  EXPECT_EQ(p->keyframe_requests[1].sender_ssrc, 0xAAAA0005u);
  EXPECT_EQ(p->keyframe_requests[1].media_ssrc, 0xDDDD0003u);
  EXPECT_TRUE(p->keyframe_requests[1].fir);

  EXPECT_EQ(p->ignored, 1);  // The SDES.
  EXPECT_TRUE(p->byes.empty());
}

TEST(RtcpParse, ClampsCumulativeLossToTwentyFourBits) {
  ReceiverReport rr;
  rr.ssrc = 1;
  rr.blocks = {Block(2, 50'000'000), Block(3, -50'000'000)};
  std::vector<uint8_t> out;
  WriteReceiverReport(rr, out);
  auto p = ParseRtcp(out);
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->receiver_reports.at(0).blocks.size(), 2u);
  EXPECT_EQ(p->receiver_reports[0].blocks[0].cumulative_lost, 0x7fffff);
  EXPECT_EQ(p->receiver_reports[0].blocks[1].cumulative_lost, -0x800000);
}

TEST(RtcpWriteNack, EncodesPidAndBitmaskPerRfc4585) {
  std::vector<uint8_t> out;
  WriteNack({1, 2, {100, 101, 103, 116, 117, 140}}, out);
  // Header (4) + SSRCs (8) + 3 FCI entries: (100, bits for 101 103 116), (117, 0), (140, 0).
  ASSERT_EQ(out.size(), 4u + 8 + 3 * 4);
  EXPECT_EQ(out[0], 0x81);  // V=2, FMT=1.
  EXPECT_EQ(out[1], 205);   // RTPFB.
  EXPECT_EQ(out[3], 5);     // Length in words minus one.
  auto fci = [&](int i) {
    const uint8_t* f = &out[12 + 4 * i];
    return std::pair<int, int>((f[0] << 8) | f[1], (f[2] << 8) | f[3]);
  };
  EXPECT_EQ(fci(0), (std::pair<int, int>(100, 0x8005)));  // 101: bit 0, 103: bit 2, 116: bit 15.
  EXPECT_EQ(fci(1), (std::pair<int, int>(117, 0)));
  EXPECT_EQ(fci(2), (std::pair<int, int>(140, 0)));
}

TEST(RtcpWriteNack, EncodesAcrossTheSequenceWrap) {
  std::vector<uint8_t> out;
  std::vector<uint16_t> seqs = {65534, 65535, 0, 3};
  WriteNack({1, 2, seqs}, out);
  ASSERT_EQ(out.size(), 4u + 8 + 4);  // One FCI covers all four.
  auto p = ParseRtcp(out);
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->nacks.size(), 1u);
  EXPECT_EQ(p->nacks[0].sequences, seqs);
}

TEST(RtcpParse, ReadsByeAndCountsUnknownFeedback) {
  // BYE with two SSRCs, then a REMB-like PSFB FMT 15, then transport-cc (RTPFB FMT 15).
  auto bye = Packet({0x82, 203, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2});
  auto remb = Packet({0x8F, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0});
  auto tcc = Packet({0x8F, 205, 0, 2, 0, 0, 0, 1, 0, 0, 0, 9});
  std::vector<uint8_t> all;
  for (auto* v : {&bye, &remb, &tcc}) all.insert(all.end(), v->begin(), v->end());
  auto p = ParseRtcp(all);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->byes, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(p->ignored, 2);
  EXPECT_TRUE(p->nacks.empty());
  EXPECT_TRUE(p->keyframe_requests.empty());
}

TEST(RtcpParse, ReadsTmmbrCapsAndTheTmmbnWriterEchoesThem) {
  // A room system caps our video (SSRC 0xDDDD0002) at 800 kbit/s: mantissa 100000, exponent 3,
  // 40 bytes of overhead per packet; and a second tuple with an exponent past 64 bits.
  const uint32_t word = (3u << 26) | (100000u << 9) | 40u;
  const uint32_t huge = (63u << 26) | (1u << 9);
  std::vector<uint8_t> tmmbr = {0x83, 205, 0, 6, 0xAA, 0xAA, 0, 1, 0, 0, 0, 0};
  for (uint32_t v : {0xDDDD0002u, word, 0xDDDD0003u, huge})
    for (int shift = 24; shift >= 0; shift -= 8) tmmbr.push_back(static_cast<uint8_t>(v >> shift));
  auto p = ParseRtcp(tmmbr);
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->tmmbrs.size(), 2u);
  EXPECT_EQ(p->tmmbrs[0].sender_ssrc, 0xAAAA0001u);
  EXPECT_EQ(p->tmmbrs[0].media_ssrc, 0xDDDD0002u);
  EXPECT_EQ(p->tmmbrs[0].bitrate_bps, 800000u);
  EXPECT_EQ(p->tmmbrs[0].overhead, 40);
  EXPECT_EQ(p->tmmbrs[1].bitrate_bps, UINT64_MAX);

  // TMMBN (RTPFB FMT 4) from the capped stream's sender, naming the tuple's owner.
  std::vector<uint8_t> out;
  WriteTmmbn(0xDDDD0002, p->tmmbrs[0], out);
  ASSERT_EQ(out.size(), 20u);
  EXPECT_EQ(out[0], 0x84);
  EXPECT_EQ(out[1], 205);
  const std::vector<uint8_t> owner(out.begin() + 12, out.begin() + 16);
  EXPECT_EQ(owner, (std::vector<uint8_t>{0xAA, 0xAA, 0, 1}));
  const uint32_t echoed = (uint32_t(out[16]) << 24) | (out[17] << 16) | (out[18] << 8) | out[19];
  EXPECT_EQ((uint64_t((echoed >> 9) & 0x1ffff) << (echoed >> 26)), 800000u);
  EXPECT_EQ(echoed & 0x1ff, 40u);
  auto again = ParseRtcp(out);  // Not a cap itself.
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->tmmbrs.empty());
}

TEST(RtcpParse, RejectsTruncationAndLengthOverrun) {
  SenderReport sr;
  sr.ssrc = 5;
  sr.blocks = {Block(6, 1)};
  std::vector<uint8_t> good;
  WriteSenderReport(sr, good);
  WritePli(1, 2, good);
  ASSERT_TRUE(ParseRtcp(good).has_value());

  EXPECT_FALSE(ParseRtcp({}).has_value());
  EXPECT_FALSE(ParseRtcp(std::span(good).first(3)).has_value());
  // Every cut that is not at a packet boundary drops the whole compound.
  for (size_t n = 1; n < good.size(); ++n) {
    if (n == 4 + 24 + 24) continue;  // The end of the SR: a valid compound of one.
    EXPECT_FALSE(ParseRtcp(std::span(good).first(n)).has_value()) << "cut at " << n;
  }
  // A length field pointing past the end.
  auto overrun = good;
  overrun[3] += 1;
  EXPECT_FALSE(ParseRtcp(overrun).has_value());
  // A report count larger than the body holds.
  auto too_many_blocks = good;
  too_many_blocks[0] = 0x82;
  EXPECT_FALSE(ParseRtcp(too_many_blocks).has_value());
  // A wrong version anywhere in the compound.
  auto bad_version = good;
  bad_version[4 + 24 + 24] = 0x41;
  EXPECT_FALSE(ParseRtcp(bad_version).has_value());
  // Feedback too short for its two SSRCs.
  EXPECT_FALSE(ParseRtcp(Packet({0x81, 206, 0, 1, 0, 0, 0, 1})).has_value());
  EXPECT_FALSE(ParseRtcp(Packet({0x81, 205, 0, 1, 0, 0, 0, 1})).has_value());
  EXPECT_FALSE(ParseRtcp(Packet({0x80, 200, 0, 1, 0, 0, 0, 1})).has_value());  // SR too short.
  EXPECT_FALSE(ParseRtcp(Packet({0x80, 201, 0, 0})).has_value());  // RR without its SSRC.
}

TEST(RtcpNtp, ConvertsUnixMicrosToNtp) {
  uint64_t ntp = NtpFromUnixMicros(0);
  EXPECT_EQ(ntp >> 32, 2208988800ULL);
  EXPECT_EQ(ntp & 0xffffffff, 0u);
  ntp = NtpFromUnixMicros(1'500'000);  // 1.5 s.
  EXPECT_EQ(ntp >> 32, 2208988801ULL);
  EXPECT_EQ(ntp & 0xffffffff, 0x80000000u);
  EXPECT_EQ(NtpMiddle32(0x0000'1234'5678'0000ULL), 0x12345678u);
}

// ----- ReceiveStatistics ---------------------------------------------------------------------

constexpr int64_t kFrameUs = 20'000;     // 20 ms.
constexpr uint32_t kFrameTicks = 1'800;  // 20 ms at 90 kHz.

TEST(ReceiveStatistics, CountsLossAcrossGaps) {
  ReceiveStatistics st(90000);
  EXPECT_FALSE(st.started());
  EXPECT_EQ(st.cumulative_lost(), 0);
  for (uint16_t seq = 1000; seq < 1010; ++seq) {
    if (seq == 1003 || seq == 1004 || seq == 1007) continue;
    st.OnPacket(seq, seq * kFrameTicks, seq * kFrameUs, 100);
  }
  EXPECT_TRUE(st.started());
  EXPECT_EQ(st.packets(), 7u);
  EXPECT_EQ(st.bytes(), 700u);
  EXPECT_EQ(st.extended_highest(), 1009u);
  EXPECT_EQ(st.cumulative_lost(), 3);
  // A late arrival of a lost packet reduces the loss.
  st.OnPacket(1004, 1004 * kFrameTicks, 1010 * kFrameUs, 100);
  EXPECT_EQ(st.cumulative_lost(), 2);
  EXPECT_EQ(st.extended_highest(), 1009u);  // Old packets do not move the highest.
}

TEST(ReceiveStatistics, ExtendsSequenceAcrossTheWrap) {
  ReceiveStatistics st(90000);
  int64_t t = 0;
  uint32_t ts = 0;
  for (uint32_t i = 0; i < 20; ++i) {
    uint16_t seq = static_cast<uint16_t>(65530 + i);  // 65530 ... 65535, 0 ... 13.
    if (seq == 2) continue;
    st.OnPacket(seq, ts += kFrameTicks, t += kFrameUs, 10);
  }
  EXPECT_EQ(st.extended_highest(), 65536u + 13);
  EXPECT_EQ(st.cumulative_lost(), 1);
  ReportBlock b = st.MakeReportBlock(42, 0, 0);
  EXPECT_EQ(b.highest_sequence, 65536u + 13);
  EXPECT_EQ(b.cumulative_lost, 1);
  // A reordered packet from before the wrap does not count as a second wrap.
  st.OnPacket(65533, 0, t += kFrameUs, 10);
  EXPECT_EQ(st.extended_highest(), 65536u + 13);
}

TEST(ReceiveStatistics, FractionLostCoversOnlyTheIntervalSinceTheLastReport) {
  ReceiveStatistics st(90000);
  // 1..10 with 3 and 4 missing: 2 lost of 10 expected.
  for (uint16_t seq = 1; seq <= 10; ++seq)
    if (seq != 3 && seq != 4) st.OnPacket(seq, seq * kFrameTicks, seq * kFrameUs, 100);
  ReportBlock b = st.MakeReportBlock(0x1234, 0xAABBCCDD, 6553);
  EXPECT_EQ(b.ssrc, 0x1234u);
  EXPECT_EQ(b.fraction_lost, 2 * 256 / 10);
  EXPECT_EQ(b.cumulative_lost, 2);
  EXPECT_EQ(b.highest_sequence, 10u);
  EXPECT_EQ(b.last_sr, 0xAABBCCDDu);
  EXPECT_EQ(b.delay_since_last_sr, 6553u);
  // 11..20 all received: nothing lost in this interval, the total stays.
  for (uint16_t seq = 11; seq <= 20; ++seq) st.OnPacket(seq, seq * kFrameTicks, seq * kFrameUs, 1);
  b = st.MakeReportBlock(0x1234, 0, 0);
  EXPECT_EQ(b.fraction_lost, 0);
  EXPECT_EQ(b.cumulative_lost, 2);
  // 21..30 with the odd half lost (30, the highest, arrives).
  for (uint16_t seq = 21; seq <= 30; ++seq)
    if (seq % 2 == 0) st.OnPacket(seq, seq * kFrameTicks, seq * kFrameUs, 1);
  b = st.MakeReportBlock(0x1234, 0, 0);
  EXPECT_EQ(b.fraction_lost, 128);
  EXPECT_EQ(b.cumulative_lost, 7);
  // No packet since the last report: nothing to report as lost.
  b = st.MakeReportBlock(0x1234, 0, 0);
  EXPECT_EQ(b.fraction_lost, 0);
}

TEST(ReceiveStatistics, DuplicatesNeverMakeFractionLostNegative) {
  ReceiveStatistics st(48000);
  for (int i = 0; i < 3; ++i) st.OnPacket(5, 960, 20'000, 10);
  ReportBlock b = st.MakeReportBlock(1, 0, 0);
  EXPECT_EQ(b.fraction_lost, 0);
  EXPECT_EQ(b.cumulative_lost, -2);  // RFC 3550 6.4.1: may be negative with duplicates.
}

TEST(ReceiveStatistics, JitterStaysZeroForPerfectlyPacedPackets) {
  ReceiveStatistics st(90000);
  int64_t t = 5'000'000;
  uint32_t ts = 0x7fff0000;
  for (uint16_t seq = 0; seq < 500; ++seq) st.OnPacket(seq, ts += kFrameTicks, t += kFrameUs, 1000);
  EXPECT_DOUBLE_EQ(st.jitter_seconds(), 0.0);
  EXPECT_EQ(st.MakeReportBlock(1, 0, 0).jitter, 0u);
}

TEST(ReceiveStatistics, JitterGrowsWithJitteredArrivals) {
  ReceiveStatistics st(90000);
  int64_t t = 0;
  uint32_t ts = 0;
  // Arrivals alternately 5 ms early and 5 ms late: |D| is 10 ms = 900 ticks every packet, so
  // the estimate converges toward 900 ticks (10 ms).
  for (uint16_t seq = 0; seq < 500; ++seq) {
    t += kFrameUs;
    ts += kFrameTicks;
    st.OnPacket(seq, ts, t + (seq % 2 ? 5'000 : -5'000), 1000);
  }
  EXPECT_NEAR(st.jitter_seconds(), 0.010, 0.001);
  ReportBlock b = st.MakeReportBlock(1, 0, 0);
  EXPECT_NEAR(double(b.jitter), 900.0, 90.0);

  // Smaller disturbances give a smaller estimate.
  ReceiveStatistics calm(90000);
  t = 0;
  ts = 0;
  for (uint16_t seq = 0; seq < 500; ++seq) {
    t += kFrameUs;
    ts += kFrameTicks;
    calm.OnPacket(seq, ts, t + (seq % 2 ? 1'000 : -1'000), 1000);
  }
  EXPECT_GT(calm.jitter_seconds(), 0.0);
  EXPECT_LT(calm.jitter_seconds(), st.jitter_seconds() / 2);
}

TEST(ReceiveStatistics, IgnoresTimestampJumpsInTheJitterEstimate) {
  ReceiveStatistics st(90000);
  int64_t t = 0;
  uint32_t ts = 0;
  for (uint16_t seq = 0; seq < 50; ++seq) st.OnPacket(seq, ts += kFrameTicks, t += kFrameUs, 1);
  ts += 90000 * 60;  // The sender's RTP clock jumps a minute ahead (a new talkspurt base).
  for (uint16_t seq = 50; seq < 100; ++seq) st.OnPacket(seq, ts += kFrameTicks, t += kFrameUs, 1);
  EXPECT_DOUBLE_EQ(st.jitter_seconds(), 0.0);
}

TEST(SeqNewer, ComparesAcrossTheWrap) {
  EXPECT_TRUE(SeqNewer(1, 0));
  EXPECT_FALSE(SeqNewer(0, 1));
  EXPECT_FALSE(SeqNewer(7, 7));
  EXPECT_TRUE(SeqNewer(0, 65535));
  EXPECT_TRUE(SeqNewer(100, 65000));
  EXPECT_FALSE(SeqNewer(65000, 100));
}

}  // namespace
}  // namespace mcu::media::rtp
