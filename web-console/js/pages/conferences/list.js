// #/conferences: every conference (GET /conferences, host names from GET /sites) as a table with
// its state, times, recurrence, invitations, host site and layout; hosts and admins also get row
// actions: open the live page, edit, start now (POST /conferences/{id}/start), stop now (POST
// .../stop, confirmed), delete (DELETE /conferences/{id}, confirmed). Technicians see the table
// read-only (a "view" link to open conferences). A second tab is the calendar (./calendar.js;
// #/conferences?view=calendar opens on it). A classified conference has the "Mật" badge
// (./classified.js) by its title. The list reloads on the feed's `conference` events and every
// 30 s. Hooks for tests: #new-conference; rows tr[data-conference][data-classified] with
// [data-action=live|edit|start|stop|delete] and .classified-badge.

import { h, replace } from '../../dom.js';
import { sortConferences } from '../../logic/conferences.js';
import { timeRange } from '../../logic/format.js';
import { confirmDialog, tabList } from '../../widgets.js';
import { calendar, calendarState, scrollCalendar } from './calendar.js';
import { classifiedBadge, isClassified } from './classified.js';

export const strings = {
  vi: {
    'conf.title': 'Hội nghị',
    'conf.subtitle': 'Lịch họp, hội nghị đang diễn ra và phòng họp thường trực.',
    'conf.readOnly': 'Kỹ thuật viên chỉ được xem; lên lịch và điều hành do chủ trì hoặc quản trị viên thực hiện.',
    'conf.new': 'Tạo hội nghị',
    'conf.tabs': 'Cách xem',
    'conf.tab.list': 'Danh sách',
    'conf.tab.calendar': 'Lịch',
    'conf.loading': 'Đang tải…',
    'conf.loadFailed': 'Không tải được danh sách hội nghị: {message}',
    'conf.retry': 'Thử lại',
    'conf.empty': 'Chưa có hội nghị nào.',
    'conf.col.title': 'Hội nghị',
    'conf.col.state': 'Trạng thái',
    'conf.col.time': 'Thời gian',
    'conf.col.recurrence': 'Lặp lại',
    'conf.col.invited': 'Mời',
    'conf.col.host': 'Điểm cầu chủ trì',
    'conf.col.layout': 'Bố cục',
    'conf.col.actions': 'Thao tác',
    'conf.state.open': 'Đang họp',
    'conf.state.scheduled': 'Đã lên lịch',
    'conf.state.ended': 'Đã kết thúc',
    'conf.state.permanent': 'Luôn mở',
    'conf.permanentWhen': 'Thường trực',
    'conf.invitedAll': 'Tất cả',
    'conf.invitedAllHint': 'Không giới hạn: mọi điểm cầu đều được vào',
    'conf.noHost': '—',
    'conf.live': 'Điều hành',
    'conf.view': 'Xem',
    'conf.edit': 'Sửa',
    'conf.start': 'Bắt đầu ngay',
    'conf.stop': 'Kết thúc',
    'conf.delete': 'Xóa',
    'conf.actionOn': '{action}: {title}',
    'conf.started': 'Đã mở hội nghị “{title}”.',
    'conf.stopped': 'Đã kết thúc hội nghị “{title}”.',
    'conf.deleted': 'Đã xóa hội nghị “{title}”.',
    'conf.failed': 'Không thực hiện được: {message}',
    'conf.stopTitle': 'Kết thúc hội nghị?',
    'conf.stopConfirm': 'Kết thúc ngay',
    'conf.stopText': 'Hội nghị “{title}” sẽ kết thúc ngay và mọi điểm cầu sẽ rời phòng họp.',
    'conf.stopTextRecurring': 'Hội nghị “{title}” sẽ kết thúc ngay và mọi điểm cầu sẽ rời phòng họp. Lần họp tiếp theo vẫn giữ theo lịch lặp lại.',
    'conf.deleteTitle': 'Xóa hội nghị?',
    'conf.deleteText': 'Hội nghị “{title}” sẽ bị xóa khỏi lịch. Nếu đang họp, mọi điểm cầu sẽ rời phòng họp. Không thể hoàn tác.',
    'conf.cancel': 'Hủy',
  },
  en: {
    'conf.title': 'Conferences',
    'conf.subtitle': 'Scheduled meetings, conferences running now and always-open rooms.',
    'conf.readOnly': 'Technicians may only look; hosts and administrators schedule and run conferences.',
    'conf.new': 'New conference',
    'conf.tabs': 'View',
    'conf.tab.list': 'List',
    'conf.tab.calendar': 'Calendar',
    'conf.loading': 'Loading…',
    'conf.loadFailed': 'The conferences could not be loaded: {message}',
    'conf.retry': 'Retry',
    'conf.empty': 'There are no conferences yet.',
    'conf.col.title': 'Conference',
    'conf.col.state': 'State',
    'conf.col.time': 'Time',
    'conf.col.recurrence': 'Repeats',
    'conf.col.invited': 'Invited',
    'conf.col.host': 'Host site',
    'conf.col.layout': 'Layout',
    'conf.col.actions': 'Actions',
    'conf.state.open': 'Open',
    'conf.state.scheduled': 'Scheduled',
    'conf.state.ended': 'Ended',
    'conf.state.permanent': 'Always open',
    'conf.permanentWhen': 'Permanent',
    'conf.invitedAll': 'Any',
    'conf.invitedAllHint': 'No restriction: any site may join',
    'conf.noHost': '—',
    'conf.live': 'Run',
    'conf.view': 'View',
    'conf.edit': 'Edit',
    'conf.start': 'Start now',
    'conf.stop': 'Stop',
    'conf.delete': 'Delete',
    'conf.actionOn': '{action}: {title}',
    'conf.started': 'Conference “{title}” opened.',
    'conf.stopped': 'Conference “{title}” ended.',
    'conf.deleted': 'Conference “{title}” deleted.',
    'conf.failed': 'Could not do it: {message}',
    'conf.stopTitle': 'End the conference?',
    'conf.stopConfirm': 'Stop now',
    'conf.stopText': 'Conference “{title}” ends now and every site leaves the room.',
    'conf.stopTextRecurring': 'Conference “{title}” ends now and every site leaves the room. The next occurrence stays scheduled.',
    'conf.deleteTitle': 'Delete the conference?',
    'conf.deleteText': 'Conference “{title}” is removed from the schedule. If it is running, every site leaves the room. This cannot be undone.',
    'conf.cancel': 'Cancel',
  },
};

