// A test's handle on one page: runs code in it, opens SockJS connections through the page's
// recorder, knows the page's pending requests, and fails on any uncaught error in the page.
import { withDeadline } from './deadline.mjs';

/**
 * Messages that Firefox hands to WebDriver BiDi as JavaScript errors of the page although no
 * script threw: its console reports of a request blocked by the Content-Security-Policy, of a
 * request or WebSocket that could not connect or was cut, of a <script> (JSONP) that failed to
 * load. A CORS refusal for any other reason (a missing header: a real misconfiguration) is not
 * among them. Chromium logs the same as console errors, and so
 * are they kept here: shown when a test fails, expected in CSP and fallback tests. Anything else
 * is an uncaught error and fails the test.
 */
const CONSOLE_REPORTS_AS_ERRORS = [
  /^Content-Security-Policy: /,
  /^Firefox can.t establish a connection to the server at wss?:\/\//,
  /^The connection to wss?:\/\/\S+ was interrupted while the page was loading\.$/,
  /^Cross-Origin Request Blocked: .*\(Reason: CORS request did not succeed\)\. Status code: \(null\)\.$/,
  /^Loading failed for the <script> with source /,
];

/** True for a browser's console report that arrived as a page error (see CONSOLE_REPORTS_AS_ERRORS). */
export const isConsoleReport = (error) => CONSOLE_REPORTS_AS_ERRORS.some((pattern) => pattern.test(error.message));

export class TestPage {
  /** @param {import('puppeteer').Page} page  @param network from trackNetwork(page) */
  constructor(page, network) {
    this.page = page;
    this.network = network;
    this.pageErrors = []; // uncaught exceptions and unhandled rejections: a test fails on any
    this.consoleErrors = []; // failed loads and the like, expected in fallback tests: shown on failure only
    this.reportedErrors = 0;
    this.errorWakers = new Set(); // runs waiting in the page, to be cut short by a page error
    page.on('pageerror', (error) => {
      if (isConsoleReport(error)) {
        this.consoleErrors.push(error.message);
        return;
      }
      this.pageErrors.push(error);
      for (const wake of [...this.errorWakers]) wake();
    });
    page.on('console', (message) => {
      if (message.type() === 'error') this.consoleErrors.push(message.text());
    });
  }

  /**
   * Evaluates `fn(...args)` in the page (awaiting the promise it may return) and resolves with
   * its result as JSON would carry it. Fails as soon as the page throws an uncaught error
   * meanwhile, rather than when a wait times out.
   */
  async run(fn, ...args) {
    let wake;
    const pageErrored = new Promise((resolve) => {
      wake = resolve;
      this.errorWakers.add(wake);
    });
    try {
      const result = await Promise.race([evaluateAsJson(this.page, fn, args), pageErrored]);
      this.assertNoPageErrors();
      return result;
    } finally {
      this.errorWakers.delete(wake);
    }
  }

  /** `new Resock.SockJS(url, null, options)` in the page. */
  async connect(url, options) {
    const id = await this.run((u, o) => window.recorder.connect(u, o), url, options);
    return new SocketProbe(this, id);
  }

  /**
   * `new Resock(url, options)` (the reconnecting client) in the page. `record.log: false`
   * keeps only counts of its events, for runs of many cycles.
   */
  async connectResock(url, options, record) {
    const id = await this.run((u, o, r) => window.recorder.connectResock(u, o, r), url, options, record);
    return new ResockProbe(this, id);
  }

  /** Waits (bounded) until no request or WebSocket of the page is pending. */
  waitUntilNoPendingRequests(options) {
    return this.network.waitUntilIdle(options);
  }

  /** Throws if the page had uncaught errors that no earlier call reported. */
  assertNoPageErrors() {
    const report = this.takeUnreportedErrors();
    if (report) throw new Error(report);
  }

