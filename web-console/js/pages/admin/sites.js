// #/admin/sites: the sites (GET /sites, conference titles from GET /conferences): id, name,
// level, kind (a SIP room system's with its SIP address), expected network and link capacity,
// presence and the conference each is in (refreshed on the feed's site/roster/conference
// events). Create (POST /sites → {site, token}), edit (PUT /sites/{id}), delete (DELETE
// /sites/{id}, confirmed), renew the room token (POST /sites/{id}/token, confirmed). A new token
// is shown once in a dialog, with a Copy button. A SIP room system (kind sip) is known by its SIP
// address and has no token to install: instead of the token, a dialog says how it calls in
// (also from its row). Its form says whether the MCU calls it when its conference starts
// (sipDial, checked for a new one); its row, whether it is called or only calls in. The form's
// checks, its request body and what to show once saved are in ../../logic/sites.js.
//
// Hooks for tests: #new-site; the form's input[name=sipDial]; rows tr[data-site] with
// button[data-action=edit|token|delete] (dial instead of token on a SIP site), a SIP site's
// address in .adm-sip-uri and how it connects in .adm-sip-calling[data-sip-dial]; the token
// dialog's #token-secret and #token-copy; the call-in dialog's #sip-dial.
//
// A cascade link (kind cascade): the form's link part says whether this MCU dials the other one
// (input[name=linkDials]) and then where (linkUrl, linkConference), with which credential
// (linkCredential: written, never shown again; left empty, the stored one is kept), the other
// MCU's certificate fingerprint (linkFingerprint) and what this MCU receives (linkKbps); in either
// case which end is the upper level (select[name=linkRole]). "Fetch" (#link-probe) reads the
// certificate the other MCU presents (POST /links/probe) into #link-probe-result for the
// administrator to compare with the one its administrators read out; #link-probe-use takes it.
// A link's row shows its URL in .adm-link-url and its role in .adm-link-role[data-role].

import { h, replace, field, uid } from '../../dom.js';
import { LEVELS } from '../../logic/conferences.js';
import {
  KINDS, LINK_KBPS_MAX, LINK_KBPS_MIN, LINK_ROLES, LINK_URL_EXAMPLE, SIP_URI_EXAMPLE, SIP_URI_MAX, afterSave, linkOf,
  linkProblems, sipCallingKey, sipDialOf, sipDialUri, sipIdentity, sipPlainOf, siteBody, siteProblems,
} from '../../logic/sites.js';
import { checkedField, modal, select, setError } from '../../widgets.js';
import { act, adminFormDialog, confirmAction, enc, loader, rowButton, runChecks, shell } from './common.js';

