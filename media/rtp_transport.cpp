#include "media/rtp_transport.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "media/clock.h"

namespace mcu::media {
namespace {

int64_t UnixUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint32_t RandomSsrc() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  uint32_t v;
  do v = rng();
  while (v == 0);
  return v;
}

}  // namespace

RtpTransport::RtpTransport(IoLoop* loop, Listener* listener) : loop_(loop), listener_(listener) {
  audio_in_.clock_rate = audio_out_.clock_rate = 48000;
  video_in_.clock_rate = video_out_.clock_rate = 90000;
  audio_out_.ssrc = RandomSsrc();
  video_out_.ssrc = RandomSsrc();
  audio_out_.history = RetransmissionHistory(1);  // Audio is not retransmitted.
  scratch_.reserve(kMaxDatagram + SrtpSession::kMaxTrailer);
}

RtpTransport::~RtpTransport() = default;

void RtpTransport::MapPayloadType(int pt, sdp::Kind kind) {
  if (pt < 0 || pt >= 128) return;
  if (kind == sdp::Kind::kAudio) payload_kinds_[pt] |= kAudioBit;
  if (kind == sdp::Kind::kVideo) payload_kinds_[pt] |= kVideoBit;
}

void RtpTransport::SetRemoteSsrc(sdp::Kind kind, uint32_t ssrc) {
  if (kind == sdp::Kind::kAudio || kind == sdp::Kind::kVideo) InboundFor(kind)->ssrc = ssrc;
}

void RtpTransport::StartReports(bool bundled) {
  bundled_ = bundled;
  if (rtcp_timer_) return;
  rtcp_timer_ = loop_->AddTimer(1000, [this] {
    SendRtcpReports();
    return true;
  });
}

void RtpTransport::StopRtp() {
  closed_ = true;
  for (guint* t : {&rtcp_timer_, &nack_timer_}) {
    if (*t) loop_->CancelTimer(*t);
    *t = 0;
  }
}

void RtpTransport::Connected() {
  connected_ = true;
  listener_->OnTransportConnected(*this);
}

void RtpTransport::HandleRtp(std::optional<sdp::Kind> channel, uint8_t* data, size_t len) {
  if (!SrtpFor(channel.value_or(sdp::Kind::kAudio)).UnprotectRtp(data, len)) {
    ++dropped_;
    return;
  }
  const int64_t now = NowUs();
  last_authentic_us_ = now;
  std::span<uint8_t> packet(data, len);
  auto h = rtp::ParseRtp(packet);
  if (!h) {
    ++dropped_;
    return;
  }
  // A bundled flow tells the medium by payload type; a SIP leg by the socket, and each medium
  // is its own RTP session that may reuse the other's payload type numbers.
  const uint8_t bits = payload_kinds_[h->payload_type];
  sdp::Kind kind = sdp::Kind::kOther;
  if (channel) {
    const uint8_t bit = *channel == sdp::Kind::kAudio ? kAudioBit : kVideoBit;
    if (bits & bit) kind = *channel;
  } else if (bits == kAudioBit) {
    kind = sdp::Kind::kAudio;
  } else if (bits == kVideoBit) {
    kind = sdp::Kind::kVideo;
  }
  if (kind != sdp::Kind::kAudio && kind != sdp::Kind::kVideo) {
    ++dropped_;
    return;
  }
  Inbound* in = InboundFor(kind);
  if (in->ssrc == 0) in->ssrc = h->ssrc;
  if (h->ssrc != in->ssrc) {
    ++dropped_;  // A second source on the same m-line (simulcast, RTX) is not negotiated.
    return;
  }
  if (!in->stats) in->stats.emplace(in->clock_rate);
  in->stats->OnPacket(h->sequence, h->timestamp, now, h->payload_size);
  in->counters.packets++;
  in->counters.bytes += h->payload_size;
  if (kind == sdp::Kind::kVideo) {
    bool retransmitted = in->nack.OnPacket(h->sequence);
    if (retransmitted) in->counters.retransmits++;
    if (h->marker && !retransmitted) in->counters.frames++;
    if (in->nack.TakeKeyframeNeeded()) RequestKeyframe();
    if (in->nack.missing() > 0) {
      SendNacks();
      if (!nack_timer_) {
        nack_timer_ = loop_->AddTimer(20, [this] {
          SendNacks();
          if (video_in_.nack.missing() == 0) {
            nack_timer_ = 0;
            return false;
          }
          return true;
        });
      }
    }
  }
  listener_->OnTransportRtp(*this, kind, *h, packet);
}

