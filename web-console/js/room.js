// The browser room page: one site in one conference, over the endpoint protocol
// (signaling/PROTOCOL.md). The MCU is the SDP offerer; this page only answers:
//
//   auth -> welcome -> join -> joined, offer, roster
//   offer: getUserMedia, RTCPeerConnection, setRemoteDescription, put the local tracks on the
//          transceivers the offer created (replaceTrack, sendrecv), createAnswer, answer
//   then trickle ICE candidates ("" ends them) and wait for the MCU's `media` event.
//   layout (mixing conferences): scale the outgoing camera down to the tile's size.
//
// Every asynchronous step belongs to one join attempt (a Session); a step that resumes after its
// session was replaced or torn down does nothing. window.mcuRoom exposes the live state for tests
// and for diagnosis from the developer tools (pc, state, lastError, offerSdp, answerSdp, ...).
//
// The kiosk room, `/room#token=<room token>&kiosk=1[&lang=en]`, is a room PC's unattended screen:
// the token comes from the fragment (never sent to the server) and leaves the address bar at
// once; one Session stays authenticated and waits to be called like mcu-room:
//
//   reconnecting -> auth -> welcome: standby (devices sent; `standby` says the next conference)
//   standby  -- call -->  joining (join, offer, answer)  -- media connected -->  in-conference
//   in-conference -- left -->  standby        any drop (WebSocket closed or silent, media
//   failed, a join that never connects) --> reconnecting, again after 0.5 s doubling to 10 s
//   with jitter (logic/kiosk.js), the count reset by each welcome. The page never stays on an
//   error.
//
// The camera and microphone are opened once (the browser's echo cancellation, noise suppression
// and gain control) and kept across calls and reconnections; `devices` reports them after each
// welcome and whenever a track ends or the devices change. M (or a presenter's black-screen
// button, B or ".") mutes the room's microphone locally. room-kiosk.js draws the screen;
// window.mcuRoom.kiosk holds its state (state, connected, attempt, reconnects, next, lines,
// loss, status, hostMuted, micMuted, devices).

import { candidateMessage } from './ice.js';
import { I18n } from './i18n.js';
import {
  LossWindow, backoffDelayMs, deviceReport, inboundTotals, isMicKey, parseFragment, preferCodec,
} from './logic/kiosk.js';
import { renderKiosk } from './room-kiosk.js';

const STRINGS = {
  vi: {
    'room.pageTitle': 'Phòng họp trực tuyến — MCU',
    'room.heading': 'Phòng họp trực tuyến',
    'join.title': 'Vào phòng họp',
    'join.token': 'Mã phòng (token)',
    'join.tokenPlaceholder': 'Mã do quản trị viên cấp',
    'join.conference': 'Mã hội nghị',
    'join.submit': 'Tham gia',
    'controls.leave': 'Rời phòng',
    'controls.micOff': 'Tắt micrô',
    'controls.micOn': 'Bật micrô',
    'controls.camOff': 'Tắt camera',
    'controls.camOn': 'Bật camera',
    'controls.share': 'Chia sẻ màn hình',
    'controls.stopShare': 'Dừng chia sẻ',
    'notice.shareFailed': 'Không chia sẻ được nội dung ({reason}).',
    'stage.label': 'Hình ảnh hội nghị',
    'stage.idle': 'Nhập mã phòng và bấm “Tham gia” để bắt đầu.',
    'stage.waiting': 'Đang chờ hình ảnh từ MCU…',
    'stage.left': 'Bạn đã rời phòng họp.',
    'stage.you': 'Bạn',
    'state.idle': 'Chưa kết nối',
    'state.connecting': 'Đang kết nối tới MCU…',
    'state.authenticating': 'Đang xác thực…',
    'state.joining': 'Đang vào hội nghị…',
    'state.negotiating': 'Đang thiết lập âm thanh, hình ảnh…',
    'state.connected': 'Đã kết nối',
    'state.leaving': 'Đang rời phòng…',
    'state.left': 'Đã rời phòng',
    'state.failed': 'Có lỗi',
    'state.standby': 'Chờ hội nghị',
    'status.title': 'Trạng thái kết nối',
    'status.site': 'Điểm cầu',
    'status.conference': 'Hội nghị',
    'status.signaling': 'Tín hiệu (WebSocket)',
    'status.ice': 'ICE',
    'status.media': 'Kết nối phương tiện',
    'status.srtp': 'Mã hóa SRTP',
    'status.video': 'Hình nhận được',
    'status.audio': 'Tiếng nhận được',
    'status.videoValue': '{width}×{height}, {frames} khung hình',
    'status.audioValue': '{packets} gói',
    'ws.connecting': 'đang kết nối',
    'ws.open': 'đã kết nối',
    'ws.closing': 'đang đóng',
    'ws.closed': 'đã đóng',
    'pc.new': 'mới',
    'pc.checking': 'đang kiểm tra',
    'pc.connecting': 'đang kết nối',
    'pc.connected': 'đã kết nối',
    'pc.completed': 'hoàn tất',
    'pc.disconnected': 'gián đoạn',
    'pc.failed': 'thất bại',
    'pc.closed': 'đã đóng',
    'roster.title': 'Danh sách điểm cầu',
    'roster.empty': 'Chưa có điểm cầu nào.',
    'roster.you': 'bạn',
    'roster.content': 'nội dung',
    'roster.media.connecting': 'đang kết nối',
    'roster.media.connected': 'đã kết nối',
    'error.dismiss': 'Đóng thông báo',
    'error.detail': 'Chi tiết từ MCU: {message}',
    'error.browserDetail': 'Chi tiết: {message}',
    'error.bad_request': 'MCU từ chối yêu cầu vì không hợp lệ.',
    'error.unauthorized': 'Mã phòng không hợp lệ. Vui lòng kiểm tra lại mã do quản trị viên cấp.',
    'error.not_found': 'Không tìm thấy hội nghị này.',
    'error.conflict': 'Yêu cầu không đúng thứ tự (ví dụ: đã ở trong hội nghị).',
    'error.full': 'Hội nghị đã đủ số điểm cầu tối đa.',
    'error.too_large': 'Tin nhắn gửi tới MCU quá lớn.',
    'error.rate_limited': 'Gửi quá nhiều yêu cầu; vui lòng thử lại sau giây lát.',
    'error.media_failed': 'Không thiết lập được kết nối âm thanh, hình ảnh (ICE hoặc DTLS thất bại).',
    'error.internal': 'MCU gặp lỗi nội bộ; vui lòng thử lại hoặc báo quản trị viên.',
    'error.unknown': 'MCU báo lỗi không xác định ({code}).',
    'error.no_token': 'Vui lòng nhập mã phòng.',
    'error.no_conference': 'Vui lòng nhập mã hội nghị.',
    'error.no_webrtc': 'Trình duyệt này không hỗ trợ WebRTC.',
    'error.ws_failed': 'Không kết nối được tới MCU.',
    'error.ws_closed': 'Mất kết nối tới MCU.',
    'error.sdp_failed': 'Trình duyệt không xử lý được đề nghị SDP của MCU.',
    'error.pc_failed': 'Kết nối âm thanh, hình ảnh bị ngắt.',
    'error.no_devices': 'Không dùng được camera hoặc micrô; chỉ nhận hình và tiếng từ MCU.',
    'notice.removed': 'MCU đã đưa điểm cầu ra khỏi hội nghị ({reason}).',
  },
  en: {
    'room.pageTitle': 'Conference room — MCU',
    'room.heading': 'Conference room',
    'join.title': 'Join a conference',
    'join.token': 'Room token',
    'join.tokenPlaceholder': 'Token issued by the administrator',
    'join.conference': 'Conference ID',
    'join.submit': 'Join',
    'controls.leave': 'Leave',
    'controls.micOff': 'Mute',
    'controls.micOn': 'Unmute',
    'controls.camOff': 'Stop camera',
    'controls.share': 'Share screen',
    'controls.stopShare': 'Stop sharing',
    'notice.shareFailed': 'Content could not be shared ({reason}).',
    'controls.camOn': 'Start camera',
    'stage.label': 'Conference video',
    'stage.idle': 'Enter the room token and press “Join” to start.',
    'stage.waiting': 'Waiting for video from the MCU…',
    'stage.left': 'You left the conference.',
    'stage.you': 'You',
    'state.idle': 'Not connected',
    'state.connecting': 'Connecting to the MCU…',
    'state.authenticating': 'Authenticating…',
    'state.joining': 'Joining the conference…',
    'state.negotiating': 'Setting up audio and video…',
    'state.connected': 'Connected',
    'state.leaving': 'Leaving…',
    'state.left': 'Left the conference',
    'state.failed': 'Error',
    'state.standby': 'Waiting for a conference',
    'status.title': 'Connection status',
    'status.site': 'Site',
    'status.conference': 'Conference',
    'status.signaling': 'Signaling (WebSocket)',
    'status.ice': 'ICE',
    'status.media': 'Media connection',
    'status.srtp': 'SRTP encryption',
    'status.video': 'Video received',
    'status.audio': 'Audio received',
    'status.videoValue': '{width}×{height}, {frames} frames',
    'status.audioValue': '{packets} packets',
    'ws.connecting': 'connecting',
    'ws.open': 'open',
    'ws.closing': 'closing',
    'ws.closed': 'closed',
    'pc.new': 'new',
    'pc.checking': 'checking',
    'pc.connecting': 'connecting',
    'pc.connected': 'connected',
    'pc.completed': 'completed',
    'pc.disconnected': 'disconnected',
    'pc.failed': 'failed',
    'pc.closed': 'closed',
    'roster.title': 'Participants',
    'roster.empty': 'No participants yet.',
    'roster.you': 'you',
    'roster.content': 'content',
    'roster.media.connecting': 'connecting',
    'roster.media.connected': 'connected',
    'error.dismiss': 'Dismiss',
    'error.detail': 'MCU detail: {message}',
    'error.browserDetail': 'Detail: {message}',
    'error.bad_request': 'The MCU refused an invalid request.',
    'error.unauthorized': 'Invalid room token. Please check the token issued by the administrator.',
    'error.not_found': 'No such conference.',
    'error.conflict': 'Request out of order (for example, already in a conference).',
    'error.full': 'The conference has reached its maximum number of sites.',
    'error.too_large': 'A message to the MCU was too large.',
    'error.rate_limited': 'Too many requests; please try again in a moment.',
    'error.media_failed': 'The audio and video connection could not be set up (ICE or DTLS failed).',
    'error.internal': 'Internal MCU error; try again or contact the administrator.',
    'error.unknown': 'The MCU reported an unknown error ({code}).',
    'error.no_token': 'Please enter the room token.',
    'error.no_conference': 'Please enter the conference ID.',
    'error.no_webrtc': 'This browser does not support WebRTC.',
    'error.ws_failed': 'Could not connect to the MCU.',
    'error.ws_closed': 'The connection to the MCU was lost.',
    'error.sdp_failed': 'The browser could not process the MCU\u2019s SDP offer.',
    'error.pc_failed': 'The audio and video connection was interrupted.',
    'error.no_devices': 'Camera or microphone unavailable; receiving audio and video only.',
    'notice.removed': 'The MCU removed this site from the conference ({reason}).',
  },
};

