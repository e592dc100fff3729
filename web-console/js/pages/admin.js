// Administration (admins only), three tabs:
//
//   #/admin/sites     the sites (GET /sites, conference titles from GET /conferences): id, name,
//                     level, kind, expected network and link capacity, presence and the
//                     conference each is in (refreshed on the feed's site/roster events).
//                     Create (POST /sites → {site, token}), edit (PUT /sites/{id}), delete
//                     (DELETE /sites/{id}), renew the room token (POST /sites/{id}/token, confirmed).
//                     A new token is shown once in a dialog, with a Copy button.
//   #/admin/users     console users (GET /users): create (POST /users), edit name/role/password
//                     (PUT /users/{login}), delete (DELETE /users/{login}). An admin may not
//                     delete or demote themselves: those controls are disabled with the reason.
//   #/admin/settings  the MCU's effective configuration (GET /settings), one card per section;
//                     read-only (changed in the configuration file, applied on restart).
//
// Hooks for tests: #new-site, #new-user; rows tr[data-site] / tr[data-user] with
// button[data-action=edit|token|delete]; the token dialog's #token-secret and #token-copy;
// the settings cards section[data-section].

import { h, replace, field, uid } from '../dom.js';
import { checkedField, select, setError } from '../widgets.js';

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
    'admin.level.central': 'Trung ương',
    'admin.level.province': 'Cấp tỉnh',
    'admin.level.district': 'Cấp huyện',
    'admin.level.other': 'Khác',
    'admin.kind.room': 'Phòng họp',
    'admin.kind.cascade': 'Liên kết MCU khác',
    'admin.site.new': 'Thêm điểm cầu',
    'admin.site.empty': 'Chưa có điểm cầu nào.',
    'admin.site.col.id': 'Mã',
    'admin.site.col.name': 'Tên điểm cầu',
    'admin.site.col.level': 'Cấp',
    'admin.site.col.kind': 'Loại',
    'admin.site.col.network': 'Mạng dự kiến',
    'admin.site.col.bandwidth': 'Băng thông',
    'admin.site.col.state': 'Hiện trạng',
    'admin.site.online': 'Trực tuyến',
    'admin.site.offline': 'Ngoại tuyến',
    'admin.site.inConference': 'đang ở',
    'admin.site.kbps': '{n} kb/s',
    'admin.site.token': 'Cấp mã mới',
    'admin.site.createTitle': 'Thêm điểm cầu',
    'admin.site.editTitle': 'Sửa điểm cầu “{name}”',
    'admin.site.id': 'Mã điểm cầu',
    'admin.site.idHint': 'Chữ thường không dấu, số, “-” hoặc “_”; không đổi được sau khi tạo.',
    'admin.site.name': 'Tên điểm cầu',
    'admin.site.level': 'Cấp',
    'admin.site.kind': 'Loại',
    'admin.site.network': 'Mạng dự kiến',
    'admin.site.networkHint': 'Để kỹ thuật viên biết điểm cầu dùng đường mạng nào, ví dụ “WAN tỉnh 10.20.3.0/24”.',
    'admin.site.bandwidth': 'Băng thông dự kiến (kb/s)',
    'admin.site.bandwidthHint': 'Dung lượng đường truyền dự kiến, 0 = chưa xác định.',
    'admin.site.create': 'Thêm điểm cầu',
    'admin.site.save': 'Lưu',
    'admin.site.created': 'Đã thêm điểm cầu “{name}”.',
    'admin.site.saved': 'Đã lưu điểm cầu “{name}”.',
    'admin.site.deleted': 'Đã xóa điểm cầu “{name}”.',
    'admin.site.deleteTitle': 'Xóa điểm cầu?',
    'admin.site.deleteText': 'Điểm cầu “{name}” sẽ bị xóa: kết nối hiện tại bị ngắt, điểm cầu bị gỡ khỏi mọi hội nghị và mã truy cập của nó không dùng được nữa.',
    'admin.site.tokenTitle': 'Cấp mã truy cập mới?',
    'admin.site.tokenText': 'Mã cũ của điểm cầu “{name}” sẽ ngừng hoạt động ngay và phòng họp đang kết nối sẽ bị ngắt. Cần cài mã mới vào thiết bị của phòng họp để kết nối lại.',
    'admin.site.tokenOk': 'Cấp mã mới',
    'admin.token.title': 'Mã truy cập của điểm cầu “{name}”',
    'admin.token.warning': 'Mã này chỉ hiển thị một lần. Hãy sao chép và cài vào thiết bị của phòng họp ngay; sau khi đóng hộp thoại sẽ không xem lại được (chỉ có thể cấp mã mới).',
    'admin.token.usage': 'Cách dùng: mcu-room --token <mã>, hoặc nhập vào trang phòng họp trên trình duyệt.',
    'admin.token.copy': 'Sao chép mã',
    'admin.token.copied': 'Đã sao chép mã vào bộ nhớ tạm.',
    'admin.token.copyFailed': 'Không sao chép tự động được. Mã đã được bôi chọn: hãy nhấn Ctrl+C.',
    'admin.user.new': 'Thêm người dùng',
    'admin.user.empty': 'Chưa có người dùng nào.',
    'admin.user.col.login': 'Tên đăng nhập',
    'admin.user.col.name': 'Họ tên',
    'admin.user.col.role': 'Vai trò',
    'admin.user.you': 'bạn',
    'admin.user.selfNote': 'Bạn không thể tự xóa tài khoản của mình hay tự bỏ vai trò quản trị viên; hãy nhờ một quản trị viên khác.',
    'admin.user.createTitle': 'Thêm người dùng',
    'admin.user.editTitle': 'Sửa người dùng “{login}”',
    'admin.user.login': 'Tên đăng nhập',
    'admin.user.loginHint': 'Chữ thường không dấu, số, “-” hoặc “_”; không đổi được sau khi tạo.',
    'admin.user.name': 'Họ tên',
    'admin.user.role': 'Vai trò',
    'admin.user.roleHint': 'Kỹ thuật viên: xem và giám sát. Chủ trì: thêm lên lịch và điều hành hội nghị. Quản trị viên: thêm quản lý điểm cầu và người dùng.',
    'admin.user.roleSelf': 'Bạn không thể tự bỏ vai trò quản trị viên của mình.',
    'admin.user.password': 'Mật khẩu',
    'admin.user.passwordNew': 'Mật khẩu mới',
    'admin.user.passwordHint': 'Ít nhất 8 ký tự.',
    'admin.user.passwordKeep': 'Để trống nếu giữ mật khẩu cũ. Đổi mật khẩu sẽ đăng xuất người này khỏi mọi phiên đang mở.',
    'admin.user.create': 'Thêm người dùng',
    'admin.user.save': 'Lưu',
    'admin.user.created': 'Đã thêm người dùng “{login}”.',
    'admin.user.saved': 'Đã lưu người dùng “{login}”.',
    'admin.user.deleted': 'Đã xóa người dùng “{login}”.',
    'admin.user.deleteTitle': 'Xóa người dùng?',
    'admin.user.deleteText': 'Tài khoản “{login}” ({name}) sẽ bị xóa cùng mọi phiên đăng nhập và mã API của người đó.',
    'admin.role.admin': 'Quản trị viên',
    'admin.role.host': 'Chủ trì',
    'admin.role.technician': 'Kỹ thuật viên',
    'admin.settings.note': 'Cấu hình được thay đổi trong tệp cấu hình của MCU và có hiệu lực sau khi khởi động lại dịch vụ. Điểm cầu và người dùng được quản lý ở các mục tương ứng.',
    'admin.settings.missing': 'Phiên bản MCU này chưa hỗ trợ xem cấu hình trên bảng điều khiển. Hãy xem tệp cấu hình trên máy chủ MCU.',
    'admin.settings.empty': '(trống)',
    'admin.settings.on': 'Bật',
    'admin.settings.off': 'Tắt',
    'admin.settings.noKeys': 'Không có mục nào.',
    'admin.settings.section.server': 'Máy chủ',
    'admin.settings.section.media': 'Truyền tải hình ảnh, âm thanh',
    'admin.settings.section.schedule': 'Lịch hội nghị',
    'admin.settings.section.alarms': 'Ngưỡng cảnh báo',
    'admin.settings.section.limits': 'Giới hạn',
    'admin.settings.section.log': 'Nhật ký',
    'admin.err.id': 'Chỉ gồm chữ thường không dấu, số, “-”, “_” (tối đa 64 ký tự), bắt đầu bằng chữ hoặc số.',
    'admin.err.name': 'Hãy nhập tên (tối đa 200 ký tự).',
    'admin.err.network': 'Tối đa 200 ký tự.',
    'admin.err.bandwidth': 'Một số nguyên từ 0 đến 100000.',
    'admin.err.userName': 'Tối đa 200 ký tự.',
    'admin.err.password': 'Mật khẩu cần ít nhất 8 ký tự.',
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
    'admin.level.central': 'Central',
    'admin.level.province': 'Province',
    'admin.level.district': 'District',
    'admin.level.other': 'Other',
    'admin.kind.room': 'Meeting room',
    'admin.kind.cascade': 'Link to another MCU',
    'admin.site.new': 'Add site',
    'admin.site.empty': 'There are no sites yet.',
    'admin.site.col.id': 'Id',
    'admin.site.col.name': 'Site name',
    'admin.site.col.level': 'Level',
    'admin.site.col.kind': 'Kind',
    'admin.site.col.network': 'Expected network',
    'admin.site.col.bandwidth': 'Bandwidth',
    'admin.site.col.state': 'Status',
    'admin.site.online': 'Online',
    'admin.site.offline': 'Offline',
    'admin.site.inConference': 'in',
    'admin.site.kbps': '{n} kb/s',
    'admin.site.token': 'New token',
    'admin.site.createTitle': 'Add a site',
    'admin.site.editTitle': 'Edit site “{name}”',
    'admin.site.id': 'Site id',
    'admin.site.idHint': 'Lower-case letters without accents, digits, “-” or “_”; fixed once created.',
    'admin.site.name': 'Site name',
    'admin.site.level': 'Level',
    'admin.site.kind': 'Kind',
    'admin.site.network': 'Expected network',
    'admin.site.networkHint': 'Tells technicians which link the site uses, e.g. “Province WAN 10.20.3.0/24”.',
    'admin.site.bandwidth': 'Expected bandwidth (kb/s)',
    'admin.site.bandwidthHint': 'The link’s expected capacity; 0 = not set.',
    'admin.site.create': 'Add site',
    'admin.site.save': 'Save',
    'admin.site.created': 'Site “{name}” added.',
    'admin.site.saved': 'Site “{name}” saved.',
    'admin.site.deleted': 'Site “{name}” deleted.',
    'admin.site.deleteTitle': 'Delete the site?',
    'admin.site.deleteText': 'Site “{name}” is deleted: its connection is closed, it is removed from every conference and its token stops working.',
    'admin.site.tokenTitle': 'Issue a new access token?',
    'admin.site.tokenText': 'The old token of “{name}” stops working at once and the room, if connected, is disconnected. The new token must be installed in the room’s device for it to connect again.',
    'admin.site.tokenOk': 'Issue new token',
    'admin.token.title': 'Access token of “{name}”',
    'admin.token.warning': 'This token is shown only once. Copy it and install it in the room’s device now; once this dialog is closed it cannot be shown again (only replaced).',
    'admin.token.usage': 'Use: mcu-room --token <token>, or enter it in the browser room page.',
    'admin.token.copy': 'Copy token',
    'admin.token.copied': 'The token is copied to the clipboard.',
    'admin.token.copyFailed': 'Could not copy automatically. The token is selected: press Ctrl+C.',
    'admin.user.new': 'Add user',
    'admin.user.empty': 'There are no users yet.',
    'admin.user.col.login': 'Login',
    'admin.user.col.name': 'Name',
    'admin.user.col.role': 'Role',
    'admin.user.you': 'you',
    'admin.user.selfNote': 'You cannot delete your own account or give up your own administrator role; ask another administrator.',
    'admin.user.createTitle': 'Add a user',
    'admin.user.editTitle': 'Edit user “{login}”',
    'admin.user.login': 'Login',
    'admin.user.loginHint': 'Lower-case letters without accents, digits, “-” or “_”; fixed once created.',
    'admin.user.name': 'Name',
    'admin.user.role': 'Role',
    'admin.user.roleHint': 'Technician: watches and monitors. Host: also schedules and runs conferences. Administrator: also manages sites and users.',
    'admin.user.roleSelf': 'You cannot give up your own administrator role.',
    'admin.user.password': 'Password',
    'admin.user.passwordNew': 'New password',
    'admin.user.passwordHint': 'At least 8 characters.',
    'admin.user.passwordKeep': 'Leave empty to keep the password. A new password logs this user out of every open session.',
    'admin.user.create': 'Add user',
    'admin.user.save': 'Save',
    'admin.user.created': 'User “{login}” added.',
    'admin.user.saved': 'User “{login}” saved.',
    'admin.user.deleted': 'User “{login}” deleted.',
    'admin.user.deleteTitle': 'Delete the user?',
    'admin.user.deleteText': 'Account “{login}” ({name}) is deleted with its sessions and API tokens.',
    'admin.role.admin': 'Administrator',
    'admin.role.host': 'Host',
    'admin.role.technician': 'Technician',
    'admin.settings.note': 'Settings are changed in the MCU’s configuration file and take effect when the service restarts. Sites and users are managed in their own sections.',
    'admin.settings.missing': 'This MCU version cannot show its settings in the console yet. See the configuration file on the MCU server.',
    'admin.settings.empty': '(empty)',
    'admin.settings.on': 'On',
    'admin.settings.off': 'Off',
    'admin.settings.noKeys': 'Nothing here.',
    'admin.settings.section.server': 'Server',
    'admin.settings.section.media': 'Media transport',
    'admin.settings.section.schedule': 'Schedule',
    'admin.settings.section.alarms': 'Alarm thresholds',
    'admin.settings.section.limits': 'Limits',
    'admin.settings.section.log': 'Log',
    'admin.err.id': 'Lower-case letters, digits, “-”, “_” (at most 64), starting with a letter or digit.',
    'admin.err.name': 'Enter a name (at most 200 characters).',
    'admin.err.network': 'At most 200 characters.',
    'admin.err.bandwidth': 'A whole number from 0 to 100000.',
    'admin.err.userName': 'At most 200 characters.',
    'admin.err.password': 'The password needs at least 8 characters.',
    'admin.err.fix': 'Please correct the marked fields.',
  },
};