const REFRESH_MS = 30_000;
const enc = encodeURIComponent;

// Keeps the keyboard focus on "the same" control across a re-render of `container`: a row's
// [data-action] (by its [data-conference]), or any control with a [data-focus] key.
function keepFocus(container, renderFn) {
  const a = document.activeElement;
  const inside = a && container.contains(a);
  const key = !inside ? null : a.dataset.focus ? `[data-focus="${CSS.escape(a.dataset.focus)}"]`
    : a.closest('[data-conference]') ? `[data-conference="${CSS.escape(a.closest('[data-conference]').dataset.conference)}"]` : null;
  const action = inside && a.dataset.action ? ` [data-action="${CSS.escape(a.dataset.action)}"]` : '';
  renderFn();
  if (!key) return;
  const again = (action && container.querySelector(key + action)) || container.querySelector(key);
  if (again && again.focus) again.focus();
}

function statePill(c, t) {
  const state = ['open', 'scheduled', 'ended'].includes(c.state) ? c.state : 'scheduled';
  return h('span', { class: `state state-${state}` }, t(c.permanent ? 'conf.state.permanent' : `conf.state.${state}`));
}

export async function renderList(view, ctx) {
  const { t, api } = ctx;
  const canRun = ctx.can('host');
  const state = { conferences: [], sites: new Map(), loaded: false, error: null };
  let closed = false;
  let reloadTimer = 0;

  const listPanel = h('div', { class: 'cf-panel' });
  const calPanel = h('div', { class: 'cf-panel' });
  calendarState.tab = ctx.query.get('view') === 'calendar' ? 'calendar' : 'list';
  const tabs = tabList(t('conf.tabs'), [
    { key: 'list', label: t('conf.tab.list'), panel: listPanel },
    { key: 'calendar', label: t('conf.tab.calendar'), panel: calPanel },
  ], calendarState.tab, (key) => {
    calendarState.tab = key;
    history.replaceState(null, '', key === 'calendar' ? '#/conferences?view=calendar' : '#/conferences');
    if (key === 'calendar') scrollCalendar(calPanel);
  });

  view.append(
    h('div', { class: 'page-header' },
      h('div', {},
        h('h1', {}, t('conf.title')),
        h('p', { class: 'subtitle' }, canRun ? t('conf.subtitle') : t('conf.readOnly'))),
      canRun ? h('div', { class: 'toolbar' },
        h('a', { class: 'btn btn-primary', id: 'new-conference', href: '#/conferences/new' }, t('conf.new'))) : null),
    tabs, listPanel, calPanel);

  let tableSignature = '';
  function draw() {
    if (closed) return;
    if (!state.loaded) {
      replace(listPanel, state.error ? loadError() : h('p', { class: 'empty' }, t('conf.loading')));
      replace(calPanel);
      return;
    }
    const signature = JSON.stringify([state.conferences, [...state.sites.values()].map((x) => x.name)]);
    if (signature !== tableSignature) {
      tableSignature = signature;
      keepFocus(listPanel, () => replace(listPanel, conferenceTable(state, ctx, actions)));
    }
    drawCalendar();
  }

  function loadError() {
    return h('div', { class: 'empty', role: 'alert' },
      t('conf.loadFailed', { message: state.error }), ' ',
      h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: load }, t('conf.retry')));
  }

  function drawCalendar() {
    const old = calPanel.querySelector('.cf-cal-scroll');
    const keepScroll = old && old.dataset.scrolled ? old.scrollTop : null;
    keepFocus(calPanel, () => replace(calPanel, calendar(state.conferences, ctx, { onChange: drawCalendar })));
    const box = calPanel.querySelector('.cf-cal-scroll');
    if (box && keepScroll !== null) {
      box.scrollTop = keepScroll;
      box.dataset.scrolled = '1';
    }
    if (calendarState.tab === 'calendar') scrollCalendar(calPanel);
  }

  async function load() {
    try {
      const [conferences, sites] = await Promise.all([api.get('/conferences'), api.get('/sites').catch(() => [])]);
      state.conferences = Array.isArray(conferences) ? conferences : [];
      state.sites = new Map((Array.isArray(sites) ? sites : []).map((s) => [s.id, s]));
      state.loaded = true;
      state.error = null;
    } catch (e) {
      if (!state.loaded) state.error = e.message;
      else ctx.toast(t('conf.loadFailed', { message: e.message }), 'error');
    }
    draw();
  }

  function reloadSoon() {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(load, 300);
  }

  // Row actions: start / stop / delete (the live and edit actions are links).
  const actions = {
    async start(c, button) {
      await run(button, () => api.post(`/conferences/${enc(c.id)}/start`), t('conf.started', { title: c.title }));
    },
    async stop(c, button) {
      const ok = await confirmDialog(view, {
        title: t('conf.stopTitle'),
        text: t(c.recurrence !== 'none' ? 'conf.stopTextRecurring' : 'conf.stopText', { title: c.title }),
        ok: t('conf.stopConfirm'), cancel: t('conf.cancel'),
      });
      if (ok) await run(button, () => api.post(`/conferences/${enc(c.id)}/stop`), t('conf.stopped', { title: c.title }));
    },
    async delete(c, button) {
      const ok = await confirmDialog(view, {
        title: t('conf.deleteTitle'), text: t('conf.deleteText', { title: c.title }),
        ok: t('conf.delete'), cancel: t('conf.cancel'),
      });
      if (ok) await run(button, () => api.del(`/conferences/${enc(c.id)}`), t('conf.deleted', { title: c.title }));
    },
  };

  async function run(button, fn, okText) {
    button.disabled = true;
    try {
      await fn();
      ctx.toast(okText, 'ok');
    } catch (e) {
      ctx.toast(t('conf.failed', { message: e.message }), 'error');
    } finally {
      button.disabled = false;
    }
    await load();
  }

  draw();
  const unsub = ctx.feed.on('conference', reloadSoon);
  const interval = setInterval(load, REFRESH_MS);
  await load();
  return () => {
    closed = true;
    unsub();
    clearInterval(interval);
    clearTimeout(reloadTimer);
  };
}

