#include "mcu/metrics.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <map>
#include <string>

#include "mcu/monitor.h"

namespace mcu {
namespace {

// name{label=value,...} -> value of every gauge and counter the registry would serve now.
std::map<std::string, double> Served(Metrics& m) {
  std::map<std::string, double> out;
  for (const auto& family : m.registry().Collect())
    for (const auto& metric : family.metric) {
      std::string key = family.name + "{";
      for (const auto& l : metric.label) key += l.name + "=" + l.value + ",";
      key += "}";
      out[key] = family.type == prometheus::MetricType::Counter ? metric.counter.value
                                                                : metric.gauge.value;
    }
  return out;
}

TEST(Metrics, AnOpenConferencesRollCallIsServedUntilItsConferenceGoes) {
  Metrics m;
  m.SetConferenceSites("giao-ban", 15, 14, 13);
  m.SetConferenceSites("mat", 4, 4, 4);
  auto s = Served(m);
  EXPECT_EQ((s["mcu_conference_sites{conference=giao-ban,state=expected,}"]), 15);
  EXPECT_EQ((s["mcu_conference_sites{conference=giao-ban,state=connected,}"]), 14);
  EXPECT_EQ((s["mcu_conference_sites{conference=giao-ban,state=video,}"]), 13);
  m.RemoveConference("giao-ban");
  s = Served(m);
  EXPECT_EQ(s.count("mcu_conference_sites{conference=giao-ban,state=expected,}"), 0u);
  EXPECT_EQ((s["mcu_conference_sites{conference=mat,state=connected,}"]), 4);
}

TEST(Metrics, AlarmsByKindHostDiskAndCertificatesAreServed) {
  Metrics m;
  m.SetAlarms(1, 2, {{"loss", 2}, {"offline", 1}, {"disk", 0}});
  m.SetHost(2, 1'800'000'000);
  m.SetCertificateExpiry("tls", 1'900'000'000);
  ProcessStats p;
  p.data_free_bytes = 5'000'000'000;
  p.data_size_bytes = 100'000'000'000;
  m.SetProcess(p);
  auto s = Served(m);
  EXPECT_EQ((s["mcu_alarms_active_by_kind{kind=loss,}"]), 2);
  EXPECT_EQ((s["mcu_alarms_active_by_kind{kind=offline,}"]), 1);
  EXPECT_EQ((s["mcu_alarms_active_by_kind{kind=disk,}"]), 0);
  EXPECT_EQ((s["mcu_alarms_active{severity=critical,}"]), 2);
  EXPECT_EQ((s["mcu_cpu_cores{}"]), 2);
  EXPECT_EQ((s["process_start_time_seconds{}"]), 1'800'000'000);
  EXPECT_EQ((s["mcu_certificate_expiry_timestamp_seconds{use=tls,}"]), 1'900'000'000);
  EXPECT_EQ((s["mcu_data_free_bytes{}"]), 5e9);
  EXPECT_EQ((s["mcu_data_size_bytes{}"]), 1e11);
  // A reading without the disk (no data directory) keeps the last figures.
  m.SetProcess(ProcessStats{});
  EXPECT_EQ((Served(m)["mcu_data_free_bytes{}"]), 5e9);
}

}  // namespace
}  // namespace mcu