const LEVELS = ['central', 'province', 'district', 'other'];
const KINDS = ['room', 'cascade'];
const ROLES = ['technician', 'host', 'admin'];
const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const enc = encodeURIComponent;

// ---- Shared pieces ---------------------------------------------------------------------------

// The page header (title, the tab's lead, its buttons) and the tabs between the three sections.
function shell(view, ctx, tab, ...buttons) {
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

// A modal <dialog> in `host` (the page's view, so it goes with the page), removed once closed;
// the focus goes back to what opened it.
// `opener` (default: the focused element) gets the focus back.
function modal(host, title, content, opener = document.activeElement) {
  const restoreFocus = focusRestorer(opener);
  const titleEl = h('h2', { id: uid('adm-dlg') }, title);
  const dialog = h('dialog', { class: 'modal mg-dialog', 'aria-labelledby': titleEl.id }, h('div', { class: 'modal-body' }, titleEl, content));
  dialog.addEventListener('close', () => {
    dialog.remove();
    restoreFocus();
  });
  host.append(dialog);
  dialog.showModal();
  return dialog;
}

// Gives the focus back to `el`, or, if its table was drawn again meanwhile, to the same row's
// button with the same data-action.
function focusRestorer(el) {
  const row = el && el.closest ? el.closest('tr[data-site], tr[data-user]') : null;
  const selector = row && el.dataset.action
    ? `tr[${row.dataset.site !== undefined ? 'data-site' : 'data-user'}="${CSS.escape(row.dataset.site ?? row.dataset.user)}"] [data-action="${CSS.escape(el.dataset.action)}"]`
    : null;
  return () => {
    const target = el && el.isConnected ? el : selector ? document.querySelector(selector) : null;
    if (target && target.focus && !document.querySelector('dialog[open]')) target.focus();
  };
}

// Asks to confirm a destructive action; resolves true when confirmed (Escape/Cancel: false).
function confirmDialog(host, ctx, { title, text, ok }) {
  return new Promise((resolve) => {
    const cancel = h('button', { type: 'submit', value: 'cancel', class: 'btn btn-secondary' }, ctx.t('admin.cancel'));
    const dialog = modal(host, title, h('form', { method: 'dialog' },
      h('p', {}, text),
      h('div', { class: 'form-footer' }, cancel, h('button', { type: 'submit', value: 'ok', class: 'btn btn-danger' }, ok))));
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'));
    cancel.focus();
  });
}

function runChecks(checks) {
  let first = null;
  for (const [f, message] of checks) {
    setError(f, message);
    if (message && !first) first = f.control;
  }
  return first;
}

// A dialog with a form: `fields` (nodes), `onSubmit(form)` returns a promise (or false when
// the form is invalid); the server's refusal is shown in the form and as a toast.
function formDialog(host, ctx, { title, fields, submitText, onSubmit }) {
  const { t } = ctx;
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, submitText);
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary' }, t('admin.cancel'));
  const form = h('form', { class: 'adm-form', novalidate: true }, h('div', { class: 'adm-form-fields' }, fields), error,
    h('div', { class: 'form-footer' }, cancel, submit));
  const dialog = modal(host, title, form);
  cancel.addEventListener('click', () => dialog.close());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    submit.textContent = t('admin.saving');
    try {
      const done = await onSubmit(form);
      if (done === false) {
        error.textContent = t('admin.err.fix');
        error.hidden = false;
      } else {
        dialog.close();
      }
    } catch (err) {
      error.textContent = t('admin.failed', { message: err.message });
      error.hidden = false;
      ctx.toast(t('admin.failed', { message: err.message }), 'error');
    } finally {
      submit.disabled = false;
      submit.textContent = submitText;
    }
  });
  const first = form.querySelector('input:not([disabled]), select:not([disabled])');
  if (first) first.focus();
  return dialog;
}

