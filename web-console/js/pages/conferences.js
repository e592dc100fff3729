// Conferences: the list, a day/week calendar, and the create/edit form.
//
//   #/conferences            every conference (GET /conferences, host names from GET /sites) as a
//                            table with its state, times, recurrence, invitations, host site and
//                            layout; hosts and admins also get row actions: open the live page,
//                            edit, start now (POST /conferences/{id}/start), stop now (POST .../stop,
//                            confirmed), delete (DELETE /conferences/{id}, confirmed). Technicians
//                            see the table read-only (a "view" link to open conferences).
//                            A second tab is a calendar (day or week, weeks start on Monday): the
//                            occurrences of scheduled and recurring conferences computed here from
//                            start/end/recurrence; permanent conferences listed apart
//                            (#/conferences?view=calendar opens on it).
//                            The list reloads on the feed's `conference` events and every 30 s.
//   #/conferences/new        the form: POST /conferences.
//   #/conferences/<id>/edit  the form filled from GET /conferences/{id}: PUT /conferences/{id}.
//
// Hooks for tests: #new-conference; rows tr[data-conference] with [data-action=live|edit|start|
// stop|delete]; calendar blocks a[data-conference]; the form's controls by name (id, title,
// mode, start, end, recurrence, leadTimeMinutes, layout, host, permanent, invited[value=site]);
// the save button #conference-save.

import { h, replace, field, uid, fmtTime, fmtDate, fmtDateTime, toLocalInput, withOffset } from '../dom.js';
import { checkedField, confirmDialog, select, setError, tabList } from '../widgets.js';

