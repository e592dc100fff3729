#include "mcu/store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>

#include "tests/unit/test_util.h"

namespace mcu {
namespace {

std::unique_ptr<Store> OpenIn(const test::TempDir& dir) {
  auto s = Store::Open((dir.path() / "mcu.db").string());
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error());
  return s.ok() ? std::move(*s) : nullptr;
}

ConferenceRow Meeting(const std::string& id, std::vector<std::string> invited) {
  ConferenceRow c;
  c.id = id;
  c.title = "Giao ban " + id;
  c.start_at = 1'800'000'000;
  c.end_at = c.start_at + 3600;
  c.invited = std::move(invited);
  return c;
}

TEST(Store, NewFileIsMigratedToTheLatestSchemaInWalMode) {
  test::TempDir dir;
  auto store = OpenIn(dir);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->schema_version(), Store::latest_schema_version());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / "mcu.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

// The mode bits of `path`, or -1 if it does not exist.
int ModeOf(const std::filesystem::path& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 07777) : -1;
}

// Sets the process's umask for a test's duration.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(umask(mask)) {}
  ~ScopedUmask() { umask(old_); }

 private:
  mode_t old_;
};

// The database holds a cascade credential in clear and the password hashes: the file, its WAL
// and its shared-memory index are the owner's alone, even under a umask that hides nothing.
TEST(Store, DatabaseWalAndShmAreOwnerOnlyWhateverTheUmask) {
  test::TempDir dir;
  ScopedUmask open_umask(0);
  auto store = OpenIn(dir);
  ASSERT_TRUE(store);
  SiteRow site;
  site.id = "huyen-1";
  site.name = "Huyện 1";
  site.token_hash = "sha256:aa";
  ASSERT_TRUE(store->InsertSite(site).ok());
  EXPECT_EQ(ModeOf(dir.path() / "mcu.db"), 0600);
  EXPECT_EQ(ModeOf(dir.path() / "mcu.db-wal"), 0600);  // Present while the store is open.
  EXPECT_EQ(ModeOf(dir.path() / "mcu.db-shm"), 0600);
}