// Loads with `fetchFn` and draws with `drawFn` into `box`; a failure shows a retry button.
function loader(box, ctx, fetchFn, drawFn) {
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
async function act(ctx, button, fn, okText) {
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

function rowButton(ctx, action, text, name, cls, onClick) {
  const b = h('button', {
    type: 'button', class: `btn btn-small ${cls}`, dataset: { action },
    'aria-label': ctx.t('admin.actionOn', { action: text, name }),
  }, text);
  b.addEventListener('click', () => onClick(b));
  return b;
}

// ---- Sites -----------------------------------------------------------------------------------

async function renderSites(view, ctx) {
  const { t, api } = ctx;
  const box = h('div', { class: 'adm-body' });
  const newButton = h('button', { type: 'button', class: 'btn btn-primary', id: 'new-site' }, t('admin.site.new'));
  shell(view, ctx, 'sites', newButton);
  view.append(box);

  let sites = [];
  let titles = new Map();
  const load = loader(box, ctx, async () => {
    const [list, confs] = await Promise.all([api.get('/sites'), api.get('/conferences').catch(() => [])]);
    return { list, confs };
  }, ({ list, confs }) => {
    sites = Array.isArray(list) ? list : [];
    titles = new Map((Array.isArray(confs) ? confs : []).map((c) => [c.id, c.title]));
    draw();
  });

  function draw() {
    const a = document.activeElement;
    const focusKey = a && box.contains(a) && a.dataset.action ? [a.closest('[data-site]')?.dataset.site, a.dataset.action] : null;
    replace(box, sitesTable(ctx, sites, titles, { edit, token, remove }));
    if (focusKey) box.querySelector(`[data-site="${CSS.escape(focusKey[0] || '')}"] [data-action="${focusKey[1]}"]`)?.focus();
  }

  function edit(site) {
    siteDialog(view, ctx, site, async (saved) => {
      if (saved.token) showToken(view, ctx, saved.site.name, saved.token, newButton);
      await load();
    });
  }
  async function token(site, button) {
    const ok = await confirmDialog(view, ctx, {
      title: t('admin.site.tokenTitle'), text: t('admin.site.tokenText', { name: site.name }), ok: t('admin.site.tokenOk'),
    });
    if (!ok) return;
    let answer;
    if (await act(ctx, button, async () => { answer = await api.post(`/sites/${enc(site.id)}/token`); }))
      showToken(view, ctx, site.name, answer.token, button);
    load();
  }
  async function remove(site, button) {
    const ok = await confirmDialog(view, ctx, {
      title: t('admin.site.deleteTitle'), text: t('admin.site.deleteText', { name: site.name }), ok: t('admin.delete'),
    });
    if (ok && await act(ctx, button, () => api.del(`/sites/${enc(site.id)}`), t('admin.site.deleted', { name: site.name }))) load();
  }
  newButton.addEventListener('click', () => edit(null));

  let timer = 0;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(load, 800);
  };
  const unsubs = [ctx.feed.on('site', soon), ctx.feed.on('roster', soon), ctx.feed.on('conference', soon)];
  await load();
  return () => {
    clearTimeout(timer);
    for (const u of unsubs) u();
  };
}

function sitesTable(ctx, sites, titles, actions) {
  const { t } = ctx;
  if (!sites.length) return h('div', { class: 'table-wrap' }, h('p', { class: 'empty' }, t('admin.site.empty')));
  const order = (s) => LEVELS.indexOf(s.level) < 0 ? LEVELS.length : LEVELS.indexOf(s.level);
  const sorted = [...sites].sort((a, b) => order(a) - order(b) || a.id.localeCompare(b.id, 'vi', { numeric: true }));
  const cols = ['id', 'name', 'level', 'kind', 'network', 'bandwidth', 'state'];
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data mg-table adm-sites' },
      h('thead', {}, h('tr', {},
        cols.map((k) => h('th', { scope: 'col', class: k === 'bandwidth' ? 'num' : null }, t(`admin.site.col.${k}`))),
        h('th', { scope: 'col', class: 'adm-actions-head' }, t('admin.colActions')))),
      h('tbody', {}, sorted.map((s) => siteRow(ctx, s, titles, actions)))));
}

