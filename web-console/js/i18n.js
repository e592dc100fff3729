// Interface language for the web console: Vietnamese first, English on request.
//
// Elements name their text with data-i18n="key" (textContent), data-i18n-placeholder,
// data-i18n-title and data-i18n-aria-label. The choice comes from ?lang= in the URL, else the
// last choice (localStorage), else Vietnamese; it is remembered across pages of the console.

export const LANGUAGES = ['vi', 'en'];
const STORAGE_KEY = 'mcu.lang';

// Strings every page shares.
const COMMON = {
  vi: {
    'lang.switch': 'English',
    'lang.switchLabel': 'Chuyển sang tiếng Anh',
    'brand.name': 'MCU Hội nghị truyền hình',
    'brand.tagline': 'Mạng nội bộ',
    'footer.text': 'Hệ thống hội nghị truyền hình nội bộ. Mọi tài nguyên được phục vụ từ MCU.',
  },
  en: {
    'lang.switch': 'Tiếng Việt',
    'lang.switchLabel': 'Switch to Vietnamese',
    'brand.name': 'Video conferencing MCU',
    'brand.tagline': 'Internal network',
    'footer.text': 'Internal video conferencing system. Every resource is served by the MCU.',
  },
};

// The strings of a page made of parts ({vi, en} each) in one {vi, en}.
export function mergeStrings(...parts) {
  const out = {};
  for (const lang of LANGUAGES) out[lang] = Object.assign({}, ...parts.map((p) => p[lang] || {}));
  return out;
}

function initialLanguage() {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (LANGUAGES.includes(fromUrl)) return fromUrl;
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (LANGUAGES.includes(stored)) return stored;
  } catch {
    // Storage may be disabled; the default is fine.
  }
  return 'vi';
}

export class I18n {
  constructor(pageStrings) {
    this.strings = {};
    for (const lang of LANGUAGES)
      this.strings[lang] = { ...COMMON[lang], ...(pageStrings[lang] || {}) };
    this.lang = initialLanguage();
    this.listeners = [];
  }

  // The text of `key` in the current language (Vietnamese if missing), with {name}
  // placeholders replaced from `vars`.
  t(key, vars = {}) {
    const text = this.strings[this.lang][key] ?? this.strings.vi[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  }

  // Adds a page's strings ({vi: {...}, en: {...}}); a key already there keeps its text.
  add(pageStrings) {
    for (const lang of LANGUAGES)
      this.strings[lang] = { ...(pageStrings[lang] || {}), ...this.strings[lang] };
  }

  has(key) {
    return key in this.strings[this.lang] || key in this.strings.vi;
  }

  apply(root = document) {
    document.documentElement.lang = this.lang;
    for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = this.t(el.dataset.i18n);
    for (const el of root.querySelectorAll('[data-i18n-placeholder]'))
      el.placeholder = this.t(el.dataset.i18nPlaceholder);
    for (const el of root.querySelectorAll('[data-i18n-title]'))
      el.title = this.t(el.dataset.i18nTitle);
    for (const el of root.querySelectorAll('[data-i18n-aria-label]'))
      el.setAttribute('aria-label', this.t(el.dataset.i18nAriaLabel));
  }

  set(lang) {
    if (!LANGUAGES.includes(lang)) return;
    this.lang = lang;
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // Not remembered; still applied.
    }
    this.apply();
    for (const fn of this.listeners) fn(lang);
  }

  onChange(fn) {
    this.listeners.push(fn);
  }

  // Wires a button that toggles between the two languages.
  bindSwitch(button) {
    button.addEventListener('click', () => this.set(this.lang === 'vi' ? 'en' : 'vi'));
  }
}
