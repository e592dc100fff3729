// The REST API's routes as a table: method, path under /api/v1, the least role, and the handler.
// signaling/rest_api.cpp runs the one preamble (probes, login, session or API token, CSRF, body)
// and then the route whose method and path match; the OpenAPI test (tests/unit/openapi_test.cpp)
// checks signaling/openapi.yaml against this table.
//
// Threading: handlers run on the API thread (`mcu-api`) and reach the domain only through the
// control port.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "mcu/control_api.h"
#include "signaling/rest_api.h"

namespace mcu::signaling::rest {

// What a handler is given.
struct RouteContext {
  const RestRequest& req;
  const std::string& path;
  const std::string& query;
  const nlohmann::json& body;
  // Null only for a route that needs no login, or a viewer_link route called without one.
  const Principal* who;
  const std::string& session;       // The session cookie's value, if any.
  std::vector<std::string> params;  // The path's {...} values, in order.
  ConferenceControl& control;
  const CertificateProbe& probe;  // Empty: POST /links/probe answers 503.
  const std::string& actor() const { return who->login; }
};

struct Route {
  const char* method;
  // Under /api/v1. "{tokenId}" is a number; "{streamFile}" a file name (an id, a dot, 1-8 of a-z
  // and 0-9); any other {name} is an id (1-64 of a-z, 0-9, - and _, starting with a letter or
  // digit).
  const char* path;
  std::optional<Role> min_role;  // nullopt: no login needed (the login itself).
  RestResponse (*handle)(RouteContext&);
  // A GET that a live stream's viewer link may read without a login: the handler is called with
  // no principal (RouteContext::who null) and checks the link itself.
  bool viewer_link = false;
};

const std::vector<Route>& Routes();

// The client's address without its port ("192.0.2.9:50000" -> "192.0.2.9"; an IPv6 address
// keeps its colons but the last): what login throttling counts by.
std::string ClientAddress(const std::string& remote);

}  // namespace mcu::signaling::rest