function siteRow(ctx, s, titles, actions) {
  const { t } = ctx;
  const bw = Number(s.bandwidthKbps);
  return h('tr', { dataset: { site: s.id, online: String(Boolean(s.online)) } },
    h('td', { class: 'adm-code' }, s.id),
    h('th', { scope: 'row', class: 'adm-name' }, s.name),
    h('td', {}, LEVELS.includes(s.level) ? t(`admin.level.${s.level}`) : s.level || t('admin.none')),
    h('td', {}, KINDS.includes(s.kind) ? t(`admin.kind.${s.kind}`) : s.kind || t('admin.none')),
    h('td', { class: 'adm-network' }, s.network || h('span', { class: 'adm-muted' }, t('admin.none'))),
    h('td', { class: 'num' }, bw > 0 ? t('admin.site.kbps', { n: bw.toLocaleString('vi-VN') }) : h('span', { class: 'adm-muted' }, t('admin.none'))),
    h('td', { class: 'adm-presence' },
      h('span', { class: `state ${s.online ? 'state-online' : 'state-offline'}` }, t(s.online ? 'admin.site.online' : 'admin.site.offline')),
      s.conference ? h('span', { class: 'adm-in-conf' }, t('admin.site.inConference'), ' ',
        h('a', { href: `#/live/${enc(s.conference)}` }, titles.get(s.conference) || s.conference)) : null),
    h('td', { class: 'adm-actions' }, h('div', { class: 'adm-actions-row' },
      rowButton(ctx, 'edit', t('admin.edit'), s.name, 'btn-secondary', () => actions.edit(s)),
      rowButton(ctx, 'token', t('admin.site.token'), s.name, 'btn-secondary', (b) => actions.token(s, b)),
      rowButton(ctx, 'delete', t('admin.delete'), s.name, 'btn-danger-outline', (b) => actions.remove(s, b)))));
}

