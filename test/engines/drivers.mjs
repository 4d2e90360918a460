// The three engines of the cross-engine suite behind one small interface: Chromium and Firefox
// through puppeteer (test/support/engine.mjs), WebKit through classic WebDriver
// (test/support/webkit.mjs). Each engine is started once per run and shared by its tests; the
// test page (test/engines/page.html) carries its own helpers, so a test is the same code in all three.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { withDeadline } from '../support/deadline.mjs';
import { launchBrowser } from '../support/engine.mjs';
import { launchWebKit } from '../support/webkit.mjs';

export const ALL_ENGINES = ['chromium', 'firefox', 'webkit'];

/** The engines of this run: RESOCK_ENGINES (a comma list), all three by default. */
export function selectedEngines(list = process.env.RESOCK_ENGINES) {
  const names = list ? list.split(',').map((name) => name.trim()).filter(Boolean) : ALL_ENGINES;
  const unknown = names.filter((name) => !ALL_ENGINES.includes(name));
  if (unknown.length > 0) throw new Error(`RESOCK_ENGINES: unknown engine(s) ${unknown.join(', ')}; known: ${ALL_ENGINES.join(', ')}`);
  return names;
}

/**
 * Starts `name`. Resolves with `{ version, open(url), close() }`; `open(url)` loads a page and
 * resolves with `{ run(fn, ...args), close() }`, where `run` calls `fn(...args)` in the page and
 * resolves with its (awaited) result as JSON carries it.
 */
export async function startEngine(name) {
  return name === 'webkit' ? startWebKit() : startPuppeteerEngine(name);
}

async function startPuppeteerEngine(name) {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), `resock-engines-${name}-`));
  let browser;
  try {
    browser = await launchBrowser({ userDataDir }, name);
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    version: await browser.version(),
    async open(url) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'load' });
      return {
        async run(fn, ...args) {
          // As JSON text: WebDriver BiDi would turn an object met twice into a reference.
          const handle = await page.evaluateHandle(fn, ...args);
          try {
            const json = await handle.evaluate((value) => JSON.stringify(value));
            return json === undefined ? undefined : JSON.parse(json);
          } finally {
            await handle.dispose().catch(() => {});
          }
        },
        close: () => context.close(),
      };
    },
    async close() {
      await browser.close();
      await rm(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

async function startWebKit() {
  const webkit = await launchWebKit();
  return {
    version: webkit.version,
    async open(url) {
      await webkit.navigate(url);
      return {
        async run(fn, ...args) {
          // The driver's own script timeout bounds this; the callback is the last argument.
          const outcome = await webkit.execute(
            `const done = arguments[arguments.length - 1];
             Promise.resolve()
               .then(() => (${fn.toString()})(...arguments[0]))
               .then((value) => done({ json: JSON.stringify(value) }), (error) => done({ error: String((error && error.stack) || error) }));`,
            [args],
          );
          if (outcome.error) throw new Error(outcome.error);
          return outcome.json === undefined ? undefined : JSON.parse(outcome.json);
        },
        // One tab serves every test: leaving the page ends its connections.
        close: () => withDeadline(webkit.navigate('about:blank'), { what: 'WebKit to leave the page' }),
      };
    },
    close: () => webkit.close(),
  };
}
