// The live page's roll-call board: its counters (invited, online, joined, with video) and every
// site (invited first) with its state, quality (from the feed's per-second stats and alarms),
// badges (among them each device the site's room reported missing), the active speaker, and the
// host's per-site controls (mute audio/video, pin, remove (confirmed), call in). A site's link
// badge says where a cascade link this MCU dials is, or, for a SIP site (its kind from the site
// list), where the call the MCU places to it is (ringing, in the call, to be called again and
// why, refused). A site in a SIP call shows beside its state how the call is signalled
// ("SIP/TLS"; plain TCP or UDP marked), and the last re-INVITE or session refresh the feed told
// of in its call, with its time. A site whose media is connected shows how it is protected (a
// lock and the SRTP profile or SDES suite, ../../logic/protection.js; a warning below what a
// classified conference admits). Hooks for tests: #count-invited/-online/-joined/-video,
// #roll-call li[data-site][data-state][data-muted-audio][data-muted-video][data-speaking]
// [data-missing] with .quality[data-quality], .site-signalling[data-signalling],
// .site-protection[data-protection][data-level],
// .site-badge-device[data-device], .site-badge-link[data-link][data-link-kind=cascade|sip],
// .site-badge-sip[data-sip-method] and button[data-action].

import { h, replace } from '../../dom.js';
import { fmtTime, formatNumber } from '../../logic/format.js';
import {
  IN_CONFERENCE, callable, linkBadge, linkSide, missingDevices, rollCounts, signallingBadge, sipRequestWords, siteQuality, siteState,
} from '../../logic/roll-call.js';
import { protectionBadge } from '../../logic/protection.js';
import { icon } from '../../pictures.js';

