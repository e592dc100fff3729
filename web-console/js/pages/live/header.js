// The live page's header: the conference's title, state, time and "locked" indicator, a link to
// its monitoring, and the host's controls: Start now, Mute all but the host, Lock, End (the
// last confirmed). Hooks for tests: #conf-state, #conf-time, #locked-indicator,
// #start-conference, #mute-all, #lock, #end-conference.

import { h, fmtTime, fmtDate, fmtDateTime } from '../../dom.js';
import { sameDay } from '../../logic/format.js';
import { muteAllPressed } from '../../logic/roll-call.js';
import { icon } from '../../pictures.js';

export const strings = {
  vi: {
    'live.monitorLink': 'Giám sát kỹ thuật',
    'live.state.open': 'Đang họp',
    'live.state.scheduled': 'Đã lên lịch',
    'live.state.ended': 'Đã kết thúc',
    'live.permanent': 'Phòng họp thường trực',
    'live.timeRange': '{from} – {to}, {date}',
    'live.timeRangeLong': '{from} – {to}',
    'live.locked': 'Đã khóa',
    'live.lockedHint': 'Chỉ những điểm cầu đã vào từ khi mở hội nghị mới được vào lại.',
    'live.controls': 'Điều khiển hội nghị',
    'live.start': 'Bắt đầu ngay',
    'live.started': 'Đã mở hội nghị.',
    'live.lock': 'Khóa hội nghị',
    'live.lockOn': 'Đã khóa hội nghị.',
    'live.lockOff': 'Đã mở khóa hội nghị.',
    'live.muteAll': 'Tắt tiếng tất cả trừ chủ trì',
    'live.muteAllOn': 'Đã tắt tiếng mọi điểm cầu trừ điểm cầu chủ trì.',
    'live.muteAllOff': 'Đã bật lại tiếng mọi điểm cầu.',
    'live.end': 'Kết thúc hội nghị',
    'live.endTitle': 'Kết thúc hội nghị?',
    'live.endText': 'Hội nghị “{title}” sẽ kết thúc ngay và mọi điểm cầu sẽ rời phòng họp.',
    'live.ended': 'Đã kết thúc hội nghị.',
  },
  en: {
    'live.monitorLink': 'Technical monitoring',
    'live.state.open': 'In session',
    'live.state.scheduled': 'Scheduled',
    'live.state.ended': 'Ended',
    'live.permanent': 'Permanent room',
    'live.timeRange': '{from} – {to}, {date}',
    'live.timeRangeLong': '{from} – {to}',
    'live.locked': 'Locked',
    'live.lockedHint': 'Only sites that already joined since it opened may join again.',
    'live.controls': 'Conference controls',
    'live.start': 'Start now',
    'live.started': 'The conference is open.',
    'live.lock': 'Lock the conference',
    'live.lockOn': 'The conference is locked.',
    'live.lockOff': 'The conference is unlocked.',
    'live.muteAll': 'Mute all but the host',
    'live.muteAllOn': 'Every site but the host site is muted.',
    'live.muteAllOff': 'Every site is unmuted.',
    'live.end': 'End the conference',
    'live.endTitle': 'End the conference?',
    'live.endText': 'The conference “{title}” ends now and every site leaves.',
    'live.ended': 'The conference has ended.',
  },
};

