#include "signaling/protocol.h"

#include <nlohmann/json.hpp>

#include "signaling/json_limits.h"
#include "signaling/stats_json.h"

namespace mcu::signaling {
namespace {

using nlohmann::json;

const std::pair<const char*, EndpointRequest::Type> kTypes[] = {
    {"auth", EndpointRequest::Type::kAuth},     {"join", EndpointRequest::Type::kJoin},
    {"answer", EndpointRequest::Type::kAnswer}, {"candidate", EndpointRequest::Type::kCandidate},
    {"leave", EndpointRequest::Type::kLeave},   {"getStats", EndpointRequest::Type::kGetStats},
    {"ping", EndpointRequest::Type::kPing},     {"devices", EndpointRequest::Type::kDevices},
    {"mcus", EndpointRequest::Type::kMcus},     {"link", EndpointRequest::Type::kLink},
};

// A cascade link's MCU ids: at most this many, each 1-64 characters.
constexpr size_t kMaxMcus = 64, kMaxMcuIdLength = 64;

Status ReadMcus(const json& j, bool required, std::vector<std::string>& out) {
  auto it = j.find("mcus");
  if (it == j.end() || it->is_null())
    return required ? MakeError(ErrorKind::kInvalid, "missing field \"mcus\"") : OkStatus();
  if (!it->is_array() || it->size() > kMaxMcus)
    return MakeError(ErrorKind::kInvalid, "field \"mcus\" must be an array of at most 64 ids");
  for (const auto& v : *it) {
    if (!v.is_string() || v.get_ref<const std::string&>().empty() ||
        v.get_ref<const std::string&>().size() > kMaxMcuIdLength)
      return MakeError(ErrorKind::kInvalid,
                       "field \"mcus\" holds an id that is not 1-64 characters");
    out.push_back(v.get<std::string>());
  }
  return OkStatus();
}

Status ReadString(const json& j, const char* key, size_t max_len, bool required, bool allow_empty,
                  std::string& out);

// A cascade link's side (the `link` message, either way; mcu/endpoint_api.h LinkSide).
constexpr size_t kMaxLinkText = 200;
constexpr int kMaxLinkSites = 100000;

Status ReadBool(const json& j, const char* key, bool& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return OkStatus();
  if (!it->is_boolean())
    return MakeError(ErrorKind::kInvalid, std::string("field \"") + key + "\" must be a boolean");
  out = it->get<bool>();
  return OkStatus();
}

Status ReadLinkSide(const json& j, LinkSide& out) {
  Status st = ReadString(j, "role", 16, true, false, out.role);
  if (st && out.role != "parent" && out.role != "child")
    st = MakeError(ErrorKind::kInvalid, "field \"role\" must be \"parent\" or \"child\"");
  if (st) st = ReadString(j, "title", kMaxLinkText, false, true, out.title);
  if (st) st = ReadString(j, "speaker", kMaxLinkText, false, true, out.speaker);
  if (!st) return st;
  if (auto it = j.find("summary"); it != j.end() && !it->is_null()) {
    if (!it->is_object())
      return MakeError(ErrorKind::kInvalid, "field \"summary\" must be an object");
    for (auto [key, field] :
         {std::pair{"expected", &out.expected}, std::pair{"connected", &out.connected},
          std::pair{"video", &out.video}}) {
      auto v = it->find(key);
      if (v == it->end()) continue;
      if (!v->is_number_integer() || v->get<int64_t>() < 0 || v->get<int64_t>() > kMaxLinkSites)
        return MakeError(ErrorKind::kInvalid, std::string("field \"summary.") + key +
                                                  "\" must be an integer from 0 to 100000");
      *field = static_cast<int>(v->get<int64_t>());
    }
  }
  if (auto it = j.find("shown"); it != j.end() && !it->is_null()) {
    if (!it->is_object())
      return MakeError(ErrorKind::kInvalid, "field \"shown\" must be an object");
    for (auto [key, field] :
         {std::pair{"width", &out.shown_width}, std::pair{"height", &out.shown_height}}) {
      auto v = it->find(key);
      if (v == it->end()) continue;
      if (!v->is_number_integer() || v->get<int64_t>() < 0 || v->get<int64_t>() > 8192)
        return MakeError(ErrorKind::kInvalid, std::string("field \"shown.") + key +
                                                  "\" must be an integer from 0 to 8192");
      *field = static_cast<int>(v->get<int64_t>());
    }
  }
  if (auto it = j.find("control"); it != j.end() && !it->is_null()) {
    if (!it->is_object())
      return MakeError(ErrorKind::kInvalid, "field \"control\" must be an object");
    if (out.role != "parent")
      return MakeError(ErrorKind::kInvalid, "only the parent end of a link sends \"control\"");
    LinkSide::Control c;
    st = ReadBool(*it, "mutedAudio", c.muted_audio);
    if (st) st = ReadBool(*it, "mutedVideo", c.muted_video);
    if (st) st = ReadBool(*it, "spotlight", c.spotlight);
    if (st) st = ReadBool(*it, "locked", c.locked);
    if (st) st = ReadString(*it, "layout", 32, false, true, c.layout);
    if (!st) return st;
    out.control = c;
  }
  return OkStatus();
}

json LinkSideJson(const LinkSide& side) {
  json j = {{"role", side.role},
            {"title", side.title},
            {"speaker", side.speaker},
            {"summary",
             {{"expected", side.expected}, {"connected", side.connected}, {"video", side.video}}},
            {"shown", {{"width", side.shown_width}, {"height", side.shown_height}}}};
  if (side.control)
    j["control"] = {{"mutedAudio", side.control->muted_audio},
                    {"mutedVideo", side.control->muted_video},
                    {"spotlight", side.control->spotlight},
                    {"layout", side.control->layout},
                    {"locked", side.control->locked}};
  return j;
}

const char* const kDeviceFields[] = {"camera", "microphone", "speaker"};
DeviceState* DeviceField(DeviceStates& d, int i) {
  return i == 0 ? &d.camera : i == 1 ? &d.microphone : &d.speaker;
}

// Reads a required (or optional) string field with a length limit.
Status ReadString(const json& j, const char* key, size_t max_len, bool required, bool allow_empty,
                  std::string& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required)
      return MakeError(ErrorKind::kInvalid, std::string("missing field \"") + key + "\"");
    return OkStatus();
  }
  if (!it->is_string())
    return MakeError(ErrorKind::kInvalid, std::string("field \"") + key + "\" must be a string");
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max_len)
    return MakeError(ErrorKind::kInvalid, std::string("field \"") + key + "\" is too long");
  if (s.empty() && !allow_empty)
    return MakeError(ErrorKind::kInvalid, std::string("field \"") + key + "\" is empty");
  out = s;
  return OkStatus();
}

