// The console's shell: who is logged in, the navigation, and a router over location.hash
// (#/conferences, #/live/giao-ban, ...). Each page module exports `strings` ({vi, en}) and
// `routes`: [{path: '/live/:id', roles: [...], nav: 'nav.live'?, render(view, ctx)}]. render
// fills `view` and may return a cleanup function, called when the page goes (unsubscribe from
// the feed, close a preview, stop timers). A change of language renders the page again.
//
// ctx: {api, feed, i18n, t, user, params, query, navigate(hash), toast(text, kind), can(role)}.

import { Api, EventFeed } from './api.js';
import { h, replace } from './dom.js';
import { I18n } from './i18n.js';
import * as login from './pages/login.js';
import * as conferences from './pages/conferences.js';
import * as live from './pages/live.js';
import * as monitor from './pages/monitor.js';
import * as admin from './pages/admin.js';
import * as history from './pages/history.js';

const PAGES = [login, conferences, live, monitor, admin, history];
const ROLE_RANK = { technician: 1, host: 2, admin: 3 };

const SHELL_STRINGS = {
  vi: {
    'app.title': 'Bảng điều khiển MCU',
    'nav.label': 'Điều hướng chính',
    'nav.conferences': 'Hội nghị',
    'nav.monitor': 'Giám sát',
    'nav.admin': 'Quản trị',
    'nav.history': 'Lịch sử',
    'nav.room': 'Phòng họp trình duyệt',
    'user.logout': 'Đăng xuất',
    'role.admin': 'Quản trị viên',
    'role.host': 'Chủ trì',
    'role.technician': 'Kỹ thuật viên',
    'feed.down': 'Mất kết nối cập nhật trực tiếp, đang kết nối lại…',
    'page.notFound': 'Không có trang này.',
    'page.forbidden': 'Vai trò của bạn không được xem trang này.',
    'page.error': 'Không tải được trang: {message}',
    'skip.main': 'Bỏ qua đến nội dung chính',
  },
  en: {
    'app.title': 'MCU console',
    'nav.label': 'Main navigation',
    'nav.conferences': 'Conferences',
    'nav.monitor': 'Monitoring',
    'nav.admin': 'Administration',
    'nav.history': 'History',
    'nav.room': 'Browser room',
    'user.logout': 'Log out',
    'role.admin': 'Administrator',
    'role.host': 'Host',
    'role.technician': 'Technician',
    'feed.down': 'Live updates lost, reconnecting…',
    'page.notFound': 'There is no such page.',
    'page.forbidden': 'Your role may not see this page.',
    'page.error': 'The page could not be loaded: {message}',
    'skip.main': 'Skip to the main content',
  },
};

const i18n = new I18n(SHELL_STRINGS);
for (const p of PAGES) i18n.add(p.strings || {});
const api = new Api();
const feed = new EventFeed();
let user = null;
let cleanup = null;
let renderSeq = 0;

const nav = document.getElementById('nav');
const view = document.getElementById('view');
const userBox = document.getElementById('user');
const toasts = document.getElementById('toasts');
const feedBanner = document.getElementById('feed-banner');

function can(role) {
  return Boolean(user) && ROLE_RANK[user.role] >= ROLE_RANK[role];
}

function toast(text, kind = 'info') {
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
  toasts.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

// The route matching `path` and its :params.
function match(path) {
  for (const page of PAGES)
    for (const r of page.routes || []) {
      const names = [];
      const re = new RegExp(`^${r.path.replace(/:(\w+)/g, (_, n) => (names.push(n), '([^/]+)'))}$`);
      const m = re.exec(path);
      if (m) return { route: r, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
    }
  return null;
}

function renderNav(current) {
  const items = [
    { href: '#/conferences', key: 'nav.conferences', role: 'technician' },
    { href: '#/monitor', key: 'nav.monitor', role: 'technician' },
    { href: '#/history', key: 'nav.history', role: 'technician' },
    { href: '#/admin/sites', key: 'nav.admin', role: 'admin' },
  ];
  replace(
    nav,
    user
      ? h('ul', {}, items.filter((i) => can(i.role)).map((i) =>
          h('li', {}, h('a', {
            href: i.href,
            class: 'nav-link',
            'aria-current': current.startsWith(i.href.slice(1).split('/').slice(0, 2).join('/')) ? 'page' : null,
          }, i18n.t(i.key)))))
      : null,
  );
  replace(
    userBox,
    user
      ? [
          h('span', { class: 'user-name' }, user.name || user.login,
            h('span', { class: 'user-role' }, i18n.t(`role.${user.role}`))),
          h('button', { type: 'button', class: 'btn btn-ghost', id: 'logout', onclick: logout }, i18n.t('user.logout')),
        ]
      : null,
  );
}

async function logout() {
  try {
    await api.logout();
  } catch {
    // Gone either way.
  }
  user = null;
  feed.stop();
  navigate('#/login');
}

async function route() {
  const seq = ++renderSeq;
  if (cleanup) {
    try {
      cleanup();
    } catch (e) {
      console.error(e);
    }
    cleanup = null;
  }
  const raw = location.hash.replace(/^#/, '') || '/conferences';
  const [path, queryText] = raw.split('?');
  if (!user && path !== '/login') {
    location.replace(`#/login?next=${encodeURIComponent(raw)}`);
    return;
  }
  if (user && path === '/login') {
    location.replace('#/conferences');
    return;
  }
  renderNav(path);
  const found = match(path);
  view.replaceChildren();
  view.removeAttribute('aria-busy');
  if (!found) {
    view.append(h('p', { class: 'page-message' }, i18n.t('page.notFound')));
    return;
  }
  const { route: r, params } = found;
  if (r.roles && !r.roles.some((role) => user && user.role === role)) {
    view.append(h('p', { class: 'page-message', role: 'alert' }, i18n.t('page.forbidden')));
    return;
  }
  const ctx = {
    api, feed, i18n, user, params, can, navigate, toast,
    t: (k, v) => i18n.t(k, v),
    query: new URLSearchParams(queryText || ''),
    // Whether this render is still the current one (a page that awaits checks before it draws).
    current: () => seq === renderSeq,
    onLogin: async (u) => {
      user = u;
      feed.start();
    },
  };
  document.title = `${r.title ? i18n.t(r.title) + ' · ' : ''}${i18n.t('app.title')}`;
  view.setAttribute('aria-busy', 'true');
  try {
    const done = await r.render(view, ctx);
    if (seq === renderSeq) cleanup = typeof done === 'function' ? done : null;
    else if (typeof done === 'function') done();
  } catch (e) {
    console.error(e);
    if (seq === renderSeq) view.append(h('p', { class: 'page-message', role: 'alert' }, i18n.t('page.error', { message: e.message })));
  } finally {
    if (seq === renderSeq) view.removeAttribute('aria-busy');
  }
  // Focus goes to the page's heading so that a keyboard or screen-reader user starts there.
  const heading = view.querySelector('h1');
  if (heading && seq === renderSeq && !view.contains(document.activeElement)) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

async function start() {
  i18n.apply();
  const sw = document.getElementById('lang-switch');
  i18n.bindSwitch(sw);
  i18n.onChange(() => route());
  api.onUnauthorized = () => {
    if (!user) return;
    user = null;
    feed.stop();
    location.replace(`#/login?next=${encodeURIComponent(location.hash.replace(/^#/, ''))}`);
  };
  feed.on('feed', (e) => {
    feedBanner.hidden = e.connected || feed.stopped;
  });
  try {
    user = await api.session();
  } catch {
    user = null;
  }
  if (user) feed.start();
  window.addEventListener('hashchange', route);
  route();
}

start();
