// Administration (admins only), three tabs:
//
//   #/admin/sites     the sites: id, name, level, kind, expected network and link capacity,
//                     presence and the conference each is in; create, edit, delete, renew the
//                     room token (shown once in a dialog, with a Copy button); a SIP room
//                     system by its SIP address, with how it calls in instead of a token
//                     (admin/sites.js).
//   #/admin/users     console users: create, edit name/role/password, delete; an admin may not
//                     delete or demote themselves (admin/users.js).
//   #/admin/settings  the MCU's effective configuration, one card per section; read-only
//                     (admin/settings.js).
//
// What they share (the header with the tabs, a loader, row buttons, the dialogs' texts) is in
// admin/common.js; this module holds the routes.
//
// Hooks for tests: #new-site, #new-user; rows tr[data-site] / tr[data-user] with
// button[data-action=edit|token|delete] (dial instead of token on a SIP site); the token
// dialog's #token-secret and #token-copy; the call-in dialog's #sip-dial; the settings cards
// section[data-section].

import { mergeStrings } from '../i18n.js';
import * as common from './admin/common.js';
import * as settings from './admin/settings.js';
import * as sites from './admin/sites.js';
import * as users from './admin/users.js';

export const strings = mergeStrings(common.strings, sites.strings, users.strings, settings.strings);

export const routes = [
  { path: '/admin/sites', roles: ['admin'], title: 'admin.tab.sites', render: sites.renderSites },
  { path: '/admin/users', roles: ['admin'], title: 'admin.tab.users', render: users.renderUsers },
  { path: '/admin/settings', roles: ['admin'], title: 'admin.tab.settings', render: settings.renderSettings },
];
