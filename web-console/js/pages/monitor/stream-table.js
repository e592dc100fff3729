// The monitor's stream table (both monitor pages): one table, a tbody per conference (its
// heading row: title, composite tiers, the MCU process's load) and a tbody per site (4 rows,
// one per stream: codec, resolution, fps, kb/s, loss, jitter, RTT, ICE, DTLS, SRTP), marked
// warning/critical by the thresholds of ../../logic/quality.js and the site's alarms. Cells are
// updated in place; nothing is rebuilt each second. Hooks for tests: #streams
// tr[data-conference][data-site][data-direction] td[data-field], tbody.mon-conf[data-conference]
// [data-field="tiers"|"process"].

import { h } from '../../dom.js';
import { formatNumber } from '../../logic/format.js';
import { DIRECTIONS, cellLevel } from '../../logic/quality.js';

export const strings = {
  vi: {
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
    'mon.state.new': 'mới',
    'mon.state.checking': 'đang kiểm tra',
    'mon.state.connecting': 'đang kết nối',
    'mon.state.connected': 'đã kết nối',
    'mon.state.completed': 'hoàn tất',
    'mon.state.disconnected': 'gián đoạn',
    'mon.state.failed': 'thất bại',
    'mon.state.closed': 'đã đóng',
  },
  en: {
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
    'mon.state.new': 'new',
    'mon.state.checking': 'checking',
    'mon.state.connecting': 'connecting',
    'mon.state.connected': 'connected',
    'mon.state.completed': 'completed',
    'mon.state.disconnected': 'disconnected',
    'mon.state.failed': 'failed',
    'mon.state.closed': 'closed',
  },
};

const FIELDS = ['codec', 'resolution', 'fps', 'kbps', 'lossPct', 'jitterMs', 'rttMs', 'ice', 'dtls', 'srtp'];
const NUM_FIELDS = new Set(['fps', 'kbps', 'lossPct', 'jitterMs', 'rttMs']);
const STALE_MS = 5000;
const enc = encodeURIComponent;

// labelledBy: the id of the table's heading; siteFilter: only this site's streams (the site
// page); siteName(id): a site's name. Returns {table, setConferences([{id, title}]),
// update(conference, stats, severity(site)), markAlarms(conference, severity(site)),
// checkStale(), renameSites(), groups}.
export function makeStreamTable(ctx, { labelledBy, siteFilter = null, siteName }) {
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
    DIRECTIONS.forEach((dir, i) => {
      const medium = dir.startsWith('audio') ? 'audio' : 'video';
      const cells = {};
      const tr = h('tr', { 'data-conference': g.conf.id, 'data-site': siteId, 'data-direction': dir, class: i ? 'mon-sub' : 'mon-first' },
        i === 0 ? h('th', { scope: 'rowgroup', rowspan: DIRECTIONS.length, class: 'mon-site-name' }, nameLink) : null,
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

  // The conference's heading: its composite tiers and the MCU process's load.
  function updateHead(g, stats) {
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
  }

  // One site's four rows from its stats; `sev` its worst active alarm.
  function updateSite(sb, s, sev) {
    const rtt = typeof s.rttMs === 'number' && s.rttMs >= 0 ? s.rttMs : null;
    const ice = (s.ice && s.ice.state) || '';
    for (const dir of DIRECTIONS) {
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
      setCell(cells.lossPct, num(loss, 1), cellLevel('lossPct', loss));
      const jitter = typeof d.jitterMs === 'number' ? d.jitterMs : null;
      setCell(cells.jitterMs, num(jitter, 1), cellLevel('jitterMs', jitter));
      setCell(cells.rttMs, num(rtt, 0), cellLevel('rttMs', rtt));
      setCell(cells.ice, stateText(ice), cellLevel('ice', ice));
      cells.ice.dataset.value = ice;
      if (s.ice) cells.ice.title = [s.ice.local, s.ice.remote].filter(Boolean).join(' ⇄ ');
      setCell(cells.dtls, stateText(s.dtls), cellLevel('dtls', s.dtls));
      cells.dtls.dataset.value = s.dtls || '';
      setCell(cells.srtp, s.srtp || '—');
    }
  }

  // One conference's stats object (GET .../stats or the feed); severity(site) -> its worst
  // active alarm ('warning'|'critical'|null).
  function update(confId, stats, severity) {
    const g = groups.get(confId);
    if (!g || !stats) return;
    updateHead(g, stats);
    const present = new Set();
    let anchor = g.head;
    for (const s of stats.sites || []) {
      if (siteFilter && s.site !== siteFilter) continue;
      present.add(s.site);
      const sb = siteBody(g, s.site);
      if (anchor.nextSibling !== sb.body) anchor.after(sb.body);
      anchor = sb.body;
      updateSite(sb, s, severity(s.site));
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
      for (const dir of DIRECTIONS) {
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