// The browser's own echo cancellation, noise suppression and gain control on the microphone.
const MEDIA_CONSTRAINTS = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
};

// Errors that end the join attempt when they answer one of these requests.
const FATAL_REQUESTS = new Set(['auth', 'join', 'answer']);
const STATS_INTERVAL_MS = 1000;
// Closed network: host candidates only, the MCU has public-enough addresses.
const PC_CONFIG = { iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
// The MCU's endpoint protocol, on the page's own origin.
const wsUrl = () => `${location.protocol === 'http:' ? 'ws' : 'wss'}://${location.host}/ws`;
const LEAVE_TIMEOUT_MS = 2000;
// Kiosk: a call that has not connected by then is dropped (and the page reconnects); the MCU is
// pinged this often, and a connection that answered nothing for KIOSK_SILENT_MS is dropped.
const KIOSK_JOIN_TIMEOUT_MS = 30_000;
const KIOSK_PING_MS = 10_000;
const KIOSK_SILENT_MS = 25_000;

const i18n = new I18n(STRINGS);
const $ = (id) => document.getElementById(id);

// Live state, exposed for tests and diagnosis.
const room = {
  // idle|connecting|authenticating|joining|negotiating|connected|leaving|left|failed; standby
  // (kiosk: authenticated, in no conference)
  state: 'idle',
  // The composite's codec asked for in the fragment (#codec=h264): the answer then prefers
  // H.264 and the MCU sends its H.264 tier; null: the MCU's default, VP8.
  codec: null,
  pc: null,
  ws: null,
  localStream: null,
  remoteStream: null,
  site: null, // {id, name} from `welcome`
  conference: null, // {id, title} from `joined`
  participant: null,
  roster: [],
  media: null, // The MCU's last `media` event: {state, detail}
  // The MCU's last `layout` event and what was made of it: {tiles, sendWidth, sendHeight,
  // scaleResolutionDownBy, trackWidth, trackHeight, applied, error}
  layout: null,
  mcuStats: null, // The MCU's view of the transport: the last `stats` reply
  stats: null, // Summary of the last getStats()
  lastError: null, // {code, message, text}: code is the MCU's, or a page code (ws_failed, ...)
  offerSdp: null,
  answerSdp: null,
  candidatesSent: 0,
  messages: [], // The last protocol messages, both ways, for diagnosis.
  // The kiosk room (see the top of this file); `enabled` false on the ordinary page.
  kiosk: {
    enabled: false,
    state: 'reconnecting', // standby | joining | in-conference | reconnecting
    connected: false, // Authenticated now (welcome received on the current connection)
    everConnected: false,
    refused: false, // The MCU refused the token on the last attempt
    noToken: false, // Opened without a token: nothing to connect with
    attempt: 0, // Reconnection attempts since the last welcome
    retryInMs: null, // The wait before the pending reconnection
    reconnects: 0, // Connections opened after the first
    calls: 0, // Calls answered (joins sent)
    drops: [], // The last drops: {at, reason}
    next: null, // The last `standby` message's `next`
    lines: null, // The standby screen's lines as shown (logic/kiosk.js standbyLines)
    status: null, // The lines over the composite as shown (conferenceLines)
    loss: null, // Inbound packet loss over the last 5 s, percent (null: nothing due)
    hostMuted: { audio: false, video: false }, // The MCU's last `muted`
    micMuted: false, // The room's own microphone is off (M)
    devices: null, // The last `devices` report sent
    audioBlocked: false, // The browser refused to play sound before a user gesture
  },
  // Content this page shares (the screen, a window, a tab): state off | starting | sharing, the
  // connection's own protocol messages are in `messages` with `connection: 'content'`.
  share: { state: 'off', error: null, participant: null },
  join: (token, conference) => join(token, conference),
  leave: () => leave(),
  startShare: () => startShare(),
  stopShare: () => stopShare(sharing),
  requestMcuStats: () => requestMcuStats(),
  setLanguage: (lang) => i18n.set(lang),
  get language() {
    return i18n.lang;
  },
};
window.mcuRoom = room;

let session = null; // The current join attempt (kiosk: the current connection).
let nextRequestId = 1;
let statsTimer = 0;
const lossWindow = new LossWindow();

class Session {
  // `kiosk`: one connection that waits for calls (conference null until called).
  constructor(token, conference, kiosk = false) {
    this.token = token;
    this.conference = conference;
    this.kiosk = kiosk;
    this.ws = null;
    this.pc = null;
    this.opened = false;
    this.closed = false;
    this.pending = new Map(); // request id -> type, to tell which request an error answers
    this.leaveTimer = 0;
    this.statsWaiters = [];
    this.lastHeardAt = performance.now(); // Kiosk: when the MCU last sent anything
    this.resetCall();
  }

  // What belongs to one call: a kiosk session answers several, one after the other.
  resetCall() {
    this.localMedia = null; // Promise of a MediaStream or null
    this.answerSent = false;
    this.queuedCandidates = [];
    this.videoSender = null; // Our camera's RTCRtpSender, once the answer is set
    this.layoutChain = Promise.resolve(); // setParameters calls, one at a time
    clearTimeout(this.joinTimer);
    this.joinTimer = 0;
  }

  get current() {
    return session === this && !this.closed;
  }

  send(message) {
    return sendRequest(this, message, 'r');
  }
}

// Sends a request on `conn` (a Session or a ContentShare): numbered, remembered (the last 64) so
// that an error can tell which request it answers, and recorded without the token.
function sendRequest(conn, message, prefix, tag = {}) {
  if (!conn.ws || conn.ws.readyState !== WebSocket.OPEN) return;
  const id = `${prefix}${nextRequestId++}`;
  conn.pending.set(id, message.type);
  if (conn.pending.size > 64) conn.pending.delete(conn.pending.keys().next().value);
  record('out', { ...(message.type === 'auth' ? { ...message, token: '…' } : message), ...tag });
  conn.ws.send(JSON.stringify({ ...message, id }));
  return id;
}

// An MCU message: the JSON object it sent, or null (the MCU only sends JSON objects).
function parseMessage(data) {
  try {
    const m = JSON.parse(data);
    return m && typeof m === 'object' ? m : null;
  } catch {
    return null;
  }
}

function record(direction, message) {
  const short = { ...message };
  if (typeof short.sdp === 'string') short.sdp = `(${short.sdp.length} bytes)`;
  room.messages.push({ t: Math.round(performance.now()), direction, message: short });
  if (room.messages.length > 200) room.messages.shift();
}

// ---------------------------------------------------------------------------------------------
// Joining

async function join(token, conference) {
  token = (token ?? '').trim();
  conference = (conference ?? '').trim();
  clearError();
  clearNotice();
  if (!token) return showError({ code: 'no_token' });
  if (!conference) return showError({ code: 'no_conference' });
  if (!window.RTCPeerConnection || !window.WebSocket) return showError({ code: 'no_webrtc' });

  teardown();
  const s = new Session(token, conference);
  session = s;
  room.site = null;
  room.lastError = null;
  openSession(s);
}

// Opens the session's WebSocket and authenticates; the replies go to onMessage.
function openSession(s) {
  room.conference = null;
  room.participant = null;
  room.roster = [];
  room.media = null;
  room.layout = null;
  room.stats = null;
  room.offerSdp = null;
  room.answerSdp = null;
  room.candidatesSent = 0;
  setState('connecting');

  try {
    s.ws = new WebSocket(wsUrl());
  } catch (e) {
    return fail(s, { code: 'ws_failed', message: String(e.message || e), local: true });
  }
  room.ws = s.ws;
  s.ws.addEventListener('open', () => {
    if (!s.current) return;
    s.opened = true;
    setState('authenticating');
    s.send({ type: 'auth', token: s.token });
  });
  s.ws.addEventListener('message', (event) => {
    if (!s.current) return;
    const message = parseMessage(event.data);
    if (!message) return;
    s.lastHeardAt = performance.now();
    record('in', message);
    onMessage(s, message).catch((e) => fail(s, { code: 'sdp_failed', message: String(e.message || e), local: true }));
  });
  s.ws.addEventListener('close', (event) => {
    render();
    if (!s.current) return;
    if (room.state === 'leaving' && !s.kiosk) return finishLeave(s);
    const detail = event.reason ? `${event.code} ${event.reason}` : `${event.code}`;
    fail(s, { code: s.opened ? 'ws_closed' : 'ws_failed', message: detail, local: true });
  });
  render();
}

async function onMessage(s, m) {
  switch (m.type) {
    case 'welcome':
      room.site = m.site || null;
      if (s.kiosk) return onKioskWelcome(s);
      setState('joining');
      s.send({ type: 'join', conference: s.conference });
      break;
    case 'standby':
      room.kiosk.next = m.next && typeof m.next === 'object' ? m.next : null;
      render();
      break;
    case 'call':
      if (s.kiosk) onKioskCall(s, m);
      break;
    case 'joined':
      room.conference = m.conference || { id: s.conference, title: '' };
      room.participant = m.participant || null;
      setState('negotiating');
      // Admitted: open the devices now (not before, so a refused join never lights the camera).
      s.localMedia = openLocalMedia(s);
      break;
    case 'offer':
      await answerOffer(s, String(m.sdp || ''));
      break;
    case 'roster':
      room.roster = Array.isArray(m.participants) ? m.participants : [];
      renderRoster();
      break;
    case 'media':
      room.media = { state: m.state, detail: m.detail };
      if (m.state === 'connected') onMediaConnected(s);
      if (m.state === 'failed' && s.kiosk) return fail(s, { code: 'media_failed', message: String(m.detail || '') });
      render();
      break;
    case 'muted':
      room.kiosk.hostMuted = { audio: m.audio === true, video: m.video === true };
      render();
      break;
    case 'left':
      if (s.kiosk) return kioskStandby(s);
      if (room.state === 'leaving') return finishLeave(s);
      // The MCU ended our membership (media failure, replaced by another connection, ...).
      if (m.reason && m.reason !== 'left') showNotice(i18n.t('notice.removed', { reason: m.reason }));
      closeMedia(s);
      if (room.state !== 'failed') setState('left');
      break;
    case 'error':
      onMcuError(s, m);
      break;
    case 'stats':
      room.mcuStats = m.stats ?? null;
      s.statsWaiters.splice(0).forEach((resolve) => resolve(room.mcuStats));
      break;
    case 'layout':
      onLayout(s, m);
      break;
    default:
      break; // pong, future events (speaker)
  }
}

function onMediaConnected(s) {
  if (room.state === 'negotiating') setState('connected');
  if (s.kiosk && room.kiosk.state === 'joining' && room.conference) {
    clearTimeout(s.joinTimer);
    setKioskState('in-conference');
  }
}

function onMcuError(s, m) {
  const request = m.id != null ? s.pending.get(String(m.id)) : undefined;
  const error = { code: String(m.code || 'internal'), message: String(m.message || ''), request };
  if (s.kiosk) return onKioskError(s, error);
  const inCall = room.state === 'connected';
  const fatal =
    FATAL_REQUESTS.has(request) ||
    error.code === 'media_failed' ||
    error.code === 'unauthorized' ||
    (request === undefined && !inCall);
  if (fatal) fail(s, error);
  else showError(error); // e.g. a refused candidate or rate limiting: the call goes on
}

async function openLocalMedia(s) {
  if (s.kiosk) return kioskMedia(); // Opened once, kept across calls.
  if (!navigator.mediaDevices?.getUserMedia) {
    showNotice(i18n.t('error.no_devices'));
    return null;
  }
  const constraints = MEDIA_CONSTRAINTS;
  let stream = null;
  try {
    stream = await navigator.mediaDevices.getUserMedia(constraints);
  } catch (first) {
    // One device may be missing or busy: try each alone before going receive-only.
    for (const only of [{ audio: constraints.audio }, { video: constraints.video }]) {
      try {
        stream = await navigator.mediaDevices.getUserMedia(only);
        break;
      } catch {
        // try the next
      }
    }
    if (!stream) showNotice(`${i18n.t('error.no_devices')} (${first.name || first})`);
  }
  if (!s.current) {
    stream?.getTracks().forEach((t) => t.stop());
    return null;
  }
  room.localStream = stream;
  if (stream) {
    $('local-video').srcObject = stream;
    $('self-view').hidden = !stream.getVideoTracks().length;
  }
  render();
  return stream;
}

async function answerOffer(s, sdp) {
  if (s.pc) return; // One offer per join; a renegotiation would come with the mixing conference.
  room.offerSdp = sdp;
  const pc = new RTCPeerConnection(PC_CONFIG);
  s.pc = pc;
  room.pc = pc;
  const remote = new MediaStream();
  room.remoteStream = remote;
  const video = $('remote-video');
  video.srcObject = remote;

  pc.addEventListener('track', (event) => {
    if (!s.current) return;
    remote.addTrack(event.track);
    event.track.addEventListener('unmute', () => {
      render();
      playRemote(s);
    });
    playRemote(s);
  });
  pc.addEventListener('icecandidate', (event) => {
    const message = s.current && candidateMessage(event.candidate);
    if (!message) return;
    if (s.answerSent) sendCandidate(s, message);
    else s.queuedCandidates.push(message);
  });
  pc.addEventListener('iceconnectionstatechange', render);
  pc.addEventListener('connectionstatechange', () => {
    render();
    if (!s.current || s.pc !== pc) return;
    if (pc.connectionState === 'connected') onMediaConnected(s);
    if (pc.connectionState === 'failed') fail(s, { code: 'pc_failed', message: 'RTCPeerConnection failed', local: true });
  });

  // A kiosk's session outlives its calls: a step that resumes after its call ended does nothing.
  const live = () => s.current && s.pc === pc;
  try {
    await pc.setRemoteDescription({ type: 'offer', sdp });
  } catch (e) {
    if (!live()) return;
    return fail(s, { code: 'sdp_failed', message: String(e.message || e), local: true });
  }
  const stream = await (s.localMedia ?? openLocalMedia(s));
  if (!live()) return;

  // Put our tracks on the transceivers the offer created, one track per kind.
  const unused = stream ? stream.getTracks().filter((t) => t.readyState === 'live') : [];
  let videoSender = null;
  for (const transceiver of pc.getTransceivers()) {
    if (!live()) return;
    const kind = transceiver.receiver.track.kind;
    const index = unused.findIndex((t) => t.kind === kind);
    if (index >= 0) {
      const [track] = unused.splice(index, 1);
      await transceiver.sender.replaceTrack(track);
      transceiver.sender.setStreams?.(stream);
      transceiver.direction = 'sendrecv';
      if (kind === 'video') videoSender = transceiver.sender;
    } else {
      transceiver.direction = 'recvonly';
    }
    if (kind === 'video' && room.codec === 'h264' && transceiver.setCodecPreferences) {
      const codecs = RTCRtpReceiver.getCapabilities('video')?.codecs ?? [];
      if (codecs.some((c) => c.mimeType.toLowerCase() === 'video/h264'))
        transceiver.setCodecPreferences(preferCodec(codecs, 'video/H264'));
    }
  }
  if (!live()) return;
  const answer = await pc.createAnswer();
  await pc.setLocalDescription(answer);
  if (!live()) return;
  room.answerSdp = pc.localDescription.sdp;
  s.send({ type: 'answer', sdp: room.answerSdp });
  s.answerSent = true;
  for (const message of s.queuedCandidates.splice(0)) sendCandidate(s, message);
  // A layout that came before the camera was on the wire applies now.
  s.videoSender = videoSender;
  if (room.layout) applyLayout(s);
  startStats(s);
  render();
}

// ---------------------------------------------------------------------------------------------
// Layout (mixing conferences)

// `layout`: the composite shows `tiles` sites and ours is sendWidth x sendHeight. The MCU scales
// every site to its tile, so anything larger is encoded, sent and decoded only to be thrown away:
// scale the camera down to fit (never up). Remembered, and applied once the video sender exists.
function onLayout(s, m) {
  const width = Number(m.sendWidth);
  const height = Number(m.sendHeight);
  if (!(width > 0 && height > 0)) return; // Nothing usable to scale to.
  room.layout = {
    tiles: Number(m.tiles) || 0,
    sendWidth: width,
    sendHeight: height,
    scaleResolutionDownBy: null,
    trackWidth: null,
    trackHeight: null,
    applied: false,
    error: null,
  };
  applyLayout(s);
}

// Sets encodings[0].scaleResolutionDownBy on the video sender for room.layout. Calls are chained
// (setParameters needs a fresh getParameters, and a second call while one is pending fails);
// failures are recorded in room.layout.error, never thrown.
function applyLayout(s) {
  s.layoutChain = s.layoutChain.then(async () => {
    const layout = room.layout;
    const sender = s.videoSender;
    const track = sender?.track;
    if (!s.current || !layout || !track) return;
    const settings = track.getSettings();
    const trackWidth = settings.width || 0;
    const trackHeight = settings.height || 0;
    const scale = Math.max(
      1,
      trackWidth ? trackWidth / layout.sendWidth : 1,
      trackHeight ? trackHeight / layout.sendHeight : 1,
    );
    layout.trackWidth = trackWidth || null;
    layout.trackHeight = trackHeight || null;
    layout.scaleResolutionDownBy = scale;
    try {
      const params = sender.getParameters();
      if (!params.encodings?.length) throw new Error('the video sender has no encodings');
      if (params.encodings[0].scaleResolutionDownBy !== scale) {
        params.encodings[0].scaleResolutionDownBy = scale;
        await sender.setParameters(params);
      }
      if (room.layout === layout) {
        layout.applied = true;
        layout.error = null;
      }
    } catch (e) {
      if (room.layout === layout) layout.error = String(e.message || e);
    }
  });
}

function sendCandidate(s, message) {
  s.send(message);
  if (message.candidate) room.candidatesSent++;
}

// ---------------------------------------------------------------------------------------------
// Leaving and failing

// Asks the MCU for its statistics of our transport (`getStats`); resolves with them, or null.
function requestMcuStats() {
  const s = session;
  if (!s?.current || !room.conference) return Promise.resolve(null);
  return new Promise((resolve) => {
    s.statsWaiters.push(resolve);
    setTimeout(() => resolve(null), 3000);
    s.send({ type: 'getStats' });
  });
}

function leave() {
  const s = session;
  if (!s || !s.current) return;
  if (s.kiosk) {
    // The kiosk's connection stays: out of this conference, until the MCU calls again.
    if (room.conference) s.send({ type: 'leave' });
    return kioskStandby(s);
  }
  if (s.ws?.readyState === WebSocket.OPEN && room.conference) {
    setState('leaving');
    s.send({ type: 'leave' });
    closeMedia(s);
    s.leaveTimer = setTimeout(() => finishLeave(s), LEAVE_TIMEOUT_MS);
  } else {
    finishLeave(s);
  }
}

function finishLeave(s) {
  if (session !== s) return;
  clearTimeout(s.leaveTimer);
  teardown();
  setState('left');
}

function fail(s, error) {
  if (!s.current) return;
  if (s.kiosk) return kioskDrop(s, error);
  showError(error);
  teardown();
  setState('failed');
}

// Stops the media of a session: the peer connection and the local devices.
function closeMedia(s) {
  stopShare(sharing); // Content is shared only during the site's call.
  clearInterval(statsTimer);
  statsTimer = 0;
  room.stats = null; // Figures of a finished call would read as current ones.
  room.roster = [];
  s.videoSender = null;
  if (s.pc) {
    s.pc.close();
    s.pc = null;
  }
  lossWindow.reset();
  room.kiosk.loss = null;
  if (!s.kiosk) {
    // The kiosk keeps its devices open across calls (kioskMedia).
    room.localStream?.getTracks().forEach((t) => t.stop());
    room.localStream = null;
    $('local-video').srcObject = null;
  }
  $('remote-video').srcObject = null;
  $('self-view').hidden = true;
  render();
}

// Ends the current session entirely: media, then the WebSocket. room.pc is kept (closed) so
// its final state stays visible to tests and diagnosis.
function teardown() {
  const s = session;
  if (!s) return;
  closeMedia(s);
  s.closed = true;
  clearTimeout(s.leaveTimer);
  clearTimeout(s.joinTimer);
  if (s.ws && s.ws.readyState <= WebSocket.OPEN) s.ws.close(1000, 'bye');
  render();
}

// ---------------------------------------------------------------------------------------------
// Sharing content: the screen, a window or a tab (getDisplayMedia), carried by a second
// connection with the site's token and role `content`, as `mcu-room --content` does: auth, join
// the conference the site is in, answer the MCU's offer with the display's video alone (the MCU
// neither mixes nor sends anything to a content connection). The presenter layout shows it large.
// Sharing ends on the button, when the browser's own "stop sharing" ends the track, when the
// site's call ends (closeMedia), or when the MCU ends it (`left`, an error).

let sharing = null; // The ContentShare in progress, if any.

class ContentShare {
  constructor(token, conference, stream) {
    this.token = token;
    this.conference = conference;
    this.stream = stream;
    this.ws = null;
    this.pc = null;
    this.closed = false;
    this.joined = false;
    this.pending = new Map(); // request id -> type
    this.answerSent = false;
    this.queuedCandidates = [];
  }

  get current() {
    return sharing === this && !this.closed;
  }

  send(message) {
    return sendRequest(this, message, 'c', { connection: 'content' });
  }
}

async function startShare() {
  if (sharing || room.share.state !== 'off' || room.state !== 'connected' || !session?.current) return;
  if (!navigator.mediaDevices?.getDisplayMedia) return shareFailed(null, 'getDisplayMedia');
  room.share = { state: 'starting', error: null, participant: null };
  render();
  let stream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({
      video: { frameRate: { ideal: 15, max: 30 }, width: { max: 1920 }, height: { max: 1080 } },
      audio: false,
    });
  } catch (e) {
    room.share.state = 'off';
    // Cancelling the browser's picker is not a failure.
    if (e?.name !== 'NotAllowedError') shareFailed(null, e?.name || String(e));
    return render();
  }
  const s = session;
  if (room.state !== 'connected' || !s?.current || !room.conference) {
    stream.getTracks().forEach((t) => t.stop());
    room.share.state = 'off';
    return render();
  }
  const c = new ContentShare(s.token, room.conference.id, stream);
  sharing = c;
  const [track] = stream.getVideoTracks();
  if ('contentHint' in track) track.contentHint = 'detail'; // Slides and text: sharp over smooth.
  track.addEventListener('ended', () => stopShare(c));
  try {
    c.ws = new WebSocket(wsUrl());
  } catch (e) {
    return shareFailed(c, String(e.message || e));
  }
  c.ws.addEventListener('open', () => {
    if (c.current) c.send({ type: 'auth', token: c.token, role: 'content' });
  });
  c.ws.addEventListener('message', (event) => {
    if (!c.current) return;
    const m = parseMessage(event.data);
    if (!m) return;
    record('in', { ...m, connection: 'content' });
    onShareMessage(c, m).catch((e) => shareFailed(c, String(e.message || e)));
  });
  c.ws.addEventListener('close', (event) => {
    if (c.current) shareFailed(c, event.reason || `closed ${event.code}`);
  });
  render();
}

