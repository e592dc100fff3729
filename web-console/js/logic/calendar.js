// The conference calendar's arithmetic: local days and weeks (weeks start on Monday), the
// occurrences of scheduled and recurring conferences in a period, and how the occurrences of a
// day share its column. No DOM here.

export const HOUR_MS = 3600_000;
export const DAY_MS = 24 * HOUR_MS;

export function addDays(d, n) {
  const x = new Date(d);
  x.setDate(x.getDate() + n);
  return x;
}

export function startOfDay(d) {
  const x = new Date(d);
  x.setHours(0, 0, 0, 0);
  return x;
}

// The Monday of the week of `d`, at 00:00.
export const startOfWeek = (d) => addDays(startOfDay(d), -((new Date(d).getDay() + 6) % 7));

// 0 = Monday … 6 = Sunday.
export const weekdayIndex = (d) => (new Date(d).getDay() + 6) % 7;

// The occurrences of the scheduled conferences that overlap [from, to) (Dates): the given
// start/end, then every day or week after it for recurring ones (same local wall-clock time).
// [{c, start, end (ms), first (the conference's own start/end, not a repetition)}].
export function occurrences(conferences, from, to) {
  const out = [];
  for (const c of conferences) {
    if (c.permanent || !c.start || !c.end) continue;
    const s0 = new Date(c.start);
    const length = new Date(c.end).getTime() - s0.getTime();
    const step = { daily: 1, weekly: 7 }[c.recurrence] || 0;
    if (!step) {
      if (s0.getTime() + length > from.getTime() && s0 < to) out.push({ c, start: s0.getTime(), end: s0.getTime() + length, first: true });
      continue;
    }
    let k = Math.max(0, Math.floor((from - s0 - length) / (step * DAY_MS)) - 1);
    for (; k < 5000; k++) {
      const s = addDays(s0, k * step);
      if (s >= to) break;
      if (s.getTime() + length > from.getTime()) out.push({ c, start: s.getTime(), end: s.getTime() + length, first: k === 0 });
    }
  }
  return out;
}

// Each occurrence's part inside `day` (a Date at 00:00), with lanes for overlapping ones, placed
// on a column where an hour is `hourPx` high (a segment at least 20 px):
// [{o, from, to, lane, lanes, top, height}], by start.
export function daySegments(occs, day, hourPx) {
  const dayStart = day.getTime();
  const dayEnd = addDays(day, 1).getTime();
  const segs = occs
    .filter((o) => o.end > dayStart && o.start < dayEnd)
    .map((o) => ({ o, from: Math.max(o.start, dayStart), to: Math.min(o.end, dayEnd) }))
    .sort((a, b) => a.from - b.from || b.to - a.to);
  let cluster = [];
  let clusterEnd = -Infinity;
  const closeCluster = () => {
    const lanes = Math.max(1, ...cluster.map((s) => s.lane + 1));
    for (const s of cluster) s.lanes = lanes;
    cluster = [];
  };
  for (const s of segs) {
    if (s.from >= clusterEnd) {
      closeCluster();
      clusterEnd = -Infinity;
    }
    const used = new Set(cluster.filter((x) => x.to > s.from).map((x) => x.lane));
    s.lane = 0;
    while (used.has(s.lane)) s.lane++;
    cluster.push(s);
    clusterEnd = Math.max(clusterEnd, s.to);
  }
  closeCluster();
  for (const s of segs) {
    s.top = ((s.from - dayStart) / HOUR_MS) * hourPx;
    s.height = Math.max(((s.to - s.from) / HOUR_MS) * hourPx, 20);
  }
  return segs;
}