void RtpTransport::HandleRtcp(std::optional<sdp::Kind> channel, uint8_t* data, size_t len) {
  if (!SrtcpFor(channel.value_or(sdp::Kind::kAudio)).UnprotectRtcp(data, len)) {
    ++dropped_;
    return;
  }
  const int64_t now = NowUs();
  last_authentic_us_ = now;
  auto rtcp = rtp::ParseRtcp({data, len});
  if (!rtcp) {
    ++dropped_;
    return;
  }
  for (const auto& sr : rtcp->sender_reports) {
    for (Inbound* in : {&audio_in_, &video_in_}) {
      if (in->ssrc == sr.ssrc) {
        in->last_sr_mid = rtp::NtpMiddle32(sr.ntp);
        in->last_sr_arrival_us = now;
      }
    }
    for (const auto& b : sr.blocks) UpdateRtt(b);
  }
  for (const auto& rr : rtcp->receiver_reports)
    for (const auto& b : rr.blocks) UpdateRtt(b);
  for (const auto& nack : rtcp->nacks) {
    if (nack.media_ssrc != video_out_.ssrc) continue;
    video_out_.counters.nacks += nack.sequences.size();
    const int64_t min_interval =
        std::max(kMinResendIntervalUs, static_cast<int64_t>(rtt_ms_ * 1000 * 0.8));
    size_t served = 0;
    for (uint16_t seq : nack.sequences) {
      if (served == kMaxResendsPerNack || resend_budget_ <= 0) break;
      if (const auto* p = video_out_.history.Find(seq, now, min_interval)) {
        SendDatagram(sdp::Kind::kVideo, false, *p);
        video_out_.counters.retransmits++;
        resend_budget_ -= static_cast<int64_t>(p->size());
        ++served;
      }
    }
  }
  for (const auto& cap : rtcp->tmmbrs) {
    if (cap.media_ssrc != video_out_.ssrc || video_out_.ssrc == 0) continue;
    std::vector<uint8_t> tmmbn;
    rtp::WriteReceiverReport({video_out_.ssrc, {}}, tmmbn);
    rtp::WriteTmmbn(video_out_.ssrc, cap, tmmbn);
    SendRtcp(sdp::Kind::kVideo, tmmbn);
    const uint64_t kbps = cap.bitrate_bps / 1000;
    listener_->OnTransportBitrateCap(*this, static_cast<int>(std::min<uint64_t>(kbps, INT32_MAX)));
  }
  for (const auto& kf : rtcp->keyframe_requests) {
    if (kf.media_ssrc != video_out_.ssrc) continue;
    (kf.fir ? video_out_.counters.firs : video_out_.counters.plis)++;
    listener_->OnTransportKeyframeRequest(*this);
  }
}

void RtpTransport::UpdateRtt(const rtp::ReportBlock& b) {
  Outbound* out = b.ssrc == audio_out_.ssrc   ? &audio_out_
                  : b.ssrc == video_out_.ssrc ? &video_out_
                                              : nullptr;
  if (!out) return;
  out->counters.lost = b.cumulative_lost;
  out->counters.fraction_lost = b.fraction_lost / 256.0;
  out->counters.jitter_ms = out->clock_rate ? 1000.0 * b.jitter / out->clock_rate : 0;
  if (b.last_sr == 0) return;
  uint32_t now_mid = rtp::NtpMiddle32(rtp::NtpFromUnixMicros(UnixUs()));
  uint32_t rtt = now_mid - b.last_sr - b.delay_since_last_sr;  // 1/65536 s
  if (rtt < 65536u * 10) rtt_ms_ = rtt * 1000.0 / 65536.0;
}

