#include "media/mix_peer.h"

#include <gst/app/gstappsrc.h>
#include <spdlog/spdlog.h>

#include <tuple>

#include "media/audio_mix.h"
#include "media/clock.h"
#include "media/codec_payload.h"
#include "media/media_engine.h"

namespace mcu::media {
namespace {

std::vector<Tier> TiersAt(const std::vector<Tier>& tiers, const std::vector<int>& ids) {
  std::vector<Tier> out;
  out.reserve(ids.size());
  for (int i : ids) out.push_back(tiers[i]);
  return out;
}

}  // namespace

// Out of line, where MixPeer is complete; `peers`, declared last, goes first.
MixIoState::~MixIoState() = default;

void MixIoState::RequestKeyframe(int tier, int64_t now) {
  if (tier >= 0 && tier < static_cast<int>(coalescers.size()) && coalescers[tier].Request(now))
    ForceKeyframe(tier);
}

void MixIoState::SetTier(int from, int to) {
  auto open = [&](int tier, bool on) {
    if (valves[tier]) g_object_set(valves[tier].get(), "drop", on ? FALSE : TRUE, nullptr);
  };
  if (from >= 0 && --receivers[from] == 0) open(from, false);
  if (to >= 0) {
    if (receivers[to]++ == 0) open(to, true);
    RequestKeyframe(to, NowUs());  // A new receiver needs one; coalesced with everyone else's.
  }
}

MixPeer::MixPeer(TransportMediaEngine* engine, MixIoState* io, AudioMixThread* audio,
                 ParticipantId id, MediaEndpoint::Listener* listener, int max_receive_kbps,
                 bool content, bool receive_only, PeerKind kind)
    : loop_(engine->loop()),
      io_(io),
      audio_(audio),
      id_(id),
      listener_(listener),
      content_(content),
      receive_only_(receive_only),
      tier_ids_(
          TiersOf(CompositeTiers(), kind == PeerKind::kSip ? VideoCodec::kH264 : VideoCodec::kVp8)),
      selector_(TiersAt(CompositeTiers(), tier_ids_)) {
  if (kind == PeerKind::kSip) {
    auto t = std::make_unique<SipTransport>(loop_, engine->transport_config(),
                                            engine->dtls_context(), this);
    sip_ = t.get();
    transport_ = std::move(t);
  } else {
    auto t = std::make_unique<PeerTransport>(
        loop_, engine->transport_config(), engine->dtls_context(), this,
        kind == PeerKind::kWebRtcOfferer ? PeerTransport::Role::kOfferer
                                         : PeerTransport::Role::kAnswerer);
    webrtc_ = t.get();
    transport_ = std::move(t);
  }
  max_receive_kbps_ = max_receive_kbps;
  max_decode_width_ = engine->transport_config().max_decode_width;
  max_decode_height_ = engine->transport_config().max_decode_height;
  limits_.kbps = max_receive_kbps;
  tier_ = tier_ids_[selector_.Choose(max_receive_kbps)];
}

void MixPeer::SetSipVideo(int in_pt, VideoCodec in_codec, int out_pt, const ReceiveLimits& limits) {
  MCU_DCHECK_ON_IO(loop_);
  in_vp8_pt_ = in_codec == VideoCodec::kVp8 ? in_pt : -1;
  in_h264_pt_ = in_codec == VideoCodec::kH264 ? in_pt : -1;
  out_pt_ = out_pt;
  if (out_pt < 0 || counted_) return;
  tier_ids_ = TiersOf(CompositeTiers(), VideoCodec::kH264, limits.packetization_mode);
  selector_ = TierSelector(TiersAt(CompositeTiers(), tier_ids_));
  int kbps = limits.kbps;
  if (max_receive_kbps_ > 0 && (kbps <= 0 || max_receive_kbps_ < kbps)) kbps = max_receive_kbps_;
  limits_ = limits;
  limits_.kbps = kbps;
  tier_ = tier_ids_[selector_.Choose(kbps, limits.frame_mbs, limits.mbs_per_s)];
  const Tier& t = CompositeTiers()[static_cast<size_t>(tier_)];
  spdlog::info(
      "participant {}: takes the H.264 composite at {}x{}, packetization-mode {} (limits: {} "
      "kb/s, {} MB/frame, {} MB/s)",
      id_, t.width, t.height, t.packetization_mode, kbps, limits.frame_mbs, limits.mbs_per_s);
}

void MixPeer::TakeH264Composite(int out_pt) {
  MCU_DCHECK_ON_IO(loop_);
  if (counted_) return;  // Too late: it receives its tier already.
  tier_ids_ = TiersOf(CompositeTiers(), VideoCodec::kH264);
  selector_ = TierSelector(TiersAt(CompositeTiers(), tier_ids_));
  tier_ = tier_ids_[selector_.Choose(max_receive_kbps_)];
  out_pt_ = out_pt;
}

void MixPeer::TakeOwnComposite(int slot, const Tier& tier) {
  MCU_DCHECK_ON_IO(loop_);
  if (counted_) return;
  tier_ids_ = {slot};
  selector_ = TierSelector({tier});
  tier_ = slot;
}

MixPeer::~MixPeer() {
  if (counted_) io_->SetTier(tier_, -1);
  transport_->Close();
}

void MixPeer::OnTransportConnected(RtpTransport& t) {
  MCU_DCHECK_ON_IO(loop_);
  listener_->OnMediaConnected(id_, t.Stats().srtp_profile);
  if (appsrc_) t.RequestKeyframe(0);  // Its decoder starts on a keyframe.
  SetReceivesVideo(receives_video_);
}

void MixPeer::SetReceivesVideo(bool v) {
  MCU_DCHECK_ON_IO(loop_);
  receives_video_ = v;
  // Counted as a receiver of its tier while it receives video and is connected.
  bool count = v && transport_->connected();
  if (count == counted_) return;
  counted_ = count;
  if (count)
    io_->SetTier(-1, tier_);  // Opens the tier if needed, asks it for a keyframe.
  else
    io_->SetTier(tier_, -1);
}

void MixPeer::OnTransportRtp(RtpTransport& t, sdp::Kind kind, const rtp::RtpHeader& h,
                             std::span<uint8_t> packet) {
  MCU_DCHECK_ON_IO(loop_);
  if (receive_only_) return;
  auto payload = packet.subspan(h.header_size, h.payload_size);
  if (kind == sdp::Kind::kAudio) {
    // Content has no voice: its audio, if it sends any, is not mixed.
    // (Telephone events share the audio m-line: they are not sound.)
    if (h.payload_type == audio_pt_ && !content_) audio_->Push(id_, h.sequence, payload);
    return;
  }
  if (h.payload_type != video_pt_ || !assembler_) {
    if (h.payload_type != in_vp8_pt_ && h.payload_type != in_h264_pt_) return;
    video_pt_ = h.payload_type;
    assembler_.emplace(h.payload_type == in_vp8_pt_ ? VideoCodec::kVp8 : VideoCodec::kH264);
  }
  int64_t now = NowUs();
  assembler_->Insert(h.sequence, h.timestamp, h.marker, payload, now);
  Drain(now);
  (void)t;
}

void MixPeer::Drain(int64_t now) {
  MCU_DCHECK_ON_IO(loop_);
  if (!assembler_) return;
  for (auto& f : assembler_->Pop(now)) {
    ++frames_in_;
    last_frame_us_ = now;
    if (f.keyframe) {
      ++keyframes_in_;
      if (auto size = KeyframeSize(assembler_->codec(), f.data)) {
        std::tie(width_in_, height_in_) = *size;
        RefuseIfTooLarge();
      }
    }
    // A picture larger than a site may send is never decoded: its decoder would allocate for
    // it. Its name card shows until a keyframe of an acceptable size.
    if (!appsrc_ || !decoding() || !video_refused_.empty()) continue;
    if (awaiting_keyframe_ && f.keyframe) {
      awaiting_keyframe_ = false;
      UpdateCard();
    }
    // The frame's bytes move into the buffer (no copy); the buffer frees them.
    auto* bytes = new std::vector<uint8_t>(std::move(f.data));
    GstBuffer* buf = gst_buffer_new_wrapped_full(
        GST_MEMORY_FLAG_READONLY, bytes->data(), bytes->size(), 0, bytes->size(), bytes,
        [](gpointer p) noexcept { delete static_cast<std::vector<uint8_t>*>(p); });
    if (!f.keyframe) GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
    // Non-blocking: appsrc queues the frame for the site's decoder thread (it is "leaky" so a
    // stuck decoder loses old frames rather than stalling the I/O thread).
    gst_app_src_push_buffer(GST_APP_SRC(appsrc_.get()), buf);
  }
  if (assembler_->TakeKeyframeRequest()) transport_->RequestKeyframe();
}

void MixPeer::RefuseIfTooLarge() {
  const int max_w = max_decode_width_, max_h = max_decode_height_;
  // Either orientation of the allowed size (a portrait camera), never more pixels.
  const bool fits = int64_t{width_in_} * height_in_ <= int64_t{max_w} * max_h &&
                    std::max(width_in_, height_in_) <= std::max(max_w, max_h);
  std::string why;
  if (!fits)
    why = std::to_string(width_in_) + "x" + std::to_string(height_in_) + " is larger than " +
          std::to_string(max_w) + "x" + std::to_string(max_h);
  if (why == video_refused_) return;
  if (why.empty())
    spdlog::info("participant {}: video accepted again at {}x{}", id_, width_in_, height_in_);
  else
    spdlog::warn("participant {}: video refused, not decoded: {}", id_, why);
  video_refused_ = std::move(why);
  UpdateCard();
}

void MixPeer::SetShown(bool visible, bool video_muted) {
  MCU_DCHECK_ON_IO(loop_);
  const bool was_decoding = decoding();
  visible_ = visible;
  video_muted_ = video_muted;
  if (!was_decoding && decoding() && assembler_) {
    assembler_->RestartAtKeyframe();  // Drain asks for it.
    awaiting_keyframe_ = true;
  }
  if (!decoding()) awaiting_keyframe_ = false;
  UpdateCard();
}

void MixPeer::UpdateCard() {
  MCU_DCHECK_ON_IO(loop_);
  const bool show =
      visible_ && (video_muted_ || stalled_ || awaiting_keyframe_ || !video_refused_.empty());
  if (!card_pad_ || show == card_shown_) return;
  card_shown_ = show;
  g_object_set(card_pad_.get(), "alpha", show ? 1.0 : 0.0, nullptr);
}

void MixPeer::Tick(int64_t now) {
  MCU_DCHECK_ON_IO(loop_);
  Drain(now);
  // A site that stops sending keeps its last frame on its tile; after kStallUs its name card
  // covers it, until frames come again.
  bool stalled = last_frame_us_ && now - last_frame_us_ > kStallUs;
  if (stalled != stalled_ && card_pad_) {
    stalled_ = stalled;
    UpdateCard();  // A muted site's card stays whatever its frames do.
    spdlog::info("participant {}: video {}", id_,
                 stalled ? "stopped: showing its name" : "resumed");
  }
  if (!counted_ || now < next_tier_check_us_) return;
  // Once a second: the receiver's cap (its last TMMBR) sets the ceiling, its loss (its last RTCP
  // report) moves it between tiers.
  next_tier_check_us_ = now + 1'000'000;
  if (cap_kbps_ != applied_cap_kbps_) {
    applied_cap_kbps_ = cap_kbps_;
    int ceiling = limits_.kbps;
    if (cap_kbps_ > 0 && (ceiling <= 0 || cap_kbps_ < ceiling)) ceiling = cap_kbps_;
    selector_.Choose(ceiling, limits_.frame_mbs, limits_.mbs_per_s);
    spdlog::info("participant {}: caps the composite at {} kb/s (TMMBR)", id_, cap_kbps_);
  }
  int tier =
      tier_ids_[selector_.OnReceiverReport(transport_->Stats().video_out.fraction_lost, now)];
  if (tier == tier_) return;
  spdlog::info("participant {}: composite tier {} -> {}", id_, tier_, tier);
  io_->SetTier(tier_, tier);
  tier_ = tier;
  tier_started_ = false;  // Switch on the new tier's next keyframe; the rewriter keeps it seamless.
}

void MixPeer::OnTransportKeyframeRequest(RtpTransport&) { io_->RequestKeyframe(tier_, NowUs()); }

void MixPeer::OnTransportBitrateCap(RtpTransport&, int kbps) {
  MCU_DCHECK_ON_IO(loop_);
  cap_kbps_ = std::max(kbps, 1);  // 0 asks for a pause: the lowest tier is the least there is.
}

void MixPeer::SendVideo(const TierFrame& f, int64_t now) {
  MCU_DCHECK_ON_IO(loop_);
  if (!receives_video_ || !transport_->connected() || f.tier != tier_) return;
  if (!tier_started_) {
    if (!f.keyframe) return;  // Start (or switch) on a keyframe.
    tier_started_ = true;
  }
  for (const auto& p : f.packets) {
    auto out =
        rewriter_.Rewrite(static_cast<uint32_t>(f.tier), p.sequence, p.timestamp, now, 90000);
    transport_->SendRtp(sdp::Kind::kVideo, p.data, out.sequence, out.timestamp, out_pt_);
  }
  ++frames_out_;
  if (f.keyframe) ++keyframes_out_;
}

void MixPeer::SendAudio(const std::vector<uint8_t>& payload) {
  MCU_DCHECK_ON_IO(loop_);
  if (!transport_->connected()) return;
  uint8_t header[12] = {0x80, audio_pt_};  // Sequence, timestamp and SSRC: set by SendRtp.
  if (!audio_started_) header[1] |= 0x80;  // Marker: the start of a talkspurt.
  audio_started_ = true;
  audio_packet_.assign(header, header + 12);
  audio_packet_.insert(audio_packet_.end(), payload.begin(), payload.end());
  transport_->SendRtp(sdp::Kind::kAudio, audio_packet_, audio_seq_++, audio_ts_);
  audio_ts_ += audio_step_;
  ++audio_out_;
}

MixParticipantStats MixPeer::MixStats() const {
  MCU_DCHECK_ON_IO(loop_);
  // An audio-only site: no tile (no decoder branch) and no tier.
  MixParticipantStats m;
  m.tile = static_cast<bool>(appsrc_);
  m.decoded = m.tile && decoding();
  m.video_muted = video_muted_;
  m.content = content_;
  m.tier = receives_video_ ? tier_ : -1;
  m.video_frames_in = frames_in_;
  m.video_frames_dropped = assembler_ ? assembler_->frames_dropped() : 0;
  m.composite_frames_out = frames_out_;
  m.audio_frames_out = audio_out_;
  return m;
}

ParticipantStats MixPeer::Stats(const std::vector<Tier>& tiers) const {
  MCU_DCHECK_ON_IO(loop_);
  ParticipantStats s;
  s.id = id_;
  s.transport = transport_->Stats();
  s.transport.video_in.keyframes = keyframes_in_;
  s.transport.video_out.keyframes = keyframes_out_;
  if (assembler_) s.video_codec_in = assembler_->codec() == VideoCodec::kVp8 ? "VP8" : "H264";
  s.width_in = width_in_, s.height_in = height_in_;
  s.video_refused = video_refused_;
  if (receives_video_ && tier_ >= 0 && tier_ < static_cast<int>(tiers.size())) {
    s.video_codec_out = tiers[tier_].codec == VideoCodec::kVp8 ? "VP8" : "H264";
    s.tier = tier_;
    s.width_out = tiers[tier_].width, s.height_out = tiers[tier_].height;
  }
  return s;
}

}  // namespace mcu::media
