// The monitor's alarms panel (#/monitor): the active alarms, newest first, each with its site
// and conference and how long it has lasted; those cleared in this session under a disclosure;
// a new alarm announced to screen readers (critical ones assertively). The alarms themselves
// are kept by an AlarmBook (../../logic/alarms.js). Also the names of alarm kinds and
// severities, which the site page shows too. Hooks for tests: #active-alarms li[data-key]
// [data-severity], #cleared-alarms, #alarm-announce-critical (assertive), #alarm-announce.

import { h, replace, fmtTime, fmtDuration } from '../../dom.js';
import { alarmKey } from '../../logic/alarms.js';

export const strings = {
  vi: {
    'mon.alarms': 'Cảnh báo đang có',
    'mon.noAlarms': 'Không có cảnh báo nào.',
    'mon.cleared': 'Đã hết trong phiên này ({n})',
    'mon.noCleared': 'Chưa có cảnh báo nào hết trong phiên này.',
    'mon.sev.warning': 'Cảnh báo',
    'mon.sev.critical': 'Nghiêm trọng',
    'mon.kind.loss': 'Mất gói',
    'mon.kind.no-media': 'Không có tín hiệu',
    'mon.kind.rtt': 'Trễ khứ hồi cao',
    'mon.kind.offline': 'Điểm cầu ngoại tuyến',
    'mon.kind.device': 'Thiếu thiết bị',
    'mon.kind.video-refused': 'Hình quá lớn',
    'mon.kind.loop': 'Liên kết vòng lặp',
    'mon.kind.disk': 'Hết chỗ ghi hình',
    'mon.kind.dtls': 'Lỗi DTLS',
    'mon.kind.encoder': 'Bộ mã hóa chậm',
    'mon.since': 'từ {time} ({age})',
    'mon.clearedAt': '{from} – {to}',
    'mon.wholeConference': 'cả hội nghị',
    'mon.announce': '{severity}: {kind}, {site}, hội nghị {conference}. {detail}',
  },
  en: {
    'mon.alarms': 'Active alarms',
    'mon.noAlarms': 'No alarms.',
    'mon.cleared': 'Cleared in this session ({n})',
    'mon.noCleared': 'No alarm has cleared in this session yet.',
    'mon.sev.warning': 'Warning',
    'mon.sev.critical': 'Critical',
    'mon.kind.loss': 'Packet loss',
    'mon.kind.no-media': 'No media',
    'mon.kind.rtt': 'High round-trip time',
    'mon.kind.offline': 'Site offline',
    'mon.kind.device': 'Device missing',
    'mon.kind.video-refused': 'Picture too large',
    'mon.kind.loop': 'Link loop',
    'mon.kind.disk': 'No room to record',
    'mon.kind.dtls': 'DTLS failure',
    'mon.kind.encoder': 'Encoder late',
    'mon.since': 'since {time} ({age})',
    'mon.clearedAt': '{from} – {to}',
    'mon.wholeConference': 'whole conference',
    'mon.announce': '{severity}: {kind}, {site}, conference {conference}. {detail}',
  },
};

const enc = encodeURIComponent;

// The name of an alarm kind (the MCU's own word for one this console does not know).
export function kindText(ctx, kind) {
  return ctx.i18n.has(`mon.kind.${kind}`) ? ctx.t(`mon.kind.${kind}`) : kind;
}