// The table of every conference.
function conferenceTable(state, ctx, actions) {
  const { t } = ctx;
  const list = sortConferences(state.conferences);
  if (!list.length) return h('div', { class: 'table-wrap' }, h('p', { class: 'empty' }, t('conf.empty')));
  const cols = ['title', 'state', 'time', 'recurrence', 'invited', 'host', 'layout'];
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data mg-table cf-table' },
      h('thead', {}, h('tr', {},
        cols.map((k) => h('th', { scope: 'col', class: k === 'invited' ? 'num' : null }, t(`conf.col.${k}`))),
        h('th', { scope: 'col', class: 'cf-actions-head' }, t('conf.col.actions')))),
      h('tbody', {}, list.map((c) => conferenceRow(c, state, ctx, actions)))));
}

function conferenceRow(c, state, ctx, actions) {
  const { t } = ctx;
  const host = c.host ? (state.sites.get(c.host)?.name || c.host) : t('conf.noHost');
  const invited = (c.invited || []).length;
  const classified = isClassified(c);
  return h('tr', { dataset: { conference: c.id, state: c.state, classified: String(classified) } },
    h('th', { scope: 'row', class: 'cf-name' },
      h('span', { class: 'cf-name-title' }, c.title, classified ? [' ', classifiedBadge(t)] : null),
      h('span', { class: 'cf-name-id' }, c.id)),
    h('td', {}, statePill(c, t)),
    h('td', { class: 'cf-when' }, c.permanent || !c.start
      ? t('conf.permanentWhen')
      : timeRange(new Date(c.start).getTime(), new Date(c.end).getTime())),
    h('td', { class: 'cf-nowrap' }, t(`conf.rec.${c.recurrence || 'none'}`)),
    h('td', { class: 'num cf-nowrap' }, invited ? String(invited) : h('span', { class: 'cf-muted', title: t('conf.invitedAllHint') }, t('conf.invitedAll'))),
    h('td', {}, host),
    h('td', { class: 'cf-nowrap' }, t(`conf.layout.${c.layout}`)),
    h('td', { class: 'cf-actions' }, h('div', { class: 'cf-actions-row' }, rowActions(c, ctx, actions))));
}