// The create/edit dialog of a site. `done({site, token?})` after the server accepted.
function siteDialog(host, ctx, site, done) {
  const { t, api } = ctx;
  const f = {
    id: site ? null : checkedField(t('admin.site.id'),
      h('input', { name: 'id', maxlength: 64, required: true, spellcheck: 'false', autocapitalize: 'none', autocomplete: 'off' }), t('admin.site.idHint')),
    name: checkedField(t('admin.site.name'), h('input', { name: 'name', maxlength: 200, required: true, autocomplete: 'off', value: site ? site.name : '' })),
    level: field(t('admin.site.level'), select('level', LEVELS.map((l) => [l, t(`admin.level.${l}`)]), site ? site.level : 'district')),
    kind: field(t('admin.site.kind'), select('kind', KINDS.map((k) => [k, t(`admin.kind.${k}`)]), site ? site.kind : 'room')),
    network: checkedField(t('admin.site.network'), h('input', { name: 'network', maxlength: 200, autocomplete: 'off', value: site ? site.network || '' : '' }), t('admin.site.networkHint')),
    bandwidth: checkedField(t('admin.site.bandwidth'),
      h('input', { name: 'bandwidthKbps', type: 'number', min: 0, max: 100000, step: 1, inputmode: 'numeric', value: String(site && site.bandwidthKbps ? site.bandwidthKbps : 0) }),
      t('admin.site.bandwidthHint')),
  };
  formDialog(host, ctx, {
    title: site ? t('admin.site.editTitle', { name: site.name }) : t('admin.site.createTitle'),
    submitText: site ? t('admin.site.save') : t('admin.site.create'),
    fields: [f.id ? f.id.wrap : null, f.name.wrap, h('div', { class: 'adm-pair' }, f.level, f.kind), f.network.wrap, f.bandwidth.wrap],
    onSubmit: async (form) => {
      const bw = f.bandwidth.control.value === '' ? 0 : Number(f.bandwidth.control.value);
      const name = f.name.control.value.trim();
      const bad = runChecks([
        ...(f.id ? [[f.id, ID_PATTERN.test(f.id.control.value) ? '' : t('admin.err.id')]] : []),
        [f.name, name && name.length <= 200 ? '' : t('admin.err.name')],
        [f.network, f.network.control.value.length <= 200 ? '' : t('admin.err.network')],
        [f.bandwidth, Number.isInteger(bw) && bw >= 0 && bw <= 100000 ? '' : t('admin.err.bandwidth')],
      ]);
      if (bad) {
        bad.focus();
        return false;
      }
      const body = { name, level: form.elements.level.value, kind: form.elements.kind.value, network: f.network.control.value.trim(), bandwidthKbps: bw };
      if (site) {
        const saved = await api.put(`/sites/${enc(site.id)}`, body);
        ctx.toast(t('admin.site.saved', { name }), 'ok');
        done({ site: saved });
      } else {
        const answer = await api.post('/sites', { id: f.id.control.value, ...body });
        ctx.toast(t('admin.site.created', { name }), 'ok');
        done(answer);
      }
      return true;
    },
  });
}

