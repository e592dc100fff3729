// An audio-only site inside the test process: WSS signalling to a real MCU, the project's
// transport in the answerer role with the offer's video section rejected (port 0, as
// `mcu-loadgen --no-video` answers), a sine tone sent as Opus every 20 ms, and the audio it
// receives decoded (libopus) into 48 kHz mono for the analysis in analysis.h.
//
// Threading: the test thread calls the methods; the transport, the tone timer and the decoder
// live on the shared IoLoop. Destroy every AudioSite before their IoLoop.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "media/dtls.h"
#include "media/io_loop.h"
#include "media/peer_transport.h"
#include "media/sdp.h"
#include "tests/support/analysis.h"
#include "tests/support/ws_client.h"

struct OpusEncoder;
struct OpusDecoder;

namespace mcu::test {

class McuProcess;

// What the in-process sites of a test share: one I/O loop and one DTLS identity (SRTP
// initialised). Declare it before the sites: they go first.
struct SiteMedia {
  SiteMedia();
  bool ok() const { return dtls != nullptr; }
  media::IoLoop loop;
  std::shared_ptr<media::DtlsContext> dtls;
};

class AudioSite : public media::PeerTransport::Listener {
 public:
  AudioSite(media::IoLoop* loop, std::shared_ptr<media::DtlsContext> dtls, McuProcess& mcu,
            std::string token, double tone_hz);
  // A console preview (/api/v1/preview) with a logged-in user's session cookie instead of a
  // site: it joins without `auth`. It still sends its tone, which the MCU must drop.
  static std::unique_ptr<AudioSite> Preview(media::IoLoop* loop,
                                            std::shared_ptr<media::DtlsContext> dtls,
                                            McuProcess& mcu, const std::string& session_cookie,
                                            double tone_hz);
  ~AudioSite() override;

  // Authenticates, joins `conference` and answers its offer; false with error() if a step fails.
  bool Join(const std::string& conference);
  bool WaitConnected(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // What the site receives over the next `seconds`.
  Wav Record(double seconds);
  // Listens in 0.4 s windows until what it heard satisfies `heard`, or the timeout passes; says
  // whether it did. For the time the mix takes to settle (a join, a mute), instead of a sleep.
  bool WaitHearing(const std::function<bool(const Wav&)>& heard,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The next endpoint event of `type` the MCU sends this site ("left", ...), or nullopt.
  std::optional<nlohmann::json> WaitEvent(
      const std::string& type, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Sends the answer it gave once more (a second answer to one offer); the MCU's reply (an error,
  // or nullopt if none came).
  std::optional<nlohmann::json> AnswerAgain();
  // The MCU's statistics for this site (getStats), or null.
  nlohmann::json Stats();
  // Before Join: answer the offer's video too (VP8), so that SendVideo reaches the MCU's video
  // path. The site still decodes only audio.
  void AcceptVideo() { accept_video_ = true; }
  // Before Join: answer the offer but keep the site's own transport from using it (no ICE checks
  // of its own, no DTLS) until ReleaseIce(). The MCU has the answer, so its DTLS server waits
  // for a ClientHello: the window a hostile ClientHello would race for.
  void HoldIce() { hold_ice_ = true; }
  void ReleaseIce();
  // The MCU's offer, as it came (its candidates say where its media port is).
  const std::string& offer() const { return offer_; }
  const std::string& answer() const { return answer_; }
  // One VP8 RTP packet with this sequence number, a tiny interframe (a hostile or broken sender:
  // the test chooses the numbers), or with `keyframe_size` a whole one-packet keyframe whose
  // header declares that size (its picture data is not real). Any thread; sent from the IoLoop.
  void SendVideo(uint16_t seq, std::optional<std::pair<int, int>> keyframe_size = std::nullopt);
  const std::string& error() const { return error_; }

  void OnTransportConnected(media::RtpTransport&) override { connected_ = true; }
  void OnTransportFailed(media::RtpTransport&, const std::string&) override {}
  void OnTransportRtp(media::RtpTransport&, media::sdp::Kind kind, const media::rtp::RtpHeader& h,
                      std::span<uint8_t> packet) override;
  void OnTransportKeyframeRequest(media::RtpTransport&) override {}

 private:
  void SendTone();  // IoLoop: one 20 ms frame.
  AudioSite(media::IoLoop* loop, std::shared_ptr<media::DtlsContext> dtls, McuProcess& mcu,
            std::string token, double tone_hz, const std::string& session_cookie);

  media::IoLoop* loop_;
  std::shared_ptr<media::DtlsContext> dtls_;
  std::string token_;  // Empty: a preview.
  double tone_hz_;
  TestWs ws_;
  std::string error_;
  std::atomic<bool> connected_{false};
  bool accept_video_ = false;
  bool hold_ice_ = false;
  std::string offer_;   // The MCU's offer.
  std::string answer_;  // The answer it sent.
  int video_pt_ = -1;   // IoLoop: VP8's payload type in the MCU's offer.
  // IoLoop.
  std::unique_ptr<media::PeerTransport> transport_;
  std::optional<media::sdp::RemoteDescription> held_remote_;  // HoldIce: the offer, not applied.
  OpusEncoder* encoder_ = nullptr;
  OpusDecoder* decoder_ = nullptr;
  unsigned timer_ = 0;
  uint64_t sent_samples_ = 0;
  uint16_t seq_ = 1;
  std::mutex mu_;  // recording_, pcm_.
  bool recording_ = false;
  std::vector<int16_t> pcm_;
};

}  // namespace mcu::test