export const strings = {
  vi: {
    'conf.title': 'Hội nghị',
    'conf.subtitle': 'Lịch họp, hội nghị đang diễn ra và phòng họp thường trực.',
    'conf.readOnly': 'Kỹ thuật viên chỉ được xem; lên lịch và điều hành do chủ trì hoặc quản trị viên thực hiện.',
    'conf.new': 'Tạo hội nghị',
    'conf.tabs': 'Cách xem',
    'conf.tab.list': 'Danh sách',
    'conf.tab.calendar': 'Lịch',
    'conf.loading': 'Đang tải…',
    'conf.loadFailed': 'Không tải được danh sách hội nghị: {message}',
    'conf.retry': 'Thử lại',
    'conf.empty': 'Chưa có hội nghị nào.',
    'conf.col.title': 'Hội nghị',
    'conf.col.state': 'Trạng thái',
    'conf.col.time': 'Thời gian',
    'conf.col.recurrence': 'Lặp lại',
    'conf.col.invited': 'Mời',
    'conf.col.host': 'Điểm cầu chủ trì',
    'conf.col.layout': 'Bố cục',
    'conf.col.actions': 'Thao tác',
    'conf.state.open': 'Đang họp',
    'conf.state.scheduled': 'Đã lên lịch',
    'conf.state.ended': 'Đã kết thúc',
    'conf.state.permanent': 'Luôn mở',
    'conf.permanentWhen': 'Thường trực',
    'conf.rec.none': 'Không lặp',
    'conf.rec.daily': 'Hằng ngày',
    'conf.rec.weekly': 'Hằng tuần',
    'conf.invitedAll': 'Tất cả',
    'conf.invitedAllHint': 'Không giới hạn: mọi điểm cầu đều được vào',
    'conf.noHost': '—',
    'conf.layout.grid': 'Lưới đều',
    'conf.layout.speaker': 'Người phát biểu',
    'conf.layout.single': 'Một khung',
    'conf.layout.presenter': 'Trình chiếu',
    'conf.layout.gridHint': 'Mọi điểm cầu khung bằng nhau',
    'conf.layout.speakerHint': 'Người phát biểu khung lớn, các điểm cầu khác khung nhỏ',
    'conf.layout.singleHint': 'Chỉ người đang phát biểu, toàn khung hình',
    'conf.layout.presenterHint': 'Nội dung trình chiếu khung lớn, các điểm cầu khung nhỏ',
    'conf.live': 'Điều hành',
    'conf.view': 'Xem',
    'conf.edit': 'Sửa',
    'conf.start': 'Bắt đầu ngay',
    'conf.stop': 'Kết thúc',
    'conf.delete': 'Xóa',
    'conf.actionOn': '{action}: {title}',
    'conf.started': 'Đã mở hội nghị “{title}”.',
    'conf.stopped': 'Đã kết thúc hội nghị “{title}”.',
    'conf.deleted': 'Đã xóa hội nghị “{title}”.',
    'conf.failed': 'Không thực hiện được: {message}',
    'conf.stopTitle': 'Kết thúc hội nghị?',
    'conf.stopConfirm': 'Kết thúc ngay',
    'conf.stopText': 'Hội nghị “{title}” sẽ kết thúc ngay và mọi điểm cầu sẽ rời phòng họp.',
    'conf.stopTextRecurring': 'Hội nghị “{title}” sẽ kết thúc ngay và mọi điểm cầu sẽ rời phòng họp. Lần họp tiếp theo vẫn giữ theo lịch lặp lại.',
    'conf.deleteTitle': 'Xóa hội nghị?',
    'conf.deleteText': 'Hội nghị “{title}” sẽ bị xóa khỏi lịch. Nếu đang họp, mọi điểm cầu sẽ rời phòng họp. Không thể hoàn tác.',
    'conf.cancel': 'Hủy',
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
    'conf.form.newTitle': 'Hội nghị mới',
    'conf.form.editTitle': 'Sửa hội nghị',
    'conf.form.back': 'Danh sách hội nghị',
    'conf.form.notFound': 'Không tìm thấy hội nghị “{id}”.',
    'conf.form.loadFailed': 'Không tải được dữ liệu: {message}',
    'conf.form.general': 'Thông tin chung',
    'conf.form.time': 'Thời gian',
    'conf.form.layout': 'Bố cục mặc định',
    'conf.form.sites': 'Điểm cầu',
    'conf.form.title': 'Tên hội nghị',
    'conf.form.id': 'Mã hội nghị',
    'conf.form.idHint': 'Chữ thường không dấu, số, “-” hoặc “_”; dùng trong đường dẫn, không đổi được sau khi tạo.',
    'conf.form.idFixed': 'Không đổi được sau khi tạo.',
    'conf.form.mode': 'Chế độ',
    'conf.form.mode.mix': 'Hội nghị (ghép hình, trộn tiếng)',
    'conf.form.mode.echo': 'Kiểm tra tiếng vọng',
    'conf.form.modeHint': 'Kiểm tra tiếng vọng: mỗi điểm cầu nhận lại hình và tiếng của chính mình.',
    'conf.form.permanent': 'Phòng họp thường trực (luôn mở, không có giờ bắt đầu và kết thúc)',
    'conf.form.start': 'Bắt đầu',
    'conf.form.end': 'Kết thúc',
    'conf.form.recurrence': 'Lặp lại',
    'conf.form.lead': 'Mở sớm để kiểm tra kỹ thuật (phút)',
    'conf.form.leadHint': 'Hội nghị mở lúc {time}: các điểm cầu được mời và đang trực tuyến sẽ được gọi vào.',
    'conf.form.leadHintEmpty': 'Hội nghị mở sớm chừng ấy phút trước giờ bắt đầu.',
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
    'conf.form.save': 'Lưu hội nghị',
    'conf.form.create': 'Tạo hội nghị',
    'conf.form.saving': 'Đang lưu…',
    'conf.form.cancel': 'Hủy',
    'conf.form.saved': 'Đã lưu hội nghị “{title}”.',
    'conf.form.refused': 'MCU không nhận: {message}',
    'conf.form.fix': 'Hãy sửa các ô được đánh dấu.',
    'conf.level.central': 'Trung ương',
    'conf.level.province': 'Cấp tỉnh',
    'conf.level.district': 'Cấp huyện',
    'conf.level.other': 'Khác',
    'conf.err.title': 'Hãy nhập tên hội nghị.',
    'conf.err.id': 'Mã chỉ gồm chữ thường không dấu, số, “-”, “_” (tối đa 64 ký tự), bắt đầu bằng chữ hoặc số.',
    'conf.err.start': 'Hãy chọn giờ bắt đầu.',
    'conf.err.end': 'Hãy chọn giờ kết thúc.',
    'conf.err.endBefore': 'Giờ kết thúc phải sau giờ bắt đầu.',
    'conf.err.tooLong': 'Một hội nghị dài tối đa 24 giờ.',
    'conf.err.past': 'Giờ kết thúc đã qua: hội nghị sẽ không bao giờ mở.',
    'conf.err.lead': 'Từ 0 đến 1440 phút.',
    'conf.err.host': 'Điểm cầu chủ trì phải nằm trong danh sách được mời.',
  },
  en: {
    'conf.title': 'Conferences',
    'conf.subtitle': 'Scheduled meetings, conferences running now and always-open rooms.',
    'conf.readOnly': 'Technicians may only look; hosts and administrators schedule and run conferences.',
    'conf.new': 'New conference',
    'conf.tabs': 'View',
    'conf.tab.list': 'List',
    'conf.tab.calendar': 'Calendar',
    'conf.loading': 'Loading…',
    'conf.loadFailed': 'The conferences could not be loaded: {message}',
    'conf.retry': 'Retry',
    'conf.empty': 'There are no conferences yet.',
    'conf.col.title': 'Conference',
    'conf.col.state': 'State',
    'conf.col.time': 'Time',
    'conf.col.recurrence': 'Repeats',
    'conf.col.invited': 'Invited',
    'conf.col.host': 'Host site',
    'conf.col.layout': 'Layout',
    'conf.col.actions': 'Actions',
    'conf.state.open': 'Open',
    'conf.state.scheduled': 'Scheduled',
    'conf.state.ended': 'Ended',
    'conf.state.permanent': 'Always open',
    'conf.permanentWhen': 'Permanent',
    'conf.rec.none': 'Once',
    'conf.rec.daily': 'Daily',
    'conf.rec.weekly': 'Weekly',
    'conf.invitedAll': 'Any',
    'conf.invitedAllHint': 'No restriction: any site may join',
    'conf.noHost': '—',
    'conf.layout.grid': 'Grid',
    'conf.layout.speaker': 'Speaker',
    'conf.layout.single': 'Single',
    'conf.layout.presenter': 'Presenter',
    'conf.layout.gridHint': 'Every site an equal tile',
    'conf.layout.speakerHint': 'The speaker large, the other sites small',
    'conf.layout.singleHint': 'Only the active speaker, full frame',
    'conf.layout.presenterHint': 'Shared content large, the sites small',
    'conf.live': 'Run',
    'conf.view': 'View',
    'conf.edit': 'Edit',
    'conf.start': 'Start now',
    'conf.stop': 'Stop',
    'conf.delete': 'Delete',
    'conf.actionOn': '{action}: {title}',
    'conf.started': 'Conference “{title}” opened.',
    'conf.stopped': 'Conference “{title}” ended.',
    'conf.deleted': 'Conference “{title}” deleted.',
    'conf.failed': 'Could not do it: {message}',
    'conf.stopTitle': 'End the conference?',
    'conf.stopConfirm': 'Stop now',
    'conf.stopText': 'Conference “{title}” ends now and every site leaves the room.',
    'conf.stopTextRecurring': 'Conference “{title}” ends now and every site leaves the room. The next occurrence stays scheduled.',
    'conf.deleteTitle': 'Delete the conference?',
    'conf.deleteText': 'Conference “{title}” is removed from the schedule. If it is running, every site leaves the room. This cannot be undone.',
    'conf.cancel': 'Cancel',
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
    'conf.form.newTitle': 'New conference',
    'conf.form.editTitle': 'Edit conference',
    'conf.form.back': 'Conference list',
    'conf.form.notFound': 'There is no conference “{id}”.',
    'conf.form.loadFailed': 'Could not load the data: {message}',
    'conf.form.general': 'General',
    'conf.form.time': 'Time',
    'conf.form.layout': 'Default layout',
    'conf.form.sites': 'Sites',
    'conf.form.title': 'Title',
    'conf.form.id': 'Conference id',
    'conf.form.idHint': 'Lower-case letters without accents, digits, “-” or “_”; used in links, fixed once created.',
    'conf.form.idFixed': 'Fixed once created.',
    'conf.form.mode': 'Mode',
    'conf.form.mode.mix': 'Conference (composite, mixed sound)',
    'conf.form.mode.echo': 'Echo test',
    'conf.form.modeHint': 'Echo test: each site gets its own picture and sound back.',
    'conf.form.permanent': 'Always-open room (permanent, no start or end)',
    'conf.form.start': 'Start',
    'conf.form.end': 'End',
    'conf.form.recurrence': 'Repeats',
    'conf.form.lead': 'Open early for the technical check (minutes)',
    'conf.form.leadHint': 'The conference opens at {time}: invited sites that are online are called in.',
    'conf.form.leadHintEmpty': 'The conference opens this many minutes before its start.',
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
    'conf.form.save': 'Save conference',
    'conf.form.create': 'Create conference',
    'conf.form.saving': 'Saving…',
    'conf.form.cancel': 'Cancel',
    'conf.form.saved': 'Conference “{title}” saved.',
    'conf.form.refused': 'The MCU refused: {message}',
    'conf.form.fix': 'Please correct the marked fields.',
    'conf.level.central': 'Central',
    'conf.level.province': 'Province',
    'conf.level.district': 'District',
    'conf.level.other': 'Other',
    'conf.err.title': 'Enter a title.',
    'conf.err.id': 'Lower-case letters, digits, “-”, “_” (at most 64), starting with a letter or digit.',
    'conf.err.start': 'Choose a start time.',
    'conf.err.end': 'Choose an end time.',
    'conf.err.endBefore': 'The end must be after the start.',
    'conf.err.tooLong': 'A conference lasts at most 24 hours.',
    'conf.err.past': 'The end is already past: the conference would never open.',
    'conf.err.lead': 'From 0 to 1440 minutes.',
    'conf.err.host': 'The host site must be one of the invited sites.',
  },
};

