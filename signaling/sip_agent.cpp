// sofia-sip's nua with its SDP engine off (NUTAG_MEDIA_ENABLE(0)), as FreeSWITCH's mod_sofia
// and Janus's SIP plugin use it. Everything sofia runs on mcu-sip: the su_root is created there
// with threading off, so the nua stacks share its port instead of starting threads of their own.
#include "signaling/sip_agent.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/url.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "signaling/sip_agent_impl.h"

namespace mcu::signaling {

const char* SipTransportName(SipTransport transport) {
  switch (transport) {
    case SipTransport::kTls:
      return "tls";
    case SipTransport::kTcp:
      return "tcp";
    case SipTransport::kUdp:
      return "udp";
  }
  return "?";
}

const char* SipPhrase(int status) {
  const char* phrase = sip_status_phrase(status);
  if (phrase) return phrase;
  return status < 300 ? "OK" : status < 500 ? "Request Failure" : "Server Failure";
}

std::string SipUrlText(const url_t* url) {
  if (!url) return {};
  char buf[1024];
  isize_t n = url_e(buf, sizeof buf, url);
  return n > 0 && static_cast<size_t>(n) < sizeof buf ? std::string(buf, n) : std::string();
}

std::string SipBody(const sip_t* sip) {
  if (!sip || !sip->sip_payload || !sip->sip_payload->pl_data) return {};
  return std::string(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
}

std::string SipContentType(const sip_t* sip) {
  return sip && sip->sip_content_type && sip->sip_content_type->c_type
             ? sip->sip_content_type->c_type
             : "";
}

namespace {

constexpr const char* kAllow = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE";

// sofia's own log lines go to spdlog at debug; they come in fragments, a line ends with '\n'.
void SofiaLog(void* /*stream*/, const char* fmt, va_list ap) {
  thread_local std::string line;
  char buf[1024];
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  if (n <= 0) return;
  line.append(buf, std::min<size_t>(n, sizeof buf - 1));
  size_t nl;
  while ((nl = line.find('\n')) != std::string::npos) {
    if (nl > 0) spdlog::debug("sofia: {}", line.substr(0, nl));
    line.erase(0, nl + 1);
  }
}

// Writes `text` to `path` with mode 0600, never through a symlink.
Status WritePrivateFile(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return MakeError(ErrorKind::kInternal, path + ": " + std::strerror(errno));
  bool ok = fchmod(fd, 0600) == 0 &&
            write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = close(fd) == 0 && ok;
  if (!ok) return MakeError(ErrorKind::kInternal, path + ": write failed");
  return OkStatus();
}

// The certificate and key parse, belong together and are in date: sofia itself would start
// without a usable certificate and fail each handshake instead.
Status CheckCertificate(const std::string& cert_pem, const std::string& key_pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> cb(
      BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> kb(
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())), BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      cb ? PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr) : nullptr, X509_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      kb ? PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr) : nullptr, EVP_PKEY_free);
  if (!cert) return MakeError(ErrorKind::kInvalid, "SIP TLS: the certificate is not valid PEM");
  if (!key) return MakeError(ErrorKind::kInvalid, "SIP TLS: the private key is not valid PEM");
  if (X509_check_private_key(cert.get(), key.get()) != 1)
    return MakeError(ErrorKind::kInvalid, "SIP TLS: the key does not match the certificate");
  if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) <= 0)
    return MakeError(ErrorKind::kInvalid, "SIP TLS: the certificate has expired");
  return OkStatus();
}

