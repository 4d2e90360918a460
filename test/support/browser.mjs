// The browser engine of RESOCK_BROWSER (Debian's Chromium by default, or Firefox: see
// engine.mjs), launched once per mocha run and shared by every browser test; each test
// gets a fresh incognito context with the built bundle loaded from another origin than the
// SockJS server's. Mocha loads this module as a root-hook plugin (see .mocharc.cjs): its
// hooks close each test's pages and, at the end of the run, the browser.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ENGINE, launchBrowser } from './engine.mjs';
import { trackNetwork } from './network-tracker.mjs';
import { startStaticServer } from './static-server.mjs';
import { TestPage } from './test-page.mjs';

const PAGE_PATH = '/test/browser/page.html';

let launched; // Promise<{ browser, userDataDir, staticServer }>, started by the first openPage()
const openedThisTest = []; // { context, testPage }
// Page errors that came after the test's last step. A failing root afterEach hook would make
// mocha skip every remaining test of the run, so they fail the run at its end instead.
const lateErrors = [];

/**
 * Opens the test page in a fresh incognito context and resolves with a TestPage.
 * - `deleteGlobals`: names deleted from `window` before any script runs (`['WebSocket']`,
 *   `['ReadableStream']`), so the library must fall back as on a platform without them;
 * - `responseHeaders`: extra headers on the page's response (a Content-Security-Policy, say);
 * - `sameContextAs`: a TestPage whose context gets this page too (tabs of one browser profile).
 */
export async function openPage({ deleteGlobals = [], responseHeaders = {}, sameContextAs } = {}) {
  const { browser, staticServer } = await (launched ??= launch());
  const context = sameContextAs ? sameContextAs.page.browserContext() : await browser.createBrowserContext();
  const page = await context.newPage();
  const network = await trackNetwork(page);
  const testPage = new TestPage(page, network);
  openedThisTest.push({ context, testPage });
  if (deleteGlobals.length > 0) {
    await page.evaluateOnNewDocument((names) => {
      for (const name of names) delete window[name];
    }, deleteGlobals);
  }
  await page.goto(staticServer.url(PAGE_PATH, { headers: responseHeaders }), { waitUntil: 'load' });
  const bundleLoaded = await testPage.run(() => (typeof window.Resock === 'function' && typeof window.Resock.SockJS === 'function') && typeof window.recorder === 'object');
  if (!bundleLoaded) {
    throw new Error(`the page did not load dist/resock.min.js (run npm run build); ${testPage.describeConsoleErrors()}`);
  }
  return testPage;
}

async function launch() {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), `resock-${ENGINE}-`));
  const staticServer = await startStaticServer();
  try {
    const browser = await launchBrowser({ userDataDir });
    return { browser, userDataDir, staticServer };
  } catch (error) {
    await staticServer.close();
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Closes the pages of the test that just ended, keeping the errors they had that no step reported. */
async function closePagesOfThisTest(test) {
  const opened = openedThisTest.splice(0);
  await Promise.all([...new Set(opened.map(({ context }) => context))].map((context) => context.close()));
  for (const { testPage } of opened) {
    const report = testPage.takeUnreportedErrors();
    if (!report) continue;
    console.error(`    ${test.fullTitle()}, after its last step: ${report}`);
    // A test that failed has its failure reported already; these errors only explain it.
    if (test.state === 'passed') lateErrors.push(`${test.fullTitle()}: ${report}`);
  }
}

/** Mocha root hooks, loaded through .mocharc.cjs. */
export const mochaHooks = {
  async afterEach() {
    await closePagesOfThisTest(this.currentTest);
  },
  async afterAll() {
    if (!launched) return;
    const started = launched;
    launched = undefined;
    const { browser, userDataDir, staticServer } = await started.catch(() => ({})); // a failed launch failed its tests already
    if (!browser) return;
    await browser.close();
    await staticServer.close();
    await rm(userDataDir, { recursive: true, force: true });
    if (lateErrors.length > 0) {
      throw new Error(`uncaught errors in pages after their test ended:\n${lateErrors.join('\n')}`);
    }
  },
};
