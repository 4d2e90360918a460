// Doubles for the sharing unit tests: tabs of one origin, with a BroadcastChannel and a Web Locks
// manager that deliver only when the test says so (`deliver()`), and real links the test steers.
import { fakeClock, fakeLifecycle, flush } from './fakes.mjs';

/** An origin: its channels and locks. `tab()` makes the Env of one more tab. */
export function fakeOrigin() {
  const channels = new Map(); // name → Set of open channels
  const queue = []; // deliveries not made yet, in posting order
  const locks = new Map(); // name → { holder, waiting: [{ owner, grant, reject, signal }] }
  let tabs = 0;

  class FakeChannel {
    constructor(name) {
      this.name = name;
      this.onmessage = null;
      this.closed = false;
      /** Messages delivered to it: what its tab woke for. */
      this.heard = 0;
      if (!channels.has(name)) channels.set(name, new Set());
      channels.get(name).add(this);
    }
    postMessage(data) {
      if (this.closed) throw new Error('InvalidStateError: channel closed');
      for (const other of channels.get(this.name)) {
        // A tab that crashed loses what it posted and the browser had not passed on yet (`dead`).
        if (other === this) continue;
        // Each receiver its own copy, taken now, as a browser deserializes one per receiver.
        const copy = structuredClone(data);
        // A frozen page runs no task: what reaches it waits until it thaws (`thaw()`).
        const run = () => !this.dead && !other.closed && (other.owner && other.owner.frozen ? other.owner.held.push(run) : (other.heard++, other.onmessage && other.onmessage({ data: copy })));
        queue.push(run);
      }
    }
    close() {
      this.closed = true;
      channels.get(this.name).delete(this);
    }
  }

  const entry = (name) => {
    if (!locks.has(name)) locks.set(name, { holder: null, waiting: [] });
    return locks.get(name);
  };
  const grantNext = (name) => {
    const lock = entry(name);
    if (lock.holder || !lock.waiting.length) return;
    const next = lock.waiting.shift();
    lock.holder = next.owner;
    const release = () => {
      if (lock.holder !== next.owner) return;
      lock.holder = null;
      grantNext(name);
    };
    next.owner.release.set(name, release);
    Promise.resolve()
      .then(() => next.callback())
      .then(release, release);
  };

  return {
    /** Runs every delivery, including those the deliveries cause (bounded). */
    async deliver() {
      for (let round = 0; round < 100; round++) {
        await flush();
        if (!queue.length) return;
        while (queue.length) queue.shift()();
      }
      throw new Error('the tabs never went quiet');
    },
    /** Runs the oldest delivery queued (after the microtasks), alone. */
    async deliverOne() {
      await flush();
      if (queue.length) queue.shift()();
    },
    /** Runs the deliveries queued now (after the microtasks), not those they cause. */
    async deliverRound() {
      await flush();
      for (const run of queue.splice(0)) run();
    },
    openChannels: () => [...channels.values()].reduce((n, set) => n + set.size, 0),
    lockState: (name) => {
      const lock = locks.get(name);
      return lock ? { held: !!lock.holder, waiting: lock.waiting.length } : { held: false, waiting: 0 };
    },
    lockNames: () => [...locks.keys()],
    tab() {
      const owner = { release: new Map(), channels: [], frozen: false, held: [] };
      const clock = fakeClock();
      const id = ++tabs;
      const env = {
        ...clock,
        lifecycle: fakeLifecycle(),
        randomBytes: (n) => Uint8Array.from({ length: n }, (_, i) => (id * 31 + i) & 255),
        AbortController,
        BroadcastChannel: class extends FakeChannel {
          constructor(name) {
            super(name);
            this.owner = owner;
            owner.channels.push(this);
          }
        },
        locks: {
          request(name, { signal }, callback) {
            return new Promise((resolve, reject) => {
              const waiter = { owner, callback: () => callback().then(resolve), signal };
              if (signal) {
                signal.addEventListener('abort', () => {
                  const lock = entry(name);
                  const at = lock.waiting.indexOf(waiter);
                  if (at < 0) return;
                  lock.waiting.splice(at, 1);
                  reject(new DOMException('aborted', 'AbortError'));
                });
              }
              entry(name).waiting.push(waiter);
              grantNext(name);
            });
          },
        },
        /** How many messages this tab's channels were delivered. */
        heard: () => owner.channels.reduce((n, channel) => n + channel.heard, 0),
        /** The page is frozen (a background tab Chrome froze): it holds its locks and hears nothing until `thaw()`. */
        freeze() {
          owner.frozen = true;
        },
        thaw() {
          owner.frozen = false;
          queue.push(...owner.held.splice(0));
        },
        /** The renderer dies: its channels go silent, what they posted and was not passed on yet is lost, the browser frees its locks. */
        crash() {
          for (const channel of owner.channels) (channel.dead = true), channel.close();
          for (const release of owner.release.values()) release();
        },
      };
      return env;
    },
  };
}

/** A real link as the test drives it: `open()`, `message(data)`, `confirm(count)`, `drop(info)`; records sends. */
export function fakeLink(transport = 'xhr-streaming') {
  const listeners = {};
  const link = {
    transport: null,
    isOpen: false,
    lastFrameAt: 0,
    sent: [],
    closed: false,
    /** What close() hands back: accepted, never sent. */
    unsent: [],
    on(type, fn) {
      (listeners[type] ||= []).push(fn);
      return () => (listeners[type] = listeners[type].filter((f) => f !== fn));
    },
    emit(type, value) {
      for (const fn of (listeners[type] || []).slice()) fn(value);
    },
    send(messages) {
      link.sent.push(...messages);
    },
    close() {
      link.closed = true;
      link.isOpen = false;
      return link.unsent.splice(0);
    },
    open() {
      link.isOpen = true;
      link.transport = transport;
      link.emit('open');
    },
    message(data) {
      link.emit('message', data);
    },
    /** The oldest `count` messages sent went out (a frame written, a POST answered). */
    confirm(count) {
      link.emit('sent', count);
    },
    drop(info) {
      link.isOpen = false;
      link.emit('close', info);
    },
  };
  return link;
}

/** Records what a tab's link says: `[type, value]`. */
export function record(link) {
  const events = [];
  for (const type of ['open', 'message', 'close']) link.on(type, (value) => events.push([type, value]));
  return events;
}
