#include "mcu/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace mcu {
namespace {

thread_local std::string t_conference, t_site;

// JSON string escaping; with `quotes` false (plain lines) only the control characters, so that a
// peer's string cannot start a forged line or send terminal escapes.
void AppendEscaped(std::string_view s, spdlog::memory_buf_t& out, bool quotes = true) {
  static const char* hex = "0123456789abcdef";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out.append(quotes ? std::string_view("\\\"") : std::string_view("\""));
        break;
      case '\\':
        out.append(quotes ? std::string_view("\\\\") : std::string_view("\\"));
        break;
      case '\n':
        out.append(std::string_view("\\n"));
        break;
      case '\r':
        out.append(std::string_view("\\r"));
        break;
      case '\t':
        out.append(std::string_view("\\t"));
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
          out.append(u, u + 6);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
}

void AppendField(const char* name, std::string_view value, spdlog::memory_buf_t& out) {
  out.push_back(',');
  out.push_back('"');
  out.append(std::string_view(name));
  out.append(std::string_view("\":\""));
  AppendEscaped(value, out);
  out.push_back('"');
}

// %* : "message":"...", then "conference" and "site" from the thread's LogScope.
class JsonFields : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    dest.append(std::string_view("\"message\":\""));
    AppendEscaped(std::string_view(msg.payload.data(), msg.payload.size()), dest);
    dest.push_back('"');
    if (!t_conference.empty()) AppendField("conference", t_conference, dest);
    if (!t_site.empty()) AppendField("site", t_site, dest);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonFields>();
  }
};

// %* in a plain line: the message with its control characters escaped.
class PlainMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    AppendEscaped(std::string_view(msg.payload.data(), msg.payload.size()), dest, false);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<PlainMessage>();
  }
};

}  // namespace

std::unique_ptr<spdlog::formatter> PlainLogFormatter() {
  auto f = std::make_unique<spdlog::pattern_formatter>();
  f->add_flag<PlainMessage>('*').set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %*");
  return f;
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter() {
  auto f = std::make_unique<spdlog::pattern_formatter>();
  f->add_flag<JsonFields>('*').set_pattern(
      R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","thread":%t,%*})");
  return f;
}

void SetupLogging(const std::string& name, const std::string& level, bool json) {
  auto logger = spdlog::stderr_color_mt(name);
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  if (json) {
    spdlog::set_formatter(JsonLogFormatter());
  } else {
    spdlog::set_formatter(PlainLogFormatter());
  }
}

LogScope::LogScope(const std::string& conference, const std::string& site)
    : prev_conference_(std::move(t_conference)), prev_site_(std::move(t_site)) {
  t_conference = conference;
  t_site = site;
}

LogScope::~LogScope() {
  t_conference = std::move(prev_conference_);
  t_site = std::move(prev_site_);
}

}  // namespace mcu
