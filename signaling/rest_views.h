// The REST API's wire format (signaling/rest_api.h): replies and errors, the JSON of each
// record, CSV of call records, and the readers of request fields, cookies and queries. Pure
// functions over plain values; any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "mcu/control_api.h"
#include "signaling/rest_api.h"

namespace mcu::signaling::rest {

using nlohmann::json;

// The session cookie's name.
inline constexpr const char* kCookie = "mcu_session";

RestResponse Reply(int status, const json& body);
// A raw JSON text made elsewhere (the bridge's statistics).
RestResponse ReplyText(int status, std::string body, std::string content_type = "application/json");
RestResponse Fail(int status, const std::string& message);
RestResponse Done();
// The one table from a domain error's kind to an HTTP status (an internal error is a 500).
int HttpStatus(ErrorKind kind);
template <typename T>
RestResponse FromStatus(const Expected<T>& st) {
  if (st) return Done();
  return Fail(HttpStatus(st.error_kind()), st.error());
}

std::string CookieValue(const std::string& header, const std::string& name);
std::string QueryValue(const std::string& query, const std::string& name);
// A whole-number query value in [lo, hi]: `fallback` if absent or not a number, hi if huge.
int QueryInt(const std::string& query, const char* name, int fallback, int lo, int hi);
// `limit`: 1-1000, 100 if absent.
inline int QueryLimit(const std::string& query) { return QueryInt(query, "limit", 100, 1, 1000); }
// Compares in constant time (CSRF tokens).
bool SafeEquals(const std::string& a, const std::string& b);

json CallRecordJson(const CallRecordRow& r);
// RFC 4180, formula-safe.
std::string CsvField(std::string v);
std::string CallRecordsCsv(const std::vector<CallRecordRow>& records);
json SiteJson(const SiteRow& s);
// A site's presence: `online` and `conference` (the one it is in, or null).
json WithPresence(json site, const std::map<std::string, std::string>& presence);
// The effective configuration without secrets.
json SettingsJson(const Config& c);
json UserJson(const UserRow& u);
json ConferenceJson(const ConferenceRow& c);
// A room's devices: {camera, microphone, speaker}, each "ok", "missing" or "none".
json DevicesJson(const DeviceStates& d);
json LiveSiteJson(const LiveSite& s);
// A roll-call entry's link (LiveSite::Link), as the roll-call shows it.
json LiveLinkJson(const LiveSite::Link& l);
json LiveJson(const LiveConference& c);
// The recording running ({file, startedBy, since, durationMs, width, height}), or null.
json RecordingJson(const LiveConference& c);
json StreamJson(const LiveConference& c);
// A stored recording (GET /recordings).
json RecordingRowJson(const RecordingRow& r);
// Reads the optional string field `key` of `body` into `out`; false (and `error`) if mistyped.
bool ReadString(const json& body, const char* key, std::string& out, std::string& error,
                size_t max = 200);
// A conference from its JSON, over `base` (the stored row on update).
Expected<ConferenceRow> ParseConference(const json& body, ConferenceRow base);

}  // namespace mcu::signaling::rest