const LAYOUTS = ['grid', 'speaker', 'single', 'presenter'];
const LEVELS = ['central', 'province', 'district', 'other'];
const RECURRENCES = ['none', 'daily', 'weekly'];
const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const HOUR_PX = 36;          // Height of one hour in the calendar (also --cf-hour in manage.css).
const FIRST_HOUR = 6;        // The calendar opens scrolled to 06:00.
const REFRESH_MS = 30_000;

// What the calendar remembers between renders (a language switch renders the page again). The
// tab is in the address (#/conferences?view=calendar), so that #/conferences is the list.
const listState = { tab: 'list', calMode: 'week', anchor: null };

const enc = encodeURIComponent;

// ---- Small helpers ---------------------------------------------------------------------------

const SVG_NS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c) el.append(c);
  return el;
}

// A small picture of a layout on a 64x36 canvas (the MCU's geometry: grid = equal tiles,
// speaker = a 3/4 main tile with small tiles right and below, single = one tile, presenter =
// the speaker geometry with shared content in the main tile).
function layoutPicture(kind) {
  const root = svg('svg', { viewBox: '0 0 64 36', width: 64, height: 36, class: 'cf-lp', 'aria-hidden': 'true', focusable: 'false' });
  const gap = 1.4;
  const tile = (x, y, w, ht, cls) => svg('rect', { x: x + gap / 2, y: y + gap / 2, width: w - gap, height: ht - gap, rx: 1.2, class: cls });
  const small = [[48, 0], [48, 9], [48, 18], [0, 27], [16, 27], [32, 27], [48, 27]];
  root.append(svg('rect', { x: 0, y: 0, width: 64, height: 36, rx: 2, class: 'cf-lp-canvas' }));
  if (kind === 'grid') {
    for (const [x, y] of [[0, 0], [32, 0], [0, 18], [32, 18]]) root.append(tile(x, y, 32, 18, 'cf-lp-tile'));
  } else if (kind === 'single') {
    root.append(tile(0, 0, 64, 36, 'cf-lp-main'));
  } else {
    root.append(tile(0, 0, 48, 27, kind === 'presenter' ? 'cf-lp-content' : 'cf-lp-main'));
    if (kind === 'presenter')
      for (const [y, w] of [[6, 24], [11, 32], [15, 28], [19, 22]]) root.append(svg('rect', { x: 6, y, width: w, height: 2, rx: 1, class: 'cf-lp-line' }));
    for (const [x, y] of small) root.append(tile(x, y, 16, 9, 'cf-lp-tile'));
  }
  return root;
}

// Keeps the keyboard focus on "the same" control across a re-render of `container`: a row's
// [data-action] (by its [data-conference]), or any control with a [data-focus] key.
function keepFocus(container, renderFn) {
  const a = document.activeElement;
  const inside = a && container.contains(a);
  const key = !inside ? null : a.dataset.focus ? `[data-focus="${CSS.escape(a.dataset.focus)}"]`
    : a.closest('[data-conference]') ? `[data-conference="${CSS.escape(a.closest('[data-conference]').dataset.conference)}"]` : null;
  const action = inside && a.dataset.action ? ` [data-action="${CSS.escape(a.dataset.action)}"]` : '';
  renderFn();
  if (!key) return;
  const again = (action && container.querySelector(key + action)) || container.querySelector(key);
  if (again && again.focus) again.focus();
}

