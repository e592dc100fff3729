// What the three administration pages share: the page header with the tabs between them, a
// loader with a retry button, control calls from a row's button, the checks of a dialog's
// fields, the texts of the dialogs (../../widgets.js) in the page's language.

import { h, replace } from '../../dom.js';
import { confirmDialog, formDialog, setError } from '../../widgets.js';

export const strings = {
  vi: {
    'admin.title': 'Quản trị hệ thống',
    'admin.tabs': 'Mục quản trị',
    'admin.tab.sites': 'Điểm cầu',
    'admin.tab.users': 'Người dùng',
    'admin.tab.settings': 'Cấu hình',
    'admin.lead.sites': 'Các phòng họp và điểm cầu được phép kết nối vào MCU, cùng mã truy cập của chúng.',
    'admin.lead.users': 'Tài khoản đăng nhập bảng điều khiển và vai trò của từng người.',
    'admin.lead.settings': 'Cấu hình MCU đang chạy (không hiển thị các thông tin bí mật).',
    'admin.loading': 'Đang tải…',
    'admin.loadFailed': 'Không tải được dữ liệu: {message}',
    'admin.retry': 'Thử lại',
    'admin.failed': 'Không thực hiện được: {message}',
    'admin.cancel': 'Hủy',
    'admin.close': 'Đóng',
    'admin.saving': 'Đang lưu…',
    'admin.edit': 'Sửa',
    'admin.delete': 'Xóa',
    'admin.actionOn': '{action}: {name}',
    'admin.colActions': 'Thao tác',
    'admin.none': '—',
    'admin.err.id': 'Chỉ gồm chữ thường không dấu, số, “-”, “_” (tối đa 64 ký tự), bắt đầu bằng chữ hoặc số.',
    'admin.err.fix': 'Hãy sửa các ô được đánh dấu.',
  },
  en: {
    'admin.title': 'Administration',
    'admin.tabs': 'Administration sections',
    'admin.tab.sites': 'Sites',
    'admin.tab.users': 'Users',
    'admin.tab.settings': 'Settings',
    'admin.lead.sites': 'The meeting rooms and sites allowed to connect to the MCU, and their access tokens.',
    'admin.lead.users': 'The console logins and the role of each.',
    'admin.lead.settings': 'The configuration the MCU runs on (secrets are not shown).',
    'admin.loading': 'Loading…',
    'admin.loadFailed': 'Could not load the data: {message}',
    'admin.retry': 'Retry',
    'admin.failed': 'Could not do it: {message}',
    'admin.cancel': 'Cancel',
    'admin.close': 'Close',
    'admin.saving': 'Saving…',
    'admin.edit': 'Edit',
    'admin.delete': 'Delete',
    'admin.actionOn': '{action}: {name}',
    'admin.colActions': 'Actions',
    'admin.none': '—',
    'admin.err.id': 'Lower-case letters, digits, “-”, “_” (at most 64), starting with a letter or digit.',
    'admin.err.fix': 'Please correct the marked fields.',
  },
};

export const enc = encodeURIComponent;

// The page header (title, the tab's lead, its buttons) and the tabs between the three sections.
export function shell(view, ctx, tab, ...buttons) {
  const { t } = ctx;
  view.append(
    h('div', { class: 'page-header' },
      h('div', {}, h('h1', {}, t('admin.title')), h('p', { class: 'subtitle' }, t(`admin.lead.${tab}`))),
      buttons.length ? h('div', { class: 'toolbar' }, buttons) : null),
    h('nav', { class: 'tabs', 'aria-label': t('admin.tabs') },
      ['sites', 'users', 'settings'].map((k) => h('a', {
        class: 'tab', href: `#/admin/${k}`, 'aria-current': k === tab ? 'page' : null,
      }, t(`admin.tab.${k}`)))));
}

// Asks to confirm a destructive action (`ok` the button's text); resolves true when confirmed.
export function confirmAction(host, ctx, { title, text, ok }) {
  return confirmDialog(host, { title, text, ok, cancel: ctx.t('admin.cancel') });
}

// A dialog with a form (see formDialog in widgets.js); the server's refusal is shown in the form
// and as a toast.
export function adminFormDialog(host, ctx, { title, fields, submitText, onSubmit }) {
  const { t } = ctx;
  return formDialog(host, {
    title, fields, submitText, onSubmit,
    formClass: 'adm-form',
    texts: {
      cancel: t('admin.cancel'),
      saving: t('admin.saving'),
      fix: t('admin.err.fix'),
      failed: (message) => t('admin.failed', { message }),
    },
    onError: (message) => ctx.toast(t('admin.failed', { message }), 'error'),
  });
}

// Shows each [checkedField, message] pair's message ('' clears it); returns the first bad
// control or null.
export function runChecks(checks) {
  let first = null;
  for (const [f, message] of checks) {
    setError(f, message);
    if (message && !first) first = f.control;
  }
  return first;
}

// Loads with `fetchFn` and draws with `drawFn` into `box`; a failure shows a retry button.
export function loader(box, ctx, fetchFn, drawFn) {
  const { t } = ctx;
  let loaded = false;
  async function load() {
    if (!loaded) replace(box, h('p', { class: 'empty' }, t('admin.loading')));
    try {
      const data = await fetchFn();
      loaded = true;
      drawFn(data);
    } catch (e) {
      if (loaded) {
        ctx.toast(t('admin.loadFailed', { message: e.message }), 'error');
        return;
      }
      replace(box, h('div', { class: 'empty', role: 'alert' }, t('admin.loadFailed', { message: e.message }), ' ',
        h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: load }, t('admin.retry'))));
    }
  }
  return load;
}

// Runs an API call from a button; a toast says how it went. Returns whether it succeeded.
export async function act(ctx, button, fn, okText) {
  if (button) button.disabled = true;
  try {
    await fn();
    if (okText) ctx.toast(okText, 'ok');
    return true;
  } catch (e) {
    ctx.toast(ctx.t('admin.failed', { message: e.message }), 'error');
    return false;
  } finally {
    if (button && button.isConnected) button.disabled = false;
  }
}

// A row's action button, named with the row's `name` for screen readers.
export function rowButton(ctx, action, text, name, cls, onClick) {
  const b = h('button', {
    type: 'button', class: `btn btn-small ${cls}`, dataset: { action },
    'aria-label': ctx.t('admin.actionOn', { action: text, name }),
  }, text);
  b.addEventListener('click', () => onClick(b));
  return b;
}
