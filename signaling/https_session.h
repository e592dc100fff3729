// One TLS connection serving HTTP/1.1: static files and /healthz (http_handler.h), the REST API
// under /api/ (rest_api.h), or an upgrade to the endpoint WebSocket at /ws (a WsSession takes the
// stream over), to the console's event feed at /api/v1/events (event_feed.h) or to the console's
// preview at /api/v1/preview (a WsSession without `auth`: the session's user is the watcher).
// Both console upgrades are authorised by the session cookie and refused (403) unless their Origin
// is this server's own (a missing Origin too); each socket then lives only as long as its session
// vouches for it (console_sockets.h).
// The access log: one debug line per request, `http <remote> "<method> <target>" <status>`
// (101 when a WebSocket session takes the connection over; that session logs a failed
// handshake). No route takes a secret in its target, and the values of query parameters whose
// names look secret (token, password, ...) are logged as `[redacted]` all the same; cookies and the
// Authorization header are never logged.
// Reading: the headers (up to 16 KiB) first. A body declared up to kPreAuthBodyLimit (16 KiB,
// room for a login) is read; a larger one (or a chunked one) only when the request carries a
// session cookie or API token that the API confirms, and then up to 1 MiB (over 64 KiB is
// answered 413). Without such credentials it is answered 413 (no credentials) or 401 (wrong
// ones) before its body is read, and the connection is closed.
// Threading: runs on its own strand.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <memory>
#include <optional>

#include "signaling/server_context.h"

namespace mcu::signaling {

struct RestResponse;

class HttpsSession : public std::enable_shared_from_this<HttpsSession> {
 public:
  static constexpr size_t kPreAuthBodyLimit = 16 * 1024;

  // `slot`: the connection's place (connection_limits.h), handed on to a WebSocket session.
  HttpsSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ServerContext> ctx,
               ConnectionSlot slot);
  void Run();

 private:
  void OnHandshake(boost::beast::error_code ec);
  void DoRead();
  void OnHeader(boost::beast::error_code ec, size_t bytes);
  void ReadBody();
  // A body too large to read without credentials: answered at once, the connection closed.
  void RefuseBody(int status, const std::string& message);
  void OnRead(boost::beast::error_code ec, size_t bytes);
  void HandleApi();
  // The console's WebSockets, for a logged-in user of this origin only: the event feed
  // (/api/v1/events) or a conference preview (/api/v1/preview, a receive-only endpoint).
  void UpgradeForConsole(bool preview);
  void WriteApiResponse(unsigned version, bool keep_alive, RestResponse r);
  // An answer whose body is a file (RestResponse::file), the part `range_` asks.
  void WriteFileResponse(unsigned version, bool keep_alive, RestResponse r);
  void OnRefusalWritten(boost::beast::error_code ec, size_t bytes);
  void OnWrite(bool keep_alive, boost::beast::error_code ec, size_t bytes);
  // The access log's line for the request being answered (before its parser is released).
  void LogAccess(unsigned status) const;
  void DoClose();

  std::shared_ptr<ServerContext> ctx_;
  ConnectionSlot slot_;
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<void> response_;  // Kept alive until written.
  std::string range_;               // The API request's Range header.
  std::string remote_;
};

}  // namespace mcu::signaling
