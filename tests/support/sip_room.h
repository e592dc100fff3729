// A SIP room system for tests: Debian's baresip, headless, over SIP/TLS with SDES-keyed SRTP
// (mediaenc=srtp-mand), one audio codec, a sine tone as its microphone (a WAV file through the
// aufile source) and what it hears recorded by the sndfile filter. With video, its camera is
// baresip's fakevideo (three vertical bars: red, green, blue) sent as H.264 (avcodec), and what
// it receives can be saved as a PNG. It dials a conference on the MCU and stays in the call
// until stopped.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "tests/support/analysis.h"
#include "tests/support/files.h"
#include "tests/support/process.h"

namespace mcu::test {

struct SipRoomOptions {
  std::string user = "phong1";  // Its From user: the MCU's site has sip_uri sip:<user>@127.0.0.1.
  // baresip's codec name: "G722/16000/1", "PCMU/8000/1", "PCMA/8000/1", "opus/48000/2".
  std::string codec = "G722/16000/1";
  double tone_hz = 440;
  std::string mediaenc = "srtp-mand";  // "dtls_srtp": DTLS-SRTP; empty: plain RTP.
  bool rtcp_mux = false;               // baresip's default: RTCP on the next port.
  bool ice = false;                    // Full ICE (medianat=ice, host candidates only).
  std::string transport = "tls";       // Its SIP: "tls", or "udp" (a closed line).
  // Video: every codec baresip has (H.264 in packetization-mode 0 and 1, H.263, MPEG-4, H.265)
  // offered, as a room system does; the MCU picks H.264.
  bool video = false;
  // Its account's video_codecs (baresip takes the first variant of each name); empty: all.
  std::string video_codecs;
};

class SipRoom {
 public:
  explicit SipRoom(const SipRoomOptions& options);
  // Dials sip:<conference>@127.0.0.1:<port> over its transport (TLS unless told).
  void Dial(const std::string& conference, int sip_tls_port);
  // Waits for calls on TLS (its own certificate), answering each at once; again after Kill().
  void Listen();
  // Where it takes calls: sip:<user>@127.0.0.1:<port>;transport=tls.
  std::string uri() const;
  // Dies without a BYE, as a room that loses power.
  void Kill();
  // Ends baresip (its BYE goes out) and reads what it heard in its last call; false if there is
  // no recording.
  bool StopAndReadHeard(Wav* heard);
  // Saves the next video frame it decodes as a PNG at `path` (through baresip's console);
  // false if no whole file was written within `timeout`.
  bool SnapshotReceived(const std::string& path, std::chrono::milliseconds timeout);
  Process* process() { return process_.get(); }
  std::string Log() const { return process_ ? process_->Log() : ""; }

 private:
  SipRoomOptions options_;
  uint16_t console_port_ = 0;  // baresip's UDP console (the cons module), with video.
  uint16_t sip_port_ = 0;      // UDP and TCP; TLS on the next port.
  TempDir dir_{"mcu-sip-room"};
  std::unique_ptr<Process> process_;
};

}  // namespace mcu::test
