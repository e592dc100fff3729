// SIP sites (kind "sip"): a room system known by its SIP address. A call is this site's when its
// caller's From URI has the site URI's user part and, where the site URI's host is an IPv4
// address, comes from that address (else the From host must be the site URI's host). On a closed
// network with SIP over TLS this is the "registered URI/address" identity; digest credentials
// are a later option. Pure: any thread.
#pragma once

#include <string>
#include <string_view>

#include "mcu/expected.h"

namespace mcu {

struct SipUri {
  std::string scheme;  // "sip" or "sips".
  std::string user;    // May be empty (a bare host).
  std::string host;    // Lower case.
  int port = 0;        // 0: not given.
};

// "sip:room1@10.0.0.5", "sips:101@codec.tinh.vn:5061;transport=tls", "<sip:a@b>" (angle
// brackets and a display name before them are allowed); parameters and headers are dropped.
Expected<SipUri> ParseSipUri(std::string_view text);

// Whether calling `uri` goes over plain SIP: a sip: URI with ;transport=tcp or ;transport=udp
// (the MCU calls sips: and other sip: URIs over TLS).
bool SipUriIsPlain(std::string_view uri);

// Whether a call from `from_uri`, arriving from `source_ip`, is the site whose URI is `site_uri`.
bool SipCallerMatches(const SipUri& site_uri, const SipUri& from_uri, std::string_view source_ip);

}  // namespace mcu
