// Form and page widgets the console's pages share: fields that show their error, selects,
// tabs, and a confirmation dialog. Built with h() (no HTML strings), accessible by keyboard.

import { h, field, uid } from './dom.js';

// A field with a place for its error message, wired with aria-invalid and aria-describedby.
export function checkedField(label, control, hint) {
  const wrap = field(label, control, hint);
  const err = h('p', { class: 'mg-field-error', id: uid('err'), hidden: true });
  wrap.append(err);
  return { wrap, control, err };
}

export function setError(f, message) {
  f.err.textContent = message || '';
  f.err.hidden = !message;
  const ids = (f.control.getAttribute('aria-describedby') || '').split(/\s+/).filter((x) => x && x !== f.err.id);
  if (message) {
    f.control.setAttribute('aria-invalid', 'true');
    ids.unshift(f.err.id);
  } else {
    f.control.removeAttribute('aria-invalid');
  }
  if (ids.length) f.control.setAttribute('aria-describedby', ids.join(' '));
  else f.control.removeAttribute('aria-describedby');
}

// A <select> of [value, text] options.
export function select(name, options, value) {
  return h('select', { name }, options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
}

// Tabs over panels (role=tablist; arrows move between them). `items`: [{key, label, panel}].
export function tabList(label, items, selected, onSelect) {
  const buttons = items.map((it) => h('button', {
    type: 'button', role: 'tab', id: uid('tab'), class: 'tab',
    'aria-selected': String(it.key === selected), tabindex: it.key === selected ? '0' : '-1',
    onclick: () => select(it.key),
  }, it.label));
  items.forEach((it, i) => {
    it.panel.setAttribute('role', 'tabpanel');
    it.panel.id = it.panel.id || uid('panel');
    it.panel.setAttribute('aria-labelledby', buttons[i].id);
    buttons[i].setAttribute('aria-controls', it.panel.id);
    it.panel.hidden = it.key !== selected;
  });
  function select(key, focus = false) {
    items.forEach((it, i) => {
      const on = it.key === key;
      buttons[i].setAttribute('aria-selected', String(on));
      buttons[i].tabIndex = on ? 0 : -1;
      it.panel.hidden = !on;
      if (on && focus) buttons[i].focus();
    });
    onSelect(key);
  }
  const list = h('div', { class: 'tabs', role: 'tablist', 'aria-label': label }, buttons);
  list.addEventListener('keydown', (e) => {
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: buttons.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    select(items[(next + items.length) % items.length].key, true);
  });
  return list;
}

// A <dialog> asking to confirm a destructive action; resolves true when confirmed. Escape or
// Cancel resolve false. The dialog lives in `host` (the page's view) and goes with it.
export function confirmDialog(host, { title, text, ok, cancel }) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const titleEl = h('h2', { id: uid('dlg') }, title);
    const cancelBtn = h('button', { type: 'submit', value: 'cancel', class: 'btn btn-secondary' }, cancel);
    const dialog = h('dialog', { class: 'modal mg-dialog', 'aria-labelledby': titleEl.id },
      h('form', { method: 'dialog', class: 'modal-body' },
        titleEl,
        h('p', {}, text),
        h('div', { class: 'form-footer' }, cancelBtn,
          h('button', { type: 'submit', value: 'ok', class: 'btn btn-danger' }, ok))));
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener && opener.isConnected && opener.focus) opener.focus();
      resolve(dialog.returnValue === 'ok');
    });
    host.append(dialog);
    dialog.showModal();
    cancelBtn.focus();
  });
}