// A database made by an older build under the usual umask (0644, and its WAL and SHM while
// another connection holds them) is narrowed when the store opens it.
TEST(Store, FilesLeftOpenToOthersByAnOlderBuildAreNarrowedOnOpen) {
  test::TempDir dir;
  ScopedUmask open_umask(022);
  std::string path = (dir.path() / "mcu.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES(1)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  ASSERT_EQ(ModeOf(path), 0644);
  ASSERT_EQ(ModeOf(path + "-wal"), 0644);
  ASSERT_EQ(ModeOf(path + "-shm"), 0644);
  {
    auto store = Store::Open(path);
    ASSERT_TRUE(store.ok()) << store.error();
    EXPECT_EQ(ModeOf(path), 0600);
    EXPECT_EQ(ModeOf(path + "-wal"), 0600);
    EXPECT_EQ(ModeOf(path + "-shm"), 0600);
  }
  sqlite3_close(db);
}

TEST(Store, RefusesAFileWrittenByANewerSchema) {
  test::TempDir dir;
  { ASSERT_TRUE(OpenIn(dir)); }
  sqlite3* db = nullptr;
  sqlite3_open((dir.path() / "mcu.db").c_str(), &db);
  sqlite3_exec(db, "PRAGMA user_version=999", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto again = Store::Open((dir.path() / "mcu.db").string());
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().find("newer"), std::string::npos);
}

TEST(Store, EverythingWrittenIsThereAfterReopening) {
  test::TempDir dir;
  int64_t user_id = 0;
  {
    auto s = OpenIn(dir);
    ASSERT_TRUE(s->InsertSite({"huyen-1", "Huyện 1", "district", "room", "sha256:aa",
                               "WAN huyện 10.20.3.0/24", 4000})
                    .ok());
    ASSERT_TRUE(s->InsertSite({"tinh-1", "Tỉnh 1", "province", "room", "sha256:bb", "", 0}).ok());
    SiteRow link{"trung-uong",
                 "Trung ương",
                 "central",
                 "cascade",
                 "",
                 "",
                 0,
                 {"wss://10.1.0.5:8443/ws", "toan-quoc", "cred", "AA:BB", 800}};
    ASSERT_TRUE(s->InsertSite(link).ok());
    link.link.conference = "giao-ban-tw";
    link.link.role = "parent";
    ASSERT_TRUE(s->UpdateSite(link).ok());
    SiteRow changed = *s->Site("tinh-1");
    changed.network = "LAN tỉnh";
    changed.bandwidth_kbps = 10000;
    ASSERT_TRUE(s->UpdateSite(changed).ok());
    ASSERT_TRUE(s->InsertConference(Meeting("giao-ban", {"tinh-1", "huyen-1"})).ok());
    ConferenceRow secret = Meeting("mat", {"tinh-1"});
    secret.classified = true;
    ASSERT_TRUE(s->InsertConference(secret).ok());
    secret.locked = true;
    ASSERT_TRUE(s->UpdateConference(secret).ok());
    auto id = s->InsertUser({0, "host1", "host", "Chủ trì", "$argon2id$x"});
    ASSERT_TRUE(id.ok());
    user_id = *id;
    ASSERT_TRUE(s->Audit("host1", "mute", "giao-ban/huyen-1", R"({"audio":true})").ok());
    auto rec = s->OpenCallRecord("giao-ban", "huyen-1", 1000);
    ASSERT_TRUE(rec.ok());
    ASSERT_TRUE(s->CloseCallRecord(*rec, 2000, "left").ok());
    ASSERT_TRUE(s->PutMember({"giao-ban", "huyen-1", true, true, false, false}).ok());
  }
  auto s = OpenIn(dir);
  ASSERT_EQ(s->Sites().size(), 3u);
  EXPECT_EQ(s->Site("trung-uong")->link,
            (LinkTarget{"wss://10.1.0.5:8443/ws", "giao-ban-tw", "cred", "AA:BB", 800, "parent"}));
  EXPECT_FALSE(s->Site("huyen-1")->link.dials());
  EXPECT_EQ(s->Site("huyen-1")->name, "Huyện 1");
  EXPECT_EQ(s->Site("huyen-1")->network, "WAN huyện 10.20.3.0/24");
  EXPECT_EQ(s->Site("huyen-1")->bandwidth_kbps, 4000);
  EXPECT_EQ(s->Site("tinh-1")->network, "LAN tỉnh");
  EXPECT_EQ(s->Site("tinh-1")->bandwidth_kbps, 10000);
  auto c = s->Conference("giao-ban");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->invited, (std::vector<std::string>{"tinh-1", "huyen-1"}));
  EXPECT_FALSE(c->classified);
  EXPECT_TRUE(s->Conference("mat")->classified);
  EXPECT_TRUE(s->Conference("mat")->locked);
  EXPECT_EQ(s->UserByLogin("host1")->id, user_id);
  auto audit = s->AuditLog(10);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "mute");
  auto calls = s->CallRecords("giao-ban", 10);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].left_at_ms, 2000);
  EXPECT_EQ(calls[0].reason, "left");
  auto members = s->Members("giao-ban");
  ASSERT_EQ(members.size(), 2u);
  EXPECT_TRUE(members[1].muted_audio);
}

TEST(Store, DuplicateIdsAndUnknownSitesAreClearErrors) {
  test::TempDir dir;
  auto s = OpenIn(dir);
  ASSERT_TRUE(s->InsertSite({"a", "A", "district", "room", "sha256:aa", "", 0}).ok());
  auto dup = s->InsertSite({"a", "A2", "district", "room", "sha256:cc", "", 0});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error(), "site 'a' exists");
  auto bad = s->InsertConference(Meeting("m", {"a", "nope"}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "no site 'nope'");
  EXPECT_FALSE(s->Conference("m")) << "a failed insert leaves nothing behind";
  EXPECT_FALSE(s->UpdateSite({"zz", "Z", "district", "room", "sha256:dd", "", 0}).ok());
  EXPECT_FALSE(s->DeleteConference("zz").ok());
}

