// Conferences: the list, a day/week calendar, and the create/edit form.
//
//   #/conferences            every conference as a table with its state, times, recurrence,
//                            invitations, host site and layout, with row actions for hosts and
//                            admins (conferences/list.js); a second tab is a calendar, day or
//                            week, of the occurrences of scheduled and recurring conferences
//                            (conferences/calendar.js; #/conferences?view=calendar opens on it).
//   #/conferences/new        the form: POST /conferences (conferences/form.js, its sites in
//                            conferences/invited-sites.js).
//   #/conferences/<id>/edit  the form filled from GET /conferences/{id}: PUT /conferences/{id}.
//
// The calendar's occurrences, the list's order, the id suggested from a title and the checks of
// the times are DOM-free: ../logic/calendar.js, ../logic/conferences.js. This module holds the
// strings the parts share and the routes.
//
// A classified conference ("Mật") has the same badge wherever it is named (conferences/
// classified.js, also used by the live and history pages).
//
// Hooks for tests: #new-conference; rows tr[data-conference][data-classified] with
// [data-action=live|edit|start|stop|delete] and .classified-badge; calendar blocks
// a[data-conference][data-classified]; the form's controls by name (id, title, mode, start, end,
// recurrence, leadTimeMinutes, layout, host, permanent, classified, invited[value=site]); the
// save button #conference-save.

import { mergeStrings } from '../i18n.js';
import * as calendar from './conferences/calendar.js';
import * as classified from './conferences/classified.js';
import * as form from './conferences/form.js';
import * as invitedSites from './conferences/invited-sites.js';
import * as list from './conferences/list.js';

const pageStrings = {
  vi: {
    'conf.rec.none': 'Không lặp',
    'conf.rec.daily': 'Hằng ngày',
    'conf.rec.weekly': 'Hằng tuần',
    'conf.layout.grid': 'Lưới đều',
    'conf.layout.speaker': 'Người phát biểu',
    'conf.layout.single': 'Một khung',
    'conf.layout.presenter': 'Trình chiếu',
  },
  en: {
    'conf.rec.none': 'Once',
    'conf.rec.daily': 'Daily',
    'conf.rec.weekly': 'Weekly',
    'conf.layout.grid': 'Grid',
    'conf.layout.speaker': 'Speaker',
    'conf.layout.single': 'Single',
    'conf.layout.presenter': 'Presenter',
  },
};

export const strings = mergeStrings(pageStrings, classified.strings, list.strings, calendar.strings, form.strings, invitedSites.strings);

export const routes = [
  { path: '/conferences', roles: ['admin', 'host', 'technician'], title: 'conf.title', render: list.renderList },
  { path: '/conferences/new', roles: ['admin', 'host'], title: 'conf.form.newTitle', render: form.renderForm },
  { path: '/conferences/:id/edit', roles: ['admin', 'host'], title: 'conf.form.editTitle', render: form.renderForm },
];