export const strings = {
  vi: {
    'admin.level.central': 'Trung ương',
    'admin.level.province': 'Cấp tỉnh',
    'admin.level.district': 'Cấp huyện',
    'admin.level.other': 'Khác',
    'admin.kind.room': 'Phòng họp',
    'admin.kind.cascade': 'Liên kết MCU khác',
    'admin.kind.sip': 'Hệ thống SIP (Poly, Cisco…)',
    'admin.site.new': 'Thêm điểm cầu',
    'admin.site.empty': 'Chưa có điểm cầu nào.',
    'admin.site.col.id': 'Mã',
    'admin.site.col.name': 'Tên điểm cầu',
    'admin.site.col.level': 'Cấp',
    'admin.site.col.kind': 'Loại',
    'admin.site.col.network': 'Mạng dự kiến',
    'admin.site.col.bandwidth': 'Băng thông',
    'admin.site.col.state': 'Hiện trạng',
    'admin.site.online': 'Trực tuyến',
    'admin.site.offline': 'Ngoại tuyến',
    'admin.site.inConference': 'đang ở',
    'admin.site.kbps': '{n} kb/s',
    'admin.site.token': 'Cấp mã mới',
    'admin.site.dial': 'Cách gọi vào',
    'admin.site.createTitle': 'Thêm điểm cầu',
    'admin.site.editTitle': 'Sửa điểm cầu “{name}”',
    'admin.site.id': 'Mã điểm cầu',
    'admin.site.idHint': 'Chữ thường không dấu, số, “-” hoặc “_”; không đổi được sau khi tạo.',
    'admin.site.name': 'Tên điểm cầu',
    'admin.site.level': 'Cấp',
    'admin.site.kind': 'Loại',
    'admin.site.network': 'Mạng dự kiến',
    'admin.site.networkHint': 'Để kỹ thuật viên biết điểm cầu dùng đường mạng nào, ví dụ “WAN tỉnh 10.20.3.0/24”.',
    'admin.site.sipUri': 'Địa chỉ SIP',
    'admin.site.sipUriHint': 'MCU nhận ra cuộc gọi của điểm cầu theo phần tên (trước “@”) và địa chỉ nơi cuộc gọi xuất phát.',
    'admin.site.sipDial': 'MCU gọi tới điểm cầu khi cuộc họp bắt đầu',
    'admin.site.sipPlain': 'Cho phép SIP không mã hóa (TCP/UDP) trên đường truyền riêng',
    'admin.site.sipPlainHint': 'Khóa SRTP đi trong SDP không được bảo vệ: chỉ chọn khi đường truyền đã có thiết bị mã hóa. Mặc định chỉ SIP qua TLS.',
    'admin.site.sipDialHint': 'Gọi lại nếu cuộc gọi không thành hoặc bị ngắt. Bỏ chọn nếu thiết bị chỉ tự gọi vào.',
    'admin.site.sipDialOut': 'MCU gọi tới',
    'admin.site.sipCallsIn': 'Chỉ tự gọi vào',
    'admin.site.bandwidth': 'Băng thông dự kiến (kb/s)',
    'admin.site.bandwidthHint': 'Dung lượng đường truyền dự kiến, 0 = chưa xác định.',
    'admin.site.create': 'Thêm điểm cầu',
    'admin.site.save': 'Lưu',
    'admin.site.created': 'Đã thêm điểm cầu “{name}”.',
    'admin.site.saved': 'Đã lưu điểm cầu “{name}”.',
    'admin.site.deleted': 'Đã xóa điểm cầu “{name}”.',
    'admin.site.deleteTitle': 'Xóa điểm cầu?',
    'admin.site.deleteText': 'Điểm cầu “{name}” sẽ bị xóa: kết nối hiện tại bị ngắt, điểm cầu bị gỡ khỏi mọi hội nghị và mã truy cập của nó không dùng được nữa.',
    'admin.site.tokenTitle': 'Cấp mã truy cập mới?',
    'admin.site.tokenText': 'Mã cũ của điểm cầu “{name}” sẽ ngừng hoạt động ngay và phòng họp đang kết nối sẽ bị ngắt. Cần cài mã mới vào thiết bị của phòng họp để kết nối lại.',
    'admin.site.tokenOk': 'Cấp mã mới',
    'admin.token.title': 'Mã truy cập của điểm cầu “{name}”',
    'admin.token.warning': 'Mã này chỉ hiển thị một lần. Hãy sao chép và cài vào thiết bị của phòng họp ngay; sau khi đóng hộp thoại sẽ không xem lại được (chỉ có thể cấp mã mới).',
    'admin.token.usage': 'Cách dùng: mcu-room --token <mã>, hoặc nhập vào trang phòng họp trên trình duyệt.',
    'admin.token.copy': 'Sao chép mã',
    'admin.token.copied': 'Đã sao chép mã vào bộ nhớ tạm.',
    'admin.token.copyFailed': 'Không sao chép tự động được. Mã đã được bôi chọn: hãy nhấn Ctrl+C.',
    'admin.sip.title': 'Cách hệ thống SIP “{name}” gọi vào',
    'admin.sip.identity': 'Hệ thống SIP không dùng mã truy cập: MCU nhận ra nó theo địa chỉ {uri}, tức là cuộc gọi mang tên “{user}” và xuất phát từ {host}.',
    'admin.sip.identityPlain': 'Hệ thống SIP không dùng mã truy cập: MCU nhận ra nó theo địa chỉ {uri}.',
    'admin.sip.setup': 'Trên thiết bị: bật SIP qua TLS (cổng 5061), SRTP bắt buộc, không cần máy chủ đăng ký; rồi gọi vào hội nghị:',
    'admin.sip.conference': '<mã hội nghị>',
    'admin.sip.example': 'Ví dụ: {uri}',
    'admin.sip.number': 'Hoặc gọi theo số hội nghị: hội nghị có mã là một số, ví dụ 101, được gọi bằng {uri}.',
    'admin.sip.admitted': 'Như mọi điểm cầu, thiết bị chỉ vào được hội nghị đang mở có mời điểm cầu này.',
    'admin.err.name': 'Hãy nhập tên (tối đa 200 ký tự).',
    'admin.err.network': 'Tối đa 200 ký tự.',
    'admin.err.bandwidth': 'Một số nguyên từ 0 đến 100000.',
    'admin.err.sipUri': 'Hãy nhập địa chỉ SIP của thiết bị, ví dụ {example} (tối đa {max} ký tự).',
    'admin.link.legend': 'Liên kết với MCU khác',
    'admin.link.dials': 'MCU này gọi tới MCU kia',
    'admin.link.dialsHint': 'Bỏ chọn nếu MCU kia gọi tới MCU này: khi tạo, MCU này cấp một mã xác thực để gửi cho quản trị viên bên kia.',
    'admin.link.url': 'Địa chỉ MCU kia',
    'admin.link.urlHint': 'Dạng wss://máy-chủ:cổng/ws',
    'admin.link.conference': 'Mã hội nghị bên kia',
    'admin.link.conferenceHint': 'Để trống nếu MCU kia tự mời liên kết vào hội nghị.',
    'admin.link.credential': 'Mã xác thực do bên kia cấp',
    'admin.link.credentialHint': 'Được lưu và không bao giờ hiển thị lại.',
    'admin.link.credentialKept': 'Đã lưu — để trống để giữ nguyên',
    'admin.link.fingerprint': 'Vân tay chứng chỉ của MCU kia (SHA-256)',
    'admin.link.fingerprintHint': 'Chỉ chấp nhận đúng chứng chỉ này. Bấm “Lấy vân tay” rồi so với vân tay quản trị viên bên kia đọc cho bạn.',
    'admin.link.probe': 'Lấy vân tay',
    'admin.link.probing': 'Đang kết nối tới MCU kia…',
    'admin.link.probeSaw': 'MCU tại {url} đưa ra chứng chỉ có vân tay:',
    'admin.link.probeCompare': 'So từng nhóm ký tự với vân tay quản trị viên bên kia đọc cho bạn (có trong nhật ký của MCU kia khi khởi động). Chỉ dùng khi trùng khớp.',
    'admin.link.probeUse': 'Trùng khớp, dùng vân tay này',
    'admin.link.probeFailed': 'Không lấy được chứng chỉ: {error}',
    'admin.link.kbps': 'Băng thông nhận qua liên kết (kb/s)',
    'admin.link.kbpsHint': 'Hình ảnh MCU kia gửi sang; 1500 kb/s tương ứng 1280×720.',
    'admin.link.role': 'Cấp của MCU kia',
    'admin.link.roleChoice.child': 'MCU kia là cấp trên (MCU này là cấp dưới)',
    'admin.link.roleChoice.parent': 'MCU kia là cấp dưới (MCU này là cấp trên)',
    'admin.link.role.child': 'Tới cấp trên',
    'admin.link.role.parent': 'Tới cấp dưới',
    'admin.err.linkUrl': 'Hãy nhập địa chỉ MCU kia dạng {example}.',
    'admin.err.linkConference': 'Mã hội nghị chỉ gồm chữ thường, số, “-” và “_”.',
    'admin.err.linkCredential': 'Hãy nhập mã xác thực do bên kia cấp (tối đa 256 ký tự).',
    'admin.err.linkFingerprint': 'Vân tay gồm 64 chữ số hệ 16 (có thể có dấu “:”).',
    'admin.err.linkKbps': 'Băng thông từ {min} đến {max} kb/s.',
  },
  en: {
    'admin.level.central': 'Central',
    'admin.level.province': 'Province',
    'admin.level.district': 'District',
    'admin.level.other': 'Other',
    'admin.kind.room': 'Meeting room',
    'admin.kind.cascade': 'Link to another MCU',
    'admin.kind.sip': 'SIP room system',
    'admin.site.new': 'Add site',
    'admin.site.empty': 'There are no sites yet.',
    'admin.site.col.id': 'Id',
    'admin.site.col.name': 'Site name',
    'admin.site.col.level': 'Level',
    'admin.site.col.kind': 'Kind',
    'admin.site.col.network': 'Expected network',
    'admin.site.col.bandwidth': 'Bandwidth',
    'admin.site.col.state': 'Status',
    'admin.site.online': 'Online',
    'admin.site.offline': 'Offline',
    'admin.site.inConference': 'in',
    'admin.site.kbps': '{n} kb/s',
    'admin.site.token': 'New token',
    'admin.site.dial': 'How to call in',
    'admin.site.createTitle': 'Add a site',
    'admin.site.editTitle': 'Edit site “{name}”',
    'admin.site.id': 'Site id',
    'admin.site.idHint': 'Lower-case letters without accents, digits, “-” or “_”; fixed once created.',
    'admin.site.name': 'Site name',
    'admin.site.level': 'Level',
    'admin.site.kind': 'Kind',
    'admin.site.network': 'Expected network',
    'admin.site.networkHint': 'Tells technicians which link the site uses, e.g. “Province WAN 10.20.3.0/24”.',
    'admin.site.sipUri': 'SIP address',
    'admin.site.sipUriHint': 'The MCU recognises the site’s call by the user part (before “@”) and the address the call comes from.',
    'admin.site.sipDial': 'The MCU calls it when its conference starts',
    'admin.site.sipPlain': 'Allow plain SIP (TCP/UDP) on a closed line',
    'admin.site.sipPlainHint': 'The SRTP keys in the SDP then travel unprotected: only for a line behind hardware encryptors. By default, SIP over TLS only.',
    'admin.site.sipDialHint': 'Called again if the call fails or drops. Leave unchecked if the unit only calls in.',
    'admin.site.sipDialOut': 'Called by the MCU',
    'admin.site.sipCallsIn': 'Calls in only',
    'admin.site.bandwidth': 'Expected bandwidth (kb/s)',
    'admin.site.bandwidthHint': 'The link’s expected capacity; 0 = not set.',
    'admin.site.create': 'Add site',
    'admin.site.save': 'Save',
    'admin.site.created': 'Site “{name}” added.',
    'admin.site.saved': 'Site “{name}” saved.',
    'admin.site.deleted': 'Site “{name}” deleted.',
    'admin.site.deleteTitle': 'Delete the site?',
    'admin.site.deleteText': 'Site “{name}” is deleted: its connection is closed, it is removed from every conference and its token stops working.',
    'admin.site.tokenTitle': 'Issue a new access token?',
    'admin.site.tokenText': 'The old token of “{name}” stops working at once and the room, if connected, is disconnected. The new token must be installed in the room’s device for it to connect again.',
    'admin.site.tokenOk': 'Issue new token',
    'admin.token.title': 'Access token of “{name}”',
    'admin.token.warning': 'This token is shown only once. Copy it and install it in the room’s device now; once this dialog is closed it cannot be shown again (only replaced).',
    'admin.token.usage': 'Use: mcu-room --token <token>, or enter it in the browser room page.',
    'admin.token.copy': 'Copy token',
    'admin.token.copied': 'The token is copied to the clipboard.',
    'admin.token.copyFailed': 'Could not copy automatically. The token is selected: press Ctrl+C.',
    'admin.sip.title': 'How “{name}” calls in',
    'admin.sip.identity': 'A SIP room system uses no access token: the MCU knows it by its address {uri}, that is a call from user “{user}” coming from {host}.',
    'admin.sip.identityPlain': 'A SIP room system uses no access token: the MCU knows it by its address {uri}.',
    'admin.sip.setup': 'On the unit: SIP over TLS (port 5061), SRTP required, no registrar needed; then call the conference:',
    'admin.sip.conference': '<conference id>',
    'admin.sip.example': 'For example: {uri}',
    'admin.sip.number': 'Or by conference number: a conference whose id is a number, e.g. 101, is called as {uri}.',
    'admin.sip.admitted': 'Like any site, the unit joins only an open conference that invites this site.',
    'admin.err.name': 'Enter a name (at most 200 characters).',
    'admin.err.network': 'At most 200 characters.',
    'admin.err.bandwidth': 'A whole number from 0 to 100000.',
    'admin.err.sipUri': 'Enter the unit’s SIP address, e.g. {example} (at most {max} characters).',
    'admin.link.legend': 'Link to another MCU',
    'admin.link.dials': 'This MCU dials the other one',
    'admin.link.dialsHint': 'Untick if the other MCU dials this one: once created, this MCU gives a credential to send to its administrators.',
    'admin.link.url': 'The other MCU’s address',
    'admin.link.urlHint': 'As wss://host:port/ws',
    'admin.link.conference': 'Conference id there',
    'admin.link.conferenceHint': 'Leave empty if the other MCU calls the link into its conference.',
    'admin.link.credential': 'Credential the other side gave',
    'admin.link.credentialHint': 'Stored and never shown again.',
    'admin.link.credentialKept': 'Stored — leave empty to keep it',
    'admin.link.fingerprint': 'The other MCU’s certificate fingerprint (SHA-256)',
    'admin.link.fingerprintHint': 'Only this certificate is accepted. Press “Fetch”, then compare with the fingerprint its administrators read to you.',
    'admin.link.probe': 'Fetch',
    'admin.link.probing': 'Connecting to the other MCU…',
    'admin.link.probeSaw': 'The MCU at {url} presents a certificate with the fingerprint:',
    'admin.link.probeCompare': 'Compare each group with the fingerprint its administrators read to you (the other MCU logs it at start). Use it only if they match.',
    'admin.link.probeUse': 'They match: use this fingerprint',
    'admin.link.probeFailed': 'No certificate: {error}',
    'admin.link.kbps': 'Received over the link (kb/s)',
    'admin.link.kbpsHint': 'The picture the other MCU sends; 1500 kb/s is 1280×720.',
    'admin.link.role': 'The other MCU’s level',
    'admin.link.roleChoice.child': 'The other MCU is the upper level (this one is its child)',
    'admin.link.roleChoice.parent': 'The other MCU is a lower level (this one is its parent)',
    'admin.link.role.child': 'To the upper level',
    'admin.link.role.parent': 'To a lower level',
    'admin.err.linkUrl': 'Enter the other MCU’s address as {example}.',
    'admin.err.linkConference': 'A conference id has lower-case letters, digits, “-” and “_” only.',
    'admin.err.linkCredential': 'Enter the credential the other side gave (at most 256 characters).',
    'admin.err.linkFingerprint': 'A fingerprint is 64 hexadecimal digits (colons allowed).',
    'admin.err.linkKbps': 'From {min} to {max} kb/s.',
  },
};

