#include "signaling/server.h"

#include <openssl/ssl.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>

#include <chrono>

#include "signaling/https_session.h"
#include "signaling/tls_policy.h"

namespace mcu::signaling {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

class Acceptor : public std::enable_shared_from_this<Acceptor> {
 public:
  Acceptor(net::io_context& ioc, std::shared_ptr<ServerContext> ctx)
      : ioc_(ioc), acceptor_(net::make_strand(ioc)), ctx_(std::move(ctx)) {}

  Status Listen(const tcp::endpoint& ep) {
    beast::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
      return MakeError(ErrorKind::kInternal, "cannot listen on " + ep.address().to_string() + ":" +
                                                 std::to_string(ep.port()) + ": " + ec.message());
    return OkStatus();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Acceptor::OnAccept, shared_from_this()));
  }
  void Close() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

 private:
  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (!ec) {
      auto remote = socket.remote_endpoint(ec).address();
      // Listening on "::", an IPv4 client is ::ffff:a.b.c.d: the same host as a.b.c.d.
      if (remote.is_v6() && remote.to_v6().is_v4_mapped())
        remote = net::ip::make_address_v4(net::ip::v4_mapped, remote.to_v6());
      const std::string address = ec ? "?" : remote.to_string();
      auto admission = ctx_->limits.Admit(address, Limits());
      if (!admission.slot) {
        Refused(address, admission.refusal);
        socket.close(ec);
      } else {
        // Responses and events are written whole: Nagle would hold a large response's last
        // segment for the client's delayed ACK (40 ms on Linux).
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<HttpsSession>(std::move(socket), ctx_, std::move(*admission.slot))->Run();
      }
    }
    Accept();
  }

  ConnectionLimits::Limits Limits() const {
    const auto& o = ctx_->options;
    return {o.max_connections, o.max_connections_per_address, o.reserved_site_connections};
  }

  // One line per refusal at most every kRefusalLogInterval: a flood of connections must not
  // become a flood of log lines. The next line counts those it did not show.
  void Refused(const std::string& address, ConnectionLimits::Refusal why) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_refusal_log_ < kRefusalLogInterval) {
      ++unlogged_refusals_;
      return;
    }
    std::string more;
    if (unlogged_refusals_)
      more = " (and " + std::to_string(unlogged_refusals_) + " more refused since the last line)";
    spdlog::warn("refusing a connection from {}: {}{}", address, Describe(why), more);
    last_refusal_log_ = now;
    unlogged_refusals_ = 0;
  }

  static constexpr std::chrono::seconds kRefusalLogInterval{10};

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  std::shared_ptr<ServerContext> ctx_;
  // The acceptor's strand.
  std::chrono::steady_clock::time_point last_refusal_log_{};
  size_t unlogged_refusals_ = 0;
};

}  // namespace

struct SignalingServer::Impl {
  net::io_context ioc{1};
  std::shared_ptr<ServerContext> ctx = std::make_shared<ServerContext>();
  std::shared_ptr<Acceptor> acceptor;
  std::thread thread;
};

SignalingServer::SignalingServer(ServerOptions options, EndpointHandler* handler, RestApi* api,
                                 EventHub* events, ConsoleSockets* consoles)
    : impl_(std::make_unique<Impl>()) {
  impl_->ctx->options = std::move(options);
  impl_->ctx->handler = handler;
  impl_->ctx->api = api;
  impl_->ctx->events = events;
  impl_->ctx->consoles = consoles;
}

SignalingServer::~SignalingServer() { Stop(); }

Status SignalingServer::Start() {
  auto& ctx = *impl_->ctx;
  auto& tls = ctx.tls;
  if (auto st = ApplyTlsPolicy(tls.native_handle(), TlsRole::kServer); !st) return st;
  tls.set_options(net::ssl::context::default_workarounds);
  beast::error_code ec;
  tls.use_certificate_chain(net::buffer(ctx.options.cert_pem), ec);
  if (!ec) tls.use_private_key(net::buffer(ctx.options.key_pem), net::ssl::context::pem, ec);
  if (ec) return MakeError(ErrorKind::kInternal, "TLS certificate: " + ec.message());

  auto address = net::ip::make_address(ctx.options.address, ec);
  if (ec) return MakeError(ErrorKind::kInternal, "invalid listen address " + ctx.options.address);
  impl_->acceptor = std::make_shared<Acceptor>(impl_->ioc, impl_->ctx);
  auto st = impl_->acceptor->Listen({address, ctx.options.port});
  if (!st) return st;
  port_ = impl_->acceptor->port();
  impl_->acceptor->Accept();
  impl_->thread = std::thread([this] {
    pthread_setname_np(pthread_self(), "mcu-signal");
    impl_->ioc.run();
  });
  return OkStatus();
}

void SignalingServer::Stop() {
  if (!impl_->thread.joinable()) return;
  impl_->acceptor->Close();
  impl_->ioc.stop();
  impl_->thread.join();
}

}  // namespace mcu::signaling
