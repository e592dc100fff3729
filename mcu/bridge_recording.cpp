// Recording and live streaming (mcu/bridge.h): the hosts' start and stop, the recordings' files
// (kept, sealed for classified conferences, played, downloaded, deleted), the disk-space floor
// and the retention, and the live stream's playlist, parts and viewer links. Runs on the control
// executor, like every Bridge method; the files are written by the media room's recorder.
#include <spdlog/spdlog.h>
#include <time.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "mcu/bridge.h"
#include "mcu/bridge_detail.h"
#include "mcu/log.h"
#include "mcu/secrets.h"

namespace mcu {

using nlohmann::json;

Expected<SealKey> Bridge::RecordingKey() {
  MCU_DCHECK_RUN_ON(&control_);
  if (recording_key_) return *recording_key_;
  const std::string path =
      !config_.recording.key_file.empty()
          ? config_.recording.key_file
          : (std::filesystem::path(config_.server.data_dir) / "recording.key").string();
  auto key = LoadOrCreateSealKey(path);
  if (!key) {
    spdlog::error("recording key: {}", key.error());
    return MakeError(ErrorKind::kInternal, "the recording key cannot be read: " + key.error());
  }
  recording_key_ = *key;
  return *key;
}

std::filesystem::path Bridge::RecordingsDir() const {
  if (!config_.recording.directory.empty()) return config_.recording.directory;
  return std::filesystem::path(config_.server.data_dir) / "recordings";
}

std::string Bridge::DiskTooFull() {
  const std::filesystem::path dir = RecordingsDir();
  int64_t free = -1;
  if (options_.free_bytes) {
    free = options_.free_bytes(dir);
  } else {
    std::error_code ec;
    const auto space = std::filesystem::space(dir, ec);
    if (!ec) free = static_cast<int64_t>(space.available);
  }
  const int64_t floor = int64_t{config_.recording.min_free_mb} << 20;
  if (free < 0 || free >= floor) return "";
  return "only " + std::to_string(free >> 20) + " MB free for recordings in " + dir.string() +
         " (the floor is " + std::to_string(config_.recording.min_free_mb) +
         " MB: [recording] min_free_mb)";
}

void Bridge::CheckRecordings(int64_t now_ms) {
  MCU_DCHECK_RUN_ON(&control_);
  constexpr int64_t kCheckEveryMs = 5'000, kPurgeEveryMs = 3'600'000;
  if (now_ms - recordings_checked_ms_ >= kCheckEveryMs) {
    recordings_checked_ms_ = now_ms;
    bool recording = false;
    for (auto& [id, conf] : conferences_) recording |= static_cast<bool>(conf.recording);
    if (const std::string full = recording ? DiskTooFull() : ""; !full.empty()) {
      for (auto& [id, conf] : conferences_) {
        if (!conf.recording) continue;
        spdlog::error("conference {}: recording stopped: {}", id, full);
        EndRecording(conf, "mcu", "the disk is full: " + full);
        monitor_->RecordingStopped(now_ms, id, full);
      }
    }
  }
  if (config_.recording.retention_days > 0 &&
      (recordings_purged_ms_ == 0 || now_ms - recordings_purged_ms_ >= kPurgeEveryMs)) {
    recordings_purged_ms_ = now_ms;
    const int64_t before = now_ms - int64_t{config_.recording.retention_days} * 86'400'000;
    for (const RecordingRow& row : store_->Recordings("", "", INT32_MAX)) {
      if (row.state == "recording" || row.ended_at_ms == 0 || row.ended_at_ms >= before) continue;
      std::error_code ec;
      std::filesystem::remove(RecordingsDir() / row.file, ec);
      if (ec) {
        spdlog::error("recording {} past its retention not deleted: {}", row.file, ec.message());
        continue;
      }
      (void)store_->DeleteRecording(row.id);
      spdlog::info("recording {} of conference {} deleted: older than {} days", row.file,
                   row.conference_id, config_.recording.retention_days);
      Audit("mcu", "record-expire", row.conference_id,
            json{{"file", row.file}, {"id", row.id}, {"bytes", row.bytes}}.dump());
    }
  }
}

Status Bridge::StartRecording(const std::string& actor, const std::string& conference) {
  return OnConference(conference, [&](Conference& conf) -> Status {
    if (!conf.open()) return MakeError(ErrorKind::kConflict, "the conference is not open");
    if (conf.recording)
      return MakeError(ErrorKind::kConflict, "the conference is recorded already");
    return BeginRecording(conf, actor);
  });
}

Status Bridge::BeginRecording(Conference& conf, const std::string& actor) {
  MCU_DCHECK_RUN_ON(&control_);
  const std::string& conference = conf.row.id;
  // A classified conference's recording is sealed at rest, and only if the administrator allows.
  std::optional<SealKey> seal;
  if (conf.row.classified) {
    if (!config_.recording.classified)
      return MakeError(ErrorKind::kForbidden,
                       "a classified conference is not recorded (recording.classified is off)");
    auto key = RecordingKey();
    if (!key) return key.failure();
    seal = *key;
  }
  if (conf.row.mode == "echo")
    return MakeError(ErrorKind::kConflict, "an echo conference is not recorded");
  namespace fs = std::filesystem;
  const fs::path dir = RecordingsDir();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!ec) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec)
    return MakeError(ErrorKind::kInternal,
                     "recordings directory " + dir.string() + ": " + ec.message());
  if (const std::string full = DiskTooFull(); !full.empty())
    return MakeError(ErrorKind::kConflict, "not recorded: " + full);
  const bool mp4 = config_.recording.format == "mp4";
  RecordingRow row;
  row.conference_id = conference;
  row.started_by = actor;
  row.started_at_ms = now_ms();
  row.sealed = seal.has_value();
  const time_t now_s = static_cast<time_t>(row.started_at_ms / 1000);
  tm utc{};
  gmtime_r(&now_s, &utc);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%SZ", &utc);
  // Its row first, under a name no other recording has (one stopped and started again
  // within a second gets "-2"): no file is written that is nobody's.
  Expected<int64_t> id = MakeError(ErrorKind::kInternal, "no recording row");
  for (int n = 1; n <= 20 && !id; ++n) {
    row.file = conference + "-" + stamp + (n > 1 ? "-" + std::to_string(n) : "") +
               (mp4 ? ".mp4" : ".webm") + (seal ? ".sealed" : "");
    if (!fs::exists(dir / row.file)) id = store_->InsertRecording(row);
  }
  if (!id) return id.failure();
  row.id = *id;
  Status st = MakeRoom(conf);
  auto rec =
      st ? conf.room->StartRecording((dir / row.file).string(), 1280,
                                     mp4 ? RecordingFormat::kMp4 : RecordingFormat::kWebm, seal)
         : Expected<std::unique_ptr<MediaRecording>>(st.failure());
  if (!rec) {
    (void)store_->DeleteRecording(row.id);
    if (conf.room && conf.empty()) conf.room.reset();
    return rec.failure();
  }
  const MediaRecording::Stats p = (*rec)->Progress();
  row.width = p.width;
  row.height = p.height;
  (void)store_->UpdateRecording(row);
  conf.recording = std::move(*rec);
  conf.recording_row = row;
  spdlog::info("conference {}: recording into {} (started by {})", conference, row.file, actor);
  Audit(actor, "record-start", conference, json{{"file", row.file}, {"id", row.id}}.dump());
  return OkStatus();
}

