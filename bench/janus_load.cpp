// janus-load: N audio-only sites in one process joining one Janus AudioBridge room, the peer
// side of bench/janus_audio.sh. Each site is a real WebRTC peer on the project's transport in the
// offerer role (ICE, DTLS-SRTP, one audio m-line) and sends the Opus tone of bench::ToneClip(),
// encoded once and replayed with sequence numbers and timestamps continued per site, from one
// 20 ms timer on the I/O loop (as mcu-loadgen does). What arrives is counted, never decoded.
//
// Signalling: Janus's HTTP REST API (plain HTTP: a benchmark peer on loopback). One Janus
// session, one handle per site attached to janus.plugin.audiobridge, a `join` carrying the
// site's offer; answers (and any trickled candidates) arrive on the session's long poll; a
// keepalive every 15 s. Prints a progress line per second and a final "SUMMARY {json}" with the
// audio fields of mcu-loadgen's.
//
// Threads: main (signalling requests, waiting on their replies; progress), `http` (one
// io_context: every HTTP exchange, the long poll and the routing of its events), the media
// I/O loop (every transport, the send timer). Sites are created before the loops see them and
// destroyed after both have stopped.
#include <gst/gst.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <iostream>
#include <map>
#include <regex>
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
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

struct Options {
  std::string url = "http://127.0.0.1:8088/janus";
  uint64_t room = 1234;
  int sites = 4;
  double seconds = 10;
  std::vector<std::string> ice_addresses;  // Empty: every IPv4 interface.
};

struct Totals {
  std::atomic<uint64_t> audio_sent{0}, audio_recv{0};
  std::atomic<int> joined{0}, connected{0}, errors{0}, hangups{0};
  std::mutex mutex;
  std::vector<double> connect_ms;  // From sending the join to DTLS connected.
};

// ----- HTTP to Janus -------------------------------------------------------------------------

// One request on its own connection, on the io_context's thread; `done` gets the reply's JSON
// body or an error. Janus holds a long poll for up to 30 s, hence the 45 s limit.
class HttpCall : public std::enable_shared_from_this<HttpCall> {
 public:
  using Done = std::function<void(Expected<json>)>;
  HttpCall(net::io_context& ioc, tcp::endpoint to, http::request<http::string_body> req, Done done)
      : stream_(ioc), to_(to), req_(std::move(req)), done_(std::move(done)) {}

  void Start() {
    stream_.expires_after(std::chrono::seconds(45));
    stream_.async_connect(to_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Finish(ec);
      http::async_write(self->stream_, self->req_, [self](beast::error_code ec, size_t) {
        if (ec) return self->Finish(ec);
        http::async_read(self->stream_, self->buffer_, self->res_,
                         [self](beast::error_code ec, size_t) { self->Finish(ec); });
      });
    });
  }

 private:
  void Finish(beast::error_code ec) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (ec)
      return done_(MakeError(ErrorKind::kInternal,
                             "HTTP " + std::string(req_.target()) + ": " + ec.message()));
    if (res_.result() != http::status::ok)
      return done_(MakeError(
          ErrorKind::kInternal,
          "HTTP " + std::string(req_.target()) + ": status " + std::to_string(res_.result_int())));
    json j = json::parse(res_.body(), nullptr, false);
    if (j.is_discarded())
      return done_(
          MakeError(ErrorKind::kInternal, "HTTP " + std::string(req_.target()) + ": not JSON"));
    done_(std::move(j));
  }

  beast::tcp_stream stream_;
  tcp::endpoint to_;
  http::request<http::string_body> req_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> res_;
  Done done_;
};

// The Janus API over HTTP: `Call` from the main thread (waits for the reply), the long poll on
// the io_context's thread.
class JanusHttp {
 public:
  JanusHttp(net::io_context& ioc, tcp::endpoint to, std::string base)
      : ioc_(ioc), to_(to), base_(std::move(base)) {}

  // POST `body` (a transaction id is added) to base + `path`; the reply, or an error (also for a
  // Janus "error" reply).
  Expected<json> Call(const std::string& path, json body) {
    body["transaction"] = std::to_string(++transaction_);
    std::promise<Expected<json>> reply;
    auto done = reply.get_future();
    Send(http::verb::post, base_ + path, body.dump(),
         [&reply](Expected<json> r) { reply.set_value(std::move(r)); });
    auto r = done.get();
    if (r && r->value("janus", "") == "error")
      return MakeError(ErrorKind::kInternal, "Janus: " + (*r)["error"].value("reason", r->dump()));
    return r;
  }

