// The live page's preview card: the composite as the sites see it (a receive-only WebRTC
// preview, ../../preview.js) while the conference is open, its state, a button to hear it, and
// the layout picker (a radio group of the four layouts' pictures). A classified conference is
// never previewed (the MCU refuses it): no preview is asked for, the state says why and the
// sound button is disabled. Nor is it asked for by a technician (who follows stream health, not
// content: the MCU refuses it), state not-allowed. A preview the MCU refuses (forbidden: a locked
// conference) is not retried until the conference's lock changes, state refused. Hooks for
// tests: #preview, #preview-sound,
// #preview-state[data-state] (classified for such a conference), #layout-picker
// [data-layout][aria-checked].

import { h, uid } from '../../dom.js';
import { LAYOUTS } from '../../logic/conferences.js';
import { isClassified } from '../../logic/protection.js';
import { icon, layoutPicture } from '../../pictures.js';
import { Preview } from '../../preview.js';

export const strings = {
  vi: {
    'live.preview': 'Hình ảnh hội nghị',
    'live.previewVideo': 'Hình ghép của hội nghị, như các điểm cầu đang thấy',
    'live.sound': 'Nghe âm thanh',
    'live.pv.idle': 'Hội nghị chưa mở: chưa có hình.',
    'live.pv.connecting': 'Đang kết nối hình xem trước…',
    'live.pv.connected': 'Đang xem trực tiếp',
    'live.pv.failed': 'Không xem được: {reason}. Thử lại sau {seconds} giây.',
    'live.pv.ended': 'Hội nghị đã kết thúc ({reason}).',
    'live.pv.stopped': 'Đã dừng xem trước.',
    'live.pv.confEnded': 'Hội nghị đã kết thúc: không còn hình.',
    'live.pv.ws_failed': 'không kết nối được tới MCU',
    'live.pv.ws_closed': 'mất kết nối tới MCU',
    'live.pv.media_failed': 'kết nối hình ảnh thất bại',
    'live.pv.pc_failed': 'kết nối hình ảnh bị ngắt',
    'live.pv.sdp_failed': 'trình duyệt không xử lý được đề nghị SDP',
    'live.pv.not_found': 'không có hội nghị này',
    'live.pv.conflict': 'hội nghị chưa mở',
    'live.pv.forbidden': 'không được phép xem',
    'live.pv.unauthorized': 'phiên đăng nhập không hợp lệ',
    'live.pv.classified': 'Hội nghị mật: không được xem trước hình và tiếng.',
    'live.pv.notAllowed': 'Kỹ thuật viên theo dõi tình trạng các luồng (trang Giám sát kỹ thuật), không xem nội dung hội nghị.',
    'live.pv.locked': 'Hội nghị đã khóa: chủ trì mở khóa thì mới xem trước được.',
    'live.pv.refused': 'Không được xem trước: {reason}',
    'live.layout': 'Bố cục hình ghép',
    'live.layout.grid': 'Lưới đều',
    'live.layout.speaker': 'Người nói',
    'live.layout.single': 'Một khung',
    'live.layout.presenter': 'Trình chiếu',
    'live.layout.gridHint': 'Mọi điểm cầu bằng nhau',
    'live.layout.speakerHint': 'Người đang phát biểu (hoặc điểm cầu được ghim) khung lớn, các điểm cầu khác khung nhỏ',
    'live.layout.singleHint': 'Chỉ người đang phát biểu (hoặc điểm cầu được ghim), toàn khung hình',
    'live.layout.presenterHint': 'Nội dung trình chiếu khung lớn, các điểm cầu khung nhỏ',
  },
  en: {
    'live.preview': 'Conference picture',
    'live.previewVideo': 'The conference composite, as the sites see it',
    'live.sound': 'Hear the sound',
    'live.pv.idle': 'The conference is not open: no picture yet.',
    'live.pv.connecting': 'Connecting the preview…',
    'live.pv.connected': 'Watching live',
    'live.pv.failed': 'No preview: {reason}. Retrying in {seconds} s.',
    'live.pv.ended': 'The conference has ended ({reason}).',
    'live.pv.stopped': 'Preview stopped.',
    'live.pv.confEnded': 'The conference has ended: no picture.',
    'live.pv.ws_failed': 'the MCU cannot be reached',
    'live.pv.ws_closed': 'the connection to the MCU was lost',
    'live.pv.media_failed': 'the media connection failed',
    'live.pv.pc_failed': 'the media connection was interrupted',
    'live.pv.sdp_failed': 'the browser could not process the SDP offer',
    'live.pv.not_found': 'no such conference',
    'live.pv.conflict': 'the conference is not open',
    'live.pv.forbidden': 'not allowed to watch',
    'live.pv.unauthorized': 'the login session is not valid',
    'live.pv.classified': 'Classified meeting: it cannot be previewed.',
    'live.pv.notAllowed': 'A technician follows the streams\u2019 health (Technical monitoring), not the conference\u2019s content.',
    'live.pv.locked': 'The conference is locked: its host unlocks it to allow a preview.',
    'live.pv.refused': 'Preview not allowed: {reason}',
    'live.layout': 'Composite layout',
    'live.layout.grid': 'Grid',
    'live.layout.speaker': 'Speaker',
    'live.layout.single': 'Single',
    'live.layout.presenter': 'Presenter',
    'live.layout.gridHint': 'Every site the same size',
    'live.layout.speakerHint': 'The active speaker (or the pinned site) large, the other sites small',
    'live.layout.singleHint': 'Only the active speaker (or the pinned site), full picture',
    'live.layout.presenterHint': 'The shared content large, the sites small',
  },
};

