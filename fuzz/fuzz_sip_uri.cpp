// Fuzz target: SIP URIs (mcu/sip_site.h) as a caller's From header brings them. The input's first
// line (up to LF) goes to ParseSipUri; the rest is the address the call came from. A URI that
// parses goes to SipCallerMatches against two fixed site URIs (an IPv4 host and a domain), and
// as the site URI itself (site URIs come from the configuration and the REST API). Checks only
// that nothing crashes, leaks or runs into undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mcu/sip_site.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const mcu::SipUri site_ip = *mcu::ParseSipUri("sip:room1@10.0.0.5");
  static const mcu::SipUri site_host = *mcu::ParseSipUri("sips:101@codec.tinh.vn:5061");

  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view uri_text = input.substr(0, newline);
  const std::string_view source_ip =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  auto uri = mcu::ParseSipUri(uri_text);
  if (!uri) return 0;
  (void)mcu::SipCallerMatches(site_ip, *uri, source_ip);
  (void)mcu::SipCallerMatches(site_host, *uri, source_ip);
  (void)mcu::SipCallerMatches(*uri, site_ip, source_ip);
  (void)mcu::SipCallerMatches(*uri, *uri, source_ip);
  return 0;
}