void RtpTransport::SendRtp(sdp::Kind kind, std::span<const uint8_t> packet) {
  if (!connected_ || closed_ || packet.size() > kMaxDatagram) return;
  if (auto h = rtp::ParseRtp(packet)) SendParsed(kind, packet, *h, h->sequence, h->timestamp);
}

void RtpTransport::SendRtp(sdp::Kind kind, std::span<const uint8_t> packet, uint16_t sequence,
                           uint32_t timestamp, int payload_type) {
  if (!connected_ || closed_ || packet.size() > kMaxDatagram) return;
  if (auto h = rtp::ParseRtp(packet))
    SendParsed(kind, packet, *h, sequence, timestamp, payload_type);
}

void RtpTransport::SendParsed(sdp::Kind kind, std::span<const uint8_t> packet,
                              const rtp::RtpHeader& h, uint16_t sequence, uint32_t timestamp,
                              int payload_type) {
  Outbound& out = kind == sdp::Kind::kAudio ? audio_out_ : video_out_;
  scratch_.assign(packet.begin(), packet.end());
  if (payload_type >= 0)  // Keeps the marker bit.
    scratch_[1] = static_cast<uint8_t>((scratch_[1] & 0x80) | (payload_type & 0x7f));
  rtp::SetSsrc(scratch_, out.ssrc);
  rtp::SetSequence(scratch_, sequence);
  rtp::SetTimestamp(scratch_, timestamp);
  int64_t now = NowUs();
  out.counters.packets++;
  out.counters.bytes += h.payload_size;
  if (kind == sdp::Kind::kVideo && h.marker) out.counters.frames++;
  out.last_rtp_ts = timestamp;
  out.last_send_us = now;
  if (!SrtpFor(kind).ProtectRtp(scratch_)) {
    ++dropped_;
    return;
  }
  if (kind == sdp::Kind::kVideo) {
    out.history.Store(sequence, scratch_, now);
    resend_budget_ =
        std::min(kMaxResendBudget, resend_budget_ + static_cast<int64_t>(scratch_.size() / 2));
  }
  SendDatagram(kind, false, scratch_);
}

void RtpTransport::RequestKeyframe(int64_t min_interval_ms) {
  if (!connected_ || closed_ || video_in_.ssrc == 0) return;
  int64_t now = NowUs();
  if (keyframe_method_ == KeyframeMethod::kSignalling)
    min_interval_ms = std::max<int64_t>(min_interval_ms, 500);  // A SIP transaction each.
  if (now - last_pli_us_ < min_interval_ms * 1000) return;
  last_pli_us_ = now;
  if (keyframe_method_ == KeyframeMethod::kSignalling) {
    video_in_.counters.plis++;
    listener_->OnTransportKeyframeWanted(*this);
    return;
  }
  std::vector<uint8_t> rtcp;
  rtp::ReceiverReport rr{video_out_.ssrc, {}};
  rtp::WriteReceiverReport(rr, rtcp);  // A compound packet must begin with SR or RR.
  if (keyframe_method_ == KeyframeMethod::kFir)
    rtp::WriteFir(video_out_.ssrc, video_in_.ssrc, fir_sequence_++, rtcp);
  else
    rtp::WritePli(video_out_.ssrc, video_in_.ssrc, rtcp);
  video_in_.counters.plis++;
  SendRtcp(sdp::Kind::kVideo, rtcp);
}

