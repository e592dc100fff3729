// Summaries of what happened, for the history pages: one row per conference that ran, per-site
// totals of a conference's attendances, the counts at the top of a conference's page, why an
// attendance ended (as the key of its message), and which audit entries concern a conference.
// No DOM here.

const list = (x) => (Array.isArray(x) ? x : []);

// One row per conference that ran or runs, from the conferences, call records and alarms
// (null: not loaded, the records' alarm counts are used): [{id, conf, sites (Set), sessions,
// last (ms), alarms}], running ones first, then the latest held.
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

// Per site of one conference: joins, total time (an attendance still running counts up to
// `now`), first join, last leave, still in, alarms; `invited` sites first in their order (those
// that never came: {site, absent: true}), then the others by name (`siteName(id)`).
export function siteTotals(records, invited, siteName = (s) => s, now = Date.now()) {
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
  const inv = list(invited);
  const order = (s) => (inv.includes(s) ? inv.indexOf(s) : inv.length);
  const all = [...new Set([...inv, ...by.keys()])].sort((a, b) => order(a) - order(b) || siteName(a).localeCompare(siteName(b), 'vi'));
  return all.map((site) => by.get(site) || { site, absent: true });
}

// The counts at the top of a conference's history: sites that came, joins, sites in now, alarms
// (those stored, else the records' counts when the alarms could not be loaded).
export function conferenceCounts(records, alarms) {
  return {
    sites: new Set(records.map((r) => r.site)).size,
    sessions: records.length,
    inNow: records.filter((r) => !r.leftMs).length,
    alarms: alarms ? list(alarms).length : records.reduce((n, r) => n + (r.alarms || 0), 0),
  };
}

// The MCU's reasons for an attendance's end and the keys of their messages (hist.reason.<key>).
const REASONS = {
  left: 'left', disconnected: 'disconnected', 'replaced by a new connection': 'replaced', 'hung up': 'hungUp',
  'the conference ended': 'ended', 'the conference was deleted': 'deleted', 'the host ended the conference': 'hostEnded',
  'removed by the host': 'kicked', 'mcu stopped': 'stopped', 'mcu restarted': 'restarted',
};

// Why an attendance ended: {key, detail?} for a known reason ("media failed: <detail>" too),
// {text} for another, null for none.
export function reasonOf(reason) {
  if (!reason) return null;
  if (REASONS[reason]) return { key: REASONS[reason] };
  const m = /^media failed: (.*)$/.exec(reason);
  return m ? { key: 'mediaFailed', detail: m[1] } : { text: reason };
}

// The audit entries about conference `id`: its own, and those of its sites (`<id>/<site>`).
export function auditOf(entries, id) {
  return list(entries).filter((a) => a.target === id || (a.target || '').startsWith(`${id}/`));
}
