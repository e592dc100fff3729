// The live page's header: the conference's title, state, time, "Mật" badge (a classified
// conference, ../conferences/classified.js) and "locked" indicator, a link to its monitoring,
// and the host's controls: Start now, Mute all but the host, Lock, End (the last confirmed).
// The console users previewing it (every preview is shown: #viewers, with data-count).
// Hooks for tests: #conf-state, #conf-time, #classified-indicator, #locked-indicator, #viewers,
// #start-conference, #mute-all, #lock, #record (and #recording-indicator), #stream (and
// #stream-indicator, #watch-link: the watch page, #stream-rtmp: its push to an RTMP server,
// data-state pushing or retrying, the error in its title), #stream-links (the viewer links' dialog,
// ./stream-links.js), #end-conference.

import { h, fmtTime, fmtDate, fmtDateTime } from '../../dom.js';
import { mergeStrings } from '../../i18n.js';
import { sameDay } from '../../logic/format.js';
import { muteAllPressed } from '../../logic/roll-call.js';
import { icon } from '../../pictures.js';
import * as classified from '../conferences/classified.js';
import * as streamLinks from './stream-links.js';

const headerStrings = {
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
    'live.viewers': 'Đang xem trước: {count} ({names})',
    'live.viewersHint': 'Người dùng bảng điều khiển đang xem trước hình và tiếng của hội nghị. Các điểm cầu cũng được báo số người đang xem.',
    'live.controls': 'Điều khiển hội nghị',
    'live.start': 'Bắt đầu ngay',
    'live.started': 'Đã mở hội nghị.',
    'live.lock': 'Khóa hội nghị',
    'live.recording': 'Đang ghi hình ({by}, từ {since})',
    'live.recordingHint': 'Hình ghép và tiếng của hội nghị đang được ghi vào tệp {file}.',
    'live.record': 'Ghi hình',
    'live.recordStop': 'Dừng ghi hình',
    'live.recordOn': 'Đã bắt đầu ghi hình hội nghị.',
    'live.recordOff': 'Đã dừng ghi hình; tệp đã được lưu.',
    'live.stream': 'Phát trực tiếp',
    'live.streamStop': 'Dừng phát trực tiếp',
    'live.streamOn': 'Đã bắt đầu phát trực tiếp.',
    'live.streamOff': 'Đã dừng phát trực tiếp.',
    'live.streaming': 'Đang phát trực tiếp ({by}, từ {since})',
    'live.rtmp.pushing': 'RTMP: đang đẩy',
    'live.rtmp.retrying': 'RTMP: lỗi, đang thử lại',
    'live.watch': 'Xem luồng phát',
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
    'live.viewers': 'Previewing: {count} ({names})',
    'live.viewersHint': 'Console users watching and hearing the conference\u2019s preview. The sites are told how many.',
    'live.controls': 'Conference controls',
    'live.start': 'Start now',
    'live.started': 'The conference is open.',
    'live.lock': 'Lock the conference',
    'live.recording': 'Recording ({by}, since {since})',
    'live.recordingHint': 'The conference\u2019s composite and sound are being recorded into {file}.',
    'live.record': 'Record',
    'live.recordStop': 'Stop recording',
    'live.recordOn': 'The conference is being recorded.',
    'live.recordOff': 'Recording stopped; the file is saved.',
    'live.stream': 'Go live',
    'live.streamStop': 'Stop the live stream',
    'live.streamOn': 'The conference is live.',
    'live.streamOff': 'The live stream stopped.',
    'live.streaming': 'Live ({by}, since {since})',
    'live.rtmp.pushing': 'RTMP: pushing',
    'live.rtmp.retrying': 'RTMP: failed, retrying',
    'live.watch': 'Watch the stream',
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

export const strings = mergeStrings(headerStrings, classified.strings, streamLinks.strings);

// The header of page `p` (see ../live.js): {el, update(), updateMuteAll(), setStale(text)}.
export function liveHeader(p) {
  const { t, api, id, path, st, canControl, describedBy } = p;
  const statePill = h('span', { class: 'state', id: 'conf-state' });
  const timeText = h('span', { class: 'live-time', id: 'conf-time' });
  const lockedIndicator = h('span', { class: 'live-locked', id: 'locked-indicator', title: t('live.lockedHint'), hidden: true },
    icon('lock'), t('live.locked'));
  const classifiedIndicator = classified.classifiedBadge(t, { id: 'classified-indicator', hidden: true });
  const viewersText = h('span', {});
  const viewersIndicator = h('span', { class: 'live-viewers', id: 'viewers', title: t('live.viewersHint'), 'data-count': '0', hidden: true },
    icon('eye'), viewersText);
  const recordingText = h('span', {});
  const recordingIndicator = h('span', { class: 'live-recording', id: 'recording-indicator', hidden: true },
    h('span', { class: 'live-recording-dot', 'aria-hidden': 'true' }, '\u25cf'), recordingText);
  const streamingText = h('span', {});
  // The push to the portal's RTMP server ([stream] rtmp_url), when one is configured.
  const rtmpBadge = h('span', { class: 'live-rtmp', id: 'stream-rtmp', hidden: true });
  const streamIndicator = h('span', { class: 'live-streaming', id: 'stream-indicator', hidden: true },
    streamingText, ' ',
    h('a', { href: `/watch.html?c=${encodeURIComponent(id)}`, target: '_blank', rel: 'noopener', id: 'watch-link' }, t('live.watch')),
    rtmpBadge);
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
  const recordBtn = h('button', { type: 'button', class: 'btn btn-secondary', id: 'record', 'aria-pressed': 'false', disabled: !canControl, 'aria-describedby': describedBy,
    onclick: async () => {
      const on = !st.conf.recording;
      if (await p.act(recordBtn, () => api.post(`${path}/recording/${on ? 'start' : 'stop'}`), t(on ? 'live.recordOn' : 'live.recordOff'))) {
        const c = await api.get(path).catch(() => null);
        st.conf.recording = c ? c.recording : on ? {} : null;
        p.updateHeader();
      }
    } }, t('live.record'));
  const streamBtn = h('button', { type: 'button', class: 'btn btn-secondary', id: 'stream', 'aria-pressed': 'false', disabled: !canControl, 'aria-describedby': describedBy,
    onclick: async () => {
      const on = !st.conf.stream;
      if (await p.act(streamBtn, () => api.post(`${path}/stream/${on ? 'start' : 'stop'}`), t(on ? 'live.streamOn' : 'live.streamOff'))) {
        const c = await api.get(path).catch(() => null);
        st.conf.stream = c ? c.stream : on ? {} : null;
        p.updateHeader();
      }
    } }, t('live.stream'));
  const linksBtn = h('button', { type: 'button', class: 'btn btn-secondary', id: 'stream-links', disabled: !canControl, 'aria-describedby': describedBy,
    onclick: () => streamLinks.openStreamLinks(p, linksBtn) }, t('links.open'));
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
      h('p', { class: 'subtitle live-meta' }, statePill, timeText, classifiedIndicator, lockedIndicator, recordingIndicator, streamIndicator, viewersIndicator,
        h('a', { href: `#/monitor?conference=${encodeURIComponent(id)}`, class: 'live-monitor-link' }, t('live.monitorLink')),
        staleText)),
    h('div', { class: 'toolbar live-controls', role: 'group', 'aria-label': t('live.controls') },
      startBtn, muteAllBtn, lockBtn, recordBtn, streamBtn, linksBtn, endBtn));

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
    classifiedIndicator.hidden = !classified.isClassified(c);
    lockedIndicator.hidden = !c.locked;
    const viewers = Array.isArray(c.viewers) ? c.viewers : [];
    viewersIndicator.dataset.count = String(viewers.length);
    viewersIndicator.hidden = viewers.length === 0;
    viewersText.textContent = t('live.viewers', { count: viewers.length, names: viewers.join(', ') });
    lockBtn.setAttribute('aria-pressed', String(Boolean(c.locked)));
    startBtn.hidden = c.permanent || c.state === 'open';
    endBtn.hidden = c.permanent || c.state !== 'open';
    lockBtn.hidden = c.state !== 'open' && !c.permanent;
    muteAllBtn.hidden = c.state !== 'open' && !c.permanent;
    const rec = c.recording || null;
    recordingIndicator.hidden = !rec;
    if (rec) {
      const since = rec.since ? fmtTime(new Date(rec.since).getTime()) : '';
      recordingText.textContent = t('live.recording', { by: rec.startedBy || '', since });
      recordingIndicator.title = t('live.recordingHint', { file: rec.file || '' });
    }
    // A classified conference is recorded only where the administrator allows it (`recordable`).
    recordBtn.hidden = c.state !== 'open' || c.mode === 'echo' || (classified.isClassified(c) && !c.recordable);
    recordBtn.setAttribute('aria-pressed', String(Boolean(rec)));
    recordBtn.textContent = t(rec ? 'live.recordStop' : 'live.record');
    const stream = c.stream || null;
    streamIndicator.hidden = !stream;
    if (stream) {
      const since = stream.since ? fmtTime(new Date(stream.since).getTime()) : '';
      streamingText.textContent = t('live.streaming', { by: stream.startedBy || '', since });
      const rtmp = stream.rtmp === 'pushing' || stream.rtmp === 'retrying' ? stream.rtmp : '';
      rtmpBadge.hidden = !rtmp;
      rtmpBadge.dataset.state = rtmp;
      rtmpBadge.textContent = rtmp ? t(`live.rtmp.${rtmp}`) : '';
      if (rtmp === 'retrying' && stream.rtmpError) rtmpBadge.title = stream.rtmpError;
      else rtmpBadge.removeAttribute('title');
    }
    streamBtn.hidden = c.state !== 'open' || classified.isClassified(c) || c.mode === 'echo';
    streamBtn.setAttribute('aria-pressed', String(Boolean(stream)));
    streamBtn.textContent = t(stream ? 'live.streamStop' : 'live.stream');
    linksBtn.hidden = streamBtn.hidden;
  }

  // Mute all: pressed while every other site in the conference is muted.
  function updateMuteAll() {
    muteAllBtn.setAttribute('aria-pressed', String(muteAllPressed(st.roll, st.conf.host, st.muteAllLast)));
  }

  return { el, update, updateMuteAll, setStale: (text) => { staleText.textContent = text; } };
}
