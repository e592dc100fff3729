// The console's link to the MCU: the REST API (/api/v1, session cookie + X-CSRF-Token) and the
// event feed (/api/v1/events, a WebSocket that carries roster, state, speaker, layout, control
// actions, per-second statistics, alarms, and SIP calls' re-INVITEs and session refreshes). See
// docs/API.md.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export class Api {
  constructor() {
    this.csrf = '';
    this.onUnauthorized = null;  // Called on a 401 (the session expired): the app shows the login.
  }

  // GET/POST/PUT/DELETE `path` (below /api/v1) with an optional JSON body; resolves to the JSON
  // answer (or text, for CSV). Rejects with ApiError(status, the server's "error" message).
  async request(method, path, body) {
    const headers = {};
    if (method !== 'GET') headers['X-CSRF-Token'] = this.csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(`/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (e) {
      throw new ApiError(0, e.message || 'network error');
    }
    const type = res.headers.get('Content-Type') || '';
    const payload = type.includes('application/json') ? await res.json().catch(() => ({})) : await res.text();
    if (!res.ok) {
      if (res.status === 401 && path !== '/session' && this.onUnauthorized) this.onUnauthorized();
      throw new ApiError(res.status, (payload && payload.error) || res.statusText);
    }
    return payload;
  }

  get(path) { return this.request('GET', path); }
  post(path, body = {}) { return this.request('POST', path, body); }
  put(path, body = {}) { return this.request('PUT', path, body); }
  del(path) { return this.request('DELETE', path); }

  // The logged-in user ({login, name, role}) or null.
  async session() {
    try {
      const s = await this.get('/session');
      this.csrf = s.csrfToken;
      return s.user;
    } catch (e) {
      if (e.status === 401) return null;
      throw e;
    }
  }

  async login(login, password) {
    const s = await this.request('POST', '/session', { login, password });
    this.csrf = s.csrfToken;
    return s.user;
  }

  async logout() {
    try {
      await this.del('/session');
    } finally {
      this.csrf = '';
    }
  }
}

// The event feed: one WebSocket for the whole console, reopened after a drop (1, 2, 4 ... 10 s).
// on(type, fn) subscribes to events of one `type` ('*' for all) and returns the unsubscribe
// function; pages unsubscribe when they go.
export class EventFeed {
  constructor() {
    this.handlers = new Map();
    this.ws = null;
    this.backoff = 1000;
    this.stopped = true;
    this.connected = false;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close();
    this.ws = null;
  }

  open() {
    const ws = new WebSocket(`wss://${location.host}/api/v1/events`);
    this.ws = ws;
    ws.onopen = () => {
      this.backoff = 1000;
      this.setConnected(true);
    };
    ws.onmessage = (m) => {
      let e;
      try {
        e = JSON.parse(m.data);
      } catch {
        return;
      }
      this.emit(e.type, e);
      this.emit('*', e);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.setConnected(false);
      if (this.stopped) return;
      this.timer = setTimeout(() => this.open(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, 10000);
    };
  }

  setConnected(on) {
    this.connected = on;
    this.emit('feed', { type: 'feed', connected: on });
  }

  emit(type, e) {
    for (const fn of this.handlers.get(type) || []) {
      try {
        fn(e);
      } catch (err) {
        console.error(err);
      }
    }
  }

  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(fn);
    return () => this.handlers.get(type).delete(fn);
  }
}
