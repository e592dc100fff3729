// The figures of a conference's streams for the monitor: which conferences run, and the points
// of a site's overview chart (kb/s in and out, worst loss, RTT) from a stats event or from the
// MCU's stored history. No DOM here.

import { DIRECTIONS } from './quality.js';

// The states of a site that is in the conference (the others: offline, online).
export const IN_CONFERENCE = new Set(['joined', 'audio', 'video']);

// Whether a conference (GET /conferences) runs: open, and for a permanent room, with a site in it.
export function isRunning(c) {
  if (c.state !== 'open') return false;
  if (!c.permanent) return true;
  return (c.sites || []).some((s) => IN_CONFERENCE.has(s.state));
}

const measured = (v) => (typeof v === 'number' && v >= 0 ? v : null);

// The sum of two figures, either of which may be unmeasured (null when both are).
export function sum(a, b) {
  const x = measured(a);
  const y = measured(b);
  return x === null && y === null ? null : (x || 0) + (y || 0);
}

// The largest measured figure, or null.
export function maxOf(values) {
  const v = values.filter((x) => measured(x) !== null);
  return v.length ? Math.max(...v) : null;
}

// One point of a site's overview chart from its stats: [kb/s in, kb/s out, worst loss %, RTT ms].
export function chartPoint(s) {
  const d = (k) => s[k] || {};
  return [
    sum(d('audioIn').kbps, d('videoIn').kbps),
    sum(d('audioOut').kbps, d('videoOut').kbps),
    maxOf(DIRECTIONS.map((k) => d(k).lossPct)),
    measured(s.rttMs),
  ];
}

// The overview chart's columns from GET .../sites/{site}/history (per stream arrays of kbps and
// lossPct, rttMs, atMs): {at, cols: [in, out, loss, rtt]}.
export function historyPoints(hist) {
  const s = (k) => hist[k] || {};
  const at = hist.atMs || [];
  const cols = [[], [], [], []];
  at.forEach((_, i) => {
    const p = chartPoint({
      rttMs: (hist.rttMs || [])[i],
      ...Object.fromEntries(DIRECTIONS.map((k) => [k, { kbps: (s(k).kbps || [])[i], lossPct: (s(k).lossPct || [])[i] }])),
    });
    p.forEach((v, j) => cols[j].push(v));
  });
  return { at, cols };
}
