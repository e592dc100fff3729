// RTP and RTCP wire formats (RFC 3550, RFC 4585, RFC 5104), demultiplexing of one UDP flow
// (RFC 7983), and the per-stream receive statistics of RFC 3550 appendix A. Pure code over byte
// spans; no allocation on the parse paths; safe on any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mcu::media::rtp {

using Bytes = std::span<const uint8_t>;

// RFC 7983 first-byte demultiplexing of STUN, DTLS and SRTP/SRTCP on one port.
enum class PacketClass { kStun, kDtls, kRtp, kRtcp, kUnknown };
PacketClass Classify(Bytes packet);

inline constexpr size_t kRtpHeaderMin = 12;

struct RtpHeader {
  bool marker = false;
  uint8_t payload_type = 0;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  size_t header_size = 0;   // Fixed header + CSRCs + extension.
  size_t payload_size = 0;  // Without padding.
};
// Parses an RTP header; nullopt for anything that is not a well-formed RTP v2 packet.
std::optional<RtpHeader> ParseRtp(Bytes packet);
void SetSsrc(std::span<uint8_t> packet, uint32_t ssrc);
void SetSequence(std::span<uint8_t> packet, uint16_t seq);
void SetTimestamp(std::span<uint8_t> packet, uint32_t ts);

// ----- RTCP -------------------------------------------------------------------------------

struct ReportBlock {
  uint32_t ssrc = 0;                 // The source this block reports on.
  uint8_t fraction_lost = 0;         // Fixed point /256 since the previous report.
  int32_t cumulative_lost = 0;       // 24-bit signed.
  uint32_t highest_sequence = 0;     // Extended.
  uint32_t jitter = 0;               // In RTP timestamp units.
  uint32_t last_sr = 0;              // Middle 32 bits of the NTP time of the last SR received.
  uint32_t delay_since_last_sr = 0;  // 1/65536 s.
};

struct SenderReport {
  uint32_t ssrc = 0;
  uint64_t ntp = 0;  // 32.32 fixed point.
  uint32_t rtp_timestamp = 0;
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;
  std::vector<ReportBlock> blocks;
};

struct ReceiverReport {
  uint32_t ssrc = 0;
  std::vector<ReportBlock> blocks;
};

struct Nack {  // RTPFB FMT 1 (RFC 4585 6.2.1), expanded to sequence numbers.
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  std::vector<uint16_t> sequences;
};

// PSFB PLI (FMT 1) or FIR (FMT 4), or RFC 2032's FIR (packet type 192, no sender), for one
// media source.
struct KeyframeRequest {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  bool fir = false;
};

// RTPFB TMMBR (FMT 3, RFC 5104 4.2.1): a receiver's cap on the stream it receives. TMMBN (FMT 4)
// carries the same tuple back: the bound the sender honours.
struct Tmmbr {
  uint32_t sender_ssrc = 0;  // Who asks (the tuple's owner).
  uint32_t media_ssrc = 0;   // The stream to cap (the FCI's SSRC).
  uint64_t bitrate_bps = 0;  // Mantissa << exponent, saturated.
  uint16_t overhead = 0;     // Measured per-packet overhead, bytes.
};

// The items of a compound RTCP packet that the transport acts on; the rest (SDES, BYE, APP,
// REMB, transport-cc) are counted in `ignored`.
struct RtcpPackets {
  std::vector<SenderReport> sender_reports;
  std::vector<ReceiverReport> receiver_reports;
  std::vector<Nack> nacks;
  std::vector<KeyframeRequest> keyframe_requests;
  std::vector<Tmmbr> tmmbrs;
  std::vector<uint32_t> byes;
  int ignored = 0;
};
// Parses a compound RTCP packet. Returns nullopt if any header is malformed or a length runs
// past the end (the whole packet is then dropped, as RFC 3550 6.4 validity checks do).
std::optional<RtcpPackets> ParseRtcp(Bytes packet);

// Writers append one RTCP packet to `out`; a compound packet is several appends.
void WriteSenderReport(const SenderReport& sr, std::vector<uint8_t>& out);
void WriteReceiverReport(const ReceiverReport& rr, std::vector<uint8_t>& out);
void WriteSdesCname(uint32_t ssrc, const std::string& cname, std::vector<uint8_t>& out);
void WriteNack(const Nack& nack, std::vector<uint8_t>& out);
void WritePli(uint32_t sender_ssrc, uint32_t media_ssrc, std::vector<uint8_t>& out);
void WriteFir(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t seq, std::vector<uint8_t>& out);
// TMMBN from `sender_ssrc` (the capped stream's sender) acknowledging `bound`.
void WriteTmmbn(uint32_t sender_ssrc, const Tmmbr& bound, std::vector<uint8_t>& out);

// NTP time (32.32) from a system-clock microsecond count since the Unix epoch.
uint64_t NtpFromUnixMicros(int64_t unix_us);
inline uint32_t NtpMiddle32(uint64_t ntp) { return static_cast<uint32_t>(ntp >> 16); }

// ----- Receive statistics (RFC 3550 A.1, A.3, A.8) ----------------------------------------

class ReceiveStatistics {
 public:
  explicit ReceiveStatistics(uint32_t clock_rate) : clock_rate_(clock_rate) {}
  // `arrival_us`: local monotonic arrival time in microseconds.
  void OnPacket(uint16_t seq, uint32_t rtp_timestamp, int64_t arrival_us, size_t bytes);
  // Fills a report block (and advances the "since last report" window).
  ReportBlock MakeReportBlock(uint32_t ssrc, uint32_t last_sr, uint32_t delay_since_last_sr);

  uint64_t packets() const { return packets_; }
  uint64_t bytes() const { return bytes_; }
  int64_t cumulative_lost() const;
  uint32_t extended_highest() const { return cycles_ + max_seq_; }
  double jitter_seconds() const { return clock_rate_ ? (jitter_ / 16.0) / clock_rate_ : 0; }
  bool started() const { return started_; }

 private:
  uint32_t clock_rate_;
  bool started_ = false;
  uint16_t max_seq_ = 0;
  uint32_t cycles_ = 0;  // Shifted count of sequence wraps.
  uint32_t base_seq_ = 0;
  uint64_t packets_ = 0;
  uint64_t bytes_ = 0;
  uint32_t expected_prior_ = 0;
  uint64_t received_prior_ = 0;
  uint32_t jitter_ = 0;  // Scaled by 16 as in A.8.
  int64_t last_transit_ = 0;
  bool have_transit_ = false;
};

// Sequence number comparisons across the 16-bit wrap.
inline bool SeqNewer(uint16_t a, uint16_t b) { return a != b && uint16_t(a - b) < 0x8000; }

}  // namespace mcu::media::rtp
