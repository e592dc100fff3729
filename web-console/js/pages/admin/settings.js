// #/admin/settings: the MCU's effective configuration (GET /settings), one card per section;
// read-only (changed in the configuration file, applied on restart). Hooks for tests: the
// settings cards section[data-section].

import { h, replace, uid } from '../../dom.js';
import { shell } from './common.js';

export const strings = {
  vi: {
    'admin.settings.note': 'Cấu hình được thay đổi trong tệp cấu hình của MCU và có hiệu lực sau khi khởi động lại dịch vụ. Điểm cầu và người dùng được quản lý ở các mục tương ứng.',
    'admin.settings.missing': 'Phiên bản MCU này chưa hỗ trợ xem cấu hình trên bảng điều khiển. Hãy xem tệp cấu hình trên máy chủ MCU.',
    'admin.settings.empty': '(trống)',
    'admin.settings.on': 'Bật',
    'admin.settings.off': 'Tắt',
    'admin.settings.noKeys': 'Không có mục nào.',
    'admin.settings.section.server': 'Máy chủ',
    'admin.settings.section.media': 'Truyền tải hình ảnh, âm thanh',
    'admin.settings.section.schedule': 'Lịch hội nghị',
    'admin.settings.section.alarms': 'Ngưỡng cảnh báo',
    'admin.settings.section.limits': 'Giới hạn',
    'admin.settings.section.log': 'Nhật ký',
  },
  en: {
    'admin.settings.note': 'Settings are changed in the MCU’s configuration file and take effect when the service restarts. Sites and users are managed in their own sections.',
    'admin.settings.missing': 'This MCU version cannot show its settings in the console yet. See the configuration file on the MCU server.',
    'admin.settings.empty': '(empty)',
    'admin.settings.on': 'On',
    'admin.settings.off': 'Off',
    'admin.settings.noKeys': 'Nothing here.',
    'admin.settings.section.server': 'Server',
    'admin.settings.section.media': 'Media transport',
    'admin.settings.section.schedule': 'Schedule',
    'admin.settings.section.alarms': 'Alarm thresholds',
    'admin.settings.section.limits': 'Limits',
    'admin.settings.section.log': 'Log',
  },
};

export async function renderSettings(view, ctx) {
  const { t, api } = ctx;
  shell(view, ctx, 'settings');
  const box = h('div', { class: 'adm-body' });
  view.append(box);
  let settings;
  try {
    settings = await api.get('/settings');
  } catch (e) {
    if (!ctx.current()) return;
    replace(box, e.status === 404
      ? h('div', { class: 'card adm-missing', role: 'status' }, t('admin.settings.missing'))
      : h('p', { class: 'empty', role: 'alert' }, t('admin.loadFailed', { message: e.message })));
    return;
  }
  if (!ctx.current()) return;
  const known = ['server', 'media', 'schedule', 'alarms', 'limits', 'log'];
  const rank = (k) => (known.includes(k) ? known.indexOf(k) : known.length);
  const sections = settings && typeof settings === 'object'
    ? Object.entries(settings).sort(([a], [b]) => rank(a) - rank(b)) : [];
  replace(box,
    h('p', { class: 'banner banner-notice adm-settings-note' }, t('admin.settings.note')),
    h('div', { class: 'adm-settings' }, sections.map(([name, values]) => settingsCard(ctx, name, values))));
}

function settingsCard(ctx, name, values) {
  const { t, i18n } = ctx;
  const key = `admin.settings.section.${name}`;
  const titleId = uid('adm-sec');
  const entries = values && typeof values === 'object' && !Array.isArray(values) ? Object.entries(values) : [['', values]];
  return h('section', { class: 'card adm-settings-card', dataset: { section: name }, 'aria-labelledby': titleId },
    h('h2', { class: 'card-title', id: titleId }, i18n.has(key) ? t(key) : name, h('code', { class: 'adm-section-key' }, name)),
    entries.length
      ? h('dl', { class: 'kv adm-kv' }, entries.map(([k, v]) => [h('dt', {}, k), h('dd', {}, settingValue(ctx, v))]))
      : h('p', { class: 'adm-muted' }, t('admin.settings.noKeys')));
}

// A setting's value as text: booleans on/off, lists joined, nested objects as compact JSON.
function settingValue(ctx, v) {
  const { t } = ctx;
  const empty = () => h('span', { class: 'adm-muted' }, t('admin.settings.empty'));
  if (v === null || v === undefined || v === '') return empty();
  if (typeof v === 'boolean') return h('span', { class: `adm-bool adm-bool-${v}` }, t(v ? 'admin.settings.on' : 'admin.settings.off'));
  if (Array.isArray(v)) return v.length ? v.map((x) => (x && typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ') : empty();
  if (typeof v === 'object') return h('code', {}, JSON.stringify(v));
  return String(v);
}
