// Fuzz target: SDES a=crypto lines (media/sdes.h) as SIP offers and answers carry them. The whole
// input goes to sdes::ParseCrypto as one attribute (with or without "a="), and, split into lines
// (LF, a trailing CR dropped), to sdes::Choose as a media section's attributes; a line that
// parses is written back with sdes::Write. Checks only that nothing crashes, leaks or runs into
// undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "media/sdes.h"

namespace sdes = mcu::media::sdes;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (auto crypto = sdes::ParseCrypto(input)) (void)sdes::Write(*crypto);

  std::vector<std::string> attributes;
  for (size_t pos = 0; pos <= input.size();) {
    size_t end = input.find('\n', pos);
    if (end == std::string_view::npos) end = input.size();
    std::string_view line = input.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    attributes.emplace_back(line);
    pos = end + 1;
  }
  if (auto chosen = sdes::Choose(attributes)) (void)sdes::Write(*chosen);
  return 0;
}
