// The audit log (a tab of #/history): GET /audit?limit=50, older pages with ?before=<the
// smallest id>; a filter box narrows the loaded rows. Also an audit entry as a table row, which
// a conference's history shows too. Hooks for tests: #audit-filter, #audit-older, tr[data-audit].

import { h, replace } from '../../dom.js';
import { fmtSeconds } from '../../logic/format.js';
import { label, list, table } from './common.js';

export const strings = {
  vi: {
    'hist.audit.filter': 'Lọc các dòng đã tải',
    'hist.audit.filterPlaceholder': 'Người thực hiện, thao tác, đối tượng…',
    'hist.audit.shown': 'Hiển thị {n}/{total} dòng',
    'hist.audit.older': 'Tải các mục cũ hơn',
    'hist.audit.end': 'Đã tải hết nhật ký.',
    'hist.audit.empty': 'Nhật ký trống.',
    'hist.audit.noMatch': 'Không có dòng nào khớp bộ lọc.',
    'hist.audit.col.time': 'Thời gian',
    'hist.audit.col.actor': 'Người thực hiện',
    'hist.audit.col.action': 'Thao tác',
    'hist.audit.col.target': 'Đối tượng',
    'hist.audit.col.detail': 'Chi tiết',
    'hist.audit.scheduler': 'Lịch tự động',
    'hist.action.login': 'Đăng nhập',
    'hist.action.logout': 'Đăng xuất',
    'hist.action.create-token': 'Tạo mã API',
    'hist.action.delete-token': 'Thu hồi mã API',
    'hist.action.create-site': 'Thêm điểm cầu',
    'hist.action.update-site': 'Sửa điểm cầu',
    'hist.action.delete-site': 'Xóa điểm cầu',
    'hist.action.renew-site-token': 'Cấp lại mã điểm cầu',
    'hist.action.create-user': 'Thêm người dùng',
    'hist.action.update-user': 'Sửa người dùng',
    'hist.action.delete-user': 'Xóa người dùng',
    'hist.action.create-conference': 'Tạo hội nghị',
    'hist.action.update-conference': 'Sửa hội nghị',
    'hist.action.delete-conference': 'Xóa hội nghị',
    'hist.action.open': 'Mở hội nghị',
    'hist.action.close': 'Đóng hội nghị',
    'hist.action.mute': 'Tắt/bật tiếng, hình',
    'hist.action.mute-all': 'Tắt tiếng tất cả',
    'hist.action.kick': 'Mời ra',
    'hist.action.call': 'Gọi vào',
    'hist.action.spotlight': 'Ghim điểm cầu',
    'hist.action.layout': 'Đổi bố cục',
    'hist.action.lock': 'Khóa hội nghị',
    'hist.action.preview': 'Xem trước',
    'hist.action.sip-answered': 'SIP: điểm cầu đã nhận cuộc gọi',
    'hist.action.sip-failed': 'SIP: cuộc gọi không thành',
    'hist.action.sip-dropped': 'SIP: cuộc gọi bị ngắt',
    'hist.action.unmute-all': 'Bật lại tiếng tất cả',
    'hist.action.unlock': 'Mở khóa hội nghị',
    'hist.action.preview-end': 'Kết thúc xem trước',
    'hist.action.stop-content': 'Chủ trì dừng trình chiếu',
    'hist.action.record-start': 'Bắt đầu ghi hình',
    'hist.action.record-stop': 'Dừng ghi hình',
    'hist.action.record-play': 'Xem bản ghi hình',
    'hist.action.record-download': 'Tải bản ghi hình',
    'hist.action.record-delete': 'Xóa bản ghi hình',
    'hist.action.record-expire': 'Xóa bản ghi hình quá hạn lưu',
    'hist.action.preview-refused': 'Xem trước bị từ chối',
    'hist.action.join': 'Điểm cầu vào hội nghị',
    'hist.action.join-content': 'Bắt đầu trình chiếu',
    'hist.action.join-refused': 'Điểm cầu bị từ chối vào',
    'hist.action.leave': 'Điểm cầu rời hội nghị',
    'hist.action.leave-content': 'Dừng trình chiếu',
    'hist.action.media': 'Hình và tiếng đã mã hóa',
    'hist.action.media-refused': 'Mã hóa không đủ mạnh: điểm cầu bị ngắt khỏi hội nghị',
  },
  en: {
    'hist.audit.filter': 'Filter the loaded rows',
    'hist.audit.filterPlaceholder': 'Actor, action, target…',
    'hist.audit.shown': 'Showing {n}/{total} rows',
    'hist.audit.older': 'Load older entries',
    'hist.audit.end': 'The whole log is loaded.',
    'hist.audit.empty': 'The log is empty.',
    'hist.audit.noMatch': 'No row matches the filter.',
    'hist.audit.col.time': 'Time',
    'hist.audit.col.actor': 'Actor',
    'hist.audit.col.action': 'Action',
    'hist.audit.col.target': 'Target',
    'hist.audit.col.detail': 'Detail',
    'hist.audit.scheduler': 'Scheduler',
    'hist.action.login': 'Log in',
    'hist.action.logout': 'Log out',
    'hist.action.create-token': 'Create API token',
    'hist.action.delete-token': 'Revoke API token',
    'hist.action.create-site': 'Add site',
    'hist.action.update-site': 'Edit site',
    'hist.action.delete-site': 'Delete site',
    'hist.action.renew-site-token': 'Renew site token',
    'hist.action.create-user': 'Add user',
    'hist.action.update-user': 'Edit user',
    'hist.action.delete-user': 'Delete user',
    'hist.action.create-conference': 'Create conference',
    'hist.action.update-conference': 'Edit conference',
    'hist.action.delete-conference': 'Delete conference',
    'hist.action.open': 'Open conference',
    'hist.action.close': 'Close conference',
    'hist.action.mute': 'Mute/unmute',
    'hist.action.mute-all': 'Mute all',
    'hist.action.kick': 'Remove site',
    'hist.action.call': 'Call site',
    'hist.action.spotlight': 'Spotlight',
    'hist.action.layout': 'Change layout',
    'hist.action.lock': 'Lock conference',
    'hist.action.preview': 'Preview',
    'hist.action.sip-answered': 'SIP: call answered',
    'hist.action.sip-failed': 'SIP: call failed',
    'hist.action.sip-dropped': 'SIP: call dropped',
    'hist.action.unmute-all': 'Unmute all',
    'hist.action.unlock': 'Unlock conference',
    'hist.action.preview-end': 'Preview ended',
    'hist.action.stop-content': 'Content stopped by the host',
    'hist.action.record-start': 'Recording started',
    'hist.action.record-stop': 'Recording stopped',
    'hist.action.record-play': 'Recording played',
    'hist.action.record-download': 'Recording downloaded',
    'hist.action.record-delete': 'Recording deleted',
    'hist.action.record-expire': 'Recording past its retention deleted',
    'hist.action.preview-refused': 'Preview refused',
    'hist.action.join': 'Site joined',
    'hist.action.join-content': 'Content sharing started',
    'hist.action.join-refused': 'Site refused',
    'hist.action.leave': 'Site left',
    'hist.action.leave-content': 'Content sharing stopped',
    'hist.action.media': 'Media encrypted',
    'hist.action.media-refused': 'Encryption too weak: site removed',
  },
};

