// A conference's recordings on its history page (GET /recordings?conference=<id>): when each
// began and ended, how long and large it is, who started it and its state (recording, finished,
// interrupted). Anyone may see the list; a host or an admin may play one in the page (the file
// inline, which the server audits as a play), download it, or delete it (after a confirmation).
// Hooks for tests: tr[data-recording] (one per recording, data-state), button.rec-play,
// a.rec-download, button.rec-delete, video.rec-player.

import { h, fmtDateTime, fmtDuration } from '../../dom.js';
import { fmtBytes } from '../../logic/format.js';
import { confirmDialog } from '../../widgets.js';
import { label, table } from './common.js';

export const strings = {
  vi: {
    'hist.recordings': 'Bản ghi hình',
    'hist.noRecordings': 'Hội nghị này chưa được ghi hình.',
    'hist.rec.col.started': 'Bắt đầu',
    'hist.rec.col.ended': 'Kết thúc',
    'hist.rec.col.duration': 'Thời lượng',
    'hist.rec.col.size': 'Dung lượng',
    'hist.rec.col.by': 'Người ghi',
    'hist.rec.col.state': 'Trạng thái',
    'hist.rec.state.recording': 'Đang ghi',
    'hist.rec.state.finished': 'Hoàn tất',
    'hist.rec.state.interrupted': 'Bị gián đoạn',
    'hist.rec.interruptedHint': 'MCU dừng đột ngột khi đang ghi; tệp phát được đến đoạn cuối đã ghi xong.',
    'hist.rec.play': 'Xem',
    'hist.rec.close': 'Đóng',
    'hist.rec.download': 'Tải về',
    'hist.rec.delete': 'Xóa',
    'hist.rec.deleteTitle': 'Xóa bản ghi hình?',
    'hist.rec.deleteText': 'Tệp {file} sẽ bị xóa vĩnh viễn khỏi MCU.',
    'hist.rec.cancel': 'Hủy',
    'hist.rec.deleted': 'Đã xóa bản ghi hình {file}.',
    'hist.rec.failed': 'Không thực hiện được: {message}',
  },
  en: {
    'hist.recordings': 'Recordings',
    'hist.noRecordings': 'This conference has not been recorded.',
    'hist.rec.col.started': 'Began',
    'hist.rec.col.ended': 'Ended',
    'hist.rec.col.duration': 'Duration',
    'hist.rec.col.size': 'Size',
    'hist.rec.col.by': 'Started by',
    'hist.rec.col.state': 'State',
    'hist.rec.state.recording': 'Recording',
    'hist.rec.state.finished': 'Finished',
    'hist.rec.state.interrupted': 'Interrupted',
    'hist.rec.interruptedHint': 'The MCU stopped abruptly while recording; the file plays up to its last complete part.',
    'hist.rec.play': 'Play',
    'hist.rec.close': 'Close',
    'hist.rec.download': 'Download',
    'hist.rec.delete': 'Delete',
    'hist.rec.deleteTitle': 'Delete the recording?',
    'hist.rec.deleteText': 'The file {file} will be deleted from the MCU for good.',
    'hist.rec.cancel': 'Cancel',
    'hist.rec.deleted': 'Recording {file} deleted.',
    'hist.rec.failed': 'Could not be done: {message}',
  },
};

// The table of `recordings` (newest first), with its actions for a host or an admin.
export function recordingsTable(view, ctx, recordings) {
  const { t, api } = ctx;
  const lang = ctx.i18n.lang;
  const canUse = ctx.can('host');
  const rows = [];
  for (const r of recordings) {
    const file = `/api/v1/recordings/${r.id}/file`;
    const player = h('tr', { class: 'rec-player-row', hidden: true },
      h('td', { colspan: 7 }));
    const play = h('button', { type: 'button', class: 'btn btn-secondary btn-small rec-play', 'aria-expanded': 'false' }, t('hist.rec.play'));
    play.addEventListener('click', () => {
      const open = player.hidden;
      player.hidden = !open;
      play.setAttribute('aria-expanded', String(open));
      play.textContent = t(open ? 'hist.rec.close' : 'hist.rec.play');
      const cell = player.firstChild;
      cell.replaceChildren(open ? h('video', { class: 'rec-player', controls: true, autoplay: true, preload: 'metadata', src: `${file}?play=1` }) : '');
    });
    const remove = h('button', { type: 'button', class: 'btn btn-danger-outline btn-small rec-delete' }, t('hist.rec.delete'));
    const row = h('tr', { dataset: { recording: String(r.id), state: r.state } },
      h('td', { class: 'hist-time' }, fmtDateTime(r.startedMs)),
      h('td', { class: 'hist-time' }, r.endedMs ? fmtDateTime(r.endedMs) : '—'),
      h('td', { class: 'num' }, fmtDuration(r.durationMs, lang)),
      h('td', { class: 'num' }, fmtBytes(r.bytes)),
      h('td', {}, r.startedBy),
      h('td', {}, h('span', {
        class: `state rec-state-${r.state}`,
        title: r.state === 'interrupted' ? t('hist.rec.interruptedHint') : null,
      }, label(ctx, `hist.rec.state.${r.state}`, r.state))),
      h('td', { class: 'rec-actions' }, canUse && r.state !== 'recording' ? [
        play,
        h('a', { class: 'btn btn-secondary btn-small rec-download', href: file, download: r.file }, t('hist.rec.download')),
        remove,
      ] : null));
    remove.addEventListener('click', async () => {
      const ok = await confirmDialog(view, {
        title: t('hist.rec.deleteTitle'), text: t('hist.rec.deleteText', { file: r.file }), ok: t('hist.rec.delete'), cancel: t('hist.rec.cancel'), opener: remove,
      });
      if (!ok) return;
      remove.disabled = true;
      try {
        await api.del(`/recordings/${r.id}`);
        row.remove();
        player.remove();
        ctx.toast(t('hist.rec.deleted', { file: r.file }), 'ok');
      } catch (e) {
        remove.disabled = false;
        ctx.toast(t('hist.rec.failed', { message: e.message }), 'error');
      }
    });
    rows.push(row, player);
  }
  return table('hist-recordings', [
    [t('hist.rec.col.started')], [t('hist.rec.col.ended')], [t('hist.rec.col.duration'), 'num'], [t('hist.rec.col.size'), 'num'],
    [t('hist.rec.col.by')], [t('hist.rec.col.state')], [''],
  ], rows, t('hist.noRecordings'));
}
