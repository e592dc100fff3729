// Monitoring for technicians.
//
// #/monitor: every running conference (open, or permanent with sites in it) in one table
// #streams, one row per stream of every site (audio/video, received from / sent to the site),
// updated every second from the feed's `stats` events; per conference its composite tiers and
// the process's load. The active alarms (newest first, announced; critical ones assertively)
// with a short history of those cleared in this session. Charts of the last 5 minutes of each
// site of one conference (kb/s in/out, loss %, RTT) with the site's alarm periods shaded.
//
// #/monitor/<conference>/<site>: the site's four streams now, its charts over the whole
// conference (history?seconds=86400: one point per 10 s when the MCU gives `stepS`, else the last
// 10 minutes at 1 s), its alarms in the conference, refreshed every 10 s.
//
// Hooks for tests: #streams tr[data-conference][data-site][data-direction] td[data-field],
// tbody.mon-conf[data-conference] [data-field="tiers"|"process"], #active-alarms li[data-key]
// [data-severity], #cleared-alarms, #alarm-announce-critical (assertive), #alarm-announce,
// #history-conference, #history-charts .chart-card[data-site], #site-charts .chart-card[data-chart],
// #site-alarms tr[data-kind].

import { h, replace, uid, fmtTime, fmtDateTime, fmtDuration } from '../dom.js';
import { createTimeChart, formatNumber, COLORS } from '../charts.js';

