#include "signaling/stats_json.h"

#include <nlohmann/json.hpp>

namespace mcu::signaling {
namespace {

using nlohmann::json;

// Each counter of a direction with its JSON name, written and read by the same table.
template <typename T>
struct Field {
  const char* name;
  T DirectionStats::*member;
};
constexpr Field<uint64_t> kCounters[] = {
    {"packets", &DirectionStats::packets}, {"bytes", &DirectionStats::bytes},
    {"nacks", &DirectionStats::nacks},     {"plis", &DirectionStats::plis},
    {"firs", &DirectionStats::firs},       {"retransmits", &DirectionStats::retransmits},
    {"frames", &DirectionStats::frames},   {"keyframes", &DirectionStats::keyframes},
};
constexpr Field<double> kRates[] = {{"fractionLost", &DirectionStats::fraction_lost},
                                    {"jitterMs", &DirectionStats::jitter_ms}};

template <typename T>
void Read(const json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it == j.end()) return;
  if constexpr (std::is_same_v<T, bool>) {
    if (it->is_boolean()) out = it->get<bool>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (it->is_string()) out = it->get<std::string>();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (it->is_number()) out = it->get<T>();
  } else {
    if (it->is_number_integer()) out = it->get<T>();
  }
}

json DirectionToJson(const DirectionStats& d) {
  json j = {{"ssrc", d.ssrc}, {"lost", d.lost}};
  for (const auto& f : kCounters) j[f.name] = d.*f.member;
  for (const auto& f : kRates) j[f.name] = d.*f.member;
  return j;
}

DirectionStats DirectionFromJson(const json& j) {
  DirectionStats d;
  if (!j.is_object()) return d;
  Read(j, "ssrc", d.ssrc);
  Read(j, "lost", d.lost);
  for (const auto& f : kCounters) Read(j, f.name, d.*f.member);
  for (const auto& f : kRates) Read(j, f.name, d.*f.member);
  return d;
}

const std::pair<const char*, DirectionStats TransportStats::*> kDirections[] = {
    {"audioIn", &TransportStats::audio_in},
    {"audioOut", &TransportStats::audio_out},
    {"videoIn", &TransportStats::video_in},
    {"videoOut", &TransportStats::video_out},
};

}  // namespace

json StatsToJson(const EndpointStats& stats) {
  const TransportStats& s = stats.transport;
  json j = {{"iceState", s.ice_state},
            {"dtlsState", s.dtls_state},
            {"srtpProfile", s.srtp_profile},
            {"localCandidate", s.local_candidate},
            {"remoteCandidate", s.remote_candidate},
            {"rttMs", s.rtt_ms},
            {"droppedDatagrams", s.dropped_datagrams}};
  for (const auto& [name, member] : kDirections) j[name] = DirectionToJson(s.*member);
  if (const auto& m = stats.mix) {
    // An audio-only site has no tile and no tier (null).
    j["mix"] = {{"tile", m->tile},
                {"decoded", m->decoded},
                {"videoMuted", m->video_muted},
                {"content", m->content},
                {"tier", m->tier >= 0 ? json(m->tier) : json(nullptr)},
                {"videoFramesIn", m->video_frames_in},
                {"videoFramesDropped", m->video_frames_dropped},
                {"compositeFramesOut", m->composite_frames_out},
                {"audioFramesOut", m->audio_frames_out}};
  }
  return j;
}

EndpointStats StatsFromJson(const json& j) {
  EndpointStats stats;
  if (!j.is_object()) return stats;
  TransportStats& s = stats.transport;
  Read(j, "iceState", s.ice_state);
  Read(j, "dtlsState", s.dtls_state);
  Read(j, "srtpProfile", s.srtp_profile);
  Read(j, "localCandidate", s.local_candidate);
  Read(j, "remoteCandidate", s.remote_candidate);
  Read(j, "rttMs", s.rtt_ms);
  Read(j, "droppedDatagrams", s.dropped_datagrams);
  for (const auto& [name, member] : kDirections)
    if (auto it = j.find(name); it != j.end()) s.*member = DirectionFromJson(*it);
  if (auto it = j.find("mix"); it != j.end() && it->is_object()) {
    MixParticipantStats m;
    Read(*it, "tile", m.tile);
    Read(*it, "decoded", m.decoded);
    Read(*it, "videoMuted", m.video_muted);
    Read(*it, "content", m.content);
    Read(*it, "tier", m.tier);
    Read(*it, "videoFramesIn", m.video_frames_in);
    Read(*it, "videoFramesDropped", m.video_frames_dropped);
    Read(*it, "compositeFramesOut", m.composite_frames_out);
    Read(*it, "audioFramesOut", m.audio_frames_out);
    stats.mix = m;
  }
  return stats;
}

}  // namespace mcu::signaling