std::string HostPort(const std::string& address, uint16_t port) {
  bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace

// ---- Start and stop -------------------------------------------------------------------------

Status SipAgent::Impl::Start() {
  if (!config_.tls_port && !config_.tcp_port && !config_.udp_port)
    return MakeError(ErrorKind::kInvalid, "SIP: no transport configured");
  if (config_.max_calls == 0 || config_.requests_per_second <= 0 || config_.request_burst < 1 ||
      config_.min_se_s < 90 || config_.session_expires_s < config_.min_se_s)
    return MakeError(ErrorKind::kInvalid,
                     "SIP: limits out of range (Min-SE >= 90 s, Session-Expires >= Min-SE)");
  if (config_.tls_port) {
    Status st = CheckCertificate(config_.certificate_pem, config_.private_key_pem);
    if (!st.ok()) return st;
    st = WriteCertificates();
    if (!st.ok()) return st;
  }
  static std::once_flag log_once;
  std::call_once(log_once, [] { su_log_redirect(nullptr, &SofiaLog, nullptr); });

  std::promise<Status> started;
  auto result = started.get_future();
  thread_ = std::thread([this, &started] { Run(&started); });
  Status st = result.get();
  if (!st.ok()) thread_.join();
  return st;
}

Status SipAgent::Impl::WriteCertificates() {
  namespace fs = std::filesystem;
  if (config_.state_dir.empty())
    return MakeError(ErrorKind::kInvalid, "SIP TLS: no state directory for the certificate");
  std::error_code ec;
  fs::create_directories(config_.state_dir, ec);
  if (ec) return MakeError(ErrorKind::kInternal, config_.state_dir + ": " + ec.message());
  cert_dir_ = (fs::path(config_.state_dir) / "sip-tls").string();
  if (mkdir(cert_dir_.c_str(), 0700) != 0 && errno != EEXIST)
    return MakeError(ErrorKind::kInternal, cert_dir_ + ": " + std::strerror(errno));
  struct stat st {};
  if (lstat(cert_dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || chmod(cert_dir_.c_str(), 0700))
    return MakeError(ErrorKind::kInternal, cert_dir_ + ": not a private directory");
  // sofia reads the key and the certificate from agent.pem, the trusted CAs from cafile.pem.
  std::string agent = config_.private_key_pem;
  if (!agent.empty() && agent.back() != '\n') agent += '\n';
  agent += config_.certificate_pem;
  Status w = WritePrivateFile(cert_dir_ + "/agent.pem", agent);
  if (!w.ok()) return w;
  return WritePrivateFile(cert_dir_ + "/cafile.pem",
                          config_.ca_pem.empty() ? config_.certificate_pem : config_.ca_pem);
}

void SipAgent::Impl::Run(std::promise<Status>* started) {
  pthread_setname_np(pthread_self(), "mcu-sip");
  su_init();
  su_home_init(home_);
  root_ = su_root_create(reinterpret_cast<su_root_magic_t*>(this));
  Status st = OkStatus();
  if (!root_) {
    st = MakeError(ErrorKind::kInternal, "SIP: cannot create the event loop");
  } else {
    su_root_threading(root_, 0);  // nua's stack on this thread, not one of its own.
    if (config_.tls_port) st = OpenListener(SipTransport::kTls, config_.tls_port);
    if (st.ok() && config_.tcp_port) st = OpenListener(SipTransport::kTcp, config_.tcp_port);
    if (st.ok() && config_.udp_port) st = OpenListener(SipTransport::kUdp, config_.udp_port);
  }
  if (st.ok()) {
    {
      std::lock_guard lock(mu_);
      accepting_ = true;
    }
    started->set_value(OkStatus());
    started = nullptr;  // Start() returns; only Stop() ends the loop now.
    su_root_run(root_);
  } else if (!listeners_.empty()) {
    BeginShutdown();  // The transports already bound.
    su_root_run(root_);
  }
  {
    std::lock_guard lock(mu_);
    accepting_ = false;
    tasks_.clear();
  }
  for (auto& l : listeners_) nua_destroy(l->nua);
  listeners_.clear();
  calls_.clear();
  by_handle_.clear();
  if (root_) su_root_destroy(root_);
  root_ = nullptr;
  su_home_deinit(home_);
  su_deinit();
  if (started) started->set_value(st);
}

Status SipAgent::Impl::OpenListener(SipTransport transport, uint16_t port) {
  auto l = std::make_unique<Listener>(Listener{this, transport});
  std::string where = HostPort(config_.bind_address, port);
  std::string url = transport == SipTransport::kTls   ? "sips:" + where
                    : transport == SipTransport::kTcp ? "sip:" + where + ";transport=tcp"
                                                      : "sip:" + where + ";transport=udp";
  bool tls = transport == SipTransport::kTls;
  // TLS here cannot follow signaling/tls_policy.h: this sofia-sip (Debian's 1.12.11) fixes its
  // cipher list ("ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH": CBC suites, and static RSA with an RSA
  // certificate), TPTAG_TLS_VERSION only picks TLS 1.0 alone or any version, and its SSL_CTX
  // is not reachable. OpenSSL 3's default security level already refuses TLS 1.0 and 1.1.
  // sofia-sip 1.13 (the FreeSWITCH line) has TPTAG_TLS_CIPHERS: kTls12Ciphers would go there.
  l->nua = nua_create(
      root_, &Impl::OnNuaEvent, reinterpret_cast<nua_magic_t*>(l.get()), NUTAG_URL(url.c_str()),
      TAG_IF(tls, TPTAG_CERTIFICATE(cert_dir_.c_str())), NTATAG_MAXSIZE(config_.max_message_bytes),
      NUTAG_MEDIA_ENABLE(0), NUTAG_ENABLEMESSAGE(0), NUTAG_AUTOALERT(0), NUTAG_AUTOANSWER(0),
      SIPTAG_USER_AGENT_STR(config_.user_agent.c_str()), SIPTAG_ALLOW_STR(kAllow),
      SIPTAG_SUPPORTED_STR("timer"),
      // The agent answers these itself: OPTIONS and INVITE pass its rate limit, INFO and
      // UPDATE need a body nua cannot give with its SDP engine off.
      NUTAG_APPL_METHOD("OPTIONS"), NUTAG_APPL_METHOD("INFO"), NUTAG_APPL_METHOD("UPDATE"),
      NUTAG_SESSION_TIMER(config_.session_expires_s), NUTAG_MIN_SE(config_.min_se_s),
      // The peer refreshes when it can; when we must, an UPDATE without a body does it (nua
      // has no SDP of ours to put in a re-INVITE).
      NUTAG_SESSION_REFRESHER(nua_remote_refresher), NUTAG_UPDATE_REFRESH(1),
      TPTAG_IDLE(config_.connection_idle_s * 1000U), TAG_END());
  if (!l->nua) {
    int err = errno;
    return MakeError(ErrorKind::kConflict, "SIP: cannot listen on " + url + " (" +
                                               std::strerror(err) +
                                               "; port taken or address not available)");
  }
  spdlog::info("SIP: listening on {} ({})", url, SipTransportName(transport));
  listeners_.push_back(std::move(l));
  return OkStatus();
}

void SipAgent::Impl::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    if (accepting_) {
      accepting_ = false;
      tasks_.emplace_back([this] { BeginShutdown(); });
      if (!wake_pending_) {
        wake_pending_ = true;
        su_msg_r msg = SU_MSG_R_INIT;
        if (su_msg_create(msg, su_root_task(root_), su_task_null, &Impl::OnWake, 0) == 0)
          su_msg_send(msg);
      }
    }
  }
  thread_.join();
}

