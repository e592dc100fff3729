// #/monitor, the monitor's overview: every running conference (open, or permanent with sites in
// it) in one stream table (./stream-table.js) updated every second from the feed's `stats`
// events; the alarms panel (./alarm-panel.js); charts of the last 5 minutes of each site of one
// conference (kb/s in/out, loss %, RTT) with the site's alarm periods shaded. Hooks for tests:
// #history-conference, #history-charts .chart-card[data-site] (and those of the two parts).

import { h, replace, uid } from '../../dom.js';
import { COLORS, createTimeChart, formatNumber } from '../../charts.js';
import { AlarmBook, normAlarm } from '../../logic/alarms.js';
import { chartPoint, historyPoints, isRunning } from '../../logic/streams.js';
import { alarmPanel } from './alarm-panel.js';
import { makeStreamTable } from './stream-table.js';

export const strings = {
  vi: {
    'mon.subtitle': 'Chất lượng luồng âm thanh, hình ảnh của các hội nghị đang diễn ra, cập nhật mỗi giây.',
    'mon.streams': 'Luồng phương tiện',
    'mon.siteDetail': 'Chi tiết điểm cầu {site}',
    'mon.history': 'Diễn biến 5 phút gần nhất',
    'mon.historyConference': 'Hội nghị',
    'mon.noHistory': 'Chọn một hội nghị đang diễn ra để xem diễn biến.',
    'mon.s.in': 'kb/s nhận',
    'mon.s.out': 'kb/s gửi',
    'mon.s.loss': 'Mất gói',
    'mon.chartSummary': '{site}, 5 phút gần nhất: nhận {in} kb/s, gửi {out} kb/s, mất gói {loss}%, RTT {rtt} ms',
  },
  en: {
    'mon.subtitle': 'Audio and video stream health of the running conferences, updated every second.',
    'mon.streams': 'Media streams',
    'mon.siteDetail': 'Details of site {site}',
    'mon.history': 'Last 5 minutes',
    'mon.historyConference': 'Conference',
    'mon.noHistory': 'Pick a running conference to see its history.',
    'mon.s.in': 'kb/s in',
    'mon.s.out': 'kb/s out',
    'mon.s.loss': 'Loss',
    'mon.chartSummary': '{site}, last 5 minutes: in {in} kb/s, out {out} kb/s, loss {loss}%, RTT {rtt} ms',
  },
};

const WINDOW_S = 300;
const enc = encodeURIComponent;

export async function renderOverview(view, ctx) {
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
  for (const a of Array.isArray(activeAlarms) ? activeAlarms : []) if (!a.clearedMs) book.addActive(a, 0);

  const alarms = alarmPanel(ctx, { book, siteName, confTitle: (id) => titles.get(id) || id, isClosed: () => closed });

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
      const { at, cols } = historyPoints(hist);
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
      const values = chartPoint(s);
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
    alarms.el, streamsSection, historySection));
  for (const c of Array.isArray(confs) ? confs : []) titles.set(c.id, c.title || c.id);
  setRunning(Array.isArray(confs) ? confs : []);
  alarms.render();

  unsubs.push(
    ctx.feed.on('stats', (e) => {
      if (!running.some((c) => c.id === e.conference)) {
        // A conference that started running (a permanent one that a site joined): list again.
        if ((e.sites || []).length && Date.now() - lastListAt > 3000) scheduleList(0);
        return;
      }
      // The stats carry the conference's active alarms: any we missed (a feed gap) join in.
      let added = false;
      for (const a of e.alarms || []) if (book.addActive({ ...a, conference: e.conference }, Date.now())) added = true;
      if (added) alarms.render();
      table.update(e.conference, e, (s) => book.severity(e.conference, s));
      if (e.conference === selected) onHistoryStats(e);
    }),
    ctx.feed.on('alarm', (e) => {
      const what = book.apply(e);
      const a = normAlarm(e);
      if (what === 'raised' || (what === 'changed' && a.severity === 'critical')) alarms.announce(a);
      alarms.render();
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
        book.resetActive(list);
        alarms.render();
      }).catch(() => {});
    }),
  );
  timers.push(setInterval(() => {
    table.checkStale();
    alarms.tick();
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
