#include "media/audio_mix_thread.h"

#include <pthread.h>

#include <chrono>

namespace mcu::media {

AudioMixThread::AudioMixThread(std::string name, Output output, SpeakerOutput speaker)
    : output_(std::move(output)), speaker_output_(std::move(speaker)) {
  shared_encoder_ = NewEncoder();
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
  for (auto& [id, s] : sites_) FreeSite(*s);
  opus_encoder_destroy(shared_encoder_);
}

void AudioMixThread::AddSite(ParticipantId id) {
  auto s = std::make_shared<Site>();
  int err = 0;
  s->decoder = opus_decoder_create(kMixRate, 1, &err);
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
  FreeSite(*s);
}

void AudioMixThread::Push(ParticipantId id, uint16_t seq, std::span<const uint8_t> payload) {
  std::lock_guard lock(mu_);
  auto it = sites_.find(id);
  if (it == sites_.end()) return;
  it->second->pending.push_back({seq, {payload.begin(), payload.end()}});
  if (it->second->pending.size() > 50) it->second->pending.erase(it->second->pending.begin());
}

OpusEncoder* AudioMixThread::NewEncoder() {
  int err = 0;
  OpusEncoder* e = opus_encoder_create(kMixRate, 1, OPUS_APPLICATION_VOIP, &err);
  opus_encoder_ctl(e, OPUS_SET_BITRATE(32000));
  opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(5));
  opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(1));
  return e;
}

void AudioMixThread::FreeSite(Site& s) {
  if (s.decoder) opus_decoder_destroy(s.decoder);
  if (s.encoder) opus_encoder_destroy(s.encoder);
  s.decoder = nullptr;
  s.encoder = nullptr;
}

std::shared_ptr<const std::vector<uint8_t>> AudioMixThread::Encode(OpusEncoder* e,
                                                                   std::span<const int16_t> pcm) {
  auto out = std::make_shared<std::vector<uint8_t>>(1275);
  int n = opus_encode(e, pcm.data(), kMixFrameSamples, out->data(),
                      static_cast<opus_int32>(out->size()));
  if (n < 0) return nullptr;
  out->resize(n);
  return out;
}

void AudioMixThread::Run() {
  auto next = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  while (!stop_) {
    next += std::chrono::milliseconds(20);
    if (cv_.wait_until(lock, next, [&] { return stop_; })) break;
    if (std::chrono::steady_clock::now() - next > std::chrono::milliseconds(200))
      next = std::chrono::steady_clock::now();  // Fell far behind (suspended): do not burst.
    std::vector<std::pair<ParticipantId, std::shared_ptr<Site>>> sites(sites_.begin(),
                                                                       sites_.end());
    std::vector<std::vector<std::pair<uint16_t, std::vector<uint8_t>>>> pending;
    for (auto& [id, s] : sites) pending.push_back(std::move(s->pending)), s->pending.clear();
    // Mix-minus matches its talker history to sites by index: a new site list starts afresh.
    if (sites_changed_) mix_.ForgetHistory();
    sites_changed_ = false;
    lock.unlock();
    Tick(sites, pending);
    lock.lock();
  }
}

void AudioMixThread::Tick(
    std::vector<std::pair<ParticipantId, std::shared_ptr<Site>>>& sites,
    std::vector<std::vector<std::pair<uint16_t, std::vector<uint8_t>>>>& pending) {
  std::lock_guard tick(tick_mu_);
  ++ticks_;
  std::vector<std::span<const int16_t>> inputs;
  std::vector<uint8_t> packet;
  for (size_t i = 0; i < sites.size(); ++i) {
    Site& s = *sites[i].second;
    for (auto& [seq, payload] : pending[i]) s.jitter.Insert(seq, payload);
    s.has_pcm = false;
    if (!s.decoder) {
      inputs.emplace_back();
      continue;
    }
    auto r = s.jitter.Pop(packet);
    if (s.muted) {  // Kept flowing (so unmuting starts from fresh packets), not decoded.
      inputs.emplace_back();
      continue;
    }
    int n = 0;
    if (r == AudioJitterBuffer::Result::kPacket)
      n = opus_decode(s.decoder, packet.data(), static_cast<opus_int32>(packet.size()),
                      s.pcm.data(), kMixFrameSamples, 0);
    else if (r == AudioJitterBuffer::Result::kLost)
      n = opus_decode(s.decoder, nullptr, 0, s.pcm.data(), kMixFrameSamples, 0);  // Concealment.
    s.has_pcm = n == kMixFrameSamples;
    inputs.push_back(s.has_pcm ? std::span<const int16_t>(s.pcm) : std::span<const int16_t>());
  }
  mix_.Mix(inputs);
  levels_.clear();
  for (size_t i = 0; i < sites.size(); ++i)
    levels_.push_back(
        {sites[i].first, inputs[i].empty() ? std::nullopt : std::optional<double>(mix_.level(i))});
  if (speaker_.Tick(levels_)) speaker_output_(speaker_.speaker());
  auto shared = Encode(shared_encoder_, mix_.full_mix());
  std::vector<std::pair<ParticipantId, std::shared_ptr<const std::vector<uint8_t>>>> out;
  for (size_t i = 0; i < sites.size(); ++i) {
    Site& s = *sites[i].second;
    std::shared_ptr<const std::vector<uint8_t>> payload = shared;
    if (mix_.talking(i)) {
      if (!s.encoder) s.encoder = NewEncoder();
      payload = Encode(s.encoder, mix_.For(i));
    }
    if (payload) out.emplace_back(sites[i].first, std::move(payload));
  }
  if (!out.empty()) output_(std::move(out));
}

}  // namespace mcu::media
