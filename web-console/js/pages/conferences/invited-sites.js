// The conference form's sites: the invited sites, grouped by level, each group with "select
// all" and a count of those chosen; the host site, one of the invited. Hooks for tests: the
// controls invited[value=site] and host.

import { h, replace, uid } from '../../dom.js';
import { LEVELS } from '../../logic/conferences.js';
import { checkedField, setError } from '../../widgets.js';

export const strings = {
  vi: {
    'conf.form.sites': 'Điểm cầu',
    'conf.form.invited': 'Điểm cầu được mời',
    'conf.form.invitedHint': 'Không chọn điểm cầu nào: mọi điểm cầu đều được vào.',
    'conf.form.selected': 'Đã chọn {n}/{total}',
    'conf.form.selectAll': 'Chọn tất cả',
    'conf.form.selectAllOf': 'Chọn tất cả: {group}',
    'conf.form.host': 'Điểm cầu chủ trì',
    'conf.form.hostHint': 'Chọn trong các điểm cầu được mời; khi tắt tiếng tất cả, điểm cầu chủ trì vẫn được nói.',
    'conf.form.hostNone': '— Không có —',
    'conf.form.hostNotInvited': '{name} (chưa được mời)',
    'conf.form.noSites': 'Chưa có điểm cầu nào. Quản trị viên thêm điểm cầu ở mục Quản trị.',
    'conf.level.central': 'Trung ương',
    'conf.level.province': 'Cấp tỉnh',
    'conf.level.district': 'Cấp huyện',
    'conf.level.other': 'Khác',
  },
  en: {
    'conf.form.sites': 'Sites',
    'conf.form.invited': 'Invited sites',
    'conf.form.invitedHint': 'None selected: any site may join.',
    'conf.form.selected': '{n}/{total} selected',
    'conf.form.selectAll': 'Select all',
    'conf.form.selectAllOf': 'Select all: {group}',
    'conf.form.host': 'Host site',
    'conf.form.hostHint': 'One of the invited sites; mute-all keeps the host site audible.',
    'conf.form.hostNone': '— None —',
    'conf.form.hostNotInvited': '{name} (not invited)',
    'conf.form.noSites': 'There are no sites yet. An administrator adds them under Administration.',
    'conf.level.central': 'Central',
    'conf.level.province': 'Province',
    'conf.level.district': 'District',
    'conf.level.other': 'Other',
  },
};

// The sites part of the form for `sites` (GET /sites), filled from `conf` when editing:
// {section, host (its checked field), invited() (the invited ids, in roll-call order)}.
export function invitedSites(ctx, sites, conf) {
  const { t } = ctx;
  const byId = new Map(sites.map((s) => [s.id, s]));
  const initial = new Set(conf ? conf.invited : []);
  let order = conf ? [...conf.invited] : [];  // Roll-call order: kept for those already invited.
  const boxes = [];
  const groups = LEVELS.map((level) => {
    const members = sites.filter((s) => (LEVELS.includes(s.level) ? s.level : 'other') === level)
      .sort((a, b) => a.name.localeCompare(b.name, 'vi', { numeric: true }));
    if (!members.length) return null;
    const own = members.map((s) => {
      const box = h('input', { type: 'checkbox', name: 'invited', value: s.id, id: uid('cf-site'), checked: initial.has(s.id) });
      boxes.push(box);
      return h('li', {}, h('label', { class: 'check cf-site', for: box.id }, box,
        h('span', { class: 'cf-site-name' }, s.name), h('span', { class: 'cf-site-id' }, s.id)));
    });
    const all = h('input', { type: 'checkbox', id: uid('cf-all'), 'aria-label': t('conf.form.selectAllOf', { group: t(`conf.level.${level}`) }) });
    const mine = own.map((li) => li.querySelector('input'));
    all.addEventListener('change', () => {
      for (const b of mine) b.checked = all.checked;
      changed();
    });
    return {
      all, mine,
      el: h('fieldset', { class: 'cf-group' },
        h('legend', {}, t(`conf.level.${level}`)),
        h('label', { class: 'check cf-all', for: all.id }, all, t('conf.form.selectAll')),
        h('ul', { class: 'cf-site-list' }, own)),
    };
  }).filter(Boolean);

  const count = h('span', { class: 'count' });
  const hostSelect = h('select', { name: 'host' });
  const host = checkedField(t('conf.form.host'), hostSelect, t('conf.form.hostHint'));
  let hostValue = conf ? conf.host || '' : '';
  hostSelect.addEventListener('change', () => {
    hostValue = hostSelect.value;
    setError(host, '');
  });

  function invited() {
    const checked = new Set(boxes.filter((b) => b.checked).map((b) => b.value));
    order = order.filter((s) => checked.has(s));
    for (const b of boxes) if (b.checked && !order.includes(b.value)) order.push(b.value);
    return [...order];
  }
  function changed() {
    for (const g of groups) {
      const n = g.mine.filter((b) => b.checked).length;
      g.all.checked = n === g.mine.length;
      g.all.indeterminate = n > 0 && n < g.mine.length;
    }
    const list = invited();
    count.textContent = t('conf.form.selected', { n: list.length, total: boxes.length });
    const options = [['', t('conf.form.hostNone')], ...list.map((s) => [s, byId.get(s)?.name || s])];
    if (hostValue && !list.includes(hostValue)) options.push([hostValue, t('conf.form.hostNotInvited', { name: byId.get(hostValue)?.name || hostValue })]);
    replace(hostSelect, options.map(([v, text]) => h('option', { value: v, selected: v === hostValue }, text)));
    if (!hostValue || list.includes(hostValue)) setError(host, '');
  }
  for (const b of boxes) b.addEventListener('change', changed);
  changed();

  const section = h('section', { class: 'card cf-section cf-sites' },
    h('h2', { class: 'card-title' }, t('conf.form.sites')),
    h('fieldset', { class: 'cf-invited' },
      h('legend', {}, t('conf.form.invited'), ' ', count),
      h('p', { class: 'field-hint cf-invited-hint' }, t('conf.form.invitedHint')),
      groups.length ? h('div', { class: 'cf-groups' }, groups.map((g) => g.el)) : h('p', { class: 'cf-muted' }, t('conf.form.noSites'))),
    host.wrap);
  return { section, host, invited };
}
