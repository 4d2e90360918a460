// Bundlers: a tiny app doing `import { Resock, SockJS } from 'resock'`, with resock installed
// from the packed tarball (so the package's `exports` are what the bundler resolves), built with
// Vite 7, webpack 5 and esbuild with no polyfills, aliases or `define`, then run in Chromium
// under a strict Content-Security-Policy, exchanging messages with sockjs-node. Vite's dev server
// (whose dependency pre-bundling is where sockjs-client meets `global is not defined`) too.
import assert from 'node:assert/strict';
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openPage } from '../support/browser.mjs';
import { withDeadline } from '../support/deadline.mjs';
import { startSockjsServer } from '../support/sockjs-server.mjs';
import { startFileServer } from './file-server.mjs';
import { consumerProject, removePack } from './package.mjs';

const APP = fileURLToPath(new URL('../fixtures/bundler-app/', import.meta.url));
const MESSAGES = ['hello', 'Unicode: 你好 😀', '{"json":true}'];

/** The page's HTML for bundles that are not built from index.html (webpack, esbuild). */
const htmlFor = (script) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>bundled</title><link rel="icon" href="data:,">${script}</head><body></body></html>\n`;

const builders = {
  async 'Vite 7 (vite build)'(dir) {
    const { build } = await import('vite');
    const outDir = path.join(dir, 'out-vite');
    await build({ root: dir, configFile: false, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
    return outDir;
  },
  async 'webpack 5'(dir) {
    const { default: webpack } = await import('webpack');
    const outDir = path.join(dir, 'out-webpack');
    const compiler = webpack({
      mode: 'production',
      context: dir,
      entry: './main.js',
      output: { path: outDir, filename: 'main.js' },
      target: 'web',
      devtool: false,
      infrastructureLogging: { level: 'none' },
    });
    const stats = await promisify(compiler.run.bind(compiler))();
    await promisify(compiler.close.bind(compiler))();
    assert.ok(!stats.hasErrors(), stats.toString('errors-only'));
    await writeFile(path.join(outDir, 'index.html'), htmlFor('<script src="./main.js"></script>'));
    return outDir;
  },
  async esbuild(dir) {
    const esbuild = await import('esbuild');
    const outDir = path.join(dir, 'out-esbuild');
    await esbuild.build({
      absWorkingDir: dir,
      entryPoints: ['main.js'],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      outdir: outDir,
      logLevel: 'silent',
    });
    await writeFile(path.join(outDir, 'index.html'), htmlFor('<script type="module" src="./main.js"></script>'));
    return outDir;
  },
};

describe('resock in bundled apps', function () {
  this.timeout(120000);
  let sockjsServer;
  let project;
  before(async () => {
    sockjsServer = await startSockjsServer();
    project = await consumerProject();
    await cp(APP, project.dir, { recursive: true });
  });
  after(async () => {
    await sockjsServer?.close();
    await project?.remove();
    await removePack();
  });

  /** A strict policy: scripts from the page's origin only, connections to the SockJS server only. */
  const strictCsp = () =>
    `default-src 'self'; script-src 'self'; connect-src ${sockjsServer.origin} ws://127.0.0.1:${sockjsServer.port}`;

  /** Loads the built app in Chromium and exchanges messages with SockJS (two transports) and Resock. */
  async function assertAppWorks(appUrl) {
    const page = await openPage();
    await page.page.goto(appUrl, { waitUntil: 'load' });
    await withDeadline(
      page.page.waitForFunction(() => typeof window.bundledApp === 'object'),
      { what: 'the bundled app to load', explain: async () => page.describeConsoleErrors() },
    );
    assert.equal(await page.run(() => window.bundledApp.globalSockJS), 'undefined', 'importing resock defined a global');
    const echo = sockjsServer.url('/echo');
    for (const transport of ['websocket', 'xhr-streaming']) {
      const result = await withDeadline(
        page.run((url, t, messages) => window.bundledApp.echoWithSockJS(url, t, messages), echo, transport, MESSAGES),
        { what: `an echo over ${transport}`, explain: async () => page.describeConsoleErrors() },
      );
      assert.deepEqual(result, { opened: transport, received: MESSAGES, code: 1000 });
    }
    const resock = await withDeadline(
      page.run((url, messages) => window.bundledApp.echoWithResock(url, messages), echo, MESSAGES),
      { what: 'an echo with Resock', explain: async () => page.describeConsoleErrors() },
    );
    assert.deepEqual(resock, { received: MESSAGES, code: 1000, state: 'closed' });
    // The pages' `<link rel="icon" href="data:,">` (no favicon request) is an image the policy blocks: not the app's doing.
    const errors = page.consoleErrors.filter((text) => !text.includes("Loading the image 'data:,'"));
    assert.deepEqual(errors, [], 'console errors (a CSP violation would be one)');
  }

  for (const [name, build] of Object.entries(builders)) {
    it(`${name}: builds, loads under a strict CSP and exchanges messages`, async function () {
      const outDir = await build(project.dir);
      const files = await startFileServer({ '/': outDir }, { headers: { 'Content-Security-Policy': strictCsp() } });
      try {
        await assertAppWorks(files.url('/index.html'));
      } finally {
        await files.close();
      }
    });
  }

  it('Vite 7 dev server (dependencies pre-bundled by esbuild): loads and exchanges messages', async function () {
    const { createServer } = await import('vite');
    const vite = await createServer({
      root: project.dir,
      configFile: false,
      logLevel: 'silent',
      clearScreen: false,
      server: { host: '127.0.0.1', port: 0, strictPort: false, watch: null, hmr: false },
    });
    try {
      await vite.listen();
      const { port } = vite.httpServer.address();
      await assertAppWorks(`http://127.0.0.1:${port}/index.html`);
    } finally {
      await vite.close();
    }
  });
});
