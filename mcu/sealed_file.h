// Files sealed at rest (the recordings of classified conferences), and reading a recording from
// any offset whether it is sealed or not.
//
// A sealed file is AES-256-GCM (OpenSSL) in chunks, so that it can be written as a stream and
// read from any offset without ever writing plaintext to disk:
//
//   header  "MCUSEAL1" | chunk size (u32, big-endian) | file id (8 random bytes) | 4 zero bytes
//   chunk i ciphertext of `chunk size` plaintext bytes (the last chunk: 0..chunk size) | tag (16)
//
// Chunk i's nonce is the file id followed by i (u32, big-endian): unique for a key as long as no
// two files draw the same 64-bit id. Its additional data is the header, i and whether it is the
// last chunk, so chunks cannot be moved, dropped or swapped between files, and a file cut short
// is told from one that was closed. A file whose writer never closed it (the process was killed)
// reads up to its last complete chunk: at most one chunk (64 KiB, about half a second of the
// default tier) is lost.
//
// The key is 32 random bytes in a file of its own, created owner-only on first use.
//
// Threads: a SealedWriter belongs to the thread that writes it; a ByteSource to the thread that
// reads it (one at a time); the functions are safe on any thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mcu/expected.h"

namespace mcu {

using SealKey = std::array<uint8_t, 32>;

// Reads the key in `path`, or creates it (0600, 32 bytes from the system's random source) if
// there is no such file. A key file that is readable by others or not 32 bytes is refused.
Expected<SealKey> LoadOrCreateSealKey(const std::string& path);

class SealedWriter {
 public:
  static constexpr size_t kChunk = 64 * 1024;
  // Creates `path` (0600; it must not exist) and writes the header.
  static Expected<std::unique_ptr<SealedWriter>> Create(const std::string& path,
                                                        const SealKey& key);
  ~SealedWriter();  // Closes, if Close() was not called.
  SealedWriter(const SealedWriter&) = delete;
  SealedWriter& operator=(const SealedWriter&) = delete;

  // Each complete chunk is encrypted and written at once.
  Status Write(const uint8_t* data, size_t n);
  // The last chunk (what is buffered, possibly nothing), marked as the last.
  Status Close();
  uint64_t plaintext_bytes() const { return written_ + buffer_.size(); }

 private:
  SealedWriter() = default;
  Status Seal(bool last);

  int fd_ = -1;
  SealKey key_{};
  std::array<uint8_t, 24> header_{};
  uint32_t index_ = 0;
  uint64_t written_ = 0;
  std::vector<uint8_t> buffer_;
  bool closed_ = false;
};

// Bytes read from any offset: a plain file, or a sealed one decrypted as it is read.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Up to `n` bytes at `offset` into `out`; 0 at the end. An error: a chunk that does not
  // authenticate, or the file cannot be read.
  virtual Expected<size_t> Read(uint64_t offset, uint8_t* out, size_t n) = 0;
};

// Whether the file at `path` begins as a sealed file.
bool IsSealedFile(const std::string& path);

Expected<std::unique_ptr<ByteSource>> OpenPlainFile(const std::string& path);
// Checks the header and the last chunk: size() is what the file holds up to its last complete
// chunk (all of it if it was closed).
Expected<std::unique_ptr<ByteSource>> OpenSealedFile(const std::string& path, const SealKey& key);

}  // namespace mcu