TEST(Store, ChangingTheInvitedListKeepsMutesOfSitesThatStay) {
  test::TempDir dir;
  auto s = OpenIn(dir);
  for (auto id : {"a", "b", "c"})
    ASSERT_TRUE(s->InsertSite({id, id, "district", "room", "sha256:x", "", 0}).ok());
  auto c = Meeting("m", {"a", "b"});
  ASSERT_TRUE(s->InsertConference(c).ok());
  ASSERT_TRUE(s->PutMember({"m", "a", true, true, true, false}).ok());
  c.invited = {"a", "c"};
  ASSERT_TRUE(s->UpdateConference(c).ok());
  EXPECT_EQ(s->Conference("m")->invited, (std::vector<std::string>{"a", "c"}));
  auto members = s->Members("m");
  ASSERT_EQ(members.size(), 2u);
  EXPECT_TRUE(members[0].muted_audio && members[0].muted_video);
  ASSERT_TRUE(s->ResetMembers("m").ok());
  EXPECT_FALSE(s->Members("m")[0].muted_audio);
}

TEST(Store, AnAdmittedSiteIsKeptUntilTheConferenceIsReset) {
  test::TempDir dir;
  auto s = OpenIn(dir);
  for (auto id : {"a", "b"})
    ASSERT_TRUE(s->InsertSite({id, id, "district", "room", "sha256:x", "", 0}).ok());
  auto c = Meeting("m", {"a"});
  ASSERT_TRUE(s->InsertConference(c).ok());
  // "b" joined though not invited (the conference was open to all when it did).
  ASSERT_TRUE(s->PutMember({"m", "b", false, false, false, false, true}).ok());
  ASSERT_TRUE(s->UpdateConference(c).ok());  // Rewriting the invitations keeps it.
  auto members = s->Members("m");
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[1].site_id, "b");
  EXPECT_TRUE(members[1].admitted);
  EXPECT_FALSE(members[0].admitted);
  ASSERT_TRUE(s->ResetMembers("m").ok());
  members = s->Members("m");
  ASSERT_EQ(members.size(), 1u) << "an uninvited site leaves with the reset";
  EXPECT_FALSE(members[0].admitted);
}

TEST(Store, DeletingASiteRemovesItFromInvitations) {
  test::TempDir dir;
  auto s = OpenIn(dir);
  for (auto id : {"a", "b"})
    ASSERT_TRUE(s->InsertSite({id, id, "district", "room", "sha256:x", "", 0}).ok());
  ASSERT_TRUE(s->InsertConference(Meeting("m", {"a", "b"})).ok());
  ASSERT_TRUE(s->DeleteSite("a").ok());
  EXPECT_EQ(s->Conference("m")->invited, (std::vector<std::string>{"b"}));
}

TEST(Store, SessionsExpireAndApiTokensBelongToTheirUser) {
  test::TempDir dir;
  auto s = OpenIn(dir);
  auto uid = s->InsertUser({0, "tech", "technician", "", "$argon2id$x"});
  ASSERT_TRUE(uid.ok());
  ASSERT_TRUE(s->InsertSession({"sha256:s1", "csrf1", *uid, 2000}).ok());
  EXPECT_TRUE(s->Session("sha256:s1", 1999));
  EXPECT_FALSE(s->Session("sha256:s1", 2000));
  auto tid = s->InsertApiToken({0, *uid, "monitoring", "sha256:t1", 0});
  ASSERT_TRUE(tid.ok());
  EXPECT_EQ(s->ApiTokenByHash("sha256:t1")->user_id, *uid);
  EXPECT_FALSE(s->DeleteApiToken(*tid, *uid + 1).ok()) << "another user's token";
  ASSERT_TRUE(s->DeleteUser(*uid).ok());
  EXPECT_FALSE(s->ApiTokenByHash("sha256:t1")) << "tokens go with their user";
}

