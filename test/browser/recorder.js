// Runs in the test page, after the bundle. The tests (in Node, through puppeteer) open SockJS
// connections with it; it records everything each connection reports and lets the tests wait
// for an event or a number of messages without polling.
'use strict';
(() => {
  const recordings = [];

  class Recording {
    constructor(socket) {
      this.socket = socket;
      this.events = []; // open, close and error, in order, with the socket's state at that moment
      this.messages = [];
      this.waiters = new Set();
      for (const type of ['open', 'message', 'close', 'error']) {
        socket.addEventListener(type, (event) => this.record(type, event));
      }
    }

    record(type, event) {
      if (type === 'message') {
        this.messages.push(event.data);
      } else {
        const entry = { type, readyState: this.socket.readyState, transport: this.socket.transport };
        if (type === 'close') Object.assign(entry, { code: event.code, reason: event.reason, wasClean: event.wasClean });
        this.events.push(entry);
      }
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
      return `events ${JSON.stringify(this.events)}, ${this.messages.length} message(s)`;
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
    state(id) {
      const { socket } = recording(id);
      return { readyState: socket.readyState, transport: socket.transport };
    },
    summary(id) {
      return recording(id).summary();
    },
  };
})();