struct EventWriter {
  json& j;
  void operator()(const event::Welcome& e) {
    j["type"] = "welcome";
    j["site"] = {{"id", e.site_id}, {"name", e.site_name}};
  }
  void operator()(const event::Joined& e) {
    j["type"] = "joined";
    j["conference"] = {{"id", e.conference_id}, {"title", e.conference_title}};
    j["participant"] = e.participant_id;
    if (!e.mcus.empty()) j["mcus"] = e.mcus;
  }
  void operator()(const event::Mcus& e) {
    j["type"] = "mcus";
    j["mcus"] = e.mcus;
  }
  void operator()(const event::Link& e) {
    j = LinkSideJson(e.side);
    j["type"] = "link";
  }
  void operator()(const event::Offer& e) {
    j["type"] = "offer";
    j["sdp"] = e.sdp;
  }
  void operator()(const event::Answer& e) {  // SIP legs only: written for logs and tests.
    j["type"] = "answer";
    j["sdp"] = e.sdp;
  }
  void operator()(const event::KeyframeWanted&) {  // SIP legs only: written for logs and tests.
    j["type"] = "keyframeWanted";
  }
  void operator()(const event::Left& e) {
    j["type"] = "left";
    j["conference"] = e.conference_id;
    j["reason"] = e.reason;
  }
  void operator()(const event::Error& e) {
    j["type"] = "error";
    j["code"] = ToString(e.code);
    j["message"] = e.message;
  }
  void operator()(const event::Roster& e) {
    j["type"] = "roster";
    j["conference"] = e.conference_id;
    json list = json::array();
    for (const auto& p : e.participants) {
      json entry = {{"id", p.participant_id},
                    {"site", p.site_id},
                    {"name", p.name},
                    {"media", ToString(p.media)}};
      if (p.content) entry["content"] = true;
      list.push_back(std::move(entry));
    }
    j["participants"] = std::move(list);
    j["viewers"] = e.viewers;
  }
  void operator()(const event::MediaState& e) {
    j["type"] = "media";
    j["state"] = ToString(e.state);
    j["detail"] = e.detail;
  }
  void operator()(const event::Stats& e) {
    j["type"] = "stats";
    j["stats"] = StatsToJson(e.stats);
  }
  void operator()(const event::Pong&) { j["type"] = "pong"; }
  void operator()(const event::Call& e) {
    j["type"] = "call";
    j["conference"] = {{"id", e.conference_id}, {"title", e.conference_title}};
  }
  void operator()(const event::Speaker& e) {
    j["type"] = "speaker";
    j["conference"] = e.conference_id;
    j["participant"] = e.participant_id;
    j["site"] = e.site_id;
    j["name"] = e.name;
  }
  void operator()(const event::Muted& e) {
    j["type"] = "muted";
    j["audio"] = e.audio;
    j["video"] = e.video;
  }
  void operator()(const event::Standby& e) {
    j["type"] = "standby";
    if (!e.next) {
      j["next"] = nullptr;
      return;
    }
    j["next"] = {{"conference", {{"id", e.next->conference_id}, {"title", e.next->title}}},
                 {"startsAt", e.next->start_at},
                 {"endsAt", e.next->end_at},
                 {"open", e.next->open}};
  }
  void operator()(const event::Layout& e) {
    j["type"] = "layout";
    j["tiles"] = e.tiles;
    j["sendWidth"] = e.send_width;
    j["sendHeight"] = e.send_height;
  }
};

}  // namespace

