// The SIP agent's implementation (signaling/sip_agent.h), shared by sip_agent.cpp (life cycle,
// the thread, posting, the public methods) and sip_agent_calls.cpp (nua's events, the calls).
// Private to those files: this is the one header that includes sofia.
//
// Threading: everything below the mutex is owned by mcu-sip; the mutex guards the task queue
// that other threads post to.
#pragma once

#include <sofia-sip/nua.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/su_wait.h>

#include <atomic>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "signaling/sip_agent.h"
#include "signaling/sip_messages.h"

namespace mcu::signaling {

// nua keeps the phrase pointer of nua_respond() until the response is sent: only static text.
const char* SipPhrase(int status);
std::string SipUrlText(const url_t* url);
std::string SipBody(const sip_t* sip);
std::string SipContentType(const sip_t* sip);

class SipAgent::Impl {
 public:
  Impl(SipAgentConfig config, Handler* handler)
      : config_(std::move(config)),
        handler_(handler),
        limiter_(config_.requests_per_second, config_.request_burst, config_.limit_log_interval_s) {
  }

  Status Start();
  void Stop();
  // Any thread: runs `fn` on mcu-sip; dropped once the agent stops.
  void Post(std::function<void()> fn);

  // mcu-sip.
  void DoRespond(CallId id, int status, const std::string& reason, std::string sdp);
  void DoHangup(CallId id, const std::string& reason);
  void DoKeyframeRequest(CallId id);
  void DoDial(CallId id, const OutgoingCall& call);
  // Any thread: the id of a call Dial() is about to place.
  CallId NewCallId() { return next_id_.fetch_add(1); }

 private:
  struct Listener {
    Impl* impl;
    SipTransport transport;
    nua_t* nua = nullptr;
    bool down = false;  // nua_shutdown completed.
  };
  // Incoming: kOffered -> kAnswered (our 200) -> kConfirmed (its ACK). Outgoing: kDialing (our
  // INVITE) -> kConfirmed (its 2xx, our ACK).
  enum class CallState { kOffered, kAnswered, kConfirmed, kDialing };
  struct Call {
    CallId id;
    nua_handle_t* nh;
    Listener* listener;
    CallState state = CallState::kOffered;
    std::string local_sdp;   // The last body we sent: every re-INVITE and refresh gets it.
    std::string end_reason;  // Set by whatever ends the call, reported at nua's "terminated".
    // Our Contact in every 2xx of a TLS call (and in the INVITEs we send over TLS):
    // sip:mcu@<the host:port it dialled>;transport=tls rather than nua's sips: form, which some
    // stacks cannot route to (libre in baresip 1.0 fails the ACK with ENOSYS). Empty: nua's own.
    std::string contact;
    bool outgoing = false;
  };

  static void OnNuaEvent(nua_event_t event, int status, const char* phrase, nua_t* nua,
                         nua_magic_t* magic, nua_handle_t* nh, nua_hmagic_t* hmagic,
                         const sip_t* sip, tagi_t tags[]) noexcept;
  static void OnWake(su_root_magic_t* magic, su_msg_r msg, su_msg_arg_t* arg) noexcept;

  void Run(std::promise<Status>* started);
  Status WriteCertificates();
  Status OpenListener(SipTransport transport, uint16_t port);
  void BeginShutdown();

  void HandleEvent(Listener* l, nua_event_t event, int status, const char* phrase, nua_handle_t* nh,
                   const sip_t* sip, tagi_t tags[]);
  void OnInvite(Listener* l, nua_handle_t* nh, const sip_t* sip);
  void OnReInvite(Listener* l, Call* call, const sip_t* sip);
  void OnAckEvent(Call* call, const sip_t* sip);
  void OnInfo(Listener* l, nua_handle_t* nh, const sip_t* sip);
  void OnUpdate(Listener* l, Call* call, const sip_t* sip);
  void OnOptions(Listener* l, nua_handle_t* nh);
  void OnState(nua_handle_t* nh, int status, const char* phrase, tagi_t tags[]);
  void OnInviteResponse(Call* call, int status, const char* phrase, const sip_t* sip);
  // The host of From and Contact in a call to `host` (SipAgentConfig::public_address).
  std::string LocalHostToward(const std::string& host) const;
  // False (and a 503 sent) when the current request's source is over its limit.
  bool Admit(Listener* l, nua_handle_t* nh, const std::string& source, const char* what);
  void EndCall(Call* call, const std::string& reason);
  Call* Find(CallId id);
  Call* FindByHandle(nua_handle_t* nh);

  const SipAgentConfig config_;
  Handler* const handler_;
  std::string cert_dir_;
  std::thread thread_;

  std::mutex mu_;
  std::deque<std::function<void()>> tasks_;  // Guarded by mu_.
  bool accepting_ = false;                   // Guarded by mu_.
  bool wake_pending_ = false;                // Guarded by mu_.
  su_root_t* root_ = nullptr;                // Set on mcu-sip before accepting_.

  // mcu-sip only.
  su_home_t home_[1] = {};
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::unordered_map<CallId, std::unique_ptr<Call>> calls_;
  std::unordered_map<nua_handle_t*, CallId> by_handle_;
  std::atomic<CallId> next_id_{1};
  SourceLimiter limiter_;
  bool shutting_down_ = false;
};

}  // namespace mcu::signaling
