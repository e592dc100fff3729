// #/admin/users: the console's users (GET /users): create (POST /users), edit name/role/password
// (PUT /users/{login}; a new password or role revokes the user's API tokens), delete (DELETE
// /users/{login}, confirmed), and each user's API tokens with their expiry (GET
// /tokens?user=<login>), each revocable (DELETE /tokens/{id}, confirmed). An admin may not
// delete or demote themselves: those controls are disabled with the reason. Hooks for tests:
// #new-user; rows tr[data-user] with button[data-action=edit|tokens|delete]; the tokens dialog's
// rows tr[data-token] with button[data-action=revoke], or its p.empty.

import { h, replace, field, fmtDateTime, uid } from '../../dom.js';
import { ID_PATTERN } from '../../logic/conferences.js';
import { checkedField, modal, select } from '../../widgets.js';
import { act, adminFormDialog, confirmAction, enc, loader, rowButton, runChecks, shell } from './common.js';

export const strings = {
  vi: {
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
    'admin.user.passwordKeep': 'Để trống nếu giữ mật khẩu cũ. Đổi mật khẩu sẽ đăng xuất người này khỏi mọi phiên đang mở và thu hồi mọi mã API của họ; đổi vai trò cũng thu hồi mã API.',
    'admin.user.create': 'Thêm người dùng',
    'admin.user.save': 'Lưu',
    'admin.user.created': 'Đã thêm người dùng “{login}”.',
    'admin.user.saved': 'Đã lưu người dùng “{login}”.',
    'admin.user.deleted': 'Đã xóa người dùng “{login}”.',
    'admin.user.deleteTitle': 'Xóa người dùng?',
    'admin.user.deleteText': 'Tài khoản “{login}” ({name}) sẽ bị xóa cùng mọi phiên đăng nhập và mã API của người đó.',
    'admin.user.tokens': 'Mã API',
    'admin.user.tokensTitle': 'Mã API của “{login}”',
    'admin.user.tokensLead': 'Các mã API (dùng cho script, giám sát) mà người này đã tạo. Mã hết hạn thì ngừng hoạt động; thu hồi một mã sẽ làm nó ngừng hoạt động ngay.',
    'admin.user.tokensEmpty': 'Người này không có mã API nào còn hiệu lực.',
    'admin.user.token.col.name': 'Tên mã',
    'admin.user.token.col.created': 'Tạo lúc',
    'admin.user.token.col.expires': 'Hết hạn',
    'admin.user.token.revoke': 'Thu hồi',
    'admin.user.token.revokeTitle': 'Thu hồi mã API?',
    'admin.user.token.revokeText': 'Mã “{name}” của “{login}” sẽ ngừng hoạt động ngay; các script đang dùng mã này sẽ bị từ chối.',
    'admin.user.token.revoked': 'Đã thu hồi mã “{name}”.',
    'admin.role.admin': 'Quản trị viên',
    'admin.role.host': 'Chủ trì',
    'admin.role.technician': 'Kỹ thuật viên',
    'admin.err.userName': 'Tối đa 200 ký tự.',
    'admin.err.password': 'Mật khẩu cần ít nhất 8 ký tự.',
  },
  en: {
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
    'admin.user.passwordKeep': 'Leave empty to keep the password. A new password logs this user out of every open session and revokes all their API tokens; a new role also revokes their API tokens.',
    'admin.user.create': 'Add user',
    'admin.user.save': 'Save',
    'admin.user.created': 'User “{login}” added.',
    'admin.user.saved': 'User “{login}” saved.',
    'admin.user.deleted': 'User “{login}” deleted.',
    'admin.user.deleteTitle': 'Delete the user?',
    'admin.user.deleteText': 'Account “{login}” ({name}) is deleted with its sessions and API tokens.',
    'admin.user.tokens': 'API tokens',
    'admin.user.tokensTitle': 'API tokens of “{login}”',
    'admin.user.tokensLead': 'The API tokens (for scripts and monitoring) this user made. A token stops working when it expires; revoking one stops it at once.',
    'admin.user.tokensEmpty': 'This user has no API token in force.',
    'admin.user.token.col.name': 'Name',
    'admin.user.token.col.created': 'Created',
    'admin.user.token.col.expires': 'Expires',
    'admin.user.token.revoke': 'Revoke',
    'admin.user.token.revokeTitle': 'Revoke the API token?',
    'admin.user.token.revokeText': 'Token “{name}” of “{login}” stops working at once; scripts that use it are refused.',
    'admin.user.token.revoked': 'Token “{name}” revoked.',
    'admin.role.admin': 'Administrator',
    'admin.role.host': 'Host',
    'admin.role.technician': 'Technician',
    'admin.err.userName': 'At most 200 characters.',
    'admin.err.password': 'The password needs at least 8 characters.',
  },
};

