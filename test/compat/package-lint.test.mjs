// The packed tarball as the two packaging linters see it: publint (fields, formats, files that
// are named but not packed) and "Are the types wrong?" (types and JavaScript of every entry
// point under node10, node16 from CJS, node16 from ESM and bundler resolution). Both read the
// `npm pack` tarball, not the work tree, so a file missing from `files` is caught too.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './file-server.mjs';
import { packResock, removePack } from './package.mjs';

/**
 * Runs attw with its report going to a file, and returns the report. Not through a pipe: attw
 * ends with process.exit(), which cuts a report longer than the pipe's buffer short.
 */
async function attwReport(tarball) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'resock-attw-'));
  const file = path.join(dir, 'report.json');
  const out = await open(file, 'w');
  try {
    // --no-definitely-typed: the package ships its own types, and the test must not ask the registry for @types/resock.
    await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [ATTW, tarball, '--format', 'json', '--no-definitely-typed'], { stdio: ['ignore', out.fd, 'inherit'] });
      child.on('error', reject);
      // attw exits 1 when it finds problems; its JSON report is written either way.
      child.on('exit', resolve);
    });
    return JSON.parse(await readFile(file, 'utf8'));
  } finally {
    await out.close();
    await rm(dir, { recursive: true, force: true });
  }
}
const ATTW = path.join(repoRoot, 'node_modules/@arethetypeswrong/cli/dist/index.js');
/** The entry points that must be checked; attw finds them in `exports` and may find more. */
const ENTRY_POINTS = ['.', './stomp', './resume'];
const RESOLUTIONS = ['node10', 'node16-cjs', 'node16-esm', 'bundler'];

describe('the packed tarball passes the packaging linters', function () {
  this.timeout(120000);
  after(removePack);

  it('publint --strict: no error and no warning', async function () {
    const { publint } = await import('publint');
    const { formatMessage } = await import('publint/utils');
    const { tarball } = await packResock();
    const bytes = await readFile(tarball);
    const { messages, pkg } = await publint({
      pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
      strict: true, // warnings count as errors
    });
    const lines = messages.map((message) => `${message.type}: ${formatMessage(message, pkg, { color: false })}`);
    // Suggestions (such as "engines.node", which a browser library does not need) are shown, not enforced.
    for (const line of lines.filter((text) => text.startsWith('suggestion'))) console.log(`      publint ${line}`);
    assert.deepEqual(lines.filter((text) => !text.startsWith('suggestion')), []);
  });

  it(`attw: every entry point (${ENTRY_POINTS.join(', ')}) resolves, typed, under ${RESOLUTIONS.join(', ')}`, async function () {
    const { tarball } = await packResock();
    const { analysis } = await attwReport(tarball);
    const found = Object.keys(analysis.entrypoints);
    assert.deepEqual(ENTRY_POINTS.filter((entry) => !found.includes(entry)), [], 'entry points attw did not find in exports');
    for (const entry of ENTRY_POINTS) {
      assert.deepEqual(Object.keys(analysis.entrypoints[entry].resolutions).sort(), [...RESOLUTIONS].sort(), `${entry}: resolution modes checked`);
    }
    const problems = (analysis.problems ?? []).map((problem) =>
      [problem.kind, problem.entrypoint, problem.resolutionKind, problem.fileName].filter(Boolean).join(' '),
    );
    // A new subpath in `exports` also needs a `typesVersions` line, or node10 (TypeScript's
    // `moduleResolution: node`) finds no types for it: attw reports that as NoResolution.
    assert.deepEqual(problems, [], 'https://github.com/arethetypeswrong/arethetypeswrong.github.io/tree/main/docs/problems');
  });
});
