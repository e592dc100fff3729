#include "mcu/config.h"

#include <toml++/toml.h>

#include <cmath>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "mcu/default_config.h"  // Generated from configs/default.toml.
#include "mcu/sip_site.h"

namespace mcu {
namespace {

class Reader {
 public:
  Reader(const toml::table& t, std::string path) : t_(t), path_(std::move(path)) {}

  template <typename T>
  void Get(const char* key, T& out) {
    seen_.insert(key);
    const toml::node* n = t_.get(key);
    if (!n) return;
    if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = n->value<std::string>())
        out = *v;
      else
        Fail(key, "must be a string");
    } else if constexpr (std::is_same_v<T, bool>) {
      if (auto v = n->value<bool>())
        out = *v;
      else
        Fail(key, "must be true or false");
    } else if constexpr (std::is_floating_point_v<T>) {
      // TOML has nan and inf; no setting means either (a rate of inf or nan never limits).
      if (auto v = n->value<double>(); v && std::isfinite(*v))
        out = static_cast<T>(*v);
      else
        Fail(key, "must be a finite number");
    } else {
      // value_exact: a float is not converted (toml++ would cast 1e308 to an integer, undefined).
      auto v = n->value_exact<int64_t>();
      if (!v)
        Fail(key, "must be an integer");
      else if (*v < 0 || uint64_t(*v) > uint64_t(std::numeric_limits<T>::max()))
        Fail(key, "is out of range");
      else
        out = static_cast<T>(*v);
    }
  }
  void GetStrings(const char* key, std::vector<std::string>& out) {
    seen_.insert(key);
    const toml::node* n = t_.get(key);
    if (!n) return;
    const toml::array* a = n->as_array();
    if (!a) return Fail(key, "must be an array of strings");
    out.clear();
    for (const auto& e : *a) {
      if (auto v = e.value<std::string>())
        out.push_back(*v);
      else
        return Fail(key, "must be an array of strings");
    }
  }
  void Fail(const std::string& key, const std::string& what) {
    if (error_.empty()) error_ = path_ + key + " " + what;
  }
  // Unknown keys are errors: a misspelt setting must not pass silently.
  void CheckUnknown() {
    for (const auto& [k, v] : t_) {
      if (!seen_.count(std::string(k.str()))) Fail(std::string(k.str()), "is not a known setting");
    }
  }
  const std::string& error() const { return error_; }

 private:
  const toml::table& t_;
  std::string path_;
  std::set<std::string> seen_;
  std::string error_;
};

const toml::table* SubTable(const toml::table& root, const char* key, std::string& error) {
  const toml::node* n = root.get(key);
  if (!n) return nullptr;
  if (!n->as_table()) error = std::string(key) + " must be a table";
  return n->as_table();
}

}  // namespace

const std::string& DefaultConfigToml() {
  static const std::string text = kDefaultConfigToml;
  return text;
}