TEST(Store, OpenCallRecordsAreClosedAfterARestart) {
  test::TempDir dir;
  auto s = OpenIn(dir);
  ASSERT_TRUE(s->OpenCallRecord("m", "a", 100).ok());
  ASSERT_TRUE(s->CloseOpenCallRecords(500, "mcu restarted").ok());
  auto r = s->CallRecords("", 10);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].left_at_ms, 500);
  EXPECT_EQ(r[0].reason, "mcu restarted");
}

TEST(Store, AlarmsAndCallQualityAreKeptWithTheConference) {
  test::TempDir dir;
  auto s = OpenIn(dir);
  auto rec = s->OpenCallRecord("m", "huyen-1", 1000);
  ASSERT_TRUE(rec.ok());
  auto loss = s->InsertAlarm({0, "m", "huyen-1", "loss", "warning", "loss 1.2%", 2000, 0});
  auto enc = s->InsertAlarm({0, "m", "", "encoder", "warning", "late frames", 2500, 0});
  ASSERT_TRUE(loss.ok() && enc.ok());
  ASSERT_TRUE(s->InsertAlarm({0, "other", "huyen-1", "rtt", "warning", "", 2100, 0}).ok());
  ASSERT_TRUE(s->UpdateAlarm(*loss, "critical", "loss 6.0%", 0).ok());
  ASSERT_EQ(s->Alarms("m", true, 10).size(), 2u);
  ASSERT_TRUE(
      s->UpdateAlarm(*loss, "warning", "loss 2.0%", 0).ok());  // Better again: the worst is kept.
  ASSERT_TRUE(s->UpdateAlarm(*loss, "warning", "loss 0.5%", 9000).ok());
  auto active = s->Alarms("m", true, 10);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].kind, "encoder");
  auto all = s->Alarms("m", false, 10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].severity, "critical");
  EXPECT_EQ(all[1].detail, "loss 6.0%");
  EXPECT_EQ(all[1].cleared_at_ms, 9000);
  ASSERT_TRUE(s->UpdateAlarm(*loss, "warning", "again", 0).ok());
  EXPECT_EQ(s->Alarms("m", true, 10).size(), 1u) << "a cleared alarm stays cleared";

  CallQuality q{120, 1.5, 6.0, 4.0, 9.0, 102, 130, 1500, 1200};
  ASSERT_TRUE(s->CloseCallRecord(*rec, 10000, "left", q).ok());
  auto r = s->CallRecords("m", 10);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].quality.seconds, 120);
  EXPECT_DOUBLE_EQ(r[0].quality.loss_pct_max, 6.0);
  EXPECT_DOUBLE_EQ(r[0].quality.rtt_ms_mean, 102);
  EXPECT_DOUBLE_EQ(r[0].quality.kbps_out_mean, 1200);
  EXPECT_EQ(r[0].alarms, 1) << "its loss alarm; not the other conference's, nor the encoder's";

  ASSERT_TRUE(s->ClearOpenAlarms(20000).ok());
  EXPECT_TRUE(s->Alarms("", true, 10).empty());
}

TEST(Store, AuditLogPagesNewestFirst) {
  test::TempDir dir;
  auto s = OpenIn(dir);
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(s->Audit("admin", "action" + std::to_string(i), "", "").ok());
  auto page = s->AuditLog(2);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].action, "action4");
  auto next = s->AuditLog(10, page[1].id);
  ASSERT_EQ(next.size(), 3u);
  EXPECT_EQ(next[0].action, "action2");
  EXPECT_EQ(next[0].detail, "{}");
}

}  // namespace
}  // namespace mcu
