// Small helpers shared by the unit tests: fixture files (TempDir and ReadFile are in
// tests/support/files.h), text surgery on SDP and bytes. Test-only; no dependency on the code under
// test.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/files.h"

namespace mcu::test {

inline std::filesystem::path FixtureDir() { return MCU_TEST_FIXTURES; }

inline std::string ReadFixture(const std::string& name) { return ReadFile(FixtureDir() / name); }

// Line-level edits of SDP text (fixtures are stored with LF; both LF and CRLF are handled).
inline std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(pos, end - pos));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(std::move(line));
    pos = end + 1;
  }
  return out;
}

inline std::string JoinLines(const std::vector<std::string>& lines, std::string_view eol = "\r\n") {
  std::string out;
  for (const auto& l : lines) {
    out += l;
    out += eol;
  }
  return out;
}

// Drops every line starting with `prefix`.
inline std::string WithoutLines(std::string_view text, std::string_view prefix) {
  std::vector<std::string> kept;
  for (auto& l : Lines(text))
    if (l.rfind(prefix, 0) != 0) kept.push_back(std::move(l));
  return JoinLines(kept);
}

// Replaces every whole line equal to `from` by `to` (which may hold several lines).
inline std::string ReplaceLine(std::string_view text, std::string_view from, std::string_view to) {
  std::vector<std::string> out;
  for (auto& l : Lines(text)) out.push_back(l == from ? std::string(to) : std::move(l));
  return JoinLines(out);
}

// Inserts `line` after the first line starting with `after_prefix`.
inline std::string InsertAfter(std::string_view text, std::string_view after_prefix,
                               std::string_view line) {
  std::vector<std::string> out;
  bool done = false;
  for (auto& l : Lines(text)) {
    bool match = !done && l.rfind(after_prefix, 0) == 0;
    out.push_back(std::move(l));
    if (match) {
      out.emplace_back(line);
      done = true;
    }
  }
  EXPECT_TRUE(done) << "no line starts with " << after_prefix;
  return JoinLines(out);
}

inline size_t Count(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string_view::npos;
       pos = haystack.find(needle, pos + needle.size()))
    ++n;
  return n;
}

}  // namespace mcu::test