  // GET base + `path` again and again, each reply's events to `on_event` (on the io_context's
  // thread), until StopPolling() or the io_context stops.
  void LongPoll(const std::string& path, std::function<void(const json&)> on_event) {
    Send(http::verb::get, base_ + path + "?maxev=20", "", [this, path, on_event](Expected<json> r) {
      if (stop_polling_) return;
      if (!r) {
        spdlog::warn("long poll: {}", r.error());
        std::this_thread::sleep_for(
            std::chrono::milliseconds(200));  // Janus restarting: do not spin.
      } else if (r->is_array()) {
        for (const auto& e : *r) on_event(e);
      } else {
        on_event(*r);
      }
      LongPoll(path, on_event);
    });
  }
  // Before destroying the session: its poll's answer (404) is expected, not an error.
  void StopPolling() { stop_polling_ = true; }

 private:
  void Send(http::verb verb, const std::string& target, std::string body, HttpCall::Done done) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, to_.address().to_string());
    req.set(http::field::connection, "close");
    if (verb == http::verb::post) {
      req.set(http::field::content_type, "application/json");
      req.body() = std::move(body);
      req.prepare_payload();
    }
    net::post(ioc_, [this, req = std::move(req), done = std::move(done)]() mutable {
      std::make_shared<HttpCall>(ioc_, to_, std::move(req), std::move(done))->Start();
    });
  }

  net::io_context& ioc_;
  tcp::endpoint to_;
  std::string base_;
  std::atomic<uint64_t> transaction_{0};
  std::atomic<bool> stop_polling_{false};
};

// ----- One site ------------------------------------------------------------------------------

class Site : public PeerTransport::Listener {
 public:
  Site(int index, const Options& o, IoLoop* loop, std::shared_ptr<DtlsContext> dtls, Totals* totals,
       const std::vector<bench::Packet>* clip)
      : index_(index), o_(o), loop_(loop), dtls_(std::move(dtls)), totals_(totals), player_(clip) {}

  // I/O thread: starts the transport; returns the offer (audio only), or "" on failure.
  std::string Offer() {
    TransportConfig tc;
    tc.ice_addresses = o_.ice_addresses;
    transport_ =
        std::make_unique<PeerTransport>(loop_, tc, dtls_, this, PeerTransport::Role::kOfferer);
    if (auto st = transport_->Start(); !st) {
      spdlog::error("site {}: {}", index_, st.error());
      return "";
    }
    sdp::OfferOptions opt;
    opt.video = false;
    opt.audio_ssrc = transport_->local_ssrc(sdp::Kind::kAudio);
    opt.cname = "janus-load" + std::to_string(index_);
    offer_ = sdp::BuildOffer(transport_->local(), sdp::DefaultCodecs(), opt, 1000 + index_);
    offered_us_ = NowUs();
    return sdp::Write(offer_);
  }

  // I/O thread: Janus's answer to the join.
  void OnAnswer(const std::string& text) {
    if (!transport_) return;  // Closed meanwhile.
    auto answer = sdp::Parse(text);
    if (!answer) return Error("bad answer: " + answer.error());
    auto remote = sdp::AcceptAnswer(offer_, *answer);
    if (!remote) return Error("answer refused: " + remote.error());
    if (auto st = transport_->ApplyRemote(*remote); !st) Error(st.error());
  }
  // I/O thread: a candidate Janus trickled.
  void OnCandidate(const std::string& candidate) {
    if (transport_) transport_->AddRemoteCandidate(candidate);
  }

  // I/O thread: sends the packets that are due.
  void Pump(int64_t now) {
    if (!transport_ || !transport_->connected()) return;
    player_.SendDue(now, [&](const bench::Packet& p, uint16_t seq, uint32_t ts) {
      transport_->SendRtp(sdp::Kind::kAudio, p.data, seq, ts);
      totals_->audio_sent++;
    });
  }
  void Close() { transport_.reset(); }  // I/O thread.

