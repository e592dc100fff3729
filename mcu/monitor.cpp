#include "mcu/monitor.h"

#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

#include "mcu/log.h"
#include "mcu/metrics.h"

namespace mcu {
namespace {

using json = nlohmann::json;

// A composite tier is overloaded when this share of its frames came out late, two seconds in a
// row (an encoder's first second, its initialisation, is often late and means nothing).
constexpr double kLateWarning = 0.10, kLateCritical = 0.50;
constexpr int kLateSeconds = 2;

json DirectionJson(const DirectionHealth& d, const DirectionStats& c, bool video) {
  json j = {{"kbps", d.kbps},          {"packetsPerS", d.packets_per_s}, {"lossPct", d.loss_pct},
            {"jitterMs", d.jitter_ms}, {"packets", c.packets},           {"lost", c.lost},
            {"nacks", c.nacks}};
  if (video) {
    j["fps"] = d.fps;
    j["frames"] = c.frames;
    j["plis"] = c.plis;
    j["firs"] = c.firs;
    j["keyframes"] = c.keyframes;
    j["retransmits"] = c.retransmits;
  }
  return j;
}

// "<conference>/<site>" -> {conference, site}; "<conference>" -> {conference, ""}.
std::pair<std::string, std::string> SplitSubject(const std::string& subject) {
  auto slash = subject.find('/');
  if (slash == std::string::npos) return {subject, ""};
  return {subject.substr(0, slash), subject.substr(slash + 1)};
}

// Health samples as a column per figure, a value per sample: compact for a chart.
template <typename It>
json SeriesJson(It begin, It end) {
  json at = json::array(), rtt = json::array();
  json out = json::object();
  const char* names[] = {"audioIn", "audioOut", "videoIn", "videoOut"};
  for (const char* name : names)
    out[name] = {{"kbps", json::array()},
                 {"lossPct", json::array()},
                 {"jitterMs", json::array()},
                 {"fps", json::array()}};
  for (It it = begin; it != end; ++it) {
    const HealthSample& s = *it;
    at.push_back(s.at_ms);
    rtt.push_back(s.rtt_ms);
    const DirectionHealth* d[] = {&s.audio_in, &s.audio_out, &s.video_in, &s.video_out};
    for (int k = 0; k < 4; ++k) {
      json& x = out[names[k]];
      x["kbps"].push_back(d[k]->kbps);
      x["lossPct"].push_back(d[k]->loss_pct);
      x["jitterMs"].push_back(d[k]->jitter_ms);
      x["fps"].push_back(d[k]->fps);
    }
  }
  out["atMs"] = std::move(at);
  out["rttMs"] = std::move(rtt);
  return out;
}

// User + system CPU seconds, resident bytes and threads, from /proc/self.
ProcessStats ReadProc() {
  ProcessStats p;
  std::ifstream stat("/proc/self/stat");
  std::string line;
  std::getline(stat, line);
  auto close = line.rfind(')');  // The command name may hold spaces.
  if (close != std::string::npos) {
    std::istringstream in(line.substr(close + 2));
    std::string field;
    // Fields from 3 (state): utime is 14, stime 15, num_threads 20, rss 24 (pages).
    std::vector<std::string> f;
    while (in >> field) f.push_back(field);
    if (f.size() > 21) {
      double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
      p.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / tick;
      p.threads = std::stoi(f[17]);
      p.rss_bytes = std::stoll(f[21]) * sysconf(_SC_PAGESIZE);
    }
  }
  return p;
}

// The cores this process may run on (its affinity: a container or taskset may give it fewer).
int UsableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

// Every alarm kind, each with its number of active alarms (0 for the others): a series that
// went back to 0 says so rather than vanishing.
std::map<std::string, int> ByKind(const std::vector<Alarm>& active) {
  std::map<std::string, int> n;
  for (int k = 0; k <= static_cast<int>(AlarmKind::kLoop); ++k)
    n[ToString(static_cast<AlarmKind>(k))] = 0;
  for (const Alarm& a : active) ++n[ToString(a.kind)];
  return n;
}

}  // namespace

Monitor::Monitor(const AlarmThresholds& thresholds, Store* store, ConsoleSink emit)
    : thresholds_(thresholds),
      store_(store),
      emit_(std::move(emit)),
      alarms_(thresholds.clear_after_s),
      metrics_(std::make_unique<Metrics>()) {
  (void)store_->ClearOpenAlarms(
      NowMs());  // Alarms of a previous run: their conditions are gone with it.
  metrics_->SetAlarms(0, 0, ByKind({}));
  metrics_->SetHost(UsableCores(), static_cast<int64_t>(std::time(nullptr)));
}

Monitor::~Monitor() = default;

prometheus::Registry& Monitor::registry() { return metrics_->registry(); }

std::string Monitor::Subject(const std::string& conference, const std::string& site) {
  return site.empty() ? conference : conference + "/" + site;
}

void Monitor::Sample(int64_t now_ms, const std::string& conference,
                     const std::vector<Member>& members, const RoomStats& stats) {
  std::map<ParticipantId, const Member*> by_id;
  for (const auto& m : members) by_id[m.id] = &m;
  for (const auto& ps : stats.participants) {
    auto m = by_id.find(ps.id);
    if (m == by_id.end()) continue;  // Left since the room was read.
    auto [it, fresh] = watches_.try_emplace(ps.id);
    Watch& w = it->second;
    if (fresh)
      w.conference = conference, w.site = m->second->site_id, w.content = m->second->content;
    w.last = ps;
    const HealthSample* s = w.history.Add(now_ms, ps.transport);
    if (!s || !m->second->connected) continue;
    if (!w.content) coarse_[Subject(conference, w.site)].Add(*s);
    w.silent_s = s->audio_in.flowing || s->video_in.flowing ? 0 : w.silent_s + 1;
    metrics_->SetSite(conference, w.site + (w.content ? "#content" : ""), *s);
    if (w.content) continue;
    SiteSecond sec;
    sec.loss_in_pct = std::max(s->audio_in.loss_pct, s->video_in.loss_pct);
    sec.loss_in_stream = s->video_in.loss_pct >= s->audio_in.loss_pct ? "video" : "audio";
    sec.loss_out_pct = std::max(s->audio_out.loss_pct, s->video_out.loss_pct);
    sec.loss_out_stream = s->video_out.loss_pct >= s->audio_out.loss_pct ? "video" : "audio";
    sec.rtt_ms = s->rtt_ms;
    sec.silent_s = w.silent_s;
    sec.video_refused = ps.video_refused;
    Observe(now_ms, Subject(conference, w.site), SiteConditions(sec, thresholds_));
  }
  if (stats.tiers.empty()) return;
  // Encoder load: the share of each tier's frames that came out late in the last second.
  Tiers& t = tiers_[conference];
  double seconds = t.at_ms ? (now_ms - t.at_ms) / 1000.0 : 0;
  t.before = std::move(t.now);
  t.now = stats.tiers;
  t.at_ms = now_ms;
  if (seconds <= 0 || t.before.size() != t.now.size()) return;
  Condition overload{AlarmKind::kEncoderOverload, std::nullopt, ""};
  for (size_t i = 0; i < t.now.size(); ++i) {
    double frames = static_cast<double>(t.now[i].frames - t.before[i].frames);
    double late = static_cast<double>(t.now[i].late_frames - t.before[i].late_frames);
    metrics_->SetTier(conference, static_cast<int>(i), frames / seconds, late / seconds,
                      t.now[i].receivers);
    if (frames <= 0 || t.now[i].receivers == 0) continue;
    double share = late / frames;
    std::optional<Severity> sev;
    if (share >= kLateCritical)
      sev = Severity::kCritical;
    else if (share >= kLateWarning)
      sev = Severity::kWarning;
    if (sev && (!overload.severity || *sev > *overload.severity)) {
      overload.severity = sev;
      overload.detail = std::to_string(static_cast<int>(late)) + " of " +
                        std::to_string(static_cast<int>(frames)) + " composite frames late (" +
                        std::to_string(t.now[i].width) + "x" + std::to_string(t.now[i].height) +
                        ")";
    }
  }
  t.late_seconds = overload.severity ? t.late_seconds + 1 : 0;
  if (t.late_seconds < kLateSeconds) overload.severity.reset();
  Observe(now_ms, Subject(conference), {overload});
}

void Monitor::Offline(int64_t now_ms, const std::string& conference, const std::string& site,
                      std::optional<Severity> severity) {
  Observe(now_ms, Subject(conference, site),
          {{AlarmKind::kOffline, severity, "invited, not connected to the MCU"}});
}

void Monitor::Devices(int64_t now_ms, const std::string& conference, const std::string& site,
                      const std::optional<std::string>& missing) {
  Observe(now_ms, Subject(conference, site),
          {{AlarmKind::kDevice, missing ? std::optional(Severity::kWarning) : std::nullopt,
            missing ? "missing at the room: " + *missing : std::string()}});
}

void Monitor::RecordingStopped(int64_t now_ms, const std::string& conference,
                               const std::string& detail) {
  Observe(now_ms, Subject(conference), {{AlarmKind::kDiskFull, Severity::kCritical, detail}});
}

void Monitor::Loop(int64_t now_ms, const std::string& conference, const std::string& site,
                   const std::optional<std::string>& detail) {
  Observe(now_ms, Subject(conference, site),
          {{AlarmKind::kLoop, detail ? std::optional(Severity::kCritical) : std::nullopt,
            detail.value_or("")}});
}

void Monitor::MediaFailed(int64_t now_ms, const std::string& conference, const std::string& site,
                          const std::string& reason) {
  if (reason.rfind("DTLS", 0) != 0) return;
  Observe(now_ms, Subject(conference, site),
          {{AlarmKind::kDtlsFailed, Severity::kCritical, reason}});
}

CallQuality Monitor::Left(int64_t now_ms, ParticipantId id, const std::string& conference,
                          const std::string& site) {
  CallQuality q;
  auto it = watches_.find(id);
  if (it != watches_.end()) {
    HealthSummary s = it->second.history.Summarize();
    q = {s.seconds,     s.loss_pct_mean, s.loss_pct_max, s.jitter_ms_mean, s.jitter_ms_max,
         s.rtt_ms_mean, s.rtt_ms_max,    s.kbps_in_mean, s.kbps_out_mean};
    metrics_->RemoveSite(conference, site + (it->second.content ? "#content" : ""));
    bool content = it->second.content;
    watches_.erase(it);
    if (content) return q;
  }
  // Its media alarms go with it; offline and DTLS alarms stay until it is back.
  std::vector<AlarmChange> changes;
  for (AlarmKind k :
       {AlarmKind::kLoss, AlarmKind::kNoMedia, AlarmKind::kRtt, AlarmKind::kVideoRefused}) {
    auto c = alarms_.Forget(now_ms, Subject(conference, site), k);
    changes.insert(changes.end(), c.begin(), c.end());
  }
  Apply(changes);
  return q;
}

void Monitor::Closed(int64_t now_ms, const std::string& conference) {
  std::vector<AlarmChange> changes;
  std::set<std::string> subjects;
  for (const Alarm& a : alarms_.Active())
    if (SplitSubject(a.subject).first == conference) subjects.insert(a.subject);
  for (const auto& s : subjects) {
    auto c = alarms_.Forget(now_ms, s);
    changes.insert(changes.end(), c.begin(), c.end());
  }
  Apply(changes);
  std::erase_if(coarse_, [&](const auto& e) { return SplitSubject(e.first).first == conference; });
  tiers_.erase(conference);
  metrics_->RemoveConference(conference);
}

void Monitor::SampleProcess(int64_t now_ms, int open_conferences, int participants,
                            const std::string& data_dir) {
  metrics_->SetCounts(open_conferences, participants);
  ProcessStats p = ReadProc();
  p.data_free_bytes = process_.data_free_bytes, p.data_size_bytes = process_.data_size_bytes;
  struct statvfs fs {};
  if (!data_dir.empty() && now_ms - disk_at_ms_ >= 10'000 && statvfs(data_dir.c_str(), &fs) == 0) {
    // What an unprivileged process may still write (f_bavail), as df shows it.
    p.data_free_bytes = static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
    p.data_size_bytes = static_cast<int64_t>(fs.f_blocks) * static_cast<int64_t>(fs.f_frsize);
    disk_at_ms_ = now_ms;
  }
  if (process_at_ms_ && now_ms > process_at_ms_)
    p.cpu_pct =
        100.0 * (p.cpu_seconds - process_.cpu_seconds) / ((now_ms - process_at_ms_) / 1000.0);
  process_ = p;
  process_at_ms_ = now_ms;
  metrics_->SetProcess(p);
}

void Monitor::Apply(const std::vector<AlarmChange>& changes) {
  if (changes.empty()) return;
  for (const auto& ch : changes) {
    const Alarm& a = ch.alarm;
    auto [conference, site] = SplitSubject(a.subject);
    auto key = std::make_pair(a.subject, a.kind);
    const char* state = ch.type == AlarmChange::Type::kRaised    ? "raised"
                        : ch.type == AlarmChange::Type::kChanged ? "changed"
                                                                 : "cleared";
    if (ch.type == AlarmChange::Type::kRaised) {
      auto id = store_->InsertAlarm(
          {0, conference, site, ToString(a.kind), ToString(a.severity), a.detail, a.since_ms, 0});
      if (id) alarm_rows_[key] = *id;
      metrics_->AlarmRaised(ToString(a.kind));
    } else if (auto row = alarm_rows_.find(key); row != alarm_rows_.end()) {
      (void)store_->UpdateAlarm(row->second, ToString(a.severity), a.detail, a.cleared_ms);
      if (ch.type == AlarmChange::Type::kCleared) alarm_rows_.erase(row);
    }
    LogScope scope(conference, site);
    auto level = ch.type == AlarmChange::Type::kCleared ? spdlog::level::info
                 : a.severity == Severity::kCritical    ? spdlog::level::err
                                                        : spdlog::level::warn;
    spdlog::log(level, "alarm {}: conference {}{}{}: {} {}: {}", state, conference,
                site.empty() ? "" : " site ", site, ToString(a.kind), ToString(a.severity),
                a.detail);
    emit_(console::Alarm{state, conference, site, ToString(a.kind), ToString(a.severity), a.detail,
                         a.since_ms, a.cleared_ms});
  }
  int warning = 0, critical = 0;
  const std::vector<Alarm> active = alarms_.Active();
  for (const Alarm& a : active) ++(a.severity == Severity::kCritical ? critical : warning);
  metrics_->SetAlarms(warning, critical, ByKind(active));
}

bool Monitor::Flowing(ParticipantId id, bool video) const {
  auto it = watches_.find(id);
  if (it == watches_.end() || !it->second.history.last()) return false;
  const HealthSample& s = *it->second.history.last();
  return video ? s.video_in.flowing : s.audio_in.flowing;
}

json Monitor::SiteJson(const Watch& w) const {
  const TransportStats& t = w.last.transport;
  const HealthSample* s = w.history.last();
  HealthSample none;
  if (!s) s = &none;
  json video_in = DirectionJson(s->video_in, t.video_in, true);
  video_in["codec"] = w.last.video_codec_in;
  video_in["width"] = w.last.width_in;
  video_in["height"] = w.last.height_in;
  if (!w.last.video_refused.empty()) video_in["refused"] = w.last.video_refused;
  json video_out = DirectionJson(s->video_out, t.video_out, true);
  video_out["codec"] = w.last.video_codec_out;
  video_out["width"] = w.last.width_out;
  video_out["height"] = w.last.height_out;
  video_out["tier"] = w.last.tier;
  json audio_in = DirectionJson(s->audio_in, t.audio_in, false),
       audio_out = DirectionJson(s->audio_out, t.audio_out, false);
  audio_in["codec"] = audio_out["codec"] = "opus";
  return {{"site", w.site},
          {"participant", "p" + std::to_string(w.last.id)},
          {"content", w.content},
          {"ice",
           {{"state", t.ice_state}, {"local", t.local_candidate}, {"remote", t.remote_candidate}}},
          {"dtls", t.dtls_state},
          {"srtp", t.srtp_profile},
          {"rttMs", s->rtt_ms},
          {"silentS", w.silent_s},
          {"audioIn", audio_in},
          {"audioOut", audio_out},
          {"videoIn", video_in},
          {"videoOut", video_out}};
}

json Monitor::ConferenceJson(const std::string& conference) const {
  json sites = json::array();
  int64_t at = 0;
  for (const auto& [id, w] : watches_) {
    if (w.conference != conference) continue;
    sites.push_back(SiteJson(w));
    if (w.history.last()) at = std::max(at, w.history.last()->at_ms);
  }
  json tiers = json::array();
  if (auto it = tiers_.find(conference); it != tiers_.end()) {
    const Tiers& t = it->second;
    for (size_t i = 0; i < t.now.size(); ++i) {
      bool rate = t.before.size() == t.now.size();
      tiers.push_back(
          {{"tier", i},
           {"width", t.now[i].width},
           {"height", t.now[i].height},
           {"kbps", t.now[i].kbps},
           {"codec", t.now[i].codec},
           {"receivers", t.now[i].receivers},
           {"frames", t.now[i].frames},
           {"lateFrames", t.now[i].late_frames},
           {"framesLastS", rate ? t.now[i].frames - t.before[i].frames : 0},
           {"lateFramesLastS", rate ? t.now[i].late_frames - t.before[i].late_frames : 0}});
    }
  }
  json alarms = json::array();
  for (const Alarm& a : alarms_.Active()) {
    auto [conf, site] = SplitSubject(a.subject);
    if (conf != conference) continue;
    alarms.push_back({{"site", site},
                      {"kind", ToString(a.kind)},
                      {"severity", ToString(a.severity)},
                      {"detail", a.detail},
                      {"sinceMs", a.since_ms}});
  }
  return {{"conference", conference},
          {"atMs", at},
          {"process",
           {{"cpuPct", process_.cpu_pct},
            {"rssBytes", process_.rss_bytes},
            {"threads", process_.threads}}},
          {"tiers", tiers},
          {"alarms", alarms},
          {"sites", sites}};
}

json Monitor::HistoryJson(ParticipantId id, int seconds) const {
  auto it = watches_.find(id);
  if (it == watches_.end()) return nullptr;
  const auto& samples = it->second.history.samples();
  size_t n = std::min(samples.size(), static_cast<size_t>(std::max(0, seconds)));
  json out = SeriesJson(samples.end() - static_cast<std::ptrdiff_t>(n), samples.end());
  out.update({{"site", it->second.site}, {"conference", it->second.conference}, {"stepS", 1}});
  return out;
}

json Monitor::ConferenceHistoryJson(const std::string& conference, const std::string& site) const {
  auto it = coarse_.find(Subject(conference, site));
  if (it == coarse_.end()) return nullptr;
  std::vector<HealthSample> points = it->second.Points();
  json out = SeriesJson(points.begin(), points.end());
  out.update({{"site", site}, {"conference", conference}, {"stepS", it->second.step_s()}});
  return out;
}

}  // namespace mcu
