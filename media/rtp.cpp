#include "media/rtp.h"

#include <algorithm>

namespace mcu::media::rtp {
namespace {

uint16_t Read16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t Read24(const uint8_t* p) { return (uint32_t(p[0]) << 16) | (uint32_t(p[1]) << 8) | p[2]; }
uint32_t Read32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}
void Write16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void Write32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
void Push16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
void Push32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}
// Appends an RTCP common header; the length is patched by EndPacket.
size_t BeginPacket(std::vector<uint8_t>& out, uint8_t count_or_fmt, uint8_t type) {
  size_t start = out.size();
  out.push_back(static_cast<uint8_t>(0x80 | (count_or_fmt & 0x1f)));
  out.push_back(type);
  Push16(out, 0);
  return start;
}
void EndPacket(std::vector<uint8_t>& out, size_t start) {
  while ((out.size() - start) % 4) out.push_back(0);
  Write16(&out[start + 2], static_cast<uint16_t>((out.size() - start) / 4 - 1));
}

constexpr uint8_t kSR = 200, kRR = 201, kSDES = 202, kBYE = 203, kRTPFB = 205, kPSFB = 206;
constexpr uint8_t kFir2032 =
    192;  // RFC 2032's full intra request, still sent by older room systems.

bool ParseBlocks(const uint8_t* p, size_t len, int count, std::vector<ReportBlock>& out) {
  if (len < size_t(count) * 24) return false;
  for (int i = 0; i < count; ++i, p += 24) {
    ReportBlock b;
    b.ssrc = Read32(p);
    b.fraction_lost = p[4];
    uint32_t lost = Read24(p + 5);
    b.cumulative_lost = (lost & 0x800000) ? int32_t(lost | 0xff000000) : int32_t(lost);
    b.highest_sequence = Read32(p + 8);
    b.jitter = Read32(p + 12);
    b.last_sr = Read32(p + 16);
    b.delay_since_last_sr = Read32(p + 20);
    out.push_back(b);
  }
  return true;
}

void WriteBlocks(const std::vector<ReportBlock>& blocks, std::vector<uint8_t>& out) {
  for (const auto& b : blocks) {
    Push32(out, b.ssrc);
    int32_t lost = std::max<int32_t>(-0x800000, std::min<int32_t>(0x7fffff, b.cumulative_lost));
    Push32(out, (uint32_t(b.fraction_lost) << 24) | (uint32_t(lost) & 0xffffff));
    Push32(out, b.highest_sequence);
    Push32(out, b.jitter);
    Push32(out, b.last_sr);
    Push32(out, b.delay_since_last_sr);
  }
}

}  // namespace

PacketClass Classify(Bytes p) {
  if (p.empty()) return PacketClass::kUnknown;
  uint8_t b = p[0];
  if (b <= 3) return PacketClass::kStun;
  if (b >= 20 && b <= 63) return PacketClass::kDtls;
  if (b >= 128 && b <= 191) {
    if (p.size() < 2) return PacketClass::kUnknown;
    uint8_t pt = p[1];
    // RFC 5761 4: RTCP packet types 192-223 collide with RTP payload types 64-95 with marker.
    return (pt >= 192 && pt <= 223) ? PacketClass::kRtcp : PacketClass::kRtp;
  }
  return PacketClass::kUnknown;
}

std::optional<RtpHeader> ParseRtp(Bytes p) {
  if (p.size() < kRtpHeaderMin || (p[0] >> 6) != 2) return std::nullopt;
  RtpHeader h;
  bool padding = p[0] & 0x20;
  bool extension = p[0] & 0x10;
  size_t csrc = p[0] & 0x0f;
  h.marker = p[1] & 0x80;
  h.payload_type = p[1] & 0x7f;
  h.sequence = Read16(&p[2]);
  h.timestamp = Read32(&p[4]);
  h.ssrc = Read32(&p[8]);
  size_t off = kRtpHeaderMin + 4 * csrc;
  if (p.size() < off) return std::nullopt;
  if (extension) {
    if (p.size() < off + 4) return std::nullopt;
    size_t ext_words = Read16(&p[off + 2]);
    off += 4 + 4 * ext_words;
    if (p.size() < off) return std::nullopt;
  }
  size_t pad = 0;
  if (padding) {
    pad = p.back();
    if (pad == 0 || off + pad > p.size()) return std::nullopt;
  }
  h.header_size = off;
  h.payload_size = p.size() - off - pad;
  return h;
}

void SetSsrc(std::span<uint8_t> p, uint32_t ssrc) { Write32(&p[8], ssrc); }
void SetSequence(std::span<uint8_t> p, uint16_t seq) { Write16(&p[2], seq); }
void SetTimestamp(std::span<uint8_t> p, uint32_t ts) { Write32(&p[4], ts); }

