// What the history pages share: the state pill of a conference (or "deleted"), its "Mật" badge
// when it is classified (../conferences/classified.js), numbers in the page's language, a titled
// section, a table with its empty text, names looked up with a fallback.

import { h, uid } from '../../dom.js';
import { mergeStrings } from '../../i18n.js';
import { formatNumber } from '../../logic/format.js';
import { classifiedBadge, isClassified, strings as classifiedStrings } from '../conferences/classified.js';

const commonStrings = {
  vi: {
    'hist.title': 'Lịch sử',
    'hist.tab.conferences': 'Hội nghị',
    'hist.tab.audit': 'Nhật ký thao tác',
    'hist.loading': 'Đang tải…',
    'hist.loadFailed': 'Không tải được dữ liệu: {message}',
    'hist.retry': 'Thử lại',
    'hist.partial': 'Một phần dữ liệu không tải được ({what}): {message}',
    'hist.none': '—',
    'hist.col.sessions': 'Lượt vào',
    'hist.col.alarms': 'Cảnh báo',
    'hist.state.open': 'Đang họp',
    'hist.state.scheduled': 'Đã lên lịch',
    'hist.state.ended': 'Đã kết thúc',
    'hist.state.deleted': 'Đã xóa',
    'hist.state.permanent': 'Luôn mở',
  },
  en: {
    'hist.title': 'History',
    'hist.tab.conferences': 'Conferences',
    'hist.tab.audit': 'Audit log',
    'hist.loading': 'Loading…',
    'hist.loadFailed': 'Could not load the data: {message}',
    'hist.retry': 'Retry',
    'hist.partial': 'Part of the data could not be loaded ({what}): {message}',
    'hist.none': '—',
    'hist.col.sessions': 'Joins',
    'hist.col.alarms': 'Alarms',
    'hist.state.open': 'Open',
    'hist.state.scheduled': 'Scheduled',
    'hist.state.ended': 'Ended',
    'hist.state.deleted': 'Deleted',
    'hist.state.permanent': 'Always open',
  },
};

export const strings = mergeStrings(commonStrings, classifiedStrings);

export const enc = encodeURIComponent;
export const list = (x) => (Array.isArray(x) ? x : []);

// A number in the page's language (Vietnamese: decimal comma), '—' when missing or negative.
export function num(ctx, v, digits = 0) {
  return formatNumber(v, digits, ctx.i18n.lang);
}

// The text of `key`, or `fallback` (the MCU's own word) when the console has none.
export function label(ctx, key, fallback) {
  return ctx.i18n.has(key) ? ctx.t(key) : fallback;
}

export function section(title, count, ...content) {
  const id = uid('hist-sec');
  return h('section', { class: 'hist-section', 'aria-labelledby': id },
    h('h2', { class: 'section-title', id }, title, count !== null && count !== undefined ? h('span', { class: 'count' }, String(count)) : null),
    content);
}

// A table (`head`: [[text, class?]]) of `rows`, or `emptyText` when there are none.
export function table(className, head, rows, emptyText) {
  if (!rows.length) return h('div', { class: 'table-wrap' }, h('p', { class: 'empty' }, emptyText));
  return h('div', { class: 'table-wrap' },
    h('table', { class: `data mg-table ${className}` },
      h('thead', {}, h('tr', {}, head.map(([text, cls]) => h('th', { scope: 'col', class: cls || null }, text)))),
      h('tbody', {}, rows)));
}

// The "Mật" badge of a classified conference (its JSON, or null once deleted); null otherwise.
export function classifiedMark(ctx, c) {
  return isClassified(c) ? classifiedBadge(ctx.t) : null;
}

export function statePill(ctx, c) {
  if (!c) return h('span', { class: 'state state-ended' }, ctx.t('hist.state.deleted'));
  const state = ['open', 'scheduled', 'ended'].includes(c.state) ? c.state : 'scheduled';
  return h('span', { class: `state state-${state}` }, ctx.t(c.permanent ? 'hist.state.permanent' : `hist.state.${state}`));
}
