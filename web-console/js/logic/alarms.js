// Alarm bookkeeping for the monitor and the live page: one shape for an alarm from GET /alarms
// or from the feed, the active ones, those cleared in this session, the stored history (for the
// charts' shaded periods), the worst severity of a site. No DOM here.

import { gradesStreams } from './quality.js';
// How many cleared alarms the monitor keeps listed.
export const CLEARED_KEPT = 12;

export const alarmKey = (a) => `${a.conference}|${a.site || ''}|${a.kind}`;

// An alarm from GET /alarms or the feed, in one shape.
export function normAlarm(a) {
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

// The worst of `alarms` (an iterable of {site, severity}) raised on `site`: the first critical
// one, else the first one, else null.
export function worstAlarm(alarms, site) {
  let worst = null;
  for (const a of alarms)
    if (a.site === site) {
      if (a.severity === 'critical') return a;
      if (!worst) worst = a;
    }
  return worst;
}

export class AlarmBook {
  constructor(now = () => Date.now()) {
    this.now = now;
    this.active = new Map();   // key -> alarm
    this.cleared = [];         // cleared in this session, newest first
    this.past = new Map();     // `${key}|${sinceMs}` -> alarm (stored history, for the charts' bands)
  }

  // The worst active alarm's severity of one site's streams: 'critical', 'warning' or null (a
  // `device` warning is not about the streams: ./quality.js, gradesStreams).
  severity(conference, site) {
    let worst = null;
    for (const a of this.active.values())
      if (a.conference === conference && a.site === site && gradesStreams(a.kind)) {
        if (a.severity === 'critical') return 'critical';
        worst = 'warning';
      }
    return worst;
  }

  // The alarm periods of one site's streams, which its charts shade: [{fromMs, toMs, severity}].
  bands(conference, site) {
    const out = new Map();
    const add = (a) => {
      if (a.conference !== conference || a.site !== site || !a.sinceMs || !gradesStreams(a.kind)) return;
      out.set(`${a.kind}|${a.sinceMs}`, { fromMs: a.sinceMs, toMs: a.clearedMs || null, severity: a.severity });
    };
    for (const a of this.past.values()) add(a);
    for (const a of this.cleared) add(a);
    for (const a of this.active.values()) add(a);
    return [...out.values()];
  }

  // Every alarm known of one site (stored, cleared, active; one per kind and start), newest first.
  ofSite(site) {
    const all = new Map();
    for (const a of this.past.values()) if (a.site === site) all.set(`${a.kind}|${a.sinceMs}`, a);
    for (const a of this.cleared) if (a.site === site) all.set(`${a.kind}|${a.sinceMs}`, a);
    for (const a of this.active.values()) if (a.site === site) all.set(`${a.kind}|${a.sinceMs}`, a);
    return [...all.values()].sort((a, b) => b.sinceMs - a.sinceMs);
  }

  // Stored alarms (GET /alarms), for the history of the bands.
  remember(list) {
    for (const raw of list || []) {
      const a = normAlarm(raw);
      this.past.set(`${alarmKey(a)}|${a.sinceMs}`, a);
    }
  }

  // Adds an active alarm that the book may have missed (GET /alarms?active=true, a stats event);
  // `firstSeen` orders the list (0: before this page). Returns whether it was new.
  addActive(raw, firstSeen = 0) {
    const a = normAlarm(raw);
    const key = alarmKey(a);
    if (this.active.has(key)) return false;
    this.active.set(key, { ...a, firstSeen });
    return true;
  }

  // Replaces the active alarms (GET /alarms?active=true after a feed gap), keeping when each
  // was first seen here.
  resetActive(list) {
    const fresh = new Map();
    for (const raw of list || []) {
      const a = normAlarm(raw);
      const old = this.active.get(alarmKey(a));
      fresh.set(alarmKey(a), { ...a, firstSeen: old ? old.firstSeen : 0 });
    }
    this.active = fresh;
  }

  // The active alarms, newest first (first seen here, then raised).
  activeList() {
    return [...this.active.values()].sort((a, b) => (b.firstSeen || 0) - (a.firstSeen || 0) || b.sinceMs - a.sinceMs);
  }

  // A feed `alarm` event: returns 'raised' (new), 'changed', 'cleared' or null.
  apply(e) {
    const a = normAlarm(e);
    const key = alarmKey(a);
    if (e.state === 'cleared') {
      const was = this.active.get(key);
      this.active.delete(key);
      const done = { ...(was || a), clearedMs: a.clearedMs || this.now(), severity: was && was.severity === 'critical' ? 'critical' : a.severity };
      this.cleared.unshift(done);
      this.cleared.length = Math.min(this.cleared.length, CLEARED_KEPT);
      this.past.set(`${key}|${done.sinceMs}`, done);
      return 'cleared';
    }
    const known = this.active.has(key);
    this.active.set(key, { ...a, clearedMs: 0, firstSeen: known ? this.active.get(key).firstSeen : this.now() });
    return known ? 'changed' : 'raised';
  }
}
