// The conferences' calendar tab: a day or a week (weeks start on Monday) of the occurrences of
// scheduled and recurring conferences (computed by ../../logic/calendar.js from start/end/
// recurrence), overlapping ones side by side, today's "now" line; permanent conferences listed
// apart. A classified conference's block and chip show a lock and say "Mật" in their accessible
// name (./classified.js). Hooks for tests: calendar blocks a[data-conference][data-classified].

import { h, fmtTime, fmtDate, fmtDateTime } from '../../dom.js';
import { addDays, daySegments, occurrences, startOfDay, startOfWeek, weekdayIndex, HOUR_MS } from '../../logic/calendar.js';
import { sameDay, timeRange } from '../../logic/format.js';
import { icon } from '../../pictures.js';
import { classifiedBadge, isClassified, namedTitle } from './classified.js';

export const strings = {
  vi: {
    'conf.cal.label': 'Lịch hội nghị',
    'conf.cal.mode': 'Kiểu lịch',
    'conf.cal.day': 'Ngày',
    'conf.cal.week': 'Tuần',
    'conf.cal.prev': 'Trước',
    'conf.cal.today': 'Hôm nay',
    'conf.cal.next': 'Sau',
    'conf.cal.prevDay': 'Ngày trước',
    'conf.cal.nextDay': 'Ngày sau',
    'conf.cal.prevWeek': 'Tuần trước',
    'conf.cal.nextWeek': 'Tuần sau',
    'conf.cal.always': 'Luôn mở',
    'conf.cal.noneAlways': 'Không có phòng họp thường trực.',
    'conf.cal.empty': 'Không có hội nghị nào trong khoảng thời gian này.',
    'conf.cal.dayLabel': '{day}, {date}',
    'conf.cal.eventLabel': '{title}, {from} – {to}',
    'conf.cal.now': 'Bây giờ',
    'conf.day.0': 'Thứ Hai',
    'conf.day.1': 'Thứ Ba',
    'conf.day.2': 'Thứ Tư',
    'conf.day.3': 'Thứ Năm',
    'conf.day.4': 'Thứ Sáu',
    'conf.day.5': 'Thứ Bảy',
    'conf.day.6': 'Chủ Nhật',
  },
  en: {
    'conf.cal.label': 'Conference calendar',
    'conf.cal.mode': 'Calendar view',
    'conf.cal.day': 'Day',
    'conf.cal.week': 'Week',
    'conf.cal.prev': 'Previous',
    'conf.cal.today': 'Today',
    'conf.cal.next': 'Next',
    'conf.cal.prevDay': 'Previous day',
    'conf.cal.nextDay': 'Next day',
    'conf.cal.prevWeek': 'Previous week',
    'conf.cal.nextWeek': 'Next week',
    'conf.cal.always': 'Always open',
    'conf.cal.noneAlways': 'No always-open rooms.',
    'conf.cal.empty': 'No conferences in this period.',
    'conf.cal.dayLabel': '{day}, {date}',
    'conf.cal.eventLabel': '{title}, {from} – {to}',
    'conf.cal.now': 'Now',
    'conf.day.0': 'Monday',
    'conf.day.1': 'Tuesday',
    'conf.day.2': 'Wednesday',
    'conf.day.3': 'Thursday',
    'conf.day.4': 'Friday',
    'conf.day.5': 'Saturday',
    'conf.day.6': 'Sunday',
  },
};

const HOUR_PX = 36;          // Height of one hour in the calendar (also --cf-hour in manage.css).
const FIRST_HOUR = 6;        // The calendar opens scrolled to 06:00.
const enc = encodeURIComponent;

// What the list page remembers between renders (a language switch renders the page again): its
// tab, the calendar's mode and the day it shows. The tab is in the address
// (#/conferences?view=calendar), so that #/conferences is the list.
export const calendarState = { tab: 'list', calMode: 'week', anchor: null };

