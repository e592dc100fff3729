// Specs of signaling/openapi.yaml against the REST route table (signaling/rest_routes.h): the
// description lists exactly the routes the code serves (method and path, ids as {param}), each
// with the least role the table states, and every $ref points at a defined component. The YAML
// is read by its indentation, no YAML library.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "signaling/rest_routes.h"
#include "test_util.h"

namespace mcu {
namespace {

// MCU_TEST_FIXTURES is <repo>/tests/fixtures.
std::filesystem::path RepoRoot() { return test::FixtureDir().parent_path().parent_path(); }

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

// "/sites/{siteId}/token" -> "/sites/{param}/token".
std::string NormaliseParams(const std::string& path) {
  static const std::regex param(R"(\{[A-Za-z0-9_]+\})");
  return std::regex_replace(path, param, "{param}");
}

// "METHOD /path" -> least role ("none", "technician", "host", "admin"), from the route table.
std::map<std::string, std::string> CodeRoutes() {
  std::map<std::string, std::string> routes;
  for (const auto& r : signaling::rest::Routes())
    routes[std::string(r.method) + " " + NormaliseParams(r.path)] =
        r.min_role ? ToString(*r.min_role) : "none";
  return routes;
}

// "METHOD /path" -> x-min-role ("" if absent), from the YAML's `paths:` section.
std::map<std::string, std::string> YamlOperations(const std::string& yaml) {
  std::map<std::string, std::string> ops;
  static const std::regex path_key(R"(^  (/[^:\s]*):\s*$)");
  static const std::regex method_key(R"(^    (get|put|post|delete|patch|head|options|trace):\s*$)");
  static const std::regex min_role(R"(^      x-min-role:\s*(\S+)\s*$)");
  bool in_paths = false;
  std::string path, op;
  for (const auto& line : Lines(yaml)) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#') {
      in_paths = line.rfind("paths:", 0) == 0;
      continue;
    }
    if (!in_paths) continue;
    std::smatch m;
    if (std::regex_match(line, m, path_key)) {
      path = NormaliseParams(m[1]);
      op.clear();
    } else if (std::regex_match(line, m, method_key)) {
      std::string method = m[1];
      for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      op = method + " " + path;
      ops[op];
    } else if (!op.empty() && std::regex_match(line, m, min_role)) {
      ops[op] = m[1];
    } else if (line.rfind("    ", 0) != 0 && line.find_first_not_of(' ') != std::string::npos) {
      op.clear();  // Something else at the path's level.
    }
  }
  return ops;
}

class OpenApi : public ::testing::Test {
 protected:
  void SetUp() override {
    yaml_ = test::ReadFile(RepoRoot() / "signaling" / "openapi.yaml");
    ASSERT_FALSE(yaml_.empty());
  }
  std::string yaml_;
};

TEST_F(OpenApi, IsOpenApi303UnderApiV1) {
  EXPECT_EQ(yaml_.rfind("openapi: 3.0.3\n", 0), 0u);
  EXPECT_NE(yaml_.find("/api/v1"), std::string::npos);
  for (const char* scheme :
       {"cookieAuth:", "csrfToken:", "bearerAuth:", "name: mcu_session", "name: X-CSRF-Token"})
    EXPECT_NE(yaml_.find(scheme), std::string::npos) << scheme;
}

TEST_F(OpenApi, DescribesEveryRouteTheCodeServesAndNoOther) {
  auto code = CodeRoutes();
  auto yaml = YamlOperations(yaml_);
  ASSERT_GE(code.size(), 30u);
  ASSERT_EQ(code.count("POST /session"), 1u);
  ASSERT_EQ(code.count("DELETE /session"), 1u);
  ASSERT_EQ(code.count("POST /conferences/{param}/sites/{param}/kick"), 1u);
  ASSERT_EQ(code.count("DELETE /tokens/{param}"), 1u);
  for (const auto& [route, role] : code)
    EXPECT_EQ(yaml.count(route), 1u) << route << " is served but missing from openapi.yaml";
  for (const auto& [op, role] : yaml)
    EXPECT_EQ(code.count(op), 1u) << op << " is in openapi.yaml but not served";
}

TEST_F(OpenApi, StatesTheLeastRoleTheCodeChecks) {
  auto code = CodeRoutes();
  auto yaml = YamlOperations(yaml_);
  ASSERT_EQ(code["POST /session"], "none");
  ASSERT_EQ(code["GET /users"], "admin");
  ASSERT_EQ(code["PUT /conferences/{param}/lock"], "host");
  ASSERT_EQ(code["GET /audit"], "technician");
  for (const auto& [route, role] : code) {
    if (!yaml.count(route)) continue;  // Reported by the test above.
    EXPECT_EQ(yaml[route], role) << "x-min-role of " << route;
  }
}

TEST_F(OpenApi, EveryReferenceIsDefined) {
  std::set<std::string> defined;
  bool in_components = false;
  std::string section;
  static const std::regex section_key(R"(^  ([A-Za-z]+):\s*$)");
  static const std::regex name_key(R"(^    ([A-Za-z0-9_.-]+):)");
  for (const auto& line : Lines(yaml_)) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#')
      in_components = line.rfind("components:", 0) == 0;
    if (!in_components) continue;
    std::smatch m;
    if (std::regex_match(line, m, section_key))
      section = m[1];
    else if (std::regex_search(line, m, name_key))
      defined.insert("#/components/" + section + "/" + m[1].str());
  }
  static const std::regex ref(R"re(\$ref:\s*"([^"]+)")re");
  int refs = 0;
  for (std::sregex_iterator it(yaml_.begin(), yaml_.end(), ref), end; it != end; ++it, ++refs)
    EXPECT_EQ(defined.count((*it)[1].str()), 1u) << "undefined $ref " << (*it)[1];
  EXPECT_GT(refs, 50);
}

}  // namespace
}  // namespace mcu
