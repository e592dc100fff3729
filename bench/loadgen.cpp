// mcu-loadgen: many sites in one process, cheap enough not to steal the MCU's CPU. Each site is a
// real endpoint: WSS signaling, the project's transport in the answerer role (ICE, DTLS-SRTP),
// sending VP8 and Opus that were encoded once at start-up and are replayed on every connection
// (sequence numbers and timestamps continued per site). Nothing received is decoded: packets are
// counted per kind. Prints a progress line per second and a final "SUMMARY {json}".
#include <gst/gst.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <thread>

#include "bench/clip.h"
#include "bench/latency_probe.h"
#include "media/certificate.h"
#include "media/clock.h"
#include "media/io_loop.h"
#include "media/peer_transport.h"
#include "media/sdp.h"
#include "signaling/wss_client.h"

using namespace mcu;
using namespace mcu::media;
using bench::EncodeClip;
using bench::Packet;
using nlohmann::json;

namespace {

constexpr char kProbe[] = "MCU-PLAINTEXT-PROBE-7f3a9c";

struct Options {
  std::string url, ca, token_prefix = "load-token-", conference = "echo";
  // --latency across cascade links: the sampled site joins this MCU and conference instead.
  std::string sampled_url, sampled_ca, sampled_conference;
  int sites = 4, first = 1;
  double seconds = 10;
  bool video = true, probe = false, wrong_fingerprint = false, no_fingerprint = false;
  bool follow_layout = true;
  bool latency = false;
  bool wait_call = false;  // Stay online and join the conference the MCU calls the site into.
  // --link-shown WxH: act as another MCU's cascade link that shows this one at that size (its
  // `link` message after the answer): the MCU makes the link's own composite that size.
  std::string link_shown;
  std::vector<std::string> ice_addresses = {"127.0.0.1"};
};

struct Totals {
  std::atomic<uint64_t> audio_sent{0}, video_sent{0}, audio_recv{0}, video_recv{0}, probe_echoes{0};
  std::atomic<uint64_t> video_frames_recv{0};  // Marker bits: frames completed.
  std::atomic<int> connected{0}, errors{0}, media_failed{0};
  std::mutex mutex;
  std::map<std::string, int> profiles;
  std::vector<double> connect_ms;
  std::vector<double> first_frame_ms;  // From media connected to the first whole video frame.
  // Wall-clock instants (Unix ms) per site, 0 if it never happened: called, media connected,
  // first whole video frame received. Comparable with the MCU's audit times on the same host.
  std::map<int, std::array<int64_t, 3>> at_ms;
};

int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A site's part in the latency measurement (--latency): the source sends bursts and flashes,
// the sampled site decodes what it receives.
enum class ProbeRole { kNone, kSource, kSampled };

class Site : public PeerTransport::Listener {
 public:
  Site(int index, const Options& o, IoLoop* loop, std::shared_ptr<DtlsContext> dtls,
       boost::asio::io_context& ioc, Totals* totals,
       const std::map<int, std::vector<Packet>>* clips, bench::LatencyProbe* probe = nullptr,
       ProbeRole role = ProbeRole::kNone)
      : index_(index),
        o_(o),
        loop_(loop),
        dtls_(std::move(dtls)),
        totals_(totals),
        clips_(clips),
        player_(&clips->rbegin()->second),
        probe_(probe),
        role_(role) {
    if (role_ == ProbeRole::kSampled)
      receiver_ = std::make_unique<bench::LatencyProbe::Receiver>(probe_);
    signaling::WssClientOptions wo;
    bool elsewhere = role_ == ProbeRole::kSampled && !o.sampled_url.empty();
    wo.url = elsewhere ? o.sampled_url : o.url;
    wo.ca_file = elsewhere ? o.sampled_ca : o.ca;
    conference_ = elsewhere ? o.sampled_conference : o.conference;
    signaling::WssClient::Callbacks cb;
    cb.on_open = [this] {
      start_us_ = NowUs();
      ws_->Send(json{{"type", "auth"}, {"token", o_.token_prefix + std::to_string(index_)}}.dump());
    };
    cb.on_message = [this](const std::string& text) { OnMessage(text); };
    cb.on_close = [this](const std::string& reason) {
      if (!stopping_) spdlog::warn("site {}: connection closed: {}", index_, reason);
    };
    ws_ = signaling::WssClient::Create(ioc, wo, std::move(cb));
  }
  void Start() { ws_->Start(); }
  void Stop() {
    stopping_ = true;
    ws_->Close();
  }
  // I/O thread: closes the transport.
  void Close() { transport_.reset(); }

