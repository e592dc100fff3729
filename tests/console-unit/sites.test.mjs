// What the sites page decides without the DOM (web-console/js/logic/sites.js): the checks of the
// site form, the body it sends for each kind (a SIP room system with its address and whether the
// MCU calls it, the address removed when a site stops being one), what is shown once a site is
// saved (a token to install, or how a SIP room system calls in), whether a SIP site is called or
// only calls in, and the parts of a SIP address shown to the administrator.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  KINDS, SIP_DIAL_DEFAULT, SIP_URI_EXAMPLE, afterSave, bandwidthOf, fingerprintOf, linkBody, linkOf, linkProblems, sipCallingKey, sipDialOf, sipDialUri, sipIdentity,
  sipPlainOf, siteBody, siteProblems,
} from '../../web-console/js/logic/sites.js';
import { strings } from '../../web-console/js/pages/admin/sites.js';

const ROOM_FORM = { id: 'huyen-a', name: '  Huyện A  ', level: 'district', kind: 'room', network: ' WAN tỉnh ', bandwidth: '2000', sipUri: '' };
const SIP_FORM = { ...ROOM_FORM, id: 'huyen-a-poly', name: 'Huyện A - Poly', kind: 'sip', sipUri: ' sip:phong1@10.20.3.5 ' };
const NO_PROBLEM = { id: '', name: '', network: '', bandwidth: '', sipUri: '' };

test('three kinds of site: a room, a link to another MCU, a SIP room system', () => {
  assert.deepEqual(KINDS, ['room', 'cascade', 'sip']);
  for (const lang of ['vi', 'en'])
    for (const k of KINDS) assert.ok(strings[lang][`admin.kind.${k}`], `${lang} names the kind ${k}`);
  assert.equal(strings.vi['admin.kind.sip'], 'Hệ thống SIP (Poly, Cisco…)');
  assert.equal(strings.en['admin.kind.sip'], 'SIP room system');
});

test('a well-filled form has no problem, whatever its kind', () => {
  assert.deepEqual(siteProblems(ROOM_FORM, true), NO_PROBLEM);
  assert.deepEqual(siteProblems(SIP_FORM, true), NO_PROBLEM);
  assert.deepEqual(siteProblems({ ...ROOM_FORM, kind: 'cascade', bandwidth: '' }, true), NO_PROBLEM);
});

test('a SIP room system needs its address; other kinds are not asked for one', () => {
  assert.equal(siteProblems({ ...SIP_FORM, sipUri: '' }, true).sipUri, 'admin.err.sipUri');
  assert.equal(siteProblems({ ...SIP_FORM, sipUri: '   ' }, false).sipUri, 'admin.err.sipUri');
  assert.equal(siteProblems({ ...SIP_FORM, sipUri: `sip:${'a'.repeat(300)}@10.0.0.1` }, true).sipUri, 'admin.err.sipUri');
  // What the address says is the server's to check: one without a user part goes to it.
  assert.equal(siteProblems({ ...SIP_FORM, sipUri: 'sip:10.0.0.1' }, true).sipUri, '');
  assert.equal(siteProblems({ ...ROOM_FORM, sipUri: '' }, true).sipUri, '');
  assert.equal(siteProblems({ ...ROOM_FORM, kind: 'cascade', sipUri: 'left over' }, false).sipUri, '');
});

test('the other checks: the id on creation only, the name, the network, the bandwidth', () => {
  assert.equal(siteProblems({ ...ROOM_FORM, id: 'Huyen A' }, true).id, 'admin.err.id');
  assert.equal(siteProblems({ ...ROOM_FORM, id: undefined }, false).id, '');
  assert.equal(siteProblems({ ...ROOM_FORM, name: '   ' }, true).name, 'admin.err.name');
  assert.equal(siteProblems({ ...ROOM_FORM, name: 'x'.repeat(201) }, true).name, 'admin.err.name');
  assert.equal(siteProblems({ ...ROOM_FORM, network: 'x'.repeat(201) }, true).network, 'admin.err.network');
  for (const bad of ['-1', '100001', '1.5', 'abc'])
    assert.equal(siteProblems({ ...ROOM_FORM, bandwidth: bad }, true).bandwidth, 'admin.err.bandwidth', bad);
  assert.equal(bandwidthOf(''), 0);
  assert.equal(bandwidthOf('100000'), 100000);
});

