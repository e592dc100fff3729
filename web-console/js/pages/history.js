// History (every role): what happened in past and running conferences, and the audit log.
//
//   #/history              two tabs (#/history?tab=audit opens on the second). "Conferences":
//                          each conference that ran or is running: title, state, last
//                          occurrence, sites that attended / invited, alarms; each links to its
//                          page (history/index.js). "Audit log": pages of the audit log with a
//                          filter (history/audit.js).
//   #/history/<conference> one conference: per-site totals (with invited sites that never came),
//                          every attendance with its quality summary, a CSV download, its
//                          recordings (play, download, delete: history/recordings.js), its alarms
//                          and its audit entries (history/conference.js).
//
// The summaries (per conference, per site), the quality grades and the reasons are DOM-free:
// ../logic/history.js, ../logic/quality.js. This module holds the routes.
//
// Hooks for tests: a[href="#/history/<id>"] per conference; #audit-filter, #audit-older,
// tr[data-audit]; on a conference's page tr[data-site] (attendances), tr[data-site-total]
// (totals), a#history-csv (the CSV), tr[data-alarm].

import { mergeStrings } from '../i18n.js';
import * as audit from './history/audit.js';
import * as common from './history/common.js';
import * as conference from './history/conference.js';
import * as index from './history/index.js';
import * as recordings from './history/recordings.js';

export const strings = mergeStrings(common.strings, index.strings, audit.strings, conference.strings, recordings.strings);

export const routes = [
  { path: '/history', roles: ['admin', 'host', 'technician'], title: 'hist.title', render: index.renderIndex },
  { path: '/history/:conference', roles: ['admin', 'host', 'technician'], title: 'hist.title', render: conference.renderConference },
];