async function onShareMessage(c, m) {
  switch (m.type) {
    case 'welcome':
      c.send({ type: 'join', conference: c.conference });
      break;
    case 'joined':
      c.joined = true;
      room.share.participant = m.participant || null;
      break;
    case 'offer':
      await answerShare(c, String(m.sdp || ''));
      break;
    case 'media':
      if (m.state === 'connected') setShareState('sharing');
      else if (m.state === 'failed') shareFailed(c, String(m.detail || 'media failed'));
      break;
    case 'left':
      stopShare(c);
      break;
    case 'error': {
      const request = m.id != null ? c.pending.get(String(m.id)) : undefined;
      if (FATAL_REQUESTS.has(request) || m.code === 'media_failed' || m.code === 'unauthorized')
        shareFailed(c, `${m.code}: ${m.message || ''}`);
      break;
    }
    default:
      break; // call (already joining), roster, pong
  }
}

async function answerShare(c, sdp) {
  if (c.pc) return;
  const pc = new RTCPeerConnection(PC_CONFIG);
  c.pc = pc;
  pc.addEventListener('icecandidate', (event) => {
    const message = c.current && candidateMessage(event.candidate);
    if (!message) return;
    if (c.answerSent) c.send(message);
    else c.queuedCandidates.push(message);
  });
  pc.addEventListener('connectionstatechange', () => {
    if (!c.current || c.pc !== pc) return;
    if (pc.connectionState === 'connected') setShareState('sharing');
    if (pc.connectionState === 'failed') shareFailed(c, 'RTCPeerConnection failed');
  });
  await pc.setRemoteDescription({ type: 'offer', sdp });
  if (!c.current) return;
  const [track] = c.stream.getVideoTracks();
  let sent = false;
  for (const transceiver of pc.getTransceivers()) {
    if (transceiver.receiver.track.kind === 'video' && !sent && track) {
      await transceiver.sender.replaceTrack(track);
      transceiver.direction = 'sendonly';
      sent = true;
    } else {
      transceiver.direction = 'inactive'; // No audio, and no composite back.
    }
  }
  if (!sent) return shareFailed(c, 'the offer has no video');
  const answer = await pc.createAnswer();
  await pc.setLocalDescription(answer);
  if (!c.current) return;
  c.send({ type: 'answer', sdp: pc.localDescription.sdp });
  c.answerSent = true;
  for (const message of c.queuedCandidates.splice(0)) c.send(message);
}

