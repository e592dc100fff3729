// The kiosk room's screen (room.html #kiosk, styled by css/kiosk.css). Outside a conference: the
// standby screen of a room system, with the site's name, a clock, the connection to the MCU and
// the next conference the site is invited to, with its time. In a conference: the composite
// full-screen (the stage of the ordinary page, stretched by the style sheet) and, only when there
// is something to say, discreet lines over it: a poor or interrupted network, the host's mute of
// this room, the room's own muted microphone (also shown on the standby screen). The words come
// from logic/kiosk.js, the state from room.js (window.mcuRoom); each call draws the whole screen
// and keeps what it shows in room.kiosk.lines and room.kiosk.status.

import { conferenceLines, keyHint, standbyLines } from './logic/kiosk.js';

const $ = (id) => document.getElementById(id);

const STANDBY_FIELDS = [
  ['site', 'kiosk-site'],
  ['clock', 'kiosk-clock'],
  ['date', 'kiosk-date'],
  ['connection', 'kiosk-connection'],
  ['nextLabel', 'kiosk-next-label'],
  ['nextTitle', 'kiosk-next-title'],
  ['nextTime', 'kiosk-next-time'],
];

// Sets an element's text, hidden when empty.
function show(id, text) {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
  el.hidden = !text;
}

export function renderKiosk(room, lang, now = Date.now()) {
  const k = room.kiosk;
  const inConference = k.state === 'in-conference';
  document.body.dataset.kiosk = k.state;

  const lines = standbyLines({
    state: k.state,
    connected: k.connected,
    everConnected: k.everConnected,
    refused: k.refused,
    noToken: k.noToken,
    next: k.next,
    site: room.site ? room.site.name || room.site.id : '',
    now,
    lang,
  });
  k.lines = lines;
  $('kiosk-standby').hidden = inConference;
  for (const [field, id] of STANDBY_FIELDS) show(id, lines[field]);
  $('kiosk-next').hidden = !lines.nextLabel;
  $('kiosk-connection').dataset.connected = String(k.connected);
  show('kiosk-hint', keyHint(lang));

  const status = conferenceLines({
    loss: inConference ? k.loss : null,
    iceState: inConference ? room.pc?.iceConnectionState : null,
    hostMuted: inConference ? k.hostMuted : null,
    micMuted: k.micMuted,
    lang,
  });
  k.status = status;
  show('kiosk-network', status.network);
  show('kiosk-host-muted', status.hostMuted);
  show('kiosk-mic', status.micMuted);
}
