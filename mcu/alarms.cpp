#include "mcu/alarms.h"

#include <cstdio>
#include <set>

namespace mcu {

const char* ToString(AlarmKind kind) {
  switch (kind) {
    case AlarmKind::kLoss:
      return "loss";
    case AlarmKind::kNoMedia:
      return "no-media";
    case AlarmKind::kRtt:
      return "rtt";
    case AlarmKind::kOffline:
      return "offline";
    case AlarmKind::kDtlsFailed:
      return "dtls";
    case AlarmKind::kEncoderOverload:
      return "encoder";
    case AlarmKind::kDevice:
      return "device";
    case AlarmKind::kVideoRefused:
      return "video-refused";
    case AlarmKind::kDiskFull:
      return "disk";
    case AlarmKind::kLoop:
      return "loop";
  }
  return "?";
}

const char* ToString(Severity severity) {
  return severity == Severity::kCritical ? "critical" : "warning";
}

std::vector<AlarmChange> AlarmBook::Observe(int64_t now_ms, const std::string& subject,
                                            const std::vector<Condition>& conditions) {
  std::vector<AlarmChange> out;
  std::set<AlarmKind> held, observed;
  for (const auto& c : conditions) {
    observed.insert(c.kind);
    if (!c.severity) continue;
    held.insert(c.kind);
    auto key = std::make_pair(subject, c.kind);
    auto it = active_.find(key);
    if (it == active_.end()) {
      State st;
      st.alarm = {c.kind, subject, *c.severity, c.detail, now_ms, 0};
      st.last_held_ms = st.severity_held_ms = now_ms;
      active_.emplace(key, st);
      out.push_back({AlarmChange::Type::kRaised, st.alarm});
      continue;
    }
    State& st = it->second;
    st.last_held_ms = now_ms;
    if (*c.severity >= st.alarm.severity) {
      st.severity_held_ms = now_ms;
      st.alarm.detail = c.detail;
      if (*c.severity == st.alarm.severity) continue;
    } else if (now_ms - st.severity_held_ms < clear_after_ms_) {
      continue;  // Lower now, but not for long enough.
    }
    st.alarm.severity = *c.severity;
    st.alarm.detail = c.detail;
    st.severity_held_ms = now_ms;
    out.push_back({AlarmChange::Type::kChanged, st.alarm});
  }
  // Conditions observed that did not hold: cleared once absent long enough.
  for (auto it = active_.lower_bound({subject, AlarmKind{}});
       it != active_.end() && it->first.first == subject;) {
    if (observed.count(it->first.second) && !held.count(it->first.second) &&
        now_ms - it->second.last_held_ms >= clear_after_ms_) {
      Alarm a = it->second.alarm;
      a.cleared_ms = now_ms;
      out.push_back({AlarmChange::Type::kCleared, a});
      it = active_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<AlarmChange> AlarmBook::Forget(int64_t now_ms, const std::string& subject) {
  std::vector<AlarmChange> out;
  for (auto it = active_.lower_bound({subject, AlarmKind{}});
       it != active_.end() && it->first.first == subject;) {
    Alarm a = it->second.alarm;
    a.cleared_ms = now_ms;
    out.push_back({AlarmChange::Type::kCleared, a});
    it = active_.erase(it);
  }
  return out;
}

std::vector<AlarmChange> AlarmBook::Forget(int64_t now_ms, const std::string& subject,
                                           AlarmKind kind) {
  auto it = active_.find({subject, kind});
  if (it == active_.end()) return {};
  Alarm a = it->second.alarm;
  a.cleared_ms = now_ms;
  active_.erase(it);
  return {{AlarmChange::Type::kCleared, a}};
}

std::vector<Alarm> AlarmBook::Active() const {
  std::vector<Alarm> out;
  for (const auto& [key, st] : active_) out.push_back(st.alarm);
  return out;
}

std::vector<Condition> SiteConditions(const SiteSecond& s, const AlarmThresholds& t) {
  auto fmt = [](const char* f, double v, const std::string& what) {
    char buf[96];
    std::snprintf(buf, sizeof buf, f, v, what.c_str());
    return std::string(buf);
  };
  std::vector<Condition> out;
  // Loss: the worse direction decides; the detail names it.
  bool in_worse = s.loss_in_pct >= s.loss_out_pct;
  double loss = in_worse ? s.loss_in_pct : s.loss_out_pct;
  std::string where = in_worse ? "received from the site (" + s.loss_in_stream + ")"
                               : "sent to the site (" + s.loss_out_stream + ")";
  Condition c{AlarmKind::kLoss, std::nullopt, fmt("loss %.1f%% %s", loss, where)};
  if (loss >= t.loss_critical_pct)
    c.severity = Severity::kCritical;
  else if (loss >= t.loss_warning_pct)
    c.severity = Severity::kWarning;
  out.push_back(c);
  Condition silent{AlarmKind::kNoMedia, std::nullopt, fmt("no media for %.0f s%s", s.silent_s, "")};
  if (s.silent_s >= t.no_media_s) silent.severity = Severity::kCritical;
  out.push_back(silent);
  Condition rtt{AlarmKind::kRtt, std::nullopt, fmt("RTT %.0f ms%s", s.rtt_ms, "")};
  if (s.rtt_ms > t.rtt_ms) rtt.severity = Severity::kWarning;
  out.push_back(rtt);
  Condition dtls{AlarmKind::kDtlsFailed, std::nullopt, "DTLS handshake failed"};
  if (s.dtls_failed) dtls.severity = Severity::kCritical;
  out.push_back(dtls);
  Condition refused{AlarmKind::kVideoRefused, std::nullopt, "video refused: " + s.video_refused};
  if (!s.video_refused.empty()) refused.severity = Severity::kCritical;
  out.push_back(refused);
  return out;
}

}  // namespace mcu
