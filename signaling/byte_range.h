// The byte range an HTTP Range header asks of a file (RFC 9110 14.1.2 and 14.2), as a browser's
// video element and a resumed download send it. One range is served; several ranges, another
// unit or a malformed header get the whole file (RFC 9110 allows ignoring Range). Pure code: no
// I/O, any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace mcu::signaling {

struct ByteRange {
  enum class Kind {
    kWhole,          // 200 with the whole file.
    kPartial,        // 206 with bytes [first, last] of it.
    kUnsatisfiable,  // 416: the range begins past its end.
  };
  Kind kind = Kind::kWhole;
  uint64_t first = 0, last = 0;  // Inclusive; set for kPartial.
};

// `header`: the Range header's value ("" when absent); `size`: the file's size in bytes.
ByteRange ParseByteRange(std::string_view header, uint64_t size);

}  // namespace mcu::signaling
