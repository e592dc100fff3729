// The "Mật" (classified) badge of a conference, the same on every page that names one: the
// conference list and calendar, the live page's header, the history pages. A lock and the word,
// which is its accessible name; the title says what the MCU enforces for it. The pages that use
// it merge these strings into theirs. Hook for tests: .classified-badge[data-classified].

import { h } from '../../dom.js';
import { isClassified } from '../../logic/protection.js';
import { icon } from '../../pictures.js';

export { isClassified };

export const strings = {
  vi: {
    'conf.classified': 'Mật',
    'conf.classifiedTitle': 'Hội nghị mật: không xem trước, điểm cầu SIP chỉ qua TLS, mã hóa hình và tiếng mạnh nhất, mọi lượt vào và ra đều được ghi nhật ký.',
    'conf.classifiedNamed': '{title} (Mật)',
  },
  en: {
    'conf.classified': 'Classified',
    'conf.classifiedTitle': 'Classified meeting: no preview, SIP rooms over TLS only, the strongest media encryption, every join and leave audited.',
    'conf.classifiedNamed': '{title} (classified)',
  },
};

// The badge (`t` the page's translate function); `attrs` adds to its attributes (an id).
export function classifiedBadge(t, attrs = {}) {
  return h('span', { class: 'classified-badge', 'data-classified': 'true', title: t('conf.classifiedTitle'), ...attrs },
    icon('lock', 'classified-icon'), t('conf.classified'));
}

// A conference's title as an accessible name where the badge cannot be read (a link's
// aria-label): "<title> (Mật)" for a classified one.
export function namedTitle(t, c) {
  return isClassified(c) ? t('conf.classifiedNamed', { title: c.title }) : c.title;
}
