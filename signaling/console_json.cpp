#include "signaling/console_json.h"

#include <nlohmann/json.hpp>

#include "signaling/rest_views.h"

namespace mcu::signaling {

namespace {

using nlohmann::json;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::string ToJson(const ConsoleEvent& event) {
  return std::visit(
      Overloaded{
          [](const console::SiteState& e) {
            return Dump({{"type", "site"}, {"site", e.site}, {"state", ToString(e.state)}});
          },
          [](const console::SiteDevices& e) {
            return Dump(
                {{"type", "devices"}, {"site", e.site}, {"devices", rest::DevicesJson(e.devices)}});
          },
          [](const console::ConferenceState& e) {
            return Dump({{"type", "conference"},
                         {"conference", e.conference},
                         {"state", ToString(e.state)}});
          },
          [](const console::Roster& e) {
            json list = json::array();
            for (const auto& p : e.participants)
              list.push_back({{"id", p.participant},
                              {"site", p.site},
                              {"name", p.name},
                              {"media", ToString(p.media)},
                              {"content", p.content}});
            return Dump({{"type", "roster"},
                         {"conference", e.conference},
                         {"participants", list},
                         {"viewers", e.viewers}});
          },
          [](const console::Speaker& e) {
            return Dump({{"type", "speaker"}, {"conference", e.conference}, {"site", e.site}});
          },
          [](const console::Layout& e) {
            return Dump({{"type", "layout"},
                         {"conference", e.conference},
                         {"layout", e.layout},
                         {"spotlight", e.spotlight}});
          },
          [](const console::Control& e) {
            // A detail that is not JSON (never written by the domain) is shown as null.
            json detail = json::parse(e.detail_json, nullptr, false);
            if (detail.is_discarded()) detail = nullptr;
            return Dump({{"type", "control"},
                         {"actor", e.actor},
                         {"action", e.action},
                         {"target", e.target},
                         {"detail", detail}});
          },
          [](const console::LinkChanged& e) {
            return Dump({{"type", "link"},
                         {"conference", e.conference},
                         {"site", e.site},
                         {"mutedAudio", e.audio},
                         {"mutedVideo", e.video}});
          },
          [](const console::Alarm& e) {
            return Dump({{"type", "alarm"},
                         {"state", e.state},
                         {"conference", e.conference},
                         {"site", e.site},
                         {"kind", e.kind},
                         {"severity", e.severity},
                         {"detail", e.detail},
                         {"sinceMs", e.since_ms},
                         {"clearedMs", e.cleared_ms}});
          },
          [](const console::SipRequest& e) {
            return Dump({{"type", "sip"},
                         {"conference", e.conference},
                         {"site", e.site},
                         {"method", e.method},
                         {"offer", e.offer},
                         {"refresh", e.refresh},
                         {"detail", e.detail}});
          },
          [](const console::Stats& e) {
            // The monitor's object with its type; not parsed again (it is made every second).
            if (e.json.size() < 2 || e.json.front() != '{') return Dump({{"type", "stats"}});
            return std::string("{\"type\":\"stats\"") + (e.json == "{}" ? "" : ",") +
                   e.json.substr(1);
          },
      },
      event);
}

}  // namespace mcu::signaling
