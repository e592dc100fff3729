// Specs of the Range header a recording's download answers (signaling/byte_range.h).
#include "signaling/byte_range.h"

#include <gtest/gtest.h>

namespace mcu::signaling {
namespace {

using Kind = ByteRange::Kind;

void ExpectPart(std::string_view header, uint64_t size, uint64_t first, uint64_t last) {
  const ByteRange r = ParseByteRange(header, size);
  EXPECT_EQ(r.kind, Kind::kPartial) << header;
  EXPECT_EQ(r.first, first) << header;
  EXPECT_EQ(r.last, last) << header;
}

TEST(ByteRange, OneRangeIsServedAsAskedAndCutAtTheEnd) {
  ExpectPart("bytes=0-99", 1000, 0, 99);
  ExpectPart("bytes=100-", 1000, 100, 999);
  ExpectPart("bytes=-100", 1000, 900, 999);
  ExpectPart("bytes=990-2000", 1000, 990, 999);
  ExpectPart("bytes=-5000", 1000, 0, 999);
  ExpectPart("bytes=999-999", 1000, 999, 999);
}

TEST(ByteRange, NoHeaderSeveralRangesOrAnythingMalformedGetTheWholeFile) {
  for (std::string_view h :
       {"", "bytes=0-1,5-6", "items=0-1", "bytes=a-", "bytes=5-1", "bytes=-", "bytes= 0-1",
        "bytes=+1-2", "bytes=0-1-2", "bytes=1234567890123456789-"})
    EXPECT_EQ(ParseByteRange(h, 1000).kind, Kind::kWhole) << h;
}

TEST(ByteRange, ARangeThatBeginsPastTheEndCannotBeServed) {
  EXPECT_EQ(ParseByteRange("bytes=1000-", 1000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseByteRange("bytes=0-", 0).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseByteRange("bytes=-0", 1000).kind, Kind::kUnsatisfiable);
}

}  // namespace
}  // namespace mcu::signaling