export async function renderSites(view, ctx) {
  const { t, api } = ctx;
  const box = h('div', { class: 'adm-body' });
  const newButton = h('button', { type: 'button', class: 'btn btn-primary', id: 'new-site' }, t('admin.site.new'));
  shell(view, ctx, 'sites', newButton);
  view.append(box);

  let sites = [];
  let titles = new Map();
  const load = loader(box, ctx, async () => {
    const [list, confs] = await Promise.all([api.get('/sites'), api.get('/conferences').catch(() => [])]);
    return { list, confs };
  }, ({ list, confs }) => {
    sites = Array.isArray(list) ? list : [];
    titles = new Map((Array.isArray(confs) ? confs : []).map((c) => [c.id, c.title]));
    draw();
  });

  function draw() {
    const a = document.activeElement;
    const focusKey = a && box.contains(a) && a.dataset.action ? [a.closest('[data-site]')?.dataset.site, a.dataset.action] : null;
    replace(box, sitesTable(ctx, sites, titles, { edit, token, dial, remove }));
    if (focusKey) box.querySelector(`[data-site="${CSS.escape(focusKey[0] || '')}"] [data-action="${focusKey[1]}"]`)?.focus();
  }

  function edit(site) {
    siteDialog(view, ctx, site, async (answer) => {
      const next = afterSave(answer, site);
      if (next.show === 'token') showToken(view, ctx, answer.site.name, next.token, newButton);
      else if (next.show === 'sip') showSipDialing(view, ctx, next.site, [...titles.keys()], newButton);
      await load();
    });
  }
  function dial(site, button) {
    showSipDialing(view, ctx, site, [...titles.keys()], button);
  }
  async function token(site, button) {
    const ok = await confirmAction(view, ctx, {
      title: t('admin.site.tokenTitle'), text: t('admin.site.tokenText', { name: site.name }), ok: t('admin.site.tokenOk'),
    });
    if (!ok) return;
    let answer;
    if (await act(ctx, button, async () => { answer = await api.post(`/sites/${enc(site.id)}/token`); }))
      showToken(view, ctx, site.name, answer.token, button);
    load();
  }
  async function remove(site, button) {
    const ok = await confirmAction(view, ctx, {
      title: t('admin.site.deleteTitle'), text: t('admin.site.deleteText', { name: site.name }), ok: t('admin.delete'),
    });
    if (ok && await act(ctx, button, () => api.del(`/sites/${enc(site.id)}`), t('admin.site.deleted', { name: site.name }))) load();
  }
  newButton.addEventListener('click', () => edit(null));

  let timer = 0;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(load, 800);
  };
  const unsubs = [ctx.feed.on('site', soon), ctx.feed.on('roster', soon), ctx.feed.on('conference', soon)];
  await load();
  return () => {
    clearTimeout(timer);
    for (const u of unsubs) u();
  };
}

