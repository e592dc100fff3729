#include "signaling/wss_client.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <deque>
#include <regex>

#include "signaling/tls_policy.h"

namespace mcu::signaling {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

Expected<WssUrl> ParseWssUrl(const std::string& url) {
  static const std::regex re(R"(^wss://([^/:\[\]]+|\[[0-9a-fA-F:]+\])(?::(\d+))?(/.*)?$)");
  std::smatch m;
  if (!std::regex_match(url, m, re))
    return MakeError(ErrorKind::kInvalid, "URL must be wss://host[:port][/path]: " + url);
  WssUrl u{m[1], m[2].matched ? std::string(m[2]) : "443", m[3].matched ? std::string(m[3]) : "/"};
  if (u.host.front() == '[') u.host = u.host.substr(1, u.host.size() - 2);
  return u;
}

namespace {

std::string Fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    if (i) out += ':';
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

class Client : public WssClient, public std::enable_shared_from_this<Client> {
  // The context with the TLS policy applied: before ws_ makes its SSL object from it, which
  // copies the protocol versions and options then.
  net::ssl::context PolicyContext() {
    net::ssl::context tls(net::ssl::context::tls_client);
    policy_ = ApplyTlsPolicy(tls.native_handle(), TlsRole::kClient);
    return tls;
  }

 public:
  Client(net::io_context& ioc, WssClientOptions o, Callbacks cb)
      : options_(std::move(o)),
        callbacks_(std::move(cb)),
        tls_(PolicyContext()),
        resolver_(net::make_strand(ioc)),
        ws_(resolver_.get_executor(), tls_) {}

  void Start() override {
    auto url = ParseWssUrl(options_.url);
    if (!url) return Fail(url.error());
    url_ = *url;
    if (!policy_.ok()) return Fail(policy_.error());
    beast::error_code ec;
    if (options_.insecure || !options_.pin_sha256.empty()) {
      std::string pin = options_.pin_sha256;
      for (auto& ch : pin) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      bool insecure = options_.insecure;
      ws_.next_layer().set_verify_mode(net::ssl::verify_peer);
      ws_.next_layer().set_verify_callback(
          [pin, insecure, seen = seen_fingerprint_](bool, net::ssl::verify_context& vc) {
            X509_STORE_CTX* store = vc.native_handle();
            if (X509_STORE_CTX_get_error_depth(store) != 0) return true;  // Judge the leaf only.
            *seen = Fingerprint(X509_STORE_CTX_get_current_cert(store));
            return insecure || *seen == pin;
          });
    } else {
      if (options_.ca_file.empty()) return Fail("no CA file or pinned fingerprint given");
      tls_.load_verify_file(options_.ca_file, ec);
      if (ec) return Fail("cannot load CA file " + options_.ca_file + ": " + ec.message());
      ws_.next_layer().set_verify_mode(net::ssl::verify_peer);
      ws_.next_layer().set_verify_callback(net::ssl::host_name_verification(url_.host));
    }
    if (!SSL_set_tlsext_host_name(ws_.next_layer().native_handle(), url_.host.c_str()))
      return Fail("cannot set SNI");
    resolver_.async_resolve(url_.host, url_.port,
                            beast::bind_front_handler(&Client::OnResolve, shared_from_this()));
  }

  void Send(std::string text) override { Post(std::move(text), false); }
  void SendRaw(std::string bytes, bool binary) override { Post(std::move(bytes), binary); }

