// History (every role): what happened in past and running conferences, and the audit log.
//
//   #/history              two tabs (#/history?tab=audit opens on the second). "Conferences": each conference that ran or is running
//                          (GET /conferences, attendance counted from GET /call-records?limit=1000,
//                          alarms counted from GET /alarms?limit=1000): title, state, last
//                          occurrence, sites that attended / invited, alarms; each links to its
//                          page. "Audit log": GET /audit?limit=50, older pages with ?before=<the
//                          smallest id>; a filter box narrows the loaded rows.
//   #/history/<conference> one conference: per-site totals (with invited sites that never came),
//                          every attendance (GET /call-records?conference=<id>&limit=1000, site
//                          names from GET /sites) with its quality summary, a CSV download, its
//                          alarms (GET /alarms?conference=<id>) and its audit entries (GET
//                          /audit?limit=500, those whose target is the conference or below it).
//
// Hooks for tests: a[href="#/history/<id>"] per conference; #audit-filter, #audit-older,
// tr[data-audit]; on a conference's page tr[data-site] (attendances), tr[data-site-total]
// (totals), a#history-csv (the CSV), tr[data-alarm].

import { h, replace, uid, fmtDate, fmtTime, fmtDateTime, fmtDuration } from '../dom.js';
import { tabList } from '../widgets.js';

