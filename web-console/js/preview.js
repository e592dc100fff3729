// A receive-only WebRTC preview of a conference's composite for the console (the host's live
// page). It speaks the room protocol (signaling/PROTOCOL.md) on /api/v1/preview, where the
// console's session cookie authenticates it, so there is no `auth`:
//
//   join {conference, maxBitrateKbps: 600}  -> joined, offer {sdp}
//   answer {sdp} (every transceiver recvonly), candidate ... candidate ""  -> media {state}
//   left {reason}: the conference ended (shown, not retried); error {code, message}: retried,
//   but `forbidden` (a technician, a locked or classified conference) is 'refused', not retried
//   until start() is called again.
//
// If the socket drops (or the media fails) while the preview runs, it reconnects after 2, 4, 8,
// then every 15 s. onState(state, detail) reports: 'connecting' (detail: what it waits for),
// 'connected', 'failed' (detail: why; a retry is scheduled, detail.retryS), 'refused' (detail:
// the MCU's error), 'ended' (detail: the MCU's reason) and 'stopped'. The socket also closes
// when the console's session ends (logout, a new password or role): shown as 'failed', and the
// next attempt is refused at the upgrade. window.mcuPreview = {state, detail, pc, conference} is
// kept current for tests and for the developer tools.

import { candidateMessage } from './ice.js';

const BACKOFF_MS = [2000, 4000, 8000, 15000];
const MAX_BITRATE_KBPS = 600; // 640x360 if no site receives a tier yet; else the MCU shares the sites' tier.

export class Preview {
  constructor({ conference, video, onState }) {
    this.conference = conference;
    this.video = video;
    this.onState = onState || (() => {});
    this.state = 'idle';
    this.detail = null;
    this.ws = null;
    this.pc = null;
    this.stream = null;
    this.running = false;
    this.attempt = 0;          // Failures in a row (the backoff index).
    this.generation = 0;       // Bumped by each connect/teardown: stale callbacks do nothing.
    this.retryTimer = 0;
    this.answerSent = false;
    this.queued = [];
    this.expose();
  }

