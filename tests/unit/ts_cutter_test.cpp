// Specs of the MPEG-TS cutter (media/ts_cutter.h) feeding the live stream's segmenter: segments
// begin where a video keyframe's PES begins, with the PAT and PMT again in front; audio access
// units, video delta frames and stray bytes cut nothing; durations come from the PTS, across
// the 33-bit clock's wrap; packets split between calls are joined.
#include "media/ts_cutter.h"

#include <gtest/gtest.h>

#include <string>

#include "media/segmenter.h"

namespace mcu::media {
namespace {

constexpr uint16_t kPmtPid = 0x20, kVideoPid = 0x41, kAudioPid = 0x42;

// A packet of `pid`; `adaptation` flags (0x40: random access) if not negative; the payload
// padded with 0xff.
std::string Packet(uint16_t pid, bool unit_start, int adaptation, const std::string& payload) {
  std::string p(TsCutter::kPacket, '\xff');
  p[0] = 0x47;
  p[1] = static_cast<char>((unit_start ? 0x40 : 0) | (pid >> 8));
  p[2] = static_cast<char>(pid & 0xff);
  size_t at = 4;
  if (adaptation >= 0) {
    p[3] = 0x30;
    p[4] = 1;
    p[5] = static_cast<char>(adaptation);
    at = 6;
  } else {
    p[3] = 0x10;
  }
  p.replace(at, payload.size(), payload);
  return p;
}

std::string Pat() {
  // pointer, table 0, length 13, ts id, version, sections; program 1 -> PMT PID; CRC.
  return Packet(0, true, -1,
                std::string("\0\0\xb0\x0d\0\x01\xc1\0\0\0\x01", 11) +
                    std::string{'\xe0', static_cast<char>(kPmtPid), 0, 0, 0, 0});
}

std::string Pmt() {
  // Program 1, PCR on the video PID, no program info; audio (AAC, 0x0f) first, then video.
  std::string body("\0\x01\xc1\0\0\xe0\x41\xf0\x00", 9);
  body += std::string("\x0f\xe0\x42\xf0\x00", 5) + std::string("\x1b\xe0\x41\xf0\x00", 5);
  const size_t length = body.size() + 4;
  return Packet(kPmtPid, true, -1,
                std::string("\0\x02", 2) + static_cast<char>(0xb0) + static_cast<char>(length) +
                    body + std::string(4, '\0'));
}

// A PES start on `pid` with the PTS `pts` (90 kHz).
std::string Pes(uint16_t pid, int adaptation, int64_t pts) {
  std::string h("\0\0\x01\xe0\0\0\x80\x80\x05", 9);
  h += static_cast<char>(0x21 | ((pts >> 29) & 0x0e));
  h += static_cast<char>((pts >> 22) & 0xff);
  h += static_cast<char>(((pts >> 14) & 0xfe) | 1);
  h += static_cast<char>((pts >> 7) & 0xff);
  h += static_cast<char>(((pts << 1) & 0xfe) | 1);
  return Packet(pid, true, adaptation, h);
}

void Feed(TsCutter& c, const std::string& bytes) {
  c.Add(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

// One second of stream from `pts`: a keyframe, audio, delta frames, audio.
std::string Second(int64_t pts) {
  return Pes(kVideoPid, 0x40, pts) + Packet(kVideoPid, false, -1, "k") + Pes(kAudioPid, 0x40, pts) +
         Pes(kVideoPid, 0, pts + 45'000) + Packet(kVideoPid, false, -1, "d") +
         Pes(kAudioPid, 0x40, pts + 45'000);
}

TEST(TsCutter, SegmentsBeginAtVideoKeyframesWithThePatAndPmtBeforeThem) {
  Segmenter s({.target_us = 2'000'000, .keep = 6, .container = Segmenter::Container::kTs});
  TsCutter c(s);
  Feed(c, Second(0));  // Before the PAT and PMT: no keyframe is known, nothing is kept.
  Feed(c, Pat() + Pmt());
  EXPECT_EQ(c.video_pid(), kVideoPid);
  for (int i = 0; i < 5; ++i) Feed(c, Second(90'000 * (1 + i)));
  // Keyframes at 1, 2, 3, 4, 5 s: segments [1, 3) and [3, 5) are whole.
  ASSERT_EQ(s.segments_made(), 2u);
  auto first = s.Segment(0);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->size(), 2 * (2 + 6) * TsCutter::kPacket) << "twice PAT, PMT and a second";
  EXPECT_EQ(first->substr(0, 2 * TsCutter::kPacket), Pat() + Pmt());
  EXPECT_EQ(first->substr(2 * TsCutter::kPacket, TsCutter::kPacket), Pes(kVideoPid, 0x40, 90'000));
  EXPECT_EQ(s.Init(), nullptr) << "MPEG-TS has no init segment";
  EXPECT_EQ(s.Playlist("?token=t"),
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
            "#EXTINF:2.000,\n0.ts?token=t\n#EXTINF:2.000,\n1.ts?token=t\n");
  EXPECT_EQ(c.skipped_bytes(), 0u);
}

TEST(TsCutter, PacketsSplitBetweenCallsAreJoinedAndStrayBytesSkipped) {
  Segmenter s({.target_us = 1'000'000, .keep = 6, .container = Segmenter::Container::kTs});
  TsCutter c(s);
  std::string all = Pat() + Pmt();
  for (int i = 0; i < 3; ++i) all += Second(90'000 * i);
  all.insert(TsCutter::kPacket * 2, "junk");  // Between the PMT and the first keyframe.
  for (size_t i = 0; i < all.size(); i += 100) Feed(c, all.substr(i, 100));
  EXPECT_EQ(c.skipped_bytes(), 4u);
  ASSERT_EQ(s.segments_made(), 2u);
  EXPECT_EQ(s.Segment(1)->substr(2 * TsCutter::kPacket, TsCutter::kPacket),
            Pes(kVideoPid, 0x40, 90'000));
}

TEST(TsCutter, DurationsCarryAcrossTheWrapOfThe33BitClock) {
  Segmenter s({.target_us = 1'000'000, .keep = 6, .container = Segmenter::Container::kTs});
  TsCutter c(s);
  constexpr int64_t kWrap = int64_t{1} << 33;
  Feed(c, Pat() + Pmt() + Second(kWrap - 45'000) + Second(45'000) + Second(135'000));
  ASSERT_EQ(s.segments_made(), 2u);
  const std::string list = s.Playlist();
  EXPECT_NE(list.find("#EXTINF:1.000,\n0.ts\n#EXTINF:1.000,\n1.ts\n"), std::string::npos) << list;
}

}  // namespace
}  // namespace mcu::media