// How long a preview may wait, once the conference is no longer open, for the MCU to say why
// (`left`, shown as 'ended') before it is stopped.
const STOP_AFTER_MS = 2500;

// The preview card of page `p` (see ../live.js): {el, showState(state, detail), sync(),
// updateLayout(), stop()}.
export function previewCard(p) {
  const { ctx, t, api, id, path, st, canControl, describedBy } = p;
  const mayWatch = ctx.can('host');  // The MCU previews for hosts and administrators only.
  const video = h('video', { id: 'preview', autoplay: true, playsinline: true, muted: true, 'aria-label': t('live.previewVideo') });
  video.muted = true;
  const stageMsg = h('div', { class: 'live-stage-msg' });
  const previewState = h('span', { class: 'live-pv-state', id: 'preview-state', role: 'status', 'data-state': 'idle' });
  const soundBtn = h('button', { type: 'button', class: 'btn btn-secondary btn-small', id: 'preview-sound', 'aria-pressed': 'false',
    'aria-describedby': 'preview-state',
    onclick: () => {
      video.muted = !video.muted;
      soundBtn.setAttribute('aria-pressed', String(!video.muted));
      if (!video.muted) video.play().catch(() => {});
    } }, icon('sound'), t('live.sound'));

  function showState(shown, detail) {
    const state = isClassified(st.conf) ? 'classified' : !mayWatch ? 'not-allowed' : shown;
    previewState.dataset.state = state;
    soundBtn.disabled = state === 'classified' || state === 'not-allowed';
    let text;
    if (state === 'classified') text = t('live.pv.classified');
    else if (state === 'not-allowed') text = t('live.pv.notAllowed');
    else if (state === 'refused') text = st.conf.locked ? t('live.pv.locked') : t('live.pv.refused', { reason: (detail && detail.message) || '—' });
    else if (state === 'connected') text = t('live.pv.connected');
    else if (state === 'connecting') text = t('live.pv.connecting');
    else if (state === 'failed') {
      const code = detail && detail.code;
      const known = code && ctx.i18n.has(`live.pv.${code}`) ? t(`live.pv.${code}`) : '';
      const reason = [known, detail && detail.message].filter(Boolean).join(' — ') || String(code || '');
      text = t('live.pv.failed', { reason, seconds: (detail && detail.retryS) || 2 });
    } else if (state === 'ended') text = t('live.pv.ended', { reason: (detail && detail.reason) || '—' });
    else if (state === 'stopped')
      text = st.conf.state === 'open' ? t('live.pv.stopped') : st.conf.state === 'ended' ? t('live.pv.confEnded') : t('live.pv.idle');
    else text = st.conf.state === 'ended' ? t('live.pv.confEnded') : t('live.pv.idle');
    previewState.textContent = text;
    stageMsg.textContent = state === 'connected' ? '' : text;
    stageMsg.hidden = state === 'connected';
  }

  const preview = new Preview({ conference: id, video, onState: showState });
  // The preview runs while the conference is open. When it closes, the MCU tells the preview
  // why (`left`, shown as 'ended'); the preview is stopped a moment later if that never came.
  let stopTimer = 0;
  let classifiedSeen = isClassified(st.conf);
  let lockedSeen = Boolean(st.conf.locked);
  function sync() {
    if (p.isClosed()) return;
    clearTimeout(stopTimer);
    classifiedSeen = isClassified(st.conf);
    if (classifiedSeen) {
      // Never asked for: the MCU refuses it (and removes one that runs when the flag is set).
      if (preview.running) preview.stop();
      else showState('idle', null);
      return;
    }
    if (!mayWatch) {
      showState('idle', null);
      return;
    }
    lockedSeen = Boolean(st.conf.locked);
    const open = st.conf.state === 'open';
    if (open && (!preview.running || preview.state === 'ended' || preview.state === 'refused')) preview.start();
    else if (!open && preview.running && preview.state !== 'ended')
      stopTimer = setTimeout(() => {
        if (!p.isClosed() && st.conf.state !== 'open' && preview.state !== 'ended') preview.stop();
      }, STOP_AFTER_MS);
  }

  // Layout picker (a radio group of pictures).
  const layoutLabel = h('span', { class: 'live-label', id: uid('layout') }, t('live.layout'));
  const layoutOptions = LAYOUTS.map((kind) => h('button', {
    type: 'button', role: 'radio', class: 'layout-option', 'data-layout': kind, 'aria-checked': 'false', tabindex: '-1',
    title: t(`live.layout.${kind}Hint`), disabled: !canControl, 'aria-describedby': describedBy,
    onclick: () => chooseLayout(kind, false),
  }, layoutPicture(kind), h('span', { class: 'layout-name' }, t(`live.layout.${kind}`))));
  const layoutPicker = h('div', { role: 'radiogroup', id: 'layout-picker', class: 'layout-picker', 'aria-labelledby': layoutLabel.id,
    'aria-disabled': canControl ? null : 'true',
    onkeydown: (e) => {
      const keys = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, Home: 'first', End: 'last' };
      if (!(e.key in keys) || !canControl) return;
      e.preventDefault();
      const cur = Math.max(0, layoutOptions.indexOf(document.activeElement));
      const k = keys[e.key];
      const next = k === 'first' ? 0 : k === 'last' ? LAYOUTS.length - 1 : (cur + k + LAYOUTS.length) % LAYOUTS.length;
      chooseLayout(LAYOUTS[next], true);
    },
  }, layoutOptions);

  // Also runs whenever the page has the conference again: a change of its classification starts
  // or stops the preview.
  function updateLayout() {
    if (isClassified(st.conf) !== classifiedSeen) sync();
    else if (Boolean(st.conf.locked) !== lockedSeen) sync();  // Unlocked: a refused preview tries again.
    const current = LAYOUTS.includes(st.conf.layout) ? st.conf.layout : 'grid';
    layoutOptions.forEach((b, i) => {
      const on = LAYOUTS[i] === current;
      b.setAttribute('aria-checked', String(on));
      b.tabIndex = on ? 0 : -1;
    });
  }

  let layoutSeq = 0;
  async function chooseLayout(kind, focus) {
    if (!canControl) return;
    const previous = st.conf.layout;
    const option = layoutOptions[LAYOUTS.indexOf(kind)];
    st.conf.layout = kind;
    updateLayout();
    if (focus) option.focus();
    if (previous === kind) return;
    const seq = ++layoutSeq;
    try {
      await api.put(`${path}/layout`, { layout: kind });
    } catch (e) {
      if (seq === layoutSeq) {
        st.conf.layout = previous;
        updateLayout();
      }
      ctx.toast(t('live.failed', { message: e.message }), 'error');
    }
  }

  const el = h('section', { class: 'card live-preview', 'aria-labelledby': 'live-preview-h' },
    h('h2', { class: 'live-h2', id: 'live-preview-h' }, t('live.preview')),
    h('div', { class: 'live-stage' }, video, stageMsg),
    h('div', { class: 'live-pv-bar' }, previewState, soundBtn),
    h('div', { class: 'live-layout-row' }, layoutLabel, layoutPicker));

  function stop() {
    clearTimeout(stopTimer);
    preview.stop();
  }

  return { el, showState, sync, updateLayout, stop };
}