export const strings = {
  vi: {
    'hist.title': 'Lịch sử',
    'hist.lead': 'Các hội nghị đã và đang diễn ra, điểm danh, chất lượng đường truyền và nhật ký thao tác.',
    'hist.tabs': 'Nội dung lịch sử',
    'hist.tab.conferences': 'Hội nghị',
    'hist.tab.audit': 'Nhật ký thao tác',
    'hist.loading': 'Đang tải…',
    'hist.loadFailed': 'Không tải được dữ liệu: {message}',
    'hist.retry': 'Thử lại',
    'hist.partial': 'Một phần dữ liệu không tải được ({what}): {message}',
    'hist.none': '—',
    'hist.col.conference': 'Hội nghị',
    'hist.col.state': 'Trạng thái',
    'hist.col.last': 'Lần họp gần nhất',
    'hist.col.attended': 'Tham dự / được mời',
    'hist.col.sessions': 'Lượt vào',
    'hist.col.alarms': 'Cảnh báo',
    'hist.state.open': 'Đang họp',
    'hist.state.scheduled': 'Đã lên lịch',
    'hist.state.ended': 'Đã kết thúc',
    'hist.state.deleted': 'Đã xóa',
    'hist.state.permanent': 'Luôn mở',
    'hist.noConferences': 'Chưa có hội nghị nào diễn ra.',
    'hist.attendedOf': '{n} / {of}',
    'hist.anySite': 'không giới hạn',
    'hist.recordsNote': 'Tính trên {n} lượt tham dự gần nhất.',
    'hist.audit.filter': 'Lọc các dòng đã tải',
    'hist.audit.filterPlaceholder': 'Người thực hiện, thao tác, đối tượng…',
    'hist.audit.shown': 'Hiển thị {n}/{total} dòng',
    'hist.audit.older': 'Tải các mục cũ hơn',
    'hist.audit.end': 'Đã tải hết nhật ký.',
    'hist.audit.empty': 'Nhật ký trống.',
    'hist.audit.noMatch': 'Không có dòng nào khớp bộ lọc.',
    'hist.audit.col.time': 'Thời gian',
    'hist.audit.col.actor': 'Người thực hiện',
    'hist.audit.col.action': 'Thao tác',
    'hist.audit.col.target': 'Đối tượng',
    'hist.audit.col.detail': 'Chi tiết',
    'hist.audit.scheduler': 'Lịch tự động',
    'hist.action.login': 'Đăng nhập',
    'hist.action.logout': 'Đăng xuất',
    'hist.action.create-token': 'Tạo mã API',
    'hist.action.delete-token': 'Thu hồi mã API',
    'hist.action.create-site': 'Thêm điểm cầu',
    'hist.action.update-site': 'Sửa điểm cầu',
    'hist.action.delete-site': 'Xóa điểm cầu',
    'hist.action.renew-site-token': 'Cấp lại mã điểm cầu',
    'hist.action.create-user': 'Thêm người dùng',
    'hist.action.update-user': 'Sửa người dùng',
    'hist.action.delete-user': 'Xóa người dùng',
    'hist.action.create-conference': 'Tạo hội nghị',
    'hist.action.update-conference': 'Sửa hội nghị',
    'hist.action.delete-conference': 'Xóa hội nghị',
    'hist.action.open': 'Mở hội nghị',
    'hist.action.close': 'Đóng hội nghị',
    'hist.action.mute': 'Tắt/bật tiếng, hình',
    'hist.action.mute-all': 'Tắt tiếng tất cả',
    'hist.action.kick': 'Mời ra',
    'hist.action.call': 'Gọi vào',
    'hist.action.spotlight': 'Ghim điểm cầu',
    'hist.action.layout': 'Đổi bố cục',
    'hist.action.lock': 'Khóa hội nghị',
    'hist.action.preview': 'Xem trước',
    'hist.back': 'Lịch sử hội nghị',
    'hist.conf.deleted': 'Hội nghị này đã bị xóa; chỉ còn bản ghi lịch sử.',
    'hist.conf.csv': 'Tải CSV',
    'hist.conf.csvHint': 'Tải các lượt tham dự dưới dạng bảng tính (CSV)',
    'hist.conf.permanent': 'Phòng họp thường trực',
    'hist.stat.sites': 'Điểm cầu tham dự',
    'hist.stat.sessions': 'Lượt vào',
    'hist.stat.inNow': 'Đang tham gia',
    'hist.stat.alarms': 'Cảnh báo',
    'hist.totals': 'Tổng hợp theo điểm cầu',
    'hist.attendance': 'Các lượt tham dự',
    'hist.alarms': 'Cảnh báo',
    'hist.audit': 'Nhật ký thao tác của hội nghị',
    'hist.noRecords': 'Chưa có điểm cầu nào vào hội nghị này.',
    'hist.noAlarms': 'Không có cảnh báo nào.',
    'hist.noAudit': 'Không có thao tác nào (trong 500 mục nhật ký gần nhất).',
    'hist.col.site': 'Điểm cầu',
    'hist.col.joined': 'Vào lúc',
    'hist.col.left': 'Rời lúc',
    'hist.col.duration': 'Thời lượng',
    'hist.col.reason': 'Lý do rời',
    'hist.col.quality': 'Chất lượng',
    'hist.col.loss': 'Mất gói TB / max',
    'hist.col.jitter': 'Jitter',
    'hist.col.rtt': 'RTT',
    'hist.col.kbps': 'kb/s vào / ra',
    'hist.col.total': 'Tổng thời gian',
    'hist.col.first': 'Vào lần đầu',
    'hist.col.lastLeave': 'Rời lần cuối',
    'hist.col.severity': 'Mức',
    'hist.col.kind': 'Loại',
    'hist.col.detail': 'Chi tiết',
    'hist.col.raised': 'Bắt đầu',
    'hist.col.cleared': 'Kết thúc',
    'hist.stillIn': 'đang tham gia',
    'hist.absent': 'Không tham dự',
    'hist.ongoing': 'đang diễn ra',
    'hist.wholeConference': 'Cả hội nghị',
    'hist.q.good': 'Tốt',
    'hist.q.fair': 'Trung bình',
    'hist.q.poor': 'Kém',
    'hist.q.none': 'Không có',
    'hist.q.noneHint': 'Kết nối hình/tiếng chưa từng thông',
    'hist.q.pending': 'Đang đo',
    'hist.q.pendingHint': 'Chất lượng được tổng hợp khi điểm cầu rời hội nghị; xem trực tiếp ở trang Giám sát.',
    'hist.q.window': 'Trong {s} giây cuối cùng của lượt tham dự',
    'hist.ms': '{n} ms',
    'hist.pct': '{a} / {b} %',
    'hist.sev.warning': 'Cảnh báo',
    'hist.sev.critical': 'Nghiêm trọng',
    'hist.kind.loss': 'Mất gói',
    'hist.kind.no-media': 'Không có tín hiệu',
    'hist.kind.rtt': 'Trễ cao (RTT)',
    'hist.kind.offline': 'Không kết nối',
    'hist.kind.dtls': 'Lỗi bảo mật DTLS',
    'hist.kind.encoder': 'Ghép hình chậm',
    'hist.reason.left': 'Tự rời hội nghị',
    'hist.reason.disconnected': 'Mất kết nối',
    'hist.reason.replaced': 'Thay bằng kết nối mới',
    'hist.reason.hungUp': 'Đường hình/tiếng bị ngắt',
    'hist.reason.mediaFailed': 'Lỗi kết nối hình/tiếng: {detail}',
    'hist.reason.ended': 'Hội nghị kết thúc theo lịch',
    'hist.reason.deleted': 'Hội nghị bị xóa',
    'hist.reason.hostEnded': 'Chủ trì kết thúc hội nghị',
    'hist.reason.kicked': 'Chủ trì mời ra',
    'hist.reason.stopped': 'MCU dừng hoạt động',
    'hist.reason.restarted': 'MCU khởi động lại',
  },
  en: {
    'hist.title': 'History',
    'hist.lead': 'Past and running conferences, attendance, link quality and the audit log.',
    'hist.tabs': 'History sections',
    'hist.tab.conferences': 'Conferences',
    'hist.tab.audit': 'Audit log',
    'hist.loading': 'Loading…',
    'hist.loadFailed': 'Could not load the data: {message}',
    'hist.retry': 'Retry',
    'hist.partial': 'Part of the data could not be loaded ({what}): {message}',
    'hist.none': '—',
    'hist.col.conference': 'Conference',
    'hist.col.state': 'State',
    'hist.col.last': 'Last held',
    'hist.col.attended': 'Attended / invited',
    'hist.col.sessions': 'Joins',
    'hist.col.alarms': 'Alarms',
    'hist.state.open': 'Open',
    'hist.state.scheduled': 'Scheduled',
    'hist.state.ended': 'Ended',
    'hist.state.deleted': 'Deleted',
    'hist.state.permanent': 'Always open',
    'hist.noConferences': 'No conference has taken place yet.',
    'hist.attendedOf': '{n} / {of}',
    'hist.anySite': 'any',
    'hist.recordsNote': 'Counted over the latest {n} attendances.',
    'hist.audit.filter': 'Filter the loaded rows',
    'hist.audit.filterPlaceholder': 'Actor, action, target…',
    'hist.audit.shown': 'Showing {n}/{total} rows',
    'hist.audit.older': 'Load older entries',
    'hist.audit.end': 'The whole log is loaded.',
    'hist.audit.empty': 'The log is empty.',
    'hist.audit.noMatch': 'No row matches the filter.',
    'hist.audit.col.time': 'Time',
    'hist.audit.col.actor': 'Actor',
    'hist.audit.col.action': 'Action',
    'hist.audit.col.target': 'Target',
    'hist.audit.col.detail': 'Detail',
    'hist.audit.scheduler': 'Scheduler',
    'hist.action.login': 'Log in',
    'hist.action.logout': 'Log out',
    'hist.action.create-token': 'Create API token',
    'hist.action.delete-token': 'Revoke API token',
    'hist.action.create-site': 'Add site',
    'hist.action.update-site': 'Edit site',
    'hist.action.delete-site': 'Delete site',
    'hist.action.renew-site-token': 'Renew site token',
    'hist.action.create-user': 'Add user',
    'hist.action.update-user': 'Edit user',
    'hist.action.delete-user': 'Delete user',
    'hist.action.create-conference': 'Create conference',
    'hist.action.update-conference': 'Edit conference',
    'hist.action.delete-conference': 'Delete conference',
    'hist.action.open': 'Open conference',
    'hist.action.close': 'Close conference',
    'hist.action.mute': 'Mute/unmute',
    'hist.action.mute-all': 'Mute all',
    'hist.action.kick': 'Remove site',
    'hist.action.call': 'Call site',
    'hist.action.spotlight': 'Spotlight',
    'hist.action.layout': 'Change layout',
    'hist.action.lock': 'Lock conference',
    'hist.action.preview': 'Preview',
    'hist.back': 'Conference history',
    'hist.conf.deleted': 'This conference was deleted; only its history remains.',
    'hist.conf.csv': 'Download CSV',
    'hist.conf.csvHint': 'Download the attendances as a spreadsheet (CSV)',
    'hist.conf.permanent': 'Always-open room',
    'hist.stat.sites': 'Sites attended',
    'hist.stat.sessions': 'Joins',
    'hist.stat.inNow': 'In now',
    'hist.stat.alarms': 'Alarms',
    'hist.totals': 'Totals per site',
    'hist.attendance': 'Attendances',
    'hist.alarms': 'Alarms',
    'hist.audit': 'The conference’s audit entries',
    'hist.noRecords': 'No site has joined this conference yet.',
    'hist.noAlarms': 'No alarms.',
    'hist.noAudit': 'No actions (in the latest 500 audit entries).',
    'hist.col.site': 'Site',
    'hist.col.joined': 'Joined',
    'hist.col.left': 'Left',
    'hist.col.duration': 'Duration',
    'hist.col.reason': 'Why it left',
    'hist.col.quality': 'Quality',
    'hist.col.loss': 'Loss mean / max',
    'hist.col.jitter': 'Jitter',
    'hist.col.rtt': 'RTT',
    'hist.col.kbps': 'kb/s in / out',
    'hist.col.total': 'Total time',
    'hist.col.first': 'First joined',
    'hist.col.lastLeave': 'Last left',
    'hist.col.severity': 'Severity',
    'hist.col.kind': 'Kind',
    'hist.col.detail': 'Detail',
    'hist.col.raised': 'Raised',
    'hist.col.cleared': 'Cleared',
    'hist.stillIn': 'still in',
    'hist.absent': 'Did not attend',
    'hist.ongoing': 'ongoing',
    'hist.wholeConference': 'Whole conference',
    'hist.q.good': 'Good',
    'hist.q.fair': 'Fair',
    'hist.q.poor': 'Poor',
    'hist.q.none': 'None',
    'hist.q.noneHint': 'Its media never connected',
    'hist.q.pending': 'Measuring',
    'hist.q.pendingHint': 'The quality is summarised when the site leaves; see it live on the Monitoring page.',
    'hist.q.window': 'Over the last {s} s of the attendance',
    'hist.ms': '{n} ms',
    'hist.pct': '{a} / {b} %',
    'hist.sev.warning': 'Warning',
    'hist.sev.critical': 'Critical',
    'hist.kind.loss': 'Packet loss',
    'hist.kind.no-media': 'No media',
    'hist.kind.rtt': 'High RTT',
    'hist.kind.offline': 'Not connected',
    'hist.kind.dtls': 'DTLS failure',
    'hist.kind.encoder': 'Composite late',
    'hist.reason.left': 'Left by itself',
    'hist.reason.disconnected': 'Disconnected',
    'hist.reason.replaced': 'Replaced by a new connection',
    'hist.reason.hungUp': 'Media hung up',
    'hist.reason.mediaFailed': 'Media failed: {detail}',
    'hist.reason.ended': 'The conference ended on schedule',
    'hist.reason.deleted': 'The conference was deleted',
    'hist.reason.hostEnded': 'The host ended the conference',
    'hist.reason.kicked': 'Removed by the host',
    'hist.reason.stopped': 'The MCU stopped',
    'hist.reason.restarted': 'The MCU restarted',
  },
};

