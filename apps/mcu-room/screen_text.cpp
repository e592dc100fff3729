#include "apps/mcu-room/screen_text.h"

#include <algorithm>
#include <cmath>
#include <ctime>

namespace mcu::room {

namespace {

struct Words {
  const char* connecting;
  const char* online;
  const char* reconnecting;
  const char* no_conference;
  const char* next;     // "Next conference: "
  const char* joining;  // "Joining: "
  const char* today;    // "today"
  const char* camera_missing;
  const char* mic_missing;
  const char* speaker_missing;
  const char* host_muted;
  const char* mic_off;
  const char* poor_network;  // followed by the loss
  const char* loss;          // "% packet loss"
  const char* media_reconnecting;
  const char* sharing;
};

const Words kVi{"Đang kết nối tới MCU…",
                "Đã kết nối với MCU",
                "Mất kết nối với MCU, đang kết nối lại…",
                "Chưa có hội nghị nào",
                "Hội nghị tiếp theo: ",
                "Đang vào hội nghị: ",
                "hôm nay",
                "Không tìm thấy camera",
                "Không tìm thấy micro",
                "Không tìm thấy loa",
                "Micro đã bị chủ trì tắt",
                "Micro đang tắt (phím M)",
                "Mạng kém: mất ",
                " % gói tin",
                "Đang kết nối lại…",
                "Đang trình chiếu (phím C)"};
const Words kEn{"Connecting to the MCU…",
                "Connected to the MCU",
                "Connection to the MCU lost, reconnecting…",
                "No conference scheduled",
                "Next conference: ",
                "Joining: ",
                "today",
                "Camera not found",
                "Microphone not found",
                "Loudspeaker not found",
                "Microphone muted by the host",
                "Microphone off (key M)",
                "Poor network: ",
                " % packet loss",
                "Reconnecting…",
                "Sharing content (key C)"};

const Words& Of(Language lang) { return lang == Language::kVi ? kVi : kEn; }

std::tm Local(int64_t unix_s) {
  std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  localtime_r(&t, &tm);
  return tm;
}

std::string Format(const std::tm& tm, const char* format) {
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

// "08:00 – 09:30, hôm nay" or "08:00 – 09:30, 07/12/2026".
std::string When(const event::Standby::Next& n, const Words& w, int64_t now_s) {
  std::tm start = Local(n.start_at), end = Local(n.end_at), now = Local(now_s);
  bool today = start.tm_year == now.tm_year && start.tm_yday == now.tm_yday;
  return Format(start, "%H:%M") + " – " + Format(end, "%H:%M") + ", " +
         (today ? std::string(w.today) : Format(start, "%d/%m/%Y"));
}

}  // namespace

double WorstLossPct(const TransportStats& before, const TransportStats& after) {
  double worst = 0;
  auto consider = [&](const DirectionStats& b, const DirectionStats& a, bool received) {
    if (a.packets < b.packets) return;  // Another connection's counters: nothing to compare.
    const double packets = static_cast<double>(a.packets - b.packets);
    const double lost = static_cast<double>(std::max<int64_t>(0, a.lost - b.lost));
    const double total = received ? packets + lost : packets;
    if (total < 20) return;
    worst = std::max(worst, 100.0 * std::min(lost, total) / total);
  };
  consider(before.audio_in, after.audio_in, true);
  consider(before.video_in, after.video_in, true);
  consider(before.audio_out, after.audio_out, false);
  consider(before.video_out, after.video_out, false);
  return worst;
}

std::optional<Language> ParseLanguage(const std::string& text) {
  if (text == "vi") return Language::kVi;
  if (text == "en") return Language::kEn;
  return std::nullopt;
}

StandbyText MakeStandbyText(const RoomStatus& s, Language lang, int64_t now_s) {
  const Words& w = Of(lang);
  StandbyText out;
  out.title = s.site_name;
  switch (s.link) {
    case RoomStatus::Link::kConnecting:
      out.lines.emplace_back(w.connecting);
      break;
    case RoomStatus::Link::kOnline:
      out.lines.emplace_back(w.online);
      break;
    case RoomStatus::Link::kReconnecting:
      out.lines.emplace_back(w.reconnecting);
      break;
  }
  if (!s.next) {
    out.lines.emplace_back(w.no_conference);
  } else if (s.next->open) {
    out.lines.push_back(w.joining + s.next->title);
  } else {
    out.lines.push_back(w.next + s.next->title);
    out.lines.push_back(When(*s.next, w, now_s));
  }
  if (s.devices.camera == DeviceState::kMissing) out.lines.emplace_back(w.camera_missing);
  if (s.devices.microphone == DeviceState::kMissing) out.lines.emplace_back(w.mic_missing);
  if (s.devices.speaker == DeviceState::kMissing) out.lines.emplace_back(w.speaker_missing);
  return out;
}

std::string MakeStatusLine(const RoomStatus& s, Language lang) {
  const Words& w = Of(lang);
  std::vector<std::string> parts;
  if (s.link == RoomStatus::Link::kReconnecting || (s.in_conference() && !s.media_connected))
    parts.emplace_back(w.media_reconnecting);
  else if (s.loss_pct >= kPoorNetworkLossPct)
    parts.push_back(w.poor_network + std::to_string(static_cast<int>(std::lround(s.loss_pct))) +
                    w.loss);
  if (s.host_muted_audio)
    parts.emplace_back(w.host_muted);
  else if (s.mic_muted)
    parts.emplace_back(w.mic_off);
  if (s.sharing) parts.emplace_back(w.sharing);
  if (s.devices.camera == DeviceState::kMissing) parts.emplace_back(w.camera_missing);
  if (s.devices.microphone == DeviceState::kMissing) parts.emplace_back(w.mic_missing);
  std::string line;
  for (const auto& p : parts) line += (line.empty() ? "" : "  ·  ") + p;
  return line;
}

}  // namespace mcu::room