// Sets inline styles through the CSSOM (the MCU's Content-Security-Policy forbids style="").
function place(el, props) {
  for (const [k, v] of Object.entries(props)) el.style.setProperty(k, v);
  return el;
}

const addDays = (d, n) => {
  const x = new Date(d);
  x.setDate(x.getDate() + n);
  return x;
};
const startOfDay = (d) => {
  const x = new Date(d);
  x.setHours(0, 0, 0, 0);
  return x;
};
const startOfWeek = (d) => addDays(startOfDay(d), -((new Date(d).getDay() + 6) % 7));  // Monday.
const weekdayIndex = (d) => (d.getDay() + 6) % 7;  // 0 = Monday.
const sameDay = (a, b) => fmtDate(a) === fmtDate(b);

// "23/11/2026 08:00 – 10:00", or both dates when it spans midnight.
function timeRange(startMs, endMs) {
  if (sameDay(startMs, endMs)) return `${fmtDateTime(startMs)} – ${fmtTime(endMs)}`;
  return `${fmtDateTime(startMs)} – ${fmtDateTime(endMs)}`;
}

function statePill(c, t) {
  const state = ['open', 'scheduled', 'ended'].includes(c.state) ? c.state : 'scheduled';
  return h('span', { class: `state state-${state}` }, t(c.permanent ? 'conf.state.permanent' : `conf.state.${state}`));
}

// Open first (permanent rooms after running meetings), then the schedule by start, ended last.
function sortConferences(list) {
  const rank = (c) => (c.state === 'open' ? (c.permanent ? 1 : 0) : c.state === 'scheduled' ? 2 : 3);
  const startOf = (c) => (c.start ? new Date(c.start).getTime() : 0);
  return [...list].sort((a, b) => rank(a) - rank(b) || (rank(a) === 3 ? startOf(b) - startOf(a) : startOf(a) - startOf(b)) ||
    a.title.localeCompare(b.title, 'vi'));
}

// ---- The list page ---------------------------------------------------------------------------

async function renderList(view, ctx) {
  const { t, api } = ctx;
  const canRun = ctx.can('host');
  const state = { conferences: [], sites: new Map(), loaded: false, error: null };
  let closed = false;
  let reloadTimer = 0;

  const listPanel = h('div', { class: 'cf-panel' });
  const calPanel = h('div', { class: 'cf-panel' });
  listState.tab = ctx.query.get('view') === 'calendar' ? 'calendar' : 'list';
  const tabs = tabList(t('conf.tabs'), [
    { key: 'list', label: t('conf.tab.list'), panel: listPanel },
    { key: 'calendar', label: t('conf.tab.calendar'), panel: calPanel },
  ], listState.tab, (key) => {
    listState.tab = key;
    history.replaceState(null, '', key === 'calendar' ? '#/conferences?view=calendar' : '#/conferences');
    if (key === 'calendar') scrollCalendar();
  });

  view.append(
    h('div', { class: 'page-header' },
      h('div', {},
        h('h1', {}, t('conf.title')),
        h('p', { class: 'subtitle' }, canRun ? t('conf.subtitle') : t('conf.readOnly'))),
      canRun ? h('div', { class: 'toolbar' },
        h('a', { class: 'btn btn-primary', id: 'new-conference', href: '#/conferences/new' }, t('conf.new'))) : null),
    tabs, listPanel, calPanel);

  function draw() {
    if (closed) return;
    if (!state.loaded) {
      replace(listPanel, state.error ? loadError() : h('p', { class: 'empty' }, t('conf.loading')));
      replace(calPanel);
      return;
    }
    const signature = JSON.stringify([state.conferences, [...state.sites.values()].map((x) => x.name)]);
    if (signature !== tableSignature) {
      tableSignature = signature;
      keepFocus(listPanel, () => replace(listPanel, conferenceTable(state, ctx, actions)));
    }
    drawCalendar();
  }

  function loadError() {
    return h('div', { class: 'empty', role: 'alert' },
      t('conf.loadFailed', { message: state.error }), ' ',
      h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: load }, t('conf.retry')));
  }

  let tableSignature = '';
  function drawCalendar() {
    const old = calPanel.querySelector('.cf-cal-scroll');
    const keepScroll = old && old.dataset.scrolled ? old.scrollTop : null;
    keepFocus(calPanel, () => replace(calPanel, calendar(state.conferences, ctx, { onChange: drawCalendar })));
    const box = calPanel.querySelector('.cf-cal-scroll');
    if (box && keepScroll !== null) {
      box.scrollTop = keepScroll;
      box.dataset.scrolled = '1';
    }
    if (listState.tab === 'calendar') scrollCalendar();
  }

  // The first time the calendar shows, it scrolls to the morning (or the day's first meeting).
  function scrollCalendar() {
    const box = calPanel.querySelector('.cf-cal-scroll');
    if (box && !box.dataset.scrolled) {
      box.scrollTop = Number(box.dataset.scrollTo || FIRST_HOUR * HOUR_PX);
      box.dataset.scrolled = '1';
    }
  }

  async function load() {
    try {
      const [conferences, sites] = await Promise.all([api.get('/conferences'), api.get('/sites').catch(() => [])]);
      state.conferences = Array.isArray(conferences) ? conferences : [];
      state.sites = new Map((Array.isArray(sites) ? sites : []).map((s) => [s.id, s]));
      state.loaded = true;
      state.error = null;
    } catch (e) {
      if (!state.loaded) state.error = e.message;
      else ctx.toast(t('conf.loadFailed', { message: e.message }), 'error');
    }
    draw();
  }

  function reloadSoon() {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(load, 300);
  }

  // Row actions: start / stop / delete (the live and edit actions are links).
  const actions = {
    async start(c, button) {
      await run(button, () => api.post(`/conferences/${enc(c.id)}/start`), t('conf.started', { title: c.title }));
    },
    async stop(c, button) {
      const ok = await confirmDialog(view, {
        title: t('conf.stopTitle'),
        text: t(c.recurrence !== 'none' ? 'conf.stopTextRecurring' : 'conf.stopText', { title: c.title }),
        ok: t('conf.stopConfirm'), cancel: t('conf.cancel'),
      });
      if (ok) await run(button, () => api.post(`/conferences/${enc(c.id)}/stop`), t('conf.stopped', { title: c.title }));
    },
    async delete(c, button) {
      const ok = await confirmDialog(view, {
        title: t('conf.deleteTitle'), text: t('conf.deleteText', { title: c.title }),
        ok: t('conf.delete'), cancel: t('conf.cancel'),
      });
      if (ok) await run(button, () => api.del(`/conferences/${enc(c.id)}`), t('conf.deleted', { title: c.title }));
    },
  };

  async function run(button, fn, okText) {
    button.disabled = true;
    try {
      await fn();
      ctx.toast(okText, 'ok');
    } catch (e) {
      ctx.toast(t('conf.failed', { message: e.message }), 'error');
    } finally {
      button.disabled = false;
    }
    await load();
  }

  draw();
  const unsub = ctx.feed.on('conference', reloadSoon);
  const interval = setInterval(load, REFRESH_MS);
  await load();
  return () => {
    closed = true;
    unsub();
    clearInterval(interval);
    clearTimeout(reloadTimer);
  };
}

