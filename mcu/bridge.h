// The bridge: the domain's heart. It knows the sites (rooms and district points) and the
// conferences, authenticates endpoint connections by room token, runs the schedule (opens a
// conference at start - lead time and orders its invited, online rooms to join; closes it after
// its end), admits sites, creates their media endpoints, applies the hosts' live control (mute,
// kick, spotlight, layout, lock) to the media core, and keeps what must survive a restart in
// the Store (conference state and settings, call records, the audit log).
//
// Threading: all state below lives on `control_` (one TaskQueue). EndpointHandler calls arrive
// from signaling threads and MediaEndpoint::Listener calls from media threads; both only post
// to `control_`, which re-checks that the connection or participant still exists. The public
// control methods (called by the REST API's thread) run on `control_` and wait for it: control
// calls are serialised there, so concurrent calls leave a consistent state. A 1 s clock
// (`mcu-clock`) posts the schedule's tick.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "mcu/admission.h"
#include "mcu/clock.h"
#include "mcu/config.h"
#include "mcu/console_events.h"
#include "mcu/control_api.h"
#include "mcu/endpoint_api.h"
#include "mcu/media_api.h"
#include "mcu/monitor.h"
#include "mcu/store.h"
#include "mcu/task_queue.h"

namespace mcu {

class Bridge : public EndpointHandler,
               public MediaEndpoint::Listener,
               public MediaRoom::Listener,
               public OutboundHandler {
 public:
  struct Options {
    int grace_s = 300;      // A conference closes this long after its end.
    int call_retry_s = 5;   // An idle invited room that did not join is called again.
    bool run_clock = true;  // Tests of the pure parts may drive Tick() themselves.
    Dialer* dialer =
        nullptr;  // Dials cascade links; none: links stay idle. Outlives the bridge's Shutdown().
    Clock* clock = nullptr;  // Time for the schedule, records and redials; none: the system's.
    // Calls SIP sites (mcu/bridge_sip.cpp); none: they can only call in. Outlives Shutdown().
    // May be set later, once SIP runs (SetSipDialer).
    SipDialer* sip_dialer = nullptr;
    int sip_ring_timeout_s = 45;  // A SIP call not answered in this time is hung up.
    // Bytes free on the disk of a directory (-1: unknown); none: std::filesystem::space.
    std::function<int64_t(const std::filesystem::path&)> free_bytes;
  };
  Bridge(const Config& config, Store* store, MediaEngine* media, const Options& options);
  ~Bridge() override;

  // EndpointHandler
  void OnEndpointOpen(ConnectionId id, std::shared_ptr<EndpointConnection> connection,
                      const std::string& remote_address) override;
  void OnEndpointRequest(ConnectionId id, EndpointRequest request) override;
  void OnEndpointClosed(ConnectionId id) override;

  // MediaEndpoint::Listener
  void OnMediaConnected(ParticipantId id, const std::string& srtp_profile) override;
  void OnMediaFailed(ParticipantId id, const std::string& reason) override;
  void OnMediaClosed(ParticipantId id) override;
  void OnSendSize(ParticipantId id, int width, int height, int tiles) override;
  void OnKeyframeWanted(ParticipantId id) override;

  // MediaRoom::Listener
  void OnRoomActiveSpeaker(const std::string& room, ParticipantId id) override;

  // OutboundHandler (cascade links this MCU dials; mcu/bridge_links.cpp)
  void OnOutboundOpen(ConnectionId id) override;
  void OnOutboundEvent(ConnectionId id, EndpointEvent event) override;
  void OnOutboundClosed(ConnectionId id, const std::string& reason) override;

  // ----- Control (any thread but control's; each waits for control) --------------------------
  // `actor` names who asks (a user's login, "scheduler"); it goes to the audit log.
  Status CreateSite(const std::string& actor, const SiteRow& site);
  Status UpdateSite(const std::string& actor, const SiteRow& site);
  Status DeleteSite(const std::string& actor, const std::string& id);
  Status CreateConference(const std::string& actor, const ConferenceRow& c);
  Status UpdateConference(const std::string& actor, const ConferenceRow& c);
  Status DeleteConference(const std::string& actor, const std::string& id);
  Status StartConference(const std::string& actor, const std::string& id);
  Status StopConference(const std::string& actor, const std::string& id);
  // Unset optionals leave that medium as it is.
  Status Mute(const std::string& actor, const std::string& conference, const std::string& site,
              std::optional<bool> audio, std::optional<bool> video);
  // Mutes (or unmutes) the audio of every site but the host site.
  Status MuteAllButHost(const std::string& actor, const std::string& conference, bool muted);
  Status Kick(const std::string& actor, const std::string& conference, const std::string& site);
  // Records the conference into <data_dir>/recordings/<conference>-<UTC time>.webm (the room's
  // 1280x720 tier and full mix), until stopped or closed; the room stays while it records.
  Status StartRecording(const std::string& actor, const std::string& conference);
  Status StopRecording(const std::string& actor, const std::string& conference);
  // A recording's file to send to `actor` (audited as a download, or a play when `play`); its
  // path. 404 for no such recording or file.
  Expected<RecordingDownload> RecordingFile(const std::string& actor, int64_t id, bool play);
  Status StartStream(const std::string& actor, const std::string& conference);
  Status StopStream(const std::string& actor, const std::string& conference);
  Expected<std::string> StreamPlaylist(const std::string& conference, const std::string& query);
  Expected<std::shared_ptr<const std::string>> StreamPart(const std::string& conference,
                                                          const std::string& name);
  // Viewer links (mcu/control_api.h).
  Expected<StreamLinkCreated> CreateStreamLink(const std::string& actor,
                                               const std::string& conference,
                                               const std::string& label, int minutes,
                                               int max_viewers);
  Expected<std::vector<StreamLinkRow>> StreamLinks(const std::string& conference);
  Status RevokeStreamLink(const std::string& actor, const std::string& conference, int64_t id);
  Status StreamViewer(const std::string& conference, const std::string& token,
                      const std::string& remote);
  // Deletes a recording that has ended, its file and its row (audited); 409 while it records.
  Status DeleteRecording(const std::string& actor, int64_t id);
  // Ends the content the site shares (its content connection leaves the conference and is not
  // called back in: the site shares again with a new one).
  Status StopContent(const std::string& actor, const std::string& conference,
                     const std::string& site);
  // Lets a kicked site back and orders it to join (if it is online and idle).
  Status Call(const std::string& actor, const std::string& conference, const std::string& site);
  Status Spotlight(const std::string& actor, const std::string& conference,
                   const std::string& site);
  Status SetLayout(const std::string& actor, const std::string& conference,
                   const std::string& layout);
  Status Lock(const std::string& actor, const std::string& conference, bool locked);
  std::vector<LiveConference> LiveConferences();
  // Per connected site (a site missing is offline): the conference it is in, "" if idle.
  std::map<std::string, std::string> Presence();
  Expected<LiveConference> LiveConferenceOf(const std::string& id);
  // The conference's live statistics (Monitor::ConferenceJson) as JSON text; not found if no
  // such conference.
  Expected<std::string> ConferenceStats(const std::string& id);
  // A site's health history in a conference: up to ConferenceControl::kSecondHistoryS, the last
  // `seconds` a point a second (not found unless it is in); beyond, the whole conference so far at
  // a coarse step, across its rejoins (not found if it never had media in it).
  Expected<std::string> SiteHistory(const std::string& conference, const std::string& site,
                                    int seconds);
  // An audit row of something only an adapter sees (a login, a token, a user): stored and told to
  // the console, on control, like the bridge's own.
  void Record(const std::string& actor, const std::string& action, const std::string& target,
              const std::string& detail_json);
  // Takes connections: not shut down, and the control executor answers.
  bool Ready();
  // The configuration it runs on (immutable: any thread).
  const Config& config() const { return config_; }
  // Metrics for /metrics (thread-safe; lives as long as the bridge).
  prometheus::Registry& metrics() { return monitor_->registry(); }
  Metrics& metric_values() { return monitor_->metrics(); }  // Thread-safe.

  // Every event the console shows (roster, states, speaker, layout, control actions), typed
  // (mcu/console_events.h), from the control thread. Set before the first connection.
  void SetEventSink(ConsoleSink sink) {
    control_.Invoke([&] { event_sink_ = std::move(sink); });
  }

  // SIP sites are called through `dialer` from now on (set once, when the SIP agent runs; it
  // outlives Shutdown()). Any thread.
  void SetSipDialer(SipDialer* dialer) {
    control_.Invoke([&] { options_.sip_dialer = dialer; });
  }

  // Runs the schedule once, on control (the clock thread posts it every second); any thread.
  void Tick();
  // Waits until every task posted so far has run (tests and orderly shutdown).
  void Flush();
  // Closes every connection and media endpoint; afterwards the bridge accepts nothing. Open
  // conferences stay open in the store: after a restart they resume.
  void Shutdown();

  struct Counts {
    size_t connections = 0, authenticated = 0, participants = 0;
  };
  Counts counts();

 private:
  struct Connection {
    std::shared_ptr<EndpointConnection> link;
    std::string remote_address;
    std::string site_id;  // Empty until authenticated.
    ParticipantId participant = 0;
    bool content_role = false;     // Carries the site's shared content (auth with role "content").
    int64_t last_call_ms = 0;      // When it was last ordered to join.
    bool content_stopped = false;  // Its content was stopped by a host: never called again.
    std::optional<event::Standby> standby;  // What it was last told for its standby screen.
    std::optional<DeviceStates> devices;    // As the room last reported them (`devices`).
    // A SIP call's signalling transport ("tls", "tcp", "udp"; empty: no SIP call, or one the
    // MCU placed that is not answered yet), and when its last in-dialog request was shown.
    std::string sip_signalling;
    bool sip_plain = false;  // That SIP call came over plain UDP/TCP, its SDES keys with it.
    int64_t sip_request_shown_ms = 0;
  };
  struct Participant {
    ParticipantId id = 0;
    ConnectionId connection = 0;
    std::string site_id;
    std::string conference_id;
    bool content = false;
    std::string watcher;  // A console user previewing the conference (site_id empty).
    MediaStatus media_status = MediaStatus::kConnecting;
    std::string protection;  // Its SRTP profile, once its media connected.
    std::unique_ptr<MediaEndpoint> media;
    int64_t call_record = 0;
    // When its audio / video last arrived (sampled each second by the monitor).
    int64_t audio_seen_ms = 0, video_seen_ms = 0;
    // A cascade link's (either side): the MCUs the other side reaches without it, as it last
    // said, and what this side last told it of its own (mcu/cascade.h, loops).
    std::vector<std::string> far_mcus, sent_mcus;
    // A cascade link's: its side as this MCU last told it (both sides), and the other MCU's side
    // as it last said (the accepting side; the dialling side keeps it in its Link).
    LinkSide sent_side, far_side;
    int shown_width = 0, shown_height = 0;  // A link's tile here (OnSendSize), told in `link`.
    int64_t side_sent_ms = 0;               // When its `link` last went.
  };
  // A cascade link this MCU dials (one per site with a LinkTarget): the client side of the
  // endpoint protocol toward the other MCU, and its participant in the local conference. The
  // participant and the outbound connection live and die together; a link that drops redials
  // with backoff while its conference is open here.
  struct Link {
    std::string site_id;
    LinkTarget target;
    ConnectionId id = 0;  // Of the current outbound connection; 0: none.
    std::shared_ptr<OutboundConnection> out;
    LinkState state = LinkState::kIdle;
    std::string detail;
    // Why it last failed, for the roll-call (LinkFailure in mcu/control_api.h); empty once the
    // other MCU accepted it again.
    std::string failure;
    std::string conference;  // The local conference it is in or dials for.
    std::string remote_site, remote_conference, remote_title;
    LinkSide far;  // The other MCU's side of the link, as it last said (`link`, `speaker`).
    bool remote_muted_audio = false, remote_muted_video = false;
    std::vector<std::string> remote_mcus;  // What the other MCU's `joined` said it reaches.
    std::vector<std::string> sent_mcus;    // What its `join` said this side reaches.
    ParticipantId participant = 0;
    Backoff backoff;
    int64_t retry_at_ms = 0;
    int attempts = 0;
  };
  struct Conference {
    ConferenceRow row;
    std::map<std::string, MemberRow> members_cfg;    // Per site: invited, mutes, kicked.
    std::unique_ptr<MediaRoom> room;                 // Created when the first site joins.
    std::map<ParticipantId, Participant*> members;   // Sites (and their content).
    std::map<ParticipantId, Participant*> watchers;  // Console previews.
    std::set<std::string> admitted;  // Sites that joined since it opened (lock lets them back).
    ParticipantId speaker = 0;
    // Whom the room's own voice detection chose last (OnRoomActiveSpeaker): the speaker again
    // when a link that was made the speaker says the other side now hears this one.
    ParticipantId heard = 0;
    // The recording running, if any (before the room goes: declared after it).
    std::unique_ptr<MediaRecording> recording;
    RecordingRow recording_row;  // Its row, as stored when it began.
    // The live stream, if one runs: who started it and when.
    std::unique_ptr<MediaStream> stream;
    std::string stream_by;
    int64_t stream_since_ms = 0;
    // While it streams with [stream] rtmp_url set: the push to that server, or, after it
    // failed, why and when to try again.
    std::unique_ptr<MediaPush> push;
    std::string push_error;
    int64_t push_retry_ms = 0;
    // Cascade links of sites of this MCU refused because they would close a loop: site -> why
    // (shown on the roll-call until the link joins).
    std::map<std::string, std::string> loops;
    bool open() const { return IsOpen(row); }
    // Nobody in it and nothing recorded or streamed: its media room can go.
    bool empty() const { return members.empty() && watchers.empty() && !recording && !stream; }
  };
  // Ends the conference's live stream, audited as `actor`'s with `reason`.
  void EndStream(Conference& conf, const std::string& actor, const std::string& reason);
  // Records the open conference `conf` (StartRecording's work, on the control thread).
  Status BeginRecording(Conference& conf, const std::string& actor);
  // Ends the conference's recording (its file closes, its row is finished), audited as
  // `actor`'s with `reason`.
  void EndRecording(Conference& conf, const std::string& actor, const std::string& reason);
  // The recordings directory, <data_dir>/recordings.
  std::filesystem::path RecordingsDir() const;
  // The key of classified conferences' recordings (config recording.key_file), read or created
  // on first use and kept.
  Expected<SealKey> RecordingKey();
  // Recordings still "recording" when the process ended are "interrupted" (on start): their
  // size and end (the file's last write) are taken from the file.
  void InterruptOpenRecordings();
  // Every few seconds: a recording on a disk below [recording] min_free_mb stops, with an alarm;
  // hourly, ended recordings past [recording] retention_days are deleted.
  void CheckRecordings(int64_t now_ms);
  // Starts the stream's RTMP push ([stream] rtmp_url); a failed one is retried every 10 s.
  void StartPush(Conference& conf);
  void CheckPushes(int64_t now_ms);
  // Why a recording may not go on (or start) for lack of space; empty if it may.
  std::string DiskTooFull();
  int64_t recordings_checked_ms_ = 0, recordings_purged_ms_ = 0;

  // A SIP site this MCU calls (mcu/bridge_sip.cpp): its current call, if any, is the
  // connection `id` (whose participant is the site's), and why the last one ended.
  struct SipCall {
    std::string site_id;
    ConnectionId id = 0;  // 0: no call now.
    std::string conference;
    LinkState state = LinkState::kIdle;  // kConnecting: ringing; kJoined: answered.
    std::string detail;                  // Why the last call ended ("486 Busy Here").
    std::string hangup_reason;           // Why the bridge is hanging this call up, if it is.
    std::string audited_failure;         // The failure last written to the audit log.
    int64_t dialled_ms = 0, retry_at_ms = 0;
    Backoff backoff;
    int attempts = 0;
  };
  // Connection ids of the SIP calls the bridge places (the WebSocket sessions count from 1, the
  // calls in from 1 << 62).
  static constexpr ConnectionId kFirstSipCallId = ConnectionId{1} << 61;
  // A SIP call's in-dialog requests (re-INVITEs, session refreshes) reach the console's feed at
  // most once in this time; those in between are dropped (the SIP agent logs every one).
  static constexpr int64_t kSipRequestGapMs = 5000;

  // A link's `link` goes at most once in this time (the other MCU limits a connection's messages
  // to 20 a second): a change within it waits for the schedule's next second.
  static constexpr int64_t kLinkSideGapMs = 250;

  // ----- SIP sites this MCU calls (bridge_sip.cpp) -----
  // Calls, hangs up on a ring timeout, or rests each SIP site as conferences open and close.
  void UpdateSipCalls(int64_t now);
  void DialSip(const std::string& site_id, SipCall& call, const std::string& conference);
  void SipCallAnswered(SipCall& call);
  // The call is over (kCallEnded): when it is tried again and why it ended.
  void SipCallEnded(SipCall& call, const std::string& reason);
  SipCall* SipCallOf(ConnectionId id);
  // A request within a SIP call that its adapter answered (kSipRequest): a console event for
  // the call's conference, unless one went out for this call less than kSipRequestGapMs ago.
  void SipRequestSeen(Connection& c, const SipInDialogRequest& request);

  // ----- Cascade links this MCU dials (bridge_links.cpp) -----
  // Dials, hangs up or redials every link as the conferences that invite it open and close.
  void UpdateLinks(int64_t now);
  void Dial(Link& link, const std::string& conference);
  // Ends the outbound connection and the link's participant; it redials after its backoff
  // (`retry`) or stays idle.
  void HangUp(Link& link, const std::string& reason, bool retry);
  void HandleLinkEvent(Link& link, EndpointEvent& event);
  void LinkOffer(Link& link, const std::string& sdp);
  void SendToLink(Link& link, EndpointRequest request);
  Link* LinkOf(ConnectionId outbound);
  Link* LinkOfParticipant(ParticipantId id);
  // Loops (mcu/cascade.h): the MCUs `conf` reaches without participant `except` (this MCU and
  // what each of its other links said); each link told of its side again when that changed (a
  // link joined or left).
  std::vector<std::string> McusBehind(const Conference& conf, ParticipantId except) const;
  void TellLinks(Conference& conf);
  // What this side of link participant `link` in `conf` tells the other (LinkSide).
  LinkSide SideFor(const Conference& conf, ParticipantId link);
  // The conference's roll-call in three figures: sites expected (invited, or there), connected,
  // and with video flowing; site `except` (a link's own) not counted.
  struct SiteCounts {
    int expected = 0, connected = 0, video = 0;
  };
  SiteCounts CountSites(const Conference& conf, const std::string& except = {});
  // The other end of link `site` (its participant `pid` here, 0 while it has none) said `got`;
  // `known` is what it said before. Its speaker becomes this conference's, its parent's layout
  // and lock this conference's (when they changed), and the live page is told.
  void TakeFarSide(Conference& conf, const std::string& site, ParticipantId pid, LinkSide& known,
                   const LinkSide& got);
  // The other end of link participant `pid` says `name` speaks there (empty: nobody, or this
  // side); `known` is the name it said before. A new name makes the link this conference's
  // speaker, or names it again when it already is; none gives the speaker back to whom this
  // room's voice detection chose last.
  void FarSpeaker(Conference& conf, ParticipantId pid, std::string& known, const std::string& name);
  // When one of `far` (what link `site` says its side reaches) is among the MCUs `conf` reaches
  // without participant `except`: why it is a loop, noted (NoteLoop); "" when it is none.
  std::string RefuseLoop(Conference& conf, const std::string& site, ParticipantId except,
                         const std::vector<std::string>& far);
  // Refused (or hung up) as a loop: the conference's roll-call and an alarm say so.
  void NoteLoop(Conference& conf, const std::string& site, const std::string& why);
  bool IsLinkSite(const std::string& site) const;
  // Connected to this MCU (a room), or a link this MCU dials that the other MCU accepted.
  bool Online(const std::string& site);
  // The site's main participant anywhere (a room's or a link's), or null.
  Participant* SiteParticipant(const std::string& site);
  // The conference's active speaker is now `id`: the room's highlight and main tile, the sites
  // and the console are told.
  void SetSpeaker(Conference& conf, ParticipantId id);
  // Tells the conference's members and the console who speaks (again, when a link's speaker's
  // name arrives after the link became the speaker).
  void NotifySpeaker(Conference& conf);
  // The name of who speaks in `conf`: its speaker's site, or whom a link speaks for.
  std::string SpeakerName(const Conference& conf);

  void Handle(ConnectionId id, EndpointRequest& request);
  void HandleAuth(Connection& c, ConnectionId id, const EndpointRequest& r);
  // The SIP site a call from `caller` (its From URI) at `address` comes from, or null.
  const SiteRow* SipSiteOf(const std::string& caller, const std::string& address) const;
  void HandleJoin(Connection& c, ConnectionId id, const EndpointRequest& r);
  // A console preview joins as a watcher (EndpointRequest::watcher) if the user's role, read
  // from the store now, and the conference allow it (mcu/admission.h RefusePreview); a refusal
  // is audited ("preview-refused"), as each preview's start ("preview") and end ("preview-end").
  void HandleWatch(Connection& c, ConnectionId id, const EndpointRequest& r);
  // The conference's media room, made if it has none; false (and an error sent) if it cannot be.
  bool EnsureRoom(Conference& conf, Connection& c, const std::string& reply_to);
  Status MakeRoom(Conference& conf);
  // The site joined since the conference opened: a lock lets it back in (kept in the store).
  void Admit(Conference& conf, const std::string& site);
  // Everyone to remove when the conference closes or goes: its sites (their content follows
  // them) and its watchers.
  static std::vector<ParticipantId> Everyone(const Conference& conf);
  // Why `site` may not join `conf` now (mcu/admission.h), or nullopt.
  std::optional<Refusal> RefusalOf(const Conference& conf, const std::string& site,
                                   bool plain_signalling = false) const;
  // Removes from a classified conference what it no longer admits: previews, SIP legs keyed over
  // plain SIP, media protected by less than RefuseProtection asks.
  void EnforceClassified(Conference& conf);
  void RemoveParticipant(ParticipantId id, const std::string& reason, bool notify);
  // Tells the conference's sites and the console who is in it, and how many console users
  // preview it (each preview's start and end is told, as a site's join and leave).
  void BroadcastRoster(const std::string& conference_id);
  // The console users previewing `conf`, one login per preview, in the order they began.
  static std::vector<std::string> Viewers(const Conference& conf);
  void SendError(Connection& c, const std::string& reply_to, ErrorCode code, std::string message);
  void Send(Connection& c, const std::string& reply_to, decltype(EndpointEvent::body) body);

  // The schedule's second: opens and closes what is due, calls idle sites, redials links,
  // samples media.
  void RunSchedule();
  int64_t now_ms() const { return clock_source_->NowMs(); }
  void Open(Conference& conf, const std::string& actor);
  void Close(Conference& conf, const std::string& actor, const std::string& reason);
  // Orders idle, online rooms into the open conferences that invite them: those not called in
  // the last schedule.call_retry_s, or (`now`) all of them; only `site`'s connections if given
  // (a call in flight is not repeated because another site joined).
  void CallIdleSites(bool now_all, const std::string& site = "");
  // The standby screen's next conference for `site`, and sending it to each site's main
  // connection when it changed since it was last sent.
  event::Standby StandbyOf(const std::string& site) const;
  void UpdateStandby();
  void HandleDevices(Connection& c, const EndpointRequest& r);
  // Once a second: every room's statistics (one hop each) to the monitor, offline invited sites,
  // the process.
  void SampleMedia(int64_t now);
  void ApplyMutes(Conference& conf, const std::string& site);
  void ApplyLayout(Conference& conf);
  ParticipantId MainParticipant(const Conference& conf, const std::string& site) const;
  // The conference's settings for `site`, made (not invited, nothing set) if it has none yet.
  MemberRow& MemberOf(Conference& conf, const std::string& site);
  Connection* ConnectionOf(const std::string& site);
  Expected<Conference*> Find(const std::string& id);
  LiveConference Live(const Conference& conf);
  Status Save(Conference& conf);
  void Audit(const std::string& actor, const std::string& action, const std::string& target,
             const std::string& detail_json = "{}");
  void Emit(const ConsoleEvent& event);
  // Runs `fn` on control and returns its result.
  template <typename Fn>
  auto OnControl(Fn&& fn) -> decltype(fn());
  // Runs `fn(conference)` on control; an unknown conference is not found.
  template <typename Fn>
  Status OnConference(const std::string& id, Fn&& fn) {
    return OnControl([&]() -> Status {
      auto found = Find(id);
      if (!found) return found.failure();
      return fn(**found);
    });
  }
  // Changes `site`'s settings in `conf` and stores them; an unknown site is not found.
  Status ChangeMember(Conference& conf, const std::string& site,
                      const std::function<void(MemberRow&)>& change);

  Config config_;
  Store* store_;
  MediaEngine* media_;
  Options options_;
  Clock* clock_source_;
  ConsoleSink event_sink_;
  std::unique_ptr<Monitor> monitor_;
  std::map<std::string, SiteRow> sites_;
  std::map<std::string, Conference> conferences_;
  std::map<ConnectionId, Connection> connections_;
  std::map<ParticipantId, std::unique_ptr<Participant>> participants_;
  std::map<std::string, Link> links_;         // By site id.
  std::map<std::string, SipCall> sip_calls_;  // By site id.
  ConnectionId next_sip_call_ = 0;
  std::optional<SealKey> recording_key_;  // Control; read on first use (RecordingKey).
  // Control: who watches through each viewer link now: link id -> viewer address -> last seen.
  std::map<int64_t, std::map<std::string, int64_t>> link_viewers_;
  ConnectionId next_outbound_ = 1;
  std::string mcu_id_;  // This MCU's identity (Store::McuId), announced by its links.
  ParticipantId next_participant_ = 1;
  bool shut_down_ = false;
  TaskQueue control_{"mcu-control"};  // Stopped (and drained) before the state goes.
  // The clock: last, so it stops first.
  std::mutex clock_mu_;
  std::condition_variable clock_cv_;
  bool clock_stop_ = false;
  std::thread clock_;
};

template <typename Fn>
auto Bridge::OnControl(Fn&& fn) -> decltype(fn()) {
  std::optional<decltype(fn())> result;
  control_.Invoke([&] {
    if (shut_down_) return;
    result.emplace(fn());
  });
  if (!result) return MakeError(ErrorKind::kInternal, "the MCU is shutting down");
  return std::move(*result);
}

}  // namespace mcu
