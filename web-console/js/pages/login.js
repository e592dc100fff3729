// Login: a console user's login and password (POST /api/v1/session). After five wrong passwords
// the MCU refuses that login for a few minutes; the page says so.

import { h, field } from '../dom.js';

export const strings = {
  vi: {
    'login.title': 'Đăng nhập',
    'login.lead': 'Bảng điều khiển hội nghị truyền hình: lên lịch, điều hành và giám sát các điểm cầu.',
    'login.login': 'Tên đăng nhập',
    'login.password': 'Mật khẩu',
    'login.submit': 'Đăng nhập',
    'login.busy': 'Đang đăng nhập…',
    'login.wrong': 'Sai tên đăng nhập hoặc mật khẩu.',
    'login.locked': 'Tài khoản tạm bị khóa do nhập sai nhiều lần. Hãy thử lại sau vài phút.',
    'login.failed': 'Không đăng nhập được: {message}',
    'login.health': 'MCU đang hoạt động',
    'login.healthDown': 'Không liên lạc được với MCU',
    'login.room': 'Vào phòng họp trên trình duyệt',
  },
  en: {
    'login.title': 'Log in',
    'login.lead': 'The video conferencing console: schedule, run and watch the sites.',
    'login.login': 'Login',
    'login.password': 'Password',
    'login.submit': 'Log in',
    'login.busy': 'Logging in…',
    'login.wrong': 'Wrong login or password.',
    'login.locked': 'This login is locked for a few minutes after too many wrong passwords.',
    'login.failed': 'Could not log in: {message}',
    'login.health': 'The MCU is running',
    'login.healthDown': 'The MCU cannot be reached',
    'login.room': 'Open the browser room',
  },
};

async function render(view, ctx) {
  const { t } = ctx;
  const loginInput = h('input', { name: 'login', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', role: 'alert', id: 'login-error', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('login.submit'));
  const health = h('p', { class: 'health', dataset: { ok: '' } });

  const form = h('form', { class: 'login-form', 'aria-describedby': 'login-error', novalidate: true },
    field(t('login.login'), loginInput),
    field(t('login.password'), password),
    error,
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    if (!loginInput.value || !password.value) {
      (loginInput.value ? password : loginInput).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = t('login.busy');
    try {
      const user = await ctx.api.login(loginInput.value.trim(), password.value);
      await ctx.onLogin(user);
      ctx.navigate(`#${ctx.query.get('next') || '/conferences'}`);
    } catch (err) {
      error.textContent = err.status === 401 ? t('login.wrong') : err.status === 403 ? t('login.locked') : t('login.failed', { message: err.message });
      error.hidden = false;
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = t('login.submit');
    }
  });

  view.append(h('section', { class: 'login-page' },
    h('div', { class: 'card login-card' },
      h('h1', {}, t('login.title')),
      h('p', { class: 'muted' }, t('login.lead')),
      form),
    health,
    h('a', { href: '/room', class: 'login-room' }, t('login.room'))));
  loginInput.focus();

  fetch('/healthz', { cache: 'no-store' }).then((r) => r.ok).catch(() => false).then((ok) => {
    health.dataset.ok = String(ok);
    health.textContent = t(ok ? 'login.health' : 'login.healthDown');
  });
}

export const routes = [{ path: '/login', title: 'login.title', render }];