export const strings = {
  vi: {
    'live.board': 'Điểm danh',
    'live.count.invited': 'Được mời',
    'live.count.online': 'Trực tuyến',
    'live.count.joined': 'Đã vào',
    'live.count.video': 'Có hình',
    'live.noSites': 'Chưa có điểm cầu nào.',
    'live.site.offline': 'Ngoại tuyến',
    'live.site.online': 'Trực tuyến',
    'live.site.joined': 'Đã vào',
    'live.site.audio': 'Có âm thanh',
    'live.site.video': 'Có hình và tiếng',
    'live.level.central': 'Trung ương',
    'live.level.province': 'Cấp tỉnh',
    'live.level.district': 'Cấp huyện',
    'live.level.other': 'Khác',
    'live.hostSite': 'Chủ trì',
    'live.notInvited': 'Không được mời',
    'live.speaking': 'Đang phát biểu',
    'live.badge.mutedAudio': 'Đã tắt tiếng',
    'live.badge.mutedVideo': 'Đã tắt hình',
    'live.badge.kicked': 'Đã mời ra',
    'live.badge.content': 'Đang trình chiếu',
    'live.badge.elsewhere': 'Ở hội nghị khác: {conference}',
    'live.badge.spotlight': 'Đã ghim',
    'live.badge.missing.camera': 'Thiếu camera',
    'live.badge.missing.microphone': 'Thiếu micrô',
    'live.badge.missing.speaker': 'Thiếu loa',
    'live.badge.missingTitle': 'Phòng họp báo thiết bị này không có hoặc không hoạt động; điểm cầu vẫn tham gia với các thiết bị còn lại.',
    'live.link.idle': 'Liên kết: chưa gọi',
    'live.link.connecting': 'Liên kết: đang kết nối',
    'live.link.authenticating': 'Liên kết: đang xác thực',
    'live.link.online': 'Liên kết: đã kết nối, chờ vào hội nghị',
    'live.link.joining': 'Liên kết: đang vào hội nghị',
    'live.link.joined': 'Liên kết tới: {title}',
    'live.link.waiting': 'Liên kết mất, đang gọi lại',
    'live.link.refused': 'Liên kết bị từ chối',
    'live.link.waitingWhy': 'Liên kết mất ({reason}), đang gọi lại',
    'live.link.refusedWhy': 'Liên kết bị từ chối ({reason})',
    'live.link.failure.credential': 'sai mã xác thực',
    'live.link.failure.certificate': 'chứng chỉ không khớp',
    'live.link.failure.conference': 'không có hội nghị đó',
    'live.link.failure.refused': 'không được nhận vào',
    'live.link.failure.network': 'lỗi mạng',
    'live.link.failure.media': 'lỗi kết nối âm thanh, hình ảnh',
    'live.link.failure.loop': 'tạo vòng lặp giữa các MCU',
    'live.link.failure.role': 'hai bên không thống nhất bên nào là cấp trên',
    'live.link.far.parent': 'Cấp trên',
    'live.link.far.child': 'Cấp dưới',
    'live.link.summary': '{title}: {connected}/{expected} điểm cầu đã kết nối, {video} có hình',
    'live.link.spotlit': 'Cấp trên đang hiển thị hội nghị này cho mọi điểm cầu',
    'live.link.mutedVideo': 'Bên kia đã tắt hình hội nghị này',
    'live.link.mutedAudio': 'Bên kia đã tắt tiếng hội nghị này',
    'live.link.speaker': 'Đang nói bên kia: {name}',
    'live.sip.idle': 'SIP: chưa gọi',
    'live.sip.connecting': 'SIP: đang gọi',
    'live.sip.connectingAgain': 'SIP: đang gọi lại (lần {attempts})',
    'live.sip.joined': 'SIP: đang trong cuộc gọi',
    'live.sip.waiting': 'SIP: chờ gọi lại',
    'live.sip.waitingWhy': 'SIP: chờ gọi lại ({reason})',
    'live.sip.refused': 'SIP: bị từ chối',
    'live.sip.refusedWhy': 'SIP: bị từ chối ({reason})',
    'live.sip.reason.noAnswer': 'không trả lời',
    'live.sip.reason.bye': 'bên kia đã gác máy',
    'live.sig.tls': 'Báo hiệu SIP qua TLS: khóa SRTP được mã hóa trên đường truyền',
    'live.sig.plain': 'Báo hiệu SIP không mã hóa ({transport}): khóa SRTP đi dạng rõ, chỉ dùng cho đường truyền kín',
    'live.prot.strong': 'Hình và tiếng được mã hóa SRTP: {profile}',
    'live.prot.weak': 'Mã hóa yếu: {profile}, hội nghị mật không nhận mức này',
    'live.prot.off': 'Hình và tiếng KHÔNG được mã hóa ({profile})',
    'live.prot.offText': 'Không mã hóa',
    'live.prot.weakText': '{text} (yếu)',
    'live.prot.keying.dtls': 'khóa trao đổi qua DTLS',
    'live.prot.keying.sdes': 'khóa SDES đi trong báo hiệu SIP',
    'live.sipEvent.reinvite': 're-INVITE không kèm SDP',
    'live.sipEvent.reinviteOffer': 're-INVITE kèm đề nghị SDP',
    'live.sipEvent.refresh': 'Làm mới phiên SIP ({method})',
    'live.sipEvent.update': 'UPDATE trong cuộc gọi',
    'live.sipEvent.at': '{what} lúc {time}',
    'live.sipEvent.title': 'Sự kiện SIP gần nhất của cuộc gọi; MCU đã trả lời, phiên giữ nguyên ({detail})',
    'live.q.good': 'Tốt',
    'live.q.fair': 'Trung bình',
    'live.q.poor': 'Kém',
    'live.q.none': 'Chưa có số liệu',
    'live.q.title': 'Chất lượng: mất gói lớn nhất {loss}%, RTT {rtt} ms',
    'live.q.alarm': 'Cảnh báo: {detail}',
    'live.a.muteAudio': 'Tắt tiếng',
    'live.a.muteAudioLabel': 'Tắt tiếng {site}',
    'live.a.muteVideo': 'Tắt hình',
    'live.a.muteVideoLabel': 'Tắt hình {site}',
    'live.a.spotlight': 'Ghim',
    'live.a.spotlightLabel': 'Ghim {site} lên khung chính',
    'live.a.kick': 'Mời ra',
    'live.a.kickLabel': 'Mời ra khỏi hội nghị: {site}',
    'live.a.call': 'Gọi vào',
    'live.a.callLabel': 'Gọi vào hội nghị: {site}',
    'live.kickTitle': 'Mời điểm cầu ra?',
    'live.kickText': '{site} sẽ rời hội nghị và không được gọi lại cho đến khi chủ trì bấm “Gọi vào”.',
    'live.kicked': 'Đã mời {site} ra khỏi hội nghị.',
    'live.called': 'Đã gọi {site} vào hội nghị.',
    'live.a.stopContent': 'Dừng trình chiếu',
    'live.a.stopContentLabel': 'Dừng nội dung đang trình chiếu: {site}',
    'live.contentStopped': 'Đã dừng nội dung {site} trình chiếu.',
  },
  en: {
    'live.board': 'Roll-call',
    'live.count.invited': 'Invited',
    'live.count.online': 'Online',
    'live.count.joined': 'Joined',
    'live.count.video': 'With video',
    'live.noSites': 'No sites yet.',
    'live.site.offline': 'Offline',
    'live.site.online': 'Online',
    'live.site.joined': 'Joined',
    'live.site.audio': 'Audio',
    'live.site.video': 'Audio and video',
    'live.level.central': 'Central',
    'live.level.province': 'Province',
    'live.level.district': 'District',
    'live.level.other': 'Other',
    'live.hostSite': 'Host',
    'live.notInvited': 'Not invited',
    'live.speaking': 'Speaking',
    'live.badge.mutedAudio': 'Muted',
    'live.badge.mutedVideo': 'Video off',
    'live.badge.kicked': 'Removed',
    'live.badge.content': 'Sharing content',
    'live.badge.elsewhere': 'In another conference: {conference}',
    'live.badge.spotlight': 'Pinned',
    'live.badge.missing.camera': 'Camera missing',
    'live.badge.missing.microphone': 'Microphone missing',
    'live.badge.missing.speaker': 'Loudspeaker missing',
    'live.badge.missingTitle': 'The room reports this device absent or not working; the site takes part with the others.',
    'live.link.idle': 'Link: not dialled',
    'live.link.connecting': 'Link: connecting',
    'live.link.authenticating': 'Link: authenticating',
    'live.link.online': 'Link: connected, waiting to join',
    'live.link.joining': 'Link: joining',
    'live.link.joined': 'Linked to: {title}',
    'live.link.waiting': 'Link lost, dialling again',
    'live.link.refused': 'Link refused',
    'live.link.waitingWhy': 'Link lost ({reason}), dialling again',
    'live.link.refusedWhy': 'Link refused ({reason})',
    'live.link.failure.credential': 'wrong credential',
    'live.link.failure.certificate': 'certificate mismatch',
    'live.link.failure.conference': 'no such conference',
    'live.link.failure.refused': 'not admitted',
    'live.link.failure.network': 'network error',
    'live.link.failure.media': 'media connection failed',
    'live.link.failure.loop': 'it would close a loop of MCUs',
    'live.link.failure.role': 'the two sides disagree on which is the upper level',
    'live.link.far.parent': 'Upper level',
    'live.link.far.child': 'Lower level',
    'live.link.summary': '{title}: {connected} of {expected} sites connected, {video} with video',
    'live.link.spotlit': 'The upper level shows this conference to every site',
    'live.link.mutedVideo': 'The other side hid this conference\'s picture',
    'live.link.mutedAudio': 'The other side muted this conference',
    'live.link.speaker': 'Speaking there: {name}',
    'live.sip.idle': 'SIP: not called',
    'live.sip.connecting': 'SIP: calling',
    'live.sip.connectingAgain': 'SIP: calling again (attempt {attempts})',
    'live.sip.joined': 'SIP: in the call',
    'live.sip.waiting': 'SIP: will call again',
    'live.sip.waitingWhy': 'SIP: will call again ({reason})',
    'live.sip.refused': 'SIP: refused',
    'live.sip.refusedWhy': 'SIP: refused ({reason})',
    'live.sip.reason.noAnswer': 'no answer',
    'live.sip.reason.bye': 'the far end hung up',
    'live.sig.tls': 'SIP signalling over TLS: the SRTP keys cross encrypted',
    'live.sig.plain': 'SIP signalling in clear ({transport}): the SRTP keys cross readable; for a closed line only',
    'live.prot.strong': 'Media encrypted with SRTP: {profile}',
    'live.prot.weak': 'Weak encryption: {profile}, which a classified meeting does not admit',
    'live.prot.off': 'Media NOT encrypted ({profile})',
    'live.prot.offText': 'Not encrypted',
    'live.prot.weakText': '{text} (weak)',
    'live.prot.keying.dtls': 'keys agreed over DTLS',
    'live.prot.keying.sdes': 'SDES keys carried in the SIP signalling',
    'live.sipEvent.reinvite': 're-INVITE without SDP',
    'live.sipEvent.reinviteOffer': 're-INVITE with an offer',
    'live.sipEvent.refresh': 'SIP session refresh ({method})',
    'live.sipEvent.update': 'UPDATE within the call',
    'live.sipEvent.at': '{what} at {time}',
    'live.sipEvent.title': 'The call\'s latest SIP event; the MCU answered it, the session is unchanged ({detail})',
    'live.q.good': 'Good',
    'live.q.fair': 'Fair',
    'live.q.poor': 'Poor',
    'live.q.none': 'No data',
    'live.q.title': 'Quality: worst loss {loss}%, RTT {rtt} ms',
    'live.q.alarm': 'Alarm: {detail}',
    'live.a.muteAudio': 'Mute',
    'live.a.muteAudioLabel': 'Mute {site}',
    'live.a.muteVideo': 'Stop video',
    'live.a.muteVideoLabel': 'Stop video {site}',
    'live.a.spotlight': 'Pin',
    'live.a.spotlightLabel': 'Pin {site} to the main tile',
    'live.a.kick': 'Remove',
    'live.a.kickLabel': 'Remove from the conference: {site}',
    'live.a.call': 'Call in',
    'live.a.callLabel': 'Call into the conference: {site}',
    'live.kickTitle': 'Remove the site?',
    'live.kickText': '{site} leaves the conference and is not called again until a host presses “Call in”.',
    'live.kicked': '{site} was removed from the conference.',
    'live.called': '{site} was called into the conference.',
    'live.a.stopContent': 'Stop sharing',
    'live.a.stopContentLabel': 'Stop the content shared by {site}',
    'live.contentStopped': 'The content {site} shared was stopped.',
  },
};

