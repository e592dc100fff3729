// Specs of mcu/log.h: JSON lines that always parse, with the conference and site in scope.
#include "mcu/log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

namespace mcu {
namespace {

TEST(Log, JsonLinesParseAndCarryTheScopesIds) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger("test", sink);
  logger.set_formatter(JsonLogFormatter());
  logger.info("plain");
  {
    LogScope conf("giao-ban");
    logger.warn("quote \" backslash \\ newline \n tab \t bell \x07 Huyện");
    {
      LogScope site("giao-ban", "huyen-1");
      logger.error("alarm raised");
    }
    logger.info("back to the conference");
  }
  std::istringstream in(out.str());
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    lines.push_back(j);
  }
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0]["message"], "plain");
  EXPECT_FALSE(lines[0].contains("conference"));
  EXPECT_EQ(lines[1]["message"], "quote \" backslash \\ newline \n tab \t bell \x07 Huyện");
  EXPECT_EQ(lines[1]["level"], "warning");
  EXPECT_EQ(lines[1]["conference"], "giao-ban");
  EXPECT_FALSE(lines[1].contains("site"));
  EXPECT_EQ(lines[2]["site"], "huyen-1");
  EXPECT_EQ(lines[3]["conference"], "giao-ban");
  EXPECT_FALSE(lines[3].contains("site")) << "the inner scope is gone";
  EXPECT_TRUE(lines[0]["time"].is_string());
}

// A name from a peer (a site, a remote MCU's error text) cannot start a second, forged line, nor
// send escape sequences to a technician's terminal.
TEST(Log, PlainLinesKeepOneEventOnOneLine) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger("test", sink);
  logger.set_formatter(PlainLogFormatter());
  logger.warn("link a: the other MCU answered {}",
              "x\n2026-12-06 10:00:00.000 info  site b \"ok\"\x1b[2J Huyện");
  const std::string text = out.str();
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_NE(text.find(R"(answered x\n2026-12-06 10:00:00.000 info  site b "ok"\u001b[2J Huyện)"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace mcu
