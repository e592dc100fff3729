// The live page of one conference (#/live/<id>): what the host watches while it runs.
//
//   header   title, state, time, "locked"; Start / Lock / Mute all but the host / End
//   preview  the composite as the sites see it (a receive-only WebRTC preview, ../preview.js),
//            its state, a button to hear it, and the layout picker (pictures of the 4 layouts)
//   board    the roll-call: every site (invited first) with its state, quality (from the feed's
//            per-second stats and alarms), badges, the active speaker, and per-site controls
//
// The roll-call is fetched again (debounced) on the feed's roster/site/speaker/layout/control/
// conference events of this conference and every 5 s as a fallback; stats and alarms update the
// quality badges as they come. Technicians see everything, with the controls disabled and the
// reason shown. Hooks for tests: #preview, #preview-sound, #preview-state, #layout-picker
// [data-layout], #mute-all, #lock, #end-conference, #start-conference, #locked-indicator,
// #conf-state, #roll-call li[data-site][data-state][data-muted-audio][data-muted-video]
// [data-speaking] with .quality[data-quality] and button[data-action], #count-invited/-online/
// -joined/-video.

import { h, replace, uid, fmtTime, fmtDate, fmtDateTime } from '../dom.js';
import { Preview } from '../preview.js';

export const strings = {
  vi: {
    'live.title': 'Điều hành hội nghị',
    'live.back': 'Danh sách hội nghị',
    'live.monitorLink': 'Giám sát kỹ thuật',
    'live.notFound': 'Không tìm thấy hội nghị “{id}”.',
    'live.loadFailed': 'Không tải được hội nghị: {message}',
    'live.stale': 'Không cập nhật được ({message}); đang thử lại…',
    'live.state.open': 'Đang họp',
    'live.state.scheduled': 'Đã lên lịch',
    'live.state.ended': 'Đã kết thúc',
    'live.permanent': 'Phòng họp thường trực',
    'live.timeRange': '{from} – {to}, {date}',
    'live.timeRangeLong': '{from} – {to}',
    'live.locked': 'Đã khóa',
    'live.lockedHint': 'Chỉ những điểm cầu đã vào từ khi mở hội nghị mới được vào lại.',
    'live.controls': 'Điều khiển hội nghị',
    'live.noControl': 'Chỉ chủ trì hoặc quản trị viên được điều khiển.',
    'live.start': 'Bắt đầu ngay',
    'live.started': 'Đã mở hội nghị.',
    'live.lock': 'Khóa hội nghị',
    'live.lockOn': 'Đã khóa hội nghị.',
    'live.lockOff': 'Đã mở khóa hội nghị.',
    'live.muteAll': 'Tắt tiếng tất cả trừ chủ trì',
    'live.muteAllOn': 'Đã tắt tiếng mọi điểm cầu trừ điểm cầu chủ trì.',
    'live.muteAllOff': 'Đã bật lại tiếng mọi điểm cầu.',
    'live.end': 'Kết thúc hội nghị',
    'live.endTitle': 'Kết thúc hội nghị?',
    'live.endText': 'Hội nghị “{title}” sẽ kết thúc ngay và mọi điểm cầu sẽ rời phòng họp.',
    'live.ended': 'Đã kết thúc hội nghị.',
    'live.cancel': 'Hủy',
    'live.failed': 'Không thực hiện được: {message}',
    'live.preview': 'Hình ảnh hội nghị',
    'live.previewVideo': 'Hình ghép của hội nghị, như các điểm cầu đang thấy',
    'live.sound': 'Nghe âm thanh',
    'live.pv.idle': 'Hội nghị chưa mở: chưa có hình.',
    'live.pv.connecting': 'Đang kết nối hình xem trước…',
    'live.pv.connected': 'Đang xem trực tiếp',
    'live.pv.failed': 'Không xem được: {reason}. Thử lại sau {seconds} giây.',
    'live.pv.ended': 'Hội nghị đã kết thúc ({reason}).',
    'live.pv.stopped': 'Đã dừng xem trước.',
    'live.pv.confEnded': 'Hội nghị đã kết thúc: không còn hình.',
    'live.pv.ws_failed': 'không kết nối được tới MCU',
    'live.pv.ws_closed': 'mất kết nối tới MCU',
    'live.pv.media_failed': 'kết nối hình ảnh thất bại',
    'live.pv.pc_failed': 'kết nối hình ảnh bị ngắt',
    'live.pv.sdp_failed': 'trình duyệt không xử lý được đề nghị SDP',
    'live.pv.not_found': 'không có hội nghị này',
    'live.pv.conflict': 'hội nghị chưa mở',
    'live.pv.forbidden': 'không được phép xem',
    'live.pv.unauthorized': 'phiên đăng nhập không hợp lệ',
    'live.layout': 'Bố cục hình ghép',
    'live.layout.grid': 'Lưới đều',
    'live.layout.speaker': 'Người nói',
    'live.layout.single': 'Một khung',
    'live.layout.presenter': 'Trình chiếu',
    'live.layout.gridHint': 'Mọi điểm cầu bằng nhau',
    'live.layout.speakerHint': 'Người đang phát biểu (hoặc điểm cầu được ghim) khung lớn, các điểm cầu khác khung nhỏ',
    'live.layout.singleHint': 'Chỉ người đang phát biểu (hoặc điểm cầu được ghim), toàn khung hình',
    'live.layout.presenterHint': 'Nội dung trình chiếu khung lớn, các điểm cầu khung nhỏ',
    'live.board': 'Điểm danh',
    'live.count.invited': 'Được mời',
    'live.count.online': 'Trực tuyến',
    'live.count.joined': 'Đã vào',
    'live.count.video': 'Có hình',
    'live.noSites': 'Chưa có điểm cầu nào.',
    'live.site.offline': 'Ngoại tuyến',
    'live.site.online': 'Trực tuyến',
    'live.site.joined': 'Đã vào',
    'live.site.audio': 'Có âm thanh',
    'live.site.video': 'Có hình và tiếng',
    'live.level.central': 'Trung ương',
    'live.level.province': 'Cấp tỉnh',
    'live.level.district': 'Cấp huyện',
    'live.level.other': 'Khác',
    'live.hostSite': 'Chủ trì',
    'live.notInvited': 'Không được mời',
    'live.speaking': 'Đang phát biểu',
    'live.badge.mutedAudio': 'Đã tắt tiếng',
    'live.badge.mutedVideo': 'Đã tắt hình',
    'live.badge.kicked': 'Đã mời ra',
    'live.badge.content': 'Đang trình chiếu',
    'live.badge.elsewhere': 'Ở hội nghị khác: {conference}',
    'live.badge.spotlight': 'Đã ghim',
    'live.link.idle': 'Liên kết: chưa gọi',
    'live.link.connecting': 'Liên kết: đang kết nối',
    'live.link.authenticating': 'Liên kết: đang xác thực',
    'live.link.online': 'Liên kết: đã kết nối, chờ vào hội nghị',
    'live.link.joining': 'Liên kết: đang vào hội nghị',
    'live.link.joined': 'Liên kết tới: {title}',
    'live.link.waiting': 'Liên kết mất, đang gọi lại',
    'live.link.refused': 'Liên kết bị từ chối',
    'live.link.mutedAudio': 'Bên kia đã tắt tiếng hội nghị này',
    'live.link.speaker': 'Đang nói bên kia: {name}',
    'live.q.good': 'Tốt',
    'live.q.fair': 'Trung bình',
    'live.q.poor': 'Kém',
    'live.q.none': 'Chưa có số liệu',
    'live.q.title': 'Chất lượng: mất gói lớn nhất {loss}%, RTT {rtt} ms',
    'live.q.alarm': 'Cảnh báo: {detail}',
    'live.a.muteAudio': 'Tắt tiếng',
    'live.a.muteAudioLabel': 'Tắt tiếng {site}',
    'live.a.muteVideo': 'Tắt hình',
    'live.a.muteVideoLabel': 'Tắt hình {site}',
    'live.a.spotlight': 'Ghim',
    'live.a.spotlightLabel': 'Ghim {site} lên khung chính',
    'live.a.kick': 'Mời ra',
    'live.a.kickLabel': 'Mời ra khỏi hội nghị: {site}',
    'live.a.call': 'Gọi vào',
    'live.a.callLabel': 'Gọi vào hội nghị: {site}',
    'live.kickTitle': 'Mời điểm cầu ra?',
    'live.kickText': '{site} sẽ rời hội nghị và không được gọi lại cho đến khi chủ trì bấm “Gọi vào”.',
    'live.kicked': 'Đã mời {site} ra khỏi hội nghị.',
    'live.called': 'Đã gọi {site} vào hội nghị.',
  },
  en: {
    'live.title': 'Run the conference',
    'live.back': 'Conferences',
    'live.monitorLink': 'Technical monitoring',
    'live.notFound': 'There is no conference “{id}”.',
    'live.loadFailed': 'The conference could not be loaded: {message}',
    'live.stale': 'Could not update ({message}); retrying…',
    'live.state.open': 'In session',
    'live.state.scheduled': 'Scheduled',
    'live.state.ended': 'Ended',
    'live.permanent': 'Permanent room',
    'live.timeRange': '{from} – {to}, {date}',
    'live.timeRangeLong': '{from} – {to}',
    'live.locked': 'Locked',
    'live.lockedHint': 'Only sites that already joined since it opened may join again.',
    'live.controls': 'Conference controls',
    'live.noControl': 'Only a host or an administrator may control the conference.',
    'live.start': 'Start now',
    'live.started': 'The conference is open.',
    'live.lock': 'Lock the conference',
    'live.lockOn': 'The conference is locked.',
    'live.lockOff': 'The conference is unlocked.',
    'live.muteAll': 'Mute all but the host',
    'live.muteAllOn': 'Every site but the host site is muted.',
    'live.muteAllOff': 'Every site is unmuted.',
    'live.end': 'End the conference',
    'live.endTitle': 'End the conference?',
    'live.endText': 'The conference “{title}” ends now and every site leaves.',
    'live.ended': 'The conference has ended.',
    'live.cancel': 'Cancel',
    'live.failed': 'Could not do it: {message}',
    'live.preview': 'Conference picture',
    'live.previewVideo': 'The conference composite, as the sites see it',
    'live.sound': 'Hear the sound',
    'live.pv.idle': 'The conference is not open: no picture yet.',
    'live.pv.connecting': 'Connecting the preview…',
    'live.pv.connected': 'Watching live',
    'live.pv.failed': 'No preview: {reason}. Retrying in {seconds} s.',
    'live.pv.ended': 'The conference has ended ({reason}).',
    'live.pv.stopped': 'Preview stopped.',
    'live.pv.confEnded': 'The conference has ended: no picture.',
    'live.pv.ws_failed': 'the MCU cannot be reached',
    'live.pv.ws_closed': 'the connection to the MCU was lost',
    'live.pv.media_failed': 'the media connection failed',
    'live.pv.pc_failed': 'the media connection was interrupted',
    'live.pv.sdp_failed': 'the browser could not process the SDP offer',
    'live.pv.not_found': 'no such conference',
    'live.pv.conflict': 'the conference is not open',
    'live.pv.forbidden': 'not allowed to watch',
    'live.pv.unauthorized': 'the login session is not valid',
    'live.layout': 'Composite layout',
    'live.layout.grid': 'Grid',
    'live.layout.speaker': 'Speaker',
    'live.layout.single': 'Single',
    'live.layout.presenter': 'Presenter',
    'live.layout.gridHint': 'Every site the same size',
    'live.layout.speakerHint': 'The active speaker (or the pinned site) large, the other sites small',
    'live.layout.singleHint': 'Only the active speaker (or the pinned site), full picture',
    'live.layout.presenterHint': 'The shared content large, the sites small',
    'live.board': 'Roll-call',
    'live.count.invited': 'Invited',
    'live.count.online': 'Online',
    'live.count.joined': 'Joined',
    'live.count.video': 'With video',
    'live.noSites': 'No sites yet.',
    'live.site.offline': 'Offline',
    'live.site.online': 'Online',
    'live.site.joined': 'Joined',
    'live.site.audio': 'Audio',
    'live.site.video': 'Audio and video',
    'live.level.central': 'Central',
    'live.level.province': 'Province',
    'live.level.district': 'District',
    'live.level.other': 'Other',
    'live.hostSite': 'Host',
    'live.notInvited': 'Not invited',
    'live.speaking': 'Speaking',
    'live.badge.mutedAudio': 'Muted',
    'live.badge.mutedVideo': 'Video off',
    'live.badge.kicked': 'Removed',
    'live.badge.content': 'Sharing content',
    'live.badge.elsewhere': 'In another conference: {conference}',
    'live.badge.spotlight': 'Pinned',
    'live.link.idle': 'Link: not dialled',
    'live.link.connecting': 'Link: connecting',
    'live.link.authenticating': 'Link: authenticating',
    'live.link.online': 'Link: connected, waiting to join',
    'live.link.joining': 'Link: joining',
    'live.link.joined': 'Linked to: {title}',
    'live.link.waiting': 'Link lost, dialling again',
    'live.link.refused': 'Link refused',
    'live.link.mutedAudio': 'The other side muted this conference',
    'live.link.speaker': 'Speaking there: {name}',
    'live.q.good': 'Good',
    'live.q.fair': 'Fair',
    'live.q.poor': 'Poor',
    'live.q.none': 'No data',
    'live.q.title': 'Quality: worst loss {loss}%, RTT {rtt} ms',
    'live.q.alarm': 'Alarm: {detail}',
    'live.a.muteAudio': 'Mute',
    'live.a.muteAudioLabel': 'Mute {site}',
    'live.a.muteVideo': 'Stop video',
    'live.a.muteVideoLabel': 'Stop video {site}',
    'live.a.spotlight': 'Pin',
    'live.a.spotlightLabel': 'Pin {site} to the main tile',
    'live.a.kick': 'Remove',
    'live.a.kickLabel': 'Remove from the conference: {site}',
    'live.a.call': 'Call in',
    'live.a.callLabel': 'Call into the conference: {site}',
    'live.kickTitle': 'Remove the site?',
    'live.kickText': '{site} leaves the conference and is not called again until a host presses “Call in”.',
    'live.kicked': '{site} was removed from the conference.',
    'live.called': '{site} was called into the conference.',
  },
};