test('every message of the checks has its text in Vietnamese and English', () => {
  const all = { ...SIP_FORM, id: '-', name: '', network: 'x'.repeat(201), bandwidth: '-1', sipUri: '' };
  const keys = new Set(Object.values(siteProblems(all, true)));
  assert.equal(keys.size, 5, 'every field has a problem');
  keys.delete('admin.err.id');  // The ids' message is the administration's (admin/common.js).
  for (const lang of ['vi', 'en'])
    for (const k of keys) assert.ok(strings[lang][k], `${lang}: ${k}`);
  assert.match(strings.vi['admin.err.sipUri'], /\{example\}/);
  assert.equal(SIP_URI_EXAMPLE, 'sip:phong1@10.20.3.5');
});

test('the body of a new site: the id, trimmed texts, the bandwidth as a number; a room sends no SIP address', () => {
  assert.deepEqual(siteBody(ROOM_FORM), {
    id: 'huyen-a', name: 'Huyện A', level: 'district', kind: 'room', network: 'WAN tỉnh', bandwidthKbps: 2000,
  });
  assert.deepEqual(siteBody({ ...ROOM_FORM, bandwidth: '' }).bandwidthKbps, 0);
});

test('the body of a new SIP room system carries its address, trimmed, and whether the MCU calls it', () => {
  assert.deepEqual(siteBody({ ...SIP_FORM, sipDial: true }), {
    id: 'huyen-a-poly', name: 'Huyện A - Poly', level: 'district', kind: 'sip', network: 'WAN tỉnh', bandwidthKbps: 2000,
    sipUri: 'sip:phong1@10.20.3.5', sipDial: true, sipPlainSignalling: false,
  });
  assert.equal(siteBody({ ...SIP_FORM, sipDial: false }).sipDial, false, 'it only calls in');
  // A form that does not say: the server's default, sent as a boolean.
  assert.equal(SIP_DIAL_DEFAULT, true);
  assert.equal(siteBody(SIP_FORM).sipDial, true);
  assert.equal(siteBody({ ...SIP_FORM, sipDial: null }).sipDial, true);
});

test('plain SIP is allowed only when ticked, and only a SIP site says so', () => {
  assert.equal(siteBody(SIP_FORM).sipPlainSignalling, false, 'SIP over TLS only unless ticked');
  assert.equal(siteBody({ ...SIP_FORM, sipPlain: true }).sipPlainSignalling, true);
  assert.ok(!('sipPlainSignalling' in siteBody({ ...ROOM_FORM, sipPlain: true })));
  assert.equal(sipPlainOf({ kind: 'sip', sipPlainSignalling: true }), true);
  assert.equal(sipPlainOf({ kind: 'sip' }), false);
  assert.equal(sipPlainOf({ kind: 'room', sipPlainSignalling: true }), false);
  assert.equal(sipPlainOf(null), false);
});

test('only a SIP room system sends sipDial, whatever the checkbox was left at', () => {
  for (const kind of ['room', 'cascade']) {
    assert.ok(!('sipDial' in siteBody({ ...ROOM_FORM, kind, sipDial: true })), kind);
    assert.ok(!('sipDial' in siteBody({ ...ROOM_FORM, kind, sipDial: false })), kind);
  }
  // A SIP room system made a room: its address removed, no sipDial.
  const stored = { id: 'huyen-a-poly', kind: 'sip', sipUri: 'sip:phong1@10.20.3.5', sipDial: false };
  const made = siteBody({ ...SIP_FORM, kind: 'room', sipDial: false }, stored);
  assert.equal(made.sipUri, '');
  assert.ok(!('sipDial' in made));
});

test('an edit sends the checkbox as it is: unticked, the MCU stops calling; ticked again, it calls', () => {
  const stored = { id: 'huyen-a-poly', name: 'Huyện A - Poly', kind: 'sip', sipUri: 'sip:phong1@10.20.3.5', sipDial: true };
  assert.equal(siteBody({ ...SIP_FORM, sipDial: false }, stored).sipDial, false);
  assert.equal(siteBody({ ...SIP_FORM, sipDial: true }, { ...stored, sipDial: false }).sipDial, true);
  // A room made a SIP room system sends its choice too.
  assert.equal(siteBody({ ...SIP_FORM, sipDial: true }, { id: 'huyen-a', kind: 'room' }).sipDial, true);
});

test('the checkbox as the form opens: ticked for a new site, the stored choice of a SIP site', () => {
  assert.equal(sipDialOf(null), true, 'a new site');
  assert.equal(sipDialOf(undefined), true);
  assert.equal(sipDialOf({ kind: 'sip', sipUri: 'sip:a@10.0.0.1', sipDial: true }), true);
  assert.equal(sipDialOf({ kind: 'sip', sipUri: 'sip:a@10.0.0.1', sipDial: false }), false);
  // A server that does not say (older), or a site of another kind that may become one: the default.
  assert.equal(sipDialOf({ kind: 'sip', sipUri: 'sip:a@10.0.0.1' }), true);
  assert.equal(sipDialOf({ kind: 'room' }), true);
  assert.equal(sipDialOf({ kind: 'room', sipDial: false }), true);
});