Expected<Config> ParseConfig(const std::string& text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source << ":" << e.source().begin.line << ": " << e.description();
    return MakeError(ErrorKind::kInvalid, msg.str());
  }
  Config c;
  std::string error;
  auto check = [&](Reader& r) {
    r.CheckUnknown();
    if (error.empty() && !r.error().empty()) error = r.error();
  };
  std::set<std::string> known = {"server", "schedule",    "alarms", "media", "limits",
                                 "auth",   "sip",         "log",    "sites", "recording",
                                 "stream", "conferences", "users"};
  for (const auto& [k, v] : root)
    if (!known.count(std::string(k.str())))
      return MakeError(ErrorKind::kInvalid,
                       source + ": " + std::string(k.str()) + " is not a known section");

  if (auto* t = SubTable(root, "server", error)) {
    Reader r(*t, "server.");
    r.Get("listen", c.server.listen);
    r.Get("port", c.server.port);
    r.Get("data_dir", c.server.data_dir);
    r.Get("tls_cert", c.server.tls_cert);
    r.Get("tls_key", c.server.tls_key);
    r.Get("web_root", c.server.web_root);
    r.Get("public_name", c.server.public_name);
    r.Get("time_zone", c.server.time_zone);
    check(r);
  }
  if (auto* t = SubTable(root, "schedule", error)) {
    Reader r(*t, "schedule.");
    r.Get("grace_s", c.schedule.grace_s);
    r.Get("call_retry_s", c.schedule.call_retry_s);
    check(r);
  }
  if (auto* t = SubTable(root, "recording", error)) {
    Reader r(*t, "recording.");
    r.Get("directory", c.recording.directory);
    r.Get("retention_days", c.recording.retention_days);
    r.Get("min_free_mb", c.recording.min_free_mb);
    r.Get("classified", c.recording.classified);
    r.Get("key_file", c.recording.key_file);
    r.Get("format", c.recording.format);
    check(r);
  }
  if (auto* t = SubTable(root, "stream", error)) {
    Reader r(*t, "stream.");
    r.Get("format", c.stream.format);
    r.Get("rtmp_url", c.stream.rtmp_url);
    check(r);
  }
  if (auto* t = SubTable(root, "alarms", error)) {
    Reader r(*t, "alarms.");
    r.Get("loss_warning_pct", c.alarms.loss_warning_pct);
    r.Get("loss_critical_pct", c.alarms.loss_critical_pct);
    r.Get("no_media_s", c.alarms.no_media_s);
    r.Get("rtt_ms", c.alarms.rtt_ms);
    r.Get("clear_after_s", c.alarms.clear_after_s);
    check(r);
  }
  if (auto* t = SubTable(root, "media", error)) {
    Reader r(*t, "media.");
    r.GetStrings("ice_addresses", c.media.ice_addresses);
    r.Get("port_min", c.media.port_min);
    r.Get("port_max", c.media.port_max);
    r.Get("max_decode_width", c.media.max_decode_width);
    r.Get("max_decode_height", c.media.max_decode_height);
    check(r);
  }
  if (auto* t = SubTable(root, "limits", error)) {
    Reader r(*t, "limits.");
    r.Get("max_message_bytes", c.limits.max_message_bytes);
    r.Get("messages_per_second", c.limits.messages_per_second);
    r.Get("message_burst", c.limits.message_burst);
    r.Get("max_connections", c.limits.max_connections);
    r.Get("max_connections_per_address", c.limits.max_connections_per_address);
    r.Get("reserved_site_connections", c.limits.reserved_site_connections);
    r.Get("auth_timeout_s", c.limits.auth_timeout_s);
    r.Get("max_participants", c.limits.max_participants);
    r.Get("handshake_timeout_s", c.limits.handshake_timeout_s);
    r.Get("idle_timeout_s", c.limits.idle_timeout_s);
    check(r);
  }
  if (auto* t = SubTable(root, "auth", error)) {
    Reader r(*t, "auth.");
    r.Get("token_days", c.auth.token_days);
    r.Get("token_max_days", c.auth.token_max_days);
    r.Get("session_idle_minutes", c.auth.session_idle_minutes);
    r.Get("login_attempts_per_minute", c.auth.login_attempts_per_minute);
    check(r);
  }
  if (auto* t = SubTable(root, "sip", error)) {
    Reader r(*t, "sip.");
    r.Get("listen", c.sip.listen);
    r.Get("tls_port", c.sip.tls_port);
    r.Get("tcp_port", c.sip.tcp_port);
    r.Get("udp_port", c.sip.udp_port);
    r.Get("max_calls", c.sip.max_calls);
    r.Get("requests_per_second", c.sip.requests_per_second);
    r.Get("request_burst", c.sip.request_burst);
    r.Get("address", c.sip.address);
    r.Get("ring_timeout_s", c.sip.ring_timeout_s);
    r.Get("media_timeout_s", c.sip.media_timeout_s);
    r.Get("connection_idle_s", c.sip.connection_idle_s);
    check(r);
  }
  if (auto* t = SubTable(root, "log", error)) {
    Reader r(*t, "log.");
    r.Get("level", c.log.level);
    r.Get("json", c.log.json);
    check(r);
  }
  auto array_of_tables = [&](const char* key, auto&& each) {
    const toml::node* n = root.get(key);
    if (!n) return;
    const toml::array* a = n->as_array();
    if (!a) {
      error = std::string(key) + " must be an array of tables ([[" + key + "]])";
      return;
    }
    size_t i = 0;
    for (const auto& e : *a) {
      const toml::table* t = e.as_table();
      if (!t) {
        error = std::string(key) + " must be an array of tables";
        return;
      }
      Reader r(*t, std::string(key) + "[" + std::to_string(i++) + "].");
      each(r);
      check(r);
    }
  };
  array_of_tables("sites", [&](Reader& r) {
    SiteConfig s;
    r.Get("id", s.id);
    r.Get("name", s.name);
    r.Get("level", s.level);
    r.Get("token_hash", s.token_hash);
    r.Get("network", s.network);
    r.Get("bandwidth_kbps", s.bandwidth_kbps);
    r.Get("kind", s.kind);
    r.Get("link_url", s.link.url);
    r.Get("link_conference", s.link.conference);
    r.Get("link_credential", s.link.credential);
    r.Get("link_fingerprint", s.link.fingerprint);
    r.Get("link_max_kbps", s.link.max_kbps);
    r.Get("link_role", s.link.role);
    r.Get("sip_uri", s.sip_uri);
    r.Get("sip_dial", s.sip_dial);
    r.Get("sip_plain_signalling", s.sip_plain);
    c.sites.push_back(s);
  });
  array_of_tables("conferences", [&](Reader& r) {
    ConferenceConfig cc;
    r.Get("id", cc.id);
    r.Get("title", cc.title);
    r.Get("mode", cc.mode);
    r.GetStrings("invited", cc.invited);
    r.Get("host", cc.host);
    r.Get("layout", cc.layout);
    r.Get("classified", cc.classified);
    c.conferences.push_back(cc);
  });
  array_of_tables("users", [&](Reader& r) {
    UserConfig u;
    r.Get("login", u.login);
    r.Get("name", u.name);
    r.Get("role", u.role);
    r.Get("password_hash", u.password_hash);
    c.users.push_back(u);
  });
  if (!error.empty()) return MakeError(ErrorKind::kInvalid, source + ": " + error);

  // Semantic checks.
  auto fail = [&](const std::string& m) {
    return MakeError(ErrorKind::kInvalid, source + ": " + m);
  };
  if (c.server.port == 0) return fail("server.port must not be 0");
  if (c.media.max_decode_width < 320 || c.media.max_decode_width > 4096 ||
      c.media.max_decode_height < 180 || c.media.max_decode_height > 4096)
    return fail("media.max_decode_width must be 320..4096 and max_decode_height 180..4096");
  if ((c.media.port_min == 0) != (c.media.port_max == 0) || c.media.port_min > c.media.port_max)
    return fail("media.port_min and media.port_max must both be set, min <= max");
  if (c.limits.max_message_bytes < 1024 || c.limits.max_message_bytes > (16u << 20))
    return fail("limits.max_message_bytes must be between 1024 and 16777216");
  if (!(c.limits.messages_per_second > 0) || !(c.limits.message_burst >= 1))  // Also NaN.
    return fail("limits.messages_per_second and limits.message_burst must be positive");
  if (c.limits.max_participants < 1 || c.limits.max_participants > 256)
    return fail("limits.max_participants must be between 1 and 256");
  if (c.limits.max_connections < 1) return fail("limits.max_connections must be at least 1");
  if (c.limits.max_connections_per_address > c.limits.max_connections)
    return fail("limits.max_connections_per_address must not exceed limits.max_connections");
  if (c.limits.reserved_site_connections >= c.limits.max_connections)
    return fail("limits.reserved_site_connections must be below limits.max_connections");
  if (c.limits.auth_timeout_s < 1 || c.limits.auth_timeout_s > 300)
    return fail("limits.auth_timeout_s must be between 1 and 300");
  if (c.auth.token_max_days < 1 || c.auth.token_max_days > 3650)
    return fail("auth.token_max_days must be between 1 and 3650");
  if (c.auth.token_days < 1 || c.auth.token_days > c.auth.token_max_days)
    return fail("auth.token_days must be between 1 and auth.token_max_days");
  // The absolute limit is 12 hours: a longer idle timeout would never apply.
  if (c.auth.session_idle_minutes < 1 || c.auth.session_idle_minutes > 720)
    return fail("auth.session_idle_minutes must be between 1 and 720");
  if (c.auth.login_attempts_per_minute < 1 || c.auth.login_attempts_per_minute > 1000)
    return fail("auth.login_attempts_per_minute must be between 1 and 1000");
  if (c.sip.ring_timeout_s < 5 || c.sip.ring_timeout_s > 300)
    return fail("sip.ring_timeout_s must be between 5 and 300");
  if (c.sip.media_timeout_s < 3 || c.sip.media_timeout_s > 600)
    return fail("sip.media_timeout_s must be between 3 and 600");
  if (c.sip.connection_idle_s < 2 || c.sip.connection_idle_s > 3600)
    return fail("sip.connection_idle_s must be between 2 and 3600");
  static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error"};
  if (!levels.count(c.log.level))
    return fail("log.level must be one of trace, debug, info, warn, error");
  static const std::regex id_re("^[a-z0-9][a-z0-9_-]{0,63}$");
  static const std::regex hash_re("^sha256:[0-9a-f]{64}$");
  static const std::set<std::string> site_levels = {"central", "province", "district", "other"};
  std::set<std::string> ids;
  for (size_t i = 0; i < c.sites.size(); ++i) {
    auto& s = c.sites[i];
    std::string at = "sites[" + std::to_string(i) + "]";
    if (!std::regex_match(s.id, id_re))
      return fail(at + ".id must be lower-case letters, digits, - or _");
    if (!ids.insert(s.id).second) return fail(at + ".id '" + s.id + "' is used twice");
    if (s.name.empty()) return fail(at + ".name is required");
    if (!site_levels.count(s.level))
      return fail(at + ".level must be central, province, district or other");
    if (s.kind != "room" && s.kind != "cascade" && s.kind != "sip")
      return fail(at + ".kind must be room, cascade or sip");
    if ((s.kind == "sip") != !s.sip_uri.empty())
      return fail(at + ": a site of kind sip, and only it, has a sip_uri");
    if (s.kind == "sip") {
      if (auto uri = ParseSipUri(s.sip_uri); !uri || uri->user.empty())
        return fail(at + ".sip_uri must be sip:user@host (" +
                    (uri ? std::string("no user part") : uri.error()) + ")");
    }
    if (s.link.dials() || !s.link.credential.empty() || !s.link.fingerprint.empty()) {
      if (s.kind != "cascade") return fail(at + ": only a site of kind cascade has link_* keys");
      auto pin = ValidateLinkTarget(s.link);
      if (!pin) return fail(at + ": " + pin.error());
      s.link.fingerprint = *pin;
    }
    if (!s.link.role.empty()) {
      if (s.kind != "cascade") return fail(at + ": only a site of kind cascade has link_* keys");
      if (auto st = ValidateLinkRole(s.link.role); !st) return fail(at + ": " + st.error());
    }
    // A link this MCU dials needs no token: nobody connects to this MCU with it; nor does a SIP
    // site, known by its address.
    const bool tokenless = s.link.dials() || s.kind == "sip";
    if (!(tokenless && s.token_hash.empty()) && !std::regex_match(s.token_hash, hash_re))
      return fail(at + ".token_hash must be sha256:<64 hex digits> (see `mcu hash-token`)");
  }
  std::set<std::string> conf_ids;
  for (size_t i = 0; i < c.conferences.size(); ++i) {
    const auto& cc = c.conferences[i];
    std::string at = "conferences[" + std::to_string(i) + "]";
    if (!std::regex_match(cc.id, id_re))
      return fail(at + ".id must be lower-case letters, digits, - or _");
    if (!conf_ids.insert(cc.id).second) return fail(at + ".id '" + cc.id + "' is used twice");
    if (cc.mode != "echo" && cc.mode != "mix") return fail(at + ".mode must be echo or mix");
    for (const auto& site : cc.invited)
      if (!ids.count(site)) return fail(at + ".invited names no site '" + site + "'");
    if (!cc.host.empty() && !ids.count(cc.host))
      return fail(at + ".host names no site '" + cc.host + "'");
    static const std::set<std::string> layouts = {"grid", "speaker", "single", "presenter"};
    if (!layouts.count(cc.layout))
      return fail(at + ".layout must be grid, speaker, single or presenter");
  }
  std::set<std::string> logins;
  for (size_t i = 0; i < c.users.size(); ++i) {
    const auto& u = c.users[i];
    std::string at = "users[" + std::to_string(i) + "]";
    if (!std::regex_match(u.login, id_re))
      return fail(at + ".login must be lower-case letters, digits, - or _");
    if (!logins.insert(u.login).second) return fail(at + ".login '" + u.login + "' is used twice");
    if (u.role != "admin" && u.role != "host" && u.role != "technician")
      return fail(at + ".role must be admin, host or technician");
    if (u.password_hash.rfind("$argon2id$", 0) != 0)
      return fail(at + ".password_hash must be an Argon2id hash (see `mcu hash-password`)");
  }
  if (c.schedule.grace_s > 86400) return fail("schedule.grace_s must be at most 86400");
  if (c.schedule.call_retry_s < 1 || c.schedule.call_retry_s > 3600)
    return fail("schedule.call_retry_s must be between 1 and 3600");
  if (c.recording.retention_days < 0 || c.recording.retention_days > 36500)
    return fail("recording.retention_days must be between 0 (kept) and 36500");
  if (c.recording.min_free_mb < 0 || c.recording.min_free_mb > 100'000'000)
    return fail("recording.min_free_mb must be between 0 and 100000000");
  if (!c.recording.directory.empty() && c.recording.directory.front() != '/')
    return fail("recording.directory must be an absolute path");
  if (!c.recording.key_file.empty() && c.recording.key_file.front() != '/')
    return fail("recording.key_file must be an absolute path");
  if (c.recording.format != "webm" && c.recording.format != "mp4")
    return fail("recording.format must be \"webm\" or \"mp4\"");
  if (c.stream.format != "webm" && c.stream.format != "ts")
    return fail("stream.format must be \"webm\" or \"ts\"");
  if (const std::string& u = c.stream.rtmp_url;
      !u.empty() && ((!u.starts_with("rtmp://") && !u.starts_with("rtmps://")) || u.size() > 2048 ||
                     u.find_first_of(" \t\r\n\"'") != std::string::npos))
    return fail("stream.rtmp_url must be empty or an rtmp:// or rtmps:// URL");
  const auto& a = c.alarms;
  // Written so that nan fails too.
  if (!(a.loss_warning_pct > 0 && a.loss_warning_pct <= 100))
    return fail("alarms.loss_warning_pct must be above 0 and at most 100");
  if (!(a.loss_critical_pct >= a.loss_warning_pct && a.loss_critical_pct <= 100))
    return fail(
        "alarms.loss_critical_pct must be at least alarms.loss_warning_pct and at most 100");
  if (a.no_media_s < 1 || a.no_media_s > 3600)
    return fail("alarms.no_media_s must be between 1 and 3600");
  if (!(a.rtt_ms > 0 && a.rtt_ms <= 10000))
    return fail("alarms.rtt_ms must be above 0 and at most 10000");
  if (a.clear_after_s < 1 || a.clear_after_s > 3600)
    return fail("alarms.clear_after_s must be between 1 and 3600");
  return c;
}

Expected<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return MakeError(ErrorKind::kInvalid, "cannot read config file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str(), path);
}

}  // namespace mcu