const LAYOUTS = ['grid', 'speaker', 'single', 'presenter'];
const SITE_STATES = ['offline', 'online', 'joined', 'audio', 'video'];
const IN_CONFERENCE = new Set(['joined', 'audio', 'video']);
const DIRECTIONS = ['audioIn', 'audioOut', 'videoIn', 'videoOut'];
const REFRESH_MS = 5000;
const DEBOUNCE_MS = 200;
const STATS_STALE_MS = 5000;

// ---- Small SVG helpers (no markup strings: every node built with createElementNS) ------------

const SVG_NS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c) el.append(c);
  return el;
}

function icon(name, cls = 'live-icon') {
  const root = svg('svg', { viewBox: '0 0 16 16', width: 16, height: 16, class: cls, 'aria-hidden': 'true', focusable: 'false' });
  const paths = {
    speaking: ['M2 6h3l4-3v10l-4-3H2z', 'M11 5.5c1 .8 1.5 1.6 1.5 2.5s-.5 1.7-1.5 2.5', 'M12.5 3.5c1.6 1.2 2.5 2.7 2.5 4.5s-.9 3.3-2.5 4.5'],
    lock: ['M3 7h10v7H3z', 'M4.5 7V5a3.5 3.5 0 0 1 7 0v2'],
    star: ['M8 1.8l1.9 3.9 4.3.6-3.1 3 .7 4.3L8 11.6l-3.8 2 .7-4.3-3.1-3 4.3-.6z'],
    sound: ['M2 6h3l4-3v10l-4-3H2z', 'M11 5.5c1 .8 1.5 1.6 1.5 2.5s-.5 1.7-1.5 2.5'],
  }[name] || [];
  for (const d of paths) root.append(svg('path', { d }));
  return root;
}

