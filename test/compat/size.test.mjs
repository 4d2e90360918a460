// Size is a test: every row of test/size/budgets.mjs (the <script> bundles, and what tiny apps
// built by Vite in production gain by importing resock from the packed tarball) is measured in
// gzip -9 bytes, printed, and held to its budget. `npm run size` shows where the bytes go.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SIZE_ROWS } from '../size/budgets.mjs';
import { bytesByModule, measureRow, missingEntryPoints } from '../size/measure.mjs';
import { repoRoot } from './file-server.mjs';
import { consumerProject, removePack } from './package.mjs';

const bytes = (n) => n.toLocaleString('en');

describe('size (gzip -9) of what an app pays for resock, within budget', function () {
  this.timeout(120000);
  let project;
  before(async () => {
    project = await consumerProject();
  });
  after(async () => {
    await project?.remove();
    await removePack();
  });

  for (const row of SIZE_ROWS) {
    const target = row.target === null ? '' : `, target ${bytes(row.target)}`;
    it(`${row.name}: at most ${bytes(row.budget)} B${target}`, async function () {
      if (row.file && !existsSync(path.join(repoRoot, row.file))) assert.fail(`${row.file} is missing: run npm run build`);
      const missing = await missingEntryPoints(row, project.dir);
      if (missing.length > 0) {
        this.test.title += ` (pending: the package exports no ${missing.join(', ')} yet)`;
        this.skip();
      }
      const { minified, gzip, chunks } = await measureRow(row, { repoRoot, projectDir: project.dir });
      this.test.title += ` (now ${bytes(gzip)}; ${bytes(minified)} minified)`;
      if (row.app) {
        // A fixture the bundler emptied would measure nothing and pass: the app must hold resock's code.
        const fromResock = bytesByModule(chunks).filter((module) => module.resock);
        assert.ok(fromResock.length > 0 && gzip > 0, `the app built for "${row.name}" holds no module of resock`);
      }
      for (const text of row.absent ?? []) {
        assert.ok(!chunks.some((chunk) => chunk.code.includes(text)), `the output of "${row.name}" holds ${text}`);
      }
      assert.ok(gzip <= row.budget, `${bytes(gzip)} B gzipped, ${bytes(gzip - row.budget)} B over the budget of ${bytes(row.budget)}`);
    });
  }
});