// The token, once: a dialog with the token, Copy, and the warning that it will not be shown again.
function showToken(host, ctx, name, token, opener) {
  const { t } = ctx;
  const secret = h('div', { class: 'secret', id: 'token-secret' }, token);
  const warning = h('p', { class: 'adm-token-warning', id: uid('adm-warn') }, t('admin.token.warning'));
  const copy = h('button', { type: 'button', class: 'btn btn-secondary', id: 'token-copy', 'aria-describedby': warning.id }, t('admin.token.copy'));
  const close = h('button', { type: 'button', class: 'btn btn-primary' }, t('admin.close'));
  const dialog = modal(host, t('admin.token.title', { name }), [
    warning, secret,
    h('p', { class: 'field-hint adm-token-usage' }, t('admin.token.usage')),
    h('div', { class: 'form-footer' }, copy, close)], opener);
  dialog.classList.add('adm-token-dialog');
  close.addEventListener('click', () => dialog.close());
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(token);
      ctx.toast(t('admin.token.copied'), 'ok');
    } catch {
      const range = document.createRange();
      range.selectNodeContents(secret);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      ctx.toast(t('admin.token.copyFailed'), 'info');
    }
  });
  copy.focus();
}

// ---- Users -----------------------------------------------------------------------------------

async function renderUsers(view, ctx) {
  const { t, api } = ctx;
  const box = h('div', { class: 'adm-body' });
  const newButton = h('button', { type: 'button', class: 'btn btn-primary', id: 'new-user' }, t('admin.user.new'));
  shell(view, ctx, 'users', newButton);
  view.append(box);
  let users = [];
  const load = loader(box, ctx, () => api.get('/users'), (list) => {
    users = Array.isArray(list) ? list : [];
    replace(box, usersTable(ctx, users, { edit, remove }));
  });

  function edit(user) {
    userDialog(view, ctx, user, load);
  }
  async function remove(user, button) {
    const ok = await confirmDialog(view, ctx, {
      title: t('admin.user.deleteTitle'), text: t('admin.user.deleteText', { login: user.login, name: user.name || user.login }), ok: t('admin.delete'),
    });
    if (ok && await act(ctx, button, () => api.del(`/users/${enc(user.login)}`), t('admin.user.deleted', { login: user.login }))) load();
  }
  newButton.addEventListener('click', () => edit(null));
  await load();
}

