// A SIP room system for tests: Debian's baresip, headless, over SIP/TLS with SDES-keyed SRTP
// (mediaenc=srtp-mand), one audio codec, a sine tone as its microphone (a WAV file through the
// aufile source) and what it hears recorded by the sndfile filter. It dials a conference on the
// MCU and stays in the call until stopped.
#pragma once

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
  std::string mediaenc = "srtp-mand";  // Empty: plain RTP.
};

class SipRoom {
 public:
  explicit SipRoom(const SipRoomOptions& options);
  // Dials sip:<conference>@127.0.0.1:<port> over TLS.
  void Dial(const std::string& conference, int sip_tls_port);
  // Ends baresip (its BYE goes out) and reads what it heard; false if there is no recording.
  bool StopAndReadHeard(Wav* heard);
  Process* process() { return process_.get(); }
  std::string Log() const { return process_ ? process_->Log() : ""; }

 private:
  SipRoomOptions options_;
  TempDir dir_{"mcu-sip-room"};
  std::unique_ptr<Process> process_;
};

}  // namespace mcu::test