function sitesTable(ctx, sites, titles, actions) {
  const { t } = ctx;
  if (!sites.length) return h('div', { class: 'table-wrap' }, h('p', { class: 'empty' }, t('admin.site.empty')));
  const order = (s) => LEVELS.indexOf(s.level) < 0 ? LEVELS.length : LEVELS.indexOf(s.level);
  const sorted = [...sites].sort((a, b) => order(a) - order(b) || a.id.localeCompare(b.id, 'vi', { numeric: true }));
  const cols = ['id', 'name', 'level', 'kind', 'network', 'bandwidth', 'state'];
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data mg-table adm-sites' },
      h('thead', {}, h('tr', {},
        cols.map((k) => h('th', { scope: 'col', class: k === 'bandwidth' ? 'num' : null }, t(`admin.site.col.${k}`))),
        h('th', { scope: 'col', class: 'adm-actions-head' }, t('admin.colActions')))),
      h('tbody', {}, sorted.map((s) => siteRow(ctx, s, titles, actions)))));
}

function siteRow(ctx, s, titles, actions) {
  const { t } = ctx;
  const bw = Number(s.bandwidthKbps);
  return h('tr', { dataset: { site: s.id, online: String(Boolean(s.online)) } },
    h('td', { class: 'adm-code' }, s.id),
    h('th', { scope: 'row', class: 'adm-name' }, s.name),
    h('td', {}, LEVELS.includes(s.level) ? t(`admin.level.${s.level}`) : s.level || t('admin.none')),
    h('td', { class: 'adm-kind' }, KINDS.includes(s.kind) ? t(`admin.kind.${s.kind}`) : s.kind || t('admin.none'),
      s.kind === 'sip' && s.sipUri ? h('span', { class: 'adm-sip-uri' }, s.sipUri) : null,
      s.kind === 'cascade' && s.link && s.link.url ? h('span', { class: 'adm-link-url' }, s.link.url) : null,
      s.kind === 'cascade' ? h('span', { class: 'adm-link-role', dataset: { role: linkOf(s).role } }, t(`admin.link.role.${linkOf(s).role}`)) : null,
      sipCallingKey(s) ? h('span', { class: 'adm-sip-calling', dataset: { sipDial: String(sipDialOf(s)) } }, t(sipCallingKey(s))) : null),
    h('td', { class: 'adm-network' }, s.network || h('span', { class: 'adm-muted' }, t('admin.none'))),
    h('td', { class: 'num' }, bw > 0 ? t('admin.site.kbps', { n: bw.toLocaleString('vi-VN') }) : h('span', { class: 'adm-muted' }, t('admin.none'))),
    h('td', { class: 'adm-presence' },
      h('span', { class: `state ${s.online ? 'state-online' : 'state-offline'}` }, t(s.online ? 'admin.site.online' : 'admin.site.offline')),
      s.conference ? h('span', { class: 'adm-in-conf' }, t('admin.site.inConference'), ' ',
        h('a', { href: `#/live/${enc(s.conference)}` }, titles.get(s.conference) || s.conference)) : null),
    h('td', { class: 'adm-actions' }, h('div', { class: 'adm-actions-row' },
      rowButton(ctx, 'edit', t('admin.edit'), s.name, 'btn-secondary', () => actions.edit(s)),
      s.kind === 'sip'
        ? rowButton(ctx, 'dial', t('admin.site.dial'), s.name, 'btn-secondary', (b) => actions.dial(s, b))
        : rowButton(ctx, 'token', t('admin.site.token'), s.name, 'btn-secondary', (b) => actions.token(s, b)),
      rowButton(ctx, 'delete', t('admin.delete'), s.name, 'btn-danger-outline', (b) => actions.remove(s, b)))));
}

