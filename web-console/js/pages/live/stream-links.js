// The live page's viewer links (opened from the header's #stream-links while the conference may
// be streamed): for people without a console login, a host makes a link to the watch page that
// lasts a chosen time and lets in a number of viewers at once; the link is shown this once (the
// MCU keeps only its hash), and any link still in use can be revoked. Hooks for tests:
// #stream-links-dialog, #stream-link-form (#stream-link-label, #stream-link-lifetime,
// #stream-link-viewers), #stream-link-url (the new link), #stream-links-list with a
// tr[data-link] per link (data-state; button[data-action=revoke]).

import { h, fmtDateTime, field, uid } from '../../dom.js';
import { LIFETIMES, linkState, parseMaxViewers, sortLinks } from '../../logic/stream-links.js';
import { modal } from '../../widgets.js';

export const strings = {
  vi: {
    'links.open': 'Liên kết xem',
    'links.title': 'Liên kết xem luồng phát trực tiếp',
    'links.intro': 'Người không có tài khoản bảng điều khiển xem luồng phát qua liên kết. Liên kết chỉ hiện một lần khi tạo; người xem không vào hội nghị.',
    'links.label': 'Ghi chú',
    'links.labelHint': 'Ví dụ: cổng thông tin nội bộ, phòng họp tầng 2.',
    'links.lifetime': 'Hiệu lực',
    'links.lifetime.60': '1 giờ',
    'links.lifetime.240': '4 giờ',
    'links.lifetime.1440': '1 ngày',
    'links.lifetime.10080': '1 tuần',
    'links.viewers': 'Số người xem cùng lúc',
    'links.viewersInvalid': 'Nhập số từ 1 đến 1000.',
    'links.create': 'Tạo liên kết',
    'links.created': 'Đã tạo liên kết. Hãy sao chép ngay: liên kết sẽ không hiện lại.',
    'links.url': 'Liên kết vừa tạo',
    'links.copy': 'Sao chép',
    'links.copied': 'Đã sao chép liên kết.',
    'links.list': 'Các liên kết',
    'links.none': 'Chưa có liên kết nào.',
    'links.col.label': 'Ghi chú',
    'links.col.by': 'Người tạo',
    'links.col.until': 'Hết hạn',
    'links.col.viewers': 'Người xem',
    'links.col.state': 'Trạng thái',
    'links.state.active': 'Đang dùng',
    'links.state.expired': 'Hết hạn',
    'links.state.revoked': 'Đã thu hồi',
    'links.revoke': 'Thu hồi',
    'links.revoked': 'Đã thu hồi liên kết.',
    'links.close': 'Đóng',
    'links.failed': 'Không thực hiện được: {message}',
  },
  en: {
    'links.open': 'Viewer links',
    'links.title': 'Links to watch the live stream',
    'links.intro': 'People without a console login watch the stream through a link. A link is shown once, when it is made; its viewers do not join the conference.',
    'links.label': 'Note',
    'links.labelHint': 'For example: the staff portal, the second-floor meeting room.',
    'links.lifetime': 'Valid for',
    'links.lifetime.60': '1 hour',
    'links.lifetime.240': '4 hours',
    'links.lifetime.1440': '1 day',
    'links.lifetime.10080': '1 week',
    'links.viewers': 'Viewers at once',
    'links.viewersInvalid': 'Enter a number from 1 to 1000.',
    'links.create': 'Make a link',
    'links.created': 'The link is made. Copy it now: it will not be shown again.',
    'links.url': 'The new link',
    'links.copy': 'Copy',
    'links.copied': 'The link is copied.',
    'links.list': 'Links',
    'links.none': 'No link yet.',
    'links.col.label': 'Note',
    'links.col.by': 'Made by',
    'links.col.until': 'Valid until',
    'links.col.viewers': 'Viewers',
    'links.col.state': 'State',
    'links.state.active': 'In use',
    'links.state.expired': 'Expired',
    'links.state.revoked': 'Revoked',
    'links.revoke': 'Revoke',
    'links.revoked': 'The link is revoked.',
    'links.close': 'Close',
    'links.failed': 'Could not do it: {message}',
  },
};