  // I/O thread: sends what is due.
  void Pump(int64_t now) {
    if (!transport_ || !transport_->connected()) return;
    if (int w = wanted_width_.exchange(0); w > 0) SwitchClip(w, now);
    player_.SendDue(now, [&](const Packet& p, uint16_t seq, uint32_t ts) {
      bool audio = p.kind == sdp::Kind::kAudio;
      auto h = o_.probe && audio ? rtp::ParseRtp(p.data) : std::nullopt;
      if (h && h->payload_size >= sizeof kProbe) {  // The marker replaces the payload.
        scratch_ = p.data;
        std::memcpy(scratch_.data() + h->header_size, kProbe, sizeof kProbe - 1);
        transport_->SendRtp(p.kind, scratch_, seq, ts);
      } else {
        transport_->SendRtp(p.kind, p.data, seq, ts);
      }
      if (p.event && role_ == ProbeRole::kSource) probe_->SourceSent(p.kind, NowUs());
      (audio ? totals_->audio_sent : totals_->video_sent)++;
    });
  }

  void OnTransportConnected(RtpTransport& t) override {
    totals_->connected++;
    std::lock_guard lock(totals_->mutex);
    totals_->profiles[t.Stats().srtp_profile]++;
    connected_us_ = NowUs();
    totals_->connect_ms.push_back((connected_us_ - start_us_) / 1000.0);
    totals_->at_ms[index_][1] = UnixMs();
  }
  void OnTransportFailed(RtpTransport&, const std::string& reason) override {
    spdlog::warn("site {}: transport failed: {}", index_, reason);
  }
  void OnTransportRtp(RtpTransport&, sdp::Kind kind, const rtp::RtpHeader& h,
                      std::span<uint8_t> packet) override {
    if (receiver_) {
      std::span<const uint8_t> payload(packet.data() + h.header_size, h.payload_size);
      if (kind == sdp::Kind::kAudio) {
        receiver_->OnAudio(payload, NowUs());
      } else {
        receiver_->OnVideo(h.sequence, h.timestamp, h.marker, payload, NowUs());
        if (receiver_->TakeKeyframeRequest()) transport_->RequestKeyframe();
      }
    }
    if (kind == sdp::Kind::kAudio) {
      totals_->audio_recv++;
      if (h.payload_size >= sizeof kProbe - 1 &&
          std::memcmp(packet.data() + h.header_size, kProbe, sizeof kProbe - 1) == 0)
        totals_->probe_echoes++;
    } else {
      totals_->video_recv++;
      if (h.marker) {
        totals_->video_frames_recv++;
        if (!got_frame_ && connected_us_) {
          got_frame_ = true;
          std::lock_guard lock(totals_->mutex);
          totals_->first_frame_ms.push_back((NowUs() - connected_us_) / 1000.0);
          totals_->at_ms[index_][2] = UnixMs();
        }
      }
    }
  }
  void OnTransportKeyframeRequest(RtpTransport&) override {}

 private:
  // The MCU's layout asked for `width`: send the largest clip not wider, from its start (a
  // keyframe), with sequence numbers and timestamps continuing.
  void SwitchClip(int width, int64_t now) {
    auto it = clips_->upper_bound(width);
    player_.Switch(it == clips_->begin() ? &it->second : &std::prev(it)->second, now);
  }

