// What technicians watch: every participant's streams second by second, every conference's
// encoder tiers, the process itself, and the alarms all of that raises.
//
// The bridge feeds it once a second, per conference, with what the media room read in one hop
// (MediaRoom::Stats); the monitor keeps per participant a HealthHistory (10 minutes at 1 s), turns
// each second into alarm conditions (AlarmBook, thresholds from [alarms]) and hands every alarm
// change to the store (with the conference), the log and the console feed. When a participant
// leaves, its history becomes the call record's quality summary. The figures are also kept as
// Prometheus gauges (metrics.h) for /metrics.
//
// Beside the per-site conditions of alarms.h: an encoder overload when a tier with receivers has
// >= 10 % of a second's frames late (TierStats::kLateFrameMs), critical at 50 %, two seconds in
// a row (an encoder's first second is its initialisation and often late). A site that leaves
// clears its media alarms at once; a conference that closes, all of its own. Alarms a previous
// run left active are cleared at start (their conditions went with it). Per site the monitor
// also keeps a CoarseHistory (10 s steps across its rejoins, until the conference closes) for
// charts over a whole conference.
//
// Threading: the bridge's control executor only. The metrics registry is thread-safe: /metrics
// serialises it from the API thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "mcu/alarms.h"
#include "mcu/console_events.h"
#include "mcu/media_api.h"
#include "mcu/store.h"
#include "mcu/stream_health.h"

namespace prometheus {
class Registry;
}

namespace mcu {

class Metrics;

// The process as a technician sees it: CPU since the last reading, memory, threads.
struct ProcessStats {
  double cpu_pct = 0;      // Of one core, over the interval since the previous reading.
  double cpu_seconds = 0;  // User + system, since the start.
  int64_t rss_bytes = 0;
  int threads = 0;
  int64_t data_free_bytes = 0;  // The data directory's file system (0: not read).
  int64_t data_size_bytes = 0;
};

class Monitor {
 public:
  // `emit` receives each alarm change for the console feed.
  Monitor(const AlarmThresholds& thresholds, Store* store, ConsoleSink emit);
  ~Monitor();

  // A participant as the bridge knows it.
  struct Member {
    ParticipantId id = 0;
    std::string site_id;
    bool content = false;    // A site's content: measured, never alarmed on (its site is).
    bool connected = false;  // Media connected (before that nothing flows yet).
  };
  // One second of a conference: its members and what its room read.
  void Sample(int64_t now_ms, const std::string& conference, const std::vector<Member>& members,
              const RoomStats& stats);
  // An invited site of an open scheduled conference that is not connected: a warning before the
  // conference's start (its lead time), critical after; nullopt: it is there.
  void Offline(int64_t now_ms, const std::string& conference, const std::string& site,
               std::optional<Severity> severity);
  // An invited site of an open conference whose room reports a device missing (`missing`: what,
  // e.g. "camera"): a warning; nullopt: all there (or the room does not report its devices).
  void Devices(int64_t now_ms, const std::string& conference, const std::string& site,
               const std::optional<std::string>& missing);
  // A cascade link of `conference` refused because it would close a loop of MCUs (critical,
  // `detail` says which MCU), on either side; nullopt: it joined since.
  void Loop(int64_t now_ms, const std::string& conference, const std::string& site,
            const std::optional<std::string>& detail);
  // A participant's media failed; a DTLS failure raises its alarm (cleared when the site's media
  // has been connected again for clear_after_s).
  void MediaFailed(int64_t now_ms, const std::string& conference, const std::string& site,
                   const std::string& reason);
  // The conference's recording stopped for lack of disk space (`detail`): a critical alarm of
  // the conference, until it closes.
  void RecordingStopped(int64_t now_ms, const std::string& conference, const std::string& detail);
  // The participant left: its media alarms clear, its history is summarised for its call record.
  CallQuality Left(int64_t now_ms, ParticipantId id, const std::string& conference,
                   const std::string& site);
  // The conference closed: all its alarms clear.
  void Closed(int64_t now_ms, const std::string& conference);
  // Once a second, after the conferences: the process's own figures, how many conferences are
  // open and participants in them, and (every 10 s) the free space where `data_dir` is.
  void SampleProcess(int64_t now_ms, int open_conferences, int participants,
                     const std::string& data_dir = {});

  // Whether audio / video arrived from the participant in the last second sampled.
  bool Flowing(ParticipantId id, bool video) const;
  // {"conference", "atMs", "process", "tiers": [...], "sites": [...]}: what the stats event and
  // GET /conferences/{id}/stats show; null if the conference has no media now.
  nlohmann::json ConferenceJson(const std::string& conference) const;
  // A participant's history, oldest first, at most `seconds` long, a point a second (null if none).
  nlohmann::json HistoryJson(ParticipantId id, int seconds) const;
  // A site's history over the whole conference so far, a point per CoarseHistory step, across
  // its rejoins (null if it never had media in it). Kept until the conference closes.
  nlohmann::json ConferenceHistoryJson(const std::string& conference,
                                       const std::string& site) const;
  prometheus::Registry& registry();
  Metrics& metrics() { return *metrics_; }  // Thread-safe (its values are atomic).

  // Alarm subjects: "<conference>/<site>" for a site, "<conference>" for the conference.
  static std::string Subject(const std::string& conference, const std::string& site = "");

 private:
  struct Watch {
    std::string conference, site;
    bool content = false;
    HealthHistory history;
    ParticipantStats last;
    int silent_s = 0;  // Seconds in a row with nothing received.
  };
  struct Tiers {
    int64_t at_ms = 0;
    std::vector<TierStats> now, before;
    int late_seconds = 0;  // Seconds in a row with a tier over the late share.
  };
  void Apply(const std::vector<AlarmChange>& changes);
  void Observe(int64_t now_ms, const std::string& subject,
               const std::vector<Condition>& conditions) {
    Apply(alarms_.Observe(now_ms, subject, conditions));
  }
  nlohmann::json SiteJson(const Watch& w) const;

  AlarmThresholds thresholds_;
  Store* store_;
  ConsoleSink emit_;
  AlarmBook alarms_;
  std::map<std::pair<std::string, AlarmKind>, int64_t> alarm_rows_;  // Active alarm -> its row.
  std::map<ParticipantId, Watch> watches_;
  std::map<std::string, CoarseHistory> coarse_;  // Per site subject ("<conference>/<site>").
  std::map<std::string, Tiers> tiers_;           // Per conference with a mixing room.
  ProcessStats process_;
  int64_t process_at_ms_ = 0;
  int64_t disk_at_ms_ = 0;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace mcu
