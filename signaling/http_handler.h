// HTTP request handling as a function: the request in, the response out. Serves the web console
// (and the room page) as static files from the web root, and /healthz. No I/O but reading files.
// Only files below the web root are served, under a Content-Security-Policy that takes scripts
// and styles from the MCU alone (no inline ones), and with no-cache (a reload revalidates).
#pragma once

#include <boost/beast/http.hpp>

#include <string>

namespace mcu::signaling {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

struct HttpContext {
  std::string web_root;
};

HttpResponse HandleHttp(const HttpRequest& request, const HttpContext& context);

// The MIME type for a file name, by extension.
std::string MimeType(const std::string& path);

}  // namespace mcu::signaling
