// What the browser tests share: the real `mcu` process on loopback (default configuration, a
// free port, its log in test-output/browser/mcu.log; restarted on the same port and data
// directory), a console user's REST client, `mcu-room` processes, waiting, tones.
//
//   MCU_BIN          the mcu binary (default: <repo>/build/mcu/mcu)
//   MCU_ROOM_BIN     the mcu-room binary (default: mcu-room next to the mcu binary)
//   CHROMIUM_BIN     the browser (default: /usr/bin/chromium)
//   MCU_LOG_LEVEL    the MCU's [log] level for the run (default: debug)

import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
export const mcuBin = process.env.MCU_BIN || path.join(repo, 'build', 'mcu', 'mcu');
export const roomBin = process.env.MCU_ROOM_BIN || path.join(path.dirname(mcuBin), 'mcu-room');
export const chromiumBin = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const outDir = path.join(repo, 'test-output', 'browser');
export const AUDIO_RATE = 48_000;

// Sets `key = value` inside `[section]` of a TOML text (the key must be there already).
export function setTomlKey(text, section, key, value) {
  const lines = text.split('\n');
  let inSection = false;
  for (let i = 0; i < lines.length; i++) {
    const header = /^\s*\[([^\]]+)\]\s*(#.*)?$/.exec(lines[i]);
    if (header) {
      inSection = header[1].trim() === section;
      continue;
    }
    if (inSection && new RegExp(`^\\s*${key}\\s*=`).test(lines[i])) {
      lines[i] = `${key} = ${value}`;
      return lines.join('\n');
    }
  }
  throw new Error(`no ${key} in [${section}] of the default configuration`);
}

// Logs `page` into the web console at `origin` as `login` through its login form (Vietnamese
// labels, as the console first shows), and waits for the conference list.
export async function consoleLogin(page, origin, login, password) {
  await page.goto(`${origin}/`);
  await page.waitForURL(/#\/login/);
  await page.getByLabel('Tên đăng nhập').fill(login);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(/#\/conferences/);
}

// Pixels of `selector`'s current video frame, drawn at 160x90, that are clearly red, green and
// blue (the test sites' colours).
export function videoColours(page, selector) {
  return page.evaluate((sel) => {
    const v = document.querySelector(sel);
    const c = document.createElement('canvas');
    c.width = 160;
    c.height = 90;
    const g = c.getContext('2d');
    g.drawImage(v, 0, 0, 160, 90);
    const d = g.getImageData(0, 0, 160, 90).data;
    const n = { red: 0, green: 0, blue: 0 };
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] > 180 && d[i + 1] < 90 && d[i + 2] < 90) n.red += 1;
      if (d[i] < 90 && d[i + 1] > 150 && d[i + 2] < 90) n.green += 1;
      if (d[i] < 90 && d[i + 1] < 90 && d[i + 2] > 180) n.blue += 1;
    }
    return n;
  }, selector);
}

export async function waitFor(what, fn, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// A mono 16-bit PCM WAV of a sine: Chromium's fake microphone (48 kHz mono is what Chromium's
// --use-file-for-fake-audio-capture wants). A whole number of cycles, so looping it is seamless.
export function writeToneWav(file, hz, seconds, rate = AUDIO_RATE, amplitude = 0.5) {
  const n = Math.round(seconds * rate);
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++)
    data.writeInt16LE(Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * hz * i) / rate)), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  fs.writeFileSync(file, Buffer.concat([header, data]));
}

