// mcu-soak: the two halves of the soak (bench/soak.sh), one thread each, one after another in a
// loop until done:
//   --cycles N: one site (a real endpoint: WSS, ICE, DTLS-SRTP, Opus and VP8 replayed from clips
//     encoded at start) joins a conference, stays until its media flow both ways (the MCU has
//     taken a video frame of it, and it has received the mix's audio and a composite frame), and
//     goes: odd cycles with `leave`, even ones by closing the connection as a room that hangs up.
//   --logins N: a console login (POST /api/v1/session), the event feed opened with its cookie
//     until the MCU's first message, closed, and a logout (DELETE /api/v1/session). Each login
//     comes from the next of --addresses loopback addresses from --first-address (the socket is
//     bound before it connects), so that a per-address login limit is not what is measured.
// Prints a progress line every 100 cycles or logins and a final "SUMMARY {json}"; exits 1 if any
// cycle or login failed. It measures nothing of the MCU itself: the script reads /proc.
#include <arpa/inet.h>
#include <gst/gst.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "bench/clip.h"
#include "media/certificate.h"
#include "media/clock.h"
#include "media/io_loop.h"
#include "media/peer_transport.h"
#include "media/sdp.h"
#include "signaling/wss_client.h"

using namespace mcu;
using namespace mcu::media;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {

struct Options {
  std::string url, ca, conference = "bench", token = "load-token-4";
  std::string login = "bench", password = "bench-password";
  std::string first_address = "127.0.0.2";
  int cycles = 0, logins = 0, addresses = 250;
  bool video = true;
};

// A blocking view of one WSS connection: messages queue as they arrive and are taken in order.
// The state is shared with the client's callbacks, which may run after this object is gone.
class Connection {
 public:
  Connection(net::io_context& ioc, signaling::WssClientOptions o) : state_(new State) {
    signaling::WssClient::Callbacks cb;
    cb.on_open = [s = state_] { s->Push([&] { s->open = true; }); };
    cb.on_message = [s = state_](const std::string& text) {
      json m = json::parse(text, nullptr, false);
      s->Push([&] { s->messages.push_back(std::move(m)); });
    };
    cb.on_close = [s = state_](const std::string&) { s->Push([&] { s->closed = true; }); };
    client_ = signaling::WssClient::Create(ioc, std::move(o), std::move(cb));
    client_->Start();
  }
  ~Connection() { client_->Close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool Open(milliseconds timeout = seconds(10)) {
    std::unique_lock lock(state_->mu);
    state_->cv.wait_for(lock, timeout, [&] { return state_->open || state_->closed; });
    return state_->open && !state_->closed;
  }
  void Send(const json& m) { client_->Send(m.dump()); }
  // The next message of `type` (others before it are skipped), or nullopt on timeout or close.
  std::optional<json> WaitFor(const std::string& type, milliseconds timeout = seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(state_->mu);
    for (;;) {
      while (!state_->messages.empty()) {
        json m = std::move(state_->messages.front());
        state_->messages.pop_front();
        if (m.is_object() && m.value("type", "") == type) return m;
      }
      if (state_->closed) return std::nullopt;
      if (state_->cv.wait_until(lock, deadline) == std::cv_status::timeout &&
          state_->messages.empty())
        return std::nullopt;
    }
  }
  // Closes (a WebSocket close) and waits until the connection is gone.
  bool Close(milliseconds timeout = seconds(10)) {
    client_->Close();
    std::unique_lock lock(state_->mu);
    return state_->cv.wait_for(lock, timeout, [&] { return state_->closed; });
  }

 private:
  struct State {
    template <typename F>
    void Push(F&& change) {
      {
        std::lock_guard lock(mu);
        change();
      }
      cv.notify_all();
    }
    std::mutex mu;
    std::condition_variable cv;
    std::deque<json> messages;
    bool open = false, closed = false;
  };
  std::shared_ptr<State> state_;
  std::shared_ptr<signaling::WssClient> client_;
};

// The site of the join/leave cycles: one transport per cycle, on the I/O loop.
class CyclingSite : public PeerTransport::Listener {
 public:
  CyclingSite(IoLoop* loop, std::shared_ptr<DtlsContext> dtls,
              const std::vector<bench::Packet>* clip)
      : loop_(loop), dtls_(std::move(dtls)), clip_(clip) {
    loop_->Invoke([this] {
      pump_ = loop_->AddTimer(5, [this] {
        if (transport_ && transport_->connected() && player_)
          player_->SendDue(NowUs(), [&](const bench::Packet& p, uint16_t seq, uint32_t ts) {
            transport_->SendRtp(p.kind, p.data, seq, ts);
          });
        return true;
      });
    });
  }
  ~CyclingSite() override {
    loop_->Invoke([this] {
      loop_->CancelTimer(pump_);
      transport_.reset();
    });
  }
  CyclingSite(const CyclingSite&) = delete;
  CyclingSite& operator=(const CyclingSite&) = delete;

  // A new transport answering `offer`; the answer, or an error.
  Expected<std::string> Answer(const std::string& offer_text, bool video) {
    Expected<std::string> out = MakeError(ErrorKind::kInternal, "not answered");
    loop_->Invoke([&] {
      transport_.reset();
      connected_ = false;
      audio_in_ = 0;
      frames_in_ = 0;
      player_.emplace(clip_);
      auto offer = sdp::Parse(offer_text);
      if (!offer) return void(out = MakeError(ErrorKind::kInvalid, "bad offer: " + offer.error()));
      TransportConfig tc;
      tc.ice_addresses = {"127.0.0.1"};
      transport_ =
          std::make_unique<PeerTransport>(loop_, tc, dtls_, this, PeerTransport::Role::kAnswerer);
      if (auto st = transport_->Start(); !st)
        return void(out = MakeError(ErrorKind::kInternal, st.error()));
      sdp::OfferOptions opt;
      opt.audio_ssrc = transport_->local_ssrc(sdp::Kind::kAudio);
      opt.video_ssrc = transport_->local_ssrc(sdp::Kind::kVideo);
      opt.cname = "soak";
      opt.video = video;
      auto answer = sdp::AnswerOffer(*offer, transport_->local(), sdp::DefaultCodecs(), opt, 4242);
      if (!answer) return void(out = MakeError(ErrorKind::kInvalid, answer.error()));
      if (auto st = transport_->ApplyRemote(answer->remote); !st)
        return void(out = MakeError(ErrorKind::kInvalid, st.error()));
      out = sdp::Write(answer->answer);
    });
    return out;
  }
  // I/O loop: the transport goes (its sockets and its DTLS with it).
  void Drop() {
    loop_->Invoke([this] { transport_.reset(); });
  }
  bool connected() const { return connected_; }
  int audio_in() const { return audio_in_; }
  int frames_in() const { return frames_in_; }

  void OnTransportConnected(RtpTransport&) override { connected_ = true; }
  void OnTransportFailed(RtpTransport&, const std::string& reason) override {
    // The MCU's close_notify when the site leaves ends the transport too: not a failure.
    spdlog::debug("cycling site: transport ended: {}", reason);
  }
  void OnTransportRtp(RtpTransport&, sdp::Kind kind, const rtp::RtpHeader& h,
                      std::span<uint8_t>) override {
    if (kind == sdp::Kind::kAudio)
      ++audio_in_;
    else if (h.marker)
      ++frames_in_;
  }
  void OnTransportKeyframeRequest(RtpTransport&) override {
    // The clip loops every 5 s from a keyframe; a join waits at most that long for one.
  }

 private:
  IoLoop* loop_;
  std::shared_ptr<DtlsContext> dtls_;
  const std::vector<bench::Packet>* clip_;
  // I/O loop.
  std::unique_ptr<PeerTransport> transport_;
  std::optional<bench::ClipPlayer> player_;
  guint pump_ = 0;
  std::atomic<bool> connected_{false};
  std::atomic<int> audio_in_{0}, frames_in_{0};
};

template <typename Pred>
bool WaitUntil(Pred pred, milliseconds timeout, milliseconds step = milliseconds(20)) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(step);
  }
  return true;
}

