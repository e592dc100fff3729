#include "mcu/schedule.h"

#include <cstdio>
#include <ctime>
#include <regex>

namespace mcu {

Expected<int64_t> ParseTime(const std::string& text) {
  static const std::regex re(
      R"(^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$)");
  std::smatch m;
  if (!std::regex_match(text, m, re))
    return MakeError(ErrorKind::kInvalid, "'" + text + "' is not an ISO 8601 time");
  std::tm tm{};
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  tm.tm_hour = std::stoi(m[4]);
  tm.tm_min = std::stoi(m[5]);
  tm.tm_sec = m[6].matched ? std::stoi(m[6]) : 0;
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60)
    return MakeError(ErrorKind::kInvalid, "'" + text + "' is not a valid time");
  if (!m[7].matched) {
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == -1) return MakeError(ErrorKind::kInvalid, "'" + text + "' is not a valid local time");
    return static_cast<int64_t>(t);
  }
  int64_t t = timegm(&tm);
  std::string zone = m[7];
  if (zone != "Z") {
    int sign = zone[0] == '-' ? -1 : 1;
    std::string digits;
    for (char c : zone.substr(1))
      if (c != ':') digits += c;
    int offset = std::stoi(digits.substr(0, 2)) * 3600 + std::stoi(digits.substr(2, 2)) * 60;
    t -= sign * offset;
  }
  return t;
}

std::string FormatTime(int64_t unix_s) {
  time_t t = static_cast<time_t>(unix_s);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  long off = tm.tm_gmtoff;
  char sign = off < 0 ? '-' : '+';
  off = off < 0 ? -off : off;
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 3600,
                (off % 3600) / 60);
  return buf;
}

int64_t AddLocalDays(int64_t unix_s, int days) {
  time_t t = static_cast<time_t>(unix_s);
  std::tm tm{};
  localtime_r(&t, &tm);
  tm.tm_mday += days;
  tm.tm_isdst = -1;
  return static_cast<int64_t>(mktime(&tm));
}

ScheduleAction Due(const ConferenceRow& c, int64_t now, int grace_s) {
  if (c.permanent() || c.state == ConferenceState::kEnded) return ScheduleAction::kNone;
  if (now >= c.end_at + grace_s) return ScheduleAction::kClose;
  if (c.state == ConferenceState::kScheduled && now >= c.start_at - c.lead_time_s)
    return ScheduleAction::kOpen;
  return ScheduleAction::kNone;
}

std::optional<std::pair<int64_t, int64_t>> NextOccurrence(const ConferenceRow& c, int64_t now,
                                                          int grace_s) {
  int step = c.recurrence == "daily" ? 1 : c.recurrence == "weekly" ? 7 : 0;
  if (!step || c.permanent()) return std::nullopt;
  int64_t start = c.start_at, end = c.end_at;
  for (int i = 0; i < 10000; ++i) {
    start = AddLocalDays(start, step);
    end = AddLocalDays(end, step);
    if (end + grace_s > now) return std::make_pair(start, end);
  }
  return std::nullopt;
}

bool ValidId(const std::string& id) {
  static const std::regex re("^[a-z0-9][a-z0-9_-]{0,63}$");
  return std::regex_match(id, re);
}

Status ValidateConference(const ConferenceRow& c) {
  if (!ValidId(c.id))
    return MakeError(ErrorKind::kInvalid, "id must be 1-64 of a-z, 0-9, '-', '_'");
  if (c.title.empty() || c.title.size() > 200)
    return MakeError(ErrorKind::kInvalid, "title must be 1-200 characters");
  if (c.mode != "mix" && c.mode != "echo")
    return MakeError(ErrorKind::kInvalid, "mode must be mix or echo");
  if (c.recurrence != "none" && c.recurrence != "daily" && c.recurrence != "weekly")
    return MakeError(ErrorKind::kInvalid, "recurrence must be none, daily or weekly");
  if (c.layout != "grid" && c.layout != "speaker" && c.layout != "single" &&
      c.layout != "presenter")
    return MakeError(ErrorKind::kInvalid, "layout must be grid, speaker, single or presenter");
  if (c.lead_time_s < 0 || c.lead_time_s > 86400)
    return MakeError(ErrorKind::kInvalid, "leadTimeMinutes must be 0-1440");
  if ((c.start_at == 0) != (c.end_at == 0))
    return MakeError(
        ErrorKind::kInvalid,
        "start and end go together: both for a scheduled meeting, neither for a permanent one");
  if (!c.permanent()) {
    if (c.start_at <= 0 || c.end_at <= c.start_at)
      return MakeError(ErrorKind::kInvalid, "start must be before end");
    if (c.end_at - c.start_at > 86400)
      return MakeError(ErrorKind::kInvalid, "a meeting lasts at most 24 hours");
  } else if (c.recurrence != "none") {
    return MakeError(ErrorKind::kInvalid, "a permanent conference (no start and end) cannot recur");
  }
  for (const auto& s : c.invited)
    if (!ValidId(s))
      return MakeError(ErrorKind::kInvalid, "invited site '" + s + "' is not a site id");
  if (c.auto_record && c.classified)
    return MakeError(ErrorKind::kInvalid, "a classified conference is not recorded: no autoRecord");
  if (c.auto_record && c.mode == "echo")
    return MakeError(ErrorKind::kInvalid, "an echo conference is not recorded: no autoRecord");
  return OkStatus();
}

}  // namespace mcu