const ROLES = ['technician', 'host', 'admin'];

export async function renderUsers(view, ctx) {
  const { t, api } = ctx;
  const box = h('div', { class: 'adm-body' });
  const newButton = h('button', { type: 'button', class: 'btn btn-primary', id: 'new-user' }, t('admin.user.new'));
  shell(view, ctx, 'users', newButton);
  view.append(box);
  let users = [];
  const load = loader(box, ctx, () => api.get('/users'), (list) => {
    users = Array.isArray(list) ? list : [];
    replace(box, usersTable(ctx, users, { edit, remove, tokens }));
  });

  function tokens(user) {
    tokensDialog(view, ctx, user);
  }
  function edit(user) {
    userDialog(view, ctx, user, load);
  }
  async function remove(user, button) {
    const ok = await confirmAction(view, ctx, {
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
      rowButton(ctx, 'edit', t('admin.edit'), u.login, 'btn-secondary', () => actions.edit(u)),
      rowButton(ctx, 'tokens', t('admin.user.tokens'), u.login, 'btn-secondary', () => actions.tokens(u)), del)));
}

// The user's API tokens with their expiry, each revocable (confirmed); the list is read again
// after each revocation.
function tokensDialog(host, ctx, user) {
  const { t, api } = ctx;
  const box = h('div', { class: 'adm-body' });
  const load = loader(box, ctx, () => api.get(`/tokens?user=${enc(user.login)}`), (list) => {
    const tokens = Array.isArray(list) ? list : [];
    if (!tokens.length) {
      replace(box, h('p', { class: 'empty' }, t('admin.user.tokensEmpty')));
      return;
    }
    replace(box, h('div', { class: 'table-wrap' },
      h('table', { class: 'data mg-table adm-tokens' },
        h('thead', {}, h('tr', {},
          ['name', 'created', 'expires'].map((k) => h('th', { scope: 'col' }, t(`admin.user.token.col.${k}`))),
          h('th', { scope: 'col', class: 'adm-actions-head' }, t('admin.colActions')))),
        h('tbody', {}, tokens.map((tk) => h('tr', { dataset: { token: String(tk.id) } },
          h('th', { scope: 'row' }, tk.name),
          h('td', {}, fmtDateTime(Date.parse(tk.created))),
          h('td', {}, fmtDateTime(Date.parse(tk.expires))),
          h('td', { class: 'adm-actions' },
            rowButton(ctx, 'revoke', t('admin.user.token.revoke'), tk.name, 'btn-danger-outline', (b) => revoke(tk, b)))))))));
  });
  async function revoke(token, button) {
    const ok = await confirmAction(host, ctx, {
      title: t('admin.user.token.revokeTitle'),
      text: t('admin.user.token.revokeText', { name: token.name, login: user.login }),
      ok: t('admin.user.token.revoke'),
    });
    if (ok && await act(ctx, button, () => api.del(`/tokens/${token.id}`), t('admin.user.token.revoked', { name: token.name }))) load();
  }
  modal(host, {
    title: t('admin.user.tokensTitle', { login: user.login }),
    content: h('form', { method: 'dialog' },
      h('p', { class: 'adm-note' }, t('admin.user.tokensLead')),
      box,
      h('div', { class: 'form-footer' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('admin.close')))),
  });
  load();
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
  adminFormDialog(host, ctx, {
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