  void OnMessage(const std::string& text) {
    json m = json::parse(text, nullptr, false);
    std::string type = m.is_object() ? m.value("type", "") : "";
    if (type == "welcome") {
      if (!o_.wait_call) ws_->Send(json{{"type", "join"}, {"conference", conference_}}.dump());
    } else if (type == "call" && o_.wait_call) {
      std::string conference = m["conference"].is_object() ? m["conference"].value("id", "") : "";
      {
        std::lock_guard lock(totals_->mutex);
        if (!totals_->at_ms[index_][0]) totals_->at_ms[index_][0] = UnixMs();
      }
      start_us_ = NowUs();
      ws_->Send(json{{"type", "join"}, {"conference", conference}}.dump());
    } else if (type == "offer") {
      std::string offer = m.value("sdp", "");
      spdlog::debug("site {}: offer received", index_);
      loop_->Post([this, offer] { Answer(offer); });
    } else if (type == "layout") {
      if (o_.follow_layout) wanted_width_ = m.value("sendWidth", 0);
      if (receiver_) receiver_->SetTiles(m.value("tiles", 1));
    } else if (type == "error") {
      if (stopping_) return;  // Errors caused by our own shutdown are not the MCU's.
      totals_->errors++;
      if (m.value("code", "") == "media_failed") totals_->media_failed++;
      spdlog::info("site {}: MCU error {}: {}", index_, m.value("code", ""),
                   m.value("message", ""));
    }
  }

  // I/O thread.
  void Answer(const std::string& offer_text) {
    spdlog::debug("site {}: answering", index_);
    auto offer = sdp::Parse(offer_text);
    if (!offer) return spdlog::error("site {}: bad offer: {}", index_, offer.error());
    TransportConfig tc;
    tc.ice_addresses = o_.ice_addresses;
    transport_ =
        std::make_unique<PeerTransport>(loop_, tc, dtls_, this, PeerTransport::Role::kAnswerer);
    if (auto st = transport_->Start(); !st) return spdlog::error("site {}: {}", index_, st.error());
    sdp::OfferOptions opt;
    opt.audio_ssrc = transport_->local_ssrc(sdp::Kind::kAudio);
    opt.video_ssrc = transport_->local_ssrc(sdp::Kind::kVideo);
    opt.cname = "load" + std::to_string(index_);
    opt.video =
        o_.video;  // --no-video: the video section is rejected (port 0), an audio-only site.
    sdp::LocalTransport local = transport_->local();
    if (o_.wrong_fingerprint)
      local.fingerprint.value[0] = local.fingerprint.value[0] == 'A' ? 'B' : 'A';
    auto answer = sdp::AnswerOffer(*offer, local, sdp::DefaultCodecs(), opt, 1000 + index_);
    if (!answer) return spdlog::error("site {}: cannot answer: {}", index_, answer.error());
    transport_->ApplyRemote(answer->remote);
    std::string text = sdp::Write(answer->answer);
    if (o_.no_fingerprint) {
      std::string stripped, line;
      std::istringstream in(text);
      while (std::getline(in, line))
        if (line.rfind("a=fingerprint", 0) != 0) stripped += line + "\n";
      text = stripped;
    }
    ws_->Send(json{{"type", "answer"}, {"sdp", text}}.dump());
    if (int w = 0, h = 0; std::sscanf(o_.link_shown.c_str(), "%dx%d", &w, &h) == 2)
      ws_->Send(json{{"type", "link"}, {"role", "child"}, {"shown", {{"width", w}, {"height", h}}}}
                    .dump());
  }

