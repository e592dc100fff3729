#include "apps/mcu-room/room_client.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <random>

#include "mcu/states.h"
#include "signaling/json_limits.h"
#include "signaling/protocol.h"
#include "signaling/stats_json.h"

namespace mcu::room {

using nlohmann::json;

namespace {
constexpr int kMaxBackoffMs = 10000;
struct Task {
  std::function<void()> fn;
  std::shared_ptr<bool> alive;
};
}  // namespace

RoomClient::RoomClient(ClientOptions options, MediaOptions media)
    : options_(std::move(options)), media_options_(std::move(media)) {}

RoomClient::~RoomClient() {
  *alive_ = false;
  if (reconnect_timer_) g_source_remove(reconnect_timer_);
  if (poll_timer_) g_source_remove(poll_timer_);
  if (ws_) ws_->Close();
  media_.reset();
}

void RoomClient::Post(std::function<void()> fn) {
  g_idle_add_full(
      G_PRIORITY_DEFAULT,
      +[](gpointer p) noexcept -> gboolean {
        auto* t = static_cast<Task*>(p);
        if (*t->alive) t->fn();
        return G_SOURCE_REMOVE;
      },
      new Task{std::move(fn), alive_}, +[](gpointer p) noexcept { delete static_cast<Task*>(p); });
}

void RoomClient::Start() {
  if (options_.content) return Connect();
  // The MCU's statistics of this room's media, every 2 s while in a conference: the screen says
  // when the network loses packets.
  poll_timer_ = g_timeout_add_seconds_full(
      G_PRIORITY_DEFAULT, 2,
      +[](gpointer p) noexcept -> gboolean {
        static_cast<RoomClient*>(p)->PollStats();
        return G_SOURCE_CONTINUE;
      },
      this, nullptr);
  Changed();
  Connect();
}

void RoomClient::Changed() {
  if (media_) media_->SetStatusLine(MakeStatusLine(status_, options_.language));
  if (status_listener_) status_listener_(status_);
}

void RoomClient::PollStats() {
  if (!media_connected_ || options_.content || !media_) return;
  Send(json{{"type", "getStats"}}.dump());
  // A device unplugged or plugged in during the meeting (the sound server moves a microphone's
  // stream to another source rather than failing it): every 10 s, and the room starts again
  // with what it has.
  if (options_.check_devices && ++polls_ % 5 == 0 && ProbeNow() != status_.devices) {
    spdlog::warn("the room's devices changed");
    return ScheduleReconnect("devices changed");
  }
  // A camera or microphone that stops giving anything (unplugged: pulsesrc then just waits) for
  // two polls: start again, the device check leaves it out and the roll-call says so.
  const uint64_t video = media_->sent_video_buffers(), audio = media_->sent_audio_buffers();
  const bool audio_stalled = audio == last_sent_audio_;
  const bool stalled = video == last_sent_video_ || audio_stalled;
  last_sent_video_ = video, last_sent_audio_ = audio;
  stalls_ = stalled ? stalls_ + 1 : 0;
  if (stalls_ >= 2) {
    spdlog::warn("the {} stopped sending", audio_stalled ? "microphone" : "camera");
    stalls_ = 0;
    ScheduleReconnect("a device stopped");
  }
}

void RoomClient::ToggleMicMute() {
  status_.mic_muted = !status_.mic_muted;
  spdlog::info("microphone {} at the room", status_.mic_muted ? "muted" : "unmuted");
  if (media_) media_->SetMicMuted(status_.mic_muted);
  Changed();
}

void RoomClient::OnKey(const std::string& key) {
  // M, and the "black screen" key of USB presenters (B or "." by model), mute the microphone;
  // C, and the presenters' "start presentation" key (F5), share content.
  if (key == "m" || key == "M" || key == "b" || key == "B" || key == "period")
    ToggleMicMute();
  else if (key == "c" || key == "C" || key == "F5")
    ToggleContent();
}

void RoomClient::ToggleContent() {
  if (options_.content) return;
  if (content_) {
    spdlog::info("content: stops sharing");
    content_.reset();
  } else if (options_.content_camera.empty()) {
    spdlog::warn("content: no content input configured (--content-camera)");
    return;
  } else {
    spdlog::info("content: shares {}", options_.content_camera);
    ClientOptions o = options_;
    o.content = true;
    o.conference.clear();  // Called in with the site.
    o.check_devices = false;
    o.content_camera.clear();
    MediaOptions m = media_options_;
    m.camera = options_.content_camera == "test" ? "" : options_.content_camera;
    m.pattern = "smpte";
    m.site_name.clear();
    m.slate.clear();
    m.microphone = false;
    m.silent = true;
    m.display = "none";
    m.speaker = "none";
    m.width = 1280, m.height = 720, m.fps = 15;
    m.video_bitrate_kbps = 1200;
    content_ = std::make_unique<RoomClient>(std::move(o), std::move(m));
    content_->Start();
  }
  status_.sharing = content_ != nullptr;
  Changed();
}

DeviceStates RoomClient::ProbeNow() const {
  return ProbeDevices({media_options_.camera, media_options_.microphone, media_options_.mic_device,
                       options_.speaker_requested, media_options_.speaker,
                       media_options_.speaker_device});
}

void RoomClient::CheckDevices() {
  if (!options_.check_devices || options_.content) return;
  DeviceStates now = ProbeNow();
  if (now == status_.devices && devices_reported_) return;
  auto name = [](DeviceState d) { return ToString(d); };
  if (now.camera == DeviceState::kMissing || now.microphone == DeviceState::kMissing ||
      now.speaker == DeviceState::kMissing)
    spdlog::warn(
        "devices: camera {}, microphone {}, loudspeaker {}: joining without what is missing",
        name(now.camera), name(now.microphone), name(now.speaker));
  else
    spdlog::info("devices: camera {}, microphone {}, loudspeaker {}", name(now.camera),
                 name(now.microphone), name(now.speaker));
  status_.devices = now;
  devices_reported_ = true;
  Send(json{{"type", "devices"},
            {"camera", name(now.camera)},
            {"microphone", name(now.microphone)},
            {"speaker", name(now.speaker)}}
           .dump());
  Changed();
}

void RoomClient::Connect() {
  reconnect_timer_ = 0;
  unsigned gen = ++generation_;
  spdlog::info("connecting to {}", options_.wss.url);
  signaling::WssClient::Callbacks cb;
  cb.on_open = [this, gen] {
    Post([this, gen] {
      if (gen == generation_) OnOpen();
    });
  };
  cb.on_message = [this, gen](const std::string& text) {
    Post([this, gen, text] {
      if (gen == generation_) OnMessage(text);
    });
  };
  cb.on_close = [this, gen](const std::string& reason) {
    Post([this, gen, reason] {
      if (gen == generation_) OnClosed(reason);
    });
  };
  ws_ = signaling::WssClient::Create(io_.context(), options_.wss, std::move(cb));
  ws_->Start();
}

void RoomClient::Send(const std::string& text) {
  if (ws_) ws_->Send(text);
}

void RoomClient::OnOpen() {
  spdlog::info("connected; authenticating");
  json auth = {{"type", "auth"}, {"token", options_.token}};
  if (options_.content) auth["role"] = "content";
  Send(auth.dump());
}

void RoomClient::OnMessage(const std::string& text) {
  json m = signaling::ParseJsonLimited(text);
  if (!m.is_object() || !m.contains("type")) return;
  std::string type = m.value("type", "");
  if (options_.verbose) spdlog::debug("<- {}", text.substr(0, 300));
  if (type == "welcome") {
    backoff_ms_ = 500;
    spdlog::info("authenticated as {} ({})", m["site"].value("name", ""),
                 m["site"].value("id", ""));
    status_.link = RoomStatus::Link::kOnline;
    status_.site_id = m["site"].value("id", "");
    status_.site_name = m["site"].value("name", "");
    devices_reported_ = false;
    CheckDevices();
    Changed();
    if (!options_.conference.empty())
      Join(options_.conference);
    else
      spdlog::info("online; waiting for the MCU to call this room into a conference");
  } else if (type == "call") {
    std::string id = m["conference"].value("id", "");
    if (!current_conference_.empty()) {
      spdlog::warn("called into {} while in {}: ignored", id, current_conference_);
    } else {
      spdlog::info("called into conference {} ({})", m["conference"].value("title", ""), id);
      Join(id);
    }
  } else if (type == "standby") {
    // The protocol's own reader (signaling/protocol.h) gives the domain type.
    auto e = signaling::ParseEvent(text);
    auto* standby = e ? std::get_if<event::Standby>(&e->body) : nullptr;
    status_.next = standby ? standby->next : std::nullopt;
    if (status_.next)
      spdlog::info("next conference: {} ({}){}", status_.next->title, status_.next->conference_id,
                   status_.next->open ? ", open now" : "");
    Changed();
  } else if (type == "muted") {
    status_.host_muted_audio = m.value("audio", false);
    status_.host_muted_video = m.value("video", false);
    spdlog::info("the host {} this room's microphone",
                 status_.host_muted_audio ? "muted" : "unmuted");
    Changed();
  } else if (type == "joined") {
    spdlog::info("joined conference {}", m["conference"].value("title", ""));
    status_.conference_id = m["conference"].value("id", "");
    status_.conference_title = m["conference"].value("title", "");
    Changed();
  } else if (type == "offer") {
    ResetMedia();
    CheckDevices();
    // What is missing is left out; the room joins with the rest.
    MediaOptions media = media_options_;
    if (status_.devices.camera == DeviceState::kMissing) {
      media.camera.clear();
      media.slate = options_.language == Language::kVi ? "Không có camera" : "No camera";
    }
    if (status_.devices.microphone == DeviceState::kMissing) {
      media.microphone = false;
      media.silent = true;
    }
    if (status_.devices.speaker == DeviceState::kMissing) media.speaker = "none";
    RoomMedia::Callbacks cb;
    cb.on_answer = [this](const std::string& sdp) {
      if (options_.verbose) spdlog::debug("answer:\n{}", sdp);
      Send(json{{"type", "answer"}, {"sdp", sdp}}.dump());
    };
    cb.on_candidate = [this](int mline, const std::string& c) {
      Send(json{{"type", "candidate"}, {"candidate", c}, {"sdpMLineIndex", mline}}.dump());
    };
    cb.on_connection_state = [this](const std::string& state) {
      spdlog::info("peer connection {}", state);
      if (state == "failed") ScheduleReconnect("media failed");
    };
    cb.on_error = [this](const std::string& e) {
      spdlog::error("media: {}", e);
      ScheduleReconnect("media error");
    };
    cb.on_key = [this](const std::string& key) { OnKey(key); };
    media_ = std::make_unique<RoomMedia>(media, std::move(cb));
    std::string error;
    if (!media_->Start(&error)) {
      spdlog::error("{}", error);
      ScheduleReconnect("media could not start");
      return;
    }
    media_->SetMicMuted(status_.mic_muted);
    media_->HandleOffer(m.value("sdp", ""));
    Changed();
  } else if (type == "candidate") {
    if (media_) media_->AddRemoteCandidate(m.value("sdpMLineIndex", 0), m.value("candidate", ""));
  } else if (type == "media") {
    if (m.value("state", "") == "connected") {
      media_connected_ = true;
      ++connections_;
      spdlog::info("media connected ({})", m.value("detail", ""));
    } else {
      media_connected_ = false;
      spdlog::warn("media {}: {}", m.value("state", ""), m.value("detail", ""));
    }
    status_.media_connected = media_connected_;
    Changed();
  } else if (type == "layout") {
    if (media_) media_->SetSendSize(m.value("sendWidth", 0), m.value("sendHeight", 0));
  } else if (type == "stats") {
    if (m.contains("stats")) {
      server_stats_ = m["stats"].dump();
      TransportStats now = signaling::StatsFromJson(m["stats"]).transport;
      if (last_stats_) {
        double loss = WorstLossPct(*last_stats_, now);
        if (loss >= kPoorNetworkLossPct && status_.loss_pct < kPoorNetworkLossPct)
          spdlog::warn("the network loses {:.1f} % of the packets", loss);
        status_.loss_pct = loss;
        Changed();
      }
      last_stats_ = now;
    }
  } else if (type == "roster") {
    std::string names;
    sites_with_media_ = 0;
    for (const auto& p : m["participants"]) {
      names += (names.empty() ? "" : ", ") + p.value("name", "") +
               (p.value("content", false) ? " (content)" : "");
      if (ParseMediaStatus(p.value("media", "")) == MediaStatus::kConnected) ++sites_with_media_;
    }
    spdlog::info("roster: {}", names);
  } else if (type == "left") {
    spdlog::warn("left conference: {}", m.value("reason", ""));
    current_conference_.clear();
    status_.conference_id.clear();
    status_.conference_title.clear();
    status_.host_muted_audio = status_.host_muted_video = false;
    status_.loss_pct = 0;
    if (content_) {  // Sharing ends with the conference.
      content_.reset();
      status_.sharing = false;
    }
    if (!options_.conference.empty()) {
      ScheduleReconnect("left the conference");
    } else {
      ResetMedia();  // Idle again, still online: the MCU calls the room when it is wanted.
      spdlog::info("online; waiting for the MCU to call this room into a conference");
    }
    Changed();
  } else if (type == "error") {
    std::string code = m.value("code", "");
    spdlog::error("MCU error {}: {}", code, m.value("message", ""));
    if (options_.conference.empty() && media_ == nullptr &&
        (code == "forbidden" || code == "conflict" || code == "not_found" || code == "full")) {
      current_conference_.clear();  // A refused join: wait for the next call.
      status_.conference_id.clear();
      status_.conference_title.clear();
      Changed();
      return;
    }
    if (code == "media_failed" || code == "not_found" || code == "full" || code == "internal")
      ScheduleReconnect(code);
    // unauthorized: retried with backoff too (the token may be fixed on the MCU meanwhile).
    if (code == "unauthorized") ScheduleReconnect(code);
  }
}

void RoomClient::Join(const std::string& conference) {
  current_conference_ = conference;
  json join = {{"type", "join"}, {"conference", conference}};
  if (options_.max_kbps > 0) join["maxBitrateKbps"] = options_.max_kbps;
  Send(join.dump());
  status_.conference_id = conference;
  if (status_.next && status_.next->conference_id == conference)
    status_.conference_title = status_.next->title;
  Changed();
}

void RoomClient::RequestServerStats() {
  if (media_connected_) Send(json{{"type", "getStats"}}.dump());
}

void RoomClient::OnClosed(const std::string& reason) {
  spdlog::warn("connection closed: {}", reason);
  ScheduleReconnect("connection closed");
}

void RoomClient::ResetMedia() {
  media_.reset();
  last_sent_video_ = last_sent_audio_ = 0;
  stalls_ = 0;
  media_connected_ = false;
  status_.media_connected = false;
  status_.loss_pct = 0;
  last_stats_.reset();
}

void RoomClient::ScheduleReconnect(const std::string& why) {
  if (reconnect_timer_) return;
  ++generation_;  // Whatever the old connection still says is ignored from now on.
  ResetMedia();
  current_conference_.clear();
  status_.link = RoomStatus::Link::kReconnecting;
  status_.conference_id.clear();
  status_.conference_title.clear();
  status_.host_muted_audio = status_.host_muted_video = false;
  Changed();
  if (ws_) ws_->Close();
  ws_.reset();
  static thread_local std::mt19937 rng{std::random_device{}()};
  int delay = backoff_ms_ + static_cast<int>(rng() % (backoff_ms_ / 4 + 1));
  backoff_ms_ = std::min(backoff_ms_ * 2, kMaxBackoffMs);
  spdlog::info("{}: reconnecting in {} ms", why, delay);
  reconnect_timer_ = g_timeout_add_full(
      G_PRIORITY_DEFAULT, static_cast<guint>(delay),
      +[](gpointer p) noexcept -> gboolean {
        static_cast<RoomClient*>(p)->Connect();
        return G_SOURCE_REMOVE;
      },
      this, nullptr);
}

}  // namespace mcu::room