Expected<EndpointRequest> ParseRequest(std::string_view text, std::string* id_out) {
  bool too_deep = false;
  json j = ParseJsonLimited(text, kMaxJsonDepth, &too_deep);
  if (too_deep) return MakeError(ErrorKind::kInvalid, "JSON nested too deeply");
  if (j.is_discarded()) return MakeError(ErrorKind::kInvalid, "malformed JSON");
  if (!j.is_object()) return MakeError(ErrorKind::kInvalid, "a message must be a JSON object");
  EndpointRequest r;
  if (auto it = j.find("id"); it != j.end()) {
    if (it->is_string() && it->get_ref<const std::string&>().size() <= kMaxIdLength)
      r.id = it->get<std::string>();
    else if (it->is_number_integer())
      r.id = std::to_string(it->get<int64_t>());
    else
      return MakeError(ErrorKind::kInvalid, "field \"id\" must be a short string or an integer");
    if (id_out) *id_out = r.id;
  }
  auto type = j.find("type");
  if (type == j.end() || !type->is_string())
    return MakeError(ErrorKind::kInvalid, "missing field \"type\"");
  const auto& name = type->get_ref<const std::string&>();
  bool known = false;
  for (const auto& [n, t] : kTypes) {
    if (name == n) {
      r.type = t;
      known = true;
    }
  }
  if (!known)
    return MakeError(ErrorKind::kInvalid, "unknown message type \"" + name.substr(0, 32) + "\"");
  Status st = OkStatus();
  using T = EndpointRequest::Type;
  switch (r.type) {
    case T::kAuth:
      st = ReadString(j, "token", kMaxTokenLength, true, false, r.token);
      if (st && j.contains("role")) {
        const auto& v = j["role"];
        if (!v.is_string() || (v != "main" && v != "content"))
          st = MakeError(ErrorKind::kInvalid, "field \"role\" must be \"main\" or \"content\"");
        else
          r.content = v == "content";
      }
      break;
    case T::kJoin:
      st = ReadString(j, "conference", kMaxIdLength, true, false, r.conference);
      if (st && j.contains("maxBitrateKbps")) {
        const auto& v = j["maxBitrateKbps"];
        if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 1'000'000)
          st = MakeError(ErrorKind::kInvalid,
                         "field \"maxBitrateKbps\" must be an integer from 0 to 1000000");
        else
          r.max_bitrate_kbps = static_cast<int>(v.get<int64_t>());
      }
      if (st) st = ReadMcus(j, false, r.mcus);
      if (st) st = ReadString(j, "role", 16, false, false, r.link_role);
      if (st && !r.link_role.empty() && r.link_role != "parent" && r.link_role != "child")
        st = MakeError(ErrorKind::kInvalid, "field \"role\" must be \"parent\" or \"child\"");
      break;
    case T::kLink:
      st = ReadLinkSide(j, r.link);
      break;
    case T::kAnswer:
      st = ReadString(j, "sdp", kMaxSdpLength, true, false, r.sdp);
      break;
    case T::kMcus:
      st = ReadMcus(j, true, r.mcus);
      break;
    case T::kCandidate:
      st = ReadString(j, "candidate", kMaxCandidateLength, false, true, r.candidate);
      break;
    case T::kDevices:
      for (int i = 0; i < 3 && st; ++i) {
        std::string v = "none";
        st = ReadString(j, kDeviceFields[i], 16, false, false, v);
        auto parsed = ParseDeviceState(v);
        if (st && !parsed)
          st = MakeError(ErrorKind::kInvalid, std::string("field \"") + kDeviceFields[i] +
                                                  "\" must be \"ok\", \"missing\" or \"none\"");
        if (st) *DeviceField(r.devices, i) = *parsed;
      }
      break;
    default:
      break;
  }
  if (!st) return st.failure();
  return r;
}