// The table of every conference.
function conferenceTable(state, ctx, actions) {
  const { t } = ctx;
  const list = sortConferences(state.conferences);
  if (!list.length) return h('div', { class: 'table-wrap' }, h('p', { class: 'empty' }, t('conf.empty')));
  const cols = ['title', 'state', 'time', 'recurrence', 'invited', 'host', 'layout'];
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data mg-table cf-table' },
      h('thead', {}, h('tr', {},
        cols.map((k) => h('th', { scope: 'col', class: k === 'invited' ? 'num' : null }, t(`conf.col.${k}`))),
        h('th', { scope: 'col', class: 'cf-actions-head' }, t('conf.col.actions')))),
      h('tbody', {}, list.map((c) => conferenceRow(c, state, ctx, actions)))));
}

function conferenceRow(c, state, ctx, actions) {
  const { t } = ctx;
  const host = c.host ? (state.sites.get(c.host)?.name || c.host) : t('conf.noHost');
  const invited = (c.invited || []).length;
  return h('tr', { dataset: { conference: c.id, state: c.state } },
    h('th', { scope: 'row', class: 'cf-name' },
      h('span', { class: 'cf-name-title' }, c.title),
      h('span', { class: 'cf-name-id' }, c.id)),
    h('td', {}, statePill(c, t)),
    h('td', { class: 'cf-when' }, c.permanent || !c.start
      ? t('conf.permanentWhen')
      : timeRange(new Date(c.start).getTime(), new Date(c.end).getTime())),
    h('td', { class: 'cf-nowrap' }, t(`conf.rec.${c.recurrence || 'none'}`)),
    h('td', { class: 'num cf-nowrap' }, invited ? String(invited) : h('span', { class: 'cf-muted', title: t('conf.invitedAllHint') }, t('conf.invitedAll'))),
    h('td', {}, host),
    h('td', { class: 'cf-nowrap' }, t(`conf.layout.${c.layout}`)),
    h('td', { class: 'cf-actions' }, h('div', { class: 'cf-actions-row' }, rowActions(c, ctx, actions))));
}

function rowActions(c, ctx, actions) {
  const { t } = ctx;
  const open = c.state === 'open';
  const label = (key) => t('conf.actionOn', { action: t(key), title: c.title });
  const liveHref = `#/live/${enc(c.id)}`;
  if (!ctx.can('host'))
    return open ? h('a', { class: 'btn btn-secondary btn-small', href: liveHref, dataset: { action: 'live' }, 'aria-label': label('conf.view') }, t('conf.view')) : null;
  const button = (action, key, cls) => {
    const b = h('button', { type: 'button', class: `btn btn-small ${cls}`, dataset: { action }, 'aria-label': label(key) }, t(key));
    b.addEventListener('click', () => actions[action](c, b));
    return b;
  };
  return [
    open ? h('a', { class: 'btn btn-primary btn-small', href: liveHref, dataset: { action: 'live' }, 'aria-label': label('conf.live') }, t('conf.live'))
      : !c.permanent ? button('start', 'conf.start', 'btn-secondary') : null,
    open && !c.permanent ? button('stop', 'conf.stop', 'btn-danger-outline') : null,
    h('a', { class: 'btn btn-secondary btn-small', href: `#/conferences/${enc(c.id)}/edit`, dataset: { action: 'edit' }, 'aria-label': label('conf.edit') }, t('conf.edit')),
    button('delete', 'conf.delete', 'btn-danger-outline'),
  ];
}

// ---- The calendar ----------------------------------------------------------------------------

// The occurrences of the scheduled conferences that overlap [from, to): the given start/end,
// then every day or week after it for recurring ones (same local wall-clock time).
export function occurrences(conferences, from, to) {
  const out = [];
  for (const c of conferences) {
    if (c.permanent || !c.start || !c.end) continue;
    const s0 = new Date(c.start);
    const length = new Date(c.end).getTime() - s0.getTime();
    const step = { daily: 1, weekly: 7 }[c.recurrence] || 0;
    if (!step) {
      if (s0.getTime() + length > from.getTime() && s0 < to) out.push({ c, start: s0.getTime(), end: s0.getTime() + length, first: true });
      continue;
    }
    let k = Math.max(0, Math.floor((from - s0 - length) / (step * DAY_MS)) - 1);
    for (; k < 5000; k++) {
      const s = addDays(s0, k * step);
      if (s >= to) break;
      if (s.getTime() + length > from.getTime()) out.push({ c, start: s.getTime(), end: s.getTime() + length, first: k === 0 });
    }
  }
  return out;
}