const AUDIT_PAGE = 50;
const enc = encodeURIComponent;
const REASONS = {
  left: 'left', disconnected: 'disconnected', 'replaced by a new connection': 'replaced', 'hung up': 'hungUp',
  'the conference ended': 'ended', 'the conference was deleted': 'deleted', 'the host ended the conference': 'hostEnded',
  'removed by the host': 'kicked', 'mcu stopped': 'stopped', 'mcu restarted': 'restarted',
};

// What /history remembers between renders (a language switch renders it again). The tab is in
// the address (#/history?tab=audit), so that #/history is the conferences.
const pageState = { tab: 'conferences', filter: '' };

// ---- Small helpers ---------------------------------------------------------------------------

const list = (x) => (Array.isArray(x) ? x : []);
const fmtSeconds = (ms) => (ms ? `${fmtDate(ms)} ${fmtTime(ms, true)}` : '—');

// A number in the page's language (Vietnamese: decimal comma), '—' when missing or negative.
function num(ctx, v, digits = 0) {
  if (v === null || v === undefined || Number.isNaN(v) || v < 0) return '—';
  return new Intl.NumberFormat(ctx.i18n.lang === 'vi' ? 'vi-VN' : 'en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
}

function label(ctx, key, fallback) {
  return ctx.i18n.has(key) ? ctx.t(key) : fallback;
}

function section(title, count, ...content) {
  const id = uid('hist-sec');
  return h('section', { class: 'hist-section', 'aria-labelledby': id },
    h('h2', { class: 'section-title', id }, title, count !== null && count !== undefined ? h('span', { class: 'count' }, String(count)) : null),
    content);
}

function table(className, head, rows, emptyText) {
  if (!rows.length) return h('div', { class: 'table-wrap' }, h('p', { class: 'empty' }, emptyText));
  return h('div', { class: 'table-wrap' },
    h('table', { class: `data mg-table ${className}` },
      h('thead', {}, h('tr', {}, head.map(([text, cls]) => h('th', { scope: 'col', class: cls || null }, text)))),
      h('tbody', {}, rows)));
}

function statePill(ctx, c) {
  if (!c) return h('span', { class: 'state state-ended' }, ctx.t('hist.state.deleted'));
  const state = ['open', 'scheduled', 'ended'].includes(c.state) ? c.state : 'scheduled';
  return h('span', { class: `state state-${state}` }, ctx.t(c.permanent ? 'hist.state.permanent' : `hist.state.${state}`));
}

// ---- #/history -------------------------------------------------------------------------------

async function renderIndex(view, ctx) {
  const { t } = ctx;
  const confPanel = h('div', { class: 'hist-panel' }, h('p', { class: 'empty' }, t('hist.loading')));
  const auditPanel = h('div', { class: 'hist-panel' });
  let auditLoaded = false;
  pageState.tab = ctx.query.get('tab') === 'audit' ? 'audit' : 'conferences';
  const tabs = tabList(t('hist.tabs'), [
    { key: 'conferences', label: t('hist.tab.conferences'), panel: confPanel },
    { key: 'audit', label: t('hist.tab.audit'), panel: auditPanel },
  ], pageState.tab, (key) => {
    pageState.tab = key;
    history.replaceState(null, '', key === 'audit' ? '#/history?tab=audit' : '#/history');
    if (key === 'audit' && !auditLoaded) {
      auditLoaded = true;
      auditLog(auditPanel, ctx);
    }
  });
  view.append(
    h('div', { class: 'page-header' }, h('div', {}, h('h1', {}, t('hist.title')), h('p', { class: 'subtitle' }, t('hist.lead')))),
    tabs, confPanel, auditPanel);
  if (pageState.tab === 'audit') {
    auditLoaded = true;
    auditLog(auditPanel, ctx);
  }
  await conferenceHistory(confPanel, ctx);
}

// One row per conference that ran or runs, from the conferences, call records and alarms.
export function summarize(conferences, records, alarms) {
  const by = new Map();
  const entry = (id) => {
    if (!by.has(id)) by.set(id, { id, conf: null, sites: new Set(), sessions: 0, last: 0, alarms: 0, recordAlarms: 0 });
    return by.get(id);
  };
  for (const c of conferences) entry(c.id).conf = c;
  for (const r of records) {
    const e = entry(r.conference);
    e.sites.add(r.site);
    e.sessions++;
    e.last = Math.max(e.last, r.joinedMs || 0);
    e.recordAlarms += r.alarms || 0;
  }
  for (const a of alarms || []) entry(a.conference).alarms++;
  const rows = [...by.values()].filter((e) => e.sessions || (e.conf && (e.conf.state === 'open' || e.conf.state === 'ended')));
  for (const e of rows) {
    if (!alarms) e.alarms = e.recordAlarms;
    if (!e.last && e.conf && e.conf.start && e.conf.state !== 'scheduled') e.last = new Date(e.conf.start).getTime();
  }
  const rank = (e) => (e.conf && e.conf.state === 'open' ? 0 : 1);
  return rows.sort((a, b) => rank(a) - rank(b) || b.last - a.last || a.id.localeCompare(b.id));
}

async function conferenceHistory(panel, ctx) {
  const { t, api } = ctx;
  let conferences;
  let records;
  let alarms = null;
  const warnings = [];
  try {
    [conferences, records, alarms] = await Promise.all([
      api.get('/conferences'),
      api.get('/call-records?limit=1000'),
      api.get('/alarms?limit=1000').catch((e) => {
        warnings.push(t('hist.partial', { what: t('hist.col.alarms'), message: e.message }));
        return null;
      }),
    ]);
  } catch (e) {
    if (!ctx.current()) return;
    replace(panel, h('div', { class: 'empty', role: 'alert' }, t('hist.loadFailed', { message: e.message }), ' ',
      h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: () => conferenceHistory(panel, ctx) }, t('hist.retry'))));
    return;
  }
  if (!ctx.current()) return;
  const rows = summarize(list(conferences), list(records), alarms ? list(alarms) : null);
  replace(panel,
    warnings.map((w) => h('p', { class: 'form-error' }, w)),
    table('hist-conferences', [
      [t('hist.col.conference')], [t('hist.col.state')], [t('hist.col.last')],
      [t('hist.col.attended'), 'num'], [t('hist.col.sessions'), 'num'], [t('hist.col.alarms'), 'num'],
    ], rows.map((e) => conferenceRow(ctx, e)), t('hist.noConferences')),
    list(records).length >= 1000 ? h('p', { class: 'field-hint hist-note' }, t('hist.recordsNote', { n: 1000 })) : null);
}