const AUDIT_PAGE = 50;

// What the log remembers between renders (a language switch renders it again): the filter.
const auditState = { filter: '' };

// The audit log: pages of 50, "older" pages back, the filter narrows the rows loaded.
export function auditLog(panel, ctx) {
  const { t, api } = ctx;
  const rows = [];
  let exhausted = false;
  let loading = false;
  const filter = h('input', { type: 'search', id: 'audit-filter', value: auditState.filter, placeholder: t('hist.audit.filterPlaceholder'), autocomplete: 'off' });
  const shown = h('span', { class: 'hist-shown', 'aria-live': 'polite' });
  const body = h('div', {}, h('p', { class: 'empty' }, t('hist.loading')));
  const older = h('button', { type: 'button', class: 'btn btn-secondary', id: 'audit-older' }, t('hist.audit.older'));
  const end = h('p', { class: 'field-hint', hidden: true }, t('hist.audit.end'));
  replace(panel,
    h('div', { class: 'toolbar hist-audit-bar' },
      h('label', { for: filter.id, class: 'hist-filter-label' }, t('hist.audit.filter')), filter, shown),
    body,
    h('div', { class: 'hist-more' }, older, end));

  function draw() {
    const q = filter.value.trim().toLowerCase();
    const matching = q ? rows.filter((r) => r.text.includes(q)) : rows;
    shown.textContent = t('hist.audit.shown', { n: matching.length, total: rows.length });
    replace(body, table('hist-audit', auditHead(ctx), matching.map((r) => r.el),
      rows.length ? t('hist.audit.noMatch') : t('hist.audit.empty')));
    older.hidden = exhausted;
    end.hidden = !exhausted || !rows.length;
  }
  async function more() {
    if (loading || exhausted) return;
    loading = true;
    older.disabled = true;
    const before = rows.length ? Math.min(...rows.map((r) => r.entry.id)) : 0;
    try {
      const page = list(await api.get(`/audit?limit=${AUDIT_PAGE}${before ? `&before=${before}` : ''}`));
      for (const entry of page) rows.push(auditRow(ctx, entry));
      exhausted = page.length < AUDIT_PAGE;
    } catch (e) {
      ctx.toast(t('hist.loadFailed', { message: e.message }), 'error');
      if (!rows.length) replace(body, h('p', { class: 'empty', role: 'alert' }, t('hist.loadFailed', { message: e.message })));
      return;
    } finally {
      loading = false;
      older.disabled = false;
    }
    draw();
  }
  filter.addEventListener('input', () => {
    auditState.filter = filter.value;
    draw();
  });
  older.addEventListener('click', more);
  more();
}

export function auditHead(ctx) {
  const { t } = ctx;
  return ['time', 'actor', 'action', 'target', 'detail'].map((k) => [t(`hist.audit.col.${k}`)]);
}

// An audit entry as a row, with the text the filter looks in.
export function auditRow(ctx, entry) {
  const { t } = ctx;
  const detail = entry.detail && typeof entry.detail === 'object' && Object.keys(entry.detail).length ? JSON.stringify(entry.detail) : '';
  const action = label(ctx, `hist.action.${entry.action}`, entry.action);
  const actor = entry.actor === 'scheduler' ? t('hist.audit.scheduler') : entry.actor;
  const el = h('tr', { dataset: { audit: String(entry.id) } },
    h('td', { class: 'hist-time' }, fmtSeconds(entry.atMs)),
    h('td', {}, actor || t('hist.none')),
    h('td', {}, h('span', { class: 'hist-action' }, action), action !== entry.action ? h('code', { class: 'hist-code' }, entry.action) : null),
    h('td', { class: 'hist-target' }, entry.target || t('hist.none')),
    h('td', { class: 'hist-detail' }, detail ? h('code', {}, detail) : t('hist.none')));
  const text = [fmtSeconds(entry.atMs), entry.actor, actor, entry.action, action, entry.target, detail].join(' ').toLowerCase();
  return { entry, el, text };
}
