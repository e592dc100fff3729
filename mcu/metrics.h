// The MCU's figures as Prometheus metrics (prometheus-cpp core; served as text by GET /metrics).
// Gauges are set once a second by the monitor; a site's series go when it leaves, a
// conference's when its media room goes, so a long-running process does not keep dead series.
//
// Metric names (labels):
//   mcu_conferences_open, mcu_participants, mcu_conference_sites (conference, state: expected,
//   connected, video)
//   mcu_site_bitrate_kbps, mcu_site_loss_percent, mcu_site_jitter_ms (conference, site, media,
//   direction) mcu_site_frames_per_second (conference, site, direction), mcu_site_rtt_ms
//   (conference, site) mcu_tier_frames_per_second, mcu_tier_late_frames_per_second,
//   mcu_tier_receivers (conference, tier) mcu_alarms_active (severity), mcu_alarms_active_by_kind
//   (kind), mcu_alarms_raised_total (kind)
//   process_cpu_seconds_total, process_cpu_percent, process_resident_memory_bytes,
//   process_threads, process_start_time_seconds, mcu_cpu_cores (the cores this process may use)
//   mcu_data_free_bytes, mcu_data_size_bytes (the data directory's file system)
//   mcu_certificate_expiry_timestamp_seconds (use: tls, dtls)
// The alert rules and the dashboard over them: monitoring/ (checked by promtool in the tests).
// Thread-safe (prometheus-cpp's families lock; values are atomic).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "mcu/stream_health.h"

namespace prometheus {
class Registry;
class Gauge;
class Counter;
template <typename T>
class Family;
}  // namespace prometheus

namespace mcu {

struct ProcessStats;

class Metrics {
 public:
  Metrics();
  ~Metrics();
  prometheus::Registry& registry() { return *registry_; }

  void SetCounts(int open_conferences, int participants);
  // An open conference's roll-call: sites expected, connected, with video flowing.
  void SetConferenceSites(const std::string& conference, int expected, int connected, int video);
  void SetSite(const std::string& conference, const std::string& site, const HealthSample& s);
  void RemoveSite(const std::string& conference, const std::string& site);
  void SetTier(const std::string& conference, int tier, double fps, double late_per_s,
               int receivers);
  void RemoveConference(const std::string& conference);
  // Active alarms by severity, and by kind (every kind in `kinds`, 0 when none is active).
  void SetAlarms(int warning, int critical, const std::map<std::string, int>& by_kind);
  void AlarmRaised(const std::string& kind);
  void SetProcess(const ProcessStats& p);
  // Once, at start: the cores this process may run on, and when it started (Unix seconds).
  void SetHost(int cpu_cores, int64_t started_unix_s);
  // A certificate's end of validity (Unix seconds); `use` is "tls" or "dtls".
  void SetCertificateExpiry(const std::string& use, int64_t not_after_unix_s);

 private:
  using Labels = std::map<std::string, std::string>;
  // The family's series with these labels, made on first use.
  prometheus::Gauge& Series(prometheus::Family<prometheus::Gauge>& family, const Labels& labels);
  void Remove(const std::string& conference, const std::string& site);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>*conferences_, *participants_, *bitrate_, *loss_, *jitter_,
      *fps_, *rtt_;
  prometheus::Family<prometheus::Gauge>*tier_fps_, *tier_late_, *tier_receivers_, *alarms_active_;
  prometheus::Family<prometheus::Counter>* alarms_raised_;
  prometheus::Family<prometheus::Gauge>*cpu_pct_, *rss_, *threads_, *started_, *cores_, *free_,
      *size_, *expiry_, *alarms_by_kind_, *sites_;
  prometheus::Family<prometheus::Counter>* cpu_seconds_;
  double cpu_seconds_counted_ = 0;
  // Every labelled series made, per family, so that it can be removed.
  std::map<std::pair<prometheus::Family<prometheus::Gauge>*, Labels>, prometheus::Gauge*> series_;
};

}  // namespace mcu