struct Tally {
  std::atomic<int> done{0}, failed{0};
  std::mutex mu;
  std::vector<double> ms;  // Per success.
  std::map<std::string, int> failures;
  void Fail(const std::string& why) {
    ++failed;
    std::lock_guard lock(mu);
    ++failures[why];
  }
  void Ok(double took_ms) {
    ++done;
    std::lock_guard lock(mu);
    ms.push_back(took_ms);
  }
  json Summary() {
    std::lock_guard lock(mu);
    std::sort(ms.begin(), ms.end());
    return {{"done", done.load()},
            {"failed", failed.load()},
            {"failures", failures},
            {"msMedian", ms.empty() ? 0 : ms[ms.size() / 2]},
            {"msMax", ms.empty() ? 0 : ms.back()}};
  }
};

// One join/leave cycle; the reason it failed, or "".
std::string Cycle(const Options& o, int n, net::io_context& ioc, CyclingSite& site) {
  signaling::WssClientOptions wo;
  wo.url = o.url;
  wo.ca_file = o.ca;
  Connection ws(ioc, wo);
  if (!ws.Open()) return "cannot connect";
  ws.Send({{"type", "auth"}, {"token", o.token}});
  if (!ws.WaitFor("welcome")) return "no welcome";
  ws.Send({{"type", "join"}, {"conference", o.conference}});
  auto offer = ws.WaitFor("offer");
  if (!offer) return "no offer";
  auto answer = site.Answer(offer->value("sdp", ""), o.video);
  if (!answer) return "cannot answer: " + answer.error();
  ws.Send({{"type", "answer"}, {"sdp", *answer}});
  if (!WaitUntil([&] { return site.connected(); }, seconds(10))) return "media not connected";
  // In the mix both ways: its audio and a composite frame came, and the MCU took its video.
  if (!WaitUntil([&] { return site.audio_in() >= 10 && (!o.video || site.frames_in() >= 1); },
                 seconds(10)))
    return "nothing received";
  if (o.video &&
      !WaitUntil(
          [&] {
            ws.Send({{"type", "getStats"}});
            auto s = ws.WaitFor("stats", seconds(2));
            return s && (*s)["stats"].is_object() &&
                   (*s)["stats"].value("mix", json::object()).value("videoFramesIn", 0) >= 1;
          },
          seconds(10), milliseconds(100)))
    return "the MCU took no video frame";
  if (n % 2) {
    ws.Send({{"type", "leave"}});
    if (!ws.WaitFor("left")) return "no left";
  }
  if (!ws.Close()) return "not closed";
  site.Drop();
  return "";
}

