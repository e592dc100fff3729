// The conference form: #/conferences/new (POST /conferences) and #/conferences/<id>/edit (filled
// from GET /conferences/{id}, PUT /conferences/{id}): title, id (suggested from the title, fixed
// once created), mode, permanent or start/end/recurrence/lead time, the default layout (the
// layouts' pictures), the invited sites and the host site (./invited-sites.js), and whether it is
// classified ("Mật": sent as `classified`; the MCU then enforces no preview, SIP rooms over TLS
// only, the strongest media encryption and an audit of every join and leave), and whether it is
// recorded whenever it opens (`autoRecord`, off and disabled while classified). Each problem is
// shown next to its field. Hooks for tests: the controls by name (id, title, mode, start, end,
// recurrence, leadTimeMinutes, layout, host, permanent, classified, autoRecord,
// invited[value=site]);
// #conference-save.

import { h, field, uid, fmtDateTime, toLocalInput, withOffset } from '../../dom.js';
import { ID_PATTERN, LAYOUTS, RECURRENCES, defaultTimes, opensAt, suggestId, timeProblems } from '../../logic/conferences.js';
import { icon, layoutPicture } from '../../pictures.js';
import { checkedField, select, setError } from '../../widgets.js';
import { isClassified } from './classified.js';
import { invitedSites } from './invited-sites.js';