function conferenceRow(ctx, e) {
  const { t } = ctx;
  const invited = e.conf ? list(e.conf.invited).length : 0;
  return h('tr', { dataset: { conference: e.id } },
    h('th', { scope: 'row', class: 'hist-name' },
      h('a', { href: `#/history/${enc(e.id)}` }, e.conf ? e.conf.title : e.id),
      h('span', { class: 'hist-id' }, e.id)),
    h('td', {}, statePill(ctx, e.conf)),
    h('td', { class: 'hist-time' }, e.last ? fmtDateTime(e.last) : t('hist.none')),
    h('td', { class: 'num' }, t('hist.attendedOf', { n: e.sites.size, of: invited || t('hist.anySite') })),
    h('td', { class: 'num' }, String(e.sessions)),
    h('td', { class: `num${e.alarms ? ' hist-alarm-count' : ''}` }, String(e.alarms)));
}

// The audit log: pages of 50, "older" pages back, the filter narrows the rows loaded.
function auditLog(panel, ctx) {
  const { t, api } = ctx;
  const rows = [];
  let exhausted = false;
  let loading = false;
  const filter = h('input', { type: 'search', id: 'audit-filter', value: pageState.filter, placeholder: t('hist.audit.filterPlaceholder'), autocomplete: 'off' });
  const shown = h('span', { class: 'hist-shown', 'aria-live': 'polite' });
  const body = h('div', {}, h('p', { class: 'empty' }, t('hist.loading')));
  const older = h('button', { type: 'button', class: 'btn btn-secondary', id: 'audit-older' }, t('hist.audit.older'));
  const end = h('p', { class: 'field-hint', hidden: true }, t('hist.audit.end'));
  replace(panel,
    h('div', { class: 'toolbar hist-audit-bar' },
      h('label', { for: filter.id, class: 'hist-filter-label' }, t('hist.audit.filter')), filter, shown),
    body,
    h('div', { class: 'hist-more' }, older, end));

  function draw() {
    const q = filter.value.trim().toLowerCase();
    const matching = q ? rows.filter((r) => r.text.includes(q)) : rows;
    shown.textContent = t('hist.audit.shown', { n: matching.length, total: rows.length });
    replace(body, table('hist-audit', auditHead(ctx), matching.map((r) => r.el),
      rows.length ? t('hist.audit.noMatch') : t('hist.audit.empty')));
    older.hidden = exhausted;
    end.hidden = !exhausted || !rows.length;
  }
  async function more() {
    if (loading || exhausted) return;
    loading = true;
    older.disabled = true;
    const before = rows.length ? Math.min(...rows.map((r) => r.entry.id)) : 0;
    try {
      const page = list(await api.get(`/audit?limit=${AUDIT_PAGE}${before ? `&before=${before}` : ''}`));
      for (const entry of page) rows.push(auditRow(ctx, entry));
      exhausted = page.length < AUDIT_PAGE;
    } catch (e) {
      ctx.toast(t('hist.loadFailed', { message: e.message }), 'error');
      if (!rows.length) replace(body, h('p', { class: 'empty', role: 'alert' }, t('hist.loadFailed', { message: e.message })));
      return;
    } finally {
      loading = false;
      older.disabled = false;
    }
    draw();
  }
  filter.addEventListener('input', () => {
    pageState.filter = filter.value;
    draw();
  });
  older.addEventListener('click', more);
  more();
}

