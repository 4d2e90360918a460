// The page side of the shared-tabs browser tests (issue 15): pages of ONE browser context (one
// profile: one pool of connections per host, one origin's locks and channels), each with
// `window.tab`, which starts a `Resock` with `shared` (and `resume`) and records what it says.
import { openPage } from './browser.mjs';
import { withDeadline } from './deadline.mjs';

/** Runs in each page: `window.tab` starts one client and records what it says. */
function installTab() {
  const waiters = new Set();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  // Counts this page's open BroadcastChannels (the client reads the global when it is made).
  const Native = window.BroadcastChannel;
  window.BroadcastChannel = class extends Native {
    constructor(name) {
      super(name);
      tab.channels++;
      this.counted = true;
    }
    close() {
      if (this.counted) tab.channels--, (this.counted = false);
      super.close();
    }
  };
  const tab = (window.tab = {
    channels: 0,
    client: null,
    got: [],
    events: [],
    roles: [],
    /** With `resume`: the `resume` debug events and the details of every `resumefailed`. */
    resume: [],
    failed: [],
    start(url, { shared, key, transports, resume }) {
      const debug = (event, detail) => {
        if (event === 'shared:role') tab.roles.push({ role: detail.role, at: Date.now() });
        if (event === 'resume') tab.resume.push(detail);
        wake();
      };
      const options = { transports, reconnect: { minDelay: 50, maxDelay: 500 }, debug };
      if (shared) options.shared = Resock.shared({ key });
      if (resume) options.resume = Resock.resume;
      const client = (tab.client = new Resock(url, options));
      client.addEventListener('resumefailed', (event) => {
        tab.failed.push(event.detail);
        wake();
      });
      for (const type of ['open', 'close', 'reconnecting']) {
        client.addEventListener(type, (event) => {
          tab.events.push(type === 'close' ? `close ${event.code}` : type);
          wake();
        });
      }
      client.addEventListener('message', (event) => {
        tab.got.push(event.data);
        wake();
      });
    },
    /** Resolves with `check()` once it is truthy, looked at after every event of the client. */
    until(check) {
      return new Promise((resolve) => {
        const w = () => {
          const value = check();
          if (value) waiters.delete(w), resolve(value);
        };
        waiters.add(w);
        w();
      });
    },
  });
}

/**
 * `count` pages of one browser context (a new one, or that of `anchor`), each with `window.tab`,
 * the sharing add-on loaded (and the resume add-on, with `resume`).
 */
export async function openTabs(count, anchor, { resume = false } = {}) {
  const pages = [];
  for (let i = 0; i < count; i++) {
    const sameContextAs = anchor || pages[0];
    const page = await openPage(sameContextAs ? { sameContextAs } : {});
    for (const addOn of resume ? ['shared', 'resume'] : ['shared']) {
      await page.page.addScriptTag({ url: new URL(`/dist/resock-${addOn}.min.js`, page.page.url()).href });
    }
    await page.run(installTab);
    pages.push(page);
  }
  return pages;
}

/**
 * Sends `${prefix}-0` … `${prefix}-${count - 1}` from the page, one evaluation each: paced by the
 * round trips of the driver to the page, not by the page's timers — Firefox clamps the timers of a
 * background tab to one a second (only one tab of a window is in the foreground), which turned a
 * 5 ms pacing into a minute and timed the hand-over tests out.
 */
export async function sendFrom(page, prefix, count) {
  for (let k = 0; k < count; k++) await page.run((m) => window.tab.client.send(m), `${prefix}-${k}`);
}
export const start = (page, url, options) => page.run((u, o) => window.tab.start(u, o), url, options);
export const waitIn = (page, what, fn, ...args) =>
  withDeadline(page.run(fn, ...args), {
    what,
    explain: () => page.run(() => `events ${JSON.stringify(window.tab.events)}, ${window.tab.got.length} message(s), role ${window.tab.client.sharing}`),
  });

/** This origin's Web Locks, as the browser sees them: held and waiting requests. */
export const locksOf = (page) => page.run(async () => {
  const { held, pending } = await navigator.locks.query();
  return { held: held.length, pending: pending.length };
});
export const closeClient = (page) => waitIn(page, 'close', () => {
  window.tab.client.close();
  return window.tab.until(() => window.tab.events.find((e) => e.startsWith('close')));
});
export const opened = (page) => waitIn(page, 'open', () => window.tab.until(() => window.tab.client.readyState === 1));
export const role = (page) => page.run(() => window.tab.client.sharing);

