// #/monitor/<conference>/<site>, one site's monitoring: its room's devices (camera, microphone,
// loudspeaker: ./site-devices.js, from the roll-call, then the feed's `devices` events), its four
// streams now (the stream table, ./stream-table.js, of this site only), its charts over the whole
// conference (history?seconds=86400: one point per 10 s when the MCU gives `stepS`, else the
// last 10 minutes at 1 s), its alarms in the conference, refreshed every 10 s. Hooks for tests:
// #site-devices li[data-device][data-state], #site-charts .chart-card[data-chart],
// #site-alarms tr[data-kind][data-active].

import { h, replace, uid, fmtTime, fmtDateTime, fmtDuration } from '../../dom.js';
import { COLORS, createTimeChart, formatNumber } from '../../charts.js';
import { AlarmBook } from '../../logic/alarms.js';
import { DIRECTIONS } from '../../logic/quality.js';
import { kindText } from './alarm-panel.js';
import { devicePanel } from './site-devices.js';
import { makeStreamTable } from './stream-table.js';

export const strings = {
  vi: {
    'mon.openLive': 'Điều hành',
    'mon.s.audioIn': 'Tiếng nhận',
    'mon.s.audioOut': 'Tiếng gửi',
    'mon.s.videoIn': 'Hình nhận',
    'mon.s.videoOut': 'Hình gửi',
    'mon.chartSummaryDetail': '{chart}: {values}',
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
    'mon.openLive': 'Run',
    'mon.s.audioIn': 'Audio in',
    'mon.s.audioOut': 'Audio out',
    'mon.s.videoIn': 'Video in',
    'mon.s.videoOut': 'Video out',
    'mon.chartSummaryDetail': '{chart}: {values}',
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

const enc = encodeURIComponent;

export async function renderSite(view, ctx) {
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

  // ---- Header, the room's devices and the streams now ----
  const devices = devicePanel(ctx);
  const notIn = h('p', { class: 'mon-none-text', hidden: true }, t('mon.siteNotIn'));
  const table = makeStreamTable(ctx, { labelledBy: 'mon-now-h', siteFilter: siteId, siteName });
  table.setConferences([{ id: confId, title: conf.title }]);

  // ---- Charts ----
  const stepNote = h('p', { class: 'mon-note' });
  const chartsGrid = h('div', { class: 'chart-grid chart-grid-large', id: 'site-charts' });
  const dirSeries = (unit) => DIRECTIONS.map((k) => ({ label: t(`mon.s.${k}`), unit, color: COLORS[k], dash: k.endsWith('Out') }));
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

  function renderAlarms() {
    const list = book.ofSite(siteId);
    const now = Date.now();
    replace(alarmBody, list.map((a) => h('tr', {
      'data-kind': a.kind, 'data-severity': a.severity, 'data-active': String(!a.clearedMs),
      class: !a.clearedMs ? `row-${a.severity}` : null,
    },
    h('td', {}, h('span', { class: `state sev-${a.severity}` }, t(`mon.sev.${a.severity}`))),
    h('td', {}, kindText(ctx, a.kind)),
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
      const cols = def.cols ? def.cols(hist) : DIRECTIONS.map((k) => def.pick(hist, k) || []);
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
      for (const raw of mine) if (!raw.clearedMs) book.addActive(raw);
      renderAlarms();
    } catch (e) {
      if (!closed) refreshError.textContent = t('mon.refreshFailed', { message: e.message });
    }
  }

  // The site's entry on the roll-call: its devices (null while offline or not reported).
  let rollSeq = 0;
  async function loadDevices() {
    const seq = ++rollSeq;
    try {
      const roll = await api.get(`${base}/roll-call`);
      if (closed || seq !== rollSeq) return;
      devices.set((roll.sites || []).find((s) => s.site === siteId) || null);
    } catch {
      // The next feed event or refresh will do.
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
    devices.el,
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
  await Promise.all([loadDevices(), loadStats(), loadHistory(), loadAlarms()]);

  unsubs.push(
    ctx.feed.on('stats', (e) => {
      if (e.conference === confId) applyStats(e);
    }),
    // The room reported its devices (a change): shown at once; a fetch under way is stale.
    ctx.feed.on('devices', (e) => {
      if (e.site !== siteId) return;
      rollSeq++;
      devices.set({ devices: e.devices });
    }),
    // The site connected or left (its devices are null while offline), or the feed came back
    // after a gap: the roll-call again.
    ctx.feed.on('site', (e) => e.site === siteId && loadDevices()),
    ctx.feed.on('feed', (e) => e.connected && loadDevices()),
    ctx.feed.on('alarm', (e) => {
      if (e.conference !== confId || (e.site || '') !== siteId) return;
      book.apply(e);
      renderAlarms();
    }),
  );
  timers.push(setInterval(() => {
    loadHistory();
    loadAlarms();
    loadDevices();
  }, 10000));
  timers.push(setInterval(() => table.checkStale(), 1000));

  return () => {
    closed = true;
    for (const u of unsubs) u();
    for (const tm of timers) clearInterval(tm);
    for (const c of charts) c.chart.destroy();
  };
}