Status Bridge::StopRecording(const std::string& actor, const std::string& conference) {
  return OnConference(conference, [&](Conference& conf) -> Status {
    if (!conf.recording) return MakeError(ErrorKind::kConflict, "the conference is not recorded");
    EndRecording(conf, actor, "stopped");
    return OkStatus();
  });
}

void Bridge::EndRecording(Conference& conf, const std::string& actor, const std::string& reason) {
  MCU_DCHECK_RUN_ON(&control_);
  if (!conf.recording) return;
  const MediaRecording::Stats p = conf.recording->Progress();
  conf.recording.reset();  // The file is finished here.
  RecordingRow& row = conf.recording_row;
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(RecordingsDir() / row.file, ec);
  row.ended_at_ms = now_ms();
  row.duration_ms = p.duration_ms;
  row.bytes = ec ? 0 : static_cast<int64_t>(bytes);
  row.state = "finished";
  row.reason = reason;
  if (auto st = store_->UpdateRecording(row); !st)
    spdlog::error("conference {}: recording {} not stored as ended: {}", conf.row.id, row.file,
                  st.error());
  spdlog::info("conference {}: recording {} ended ({}): {} ms, {} bytes", conf.row.id, row.file,
               reason, p.duration_ms, row.bytes);
  Audit(actor, "record-stop", conf.row.id,
        json{{"file", row.file},
             {"id", row.id},
             {"reason", reason},
             {"durationMs", p.duration_ms},
             {"bytes", row.bytes},
             {"videoFrames", p.video_frames},
             {"audioFrames", p.audio_frames}}
            .dump());
  row = {};
  if (conf.empty()) conf.room.reset();
}

