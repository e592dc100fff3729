#include "mcu/sealed_file.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mcu {

namespace {

constexpr char kMagic[8] = {'M', 'C', 'U', 'S', 'E', 'A', 'L', '1'};
constexpr size_t kHeader = 24;
constexpr size_t kTag = 16;
constexpr uint32_t kMaxChunk = 16u << 20;

Error SysError(const std::string& what, const std::string& path) {
  return MakeError(ErrorKind::kInternal, what + " " + path + ": " + std::strerror(errno));
}

bool WriteAll(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Up to `n` bytes at `offset`; fewer only at the end of the file.
ssize_t ReadAt(int fd, uint8_t* p, size_t n, uint64_t offset) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, p + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  return static_cast<ssize_t>(done);
}

void PutU32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

uint32_t GetU32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
  CipherCtx(const CipherCtx&) = delete;
  CipherCtx& operator=(const CipherCtx&) = delete;
  CipherCtx() = default;
};

// Chunk `index`'s nonce and additional data, from the header.
struct ChunkParams {
  std::array<uint8_t, 12> nonce{};
  std::array<uint8_t, kHeader + 5> aad{};
  ChunkParams(const std::array<uint8_t, kHeader>& header, uint32_t index, bool last) {
    std::memcpy(nonce.data(), header.data() + 12, 8);
    PutU32(nonce.data() + 8, index);
    std::memcpy(aad.data(), header.data(), kHeader);
    PutU32(aad.data() + kHeader, index);
    aad[kHeader + 4] = last ? 1 : 0;
  }
};

// `in` (n bytes) sealed into `out` (n + kTag bytes).
bool Encrypt(const SealKey& key, const ChunkParams& p, const uint8_t* in, size_t n, uint8_t* out) {
  CipherCtx c;
  int len = 0;
  return c.ctx &&
         EVP_EncryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, key.data(), p.nonce.data()) == 1 &&
         EVP_EncryptUpdate(c.ctx, nullptr, &len, p.aad.data(), static_cast<int>(p.aad.size())) ==
             1 &&
         EVP_EncryptUpdate(c.ctx, out, &len, in, static_cast<int>(n)) == 1 &&
         EVP_EncryptFinal_ex(c.ctx, out + len, &len) == 1 &&
         EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, kTag, out + n) == 1;
}

// `in` (n bytes of ciphertext, then the tag) opened into `out` (n bytes); false if it does not
// authenticate.
bool Decrypt(const SealKey& key, const ChunkParams& p, const uint8_t* in, size_t n, uint8_t* out) {
  CipherCtx c;
  int len = 0;
  std::array<uint8_t, kTag> tag{};
  std::memcpy(tag.data(), in + n, kTag);
  return c.ctx &&
         EVP_DecryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, key.data(), p.nonce.data()) == 1 &&
         EVP_DecryptUpdate(c.ctx, nullptr, &len, p.aad.data(), static_cast<int>(p.aad.size())) ==
             1 &&
         EVP_DecryptUpdate(c.ctx, out, &len, in, static_cast<int>(n)) == 1 &&
         EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) == 1 &&
         EVP_DecryptFinal_ex(c.ctx, out + len, &len) == 1;
}

class PlainFile final : public ByteSource {
 public:
  PlainFile(int fd, uint64_t size) : fd_(fd), size_(size) {}
  ~PlainFile() override { ::close(fd_); }
  PlainFile(const PlainFile&) = delete;
  PlainFile& operator=(const PlainFile&) = delete;
  uint64_t size() const override { return size_; }
  Expected<size_t> Read(uint64_t offset, uint8_t* out, size_t n) override {
    if (offset >= size_) return size_t{0};
    const ssize_t r = ReadAt(fd_, out, std::min<uint64_t>(n, size_ - offset), offset);
    if (r < 0) return MakeError(ErrorKind::kInternal, std::string("read: ") + strerror(errno));
    return static_cast<size_t>(r);
  }