std::string WriteEvent(const EndpointEvent& event) {
  json j = json::object();
  std::visit(EventWriter{j}, event.body);
  if (!event.reply_to.empty()) j["id"] = event.reply_to;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {
std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::string Str(const json& j, const char* obj, const char* key) {
  auto it = j.find(obj);
  return it != j.end() && it->is_object() ? Str(*it, key) : std::string();
}
int Int(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int>() : 0;
}
bool Bool(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}
}  // namespace

Expected<EndpointEvent> ParseEvent(std::string_view text) {
  json j = ParseJsonLimited(text);
  if (j.is_discarded() || !j.is_object())
    return MakeError(ErrorKind::kInvalid, "an event must be a JSON object");
  EndpointEvent e;
  if (auto id = j.find("id"); id != j.end() && id->is_string()) e.reply_to = id->get<std::string>();
  const std::string type = Str(j, "type");
  if (type == "welcome") {
    e.body = event::Welcome{Str(j, "site", "id"), Str(j, "site", "name")};
  } else if (type == "joined") {
    event::Joined joined{Str(j, "conference", "id"), Str(j, "conference", "title"),
                         Str(j, "participant")};
    if (auto st = ReadMcus(j, false, joined.mcus); !st) return st.failure();
    e.body = std::move(joined);
  } else if (type == "mcus") {
    event::Mcus m;
    if (auto st = ReadMcus(j, true, m.mcus); !st) return st.failure();
    e.body = std::move(m);
  } else if (type == "link") {
    event::Link l;
    if (auto st = ReadLinkSide(j, l.side); !st) return st.failure();
    e.body = std::move(l);
  } else if (type == "offer") {
    std::string sdp = Str(j, "sdp");
    if (sdp.empty() || sdp.size() > kMaxSdpLength)
      return MakeError(ErrorKind::kInvalid, "an offer needs an sdp of at most 32 KiB");
    e.body = event::Offer{std::move(sdp)};
  } else if (type == "left") {
    e.body = event::Left{Str(j, "conference"), Str(j, "reason")};
  } else if (type == "error") {
    e.body = event::Error{ErrorCodeFromString(Str(j, "code")), Str(j, "message")};
  } else if (type == "roster") {
    event::Roster r{Str(j, "conference"), {}};
    if (auto list = j.find("participants"); list != j.end() && list->is_array())
      for (const auto& p : *list)
        if (p.is_object())
          r.participants.push_back(
              {Str(p, "id"), Str(p, "site"), Str(p, "name"),
               ParseMediaStatus(Str(p, "media")).value_or(MediaStatus::kConnecting)});
    if (auto v = j.find("viewers"); v != j.end() && v->is_number_unsigned())
      r.viewers = v->get<size_t>();
    e.body = std::move(r);
  } else if (type == "media") {
    e.body = event::MediaState{ParseMediaStatus(Str(j, "state")).value_or(MediaStatus::kFailed),
                               Str(j, "detail")};
  } else if (type == "stats") {
    auto it = j.find("stats");
    e.body = event::Stats{it != j.end() ? StatsFromJson(*it) : EndpointStats{}};
  } else if (type == "pong") {
    e.body = event::Pong{};
  } else if (type == "layout") {
    e.body = event::Layout{Int(j, "tiles"), Int(j, "sendWidth"), Int(j, "sendHeight")};
  } else if (type == "call") {
    e.body = event::Call{Str(j, "conference", "id"), Str(j, "conference", "title")};
  } else if (type == "speaker") {
    e.body =
        event::Speaker{Str(j, "conference"), Str(j, "participant"), Str(j, "site"), Str(j, "name")};
  } else if (type == "muted") {
    e.body = event::Muted{Bool(j, "audio"), Bool(j, "video")};
  } else if (type == "standby") {
    event::Standby standby;
    if (auto n = j.find("next"); n != j.end() && n->is_object()) {
      auto num = [&](const char* key) -> int64_t {
        auto it = n->find(key);
        return it != n->end() && it->is_number_integer() ? it->get<int64_t>() : 0;
      };
      standby.next =
          event::Standby::Next{Str(*n, "conference", "id"), Str(*n, "conference", "title"),
                               num("startsAt"), num("endsAt"), Bool(*n, "open")};
    }
    e.body = std::move(standby);
  } else {
    return MakeError(ErrorKind::kInvalid, "unknown event type \"" + type.substr(0, 32) + "\"");
  }
  return e;
}

std::string WriteRequest(const EndpointRequest& r) {
  json j = json::object();
  for (const auto& [n, t] : kTypes)
    if (t == r.type) j["type"] = n;
  if (!r.id.empty()) j["id"] = r.id;
  using T = EndpointRequest::Type;
  switch (r.type) {
    case T::kAuth:
      j["token"] = r.token;
      if (r.content) j["role"] = "content";
      break;
    case T::kJoin:
      j["conference"] = r.conference;
      if (r.max_bitrate_kbps) j["maxBitrateKbps"] = r.max_bitrate_kbps;
      if (!r.mcus.empty()) j["mcus"] = r.mcus;
      if (!r.link_role.empty()) j["role"] = r.link_role;
      break;
    case T::kMcus:
      j["mcus"] = r.mcus;
      break;
    case T::kLink: {
      std::string type = j["type"];
      j = LinkSideJson(r.link);
      j["type"] = type;
      if (!r.id.empty()) j["id"] = r.id;
      break;
    }
    case T::kAnswer:
      j["sdp"] = r.sdp;
      break;
    case T::kCandidate:
      j["candidate"] = r.candidate;
      j["sdpMLineIndex"] = 0;
      break;
    case T::kDevices: {
      DeviceStates d = r.devices;
      for (int i = 0; i < 3; ++i) j[kDeviceFields[i]] = ToString(*DeviceField(d, i));
      break;
    }
    default:
      break;
  }
  return j.dump();
}

}  // namespace mcu::signaling