  int index_;
  const Options& o_;
  std::string conference_;
  IoLoop* loop_;
  std::shared_ptr<DtlsContext> dtls_;
  Totals* totals_;
  const std::map<int, std::vector<Packet>>* clips_;  // By video width.
  bench::ClipPlayer player_;                         // I/O thread.
  std::atomic<int> wanted_width_{0};  // From the MCU's layout event (signalling thread).
  std::shared_ptr<signaling::WssClient> ws_;
  std::unique_ptr<PeerTransport> transport_;  // I/O thread.
  std::vector<uint8_t> scratch_;              // A packet with the probe's marker.
  int64_t start_us_ = 0, connected_us_ = 0;
  bool got_frame_ = false;
  std::atomic<bool> stopping_{false};
  bench::LatencyProbe* probe_;
  ProbeRole role_;
  std::unique_ptr<bench::LatencyProbe::Receiver> receiver_;
};

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  Options o;
  CLI::App app{"mcu-loadgen: many DTLS-SRTP sites in one process"};
  app.add_option("--url", o.url)->required();
  app.add_option("--ca", o.ca, "The MCU's TLS certificate")->required();
  app.add_option("--sites", o.sites)->capture_default_str();
  app.add_option("--first", o.first, "Index of the first site (token prefix + index)")
      ->capture_default_str();
  app.add_option("--token-prefix", o.token_prefix)->capture_default_str();
  app.add_option("--conference", o.conference)->capture_default_str();
  app.add_option("--sampled-url", o.sampled_url,
                 "--latency: the sampled site joins this MCU (across cascade links) instead");
  app.add_option("--sampled-ca", o.sampled_ca, "... trusting this certificate");
  app.add_option("--sampled-conference", o.sampled_conference, "... in this conference");
  app.add_option("--seconds", o.seconds, "How long to send")->capture_default_str();
  app.add_flag("!--no-video", o.video,
               "Audio-only sites: reject the offer's video section (port 0)");
  app.add_flag("!--ignore-layout", o.follow_layout,
               "Keep sending 640x360 whatever the MCU's layout asks");
  app.add_flag(
      "--latency", o.latency,
      "Site --first sends tone bursts and white flashes, site --first+1 decodes what it receives: "
      "MCU-added latency of audio and video (needs 2 sites or more)");
  app.add_flag(
      "--wait-call", o.wait_call,
      "Stay online without joining; join whichever conference the MCU calls the site into");
  app.add_flag("--probe", o.probe, "Put a known marker in audio payloads and count its echoes");
  app.add_flag("--wrong-fingerprint", o.wrong_fingerprint,
               "Announce a fingerprint that is not ours");
  app.add_flag("--no-fingerprint", o.no_fingerprint, "Send answers without a fingerprint");
  bool verbose = false;
  app.add_option("--link-shown", o.link_shown,
                 "As a cascade link (a site of kind cascade): say the far side shows it at WxH");
  app.add_flag("-v,--verbose", verbose);
  CLI11_PARSE(app, argc, argv);
  spdlog::set_pattern("%H:%M:%S.%e %^%-5l%$ [loadgen] %v");
  if (verbose) spdlog::set_level(spdlog::level::debug);

  // One 5 s clip per video size (the sizes of a tile in the MCU's 1..25-site grids); moving SMPTE
  // bars encode near the target rate. The latency source has its own: bursts and flashes.
  auto make_clips = [&](const std::vector<Packet>& audio, auto video_of) {
    std::map<int, std::vector<Packet>> clips;
    const std::pair<int, int> sizes[] = {{640, 360}, {426, 240}, {320, 180}, {256, 144}};
    for (auto [w, h] : sizes) {
      std::vector<Packet> clip = audio;
      if (o.video) {
        auto video = video_of(w, h, std::max(150, 600 * w * h / (640 * 360)));
        clip.insert(clip.end(), video.begin(), video.end());
        std::stable_sort(clip.begin(), clip.end(), [](const Packet& a, const Packet& b) {
          return a.offset_us < b.offset_us;
        });
      }
      size_t audio_bytes = 0, video_bytes = 0, video_packets = 0;
      for (const auto& p : clip) {
        (p.kind == sdp::Kind::kVideo ? video_bytes : audio_bytes) += p.data.size();
        video_packets += p.kind == sdp::Kind::kVideo;
      }
      double secs = clip.back().offset_us / 1e6;
      spdlog::info(
          "clip {}x{}: {} packets over {:.1f} s; audio {:.0f} kb/s, video {:.0f} kb/s in {:.0f} "
          "packets/s",
          w, h, clip.size(), secs, audio_bytes * 8 / secs / 1000, video_bytes * 8 / secs / 1000,
          video_packets / secs);
      clips[w] = std::move(clip);
      if (!o.video || !o.follow_layout) break;  // 640x360 only.
    }
    return clips;
  };
  auto clips = make_clips(bench::ToneClip(), [](int w, int h, int kbps) {
    return EncodeClip(
        "videotestsrc pattern=smpte horizontal-speed=6 num-buffers=150 ! video/x-raw,width=" +
            std::to_string(w) + ",height=" + std::to_string(h) +
            ",framerate=30/1 ! "
            "vp8enc deadline=1 cpu-used=-6 keyframe-max-dist=60 end-usage=cbr target-bitrate=" +
            std::to_string(kbps * 1000) + " ! rtpvp8pay pt=96 mtu=1200 ! appsink name=s sync=false",
        sdp::Kind::kVideo, 90000);
  });
  std::unique_ptr<bench::LatencyProbe> probe;
  std::map<int, std::vector<Packet>> source_clips;
  if (o.latency && o.sites >= 2) {
    auto bursts = bench::BurstClip();
    probe = std::make_unique<bench::LatencyProbe>(bursts);
    source_clips = make_clips(bursts, &bench::FlashClip);
  }

