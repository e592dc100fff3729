// Form and page widgets the console's pages share: fields that show their error, selects, tabs,
// and the dialogs (a modal, a confirmation, a form in a dialog). Built with h() (no HTML
// strings), accessible by keyboard.

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

// ---- Dialogs ---------------------------------------------------------------------------------
// Every page's dialogs: a modal <dialog> in `host` (the page's view, so that it goes with the
// page), removed once closed, the focus given back to what opened it. The texts come translated
// from the page (widgets have no strings of their own).

// Rows drawn again while a dialog was open are found again by these data-* keys.
const ROW_KEYS = ['site', 'user', 'conference'];

// Gives the focus back to `el`, or, if its table row was drawn again meanwhile, to the same
// row's control with the same data-action; not while another dialog is open.
function focusRestorer(el) {
  const row = el && el.closest ? el.closest('tr') : null;
  const key = row && el.dataset && el.dataset.action ? ROW_KEYS.find((k) => row.dataset[k] !== undefined) : null;
  const selector = key
    ? `tr[data-${key}="${CSS.escape(row.dataset[key])}"] [data-action="${CSS.escape(el.dataset.action)}"]`
    : null;
  return () => {
    const target = el && el.isConnected ? el : selector ? document.querySelector(selector) : null;
    if (target && target.focus && !document.querySelector('dialog[open]')) target.focus();
  };
}

// A modal dialog titled `title` around `content` (nodes), shown at once. `opener` (default: the
// focused element) gets the focus back when it closes.
export function modal(host, { title, content, opener = document.activeElement, className = '' }) {
  const restoreFocus = focusRestorer(opener);
  const titleEl = h('h2', { id: uid('dlg') }, title);
  const dialog = h('dialog', { class: `modal mg-dialog ${className}`.trim(), 'aria-labelledby': titleEl.id },
    h('div', { class: 'modal-body' }, titleEl, content));
  dialog.addEventListener('close', () => {
    dialog.remove();
    restoreFocus();
  });
  host.append(dialog);
  dialog.showModal();
  return dialog;
}

// Asks to confirm a destructive action; resolves true when confirmed. Escape or Cancel resolve
// false (so does closing it from outside: `dialog.close()`). Cancel has the focus.
export function confirmDialog(host, { title, text, ok, cancel, opener }) {
  return new Promise((resolve) => {
    const cancelBtn = h('button', { type: 'submit', value: 'cancel', class: 'btn btn-secondary' }, cancel);
    const dialog = modal(host, {
      title, opener,
      content: h('form', { method: 'dialog' },
        h('p', {}, text),
        h('div', { class: 'form-footer' }, cancelBtn,
          h('button', { type: 'submit', value: 'ok', class: 'btn btn-danger' }, ok))),
    });
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'));
    cancelBtn.focus();
  });
}

// A dialog with a form of `fields` (nodes) and Cancel / `submitText`. `onSubmit(form)` returns a
// promise: false when the form is invalid (`texts.fix` is shown), else the dialog closes. When
// it throws, `texts.failed(message)` is shown in the form and `onError(message)` told (a toast).
// texts: {cancel, saving, fix, failed}. The first enabled control has the focus.
export function formDialog(host, { title, fields, submitText, texts, onSubmit, onError, formClass = '' }) {
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, submitText);
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary' }, texts.cancel);
  const form = h('form', { class: formClass || null, novalidate: true }, h('div', { class: formClass ? `${formClass}-fields` : null }, fields), error,
    h('div', { class: 'form-footer' }, cancel, submit));
  const dialog = modal(host, { title, content: form });
  cancel.addEventListener('click', () => dialog.close());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    submit.textContent = texts.saving;
    try {
      const done = await onSubmit(form);
      if (done === false) {
        error.textContent = texts.fix;
        error.hidden = false;
      } else {
        dialog.close();
      }
    } catch (err) {
      error.textContent = texts.failed(err.message);
      error.hidden = false;
      if (onError) onError(err.message);
    } finally {
      submit.disabled = false;
      submit.textContent = submitText;
    }
  });
  const first = form.querySelector('input:not([disabled]), select:not([disabled])');
  if (first) first.focus();
  return dialog;
}
