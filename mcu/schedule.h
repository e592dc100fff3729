// When conferences open and close, and how their times are written: pure functions over plain
// values, tested without a clock.
//
// A scheduled conference opens at start - lead_time (the technical check: rooms join and are
// checked before the meeting) and closes at end + grace. A recurring one (daily, weekly) then
// moves to its next occurrence, in local wall-clock time, and waits again; one that does not
// recur ends. A conference whose whole window passed while the MCU was down is closed (and
// moved on) without opening. Permanent conferences (no start, no end) never open or close by
// time: a site joins them when it asks.
//
// Times are Unix seconds; the local zone is the process's (TZ, set once at start from
// `server.time_zone`, Asia/Ho_Chi_Minh by default), so ParseTime/FormatTime/AddLocalDays must
// not race a change of TZ: set it before threads start.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "mcu/expected.h"
#include "mcu/records.h"

namespace mcu {

// ISO 8601: "2026-11-30T08:00", "2026-11-30T08:00:00", with "Z" or "+07:00" / "-0500";
// without an offset, local time.
Expected<int64_t> ParseTime(const std::string& text);
// Local time with its offset: "2026-11-30T08:00:00+07:00".
std::string FormatTime(int64_t unix_s);
// The same local wall-clock time `days` later.
int64_t AddLocalDays(int64_t unix_s, int days);

enum class ScheduleAction { kNone, kOpen, kClose };
ScheduleAction Due(const ConferenceRow& c, int64_t now, int grace_s);

// The first occurrence after the one that just closed whose close (end + grace) is still
// ahead of `now`; nullopt if the conference does not recur.
std::optional<std::pair<int64_t, int64_t>> NextOccurrence(const ConferenceRow& c, int64_t now,
                                                          int grace_s);

// Checks a conference's fields (id syntax, known mode/recurrence/layout, start before end, a
// meeting of at most 24 h, lead time at most 24 h).
Status ValidateConference(const ConferenceRow& c);
// Ids of sites and conferences: 1-64 of [a-z0-9_-], starting with a letter or digit.
bool ValidId(const std::string& id);

}  // namespace mcu