function setShareState(state) {
  if (room.share.state === state) return;
  room.share.state = state;
  render();
}

function shareFailed(c, reason) {
  if (c && !c.current) return;
  room.share.error = reason;
  showNotice(i18n.t('notice.shareFailed', { reason }));
  stopShare(c);
}

// Ends sharing `c` (the one in progress; null: none): the MCU hears `leave`, then the connection
// closes; the display capture stops.
function stopShare(c) {
  if (c && !c.closed) {
    c.closed = true;
    if (c.joined) c.send({ type: 'leave' });
    if (c.ws && c.ws.readyState <= WebSocket.OPEN) c.ws.close(1000, 'bye');
    c.pc?.close();
    c.stream.getTracks().forEach((t) => t.stop());
  }
  if (c === sharing || !sharing) {
    sharing = null;
    if (room.share.state !== 'off') {
      room.share.state = 'off';
      room.share.participant = null;
      render();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics shown on the page (and kept in room.stats)

function startStats(s) {
  clearInterval(statsTimer);
  lossWindow.reset();
  statsTimer = setInterval(async () => {
    if (!s.current || !s.pc) return;
    const pc = s.pc;
    const summary = await summarizeStats(pc);
    if (!s.current || s.pc !== pc) return;
    room.stats = summary;
    room.kiosk.loss = lossWindow.push(summary.inbound);
    renderStats();
    if (s.kiosk) render();
  }, STATS_INTERVAL_MS);
}

async function summarizeStats(pc) {
  const report = await pc.getStats();
  const summary = { transport: null, pair: null, videoIn: null, audioIn: null, inbound: null };
  summary.inbound = inboundTotals([...report.values()], performance.now());
  report.forEach((r) => {
    if (r.type === 'transport') summary.transport = r;
    else if (r.type === 'inbound-rtp' && r.kind === 'video') summary.videoIn = r;
    else if (r.type === 'inbound-rtp' && r.kind === 'audio') summary.audioIn = r;
  });
  if (summary.transport?.selectedCandidatePairId)
    summary.pair = report.get(summary.transport.selectedCandidatePairId) || null;
  return summary;
}

// ---------------------------------------------------------------------------------------------
// Rendering

function setState(state) {
  room.state = state;
  render();
}

function showError(error) {
  const code = error.code;
  const key = `error.${code}`;
  const text = i18n.has(key) ? i18n.t(key) : i18n.t('error.unknown', { code });
  room.lastError = { code, message: error.message || '', text, local: !!error.local };
  renderError();
}

function renderError() {
  const e = room.lastError;
  const banner = $('error-banner');
  if (!e) {
    banner.hidden = true;
    return;
  }
  const key = `error.${e.code}`;
  e.text = i18n.has(key) ? i18n.t(key) : i18n.t('error.unknown', { code: e.code });
  $('error-text').textContent = e.text;
  $('error-detail').textContent = e.message
    ? i18n.t(e.local ? 'error.browserDetail' : 'error.detail', { message: e.message })
    : '';
  banner.dataset.code = e.code;
  banner.hidden = false;
}

function clearError() {
  room.lastError = null;
  renderError();
}

let noticeText = '';
function showNotice(text) {
  noticeText = text;
  $('notice-text').textContent = text;
  $('notice-banner').hidden = false;
}

function clearNotice() {
  noticeText = '';
  $('notice-banner').hidden = true;
}

function stateText(prefix, value) {
  if (!value) return '—';
  const key = `${prefix}.${value}`;
  return i18n.has(key) ? i18n.t(key) : value;
}

function render() {
  const state = room.state;
  const badge = $('state-badge');
  badge.textContent = i18n.t(`state.${state}`);
  badge.dataset.i18n = `state.${state}`;
  badge.dataset.state = state;
  badge.className = `badge badge-${state}`;
  document.body.dataset.state = state;

  const busy = !['idle', 'left', 'failed'].includes(state);
  $('join-button').disabled = busy;
  $('token-input').disabled = busy;
  $('conference-input').disabled = busy;
  $('stage-controls').hidden = !busy;
  $('leave-button').disabled = state === 'leaving';

  const ws = session?.ws;
  $('status-site').textContent = room.site ? room.site.name || room.site.id : '—';
  $('status-site').title = room.site ? room.site.id : '';
  $('status-conference').textContent = room.conference
    ? room.conference.title || room.conference.id
    : '—';
  $('status-conference').title = room.conference ? room.conference.id : '';
  $('status-signaling').textContent = ws
    ? stateText('ws', ['connecting', 'open', 'closing', 'closed'][ws.readyState])
    : '—';
  const pc = room.pc;
  $('status-ice').textContent = pc ? stateText('pc', pc.iceConnectionState) : '—';
  $('status-media').textContent = pc ? stateText('pc', pc.connectionState) : '—';
  $('status-ice').dataset.value = pc?.iceConnectionState || '';
  $('status-media').dataset.value = pc?.connectionState || '';

  const remoteVideo = room.remoteStream?.getVideoTracks()[0];
  const hasPicture = busy && remoteVideo && !remoteVideo.muted && remoteVideo.readyState === 'live';
  $('stage-placeholder').hidden = !!hasPicture;
  const message = busy ? 'stage.waiting' : state === 'left' ? 'stage.left' : 'stage.idle';
  $('stage-message').dataset.i18n = message;
  $('stage-message').textContent = i18n.t(message);

  const audio = room.localStream?.getAudioTracks()[0];
  const camera = room.localStream?.getVideoTracks()[0];
  $('mic-toggle').hidden = !audio;
  $('cam-toggle').hidden = !camera;
  setToggle($('mic-toggle'), audio, 'controls.micOff', 'controls.micOn');
  setToggle($('cam-toggle'), camera, 'controls.camOff', 'controls.camOn');
  const share = $('share-toggle');
  const shareOn = room.share.state !== 'off';
  share.hidden = !navigator.mediaDevices?.getDisplayMedia || (state !== 'connected' && !shareOn);
  share.disabled = room.share.state === 'starting';
  share.setAttribute('aria-pressed', String(shareOn));
  share.dataset.i18n = shareOn ? 'controls.stopShare' : 'controls.share';
  share.textContent = i18n.t(share.dataset.i18n);
  renderStats();
  renderRoster();
  if (room.kiosk.enabled) renderKiosk(room, i18n.lang);
}

function setToggle(button, track, onKey, offKey) {
  const off = track ? !track.enabled : false;
  button.setAttribute('aria-pressed', String(off));
  button.dataset.i18n = off ? offKey : onKey;
  button.textContent = i18n.t(button.dataset.i18n);
}

function renderStats() {
  const st = room.stats;
  const srtp = room.media?.state === 'connected' ? room.media.detail : '';
  const cipher = st?.transport?.srtpCipher || srtp;
  $('status-srtp').textContent = cipher ? srtpName(cipher) : '—';
  $('status-srtp').title = cipher || '';
  const v = st?.videoIn;
  $('status-video').textContent =
    v && v.framesDecoded
      ? i18n.t('status.videoValue', {
          width: v.frameWidth ?? '?',
          height: v.frameHeight ?? '?',
          frames: v.framesDecoded,
        })
      : '—';
  const a = st?.audioIn;
  $('status-audio').textContent =
    a && a.packetsReceived ? i18n.t('status.audioValue', { packets: a.packetsReceived }) : '—';
  const pc = room.pc;
  $('status-ice').textContent = pc ? stateText('pc', pc.iceConnectionState) : '—';
  $('status-media').textContent = pc ? stateText('pc', pc.connectionState) : '—';
}

// A readable name of an SRTP protection profile, whoever named it (Chromium says
// "SRTP_AEAD_AES_128_GCM", the MCU "AEAD_AES_128_GCM").
function srtpName(profile) {
  const p = String(profile).toUpperCase();
  const gcm = /AEAD_AES_(128|256)_GCM/.exec(p);
  if (gcm) return `AES-${gcm[1]}-GCM`;
  const cm = /SHA1_(80|32)/.exec(p);
  if (cm) return `AES-128-CM / HMAC-SHA1-${cm[1]}`;
  return profile;
}

function renderRoster() {
  const list = $('roster');
  list.replaceChildren();
  for (const p of room.roster) {
    const item = document.createElement('li');
    item.className = 'roster-item';
    item.dataset.site = String(p.site ?? '');
    const avatar = document.createElement('span');
    avatar.className = 'avatar';
    avatar.textContent = String(p.name || p.site || '?').trim().charAt(0).toUpperCase();
    const text = document.createElement('span');
    text.className = 'roster-text';
    const name = document.createElement('span');
    name.className = 'roster-name';
    name.textContent = String(p.name || p.site || p.id);
    if (p.content) name.textContent += ` (${i18n.t('roster.content')})`;
    if (p.id === room.participant) {
      const you = document.createElement('span');
      you.className = 'roster-you';
      you.textContent = ` (${i18n.t('roster.you')})`;
      name.append(you);
    }
    const site = document.createElement('span');
    site.className = 'roster-site';
    site.textContent = String(p.site ?? '');
    text.append(name, site);
    const media = document.createElement('span');
    media.className = `pill pill-${p.media === 'connected' ? 'ok' : 'wait'}`;
    media.textContent = stateText('roster.media', p.media);
    item.append(avatar, text, media);
    list.append(item);
  }
  $('roster-count').textContent = String(room.roster.length);
  $('roster-empty').hidden = room.roster.length > 0;
}

// ---------------------------------------------------------------------------------------------
// The kiosk room (see the top of this file)

let kioskToken = '';
let kioskRetryTimer = 0;
let kioskMediaChain = null; // The latest opening of the devices: a Promise of the kept stream

function startKiosk(token) {
  const k = room.kiosk;
  k.enabled = true;
  kioskToken = token;
  document.body.classList.add('kiosk');
  $('kiosk').hidden = false;
  document.addEventListener('keydown', onKioskKey);
  document.addEventListener('pointerdown', unblockAudio);
  navigator.mediaDevices?.addEventListener?.('devicechange', () => refreshKioskDevices());
  setInterval(() => renderKiosk(room, i18n.lang), 1000); // The clock.
  setInterval(kioskPing, KIOSK_PING_MS);
  if (!token) {
    k.state = 'reconnecting';
    k.noToken = true; // Nothing to connect with: the screen says how to give the token.
    render();
    return;
  }
  kioskMedia(); // Before the first welcome, so that `devices` is right from the start.
  connectKiosk();
}

function connectKiosk() {
  clearTimeout(kioskRetryTimer);
  kioskRetryTimer = 0;
  const k = room.kiosk;
  k.retryInMs = null;
  if (session) k.reconnects++;
  const s = new Session(kioskToken, null, true);
  session = s;
  k.state = 'reconnecting';
  openSession(s);
}

function setKioskState(state) {
  room.kiosk.state = state;
  render();
}

function onKioskWelcome(s) {
  const k = room.kiosk;
  k.connected = true;
  k.everConnected = true;
  k.refused = false;
  k.attempt = 0; // The backoff starts again from 0.5 s at the next drop.
  setState('standby');
  setKioskState('standby');
  kioskMedia().then(() => sendDevices(s, true));
}

// `call`: join the conference, unless already joining or in one (the MCU repeats its calls).
function onKioskCall(s, m) {
  const id = String(m.conference?.id || '');
  if (!id || room.kiosk.state !== 'standby') return;
  s.resetCall();
  s.conference = id;
  room.conference = null;
  room.participant = null;
  room.roster = [];
  room.media = null;
  room.layout = null;
  room.offerSdp = null;
  room.answerSdp = null;
  room.candidatesSent = 0;
  room.kiosk.hostMuted = { audio: false, video: false };
  room.kiosk.calls++;
  setState('joining');
  setKioskState('joining');
  s.joinTimer = setTimeout(
    () => fail(s, { code: 'join_timeout', message: `not connected ${KIOSK_JOIN_TIMEOUT_MS / 1000} s after the call`, local: true }),
    KIOSK_JOIN_TIMEOUT_MS,
  );
  s.send({ type: 'join', conference: id });
}

// Out of the conference (`left`, or a join or answer the MCU refused): the connection stays,
// the devices stay open, and the MCU calls the room again when there is a conference.
function kioskStandby(s) {
  closeMedia(s);
  s.resetCall();
  s.conference = null;
  room.conference = null;
  room.participant = null;
  room.media = null;
  room.layout = null;
  room.kiosk.hostMuted = { audio: false, video: false };
  setState('standby');
  setKioskState('standby');
}

function onKioskError(s, error) {
  room.lastError = { code: error.code, message: error.message, text: '', local: false };
  if (error.code === 'unauthorized' || error.code === 'media_failed' || error.request === 'auth') return fail(s, error);
  if (error.request === 'answer') {
    s.send({ type: 'leave' });
    return kioskStandby(s);
  }
  if (error.request === 'join') return kioskStandby(s);
  // Anything else (a refused candidate, rate limiting): the call goes on.
}

// Any drop: the connection and the call end, the devices stay open, and the page connects
// again after the backoff.
function kioskDrop(s, error) {
  const k = room.kiosk;
  room.lastError = { code: error.code, message: error.message || '', text: '', local: !!error.local };
  k.drops.push({ at: Date.now(), reason: `${error.code}${error.message ? ` ${error.message}` : ''}` });
  if (k.drops.length > 20) k.drops.shift();
  if (error.code === 'unauthorized') k.refused = true;
  teardown();
  k.connected = false;
  k.hostMuted = { audio: false, video: false };
  room.conference = null;
  room.participant = null;
  const delay = backoffDelayMs(k.attempt++);
  k.retryInMs = delay;
  clearTimeout(kioskRetryTimer);
  kioskRetryTimer = setTimeout(connectKiosk, delay);
  setState('connecting');
  setKioskState('reconnecting');
}

// Keeps the connection honest: a ping every KIOSK_PING_MS, and a connection from which nothing
// came for KIOSK_SILENT_MS (a cable pulled, a hung handshake) is dropped.
function kioskPing() {
  const s = session;
  if (!s?.current || !s.kiosk) return;
  if (performance.now() - s.lastHeardAt > KIOSK_SILENT_MS)
    return fail(s, { code: 'ws_silent', message: `nothing from the MCU for ${KIOSK_SILENT_MS / 1000} s`, local: true });
  if (room.kiosk.connected) s.send({ type: 'ping' });
}

// The kept camera and microphone: opened once, again for a kind whose track ended or when the
// devices change (a USB camera plugged in). A device that comes back during a call replaces
// what its sender sent; one that was missing when the call was answered is used from the next.
function kioskMedia() {
  if (!kioskMediaChain) kioskMediaChain = openKioskMedia();
  return kioskMediaChain;
}

function refreshKioskDevices() {
  kioskMediaChain = kioskMedia().then(() => openKioskMedia());
  kioskMediaChain.then((stream) => {
    const pc = session?.pc;
    if (!pc || !stream) return;
    for (const transceiver of pc.getTransceivers()) {
      const kind = transceiver.receiver.track.kind;
      const track = stream.getTracks().find((t) => t.kind === kind && t.readyState === 'live');
      if (track && transceiver.sender.track !== track && transceiver.direction === 'sendrecv')
        transceiver.sender.replaceTrack(track).catch(() => {});
    }
  });
}

async function openKioskMedia() {
  const stream = room.localStream || new MediaStream();
  for (const t of stream.getTracks()) if (t.readyState !== 'live') stream.removeTrack(t);
  const has = (kind) => stream.getTracks().some((t) => t.kind === kind);
  const want = { audio: !has('audio'), video: !has('video') };
  const get = async (constraints) => {
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch {
      return null; // Absent, busy or refused: reported as missing.
    }
  };
  if (navigator.mediaDevices?.getUserMedia && (want.audio || want.video)) {
    const found = [];
    const both = want.audio && want.video
      ? await get({ audio: MEDIA_CONSTRAINTS.audio, video: MEDIA_CONSTRAINTS.video })
      : null;
    if (both) found.push(both);
    else {
      if (want.audio) found.push(await get({ audio: MEDIA_CONSTRAINTS.audio }));
      if (want.video) found.push(await get({ video: MEDIA_CONSTRAINTS.video }));
    }
    for (const track of found.flatMap((x) => (x ? x.getTracks() : []))) {
      if (track.kind === 'audio') track.enabled = !room.kiosk.micMuted;
      track.addEventListener('ended', () => {
        sendDevices(session);
        refreshKioskDevices();
      });
      stream.addTrack(track);
    }
  }
  room.localStream = stream;
  sendDevices(session);
  render();
  return stream;
}

// `devices` after each welcome (`force`) and whenever the report changes.
function sendDevices(s, force = false) {
  const k = room.kiosk;
  if (!s?.current || !s.kiosk || !k.connected) return;
  const report = deviceReport(room.localStream ? room.localStream.getTracks() : []);
  if (!force && k.devices && JSON.stringify(k.devices) === JSON.stringify(report)) return;
  k.devices = report;
  s.send({ type: 'devices', ...report });
}

function onKioskKey(event) {
  unblockAudio();
  if (!isMicKey(event)) return;
  event.preventDefault();
  toggleKioskMic();
}

// The room's own microphone, off and on (track.enabled: the call goes on, silent).
function toggleKioskMic() {
  const k = room.kiosk;
  k.micMuted = !k.micMuted;
  for (const t of room.localStream?.getAudioTracks() ?? []) t.enabled = !k.micMuted;
  render();
}

// Plays the composite. A browser that refuses sound before a user gesture (started without
// --autoplay-policy=no-user-gesture-required) plays the kiosk's picture muted, and its sound from
// the first key or touch.
function playRemote(s) {
  const video = $('remote-video');
  video.play().catch((e) => {
    if (!s.kiosk || !s.current || e?.name !== 'NotAllowedError') return;
    room.kiosk.audioBlocked = true;
    video.muted = true;
    video.play().catch(() => {});
    render();
  });
}

function unblockAudio() {
  if (!room.kiosk.audioBlocked) return;
  const video = $('remote-video');
  video.muted = false;
  video.play().then(
    () => {
      room.kiosk.audioBlocked = false;
      render();
    },
    () => {
      video.muted = true;
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Wiring

function init() {
  i18n.apply();
  i18n.bindSwitch($('lang-switch'));
  i18n.onChange(() => {
    renderError();
    if (noticeText) clearNotice(); // A notice is not re-translatable; it was informational.
    render();
  });

  // The token comes in the fragment (#token=..., never sent to the server) or, on the ordinary
  // page, also in the query (?token=); either way it is dropped from the address bar and history
  // at once, so that it is not left on screen or in the browser's history. The kiosk keeps it
  // for the tab's session (sessionStorage), so that a reload of the page comes back by itself.
  const fragment = parseFragment(location.hash);
  if (fragment.lang) i18n.set(fragment.lang);
  room.codec = fragment.codec;
  const params = new URLSearchParams(location.search);
  let token = fragment.token || (fragment.kiosk ? '' : params.get('token') || '');
  const conference = fragment.conference || params.get('conference');
  if (conference) $('conference-input').value = conference;
  if (fragment.token || params.has('token')) {
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}${fragment.rest}`);
  }
  if (fragment.kiosk) token = keptKioskToken(token);
  else if (token) $('token-input').value = token;

  $('join-form').addEventListener('submit', (event) => {
    event.preventDefault();
    join($('token-input').value, $('conference-input').value);
  });
  $('leave-button').addEventListener('click', () => leave());
  $('error-close').addEventListener('click', () => clearError());
  $('mic-toggle').addEventListener('click', () => toggleTrack('audio'));
  $('cam-toggle').addEventListener('click', () => toggleTrack('video'));
  $('share-toggle').addEventListener('click', () => (sharing ? stopShare(sharing) : startShare()));
  $('remote-video').addEventListener('loadedmetadata', render);
  $('remote-video').addEventListener('playing', render);
  window.addEventListener('pagehide', () => {
    if (session?.current) teardown();
  });
  render();
  if (fragment.kiosk) startKiosk(token);
}

function keptKioskToken(token) {
  const key = 'mcu.roomToken';
  try {
    if (token) sessionStorage.setItem(key, token);
    else token = sessionStorage.getItem(key) || '';
  } catch {
    // Storage disabled: the token lives in memory only.
  }
  return token;
}

function toggleTrack(kind) {
  const track = room.localStream?.getTracks().find((t) => t.kind === kind);
  if (!track) return;
  track.enabled = !track.enabled;
  render();
}

init();
