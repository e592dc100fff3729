// Fuzz target: what a peer's datagrams meet once SRTP has authenticated them (media/rtp.h):
// Classify, ParseRtp and the header setters, ParseRtcp (reports, NACK, PLI/FIR, TMMBR, BYE), and
// writing back the TMMBN of each TMMBR read. Checks only that nothing crashes, leaks or runs into
// undefined behaviour, and that a parsed header never claims more than the datagram holds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "media/rtp.h"

using namespace mcu::media;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const rtp::Bytes packet(data, size);
  (void)rtp::Classify(packet);
  if (auto h = rtp::ParseRtp(packet)) {
    if (h->header_size + h->payload_size > size) abort();
    std::vector<uint8_t> copy(data, data + size);
    rtp::SetSsrc(copy, h->ssrc + 1);
    rtp::SetSequence(copy, static_cast<uint16_t>(h->sequence + 1));
    rtp::SetTimestamp(copy, h->timestamp + 1);
  }
  if (auto rtcp = rtp::ParseRtcp(packet)) {
    std::vector<uint8_t> out;
    for (const auto& t : rtcp->tmmbrs) rtp::WriteTmmbn(1, t, out);
    for (const auto& n : rtcp->nacks)
      if (n.sequences.size() > size * 17) abort();  // At most 17 numbers per 4-byte entry.
  }
  return 0;
}