// Each occurrence's part inside `day`, with lanes for overlapping ones: [{o, top, bottom, lane, lanes}].
function daySegments(occs, day) {
  const dayStart = day.getTime();
  const dayEnd = addDays(day, 1).getTime();
  const segs = occs
    .filter((o) => o.end > dayStart && o.start < dayEnd)
    .map((o) => ({ o, from: Math.max(o.start, dayStart), to: Math.min(o.end, dayEnd) }))
    .sort((a, b) => a.from - b.from || b.to - a.to);
  let cluster = [];
  let clusterEnd = -Infinity;
  const closeCluster = () => {
    const lanes = Math.max(1, ...cluster.map((s) => s.lane + 1));
    for (const s of cluster) s.lanes = lanes;
    cluster = [];
  };
  for (const s of segs) {
    if (s.from >= clusterEnd) {
      closeCluster();
      clusterEnd = -Infinity;
    }
    const used = new Set(cluster.filter((x) => x.to > s.from).map((x) => x.lane));
    s.lane = 0;
    while (used.has(s.lane)) s.lane++;
    cluster.push(s);
    clusterEnd = Math.max(clusterEnd, s.to);
  }
  closeCluster();
  for (const s of segs) {
    s.top = ((s.from - dayStart) / HOUR_MS) * HOUR_PX;
    s.height = Math.max(((s.to - s.from) / HOUR_MS) * HOUR_PX, 20);
  }
  return segs;
}

