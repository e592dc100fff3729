#include "signaling/byte_range.h"

#include <charconv>

namespace mcu::signaling {

namespace {

// Digits only (no sign, no space), at most 18 of them: a number a file's size can reach.
bool ReadNumber(std::string_view text, uint64_t* out) {
  if (text.empty() || text.size() > 18) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  return std::from_chars(text.data(), text.data() + text.size(), *out).ec == std::errc();
}

}  // namespace

ByteRange ParseByteRange(std::string_view header, uint64_t size) {
  constexpr std::string_view kUnit = "bytes=";
  ByteRange whole;
  if (!header.starts_with(kUnit)) return whole;
  std::string_view spec = header.substr(kUnit.size());
  while (!spec.empty() && spec.back() == ' ') spec.remove_suffix(1);
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos || spec.find(',') != std::string_view::npos) return whole;
  const std::string_view from = spec.substr(0, dash), to = spec.substr(dash + 1);
  uint64_t first = 0, last = 0;
  if (from.empty()) {  // "-N": the last N bytes.
    uint64_t suffix = 0;
    if (!ReadNumber(to, &suffix)) return whole;
    if (suffix == 0 || size == 0) return {ByteRange::Kind::kUnsatisfiable};
    first = suffix >= size ? 0 : size - suffix;
    return {ByteRange::Kind::kPartial, first, size - 1};
  }
  if (!ReadNumber(from, &first)) return whole;
  if (to.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else if (!ReadNumber(to, &last) || last < first) {
    return whole;
  }
  if (first >= size) return {ByteRange::Kind::kUnsatisfiable};
  if (last >= size) last = size - 1;
  return {ByteRange::Kind::kPartial, first, last};
}

}  // namespace mcu::signaling
