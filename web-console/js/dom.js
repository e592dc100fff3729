// A few DOM helpers for the console's pages: build elements without innerHTML (no markup from
// data ever reaches the parser), labelled fields; the Vietnamese formats of times and numbers
// (from logic/format.js) are re-exported here.

export { fmtTime, fmtDate, fmtDateTime, fmtDuration, fmtNum, toLocalInput, withOffset } from './logic/format.js';

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
