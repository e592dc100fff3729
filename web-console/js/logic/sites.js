// What the sites page decides without the DOM: the kinds of site, the checks of the site form
// (each problem as the key of its message), the request body the form sends, what to show once
// a site is saved (a room's token to install, or how a SIP room system calls in), whether the
// MCU calls a SIP room system or it only calls in, and the parts of a SIP address shown to the
// administrator.
//
// A SIP room system (kind "sip") has no token of its own: the MCU knows a call as that site's by
// the user part of its SIP address and the address the call comes from (signaling/openapi.yaml,
// Site.sipUri). The server parses and checks the address; the form only asks for one. Unless
// told otherwise (Site.sipDial false), the MCU also calls it when a scheduled conference that
// invites it opens, and again after a failure or a drop.

import { ID_PATTERN } from './conferences.js';

export const KINDS = ['room', 'cascade', 'sip'];
export const SIP_URI_EXAMPLE = 'sip:phong1@10.20.3.5';
export const NAME_MAX = 200;
export const NETWORK_MAX = 200;
export const SIP_URI_MAX = 300;
export const BANDWIDTH_MAX = 100000;
// Whether the MCU calls a new SIP room system (the server's default for Site.sipDial).
export const SIP_DIAL_DEFAULT = true;

// A cascade link (kind "cascade"): either this MCU dials the other MCU (its URL, the conference
// there, the credential its administrators gave, their certificate's fingerprint, what this MCU
// receives) or it only accepts the other MCU's link, with a token like a room's. Either way one
// end is the parent (signaling/openapi.yaml, LinkTarget.role): by default the dialling side is the
// child. The credential is written, never read back: the server says only whether one is stored.
export const LINK_KBPS_DEFAULT = 1500;
export const LINK_KBPS_MIN = 100;
export const LINK_KBPS_MAX = 100000;
export const LINK_ROLES = ['child', 'parent'];
export const LINK_URL_EXAMPLE = 'wss://mcu.trunguong.local:8443/ws';
const LINK_URL = /^wss:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[A-Za-z0-9._~/-]*)?$/;

// A fingerprint as typed (hex, with or without colons, either case) in the form the server
// stores ("AB:CD:..."), or '' when it is not a SHA-256 fingerprint.
export function fingerprintOf(text) {
  const hex = String(text ?? '').replace(/[:\s]/g, '').toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex.match(/../g).join(':') : '';
}

// The link part of the form as it opens on `site` (null: a new site, which dials by default):
// {dials, url, conference, fingerprint, role, maxKbps, credentialSet}.
export function linkOf(site) {
  const l = site && site.kind === 'cascade' && site.link && typeof site.link === 'object' ? site.link : {};
  const dials = site ? Boolean(l.url) : true;
  return {
    dials,
    url: String(l.url || ''),
    conference: String(l.conference || ''),
    fingerprint: String(l.fingerprint || ''),
    role: LINK_ROLES.includes(l.role) ? l.role : dials ? 'child' : 'parent',
    maxKbps: Number.isInteger(l.maxKbps) ? l.maxKbps : LINK_KBPS_DEFAULT,
    credentialSet: l.credentialSet === true,
  };
}

// The problems of the link part of the form (`form`: {kind, linkDials, linkUrl, linkConference,
// linkCredential, linkFingerprint, linkKbps} as typed; `credentialSet` whether one is stored):
// {linkUrl, linkConference, linkCredential, linkFingerprint, linkKbps}, each '' or the i18n key of
// its message. Only a cascade site that dials has any.
export function linkProblems(form, credentialSet = false) {
  const none = { linkUrl: '', linkConference: '', linkCredential: '', linkFingerprint: '', linkKbps: '' };
  if (form.kind !== 'cascade' || !form.linkDials) return none;
  const kbps = Number(String(form.linkKbps ?? '').trim() || NaN);
  const conference = String(form.linkConference ?? '').trim();
  const credential = String(form.linkCredential ?? '');
  return {
    linkUrl: LINK_URL.test(String(form.linkUrl ?? '').trim()) ? '' : 'admin.err.linkUrl',
    linkConference: !conference || ID_PATTERN.test(conference) ? '' : 'admin.err.linkConference',
    linkCredential: (credential || credentialSet) && credential.length <= 256 ? '' : 'admin.err.linkCredential',
    linkFingerprint: fingerprintOf(form.linkFingerprint) ? '' : 'admin.err.linkFingerprint',
    linkKbps: Number.isInteger(kbps) && kbps >= LINK_KBPS_MIN && kbps <= LINK_KBPS_MAX ? '' : 'admin.err.linkKbps',
  };
}

// The `link` of the site body (undefined: none to send). A link this MCU dials sends its target,
// the credential only when one was typed (left out, the server keeps the stored one); a link it
// only accepts sends its role and an empty URL (which ends a target it dialled before); a site
// that was a link and no longer is sends null.
export function linkBody(form, site = null) {
  if (form.kind !== 'cascade') return site && site.link ? null : undefined;
  const role = LINK_ROLES.includes(form.linkRole) ? form.linkRole : form.linkDials ? 'child' : 'parent';
  if (!form.linkDials) return { url: '', role };
  const link = {
    url: String(form.linkUrl ?? '').trim(),
    conference: String(form.linkConference ?? '').trim(),
    fingerprint: fingerprintOf(form.linkFingerprint),
    maxKbps: Number(form.linkKbps),
    role,
  };
  if (form.linkCredential) link.credential = String(form.linkCredential);
  return link;
}

