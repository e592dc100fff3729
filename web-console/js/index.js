// The landing page: links to the room page, shows whether the MCU answers /healthz.

import { I18n } from './i18n.js';

const i18n = new I18n({
  vi: {
    'index.pageTitle': 'MCU Hội nghị truyền hình',
    'index.heading': 'Hội nghị truyền hình tỉnh',
    'index.lead': 'Cầu nối hội nghị (MCU) cho các phòng họp cấp tỉnh và các điểm cầu cấp huyện.',
    'index.roomTitle': 'Phòng họp trên trình duyệt',
    'index.roomText':
      'Tham gia hội nghị từ máy tính có camera và micrô, bằng mã phòng do quản trị viên cấp.',
    'index.roomLink': 'Vào phòng họp',
    'index.consoleTitle': 'Bảng điều khiển',
    'index.consoleText': 'Quản lý hội nghị, điểm cầu và bố cục hình ảnh. Đang được phát triển.',
    'index.healthChecking': 'Đang kiểm tra MCU…',
    'index.healthOk': 'MCU đang hoạt động',
    'index.healthDown': 'Không liên lạc được với MCU',
  },
  en: {
    'index.pageTitle': 'Video conferencing MCU',
    'index.heading': 'Provincial video conferencing',
    'index.lead': 'The conference bridge (MCU) for the provincial meeting rooms and the district sites.',
    'index.roomTitle': 'Browser conference room',
    'index.roomText': 'Join a conference from a computer with a camera and microphone, with a room token issued by the administrator.',
    'index.roomLink': 'Open the room',
    'index.consoleTitle': 'Management console',
    'index.consoleText': 'Manage conferences, sites and video layouts. Coming soon.',
    'index.healthChecking': 'Checking the MCU…',
    'index.healthOk': 'The MCU is running',
    'index.healthDown': 'The MCU cannot be reached',
  },
});

i18n.apply();
i18n.bindSwitch(document.getElementById('lang-switch'));

const health = document.getElementById('health');
fetch('/healthz', { cache: 'no-store' })
  .then((r) => r.ok)
  .catch(() => false)
  .then((ok) => {
    health.dataset.ok = String(ok);
    health.dataset.i18n = ok ? 'index.healthOk' : 'index.healthDown';
    health.textContent = i18n.t(health.dataset.i18n);
  });
