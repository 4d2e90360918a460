// A test page with the built STOMP bundle loaded after the core's, as an application loads them
// (<script src="resock.min.js">, then <script src="resock-stomp.min.js">), and the page harness.
import { readFileSync } from 'node:fs';
import { openPage } from '../support/browser.mjs';
import { withDeadline } from '../support/deadline.mjs';

const HARNESS = readFileSync(new URL('./page-harness.js', import.meta.url), 'utf8');

/** Opens the shared test page (dist/resock.min.js loaded), then adds dist/resock-stomp.min.js and the harness. */
export async function openStompPage() {
  const testPage = await openPage();
  const origin = new URL(testPage.page.url()).origin;
  await testPage.page.addScriptTag({ url: `${origin}/dist/resock-stomp.min.js` });
  await testPage.page.addScriptTag({ content: HARNESS });
  const loaded = await testPage.run(() => typeof window.ResockStomp?.StompClient === 'function' && typeof window.stompHarness === 'object');
  if (!loaded) throw new Error(`the page did not load dist/resock-stomp.min.js (run npm run build); ${testPage.describeConsoleErrors()}`);
  return testPage;
}

/** One StompClient in the page, seen from the test. Every wait is bounded, and explains itself when it runs out. */
export class StompProbe {
  static async create(testPage, options) {
    const id = await testPage.run((o) => window.stompHarness.create(o), options);
    return new StompProbe(testPage, id, options);
  }

  constructor(testPage, id, options) {
    this.testPage = testPage;
    this.id = id;
    this.options = options;
  }

  /**
   * Calls `stompHarness[name](id, ...args)` in the page, bounded by `timeoutMs` (60 s by default:
   * generous, since a failure only costs time when something is broken).
   */
  call(name, args = [], { timeoutMs = 60000 } = {}) {
    const done = this.testPage.run((n, id, a) => window.stompHarness[n](id, ...a), name, this.id, args);
    return withDeadline(done, {
      what: `${name}(${args.map((a) => JSON.stringify(a)).join(', ')})`,
      timeoutMs,
      explain: async () => JSON.stringify(await this.testPage.run((id) => window.stompHarness.describe(id), this.id)),
    });
  }

  connected(count = 1, wait) {
    return this.call('events', ['connect', count], wait);
  }

  disconnected(count = 1, wait) {
    return this.call('events', ['disconnect', count], wait);
  }

  subscribe(destination, headers = {}, ackEach = false) {
    return this.call('subscribe', [destination, headers, ackEach]);
  }

  messages(subscriptionId, count, wait) {
    return this.call('messages', [subscriptionId, count], wait);
  }

  /** The bodies received on a subscription, once one of them is `body`. */
  bodiesUntil(subscriptionId, body, wait) {
    return this.call('bodiesUntil', [subscriptionId, body], wait);
  }

  publish(params, wait) {
    return this.call('publish', [params], wait);
  }

  describe() {
    return this.testPage.run((id) => window.stompHarness.describe(id), this.id);
  }
}
