#include "signaling/http_handler.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

namespace mcu::signaling {
namespace {

HttpResponse Make(const HttpRequest& req, http::status status, std::string body,
                  const std::string& type) {
  HttpResponse res{status, req.version()};
  res.set(http::field::server, "mcu");
  res.set(http::field::content_type, type);
  // Everything the console needs is served from here: forbid anything else.
  res.set("Content-Security-Policy",
          "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
          "connect-src 'self' wss:; style-src 'self'; frame-ancestors 'none'");
  res.set("X-Content-Type-Options", "nosniff");
  res.set(http::field::strict_transport_security, "max-age=31536000");
  res.set(http::field::cache_control, "no-cache");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

HttpResponse Error(const HttpRequest& req, http::status status, const std::string& what) {
  return Make(req, status, "{\"error\":\"" + what + "\"}\n", "application/json");
}

// What lies in the web root but is not the console: npm's files (package.json, the lock file,
// every module's manifest and sources: only a module's dist/ folder is an asset) and dotfiles.
bool NotTheConsole(std::string_view path) {
  for (size_t at = 0; at < path.size();) {
    const size_t end = std::min(path.find('/', at + 1), path.size());
    const std::string_view segment = path.substr(at + 1, end - at - 1);
    if (segment.starts_with('.') || segment == "package.json" || segment == "package-lock.json")
      return true;
    at = end;
  }
  if (!path.starts_with("/node_modules/")) return false;
  // /node_modules/<module>/dist/...
  const size_t module_end = path.find('/', sizeof("/node_modules/") - 1);
  return module_end == std::string_view::npos || !path.substr(module_end).starts_with("/dist/");
}

}  // namespace

std::string MimeType(const std::string& path) {
  auto ext = std::filesystem::path(path).extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  return "application/octet-stream";
}

HttpResponse HandleHttp(const HttpRequest& req, const HttpContext& ctx) {
  if (req.method() != http::verb::get)
    return Error(req, http::status::method_not_allowed, "method not allowed");
  std::string target(req.target());
  if (auto q = target.find('?'); q != std::string::npos) target.resize(q);
  if (target == "/healthz") return Make(req, http::status::ok, "ok\n", "text/plain");
  if (target.empty() || target[0] != '/' || target.find("..") != std::string::npos ||
      target.find("//") != std::string::npos || target.find('\\') != std::string::npos ||
      target.find('\0') != std::string::npos)
    return Error(req, http::status::bad_request, "bad path");
  if (target == "/") target = "/index.html";
  if (target == "/room") target = "/room.html";
  if (NotTheConsole(target)) return Error(req, http::status::not_found, "not found");
  namespace fs = std::filesystem;
  fs::path root = fs::weakly_canonical(ctx.web_root);
  fs::path path = fs::weakly_canonical(root / fs::path(target.substr(1)).relative_path());
  // Whatever the target, only files below the web root are served.
  auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  if (r != root.end()) return Error(req, http::status::bad_request, "bad path");
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return Error(req, http::status::not_found, "not found");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream body;
  body << in.rdbuf();
  return Make(req, http::status::ok, body.str(), MimeType(path.string()));
}

}  // namespace mcu::signaling
