// #/history/<conference>, one conference's history: per-site totals (with invited sites that
// never came), every attendance (GET /call-records?conference=<id>&limit=1000, site names from
// GET /sites) with its quality summary, a CSV download, its alarms (GET
// /alarms?conference=<id>) and its audit entries (GET /audit?limit=500, those whose target is
// the conference or below it), and its recordings (GET /recordings?conference=<id>,
// ./recordings.js). The totals, counts, grades and reasons come from
// ../../logic/history.js and ../../logic/quality.js. A classified conference has the "Mật" badge
// in its header. Hooks for tests: tr[data-site] (attendances), tr[data-site-total] (totals),
// a#history-csv (the CSV), tr[data-alarm], .hist-meta .classified-badge.

import { h, fmtTime, fmtDateTime, fmtDuration } from '../../dom.js';
import { fmtSeconds } from '../../logic/format.js';
import { auditOf, conferenceCounts, reasonOf, siteTotals } from '../../logic/history.js';
import { gradeRecord } from '../../logic/quality.js';
import { auditHead, auditRow } from './audit.js';
import { classifiedMark, enc, label, list, num, section, statePill, table } from './common.js';
import { recordingsTable } from './recordings.js';

export const strings = {
  vi: {
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
    'hist.kind.device': 'Thiếu thiết bị tại phòng họp',
    'hist.kind.video-refused': 'Hình ảnh quá lớn, không giải mã',
    'hist.kind.loop': 'Liên kết tạo vòng lặp, bị từ chối',
    'hist.kind.disk': 'Hết chỗ ghi hình',
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
    'hist.kind.device': 'Device missing at the room',
    'hist.kind.video-refused': 'Picture too large, not decoded',
    'hist.kind.loop': 'Link refused: it would close a loop',
    'hist.kind.disk': 'No room left to record',
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

export async function renderConference(view, ctx) {
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
  let recordings;
  try {
    [conf, records, sites, alarms, audit, recordings] = await Promise.all([
      api.get(`/conferences/${enc(id)}`).catch((e) => {
        if (e.status === 404) return null;
        throw e;
      }),
      api.get(`/call-records?conference=${enc(id)}&limit=1000`),
      api.get('/sites').catch(() => []),
      soft(t('hist.alarms'), api.get(`/alarms?conference=${enc(id)}&limit=1000`)),
      soft(t('hist.tab.audit'), api.get('/audit?limit=500')),
      soft(t('hist.recordings'), api.get(`/recordings?conference=${enc(id)}&limit=1000`)),
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
  const confAudit = auditOf(audit, id);

  view.append(h('div', { class: 'hist-conference' },
    conferenceHeader(ctx, id, conf, back),
    warn.map((w) => h('p', { class: 'form-error' }, w)),
    conf ? null : h('p', { class: 'banner banner-notice hist-deleted' }, t('hist.conf.deleted')),
    stats(ctx, records, alarms),
    section(t('hist.totals'), null, totalsTable(ctx, records, conf, siteName)),
    section(t('hist.attendance'), records.length, attendanceTable(ctx, records, siteName)),
    recordings ? section(t('hist.recordings'), list(recordings).length, recordingsTable(view, ctx, list(recordings))) : null,
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
      h('p', { class: 'subtitle hist-meta' }, h('span', { class: 'hist-id' }, id), statePill(ctx, conf), classifiedMark(ctx, conf),
        when ? h('span', {}, when) : null)),
    h('div', { class: 'toolbar' },
      h('a', {
        class: 'btn btn-secondary', id: 'history-csv', download: `${id}-call-records.csv`,
        href: `/api/v1/call-records?conference=${enc(id)}&format=csv&limit=1000`, title: t('hist.conf.csvHint'),
      }, t('hist.conf.csv'))));
}

function stats(ctx, records, alarms) {
  const { t } = ctx;
  const counts = conferenceCounts(records, alarms);
  return h('dl', { class: 'hist-stats' }, ['sites', 'sessions', 'inNow', 'alarms'].map((k) => h('div', { class: `hist-stat hist-stat-${k}` },
    h('dt', {}, t(`hist.stat.${k}`)), h('dd', {}, String(counts[k])))));
}

function reasonText(ctx, reason) {
  const r = reasonOf(reason);
  if (!r) return ctx.t('hist.none');
  return r.key ? ctx.t(`hist.reason.${r.key}`, r.detail === undefined ? {} : { detail: r.detail }) : r.text;
}

function attendanceTable(ctx, records, siteName) {
  const { t } = ctx;
  const lang = ctx.i18n.lang;
  const now = Date.now();
  const sorted = [...records].sort((a, b) => a.joinedMs - b.joinedMs || siteName(a.site).localeCompare(siteName(b.site), 'vi'));
  const rows = sorted.map((r) => {
    const q = r.quality;
    const g = gradeRecord(q);
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
  const totals = siteTotals(records, conf ? conf.invited : [], siteName);
  if (!totals.length) return table('hist-totals', [], [], t('hist.noRecords'));
  const rows = totals.map((s) => {
    if (s.absent)
      return h('tr', { class: 'hist-absent', dataset: { siteTotal: s.site } },
        h('th', { scope: 'row' }, siteName(s.site)),
        h('td', { colspan: 5 }, h('span', { class: 'state state-offline' }, t('hist.absent'))));
    return h('tr', { dataset: { siteTotal: s.site } },
      h('th', { scope: 'row' }, siteName(s.site)),
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
