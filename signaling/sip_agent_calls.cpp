// nua's events and the calls: what the SIP agent (signaling/sip_agent.h) does on mcu-sip.
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>

#include <cctype>
#include <chrono>
#include <exception>
#include <string>

#include "signaling/sip_agent_impl.h"

namespace mcu::signaling {
namespace {

constexpr const char* kSdpType = "application/sdp";
constexpr const char* kPictureFastUpdate =
    "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\r\n"
    "<media_control><vc_primitive><to_encoder><picture_fast_update/></to_encoder>"
    "</vc_primitive></media_control>\r\n";

double NowS() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Source {
  std::string address;
  uint16_t port = 0;
};

// Where the request being handled came from: the socket's peer, not what its headers claim.
Source SourceOf(nua_t* nua) {
  Source s;
  msg_t* msg = nua_current_request(nua);
  su_addrinfo_t* ai = msg ? msg_addrinfo(msg) : nullptr;
  if (!ai || !ai->ai_addr) return s;
  char host[NI_MAXHOST];
  char serv[NI_MAXSERV];
  if (getnameinfo(ai->ai_addr, static_cast<socklen_t>(ai->ai_addrlen), host, sizeof host, serv,
                  sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    s.address = host;
    s.port = static_cast<uint16_t>(std::stoi(serv));
  }
  return s;
}

std::string Unquote(const char* display) {
  std::string s = display ? display : "";
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

bool IsSdp(const std::string& content_type) {
  return strncasecmp(content_type.c_str(), kSdpType, std::strlen(kSdpType)) == 0;
}

void LogSdp(CallId id, const char* what, const std::string& sdp) {
  if (!sdp.empty() && spdlog::should_log(spdlog::level::debug))
    spdlog::debug("SIP call {}: {}:\n{}", id, what, RedactSdpKeys(sdp));
}

// The transport a call to `url` goes over (DialTransport); `named`: its URI says so (a sip: URI
// that does not is sent with ;transport=tls added).
Expected<SipTransport> TransportOf(const url_t* url, bool* named) {
  if (named) *named = false;
  if (!url || (url->url_type != url_sip && url->url_type != url_sips) || !url->url_host)
    return MakeError(ErrorKind::kInvalid, "not a SIP URI");
  char param[16];
  if (url->url_type != url_sip || !url_param(url->url_params, "transport", param, sizeof param))
    return SipTransport::kTls;
  if (named) *named = true;
  std::string t = param;
  for (auto& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (t == "tcp") return SipTransport::kTcp;
  if (t == "udp") return SipTransport::kUdp;
  if (t == "tls") return SipTransport::kTls;
  return MakeError(ErrorKind::kInvalid, "unknown transport " + t);
}

}  // namespace

Expected<SipTransport> DialTransport(const std::string& uri) {
  su_home_t home[1] = {SU_HOME_INIT(home)};
  auto transport = TransportOf(url_make(home, uri.c_str()), nullptr);
  su_home_deinit(home);
  return transport;
}

void SipAgent::Impl::OnNuaEvent(nua_event_t event, int status, const char* phrase, nua_t* nua,
                                nua_magic_t* magic, nua_handle_t* nh, nua_hmagic_t* /*hmagic*/,
                                const sip_t* sip, tagi_t tags[]) noexcept {
  auto* l = reinterpret_cast<Listener*>(magic);
  try {
    l->impl->HandleEvent(l, event, status, phrase ? phrase : "", nh, sip, tags);
  } catch (const std::exception& e) {
    spdlog::error("SIP: {} failed: {}", nua_event_name(event), e.what());
  }
}

void SipAgent::Impl::HandleEvent(Listener* l, nua_event_t event, int status, const char* phrase,
                                 nua_handle_t* nh, const sip_t* sip, tagi_t tags[]) {
  Call* call = nh ? FindByHandle(nh) : nullptr;
  switch (event) {
    case nua_i_invite:
      if (call)
        OnReInvite(l, call, sip);
      else
        OnInvite(l, nh, sip);
      break;
    case nua_i_ack:
      if (call) OnAckEvent(call, sip);
      break;
    case nua_i_cancel:
      if (call) call->end_reason = "CANCEL";
      break;
    case nua_i_bye:
      if (call) call->end_reason = "BYE";
      break;
    case nua_i_info:
      OnInfo(l, nh, sip);
      break;
    case nua_i_update:
      if (call) OnUpdate(l, call, sip);
      break;
    case nua_i_options:
      OnOptions(l, nh);
      break;
    case nua_i_state:
      OnState(nh, status, phrase, tags);
      break;
    case nua_r_invite:
      if (call && call->outgoing) OnInviteResponse(call, status, phrase, sip);
      break;
    case nua_i_error:
      // 408: the ACK of our 200 never came (nua sends the BYE).
      if (call && status == 408 && call->end_reason.empty()) call->end_reason = "ACK timeout";
      spdlog::debug("SIP: {} {} {}", nua_event_name(event), status, phrase);
      break;
    case nua_r_info:
    case nua_r_bye:
      if (status >= 300)
        spdlog::info("SIP call {}: {} answered {} {}", call ? call->id : 0,
                     event == nua_r_info ? "INFO" : "BYE", status, phrase);
      break;
    case nua_r_shutdown:
      if (status < 200) break;
      l->down = true;
      if (std::all_of(listeners_.begin(), listeners_.end(), [](auto& x) { return x->down; }))
        su_root_break(root_);
      break;
    default:
      break;
  }
}

bool SipAgent::Impl::Admit(Listener* l, nua_handle_t* nh, const std::string& source,
                           const char* what) {
  auto verdict = limiter_.Check(source, NowS());
  if (verdict.allowed) return true;
  if (verdict.log)
    spdlog::warn(
        "SIP: {} over the request limit ({}/s): {} {} refused with 503 (next report "
        "in {} s at the earliest)",
        source, config_.requests_per_second, verdict.refused_since_log, what,
        config_.limit_log_interval_s);
  std::string retry = std::to_string(config_.retry_after_s);
  nua_respond(nh, 503, SipPhrase(503), NUTAG_WITH_THIS(l->nua),
              SIPTAG_RETRY_AFTER_STR(retry.c_str()), TAG_END());
  nua_handle_destroy(nh);
  return false;
}

void SipAgent::Impl::OnInvite(Listener* l, nua_handle_t* nh, const sip_t* sip) {
  Source source = SourceOf(l->nua);
  if (!Admit(l, nh, source.address, "INVITE")) return;
  const char* transport = SipTransportName(l->transport);
  std::string from = sip->sip_from ? SipUrlText(sip->sip_from->a_url) : "";
  if (shutting_down_ || calls_.size() >= config_.max_calls) {
    spdlog::warn("SIP: INVITE from {} ({} {}:{}) refused: {}", from, transport, source.address,
                 source.port, shutting_down_ ? "shutting down" : "too many calls");
    std::string retry = std::to_string(config_.retry_after_s);
    nua_respond(nh, 503, SipPhrase(503), NUTAG_WITH_THIS(l->nua),
                SIPTAG_RETRY_AFTER_STR(retry.c_str()), TAG_END());
    nua_handle_destroy(nh);
    return;
  }
  std::string body = SipBody(sip);
  if (!body.empty() && !IsSdp(SipContentType(sip))) {
    spdlog::info("SIP: INVITE from {} refused: body of type {}", from, SipContentType(sip));
    nua_respond(nh, 415, SipPhrase(415), NUTAG_WITH_THIS(l->nua), SIPTAG_ACCEPT_STR(kSdpType),
                TAG_END());
    nua_handle_destroy(nh);
    return;
  }

  IncomingCall in;
  const url_t* ruri = sip->sip_request ? sip->sip_request->rq_url : nullptr;
  in.user = ruri && ruri->url_user ? ruri->url_user : "";
  in.request_uri = SipUrlText(ruri);
  in.to_uri = sip->sip_to ? SipUrlText(sip->sip_to->a_url) : "";
  in.from_uri = from;
  in.from_display = sip->sip_from ? Unquote(sip->sip_from->a_display) : "";
  in.source_address = source.address;
  in.source_port = source.port;
  in.transport = l->transport;
  in.user_agent =
      sip->sip_user_agent && sip->sip_user_agent->g_string ? sip->sip_user_agent->g_string : "";
  in.sdp = std::move(body);

  CallId id = NewCallId();
  auto call = std::make_unique<Call>();
  call->id = id;
  call->nh = nh;
  call->listener = l;
  if (l->transport == SipTransport::kTls && ruri && ruri->url_host)
    call->contact = std::string("<sip:mcu@") + ruri->url_host + ":" +
                    (ruri->url_port ? ruri->url_port : "5061") + ";transport=tls>";
  by_handle_[nh] = id;
  calls_[id] = std::move(call);
  spdlog::info("SIP call {}: INVITE {} from {} \"{}\" to {} via {} {}:{}{}{}", id, in.user,
               in.from_uri, in.from_display, in.to_uri, transport, in.source_address,
               in.source_port, in.sdp.empty() ? " (delayed offer)" : "",
               in.user_agent.empty() ? "" : " [" + in.user_agent + "]");
  LogSdp(id, "offer", in.sdp);
  handler_->OnIncomingCall(id, in);
}

void SipAgent::Impl::OnReInvite(Listener* l, Call* call, const sip_t* sip) {
  bool offer = !SipBody(sip).empty();
  bool refresh = sip->sip_session_expires != nullptr;
  if (call->state != CallState::kConfirmed || call->local_sdp.empty()) {
    // Before the ACK of our 200 the peer may not start another offer (RFC 3261 14.2).
    spdlog::info("SIP call {}: re-INVITE before the call was up: 491", call->id);
    nua_respond(call->nh, 491, SipPhrase(491), NUTAG_WITH_THIS(l->nua), TAG_END());
    return;
  }
  spdlog::info("SIP call {}: re-INVITE{} {}: 200 with the same SDP", call->id,
               refresh ? " (session refresh)" : "", offer ? "with an offer" : "without SDP");
  LogSdp(call->id, "re-INVITE offer", SipBody(sip));
  nua_respond(call->nh, 200, SipPhrase(200), NUTAG_WITH_THIS(l->nua),
              SIPTAG_CONTENT_TYPE_STR(kSdpType), SIPTAG_PAYLOAD_STR(call->local_sdp.c_str()),
              TAG_IF(!call->contact.empty(), SIPTAG_CONTACT_STR(call->contact.c_str())), TAG_END());
  handler_->OnInDialogRequest(call->id, {"INVITE", offer, refresh});
}

void SipAgent::Impl::OnAckEvent(Call* call, const sip_t* sip) {
  std::string sdp = IsSdp(SipContentType(sip)) ? SipBody(sip) : "";
  if (call->state != CallState::kAnswered) {
    LogSdp(call->id, "re-INVITE answer", sdp);
    return;  // The ACK of a re-INVITE: the SDP stays as it was.
  }
  call->state = CallState::kConfirmed;
  spdlog::info("SIP call {}: ACK{}", call->id, sdp.empty() ? "" : " with the answer");
  LogSdp(call->id, "answer", sdp);
  handler_->OnAck(call->id, sdp);
}

void SipAgent::Impl::OnInfo(Listener* l, nua_handle_t* nh, const sip_t* sip) {
  Call* call = FindByHandle(nh);
  if (!call) {
    nua_respond(nh, 481, SipPhrase(481), NUTAG_WITH_THIS(l->nua), TAG_END());
    nua_handle_destroy(nh);
    return;
  }
  InfoRequest info = ParseInfo(SipContentType(sip), SipBody(sip));
  if (info.kind == InfoRequest::Kind::kUnsupported) {
    spdlog::info("SIP call {}: INFO of type {}: 415", call->id, SipContentType(sip));
    nua_respond(nh, 415, SipPhrase(415), NUTAG_WITH_THIS(l->nua), SIPTAG_ACCEPT_STR(kSipInfoTypes),
                TAG_END());
    return;
  }
  nua_respond(nh, 200, SipPhrase(200), NUTAG_WITH_THIS(l->nua), TAG_END());
  if (info.kind == InfoRequest::Kind::kKeyframe) {
    spdlog::debug("SIP call {}: INFO picture_fast_update", call->id);
    handler_->OnKeyframeRequest(call->id);
  } else if (info.kind == InfoRequest::Kind::kDtmf) {
    spdlog::debug("SIP call {}: INFO DTMF", call->id);  // Digits may be a PIN: not logged.
    handler_->OnDtmf(call->id, info.digit);
  }
}

void SipAgent::Impl::OnUpdate(Listener* l, Call* call, const sip_t* sip) {
  bool offer = !SipBody(sip).empty();
  bool refresh = sip->sip_session_expires != nullptr;
  spdlog::info("SIP call {}: UPDATE{}{}", call->id, refresh ? " (session refresh)" : "",
               offer ? " with an offer: 200 with the same SDP" : "");
  if (offer && !call->local_sdp.empty()) {
    nua_respond(call->nh, 200, SipPhrase(200), NUTAG_WITH_THIS(l->nua),
                SIPTAG_CONTENT_TYPE_STR(kSdpType), SIPTAG_PAYLOAD_STR(call->local_sdp.c_str()),
                TAG_IF(!call->contact.empty(), SIPTAG_CONTACT_STR(call->contact.c_str())),
                TAG_END());
  } else if (offer) {
    nua_respond(call->nh, 491, SipPhrase(491), NUTAG_WITH_THIS(l->nua), TAG_END());
    return;
  } else {
    nua_respond(call->nh, 200, SipPhrase(200), NUTAG_WITH_THIS(l->nua), TAG_END());
  }
  handler_->OnInDialogRequest(call->id, {"UPDATE", offer, refresh});
}

void SipAgent::Impl::OnOptions(Listener* l, nua_handle_t* nh) {
  bool in_dialog = FindByHandle(nh) != nullptr;
  if (!in_dialog && !Admit(l, nh, SourceOf(l->nua).address, "OPTIONS")) return;
  // nua adds Allow, Supported and Accept: application/sdp; the INFO types are added here.
  nua_respond(nh, 200, SipPhrase(200), NUTAG_WITH_THIS(l->nua), SIPTAG_ACCEPT_STR(kSipInfoTypes),
              TAG_END());
  if (!in_dialog) nua_handle_destroy(nh);
}

void SipAgent::Impl::OnState(nua_handle_t* nh, int status, const char* phrase, tagi_t tags[]) {
  int state = nua_callstate_init;
  tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
  if (state != nua_callstate_terminated) return;
  Call* call = FindByHandle(nh);
  if (!call) return;
  EndCall(call,
          call->end_reason.empty() ? std::to_string(status) + " " + phrase : call->end_reason);
}

void SipAgent::Impl::EndCall(Call* call, const std::string& reason) {
  CallId id = call->id;
  nua_handle_t* nh = call->nh;
  spdlog::info("SIP call {}: ended ({})", id, reason);
  by_handle_.erase(nh);
  calls_.erase(id);
  nua_handle_destroy(nh);
  handler_->OnCallEnded(id, reason);
}

void SipAgent::Impl::DoRespond(CallId id, int status, const std::string& reason, std::string sdp) {
  Call* call = Find(id);
  if (!call) {
    spdlog::debug("SIP call {}: Respond({}) after the call ended", id, status);
    return;
  }
  if (call->state != CallState::kOffered || status < 101 || status > 699) {
    spdlog::warn("SIP call {}: Respond({}) ignored: {}", id, status,
                 call->state != CallState::kOffered ? "already answered" : "not a status");
    return;
  }
  if (status >= 200 && status < 300 && sdp.empty()) {
    spdlog::error("SIP call {}: a 200 needs our SDP; refused with 500", id);
    status = 500;
  }
  bool with_sdp = !sdp.empty() && status < 300;
  if (status >= 200 && status < 300) {
    call->local_sdp = std::move(sdp);
    call->state = CallState::kAnswered;
    spdlog::info("SIP call {}: {} {}", id, status, reason.empty() ? SipPhrase(status) : reason);
    LogSdp(id, "our SDP", call->local_sdp);
    nua_respond(call->nh, status, SipPhrase(status), SIPTAG_CONTENT_TYPE_STR(kSdpType),
                SIPTAG_PAYLOAD_STR(call->local_sdp.c_str()),
                TAG_IF(!call->contact.empty(), SIPTAG_CONTACT_STR(call->contact.c_str())),
                TAG_END());
    return;
  }
  if (status >= 300) {
    call->end_reason = "rejected " + std::to_string(status);
    spdlog::info("SIP call {}: rejected {} ({})", id, status,
                 reason.empty() ? SipPhrase(status) : reason);
  } else {
    spdlog::info("SIP call {}: {} {}", id, status, reason.empty() ? SipPhrase(status) : reason);
  }
  nua_respond(call->nh, status, SipPhrase(status),
              TAG_IF(with_sdp, SIPTAG_CONTENT_TYPE_STR(kSdpType)),
              TAG_IF(with_sdp, SIPTAG_PAYLOAD_STR(sdp.c_str())), TAG_END());
}

void SipAgent::Impl::DoHangup(CallId id, const std::string& reason) {
  Call* call = Find(id);
  if (!call) return;
  call->end_reason = "hangup: " + reason;
  spdlog::info("SIP call {}: hangup ({})", id, reason);
  if (call->state == CallState::kOffered)
    nua_respond(call->nh, 480, SipPhrase(480), TAG_END());
  else if (call->state == CallState::kDialing)
    nua_cancel(call->nh, TAG_END());
  else
    nua_bye(call->nh, TAG_END());
}

void SipAgent::Impl::DoDial(CallId id, const OutgoingCall& out) {
  auto fail = [&](const std::string& why) {
    spdlog::warn("SIP call {}: cannot call {}: {}", id, out.uri, why);
    handler_->OnCallEnded(id, why);
  };
  if (shutting_down_) return fail("shutdown");
  if (out.sdp.empty()) return fail("no offer");
  if (calls_.size() >= config_.max_calls) return fail("too many calls");
  url_t* url = url_make(home_, out.uri.c_str());
  // The transport: what the URI asks for, else TLS (the SDP carries the SRTP keys).
  bool named = false;
  auto parsed = TransportOf(url, &named);
  if (!parsed) {
    su_free(home_, url);
    return fail(parsed.error());
  }
  const SipTransport transport = *parsed;
  std::string request_uri = out.uri;
  // Parameters, if any, stay; the transport goes before them.
  if (url->url_type == url_sip && !named) request_uri += ";transport=tls";
  const std::string host = url->url_host;
  su_free(home_, url);
  Listener* l = nullptr;
  for (auto& candidate : listeners_)
    if (candidate->transport == transport) l = candidate.get();
  if (!l) return fail(std::string("SIP over ") + SipTransportName(transport) + " is off");

  const std::string local = LocalHostToward(host);
  std::string display;
  for (char ch : out.from_display)
    if (ch != '"' && ch != '\\' && ch != '\r' && ch != '\n') display += ch;
  const std::string from_uri = "sip:" + out.from_user + "@" + (local.empty() ? "invalid" : local);
  const std::string from = (display.empty() ? "" : "\"" + display + "\" ") + "<" + from_uri + ">";
  auto call = std::make_unique<Call>();
  call->id = id;
  call->listener = l;
  call->outgoing = true;
  call->state = CallState::kDialing;
  call->local_sdp = out.sdp;
  if (transport == SipTransport::kTls && !local.empty()) {
    bool v6 = local.find(':') != std::string::npos;
    call->contact = "<sip:" + out.from_user + "@" + (v6 ? "[" + local + "]" : local) + ":" +
                    std::to_string(config_.tls_port) + ";transport=tls>";
  }
  call->nh = nua_handle(l->nua, nullptr, SIPTAG_TO_STR(out.uri.c_str()),
                        TAG_IF(!local.empty(), SIPTAG_FROM_STR(from.c_str())), TAG_END());
  if (!call->nh) return fail("no handle");
  by_handle_[call->nh] = id;
  Call* c = call.get();
  calls_[id] = std::move(call);
  spdlog::info("SIP call {}: INVITE {} as {} via {}", id, request_uri, from_uri,
               SipTransportName(transport));
  LogSdp(id, "our offer", c->local_sdp);
  nua_invite(c->nh, NUTAG_URL(request_uri.c_str()), SIPTAG_CONTENT_TYPE_STR(kSdpType),
             SIPTAG_PAYLOAD_STR(c->local_sdp.c_str()),
             TAG_IF(!c->contact.empty(), SIPTAG_CONTACT_STR(c->contact.c_str())), TAG_END());
}

void SipAgent::Impl::OnInviteResponse(Call* call, int status, const char* phrase,
                                      const sip_t* sip) {
  if (status < 200) {
    if (status > 100) spdlog::info("SIP call {}: {} {}", call->id, status, phrase);
    return;
  }
  if (status >= 300) {
    // nua reports the end (nua_i_state terminated) next; the status is the reason.
    if (call->end_reason.empty()) call->end_reason = std::to_string(status) + " " + phrase;
    spdlog::info("SIP call {}: {} {}", call->id, status, phrase);
    return;
  }
  if (call->state != CallState::kDialing) return;  // A re-INVITE's answer (none sent yet).
  if (!call->end_reason.empty()) {
    // Answered while our CANCEL crossed it: the call is over all the same.
    call->state = CallState::kConfirmed;
    nua_bye(call->nh, TAG_END());
    return;
  }
  std::string sdp = IsSdp(SipContentType(sip)) ? SipBody(sip) : "";
  call->state = CallState::kConfirmed;
  spdlog::info("SIP call {}: answered {} {}", call->id, status, phrase);
  LogSdp(call->id, "answer", sdp);
  if (sdp.empty()) {
    call->end_reason = "answered without SDP";
    nua_bye(call->nh, TAG_END());
    return;
  }
  handler_->OnAnswered(call->id, sdp);
}

std::string SipAgent::Impl::LocalHostToward(const std::string& host) const {
  if (!config_.public_address.empty()) return config_.public_address;
  const std::string& bound = config_.bind_address;
  if (!bound.empty() && bound != "0.0.0.0" && bound != "::") return bound;
  // The interface the kernel would route to the peer by: a connected UDP socket sends nothing.
  // Only for a numeric host: a name would need a (blocking) lookup here.
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* ai = nullptr;
  if (getaddrinfo(host.c_str(), "5060", &hints, &ai) != 0 || !ai) return {};
  std::string local;
  int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  char text[NI_MAXHOST];
  if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0 &&
      getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, text, sizeof text, nullptr, 0,
                  NI_NUMERICHOST) == 0)
    local = text;
  if (fd >= 0) close(fd);
  freeaddrinfo(ai);
  return local;
}

void SipAgent::Impl::DoKeyframeRequest(CallId id) {
  Call* call = Find(id);
  if (!call || call->state != CallState::kConfirmed) return;
  nua_info(call->nh, SIPTAG_CONTENT_TYPE_STR("application/media_control+xml"),
           SIPTAG_PAYLOAD_STR(kPictureFastUpdate), TAG_END());
}

SipAgent::Impl::Call* SipAgent::Impl::Find(CallId id) {
  auto it = calls_.find(id);
  return it == calls_.end() ? nullptr : it->second.get();
}

SipAgent::Impl::Call* SipAgent::Impl::FindByHandle(nua_handle_t* nh) {
  auto it = by_handle_.find(nh);
  return it == by_handle_.end() ? nullptr : Find(it->second);
}

}  // namespace mcu::signaling