function auditHead(ctx) {
  const { t } = ctx;
  return ['time', 'actor', 'action', 'target', 'detail'].map((k) => [t(`hist.audit.col.${k}`)]);
}

// An audit entry as a row, with the text the filter looks in.
function auditRow(ctx, entry) {
  const { t } = ctx;
  const detail = entry.detail && typeof entry.detail === 'object' && Object.keys(entry.detail).length ? JSON.stringify(entry.detail) : '';
  const action = label(ctx, `hist.action.${entry.action}`, entry.action);
  const actor = entry.actor === 'scheduler' ? t('hist.audit.scheduler') : entry.actor;
  const el = h('tr', { dataset: { audit: String(entry.id) } },
    h('td', { class: 'hist-time' }, fmtSeconds(entry.atMs)),
    h('td', {}, actor || t('hist.none')),
    h('td', {}, h('span', { class: 'hist-action' }, action), action !== entry.action ? h('code', { class: 'hist-code' }, entry.action) : null),
    h('td', { class: 'hist-target' }, entry.target || t('hist.none')),
    h('td', { class: 'hist-detail' }, detail ? h('code', {}, detail) : t('hist.none')));
  const text = [fmtSeconds(entry.atMs), entry.actor, actor, entry.action, action, entry.target, detail].join(' ').toLowerCase();
  return { entry, el, text };
}

