// Specs of media/jitter_buffer.h and media/codec_payload.h: frames out of packets, in order,
// through reordering and loss; audio playout with concealment.
#include "media/jitter_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <random>
#include <string>

namespace mcu::media {
namespace {

// VP8 payloads: descriptor (S bit on the first packet), then a frame header byte whose bit 0 is
// the inverse keyframe flag, then a marker byte `tag` so that the output can be checked.
std::vector<uint8_t> Vp8(bool start, bool key, uint8_t tag) {
  std::vector<uint8_t> p = {uint8_t(start ? 0x10 : 0x00)};
  if (start) p.push_back(key ? 0x00 : 0x01);
  p.push_back(tag);
  return p;
}

struct Pkt {
  uint16_t seq;
  uint32_t ts;
  bool marker;
  std::vector<uint8_t> payload;
};

// A frame of `n` packets starting at `seq`.
std::vector<Pkt> Frame(uint16_t seq, uint32_t ts, int n, bool key, uint8_t tag) {
  std::vector<Pkt> out;
  for (int i = 0; i < n; ++i)
    out.push_back({uint16_t(seq + i), ts, i == n - 1, Vp8(i == 0, key, tag)});
  return out;
}

std::vector<uint8_t> Tags(const std::vector<AssembledFrame>& frames) {
  std::vector<uint8_t> tags;
  for (const auto& f : frames) tags.push_back(f.data.back());
  return tags;
}

TEST(FrameAssembler, ReleasesCompleteFramesInOrderAndDepacketizes) {
  FrameAssembler fa(VideoCodec::kVp8);
  std::vector<AssembledFrame> out;
  for (auto& p : Frame(100, 1000, 3, true, 1)) fa.Insert(p.seq, p.ts, p.marker, p.payload, 0);
  out = fa.Pop(0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].keyframe);
  EXPECT_EQ(out[0].timestamp, 1000u);
  // Descriptors stripped: frame header byte then the tags of three packets.
  EXPECT_EQ(out[0].data, (std::vector<uint8_t>{0x00, 1, 1, 1}));
  for (auto& p : Frame(103, 4000, 2, false, 2)) fa.Insert(p.seq, p.ts, p.marker, p.payload, 0);
  out = fa.Pop(0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].keyframe);
  EXPECT_EQ(fa.frames_released(), 2u);
}

