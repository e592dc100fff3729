#include "media/audio_mix_thread.h"

#include <pthread.h>

#include <chrono>

namespace mcu::media {

AudioMixThread::AudioMixThread(std::string name, Output output, SpeakerOutput speaker)
    : output_(std::move(output)), speaker_output_(std::move(speaker)) {
  thread_ = std::thread([this, name = std::move(name)] {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    Run();
  });
}

AudioMixThread::~AudioMixThread() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void AudioMixThread::AddSite(ParticipantId id, AudioCodec codec) {
  auto s = std::make_shared<Site>(codec);  // Codec state made here, not under the lock.
  std::lock_guard lock(mu_);
  sites_[id] = std::move(s);
  sites_changed_ = true;
}

void AudioMixThread::SetMuted(ParticipantId id, bool muted) {
  std::lock_guard lock(mu_);
  if (auto it = sites_.find(id); it != sites_.end()) it->second->muted = muted;
}

void AudioMixThread::RemoveSite(ParticipantId id) {
  std::shared_ptr<Site> s;
  {
    std::lock_guard lock(mu_);
    auto it = sites_.find(id);
    if (it == sites_.end()) return;
    s = it->second;
    sites_.erase(it);
    sites_changed_ = true;
  }
  std::lock_guard lock(tick_mu_);  // Not while the tick uses its codec state.
  s->decoder.reset();
  s->encoder.reset();
}

void AudioMixThread::Push(ParticipantId id, uint16_t seq, std::span<const uint8_t> payload) {
  std::lock_guard lock(mu_);
  auto it = sites_.find(id);
  if (it == sites_.end()) return;
  it->second->pending.push_back({seq, {payload.begin(), payload.end()}});
  if (it->second->pending.size() > 50) it->second->pending.erase(it->second->pending.begin());
}

AudioMixThread::Payload AudioMixThread::Encode(AudioEncoder& e, std::span<const int16_t> pcm) {
  auto out = std::make_shared<std::vector<uint8_t>>(e.max_payload());
  size_t n = e.Encode(pcm, *out);
  if (n == 0) return nullptr;
  out->resize(n);
  return out;
}

void AudioMixThread::Run() {
  auto next = std::chrono::steady_clock::now();
  // Reused from tick to tick (cleared, capacity kept).
  std::vector<std::pair<ParticipantId, std::shared_ptr<Site>>> sites;
  std::vector<std::vector<std::pair<uint16_t, std::vector<uint8_t>>>> pending;
  std::unique_lock lock(mu_);
  while (!stop_) {
    next += std::chrono::milliseconds(20);
    if (cv_.wait_until(lock, next, [&] { return stop_; })) break;
    if (std::chrono::steady_clock::now() - next > std::chrono::milliseconds(200))
      next = std::chrono::steady_clock::now();  // Fell far behind (suspended): do not burst.
    sites.assign(sites_.begin(), sites_.end());
    pending.resize(sites.size());
    for (size_t i = 0; i < sites.size(); ++i) pending[i].swap(sites[i].second->pending);
    // Mix-minus matches its talker history to sites by index: a new site list starts afresh.
    if (sites_changed_) mix_.ForgetHistory();
    sites_changed_ = false;
    lock.unlock();
    Tick(sites, pending);
    // Handed back empty with their capacity: Push then rarely allocates the queue.
    for (size_t i = 0; i < sites.size(); ++i) pending[i].clear();
    sites.clear();
    lock.lock();
  }
}

void AudioMixThread::Tick(
    std::vector<std::pair<ParticipantId, std::shared_ptr<Site>>>& sites,
    std::vector<std::vector<std::pair<uint16_t, std::vector<uint8_t>>>>& pending) {
  std::lock_guard tick(tick_mu_);
  ++ticks_;
  inputs_.clear();
  std::vector<uint8_t> packet;
  for (size_t i = 0; i < sites.size(); ++i) {
    Site& s = *sites[i].second;
    for (auto& [seq, payload] : pending[i]) s.jitter.Insert(seq, payload);
    s.has_pcm = false;
    if (!s.decoder) {
      inputs_.emplace_back();
      continue;
    }
    auto r = s.jitter.Pop(packet);
    if (s.muted) {  // Kept flowing (so unmuting starts from fresh packets), not decoded.
      inputs_.emplace_back();
      continue;
    }
    if (r == AudioJitterBuffer::Result::kPacket) {
      auto d = s.decoder->Decode(packet, s.pcm);
      if (d == AudioDecoder::Result::kResized) ++payloads_resized_;
      if (d == AudioDecoder::Result::kConcealed) ++payloads_concealed_;
      s.has_pcm = true;
    } else if (r == AudioJitterBuffer::Result::kLost) {
      s.decoder->Conceal(s.pcm);
      s.has_pcm = true;
    }
    inputs_.push_back(s.has_pcm ? std::span<const int16_t>(s.pcm) : std::span<const int16_t>());
  }
  mix_.Mix(inputs_);
  levels_.clear();
  for (size_t i = 0; i < sites.size(); ++i)
    levels_.push_back(
        {sites[i].first, inputs_[i].empty() ? std::nullopt : std::optional<double>(mix_.level(i))});
  if (speaker_.Tick(levels_)) speaker_output_(speaker_.speaker());
  // The full mix, once per codec that a silent site receives.
  std::array<bool, kAudioCodecCount> shared_needed{};
  for (size_t i = 0; i < sites.size(); ++i)
    if (!mix_.talking(i)) shared_needed[CodecIndex(sites[i].second->codec)] = true;
  std::array<Payload, kAudioCodecCount> shared;
  for (size_t c = 0; c < kAudioCodecCount; ++c) {
    if (!shared_needed[c]) continue;
    auto& e = shared_encoders_[c];
    if (!e) e = AudioEncoder::Create(static_cast<AudioCodec>(c));
    shared[c] = Encode(*e, mix_.full_mix());
    ++encodings_;
  }
  std::vector<std::pair<ParticipantId, Payload>> out;
  out.reserve(sites.size());
  for (size_t i = 0; i < sites.size(); ++i) {
    Site& s = *sites[i].second;
    Payload payload = shared[CodecIndex(s.codec)];
    if (mix_.talking(i)) {
      if (!s.encoder) s.encoder = AudioEncoder::Create(s.codec);
      payload = Encode(*s.encoder, mix_.For(i));
      ++encodings_;
    }
    if (payload) out.emplace_back(sites[i].first, std::move(payload));
  }
  if (!out.empty()) output_(std::move(out));
}

}  // namespace mcu::media
