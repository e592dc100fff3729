// The REST routes of conferences and their live control, settings, the audit log, call records,
// live statistics, history and alarms (signaling/rest_routes.h).
#include <algorithm>
#include <filesystem>

#include "mcu/schedule.h"
#include "signaling/rest_routes.h"
#include "signaling/rest_views.h"

namespace mcu::signaling::rest {

namespace {

// A boolean field: its value, `fallback` if absent; an error if it is not a boolean.
Expected<bool> ReadBool(const json& body, const char* key, std::optional<bool> fallback) {
  if (!body.contains(key)) {
    if (fallback) return *fallback;
  } else if (body[key].is_boolean()) {
    return body[key].get<bool>();
  }
  return MakeError(ErrorKind::kInvalid, std::string("field \"") + key + "\" must be true or false");
}

RestResponse ListConferences(RouteContext& c) {
  json list = json::array();
  for (const auto& conf : c.control.LiveConferences()) list.push_back(LiveJson(conf));
  return Reply(200, list);
}

RestResponse GetConference(RouteContext& c) {
  auto conf = c.control.LiveConferenceOf(c.params[0]);
  if (!conf) return FromStatus(conf);
  return Reply(200, LiveJson(*conf));
}

RestResponse RollCall(RouteContext& c) {
  auto conf = c.control.LiveConferenceOf(c.params[0]);
  if (!conf) return FromStatus(conf);
  json list = json::array();
  for (const auto& s : conf->sites) list.push_back(LiveSiteJson(s));
  return Reply(200, {{"conference", conf->row.id},
                     {"state", LiveJson(*conf)["state"]},
                     {"sites", list},
                     {"viewers", conf->viewers},
                     {"recording", RecordingJson(*conf)},
                     {"stream", StreamJson(*conf)}});
}

RestResponse CreateConference(RouteContext& c) {
  auto conf = ParseConference(c.body, ConferenceRow{});
  if (!conf) return Fail(400, conf.error());
  if (auto st = c.control.CreateConference(c.actor(), *conf); !st) return FromStatus(st);
  auto live = c.control.LiveConferenceOf(conf->id);
  return live ? Reply(201, LiveJson(*live)) : Fail(500, "created but not found");
}

RestResponse UpdateConference(RouteContext& c) {
  auto stored = c.control.Conference(c.params[0]);
  if (!stored) return Fail(404, "no conference '" + c.params[0] + "'");
  json b = c.body;
  b.erase("id");
  auto conf = ParseConference(b, *stored);
  if (!conf) return Fail(400, conf.error());
  if (auto st = c.control.UpdateConference(c.actor(), *conf); !st) return FromStatus(st);
  auto live = c.control.LiveConferenceOf(conf->id);
  return live ? Reply(200, LiveJson(*live)) : FromStatus(live);
}

RestResponse DeleteConference(RouteContext& c) {
  return FromStatus(c.control.DeleteConference(c.actor(), c.params[0]));
}
RestResponse StartConference(RouteContext& c) {
  return FromStatus(c.control.StartConference(c.actor(), c.params[0]));
}
RestResponse StopConference(RouteContext& c) {
  return FromStatus(c.control.StopConference(c.actor(), c.params[0]));
}

RestResponse MuteSite(RouteContext& c) {
  std::optional<bool> audio, video;
  for (auto [key, out] : {std::pair{"audio", &audio}, std::pair{"video", &video}}) {
    if (!c.body.contains(key)) continue;
    auto v = ReadBool(c.body, key, std::nullopt);
    if (!v) return Fail(400, v.error());
    *out = *v;
  }
  return FromStatus(c.control.Mute(c.actor(), c.params[0], c.params[1], audio, video));
}
RestResponse KickSite(RouteContext& c) {
  return FromStatus(c.control.Kick(c.actor(), c.params[0], c.params[1]));
}

RestResponse StartRecording(RouteContext& c) {
  return FromStatus(c.control.StartRecording(c.actor(), c.params[0]));
}

RestResponse StopRecording(RouteContext& c) {
  return FromStatus(c.control.StopRecording(c.actor(), c.params[0]));
}

json StreamLinkJson(const StreamLinkRow& l) {
  return {{"id", l.id},
          {"label", l.label},
          {"createdBy", l.created_by},
          {"createdMs", l.created_at_ms},
          {"expiresMs", l.expires_at_ms},
          {"revokedMs", l.revoked_at_ms},
          {"maxViewers", l.max_viewers}};
}

// A viewer link: its token and the watch page's URL (the token after '#': never sent to the
// server with the page, so never in an access log), shown this once.
RestResponse CreateStreamLink(RouteContext& c) {
  const json& b = c.body;
  const auto label = b.value("label", json("")), minutes = b.value("minutes", json(120)),
             viewers = b.value("maxViewers", json(20));
  if (!label.is_string() || !minutes.is_number_integer() || !viewers.is_number_integer())
    return Fail(400, "label (text), minutes and maxViewers (integers) are optional");
  auto made = c.control.CreateStreamLink(
      c.actor(), c.params[0], label.get<std::string>(),
      static_cast<int>(std::clamp<int64_t>(minutes.get<int64_t>(), -1, 1'000'000)),
      static_cast<int>(std::clamp<int64_t>(viewers.get<int64_t>(), -1, 1'000'000)));
  if (!made) return FromStatus(made);
  json j = StreamLinkJson(made->row);
  j["token"] = made->token;
  j["url"] = "/watch.html?c=" + c.params[0] + "#token=" + made->token;
  return Reply(200, j);
}

RestResponse StreamLinks(RouteContext& c) {
  auto links = c.control.StreamLinks(c.params[0]);
  if (!links) return FromStatus(links);
  json list = json::array();
  for (const auto& l : *links) list.push_back(StreamLinkJson(l));
  return Reply(200, list);
}

RestResponse RevokeStreamLink(RouteContext& c) {
  return FromStatus(c.control.RevokeStreamLink(c.actor(), c.params[0], std::stoll(c.params[1])));
}

RestResponse StartStream(RouteContext& c) {
  return FromStatus(c.control.StartStream(c.actor(), c.params[0]));
}

RestResponse StopStream(RouteContext& c) {
  return FromStatus(c.control.StopStream(c.actor(), c.params[0]));
}

// The live stream's playlist (index.m3u8) and its parts (init.webm and <sequence>.webm, or
// <sequence>.ts: [stream] format), from memory; never cached; and info.json, the conference's title
// for the watch page. To a console session, or through a viewer link (?token=...: the playlist's
// URLs carry it on).
RestResponse StreamFile(RouteContext& c) {
  const std::string& name = c.params[1];
  std::string query;
  if (!c.who) {
    const std::string token = QueryValue(c.query, "token");
    if (token.empty()) return Fail(401, "log in first, or watch through a viewer link");
    if (Status st = c.control.StreamViewer(c.params[0], token, c.req.remote); !st)
      return FromStatus(st);
    query = "?token=" + token;
  }
  if (name == "info.json") {
    auto conf = c.control.Conference(c.params[0]);
    if (!conf) return Fail(404, "no such conference");
    return Reply(200, json{{"conference", conf->id}, {"title", conf->title}});
  }
  if (name == "index.m3u8") {
    auto list = c.control.StreamPlaylist(c.params[0], query);
    if (!list) return FromStatus(list);
    return RestResponse{200, *list, {}, "application/vnd.apple.mpegurl"};
  }
  auto part = c.control.StreamPart(c.params[0], name);
  if (!part) return FromStatus(part);
  return RestResponse{200, **part, {}, name.ends_with(".ts") ? "video/mp2t" : "video/webm"};
}

RestResponse StopSiteContent(RouteContext& c) {
  return FromStatus(c.control.StopContent(c.actor(), c.params[0], c.params[1]));
}
RestResponse CallSite(RouteContext& c) {
  return FromStatus(c.control.Call(c.actor(), c.params[0], c.params[1]));
}

RestResponse MuteAll(RouteContext& c) {
  auto muted = ReadBool(c.body, "muted", true);
  if (!muted) return Fail(400, muted.error());
  return FromStatus(c.control.MuteAllButHost(c.actor(), c.params[0], *muted));
}

RestResponse SetLock(RouteContext& c) {
  auto locked = ReadBool(c.body, "locked", std::nullopt);
  if (!locked) return Fail(400, locked.error());
  return FromStatus(c.control.Lock(c.actor(), c.params[0], *locked));
}

RestResponse SetLayout(RouteContext& c) {
  std::string value, error;
  if (!ReadString(c.body, "layout", value, error, 64)) return Fail(400, error);
  return FromStatus(c.control.SetLayout(c.actor(), c.params[0], value));
}

RestResponse SetSpotlight(RouteContext& c) {
  std::string value, error;
  if (!ReadString(c.body, "site", value, error, 64)) return Fail(400, error);
  return FromStatus(c.control.Spotlight(c.actor(), c.params[0], value));
}

RestResponse Settings(RouteContext& c) { return Reply(200, SettingsJson(c.control.config())); }

RestResponse AuditLog(RouteContext& c) {
  std::string before = QueryValue(c.query, "before");
  int64_t before_id = before.empty() || before.size() > 18 ||
                              before.find_first_not_of("0123456789") != std::string::npos
                          ? 0
                          : std::stoll(before);
  json list = json::array();
  for (const auto& a : c.control.AuditLog(QueryLimit(c.query), before_id)) {
    json detail = json::parse(a.detail, nullptr, false);
    if (detail.is_discarded()) detail = nullptr;  // Keeps the answer JSON whatever was stored.
    list.push_back({{"id", a.id},
                    {"at", FormatTime(a.at_ms / 1000)},
                    {"atMs", a.at_ms},
                    {"actor", a.actor},
                    {"action", a.action},
                    {"target", a.target},
                    {"detail", detail}});
  }
  return Reply(200, list);
}

RestResponse CallRecords(RouteContext& c) {
  std::string conference = QueryValue(c.query, "conference");
  if (!conference.empty() && !ValidId(conference)) return Fail(400, "bad conference id");
  std::string format = QueryValue(c.query, "format");
  if (!format.empty() && format != "json" && format != "csv")
    return Fail(400, "format must be json or csv");
  auto records = c.control.CallRecords(conference, QueryLimit(c.query));
  if (format == "csv") {
    RestResponse res{200, CallRecordsCsv(records), {}, "text/csv; charset=utf-8"};
    res.headers.emplace_back("Content-Disposition", "attachment; filename=\"call-records.csv\"");
    return res;
  }
  json list = json::array();
  for (const auto& r : records) list.push_back(CallRecordJson(r));
  return Reply(200, list);
}

RestResponse Stats(RouteContext& c) {
  auto stats = c.control.ConferenceStats(c.params[0]);
  if (!stats) return FromStatus(stats);
  return ReplyText(200, std::move(*stats));
}

RestResponse History(RouteContext& c) {
  int seconds = QueryInt(c.query, "seconds", 600, 1, 86400);
  auto history = c.control.SiteHistory(c.params[0], c.params[1], seconds);
  if (!history) return FromStatus(history);
  return ReplyText(200, std::move(*history));
}

RestResponse Alarms(RouteContext& c) {
  std::string conference = QueryValue(c.query, "conference");
  if (!conference.empty() && !ValidId(conference)) return Fail(400, "bad conference id");
  std::string active = QueryValue(c.query, "active");
  if (!active.empty() && active != "true" && active != "false")
    return Fail(400, "active must be true or false");
  json list = json::array();
  for (const auto& a : c.control.Alarms(conference, active == "true", QueryLimit(c.query)))
    list.push_back(
        {{"id", a.id},
         {"conference", a.conference_id},
         {"site", a.site_id},
         {"kind", a.kind},
         {"severity", a.severity},
         {"detail", a.detail},
         {"raised", FormatTime(a.raised_at_ms / 1000)},
         {"raisedMs", a.raised_at_ms},
         {"cleared", a.cleared_at_ms ? json(FormatTime(a.cleared_at_ms / 1000)) : json(nullptr)},
         {"clearedMs", a.cleared_at_ms}});
  return Reply(200, list);
}

RestResponse ListRecordings(RouteContext& c) {
  std::string conference = QueryValue(c.query, "conference");
  if (!conference.empty() && !ValidId(conference)) return Fail(400, "bad conference id");
  json list = json::array();
  for (const auto& r : c.control.Recordings(conference, QueryLimit(c.query)))
    list.push_back(RecordingRowJson(r));
  return Reply(200, list);
}

// The file itself: as an attachment (a download), or with ?play=1 inline for the console's
// video player; either is audited (a player's further range requests are not).
RestResponse RecordingFile(RouteContext& c) {
  const std::string play = QueryValue(c.query, "play");
  if (!play.empty() && play != "1") return Fail(400, "play must be 1");
  auto file = c.control.RecordingFile(c.actor(), std::stoll(c.params[0]), play == "1");
  if (!file) return FromStatus(file);
  RestResponse res{200, "", {}, file->name.ends_with(".mp4") ? "video/mp4" : "video/webm"};
  res.file = file->bytes;
  res.headers.emplace_back(
      "Content-Disposition",
      (play == "1" ? "inline; filename=\"" : "attachment; filename=\"") + file->name + "\"");
  return res;
}

RestResponse DeleteRecording(RouteContext& c) {
  return FromStatus(c.control.DeleteRecording(c.actor(), std::stoll(c.params[0])));
}

}  // namespace

void AddConferenceRoutes(std::vector<Route>& r) {
  const Role any = Role::kTechnician, host = Role::kHost, admin = Role::kAdmin;
  const std::vector<Route> routes = {
      {"GET", "/conferences", any, &ListConferences},
      {"GET", "/conferences/{conference}", any, &GetConference},
      {"GET", "/conferences/{conference}/roll-call", any, &RollCall},
      {"POST", "/conferences", host, &CreateConference},
      {"PUT", "/conferences/{conference}", host, &UpdateConference},
      {"DELETE", "/conferences/{conference}", host, &DeleteConference},
      {"POST", "/conferences/{conference}/start", host, &StartConference},
      {"POST", "/conferences/{conference}/stop", host, &StopConference},
      {"POST", "/conferences/{conference}/sites/{site}/mute", host, &MuteSite},
      {"POST", "/conferences/{conference}/sites/{site}/kick", host, &KickSite},
      {"POST", "/conferences/{conference}/sites/{site}/stop-content", host, &StopSiteContent},
      {"POST", "/conferences/{conference}/recording/start", host, &StartRecording},
      {"POST", "/conferences/{conference}/recording/stop", host, &StopRecording},
      {"POST", "/conferences/{conference}/stream/start", host, &StartStream},
      {"POST", "/conferences/{conference}/stream/stop", host, &StopStream},
      {"GET", "/conferences/{conference}/stream/{streamFile}", any, &StreamFile, true},
      {"POST", "/conferences/{conference}/stream/links", host, &CreateStreamLink},
      {"GET", "/conferences/{conference}/stream/links", host, &StreamLinks},
      {"DELETE", "/conferences/{conference}/stream/links/{linkId}", host, &RevokeStreamLink},
      {"POST", "/conferences/{conference}/sites/{site}/call", host, &CallSite},
      {"POST", "/conferences/{conference}/mute-all", host, &MuteAll},
      {"PUT", "/conferences/{conference}/spotlight", host, &SetSpotlight},
      {"PUT", "/conferences/{conference}/layout", host, &SetLayout},
      {"PUT", "/conferences/{conference}/lock", host, &SetLock},
      {"GET", "/settings", admin, &Settings},
      {"GET", "/audit", any, &AuditLog},
      {"GET", "/call-records", any, &CallRecords},
      {"GET", "/conferences/{conference}/stats", any, &Stats},
      {"GET", "/conferences/{conference}/sites/{site}/history", any, &History},
      {"GET", "/alarms", any, &Alarms},
      {"GET", "/recordings", any, &ListRecordings},
      {"GET", "/recordings/{recordingId}/file", host, &RecordingFile},
      {"DELETE", "/recordings/{recordingId}", host, &DeleteRecording},
  };
  r.insert(r.end(), routes.begin(), routes.end());
}

}  // namespace mcu::signaling::rest