// The bandwidth field's text as kb/s: empty is 0, anything else its number (NaN when not one).
export const bandwidthOf = (text) => (String(text ?? '').trim() === '' ? 0 : Number(text));

// The problems of the site form `form` ({id, name, level, kind, network, bandwidth, sipUri} as
// typed; `id` only when `creating`): {id, name, network, bandwidth, sipUri}, each '' or the i18n
// key of its message. The SIP address is only asked for on a site of kind sip.
export function siteProblems(form, creating) {
  const name = String(form.name ?? '').trim();
  const bw = bandwidthOf(form.bandwidth);
  const uri = String(form.sipUri ?? '').trim();
  return {
    id: creating && !ID_PATTERN.test(String(form.id ?? '')) ? 'admin.err.id' : '',
    name: name && name.length <= NAME_MAX ? '' : 'admin.err.name',
    network: String(form.network ?? '').length <= NETWORK_MAX ? '' : 'admin.err.network',
    bandwidth: Number.isInteger(bw) && bw >= 0 && bw <= BANDWIDTH_MAX ? '' : 'admin.err.bandwidth',
    sipUri: form.kind !== 'sip' || (uri && uri.length <= SIP_URI_MAX) ? '' : 'admin.err.sipUri',
  };
}

// The body of POST /sites (`site` null: with the id) or PUT /sites/{id} (`site` the stored one)
// from the form (`sipDial`: the "the MCU calls it" checkbox, a boolean; the default when left
// out). A site of kind sip sends its address and whether the MCU calls it; a site that was sip
// and is no longer sends an empty address, which removes it (the server keeps a field left out
// of an update and refuses an address on any other kind), and no sipDial.
export function siteBody(form, site = null) {
  const body = {
    name: String(form.name ?? '').trim(),
    level: form.level,
    kind: form.kind,
    network: String(form.network ?? '').trim(),
    bandwidthKbps: bandwidthOf(form.bandwidth),
  };
  if (form.kind === 'sip') {
    body.sipUri = String(form.sipUri ?? '').trim();
    body.sipDial = form.sipDial === undefined || form.sipDial === null ? SIP_DIAL_DEFAULT : Boolean(form.sipDial);
    // Plain SIP (its SRTP keys in clear on the line) only when ticked: off unless asked for.
    body.sipPlainSignalling = Boolean(form.sipPlain);
  } else if (site && site.sipUri) {
    body.sipUri = '';
  }
  const link = linkBody(form, site);
  if (link !== undefined) body.link = link;
  return site ? body : { id: form.id, ...body };
}

// The form's "plain SIP allowed" checkbox as the form opens on `site`: only a SIP site that has it.
export function sipPlainOf(site) {
  return Boolean(site && site.kind === 'sip' && site.sipPlainSignalling === true);
}

// The form's "the MCU calls it" checkbox as the form opens on `site` (null: a new one): the
// stored choice of a SIP site, else (a new site, one of another kind, a server that does not
// say) the default.
export function sipDialOf(site) {
  return site && site.kind === 'sip' && typeof site.sipDial === 'boolean' ? site.sipDial : SIP_DIAL_DEFAULT;
}

// How a SIP site of the list connects, as the i18n key of a short text: the MCU calls it
// ('admin.site.sipDialOut') or it only calls in ('admin.site.sipCallsIn'); '' for another kind.
export function sipCallingKey(site) {
  if (!site || site.kind !== 'sip') return '';
  return sipDialOf(site) ? 'admin.site.sipDialOut' : 'admin.site.sipCallsIn';
}

// What to show once the server has saved a site (`answer`: POST /sites' {site, token}, or PUT's
// site as {site}; `previous` the site before an edit, null on creation):
//   {show: 'token', token}  a new room's token, or the credential of a link this MCU accepts, to
//                           give once;
//   {show: 'sip', site}     how a SIP room system calls in: created, or just made one (its token,
//                           which the server still issues, is nothing to install);
//   {show: 'none'}          anything else.
export function afterSave(answer, previous = null) {
  const site = answer && answer.site;
  if (site && site.kind === 'sip') return previous && previous.kind === 'sip' ? { show: 'none' } : { show: 'sip', site };
  // A link this MCU dials has nothing to install: its credential is the other MCU's.
  const dials = Boolean(site && site.link && site.link.url);
  if (!previous && answer && answer.token && !dials) return { show: 'token', token: answer.token };
  return { show: 'none' };
}

// The parts of a SIP address shown to the administrator: {user, host}, or null when it does not
// read as [display name] [<]sip(s):user@host[:port][;params][>]. Only for display: the server's
// check is the one that counts.
export function sipIdentity(uri) {
  const m = /^(?:[^<]*<)?\s*sips?:([^@\s;?>]+)@([^:;?>\s]+)/i.exec(String(uri ?? '').trim());
  return m ? { user: m[1], host: m[2].toLowerCase() } : null;
}

// What a SIP room system dials to join `conference` on the MCU at `host` (the console's own
// address: the MCU answers SIP over TLS on the address of its web server by default, on the
// sips: default port 5061).
export function sipDialUri(conference, host) {
  return `sips:${conference}@${host}`;
}