struct HttpReply {
  int status = 0;  // 0: no answer.
  std::string body, set_cookie;
};

// One HTTPS request from `from` (a local address the socket is bound to).
HttpReply Https(net::ssl::context& tls, uint16_t port, const std::string& from, http::verb verb,
                const std::string& path, const std::string& body, const std::string& cookie,
                const std::string& csrf) {
  HttpReply out;
  try {
    net::io_context io;
    beast::ssl_stream<beast::tcp_stream> stream(io, tls);
    SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
    auto& tcp = beast::get_lowest_layer(stream);
    tcp.expires_after(seconds(15));
    tcp.socket().open(net::ip::tcp::v4());
    tcp.socket().bind({net::ip::make_address(from), 0});
    tcp.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    stream.handshake(net::ssl::stream_base::client);
    http::request<http::string_body> req{verb, path, 11};
    req.set(http::field::host, "localhost");
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    if (!cookie.empty()) req.set(http::field::cookie, "mcu_session=" + cookie);
    if (!csrf.empty()) req.set("X-CSRF-Token", csrf);
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    out.status = res.result_int();
    out.body = res.body();
    out.set_cookie = std::string(res[http::field::set_cookie]);
    beast::error_code ec;
    stream.shutdown(ec);
  } catch (const std::exception&) {
    out.status = 0;
  }
  return out;
}

// One login, feed and logout from `from`; the reason it failed, or "".
std::string Login(const Options& o, uint16_t port, const std::string& from, net::ssl::context& tls,
                  net::io_context& ioc) {
  auto r = Https(tls, port, from, http::verb::post, "/api/v1/session",
                 json{{"login", o.login}, {"password", o.password}}.dump(), "", "");
  if (r.status != 200) return "login " + std::to_string(r.status);
  auto start = r.set_cookie.find("mcu_session=");
  if (start == std::string::npos) return "no session cookie";
  start += 12;
  const std::string cookie = r.set_cookie.substr(start, r.set_cookie.find(';', start) - start);
  const json body = json::parse(r.body, nullptr, false);
  const std::string csrf = body.is_object() ? body.value("csrfToken", "") : "";
  {
    signaling::WssClientOptions wo;
    wo.url = "wss://127.0.0.1:" + std::to_string(port) + "/api/v1/events";
    wo.ca_file = o.ca;
    wo.cookie = "mcu_session=" + cookie;
    wo.origin = "https://127.0.0.1";  // The console's page: the upgrade's Host, by https.
    Connection feed(ioc, wo);
    if (!feed.Open()) return "feed not opened";
    if (!feed.WaitFor("hello")) return "no hello on the feed";
    if (!feed.Close()) return "feed not closed";
  }
  auto out = Https(tls, port, from, http::verb::delete_, "/api/v1/session", "", cookie, csrf);
  if (out.status != 200 && out.status != 204) return "logout " + std::to_string(out.status);
  return "";
}