void SipAgent::Impl::Post(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  if (!accepting_) return;
  tasks_.push_back(std::move(fn));
  if (wake_pending_) return;
  wake_pending_ = true;
  su_msg_r msg = SU_MSG_R_INIT;
  if (su_msg_create(msg, su_root_task(root_), su_task_null, &Impl::OnWake, 0) == 0)
    su_msg_send(msg);
}

void SipAgent::Impl::OnWake(su_root_magic_t* magic, su_msg_r /*msg*/,
                            su_msg_arg_t* /*arg*/) noexcept {
  auto* self = reinterpret_cast<Impl*>(magic);
  std::deque<std::function<void()>> tasks;
  {
    std::lock_guard lock(self->mu_);
    tasks.swap(self->tasks_);
    self->wake_pending_ = false;
  }
  for (auto& task : tasks) {
    try {
      task();
    } catch (const std::exception& e) {
      spdlog::error("SIP: {}", e.what());
    }
  }
}

void SipAgent::Impl::BeginShutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  for (auto& [id, call] : calls_) {
    if (call->state == CallState::kOffered)
      nua_respond(call->nh, 503, SipPhrase(503), TAG_END());
    else if (call->state == CallState::kDialing)
      nua_cancel(call->nh, TAG_END());
    else
      nua_bye(call->nh, SIPTAG_REASON_STR("SIP;cause=503;text=\"shutdown\""), TAG_END());
    spdlog::info("SIP call {}: ended (shutdown)", id);
    handler_->OnCallEnded(id, "shutdown");
  }
  // The handles stay with nua until nua_destroy: it still has BYEs to finish.
  calls_.clear();
  by_handle_.clear();
  for (auto& l : listeners_) nua_shutdown(l->nua);
}

// ---- The public face ------------------------------------------------------------------------

SipAgent::SipAgent(SipAgentConfig config, Handler* handler)
    : impl_(std::make_unique<Impl>(std::move(config), handler)) {}

SipAgent::~SipAgent() { Stop(); }

Status SipAgent::Start() { return impl_->Start(); }

void SipAgent::Stop() { impl_->Stop(); }

void SipAgent::Respond(CallId id, int status, std::string reason, std::string sdp) {
  Impl* impl = impl_.get();
  impl->Post([impl, id, status, reason = std::move(reason), sdp = std::move(sdp)]() mutable {
    impl->DoRespond(id, status, reason, std::move(sdp));
  });
}

void SipAgent::Hangup(CallId id, std::string reason) {
  Impl* impl = impl_.get();
  impl->Post([impl, id, reason = std::move(reason)] { impl->DoHangup(id, reason); });
}

CallId SipAgent::Dial(OutgoingCall call) {
  Impl* impl = impl_.get();
  CallId id = impl->NewCallId();
  impl->Post([impl, id, call = std::move(call)] { impl->DoDial(id, call); });
  return id;
}

void SipAgent::SendKeyframeRequest(CallId id) {
  Impl* impl = impl_.get();
  impl->Post([impl, id] { impl->DoKeyframeRequest(id); });
}

}  // namespace mcu::signaling