// ---- #/history/<conference> ------------------------------------------------------------------

async function renderConference(view, ctx) {
  const { t, api } = ctx;
  const id = ctx.params.conference;
  const back = h('a', { href: '#/history', class: 'hist-back' }, '← ', t('hist.back'));
  const warn = [];
  const soft = (what, p) => p.catch((e) => {
    warn.push(t('hist.partial', { what, message: e.message }));
    return null;
  });
  let conf;
  let records;
  let sites;
  let alarms;
  let audit;
  try {
    [conf, records, sites, alarms, audit] = await Promise.all([
      api.get(`/conferences/${enc(id)}`).catch((e) => {
        if (e.status === 404) return null;
        throw e;
      }),
      api.get(`/call-records?conference=${enc(id)}&limit=1000`),
      api.get('/sites').catch(() => []),
      soft(t('hist.alarms'), api.get(`/alarms?conference=${enc(id)}&limit=1000`)),
      soft(t('hist.tab.audit'), api.get('/audit?limit=500')),
    ]);
  } catch (e) {
    if (!ctx.current()) return;
    view.append(h('div', { class: 'page-header' }, h('div', {}, back, h('h1', {}, id))),
      h('p', { class: 'page-message', role: 'alert' }, t('hist.loadFailed', { message: e.message })));
    return;
  }
  if (!ctx.current()) return;
  records = list(records);
  const names = new Map(list(sites).map((s) => [s.id, s.name]));
  const siteName = (s) => names.get(s) || s;
  const confAudit = list(audit).filter((a) => a.target === id || (a.target || '').startsWith(`${id}/`));

  view.append(h('div', { class: 'hist-conference' },
    conferenceHeader(ctx, id, conf, back),
    warn.map((w) => h('p', { class: 'form-error' }, w)),
    conf ? null : h('p', { class: 'banner banner-notice hist-deleted' }, t('hist.conf.deleted')),
    stats(ctx, records, alarms),
    section(t('hist.totals'), null, totalsTable(ctx, records, conf, siteName)),
    section(t('hist.attendance'), records.length, attendanceTable(ctx, records, siteName)),
    alarms ? section(t('hist.alarms'), list(alarms).length, alarmsTable(ctx, list(alarms), siteName)) : null,
    audit ? section(t('hist.audit'), confAudit.length,
      table('hist-audit', auditHead(ctx), confAudit.map((a) => auditRow(ctx, a).el), t('hist.noAudit'))) : null));
}