std::optional<RtcpPackets> ParseRtcp(Bytes packet) {
  RtcpPackets out;
  const uint8_t* p = packet.data();
  size_t left = packet.size();
  if (left < 4) return std::nullopt;
  while (left > 0) {
    if (left < 4 || (p[0] >> 6) != 2) return std::nullopt;
    uint8_t count = p[0] & 0x1f;
    uint8_t type = p[1];
    size_t len = (size_t(Read16(p + 2)) + 1) * 4;
    if (len > left) return std::nullopt;
    const uint8_t* body = p + 4;
    size_t body_len = len - 4;
    switch (type) {
      case kSR: {
        if (body_len < 24) return std::nullopt;
        SenderReport sr;
        sr.ssrc = Read32(body);
        sr.ntp = (uint64_t(Read32(body + 4)) << 32) | Read32(body + 8);
        sr.rtp_timestamp = Read32(body + 12);
        sr.packet_count = Read32(body + 16);
        sr.octet_count = Read32(body + 20);
        if (!ParseBlocks(body + 24, body_len - 24, count, sr.blocks)) return std::nullopt;
        out.sender_reports.push_back(std::move(sr));
        break;
      }
      case kRR: {
        if (body_len < 4) return std::nullopt;
        ReceiverReport rr;
        rr.ssrc = Read32(body);
        if (!ParseBlocks(body + 4, body_len - 4, count, rr.blocks)) return std::nullopt;
        out.receiver_reports.push_back(std::move(rr));
        break;
      }
      case kRTPFB: {
        if (body_len < 8) return std::nullopt;
        if (count == 1) {
          Nack n;
          n.sender_ssrc = Read32(body);
          n.media_ssrc = Read32(body + 4);
          for (size_t off = 8; off + 4 <= body_len; off += 4) {
            uint16_t pid = Read16(body + off);
            uint16_t blp = Read16(body + off + 2);
            n.sequences.push_back(pid);
            for (int bit = 0; bit < 16; ++bit)
              if (blp & (1 << bit)) n.sequences.push_back(static_cast<uint16_t>(pid + bit + 1));
          }
          out.nacks.push_back(std::move(n));
        } else if (count == 3) {
          for (size_t off = 8; off + 8 <= body_len; off += 8) {
            const uint32_t word = Read32(body + off + 4);
            const int exponent = static_cast<int>(word >> 26);
            const uint64_t mantissa = (word >> 9) & 0x1ffff;
            Tmmbr t{Read32(body), Read32(body + off), 0, static_cast<uint16_t>(word & 0x1ff)};
            t.bitrate_bps = exponent > 46 ? UINT64_MAX : mantissa << exponent;  // 17 + 46 bits.
            out.tmmbrs.push_back(t);
          }
        } else {
          ++out.ignored;  // transport-cc and others.
        }
        break;
      }
      case kPSFB: {
        if (body_len < 8) return std::nullopt;
        if (count == 1) {
          out.keyframe_requests.push_back({Read32(body), Read32(body + 4), false});
        } else if (count == 4) {
          for (size_t off = 8; off + 8 <= body_len; off += 8)
            out.keyframe_requests.push_back({Read32(body), Read32(body + off), true});
        } else {
          ++out.ignored;  // REMB (FMT 15) and others.
        }
        break;
      }
      case kFir2032:
        // Its one field is the SSRC of the video to refresh; it names no sender.
        if (body_len < 4) return std::nullopt;
        out.keyframe_requests.push_back({0, Read32(body), true});
        break;
      case kBYE:
        for (size_t off = 0; off + 4 <= body_len && off / 4 < count; off += 4)
          out.byes.push_back(Read32(body + off));
        break;
      default:
        ++out.ignored;  // SDES, APP, XR.
        break;
    }
    p += len;
    left -= len;
  }
  return out;
}

void WriteSenderReport(const SenderReport& sr, std::vector<uint8_t>& out) {
  size_t start = BeginPacket(out, static_cast<uint8_t>(sr.blocks.size()), kSR);
  Push32(out, sr.ssrc);
  Push32(out, static_cast<uint32_t>(sr.ntp >> 32));
  Push32(out, static_cast<uint32_t>(sr.ntp));
  Push32(out, sr.rtp_timestamp);
  Push32(out, sr.packet_count);
  Push32(out, sr.octet_count);
  WriteBlocks(sr.blocks, out);
  EndPacket(out, start);
}

void WriteReceiverReport(const ReceiverReport& rr, std::vector<uint8_t>& out) {
  size_t start = BeginPacket(out, static_cast<uint8_t>(rr.blocks.size()), kRR);
  Push32(out, rr.ssrc);
  WriteBlocks(rr.blocks, out);
  EndPacket(out, start);
}

void WriteSdesCname(uint32_t ssrc, const std::string& cname, std::vector<uint8_t>& out) {
  size_t start = BeginPacket(out, 1, kSDES);
  Push32(out, ssrc);
  out.push_back(1);  // CNAME
  size_t n = std::min<size_t>(cname.size(), 255);
  out.push_back(static_cast<uint8_t>(n));
  out.insert(out.end(), cname.begin(), cname.begin() + n);
  out.push_back(0);  // END, then padding to a word boundary.
  EndPacket(out, start);
}