export const strings = {
  vi: {
    'mon.title': 'Giám sát kỹ thuật',
    'mon.subtitle': 'Chất lượng luồng âm thanh, hình ảnh của các hội nghị đang diễn ra, cập nhật mỗi giây.',
    'mon.loadFailed': 'Không tải được dữ liệu giám sát: {message}',
    'mon.streams': 'Luồng phương tiện',
    'mon.noConferences': 'Không có hội nghị nào đang diễn ra.',
    'mon.noSites': 'Chưa có điểm cầu nào trong hội nghị.',
    'mon.col.site': 'Điểm cầu',
    'mon.col.direction': 'Hướng',
    'mon.col.codec': 'Codec',
    'mon.col.resolution': 'Độ phân giải',
    'mon.col.fps': 'fps',
    'mon.col.kbps': 'kb/s',
    'mon.col.lossPct': 'Mất gói %',
    'mon.col.jitterMs': 'Jitter ms',
    'mon.col.rttMs': 'RTT ms',
    'mon.col.ice': 'ICE',
    'mon.col.dtls': 'DTLS',
    'mon.col.srtp': 'SRTP',
    'mon.medium.audio': 'Tiếng',
    'mon.medium.video': 'Hình',
    'mon.dir.in': 'Nhận từ điểm cầu',
    'mon.dir.out': 'Gửi tới điểm cầu',
    'mon.tier': 'mức {n}',
    'mon.tiers': 'Hình ghép',
    'mon.tierLine': '{size}: {receivers} nhận · {fps} khung/giây · {late} trễ',
    'mon.noTiers': 'chưa mã hóa',
    'mon.process': 'Tiến trình MCU',
    'mon.processLine': 'CPU {cpu}% · RAM {rss} MB · {threads} luồng',
    'mon.staleStats': 'Không nhận được số liệu mới',
    'mon.openLive': 'Điều hành',
    'mon.siteDetail': 'Chi tiết điểm cầu {site}',
    'mon.state.new': 'mới',
    'mon.state.checking': 'đang kiểm tra',
    'mon.state.connecting': 'đang kết nối',
    'mon.state.connected': 'đã kết nối',
    'mon.state.completed': 'hoàn tất',
    'mon.state.disconnected': 'gián đoạn',
    'mon.state.failed': 'thất bại',
    'mon.state.closed': 'đã đóng',
    'mon.alarms': 'Cảnh báo đang có',
    'mon.noAlarms': 'Không có cảnh báo nào.',
    'mon.cleared': 'Đã hết trong phiên này ({n})',
    'mon.noCleared': 'Chưa có cảnh báo nào hết trong phiên này.',
    'mon.sev.warning': 'Cảnh báo',
    'mon.sev.critical': 'Nghiêm trọng',
    'mon.kind.loss': 'Mất gói',
    'mon.kind.no-media': 'Không có tín hiệu',
    'mon.kind.rtt': 'Trễ khứ hồi cao',
    'mon.kind.offline': 'Điểm cầu ngoại tuyến',
    'mon.kind.dtls': 'Lỗi DTLS',
    'mon.kind.encoder': 'Bộ mã hóa chậm',
    'mon.since': 'từ {time} ({age})',
    'mon.clearedAt': '{from} – {to}',
    'mon.wholeConference': 'cả hội nghị',
    'mon.announce': '{severity}: {kind}, {site}, hội nghị {conference}. {detail}',
    'mon.history': 'Diễn biến 5 phút gần nhất',
    'mon.historyConference': 'Hội nghị',
    'mon.noHistory': 'Chọn một hội nghị đang diễn ra để xem diễn biến.',
    'mon.s.in': 'kb/s nhận',
    'mon.s.out': 'kb/s gửi',
    'mon.s.loss': 'Mất gói',
    'mon.s.rtt': 'RTT',
    'mon.s.audioIn': 'Tiếng nhận',
    'mon.s.audioOut': 'Tiếng gửi',
    'mon.s.videoIn': 'Hình nhận',
    'mon.s.videoOut': 'Hình gửi',
    'mon.chartSummary': '{site}, 5 phút gần nhất: nhận {in} kb/s, gửi {out} kb/s, mất gói {loss}%, RTT {rtt} ms',
    'mon.chartSummaryDetail': '{chart}: {values}',
    'mon.noData': 'Chưa có số liệu',
    'mon.back': 'Giám sát',
    'mon.detailTitle': '{site} — giám sát',
    'mon.detailSubtitle': 'Hội nghị {conference}',
    'mon.siteNow': 'Luồng hiện tại',
    'mon.siteNotIn': 'Điểm cầu không ở trong hội nghị lúc này.',
    'mon.siteCharts': 'Diễn biến cả hội nghị',
    'mon.step10': 'Mỗi điểm là 10 giây, từ lúc điểm cầu vào hội nghị. Cập nhật mỗi 10 giây.',
    'mon.step1': 'Mỗi điểm là 1 giây, 10 phút gần nhất. Cập nhật mỗi 10 giây.',
    'mon.c.bitrate': 'Tốc độ bit (kb/s)',
    'mon.c.loss': 'Mất gói (%)',
    'mon.c.jitter': 'Jitter (ms)',
    'mon.c.rtt': 'Trễ khứ hồi RTT (ms)',
    'mon.c.fps': 'Khung hình/giây',
    'mon.siteAlarms': 'Cảnh báo của điểm cầu trong hội nghị',
    'mon.siteNoAlarms': 'Không có cảnh báo nào.',
    'mon.a.severity': 'Mức độ',
    'mon.a.kind': 'Loại',
    'mon.a.detail': 'Chi tiết',
    'mon.a.raised': 'Bắt đầu',
    'mon.a.cleared': 'Kết thúc',
    'mon.a.duration': 'Thời lượng',
    'mon.a.active': 'đang có',
    'mon.refreshFailed': 'Không làm mới được: {message}',
  },
  en: {
    'mon.title': 'Technical monitoring',
    'mon.subtitle': 'Audio and video stream health of the running conferences, updated every second.',
    'mon.loadFailed': 'The monitoring data could not be loaded: {message}',
    'mon.streams': 'Media streams',
    'mon.noConferences': 'No conference is running.',
    'mon.noSites': 'No site is in the conference yet.',
    'mon.col.site': 'Site',
    'mon.col.direction': 'Direction',
    'mon.col.codec': 'Codec',
    'mon.col.resolution': 'Resolution',
    'mon.col.fps': 'fps',
    'mon.col.kbps': 'kb/s',
    'mon.col.lossPct': 'Loss %',
    'mon.col.jitterMs': 'Jitter ms',
    'mon.col.rttMs': 'RTT ms',
    'mon.col.ice': 'ICE',
    'mon.col.dtls': 'DTLS',
    'mon.col.srtp': 'SRTP',
    'mon.medium.audio': 'Audio',
    'mon.medium.video': 'Video',
    'mon.dir.in': 'Received from the site',
    'mon.dir.out': 'Sent to the site',
    'mon.tier': 'tier {n}',
    'mon.tiers': 'Composite',
    'mon.tierLine': '{size}: {receivers} receivers · {fps} fps · {late} late',
    'mon.noTiers': 'not encoding',
    'mon.process': 'MCU process',
    'mon.processLine': 'CPU {cpu}% · RSS {rss} MB · {threads} threads',
    'mon.staleStats': 'No fresh figures',
    'mon.openLive': 'Run',
    'mon.siteDetail': 'Details of site {site}',
    'mon.state.new': 'new',
    'mon.state.checking': 'checking',
    'mon.state.connecting': 'connecting',
    'mon.state.connected': 'connected',
    'mon.state.completed': 'completed',
    'mon.state.disconnected': 'disconnected',
    'mon.state.failed': 'failed',
    'mon.state.closed': 'closed',
    'mon.alarms': 'Active alarms',
    'mon.noAlarms': 'No alarms.',
    'mon.cleared': 'Cleared in this session ({n})',
    'mon.noCleared': 'No alarm has cleared in this session yet.',
    'mon.sev.warning': 'Warning',
    'mon.sev.critical': 'Critical',
    'mon.kind.loss': 'Packet loss',
    'mon.kind.no-media': 'No media',
    'mon.kind.rtt': 'High round-trip time',
    'mon.kind.offline': 'Site offline',
    'mon.kind.dtls': 'DTLS failure',
    'mon.kind.encoder': 'Encoder late',
    'mon.since': 'since {time} ({age})',
    'mon.clearedAt': '{from} – {to}',
    'mon.wholeConference': 'whole conference',
    'mon.announce': '{severity}: {kind}, {site}, conference {conference}. {detail}',
    'mon.history': 'Last 5 minutes',
    'mon.historyConference': 'Conference',
    'mon.noHistory': 'Pick a running conference to see its history.',
    'mon.s.in': 'kb/s in',
    'mon.s.out': 'kb/s out',
    'mon.s.loss': 'Loss',
    'mon.s.rtt': 'RTT',
    'mon.s.audioIn': 'Audio in',
    'mon.s.audioOut': 'Audio out',
    'mon.s.videoIn': 'Video in',
    'mon.s.videoOut': 'Video out',
    'mon.chartSummary': '{site}, last 5 minutes: in {in} kb/s, out {out} kb/s, loss {loss}%, RTT {rtt} ms',
    'mon.chartSummaryDetail': '{chart}: {values}',
    'mon.noData': 'No data yet',
    'mon.back': 'Monitoring',
    'mon.detailTitle': '{site} — monitoring',
    'mon.detailSubtitle': 'Conference {conference}',
    'mon.siteNow': 'Streams now',
    'mon.siteNotIn': 'The site is not in the conference now.',
    'mon.siteCharts': 'Over the whole conference',
    'mon.step10': 'One point per 10 seconds since the site joined. Updated every 10 seconds.',
    'mon.step1': 'One point per second, last 10 minutes. Updated every 10 seconds.',
    'mon.c.bitrate': 'Bitrate (kb/s)',
    'mon.c.loss': 'Packet loss (%)',
    'mon.c.jitter': 'Jitter (ms)',
    'mon.c.rtt': 'Round-trip time (ms)',
    'mon.c.fps': 'Frames per second',
    'mon.siteAlarms': 'Alarms of the site in this conference',
    'mon.siteNoAlarms': 'No alarms.',
    'mon.a.severity': 'Severity',
    'mon.a.kind': 'Kind',
    'mon.a.detail': 'Detail',
    'mon.a.raised': 'Raised',
    'mon.a.cleared': 'Cleared',
    'mon.a.duration': 'Duration',
    'mon.a.active': 'active',
    'mon.refreshFailed': 'Could not refresh: {message}',
  },
};

const DIRS = ['audioIn', 'audioOut', 'videoIn', 'videoOut'];
const FIELDS = ['codec', 'resolution', 'fps', 'kbps', 'lossPct', 'jitterMs', 'rttMs', 'ice', 'dtls', 'srtp'];
const NUM_FIELDS = new Set(['fps', 'kbps', 'lossPct', 'jitterMs', 'rttMs']);
const IN_CONFERENCE = new Set(['joined', 'audio', 'video']);
const STALE_MS = 5000;
const WINDOW_S = 300;
const CLEARED_KEPT = 12;

const enc = encodeURIComponent;
const alarmKey = (a) => `${a.conference}|${a.site || ''}|${a.kind}`;

function isRunning(c) {
  if (c.state !== 'open') return false;
  if (!c.permanent) return true;
  return (c.sites || []).some((s) => IN_CONFERENCE.has(s.state));
}

// An alarm from GET /alarms or the feed, in one shape.
function normAlarm(a) {
  return {
    conference: a.conference || '',
    site: a.site || '',
    kind: a.kind,
    severity: a.severity === 'critical' ? 'critical' : 'warning',
    detail: a.detail || '',
    sinceMs: a.sinceMs || a.raisedMs || 0,
    clearedMs: a.clearedMs || 0,
  };
}