// A picture of a layout on a 64x36 canvas, from the MCU's geometry (media/layout.h): grid =
// equal tiles; speaker = the main tile on 3x3 of 4x4 cells, small tiles right and below;
// single = one tile; presenter = the speaker geometry with shared content in the main tile.
function layoutPicture(kind) {
  const root = svg('svg', { viewBox: '0 0 64 36', width: 64, height: 36, class: `layout-pic layout-pic-${kind}`, 'aria-hidden': 'true', focusable: 'false' });
  const gap = 1.4;
  const tile = (x, y, w, hgt, cls) => svg('rect', { x: x + gap / 2, y: y + gap / 2, width: w - gap, height: hgt - gap, rx: 1.2, class: cls });
  const person = (cx, cy, r) => [
    svg('circle', { cx, cy: cy - r * 0.55, r: r * 0.42, class: 'lp-person' }),
    svg('path', { d: `M${cx - r * 0.85} ${cy + r * 0.9}a${r * 0.85} ${r * 0.75} 0 0 1 ${r * 1.7} 0z`, class: 'lp-person' }),
  ];
  root.append(svg('rect', { x: 0, y: 0, width: 64, height: 36, rx: 2, class: 'lp-canvas' }));
  const smallCells = [[48, 0], [48, 9], [48, 18], [0, 27], [16, 27], [32, 27], [48, 27]];
  if (kind === 'grid') {
    for (const [x, y] of [[0, 0], [32, 0], [0, 18], [32, 18]]) root.append(tile(x, y, 32, 18, 'lp-tile'), ...person(x + 16, y + 9, 5));
  } else if (kind === 'single') {
    root.append(tile(0, 0, 64, 36, 'lp-main'), ...person(32, 18, 11));
  } else if (kind === 'speaker') {
    root.append(tile(0, 0, 48, 27, 'lp-main'), ...person(24, 13.5, 9));
    for (const [x, y] of smallCells) root.append(tile(x, y, 16, 9, 'lp-tile'));
  } else {
    root.append(tile(0, 0, 48, 27, 'lp-content'));
    root.append(svg('rect', { x: 6, y: 5, width: 22, height: 3, rx: 1, class: 'lp-line lp-line-strong' }));
    for (const [y, w] of [[11, 34], [15, 30], [19, 26]]) root.append(svg('rect', { x: 6, y, width: w, height: 2, rx: 1, class: 'lp-line' }));
    for (const [x, y] of smallCells) root.append(tile(x, y, 16, 9, 'lp-tile'));
  }
  return root;
}

