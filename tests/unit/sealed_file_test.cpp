// Specs of files sealed at rest (mcu/sealed_file.h): what is written comes back from any offset,
// the disk holds no plaintext, a file cut short reads up to its last complete chunk, a changed
// byte or another key is refused, and the key file is owner-only.
#include "mcu/sealed_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "tests/unit/test_util.h"

namespace mcu {
namespace {

using test::TempDir;

std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

std::vector<uint8_t> FileBytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The whole plaintext of `source`, read in steps of `step` bytes.
std::vector<uint8_t> ReadAll(ByteSource& source, size_t step) {
  std::vector<uint8_t> out(source.size());
  for (uint64_t at = 0; at < out.size();) {
    auto n = source.Read(at, out.data() + at, std::min<size_t>(step, out.size() - at));
    if (!n || *n == 0) return {};
    at += *n;
  }
  return out;
}

SealKey Key(uint8_t fill) {
  SealKey k;
  k.fill(fill);
  return k;
}

// Writes `data` in pieces of odd sizes; closes unless `close` is false (the file is then copied
// to `crash_copy` as it is on disk before the writer ends).
void Write(const std::filesystem::path& path, const std::vector<uint8_t>& data, bool close = true,
           const std::filesystem::path& crash_copy = {}) {
  auto w = SealedWriter::Create(path.string(), Key(7));
  ASSERT_TRUE(w) << w.error();
  for (size_t at = 0; at < data.size();) {
    const size_t n = std::min<size_t>(data.size() - at, 1 + (at * 31 + 4093) % 20011);
    ASSERT_TRUE((*w)->Write(data.data() + at, n));
    at += n;
  }
  if (!close) std::filesystem::copy_file(path, crash_copy);
}

TEST(SealedFile, WhatIsWrittenComesBackFromAnyOffset) {
  TempDir dir;
  // Sizes around the chunk's: empty, less than one, exactly two, two and a bit.
  for (size_t size :
       {size_t{0}, size_t{1000}, 2 * SealedWriter::kChunk, 2 * SealedWriter::kChunk + 4321}) {
    SCOPED_TRACE(size);
    const auto path = dir.path() / ("f" + std::to_string(size));
    const auto data = RandomBytes(size, static_cast<uint32_t>(size));
    Write(path, data);
    EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_TRUE(IsSealedFile(path.string()));
    auto source = OpenSealedFile(path.string(), Key(7));
    ASSERT_TRUE(source) << source.error();
    ASSERT_EQ((*source)->size(), size);
    EXPECT_EQ(ReadAll(**source, 16 * 1024), data);
    EXPECT_EQ(ReadAll(**source, 777), data);  // Steps that straddle chunks.
    if (size > 5000) {                        // A range from the middle, as a player seeking asks.
      std::vector<uint8_t> part(3000);
      uint64_t at = size - 4000;
      size_t got = 0;
      while (got < part.size()) {
        auto n = (*source)->Read(at + got, part.data() + got, part.size() - got);
        ASSERT_TRUE(n && *n > 0);
        got += *n;
      }
      EXPECT_TRUE(std::equal(part.begin(), part.end(), data.begin() + static_cast<long>(at)));
    }
  }
}

TEST(SealedFile, TheDiskHoldsNoPlaintextAndNoMediaHeader) {
  TempDir dir;
  const auto path = dir.path() / "rec.webm.sealed";
  // An EBML header, then a run of a pattern that would show through any unencrypted copy.
  std::vector<uint8_t> data = {0x1a, 0x45, 0xdf, 0xa3};
  for (int i = 0; i < 100000; ++i) data.push_back(static_cast<uint8_t>("classified"[i % 10]));
  Write(path, data);
  const auto disk = FileBytes(path);
  EXPECT_GT(disk.size(), data.size());
  EXPECT_NE(std::vector<uint8_t>(disk.begin(), disk.begin() + 4),
            std::vector<uint8_t>(data.begin(), data.begin() + 4));
  const std::string text(disk.begin(), disk.end());
  EXPECT_EQ(text.find("classified"), std::string::npos);
  EXPECT_EQ(text.find("\x1a\x45\xdf\xa3"), std::string::npos);
}

TEST(SealedFile, AFileItsWriterNeverClosedReadsUpToItsLastCompleteChunk) {
  TempDir dir;
  const auto data = RandomBytes(3 * SealedWriter::kChunk + 1000, 3);
  Write(dir.path() / "live", data, /*close=*/false, dir.path() / "crashed");
  auto source = OpenSealedFile((dir.path() / "crashed").string(), Key(7));
  ASSERT_TRUE(source) << source.error();
  ASSERT_EQ((*source)->size(), 3 * SealedWriter::kChunk);
  EXPECT_EQ(ReadAll(**source, 16 * 1024),
            std::vector<uint8_t>(data.begin(), data.begin() + 3 * SealedWriter::kChunk));

  // Cut inside a chunk, as a crash during a write leaves it: the partial chunk is dropped.
  std::filesystem::resize_file(dir.path() / "crashed", 24 + 2 * (SealedWriter::kChunk + 16) + 99);
  source = OpenSealedFile((dir.path() / "crashed").string(), Key(7));
  ASSERT_TRUE(source);
  EXPECT_EQ((*source)->size(), 2 * SealedWriter::kChunk);
}

TEST(SealedFile, AChangedByteOrAnotherKeyIsRefused) {
  TempDir dir;
  const auto path = dir.path() / "f";
  const auto data = RandomBytes(2 * SealedWriter::kChunk + 10, 5);
  Write(path, data);
  {  // Another key: nothing authenticates.
    auto source = OpenSealedFile(path.string(), Key(8));
    ASSERT_TRUE(source);
    std::vector<uint8_t> out(100);
    EXPECT_FALSE((*source)->Read(0, out.data(), out.size()));
  }
  // One byte of the first chunk flipped: that chunk is refused, the others still read.
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(24 + 500);
  f.put('\x55');
  f.close();
  auto source = OpenSealedFile(path.string(), Key(7));
  ASSERT_TRUE(source);
  std::vector<uint8_t> out(100);
  EXPECT_FALSE((*source)->Read(0, out.data(), out.size()));
  auto n = (*source)->Read(SealedWriter::kChunk, out.data(), out.size());
  ASSERT_TRUE(n);
  EXPECT_TRUE(
      std::equal(out.begin(), out.end(), data.begin() + static_cast<long>(SealedWriter::kChunk)));
  // Not a sealed file at all.
  std::ofstream(dir.path() / "plain") << "not sealed";
  EXPECT_FALSE(IsSealedFile((dir.path() / "plain").string()));
  EXPECT_FALSE(OpenSealedFile((dir.path() / "plain").string(), Key(7)));
}

TEST(SealedFile, TheKeyIsCreatedOwnerOnlyOnceAndRefusedIfOthersCanReadIt) {
  TempDir dir;
  const auto path = (dir.path() / "recording.key").string();
  auto key = LoadOrCreateSealKey(path);
  ASSERT_TRUE(key) << key.error();
  EXPECT_EQ(std::filesystem::file_size(path), 32u);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_NE(*key, SealKey{});
  auto again = LoadOrCreateSealKey(path);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *key);
  ::chmod(path.c_str(), 0644);
  auto refused = LoadOrCreateSealKey(path);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("chmod 600"), std::string::npos) << refused.error();
}

}  // namespace
}  // namespace mcu
