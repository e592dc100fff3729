// Alarms a technician is told about, raised and cleared from per-second observations.
//
// Each alarm is a (kind, subject) pair (subject: a site id, or a conference id for encoder
// overload). Every second the caller says, per pair it watches, whether the condition holds and
// how badly (Observe); the book turns that into changes:
//   - raised as soon as the condition holds (the windows that make a condition meaningful, such
//     as 10 s of loss, are in the measurement, not here);
//   - a change of severity while raised is reported, with no clear: up (warning -> critical) at
//     once, down only once the higher one has not held for `clear_after_s` (a link at the edge
//     of the critical threshold does not go critical and back every second);
//   - cleared once the condition has not held for `clear_after_s` seconds in a row, so a link
//     at the edge of a threshold does not raise and clear every second.
// Pairs not observed in a tick keep their state (a site that left is cleared with Forget).
// SiteConditions turns one site's second of health into its conditions, with the thresholds of
// the configuration ([alarms]).
//
// Pure code; an instance belongs to one thread (the domain's control thread).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mcu {

enum class AlarmKind {
  kLoss,
  kNoMedia,
  kRtt,
  kOffline,
  kDtlsFailed,
  kEncoderOverload,
  kDevice,
  kVideoRefused,
  kDiskFull,
  kLoop  // The last: the metrics count kinds up to it (monitor.cpp ByKind).
};
enum class Severity { kWarning, kCritical };

// "loss", "no-media", "rtt", "offline", "dtls", "encoder", "device", "video-refused", "disk",
// "loop"
const char* ToString(AlarmKind kind);
const char* ToString(Severity severity);  // "warning", "critical"

struct AlarmThresholds {
  double loss_warning_pct = 1.0;  // Over the 10 s loss window.
  double loss_critical_pct = 5.0;
  int no_media_s = 5;  // A joined site with no packets in for this long.
  double rtt_ms = 300;
  int clear_after_s = 5;  // Condition absent this long before the alarm clears.
};

struct Alarm {
  AlarmKind kind = AlarmKind::kLoss;
  std::string subject;
  Severity severity = Severity::kWarning;
  std::string detail;      // What was measured, e.g. "loss 5.2% in (video)".
  int64_t since_ms = 0;    // Raised at.
  int64_t cleared_ms = 0;  // 0 while active.
};

struct AlarmChange {
  enum class Type { kRaised, kChanged, kCleared } type = Type::kRaised;
  Alarm alarm;
};

// One condition as observed this second: nullopt severity means it does not hold.
struct Condition {
  AlarmKind kind;
  std::optional<Severity> severity;
  std::string detail;
};

class AlarmBook {
 public:
  explicit AlarmBook(int clear_after_s = 5) : clear_after_ms_(int64_t{clear_after_s} * 1000) {}

  // This second's observations for one subject; returns what changed.
  std::vector<AlarmChange> Observe(int64_t now_ms, const std::string& subject,
                                   const std::vector<Condition>& conditions);
  // The subject is gone (a site left): its active alarms clear now.
  std::vector<AlarmChange> Forget(int64_t now_ms, const std::string& subject);
  // Only that kind of the subject's alarms clears now (if active).
  std::vector<AlarmChange> Forget(int64_t now_ms, const std::string& subject, AlarmKind kind);

  std::vector<Alarm> Active() const;

 private:
  struct State {
    Alarm alarm;
    int64_t last_held_ms = 0;      // The condition, at any severity.
    int64_t severity_held_ms = 0;  // The alarm's current severity (or a higher one).
  };
  int64_t clear_after_ms_;
  std::map<std::pair<std::string, AlarmKind>, State> active_;
};

// One site's second: the measurements the conditions need.
struct SiteSecond {
  double loss_in_pct = 0, loss_out_pct = 0;     // Worst direction of audio/video, over the window.
  std::string loss_in_stream, loss_out_stream;  // "audio" | "video": which one was worst.
  double rtt_ms = -1;                           // -1: not measured yet.
  int silent_s = 0;                             // Seconds in a row with no packet received.
  bool dtls_failed = false;
  std::string video_refused;  // Why its video is not decoded (too large a picture); empty: none.
};

std::vector<Condition> SiteConditions(const SiteSecond& s, const AlarmThresholds& t);

}  // namespace mcu