void RtpTransport::SendNacks() {
  if (!connected_ || video_in_.ssrc == 0) return;
  if (rtt_ms_ > 0) video_in_.nack.set_retry_interval_us(std::max<int64_t>(20'000, rtt_ms_ * 1000));
  auto seqs = video_in_.nack.Collect(NowUs());
  if (seqs.empty()) return;
  std::vector<uint8_t> rtcp;
  rtp::WriteReceiverReport({video_out_.ssrc, {}}, rtcp);
  rtp::WriteNack({video_out_.ssrc, video_in_.ssrc, seqs}, rtcp);
  video_in_.counters.nacks += seqs.size();
  SendRtcp(sdp::Kind::kVideo, rtcp);
}

void RtpTransport::AppendReports(std::span<Outbound* const> outs, std::span<Inbound* const> ins,
                                 std::vector<uint8_t>& rtcp) {
  int64_t now = NowUs();
  uint64_t ntp = rtp::NtpFromUnixMicros(UnixUs());
  std::vector<rtp::ReportBlock> blocks;
  for (Inbound* in : ins) {
    if (!in->stats) continue;
    uint32_t dlsr = in->last_sr_arrival_us
                        ? static_cast<uint32_t>((now - in->last_sr_arrival_us) * 65536 / 1000000)
                        : 0;
    blocks.push_back(in->stats->MakeReportBlock(in->ssrc, in->last_sr_mid, dlsr));
  }
  bool first = true;
  for (Outbound* out : outs) {
    if (out->counters.packets == 0) continue;
    rtp::SenderReport sr;
    sr.ssrc = out->ssrc;
    sr.ntp = ntp;
    sr.rtp_timestamp = out->last_rtp_ts +
                       static_cast<uint32_t>((now - out->last_send_us) * out->clock_rate / 1000000);
    sr.packet_count = static_cast<uint32_t>(out->counters.packets);
    sr.octet_count = static_cast<uint32_t>(out->counters.bytes);
    if (first) sr.blocks = blocks;
    first = false;
    rtp::WriteSenderReport(sr, rtcp);
  }
  if (first) rtp::WriteReceiverReport({outs.front()->ssrc, blocks}, rtcp);
  rtp::WriteSdesCname(outs.front()->ssrc, "mcu", rtcp);
}

void RtpTransport::SendRtcpReports() {
  if (!connected_ || closed_) return;
  std::vector<uint8_t> rtcp;
  if (bundled_) {
    Outbound* const outs[] = {&audio_out_, &video_out_};
    Inbound* const ins[] = {&audio_in_, &video_in_};
    AppendReports(outs, ins, rtcp);
    SendRtcp(sdp::Kind::kAudio, rtcp);
    return;
  }
  // One RTP session per medium: each reports on its own path.
  for (auto kind : {sdp::Kind::kAudio, sdp::Kind::kVideo}) {
    Outbound* const outs[] = {kind == sdp::Kind::kAudio ? &audio_out_ : &video_out_};
    Inbound* const ins[] = {InboundFor(kind)};
    if (outs[0]->counters.packets == 0 && !ins[0]->stats) continue;
    rtcp.clear();
    AppendReports(outs, ins, rtcp);
    SendRtcp(kind, rtcp);
  }
}

void RtpTransport::SendRtcp(sdp::Kind kind, std::vector<uint8_t>& compound) {
  if (!SrtcpFor(kind).ProtectRtcp(compound)) {
    ++dropped_;
    return;
  }
  SendDatagram(kind, true, compound);
}

void RtpTransport::Fail(const std::string& reason) {
  if (failed_ || closed_) return;
  failed_ = true;
  listener_->OnTransportFailed(*this, reason);
}

void RtpTransport::ClosedByPeer() {
  if (failed_ || closed_) return;
  failed_ = true;  // Nothing more is sent or received; the owner closes us.
  listener_->OnTransportClosedByPeer(*this);
}

TransportStats RtpTransport::Stats() const {
  TransportStats s;
  s.rtt_ms = rtt_ms_;
  auto in = [](const Inbound& i) {
    DirectionStats d = i.counters;
    d.ssrc = i.ssrc;
    if (i.stats) {
      d.lost = i.stats->cumulative_lost();
      d.jitter_ms = i.stats->jitter_seconds() * 1000;
    }
    return d;
  };
  s.audio_in = in(audio_in_);
  s.video_in = in(video_in_);
  s.audio_out = audio_out_.counters;
  s.audio_out.ssrc = audio_out_.ssrc;
  s.video_out = video_out_.counters;
  s.video_out.ssrc = video_out_.ssrc;
  s.dropped_datagrams = dropped_;
  AddTransportStats(s);
  return s;
}

}  // namespace mcu::media
