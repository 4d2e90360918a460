// The <script> add-ons (dist/resock-resume.min.js, dist/resock-shared.min.js) take modules from
// resock.min.js (src/lent.ts): loaded after the core of their version they add Resock.resume /
// Resock.shared and their globals; without it (absent, not loaded yet, or another version's) they
// stop with an Error that says what to load, and set nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openPage } from '../support/browser.mjs';
import { withDeadline } from '../support/deadline.mjs';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const ADD_ONS = [
  { file: 'resock-resume.min.js', global: 'ResockResume', name: 'resume' },
  { file: 'resock-shared.min.js', global: 'ResockShared', name: 'shared' },
];

/** Loads the add-on in the page; resolves with the message of the Error its script threw, or null. */
async function load(page, file) {
  await page.page.evaluate(() => {
    window.addOnErrors = [];
    window.addEventListener('error', (event) => window.addOnErrors.push(event.message));
  });
  const reported = new Promise((resolve) => page.page.once('pageerror', resolve));
  await page.page.addScriptTag({ url: `/dist/${file}` }); // after the script ran, and its error event
  const [message] = await page.page.evaluate(() => window.addOnErrors);
  if (!message) return null;
  await withDeadline(reported, { what: `the page error of ${file}` });
  page.takeUnreportedErrors(); // the expected error, not a failure of the test
  return message.replace(/^(Uncaught )?Error: /, '');
}

describe('the <script> add-ons and resock.min.js', function () {
  for (const { file, global, name } of ADD_ONS) {
    it(`${file} after resock.min.js: Resock.${name} and ${global}`, async function () {
      const page = await openPage();
      assert.equal(await load(page, file), null);
      const seen = await page.run((g, n) => ({ same: window[g] === Resock[n], type: typeof Resock[n] }), global, name);
      assert.deepEqual(seen, { same: true, type: 'function' });
    });

    it(`${file} without resock.min.js (or before it): an Error naming it, nothing set`, async function () {
      const page = await openPage();
      await page.run(() => void (window.Resock = undefined));
      assert.equal(await load(page, file), `Load resock.min.js (resock@${version}) before this script`);
      assert.equal(await page.run((g) => typeof window[g], global), 'undefined');
    });

    it(`${file} after a resock.min.js of another version: the same Error, nothing set`, async function () {
      const page = await openPage();
      // The core as another version would be: the same statics, what it lends under its own key.
      await page.run(() => {
        const core = window.Resock;
        const [key] = Object.keys(core).filter((k) => k.startsWith('resock@'));
        window.Resock = Object.assign(function Resock() {}, { CloseCode: core.CloseCode, 'resock@0.0.1': key && core[key] });
      });
      assert.equal(await load(page, file), `Load resock.min.js (resock@${version}) before this script`);
      assert.equal(await page.run((g, n) => typeof window[g] + typeof Resock[n], global, name), 'undefinedundefined');
    });
  }
});