export const strings = {
  vi: {
    'conf.layout.gridHint': 'Mọi điểm cầu khung bằng nhau',
    'conf.layout.speakerHint': 'Người phát biểu khung lớn, các điểm cầu khác khung nhỏ',
    'conf.layout.singleHint': 'Chỉ người đang phát biểu, toàn khung hình',
    'conf.layout.presenterHint': 'Nội dung trình chiếu khung lớn, các điểm cầu khung nhỏ',
    'conf.form.newTitle': 'Hội nghị mới',
    'conf.form.editTitle': 'Sửa hội nghị',
    'conf.form.back': 'Danh sách hội nghị',
    'conf.form.notFound': 'Không tìm thấy hội nghị “{id}”.',
    'conf.form.loadFailed': 'Không tải được dữ liệu: {message}',
    'conf.form.general': 'Thông tin chung',
    'conf.form.time': 'Thời gian',
    'conf.form.layout': 'Bố cục mặc định',
    'conf.form.title': 'Tên hội nghị',
    'conf.form.id': 'Mã hội nghị',
    'conf.form.idHint': 'Chữ thường không dấu, số, “-” hoặc “_”; dùng trong đường dẫn, không đổi được sau khi tạo.',
    'conf.form.idFixed': 'Không đổi được sau khi tạo.',
    'conf.form.mode': 'Chế độ',
    'conf.form.mode.mix': 'Hội nghị (ghép hình, trộn tiếng)',
    'conf.form.mode.echo': 'Kiểm tra tiếng vọng',
    'conf.form.modeHint': 'Kiểm tra tiếng vọng: mỗi điểm cầu nhận lại hình và tiếng của chính mình.',
    'conf.form.classified': 'Hội nghị mật (Mật)',
    'conf.form.classifiedHint': 'MCU không cho xem trước, chỉ nhận điểm cầu SIP qua TLS, chỉ nhận hình và tiếng mã hóa mạnh nhất (AES-GCM hoặc AES-CM 80 bit) và ghi nhật ký mọi lượt vào, ra.',
    'conf.form.autoRecord': 'Ghi hình mỗi khi hội nghị mở',
    'conf.form.autoRecordHint': 'Hình ghép và tiếng được ghi từ lúc hội nghị mở đến lúc đóng; xem, tải về ở trang Lịch sử. Hội nghị mật không được ghi hình.',
    'conf.form.permanent': 'Phòng họp thường trực (luôn mở, không có giờ bắt đầu và kết thúc)',
    'conf.form.start': 'Bắt đầu',
    'conf.form.end': 'Kết thúc',
    'conf.form.recurrence': 'Lặp lại',
    'conf.form.lead': 'Mở sớm để kiểm tra kỹ thuật (phút)',
    'conf.form.leadHint': 'Hội nghị mở lúc {time}: các điểm cầu được mời và đang trực tuyến sẽ được gọi vào.',
    'conf.form.leadHintEmpty': 'Hội nghị mở sớm chừng ấy phút trước giờ bắt đầu.',
    'conf.form.save': 'Lưu hội nghị',
    'conf.form.create': 'Tạo hội nghị',
    'conf.form.saving': 'Đang lưu…',
    'conf.form.cancel': 'Hủy',
    'conf.form.saved': 'Đã lưu hội nghị “{title}”.',
    'conf.form.refused': 'MCU không nhận: {message}',
    'conf.form.fix': 'Hãy sửa các ô được đánh dấu.',
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
    'conf.layout.gridHint': 'Every site an equal tile',
    'conf.layout.speakerHint': 'The speaker large, the other sites small',
    'conf.layout.singleHint': 'Only the active speaker, full frame',
    'conf.layout.presenterHint': 'Shared content large, the sites small',
    'conf.form.newTitle': 'New conference',
    'conf.form.editTitle': 'Edit conference',
    'conf.form.back': 'Conference list',
    'conf.form.notFound': 'There is no conference “{id}”.',
    'conf.form.loadFailed': 'Could not load the data: {message}',
    'conf.form.general': 'General',
    'conf.form.time': 'Time',
    'conf.form.layout': 'Default layout',
    'conf.form.title': 'Title',
    'conf.form.id': 'Conference id',
    'conf.form.idHint': 'Lower-case letters without accents, digits, “-” or “_”; used in links, fixed once created.',
    'conf.form.idFixed': 'Fixed once created.',
    'conf.form.mode': 'Mode',
    'conf.form.mode.mix': 'Conference (composite, mixed sound)',
    'conf.form.mode.echo': 'Echo test',
    'conf.form.modeHint': 'Echo test: each site gets its own picture and sound back.',
    'conf.form.classified': 'Classified meeting',
    'conf.form.classifiedHint': 'The MCU allows no preview, admits SIP rooms over TLS only and media with the strongest encryption only (AES-GCM or AES-CM with an 80-bit tag), and audits every join and leave.',
    'conf.form.autoRecord': 'Record whenever the conference opens',
    'conf.form.autoRecordHint': 'The composite and the sound are recorded from its opening to its close; play or download them from the History page. A classified conference is not recorded.',
    'conf.form.permanent': 'Always-open room (permanent, no start or end)',
    'conf.form.start': 'Start',
    'conf.form.end': 'End',
    'conf.form.recurrence': 'Repeats',
    'conf.form.lead': 'Open early for the technical check (minutes)',
    'conf.form.leadHint': 'The conference opens at {time}: invited sites that are online are called in.',
    'conf.form.leadHintEmpty': 'The conference opens this many minutes before its start.',
    'conf.form.save': 'Save conference',
    'conf.form.create': 'Create conference',
    'conf.form.saving': 'Saving…',
    'conf.form.cancel': 'Cancel',
    'conf.form.saved': 'Conference “{title}” saved.',
    'conf.form.refused': 'The MCU refused: {message}',
    'conf.form.fix': 'Please correct the marked fields.',
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

const enc = encodeURIComponent;

export async function renderForm(view, ctx) {
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
  const classifiedHint = h('small', { class: 'field-hint', id: uid('hint') }, t('conf.form.classifiedHint'));
  const classified = h('input', {
    type: 'checkbox', name: 'classified', id: uid('cf-classified'), checked: isClassified(conf), 'aria-describedby': classifiedHint.id,
  });
  const autoRecordHint = h('small', { class: 'field-hint', id: uid('hint') }, t('conf.form.autoRecordHint'));
  const autoRecord = h('input', {
    type: 'checkbox', name: 'autoRecord', id: uid('cf-autorec'), checked: Boolean(conf && conf.autoRecord), 'aria-describedby': autoRecordHint.id,
  });
  // A classified conference is never recorded: the two exclude each other.
  const syncRecord = () => {
    autoRecord.disabled = classified.checked;
    if (classified.checked) autoRecord.checked = false;
  };
  classified.addEventListener('change', syncRecord);
  syncRecord();
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
    const opens = permanent.checked ? null : opensAt(new Date(f.start.control.value).getTime(), f.lead.control.value);
    leadHint.textContent = opens !== null ? t('conf.form.leadHint', { time: fmtDateTime(opens) }) : t('conf.form.leadHintEmpty');
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
            f.id ? f.id.wrap : fixedId(ctx, conf.id), mode),
          h('div', { class: 'cf-classified' },
            h('label', { class: 'check', for: classified.id }, classified, icon('lock', 'classified-icon'), t('conf.form.classified')),
            classifiedHint),
          h('div', { class: 'cf-auto-record' },
            h('label', { class: 'check', for: autoRecord.id }, autoRecord, t('conf.form.autoRecord')),
            autoRecordHint)),
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
    const time = (c) => (c.value ? new Date(c.value).getTime() : NaN);
    const p = timeProblems({
      start: time(f.start.control),
      end: time(f.end.control),
      lead: f.lead.control.value,
      recurring: f.start.control.form.elements.recurrence.value !== 'none',
      unchanged: f.timesAsLoaded === timesKey(f, permanent),
    });
    check(f.start, p.start && t(p.start));
    check(f.end, p.end && t(p.end));
    check(f.lead, p.lead && t(p.lead));
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
    classified: el.classified.checked,
    autoRecord: el.autoRecord.checked && !el.classified.checked,
  };
  if (f.id) body.id = f.id.control.value;
  if (f.timesAsLoaded === timesKey(f, permanent)) {
    delete body.start;
    delete body.end;
  }
  return body;
}
