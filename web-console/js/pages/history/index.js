// #/history, two tabs (#/history?tab=audit opens on the second). "Conferences": each conference
// that ran or is running (GET /conferences, attendance counted from GET
// /call-records?limit=1000, alarms counted from GET /alarms?limit=1000, summarised by
// ../../logic/history.js): title, state, last occurrence, sites that attended / invited, alarms;
// each links to its page; a classified one has the "Mật" badge. "Audit log": ./audit.js. Hooks
// for tests: a[href="#/history/<id>"] per conference, tr[data-conference] .classified-badge.

import { h, replace, fmtDateTime } from '../../dom.js';
import { summarize } from '../../logic/history.js';
import { tabList } from '../../widgets.js';
import { auditLog } from './audit.js';
import { classifiedMark, enc, list, statePill, table } from './common.js';

export const strings = {
  vi: {
    'hist.lead': 'Các hội nghị đã và đang diễn ra, điểm danh, chất lượng đường truyền và nhật ký thao tác.',
    'hist.tabs': 'Nội dung lịch sử',
    'hist.col.conference': 'Hội nghị',
    'hist.col.state': 'Trạng thái',
    'hist.col.last': 'Lần họp gần nhất',
    'hist.col.attended': 'Tham dự / được mời',
    'hist.noConferences': 'Chưa có hội nghị nào diễn ra.',
    'hist.attendedOf': '{n} / {of}',
    'hist.anySite': 'không giới hạn',
    'hist.recordsNote': 'Tính trên {n} lượt tham dự gần nhất.',
  },
  en: {
    'hist.lead': 'Past and running conferences, attendance, link quality and the audit log.',
    'hist.tabs': 'History sections',
    'hist.col.conference': 'Conference',
    'hist.col.state': 'State',
    'hist.col.last': 'Last held',
    'hist.col.attended': 'Attended / invited',
    'hist.noConferences': 'No conference has taken place yet.',
    'hist.attendedOf': '{n} / {of}',
    'hist.anySite': 'any',
    'hist.recordsNote': 'Counted over the latest {n} attendances.',
  },
};

// What /history remembers between renders (a language switch renders it again). The tab is in
// the address (#/history?tab=audit), so that #/history is the conferences.
const pageState = { tab: 'conferences' };

export async function renderIndex(view, ctx) {
  const { t } = ctx;
  const confPanel = h('div', { class: 'hist-panel' }, h('p', { class: 'empty' }, t('hist.loading')));
  const auditPanel = h('div', { class: 'hist-panel' });
  let auditLoaded = false;
  pageState.tab = ctx.query.get('tab') === 'audit' ? 'audit' : 'conferences';
  const tabs = tabList(t('hist.tabs'), [
    { key: 'conferences', label: t('hist.tab.conferences'), panel: confPanel },
    { key: 'audit', label: t('hist.tab.audit'), panel: auditPanel },
  ], pageState.tab, (key) => {
    pageState.tab = key;
    history.replaceState(null, '', key === 'audit' ? '#/history?tab=audit' : '#/history');
    if (key === 'audit' && !auditLoaded) {
      auditLoaded = true;
      auditLog(auditPanel, ctx);
    }
  });
  view.append(
    h('div', { class: 'page-header' }, h('div', {}, h('h1', {}, t('hist.title')), h('p', { class: 'subtitle' }, t('hist.lead')))),
    tabs, confPanel, auditPanel);
  if (pageState.tab === 'audit') {
    auditLoaded = true;
    auditLog(auditPanel, ctx);
  }
  await conferenceHistory(confPanel, ctx);
}

async function conferenceHistory(panel, ctx) {
  const { t, api } = ctx;
  let conferences;
  let records;
  let alarms = null;
  const warnings = [];
  try {
    [conferences, records, alarms] = await Promise.all([
      api.get('/conferences'),
      api.get('/call-records?limit=1000'),
      api.get('/alarms?limit=1000').catch((e) => {
        warnings.push(t('hist.partial', { what: t('hist.col.alarms'), message: e.message }));
        return null;
      }),
    ]);
  } catch (e) {
    if (!ctx.current()) return;
    replace(panel, h('div', { class: 'empty', role: 'alert' }, t('hist.loadFailed', { message: e.message }), ' ',
      h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: () => conferenceHistory(panel, ctx) }, t('hist.retry'))));
    return;
  }
  if (!ctx.current()) return;
  const rows = summarize(list(conferences), list(records), alarms ? list(alarms) : null);
  replace(panel,
    warnings.map((w) => h('p', { class: 'form-error' }, w)),
    table('hist-conferences', [
      [t('hist.col.conference')], [t('hist.col.state')], [t('hist.col.last')],
      [t('hist.col.attended'), 'num'], [t('hist.col.sessions'), 'num'], [t('hist.col.alarms'), 'num'],
    ], rows.map((e) => conferenceRow(ctx, e)), t('hist.noConferences')),
    list(records).length >= 1000 ? h('p', { class: 'field-hint hist-note' }, t('hist.recordsNote', { n: 1000 })) : null);
}

function conferenceRow(ctx, e) {
  const { t } = ctx;
  const invited = e.conf ? list(e.conf.invited).length : 0;
  const mark = classifiedMark(ctx, e.conf);
  return h('tr', { dataset: { conference: e.id } },
    h('th', { scope: 'row', class: 'hist-name' },
      h('a', { href: `#/history/${enc(e.id)}` }, e.conf ? e.conf.title : e.id),
      mark ? [' ', mark] : null,
      h('span', { class: 'hist-id' }, e.id)),
    h('td', {}, statePill(ctx, e.conf)),
    h('td', { class: 'hist-time' }, e.last ? fmtDateTime(e.last) : t('hist.none')),
    h('td', { class: 'num' }, t('hist.attendedOf', { n: e.sites.size, of: invited || t('hist.anySite') })),
    h('td', { class: 'num' }, String(e.sessions)),
    h('td', { class: `num${e.alarms ? ' hist-alarm-count' : ''}` }, String(e.alarms)));
}
