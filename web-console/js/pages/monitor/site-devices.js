// The site page's devices (#/monitor/<conference>/<site>): the camera, microphone and
// loudspeaker of the site's room as it last reported them (the roll-call's `devices`, then the
// feed's `devices` events): sending or playing, missing (marked as a warning, as the MCU's
// `device` alarm is), none. Hooks for tests: #site-devices li[data-device][data-state]
// [data-level], #site-devices-unknown.

import { h, replace } from '../../dom.js';
import { cellLevel } from '../../logic/quality.js';
import { deviceStates } from '../../logic/roll-call.js';

export const strings = {
  vi: {
    'mon.devices': 'Thiết bị tại phòng họp',
    'mon.devicesNote': 'Theo báo cáo gần nhất của phòng họp; cập nhật ngay khi phòng họp báo thay đổi.',
    'mon.devicesUnknown': 'Phòng họp chưa báo thiết bị (ngoại tuyến, hoặc không phải phòng họp tự báo thiết bị).',
    'mon.device.camera': 'Camera',
    'mon.device.microphone': 'Micrô',
    'mon.device.speaker': 'Loa',
    'mon.device.ok.camera': 'Đang gửi hình',
    'mon.device.ok.microphone': 'Đang gửi tiếng',
    'mon.device.ok.speaker': 'Đang phát',
    'mon.device.missing': 'Thiếu',
    'mon.device.missingHint': 'Có trong cấu hình nhưng không có hoặc không hoạt động; điểm cầu tham gia không có thiết bị này.',
    'mon.device.none': 'Không có',
    'mon.device.unknown': 'Không rõ',
  },
  en: {
    'mon.devices': 'Devices at the room',
    'mon.devicesNote': 'As the room last reported them; updated as soon as the room reports a change.',
    'mon.devicesUnknown': 'The room has not reported its devices (offline, or not a room that reports them).',
    'mon.device.camera': 'Camera',
    'mon.device.microphone': 'Microphone',
    'mon.device.speaker': 'Loudspeaker',
    'mon.device.ok.camera': 'Sending',
    'mon.device.ok.microphone': 'Sending',
    'mon.device.ok.speaker': 'Playing',
    'mon.device.missing': 'Missing',
    'mon.device.missingHint': 'Configured but absent or not working; the site takes part without it.',
    'mon.device.none': 'None',
    'mon.device.unknown': 'Unknown',
  },
};

const STATE_CLASS = { ok: 'state-video', missing: 'sev-warning', none: '', unknown: '' };

// Returns {el, set(site)}: `site` is the site's roll-call entry (or {devices}), null when it is
// not on the roll-call.
export function devicePanel(ctx) {
  const { t } = ctx;
  const list = h('ul', { class: 'mon-devices', id: 'site-devices', 'aria-labelledby': 'mon-devices-h' });
  const unknown = h('p', { class: 'mon-none-text', id: 'site-devices-unknown' }, t('mon.devicesUnknown'));
  const el = h('section', { class: 'mon-section', 'aria-labelledby': 'mon-devices-h' },
    h('div', { class: 'mon-section-head' },
      h('h2', { class: 'mon-h2', id: 'mon-devices-h' }, t('mon.devices')),
      h('p', { class: 'mon-note' }, t('mon.devicesNote'))),
    list, unknown);
  let shown = '';

  function stateText(device, state) {
    if (state === 'ok') return t(`mon.device.ok.${device}`);
    return t(`mon.device.${state}`);
  }

  function set(site) {
    const states = deviceStates(site);
    const key = JSON.stringify(states);
    if (key === shown) return;
    shown = key;
    unknown.hidden = states !== null;
    list.hidden = states === null;
    replace(list, (states || []).map(({ device, state }) => {
      const level = cellLevel('device', state);
      return h('li', {
        class: `mon-device${level ? ` mon-device-${level}` : ''}`,
        dataset: { device, state, level: level || '' },
        title: state === 'missing' ? t('mon.device.missingHint') : null,
      },
      h('span', { class: 'mon-device-name' }, t(`mon.device.${device}`)),
      h('span', { class: `state ${STATE_CLASS[state]}` }, stateText(device, state)));
    }));
  }

  set(null);
  return { el, set };
}
