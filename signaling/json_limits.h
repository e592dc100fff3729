// Outside JSON (REST bodies, endpoint protocol messages, a far MCU's events) parsed with a
// nesting limit. nlohmann's parser is iterative, but a copy, dump() or comparison of the result
// recurses once per level: a document nested tens of thousands deep, which fits in one request,
// would exhaust a thread's stack later. Deeper than kMaxJsonDepth is refused at the parse, for
// the same price as reading it. Pure; any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

namespace mcu::signaling {

// No message of the protocol or the REST API nests deeper than a few levels.
inline constexpr int kMaxJsonDepth = 32;

// The document, or a discarded value (is_discarded()) when it is not JSON or nests deeper than
// `max_depth`; `too_deep`, if given, says which.
inline nlohmann::json ParseJsonLimited(std::string_view text, int max_depth = kMaxJsonDepth,
                                       bool* too_deep = nullptr) {
  bool deep = false;
  nlohmann::json::parser_callback_t limit = [&](int depth, nlohmann::json::parse_event_t,
                                                nlohmann::json&) {
    if (depth > max_depth) deep = true;
    return !deep;  // Deeper values are dropped as they are read, never built.
  };
  nlohmann::json j = nlohmann::json::parse(text, limit, /*allow_exceptions=*/false);
  if (too_deep) *too_deep = deep;
  if (deep) return nlohmann::json(nlohmann::json::value_t::discarded);
  return j;
}

}  // namespace mcu::signaling
