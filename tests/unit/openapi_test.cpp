// Specs of signaling/openapi.yaml against signaling/rest_api.cpp: the description lists exactly
// the routes the code serves (method and path, ids as {param}), each with the least role the
// code checks, and every $ref points at a defined component. Text scans only (the code's
// match("METHOD", "/path" + id + ...) calls and the YAML's indentation), no YAML library.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

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

// The regex of one route, from the C++ expression that follows `match("METHOD", ` (string
// literals and identifiers joined by +, up to the closing parenthesis), with every identifier
// (the id group) and every capturing id group of a literal as {param}; alternations such as
// "/(start|stop)" expand to one path each. Empty (and a test failure) if it is not understood.
std::vector<std::string> RoutePaths(const std::string& line, size_t pos) {
  std::string pattern;
  while (true) {
    while (pos < line.size() && line[pos] == ' ') ++pos;
    if (pos < line.size() && line[pos] == '"') {
      size_t end = line.find('"', pos + 1);
      if (end == std::string::npos) break;
      pattern += line.substr(pos + 1, end - pos - 1);
      pos = end + 1;
    } else if (pos < line.size() &&
               (std::isalpha(static_cast<unsigned char>(line[pos])) || line[pos] == '_')) {
      while (pos < line.size() &&
             (std::isalnum(static_cast<unsigned char>(line[pos])) || line[pos] == '_'))
        ++pos;
      pattern += "{param}";
    } else {
      break;
    }
    while (pos < line.size() && line[pos] == ' ') ++pos;
    if (pos < line.size() && line[pos] == '+') {
      ++pos;
      continue;
    }
    break;
  }
  // Literal capturing groups of ids, e.g. the token id "([0-9]{1,18})".
  pattern = std::regex_replace(pattern, std::regex(R"(\(\[0-9\]\{1,\d+\}\))"), "{param}");
  std::vector<std::string> paths{pattern};
  static const std::regex alternation(R"(\(([a-z-]+(\|[a-z-]+)+)\))");
  for (bool again = true; again;) {
    again = false;
    std::vector<std::string> next;
    for (const auto& p : paths) {
      std::smatch m;
      if (!std::regex_search(p, m, alternation)) {
        next.push_back(p);
        continue;
      }
      again = true;
      std::stringstream choices(m[1].str());
      for (std::string choice; std::getline(choices, choice, '|');)
        next.push_back(m.prefix().str() + choice + m.suffix().str());
    }
    paths = std::move(next);
  }
  for (const auto& p : paths) {
    bool plain = !p.empty() && p[0] == '/' && p.find_first_of("()[]|*+?^$\\") == std::string::npos;
    EXPECT_TRUE(plain) << "route pattern not understood by this test: " << p << "\n  in: " << line;
    if (!plain) return {};
  }
  return paths;
}

// "METHOD /path" -> least role ("none", "technician", "host", "admin"), from rest_api.cpp.
std::map<std::string, std::string> CodeRoutes(const std::string& source) {
  std::map<std::string, std::string> routes;
  std::vector<std::string> lines = Lines(source);
  static const std::regex method_eq(R"re(req\.method == "([A-Z]+)")re");

  // The /session routes, handled before the match() table: "path == \"/api/v1/session\"" with
  // `req.method == "X"` on the same line or inside its block. Before the `if (!who)` check they
  // need no principal.
  bool principal_known = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find("if (!who)") != std::string::npos) principal_known = true;
    if (lines[i].find("path == \"/api/v1/session\"") == std::string::npos) continue;
    std::string role = principal_known ? "technician" : "none";
    int depth = 0;
    size_t j = i;
    do {
      for (char c : lines[j]) depth += c == '{' ? 1 : c == '}' ? -1 : 0;
      for (std::sregex_iterator it(lines[j].begin(), lines[j].end(), method_eq), end; it != end;
           ++it)
        routes[(*it)[1].str() + " /session"] = role;
      // A one-line condition with its block: stop once the block closes.
    } while (depth > 0 && ++j < lines.size());
  }

  // The match("METHOD", pattern) table; a route's block runs to the next route or section.
  std::vector<size_t> starts;
  for (size_t i = 0; i < lines.size(); ++i)
    if (lines[i].find("match(\"") != std::string::npos ||
        lines[i].find("// -----") != std::string::npos)
      starts.push_back(i);
  starts.push_back(lines.size());
  for (size_t k = 0; k + 1 < starts.size(); ++k) {
    const std::string& line = lines[starts[k]];
    std::string block;
    for (size_t j = starts[k]; j < starts[k + 1]; ++j) block += lines[j] + "\n";
    std::string role = block.find("need(Role::kAdmin)") != std::string::npos  ? "admin"
                       : block.find("need(Role::kHost)") != std::string::npos ? "host"
                                                                              : "technician";
    for (size_t pos = line.find("match(\""); pos != std::string::npos;
         pos = line.find("match(\"", pos + 1)) {
      size_t method_end = line.find('"', pos + 7);
      std::string method = line.substr(pos + 7, method_end - pos - 7);
      size_t comma = line.find(',', method_end);
      for (const auto& path : RoutePaths(line, comma + 1)) routes[method + " " + path] = role;
    }
  }
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
    source_ = test::ReadFile(RepoRoot() / "signaling" / "rest_api.cpp");
    ASSERT_FALSE(yaml_.empty());
    ASSERT_FALSE(source_.empty());
  }
  std::string yaml_, source_;
};

TEST_F(OpenApi, IsOpenApi303UnderApiV1) {
  EXPECT_EQ(yaml_.rfind("openapi: 3.0.3\n", 0), 0u);
  EXPECT_NE(yaml_.find("/api/v1"), std::string::npos);
  for (const char* scheme :
       {"cookieAuth:", "csrfToken:", "bearerAuth:", "name: mcu_session", "name: X-CSRF-Token"})
    EXPECT_NE(yaml_.find(scheme), std::string::npos) << scheme;
}

TEST_F(OpenApi, DescribesEveryRouteTheCodeServesAndNoOther) {
  auto code = CodeRoutes(source_);
  auto yaml = YamlOperations(yaml_);
  // The scan itself works: the session routes and the table were found.
  ASSERT_GE(code.size(), 30u) << "rest_api.cpp's routes were not found; has its routing changed?";
  ASSERT_EQ(code.count("POST /session"), 1u);
  ASSERT_EQ(code.count("DELETE /session"), 1u);
  ASSERT_EQ(code.count("POST /conferences/{param}/sites/{param}/kick"), 1u);
  ASSERT_EQ(code.count("DELETE /tokens/{param}"), 1u);
  for (const auto& [route, role] : code)
    EXPECT_EQ(yaml.count(route), 1u)
        << route << " is served by rest_api.cpp but missing from openapi.yaml";
  for (const auto& [op, role] : yaml)
    EXPECT_EQ(code.count(op), 1u) << op << " is in openapi.yaml but rest_api.cpp does not serve it";
}

TEST_F(OpenApi, StatesTheLeastRoleTheCodeChecks) {
  auto code = CodeRoutes(source_);
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