function conferenceHeader(ctx, id, conf, back) {
  const { t } = ctx;
  const when = !conf ? null : conf.permanent || !conf.start ? t('hist.conf.permanent')
    : `${fmtDateTime(new Date(conf.start).getTime())} – ${fmtTime(new Date(conf.end).getTime())}`;
  return h('div', { class: 'page-header' },
    h('div', {}, back,
      h('h1', {}, conf ? conf.title : id),
      h('p', { class: 'subtitle hist-meta' }, h('span', { class: 'hist-id' }, id), statePill(ctx, conf), when ? h('span', {}, when) : null)),
    h('div', { class: 'toolbar' },
      h('a', {
        class: 'btn btn-secondary', id: 'history-csv', download: `${id}-call-records.csv`,
        href: `/api/v1/call-records?conference=${enc(id)}&format=csv&limit=1000`, title: t('hist.conf.csvHint'),
      }, t('hist.conf.csv'))));
}

function stats(ctx, records, alarms) {
  const { t } = ctx;
  const tiles = [
    ['sites', new Set(records.map((r) => r.site)).size],
    ['sessions', records.length],
    ['inNow', records.filter((r) => !r.leftMs).length],
    ['alarms', alarms ? list(alarms).length : records.reduce((n, r) => n + (r.alarms || 0), 0)],
  ];
  return h('dl', { class: 'hist-stats' }, tiles.map(([k, v]) => h('div', { class: `hist-stat hist-stat-${k}` },
    h('dt', {}, t(`hist.stat.${k}`)), h('dd', {}, String(v)))));
}

// The quality grade of a record: good (< 1 % loss, RTT < 150 ms), fair (< 5 %, < 300 ms), poor.
export function grade(q) {
  if (!q) return 'none';
  const loss = q.lossPctMean ?? 0;
  const rtt = typeof q.rttMsMean === 'number' && q.rttMsMean >= 0 ? q.rttMsMean : null;
  if (loss < 1 && (rtt === null || rtt < 150)) return 'good';
  if (loss < 5 && (rtt === null || rtt < 300)) return 'fair';
  return 'poor';
}

function reasonText(ctx, reason) {
  if (!reason) return ctx.t('hist.none');
  if (REASONS[reason]) return ctx.t(`hist.reason.${REASONS[reason]}`);
  const m = /^media failed: (.*)$/.exec(reason);
  return m ? ctx.t('hist.reason.mediaFailed', { detail: m[1] }) : reason;
}

function attendanceTable(ctx, records, siteName) {
  const { t } = ctx;
  const lang = ctx.i18n.lang;
  const now = Date.now();
  const sorted = [...records].sort((a, b) => a.joinedMs - b.joinedMs || siteName(a.site).localeCompare(siteName(b.site), 'vi'));
  const rows = sorted.map((r) => {
    const q = r.quality;
    const g = grade(q);
    const pending = !q && !r.leftMs;  // Summarised when the site leaves.
    return h('tr', { dataset: { site: r.site, quality: g } },
      h('th', { scope: 'row' }, siteName(r.site)),
      h('td', { class: 'hist-time' }, fmtDateTime(r.joinedMs)),
      h('td', { class: 'hist-time' }, r.leftMs ? fmtDateTime(r.leftMs) : h('span', { class: 'state state-video' }, t('hist.stillIn'))),
      h('td', { class: 'num' }, fmtDuration((r.leftMs || now) - r.joinedMs, lang)),
      h('td', { class: 'hist-reason' }, reasonText(ctx, r.reason)),
      h('td', {}, h('span', {
        class: `quality quality-${g}`, dataset: { quality: pending ? 'pending' : g },
        title: q ? t('hist.q.window', { s: q.seconds }) : t(pending ? 'hist.q.pendingHint' : 'hist.q.noneHint'),
      }, t(pending ? 'hist.q.pending' : `hist.q.${g}`))),
      h('td', { class: 'num' }, q ? t('hist.pct', { a: num(ctx, q.lossPctMean, 1), b: num(ctx, q.lossPctMax, 1) }) : '—'),
      h('td', { class: 'num' }, q ? t('hist.ms', { n: num(ctx, q.jitterMsMean, 0) }) : '—'),
      h('td', { class: 'num' }, q && typeof q.rttMsMean === 'number' && q.rttMsMean >= 0 ? t('hist.ms', { n: num(ctx, q.rttMsMean, 0) }) : '—'),
      h('td', { class: 'num' }, q ? `${num(ctx, q.kbpsInMean, 0)} / ${num(ctx, q.kbpsOutMean, 0)}` : '—'),
      h('td', { class: `num${r.alarms ? ' hist-alarm-count' : ''}` }, String(r.alarms || 0)));
  });
  return table('hist-attendance', [
    [t('hist.col.site')], [t('hist.col.joined')], [t('hist.col.left')], [t('hist.col.duration'), 'num'],
    [t('hist.col.reason')], [t('hist.col.quality')], [t('hist.col.loss'), 'num'], [t('hist.col.jitter'), 'num'],
    [t('hist.col.rtt'), 'num'], [t('hist.col.kbps'), 'num'], [t('hist.col.alarms'), 'num'],
  ], rows, t('hist.noRecords'));
}