  void OnTransportConnected(RtpTransport&) override {
    totals_->connected++;
    std::lock_guard lock(totals_->mutex);
    totals_->connect_ms.push_back((NowUs() - offered_us_) / 1000.0);
  }
  void OnTransportFailed(RtpTransport&, const std::string& reason) override {
    Error("transport failed: " + reason);
  }
  void OnTransportRtp(RtpTransport&, sdp::Kind kind, const rtp::RtpHeader&,
                      std::span<uint8_t>) override {
    if (kind == sdp::Kind::kAudio) totals_->audio_recv++, received_++;
  }
  void OnTransportKeyframeRequest(RtpTransport&) override {}

  uint64_t received() const { return received_; }

 private:
  void Error(const std::string& what) {
    totals_->errors++;
    spdlog::warn("site {}: {}", index_, what);
  }

  int index_;
  const Options& o_;
  IoLoop* loop_;
  std::shared_ptr<DtlsContext> dtls_;
  Totals* totals_;
  // I/O thread.
  bench::ClipPlayer player_;
  std::unique_ptr<PeerTransport> transport_;
  sdp::Session offer_;
  int64_t offered_us_ = 0;
  std::atomic<uint64_t> received_{0};
};

Expected<std::pair<tcp::endpoint, std::string>> ParseUrl(const std::string& url) {
  static const std::regex re(R"(^http://([0-9.]+):(\d+)(/.*)$)");
  std::smatch m;
  if (!std::regex_match(url, m, re))
    return MakeError(ErrorKind::kInvalid, "--url must be http://<IPv4>:<port>/<path>: " + url);
  boost::system::error_code ec;
  auto address = net::ip::make_address(std::string(m[1]), ec);
  if (ec) return MakeError(ErrorKind::kInvalid, "--url: bad address " + std::string(m[1]));
  return std::make_pair(tcp::endpoint(address, static_cast<uint16_t>(std::stoi(m[2]))),
                        std::string(m[3]));
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  Options o;
  CLI::App app{"janus-load: audio-only DTLS-SRTP sites in one Janus AudioBridge room"};
  app.add_option("--url", o.url, "Janus HTTP API")->capture_default_str();
  app.add_option("--room", o.room, "AudioBridge room (configured with sampling_rate 48000)")
      ->capture_default_str();
  app.add_option("--sites", o.sites)->capture_default_str();
  app.add_option("--seconds", o.seconds, "How long to send, from the first join")
      ->capture_default_str();
  app.add_option("--ice-address", o.ice_addresses,
                 "Local IP to gather on (Janus does not gather on loopback)");
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose);
  CLI11_PARSE(app, argc, argv);
  spdlog::set_pattern("%H:%M:%S.%e %^%-5l%$ [janus-load] %v");
  if (verbose) spdlog::set_level(spdlog::level::debug);
  auto url = ParseUrl(o.url);
  if (!url) {
    spdlog::error("{}", url.error());
    return 2;
  }

  const auto clip = bench::ToneClip();
  auto cert = Certificate::Generate("janus-load", {}, 30);
  auto dtls = DtlsContext::Create(*cert);
  SrtpSession::GlobalInit();
  Totals totals;
  IoLoop loop;
  std::vector<std::unique_ptr<Site>> sites;
  for (int i = 0; i < o.sites; ++i)
    sites.push_back(std::make_unique<Site>(i + 1, o, &loop, *dtls, &totals, &clip));
  auto http_thread = std::make_unique<signaling::IoThread>();
  JanusHttp janus(http_thread->context(), url->first, url->second);

  auto session = janus.Call("", {{"janus", "create"}});
  if (!session) {
    spdlog::error("cannot create a Janus session at {}: {}", o.url, session.error());
    return 1;
  }
  const std::string session_path = "/" + std::to_string((*session)["data"]["id"].get<uint64_t>());
  std::map<uint64_t, Site*> by_handle;  // Written before the joins, then only read (http thread).
  for (auto& s : sites) {
    auto handle =
        janus.Call(session_path, {{"janus", "attach"}, {"plugin", "janus.plugin.audiobridge"}});
    if (!handle) {
      spdlog::error("attach: {}", handle.error());
      return 1;
    }
    by_handle[(*handle)["data"]["id"].get<uint64_t>()] = s.get();
  }
  janus.LongPoll(session_path, [&](const json& e) {
    const std::string kind = e.value("janus", "");
    auto site = by_handle.find(e.value("sender", uint64_t{0}));
    if (kind == "keepalive" || site == by_handle.end()) return;
    Site* s = site->second;
    if (kind == "event") {
      const json data = e.value("plugindata", json::object()).value("data", json::object());
      if (data.contains("error")) {
        totals.errors++;
        spdlog::warn("AudioBridge: {}", data.dump());
      }
      if (e.contains("jsep") &&
          e["jsep"].value("type", "") == "answer") {  // The site's own "joined".
        totals.joined++;
        std::string sdp = e["jsep"].value("sdp", "");
        loop.Post([s, sdp] { s->OnAnswer(sdp); });
      }
    } else if (kind == "trickle") {
      const json c = e.value("candidate", json::object());
      if (c.contains("candidate")) {
        std::string candidate = c["candidate"];
        loop.Post([s, candidate] { s->OnCandidate(candidate); });
      }
    } else if (kind == "hangup") {
      totals.hangups++;
      spdlog::warn("Janus hung up a site: {}", e.value("reason", ""));
    }
  });

  guint pump = 0;
  loop.Invoke([&] {
    pump = loop.AddTimer(20, [&] {
      int64_t now = NowUs();
      for (auto& s : sites) s->Pump(now);
      return true;
    });
  });
  auto start = std::chrono::steady_clock::now();
  int n = 0;
  for (const auto& [handle, s] : by_handle) {
    std::string offer;
    loop.Invoke([&, s = s] { offer = s->Offer(); });
    json join = {
        {"janus", "message"},
        {"body",
         {{"request", "join"}, {"room", o.room}, {"display", "site-" + std::to_string(++n)}}},
        {"jsep", {{"type", "offer"}, {"sdp", offer}}}};
    if (auto r = janus.Call(session_path + "/" + std::to_string(handle), join); !r) {
      totals.errors++;
      spdlog::warn("join: {}", r.error());
    }
  }

  auto last_keepalive = std::chrono::steady_clock::now();
  for (int tick = 1;
       std::chrono::steady_clock::now() - start < std::chrono::duration<double>(o.seconds);
       ++tick) {
    std::this_thread::sleep_until(start + std::chrono::seconds(tick));
    spdlog::info("t={}s joined {}/{} connected {} sent a {} received a {}", tick,
                 totals.joined.load(), o.sites, totals.connected.load(), totals.audio_sent.load(),
                 totals.audio_recv.load());
    if (std::chrono::steady_clock::now() - last_keepalive > std::chrono::seconds(15)) {
      last_keepalive = std::chrono::steady_clock::now();
      if (auto r = janus.Call(session_path, {{"janus", "keepalive"}}); !r)
        spdlog::warn("keepalive: {}", r.error());
    }
  }
  loop.Invoke([&] {
    loop.CancelTimer(pump);
    for (auto& s : sites) s->Close();  // DTLS close_notify: Janus sees each site hang up.
  });
  janus.StopPolling();
  if (auto r = janus.Call(session_path, {{"janus", "destroy"}}); !r)
    spdlog::warn("destroy: {}", r.error());
  http_thread.reset();  // Drops the pending long poll.

  std::vector<double> cm = totals.connect_ms;
  std::sort(cm.begin(), cm.end());
  uint64_t min_recv = sites.empty() ? 0 : UINT64_MAX;
  for (const auto& s : sites) min_recv = std::min(min_recv, s->received());
  json summary = {{"sites", o.sites},
                  {"joined", totals.joined.load()},
                  {"connected", totals.connected.load()},
                  {"audioSent", totals.audio_sent.load()},
                  {"audioReceived", totals.audio_recv.load()},
                  {"audioReceivedMinPerSite", min_recv},
                  {"errors", totals.errors.load()},
                  {"hangups", totals.hangups.load()},
                  {"connectMsMedian", cm.empty() ? 0 : cm[cm.size() / 2]},
                  {"connectMsMax", cm.empty() ? 0 : cm.back()}};
  std::cout << "SUMMARY " << summary.dump() << std::endl;
  sites.clear();
  return 0;
}
