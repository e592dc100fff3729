// Logging set-up for the daemons, and the conference and site a log line is about.
//
// With [log] json = true every line is one JSON object:
//   {"time":"2026-11-23T19:05:37.123+0700","level":"warning","thread":123,
//    "message":"alarm raised: ...","conference":"giao-ban","site":"huyen-1"}
// `conference` and `site` come from the LogScope active on the logging thread (absent if none):
// the domain opens one while it handles a participant, an alarm, a conference. Messages are
// escaped, so a line is always valid JSON. Secrets are never logged (tokens, passwords and
// session ids are not passed to the logger anywhere).
#pragma once

#include <memory>
#include <string>

namespace spdlog {
class formatter;
}

namespace mcu {

void SetupLogging(const std::string& name, const std::string& level, bool json);
// The JSON-lines formatter SetupLogging uses with json = true.
std::unique_ptr<spdlog::formatter> JsonLogFormatter();
// The plain one (json = false): time, level, message. Control characters in the message (a newline
// or an escape sequence in a peer's name or a remote MCU's error text) are written as \n,
// \u001b..., so that one event is always one line and no peer can forge another.
std::unique_ptr<spdlog::formatter> PlainLogFormatter();

class LogScope {
 public:
  explicit LogScope(const std::string& conference, const std::string& site = "");
  ~LogScope();
  LogScope(const LogScope&) = delete;
  LogScope& operator=(const LogScope&) = delete;

 private:
  std::string prev_conference_, prev_site_;
};

}  // namespace mcu