 private:
  int fd_;
  uint64_t size_;
};

class SealedFile final : public ByteSource {
 public:
  SealedFile(int fd, const SealKey& key, const std::array<uint8_t, kHeader>& header)
      : fd_(fd), key_(key), header_(header), chunk_(GetU32(header.data() + 8)) {}
  ~SealedFile() override { ::close(fd_); }
  SealedFile(const SealedFile&) = delete;
  SealedFile& operator=(const SealedFile&) = delete;

  // Finds where the plaintext ends: the last chunk, closed or not.
  void Measure(uint64_t file_size) {
    const uint64_t slot = chunk_ + kTag;
    const uint64_t body = file_size - kHeader;
    const uint64_t full = body / slot, rem = body % slot;
    size_ = full * chunk_;  // Unless the last chunk says otherwise: cut short after `full`.
    if (rem >= kTag) {
      last_index_ = static_cast<uint32_t>(full);
      if (Load(last_index_, static_cast<size_t>(rem - kTag), true)) {
        size_ += rem - kTag;
        closed_ = true;
      }
    } else if (rem == 0 && full > 0) {
      last_index_ = static_cast<uint32_t>(full - 1);
      closed_ = Load(last_index_, chunk_, true);
    }
  }

  uint64_t size() const override { return size_; }

  Expected<size_t> Read(uint64_t offset, uint8_t* out, size_t n) override {
    if (offset >= size_) return size_t{0};
    const auto index = static_cast<uint32_t>(offset / chunk_);
    const uint64_t start = uint64_t{index} * chunk_;
    const size_t len = static_cast<size_t>(std::min<uint64_t>(chunk_, size_ - start));
    if (index != cached_ && !Load(index, len, closed_ && index == last_index_))
      return MakeError(ErrorKind::kInternal,
                       "chunk " + std::to_string(index) + " does not authenticate");
    const size_t at = static_cast<size_t>(offset - start);
    const size_t k = std::min(n, len - at);
    std::memcpy(out, plain_.data() + at, k);
    return k;
  }

 private:
  // Decrypts chunk `index` (`len` plaintext bytes) into plain_.
  bool Load(uint32_t index, size_t len, bool last) {
    cipher_.resize(len + kTag);
    plain_.resize(len);
    const uint64_t at = kHeader + uint64_t{index} * (chunk_ + kTag);
    if (ReadAt(fd_, cipher_.data(), cipher_.size(), at) != static_cast<ssize_t>(cipher_.size()) ||
        !Decrypt(key_, ChunkParams(header_, index, last), cipher_.data(), len, plain_.data())) {
      cached_ = UINT32_MAX;
      return false;
    }
    cached_ = index;
    return true;
  }

  int fd_;
  SealKey key_;
  std::array<uint8_t, kHeader> header_;
  uint32_t chunk_;
  uint64_t size_ = 0;
  uint32_t last_index_ = 0;
  bool closed_ = false;
  uint32_t cached_ = UINT32_MAX;
  std::vector<uint8_t> cipher_, plain_;
};

}  // namespace

Expected<SealKey> LoadOrCreateSealKey(const std::string& path) {
  SealKey key{};
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
      return MakeError(ErrorKind::kInternal, "no random bytes for the recording key");
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return SysError("cannot create the recording key", path);
    const bool ok = WriteAll(fd, key.data(), key.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      ::unlink(path.c_str());
      return SysError("cannot write the recording key", path);
    }
    return key;
  }
  if (fd < 0) return SysError("cannot open the recording key", path);
  struct stat st {};
  const bool stat_ok = ::fstat(fd, &st) == 0;
  const ssize_t r = stat_ok && (st.st_mode & 077) == 0 && st.st_size == 32
                        ? ReadAt(fd, key.data(), key.size(), 0)
                        : -1;
  ::close(fd);
  if (!stat_ok) return SysError("cannot read the recording key", path);
  if ((st.st_mode & 077) != 0)
    return MakeError(ErrorKind::kInternal,
                     "the recording key " + path + " is readable by others: chmod 600 it");
  if (r != 32)
    return MakeError(ErrorKind::kInternal, "the recording key " + path + " is not 32 bytes");
  return key;
}