// Opens the dialog for page `p` (../live.js): its links listed, a form to make one.
export function openStreamLinks(p, opener) {
  const { t, api, path, ctx } = p;
  const base = `${path}/stream/links`;

  const label = h('input', { type: 'text', id: 'stream-link-label', maxlength: '100', autocomplete: 'off' });
  const lifetime = h('select', { id: 'stream-link-lifetime' },
    LIFETIMES.map((m) => h('option', { value: String(m), selected: m === 240 }, t(`links.lifetime.${m}`))));
  const viewers = h('input', { type: 'number', id: 'stream-link-viewers', min: '1', max: '1000', step: '1', value: '20', inputmode: 'numeric' });
  const viewersError = h('p', { class: 'mg-field-error', id: uid('err'), hidden: true }, t('links.viewersInvalid'));
  const formError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('links.create'));
  const viewersField = field(t('links.viewers'), viewers);
  viewersField.append(viewersError);
  const form = h('form', { id: 'stream-link-form', class: 'stream-link-form', novalidate: true },
    field(t('links.label'), label, t('links.labelHint')),
    field(t('links.lifetime'), lifetime),
    viewersField,
    formError,
    h('div', { class: 'form-footer' }, submit));

  const url = h('input', { type: 'text', id: 'stream-link-url', readonly: true, class: 'stream-link-url', 'aria-label': t('links.url') });
  const created = h('div', { class: 'stream-link-created', role: 'status', hidden: true },
    h('p', {}, t('links.created')),
    h('div', { class: 'stream-link-copy' }, url,
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: copy }, t('links.copy'))));

  const tbody = h('tbody', {});
  const none = h('p', { class: 'muted', id: 'stream-links-none', hidden: true }, t('links.none'));
  const table = h('table', { class: 'table', id: 'stream-links-list' },
    h('thead', {}, h('tr', {}, ['label', 'by', 'until', 'viewers', 'state'].map((c) => h('th', { scope: 'col' }, t(`links.col.${c}`))), h('th', {}))),
    tbody);

  const close = h('button', { type: 'button', class: 'btn btn-secondary' }, t('links.close'));
  const dialog = modal(p.host, {
    title: t('links.title'), opener, className: 'stream-links-dialog',
    content: h('div', { id: 'stream-links-dialog' },
      h('p', {}, t('links.intro')),
      form, created,
      h('h3', {}, t('links.list')), table, none,
      h('div', { class: 'form-footer' }, close)),
  });
  close.addEventListener('click', () => dialog.close());

  async function load() {
    let links = [];
    try {
      links = await api.get(base);
    } catch (e) {
      formError.textContent = t('links.failed', { message: e.message });
      formError.hidden = false;
      return;
    }
    const now = Date.now();
    tbody.replaceChildren(...sortLinks(Array.isArray(links) ? links : [], now).map((l) => row(l, now)));
    none.hidden = tbody.children.length > 0;
    table.hidden = !none.hidden;
  }

  function row(l, now) {
    const state = linkState(l, now);
    const revoke = h('button', { type: 'button', class: 'btn btn-small btn-danger-outline', 'data-action': 'revoke', hidden: state !== 'active',
      onclick: async () => {
        revoke.disabled = true;
        try {
          await api.del(`${base}/${encodeURIComponent(l.id)}`);
          ctx.toast(t('links.revoked'), 'ok');
        } catch (e) {
          ctx.toast(t('links.failed', { message: e.message }), 'error');
        }
        await load();
      } }, t('links.revoke'));
    return h('tr', { 'data-link': String(l.id), 'data-state': state },
      h('td', {}, l.label || '—'),
      h('td', {}, l.createdBy || ''),
      h('td', {}, l.expiresMs ? fmtDateTime(l.expiresMs) : ''),
      h('td', { class: 'num' }, String(l.maxViewers ?? '')),
      h('td', {}, h('span', { class: `pill pill-${state === 'active' ? 'ok' : 'wait'}` }, t(`links.state.${state}`))),
      h('td', {}, revoke));
  }

  async function copy() {
    url.select();
    try {
      await navigator.clipboard.writeText(url.value);
      ctx.toast(t('links.copied'), 'ok');
    } catch {
      document.execCommand('copy');
    }
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formError.hidden = true;
    const max = parseMaxViewers(viewers.value);
    viewersError.hidden = max !== null;
    if (max === null) {
      viewers.setAttribute('aria-invalid', 'true');
      viewers.setAttribute('aria-describedby', viewersError.id);
      viewers.focus();
      return;
    }
    viewers.removeAttribute('aria-invalid');
    submit.disabled = true;
    try {
      const made = await api.post(base, { label: label.value.trim(), minutes: Number(lifetime.value), maxViewers: max });
      url.value = new URL(made.url, location.href).href;
      created.hidden = false;
      label.value = '';
      url.focus();
      url.select();
      await load();
    } catch (err) {
      formError.textContent = t('links.failed', { message: err.message });
      formError.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });

  load();
  label.focus();
  return dialog;
}
