// Specs of the live stream's segmenter (media/segmenter.h): the header becomes the init segment,
// segments begin on keyframe clusters and last at least the target, only whole segments are
// listed, the oldest go, and the playlist says so.
#include "media/segmenter.h"

#include <gtest/gtest.h>

#include <string>

namespace mcu::media {
namespace {

using Part = Segmenter::Part;

void Add(Segmenter& s, const std::string& bytes, Part part, int64_t pts_us = 0) {
  s.Add(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), part, pts_us);
}

// A cluster that begins with a keyframe at `ms`, then `frames` delta frames.
void Cluster(Segmenter& s, int64_t ms, int frames = 2) {
  Add(s, "[K" + std::to_string(ms) + "]", Part::kKeyframeCluster, ms * 1000);
  for (int i = 0; i < frames; ++i) Add(s, "d", Part::kOther);
}

TEST(Segmenter, TheHeaderIsTheInitSegmentAndSegmentsStartOnKeyframesPastTheTarget) {
  Segmenter s({.target_us = 2'000'000, .keep = 3});
  Add(s, "EBML", Part::kHeader);
  Add(s, "TRACKS", Part::kHeader);
  EXPECT_EQ(s.Init(), nullptr) << "not before the header is complete";
  Add(s, "x", Part::kOther);  // Nothing before the first keyframe cluster is kept.
  Cluster(s, 0);
  ASSERT_NE(s.Init(), nullptr);
  EXPECT_EQ(*s.Init(), "EBMLTRACKS");
  EXPECT_EQ(s.Playlist(),
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n")
      << "no whole segment yet";
  Cluster(s, 1000);  // Under the target: the same segment.
  Cluster(s, 2100);  // Past it: segment 0 is whole.
  ASSERT_NE(s.Segment(0), nullptr);
  EXPECT_EQ(*s.Segment(0), "[K0]dd[K1000]dd");
  EXPECT_EQ(s.Segment(1), nullptr) << "segment 1 is still being written";
  EXPECT_EQ(s.Playlist("?v=abc"),
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:0\n"
            "#EXT-X-MAP:URI=\"init.webm?v=abc\"\n#EXTINF:2.100,\n0.webm?v=abc\n");
}

TEST(Segmenter, OnlyTheLastSegmentsAreKeptAndListed) {
  Segmenter s({.target_us = 1'000'000, .keep = 2});
  Add(s, "H", Part::kHeader);
  for (int i = 0; i <= 5; ++i) Cluster(s, i * 1000, 1);
  EXPECT_EQ(s.segments_made(), 5u);
  EXPECT_EQ(s.Segment(2), nullptr);
  ASSERT_NE(s.Segment(3), nullptr);
  EXPECT_EQ(*s.Segment(4), "[K4000]d");
  const std::string list = s.Playlist();
  EXPECT_NE(list.find("#EXT-X-MEDIA-SEQUENCE:3\n"), std::string::npos) << list;
  EXPECT_EQ(list.find("2.webm"), std::string::npos) << list;
  EXPECT_NE(list.find("#EXTINF:1.000,\n4.webm\n"), std::string::npos) << list;
}

}  // namespace
}  // namespace mcu::media