TEST(FrameAssembler, ReordersPacketsWithinAndAcrossFrames) {
  FrameAssembler fa(VideoCodec::kVp8);
  std::vector<Pkt> all;
  for (int f = 0; f < 10; ++f) {
    auto fr = Frame(uint16_t(65530 + f * 3), 3000u * f, 3, f == 0, uint8_t(f));  // Wraps 65535.
    all.insert(all.end(), fr.begin(), fr.end());
  }
  std::mt19937 rng(7);
  // Shuffle within windows of 5 packets: reordering as a network does it.
  for (size_t i = 0; i + 5 <= all.size(); i += 5)
    std::shuffle(all.begin() + i, all.begin() + i + 5, rng);
  std::vector<AssembledFrame> out;
  for (auto& p : all) {
    ASSERT_TRUE(fa.Insert(p.seq, p.ts, p.marker, p.payload, 0));
    auto f = fa.Pop(0);
    out.insert(out.end(), std::make_move_iterator(f.begin()), std::make_move_iterator(f.end()));
  }
  EXPECT_EQ(Tags(out), (std::vector<uint8_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(fa.frames_dropped(), 0u);
}

TEST(FrameAssembler, StartsOnAKeyframe) {
  FrameAssembler fa(VideoCodec::kVp8);
  EXPECT_TRUE(fa.TakeKeyframeRequest());
  EXPECT_FALSE(fa.TakeKeyframeRequest());
  for (auto& p : Frame(10, 100, 2, false, 1)) fa.Insert(p.seq, p.ts, p.marker, p.payload, 0);
  EXPECT_TRUE(fa.Pop(0).empty()) << "a delta frame cannot be decoded first";
  for (auto& p : Frame(12, 200, 2, true, 2)) fa.Insert(p.seq, p.ts, p.marker, p.payload, 0);
  EXPECT_EQ(Tags(fa.Pop(0)), (std::vector<uint8_t>{2}));
}

TEST(FrameAssembler, RestartAtKeyframeSkipsDeltaFramesAndAsksOnce) {
  FrameAssembler fa(VideoCodec::kVp8);
  fa.TakeKeyframeRequest();
  for (auto& p : Frame(10, 100, 1, true, 1)) fa.Insert(p.seq, p.ts, p.marker, p.payload, 0);
  EXPECT_EQ(Tags(fa.Pop(0)), (std::vector<uint8_t>{1}));
  fa.RestartAtKeyframe();
  EXPECT_TRUE(fa.TakeKeyframeRequest());
  EXPECT_FALSE(fa.TakeKeyframeRequest());
  for (auto& p : Frame(11, 200, 1, false, 2)) fa.Insert(p.seq, p.ts, p.marker, p.payload, 0);
  EXPECT_TRUE(fa.Pop(0).empty()) << "a delta frame after the restart is skipped";
  for (auto& p : Frame(12, 300, 1, true, 3)) fa.Insert(p.seq, p.ts, p.marker, p.payload, 0);
  for (auto& p : Frame(13, 400, 1, false, 4)) fa.Insert(p.seq, p.ts, p.marker, p.payload, 0);
  EXPECT_EQ(Tags(fa.Pop(0)), (std::vector<uint8_t>{3, 4}));
}

TEST(FrameAssembler, WaitsForARetransmissionThenReleases) {
  FrameAssembler fa(VideoCodec::kVp8, 100'000);
  auto f0 = Frame(0, 0, 1, true, 0), f1 = Frame(1, 3000, 3, false, 1),
       f2 = Frame(4, 6000, 1, false, 2);
  for (auto* f : {&f0, &f1, &f2})
    for (auto& p : *f)
      if (p.seq != 2) fa.Insert(p.seq, p.ts, p.marker, p.payload, 0);
  EXPECT_EQ(Tags(fa.Pop(0)), (std::vector<uint8_t>{0}));
  EXPECT_TRUE(fa.Pop(50'000).empty()) << "frame 1 is missing a packet: frame 2 waits";
  fa.Insert(f1[1].seq, f1[1].ts, f1[1].marker, f1[1].payload, 60'000);  // The NACKed packet.
  EXPECT_EQ(Tags(fa.Pop(60'000)), (std::vector<uint8_t>{1, 2}));
  EXPECT_EQ(fa.frames_dropped(), 0u);
}

TEST(FrameAssembler, UnrecoverableLossDropsUntilTheNextKeyframeAndAsksForOne) {
  FrameAssembler fa(VideoCodec::kVp8, 100'000);
  ASSERT_TRUE(fa.TakeKeyframeRequest());
  auto f0 = Frame(0, 0, 1, true, 0), f1 = Frame(1, 3000, 2, false, 1),
       f2 = Frame(3, 6000, 1, false, 2), f3 = Frame(4, 9000, 1, true, 3),
       f4 = Frame(5, 12000, 1, false, 4);
  for (auto* f : {&f0, &f1, &f2})
    for (auto& p : *f)
      if (p.seq != 1) fa.Insert(p.seq, p.ts, p.marker, p.payload, 0);
  EXPECT_EQ(Tags(fa.Pop(0)), (std::vector<uint8_t>{0}));
  EXPECT_TRUE(fa.Pop(50'000).empty());
  EXPECT_TRUE(fa.Pop(150'000).empty()) << "frame 2 needs frame 1: dropped";
  EXPECT_TRUE(fa.TakeKeyframeRequest());
  EXPECT_FALSE(fa.Insert(1, 3000, false, f1[0].payload, 160'000)) << "too late now";
  for (auto* f : {&f3, &f4})
    for (auto& p : *f) fa.Insert(p.seq, p.ts, p.marker, p.payload, 200'000);
  EXPECT_EQ(Tags(fa.Pop(200'000)), (std::vector<uint8_t>{3, 4}));
  EXPECT_EQ(fa.frames_dropped(), 2u);
}

TEST(FrameAssembler, LossOfAWholeFrameBeforeAKeyframeNeedsNoRequest) {
  FrameAssembler fa(VideoCodec::kVp8, 100'000);
  fa.TakeKeyframeRequest();
  auto f0 = Frame(0, 0, 1, true, 0), f2 = Frame(2, 6000, 1, true, 2);  // Frame at seq 1 lost.
  for (auto* f : {&f0, &f2})
    for (auto& p : *f) fa.Insert(p.seq, p.ts, p.marker, p.payload, 0);
  EXPECT_EQ(Tags(fa.Pop(0)), (std::vector<uint8_t>{0}));
  EXPECT_EQ(Tags(fa.Pop(100'000)), (std::vector<uint8_t>{2}));
  EXPECT_FALSE(fa.TakeKeyframeRequest());
}

TEST(FrameAssembler, RefusesMalformedAndDuplicatePackets) {
  FrameAssembler fa(VideoCodec::kVp8);
  EXPECT_FALSE(fa.Insert(1, 0, true, std::vector<uint8_t>{}, 0));
  EXPECT_FALSE(fa.Insert(1, 0, true, std::vector<uint8_t>{0x90}, 0));  // X bit, nothing after.
  auto p = Vp8(true, true, 1);
  EXPECT_TRUE(fa.Insert(5, 0, false, p, 0));
  EXPECT_FALSE(fa.Insert(5, 0, false, p, 0));
}

TEST(CodecPayload, Vp8DescriptorWithPictureIdAndKeyframe) {
  // X=1 S=1 PID=0; I=1 L=1 T=1; 15-bit picture id; TL0PICIDX; TID; then keyframe header.
  std::vector<uint8_t> p = {0x90, 0xe0, 0x81, 0x23, 0x05, 0x40, 0x10, 0xaa};
  auto info = InspectVideoPayload(VideoCodec::kVp8, p);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->frame_start);
  EXPECT_TRUE(info->keyframe);
  std::vector<uint8_t> out;
  ASSERT_TRUE(AppendDepacketized(VideoCodec::kVp8, p, out));
  EXPECT_EQ(out, (std::vector<uint8_t>{0x10, 0xaa}));
  p[0] = 0x91;  // Partition 1: not a frame start.
  EXPECT_FALSE(InspectVideoPayload(VideoCodec::kVp8, p)->frame_start);
}

TEST(CodecPayload, Vp8KeyframeSizeFromItsFrameHeader) {
  // Frame tag (keyframe: bit 0 clear), start code, 640 and 360 with scaling bits set (ignored).
  std::vector<uint8_t> key = {0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x42, 0x68, 0x81};
  auto size = KeyframeSize(VideoCodec::kVp8, key);
  ASSERT_TRUE(size);
  EXPECT_EQ(*size, (std::pair<int, int>{640, 360}));
  std::vector<uint8_t> delta = key;
  delta[0] |= 0x01;
  EXPECT_FALSE(KeyframeSize(VideoCodec::kVp8, delta));
  EXPECT_FALSE(KeyframeSize(VideoCodec::kVp8, std::span(key).first(9)));
  key[4] = 0;  // Not the start code.
  EXPECT_FALSE(KeyframeSize(VideoCodec::kVp8, key));
  EXPECT_FALSE(KeyframeSize(VideoCodec::kH264, key));
}

// An access unit in Annex B: each NAL unit (hex) after a start code.
std::vector<uint8_t> AnnexB(std::initializer_list<const char*> nals) {
  std::vector<uint8_t> out;
  for (const char* hex : nals) {
    out.insert(out.end(), {0, 0, 0, 1});
    for (size_t i = 0; hex[i] && hex[i + 1]; i += 2)
      out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex + i, 2), nullptr, 16)));
  }
  return out;
}

TEST(CodecPayload, H264KeyframeSizeFromItsSps) {
  // x264's SPS for 1280x720 constrained baseline, and for 1920x1080 high (coded 1920x1088, the
  // crop not applied: what the decoder allocates), each before a slice.
  auto size = KeyframeSize(
      VideoCodec::kH264,
      AnnexB({"6742c01fd9005005bb016a02020280000003008000001e478c1924", "68ce3c80", "65888400"}));
  ASSERT_TRUE(size);
  EXPECT_EQ(*size, (std::pair<int, int>{1280, 720}));
  size = KeyframeSize(
      VideoCodec::kH264,
      AnnexB({"67640028acd940780227e5c05a808080a0000003002000000791e30632c0", "65888400"}));
  ASSERT_TRUE(size);
  EXPECT_EQ(*size, (std::pair<int, int>{1920, 1088}));
  // A hostile SPS: 1024 x 1024 macroblocks (16384x16384).
  size = KeyframeSize(VideoCodec::kH264, AnnexB({"6742c01fda001000008012", "65888400"}));
  ASSERT_TRUE(size);
  EXPECT_EQ(*size, (std::pair<int, int>{16384, 16384}));
  // A high-profile SPS whose scaling list has a delta_scale of 2^31 - 1 (H.264 allows -128..127),
  // the rest well formed (80x80): refused as unreadable, as a decoder refuses it, and no integer
  // overflow on the way.
  EXPECT_FALSE(KeyframeSize(VideoCodec::kH264,
                            AnnexB({"67640028ad8000000300fffffffefffe03c52e", "65888400"})));
  // No SPS, or one cut short: nothing to say.
  EXPECT_FALSE(KeyframeSize(VideoCodec::kH264, AnnexB({"65888400"})));
  EXPECT_FALSE(KeyframeSize(VideoCodec::kH264, AnnexB({"6742c01f"})));
}

TEST(CodecPayload, H264SingleStapAndFuA) {
  const std::vector<uint8_t> sc = {0, 0, 0, 1};
  // STAP-A with SPS (7) and PPS (8): starts a keyframe.
  std::vector<uint8_t> stap = {0x18, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce};
  auto i1 = InspectVideoPayload(VideoCodec::kH264, stap);
  ASSERT_TRUE(i1);
  EXPECT_TRUE(i1->frame_start);
  EXPECT_TRUE(i1->keyframe);
  // FU-A of an IDR slice (type 5), first fragment, first_mb_in_slice = 0.
  std::vector<uint8_t> fu1 = {0x7c, 0x85, 0x88, 0x01}, fu2 = {0x7c, 0x45, 0x02, 0x03};
  auto i2 = InspectVideoPayload(VideoCodec::kH264, fu1);
  ASSERT_TRUE(i2);
  EXPECT_TRUE(i2->keyframe);
  EXPECT_FALSE(InspectVideoPayload(VideoCodec::kH264, fu2)->frame_start);
  std::vector<uint8_t> au;
  ASSERT_TRUE(AppendDepacketized(VideoCodec::kH264, stap, au));
  ASSERT_TRUE(AppendDepacketized(VideoCodec::kH264, fu1, au));
  ASSERT_TRUE(AppendDepacketized(VideoCodec::kH264, fu2, au));
  std::vector<uint8_t> want = sc;
  want.insert(want.end(), {0x67, 0x42});
  want.insert(want.end(), sc.begin(), sc.end());
  want.insert(want.end(), {0x68, 0xce});
  want.insert(want.end(), sc.begin(), sc.end());
  want.insert(want.end(), {0x65, 0x88, 0x01, 0x02, 0x03});  // NAL header rebuilt: NRI 3, type 5.
  EXPECT_EQ(au, want);
  // A single non-IDR slice continuing a frame (first_mb_in_slice != 0).
  auto i3 = InspectVideoPayload(VideoCodec::kH264, std::vector<uint8_t>{0x41, 0x40});
  ASSERT_TRUE(i3);
  EXPECT_FALSE(i3->frame_start);
  EXPECT_FALSE(i3->keyframe);
  // Malformed: STAP-A whose size runs past the end; FU-A too short; reserved type 30.
  EXPECT_FALSE(
      InspectVideoPayload(VideoCodec::kH264, std::vector<uint8_t>{0x18, 0x00, 0x09, 0x67}));
  EXPECT_FALSE(InspectVideoPayload(VideoCodec::kH264, std::vector<uint8_t>{0x7c, 0x85}));
  EXPECT_FALSE(InspectVideoPayload(VideoCodec::kH264, std::vector<uint8_t>{0x1e, 0x00}));
}

// ----- Audio ----------------------------------------------------------------------------------

std::vector<uint8_t> Opus(uint8_t tag) { return {0xfc, tag}; }

TEST(AudioJitterBuffer, BuffersTwoPacketsThenPlaysInOrder) {
  AudioJitterBuffer jb(2, 8);
  std::vector<uint8_t> out;
  jb.Insert(11, Opus(11));
  EXPECT_EQ(jb.Pop(out), AudioJitterBuffer::Result::kInactive);
  jb.Insert(10, Opus(10));  // Out of order.
  ASSERT_EQ(jb.Pop(out), AudioJitterBuffer::Result::kPacket);
  EXPECT_EQ(out[1], 10);
  ASSERT_EQ(jb.Pop(out), AudioJitterBuffer::Result::kPacket);
  EXPECT_EQ(out[1], 11);
}

TEST(AudioJitterBuffer, LossIsConcealedAndLatePacketsAreDropped) {
  AudioJitterBuffer jb(2, 8);
  std::vector<uint8_t> out;
  jb.Insert(65534, Opus(1));
  jb.Insert(65535, Opus(2));
  jb.Insert(1, Opus(4));  // 0 is lost (wraps).
  EXPECT_EQ(jb.Pop(out), AudioJitterBuffer::Result::kPacket);
  EXPECT_EQ(jb.Pop(out), AudioJitterBuffer::Result::kPacket);
  EXPECT_EQ(jb.Pop(out), AudioJitterBuffer::Result::kLost);
  jb.Insert(0, Opus(3));  // Too late: already concealed.
  ASSERT_EQ(jb.Pop(out), AudioJitterBuffer::Result::kPacket);
  EXPECT_EQ(out[1], 4);
  EXPECT_EQ(jb.lost(), 1u);
}

TEST(AudioJitterBuffer, StoppedSenderBecomesInactiveAndRestartsCleanly) {
  AudioJitterBuffer jb(2, 8);
  std::vector<uint8_t> out;
  jb.Insert(1, Opus(1));
  jb.Insert(2, Opus(2));
  jb.Pop(out);
  jb.Pop(out);
  int lost = 0;
  for (int i = 0; i < 5; ++i) lost += jb.Pop(out) == AudioJitterBuffer::Result::kLost;
  EXPECT_EQ(lost, 5) << "100 ms of concealment";
  EXPECT_EQ(jb.Pop(out), AudioJitterBuffer::Result::kInactive);
  EXPECT_FALSE(jb.active());
  jb.Insert(500, Opus(5));
  jb.Insert(501, Opus(6));
  ASSERT_EQ(jb.Pop(out), AudioJitterBuffer::Result::kPacket);
  EXPECT_EQ(out[1], 5);
}

TEST(AudioJitterBuffer, ABurstIsCutBackToTheTargetDelay) {
  AudioJitterBuffer jb(2, 8);
  std::vector<uint8_t> out;
  for (uint16_t s = 0; s < 9; ++s) jb.Insert(s, Opus(uint8_t(s)));
  ASSERT_EQ(jb.Pop(out), AudioJitterBuffer::Result::kPacket);
  EXPECT_EQ(out[1], 7) << "kept the newest two packets";
}

// Steady flow: one packet waits after each Pop (the target of two, less the one played). After a
// hold-up, three wait. The buffer gives the extra 40 ms back, one packet per second, and never
// trims the steady flow.
TEST(AudioJitterBuffer, LatencyLeftByADelayIsGivenBackOnePacketPerSecond) {
  AudioJitterBuffer jb(2, 8);
  std::vector<uint8_t> out;
  uint16_t seq = 0;
  jb.Insert(seq, Opus(0)), ++seq;
  auto tick = [&] {  // One arrival, then one Pop: the steady flow.
    jb.Insert(seq, Opus(uint8_t(seq))), ++seq;
    return jb.Pop(out);
  };
  for (int i = 0; i < 120; ++i) ASSERT_EQ(tick(), AudioJitterBuffer::Result::kPacket);
  EXPECT_EQ(jb.trimmed(), 0u) << "steady flow at the target is never trimmed";
  EXPECT_EQ(jb.depth(), 1u);
  for (int i = 0; i < 2; ++i) jb.Insert(seq, Opus(uint8_t(seq))), ++seq;  // Two extra: 40 ms more.
  EXPECT_EQ(jb.depth(), 3u);
  int played = 0;
  for (int i = 0; i < 200; ++i) played += tick() == AudioJitterBuffer::Result::kPacket;
  EXPECT_EQ(played, 200) << "nothing concealed";
  EXPECT_EQ(jb.trimmed(), 2u);
  EXPECT_EQ(jb.depth(), 1u) << "back to the target";
  EXPECT_EQ(jb.lost(), 0u);
}

}  // namespace
}  // namespace mcu::media