// ---- Formatting ------------------------------------------------------------------------------

function numberFormat(lang, digits) {
  return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function sameDay(a, b) {
  return fmtDate(a) === fmtDate(b);
}

// The site's quality from its stats (null: none) and its active alarms' worst severity.
export function gradeQuality(siteStats, severity) {
  if (!siteStats) return { level: 'none', loss: null, rtt: null };
  const losses = DIRECTIONS.map((d) => siteStats[d] && siteStats[d].lossPct).filter((v) => typeof v === 'number' && v >= 0);
  const loss = losses.length ? Math.max(...losses) : 0;
  const rtt = typeof siteStats.rttMs === 'number' && siteStats.rttMs >= 0 ? siteStats.rttMs : null;
  let level;
  if (loss < 1 && (rtt === null || rtt < 150)) level = 'good';
  else if (loss < 5 && (rtt === null || rtt < 300)) level = 'fair';
  else level = 'poor';
  if (severity === 'critical') level = 'poor';
  else if (severity === 'warning' && level === 'good') level = 'fair';
  return { level, loss, rtt };
}

// ---- The page --------------------------------------------------------------------------------

async function render(view, ctx) {
  const { t, api } = ctx;
  const id = ctx.params.id;
  const path = `/conferences/${encodeURIComponent(id)}`;
  const lang = ctx.i18n.lang;
  const nf1 = numberFormat(lang, 1);
  const nf0 = numberFormat(lang, 0);
  const canControl = ctx.can('host');

  let conf;
  let roll;
  let sites = [];
  let activeAlarms = [];
  let stats = null;
  try {
    [conf, roll, sites, activeAlarms, stats] = await Promise.all([
      api.get(path),
      api.get(`${path}/roll-call`),
      api.get('/sites').catch(() => []),
      api.get(`/alarms?active=true&conference=${encodeURIComponent(id)}`).catch(() => []),
      api.get(`${path}/stats`).catch(() => null),
    ]);
  } catch (e) {
    if (!ctx.current()) return undefined;
    view.append(
      h('div', { class: 'page-header' }, h('h1', {}, t('live.title'))),
      h('p', { class: 'page-message', role: 'alert' }, e.status === 404 ? t('live.notFound', { id }) : t('live.loadFailed', { message: e.message })),
      h('p', {}, h('a', { href: '#/conferences' }, t('live.back'))),
    );
    return undefined;
  }
  if (!ctx.current()) return undefined;

  // ---- State ----
  const st = {
    conf,
    roll: roll.sites || [],
    levels: new Map((Array.isArray(sites) ? sites : []).map((s) => [s.id, s])),
    speaker: conf.speaker || '',
    stats: new Map(),   // site -> its stats object (feed `stats`)
    statsAt: 0,
    alarms: new Map(),  // `${site}|${kind}` -> {site, kind, severity, detail, sinceMs}
    muteAllLast: null,  // The last mute-all action seen (true/false), when the roll-call cannot tell.
  };
  const rs = st.roll.find((s) => s.speaking);
  if (rs) st.speaker = rs.site;
  for (const a of Array.isArray(activeAlarms) ? activeAlarms : [])
    if (a.conference === id && !a.clearedMs) st.alarms.set(`${a.site}|${a.kind}`, { ...a, sinceMs: a.raisedMs });
  if (stats && stats.conference === id) applyStats(stats);

  const timers = [];
  const unsubs = [];
  let closed = false;
  let debounce = 0;
  let refreshSeq = 0;

  const noteId = uid('live-note');
  const note = canControl ? null : h('p', { class: 'live-note', id: noteId }, t('live.noControl'));
  const describedBy = canControl ? null : noteId;

  // ---- Confirm dialog (one, reused) ----
  const dlgTitle = h('h2', { id: uid('dlg') });
  const dlgText = h('p', {});
  const dlgOk = h('button', { type: 'submit', value: 'ok', class: 'btn btn-danger', id: 'confirm-ok' });
  const dialog = h('dialog', { class: 'modal', id: 'live-confirm', 'aria-labelledby': dlgTitle.id },
    h('form', { method: 'dialog', class: 'modal-body' },
      dlgTitle, dlgText,
      h('div', { class: 'form-footer' },
        h('button', { type: 'submit', value: 'cancel', class: 'btn btn-secondary', id: 'confirm-cancel' }, t('live.cancel')),
        dlgOk)));
  function confirmAction(title, text, okText) {
    return new Promise((resolve) => {
      const opener = document.activeElement;
      dlgTitle.textContent = title;
      dlgText.textContent = text;
      dlgOk.textContent = okText;
      dialog.returnValue = '';
      const onClose = () => {
        dialog.removeEventListener('close', onClose);
        if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
        resolve(dialog.returnValue === 'ok');
      };
      dialog.addEventListener('close', onClose);
      dialog.showModal();
      dialog.querySelector('#confirm-cancel').focus();
    });
  }

  // Runs a control call: disables `button` meanwhile; a failure is a toast with the server's text.
  async function act(button, fn, okText) {
    if (button) {
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
    }
    try {
      await fn();
      if (okText) ctx.toast(okText, 'ok');
      return true;
    } catch (e) {
      ctx.toast(t('live.failed', { message: e.message }), 'error');
      return false;
    } finally {
      if (button) {
        button.removeAttribute('aria-busy');
        button.disabled = !canControl;
      }
      scheduleRefresh();
    }
  }

  // ---- Header ----
  const statePill = h('span', { class: 'state', id: 'conf-state' });
  const timeText = h('span', { class: 'live-time', id: 'conf-time' });
  const lockedIndicator = h('span', { class: 'live-locked', id: 'locked-indicator', title: t('live.lockedHint'), hidden: true },
    icon('lock'), t('live.locked'));
  const staleText = h('span', { class: 'live-stale', role: 'status' });

  const startBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'start-conference', disabled: !canControl, 'aria-describedby': describedBy,
    onclick: () => act(startBtn, () => api.post(`${path}/start`), t('live.started')) }, t('live.start'));
  const lockBtn = h('button', { type: 'button', class: 'btn btn-secondary', id: 'lock', 'aria-pressed': 'false', disabled: !canControl, 'aria-describedby': describedBy,
    onclick: async () => {
      const locked = !st.conf.locked;
      if (await act(lockBtn, () => api.put(`${path}/lock`, { locked }), t(locked ? 'live.lockOn' : 'live.lockOff'))) {
        st.conf.locked = locked;
        updateHeader();
      }
    } }, icon('lock'), t('live.lock'));
  const muteAllBtn = h('button', { type: 'button', class: 'btn btn-danger-outline', id: 'mute-all', 'aria-pressed': 'false', disabled: !canControl, 'aria-describedby': describedBy,
    onclick: async () => {
      const muted = muteAllBtn.getAttribute('aria-pressed') !== 'true';
      if (await act(muteAllBtn, () => api.post(`${path}/mute-all`, { muted }), t(muted ? 'live.muteAllOn' : 'live.muteAllOff'))) {
        st.muteAllLast = muted;
        for (const s of st.roll) if (s.site !== st.conf.host) s.mutedAudio = muted;
        updateBoard();
      }
    } }, t('live.muteAll'));
  const endBtn = h('button', { type: 'button', class: 'btn btn-danger', id: 'end-conference', disabled: !canControl, 'aria-describedby': describedBy,
    onclick: async () => {
      const ok = await confirmAction(t('live.endTitle'), t('live.endText', { title: st.conf.title }), t('live.end'));
      if (ok) await act(endBtn, () => api.post(`${path}/stop`), t('live.ended'));
    } }, t('live.end'));

  const title = h('h1', {}, conf.title || id);
  const header = h('div', { class: 'page-header live-header' },
    h('div', { class: 'live-heading' },
      title,
      h('p', { class: 'subtitle live-meta' }, statePill, timeText, lockedIndicator,
        h('a', { href: `#/monitor?conference=${encodeURIComponent(id)}`, class: 'live-monitor-link' }, t('live.monitorLink')),
        staleText)),
    h('div', { class: 'toolbar live-controls', role: 'group', 'aria-label': t('live.controls') },
      startBtn, muteAllBtn, lockBtn, endBtn));

  function updateHeader() {
    const c = st.conf;
    title.textContent = c.title || id;
    statePill.className = `state state-${c.state}`;
    statePill.dataset.state = c.state;
    statePill.textContent = t(`live.state.${c.state}`);
    if (c.permanent || !c.start) timeText.textContent = t('live.permanent');
    else {
      const s = new Date(c.start).getTime();
      const e = new Date(c.end).getTime();
      timeText.textContent = sameDay(s, e)
        ? t('live.timeRange', { from: fmtTime(s), to: fmtTime(e), date: fmtDate(s) })
        : t('live.timeRangeLong', { from: fmtDateTime(s), to: fmtDateTime(e) });
    }
    lockedIndicator.hidden = !c.locked;
    lockBtn.setAttribute('aria-pressed', String(Boolean(c.locked)));
    startBtn.hidden = c.permanent || c.state === 'open';
    endBtn.hidden = c.permanent || c.state !== 'open';
    lockBtn.hidden = c.state !== 'open' && !c.permanent;
    muteAllBtn.hidden = c.state !== 'open' && !c.permanent;
    updateLayoutPicker();
  }

  // ---- Preview ----
  const video = h('video', { id: 'preview', autoplay: true, playsinline: true, muted: true, 'aria-label': t('live.previewVideo') });
  video.muted = true;
  const stageMsg = h('div', { class: 'live-stage-msg' });
  const previewState = h('span', { class: 'live-pv-state', id: 'preview-state', role: 'status', 'data-state': 'idle' });
  const soundBtn = h('button', { type: 'button', class: 'btn btn-secondary btn-small', id: 'preview-sound', 'aria-pressed': 'false',
    onclick: () => {
      video.muted = !video.muted;
      soundBtn.setAttribute('aria-pressed', String(!video.muted));
      if (!video.muted) video.play().catch(() => {});
    } }, icon('sound'), t('live.sound'));

  function showPreviewState(state, detail) {
    previewState.dataset.state = state;
    let text;
    if (state === 'connected') text = t('live.pv.connected');
    else if (state === 'connecting') text = t('live.pv.connecting');
    else if (state === 'failed') {
      const code = detail && detail.code;
      const known = code && ctx.i18n.has(`live.pv.${code}`) ? t(`live.pv.${code}`) : '';
      const reason = [known, detail && detail.message].filter(Boolean).join(' — ') || String(code || '');
      text = t('live.pv.failed', { reason, seconds: (detail && detail.retryS) || 2 });
    } else if (state === 'ended') text = t('live.pv.ended', { reason: (detail && detail.reason) || '—' });
    else if (state === 'stopped')
      text = st.conf.state === 'open' ? t('live.pv.stopped') : st.conf.state === 'ended' ? t('live.pv.confEnded') : t('live.pv.idle');
    else text = st.conf.state === 'ended' ? t('live.pv.confEnded') : t('live.pv.idle');
    previewState.textContent = text;
    stageMsg.textContent = state === 'connected' ? '' : text;
    stageMsg.hidden = state === 'connected';
  }

  const preview = new Preview({ conference: id, video, onState: showPreviewState });
  // The preview runs while the conference is open. When it closes, the MCU tells the preview
  // why (`left`, shown as 'ended'); the preview is stopped a moment later if that never came.
  let stopTimer = 0;
  function syncPreview() {
    if (closed) return;
    clearTimeout(stopTimer);
    const open = st.conf.state === 'open';
    if (open && (!preview.running || preview.state === 'ended')) preview.start();
    else if (!open && preview.running && preview.state !== 'ended')
      stopTimer = setTimeout(() => {
        if (!closed && st.conf.state !== 'open' && preview.state !== 'ended') preview.stop();
      }, 2500);
  }

  // Layout picker (a radio group of pictures).
  const layoutLabel = h('span', { class: 'live-label', id: uid('layout') }, t('live.layout'));
  const layoutOptions = LAYOUTS.map((kind) => h('button', {
    type: 'button', role: 'radio', class: 'layout-option', 'data-layout': kind, 'aria-checked': 'false', tabindex: '-1',
    title: t(`live.layout.${kind}Hint`), disabled: !canControl, 'aria-describedby': describedBy,
    onclick: () => chooseLayout(kind, false),
  }, layoutPicture(kind), h('span', { class: 'layout-name' }, t(`live.layout.${kind}`))));
  const layoutPicker = h('div', { role: 'radiogroup', id: 'layout-picker', class: 'layout-picker', 'aria-labelledby': layoutLabel.id,
    'aria-disabled': canControl ? null : 'true',
    onkeydown: (e) => {
      const keys = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, Home: 'first', End: 'last' };
      if (!(e.key in keys) || !canControl) return;
      e.preventDefault();
      const cur = Math.max(0, layoutOptions.indexOf(document.activeElement));
      const k = keys[e.key];
      const next = k === 'first' ? 0 : k === 'last' ? LAYOUTS.length - 1 : (cur + k + LAYOUTS.length) % LAYOUTS.length;
      chooseLayout(LAYOUTS[next], true);
    },
  }, layoutOptions);

  function updateLayoutPicker() {
    const current = LAYOUTS.includes(st.conf.layout) ? st.conf.layout : 'grid';
    layoutOptions.forEach((b, i) => {
      const on = LAYOUTS[i] === current;
      b.setAttribute('aria-checked', String(on));
      b.tabIndex = on ? 0 : -1;
    });
  }

  let layoutSeq = 0;
  async function chooseLayout(kind, focus) {
    if (!canControl) return;
    const previous = st.conf.layout;
    const option = layoutOptions[LAYOUTS.indexOf(kind)];
    st.conf.layout = kind;
    updateLayoutPicker();
    if (focus) option.focus();
    if (previous === kind) return;
    const seq = ++layoutSeq;
    try {
      await api.put(`${path}/layout`, { layout: kind });
    } catch (e) {
      if (seq === layoutSeq) {
        st.conf.layout = previous;
        updateLayoutPicker();
      }
      ctx.toast(t('live.failed', { message: e.message }), 'error');
    }
  }

  const previewCard = h('section', { class: 'card live-preview', 'aria-labelledby': 'live-preview-h' },
    h('h2', { class: 'live-h2', id: 'live-preview-h' }, t('live.preview')),
    h('div', { class: 'live-stage' }, video, stageMsg),
    h('div', { class: 'live-pv-bar' }, previewState, soundBtn),
    h('div', { class: 'live-layout-row' }, layoutLabel, layoutPicker));

  // ---- Board ----
  const counters = {};
  const counterList = h('dl', { class: 'live-counters' },
    ['invited', 'online', 'joined', 'video'].map((k) => {
      counters[k] = h('dd', { id: `count-${k}` }, '0');
      return h('div', { class: `live-counter live-counter-${k}` }, h('dt', {}, t(`live.count.${k}`)), counters[k]);
    }));
  const list = h('ul', { class: 'site-list', id: 'roll-call', 'aria-labelledby': 'live-board-h' });
  const emptyText = h('p', { class: 'empty', hidden: true }, t('live.noSites'));
  const board = h('section', { class: 'card live-board', 'aria-labelledby': 'live-board-h' },
    h('div', { class: 'live-board-head' }, h('h2', { class: 'live-h2', id: 'live-board-h' }, t('live.board')), counterList),
    note, list, emptyText);

  const cards = new Map(); // site id -> {li, parts...}

  function siteName(s) {
    return s.name || (st.levels.get(s.site) || {}).name || s.site;
  }

  function makeCard(s) {
    const name = siteName(s);
    const c = {};
    const btn = (action, cls, text, label, onclick) => h('button', {
      type: 'button', class: `btn btn-small ${cls}`, 'data-action': action, 'aria-label': label,
      disabled: !canControl, 'aria-describedby': describedBy, onclick,
    }, text);
    c.speakIcon = h('span', { class: 'site-speaking' }, icon('speaking'), t('live.speaking'));
    c.name = h('span', { class: 'site-name', title: name }, name);
    c.host = h('span', { class: 'site-host' }, icon('star'), t('live.hostSite'));
    c.level = h('span', { class: 'site-level' });
    c.state = h('span', { class: 'state' });
    c.quality = h('span', { class: 'quality quality-none', 'data-quality': 'none' });
    c.badges = h('span', { class: 'site-badges' });
    c.muteAudio = btn('mute-audio', 'btn-danger-outline', t('live.a.muteAudio'), t('live.a.muteAudioLabel', { site: name }),
      () => toggleMute(s.site, 'audio', c.muteAudio));
    c.muteAudio.setAttribute('aria-pressed', 'false');
    c.muteVideo = btn('mute-video', 'btn-danger-outline', t('live.a.muteVideo'), t('live.a.muteVideoLabel', { site: name }),
      () => toggleMute(s.site, 'video', c.muteVideo));
    c.muteVideo.setAttribute('aria-pressed', 'false');
    c.spotlight = btn('spotlight', 'btn-secondary', t('live.a.spotlight'), t('live.a.spotlightLabel', { site: name }), async () => {
      const pin = st.conf.spotlight === s.site ? '' : s.site;
      if (await act(c.spotlight, () => api.put(`${path}/spotlight`, { site: pin }))) {
        st.conf.spotlight = pin;
        updateBoard();
      }
    });
    c.spotlight.setAttribute('aria-pressed', 'false');
    c.kick = btn('kick', 'btn-danger-outline', t('live.a.kick'), t('live.a.kickLabel', { site: name }), async () => {
      const who = siteName(currentSite(s.site) || s);
      if (await confirmAction(t('live.kickTitle'), t('live.kickText', { site: who }), t('live.a.kick')))
        await act(c.kick, () => api.post(`${path}/sites/${encodeURIComponent(s.site)}/kick`), t('live.kicked', { site: who }));
    });
    c.call = btn('call', 'btn-primary', t('live.a.call'), t('live.a.callLabel', { site: name }), () =>
      act(c.call, () => api.post(`${path}/sites/${encodeURIComponent(s.site)}/call`), t('live.called', { site: siteName(currentSite(s.site) || s) })));
    c.li = h('li', { class: 'site-card', 'data-site': s.site },
      h('div', { class: 'site-head' }, c.speakIcon, c.name, c.host, c.level),
      h('div', { class: 'site-status' }, c.state, c.quality, c.badges),
      h('div', { class: 'site-actions' }, c.muteAudio, c.muteVideo, c.spotlight, c.kick, c.call));
    return c;
  }

  function currentSite(siteId) {
    return st.roll.find((x) => x.site === siteId);
  }

  async function toggleMute(siteId, medium, button) {
    const s = currentSite(siteId);
    if (!s) return;
    const key = medium === 'audio' ? 'mutedAudio' : 'mutedVideo';
    const value = !s[key];
    if (await act(button, () => api.post(`${path}/sites/${encodeURIComponent(siteId)}/mute`, { [medium]: value }))) {
      s[key] = value;
      updateBoard();
    }
  }

  function worstSeverity(siteId) {
    let worst = null;
    for (const a of st.alarms.values())
      if (a.site === siteId) {
        if (a.severity === 'critical') return a;
        if (!worst) worst = a;
      }
    return worst;
  }

  function badge(cls, text) {
    return h('span', { class: `site-badge ${cls}` }, text);
  }

  const LINK_STATES = ['idle', 'connecting', 'authenticating', 'online', 'joining', 'joined', 'waiting', 'refused'];
  function updateCard(c, s) {
    const name = siteName(s);
    const state = SITE_STATES.includes(s.state) ? s.state : 'offline';
    const inConf = IN_CONFERENCE.has(state);
    const speaking = inConf && st.speaker === s.site;
    const li = c.li;
    li.dataset.state = state;
    li.dataset.mutedAudio = String(Boolean(s.mutedAudio));
    li.dataset.mutedVideo = String(Boolean(s.mutedVideo));
    li.dataset.speaking = String(speaking);
    li.dataset.kicked = String(Boolean(s.kicked));
    li.classList.toggle('site-host-card', s.site === st.conf.host);
    li.classList.toggle('site-uninvited', !s.invited);
    if (c.name.textContent !== name) {
      c.name.textContent = name;
      c.name.title = name;
    }
    c.host.hidden = s.site !== st.conf.host;
    const lv = st.levels.get(s.site);
    const levelText = [lv && lv.level ? t(`live.level.${lv.level}`) : '', s.invited ? '' : t('live.notInvited')].filter(Boolean).join(' · ');
    c.level.textContent = levelText;
    c.speakIcon.hidden = !speaking;
    c.state.className = `state state-${state}`;
    c.state.textContent = t(`live.site.${state}`);

    // Quality: stats of a site in the conference (fresh), raised by its alarms.
    const alarm = worstSeverity(s.site);
    const fresh = Date.now() - st.statsAt < STATS_STALE_MS;
    const q = gradeQuality(inConf && fresh ? st.stats.get(s.site) : null, alarm && inConf ? alarm.severity : null);
    c.quality.className = `quality quality-${q.level}`;
    c.quality.dataset.quality = q.level;
    if (q.level === 'none') {
      c.quality.textContent = t('live.q.none');
      c.quality.removeAttribute('title');
    } else {
      const rtt = q.rtt === null ? '—' : nf0.format(q.rtt);
      c.quality.textContent = `${t(`live.q.${q.level}`)} · ${nf1.format(q.loss)}% · ${rtt} ms`;
      const titleParts = [t('live.q.title', { loss: nf1.format(q.loss), rtt })];
      if (alarm) titleParts.push(t('live.q.alarm', { detail: alarm.detail || alarm.kind }));
      c.quality.title = titleParts.join('\n');
    }

    const badges = [];
    if (st.conf.spotlight === s.site) badges.push(badge('site-badge-spotlight', t('live.badge.spotlight')));
    if (s.mutedAudio) badges.push(badge('site-badge-muted', t('live.badge.mutedAudio')));
    if (s.mutedVideo) badges.push(badge('site-badge-muted', t('live.badge.mutedVideo')));
    if (s.kicked) badges.push(badge('site-badge-kicked', t('live.badge.kicked')));
    if (s.content) badges.push(badge('site-badge-content', t('live.badge.content')));
    if (s.elsewhere) badges.push(badge('site-badge-elsewhere', t('live.badge.elsewhere', { conference: s.elsewhere })));
    if (s.link) {
      // A cascade link this MCU dials: where it is, and what the other side says.
      const l = s.link;
      const known = LINK_STATES.includes(l.state) ? l.state : 'idle';
      const b = badge(`site-badge-link link-${known}`, t(`live.link.${known}`, { title: l.remoteTitle || '' }));
      b.dataset.link = known;
      if (l.detail) b.title = l.detail;
      badges.push(b);
      if (l.mutedAudio) badges.push(badge('site-badge-muted', t('live.link.mutedAudio')));
      if (l.remoteSpeaker) badges.push(badge('site-badge-link', t('live.link.speaker', { name: l.remoteSpeaker })));
    }
    const sig = badges.map((b) => b.className + b.textContent).join('|');
    if (c.badgeSig !== sig) {
      c.badgeSig = sig;
      replace(c.badges, badges);
    }

    c.muteAudio.setAttribute('aria-pressed', String(Boolean(s.mutedAudio)));
    c.muteVideo.setAttribute('aria-pressed', String(Boolean(s.mutedVideo)));
    c.spotlight.setAttribute('aria-pressed', String(st.conf.spotlight === s.site));
    const open = st.conf.state === 'open';
    c.kick.hidden = !inConf;
    c.call.hidden = inConf || !open || !(s.kicked || state === 'offline' || (state === 'online' && !s.elsewhere));
  }

  function updateBoard() {
    const seen = new Set();
    st.roll.forEach((s, index) => {
      seen.add(s.site);
      let c = cards.get(s.site);
      if (!c) {
        c = makeCard(s);
        cards.set(s.site, c);
      }
      updateCard(c, s);
      // Keep the roll-call's order, moving nodes only when it changed (a focused button stays).
      if (list.children[index] !== c.li) list.insertBefore(c.li, list.children[index] || null);
    });
    for (const [siteId, c] of cards)
      if (!seen.has(siteId)) {
        c.li.remove();
        cards.delete(siteId);
      }
    emptyText.hidden = st.roll.length > 0;

    counters.invited.textContent = String(st.roll.filter((s) => s.invited).length);
    counters.online.textContent = String(st.roll.filter((s) => s.state && s.state !== 'offline').length);
    counters.joined.textContent = String(st.roll.filter((s) => IN_CONFERENCE.has(s.state)).length);
    counters.video.textContent = String(st.roll.filter((s) => s.state === 'video').length);

    // Mute all: pressed while every other site in the conference is muted.
    const others = st.roll.filter((s) => s.site !== st.conf.host && IN_CONFERENCE.has(s.state));
    const pressed = others.length ? others.every((s) => s.mutedAudio) : Boolean(st.muteAllLast);
    muteAllBtn.setAttribute('aria-pressed', String(pressed));
  }

  function applyStats(e) {
    st.stats = new Map((e.sites || []).map((s) => [s.site, s]));
    st.statsAt = Date.now();
    if (Array.isArray(e.alarms)) {
      st.alarms = new Map(e.alarms.map((a) => [`${a.site}|${a.kind}`, { ...a, conference: id }]));
    }
  }

  // ---- Refresh ----
  async function refresh() {
    const seq = ++refreshSeq;
    try {
      const [c, r] = await Promise.all([api.get(path), api.get(`${path}/roll-call`)]);
      if (closed || seq !== refreshSeq) return;
      const wasState = st.conf.state;
      st.conf = c;
      st.roll = r.sites || [];
      const speakingSite = st.roll.find((s) => s.speaking);
      st.speaker = speakingSite ? speakingSite.site : c.speaker || '';
      staleText.textContent = '';
      updateHeader();
      updateBoard();
      if (wasState !== c.state) syncPreview();
    } catch (e) {
      if (closed || seq !== refreshSeq) return;
      staleText.textContent = t('live.stale', { message: e.message });
    }
  }

  function scheduleRefresh() {
    if (closed) return;
    clearTimeout(debounce);
    debounce = setTimeout(refresh, DEBOUNCE_MS);
  }

  // ---- Assemble ----
  view.append(h('div', { class: 'live-page' },
    header,
    h('div', { class: 'live-grid' }, previewCard, board),
    dialog));
  updateHeader();
  updateBoard();
  showPreviewState(conf.state === 'open' ? 'connecting' : 'idle', null);
  syncPreview();

  const ours = (e) => e.conference === id;
  unsubs.push(
    ctx.feed.on('roster', (e) => ours(e) && scheduleRefresh()),
    ctx.feed.on('site', () => scheduleRefresh()),
    ctx.feed.on('link', (e) => ours(e) && scheduleRefresh()),
    ctx.feed.on('speaker', (e) => {
      if (!ours(e)) return;
      st.speaker = e.site || '';
      updateBoard();
      scheduleRefresh();
    }),
    ctx.feed.on('layout', (e) => {
      if (!ours(e)) return;
      if (e.layout) st.conf.layout = e.layout;
      if (typeof e.spotlight === 'string') st.conf.spotlight = e.spotlight;
      updateLayoutPicker();
      updateBoard();
      scheduleRefresh();
    }),
    ctx.feed.on('control', (e) => {
      const target = String(e.target || '');
      if (target !== id && !target.startsWith(`${id}/`)) return;
      if (e.action === 'mute-all') st.muteAllLast = true;
      if (e.action === 'unmute-all') st.muteAllLast = false;
      scheduleRefresh();
    }),
    ctx.feed.on('conference', (e) => {
      if (!ours(e)) return;
      if (e.state && e.state !== st.conf.state) {
        st.conf.state = e.state;
        updateHeader();
        syncPreview();
      }
      scheduleRefresh();
    }),
    ctx.feed.on('stats', (e) => {
      if (!ours(e)) return;
      applyStats(e);
      updateBoard();
    }),
    ctx.feed.on('alarm', (e) => {
      if (!ours(e)) return;
      const key = `${e.site}|${e.kind}`;
      if (e.state === 'cleared') st.alarms.delete(key);
      else st.alarms.set(key, { ...e });
      updateBoard();
    }),
    ctx.feed.on('feed', (e) => e.connected && scheduleRefresh()),
  );
  timers.push(setInterval(() => {
    refresh();
    if (st.statsAt && Date.now() - st.statsAt >= STATS_STALE_MS) updateBoard();
  }, REFRESH_MS));

  return () => {
    closed = true;
    clearTimeout(stopTimer);
    preview.stop();
    for (const u of unsubs) u();
    for (const tm of timers) clearInterval(tm);
    clearTimeout(debounce);
    if (dialog.open) dialog.close();
  };
}

export const routes = [{ path: '/live/:id', roles: ['admin', 'host', 'technician'], title: 'live.title', render }];