const COUNTERS = ['invited', 'online', 'joined', 'video'];

// The board of page `p` (see ../live.js): {el, update()}.
export function rollCall(p) {
  const { ctx, t, api, path, st, canControl, describedBy } = p;
  const lang = ctx.i18n.lang;
  const counters = {};
  const counterList = h('dl', { class: 'live-counters' },
    COUNTERS.map((k) => {
      counters[k] = h('dd', { id: `count-${k}` }, '0');
      return h('div', { class: `live-counter live-counter-${k}` }, h('dt', {}, t(`live.count.${k}`)), counters[k]);
    }));
  const list = h('ul', { class: 'site-list', id: 'roll-call', 'aria-labelledby': 'live-board-h' });
  const emptyText = h('p', { class: 'empty', hidden: true }, t('live.noSites'));
  const el = h('section', { class: 'card live-board', 'aria-labelledby': 'live-board-h' },
    h('div', { class: 'live-board-head' }, h('h2', { class: 'live-h2', id: 'live-board-h' }, t('live.board')), counterList),
    p.note, list, emptyText);

  const cards = new Map(); // site id -> {li, parts...}

  function siteName(s) {
    return s.name || (st.levels.get(s.site) || {}).name || s.site;
  }

  function currentSite(siteId) {
    return st.roll.find((x) => x.site === siteId);
  }

  function makeCard(s) {
    const name = siteName(s);
    const c = {};
    const btn = (action, cls, text, label, onclick) => h('button', {
      type: 'button', class: `btn btn-small ${cls}`, 'data-action': action, 'aria-label': label,
      disabled: !canControl, 'aria-describedby': describedBy, onclick,
    }, text);
    c.speakIcon = h('span', { class: 'site-speaking' }, icon('speaking'), t('live.speaking'));
    c.name = h('span', { class: 'site-name', title: name }, name);
    c.host = h('span', { class: 'site-host' }, icon('star'), t('live.hostSite'));
    c.level = h('span', { class: 'site-level' });
    c.state = h('span', { class: 'state' });
    c.signalling = h('span', { class: 'site-signalling', hidden: true });
    c.protectionText = h('span', {});
    c.protection = h('span', { class: 'site-protection', hidden: true }, icon('lock', 'site-protection-icon'), c.protectionText);
    c.quality = h('span', { class: 'quality quality-none', 'data-quality': 'none' });
    c.badges = h('span', { class: 'site-badges' });
    c.muteAudio = btn('mute-audio', 'btn-danger-outline', t('live.a.muteAudio'), t('live.a.muteAudioLabel', { site: name }),
      () => toggleMute(s.site, 'audio', c.muteAudio));
    c.muteAudio.setAttribute('aria-pressed', 'false');
    c.muteVideo = btn('mute-video', 'btn-danger-outline', t('live.a.muteVideo'), t('live.a.muteVideoLabel', { site: name }),
      () => toggleMute(s.site, 'video', c.muteVideo));
    c.muteVideo.setAttribute('aria-pressed', 'false');
    c.spotlight = btn('spotlight', 'btn-secondary', t('live.a.spotlight'), t('live.a.spotlightLabel', { site: name }), async () => {
      const pin = st.conf.spotlight === s.site ? '' : s.site;
      if (await p.act(c.spotlight, () => api.put(`${path}/spotlight`, { site: pin }))) {
        st.conf.spotlight = pin;
        p.updateBoard();
      }
    });
    c.spotlight.setAttribute('aria-pressed', 'false');
    c.kick = btn('kick', 'btn-danger-outline', t('live.a.kick'), t('live.a.kickLabel', { site: name }), async () => {
      const who = siteName(currentSite(s.site) || s);
      if (await p.confirm(t('live.kickTitle'), t('live.kickText', { site: who }), t('live.a.kick')))
        await p.act(c.kick, () => api.post(`${path}/sites/${encodeURIComponent(s.site)}/kick`), t('live.kicked', { site: who }));
    });
    c.call = btn('call', 'btn-primary', t('live.a.call'), t('live.a.callLabel', { site: name }), () =>
      p.act(c.call, () => api.post(`${path}/sites/${encodeURIComponent(s.site)}/call`), t('live.called', { site: siteName(currentSite(s.site) || s) })));
    c.stopContent = btn('stop-content', 'btn-danger-outline', t('live.a.stopContent'), t('live.a.stopContentLabel', { site: name }), () =>
      p.act(c.stopContent, () => api.post(`${path}/sites/${encodeURIComponent(s.site)}/stop-content`),
        t('live.contentStopped', { site: siteName(currentSite(s.site) || s) })));
    c.li = h('li', { class: 'site-card', 'data-site': s.site },
      h('div', { class: 'site-head' }, c.speakIcon, c.name, c.host, c.level),
      h('div', { class: 'site-status' }, c.state, c.signalling, c.protection, c.quality, c.badges),
      h('div', { class: 'site-actions' }, c.muteAudio, c.muteVideo, c.spotlight, c.stopContent, c.kick, c.call));
    return c;
  }

  async function toggleMute(siteId, medium, button) {
    const s = currentSite(siteId);
    if (!s) return;
    const key = medium === 'audio' ? 'mutedAudio' : 'mutedVideo';
    const value = !s[key];
    if (await p.act(button, () => api.post(`${path}/sites/${encodeURIComponent(siteId)}/mute`, { [medium]: value }))) {
      s[key] = value;
      p.updateBoard();
    }
  }

  function badge(cls, text) {
    return h('span', { class: `site-badge ${cls}` }, text);
  }

  function updateQuality(c, s) {
    // Quality: stats of a site in the conference (fresh), raised by its alarms.
    const q = siteQuality(s, { stats: st.stats, statsAt: st.statsAt, alarms: st.alarms.values() });
    c.quality.className = `quality quality-${q.level}`;
    c.quality.dataset.quality = q.level;
    if (q.level === 'none') {
      c.quality.textContent = t('live.q.none');
      c.quality.removeAttribute('title');
    } else {
      const loss = formatNumber(q.loss, 1, lang);
      const rtt = q.rtt === null ? '—' : formatNumber(q.rtt, 0, lang);
      c.quality.textContent = `${t(`live.q.${q.level}`)} · ${loss}% · ${rtt} ms`;
      const titleParts = [t('live.q.title', { loss, rtt })];
      if (q.alarm) titleParts.push(t('live.q.alarm', { detail: q.alarm.detail || q.alarm.kind }));
      c.quality.title = titleParts.join('\n');
    }
  }

  function updateBadges(c, s) {
    const badges = [];
    if (st.conf.spotlight === s.site) badges.push(badge('site-badge-spotlight', t('live.badge.spotlight')));
    if (s.mutedAudio) badges.push(badge('site-badge-muted', t('live.badge.mutedAudio')));
    if (s.mutedVideo) badges.push(badge('site-badge-muted', t('live.badge.mutedVideo')));
    if (s.kicked) badges.push(badge('site-badge-kicked', t('live.badge.kicked')));
    if (s.content) badges.push(badge('site-badge-content', t('live.badge.content')));
    if (s.elsewhere) badges.push(badge('site-badge-elsewhere', t('live.badge.elsewhere', { conference: s.elsewhere })));
    for (const device of missingDevices(s)) {
      const b = badge('site-badge-device', t(`live.badge.missing.${device}`));
      b.dataset.device = device;
      b.title = t('live.badge.missingTitle');
      badges.push(b);
    }
    if (s.link) {
      // A cascade link this MCU dials, or the call it places to a SIP site: where it is (why a
      // SIP call ended), and what the other side says. The MCU's own words for the reason are
      // translated; the title keeps them as the MCU said them.
      const l = s.link;
      const lb = linkBadge(l, (st.levels.get(s.site) || {}).kind);
      const vars = { ...lb.vars, reason: lb.reasonKey ? t(lb.reasonKey) : lb.vars.reason };
      const b = badge(`site-badge-link link-${lb.state}`, t(lb.key, vars));
      b.dataset.link = lb.state;
      b.dataset.linkKind = lb.sip ? 'sip' : 'cascade';
      if (l.detail) b.title = l.detail;
      badges.push(b);
      if (l.mutedAudio) badges.push(badge('site-badge-muted', t('live.link.mutedAudio')));
      if (l.remoteSpeaker) badges.push(badge('site-badge-link', t('live.link.speaker', { name: l.remoteSpeaker })));
      for (const side of linkSide(l)) {
        const sb = badge('site-badge-link', t(side.key, side.vars));
        sb.dataset.linkSide = side.key.split('.').pop();
        sb.title = sb.textContent;  // A long summary is cut on the card.
        badges.push(sb);
      }
    }
    // The last re-INVITE or session refresh in its SIP call (the feed's, at most one per call
    // every 5 s), while it is in one; gone once it is offline (the call is over), so that its
    // next call starts without.
    if (siteState(s) === 'offline') st.sipEvents.delete(s.site);
    const sipEvent = s.signalling ? st.sipEvents.get(s.site) : null;
    if (sipEvent) {
      const words = sipRequestWords(sipEvent);
      const b = badge('site-badge-sip', t('live.sipEvent.at', { what: t(words.key, words.vars), time: fmtTime(sipEvent.atMs, true) }));
      b.dataset.sipMethod = String(sipEvent.method || '');
      b.title = t('live.sipEvent.title', { detail: String(sipEvent.detail || '') });
      badges.push(b);
    }
    const sig = badges.map((b) => b.className + b.textContent).join('|');
    if (c.badgeSig !== sig) {
      c.badgeSig = sig;
      replace(c.badges, badges);
    }
  }

  // How its SIP call is signalled, beside its state: hidden while it is in none.
  function updateSignalling(c, s) {
    const sig = signallingBadge(s);
    c.signalling.hidden = !sig;
    if (!sig) {
      delete c.signalling.dataset.signalling;
      return;
    }
    c.signalling.className = `site-signalling ${sig.secure ? 'signalling-secure' : 'signalling-plain'}`;
    c.signalling.dataset.signalling = sig.transport;
    c.signalling.textContent = sig.text;
    c.signalling.title = t(sig.key, sig.vars);
  }

  // How its media is protected, beside its state: hidden until its media is connected.
  function updateProtection(c, s) {
    const pb = IN_CONFERENCE.has(siteState(s)) ? protectionBadge(s) : null;
    c.protection.hidden = !pb;
    if (!pb) {
      delete c.protection.dataset.protection;
      delete c.protection.dataset.level;
      return;
    }
    c.protection.className = `site-protection protection-${pb.level}`;
    c.protection.dataset.protection = pb.profile;
    c.protection.dataset.level = pb.level;
    c.protectionText.textContent = pb.text === null ? t('live.prot.offText')
      : pb.level === 'weak' ? t('live.prot.weakText', { text: pb.text }) : pb.text;
    c.protection.title = [t(pb.key, pb.vars), pb.keyingKey ? t(pb.keyingKey) : ''].filter(Boolean).join('; ');
  }

  function updateCard(c, s) {
    const name = siteName(s);
    const state = siteState(s);
    const inConf = IN_CONFERENCE.has(state);
    const speaking = inConf && st.speaker === s.site;
    const li = c.li;
    li.dataset.state = state;
    li.dataset.mutedAudio = String(Boolean(s.mutedAudio));
    li.dataset.mutedVideo = String(Boolean(s.mutedVideo));
    li.dataset.speaking = String(speaking);
    li.dataset.kicked = String(Boolean(s.kicked));
    li.dataset.missing = missingDevices(s).join(' ');
    li.classList.toggle('site-host-card', s.site === st.conf.host);
    li.classList.toggle('site-uninvited', !s.invited);
    if (c.name.textContent !== name) {
      c.name.textContent = name;
      c.name.title = name;
    }
    c.host.hidden = s.site !== st.conf.host;
    const lv = st.levels.get(s.site);
    c.level.textContent = [lv && lv.level ? t(`live.level.${lv.level}`) : '', s.invited ? '' : t('live.notInvited')].filter(Boolean).join(' · ');
    c.speakIcon.hidden = !speaking;
    c.state.className = `state state-${state}`;
    c.state.textContent = t(`live.site.${state}`);
    updateSignalling(c, s);
    updateProtection(c, s);
    updateQuality(c, s);
    updateBadges(c, s);
    c.muteAudio.setAttribute('aria-pressed', String(Boolean(s.mutedAudio)));
    c.muteVideo.setAttribute('aria-pressed', String(Boolean(s.mutedVideo)));
    c.spotlight.setAttribute('aria-pressed', String(st.conf.spotlight === s.site));
    c.kick.hidden = !inConf;
    c.stopContent.hidden = !(inConf && s.content);
    c.call.hidden = !callable(s, st.conf.state === 'open');
  }

  function update() {
    const seen = new Set();
    st.roll.forEach((s, index) => {
      seen.add(s.site);
      let c = cards.get(s.site);
      if (!c) {
        c = makeCard(s);
        cards.set(s.site, c);
      }
      updateCard(c, s);
      // Keep the roll-call's order, moving nodes only when it changed (a focused button stays).
      if (list.children[index] !== c.li) list.insertBefore(c.li, list.children[index] || null);
    });
    for (const [siteId, c] of cards)
      if (!seen.has(siteId)) {
        c.li.remove();
        cards.delete(siteId);
      }
    emptyText.hidden = st.roll.length > 0;
    const n = rollCounts(st.roll);
    for (const k of COUNTERS) counters[k].textContent = String(n[k]);
  }

  return { el, update };
}
