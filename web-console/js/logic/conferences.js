// What the conference pages decide without the DOM: the order of the list, the id suggested
// from a title, the default times of a new conference, and the checks of a conference's times
// (each problem as the key of its message).

import { DAY_MS, HOUR_MS } from './calendar.js';

// A conference id: lower case without diacritics, digits, "-" or "_", at most 64, starting with
// a letter or a digit (site ids and user logins follow it too).
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const LAYOUTS = ['grid', 'speaker', 'single', 'presenter'];
export const LEVELS = ['central', 'province', 'district', 'other'];
export const RECURRENCES = ['none', 'daily', 'weekly'];

// An id suggested from a title: no diacritics, lower case, words joined by "-".
export function suggestId(title) {
  return title.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '').slice(0, 64).replace(/-+$/, '');
}

// Open first (permanent rooms after running meetings), then the schedule by start, ended last
// (the latest first); equal ones by title.
export function sortConferences(list) {
  const rank = (c) => (c.state === 'open' ? (c.permanent ? 1 : 0) : c.state === 'scheduled' ? 2 : 3);
  const startOf = (c) => (c.start ? new Date(c.start).getTime() : 0);
  return [...list].sort((a, b) => rank(a) - rank(b) || (rank(a) === 3 ? startOf(b) - startOf(a) : startOf(a) - startOf(b)) ||
    a.title.localeCompare(b.title, 'vi'));
}

// A new conference's times: the next half hour at least an hour from `now`, lasting an hour.
export function defaultTimes(now = Date.now()) {
  const start = new Date(now + HOUR_MS);
  start.setMinutes(start.getMinutes() < 30 ? 30 : 60, 0, 0);
  return { start: start.getTime(), end: start.getTime() + HOUR_MS };
}

// The problems of a scheduled conference's times: {start, end, lead}, each '' or the i18n key of
// its message. start/end in ms (NaN when empty), lead the minutes' text; `unchanged`: the times
// are those loaded for an edit (a past meeting may still get its title corrected).
export function timeProblems({ start, end, lead, recurring, unchanged = false, now = Date.now() }) {
  const minutes = Number(lead);
  return {
    start: Number.isFinite(start) ? '' : 'conf.err.start',
    end: !Number.isFinite(end) ? 'conf.err.end'
      : !Number.isFinite(start) ? ''
        : end <= start ? 'conf.err.endBefore'
          : end - start > DAY_MS ? 'conf.err.tooLong'
            : !recurring && end < now && !unchanged ? 'conf.err.past' : '',
    lead: lead !== '' && Number.isInteger(minutes) && minutes >= 0 && minutes <= 1440 ? '' : 'conf.err.lead',
  };
}

// When a conference opens: `lead` minutes before its start (ms), or null when either is unusable.
export function opensAt(start, lead) {
  const minutes = Number(lead);
  return Number.isFinite(start) && Number.isInteger(minutes) && minutes >= 0 ? start - minutes * 60_000 : null;
}
