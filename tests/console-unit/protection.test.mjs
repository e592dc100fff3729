// How a site's media protection shows on the live page's roll-call, and which conferences are
// classified, without the DOM (web-console/js/logic/protection.js): the profiles the MCU reports
// (DTLS-SRTP for a WebRTC room, SDES or DTLS for a SIP leg), which are strong (what a classified
// conference admits, as mcu/admission.cpp StrongestProtection) and which a warning, the words of
// each in both languages, and the "Mật" strings of every page that names a conference.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { STRONG_SUITES, isClassified, protectionBadge } from '../../web-console/js/logic/protection.js';
import { strings as classifiedStrings } from '../../web-console/js/pages/conferences/classified.js';
import { strings as conferenceStrings } from '../../web-console/js/pages/conferences.js';
import { strings as historyStrings } from '../../web-console/js/pages/history.js';
import { strings as liveStrings } from '../../web-console/js/pages/live.js';

// A string of the live page in `lang`, filled in.
function say(lang, key, vars = {}) {
  assert.ok(liveStrings[lang][key], `${lang}: ${key}`);
  return liveStrings[lang][key].replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

// The badge's title as the page makes it (web-console/js/pages/live/roll-call.js).
const titleOf = (b, lang) => [say(lang, b.key, b.vars), b.keyingKey ? say(lang, b.keyingKey) : ''].filter(Boolean).join('; ');

test('no badge before the media is connected', () => {
  assert.equal(protectionBadge({ site: 'huyen-1', protection: null }), null);
  assert.equal(protectionBadge({ site: 'huyen-1' }), null, 'a roll-call without the field');
  assert.equal(protectionBadge({ protection: '' }), null);
  assert.equal(protectionBadge({ protection: '   ' }), null);
  assert.equal(protectionBadge({ protection: 42 }), null);
  assert.equal(protectionBadge(null), null);
});

test('a WebRTC room on AES-GCM: strong, keyed over DTLS', () => {
  const b = protectionBadge({ site: 'tinh-1', protection: 'AEAD_AES_128_GCM', signalling: null });
  assert.deepEqual([b.profile, b.suite, b.level, b.text, b.key, b.keyingKey],
    ['AEAD_AES_128_GCM', 'AEAD_AES_128_GCM', 'strong', 'AES-128-GCM', 'live.prot.strong', 'live.prot.keying.dtls']);
  assert.equal(titleOf(b, 'vi'), 'Hình và tiếng được mã hóa SRTP: AEAD_AES_128_GCM; khóa trao đổi qua DTLS');
  assert.equal(titleOf(b, 'en'), 'Media encrypted with SRTP: AEAD_AES_128_GCM; keys agreed over DTLS');
  assert.equal(protectionBadge({ protection: 'AEAD_AES_256_GCM' }).text, 'AES-256-GCM');
  assert.equal(protectionBadge({ protection: 'AEAD_AES_256_GCM' }).level, 'strong');
});

test('AES-CM with the 80-bit tag is strong; a SIP leg says how its keys came', () => {
  const sdes = protectionBadge({ protection: 'AES_CM_128_HMAC_SHA1_80', signalling: 'tls' });
  assert.deepEqual([sdes.level, sdes.text, sdes.keyingKey], ['strong', 'AES-128-CM/80', 'live.prot.keying.sdes']);
  assert.equal(titleOf(sdes, 'en'), 'Media encrypted with SRTP: AES_CM_128_HMAC_SHA1_80; SDES keys carried in the SIP signalling');
  assert.equal(titleOf(sdes, 'vi'), 'Hình và tiếng được mã hóa SRTP: AES_CM_128_HMAC_SHA1_80; khóa SDES đi trong báo hiệu SIP');
  // A SIP leg keyed by DTLS: the MCU marks it; the profile as it came stays in the title.
  const dtls = protectionBadge({ protection: 'AES_CM_128_HMAC_SHA1_80 (DTLS)', signalling: 'tls' });
  assert.deepEqual([dtls.suite, dtls.level, dtls.text, dtls.keyingKey], ['AES_CM_128_HMAC_SHA1_80', 'strong', 'AES-128-CM/80', 'live.prot.keying.dtls']);
  assert.equal(dtls.profile, 'AES_CM_128_HMAC_SHA1_80 (DTLS)');
  assert.equal(titleOf(dtls, 'en'), 'Media encrypted with SRTP: AES_CM_128_HMAC_SHA1_80 (DTLS); keys agreed over DTLS');
  const gcm = protectionBadge({ protection: 'AEAD_AES_128_GCM', signalling: 'tls' });
  assert.deepEqual([gcm.level, gcm.keyingKey], ['strong', 'live.prot.keying.sdes']);
});

test('the 32-bit tag and unknown suites are a warning', () => {
  const short = protectionBadge({ protection: 'AES_CM_128_HMAC_SHA1_32', signalling: 'udp' });
  assert.deepEqual([short.level, short.text, short.key], ['weak', 'AES-128-CM/32', 'live.prot.weak']);
  assert.equal(say('vi', 'live.prot.weakText', { text: short.text }), 'AES-128-CM/32 (yếu)');
  assert.equal(say('en', 'live.prot.weakText', { text: short.text }), 'AES-128-CM/32 (weak)');
  assert.equal(titleOf(short, 'vi'),
    'Mã hóa yếu: AES_CM_128_HMAC_SHA1_32, hội nghị mật không nhận mức này; khóa SDES đi trong báo hiệu SIP');
  assert.equal(titleOf(short, 'en'),
    'Weak encryption: AES_CM_128_HMAC_SHA1_32, which a classified meeting does not admit; SDES keys carried in the SIP signalling');
  // A name this console does not know: shown as it came, never as strong.
  for (const odd of ['F8_128_HMAC_SHA1_80', 'aead_aes_128_gcm_x', 'AES_256_CM_HMAC_SHA1_80', 'SRTP_AEAD_AES_128_GCM']) {
    const b = protectionBadge({ protection: odd });
    assert.equal(b.level, 'weak', odd);
    assert.equal(b.text, odd.toUpperCase(), odd);
  }
  // Lower case from the MCU still reads as the suite it is.
  assert.equal(protectionBadge({ protection: 'aead_aes_128_gcm' }).level, 'strong');
});

test('media without SRTP is worded, and a warning', () => {
  for (const none of ['none', 'NULL']) {
    const b = protectionBadge({ protection: none });
    assert.deepEqual([b.level, b.text, b.key, b.keyingKey], ['weak', null, 'live.prot.off', ''], none);
  }
  assert.equal(say('vi', 'live.prot.offText'), 'Không mã hóa');
  assert.equal(say('en', 'live.prot.offText'), 'Not encrypted');
  assert.equal(titleOf(protectionBadge({ protection: 'none' }), 'en'), 'Media NOT encrypted (none)');
});

test('exactly the suites the MCU admits for a classified conference are strong', () => {
  assert.deepEqual([...STRONG_SUITES].sort(), ['AEAD_AES_128_GCM', 'AEAD_AES_256_GCM', 'AES_CM_128_HMAC_SHA1_80']);
  for (const suite of STRONG_SUITES) assert.equal(protectionBadge({ protection: `${suite} (DTLS)` }).level, 'strong');
});

test('only a true `classified` marks a conference', () => {
  assert.equal(isClassified({ id: 'mat', classified: true }), true);
  for (const c of [{ classified: false }, {}, { classified: 'true' }, { classified: 1 }, null, undefined])
    assert.equal(isClassified(c), false, JSON.stringify(c));
});

test('the "Mật" badge and the classified strings are in both languages on every page that names a conference', () => {
  assert.equal(classifiedStrings.vi['conf.classified'], 'Mật');
  assert.equal(classifiedStrings.en['conf.classified'], 'Classified');
  for (const [page, s] of [['conferences', conferenceStrings], ['live', liveStrings], ['history', historyStrings]])
    for (const lang of ['vi', 'en'])
      for (const key of Object.keys(classifiedStrings.vi)) assert.ok(s[lang][key], `${page} ${lang}: ${key}`);
  for (const lang of ['vi', 'en']) {
    for (const key of ['conf.form.classified', 'conf.form.classifiedHint']) assert.ok(conferenceStrings[lang][key], `${lang}: ${key}`);
    for (const key of ['live.pv.classified', 'live.prot.strong', 'live.prot.weak', 'live.prot.off', 'live.prot.offText',
      'live.prot.weakText', 'live.prot.keying.dtls', 'live.prot.keying.sdes'])
      assert.ok(liveStrings[lang][key], `${lang}: ${key}`);
    for (const action of ['join', 'join-refused', 'leave', 'media', 'media-refused'])
      assert.ok(historyStrings[lang][`hist.action.${action}`], `${lang}: hist.action.${action}`);
  }
  assert.equal(conferenceStrings.vi['conf.form.classified'], 'Hội nghị mật (Mật)');
  assert.equal(conferenceStrings.en['conf.form.classified'], 'Classified meeting');
  // The hint says what the MCU enforces.
  assert.match(conferenceStrings.en['conf.form.classifiedHint'], /no preview.*TLS only.*strongest.*audits every join and leave/);
  assert.match(conferenceStrings.vi['conf.form.classifiedHint'], /không cho xem trước.*TLS.*mã hóa mạnh nhất.*ghi nhật ký/);
});
