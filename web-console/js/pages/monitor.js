// Monitoring for technicians.
//
// #/monitor: every running conference (open, or permanent with sites in it) in one table
// #streams, one row per stream of every site (audio/video, received from / sent to the site),
// updated every second from the feed's `stats` events; per conference its composite tiers and
// the process's load. The active alarms (newest first, announced; critical ones assertively)
// with a short history of those cleared in this session. Charts of the last 5 minutes of each
// site of one conference (kb/s in/out, loss %, RTT) with the site's alarm periods shaded.
// (monitor/overview.js, with monitor/stream-table.js and monitor/alarm-panel.js)
//
// #/monitor/<conference>/<site>: its room's devices (camera, microphone, loudspeaker: sending or
// playing, missing, none), the site's four streams now, its charts over the whole
// conference (history?seconds=86400: one point per 10 s when the MCU gives `stepS`, else the last
// 10 minutes at 1 s), its alarms in the conference, refreshed every 10 s. (monitor/site.js,
// with monitor/site-devices.js)
//
// The alarm bookkeeping and the streams' figures are DOM-free: ../logic/alarms.js,
// ../logic/streams.js, ../logic/quality.js. This module holds the strings both pages share and
// the routes.
//
// Hooks for tests: #streams tr[data-conference][data-site][data-direction] td[data-field],
// tbody.mon-conf[data-conference] [data-field="tiers"|"process"], #active-alarms li[data-key]
// [data-severity], #cleared-alarms, #alarm-announce-critical (assertive), #alarm-announce,
// #history-conference, #history-charts .chart-card[data-site], #site-charts .chart-card[data-chart],
// #site-alarms tr[data-kind], #site-devices li[data-device][data-state].

import { mergeStrings } from '../i18n.js';
import * as alarmPanel from './monitor/alarm-panel.js';
import * as overview from './monitor/overview.js';
import * as site from './monitor/site.js';
import * as siteDevices from './monitor/site-devices.js';
import * as streamTable from './monitor/stream-table.js';

const pageStrings = {
  vi: {
    'mon.title': 'Giám sát kỹ thuật',
    'mon.loadFailed': 'Không tải được dữ liệu giám sát: {message}',
    'mon.s.rtt': 'RTT',
    'mon.noData': 'Chưa có số liệu',
  },
  en: {
    'mon.title': 'Technical monitoring',
    'mon.loadFailed': 'The monitoring data could not be loaded: {message}',
    'mon.s.rtt': 'RTT',
    'mon.noData': 'No data yet',
  },
};

export const strings = mergeStrings(pageStrings, streamTable.strings, alarmPanel.strings, overview.strings, site.strings, siteDevices.strings);

export const routes = [
  { path: '/monitor', roles: ['admin', 'host', 'technician'], nav: 'nav.monitor', title: 'mon.title', render: overview.renderOverview },
  { path: '/monitor/:conference/:site', roles: ['admin', 'host', 'technician'], title: 'mon.title', render: site.renderSite },
];
