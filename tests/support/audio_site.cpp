#include "tests/support/audio_site.h"

#include <opus/opus.h>

#include <cmath>
#include <numbers>

#include "media/certificate.h"
#include "media/clock.h"
#include "media/rtp.h"
#include "media/sdp.h"
#include "media/srtp_session.h"
#include "tests/support/mcu_fixture.h"

namespace mcu::test {

namespace {
constexpr int kRate = 48000, kFrame = 960;  // 20 ms.
}

SiteMedia::SiteMedia() {
  auto cert = media::Certificate::Generate("audio-site", {}, 1);
  if (!cert.ok()) return;
  auto context = media::DtlsContext::Create(*cert);
  if (!context.ok()) return;
  dtls = *context;
  media::SrtpSession::GlobalInit();
}

AudioSite::AudioSite(media::IoLoop* loop, std::shared_ptr<media::DtlsContext> dtls, McuProcess& mcu,
                     std::string token, double tone_hz)
    : AudioSite(loop, std::move(dtls), mcu, std::move(token), tone_hz, "") {}

std::unique_ptr<AudioSite> AudioSite::Preview(media::IoLoop* loop,
                                              std::shared_ptr<media::DtlsContext> dtls,
                                              McuProcess& mcu, const std::string& session_cookie,
                                              double tone_hz) {
  return std::unique_ptr<AudioSite>(
      new AudioSite(loop, std::move(dtls), mcu, "", tone_hz, session_cookie));
}

AudioSite::AudioSite(media::IoLoop* loop, std::shared_ptr<media::DtlsContext> dtls, McuProcess& mcu,
                     std::string token, double tone_hz, const std::string& session_cookie)
    : loop_(loop),
      dtls_(std::move(dtls)),
      token_(std::move(token)),
      tone_hz_(tone_hz),
      ws_(token_.empty() ? "wss://127.0.0.1:" + std::to_string(mcu.port()) + "/api/v1/preview"
                         : mcu.url(),
          mcu.ca(), token_.empty() ? "mcu_session=" + session_cookie : "") {
  int err = 0;
  encoder_ = opus_encoder_create(kRate, 1, OPUS_APPLICATION_AUDIO, &err);
  opus_encoder_ctl(encoder_, OPUS_SET_BITRATE(32000));
  decoder_ = opus_decoder_create(kRate, 1, &err);
}

AudioSite::~AudioSite() {
  loop_->Invoke([this] {
    if (timer_) loop_->CancelTimer(timer_);
    transport_.reset();
  });
  opus_encoder_destroy(encoder_);
  opus_decoder_destroy(decoder_);
}

bool AudioSite::Join(const std::string& conference) {
  auto fail = [this](const std::string& why) {
    error_ = why;
    return false;
  };
  if (!ws_.Open()) return fail("cannot open the WebSocket");
  if (!token_.empty()) {
    ws_.Send({{"type", "auth"}, {"token", token_}});
    if (!ws_.WaitFor("welcome")) return fail("no welcome");
  }
  ws_.Send({{"type", "join"}, {"conference", conference}});
  auto offer = ws_.WaitFor("offer");
  if (!offer) return fail("no offer");
  std::string answer;
  loop_->Invoke([&] {
    auto parsed = media::sdp::Parse(offer->value("sdp", ""));
    if (!parsed) return void(error_ = "bad offer: " + parsed.error());
    media::TransportConfig tc;
    tc.ice_addresses = {"127.0.0.1"};
    transport_ = std::make_unique<media::PeerTransport>(loop_, tc, dtls_, this,
                                                        media::PeerTransport::Role::kAnswerer);
    if (auto st = transport_->Start(); !st) return void(error_ = st.error());
    media::sdp::OfferOptions opt;
    opt.video = accept_video_;
    opt.audio_ssrc = transport_->local_ssrc(media::sdp::Kind::kAudio);
    opt.video_ssrc = transport_->local_ssrc(media::sdp::Kind::kVideo);
    for (const auto& m : parsed->media)
      for (const auto& c : m.codecs)
        if (m.kind == media::sdp::Kind::kVideo && c.name == "VP8" && video_pt_ < 0)
          video_pt_ = c.payload_type;
    opt.cname = token_.empty() ? "preview" : token_;
    auto a =
        media::sdp::AnswerOffer(*parsed, transport_->local(), media::sdp::DefaultCodecs(), opt, 7);
    if (!a) return void(error_ = "cannot answer: " + a.error());
    if (hold_ice_)
      held_remote_ = a->remote;
    else
      transport_->ApplyRemote(a->remote);
    answer = media::sdp::Write(a->answer);
    const int64_t start = media::NowUs();
    timer_ = loop_->AddTimer(10, [this, start] {
      // Every frame that is due (the timer may fire late; the tone must not have gaps).
      while (sent_samples_ * 1'000'000 / kRate <= static_cast<uint64_t>(media::NowUs() - start))
        SendTone();
      return true;
    });
  });
  if (answer.empty()) return false;
  offer_ = offer->value("sdp", "");
  answer_ = answer;
  ws_.Send({{"type", "answer"}, {"sdp", answer}});
  return true;
}

void AudioSite::ReleaseIce() {
  loop_->Invoke([this] {
    if (transport_ && held_remote_) transport_->ApplyRemote(*held_remote_);
    held_remote_.reset();
  });
}

void AudioSite::SendVideo(uint16_t seq, std::optional<std::pair<int, int>> keyframe_size) {
  loop_->Post([this, seq, keyframe_size] {
    if (!transport_ || !transport_->connected() || video_pt_ < 0) return;
    // RTP header (marker set: each packet a whole frame), VP8 payload descriptor (S=1,
    // partition 0), then an interframe's first byte (P=1) ...
    std::vector<uint8_t> packet = {
        0x80, static_cast<uint8_t>(0x80 | video_pt_), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x01, 0,
        0};
    if (keyframe_size) {
      // ... or a keyframe: frame tag (P=0, shown, first partition 16 bytes), start code, the
      // 14-bit width and height, and some bytes for the partition.
      const auto [w, h] = *keyframe_size;
      packet.resize(13);
      for (int b : {0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, w & 0xff, (w >> 8) & 0x3f, h & 0xff,
                    (h >> 8) & 0x3f})
        packet.push_back(static_cast<uint8_t>(b));
      packet.resize(packet.size() + 64, 0x5a);
    }
    std::span<uint8_t> p(packet);
    media::rtp::SetSequence(p, seq);
    media::rtp::SetTimestamp(p, static_cast<uint32_t>(seq) * 3000);
    transport_->SendRtp(media::sdp::Kind::kVideo, p);
  });
}

bool AudioSite::WaitConnected(std::chrono::milliseconds timeout) {
  return WaitUntil([&] { return connected_.load(); }, timeout, std::chrono::milliseconds(10));
}

void AudioSite::SendTone() {
  int16_t pcm[kFrame];
  for (int i = 0; i < kFrame; ++i)
    pcm[i] = static_cast<int16_t>(
        6000 * std::sin(2 * std::numbers::pi * tone_hz_ * double(sent_samples_ + i) / kRate));
  uint8_t packet[12 + 1275] = {0x80, 111};
  int n = opus_encode(encoder_, pcm, kFrame, packet + 12, 1275);
  if (n > 0 && transport_->connected()) {
    std::span<uint8_t> p(packet, 12 + n);
    media::rtp::SetSequence(p, seq_++);
    media::rtp::SetTimestamp(p, static_cast<uint32_t>(sent_samples_));
    transport_->SendRtp(media::sdp::Kind::kAudio, p);
  }
  sent_samples_ += kFrame;
}

void AudioSite::OnTransportRtp(media::RtpTransport&, media::sdp::Kind kind,
                               const media::rtp::RtpHeader& h, std::span<uint8_t> packet) {
  if (kind != media::sdp::Kind::kAudio) return;
  int16_t pcm[kFrame * 6];  // Up to 120 ms.
  int n = opus_decode(decoder_, packet.data() + h.header_size,
                      static_cast<opus_int32>(h.payload_size), pcm, kFrame * 6, 0);
  std::lock_guard lock(mu_);
  if (recording_ && n > 0) pcm_.insert(pcm_.end(), pcm, pcm + n);
}

Wav AudioSite::Record(double seconds) {
  {
    std::lock_guard lock(mu_);
    pcm_.clear();
    recording_ = true;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)));
  std::lock_guard lock(mu_);
  recording_ = false;
  return Wav{kRate, std::move(pcm_)};
}

bool AudioSite::WaitHearing(const std::function<bool(const Wav&)>& heard,
                            std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    if (heard(Record(0.4))) return true;
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

std::optional<nlohmann::json> AudioSite::WaitEvent(const std::string& type,
                                                   std::chrono::milliseconds timeout) {
  return ws_.WaitFor(type, timeout);
}

std::optional<nlohmann::json> AudioSite::AnswerAgain() {
  ws_.Send({{"type", "answer"}, {"sdp", answer_}});
  return ws_.WaitFor("error");
}

nlohmann::json AudioSite::Stats() {
  ws_.Send({{"type", "getStats"}});
  auto reply = ws_.WaitFor("stats");
  return reply ? reply->value("stats", nlohmann::json()) : nlohmann::json();
}

}  // namespace mcu::test