Expected<std::unique_ptr<SealedWriter>> SealedWriter::Create(const std::string& path,
                                                             const SealKey& key) {
  std::unique_ptr<SealedWriter> w(new SealedWriter());
  std::memcpy(w->header_.data(), kMagic, sizeof kMagic);
  PutU32(w->header_.data() + 8, kChunk);
  if (RAND_bytes(w->header_.data() + 12, 8) != 1)
    return MakeError(ErrorKind::kInternal, "no random bytes for a sealed file");
  w->key_ = key;
  w->fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (w->fd_ < 0) return SysError("cannot create", path);
  if (!WriteAll(w->fd_, w->header_.data(), w->header_.size()))
    return SysError("cannot write", path);
  w->buffer_.reserve(kChunk);
  return w;
}

SealedWriter::~SealedWriter() {
  if (fd_ < 0) return;
  (void)Close();
  ::close(fd_);
}

Status SealedWriter::Seal(bool last) {
  std::vector<uint8_t> out(buffer_.size() + kTag);
  if (!Encrypt(key_, ChunkParams(header_, index_, last), buffer_.data(), buffer_.size(),
               out.data()))
    return MakeError(ErrorKind::kInternal, "AES-256-GCM failed");
  if (!WriteAll(fd_, out.data(), out.size()))
    return MakeError(ErrorKind::kInternal, std::string("write: ") + strerror(errno));
  ++index_;
  written_ += buffer_.size();
  buffer_.clear();
  return OkStatus();
}

Status SealedWriter::Write(const uint8_t* data, size_t n) {
  if (closed_) return MakeError(ErrorKind::kConflict, "the sealed file is closed");
  while (n > 0) {
    const size_t k = std::min(n, kChunk - buffer_.size());
    buffer_.insert(buffer_.end(), data, data + k);
    data += k;
    n -= k;
    if (buffer_.size() == kChunk)
      if (Status st = Seal(false); !st) return st;
  }
  return OkStatus();
}

Status SealedWriter::Close() {
  if (closed_) return OkStatus();
  closed_ = true;
  return Seal(true);
}

bool IsSealedFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::array<uint8_t, sizeof kMagic> magic{};
  const bool sealed = ReadAt(fd, magic.data(), magic.size(), 0) == sizeof kMagic &&
                      std::memcmp(magic.data(), kMagic, sizeof kMagic) == 0;
  ::close(fd);
  return sealed;
}

Expected<std::unique_ptr<ByteSource>> OpenPlainFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return SysError("cannot open", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return SysError("cannot read", path);
  }
  return std::unique_ptr<ByteSource>(new PlainFile(fd, static_cast<uint64_t>(st.st_size)));
}

Expected<std::unique_ptr<ByteSource>> OpenSealedFile(const std::string& path, const SealKey& key) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return SysError("cannot open", path);
  std::array<uint8_t, kHeader> header{};
  struct stat st {};
  const bool ok = ::fstat(fd, &st) == 0 && ReadAt(fd, header.data(), kHeader, 0) == kHeader;
  const uint32_t chunk = GetU32(header.data() + 8);
  if (!ok || std::memcmp(header.data(), kMagic, sizeof kMagic) != 0 || chunk == 0 ||
      chunk > kMaxChunk) {
    ::close(fd);
    return MakeError(ErrorKind::kInternal, path + " is not a sealed file");
  }
  auto file = std::make_unique<SealedFile>(fd, key, header);
  file->Measure(static_cast<uint64_t>(st.st_size));
  return std::unique_ptr<ByteSource>(std::move(file));
}

}  // namespace mcu