function sum(a, b) {
  const x = typeof a === 'number' && a >= 0 ? a : null;
  const y = typeof b === 'number' && b >= 0 ? b : null;
  return x === null && y === null ? null : (x || 0) + (y || 0);
}
function maxOf(values) {
  const v = values.filter((x) => typeof x === 'number' && x >= 0);
  return v.length ? Math.max(...v) : null;
}

// ---- The stream table (both pages) -----------------------------------------------------------

// One table, a tbody per conference (its heading row: title, tiers, process) and a tbody per
// site (4 rows, one per stream). Cells are updated in place; nothing is rebuilt each second.
function makeStreamTable(ctx, { labelledBy, siteFilter = null, siteName }) {
  const { t } = ctx;
  const lang = ctx.i18n.lang;
  const num = (v, d) => formatNumber(v, d, lang);
  const cols = ['site', 'direction', ...FIELDS];
  const table = h('table', { class: 'data mon-streams', id: 'streams', 'aria-labelledby': labelledBy },
    h('colgroup', {}, cols.map((c) => h('col', { class: `mon-col-${c}` }))),
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', class: NUM_FIELDS.has(c) ? 'num' : null }, t(`mon.col.${c}`))))));
  const empty = h('tbody', { class: 'mon-empty' }, h('tr', {}, h('td', { colspan: cols.length, class: 'empty' }, t('mon.noConferences'))));
  table.append(empty);
  const groups = new Map(); // conference -> {head, headCells, sites: Map(site -> {body, rows})}

  function stateText(v) {
    if (!v) return '—';
    return ctx.i18n.has(`mon.state.${v}`) ? t(`mon.state.${v}`) : v;
  }

  function setCell(td, text, level) {
    if (td.textContent !== text) td.textContent = text;
    const cls = level ? `cell-${level}` : '';
    if ((td.dataset.level || '') !== cls) {
      td.classList.remove('cell-warning', 'cell-critical');
      if (cls) td.classList.add(cls);
      td.dataset.level = cls;
    }
  }

  function group(conf) {
    let g = groups.get(conf.id);
    if (g) return g;
    const title = h('a', { href: `#/live/${enc(conf.id)}`, class: 'mon-conf-title' }, conf.title || conf.id);
    const tiers = h('span', { class: 'mon-meta', 'data-field': 'tiers' }, '—');
    const proc = h('span', { class: 'mon-meta', 'data-field': 'process' }, '—');
    const stale = h('span', { class: 'mon-stale', hidden: true }, t('mon.staleStats'));
    const head = h('tbody', { class: 'mon-conf', 'data-conference': conf.id },
      h('tr', { class: 'mon-conf-row', 'data-conference': conf.id },
        h('th', { scope: 'colgroup', colspan: cols.length },
          h('div', { class: 'mon-conf-head' },
            title,
            h('span', { class: 'mon-meta-group' }, h('span', { class: 'mon-meta-label' }, t('mon.tiers')), tiers),
            h('span', { class: 'mon-meta-group' }, h('span', { class: 'mon-meta-label' }, t('mon.process')), proc),
            stale))));
    const none = h('tbody', { class: 'mon-none' }, h('tr', {}, h('td', { colspan: cols.length, class: 'empty' }, t('mon.noSites'))));
    g = { conf, head, title, tiers, proc, stale, none, sites: new Map() };
    groups.set(conf.id, g);
    return g;
  }

  function siteBody(g, siteId) {
    let sb = g.sites.get(siteId);
    if (sb) return sb;
    const body = h('tbody', { class: 'mon-site', 'data-conference': g.conf.id, 'data-site': siteId });
    const rows = {};
    const nameLink = h('a', { href: `#/monitor/${enc(g.conf.id)}/${enc(siteId)}` }, siteName(siteId));
    DIRS.forEach((dir, i) => {
      const medium = dir.startsWith('audio') ? 'audio' : 'video';
      const cells = {};
      const tr = h('tr', { 'data-conference': g.conf.id, 'data-site': siteId, 'data-direction': dir, class: i ? 'mon-sub' : 'mon-first' },
        i === 0 ? h('th', { scope: 'rowgroup', rowspan: DIRS.length, class: 'mon-site-name' }, nameLink) : null,
        h('td', { class: 'mon-dir' },
          h('span', { class: `mon-medium mon-medium-${medium}` }, t(`mon.medium.${medium}`)), ' ',
          h('span', { class: 'mon-dir-text' }, t(dir.endsWith('In') ? 'mon.dir.in' : 'mon.dir.out'))),
        FIELDS.map((f) => {
          cells[f] = h('td', { 'data-field': f, class: NUM_FIELDS.has(f) ? 'num' : `mon-${f}` }, '—');
          return cells[f];
        }));
      rows[dir] = { tr, cells };
      body.append(tr);
    });
    sb = { body, rows, nameLink };
    g.sites.set(siteId, sb);
    return sb;
  }

  // The conferences shown, in order ([{id, title}]); groups of others go.
  function setConferences(list) {
    const keep = new Set(list.map((c) => c.id));
    for (const [id, g] of groups)
      if (!keep.has(id)) {
        g.head.remove();
        g.none.remove();
        for (const sb of g.sites.values()) sb.body.remove();
        groups.delete(id);
      }
    // Nodes move only when out of order (a moved node loses the keyboard focus).
    let prev = table.tHead;
    const place = (node) => {
      if (prev.nextSibling !== node) prev.after(node);
      prev = node;
    };
    for (const c of list) {
      const g = group(c);
      g.conf = c;
      if (g.title.textContent !== (c.title || c.id)) g.title.textContent = c.title || c.id;
      place(g.head);
      if (!g.sites.size) place(g.none);
      for (const sb of g.sites.values()) place(sb.body);
    }
    if (list.length) empty.remove();
    else place(empty);
  }

  // One conference's stats object (GET .../stats or the feed); severity(site) -> its worst
  // active alarm ('warning'|'critical'|null).
  function update(confId, stats, severity) {
    const g = groups.get(confId);
    if (!g || !stats) return;
    const tiers = (stats.tiers || []).map((tr) => t('mon.tierLine', {
      size: `${tr.width}×${tr.height}`,
      receivers: tr.receivers ?? 0,
      fps: tr.framesLastS ?? '—',
      late: tr.lateFramesLastS ?? 0,
    }));
    const tiersText = tiers.length ? tiers.join(' | ') : t('mon.noTiers');
    if (g.tiers.textContent !== tiersText) g.tiers.textContent = tiersText;
    const p = stats.process || {};
    const procText = t('mon.processLine', {
      cpu: num(p.cpuPct, 1),
      rss: num(typeof p.rssBytes === 'number' ? p.rssBytes / 1048576 : null, 0),
      threads: p.threads ?? '—',
    });
    if (g.proc.textContent !== procText) g.proc.textContent = procText;
    g.stale.hidden = true;
    g.at = Date.now();

    const present = new Set();
    let anchor = g.head;
    for (const s of stats.sites || []) {
      if (siteFilter && s.site !== siteFilter) continue;
      present.add(s.site);
      const sb = siteBody(g, s.site);
      if (anchor.nextSibling !== sb.body) anchor.after(sb.body);
      anchor = sb.body;
      const sev = severity(s.site);
      const rtt = typeof s.rttMs === 'number' && s.rttMs >= 0 ? s.rttMs : null;
      const ice = (s.ice && s.ice.state) || '';
      for (const dir of DIRS) {
        const { tr, cells } = sb.rows[dir];
        const d = s[dir] || {};
        const video = dir.startsWith('video');
        tr.classList.toggle('row-warning', sev === 'warning');
        tr.classList.toggle('row-critical', sev === 'critical');
        setCell(cells.codec, d.codec || '—');
        let res = '—';
        if (video && d.width > 0 && d.height > 0) res = `${d.width}×${d.height}`;
        if (dir === 'videoOut' && typeof d.tier === 'number' && d.tier >= 0) res = `${res} · ${t('mon.tier', { n: d.tier })}`;
        setCell(cells.resolution, res);
        setCell(cells.fps, video ? num(d.fps, 1) : '—');
        setCell(cells.kbps, num(d.kbps, 0));
        const loss = typeof d.lossPct === 'number' ? d.lossPct : null;
        setCell(cells.lossPct, num(loss, 1), loss >= 5 ? 'critical' : loss >= 1 ? 'warning' : null);
        const jitter = typeof d.jitterMs === 'number' ? d.jitterMs : null;
        setCell(cells.jitterMs, num(jitter, 1), jitter > 30 ? 'warning' : null);
        setCell(cells.rttMs, num(rtt, 0), rtt !== null && rtt > 300 ? 'warning' : null);
        setCell(cells.ice, stateText(ice), ice === 'failed' || ice === 'disconnected' ? 'critical' : null);
        cells.ice.dataset.value = ice;
        if (s.ice) cells.ice.title = [s.ice.local, s.ice.remote].filter(Boolean).join(' ⇄ ');
        setCell(cells.dtls, stateText(s.dtls), s.dtls === 'failed' ? 'critical' : null);
        cells.dtls.dataset.value = s.dtls || '';
        setCell(cells.srtp, s.srtp || '—');
      }
    }
    for (const [siteId, sb] of g.sites)
      if (!present.has(siteId)) {
        sb.body.remove();
        g.sites.delete(siteId);
      }
    if (g.sites.size) g.none.remove();
    else if (g.head.nextSibling !== g.none) g.head.after(g.none);
  }

  // Row marks after an alarm change (between two stats).
  function markAlarms(confId, severity) {
    const g = groups.get(confId);
    if (!g) return;
    for (const [siteId, sb] of g.sites) {
      const sev = severity(siteId);
      for (const dir of DIRS) {
        sb.rows[dir].tr.classList.toggle('row-warning', sev === 'warning');
        sb.rows[dir].tr.classList.toggle('row-critical', sev === 'critical');
      }
    }
  }

  function checkStale() {
    const now = Date.now();
    for (const g of groups.values()) g.stale.hidden = !g.at || now - g.at < STALE_MS;
  }

  function renameSites() {
    for (const g of groups.values()) for (const [siteId, sb] of g.sites) sb.nameLink.textContent = siteName(siteId);
  }

  return { table, setConferences, update, markAlarms, checkStale, renameSites, groups };
}

// ---- Alarms (shared bookkeeping) -------------------------------------------------------------

class AlarmBook {
  constructor() {
    this.active = new Map();   // key -> alarm
    this.cleared = [];         // cleared in this session, newest first
    this.past = new Map();     // `${key}|${sinceMs}` -> alarm (stored history, for the charts' bands)
  }

  severity(conference, site) {
    let worst = null;
    for (const a of this.active.values())
      if (a.conference === conference && a.site === site) {
        if (a.severity === 'critical') return 'critical';
        worst = 'warning';
      }
    return worst;
  }

  // The alarm periods of one site: [{fromMs, toMs, severity}].
  bands(conference, site) {
    const out = new Map();
    const add = (a) => {
      if (a.conference !== conference || a.site !== site || !a.sinceMs) return;
      out.set(`${a.kind}|${a.sinceMs}`, { fromMs: a.sinceMs, toMs: a.clearedMs || null, severity: a.severity });
    };
    for (const a of this.past.values()) add(a);
    for (const a of this.cleared) add(a);
    for (const a of this.active.values()) add(a);
    return [...out.values()];
  }

  remember(list) {
    for (const raw of list || []) {
      const a = normAlarm(raw);
      this.past.set(`${alarmKey(a)}|${a.sinceMs}`, a);
    }
  }

  // A feed `alarm` event: returns 'raised' (new), 'changed', 'cleared' or null.
  apply(e) {
    const a = normAlarm(e);
    const key = alarmKey(a);
    if (e.state === 'cleared') {
      const was = this.active.get(key);
      this.active.delete(key);
      const done = { ...(was || a), clearedMs: a.clearedMs || Date.now(), severity: was && was.severity === 'critical' ? 'critical' : a.severity };
      this.cleared.unshift(done);
      this.cleared.length = Math.min(this.cleared.length, CLEARED_KEPT);
      this.past.set(`${key}|${done.sinceMs}`, done);
      return 'cleared';
    }
    const known = this.active.has(key);
    this.active.set(key, { ...a, clearedMs: 0, firstSeen: known ? this.active.get(key).firstSeen : Date.now() });
    return known ? 'changed' : 'raised';
  }
}

// ---- #/monitor -------------------------------------------------------------------------------

async function renderOverview(view, ctx) {
  const { t, api } = ctx;
  const lang = ctx.i18n.lang;
  const num = (v, d) => formatNumber(v, d, lang);

  let confs;
  let sites;
  let activeAlarms;
  try {
    [confs, sites, activeAlarms] = await Promise.all([
      api.get('/conferences'),
      api.get('/sites').catch(() => []),
      api.get('/alarms?active=true&limit=1000').catch(() => []),
    ]);
  } catch (e) {
    if (!ctx.current()) return undefined;
    view.append(h('div', { class: 'page-header' }, h('h1', {}, t('mon.title'))),
      h('p', { class: 'page-message', role: 'alert' }, t('mon.loadFailed', { message: e.message })));
    return undefined;
  }
  if (!ctx.current()) return undefined;

  let closed = false;
  const unsubs = [];
  const timers = [];
  const names = new Map((Array.isArray(sites) ? sites : []).map((s) => [s.id, s.name]));
  const siteName = (id) => names.get(id) || id;
  const titles = new Map();
  let running = [];
  const book = new AlarmBook();
  for (const a of Array.isArray(activeAlarms) ? activeAlarms : []) if (!a.clearedMs) book.active.set(alarmKey(normAlarm(a)), { ...normAlarm(a), firstSeen: 0 });

  // ---- Alarms panel ----
  const alarmCount = h('span', { class: 'count', id: 'alarm-count' }, '0');
  const activeList = h('ul', { class: 'alarm-list', id: 'active-alarms', 'aria-labelledby': 'mon-alarms-h' });
  const noAlarms = h('p', { class: 'mon-none-text' }, t('mon.noAlarms'));
  const clearedSummary = h('summary', {});
  const clearedList = h('ul', { class: 'alarm-list alarm-list-cleared', id: 'cleared-alarms' });
  const noCleared = h('p', { class: 'mon-none-text' }, t('mon.noCleared'));
  const announceCritical = h('div', { class: 'mon-sr-only', id: 'alarm-announce-critical', 'aria-live': 'assertive', 'aria-atomic': 'true' });
  const announcePolite = h('div', { class: 'mon-sr-only', id: 'alarm-announce', role: 'status', 'aria-atomic': 'true' });
  const alarmsPanel = h('section', { class: 'card mon-alarms', 'aria-labelledby': 'mon-alarms-h' },
    h('h2', { class: 'mon-h2', id: 'mon-alarms-h' }, t('mon.alarms'), ' ', alarmCount),
    activeList, noAlarms,
    h('details', { class: 'mon-cleared' }, clearedSummary, clearedList, noCleared),
    announceCritical, announcePolite);

  function alarmWhere(a) {
    const conf = titles.get(a.conference) || a.conference;
    return a.site ? `${siteName(a.site)} · ${conf}` : `${conf} (${t('mon.wholeConference')})`;
  }

  function alarmItem(a, cleared) {
    const key = alarmKey(a);
    const age = h('span', { class: 'alarm-age' });
    const li = h('li', { class: `alarm alarm-${a.severity}`, 'data-key': key, 'data-conference': a.conference, 'data-site': a.site, 'data-kind': a.kind, 'data-severity': a.severity },
      h('span', { class: `state sev-${a.severity}` }, t(`mon.sev.${a.severity}`)),
      h('span', { class: 'alarm-main' },
        h('span', { class: 'alarm-kind' }, ctx.i18n.has(`mon.kind.${a.kind}`) ? t(`mon.kind.${a.kind}`) : a.kind),
        ' ',
        a.site
          ? h('a', { href: `#/monitor/${enc(a.conference)}/${enc(a.site)}`, class: 'alarm-where' }, alarmWhere(a))
          : h('span', { class: 'alarm-where' }, alarmWhere(a))),
      h('span', { class: 'alarm-detail' }, a.detail),
      age);
    li.ageEl = age;
    li.where = alarmWhere(a);
    li.alarm = a;
    li.cleared = cleared;
    return li;
  }

  function updateAges(listEl) {
    const now = Date.now();
    for (const li of listEl.children) {
      const a = li.alarm;
      if (!a) continue;
      const text = li.cleared
        ? t('mon.clearedAt', { from: fmtTime(a.sinceMs, true), to: fmtTime(a.clearedMs, true) })
        : t('mon.since', { time: fmtTime(a.sinceMs, true), age: fmtDuration(now - a.sinceMs, lang) });
      if (li.ageEl.textContent !== text) li.ageEl.textContent = text;
    }
  }

  function renderAlarms() {
    const list = [...book.active.values()].sort((a, b) => (b.firstSeen || 0) - (a.firstSeen || 0) || b.sinceMs - a.sinceMs);
    const existing = new Map([...activeList.children].map((li) => [li.dataset.key, li]));
    const items = list.map((a) => {
      const li = existing.get(alarmKey(a));
      if (li && li.alarm.severity === a.severity && li.alarm.detail === a.detail && li.where === alarmWhere(a)) {
        li.alarm = a;
        return li;
      }
      return alarmItem(a, false);
    });
    replace(activeList, items);
    alarmCount.textContent = String(list.length);
    alarmCount.classList.toggle('count-critical', list.some((a) => a.severity === 'critical'));
    noAlarms.hidden = list.length > 0;
    replace(clearedList, book.cleared.map((a) => alarmItem(a, true)));
    clearedSummary.textContent = t('mon.cleared', { n: book.cleared.length });
    noCleared.hidden = book.cleared.length > 0;
    updateAges(activeList);
    updateAges(clearedList);
  }

  function announce(a) {
    const text = t('mon.announce', {
      severity: t(`mon.sev.${a.severity}`),
      kind: ctx.i18n.has(`mon.kind.${a.kind}`) ? t(`mon.kind.${a.kind}`) : a.kind,
      site: a.site ? siteName(a.site) : t('mon.wholeConference'),
      conference: titles.get(a.conference) || a.conference,
      detail: a.detail,
    });
    const region = a.severity === 'critical' ? announceCritical : announcePolite;
    region.textContent = '';
    setTimeout(() => {
      if (!closed) region.textContent = text;
    }, 50);
  }

  // ---- Streams table ----
  const table = makeStreamTable(ctx, { labelledBy: 'mon-streams-h', siteName });
  const streamsSection = h('section', { class: 'mon-section', 'aria-labelledby': 'mon-streams-h' },
    h('h2', { class: 'mon-h2', id: 'mon-streams-h' }, t('mon.streams')),
    h('div', { class: 'table-wrap mon-table-wrap' }, table.table));

  // ---- History charts ----
  const historySelect = h('select', { id: 'history-conference' });
  const chartsGrid = h('div', { class: 'chart-grid', id: 'history-charts' });
  const noHistory = h('p', { class: 'mon-none-text' }, t('mon.noHistory'));
  const historySection = h('section', { class: 'mon-section', 'aria-labelledby': 'mon-history-h' },
    h('div', { class: 'mon-section-head' },
      h('h2', { class: 'mon-h2', id: 'mon-history-h' }, t('mon.history')),
      h('div', { class: 'mon-inline-field' }, h('label', { for: 'history-conference' }, t('mon.historyConference')), historySelect)),
    chartsGrid, noHistory);
  let selected = ctx.query.get('conference') || '';
  const siteCharts = new Map(); // site -> {card, chart, loaded, pending: [[atMs, values]]}
  let historySeq = 0;

  function pointOf(s) {
    const d = (k) => s[k] || {};
    return [
      sum(d('audioIn').kbps, d('videoIn').kbps),
      sum(d('audioOut').kbps, d('videoOut').kbps),
      maxOf(DIRS.map((k) => d(k).lossPct)),
      typeof s.rttMs === 'number' && s.rttMs >= 0 ? s.rttMs : null,
    ];
  }

  function chartSummary(siteId) {
    return (values) => t('mon.chartSummary', {
      site: siteName(siteId), in: num(values[0], 0), out: num(values[1], 0), loss: num(values[2], 1), rtt: num(values[3], 0),
    });
  }

  function addSiteChart(siteId) {
    if (siteCharts.has(siteId)) return siteCharts.get(siteId);
    const box = h('div', { class: 'chart-box' });
    const headId = uid('chart-h');
    const card = h('article', { class: 'chart-card', 'data-site': siteId, 'aria-labelledby': headId },
      h('h3', { class: 'chart-title', id: headId },
        h('a', { href: `#/monitor/${enc(selected)}/${enc(siteId)}`, 'aria-label': t('mon.siteDetail', { site: siteName(siteId) }) }, siteName(siteId))),
      box);
    chartsGrid.append(card);
    const chart = createTimeChart(box, {
      lang,
      label: siteName(siteId),
      height: 120,
      windowS: WINDOW_S,
      maxPoints: WINDOW_S + 30,
      emptyText: t('mon.noData'),
      summary: chartSummary(siteId),
      series: [
        { label: t('mon.s.in'), unit: 'kbps', color: COLORS.in },
        { label: t('mon.s.out'), unit: 'kbps', color: COLORS.out, dash: true },
        { label: t('mon.s.loss'), unit: 'pct', color: COLORS.loss },
        { label: t('mon.s.rtt'), unit: 'ms', color: COLORS.rtt },
      ],
    });
    const entry = { card, chart, loaded: false, pending: [] };
    siteCharts.set(siteId, entry);
    chart.setBands(book.bands(selected, siteId));
    loadSiteHistory(siteId, entry, historySeq);
    return entry;
  }

  async function loadSiteHistory(siteId, entry, seq) {
    try {
      const hist = await api.get(`/conferences/${enc(selected)}/sites/${enc(siteId)}/history?seconds=${WINDOW_S}`);
      if (closed || seq !== historySeq || siteCharts.get(siteId) !== entry) return;
      const s = (k) => hist[k] || {};
      const at = hist.atMs || [];
      const cols = [[], [], [], []];
      at.forEach((_, i) => {
        const p = pointOf({
          rttMs: (hist.rttMs || [])[i],
          ...Object.fromEntries(DIRS.map((k) => [k, { kbps: (s(k).kbps || [])[i], lossPct: (s(k).lossPct || [])[i] }])),
        });
        p.forEach((v, j) => cols[j].push(v));
      });
      entry.chart.setData(at, cols);
      const last = at.length ? at[at.length - 1] : 0;
      for (const [atMs, values] of entry.pending) if (atMs > last) entry.chart.append(atMs, values);
    } catch {
      // Not in the conference any more, or no history yet: the feed fills it.
      if (closed || siteCharts.get(siteId) !== entry) return;
      for (const [atMs, values] of entry.pending) entry.chart.append(atMs, values);
    }
    entry.loaded = true;
    entry.pending = [];
  }

  function clearCharts() {
    for (const e of siteCharts.values()) {
      e.chart.destroy();
      e.card.remove();
    }
    siteCharts.clear();
  }

  async function selectHistory(confId) {
    historySeq++;
    clearCharts();
    selected = confId;
    historySelect.value = confId;
    noHistory.hidden = Boolean(confId);
    if (!confId) return;
    const seq = historySeq;
    try {
      history.replaceState(null, '', `#/monitor?conference=${enc(confId)}`);
    } catch {
      // Only the address: nothing lost.
    }
    // Stored alarms of this conference (for the shaded periods), then the sites now in it.
    api.get(`/alarms?conference=${enc(confId)}&limit=500`).then((list) => {
      if (closed || seq !== historySeq) return;
      book.remember(list);
      for (const [siteId, e] of siteCharts) e.chart.setBands(book.bands(selected, siteId));
    }).catch(() => {});
    try {
      const stats = await api.get(`/conferences/${enc(confId)}/stats`);
      if (closed || seq !== historySeq) return;
      lastStats.set(confId, stats);
      table.update(confId, stats, (s) => book.severity(confId, s));
      for (const s of stats.sites || []) addSiteChart(s.site);
    } catch {
      // The feed's next stats will do.
    }
  }

  function onHistoryStats(e) {
    const present = new Set();
    for (const s of e.sites || []) {
      present.add(s.site);
      const entry = addSiteChart(s.site);
      const values = pointOf(s);
      if (entry.loaded) entry.chart.append(e.atMs, values);
      else entry.pending.push([e.atMs, values]);
    }
    for (const [siteId, entry] of siteCharts)
      if (!present.has(siteId)) {
        entry.chart.destroy();
        entry.card.remove();
        siteCharts.delete(siteId);
      }
  }

  function renderSelect() {
    replace(historySelect, running.map((c) => h('option', { value: c.id }, c.title || c.id)));
    historySelect.disabled = running.length === 0;
    if (selected) historySelect.value = selected;
  }
  historySelect.addEventListener('change', () => selectHistory(historySelect.value));

  // ---- Running conferences ----
  const lastStats = new Map();
  function setRunning(list) {
    const before = new Set(running.map((c) => c.id));
    running = list.filter(isRunning).map((c) => ({ id: c.id, title: c.title }));
    for (const c of list) titles.set(c.id, c.title || c.id);
    for (const c of list) for (const s of c.sites || []) if (!names.has(s.site) && s.name) names.set(s.site, s.name);
    table.setConferences(running);
    renderSelect();
    // Initial figures of the newly running ones.
    for (const c of running)
      if (!before.has(c.id))
        api.get(`/conferences/${enc(c.id)}/stats`).then((stats) => {
          if (closed) return;
          lastStats.set(c.id, stats);
          table.update(c.id, stats, (s) => book.severity(c.id, s));
        }).catch(() => {});
    if (!running.some((c) => c.id === selected)) selectHistory(running.length ? running[0].id : '');
  }

  let listTimer = 0;
  let listSeq = 0;
  let lastListAt = 0;
  function scheduleList(delay = 400) {
    if (closed || listTimer) return;
    listTimer = setTimeout(async () => {
      listTimer = 0;
      lastListAt = Date.now();
      const seq = ++listSeq;
      try {
        const list = await api.get('/conferences');
        if (!closed && seq === listSeq) setRunning(list);
      } catch {
        // Next time.
      }
    }, delay);
  }

  // ---- Assemble ----
  view.append(h('div', { class: 'mon-page' },
    h('div', { class: 'page-header' },
      h('div', {}, h('h1', {}, t('mon.title')), h('p', { class: 'subtitle' }, t('mon.subtitle')))),
    alarmsPanel, streamsSection, historySection));
  for (const c of Array.isArray(confs) ? confs : []) titles.set(c.id, c.title || c.id);
  setRunning(Array.isArray(confs) ? confs : []);
  renderAlarms();

  unsubs.push(
    ctx.feed.on('stats', (e) => {
      if (!running.some((c) => c.id === e.conference)) {
        // A conference that started running (a permanent one that a site joined): list again.
        if ((e.sites || []).length && Date.now() - lastListAt > 3000) scheduleList(0);
        return;
      }
      lastStats.set(e.conference, e);
      // The stats carry the conference's active alarms: any we missed (a feed gap) join in.
      let added = false;
      for (const a of e.alarms || []) {
        const n = normAlarm({ ...a, conference: e.conference });
        if (!book.active.has(alarmKey(n))) {
          book.active.set(alarmKey(n), { ...n, firstSeen: Date.now() });
          added = true;
        }
      }
      if (added) renderAlarms();
      table.update(e.conference, e, (s) => book.severity(e.conference, s));
      if (e.conference === selected) onHistoryStats(e);
    }),
    ctx.feed.on('alarm', (e) => {
      const what = book.apply(e);
      const a = normAlarm(e);
      if (what === 'raised' || (what === 'changed' && a.severity === 'critical')) announce(a);
      renderAlarms();
      table.markAlarms(a.conference, (s) => book.severity(a.conference, s));
      if (a.conference === selected) {
        const entry = siteCharts.get(a.site);
        if (entry) entry.chart.setBands(book.bands(selected, a.site));
      }
    }),
    ctx.feed.on('conference', () => scheduleList()),
    ctx.feed.on('roster', () => scheduleList()),
    ctx.feed.on('feed', (e) => {
      if (!e.connected) return;
      scheduleList(0);
      api.get('/alarms?active=true&limit=1000').then((list) => {
        if (closed) return;
        const fresh = new Map();
        for (const raw of list || []) {
          const a = normAlarm(raw);
          const old = book.active.get(alarmKey(a));
          fresh.set(alarmKey(a), { ...a, firstSeen: old ? old.firstSeen : 0 });
        }
        book.active = fresh;
        renderAlarms();
      }).catch(() => {});
    }),
  );
  timers.push(setInterval(() => {
    table.checkStale();
    updateAges(activeList);
  }, 1000));
  timers.push(setInterval(() => scheduleList(0), 15000));

  return () => {
    closed = true;
    for (const u of unsubs) u();
    for (const tm of timers) clearInterval(tm);
    clearTimeout(listTimer);
    clearCharts();
  };
}

// ---- #/monitor/:conference/:site -------------------------------------------------------------

async function renderSite(view, ctx) {
  const { t, api } = ctx;
  const lang = ctx.i18n.lang;
  const num = (v, d) => formatNumber(v, d, lang);
  const confId = ctx.params.conference;
  const siteId = ctx.params.site;
  const base = `/conferences/${enc(confId)}`;

  let conf;
  let sites;
  try {
    [conf, sites] = await Promise.all([api.get(base), api.get('/sites').catch(() => [])]);
  } catch (e) {
    if (!ctx.current()) return undefined;
    view.append(h('div', { class: 'page-header' }, h('h1', {}, t('mon.title'))),
      h('p', { class: 'page-message', role: 'alert' }, t('mon.loadFailed', { message: e.message })),
      h('p', {}, h('a', { href: '#/monitor' }, t('mon.back'))));
    return undefined;
  }
  if (!ctx.current()) return undefined;

  let closed = false;
  const unsubs = [];
  const timers = [];
  const names = new Map((Array.isArray(sites) ? sites : []).map((s) => [s.id, s.name]));
  for (const s of conf.sites || []) if (s.name) names.set(s.site, s.name);
  const siteName = (id) => names.get(id) || id;
  const book = new AlarmBook();

  // ---- Header and the streams now ----
  const notIn = h('p', { class: 'mon-none-text', hidden: true }, t('mon.siteNotIn'));
  const table = makeStreamTable(ctx, { labelledBy: 'mon-now-h', siteFilter: siteId, siteName });
  table.setConferences([{ id: confId, title: conf.title }]);

  // ---- Charts ----
  const stepNote = h('p', { class: 'mon-note' });
  const chartsGrid = h('div', { class: 'chart-grid chart-grid-large', id: 'site-charts' });
  const dirSeries = (unit) => DIRS.map((k) => ({ label: t(`mon.s.${k}`), unit, color: COLORS[k], dash: k.endsWith('Out') }));
  const defs = [
    { key: 'bitrate', series: dirSeries('kbps'), pick: (hist, k) => (hist[k] || {}).kbps },
    { key: 'loss', series: dirSeries('pct'), pick: (hist, k) => (hist[k] || {}).lossPct },
    { key: 'jitter', series: dirSeries('ms'), pick: (hist, k) => (hist[k] || {}).jitterMs },
    { key: 'rtt', series: [{ label: t('mon.s.rtt'), unit: 'ms', color: COLORS.rtt }], cols: (hist) => [hist.rttMs || []] },
    {
      key: 'fps',
      series: [
        { label: t('mon.s.videoIn'), unit: 'fps', color: COLORS.videoIn },
        { label: t('mon.s.videoOut'), unit: 'fps', color: COLORS.videoOut, dash: true },
      ],
      cols: (hist) => [(hist.videoIn || {}).fps || [], (hist.videoOut || {}).fps || []],
    },
  ];
  const charts = defs.map((d) => {
    const box = h('div', { class: 'chart-box' });
    const headId = uid('chart-h');
    const label = t(`mon.c.${d.key}`);
    const card = h('article', { class: 'chart-card', 'data-chart': d.key, 'aria-labelledby': headId },
      h('h3', { class: 'chart-title', id: headId }, label), box);
    chartsGrid.append(card);
    const chart = createTimeChart(box, {
      lang,
      label,
      height: 170,
      emptyText: t('mon.noData'),
      series: d.series,
      summary: (values) => t('mon.chartSummaryDetail', {
        chart: `${siteName(siteId)}, ${label}`,
        values: d.series.map((s, i) => `${s.label} ${values[i] === null ? '—' : num(values[i], s.unit === 'pct' ? 1 : 0)}`).join(', '),
      }),
    });
    return { def: d, chart };
  });

  // ---- Alarms of the site ----
  const alarmBody = h('tbody', {});
  const alarmTable = h('table', { class: 'data', id: 'site-alarms', 'aria-labelledby': 'mon-site-alarms-h' },
    h('thead', {}, h('tr', {}, ['severity', 'kind', 'detail', 'raised', 'cleared', 'duration'].map((k) =>
      h('th', { scope: 'col', class: k === 'duration' ? 'num' : null }, t(`mon.a.${k}`))))),
    alarmBody);
  const noAlarms = h('p', { class: 'mon-none-text' }, t('mon.siteNoAlarms'));
  const refreshError = h('p', { class: 'mon-refresh-error', role: 'status' });

  function siteAlarms() {
    const all = new Map();
    for (const a of book.past.values()) if (a.site === siteId) all.set(`${a.kind}|${a.sinceMs}`, a);
    for (const a of book.cleared) if (a.site === siteId) all.set(`${a.kind}|${a.sinceMs}`, a);
    for (const a of book.active.values()) if (a.site === siteId) all.set(`${a.kind}|${a.sinceMs}`, a);
    return [...all.values()].sort((a, b) => b.sinceMs - a.sinceMs);
  }

  function renderAlarms() {
    const list = siteAlarms();
    const now = Date.now();
    replace(alarmBody, list.map((a) => h('tr', {
      'data-kind': a.kind, 'data-severity': a.severity, 'data-active': String(!a.clearedMs),
      class: !a.clearedMs ? `row-${a.severity}` : null,
    },
    h('td', {}, h('span', { class: `state sev-${a.severity}` }, t(`mon.sev.${a.severity}`))),
    h('td', {}, ctx.i18n.has(`mon.kind.${a.kind}`) ? t(`mon.kind.${a.kind}`) : a.kind),
    h('td', { class: 'mon-detail' }, a.detail),
    h('td', { class: 'mon-time' }, fmtDateTime(a.sinceMs), ':', String(new Date(a.sinceMs).getSeconds()).padStart(2, '0')),
    h('td', { class: 'mon-time' }, a.clearedMs ? fmtTime(a.clearedMs, true) : h('strong', {}, t('mon.a.active'))),
    h('td', { class: 'num' }, fmtDuration((a.clearedMs || now) - a.sinceMs, lang)))));
    alarmTable.hidden = list.length === 0;
    noAlarms.hidden = list.length > 0;
    const bands = book.bands(confId, siteId);
    for (const c of charts) c.chart.setBands(bands);
    table.markAlarms(confId, (s) => book.severity(confId, s));
  }

  // ---- Loading ----
  let seconds = 86400;
  let loadSeq = 0;
  async function loadHistory() {
    const seq = ++loadSeq;
    let hist = null;
    try {
      hist = await api.get(`${base}/sites/${enc(siteId)}/history?seconds=${seconds}`);
    } catch (e) {
      // A binary without the coarse mode may refuse more than 600 s: ask for what it keeps.
      if (e.status === 400 && seconds > 600) {
        seconds = 600;
        return loadHistory();
      }
      if (closed || seq !== loadSeq) return;
      if (e.status === 404) notIn.hidden = false;
      else refreshError.textContent = t('mon.refreshFailed', { message: e.message });
      return;
    }
    if (closed || seq !== loadSeq) return;
    notIn.hidden = true;
    refreshError.textContent = '';
    stepNote.textContent = hist.stepS && hist.stepS > 1 ? t('mon.step10') : t('mon.step1');
    const at = hist.atMs || [];
    for (const { def, chart } of charts) {
      const cols = def.cols ? def.cols(hist) : DIRS.map((k) => def.pick(hist, k) || []);
      chart.setData(at, cols);
    }
  }

  async function loadAlarms() {
    try {
      const list = await api.get(`/alarms?conference=${enc(confId)}&limit=1000`);
      if (closed) return;
      const mine = (list || []).filter((a) => a.site === siteId);
      book.past = new Map();
      book.remember(mine);
      book.active = new Map();
      for (const raw of mine)
        if (!raw.clearedMs) {
          const a = normAlarm(raw);
          book.active.set(alarmKey(a), a);
        }
      renderAlarms();
    } catch (e) {
      if (!closed) refreshError.textContent = t('mon.refreshFailed', { message: e.message });
    }
  }

  async function loadStats() {
    try {
      const stats = await api.get(`${base}/stats`);
      if (!closed) applyStats(stats);
    } catch {
      // The feed's next stats will do.
    }
  }

  function applyStats(stats) {
    table.update(confId, stats, (s) => book.severity(confId, s));
    const inNow = (stats.sites || []).some((s) => s.site === siteId);
    if (inNow) notIn.hidden = true;
  }

  // ---- Assemble ----
  view.append(h('div', { class: 'mon-page mon-site-page' },
    h('div', { class: 'page-header' },
      h('div', {},
        h('p', { class: 'mon-breadcrumb' }, h('a', { href: `#/monitor?conference=${enc(confId)}` }, `← ${t('mon.back')}`)),
        h('h1', {}, t('mon.detailTitle', { site: siteName(siteId) })),
        h('p', { class: 'subtitle' }, t('mon.detailSubtitle', { conference: conf.title || confId }), ' · ',
          h('a', { href: `#/live/${enc(confId)}` }, t('mon.openLive'))))),
    h('section', { class: 'mon-section', 'aria-labelledby': 'mon-now-h' },
      h('h2', { class: 'mon-h2', id: 'mon-now-h' }, t('mon.siteNow')),
      notIn,
      h('div', { class: 'table-wrap mon-table-wrap' }, table.table)),
    h('section', { class: 'mon-section', 'aria-labelledby': 'mon-charts-h' },
      h('div', { class: 'mon-section-head' }, h('h2', { class: 'mon-h2', id: 'mon-charts-h' }, t('mon.siteCharts')), stepNote),
      refreshError,
      chartsGrid),
    h('section', { class: 'mon-section', 'aria-labelledby': 'mon-site-alarms-h' },
      h('h2', { class: 'mon-h2', id: 'mon-site-alarms-h' }, t('mon.siteAlarms')),
      h('div', { class: 'table-wrap' }, alarmTable), noAlarms)));
  renderAlarms();
  await Promise.all([loadStats(), loadHistory(), loadAlarms()]);

  unsubs.push(
    ctx.feed.on('stats', (e) => {
      if (e.conference === confId) applyStats(e);
    }),
    ctx.feed.on('alarm', (e) => {
      if (e.conference !== confId || (e.site || '') !== siteId) return;
      book.apply(e);
      renderAlarms();
    }),
  );
  timers.push(setInterval(() => {
    loadHistory();
    loadAlarms();
  }, 10000));
  timers.push(setInterval(() => table.checkStale(), 1000));

  return () => {
    closed = true;
    for (const u of unsubs) u();
    for (const tm of timers) clearInterval(tm);
    for (const c of charts) c.chart.destroy();
  };
}

export const routes = [
  { path: '/monitor', roles: ['admin', 'host', 'technician'], nav: 'nav.monitor', title: 'mon.title', render: renderOverview },
  { path: '/monitor/:conference/:site', roles: ['admin', 'host', 'technician'], title: 'mon.title', render: renderSite },
];