Status Bridge::StartStream(const std::string& actor, const std::string& conference) {
  return OnConference(conference, [&](Conference& conf) -> Status {
    if (!conf.open()) return MakeError(ErrorKind::kConflict, "the conference is not open");
    if (conf.row.classified)
      return MakeError(ErrorKind::kForbidden, "a classified conference is not streamed");
    if (conf.row.mode == "echo")
      return MakeError(ErrorKind::kConflict, "an echo conference is not streamed");
    if (conf.stream) return MakeError(ErrorKind::kConflict, "the conference is streamed already");
    Status st = MakeRoom(conf);
    const StreamFormat format =
        config_.stream.format == "ts" ? StreamFormat::kTs : StreamFormat::kWebm;
    auto stream = st ? conf.room->StartStream(1280, format)
                     : Expected<std::unique_ptr<MediaStream>>(st.failure());
    if (!stream) {
      if (conf.room && conf.empty()) conf.room.reset();
      return stream.failure();
    }
    conf.stream = std::move(*stream);
    conf.stream_by = actor;
    conf.stream_since_ms = now_ms();
    spdlog::info("conference {}: live stream started by {}", conference, actor);
    Audit(actor, "stream-start", conference);
    if (!config_.stream.rtmp_url.empty()) StartPush(conf);
    return OkStatus();
  });
}

Status Bridge::StopStream(const std::string& actor, const std::string& conference) {
  return OnConference(conference, [&](Conference& conf) -> Status {
    if (!conf.stream) return MakeError(ErrorKind::kConflict, "the conference is not streamed");
    EndStream(conf, actor, "stopped");
    return OkStatus();
  });
}

void Bridge::EndStream(Conference& conf, const std::string& actor, const std::string& reason) {
  MCU_DCHECK_RUN_ON(&control_);
  if (!conf.stream) return;
  const MediaRecording::Stats p = conf.stream->Progress();
  conf.push.reset();  // Before the stream: it is no longer pushed either.
  conf.push_error.clear();
  conf.push_retry_ms = 0;
  conf.stream.reset();
  spdlog::info("conference {}: live stream ended ({}): {} ms", conf.row.id, reason, p.duration_ms);
  Audit(actor, "stream-stop", conf.row.id,
        json{{"reason", reason}, {"durationMs", p.duration_ms}}.dump());
  if (conf.empty()) conf.room.reset();
}

namespace {

constexpr int64_t kPushRetryMs = 10'000;  // After a push failed.

// "rtmp://host:port" of an RTMP URL: what a log line may say of it (its path holds the key).
std::string RtmpServer(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return url.substr(0, path);
}

}  // namespace

void Bridge::StartPush(Conference& conf) {
  MCU_DCHECK_RUN_ON(&control_);
  std::string url = config_.stream.rtmp_url;
  if (const size_t at = url.find("{conference}"); at != std::string::npos)
    url.replace(at, 12, conf.row.id);
  auto push =
      conf.room
          ? conf.room->StartPush(1280, url)
          : Expected<std::unique_ptr<MediaPush>>(MakeError(ErrorKind::kInternal, "no media room"));
  if (!push) {
    spdlog::warn("conference {}: the RTMP push to {} did not start: {}", conf.row.id,
                 RtmpServer(url), push.error());
    conf.push_error = push.error();
    conf.push_retry_ms = now_ms() + kPushRetryMs;
    return;
  }
  conf.push = std::move(*push);
  spdlog::info("conference {}: live stream pushed to {}", conf.row.id, RtmpServer(url));
}

void Bridge::CheckPushes(int64_t now_ms) {
  MCU_DCHECK_RUN_ON(&control_);
  for (auto& [id, conf] : conferences_) {
    if (!conf.stream) continue;
    if (conf.push) {
      const std::string failure = conf.push->Failure();
      if (failure.empty()) continue;
      spdlog::warn("conference {}: the RTMP push failed ({}); trying again in {} s", id, failure,
                   kPushRetryMs / 1000);
      conf.push.reset();
      conf.push_error = failure;
      conf.push_retry_ms = now_ms + kPushRetryMs;
    } else if (conf.push_retry_ms != 0 && now_ms >= conf.push_retry_ms) {
      conf.push_retry_ms = 0;
      StartPush(conf);
    }
  }
}

