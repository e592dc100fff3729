// The live page of one conference (#/live/<id>): what the host watches while it runs.
//
//   header   title, state, time, "locked", the console users previewing it; Start / Lock /
//            Mute all but the host / End (live/header.js)
//   preview  the composite as the sites see it (a receive-only WebRTC preview, ../preview.js),
//            its state, a button to hear it, and the layout picker (pictures of the 4 layouts)
//            (live/preview-card.js)
//   board    the roll-call: every site (invited first) with its state, quality (from the feed's
//            per-second stats and alarms), badges, the active speaker, and per-site controls; a
//            SIP site's signalling transport and the last re-INVITE or session refresh of its
//            call (the feed's `sip` events) (live/roll-call.js)
//
// This module loads the conference, holds the page's state, runs the host's control calls and
// follows the feed. The roll-call is fetched again (debounced) on the feed's roster/site/
// devices/speaker/layout/control/conference events of this conference and every 5 s as a fallback;
// stats and alarms update the quality badges as they come. Technicians see everything, with
// the controls disabled and the reason shown. Hooks for tests: see the three parts.

import { h, uid } from '../dom.js';
import { mergeStrings } from '../i18n.js';
import { STATS_STALE_MS, speakerOf } from '../logic/roll-call.js';
import { confirmDialog } from '../widgets.js';
import * as header from './live/header.js';
import * as previewCard from './live/preview-card.js';
import * as rollCall from './live/roll-call.js';

const pageStrings = {
  vi: {
    'live.title': 'Điều hành hội nghị',
    'live.back': 'Danh sách hội nghị',
    'live.notFound': 'Không tìm thấy hội nghị “{id}”.',
    'live.loadFailed': 'Không tải được hội nghị: {message}',
    'live.stale': 'Không cập nhật được ({message}); đang thử lại…',
    'live.noControl': 'Chỉ chủ trì hoặc quản trị viên được điều khiển.',
    'live.cancel': 'Hủy',
    'live.failed': 'Không thực hiện được: {message}',
  },
  en: {
    'live.title': 'Run the conference',
    'live.back': 'Conferences',
    'live.notFound': 'There is no conference “{id}”.',
    'live.loadFailed': 'The conference could not be loaded: {message}',
    'live.stale': 'Could not update ({message}); retrying…',
    'live.noControl': 'Only a host or an administrator may control the conference.',
    'live.cancel': 'Cancel',
    'live.failed': 'Could not do it: {message}',
  },
};

export const strings = mergeStrings(pageStrings, header.strings, previewCard.strings, rollCall.strings);

const REFRESH_MS = 5000;
const DEBOUNCE_MS = 200;