// The create/edit dialog of a site. `done({site, token?})` after the server accepted. The SIP
// address and whether the MCU calls the site are shown while the kind is sip; what the server
// refuses (an address it cannot read, one without a user part) is shown in the form like any
// refusal.
function siteDialog(host, ctx, site, done) {
  const { t, api } = ctx;
  const f = {
    id: site ? null : checkedField(t('admin.site.id'),
      h('input', { name: 'id', maxlength: 64, required: true, spellcheck: 'false', autocapitalize: 'none', autocomplete: 'off' }), t('admin.site.idHint')),
    name: checkedField(t('admin.site.name'), h('input', { name: 'name', maxlength: 200, required: true, autocomplete: 'off', value: site ? site.name : '' })),
    level: field(t('admin.site.level'), select('level', LEVELS.map((l) => [l, t(`admin.level.${l}`)]), site ? site.level : 'district')),
    kind: field(t('admin.site.kind'), select('kind', KINDS.map((k) => [k, t(`admin.kind.${k}`)]), site ? site.kind : 'room')),
    sipUri: checkedField(t('admin.site.sipUri'),
      h('input', {
        name: 'sipUri', maxlength: SIP_URI_MAX, placeholder: SIP_URI_EXAMPLE, spellcheck: 'false', autocapitalize: 'none',
        autocomplete: 'off', value: site && site.sipUri ? site.sipUri : '',
      }), t('admin.site.sipUriHint')),
    sipDial: h('input', { type: 'checkbox', name: 'sipDial', id: uid('adm-sip-dial'), checked: sipDialOf(site) }),
    sipPlain: h('input', { type: 'checkbox', name: 'sipPlain', id: uid('adm-sip-plain'), checked: sipPlainOf(site) }),
    network: checkedField(t('admin.site.network'), h('input', { name: 'network', maxlength: 200, autocomplete: 'off', value: site ? site.network || '' : '' }), t('admin.site.networkHint')),
    bandwidth: checkedField(t('admin.site.bandwidth'),
      h('input', { name: 'bandwidthKbps', type: 'number', min: 0, max: 100000, step: 1, inputmode: 'numeric', value: String(site && site.bandwidthKbps ? site.bandwidthKbps : 0) }),
      t('admin.site.bandwidthHint')),
  };
  const sipDialHint = h('small', { class: 'field-hint', id: uid('hint') }, t('admin.site.sipDialHint'));
  f.sipDial.setAttribute('aria-describedby', sipDialHint.id);
  const sipPlainHint = h('small', { class: 'field-hint', id: uid('hint') }, t('admin.site.sipPlainHint'));
  f.sipPlain.setAttribute('aria-describedby', sipPlainHint.id);
  const sipDialWrap = h('div', { class: 'adm-sip-dial' },
    h('label', { class: 'check', for: f.sipDial.id }, f.sipDial, t('admin.site.sipDial')), sipDialHint,
    h('label', { class: 'check', for: f.sipPlain.id }, f.sipPlain, t('admin.site.sipPlain')), sipPlainHint);
  const link = linkForm(ctx, linkOf(site));
  adminFormDialog(host, ctx, {
    title: site ? t('admin.site.editTitle', { name: site.name }) : t('admin.site.createTitle'),
    submitText: site ? t('admin.site.save') : t('admin.site.create'),
    fields: [f.id ? f.id.wrap : null, f.name.wrap, h('div', { class: 'adm-pair' }, f.level, f.kind), f.sipUri.wrap, sipDialWrap, link.wrap,
      f.network.wrap, f.bandwidth.wrap],
    onSubmit: async (form) => {
      const values = {
        id: f.id ? f.id.control.value : undefined,
        name: f.name.control.value,
        level: form.elements.level.value,
        kind: form.elements.kind.value,
        network: f.network.control.value,
        bandwidth: f.bandwidth.control.value,
        sipUri: f.sipUri.control.value,
        sipDial: f.sipDial.checked,
        sipPlain: f.sipPlain.checked,
        ...link.values(),
      };
      const problems = { ...siteProblems(values, !site), ...linkProblems(values, linkOf(site).credentialSet) };
      const message = (key) => (key ? t(key, { example: SIP_URI_EXAMPLE, max: SIP_URI_MAX }) : '');
      const bad = runChecks([
        ...(f.id ? [[f.id, message(problems.id)]] : []),
        [f.name, message(problems.name)],
        [f.sipUri, message(problems.sipUri)],
        [f.network, message(problems.network)],
        [f.bandwidth, message(problems.bandwidth)],
        ...link.checks(problems),
      ]);
      if (bad) {
        bad.focus();
        return false;
      }
      const body = siteBody(values, site);
      if (site) {
        const saved = await api.put(`/sites/${enc(site.id)}`, body);
        ctx.toast(t('admin.site.saved', { name: body.name }), 'ok');
        done({ site: saved });
      } else {
        const answer = await api.post('/sites', body);
        ctx.toast(t('admin.site.created', { name: body.name }), 'ok');
        done(answer);
      }
      return true;
    },
  });
  // The SIP address and the call-out choice only on a SIP site; what was typed (or ticked) stays
  // if the kind goes back and forth.
  const kind = f.kind.querySelector('select');
  const showSip = () => {
    const sip = kind.value === 'sip';
    f.sipUri.wrap.hidden = !sip;
    sipDialWrap.hidden = !sip;
    f.sipUri.control.required = sip;
    if (!sip) setError(f.sipUri, '');
    link.show(kind.value === 'cascade');
  };
  kind.addEventListener('change', showSip);
  showSip();
}