function usersTable(ctx, users, actions) {
  const { t } = ctx;
  if (!users.length) return h('div', { class: 'table-wrap' }, h('p', { class: 'empty' }, t('admin.user.empty')));
  const noteId = uid('adm-self');
  const rank = { admin: 0, host: 1, technician: 2 };
  const sorted = [...users].sort((a, b) => (rank[a.role] ?? 3) - (rank[b.role] ?? 3) || a.login.localeCompare(b.login));
  return [
    h('div', { class: 'table-wrap' },
      h('table', { class: 'data mg-table adm-users' },
        h('thead', {}, h('tr', {},
          ['login', 'name', 'role'].map((k) => h('th', { scope: 'col' }, t(`admin.user.col.${k}`))),
          h('th', { scope: 'col', class: 'adm-actions-head' }, t('admin.colActions')))),
        h('tbody', {}, sorted.map((u) => userRow(ctx, u, noteId, actions))))),
    h('p', { class: 'adm-note', id: noteId }, t('admin.user.selfNote')),
  ];
}

function userRow(ctx, u, noteId, actions) {
  const { t } = ctx;
  const self = ctx.user && u.login === ctx.user.login;
  const del = rowButton(ctx, 'delete', t('admin.delete'), u.login, 'btn-danger-outline', (b) => actions.remove(u, b));
  if (self) {
    del.disabled = true;
    del.title = t('admin.user.selfNote');
    del.setAttribute('aria-describedby', noteId);
  }
  return h('tr', { dataset: { user: u.login } },
    h('th', { scope: 'row', class: 'adm-code' }, u.login, self ? h('span', { class: 'adm-you' }, t('admin.user.you')) : null),
    h('td', {}, u.name || h('span', { class: 'adm-muted' }, t('admin.none'))),
    h('td', {}, h('span', { class: `adm-role adm-role-${u.role}` }, ROLES.includes(u.role) ? t(`admin.role.${u.role}`) : u.role)),
    h('td', { class: 'adm-actions' }, h('div', { class: 'adm-actions-row' },
      rowButton(ctx, 'edit', t('admin.edit'), u.login, 'btn-secondary', () => actions.edit(u)), del)));
}

