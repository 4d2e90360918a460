// Doubles for unit tests: a fake clock driven by tick(), and fake transports the test steers.

/** A clock whose time moves only when the test says so. */
export function fakeClock(start = 1000) {
  let now = start;
  let nextId = 1;
  const timers = new Map();
  const clock = {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
    /** Advances time by `ms`, running every timer that falls due, in order. */
    tick(ms) {
      const end = now + ms;
      for (let guard = 0; guard < 10000; guard++) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
      }
      now = end;
    },
    /** Moves the time without running any timer, as a throttled background tab does. */
    jump(ms) {
      now += ms;
    },
    pending: () => timers.size,
  };
  return clock;
}

/** Lets queued promise callbacks run, including the body reads of a real `Response`. */
export const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** A transport the test drives: `frame(raw)`, `fail(info)`; records sends and close(). */
export function fakeTransport(name, url) {
  const listeners = { frame: [], sent: [], close: [] };
  return {
    name,
    url,
    sent: [],
    /** What close() reports as not sent. */
    unsent: [],
    closed: false,
    send(messages) {
      this.sent.push(...messages);
    },
    close() {
      this.closed = true;
      return this.unsent.splice(0);
    },
    on(type, fn) {
      listeners[type].push(fn);
      return () => (listeners[type] = listeners[type].filter((f) => f !== fn));
    },
    frame(raw) {
      for (const fn of listeners.frame.slice()) fn(raw);
    },
    /** The oldest `count` messages sent went out. */
    confirm(count) {
      for (const fn of listeners.sent.slice()) fn(count);
    },
    fail(info) {
      for (const fn of listeners.close.slice()) fn(info);
    },
  };
}

/** Descriptors whose created transports land in `created`, in creation order. */
export function fakeDescriptors(names, created, roundTrips = 2) {
  return names.map((name) => ({
    name,
    roundTrips: name === 'jsonp-polling' ? 1 : roundTrips,
    isSupported: (env, info) => name !== 'websocket' || info.websocket !== false,
    create(sessionUrl, env, options) {
      const t = fakeTransport(name, sessionUrl);
      t.options = options;
      created.push(t);
      return t;
    },
  }));
}

/**
 * An Env whose fetch answers `/info` when the test calls `answerInfo(status, body)`.
 */
export function fakeEnv(clock = fakeClock()) {
  const infoRequests = [];
  const storage = new Map();
  const env = {
    ...clock,
    fetchStreams: true,
    fetch(url, init) {
      return new Promise((resolve, reject) => {
        const entry = { url, init, aborted: false, resolve, reject };
        init.signal?.addEventListener('abort', () => {
          entry.aborted = true;
          reject(new Error('aborted'));
        });
        infoRequests.push(entry);
      });
    },
    globalObject: {},
    lifecycle: fakeLifecycle(),
    randomBytes: (n) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255),
    /** The jitter's draw: 0 puts every delay at its lower bound, so tests know when a retry comes. */
    random: () => 0,
    sessionStorage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, v) },
    storage,
    infoRequests,
    async answerInfo(status = 200, body = '{"websocket":true}') {
      await flush();
      const req = infoRequests.shift();
      if (!req) throw new Error('no /info request is waiting');
      req.resolve(new Response(status === 204 ? null : body, { status }));
      await flush();
    },
  };
  return env;
}

/** Page lifecycle signals the test fires: `fire('online')`, `setOnline(false)`, `setVisible(false)`. */
export function fakeLifecycle() {
  const listeners = new Map();
  let online = true;
  let visible = true;
  return {
    online: () => online,
    visible: () => visible,
    on(type, fn) {
      listeners.set(type, [...(listeners.get(type) || []), fn]);
      return () => listeners.set(type, listeners.get(type).filter((f) => f !== fn));
    },
    fire(type, event = new Event(type)) {
      for (const fn of listeners.get(type) || []) fn(event);
    },
    setOnline(value) {
      online = value;
    },
    setVisible(value) {
      visible = value;
    },
    listenerCount: () => [...listeners.values()].reduce((n, list) => n + list.length, 0),
  };
}

/**
 * A document whose `<script>` elements the test "loads": `load(data)` calls the JSONP callback
 * named in the oldest script's URL with `data`, then fires its `load` event. No iframe can be
 * made, so the receiver runs its scripts in this document.
 */
export function fakeJsonpDocument(globalObject) {
  const scripts = [];
  const element = (tag) => ({
    tag,
    style: {},
    setAttribute() {},
    remove() {
      this.removed = true;
    },
    contentWindow: null,
  });
  const parent = { appendChild: (child) => child.tag === 'script' && scripts.push(child) };
  return {
    head: parent,
    body: parent,
    documentElement: parent,
    createElement: element,
    scripts,
    async load(data) {
      await flush();
      const script = scripts.shift();
      if (!script) throw new Error('no script is waiting');
      const callback = new URL(script.src).searchParams.get('c').split('.');
      globalObject[callback[0]][callback[1]](data);
      script.onload?.(); // unset when the callback ended the receiver
      await flush();
    },
  };
}
