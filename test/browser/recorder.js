// Runs in the test page, after the bundle. The tests (in Node, through puppeteer) open SockJS
// connections with it; it records everything each connection reports and lets the tests wait
// for an event or a number of messages without polling.
'use strict';
(() => {
  const recordings = [];

  class Recording {
    /**
     * `resock`: the socket is a `Resock`; its `reconnecting`, `state`, `drop` and `drain` events
     * are recorded too, each entry with the client's `state` and the time (`at`, Date.now()).
     * `log: false` keeps only counts of events other than close and error (long runs).
     */
    constructor(socket, { resock = false, log = true } = {}) {
      this.socket = socket;
      this.resock = resock;
      this.log = log;
      this.events = []; // open, close and error (and more for Resock), in order, with the socket's state at that moment
      this.counts = {}; // type → how many of these events so far
      this.messages = [];
      this.waiters = new Set();
      const types = ['open', 'message', 'close', 'error', ...(resock ? ['reconnecting', 'state', 'drop', 'drain'] : [])];
      for (const type of types) {
        socket.addEventListener(type, (event) => this.record(type, event));
      }
    }

    record(type, event) {
      this.counts[type] = (this.counts[type] || 0) + 1;
      if (type === 'message') {
        this.messages.push(event.data);
      } else if (this.log || type === 'close' || type === 'error') {
        const entry = { type, readyState: this.socket.readyState, transport: this.socket.transport };
        if (type === 'close') Object.assign(entry, { code: event.code, reason: event.reason, wasClean: event.wasClean });
        if (this.resock) Object.assign(entry, { state: this.socket.state, at: Date.now(), onLine: navigator.onLine });
        if (this.resock && event.detail !== undefined) entry.detail = event.detail;
        this.events.push(entry);
      }
      for (const check of [...this.waiters]) check();
    }

    /** Records an event of the page itself (`online`, `offline`) in the same log, for ordering. */
    recordPageEvent(type) {
      this.counts[type] = (this.counts[type] || 0) + 1;
      if (this.log) this.events.push({ type, at: Date.now(), onLine: navigator.onLine });
      for (const check of [...this.waiters]) check();
    }

    closeEvent() {
      return this.events.find((event) => event.type === 'close');
    }

    /**
     * Resolves with what `read()` returns once that is not undefined. Rejects as soon as the
     * connection closes without it, unless it is the close itself that is awaited.
     */
    until(read, what) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const value = read();
          const closed = this.closeEvent();
          if (value !== undefined) resolve(value);
          else if (closed) reject(new Error(`closed before ${what}: ${JSON.stringify(closed)}; ${this.summary()}`));
          else return;
          this.waiters.delete(check);
        };
        this.waiters.add(check);
        check();
      });
    }

    summary() {
      const counts = this.resock ? `, counts ${JSON.stringify(this.counts)}, state ${this.socket.state}` : '';
      // A long log would drown the report: its end tells what happened last.
      const events = this.events.length > 30 ? `…${JSON.stringify(this.events.slice(-30))}` : JSON.stringify(this.events);
      return `events ${events}, ${this.messages.length} message(s)${counts}`;
    }
  }

  const recording = (id) => {
    const found = recordings[id];
    if (!found) throw new Error(`no connection ${id}`);
    return found;
  };

  window.recorder = {
    /** Opens `new Resock.SockJS(url, null, options)` and returns its id. */
    connect(url, options) {
      recordings.push(new Recording(new Resock.SockJS(url, null, options)));
      return recordings.length - 1;
    },
    /**
     * Opens `new Resock(url, options)` (the reconnecting client) and returns its id. The page's
     * `online` and `offline` events are logged with the client's, and listened to first, so that
     * the log shows them before whatever the client does about them. `record.log: false` keeps
     * only counts of the client's events (close and error aside), for runs of many cycles.
     */
    connectResock(url, options, record = {}) {
      let recording;
      const early = [];
      for (const type of ['online', 'offline']) {
        window.addEventListener(type, () => (recording ? recording.recordPageEvent(type) : early.push(type)));
      }
      recording = new Recording(new Resock(url, options), { resock: true, log: record.log !== false });
      for (const type of early) recording.recordPageEvent(type);
      recordings.push(recording);
      return recordings.length - 1;
    },
    /** The socket or client itself, for tests that drive it from their own page functions. */
    client(id) {
      return recording(id).socket;
    },
    /** The events recorded so far, of one type or all. */
    events(id, type) {
      const { events } = recording(id);
      return type ? events.filter((event) => event.type === type) : events.slice();
    },
    /** How many events of each type were seen so far: `{ open: 2, reconnecting: 1, … }`. */
    counts(id) {
      return { ...recording(id).counts };
    },
    /** Resolves with how many events of this type were seen, once at least `count`. */
    count(id, type, count) {
      const r = recording(id);
      return r.until(() => ((r.counts[type] || 0) >= count ? r.counts[type] : undefined), `${count} '${type}' event(s)`);
    },
    send(id, messages) {
      for (const message of messages) recording(id).socket.send(message);
    },
    close(id, ...args) {
      recording(id).socket.close(...args);
    },
    /** The first event of this type ('open', 'close' or 'error'). */
    event(id, type) {
      const r = recording(id);
      return r.until(() => r.events.find((event) => event.type === type), `'${type}'`);
    },
    /** The first `count` messages, once that many arrived. */
    messages(id, count) {
      const r = recording(id);
      return r.until(() => (r.messages.length >= count ? r.messages.slice(0, count) : undefined), `${count} message(s)`);
    },
    /** Every message received, once one equal to `last` has arrived. */
    messagesUntil(id, last) {
      const r = recording(id);
      return r.until(() => (r.messages.includes(last) ? r.messages.slice() : undefined), `a message ${JSON.stringify(last)}`);
    },
    state(id) {
      const { socket, resock } = recording(id);
      const state = { readyState: socket.readyState, transport: socket.transport };
      if (resock) Object.assign(state, { state: socket.state, bufferedAmount: socket.bufferedAmount });
      return state;
    },
    summary(id) {
      return recording(id).summary();
    },
  };
})();