// Sets inline styles through the CSSOM (the MCU's Content-Security-Policy forbids style="").
function place(el, props) {
  for (const [k, v] of Object.entries(props)) el.style.setProperty(k, v);
  return el;
}

// The first time the calendar in `panel` shows, it scrolls to the morning (or the day's first
// meeting).
export function scrollCalendar(panel) {
  const box = panel.querySelector('.cf-cal-scroll');
  if (box && !box.dataset.scrolled) {
    box.scrollTop = Number(box.dataset.scrollTo || FIRST_HOUR * HOUR_PX);
    box.dataset.scrolled = '1';
  }
}

// The calendar of `conferences`; `onChange()` draws it again (another day, week or mode).
export function calendar(conferences, ctx, { onChange }) {
  const { t } = ctx;
  const cs = calendarState;
  if (!cs.anchor) cs.anchor = startOfDay(new Date());
  const week = cs.calMode === 'week';
  const from = week ? startOfWeek(cs.anchor) : startOfDay(cs.anchor);
  const days = Array.from({ length: week ? 7 : 1 }, (_, i) => addDays(from, i));
  const to = addDays(from, days.length);
  const occs = occurrences(conferences, from, to);
  const permanent = conferences.filter((c) => c.permanent);

  const move = (n) => {
    cs.anchor = addDays(cs.anchor, n * days.length);
    onChange();
  };
  const modeButton = (mode) => h('button', {
    type: 'button', class: 'btn btn-secondary btn-small', 'aria-pressed': String(cs.calMode === mode), dataset: { focus: `cal-${mode}` },
    onclick: () => {
      cs.calMode = mode;
      onChange();
    },
  }, t(`conf.cal.${mode}`));
  const rangeText = week
    ? `${fmtDate(from).slice(0, 5)} – ${fmtDate(addDays(to, -1))}`
    : t('conf.cal.dayLabel', { day: t(`conf.day.${weekdayIndex(from)}`), date: fmtDate(from) });

  const earliest = Math.min(FIRST_HOUR, ...days.flatMap((d) => daySegments(occs, d, HOUR_PX).map((s) => Math.floor(s.top / HOUR_PX))));
  return h('section', { class: 'cf-cal', 'aria-label': t('conf.cal.label') },
    h('div', { class: 'cf-cal-bar' },
      h('div', { class: 'cf-cal-nav' },
        h('button', { type: 'button', class: 'btn btn-secondary btn-small', dataset: { focus: 'cal-prev' }, onclick: () => move(-1), 'aria-label': t(week ? 'conf.cal.prevWeek' : 'conf.cal.prevDay') }, '‹ ', t('conf.cal.prev')),
        h('button', { type: 'button', class: 'btn btn-secondary btn-small', dataset: { focus: 'cal-today' }, onclick: () => {
          cs.anchor = startOfDay(new Date());
          onChange();
        } }, t('conf.cal.today')),
        h('button', { type: 'button', class: 'btn btn-secondary btn-small', dataset: { focus: 'cal-next' }, onclick: () => move(1), 'aria-label': t(week ? 'conf.cal.nextWeek' : 'conf.cal.nextDay') }, t('conf.cal.next'), ' ›'),
        h('h2', { class: 'cf-cal-range', 'aria-live': 'polite' }, rangeText)),
      h('div', { class: 'cf-cal-modes', role: 'group', 'aria-label': t('conf.cal.mode') }, modeButton('day'), modeButton('week'))),
    alwaysOpen(permanent, ctx),
    occs.length ? null : h('p', { class: 'cf-cal-empty' }, t('conf.cal.empty')),
    h('div', { class: 'cf-cal-scroll', dataset: { scrollTo: String(Math.max(0, earliest * HOUR_PX - 10)) } },
      h('div', { class: `cf-cal-grid ${week ? 'cf-cal-week' : 'cf-cal-day'}` },
        h('div', { class: 'cf-cal-corner', 'aria-hidden': 'true' }),
        days.map((d) => dayHeading(d, ctx)),
        hourGutter(),
        days.map((d) => dayColumn(d, occs, ctx)))));
}