// Per site: joins, total time, first join, last leave (or still in), alarms; invited sites that
// never came are listed as absent.
function totalsTable(ctx, records, conf, siteName) {
  const { t } = ctx;
  const lang = ctx.i18n.lang;
  const now = Date.now();
  const by = new Map();
  for (const r of records) {
    if (!by.has(r.site)) by.set(r.site, { site: r.site, n: 0, total: 0, first: Infinity, last: 0, stillIn: false, alarms: 0 });
    const s = by.get(r.site);
    s.n++;
    s.total += (r.leftMs || now) - r.joinedMs;
    s.first = Math.min(s.first, r.joinedMs);
    s.last = Math.max(s.last, r.leftMs || 0);
    s.stillIn = s.stillIn || !r.leftMs;
    s.alarms += r.alarms || 0;
  }
  const invited = conf ? list(conf.invited) : [];
  const order = (s) => (invited.includes(s) ? invited.indexOf(s) : invited.length);
  const all = [...new Set([...invited, ...by.keys()])].sort((a, b) => order(a) - order(b) || siteName(a).localeCompare(siteName(b), 'vi'));
  if (!all.length) return table('hist-totals', [], [], t('hist.noRecords'));
  const rows = all.map((site) => {
    const s = by.get(site);
    if (!s)
      return h('tr', { class: 'hist-absent', dataset: { siteTotal: site } },
        h('th', { scope: 'row' }, siteName(site)),
        h('td', { colspan: 5 }, h('span', { class: 'state state-offline' }, t('hist.absent'))));
    return h('tr', { dataset: { siteTotal: site } },
      h('th', { scope: 'row' }, siteName(site)),
      h('td', { class: 'num' }, String(s.n)),
      h('td', { class: 'num' }, fmtDuration(s.total, lang)),
      h('td', { class: 'hist-time' }, fmtDateTime(s.first)),
      h('td', { class: 'hist-time' }, s.stillIn ? h('span', { class: 'state state-video' }, t('hist.stillIn')) : fmtDateTime(s.last)),
      h('td', { class: `num${s.alarms ? ' hist-alarm-count' : ''}` }, String(s.alarms)));
  });
  return table('hist-totals', [
    [t('hist.col.site')], [t('hist.col.sessions'), 'num'], [t('hist.col.total'), 'num'],
    [t('hist.col.first')], [t('hist.col.lastLeave')], [t('hist.col.alarms'), 'num'],
  ], rows, t('hist.noRecords'));
}

function alarmsTable(ctx, alarms, siteName) {
  const { t } = ctx;
  const rows = [...alarms].sort((a, b) => b.raisedMs - a.raisedMs).map((a) => h('tr', {
    class: a.clearedMs ? null : `row-${a.severity === 'critical' ? 'critical' : 'warning'}`,
    dataset: { alarm: String(a.id), severity: a.severity },
  },
  h('td', {}, h('span', { class: `state sev-${a.severity === 'critical' ? 'critical' : 'warning'}` }, label(ctx, `hist.sev.${a.severity}`, a.severity))),
  h('td', {}, label(ctx, `hist.kind.${a.kind}`, a.kind)),
  h('td', {}, a.site ? siteName(a.site) : t('hist.wholeConference')),
  h('td', { class: 'hist-detail' }, a.detail || t('hist.none')),
  h('td', { class: 'hist-time' }, fmtSeconds(a.raisedMs)),
  h('td', { class: 'hist-time' }, a.clearedMs ? fmtSeconds(a.clearedMs) : h('span', { class: 'hist-ongoing' }, t('hist.ongoing')))));
  return table('hist-alarms', [
    [t('hist.col.severity')], [t('hist.col.kind')], [t('hist.col.site')], [t('hist.col.detail')],
    [t('hist.col.raised')], [t('hist.col.cleared')],
  ], rows, t('hist.noAlarms'));
}

export const routes = [
  { path: '/history', roles: ['admin', 'host', 'technician'], title: 'hist.title', render: renderIndex },
  { path: '/history/:conference', roles: ['admin', 'host', 'technician'], title: 'hist.title', render: renderConference },
];