  /** A description of the page's uncaught errors not reported yet, or '' if none. */
  takeUnreportedErrors() {
    const fresh = this.pageErrors.slice(this.reportedErrors);
    this.reportedErrors = this.pageErrors.length;
    if (fresh.length === 0) return '';
    return `uncaught error in the page:\n${fresh.map((error) => error.stack ?? error.message).join('\n')}`;
  }

  describeConsoleErrors() {
    return this.consoleErrors.length > 0 ? `console errors of the page: ${this.consoleErrors.join(' | ')}` : '';
  }
}

/**
 * `fn(...args)` in the page, its result passed as JSON text. WebDriver BiDi (Firefox) would
 * otherwise hand back an object met twice as a reference to the first, and a function as
 * undefined; as JSON both engines give the same plain value (undefined stays undefined).
 */
async function evaluateAsJson(page, fn, args) {
  const handle = await page.evaluateHandle(fn, ...args);
  try {
    const json = await handle.evaluate((value) => JSON.stringify(value));
    return json === undefined ? undefined : JSON.parse(json);
  } finally {
    await handle.dispose().catch(() => {}); // the page may be gone, and the handle with it
  }
}

/** One `Resock.SockJS` in the page, seen from the test. Every wait is bounded. */
export class SocketProbe {
  constructor(testPage, id) {
    this.testPage = testPage;
    this.id = id;
  }

  /** Resolves with the open event as recorded: `{ type, readyState, transport }`. */
  opened(options) {
    return this.wait((id) => window.recorder.event(id, 'open'), "'open'", options);
  }

  /** Resolves with the close event as recorded: `{ type, readyState, transport, code, reason, wasClean }`. */
  closed(options) {
    return this.wait((id) => window.recorder.event(id, 'close'), "'close'", options);
  }

  /** Resolves with the first `count` messages received. */
  messages(count, options) {
    return this.wait((id, n) => window.recorder.messages(id, n), `${count} message(s)`, options, count);
  }

  /** Sends each message in turn, synchronously, in one task of the page. */
  send(...messages) {
    return this.testPage.run((id, list) => window.recorder.send(id, list), this.id, messages);
  }

  close(...args) {
    return this.testPage.run((id, rest) => window.recorder.close(id, ...rest), this.id, args);
  }

  /** `{ readyState, transport }` now. */
  state() {
    return this.testPage.run((id) => window.recorder.state(id), this.id);
  }

  wait(inPage, what, { timeoutMs } = {}, ...args) {
    const waited = this.testPage.run(inPage, this.id, ...args).catch((error) => {
      throw new Error([error.message, this.testPage.describeConsoleErrors()].filter(Boolean).join('; '));
    });
    return withDeadline(waited, {
      what,
      timeoutMs,
      explain: async () =>
        [await this.testPage.run((id) => window.recorder.summary(id), this.id), this.testPage.describeConsoleErrors()]
          .filter(Boolean)
          .join('; '),
    });
  }
}

/**
 * One `Resock` in the page, seen from the test: what SocketProbe offers (`opened()` is the
 * first open, `messages(n)` the first n messages since the start), plus its other events.
 */
export class ResockProbe extends SocketProbe {
  /** Resolves with the number of `type` events seen ('open', 'reconnecting', 'state', 'online'…), once at least `count`. */
  count(type, count, options) {
    return this.wait((id, t, n) => window.recorder.count(id, t, n), `${count} '${type}' event(s)`, options, type, count);
  }

  /** Resolves with every message received, once one equal to `last` has arrived. */
  messagesUntil(last, options) {
    return this.wait((id, l) => window.recorder.messagesUntil(id, l), `a message ${JSON.stringify(last)}`, options, last);
  }

  /** How many events of each type were seen so far: `{ open: 2, reconnecting: 1, … }`. */
  counts() {
    return this.testPage.run((id) => window.recorder.counts(id), this.id);
  }

  /** The events logged so far, of one type or all: `{ type, state, at, detail?, … }`. */
  events(type) {
    return this.testPage.run((id, t) => window.recorder.events(id, t), this.id, type);
  }
}