int Run(int argc, char** argv) {
  gst_init(&argc, &argv);
  Options o;
  CLI::App app{"mcu-soak: join/leave cycles of one site, and console logins with the event feed"};
  app.add_option("--url", o.url, "wss://127.0.0.1:<port>/ws")->required();
  app.add_option("--ca", o.ca, "The MCU's TLS certificate")->required();
  app.add_option("--conference", o.conference)->capture_default_str();
  app.add_option("--token", o.token, "The cycling site's token")->capture_default_str();
  app.add_option("--cycles", o.cycles, "Join/leave cycles")->capture_default_str();
  app.add_option("--logins", o.logins, "Logins, each with a feed and a logout")
      ->capture_default_str();
  app.add_option("--login", o.login)->capture_default_str();
  app.add_option("--password", o.password)->capture_default_str();
  app.add_option("--first-address", o.first_address, "The first source address of the logins")
      ->capture_default_str();
  app.add_option("--addresses", o.addresses, "How many source addresses the logins rotate over")
      ->capture_default_str();
  app.add_flag("!--no-video", o.video, "The cycling site sends and takes audio only");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_pattern("%H:%M:%S.%e %^%-5l%$ [soak] %v");
  auto url = signaling::ParseWssUrl(o.url);
  if (!url) {
    std::cerr << "bad --url: " << url.error() << "\n";
    return 2;
  }
  const auto port = static_cast<uint16_t>(std::stoi(url->port));
  in_addr first{};
  if (inet_pton(AF_INET, o.first_address.c_str(), &first) != 1 || o.addresses < 1) {
    std::cerr << "bad --first-address or --addresses\n";
    return 2;
  }

  // The cycling site's media: a tone and, unless --no-video, 640x360 VP8, 5 s looped.
  std::vector<bench::Packet> clip = bench::ToneClip();
  if (o.video) {
    auto video = bench::EncodeClip(
        "videotestsrc pattern=smpte horizontal-speed=6 num-buffers=150 ! "
        "video/x-raw,width=640,height=360,framerate=30/1 ! vp8enc deadline=1 cpu-used=-6 "
        "keyframe-max-dist=60 end-usage=cbr target-bitrate=600000 ! rtpvp8pay pt=96 mtu=1200 ! "
        "appsink name=s sync=false",
        sdp::Kind::kVideo, 90000);
    clip.insert(clip.end(), video.begin(), video.end());
    std::stable_sort(clip.begin(), clip.end(), [](const bench::Packet& a, const bench::Packet& b) {
      return a.offset_us < b.offset_us;
    });
  }
  auto cert = Certificate::Generate("mcu-soak", {}, 30);
  auto dtls = DtlsContext::Create(*cert);
  if (!dtls) {
    std::cerr << "DTLS: " << dtls.error() << "\n";
    return 2;
  }
  SrtpSession::GlobalInit();
  IoLoop loop;
  signaling::IoThread io;
  Tally cycles, logins;
  const auto t0 = std::chrono::steady_clock::now();
  auto ms_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
  };

  std::thread cycling([&] {
    CyclingSite site(&loop, *dtls, &clip);
    for (int n = 1; n <= o.cycles; ++n) {
      auto t = std::chrono::steady_clock::now();
      std::string why = Cycle(o, n, io.context(), site);
      site.Drop();
      if (why.empty()) {
        cycles.Ok(ms_since(t));
      } else {
        spdlog::warn("cycle {}: {}", n, why);
        cycles.Fail(why);
      }
      if (n % 100 == 0)
        spdlog::info("{} cycles, {} failed, {:.0f} s", n, cycles.failed.load(),
                     ms_since(t0) / 1000);
    }
  });
  std::thread logging_in([&] {
    net::ssl::context tls(net::ssl::context::tls_client);
    tls.load_verify_file(o.ca);
    tls.set_verify_mode(net::ssl::verify_peer);
    for (int n = 1; n <= o.logins; ++n) {
      in_addr a{htonl(ntohl(first.s_addr) + static_cast<uint32_t>((n - 1) % o.addresses))};
      char from[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &a, from, sizeof from);
      auto t = std::chrono::steady_clock::now();
      std::string why = Login(o, port, from, tls, io.context());
      if (why.empty()) {
        logins.Ok(ms_since(t));
      } else {
        spdlog::warn("login {} from {}: {}", n, from, why);
        logins.Fail(why);
      }
      if (n % 100 == 0)
        spdlog::info("{} logins, {} failed, {:.0f} s", n, logins.failed.load(),
                     ms_since(t0) / 1000);
    }
  });
  cycling.join();
  logging_in.join();
  io.Stop();
  json summary = {{"cycles", cycles.Summary()},
                  {"logins", logins.Summary()},
                  {"seconds", std::round(ms_since(t0) / 100) / 10}};
  std::cout << "SUMMARY " << summary.dump() << std::endl;
  return cycles.failed || logins.failed ? 1 : 0;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "mcu-soak: " << e.what() << "\n";
    return 2;
  }
}