Expected<std::string> Bridge::StreamPlaylist(const std::string& conference,
                                             const std::string& query) {
  Expected<std::string> out = MakeError(ErrorKind::kNotFound, "the conference is not streamed");
  (void)OnConference(conference, [&](Conference& conf) -> Status {
    if (!conf.stream) return OkStatus();
    out = conf.stream->Playlist(query);
    return OkStatus();
  });
  return out;
}

Expected<std::shared_ptr<const std::string>> Bridge::StreamPart(const std::string& conference,
                                                                const std::string& name) {
  Expected<std::shared_ptr<const std::string>> out =
      MakeError(ErrorKind::kNotFound, "the conference is not streamed");
  (void)OnConference(conference, [&](Conference& conf) -> Status {
    if (!conf.stream) return OkStatus();
    if (auto part = conf.stream->Part(name))
      out = std::move(part);
    else
      out = MakeError(ErrorKind::kNotFound, "no such part of the stream (or no longer kept)");
    return OkStatus();
  });
  return out;
}

Expected<StreamLinkCreated> Bridge::CreateStreamLink(const std::string& actor,
                                                     const std::string& conference,
                                                     const std::string& label, int minutes,
                                                     int max_viewers) {
  if (label.size() > 100) return MakeError(ErrorKind::kInvalid, "label: at most 100 bytes");
  if (minutes < 1 || minutes > 10080)
    return MakeError(ErrorKind::kInvalid, "minutes: 1 to 10080 (a week)");
  if (max_viewers < 1 || max_viewers > 1000)
    return MakeError(ErrorKind::kInvalid, "maxViewers: 1 to 1000");
  Expected<StreamLinkCreated> out = MakeError(ErrorKind::kInternal, "no link");
  Status st = OnConference(conference, [&](Conference& conf) -> Status {
    if (conf.row.classified)
      return MakeError(ErrorKind::kForbidden, "a classified conference is not streamed");
    StreamLinkCreated made;
    made.token = NewToken();
    StreamLinkRow& row = made.row;
    row.conference_id = conference;
    row.label = label;
    row.token_hash = HashToken(made.token);
    row.created_by = actor;
    row.created_at_ms = now_ms();
    row.expires_at_ms = row.created_at_ms + int64_t{minutes} * 60'000;
    row.max_viewers = max_viewers;
    auto id = store_->InsertStreamLink(row);
    if (!id) return id.failure();
    row.id = *id;
    Audit(actor, "stream-link-create", conference,
          json{{"id", row.id},
               {"label", label},
               {"expiresMs", row.expires_at_ms},
               {"maxViewers", max_viewers}}
              .dump());
    out = std::move(made);
    return OkStatus();
  });
  if (!st) return st.failure();
  return out;
}

Expected<std::vector<StreamLinkRow>> Bridge::StreamLinks(const std::string& conference) {
  std::vector<StreamLinkRow> out;
  Status st = OnConference(conference, [&](Conference& conf) -> Status {
    out = store_->StreamLinks(conf.row.id);
    return OkStatus();
  });
  if (!st) return st.failure();
  return out;
}

Status Bridge::RevokeStreamLink(const std::string& actor, const std::string& conference,
                                int64_t id) {
  return OnConference(conference, [&](Conference& conf) -> Status {
    if (Status st = store_->RevokeStreamLink(conf.row.id, id, now_ms()); !st) return st;
    link_viewers_.erase(id);
    spdlog::info("conference {}: viewer link {} revoked by {}", conference, id, actor);
    Audit(actor, "stream-link-revoke", conference, json{{"id", id}}.dump());
    return OkStatus();
  });
}

