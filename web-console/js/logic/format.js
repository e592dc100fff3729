// Times, dates, durations and numbers written the Vietnamese way (day first, decimal comma), for
// every page of the console. No DOM here: dom.js re-exports these for the pages, and the unit
// tests (tests/console-unit) import them as they are.

const pad = (n) => String(n).padStart(2, '0');

// "08:05" / "08:05:09" in the browser's time zone (the MCU's, on the province's network).
export function fmtTime(ms, seconds = false) {
  if (!ms && ms !== 0) return '—';
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? ':' + pad(d.getSeconds()) : ''}`;
}

// "23/11/2026" (day first, as in Vietnam).
export function fmtDate(ms) {
  if (!ms && ms !== 0) return '—';
  const d = new Date(ms);
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
}

export function fmtDateTime(ms) {
  if (!ms && ms !== 0) return '—';
  return `${fmtDate(ms)} ${fmtTime(ms)}`;
}

// "23/11/2026 08:05:09", or '—' when there is no time.
export function fmtSeconds(ms) {
  return ms ? `${fmtDate(ms)} ${fmtTime(ms, true)}` : '—';
}

// Whether two times (ms or Date) fall on the same local calendar day.
export function sameDay(a, b) {
  const x = new Date(a);
  const y = new Date(b);
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate();
}

// "23/11/2026 08:00 – 10:00", or both dates when it spans midnight.
export function timeRange(startMs, endMs) {
  if (sameDay(startMs, endMs)) return `${fmtDateTime(startMs)} – ${fmtTime(endMs)}`;
  return `${fmtDateTime(startMs)} – ${fmtDateTime(endMs)}`;
}

// "1 g 05 ph" / "5 ph 03 s" from milliseconds, with the language's units.
export function fmtDuration(ms, lang = 'vi') {
  if (ms === null || ms === undefined || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  const u = lang === 'vi' ? { h: 'g', m: 'ph', s: 'giây' } : { h: 'h', m: 'min', s: 's' };
  if (s >= 3600) return `${Math.floor(s / 3600)} ${u.h} ${pad(Math.floor((s % 3600) / 60))} ${u.m}`;
  if (s >= 60) return `${Math.floor(s / 60)} ${u.m} ${pad(s % 60)} ${u.s}`;
  return `${s} ${u.s}`;
}

// A file's size: bytes, KB, MB or GB (powers of 1000, as disks are sold), '—' when unknown.
export function fmtBytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return '—';
  if (n < 1000) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i += 1;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

// A number with `digits` decimals, or '—' when missing or negative (not measured).
export function fmtNum(v, digits = 0) {
  if (v === null || v === undefined || Number.isNaN(v) || v < 0) return '—';
  return Number(v).toFixed(digits);
}

const formatters = new Map();
// A number in the language's way ("1.540", "0,2" in Vietnamese), or '—' when not measured.
export function formatNumber(value, digits = 0, lang = 'vi') {
  if (value === null || value === undefined || Number.isNaN(value) || value < 0) return '—';
  const key = `${lang}:${digits}`;
  if (!formatters.has(key))
    formatters.set(key, new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-US', {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }));
  return formatters.get(key).format(value);
}

// "2026-11-23T08:00" for <input type="datetime-local"> from milliseconds (local time).
export function toLocalInput(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// A datetime-local value ("2026-11-23T08:00", the browser's local time) with the browser's UTC
// offset ("2026-11-23T08:00+07:00"): the MCU reads an offset-less time in its own zone, which
// need not be the browser's.
export function withOffset(localValue) {
  if (!localValue) return localValue;
  const offset = -new Date(localValue).getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${localValue.slice(0, 16)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