test('the list says whether a SIP site is called by the MCU or only calls in; nothing for other kinds', () => {
  assert.equal(sipCallingKey({ kind: 'sip', sipDial: true }), 'admin.site.sipDialOut');
  assert.equal(sipCallingKey({ kind: 'sip' }), 'admin.site.sipDialOut');
  assert.equal(sipCallingKey({ kind: 'sip', sipDial: false }), 'admin.site.sipCallsIn');
  assert.equal(sipCallingKey({ kind: 'room', sipDial: false }), '');
  assert.equal(sipCallingKey({ kind: 'cascade' }), '');
  assert.equal(sipCallingKey(null), '');
  for (const lang of ['vi', 'en'])
    for (const k of ['admin.site.sipDialOut', 'admin.site.sipCallsIn', 'admin.site.sipDial', 'admin.site.sipDialHint'])
      assert.ok(strings[lang][k], `${lang}: ${k}`);
  assert.equal(strings.vi['admin.site.sipDial'], 'MCU gọi tới điểm cầu khi cuộc họp bắt đầu');
  assert.equal(strings.en['admin.site.sipDial'], 'The MCU calls it when its conference starts');
});

test('an edit has no id; a site that stops being a SIP room system sends an empty address', () => {
  const stored = { id: 'huyen-a-poly', name: 'Huyện A - Poly', kind: 'sip', sipUri: 'sip:phong1@10.20.3.5' };
  const kept = siteBody({ ...SIP_FORM, sipUri: 'sip:phong2@10.20.3.6' }, stored);
  assert.equal(kept.id, undefined);
  assert.equal(kept.sipUri, 'sip:phong2@10.20.3.6');
  // The server keeps a field an update leaves out, and refuses an address on a room.
  assert.equal(siteBody({ ...SIP_FORM, kind: 'room' }, stored).sipUri, '');
  assert.ok(!('sipUri' in siteBody(ROOM_FORM, { id: 'huyen-a', kind: 'room' })));
  assert.ok(!('sipUri' in siteBody({ ...ROOM_FORM, kind: 'cascade' }, { id: 'huyen-a', kind: 'cascade' })));
});

test('once saved: a new room\'s token to install; a SIP room system\'s way to call in instead', () => {
  const room = { id: 'huyen-a', name: 'Huyện A', kind: 'room' };
  const sip = { id: 'huyen-a-poly', name: 'Huyện A - Poly', kind: 'sip', sipUri: 'sip:phong1@10.20.3.5' };
  assert.deepEqual(afterSave({ site: room, token: 'tok' }), { show: 'token', token: 'tok' });
  assert.deepEqual(afterSave({ site: { ...room, kind: 'cascade' }, token: 'tok' }), { show: 'token', token: 'tok' });
  // The server issues a token for a SIP site too: nothing to install, it is not shown.
  assert.deepEqual(afterSave({ site: sip, token: 'tok' }), { show: 'sip', site: sip });
  // Edits: a room made a SIP room system learns how to call in; other edits show nothing.
  assert.deepEqual(afterSave({ site: sip }, room), { show: 'sip', site: sip });
  assert.deepEqual(afterSave({ site: sip }, sip), { show: 'none' });
  assert.deepEqual(afterSave({ site: room }, room), { show: 'none' });
  assert.deepEqual(afterSave({ site: room }, sip), { show: 'none' });
});

test('a SIP address as shown: its user part and host; what does not read as one is null', () => {
  assert.deepEqual(sipIdentity('sip:phong1@10.20.3.5'), { user: 'phong1', host: '10.20.3.5' });
  assert.deepEqual(sipIdentity('sips:101@Codec.Tinh.VN:5061;transport=tls'), { user: '101', host: 'codec.tinh.vn' });
  assert.deepEqual(sipIdentity('"Phòng 1" <sip:phong1@10.20.3.5>'), { user: 'phong1', host: '10.20.3.5' });
  assert.equal(sipIdentity('sip:10.0.0.1'), null);
  assert.equal(sipIdentity('phong1@10.20.3.5'), null);
  assert.equal(sipIdentity(''), null);
  assert.equal(sipIdentity(undefined), null);
});