Status Bridge::StreamViewer(const std::string& conference, const std::string& token,
                            const std::string& remote) {
  // A viewer is an address: the port changes with each connection a player opens.
  const std::string address = remote.substr(0, remote.rfind(':'));
  return OnControl([&]() -> Status {
    auto link = store_->StreamLinkByHash(HashToken(token));
    if (!link || link->conference_id != conference)
      return MakeError(ErrorKind::kUnauthorized, "no such viewer link for this conference");
    const int64_t now = now_ms();
    if (link->revoked_at_ms != 0)
      return MakeError(ErrorKind::kForbidden, "this viewer link was revoked");
    if (now >= link->expires_at_ms)
      return MakeError(ErrorKind::kForbidden, "this viewer link has expired");
    auto found = Find(conference);
    if (found && (*found)->row.classified)
      return MakeError(ErrorKind::kForbidden, "a classified conference is not streamed");
    auto& viewers = link_viewers_[link->id];
    std::erase_if(viewers, [&](const auto& v) { return now - v.second > 15'000; });
    const bool known = viewers.count(address) != 0;
    if (!known && static_cast<int>(viewers.size()) >= link->max_viewers)
      return MakeError(ErrorKind::kConflict, "this viewer link's " +
                                                 std::to_string(link->max_viewers) +
                                                 " viewers are all watching: try again later");
    viewers[address] = now;
    if (!known) {
      spdlog::info("conference {}: a viewer at {} watches through link {}", conference, address,
                   link->id);
      Audit("link:" + std::to_string(link->id), "stream-link-view", conference,
            json{{"id", link->id}, {"label", link->label}, {"from", address}}.dump());
    }
    return OkStatus();
  });
}

void Bridge::InterruptOpenRecordings() {
  MCU_DCHECK_RUN_ON(&control_);
  namespace fs = std::filesystem;
  for (RecordingRow& row : store_->Recordings("", "recording", INT32_MAX)) {
    std::error_code ec;
    const fs::path path = RecordingsDir() / row.file;
    const auto bytes = fs::file_size(path, ec);
    row.bytes = ec ? 0 : static_cast<int64_t>(bytes);
    const auto written = fs::last_write_time(path, ec);
    row.ended_at_ms = ec ? row.started_at_ms
                         : std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::file_clock::to_sys(written).time_since_epoch())
                               .count();
    row.duration_ms = std::max<int64_t>(0, row.ended_at_ms - row.started_at_ms);
    row.state = "interrupted";
    row.reason = "the MCU ended while recording";
    spdlog::warn("recording {} of conference {} was interrupted: {} bytes kept", row.file,
                 row.conference_id, row.bytes);
    (void)store_->UpdateRecording(row);
  }
}

Expected<RecordingDownload> Bridge::RecordingFile(const std::string& actor, int64_t id, bool play) {
  Expected<RecordingDownload> out = MakeError(ErrorKind::kNotFound, "no such recording");
  control_.Invoke([&] {
    auto row = store_->Recording(id);
    if (!row) return;
    const std::filesystem::path path = RecordingsDir() / row->file;
    if (!std::filesystem::is_regular_file(path)) {
      out = MakeError(ErrorKind::kNotFound, "the recording's file is gone");
      return;
    }
    Expected<std::unique_ptr<ByteSource>> bytes = MakeError(ErrorKind::kInternal, "");
    if (row->sealed) {
      auto key = RecordingKey();
      bytes = key ? OpenSealedFile(path.string(), *key)
                  : Expected<std::unique_ptr<ByteSource>>(key.failure());
    } else {
      bytes = OpenPlainFile(path.string());
    }
    if (!bytes) {
      spdlog::error("recording {}: {}", row->file, bytes.error());
      out = MakeError(ErrorKind::kInternal, "the recording cannot be read");
      return;
    }
    Audit(actor, play ? "record-play" : "record-download", row->conference_id,
          json{{"file", row->file}, {"id", id}, {"sealed", row->sealed}}.dump());
    std::string name = row->file;  // A sealed one is sent as the WebM or MP4 it holds.
    if (constexpr std::string_view kSealed = ".sealed";
        name.size() > kSealed.size() &&
        name.compare(name.size() - kSealed.size(), kSealed.size(), kSealed) == 0)
      name.resize(name.size() - kSealed.size());
    out = RecordingDownload{name, std::shared_ptr<ByteSource>(std::move(*bytes))};
  });
  return out;
}

Status Bridge::DeleteRecording(const std::string& actor, int64_t id) {
  Status out = OkStatus();
  control_.Invoke([&] {
    auto row = store_->Recording(id);
    if (!row) {
      out = MakeError(ErrorKind::kNotFound, "no such recording");
      return;
    }
    for (const auto& [cid, conf] : conferences_)
      if (conf.recording && conf.recording_row.id == id) {
        out = MakeError(ErrorKind::kConflict, "the recording is running: stop it first");
        return;
      }
    std::error_code ec;
    std::filesystem::remove(RecordingsDir() / row->file, ec);
    if (ec) {
      out = MakeError(ErrorKind::kInternal, "cannot delete " + row->file + ": " + ec.message());
      return;
    }
    if (out = store_->DeleteRecording(id); !out) return;
    spdlog::info("recording {} of conference {} deleted by {}", row->file, row->conference_id,
                 actor);
    Audit(actor, "record-delete", row->conference_id,
          json{{"file", row->file}, {"id", id}, {"bytes", row->bytes}}.dump());
  });
  return out;
}

}  // namespace mcu
