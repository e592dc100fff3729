// The pure parts of the SIP agent (signaling/sip_agent.h): what an INFO body asks for, SDP
// bodies made safe for a debug log, and the per-source request limit. No sofia, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "signaling/rate_limiter.h"

namespace mcu::signaling {

// `sdp` with the key of every `a=crypto:... inline:KEY` replaced by "<redacted>" (the lifetime
// and MKI fields after '|' are kept). SDES keys are secrets: this is the only form in which an
// SDP body may reach a log, and only at debug.
std::string RedactSdpKeys(std::string_view sdp);

// What an INFO request carries, by its Content-Type (parameters and case ignored) and body.
struct InfoRequest {
  enum class Kind {
    kEmpty,        // No body (a keep-alive): 200.
    kKeyframe,     // application/media_control+xml with picture_fast_update (RFC 5168).
    kDtmf,         // application/dtmf-relay "Signal=5", application/dtmf "5": `digit`.
    kIgnored,      // A known type that asks for nothing we do (other media_control): 200.
    kUnsupported,  // Any other type, or a DTMF body without a valid digit: 415.
  };
  Kind kind = Kind::kEmpty;
  char digit = 0;  // For kDtmf: 0-9 * # A-D.
};
InfoRequest ParseInfo(std::string_view content_type, std::string_view body);

// The INFO bodies the agent accepts: the Accept of an INFO's 415, and with application/sdp
// (which nua adds) of an OPTIONS' 200.
inline constexpr const char* kSipInfoTypes =
    "application/media_control+xml, application/dtmf-relay, application/dtmf";

// INVITE and OPTIONS per source address: a token bucket each. Pure: the caller supplies the
// time (seconds, monotonic). Sources idle for a minute are forgotten.
class SourceLimiter {
 public:
  SourceLimiter(double rate, double burst, double log_interval_s)
      : rate_(rate), burst_(burst), log_interval_s_(log_interval_s) {}

  struct Verdict {
    bool allowed = true;
    // Set on a refusal when this source has not been logged for log_interval_s: log it now,
    // with the number of requests refused since the last log (this one included).
    bool log = false;
    uint64_t refused_since_log = 0;
  };
  Verdict Check(const std::string& source, double now_s);
  size_t sources() const { return sources_.size(); }

 private:
  struct Source {
    TokenBucket bucket;
    double last_seen_s = 0;
    double last_log_s = -1e9;
    uint64_t refused = 0;
  };
  double rate_, burst_, log_interval_s_;
  double last_prune_s_ = 0;
  std::unordered_map<std::string, Source> sources_;
};

}  // namespace mcu::signaling