  void Close() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      if (!self->open_ || self->closing_) {
        self->closing_ = true;
        beast::error_code ec;
        beast::get_lowest_layer(self->ws_).socket().close(ec);
        return;
      }
      self->closing_ = true;
      self->ws_.async_close(websocket::close_code::normal, [self](beast::error_code) {});
    });
  }

  void Abort() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      beast::error_code ec;
      beast::get_lowest_layer(self->ws_).socket().close(ec);
    });
  }

 private:
  void Post(std::string text, bool binary) {
    net::post(ws_.get_executor(),
              [self = shared_from_this(), text = std::move(text), binary]() mutable {
                if (!self->open_ || self->closing_) return;
                self->queue_.push_back({std::move(text), binary});
                if (self->queue_.size() == 1) self->DoWrite();
              });
  }

  void Fail(const std::string& reason) {
    if (closed_) return;
    closed_ = true;
    open_ = false;
    if (callbacks_.on_close) callbacks_.on_close(reason);
  }

  void OnResolve(beast::error_code ec, const tcp::resolver::results_type& results) {
    if (ec) return Fail("resolve " + url_.host + ": " + ec.message());
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(options_.timeout_s));
    beast::get_lowest_layer(ws_).async_connect(
        results, beast::bind_front_handler(&Client::OnConnect, shared_from_this()));
  }

  void OnConnect(beast::error_code ec, const tcp::resolver::results_type::endpoint_type&) {
    if (ec) return Fail("connect: " + ec.message());
    ws_.next_layer().async_handshake(
        net::ssl::stream_base::client,
        beast::bind_front_handler(&Client::OnTlsHandshake, shared_from_this()));
  }

  void OnTlsHandshake(beast::error_code ec) {
    // A pinned certificate that is not the one presented is said as such, with the one seen.
    std::string pin = options_.pin_sha256;
    for (auto& ch : pin) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (ec && !pin.empty() && !seen_fingerprint_->empty() && *seen_fingerprint_ != pin)
      return Fail("certificate mismatch: the server's certificate has the fingerprint " +
                  *seen_fingerprint_ + ", not the pinned one");
    if (ec) return Fail("TLS: " + ec.message());
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout t =
        websocket::stream_base::timeout::suggested(beast::role_type::client);
    t.handshake_timeout = std::chrono::seconds(options_.timeout_s);
    t.idle_timeout = std::chrono::seconds(30);
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.read_message_max(4 << 20);
    if (!options_.cookie.empty() || !options_.origin.empty())
      ws_.set_option(websocket::stream_base::decorator(
          [cookie = options_.cookie, origin = options_.origin](websocket::request_type& req) {
            if (!cookie.empty()) req.set(beast::http::field::cookie, cookie);
            if (!origin.empty()) req.set(beast::http::field::origin, origin);
          }));
    ws_.async_handshake(url_.host, url_.path,
                        beast::bind_front_handler(&Client::OnHandshake, shared_from_this()));
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return Fail("websocket: " + ec.message());
    open_ = true;
    if (callbacks_.on_open) callbacks_.on_open();
    DoRead();
  }

  void DoRead() {
    ws_.async_read(buffer_, beast::bind_front_handler(&Client::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec) {
      std::string reason = ec == websocket::error::closed
                               ? "closed by server: " + std::string(ws_.reason().reason.c_str())
                               : ec.message();
      return Fail(reason);
    }
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (callbacks_.on_message) callbacks_.on_message(text);
    DoRead();
  }

  void DoWrite() {
    ws_.binary(queue_.front().second);
    ws_.async_write(net::buffer(queue_.front().first),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      if (ec) {
                        self->queue_.clear();
                        return;
                      }
                      self->queue_.pop_front();
                      if (!self->queue_.empty()) self->DoWrite();
                    });
  }

  WssClientOptions options_;
  // The leaf certificate's fingerprint, as the TLS handshake's verify callback saw it.
  std::shared_ptr<std::string> seen_fingerprint_ = std::make_shared<std::string>();
  Callbacks callbacks_;
  Status policy_ = OkStatus();  // Set by PolicyContext(), while tls_ is made.
  net::ssl::context tls_;
  tcp::resolver resolver_;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
  WssUrl url_;
  beast::flat_buffer buffer_;
  std::deque<std::pair<std::string, bool>> queue_;
  bool open_ = false, closing_ = false, closed_ = false;
};

}  // namespace

Expected<std::string> ProbeCertificate(const std::string& url, int timeout_s) {
  auto u = ParseWssUrl(url);
  if (!u) return u.failure();
  net::io_context ioc;
  net::ssl::context tls(net::ssl::context::tls_client);
  if (auto st = ApplyTlsPolicy(tls.native_handle(), TlsRole::kClient); !st) return st.failure();
  beast::ssl_stream<beast::tcp_stream> stream(ioc, tls);
  std::string seen, error;
  stream.set_verify_mode(net::ssl::verify_peer);
  stream.set_verify_callback([&seen](bool, net::ssl::verify_context& vc) {
    X509_STORE_CTX* store = vc.native_handle();
    if (X509_STORE_CTX_get_error_depth(store) == 0)
      seen = Fingerprint(X509_STORE_CTX_get_current_cert(store));
    return true;  // Read, not judged: the administrator compares it.
  });
  if (!SSL_set_tlsext_host_name(stream.native_handle(), u->host.c_str()))
    return MakeError(ErrorKind::kInternal, "cannot set SNI");
  tcp::resolver resolver(ioc);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(timeout_s));
  resolver.async_resolve(
      u->host, u->port, [&](beast::error_code ec, const tcp::resolver::results_type& results) {
        if (ec) {
          error = "cannot resolve " + u->host + ": " + ec.message();
          return;
        }
        beast::get_lowest_layer(stream).async_connect(
            results, [&](beast::error_code ec, const tcp::endpoint&) {
              if (ec) {
                error = "cannot connect to " + u->host + ":" + u->port + ": " + ec.message();
                return;
              }
              stream.async_handshake(net::ssl::stream_base::client, [&](beast::error_code ec) {
                if (ec && seen.empty()) error = "TLS handshake failed: " + ec.message();
              });
            });
      });
  ioc.run_for(std::chrono::seconds(timeout_s + 1));
  if (!seen.empty()) return seen;
  if (error.empty()) error = "no answer within " + std::to_string(timeout_s) + " s";
  return MakeError(ErrorKind::kConflict, error);
}

std::shared_ptr<WssClient> WssClient::Create(net::io_context& ioc, WssClientOptions options,
                                             Callbacks callbacks) {
  return std::make_shared<Client>(ioc, std::move(options), std::move(callbacks));
}

IoThread::IoThread()
    : guard_(new net::executor_work_guard<net::io_context::executor_type>(ioc_.get_executor()),
             [](void* p) {
               delete static_cast<net::executor_work_guard<net::io_context::executor_type>*>(p);
             }),
      thread_([this] { ioc_.run(); }) {}

IoThread::~IoThread() { Stop(); }

void IoThread::Stop() {
  guard_.reset();
  ioc_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace mcu::signaling