// The link part of the site form, opened on `initial` (linkOf): {wrap, values(), checks(problems),
// show(cascade)}. The target's fields show only while this MCU dials; the role always.
function linkForm(ctx, initial) {
  const { t, api } = ctx;
  const input = (name, attrs = {}) => h('input', { name, spellcheck: 'false', autocapitalize: 'none', autocomplete: 'off', ...attrs });
  const dials = h('input', { type: 'checkbox', name: 'linkDials', id: uid('adm-link-dials'), checked: initial.dials });
  const f = {
    url: checkedField(t('admin.link.url'), input('linkUrl', { maxlength: 300, placeholder: LINK_URL_EXAMPLE, value: initial.url }), t('admin.link.urlHint')),
    conference: checkedField(t('admin.link.conference'), input('linkConference', { maxlength: 64, value: initial.conference }), t('admin.link.conferenceHint')),
    credential: checkedField(t('admin.link.credential'),
      input('linkCredential', { type: 'password', maxlength: 256, autocomplete: 'new-password', placeholder: initial.credentialSet ? t('admin.link.credentialKept') : '' }),
      t('admin.link.credentialHint')),
    fingerprint: checkedField(t('admin.link.fingerprint'), input('linkFingerprint', { maxlength: 200, value: initial.fingerprint, class: 'adm-mono' }), t('admin.link.fingerprintHint')),
    kbps: checkedField(t('admin.link.kbps'),
      h('input', { name: 'linkKbps', type: 'number', min: LINK_KBPS_MIN, max: LINK_KBPS_MAX, step: 1, inputmode: 'numeric', value: String(initial.maxKbps) }),
      t('admin.link.kbpsHint')),
  };
  const role = field(t('admin.link.role'), select('linkRole', LINK_ROLES.map((r) => [r, t(`admin.link.roleChoice.${r}`)]), initial.role));
  const probe = h('button', { type: 'button', class: 'btn btn-secondary', id: 'link-probe' }, t('admin.link.probe'));
  const result = h('div', { class: 'adm-link-probe', id: 'link-probe-result', hidden: true, 'aria-live': 'polite' });
  probe.addEventListener('click', async () => {
    const url = f.url.control.value.trim();
    if (!url) {
      setError(f.url, t('admin.err.linkUrl', { example: LINK_URL_EXAMPLE }));
      f.url.control.focus();
      return;
    }
    probe.disabled = true;
    replace(result, t('admin.link.probing'));
    result.hidden = false;
    try {
      const answer = await api.post('/links/probe', { url });
      const use = h('button', { type: 'button', class: 'btn btn-primary', id: 'link-probe-use' }, t('admin.link.probeUse'));
      use.addEventListener('click', () => {
        f.fingerprint.control.value = answer.fingerprint;
        setError(f.fingerprint, '');
        result.hidden = true;
        f.fingerprint.control.focus();
      });
      replace(result,
        h('p', {}, t('admin.link.probeSaw', { url })),
        h('div', { class: 'secret adm-mono', id: 'link-probe-fingerprint' }, answer.fingerprint),
        h('p', { class: 'field-hint' }, t('admin.link.probeCompare')),
        use);
    } catch (e) {
      replace(result, h('p', { class: 'mg-field-error' }, t('admin.link.probeFailed', { error: e.message || String(e) })));
    } finally {
      probe.disabled = false;
    }
  });
  const target = h('div', { class: 'adm-link-target' },
    f.url.wrap, f.conference.wrap, f.credential.wrap, f.fingerprint.wrap, h('div', { class: 'adm-link-probe-row' }, probe), result, f.kbps.wrap);
  const wrap = h('fieldset', { class: 'adm-link' },
    h('legend', {}, t('admin.link.legend')),
    h('label', { class: 'check', for: dials.id }, dials, t('admin.link.dials')),
    h('small', { class: 'field-hint' }, t('admin.link.dialsHint')),
    target, role);
  const showTarget = () => {
    target.hidden = !dials.checked;
  };
  dials.addEventListener('change', showTarget);
  showTarget();
  const fields = [['linkUrl', f.url], ['linkConference', f.conference], ['linkCredential', f.credential], ['linkFingerprint', f.fingerprint], ['linkKbps', f.kbps]];
  return {
    wrap,
    values: () => ({
      linkDials: dials.checked,
      linkUrl: f.url.control.value,
      linkConference: f.conference.control.value,
      linkCredential: f.credential.control.value,
      linkFingerprint: f.fingerprint.control.value,
      linkKbps: f.kbps.control.value,
      linkRole: role.querySelector('select').value,
    }),
    checks: (problems) => fields.map(([key, fl]) => [fl, problems[key] ? t(problems[key], { example: LINK_URL_EXAMPLE, min: LINK_KBPS_MIN, max: LINK_KBPS_MAX }) : '']),
    show: (cascade) => {
      wrap.hidden = !cascade;
      if (!cascade) for (const [, fl] of fields) setError(fl, '');
    },
  };
}

