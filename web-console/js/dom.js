// A few DOM helpers for the console's pages: build elements without innerHTML (no markup from
// data ever reaches the parser), format times and numbers the Vietnamese way.

// h('button', {class: 'btn', onclick: fn, 'aria-label': '...'}, 'text', child, ...)
// Attributes: `class`, `dataset` (object), `on<event>` (listener), `hidden`/`disabled`/
// `checked`/`selected` (booleans), anything else set as an attribute (null/false skips it).
// Children: strings, nodes, arrays of them; null/false are skipped.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (['hidden', 'disabled', 'checked', 'selected', 'multiple', 'required'].includes(key)) el[key] = Boolean(value);
    else if (key === 'value') el.value = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// Replaces every child of `el`.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let nextId = 1;
// A unique id for label/aria wiring.
export function uid(prefix = 'id') {
  return `${prefix}-${nextId++}`;
}

// A labelled form field: <div class="field"><label for=..>text</label>control<small>hint</small></div>.
export function field(labelText, control, hint) {
  if (!control.id) control.id = uid('f');
  const hintEl = hint ? h('small', { class: 'field-hint', id: uid('hint') }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { class: 'field-label', for: control.id }, labelText), control, hintEl);
}

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

// "1 g 05 ph" / "5 ph 03 s" from milliseconds, with the language's units.
export function fmtDuration(ms, lang = 'vi') {
  if (ms === null || ms === undefined || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  const u = lang === 'vi' ? { h: 'g', m: 'ph', s: 'giây' } : { h: 'h', m: 'min', s: 's' };
  if (s >= 3600) return `${Math.floor(s / 3600)} ${u.h} ${pad(Math.floor((s % 3600) / 60))} ${u.m}`;
  if (s >= 60) return `${Math.floor(s / 60)} ${u.m} ${pad(s % 60)} ${u.s}`;
  return `${s} ${u.s}`;
}

// A number with `digits` decimals, or '—' when missing or negative (not measured).
export function fmtNum(v, digits = 0) {
  if (v === null || v === undefined || Number.isNaN(v) || v < 0) return '—';
  return Number(v).toFixed(digits);
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