// The panel over `book`; siteName(id) and confTitle(id) name things; isClosed() tells when the
// page has gone. Returns {el, render(), tick() (the ages, each second), announce(alarm)}.
export function alarmPanel(ctx, { book, siteName, confTitle, isClosed }) {
  const { t } = ctx;
  const lang = ctx.i18n.lang;
  const alarmCount = h('span', { class: 'count', id: 'alarm-count' }, '0');
  const activeList = h('ul', { class: 'alarm-list', id: 'active-alarms', 'aria-labelledby': 'mon-alarms-h' });
  const noAlarms = h('p', { class: 'mon-none-text' }, t('mon.noAlarms'));
  const clearedSummary = h('summary', {});
  const clearedList = h('ul', { class: 'alarm-list alarm-list-cleared', id: 'cleared-alarms' });
  const noCleared = h('p', { class: 'mon-none-text' }, t('mon.noCleared'));
  const announceCritical = h('div', { class: 'mon-sr-only', id: 'alarm-announce-critical', 'aria-live': 'assertive', 'aria-atomic': 'true' });
  const announcePolite = h('div', { class: 'mon-sr-only', id: 'alarm-announce', role: 'status', 'aria-atomic': 'true' });
  const el = h('section', { class: 'card mon-alarms', 'aria-labelledby': 'mon-alarms-h' },
    h('h2', { class: 'mon-h2', id: 'mon-alarms-h' }, t('mon.alarms'), ' ', alarmCount),
    activeList, noAlarms,
    h('details', { class: 'mon-cleared' }, clearedSummary, clearedList, noCleared),
    announceCritical, announcePolite);

  function alarmWhere(a) {
    const conf = confTitle(a.conference);
    return a.site ? `${siteName(a.site)} · ${conf}` : `${conf} (${t('mon.wholeConference')})`;
  }

  function alarmItem(a, cleared) {
    const key = alarmKey(a);
    const age = h('span', { class: 'alarm-age' });
    const li = h('li', { class: `alarm alarm-${a.severity}`, 'data-key': key, 'data-conference': a.conference, 'data-site': a.site, 'data-kind': a.kind, 'data-severity': a.severity },
      h('span', { class: `state sev-${a.severity}` }, t(`mon.sev.${a.severity}`)),
      h('span', { class: 'alarm-main' },
        h('span', { class: 'alarm-kind' }, kindText(ctx, a.kind)),
        ' ',
        a.site
          ? h('a', { href: `#/monitor/${enc(a.conference)}/${enc(a.site)}`, class: 'alarm-where' }, alarmWhere(a))
          : h('span', { class: 'alarm-where' }, alarmWhere(a))),
      h('span', { class: 'alarm-detail' }, a.detail),
      age);
    li.ageEl = age;
    li.where = alarmWhere(a);
    li.alarm = a;
    li.cleared = cleared;
    return li;
  }

  function updateAges(listEl) {
    const now = Date.now();
    for (const li of listEl.children) {
      const a = li.alarm;
      if (!a) continue;
      const text = li.cleared
        ? t('mon.clearedAt', { from: fmtTime(a.sinceMs, true), to: fmtTime(a.clearedMs, true) })
        : t('mon.since', { time: fmtTime(a.sinceMs, true), age: fmtDuration(now - a.sinceMs, lang) });
      if (li.ageEl.textContent !== text) li.ageEl.textContent = text;
    }
  }

  function render() {
    const list = book.activeList();
    const existing = new Map([...activeList.children].map((li) => [li.dataset.key, li]));
    const items = list.map((a) => {
      const li = existing.get(alarmKey(a));
      if (li && li.alarm.severity === a.severity && li.alarm.detail === a.detail && li.where === alarmWhere(a)) {
        li.alarm = a;
        return li;
      }
      return alarmItem(a, false);
    });
    replace(activeList, items);
    alarmCount.textContent = String(list.length);
    alarmCount.classList.toggle('count-critical', list.some((a) => a.severity === 'critical'));
    noAlarms.hidden = list.length > 0;
    replace(clearedList, book.cleared.map((a) => alarmItem(a, true)));
    clearedSummary.textContent = t('mon.cleared', { n: book.cleared.length });
    noCleared.hidden = book.cleared.length > 0;
    updateAges(activeList);
    updateAges(clearedList);
  }

  function announce(a) {
    const text = t('mon.announce', {
      severity: t(`mon.sev.${a.severity}`),
      kind: kindText(ctx, a.kind),
      site: a.site ? siteName(a.site) : t('mon.wholeConference'),
      conference: confTitle(a.conference),
      detail: a.detail,
    });
    const region = a.severity === 'critical' ? announceCritical : announcePolite;
    region.textContent = '';
    setTimeout(() => {
      if (!isClosed()) region.textContent = text;
    }, 50);
  }

  return { el, render, tick: () => updateAges(activeList), announce };
}