// How a SIP room system calls in (instead of a token, which it does not use): how the MCU knows
// it, the unit's settings, and the address to call, with a conference of `conferences` as an
// example. The MCU's SIP address is the console's own: [sip] listens on the web server's address
// unless configured otherwise.
function showSipDialing(host, ctx, site, conferences, opener) {
  const { t } = ctx;
  const mcuHost = location.hostname;
  const who = sipIdentity(site.sipUri);
  const example = conferences.find((c) => c) || 'giao-ban';
  const close = h('button', { type: 'button', class: 'btn btn-primary' }, t('admin.close'));
  const dialog = modal(host, {
    title: t('admin.sip.title', { name: site.name }),
    content: [
      h('p', {}, who ? t('admin.sip.identity', { uri: site.sipUri, user: who.user, host: who.host }) : t('admin.sip.identityPlain', { uri: site.sipUri || '' })),
      h('p', {}, t('admin.sip.setup')),
      h('div', { class: 'secret', id: 'sip-dial' }, sipDialUri(t('admin.sip.conference'), mcuHost)),
      h('p', { class: 'field-hint adm-sip-example' }, t('admin.sip.example', { uri: sipDialUri(example, mcuHost) })),
      h('p', {}, t('admin.sip.number', { uri: `101@${mcuHost}` })),
      h('p', { class: 'field-hint' }, t('admin.sip.admitted')),
      h('div', { class: 'form-footer' }, close)],
    opener,
    className: 'adm-sip-dialog',
  });
  close.addEventListener('click', () => dialog.close());
  close.focus();
}

// The token, once: a dialog with the token, Copy, and the warning that it will not be shown again.
function showToken(host, ctx, name, token, opener) {
  const { t } = ctx;
  const secret = h('div', { class: 'secret', id: 'token-secret' }, token);
  const warning = h('p', { class: 'adm-token-warning', id: uid('adm-warn') }, t('admin.token.warning'));
  const copy = h('button', { type: 'button', class: 'btn btn-secondary', id: 'token-copy', 'aria-describedby': warning.id }, t('admin.token.copy'));
  const close = h('button', { type: 'button', class: 'btn btn-primary' }, t('admin.close'));
  const dialog = modal(host, {
    title: t('admin.token.title', { name }),
    content: [
      warning, secret,
      h('p', { class: 'field-hint adm-token-usage' }, t('admin.token.usage')),
      h('div', { class: 'form-footer' }, copy, close)],
    opener,
    className: 'adm-token-dialog',
  });
  close.addEventListener('click', () => dialog.close());
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(token);
      ctx.toast(t('admin.token.copied'), 'ok');
    } catch {
      const range = document.createRange();
      range.selectNodeContents(secret);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      ctx.toast(t('admin.token.copyFailed'), 'info');
    }
  });
  copy.focus();
}