function rowActions(c, ctx, actions) {
  const { t } = ctx;
  const open = c.state === 'open';
  const label = (key) => t('conf.actionOn', { action: t(key), title: c.title });
  const liveHref = `#/live/${enc(c.id)}`;
  if (!ctx.can('host'))
    return open ? h('a', { class: 'btn btn-secondary btn-small', href: liveHref, dataset: { action: 'live' }, 'aria-label': label('conf.view') }, t('conf.view')) : null;
  const button = (action, key, cls) => {
    const b = h('button', { type: 'button', class: `btn btn-small ${cls}`, dataset: { action }, 'aria-label': label(key) }, t(key));
    b.addEventListener('click', () => actions[action](c, b));
    return b;
  };
  return [
    open ? h('a', { class: 'btn btn-primary btn-small', href: liveHref, dataset: { action: 'live' }, 'aria-label': label('conf.live') }, t('conf.live'))
      : !c.permanent ? button('start', 'conf.start', 'btn-secondary') : null,
    open && !c.permanent ? button('stop', 'conf.stop', 'btn-danger-outline') : null,
    h('a', { class: 'btn btn-secondary btn-small', href: `#/conferences/${enc(c.id)}/edit`, dataset: { action: 'edit' }, 'aria-label': label('conf.edit') }, t('conf.edit')),
    button('delete', 'conf.delete', 'btn-danger-outline'),
  ];
}