function alwaysOpen(permanent, ctx) {
  const { t } = ctx;
  return h('div', { class: 'cf-always' },
    h('span', { class: 'cf-always-label' }, t('conf.cal.always')),
    permanent.length
      ? h('ul', { class: 'cf-always-list' }, permanent.map((c) => h('li', {},
        h('a', { class: 'cf-chip', href: eventHref(c, ctx), dataset: { conference: c.id, classified: String(isClassified(c)) } },
          c.title, isClassified(c) ? [' ', classifiedBadge(t)] : null))))
      : h('span', { class: 'cf-muted' }, t('conf.cal.noneAlways')));
}

function dayHeading(d, ctx) {
  const today = sameDay(d, Date.now());
  return h('div', { class: `cf-cal-dayhead${today ? ' cf-today' : ''}`, 'aria-hidden': 'true' },
    h('span', { class: 'cf-cal-dayname' }, ctx.t(`conf.day.${weekdayIndex(d)}`)),
    h('span', { class: 'cf-cal-date' }, fmtDate(d).slice(0, 5)));
}

function hourGutter() {
  return h('div', { class: 'cf-cal-hours', 'aria-hidden': 'true' },
    Array.from({ length: 24 }, (_, i) => place(h('span', { class: 'cf-cal-hour' }, i ? `${String(i).padStart(2, '0')}:00` : ''), { top: `${i * HOUR_PX}px` })));
}

// Where a conference in the calendar leads: its live page when open (or for a technician), else
// its form.
function eventHref(c, ctx) {
  if (c.state === 'open' || !ctx.can('host')) return `#/live/${enc(c.id)}`;
  return `#/conferences/${enc(c.id)}/edit`;
}

function dayColumn(d, occs, ctx) {
  const { t } = ctx;
  const now = Date.now();
  const label = t('conf.cal.dayLabel', { day: t(`conf.day.${weekdayIndex(d)}`), date: fmtDate(d) });
  const segs = daySegments(occs, d, HOUR_PX);
  const col = h('ul', { class: `cf-cal-col${sameDay(d, now) ? ' cf-today' : ''}`, 'aria-label': label },
    segs.map((s) => {
      const { c } = s.o;
      const running = s.o.first && c.state === 'open';
      const over = s.o.end < now || (s.o.first && c.state === 'ended');
      const kind = running ? 'open' : over ? 'past' : 'scheduled';
      const time = `${fmtTime(s.o.start)}–${fmtTime(s.o.end)}`;
      const short = s.height < 2 * HOUR_PX - 8 ? ' cf-ev-short' : '';
      const classified = isClassified(c);
      return place(h('li', { class: `cf-ev cf-ev-${kind}${short}${classified ? ' cf-ev-classified' : ''}` }, h('a', {
        href: eventHref(c, ctx), dataset: { conference: c.id, classified: String(classified) },
        title: `${namedTitle(t, c)}\n${timeRange(s.o.start, s.o.end)}`,
        'aria-label': t('conf.cal.eventLabel', { title: namedTitle(t, c), from: fmtDateTime(s.o.start), to: fmtDateTime(s.o.end) }),
      }, h('span', { class: 'cf-ev-time' }, classified ? icon('lock', 'classified-icon') : null, time),
      h('span', { class: 'cf-ev-title' }, c.title))), {
        top: `${s.top}px`,
        height: `${s.height}px`,
        left: `calc(${(100 * s.lane) / s.lanes}% + 2px)`,
        width: `calc(${100 / s.lanes}% - 4px)`,
      });
    }));
  if (sameDay(d, now)) {
    const top = ((now - d.getTime()) / HOUR_MS) * HOUR_PX;
    col.append(place(h('li', { class: 'cf-now', 'aria-hidden': 'true', title: t('conf.cal.now') }), { top: `${top}px` }));
  }
  return col;
}
