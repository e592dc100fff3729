#include "mcu/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "mcu/monitor.h"

namespace mcu {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;

const char* const kMedia[] = {"audio", "video"};
const char* const kDirection[] = {"in", "out"};

}  // namespace

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  auto gauge = [&](const char* name, const char* help) {
    return &BuildGauge().Name(name).Help(help).Register(*registry_);
  };
  conferences_ = gauge("mcu_conferences_open", "Conferences open now");
  participants_ = gauge("mcu_participants", "Participants in conferences (content included)");
  bitrate_ = gauge("mcu_site_bitrate_kbps", "Payload bitrate over the last second");
  loss_ = gauge("mcu_site_loss_percent",
                "Packet loss over the last 10 s (received: on the link, before repair; sent: the "
                "site's reports)");
  jitter_ =
      gauge("mcu_site_jitter_ms", "Interarrival jitter (received: ours; sent: the site's reports)");
  fps_ = gauge("mcu_site_frames_per_second", "Video frames per second");
  rtt_ = gauge("mcu_site_rtt_ms", "Round-trip time from RTCP receiver reports");
  tier_fps_ =
      gauge("mcu_tier_frames_per_second", "Composite frames encoded per second, per output tier");
  tier_late_ = gauge("mcu_tier_late_frames_per_second",
                     "Composite frames leaving the encoder over 100 ms late, per second");
  tier_receivers_ = gauge("mcu_tier_receivers", "Sites receiving the tier");
  alarms_active_ = gauge("mcu_alarms_active", "Alarms active now");
  alarms_raised_ =
      &BuildCounter().Name("mcu_alarms_raised_total").Help("Alarms raised").Register(*registry_);
  cpu_seconds_ = &BuildCounter()
                      .Name("process_cpu_seconds_total")
                      .Help("User and system CPU time")
                      .Register(*registry_);
  cpu_pct_ = gauge("process_cpu_percent", "CPU over the last second, percent of one core");
  rss_ = gauge("process_resident_memory_bytes", "Resident memory");
  threads_ = gauge("process_threads", "Threads of the process");
  started_ = gauge("process_start_time_seconds", "When the process started, Unix seconds");
  cores_ = gauge("mcu_cpu_cores", "CPU cores the process may run on");
  free_ =
      gauge("mcu_data_free_bytes", "Free space for the MCU in its data directory's file system");
  size_ = gauge("mcu_data_size_bytes", "Size of the data directory's file system");
  expiry_ = gauge("mcu_certificate_expiry_timestamp_seconds",
                  "End of a certificate's validity, Unix seconds (use: tls, dtls)");
  alarms_by_kind_ = gauge("mcu_alarms_active_by_kind", "Alarms active now, per kind");
  sites_ = gauge("mcu_conference_sites",
                 "An open conference's sites: expected (invited or there), connected, with video");
}

Metrics::~Metrics() = default;

prometheus::Gauge& Metrics::Series(prometheus::Family<prometheus::Gauge>& family,
                                   const Labels& labels) {
  auto& slot = series_[{&family, labels}];
  if (!slot) slot = &family.Add(labels);
  return *slot;
}

void Metrics::SetCounts(int open_conferences, int participants) {
  conferences_->Add({}).Set(open_conferences);
  participants_->Add({}).Set(participants);
}

void Metrics::SetConferenceSites(const std::string& conference, int expected, int connected,
                                 int video) {
  Series(*sites_, {{"conference", conference}, {"state", "expected"}}).Set(expected);
  Series(*sites_, {{"conference", conference}, {"state", "connected"}}).Set(connected);
  Series(*sites_, {{"conference", conference}, {"state", "video"}}).Set(video);
}

void Metrics::SetSite(const std::string& conference, const std::string& site,
                      const HealthSample& s) {
  const DirectionHealth* d[2][2] = {{&s.audio_in, &s.audio_out}, {&s.video_in, &s.video_out}};
  for (int m = 0; m < 2; ++m) {
    for (int dir = 0; dir < 2; ++dir) {
      Labels l{{"conference", conference},
               {"site", site},
               {"media", kMedia[m]},
               {"direction", kDirection[dir]}};
      Series(*bitrate_, l).Set(d[m][dir]->kbps);
      Series(*loss_, l).Set(d[m][dir]->loss_pct);
      Series(*jitter_, l).Set(d[m][dir]->jitter_ms);
    }
  }
  Series(*fps_, {{"conference", conference}, {"site", site}, {"direction", "in"}})
      .Set(s.video_in.fps);
  Series(*fps_, {{"conference", conference}, {"site", site}, {"direction", "out"}})
      .Set(s.video_out.fps);
  if (s.rtt_ms >= 0) Series(*rtt_, {{"conference", conference}, {"site", site}}).Set(s.rtt_ms);
}

void Metrics::RemoveSite(const std::string& conference, const std::string& site) {
  Remove(conference, site);
}

void Metrics::SetTier(const std::string& conference, int tier, double fps, double late_per_s,
                      int receivers) {
  Labels l{{"conference", conference}, {"tier", std::to_string(tier)}};
  Series(*tier_fps_, l).Set(fps);
  Series(*tier_late_, l).Set(late_per_s);
  Series(*tier_receivers_, l).Set(receivers);
}

void Metrics::RemoveConference(const std::string& conference) { Remove(conference, ""); }

void Metrics::Remove(const std::string& conference, const std::string& site) {
  // site empty: every series of the conference.
  auto value = [](const Labels& l, const char* k) {
    auto it = l.find(k);
    return it == l.end() ? std::string() : it->second;
  };
  for (auto it = series_.begin(); it != series_.end();) {
    const Labels& l = it->first.second;
    if (value(l, "conference") == conference && (site.empty() || value(l, "site") == site)) {
      it->first.first->Remove(it->second);
      it = series_.erase(it);
    } else {
      ++it;
    }
  }
}

void Metrics::SetAlarms(int warning, int critical, const std::map<std::string, int>& by_kind) {
  alarms_active_->Add({{"severity", "warning"}}).Set(warning);
  alarms_active_->Add({{"severity", "critical"}}).Set(critical);
  for (const auto& [kind, n] : by_kind) alarms_by_kind_->Add({{"kind", kind}}).Set(n);
}

void Metrics::AlarmRaised(const std::string& kind) {
  alarms_raised_->Add({{"kind", kind}}).Increment();
}

void Metrics::SetProcess(const ProcessStats& p) {
  if (p.cpu_seconds > cpu_seconds_counted_) {
    cpu_seconds_->Add({}).Increment(p.cpu_seconds - cpu_seconds_counted_);
    cpu_seconds_counted_ = p.cpu_seconds;
  }
  cpu_pct_->Add({}).Set(p.cpu_pct);
  rss_->Add({}).Set(static_cast<double>(p.rss_bytes));
  threads_->Add({}).Set(p.threads);
  if (p.data_size_bytes > 0) {
    free_->Add({}).Set(static_cast<double>(p.data_free_bytes));
    size_->Add({}).Set(static_cast<double>(p.data_size_bytes));
  }
}

void Metrics::SetHost(int cpu_cores, int64_t started_unix_s) {
  cores_->Add({}).Set(cpu_cores);
  started_->Add({}).Set(static_cast<double>(started_unix_s));
}

void Metrics::SetCertificateExpiry(const std::string& use, int64_t not_after_unix_s) {
  expiry_->Add({{"use", use}}).Set(static_cast<double>(not_after_unix_s));
}

}  // namespace mcu