void WriteNack(const Nack& nack, std::vector<uint8_t>& out) {
  size_t start = BeginPacket(out, 1, kRTPFB);
  Push32(out, nack.sender_ssrc);
  Push32(out, nack.media_ssrc);
  size_t i = 0;
  const auto& s = nack.sequences;
  while (i < s.size()) {
    uint16_t pid = s[i];
    uint16_t blp = 0;
    size_t j = i + 1;
    while (j < s.size()) {
      uint16_t d = static_cast<uint16_t>(s[j] - pid);
      if (d == 0 || d > 16) break;
      blp |= static_cast<uint16_t>(1 << (d - 1));
      ++j;
    }
    Push16(out, pid);
    Push16(out, blp);
    i = j;
  }
  EndPacket(out, start);
}

void WritePli(uint32_t sender_ssrc, uint32_t media_ssrc, std::vector<uint8_t>& out) {
  size_t start = BeginPacket(out, 1, kPSFB);
  Push32(out, sender_ssrc);
  Push32(out, media_ssrc);
  EndPacket(out, start);
}

void WriteTmmbn(uint32_t sender_ssrc, const Tmmbr& bound, std::vector<uint8_t>& out) {
  size_t start = BeginPacket(out, 4, kRTPFB);
  Push32(out, sender_ssrc);
  Push32(out, 0);  // Media source: unused (RFC 5104 4.2.2.1).
  Push32(out, bound.sender_ssrc);
  uint64_t mantissa = std::min<uint64_t>(bound.bitrate_bps, UINT64_MAX >> 1);
  uint32_t exponent = 0;
  while (mantissa > 0x1ffff) mantissa >>= 1, ++exponent;
  Push32(out, (exponent << 26) | (static_cast<uint32_t>(mantissa) << 9) | (bound.overhead & 0x1ff));
  EndPacket(out, start);
}

void WriteFir(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t seq, std::vector<uint8_t>& out) {
  size_t start = BeginPacket(out, 4, kPSFB);
  Push32(out, sender_ssrc);
  Push32(out, 0);  // Media source: unused for FIR (RFC 5104 4.3.1.2).
  Push32(out, media_ssrc);
  Push32(out, uint32_t(seq) << 24);
  EndPacket(out, start);
}

uint64_t NtpFromUnixMicros(int64_t unix_us) {
  constexpr uint64_t kEpochOffset = 2208988800ULL;  // 1900 -> 1970.
  uint64_t secs = uint64_t(unix_us / 1000000) + kEpochOffset;
  uint64_t frac = (uint64_t(unix_us % 1000000) << 32) / 1000000;
  return (secs << 32) | frac;
}

void ReceiveStatistics::OnPacket(uint16_t seq, uint32_t rtp_timestamp, int64_t arrival_us,
                                 size_t bytes) {
  ++packets_;
  bytes_ += bytes;
  if (!started_) {
    started_ = true;
    max_seq_ = seq;
    base_seq_ = seq;
  } else if (SeqNewer(seq, max_seq_)) {
    if (seq < max_seq_) cycles_ += 0x10000;
    max_seq_ = seq;
  }
  // Interarrival jitter (A.8), on packets in order or not: the formula tolerates reordering.
  if (clock_rate_) {
    int64_t arrival_rtp = arrival_us * int64_t(clock_rate_) / 1000000;
    int64_t transit = arrival_rtp - int64_t(rtp_timestamp);
    if (have_transit_) {
      int64_t d = transit - last_transit_;
      if (d < 0) d = -d;
      // Ignore jumps of more than 10 s worth of RTP ticks (a new talkspurt base, a restart).
      if (d < int64_t(clock_rate_) * 10) jitter_ += uint32_t(d) - ((jitter_ + 8) >> 4);
    }
    last_transit_ = transit;
    have_transit_ = true;
  }
}

int64_t ReceiveStatistics::cumulative_lost() const {
  if (!started_) return 0;
  int64_t expected = int64_t(extended_highest()) - int64_t(base_seq_) + 1;
  return expected - int64_t(packets_);
}

ReportBlock ReceiveStatistics::MakeReportBlock(uint32_t ssrc, uint32_t last_sr,
                                               uint32_t delay_since_last_sr) {
  ReportBlock b;
  b.ssrc = ssrc;
  b.highest_sequence = extended_highest();
  b.cumulative_lost = static_cast<int32_t>(cumulative_lost());
  uint32_t expected = extended_highest() - base_seq_ + 1;
  uint32_t expected_interval = expected - expected_prior_;
  uint64_t received_interval = packets_ - received_prior_;
  expected_prior_ = expected;
  received_prior_ = packets_;
  int64_t lost_interval = int64_t(expected_interval) - int64_t(received_interval);
  b.fraction_lost =
      (expected_interval == 0 || lost_interval <= 0)
          ? 0
          : static_cast<uint8_t>(std::min<int64_t>(255, (lost_interval << 8) / expected_interval));
  b.jitter = jitter_ >> 4;
  b.last_sr = last_sr;
  b.delay_since_last_sr = delay_since_last_sr;
  return b;
}

}  // namespace mcu::media::rtp