function calendar(conferences, ctx, { onChange }) {
  const { t } = ctx;
  if (!listState.anchor) listState.anchor = startOfDay(new Date());
  const week = listState.calMode === 'week';
  const from = week ? startOfWeek(listState.anchor) : startOfDay(listState.anchor);
  const days = Array.from({ length: week ? 7 : 1 }, (_, i) => addDays(from, i));
  const to = addDays(from, days.length);
  const occs = occurrences(conferences, from, to);
  const permanent = conferences.filter((c) => c.permanent);

  const move = (n) => {
    listState.anchor = addDays(listState.anchor, n * days.length);
    onChange();
  };
  const modeButton = (mode) => h('button', {
    type: 'button', class: 'btn btn-secondary btn-small', 'aria-pressed': String(listState.calMode === mode), dataset: { focus: `cal-${mode}` },
    onclick: () => {
      listState.calMode = mode;
      onChange();
    },
  }, t(`conf.cal.${mode}`));
  const rangeText = week
    ? `${fmtDate(from).slice(0, 5)} – ${fmtDate(addDays(to, -1))}`
    : t('conf.cal.dayLabel', { day: t(`conf.day.${weekdayIndex(from)}`), date: fmtDate(from) });

  const earliest = Math.min(FIRST_HOUR, ...days.flatMap((d) => daySegments(occs, d).map((s) => Math.floor(s.top / HOUR_PX))));
  return h('section', { class: 'cf-cal', 'aria-label': t('conf.cal.label') },
    h('div', { class: 'cf-cal-bar' },
      h('div', { class: 'cf-cal-nav' },
        h('button', { type: 'button', class: 'btn btn-secondary btn-small', dataset: { focus: 'cal-prev' }, onclick: () => move(-1), 'aria-label': t(week ? 'conf.cal.prevWeek' : 'conf.cal.prevDay') }, '‹ ', t('conf.cal.prev')),
        h('button', { type: 'button', class: 'btn btn-secondary btn-small', dataset: { focus: 'cal-today' }, onclick: () => {
          listState.anchor = startOfDay(new Date());
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
        h('a', { class: 'cf-chip', href: eventHref(c, ctx), dataset: { conference: c.id } }, c.title))))
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

function eventHref(c, ctx) {
  if (c.state === 'open' || !ctx.can('host')) return `#/live/${enc(c.id)}`;
  return `#/conferences/${enc(c.id)}/edit`;
}

function dayColumn(d, occs, ctx) {
  const { t } = ctx;
  const now = Date.now();
  const label = t('conf.cal.dayLabel', { day: t(`conf.day.${weekdayIndex(d)}`), date: fmtDate(d) });
  const segs = daySegments(occs, d);
  const col = h('ul', { class: `cf-cal-col${sameDay(d, now) ? ' cf-today' : ''}`, 'aria-label': label },
    segs.map((s) => {
      const { c } = s.o;
      const running = s.o.first && c.state === 'open';
      const over = s.o.end < now || (s.o.first && c.state === 'ended');
      const kind = running ? 'open' : over ? 'past' : 'scheduled';
      const time = `${fmtTime(s.o.start)}–${fmtTime(s.o.end)}`;
      const short = s.height < 2 * HOUR_PX - 8 ? ' cf-ev-short' : '';
      return place(h('li', { class: `cf-ev cf-ev-${kind}${short}` }, h('a', {
        href: eventHref(c, ctx), dataset: { conference: c.id },
        title: `${c.title}\n${timeRange(s.o.start, s.o.end)}`,
        'aria-label': t('conf.cal.eventLabel', { title: c.title, from: fmtDateTime(s.o.start), to: fmtDateTime(s.o.end) }),
      }, h('span', { class: 'cf-ev-time' }, time), h('span', { class: 'cf-ev-title' }, c.title))), {
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

// ---- The form --------------------------------------------------------------------------------

// An id suggested from a title: no diacritics, lower case, words joined by "-".
export function suggestId(title) {
  return title.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '').slice(0, 64).replace(/-+$/, '');
}

function defaultTimes() {
  const start = new Date(Date.now() + HOUR_MS);
  start.setMinutes(start.getMinutes() < 30 ? 30 : 60, 0, 0);
  return { start: start.getTime(), end: start.getTime() + HOUR_MS };
}

async function renderForm(view, ctx) {
  const { t, api } = ctx;
  const id = ctx.params.id || null;
  const back = h('a', { href: '#/conferences', class: 'cf-back' }, '← ', t('conf.form.back'));
  let sites;
  let conf = null;
  try {
    [sites, conf] = await Promise.all([api.get('/sites'), id ? api.get(`/conferences/${enc(id)}`) : null]);
  } catch (e) {
    if (!ctx.current()) return;
    view.append(h('div', { class: 'page-header' }, h('div', {}, back, h('h1', {}, t(id ? 'conf.form.editTitle' : 'conf.form.newTitle')))),
      h('p', { class: 'page-message', role: 'alert' }, e.status === 404 ? t('conf.form.notFound', { id }) : t('conf.form.loadFailed', { message: e.message })));
    return;
  }
  if (!ctx.current()) return;
  sites = Array.isArray(sites) ? sites : [];
  const form = buildForm(ctx, sites, conf);
  view.append(
    h('div', { class: 'page-header' },
      h('div', {}, back,
        h('h1', {}, t(id ? 'conf.form.editTitle' : 'conf.form.newTitle')),
        conf ? h('p', { class: 'subtitle' }, conf.title) : null)),
    form);
  if (!conf) form.querySelector('[name="title"]').focus();
}

// The form's controls and its behaviour; submits to POST /conferences or PUT /conferences/{id}.
function buildForm(ctx, sites, conf) {
  const { t } = ctx;
  const defaults = defaultTimes();
  const f = {};
  f.title = checkedField(t('conf.form.title'), h('input', { name: 'title', maxlength: 200, required: true, value: conf ? conf.title : '', autocomplete: 'off' }));
  f.id = conf ? null : checkedField(t('conf.form.id'),
    h('input', { name: 'id', maxlength: 64, required: true, pattern: '[a-z0-9][a-z0-9_-]{0,63}', spellcheck: 'false', autocapitalize: 'none', autocomplete: 'off' }),
    t('conf.form.idHint'));
  const mode = field(t('conf.form.mode'), select('mode', [['mix', t('conf.form.mode.mix')], ['echo', t('conf.form.mode.echo')]], conf ? conf.mode : 'mix'),
    t('conf.form.modeHint'));
  const permanent = h('input', { type: 'checkbox', name: 'permanent', id: uid('cf-perm'), checked: conf ? conf.permanent : false });
  f.start = checkedField(t('conf.form.start'), h('input', { type: 'datetime-local', name: 'start', value: toLocalInput(conf && conf.start ? new Date(conf.start).getTime() : defaults.start) }));
  f.end = checkedField(t('conf.form.end'), h('input', { type: 'datetime-local', name: 'end', value: toLocalInput(conf && conf.end ? new Date(conf.end).getTime() : defaults.end) }));
  const recurrence = field(t('conf.form.recurrence'), select('recurrence', RECURRENCES.map((r) => [r, t(`conf.rec.${r}`)]), conf ? conf.recurrence : 'none'));
  f.lead = checkedField(t('conf.form.lead'),
    h('input', { type: 'number', name: 'leadTimeMinutes', min: 0, max: 1440, step: 1, inputmode: 'numeric', value: String(conf ? conf.leadTimeMinutes : 30) }),
    t('conf.form.leadHintEmpty'));
  const leadHint = f.lead.wrap.querySelector('.field-hint');
  const sitesPart = invitedSites(ctx, sites, conf);
  f.host = sitesPart.host;

  const timeFields = [f.start.control, f.end.control, recurrence.querySelector('select'), f.lead.control];
  const timeGrid = h('div', { class: 'form-grid cf-time-grid' }, f.start.wrap, f.end.wrap, recurrence, f.lead.wrap);
  function syncPermanent() {
    for (const c of timeFields) c.disabled = permanent.checked;
    timeGrid.classList.toggle('cf-disabled', permanent.checked);
    updateLeadHint();
  }
  function updateLeadHint() {
    const start = new Date(f.start.control.value).getTime();
    const lead = Number(f.lead.control.value);
    leadHint.textContent = !permanent.checked && Number.isFinite(start) && Number.isInteger(lead) && lead >= 0
      ? t('conf.form.leadHint', { time: fmtDateTime(start - lead * 60_000) })
      : t('conf.form.leadHintEmpty');
  }
  permanent.addEventListener('change', syncPermanent);
  f.start.control.addEventListener('input', updateLeadHint);
  f.lead.control.addEventListener('input', updateLeadHint);

  // The id follows the title until someone types in it.
  if (f.id) {
    let touched = false;
    f.id.control.addEventListener('input', () => { touched = f.id.control.value !== ''; });
    f.title.control.addEventListener('input', () => {
      if (!touched) f.id.control.value = suggestId(f.title.control.value);
    });
  }

  const formError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'conference-save' }, t(conf ? 'conf.form.save' : 'conf.form.create'));
  const form = h('form', { class: 'cf-form', novalidate: true },
    h('div', { class: 'cf-form-cols' },
      h('div', { class: 'cf-form-col' },
        h('section', { class: 'card cf-section' },
          h('h2', { class: 'card-title' }, t('conf.form.general')),
          h('div', { class: 'form-grid cf-general' }, f.title.wrap,
            f.id ? f.id.wrap : fixedId(ctx, conf.id), mode)),
        h('section', { class: 'card cf-section' },
          h('h2', { class: 'card-title' }, t('conf.form.time')),
          h('label', { class: 'check cf-permanent', for: permanent.id }, permanent, t('conf.form.permanent')),
          timeGrid)),
      h('div', { class: 'cf-form-col' }, sitesPart.section, layoutChooser(ctx, conf ? conf.layout : 'grid'))),
    h('div', { class: 'form-footer cf-footer' },
      formError,
      h('a', { class: 'btn btn-secondary', href: '#/conferences' }, t('conf.form.cancel')),
      save));
  syncPermanent();
  // What the times were: an edit that leaves them alone does not send them (nor checks them
  // against the clock: the title of a past meeting may still be corrected).
  f.timesAsLoaded = conf ? timesKey(f, permanent.checked) : null;

  // After a first attempt, the messages follow the corrections as they are typed.
  let tried = false;
  const recheck = () => {
    if (!tried) return;
    const bad = validate(ctx, f, permanent.checked, sitesPart);
    formError.textContent = t('conf.form.fix');
    formError.hidden = !bad;
  };
  form.addEventListener('input', recheck);
  form.addEventListener('change', recheck);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    tried = true;
    formError.hidden = true;
    const bad = validate(ctx, f, permanent.checked, sitesPart);
    if (bad) {
      bad.focus();
      formError.textContent = t('conf.form.fix');
      formError.hidden = false;
      return;
    }
    const body = formBody(form, f, permanent.checked, sitesPart);
    save.disabled = true;
    save.textContent = t('conf.form.saving');
    try {
      if (conf) await ctx.api.put(`/conferences/${enc(conf.id)}`, body);
      else await ctx.api.post('/conferences', body);
      ctx.toast(t('conf.form.saved', { title: body.title }), 'ok');
      ctx.navigate('#/conferences');
    } catch (err) {
      formError.textContent = t('conf.form.refused', { message: err.message });
      formError.hidden = false;
      ctx.toast(t('conf.form.refused', { message: err.message }), 'error');
      save.disabled = false;
      save.textContent = t(conf ? 'conf.form.save' : 'conf.form.create');
    }
  });
  return form;
}

// The id of a conference being edited: shown, not editable.
function fixedId(ctx, id) {
  const hint = h('small', { class: 'field-hint', id: uid('hint') }, ctx.t('conf.form.idFixed'));
  return h('div', { class: 'field' },
    h('span', { class: 'field-label' }, ctx.t('conf.form.id')),
    h('p', { class: 'cf-fixed-id', 'aria-describedby': hint.id }, id), hint);
}

// The four layouts as radio buttons with their pictures.
function layoutChooser(ctx, current) {
  const { t } = ctx;
  return h('section', { class: 'card cf-section' }, h('fieldset', { class: 'cf-bare' },
    h('legend', { class: 'card-title' }, t('conf.form.layout')),
    h('div', { class: 'cf-layout-options' }, LAYOUTS.map((l) => {
      const input = h('input', { type: 'radio', name: 'layout', value: l, id: uid('cf-layout'), checked: l === (current || 'grid') });
      const hint = h('span', { class: 'cf-layout-hint', id: uid('cf-lh') }, t(`conf.layout.${l}Hint`));
      input.setAttribute('aria-describedby', hint.id);
      return h('label', { class: 'cf-layout-option', for: input.id },
        h('span', { class: 'cf-layout-head' }, input, h('span', { class: 'cf-layout-name' }, t(`conf.layout.${l}`))),
        layoutPicture(l), hint);
    }))));
}

// The invited sites, grouped by level, each group with "select all"; the host site select.
function invitedSites(ctx, sites, conf) {
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

function timesKey(f, permanent) {
  return permanent ? 'permanent' : `${f.start.control.value}|${f.end.control.value}`;
}

// Checks the form; shows each problem next to its field. Returns the first bad control or null.
function validate(ctx, f, permanent, sitesPart) {
  const { t } = ctx;
  const problems = [];
  const check = (fld, message) => {
    if (!fld) return;
    setError(fld, message);
    if (message) problems.push(fld.control);
  };
  check(f.title, f.title.control.value.trim() ? '' : t('conf.err.title'));
  if (f.id) check(f.id, ID_PATTERN.test(f.id.control.value) ? '' : t('conf.err.id'));
  if (!permanent) {
    const s = f.start.control.value ? new Date(f.start.control.value).getTime() : NaN;
    const e = f.end.control.value ? new Date(f.end.control.value).getTime() : NaN;
    const recurring = f.start.control.form.elements.recurrence.value !== 'none';
    check(f.start, Number.isFinite(s) ? '' : t('conf.err.start'));
    check(f.end, !Number.isFinite(e) ? t('conf.err.end')
      : !Number.isFinite(s) ? ''
        : e <= s ? t('conf.err.endBefore')
          : e - s > DAY_MS ? t('conf.err.tooLong')
            : !recurring && e < Date.now() && f.timesAsLoaded !== timesKey(f, permanent) ? t('conf.err.past') : '');
    const lead = Number(f.lead.control.value);
    check(f.lead, f.lead.control.value !== '' && Number.isInteger(lead) && lead >= 0 && lead <= 1440 ? '' : t('conf.err.lead'));
  } else {
    for (const fld of [f.start, f.end, f.lead]) setError(fld, '');
  }
  const host = f.host.control.value;
  check(f.host, host && !sitesPart.invited().includes(host) ? t('conf.err.host') : '');
  return problems[0] || null;
}

// The JSON body of POST/PUT /conferences from the form.
function formBody(form, f, permanent, sitesPart) {
  const el = form.elements;
  const body = {
    title: f.title.control.value.trim(),
    mode: el.mode.value,
    layout: el.layout.value || 'grid',
    invited: sitesPart.invited(),
    host: f.host.control.value,
    recurrence: permanent ? 'none' : el.recurrence.value,
    leadTimeMinutes: Number(f.lead.control.value) || 0,
    start: permanent ? null : withOffset(f.start.control.value),
    end: permanent ? null : withOffset(f.end.control.value),
  };
  if (f.id) body.id = f.id.control.value;
  if (f.timesAsLoaded === timesKey(f, permanent)) {
    delete body.start;
    delete body.end;
  }
  return body;
}

export const routes = [
  { path: '/conferences', roles: ['admin', 'host', 'technician'], title: 'conf.title', render: renderList },
  { path: '/conferences/new', roles: ['admin', 'host'], title: 'conf.form.newTitle', render: renderForm },
  { path: '/conferences/:id/edit', roles: ['admin', 'host'], title: 'conf.form.editTitle', render: renderForm },
];