async function render(view, ctx) {
  const { t, api } = ctx;
  const id = ctx.params.id;
  const path = `/conferences/${encodeURIComponent(id)}`;
  const canControl = ctx.can('host');

  let conf;
  let roll;
  let sites = [];
  let activeAlarms = [];
  let stats = null;
  try {
    [conf, roll, sites, activeAlarms, stats] = await Promise.all([
      api.get(path),
      api.get(`${path}/roll-call`),
      api.get('/sites').catch(() => []),
      api.get(`/alarms?active=true&conference=${encodeURIComponent(id)}`).catch(() => []),
      api.get(`${path}/stats`).catch(() => null),
    ]);
  } catch (e) {
    if (!ctx.current()) return undefined;
    view.append(
      h('div', { class: 'page-header' }, h('h1', {}, t('live.title'))),
      h('p', { class: 'page-message', role: 'alert' }, e.status === 404 ? t('live.notFound', { id }) : t('live.loadFailed', { message: e.message })),
      h('p', {}, h('a', { href: '#/conferences' }, t('live.back'))),
    );
    return undefined;
  }
  if (!ctx.current()) return undefined;

  // ---- State ----
  const st = {
    conf,
    roll: roll.sites || [],
    levels: new Map((Array.isArray(sites) ? sites : []).map((s) => [s.id, s])),
    speaker: '',
    stats: new Map(),   // site -> its stats object (feed `stats`)
    statsAt: 0,
    alarms: new Map(),  // `${site}|${kind}` -> {site, kind, severity, detail, sinceMs}
    muteAllLast: null,  // The last mute-all action seen (true/false), when the roll-call cannot tell.
    sipEvents: new Map(),  // site -> its SIP call's last feed `sip` event, with atMs (when it came)
  };
  st.speaker = speakerOf(st.roll, conf.speaker);
  for (const a of Array.isArray(activeAlarms) ? activeAlarms : [])
    if (a.conference === id && !a.clearedMs) st.alarms.set(`${a.site}|${a.kind}`, { ...a, sinceMs: a.raisedMs });
  if (stats && stats.conference === id) applyStats(stats);

  const timers = [];
  const unsubs = [];
  let closed = false;
  let debounce = 0;
  let refreshSeq = 0;

  const noteId = uid('live-note');

  // What the parts share: the state, the context, and the page's actions.
  const page = {
    ctx, t, api, id, path, st, canControl, host: view,
    describedBy: canControl ? null : noteId,
    note: canControl ? null : h('p', { class: 'live-note', id: noteId }, t('live.noControl')),
    isClosed: () => closed,
    act, confirm, updateBoard, updateHeader,
  };

  // Asks to confirm a host's action (end the conference, remove a site).
  function confirm(title, text, okText) {
    return confirmDialog(view, { title, text, ok: okText, cancel: t('live.cancel') });
  }

  // Runs a control call: disables `button` meanwhile; a failure is a toast with the server's text.
  async function act(button, fn, okText) {
    if (button) {
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
    }
    try {
      await fn();
      if (okText) ctx.toast(okText, 'ok');
      return true;
    } catch (e) {
      ctx.toast(t('live.failed', { message: e.message }), 'error');
      return false;
    } finally {
      if (button) {
        button.removeAttribute('aria-busy');
        button.disabled = !canControl;
      }
      scheduleRefresh();
    }
  }

  const top = header.liveHeader(page);
  const preview = previewCard.previewCard(page);
  const board = rollCall.rollCall(page);

  function updateHeader() {
    top.update();
    preview.updateLayout();
  }

  function updateBoard() {
    board.update();
    top.updateMuteAll();
  }

  function applyStats(e) {
    st.stats = new Map((e.sites || []).map((s) => [s.site, s]));
    st.statsAt = Date.now();
    if (Array.isArray(e.alarms)) {
      st.alarms = new Map(e.alarms.map((a) => [`${a.site}|${a.kind}`, { ...a, conference: id }]));
    }
  }

  // ---- Refresh ----
  async function refresh() {
    const seq = ++refreshSeq;
    try {
      const [c, r] = await Promise.all([api.get(path), api.get(`${path}/roll-call`)]);
      if (closed || seq !== refreshSeq) return;
      const wasState = st.conf.state;
      st.conf = c;
      st.roll = r.sites || [];
      st.speaker = speakerOf(st.roll, c.speaker);
      top.setStale('');
      updateHeader();
      updateBoard();
      if (wasState !== c.state) preview.sync();
    } catch (e) {
      if (closed || seq !== refreshSeq) return;
      top.setStale(t('live.stale', { message: e.message }));
    }
  }

  function scheduleRefresh() {
    if (closed) return;
    clearTimeout(debounce);
    debounce = setTimeout(refresh, DEBOUNCE_MS);
  }

  // ---- Assemble ----
  view.append(h('div', { class: 'live-page' },
    top.el,
    h('div', { class: 'live-grid' }, preview.el, board.el)));
  updateHeader();
  updateBoard();
  preview.showState(conf.state === 'open' ? 'connecting' : 'idle', null);
  preview.sync();

  const ours = (e) => e.conference === id;
  unsubs.push(
    ctx.feed.on('roster', (e) => {
      if (!ours(e)) return;
      // Who previews it: shown at once (each preview's start and end is a roster).
      if (Array.isArray(e.viewers)) {
        st.conf.viewers = e.viewers;
        top.update();
      }
      scheduleRefresh();
    }),
    ctx.feed.on('site', () => scheduleRefresh()),
    // A room's camera, microphone or loudspeaker changed (the event names the site, not the
    // conference: refetch when the site is on this roll-call).
    ctx.feed.on('devices', (e) => st.roll.some((s) => s.site === e.site) && scheduleRefresh()),
    ctx.feed.on('link', (e) => ours(e) && scheduleRefresh()),
    ctx.feed.on('speaker', (e) => {
      if (!ours(e)) return;
      st.speaker = e.site || '';
      updateBoard();
      scheduleRefresh();
    }),
    ctx.feed.on('layout', (e) => {
      if (!ours(e)) return;
      if (e.layout) st.conf.layout = e.layout;
      if (typeof e.spotlight === 'string') st.conf.spotlight = e.spotlight;
      preview.updateLayout();
      updateBoard();
      scheduleRefresh();
    }),
    ctx.feed.on('control', (e) => {
      const target = String(e.target || '');
      if (target !== id && !target.startsWith(`${id}/`)) return;
      if (e.action === 'mute-all') st.muteAllLast = true;
      if (e.action === 'unmute-all') st.muteAllLast = false;
      scheduleRefresh();
    }),
    ctx.feed.on('conference', (e) => {
      if (!ours(e)) return;
      if (e.state && e.state !== st.conf.state) {
        st.conf.state = e.state;
        updateHeader();
        preview.sync();
      }
      scheduleRefresh();
    }),
    ctx.feed.on('stats', (e) => {
      if (!ours(e)) return;
      applyStats(e);
      updateBoard();
    }),
    // A re-INVITE or session refresh in a site's SIP call: shown on its card (the feed sends at
    // most one per call every 5 s; nothing to fetch again).
    ctx.feed.on('sip', (e) => {
      if (!ours(e) || !e.site) return;
      st.sipEvents.set(e.site, { ...e, atMs: Date.now() });
      updateBoard();
    }),
    ctx.feed.on('alarm', (e) => {
      if (!ours(e)) return;
      const key = `${e.site}|${e.kind}`;
      if (e.state === 'cleared') st.alarms.delete(key);
      else st.alarms.set(key, { ...e });
      updateBoard();
    }),
    ctx.feed.on('feed', (e) => e.connected && scheduleRefresh()),
  );
  timers.push(setInterval(() => {
    refresh();
    if (st.statsAt && Date.now() - st.statsAt >= STATS_STALE_MS) updateBoard();
  }, REFRESH_MS));

  return () => {
    closed = true;
    preview.stop();
    for (const u of unsubs) u();
    for (const tm of timers) clearInterval(tm);
    clearTimeout(debounce);
    for (const d of view.querySelectorAll('dialog[open]')) d.close();
  };
}

export const routes = [{ path: '/live/:id', roles: ['admin', 'host', 'technician'], title: 'live.title', render }];