// Reads a 16-bit PCM WAV (walking its chunks): {rate, samples} with samples of the first channel
// as floats in [-1, 1).
export function readWav(file) {
  const b = fs.readFileSync(file);
  assert.ok(b.length >= 12 && b.toString('ascii', 0, 4) === 'RIFF' && b.toString('ascii', 8, 12) === 'WAVE',
    `${file} is not a WAV file`);
  let fmt = null;
  for (let at = 12; at + 8 <= b.length;) {
    const id = b.toString('ascii', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      fmt = { format: b.readUInt16LE(body), channels: b.readUInt16LE(body + 2), rate: b.readUInt32LE(body + 4),
        bits: b.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      assert.ok(fmt && fmt.format === 1 && fmt.bits === 16, `${file}: not 16-bit PCM (${JSON.stringify(fmt)})`);
      const end = Math.min(b.length, body + size);
      const frames = Math.floor((end - body) / (2 * fmt.channels));
      const samples = new Float64Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = b.readInt16LE(body + i * 2 * fmt.channels) / 32768;
      return { rate: fmt.rate, samples };
    }
    at = body + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

// Power of `hz` in the samples (Goertzel) relative to the signal's total power: about 0.5 for a
// pure sine, 0 for silence or a signal without that tone. Same measure as tests/support/analysis.
// Power of `hz` relative to the total power (~0.5 for a pure sine), over 200 ms blocks: a phase
// slip (one concealed or dropped 20 ms frame at a jitter buffer, normal on a loaded machine)
// then costs one block, where over the whole recording it would cancel the tone's coherent sum
// (one slip of half a period mid-way measured 0.05 for a tone that was there throughout).
export function toneShare({ rate, samples }, hz) {
  const block = Math.max(1, Math.min(Math.floor(rate / 5), samples.length));  // Shorter: one block.
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let tone = 0;
  let total = 0;
  for (let start = 0; start + block <= samples.length; start += block) {
    let s1 = 0;
    let s2 = 0;
    for (let i = start; i < start + block; i++) {
      const x = samples[i];
      const s0 = x + k * s1 - s2;
      s2 = s1;
      s1 = s0;
      total += (x * x) / block;
    }
    tone += (s1 * s1 + s2 * s2 - k * s1 * s2) / (block * block);
  }
  return total === 0 ? 0 : tone / total;
}

// An `mcu-room` process: its output goes to <outDir>/<name>.log; `summary` is its final
// `SUMMARY {json}` line, once it has exited.
// Runs in the page (page.evaluate(colourShare, 'e01010')): the composite's picture, the share of its pixels near `color` (rrggbb).
export function colourShare(color) {
  const video = document.getElementById('remote-video');
  if (!video.videoWidth) return null;
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  g.drawImage(video, 0, 0);
  const { data } = g.getImageData(0, 0, canvas.width, canvas.height);
  const want = [0, 2, 4].map((i) => parseInt(color.slice(i, i + 2), 16));
  let hits = 0;
  let n = 0;
  for (let i = 0; i < data.length; i += 4 * 7, n++)
    if (Math.abs(data[i] - want[0]) + Math.abs(data[i + 1] - want[1]) + Math.abs(data[i + 2] - want[2]) < 60) hits++;
  return { width: canvas.width, height: canvas.height, share: hits / n };
}

export class Room {
  constructor(name, args) {
    this.name = name;
    this.logPath = path.join(outDir, `${name}.log`);
    this.output = '';
    this.exited = null;
    // No display or loudspeakers: what the room receives is checked through its own files.
    this.process = spawn(roomBin, ['--display', 'none', '--speaker', 'none', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    const log = fs.createWriteStream(this.logPath);
    const take = (chunk) => {
      this.output += chunk;
      log.write(chunk);
    };
    this.process.stdout.setEncoding('utf8').on('data', take);
    this.process.stderr.setEncoding('utf8').on('data', take);
    this.done = new Promise((resolve) => {
      this.process.on('close', (code, signal) => {
        this.exited = { code, signal };
        log.end();
        resolve(this.exited);
      });
    });
  }

  get summary() {
    const line = this.output.split('\n').find((l) => l.startsWith('SUMMARY '));
    return line ? JSON.parse(line.slice('SUMMARY '.length)) : null;
  }

  get mediaConnected() {
    return this.output.includes('media connected');
  }

  tail(lines = 30) {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  async kill() {
    if (this.exited) return;
    this.process.kill('SIGTERM');
    const gone = await Promise.race([this.done, new Promise((r) => setTimeout(r, 3000, null))]);
    if (!gone) {
      this.process.kill('SIGKILL');
      await this.done;
    }
  }
}

export class Mcu {
  // `name`: its log is <outDir>/<name>.log. `settings`: [section, key, TOML value] set in the
  // default configuration before it starts.
  constructor(name = 'mcu', settings = []) {
    this.name = name;
    this.settings = settings;
  }

  async start() {
    assert.ok(fs.existsSync(mcuBin), `no MCU binary at ${mcuBin} (build it, or set MCU_BIN)`);
    fs.mkdirSync(outDir, { recursive: true });
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcu-browser-'));
    let config = execFileSync(mcuBin, ['--print-default-config'], { encoding: 'utf8' });
    config = setTomlKey(config, 'media', 'ice_addresses', '["127.0.0.1"]');
    config = setTomlKey(config, 'log', 'level', JSON.stringify(process.env.MCU_LOG_LEVEL || 'debug'));
    // Every page of every context comes from 127.0.0.1.
    config = setTomlKey(config, 'limits', 'max_connections_per_address', '0');
    for (const [section, key, value] of this.settings) config = setTomlKey(config, section, key, value);
    this.configPath = path.join(this.dir, 'mcu.toml');
    fs.writeFileSync(this.configPath, config);
    this.logPath = path.join(outDir, `${this.name}.log`);
    await this.launch(0, 'w');
  }

  // Starts the process on `port` (0: a free one) and waits for its ready file; its output goes to
  // the log (`logMode` 'w' starts it, 'a' goes on after a restart).
  async launch(port, logMode) {
    const readyPath = path.join(this.dir, 'ready.json');
    fs.rmSync(readyPath, { force: true });
    const log = fs.openSync(this.logPath, logMode);
    const proc = spawn(
      mcuBin,
      ['--config', this.configPath, '--data-dir', path.join(this.dir, 'data'), '--port', String(port),
        '--ready-file', readyPath],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    this.process = proc;
    this.exited = null;
    proc.on('exit', (code, signal) => {
      if (this.process === proc) this.exited = { code, signal };
    });
    const ready = await waitFor(
      'the MCU ready file',
      () => {
        if (this.exited) throw new Error(`mcu exited early (${JSON.stringify(this.exited)}):\n${this.logTail()}`);
        try {
          return JSON.parse(fs.readFileSync(readyPath, 'utf8'));
        } catch {
          return null; // Not written yet, or half written.
        }
      },
      15_000,
    );
    assert.ok(Number.isInteger(ready.port) && ready.port > 0, `bad ready file ${JSON.stringify(ready)}`);
    this.port = ready.port;
    this.origin = `https://127.0.0.1:${this.port}`;
    this.ca = fs.readFileSync(path.join(this.dir, 'data', 'tls-cert.pem'));
  }

  // What a restart of the service does: the process ends (SIGTERM) and starts again on the same
  // port with the same data directory (database, certificates); the log goes on.
  async restart() {
    const port = this.port;
    await this.terminate();
    await this.launch(port, 'a');
    assert.equal(this.port, port, 'the MCU came back on its port');
  }

  async terminate() {
    if (!this.process || this.exited) return;
    this.process.kill('SIGTERM');
    const gone = await waitFor('the MCU to exit', () => this.exited, 5_000).catch(() => null);
    if (!gone) {
      this.process.kill('SIGKILL');
      await waitFor('the MCU to be killed', () => this.exited, 5_000);
    }
  }

  logTail(lines = 60) {
    try {
      return fs.readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  // A plain HTTPS GET of `target` (trusting the MCU's certificate): {status, body}.
  get(target) {
    return httpsRequest(this, 'GET', target, {}, null);
  }

  // A console user's REST client, logged in.
  async login(login, password) {
    const api = new Api(this);
    await api.login(login, password);
    return api;
  }

  async stop() {
    if (!this.process) return;
    await this.terminate();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function httpsRequest(mcu, method, target, headers, body) {
  return new Promise((resolve, reject) => {
    const data = body === null || body === undefined ? null : Buffer.from(JSON.stringify(body));
    const req = https.request({
      host: '127.0.0.1', port: mcu.port, path: target, method, ca: mcu.ca,
      headers: { ...headers, ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => (text += c)).on('end', () => {
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {
          // Not JSON: the text is there.
        }
        resolve({ status: res.statusCode, headers: res.headers, text, body: json });
      });
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${target}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(data);
  });
}

// The REST API under /api/v1 as a console user (docs/API.md): the session cookie and its CSRF
// token. get/post/put(path, body) resolve with the JSON body and throw on a status of 400 or more.
export class Api {
  constructor(mcu) {
    this.mcu = mcu;
    this.cookie = '';
    this.csrf = '';
  }

  async login(login, password) {
    const r = await httpsRequest(this.mcu, 'POST', '/api/v1/session', {}, { login, password });
    assert.equal(r.status, 200, `login as ${login}: ${r.status} ${r.text}`);
    this.cookie = String(r.headers['set-cookie']?.[0] ?? '').split(';')[0];
    this.csrf = r.body.csrfToken;
  }

  async call(method, apiPath, body) {
    const headers = { Cookie: this.cookie };
    if (method !== 'GET') headers['X-CSRF-Token'] = this.csrf;
    const r = await httpsRequest(this.mcu, method, `/api/v1${apiPath}`, headers, body ?? (method === 'GET' ? null : {}));
    if (r.status >= 400) throw new Error(`${method} ${apiPath}: ${r.status} ${r.text}`);
    return r.body;
  }

  get(apiPath) {
    return this.call('GET', apiPath);
  }

  post(apiPath, body) {
    return this.call('POST', apiPath, body);
  }

  put(apiPath, body) {
    return this.call('PUT', apiPath, body);
  }
}
