// How a site's media is protected, for the lock badge beside its state on the live page's
// roll-call, and what a classified conference enforces, without the DOM. The roll-call's
// `protection` is the SRTP profile (DTLS-SRTP) or SDES suite the MCU reports once the site's media
// is connected ("AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80 (DTLS)" for a SIP leg keyed by
// DTLS), null before. Strong is what a classified conference admits (mcu/admission.cpp,
// StrongestProtection): AES-GCM, or AES-CM-128 with the full 80-bit tag; anything else, a name
// this console does not know included, is a warning.

// The suites a classified conference admits.
export const STRONG_SUITES = ['AEAD_AES_128_GCM', 'AEAD_AES_256_GCM', 'AES_CM_128_HMAC_SHA1_80'];

// The short names of the suites the MCU may report (the same in every language).
const SHORT_NAMES = {
  AEAD_AES_128_GCM: 'AES-128-GCM',
  AEAD_AES_256_GCM: 'AES-256-GCM',
  AES_CM_128_HMAC_SHA1_80: 'AES-128-CM/80',
  AES_CM_128_HMAC_SHA1_32: 'AES-128-CM/32',
};

// Names the MCU gives media without SRTP.
const UNPROTECTED = ['NONE', 'NULL'];

// The badge of a roll-call site's media protection: null while it has none to show (`protection`
// null, missing or blank), else {profile, suite, level, text, key, vars, keyingKey}:
//   profile    the MCU's string as it came (for the badge's title and data-protection);
//   suite      its suite without the " (DTLS)" note, upper case;
//   level      'strong' (admitted by a classified conference) or 'weak' (a warning);
//   text       the badge's short text ("AES-128-GCM"; an unknown suite as it came), or null for
//              media without SRTP (the page words it: live.prot.offText);
//   key, vars  the i18n key of its explanation, with {profile};
//   keyingKey  how the keys were agreed, the i18n key of a note: DTLS (a WebRTC site, or a SIP
//              leg marked "(DTLS)"), SDES in the SIP signalling (a SIP site, `signalling` set,
//              without that mark), '' for media without SRTP.
export function protectionBadge(s) {
  const profile = s && typeof s.protection === 'string' ? s.protection.trim() : '';
  if (!profile) return null;
  const cut = profile.indexOf(' ');
  const suite = (cut < 0 ? profile : profile.slice(0, cut)).toUpperCase();
  const note = cut < 0 ? '' : profile.slice(cut + 1).trim().toUpperCase();
  const vars = { profile };
  if (UNPROTECTED.includes(suite))
    return { profile, suite, level: 'weak', text: null, key: 'live.prot.off', vars, keyingKey: '' };
  const strong = STRONG_SUITES.includes(suite);
  const sip = typeof s.signalling === 'string' && s.signalling.trim() !== '';
  const dtls = note === '(DTLS)' || !sip;
  return {
    profile, suite, level: strong ? 'strong' : 'weak',
    text: SHORT_NAMES[suite] || suite,
    key: strong ? 'live.prot.strong' : 'live.prot.weak', vars,
    keyingKey: dtls ? 'live.prot.keying.dtls' : 'live.prot.keying.sdes',
  };
}

// Whether a conference (its JSON: GET /conferences...) is classified ("Mật"). Only a true
// `classified` is: an MCU that does not know the field marks nothing.
export const isClassified = (c) => Boolean(c) && c.classified === true;