function userDialog(host, ctx, user, done) {
  const { t, api } = ctx;
  const self = user && ctx.user && user.login === ctx.user.login && user.role === 'admin';
  const f = {
    login: user ? null : checkedField(t('admin.user.login'),
      h('input', { name: 'login', maxlength: 64, required: true, spellcheck: 'false', autocapitalize: 'none', autocomplete: 'off' }), t('admin.user.loginHint')),
    name: checkedField(t('admin.user.name'), h('input', { name: 'name', maxlength: 200, autocomplete: 'off', value: user ? user.name : '' })),
    role: field(t('admin.user.role'), select('role', ROLES.map((r) => [r, t(`admin.role.${r}`)]), user ? user.role : 'technician'),
      self ? t('admin.user.roleSelf') : t('admin.user.roleHint')),
    password: checkedField(t(user ? 'admin.user.passwordNew' : 'admin.user.password'),
      h('input', { name: 'password', type: 'password', minlength: 8, maxlength: 256, autocomplete: 'new-password', required: !user }),
      t(user ? 'admin.user.passwordKeep' : 'admin.user.passwordHint')),
  };
  if (self) f.role.querySelector('select').disabled = true;
  formDialog(host, ctx, {
    title: user ? t('admin.user.editTitle', { login: user.login }) : t('admin.user.createTitle'),
    submitText: user ? t('admin.user.save') : t('admin.user.create'),
    fields: [f.login ? f.login.wrap : null, f.name.wrap, f.role, f.password.wrap],
    onSubmit: async (form) => {
      const password = f.password.control.value;
      const name = f.name.control.value.trim();
      const bad = runChecks([
        ...(f.login ? [[f.login, ID_PATTERN.test(f.login.control.value) ? '' : t('admin.err.id')]] : []),
        [f.name, name.length <= 200 ? '' : t('admin.err.userName')],
        [f.password, (user && password === '') || password.length >= 8 ? '' : t('admin.err.password')],
      ]);
      if (bad) {
        bad.focus();
        return false;
      }
      const body = { name };
      if (!self) body.role = form.elements.role.value;
      if (password) body.password = password;
      if (user) {
        await api.put(`/users/${enc(user.login)}`, body);
        ctx.toast(t('admin.user.saved', { login: user.login }), 'ok');
      } else {
        const login = f.login.control.value;
        await api.post('/users', { login, ...body });
        ctx.toast(t('admin.user.created', { login }), 'ok');
      }
      done();
      return true;
    },
  });
}

// ---- Settings --------------------------------------------------------------------------------

async function renderSettings(view, ctx) {
  const { t, api } = ctx;
  shell(view, ctx, 'settings');
  const box = h('div', { class: 'adm-body' });
  view.append(box);
  let settings;
  try {
    settings = await api.get('/settings');
  } catch (e) {
    if (!ctx.current()) return;
    replace(box, e.status === 404
      ? h('div', { class: 'card adm-missing', role: 'status' }, t('admin.settings.missing'))
      : h('p', { class: 'empty', role: 'alert' }, t('admin.loadFailed', { message: e.message })));
    return;
  }
  if (!ctx.current()) return;
  const known = ['server', 'media', 'schedule', 'alarms', 'limits', 'log'];
  const rank = (k) => (known.includes(k) ? known.indexOf(k) : known.length);
  const sections = settings && typeof settings === 'object'
    ? Object.entries(settings).sort(([a], [b]) => rank(a) - rank(b)) : [];
  replace(box,
    h('p', { class: 'banner banner-notice adm-settings-note' }, t('admin.settings.note')),
    h('div', { class: 'adm-settings' }, sections.map(([name, values]) => settingsCard(ctx, name, values))));
}

function settingsCard(ctx, name, values) {
  const { t, i18n } = ctx;
  const key = `admin.settings.section.${name}`;
  const titleId = uid('adm-sec');
  const entries = values && typeof values === 'object' && !Array.isArray(values) ? Object.entries(values) : [['', values]];
  return h('section', { class: 'card adm-settings-card', dataset: { section: name }, 'aria-labelledby': titleId },
    h('h2', { class: 'card-title', id: titleId }, i18n.has(key) ? t(key) : name, h('code', { class: 'adm-section-key' }, name)),
    entries.length
      ? h('dl', { class: 'kv adm-kv' }, entries.map(([k, v]) => [h('dt', {}, k), h('dd', {}, settingValue(ctx, v))]))
      : h('p', { class: 'adm-muted' }, t('admin.settings.noKeys')));
}

// A setting's value as text: booleans on/off, lists joined, nested objects as compact JSON.
function settingValue(ctx, v) {
  const { t } = ctx;
  const empty = () => h('span', { class: 'adm-muted' }, t('admin.settings.empty'));
  if (v === null || v === undefined || v === '') return empty();
  if (typeof v === 'boolean') return h('span', { class: `adm-bool adm-bool-${v}` }, t(v ? 'admin.settings.on' : 'admin.settings.off'));
  if (Array.isArray(v)) return v.length ? v.map((x) => (x && typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ') : empty();
  if (typeof v === 'object') return h('code', {}, JSON.stringify(v));
  return String(v);
}

export const routes = [
  { path: '/admin/sites', roles: ['admin'], title: 'admin.tab.sites', render: renderSites },
  { path: '/admin/users', roles: ['admin'], title: 'admin.tab.users', render: renderUsers },
  { path: '/admin/settings', roles: ['admin'], title: 'admin.tab.settings', render: renderSettings },
];