// The header of page `p` (see ../live.js): {el, update(), updateMuteAll(), setStale(text)}.
export function liveHeader(p) {
  const { t, api, id, path, st, canControl, describedBy } = p;
  const statePill = h('span', { class: 'state', id: 'conf-state' });
  const timeText = h('span', { class: 'live-time', id: 'conf-time' });
  const lockedIndicator = h('span', { class: 'live-locked', id: 'locked-indicator', title: t('live.lockedHint'), hidden: true },
    icon('lock'), t('live.locked'));
  const staleText = h('span', { class: 'live-stale', role: 'status' });

  const startBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'start-conference', disabled: !canControl, 'aria-describedby': describedBy,
    onclick: () => p.act(startBtn, () => api.post(`${path}/start`), t('live.started')) }, t('live.start'));
  const lockBtn = h('button', { type: 'button', class: 'btn btn-secondary', id: 'lock', 'aria-pressed': 'false', disabled: !canControl, 'aria-describedby': describedBy,
    onclick: async () => {
      const locked = !st.conf.locked;
      if (await p.act(lockBtn, () => api.put(`${path}/lock`, { locked }), t(locked ? 'live.lockOn' : 'live.lockOff'))) {
        st.conf.locked = locked;
        p.updateHeader();
      }
    } }, icon('lock'), t('live.lock'));
  const muteAllBtn = h('button', { type: 'button', class: 'btn btn-danger-outline', id: 'mute-all', 'aria-pressed': 'false', disabled: !canControl, 'aria-describedby': describedBy,
    onclick: async () => {
      const muted = muteAllBtn.getAttribute('aria-pressed') !== 'true';
      if (await p.act(muteAllBtn, () => api.post(`${path}/mute-all`, { muted }), t(muted ? 'live.muteAllOn' : 'live.muteAllOff'))) {
        st.muteAllLast = muted;
        for (const s of st.roll) if (s.site !== st.conf.host) s.mutedAudio = muted;
        p.updateBoard();
      }
    } }, t('live.muteAll'));
  const endBtn = h('button', { type: 'button', class: 'btn btn-danger', id: 'end-conference', disabled: !canControl, 'aria-describedby': describedBy,
    onclick: async () => {
      const ok = await p.confirm(t('live.endTitle'), t('live.endText', { title: st.conf.title }), t('live.end'));
      if (ok) await p.act(endBtn, () => api.post(`${path}/stop`), t('live.ended'));
    } }, t('live.end'));

  const title = h('h1', {}, st.conf.title || id);
  const el = h('div', { class: 'page-header live-header' },
    h('div', { class: 'live-heading' },
      title,
      h('p', { class: 'subtitle live-meta' }, statePill, timeText, lockedIndicator,
        h('a', { href: `#/monitor?conference=${encodeURIComponent(id)}`, class: 'live-monitor-link' }, t('live.monitorLink')),
        staleText)),
    h('div', { class: 'toolbar live-controls', role: 'group', 'aria-label': t('live.controls') },
      startBtn, muteAllBtn, lockBtn, endBtn));

  function update() {
    const c = st.conf;
    title.textContent = c.title || id;
    statePill.className = `state state-${c.state}`;
    statePill.dataset.state = c.state;
    statePill.textContent = t(`live.state.${c.state}`);
    if (c.permanent || !c.start) timeText.textContent = t('live.permanent');
    else {
      const s = new Date(c.start).getTime();
      const e = new Date(c.end).getTime();
      timeText.textContent = sameDay(s, e)
        ? t('live.timeRange', { from: fmtTime(s), to: fmtTime(e), date: fmtDate(s) })
        : t('live.timeRangeLong', { from: fmtDateTime(s), to: fmtDateTime(e) });
    }
    lockedIndicator.hidden = !c.locked;
    lockBtn.setAttribute('aria-pressed', String(Boolean(c.locked)));
    startBtn.hidden = c.permanent || c.state === 'open';
    endBtn.hidden = c.permanent || c.state !== 'open';
    lockBtn.hidden = c.state !== 'open' && !c.permanent;
    muteAllBtn.hidden = c.state !== 'open' && !c.permanent;
  }

  // Mute all: pressed while every other site in the conference is muted.
  function updateMuteAll() {
    muteAllBtn.setAttribute('aria-pressed', String(muteAllPressed(st.roll, st.conf.host, st.muteAllLast)));
  }

  return { el, update, updateMuteAll, setStale: (text) => { staleText.textContent = text; } };
}