  // Opens the preview (again, after an end or a stop).
  start() {
    this.running = true;
    this.attempt = 0;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  // Closes everything; no reconnection.
  stop() {
    this.running = false;
    clearTimeout(this.retryTimer);
    this.teardown();
    this.setState('stopped', null);
  }

  // ---------------------------------------------------------------------------------------------

  expose() {
    const self = this;
    window.mcuPreview = {
      get state() { return self.state; },
      get detail() { return self.detail; },
      get pc() { return self.pc; },
      get ws() { return self.ws; },
      get conference() { return self.conference; },
      get attempt() { return self.attempt; },
    };
  }

  setState(state, detail) {
    this.state = state;
    this.detail = detail ?? null;
    this.expose();
    try {
      this.onState(state, this.detail);
    } catch (e) {
      console.error(e);
    }
  }

  connect() {
    this.teardown();
    const gen = ++this.generation;
    const live = () => this.running && gen === this.generation;
    this.setState('connecting', { step: 'socket' });
    let ws;
    try {
      ws = new WebSocket(`wss://${location.host}/api/v1/preview`);
    } catch (e) {
      this.fail({ code: 'ws_failed', message: String(e.message || e) });
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      if (!live()) return;
      opened = true;
      this.setState('connecting', { step: 'join' });
      this.send({ type: 'join', conference: this.conference, maxBitrateKbps: MAX_BITRATE_KBPS });
    };
    ws.onmessage = (event) => {
      if (!live()) return;
      let m;
      try {
        m = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!m || typeof m !== 'object') return;
      this.onMessage(m, live).catch((e) => {
        if (live()) this.fail({ code: 'sdp_failed', message: String(e.message || e) });
      });
    };
    ws.onclose = (event) => {
      if (!live()) return;
      this.ws = null;
      if (this.state === 'ended') {
        this.teardown();
        return;
      }
      const why = event.reason ? `${event.code} ${event.reason}` : String(event.code);
      this.fail({ code: opened ? 'ws_closed' : 'ws_failed', message: why });
    };
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  async onMessage(m, live) {
    switch (m.type) {
      case 'joined':
        this.setState('connecting', { step: 'offer' });
        break;
      case 'offer':
        await this.answer(String(m.sdp || ''), live);
        break;
      case 'media':
        if (m.state === 'connected') {
          this.attempt = 0;
          this.setState('connected', { srtp: m.detail || '' });
        } else if (m.state === 'failed') {
          this.fail({ code: 'media_failed', message: m.detail || '' });
        }
        break;
      case 'left':
        // The conference ended (or the preview was removed): say why and do not retry.
        this.closeMedia();
        this.setState('ended', { reason: m.reason || '' });
        if (this.ws) this.ws.close();
        break;
      case 'error': {
        const error = { code: String(m.code || 'internal'), message: String(m.message || '') };
        // Once the picture flows, a refused trickle candidate or a rate limit changes nothing.
        if (this.state === 'connected' && ['bad_request', 'rate_limited', 'too_large'].includes(error.code)) {
          console.warn('preview:', error);
          break;
        }
        if (error.code === 'forbidden') {
          // Asking again changes nothing until the conference (or the user's role) does.
          this.teardown();
          this.setState('refused', error);
          break;
        }
        this.fail(error);
        break;
      }
      default:
        break; // roster, speaker, layout, pong: nothing to do for a preview.
    }
  }

  async answer(sdp, live) {
    if (this.pc) return; // One offer per join.
    const pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.pc = pc;
    this.expose();
    this.answerSent = false;
    this.queued = [];
    const stream = new MediaStream();
    this.stream = stream;
    if (this.video) this.video.srcObject = stream;
    pc.addEventListener('track', (event) => {
      if (!live()) return;
      stream.addTrack(event.track);
      event.track.addEventListener('unmute', () => this.play());
      this.play();
    });
    pc.addEventListener('icecandidate', (event) => {
      const message = live() && candidateMessage(event.candidate);
      if (!message) return;
      if (this.answerSent) this.send(message);
      else this.queued.push(message);
    });
    pc.addEventListener('connectionstatechange', () => {
      if (!live()) return;
      if (pc.connectionState === 'connected' && this.state !== 'connected') {
        this.attempt = 0;
        this.setState('connected', { srtp: '' });
      } else if (pc.connectionState === 'failed') {
        this.fail({ code: 'pc_failed', message: 'RTCPeerConnection failed' });
      }
    });
    this.setState('connecting', { step: 'media' });
    await pc.setRemoteDescription({ type: 'offer', sdp });
    if (!live()) return;
    for (const t of pc.getTransceivers()) t.direction = 'recvonly';
    const answer = await pc.createAnswer();
    if (!live()) return;
    await pc.setLocalDescription(answer);
    if (!live()) return;
    this.send({ type: 'answer', sdp: pc.localDescription.sdp });
    this.answerSent = true;
    for (const message of this.queued.splice(0)) this.send(message);
  }

  play() {
    if (this.video) this.video.play().catch(() => {});
  }

  // Something failed: close, say why, and try again after the backoff.
  fail(error) {
    this.teardown();
    if (!this.running) return;
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt++;
    this.setState('failed', { ...error, retryS: Math.round(delay / 1000) });
    const gen = this.generation;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.running && gen === this.generation) this.connect();
    }, delay);
  }

  closeMedia() {
    if (this.pc) {
      try {
        this.pc.close();
      } catch {
        // closed already
      }
    }
    this.pc = null;
    if (this.stream) for (const t of this.stream.getTracks()) t.stop();
    this.stream = null;
    if (this.video) this.video.srcObject = null;
    this.answerSent = false;
    this.queued = [];
    this.expose();
  }

  teardown() {
    this.generation++;
    this.closeMedia();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      try {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'leave' }));
        ws.close();
      } catch {
        // closing anyway
      }
    }
    this.expose();
  }
}
