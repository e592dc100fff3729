// Specs of signaling/http_handler.h: HandleHttp as a pure function over a temporary web root.
#include "signaling/http_handler.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.h"

namespace mcu::signaling {
namespace {

namespace fs = std::filesystem;

class HandleHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "www";
    fs::create_directories(root_ / "js");
    ASSERT_TRUE(test::WriteFile(root_ / "index.html", "<h1>index</h1>"));
    ASSERT_TRUE(test::WriteFile(root_ / "room.html", "<h1>room</h1>"));
    ASSERT_TRUE(test::WriteFile(root_ / "js" / "app.js", "console.log(1);"));
    ASSERT_TRUE(test::WriteFile(root_ / "style.css", "body{}"));
    ASSERT_TRUE(test::WriteFile(root_ / "data.bin", std::string("\0\1\2", 3)));
    // Outside the web root: must never be served.
    ASSERT_TRUE(test::WriteFile(dir_.path() / "secret.txt", "TOP SECRET"));
    ctx_.web_root = root_.string();
  }

  HttpResponse Get(const std::string& target, http::verb verb = http::verb::get) {
    HttpRequest req{verb, target, 11};
    req.set(http::field::host, "mcu.test");
    return HandleHttp(req, ctx_);
  }

  test::TempDir dir_;
  fs::path root_;
  HttpContext ctx_;
};

TEST_F(HandleHttpTest, ServesAFileWithItsMimeType) {
  auto res = Get("/js/app.js");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), "console.log(1);");
  EXPECT_EQ(res[http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(res[http::field::content_length], "15");
  EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
  EXPECT_FALSE(res["Content-Security-Policy"].empty());

  res = Get("/style.css");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "text/css; charset=utf-8");

  res = Get("/data.bin");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), std::string("\0\1\2", 3));  // Binary-safe.
  EXPECT_EQ(res[http::field::content_type], "application/octet-stream");
}

TEST_F(HandleHttpTest, RootAndRoomMapToTheirPages) {
  auto res = Get("/");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), "<h1>index</h1>");
  EXPECT_EQ(res[http::field::content_type], "text/html; charset=utf-8");
  res = Get("/room");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), "<h1>room</h1>");
  res = Get("/room?conference=echo&token=abc");  // The query string is not part of the path.
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), "<h1>room</h1>");
}

TEST_F(HandleHttpTest, Healthz) {
  auto res = Get("/healthz");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), "ok\n");
}

TEST_F(HandleHttpTest, MissingFilesAndDirectoriesAre404) {
  EXPECT_EQ(Get("/nope.html").result(), http::status::not_found);
  EXPECT_EQ(Get("/js").result(), http::status::not_found);
  EXPECT_EQ(Get("/js/").result(), http::status::not_found);
  auto res = Get("/nope.html");
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_NE(res.body().find("not found"), std::string::npos);
}

// npm installs the console's one library into the web root: its dist/ folder is served, the
// package files and other modules' contents are not.
TEST_F(HandleHttpTest, NpmsFilesAndDotfilesAreNotServed) {
  fs::create_directories(root_ / "node_modules" / "uplot" / "dist");
  ASSERT_TRUE(test::WriteFile(root_ / "node_modules" / "uplot" / "dist" / "uPlot.min.css", "u{}"));
  ASSERT_TRUE(test::WriteFile(root_ / "node_modules" / "uplot" / "package.json", "{}"));
  ASSERT_TRUE(test::WriteFile(root_ / "node_modules" / ".package-lock.json", "{}"));
  ASSERT_TRUE(test::WriteFile(root_ / "node_modules" / "uplot" / "README.md", "readme"));
  ASSERT_TRUE(test::WriteFile(root_ / "package.json", "{\"name\":\"console\"}"));
  ASSERT_TRUE(test::WriteFile(root_ / "package-lock.json", "{}"));
  ASSERT_TRUE(test::WriteFile(root_ / ".env", "SECRET=1"));
  ASSERT_TRUE(test::WriteFile(root_ / "js" / ".hidden.js", "x"));
  EXPECT_EQ(Get("/node_modules/uplot/dist/uPlot.min.css").result(), http::status::ok);
  for (const char* target :
       {"/package.json", "/package-lock.json", "/node_modules/uplot/package.json",
        "/node_modules/.package-lock.json", "/node_modules/uplot/README.md", "/node_modules/uplot",
        "/.env", "/js/.hidden.js"}) {
    EXPECT_EQ(Get(target).result(), http::status::not_found) << target;
  }
}

TEST_F(HandleHttpTest, DotDotTraversalIs400) {
  for (const char* target : {"/../secret.txt", "/js/../../secret.txt", "/..", "/js/..%2f..",
                             "/a\\..\\secret.txt", "relative.html", ""}) {
    auto res = Get(target);
    EXPECT_EQ(res.result(), http::status::bad_request) << target;
    EXPECT_EQ(res.body().find("TOP SECRET"), std::string::npos) << target;
  }
}

// "//etc/passwd" is a valid origin-form target. Joined naively, web_root / "/etc/passwd" is the
// absolute path itself: a file anywhere on the machine would be served.
TEST_F(HandleHttpTest, AbsolutePathAfterDoubleSlashIsNotServed) {
  std::string target = "/" + (dir_.path() / "secret.txt").string();  // "//tmp/.../secret.txt"
  auto res = Get(target);
  EXPECT_NE(res.result(), http::status::ok) << target;
  EXPECT_EQ(res.body().find("TOP SECRET"), std::string::npos) << target;
}

TEST_F(HandleHttpTest, OnlyGetIsAllowed) {
  for (auto verb : {http::verb::post, http::verb::put, http::verb::delete_, http::verb::head,
                    http::verb::options}) {
    auto res = Get("/index.html", verb);
    EXPECT_EQ(res.result(), http::status::method_not_allowed) << http::to_string(verb);
    EXPECT_EQ(res.body().find("index"), std::string::npos);
  }
}

TEST_F(HandleHttpTest, KeepsTheRequestsVersionAndKeepAlive) {
  HttpRequest req{http::verb::get, "/healthz", 10};
  auto res = HandleHttp(req, ctx_);
  EXPECT_EQ(res.version(), 10);
  EXPECT_FALSE(res.keep_alive());
  HttpRequest req11{http::verb::get, "/healthz", 11};
  EXPECT_TRUE(HandleHttp(req11, ctx_).keep_alive());
}

TEST(MimeType, KnowsTheConsoleAssets) {
  EXPECT_EQ(MimeType("a/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(MimeType("m.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(MimeType("x.json"), "application/json");
  EXPECT_EQ(MimeType("i.svg"), "image/svg+xml");
  EXPECT_EQ(MimeType("i.png"), "image/png");
  EXPECT_EQ(MimeType("favicon.ico"), "image/x-icon");
  EXPECT_EQ(MimeType("f.woff2"), "font/woff2");
  EXPECT_EQ(MimeType("README"), "application/octet-stream");
}

}  // namespace
}  // namespace mcu::signaling