test('what a room system dials: sips:<conference>@<MCU address>', () => {
  assert.equal(sipDialUri('giao-ban', '10.0.0.10'), 'sips:giao-ban@10.0.0.10');
  assert.equal(sipDialUri('101', 'mcu.tinh.vn'), 'sips:101@mcu.tinh.vn');
});

const PIN = 'ab'.repeat(32);
const LINK_FORM = {
  kind: 'cascade', linkDials: true, linkUrl: 'wss://mcu.trunguong.local:8443/ws', linkConference: 'toan-quoc',
  linkCredential: 'secret', linkFingerprint: PIN, linkKbps: '1500', linkRole: 'child',
};

test('a cascade link\'s form: its target checked only while this MCU dials, the credential needed once', () => {
  const ok = linkProblems(LINK_FORM);
  assert.ok(Object.values(ok).every((v) => v === ''), JSON.stringify(ok));
  assert.equal(linkProblems({ ...LINK_FORM, linkUrl: 'https://x/ws' }).linkUrl, 'admin.err.linkUrl');
  assert.equal(linkProblems({ ...LINK_FORM, linkConference: 'Toàn Quốc' }).linkConference, 'admin.err.linkConference');
  assert.equal(linkProblems({ ...LINK_FORM, linkConference: '' }).linkConference, '', 'none: wait to be called in');
  assert.equal(linkProblems({ ...LINK_FORM, linkFingerprint: 'ab:cd' }).linkFingerprint, 'admin.err.linkFingerprint');
  assert.equal(linkProblems({ ...LINK_FORM, linkKbps: '99' }).linkKbps, 'admin.err.linkKbps');
  assert.equal(linkProblems({ ...LINK_FORM, linkCredential: '' }).linkCredential, 'admin.err.linkCredential');
  assert.equal(linkProblems({ ...LINK_FORM, linkCredential: '' }, true).linkCredential, '', 'the stored one is kept');
  assert.ok(Object.values(linkProblems({ ...LINK_FORM, linkDials: false, linkUrl: '' })).every((v) => v === ''), 'accepting: no target');
  assert.ok(Object.values(linkProblems({ ...LINK_FORM, kind: 'room', linkUrl: '' })).every((v) => v === ''));
  for (const key of ['linkUrl', 'linkConference', 'linkCredential', 'linkFingerprint', 'linkKbps'])
    for (const lang of ['vi', 'en']) assert.ok(strings[lang][`admin.err.${key}`], `${lang}: ${key}`);
});

test('a cascade link\'s body: the target, the credential only when typed, the role; accepting sends its role', () => {
  assert.equal(fingerprintOf(PIN.toUpperCase().match(/../g).join(':')), fingerprintOf(PIN));
  assert.equal(fingerprintOf('zz'), '');
  const body = siteBody({ ...LINK_FORM, id: 'trung-uong', name: 'Trung ương', level: 'central' });
  assert.deepEqual(body.link, {
    url: 'wss://mcu.trunguong.local:8443/ws', conference: 'toan-quoc', fingerprint: fingerprintOf(PIN), maxKbps: 1500,
    role: 'child', credential: 'secret',
  });
  const stored = { kind: 'cascade', link: { url: 'wss://a/ws', credentialSet: true, role: 'child', maxKbps: 800 } };
  assert.equal(linkBody({ ...LINK_FORM, linkCredential: '' }, stored).credential, undefined, 'left out: kept');
  assert.deepEqual(linkBody({ ...LINK_FORM, linkDials: false, linkRole: 'child' }, stored), { url: '', role: 'child' });
  assert.equal(linkBody({ kind: 'room' }, stored), null, 'no longer a link');
  assert.equal(linkBody({ kind: 'room' }, { kind: 'room' }), undefined);
  // The form as it opens: a new site dials, as the child; a stored one as it is.
  assert.deepEqual([linkOf(null).dials, linkOf(null).role, linkOf(null).maxKbps], [true, 'child', 1500]);
  assert.deepEqual(linkOf(stored), {
    dials: true, url: 'wss://a/ws', conference: '', fingerprint: '', role: 'child', maxKbps: 800, credentialSet: true,
  });
  assert.deepEqual([linkOf({ kind: 'cascade', link: { role: 'parent' } }).dials, linkOf({ kind: 'cascade', link: {} }).role], [false, 'parent']);
  // A link this MCU dials has no token to give; one it accepts gives its credential once.
  assert.deepEqual(afterSave({ site: { kind: 'cascade', link: { url: 'wss://a/ws' } }, token: 't' }), { show: 'none' });
  assert.deepEqual(afterSave({ site: { kind: 'cascade', link: { role: 'parent' } }, token: 't' }), { show: 'token', token: 't' });
});