  auto cert = Certificate::Generate("mcu-loadgen", {}, 30);
  auto dtls = DtlsContext::Create(*cert);
  SrtpSession::GlobalInit();
  IoLoop loop;
  signaling::IoThread io;
  Totals totals;
  std::vector<std::unique_ptr<Site>> sites;
  for (int i = 0; i < o.sites; ++i) {
    ProbeRole role = !probe   ? ProbeRole::kNone
                     : i == 0 ? ProbeRole::kSource
                     : i == 1 ? ProbeRole::kSampled
                              : ProbeRole::kNone;
    sites.push_back(std::make_unique<Site>(o.first + i, o, &loop, *dtls, io.context(), &totals,
                                           role == ProbeRole::kSource ? &source_clips : &clips,
                                           probe.get(), role));
  }
  for (auto& s : sites) s->Start();
  guint pump = 0;
  loop.Invoke([&] {
    pump = loop.AddTimer(5, [&] {
      int64_t now = NowUs();
      for (auto& s : sites) s->Pump(now);
      return true;
    });
  });

  auto start = std::chrono::steady_clock::now();
  bool measuring = false;
  for (int tick = 1;
       std::chrono::steady_clock::now() - start < std::chrono::duration<double>(o.seconds);
       ++tick) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    // Latency counts once every site is in and the layout has settled.
    if (probe && !measuring && totals.connected == o.sites) {
      probe->StartMeasuring(NowUs() + 2'000'000);
      measuring = true;
    }
    spdlog::info("t={}s connected {}/{} sent a/v {}/{} received a/v {}/{}", tick,
                 totals.connected.load(), o.sites, totals.audio_sent.load(),
                 totals.video_sent.load(), totals.audio_recv.load(), totals.video_recv.load());
  }
  for (auto& s : sites) s->Stop();
  loop.Invoke([&] {
    loop.CancelTimer(pump);
    for (auto& s : sites) s->Close();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  std::vector<double> cm = totals.connect_ms, ff = totals.first_frame_ms;
  std::sort(cm.begin(), cm.end());
  std::sort(ff.begin(), ff.end());
  json summary = {{"sites", o.sites},
                  {"connected", totals.connected.load()},
                  {"audioSent", totals.audio_sent.load()},
                  {"videoSent", totals.video_sent.load()},
                  {"audioReceived", totals.audio_recv.load()},
                  {"videoReceived", totals.video_recv.load()},
                  {"probeEchoes", totals.probe_echoes.load()},
                  {"errors", totals.errors.load()},
                  {"mediaFailed", totals.media_failed.load()},
                  {"srtpProfiles", totals.profiles},
                  {"connectMsMedian", cm.empty() ? 0 : cm[cm.size() / 2]},
                  {"connectMsMax", cm.empty() ? 0 : cm.back()},
                  {"videoFramesReceived", totals.video_frames_recv.load()},
                  {"firstFrameSites", ff.size()},
                  {"firstFrameMsMedian", ff.empty() ? 0 : ff[ff.size() / 2]},
                  {"firstFrameMsMax", ff.empty() ? 0 : ff.back()}};
  if (probe) summary["latency"] = probe->Summary();
  if (o.wait_call) {
    json at = json::object();
    for (const auto& [index, t] : totals.at_ms)
      at[std::to_string(index)] = {{"called", t[0]}, {"connected", t[1]}, {"firstFrame", t[2]}};
    summary["atMs"] = at;
  }
  std::cout << "SUMMARY " << summary.dump() << std::endl;
  sites.clear();
  return 0;
}
